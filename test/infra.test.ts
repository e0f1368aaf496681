import { execFile } from 'node:child_process';
import { intakeTableDefinition, limitTableDefinition } from '../functions/adapters/intake-store.ts';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compactAsl,
  compileSop,
  FunctionPlaceholders,
  placeholdersOf,
  type FunctionRole,
} from '../core/sop/compile-sop.ts';
import { documentTableDefinition } from '../functions/adapters/document-store.ts';
import { registerTableDefinitions } from '../functions/adapters/register-tables.ts';
import { agreementTableDefinition } from '../functions/adapters/agreement-store.ts';
import { tableDefinitions } from '../functions/adapters/tables.ts';
import { ConfigSchema, stateMachineName } from '../functions/config.ts';
import { IDENTITY_ATTRIBUTES } from '../core/access/claims.ts';
import { bundleFunction, EXEMPT, measureFunctions, ZIP_LIMIT_BYTES } from '../bench/bundle-sizes.ts';
import { lambdaEnvironment } from '../bench/init-times.ts';
import { METRIC_NAMES, METRIC_NAMESPACE } from '../core/metrics.ts';
import { ACCESS, type BucketKey, type TableKey } from '../infra/grants.ts';
import { ChromiumLayerBundling } from '../infra/chromium-layer.ts';
import { FUNCTIONS, type FunctionId } from '../infra/functions.ts';
import { AwsSolutionsChecks } from '../infra/nag.ts';
import { createSepakat, environmentFrom } from '../infra/stacks.ts';
import { readSettings, SettingsError } from '../infra/settings.ts';
import { SepakatStateful } from '../infra/stateful-stack.ts';
import {
  ASYNC_FUNCTIONS,
  DURATION_ALARM_SHARE,
  HTTP_ROUTES,
  RUN_SCHEDULE_FUNCTION_NAME,
  SCHEDULE_GROUP,
  SCHEDULES,
  STAFF_GROUPS,
} from '../infra/stateless-stack.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { startTestRuntime } from './support/runtime.ts';

/**
 * The CDK app, synthesized once without bundling (`aws:cdk:bundling-stacks: []`) with the context of cdk.json and
 * cdk-nag's AwsSolutions pack; then the bundles themselves: sizes, and the http handler started from a bundle
 * outside the source tree.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Resources = Record<string, Json>;

const CDK_CONTEXT = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context as Record<string, unknown>;
const SETTINGS = readSettings((key) => CDK_CONTEXT[key], PROJECT_ROOT);

function synthesize() {
  const outdir = mkdtempSync(join(tmpdir(), 'sepakat-cdk-'));
  const app = new App({ outdir, context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stacks = createSepakat(app, { settings: SETTINGS, root: PROJECT_ROOT, env: environmentFrom({}) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Policy validation (cdk-nag) runs here: any finding without an acknowledgment makes synth throw.
  app.synth();
  return { app, outdir, ...stacks };
}

let synth: ReturnType<typeof synthesize>;
let stateful: Template;
let stateless: Template;
let statelessResources: Resources;

beforeAll(() => {
  synth = synthesize();
  stateful = Template.fromStack(synth.stateful);
  stateless = Template.fromStack(synth.stateless);
  statelessResources = stateless.toJSON().Resources as Resources;
});
afterAll(() => rmSync(synth.outdir, { recursive: true, force: true }));

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);
const fnLogicalId = (id: FunctionId) => logicalId(synth.stateless, synth.stateless.functions[id].fn);
const ofType = (resources: Resources, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
/** Every statement of every IAM policy attached to a role (by the role's logical id). */
function statementsOfRole(roleLogicalId: string): Json[] {
  return ofType(statelessResources, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties.Roles).some((r: Json) => r.Ref === roleLogicalId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
}
const roleOf = (id: FunctionId) => logicalId(synth.stateless, synth.stateless.functions[id].role);
const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

describe('the stateful stack', () => {
  const definitions: Record<TableKey, ReturnType<typeof documentTableDefinition>> = (() => {
    const [cases, tasks, history] = tableDefinitions({ cases: 'c', tasks: 't', history: 'h' });
    return {
      cases: cases!,
      tasks: tasks!,
      history: history!,
      documents: documentTableDefinition('d'),
      register: registerTableDefinitions({ register: 'r' })[0]!,
      agreements: agreementTableDefinition('a'),
      intakes: intakeTableDefinition('i'),
      limits: limitTableDefinition('l'),
    };
  })();

  it('declares each table with the keys and indexes the local runtime creates, PITR and deletion protection', () => {
    for (const [key, definition] of Object.entries(definitions) as [TableKey, (typeof definitions)[TableKey]][]) {
      const id = logicalId(synth.stateful, synth.stateful.tables[key]);
      const table = stateful.toJSON().Resources[id];
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      const p = table.Properties;
      expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(p.DeletionProtectionEnabled).toBe(true);
      expect(p.BillingMode).toBe('PAY_PER_REQUEST');
      expect(p.SSESpecification).toEqual({ SSEEnabled: true });
      expect(p.KeySchema).toEqual(definition.KeySchema);
      expect(new Set(p.AttributeDefinitions)).toEqual(new Set(definition.AttributeDefinitions));
      expect(
        (p.GlobalSecondaryIndexes ?? []).map((g: Json) => ({
          IndexName: g.IndexName,
          KeySchema: g.KeySchema,
          Projection: g.Projection,
        })),
      ).toEqual(definition.GlobalSecondaryIndexes ?? []);
    }
    stateful.resourceCountIs('AWS::DynamoDB::Table', 8);
    // The abuse counters expire by themselves.
    const limits = stateful.toJSON().Resources[logicalId(synth.stateful, synth.stateful.tables.limits)];
    expect(limits.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'kedaluwarsa', Enabled: true });
  });

  it('keeps every bucket encrypted, versioned, private, TLS-only and retained', () => {
    const buckets = ofType(stateful.toJSON().Resources, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(4); // intake, documents, archive, access logs
    for (const [id, bucket] of buckets) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      const p = bucket.Properties;
      expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
        SSEAlgorithm: 'AES256',
      });
      expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(p.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
    for (const key of ['intake', 'documents', 'archive'] as BucketKey[])
      stateful.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: synth.stateful.bucketNames[key],
        LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(synth.stateful, synth.stateful.accessLogs) } },
      });
  });

  it('locks the archive in governance mode for the configured retention', () => {
    stateful.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: synth.stateful.bucketNames.archive,
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: SETTINGS.archiveRetentionDays } },
      },
    });
    // Another retention from the context.
    const app = new App({ context: CDK_CONTEXT });
    const other = new SepakatStateful(app, 'Other', {
      settings: { ...SETTINGS, archiveRetentionDays: 30 },
      env: environmentFrom({}),
    });
    Template.fromStack(other).hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } },
    });
  });

  it('generates the link key in Secrets Manager and protects the stack from termination', () => {
    stateful.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false } },
    });
    expect(synth.stateful.terminationProtection).toBe(true);
  });
});

