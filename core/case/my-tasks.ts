import { has, type Principal } from '../access/access.ts';
import { workingMinutesBetween, type WorkCalendar } from '../calendar/work-calendar.ts';
import { activityLabel } from '../sop/step-label.ts';
import { linkToken } from './capabilities.ts';
import type { CaseRuntime } from './case-runtime.ts';
import { pemohonPersonId } from './pemohon-person.ts';
import type { CaseStore, Clock, TaskRecord } from './model.ts';
import type { TaskActions } from './task-actions.ts';

/**
 * "Tugas saya": a signed-in official's own open tasks, and the way to act on one without the emailed link.
 *
 * The list reads the principal's pemda only (its active cases through the cases' pemda index, their tasks through
 * the tasks' case index, as the dashboard does) and keeps the open tasks bound to the principal's directory person.
 * Opening one is an act (a POST with the session's CSRF token): the signed-in session proves the person, the task
 * must be bound to that very person (a reassigned or delegated task is its new holder's), and the answer is the task's
 * own capability link (core/case/capabilities.ts: bound to the task, its link version and the person) — so the task
 * page, its code, its downloads and its decision go exactly the way of the emailed link. An expired link is renewed
 * first (the fresh link is also emailed, as from the expired link's own page). The first opening by its person is a
 * fact (`tugas-dibaca`), which the list shows as "sudah dibuka"; a GET of the list or of the task page writes nothing,
 * so a task only looked at through its emailed link still reads "belum dibuka".
 */
export interface MyTask {
  taskId: string;
  caseId: string;
  perihal: string;
  pemohon: string;
  sopNama: string;
  node: string;
  /** "Langkah 5 — …" (for a link of a chain, the link's own action). */
  langkah: string;
  /** The visit of the step (2: it came back, e.g. after a return). */
  putaran: number;
  openedAt: string;
  dueAt: string | null;
  overdueAt: string | null;
  dueProvisional: boolean;
  /** `dueAt` is an external party's perkiraan selesai, not the official's deadline (never late). */
  dueEstimate: boolean;
  /** Past its Mutu Baku (its overdue time), and by how many working minutes on the pemda's calendar. */
  terlambat: boolean;
  terlambatMenit: number;
  /** When its person first opened it from this list; null: not yet. */
  dibukaAt: string | null;
  /** The external party whose answer the official records, if any. */
  eksternal?: string;
  sebagai?: 'Plt' | 'Plh';
}

export type OpenMyTask =
  /** Go to the task page: the task's capability link (a fresh one when it had expired). */
  | { result: 'tautan'; path: string; renewed: boolean }
  /** The task is bound to another person (reassigned, delegated, or never theirs). */
  | { result: 'bukan-milik' }
  | { result: 'selesai' }
  | { result: 'ditutup' }
  /** The link expired and its fresh links for the hour are used up; the next from `nextAt`. */
  | { result: 'batas-tautan'; nextAt: string };

export interface MyTasksDeps {
  store: Pick<
    CaseStore,
    'listCasesOfPemda' | 'listTasksOfCases' | 'getTask' | 'getCase' | 'getHistory' | 'appendHistory'
  >;
  runtime: Pick<CaseRuntime, 'sopOf' | 'activityOf'>;
  actions: Pick<TaskActions, 'sendFreshLink'>;
  calendar(pemdaId: string): WorkCalendar;
  clock: Clock;
  /** The action-link key (HMAC of links and task ids); throws where this function was given none. */
  linkKey: () => Buffer;
}

/**
 * The task persons a signed-in principal is: their directory person (staff), and for a pemohon the person an actor of
 * kind pemohon binds to in the cases they submitted under their address (core/case/pemohon-person.ts).
 */
export function ownPersons(p: Principal): ReadonlySet<string> {
  const ids = new Set<string>();
  if (p.personId) ids.add(p.personId);
  if (has(p, 'pemohon')) ids.add(pemohonPersonId(p.email));
  return ids;
}

const pad = (n: number) => String(n).padStart(5, '0');
/** The fact of a task's first opening from the list by its person (one per person: a new holder starts unread). */
const openedKey = (task: Pick<TaskRecord, 'seq' | 'person'>) => `${pad(task.seq)}#dibaca#${task.person.id}`;

export class MyTasks {
  constructor(private readonly deps: MyTasksDeps) {}

