import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  TagResourceCommand,
  type CreateTableInput,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaseRecord, CaseStatus, TaskRecord } from '../core/case/model.ts';
import { DynamoDbCaseStore } from '../functions/adapters/dynamodb-case-store.ts';
import { INDEX, tableDefinitions, type TableNames } from '../functions/adapters/tables.ts';
import {
  COPY_COMPLETE_TAG,
  copyNameOf,
  ensureTables,
  localDynamoClientConfig,
  startLocalDynamoDb,
  type LocalDynamoDb,
} from '../local/dynamodb/local-dynamodb.ts';

const NAMES: TableNames = { cases: 'sepakat-kasus', tasks: 'sepakat-tugas', history: 'sepakat-riwayat' };

/** The cases table as it was declared before the byPemda index (a data directory from then). */
function oldDefinitions(): CreateTableInput[] {
  return tableDefinitions(NAMES).map((table) =>
    table.TableName === NAMES.cases
      ? {
          ...table,
          AttributeDefinitions: table.AttributeDefinitions!.filter((a) => a.AttributeName !== 'pemdaId'),
          GlobalSecondaryIndexes: table.GlobalSecondaryIndexes!.filter((i) => i.IndexName !== INDEX.casesByPemda),
        }
      : table,
  );
}

function caseOf(caseId: string, pemdaId: string, createdAt: string, status: CaseStatus = 'aktif'): CaseRecord {
  return {
    caseId,
    intakeId: caseId,
    sopId: 'kerja-sama-daerah',
    sopVersion: 1,
    sopKey: 'kerja-sama-daerah@1',
    pemdaId,
    perihal: `Perihal ${caseId}`,
    pemohon: { nama: 'Pemohon', email: 'pemohon@example.go.id', instansi: 'Dinas' },
    status,
    createdAt,
    data: {},
    files: [],
    cursor: null,
    visits: {},
  };
}

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
    dueAt: null,
    overdueAt: null,
    dueProvisional: false,
    state,
    linkVersion: 1,
    linkExpiresAt: '2026-12-31T00:00:00.000Z',
  };
}

const at = (day: number) => `2026-03-${String(day).padStart(2, '0')}T02:00:00.000Z`;

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
  dataDir = await mkdtemp(path.join(tmpdir(), 'sepakat-pemda-index-'));
  await start();
});

afterEach(async () => {
  await stop();
  await rm(dataDir, { recursive: true, force: true });
});

const indexesOf = async (tableName: string) =>
  ((await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.GlobalSecondaryIndexes ?? []).map(
    (i) => [i.IndexName, i.IndexStatus],
  );

describe('cases of one pemda through the byPemda index', () => {
  it('lists two pemdas apart, oldest first, across several DynamoDB pages', async () => {
    await ensureTables(client, tableDefinitions(NAMES));
    const store = new DynamoDbCaseStore(client, NAMES);
    // Created out of order and interleaved, so neither the key nor the insertion order gives the answer.
    const days = [9, 2, 14, 5, 11, 1, 7, 3, 12, 8, 4, 13, 6, 10];
    for (const [i, day] of days.entries()) {
      const pemda = day % 2 === 0 ? 'kota-a' : 'kab-b';
      await store.createCase(caseOf(`kasus-${i}`, pemda, at(day), day === 4 ? 'selesai' : 'aktif'));
    }

    let pages = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        if ((args.input as { IndexName?: string }).IndexName === INDEX.casesByPemda) pages++;
        return next(args);
      },
      { step: 'initialize' },
    );
    const a = await store.listCasesOfPemda('kota-a', { pageSize: 2 });
    expect(pages).toBeGreaterThanOrEqual(4);
    const b = await store.listCasesOfPemda('kab-b', { pageSize: 3 });

    expect(a.map((c) => c.createdAt)).toEqual([2, 4, 6, 8, 10, 12, 14].map(at));
    expect(b.map((c) => c.createdAt)).toEqual([1, 3, 5, 7, 9, 11, 13].map(at));
    expect(new Set(a.map((c) => c.pemdaId))).toEqual(new Set(['kota-a']));
    expect(new Set(b.map((c) => c.pemdaId))).toEqual(new Set(['kab-b']));
    expect(await store.listCasesOfPemda('kota-lain')).toEqual([]);
    // A status filter and a lower bound on the creation time narrow one pemda's list, still across pages.
    expect((await store.listCasesOfPemda('kota-a', { status: 'aktif', pageSize: 2 })).map((c) => c.createdAt)).toEqual(
      [2, 6, 8, 10, 12, 14].map(at),
    );
    expect((await store.listCasesOfPemda('kota-a', { since: at(9), pageSize: 1 })).map((c) => c.createdAt)).toEqual(
      [10, 12, 14].map(at),
    );
  });

  it('reads the tasks of the given cases only, each in activation order', async () => {
    await ensureTables(client, tableDefinitions(NAMES));
    const store = new DynamoDbCaseStore(client, NAMES);
    await store.createTask(taskOf('t-a2', 'kasus-a', 2, 'open'));
    await store.createTask(taskOf('t-a1', 'kasus-a', 1, 'reported'));
    await store.createTask(taskOf('t-b1', 'kasus-b', 1, 'open'));
    await store.createTask(taskOf('t-c1', 'kasus-c', 1, 'open'));

    const tasks = await store.listTasksOfCases(['kasus-a', 'kasus-b', 'kasus-tanpa-tugas', 'kasus-a']);

    expect([...tasks.keys()].sort()).toEqual(['kasus-a', 'kasus-b', 'kasus-tanpa-tugas']);
    expect(tasks.get('kasus-a')!.map((t) => t.taskId)).toEqual(['t-a1', 't-a2']);
    expect(tasks.get('kasus-b')!.map((t) => t.taskId)).toEqual(['t-b1']);
    expect(tasks.get('kasus-tanpa-tugas')).toEqual([]);
  });
});

