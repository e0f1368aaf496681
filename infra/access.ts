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
export type TableKey = 'cases' | 'tasks' | 'history' | 'documents' | 'register';
export type BucketKey = 'intake' | 'documents' | 'archive';
export type TableAccess = 'read' | 'write' | 'readWrite';
export type BucketAction = 'read' | 'put' | 'delete';

export interface FunctionAccess {
  readonly tables: Partial<Record<TableKey, TableAccess>>;
  readonly buckets: Partial<Record<BucketKey, readonly BucketAction[]>>;
  /** ses:SendEmail from the sender identity. */
  readonly mail: boolean;
  /** states:SendTaskSuccess/SendTaskFailure on the SOP state machines (reports decisions, supersedes tokens). */
  readonly taskResponse: boolean;
  /** states:StartExecution on the SOP state machines. */
  readonly startExecution: boolean;
}

export const ACCESS: Record<FunctionId, FunctionAccess> = {
  // runtime.enterStep: getCase, moveCursor (conditional update); history put.
  enterStep: {
    tables: { cases: 'readWrite', history: 'write' },
    buckets: {},
    mail: false,
    taskResponse: false,
    startExecution: false,
  },
  // runtime.openTask: task get/create/attachToken; history (sendOnce reads it); the task email; SendTaskFailure to a
  // superseded token; settleDecision when the task was decided already (setCaseData, markReported, SendTaskSuccess).
  openTask: {
    tables: { cases: 'readWrite', tasks: 'readWrite', history: 'readWrite' },
    buckets: {},
    mail: true,
    taskResponse: true,
    startExecution: false,
  },
  // runtime.runAutomatic for `notify` (the compiler sends every other action to `document`) and recordFailure.
  automatic: {
    tables: { cases: 'read', tasks: 'read', history: 'readWrite' },
    buckets: {},
    mail: true,
    taskResponse: false,
    startExecution: false,
  },
  // runtime.readCaseData.
  caseData: {
    tables: { cases: 'read' },
    buckets: {},
    mail: false,
    taskResponse: false,
    startExecution: false,
  },
  // runtime.finishCase: history (getHistory, sendOnce), the pemohon's email, closeCase.
  finishCase: {
    tables: { cases: 'readWrite', history: 'readWrite' },
    buckets: {},
    mail: true,
    taskResponse: false,
    startExecution: false,
  },
  // runtime.continueCase → resumeCase: a new execution at the same step, and its history fact.
  continueCase: {
    tables: { cases: 'read', tasks: 'read', history: 'write' },
    buckets: {},
    mail: false,
    taskResponse: false,
    startExecution: true,
  },
  // DocumentWorker: renders and stores documents (documents bucket + table), numbers (register), reads the
  // officials' uploads (documents bucket), files scans in the archive (put only: it never reads them back), case
  // data for numbers and the signed naskah. It sends no email.
  document: {
    tables: { cases: 'readWrite', tasks: 'read', history: 'readWrite', documents: 'readWrite', register: 'readWrite' },
    buckets: { documents: ['read', 'put'], archive: ['put'] },
    mail: false,
    taskResponse: false,
    startExecution: false,
  },
  // runtime.reconcileDecisions: decided tasks (byState index) → settleDecision (SendTaskSuccess), else resumeCase.
  reconcile: {
    tables: { cases: 'readWrite', tasks: 'readWrite', history: 'write' },
    buckets: {},
    mail: false,
    taskResponse: true,
    startExecution: true,
  },
  // The register sweep of every pemda.
  sweepRegisters: {
    tables: { register: 'readWrite' },
    buckets: {},
    mail: false,
    taskResponse: false,
    startExecution: false,
  },
  // Task pages (open, submit → settleDecision, uploads, codes, new links), downloads (permohonan files in intake,
  // decision files and generated documents, archived scans), the intake API (presigned PUTs) and the verification
  // page (documents table, register). It never starts an execution.
  http: {
    tables: { cases: 'readWrite', tasks: 'readWrite', history: 'readWrite', documents: 'read', register: 'read' },
    buckets: { intake: ['read', 'put'], documents: ['read', 'put'], archive: ['read'] },
    mail: true,
    taskResponse: true,
    startExecution: false,
  },
  // Intake.onObjectCreated: reads the manifest and files, quarantines (copy + delete + reasons), creates the case,
  // emails the receipt and starts the execution.
  intake: {
    tables: { cases: 'readWrite', history: 'readWrite' },
    buckets: { intake: ['read', 'put', 'delete'] },
    mail: true,
    taskResponse: false,
    startExecution: true,
  },
};
