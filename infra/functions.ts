/**
 * The Lambda functions of Sepakat: one entry per deployed function, shared by the CDK stacks (infra/) and the
 * bundle-size report (bench/bundle-sizes.ts), so both bundle exactly the same code the same way.
 *
 * Every function is an ESM bundle (esbuild) of one export of `functions/lambda/*.ts`, on nodejs22.x. The SOP data,
 * the pemda configuration and the templates are copied beside the bundle (they are read at cold start); the
 * functions that render (openTask, document, runSchedule, render) also carry Chromium (@sparticuz/chromium, kept external and
 * shipped as a layer), the fonts and PDF.js (which draws page images in Chromium).
 */
import { METRIC_NAMESPACE } from '../core/metrics.ts';

export type FunctionId =
  | 'enterStep'
  | 'openTask'
  | 'automatic'
  | 'caseData'
  | 'finishCase'
  | 'continueCase'
  | 'document'
  | 'reconcile'
  | 'sweepRegisters'
  | 'sweepIntake'
  | 'sweepStranded'
  | 'runSchedule'
  | 'http'
  | 'intake'
  | 'signing'
  | 'render'
  | 'mailEvents';

export interface FunctionSpec {
  readonly id: FunctionId;
  /** Entry file, relative to the project root. */
  readonly entry: string;
  /** The export that is the handler. */
  readonly handler: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Needs Chromium (the @sparticuz/chromium layer) and the document fonts. */
  readonly chromium: boolean;
  readonly description: string;
  /**
   * Runs in the VPC, in private subnets whose egress leaves through the NAT gateway's Elastic IP (the fixed address
   * BSrE allows): the signing function only.
   */
  readonly inVpc?: boolean;
  /**
   * Its traces keep no response (POWERTOOLS_TRACER_CAPTURE_RESPONSE=false): `http` (pages and downloads with personal
   * data and capability links) and `signing` (the signed document's location). No trace keeps an event.
   */
  readonly untracedResponse?: boolean;
}

const step = (id: FunctionId, description: string, memoryMb = 256, timeoutSeconds = 30): FunctionSpec => ({
  id,
  entry: 'functions/lambda/step-tasks.ts',
  handler: id,
  memoryMb,
  timeoutSeconds,
  chromium: false,
  description,
});

export const FUNCTIONS: readonly FunctionSpec[] = [
  step('enterStep', 'Masuk: records the activation of a step'),
  {
    id: 'openTask',
    entry: 'functions/lambda/step-tasks.ts',
    handler: 'openTask',
    // A signing task's document is rendered (and its pages drawn) for its person before the email: Chromium, sized
    // like `document`.
    memoryMb: 2048,
    timeoutSeconds: 300,
    chromium: true,
    description: "Tunggu: opens the task, binds the person, renders a signing task's document, emails the link",
  },
  step('automatic', 'Automatic work: notifications, recorded failures'),
  // Its answer is a field of the case (personal data): no trace keeps it.
  { ...step('caseData', 'Gates: reads a case data field'), untracedResponse: true },
  step('finishCase', 'Hasil: closes the case and tells the pemohon'),
  step('continueCase', 'Lanjutkan: continues a bounded human wait in a new execution'),
  {
    id: 'document',
    entry: 'functions/lambda/step-tasks.ts',
    handler: 'document',
    // Chromium wants memory (and gets CPU with it); a naskah renders and signs in a few seconds when warm.
    memoryMb: 2048,
    timeoutSeconds: 300,
    chromium: true,
    description: 'Document work: render (Chromium), number, paraf, sign (PAdES), archive',
  },
  step('reconcile', 'Scheduled: reports decisions whose report failed', 256, 300),
  step('sweepRegisters', 'Scheduled: voids register numbers lost to an interrupted allocation', 256, 300),
  step(
    'sweepIntake',
    'Scheduled: finishes, expires and quarantines permohonan the intake events left behind',
    256,
    300,
  ),
  step('sweepStranded', 'Scheduled: continues active cases that have no running execution', 256, 300),
  {
    id: 'runSchedule',
    entry: 'functions/lambda/step-tasks.ts',
    handler: 'runSchedule',
    // The target of every one-time schedule: task reminders, and the monitoring of agreements, whose Laporan
    // Pelaksanaan and annual report are PDFs rendered in Chromium: sized and timed like `document`.
    memoryMb: 2048,
    timeoutSeconds: 300,
    chromium: true,
    description:
      'Timed work (EventBridge Scheduler): task reminders, agreement monitoring and its report PDFs (Chromium)',
  },
  {
    id: 'http',
    entry: 'functions/lambda/http.ts',
    handler: 'http',
    memoryMb: 512,
    timeoutSeconds: 29,
    chromium: false,
    description: 'HTTP API: action pages, staff console and archive, intake API, verification page',
    untracedResponse: true,
  },
  {
    id: 'intake',
    entry: 'functions/lambda/intake-events.ts',
    handler: 'intake',
    memoryMb: 512,
    timeoutSeconds: 60,
    chromium: false,
    description: 'S3 events of the intake bucket: checks a permohonan and starts its case',
  },
  {
    id: 'mailEvents',
    entry: 'functions/lambda/ses-events.ts',
    handler: 'mailEvents',
    memoryMb: 256,
    timeoutSeconds: 30,
    chromium: false,
    description: 'SES bounce and complaint events (configuration set → SNS): recorded on the case of the address',
  },
  {
    id: 'signing',
    entry: 'functions/lambda/signing.ts',
    handler: 'signing',
    // A PAdES signature is a few hashes and one signature (KMS, or BSrE's round trip, bounded at 20 seconds).
    memoryMb: 512,
    timeoutSeconds: 30,
    chromium: false,
    inVpc: true,
    untracedResponse: true,
    description:
      'Signing (invoked synchronously by http, openTask, document): the pemda provider (BSrE, KMS), from a fixed egress address',
  },
  {
    id: 'render',
    entry: 'functions/lambda/render-function.ts',
    handler: 'render',
    // The exports the http function prints (the register PDF) through a synchronous Invoke; the PDF goes back
    // through S3. Within http's 29 seconds, a cold Chromium start included.
    memoryMb: 2048,
    timeoutSeconds: 28,
    chromium: true,
    // Its answer may carry a rendered document inline (a GET's PDF or page images): no trace keeps it.
    untracedResponse: true,
    description: 'Render (invoked synchronously by http): prints exports such as the register PDF with Chromium',
  },
];

