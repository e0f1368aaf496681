import { createHash } from 'node:crypto';
import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from './document-client.ts';
import { documentClientOf } from './aws-clients.ts';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import { conditionally, guarded, queryAll } from './dynamodb-guard.ts';
import { tableDefinition } from './tables.ts';
import { isPreconditionFailed } from './s3-file-store.ts';
import type { DocumentStore } from '../../core/ports.ts';
import {
  docIdFor,
  documentRecordOf,
  pageImageKey,
  type DocumentRecord,
  type StoredPageImage,
  type StoreDocumentInput,
} from '../../core/documents/document-record.ts';

export { docIdFor, type DocumentRecord } from '../../core/documents/document-record.ts';
/** The port this adapter implements (callers that only read documents name it from here). */
export type { DocumentStore } from '../../core/ports.ts';

export const documentTableDefinition = (tableName: string): CreateTableCommandInput =>
  tableDefinition(tableName, {
    key: ['docId'],
    indexes: {
      byCase: ['caseId', 'createdAt'],
      // The verification page finds an uploaded PDF by its hash.
      bySha256: ['sha256'],
      // Archivists find the copies of a register number (sparse: only numbered documents).
      byNomor: ['nomor', 'createdAt'],
    },
  });

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * Documents are never overwritten. The local S3 has no versioning or Object Lock, so the guarantee comes from two
 * rules that hold on AWS too:
 * - an object key ends in the SHA-256 of its bytes, so a key can only ever hold one content;
 * - the record that says which object is *the* document for a purpose (case, step, visit, kind) is one conditional
 *   put in DynamoDB. A retried or concurrent store finds the record and returns it: one document per purpose.
 */
export class DynamoDbDocumentStore implements DocumentStore {
  private readonly doc: DocumentClient;

  constructor(
    dynamodb: DynamoDBClient,
    private readonly s3: S3Client,
    private readonly table: string,
    private readonly presignS3: S3Client = s3,
    /**
     * The Object Lock archive bucket: a document stored with a register number (the signed naskah, a signed letter,
     * the partner's copy, the Lembar Riwayat) is also written there, once per version (see `archiveCopy`).
     */
    private readonly archiveBucket?: string,
  ) {
    this.doc = documentClientOf(dynamodb);
  }

