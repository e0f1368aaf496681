import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { IntakeFileStore } from '../../core/case/intake.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';

const isMissing = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0;
    if (status >= 500 || status === 503 || /SlowDown|ECONN|socket|TimeoutError/i.test((error as Error)?.name ?? ''))
      throw new SepakatError(ErrorNames.Transient, 'Penyimpanan berkas sementara tidak tersedia', { cause: error });
    throw error;
  }
}

/** Object storage on S3 (s3rver locally). Uploads and downloads go through presigned URLs, never through Lambda. */
export class S3FileStore implements IntakeFileStore {
  constructor(
    private readonly client: S3Client,
    /** A client whose endpoint is the one browsers reach (may differ from the internal one). */
    private readonly presignClient: S3Client = client,
  ) {}

  presignPut(bucket: string, key: string, contentType: string, expiresSeconds: number): Promise<string> {
    return getSignedUrl(
      this.presignClient,
      new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
      {
        expiresIn: expiresSeconds,
      },
    );
  }

  /** A short-lived GET link: a download (attachment), or `inline` to view in the browser. */
  presignGet(
    bucket: string,
    key: string,
    fileName: string,
    expiresSeconds: number,
    disposition: 'attachment' | 'inline' = 'attachment',
  ): Promise<string> {
    return getSignedUrl(
      this.presignClient,
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ResponseContentDisposition: `${disposition}; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
      }),
      { expiresIn: expiresSeconds },
    );
  }

  async head(bucket: string, key: string): Promise<{ size: number } | undefined> {
    try {
      const out = await guard(() => this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
      return { size: out.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async readHead(bucket: string, key: string, bytes: number): Promise<Uint8Array> {
    const out = await guard(() =>
      this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${bytes - 1}` })),
    );
    return (await out.Body?.transformToByteArray()) ?? new Uint8Array();
  }

  /** The whole object, refused above `maxBytes` (uploads are bounded at intake; this keeps a Lambda's memory safe). */
  async read(bucket: string, key: string, maxBytes: number): Promise<Uint8Array> {
    const out = await guard(() => this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
    if ((out.ContentLength ?? 0) > maxBytes)
      throw new SepakatError(ErrorNames.BadInput, `Berkas ${key} melebihi batas ukuran`);
    return (await out.Body?.transformToByteArray()) ?? new Uint8Array();
  }

  async sha256(bucket: string, key: string): Promise<string> {
    const out = await guard(() => this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
    const hash = createHash('sha256');
    for await (const chunk of out.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return hash.digest('hex');
  }

  async getText(bucket: string, key: string, maxBytes: number): Promise<string | undefined> {
    try {
      const out = await guard(() => this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
      if ((out.ContentLength ?? 0) > maxBytes) return undefined;
      return await out.Body?.transformToString('utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async quarantine(bucket: string, key: string, toKey: string, reason: string): Promise<void> {
    await guard(() =>
      this.client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: toKey,
          CopySource: `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
          MetadataDirective: 'REPLACE',
          Metadata: { alasan: encodeURIComponent(reason).slice(0, 1800), asal: encodeURIComponent(key) },
        }),
      ),
    );
    await guard(() => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
  }

  async putText(bucket: string, key: string, text: string, contentType: string): Promise<void> {
    await guard(() =>
      this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: contentType })),
    );
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await guard(() =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
        ),
      );
      for (const item of out.Contents ?? []) if (item.Key) keys.push(item.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }
}
