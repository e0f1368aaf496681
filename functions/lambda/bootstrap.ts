import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { buildApp, type App, type BuildOptions } from '../app.ts';
import { KEY_SECRET_ARN, loadConfig, type Config } from '../config.ts';
import { EventBridgeScheduler, schedulerApi } from '../adapters/eventbridge-scheduler.ts';
import { systemClock } from '../adapters/clock.ts';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { log, scrubbedError, type LambdaContextLike } from '../observability/log.ts';
import { PowertoolsMetrics } from '../observability/emf-metrics.ts';

/**
 * The cold start of a Lambda function in AWS: configuration from the environment (the one place it is read), the
 * keys it was granted from Secrets Manager, then the same `buildApp` the embedded local default uses. One App per
 * container, built once and reused by every invocation: each entry (functions/lambda/*.ts) awaits it at its top
 * level, so it is built in the init phase (with the init's full CPU, before the first request waits on it). A
 * failed build fails the init, and Lambda runs a fresh init for the next invocation.
 *
 * Every entry wraps its handler in `lambdaHandler`: the request id in the log, the invocation's metrics written at its
 * end, and its trace.
 */
let app: Promise<App> | undefined;

/** The function's name: the `service` of its traces and metrics. */
const SERVICE = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'sepakat';

/**
 * Powertools' Tracer on X-Ray active tracing (infra/): a subsegment per invocation, the calls of every AWS SDK client
 * the App makes (`captureClient`), and outgoing HTTPS and fetch requests (BSrE, the TSA). It traces only inside
 * Lambda (off and silent on the embedded default, which never imports this file, and wherever
 * POWERTOOLS_TRACE_ENABLED=false). Never the event; the response only where the function allows it
 * (POWERTOOLS_TRACER_CAPTURE_RESPONSE, false for `http` and `signing`, and their `captureResponse: false`); an error
 * reduced to its name, message and stack, without links, as in the log.
 */
export const tracer = new Tracer({ serviceName: SERVICE, captureHTTPsRequests: true });

/** Business metrics: Powertools Metrics (EMF on stdout), written at the end of each invocation. */
export const metrics = new PowertoolsMetrics(SERVICE, {
  warn: (message) => log.warn(message),
  error: (message) => log.error(message),
});

const captureClient = <T>(client: T): T => tracer.captureAWSv3Client(client);

/**
 * A Lambda handler with the project's instrumentation: the invocation's context in the log, its trace (a subsegment
 * with the cold start and service annotations; the response as metadata unless `captureResponse` is false) and its
 * metrics published when it ends, returned or thrown.
 */
export function lambdaHandler<E, C extends { awsRequestId: string }, R>(
  handle: (event: E, context?: C) => Promise<R>,
  options: { captureResponse?: boolean } = {},
): (event: E, context?: C) => Promise<R> {
  return (event, context) => {
    if (context) log.addContext(context as unknown as LambdaContextLike);
    return metrics.during(() => traced(() => handle(event, context), options.captureResponse ?? true));
  };
}

async function traced<R>(invocation: () => Promise<R>, captureResponse: boolean): Promise<R> {
  const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!segment) return invocation();
  const name = process.env._HANDLER ?? SERVICE;
  const subsegment = segment.addNewSubsegment(`## ${name}`);
  tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    const result = await invocation();
    if (captureResponse) tracer.addResponseAsMetadata(result, name);
    return result;
  } catch (error) {
    tracer.addErrorAsMetadata(scrubbedError(error) ?? new Error('kesalahan tanpa keterangan'));
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(segment);
  }
}

export function lambdaApp(): Promise<App> {
  app ??= build().catch((error: unknown) => {
    log.error('Aplikasi gagal dibangun saat cold start', { error });
    app = undefined; // a failed cold start is retried by the next invocation
    throw error;
  });
  return app;
}

async function build(): Promise<App> {
  const env: Record<string, string | undefined> = { ...process.env };
  // Read in the init phase, outside any invocation's trace: not captured.
  const secrets = new SecretsManagerClient({ region: env.SEPAKAT_REGION ?? env.AWS_REGION });
  // The keys this function was granted, each from its own secret (the others stay unset: requireKey refuses them),
  // and, in the http function only, the secret CloudFront sends in its origin header (functions/handlers/front-door.ts).
  const secretArns = { ...KEY_SECRET_ARN, SEPAKAT_ORIGIN_SECRET: 'SEPAKAT_ORIGIN_SECRET_ARN' };
  for (const [name, arnVariable] of Object.entries(secretArns)) {
    const arn = env[arnVariable];
    if (env[name] || !arn) continue;
    env[name] = (await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
  }
  // The signing function only: BSrE's Basic credentials, `{clientId, clientSecret}`, put there by the deployer.
  if (env.SEPAKAT_BSRE_CREDENTIALS_SECRET_ARN) {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: env.SEPAKAT_BSRE_CREDENTIALS_SECRET_ARN }));
    const credentials = bsreCredentialsOf(out.SecretString);
    if (credentials) {
      env.SEPAKAT_BSRE_CLIENT_ID = credentials.clientId;
      env.SEPAKAT_BSRE_CLIENT_SECRET = credentials.clientSecret;
    }
  }
  secrets.destroy();
  const config = loadConfig(env);
  return buildApp(config, {
    ...eventBridgeScheduler(config),
    log,
    metrics,
    captureClient,
  });
}

/**
 * The BSrE credentials secret, `{"clientId": "…", "clientSecret": "…"}`; undefined while the deployer has not filled
 * it in (the placeholder the stack creates has an empty clientId). Its value is never quoted in an error.
 */
export function bsreCredentialsOf(secret: string | undefined): { clientId: string; clientSecret: string } | undefined {
  let value: { clientId?: unknown; clientSecret?: unknown };
  try {
    value = JSON.parse(secret ?? '') as typeof value;
  } catch {
    throw new Error('Rahasia kredensial BSrE bukan JSON {"clientId", "clientSecret"}.');
  }
  if (typeof value.clientId !== 'string' || typeof value.clientSecret !== 'string' || !value.clientId) return undefined;
  return { clientId: value.clientId, clientSecret: value.clientSecret };
}

/** Timed work goes to EventBridge Scheduler where the deployment configures it (every function that schedules). */
export function eventBridgeScheduler(config: Config): Pick<BuildOptions, 'scheduler'> {
  const group = config.SEPAKAT_SCHEDULER_GROUP;
  const targetArn = config.SEPAKAT_SCHEDULER_TARGET_ARN;
  const roleArn = config.SEPAKAT_SCHEDULER_ROLE_ARN;
  if (!group || !targetArn || !roleArn) return {};
  return {
    scheduler: () =>
      new EventBridgeScheduler(
        schedulerApi(captureClient(new SchedulerClient({ region: config.SEPAKAT_REGION }))),
        {
          groupName: group,
          targetArn,
          roleArn,
          ...(config.SEPAKAT_SCHEDULER_DLQ_ARN ? { deadLetterArn: config.SEPAKAT_SCHEDULER_DLQ_ARN } : {}),
        },
        systemClock,
      ),
  };
}
