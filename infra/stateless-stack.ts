import { Duration, RemovalPolicy, Stack, type CfnElement, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type HttpRouteIntegration,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  NatProvider,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Schedule, ScheduleExpression, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { acknowledge } from './nag.ts';
import type { Construct } from 'constructs';
import { INTAKE_PREFIX, MANIFEST_NAME } from '../core/case/intake.ts';
import { IDENTITY_ATTRIBUTES } from '../core/access/claims.ts';
import {
  compactAsl,
  compileSop,
  FunctionPlaceholders,
  placeholdersOf,
  type FunctionRole,
} from '../core/sop/compile-sop.ts';
import type { Sop } from '../core/sop/load-sop.ts';
import { stateMachineName } from '../functions/config.ts';
import { ACCESS, type BucketAction, type BucketKey, type TableAccess, type TableKey } from './grants.ts';
import { ChromiumLayer } from './chromium-layer.ts';
import { FUNCTIONS, type FunctionId } from './functions.ts';
import { SepakatFunction, TASK_ROOT } from './sepakat-function.ts';
import type { Settings } from './settings.ts';
import { SIGNING_KEY_TAG, type SepakatStateful } from './stateful-stack.ts';
import { SIGNING_SCRATCH_PREFIX } from '../functions/signing/signing-invocation.ts';
import { CALENDAR_PREFIX } from '../functions/adapters/calendar-store.ts';
import { METRIC_NAMES, METRIC_NAMESPACE, type MetricName } from '../core/metrics.ts';

export interface StatelessProps extends StackProps {
  readonly settings: Settings;
  readonly stateful: SepakatStateful;
  /** Every SOP version that may have cases: one state machine each. */
  readonly sops: readonly Sop[];
  readonly root: string;
}

/** Invoked asynchronously (S3 notifications, EventBridge Scheduler): each gets a dead-letter queue. */
export const ASYNC_FUNCTIONS: readonly FunctionId[] = [
  'intake',
  'mailEvents',
  'reconcile',
  'sweepRegisters',
  'sweepIntake',
  'runSchedule',
];

/**
 * Timed work of cases and agreements (reminders, monitoring): one one-time schedule per job key in this group
 * (functions/adapters/eventbridge-scheduler.ts), each invoking the runSchedule function through one role.
 */
export const SCHEDULE_GROUP = 'sepakat-jadwal';
/**
 * The runSchedule function's fixed name: its ARN is in the environment of every function that schedules, itself
 * included, which a generated name (known only once the function exists) would turn into a dependency cycle.
 */
export const RUN_SCHEDULE_FUNCTION_NAME = 'sepakat-run-schedule';

/** Timed work (EventBridge Scheduler). */
export const SCHEDULES: readonly { id: FunctionId; every: Duration; what: string }[] = [
  { id: 'reconcile', every: Duration.minutes(5), what: 'reports decisions whose report failed' },
  { id: 'sweepRegisters', every: Duration.hours(1), what: 'voids numbers lost to an interrupted allocation' },
  { id: 'sweepIntake', every: Duration.minutes(15), what: 'finishes, expires and quarantines permohonan left behind' },
];

/**
 * The routes of the HTTP API, by prefix; functions/handlers/web-app.ts (the Hono app) routes within them (and answers unknown
 * paths and methods there with its own pages). Unknown prefixes never reach the function.
 */
export const HTTP_ROUTES: readonly { path: string; methods: HttpMethod[] }[] = [
  { path: '/', methods: [HttpMethod.GET, HttpMethod.HEAD] },
  { path: '/kesehatan', methods: [HttpMethod.GET, HttpMethod.HEAD] },
  { path: '/tugas/{proxy+}', methods: [HttpMethod.ANY] },
  { path: '/verifikasi', methods: [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST] },
  { path: '/verifikasi/{docId}', methods: [HttpMethod.GET, HttpMethod.HEAD] },
  { path: '/api/permohonan', methods: [HttpMethod.POST] },
  { path: '/masuk', methods: [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST] },
  { path: '/keluar', methods: [HttpMethod.POST] },
  // The intake form, its receipt, a pemohon's list; the pemohon's tracking capability (never logged: route keys).
  { path: '/permohonan/{proxy+}', methods: [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST] },
  { path: '/lacak/{proxy+}', methods: [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST] },
  // The report and monev links of agreements in force (capabilities, as /tugas/).
  { path: '/pantau/{proxy+}', methods: [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST] },
  // The staff console (signed session): dashboard, case pages, downloads, reassignment and cancellation, Mutu Baku,
  // agreements (the register, annual reports, early end, BATAL, adendum).
  { path: '/konsol', methods: [HttpMethod.GET, HttpMethod.HEAD] },
  { path: '/konsol/{proxy+}', methods: [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST] },
  // The archive (signed session): search, entries, logged downloads, register exports. It only shows.
  { path: '/arsip', methods: [HttpMethod.GET, HttpMethod.HEAD] },
  { path: '/arsip/{proxy+}', methods: [HttpMethod.GET, HttpMethod.HEAD] },
];

/** Staff groups in the user pool (sign-in of the console; the action links need none). */
export const STAFF_GROUPS = ['pemohon', 'pelaksana', 'pejabat', 'arsiparis', 'admin'] as const;

/**
 * Everything that can be redeployed at will: the functions, one state machine per SOP version, the HTTP API, the
 * intake notification, mail (SES), staff sign-in (Cognito), schedules, dead-letter queues and alarms.
 */
export class SepakatStateless extends Stack {
  readonly functions: Record<FunctionId, SepakatFunction>;
  readonly stateMachines: { sop: Sop; machine: StateMachine }[] = [];
  readonly deadLetterQueues: Partial<Record<FunctionId, Queue>> = {};
  readonly scheduleGroup: ScheduleGroup;
  /** The role EventBridge Scheduler assumes to deliver a one-time schedule: it invokes runSchedule only. */
  readonly schedulerRole: Role;
  readonly api: HttpApi;
  readonly publicBaseUrl: string;
  readonly mailIdentity: EmailIdentity;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  readonly alarmTopic: Topic;
  readonly alarms: Alarm[] = [];
  /** SES bounce and complaint events of the configuration set, delivered to the mailEvents function. */
  readonly mailEventTopic: Topic;
  /** The operator's dashboard: the business metrics by pemda and SOP, and every function's health. */
  readonly dashboard: Dashboard;
  /** The signing function's network: private subnets whose egress is the NAT gateway's fixed Elastic IP. */
  readonly signingVpc: Vpc;

  constructor(scope: Construct, id: string, props: StatelessProps) {
    super(scope, id, props);
    const { settings, stateful, root } = props;

    // The API first: its URL is the default base of emailed links. It does not depend on any function (only its
    // routes do), so the functions' environment may name it without a cycle.
    this.api = new HttpApi(this, 'Api', {
      apiName: 'sepakat',
      description: 'Sepakat: action pages, staff console and archive, intake API, verification page',
      createDefaultStage: false,
    });
    this.publicBaseUrl = settings.publicUrl ?? this.api.apiEndpoint;

    const mailConfiguration = new ConfigurationSet(this, 'MailConfiguration', {
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
    });
    this.mailIdentity = new EmailIdentity(this, 'MailIdentity', {
      identity: Identity.domain(settings.domain),
      configurationSet: mailConfiguration,
    });

    for (const fid of ASYNC_FUNCTIONS)
      this.deadLetterQueues[fid] = new Queue(this, `${fid}DeadLetters`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
    for (const queue of Object.values(this.deadLetterQueues))
      acknowledge(queue, 'AwsSolutions-SQS3', 'This queue is itself a dead-letter queue (of a Lambda function).');

    // Retained on removal: its schedules are pending reminders and the monitoring calendar of agreements for years.
    this.scheduleGroup = new ScheduleGroup(this, 'Jadwal', {
      scheduleGroupName: SCHEDULE_GROUP,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'Sepakat: EventBridge Scheduler delivers one-time schedules (timed work) to runSchedule',
    });
    // A job that cannot be delivered after the schedule's retries goes where runSchedule's failed events go.
    const scheduleDeadLetters = this.deadLetterQueues.runSchedule!;
    const schedulerEnvironment = {
      SEPAKAT_SCHEDULER_GROUP: this.scheduleGroup.scheduleGroupName,
      SEPAKAT_SCHEDULER_TARGET_ARN: `arn:aws:lambda:${this.region}:${this.account}:function:${RUN_SCHEDULE_FUNCTION_NAME}`,
      SEPAKAT_SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
      SEPAKAT_SCHEDULER_DLQ_ARN: scheduleDeadLetters.queueArn,
    };

    const chromium = new ChromiumLayer(this, 'Chromium', { root });
    const environment = functionEnvironment(this, stateful, settings, this.publicBaseUrl);
    this.signingVpc = this.signingNetwork(stateful);
    const signingNetwork = {
      vpc: this.signingVpc,
      securityGroup: new SecurityGroup(this, 'SigningSecurityGroup', {
        vpc: this.signingVpc,
        description: 'Sepakat signing function: no inbound; outbound HTTPS to BSrE, KMS, S3 and Secrets Manager',
        allowAllOutbound: true,
      }),
    };
    this.functions = Object.fromEntries(
      FUNCTIONS.map((spec) => {
        const dlq = this.deadLetterQueues[spec.id];
        return [
          spec.id,
          new SepakatFunction(this, `${spec.id}Fn`, {
            spec,
            root,
            // Only the functions that schedule or cancel timed work know the scheduler (functions/lambda/bootstrap.ts).
            environment: ACCESS[spec.id].schedules ? { ...environment, ...schedulerEnvironment } : environment,
            ...(spec.id === 'runSchedule' ? { functionName: RUN_SCHEDULE_FUNCTION_NAME } : {}),
            ...(spec.chromium ? { layers: [chromium.layer] } : {}),
            ...(dlq ? { deadLetterQueue: dlq } : {}),
            ...(spec.inVpc ? { network: signingNetwork } : {}),
          }),
        ];
      }),
    ) as Record<FunctionId, SepakatFunction>;
    // A schedule can be created as soon as a function that schedules is updated: the group exists before them.
    for (const [fid, access] of Object.entries(ACCESS) as [FunctionId, (typeof ACCESS)[FunctionId]][])
      if (access.schedules) this.functions[fid].fn.node.addDependency(this.scheduleGroup);
    // The scheduler's role: invoke runSchedule (its unqualified ARN, as the schedules name it), and dead letters.
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.functions.runSchedule.fn.functionArn],
      }),
    );
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [scheduleDeadLetters.queueArn] }),
    );

    this.grantData(stateful, mailConfiguration);
    this.grantScheduling();
    this.grantSigning(stateful);

    // One state machine per SOP version, from the very ASL the local runtime executes.
    for (const sop of props.sops) this.stateMachines.push({ sop, machine: this.stateMachine(sop) });
    for (const [fid, access] of Object.entries(ACCESS) as [FunctionId, (typeof ACCESS)[FunctionId]][]) {
      const grantee = this.functions[fid].workflowGrantee;
      for (const { machine } of this.stateMachines) {
        if (access.taskResponse) machine.grantTaskResponse(grantee);
        if (access.startExecution) machine.grantStartExecution(grantee);
      }
      if (access.stopExecution) {
        // Executions are named per case (permohonan-<id>, continuations): the ARNs end in "*" per state machine.
        const executions = this.stateMachines.map(
          ({ sop }) => `arn:aws:states:${this.region}:${this.account}:execution:${stateMachineName(sop.key)}:*`,
        );
        grantee.grantPrincipal.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['states:StopExecution'], resources: executions }),
        );
        acknowledge(
          this.functions[fid],
          'AwsSolutions-IAM5',
          'states:StopExecution on the executions of the SOP state machines only (a withdrawn or cancelled case stops its own, core/case/case-admin.ts); execution names are per case, so each ARN ends in ":*".',
          executions.map((arn) => `Resource::${arn}`),
        );
      }
    }

    this.httpApi();

    // Manifests start cases: permohonan/<id>/manifest.json, uploaded last (core/case/intake.ts). The bucket lives in
    // the stateful stack; the notification (a custom resource) lives here, beside the function it calls.
    Bucket.fromBucketName(this, 'IntakeBucket', stateful.bucketNames.intake).addEventNotification(
      EventType.OBJECT_CREATED,
      new LambdaDestination(this.functions.intake.fn),
      {
        prefix: INTAKE_PREFIX,
        suffix: MANIFEST_NAME,
      },
    );

    for (const schedule of SCHEDULES) {
      const fn = this.functions[schedule.id].fn;
      new Schedule(this, `${schedule.id}Schedule`, {
        description: `Sepakat ${schedule.id}: ${schedule.what}`,
        schedule: ScheduleExpression.rate(schedule.every),
        target: new LambdaInvoke(fn, {
          deadLetterQueue: this.deadLetterQueues[schedule.id]!,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(30),
        }),
      });
      // The target's role (created by LambdaInvoke, at stack level) may invoke the function and its versions.
      acknowledge(
        this,
        'AwsSolutions-IAM5',
        `EventBridge Scheduler's role for ${schedule.id}: lambda:InvokeFunction on this one function and its versions (":*", added by the construct's grantInvoke); Sepakat publishes no versions.`,
        [`Resource::<${this.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*`],
      );
    }

    const staff = this.staffSignIn();
    this.userPool = staff.pool;
    this.userPoolClient = staff.client;
    // Only the HTTP function signs staff in (functions/adapters/cognito-identity.ts); the issuer is pinned.
    this.functions.http.fn.addEnvironment('SEPAKAT_COGNITO_USER_POOL_ID', staff.pool.userPoolId);
    this.functions.http.fn.addEnvironment('SEPAKAT_COGNITO_CLIENT_ID', staff.client.userPoolClientId);
    this.functions.http.fn.addEnvironment(
      'SEPAKAT_COGNITO_ISSUER',
      `https://cognito-idp.${this.region}.amazonaws.com/${staff.pool.userPoolId}`,
    );
    this.mailEventTopic = this.mailEvents(mailConfiguration);
    this.alarmTopic = this.alarmsFor(settings);
    this.dashboard = this.operatorDashboard();
    this.suppressGeneratedFindings();
  }

  /**
   * Tables, buckets, mail and the link key, exactly as ACCESS says, with the actions the adapters call (no
   * wildcards): GetItem/Query on the table and each of its indexes by name, PutItem/UpdateItem; GetObject (also
   * HeadObject and presigned GETs), PutObject (also CopyObject's target and presigned PUTs), DeleteObject, and
   * ListBucket (without it S3 answers 403 instead of 404 for a missing key, which the adapters rely on).
   */
  private grantData(stateful: SepakatStateful, mailConfiguration: ConfigurationSet) {
    for (const [fid, access] of Object.entries(ACCESS) as [FunctionId, (typeof ACCESS)[FunctionId]][]) {
      const { role } = this.functions[fid];
      for (const [key, level] of Object.entries(access.tables) as [TableKey, TableAccess][]) {
        const table = stateful.tables[key];
        if (level !== 'write')
          role.addToPrincipalPolicy(
            new PolicyStatement({
              actions: ['dynamodb:GetItem', 'dynamodb:Query'],
              resources: [table.tableArn, ...stateful.indexNames[key].map((i) => `${table.tableArn}/index/${i}`)],
            }),
          );
        if (level !== 'read')
          role.addToPrincipalPolicy(
            new PolicyStatement({ actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [table.tableArn] }),
          );
      }
      const objectWildcards: string[] = [];
      for (const [key, actions] of Object.entries(access.buckets) as [BucketKey, readonly BucketAction[]][]) {
        const bucketArn = `arn:aws:s3:::${stateful.bucketNames[key]}`;
        const objects = `${bucketArn}/*`;
        objectWildcards.push(`Resource::${objects}`);
        const objectActions = actions.flatMap((a) =>
          a === 'read' ? ['s3:GetObject'] : a === 'put' ? ['s3:PutObject'] : ['s3:DeleteObject'],
        );
        role.addToPrincipalPolicy(new PolicyStatement({ actions: objectActions, resources: [objects] }));
        if (actions.includes('read'))
          role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucketArn] }));
      }
      if (objectWildcards.length)
        acknowledge(
          role,
          'AwsSolutions-IAM5',
          'Objects of this function’s own buckets (infra/grants.ts): object keys are per case and per document, so the object ARN ends in "/*"; the actions are listed one by one.',
          objectWildcards,
        );
      if (access.mail) {
        this.mailIdentity.grantSendEmail(role);
        // The identity's default configuration set applies to every message: SES authorizes it too.
        role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['ses:SendEmail', 'ses:SendRawEmail'],
            resources: [
              this.formatArn({
                service: 'ses',
                resource: 'configuration-set',
                resourceName: mailConfiguration.configurationSetName,
              }),
            ],
          }),
        );
      }
      // Every function builds the App, whose configuration needs the link key (functions/lambda/bootstrap.ts).
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [stateful.linkKey.secretArn] }),
      );
      // ... and whose calendars include the years an administrator imported (functions/adapters/calendar-store.ts):
      // read and list that prefix of the documents bucket only.
      const documentsArn = `arn:aws:s3:::${stateful.bucketNames.documents}`;
      const calendarObjects = `${documentsArn}/${CALENDAR_PREFIX}*`;
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [calendarObjects] }));
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [documentsArn],
          conditions: { StringLike: { 's3:prefix': [`${CALENDAR_PREFIX}*`] } },
        }),
      );
      acknowledge(
        role,
        'AwsSolutions-IAM5',
        'The imported calendar years: one object per year under the kalender/ prefix, read (and listed) only.',
        [`Resource::${calendarObjects}`],
      );
    }
  }

  /**
   * The signing function's network: two private subnets with egress (two availability zones) behind one NAT
   * gateway whose Elastic IP is the stateful stack's (retained: the address BSrE allows survives a redeployment),
   * and a flow log of all traffic. Fixed zones: synth never looks anything up.
   */
  private signingNetwork(stateful: SepakatStateful): Vpc {
    const flowLogs = new LogGroup(this, 'SigningNetworkFlowLogs', { retention: RetentionDays.ONE_YEAR });
    return new Vpc(this, 'SigningNetwork', {
      availabilityZones: [`${this.region}a`, `${this.region}b`],
      natGateways: 1,
      natGatewayProvider: NatProvider.gateway({ eipAllocationIds: [stateful.signingEgress.attrAllocationId] }),
      subnetConfiguration: [
        { name: 'publik', subnetType: SubnetType.PUBLIC, cidrMask: 26 },
        { name: 'tanda-tangan', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 26 },
      ],
      // No custom resource to empty the default security group: nothing uses it (the function has its own).
      restrictDefaultSecurityGroup: false,
      flowLogs: {
        semua: { destination: FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: FlowLogTrafficType.ALL },
      },
    });
  }

  /**
   * Signing: only the signing function reads and writes the scratch prefix of the documents bucket as such, calls
   * kms:Sign and kms:GetPublicKey (on keys tagged as signing keys only) and reads the BSrE secrets; the functions
   * that sign through it (ACCESS `invokesSigning`) may invoke it and nothing else.
   */
  private grantSigning(stateful: SepakatStateful) {
    const signing = this.functions.signing;
    const scratch = `arn:aws:s3:::${stateful.bucketNames.documents}/${SIGNING_SCRATCH_PREFIX}*`;
    signing.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [scratch] }),
    );
    const keys = `arn:aws:kms:${this.region}:${this.account}:key/*`;
    signing.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Sign', 'kms:GetPublicKey'],
        resources: [keys],
        conditions: { StringEquals: { [`aws:ResourceTag/${SIGNING_KEY_TAG.key}`]: SIGNING_KEY_TAG.value } },
      }),
    );
    signing.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [stateful.bsreCredentials.secretArn, stateful.bsreIdentities.secretArn],
      }),
    );
    signing.fn.addEnvironment('SEPAKAT_BSRE_CREDENTIALS_SECRET_ARN', stateful.bsreCredentials.secretArn);
    signing.fn.addEnvironment('SEPAKAT_BSRE_IDENTITIES_SECRET_ARN', stateful.bsreIdentities.secretArn);
    acknowledge(
      signing.role,
      'AwsSolutions-IAM5',
      "The signing function: objects under the documents bucket's scratch prefix (one per signature, expired by lifecycle), and kms:Sign/kms:GetPublicKey on the keys of this account and region that carry the signing-key tag (aws:ResourceTag condition), which are added by settings over time.",
      [`Resource::${scratch}`, `Resource::${keys}`],
    );
    for (const [fid, access] of Object.entries(ACCESS) as [FunctionId, (typeof ACCESS)[FunctionId]][]) {
      if (!access.invokesSigning) continue;
      const { fn, role } = this.functions[fid];
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [signing.fn.functionArn] }),
      );
      fn.addEnvironment('SEPAKAT_SIGNING_FUNCTION', signing.fn.functionArn);
    }
  }

  /**
   * The functions that schedule or cancel timed work (ACCESS `schedules`): CreateSchedule and DeleteSchedule on the
   * schedules of the Sepakat group only, and PassRole on the scheduler's role only, for EventBridge Scheduler only.
   */
  private grantScheduling() {
    const schedules = `arn:aws:scheduler:${this.region}:${this.account}:schedule/${SCHEDULE_GROUP}/*`;
    for (const [fid, access] of Object.entries(ACCESS) as [FunctionId, (typeof ACCESS)[FunctionId]][]) {
      if (!access.schedules) continue;
      const { role } = this.functions[fid];
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
          resources: [schedules],
        }),
      );
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.schedulerRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
      acknowledge(
        role,
        'AwsSolutions-IAM5',
        'One-time schedules of the Sepakat group only: a schedule is named by the key of its job (a reminder, a monitoring item), so the ARN ends in "/*"; CreateSchedule and DeleteSchedule only.',
        [`Resource::${schedules}`],
      );
    }
  }

  private stateMachine(sop: Sop): StateMachine {
    const name = stateMachineName(sop.key);
    // The compiled ASL, as compact JSON: the same definition compileSop gives (parsed, it is equal), without the
    // indentation, so a template holds several SOP versions within CloudFormation's size limit.
    const definition = compactAsl(compileSop(sop));
    const used = placeholdersOf(definition);
    const roleOf = new Map<string, FunctionRole>(
      Object.entries(FunctionPlaceholders).map(([role, p]) => [p, role as FunctionRole]),
    );
    const functionOf = (placeholder: string) => {
      const role = roleOf.get(placeholder);
      if (!role) throw new Error(`${sop.key}: unknown placeholder \${${placeholder}}`);
      return this.functions[role].fn;
    };
    const logGroup = new LogGroup(this, `${name}Logs`, {
      // The /aws/vendedlogs/ prefix keeps Step Functions from adding a log resource policy per state machine (the
      // account's 5,120-character limit on those would cap the number of SOP versions).
      logGroupName: `/aws/vendedlogs/states/${name}`,
      retention: RetentionDays.ONE_YEAR,
      // Operational logs only: the durable record of a case is its history in DynamoDB.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const machine = new StateMachine(this, name, {
      stateMachineName: name,
      comment: `${sop.definition.header.nama} (${sop.key})`,
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: Object.fromEntries(used.map((p) => [p, functionOf(p).functionArn])),
      // ALL: every state transition is logged, so an operator can follow a case step by step; the volume is small
      // (human-paced cases). Without execution data: inputs and outputs carry case data, personal data of pemohon
      // and officials, and the task tokens of human waits, which must never leave the tasks table.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // Invoke only the functions this definition calls, by their unqualified ARN (as the ASL names them).
    machine.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: used.map((p) => functionOf(p).functionArn),
      }),
    );
    acknowledge(
      machine,
      'AwsSolutions-IAM5',
      'CloudWatch Logs delivery (logs:CreateLogDelivery, …) and X-Ray (xray:PutTraceSegments, …) support no resource-level permissions; Step Functions needs them on "*" for logging and tracing.',
      ['Resource::*'],
    );
    return machine;
  }

  private httpApi() {
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_YEAR });
    new HttpStage(this, 'ApiStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // The route key, never the path: paths under /tugas/ are capability links.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            route: '$context.routeKey',
            status: '$context.status',
            bytes: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    const integration: HttpRouteIntegration = new HttpLambdaIntegration('Http', this.functions.http.fn);
    for (const route of HTTP_ROUTES) this.api.addRoutes({ path: route.path, methods: route.methods, integration });
    acknowledge(
      this.api,
      'AwsSolutions-APIG4',
      'Authorized in the function, not by API Gateway: staff pages (/konsol, /arsip) by the HMAC-signed session cookie issued after a verified Cognito ID token (functions/auth/session.ts, functions/adapters/cognito-identity.ts), with a CSRF token and a same-origin check on every POST; action, tracking and monitoring pages by the HMAC capability link in their path (core/case/capabilities.ts); the verification page, sign-in and the intake API serve the public.',
    );
  }

  private staffSignIn() {
    const customNames = Object.values(IDENTITY_ATTRIBUTES).map((a) => a.replace(/^custom:/, ''));
    const pool = new UserPool(this, 'Staff', {
      userPoolName: 'sepakat-staff',
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
      userInvitation: {
        emailSubject: 'Akun Sepakat Anda',
        emailBody:
          'Akun Sepakat Anda telah dibuat. Nama pengguna: {username}. Kata sandi sementara: {####}. Ganti kata sandi dan pasang aplikasi autentikator saat masuk pertama kali.',
      },
      userVerification: {
        emailSubject: 'Kode verifikasi Sepakat',
        emailBody: 'Kode verifikasi akun Sepakat Anda: {####}',
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
    for (const group of STAFF_GROUPS) pool.addGroup(group, { groupName: group });
    const client = pool.addClient('Console', {
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
    return { pool, client };
  }

  private alarmsFor(settings: Settings): Topic {
    const topic = new Topic(this, 'Alarms', { displayName: 'Sepakat alarms', enforceSSL: true });
    if (settings.alarmEmail) topic.addSubscription(new EmailSubscription(settings.alarmEmail));
    const alarm = (id: string, metric: IMetric, description: string, threshold = 1) => {
      const created = new Alarm(this, `${id}Alarm`, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator:
          threshold === 0
            ? ComparisonOperator.GREATER_THAN_THRESHOLD
            : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new SnsAction(topic));
      this.alarms.push(created);
    };
    const period = Duration.minutes(5);
    for (const spec of FUNCTIONS) {
      const { fn } = this.functions[spec.id];
      alarm(
        `${spec.id}Errors`,
        fn.metricErrors({ period, statistic: 'Sum' }),
        `Sepakat ${spec.id}: the function failed`,
      );
      alarm(
        `${spec.id}Throttles`,
        fn.metricThrottles({ period, statistic: 'Sum' }),
        `Sepakat ${spec.id}: invocations were throttled`,
      );
      // The longest invocation past 80% of the timeout: the next one may be cut off.
      alarm(
        `${spec.id}NearTimeout`,
        fn.metricDuration({ period, statistic: 'Maximum' }),
        `Sepakat ${spec.id}: an invocation took more than 80% of its ${spec.timeoutSeconds} s timeout`,
        Math.round(spec.timeoutSeconds * 1000 * DURATION_ALARM_SHARE),
      );
    }
    // The product's own counts (EMF, functions/observability/emf-metrics.ts), in the aggregate (every pemda and SOP).
    alarm(
      'StrandedCases',
      productMetric('StrandedCases', period),
      'Sepakat: active cases without a running execution (the stranded-case sweep)',
      0,
    );
    alarm(
      'MailBounced',
      productMetric('MailBounced', period),
      'Sepakat: an email bounced (recorded on its case as email-pantul)',
      0,
    );
    alarm(
      'MailComplained',
      productMetric('MailComplained', period),
      'Sepakat: a recipient marked an email as spam (recorded on its case as email-keluhan)',
      0,
    );
    for (const { sop, machine } of this.stateMachines) {
      const name = stateMachineName(sop.key);
      alarm(`${name}Failed`, machine.metricFailed({ period, statistic: 'Sum' }), `${sop.key}: an execution failed`);
      alarm(
        `${name}TimedOut`,
        machine.metricTimedOut({ period, statistic: 'Sum' }),
        `${sop.key}: an execution timed out`,
      );
    }
    for (const [fid, queue] of Object.entries(this.deadLetterQueues))
      alarm(
        `${fid}DeadLetters`,
        queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        `Sepakat ${fid}: events in the dead-letter queue`,
        0,
      );
    // The HTTP function answers its own errors with a page (status 500/503): count them at the API.
    alarm(
      'ApiServerErrors',
      this.api.metricServerError({ period, statistic: 'Sum' }),
      'Sepakat HTTP API: 5xx answers',
      5,
    );
    return topic;
  }

  /**
   * SES events: the configuration set (the identity's default, so every message) publishes bounces and complaints
   * to a topic; the mailEvents function records each on the case of the address (core/case/mail-events.ts).
   */
  private mailEvents(mailConfiguration: ConfigurationSet): Topic {
    const topic = new Topic(this, 'MailEvents', {
      displayName: 'Sepakat SES bounces and complaints',
      enforceSSL: true,
    });
    mailConfiguration.addEventDestination('BouncesComplaints', {
      destination: EventDestination.snsTopic(topic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    topic.addSubscription(
      new LambdaSubscription(this.functions.mailEvents.fn, { deadLetterQueue: this.deadLetterQueues.mailEvents! }),
    );
    acknowledge(
      topic,
      'AwsSolutions-SNS2',
      'SES bounce and complaint events: the addresses and the case tag only, no content; SES cannot publish to a topic encrypted with the AWS-managed SNS key, and TLS is enforced (enforceSSL).',
    );
    return topic;
  }

  /**
   * The dashboard: per metric of core/metrics.ts, its total and its series by pemda and SOP (a SEARCH over the
   * `pemda, sop` dimensions, so a new pemda or SOP appears without a redeploy); then, per function, errors,
   * throttles and duration (average and maximum against 80% of the timeout).
   */
  private operatorDashboard(): Dashboard {
    const period = Duration.minutes(5);
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: 'sepakat',
      defaultInterval: Duration.days(7),
    });
    dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# Sepakat\nKasus, tugas, dokumen dan email per pemda dan SOP (metrik `Sepakat`), lalu kesehatan setiap fungsi.',
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new SingleValueWidget({
        title: 'Jumlah (seluruh pemda dan SOP)',
        metrics: METRIC_NAMES.map((name) => productMetric(name, Duration.days(1))),
        width: 24,
        height: 5,
      }),
    );
    const byPemdaSop = (name: MetricName) =>
      new MathExpression({
        expression: `SEARCH('{${METRIC_NAMESPACE},pemda,sop} MetricName="${name}"', 'Sum', ${period.toSeconds()})`,
        usingMetrics: {},
        label: name,
        period,
      });
    dashboard.addWidgets(
      ...METRIC_NAMES.map(
        (name) =>
          new GraphWidget({ title: `${name} per pemda dan SOP`, left: [byPemdaSop(name)], width: 8, height: 6 }),
      ),
    );
    for (const spec of FUNCTIONS) {
      const { fn } = this.functions[spec.id];
      dashboard.addWidgets(
        new GraphWidget({
          title: `${spec.id}: galat dan throttle`,
          left: [fn.metricErrors({ period, statistic: 'Sum' }), fn.metricThrottles({ period, statistic: 'Sum' })],
          width: 12,
          height: 5,
        }),
        new GraphWidget({
          title: `${spec.id}: durasi (ms)`,
          left: [
            fn.metricDuration({ period, statistic: 'Average' }),
            fn.metricDuration({ period, statistic: 'Maximum' }),
          ],
          leftAnnotations: [{ value: spec.timeoutSeconds * 1000 * DURATION_ALARM_SHARE, label: '80% batas waktu' }],
          width: 12,
          height: 5,
        }),
      );
    }
    return dashboard;
  }

  /** Findings on resources CDK generates for us, each with its reason. */
  private suppressGeneratedFindings() {
    // The S3 notification custom resource (one per stack): CDK's handler, its role and inline policy.
    const handler = this.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
    if (!handler) return;
    acknowledge(
      handler,
      'AwsSolutions-IAM4',
      'CDK’s own S3-notification handler (runs only during deployment) uses AWSLambdaBasicExecutionRole to write its logs.',
      ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    );
    acknowledge(
      handler,
      'AwsSolutions-IAM5',
      'CDK’s own S3-notification handler: s3:PutBucketNotification is granted on "*" by the construct; it only ever configures the intake bucket.',
      ['Resource::*'],
    );
  }
}

/** A duration alarm fires past this share of the function's timeout. */
export const DURATION_ALARM_SHARE = 0.8;

/** One of the product's EMF metrics (core/metrics.ts) in the aggregate: every pemda and SOP. */
export function productMetric(name: MetricName, period: Duration): Metric {
  return new Metric({ namespace: METRIC_NAMESPACE, metricName: name, statistic: 'Sum', period });
}

/**
 * The environment of every function: exactly what functions/config.ts requires, the secret that holds the link key
 * (read at cold start, functions/lambda/bootstrap.ts) instead of the key, and the data copied beside the bundle.
 * No SEPAKAT_ENDPOINT_* (the SDK's defaults) and no SEPAKAT_DEV_PKI_DIR (the development CA is never deployed).
 */
export function functionEnvironment(
  stack: Stack,
  stateful: SepakatStateful,
  settings: Settings,
  publicBaseUrl: string,
): Record<string, string> {
  return {
    SEPAKAT_REGION: stack.region,
    SEPAKAT_TABLE_CASES: stateful.tables.cases.tableName,
    SEPAKAT_TABLE_TASKS: stateful.tables.tasks.tableName,
    SEPAKAT_TABLE_HISTORY: stateful.tables.history.tableName,
    SEPAKAT_TABLE_DOCUMENTS: stateful.tables.documents.tableName,
    SEPAKAT_TABLE_REGISTER: stateful.tables.register.tableName,
    SEPAKAT_TABLE_AGREEMENTS: stateful.tables.agreements.tableName,
    SEPAKAT_TABLE_INTAKE: stateful.tables.intakes.tableName,
    SEPAKAT_TABLE_LIMITS: stateful.tables.limits.tableName,
    SEPAKAT_BUCKET_INTAKE: stateful.bucketNames.intake,
    SEPAKAT_BUCKET_DOCUMENTS: stateful.bucketNames.documents,
    SEPAKAT_BUCKET_ARCHIVE: stateful.bucketNames.archive,
    // A prefix, not the machines' ARNs: the machines depend on the functions, never the other way round.
    SEPAKAT_STATE_MACHINE_ARN_PREFIX: `arn:aws:states:${stack.region}:${stack.account}:stateMachine:`,
    SEPAKAT_PUBLIC_BASE_URL: publicBaseUrl,
    SEPAKAT_MAIL_FROM: settings.mailFrom,
    SEPAKAT_LINK_KEY_SECRET_ARN: stateful.linkKey.secretArn,
    SEPAKAT_SOP_DIRS: `${TASK_ROOT}/sops`,
    SEPAKAT_CONFIG_DIR: `${TASK_ROOT}/config`,
    SEPAKAT_TEMPLATES_DIR: `${TASK_ROOT}/templates`,
  };
}
