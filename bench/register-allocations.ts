/**
 * Benchmark: the register of document numbers. N allocations at once (distinct cases, one series and year: all
 * on one counter) through DynamoDbRegisterStore.allocate on dynalite, against a baseline in the same run and on
 * the same dynalite: N plain atomic ADD increments of one counter item (the least any allocator must do).
 *
 *   npx tsx bench/register-allocations.ts [--allocations N] [--runs R] [--quick]
 *
 * Defaults N = 1,000, R = 3. Real and baseline runs alternate (real, baseline, real, …) so that a noisy moment of
 * this shared machine hits both; each figure is the median of its runs. Every run is checked: numbers 1..N,
 * distinct, each with exactly one entry. Prints a table, then one line `BENCH_JSON {…}` for run-all.ts.
 * Arguments of other benches that run-all.ts passes on (--cases N, --skip-baseline, --keep) are ignored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NumberingConfigSchema } from '../core/register/numbering.ts';
import { DynamoDbRegisterStore } from '../functions/adapters/register-store.ts';
import { registerTableDefinitions } from '../functions/adapters/register-tables.ts';
import { ensureTables, localDynamoClientConfig, startLocalDynamoDb } from '../local/dynamodb/local-dynamodb.ts';
import type { SummaryRow } from './concurrent-cases.ts';
import { countDynamoDbRequests } from './ddb-counter.ts';
import { cpuMs, percentile, ratio, round, table } from './stats.ts';

export const BENCH_NAME = 'register-allocations';

const NUMBERING = NumberingConfigSchema.parse({
  series: { pks: { pattern: '000.5.4/{n}/409.1.1/{tahun}', label: 'Perjanjian Kerja Sama' } },
});
const TABLES = { register: 'sepakat-register-bench' };
const YEAR = 2026;

interface Options {
  allocations: number;
  runs: number;
  log: (line: string) => void;
}

interface RunFigures {
  ms: number;
  perSecond: number;
  cpuMs: number;
  reads: number;
  writes: number;
}

export interface RegisterAllocationsResult {
  bench: string;
  node: string;
  cpus: number;
  allocations: number;
  runs: number;
  register: { runs: RunFigures[]; perSecond: number; requestsPerAllocation: { reads: number; writes: number } };
  baseline: { runs: RunFigures[]; perSecond: number; what: string };
  ratio: number;
  errors: string[];
  summary: SummaryRow[];
}

const median = (values: number[]) => percentile(values, 50);

export async function runRegisterAllocations(options: Options): Promise<RegisterAllocationsResult> {
  const { allocations: n, runs, log } = options;
  const dir = mkdtempSync(join(tmpdir(), 'sepakat-bench-register-'));
  const dynamodb = await startLocalDynamoDb({ dataDir: dir });
  // N requests at once queue behind the SDK's 50 sockets on purpose (as a busy Lambda's would): no warning.
  const client = new DynamoDBClient({
    ...localDynamoClientConfig(dynamodb.endpoint),
    requestHandler: { socketAcquisitionWarningTimeout: 600_000 },
  });
  const doc = DynamoDBDocumentClient.from(client);
  const counter = countDynamoDbRequests(client);
  const errors: string[] = [];
  const register: RunFigures[] = [];
  const baseline: RunFigures[] = [];

  const measure = async (work: () => Promise<void>): Promise<RunFigures> => {
    counter.reset();
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    await work();
    const ms = performance.now() - started;
    const counts = counter.counts();
    return { ms: round(ms), perSecond: round((n / ms) * 1000), cpuMs: round(cpuMs(cpu0)), ...counts };
  };

  try {
    await ensureTables(client, registerTableDefinitions(TABLES));
    // Warm-up: connections, the table's LevelDB files, the JIT (not counted).
    const warm = new DynamoDbRegisterStore(client, TABLES, { pemdaId: 'bench-pemanasan', numbering: NUMBERING });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        warm.allocate({ caseId: `w${i}`, purpose: 'pks', series: 'pks', year: YEAR }),
      ),
    );

    for (let run = 1; run <= runs; run++) {
      const store = new DynamoDbRegisterStore(client, TABLES, { pemdaId: `bench-${run}`, numbering: NUMBERING });
      let numbers: number[] = [];
      const real = await measure(async () => {
        const entries = await Promise.all(
          Array.from({ length: n }, (_, i) =>
            store.allocate({
              caseId: `kasus-${i}`,
              purpose: 'pks',
              series: 'pks',
              year: YEAR,
              parties: ['Pemerintah Kota Contoh', `Mitra ${i}`],
              perihal: `Kerja sama ${i}`,
            }),
          ),
        );
        numbers = entries.map((e) => e.n);
      });
      const listed = await store.listAll({ year: YEAR, series: 'pks' });
      const sorted = [...numbers].sort((a, b) => a - b);
      if (sorted.some((v, i) => v !== i + 1)) errors.push(`run ${run}: nomor tidak 1..${n} berbeda semua`);
      if (listed.length !== n || listed.some((e, i) => e.n !== i + 1 || e.status !== 'dicadangkan'))
        errors.push(`run ${run}: register tidak berisi tepat satu entri per nomor`);
      register.push(real);
      log(`  register run ${run}: ${n} alokasi dalam ${round(real.ms / 1000, 2)} s (${real.perSecond}/s)`);

      let values: number[] = [];
      const base = await measure(async () => {
        const outs = await Promise.all(
          Array.from({ length: n }, () =>
            doc.send(
              new UpdateCommand({
                TableName: TABLES.register,
                Key: { pk: `bench-baseline-${run}`, sk: '#penghitung' },
                UpdateExpression: 'ADD #last :one',
                ExpressionAttributeNames: { '#last': 'last' },
                ExpressionAttributeValues: { ':one': 1 },
                ReturnValues: 'UPDATED_NEW',
              }),
            ),
          ),
        );
        values = outs.map((o) => Number(o.Attributes?.last));
      });
      if (new Set(values).size !== n || Math.max(...values) !== n)
        errors.push(`baseline run ${run}: ADD tidak memberi 1..${n} berbeda semua`);
      baseline.push(base);
      log(`  baseline run ${run}: ${n} ADD dalam ${round(base.ms / 1000, 2)} s (${base.perSecond}/s)`);
    }
  } finally {
    client.destroy();
    await dynamodb.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const realPerSecond = median(register.map((r) => r.perSecond));
  const basePerSecond = median(baseline.map((r) => r.perSecond));
  const q = ratio(realPerSecond, basePerSecond);
  return {
    bench: BENCH_NAME,
    node: process.version,
    cpus: availableParallelism(),
    allocations: n,
    runs,
    register: {
      runs: register,
      perSecond: realPerSecond,
      requestsPerAllocation: {
        reads: round(median(register.map((r) => r.reads)) / n, 2),
        writes: round(median(register.map((r) => r.writes)) / n, 2),
      },
    },
    baseline: {
      runs: baseline,
      perSecond: basePerSecond,
      what: 'UpdateItem ADD on one counter item, ReturnValues UPDATED_NEW',
    },
    ratio: q,
    errors,
    summary: [
      { metric: 'allocations per second', unit: '1/s', value: realPerSecond, baseline: basePerSecond, ratio: q },
    ],
  };
}

export function report(result: RegisterAllocationsResult): string {
  const rows = result.register.runs.map((r, i) => {
    const b = result.baseline.runs[i]!;
    return [`run ${i + 1}`, r.ms, r.perSecond, b.ms, b.perSecond, ratio(r.perSecond, b.perSecond)];
  });
  return [
    `== ${result.bench}: ${result.allocations} alokasi serentak (satu seri, satu tahun), median dari ${result.runs} run; ` +
      `Node ${result.node}, ${result.cpus} CPU`,
    table(['', 'register ms', 'register /s', 'ADD ms', 'ADD /s', 'register/ADD'], rows),
    '',
    table(
      ['metric', 'register', 'baseline (ADD)', 'ratio'],
      [['allocations per second (median)', result.register.perSecond, result.baseline.perSecond, result.ratio]],
    ),
    `   DynamoDB requests per allocation: ${result.register.requestsPerAllocation.reads} reads, ` +
      `${result.register.requestsPerAllocation.writes} writes (baseline: 1 write)`,
    ...(result.errors.length ? ['   errors:', ...result.errors.map((e) => `     ${e}`)] : []),
  ].join('\n');
}

function parseArgs(argv: string[]): Omit<Options, 'log'> {
  let allocations = 1000;
  let runs = 3;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') allocations = 200;
    else if (arg === '--allocations') allocations = Number(argv[++i]);
    else if (arg.startsWith('--allocations=')) allocations = Number(arg.slice('--allocations='.length));
    else if (arg === '--runs') runs = Number(argv[++i]);
    else if (arg.startsWith('--runs=')) runs = Number(arg.slice('--runs='.length));
    // Meant for other benches (run-all.ts passes every argument to every bench).
    else if (arg === '--cases') i++;
    else if (arg.startsWith('--cases=') || arg === '--skip-baseline' || arg === '--keep') continue;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(allocations) || allocations < 1) throw new Error('--allocations must be a positive integer');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  return { allocations, runs };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const options = { ...parseArgs(process.argv.slice(2)), log: (line: string) => process.stderr.write(`${line}\n`) };
  runRegisterAllocations(options).then(
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
