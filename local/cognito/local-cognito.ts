import { LOCAL_DEVELOPMENT_CREDENTIALS, LOCAL_REGION } from '../local-aws.ts';
/**
 * A local Amazon Cognito user pool for the embedded local default: cognito-local (the user-pool API the SDK speaks,
 * and a JWKS) started in-process on a free port, its data under `<dataDir>/cognito` (never the process's working
 * directory: cognito-local's own `createDefaultServer` hard-codes `./.cognito`, so the same parts are assembled
 * here with our directory), and closeable.
 *
 * On first start it creates the staff pool (custom attributes `custom:pemda`, `custom:unit`, `custom:peran`,
 * `custom:pegawai`, as in infra/stateless-stack.ts) and an app client (USER_PASSWORD_AUTH), and remembers their ids
 * in `<dataDir>/cognito/sepakat.json`; a restart reuses them. The development users of `config/pengguna/*.yaml`
 * (local/cognito/seed-users.ts) are created when missing, through the same API an administrator uses in AWS.
 *
 * Differences from AWS kept in mind: passwords are stored in plain text (development only); a wrong password is
 * InvalidPasswordException (AWS: NotAuthorizedException); MFA is off on the local pool (the AWS pool requires TOTP,
 * and cognito-local cannot play its first enrolment, MFA_SETUP: see test/auth-mfa.test.ts);
 * and cognito-local puts no standard attribute but `email` in the ID token, so a pre-token hook here adds `name`,
 * as AWS does for a readable attribute. The signing key ships inside the package: tokens of a local pool prove
 * nothing outside this machine, which is why the issuer (this server's address and pool id) is pinned.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
  type AttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';
import { IDENTITY_ATTRIBUTES } from '../../core/access/claims.ts';
import { loadSeedUsers, type SeedUser } from './seed-users.ts';

const require = createRequire(import.meta.url);
/** cognito-local's modules (CommonJS). */
const fromCognito = createRequire(require.resolve('cognito-local/package.json'));
const lib = (path: string) => fromCognito(`./lib/${path}`) as Record<string, unknown>;

/** Marked local-development keys: cognito-local accepts any signature. */
const POOL_NAME = 'sepakat-staff';

export interface LocalCognitoOptions {
  dataDir: string;
  host?: string;
  port?: number;
  /** The product's config directory: users from `pengguna/`, checked against `pemda/`. Omit to seed nobody. */
  configDir?: string;
  log?: (line: string) => void;
}

export interface LocalCognito {
  /** Base URL for the Cognito client's `endpoint`. */
  endpoint: string;
  userPoolId: string;
  clientId: string;
  /** The ID tokens' `iss`: `<endpoint>/<userPoolId>`; its JWKS is `<issuer>/.well-known/jwks.json`. */
  issuer: string;
  /** Users created on this start (the others already existed). */
  seeded: string[];
  close(): Promise<void>;
}

