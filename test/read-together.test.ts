import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord, TaskRecord } from '../core/case/model.ts';
import { ErrorNames, isSepakatError } from '../core/errors.ts';
import { DynamoDbCaseStore } from '../functions/adapters/dynamodb-case-store.ts';
import { tableDefinitions, type TableNames } from '../functions/adapters/tables.ts';
import {
  ensureTables,
  localDynamoClientConfig,
  startLocalDynamoDb,
  type LocalDynamoDb,
} from '../local/dynamodb/local-dynamodb.ts';

const NAMES: TableNames = { cases: 'sepakat-kasus', tasks: 'sepakat-tugas', history: 'sepakat-riwayat' };
const CASE_ID = '20261207-abcdefghij';

const record: CaseRecord = {
  caseId: CASE_ID,
  intakeId: CASE_ID,
  sopId: 'kerja-sama-daerah',
  sopVersion: 1,
  sopKey: 'kerja-sama-daerah@1',
  pemdaId: 'kota-contoh',
  perihal: 'Kerja sama uji baca sekaligus',
  pemohon: { nama: 'Pemohon', email: 'pemohon@example.go.id', instansi: 'Dinas' },
  status: 'aktif',
  createdAt: '2026-12-07T01:00:00.000Z',
  data: { nilai: 3 },
  files: [],
  cursor: null,
  visits: {},
};

const task: TaskRecord = {
  taskId: 'AAAAAAAAAAAAAAAAAAAAAA',
  caseId: CASE_ID,
  seq: 1,
  node: 'L1',
  stepId: 'L1',
  visit: 1,
  actorId: 'kabag',
  person: { id: 'p1', nama: 'Pejabat', jabatan: 'Kepala Bagian', email: 'kabag@example.go.id' },
  openedAt: '2026-12-07T01:00:00.000Z',
  dueAt: null,
  overdueAt: null,
  dueProvisional: false,
  state: 'open',
  linkVersion: 1,
  linkExpiresAt: '2026-12-31T00:00:00.000Z',
};

/**
 * What a use case reads at its start, in one BatchGetItem against the real local DynamoDB through the real SDK
 * client: the case (its cursor's visit filled from `visits`, as `getCase` fills it), the task, and which facts exist.
 */
describe('CaseStore.readTogether', () => {
  let dataDir: string;
  let dynamo: LocalDynamoDb;
  let client: DynamoDBClient;
  let store: DynamoDbCaseStore;
  const commands: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sepakat-read-together-'));
    dynamo = await startLocalDynamoDb({ dataDir });
    client = new DynamoDBClient(localDynamoClientConfig(dynamo.endpoint));
    await ensureTables(client, tableDefinitions(NAMES));
    store = new DynamoDbCaseStore(client, NAMES);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'readTogetherCommands' },
    );
    await store.createCase(record);
    await store.enterCursor(CASE_ID, 0, { node: 'L1', stepId: 'L1', seq: 1, enteredAt: '2026-12-07T01:00:00.000Z' });
    await store.createTask(task);
    await store.appendHistory({ caseId: CASE_ID, eventKey: '00001#otomatis', type: 'otomatis-selesai', at: 'x' });
  });
  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reads the case, the task and the facts asked for in one request, as getCase and getTask read them', async () => {
    commands.length = 0;
    const read = await store.readTogether({
      caseId: CASE_ID,
      taskId: task.taskId,
      historyKeys: ['00001#otomatis', '00001#otomatis#email', '00001#otomatis'],
    });
    expect(commands).toEqual(['BatchGetItemCommand']);
    expect(read.record).toEqual(await store.getCase(CASE_ID));
    expect(read.record?.cursor).toMatchObject({ node: 'L1', seq: 1, visit: 1 });
    expect(read.task).toEqual(await store.getTask(task.taskId));
    expect([...read.history]).toEqual(['00001#otomatis']);
  });

  it('answers what is missing as absent', async () => {
    const read = await store.readTogether({
      caseId: '20261207-tidakadaaa',
      taskId: 'BBBBBBBBBBBBBBBBBBBBBB',
      historyKeys: ['00001#otomatis'],
    });
    expect(read.record).toBeUndefined();
    expect(read.task).toBeUndefined();
    expect(read.history.size).toBe(0);
    expect(Object.keys(await store.readTogether({ caseId: CASE_ID }))).toEqual(['record', 'history']);
  });

  it('asks again for the keys DynamoDB leaves unprocessed, and gives up as Transient', async () => {
    // DynamoDB answers a throttled batch with UnprocessedKeys; dynalite never does, so the first answers are
    // rewritten here to hand back every key unprocessed (the requests themselves go to the real local DynamoDB).
    let unprocessed = 2;
    const sent: number[] = [];
    client.middlewareStack.add(
      ((next: (args: unknown) => Promise<unknown>) => async (args: { input: unknown }) => {
        const input = args.input as { RequestItems?: Record<string, { Keys: unknown[] }> };
        sent.push(Object.values(input.RequestItems ?? {}).reduce((n, r) => n + r.Keys.length, 0));
        const out = (await next(args)) as { output: { Responses?: object; UnprocessedKeys?: object } };
        if (unprocessed-- > 0) {
          out.output.Responses = {};
          out.output.UnprocessedKeys = input.RequestItems;
        }
        return out;
      }) as never,
      { step: 'initialize', name: 'unprocessedKeys' },
    );
    try {
      const read = await store.readTogether({ caseId: CASE_ID, taskId: task.taskId, historyKeys: ['00001#otomatis'] });
      expect(sent).toEqual([3, 3, 3]);
      expect(read.record?.caseId).toBe(CASE_ID);
      expect(read.task?.taskId).toBe(task.taskId);
      expect([...read.history]).toEqual(['00001#otomatis']);

      unprocessed = 100;
      sent.length = 0;
      const failure = await store.readTogether({ caseId: CASE_ID }).catch((error: unknown) => error);
      expect(isSepakatError(failure, ErrorNames.Transient)).toBe(true);
      expect(sent.length).toBe(6);
    } finally {
      client.middlewareStack.remove('unprocessedKeys');
    }
  }, 30_000);
});
