import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CfnOutput, Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { CfnEIP } from 'aws-cdk-lib/aws-ec2';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectLockRetention,
  ObjectOwnership,
  type CorsRule,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  AccountRecovery,
  CfnUserPool,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  UserPoolEmail,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { mailDomainOf } from '../functions/config.ts';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { ConfigurationSet, ConfigurationSetTlsPolicy, EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { IDENTITY_ATTRIBUTES } from '../core/access/claims.ts';
import { acknowledge } from './nag.ts';
import type { Construct } from 'constructs';
import { documentTableDefinition } from '../functions/adapters/document-store.ts';
import { agreementTableDefinition } from '../functions/adapters/agreement-store.ts';
import { registerTableDefinitions } from '../functions/adapters/register-tables.ts';
import { tableDefinitions } from '../functions/adapters/tables.ts';
import {
  intakeTableDefinition,
  LIMIT_TTL_ATTRIBUTE,
  limitTableDefinition,
} from '../functions/adapters/intake-store.ts';
import type { BucketKey, SecretKeyId, TableKey } from './grants.ts';
import { namedPublicOrigin, type Settings } from './settings.ts';
import { SIGNING_SCRATCH_PREFIX } from '../functions/signing/signing-invocation.ts';
import { VERIFICATION_UPLOAD_PREFIX } from '../functions/documents/verification.ts';
import { EXPORT_SCRATCH_PREFIX } from '../functions/render/export-printing.ts';

/**
 * Timed work of cases and agreements (reminders, monitoring): one one-time schedule per job key in this group
 * (functions/adapters/eventbridge-scheduler.ts), each invoking the runSchedule function through one role.
 */
export const SCHEDULE_GROUP = 'sepakat-jadwal';
/**
 * The runSchedule function's fixed name: its ARN is in the environment of every function that schedules, itself
 * included, which a generated name (known only once the function exists) would turn into a dependency cycle; and
 * the scheduler's role, here, names it without importing anything from the stateless stack.
 */
export const RUN_SCHEDULE_FUNCTION_NAME = 'sepakat-run-schedule';
/** Staff groups in the user pool (sign-in of the console; the action links need none). */
export const STAFF_GROUPS = ['pemohon', 'pelaksana', 'pejabat', 'arsiparis', 'admin'] as const;

/**
 * The fixed names of what stored state refers to: every one-time schedule stores the scheduler's role and its
 * dead-letter queue; sessions and accounts name the pool; mail names the configuration set. Fixed and retained, so
 * no redeployment of either stack can change them under stored data.
 */
export const FIXED_NAMES = {
  schedulerRole: 'sepakat-penjadwal',
  scheduleDeadLetters: 'sepakat-jadwal-gagal',
  mailConfiguration: 'sepakat-surel',
  userPool: 'sepakat-staff',
  userPoolClient: 'sepakat-konsol',
  linkKey: 'sepakat/kunci-tautan',
  codeKey: 'sepakat/kunci-kode',
  sessionKey: 'sepakat/kunci-sesi',
  bsreCredentials: 'sepakat/bsre/kredensial',
  bsreIdentities: 'sepakat/bsre/identitas',
} as const;

/**
 * Cognito's own mail bodies (HTML, with Cognito's `{username}` and `{####}`), from templates/cognito/: rendered at
 * synth, so the invitation can name the sign-in address.
 */
function cognitoMail(name: 'undangan' | 'verifikasi', model: { alamat?: string | undefined }): string {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'templates', 'cognito', `${name}.html.hbs`);
  return Handlebars.compile(readFileSync(file, 'utf8'), { strict: false })(model).trim();
}

/** The tag of every KMS signing key: the signing function may use a key only when it carries it (IAM condition). */
export const SIGNING_KEY_TAG = { key: 'sepakat:tujuan', value: 'tanda-tangan' } as const;

