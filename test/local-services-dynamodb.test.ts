import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  type CreateTableInput,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ensureTables,
  localDynamoClientConfig,
  startLocalDynamoDb,
  type LocalDynamoDb,
} from '../local/dynamodb/local-dynamodb.ts';

const TABLES: CreateTableInput[] = [
  {
    TableName: 'sepakat-agreements',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'status', AttributeType: 'S' },
      { AttributeName: 'updatedAt', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'by-status',
        KeySchema: [
          { AttributeName: 'status', KeyType: 'HASH' },
          { AttributeName: 'updatedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  },
  {
    TableName: 'sepakat-counters',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  },
];

let dataDir: string;
let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;

async function start(): Promise<void> {
  dynamo = await startLocalDynamoDb({ dataDir });
  client = new DynamoDBClient(localDynamoClientConfig(dynamo.endpoint));
  doc = DynamoDBDocumentClient.from(client);
}

async function stop(): Promise<void> {
  client.destroy();
  await dynamo.close();
}

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sepakat-dynamodb-'));
  await start();
  await ensureTables(client, TABLES);
});

afterEach(async () => {
  await stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('local DynamoDB (dynalite)', () => {
  it('creates missing tables ACTIVE with their indexes, and does nothing the second time', async () => {
    await ensureTables(client, TABLES);

    const { TableNames } = await client.send(new ListTablesCommand({}));
    expect(TableNames).toEqual(['sepakat-agreements', 'sepakat-counters']);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'sepakat-agreements' }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.IndexStatus])).toEqual([['by-status', 'ACTIVE']]);
  });

  it('fails a conditional put on an existing key with ConditionalCheckFailedException', async () => {
    const put = (title: string) =>
      doc.send(
        new PutCommand({
          TableName: 'sepakat-agreements',
          Item: { pk: 'KS#42', sk: 'META', status: 'DRAFT', updatedAt: '2026-11-01', title },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    await put('first');

    const second = put('second');

    await expect(second).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const { Item } = await doc.send(
      new GetCommand({ TableName: 'sepakat-agreements', Key: { pk: 'KS#42', sk: 'META' } }),
    );
    expect(Item?.title).toBe('first');
  });

  it('queries a global secondary index', async () => {
    const items = [
      { pk: 'KS#1', sk: 'META', status: 'SIGNED', updatedAt: '2026-10-03' },
      { pk: 'KS#2', sk: 'META', status: 'DRAFT', updatedAt: '2026-10-01' },
      { pk: 'KS#3', sk: 'META', status: 'SIGNED', updatedAt: '2026-10-02' },
    ];
    for (const Item of items) await doc.send(new PutCommand({ TableName: 'sepakat-agreements', Item }));

    const { Items } = await doc.send(
      new QueryCommand({
        TableName: 'sepakat-agreements',
        IndexName: 'by-status',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': 'SIGNED' },
      }),
    );

    expect(Items?.map((i) => i.pk)).toEqual(['KS#3', 'KS#1']);
  });

  it('keeps tables and items across close and restart', async () => {
    await doc.send(
      new UpdateCommand({
        TableName: 'sepakat-counters',
        Key: { pk: 'NOMOR#2026' },
        UpdateExpression: 'ADD #n :one',
        ExpressionAttributeNames: { '#n': 'next' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    await stop();

    await start();
    await ensureTables(client, TABLES);
    const after = await doc.send(
      new UpdateCommand({
        TableName: 'sepakat-counters',
        Key: { pk: 'NOMOR#2026' },
        UpdateExpression: 'ADD #n :one',
        ExpressionAttributeNames: { '#n': 'next' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );

    expect(after.Attributes?.next).toBe(2);
  });

  it('refuses to start a second server on a directory that is in use', async () => {
    await expect(startLocalDynamoDb({ dataDir })).rejects.toThrow(/another process/);
  });
});
