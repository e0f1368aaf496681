import type { DocumentRecord } from '../documents/document-record.ts';
import type { SigningCredential, SigningReadiness } from '../ports.ts';
import type { Activity } from '../sop/load-sop.ts';
import type { Automatic, Terminal } from '../sop/schema.ts';
import type { Job } from './jobs.ts';
import type { WindowCheck } from './link-limits.ts';

/**
 * The records the product keeps in DynamoDB, and the small interfaces (ports) the use cases talk through.
 * Each fact is one conditional write; the case summary is a projection that can be rebuilt from tasks and
 * history (see `rebuildCaseSummary`).
 */

export type CaseStatus = 'aktif' | Terminal;

export interface Pemohon {
  nama: string;
  email: string;
  instansi: string;
  telepon?: string;
}

/** The activation the case is at: activity `node`, its `seq`-th activation in the case, `visit`-th of this node. */
export interface Cursor {
  node: string;
  stepId: string;
  seq: number;
  visit: number;
  enteredAt: string;
}

export interface StoredFile {
  /** The slot (field id) it fills. */
  slot: string;
  bucket: string;
  key: string;
  name: string;
  contentType: string;
  size: number;
  /** The SHA-256 of the bytes accepted: every reader checks it (core/files/accepted-files.ts). */
  sha256: string;
  /** The object version written when the file was accepted, where the bucket keeps versions (pins every read). */
  versionId?: string;
}

export interface CaseRecord {
  caseId: string;
  intakeId: string;
  sopId: string;
  sopVersion: number;
  /** `${sopId}@${sopVersion}`: the SOP version the case pinned when it started. */
  sopKey: string;
  pemdaId: string;
  perihal: string;
  pemohon: Pemohon;
  status: CaseStatus;
  createdAt: string;
  /** Intake data plus the caseData fields later steps recorded. */
  data: Record<string, unknown>;
  files: StoredFile[];
  cursor: Cursor | null;
  visits: Record<string, number>;
  closedAt?: string;
  outcome?: Terminal;
  closeReason?: string;
  /** Version of the pemohon's tracking link (`/lacak/…`, core/case/capabilities.ts); absent: 1. */
  trackingVersion?: number;
}

export type TaskState = 'open' | 'decided' | 'reported' | 'cancelled';

export interface TaskPerson {
  id: string;
  nama: string;
  jabatan: string;
  email: string;
  nip?: string;
  sebagai?: 'Plt' | 'Plh';
}

export interface Decision {
  choice: string;
  note?: string;
  values: Record<string, string | number | boolean>;
  files: StoredFile[];
  at: string;
  by: TaskPerson;
  /** The form submission's id: a double submit carries the same one. */
  submissionId: string;
}

export interface TaskRecord {
  /** Opaque, unguessable; what links carry. */
  taskId: string;
  caseId: string;
  seq: number;
  node: string;
  stepId: string;
  visit: number;
  actorId: string;
  person: TaskPerson;
  openedAt: string;
  dueAt: string | null;
  overdueAt: string | null;
  dueProvisional: boolean;
  /**
   * How many times the due times were recomputed after a calendar year was imported (absent: never); reminders are
   * planned under it, so those of earlier due times send nothing.
   */
  dueRevision?: number;
  /**
   * A wait on an external party: `dueAt`/`overdueAt` are its "perkiraan selesai" from the step's Waktu (the lower
   * and upper end of a range), the party's time rather than an official's deadline: reminders go to the official who
   * records the answer, and nobody is judged late by them. Absent on internal tasks (and on tasks opened before).
   */
  dueEstimate?: boolean;
  state: TaskState;
  /** Never leaves DynamoDB. */
  taskToken?: string;
  executionArn?: string;
  linkVersion: number;
  linkExpiresAt: string;
  decision?: Decision;
  reportedAt?: string;
  otp?: { hash: string; expiresAt: string; attempts: number };
  /** Codes issued for the current link version in the window that began at `otpWindowStart` (core/case/link-limits). */
  otpIssued?: number;
  otpWindowStart?: string;
  /** Passphrases or TOTPs refused by BSrE in the window that began at `tteRefusedWindowStart` (core/case/link-limits). */
  tteRefused?: number;
  tteRefusedWindowStart?: string;
  /** Fresh links sent for the task in the window that began at `linkRenewalWindowStart` (core/case/link-limits). */
  linkRenewals?: number;
  linkRenewalWindowStart?: string;
  /**
   * The last reassignment, written in the same conditional write that moved the task: a retry after a crash before
   * its fact and emails completes them from here (core/case/case-admin.ts).
   */
  dialihkan?: Reassignment;
  /** A signature being made in the official's POST holds this claim until then (core/case/task-actions.ts). */
  signatureClaimUntil?: string;
  /** When a move of the case to a newer SOP version replaced this task (cancelled; a new task took its place). */
  replacedAt?: string;
  /**
   * The SOP version of its activation (`CaseRecord.sopKey` when it opened): a task keeps its version for life, as a
   * move to a newer version replaces the case's open tasks. Absent on tasks opened before it was recorded.
   */
  sopKey?: string;
}

