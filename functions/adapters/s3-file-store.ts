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
import type { StoredFile } from '../../core/case/model.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import { checkAccepted, MAX_PRESIGN_SECONDS, type FileStore } from '../../core/files/accepted-files.ts';

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

/** A download name S3 puts in Content-Disposition: plain ASCII only. */
const dispositionOf = (disposition: 'attachment' | 'inline', fileName: string) =>
  `${disposition}; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`;

/** S3's answer to a conditional create (`If-None-Match: *`) of a key that exists. */
export const isPreconditionFailed = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'PreconditionFailed' || e?.$metadata?.httpStatusCode === 412;
};

/** Object storage on S3 (s3rver locally). Uploads and downloads go through presigned URLs, never through Lambda. */
export class S3FileStore implements FileStore {
  constructor(
    private readonly client: S3Client,
    /** A client whose endpoint is the one browsers reach (may differ from the internal one). */
    private readonly presignClient: S3Client = client,
  ) {}

  presignUpload(
    bucket: string,
    key: string,
    upload: { contentType: string; size: number; expiresSeconds: number },
  ): Promise<string> {
    // Content-Length and Content-Type are signed: S3 refuses a body of another size or type under this URL.
    return getSignedUrl(
      this.presignClient,
      new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: upload.contentType, ContentLength: upload.size }),
      {
        expiresIn: Math.min(upload.expiresSeconds, MAX_PRESIGN_SECONDS),
        signableHeaders: new Set(['content-type', 'content-length']),
      },
    );
  }

  /**
   * A short-lived GET link to an object the product wrote itself (generated documents go through DocumentStore;
   * this serves what is not an upload, e.g. the CLI's archive copies).
   */
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
        ResponseContentDisposition: dispositionOf(disposition, fileName),
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

  async read(bucket: string, key: string, maxBytes: number, versionId?: string): Promise<Uint8Array | undefined> {
    try {
      const out = await guard(() =>
        this.client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
        ),
      );
      if ((out.ContentLength ?? 0) > maxBytes) {
        // Not read: the body is dropped unconsumed.
        (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new SepakatError(ErrorNames.BadInput, `Berkas ${key} melebihi batas ukuran`, { code: 'TerlaluBesar' });
      }
      return (await out.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async putOnce(
    bucket: string,
    key: string,
    bytes: Uint8Array,
    meta: { contentType: string; sha256: string },
  ): Promise<{ versionId?: string }> {
    try {
      const out = await guard(() =>
        this.client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: bytes,
            ContentType: meta.contentType,
            // Real S3 refuses the write when the key exists (conditional create) and checks the body's SHA-256.
            IfNoneMatch: '*',
            ChecksumSHA256: Buffer.from(meta.sha256, 'hex').toString('base64'),
          }),
        ),
      );
      return out.VersionId ? { versionId: out.VersionId } : {};
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      // Written before (a retried check of the same bytes): it must hold exactly these bytes.
      const existing = await this.read(bucket, key, bytes.length);
      checkAccepted({ sha256: meta.sha256, name: key, key }, existing ?? new Uint8Array());
      return {};
    }
  }

  async readAccepted(file: StoredFile, maxBytes: number): Promise<Uint8Array> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.read(file.bucket, file.key, Math.max(maxBytes, file.size), file.versionId);
    } catch (error) {
      // Larger than the file accepted: not its bytes.
      if ((error as { code?: string }).code === 'TerlaluBesar') return checkAccepted(file, new Uint8Array());
      throw error;
    }
    if (!bytes)
      throw new SepakatError(ErrorNames.Tampered, `Berkas "${file.name}" tidak ada lagi di penyimpanan`, {
        code: 'BerkasHilang',
      });
    return checkAccepted(file, bytes);
  }

  async acceptedFileUrl(
    file: StoredFile,
    expiresSeconds: number,
    disposition: 'attachment' | 'inline' = 'attachment',
  ): Promise<string> {
    await this.readAccepted(file, file.size);
    return getSignedUrl(
      this.presignClient,
      new GetObjectCommand({
        Bucket: file.bucket,
        Key: file.key,
        ...(file.versionId ? { VersionId: file.versionId } : {}),
        ResponseContentType: file.contentType,
        ResponseContentDisposition: dispositionOf(disposition, file.name),
      }),
      { expiresIn: expiresSeconds },
    );
  }

  async getText(bucket: string, key: string, maxBytes: number): Promise<string | undefined> {
    try {
      const bytes = await this.read(bucket, key, maxBytes);
      return bytes && Buffer.from(bytes).toString('utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'TerlaluBesar') return undefined;
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
    await this.remove(bucket, key);
  }

  async remove(bucket: string, key: string): Promise<void> {
    await guard(() => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
  }

  async putText(bucket: string, key: string, text: string, contentType: string): Promise<void> {
    await guard(() =>
      this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: contentType })),
    );
  }

  async list(bucket: string, prefix: string): Promise<{ key: string; lastModified?: Date }[]> {
    const items: { key: string; lastModified?: Date }[] = [];
    let token: string | undefined;
    do {
      const out = await guard(() =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
        ),
      );
      for (const item of out.Contents ?? [])
        if (item.Key) items.push({ key: item.Key, ...(item.LastModified ? { lastModified: item.LastModified } : {}) });
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return items;
  }
}
