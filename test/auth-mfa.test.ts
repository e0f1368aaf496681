import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AUTHENTICATOR_DEVICE_NAME,
  CognitoIdentity,
  SETUP_EXPIRED,
  SETUP_WRONG_CODE,
} from '../functions/adapters/cognito-identity.ts';
import { LOCAL_DEVELOPMENT_CREDENTIALS } from '../functions/app.ts';
import { SESSION_COOKIE } from '../functions/auth/session.ts';
import { authenticatorUri } from '../functions/handlers/auth-routes.ts';
import { web } from './support/console.ts';
import { startTestRuntime } from './support/runtime.ts';
import { base32Decode, totp } from './support/totp.ts';

/**
 * The first sign-in of an account in a pool that requires TOTP (Cognito's MFA_SETUP): the authenticator installed
 * from the secret and QR code the sign-in page shows, its first code, then the usual sign-in with a code.
 *
 * cognito-local 5.3 cannot play MFA_SETUP: with `MfaConfiguration: ON` it refuses a user without an authenticator
 * (NotAuthorizedException), and it associates and verifies software tokens only with an access token, not with the
 * challenge session (the last test checks both, so an upgrade that adds them shows here). So the MFA_SETUP flow
 * runs, through the real web server and the real SDK client, against a small local endpoint answering as the
 * Cognito JSON API does (sessions, TOTP checked with RFC 6238, ID tokens signed with a key it serves as JWKS); and
 * what cognito-local does support — the SOFTWARE_TOKEN_MFA sign-in of an enrolled account, with the code computed
 * here from its secret — runs against cognito-local.
 */
const EMAIL = 'penata.baru@blitarkab.test';
const PASSWORD = 'Sepakat-Lokal-2026!';
const CLAIMS = {
  name: 'Penata Baru, S.IP.',
  'custom:pemda': 'kab-blitar',
  'custom:unit': 'BAGIAN TATA PEMERINTAHAN',
  'custom:peran': 'pelaksana',
  'custom:pegawai': 'penata-1',
};

type Runtime = Awaited<ReturnType<typeof startTestRuntime>>;

const field = (html: string, name: string) =>
  decodeEntities(new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '');
const decodeEntities = (text: string) =>
  text
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"');
const sessionCookieOf = (headers: Headers) => {
  const set = headers.get('set-cookie') ?? '';
  return set.startsWith(`${SESSION_COOKIE}=`) && !/Max-Age=0/.test(set) ? set.split(';')[0] : undefined;
};

/** A browser on the sign-in page: its pre-session cookie and form token, then each step posted with them. */
async function browser(rt: Runtime) {
  const page = await web(rt, '/masuk');
  const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
  const token = field(page.text, '_csrf');
  return {
    post: (form: Record<string, string>) => web(rt, '/masuk', { cookie, form: { _csrf: token, ...form } }),
  };
}

/** The fields of the authenticator step as the page carries them. */
const setupFields = (html: string) => ({
  email: field(html, 'email'),
  langkah: field(html, 'langkah'),
  sesiCognito: field(html, 'sesiCognito'),
  rahasia: field(html, 'rahasia'),
});

/** The secret as a person reads it off the page (blocks of 4). */
const shownSecret = (html: string) =>
  /<code class="rahasia"[^>]*>([^<]+)<\/code>/.exec(html)?.[1]?.trim().replace(/\s+/g, '') ?? '';

// ---------------------------------------------------------------------------------------------------------------
// A local stand-in of the Cognito user-pool JSON API, just what the MFA_SETUP sign-in uses.

interface StandInUser {
  password: string;
  status: 'FORCE_CHANGE_PASSWORD' | 'CONFIRMED';
  secret?: string;
  verified?: boolean;
}
interface Call {
  target: string;
  body: Record<string, unknown>;
}