/**
 * A task as a list of tasks returns it (the tasks table's indexes, functions/adapters/tables.ts): never its task
 * token nor its code's hash. Whoever needs those reads the task itself (`getTask`). Nor its SOP version, which only a
 * task's own link uses (a changed projection would be a new index).
 */
export type ListedTask = Omit<TaskRecord, 'taskToken' | 'otp' | 'sopKey'>;

/** What a reassignment records on its task: the link version it issued, from whom, by whom, why, when. */
export interface Reassignment {
  version: number;
  dari: TaskPerson;
  oleh: { id: string; nama: string; jabatan: string };
  alasan: string;
  at: string;
}

export type HistoryType =
  | 'permohonan-diterima'
  | 'berkas-dikarantina'
  | 'langkah-dimulai'
  | 'tugas-dibuka'
  | 'tugas-diputuskan'
  | 'tugas-dilaporkan'
  | 'email-terkirim'
  /** The mail service refused an email for good (SES MessageRejected, an unverified address): nothing was sent. */
  | 'email-gagal'
  | 'otomatis-selesai'
  | 'data-dibaca'
  | 'tautan-diperbarui'
  | 'kasus-dilanjutkan'
  | 'kasus-berakhir'
  /** Automatic work failed for good; the case waits at its step. */
  | 'otomatis-gagal'
  /** A document or archived copy was downloaded (who, which, when). */
  | 'dokumen-diunduh'
  /** A reminder of an open task reached its person (before the due time, overdue, or a wait on a party). */
  | 'pengingat-terkirim'
  /** An overdue task was told to the person's atasan. */
  | 'eskalasi-terkirim'
  /** The pemohon withdrew the case (with the reason); its open tasks were cancelled. */
  | 'kasus-ditarik'
  /** An administrator cancelled the case (with the reason); its open tasks were cancelled. */
  | 'kasus-dibatalkan'
  /** An administrator reassigned an open task to another person, or delegated it to a Plh/Plt (with the reason). */
  | 'tugas-dialihkan'
  /** The holder of an open task opened it from their list of tasks ("Tugas saya"), signed in (once per person). */
  | 'tugas-dibaca'
  /** A pelaksana or an administrator sent an open task's email again, or a reminder, by hand (who, which, to whom). */
  | 'tugas-diingatkan'
  /** The signed, numbered naskah became an agreement in the register of agreements (core/agreement). */
  | 'perjanjian-terdaftar'
  /** The agreement ended (its term, or early with a reason) or was declared BATAL; or an adendum was linked to it. */
  | 'perjanjian-berubah'
  /** A Laporan Pelaksanaan or a monev arrived through its link. */
  | 'pemantauan-diterima'
  /** A proposal to the administrator: end the agreement, declare it BATAL, or amend it. */
  | 'usulan-perjanjian'
  /** A content version of the case's naskah was saved in the pasal editor (core/naskah/versions.ts). */
  | 'naskah-disimpan'
  /**
   * A signature the provider did not deliver: its outcome unknown (a timeout after the request was sent: resolved by
   * the official's new attempt on the same PDF), or its response refused (not our PDF plus one valid signature).
   */
  | 'tanda-tangan-gagal'
  /** SES reported that an email of the case bounced at this address (core/case/mail-events.ts). */
  | 'email-pantul'
  /** The recipient at this address marked an email of the case as spam (an SES complaint). */
  | 'email-keluhan'
  /** A calendar year was imported: the open task's provisional due times were computed again on its holidays. */
  | 'tenggat-dihitung-ulang'
  /** An administrator moved the case to a newer version of its SOP at a mapped step (who, from, to, step, reason). */
  | 'versi-dipindahkan';

