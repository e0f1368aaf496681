import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
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
import { INDEX, TASK_LIST_ATTRIBUTES, tableDefinitions } from '../functions/adapters/tables.ts';
import { ConfigSchema, KEY_SECRET_ARN, stateMachineName } from '../functions/config.ts';
import { IDENTITY_ATTRIBUTES } from '../core/access/claims.ts';
import { bundleFunction, EXEMPT, measureFunctions, ZIP_LIMIT_BYTES } from '../bench/bundle-sizes.ts';
import {
  cdkContext,
  RESOURCE_LIMIT,
  rootWithSopVersions,
  synthesizeSepakat,
  templateFigures,
} from '../bench/template-sizes.ts';
import { ACCESS, KEY_NAME, type BucketKey, type SecretKeyId, type TableKey } from '../infra/grants.ts';
import { lambdaEnvironment } from '../bench/init-times.ts';
import { METRIC_NAMES, METRIC_NAMESPACE } from '../core/metrics.ts';
import { ChromiumLayerBundling } from '../infra/chromium-layer.ts';
import { FUNCTIONS, powertoolsEnvironment, type FunctionId } from '../infra/functions.ts';
import { AwsSolutionsChecks } from '../infra/nag.ts';
import { environmentFrom } from '../infra/stacks.ts';
import { EDGE_REGION, RATE_LIMIT_PER_5_MINUTES } from '../infra/edge-stack.ts';
import { ORIGIN_HEADER } from '../functions/handlers/front-door.ts';
import { readSettings, SettingsError } from '../infra/settings.ts';
import {
  FIXED_NAMES,
  RUN_SCHEDULE_FUNCTION_NAME,
  SCHEDULE_GROUP,
  SepakatStateful,
  STAFF_GROUPS,
} from '../infra/stateful-stack.ts';
import { ASYNC_FUNCTIONS, DURATION_ALARM_SHARE, HTTP_ROUTES, SCHEDULES } from '../infra/stateless-stack.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { startTestRuntime } from './support/runtime.ts';

/**
 * The CDK app, synthesized once without bundling (`aws:cdk:bundling-stacks: []`) with the context of cdk.json and
 * cdk-nag's AwsSolutions pack; then the bundles themselves: sizes, and the http handler started from a bundle
 * outside the source tree.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Resources = Record<string, Json>;

const CDK_CONTEXT = cdkContext(PROJECT_ROOT);
const SETTINGS = readSettings((key) => CDK_CONTEXT[key], PROJECT_ROOT);

/**
 * As `cdk synth` runs it, with the CLI's CDK_DEFAULT_REGION pointing elsewhere (the profile's region): the stacks
 * must still land in sepakat:region. Policy validation (cdk-nag) runs in app.synth(): any finding without an
 * acknowledgment makes it throw.
 */
const synthesize = (overrides: Record<string, unknown> = {}) =>
  synthesizeSepakat({
    root: PROJECT_ROOT,
    context: { ...CDK_CONTEXT, ...overrides },
    processEnv: { CDK_DEFAULT_REGION: 'us-east-1' },
  });

let synth: ReturnType<typeof synthesize>;
let stateful: Template;
let stateless: Template;
let statelessResources: Resources;
let statefulResources: Resources;

