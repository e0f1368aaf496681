import { LOCAL_REGION } from './local-aws.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock, FaultPoint, Faults } from '../core/case/model.ts';
import { applySubstitutions, compileSop, FunctionPlaceholders, type FunctionRole } from '../core/sop/compile-sop.ts';
import { FUNCTIONS } from '../infra/functions.ts';
import { buildApp, type App } from '../functions/app.ts';
import { sopVersions, type ReloadResult } from '../functions/adapters/catalog.ts';
import { documentTableDefinition } from '../functions/adapters/document-store.ts';
import { systemClock } from '../functions/adapters/clock.ts';
import {
  DynamoDbScheduler,
  scheduleTableDefinition,
  type RunDueReport,
} from '../functions/adapters/dynamodb-scheduler.ts';
import { registerTableDefinitions } from '../functions/adapters/register-tables.ts';
import { agreementTableDefinition } from '../functions/adapters/agreement-store.ts';
import { intakeTableDefinition, limitTableDefinition } from '../functions/adapters/intake-store.ts';
import type { IntakeLimits } from '../core/case/intake-model.ts';
import { tableDefinitions } from '../functions/adapters/tables.ts';
import { loadConfig, stateMachineName } from '../functions/config.ts';
import { localKeys } from './local-keys.ts';
import { getRequestListener } from '@hono/node-server';
import { webApp } from '../functions/handlers/web-app.ts';
import { intakeHandler, stepTaskHandlers } from '../functions/handlers/step-task-handlers.ts';
import { createLog, type ErrorKeys, type LogKeys } from '../functions/observability/log.ts';
import { LocalMetrics } from '../functions/observability/emf-metrics.ts';
import { registerDevelopmentUsers } from './bsre/development-users.ts';
import { startLocalBsre, type BsreBehaviour, type LocalBsre } from './bsre/local-bsre.ts';
import { startLocalCognito } from './cognito/local-cognito.ts';
import { startLocalKms } from './kms/local-kms.ts';
import { functionNameOf, startLocalLambda, type LocalFunction } from './lambda/local-lambda.ts';
import { renderHandler } from '../functions/render/export-printing.ts';
import { signingHandler } from '../functions/handlers/signing-handler.ts';
import { ensureTables, startLocalDynamoDb } from './dynamodb/local-dynamodb.ts';
import { startLocalScheduler } from './local-scheduler.ts';
import { watchDataDirs } from './data-watch.ts';
import { createOutbox } from './outbox/outbox.ts';
import { startLocalS3 } from './s3/local-s3.ts';
import { startLocalSes } from './ses/local-ses.ts';
import { startLocalStepFunctions } from './step-functions/local-step-functions.ts';
import { startLocalTsa } from './tsa/local-tsa.ts';
import { HttpTimestampAuthority } from '../functions/signing/timestamp.ts';
import { toPem } from '../functions/signing/asn1.ts';

/**
 * The embedded local default: real local services that speak the AWS wire protocols, the product's Lambda
 * handlers in-process with AWS's event and result shapes, and the web server for the action pages. Handlers
 * get the same configuration schema as in AWS; only endpoints and names differ.
 */

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REGION = LOCAL_REGION;
/** The functions that carry Chromium in AWS (infra/functions.ts): they render their documents themselves. */
const CHROMIUM_FUNCTIONS: ReadonlySet<string> = new Set(FUNCTIONS.filter((f) => f.chromium).map((f) => f.id));
const ACCOUNT = '000000000000';
/** The local scheduler's table (in AWS the schedule lives in EventBridge Scheduler; no table). */
export const SCHEDULE_TABLE = 'sepakat-jadwal';

