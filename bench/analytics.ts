/**
 * Benchmark: Mutu Baku analytics (core/analytics/mutu-baku.ts) over N synthetic completed cases of the three seed
 * SOPs (bench/synthetic-cases.ts: generated deterministically in memory, with loops, returns, late steps and
 * external waits), every pemda's report over the whole period, as the page computes it.
 *
 *   npx tsx bench/analytics.ts [--analytics-cases N] [--runs R] [--quick]
 *
 * Defaults N = 10,000 cases (about 280,000 activations), R = 5; --quick: N = 2,000, R = 3 (stated in the output).
 * Each run builds a fresh working-time index (its precomputation is counted). Baselines in the same run:
 * - **raw** (alternating with the real runs): the same pass over the same tasks with no calendar and no Mutu Baku,
 *   i.e. parse the two instants, group by SOP and step, sort, take median and p90 of the raw elapsed time: the
 *   floor of any implementation;
 * - **naive** (once, on a sample of the cases): the case timeline (`buildTimeline`, one calendar walk per row and
 *   per case) for each case, then the same grouping; the result is checked equal to the real one on the sample.
 * Prints a table, then one line `BENCH_JSON {…}` for run-all.ts. `--cases` (for other benches) is ignored.
 */
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeMutuBaku, quantileSorted, type CaseFacts, type MutuBakuReport } from '../core/analytics/mutu-baku.ts';
import { createWorkingTimeIndex } from '../core/calendar/working-time-index.ts';
import { UTC_OFFSET_MINUTES } from '../core/calendar/calendar-schema.ts';
import { dayNumber } from '../core/calendar/zone.ts';
import { buildTimeline } from '../core/case/timeline.ts';
import { loadCatalog, type Catalog } from '../functions/adapters/catalog.ts';
import type { SummaryRow } from './concurrent-cases.ts';
import { percentile, ratio, round, table } from './stats.ts';
import { syntheticCases } from './synthetic-cases.ts';

export const BENCH_NAME = 'analytics';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PERIOD = { from: '2026-01-01', to: '2027-12-31' };

interface Options {
  cases: number;
  runs: number;
  quick: boolean;
  log: (line: string) => void;
}

export interface AnalyticsBenchResult {
  bench: string;
  node: string;
  cpus: number;
  quick: boolean;
  cases: number;
  activations: number;
  counted: number;
  runs: number;
  generateMs: number;
  real: { runsMs: number[]; ms: number; activationsPerSecond: number };
  raw: { runsMs: number[]; ms: number; activationsPerSecond: number; what: string };
  naive: {
    sampleCases: number;
    sampleActivations: number;
    ms: number;
    realMs: number;
    msPer10k: number;
    realMsPer10k: number;
  };
  ratio: number;
  errors: string[];
  summary: SummaryRow[];
}

const median = (values: number[]) => percentile(values, 50);

/** Every pemda's report over the period: what the page computes, once per pemda. */
function real(catalog: Catalog, cases: readonly CaseFacts[], pemdaIds: string[]): MutuBakuReport[] {
  return pemdaIds.map((pemdaId) => {
    const calendar = catalog.pemda(pemdaId).calendar;
    return computeMutuBaku({
      cases,
      filter: { pemdaId, ...PERIOD },
      calendar,
      index: createWorkingTimeIndex(calendar),
      sop: (key) => catalog.sops.get(key),
    });
  });
}

/** The floor: the same tasks grouped and summarised on raw elapsed time (no calendar, no standard). */
function raw(catalog: Catalog, cases: readonly CaseFacts[], pemdaIds: string[]): number {
  let counted = 0;
  for (const pemdaId of pemdaIds) {
    const offset = UTC_OFFSET_MINUTES[catalog.pemda(pemdaId).calendar.timeZone] * 60_000;
    const [fromDay, toDay] = [dayNumber(PERIOD.from), dayNumber(PERIOD.to)];
    const groups = new Map<string, number[]>();
    for (const { record, tasks } of cases) {
      if (record.pemdaId !== pemdaId) continue;
      for (const task of tasks) {
        if (!task.decision) continue;
        const done = Date.parse(task.decision.at);
        const day = Math.floor((done + offset) / 86_400_000);
        if (day < fromDay || day > toDay) continue;
        const key = `${record.sopId}#${task.node}`;
        let list = groups.get(key);
        if (!list) groups.set(key, (list = []));
        list.push((done - Date.parse(task.openedAt)) / 60_000);
        counted++;
      }
    }
    for (const list of groups.values()) {
      const sorted = Float64Array.from(list).sort();
      quantileSorted(sorted, 0.5);
      quantileSorted(sorted, 0.9);
    }
  }
  return counted;
}

