import { ErrorNames, isSepakatError, SepakatError } from '../errors.ts';
import type { CaseRecord, Cursor, HistoryEvent, Reassignment, TaskPerson, TaskRecord } from './model.ts';
import { entryKey } from './task-facts.ts';
import type { Activity, Sop } from '../sop/load-sop.ts';
import type { CaseRuntime, RuntimeDeps } from './case-runtime.ts';
import { taskIdFor, trackingToken } from './capabilities.ts';
import { FRESH_LINK_LIMIT, nextWindowAt } from './link-limits.ts';
import { activityLabel } from '../sop/step-label.ts';
import { catatan, checkField, teks } from '../validation/text.ts';

/**
 * Administration of a running case, beside the SOP's own flow: the pemohon withdraws it, an administrator cancels
 * it, reassigns one of its open tasks or delegates it to a Plh/Plt. Each is a handful of idempotent facts, in an
 * order that a retry (after a crash, or a second click) completes without doing anything twice:
 *
 * - closing: the `akhir` fact first (the same key the SOP's own ending writes, so exactly one ending wins), then the
 *   withdrawal or cancellation fact, the case summary, and the clean-up: open tasks cancelled (their links then show
 *   "Kasus sudah ditutup" and act on nothing), the executions stopped, the reminders cancelled, the pemohon and the
 *   holders of the cancelled tasks emailed once. Nothing is deleted: documents and files stay archived.
 * - reassigning: one conditional write moves the task to the new person and increments its link version (the old
 *   link dies), then the fact and the emails.
 * - reminding by hand (a pelaksana or an administrator, from the case page): the task's email again, or a reminder,
 *   at most once in `REMIND_WINDOW_MS` per task; the fact is the one conditional write that decides who sends.
 */

/** Who acts: an administrator or the pemohon, as the history names them. */
export interface Actor {
  id: string;
  nama: string;
  jabatan: string;
}

export type CloseKind = 'ditarik' | 'dibatalkan';

export interface Closing {
  kind: CloseKind;
  reason: string;
  by: Actor;
  at: string;
}

export type CloseResult =
  /** Closed now (or a retry completed a closing that was cut short). */
  | { result: 'ditutup'; record: CaseRecord; closing: Closing; cancelledTasks: number }
  /** Withdrawn or cancelled before: nothing changed (the clean-up was checked again). */
  | { result: 'sudah-ditutup'; record: CaseRecord; closing: Closing }
  /** The case ended by its SOP (selesai, ditolak, or a dibatalkan of the flow): refused, nothing changed. */
  | { result: 'sudah-berakhir'; record: CaseRecord }
  | { result: 'tidak-valid'; error: string };

export type ReassignResult =
  | { result: 'dialihkan'; task: TaskRecord; from: TaskPerson; to: TaskPerson }
  /** The task is already that person's (a repeat): nothing changed. */
  | { result: 'sudah'; task: TaskRecord }
  /** The reason or the person is missing or unknown. */
  | { result: 'tidak-valid'; error: string }
  /** The case or the task moved on (closed, decided, reassigned meanwhile). */
  | { result: 'ditolak'; error: string };

export type MoveResult =
  /** Moved now: on `to` at activity `node`, a new execution started there. */
  | { result: 'dipindahkan'; record: CaseRecord; from: string; to: string; node: string }
  /** Moved to that version before (a double submit): nothing moved twice. */
  | { result: 'sudah'; record: CaseRecord }
  /** The version, the step or the reason is wrong. */
  | { result: 'tidak-valid'; error: string }
  /** The case is closed, not started, or moved on meanwhile. */
  | { result: 'ditolak'; error: string };

/** The execution that carries a moved case on at its mapped step: one per move (a retry starts none twice). */
const moveExecutionName = (caseId: string, version: number, seq: number) => `${caseId}-pindah-${version}-${seq}`;

/**
 * The activity of `sop` a moved case goes to: an activity id ("L7", "L7.2"), else the first activity of the step
 * whose id or number ("7") it is; undefined when the SOP has no such step.
 */
