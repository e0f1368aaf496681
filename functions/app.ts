import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Intake } from '../core/case/intake.ts';
import { noFaults, type Clock, type Faults } from '../core/case/model.ts';
import { CaseRuntime, type RuntimeDeps } from '../core/case/runtime.ts';
import { TaskActions } from '../core/case/task-actions.ts';
import { loadCatalog, type Catalog } from './adapters/catalog.ts';
import { DynamoDbCaseStore } from './adapters/dynamodb-case-store.ts';
import { S3FileStore } from './adapters/s3-file-store.ts';
import { SesMailer } from './adapters/ses-mailer.ts';
import { SfnPort } from './adapters/sfn-port.ts';
import { Templates } from './adapters/templates.ts';
import { mailDomainOf, stateMachineName, type Config } from './config.ts';

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
  store: DynamoDbCaseStore;
  files: S3FileStore;
  clients: { dynamodb: DynamoDBClient; s3: S3Client; sfn: SFNClient; ses: SESv2Client };
}

/** Wires the use cases to the real AWS SDK clients. Only the configuration decides which world they talk to. */
export function buildApp(config: Config, options: { clock?: Clock; faults?: Faults } = {}): App {
  const local = config.SEPAKAT_LOCAL_DEV_CREDENTIALS === 'true';
  const base = { region: config.SEPAKAT_REGION, ...(local ? { credentials: LOCAL_DEVELOPMENT_CREDENTIALS } : {}) };
  const s3Config = (endpoint?: string): S3ClientConfig => ({
    ...base,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // s3rver corrupts streamed uploads with the SDK's default checksums; real S3 accepts these settings too.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const clients = {
    dynamodb: new DynamoDBClient({
      ...base,
      ...(config.SEPAKAT_ENDPOINT_DYNAMODB ? { endpoint: config.SEPAKAT_ENDPOINT_DYNAMODB } : {}),
    }),
    s3: new S3Client(s3Config(config.SEPAKAT_ENDPOINT_S3)),
    // disableHostPrefix: otherwise the SDK prefixes the host ("sync-…") for some operations, even on a custom endpoint.
    sfn: new SFNClient({
      ...base,
      ...(config.SEPAKAT_ENDPOINT_SFN ? { endpoint: config.SEPAKAT_ENDPOINT_SFN, disableHostPrefix: true } : {}),
    }),
    ses: new SESv2Client({
      ...base,
      ...(config.SEPAKAT_ENDPOINT_SES ? { endpoint: config.SEPAKAT_ENDPOINT_SES } : {}),
    }),
  };
  const presignS3 = config.SEPAKAT_ENDPOINT_S3_PUBLIC
    ? new S3Client(s3Config(config.SEPAKAT_ENDPOINT_S3_PUBLIC))
    : clients.s3;
  const catalog = loadCatalog({
    sopDirs: config.SEPAKAT_SOP_DIRS.split(',').map((d) => d.trim()),
    configDir: config.SEPAKAT_CONFIG_DIR,
  });
  const templates = new Templates(config.SEPAKAT_TEMPLATES_DIR, config.SEPAKAT_PUBLIC_BASE_URL);
  const store = new DynamoDbCaseStore(clients.dynamodb, {
    cases: config.SEPAKAT_TABLE_CASES,
    tasks: config.SEPAKAT_TABLE_TASKS,
    history: config.SEPAKAT_TABLE_HISTORY,
  });
  const files = new S3FileStore(clients.s3, presignS3);
  const deps: RuntimeDeps = {
    store,
    sfn: new SfnPort(clients.sfn),
    mailer: new SesMailer(clients.ses, config.SEPAKAT_MAIL_FROM),
    clock: options.clock ?? { now: () => new Date() },
    faults: options.faults ?? noFaults,
    sops: catalog.sops,
    pemda: (id) => catalog.pemda(id),
    emails: templates,
    linkKey: config.SEPAKAT_LINK_KEY,
    publicBaseUrl: config.SEPAKAT_PUBLIC_BASE_URL,
    linkTtlHours: config.SEPAKAT_LINK_TTL_HOURS,
    stateMachineArn: (sopKey) => `${config.SEPAKAT_STATE_MACHINE_ARN_PREFIX}${stateMachineName(sopKey)}`,
    mailDomain: mailDomainOf(config.SEPAKAT_MAIL_FROM),
  };
  const runtime = new CaseRuntime(deps);
  return {
    config,
    catalog,
    templates,
    runtime,
    actions: new TaskActions(
      {
        ...deps,
        files,
        documentsBucket: config.SEPAKAT_BUCKET_DOCUMENTS,
        maxUploadBytes: config.SEPAKAT_MAX_UPLOAD_BYTES,
      },
      runtime,
    ),
    intake: new Intake(
      { ...deps, files, intakeBucket: config.SEPAKAT_BUCKET_INTAKE, maxUploadBytes: config.SEPAKAT_MAX_UPLOAD_BYTES },
      runtime,
    ),
    store,
    files,
    clients,
  };
}
