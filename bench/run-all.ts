/**
 * Runs every benchmark under bench/ (the list below), each in its own Node process so that one bench's heap,
 * ports and timers cannot disturb the next, and prints their figures: each bench's own table as it finishes,
 * then one summary table, then one JSON line per bench for machine reading.
 *
 *   npm run bench [-- --quick | --cases N]
 *
 * A bench script prints a plain-text report on stdout and, as its last line, `BENCH_JSON {…}` with at least
 * `bench` and `summary: [{ metric, unit, value, baseline?, ratio? }]`. Progress goes to stderr. Arguments given
 * here are passed on to every bench.
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SummaryRow } from './concurrent-cases.ts';
import { fmt, table } from './stats.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');

/** Every bench, in the order they run. Add new bench scripts here. */
export const BENCHES: { name: string; file: string }[] = [
  { name: 'concurrent-cases', file: 'concurrent-cases.ts' },
  { name: 'register-allocations', file: 'register-allocations.ts' },
  { name: 'signing', file: 'signing.ts' },
  { name: 'signing-providers', file: 'signing-providers.ts' },
  { name: 'render', file: 'render.ts' },
  { name: 'naskah-preview', file: 'naskah-preview.ts' },
  { name: 'page-images', file: 'page-images.ts' },
  { name: 'bundle-sizes', file: 'bundle-sizes.ts' },
  { name: 'template-sizes', file: 'template-sizes.ts' },
  { name: 'init-times', file: 'init-times.ts' },
  { name: 'analytics', file: 'analytics.ts' },
  { name: 'scheduler-delay', file: 'scheduler-delay.ts' },
  { name: 'naskah-diff', file: 'naskah-diff.ts' },
];

interface BenchOutcome {
  name: string;
  exitCode: number | null;
  seconds: number;
  json?: { bench: string; summary?: SummaryRow[] } & Record<string, unknown>;
}

function runBench(bench: { name: string; file: string }, args: string[]): Promise<BenchOutcome> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, bench.file), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let json: BenchOutcome['json'];
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith('BENCH_JSON ')) {
          try {
            json = JSON.parse(line.slice('BENCH_JSON '.length)) as BenchOutcome['json'];
          } catch {
            process.stdout.write(`${bench.name}: unreadable BENCH_JSON line\n`);
          }
        } else process.stdout.write(`${line}\n`);
      }
    });
    child.on('close', (code) => {
      if (buffered) process.stdout.write(`${buffered}\n`);
      done({ name: bench.name, exitCode: code, seconds: (Date.now() - started) / 1000, ...(json ? { json } : {}) });
    });
  });
}

async function main() {
  const args = process.argv.slice(2);
  process.stderr.write(
    `bench: ${BENCHES.length} bench(es), Node ${process.version}, args: ${args.join(' ') || '(none)'}\n`,
  );
  const outcomes: BenchOutcome[] = [];
  for (const bench of BENCHES) {
    process.stderr.write(`\n--- ${bench.name}\n`);
    outcomes.push(await runBench(bench, args));
  }

  const rows: (string | number)[][] = [];
  for (const o of outcomes) {
    if (!o.json?.summary?.length) {
      rows.push([o.name, `failed (exit ${o.exitCode})`, '', '', '', '']);
      continue;
    }
    o.json.summary.forEach((r, i) =>
      rows.push([
        i ? '' : o.name,
        `${r.metric} (${r.unit})`,
        r.value,
        r.baseline ?? '-',
        r.ratio ?? '-',
        i ? '' : fmt(o.seconds),
      ]),
    );
  }
  process.stdout.write(`\n== summary (real/baseline: both measured in the same run)\n`);
  process.stdout.write(`${table(['bench', 'figure', 'real', 'baseline', 'real/baseline', 'bench s'], rows)}\n\n`);
  for (const o of outcomes)
    process.stdout.write(`${JSON.stringify(o.json ?? { bench: o.name, failed: true, exitCode: o.exitCode })}\n`);
  process.exit(outcomes.every((o) => o.exitCode === 0 && o.json) ? 0 : 1);
}

void main();