  /** The open tasks of the principal's person, overdue first, then by due time (none last), then the oldest. */
  async list(p: Principal): Promise<MyTask[]> {
    const own = ownPersons(p);
    if (!own.size) return [];
    const cases = await this.deps.store.listCasesOfPemda(p.pemdaId, { status: 'aktif' });
    const byCase = new Map(cases.map((c) => [c.caseId, c]));
    const tasks = await this.deps.store.listTasksOfCases(cases.map((c) => c.caseId));
    const mine = [...tasks.values()].flat().filter((t) => t.state === 'open' && own.has(t.person.id));
    const now = this.deps.clock.now();
    const rows = await Promise.all(
      mine.map(async (task): Promise<MyTask> => {
        const record = byCase.get(task.caseId)!;
        const sop = this.deps.runtime.sopOf(record);
        const activity = this.deps.runtime.activityOf(record, task.node);
        // An external party's perkiraan passing makes no official late.
        const late = !task.dueEstimate && !!task.overdueAt && now.getTime() > Date.parse(task.overdueAt);
        const opened = await this.deps.store.getHistory(task.caseId, openedKey(task));
        return {
          taskId: task.taskId,
          caseId: task.caseId,
          perihal: record.perihal,
          pemohon: record.pemohon.instansi,
          sopNama: sop.definition.header.nama,
          node: task.node,
          langkah: activityLabel(sop, activity),
          putaran: task.visit,
          openedAt: task.openedAt,
          dueAt: task.dueAt,
          overdueAt: task.overdueAt,
          dueProvisional: task.dueProvisional,
          dueEstimate: task.dueEstimate === true,
          terlambat: late,
          terlambatMenit: late
            ? workingMinutesBetween(this.deps.calendar(record.pemdaId), new Date(task.overdueAt!), now)
            : 0,
          dibukaAt: opened?.at ?? null,
          ...(activity.actor.kind === 'external' ? { eksternal: activity.actor.jabatan } : {}),
          ...(task.person.sebagai ? { sebagai: task.person.sebagai } : {}),
        };
      }),
    );
    return rows.sort(
      (a, b) =>
        Number(b.terlambat) - Number(a.terlambat) ||
        (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999') ||
        a.openedAt.localeCompare(b.openedAt),
    );
  }

  /**
   * Opens a task of the list (a POST: the route checked the session, its CSRF token, and that the task is of the
   * principal's pemda). Only the task's own person gets its link.
   */
  async open(p: Principal, taskId: string): Promise<OpenMyTask> {
    const task = await this.deps.store.getTask(taskId);
    const own = ownPersons(p);
    if (!task || !own.has(task.person.id)) return { result: 'bukan-milik' };
    const record = await this.deps.store.getCase(task.caseId);
    if (task.state === 'decided' || task.state === 'reported') return { result: 'selesai' };
    if (task.state === 'cancelled' || record?.status !== 'aktif') return { result: 'ditutup' };
    let current = task;
    const expired = Date.parse(task.linkExpiresAt) <= this.deps.clock.now().getTime();
    if (expired) {
      const fresh = await this.deps.actions.sendFreshLink(task);
      if ('problem' in fresh) {
        if (fresh.problem === 'batas-tautan') return { result: 'batas-tautan', nextAt: fresh.nextAt };
        // Moved on meanwhile (decided, cancelled, or renewed by another request): as it stands now.
        const again = await this.deps.store.getTask(taskId);
        if (!again || !own.has(again.person.id)) return { result: 'bukan-milik' };
        if (again.state !== 'open') return { result: again.state === 'cancelled' ? 'ditutup' : 'selesai' };
        current = again;
      } else current = fresh.task;
    }
    await this.deps.store.appendHistory({
      caseId: task.caseId,
      eventKey: openedKey(task),
      type: 'tugas-dibaca',
      at: this.deps.clock.now().toISOString(),
      node: task.node,
      stepId: task.stepId,
      seq: task.seq,
      visit: task.visit,
      who: { id: task.person.id, nama: task.person.nama, jabatan: task.person.jabatan },
      detail: { melalui: 'tugas saya' },
    });
    return {
      result: 'tautan',
      path: `/tugas/${linkToken(this.deps.linkKey(), current.taskId, current.linkVersion, current.person.id)}`,
      renewed: current !== task,
    };
  }
}