export function mappedActivity(sop: Sop, langkah: string): Activity | undefined {
  const activities = sop.nodes.filter((n): n is Activity => n.type === 'activity');
  const exact = activities.find((a) => a.id === langkah);
  if (exact) return exact;
  const step = sop.definition.steps.find((s) => s.id === langkah || ('no' in s && s.no === langkah));
  return step ? activities.find((a) => a.stepId === step.id) : undefined;
}

/** What is sent by hand: the task's email again (with its link, a fresh one if it expired), or a reminder. */
export type RemindKind = 'tugas' | 'pengingat';
/** An open task's emails by hand: at most one in this window, counting every email its person got for it. */
export const REMIND_WINDOW_MS = 15 * 60_000;

export type RemindResult =
  /** Sent now; `linkRenewed`: the expired link was replaced by a fresh one, which the email carries. */
  | { result: 'terkirim'; kind: RemindKind; task: TaskRecord; at: string; linkRenewed: boolean }
  /** An email for this task went to its person at `lastAt` (by hand or by the product); the next from `nextAt`. */
  | { result: 'terlalu-cepat'; lastAt: string; nextAt: string }
  /** The case or the task moved on, or no fresh link may be issued now: nothing was sent. */
  | { result: 'ditolak'; error: string }
  | { result: 'tidak-valid'; error: string };

const CLOSE_KINDS: readonly string[] = ['ditarik', 'dibatalkan'];
const pad = (n: number) => String(n).padStart(5, '0');
const MIN_REASON = 5;

/**
 * When the person of an open task last got an email for it (the task email, a fresh link, a reminder, one sent by
 * hand), or was sent one by hand: the latest of those facts of its activation in the case history.
 */
export function lastTaskEmailAt(
  history: readonly HistoryEvent[],
  task: Pick<TaskRecord, 'seq' | 'person'>,
): string | undefined {
  const prefix = `${pad(task.seq)}#`;
  const to = task.person.email.toLowerCase();
  const sentTo = (addresses: unknown) =>
    Array.isArray(addresses) && addresses.some((a) => typeof a === 'string' && a.toLowerCase() === to);
  return history
    .filter(
      (e) =>
        e.eventKey.startsWith(prefix) &&
        ((e.type === 'email-terkirim' && sentTo(e.detail?.['to'])) ||
          (e.type === 'tugas-diingatkan' && sentTo(e.detail?.['kepada']))),
    )
    .map((e) => e.at)
    .sort()
    .at(-1);
}

/** When a fresh link may next be issued for the task, if its window of renewals is full now. */
function renewalBlockedUntil(task: TaskRecord, now: Date): Date | undefined {
  if ((task.linkRenewals ?? 0) < FRESH_LINK_LIMIT.max) return undefined;
  const next = nextWindowAt(FRESH_LINK_LIMIT, task.linkRenewalWindowStart, now);
  return next.getTime() > now.getTime() ? next : undefined;
}
const MAX_REASON = 2000;

/** The reason of a withdrawal, a cancellation or a reassignment, as the forms (and the CLI) ask it. */
export const ALASAN_KASUS = catatan('Alasan', { min: MIN_REASON, max: MAX_REASON });
/** Whom a task is reassigned to: a person id of the pemda directory, chosen from the form's list. */
export const PENERIMA_TUGAS = teks('Alihkan kepada', { min: 1, max: 200 });

function checkReason(raw: string): string | { error: string } {
  return checkField(ALASAN_KASUS, raw);
}

/** How a closing of ours is written in the `akhir` fact; undefined for an ending of the SOP's own flow. */
function closingOf(event: HistoryEvent | undefined): Closing | undefined {
  const d = event?.detail;
  const kind = d?.['melalui'];
  if (!event || typeof kind !== 'string' || !CLOSE_KINDS.includes(kind)) return undefined;
  const by = d?.['oleh'] as Actor | undefined;
  return {
    kind: kind as CloseKind,
    reason: typeof d?.['alasan'] === 'string' ? d['alasan'] : '',
    by: by ?? { id: '', nama: '', jabatan: '' },
    at: event.at,
  };
}

export class CaseAdmin {
  constructor(
    private readonly deps: RuntimeDeps,
    private readonly runtime: CaseRuntime,
  ) {}

  /** The pemohon withdraws the case (from the tracking page or the console). */
  withdraw(caseId: string, by: Actor, reason: string): Promise<CloseResult> {
    return this.close('ditarik', caseId, by, reason);
  }

