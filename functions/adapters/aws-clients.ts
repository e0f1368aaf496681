import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DocumentClient } from './document-client.ts';

/** Where a process's AWS clients talk to: the region, the credentials (local only) and any custom endpoints. */
export interface AwsClientSettings {
  region: string;
  /** Only the marked local-development keys are ever passed; in AWS the default provider chain supplies them. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  endpoints: {
    dynamodb?: string | undefined;
    s3?: string | undefined;
    /** The S3 endpoint that presigned URLs name, when browsers reach S3 elsewhere than this process. */
    s3Public?: string | undefined;
    sfn?: string | undefined;
    ses?: string | undefined;
    lambda?: string | undefined;
  };
  /**
   * Instruments each client as it is made (the Tracer's captureAWSv3Client in a Lambda). Not part of the cache key:
   * a process makes its clients once, with the same instrumentation.
   */
  capture?: <T>(client: T) => T;
}

export interface AwsClients {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  /** The client that presigns URLs: `s3` itself unless a public endpoint is configured. */
  presignS3: S3Client;
  sfn: SFNClient;
  ses: SESv2Client;
  /** Made on first use: only processes that invoke a function (render, signing) need it. */
  lambda(): LambdaClient;
}

/**
 * The clients of each configuration, made once per process (per Lambda container): building a client resolves its
 * configuration and middleware stack, and its HTTP agent keeps connections alive between requests. Keyed by region,
 * access key id and endpoints (never the secret key). `destroy()` of a client only closes its idle sockets (it stays
 * usable), so an app that destroys the clients it shares (a CLI command in a test process) leaves the others working.
 */
const clientsByConfiguration = new Map<string, AwsClients>();

/**
 * The request handlers of the DynamoDB endpoints served in this very process (the embedded local default's dynalite,
 * `local/dynamodb/`): a client made for such an endpoint sends its real serialized requests to it without a socket.
 * Nothing is registered in AWS, in the CLI or in any other process, whose clients use HTTP.
 */
const inProcessHandlers = new Map<
  string,
  { handler: NonNullable<DynamoDBClientConfig['requestHandler']>; id: number }
>();
let inProcessRegistrations = 0;

/**
 * Makes the DynamoDB clients made from now on for `endpoint` use `handler`; returns the removal (clients made before
 * keep what they had). Each registration is a configuration of its own: a client made for an earlier one is not
 * reused.
 */
export function useInProcessHandler(
  endpoint: string,
  handler: NonNullable<DynamoDBClientConfig['requestHandler']>,
): () => void {
  const entry = { handler, id: ++inProcessRegistrations };
  inProcessHandlers.set(endpoint, entry);
  return () => {
    if (inProcessHandlers.get(endpoint) === entry) inProcessHandlers.delete(endpoint);
  };
}

export function awsClients(settings: AwsClientSettings): AwsClients {
  const { region, credentials, endpoints } = settings;
  const inProcess = endpoints.dynamodb ? inProcessHandlers.get(endpoints.dynamodb) : undefined;
  const key = JSON.stringify([
    region,
    credentials?.accessKeyId ?? '',
    endpoints.dynamodb ?? '',
    inProcess?.id ?? 0,
    endpoints.s3 ?? '',
    endpoints.s3Public ?? '',
    endpoints.sfn ?? '',
    endpoints.ses ?? '',
    endpoints.lambda ?? '',
  ]);
  const found = clientsByConfiguration.get(key);
  if (found) return found;
  const base = { region, ...(credentials ? { credentials } : {}) };
  const instrument = settings.capture ?? (<T>(client: T): T => client);
  // Every client resolves its middleware stack once per command, not on every send.
  const capture = <T extends { config: object; middlewareStack: object }>(client: T): T =>
    withMiddlewareCache(instrument(client));
  const s3Config = (endpoint?: string): S3ClientConfig => ({
    ...base,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // s3rver corrupts streamed uploads with the SDK's default checksums; real S3 accepts these settings too.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const s3 = capture(new S3Client(s3Config(endpoints.s3)));
  let lambda: LambdaClient | undefined;
  const made: AwsClients = {
    dynamodb: capture(
      new DynamoDBClient({
        ...base,
        ...(endpoints.dynamodb ? { endpoint: endpoints.dynamodb } : {}),
        ...(inProcess ? { requestHandler: inProcess.handler } : {}),
      }),
    ),
    s3,
    presignS3: endpoints.s3Public ? new S3Client(s3Config(endpoints.s3Public)) : s3,
    // disableHostPrefix: otherwise the SDK prefixes the host ("sync-…") for some operations, even on a custom endpoint.
    sfn: capture(
      new SFNClient({
        ...base,
        ...(endpoints.sfn ? { endpoint: endpoints.sfn, disableHostPrefix: true } : {}),
      }),
    ),
    ses: capture(new SESv2Client({ ...base, ...(endpoints.ses ? { endpoint: endpoints.ses } : {}) })),
    lambda: () =>
      (lambda ??= capture(new LambdaClient({ ...base, ...(endpoints.lambda ? { endpoint: endpoints.lambda } : {}) }))),
  };
  clientsByConfiguration.set(key, made);
  return made;
}

const documentClients = new WeakMap<DynamoDBClient, DocumentClient>();

/**
 * The one document client of a DynamoDB client (functions/adapters/document-client.ts): plain items in and out, each
 * request sent through the client's cached middleware. Every adapter takes this one.
 */
export function documentClientOf(client: DynamoDBClient): DocumentClient {
  let doc = documentClients.get(client);
  if (!doc) {
    doc = new DocumentClient(client);
    documentClients.set(client, doc);
  }
  return doc;
}

/** The methods by which middleware is added to or taken from a stack (`use` and `concat` go through these). */
const STACK_CHANGES = ['add', 'addRelativeTo', 'remove', 'removeByTag', 'use'] as const;

/**
 * Turns on the SDK's middleware cache for a client (`cacheMiddleware`: the stack is resolved once per command class,
 * not on every send) and keeps it true: a change to the client's stack after a send (a counter middleware of the
 * bench or a test, the Tracer's) drops the resolved handlers, so the next send resolves the stack as it now is. The
 * SDK itself would keep using the handler resolved before the change.
 */
export function withMiddlewareCache<C extends { config: object; middlewareStack: object }>(client: C): C {
  (client.config as { cacheMiddleware?: boolean }).cacheMiddleware = true;
  const stack = client.middlewareStack as Record<string, unknown>;
  for (const name of STACK_CHANGES) {
    const original = stack[name] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof original !== 'function') continue;
    stack[name] = (...args: unknown[]) => {
      delete (client as { handlers?: unknown }).handlers;
      return original.apply(stack, args);
    };
  }
  return client;
}
