import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../core/access/access.ts';
import { principalFromClaims } from '../core/access/claims.ts';
import { IdTokenVerifier, TokenRejected, WRONG_CREDENTIALS } from '../functions/adapters/cognito-identity.ts';
import { cognitoSettings, ConfigSchema, type Config } from '../functions/config.ts';
import { SESSION_COOKIE, Sessions } from '../functions/auth/session.ts';
import { LOGIN_COOKIE, safeReturnPath } from '../functions/handlers/auth-routes.ts';
import { loadSeedUsers } from '../local/cognito/seed-users.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { web } from './support/console.ts';
import { startTestRuntime } from './support/runtime.ts';

/**
 * Staff sign-in against the real local runtime: cognito-local (in-process, data under the runtime's data
 * directory), the real Cognito SDK client, ID tokens verified with jose against cognito-local's JWKS.
 */
const PASSWORD = 'Sepakat-Lokal-2026!';
const HOUR = 3600_000;

type Runtime = Awaited<ReturnType<typeof startTestRuntime>>;

/** A browser on the sign-in page: its pre-session cookie and the form's token. */
async function openSignIn(rt: Runtime, query = '') {
  const page = await web(rt, `/masuk${query}`);
  const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return { page, cookie, token };
}

async function signIn(rt: Runtime, email: string, password: string, extra: Record<string, string> = {}) {
  const { cookie, token } = await openSignIn(rt);
  const res = await web(rt, '/masuk', { cookie, form: { _csrf: token, email, kataSandi: password, ...extra } });
  return { ...res, loginCookie: cookie, token, session: sessionCookieOf(res.headers) };
}

const sessionCookieOf = (headers: Headers) => {
  const set = headers.get('set-cookie') ?? '';
  return set.startsWith(`${SESSION_COOKIE}=`) && !/Max-Age=0/.test(set) ? set.split(';')[0] : undefined;
};