beforeAll(() => {
  synth = synthesize();
  stateful = Template.fromStack(synth.stateful);
  stateless = Template.fromStack(synth.stateless);
  statelessResources = stateless.toJSON().Resources as Resources;
  statefulResources = stateful.toJSON().Resources as Resources;
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
/** What a weak cross-stack reference of the stateless stack (Fn::GetStackOutput) reads in the stateful one. */
const statefulValueOf = (reference: Json) =>
  (stateful.toJSON().Outputs as Json)[reference['Fn::GetStackOutput'].OutputName].Value;
/** The text of a file asset of the stateless stack, by its S3 location. */
function assetText(location: { Bucket: string; Key: string }): string {
  const manifest = JSON.parse(readFileSync(join(synth.outdir, `${synth.stateless.artifactId}.assets.json`), 'utf8'));
  const file = Object.values(manifest.files as Record<string, Json>).find((f) =>
    Object.values(f.destinations as Record<string, Json>).some(
      (d) => d.bucketName === location.Bucket && d.objectKey === location.Key,
    ),
  );
  if (!file) throw new Error(`no asset at ${location.Key}`);
  return readFileSync(join(synth.outdir, file.source.path), 'utf8');
}
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

  it('projects into the task indexes what a list of tasks reads (INCLUDE), never the task token or a code hash', () => {
    const tasks = stateful.toJSON().Resources[logicalId(synth.stateful, synth.stateful.tables.tasks)];
    const indexes = tasks.Properties.GlobalSecondaryIndexes as Json[];
    expect(indexes.map((g) => g.IndexName).sort()).toEqual([INDEX.tasksByCase, INDEX.tasksByState].sort());
    for (const index of indexes) {
      const keys = ['taskId', ...(index.KeySchema as Json[]).map((k) => k.AttributeName as string)];
      expect(index.Projection.ProjectionType, index.IndexName).toBe('INCLUDE');
      expect([...index.Projection.NonKeyAttributes].sort(), index.IndexName).toEqual(
        TASK_LIST_ATTRIBUTES.filter((a) => !keys.includes(a)).sort(),
      );
    }
    expect(TASK_LIST_ATTRIBUTES).toEqual(expect.arrayContaining(['person', 'decision', 'state', 'executionArn']));
    // No index of any table projects everything of a task, nor the token or the code's hash by name.
    for (const [, table] of ofType(stateful.toJSON().Resources, 'AWS::DynamoDB::Table'))
      for (const index of (table.Properties.GlobalSecondaryIndexes ?? []) as Json[]) {
        expect(index.Projection.NonKeyAttributes ?? [], index.IndexName).not.toContain('taskToken');
        expect(index.Projection.NonKeyAttributes ?? [], index.IndexName).not.toContain('otp');
      }
    expect(JSON.stringify(tasks.Properties.GlobalSecondaryIndexes)).not.toMatch(/"ALL"|taskToken|"otp"/);
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
      env: environmentFrom({}, SETTINGS),
    });
    Template.fromStack(other).hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } },
    });
  });

  it('generates the three keys in Secrets Manager, one secret each, and protects the stack from termination', () => {
    const ids = Object.values(synth.stateful.keys).map((secret) => logicalId(synth.stateful, secret));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids)
      expect(stateful.toJSON().Resources[id]).toMatchObject({
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
          // The verification page's uploads (presigned PUTs) are deleted after a day too.
          Match.objectLike({ Prefix: 'verifikasi/', ExpirationInDays: 1, Status: 'Enabled' }),
        ]),
      },
    });

    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const withKeys = new SepakatStateful(app, 'DenganKunci', {
      env: environmentFrom({}, SETTINGS),
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
    // What functions/config.ts requires (no default, not optional), and the secrets of the keys a function uses.
    const required = Object.entries(ConfigSchema.shape)
      .filter(([, schema]) => !schema.safeParse(undefined).success)
      .map(([key]) => key);
    const expected = [...required, 'SEPAKAT_REGION'].sort();
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
          ? [
              'SEPAKAT_COGNITO_USER_POOL_ID',
              'SEPAKAT_COGNITO_CLIENT_ID',
              'SEPAKAT_COGNITO_ISSUER',
              // ... and the front door's origin secret (functions/handlers/front-door.ts).
              'SEPAKAT_ORIGIN_SECRET_ARN',
            ]
          : [];
      // The scheduler: only the functions that schedule or cancel timed work (functions/lambda/bootstrap.ts).
      const scheduler = ACCESS[spec.id].schedules ? SCHEDULER_ENV : [];
      // Signing: the functions that sign through the signing function name it; it alone knows the BSrE secrets.
      const signing = [
        ...(ACCESS[spec.id].invokesSigning ? ['SEPAKAT_SIGNING_FUNCTION'] : []),
        ...(spec.id === 'signing' ? ['SEPAKAT_BSRE_CREDENTIALS_SECRET_ARN', 'SEPAKAT_BSRE_IDENTITIES_SECRET_ARN'] : []),
        // Printing: the functions without Chromium that print exports name the render function.
        ...(ACCESS[spec.id].invokesRender ? ['SEPAKAT_RENDER_FUNCTION'] : []),
      ];
      const keys = ACCESS[spec.id].keys.map((key) => KEY_SECRET_ARN[KEY_NAME[key]]);
      // Powertools' Metrics and Tracer (functions/lambda/bootstrap.ts).
      const powertools = [
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_TRACE_ENABLED',
        'POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS',
        'POWERTOOLS_TRACER_CAPTURE_ERROR',
        'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
      ];
      expect(Object.keys(env).sort(), spec.id).toEqual(
        [...expected, ...signIn, ...scheduler, ...signing, ...keys, ...powertools].sort(),
      );
      // Nothing makes a function log its event (Powertools' logEvent): the signing function's holds a credential.
      expect(env.POWERTOOLS_LOGGER_LOG_EVENT, spec.id).toBeUndefined();
      // Metrics in the namespace the dashboard and the alarms read; traces on, never the response of http (pages,
      // downloads), signing (the signed document's location), caseData (a field of the case) or render (a document).
      expect(env.POWERTOOLS_METRICS_NAMESPACE, spec.id).toBe(METRIC_NAMESPACE);
      expect(env.POWERTOOLS_TRACE_ENABLED, spec.id).toBe('true');
      expect(env.POWERTOOLS_TRACER_CAPTURE_RESPONSE, spec.id).toBe(
        ['http', 'signing', 'caseData', 'render'].includes(spec.id) ? 'false' : 'true',
      );
      expect(env.SEPAKAT_SOP_DIRS).toBe('/var/task/sops');
      expect(env.SEPAKAT_STATE_MACHINE_ARN_PREFIX).toMatch(/^arn:aws:states:ap-southeast-3:\d{12}:stateMachine:$/);
      // The front door's own domain (no public URL or custom domain in cdk.json): no cycle, the distribution
      // depends on the API, which does not depend on functions.
      expect(env.SEPAKAT_PUBLIC_BASE_URL).toEqual({
        'Fn::Join': [
          '',
          ['https://', { 'Fn::GetAtt': [logicalId(synth.stateless, synth.stateless.frontDoor), 'DomainName'] }],
        ],
      });
    }
    expect(FUNCTIONS.every((f) => fnProps(f.id).Environment.Variables.SEPAKAT_DEV_PKI_DIR === undefined)).toBe(true);
  });

  it('sizes the functions that render (openTask, document, runSchedule, render) for Chromium and gives them the layer', () => {
    const [[layerId, layer]] = ofType(statelessResources, 'AWS::Lambda::LayerVersion') as [[string, Json]];
    expect(layer.Properties.CompatibleRuntimes).toEqual(['nodejs22.x']);
    expect(FUNCTIONS.filter((f) => f.chromium).map((f) => f.id)).toEqual([
      'openTask',
      'document',
      'runSchedule',
      'render',
    ]);
    for (const id of ['openTask', 'document', 'runSchedule', 'render'] as FunctionId[]) {
      const p = fnProps(id);
      expect(p.MemorySize, id).toBe(2048);
      // The render function answers the http function's synchronous Invoke within http's own 29 seconds.
      expect(p.Timeout, id).toBe(id === 'render' ? 28 : 300);
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
    const sharedRole = logicalId(synth.stateless, synth.stateless.stateMachineRole);
    const sharedLogs = logicalId(synth.stateless, synth.stateless.stateMachineLogs);
    const invoked = statementsOfRole(sharedRole)
      .filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'))
      .flatMap((s) => asArray(s.Resource));
    for (const { sop, machine } of synth.stateless.stateMachines) {
      const resource = statelessResources[logicalId(synth.stateless, machine)]!;
      const p = resource.Properties;
      const compiled = compileSop(sop);
      expect(p.StateMachineName).toBe(stateMachineName(sop.key));
      // From S3, not inline: the asset is the very ASL compileSop gives (compact JSON: parsed, the two are equal).
      expect(p.DefinitionString).toBeUndefined();
      expect(p.DefinitionS3Location.Bucket).toMatch(/^cdk-[a-z0-9]+-assets-111111111111-ap-southeast-3$/);
      const definition = assetText(p.DefinitionS3Location);
      expect(definition).toBe(compactAsl(compiled));
      expect(JSON.parse(definition)).toEqual(JSON.parse(compiled));
      const used = placeholdersOf(compiled);
      expect(Object.keys(p.DefinitionSubstitutions).sort()).toEqual(used);
      for (const placeholder of used)
        expect(p.DefinitionSubstitutions[placeholder], placeholder).toEqual({
          'Fn::GetAtt': [fnLogicalId(roleByPlaceholder.get(placeholder)!), 'Arn'],
        });
      expect(p.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
      // One log group and one role for every version: a version adds no log or IAM resource.
      expect(p.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn).toEqual({
        'Fn::GetAtt': [sharedLogs, 'Arn'],
      });
      expect(p.TracingConfiguration).toEqual({ Enabled: true });
      expect(p.RoleArn).toEqual({ 'Fn::GetAtt': [sharedRole, 'Arn'] });
      // The shared role invokes every function its definition names.
      for (const u of used)
        expect(invoked, u).toContainEqual({ 'Fn::GetAtt': [fnLogicalId(roleByPlaceholder.get(u)!), 'Arn'] });
    }
    // The shared log group, under /aws/vendedlogs/ (no log resource policy per machine).
    expect(statelessResources[sharedLogs]!.Properties.LogGroupName).toBe('/aws/vendedlogs/states/sepakat');
    expect(ofType(statelessResources, 'AWS::Logs::LogGroup').map(([, g]) => g.Properties.LogGroupName)).not.toContain(
      `/aws/vendedlogs/states/${stateMachineName(synth.stateless.stateMachines[0]!.sop.key)}`,
    );
    // The shared role: only the Sepakat state machines of this account assume it; it invokes exactly the functions a
    // compiled SOP may name (FunctionPlaceholders), by their unqualified ARN, a fixed list whatever the versions.
    expect(statelessResources[sharedRole]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'states.amazonaws.com' },
        Condition: {
          ArnLike: { 'aws:SourceArn': 'arn:aws:states:ap-southeast-3:111111111111:stateMachine:sepakat-*' },
          StringEquals: { 'aws:SourceAccount': '111111111111' },
        },
      },
    ]);
    const key = (ref: unknown) => JSON.stringify(ref);
    expect(invoked.map(key).sort()).toEqual(
      (Object.keys(FunctionPlaceholders) as FunctionRole[])
        .map((role) => key({ 'Fn::GetAtt': [fnLogicalId(role), 'Arn'] }))
        .sort(),
    );
  });

  it('catches every failure of every Task state of every state machine (States.ALL, last), so no case is stranded', () => {
    type AslState = { Type: string; Catch?: { ErrorEquals: string[]; Next: string }[]; Branches?: Asl[] };
    type Asl = { States: Record<string, AslState> };
    const tasksOf = (asl: Asl): [string, AslState][] =>
      Object.entries(asl.States).flatMap(([name, st]) => [
        ...(st.Type === 'Task' ? [[name, st] as [string, AslState]] : []),
        ...(st.Branches ?? []).flatMap(tasksOf),
      ]);
    let checked = 0;
    for (const { sop, machine } of synth.stateless.stateMachines) {
      const p = statelessResources[logicalId(synth.stateless, machine)]!.Properties;
      // The definition as deployed: the asset the template points at.
      const asl = JSON.parse(assetText(p.DefinitionS3Location)) as Asl;
      for (const [name, st] of tasksOf(asl)) {
        const last = st.Catch?.at(-1);
        expect(last?.ErrorEquals, `${sop.key}: ${name}`).toEqual(['States.ALL']);
        expect(asl.States[last!.Next], `${sop.key}: ${name} → ${last!.Next}`).toBeDefined();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(synth.stateless.stateMachines.length * 10);
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
    stateful.hasResource('AWS::Cognito::UserPool', {
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
    const groups = ofType(statefulResources, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
    expect(groups.sort()).toEqual([...STAFF_GROUPS].sort());
    stateful.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']),
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  it('keeps who a console user is in custom attributes only an administrator can write', () => {
    const [poolId, pool] = ofType(statefulResources, 'AWS::Cognito::UserPool')[0]!;
    const custom = (pool.Properties.Schema as { Name: string; Mutable: boolean }[]).map((a) => [a.Name, a.Mutable]);
    expect(Object.fromEntries(custom)).toEqual({ pemda: false, unit: true, peran: true, pegawai: true });
    const [clientId, client] = ofType(statefulResources, 'AWS::Cognito::UserPoolClient')[0]!;
    expect([...client.Properties.ReadAttributes].sort()).toEqual(
      ['email', 'email_verified', 'name', ...Object.values(IDENTITY_ATTRIBUTES)].sort(),
    );
    expect(client.Properties.WriteAttributes).toEqual(['name']);
    // The HTTP function pins the pool's issuer (the pool and its client are the stateful stack's).
    const env = fnProps('http').Environment.Variables as Record<string, Json>;
    expect(statefulValueOf(env.SEPAKAT_COGNITO_USER_POOL_ID!)).toEqual({ Ref: poolId });
    expect(statefulValueOf(env.SEPAKAT_COGNITO_CLIENT_ID!)).toEqual({ Ref: clientId });
    expect(env.SEPAKAT_COGNITO_ISSUER).toEqual({
      'Fn::Join': ['', ['https://cognito-idp.ap-southeast-3.amazonaws.com/', env.SEPAKAT_COGNITO_USER_POOL_ID]],
    });
  });

  it('sends mail from the configured domain identity with a TLS-only configuration set', () => {
    stateful.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: SETTINGS.domain,
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
    stateful.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: FIXED_NAMES.mailConfiguration,
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
    // The functions that mail may send through that configuration set (by its fixed name).
    const mailers = FUNCTIONS.filter((f) => ACCESS[f.id].mail);
    expect(mailers.length).toBeGreaterThan(0);
    for (const spec of mailers)
      expect(JSON.stringify(statementsOfRole(roleOf(spec.id))), spec.id).toContain(
        `configuration-set/${FIXED_NAMES.mailConfiguration}`,
      );
  });

  it('runs the timed work on EventBridge Scheduler, with dead-letter queues for every asynchronous function', () => {
    const schedules = ofType(statelessResources, 'AWS::Scheduler::Schedule').map(([, s]) => s.Properties);
    expect(schedules).toHaveLength(SCHEDULES.length);
    const expressions = {
      reconcile: 'rate(5 minutes)',
      sweepRegisters: 'rate(1 hour)',
      sweepIntake: 'rate(15 minutes)',
      sweepStranded: 'rate(15 minutes)',
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
      'sweepStranded',
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
    // The group, the role and the dead-letter queue are the stateful stack's (every pending schedule stores them).
    const groupId = logicalId(synth.stateful, synth.stateful.scheduleGroup);
    const group = statefulResources[groupId]!;
    expect(group.Type).toBe('AWS::Scheduler::ScheduleGroup');
    expect(group.Properties.Name).toBe(SCHEDULE_GROUP);
    // Pending reminders and years of monitoring live in it.
    expect(group.DeletionPolicy).toBe('Retain');
    // The target has the fixed name the environment names (no cycle through its own ARN).
    expect(fnProps('runSchedule').FunctionName).toBe(RUN_SCHEDULE_FUNCTION_NAME);
    expect(fnProps('runSchedule').Handler).toBe('index.runSchedule');
    const roleId = logicalId(synth.stateful, synth.stateful.schedulerRole);
    const role = statefulResources[roleId]!;
    expect(role.DeletionPolicy).toBe('Retain');
    expect(role.Properties.RoleName).toBe(FIXED_NAMES.schedulerRole);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    // Its grants are inline (retained with it): runSchedule only, by its fixed name and unqualified (as the schedules
    // name it), and undeliverable jobs to its queue.
    const dlqId = logicalId(synth.stateful, synth.stateful.scheduleDeadLetters);
    expect(statefulResources[dlqId]!.Properties.QueueName).toBe(FIXED_NAMES.scheduleDeadLetters);
    expect(ofType(statefulResources, 'AWS::IAM::Policy')).toEqual([]);
    const grants = (role.Properties.Policies as Json[])
      .flatMap((p) => p.PolicyDocument.Statement as Json[])
      .flatMap((st) =>
        asArray(st.Action).flatMap((a: string) => asArray(st.Resource).map((r) => ({ effect: st.Effect, a, r }))),
      );
    const runScheduleArn = `arn:aws:lambda:${region}:${account}:function:${RUN_SCHEDULE_FUNCTION_NAME}`;
    expect(grants.sort(byJson)).toEqual(
      [
        { effect: 'Allow', a: 'lambda:InvokeFunction', r: runScheduleArn },
        { effect: 'Allow', a: 'sqs:SendMessage', r: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
      ].sort(byJson),
    );
    // What the functions that schedule are told (the fixed names, the very ARNs of the resources above), and that
    // functions/config.ts accepts it.
    expect(synth.stateful.scheduler).toEqual({
      group: SCHEDULE_GROUP,
      targetArn: runScheduleArn,
      roleArn: `arn:aws:iam::${account}:role/${FIXED_NAMES.schedulerRole}`,
      deadLetterArn: `arn:aws:sqs:${region}:${account}:${FIXED_NAMES.scheduleDeadLetters}`,
    });
    for (const spec of FUNCTIONS.filter((f) => ACCESS[f.id].schedules)) {
      const env = fnProps(spec.id).Environment.Variables;
      expect(env.SEPAKAT_SCHEDULER_GROUP, spec.id).toBe(SCHEDULE_GROUP);
      expect(env.SEPAKAT_SCHEDULER_TARGET_ARN, spec.id).toBe(runScheduleArn);
      expect(ConfigSchema.shape.SEPAKAT_SCHEDULER_TARGET_ARN.safeParse(env.SEPAKAT_SCHEDULER_TARGET_ARN).success).toBe(
        true,
      );
      expect(env.SEPAKAT_SCHEDULER_ROLE_ARN, spec.id).toBe(synth.stateful.scheduler.roleArn);
      expect(env.SEPAKAT_SCHEDULER_DLQ_ARN, spec.id).toBe(synth.stateful.scheduler.deadLetterArn);
    }
    // The stateless stack waits for the stateful one, where the group is created once.
    expect(synth.stateless.dependencies).toContain(synth.stateful);
    expect(ofType(statelessResources, 'AWS::Scheduler::ScheduleGroup')).toEqual([]);
  });

  it('alarms to SNS on function errors, failed executions and dead letters', () => {
    const alarms = ofType(statelessResources, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const topicId = logicalId(synth.stateless, synth.stateless.alarmTopic);
    expect(alarms.every((a) => JSON.stringify(a.AlarmActions) === JSON.stringify([{ Ref: topicId }]))).toBe(true);
    const on = (metric: string, dimension: Json) =>
      alarms.filter((a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(JSON.stringify(dimension)));
    for (const spec of FUNCTIONS) expect(on('Errors', { Ref: fnLogicalId(spec.id) }), spec.id).toHaveLength(1);
    for (const { machine } of synth.stateless.stateMachines) {
      const ref = { Ref: logicalId(synth.stateless, machine) };
      expect(on('ExecutionsFailed', ref)).toHaveLength(1);
    }
    // No ExecutionsTimedOut alarms: no execution has a timeout of its own (no top-level TimeoutSeconds; human waits
    // time out as tasks, caught, and continue in a new execution); a stranded case raises StrandedCases instead.
    expect(alarms.filter((a) => a.MetricName === 'ExecutionsTimedOut')).toEqual([]);
    for (const { sop } of synth.stateless.stateMachines)
      expect(JSON.parse(compileSop(sop)).TimeoutSeconds, sop.key).toBeUndefined();
    expect(alarms.filter((a) => a.MetricName === 'StrandedCases')).toHaveLength(1);
    for (const queue of Object.values(synth.stateless.deadLetterQueues)) {
      const [depth] = on('ApproximateNumberOfMessagesVisible', {
        'Fn::GetAtt': [logicalId(synth.stateless, queue), 'QueueName'],
      });
      expect(depth).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
    // Undeliverable one-time schedules, in the stateful stack's queue.
    const scheduleAlarms = alarms.filter(
      (a) =>
        a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        JSON.stringify(a.Dimensions).includes('GetStackOutput') &&
        JSON.stringify(statefulValueOf(a.Dimensions[0].Value)) ===
          JSON.stringify({
            'Fn::GetAtt': [logicalId(synth.stateful, synth.stateful.scheduleDeadLetters), 'QueueName'],
          }),
    );
    expect(scheduleAlarms).toHaveLength(1);
    expect(scheduleAlarms[0]).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
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
    // The configuration set is the stateful stack's (retained), named by its fixed name.
    expect(destination.Properties.ConfigurationSetName).toBe(FIXED_NAMES.mailConfiguration);
    expect(ofType(statefulResources, 'AWS::SES::ConfigurationSet')[0]![1].Properties.Name).toBe(
      FIXED_NAMES.mailConfiguration,
    );
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

describe('the front door', () => {
  const edge = () => Template.fromStack(synth.edge);
  const distribution = () => ofType(statelessResources, 'AWS::CloudFront::Distribution');

  it('keeps the web ACL in us-east-1: a rate-based rule per address and the AWS managed common rule set', () => {
    expect(synth.edge.region).toBe(EDGE_REGION);
    expect(synth.stateless.region).toBe('ap-southeast-3');
    const [[, acl]] = ofType(edge().toJSON().Resources, 'AWS::WAFv2::WebACL') as [[string, Json]];
    expect(acl.Properties.Scope).toBe('CLOUDFRONT');
    expect(acl.Properties.DefaultAction).toEqual({ Allow: {} });
    const rules = acl.Properties.Rules as Json[];
    expect(rules.find((r) => r.Statement.RateBasedStatement)).toMatchObject({
      Action: { Block: {} },
      Statement: { RateBasedStatement: { Limit: RATE_LIMIT_PER_5_MINUTES, AggregateKeyType: 'IP' } },
    });
    const common = rules.find((r) => r.Statement.ManagedRuleGroupStatement)!;
    expect(common.Statement.ManagedRuleGroupStatement).toMatchObject({
      VendorName: 'AWS',
      Name: 'AWSManagedRulesCommonRuleSet',
      // Bodies the app takes (a naskah's pasal, a PDF to verify) are counted, not blocked; the rest blocks.
      RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
    });
    expect(common.OverrideAction).toEqual({ None: {} });
    // No custom domain in cdk.json: no certificate.
    edge().resourceCountIs('AWS::CertificateManager::Certificate', 0);
  });

  it('puts CloudFront with that web ACL before the HTTP API, adding the origin secret to every request', () => {
    const [[, dist]] = distribution() as [[string, Json]];
    const config = dist.Properties.DistributionConfig;
    // The web ACL's ARN crosses regions (crossRegionReferences): an output of the edge stack in us-east-1.
    expect(config.WebACLId).toEqual({
      'Fn::GetStackOutput': {
        StackName: synth.edge.stackName,
        Region: EDGE_REGION,
        OutputName: expect.stringContaining(logicalId(synth.edge, { node: { defaultChild: synth.edge.webAcl } })),
      },
    });
    const origin = (config.Origins as Json[])[0]!;
    expect(JSON.stringify(origin.DomainName)).toContain(logicalId(synth.stateless, synth.stateless.api));
    expect(origin.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    const secretId = logicalId(synth.stateless, synth.stateless.originSecret);
    expect(origin.OriginCustomHeaders).toEqual([
      {
        HeaderName: ORIGIN_HEADER,
        HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] },
      },
    ]);
    const behavior = config.DefaultCacheBehavior;
    expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behavior.AllowedMethods).toHaveLength(7);
    // Managed policies: CachingDisabled, AllViewerExceptHostHeader (API Gateway needs its own Host; the viewer's
    // address travels as CloudFront-Viewer-Address).
    expect(behavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(behavior.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    // The secret is generated, and only the http function may read it.
    stateless.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
    for (const spec of FUNCTIONS) {
      const reads = statementsOfRole(roleOf(spec.id)).filter((st) => JSON.stringify(st.Resource).includes(secretId));
      expect(reads.length > 0, spec.id).toBe(spec.id === 'http');
      for (const st of reads) expect(asArray(st.Action)).toEqual(['secretsmanager:GetSecretValue']);
    }
    expect(fnProps('http').Environment.Variables.SEPAKAT_ORIGIN_SECRET_ARN).toEqual({ Ref: secretId });
    // The public address is the front door's.
    expect(Object.values(stateless.toJSON().Outputs as Json).map((o) => o.Value)).toContainEqual({
      'Fn::Join': [
        '',
        ['https://', { 'Fn::GetAtt': [logicalId(synth.stateless, synth.stateless.frontDoor), 'DomainName'] }],
      ],
    });
  });

  it('creates the custom domain from context: a DNS-validated certificate in us-east-1, the alias, the records to create', () => {
    const domain = 'sepakat.kota-contoh.go.id';
    const other = synthesize({ 'sepakat:customDomain': domain });
    try {
      const edgeTemplate = Template.fromStack(other.edge);
      edgeTemplate.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: domain,
        ValidationMethod: 'DNS',
      });
      // No hosted zone: the pemda's DNS gets the record by hand, and the output says how to read it.
      const [[, cert]] = ofType(edgeTemplate.toJSON().Resources, 'AWS::CertificateManager::Certificate') as [
        [string, Json],
      ];
      expect(cert.Properties.DomainValidationOptions).toBeUndefined();
      const edgeOutputs = Object.values(edgeTemplate.toJSON().Outputs as Json);
      expect(JSON.stringify(edgeOutputs)).toContain('aws acm describe-certificate --region us-east-1');
      expect(JSON.stringify(edgeOutputs)).toContain('DomainValidationOptions[].ResourceRecord');
      const statelessTemplate = Template.fromStack(other.stateless);
      const [[distId, dist]] = ofType(statelessTemplate.toJSON().Resources, 'AWS::CloudFront::Distribution') as [
        [string, Json],
      ];
      expect(dist.Properties.DistributionConfig.Aliases).toEqual([domain]);
      expect(dist.Properties.DistributionConfig.ViewerCertificate).toMatchObject({
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      });
      const outputs = Object.values(statelessTemplate.toJSON().Outputs as Json);
      expect(outputs).toContainEqual(
        expect.objectContaining({
          Value: { 'Fn::Join': ['', [`${domain}. CNAME `, { 'Fn::GetAtt': [distId, 'DomainName'] }, '.']] },
        }),
      );
      // Emailed links, the allowed origin of browser uploads: the custom domain.
      const http = statelessTemplate.toJSON().Resources[logicalId(other.stateless, other.stateless.functions.http.fn)];
      expect(http.Properties.Environment.Variables.SEPAKAT_PUBLIC_BASE_URL).toBe(`https://${domain}`);
      const intake = Template.fromStack(other.stateful).toJSON().Resources[
        logicalId(other.stateful, other.stateful.buckets.intake)
      ];
      expect(intake.Properties.CorsConfiguration.CorsRules[0].AllowedOrigins).toEqual([`https://${domain}`]);
    } finally {
      rmSync(other.outdir, { recursive: true, force: true });
    }
  });

  const fnProps = (id: FunctionId) => statelessResources[fnLogicalId(id)]!.Properties;
});

describe('Cognito mail', () => {
  it('sends the staff pool’s mail through SES from the pemda’s domain, with Indonesian templates', () => {
    const [, pool] = ofType(statefulResources, 'AWS::Cognito::UserPool')[0]!;
    const p = pool.Properties;
    expect(p.EmailConfiguration).toEqual({
      EmailSendingAccount: 'DEVELOPER',
      From: SETTINGS.mailFrom,
      SourceArn: `arn:aws:ses:ap-southeast-3:111111111111:identity/${SETTINGS.domain}`,
      ConfigurationSet: FIXED_NAMES.mailConfiguration,
    });
    const invitation = p.AdminCreateUserConfig.InviteMessageTemplate;
    expect(invitation.EmailSubject).toBe('Akun Sepakat Anda');
    expect(JSON.stringify(invitation.EmailMessage)).toMatch(/\{username\}.*\{####\}.*\/masuk/);
    // The pool is retained in the stateful stack: it names the sign-in address only when the deployer gave one.
    expect(JSON.stringify(invitation.EmailMessage)).not.toContain('cloudfront');
    expect(JSON.stringify(invitation.EmailMessage)).toContain('Kata sandi sementara');
    const verification = p.VerificationMessageTemplate;
    expect(verification).toMatchObject({
      DefaultEmailOption: 'CONFIRM_WITH_CODE',
      EmailSubject: 'Kode verifikasi Sepakat',
    });
    expect(verification.EmailMessage).toContain('{####}');
    expect(verification.EmailMessage).toContain('Kode verifikasi akun Sepakat Anda');
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

  /** Every Sepakat state machine, and their executions, by one pattern each: the policies do not grow per version. */
  const machinePattern = () =>
    `arn:aws:states:${synth.stateless.region}:${synth.stateless.account}:stateMachine:sepakat-*`;
  const executionPattern = () =>
    `arn:aws:states:${synth.stateless.region}:${synth.stateless.account}:execution:sepakat-*:*`;

  it('lets only the functions that report decisions send task results, and only to the SOP state machines', () => {
    // The pattern covers every state machine the stack deploys, and nothing but them is named so.
    for (const { sop } of synth.stateless.stateMachines) expect(stateMachineName(sop.key)).toMatch(/^sepakat-/);
    for (const spec of FUNCTIONS) {
      const statements = statementsOfRole(roleOf(spec.id));
      const responses = statements.filter((s) => asArray(s.Action).includes('states:SendTaskSuccess'));
      const starts = statements.filter((s) => asArray(s.Action).includes('states:StartExecution'));
      expect(responses.length > 0, `${spec.id} task response`).toBe(ACCESS[spec.id].taskResponse);
      expect(starts.length > 0, `${spec.id} start execution`).toBe(ACCESS[spec.id].startExecution);
      for (const s of [...responses, ...starts]) expect(asArray(s.Resource)).toEqual([machinePattern()]);
      // On the state machines, exactly the actions ACCESS gives (IAM may merge them into one statement).
      const onMachines = statements.filter((s) => asArray(s.Resource).includes(machinePattern()));
      expect(new Set(onMachines.flatMap((s) => asArray(s.Action))), spec.id).toEqual(
        new Set([
          ...(ACCESS[spec.id].taskResponse
            ? ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']
            : []),
          ...(ACCESS[spec.id].startExecution ? ['states:StartExecution'] : []),
          ...(ACCESS[spec.id].listExecutions ? ['states:ListExecutions'] : []),
        ]),
      );
      // A withdrawn or cancelled case stops its executions: those of the SOP state machines, by name.
      const stops = statements.filter((s) => asArray(s.Action).includes('states:StopExecution'));
      expect(stops.length > 0, `${spec.id} stop execution`).toBe(ACCESS[spec.id].stopExecution);
      for (const s of stops) expect(asArray(s.Resource)).toEqual([executionPattern()]);
    }
    expect(FUNCTIONS.filter((f) => ACCESS[f.id].stopExecution).map((f) => f.id)).toEqual(['http']);
    // Only the stranded-case sweep lists executions, and only those of the SOP state machines.
    for (const spec of FUNCTIONS) {
      const lists = statementsOfRole(roleOf(spec.id)).filter((s) =>
        asArray(s.Action).includes('states:ListExecutions'),
      );
      expect(lists.length > 0, `${spec.id} list executions`).toBe(spec.id === 'sweepStranded');
      for (const s of lists) {
        // (IAM may merge it with StartExecution, which names the same state machines.)
        for (const action of asArray(s.Action))
          expect(['states:ListExecutions', 'states:StartExecution']).toContain(action);
        expect(asArray(s.Resource)).toEqual([machinePattern()]);
      }
    }
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
              (spec.id === 'signing' && key === 'documents' && String(resource).includes('/sementara/tanda-tangan/')) ||
              (spec.id === 'render' && key === 'documents' && String(resource).includes('/sementara/cetak/'));
            expect(allowed, `${spec.id} → ${String(resource)} ${JSON.stringify(actions)}`).toBeTruthy();
          }
      }
      expect(text.includes('ses:SendEmail'), `${spec.id} mail`).toBe(access.mail);
      const secrets = statements.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('secretsmanager:')));
      // Only GetSecretValue, and only by a function that uses a key (or the signing function, its BSrE secrets).
      expect(new Set(secrets.flatMap((s) => asArray(s.Action))), spec.id).toEqual(
        new Set(access.keys.length || spec.id === 'signing' ? ['secretsmanager:GetSecretValue'] : []),
      );
    }
  });

  it('lets each key be read only by the functions that use it: links, codes and sessions apart', () => {
    // From the code paths (infra/grants.ts): action links wherever a link, a task id or a monitoring id is made or
    // checked; paraf and signature codes and console sessions in the http function only.
    const expected: Record<SecretKeyId, FunctionId[]> = {
      links: ['automatic', 'continueCase', 'document', 'http', 'intake', 'openTask', 'runSchedule', 'sweepIntake'],
      codes: ['http'],
      sessions: ['http'],
    };
    for (const [key, secret] of Object.entries(synth.stateful.keys) as [
      SecretKeyId,
      (typeof synth.stateful.keys)[SecretKeyId],
    ][]) {
      const id = logicalId(synth.stateful, secret);
      const readers = FUNCTIONS.filter((spec) =>
        statementsOfRole(roleOf(spec.id)).some(
          (s) => asArray(s.Action).includes('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource).includes(id),
        ),
      ).map((spec) => spec.id);
      expect(readers.sort(), key).toEqual(expected[key]);
      expect(
        FUNCTIONS.filter((spec) => ACCESS[spec.id].keys.includes(key))
          .map((spec) => spec.id)
          .sort(),
        key,
      ).toEqual(expected[key]);
      // The secret's ARN reaches only those functions' environments.
      for (const spec of FUNCTIONS)
        expect(
          fnProps(spec.id).Environment.Variables[KEY_SECRET_ARN[KEY_NAME[key]]] !== undefined,
          `${spec.id} ${key}`,
        ).toBe(expected[key].includes(spec.id));
    }
    // Nobody else reads any secret of the stateful stack but the signing function its BSrE secrets.
    const secretIds = ofType(stateful.toJSON().Resources, 'AWS::SecretsManager::Secret').map(([id]) => id);
    expect(secretIds).toHaveLength(5);
  });

  it('lets only the render function write the print scratch prefix, and only http invoke it', () => {
    const scratch = `arn:aws:s3:::${synth.stateful.bucketNames.documents}/sementara/cetak/*`;
    const renderArn = { 'Fn::GetAtt': [fnLogicalId('render'), 'Arn'] };
    const invokers: FunctionId[] = [];
    for (const spec of FUNCTIONS) {
      const statements = statementsOfRole(roleOf(spec.id));
      const writesScratch = statements.some(
        (s) => asArray(s.Resource).includes(scratch) && asArray(s.Action).includes('s3:PutObject'),
      );
      expect(writesScratch, spec.id).toBe(spec.id === 'render');
      const invokes = statements.filter(
        (s) =>
          asArray(s.Action).includes('lambda:InvokeFunction') &&
          asArray(s.Resource).some((r: unknown) => JSON.stringify(r) === JSON.stringify(renderArn)),
      );
      if (invokes.length) {
        invokers.push(spec.id);
        for (const s of invokes) expect(asArray(s.Action)).toEqual(['lambda:InvokeFunction']);
        expect(fnProps(spec.id).Environment.Variables.SEPAKAT_RENDER_FUNCTION).toEqual(renderArn);
      }
    }
    expect(invokers).toEqual(['http']);
    // The render function itself: its scratch prefix (a large request read, each output written) and what every App
    // reads; no table.
    const render = statementsOfRole(roleOf('render'));
    expect(render.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('dynamodb:')))).toEqual([]);
    expect(
      render.filter((s) => asArray(s.Action).includes('s3:PutObject')).flatMap((s) => asArray(s.Resource)),
    ).toEqual([scratch]);
    expect(
      render.filter((s) => asArray(s.Action).includes('s3:GetObject')).flatMap((s) => asArray(s.Resource)),
    ).toContain(scratch);
    // Its PDFs are deleted after a day.
    stateful.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: synth.stateful.bucketNames.documents,
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Prefix: 'sementara/cetak/', ExpirationInDays: 1 })]),
      },
    });
  });

  it('lets the functions that store registered documents put their copy in the Object Lock archive, and no other', () => {
    const archiveObjects = `arn:aws:s3:::${synth.stateful.bucketNames.archive}/*`;
    const putters = FUNCTIONS.filter((f) =>
      statementsOfRole(roleOf(f.id)).some(
        (s) => asArray(s.Resource).includes(archiveObjects) && asArray(s.Action).includes('s3:PutObject'),
      ),
    ).map((f) => f.id);
    // document: scans, the parties' copy, the Lembar Riwayat; http: the signed naskah or letter of a signing POST.
    expect(putters.sort()).toEqual(['document', 'http']);
  });

  it('lets exactly the functions that schedule create and delete schedules of the group, passing only its role', () => {
    const { account, region } = synth.stateless;
    const scheduleArn = `arn:aws:scheduler:${region}:${account}:schedule/${SCHEDULE_GROUP}/*`;
    const roleArn = synth.stateful.scheduler.roleArn;
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
          (JSON.stringify(s.Resource).includes(`"${fnLogicalId('runSchedule')}"`) ||
            JSON.stringify(s.Resource).includes(RUN_SCHEDULE_FUNCTION_NAME)),
      ),
    );
    expect(invokers).toEqual([]); // the scheduler's role, in the stateful stack, is the only one (tested above)
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
    const renderArn = { 'Fn::GetAtt': [fnLogicalId('render'), 'Arn'] };
    for (const spec of FUNCTIONS) {
      const statements = statementsOfRole(roleOf(spec.id));
      const text = JSON.stringify(statements);
      for (const secret of bsre) expect(text.includes(secret), `${spec.id} → ${secret}`).toBe(spec.id === 'signing');
      const invokes = statements.filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'));
      if (ACCESS[spec.id].invokesSigning) {
        // Besides the render function, for a function that prints through it (checked below).
        expect(
          invokes.flatMap((s) => asArray(s.Resource)).map((r: unknown) => JSON.stringify(r)),
          spec.id,
        ).toEqual(
          expect.arrayContaining(
            [signingArn, ...(ACCESS[spec.id].invokesRender ? [renderArn] : [])].map((r) => JSON.stringify(r)),
          ),
        );
        expect(
          invokes.flatMap((s) => asArray(s.Resource)),
          spec.id,
        ).toHaveLength(ACCESS[spec.id].invokesRender ? 2 : 1);
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
      new Queue(new Stack(app, 'Probe', { env: environmentFrom({}, SETTINGS) }), 'WithoutDeadLetters');
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

  it('takes a custom domain only as a domain name, and a public URL only on that domain', () => {
    expect(
      readSettings(context({ 'sepakat:customDomain': 'sepakat.kota-contoh.go.id' }), PROJECT_ROOT).customDomain,
    ).toBe('sepakat.kota-contoh.go.id');
    expect(() =>
      readSettings(context({ 'sepakat:customDomain': 'https://sepakat.kota-contoh.go.id' }), PROJECT_ROOT),
    ).toThrow(/sepakat:customDomain: nama domain/);
    expect(() =>
      readSettings(
        context({
          'sepakat:customDomain': 'sepakat.kota-contoh.go.id',
          'sepakat:publicUrl': 'https://lain.example.go.id',
        }),
        PROJECT_ROOT,
      ),
    ).toThrow(/sepakat:publicUrl: alamat publik harus memakai domain sepakat:customDomain/);
  });
});

describe('region', () => {
  const context = (overrides: Record<string, unknown>) => (key: string) => ({ ...CDK_CONTEXT, ...overrides })[key];

  it('puts both stacks in sepakat:region (Jakarta by default), not in the CLI’s CDK_DEFAULT_REGION', () => {
    // beforeAll synthesized with CDK_DEFAULT_REGION=us-east-1, as the CLI sets it from a profile.
    expect(CDK_CONTEXT['sepakat:region']).toBe('ap-southeast-3');
    const manifest = JSON.parse(readFileSync(join(synth.outdir, 'manifest.json'), 'utf8'));
    for (const stack of [synth.stateful, synth.stateless]) {
      expect(stack.region, stack.stackName).toBe('ap-southeast-3');
      expect(manifest.artifacts[stack.artifactId].environment, stack.stackName).toBe(
        'aws://111111111111/ap-southeast-3',
      );
    }
    for (const spec of FUNCTIONS)
      expect(statelessResources[fnLogicalId(spec.id)]!.Properties.Environment.Variables.SEPAKAT_REGION, spec.id).toBe(
        'ap-southeast-3',
      );
    // Only the edge stack is in us-east-1 (CloudFront's web ACL and certificate live there): the stateless stack
    // names that region in its references to the edge stack's outputs, nowhere else.
    const edgeReference = /"Fn::GetStackOutput":\{"StackName":"SepakatEdge","Region":"us-east-1"/g;
    expect(JSON.stringify(statelessResources).replace(edgeReference, '')).not.toContain('us-east-1');
    expect(JSON.stringify(statefulResources)).not.toContain('us-east-1');
    // Another region is the deployer's choice; none in the context is Jakarta; a malformed one names the key.
    const singapore = readSettings(context({ 'sepakat:region': 'ap-southeast-1' }), PROJECT_ROOT);
    expect(
      environmentFrom({ CDK_DEFAULT_REGION: 'us-east-1', CDK_DEFAULT_ACCOUNT: '222222222222' }, singapore),
    ).toEqual({ account: '222222222222', region: 'ap-southeast-1' });
    expect(readSettings(context({ 'sepakat:region': undefined }), PROJECT_ROOT).region).toBe('ap-southeast-3');
    expect(() => readSettings(context({ 'sepakat:region': 'Jakarta' }), PROJECT_ROOT)).toThrow(/sepakat:region/);
  });
});

describe('state that survives a redeploy', () => {
  it('refers to nothing of the stateless stack from the stateful one', () => {
    const text = JSON.stringify(stateful.toJSON());
    expect(text).not.toMatch(/Fn::ImportValue|Fn::GetStackOutput/);
    expect(synth.stateful.dependencies).toEqual([]);
    expect(synth.stateless.dependencies.map((d) => d.stackName).sort()).toEqual(['SepakatEdge', 'SepakatStateful']);
    // No logical id of the stateless stack appears in the stateful template.
    for (const id of Object.keys(statelessResources)) expect(text.includes(`"${id}"`), id).toBe(false);
  });

  it('keeps everything stored state names in the stateful stack, under a fixed name and retained', () => {
    const named: [string, string, string][] = [
      ['AWS::Scheduler::ScheduleGroup', 'Name', SCHEDULE_GROUP],
      ['AWS::IAM::Role', 'RoleName', FIXED_NAMES.schedulerRole],
      ['AWS::SQS::Queue', 'QueueName', FIXED_NAMES.scheduleDeadLetters],
      ['AWS::Cognito::UserPool', 'UserPoolName', FIXED_NAMES.userPool],
      ['AWS::Cognito::UserPoolClient', 'ClientName', FIXED_NAMES.userPoolClient],
      ['AWS::SES::ConfigurationSet', 'Name', FIXED_NAMES.mailConfiguration],
      ['AWS::SES::EmailIdentity', 'EmailIdentity', SETTINGS.domain],
      ['AWS::SecretsManager::Secret', 'Name', FIXED_NAMES.linkKey],
      ['AWS::SecretsManager::Secret', 'Name', FIXED_NAMES.codeKey],
      ['AWS::SecretsManager::Secret', 'Name', FIXED_NAMES.sessionKey],
      ['AWS::SecretsManager::Secret', 'Name', FIXED_NAMES.bsreCredentials],
      ['AWS::SecretsManager::Secret', 'Name', FIXED_NAMES.bsreIdentities],
    ];
    for (const [type, property, name] of named) {
      const found = ofType(statefulResources, type).filter(([, r]) => r.Properties[property] === name);
      expect(found, `${type} ${name}`).toHaveLength(1);
      expect(found[0]![1].DeletionPolicy, `${type} ${name}`).toBe('Retain');
      expect(found[0]![1].UpdateReplacePolicy, `${type} ${name}`).toBe('Retain');
      // ... and none of that kind is left in the stateless stack.
      // (The stateless stack keeps only the front door's origin secret, which a redeploy may change: CloudFront and
      // the http function are deployed with it, and nothing stored refers to it.)
      if (type === 'AWS::SecretsManager::Secret')
        expect(
          ofType(statelessResources, type).map(([id]) => id),
          type,
        ).toEqual([expect.stringMatching(/^OriginSecret/)]);
      else if (type !== 'AWS::IAM::Role' && type !== 'AWS::SQS::Queue')
        expect(ofType(statelessResources, type), type).toEqual([]);
    }
    for (const [id, group] of ofType(statefulResources, 'AWS::Cognito::UserPoolGroup'))
      expect(group.DeletionPolicy, id).toBe('Retain');
    // The KMS signing keys: retained under their fixed aliases (none by default; the settings add them).
    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const withKeys = Template.fromStack(
      new SepakatStateful(app, 'DenganKunci', {
        env: environmentFrom({}, SETTINGS),
        settings: { ...SETTINGS, signingKeys: ['segel'] },
      }),
    );
    withKeys.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    withKeys.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/sepakat/tanda-tangan/segel' });
  });
});

describe('any number of SOP versions', () => {
  let twenty: ReturnType<typeof synthesizeSepakat>;
  let root: string;
  beforeAll(() => {
    root = rootWithSopVersions(20);
    twenty = synthesizeSepakat({ root, context: CDK_CONTEXT });
  }, 180_000);
  afterAll(() => {
    for (const dir of [root, twenty?.outdir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('synthesizes 20 versions far from CloudFormation’s limits, with the functions’ policies unchanged', () => {
    expect(synth.stateless.stateMachines).toHaveLength(3);
    expect(twenty.stateless.stateMachines).toHaveLength(20);
    expect(new Set(twenty.stateless.stateMachines.map(({ sop }) => sop.key)).size).toBe(20);
    const three = templateFigures(synth.outdir);
    const many = templateFigures(twenty.outdir);
    expect(many.map((f) => f.stack)).toEqual(['SepakatEdge', 'SepakatStateful', 'SepakatStateless']);
    for (const f of [...three, ...many]) {
      expect(f.bytes, f.stack).toBeLessThan(500_000);
      expect(f.resources, f.stack).toBeLessThan(RESOURCE_LIMIT);
    }
    // Every definition is an S3 asset: no ASL in any template.
    for (const { machine } of twenty.stateless.stateMachines) {
      const p = Template.fromStack(twenty.stateless).toJSON().Resources[logicalId(twenty.stateless, machine)]
        .Properties;
      expect(p.DefinitionString).toBeUndefined();
      expect(p.DefinitionS3Location.Key).toMatch(/^[0-9a-f]{64}\.json$/);
    }
    // The functions' policies name the state machines by pattern: not one byte more for 17 more versions.
    const policies = (figures: typeof three) => figures.find((f) => f.stack === 'SepakatStateless')!.functionPolicies;
    expect(Object.keys(policies(three)).length).toBeGreaterThan(0);
    expect(policies(many)).toEqual(policies(three));
    const stateless = (figures: typeof three) => figures.find((f) => f.stack === 'SepakatStateless')!;
    const growth = stateless(many).bytes - stateless(three).bytes;
    // What each version still adds (its state machine and its ExecutionsFailed alarm), far below an inline definition.
    expect(growth / 17).toBeLessThan(5_000);
    // Two resources per version (the role, the log group and the policies are shared): ~100 versions fit in 500.
    expect((stateless(many).resources - stateless(three).resources) / 17).toBeLessThanOrEqual(2);
    for (const stack of ['SepakatEdge', 'SepakatStateful'])
      expect(many.find((f) => f.stack === stack)!.resources, stack).toBe(
        three.find((f) => f.stack === stack)!.resources,
      );
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
          out.push(await http(event, { awsRequestId: 'req-' + out.length, functionName: 'sepakat-http' }));
        process.stdout.write('HASIL ' + JSON.stringify(out) + '\\n');`;
      // A separate Node process, started in the bundle's directory: nothing from this project's node_modules.
      const run = async (runEnv: Record<string, string>) => {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
          cwd: dir,
          env: runEnv,
          timeout: 30_000,
        });
        const result = stdout.split('\n').find((l) => l.startsWith('HASIL '));
        return { out: JSON.parse(result!.slice(6)) as { statusCode: number; body: string }[], stdout, stderr };
      };
      const untraced = await run(env);
      // Outside Lambda the Tracer is off, and silent.
      expect(untraced.stderr).not.toMatch(/x-?ray|segment/i);
      const [health, home, task] = untraced.out;
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

      // As in Lambda with active tracing: a UDP socket in place of the X-Ray daemon receives what the Tracer sends.
      const daemon = createSocket('udp4');
      const sent: string[] = [];
      daemon.on('message', (message) => sent.push(message.toString()));
      await new Promise<void>((bound) => daemon.bind(0, '127.0.0.1', bound));
      try {
        const traced = await run({
          ...env,
          ...powertoolsEnvironment(FUNCTIONS.find((f) => f.id === 'http')!),
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
          LAMBDA_TASK_ROOT: dir,
          AWS_LAMBDA_FUNCTION_NAME: 'sepakat-http',
          _HANDLER: 'index.http',
          _X_AMZN_TRACE_ID: 'Root=1-6753c2a0-8f3a2b1c4d5e6f7a8b9c0d1e;Parent=53995c3f42cd8ad8;Sampled=1',
          AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
        });
        expect(traced.out.map((r) => r.statusCode)).toEqual([200, 200, 404]);
        await expect.poll(() => sent.join('\n')).toContain('## index.http');
        await expect.poll(() => sent.join('\n')).toContain('"DynamoDB"');
        const documents = sent.join('\n');
        // The invocation's subsegment with its annotations; the AWS SDK's calls beneath it.
        expect(documents).toContain('"ColdStart"');
        expect(documents).toContain('"Service":"sepakat-http"');
        // Never the response (a page, capability links) nor the event (the task link's token).
        expect(documents).not.toContain('Tautan tidak valid');
        expect(documents).not.toContain('index.http response');
        expect(documents).not.toContain(token);
      } finally {
        daemon.close();
      }
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