export interface HistoryEvent {
  caseId: string;
  /** Deterministic per fact, so a replay writes nothing new (conditional put). */
  eventKey: string;
  type: HistoryType;
  at: string;
  node?: string;
  stepId?: string;
  seq?: number;
  visit?: number;
  who?: { id: string; nama: string; jabatan: string };
  choice?: string;
  note?: string;
  files?: StoredFile[];
  detail?: Record<string, unknown>;
}

/** Storage of cases, tasks and history. Every write is conditional; none needs a transaction. */
export interface CaseStore {
  getCase(caseId: string): Promise<CaseRecord | undefined>;
  /**
   * What a use case reads at its start, in one round trip: a case, a task, and which of some history facts exist,
   * each read consistently. A missing item is simply absent from the answer.
   */
  readTogether(request: {
    caseId: string;
    taskId?: string;
    historyKeys?: readonly string[];
  }): Promise<{ record?: CaseRecord; task?: TaskRecord; history: ReadonlySet<string> }>;
  /** Creates the case unless it exists. */
  createCase(record: CaseRecord): Promise<'created' | 'exists'>;
  /** Moves the cursor only if it is still at activation `fromSeq` (0: not started). */
  moveCursor(caseId: string, fromSeq: number, cursor: Cursor, visits: Record<string, number>): Promise<boolean>;
  /**
   * Enters activation `cursor.seq` of an active case at activation `fromSeq`, without reading it first: one
   * conditional write that also counts the visit of `cursor.node`, returning the case as written (its cursor with the
   * visit). Undefined when the case is not active at `fromSeq` (a replay, a stale execution, a closed case: the caller
   * reads the case to tell which).
   */
  enterCursor(caseId: string, fromSeq: number, cursor: Omit<Cursor, 'visit'>): Promise<CaseRecord | undefined>;
  /**
   * Moves an active case to another version of its SOP at `to.cursor` (the activation after `from.seq`), only if it is
   * still on `from.sopKey` at activation `from.seq`: the one write that decides a move (a double submit moves once).
   */
  moveCaseVersion(
    caseId: string,
    from: { sopKey: string; seq: number },
    to: { sopKey: string; sopVersion: number; cursor: Cursor; visits: Record<string, number> },
  ): Promise<boolean>;
  /** Sets case data fields (a projection of decisions: idempotent). */
  setCaseData(caseId: string, values: Record<string, unknown>): Promise<void>;
  /** Closes an active case; false if it was not active. */
  closeCase(caseId: string, outcome: Terminal, at: string, reason?: string): Promise<boolean>;
  listCases(status?: CaseStatus): Promise<CaseRecord[]>;
  /**
   * One pemda's cases, oldest first (by `createdAt`), optionally of one status and created at or after `since`. Reads
   * only that pemda's cases, whatever the others hold.
   */
  listCasesOfPemda(pemdaId: string, options?: { status?: CaseStatus; since?: string }): Promise<CaseRecord[]>;

