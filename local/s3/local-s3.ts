import { LOCAL_DEVELOPMENT_CREDENTIALS, LOCAL_REGION } from '../local-aws.ts';
/**
 * A local S3 for the embedded local default: s3rver (the real S3 HTTP API on plain files under
 * `<dataDir>/s3`), with the configured buckets, browser CORS for presigned uploads, and S3
 * notifications delivered to in-process listeners in the AWS Lambda S3 event shape, the local
 * stand-in for an S3 → Lambda trigger.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { verifySigV4 } from './sigv4.ts';
import { log } from '../../functions/observability/log.ts';

const require = createRequire(import.meta.url);

export type S3ObjectCreatedEventName =
  'ObjectCreated:Put' | 'ObjectCreated:Post' | 'ObjectCreated:Copy' | 'ObjectCreated:CompleteMultipartUpload';

/** One record of an S3 event notification, as AWS delivers it to Lambda (event version 2.1). */
export interface S3EventRecord {
  eventVersion: '2.1';
  eventSource: 'aws:s3';
  awsRegion: string;
  /** ISO 8601. */
  eventTime: string;
  eventName: S3ObjectCreatedEventName;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  s3: {
    s3SchemaVersion: '1.0';
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: {
      /** URL-encoded as AWS does it (space as `+`): decode with {@link decodeS3EventKey}. */
      key: string;
      size: number;
      /** Without quotes, as in AWS events. */
      eTag: string;
      sequencer: string;
    };
  };
}

export interface S3Event {
  Records: S3EventRecord[];
}

export type S3EventListener = (event: S3Event) => void | Promise<void>;

export interface LocalS3Options {
  dataDir: string;
  /** Created when missing, each with a CORS rule that lets a browser PUT/GET/HEAD from any origin. */
  buckets: string[];
  host?: string;
  port?: number;
  /** Reported in events and used by {@link localS3ClientConfig}'s callers; defaults to ap-southeast-3. */
  region?: string;
  /** Where a failing listener's error goes; the process log by default. */
  onListenerError?: (error: unknown, event: S3Event) => void;
}

export interface LocalS3 {
  /** Base URL for the S3 client (path-style). */
  endpoint: string;
  /**
   * Calls the listener after every object creation (PUT, presigned PUT, POST, copy, multipart
   * completion), after the object is stored, like an S3 → Lambda notification. Returns an
   * unsubscribe function.
   */
  onObjectCreated(listener: S3EventListener): () => void;
  /** Stops the server and waits for listeners still running. */
  close(): Promise<void>;
}

/** The local region and credentials: s3rver checks SigV4 signatures; {@link startLocalS3} registers this pair. */
export { LOCAL_DEVELOPMENT_CREDENTIALS, LOCAL_REGION } from '../local-aws.ts';

/**
 * The S3 client configuration the product must use against the local S3.
 *
 * - `forcePathStyle`: s3rver is addressed as http://host:port/bucket/key.
 * - The two `WHEN_REQUIRED` checksum settings: with the SDK's default (`WHEN_SUPPORTED`) s3rver
 *   stores streamed uploads with the aws-chunked framing and trailing checksum inside the object,
 *   and presigned PUT URLs carry a checksum the browser's body does not match.
 */
export function localS3ClientConfig(endpoint: string, region: string = LOCAL_REGION): S3ClientConfig {
  return {
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { ...LOCAL_DEVELOPMENT_CREDENTIALS },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const { dataDir, buckets, host = '127.0.0.1', port = 0, region = LOCAL_REGION } = options;
  const reportError =
    options.onListenerError ?? ((error: unknown) => log.error('local-s3: an ObjectCreated listener failed', { error }));
  for (const bucket of buckets) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`Invalid bucket name: ${bucket}`);
  }

  registerLocalCredentials();
  const S3rver = require('s3rver') as S3rverConstructor;
  const server = new S3rver({
    address: host,
    port,
    silent: true,
    directory: path.join(dataDir, 's3'),
    // Path-style only: a vhost guess from the Host header would misroute requests to named hosts.
    vhostBuckets: false,
    configureBuckets: buckets.map((name) => ({ name, configs: [BROWSER_CORS] })),
  });

  // First in the chain: what s3rver leaves out and real S3 enforces (SigV4, conditional creation).
  server.middleware.unshift(s3Checks(server));

  const listeners = new Set<S3EventListener>();
  const running = new Set<Promise<void>>();
  server.on('event', (raw: unknown) => {
    // s3rver emits synchronously inside the request; never let a listener break the response.
    let event: S3Event | undefined;
    try {
      event = toAwsEvent(raw as S3rverEvent, region);
    } catch (error) {
      reportError(error, { Records: [] });
    }
    if (!event) return;
    for (const listener of listeners) {
      const run = Promise.resolve()
        .then(() => listener(structuredClone(event)))
        .catch((error: unknown) => reportError(error, event))
        .finally(() => running.delete(run));
      running.add(run);
    }
  });

  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://${endpointHost(host)}:${address.port}`,
    onObjectCreated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      const closing = server.close();
      server.httpServer?.closeIdleConnections();
      await closing;
      await Promise.allSettled([...running]);
    },
  };
}

/**
 * Encodes an object key as S3 notifications carry it (form encoding: space as `+`; `/` and the
 * unreserved characters `A-Z a-z 0-9 - _ . *` kept; everything else percent-encoded as UTF-8).
 */
export function encodeS3EventKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%2A/g, '*')
        .replace(/%20/g, '+'),
    )
    .join('/');
}

/** The object key from an S3 notification, as a Lambda handler must decode it. */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