async function cognitoStandIn() {
  const poolId = 'ap-southeast-3_StandIn';
  const clientId = 'klien-konsol';
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'standin-1', alg: 'RS256', use: 'sig' };
  const users = new Map<string, StandInUser>();
  /** Challenge sessions: whose, and what they may be used for next. */
  const sessions = new Map<string, { username: string; next: string }>();
  const calls: Call[] = [];
  let endpoint = '';
  const issuer = () => `${endpoint}/${poolId}`;

  class Refusal extends Error {
    constructor(
      readonly type: string,
      message: string,
    ) {
      super(message);
    }
  }
  const session = (username: string, next: string) => {
    const id = randomBytes(48).toString('base64');
    sessions.set(id, { username, next });
    return id;
  };
  const take = (id: unknown, next: string) => {
    const found = typeof id === 'string' ? sessions.get(id) : undefined;
    if (!found || found.next !== next)
      throw new Refusal('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    sessions.delete(id as string);
    return found.username;
  };
  const codeOk = (secret: string, code: unknown) => [-1, 0, 1].some((step) => totp(secret, Date.now(), step) === code);
  const tokens = async (username: string) => ({
    AuthenticationResult: {
      IdToken: await new SignJWT({ token_use: 'id', email: username, ...CLAIMS })
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid! })
        .setSubject(`sub-${username}`)
        .setIssuer(issuer())
        .setAudience(clientId)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey as CryptoKey),
      AccessToken: 'tidak-dipakai',
      TokenType: 'Bearer',
      ExpiresIn: 3600,
    },
    ChallengeParameters: {},
  });
  const afterPassword = (username: string, user: StandInUser) =>
    user.verified
      ? { ChallengeName: 'SOFTWARE_TOKEN_MFA', ChallengeParameters: {}, Session: session(username, 'kode') }
      : {
          ChallengeName: 'MFA_SETUP',
          ChallengeParameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' },
          Session: session(username, 'associate'),
        };

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    InitiateAuth: async (body) => {
      const params = body.AuthParameters as Record<string, string>;
      const user = users.get(params.USERNAME!);
      if (body.ClientId !== clientId || !user || user.password !== params.PASSWORD)
        throw new Refusal('NotAuthorizedException', 'Incorrect username or password.');
      if (user.status === 'FORCE_CHANGE_PASSWORD')
        return {
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          ChallengeParameters: {},
          Session: session(params.USERNAME!, 'password'),
        };
      return afterPassword(params.USERNAME!, user);
    },
    AssociateSoftwareToken: async (body) => {
      const username = take(body.Session, 'associate');
      const secret = base32(randomBytes(20));
      users.get(username)!.secret = secret;
      return { SecretCode: secret, Session: session(username, 'verify') };
    },
    VerifySoftwareToken: async (body) => {
      const id = body.Session as string;
      const found = sessions.get(id);
      if (!found || found.next !== 'verify')
        throw new Refusal('NotAuthorizedException', 'Invalid session for the user, session is expired.');
      const user = users.get(found.username)!;
      // A wrong code leaves the session usable, so the person may type the code again.
      if (!codeOk(user.secret!, body.UserCode))
        throw new Refusal('EnableSoftwareTokenMFAException', 'Code mismatch and fail enable Software Token MFA');
      sessions.delete(id);
      user.verified = true;
      return { Status: 'SUCCESS', Session: session(found.username, 'setup') };
    },
    RespondToAuthChallenge: async (body) => {
      const answers = body.ChallengeResponses as Record<string, string>;
      if (body.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
        const username = take(body.Session, 'password');
        const user = users.get(username)!;
        user.password = answers.NEW_PASSWORD!;
        user.status = 'CONFIRMED';
        return afterPassword(username, user);
      }
      if (body.ChallengeName === 'MFA_SETUP') {
        const username = take(body.Session, 'setup');
        if (answers.USERNAME !== username) throw new Refusal('NotAuthorizedException', 'Invalid session.');
        return tokens(username);
      }
      if (body.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
        const username = take(body.Session, 'kode');
        if (!codeOk(users.get(username)!.secret!, answers.SOFTWARE_TOKEN_MFA_CODE))
          throw new Refusal('CodeMismatchException', 'Invalid code received for user');
        return tokens(username);
      }
      throw new Refusal('InvalidParameterException', `Unknown challenge ${String(body.ChallengeName)}`);
    },
  };

  const answer = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (req.method === 'GET' && req.url === `/${poolId}/.well-known/jwks.json`)
          return answer(res, 200, { keys: [jwk] });
        const target = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        calls.push({ target, body });
        const operation = operations[target];
        if (!operation) return answer(res, 400, { __type: 'InvalidAction', message: target });
        try {
          answer(res, 200, await operation(body));
        } catch (error) {
          if (error instanceof Refusal) return answer(res, 400, { __type: error.type, message: error.message });
          answer(res, 500, { __type: 'InternalErrorException', message: String(error) });
        }
      })();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    calls,
    users,
    /** Every challenge session ends (as after Cognito's few minutes). */
    expireSessions: () => sessions.clear(),
    settings: { userPoolId: poolId, clientId, issuer: issuer(), endpoint },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return bits > 0 ? out + alphabet[(value << (5 - bits)) & 31] : out;
}