  async get(docId: string): Promise<DocumentRecord | undefined> {
    const out = await guarded(() =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { docId }, ConsistentRead: true })),
    );
    return out.Item as DocumentRecord | undefined;
  }

  /**
   * Stores the document for a purpose once. Returns the stored record (an earlier one when the purpose was stored).
   * The record's put is conditional, so a document that exists is found by that write, not by a read before it; only
   * a document that also goes to the Object Lock archive is looked up first, so a replay leaves no second version
   * there.
   */
  async store(input: StoreDocumentInput): Promise<{ record: DocumentRecord; created: boolean }> {
    const docId = docIdFor(input.purpose);
    const archived = !!(input.nomor && this.archiveBucket && input.bucket !== this.archiveBucket);
    const existing = archived ? await this.get(docId) : undefined;
    if (existing) return { record: existing, created: false };
    const hash = sha256(input.bytes);
    const extension = input.fileName.includes('.')
      ? input.fileName
          .split('.')
          .pop()!
          .toLowerCase()
          .replace(/[^a-z0-9]/g, '')
      : 'bin';
    const key = `dokumen/${input.caseId}/${input.kind}/${docId}-${hash}.${extension}`;
    const dataJson = input.data !== undefined ? JSON.stringify(input.data) : undefined;
    const dataKey = dataJson ? `${key}.data-${sha256(dataJson).slice(0, 16)}.json` : undefined;
    const halaman: StoredPageImage[] = [];
    let arsip: { bucket: string; key: string } | undefined;
    try {
      if (dataJson && dataKey)
        await this.s3.send(
          new PutObjectCommand({
            Bucket: input.bucket,
            Key: dataKey,
            Body: dataJson,
            ContentType: 'application/json; charset=utf-8',
          }),
        );
      await this.s3.send(
        new PutObjectCommand({
          Bucket: input.bucket,
          Key: key,
          Body: input.bytes,
          ContentType: input.contentType,
          // An integrity header: S3 checks the bytes it stores, and a bucket with Object Lock (the archive) requires it.
          ContentMD5: createHash('md5').update(input.bytes).digest('base64'),
          Metadata: { sha256: hash, tujuan: encodeURIComponent(input.purpose).slice(0, 500) },
        }),
      );
      // The page images go beside the document before its record, so a record that names them finds them.
      for (const [index, image] of (input.pageImages ?? []).entries()) {
        const imageHash = sha256(image.png);
        const imageKey = pageImageKey(key, index, imageHash);
        await this.s3.send(
          new PutObjectCommand({
            Bucket: input.bucket,
            Key: imageKey,
            Body: image.png,
            ContentType: 'image/png',
            ContentMD5: createHash('md5').update(image.png).digest('base64'),
            Metadata: { sha256: imageHash },
          }),
        );
        halaman.push({ key: imageKey, sha256: imageHash, width: image.width, height: image.height });
      }
      if (archived) arsip = await this.archiveCopy(key, input.bytes, hash, input.contentType);
    } catch (error) {
      throw new SepakatError(ErrorNames.Transient, 'Penyimpanan dokumen sementara tidak tersedia', { cause: error });
    }
    const record = documentRecordOf(input, {
      key,
      sha256: hash,
      ...(dataJson && dataKey
        ? { data: { sha256: sha256(dataJson), key: dataKey } }
        : input.dataOf?.dataSha256
          ? {
              data: { sha256: input.dataOf.dataSha256, ...(input.dataOf.dataKey ? { key: input.dataOf.dataKey } : {}) },
            }
          : {}),
      halaman,
      ...(arsip ? { arsip } : {}),
    });
    const created = await conditionally(() =>
      this.doc.send(
        new PutCommand({ TableName: this.table, Item: record, ConditionExpression: 'attribute_not_exists(docId)' }),
      ),
    );
    // A concurrent store won: theirs is the document. Ours stays as an unreferenced object with its own hash key.
    return created ? { record, created: true } : { record: (await this.get(docId))!, created: false };
  }

  /**
   * The archive copy of a registered document, under the same key (which ends in its SHA-256), before its record.
   * Content-MD5, which a bucket with a default Object Lock retention requires on every PUT; `If-None-Match: *`, so a
   * replay (a crash between this write and the record, a retried step) makes no second object version: S3 answers
   * 412 for a key that exists, and a key can only hold these bytes.
   */
  private async archiveCopy(
    key: string,
    bytes: Uint8Array,
    hash: string,
    contentType: string,
  ): Promise<{ bucket: string; key: string }> {
    const bucket = this.archiveBucket!;
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentType: contentType,
          ContentMD5: createHash('md5').update(bytes).digest('base64'),
          IfNoneMatch: '*',
          Metadata: { sha256: hash },
        }),
      );
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
    }
    return { bucket, key };
  }

  /** Reads a document back and checks it is still the bytes recorded (any change is reported, never trusted). */
  read(record: DocumentRecord): Promise<Uint8Array> {
    return this.readChecked(
      record.bucket,
      { key: record.key, sha256: record.sha256 },
      `Dokumen ${record.docId} tidak sama dengan yang tercatat (SHA-256 berbeda); dokumen tidak diberikan`,
    );
  }

  async readPageImage(record: DocumentRecord, index: number): Promise<Uint8Array | undefined> {
    const image = record.halaman?.[index];
    if (!image) return undefined;
    return this.readChecked(
      record.bucket,
      image,
      `Gambar halaman ${index + 1} dokumen ${record.docId} tidak sama dengan yang tercatat (SHA-256 berbeda)`,
    );
  }

  /** An object's bytes, which must hash to the recorded SHA-256 (else `Tampered`, saying `changed`). */
  private async readChecked(
    bucket: string,
    object: { key: string; sha256: string },
    changed: string,
  ): Promise<Uint8Array> {
    const bytes = await this.s3
      .send(new GetObjectCommand({ Bucket: bucket, Key: object.key }))
      .then((out) => out.Body!.transformToByteArray())
      .catch((error: unknown) => {
        throw new SepakatError(ErrorNames.Transient, 'Penyimpanan dokumen sementara tidak tersedia', { cause: error });
      });
    if (sha256(bytes) !== object.sha256)
      throw new SepakatError(ErrorNames.Tampered, changed, { code: 'DokumenBerubah' });
    return bytes;
  }

  async listByCase(caseId: string): Promise<DocumentRecord[]> {
    return this.queryIndex('byCase', 'caseId', caseId);
  }

  /** Documents with these exact bytes (normally one; the same bytes stored for two purposes give two). */
  async findBySha256(sha: string): Promise<DocumentRecord[]> {
    if (!/^[0-9a-f]{64}$/.test(sha)) return [];
    return this.queryIndex('bySha256', 'sha256', sha);
  }

  /** Every document filed under a register number, oldest first. */
  async listByNomor(nomor: string): Promise<DocumentRecord[]> {
    return this.queryIndex('byNomor', 'nomor', nomor);
  }

  private queryIndex(index: string, attribute: string, value: string): Promise<DocumentRecord[]> {
    return queryAll<DocumentRecord>(this.doc, {
      TableName: this.table,
      IndexName: index,
      KeyConditionExpression: '#a = :v',
      ExpressionAttributeNames: { '#a': attribute },
      ExpressionAttributeValues: { ':v': value },
    });
  }

  /**
   * A short-lived download link with the recorded name: a download (attachment), or `inline` to view in the browser.
   * Handed out only after the stored bytes were read and found to be the recorded ones.
   */
  async downloadUrl(
    record: DocumentRecord,
    expiresSeconds = 300,
    disposition: 'attachment' | 'inline' = 'attachment',
  ): Promise<string> {
    await this.read(record);
    return getSignedUrl(
      this.presignS3,
      new GetObjectCommand({
        Bucket: record.bucket,
        Key: record.key,
        ResponseContentType: record.contentType,
        ResponseContentDisposition: `${disposition}; filename="${record.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
      }),
      { expiresIn: expiresSeconds },
    );
  }
}