  /** An administrator cancels the case. */
  cancel(caseId: string, by: Actor, reason: string): Promise<CloseResult> {
    return this.close('dibatalkan', caseId, by, reason);
  }

  /** The current tracking link of a case (`/lacak/…`). */
  trackingUrl(record: Pick<CaseRecord, 'caseId' | 'trackingVersion'>): string {
    return `${this.deps.publicBaseUrl}/lacak/${trackingToken(this.deps.linkKey(), record.caseId, record.trackingVersion ?? 1)}`;
  }

  private async close(kind: CloseKind, caseId: string, by: Actor, rawReason: string): Promise<CloseResult> {
    const reason = checkReason(rawReason);
    if (typeof reason !== 'string') return { result: 'tidak-valid', error: reason.error };
    const record = await this.runtime.requireCase(caseId);
    const wasActive = record.status === 'aktif';
    if (wasActive)
      // The ending of the case: whoever writes `akhir` first (this, or the SOP reaching a terminal) decides it.
      await this.deps.store.appendHistory({
        caseId,
        eventKey: 'akhir',
        type: 'kasus-berakhir',
        at: this.deps.clock.now().toISOString(),
        who: by,
        note: reason,
        detail: { outcome: 'dibatalkan', melalui: kind, alasan: reason, oleh: by },
      });
    const closing = closingOf(await this.deps.store.getHistory(caseId, 'akhir'));
    // The SOP reached its own ending first (its summary may still say aktif for a moment).
    if (!closing) return { result: 'sudah-berakhir', record };
    await this.runtime.history({
      caseId,
      eventKey: 'penutupan',
      type: closing.kind === 'ditarik' ? 'kasus-ditarik' : 'kasus-dibatalkan',
      at: closing.at,
      who: closing.by,
      note: closing.reason,
      ...(record.cursor ? { node: record.cursor.node, stepId: record.cursor.stepId, seq: record.cursor.seq } : {}),
      detail: { alasan: closing.reason },
    });
    if (wasActive && !(await this.deps.store.closeCase(caseId, 'dibatalkan', closing.at, closing.reason))) {
      // Closed between our read and our write: by a closing of ours (a concurrent click) or nothing else, since
      // the SOP's own ending gives way to the `akhir` fact (CaseRuntime.finishCase).
      const again = await this.runtime.requireCase(caseId);
      if (again.status !== 'dibatalkan') return { result: 'sudah-berakhir', record: again };
    }
    const cancelledTasks = await this.cleanUp(record, closing);
    const closed = await this.runtime.requireCase(caseId);
    return wasActive
      ? { result: 'ditutup', record: closed, closing, cancelledTasks }
      : { result: 'sudah-ditutup', record: closed, closing };
  }

  /**
   * Stops whatever still works on a closed case; every part is idempotent, so a retry completes it. Returns how
   * many tasks were open when the case closed.
   */
  private async cleanUp(record: CaseRecord, closing: Closing): Promise<number> {
    const caseId = record.caseId;
    await this.deps.store.cancelOpenTasks(caseId);
    // The tasks that were open when the case closed: cancelled, never decided.
    const stopped = (await this.deps.store.listTasks({ caseId })).filter(
      (t) => t.state === 'cancelled' && !t.decision && !t.replacedAt,
    );
    const sop = this.runtime.sopOf(record);

    await this.stopExecutions(
      record,
      stopped,
      'Sepakat.CaseClosed',
      closing.kind === 'ditarik' ? 'Kasus ditarik pemohon' : 'Kasus dibatalkan administrator',
    );

    // Each closing email once, by its key: to the holder of each stopped task, and to the pemohon.
    const tell = (key: string, to: string, model: Record<string, unknown>) =>
      this.runtime.sendOnce(caseId, key, {
        to: [to],
        template: 'kasus-dihentikan',
        model: { ...this.closingModel(record, closing, sop.definition.header.nama), ...model },
      });
    for (const task of stopped) {
      const activity = this.runtime.activityOf(record, task.node);
      await this.runtime.cancelReminders(task, record);
      // A task of the pemohon's own: the pemohon hears of the ending once, in their email below.
      if (activity.performer.kind === 'pemohon') continue;
      await tell(`penutupan#email#${task.taskId}`, task.person.email, {
        untukPemohon: false,
        penerima: { nama: task.person.nama, jabatan: task.person.jabatan },
        langkah: activityLabel(sop, activity),
      });
    }
    // The pemohon's email takes the key of the SOP's own closing email: the pemohon hears of one ending.
    await tell('akhir#email', record.pemohon.email, {
      untukPemohon: true,
      penerima: { nama: record.pemohon.nama, jabatan: record.pemohon.instansi },
    });
    return stopped.length;
  }

