import { z } from 'zod';
import { DEFAULT_INTAKE_LIMITS } from '../core/case/intake-model.ts';

/**
 * The one place the environment is read, at start-up, through one schema. A missing or malformed value stops the
 * process with a message naming it. AWS and the embedded local default differ only here: endpoints, names, keys.
 */
const url = z.url();
const positiveInt = z.coerce.number().int().positive();

const hmacKey = z
  .string()
  .transform((v) => Buffer.from(v, 'base64'))
  .refine((b) => b.length >= 32, 'harus minimal 32 bita (base64)');

export const ConfigSchema = z.object({
  SEPAKAT_REGION: z.string().min(1).default('ap-southeast-3'),
  /** Endpoints of the local services; unset in AWS (the SDK's defaults apply). */
  SEPAKAT_ENDPOINT_DYNAMODB: url.optional(),
  SEPAKAT_ENDPOINT_S3: url.optional(),
  /** The S3 endpoint browsers use for presigned URLs, when it differs from the internal one. */
  SEPAKAT_ENDPOINT_S3_PUBLIC: url.optional(),
  SEPAKAT_ENDPOINT_SFN: url.optional(),
  SEPAKAT_ENDPOINT_SES: url.optional(),
  /** "true" only on the embedded local default: the SDK then signs with the marked local-development keys. */
  SEPAKAT_LOCAL_DEV_CREDENTIALS: z.enum(['true', 'false']).default('false'),
  SEPAKAT_TABLE_CASES: z.string().min(3),
  SEPAKAT_TABLE_TASKS: z.string().min(3),
  SEPAKAT_TABLE_HISTORY: z.string().min(3),
  /** Generated documents and the register of numbers. */
  SEPAKAT_TABLE_DOCUMENTS: z.string().min(3),
  SEPAKAT_TABLE_REGISTER: z.string().min(3),
  /** The agreements in force and their monitoring (functions/adapters/agreement-store.ts). */
  SEPAKAT_TABLE_AGREEMENTS: z.string().min(3),
  /** Permohonan before they are cases (reservations, confirmations), and the counters of the public limits. */
  SEPAKAT_TABLE_INTAKE: z.string().min(3),
  SEPAKAT_TABLE_LIMITS: z.string().min(3),
  /** Limits of the public intake: permohonan per caller per hour, emails to one unconfirmed address / caller per day. */
  SEPAKAT_LIMIT_PERMOHONAN_PER_JAM: positiveInt.default(DEFAULT_INTAKE_LIMITS.preparePerSourcePerHour),
  SEPAKAT_LIMIT_EMAIL_PER_ALAMAT_PER_HARI: positiveInt.default(DEFAULT_INTAKE_LIMITS.mailsPerAddressPerDay),
  SEPAKAT_LIMIT_EMAIL_PER_SUMBER_PER_HARI: positiveInt.default(DEFAULT_INTAKE_LIMITS.mailsPerSourcePerDay),
  SEPAKAT_BUCKET_INTAKE: z.string().min(3),
  SEPAKAT_BUCKET_DOCUMENTS: z.string().min(3),
  /** Scanned signed copies (Object Lock in AWS; never-overwritten keys in both worlds). */
  SEPAKAT_BUCKET_ARCHIVE: z.string().min(3),
  /**
   * The local development CA and per-official certificates (created on first start). Unset in AWS, where keys are
   * held in KMS (functions/signing/kms-signer.ts) or by BSrE.
   */
  SEPAKAT_DEV_PKI_DIR: z.string().min(1).optional(),
  /**
   * An RFC 3161 Time-Stamp Authority (POST application/timestamp-query): when set, every signature carries a
   * signature timestamp (PAdES B-T); unset, signatures are B-B. Locally the local TSA (local/tsa/).
   */
  SEPAKAT_TSA_URL: url.optional(),
  /** PEM file of the roots trusted for that TSA's tokens (default: the signers' trusted roots). */
  SEPAKAT_TSA_CA_FILE: z.string().min(1).optional(),
  /**
   * The BSrE eSign API v2 (base URL, without `/api/v2`) and its Basic credentials: the local BSrE service locally
   * (BSrE tiruan — bukan BSrE, local/bsre/); in AWS the credentials come from Secrets Manager.
   */
  SEPAKAT_BSRE_URL: url.optional(),
  SEPAKAT_BSRE_CLIENT_ID: z.string().min(1).optional(),
  SEPAKAT_BSRE_CLIENT_SECRET: z.string().min(1).optional(),
  /** The bound of each BSrE request, while the official's POST waits (default 20 s). */
  SEPAKAT_BSRE_TIMEOUT_MS: positiveInt.default(20_000),
  /**
   * PEM file of the BSrE roots a `bsre` signature must chain to, supplied by the deployer (none are shipped). A root
   * marked as a test or development CA is never labelled BSrE. Locally: the local BSrE service's test CA.
   */
  SEPAKAT_BSRE_ROOTS_FILE: z.string().min(1).optional(),
  /** JSON `{"<pemda>/<person>": {nik, email}}` of the signers' BSrE identities (locally; Secrets Manager in AWS). */
  SEPAKAT_BSRE_IDENTITIES_FILE: z.string().min(1).optional(),
  /** KMS endpoint (the local KMS service); unset in AWS, where the region's is used. */
  SEPAKAT_ENDPOINT_KMS: url.optional(),
  /**
   * In AWS, the signing function only: the secret holding the BSrE Basic credentials as JSON `{clientId,
   * clientSecret}` (read at cold start into the two above, functions/lambda/bootstrap.ts), and the secret holding the
   * signers' BSrE identities (`<pemda>/<person>` → `{nik, email}`, functions/signing/bsre-identities.ts).
   */
  SEPAKAT_BSRE_CREDENTIALS_SECRET_ARN: z.string().startsWith('arn:').optional(),
  SEPAKAT_BSRE_IDENTITIES_SECRET_ARN: z.string().startsWith('arn:').optional(),
  /**
   * The signing function (name or ARN): when set, this function signs through it (functions/signing/lambda-signer.ts,
   * a synchronous Invoke) instead of in process. Set on the functions outside the VPC in AWS, never on the signing
   * function itself.
   */
  SEPAKAT_SIGNING_FUNCTION: z.string().min(1).optional(),
  /**
   * The render function (name or ARN), which carries Chromium: when set, exports such as the register PDF are printed
   * through it (functions/render/export-printing.ts, a synchronous Invoke; the PDF through S3) instead of in process.
   * Set on the `http` function in AWS, which has no Chromium.
   */
  SEPAKAT_RENDER_FUNCTION: z.string().min(1).optional(),
  /** The Lambda API (the local Lambda service, local/lambda/local-lambda.ts); unset in AWS. */
  SEPAKAT_ENDPOINT_LAMBDA: url.optional(),
  /** A Chromium binary; default @sparticuz/chromium's. */
  SEPAKAT_CHROMIUM_PATH: z.string().min(1).optional(),
  /** ARN prefix of the SOP state machines: `arn:aws:states:<region>:<account>:stateMachine:`. */
  SEPAKAT_STATE_MACHINE_ARN_PREFIX: z.string().regex(/^arn:aws:states:[a-z0-9-]+:\d{12}:stateMachine:$/),
  SEPAKAT_PUBLIC_BASE_URL: url.transform((u) => u.replace(/\/+$/, '')),
  SEPAKAT_MAIL_FROM: z.string().min(3),
  /**
   * Three HMAC keys (base64, ≥ 32 bytes), one per purpose, each given only to the functions that use it (infra/
   * grants.ts `keys`); in AWS each comes from its own secret at cold start (functions/lambda/bootstrap.ts). The
   * action-link key: links and their forms, task and monitoring ids, the limits' address tags. The code key: the
   * stored HMAC of paraf and signature codes. The session key: console sessions and the sign-in form.
   */
  SEPAKAT_LINK_KEY: hmacKey.optional(),
  SEPAKAT_CODE_KEY: hmacKey.optional(),
  SEPAKAT_SESSION_KEY: hmacKey.optional(),
  SEPAKAT_LINK_TTL_HOURS: positiveInt.default(7 * 24),
  /**
   * The front door (AWS: CloudFront with its WAF web ACL before the HTTP API): the secret CloudFront sends in the
   * origin header `x-sepakat-origin` (functions/handlers/front-door.ts). When set, the web app refuses every request
   * without it, and the caller's address is CloudFront-Viewer-Address. In AWS it comes from Secrets Manager at cold
   * start (`SEPAKAT_ORIGIN_SECRET_ARN`); unset on the embedded default, where no header is asked.
   */
  SEPAKAT_ORIGIN_SECRET: z.string().min(32, 'harus minimal 32 karakter').optional(),
  SEPAKAT_ORIGIN_SECRET_ARN: z.string().startsWith('arn:').optional(),
  SEPAKAT_MAX_UPLOAD_BYTES: positiveInt.default(20 * 1024 * 1024),
  /**
   * The completion package's attachments at most (bytes, in total): above it the signed naskah goes as an expiring,
   * logged link and only the Lembar Riwayat Penandatanganan is attached.
   */
  SEPAKAT_MAX_EMAIL_ATTACHMENT_BYTES: positiveInt.default(7 * 1024 * 1024),
  /** How long a console session lasts after sign-in (minutes); then the user signs in again. */
  SEPAKAT_SESSION_TTL_MINUTES: positiveInt.default(8 * 60),
  /**
   * Staff sign-in (the web console): the Cognito user pool and its app client (USER_PASSWORD_AUTH). Both or neither;
   * without them the console's sign-in page says sign-in is not configured. The ID token's issuer is pinned: by
   * default `https://cognito-idp.<region>.amazonaws.com/<poolId>`; on the embedded default, cognito-local's.
   */
  SEPAKAT_COGNITO_USER_POOL_ID: z
    .string()
    .regex(/^[\w-]+_[0-9a-zA-Z]+$/)
    .optional(),
  SEPAKAT_COGNITO_CLIENT_ID: z
    .string()
    .regex(/^[\w+]+$/)
    .optional(),
  SEPAKAT_COGNITO_ISSUER: url.optional(),
  /** The Cognito endpoint (local only: cognito-local). */
  SEPAKAT_ENDPOINT_COGNITO: url.optional(),
  /**
   * EventBridge Scheduler (AWS only): the schedule group, the runSchedule function it invokes, the role it assumes
   * to do so, and where undeliverable jobs go. Unset on the embedded default, whose scheduler is a DynamoDB table.
   */
  SEPAKAT_SCHEDULER_GROUP: z.string().min(1).optional(),
  SEPAKAT_SCHEDULER_TARGET_ARN: z.string().startsWith('arn:').optional(),
  SEPAKAT_SCHEDULER_ROLE_ARN: z.string().startsWith('arn:').optional(),
  SEPAKAT_SCHEDULER_DLQ_ARN: z.string().startsWith('arn:').optional(),
  /** Directories of SOP definitions, separated by commas. */
  SEPAKAT_SOP_DIRS: z.string().min(1),
  SEPAKAT_CONFIG_DIR: z.string().min(1),
  SEPAKAT_TEMPLATES_DIR: z.string().min(1),
});
export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(
      `Konfigurasi tidak valid:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  return parsed.data;
}

/** Where staff sign in, when configured: the pool, its client, the pinned issuer, the local endpoint. */
export interface CognitoSettings {
  userPoolId: string;
  clientId: string;
  issuer: string;
  endpoint?: string;
}

export function cognitoSettings(config: Config): CognitoSettings | undefined {
  const userPoolId = config.SEPAKAT_COGNITO_USER_POOL_ID;
  const clientId = config.SEPAKAT_COGNITO_CLIENT_ID;
  if (!userPoolId && !clientId) return undefined;
  if (!userPoolId || !clientId)
    throw new ConfigError(
      'Konfigurasi tidak valid:\n  SEPAKAT_COGNITO_USER_POOL_ID dan SEPAKAT_COGNITO_CLIENT_ID harus diisi keduanya',
    );
  return {
    userPoolId,
    clientId,
    issuer: (
      config.SEPAKAT_COGNITO_ISSUER ?? `https://cognito-idp.${config.SEPAKAT_REGION}.amazonaws.com/${userPoolId}`
    ).replace(/\/+$/, ''),
    ...(config.SEPAKAT_ENDPOINT_COGNITO ? { endpoint: config.SEPAKAT_ENDPOINT_COGNITO } : {}),
  };
}