export interface RuntimeOptions {
  dataDir: string;
  /** Web server port (0: any free port). The other services always take free ports. */
  port?: number;
  host?: string;
  /** The base URL in emailed links (default: the web server's own address). */
  publicBaseUrl?: string;
  sopDirs?: string[];
  /** Bound of every human wait (seconds); continuation in a new execution when it passes. */
  humanWaitSeconds?: number;
  linkTtlHours?: number;
  maxUploadBytes?: number;
  /** The completion package's attachments at most, in total (default 7 MB; above it, a link). */
  maxEmailAttachmentBytes?: number;
  clock?: Clock;
  /** Test hook: SIGKILL this process at the Nth time the named point is reached. */
  fault?: { point: FaultPoint; occurrence?: number };
  /** Resume active cases and sweep unhandled permohonan at start (default true). */
  recover?: boolean;
  /**
   * How often the local scheduler fires what has come due (ms, default 30 s). 0: never by itself, only through
   * `scheduler.runDue` (tests that drive the clock).
   */
  schedulerIntervalMs?: number;
  log?: (line: string) => void;
  /** Limits of the public intake (defaults: those of a deployment; tests that submit many permohonan raise them). */
  limits?: Partial<IntakeLimits>;
  /**
   * How often the intake sweep runs (ms, default 5 minutes): lost manifest events, reservations without a manifest,
   * unconfirmed permohonan, leftovers. 0: only at start and through `sweepIntake()`.
   */
  intakeSweepIntervalMs?: number;
  /** How often the stranded-case sweep runs (ms, default 15 minutes). 0: only through `sweepStranded()`. */
  strandedSweepIntervalMs?: number;
  /** The local BSrE service's behaviour at start (a delay, or a misbehaving mode); `bsre.setBehaviour` changes it. */
  bsre?: Partial<BsreBehaviour>;
  /** The bound of each request to the local BSrE service (default 20 s, as in production). */
  bsreTimeoutMs?: number;
  /** Another config/ directory (a test's pemda that signs through KMS, say); default the project's. */
  configDir?: string;
  /**
   * Watch the SOP directories and the config/ directory, and reload (the one path of `muat-ulang`) when a data file
   * changes (default false: `npm start` turns it on unless SEPAKAT_WATCH=0; tests turn it on when they test it).
   */
  watch?: boolean;
  /**
   * Measurement hook (bench/concurrent-cases.ts): every invocation of a state machine's Lambda task runs inside it,
   * with the function's name, so a bench can tell which function made which requests. Changes nothing else.
   */
  aroundInvoke?: (functionName: string, invoke: () => Promise<unknown>) => Promise<unknown>;
}

const LIMIT_ENV: Record<keyof IntakeLimits, string> = {
  preparePerSourcePerHour: 'SEPAKAT_LIMIT_PERMOHONAN_PER_JAM',
  mailsPerAddressPerDay: 'SEPAKAT_LIMIT_EMAIL_PER_ALAMAT_PER_HARI',
  mailsPerSourcePerDay: 'SEPAKAT_LIMIT_EMAIL_PER_SUMBER_PER_HARI',
};

export interface LocalRuntime {
  app: App;
  /** The business metrics counted so far (core/metrics.ts), as CloudWatch would receive them in AWS. */
  metrics: LocalMetrics;
  urls: {
    web: string;
    dynamodb: string;
    s3: string;
    sfn: string;
    ses: string;
    cognito: string;
    kms: string;
    tsa: string;
    bsre: string;
    /** The local Lambda API (Invoke): the signing function and the step functions, run in process. */
    lambda: string;
  };
  /**
   * The op of each invocation the local Lambda API made of the render function, in order (`printExport` of the
   * export printer; `render`, `printHtml`, `printExport`, `pageImages` of a LambdaRenderer).
   */
  renderInvocations: readonly string[];
  dataDir: string;
  /** The local BSrE eSign service (BSrE tiruan — bukan BSrE) with the Kota Contoh signers registered. */
  bsre: LocalBsre;
  /** Cases resumed at start. */
  resumed: string[];
  /**
   * Loads the SOPs and configuration again (`npm run sepakat -- muat-ulang`): after every check of the load, new SOP
   * versions get their state machines and every use case sees the new data; a load that fails changes nothing.
   */
  reload(): ReloadResult;
  /** The durable local scheduler: `runDue(now)` fires what is due at `now` (default: the clock), each item once. */
  scheduler: { runDue(now?: Date): Promise<RunDueReport>; store: DynamoDbScheduler };
  /** Resolves when every in-flight S3 event has been handled. */
  idle(): Promise<void>;
  /** Runs the intake sweep now (what the scheduled sweepIntake function does in AWS). */
  sweepIntake(): Promise<unknown>;
  /**
   * Makes every invocation of one of the state machines' functions fail with `error` (a broken deployment of it, for
   * the tests of what a failure leaves behind); without `error`, the function works again.
   */
  failFunction(role: FunctionRole, error?: { name: string; message: string }): void;
  /** Runs the stranded-case sweep now (what the scheduled sweepStranded function does in AWS): its counts. */
  sweepStranded(): Promise<unknown>;
  close(): Promise<void>;
}