  /**
   * Stops every execution of the case on its SOP version `record.sopKey`: those that held `tasks`, the first one and
   * every continuation (executions between steps, in automatic work, hold no task). A finished or unknown execution
   * is fine; only a passing outage throws, so that a retry completes the whole.
   */
  private async stopExecutions(
    record: CaseRecord,
    tasks: readonly TaskRecord[],
    error: string,
    cause: string,
  ): Promise<void> {
    const executions = new Set<string>();
    for (const t of tasks) if (t.executionArn) executions.add(t.executionArn);
    const prefix = `${this.deps.stateMachineArn(record.sopKey).replace(':stateMachine:', ':execution:')}:`;
    executions.add(`${prefix}permohonan-${record.intakeId}`);
    for (const e of await this.deps.store.listHistory(record.caseId))
      if (
        typeof e.detail?.['executionName'] === 'string' &&
        (e.type === 'kasus-dilanjutkan' || (e.type === 'versi-dipindahkan' && e.detail['ke'] === record.sopKey))
      )
        executions.add(`${prefix}${e.detail['executionName']}`);
    for (const arn of executions) {
      try {
        await this.deps.sfn.stopExecution(arn, error, cause);
      } catch (failure) {
        if (isSepakatError(failure, ErrorNames.Transient)) throw failure;
      }
    }
  }