  getTask(taskId: string): Promise<TaskRecord | undefined>;
  /** Creates the task unless a task with this id exists. */
  createTask(task: TaskRecord): Promise<'created' | 'exists'>;
  /** Stores the token of the execution now waiting on the task; returns the previous token. */
  attachToken(taskId: string, token: string, executionArn: string): Promise<{ previousToken?: string } | 'not-open'>;
  /** Records the decision if the task is open at this link version. */
  decide(taskId: string, linkVersion: number, decision: Decision): Promise<boolean>;
  /** `decide`, returning the task as that write stored it (undefined if the task was not open at that version). */
  decideReturning(taskId: string, linkVersion: number, decision: Decision): Promise<TaskRecord | undefined>;
  markReported(taskId: string, at: string): Promise<void>;
  /**
   * Issues a new link version (the old link dies, its codes and their count with it) unless the task already had
   * `limit.max` fresh links in its current window; false if the task is not open, moved on, or is at the limit.
   */
  renewLink(taskId: string, fromVersion: number, expiresAt: string, limit: WindowCheck): Promise<boolean>;
  /**
   * Stores a new one-time code unless this link version already had `limit.max` codes in its current window (a
   * window whose start is at or before `limit.since` is over: this code begins a new one at `limit.now`). Returns the
   * task as that write stored it, or undefined when refused.
   */
  issueOtp(
    taskId: string,
    otp: { hash: string; expiresAt: string },
    limit: WindowCheck,
  ): Promise<TaskRecord | undefined>;
  /**
   * Takes back the code `issueOtp` stored with `expiresAt` (its email was refused, so nothing was sent): the code is
   * removed and it no longer counts against the window; false if another code replaced it or the task moved on.
   */
  revokeOtp(taskId: string, expiresAt: string): Promise<boolean>;
  /**
   * Spends one attempt before the code is compared (so parallel guesses cannot exceed the limit); returns the code
   * record, or undefined when there is none, it expired, or its attempts are used up.
   */
  spendOtpAttempt(taskId: string, maxAttempts: number, now: string): Promise<TaskRecord['otp'] | undefined>;
  /**
   * Claims the signature of an open task at this link version until `until`: false while another request holds an
   * unexpired claim (a double submit), so one request signs; a claim past its time (the process died) is free again.
   */
  claimSignature(taskId: string, linkVersion: number, now: string, until: string): Promise<boolean>;
  /** Releases the claim `until` of a task (the process that held it died); false if the claim changed meanwhile. */
  releaseSignatureClaim(taskId: string, until: string): Promise<boolean>;
  /**
   * Counts one passphrase or TOTP that the signature provider refused for this task, in the window of
   * `TTE_CREDENTIAL_LIMIT` (core/case/link-limits.ts); false when the window already had its share.
   */
  noteRefusedCredential(taskId: string, limit: WindowCheck): Promise<boolean>;
  cancelOpenTasks(caseId: string): Promise<number>;
  /**
   * Cancels one open task and issues it a new link version, so its link answers "diganti" (a new task replaces it);
   * false if it is not open at `fromVersion`.
   */
  retireTask(taskId: string, fromVersion: number, at: string): Promise<boolean>;

  /**
   * Binds an open task to another person and issues a new link version in one write (the old link dies); false if
   * the task is not open or its link moved on.
   */
  reassignTask(
    taskId: string,
    fromVersion: number,
    person: TaskPerson,
    expiresAt: string,
    reassignment?: Reassignment,
  ): Promise<boolean>;
  /** Issues a new version of the case's tracking link (the old one dies); false if it moved on. */
  renewTracking(caseId: string, fromVersion: number): Promise<boolean>;
  listTasks(filter: { caseId: string } | { state: TaskState }): Promise<ListedTask[]>;
  /**
   * Sets an open task's due times and its next due revision, if it is still open at the due revision and due times
   * it was read with (one conditional write); false when it moved on.
   */
  redateTask(
    task: Pick<TaskRecord, 'taskId' | 'dueAt' | 'overdueAt' | 'dueRevision'>,
    due: { dueAt: string | null; overdueAt: string | null; dueProvisional: boolean },
  ): Promise<boolean>;
  /** The tasks of each of these cases (one read per case, a few at a time), by case id, in activation order. */
  listTasksOfCases(caseIds: readonly string[]): Promise<Map<string, ListedTask[]>>;

  /** Appends an event unless an event with the same key exists; false when it existed. */
  appendHistory(event: HistoryEvent): Promise<boolean>;
  hasHistory(caseId: string, eventKey: string): Promise<boolean>;
  getHistory(caseId: string, eventKey: string): Promise<HistoryEvent | undefined>;
  /**
   * The history of a case, oldest first. `without`: facts of these types are left out by the store (a filter: they are
   * still read, but never sent or decoded).
   */
  listHistory(caseId: string, options?: { without?: readonly HistoryType[] }): Promise<HistoryEvent[]>;
}

export interface StepFunctionsPort {
  startExecution(input: { stateMachineArn: string; name: string; input: string }): Promise<'started' | 'exists'>;
  sendTaskSuccess(token: string, output: string): Promise<'ok' | 'gone'>;
  sendTaskFailure(token: string, error: string, cause: string): Promise<'ok' | 'gone'>;
  stopExecution(executionArn: string, error: string, cause: string): Promise<void>;
  /** The names of the running executions of a state machine (the stranded-case sweep, core/case/stranded.ts). */
  runningExecutions(stateMachineArn: string): Promise<string[]>;
}

export interface OutgoingMail {
  /** Deterministic per case, step, visit and purpose: a resend is recognisable as the same message. */
  messageId: string;
  /** The case the mail is about: SES tags the message with it, so a bounce or complaint finds its case. */
  caseId?: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Files sent with the message (the signed naskah and its audit certificate); the adapter encodes them. */
  attachments?: MailAttachment[];
}