describe('staff sign-in (cognito-local, the real SDK, jose)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sepakat-auth-'));
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };
  let rt: Runtime;
  let cognito: CognitoIdentityProviderClient;

  beforeAll(async () => {
    rt = await startTestRuntime({ dataDir, clock, schedulerIntervalMs: 0 });
    cognito = new CognitoIdentityProviderClient({
      region: 'ap-southeast-3',
      endpoint: rt.urls.cognito,
      credentials: { accessKeyId: 'local-development', secretAccessKey: 'local-development' },
    });
  });
  afterAll(async () => {
    cognito?.destroy();
    await rt?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs a seeded pejabat in: a session cookie, the dashboard as home, pages that show the name', async () => {
    // Act
    const res = await signIn(rt, 'Kabag.Tapem@blitarkab.test', PASSWORD);

    // Assert
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/konsol');
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly/);
    expect(res.headers.get('set-cookie')).toMatch(/SameSite=Lax/);
    const home = await web(rt, '/', { cookie: res.session });
    expect(home.text).toContain('Basuki Rachmad, S.Sos, M.M');
    expect(home.text).toContain('Pejabat');
  });

  it('sends each role to its home and a safe `lanjut` back where the person was going', async () => {
    expect((await signIn(rt, 'arsip@blitarkab.test', PASSWORD)).headers.get('location')).toBe('/arsip');
    expect((await signIn(rt, 'disdik@blitarkab.test', PASSWORD)).headers.get('location')).toBe('/permohonan/saya');
    const back = await signIn(rt, 'penata1@blitarkab.test', PASSWORD, { lanjut: '/konsol/kasus/abc?tab=riwayat' });
    expect(back.headers.get('location')).toBe('/konsol/kasus/abc?tab=riwayat');
  });

  it('gives a wrong password and an unknown user the same message, no session, the email kept', async () => {
    // Act
    const wrong = await signIn(rt, 'penata1@blitarkab.test', 'Salah-Sekali-123!');
    const unknown = await signIn(rt, 'tidak.ada@blitarkab.test', PASSWORD);

    // Assert
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.session).toBeUndefined();
      expect(res.text).toContain(WRONG_CREDENTIALS);
      expect(res.text).not.toContain('Salah-Sekali-123!');
      expect(res.text).not.toContain(PASSWORD);
    }
    expect(wrong.text).toContain('value="penata1@blitarkab.test"');
    expect(unknown.text).toContain('value="tidak.ada@blitarkab.test"');
  });

  it('refuses a sign-in form posted without its pre-session cookie, with another token, or from another site', async () => {
    const { cookie, token } = await openSignIn(rt);
    const form = { _csrf: token, email: 'penata1@blitarkab.test', kataSandi: PASSWORD };
    expect(cookie).toMatch(new RegExp(`^${LOGIN_COOKIE}=`));

    const noCookie = await web(rt, '/masuk', { form });
    const otherToken = await web(rt, '/masuk', { cookie, form: { ...form, _csrf: 'x'.repeat(43) } });
    const otherSite = await web(rt, '/masuk', { cookie, form, origin: 'https://evil.test' });

    for (const res of [noCookie, otherToken, otherSite]) {
      expect(res.status).toBe(403);
      expect(sessionCookieOf(res.headers)).toBeUndefined();
    }
    expect(otherToken.text).toContain('Formulir masuk sudah kedaluwarsa');
  });

  it('refuses a tampered session cookie and one signed with another key: back to the sign-in page', async () => {
    // Arrange: a real session, then its payload rewritten to admin (MAC kept), and a cookie under another key.
    const { session } = await signIn(rt, 'penata1@blitarkab.test', PASSWORD);
    const [payload, mac] = session!.slice(SESSION_COOKIE.length + 1).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { principal: Principal };
    claims.principal.roles = ['admin'];
    const tampered = `${SESSION_COOKIE}=${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`;
    const foreign = new Sessions({ key: randomBytes(32), ttlSeconds: 3600, secure: false, clock }).issue(
      claims.principal,
    );

    for (const cookie of [tampered, foreign.setCookie.split(';')[0]!]) {
      // Act
      const res = await web(rt, '/konsol', { cookie });

      // Assert
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/masuk?lanjut=%2Fkonsol');
    }
    expect((await web(rt, '/konsol', { cookie: session })).status).toBe(200);
  });

  it('ends a session at its TTL: the page redirects with sesi=berakhir, a POST with it acts on nothing', async () => {
    // Arrange
    const { session } = await signIn(rt, 'penata1@blitarkab.test', PASSWORD);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await web(rt, '/', { cookie: session })).text)![1]!;
    offset = rt.app.config.SEPAKAT_SESSION_TTL_MINUTES * 60_000 + HOUR;
    try {
      // Act
      const page = await web(rt, '/konsol', { cookie: session });
      const post = await web(rt, '/keluar', { cookie: session, form: { _csrf: csrf } });

      // Assert
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe('/masuk?lanjut=%2Fkonsol&sesi=berakhir');
      expect(page.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
      const form = await web(rt, page.headers.get('location')!);
      expect(form.text).toContain('Sesi Anda sudah berakhir');
      expect(form.text).toContain('name="lanjut" value="/konsol"');
      expect(post.status).toBe(401);
      expect(post.text).toContain('Sesi Anda sudah berakhir; tidak ada yang diubah');
      // The way on is a link to the sign-in form, not a form posting to /masuk without its token.
      expect(post.text).toContain('<a href="/masuk">Masuk</a>');
      expect(post.text).not.toContain('action="/masuk"');
    } finally {
      offset = 0;
    }
  });

  it('signs out only with the session’s CSRF token, and then clears the cookie', async () => {
    // Arrange
    const { session } = await signIn(rt, 'sekda@blitarkab.test', PASSWORD);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await web(rt, '/', { cookie: session })).text)![1]!;

    // Act
    const without = await web(rt, '/keluar', { cookie: session, form: {} });
    const wrong = await web(rt, '/keluar', { cookie: session, form: { _csrf: `${csrf.slice(0, -2)}xx` } });
    const right = await web(rt, '/keluar', { cookie: session, form: { _csrf: csrf } });

    // Assert
    expect(without.status).toBe(403);
    expect(wrong.status).toBe(403);
    expect(without.headers.get('set-cookie')).toBeNull();
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/masuk');
    expect(right.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
  });

  it('never follows a return path to another site', async () => {
    const { page } = await openSignIn(rt, '?lanjut=%2F%2Fevil.test');
    expect(page.text).not.toContain('evil.test');
    const res = await signIn(rt, 'penata1@blitarkab.test', PASSWORD, { lanjut: '//evil.test' });
    expect(res.headers.get('location')).toBe('/konsol');
    for (const bad of ['//evil.test', '/\\evil.test', 'https://evil.test/', '/%0d%0aSet-Cookie:x', 'konsol', '/masuk'])
      expect(safeReturnPath(decodeURIComponent(bad)), bad).toBeUndefined();
    expect(safeReturnPath('/konsol/kasus/k-1?tab=dokumen')).toBe('/konsol/kasus/k-1?tab=dokumen');
  });

  it('asks for a new password on a first sign-in with a temporary one, then signs in', async () => {
    // Arrange: an administrator creates the account (as in AWS: AdminCreateUser with a temporary password).
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: rt.app.config.SEPAKAT_COGNITO_USER_POOL_ID!,
        Username: 'penata2@blitarkab.test',
        MessageAction: 'SUPPRESS',
        TemporaryPassword: 'Sementara-123!',
        UserAttributes: [
          { Name: 'email', Value: 'penata2@blitarkab.test' },
          { Name: 'name', Value: 'Wahyu Nugroho, S.IP.' },
          { Name: 'custom:pemda', Value: 'kab-blitar' },
          { Name: 'custom:unit', Value: 'BAGIAN TATA PEMERINTAHAN' },
          { Name: 'custom:peran', Value: 'pelaksana' },
          { Name: 'custom:pegawai', Value: 'penata-2' },
        ],
      }),
    );

    // Act: the password step, a mismatched repeat, then the new password.
    const first = await signIn(rt, 'penata2@blitarkab.test', 'Sementara-123!');
    const sesiCognito = /name="sesiCognito" value="([^"]+)"/.exec(first.text)?.[1] ?? '';
    const step = { _csrf: first.token, email: 'penata2@blitarkab.test', langkah: 'kata-sandi-baru', sesiCognito };
    const mismatch = await web(rt, '/masuk', {
      cookie: first.loginCookie,
      form: { ...step, kataSandiBaru: 'Baru-Sekali-2026!', kataSandiBaru2: 'Lain-2026!' },
    });
    const done = await web(rt, '/masuk', {
      cookie: first.loginCookie,
      form: { ...step, kataSandiBaru: 'Baru-Sekali-2026!', kataSandiBaru2: 'Baru-Sekali-2026!' },
    });

    // Assert
    expect(first.status).toBe(200);
    expect(first.session).toBeUndefined();
    expect(first.text).toContain('buat kata sandi baru');
    expect(sesiCognito).not.toBe('');
    expect(mismatch.status).toBe(400);
    expect(done.status).toBe(303);
    expect(sessionCookieOf(done.headers)).toBeDefined();
    expect((await signIn(rt, 'penata2@blitarkab.test', 'Baru-Sekali-2026!')).status).toBe(303);
  });

  it('refuses an account whose roles Sepakat does not know, with a clear message', async () => {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: rt.app.config.SEPAKAT_COGNITO_USER_POOL_ID!,
        Username: 'analis@blitarkab.test',
        MessageAction: 'SUPPRESS',
        TemporaryPassword: PASSWORD,
        UserAttributes: [
          { Name: 'email', Value: 'analis@blitarkab.test' },
          { Name: 'custom:pemda', Value: 'kab-blitar' },
          { Name: 'custom:unit', Value: 'BAGIAN TATA PEMERINTAHAN' },
          { Name: 'custom:peran', Value: 'pelaksana,superuser' },
        ],
      }),
    );
    const first = await signIn(rt, 'analis@blitarkab.test', PASSWORD);
    const sesiCognito = /name="sesiCognito" value="([^"]+)"/.exec(first.text)![1]!;
    const res = await web(rt, '/masuk', {
      cookie: first.loginCookie,
      form: {
        _csrf: first.token,
        email: 'analis@blitarkab.test',
        langkah: 'kata-sandi-baru',
        sesiCognito,
        kataSandiBaru: 'Baru-Sekali-2026!',
        kataSandiBaru2: 'Baru-Sekali-2026!',
      },
    });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Peran akun Anda tidak dikenal (superuser)');
    expect(sessionCookieOf(res.headers)).toBeUndefined();
  });

  it('pins the ID token: another audience, another issuer, another key or an access token are rejected', async () => {
    // Arrange: a real ID token of the local pool, and a key of our own served from a tiny JWKS.
    const settings = cognitoSettings(rt.app.config)!;
    const auth = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: settings.clientId,
        AuthParameters: { USERNAME: 'penata1@blitarkab.test', PASSWORD },
      }),
    );
    const idToken = auth.AuthenticationResult!.IdToken!;
    const accessToken = auth.AuthenticationResult!.AccessToken!;
    const jwks = await tinyJwks();
    try {
      const ours = (claims: Record<string, unknown>, issuer: string, audience: string) =>
        new SignJWT({ token_use: 'id', email: 'penyusup@evil.test', 'custom:peran': 'admin', ...claims })
          .setProtectedHeader({ alg: 'RS256', kid: jwks.kid })
          .setSubject('penyusup')
          .setIssuedAt()
          .setExpirationTime('10m')
          .setIssuer(issuer)
          .setAudience(audience)
          .sign(jwks.privateKey);
      const pinned = new IdTokenVerifier({ issuer: settings.issuer, clientId: settings.clientId });

      // Assert: the pool's own token passes; everything else is rejected.
      expect((await pinned.verify(idToken)).email).toBe('penata1@blitarkab.test');
      await expect(pinned.verify(accessToken)).rejects.toBeInstanceOf(TokenRejected);
      await expect(
        new IdTokenVerifier({ issuer: settings.issuer, clientId: 'klien-lain' }).verify(idToken),
      ).rejects.toBeInstanceOf(TokenRejected);
      await expect(
        new IdTokenVerifier({ issuer: `${settings.issuer}x`, clientId: settings.clientId }).verify(idToken),
      ).rejects.toBeInstanceOf(TokenRejected);
      // Our key, claiming the pool's issuer and client: the pool's JWKS does not know it.
      await expect(pinned.verify(await ours({}, settings.issuer, settings.clientId))).rejects.toBeInstanceOf(
        TokenRejected,
      );
      // Our own issuer, with its JWKS: the verifier of the pool does not accept it either.
      await expect(pinned.verify(await ours({}, jwks.issuer, settings.clientId))).rejects.toBeInstanceOf(TokenRejected);
      // A verifier pinned to our issuer accepts our token (the test's own control), not a foreign issuer or audience.
      const oursPinned = new IdTokenVerifier({ issuer: jwks.issuer, clientId: 'klien-kami' });
      expect((await oursPinned.verify(await ours({}, jwks.issuer, 'klien-kami'))).sub).toBe('penyusup');
      await expect(oursPinned.verify(await ours({}, settings.issuer, 'klien-kami'))).rejects.toBeInstanceOf(
        TokenRejected,
      );
      await expect(oursPinned.verify(await ours({}, jwks.issuer, 'klien-lain'))).rejects.toBeInstanceOf(TokenRejected);
      await expect(
        oursPinned.verify(await ours({ token_use: 'access' }, jwks.issuer, 'klien-kami')),
      ).rejects.toBeInstanceOf(TokenRejected);
    } finally {
      await jwks.close();
    }
  });

  it('reuses the pool, the client and the users after a restart on the same data directory', async () => {
    // Arrange
    const before = await signIn(rt, 'penata1@blitarkab.test', PASSWORD);
    const poolId = rt.app.config.SEPAKAT_COGNITO_USER_POOL_ID;
    const clientId = rt.app.config.SEPAKAT_COGNITO_CLIENT_ID;
    await rt.close();

    // Act
    rt = await startTestRuntime({ dataDir, clock, schedulerIntervalMs: 0 });

    // Assert: same ids, remembered in the data directory (never the process's working directory).
    expect(rt.app.config.SEPAKAT_COGNITO_USER_POOL_ID).toBe(poolId);
    expect(rt.app.config.SEPAKAT_COGNITO_CLIENT_ID).toBe(clientId);
    expect(JSON.parse(readFileSync(join(dataDir, 'cognito', 'sepakat.json'), 'utf8'))).toEqual({
      userPoolId: poolId,
      clientId,
    });
    const after = await signIn(rt, 'penata1@blitarkab.test', PASSWORD);
    expect(after.status).toBe(303);
    const sub = (cookie: string) =>
      (
        JSON.parse(Buffer.from(cookie.split('=')[1]!.split('.')[0]!, 'base64url').toString()) as {
          principal: Principal;
        }
      ).principal.sub;
    expect(sub(after.session!)).toBe(sub(before.session!));
    // A user created through the API before the restart is still there with the password they chose.
    expect((await signIn(rt, 'penata2@blitarkab.test', 'Baru-Sekali-2026!')).status).toBe(303);
  });
});

