import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localDynamoClientConfig, startLocalDynamoDb, type LocalDynamoDb } from '../local/dynamodb/local-dynamodb.ts';
import { eventually } from './support/runtime.ts';

const require = createRequire(import.meta.url);
/** The LevelDB class dynalite stores in: its reads are counted by key prefix (`table~` for table descriptions). */
const { ClassicLevel } = createRequire(require.resolve('dynalite'))('classic-level') as {
  ClassicLevel: { prototype: { _get(key: unknown, options: unknown): Promise<unknown> } };
};

const TableName = 'sepakat-uji-deskripsi';
const hashKey = (name: string) => ({
  TableName,
  BillingMode: 'PROVISIONED' as const,
  ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
  AttributeDefinitions: [{ AttributeName: name, AttributeType: 'S' as const }],
  KeySchema: [{ AttributeName: name, KeyType: 'HASH' as const }],
});

describe('the local DynamoDB keeps its table descriptions in memory', () => {
  let dataDir: string;
  let dynamo: LocalDynamoDb;
  let client: DynamoDBClient;

  const start = async () => {
    dynamo = await startLocalDynamoDb({ dataDir, inProcess: false });
    client = new DynamoDBClient(localDynamoClientConfig(dynamo.endpoint));
  };
  const stop = async () => {
    client.destroy();
    await dynamo.close();
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sepakat-deskripsi-tabel-'));
    await start();
  });
  afterAll(async () => {
    await stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers requests without reading the description from LevelDB again', async () => {
    await client.send(new CreateTableCommand(hashKey('pk')));
    await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'a' }, isi: { S: 'satu' } } }));
    const reads = vi.spyOn(ClassicLevel.prototype, '_get');
    try {
      // CreateTable answers before dynalite writes the table ACTIVE (its second write, just after): a request while
      // that write is pending reads LevelDB, as it must. Once it is confirmed, no request reads the description.
      let keys: string[] = [];
      for (let round = 0; round < 50; round++) {
        reads.mockClear();
        for (let i = 0; i < 10; i++) {
          const out = await client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' } } }));
          expect(out.Item?.isi?.S).toBe('satu');
        }
        keys = reads.mock.calls.map(([key]) => String(key));
        if (!keys.some((k) => k.startsWith('table~'))) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Each GetItem read its item; none read its table's description.
      expect(keys.filter((k) => k.startsWith('table~'))).toEqual([]);
      expect(keys.filter((k) => k.startsWith('item-'))).toHaveLength(10);
    } finally {
      reads.mockRestore();
    }
  });

  it('answers what was last written: an update, a delete, a table made again with another key', async () => {
    await client.send(
      new UpdateTableCommand({ TableName, ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 9 } }),
    );
    const updated = await client.send(new DescribeTableCommand({ TableName }));
    expect(updated.Table?.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 7, WriteCapacityUnits: 9 });

    await client.send(new DeleteTableCommand({ TableName }));
    // As in AWS, the table is gone only once DescribeTable says so (dynalite drops its entry just after answering).
    await eventually(async () => {
      const gone = await client.send(new DescribeTableCommand({ TableName })).then(
        () => false,
        (error: unknown) => error instanceof ResourceNotFoundException,
      );
      return gone;
    });
    await expect(client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' } } }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );

    await client.send(new CreateTableCommand(hashKey('kunci')));
    await eventually(async () => {
      const status = (await client.send(new DescribeTableCommand({ TableName }))).Table?.TableStatus;
      return status === 'ACTIVE';
    });
    await client.send(new PutItemCommand({ TableName, Item: { kunci: { S: 'b' }, isi: { S: 'dua' } } }));
    const out = await client.send(new GetItemCommand({ TableName, Key: { kunci: { S: 'b' } } }));
    expect(out.Item?.isi?.S).toBe('dua');
    // The old key is the old table's: refused as DynamoDB refuses a key that is not the table's.
    await expect(client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' } } }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('still writes every description to LevelDB: a restart finds the tables as they were', async () => {
    await stop();
    await start();
    const described = await client.send(new DescribeTableCommand({ TableName }));
    expect(described.Table?.KeySchema).toEqual([{ AttributeName: 'kunci', KeyType: 'HASH' }]);
    const out = await client.send(new GetItemCommand({ TableName, Key: { kunci: { S: 'b' } } }));
    expect(out.Item?.isi?.S).toBe('dua');
  });
});
