/**
 * Benchmark: N concurrent cases of the first SOP (kota-penyusunan-kesepakatan-bersama) on a fresh embedded local
 * runtime, driven end to end through the public paths by scripted people, against a baseline measured in the
 * same run: the same compiled ASL in the same local Step Functions implementation with no-op handlers that make
 * the same DynamoDB writes and answer every wait at once.
 *
 *   npx tsx bench/concurrent-cases.ts [--cases N] [--quick] [--skip-baseline] [--keep]
 *
 * Figures: cases per second; per-step overhead (an official's POST returned → the next task's email stored,
 * i.e. the system's own work between two human acts) p50/p95; per-case completion time p50/p95; each as
 * real/baseline ratios. Prints a table, then one line `BENCH_JSON {…}` for run-all.ts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { DEFAULT_COMPILE_OPTIONS, type CompileOptions } from '../core/sop/compile-sop.ts';
import type { Sop } from '../core/sop/load-sop.ts';
import { stateMachineName } from '../functions/config.ts';
import { FUNCTION_NAMES, startRuntime } from '../local/runtime.ts';
import type { ActorsInput, ActorsOutput } from './actors.ts';
import { BASELINE_HANDLERS, runNoopBaseline } from './baseline.ts';
import { countDynamoDbRequests, countRequests, OUTSIDE_LAMBDA, type CallContext } from './ddb-counter.ts';
import { executionCosts, settleExecutions } from './executions.ts';
import { figuresOf, ratios, SCHEDULE_TABLE, type Figures, type RunResult, type StepCost } from './figures.ts';
import { cpuMs, round, summarize, table, threadCpuMs } from './stats.ts';

export const BENCH_NAME = 'concurrent-cases';
const SOP_ID = 'kota-penyusunan-kesepakatan-bersama';

export interface ConcurrentCasesOptions {
  cases: number;
  baseline: boolean;
  keepDataDir: boolean;
  log: (line: string) => void;
}

export interface ConcurrentCasesResult {
  bench: string;
  node: string;
  cpus: number;
  cases: number;
  script: string;
  real: Figures & { extra: Record<string, unknown> };
  baseline?: Figures & { extra: Record<string, unknown> };
  ratio?: ReturnType<typeof ratios>;
  baselineHandlers: typeof BASELINE_HANDLERS;
  errors: { real: string[]; baseline: string[] };
  /** The headline figures, in the shape run-all.ts prints for every bench. */
  summary: SummaryRow[];
}

/** One headline figure of a bench: run-all.ts prints these as one table for all benches. */
export interface SummaryRow {
  metric: string;
  unit: string;
  value: number;
  baseline?: number;
  ratio?: number;
}

/** The same compile options local/runtime.ts uses by default (humanWaitSeconds 7 days). */
const COMPILE_OPTIONS: CompileOptions = { ...DEFAULT_COMPILE_OPTIONS, humanWaitSeconds: 7 * 24 * 3600 };

