import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Duration, Size } from 'aws-cdk-lib';
import {
  ArnPrincipal,
  Policy,
  Role,
  ServicePrincipal,
  type AddToPrincipalPolicyResult,
  type IGrantable,
  type IRole,
  type PolicyStatement,
} from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing, type ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { SubnetType, type ISecurityGroup, type IVpc } from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import {
  aliasesOf,
  besideBundle,
  ESBUILD,
  EXTERNAL_MODULES,
  powertoolsEnvironment,
  type FunctionSpec,
} from './functions.ts';
import { acknowledge } from './nag.ts';

/** The runtime of every function: the Node the test suite runs on (the `node` devDependency, .nvmrc). */
export const RUNTIME = Runtime.NODEJS_22_X;

/** Where the bundle and the data copied beside it live in a Lambda. */
export const TASK_ROOT = '/var/task';

/**
 * Shell commands (NodejsFunction's afterBundling hook) that copy what `besideBundle` lists: whole directories with
 * `cp -r`, files grouped by their directory.
 */
export function copyBesideCommands(paths: readonly string[], root: string, inputDir: string, outputDir: string) {
  const files = new Map<string, string[]>();
  const commands: string[] = [];
  for (const path of paths)
    if (statSync(join(root, path)).isDirectory())
      commands.push(`mkdir -p "${outputDir}/${dirname(path)}" && cp -r "${inputDir}/${path}" "${outputDir}/${path}"`);
    else files.set(dirname(path), [...(files.get(dirname(path)) ?? []), path]);
  for (const [dir, list] of files)
    commands.push(
      `mkdir -p "${outputDir}/${dir}" && cp ${list.map((f) => `"${inputDir}/${f}"`).join(' ')} "${outputDir}/${dir}/"`,
    );
  return commands;
}

/**
 * A principal whose grants land in a separate policy of the function's role. A Lambda function waits for its
 * role's default policy, and a state machine waits for the functions it calls; a grant that names a state machine
 * (task responses, StartExecution) in the default policy would close that loop. A separate policy breaks it.
 */
class DetachedPolicyPrincipal extends ArnPrincipal {
  private policy: Policy | undefined;

  constructor(
    private readonly scope: Construct,
    private readonly role: IRole,
  ) {
    super(role.roleArn);
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    // Created on the first grant: an empty policy is invalid.
    this.policy ??= new Policy(this.scope, 'WorkflowPolicy', { roles: [this.role] });
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}

export interface SepakatFunctionProps {
  readonly spec: FunctionSpec;
  /** The project root (package-lock.json, node_modules, the data directories). */
  readonly root: string;
  readonly environment: Record<string, string>;
  /**
   * A fixed name, for a function whose ARN must be known before it exists (the scheduler's target, named in the
   * environment of the functions that schedule, itself included); by default CloudFormation generates one.
   */
  readonly functionName?: string;
  readonly layers?: ILayerVersion[];
  /** For asynchronously invoked functions: where events go after Lambda's retries. */
  readonly deadLetterQueue?: IQueue;
  /** For a function in the VPC (spec `inVpc`): its private subnets with egress, and its security group. */
  readonly network?: { readonly vpc: IVpc; readonly securityGroup: ISecurityGroup };
}

/**
 * One Lambda function of infra/functions.ts with the project's defaults: an ESM bundle built by the local esbuild
 * (never Docker) with the data beside it, nodejs22.x, X-Ray, its own log group with a retention, and its own role
 * that starts with nothing but writing to that log group. Every other permission is granted explicitly.
 */
export class SepakatFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Grants that name a state machine (see DetachedPolicyPrincipal). */
  readonly workflowGrantee: IGrantable;

  constructor(scope: Construct, id: string, props: SepakatFunctionProps) {
    super(scope, id);
    const { spec, root } = props;
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Sepakat ${spec.id}`,
    });
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_YEAR });
    this.logGroup.grantWrite(this.role);
    this.workflowGrantee = new DetachedPolicyPrincipal(this, this.role);

    const aliases = Object.entries(aliasesOf(spec, root)).map(([from, to]) => `${from}=${to}`);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(root, spec.entry),
      handler: spec.handler,
      ...(props.functionName ? { functionName: props.functionName } : {}),
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      runtime: RUNTIME,
      // Chromium's binary in the layer is x86_64; the other bundles are plain JavaScript and run on Graviton.
      architecture: spec.chromium ? Architecture.X86_64 : Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      // Chromium unpacks about 210 MB into /tmp on a cold start (stack-facts.md); the default 512 MB is tight.
      ...(spec.chromium ? { ephemeralStorageSize: Size.mebibytes(1024) } : {}),
      description: spec.description,
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: { ...props.environment, ...powertoolsEnvironment(spec) },
      layers: props.layers ?? [],
      ...(props.deadLetterQueue ? { deadLetterQueueEnabled: true, deadLetterQueue: props.deadLetterQueue } : {}),
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: [props.network.securityGroup],
          }
        : {}),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: ESBUILD.target,
        minify: ESBUILD.minify,
        sourceMap: ESBUILD.sourcemap,
        banner: ESBUILD.banner,
        externalModules: [...EXTERNAL_MODULES],
        ...(aliases.length ? { esbuildArgs: { '--alias': aliases } } : {}),
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) =>
            copyBesideCommands(
              besideBundle(spec, root, (dir) => readdirSync(dir)),
              root,
              inputDir,
              outputDir,
            ),
        },
      },
    });

    acknowledge(
      this.fn,
      'AwsSolutions-L1',
      'Pinned to nodejs22.x, the Node the whole test suite runs on (the `node` devDependency and .nvmrc) and the esbuild target; the runtime moves together with them.',
    );
    if (props.network)
      acknowledge(
        this.role,
        'AwsSolutions-IAM4',
        'A function in a VPC needs AWSLambdaVPCAccessExecutionRole (added by CDK): creating and deleting its network interfaces, which support no resource-level permissions.',
        ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
      );
    acknowledge(
      this.role,
      'AwsSolutions-IAM5',
      'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions (Resource "*").',
      ['Resource::*'],
    );
  }
}
