import { SCHEDULE_TABLE } from '../local/runtime.ts';
import { OUTSIDE_LAMBDA, type DynamoDbCounts } from './ddb-counter.ts';
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
  /** CPU time of the service thread alone over the run (ms; `threadCpuMs`), when the platform tells it. */
  serviceThreadCpuMs?: number;
  /** Time the service thread's event loop was busy over the run (ms; eventLoopUtilization().active). */
  serviceThreadActiveMs?: number;
  /** From the executions' histories: what the same run would cost in AWS. */
  aws?: { executions: number; lambdaInvocations: number; stateTransitions: number };
  /** Lambda invocations by role (the step functions the state machine invokes). */
  invocations?: Record<string, number>;
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
  /** What a step costs: per case and per activation (a human wait answered). */
  stepCost: StepCost;
}

export interface StepCost {
  activations: number;
  perCase: {
    dynamodbRequests: number;
    /**
     * Of those, the requests to the embedded default's schedule table: in AWS these are EventBridge Scheduler calls
     * (one CreateSchedule per reminder put, one DeleteSchedule per cancel), not DynamoDB requests.
     */
    schedulerRequests: number;
    getItem: number;
    query: number;
    writes: number;
    caseItemReads: number;
    serviceThreadCpuMs: number;
    lambdaInvocations: number;
    stateTransitions: number;
  };
  perActivation: {
    dynamodbRequests: number;
    getItem: number;
    query: number;
    writes: number;
    caseItemReads: number;
    serviceThreadCpuMs: number;
    serviceThreadActiveMs: number;
  };
  /** Conditional puts to the schedule table per task opened (each a reminder; in AWS an EventBridge schedule). */
  schedulesPerTask: number;
  /**
   * Case-table writes per call, by Lambda role (per invocation) and outside any Lambda (per activation: the
   * official's answer, the intake and the scheduler's work spread over the activations).
   */
  caseWritesPerCall: Record<string, number>;
}

/** The table of reminders and other timed work of the embedded default's scheduler. */
export { SCHEDULE_TABLE };

export function stepCostOf(run: RunResult): StepCost {
  const completed = run.completed;
  const activations = run.activationsPerCase.reduce((a, b) => a + b, 0);
  const d = run.dynamodb;
  const caseTable = run.tables.case[0] ?? '';
  const caseCommands = d.byTableCommand[caseTable] ?? {};
  const caseItemReads = (caseCommands.GetItemCommand ?? 0) + (caseCommands.BatchGetItemCommand ?? 0);
  const per = (n: number, by: number, digits = 2) => (by ? round(n / by, digits) : Number.NaN);
  const cpu = run.serviceThreadCpuMs ?? Number.NaN;
  const caseTables = new Set(run.tables.case);
  const caseWrites = (bucket: string) =>
    Object.entries(d.writesByBucketTable[bucket] ?? {})
      .filter(([t]) => caseTables.has(t))
      .reduce((total, [, n]) => total + n, 0);
  const caseWritesPerCall: Record<string, number> = {};
  for (const [role, calls] of Object.entries(run.invocations ?? {}))
    caseWritesPerCall[role] = per(caseWrites(role), calls, 3);
  if (Object.keys(d.writesByBucketTable).length)
    caseWritesPerCall[OUTSIDE_LAMBDA] = per(caseWrites(OUTSIDE_LAMBDA), activations, 3);
  return {
    activations,
    perCase: {
      dynamodbRequests: per(d.reads + d.writes, completed, 1),
      schedulerRequests: per(
        Object.values(d.byTableCommand[SCHEDULE_TABLE] ?? {}).reduce((total, n) => total + n, 0),
        completed,
        1,
      ),
      getItem: per(d.gets, completed, 1),
      query: per(d.queries, completed, 1),
      writes: per(d.writes, completed, 1),
      caseItemReads: per(caseItemReads, completed, 1),
      serviceThreadCpuMs: per(cpu, completed, 0),
      lambdaInvocations: per(run.aws?.lambdaInvocations ?? Number.NaN, completed, 1),
      stateTransitions: per(run.aws?.stateTransitions ?? Number.NaN, completed, 1),
    },
    perActivation: {
      dynamodbRequests: per(d.reads + d.writes, activations),
      getItem: per(d.gets, activations),
      query: per(d.queries, activations),
      writes: per(d.writes, activations),
      caseItemReads: per(caseItemReads, activations),
      serviceThreadCpuMs: per(cpu, activations, 1),
      serviceThreadActiveMs: per(run.serviceThreadActiveMs ?? Number.NaN, activations, 1),
    },
    schedulesPerTask: per(d.byTableCommand[SCHEDULE_TABLE]?.PutItemCommand ?? 0, activations),
    caseWritesPerCall,
  };
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
    stepCost: stepCostOf(run),
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