describe('the claims of a verified ID token', () => {
  const known = {
    pemda: (id: string) => id === 'kab-blitar',
    person: (_pemda: string, id: string) => id === 'penata-1',
  };
  const claims = {
    sub: 's-1',
    email: 'Penata1@Blitarkab.test',
    name: 'Yuli Astutik, S.AP.',
    'custom:pemda': 'kab-blitar',
    'custom:unit': 'BAGIAN TATA PEMERINTAHAN',
    'custom:peran': 'pelaksana, pejabat',
    'custom:pegawai': 'penata-1',
  };

  it('make a principal of the pemda, unit, roles and person', () => {
    expect(principalFromClaims(claims, known)).toEqual({
      principal: {
        sub: 's-1',
        email: 'penata1@blitarkab.test',
        nama: 'Yuli Astutik, S.AP.',
        roles: ['pelaksana', 'pejabat'],
        pemdaId: 'kab-blitar',
        unit: 'BAGIAN TATA PEMERINTAHAN',
        personId: 'penata-1',
      },
    });
  });

  it('refuse an unknown role, no role, an unknown or missing pemda, a missing unit, an unknown person', () => {
    const refused = (c: Record<string, unknown>) => 'refused' in principalFromClaims({ ...claims, ...c }, known);
    expect(refused({ 'custom:peran': 'pelaksana,root' })).toBe(true);
    expect(refused({ 'custom:peran': '' })).toBe(true);
    expect(refused({ 'custom:pemda': 'kota-lain' })).toBe(true);
    expect(refused({ 'custom:pemda': undefined })).toBe(true);
    expect(refused({ 'custom:unit': ' ' })).toBe(true);
    expect(refused({ 'custom:pegawai': 'orang-lain' })).toBe(true);
  });
});