// ---------------------------------------------------------------------------------------------

/** The subset of s3rver (an untyped CommonJS Koa app) this module uses. */
interface S3rverInstance {
  /** Koa's middleware list, composed when the server starts listening. */
  middleware: KoaMiddleware[];
  store: { existsObject(bucket: string, key: string): Promise<boolean> };
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  on(event: 'event', listener: (event: unknown) => void): void;
  httpServer?: Server;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  vhostBuckets: boolean;
  configureBuckets: { name: string; configs: string[] }[];
}) => S3rverInstance;

interface KoaContext {
  method: string;
  url: string;
  path: string;
  req: { headers: Record<string, string | string[] | undefined> };
  status: number;
  body: unknown;
  set(name: string, value: string): void;
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

/** Keys of the local credentials s3rver knows: ours and its own built-in pair. */
const SECRETS: Record<string, string> = {
  [LOCAL_DEVELOPMENT_CREDENTIALS.accessKeyId]: LOCAL_DEVELOPMENT_CREDENTIALS.secretAccessKey,
  S3RVER: 'S3RVER',
};

/**
 * What real S3 enforces and s3rver does not:
 * - SigV4 signatures (s3rver accepts any): a presigned URL works only for its method, bucket, key, signed headers
 *   (Content-Length and Content-Type of an upload) and until it expires;
 * - `If-None-Match: *` on PUT (conditional creation): 412 PreconditionFailed when the key exists, 409 when another
 *   conditional write of the same key is in flight.
 */
function s3Checks(server: S3rverInstance): KoaMiddleware {
  const creating = new Set<string>();
  const fail = (ctx: KoaContext, status: number, code: string, message: string) => {
    ctx.status = status;
    ctx.set('Content-Type', 'application/xml');
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  };
  return async (ctx, next) => {
    if (ctx.method === 'OPTIONS') return next();
    const checked = verifySigV4({ method: ctx.method, url: ctx.url, headers: ctx.req.headers }, (id) => SECRETS[id]);
    if (checked && !checked.ok) return fail(ctx, checked.status, checked.code, checked.message);
    if (ctx.method !== 'PUT' || ctx.req.headers['if-none-match'] !== '*') return next();
    const [bucket = '', ...rest] = ctx.path.replace(/^\//, '').split('/');
    const key = decodeURIComponent(rest.join('/'));
    const id = `${bucket}/${key}`;
    if (creating.has(id))
      return fail(ctx, 409, 'ConditionalRequestConflict', 'A conflicting conditional operation is in progress.');
    creating.add(id);
    try {
      if (await server.store.existsObject(bucket, key))
        return fail(ctx, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
      await next();
    } finally {
      creating.delete(id);
    }
  };
}

/** What s3rver 3.7 emits (lib/models/event.js): already S3-shaped, with version 2.0 quirks. */
interface S3rverEvent {
  Records: {
    eventName: string;
    eventTime: string;
    userIdentity?: { principalId?: string };
    requestParameters?: { sourceIPAddress?: string };
    responseElements?: Record<string, string>;
    s3: {
      configurationId?: string;
      bucket: { name: string; ownerIdentity?: { principalId?: string } };
      object: { key: string; size?: number; eTag?: string; sequencer?: string };
    };
  }[];
}

const BROWSER_CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/**
 * s3rver 3.7 maps both a browser form POST and CompleteMultipartUpload to its 'Post' event, so
 * both arrive here as ObjectCreated:Post (AWS says ObjectCreated:CompleteMultipartUpload for the
 * latter). s3rver's copy event lacks the eTag; its ARN has spaces (`arn:aws:s3: : :bucket`).
 */
function toAwsEvent(raw: S3rverEvent, region: string): S3Event | undefined {
  const records: S3EventRecord[] = [];
  for (const record of raw.Records) {
    if (!record.eventName.startsWith('ObjectCreated:')) continue;
    const { bucket, object } = record.s3;
    records.push({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: region,
      eventTime: record.eventTime,
      eventName: record.eventName as S3ObjectCreatedEventName,
      userIdentity: { principalId: record.userIdentity?.principalId ?? 'AWS:LOCALDEVELOPMENT' },
      requestParameters: { sourceIPAddress: record.requestParameters?.sourceIPAddress ?? '127.0.0.1' },
      responseElements: {
        'x-amz-request-id': record.responseElements?.['x-amz-request-id'] ?? '',
        'x-amz-id-2': record.responseElements?.['x-amz-id-2'] ?? '',
      },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'local-object-created',
        bucket: {
          name: bucket.name,
          ownerIdentity: { principalId: bucket.ownerIdentity?.principalId ?? 'LOCALDEVELOPMENT' },
          arn: `arn:aws:s3:::${bucket.name}`,
        },
        object: {
          key: encodeS3EventKey(object.key),
          size: Number(object.size ?? 0),
          eTag: (object.eTag ?? '').replace(/"/g, ''),
          sequencer: object.sequencer ?? Date.now().toString(16).toUpperCase(),
        },
      },
    });
  }
  return records.length ? { Records: records } : undefined;
}

let credentialsRegistered = false;

/** Teaches s3rver's hard-coded dummy account (key S3RVER) the local-development key pair too. */
function registerLocalCredentials(): void {
  if (credentialsRegistered) return;
  const account = require('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
  };
  account.DUMMY_ACCOUNT.createKeyPair(
    LOCAL_DEVELOPMENT_CREDENTIALS.accessKeyId,
    LOCAL_DEVELOPMENT_CREDENTIALS.secretAccessKey,
  );
  credentialsRegistered = true;
}

function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
