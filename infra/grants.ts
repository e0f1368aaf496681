import type { KeyName } from '../functions/config.ts';
import type { FunctionId } from './functions.ts';

/**
 * What each function may touch, worked out from its code path (functions/lambda → functions/handlers →
 * core/case/*.ts and the adapters). The stack grants exactly this and nothing else; test/infra.test.ts checks the
 * synthesized policies against it. Where a path was ambiguous the narrower grant was chosen (noted below).
 *
 * Tables: read = GetItem/Query (indexes too); write = PutItem/UpdateItem (conditional writes need no read).
 * Buckets: read = GetObject/HeadObject/List, and presigned GETs signed by the function; put = PutObject, and
 * presigned PUTs; delete = DeleteObject (only the intake's quarantine moves objects).
 */
export type TableKey = 'cases' | 'tasks' | 'history' | 'documents' | 'register' | 'agreements' | 'intakes' | 'limits';
export type BucketKey = 'intake' | 'documents' | 'archive';
export type TableAccess = 'read' | 'write' | 'readWrite';
export type BucketAction = 'read' | 'put' | 'delete';
/**
 * The three HMAC keys, one secret each: action links (links and their forms, task and monitoring ids, the limits'
 * address tags), confirmation codes (paraf and signature codes), console sessions (and the sign-in form).
 */
export type SecretKeyId = 'links' | 'codes' | 'sessions';
export const KEY_NAME: Record<SecretKeyId, KeyName> = {
  links: 'SEPAKAT_LINK_KEY',
  codes: 'SEPAKAT_CODE_KEY',
  sessions: 'SEPAKAT_SESSION_KEY',
};

export interface FunctionAccess {
  readonly tables: Partial<Record<TableKey, TableAccess>>;
  readonly buckets: Partial<Record<BucketKey, readonly BucketAction[]>>;
  /** ses:SendEmail from the sender identity. */
  readonly mail: boolean;
  /** states:SendTaskSuccess/SendTaskFailure on the SOP state machines (reports decisions, supersedes tokens). */
  readonly taskResponse: boolean;
  /** states:StartExecution on the SOP state machines. */
  readonly startExecution: boolean;
  /** states:StopExecution on the executions of the SOP state machines (a withdrawn or cancelled case). */
  readonly stopExecution: boolean;
  /** states:ListExecutions on the SOP state machines (which cases have a running execution). */
  readonly listExecutions: boolean;
  /**
   * Creates and deletes one-time schedules in the Sepakat schedule group (the Scheduler port in AWS), passing the
   * scheduler's role; such a function gets the SEPAKAT_SCHEDULER_* environment.
   */
  readonly schedules: boolean;
  /**
   * lambda:InvokeFunction on the signing function, and SEPAKAT_SIGNING_FUNCTION: this function signs through it
   * (functions/signing/lambda-signer.ts; the PDFs through the documents bucket's scratch prefix).
   */
  readonly invokesSigning: boolean;
  /** The keys this function reads at cold start (secretsmanager:GetSecretValue on each, and its SEPAKAT_*_SECRET_ARN). */
  readonly keys: readonly SecretKeyId[];
  /**
   * lambda:InvokeFunction on the render function, and SEPAKAT_RENDER_FUNCTION: this function, which has no Chromium,
   * renders every document, export and page image through it (functions/render/lambda-renderer.ts,
   * functions/render/export-printing.ts; PDFs and images through the documents bucket's scratch prefix, or in the
   * payload for a GET).
   */
  readonly invokesRender: boolean;
}

/** Nothing but what it names: no bucket, no email, no state-machine action, no schedule unless granted. */
function grant(access: Partial<FunctionAccess> & Pick<FunctionAccess, 'tables'>): FunctionAccess {
  return {
    buckets: {},
    mail: false,
    taskResponse: false,
    startExecution: false,
    stopExecution: false,
    listExecutions: false,
    schedules: false,
    invokesSigning: false,
    keys: [],
    invokesRender: false,
    ...access,
  };
}

/**
 * The intake path, whether an upload event starts it (intake) or the sweep takes it up again (sweepIntake): the
 * permohonan's reservation and limits, the case it creates and its history, the register and the agreements for a
 * named Kesepakatan Bersama, the intake bucket (quarantine moves objects), the emails and the execution it starts.
 */