const Remembered = z.object({ userPoolId: z.string().min(1), clientId: z.string().min(1) });

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export async function startLocalCognito(options: LocalCognitoOptions): Promise<LocalCognito> {
  const log = options.log ?? (() => undefined);
  const dir = join(options.dataDir, 'cognito');
  const dbDir = join(dir, 'db');
  mkdirSync(dbDir, { recursive: true });
  const host = options.host ?? '127.0.0.1';

  // Listen first: the issuer names this server's address, and the token generator is built with it.
  let application: Handler | undefined;
  const server = createServer((req, res) => {
    if (application) application(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => ok());
  });
  const endpoint = `http://${host}:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    const closed = new Promise<void>((ok) => server.close(() => ok()));
    server.closeAllConnections();
    await closed;
  };

  try {
    application = await assemble(dbDir, endpoint, log);
    const client = new CognitoIdentityProviderClient({
      region: LOCAL_REGION,
      endpoint,
      credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
    });
    try {
      const { userPoolId, clientId } = await ensurePool(client, join(dir, 'sepakat.json'));
      const seeded = options.configDir ? await seedUsers(client, userPoolId, loadSeedUsers(options.configDir)) : [];
      if (seeded.length) log(`cognito-local: ${seeded.length} pengguna pengembangan dibuat`);
      return { endpoint, userPoolId, clientId, issuer: `${endpoint}/${userPoolId}`, seeded, close };
    } finally {
      client.destroy();
    }
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * cognito-local's services and router (what its `createDefaultServer` wires) over data stores in `dbDir`, behind a
 * small HTTP front of our own: the AWS JSON protocol (`POST /`, `X-Amz-Target`) and the pool's JWKS. Its express
 * server (and pino) would add about a second to every start of the runtime for nothing the SDK needs.
 */
async function assemble(dbDir: string, issuerDomain: string, log: (line: string) => void): Promise<Handler> {
  const logger: QuietLogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (...args: unknown[]) => log(`cognito-local: ${args.map(String).join(' ')}`),
    child: () => logger,
  };
  const ctx = { logger };
  const { StormDBDataStoreFactory } = lib('services/dataStore/stormDb') as { StormDBDataStoreFactory: Ctor };
  const { CognitoServiceFactoryImpl } = lib('services/cognitoService') as { CognitoServiceFactoryImpl: Ctor };
  const { UserPoolServiceFactoryImpl } = lib('services/userPoolService') as { UserPoolServiceFactoryImpl: Ctor };
  const { DateClock } = lib('services/clock') as { DateClock: Ctor };
  const { MessagesService } = lib('services/messages') as { MessagesService: Ctor };
  const { MessageDeliveryService } = lib('services/messageDelivery/messageDelivery') as {
    MessageDeliveryService: Ctor;
  };
  const { ConsoleMessageSender } = lib('services/messageDelivery/consoleMessageSender') as {
    ConsoleMessageSender: Ctor;
  };
  const { JwtTokenGenerator } = lib('services/tokenGenerator') as { JwtTokenGenerator: Ctor };
  const { attributeValue } = lib('services/userPoolService') as {
    attributeValue: (name: string, attributes: AttributeType[] | undefined) => string | undefined;
  };
  const { otp } = lib('services/otp') as { otp: () => string };
  const { Router } = lib('server/Router') as {
    Router: (services: object) => (target: string) => (ctx: object, req: unknown) => Promise<unknown>;
  };
  const { CognitoError } = lib('errors') as { CognitoError: new (...args: never[]) => Error & { code: string } };
  const jwks = JSON.stringify({ keys: [(lib('keys/cognitoLocal.public.json') as { jwk: object }).jwk] });

  const clock = new DateClock();
  const stores = new StormDBDataStoreFactory(dbDir);
  const cognito = await (
    new CognitoServiceFactoryImpl(dbDir, stores, new UserPoolServiceFactoryImpl(clock, stores)) as {
      create(ctx: object, defaults: object): Promise<unknown>;
    }
  ).create(ctx, { UsernameAttributes: ['email'] });
  // No Lambda triggers locally (cognito-local would call them through the AWS SDK v2).
  const triggers = {
    enabled: () => false,
    ...Object.fromEntries(
      [
        'customMessage',
        'customEmailSender',
        'postAuthentication',
        'postConfirmation',
        'preSignUp',
        'preTokenGeneration',
        'userMigration',
      ].map((t) => [t, () => Promise.reject(new Error(`cognito-local: trigger ${t} tidak dipasang`))]),
    ),
  };
  // What AWS puts in an ID token and cognito-local leaves out: the readable standard attribute `name`.
  const tokenTriggers = {
    ...triggers,
    enabled: (t: string) => t === 'PreTokenGeneration',
    preTokenGeneration: async (_ctx: unknown, req: { userAttributes?: AttributeType[] }) => {
      const name = attributeValue('name', req.userAttributes);
      return { claimsOverrideDetails: { claimsToAddOrOverride: name ? { name } : {} } };
    },
  };
  const router = Router({
    clock,
    cognito,
    config: { TokenConfig: { IssuerDomain: issuerDomain }, TriggerFunctions: {}, UserPoolDefaults: {} },
    messages: new MessagesService(triggers, new MessageDeliveryService(new ConsoleMessageSender())),
    otp,
    tokenGenerator: new JwtTokenGenerator(clock, tokenTriggers, { IssuerDomain: issuerDomain }),
    triggers,
  });

  const send = (res: ServerResponse, status: number, body: string, type = 'application/x-amz-json-1.1') =>
    res.writeHead(status, { 'content-type': type }).end(body);
  // Dates go out as epoch seconds, as the AWS JSON protocol has them (cognito-local's own replacer).
  const replacer = function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? Math.floor(raw.getTime() / 1000) : value;
  };
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && /^\/[^/]+\/\.well-known\/jwks\.json$/.test(path))
      return void send(res, 200, jwks, 'application/json');
    if (req.method === 'GET' && path === '/health') return void send(res, 200, '{"ok":true}', 'application/json');
    const target = String(req.headers['x-amz-target'] ?? '').split('.')[1];
    if (req.method !== 'POST' || path !== '/' || !target)
      return void send(res, 400, JSON.stringify({ message: 'Bukan permintaan API Cognito' }), 'application/json');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
          send(res, 200, JSON.stringify(await router(target)(ctx, body), replacer));
        } catch (error) {
          if (error instanceof CognitoError)
            return send(res, 400, JSON.stringify({ __type: error.code, message: error.message }));
          log(`cognito-local: ${target}: ${String(error)}`);
          send(res, 500, JSON.stringify({ __type: 'InternalErrorException', message: String(error) }));
        }
      })();
    });
  };
}

interface QuietLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  child(): QuietLogger;
}

type Ctor = new (...args: unknown[]) => never;

/** The staff pool and its client: the remembered ones when they still exist, otherwise new ones (remembered). */
async function ensurePool(
  client: CognitoIdentityProviderClient,
  file: string,
): Promise<{ userPoolId: string; clientId: string }> {
  if (existsSync(file)) {
    const remembered = Remembered.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (remembered.success) {
      const { userPoolId, clientId } = remembered.data;
      const found = await Promise.all([
        client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId })).then(
          () => true,
          () => false,
        ),
        client.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId })).then(
          (out) => !!out.UserPoolClient,
          () => false,
        ),
      ]);
      if (found.every(Boolean)) return remembered.data;
    }
  }
  const attribute = (name: string, mutable: boolean) => ({
    Name: name.replace(/^custom:/, ''),
    AttributeDataType: 'String' as const,
    Mutable: mutable,
    StringAttributeConstraints: { MinLength: '1', MaxLength: '256' },
  });
  const pool = await client.send(
    new CreateUserPoolCommand({
      PoolName: POOL_NAME,
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'OFF',
      Schema: [
        // The pemda never changes for an account (a move is a new account); unit, roles and person do.
        attribute(IDENTITY_ATTRIBUTES.pemda, false),
        attribute(IDENTITY_ATTRIBUTES.unit, true),
        attribute(IDENTITY_ATTRIBUTES.peran, true),
        attribute(IDENTITY_ATTRIBUTES.pegawai, true),
      ],
    }),
  );
  const userPoolId = pool.UserPool!.Id!;
  const created = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'Console',
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'hours' },
      RefreshTokenValidity: 12,
      ReadAttributes: ['email', 'email_verified', 'name', ...Object.values(IDENTITY_ATTRIBUTES)],
      WriteAttributes: [],
    }),
  );
  const remembered = { userPoolId, clientId: created.UserPoolClient!.ClientId! };
  writeFileSync(file, JSON.stringify(remembered, null, 2));
  return remembered;
}

/** Creates the users that do not exist yet (by email), with their password set as permanent. */
async function seedUsers(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  users: SeedUser[],
): Promise<string[]> {
  const existing = new Set<string>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListUsersCommand({ UserPoolId: userPoolId, PaginationToken: token }));
    for (const u of page.Users ?? []) {
      const email = u.Attributes?.find((a) => a.Name === 'email')?.Value;
      if (email) existing.add(email.toLowerCase());
    }
    token = page.PaginationToken;
  } while (token);
  const created: string[] = [];
  for (const user of users) {
    if (existing.has(user.email)) continue;
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: user.email,
        MessageAction: 'SUPPRESS',
        TemporaryPassword: user.password,
        UserAttributes: [
          { Name: 'email', Value: user.email },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'name', Value: user.nama },
          { Name: IDENTITY_ATTRIBUTES.pemda, Value: user.pemdaId },
          { Name: IDENTITY_ATTRIBUTES.unit, Value: user.unit },
          { Name: IDENTITY_ATTRIBUTES.peran, Value: user.roles.join(',') },
          ...(user.personId ? [{ Name: IDENTITY_ATTRIBUTES.pegawai, Value: user.personId }] : []),
        ],
      }),
    );
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: user.email,
        Password: user.password,
        Permanent: true,
      }),
    );
    created.push(user.email);
  }
  return created;
}