describe('the development users and the Cognito configuration', () => {
  it('seed every role for kab-blitar, a pejabat per official of its SOP, and small sets for the other pemda', () => {
    const users = loadSeedUsers(join(PROJECT_ROOT, 'config'));
    const blitar = users.filter((u) => u.pemdaId === 'kab-blitar');
    expect(new Set(blitar.flatMap((u) => u.roles))).toEqual(
      new Set(['admin', 'pelaksana', 'pejabat', 'arsiparis', 'pemohon']),
    );
    expect(
      blitar
        .filter((u) => u.roles.includes('pejabat'))
        .map((u) => u.personId)
        .sort(),
    ).toEqual(['asisten-1', 'bupati', 'kabag-tapem', 'sekda']);
    for (const pemda of ['kota-contoh', 'kota-bandung'])
      expect(users.filter((u) => u.pemdaId === pemda).length, pemda).toBeGreaterThanOrEqual(4);
    expect(readFileSync(join(PROJECT_ROOT, 'config', 'pengguna', 'kab-blitar.yaml'), 'utf8')).toContain(
      'KATA SANDI PENGEMBANGAN LOKAL — tidak pernah dipakai di AWS',
    );
  });

  it('pins the AWS issuer by default and refuses half a configuration', () => {
    const config = (cognito: Partial<Config>) => ({ SEPAKAT_REGION: 'ap-southeast-3', ...cognito }) as Config;
    expect(cognitoSettings(config({}))).toBeUndefined();
    expect(
      cognitoSettings(
        config({ SEPAKAT_COGNITO_USER_POOL_ID: 'ap-southeast-3_AbC123', SEPAKAT_COGNITO_CLIENT_ID: 'abc123' }),
      ),
    ).toEqual({
      userPoolId: 'ap-southeast-3_AbC123',
      clientId: 'abc123',
      issuer: 'https://cognito-idp.ap-southeast-3.amazonaws.com/ap-southeast-3_AbC123',
    });
    expect(() => cognitoSettings(config({ SEPAKAT_COGNITO_CLIENT_ID: 'abc123' }))).toThrow(
      /SEPAKAT_COGNITO_USER_POOL_ID/,
    );
    const { SEPAKAT_COGNITO_USER_POOL_ID: poolId, SEPAKAT_COGNITO_ISSUER: issuer } = ConfigSchema.shape;
    expect(poolId.safeParse('ap-southeast-3_AbC123').success).toBe(true);
    expect(poolId.safeParse('local_1pH159Dy').success).toBe(true);
    expect(poolId.safeParse('bukan id').success).toBe(false);
    expect(issuer.safeParse('cognito-idp.ap-southeast-3.amazonaws.com/x').success).toBe(false);
  });
});

/** A key pair of our own, its public half served as a JWKS at `<issuer>/.well-known/jwks.json`. */
async function tinyJwks(): Promise<{ issuer: string; kid: string; privateKey: CryptoKey; close(): Promise<void> }> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = 'kunci-uji';
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    if (req.url === '/kolam-uji/.well-known/jwks.json')
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kolam-uji`;
  return {
    issuer,
    kid,
    privateKey,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