describe('signing in the stateful stack', () => {
  it('keeps the BSrE secrets and the signing keys of the settings (none by default), retained and tagged', () => {
    const secrets = [synth.stateful.bsreCredentials, synth.stateful.bsreIdentities];
    for (const secret of secrets)
      expect(stateful.toJSON().Resources[logicalId(synth.stateful, secret)].DeletionPolicy).toBe('Retain');
    stateful.resourceCountIs('AWS::KMS::Key', 0);
    // The scratch objects of the signing function expire after a day.
    stateful.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: synth.stateful.bucketNames.documents,
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'sementara/tanda-tangan/', ExpirationInDays: 1, Status: 'Enabled' }),
        ]),
      },
    });

    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const withKeys = new SepakatStateful(app, 'DenganKunci', {
      env: environmentFrom({}),
      settings: { ...SETTINGS, signingKeys: ['walikota', 'segel'] },
    });
    const template = Template.fromStack(withKeys);
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        Tags: Match.arrayWith([{ Key: 'sepakat:tujuan', Value: 'tanda-tangan' }]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/sepakat/tanda-tangan/walikota' });
    expect(() =>
      readSettings((key) => ({ ...CDK_CONTEXT, 'sepakat:signingKeys': 'Walikota,walikota' })[key], PROJECT_ROOT),
    ).toThrow(/sepakat:signingKeys/);
    expect(
      readSettings((key) => ({ ...CDK_CONTEXT, 'sepakat:signingKeys': 'walikota, segel' })[key], PROJECT_ROOT)
        .signingKeys,
    ).toEqual(['walikota', 'segel']);
  });
});

