import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient, QueryCommand, type CreateTableInput } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../core/case/model.ts';
import { DynamoDbCaseStore } from '../functions/adapters/dynamodb-case-store.ts';
import { INDEX, TASK_LIST_ATTRIBUTES, tableDefinitions, type TableNames } from '../functions/adapters/tables.ts';
import {
  ensureTables,
  localDynamoClientConfig,
  startLocalDynamoDb,
  type LocalDynamoDb,
} from '../local/dynamodb/local-dynamodb.ts';

/**
 * The tasks table's indexes project what a list of tasks reads and never the task token nor a code's hash; a data
 * directory from before (indexes byCase and byState projecting ALL) gets them by the copy-and-refill of ensureTables.
 */
const NAMES: TableNames = { cases: 'sepakat-kasus', tasks: 'sepakat-tugas', history: 'sepakat-riwayat' };
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAA-token-rahasia';

/** The tasks table as it was declared before: indexes byCase and byState, projecting every attribute. */
function oldDefinitions(): CreateTableInput[] {
  return tableDefinitions(NAMES).map((table) =>
    table.TableName === NAMES.tasks
      ? {
          ...table,
          GlobalSecondaryIndexes: [
            { IndexName: 'byCase', KeySchema: keys('caseId', 'seq'), Projection: { ProjectionType: 'ALL' } },
            { IndexName: 'byState', KeySchema: keys('state', 'openedAt'), Projection: { ProjectionType: 'ALL' } },
          ],
        }
      : table,
  );
}
const keys = (hash: string, range: string) => [
  { AttributeName: hash, KeyType: 'HASH' as const },
  { AttributeName: range, KeyType: 'RANGE' as const },
];

/** A task with every attribute a list reads set, and a token and a code's hash that no list may carry. */
function taskOf(taskId: string, caseId: string, seq: number, state: TaskRecord['state']): TaskRecord {
  return {
    taskId,
    caseId,
    seq,
    node: `n${seq}`,
    stepId: String(seq),
    visit: 1,
    actorId: 'kabag',
    person: { id: 'p1', nama: 'Pejabat', jabatan: 'Kepala Bagian', email: 'kabag@example.go.id' },
    openedAt: `2026-01-0${seq}T01:00:00.000Z`,
    dueAt: '2026-01-09T09:00:00.000Z',
    overdueAt: '2026-01-12T09:00:00.000Z',
    dueProvisional: true,
    dueRevision: 1,
    dueEstimate: false,
    state,
    taskToken: `${TOKEN}-${taskId}`,
    executionArn: `arn:aws:states:ap-southeast-3:000000000000:execution:sop:permohonan-${caseId}`,
    linkVersion: 2,
    linkExpiresAt: '2026-12-31T00:00:00.000Z',
    ...(state === 'decided'
      ? {
          decision: {
            choice: 'setuju',
            values: { catatan: 'baik' },
            files: [],
            at: '2026-01-05T02:00:00.000Z',
            by: { id: 'p1', nama: 'Pejabat', jabatan: 'Kepala Bagian', email: 'kabag@example.go.id' },
            submissionId: 'kirim-1',
          },
        }
      : {}),
    otp: { hash: 'hash-kode-rahasia', expiresAt: '2026-01-05T03:00:00.000Z', attempts: 0 },
    otpIssued: 1,
    otpWindowStart: '2026-01-05T02:00:00.000Z',
    signatureClaimUntil: '2026-01-05T02:05:00.000Z',
  };
}

/** What a listed task must carry: everything of the task but the token and the code's hash. */
const listedOf = (task: TaskRecord) => {
  const { taskToken, otp, ...rest } = task;
  void taskToken;
  void otp;
  return rest;
};

let dataDir: string;
let dynamo: LocalDynamoDb;
let client: DynamoDBClient;

async function start(): Promise<void> {
  dynamo = await startLocalDynamoDb({ dataDir });
  client = new DynamoDBClient(localDynamoClientConfig(dynamo.endpoint));
}
async function stop(): Promise<void> {
  client.destroy();
  await dynamo.close();
}

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sepakat-task-index-'));
  await start();
});
afterEach(async () => {
  await stop();
  await rm(dataDir, { recursive: true, force: true });
});

