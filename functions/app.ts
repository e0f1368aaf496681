import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { Intake } from '../core/case/intake.ts';
import { CaseAdmin } from '../core/case/case-admin.ts';
import { noFaults, type Clock, type Faults, type Scheduler } from '../core/case/model.ts';
import { CaseRuntime, type RuntimeDeps } from '../core/case/case-runtime.ts';
import { TaskActions } from '../core/case/task-actions.ts';
import { MailEvents } from '../core/case/mail-events.ts';
import { loadCatalog, type Catalog } from './adapters/catalog.ts';
import { systemClock } from './adapters/clock.ts';
import { DynamoDbCaseStore } from './adapters/dynamodb-case-store.ts';
import { awsClients } from './adapters/aws-clients.ts';
import { S3FileStore } from './adapters/s3-file-store.ts';
import { SesMailer } from './adapters/ses-mailer.ts';
import { SfnPort } from './adapters/sfn-port.ts';
import { Templates } from './adapters/page-templates.ts';
import { useChartTemplates } from './analytics/charts.ts';
import { DynamoDbDocumentStore } from './adapters/document-store.ts';
import { DynamoDbRegisterStore } from './adapters/register-store.ts';
import { DocumentActions } from '../core/documents/document-actions.ts';
import type { CaseDocumentContext } from '../core/documents/assemble.ts';
import type { CaseRecord } from '../core/case/model.ts';
import { jenisNaskahOf, outlineValues } from '../core/naskah/render-view.ts';
import { NaskahDrafts } from '../core/naskah/drafts.ts';
import { NaskahVersions } from '../core/naskah/versions.ts';
import { CompletionPackage } from '../core/documents/completion-package.ts';
import { Archive } from '../core/documents/archive-search.ts';
import { sweepRegisters } from '../core/register/sweep-registers.ts';
import { sweepStranded } from '../core/case/stranded.ts';
import { Agreements } from '../core/agreement/agreements.ts';
import { CalendarImport } from '../core/calendar/calendar-import.ts';
import { S3CalendarYearStore } from './adapters/calendar-store.ts';
import type { Log } from './observability/log.ts';
import { caseDimensions, noMetrics, type Metrics } from '../core/metrics.ts';
import { DynamoDbAgreementStore } from './adapters/agreement-store.ts';
import { indukLookup } from './agreements/induk-lookup.ts';
import { DynamoDbIntakeStore, DynamoDbRateLimiter } from './adapters/intake-store.ts';
import type { RateLimiter } from '../core/case/intake-model.ts';
import { executionNameForIntake } from '../core/case/intake.ts';
import { START_POSITION } from '../core/sop/compile-sop.ts';
import { createRenderer, type Renderer } from './render/renderer.ts';
import { InProcessExportPrinter, LambdaExportPrinter, type ExportPrinter } from './render/export-printing.ts';
import { LambdaRenderer } from './render/lambda-renderer.ts';
import type { SigningKeys } from './signing/signer.ts';
import { buildSigning } from './signing/signing-setup.ts';
import { LambdaSigner } from './signing/lambda-signer.ts';
import type { Renderer as DocumentRenderer, Signer } from '../core/ports.ts';
import { CognitoIdentity } from './adapters/cognito-identity.ts';
import { cognitoSettings, mailDomainOf, requireKey, stateMachineName, type Config } from './config.ts';

/** Marked local-development keys: the local services accept any signature. Never used in AWS. */
export const LOCAL_DEVELOPMENT_CREDENTIALS = {
  accessKeyId: 'local-development',
  secretAccessKey: 'local-development',
} as const;