const INTAKE = grant({
  tables: {
    cases: 'readWrite',
    history: 'readWrite',
    register: 'read',
    agreements: 'read',
    intakes: 'readWrite',
    limits: 'readWrite',
  },
  buckets: { intake: ['read', 'put', 'delete'] },
  mail: true,
  startExecution: true,
  // Confirmation, receipt and tracking links; the limits key on the HMAC of an address.
  keys: ['links'],
});

export const ACCESS: Record<FunctionId, FunctionAccess> = {
  // runtime.enterStep: enterCursor (conditional update; getCase only when it finds the case elsewhere); history put.
  enterStep: grant({ tables: { cases: 'readWrite', history: 'write' } }),
  // runtime.openTask: a wait with nothing before it enters its activity first (enterCursor, as enterStep; history put);
  // task create holding its token (get and attachToken on a replay); history (sendOnce reads it on a replay); the task
  // email; SendTaskFailure to a
  // superseded token; settleDecision when the task was decided already (setCaseData, markReported, SendTaskSuccess);
  // the task's reminders, scheduled on every opening (scheduleReminders); a signing task's document rendered for
  // its person with its page images (documents table: get + conditional put; bucket: put).
  openTask: grant({
    tables: { cases: 'readWrite', tasks: 'readWrite', history: 'readWrite', documents: 'readWrite' },
    buckets: { documents: ['put'] },
    mail: true,
    taskResponse: true,
    schedules: true,
    // The signature the document will carry (Signer.describe) is printed on it.
    invokesSigning: true,
    // The task id (HMAC) and the task's link in its email.
    keys: ['links'],
  }),
  // runtime.runAutomatic for `notify` (the compiler sends every other action to `document`) and recordFailure.
  automatic: grant({
    tables: { cases: 'read', tasks: 'read', history: 'readWrite' },
    mail: true,
    // The task id of the activation (HMAC), read for its decision.
    keys: ['links'],
  }),
  // runtime.readCaseData.
  caseData: grant({ tables: { cases: 'read' } }),
  // runtime.finishCase: history (getHistory, sendOnce), the pemohon's email, closeCase.
  finishCase: grant({
    tables: { cases: 'readWrite', history: 'readWrite' },
    mail: true,
  }),
  // runtime.continueCase → resumeCase: a new execution at the same step, and its history fact.
  continueCase: grant({
    tables: { cases: 'read', tasks: 'read', history: 'write' },
    startExecution: true,
    // The task id of the activation that waited (HMAC).
    keys: ['links'],
  }),
  // DocumentWorker: renders and stores documents (documents bucket + table), numbers (register), reads the
  // officials' uploads (documents bucket), files scans and a copy of every registered document in the archive, case
  // data for numbers and the signed naskah;
  // registers the agreement when the naskah's number is used (agreements) and schedules its monitoring calendar
  // (app.agreements.registerCase). The completion package (core/documents/completion-package.ts) reads the tasks and
  // history, the signed naskah and the partner's scan back (the scan from the archive), stores the sealed Lembar
  // Riwayat Penandatanganan and emails every party once (sendOnce: history read and write).
  document: grant({
    tables: {
      cases: 'readWrite',
      tasks: 'read',
      history: 'readWrite',
      documents: 'readWrite',
      register: 'readWrite',
      agreements: 'readWrite',
    },
    buckets: { documents: ['read', 'put'], archive: ['read', 'put'] },
    mail: true,
    schedules: true,
    // The Lembar Riwayat is sealed with the pemda's seal (Signer.signPdf).
    invokesSigning: true,
    // The completion package's download link (/paket/…) when the naskah is too large to attach.
    keys: ['links'],
  }),
  // runtime.reconcileDecisions: decided tasks (tugasPerStatus index) → settleDecision (SendTaskSuccess), else resumeCase.
  reconcile: grant({
    tables: { cases: 'readWrite', tasks: 'readWrite', history: 'write' },
    taskResponse: true,
    startExecution: true,
  }),
  // The stranded-case sweep (core/case/stranded.ts): active cases (byStatus), the running executions of their state
  // machines, a stranded case's history (a recorded failure since its last continuation?), then runtime.resumeCase:
  // the case read, StartExecution, the kasus-dilanjutkan fact.
  sweepStranded: grant({
    tables: { cases: 'read', history: 'readWrite' },
    listExecutions: true,
    startExecution: true,
  }),
  // The register sweep of every pemda.
  sweepRegisters: grant({ tables: { register: 'readWrite' } }),
  // The intake sweep (Intake.sweep): confirmed permohonan without their case, unconfirmed ones past their time and
  // reservations without a manifest (quarantine: copy + delete + reasons, and the pemohon's email within the limits),
  // lost manifest events (as onObjectCreated), uploads with no reservation or after the permohonan was handled.
  sweepIntake: INTAKE,
  // Timed work (step-tasks runSchedule). A task reminder (runtime.remindTask): the task and its case read, history
  // (sendOnce, the reminder fact), the email, and the task's other reminders cancelled once it is closed. A job of
  // an agreement (app.agreements.runJob): the agreement and its monitoring items (get, create, usulan,
  // transition, the annual rekap), the case read for a report's data, history facts and emails, the Laporan
  // Pelaksanaan and annual report PDFs stored (documents table: get + conditional put; bucket: put only, never read
  // back), what follows scheduled and, on closure, the agreement's schedules cancelled. No register, no state
  // machine (an adendum is started from the console, by the http function).
  runSchedule: grant({
    tables: { cases: 'read', tasks: 'read', history: 'readWrite', documents: 'readWrite', agreements: 'readWrite' },
    buckets: { documents: ['put'] },
    mail: true,
    schedules: true,
    // The task's link in a reminder; the monitoring items' ids and links (/pantau/…).
    keys: ['links'],
  }),
  // Task pages (open, submit → settleDecision, uploads, codes, new links), downloads (permohonan files in intake,
  // decision files and generated documents, archived scans), the intake API (presigned PUTs) and the verification
  // page (documents table, register); the report and monev links of agreements and the administrator's actions on
  // them (agreements; a submitted report's Laporan Pelaksanaan, which this function cannot render without Chromium,
  // is scheduled at once for runSchedule, as are the next requests; an early end or BATAL cancels the agreement's
  // schedules; an adendum starts the execution of its new case). The console: dashboard, case pages, analytics, archive (reads);
  // withdrawal (/lacak) and cancellation stop the case's executions and cancel its tasks' reminders
  // (core/case/case-admin.ts); reassignment writes the task.
  http: grant({
    tables: {
      cases: 'readWrite',
      tasks: 'readWrite',
      history: 'readWrite',
      documents: 'readWrite',
      register: 'read',
      agreements: 'readWrite',
      // The intake API reserves a permohonan and counts its caller; a confirmation (a POST) creates the case.
      intakes: 'readWrite',
      limits: 'readWrite',
    },
    // The archive: the signed naskah or letter a signing task's POST stores is also kept there (put, Object Lock).
    buckets: { intake: ['read', 'put'], documents: ['read', 'put'], archive: ['read', 'put'] },
    mail: true,
    taskResponse: true,
    startExecution: true,
    stopExecution: true,
    schedules: true,
    // A signing task's POST signs (Signer.signPdf with the official's credential), its page asks readiness.
    invokesSigning: true,
    // Every link's page; the only function that issues and checks paraf and signature codes, and console sessions.
    keys: ['links', 'codes', 'sessions'],
    // It has no Chromium: the register PDF (/arsip/register.pdf, its download presigned here), the SOP AP document,
    // the Lembar Perbandingan Naskah, naskah previews and a reassigned signing task's document are rendered by the
    // render function.
    invokesRender: true,
  }),
  // Intake.onObjectCreated: reads the manifest and files, copies each checked file to its never-overwritten key
  // (diterima/<id>/<sha256>) and removes the upload, quarantines (copy + delete + reasons), creates the case,
  // emails the receipt and starts the execution; a named Kesepakatan Bersama (dasar-kesepakatan-nomor) is looked up
  // in the register and the agreements.
  // The reservation is checked and moved on (disiapkan → menunggu-konfirmasi / dikonfirmasi / dikarantina); the
  // confirmation and quarantine emails count against the limits of the address and the source.
  intake: INTAKE,
  // MailEvents.onSnsEvent: the tagged case (getCase), else the open tasks held by the address (the tasks' state
  // index); one conditional put of the fact per case and address (history).
  mailEvents: grant({ tables: { cases: 'read', tasks: 'read', history: 'write' } }),
  // The signing function: no table and no whole bucket. It reads and writes only the documents bucket's scratch
  // prefix (sementara/tanda-tangan/), calls kms:Sign and kms:GetPublicKey on signing keys (tag condition) and reads
  // the BSrE secrets: granted in infra/stateless-stack.ts (signingGrants).
  signing: grant({ tables: {} }),
  // The render function: no table and no whole bucket. It reads and writes only the documents bucket's print scratch
  // prefix (sementara/cetak/): granted in infra/stateless-stack.ts (grantRender).
  render: grant({ tables: {} }),
};
