import { createHash } from 'node:crypto';
import { workingMinutesBetween, type WorkCalendar } from '../calendar/work-calendar.ts';
import type { Directory } from '../directory/directory.ts';
import { ErrorNames, isSepakatError, SepakatError } from '../errors.ts';
import { START_POSITION, type ExecutionInput } from '../sop/compile-sop.ts';
import type { Activity, Sop } from '../sop/load-sop.ts';
import type { Automatic, Terminal } from '../sop/schema.ts';
import type { Waktu } from '../sop/waktu.ts';
import { formatDurasi } from '../format/tanggal.ts';
import { caseDimensions, noMetrics, type MetricDimensions, type Metrics } from '../metrics.ts';
import { jobKey, type Job, type ReminderStage, type TaskReminderJob } from './jobs.ts';
import { entryKey } from './task-facts.ts';
import { linkToken, taskIdFor } from './capabilities.ts';
import { nextReminder, pendingReminderKeys, planReminders } from './reminders.ts';
import { pemohonPerson } from './pemohon-person.ts';
import { FRESH_LINK_LIMIT, nextWindowAt, windowCheck } from './link-limits.ts';
import { sendMailOnce, type MailOutcome } from './mail-once.ts';
import type {
  CaseRecord,
  CaseStore,
  Clock,
  Cursor,
  DocumentWork,
  Faults,
  HistoryEvent,
  MailAttachment,
  Mailer,
  Scheduler,
  StepFunctionsPort,
  TaskRecord,
} from './model.ts';

/** Due time of a task per the pemda's working-day calendar. */
export interface Due {
  dueAt: Date | null;
  overdueAt: Date | null;
  provisional: boolean;
}

/** What the runtime needs to know of a pemda: its directory and its calendar. */
export interface PemdaContext {
  directory: Directory;
  /** Working days and hours: where reminders fall and how late a task is in working time. */
  calendar: WorkCalendar;
  due(openedAt: Date, waktu: Waktu | null): Due;
  /** The local date (YYYY-MM-DD) of an instant in the pemda's time zone. */
  localDate(at: Date): string;
  /** "Senin, 23 November 2026 pukul 16.00 WIB". */
  formatDateTime(at: Date): string;
}

export type EmailTemplate =
  | 'tugas-baru'
  | 'tautan-baru'
  | 'kode-otp'
  | 'pemberitahuan'
  | 'kasus-berakhir'
  | 'berkas-dikarantina'
  | 'permohonan-diterima'
  | 'permohonan-konfirmasi'
  | 'pengingat'
  | 'eskalasi'
  | 'kasus-dihentikan'
  | 'tugas-dialihkan'
  /** The completion package: the number, the signed naskah and its Lembar Riwayat Penandatanganan. */
  | 'naskah-lengkap';

export interface EmailRenderer {
  render(template: EmailTemplate, model: Record<string, unknown>): { subject: string; text: string; html: string };
}

export interface SopCatalog {
  get(sopKey: string): Sop;
  latest(sopId: string): Sop;
  all(): Sop[];
}

export interface RuntimeDeps {
  store: CaseStore;
  sfn: StepFunctionsPort;
  mailer: Mailer;
  clock: Clock;
  faults: Faults;
  sops: SopCatalog;
  pemda(pemdaId: string): PemdaContext;
  emails: EmailRenderer;
  /** The action-link key (HMAC of links and task ids); throws where this function was given none. */
  linkKey: () => Buffer;
  publicBaseUrl: string;
  linkTtlHours: number;
  stateMachineArn(sopKey: string): string;
  /** Where the email's Message-ID domain comes from. */
  mailDomain: string;
  /** Document work (render, number, paraf, sign, archive); absent where a deployment runs none. */
  documents?: DocumentWork;
  /** Timed work (reminders); absent where a deployment schedules nothing. */
  scheduler?: Scheduler;
  /** Business metrics by pemda and SOP (core/metrics.ts); none counted when absent. */
  metrics?: Metrics;
}

/** What a fired reminder did. Every outcome but `terkirim` sent nothing. */
export type ReminderOutcome =
  | 'terkirim'
  /** Sent before (the job fired again after a crash or a retry). */
  | 'sudah-terkirim'
  /** The task was decided or cancelled, the case closed or moved on. */
  | 'tugas-tidak-terbuka'
  /** A reminder before the due time that fired after it (the scheduler was down): the overdue reminder follows. */
  | 'terlewat'
  /** Escalation of a person the directory names no atasan for. */
  | 'tanpa-atasan';

const pad = (n: number) => String(n).padStart(5, '0');
const activationKey = (seq: number, fact: string) => `${pad(seq)}#${fact}`;

/**
 * The case runtime: the use cases behind the Lambda handlers. Every step is idempotent: it may run again after
 * a crash, a retry or a restart, and then finds what it did before instead of doing it twice.
 */
export class CaseRuntime {
  constructor(private readonly deps: RuntimeDeps) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  /** The metrics port (counts nothing when the deployment wires none). */
  get metrics(): Metrics {
    return this.deps.metrics ?? noMetrics;
  }

  async requireCase(caseId: string): Promise<CaseRecord> {
    const record = await this.deps.store.getCase(caseId);
    if (!record) throw new SepakatError(ErrorNames.NotFound, `Kasus ${caseId} tidak ditemukan`);
    return record;
  }

  private requireActive(record: CaseRecord): void {
    if (record.status !== 'aktif')
      throw new SepakatError(ErrorNames.CaseClosed, `Kasus ${record.caseId} sudah ${record.status}`);
  }

  sopOf(record: CaseRecord): Sop {
    return this.deps.sops.get(record.sopKey);
  }

  activityOf(record: CaseRecord, node: string): Activity {
    return this.activityIn(record.sopKey, node);
  }

  /** The activity of a task, from the SOP version it records (undefined for a task that records none). */
  activityOfTask(task: Pick<TaskRecord, 'sopKey' | 'node'>): Activity | undefined {
    return task.sopKey ? this.activityIn(task.sopKey, task.node) : undefined;
  }

  private activityIn(sopKey: string, node: string): Activity {
    const found = this.deps.sops.get(sopKey).node(node);
    if (found.type !== 'activity') throw new SepakatError(ErrorNames.NotFound, `${node} bukan langkah bertugas`);
    return found;
  }

  /** Masuk: records activation `after + 1` at `node` (see `enter`). A replay returns the activation it recorded. */
  async enterStep(input: { caseId: string; node: string; after: number; stepId?: string }): Promise<{ seq: number }> {
    await this.enter(input);
    return { seq: input.after + 1 };
  }

