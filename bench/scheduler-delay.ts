/**
 * Benchmark: the delay of the durable local scheduler between an item's due time and its firing, under load.
 * The real parts of the embedded default: dynalite (`startLocalDynamoDb`), the schedule table and
 * `DynamoDbScheduler` (functions/adapters/dynamodb-scheduler.ts) and the loop of `local/local-scheduler.ts`, on the
 * real clock with a short interval. N items are scheduled with due times spread evenly over a window, each with a
 * job that only records when it ran; then the loop fires them.
 *
 *   npx tsx bench/scheduler-delay.ts [--schedules N] [--window-s S] [--interval-ms I] [--quick]
 *
 * Defaults N = 1,000 over 15 s, interval 250 ms; --quick: N = 200 over 5 s. Figures: p50 / p90 / p99 / max of
 * (fired − due), items fired exactly once (must be N), duplicates (must be 0), items left waiting (must be 0).
 * Baseline in the same run, on the same dynalite: the same measurement with 10 items over the same window (the
 * delay the loop's interval alone gives); the ratio is real / baseline. Prints a table, then `BENCH_JSON {…}`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Job } from '../core/case/jobs.ts';
import { DynamoDbScheduler, scheduleTableDefinition } from '../functions/adapters/dynamodb-scheduler.ts';
import { ensureTables, localDynamoClientConfig, startLocalDynamoDb } from '../local/dynamodb/local-dynamodb.ts';
import { startLocalScheduler } from '../local/local-scheduler.ts';
import type { SummaryRow } from './concurrent-cases.ts';
import { mapLimit, percentile, ratio, round, table } from './stats.ts';

export const BENCH_NAME = 'scheduler-delay';

interface Options {
  schedules: number;
  windowMs: number;
  intervalMs: number;
  quick: boolean;
  log: (line: string) => void;
}

export interface DelayFigures {
  schedules: number;
  windowMs: number;
  /** Time to schedule every item (conditional puts, 32 at a time). */
  scheduleMs: number;
  /** Items whose due time had passed before scheduling ended (their delay includes waiting to be scheduled). */
  dueBeforeScheduled: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Items whose job ran exactly once. */
  firedOnce: number;
  duplicates: number;
  /** Items never fired before the deadline. */
  missed: number;
  /** Items the table still lists as waiting or firing at the end. */
  leftWaiting: number;
  /** Items done in the table with more than one claim. */
  reclaimed: number;
  /** Items fired per second, first firing to last. */
  firedPerSecond: number;
  /** The machine's 1-minute load average at the end (this machine is shared: a high one explains noise). */
  loadAverage: number;
}

export interface SchedulerDelayResult {
  bench: string;
  node: string;
  cpus: number;
  quick: boolean;
  intervalMs: number;
  real: DelayFigures;
  baseline: DelayFigures & { what: string };
  ratio: { p50: number; p99: number };
  errors: string[];
  summary: SummaryRow[];
}

/** A job as the product schedules them; the task id only names the item (nothing reads the task). */
const jobOf = (run: string, i: number): Extract<Job, { kind: 'pengingat-tugas' }> => ({
  kind: 'pengingat-tugas',
  taskId: `${run}${String(i).padStart(22 - run.length, '0')}`,
  stage: 'terlambat',
  ke: 1,
});

