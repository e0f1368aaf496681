import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf } from '../cli/drive.ts';
import { DynamoDbDocumentStore, documentTableDefinition } from '../functions/adapters/document-store.ts';
import { ensureTables, localDynamoClientConfig, startLocalDynamoDb } from '../local/dynamodb/local-dynamodb.ts';
import { localS3ClientConfig, startLocalS3 } from '../local/s3/local-s3.ts';

/** Generated and archived documents are stored once per purpose and never overwritten (real dynalite and s3rver). */
describe('the document store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sepakat-docs-'));
  let services: { close(): Promise<void> }[] = [];
  let store: DynamoDbDocumentStore;
  let ddb: DynamoDBClient;
  let s3: S3Client;

  beforeAll(async () => {
    const dynamodb = await startLocalDynamoDb({ dataDir: dir });
    const local = await startLocalS3({ dataDir: dir, buckets: ['dokumen', 'arsip'] });
    services = [dynamodb, local];
    ddb = new DynamoDBClient(localDynamoClientConfig(dynamodb.endpoint));
    await ensureTables(ddb, [documentTableDefinition('sepakat-dokumen'), documentTableDefinition('sepakat-dokumen-2')]);
    s3 = new S3Client(localS3ClientConfig(local.endpoint));
    store = new DynamoDbDocumentStore(ddb, s3, 'sepakat-dokumen', s3, 'arsip');
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const input = (bytes: Uint8Array, purpose = 'kasus-1#00014#naskah') => ({
    caseId: 'kasus-1',
    kind: 'naskah',
    purpose,
    bucket: 'dokumen',
    bytes,
    contentType: 'application/pdf',
    fileName: 'naskah-kesepakatan-bersama.pdf',
    at: new Date('2026-11-23T03:00:00Z'),
    templateVersion: 'abc123',
    data: { nomor: '000.5.4/1/409.1.1/2026' },
  });

  it('records the SHA-256, template version and data of a stored document', async () => {
    const bytes = samplePdf('Naskah');
    const { record, created } = await store.store(input(bytes, 'kasus-1#00001#naskah'));
    expect(created).toBe(true);
    expect(record.key).toContain(record.sha256);
    expect(record.templateVersion).toBe('abc123');
    expect(record.dataSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(await store.read(record)).equals(bytes)).toBe(true);
  });

  it('keeps one document per purpose under retries and concurrency, even when the bytes differ', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.store(input(samplePdf(`Naskah versi ${i}`), 'kasus-1#00002#naskah'))),
    );
    expect(new Set(results.map((r) => r.record.sha256)).size).toBe(1);
    expect(results.filter((r) => r.created).length).toBeLessThanOrEqual(20);
    const again = await store.store(input(samplePdf('Naskah lain'), 'kasus-1#00002#naskah'));
    expect(again.created).toBe(false);
    expect(again.record.sha256).toBe(results[0]!.record.sha256);
  });

  it('detects a stored object that was changed behind its back', async () => {
    const { record } = await store.store(input(samplePdf('Asli'), 'kasus-1#00003#naskah'));
    await s3.send(new PutObjectCommand({ Bucket: 'dokumen', Key: record.key, Body: samplePdf('Palsu') }));
    await expect(store.read(record)).rejects.toThrow(/SHA-256 berbeda/);
  });

  it('gives a short-lived download link that downloads the recorded file as an attachment', async () => {
    const { record } = await store.store(input(samplePdf('Unduh'), 'kasus-1#00004#naskah'));
    const res = await fetch(await store.downloadUrl(record, 60));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    expect((await store.listByCase('kasus-1')).map((r) => r.docId)).toContain(record.docId);
  });

  it('keeps a registered document in the archive bucket too, same bytes, once per version (a replay adds nothing)', async () => {
    const bytes = samplePdf('Naskah bernomor');
    const registered = { ...input(bytes, 'kasus-1#00005#naskah-ditandatangani'), nomor: '000.5.4/2/409.1.1/2026' };
    const { record } = await store.store(registered);
    expect(record.arsip).toEqual({ bucket: 'arsip', key: record.key });
    const copy = await s3.send(new GetObjectCommand({ Bucket: 'arsip', Key: record.key }));
    expect(Buffer.from(await copy.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    const before = await s3.send(new HeadObjectCommand({ Bucket: 'arsip', Key: record.key }));

    // A crash after the archive write and before the record: the same purpose stored again (here through a store
    // whose table lacks the record) meets the archive key taken, S3 answers 412 and the first copy stays untouched.
    const replay = new DynamoDbDocumentStore(ddb, s3, 'sepakat-dokumen-2', s3, 'arsip');
    const again = await replay.store(registered);
    expect(again.created).toBe(true);
    expect(again.record.arsip).toEqual(record.arsip);
    const after = await s3.send(new HeadObjectCommand({ Bucket: 'arsip', Key: record.key }));
    expect(after.LastModified).toEqual(before.LastModified);
    expect(after.ETag).toBe(before.ETag);

    // A document without a number is not archived.
    const plain = await store.store(input(samplePdf('Konsep'), 'kasus-1#00006#naskah'));
    expect(plain.record.arsip).toBeUndefined();
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'arsip', Key: plain.record.key }))).rejects.toThrow();
  });
});
