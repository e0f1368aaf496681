import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { CaseRecord } from '../core/case/model.ts';
import { ErrorNames } from '../core/errors.ts';
import { webUseCases } from '../functions/web-use-cases.ts';
import { startTestRuntime } from './support/runtime.ts';

const SOP_ID = 'kota-penyusunan-kesepakatan-bersama';

/**
 * Masuk without a read (issue 17): the compiled state machine passes the step's id, so entering an activation is one
 * conditional write that counts the visit itself. What the write refuses is read once, to tell a replay from a stale
 * execution or a closed case, exactly as before.
 */
describe('entering an activation', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let reads = 0;
  beforeAll(async () => {
    rt = await startTestRuntime();
    rt.app.clients.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (
          context.commandName === 'GetItemCommand' &&
          (args.input as { TableName?: string }).TableName === 'sepakat-kasus'
        )
          reads++;
        return next(args);
      },
      { step: 'initialize', name: 'enterStepCaseReads' },
    );
  });
  afterAll(async () => rt?.cleanup());

  async function newCase(caseId: string): Promise<CaseRecord> {
    const sop = rt.app.catalog.sops.latest(SOP_ID);
    const record: CaseRecord = {
      caseId,
      intakeId: caseId,
      sopId: SOP_ID,
      sopVersion: sop.definition.version,
      sopKey: sop.key,
      pemdaId: 'kota-contoh',
      perihal: 'Kerja sama uji aktivasi',
      pemohon: { nama: 'Dinas Uji', email: 'uji@contoh.test', instansi: 'Dinas Uji' },
      status: 'aktif',
      createdAt: new Date().toISOString(),
      data: {},
      files: [],
      cursor: null,
      visits: {},
    };
    expect(await rt.app.store.createCase(record)).toBe('created');
    return record;
  }

  it('enters with one write and no read; counts visits; a replay and a stale execution read once', async () => {
    const { caseId } = await newCase('20261207-masuk-tanpa-baca');
    const runtime = rt.app.runtime;
    reads = 0;
    expect(await runtime.enterStep({ caseId, node: 'L1', stepId: 'L1', after: 0 })).toEqual({ seq: 1 });
    expect(await runtime.enterStep({ caseId, node: 'L2', stepId: 'L2', after: 1 })).toEqual({ seq: 2 });
    // A return to L1: its second visit.
    expect(await runtime.enterStep({ caseId, node: 'L1', stepId: 'L1', after: 2 })).toEqual({ seq: 3 });
    expect(reads).toBe(0);

    const record = (await rt.app.store.getCase(caseId))!;
    expect(record.cursor).toMatchObject({ node: 'L1', stepId: 'L1', seq: 3, visit: 2 });
    expect(record.visits).toEqual({ L1: 2, L2: 1 });
    // The stored item keeps the visit in one place: the cursor takes it from `visits` as it is read.
    const raw = await rt.app.clients.dynamodb.send(
      new GetItemCommand({ TableName: 'sepakat-kasus', Key: { caseId: { S: caseId } }, ConsistentRead: true }),
    );
    expect(raw.Item?.['cursor']?.M?.['visit']).toBeUndefined();
    const history = await rt.app.store.listHistory(caseId);
    expect(history.filter((e) => e.type === 'langkah-dimulai').map((e) => [e.seq, e.node, e.visit])).toEqual([
      [1, 'L1', 1],
      [2, 'L2', 1],
      [3, 'L1', 2],
    ]);

    // A replay of the last activation (a retried invocation) finds it and writes nothing more.
    reads = 0;
    expect(await runtime.enterStep({ caseId, node: 'L1', stepId: 'L1', after: 2 })).toEqual({ seq: 3 });
    expect(reads).toBe(1);
    expect((await rt.app.store.getCase(caseId))!.visits).toEqual({ L1: 2, L2: 1 });
    // A stale execution (the case is further on) is told so, and moves nothing.
    await expect(runtime.enterStep({ caseId, node: 'L2', stepId: 'L2', after: 1 })).rejects.toMatchObject({
      name: ErrorNames.Superseded,
    });
    expect((await rt.app.store.getCase(caseId))!.cursor).toMatchObject({ seq: 3, node: 'L1' });
  });

  it('a wait that enters its activity writes one task for the entry and the opening; a vacant role records the entry', async () => {
    const { caseId } = await newCase('20261207-tunggu-masuk');
    const runtime = rt.app.runtime;
    const wait = { taskToken: 'token-uji-1', executionArn: 'arn:aws:states:local:000000000000:execution:uji:1' };
    await runtime.openTask({ caseId, node: 'L1', stepId: 'L1', after: 0, ...wait });
    const stored = await rt.app.store.listHistory(caseId);
    expect(stored.map((e) => e.type).filter((t) => t === 'langkah-dimulai' || t === 'tugas-dibuka')).toEqual([]);
    const [task] = await rt.app.store.listTasks({ caseId });
    expect(task).toMatchObject({ seq: 1, node: 'L1', visit: 1, state: 'open', person: { id: expect.any(String) } });
    // The history as people read it (the console's case page, the timeline) has both facts, from the task.
    const read = await webUseCases(rt.app).cases.historyWithTasks(caseId, await rt.app.store.listTasks({ caseId }));
    expect(read.filter((e) => e.seq === 1).map((e) => [e.type, e.node, e.at])).toEqual(
      expect.arrayContaining([
        ['langkah-dimulai', 'L1', task!.openedAt],
        ['tugas-dibuka', 'L1', task!.openedAt],
      ]),
    );
    expect(read.find((e) => e.type === 'tugas-dibuka')?.who?.id).toBe(task!.person.id);

    // The performer's role has nobody today: no task, so the entry is recorded as a fact of its own, once.
    const sop = rt.app.catalog.sops.latest(SOP_ID);
    const l2 = sop.node('L2');
    if (l2.type !== 'activity') throw new Error('L2 bukan langkah bertugas');
    const directory = rt.app.catalog.pemda('kota-contoh').directory.data;
    const roles = directory.roles[l2.performer.id];
    const acting = directory.acting;
    directory.roles[l2.performer.id] = [];
    directory.acting = acting.filter((a) => a.role !== l2.performer.id);
    try {
      for (let attempt = 0; attempt < 2; attempt++)
        await expect(
          runtime.openTask({ caseId, node: 'L2', stepId: 'L2', after: 1, ...wait, taskToken: 'token-uji-2' }),
        ).rejects.toMatchObject({ name: ErrorNames.NotFound });
    } finally {
      directory.roles[l2.performer.id] = roles!;
      directory.acting = acting;
    }
    const entries = (await rt.app.store.listHistory(caseId)).filter((e) => e.type === 'langkah-dimulai');
    expect(entries.map((e) => [e.seq, e.node, e.visit])).toEqual([[2, 'L2', 1]]);
    expect(await rt.app.store.listTasks({ caseId })).toHaveLength(1);
    expect((await rt.app.store.getCase(caseId))!.cursor).toMatchObject({ seq: 2, node: 'L2' });
  });

  it('refuses a closed case, and an event without the step id reads the case as before', async () => {
    const { caseId } = await newCase('20261207-masuk-ditutup');
    const runtime = rt.app.runtime;
    // An execution started from a definition compiled before the step id was passed: the read path.
    reads = 0;
    expect(await runtime.enterStep({ caseId, node: 'L1', after: 0 })).toEqual({ seq: 1 });
    expect(reads).toBe(1);
    expect((await rt.app.store.getCase(caseId))!.cursor).toMatchObject({ node: 'L1', stepId: 'L1', seq: 1, visit: 1 });
    expect(await rt.app.store.closeCase(caseId, 'dibatalkan', new Date().toISOString(), 'uji')).toBe(true);
    await expect(runtime.enterStep({ caseId, node: 'L2', stepId: 'L2', after: 1 })).rejects.toMatchObject({
      name: ErrorNames.CaseClosed,
    });
    expect((await rt.app.store.getCase(caseId))!.cursor).toMatchObject({ seq: 1 });
  });
});