async function measure(
  client: DynamoDBClient,
  label: string,
  count: number,
  windowMs: number,
  intervalMs: number,
  log: (line: string) => void,
): Promise<DelayFigures> {
  const tableName = `sepakat-jadwal-bench-${label}`;
  await ensureTables(client, [scheduleTableDefinition(tableName)]);
  const clock = { now: () => new Date() };
  const store = new DynamoDbScheduler(client, tableName, { clock, owner: `bench-${label}` });
  const runs = new Map<string, number[]>();
  const due = new Map<string, number>();

  // Room to schedule everything before the first item falls due (measured: about 5 ms a put on dynalite, 32 at
  // a time, as each put also writes the table's index); an item due before it was scheduled is reported.
  const started = Date.now();
  const base = started + 1500 + count * 10;
  const items = Array.from({ length: count }, (_, i) => {
    const job = jobOf(label, i);
    const at = base + Math.floor((i * windowMs) / count);
    due.set(job.taskId, at);
    return { key: `bench.${job.taskId}`, at: new Date(at), job };
  });
  await mapLimit(items, 32, (item) => store.schedule(item));
  const scheduledAt = Date.now();
  const dueBeforeScheduled = items.filter((i) => i.at.getTime() < scheduledAt).length;
  log(
    `  ${label}: ${count} jadwal dibuat dalam ${scheduledAt - started} ms; tembak mulai ${base - scheduledAt} ms lagi`,
  );

  let allFired!: () => void;
  const done = new Promise<void>((resolve) => (allFired = resolve));
  const loop = await startLocalScheduler({
    schedule: store,
    clock,
    intervalMs,
    log,
    run: async (job) => {
      if (job.kind !== 'pengingat-tugas') return null;
      const list = runs.get(job.taskId) ?? [];
      list.push(Date.now());
      runs.set(job.taskId, list);
      if (runs.size === count) allFired();
      return { dicatat: true };
    },
  });
  const deadline = base + windowMs + 30_000;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    done,
    new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
  ]);
  clearTimeout(timer);
  // One more interval so that a duplicate firing, if the loop made one, would be seen.
  await new Promise((resolve) => setTimeout(resolve, intervalMs * 2));
  await loop.stop();

  const delays: number[] = [];
  let firedOnce = 0;
  let duplicates = 0;
  for (const [taskId, times] of runs) {
    delays.push(times[0]! - due.get(taskId)!);
    if (times.length === 1) firedOnce++;
    else duplicates += times.length - 1;
  }
  const fireTimes = [...runs.values()].map((t) => t[0]!);
  const span = fireTimes.length > 1 ? Math.max(...fireTimes) - Math.min(...fireTimes) : Number.NaN;
  const leftWaiting = (await store.waiting()).length;
  const records = await mapLimit(items, 32, (item) => store.get(item.key));
  const reclaimed = records.filter((r) => r?.state === 'done' && r.attempts > 1).length;
  return {
    schedules: count,
    windowMs,
    scheduleMs: scheduledAt - started,
    dueBeforeScheduled,
    p50: percentile(delays, 50),
    p90: percentile(delays, 90),
    p99: percentile(delays, 99),
    max: delays.length ? Math.max(...delays) : Number.NaN,
    firedOnce,
    duplicates,
    missed: count - runs.size,
    leftWaiting,
    reclaimed,
    firedPerSecond: round((fireTimes.length / span) * 1000, 1),
    loadAverage: round(loadavg()[0]!, 1),
  };
}

export async function runSchedulerDelay(options: Options): Promise<SchedulerDelayResult> {
  const { schedules, windowMs, intervalMs, log } = options;
  const dir = mkdtempSync(join(tmpdir(), 'sepakat-bench-jadwal-'));
  const dynamodb = await startLocalDynamoDb({ dataDir: dir });
  const client = new DynamoDBClient(localDynamoClientConfig(dynamodb.endpoint));
  const errors: string[] = [];
  let real: DelayFigures;
  let baseline: DelayFigures;
  try {
    // Warm-up: the connection, the LevelDB files, the JIT (not counted).
    await measure(client, 'pemanasan', 20, 500, intervalMs, () => undefined);
    real = await measure(client, 'beban', schedules, windowMs, intervalMs, log);
    baseline = await measure(client, 'dasar', 10, windowMs, intervalMs, log);
  } finally {
    client.destroy();
    await dynamodb.close();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [name, f] of [
    ['real', real],
    ['baseline', baseline],
  ] as const) {
    if (f.firedOnce !== f.schedules) errors.push(`${name}: ${f.firedOnce} of ${f.schedules} fired exactly once`);
    if (f.duplicates) errors.push(`${name}: ${f.duplicates} duplicate firings`);
    if (f.leftWaiting) errors.push(`${name}: ${f.leftWaiting} items still waiting`);
    if (f.dueBeforeScheduled) errors.push(`${name}: ${f.dueBeforeScheduled} items fell due before they were scheduled`);
  }
  const q = { p50: ratio(real.p50, baseline.p50), p99: ratio(real.p99, baseline.p99) };
  return {
    bench: BENCH_NAME,
    node: process.version,
    cpus: availableParallelism(),
    quick: options.quick,
    intervalMs,
    real,
    baseline: { ...baseline, what: `10 items over the same window, same loop and interval (${intervalMs} ms)` },
    ratio: q,
    errors,
    summary: [
      {
        metric: `delay p50, ${schedules} schedules`,
        unit: 'ms',
        value: real.p50,
        baseline: baseline.p50,
        ratio: q.p50,
      },
      {
        metric: `delay p99, ${schedules} schedules`,
        unit: 'ms',
        value: real.p99,
        baseline: baseline.p99,
        ratio: q.p99,
      },
      { metric: 'fired exactly once', unit: 'items', value: real.firedOnce, baseline: schedules },
      { metric: 'duplicate firings', unit: 'items', value: real.duplicates, baseline: 0 },
    ],
  };
}

