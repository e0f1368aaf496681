import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, GetItemCommand, type CreateTableInput } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsClients, documentClientOf } from '../functions/adapters/aws-clients.ts';
import type { DocumentClient } from '../functions/adapters/document-client.ts';
import {
  ensureTables,
  LOCAL_DEVELOPMENT_CREDENTIALS,
  LOCAL_REGION,
  localDynamoClientConfig,
  startLocalDynamoDb,
  type LocalDynamoDb,
} from '../local/dynamodb/local-dynamodb.ts';

const TABLE: CreateTableInput = {
  TableName: 'sepakat-uji-dokumen-klien',
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
};
const TableName = TABLE.TableName!;

/** An item with every kind of value the stores write: nested maps, lists, sets, numbers, binary, null, undefined. */
const item = (sk: string) => ({
  pk: 'kasus-1',
  sk,
  judul: 'Kesepakatan Bersama',
  urutan: 7,
  pecahan: 0.25,
  aktif: true,
  kosong: null,
  tanpaNilai: undefined,
  pihak: [{ nama: 'Pemerintah Kota', peran: 'PIHAK KESATU' }, 'teks', 3],
  detail: { dicatat: 'ya', tidakAda: undefined, dalam: { tingkat: 2, daftar: [] } },
  label: new Set(['a', 'b']),
  angka: new Set([1, 2]),
  isi: new Uint8Array([1, 2, 3]),
});