  /**
   * Moves an open case to a newer version of its SOP at a mapped step: by default the activity with the same id as
   * the one it waits at; `langkah` names another (an activity id such as "L7.2", or a step's number or id, meaning
   * its first activity). One conditional write moves it (a double submit moves once); then the fact (who, from, to,
   * step, reason), the old task cancelled with a new link version (its link answers "diganti"), the old executions
   * stopped, and a new execution at the mapped step, which opens a new task and sends its email. The case keeps its
   * data, files, documents, numbers, paraf and history: they are keyed by the case, not by the SOP version.
   */
  async moveToVersion(input: {
    caseId: string;
    version: number;
    langkah?: string;
    by: Actor;
    reason: string;
  }): Promise<MoveResult> {
    const reason = checkReason(input.reason);
    if (typeof reason !== 'string') return { result: 'tidak-valid', error: reason.error };
    const record = await this.runtime.requireCase(input.caseId);
    const toKey = `${record.sopId}@${input.version}`;
    const moveKey = (seq: number) => `${pad(seq)}#pindah-versi`;
    if (record.sopKey === toKey && record.cursor) {
      // A repeat (a double submit, a retry after a crash): complete what the move that won left undone, once its
      // fact is written (the winner writes it next, then completes the move itself).
      const fact = await this.deps.store.getHistory(record.caseId, moveKey(record.cursor.seq - 1));
      if (fact?.detail?.['ke'] === toKey) {
        await this.completeMove(record, String(fact.detail['dari'] ?? ''));
        return { result: 'sudah', record };
      }
    }
    if (record.status !== 'aktif')
      return { result: 'ditolak', error: `Kasus ${record.caseId} sudah ${record.status}; tidak dapat dipindahkan` };
    if (!record.cursor)
      return {
        result: 'ditolak',
        error: `Kasus ${record.caseId} belum memulai langkah pertamanya; coba lagi sebentar`,
      };
    if (!Number.isInteger(input.version) || input.version < 1)
      return { result: 'tidak-valid', error: `Versi: "${input.version}" bukan nomor versi SOP (1, 2, …)` };
    if (input.version <= record.sopVersion)
      return {
        result: 'tidak-valid',
        error: `Versi: ${input.version} tidak lebih baru dari versi ${record.sopVersion} yang dipakai kasus ini`,
      };
    let target: Sop;
    try {
      target = this.deps.sops.get(toKey);
    } catch {
      return {
        result: 'tidak-valid',
        error: `Versi: SOP ${record.sopId} versi ${input.version} tidak ada (belum dimuat: jalankan muat-ulang setelah berkasnya ditambahkan)`,
      };
    }
    const node = mappedActivity(target, input.langkah?.trim() || record.cursor.node);
    if (!node)
      return {
        result: 'tidak-valid',
        error: input.langkah?.trim()
          ? `Langkah: "${input.langkah.trim()}" tidak ada di SOP ${toKey}`
          : `Langkah: ${record.cursor.node} tidak ada di SOP ${toKey}; sebutkan langkah tujuan`,
      };
    const from = record.cursor;
    // The task the case waits on must not be decided meanwhile: cancelled first, its link then answers "diganti".
    const waiting = await this.deps.store.getTask(taskIdFor(this.deps.linkKey(), record.caseId, from.seq));
    if (waiting && (waiting.state === 'decided' || waiting.state === 'reported'))
      return {
        result: 'ditolak',
        error: `Tugas langkah ${from.node} sudah diputuskan dan kasus sedang bergerak; coba lagi sebentar`,
      };
    const at = this.deps.clock.now().toISOString();
    if (waiting?.state === 'open' && !(await this.deps.store.retireTask(waiting.taskId, waiting.linkVersion, at))) {
      // Changed between the read and the retirement: a decision made meanwhile is never moved over (it would reach
      // no execution), nor is a task given a new link meanwhile retired unseen. Only one retired meanwhile (by a
      // concurrent move) lets the move go on; the case's conditional move then tells which one won.
      const now = await this.deps.store.getTask(waiting.taskId);
      if (now && now.state !== 'cancelled')
        return {
          result: 'ditolak',
          error:
            now.state === 'open'
              ? `Tugas langkah ${from.node} baru saja berubah (tautannya diganti); coba lagi`
              : `Tugas langkah ${from.node} sudah diputuskan dan kasus sedang bergerak; coba lagi sebentar`,
        };
    }
    const seq = from.seq + 1;
    const visit = (record.visits[node.id] ?? 0) + 1;
    const cursor: Cursor = { node: node.id, stepId: node.stepId, seq, visit, enteredAt: at };
    const moved = await this.deps.store.moveCaseVersion(
      record.caseId,
      { sopKey: record.sopKey, seq: from.seq },
      { sopKey: toKey, sopVersion: input.version, cursor, visits: { ...record.visits, [node.id]: visit } },
    );
    if (!moved) {
      const again = await this.runtime.requireCase(record.caseId);
      if (again.sopKey === toKey) return { result: 'sudah', record: again };
      return {
        result: 'ditolak',
        error: `Kasus ${record.caseId} bergerak atau ditutup sementara itu; tidak dipindahkan`,
      };
    }
    await this.runtime.history({
      caseId: record.caseId,
      eventKey: moveKey(from.seq),
      type: 'versi-dipindahkan',
      at,
      who: input.by,
      note: reason,
      node: node.id,
      stepId: node.stepId,
      seq,
      detail: {
        dari: record.sopKey,
        ke: toKey,
        dariLangkah: from.node,
        keLangkah: node.id,
        executionName: moveExecutionName(record.caseId, input.version, seq),
        alasan: reason,
        oleh: input.by,
      },
    });
    await this.runtime.history({
      caseId: record.caseId,
      eventKey: entryKey(seq),
      type: 'langkah-dimulai',
      at,
      node: node.id,
      stepId: node.stepId,
      seq,
      visit,
    });
    const after = await this.runtime.requireCase(record.caseId);
    await this.completeMove(after, record.sopKey);
    return { result: 'dipindahkan', record: after, from: record.sopKey, to: toKey, node: node.id };
  }