describe('a data directory from before the byPemda index', () => {
  async function seedOldTables(): Promise<DynamoDbCaseStore> {
    await ensureTables(client, oldDefinitions());
    const store = new DynamoDbCaseStore(client, NAMES);
    for (let day = 1; day <= 6; day++)
      await store.createCase(caseOf(`lama-${day}`, day <= 3 ? 'kota-a' : 'kab-b', at(day)));
    await store.createTask(taskOf('t-lama', 'lama-1', 1, 'open'));
    return store;
  }

  it('gets the index from ensureTables, keeps every item, and keeps it after a restart', async () => {
    await seedOldTables();
    expect(await indexesOf(NAMES.cases)).toEqual([[INDEX.casesByStatus, 'ACTIVE']]);

    await ensureTables(client, tableDefinitions(NAMES));

    expect(await indexesOf(NAMES.cases)).toEqual([
      [INDEX.casesByStatus, 'ACTIVE'],
      [INDEX.casesByPemda, 'ACTIVE'],
    ]);
    expect((await client.send(new ListTablesCommand({}))).TableNames?.sort()).toEqual(Object.values(NAMES).sort());
    await stop();
    await start();
    await ensureTables(client, tableDefinitions(NAMES));
    const store = new DynamoDbCaseStore(client, NAMES);
    expect((await store.listCasesOfPemda('kota-a')).map((c) => c.caseId)).toEqual(['lama-1', 'lama-2', 'lama-3']);
    expect((await store.listCasesOfPemda('kab-b')).map((c) => c.caseId)).toEqual(['lama-4', 'lama-5', 'lama-6']);
    expect((await store.listCases('aktif')).length).toBe(6);
    expect((await store.getTask('t-lama'))?.state).toBe('open');
  });

  it('finishes a migration that stopped after the copy was complete and the table dropped', async () => {
    await seedOldTables();
    const copy = copyNameOf(NAMES.cases);
    // What a crash leaves: the complete, tagged copy, and no cases table.
    const old = oldDefinitions().find((t) => t.TableName === NAMES.cases)!;
    await client.send(
      new CreateTableCommand({
        TableName: copy,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: old.KeySchema,
        AttributeDefinitions: [{ AttributeName: 'caseId', AttributeType: 'S' }],
      }),
    );
    const store = new DynamoDbCaseStore(client, { ...NAMES, cases: copy });
    for (const c of await new DynamoDbCaseStore(client, NAMES).listCases()) await store.createCase(c);
    const arn = (await client.send(new DescribeTableCommand({ TableName: copy }))).Table!.TableArn;
    await client.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: COPY_COMPLETE_TAG, Value: 'ya' }] }));
    await client.send(new DeleteTableCommand({ TableName: NAMES.cases }));

    await ensureTables(client, tableDefinitions(NAMES));

    const restored = new DynamoDbCaseStore(client, NAMES);
    expect((await restored.listCasesOfPemda('kota-a')).map((c) => c.caseId)).toEqual(['lama-1', 'lama-2', 'lama-3']);
    expect((await client.send(new ListTablesCommand({}))).TableNames).not.toContain(copy);
  });

  it('discards a copy that was never completed and migrates from the whole table', async () => {
    await seedOldTables();
    const copy = copyNameOf(NAMES.cases);
    await client.send(
      new CreateTableCommand({
        TableName: copy,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'caseId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'caseId', AttributeType: 'S' }],
      }),
    );
    // A new table is CREATING for a while (longer on a loaded machine): write only once it is ACTIVE.
    await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: copy });
    await new DynamoDbCaseStore(client, { ...NAMES, cases: copy }).createCase(caseOf('lama-1', 'kota-a', at(1)));

    await ensureTables(client, tableDefinitions(NAMES));

    const store = new DynamoDbCaseStore(client, NAMES);
    expect((await store.listCasesOfPemda('kab-b')).map((c) => c.caseId)).toEqual(['lama-4', 'lama-5', 'lama-6']);
    expect((await client.send(new ListTablesCommand({}))).TableNames).not.toContain(copy);
  });
});