describe('the document client on the cached middleware stack', () => {
  let dataDir: string;
  let dynamo: LocalDynamoDb;
  let client: DynamoDBClient;
  let doc: DocumentClient;
  /** lib-dynamodb's own document client, on a client without the cache: the reference the translation must match. */
  let reference: DynamoDBDocumentClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sepakat-dokumen-klien-'));
    dynamo = await startLocalDynamoDb({ dataDir });
    client = awsClients({
      region: LOCAL_REGION,
      credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
      endpoints: { dynamodb: dynamo.endpoint },
    }).dynamodb;
    doc = documentClientOf(client);
    reference = DynamoDBDocumentClient.from(new DynamoDBClient(localDynamoClientConfig(dynamo.endpoint)), {
      marshallOptions: { removeUndefinedValues: true },
    });
    await ensureTables(client, [TABLE]);
  });

  afterAll(async () => {
    reference?.destroy();
    await dynamo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes and reads the same items as lib-dynamodb, both ways', async () => {
    await doc.send(new PutCommand({ TableName, Item: item('milik-kami') }));
    await reference.send(new PutCommand({ TableName, Item: item('milik-rujukan') }));
    for (const sk of ['milik-kami', 'milik-rujukan']) {
      const ours = await doc.send(new GetCommand({ TableName, Key: { pk: 'kasus-1', sk }, ConsistentRead: true }));
      const theirs = await reference.send(new GetCommand({ TableName, Key: { pk: 'kasus-1', sk } }));
      expect(ours.Item).toEqual(theirs.Item);
      expect(ours.Item?.detail).toEqual({ dicatat: 'ya', dalam: { tingkat: 2, daftar: [] } });
      expect(ours.Item?.label).toEqual(new Set(['a', 'b']));
      expect(ours.Item?.urutan).toBe(7);
      expect('tanpaNilai' in (ours.Item ?? {})).toBe(false);
    }
    const missing = await doc.send(new GetCommand({ TableName, Key: { pk: 'kasus-1', sk: 'tidak-ada' } }));
    expect(missing.Item).toBeUndefined();
  });

  it('translates conditions, updates returning the new item, and deletes', async () => {
    await doc.send(new PutCommand({ TableName, Item: { pk: 'kasus-2', sk: 'tugas', state: 'open', n: 1 } }));
    const updated = await doc.send(
      new UpdateCommand({
        TableName,
        Key: { pk: 'kasus-2', sk: 'tugas' },
        UpdateExpression: 'SET #state = :decided, decision = :decision ADD n :one',
        ConditionExpression: '#state = :open',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':decided': 'decided',
          ':open': 'open',
          ':one': 1,
          ':decision': { choice: 'lanjut', values: { nomor: 'KB/1', tanpa: undefined }, files: [] },
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(updated.Attributes).toEqual({
      pk: 'kasus-2',
      sk: 'tugas',
      state: 'decided',
      n: 2,
      decision: { choice: 'lanjut', values: { nomor: 'KB/1' }, files: [] },
    });
    // The same condition again fails as DynamoDB says: the product's "the fact exists already".
    await expect(
      doc.send(
        new UpdateCommand({
          TableName,
          Key: { pk: 'kasus-2', sk: 'tugas' },
          UpdateExpression: 'SET #state = :decided',
          ConditionExpression: '#state = :open',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':decided': 'decided', ':open': 'open' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    const removed = await doc.send(
      new DeleteCommand({ TableName, Key: { pk: 'kasus-2', sk: 'tugas' }, ReturnValues: 'ALL_OLD' }),
    );
    expect(removed.Attributes?.state).toBe('decided');
    expect((await doc.send(new GetCommand({ TableName, Key: { pk: 'kasus-2', sk: 'tugas' } }))).Item).toBeUndefined();
  });

  it('pages a Query and a Scan by their last keys, and batches gets and writes', async () => {
    await doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [TableName]: Array.from({ length: 12 }, (_, i) => ({
            PutRequest: { Item: { pk: 'kasus-3', sk: `riwayat#${String(i).padStart(3, '0')}`, ke: i } },
          })),
        },
      }),
    );
    const seen: number[] = [];
    let start: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const out = await doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :awal)',
          ExpressionAttributeValues: { ':pk': 'kasus-3', ':awal': 'riwayat#' },
          Limit: 5,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      seen.push(...(out.Items ?? []).map((i) => i.ke as number));
      start = out.LastEvaluatedKey;
      if (start) expect(start).toMatchObject({ pk: 'kasus-3', sk: expect.stringMatching(/^riwayat#/) });
      pages++;
    } while (start);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(pages).toBeGreaterThanOrEqual(3);

    const scanned = await doc.send(
      new ScanCommand({ TableName, FilterExpression: 'ke >= :lima', ExpressionAttributeValues: { ':lima': 5 } }),
    );
    expect((scanned.Items ?? []).map((i) => i.ke).sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10, 11]);

    const batch = await doc.send(
      new BatchGetCommand({
        RequestItems: {
          [TableName]: {
            Keys: [
              { pk: 'kasus-3', sk: 'riwayat#002' },
              { pk: 'kasus-3', sk: 'riwayat#009' },
              { pk: 'kasus-3', sk: 'riwayat#999' },
            ],
            ConsistentRead: true,
          },
        },
      }),
    );
    expect((batch.Responses?.[TableName] ?? []).map((i) => i.ke).sort()).toEqual([2, 9]);
    expect(Object.keys(batch.UnprocessedKeys ?? {})).toEqual([]);
  });

  it('resolves each command’s middleware once, and sees middleware added after a send', async () => {
    expect((client.config as { cacheMiddleware?: boolean }).cacheMiddleware).toBe(true);
    const resolve = vi.spyOn(GetItemCommand.prototype, 'resolveMiddleware');
    try {
      for (let i = 0; i < 3; i++)
        await doc.send(new GetCommand({ TableName, Key: { pk: 'kasus-1', sk: 'milik-kami' } }));
      // Cached from an earlier send of this file, or resolved once here: never once per send.
      expect(resolve.mock.calls.length).toBeLessThanOrEqual(1);

      // A counter added now (as the bench and the tests add theirs) counts every following request.
      let counted = 0;
      client.middlewareStack.add(
        (next) => async (args) => {
          counted++;
          return next(args);
        },
        { step: 'initialize', name: 'ujiPenghitung', override: true },
      );
      for (let i = 0; i < 3; i++)
        await doc.send(new GetCommand({ TableName, Key: { pk: 'kasus-1', sk: 'milik-kami' } }));
      expect(counted).toBe(3);
      client.middlewareStack.remove('ujiPenghitung');
      await doc.send(new GetCommand({ TableName, Key: { pk: 'kasus-1', sk: 'milik-kami' } }));
      expect(counted).toBe(3);
    } finally {
      resolve.mockRestore();
    }
  });

  it('refuses a command it does not translate rather than sending it untranslated', async () => {
    const { TransactWriteCommand } = await import('@aws-sdk/lib-dynamodb');
    await expect(
      (doc as unknown as { send(c: object): Promise<unknown> }).send(new TransactWriteCommand({ TransactItems: [] })),
    ).rejects.toThrow(/not supported/);
  });
});