  /**
   * What follows the move's write, each part idempotent: the replaced task's reminders cancelled, the executions of
   * the old version stopped, and the one execution at the mapped step started (named after the move).
   */
  private async completeMove(record: CaseRecord, fromKey: string): Promise<void> {
    if (!record.cursor || record.status !== 'aktif') return;
    const fromSeq = record.cursor.seq - 1;
    const replaced = (await this.deps.store.listTasks({ caseId: record.caseId })).filter((t) => t.seq === fromSeq);
    const old = { ...record, sopKey: fromKey };
    for (const task of replaced.filter((t) => t.state === 'cancelled')) {
      try {
        await this.runtime.cancelReminders(task, old);
      } catch (error) {
        // The old version is no longer loaded: its reminders find the task cancelled and send nothing.
        if (!isSepakatError(error, ErrorNames.NotFound)) throw error;
      }
    }
    if (fromKey) await this.stopExecutions(old, replaced, 'Sepakat.CaseMoved', 'Kasus dipindahkan ke versi SOP baru');
    await this.runtime.startExecution(record, moveExecutionName(record.caseId, record.sopVersion, record.cursor.seq), {
      node: record.cursor.node,
      seq: record.cursor.seq,
    });
  }

  private closingModel(record: CaseRecord, closing: Closing, sopNama: string) {
    return {
      jenis: closing.kind,
      perihal: record.perihal,
      caseId: record.caseId,
      sopNama,
      alasan: closing.reason,
      oleh: closing.by,
    };
  }