// ---------------------------------------------------------------------------------------------------------------

describe('first authenticator setup at sign-in (MFA_SETUP)', () => {
  let rt: Runtime;
  let standIn: Awaited<ReturnType<typeof cognitoStandIn>>;
  let original: CognitoIdentity | undefined;
  const identities: CognitoIdentity[] = [];
  const logged: string[] = [];

  /** The console signs in through `settings`'s pool from now on (the runtime's own pool is cognito-local's). */
  const useIdentity = (settings: { userPoolId: string; clientId: string; issuer: string; endpoint: string }) => {
    const identity = new CognitoIdentity({
      client: new CognitoIdentityProviderClient({
        region: 'ap-southeast-3',
        endpoint: settings.endpoint,
        credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
        maxAttempts: 1,
      }),
      settings,
      known: {
        pemda: (id) => rt.app.catalog.pemdaIds().includes(id),
        person: (pemdaId, id) => rt.app.catalog.pemda(pemdaId).directory.data.people.some((p) => p.id === id),
      },
    });
    identities.push(identity);
    rt.app.identity = identity;
  };

  beforeAll(async () => {
    for (const method of ['log', 'info', 'warn', 'error'] as const)
      vi.spyOn(console, method).mockImplementation(
        (...args: unknown[]) => void logged.push(args.map(String).join(' ')),
      );
    [rt, standIn] = await Promise.all([
      startTestRuntime({ schedulerIntervalMs: 0, log: (line) => void logged.push(line) }),
      cognitoStandIn(),
    ]);
    original = rt.app.identity;
    useIdentity(standIn.settings);
  });
  afterAll(async () => {
    if (rt) rt.app.identity = original;
    for (const identity of identities) identity.destroy();
    await Promise.all([rt?.cleanup(), standIn?.close()]);
    vi.restoreAllMocks();
  });

  it('shows the secret in blocks of 4 and its QR code, takes the first code, then signs in with a code', async () => {
    // Arrange: an account whose password is set (an administrator's AdminSetUserPassword), no authenticator yet.
    standIn.users.set(EMAIL, { password: PASSWORD, status: 'CONFIRMED' });
    const b = await browser(rt);

    // Act: the password, then the code the app shows for the secret on the page.
    const setup = await b.post({ email: EMAIL, kataSandi: PASSWORD });
    const fields = setupFields(setup.text);
    const secret = shownSecret(setup.text);
    const done = await b.post({ ...fields, kode: totp(secret) });

    // Assert: the step, the secret as a person reads it, the QR code of the otpauth URI, nothing in the URL.
    expect(setup.status).toBe(200);
    expect(setup.text).toContain('Pasang aplikasi autentikator');
    expect(sessionCookieOf(setup.headers)).toBeUndefined();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(/<code class="rahasia"[^>]*>([^<]+)</.exec(setup.text)![1]).toBe(secret.match(/.{4}/g)!.join(' '));
    expect(fields).toMatchObject({ email: EMAIL, langkah: 'pasang-autentikator', rahasia: secret });
    const uri = `otpauth://totp/Sepakat:${encodeURIComponent(EMAIL)}?secret=${secret}&issuer=Sepakat`;
    expect(authenticatorUri(EMAIL, secret)).toBe(uri);
    expect(setup.text).toContain(`href="${uri.replaceAll('=', '&#x3D;').replaceAll('&issuer', '&amp;issuer')}"`);
    const qr = decodeEntities(/<img class="qr" src="([^"]+)"/.exec(setup.text)![1]!);
    expect(qr).toMatch(/^data:image\/png;base64,/);
    expect(qr).toBe(await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 }));
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/konsol');
    expect(sessionCookieOf(done.headers)).toBeDefined();

    // The wire: AssociateSoftwareToken on InitiateAuth's session, VerifySoftwareToken on its session with the
    // device name, RespondToAuthChallenge(MFA_SETUP) on Verify's session with USERNAME.
    const [initiate, associate, verify, respond] = standIn.calls.slice(-4);
    expect(initiate!.target).toBe('InitiateAuth');
    expect(associate).toEqual({ target: 'AssociateSoftwareToken', body: { Session: expect.any(String) } });
    expect(verify).toEqual({
      target: 'VerifySoftwareToken',
      body: { Session: fields.sesiCognito, UserCode: expect.stringMatching(/^\d{6}$/), FriendlyDeviceName: 'Sepakat' },
    });
    expect(AUTHENTICATOR_DEVICE_NAME).toBe('Sepakat');
    expect(respond!.target).toBe('RespondToAuthChallenge');
    expect(respond!.body).toMatchObject({
      ClientId: standIn.settings.clientId,
      ChallengeName: 'MFA_SETUP',
      ChallengeResponses: { USERNAME: EMAIL },
    });
    expect(respond!.body.Session).not.toBe(fields.sesiCognito);

    // The next sign-in asks for the code (SOFTWARE_TOKEN_MFA) and accepts the app's code.
    const again = await browser(rt);
    const asked = await again.post({ email: EMAIL, kataSandi: PASSWORD });
    expect(asked.text).toContain('Masukkan kode 6 angka dari aplikasi autentikator Anda');
    expect(field(asked.text, 'langkah')).toBe('kode');
    const signedIn = await again.post({
      email: EMAIL,
      langkah: 'kode',
      sesiCognito: field(asked.text, 'sesiCognito'),
      kode: totp(secret),
    });
    expect(signedIn.status).toBe(303);
    expect(sessionCookieOf(signedIn.headers)).toBeDefined();

    // Neither the secret nor a Cognito session was logged.
    for (const line of logged) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain(fields.sesiCognito);
    }
  });

  it('goes from a new password straight to the authenticator step on a first sign-in', async () => {
    // Arrange: an account created with a temporary password.
    const email = 'penata.sementara@blitarkab.test';
    standIn.users.set(email, { password: 'Sementara-123!', status: 'FORCE_CHANGE_PASSWORD' });
    const b = await browser(rt);

    // Act
    const first = await b.post({ email, kataSandi: 'Sementara-123!' });
    const setup = await b.post({
      email,
      langkah: 'kata-sandi-baru',
      sesiCognito: field(first.text, 'sesiCognito'),
      kataSandiBaru: 'Baru-Sekali-2026!',
      kataSandiBaru2: 'Baru-Sekali-2026!',
    });
    const done = await b.post({ ...setupFields(setup.text), kode: totp(shownSecret(setup.text)) });

    // Assert
    expect(first.text).toContain('buat kata sandi baru');
    expect(setup.status).toBe(200);
    expect(setup.text).toContain('Pasang aplikasi autentikator');
    expect(done.status).toBe(303);
    expect(sessionCookieOf(done.headers)).toBeDefined();
  });

  it('keeps the step, the secret and the QR code after a wrong or malformed code; the right one then signs in', async () => {
    // Arrange
    const email = 'penata.salah.kode@blitarkab.test';
    standIn.users.set(email, { password: PASSWORD, status: 'CONFIRMED' });
    const b = await browser(rt);
    const setup = await b.post({ email, kataSandi: PASSWORD });
    const fields = setupFields(setup.text);
    const secret = shownSecret(setup.text);
    const wrongCode = String((Number(totp(secret)) + 500_000) % 1_000_000).padStart(6, '0');
    const callsBefore = standIn.calls.length;

    // Act
    const malformed = await b.post({ ...fields, kode: '12a45' });
    const callsAfterMalformed = standIn.calls.length;
    const wrong = await b.post({ ...fields, kode: wrongCode });
    const right = await b.post({ ...setupFields(wrong.text), kode: totp(secret) });

    // Assert: a malformed code never reaches Cognito; a wrong one is refused by it; both keep what was shown.
    expect(callsAfterMalformed).toBe(callsBefore);
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('Kode autentikator terdiri dari 6 angka.');
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain(SETUP_WRONG_CODE);
    for (const page of [malformed, wrong]) {
      expect(setupFields(page.text)).toEqual(fields);
      expect(shownSecret(page.text)).toBe(secret);
      expect(page.text).toContain('<img class="qr" src="data:image/png;base64,');
    }
    expect(right.status).toBe(303);
    expect(sessionCookieOf(right.headers)).toBeDefined();
  });

  it('sends the person back to email and password when the session expired or the step was tampered with', async () => {
    // Arrange
    const email = 'penata.lambat@blitarkab.test';
    standIn.users.set(email, { password: PASSWORD, status: 'CONFIRMED' });
    const b = await browser(rt);
    const setup = await b.post({ email, kataSandi: PASSWORD });
    const fields = setupFields(setup.text);
    const secret = shownSecret(setup.text);

    // Act: a tampered secret (never sent to Cognito), then the right code after the session ended.
    const tampered = await b.post({ ...fields, rahasia: `${secret.slice(0, 8)}<script>`, kode: totp(secret) });
    standIn.expireSessions();
    const late = await b.post({ ...fields, kode: totp(secret) });

    // Assert
    expect(tampered.status).toBe(400);
    expect(tampered.text).not.toContain('<script>');
    expect(late.status).toBe(401);
    expect(SETUP_EXPIRED).toMatch(/^Waktu pendaftaran habis, silakan masuk lagi/);
    for (const page of [tampered, late]) {
      expect(page.text).toContain(SETUP_EXPIRED.split(':')[0]);
      expect(page.text).toContain(`value="${email}"`);
      expect(page.text).toContain('name="kataSandi"');
      expect(page.text).not.toContain('name="sesiCognito"');
      expect(page.text).not.toContain(secret);
      expect(sessionCookieOf(page.headers)).toBeUndefined();
    }
  });

  it('signs an account enrolled in cognito-local in with the code computed from its secret', async () => {
    // Arrange: a pool of its own in cognito-local (the seeded pool keeps MFA off); the account enrols with its
    // access token (what cognito-local supports), then the pool requires MFA.
    const cognito = new CognitoIdentityProviderClient({
      region: 'ap-southeast-3',
      endpoint: rt.urls.cognito,
      credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
    });
    try {
      const pool = await cognito.send(
        new CreateUserPoolCommand({
          PoolName: `sepakat-mfa-${randomUUID()}`,
          UsernameAttributes: ['email'],
          MfaConfiguration: 'OFF',
          Schema: ['pemda', 'unit', 'peran', 'pegawai'].map((name) => ({
            Name: name,
            AttributeDataType: 'String' as const,
            Mutable: true,
          })),
        }),
      );
      const userPoolId = pool.UserPool!.Id!;
      const client = await cognito.send(
        new CreateUserPoolClientCommand({
          UserPoolId: userPoolId,
          ClientName: 'Console',
          ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
          ReadAttributes: ['email', 'name', ...Object.keys(CLAIMS).filter((k) => k.startsWith('custom:'))],
        }),
      );
      const clientId = client.UserPoolClient!.ClientId!;
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: EMAIL,
          MessageAction: 'SUPPRESS',
          TemporaryPassword: PASSWORD,
          UserAttributes: [
            { Name: 'email', Value: EMAIL },
            ...Object.entries(CLAIMS).map(([Name, Value]) => ({ Name, Value })),
          ],
        }),
      );
      await cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: userPoolId,
          Username: EMAIL,
          Password: PASSWORD,
          Permanent: true,
        }),
      );
      const signIn = () =>
        cognito.send(
          new InitiateAuthCommand({
            AuthFlow: 'USER_PASSWORD_AUTH',
            ClientId: clientId,
            AuthParameters: { USERNAME: EMAIL, PASSWORD },
          }),
        );
      const accessToken = (await signIn()).AuthenticationResult!.AccessToken!;
      const { SecretCode: secret } = await cognito.send(
        new AssociateSoftwareTokenCommand({ AccessToken: accessToken }),
      );
      await cognito.send(
        new VerifySoftwareTokenCommand({
          AccessToken: accessToken,
          UserCode: totp(secret!),
          FriendlyDeviceName: 'Sepakat',
        }),
      );
      await cognito.send(new SetUserPoolMfaConfigCommand({ UserPoolId: userPoolId, MfaConfiguration: 'ON' }));
      useIdentity({ userPoolId, clientId, issuer: `${rt.urls.cognito}/${userPoolId}`, endpoint: rt.urls.cognito });

      // Act
      const b = await browser(rt);
      const asked = await b.post({ email: EMAIL, kataSandi: PASSWORD });
      const step = { email: EMAIL, langkah: 'kode', sesiCognito: field(asked.text, 'sesiCognito') };
      const wrong = await b.post({
        ...step,
        kode: String((Number(totp(secret!)) + 500_000) % 1_000_000).padStart(6, '0'),
      });
      const asked2 = await b.post({ email: EMAIL, kataSandi: PASSWORD });
      const done = await b.post({ ...step, sesiCognito: field(asked2.text, 'sesiCognito'), kode: totp(secret!) });

      // Assert
      expect(asked.status).toBe(200);
      expect(field(asked.text, 'langkah')).toBe('kode');
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('Kode autentikator salah');
      expect(done.status).toBe(303);
      const session = sessionCookieOf(done.headers)!;
      expect((await web(rt, '/', { cookie: session })).text).toContain('Penata Baru, S.IP.');

      // What cognito-local does not do (covered by the stand-in above): MFA_SETUP for an account without an
      // authenticator in a pool that requires one, and associating a token on a challenge session.
      const other = 'belum.pasang@blitarkab.test';
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: other,
          MessageAction: 'SUPPRESS',
          TemporaryPassword: PASSWORD,
          UserAttributes: [{ Name: 'email', Value: other }],
        }),
      );
      await cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: userPoolId,
          Username: other,
          Password: PASSWORD,
          Permanent: true,
        }),
      );
      await expect(
        cognito.send(
          new InitiateAuthCommand({
            AuthFlow: 'USER_PASSWORD_AUTH',
            ClientId: clientId,
            AuthParameters: { USERNAME: other, PASSWORD },
          }),
        ),
      ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
      await expect(cognito.send(new AssociateSoftwareTokenCommand({ Session: 'sesi' }))).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
    } finally {
      cognito.destroy();
    }
  });
});

describe('the TOTP of the tests', () => {
  it('matches RFC 6238 (SHA-1 test vectors, last 6 digits)', () => {
    const secret = base32(Buffer.from('12345678901234567890'));
    expect(base32Decode(secret).toString()).toBe('12345678901234567890');
    expect(totp(secret, 59_000)).toBe('287082');
    expect(totp(secret, 1_111_111_109_000)).toBe('081804');
    expect(totp(secret, 20_000_000_000_000)).toBe('353130');
  });
});