  /**
   * Records activation `after + 1` at `node` and returns the case as it stands there. With the step's id (the compiled
   * state machine passes it), the activation is one conditional write, which returns the case: nothing is read. Only a
   * write that finds the case elsewhere reads it, to tell a replay (the activation recorded before, returned as it is)
   * from a stale execution or a closed case.
   */
  private async enter(
    input: { caseId: string; node: string; after: number; stepId?: string },
    /**
     * The caller creates the activation's task next, and the task record is the fact of this entry (`taskFacts`):
     * the fast path writes no `langkah-dimulai`. Should no task come of it, the caller records the entry itself.
     */
    entryByTask = false,
  ): Promise<CaseRecord> {
    const seq = input.after + 1;
    if (input.stepId) {
      const enteredAt = this.now().toISOString();
      const entered = await this.deps.store.enterCursor(input.caseId, input.after, {
        node: input.node,
        stepId: input.stepId,
        seq,
        enteredAt,
      });
      if (entered?.cursor) {
        await this.entered(input.caseId, entered.cursor, entryByTask);
        return entered;
      }
    }
    const record = await this.requireCase(input.caseId);
    this.requireActive(record);
    if (record.cursor?.seq === seq && record.cursor.node === input.node) return record;
    if ((record.cursor?.seq ?? 0) !== input.after)
      throw new SepakatError(
        ErrorNames.Superseded,
        `Kasus ${input.caseId} sudah berada di aktivasi ${record.cursor?.seq}`,
      );
    const activity = this.activityOf(record, input.node);
    const visit = (record.visits[input.node] ?? 0) + 1;
    const cursor: Cursor = {
      node: input.node,
      stepId: activity.stepId,
      seq,
      visit,
      enteredAt: this.now().toISOString(),
    };
    const visits = { ...record.visits, [input.node]: visit };
    if (!(await this.deps.store.moveCursor(input.caseId, input.after, cursor, visits))) {
      const again = await this.requireCase(input.caseId);
      if (again.cursor?.seq === seq && again.cursor.node === input.node) return again;
      throw new SepakatError(ErrorNames.Superseded, `Kasus ${input.caseId} dipindahkan oleh eksekusi lain`);
    }
    await this.entered(input.caseId, cursor, entryByTask);
    return { ...record, cursor, visits };
  }

  /**
   * After a move of the cursor: records the fact of the activation entered (`langkah-dimulai`), unless the task the
   * caller creates next is that fact (`entryByTask`), then passes the fault point after a move.
   */
  private async entered(caseId: string, cursor: Cursor, entryByTask: boolean): Promise<void> {
    if (!entryByTask) await this.recordEntry(caseId, cursor);
    this.deps.faults.point('after-cursor-moved');
  }

  private async recordEntry(caseId: string, cursor: Cursor): Promise<void> {
    await this.history({
      caseId,
      eventKey: entryKey(cursor.seq),
      type: 'langkah-dimulai',
      at: cursor.enteredAt,
      node: cursor.node,
      stepId: cursor.stepId,
      seq: cursor.seq,
      visit: cursor.visit,
    });
  }

  /**
   * Tunggu: opens (or finds) the task of activation `seq`, binds it to a person, stores the execution's token,
   * and emails the link. If the task was already decided (a crash before the decision reached Step Functions),
   * the decision is replayed at once instead of asking again.
   */
  async openTask(
    input: {
      caseId: string;
      node: string;
      taskToken: string;
      executionArn: string;
    } & (
      | { seq: number }
      /**
       * A wait that enters its activity (compile-sop's `entersByWait`): activation `after + 1` is recorded first.
       * `position`: the state machine's position it enters from (the previous wait's answer, with its choice).
       */
      | { after: number; stepId?: string; position?: { node?: string; seq?: number; choice?: string } }
    ),
  ): Promise<void> {
    const seq = 'seq' in input ? input.seq : input.after + 1;
    // Entered here: the case as that write returned it travels on, unread (a replay reads it once, in `enter`). The
    // task this opening creates is the fact of the entry and of the opening (`taskFacts`): no history item for either.
    const record = 'seq' in input ? await this.requireCase(input.caseId) : await this.enter(input, true);
    this.requireActive(record);
    if (record.cursor?.seq !== seq)
      throw new SepakatError(ErrorNames.Superseded, `Aktivasi ${seq} bukan posisi kasus ${input.caseId}`);
    const activity = this.activityOf(record, input.node);
    const taskId = taskIdFor(this.deps.linkKey(), input.caseId, seq);
    // The task is created first (one conditional put), read only when it exists already (a replay, a continuation):
    // the first opening reads nothing. A binding that fails today (say, the role is vacant) fails only a first opening.
    let made: TaskRecord | undefined;
    let failure: unknown;
    try {
      // Created holding this execution's token: the first opening needs no second write to attach it.
      // A wait that entered its activation opens its task at the entry: the task record is that entry's fact too.
      const openedAt = 'seq' in input ? undefined : new Date(record.cursor.enteredAt);
      made = {
        ...this.newTask(record, activity, taskId, record.cursor, openedAt),
        taskToken: input.taskToken,
        executionArn: input.executionArn,
      };
    } catch (error) {
      failure = error;
    }
    const created = made !== undefined && (await this.deps.store.createTask(made)) === 'created';
    let task = created ? made : await this.deps.store.getTask(taskId);
    if (!task) {
      // No task, so no task record to be the fact of the entry: the entry is recorded as a fact of its own.
      if (record.cursor && !('seq' in input)) await this.recordEntry(input.caseId, record.cursor);
      throw failure;
    }
    if (created) {
      this.metrics.count('TasksOpened', caseDimensions(record));
      this.deps.faults.point('after-task-opened');
    }
    if (task.state === 'cancelled') throw new SepakatError(ErrorNames.CaseClosed, `Tugas ${taskId} dibatalkan`);
    if (task.state === 'open') {
      const attached = created ? {} : await this.deps.store.attachToken(taskId, input.taskToken, input.executionArn);
      if (attached !== 'not-open') {
        if (attached.previousToken && attached.previousToken !== input.taskToken)
          await this.deps.sfn.sendTaskFailure(
            attached.previousToken,
            ErrorNames.Superseded,
            'Eksekusi lain menunggu tugas ini',
          );
        // Every opening schedules the first reminder of the chain (once, by its key), so a crash after the task was
        // created leaves nothing unscheduled; before the email, so whoever holds the email has its reminder scheduled.
        await this.scheduleFirstReminder(task, record, activity);
        // A task created by this very opening has had no email yet: nothing to look up before sending it.
        await this.sendTaskEmail(
          { ...task, taskToken: input.taskToken },
          record,
          activity,
          undefined,
          undefined,
          created,
          'position' in input ? answerBefore(input.position, seq) : undefined,
        );
        return;
      }
      task = (await this.deps.store.getTask(taskId))!;
    }
    // Decided (or reported by an execution that died): replay the decision to this execution.
    await this.settleDecision({ ...task, taskToken: input.taskToken, executionArn: input.executionArn }, record);
  }