describe('the stateless stack', () => {
  const fnProps = (id: FunctionId) => statelessResources[fnLogicalId(id)]!.Properties;
  const SCHEDULER_ENV = [
    'SEPAKAT_SCHEDULER_GROUP',
    'SEPAKAT_SCHEDULER_TARGET_ARN',
    'SEPAKAT_SCHEDULER_ROLE_ARN',
    'SEPAKAT_SCHEDULER_DLQ_ARN',
  ];

  it('runs every function on nodejs22.x with X-Ray, its own log group and exactly the configuration it needs', () => {
    // What functions/config.ts requires (no default, not optional), plus the secret that replaces the link key.
    const required = Object.entries(ConfigSchema.shape)
      .filter(([, schema]) => !schema.safeParse(undefined).success)
      .map(([key]) => key)
      .filter((key) => key !== 'SEPAKAT_LINK_KEY');
    const expected = [...required, 'SEPAKAT_REGION', 'SEPAKAT_LINK_KEY_SECRET_ARN'].sort();
    for (const spec of FUNCTIONS) {
      const p = fnProps(spec.id);
      expect(p.Runtime, spec.id).toBe('nodejs22.x');
      expect(p.Handler, spec.id).toBe(`index.${spec.handler}`);
      expect(p.MemorySize, spec.id).toBe(spec.memoryMb);
      expect(p.Timeout, spec.id).toBe(spec.timeoutSeconds);
      expect(p.TracingConfig, spec.id).toEqual({ Mode: 'Active' });
      expect(p.LoggingConfig.LogGroup, spec.id).toEqual({
        Ref: logicalId(synth.stateless, synth.stateless.functions[spec.id].logGroup),
      });
      const env = p.Environment.Variables as Record<string, unknown>;
      // Staff sign-in: the HTTP function only (the pool id, its client, the pinned issuer).
      const signIn =
        spec.id === 'http'
          ? ['SEPAKAT_COGNITO_USER_POOL_ID', 'SEPAKAT_COGNITO_CLIENT_ID', 'SEPAKAT_COGNITO_ISSUER']
          : [];
      // The scheduler: only the functions that schedule or cancel timed work (functions/lambda/bootstrap.ts).
      const scheduler = ACCESS[spec.id].schedules ? SCHEDULER_ENV : [];
      // Signing: the functions that sign through the signing function name it; it alone knows the BSrE secrets.
      const signing = [
        ...(ACCESS[spec.id].invokesSigning ? ['SEPAKAT_SIGNING_FUNCTION'] : []),
        ...(spec.id === 'signing' ? ['SEPAKAT_BSRE_CREDENTIALS_SECRET_ARN', 'SEPAKAT_BSRE_IDENTITIES_SECRET_ARN'] : []),
      ];
      expect(Object.keys(env).sort(), spec.id).toEqual([...expected, ...signIn, ...scheduler, ...signing].sort());
      // Nothing makes a function log its event (Powertools' logEvent): the signing function's holds a credential.
      expect(env.POWERTOOLS_LOGGER_LOG_EVENT, spec.id).toBeUndefined();
      expect(env.SEPAKAT_SOP_DIRS).toBe('/var/task/sops');
      expect(env.SEPAKAT_STATE_MACHINE_ARN_PREFIX).toMatch(/^arn:aws:states:ap-southeast-3:\d{12}:stateMachine:$/);
      // The HTTP API's own URL (no custom public URL in cdk.json): no cycle, the API does not depend on functions.
      expect(env.SEPAKAT_PUBLIC_BASE_URL).toEqual({
        'Fn::GetAtt': [logicalId(synth.stateless, synth.stateless.api), 'ApiEndpoint'],
      });
    }
    expect(FUNCTIONS.every((f) => fnProps(f.id).Environment.Variables.SEPAKAT_DEV_PKI_DIR === undefined)).toBe(true);
  });

  it('sizes the functions that render (openTask, document, runSchedule) for Chromium and gives them the layer', () => {
    const [[layerId, layer]] = ofType(statelessResources, 'AWS::Lambda::LayerVersion') as [[string, Json]];
    expect(layer.Properties.CompatibleRuntimes).toEqual(['nodejs22.x']);
    expect(FUNCTIONS.filter((f) => f.chromium).map((f) => f.id)).toEqual(['openTask', 'document', 'runSchedule']);
    for (const id of ['openTask', 'document', 'runSchedule'] as FunctionId[]) {
      const p = fnProps(id);
      expect(p.MemorySize, id).toBe(2048);
      expect(p.Timeout, id).toBe(300);
      expect(p.EphemeralStorage, id).toEqual({ Size: 1024 });
      expect(p.Architectures, id).toEqual(['x86_64']);
      expect(p.Layers, id).toEqual([{ Ref: layerId }]);
    }
    expect(FUNCTIONS.filter((f) => !f.chromium).every((f) => fnProps(f.id).Layers === undefined)).toBe(true);
  });

  it('builds the Chromium layer from node_modules as nodejs/node_modules/@sparticuz/chromium with its imports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sepakat-layer-'));
    try {
      expect(new ChromiumLayerBundling(PROJECT_ROOT).tryBundle(dir)).toBe(true);
      const modules = join(dir, 'nodejs', 'node_modules');
      expect(existsSync(join(modules, '@sparticuz', 'chromium', 'bin', 'chromium.br'))).toBe(true);
      expect(existsSync(join(modules, '@sparticuz', 'chromium', 'build', 'index.js'))).toBe(true);
      expect(existsSync(join(modules, 'tar-fs', 'package.json'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deploys one state machine per SOP version with the compiled ASL unchanged and each placeholder → its function', () => {
    const machines = ofType(statelessResources, 'AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(synth.stateless.stateMachines.length);
    expect(synth.stateless.stateMachines.length).toBeGreaterThanOrEqual(3);
    const roleByPlaceholder = new Map<string, FunctionRole>(
      Object.entries(FunctionPlaceholders).map(([role, p]) => [p, role as FunctionRole]),
    );
    for (const { sop, machine } of synth.stateless.stateMachines) {
      const resource = statelessResources[logicalId(synth.stateless, machine)]!;
      const p = resource.Properties;
      const compiled = compileSop(sop);
      expect(p.StateMachineName).toBe(stateMachineName(sop.key));
      // The very ASL compileSop gives (as compact JSON: parsed, the two are equal).
      expect(p.DefinitionString).toBe(compactAsl(compiled));
      expect(JSON.parse(p.DefinitionString)).toEqual(JSON.parse(compiled));
      const used = placeholdersOf(compiled);
      expect(Object.keys(p.DefinitionSubstitutions).sort()).toEqual(used);
      for (const placeholder of used)
        expect(p.DefinitionSubstitutions[placeholder], placeholder).toEqual({
          'Fn::GetAtt': [fnLogicalId(roleByPlaceholder.get(placeholder)!), 'Arn'],
        });
      expect(p.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
      expect(p.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][1]).toBe('Arn');
      expect(p.TracingConfiguration).toEqual({ Enabled: true });
      // Its role invokes exactly the functions its definition names.
      const invoke = statementsOfRole(p.RoleArn['Fn::GetAtt'][0]).filter((s) =>
        asArray(s.Action).includes('lambda:InvokeFunction'),
      );
      expect(invoke.flatMap((s) => asArray(s.Resource))).toEqual(
        used.map((u) => ({ 'Fn::GetAtt': [fnLogicalId(roleByPlaceholder.get(u)!), 'Arn'] })),
      );
    }
  });

  it('keeps the stateless template under CloudFormation’s 1 MB limit', () => {
    const size = readFileSync(join(synth.outdir, 'SepakatStateless.template.json')).length;
    // Each SOP version adds its compiled ASL (compact: about 75–170 KB in the template): see README, "Deploying to AWS".
    expect(size).toBeLessThan(1_000_000);
  });

  it('serves the action pages, the console, the archive, the intake API and the verification page', () => {
    const routes = ofType(statelessResources, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routes.sort()).toEqual(HTTP_ROUTES.flatMap((r) => r.methods.map((m) => `${m} ${r.path}`)).sort());
    // The staff console and the archive (functions/handlers/*-routes.ts): the console acts by POST (reassignment,
    // cancellation, the agreements' administration); the archive only shows. The local outbox is not deployed.
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /konsol',
        'HEAD /konsol',
        'GET /konsol/{proxy+}',
        'HEAD /konsol/{proxy+}',
        'POST /konsol/{proxy+}',
        'GET /arsip',
        'HEAD /arsip',
        'GET /arsip/{proxy+}',
        'HEAD /arsip/{proxy+}',
      ]),
    );
    expect(routes.filter((r: string) => / \/arsip/.test(r) && !/^(GET|HEAD) /.test(r))).toEqual([]);
    expect(routes.filter((r: string) => /kotak-keluar|^ANY \/(konsol|arsip)/.test(r))).toEqual([]);
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [fnLogicalId('http'), 'Arn'] },
    });
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('routeKey') },
    });
    // Capability links live in paths: the access log records the route key, never the path.
    const stage = ofType(statelessResources, 'AWS::ApiGatewayV2::Stage')[0]![1];
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/\$context\.path/);
  });

  it('starts cases from manifests in the intake bucket', () => {
    stateless.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: synth.stateful.bucketNames.intake,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: {
              Key: {
                FilterRules: [
                  { Name: 'suffix', Value: 'manifest.json' },
                  { Name: 'prefix', Value: 'permohonan/' },
                ],
              },
            },
            LambdaFunctionArn: { 'Fn::GetAtt': [fnLogicalId('intake'), 'Arn'] },
          },
        ],
      },
    });
  });

  it('signs staff in with Cognito: strong passwords, TOTP MFA, threat protection, groups, a public client', () => {
    stateless.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
        DeletionProtection: 'ACTIVE',
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
      }),
    });
    const groups = ofType(statelessResources, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
    expect(groups.sort()).toEqual([...STAFF_GROUPS].sort());
    stateless.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']),
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  it('keeps who a console user is in custom attributes only an administrator can write', () => {
    const [poolId, pool] = ofType(statelessResources, 'AWS::Cognito::UserPool')[0]!;
    const custom = (pool.Properties.Schema as { Name: string; Mutable: boolean }[]).map((a) => [a.Name, a.Mutable]);
    expect(Object.fromEntries(custom)).toEqual({ pemda: false, unit: true, peran: true, pegawai: true });
    const [, client] = ofType(statelessResources, 'AWS::Cognito::UserPoolClient')[0]!;
    expect([...client.Properties.ReadAttributes].sort()).toEqual(
      ['email', 'email_verified', 'name', ...Object.values(IDENTITY_ATTRIBUTES)].sort(),
    );
    expect(client.Properties.WriteAttributes).toEqual(['name']);
    // The HTTP function pins the pool's issuer.
    const env = fnProps('http').Environment.Variables as Record<string, unknown>;
    expect(env.SEPAKAT_COGNITO_ISSUER).toEqual({
      'Fn::Join': ['', ['https://cognito-idp.ap-southeast-3.amazonaws.com/', { Ref: poolId }]],
    });
  });

  it('sends mail from the configured domain identity with a TLS-only configuration set', () => {
    stateless.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: SETTINGS.domain,
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
    stateless.hasResourceProperties('AWS::SES::ConfigurationSet', { DeliveryOptions: { TlsPolicy: 'REQUIRE' } });
  });

  it('runs the timed work on EventBridge Scheduler, with dead-letter queues for every asynchronous function', () => {
    const schedules = ofType(statelessResources, 'AWS::Scheduler::Schedule').map(([, s]) => s.Properties);
    expect(schedules).toHaveLength(SCHEDULES.length);
    const expressions = {
      reconcile: 'rate(5 minutes)',
      sweepRegisters: 'rate(1 hour)',
      sweepIntake: 'rate(15 minutes)',
    } as const;
    for (const [id, expression] of Object.entries(expressions) as [FunctionId, string][]) {
      const schedule = schedules.find((s) => s.Target.Arn['Fn::GetAtt']?.[0] === fnLogicalId(id))!;
      expect(schedule.ScheduleExpression).toBe(expression);
      expect(schedule.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0]).toBe(
        logicalId(synth.stateless, synth.stateless.deadLetterQueues[id]!),
      );
    }
    expect([...ASYNC_FUNCTIONS].sort()).toEqual([
      'intake',
      'mailEvents',
      'reconcile',
      'runSchedule',
      'sweepIntake',
      'sweepRegisters',
    ]);
    for (const id of ASYNC_FUNCTIONS) {
      const queueId = logicalId(synth.stateless, synth.stateless.deadLetterQueues[id]!);
      expect(fnProps(id).DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
      expect(statelessResources[queueId]!.Properties.SqsManagedSseEnabled).toBe(true);
      stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('delivers one-time schedules (reminders, monitoring) to runSchedule through their own group and role', () => {
    const { account, region } = synth.stateless;
    const groupId = logicalId(synth.stateless, synth.stateless.scheduleGroup);
    const group = statelessResources[groupId]!;
    expect(group.Type).toBe('AWS::Scheduler::ScheduleGroup');
    expect(group.Properties.Name).toBe(SCHEDULE_GROUP);
    // Pending reminders and years of monitoring live in it.
    expect(group.DeletionPolicy).toBe('Retain');
    // The target has the fixed name the environment names (no cycle through its own ARN).
    expect(fnProps('runSchedule').FunctionName).toBe(RUN_SCHEDULE_FUNCTION_NAME);
    expect(fnProps('runSchedule').Handler).toBe('index.runSchedule');
    const roleId = logicalId(synth.stateless, synth.stateless.schedulerRole);
    const role = statelessResources[roleId]!.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toBeUndefined();
    // It invokes runSchedule only (unqualified, as the schedules name it) and sends undeliverable jobs to its queue.
    const dlqId = logicalId(synth.stateless, synth.stateless.deadLetterQueues.runSchedule!);
    const grants = statementsOfRole(roleId).flatMap((st) =>
      asArray(st.Action).flatMap((a: string) => asArray(st.Resource).map((r) => ({ effect: st.Effect, a, r }))),
    );
    expect(grants.sort(byJson)).toEqual(
      [
        { effect: 'Allow', a: 'lambda:InvokeFunction', r: { 'Fn::GetAtt': [fnLogicalId('runSchedule'), 'Arn'] } },
        { effect: 'Allow', a: 'sqs:SendMessage', r: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
      ].sort(byJson),
    );
    // What the functions that schedule are told, and that functions/config.ts accepts it.
    for (const spec of FUNCTIONS.filter((f) => ACCESS[f.id].schedules)) {
      const env = fnProps(spec.id).Environment.Variables;
      expect(env.SEPAKAT_SCHEDULER_GROUP, spec.id).toBe(SCHEDULE_GROUP);
      expect(asArray(statelessResources[fnLogicalId(spec.id)]!.DependsOn), spec.id).toContain(groupId);
      expect(env.SEPAKAT_SCHEDULER_TARGET_ARN, spec.id).toBe(
        `arn:aws:lambda:${region}:${account}:function:${RUN_SCHEDULE_FUNCTION_NAME}`,
      );
      expect(ConfigSchema.shape.SEPAKAT_SCHEDULER_TARGET_ARN.safeParse(env.SEPAKAT_SCHEDULER_TARGET_ARN).success).toBe(
        true,
      );
      expect(env.SEPAKAT_SCHEDULER_ROLE_ARN, spec.id).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
      expect(env.SEPAKAT_SCHEDULER_DLQ_ARN, spec.id).toEqual({ 'Fn::GetAtt': [dlqId, 'Arn'] });
    }
  });

  it('alarms to SNS on function errors, failed and timed-out executions and dead letters', () => {
    const alarms = ofType(statelessResources, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const topicId = logicalId(synth.stateless, synth.stateless.alarmTopic);
    expect(alarms.every((a) => JSON.stringify(a.AlarmActions) === JSON.stringify([{ Ref: topicId }]))).toBe(true);
    const on = (metric: string, dimension: Json) =>
      alarms.filter((a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(JSON.stringify(dimension)));
    for (const spec of FUNCTIONS) expect(on('Errors', { Ref: fnLogicalId(spec.id) }), spec.id).toHaveLength(1);
    for (const { machine } of synth.stateless.stateMachines) {
      const ref = { Ref: logicalId(synth.stateless, machine) };
      expect(on('ExecutionsFailed', ref)).toHaveLength(1);
      expect(on('ExecutionsTimedOut', ref)).toHaveLength(1);
    }
    for (const queue of Object.values(synth.stateless.deadLetterQueues)) {
      const [depth] = on('ApproximateNumberOfMessagesVisible', {
        'Fn::GetAtt': [logicalId(synth.stateless, queue), 'QueueName'],
      });
      expect(depth).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
    stateless.hasResourceProperties('AWS::SNS::Topic', {});
  });

  it('alarms on throttles, on a duration past 80% of the timeout, on stranded cases, bounces and complaints', () => {
    const alarms = ofType(statelessResources, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const on = (metric: string, dimension: Json) =>
      alarms.filter((a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(JSON.stringify(dimension)));
    for (const spec of FUNCTIONS) {
      const ref = { Ref: fnLogicalId(spec.id) };
      expect(on('Throttles', ref), spec.id).toEqual([
        expect.objectContaining({
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        }),
      ]);
      expect(on('Duration', ref), spec.id).toEqual([
        expect.objectContaining({
          Statistic: 'Maximum',
          Threshold: Math.round(spec.timeoutSeconds * 1000 * DURATION_ALARM_SHARE),
        }),
      ]);
    }
    // The product's own metrics, in the aggregate (no dimensions): any stranded case, bounce or complaint alarms.
    for (const name of ['StrandedCases', 'MailBounced', 'MailComplained']) {
      const found = alarms.filter((a) => a.Namespace === METRIC_NAMESPACE && a.MetricName === name);
      expect(found, name).toEqual([
        expect.objectContaining({
          Statistic: 'Sum',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
        }),
      ]);
      expect(found[0]!.Dimensions, name).toBeUndefined();
    }
    // An operator's address from the context subscribes to the alarm topic (none in cdk.json).
    const emails = ofType(statelessResources, 'AWS::SNS::Subscription').filter(
      ([, r]) => r.Properties.Protocol === 'email',
    );
    expect(emails).toHaveLength(SETTINGS.alarmEmail ? 1 : 0);
  });

  it('shows the business metrics by pemda and SOP and each function’s errors, throttles and duration on a dashboard', () => {
    const [[, dashboard]] = ofType(statelessResources, 'AWS::CloudWatch::Dashboard') as [[string, Json]];
    expect(dashboard.Properties.DashboardName).toBe('sepakat');
    // The body is a Fn::Join of JSON text and function references: joined with the references as markers.
    const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as (string | Json)[];
    const body = parts.map((p) => (typeof p === 'string' ? p : `<${JSON.stringify(p)}>`)).join('');
    for (const name of METRIC_NAMES)
      expect(body, name).toContain(`SEARCH('{${METRIC_NAMESPACE},pemda,sop} MetricName=\\"${name}\\"', 'Sum', 300)`);
    for (const name of METRIC_NAMES) expect(body, name).toContain(`["${METRIC_NAMESPACE}","${name}"`);
    for (const spec of FUNCTIONS) {
      const ref = `<${JSON.stringify({ Ref: fnLogicalId(spec.id) })}>`;
      for (const metric of ['Errors', 'Throttles', 'Duration'])
        expect(body, `${spec.id} ${metric}`).toContain(`["AWS/Lambda","${metric}","FunctionName","${ref}"`);
      expect(body, spec.id).toContain(`${spec.id}: durasi (ms)`);
    }
  });

  it('sends SES bounces and complaints of the configuration set through SNS to the mailEvents function', () => {
    const topicId = logicalId(synth.stateless, synth.stateless.mailEventTopic);
    const [[, destination]] = ofType(statelessResources, 'AWS::SES::ConfigurationSetEventDestination') as [
      [string, Json],
    ];
    expect(destination.Properties.EventDestination).toMatchObject({
      Enabled: true,
      MatchingEventTypes: ['bounce', 'complaint'],
      SnsDestination: { TopicARN: { Ref: topicId } },
    });
    const configurationSet = ofType(statelessResources, 'AWS::SES::ConfigurationSet')[0]![0];
    expect(destination.Properties.ConfigurationSetName).toEqual({ Ref: configurationSet });
    // SES may publish to the topic, for this account's configuration set only; the function is subscribed.
    stateless.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sns:Publish',
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: { StringEquals: Match.objectLike({ 'AWS:SourceAccount': Match.anyValue() }) },
          }),
        ]),
      },
    });
    stateless.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topicId },
      Endpoint: { 'Fn::GetAtt': [fnLogicalId('mailEvents'), 'Arn'] },
    });
  });
});

