/**
 * Init time of each Lambda bundle: every entry builds its App in the init phase (top-level await in
 * functions/lambda/*.ts), so a cold start is the import of the bundle, which now includes the App's build
 * (configuration, the SOP catalog and the pemda directories from the files beside the bundle, templates, clients).
 *
 *   npx tsx bench/init-times.ts [--runs N | --quick]
 *
 * Each distinct bundle (infra/functions.ts, bundled as the stack bundles it: bench/bundle-sizes.ts; the Chromium
 * layer's modules where the bundle resolves them, as in Lambda) is imported in
 * a fresh Node process, N times (default 7; --quick 3), with the environment a deployed function has (tables,
 * buckets, the link key, the data beside the bundle; endpoints that are never called: the build makes no request).
 *
 * Baseline, in the same run and the same way: the same bundle's modules loaded without the build, i.e. a bundle of
 * a generated entry that imports everything the real entry imports and calls nothing. real − baseline is what
 * building the App adds to the init phase.
 *
 * Figures: the median and p95 of the time from the child's start of `import()` to its resolution, per bundle.
 * Prints a table and, last, `BENCH_JSON {"bench":"init-times",…}`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ChromiumLayerBundling } from '../infra/chromium-layer.ts';
import { FUNCTIONS, type FunctionSpec } from '../infra/functions.ts';
import { bundleFunction, ROOT } from './bundle-sizes.ts';
import type { SummaryRow } from './concurrent-cases.ts';
import { ratio, round, summarize, table } from './stats.ts';

/**
 * The environment of a deployed function whose bundle is in `dir` (as infra/stateless-stack.ts gives it, with the
 * link key itself instead of its secret). The endpoints name a closed port: an init that made a request would fail.
 */
export function lambdaEnvironment(dir: string): Record<string, string> {
  const closed = 'http://127.0.0.1:9';
  return {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'ap-southeast-3',
    AWS_ACCESS_KEY_ID: 'local-development',
    AWS_SECRET_ACCESS_KEY: 'local-development',
    SEPAKAT_REGION: 'ap-southeast-3',
    SEPAKAT_ENDPOINT_DYNAMODB: closed,
    SEPAKAT_ENDPOINT_S3: closed,
    SEPAKAT_ENDPOINT_SFN: closed,
    SEPAKAT_ENDPOINT_SES: closed,
    SEPAKAT_TABLE_CASES: 'sepakat-kasus',
    SEPAKAT_TABLE_TASKS: 'sepakat-tugas',
    SEPAKAT_TABLE_HISTORY: 'sepakat-riwayat',
    SEPAKAT_TABLE_DOCUMENTS: 'sepakat-dokumen',
    SEPAKAT_TABLE_REGISTER: 'sepakat-register',
    SEPAKAT_TABLE_AGREEMENTS: 'sepakat-perjanjian',
    SEPAKAT_TABLE_INTAKE: 'sepakat-permohonan',
    SEPAKAT_TABLE_LIMITS: 'sepakat-batas',
    SEPAKAT_BUCKET_INTAKE: 'sepakat-masuk',
    SEPAKAT_BUCKET_DOCUMENTS: 'sepakat-dokumen',
    SEPAKAT_BUCKET_ARCHIVE: 'sepakat-arsip',
    SEPAKAT_STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:ap-southeast-3:000000000000:stateMachine:',
    SEPAKAT_PUBLIC_BASE_URL: 'https://sepakat.example.go.id',
    SEPAKAT_MAIL_FROM: 'Sepakat <tidak-membalas@sepakat.test>',
    SEPAKAT_LINK_KEY: Buffer.alloc(32, 7).toString('base64'),
    // The http function's other two keys (read when its web app is built), as its secrets give them in AWS.
    SEPAKAT_CODE_KEY: Buffer.alloc(32, 8).toString('base64'),
    SEPAKAT_SESSION_KEY: Buffer.alloc(32, 9).toString('base64'),
    SEPAKAT_SOP_DIRS: join(dir, 'sops'),
    SEPAKAT_CONFIG_DIR: join(dir, 'config'),
    SEPAKAT_TEMPLATES_DIR: join(dir, 'templates'),
  };
}