  /** The task of activation `cursor`, opened at `now` (a task its wait entered opens as its activation was entered). */
  private newTask(
    record: CaseRecord,
    activity: Activity,
    taskId: string,
    cursor: Cursor,
    now: Date = this.now(),
  ): TaskRecord {
    const pemda = this.deps.pemda(record.pemdaId);
    // An actor of kind pemohon is whoever submitted this case; any other performer is an official of the directory.
    const person =
      activity.performer.kind === 'pemohon'
        ? pemohonPerson(record)
        : pemda.directory.bind(activity.performer.id, pemda.localDate(now), `${record.caseId}|${cursor.seq}`);
    // A wait on an external party is due by its Waktu too, as a perkiraan: the party's time, not the official's.
    const external = activity.actor.kind === 'external';
    const due = pemda.due(now, activity.waktu);
    return {
      taskId,
      caseId: record.caseId,
      sopKey: record.sopKey,
      seq: cursor.seq,
      node: activity.id,
      stepId: activity.stepId,
      visit: cursor.visit,
      actorId: activity.actor.id,
      person: {
        id: person.id,
        nama: person.nama,
        jabatan: person.jabatan,
        email: person.email,
        ...('nip' in person && person.nip ? { nip: person.nip } : {}),
        ...('sebagai' in person && person.sebagai ? { sebagai: person.sebagai } : {}),
      },
      openedAt: now.toISOString(),
      dueAt: due.dueAt?.toISOString() ?? null,
      overdueAt: due.overdueAt?.toISOString() ?? null,
      dueProvisional: due.provisional,
      ...(external && due.dueAt ? { dueEstimate: true } : {}),
      state: 'open',
      linkVersion: 1,
      linkExpiresAt: new Date(now.getTime() + this.deps.linkTtlHours * 3600_000).toISOString(),
    };
  }

  taskUrl(task: Pick<TaskRecord, 'taskId' | 'linkVersion' | 'person'>): string {
    return `${this.deps.publicBaseUrl}/tugas/${linkToken(this.deps.linkKey(), task.taskId, task.linkVersion, task.person.id)}`;
  }

  /**
   * A fresh link version for an open task, whoever asked (its holder from the expired link's page or from "Tugas
   * saya", an official resending its email): the old link dies, the new one lives `linkTtlHours`, and the fact is
   * recorded naming `who`. At most `FRESH_LINK_LIMIT.max` per task in a window (one conditional write); `nextAt` says
   * when the next may be asked for. `moved`: the task was decided, cancelled or renewed meanwhile.
   */
  async renewTaskLink(
    task: TaskRecord,
    who: NonNullable<HistoryEvent['who']>,
  ): Promise<{ task: TaskRecord } | { limited: true; nextAt: string; task: TaskRecord } | { moved: true }> {
    const now = this.now();
    const expiresAt = new Date(now.getTime() + this.deps.linkTtlHours * 3600_000).toISOString();
    if (
      !(await this.deps.store.renewLink(task.taskId, task.linkVersion, expiresAt, windowCheck(FRESH_LINK_LIMIT, now)))
    ) {
      // Refused: the link moved on meanwhile (another renewal, a decision), or the window is full.
      const current = await this.deps.store.getTask(task.taskId);
      if (!current || current.state !== 'open' || current.linkVersion !== task.linkVersion) return { moved: true };
      const nextAt = nextWindowAt(FRESH_LINK_LIMIT, current.linkRenewalWindowStart, now).toISOString();
      return { limited: true, nextAt, task: current };
    }
    const { otp: _otp, otpIssued: _issued, otpWindowStart: _window, ...rest } = task;
    const renewed: TaskRecord = { ...rest, linkVersion: task.linkVersion + 1, linkExpiresAt: expiresAt };
    await this.history({
      caseId: task.caseId,
      eventKey: activationKey(task.seq, `tautan#v${renewed.linkVersion}`),
      type: 'tautan-diperbarui',
      at: now.toISOString(),
      node: task.node,
      stepId: task.stepId,
      seq: task.seq,
      who,
    });
    return { task: renewed };
  }

  /** What every email about a task says of it: to whom, the case, the SOP, the step and the activity. */
  private taskMailModel(task: Pick<TaskRecord, 'person'>, record: CaseRecord, activity: Activity) {
    const sop = this.sopOf(record);
    return {
      person: task.person,
      perihal: record.perihal,
      caseId: record.caseId,
      sopNama: sop.definition.header.nama,
      step: sop.step(activity.stepId),
      activity,
      bagian: activity.linkIndex !== null ? activity.label : undefined,
    };
  }

  /**
   * The task email with the task's current link, once per `eventKey`: the first opening's key by default; a
   * reassignment sends it to the new person under a key of its own, and a resend by hand (`ulangOleh`: who asked)
   * too (core/case/case-admin.ts). The link opens a page that shows a signing task's document: that document is made
   * for the task's person first (once per binding).
   */
  async sendTaskEmail(
    task: TaskRecord,
    record: CaseRecord,
    activity: Activity,
    eventKey = activationKey(task.seq, 'email#tugas'),
    ulangOleh?: { nama: string; jabatan: string },
    /** No email of `eventKey` can have been sent yet (the task was created by this call): none is looked up. */
    fresh = false,
    /** The answer the state machine entered this activation by, when its position told it (`answerBefore`). */
    enteredBy?: AnswerBefore,
  ): Promise<void> {
    await this.prepareShownDocument(task, record, activity);
    const pemda = this.deps.pemda(record.pemdaId);
    await this.sendOnce(
      record.caseId,
      eventKey,
      {
        fresh,
        to: [task.person.email],
        template: 'tugas-baru',
        model: {
          ...this.taskMailModel(task, record, activity),
          kunjungan: task.visit,
          eksternal: activity.actor.kind === 'external' ? activity.actor.jabatan : undefined,
          batasWaktu: task.dueAt && !task.dueEstimate ? pemda.formatDateTime(new Date(task.dueAt)) : undefined,
          terlambatSetelah:
            task.overdueAt && task.overdueAt !== task.dueAt && !task.dueEstimate
              ? pemda.formatDateTime(new Date(task.overdueAt))
              : undefined,
          ...this.perkiraanModel(task, pemda),
          sementara: task.dueProvisional,
          tautanBerlakuSampai: pemda.formatDateTime(new Date(task.linkExpiresAt)),
          url: this.taskUrl(task),
          catatanSebelumnya: await this.lastReturnNote(record, task.seq, task.node, enteredBy),
          ...(ulangOleh ? { ulangOleh } : {}),
        },
      },
      record,
    );
  }