/**
 * What must outlive any deployment: the case tables, the documents table and the register (DynamoDB), the intake,
 * documents and archive buckets (S3), the action-link key and the signing secrets (Secrets Manager), the KMS
 * signing keys, and everything stored state refers to by name: the staff user pool and its client, the schedule
 * group with the scheduler's role and dead-letter queue (each pending one-time schedule stores both), the SES
 * identity (its DKIM records) and configuration set, the signing egress address. Everything here has a fixed name,
 * is retained when removed from the stack, tables are deletion-protected, and the stack itself is
 * termination-protected. It refers to nothing of the stateless stack (functions, state machines, API, …), which can
 * be destroyed and redeployed without touching any of it.
 */
export interface StatefulProps extends StackProps {
  readonly settings: Settings;
}

/** The logical table names the adapters use (`functions/adapters/*.ts`), mapped to our keys. */
const TABLE_DEFINITIONS: Record<TableKey, CreateTableCommandInput> = (() => {
  const [cases, tasks, history] = tableDefinitions({ cases: 'cases', tasks: 'tasks', history: 'history' });
  const [register] = registerTableDefinitions({ register: 'register' });
  return {
    cases: cases!,
    tasks: tasks!,
    history: history!,
    documents: documentTableDefinition('documents'),
    register: register!,
    agreements: agreementTableDefinition('agreements'),
    intakes: intakeTableDefinition('intakes'),
    limits: limitTableDefinition('limits'),
  };
})();

const ATTRIBUTE_TYPES = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY } as const;

/** The CDK keys of one of the definitions the local runtime creates its tables from: one definition, two worlds. */
export function tableKeys(definition: CreateTableCommandInput) {
  const typeOf = (name: string) => {
    const type = definition.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
    if (!type) throw new Error(`${definition.TableName}: attribute ${name} has no definition`);
    return ATTRIBUTE_TYPES[type];
  };
  const keysOf = (schema: CreateTableCommandInput['KeySchema']) => {
    const hash = schema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
    const range = schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
    if (!hash) throw new Error(`${definition.TableName}: no partition key`);
    return {
      partitionKey: { name: hash, type: typeOf(hash) },
      ...(range ? { sortKey: { name: range, type: typeOf(range) } } : {}),
    };
  };
  return {
    ...keysOf(definition.KeySchema),
    indexes: (definition.GlobalSecondaryIndexes ?? []).map((gsi) => {
      const projection = gsi.Projection?.ProjectionType;
      if (projection === 'INCLUDE')
        return {
          indexName: gsi.IndexName!,
          ...keysOf(gsi.KeySchema),
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: gsi.Projection?.NonKeyAttributes ?? [],
        };
      if (projection !== 'ALL')
        throw new Error(`${definition.TableName}.${gsi.IndexName}: only ALL and INCLUDE projections are declared here`);
      return { indexName: gsi.IndexName!, ...keysOf(gsi.KeySchema), projectionType: ProjectionType.ALL };
    }),
  };
}

export class SepakatStateful extends Stack {
  readonly tables: Record<TableKey, Table>;
  /** The global secondary indexes of each table (queried by name: policies name each one). */
  readonly indexNames: Record<TableKey, string[]>;
  readonly buckets: Record<BucketKey, Bucket>;
  /**
   * The buckets' names, fixed by account and region (one deployment per account and region, as the state machine
   * names already are): plain strings, so the stateless stack's policies name exact ARNs.
   */
  readonly bucketNames: Record<BucketKey, string>;
  /** The HMAC keys, one secret each, generated by Secrets Manager (infra/grants.ts `keys` says who reads which). */
  readonly keys: Record<SecretKeyId, Secret>;
  readonly accessLogs: Bucket;
  /**
   * The signing function's fixed egress address: the Elastic IP of the NAT gateway of its VPC (infra/
   * stateless-stack.ts). Retained here, so a redeployed network keeps the address BSrE allows.
   */
  readonly signingEgress: CfnEIP;
  /** BSrE's Basic credentials for this pemda, `{"clientId", "clientSecret"}`, filled in by the deployer. */
  readonly bsreCredentials: Secret;
  /** The signers' BSrE identities, `{"<pemda>/<person>": {"nik", "email"}}`, filled in by the deployer. */
  readonly bsreIdentities: Secret;
  /** The KMS signing keys of the `kms` provider, by name (settings `signingKeys`; none by default). */
  readonly signingKeys: Record<string, Key>;
  /** The group of the one-time schedules (pending reminders, years of monitoring). */
  readonly scheduleGroup: ScheduleGroup;
  /** The role EventBridge Scheduler assumes to deliver a one-time schedule: it invokes runSchedule only. */
  readonly schedulerRole: Role;
  /** Where a one-time schedule goes when it cannot be delivered after its retries. */
  readonly scheduleDeadLetters: Queue;
  /**
   * What the functions that schedule are told, as plain strings of the fixed names (no cross-stack reference):
   * the same values every stored schedule carries.
   */
  readonly scheduler: { group: string; targetArn: string; roleArn: string; deadLetterArn: string };
  readonly mailConfiguration: ConfigurationSet;
  readonly mailIdentity: EmailIdentity;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;