export interface App {
  config: Config;
  catalog: Catalog;
  templates: Templates;
  runtime: CaseRuntime;
  actions: TaskActions;
  intake: Intake;
  /** The abuse counters of the public paths (the intake, the verification page's uploads). */
  limiter: RateLimiter;
  /** Withdrawal, cancellation, reassignment and delegation of running cases. */
  caseAdmin: CaseAdmin;
  store: DynamoDbCaseStore;
  files: S3FileStore;
  documents: DynamoDbDocumentStore;
  /** The register of numbers of a pemda (its series from config/pemda). */
  register(pemdaId: string): DynamoDbRegisterStore;
  /**
   * Where this App's documents are rendered: through the render function when SEPAKAT_RENDER_FUNCTION names one (the
   * `http` function in AWS, which carries no Chromium, and the embedded default through its local Lambda service;
   * `LambdaRenderer`, PDFs and page images back through the documents bucket's scratch prefix), else this process's
   * Chromium (`localRenderer`).
   */
  renderer(): DocumentRenderer;
  /**
   * What a GET renders with (a GET never writes): the same, but the request and the answer travel in the invocation's
   * payload only (at most 5 MB, checked; larger is refused), so no scratch object is written.
   */
  viewRenderer(): DocumentRenderer;
  /** This process's Chromium renderer, launched on first use and kept warm: what the render function hosts. */
  localRenderer(): Renderer;
  /**
   * Prints exports (the register PDF) where Chromium is: through the render function when SEPAKAT_RENDER_FUNCTION
   * names one (the `http` function in AWS, and the embedded default through its local Lambda service), else with
   * this process's renderer. The PDF is left under the documents bucket's scratch prefix.
   */
  exportPrinter: ExportPrinter;
  /** The printer of this process's own renderer: what the render function hosts (functions/lambda/render-function.ts). */
  localExportPrinter: ExportPrinter;
  /** Signers and trust anchors: the local development CA, or (in AWS) KMS + Secrets Manager. */
  keys(): Promise<SigningKeys>;
  /**
   * The signer that makes signatures in this process: what the signing function hosts
   * (functions/lambda/signing.ts). The use cases sign through it too, unless SEPAKAT_SIGNING_FUNCTION sends them to
   * that function.
   */
  providerSigner: Signer;
  /** The clock the use cases run on (injected in tests). */
  runtimeClock: Clock;
  /** Where timed work (reminders) is scheduled; absent where nothing is scheduled. */
  scheduler?: Scheduler;
  /** Agreements after signing: status, links, monitoring (reports, monev, expiry), the annual report. */
  agreements: Agreements;
  /** Imported holiday years: the import of a year (console, CLI) and their refresh in every process. */
  calendars: CalendarImport;
  /** Document work of automatic steps: generate, number, paraf, sign, the partner's copy, archive, register. */
  documentWork: DocumentActions;
  /** The drafting of naskah by pasal: content versions, the editor's operations (core/naskah). */
  drafts: NaskahDrafts;
  /** The completion package: the signed naskah and its sealed Lembar Riwayat Penandatanganan to every party. */
  completion: CompletionPackage;
  /** The archive: search by number, partner, perihal, year, status; downloads through short-lived, logged links. */
  archive: Archive;
  /** The scheduled repair of every pemda's register (holes voided as "alokasi terputus"). */
  sweepRegisters(): ReturnType<typeof sweepRegisters>;
  /** The scheduled sweep of active cases with no running execution (core/case/stranded.ts). */
  sweepStranded(options?: { graceMs?: number }): ReturnType<typeof sweepStranded>;
  /** Staff sign-in (Cognito user pool; cognito-local on the embedded default); absent when not configured. */
  identity?: CognitoIdentity;
  /** Business metrics (core/metrics.ts): EMF lines in AWS, counters in the log on the embedded default. */
  metrics: Metrics;
  /** SES bounce and complaint events recorded on the cases of the address (the mailEvents function). */
  mailEvents: MailEvents;
  /** Releases what the app holds (the browser). */
  close(): Promise<void>;
  clients: { dynamodb: DynamoDBClient; s3: S3Client; sfn: SFNClient; ses: SESv2Client };
}