export function report(r: SchedulerDelayResult): string {
  const row = (name: string, f: DelayFigures) => [
    name,
    f.schedules,
    round(f.windowMs / 1000, 1),
    f.p50,
    f.p90,
    f.p99,
    f.max,
    f.firedOnce,
    f.duplicates,
    f.missed,
    f.leftWaiting,
  ];
  return [
    `== ${r.bench}: local scheduler (dynalite + DynamoDbScheduler + local loop, real clock, interval ${r.intervalMs} ms)` +
      `${r.quick ? ' (--quick: fewer schedules than the 1,000 of the full bench)' : ''}; Node ${r.node}, ${r.cpus} CPU`,
    table(
      ['', 'items', 'window s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'once', 'dup', 'missed', 'waiting'],
      [row('under load', r.real), row('baseline (10 items)', r.baseline)],
    ),
    `   delay = fired − due; real/baseline: p50 ${r.ratio.p50}, p99 ${r.ratio.p99}; scheduling ${r.real.schedules} items took ` +
      `${r.real.scheduleMs} ms (32 at a time); claimed more than once: ${r.real.reclaimed}`,
    `   firing rate under load ${r.real.firedPerSecond}/s (offered ${round((r.real.schedules / r.real.windowMs) * 1000, 1)}/s); ` +
      `load average ${r.real.loadAverage} on ${r.cpus} CPU`,
    ...(r.errors.length ? ['   errors:', ...r.errors.map((e) => `     ${e}`)] : []),
  ].join('\n');
}

function parseArgs(argv: string[]): Omit<Options, 'log'> {
  let schedules = 1000;
  let windowS = 15;
  let intervalMs = 250;
  let quick = false;
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg];
    const value = () => Number(inline ?? argv[++i]);
    if (name === '--quick') quick = true;
    else if (name === '--schedules') {
      schedules = value();
      given.add(name);
    } else if (name === '--window-s') {
      windowS = value();
      given.add(name);
    } else if (name === '--interval-ms') intervalMs = value();
    // Meant for other benches (run-all.ts passes every argument to every bench).
    else if (name === '--cases' || name === '--runs' || name === '--analytics-cases') {
      if (inline === undefined) i++;
    } else if (name === '--skip-baseline' || name === '--keep') continue;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (quick && !given.has('--schedules')) schedules = 200;
  if (quick && !given.has('--window-s')) windowS = 5;
  if (!Number.isInteger(schedules) || schedules < 1) throw new Error('--schedules must be a positive integer');
  if (!(windowS > 0)) throw new Error('--window-s must be positive');
  if (!Number.isInteger(intervalMs) || intervalMs < 10) throw new Error('--interval-ms must be an integer ≥ 10');
  return { schedules, windowMs: windowS * 1000, intervalMs, quick };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const options = { ...parseArgs(process.argv.slice(2)), log: (line: string) => process.stderr.write(`${line}\n`) };
  runSchedulerDelay(options).then(
    (result) => {
      process.stdout.write(`${report(result)}\n`);
      process.stdout.write(`BENCH_JSON ${JSON.stringify(result)}\n`);
      process.exit(result.errors.length ? 1 : 0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