  /**
   * Reassigns an open task to another person of the pemda directory, or delegates it to a Plh/Plt (`sebagai`): the
   * old link dies, the new person gets the task email with a new link, and their decision (and any signature)
   * carries their name, as Plh./Plt. of the role when delegated. Reminders read the task when they fire, so they
   * reach the new person.
   */
  async reassign(input: {
    taskId: string;
    toPersonId: string;
    by: Actor;
    reason: string;
    sebagai?: 'Plh' | 'Plt';
  }): Promise<ReassignResult> {
    const reason = checkReason(input.reason);
    if (typeof reason !== 'string') return { result: 'tidak-valid', error: reason.error };
    const toPersonId = checkField(PENERIMA_TUGAS, input.toPersonId);
    if (typeof toPersonId !== 'string') return { result: 'tidak-valid', error: toPersonId.error };
    const task = await this.deps.store.getTask(input.taskId);
    if (!task) throw new SepakatError(ErrorNames.NotFound, 'Tugas tidak ditemukan');
    const record = await this.runtime.requireCase(task.caseId);
    if (record.status !== 'aktif')
      return { result: 'ditolak', error: `Kasus ${record.caseId} sudah ditutup; tugasnya tidak dapat dialihkan` };
    if (task.state !== 'open')
      return { result: 'ditolak', error: 'Tugas ini sudah diputuskan atau dihentikan; tidak dapat dialihkan' };
    const pemda = this.deps.pemda(record.pemdaId);
    const person = pemda.directory.person(toPersonId);
    if (!person)
      return {
        result: 'tidak-valid',
        error: `Orang "${toPersonId}" tidak ada dalam direktori ${pemda.directory.data.pemda.nama}`,
      };
    const activity = this.runtime.activityOf(record, task.node);
    // A Plh/Plt acts in the role's jabatan ("Plh. Kepala Bagian …"), as the signature block prints it.
    const roleHolder = (pemda.directory.data.roles[activity.performer.id] ?? [])
      .map((a) => pemda.directory.person(a.person))
      .find((p) => p !== undefined);
    const to: TaskPerson = {
      id: person.id,
      nama: person.nama,
      jabatan: input.sebagai ? (roleHolder?.jabatan ?? task.person.jabatan) : person.jabatan,
      email: person.email,
      ...(person.nip ? { nip: person.nip } : {}),
      ...(input.sebagai ? { sebagai: input.sebagai } : {}),
    };
    if (task.person.id === to.id && task.person.sebagai === to.sebagai) {
      // A repeat, or a retry after a crash: what the reassignment that issued the current link left undone (its
      // fact, the task email, the notice) is completed from what the task records; each is written once.
      if (task.dialihkan?.version === task.linkVersion)
        await this.completeReassignment(task, task.dialihkan, record, activity);
      else if (await this.deps.store.hasHistory(task.caseId, `${pad(task.seq)}#dialihkan#v${task.linkVersion}`))
        await this.runtime.sendTaskEmail(task, record, activity, `${pad(task.seq)}#email#tugas#v${task.linkVersion}`);
      return { result: 'sudah', task };
    }
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + this.deps.linkTtlHours * 3600_000).toISOString();
    const version = task.linkVersion + 1;
    const reassignment: Reassignment = {
      version,
      dari: task.person,
      oleh: input.by,
      alasan: reason,
      at: now.toISOString(),
    };
    if (!(await this.deps.store.reassignTask(task.taskId, task.linkVersion, to, expiresAt, reassignment)))
      return {
        result: 'ditolak',
        error:
          'Tugas berubah ketika akan dialihkan (diputuskan atau dialihkan pengguna lain). Muat ulang lalu periksa.',
      };
    const { otp: _otp, otpIssued: _issued, ...rest } = task;
    const moved: TaskRecord = {
      ...rest,
      person: to,
      linkVersion: version,
      linkExpiresAt: expiresAt,
      dialihkan: reassignment,
    };
    await this.completeReassignment(moved, reassignment, record, activity);
    return { result: 'dialihkan', task: moved, from: task.person, to };
  }

  /** The fact of a reassignment and its two emails (the new link, the notice to the previous holder), each once. */
  private async completeReassignment(
    task: TaskRecord,
    r: Reassignment,
    record: CaseRecord,
    activity: ReturnType<CaseRuntime['activityOf']>,
  ): Promise<void> {
    const to = task.person;
    const summary = (p: TaskPerson) => ({
      id: p.id,
      nama: p.nama,
      jabatan: p.jabatan,
      ...(p.sebagai ? { sebagai: p.sebagai } : {}),
    });
    await this.runtime.history({
      caseId: task.caseId,
      eventKey: `${pad(task.seq)}#dialihkan#v${r.version}`,
      type: 'tugas-dialihkan',
      at: r.at,
      node: task.node,
      stepId: task.stepId,
      seq: task.seq,
      visit: task.visit,
      who: r.oleh,
      note: r.alasan,
      detail: {
        dari: summary(r.dari),
        kepada: summary(to),
        ...(to.sebagai ? { sebagai: to.sebagai } : {}),
        alasan: r.alasan,
        oleh: r.oleh,
      },
    });
    await this.runtime.sendTaskEmail(task, record, activity, `${pad(task.seq)}#email#tugas#v${r.version}`);
    const sop = this.runtime.sopOf(record);
    await this.runtime.sendOnce(task.caseId, `${pad(task.seq)}#email#dialihkan#v${r.version}`, {
      to: [r.dari.email],
      template: 'tugas-dialihkan',
      model: {
        person: r.dari,
        kepada: to,
        oleh: r.oleh,
        alasan: r.alasan,
        perihal: record.perihal,
        caseId: record.caseId,
        activity,
        step: sop.step(activity.stepId),
      },
    });
  }

  /**
   * Sends an open task's email again (`tugas`: the task email with its current link, or a fresh one when it expired)
   * or a reminder (`pengingat`, the reminder email of the cadence, saying who asks), by hand. At most one email for
   * the task within `REMIND_WINDOW_MS` of the last one its person got (by hand or sent by the product): the fact
   * `tugas-diingatkan` is written first with a key counting the sends by hand, so of two concurrent clicks one writes
   * it and sends, the other is refused. A crash between the fact and the email leaves that one unsent (the next may
   * be sent after the window).
   */
  async remind(input: { taskId: string; kind: string; by: Actor }): Promise<RemindResult> {
    if (input.kind !== 'tugas' && input.kind !== 'pengingat')
      return { result: 'tidak-valid', error: 'Pilih "Kirim ulang email tugas" atau "Kirim pengingat"' };
    const kind: RemindKind = input.kind;
    const task = await this.deps.store.getTask(input.taskId);
    if (!task) throw new SepakatError(ErrorNames.NotFound, 'Tugas tidak ditemukan');
    const record = await this.runtime.requireCase(task.caseId);
    if (record.status !== 'aktif')
      return { result: 'ditolak', error: `Kasus ${record.caseId} sudah ditutup; tidak ada email yang dikirim` };
    if (task.state !== 'open')
      return { result: 'ditolak', error: 'Tugas ini sudah diputuskan atau dihentikan; tidak ada email yang dikirim' };
    const now = this.deps.clock.now();
    const prefix = `${pad(task.seq)}#`;
    const history = await this.deps.store.listHistory(task.caseId);
    const tooSoon = (lastAt: string): RemindResult => ({
      result: 'terlalu-cepat',
      lastAt,
      nextAt: new Date(Date.parse(lastAt) + REMIND_WINDOW_MS).toISOString(),
    });
    const last = lastTaskEmailAt(history, task);
    if (last && now.getTime() - Date.parse(last) < REMIND_WINDOW_MS) return tooSoon(last);
    const byHand = history.filter((e) => e.type === 'tugas-diingatkan' && e.eventKey.startsWith(prefix));
    const activity = this.runtime.activityOf(record, task.node);
    const expired = Date.parse(task.linkExpiresAt) <= now.getTime();
    if (kind === 'tugas' && expired) {
      // Known before anything is written: a fresh link could not be issued now.
      const blocked = renewalBlockedUntil(task, now);
      if (blocked)
        return {
          result: 'ditolak',
          error: `Tautan tugas ini sudah kedaluwarsa dan sudah ${FRESH_LINK_LIMIT.max} kali diperbarui dalam satu jam; email tugas dapat dikirim ulang mulai ${this.deps.pemda(record.pemdaId).formatDateTime(blocked)}`,
        };
    }
    const key = `${prefix}diingatkan#${byHand.length + 1}`;
    const claimed = await this.deps.store.appendHistory({
      caseId: task.caseId,
      eventKey: key,
      type: 'tugas-diingatkan',
      at: now.toISOString(),
      node: task.node,
      stepId: task.stepId,
      seq: task.seq,
      visit: task.visit,
      who: input.by,
      detail: { jenis: kind, kepada: [task.person.email], oleh: input.by },
    });
    if (!claimed) return tooSoon((await this.deps.store.getHistory(task.caseId, key))?.at ?? now.toISOString());
    const emailKey = `${prefix}email#diingatkan#${byHand.length + 1}`;
    if (kind === 'pengingat') {
      const built = this.runtime.reminderMail(task, record, activity, 'manual', input.by)!;
      await this.runtime.sendOnce(task.caseId, emailKey, built.mail);
      return { result: 'terkirim', kind, task, at: now.toISOString(), linkRenewed: false };
    }
    let current = task;
    if (expired) {
      const fresh = await this.runtime.renewTaskLink(task, input.by);
      if (!('task' in fresh) || 'limited' in fresh)
        return {
          result: 'ditolak',
          error: 'Tugas ini berubah bersamaan (diputuskan atau tautannya diperbarui); tidak ada email yang dikirim',
        };
      current = fresh.task;
    }
    await this.runtime.sendTaskEmail(current, record, activity, emailKey, input.by);
    return { result: 'terkirim', kind, task: current, at: now.toISOString(), linkRenewed: expired };
  }

  /**
   * Revokes the case's tracking link (it leaked, or the pemohon asks): a new version is issued and emailed to the
   * pemohon; every older link then shows nothing.
   */
  async renewTracking(caseId: string, by: Actor): Promise<{ url: string }> {
    const record = await this.runtime.requireCase(caseId);
    const from = record.trackingVersion ?? 1;
    if (!(await this.deps.store.renewTracking(caseId, from)))
      throw new SepakatError(ErrorNames.Transient, 'Tautan pemantauan berubah bersamaan; silakan ulangi');
    const renewed = { ...record, trackingVersion: from + 1 };
    const url = this.trackingUrl(renewed);
    await this.runtime.history({
      caseId,
      eventKey: `lacak#v${from + 1}`,
      type: 'tautan-diperbarui',
      at: this.deps.clock.now().toISOString(),
      who: by,
      detail: { tautan: 'pemantauan', versi: from + 1 },
    });
    await this.runtime.sendOnce(caseId, `lacak#email#v${from + 1}`, {
      to: [record.pemohon.email],
      template: 'pemberitahuan',
      model: {
        perihal: record.perihal,
        caseId,
        judul: 'Tautan pemantauan permohonan diganti',
        pesan: `Tautan untuk mengikuti perkembangan permohonan Anda telah diganti; tautan lama tidak berlaku lagi. Tautan baru: ${url}`,
      },
    });
    return { url };
  }
}