/**
 * Powertools' settings of a function (functions/lambda/bootstrap.ts): its metrics in the `Sepakat` namespace; X-Ray
 * tracing on, with outgoing HTTPS requests and errors (scrubbed of links, as in the log), and the response unless the
 * function's traces keep none (`untracedResponse`).
 */
export const powertoolsEnvironment = (spec: FunctionSpec): Record<string, string> => ({
  POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
  POWERTOOLS_TRACE_ENABLED: 'true',
  POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'true',
  POWERTOOLS_TRACER_CAPTURE_ERROR: 'true',
  POWERTOOLS_TRACER_CAPTURE_RESPONSE: spec.untracedResponse ? 'false' : 'true',
});

/**
 * What every bundle leaves out: Chromium comes in its layer. The AWS SDK is bundled (the versions tested here, not
 * whatever the runtime carries that day). Two modules no function runs on Node are left out too (about 60 KB of every
 * bundle): `bowser`, imported only by the AWS SDK's browser user agent (`import("bowser")` when the SDK runs in a
 * browser; on Node it uses its Node user agent), and `source-map`, which Handlebars' compiler requires in a try/catch
 * only to write source maps of templates (never asked for) and replaces with its own shim when it is absent.
 */
export const EXTERNAL_MODULES = ['@sparticuz/chromium', 'bowser', 'source-map'] as const;

/**
 * Directories copied beside every bundle (read at cold start: SEPAKAT_SOP_DIRS, _CONFIG_DIR, _TEMPLATES_DIR). Not
 * the whole of config/: config/pengguna holds the local development users and their passwords.
 */
export const DATA_DIRS = [
  'sops',
  'config/pemda',
  'config/calendar',
  'config/naskah',
  'config/sertifikat',
  'templates/email',
  'templates/pages',
  'templates/charts',
  'templates/exports',
] as const;

/**
 * The document templates: only a function that renders with Chromium reads them (the others have no browser to
 * render with; their bundles replace it with WITHOUT_CHROMIUM), so only those carry them.
 */
export const DOCUMENT_TEMPLATES = 'templates/documents';

/** esbuild options of every bundle (NodejsFunction's `bundling` and the bundle-size report use these). */
export const ESBUILD = {
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  sourcemap: false,
  // ESM bundles of CommonJS dependencies need a require().
  banner:
    "import { createRequire as __sepakatCreateRequire } from 'node:module'; const require = __sepakatCreateRequire(import.meta.url);",
} as const;

