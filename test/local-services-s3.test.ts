import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeS3EventKey,
  encodeS3EventKey,
  localS3ClientConfig,
  startLocalS3,
  type LocalS3,
  type S3Event,
} from '../local/s3/local-s3.ts';

const BUCKETS = ['sepakat-uploads', 'sepakat-archive'];

let dataDir: string;
let s3: LocalS3;
let client: S3Client;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sepakat-s3-'));
  s3 = await startLocalS3({ dataDir, buckets: BUCKETS });
  client = new S3Client(localS3ClientConfig(s3.endpoint));
});

afterEach(async () => {
  client.destroy();
  await s3.close();
  await rm(dataDir, { recursive: true, force: true });
});

function nextObjectCreated(local: LocalS3): Promise<S3Event> {
  return new Promise((resolve) => {
    const unsubscribe = local.onObjectCreated((event) => {
      unsubscribe();
      resolve(event);
    });
  });
}

async function getBytes(bucket: string, key: string, s3Client = client): Promise<Buffer> {
  const object = await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

describe('local S3 (s3rver)', () => {
  it('creates the configured buckets', async () => {
    const { Buckets } = await client.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name).sort()).toEqual([...BUCKETS].sort());
  });

  it('accepts a presigned PUT from a browser, emits ObjectCreated and round-trips the bytes', async () => {
    const body = randomBytes(1024 * 1024 + 12_345);
    const key = 'naskah/42/draf final (v2) ü.pdf';
    const url = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: 'sepakat-uploads', Key: key, ContentType: 'application/pdf' }),
      { expiresIn: 300 },
    );
    const created = nextObjectCreated(s3);

    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    const put = await fetch(url, {
      method: 'PUT',
      body,
      headers: { 'Content-Type': 'application/pdf', Origin: 'http://localhost:5173' },
    });

    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-allow-origin')).toBe('*');

    const event = await created;
    const md5 = createHash('md5').update(body).digest('hex');
    expect(event.Records).toHaveLength(1);
    const record = event.Records[0]!;
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'ap-southeast-3',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: 'sepakat-uploads', arn: 'arn:aws:s3:::sepakat-uploads' },
        object: { key: 'naskah/42/draf+final+%28v2%29+%C3%BC.pdf', size: body.length, eTag: md5 },
      },
    });
    expect(decodeS3EventKey(record.s3.object.key)).toBe(key);
    expect(new Date(record.eventTime).toISOString()).toBe(record.eventTime);

    const stored = await getBytes('sepakat-uploads', key);
    expect(stored.equals(body)).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'sepakat-uploads', Key: key }));
    expect(head.ContentType).toBe('application/pdf');
    expect(head.ETag).toBe(`"${md5}"`);
  });

  it('round-trips a streamed SDK upload byte for byte (the checksum trap)', async () => {
    const body = randomBytes(1024 * 1024 + 7);
    const created = nextObjectCreated(s3);

    await client.send(
      new PutObjectCommand({
        Bucket: 'sepakat-archive',
        Key: 'arsip/2026/100-KS-2026.pdf',
        Body: Readable.from([body.subarray(0, 500_000), body.subarray(500_000)]),
        ContentLength: body.length,
      }),
    );

    expect((await created).Records[0]!.s3.object.size).toBe(body.length);
    expect((await getBytes('sepakat-archive', 'arsip/2026/100-KS-2026.pdf')).equals(body)).toBe(true);
  });

  it('keeps uploading when a listener fails, and reports the failure', async () => {
    const errors: unknown[] = [];
    await s3.close();
    client.destroy();
    s3 = await startLocalS3({ dataDir, buckets: BUCKETS, onListenerError: (error) => errors.push(error) });
    client = new S3Client(localS3ClientConfig(s3.endpoint));
    s3.onObjectCreated(() => {
      throw new Error('listener broke');
    });
    const created = nextObjectCreated(s3);

    await client.send(new PutObjectCommand({ Bucket: 'sepakat-uploads', Key: 'a.txt', Body: 'isi' }));
    await created;
    await s3.close(); // waits for running listeners
    s3 = await startLocalS3({ dataDir, buckets: BUCKETS });

    expect(errors).toEqual([expect.objectContaining({ message: 'listener broke' })]);
  });

  it('keeps buckets and objects across close and restart', async () => {
    const body = randomBytes(200_000);
    await client.send(new PutObjectCommand({ Bucket: 'sepakat-archive', Key: 'tetap/ada.bin', Body: body }));
    await s3.close();
    client.destroy();

    s3 = await startLocalS3({ dataDir, buckets: BUCKETS });
    client = new S3Client(localS3ClientConfig(s3.endpoint));

    expect((await getBytes('sepakat-archive', 'tetap/ada.bin')).equals(body)).toBe(true);
    const { Buckets } = await client.send(new ListBucketsCommand({}));
    expect(Buckets).toHaveLength(2);
  });

  it('encodes event keys the way S3 notifications do', () => {
    const key = "a b/c+d/é*_.-~!'()=&?.txt";
    const encoded = encodeS3EventKey(key);

    expect(encoded).toBe('a+b/c%2Bd/%C3%A9*_.-%7E%21%27%28%29%3D%26%3F.txt');
    expect(decodeS3EventKey(encoded)).toBe(key);
  });
});