describe('least privilege', () => {
  const fnProps = (id: FunctionId) => statelessResources[fnLogicalId(id)]!.Properties;
  const allStatements = () =>
    ofType(statelessResources, 'AWS::IAM::Policy').flatMap(([id, p]) =>
      (p.Properties.PolicyDocument.Statement as Json[]).map((s): Json => ({ policy: id, ...s })),
    );
  /** Actions that AWS authorizes on "*" only. */
  const STAR_ONLY =
    /^(xray:|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)$|s3:PutBucketNotification$)/;

  it('grants no action wildcard, and Resource "*" only to actions without resource-level permissions', () => {
    for (const s of allStatements()) {
      for (const action of asArray(s.Action)) expect(action, s.policy).not.toMatch(/\*/);
      if (asArray(s.Resource).includes('*'))
        for (const action of asArray(s.Action)) expect(action, s.policy).toMatch(STAR_ONLY);
    }
  });

  const machineRefs = () =>
    synth.stateless.stateMachines.map(({ machine }) => ({ Ref: logicalId(synth.stateless, machine) })).sort(byJson);

  it('lets only the functions that report decisions send task results, and only to the SOP state machines', () => {
    for (const spec of FUNCTIONS) {
      const statements = statementsOfRole(roleOf(spec.id));
      const responses = statements.filter((s) => asArray(s.Action).includes('states:SendTaskSuccess'));
      const starts = statements.filter((s) => asArray(s.Action).includes('states:StartExecution'));
      expect(responses.length > 0, `${spec.id} task response`).toBe(ACCESS[spec.id].taskResponse);
      expect(starts.length > 0, `${spec.id} start execution`).toBe(ACCESS[spec.id].startExecution);
      for (const s of [...responses, ...starts]) expect(asArray(s.Resource).sort(byJson)).toEqual(machineRefs());
      // A withdrawn or cancelled case stops its executions: those of the SOP state machines, by name.
      const stops = statements.filter((s) => asArray(s.Action).includes('states:StopExecution'));
      expect(stops.length > 0, `${spec.id} stop execution`).toBe(ACCESS[spec.id].stopExecution);
      for (const s of stops)
        expect(asArray(s.Resource).sort()).toEqual(
          synth.stateless.stateMachines
            .map(
              ({ sop }) =>
                `arn:aws:states:${synth.stateless.region}:${synth.stateless.account}:execution:${stateMachineName(sop.key)}:*`,
            )
            .sort(),
        );
    }
    expect(FUNCTIONS.filter((f) => ACCESS[f.id].stopExecution).map((f) => f.id)).toEqual(['http']);
    expect(
      allStatements().filter((s) => asArray(s.Action).some((a: string) => a.startsWith('states:Send'))).length,
    ).toBeGreaterThan(0);
    for (const s of allStatements())
      if (asArray(s.Action).some((a: string) => a.startsWith('states:')))
        expect(asArray(s.Resource)).not.toContain('*');
  });

  it('keeps the grants that name state machines out of what the functions wait for (no dependency cycle)', () => {
    const naming = ofType(statelessResources, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('"states:'))
      .map(([id]) => id);
    expect(naming.length).toBeGreaterThan(0);
    for (const spec of FUNCTIONS)
      for (const dependency of asArray(statelessResources[fnLogicalId(spec.id)]!.DependsOn ?? []))
        expect(naming, spec.id).not.toContain(dependency);
  });

  it('lets each function reach only its own tables and buckets, with the actions infra/grants.ts declares', () => {
    const tableOutput = (key: TableKey) => logicalId(synth.stateful, synth.stateful.tables[key]);
    for (const spec of FUNCTIONS) {
      const access = ACCESS[spec.id];
      const statements = statementsOfRole(roleOf(spec.id));
      const text = JSON.stringify(statements);
      for (const key of Object.keys(synth.stateful.tables) as TableKey[]) {
        const level = access.tables[key];
        const touching = statements.filter((s) => JSON.stringify(s.Resource).includes(tableOutput(key)));
        const actions = new Set(touching.flatMap((s) => asArray(s.Action)));
        const expected = new Set([
          ...(level && level !== 'write' ? ['dynamodb:GetItem', 'dynamodb:Query'] : []),
          ...(level && level !== 'read' ? ['dynamodb:PutItem', 'dynamodb:UpdateItem'] : []),
        ]);
        expect(actions, `${spec.id} → table ${key}`).toEqual(expected);
      }
      for (const key of Object.keys(synth.stateful.bucketNames) as BucketKey[]) {
        const name = synth.stateful.bucketNames[key];
        const objectActions = new Set(
          statements
            .filter((s) => asArray(s.Resource).includes(`arn:aws:s3:::${name}/*`))
            .flatMap((s) => asArray(s.Action)),
        );
        const wanted = access.buckets[key] ?? [];
        expect(objectActions, `${spec.id} → bucket ${key}`).toEqual(
          new Set(wanted.map((a) => ({ read: 's3:GetObject', put: 's3:PutObject', delete: 's3:DeleteObject' })[a])),
        );
        // Beyond its own buckets, a function reaches only the prefix every App reads (the imported calendar years:
        // GetObject, and ListBucket with that prefix) and, for the signing function, the scratch prefix (below).
        for (const s of statements)
          for (const resource of asArray(s.Resource).filter((r: unknown) => JSON.stringify(r).includes(name))) {
            const actions = asArray(s.Action);
            const allowed =
              (wanted.length && resource === `arn:aws:s3:::${name}/*`) ||
              (wanted.includes('read') && resource === `arn:aws:s3:::${name}` && !s.Condition) ||
              (key === 'documents' &&
                resource === `arn:aws:s3:::${name}/kalender/*` &&
                actions.every((x: string) => x === 's3:GetObject')) ||
              (key === 'documents' &&
                resource === `arn:aws:s3:::${name}` &&
                JSON.stringify(s.Condition) === JSON.stringify({ StringLike: { 's3:prefix': ['kalender/*'] } })) ||
              (spec.id === 'signing' && key === 'documents' && String(resource).includes('/sementara/tanda-tangan/'));
            expect(allowed, `${spec.id} → ${String(resource)} ${JSON.stringify(actions)}`).toBeTruthy();
          }
      }
      expect(text.includes('ses:SendEmail'), `${spec.id} mail`).toBe(access.mail);
      const secrets = statements.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('secretsmanager:')));
      expect(new Set(secrets.flatMap((s) => asArray(s.Action)))).toEqual(new Set(['secretsmanager:GetSecretValue']));
      expect(JSON.stringify(secrets.map((s) => s.Resource))).toContain(
        logicalId(synth.stateful, synth.stateful.linkKey),
      );
    }
  });

  it('lets exactly the functions that schedule create and delete schedules of the group, passing only its role', () => {
    const { account, region } = synth.stateless;
    const scheduleArn = `arn:aws:scheduler:${region}:${account}:schedule/${SCHEDULE_GROUP}/*`;
    const roleId = logicalId(synth.stateless, synth.stateless.schedulerRole);
    const roleArn = { 'Fn::GetAtt': [roleId, 'Arn'] };
    // From the code paths: openTask (a task's reminders), document (an agreement's registration), http (withdrawal,
    // cancellation, the agreements' monitoring and administration) and runSchedule (what follows; cancellation).
    expect(
      FUNCTIONS.filter((f) => ACCESS[f.id].schedules)
        .map((f) => f.id)
        .sort(),
    ).toEqual(['document', 'http', 'openTask', 'runSchedule']);
    for (const spec of FUNCTIONS) {
      const statements = statementsOfRole(roleOf(spec.id));
      const scheduling = statements.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('scheduler:')));
      const passing = statements.filter((s) => asArray(s.Action).includes('iam:PassRole'));
      if (!ACCESS[spec.id].schedules) {
        expect([...scheduling, ...passing], spec.id).toEqual([]);
        continue;
      }
      expect(
        scheduling.map((s) => ({ Effect: s.Effect, Action: asArray(s.Action).sort(), Resource: s.Resource })),
        spec.id,
      ).toEqual([
        { Effect: 'Allow', Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], Resource: scheduleArn },
      ]);
      expect(
        passing.map((s) => ({ Effect: s.Effect, Action: s.Action, Resource: s.Resource, Condition: s.Condition })),
        spec.id,
      ).toEqual([
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: roleArn,
          Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        },
      ]);
    }
    // Nowhere else: no other role is passed, no other schedule touched, and only the scheduler's role invokes
    // runSchedule (no function, no state machine).
    for (const s of allStatements()) {
      if (asArray(s.Action).includes('iam:PassRole')) expect(s.Resource, s.policy).toEqual(roleArn);
      if (asArray(s.Action).some((a: string) => a.startsWith('scheduler:'))) expect(s.Resource).toEqual(scheduleArn);
    }
    const invokers = ofType(statelessResources, 'AWS::IAM::Policy').filter(([, p]) =>
      (p.Properties.PolicyDocument.Statement as Json[]).some(
        (s) =>
          asArray(s.Action).includes('lambda:InvokeFunction') &&
          JSON.stringify(s.Resource).includes(`"${fnLogicalId('runSchedule')}"`),
      ),
    );
    expect(invokers.flatMap(([, p]) => asArray(p.Properties.Roles))).toEqual([{ Ref: roleId }]);
  });

  it('runs the signing function in the VPC behind a NAT gateway with the retained Elastic IP, and http outside it', () => {
    const eip = logicalId(synth.stateful, { node: { defaultChild: synth.stateful.signingEgress } });
    stateful.hasResource('AWS::EC2::EIP', { DeletionPolicy: 'Retain', Properties: { Domain: 'vpc' } });
    // The fixed egress address is an output: what the pemda gives BSrE for its allow-list.
    const outputs = stateful.toJSON().Outputs as Json;
    const output = Object.entries(outputs).find(([id]) => id.startsWith('AlamatKeluarTandaTangan'))![1];
    expect(output.Value).toEqual({ Ref: eip });
    expect(output.Description).toMatch(/allow-list/);
    // One NAT gateway, whose address is that EIP (imported from the stateful stack).
    const nats = ofType(statelessResources, 'AWS::EC2::NatGateway');
    expect(nats).toHaveLength(1);
    expect(JSON.stringify(nats[0]![1].Properties.AllocationId)).toContain(eip);
    expect(ofType(statelessResources, 'AWS::EC2::FlowLog')).toHaveLength(1);
    // The signing function in the private subnets with egress (routed to that NAT gateway); no other function in a VPC.
    const privateSubnets = synth.stateless.signingVpc.privateSubnets.map((sn) => ({
      Ref: logicalId(synth.stateless, sn as never),
    }));
    expect(privateSubnets).toHaveLength(2);
    const routes = ofType(statelessResources, 'AWS::EC2::Route').filter(([, r]) => r.Properties.NatGatewayId);
    expect(routes).toHaveLength(2);
    for (const spec of FUNCTIONS) {
      const vpcConfig = fnProps(spec.id).VpcConfig;
      if (spec.id !== 'signing') expect(vpcConfig, spec.id).toBeUndefined();
      else expect([...vpcConfig.SubnetIds].sort(byJson)).toEqual([...privateSubnets].sort(byJson));
    }
    expect(FUNCTIONS.find((f) => f.inVpc)?.id).toBe('signing');
  });

  it('lets only the signing function call kms:Sign and kms:GetPublicKey, on tagged signing keys only', () => {
    for (const spec of FUNCTIONS) {
      const kms = statementsOfRole(roleOf(spec.id)).filter((s) =>
        asArray(s.Action).some((a: string) => a.startsWith('kms:')),
      );
      if (spec.id !== 'signing') {
        expect(kms, spec.id).toEqual([]);
        continue;
      }
      expect(kms).toHaveLength(1);
      expect(new Set(asArray(kms[0]!.Action))).toEqual(new Set(['kms:Sign', 'kms:GetPublicKey']));
      expect(kms[0]!.Condition).toEqual({
        StringEquals: { 'aws:ResourceTag/sepakat:tujuan': 'tanda-tangan' },
      });
      expect(asArray(kms[0]!.Resource)).toEqual(['arn:aws:kms:ap-southeast-3:111111111111:key/*']);
    }
  });

  it('lets only the signing function read the BSrE secrets and the scratch prefix, and the signers only invoke it', () => {
    const bsre = [synth.stateful.bsreCredentials, synth.stateful.bsreIdentities].map((secret) =>
      logicalId(synth.stateful, secret),
    );
    const scratch = `arn:aws:s3:::${synth.stateful.bucketNames.documents}/sementara/tanda-tangan/*`;
    const signingArn = { 'Fn::GetAtt': [fnLogicalId('signing'), 'Arn'] };
    for (const spec of FUNCTIONS) {
      const statements = statementsOfRole(roleOf(spec.id));
      const text = JSON.stringify(statements);
      for (const secret of bsre) expect(text.includes(secret), `${spec.id} → ${secret}`).toBe(spec.id === 'signing');
      const invokes = statements.filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'));
      if (ACCESS[spec.id].invokesSigning) {
        expect(
          invokes.flatMap((s) => asArray(s.Resource)),
          spec.id,
        ).toEqual([signingArn]);
        expect(fnProps(spec.id).Environment.Variables.SEPAKAT_SIGNING_FUNCTION).toEqual(signingArn);
      } else expect(invokes, spec.id).toEqual([]);
    }
    expect(ACCESS.http.invokesSigning).toBe(true);
    const signing = statementsOfRole(roleOf('signing'));
    // Its objects: the scratch prefix (read and write), and, as every App, the imported calendar years (read).
    const objects = signing.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('s3:')));
    const calendar = (r: unknown) => String(r).includes('/kalender/') || !String(r).includes('/');
    const written = objects.filter((s) => asArray(s.Action).includes('s3:PutObject'));
    expect(written.flatMap((s) => asArray(s.Resource))).toEqual([scratch]);
    expect(objects.flatMap((s) => asArray(s.Resource)).filter((r: unknown) => r !== scratch && !calendar(r))).toEqual(
      [],
    );
    expect(new Set(objects.flatMap((s) => asArray(s.Action)))).toEqual(
      new Set(['s3:GetObject', 's3:PutObject', 's3:ListBucket']),
    );
    expect(JSON.stringify(signing)).not.toMatch(/dynamodb:|ses:|states:|scheduler:/);
  });

  it('passes cdk-nag AwsSolutions on both stacks', () => {
    // app.synth() in beforeAll would have thrown on any finding without an acknowledgment; the report says so too.
    const report = JSON.parse(readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: Json) => r.violations ?? [])).toEqual([]);
  });

  it('fails the synth on a cdk-nag finding that nobody acknowledged', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'sepakat-nag-'));
    try {
      const app = new App({ outdir, context: CDK_CONTEXT });
      new Queue(new Stack(app, 'Probe', { env: environmentFrom({}) }), 'WithoutDeadLetters');
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('justifies every cdk-nag acknowledgment', () => {
    const acknowledged = [synth.stateful, synth.stateless].flatMap((stack) =>
      stack.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
        .flatMap((m) => Object.entries(m.data as Record<string, string>)),
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    // CDK's own acknowledgments of cfn-lint rules (the signing network's literal zones, its flow log's properties).
    for (const [id, reason] of acknowledged.filter(([id]) => !id.startsWith('CloudFormation-Validate::'))) {
      // A rule of the AwsSolutions pack, or one finding of it (`AwsSolutions-IAM5[Resource::…]`), never all of IAM5.
      expect(id).toMatch(/^(Annotation::)?AwsSolutions-(IAM5\[.+\]|IAM4\[.+\]|(?!IAM)[A-Z]+\d+)$/);
      expect(reason.length, id).toBeGreaterThan(40);
    }
  });
});