/** Imports `file` in a fresh Node process started in `cwd`; the milliseconds `import()` took, measured there. */
export async function importMs(file: string, cwd: string, env: Record<string, string>): Promise<number> {
  const script = `const t0 = performance.now();
    const m = await import(${JSON.stringify(pathToFileURL(file).href)});
    const ms = performance.now() - t0;
    process.stdout.write(JSON.stringify({ ms, exports: Object.keys(m).length }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    env,
    timeout: 60_000,
  });
  const out = JSON.parse(stdout) as { ms: number; exports: number };
  if (!out.exports) throw new Error(`${file}: no export`);
  return out.ms;
}

/**
 * The baseline entry of a function, written into `workDir`: every module its entry imports (by absolute path, so
 * nothing is written into the source tree), loaded and kept (so nothing is tree-shaken), nothing called.
 */
function baselineEntry(spec: FunctionSpec, root: string, workDir: string): string {
  const entry = join(root, spec.entry);
  const source = readFileSync(entry, 'utf8');
  const specifiers = [...source.matchAll(/^import\s+(?!type\b)[^'"]*?from\s+'([^']+)';/gms)].map((m) => m[1]!);
  const absolute = (s: string) =>
    s.startsWith('.') ? resolve(dirname(entry), s) : fileURLToPath(import.meta.resolve(s, pathToFileURL(entry)));
  const lines = specifiers.map((s, i) => `import * as m${i} from ${JSON.stringify(absolute(s))};`);
  lines.push(`export const loaded = [${specifiers.map((_, i) => `m${i}`).join(', ')}].length;`);
  const file = join(workDir, `init-baseline-${spec.id}.ts`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** `--runs N` (or `--runs=N`), `--quick` for 3; default 7. Not `--cases`, which `npm run bench` gives every bench. */
function runsArg(argv: readonly string[]): number {
  let n = 7;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') n = 3;
    else if (arg === '--runs') n = Number(argv[++i]);
    else if (arg.startsWith('--runs=')) n = Number(arg.slice('--runs='.length));
  }
  if (!Number.isInteger(n) || n < 1) throw new Error('--runs harus bilangan bulat positif');
  return n;
}

async function main() {
  const runs = runsArg(process.argv);
  const workDir = mkdtempSync(join(tmpdir(), 'sepakat-init-'));
  const distinct = FUNCTIONS.filter(
    (f, i) => FUNCTIONS.findIndex((g) => g.entry === f.entry && g.chromium === f.chromium) === i,
  );
  const rows: (string | number)[][] = [];
  const summary: SummaryRow[] = [];
  const functions: Record<string, unknown>[] = [];
  try {
    // The Chromium functions import @sparticuz/chromium from their layer: Lambda's layout, approximated as in
    // test/infra.test.ts (the layer's node_modules where Node's resolution from the bundles finds it).
    if (distinct.some((f) => f.chromium)) {
      const layer = join(workDir, 'layer');
      new ChromiumLayerBundling(ROOT).tryBundle(layer);
      symlinkSync(join(layer, 'nodejs', 'node_modules'), join(workDir, 'node_modules'), 'dir');
    }
    for (const spec of distinct) {
      process.stderr.write(`init-times: ${spec.id} (${spec.entry})\n`);
      const dir = join(workDir, spec.id);
      await bundleFunction(spec, dir);
      const baseDir = join(workDir, `${spec.id}-baseline`);
      const entry = baselineEntry(spec, ROOT, workDir);
      await bundleFunction({ ...spec, entry: relative(ROOT, entry) }, baseDir);
      const env = lambdaEnvironment(dir);
      const real: number[] = [];
      const base: number[] = [];
      // Alternated, so that the machine's load falls on both alike.
      for (let i = 0; i < runs; i++) {
        real.push(await importMs(join(dir, 'index.mjs'), dir, env));
        base.push(await importMs(join(baseDir, 'index.mjs'), baseDir, lambdaEnvironment(baseDir)));
      }
      const r = summarize(real);
      const b = summarize(base);
      const same = FUNCTIONS.filter((f) => f.entry === spec.entry && f.chromium === spec.chromium).map((f) => f.id);
      rows.push([same.join(', '), round(r.p50), round(r.p95), round(b.p50), round(r.p50 - b.p50), ratio(r.p50, b.p50)]);
      summary.push({
        metric: `${spec.id} init (import + App)`,
        unit: 'ms p50',
        value: round(r.p50),
        baseline: round(b.p50),
        ratio: ratio(r.p50, b.p50),
      });
      functions.push({
        functions: same,
        initMsP50: round(r.p50),
        initMsP95: round(r.p95),
        importOnlyMsP50: round(b.p50),
        importOnlyMsP95: round(b.p95),
        runs,
      });
    }
    process.stdout.write(
      `${table(['functions', 'init p50 ms', 'init p95 ms', 'import only p50 ms', 'App build ms', 'init/import'], rows)}\n`,
    );
    process.stdout.write(
      `init = import of the bundle, whose top-level await builds the App; import only = the same modules, nothing called (${runs} runs each, fresh processes, this machine)\n`,
    );
    process.stdout.write(
      `BENCH_JSON ${JSON.stringify({ bench: 'init-times', node: process.version, runs, functions, summary })}\n`,
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