async function runReal(options: ConcurrentCasesOptions): Promise<{ run: RunResult; sop: Sop; definition: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sepakat-bench-'));
  // Which Lambda invocation a DynamoDB request belongs to: the case-table writes per call the baseline takes over.
  const calls = new AsyncLocalStorage<CallContext>();
  const roleOf = new Map<string, string>(Object.entries(FUNCTION_NAMES).map(([role, name]) => [name, role]));
  const invocations: Record<string, number> = {};
  const runtime = await startRuntime({
    aroundInvoke: (name, invoke) => {
      const role = roleOf.get(name) ?? name;
      invocations[role] = (invocations[role] ?? 0) + 1;
      return calls.run({ bucket: role, caseWrites: 0 }, invoke);
    },
    dataDir,
    port: 0,
    humanWaitSeconds: COMPILE_OPTIONS.humanWaitSeconds,
    // Every simulated pemohon comes from 127.0.0.1: the abuse limits would stop the benchmark, not measure it.
    limits: { preparePerSourcePerHour: 1e6, mailsPerAddressPerDay: 1e6, mailsPerSourcePerDay: 1e6 },
    log: () => undefined,
  });
  const sop = runtime.app.catalog.sops.latest(SOP_ID);
  const caseTables = [
    runtime.app.config.SEPAKAT_TABLE_CASES,
    runtime.app.config.SEPAKAT_TABLE_TASKS,
    runtime.app.config.SEPAKAT_TABLE_HISTORY,
  ];
  const counter = countDynamoDbRequests(runtime.app.clients.dynamodb, { context: () => calls.getStore(), caseTables });
  const otherClients = {
    s3: countRequests(runtime.app.clients.s3),
    ses: countRequests(runtime.app.clients.ses),
    sfn: countRequests(runtime.app.clients.sfn),
  };
  try {
    const input: ActorsInput = {
      dataDir,
      webUrl: runtime.urls.web,
      sopId: SOP_ID,
      cases: options.cases,
      waitMs: 240_000,
      progressMs: 10_000,
    };
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const thread0 = threadCpuMs();
    const output = await new Promise<ActorsOutput>((resolve, reject) => {
      const worker = new Worker(fileURLToPath(new URL('./actors.ts', import.meta.url)), {
        workerData: { role: 'sepakat-bench-actors', input },
      });
      worker.on('message', (m: { type: string; line?: string; output?: ActorsOutput; error?: string }) => {
        if (m.type === 'progress') options.log(m.line!);
        else if (m.type === 'done') {
          resolve(m.output!);
          void worker.terminate();
        } else if (m.type === 'failed') {
          reject(new Error(m.error));
          void worker.terminate();
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`actors worker exited (${code})`)));
    });
    const elu = performance.eventLoopUtilization(elu0);
    const thread1 = threadCpuMs();
    const cpu = cpuMs(cpu0);
    await runtime.idle();
    const stateMachineArn = `${runtime.app.config.SEPAKAT_STATE_MACHINE_ARN_PREFIX}${stateMachineName(sop.key)}`;
    const otherRequests = Object.fromEntries(Object.entries(otherClients).map(([k, c]) => [k, c.counts().byCommand]));
    const executions = await settleExecutions(runtime.app.clients.sfn, stateMachineArn);
    const aws = await executionCosts(runtime.app.clients.sfn, stateMachineArn);
    // The ASL the runtime registered, for the baseline to check it runs the very same definition.
    const { definition = '' } = await runtime.app.clients.sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn }),
    );
    const dynamodb = counter.counts();
    const errors = [...output.errors];
    if (executions.FAILED || executions.RUNNING) errors.push(`eksekusi: ${JSON.stringify(executions)}`);
    return {
      sop,
      definition,
      run: {
        label: 'nyata (real)',
        cases: options.cases,
        completed: output.completed,
        errors,
        activationsPerCase: output.activationsPerCase,
        wallMs: output.lastEnd - output.firstStart,
        stepOverheadMs: output.stepOverheadMs,
        caseMs: output.caseMs,
        firstTaskMs: output.firstTaskMs,
        finishMs: output.finishMs,
        actMs: output.actMs,
        pickupMs: output.pickupMs,
        dynamodb,
        tables: {
          case: caseTables,
          // With them, the local schedule of reminders each opened task writes, the agreement registered at the end,
          // and the intake's reservation and abuse counters (work the baseline does not mirror).
          document: [
            runtime.app.config.SEPAKAT_TABLE_DOCUMENTS,
            runtime.app.config.SEPAKAT_TABLE_REGISTER,
            SCHEDULE_TABLE,
            runtime.app.config.SEPAKAT_TABLE_AGREEMENTS,
            runtime.app.config.SEPAKAT_TABLE_INTAKE,
            runtime.app.config.SEPAKAT_TABLE_LIMITS,
          ],
        },
        serviceThreadElu: elu.utilization,
        serviceThreadActiveMs: elu.active,
        ...(thread0 !== undefined && thread1 !== undefined ? { serviceThreadCpuMs: thread1 - thread0 } : {}),
        aws,
        invocations: { ...invocations },
        actorThreadElu: output.actorThreadElu,
        cpuMs: cpu,
        extra: {
          executions,
          peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
          negativeOverheads: output.negativeOverheads,
          httpRequestsByActors: output.requests,
          mail: output.mail,
          outcomes: output.outcomes,
          dynamodbByCommand: dynamodb.byCommand,
          dynamodbWritesByTable: dynamodb.writesByTable,
          otherSdkRequests: otherRequests,
        },
      },
    };
  } finally {
    await runtime.close();
    if (options.keepDataDir) options.log(`data: ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runConcurrentCases(options: ConcurrentCasesOptions): Promise<ConcurrentCasesResult> {
  const { log } = options;
  log(
    `${BENCH_NAME}: ${options.cases} kasus serentak ${SOP_ID}, Node ${process.version}, ${availableParallelism()} CPU (${cpus()[0]?.model ?? '?'})`,
  );

  // The real run first: it loads the SOP the baseline compiles the same way, from the same catalog.
  log('  nyata: runtime lokal baru, pemohon dan pejabat terskrip lewat jalur publik');
  const { run: real, sop, definition } = await runReal(options);
  log(`  nyata: ${real.completed}/${real.cases} selesai dalam ${round(real.wallMs / 1000, 1)} s`);

  let baseline: RunResult | undefined;
  if (options.baseline) {
    log('  baseline: ASL yang sama, handler no-op dengan jumlah tulis DynamoDB tabel kasus yang sama');
    baseline = await runNoopBaseline({
      expectedDefinition: definition,
      sop,
      compileOptions: COMPILE_OPTIONS,
      caseWritesPerCall: figuresOf(real).stepCost.caseWritesPerCall,
      cases: options.cases,
      timeoutMs: 240_000,
      log,
      progressMs: 10_000,
    });
    log(`  baseline: ${baseline.completed}/${baseline.cases} selesai dalam ${round(baseline.wallMs / 1000, 1)} s`);
  }

  const realFigures = figuresOf(real);
  const baseFigures = baseline ? figuresOf(baseline) : undefined;
  const q = baseFigures ? ratios(realFigures, baseFigures) : undefined;
  const withBase = (
    metric: string,
    unit: string,
    value: number,
    base: number | undefined,
    ratio: number | undefined,
  ): SummaryRow => ({
    metric,
    unit,
    value,
    ...(base !== undefined ? { baseline: base } : {}),
    ...(ratio !== undefined ? { ratio } : {}),
  });
  const summary: SummaryRow[] = [
    withBase('cases per second', 'cases/s', realFigures.casesPerSec, baseFigures?.casesPerSec, q?.casesPerSec),
    withBase(
      'per-step overhead p50',
      'ms',
      realFigures.stepOverheadMs.p50,
      baseFigures?.stepOverheadMs.p50,
      q?.stepOverheadP50,
    ),
    withBase(
      'per-step overhead p95',
      'ms',
      realFigures.stepOverheadMs.p95,
      baseFigures?.stepOverheadMs.p95,
      q?.stepOverheadP95,
    ),
    withBase('case completion p50', 'ms', realFigures.caseMs.p50, baseFigures?.caseMs.p50, q?.caseP50),
    withBase('case completion p95', 'ms', realFigures.caseMs.p95, baseFigures?.caseMs.p95, q?.caseP95),
    ...stepCostRows(realFigures, baseFigures),
  ];
  return {
    summary,
    bench: BENCH_NAME,
    node: process.version,
    cpus: availableParallelism(),
    cases: options.cases,
    script: 'default (first forward choice: lanjut/ya/disepakati)',
    real: {
      ...realFigures,
      extra: {
        ...real.extra,
        actMs: summarize(real.actMs),
        pickupMs: summarize(real.pickupMs),
        actorThreadElu: round(real.actorThreadElu ?? Number.NaN, 2),
        invocations: real.invocations ?? {},
      },
    },
    ...(baseline && baseFigures && q ? { baseline: { ...baseFigures, extra: baseline.extra ?? {} }, ratio: q } : {}),
    baselineHandlers: BASELINE_HANDLERS,
    errors: { real: real.errors.slice(0, 10), baseline: baseline?.errors.slice(0, 10) ?? [] },
  };
}

/** What a step costs, as headline figures (each with the baseline's where it has one). */
function stepCostRows(real: Figures, base: Figures | undefined): SummaryRow[] {
  const r = real.stepCost;
  const b = base?.stepCost;
  const one = (metric: string, unit: string, value: number, baseline: number | undefined): SummaryRow => ({
    metric,
    unit,
    value,
    ...(baseline !== undefined ? { baseline } : {}),
  });
  return [
    one('DynamoDB requests per case', 'requests', r.perCase.dynamodbRequests, b?.perCase.dynamodbRequests),
    one(
      'DynamoDB requests per case, schedule table apart',
      'requests',
      round(r.perCase.dynamodbRequests - r.perCase.schedulerRequests, 1),
      b ? round(b.perCase.dynamodbRequests - b.perCase.schedulerRequests, 1) : undefined,
    ),
    one('case-item reads per activation', 'reads', r.perActivation.caseItemReads, b?.perActivation.caseItemReads),
    one('service-thread CPU per case', 'ms', r.perCase.serviceThreadCpuMs, b?.perCase.serviceThreadCpuMs),
    one(
      'service-thread CPU per activation',
      'ms',
      r.perActivation.serviceThreadCpuMs,
      b?.perActivation.serviceThreadCpuMs,
    ),
    one('schedules created per task', 'puts', r.schedulesPerTask, b?.schedulesPerTask),
    one('Lambda invocations per case (AWS)', 'invocations', r.perCase.lambdaInvocations, b?.perCase.lambdaInvocations),
    one('state transitions per case (AWS)', 'transitions', r.perCase.stateTransitions, b?.perCase.stateTransitions),
  ];
}

export function report(result: ConcurrentCasesResult): string {
  const r = result.real;
  const b = result.baseline;
  const q = result.ratio;
  const row = (name: string, real: number | string, base: number | string | undefined, ratio: number | undefined) => [
    name,
    real,
    base ?? '-',
    ratio === undefined ? '-' : ratio,
  ];
  /** A figure of what a step costs, of the real run and of the baseline. */
  const cost = (name: string, pick: (c: StepCost) => number | string) =>
    row(name, pick(r.stepCost), b ? pick(b.stepCost) : undefined, undefined);
  const split = (c: { getItem: number; query: number; writes: number }) => `${c.getItem} / ${c.query} / ${c.writes}`;
  const lines = [
    `== ${result.bench}: ${result.cases} kasus serentak, skrip ${result.script}; Node ${result.node}, ${result.cpus} CPU`,
    table(
      ['', 'real', 'baseline', 'real/baseline'],
      [
        row('completed', `${r.completed}/${r.cases}`, b ? `${b.completed}/${b.cases}` : undefined, undefined),
        row(
          'activations per case',
          String(r.activationsPerCase),
          b ? String(b.activationsPerCase) : undefined,
          undefined,
        ),
        row('wall time (s)', r.wallS, b?.wallS, undefined),
        row('cases per second', r.casesPerSec, b?.casesPerSec, q?.casesPerSec),
        row('per-step overhead p50 (ms)', r.stepOverheadMs.p50, b?.stepOverheadMs.p50, q?.stepOverheadP50),
        row('per-step overhead p95 (ms)', r.stepOverheadMs.p95, b?.stepOverheadMs.p95, q?.stepOverheadP95),
        row('per-step overhead max (ms)', r.stepOverheadMs.max, b?.stepOverheadMs.max, undefined),
        row('case completion p50 (ms)', r.caseMs.p50, b?.caseMs.p50, q?.caseP50),
        row('case completion p95 (ms)', r.caseMs.p95, b?.caseMs.p95, q?.caseP95),
        row('submission → first task p50 (ms)', r.firstTaskMs.p50, b?.firstTaskMs.p50, undefined),
        row('last act → case end p50 (ms)', r.finishMs.p50, b?.finishMs.p50, undefined),
        row('DynamoDB writes per case', r.dynamodbWritesPerCase, b?.dynamodbWritesPerCase, undefined),
        row('  to case tables', r.dynamodbCaseWritesPerCase, b?.dynamodbCaseWritesPerCase, undefined),
        row(
          '  to document and schedule tables',
          r.dynamodbDocumentWritesPerCase,
          b?.dynamodbDocumentWritesPerCase,
          undefined,
        ),
        ...(r.dynamodbOtherWritesPerCase || b?.dynamodbOtherWritesPerCase
          ? [row('  to other tables', r.dynamodbOtherWritesPerCase, b?.dynamodbOtherWritesPerCase, undefined)]
          : []),
        row('DynamoDB reads per case', r.dynamodbReadsPerCase, b?.dynamodbReadsPerCase, undefined),
        row('service thread busy (ELU)', r.serviceThreadElu, b?.serviceThreadElu, undefined),
        row('process CPU (s)', r.cpuS, b?.cpuS, undefined),
        cost('per case: DynamoDB requests', (c) => c.perCase.dynamodbRequests),
        cost('  GetItem / Query / writes', (c) => split(c.perCase)),
        cost('  to the schedule table (AWS: Scheduler)', (c) => c.perCase.schedulerRequests),
        cost('  case-item reads', (c) => c.perCase.caseItemReads),
        cost('  service-thread CPU (ms)', (c) => c.perCase.serviceThreadCpuMs),
        cost('  AWS: Lambda invocations', (c) => c.perCase.lambdaInvocations),
        cost('  AWS: state transitions', (c) => c.perCase.stateTransitions),
        cost('per activation: DynamoDB requests', (c) => c.perActivation.dynamodbRequests),
        cost('  GetItem / Query / writes', (c) => split(c.perActivation)),
        cost('  case-item reads', (c) => c.perActivation.caseItemReads),
        cost('  service-thread CPU (ms)', (c) => c.perActivation.serviceThreadCpuMs),
        cost('  service thread busy (ms)', (c) => c.perActivation.serviceThreadActiveMs),
        cost('schedules created per task', (c) => c.schedulesPerTask),
      ],
    ),
    `   official's act (GET → POST returned) p50/p95: ${(r.extra.actMs as { p50: number }).p50}/${(r.extra.actMs as { p95: number }).p95} ms; ` +
      `email stored → official's GET p50/p95: ${(r.extra.pickupMs as { p50: number }).p50}/${(r.extra.pickupMs as { p95: number }).p95} ms; ` +
      `actors thread busy (ELU) ${String(r.extra.actorThreadElu)}; peak RSS after the real run ${String(r.extra.peakRssMb)} MB`,
    `   DynamoDB writes per case by table (real): ${Object.entries(r.dynamodbWritesByTablePerCase)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}; case tables ${r.tables.case.join('/')}, document tables ${r.tables.document.join('/')}`,
    ...(b
      ? [
          `   the real run renders its documents with Chromium and signs the naskah (PAdES) in every case, and stores them ` +
            `(S3, documents and register tables); the baseline does no document work, so the ratios include it`,
          `   baseline: ${b.extra.aslIdenticalToRealRun ? 'the very ASL the real runtime registered' : 'ASL NOT checked against the real run'}, ` +
            `no-op handlers, every wait answered at once; executions ${JSON.stringify(b.extra.executions)}`,
        ]
      : []),
    `   case-table writes per call (real, measured; the baseline's no-op handlers add history puts up to these): ${Object.entries(
      r.stepCost.caseWritesPerCall,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} (${OUTSIDE_LAMBDA}: per activation)`,
    `   Lambda invocations by role (real): ${Object.entries(r.extra.invocations ?? {})
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ')}; state transitions and Lambda invocations per case from the executions' histories (AWS bills each)`,
  ];
  // Only the case tables compare: the baseline writes no documents and no register entries, by design. Its writes
  // are paced to the real run's per call, so they differ only by rounding (at most one per bucket and run).
  if (b && Math.abs(r.dynamodbCaseWritesPerCase - b.dynamodbCaseWritesPerCase) > 0.02 * r.dynamodbCaseWritesPerCase)
    lines.push(
      `   WARNING: the baseline made ${b.dynamodbCaseWritesPerCase} DynamoDB writes per case to the case tables, the real run ${r.dynamodbCaseWritesPerCase}: ` +
        'more than 2% apart although the baseline paces its writes to the real run per call (a no-op handler makes more writes of its own than the product now does?)',
    );
  if (r.dynamodbOtherWritesPerCase || b?.dynamodbOtherWritesPerCase)
    lines.push(
      `   WARNING: writes to tables that are neither case nor document tables: ${JSON.stringify(r.dynamodbWritesByTablePerCase)}`,
    );
  const errors = [
    ...result.errors.real.map((e) => `real: ${e}`),
    ...result.errors.baseline.map((e) => `baseline: ${e}`),
  ];
  if (errors.length) lines.push(`   errors (first ${errors.length}):`, ...errors.map((e) => `     ${e}`));
  return lines.join('\n');
}

function parseArgs(argv: string[]): Omit<ConcurrentCasesOptions, 'log'> {
  let cases = 200;
  let baseline = true;
  let keepDataDir = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') cases = 20;
    else if (arg === '--cases') cases = Number(argv[++i]);
    else if (arg.startsWith('--cases=')) cases = Number(arg.slice('--cases='.length));
    else if (arg === '--skip-baseline') baseline = false;
    else if (arg === '--keep') keepDataDir = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(cases) || cases < 1) throw new Error('--cases must be a positive integer');
  return { cases, baseline, keepDataDir };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const options = { ...parseArgs(process.argv.slice(2)), log: (line: string) => process.stderr.write(`${line}\n`) };
  runConcurrentCases(options).then(
    (result) => {
      process.stdout.write(`${report(result)}\n`);
      process.stdout.write(`BENCH_JSON ${JSON.stringify(result)}\n`);
      process.exit(result.errors.real.length || result.errors.baseline.length ? 1 : 0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