describe('settings', () => {
  const context = (overrides: Record<string, unknown>) => (key: string) => ({ ...CDK_CONTEXT, ...overrides })[key];

  it('rejects a sender outside the SES domain and a retention that is not a positive number of days', () => {
    expect(() => readSettings(context({ 'sepakat:mailFrom': 'Sepakat <x@elsewhere.example>' }), PROJECT_ROOT)).toThrow(
      SettingsError,
    );
    expect(() => readSettings(context({ 'sepakat:archiveRetentionDays': 0 }), PROJECT_ROOT)).toThrow(
      /archiveRetentionDays/,
    );
    expect(() => readSettings(context({ 'sepakat:pemda': 'tidak-ada' }), PROJECT_ROOT)).toThrow(/tidak-ada/);
  });
});

describe('function bundles', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'sepakat-bundles-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  // All but the functions that render (document, runSchedule): bundled once per distinct bundle, zipped at level 9.
  it('keeps every function but the Chromium ones under 1 MB zipped', async () => {
    const rows = await measureFunctions(
      FUNCTIONS.filter((f) => !EXEMPT.has(f.id)),
      { workDir },
    );
    for (const row of rows) expect(row.zippedBytes, row.id).toBeLessThan(ZIP_LIMIT_BYTES);
    expect(rows.map((r) => r.id).sort()).toEqual(
      FUNCTIONS.filter((f) => !EXEMPT.has(f.id))
        .map((f) => f.id)
        .sort(),
    );
  });

  it('starts the bundled http handler outside the source tree against the local runtime', async () => {
    const dir = join(workDir, 'http'); // bundled by the test above (measureFunctions names the directory after it)
    if (!existsSync(join(dir, 'index.mjs')))
      await bundleFunction(
        FUNCTIONS.find((f) => f.id === 'http')!,
        dir,
      );
    // The pemda directories, calendars and naskah outlines travel with the bundle; the local development users do not.
    expect(existsSync(join(dir, 'config', 'pemda'))).toBe(true);
    expect(existsSync(join(dir, 'config', 'naskah'))).toBe(true);
    expect(existsSync(join(dir, 'config', 'pengguna'))).toBe(false);
    const rt = await startTestRuntime();
    try {
      const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
      for (const [key, value] of Object.entries(rt.app.config))
        if (value !== undefined) env[key] = Buffer.isBuffer(value) ? value.toString('base64') : String(value);
      // As in AWS: the data beside the bundle, no development PKI.
      Object.assign(env, {
        SEPAKAT_SOP_DIRS: join(dir, 'sops'),
        SEPAKAT_CONFIG_DIR: join(dir, 'config'),
        SEPAKAT_TEMPLATES_DIR: join(dir, 'templates'),
      });
      delete env.SEPAKAT_DEV_PKI_DIR;
      const event = (path: string) => ({
        rawPath: path,
        rawQueryString: '',
        headers: { host: 'sepakat.test' },
        requestContext: { http: { method: 'GET', sourceIp: '127.0.0.1' } },
      });
      const token = `${'A'.repeat(22)}.1.${'A'.repeat(8)}.${'A'.repeat(32)}`;
      const script = `
        const { http } = await import(${JSON.stringify(`file://${join(dir, 'index.mjs')}`)});
        const out = [];
        for (const event of ${JSON.stringify([event('/kesehatan'), event('/'), event(`/tugas/${token}`)])})
          out.push(await http(event));
        process.stdout.write(JSON.stringify(out));`;
      // A separate Node process, started in the bundle's directory: nothing from this project's node_modules.
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        cwd: dir,
        env,
        timeout: 30_000,
      });
      const [health, home, task] = JSON.parse(stdout) as { statusCode: number; body: string }[];
      expect(health!.statusCode).toBe(200);
      expect(JSON.parse(health!.body)).toEqual({ status: 'ok' });
      // The home page lists the SOPs: the templates and the SOP data beside the bundle were read.
      expect(home!.statusCode).toBe(200);
      expect(home!.body).toContain(
        rt.app.catalog.sops.latest('kota-penyusunan-kesepakatan-bersama').definition.header.nama,
      );
      // An unknown task link: the bundled SDK asked the local DynamoDB and found nothing.
      expect(task!.statusCode).toBe(404);
      expect(task!.body).toContain('Tautan tidak valid');
    } finally {
      await rt.cleanup();
    }
  });

  it('loads the document bundle with the Chromium layer beside it and the fonts and PDF.js inside it', async () => {
    const spec = FUNCTIONS.find((f) => f.id === 'document')!;
    const dir = join(workDir, 'task');
    await bundleFunction(spec, dir);
    // Lambda's layout, approximated: the layer's node_modules where Node's resolution from the bundle finds it.
    const layer = join(workDir, 'layer');
    new ChromiumLayerBundling(PROJECT_ROOT).tryBundle(layer);
    mkdirSync(workDir, { recursive: true });
    symlinkSync(join(layer, 'nodejs', 'node_modules'), join(workDir, 'node_modules'), 'dir');
    const fromBundle = createRequire(join(dir, 'index.mjs'));
    // functions/render/chromium.ts reads the package's version through require.resolve (NODE_PATH in Lambda).
    expect(fromBundle.resolve('@sparticuz/chromium')).toContain(join('@sparticuz', 'chromium', 'build'));
    expect(fromBundle.resolve('@fontsource/tinos/files/tinos-latin-400-normal.woff2')).toBe(
      join(dir, 'node_modules', '@fontsource', 'tinos', 'files', 'tinos-latin-400-normal.woff2'),
    );
    const script = `const m = await import(${JSON.stringify(`file://${join(dir, 'index.mjs')}`)});
      const chromium = await import('@sparticuz/chromium');
      const pdfjs = import.meta.resolve('unpdf/pdfjs');
      process.stdout.write(JSON.stringify({ document: typeof m.document, args: chromium.default.args.length > 0, pdfjs }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      // The App is built as the bundle is imported (top-level await): a deployed function's environment.
      env: lambdaEnvironment(dir),
      timeout: 30_000,
    });
    // PDF.js, which draws a signing task's page images (functions/render/page-images.ts), travels with the bundle.
    expect(JSON.parse(stdout)).toEqual({
      document: 'function',
      args: true,
      pdfjs: `file://${join(dir, 'node_modules', 'unpdf', 'dist', 'pdfjs.mjs')}`,
    });
  });
});