export interface BuildOptions {
  clock?: Clock;
  faults?: Faults;
  /**
   * The scheduler of timed work, made from the app's clients: the durable local scheduler on the embedded default
   * (local/runtime.ts), EventBridge Scheduler in AWS (functions/adapters/eventbridge-scheduler.ts).
   */
  scheduler?: (clients: App['clients']) => Scheduler;
  /**
   * The structured log of the process (functions/observability/log.ts), passed in by the entry point that owns it:
   * importing Powertools here would put it in every bundle, the http one over its 1 MB. Without it, one JSON line
   * on stderr, as before.
   */
  log?: Pick<Log, 'error'>;
  /** Business metrics by pemda and SOP (functions/observability/emf-metrics.ts); none counted when absent. */
  metrics?: Metrics;
  /**
   * Traces an AWS SDK client's calls: X-Ray through Powertools' Tracer in the Lambdas (functions/lambda/bootstrap.ts),
   * passed in like the log; every client the app makes goes through it. Clients stay as they are when absent.
   */
  captureClient?: <T>(client: T) => T;
  /**
   * Whether the work running now is a function that carries Chromium itself (openTask, document, runSchedule in AWS,
   * infra/functions.ts): its documents are rendered in this process even where SEPAKAT_RENDER_FUNCTION names a render
   * function. The embedded default runs every function in one App and tells them apart here; in AWS each function is
   * its own process, and only the one without Chromium is given SEPAKAT_RENDER_FUNCTION.
   */
  rendersInProcess?: () => boolean;
}