/** The naive way: the case timeline for each case, then the same figures per SOP and step. */
function naive(catalog: Catalog, cases: readonly CaseFacts[], pemdaIds: string[]) {
  const out = new Map<string, { n: number; median: number; onTime: number; late: number }>();
  const groups = new Map<string, { used: number[]; onTime: number; late: number }>();
  const now = new Date(`${PERIOD.to}T23:59:59+07:00`);
  for (const { record, tasks } of cases) {
    if (!pemdaIds.includes(record.pemdaId)) continue;
    const pemda = catalog.pemda(record.pemdaId);
    const timeline = buildTimeline({
      record,
      tasks,
      history: [],
      sop: catalog.sops.get(record.sopKey),
      calendar: pemda.calendar,
      timeZone: pemda.calendar.timeZone,
      now,
    });
    for (const row of timeline.rows) {
      if (!row.doneAt) continue;
      const day = pemda.calendar.localDate(new Date(row.doneAt));
      if (day < PERIOD.from || day > PERIOD.to) continue;
      const key = `${record.pemdaId}#${record.sopId}#${row.node}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { used: [], onTime: 0, late: 0 }));
      g.used.push(row.usedMinutes);
      if (row.status === 'tepat waktu') g.onTime++;
      if (row.status === 'terlambat') g.late++;
    }
  }
  for (const [key, g] of groups) {
    const sorted = Float64Array.from(g.used).sort();
    out.set(key, { n: g.used.length, median: quantileSorted(sorted, 0.5), onTime: g.onTime, late: g.late });
  }
  return out;
}

export function runAnalyticsBench(options: Options): AnalyticsBenchResult {
  const { cases: n, runs, log } = options;
  const catalog = loadCatalog({ sopDirs: [join(ROOT, 'sops')], configDir: join(ROOT, 'config') });
  const seedSops = catalog.sops.all().map((sop) => ({ sop, calendar: catalog.pemda(sop.definition.pemda).calendar }));
  const pemdaIds = [...new Set(seedSops.map((s) => s.sop.definition.pemda))];
  const errors: string[] = [];

  const g0 = performance.now();
  const cases = syntheticCases({ cases: n, sops: seedSops });
  const generateMs = performance.now() - g0;
  const activations = cases.reduce((sum, c) => sum + c.tasks.length, 0);
  log(`  ${n} kasus sintetis, ${activations} pelaksanaan langkah, dibuat dalam ${round(generateMs / 1000, 2)} s`);

  // Warm-up (JIT), not counted.
  real(catalog, cases.slice(0, Math.min(500, n)), pemdaIds);
  raw(catalog, cases.slice(0, Math.min(500, n)), pemdaIds);

  const realMs: number[] = [];
  const rawMs: number[] = [];
  let counted = 0;
  let rawCounted = 0;
  for (let run = 1; run <= runs; run++) {
    let t0 = performance.now();
    const reports = real(catalog, cases, pemdaIds);
    realMs.push(performance.now() - t0);
    counted = reports.reduce((sum, r) => sum + r.activations, 0);
    t0 = performance.now();
    rawCounted = raw(catalog, cases, pemdaIds);
    rawMs.push(performance.now() - t0);
    log(`  run ${run}: analitik ${round(realMs.at(-1)!)} ms, baseline mentah ${round(rawMs.at(-1)!)} ms`);
  }
  if (counted !== rawCounted) errors.push(`jumlah pelaksanaan berbeda: analitik ${counted}, baseline ${rawCounted}`);

  // The naive way on a sample (it is slow), checked equal to the real figures on the same sample.
  const sample = cases.slice(0, Math.min(n, options.quick ? 200 : 1000));
  const sampleActivations = sample.reduce((sum, c) => sum + c.tasks.length, 0);
  let t0 = performance.now();
  const naiveFigures = naive(catalog, sample, pemdaIds);
  const naiveMs = performance.now() - t0;
  t0 = performance.now();
  const sampleReports = real(catalog, sample, pemdaIds);
  const sampleRealMs = performance.now() - t0;
  let compared = 0;
  for (const report of sampleReports)
    for (const sop of report.sops)
      for (const step of [...sop.steps, ...sop.external]) {
        const expected = naiveFigures.get(`${report.filter.pemdaId}#${sop.sopId}#${step.node}`);
        const got = { n: step.n, median: step.medianMinutes, onTime: step.onTime, late: step.late };
        if (JSON.stringify(expected) !== JSON.stringify(got))
          errors.push(`${sop.sopId} ${step.node}: naif ${JSON.stringify(expected)}, analitik ${JSON.stringify(got)}`);
        compared++;
      }
  if (compared !== naiveFigures.size) errors.push(`langkah: naif ${naiveFigures.size}, analitik ${compared}`);

  const ms = median(realMs);
  const base = median(rawMs);
  const perSecond = (count: number, t: number) => round((count / t) * 1000, 0);
  const per10k = (t: number, count: number) => round((t / count) * 10_000, 1);
  const q = ratio(ms, base);
  const naiveRatio = ratio(per10k(sampleRealMs, sampleActivations), per10k(naiveMs, sampleActivations), 3);
  return {
    bench: BENCH_NAME,
    node: process.version,
    cpus: availableParallelism(),
    quick: options.quick,
    cases: n,
    activations,
    counted,
    runs,
    generateMs: round(generateMs),
    real: { runsMs: realMs.map((v) => round(v)), ms: round(ms), activationsPerSecond: perSecond(counted, ms) },
    raw: {
      runsMs: rawMs.map((v) => round(v)),
      ms: round(base),
      activationsPerSecond: perSecond(rawCounted, base),
      what: 'the same tasks grouped by SOP and step; raw elapsed time (no calendar, no Mutu Baku); sort, median, p90',
    },
    naive: {
      sampleCases: sample.length,
      sampleActivations,
      ms: round(naiveMs),
      realMs: round(sampleRealMs),
      msPer10k: per10k(naiveMs, sampleActivations),
      realMsPer10k: per10k(sampleRealMs, sampleActivations),
    },
    ratio: q,
    errors,
    summary: [
      { metric: `analytics, ${n} cases`, unit: 'ms', value: round(ms), baseline: round(base), ratio: q },
      {
        metric: 'activations per second',
        unit: '1/s',
        value: perSecond(counted, ms),
        baseline: perSecond(rawCounted, base),
        ratio: ratio(perSecond(counted, ms), perSecond(rawCounted, base)),
      },
      {
        metric: 'vs naive timeline per case',
        unit: 'ms/10k act.',
        value: per10k(sampleRealMs, sampleActivations),
        baseline: per10k(naiveMs, sampleActivations),
        ratio: naiveRatio,
      },
    ],
  };
}

export function report(r: AnalyticsBenchResult): string {
  return [
    `== ${r.bench}: Mutu Baku analytics over ${r.cases} synthetic completed cases${r.quick ? ' (--quick: fewer cases than the 10,000 of the full bench)' : ''}, ` +
      `${r.activations} activations (${r.counted} in the period), median of ${r.runs} runs; Node ${r.node}, ${r.cpus} CPU`,
    `   cases generated in ${round(r.generateMs / 1000, 2)} s (not counted)`,
    table(
      ['', 'ms (median)', 'runs ms', 'activations/s'],
      [
        ['analytics (calendar, Mutu Baku)', r.real.ms, r.real.runsMs.join(' '), r.real.activationsPerSecond],
        ['baseline: raw elapsed, no calendar', r.raw.ms, r.raw.runsMs.join(' '), r.raw.activationsPerSecond],
      ],
    ),
    `   analytics / raw baseline: ${r.ratio}`,
    `   naive (case timeline per case) on ${r.naive.sampleCases} cases (${r.naive.sampleActivations} activations): ` +
      `${r.naive.ms} ms vs ${r.naive.realMs} ms for the analytics on the same sample ` +
      `(${r.naive.msPer10k} vs ${r.naive.realMsPer10k} ms per 10,000 activations); figures checked equal`,
    ...(r.errors.length ? ['   errors:', ...r.errors.slice(0, 20).map((e) => `     ${e}`)] : []),
  ].join('\n');
}

function parseArgs(argv: string[]): Omit<Options, 'log'> {
  let cases = 10_000;
  let runs = 5;
  let quick = false;
  let casesGiven = false;
  let runsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--analytics-cases') [cases, casesGiven] = [Number(argv[++i]), true];
    else if (arg.startsWith('--analytics-cases=')) [cases, casesGiven] = [Number(arg.split('=')[1]), true];
    else if (arg === '--runs') [runs, runsGiven] = [Number(argv[++i]), true];
    else if (arg.startsWith('--runs=')) [runs, runsGiven] = [Number(arg.split('=')[1]), true];
    // Meant for other benches (run-all.ts passes every argument to every bench).
    else if (arg === '--cases') i++;
    else if (arg.startsWith('--cases=') || arg === '--skip-baseline' || arg === '--keep') continue;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (quick && !casesGiven) cases = 2_000;
  if (quick && !runsGiven) runs = 3;
  if (!Number.isInteger(cases) || cases < 1) throw new Error('--analytics-cases must be a positive integer');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  return { cases, runs, quick };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const options = { ...parseArgs(process.argv.slice(2)), log: (line: string) => process.stderr.write(`${line}\n`) };
    const result = runAnalyticsBench(options);
    process.stdout.write(`${report(result)}\n`);
    process.stdout.write(`BENCH_JSON ${JSON.stringify(result)}\n`);
    process.exit(result.errors.length ? 1 : 0);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  }
}