export interface MailAttachment {
  fileName: string;
  contentType: string;
  content: Uint8Array;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** One piece of timed work: fire `job` at (or soon after) `at`. `key` is deterministic per fact. */
export interface ScheduledItem<J extends Job = Job> {
  key: string;
  at: Date;
  job: J;
}

/**
 * Timed work, in both worlds: EventBridge Scheduler in AWS, the durable local scheduler (a DynamoDB table and a
 * loop) on the embedded default. Either one hands the job to the same handler (`runSchedule`) once it is due; it
 * may hand it over more than once (a retry, a crash while firing), so every job must be safe to repeat.
 */
export interface Scheduler {
  /** Schedules the item unless an item with this key exists (then nothing changes). */
  schedule(item: ScheduledItem): Promise<'created' | 'exists'>;
  /** Cancels the item if it has not fired yet; an unknown key is not an error. */
  cancel(key: string): Promise<void>;
}

/** Named points where tests kill the process (SIGKILL) to prove recovery; a no-op in production. */
export interface Faults {
  point(name: FaultPoint): void;
}
export type FaultPoint =
  | 'after-decision-stored'
  | 'during-automatic-step'
  | 'while-email-sending'
  | 'after-task-opened'
  | 'after-cursor-moved'
  /** The naskah is signed, not yet stored: a retry signs again and stores one. */
  | 'after-document-signed'
  /** The completion package reached its first recipient, not the others: a retry sends the rest, none twice. */
  | 'while-package-sending'
  /** A scheduled job ran but its item is not yet marked done: the item fires again, the job finds its work done. */
  | 'while-schedule-firing'
  /** A reminder was sent and recorded, the next one of its chain not yet scheduled: the job fires again and does it. */
  | 'before-next-reminder';

export const noFaults: Faults = { point: () => undefined };

/** Automatic work on documents: everything but notifications. */
export type DocumentAction = Exclude<Automatic, { action: 'notify' }>;

/**
 * The document port: renders, numbers, initials, signs and archives (core/documents/document-actions.ts). Every
 * call must be safe to repeat: a retried step finds what the first attempt stored (documents are keyed by purpose,
 * numbers by case and purpose, facts by history key).
 */
/** What one piece of document work is given. */
export interface DocumentWorkInput {
  record: CaseRecord;
  activity: Activity;
  seq: number;
  action: DocumentAction;
  /** The activation's task: its decision says who initials or signs, and which files it brought. */
  task: TaskRecord | undefined;
}

export interface DocumentWork {
  perform(input: DocumentWorkInput): Promise<Record<string, string | number | boolean>>;
  /**
   * A signing task's document (core/documents/signing-task.ts): rendered for the task's bound person and stored
   * with its page images, once per binding; undefined for a task that signs nothing.
   */
  prepareShown(input: {
    record: CaseRecord;
    activity: Activity;
    task: TaskRecord;
  }): Promise<DocumentRecord | undefined>;
  /** The document the task shows its bound person now; undefined until it is prepared. */
  /** The document a signing task shows: from `listed` (the case's documents) when it is there, else read. */
  shownDocument(task: TaskRecord, listed?: readonly DocumentRecord[]): Promise<DocumentRecord | undefined>;
  /** The documents stored for a case (its index: eventually consistent). */
  caseDocuments(caseId: string): Promise<DocumentRecord[]>;
  /** The image of page `index` (0-based) of a shown document, checked against its recorded hash. */
  shownPage(document: DocumentRecord, index: number): Promise<Uint8Array | undefined>;
  /** The signed document of the task's activation, once made. */
  signedDocument(task: TaskRecord): Promise<DocumentRecord | undefined>;
  /**
   * Signs exactly the bytes of `shown` as the task's person and stores them (once per activation), with the
   * official's credential where the pemda signs through BSrE.
   */
  signShown(input: {
    record: CaseRecord;
    activity: Activity;
    task: TaskRecord;
    shown: DocumentRecord;
    credential?: SigningCredential;
  }): Promise<DocumentRecord>;
  /** The pemda signs through BSrE: the signing form asks for a passphrase or TOTP. */
  needsCredential(record: CaseRecord): boolean;
  /** What signing needs of the task's person now (a BSrE signer's status); a read. */
  signingReadiness(record: CaseRecord, task: TaskRecord): Promise<SigningReadiness>;
  /** Asks the provider to send a TOTP to the task person's BeSign app. */
  requestTotp(record: CaseRecord, task: TaskRecord): Promise<void>;
}
