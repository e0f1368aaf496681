import { describe, expect, it } from 'vitest';
import type { HistoryEvent, TaskRecord } from '../core/case/model.ts';
import { taskFacts, withTaskFacts } from '../core/case/task-facts.ts';

const CASE_ID = '20261207-abcdefghij';
const pejabat = (id: string) => ({ id, nama: `Nama ${id}`, jabatan: `Jabatan ${id}`, email: `${id}@contoh.go.id` });

const task = (seq: number, openedAt: string, more: Partial<TaskRecord> = {}): TaskRecord => ({
  taskId: `t${seq}`.padEnd(22, 'x'),
  caseId: CASE_ID,
  seq,
  node: `L${seq}`,
  stepId: String(seq),
  visit: 1,
  actorId: 'kabag',
  person: pejabat('kabag'),
  openedAt,
  dueAt: '2026-12-10T09:00:00.000Z',
  overdueAt: '2026-12-11T09:00:00.000Z',
  dueProvisional: true,
  state: 'open',
  linkVersion: 1,
  linkExpiresAt: '2026-12-31T00:00:00.000Z',
  ...more,
});

const fact = (eventKey: string, type: HistoryEvent['type'], at: string, more: Partial<HistoryEvent> = {}) =>
  ({ caseId: CASE_ID, eventKey, type, at, ...more }) as HistoryEvent;

/** The facts a task record is (issue 17): added back to the history as people read it, never written twice. */
describe('the facts of a task record', () => {
  it('adds the entry and the opening of each task, in the order of the history table', () => {
    const history = [
      fact('00001#masuk', 'langkah-dimulai', '2026-12-07T01:00:00.000Z', { seq: 1, node: 'L1' }),
      fact('00001#tugas-dibuka', 'tugas-dibuka', '2026-12-07T01:00:00.001Z', { seq: 1, node: 'L1' }),
      fact('00001#keputusan', 'tugas-diputuskan', '2026-12-07T02:00:00.000Z', { seq: 1 }),
      fact('00002#email#tugas', 'email-terkirim', '2026-12-07T02:00:01.000Z', { seq: 2 }),
    ];
    const merged = withTaskFacts(history, [task(1, '2026-12-07T01:00:00.001Z'), task(2, '2026-12-07T02:00:00.500Z')]);
    // Task 1 (an older case's) has its facts in the table already: nothing of it is added.
    expect(merged.map((e) => [e.eventKey, e.type])).toEqual([
      ['00001#masuk', 'langkah-dimulai'],
      ['00001#tugas-dibuka', 'tugas-dibuka'],
      ['00001#keputusan', 'tugas-diputuskan'],
      ['00002#masuk', 'langkah-dimulai'],
      ['00002#tugas-dibuka', 'tugas-dibuka'],
      ['00002#email#tugas', 'email-terkirim'],
    ]);
    expect(merged[4]).toEqual({
      caseId: CASE_ID,
      eventKey: '00002#tugas-dibuka',
      type: 'tugas-dibuka',
      at: '2026-12-07T02:00:00.500Z',
      node: 'L2',
      stepId: '2',
      seq: 2,
      visit: 1,
      who: { id: 'kabag', nama: 'Nama kabag', jabatan: 'Jabatan kabag' },
      detail: { dueAt: '2026-12-10T09:00:00.000Z', overdueAt: '2026-12-11T09:00:00.000Z', provisional: true },
    });
    expect(merged[3]).toMatchObject({ type: 'langkah-dimulai', seq: 2, node: 'L2', stepId: '2', visit: 1 });
    // Nothing to add: the history as it was.
    expect(withTaskFacts(history.slice(0, 3), [task(1, '2026-12-07T01:00:00.001Z')])).toEqual(history.slice(0, 3));
  });

  it('keeps an entry a Masuk state recorded, and adds only the opening', () => {
    const entered = fact('00003#masuk', 'langkah-dimulai', '2026-12-07T03:00:00.000Z', { seq: 3, node: 'L3' });
    const merged = withTaskFacts([entered], [task(3, '2026-12-07T03:00:02.000Z')]);
    expect(merged.map((e) => [e.eventKey, e.at])).toEqual([
      ['00003#masuk', '2026-12-07T03:00:00.000Z'],
      ['00003#tugas-dibuka', '2026-12-07T03:00:02.000Z'],
    ]);
  });

  it('names whom the task was opened for, and the due times it was opened with, after a reassignment and a re-dating', () => {
    const now = task(4, '2026-12-07T04:00:00.000Z', {
      person: pejabat('plt'),
      dueAt: '2026-12-14T09:00:00.000Z',
      overdueAt: '2026-12-15T09:00:00.000Z',
      dueProvisional: false,
    });
    const history = [
      fact('00004#dialihkan#v3', 'tugas-dialihkan', '2026-12-08T01:00:00.000Z', {
        seq: 4,
        detail: { dari: pejabat('wakil'), kepada: pejabat('plt') },
      }),
      fact('00004#dialihkan#v2', 'tugas-dialihkan', '2026-12-07T05:00:00.000Z', {
        seq: 4,
        detail: { dari: pejabat('kabag'), kepada: pejabat('wakil') },
      }),
      fact('00004#tenggat#r1', 'tenggat-dihitung-ulang', '2026-12-07T06:00:00.000Z', {
        seq: 4,
        detail: {
          dueAtSebelumnya: '2026-12-10T09:00:00.000Z',
          overdueAtSebelumnya: '2026-12-11T09:00:00.000Z',
          provisionalSebelumnya: true,
          dueAt: '2026-12-14T09:00:00.000Z',
        },
      }),
      // Another task's reassignment says nothing of this one.
      fact('00009#dialihkan#v2', 'tugas-dialihkan', '2026-12-07T00:00:00.000Z', {
        seq: 9,
        detail: { dari: pejabat('lain') },
      }),
    ];
    const { opening } = taskFacts(now, history);
    expect(opening.who).toEqual({ id: 'kabag', nama: 'Nama kabag', jabatan: 'Jabatan kabag' });
    expect(opening.detail).toEqual({
      dueAt: '2026-12-10T09:00:00.000Z',
      overdueAt: '2026-12-11T09:00:00.000Z',
      provisional: true,
    });
    // Without those facts: the task as it stands.
    expect(taskFacts(now).opening).toMatchObject({
      who: { id: 'plt' },
      detail: { dueAt: '2026-12-14T09:00:00.000Z', provisional: false },
    });
  });
});