/** Wires the use cases to the real AWS SDK clients. Only the configuration decides which world they talk to. */
export function buildApp(config: Config, options: BuildOptions = {}): App {
  const local = config.SEPAKAT_LOCAL_DEV_CREDENTIALS === 'true';
  const base = { region: config.SEPAKAT_REGION, ...(local ? { credentials: LOCAL_DEVELOPMENT_CREDENTIALS } : {}) };
  // One set of clients per configuration in the process (functions/adapters/aws-clients.ts).
  const made = awsClients({
    region: config.SEPAKAT_REGION,
    ...(local ? { credentials: LOCAL_DEVELOPMENT_CREDENTIALS } : {}),
    endpoints: {
      dynamodb: config.SEPAKAT_ENDPOINT_DYNAMODB,
      s3: config.SEPAKAT_ENDPOINT_S3,
      s3Public: config.SEPAKAT_ENDPOINT_S3_PUBLIC,
      sfn: config.SEPAKAT_ENDPOINT_SFN,
      ses: config.SEPAKAT_ENDPOINT_SES,
      lambda: config.SEPAKAT_ENDPOINT_LAMBDA,
    },
    // X-Ray captures each client once, as it is made (functions/lambda/bootstrap.ts; none locally).
    ...(options.captureClient ? { capture: options.captureClient } : {}),
  });
  const capture = <T>(client: T): T => (options.captureClient ? options.captureClient(client) : client);
  const clients = { dynamodb: made.dynamodb, s3: made.s3, sfn: made.sfn, ses: made.ses };
  const presignS3 = made.presignS3;
  // The abuse counters of the public paths (per hashed caller address; the limits table, with TTL).
  const limiter = new DynamoDbRateLimiter(clients.dynamodb, config.SEPAKAT_TABLE_LIMITS);
  const catalog = loadCatalog({
    sopDirs: config.SEPAKAT_SOP_DIRS.split(',').map((d) => d.trim()),
    configDir: config.SEPAKAT_CONFIG_DIR,
  });
  const templates = new Templates(config.SEPAKAT_TEMPLATES_DIR, config.SEPAKAT_PUBLIC_BASE_URL);
  useChartTemplates(join(config.SEPAKAT_TEMPLATES_DIR, 'charts'));
  const store = new DynamoDbCaseStore(clients.dynamodb, {
    cases: config.SEPAKAT_TABLE_CASES,
    tasks: config.SEPAKAT_TABLE_TASKS,
    history: config.SEPAKAT_TABLE_HISTORY,
  });
  const files = new S3FileStore(clients.s3, presignS3);
  const metrics = options.metrics ?? noMetrics;
  const deps: RuntimeDeps = {
    store,
    sfn: new SfnPort(clients.sfn),
    mailer: new SesMailer(clients.ses, config.SEPAKAT_MAIL_FROM, options.clock ?? systemClock),
    clock: options.clock ?? systemClock,
    faults: options.faults ?? noFaults,
    sops: catalog.sops,
    pemda: (id) => catalog.pemda(id),
    emails: templates,
    linkKey: () => requireKey(config, 'SEPAKAT_LINK_KEY'),
    publicBaseUrl: config.SEPAKAT_PUBLIC_BASE_URL,
    linkTtlHours: config.SEPAKAT_LINK_TTL_HOURS,
    stateMachineArn: (sopKey) => `${config.SEPAKAT_STATE_MACHINE_ARN_PREFIX}${stateMachineName(sopKey)}`,
    mailDomain: mailDomainOf(config.SEPAKAT_MAIL_FROM),
    metrics,
    ...(options.scheduler ? { scheduler: options.scheduler(clients) } : {}),
  };
  const documents = new DynamoDbDocumentStore(
    clients.dynamodb,
    clients.s3,
    config.SEPAKAT_TABLE_DOCUMENTS,
    presignS3,
    config.SEPAKAT_BUCKET_ARCHIVE,
  );
  // Keyed by the directory it was made from: a reload that changes a pemda's numbering makes a new one.
  const registers = new WeakMap<object, DynamoDbRegisterStore>();
  const register = (pemdaId: string) => {
    const directory = catalog.pemda(pemdaId).directory.data;
    let found = registers.get(directory);
    if (!found) {
      found = new DynamoDbRegisterStore(
        clients.dynamodb,
        { register: config.SEPAKAT_TABLE_REGISTER },
        {
          pemdaId,
          numbering: directory.penomoran,
          clock: deps.clock,
          timeZone: directory.pemda.jamKerja.timeZone,
        },
      );
      registers.set(directory, found);
    }
    return found;
  };
  let renderer: Renderer | undefined;
  const getRenderer = () =>
    (renderer ??= createRenderer({
      templateDir: join(config.SEPAKAT_TEMPLATES_DIR, 'documents'),
      ...(config.SEPAKAT_CHROMIUM_PATH ? { executablePath: config.SEPAKAT_CHROMIUM_PATH } : {}),
    }));
  // Each pemda signs through its provider (config/pemda tandaTangan); verification trusts every configured anchor.
  const signing = buildSigning({
    config,
    settings: (pemdaId) => catalog.pemda(pemdaId).directory.data.tandaTangan,
    pemdaIds: () => catalog.pemdaIds(),
    pemdaName: (pemdaId) => catalog.pemda(pemdaId).directory.data.pemda.nama,
    clock: deps.clock,
    aws: base,
    ...(options.captureClient ? { captureClient: options.captureClient } : {}),
  });
  const localExportPrinter = new InProcessExportPrinter({
    renderer: getRenderer,
    s3: clients.s3,
    bucket: config.SEPAKAT_BUCKET_DOCUMENTS,
  });
  // The render function, where one is named: exports, documents and page images are rendered there.
  const renderFunction = config.SEPAKAT_RENDER_FUNCTION && {
    lambda: made.lambda(),
    functionName: config.SEPAKAT_RENDER_FUNCTION,
  };
  const exportPrinter = renderFunction ? new LambdaExportPrinter(renderFunction) : localExportPrinter;
  const scratch = { s3: clients.s3, bucket: config.SEPAKAT_BUCKET_DOCUMENTS };
  const lambdaRenderer = renderFunction && new LambdaRenderer({ ...renderFunction, ...scratch, reply: 's3' });
  const viewRenderer = renderFunction && new LambdaRenderer({ ...renderFunction, ...scratch, reply: 'inline' });
  const appRenderer = (): DocumentRenderer =>
    lambdaRenderer && !options.rendersInProcess?.() ? lambdaRenderer : getRenderer();
  const drafts = naskahDrafts(store, catalog);
  // What document work and the completion package both stand on: the stores, the renderer, the signer, the catalog.
  const documentPorts = {
    store,
    drafts,
    documents,
    register,
    renderer: appRenderer,
    signer: signingFunctionSigner(config, made.lambda, clients.s3, signing.signer) ?? signing.signer,
    pemda: (id: string) => catalog.pemda(id),
    sops: catalog.sops,
    clock: deps.clock,
    publicBaseUrl: config.SEPAKAT_PUBLIC_BASE_URL,
  };
  const documentWork = new DocumentActions({
    ...documentPorts,
    files,
    buckets: { documents: config.SEPAKAT_BUCKET_DOCUMENTS, archive: config.SEPAKAT_BUCKET_ARCHIVE },
    maxUploadBytes: config.SEPAKAT_MAX_UPLOAD_BYTES,
    faults: deps.faults,
    metrics,
    onNaskahRegistered: (caseId) => agreements.registerCase(caseId),
    completion: { send: (input) => completion.send(input) },
  });
  deps.documents = documentWork;
  const runtime = new CaseRuntime(deps);
  const completion: CompletionPackage = new CompletionPackage({
    ...documentPorts,
    linkKey: deps.linkKey,
    documentsBucket: config.SEPAKAT_BUCKET_DOCUMENTS,
    sendOnce: (caseId, eventKey, mail) => runtime.sendOnce(caseId, eventKey, mail),
    maxAttachmentBytes: config.SEPAKAT_MAX_EMAIL_ATTACHMENT_BYTES,
    faults: deps.faults,
  });
  const agreements: Agreements = new Agreements({
    store: new DynamoDbAgreementStore(clients.dynamodb, config.SEPAKAT_TABLE_AGREEMENTS),
    cases: store,
    documents,
    renderer: appRenderer,
    mailer: deps.mailer,
    emails: templates,
    clock: deps.clock,
    ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
    pemda: (id) => catalog.pemda(id),
    sops: catalog.sops,
    linkKey: deps.linkKey,
    publicBaseUrl: config.SEPAKAT_PUBLIC_BASE_URL,
    mailDomain: deps.mailDomain,
    documentsBucket: config.SEPAKAT_BUCKET_DOCUMENTS,
    startCase: async (record) => {
      const started = await runtime.startExecution(record, executionNameForIntake(record.intakeId), {
        node: START_POSITION,
        seq: 0,
      });
      if (started === 'started') runtime.metrics.count('CasesStarted', caseDimensions(record));
      return started;
    },
    reportError: (message, { itemId, error }) =>
      options.log
        ? options.log.error(message, { itemId, error } as Parameters<Log['error']>[1])
        : console.error(JSON.stringify({ level: 'error', message, laporan: itemId, error: String(error) })),
  });
  const cognito = cognitoSettings(config);
  const identity =
    cognito &&
    new CognitoIdentity({
      client: capture(
        new CognitoIdentityProviderClient({
          ...base,
          ...(cognito.endpoint ? { endpoint: cognito.endpoint } : {}),
        }),
      ),
      settings: cognito,
      known: {
        pemda: (id) => catalog.pemdaIds().includes(id),
        person: (pemdaId, personId) => catalog.pemda(pemdaId).directory.data.people.some((p) => p.id === personId),
      },
    });
  return {
    config,
    catalog,
    templates,
    runtime,
    actions: new TaskActions(
      {
        ...deps,
        codeKey: () => requireKey(config, 'SEPAKAT_CODE_KEY'),
        files,
        documentsBucket: config.SEPAKAT_BUCKET_DOCUMENTS,
        maxUploadBytes: config.SEPAKAT_MAX_UPLOAD_BYTES,
        drafts,
        numberInUse: async (pemdaId, text) => {
          const entry = await register(pemdaId).get(text);
          return entry ? { ...(entry.caseId ? { caseId: entry.caseId } : {}) } : undefined;
        },
      },
      runtime,
    ),
    limiter,
    intake: new Intake(
      {
        ...deps,
        files,
        intakeBucket: config.SEPAKAT_BUCKET_INTAKE,
        maxUploadBytes: config.SEPAKAT_MAX_UPLOAD_BYTES,
        intakes: new DynamoDbIntakeStore(clients.dynamodb, config.SEPAKAT_TABLE_INTAKE),
        limiter,
        limits: {
          preparePerSourcePerHour: config.SEPAKAT_LIMIT_PERMOHONAN_PER_JAM,
          mailsPerAddressPerDay: config.SEPAKAT_LIMIT_EMAIL_PER_ALAMAT_PER_HARI,
          mailsPerSourcePerDay: config.SEPAKAT_LIMIT_EMAIL_PER_SUMBER_PER_HARI,
        },
        indukOf: indukLookup(register, agreements),
      },
      runtime,
    ),
    caseAdmin: new CaseAdmin(deps, runtime),
    store,
    files,
    documents,
    register,
    renderer: appRenderer,
    viewRenderer: () => viewRenderer || getRenderer(),
    localRenderer: getRenderer,
    exportPrinter,
    localExportPrinter,
    keys: signing.keys,
    providerSigner: signing.signer,
    runtimeClock: deps.clock,
    agreements,
    calendars: new CalendarImport({
      store: new S3CalendarYearStore(clients.s3, config.SEPAKAT_BUCKET_DOCUMENTS),
      apply: (imported) => catalog.useImportedYears(imported),
      redate: async (tahun) => ({
        tugas: await runtime.redateProvisionalTasks(tahun),
        perjanjian: await agreements.redateProvisional(tahun, catalog.pemdaIds()),
      }),
      clock: deps.clock,
    }),
    documentWork,
    drafts,
    completion,
    archive: new Archive({
      documents,
      register,
      store,
      clock: deps.clock,
      timeZone: (pemdaId) => catalog.pemda(pemdaId).directory.data.pemda.jamKerja.timeZone,
    }),
    sweepRegisters: () => sweepRegisters({ pemdaIds: () => catalog.pemdaIds(), register, clock: deps.clock }),
    sweepStranded: async (options) => {
      const result = await sweepStranded(
        {
          store: deps.store,
          sfn: deps.sfn,
          clock: deps.clock,
          stateMachineArn: (sopKey) => deps.stateMachineArn(sopKey),
          resume: (caseId, reason) => runtime.resumeCase(caseId, reason),
        },
        options,
      );
      // Every sweep reports its count, 0 included, so the StrandedCases alarm sees data (infra/stateless-stack.ts).
      metrics.count('StrandedCases', undefined, result.found);
      return result;
    },
    ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
    ...(identity ? { identity } : {}),
    metrics: runtime.metrics,
    mailEvents: new MailEvents({ store, clock: deps.clock, metrics }),
    async close() {
      identity?.destroy();
      await renderer?.close();
      renderer = undefined;
    },
    clients,
  };
}