const indexesOf = async () =>
  ((await client.send(new DescribeTableCommand({ TableName: NAMES.tasks }))).Table?.GlobalSecondaryIndexes ?? []).map(
    (i) => ({ name: i.IndexName, type: i.Projection?.ProjectionType, status: i.IndexStatus }),
  );

async function seed(store: DynamoDbCaseStore): Promise<TaskRecord[]> {
  const tasks = [
    taskOf('t-a1', 'kasus-a', 1, 'decided'),
    taskOf('t-a2', 'kasus-a', 2, 'open'),
    taskOf('t-b1', 'kasus-b', 1, 'open'),
  ];
  for (const task of tasks) await store.createTask(task);
  return tasks;
}

describe('the task indexes', () => {
  it('list a case’s tasks and the tasks in a state with what the product reads, and no token or code hash', async () => {
    await ensureTables(client, tableDefinitions(NAMES));
    const store = new DynamoDbCaseStore(client, NAMES);
    const [a1, a2, b1] = await seed(store);
    // Every attribute this task carries but the token and the code's hash is one the indexes project.
    expect(TASK_LIST_ATTRIBUTES).toEqual(expect.arrayContaining(Object.keys(listedOf(a1!))));

    const ofCase = (await store.listTasks({ caseId: 'kasus-a' })).sort((x, y) => x.seq - y.seq);
    expect(ofCase).toEqual([listedOf(a1!), listedOf(a2!)]);
    const open = (await store.listTasks({ state: 'open' })).sort((x, y) => x.taskId.localeCompare(y.taskId));
    expect(open).toEqual([listedOf(a2!), listedOf(b1!)]);
    expect((await store.listTasksOfCases(['kasus-b'])).get('kasus-b')).toEqual([listedOf(b1!)]);
    // Straight through the SDK too: nothing of either index carries the token or the code's hash.
    for (const [IndexName, condition, values] of [
      [INDEX.tasksByCase, 'caseId = :v', { ':v': { S: 'kasus-a' } }],
      [INDEX.tasksByState, '#s = :v', { ':v': { S: 'decided' } }],
    ] as const) {
      const out = await client.send(
        new QueryCommand({
          TableName: NAMES.tasks,
          IndexName,
          KeyConditionExpression: condition,
          ExpressionAttributeValues: values,
          ...(condition.startsWith('#') ? { ExpressionAttributeNames: { '#s': 'state' } } : {}),
        }),
      );
      expect(out.Items?.length, IndexName).toBeGreaterThan(0);
      expect(JSON.stringify(out.Items), IndexName).not.toMatch(/taskToken|token-rahasia|"otp"|hash-kode-rahasia/);
    }
    // The task itself still has them: whoever reports a decision reads it.
    expect((await store.getTask('t-a1'))?.taskToken).toBe(`${TOKEN}-t-a1`);
  });
});

describe('a data directory from before (byCase and byState projecting every attribute)', () => {
  it('gets the new indexes from ensureTables, keeps every task with its token, and lists none of the tokens', async () => {
    await ensureTables(client, oldDefinitions());
    const before = await seed(new DynamoDbCaseStore(client, NAMES));
    expect(await indexesOf()).toEqual([
      { name: 'byCase', type: 'ALL', status: 'ACTIVE' },
      { name: 'byState', type: 'ALL', status: 'ACTIVE' },
    ]);

    await ensureTables(client, tableDefinitions(NAMES));
    await stop();
    await start();
    await ensureTables(client, tableDefinitions(NAMES));

    expect(await indexesOf()).toEqual([
      { name: INDEX.tasksByCase, type: 'INCLUDE', status: 'ACTIVE' },
      { name: INDEX.tasksByState, type: 'INCLUDE', status: 'ACTIVE' },
    ]);
    const store = new DynamoDbCaseStore(client, NAMES);
    for (const task of before) expect(await store.getTask(task.taskId)).toEqual(task);
    expect((await store.listTasks({ caseId: 'kasus-a' })).sort((x, y) => x.seq - y.seq)).toEqual(
      before.slice(0, 2).map(listedOf),
    );
    expect(await store.listTasks({ state: 'decided' })).toEqual([listedOf(before[0]!)]);
  });
});