  constructor(scope: Construct, id: string, props: StatefulProps) {
    super(scope, id, { terminationProtection: true, ...props });

    this.tables = Object.fromEntries(
      (Object.keys(TABLE_DEFINITIONS) as TableKey[]).map((key) => [key, this.table(key, TABLE_DEFINITIONS[key])]),
    ) as Record<TableKey, Table>;
    this.indexNames = Object.fromEntries(
      (Object.keys(TABLE_DEFINITIONS) as TableKey[]).map((key) => [
        key,
        (TABLE_DEFINITIONS[key].GlobalSecondaryIndexes ?? []).map((gsi) => gsi.IndexName!),
      ]),
    ) as Record<TableKey, string[]>;

    const nameOf = (suffix: string) => `sepakat-${this.account}-${this.region}-${suffix}`;
    this.bucketNames = { intake: nameOf('permohonan'), documents: nameOf('dokumen'), archive: nameOf('arsip') };
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      bucketName: nameOf('log-akses'),
      encryption: BucketEncryption.S3_MANAGED, // log delivery writes only with SSE-S3
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.accessLogs,
      'AwsSolutions-S1',
      'This is the server access log bucket of the intake, documents and archive buckets; logging its own access would log the log deliveries.',
    );

    // Browsers PUT to presigned URLs from our own pages (task uploads; a pemohon form later): CORS for that origin.
    const browserPuts: CorsRule[] = [
      {
        allowedMethods: [HttpMethods.PUT],
        // The front door's origin; CloudFront's own domain is known only once the stateless stack is deployed.
        allowedOrigins: [namedPublicOrigin(props.settings) ?? 'https://*.cloudfront.net'],
        allowedHeaders: ['content-type'],
        maxAge: 3000,
      },
    ];
    this.buckets = {
      // Permohonan: files and manifests (presigned PUTs), quarantined ones with their reasons. Cases keep pointing
      // at their files here, so current versions never expire.
      intake: this.bucket('Intake', 'intake', {
        bucketName: this.bucketNames.intake,
        cors: browserPuts,
        lifecycleRules: [
          { noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ],
      }),
      // Generated documents (keys end in their SHA-256; never overwritten) and the officials' uploads.
      documents: this.bucket('Documents', 'documents', {
        bucketName: this.bucketNames.documents,
        cors: browserPuts,
        lifecycleRules: [
          { abortIncompleteMultipartUploadAfter: Duration.days(1) },
          // The PDFs on their way to and from the signing function (functions/signing/lambda-signer.ts).
          {
            prefix: SIGNING_SCRATCH_PREFIX,
            expiration: Duration.days(1),
            noncurrentVersionExpiration: Duration.days(1),
          },

          // The exports the render function prints for a download link (functions/render/export-printing.ts).
          {
            prefix: EXPORT_SCRATCH_PREFIX,
            expiration: Duration.days(1),
            noncurrentVersionExpiration: Duration.days(1),
          },
          // The PDFs the public verification page's visitors PUT to check (functions/documents/verification.ts).
          {
            prefix: VERIFICATION_UPLOAD_PREFIX,
            expiration: Duration.days(1),
            noncurrentVersionExpiration: Duration.days(1),
          },
        ],
      }),
      // Scanned signed copies and a copy of every registered document (signed naskah and letters, the parties' copy,
      // the Lembar Riwayat): write once. Governance mode: an administrator with
      // s3:BypassGovernanceRetention can still correct a mistake; nobody else can delete or overwrite.
      archive: this.bucket('Archive', 'archive', {
        bucketName: this.bucketNames.archive,
        objectLockEnabled: true,
        objectLockDefaultRetention: ObjectLockRetention.governance(Duration.days(props.settings.archiveRetentionDays)),
      }),
    };

    // 64 characters from [A-Za-z0-9]: read as base64 (functions/config.ts) they give 48 bytes, about 380 bits.
    const key = (id: string, secretName: string, description: string, notRotated: string) => {
      const secret = new Secret(this, id, {
        secretName,
        description,
        generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      acknowledge(secret, 'AwsSolutions-SMG4', notRotated);
      return secret;
    };
    this.keys = {
      links: key(
        'LinkKey',
        FIXED_NAMES.linkKey,
        'Sepakat: the HMAC key of action links, task and monitoring ids (base64 alphabet)',
        'Not rotated on a schedule: task ids are derived from this key (core/case/capabilities.ts), so a new key would orphan every open task and invalidate every emailed link. Rotation needs a key-versioning scheme in the product first.',
      ),
      codes: key(
        'ConfirmationCodeKey',
        FIXED_NAMES.codeKey,
        'Sepakat: the HMAC key of paraf and signature codes (base64 alphabet)',
        'Not rotated on a schedule: a new key refuses every code issued and not yet used (the official asks for a new one); rotation with an overlap needs a key-versioning scheme in the product first.',
      ),
      sessions: key(
        'SessionKey',
        FIXED_NAMES.sessionKey,
        'Sepakat: the HMAC key of console sessions and the sign-in form (base64 alphabet)',
        'Not rotated on a schedule: a new key ends every console session (users sign in again); rotation with an overlap needs a key-versioning scheme in the product first.',
      ),
    };
    this.signingEgress = new CfnEIP(this, 'SigningEgressAddress', {
      domain: 'vpc',
      tags: [{ key: 'Name', value: 'sepakat-tanda-tangan' }],
    });
    this.signingEgress.applyRemovalPolicy(RemovalPolicy.RETAIN);
    new CfnOutput(this, 'AlamatKeluarTandaTangan', {
      value: this.signingEgress.ref,
      description:
        'The fixed egress address of the signing function (NAT gateway Elastic IP): the address the pemda gives BSrE for its integrator allow-list.',
    });
    const signing = this.signingSecrets(props.settings);
    this.bsreCredentials = signing.bsreCredentials;
    this.bsreIdentities = signing.bsreIdentities;
    this.signingKeys = signing.signingKeys;

    this.scheduler = {
      group: SCHEDULE_GROUP,
      targetArn: `arn:aws:lambda:${this.region}:${this.account}:function:${RUN_SCHEDULE_FUNCTION_NAME}`,
      roleArn: `arn:aws:iam::${this.account}:role/${FIXED_NAMES.schedulerRole}`,
      deadLetterArn: `arn:aws:sqs:${this.region}:${this.account}:${FIXED_NAMES.scheduleDeadLetters}`,
    };
    const scheduling = this.scheduling();
    this.scheduleGroup = scheduling.group;
    this.schedulerRole = scheduling.role;
    this.scheduleDeadLetters = scheduling.deadLetters;

    this.mailConfiguration = new ConfigurationSet(this, 'MailConfiguration', {
      configurationSetName: FIXED_NAMES.mailConfiguration,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
    });
    // Retained: a recreated identity gets new DKIM keys, and the pemda's DNS records would no longer match.
    this.mailIdentity = new EmailIdentity(this, 'MailIdentity', {
      identity: Identity.domain(props.settings.domain),
      configurationSet: this.mailConfiguration,
    });
    for (const mail of [this.mailConfiguration, this.mailIdentity]) mail.applyRemovalPolicy(RemovalPolicy.RETAIN);

    const staff = this.staffSignIn(props.settings);
    this.userPool = staff.pool;
    this.userPoolClient = staff.client;
  }

  /**
   * Created once, here: the group under its fixed name (a group retained by one stack and created again by another
   * would fail with AlreadyExists), the role every one-time schedule stores, and its dead-letter queue. The role
   * names runSchedule by its fixed name, so nothing here waits for the stateless stack.
   */
  private scheduling() {
    // Retained on removal: its schedules are pending reminders and the monitoring calendar of agreements for years.
    const group = new ScheduleGroup(this, 'Jadwal', {
      scheduleGroupName: SCHEDULE_GROUP,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const deadLetters = new Queue(this, 'ScheduleDeadLetters', {
      queueName: FIXED_NAMES.scheduleDeadLetters,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      deadLetters,
      'AwsSolutions-SQS3',
      'This queue is itself a dead-letter queue (of the one-time schedules of EventBridge Scheduler).',
    );
    const role = new Role(this, 'SchedulerRole', {
      roleName: FIXED_NAMES.schedulerRole,
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'Sepakat: EventBridge Scheduler delivers one-time schedules (timed work) to runSchedule',
      // Inline, so the grants live and are retained with the role itself.
      inlinePolicies: {
        jadwal: new PolicyDocument({
          statements: [
            // runSchedule by its unqualified ARN, as the schedules name it.
            new PolicyStatement({
              actions: ['lambda:InvokeFunction'],
              resources: [this.scheduler.targetArn],
            }),
            new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetters.queueArn] }),
          ],
        }),
      },
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    return { group, role, deadLetters };
  }

  /** Staff sign-in: the pool, its groups and the console's public client, retained under fixed names. */
  private staffSignIn(settings: Settings) {
    // The pool is retained here, so it cannot name the CloudFront domain of the stateless stack: the address to sign
    // in at is in the invitation when the deployer named it (sepakat:publicUrl or sepakat:customDomain).
    const origin = namedPublicOrigin(settings);
    const customNames = Object.values(IDENTITY_ATTRIBUTES).map((a) => a.replace(/^custom:/, ''));
    const pool = new UserPool(this, 'Staff', {
      userPoolName: FIXED_NAMES.userPool,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      email: this.staffMail(settings),
      userInvitation: {
        emailSubject: 'Akun Sepakat Anda',
        emailBody: cognitoMail('undangan', { alamat: origin }),
      },
      userVerification: {
        emailSubject: 'Kode verifikasi Sepakat',
        emailBody: cognitoMail('verifikasi', {}),
      },
      // Who a console user is (core/access/claims.ts): the pemda never changes for an account (a move is a new
      // account); unit, roles (comma-separated) and the directory person do, by an administrator only.
      customAttributes: {
        pemda: new StringAttribute({ minLen: 1, maxLen: 64, mutable: false }),
        unit: new StringAttribute({ minLen: 1, maxLen: 256, mutable: true }),
        peran: new StringAttribute({ minLen: 1, maxLen: 256, mutable: true }),
        pegawai: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      // Staff accounts and their MFA secrets cannot be recreated from anything: keep the pool if it leaves the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (mailDomainOf(settings.mailFrom) !== settings.domain)
      (pool.node.defaultChild as CfnUserPool).addPropertyOverride(
        'EmailConfiguration.SourceArn',
        this.formatArn({ service: 'ses', resource: 'identity', resourceName: settings.domain }),
      );
    for (const group of STAFF_GROUPS)
      pool.addGroup(group, { groupName: group }).applyRemovalPolicy(RemovalPolicy.RETAIN);
    const client = pool.addClient('Console', {
      userPoolClientName: FIXED_NAMES.userPoolClient,
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      preventUserExistenceErrors: true,
      disableOAuth: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      // The ID token carries what the console needs. An explicit write list: a user may change only their display
      // name through this client, never the attributes that grant access.
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes(...customNames),
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    client.applyRemovalPolicy(RemovalPolicy.RETAIN);
    return { pool, client };
  }

  /**
   * Cognito's own mail (invitations, verification codes) goes through SES from the pemda's domain, as Sepakat's
   * does: the sender of `sepakat:mailFrom`, the domain identity, its configuration set.
   */
  private staffMail(settings: Settings): UserPoolEmail {
    const fromEmail = /<([^>\s]+)>\s*$/.exec(settings.mailFrom)?.[1] ?? settings.mailFrom.trim();
    const fromName = /^\s*"?([^"<]*?)"?\s*</.exec(settings.mailFrom)?.[1]?.trim();
    return UserPoolEmail.withSES({
      fromEmail,
      ...(fromName ? { fromName } : {}),
      // CDK names the identity after the sender's domain; a sender at a subdomain of the identity's domain is sent
      // through the identity itself (staffSignIn sets the SourceArn).
      sesVerifiedDomain: mailDomainOf(settings.mailFrom),
      configurationSetName: FIXED_NAMES.mailConfiguration,
    });
  }

  /** The BSrE secrets and the KMS signing keys: only the signing function reads or uses them. */
  private signingSecrets(settings: Settings) {
    const filledByDeployer =
      'BSrE issues it to the pemda (integrator registration); it changes only when BSrE reissues it, and the deployer puts the new value (README, "Dari CA pengembangan ke BSrE").';
    const bsreCredentials = new Secret(this, 'BsreCredentials', {
      secretName: FIXED_NAMES.bsreCredentials,
      description:
        'Sepakat: the BSrE eSign API Basic credentials {"clientId", "clientSecret"} (filled in by the deployer)',
      // A placeholder with an empty clientId: the signing function treats it as not configured.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ clientId: '' }),
        generateStringKey: 'clientSecret',
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bsreIdentities = new Secret(this, 'BsreIdentities', {
      secretName: FIXED_NAMES.bsreIdentities,
      description:
        'Sepakat: the signers\' BSrE identities {"<pemda>/<person>": {"nik", "email"}} (personal data; filled in by the deployer)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'belum-diisi',
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const secret of [bsreCredentials, bsreIdentities]) acknowledge(secret, 'AwsSolutions-SMG4', filledByDeployer);
    const signingKeys: Record<string, Key> = Object.fromEntries(
      settings.signingKeys.map((name) => {
        const key = new Key(this, `SigningKey-${name}`, {
          alias: `sepakat/tanda-tangan/${name}`,
          description: `Sepakat: the signing key "${name}" (kms provider; its certificate is issued by the pemda's CA)`,
          keySpec: KeySpec.ECC_NIST_P256,
          keyUsage: KeyUsage.SIGN_VERIFY,
          removalPolicy: RemovalPolicy.RETAIN,
        });
        Tags.of(key).add(SIGNING_KEY_TAG.key, SIGNING_KEY_TAG.value);
        return [name, key];
      }),
    );
    return { bsreCredentials, bsreIdentities, signingKeys };
  }

  private table(key: TableKey, definition: CreateTableCommandInput): Table {
    const { indexes, ...keys } = tableKeys(definition);
    const table = new Table(this, `${key[0]!.toUpperCase()}${key.slice(1)}Table`, {
      ...keys,
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // The abuse counters expire by themselves (their windows are an hour or a day).
      ...(key === 'limits' ? { timeToLiveAttribute: LIMIT_TTL_ATTRIBUTE } : {}),
    });
    for (const index of indexes) table.addGlobalSecondaryIndex(index);
    return table;
  }

  private bucket(id: string, logPrefix: string, extra: Partial<ConstructorParameters<typeof Bucket>[2]>): Bucket {
    return new Bucket(this, id, {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: `${logPrefix}/`,
      removalPolicy: RemovalPolicy.RETAIN,
      ...extra,
    });
  }
}