/** The drafting of naskah by pasal over a case store and the catalog's outlines and pemda. */
export function naskahDrafts(
  store: ConstructorParameters<typeof NaskahVersions>[0],
  catalog: Pick<Catalog, 'outlines' | 'pemda' | 'sops'>,
): NaskahDrafts {
  // The case's kind: chosen by an official (`naskah-jenis`), else declared by its SOP (`naskah.jenis`).
  const jenisOf = (record: CaseRecord) =>
    jenisNaskahOf(record, (id) => catalog.outlines.has(id), catalog.sops.get(record.sopKey).definition.naskah?.jenis);
  return new NaskahDrafts({
    versions: new NaskahVersions(store),
    outlines: catalog.outlines,
    jenisOf,
    // The outline's values read only the case (its data, perihal, pemohon) and the pemda's name.
    valuesOf: (record) =>
      outlineValues(catalog.outlines.get(jenisOf(record)), {
        ...record,
        pemda: { nama: catalog.pemda(record.pemdaId).directory.data.pemda.nama },
      } as unknown as CaseDocumentContext),
  });
}

/**
 * Signing in AWS (SEPAKAT_SIGNING_FUNCTION): the provider operations go to the signing function, which runs in the
 * VPC with the fixed egress address (functions/signing/lambda-signer.ts); signatures are read and countersignatures
 * checked here, on the trust anchors of the in-process signer. Undefined when this process signs itself.
 */
function signingFunctionSigner(
  config: Config,
  lambda: () => LambdaClient,
  s3: S3Client,
  verifier: Signer,
): Signer | undefined {
  if (!config.SEPAKAT_SIGNING_FUNCTION) return undefined;
  return new LambdaSigner({
    lambda: lambda(),
    functionName: config.SEPAKAT_SIGNING_FUNCTION,
    s3,
    bucket: config.SEPAKAT_BUCKET_DOCUMENTS,
    verifier,
  });
}
