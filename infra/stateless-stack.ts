import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, Stage, type CfnElement, type StackProps } from 'aws-cdk-lib';
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
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
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
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { DefinitionBody, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { acknowledge } from './nag.ts';
import type { Construct } from 'constructs';
import { INTAKE_PREFIX, MANIFEST_NAME } from '../core/case/intake.ts';
import {
  compactAsl,
  compileSop,
  FunctionPlaceholders,
  placeholdersOf,
  type FunctionRole,
} from '../core/sop/compile-sop.ts';
import type { Sop } from '../core/sop/load-sop.ts';
import { KEY_SECRET_ARN, stateMachineName } from '../functions/config.ts';
import { ORIGIN_HEADER } from '../functions/handlers/front-door.ts';
import type { SepakatEdge } from './edge-stack.ts';
import { ACCESS, KEY_NAME, type BucketAction, type BucketKey, type TableAccess, type TableKey } from './grants.ts';
import { ChromiumLayer } from './chromium-layer.ts';
import { FUNCTIONS, type FunctionId } from './functions.ts';
import { SepakatFunction, TASK_ROOT } from './sepakat-function.ts';
import type { Settings } from './settings.ts';
import { FIXED_NAMES, RUN_SCHEDULE_FUNCTION_NAME, SIGNING_KEY_TAG, type SepakatStateful } from './stateful-stack.ts';

import { SIGNING_SCRATCH_PREFIX } from '../functions/signing/signing-invocation.ts';
import { EXPORT_SCRATCH_PREFIX } from '../functions/render/export-printing.ts';
import { CALENDAR_PREFIX } from '../functions/adapters/calendar-store.ts';
import { METRIC_NAMES, METRIC_NAMESPACE, type MetricName } from '../core/metrics.ts';

export interface StatelessProps extends StackProps {
  readonly settings: Settings;
  readonly stateful: SepakatStateful;
  /** The front door's web ACL and certificate (us-east-1). */
  readonly edge: SepakatEdge;
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
  'sweepStranded',
  'runSchedule',
];

/** Timed work (EventBridge Scheduler). */
export const SCHEDULES: readonly { id: FunctionId; every: Duration; what: string }[] = [
  { id: 'reconcile', every: Duration.minutes(5), what: 'reports decisions whose report failed' },
  { id: 'sweepRegisters', every: Duration.hours(1), what: 'voids numbers lost to an interrupted allocation' },
  { id: 'sweepIntake', every: Duration.minutes(15), what: 'finishes, expires and quarantines permohonan left behind' },
  { id: 'sweepStranded', every: Duration.minutes(15), what: 'continues active cases that have no running execution' },
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

/**
 * Everything that can be redeployed at will: the functions, one state machine per SOP version (its definition an S3
 * asset), the HTTP API, the intake notification, the recurring schedules, dead-letter queues and alarms. What stored
 * state refers to (user pool, schedule group and scheduler role, SES identity, …) is the stateful stack's.
 */
export class SepakatStateless extends Stack {
  readonly functions: Record<FunctionId, SepakatFunction>;
  readonly stateMachines: { sop: Sop; machine: StateMachine }[] = [];
  /** The one role and the one log group of every SOP state machine: a version adds no IAM or log resource. */
  readonly stateMachineRole: Role;
  readonly stateMachineLogs: LogGroup;
  readonly deadLetterQueues: Partial<Record<FunctionId, Queue>> = {};

  /**
   * The region's zones as CloudFormation resolves them at deploy time (Fn::GetAZs), not looked up: with a concrete
   * account and region CDK would ask EC2 for them (a context lookup that needs credentials), and `npm run synth` must
   * stay offline. The signing network uses the first two.
   */
  override get availabilityZones(): string[] {
    return [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
  }
  readonly api: HttpApi;
  /** The front door: CloudFront with the edge stack's web ACL, the only way to the HTTP API. */
  readonly frontDoor: Distribution;
  /** What CloudFront sends in the origin header; the http function refuses any request without it. */
  readonly originSecret: Secret;
  readonly publicBaseUrl: string;
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
    this.originSecret = new Secret(this, 'OriginSecret', {
      description: 'Sepakat: the origin header CloudFront sends to the HTTP API (the http function refuses others)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.originSecret,
      'AwsSolutions-SMG4',
      'Not rotated by a Lambda: CloudFront holds the value in its origin configuration and the http function reads it at cold start, so a new value takes a deploy of this stack (replace the secret) rather than a rotation that one side would miss.',
    );
    this.frontDoor = this.frontDoorFor(props.edge, settings);
    this.publicBaseUrl = this.publicBaseUrlFor(settings, this.frontDoor);

    for (const fid of ASYNC_FUNCTIONS)
      this.deadLetterQueues[fid] = new Queue(this, `${fid}DeadLetters`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
    for (const queue of Object.values(this.deadLetterQueues))
      acknowledge(queue, 'AwsSolutions-SQS3', 'This queue is itself a dead-letter queue (of a Lambda function).');

    // The schedule group, the scheduler's role and its dead-letter queue are the stateful stack's (every pending
    // schedule stores them), named here by their fixed names.
    const schedulerEnvironment = {
      SEPAKAT_SCHEDULER_GROUP: stateful.scheduler.group,
      SEPAKAT_SCHEDULER_TARGET_ARN: stateful.scheduler.targetArn,
      SEPAKAT_SCHEDULER_ROLE_ARN: stateful.scheduler.roleArn,
      SEPAKAT_SCHEDULER_DLQ_ARN: stateful.scheduler.deadLetterArn,
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
    // The schedule group exists before any function that schedules: the stateful stack is deployed first.

    this.grantData(stateful);
    this.grantScheduling(stateful);
    this.grantSigning(stateful);
    this.grantRender(stateful);

    // One state machine per SOP version, from the very ASL the local runtime executes.
    const aslDir = join(Stage.of(this)!.outdir, 'sepakat-asl');
    mkdirSync(aslDir, { recursive: true });
    ({ role: this.stateMachineRole, logs: this.stateMachineLogs } = this.stateMachineShared());
    for (const sop of props.sops) this.stateMachines.push({ sop, machine: this.stateMachine(sop, aslDir) });
    this.grantWorkflows();

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

    // Only the HTTP function signs staff in (functions/adapters/cognito-identity.ts); the issuer is pinned.
    const { userPool, userPoolClient } = stateful;
    this.functions.http.fn.addEnvironment('SEPAKAT_COGNITO_USER_POOL_ID', userPool.userPoolId);
    this.functions.http.fn.addEnvironment('SEPAKAT_COGNITO_CLIENT_ID', userPoolClient.userPoolClientId);
    this.functions.http.fn.addEnvironment(
      'SEPAKAT_COGNITO_ISSUER',
      `https://cognito-idp.${this.region}.amazonaws.com/${userPool.userPoolId}`,
    );
    // Only the HTTP function knows the front door's secret (functions/handlers/front-door.ts).
    this.functions.http.fn.addEnvironment('SEPAKAT_ORIGIN_SECRET_ARN', this.originSecret.secretArn);
    this.functions.http.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.originSecret.secretArn] }),
    );
    this.mailEventTopic = this.mailEvents();
    this.alarmTopic = this.alarmsFor(settings, stateful);
    this.dashboard = this.operatorDashboard();
    this.suppressGeneratedFindings();
  }

  /**
   * CloudFront before the HTTP API, with the edge stack's WAF web ACL (and its certificate for the custom domain).
   * Nothing is cached (every page is per person, `no-store`); every viewer header but Host goes to the origin, with
   * CloudFront-Viewer-Address (the managed AllViewerExceptHostHeader policy: API Gateway needs its own Host), and
   * the origin secret is added to every request.
   */
  private frontDoorFor(edge: SepakatEdge, settings: Settings): Distribution {
    const certificate = edge.certificate;
    const distribution = new Distribution(this, 'FrontDoor', {
      comment: 'Sepakat: the front door (WAF) of the HTTP API',
      defaultBehavior: {
        origin: new HttpOrigin(`${this.api.apiId}.execute-api.${this.region}.${this.urlSuffix}`, {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          customHeaders: { [ORIGIN_HEADER]: this.originSecret.secretValue.unsafeUnwrap() },
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      webAclId: edge.webAcl.attrArn,
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Edges in Asia (Jakarta included) without the most expensive regions.
      priceClass: PriceClass.PRICE_CLASS_200,
      // CloudFront's own certificate (no custom domain) has a fixed security policy.
      ...(certificate && settings.customDomain
        ? {
            certificate,
            domainNames: [settings.customDomain],
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    acknowledge(
      distribution,
      'AwsSolutions-CFR1',
      'No geo restriction: partners of a cooperation agreement may be abroad (a foreign city, a ministry mission) and act from their emailed links.',
    );
    acknowledge(
      distribution,
      'AwsSolutions-CFR3',
      'No CloudFront access log: every request that passes the guard is in the HTTP API stage’s access log (route, status, time), and WAF’s metrics and sampled requests show what was blocked; a standard log bucket would need ACLs enabled.',
    );
    if (!certificate)
      acknowledge(
        distribution,
        'AwsSolutions-CFR4',
        'Without sepakat:customDomain the distribution serves CloudFront’s own *.cloudfront.net certificate, whose security policy CloudFront fixes; with a custom domain the policy is TLSv1.2_2021.',
      );
    new CfnOutput(this, 'AlamatSitus', {
      description: 'The public address of Sepakat (the front door): emailed links and the allowed origin use it.',
      value: this.publicBaseUrlFor(settings, distribution),
    });
    if (settings.customDomain)
      new CfnOutput(this, 'CatatanDnsSitus', {
        description: `The DNS record that points ${settings.customDomain} at the front door: create it in the pemda's DNS (a CNAME; at a zone apex, the DNS provider's ALIAS/ANAME).`,
        value: `${settings.customDomain}. CNAME ${distribution.distributionDomainName}.`,
      });
    return distribution;
  }

  private publicBaseUrlFor(settings: Settings, distribution: Distribution): string {
    return settings.publicUrl ?? `https://${settings.customDomain ?? distribution.distributionDomainName}`;
  }

  /**
   * Tables, buckets, mail and the link key, exactly as ACCESS says, with the actions the adapters call (no
   * wildcards): GetItem/Query on the table and each of its indexes by name, PutItem/UpdateItem; GetObject (also
   * HeadObject and presigned GETs), PutObject (also CopyObject's target and presigned PUTs), DeleteObject, and
   * ListBucket (without it S3 answers 403 instead of 404 for a missing key, which the adapters rely on).
   */
  private grantData(stateful: SepakatStateful) {
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
        stateful.mailIdentity.grantSendEmail(role);
        // The identity's default configuration set applies to every message: SES authorizes it too.
        role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['ses:SendEmail', 'ses:SendRawEmail'],
            resources: [
              this.formatArn({
                service: 'ses',
                resource: 'configuration-set',
                resourceName: FIXED_NAMES.mailConfiguration,
              }),
            ],
          }),
        );
      }
      // The keys it uses, read at cold start (functions/lambda/bootstrap.ts); none it does not.
      for (const key of access.keys) {
        const secret = stateful.keys[key];
        role.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
        );
        this.functions[fid].fn.addEnvironment(KEY_SECRET_ARN[KEY_NAME[key]], secret.secretArn);
      }
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
      maxAzs: 2,
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
   * Printing: only the render function writes the print scratch prefix of the documents bucket as such, and reads it
   * (a large request of a LambdaRenderer: HTML, a view, a PDF to draw) and nothing else; the functions that render
   * through it (ACCESS `invokesRender`) may invoke it and nothing else.
   */
  private grantRender(stateful: SepakatStateful) {
    const render = this.functions.render;
    const scratch = `arn:aws:s3:::${stateful.bucketNames.documents}/${EXPORT_SCRATCH_PREFIX}*`;
    render.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [scratch] }),
    );
    acknowledge(
      render.role,
      'AwsSolutions-IAM5',
      "The render function reads a large render request and writes each PDF or page image it renders under the documents bucket's print scratch prefix (random keys, expired by lifecycle).",
      [`Resource::${scratch}`],
    );
    for (const [fid, access] of Object.entries(ACCESS) as [FunctionId, (typeof ACCESS)[FunctionId]][]) {
      if (!access.invokesRender) continue;
      const { fn, role } = this.functions[fid];
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [render.fn.functionArn] }),
      );
      fn.addEnvironment('SEPAKAT_RENDER_FUNCTION', render.fn.functionArn);
    }
  }

  /**
   * The functions that schedule or cancel timed work (ACCESS `schedules`): CreateSchedule and DeleteSchedule on the
   * schedules of the Sepakat group only, and PassRole on the scheduler's role only, for EventBridge Scheduler only.
   */
  private grantScheduling(stateful: SepakatStateful) {
    const schedules = `arn:aws:scheduler:${this.region}:${this.account}:schedule/${stateful.scheduler.group}/*`;
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
          resources: [stateful.scheduler.roleArn],
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

  /** Every Sepakat state machine (one per SOP version, all named sepakat-…), by one ARN pattern. */
  private machinePattern(): string {
    return `arn:aws:states:${this.region}:${this.account}:stateMachine:${stateMachineName('')}*`;
  }

  /**
   * The functions that start executions, report task results or stop executions, on every Sepakat state machine by
   * one ARN pattern (`stateMachine:sepakat-*`): their policies stay the same size whatever the number of SOP
   * versions, and name no state machine, so no function waits for one.
   */
  private grantWorkflows() {
    const machines = this.machinePattern();
    // Executions are named per case (permohonan-<id>, continuations) under their machine's name.
    const executions = `arn:aws:states:${this.region}:${this.account}:execution:${stateMachineName('')}*:*`;
    for (const [fid, access] of Object.entries(ACCESS) as [FunctionId, (typeof ACCESS)[FunctionId]][]) {
      const grantee = this.functions[fid].workflowGrantee.grantPrincipal;
      const grants = [
        ...(access.taskResponse
          ? [
              {
                actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
                on: machines,
              },
            ]
          : []),
        ...(access.startExecution ? [{ actions: ['states:StartExecution'], on: machines }] : []),
        ...(access.stopExecution ? [{ actions: ['states:StopExecution'], on: executions }] : []),
        // The stranded-case sweep asks which executions run (core/case/stranded.ts).
        ...(access.listExecutions ? [{ actions: ['states:ListExecutions'], on: machines }] : []),
      ];
      for (const { actions, on } of grants)
        grantee.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [on] }));
      if (grants.length)
        acknowledge(
          this.functions[fid],
          'AwsSolutions-IAM5',
          'The Sepakat state machines (one per SOP version, all named sepakat-…) and their executions (named per case): one ARN pattern each, so the policy does not grow with every SOP version; only the actions this function needs (infra/grants.ts).',
          [...new Set(grants.map((g) => `Resource::${g.on}`))],
        );
    }
  }

  /**
   * What every SOP state machine shares, so that a version costs its state machine and its one alarm and nothing
   * else (CloudFormation's 500 resources): one role and one log group.
   * The role: all the machines need the same (invoke the functions a compiled SOP may call, deliver their logs,
   * X-Ray), so one role serves them all; it invokes the functions of FunctionPlaceholders by their unqualified ARN
   * (as the ASL names them), a fixed list, so its policy does not grow with the number of versions. Only the Sepakat
   * state machines (sepakat-…) of this account may assume it. The cost: a machine may invoke a function its own
   * definition does not name, but every one of them runs the same compiled kind of SOP.
   * The log group: Step Functions logging accepts a shared log group; each execution writes its own log stream
   * (states/<machine name>/<execution>), so the machine and the case stay apparent.
   */
  private stateMachineShared(): { role: Role; logs: LogGroup } {
    const machines = this.machinePattern();
    const role = new Role(this, 'StateMachineRole', {
      description: 'Sepakat: the role of every SOP state machine (one per version)',
      assumedBy: new ServicePrincipal('states.amazonaws.com', {
        conditions: {
          ArnLike: { 'aws:SourceArn': machines },
          StringEquals: { 'aws:SourceAccount': this.account },
        },
      }),
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: (Object.keys(FunctionPlaceholders) as FunctionRole[]).map((r) => this.functions[r].fn.functionArn),
      }),
    );
    acknowledge(
      role,
      'AwsSolutions-IAM5',
      'CloudWatch Logs delivery (logs:CreateLogDelivery, …) and X-Ray (xray:PutTraceSegments, …) support no resource-level permissions; Step Functions needs them on "*" for logging and tracing.',
      ['Resource::*'],
    );
    const logs = new LogGroup(this, 'StateMachineLogs', {
      // The /aws/vendedlogs/ prefix keeps Step Functions from adding a log resource policy per state machine (the
      // account's 5,120-character limit on those would cap the number of SOP versions).
      logGroupName: `/aws/vendedlogs/states/${stateMachineName('').replace(/-$/, '')}`,
      retention: RetentionDays.ONE_YEAR,
      // Operational logs only: the durable record of a case is its history in DynamoDB.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    return { role, logs };
  }

  private stateMachine(sop: Sop, aslDir: string): StateMachine {
    const name = stateMachineName(sop.key);
    // The compiled ASL, as compact JSON: the same definition compileSop gives (parsed, it is equal), without the
    // indentation. It goes to S3 as an asset (DefinitionS3Location), not into the template: each version would add
    // 75–170 KB to it, against CloudFormation's 1 MB.
    const definition = compactAsl(compileSop(sop));
    const definitionFile = join(aslDir, `${name}.asl.json`);
    writeFileSync(definitionFile, definition);
    const used = placeholdersOf(definition);
    const roleOf = new Map<string, FunctionRole>(
      Object.entries(FunctionPlaceholders).map(([role, p]) => [p, role as FunctionRole]),
    );
    const functionOf = (placeholder: string) => {
      const role = roleOf.get(placeholder);
      if (!role) throw new Error(`${sop.key}: unknown placeholder \${${placeholder}}`);
      return this.functions[role].fn;
    };
    return new StateMachine(this, name, {
      stateMachineName: name,
      comment: `${sop.definition.header.nama} (${sop.key})`,
      definitionBody: DefinitionBody.fromFile(definitionFile),
      definitionSubstitutions: Object.fromEntries(used.map((p) => [p, functionOf(p).functionArn])),
      role: this.stateMachineRole,
      // ALL: every state transition is logged, so an operator can follow a case step by step; the volume is small
      // (human-paced cases). Without execution data: inputs and outputs carry case data, personal data of pemohon
      // and officials, and the task tokens of human waits, which must never leave the tasks table.
      logs: { destination: this.stateMachineLogs, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
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

  private alarmsFor(settings: Settings, stateful: SepakatStateful): Topic {
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
    // One alarm per SOP version, on failed executions only. No aggregate is honest here: the AWS/States metrics carry
    // the StateMachineArn dimension only, an alarm cannot use SEARCH, and a metric-math alarm over the list of
    // machines still grows with it (and takes at most 10 metrics), so each version adds this alarm (and its machine).
    // No ExecutionsTimedOut alarm: the compiled ASL has no top-level TimeoutSeconds (test/infra.test.ts checks it),
    // and a human wait ends after its bounded TimeoutSeconds and continues in a new execution, so no execution comes
    // near Step Functions' one-year limit. Were one to time out all the same, its case would be active without a
    // running execution: the stranded-case sweep continues it and counts it in StrandedCases, which alarms above.
    for (const { sop, machine } of this.stateMachines)
      alarm(
        `${stateMachineName(sop.key)}Failed`,
        machine.metricFailed({ period, statistic: 'Sum' }),
        `${sop.key}: an execution failed`,
      );
    for (const [fid, queue] of Object.entries(this.deadLetterQueues))
      alarm(
        `${fid}DeadLetters`,
        queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        `Sepakat ${fid}: events in the dead-letter queue`,
        0,
      );
    alarm(
      'ScheduleDeadLetters',
      stateful.scheduleDeadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      'Sepakat: one-time schedules (reminders, monitoring) that could not be delivered',
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
  private mailEvents(): Topic {
    const topic = new Topic(this, 'MailEvents', {
      displayName: 'Sepakat SES bounces and complaints',
      enforceSSL: true,
    });
    // The configuration set is retained in the stateful stack; its destination is this stack's, named by its fixed
    // name (no reference into the stateful stack beyond the name both know).
    new ConfigurationSetEventDestination(this, 'BouncesComplaints', {
      configurationSet: ConfigurationSet.fromConfigurationSetName(
        this,
        'MailConfigurationByName',
        FIXED_NAMES.mailConfiguration,
      ),
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
 * The environment of every function: exactly what functions/config.ts requires (the secrets of the keys a function
 * uses are added with its grants, in place of the keys: read at cold start, functions/lambda/bootstrap.ts), and the
 * data copied beside the bundle.
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
    SEPAKAT_SOP_DIRS: `${TASK_ROOT}/sops`,
    SEPAKAT_CONFIG_DIR: `${TASK_ROOT}/config`,
    SEPAKAT_TEMPLATES_DIR: `${TASK_ROOT}/templates`,
  };
}