export const FUNCTION_NAMES: Record<FunctionRole, string> = {
  enterStep: 'sepakat-enter-step',
  openTask: 'sepakat-open-task',
  automatic: 'sepakat-automatic',
  document: 'sepakat-document',
  caseData: 'sepakat-case-data',
  finishCase: 'sepakat-finish-case',
  continueCase: 'sepakat-continue-case',
};

/** The signing function's name (LambdaSigner invokes it through the local Lambda API, as in AWS). */
export const SIGNING_FUNCTION_NAME = 'sepakat-signing';
/** The render function's name: the web's exports are printed through the local Lambda API, as in AWS. */
export const RENDER_FUNCTION_NAME = 'sepakat-render';

function faultsFor(fault: RuntimeOptions['fault']): Faults {
  if (!fault) return { point: () => undefined };
  let seen = 0;
  return {
    point(name) {
      if (name !== fault.point) return;
      seen++;
      if (seen === (fault.occurrence ?? 1)) process.kill(process.pid, 'SIGKILL');
    },
  };
}

export async function startRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  // One readable line per entry (`14:05:09 INFO message key=value`), to the caller's sink; the handlers log here too.
  const logger = createLog({ format: 'line', write: options.log ?? (() => undefined) });
  const log = (message: string, keys?: ErrorKeys) =>
    keys?.error === undefined ? logger.info(message, keys as LogKeys) : logger.error(message, keys);
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const host = options.host ?? '127.0.0.1';

  // Late-bound: the services start before the app that their callbacks reach.
  const late: {
    handlers?: ReturnType<typeof stepTaskHandlers>;
    signing?: LocalFunction;
    render?: LocalFunction;
    http?: ReturnType<typeof getRequestListener>;
  } = {};

  const web: Server = createServer((req, res) => void serve(req, res));
  await new Promise<void>((ok) => web.listen(options.port ?? 0, host, ok));
  const webUrl = `http://${host}:${(web.address() as AddressInfo).port}`;

  const clock = options.clock ?? systemClock;
  // RFC 3161 signature timestamps (PAdES B-T), on the product's clock: for the product's signatures and BSrE tiruan's.
  const tsaStarted = startLocalTsa({ dataDir, host, now: () => clock.now() });
  const sopDirs = options.sopDirs ?? [join(PROJECT_ROOT, 'sops')];
  const configDir = options.configDir ?? join(PROJECT_ROOT, 'config');
  const [dynamodb, s3, ses, cognito, kms, tsa, bsre] = await Promise.all([
    startLocalDynamoDb({ dataDir, host }),
    startLocalS3({
      dataDir,
      host,
      region: REGION,
      buckets: ['sepakat-permohonan', 'sepakat-dokumen', 'sepakat-arsip'],
    }),
    startLocalSes({ dataDir, host }),
    // Staff sign-in: the development users of config/pengguna/ (local development passwords).
    startLocalCognito({ dataDir, host, configDir, log }),
    // Asymmetric signing keys (the `kms` signer), kept in the data directory.
    startLocalKms({
      dataDir: join(dataDir, 'kms'),
      host,
      region: REGION,
      accountId: ACCOUNT,
      now: () => clock.now(),
    }),
    tsaStarted,
    // The BSrE eSign API v2 as integrators observed it, with its own test CA and the local TSA (its signatures are
    // B-T, as BSrE's); Kota Contoh's signers are registered with development passphrases (`npm run bsre-lokal`).
    tsaStarted.then((started) =>
      startLocalBsre({
        dataDir: join(dataDir, 'bsre'),
        host,
        log,
        // The product's clock: certificates and signing times agree with the time the product checks them at.
        now: () => clock.now(),
        timestamp: { authority: new HttpTimestampAuthority(started.url), roots: [started.caCertificate] },
        ...(options.bsre ? { behaviour: options.bsre } : {}),
      }),
    ),
  ]);
  // Registration hashes a passphrase per user: it runs while the rest starts, and is awaited before the runtime is.
  const bsreUsers = registerDevelopmentUsers(bsre, {
    bsreDir: join(dataDir, 'bsre'),
    configDir,
    identitiesFile: join(dataDir, 'identitas-bsre.json'),
  });
  bsreUsers.catch(() => undefined); // awaited below; handled here so a failure before then is not unhandled
  /** The function whose invocation is running (Step Functions' Lambda tasks), as each is its own process in AWS. */
  const runningFunction = new AsyncLocalStorage<string | undefined>();
  /** The op of each invocation of the render function, in order (`renderInvocations`). */
  const renderInvocations: string[] = [];
  /** The functions made to fail (`failFunction`), by role. */
  const failing = new Map<FunctionRole, { name: string; message: string }>();
  // The functions by name, run in process: what Step Functions' Lambda tasks and the local Lambda API invoke.
  const byName = new Map(Object.entries(FUNCTION_NAMES).map(([role, name]) => [name, role as FunctionRole]));
  const functionOf = (name: string): LocalFunction | undefined => {
    if (name === SIGNING_FUNCTION_NAME) return late.signing;
    if (name === RENDER_FUNCTION_NAME) return late.render;
    const role = byName.get(name);
    const handlers = late.handlers;
    return role && handlers
      ? (payload) => {
          const failure = failing.get(role);
          // A handler made to fail (`failFunction`): it throws as a broken deployment of it would.
          if (failure) return Promise.reject(Object.assign(new Error(failure.message), { name: failure.name }));
          return handlers[role](payload as never);
        }
      : undefined;
  };
  const [sfn, lambda] = await Promise.all([
    startLocalStepFunctions({
      dataDir: join(dataDir, 'step-functions'),
      host,
      region: REGION,
      accountId: ACCOUNT,
      retryIntervalMs: 200,
      invokeLambda: async (functionName, payload) => {
        const name = functionNameOf(functionName);
        const fn = functionOf(name);
        if (!fn)
          throw Object.assign(new Error(`Function not found: ${functionName}`), {
            name: 'Lambda.ResourceNotFoundException',
          });
        // A Lambda gets JSON and returns JSON: round-trip so nothing in-process leaks through. A function that carries
        // Chromium in AWS renders its documents itself here too (`rendersInProcess`).
        const role = byName.get(name);
        const invoke = async () =>
          JSON.parse(
            JSON.stringify((await runningFunction.run(role, () => fn(JSON.parse(JSON.stringify(payload))))) ?? null),
          );
        return options.aroundInvoke ? options.aroundInvoke(name, invoke) : invoke();
      },
    }),
    startLocalLambda({ host, functionOf, onAsyncError: (name, error) => log(`lambda ${name} gagal`, { error }) }),
  ]);

  const config = loadConfig({
    SEPAKAT_REGION: REGION,
    SEPAKAT_ENDPOINT_DYNAMODB: dynamodb.endpoint,
    SEPAKAT_ENDPOINT_S3: s3.endpoint,
    SEPAKAT_ENDPOINT_SFN: sfn.endpoint,
    SEPAKAT_ENDPOINT_SES: ses.endpoint,
    SEPAKAT_ENDPOINT_COGNITO: cognito.endpoint,
    SEPAKAT_COGNITO_USER_POOL_ID: cognito.userPoolId,
    SEPAKAT_COGNITO_CLIENT_ID: cognito.clientId,
    SEPAKAT_COGNITO_ISSUER: cognito.issuer,
    SEPAKAT_LOCAL_DEV_CREDENTIALS: 'true',
    SEPAKAT_TABLE_CASES: 'sepakat-kasus',
    SEPAKAT_TABLE_TASKS: 'sepakat-tugas',
    SEPAKAT_TABLE_HISTORY: 'sepakat-riwayat',
    SEPAKAT_TABLE_INTAKE: 'sepakat-permohonan',
    SEPAKAT_TABLE_LIMITS: 'sepakat-batas',
    ...Object.fromEntries(
      Object.entries(options.limits ?? {}).map(([k, v]) => [LIMIT_ENV[k as keyof IntakeLimits], String(v)]),
    ),
    SEPAKAT_BUCKET_INTAKE: 'sepakat-permohonan',
    SEPAKAT_BUCKET_DOCUMENTS: 'sepakat-dokumen',
    SEPAKAT_BUCKET_ARCHIVE: 'sepakat-arsip',
    SEPAKAT_TABLE_DOCUMENTS: 'sepakat-dokumen',
    SEPAKAT_TABLE_REGISTER: 'sepakat-register',
    SEPAKAT_TABLE_AGREEMENTS: 'sepakat-perjanjian',
    // Local development CA and per-official certificates, created on first start (never committed).
    SEPAKAT_DEV_PKI_DIR: join(dataDir, 'pki-pengembangan'),
    SEPAKAT_TSA_URL: tsa.url,
    SEPAKAT_TSA_CA_FILE: tsa.caFile,
    SEPAKAT_BSRE_URL: bsre.endpoint,
    ...(options.bsreTimeoutMs ? { SEPAKAT_BSRE_TIMEOUT_MS: String(options.bsreTimeoutMs) } : {}),
    SEPAKAT_BSRE_CLIENT_ID: bsre.clientId,
    SEPAKAT_BSRE_CLIENT_SECRET: bsre.clientSecret,
    // The local service's test CA, configured as the BSrE root the way a deployer configures BSrE's: its names say
    // "BSrE tiruan — bukan BSrE", so nothing it signs is labelled a certified TTE.
    SEPAKAT_BSRE_ROOTS_FILE: await writeBsreRoots(bsre, join(dataDir, 'bsre', 'akar-bsre.pem')),
    SEPAKAT_BSRE_IDENTITIES_FILE: join(dataDir, 'identitas-bsre.json'),
    SEPAKAT_ENDPOINT_KMS: kms.endpoint,
    SEPAKAT_ENDPOINT_LAMBDA: lambda.endpoint,
    SEPAKAT_RENDER_FUNCTION: RENDER_FUNCTION_NAME,
    SEPAKAT_STATE_MACHINE_ARN_PREFIX: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:`,
    SEPAKAT_PUBLIC_BASE_URL: options.publicBaseUrl ?? webUrl,
    SEPAKAT_MAIL_FROM: 'Sepakat <tidak-membalas@sepakat.test>',
    ...localKeys(dataDir),
    SEPAKAT_LINK_TTL_HOURS: String(options.linkTtlHours ?? 7 * 24),
    SEPAKAT_MAX_UPLOAD_BYTES: String(options.maxUploadBytes ?? 20 * 1024 * 1024),
    ...(options.maxEmailAttachmentBytes
      ? { SEPAKAT_MAX_EMAIL_ATTACHMENT_BYTES: String(options.maxEmailAttachmentBytes) }
      : {}),
    SEPAKAT_SOP_DIRS: sopDirs.join(','),
    SEPAKAT_CONFIG_DIR: configDir,
    SEPAKAT_TEMPLATES_DIR: join(PROJECT_ROOT, 'templates'),
  });
  const faults = faultsFor(options.fault);
  let schedule: DynamoDbScheduler | undefined;
  // Business metrics: counters of this process, each count a `metrik …` line of the log (EMF in AWS).
  const metrics = new LocalMetrics(logger);
  const app = buildApp(config, {
    clock,
    faults,
    metrics,
    rendersInProcess: () => CHROMIUM_FUNCTIONS.has(runningFunction.getStore() ?? ''),
    // The schedule of timed work lives in DynamoDB beside the cases (EventBridge Scheduler holds it in AWS).
    scheduler: (clients) => (schedule = new DynamoDbScheduler(clients.dynamodb, SCHEDULE_TABLE, { clock, faults })),
  });
  await ensureTables(app.clients.dynamodb, [
    ...tableDefinitions({
      cases: config.SEPAKAT_TABLE_CASES,
      tasks: config.SEPAKAT_TABLE_TASKS,
      history: config.SEPAKAT_TABLE_HISTORY,
    }),
    documentTableDefinition(config.SEPAKAT_TABLE_DOCUMENTS),
    ...registerTableDefinitions({ register: config.SEPAKAT_TABLE_REGISTER }),
    agreementTableDefinition(config.SEPAKAT_TABLE_AGREEMENTS),
    intakeTableDefinition(config.SEPAKAT_TABLE_INTAKE),
    limitTableDefinition(config.SEPAKAT_TABLE_LIMITS),
    scheduleTableDefinition(SCHEDULE_TABLE),
  ]);

  // One state machine per SOP version, compiled from the data and executed unchanged.
  const substitutions = Object.fromEntries(
    Object.entries(FunctionPlaceholders).map(([role, placeholder]) => [
      placeholder,
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION_NAMES[role as FunctionRole]}`,
    ]),
  );
  const compileOptions = { humanWaitSeconds: options.humanWaitSeconds ?? 7 * 24 * 3600 };
  const registered = new Set<string>();
  /** A state machine for each loaded version that has none yet (a loaded version never changes). */
  const registerVersions = () => {
    for (const sop of sopVersions(app.catalog)) {
      if (registered.has(sop.key)) continue;
      sfn.registerStateMachine(
        stateMachineName(sop.key),
        applySubstitutions(compileSop(sop, compileOptions), substitutions),
      );
      registered.add(sop.key);
    }
  };
  registerVersions();
  late.handlers = stepTaskHandlers(app, logger);
  // The render function, as in AWS: the app's own Chromium behind the ExportPrinter and LambdaRenderer contracts.
  // The App's renders go through it (SEPAKAT_RENDER_FUNCTION): each invocation's op is kept for the tests.
  const renderFunction = renderHandler({
    printer: app.localExportPrinter,
    renderer: () => app.localRenderer(),
    s3: app.clients.s3,
    bucket: config.SEPAKAT_BUCKET_DOCUMENTS,
  });
  late.render = (event) => {
    const { op, request } = (event ?? {}) as { op?: unknown; request?: { op?: unknown } };
    renderInvocations.push(String(op === 'document' ? (request?.op ?? 'document') : op));
    return renderFunction(event);
  };
  // The signing function, as in AWS: the app's own signer behind the LambdaSigner contract.
  late.signing = signingHandler({
    signer: app.providerSigner,
    s3: app.clients.s3,
    bucket: config.SEPAKAT_BUCKET_DOCUMENTS,
  });
  // The local outbox pages (/kotak-keluar): the emails the local SES kept, served before the product's handler.
  const outbox = createOutbox({ sesEndpoint: ses.endpoint, templatesDir: config.SEPAKAT_TEMPLATES_DIR });
  // The same Hono app as the http Lambda's, served by @hono/node-server (without replacing Node's Request/Response).
  const site = webApp(app);
  late.http = getRequestListener(site.fetch, {
    overrideGlobalObjects: false,
    errorHandler: (error) => log(`web: ${String(error)}`),
  });

  // S3 → Lambda, asynchronously and with retries, as AWS delivers object-created notifications.
  const onIntake = intakeHandler(app, logger);
  const inFlight = new Set<Promise<unknown>>();
  s3.onObjectCreated((event) => {
    const job = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await onIntake(event);
        } catch (error) {
          if (attempt >= 3) {
            log('intake gagal', { error });
            return undefined;
          }
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
    })();
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
  });

  let resumed: string[] = [];
  if (options.recover !== false) {
    // Permohonan whose S3 event was lost start now; those cases already have an execution, so skip them below.
    const started = (await app.intake.sweep()).flatMap((o) =>
      o.outcome === 'dimulai' && o.execution === 'started' ? [o.caseId] : [],
    );
    // Signatures being made in a POST when the previous process died may be made again (none was stored).
    await app.runtime.releaseSignatureClaims();
    resumed = await app.runtime.resumeAll('runtime-lokal-dimulai', new Set(started));
    // What a schedule does in AWS: numbers lost to a crash inside an allocation are voided with their reason.
    const swept = await late.handlers.sweepRegisters();
    if (swept.voided) log(`register: ${swept.voided} nomor yang alokasinya terputus dibatalkan`);
  }
  // What EventBridge Scheduler does in AWS: jobs due while the runtime was down fire now, then as they come due.
  const handlers = late.handlers;
  const scheduler = await startLocalScheduler({
    schedule: schedule!,
    // The job reaches the handler as JSON, as EventBridge Scheduler's target input reaches the Lambda.
    run: (job) => runningFunction.run('runSchedule', () => handlers.runSchedule(JSON.parse(JSON.stringify(job)))),
    clock,
    intervalMs: options.schedulerIntervalMs ?? 30_000,
    log,
  });
  // What the scheduled sweepIntake function does in AWS: every few minutes, one run at a time.
  let sweeping: Promise<unknown> | undefined;
  const sweepIntake = () =>
    (sweeping ??= handlers!.sweepIntake().finally(() => {
      sweeping = undefined;
    }));
  const sweepEvery = options.intakeSweepIntervalMs ?? 5 * 60_000;
  const sweepTimer =
    sweepEvery > 0
      ? setInterval(() => {
          sweepIntake().catch((error: unknown) => log('sapuan permohonan gagal', { error }));
        }, sweepEvery)
      : undefined;
  sweepTimer?.unref();
  // What the scheduled sweepStranded function does in AWS: every 15 minutes, one run at a time. (At start every active
  // case was resumed already.)
  let sweepingStranded: Promise<unknown> | undefined;
  const sweepStranded = () =>
    (sweepingStranded ??= handlers.sweepStranded().finally(() => {
      sweepingStranded = undefined;
    }));
  const strandedEvery = options.strandedSweepIntervalMs ?? 15 * 60_000;
  const strandedTimer =
    strandedEvery > 0
      ? setInterval(() => {
          sweepStranded().catch((error: unknown) => log('sapuan kasus terdampar gagal', { error }));
        }, strandedEvery)
      : undefined;
  strandedTimer?.unref();
  const urls = {
    web: webUrl,
    dynamodb: dynamodb.endpoint,
    s3: s3.endpoint,
    sfn: sfn.endpoint,
    ses: ses.endpoint,
    cognito: cognito.endpoint,
    kms: kms.endpoint,
    tsa: tsa.url,
    bsre: bsre.endpoint,
    lambda: lambda.endpoint,
  };
  writeFileSync(
    join(dataDir, 'runtime.json'),
    JSON.stringify(
      {
        pid: process.pid,
        urls,
        config: {
          ...config,
          SEPAKAT_LINK_KEY: undefined,
          SEPAKAT_CODE_KEY: undefined,
          SEPAKAT_SESSION_KEY: undefined,
          SEPAKAT_BSRE_CLIENT_SECRET: undefined,
        },
      },
      null,
      2,
    ),
  );
  await bsreUsers;
  const dataWatch = options.watch
    ? watchDataDirs({
        dirs: [...sopDirs, configDir],
        onChange: (files) => {
          log(`perubahan data terdeteksi (${files.join(', ')}); memuat ulang`);
          reload();
        },
        log,
      })
    : undefined;
  log(`Sepakat berjalan di ${webUrl} (data: ${dataDir}); ${resumed.length} kasus dilanjutkan`);

  /** The one reload path: `muat-ulang` (SIGHUP) and the watch both come here. */
  function reload(): ReloadResult {
    const result = app.catalog.reload();
    if (result.result === 'dimuat') {
      registerVersions();
      log(
        `data dimuat ulang: ${result.added.length ? `versi SOP baru ${result.added.join(', ')}` : 'tidak ada versi SOP baru'}; ${result.pemda.length ? `konfigurasi pemda berubah: ${result.pemda.join(', ')}` : 'konfigurasi pemda tidak berubah'}`,
      );
    } else log(`muat ulang ditolak; tidak ada yang diubah:\n${result.messages.join('\n')}`);
    return result;
  }

  async function serve(req: IncomingMessage, res: ServerResponse) {
    try {
      const http = late.http;
      if (!http) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('Sepakat sedang dimulai');
        return;
      }
      if (await outbox.handle(req, res)) return;
      await http(req, res);
    } catch (error) {
      log(`web: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Terjadi kesalahan');
    }
  }

  return {
    app,
    metrics,
    urls,
    renderInvocations,
    dataDir,
    bsre,
    resumed,
    reload,
    scheduler: { runDue: scheduler.runDue, store: schedule! },
    idle: async () => {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    sweepIntake,
    sweepStranded,
    failFunction: (role, error) => {
      if (error) failing.set(role, error);
      else failing.delete(role);
    },
    async close() {
      dataWatch?.close();
      if (sweepTimer) clearInterval(sweepTimer);
      if (strandedTimer) clearInterval(strandedTimer);
      await sweeping?.catch(() => undefined);
      await sweepingStranded?.catch(() => undefined);
      await scheduler.stop();
      await Promise.allSettled([...inFlight]);
      // Keep-alive connections would hold close() open until they time out: end them too.
      const closed = new Promise<void>((ok) => web.close(() => ok()));
      web.closeAllConnections();
      await closed;
      await sfn.close();
      await lambda.close();
      await app.close();
      await Promise.all([
        s3.close(),
        ses.close(),
        dynamodb.close(),
        cognito.close(),
        kms.close(),
        tsa.close(),
        bsre.close(),
      ]);
      app.clients.dynamodb.destroy();
      app.clients.s3.destroy();
      app.clients.sfn.destroy();
      app.clients.ses.destroy();
    },
  };
}

/** The local BSrE service's CA as a PEM file, where the product reads its configured BSrE roots. */
async function writeBsreRoots(bsre: LocalBsre, file: string): Promise<string> {
  await writeFile(file, toPem(await bsre.caCertificate(), 'CERTIFICATE'));
  return file;
}
