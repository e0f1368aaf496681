/** Small statistics and formatting helpers shared by the benchmarks. */
import { readFileSync } from 'node:fs';

/** Nearest-rank percentile (p in 0..100) of an unsorted sample; NaN for an empty one. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    max: round(values.length ? Math.max(...values) : Number.NaN),
  };
}

export function round(value: number, digits = 1): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** real / baseline, rounded; NaN when either is missing. */
export function ratio(real: number, baseline: number, digits = 2): number {
  if (!Number.isFinite(real) || !Number.isFinite(baseline) || baseline === 0) return Number.NaN;
  return round(real / baseline, digits);
}

/** A plain-text table with left-aligned first column and right-aligned others. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (Math.abs(n) >= 100) return String(Math.round(n));
  return String(round(n, 2));
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** CPU time of this process (user + system, ms) since `since`. */
export function cpuMs(since?: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

/**
 * CPU time (user + system, ms) of the calling thread alone: `process.threadCpuUsage` where Node has it (22.19+),
 * else the thread's own line of /proc (Linux; the main thread's task id is the pid), else undefined. The service
 * thread of a bench runs the services and handlers; the scripted people run in a worker, Chromium in its own process.
 */
export function threadCpuMs(): number | undefined {
  const own = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  if (typeof own === 'function') {
    const u = own.call(process);
    return (u.user + u.system) / 1000;
  }
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in ticks of 10 ms.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Polls `check` every `everyMs` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * The count of a bench run from its arguments: `--<flag> N` or `--<flag>=N` (also `--cases`, which `npm run bench`
 * passes to every bench), `--quick` for the small count; the default otherwise.
 */
export function countArg(argv: readonly string[], o: { flag: string; normal: number; quick: number }): number {
  let n = o.normal;
  const named = [`--${o.flag}`, '--cases'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') n = o.quick;
    else if (named.includes(arg)) n = Number(argv[++i]);
    else if (named.some((f) => arg.startsWith(`${f}=`))) n = Number(arg.split('=')[1]);
  }
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${o.flag} must be a positive integer`);
  return n;
}
