import type { DynamoDbCounts } from './ddb-counter.ts';
import { ratio, round, summarize, type Summary } from './stats.ts';

/** What one run of N concurrent cases measured (the real system or the no-op baseline). */
export interface RunResult {
  label: string;
  cases: number;
  completed: number;
  errors: string[];
  /** Activations (human waits answered) of each completed case. */
  activationsPerCase: number[];
  /** First submission start to last case end (ms). */
  wallMs: number;
  /** Per activation except a case's last: answer done (POST returned) → next task ready (its email stored). */
  stepOverheadMs: number[];
  /** Per case: submission start → end (its end email stored). */
  caseMs: number[];
  /** Per case: submission start → first task ready. */
  firstTaskMs: number[];
  /** Per case: last answer done → case end. */
  finishMs: number[];
  /** Per activation (real run only): the official's act, GET of the page → POST returned. */
  actMs: number[];
  /** Per activation (real run only): task email stored → the official's GET (mailbox pickup and queueing). */
  pickupMs: number[];
  dynamodb: DynamoDbCounts;
  /**
   * Which tables are the case store's (cases, tasks, history) and which the document work's (documents, register):
   * the writes per case are reported per group, and only the case tables' are comparable with the baseline.
   */
  tables: TableGroups;
  /** Event-loop utilisation of the thread that runs the services and handlers, over the run (0..1). */
  serviceThreadElu: number;
  /** Event-loop utilisation of the scripted actors' thread (real run only). */
  actorThreadElu?: number;
  /** Process CPU time (all threads) over the run, ms. */
  cpuMs: number;
  extra?: Record<string, unknown>;
}

export interface TableGroups {
  case: string[];
  document: string[];
}

export interface Figures {
  cases: number;
  completed: number;
  activationsPerCase: number | string;
  wallS: number;
  casesPerSec: number;
  stepOverheadMs: Summary;
  caseMs: Summary;
  firstTaskMs: Summary;
  finishMs: Summary;
  dynamodbWritesPerCase: number;
  /** Writes to the case store's tables (cases, tasks, history): the baseline makes the same ones. */
  dynamodbCaseWritesPerCase: number;
  /** Writes to the document work's tables (documents, register): the baseline makes none. */
  dynamodbDocumentWritesPerCase: number;
  /** Writes to any other table (none expected). */
  dynamodbOtherWritesPerCase: number;
  /** Write requests per case, by table. */
  dynamodbWritesByTablePerCase: Record<string, number>;
  tables: TableGroups;
  dynamodbReadsPerCase: number;
  serviceThreadElu: number;
  cpuS: number;
}

export function figuresOf(run: RunResult): Figures {
  const acts = [...new Set(run.activationsPerCase)];
  const perCase = (n: number) => (run.completed ? round(n / run.completed, 1) : Number.NaN);
  const byTable = Object.entries(run.dynamodb.writesByTable);
  const sum = (keep: (table: string) => boolean) =>
    byTable.filter(([t]) => keep(t)).reduce((total, [, n]) => total + n, 0);
  const isCase = (t: string) => run.tables.case.includes(t);
  const isDocument = (t: string) => run.tables.document.includes(t);
  return {
    cases: run.cases,
    completed: run.completed,
    activationsPerCase: acts.length === 1 ? acts[0]! : acts.sort((a, b) => a - b).join('/'),
    wallS: round(run.wallMs / 1000, 2),
    casesPerSec: round(run.completed / (run.wallMs / 1000), 2),
    stepOverheadMs: summarize(run.stepOverheadMs),
    caseMs: summarize(run.caseMs),
    firstTaskMs: summarize(run.firstTaskMs),
    finishMs: summarize(run.finishMs),
    dynamodbWritesPerCase: perCase(run.dynamodb.writes),
    dynamodbCaseWritesPerCase: perCase(sum(isCase)),
    dynamodbDocumentWritesPerCase: perCase(sum(isDocument)),
    dynamodbOtherWritesPerCase: perCase(sum((t) => !isCase(t) && !isDocument(t))),
    dynamodbWritesByTablePerCase: Object.fromEntries(byTable.map(([t, n]) => [t, perCase(n)])),
    tables: run.tables,
    dynamodbReadsPerCase: perCase(run.dynamodb.reads),
    serviceThreadElu: round(run.serviceThreadElu, 2),
    cpuS: round(run.cpuMs / 1000, 1),
  };
}

export function ratios(real: Figures, baseline: Figures) {
  return {
    casesPerSec: ratio(real.casesPerSec, baseline.casesPerSec),
    stepOverheadP50: ratio(real.stepOverheadMs.p50, baseline.stepOverheadMs.p50),
    stepOverheadP95: ratio(real.stepOverheadMs.p95, baseline.stepOverheadMs.p95),
    caseP50: ratio(real.caseMs.p50, baseline.caseMs.p50),
    caseP95: ratio(real.caseMs.p95, baseline.caseMs.p95),
  };
}
