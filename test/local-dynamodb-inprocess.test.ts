import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  type CreateTableInput,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsClients, documentClientOf } from '../functions/adapters/aws-clients.ts';
import type { DocumentClient } from '../functions/adapters/document-client.ts';
import { InProcessHttpHandler, requestListenerOf } from '../local/dynamodb/in-process-handler.ts';
import {
  ensureTables,
  LOCAL_DEVELOPMENT_CREDENTIALS,
  LOCAL_REGION,
  localDynamoClientConfig,
  startLocalDynamoDb,
  type LocalDynamoDb,
} from '../local/dynamodb/local-dynamodb.ts';
import { eventually, startTestRuntime } from './support/runtime.ts';

const TABLE: CreateTableInput = {
  TableName: 'sepakat-uji-inproses',
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'status', AttributeType: 'S' },
    { AttributeName: 'urutan', AttributeType: 'N' },
  ],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'menurut-status',
      KeySchema: [
        { AttributeName: 'status', KeyType: 'HASH' },
        { AttributeName: 'urutan', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
};
const TableName = TABLE.TableName!;

/** The local ports that accepted a TCP connection while `body` ran (every server of this process). */
async function connectionsAccepted(body: () => Promise<void>): Promise<number[]> {
  const ports: number[] = [];
  const onSocket = (message: unknown) => ports.push((message as { socket: Socket }).socket.localPort ?? -1);
  subscribe('net.server.socket', onSocket);
  try {
    await body();
  } finally {
    unsubscribe('net.server.socket', onSocket);
  }
  return ports;
}

const portOf = (endpoint: string) => Number(new URL(endpoint).port);

describe('the in-process transport to the local DynamoDB', () => {
  let dataDir: string;
  let dynamo: LocalDynamoDb;
  let client: DynamoDBClient;
  let doc: DocumentClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sepakat-dynamodb-inproses-'));
    dynamo = await startLocalDynamoDb({ dataDir, inProcess: true });
    // The clients of the app (awsClients) get the in-process handler for this endpoint.
    client = awsClients({
      region: LOCAL_REGION,
      credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
      endpoints: { dynamodb: dynamo.endpoint },
    }).dynamodb;
    doc = documentClientOf(client);
    await ensureTables(client, [TABLE]);
  });

  afterAll(async () => {
    await dynamo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('sends every request of the real client without a socket', async () => {
    expect(dynamo.inProcess).toBe(true);
    expect(client.config.requestHandler).toBeInstanceOf(InProcessHttpHandler);
    const ports = await connectionsAccepted(async () => {
      await doc.send(new PutCommand({ TableName, Item: { pk: 'tanpa-soket', status: 'baru', urutan: 1 } }));
      const got = await doc.send(new GetCommand({ TableName, Key: { pk: 'tanpa-soket' } }));
      expect(got.Item).toEqual({ pk: 'tanpa-soket', status: 'baru', urutan: 1 });
    });
    expect(ports).not.toContain(portOf(dynamo.endpoint));
  });

  it('puts, gets and updates with a condition; a failed condition keeps its name', async () => {
    await doc.send(
      new PutCommand({
        TableName,
        Item: { pk: 'kasus-1', status: 'aktif', urutan: 1, catatan: 'Perjanjian kerja sama' },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    const again = doc.send(
      new PutCommand({
        TableName,
        Item: { pk: 'kasus-1', status: 'aktif', urutan: 9 },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await expect(again).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await expect(again).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
      $metadata: { httpStatusCode: 400 },
    });

    const updated = await doc.send(
      new UpdateCommand({
        TableName,
        Key: { pk: 'kasus-1' },
        UpdateExpression: 'SET urutan = urutan + :satu',
        ConditionExpression: '#s = :aktif',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':satu': 1, ':aktif': 'aktif' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(updated.Attributes).toMatchObject({ pk: 'kasus-1', urutan: 2, catatan: 'Perjanjian kerja sama' });
    const refused = doc.send(
      new UpdateCommand({
        TableName,
        Key: { pk: 'kasus-1' },
        UpdateExpression: 'SET urutan = :nol',
        ConditionExpression: '#s = :selesai',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':nol': 0, ':selesai': 'selesai' },
      }),
    );
    await expect(refused).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const kept = await doc.send(new GetCommand({ TableName, Key: { pk: 'kasus-1' }, ConsistentRead: true }));
    expect(kept.Item?.['urutan']).toBe(2);
  });

  it('queries an index', async () => {
    for (const [pk, urutan] of [
      ['antrian-b', 2],
      ['antrian-a', 1],
      ['antrian-c', 3],
    ] as const)
      await doc.send(new PutCommand({ TableName, Item: { pk, status: 'antri', urutan } }));
    const page = await doc.send(
      new QueryCommand({
        TableName,
        IndexName: 'menurut-status',
        KeyConditionExpression: '#s = :antri AND urutan >= :dua',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':antri': 'antri', ':dua': 2 },
        ScanIndexForward: false,
      }),
    );
    expect(page.Items?.map((item) => item['pk'])).toEqual(['antrian-c', 'antrian-b']);
    expect(page.Count).toBe(2);
  });

  it('keeps the name and message of a validation error', async () => {
    const invalid = client.send(new GetItemCommand({ TableName, Key: { tidak: { S: 'ada' } } }));
    await expect(invalid).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'The provided key element does not match the schema',
      $metadata: { httpStatusCode: 400 },
    });
    const missing = client.send(new GetItemCommand({ TableName: 'tidak-ada', Key: { pk: { S: 'x' } } }));
    await expect(missing).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('carries an item near 400 KB both ways, and refuses one above', async () => {
    // Multi-byte text: the body's bytes, not its characters, are what must arrive whole.
    const besar = 'é'.repeat(195_000) + 'akhir';
    await doc.send(new PutCommand({ TableName, Item: { pk: 'besar', isi: besar } }));
    const got = await doc.send(new GetCommand({ TableName, Key: { pk: 'besar' } }));
    expect(got.Item?.['isi']).toBe(besar);
    const terlalu = doc.send(new PutCommand({ TableName, Item: { pk: 'terlalu-besar', isi: 'x'.repeat(410_000) } }));
    await expect(terlalu).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Item size has exceeded the maximum allowed size',
    });
  });

  it('answers many concurrent requests, each its own', async () => {
    const n = 200;
    await Promise.all(
      Array.from({ length: n }, () =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: { pk: 'penghitung' },
            UpdateExpression: 'ADD jumlah :satu',
            ExpressionAttributeValues: { ':satu': 1 },
          }),
        ),
      ),
    );
    const items = await Promise.all(
      Array.from({ length: 50 }, (_, i) => i).map(async (i) => {
        await doc.send(new PutCommand({ TableName, Item: { pk: `serentak-${i}`, nilai: i } }));
        return (await doc.send(new GetCommand({ TableName, Key: { pk: `serentak-${i}` } }))).Item;
      }),
    );
    expect(items.map((item) => item?.['nilai'])).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const counter = await doc.send(new GetCommand({ TableName, Key: { pk: 'penghitung' }, ConsistentRead: true }));
    expect(counter.Item?.['jumlah']).toBe(n);
  });

  it('honours an abort signal', async () => {
    const aborted = new AbortController();
    aborted.abort();
    await expect(
      client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'kasus-1' } } }), { abortSignal: aborted.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('leaves the HTTP endpoint answering another client', async () => {
    const http = new DynamoDBClient(localDynamoClientConfig(dynamo.endpoint));
    try {
      expect(http.config.requestHandler).not.toBeInstanceOf(InProcessHttpHandler);
      const ports = await connectionsAccepted(async () => {
        const got = await http.send(new GetItemCommand({ TableName, Key: { pk: { S: 'kasus-1' } } }));
        expect(got.Item?.['urutan']).toEqual({ N: '2' });
      });
      expect(ports).toContain(portOf(dynamo.endpoint));
    } finally {
      http.destroy();
    }
  });
});

describe('the in-process handler on its own', () => {
  it('reaches a dynalite that listens on no port; an abort in flight rejects at once, and dynalite finishes', async () => {
    const dynalite = createRequire(import.meta.url)('dynalite') as (options: object) => Server;
    const server = dynalite({ createTableMs: 0 }); // in memory, never listening
    const listener = requestListenerOf(server);
    let abortInFlight: AbortController | undefined;
    const handler = new InProcessHttpHandler((req, res) => {
      listener(req, res);
      // The request is with dynalite now (its listeners attached, the body on its way).
      abortInFlight?.abort();
    }, 'http://dalam-proses.invalid');
    const client = new DynamoDBClient({
      ...localDynamoClientConfig('http://dalam-proses.invalid'),
      requestHandler: handler,
    });
    await ensureTables(client, [TABLE]);

    abortInFlight = new AbortController();
    const put = client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'dibatalkan' } } }), {
      abortSignal: abortInFlight.signal,
    });
    await expect(put).rejects.toMatchObject({ name: 'AbortError', message: 'Request aborted' });
    abortInFlight = undefined;
    // As a server whose client went away, dynalite finished the write it had begun.
    await eventually(
      async () => (await client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'dibatalkan' } } }))).Item,
    );
  });
});