  /**
   * A signing task's document, made for its person before the email (core/documents/signing-task.ts). A failure
   * that a retry will not cure (the signing keys, the naskah's data) is recorded on the case and told to the step's
   * officials, as failed document work is, before it stops the opening; the case waits at its step until resumed.
   */
  private async prepareShownDocument(task: TaskRecord, record: CaseRecord, activity: Activity): Promise<void> {
    try {
      await this.deps.documents?.prepareShown({ record, activity, task });
    } catch (error) {
      if (isSepakatError(error, ErrorNames.Transient)) throw error;
      await this.recordFailure({
        caseId: record.caseId,
        node: task.node,
        seq: task.seq,
        error: {
          Error: error instanceof Error ? error.name : 'Error',
          Cause: JSON.stringify({ errorMessage: error instanceof Error ? error.message : String(error) }),
        },
      });
      // Recorded and told: the state machine's failure state does not record it again.
      throw new SepakatError(ErrorNames.FailureRecorded, error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
  }

  /**
   * The reason of a return, repeat or rejection just decided, which must reach whoever acts next: the decision of
   * the activation before this one (one read, not the whole history). `enteredBy`: the answer the state machine
   * entered by, when it is known; an answer of any other kind reads nothing.
   */
  private async lastReturnNote(
    record: CaseRecord,
    seq: number,
    node: string,
    enteredBy?: AnswerBefore,
  ): Promise<string | undefined> {
    const sop = this.sopOf(record);
    // Only a step some return, repeat or rejection leads to can be entered by one: any other reads nothing.
    if (seq < 2 || !enteredByNote(sop).has(node)) return undefined;
    // Entered by a known answer that forwards no note (say, "lanjut" into a step a later return also leads to).
    if (enteredBy && forwardsNote(sop, enteredBy) === false) return undefined;
    const previous = await this.deps.store.getTask(taskIdFor(this.deps.linkKey(), record.caseId, seq - 1));
    const decision = previous?.decision;
    if (!decision?.note) return undefined;
    return forwardsNote(sop, { node: previous!.node, choice: decision.choice }) ? decision.note : undefined;
  }

  /**
   * Reports a stored decision to the waiting execution (SendTaskSuccess). If that execution is gone (restart,
   * timeout), the decision stays stored and the next execution at this step replays it.
   */
  async settleDecision(task: TaskRecord, record?: CaseRecord): Promise<'reported' | 'pending'> {
    const decision = task.decision;
    if (!decision) throw new SepakatError(ErrorNames.NotFound, `Tugas ${task.taskId} belum diputuskan`);
    const caseRecord = record ?? (await this.requireCase(task.caseId));
    const activity = this.activityOf(caseRecord, task.node);
    const caseData: Record<string, unknown> = {};
    for (const field of activity.fields)
      if (field.caseData && field.id in decision.values) caseData[field.id] = decision.values[field.id];
    for (const file of decision.files) {
      const field = activity.fields.find((f) => f.id === file.slot);
      if (field?.caseData) caseData[field.id] = file.key;
    }
    // Three independent writes, each idempotent, made at once: the decision's fact, what it gives the case, and the
    // cancel of the task's waiting reminder (each retry of the report cancels again, harmlessly).
    const recorded = this.history({
      caseId: task.caseId,
      eventKey: activationKey(task.seq, 'diputuskan'),
      type: 'tugas-diputuskan',
      at: decision.at,
      node: task.node,
      stepId: task.stepId,
      seq: task.seq,
      visit: task.visit,
      who: { id: decision.by.id, nama: decision.by.nama, jabatan: decision.by.jabatan },
      choice: decision.choice,
      ...(decision.note ? { note: decision.note } : {}),
      files: decision.files,
      detail: {
        values: decision.values,
        ...(activity.actor.kind === 'external' ? { atasNama: activity.actor.jabatan } : {}),
      },
    });
    await Promise.all([
      recorded,
      Object.keys(caseData).length ? this.deps.store.setCaseData(task.caseId, caseData) : undefined,
      this.cancelReminders(task, caseRecord),
    ]);

    // The answer names its activation: the state machine's position moves to it (a wait may have entered it).
    const output = JSON.stringify({ choice: decision.choice, seq: task.seq });
    let token = task.taskToken;
    for (let attempt = 0; attempt < 2 && token; attempt++) {
      if ((await this.deps.sfn.sendTaskSuccess(token, output)) === 'ok') {
        await this.deps.store.markReported(task.taskId, this.now().toISOString());
        return 'reported';
      }
      // The token we read may have been replaced by a newer execution between our read and our report.
      const fresh = await this.deps.store.getTask(task.taskId);
      token = fresh?.taskToken !== token ? fresh?.taskToken : undefined;
    }
    // No execution waits for this decision. If the case has moved past its activation, an execution took it: the
    // report went, and only its mark was lost (the process died between the two). It is marked now, instead of
    // staying "decided" for every later reconciliation to resume the case for. Otherwise it waits for its replay.
    const current = await this.deps.store.getCase(task.caseId);
    if (current?.cursor && current.cursor.seq > task.seq) {
      await this.deps.store.markReported(task.taskId, this.now().toISOString());
      return 'reported';
    }
    return 'pending';
  }

  /** Otomatis: automatic work attached to a step or a choice, done once per case, activation and position. */
  async runAutomatic(input: {
    caseId: string;
    node: string;
    seq: number;
    phase: 'before' | 'choice';
    choice?: string;
    index: number;
  }): Promise<{ done: true }> {
    const key = activationKey(input.seq, `otomatis#${input.phase}#${input.choice ?? '-'}#${input.index}`);
    const taskId = taskIdFor(this.deps.linkKey(), input.caseId, input.seq);
    // What this work reads is read in one request: the case, the task of the activation (its decision), whether the
    // work is done, and whether its notice was sent (a notice of a run that died before its fact was recorded).
    const mailKey = `${key}#email`;
    const read = await this.deps.store.readTogether({
      caseId: input.caseId,
      taskId,
      historyKeys: [key, mailKey],
    });
    const { record, task } = read;
    if (!record) throw new SepakatError(ErrorNames.NotFound, `Kasus ${input.caseId} tidak ditemukan`);
    const done = read.history.has(key);
    this.requireActive(record);
    const activity = this.activityOf(record, input.node);
    const list: readonly Automatic[] =
      input.phase === 'before'
        ? activity.before
        : (activity.choices.find((c) => c.value === input.choice)?.automatic ?? []);
    const auto = list[input.index];
    if (!auto)
      throw new SepakatError(
        ErrorNames.NotFound,
        `Kerja otomatis ${input.phase}/${input.choice}/${input.index} tidak ada di ${input.node}`,
      );
    if (done) return { done: true };
    this.deps.faults.point('during-automatic-step');
    let detail: Record<string, string | number | boolean> = {};
    if (auto.action !== 'notify') {
      if (!this.deps.documents)
        throw new SepakatError(ErrorNames.InvalidDefinition, `Kerja dokumen "${auto.action}" tidak tersedia`);
      detail = await this.deps.documents.perform({ record, activity, seq: input.seq, action: auto, task });
    } else {
      const to = await this.recipients(record, auto.to);
      await this.sendNotice(
        record,
        mailKey,
        to,
        { judul: auto.subject, pesan: auto.message, catatan: task?.decision?.note, oleh: task?.decision?.by },
        !read.history.has(mailKey),
      );
    }
    await this.history({
      caseId: input.caseId,
      eventKey: key,
      type: 'otomatis-selesai',
      at: this.now().toISOString(),
      node: input.node,
      stepId: activity.stepId,
      seq: input.seq,
      detail: { ...detail, action: auto.action, ...(input.choice ? { choice: input.choice } : {}) },
    });
    return { done: true };
  }

  /**
   * Gagal: automatic work failed for good (after its retries). The failure is a fact in the case history, told once
   * per failure to the officials of the step (in Indonesian, with the reason), and the case stays at its step until
   * it is resumed.
   */
  async recordFailure(input: {
    caseId: string;
    node: string;
    seq: number;
    error: { Error?: string; Cause?: string };
    /** The execution that failed (its ARN): the fact's key, so a retried recording is the same fact (else the time). */
    execution?: string;
  }): Promise<{ recorded: true }> {
    const record = await this.requireCase(input.caseId);
    // Recorded and told by the handler that failed (a signing task's document as the task opens).
    if (input.error.Error === ErrorNames.FailureRecorded) return { recorded: true };
    const sop = this.sopOf(record);
    // A gate or a result has no step of its own: the failure belongs to the step the case is at.
    const nodeId = sop.nodes.some((n) => n.id === input.node && n.type === 'activity')
      ? input.node
      : record.cursor?.node;
    const activity = nodeId ? this.activityOf(record, nodeId) : undefined;
    const cause = describeFailure(input.error);
    const at = this.now().toISOString();
    // Per execution (the last part of its ARN is its name): a retried recording is the same fact.
    const key = activationKey(input.seq, `otomatis-gagal#${input.execution?.split(':').at(-1) ?? at}`);
    await this.history({
      caseId: input.caseId,
      eventKey: key,
      type: 'otomatis-gagal',
      at,
      ...(activity ? { node: activity.id, stepId: activity.stepId } : {}),
      seq: input.seq,
      detail: { error: input.error.Error ?? 'tidak diketahui', alasan: cause },
    });
    // Told to the step's officials and the pemda's administrator; a failure of the pemda's own work is not the
    // pemohon's to hear (the dashboard shows it, and the officials of the case resume it).
    const officials =
      activity && activity.performer.kind !== 'pemohon' ? await this.recipients(record, activity.performer.id) : [];
    const to = [...new Set([...officials, ...this.administrators(record)])];
    const where = activity ? `langkah ${activity.stepId}` : 'kasus ini';
    if (to.length)
      await this.sendNotice(record, `${key}#email`, to, {
        judul: `Kerja otomatis di ${where} gagal`,
        pesan: `Dokumen atau tindakan otomatis pada ${activity ? `langkah ${activity.stepId} (${activity.label})` : where} tidak dapat diselesaikan: ${cause}. Kasus berhenti di langkah ini dan dilanjutkan setelah penyebabnya diperbaiki; tidak ada yang hilang atau terulang.`,
      });
    return { recorded: true };
  }

  /**
   * The pemda's administrator of cooperation cases: the holders of the Bagian's head role (`pemantauan.bagian`, else
   * the letter signer), as the agreements' proposals reach them.
   */
  private administrators(record: CaseRecord): string[] {
    const pemda = this.deps.pemda(record.pemdaId);
    const data = pemda.directory.data;
    const role = data.pemantauan.bagian ?? data.pemda.dokumen.penandatanganSurat;
    return role ? pemda.directory.holders(role, pemda.localDate(this.now())).map((p) => p.email) : [];
  }

  /** A notice ('pemberitahuan') about a case, once per `eventKey`: its subject and case, and what it says. */
  private sendNotice(
    record: CaseRecord,
    eventKey: string,
    to: string[],
    notice: { judul: string; pesan: string; [more: string]: unknown },
    /** The caller read, in this call, that this notice was not sent (`sendMailOnce`'s `fresh`). */
    fresh = false,
  ) {
    return this.sendOnce(
      record.caseId,
      eventKey,
      {
        to,
        template: 'pemberitahuan',
        model: { perihal: record.perihal, caseId: record.caseId, ...notice },
        fresh,
      },
      record,
    );
  }

  private async recipients(record: CaseRecord, to: string): Promise<string[]> {
    if (to === 'pemohon') return [record.pemohon.email];
    const sop = this.sopOf(record);
    const actor = sop.actor(to);
    if (actor.kind === 'pemohon') return [record.pemohon.email];
    const pemda = this.deps.pemda(record.pemdaId);
    const role = actor.kind === 'external' ? (actor.recordedBy ?? actor.id) : actor.id;
    return pemda.directory.holders(role, pemda.localDate(this.now())).map((p) => p.email);
  }

  /** Data: a case data field for a gate. Missing values read as null (the gate takes its else branch). */
  async readCaseData(input: { caseId: string; field: string }): Promise<{ value: unknown }> {
    const record = await this.requireCase(input.caseId);
    this.requireActive(record);
    const value = record.data[input.field];
    return { value: value === undefined ? null : value };
  }

  /** Hasil: closes the case with its outcome and tells the pemohon. */
  async finishCase(input: { caseId: string; outcome: Terminal; after: number }): Promise<{ status: string }> {
    const record = await this.requireCase(input.caseId);
    if (record.status === 'aktif' && (record.cursor?.seq ?? 0) !== input.after)
      throw new SepakatError(
        ErrorNames.Superseded,
        `Kasus ${input.caseId} sudah berada di aktivasi ${record.cursor?.seq}`,
      );
    if (record.status !== 'aktif' && record.status !== input.outcome)
      throw new SepakatError(ErrorNames.CaseClosed, `Kasus ${input.caseId} sudah ${record.status}`);
    // The fact first, then the email, then the case summary: until the summary says closed, a crash leaves the case
    // active, so it resumes, replays this step and completes what is missing (each part is idempotent).
    await this.history({
      caseId: input.caseId,
      eventKey: 'akhir',
      type: 'kasus-berakhir',
      at: record.closedAt ?? this.now().toISOString(),
      detail: { outcome: input.outcome },
    });
    const ended = (await this.deps.store.getHistory(input.caseId, 'akhir'))!;
    // Withdrawn or cancelled meanwhile (core/case/case-admin.ts): that closing stands; this execution ends quietly.
    if (ended.detail?.['outcome'] !== input.outcome || ended.detail?.['melalui'] !== undefined)
      throw new SepakatError(ErrorNames.CaseClosed, `Kasus ${input.caseId} sudah ditutup`);
    const closedAt = ended.at;
    await this.sendOnce(
      input.caseId,
      'akhir#email',
      {
        to: [record.pemohon.email],
        template: 'kasus-berakhir',
        model: { perihal: record.perihal, caseId: record.caseId, outcome: input.outcome, pemohon: record.pemohon },
      },
      record,
    );
    if (record.status === 'aktif') {
      await this.deps.store.closeCase(input.caseId, input.outcome, closedAt);
      this.metrics.count('CasesFinished', caseDimensions(record));
    }
    return { status: input.outcome };
  }

  /** Jadwal: timed work handed back by the scheduler (EventBridge Scheduler in AWS, the local loop). */
  async runScheduledJob(job: Job): Promise<{ kind: Job['kind']; result: ReminderOutcome }> {
    switch (job.kind) {
      case 'pengingat-tugas':
        return { kind: job.kind, result: await this.remindTask(job) };
      case 'pantau-perjanjian':
      case 'laporan-tahunan':
        throw new SepakatError(ErrorNames.BadInput, `Jadwal ${job.kind} dijalankan oleh layanan perjanjian`);
      default:
        throw new SepakatError(
          ErrorNames.BadInput,
          `Jenis jadwal tidak dikenal: ${String((job satisfies never as { kind?: unknown }).kind)}`,
        );
    }
  }

  /**
   * The "perkiraan selesai" of a wait on an external party, as emails print it: the expected date (the lower end of
   * a range) and the latest (its upper end, when a range); empty for an official's own task.
   */
  private perkiraanModel(
    task: TaskRecord,
    pemda: PemdaContext,
  ): { perkiraanSelesai?: string; perkiraanPaling?: string } {
    if (!task.dueEstimate || !task.dueAt) return {};
    return {
      perkiraanSelesai: pemda.formatDateTime(new Date(task.dueAt)),
      ...(task.overdueAt && task.overdueAt !== task.dueAt
        ? { perkiraanPaling: pemda.formatDateTime(new Date(task.overdueAt)) }
        : {}),
    };
  }

  /** The reminders of a task: the pemda's cadence on its working-day calendar (core/case/reminders.ts). */
  private reminderPlan(task: TaskRecord, record: CaseRecord, activity: Activity) {
    const pemda = this.deps.pemda(record.pemdaId);
    return planReminders({
      task,
      waitsOnExternal: activity.actor.kind === 'external',
      // The pemohon has no atasan in the pemda: reminded, never escalated.
      escalates: activity.performer.kind !== 'pemohon',
      cadence: pemda.directory.data.pengingat,
      calendar: pemda.calendar,
    });
  }

  /**
   * After a calendar year was imported: every open task whose due times were provisional gets them computed again
   * from its opening on the pemda's current calendar (one conditional write each, a fact in the case history), and
   * its reminders move with them (those of the old due times cancelled, the new ones scheduled). Returns how many
   * tasks changed; a task decided meanwhile is left as it is.
   */
  async redateProvisionalTasks(tahun: number): Promise<{ diperiksa: number; diubah: number }> {
    const open = (await this.deps.store.listTasks({ state: 'open' })).filter((t) => t.dueProvisional);
    let diubah = 0;
    for (const task of open) {
      const record = await this.deps.store.getCase(task.caseId);
      if (!record || record.status !== 'aktif') continue;
      const activity = this.activityOf(record, task.node);
      if (activity.actor.kind === 'external') continue;
      const due = this.deps.pemda(record.pemdaId).due(new Date(task.openedAt), activity.waktu);
      const next = {
        dueAt: due.dueAt?.toISOString() ?? null,
        overdueAt: due.overdueAt?.toISOString() ?? null,
        dueProvisional: due.provisional,
      };
      if (next.dueAt === task.dueAt && next.overdueAt === task.overdueAt && next.dueProvisional === task.dueProvisional)
        continue;
      if (!(await this.deps.store.redateTask(task, next))) continue;
      const redated: TaskRecord = { ...task, ...next, dueRevision: (task.dueRevision ?? 0) + 1 };
      await this.history({
        caseId: task.caseId,
        eventKey: activationKey(task.seq, `tenggat#r${redated.dueRevision}`),
        type: 'tenggat-dihitung-ulang',
        at: this.now().toISOString(),
        node: task.node,
        stepId: task.stepId,
        seq: task.seq,
        visit: task.visit,
        detail: {
          tahun,
          dueAtSebelumnya: task.dueAt,
          overdueAtSebelumnya: task.overdueAt,
          provisionalSebelumnya: task.dueProvisional,
          dueAt: next.dueAt,
          overdueAt: next.overdueAt,
          provisional: next.dueProvisional,
        },
      });
      // The chain of the old due times stops; that of the new ones starts at its first reminder (one already sent
      // finds its fact and hands on to the next).
      // The new chain is scheduled before the old one is cancelled: a crash in between leaves a stale reminder,
      // which finds its due times recomputed and sends nothing (below, remindTask), never no chain at all.
      await this.scheduleFirstReminder(redated, record, activity);
      await this.cancelReminders(task, record);
      diubah++;
    }
    return { diperiksa: open.length, diubah };
  }

  /** Starts the chain of a task's reminders: only the first is scheduled; each schedules the next when it fires. */
  private async scheduleFirstReminder(task: TaskRecord, record: CaseRecord, activity: Activity): Promise<void> {
    const first = this.deps.scheduler ? this.reminderPlan(task, record, activity)[0] : undefined;
    if (first) await this.deps.scheduler!.schedule(first);
  }

  /**
   * Cancels the one reminder of a task that may still wait (decided, cancelled, replaced, or redated): its key is
   * computed from the task's plan, and a cancel of a key that is not waiting changes nothing.
   */
  async cancelReminders(task: TaskRecord, record: CaseRecord): Promise<void> {
    const scheduler = this.deps.scheduler;
    if (!scheduler) return;
    const plan = this.reminderPlan(task, record, this.activityOf(record, task.node));
    await Promise.all(pendingReminderKeys(plan, this.now()).map((key) => scheduler.cancel(key)));
  }

  /**
   * The email of a reminder of an open task: `stage` of the pemda's cadence, or `manual` (sent by hand from the
   * console, `oleh` naming who). To the person, with the link they already hold while it is valid (never a new
   * version; an expired one is renewed from its own page); for `eskalasi`, to their atasan (undefined when the
   * directory names none). `terlambatMenit`: how late the task is, in working minutes.
   */
  reminderMail(
    task: TaskRecord,
    record: CaseRecord,
    activity: Activity,
    stage: ReminderStage | 'manual',
    oleh?: { nama: string; jabatan: string },
  ):
    | {
        mail: { to: string[]; template: EmailTemplate; model: Record<string, unknown> };
        atasan?: { id: string; nama: string; jabatan: string };
        terlambatMenit: number;
      }
    | undefined {
    const now = this.now();
    const pemda = this.deps.pemda(record.pemdaId);
    const minutesSince = (iso: string | null) => (iso ? workingMinutesBetween(pemda.calendar, new Date(iso), now) : 0);
    const durasi = (minutes: number) => (minutes > 0 ? formatDurasi(minutes, pemda.calendar.minutesPerDay) : undefined);
    // An external party's perkiraan is never a lateness of the official's.
    const estimate = task.dueEstimate === true;
    const terlambatMenit = estimate ? 0 : minutesSince(task.overdueAt);
    const common = {
      ...this.taskMailModel(task, record, activity),
      batasWaktu: task.dueAt && !estimate ? pemda.formatDateTime(new Date(task.dueAt)) : undefined,
      terlambatSejak: task.overdueAt && !estimate ? pemda.formatDateTime(new Date(task.overdueAt)) : undefined,
      lamaTerlambat: durasi(terlambatMenit),
      ...this.perkiraanModel(task, pemda),
    };
    if (stage === 'eskalasi') {
      const atasanId = pemda.directory.person(task.person.id)?.atasan;
      const found = atasanId ? pemda.directory.person(atasanId) : undefined;
      if (!found) return undefined;
      return {
        mail: { to: [found.email], template: 'eskalasi', model: { ...common, atasan: found } },
        atasan: { id: found.id, nama: found.nama, jabatan: found.jabatan },
        terlambatMenit,
      };
    }
    const linkValid = Date.parse(task.linkExpiresAt) > now.getTime();
    const external = activity.actor.kind === 'external';
    return {
      mail: {
        to: [task.person.email],
        template: 'pengingat',
        model: {
          ...common,
          jenis: stage,
          ...(oleh ? { oleh } : {}),
          eksternal: external ? activity.actor.jabatan : undefined,
          lamaMenunggu:
            stage === 'menunggu-pihak-luar' || (stage === 'manual' && external)
              ? durasi(minutesSince(task.openedAt))
              : undefined,
          url: linkValid ? this.taskUrl(task) : undefined,
          tautanBerlakuSampai: linkValid ? pemda.formatDateTime(new Date(task.linkExpiresAt)) : undefined,
        },
      },
      terlambatMenit,
    };
  }

  /**
   * Pengingat: one reminder of an open task, sent once: to the person before the due time, when overdue, or while
   * a wait on an external party goes unanswered; to the person's atasan (eskalasi) when long overdue. The email and
   * the fact have deterministic keys, so a job that fires again (a retry, a crash while firing) sends nothing new.
   * While the task still waits on the due times the reminder was planned on, it then schedules the next reminder of
   * the chain (by its key: once); if that fails, the job fails and fires again, so no reminder after it is lost. A
   * reminder of a task that is no longer open sends nothing and schedules nothing.
   */
  async remindTask(job: TaskReminderJob): Promise<ReminderOutcome> {
    const task = await this.deps.store.getTask(job.taskId);
    if (!task) return 'tugas-tidak-terbuka';
    const factKey = activationKey(task.seq, `pengingat#${job.stage}${job.ke ? `#${job.ke}` : ''}`);
    const emailKey = `${factKey}#email`;
    const recorded = await this.deps.store.hasHistory(task.caseId, factKey);
    const record = await this.requireCase(task.caseId);
    const activity = this.activityOf(record, task.node);
    const now = this.now();
    const waits = task.state === 'open' && record.status === 'aktif' && record.cursor?.seq === task.seq;
    // Planned on due times since recomputed (a calendar year imported): the chain of the new ones stands.
    const current = (job.rev ?? 0) === (task.dueRevision ?? 0);
    const handOn = async <T extends ReminderOutcome>(outcome: T): Promise<T> => {
      const scheduler = this.deps.scheduler;
      if (!scheduler || !waits) return outcome;
      // A reminder of due times since recomputed hands on to the chain of the current ones (its next reminder from
      // now, by its key: once), in case a redate stopped before starting it.
      const next = nextReminder(this.reminderPlan(task, record, activity), current ? jobKey(job) : '', now);
      if (next) {
        this.deps.faults.point('before-next-reminder');
        await scheduler.schedule(next);
      }
      return outcome;
    };
    // Recorded before (the job fired again after a crash or a retry): only the next reminder may be missing.
    if (recorded) return handOn('sudah-terkirim');
    // Sent, but the fact was not recorded (a crash in between): only the fact is missing, whatever happened since.
    const emailed = await this.deps.store.getHistory(task.caseId, emailKey);
    if (!emailed) {
      if (!waits) return 'tugas-tidak-terbuka';
      if (!current) return handOn('terlewat');
      if (job.stage === 'sebelum-jatuh-tempo' && task.dueAt && now.getTime() >= Date.parse(task.dueAt))
        return handOn('terlewat');
    }

    const built = this.reminderMail(task, record, activity, job.stage);
    if (!built) return handOn('tanpa-atasan');
    const { mail, atasan, terlambatMenit } = built;
    if (!emailed) await this.sendOnce(task.caseId, emailKey, mail, record);
    // Counted as the reminder first goes out: the first overdue reminder is a task gone overdue (a wait on an
    // external party is never late), an escalation a task told to the atasan.
    if (!emailed && job.stage === 'terlambat' && (job.ke ?? 1) === 1)
      this.metrics.count('TasksOverdue', caseDimensions(record));
    if (!emailed && job.stage === 'eskalasi') this.metrics.count('TasksEscalated', caseDimensions(record));
    await this.history({
      caseId: task.caseId,
      eventKey: factKey,
      type: job.stage === 'eskalasi' ? 'eskalasi-terkirim' : 'pengingat-terkirim',
      at: emailed?.at ?? now.toISOString(),
      node: task.node,
      stepId: task.stepId,
      seq: task.seq,
      visit: task.visit,
      who: { id: task.person.id, nama: task.person.nama, jabatan: task.person.jabatan },
      detail: {
        tahap: job.stage,
        ...(job.ke ? { ke: job.ke } : {}),
        kepada: mail.to,
        ...(atasan ? { atasan } : {}),
        ...(task.overdueAt && terlambatMenit > 0 ? { terlambatMenitKerja: terlambatMenit } : {}),
      },
    });
    return handOn(emailed ? 'sudah-terkirim' : 'terkirim');
  }

  /** Lanjutkan: a human wait reached its bound; the same step continues in a new execution. */
  async continueCase(input: {
    caseId: string;
    node: string;
    seq: number;
    executionArn: string;
  }): Promise<{ continued: boolean }> {
    const record = await this.requireCase(input.caseId);
    if (record.status !== 'aktif' || record.cursor?.seq !== input.seq) return { continued: false };
    const task = await this.deps.store.getTask(taskIdFor(this.deps.linkKey(), input.caseId, input.seq));
    // Only the execution that holds the task may hand it on; a stale one just ends.
    if (task && task.executionArn && task.executionArn !== input.executionArn) return { continued: false };
    // Named after the execution that hands over: a retried Lambda starts the same execution, never a second one.
    const key = createHash('sha256').update(input.executionArn).digest('hex').slice(0, 12);
    await this.resumeCase(input.caseId, 'batas-penantian', key);
    return { continued: true };
  }

  /**
   * The one path that continues a case: a new execution that starts at the case's current activation. Used after
   * a restart of the local runtime, past Step Functions' one-year limit, and when a human wait reaches its bound.
   */
  async resumeCase(caseId: string, reason: string, key?: string): Promise<{ executionName: string } | undefined> {
    const record = await this.requireCase(caseId);
    if (record.status !== 'aktif') return undefined;
    const position = record.cursor
      ? { node: record.cursor.node, seq: record.cursor.seq }
      : { node: START_POSITION, seq: 0 };
    const executionName = `${caseId}-${position.seq}-${key ?? this.now().getTime().toString(36)}`;
    await this.startExecution(record, executionName, position);
    await this.history({
      caseId,
      eventKey: `lanjut#${executionName}`,
      type: 'kasus-dilanjutkan',
      at: this.now().toISOString(),
      ...(record.cursor ? { node: record.cursor.node, stepId: record.cursor.stepId, seq: record.cursor.seq } : {}),
      detail: { reason, executionName },
    });
    return { executionName };
  }

  async startExecution(
    record: CaseRecord,
    name: string,
    position: ExecutionInput['position'],
  ): Promise<'started' | 'exists'> {
    const input: ExecutionInput = { caseId: record.caseId, position };
    return this.deps.sfn.startExecution({
      stateMachineArn: this.deps.stateMachineArn(record.sopKey),
      name,
      input: JSON.stringify(input),
    });
  }

  /**
   * Sends an email once per case and purpose (`sendMailOnce`): recorded in the history; a resend carries the same
   * Message-ID. An address the mail service refuses for good is recorded as `email-gagal`, and nothing else is
   * undone or stopped: whatever waited for this email (an open task) stays as it is, to be resent or reassigned.
   */
  sendOnce(
    caseId: string,
    eventKey: string,
    mail: {
      to: string[];
      template: Parameters<EmailRenderer['render']>[0];
      model: Record<string, unknown>;
      attachments?: MailAttachment[];
      fresh?: boolean;
    },
    /**
     * The case, when the caller has read it: its pemda and SOP (the mail metrics' dimensions) are then known without
     * a read of the case (`countMail`).
     */
    of?: { pemdaId: string; sopId: string },
  ): Promise<MailOutcome> {
    if (of) this.rememberDimensions(caseId, caseDimensions(of));
    return sendMailOnce(
      {
        store: this.deps.store,
        mailer: this.deps.mailer,
        emails: this.deps.emails,
        mailDomain: this.deps.mailDomain,
        now: () => this.now(),
        count: (name, id) => this.countMail(name, id),
        afterSend: () => this.deps.faults.point('while-email-sending'),
      },
      caseId,
      eventKey,
      mail,
    );
  }

  /**
   * Counts a mail of a case by its pemda and SOP (a case that cannot be read counts in the aggregate only). A case's
   * pemda and SOP never change, so they are read once per case and process, not once per mail, and not at all when
   * the sender passed the case it had read (in AWS each Lambda container is a process of its own).
   */
  private async countMail(name: 'MailSent' | 'MailFailed', caseId: string): Promise<void> {
    let dimensions = this.mailDimensions.get(caseId);
    if (!dimensions) {
      const record = await this.deps.store.getCase(caseId).catch(() => undefined);
      if (record) {
        dimensions = caseDimensions(record);
        this.rememberDimensions(caseId, dimensions);
      }
    }
    this.metrics.count(name, dimensions);
  }

  private rememberDimensions(caseId: string, dimensions: MetricDimensions): void {
    if (this.mailDimensions.size >= 1000 && !this.mailDimensions.has(caseId)) this.mailDimensions.clear();
    this.mailDimensions.set(caseId, dimensions);
  }
  private readonly mailDimensions = new Map<string, MetricDimensions>();

  async history(event: HistoryEvent): Promise<void> {
    await this.deps.store.appendHistory(event);
  }

  /**
   * On start-up of the local runtime, every active case continues at its step: the executions that held them
   * died with the process. Decisions stored but not reported are replayed by the step itself.
   */
  async resumeAll(reason: string, except: ReadonlySet<string> = new Set()): Promise<string[]> {
    const active = await this.deps.store.listCases('aktif');
    const resumed: string[] = [];
    for (const record of active)
      if (!except.has(record.caseId) && (await this.resumeCase(record.caseId, reason))) resumed.push(record.caseId);
    return resumed;
  }

  /**
   * On start-up of the local runtime (the only process of its data directory): the signatures being made when the
   * previous process died are free to be made again (core/case/task-actions.ts); in AWS their claims simply expire.
   */
  async releaseSignatureClaims(): Promise<number> {
    let released = 0;
    for (const task of await this.deps.store.listTasks({ state: 'open' }))
      if (
        task.signatureClaimUntil &&
        (await this.deps.store.releaseSignatureClaim(task.taskId, task.signatureClaimUntil))
      )
        released++;
    return released;
  }

  /**
   * Reports every decision stored but not yet reported. Where the execution that waited is gone, the case continues
   * at its step in a new execution, which replays the decision. Run by a schedule in AWS, and at start locally.
   */
  async reconcileDecisions(): Promise<{ reported: number; resumed: number }> {
    let reported = 0;
    let resumed = 0;
    for (const listed of await this.deps.store.listTasks({ state: 'decided' })) {
      // A listed task carries no task token (the indexes never project it): the task itself does.
      const task = await this.deps.store.getTask(listed.taskId);
      if (task?.state !== 'decided') continue;
      const result = await this.settleDecision(task).catch(() => 'pending' as const);
      if (result === 'reported') reported++;
      else if (await this.resumeCase(task.caseId, 'keputusan-belum-dilaporkan', `k${task.seq}`)) resumed++;
    }
    return { reported, resumed };
  }
}

/** The reason of a failure for people: our own errors carry an Indonesian message; anything else says what it was. */
function describeFailure(error: { Error?: string; Cause?: string }): string {
  let message = error.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: string };
    if (parsed.errorMessage) message = parsed.errorMessage;
  } catch {
    // Not JSON: the cause as given.
  }
  const ours = (error.Error ?? '').startsWith('Sepakat.');
  return (ours ? message : `kesalahan sistem (${error.Error ?? 'tidak diketahui'})`).slice(0, 500);
}

/** The choices whose note must reach whoever acts next (core/case/case-runtime.ts `lastReturnNote`). */
const NOTE_FORWARDED: ReadonlySet<string> = new Set(['kembalikan', 'ulangi', 'tolak']);

/** The answer (the activity and its choice) the activation before this one was decided with. */
type AnswerBefore = { node: string; choice: string };

/** Whether an answer is a return, repeat or rejection, whose note reaches the next step; undefined when unknown. */
function forwardsNote(sop: Sop, answer: AnswerBefore): boolean | undefined {
  const activity = sop.nodes.find((n) => n.id === answer.node);
  const kind =
    activity?.type === 'activity' ? activity.choices.find((c) => c.value === answer.choice)?.kind : undefined;
  return kind === undefined ? undefined : NOTE_FORWARDED.has(kind);
}

/**
 * The answer a wait entered its activation `seq` by, from the state machine's position it entered from: a wait's
 * answer names its activity, activation and choice (compile-sop); it counts only when it is activation `seq - 1`'s.
 * Undefined when the position does not say (a new or resumed execution, an older state machine): the caller reads.
 */
export function answerBefore(
  position: { node?: string; seq?: number; choice?: string } | undefined,
  seq: number,
): AnswerBefore | undefined {
  if (!position?.node || position.choice === undefined || position.seq !== seq - 1) return undefined;
  return { node: position.node, choice: position.choice };
}
const enteredByNoteOf = new WeakMap<Sop, ReadonlySet<string>>();

/**
 * The activities a return, repeat or rejection can enter (its target, or the branches of the gates it reaches): only
 * these may show the note of the decision before them. Computed once per SOP version.
 */
function enteredByNote(sop: Sop): ReadonlySet<string> {
  let found = enteredByNoteOf.get(sop);
  if (found) return found;
  const targets = new Set<string>();
  const pending: string[] = [];
  for (const node of sop.nodes)
    if (node.type === 'activity')
      for (const choice of node.choices) if (NOTE_FORWARDED.has(choice.kind)) pending.push(choice.target);
  const seenGates = new Set<string>();
  while (pending.length) {
    const id = pending.pop()!;
    const node = sop.nodes.find((n) => n.id === id);
    if (node?.type === 'activity') targets.add(id);
    else if (node?.type === 'gate' && !seenGates.has(id)) {
      seenGates.add(id);
      pending.push(node.then, node.else);
    }
  }
  found = targets;
  enteredByNoteOf.set(sop, found);
  return found;
}