/**
 * The browser stack (puppeteer-core, @sparticuz/chromium) is reachable from every entry point, because `buildApp`
 * wires the renderer for all of them; only the functions marked `chromium` (openTask, document, runSchedule) ever launch
 * it.
 * In every other bundle esbuild replaces both modules with `WITHOUT_CHROMIUM` (a stub that fails loudly if called),
 * which keeps those bundles under 1 MB zipped and lets them load without the Chromium layer (an external
 * `@sparticuz/chromium` import would otherwise fail at cold start with ERR_MODULE_NOT_FOUND).
 */
export const CHROMIUM_MODULES = ['puppeteer-core', '@sparticuz/chromium'] as const;
export const WITHOUT_CHROMIUM = 'infra/bundling/without-chromium.ts';

/** zod without its 50 locales (infra/bundling/zod/without-locales.ts): about 260 KB less in every bundle. */
export const ZOD_WITHOUT_LOCALES = 'infra/bundling/zod';

/** semver as aws-xray-sdk-core (Powertools' Tracer) uses it: `gte` alone (infra/bundling/semver-gte.ts). */
export const SEMVER_GTE = 'infra/bundling/semver-gte.ts';

/** AWS SDK clients bundled from their ES modules (package.json "module", `dist-es/`), so unused operations go. */
export const ESM_CLIENTS = [
  '@aws-sdk/client-lambda',
  '@aws-sdk/client-cognito-identity-provider',
  '@aws-sdk/client-kms',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-sfn',
  '@aws-sdk/client-sesv2',
  '@aws-sdk/client-s3',
  // With its document client: the CommonJS lib-dynamodb would require the whole client, every operation.
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/lib-dynamodb',
  '@aws-sdk/client-scheduler',
] as const;

/** esbuild `alias` of a function's bundle (absolute paths under `root`, the project root). */
export const aliasesOf = (spec: FunctionSpec, root: string): Record<string, string> => ({
  zod: `${root}/${ZOD_WITHOUT_LOCALES}`,
  semver: `${root}/${SEMVER_GTE}`,
  // These clients' ES modules instead of their one CommonJS file of every operation: only the operations called are
  // kept (Invoke; the sign-in operations; Sign and GetPublicKey; GetSecretValue; the executions and SendEmail; the S3 object operations), which keeps the http bundle under 1 MB zipped.
  ...Object.fromEntries(ESM_CLIENTS.map((c) => [c, `${root}/node_modules/${c}/dist-es/index.js`])),
  ...(spec.chromium ? {} : Object.fromEntries(CHROMIUM_MODULES.map((m) => [m, `${root}/${WITHOUT_CHROMIUM}`]))),
});

/**
 * The fonts functions/render/fonts.ts resolves with `require.resolve('@fontsource/<family>/files/…woff2')` from the
 * bundle: each package's package.json (its "exports" map) and its woff2 files. Only the `chromium` functions render.
 */
export const FONT_PACKAGES = ['@fontsource/tinos', '@fontsource/arimo'] as const;

/**
 * PDF.js as functions/render/page-images.ts resolves it (`import.meta.resolve('unpdf/pdfjs')`) from the bundle: the
 * package's package.json (its "exports" map) and the one file it names.
 */
export const PDFJS_FILES = ['node_modules/unpdf/package.json', 'node_modules/unpdf/dist/pdfjs.mjs'] as const;

/**
 * What is copied beside a function's bundle, as paths relative to the project root that keep their place relative
 * to the bundle: the data directories, and for the `chromium` functions the font files and PDF.js.
 */
export function besideBundle(spec: FunctionSpec, root: string, listDir: (dir: string) => string[]): string[] {
  const fonts = spec.chromium
    ? FONT_PACKAGES.flatMap((pkg) => [
        `node_modules/${pkg}/package.json`,
        ...listDir(`${root}/node_modules/${pkg}/files`)
          .filter((f) => f.endsWith('.woff2'))
          .sort()
          .map((f) => `node_modules/${pkg}/files/${f}`),
      ])
    : [];
  return [
    ...DATA_DIRS,
    ...(spec.chromium ? [DOCUMENT_TEMPLATES] : []),
    ...fonts,
    ...(spec.chromium ? PDFJS_FILES : []),
  ];
}
