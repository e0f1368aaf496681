import type { HistoryEvent, TaskRecord } from './model.ts';

const pad = (n: number) => String(n).padStart(5, '0');

/** The key of the fact that the task of activation `seq` was opened (`tugas-dibuka`). */
const openingKey = (seq: number) => `${pad(seq)}#tugas-dibuka`;
/** The key of the fact that activation `seq` was entered (`langkah-dimulai`). */
export const entryKey = (seq: number) => `${pad(seq)}#masuk`;

/** What of a task its facts read: any listed task will do (the indexes project all of it). */
type TaskFacts = Pick<
  TaskRecord,
  'caseId' | 'seq' | 'node' | 'stepId' | 'visit' | 'person' | 'openedAt' | 'dueAt' | 'overdueAt' | 'dueProvisional'
>;

/**
 * The facts a task record is. Its one conditional put records that its task was opened (`tugas-dibuka`) and, for an
 * activation its wait entered itself (no `Masuk` state: compile-sop's `entersByWait`), that the activation was entered
 * (`langkah-dimulai`): neither is written to the history table again (issue 17). Older cases have them there.
 *
 * The opening names whom the task was opened for and the due times it was opened with: a task reassigned since has
 * its first `tugas-dialihkan` fact (from whom), a task re-dated since its first `tenggat-dihitung-ulang` (the due
 * times before), so `history` (the case's other facts) tells them.
 */
export function taskFacts(
  task: TaskFacts,
  history: readonly HistoryEvent[] = [],
): { entry: HistoryEvent; opening: HistoryEvent } {
  const where = { caseId: task.caseId, node: task.node, stepId: task.stepId, seq: task.seq, visit: task.visit };
  const first = (type: HistoryEvent['type']) =>
    history
      .filter((e) => e.type === type && e.seq === task.seq)
      .sort((a, b) => a.at.localeCompare(b.at) || a.eventKey.localeCompare(b.eventKey))[0]?.detail;
  const reassigned = first('tugas-dialihkan')?.['dari'] as TaskFacts['person'] | undefined;
  const redated = first('tenggat-dihitung-ulang');
  const person = reassigned ?? task.person;
  return {
    entry: { ...where, eventKey: entryKey(task.seq), type: 'langkah-dimulai', at: task.openedAt },
    opening: {
      ...where,
      eventKey: openingKey(task.seq),
      type: 'tugas-dibuka',
      at: task.openedAt,
      who: { id: person.id, nama: person.nama, jabatan: person.jabatan },
      detail: redated
        ? {
            dueAt: redated['dueAtSebelumnya'] ?? null,
            overdueAt: redated['overdueAtSebelumnya'] ?? null,
            provisional: redated['provisionalSebelumnya'] ?? task.dueProvisional,
          }
        : { dueAt: task.dueAt, overdueAt: task.overdueAt, provisional: task.dueProvisional },
    },
  };
}

/**
 * A case's whole history as people read it: the facts of its history table, with the facts its task records are
 * (`taskFacts`) wherever the table has no fact of that key, in the table's order (time, then key).
 */
export function withTaskFacts(history: readonly HistoryEvent[], tasks: readonly TaskFacts[]): HistoryEvent[] {
  const keys = new Set(history.map((e) => e.eventKey));
  const derived: HistoryEvent[] = [];
  for (const task of tasks) {
    const { entry, opening } = taskFacts(task, history);
    for (const fact of [entry, opening]) if (!keys.has(fact.eventKey)) derived.push(fact);
  }
  if (!derived.length) return [...history];
  return [...history, ...derived].sort((a, b) => a.at.localeCompare(b.at) || a.eventKey.localeCompare(b.eventKey));
}