describe('SEPAKAT_DYNAMODB_INPROCESS=0', () => {
  it('leaves the clients of the process on HTTP', async () => {
    vi.stubEnv('SEPAKAT_DYNAMODB_INPROCESS', '0');
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sepakat-dynamodb-http-'));
    const dynamo = await startLocalDynamoDb({ dataDir });
    try {
      expect(dynamo.inProcess).toBe(false);
      const client = awsClients({
        region: LOCAL_REGION,
        credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
        endpoints: { dynamodb: dynamo.endpoint },
      }).dynamodb;
      expect(client.config.requestHandler).not.toBeInstanceOf(InProcessHttpHandler);
      const ports = await connectionsAccepted(async () => {
        await client.send(new ListTablesCommand({}));
      });
      expect(ports).toContain(portOf(dynamo.endpoint));
      client.destroy();
    } finally {
      vi.unstubAllEnvs();
      await dynamo.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the embedded runtime and the in-process transport', () => {
  it('gives the app a DynamoDB client on the in-process handler, and none after close', async () => {
    const rt = await startTestRuntime();
    let closed: DynamoDBClient;
    try {
      const client = rt.app.clients.dynamodb;
      closed = client;
      expect(client.config.requestHandler).toBeInstanceOf(InProcessHttpHandler);
      const ports = await connectionsAccepted(async () => {
        await rt.app.store.appendHistory({
          caseId: 'kasus-inproses',
          eventKey: 'uji#inproses',
          type: 'langkah-dimulai',
          at: '2026-03-02T01:00:00.000Z',
          detail: {},
        } as Parameters<typeof rt.app.store.appendHistory>[0]);
        expect((await rt.app.store.getHistory('kasus-inproses', 'uji#inproses'))?.eventKey).toBe('uji#inproses');
      });
      expect(ports).not.toContain(portOf(rt.urls.dynamodb));
      // Another client on the HTTP endpoint (a CLI in another process) still reaches the same data.
      const http = new DynamoDBClient(localDynamoClientConfig(rt.urls.dynamodb));
      try {
        const tables = await http.send(new ListTablesCommand({}));
        expect(tables.TableNames).toContain(rt.app.config.SEPAKAT_TABLE_HISTORY);
      } finally {
        http.destroy();
      }
    } finally {
      await rt.cleanup();
    }
    // Closed: a request on the old client fails as a closed port would, and a new app gets a new client.
    await expect(closed.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(5_000) })).rejects.toThrow(
      /closed/,
    );
  });
});

describe('closing the local DynamoDB under load', () => {
  it('lets every request dynalite was given finish before its database closes, and refuses the later ones', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sepakat-dynamodb-tutup-'));
    const dynamo = await startLocalDynamoDb({ dataDir, inProcess: true });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const client = awsClients({
        region: LOCAL_REGION,
        credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
        endpoints: { dynamodb: dynamo.endpoint },
      }).dynamodb;
      const doc = documentClientOf(client);
      await ensureTables(client, [TABLE]);
      // Writes in flight (each a read of the table, then of the item, then a write) as the database closes.
      const writes = Array.from({ length: 60 }, (_, i) =>
        doc.send(
          new PutCommand({
            TableName,
            Item: { pk: `tutup-${i}`, status: 'aktif', urutan: i },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      await new Promise((resolve) => setImmediate(resolve));
      await dynamo.close();
      // Every write is answered (a write lost inside a closed database would never be).
      const outcomes = await Promise.race([
        Promise.allSettled(writes),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('writes left unanswered')), 10_000)),
      ]);
      const refused = outcomes.filter((o) => o.status === 'rejected');
      for (const o of refused) expect(String((o as PromiseRejectedResult).reason)).toMatch(/is closed/);
      expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThan(0);
      // A request after the close is refused as a closed port would be.
      await expect(doc.send(new GetCommand({ TableName, Key: { pk: 'tutup-0' } }))).rejects.toThrow(/is closed/);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