/** The three HMAC keys of the configuration, by the variable that carries each. */
export type KeyName = 'SEPAKAT_LINK_KEY' | 'SEPAKAT_CODE_KEY' | 'SEPAKAT_SESSION_KEY';
/** In AWS, the variable naming each key's secret (set only on the functions granted it, infra/grants.ts). */
export const KEY_SECRET_ARN = {
  SEPAKAT_LINK_KEY: 'SEPAKAT_LINK_KEY_SECRET_ARN',
  SEPAKAT_CODE_KEY: 'SEPAKAT_CODE_KEY_SECRET_ARN',
  SEPAKAT_SESSION_KEY: 'SEPAKAT_SESSION_KEY_SECRET_ARN',
} as const satisfies Record<KeyName, string>;

/**
 * One of the keys, where it is used: a function that was not given it (in AWS, no grant on its secret) fails here,
 * naming the key, instead of computing anything under another key.
 */
export function requireKey(config: Config, name: KeyName): Buffer {
  const key = config[name];
  if (!key) throw new ConfigError(`${name} tidak dimuat di fungsi ini: kunci ini tidak diberikan kepadanya.`);
  return key;
}

/** The mail domain of Message-IDs: the sender's domain. */
export const mailDomainOf = (from: string) => /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'sepakat.local';

/** State machine name of an SOP version (≤ 80 characters). */
export const stateMachineName = (sopKey: string) => `sepakat-${sopKey.replace('@', '-v')}`.slice(0, 80);
