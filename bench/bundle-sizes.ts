/**
 * Bundle sizes of the Lambda functions: each function of infra/functions.ts bundled with esbuild exactly as the CDK
 * stack bundles it (entry, handler export, `ESBUILD`, `EXTERNAL_MODULES`, `aliasesOf`), with what the stack copies
 * beside the bundle (`besideBundle`: the data directories, and the fonts for the document function), zipped with
 * jszip at DEFLATE level 9 (about what a Lambda deployment package weighs).
 *
 *   npx tsx bench/bundle-sizes.ts [--keep]
 *
 * Limit: every function but `document` must stay under 1 MB zipped (small packages start faster and keep the
 * deployment light); `document` carries Chromium's driver and fonts, and Chromium itself comes in its own layer,
 * whose zipped size is reported on its own row. Exit code 1 when a function is over its limit.
 *
 * Baseline, measured in the same run: the same entry bundled without replacing the browser stack (no `alias`),
 * i.e. what each function would weigh if it carried puppeteer-core too.
 *
 * Prints a plain table and, last, `BENCH_JSON {"bench":"bundle-sizes",…}` (the line bench/run-all.ts reads).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import JSZip from 'jszip';
import { ChromiumLayerBundling } from '../infra/chromium-layer.ts';
import {
  aliasesOf,
  besideBundle,
  ESBUILD,
  EXTERNAL_MODULES,
  FUNCTIONS,
  type FunctionId,
  type FunctionSpec,
} from '../infra/functions.ts';
import type { SummaryRow } from './concurrent-cases.ts';
import { ratio, round, table } from './stats.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Zipped size limit of every function but `document`. */
export const ZIP_LIMIT_BYTES = 1024 * 1024;
/** Functions exempt from the limit (Chromium's driver and the fonts; Chromium itself is a layer). */
export const EXEMPT: ReadonlySet<FunctionId> = new Set(FUNCTIONS.filter((f) => f.chromium).map((f) => f.id));

/**
 * Bundles one function into `outDir` (index.mjs beside the copied data), as NodejsFunction does in infra/. With
 * `withBrowserStack`, the browser modules are bundled instead of replaced (the bench's baseline).
 */
export async function bundleFunction(
  spec: FunctionSpec,
  outDir: string,
  options: { root?: string; withBrowserStack?: boolean } = {},
): Promise<{ bundleBytes: number }> {
  const root = options.root ?? ROOT;
  await build({
    entryPoints: [join(root, spec.entry)],
    bundle: true,
    outfile: join(outDir, 'index.mjs'),
    format: ESBUILD.format,
    platform: ESBUILD.platform,
    target: ESBUILD.target,
    minify: ESBUILD.minify,
    sourcemap: ESBUILD.sourcemap,
    banner: { js: ESBUILD.banner },
    external: [...EXTERNAL_MODULES],
    alias: options.withBrowserStack ? {} : aliasesOf(spec, root),
    logLevel: 'warning',
  });
  for (const path of besideBundle(spec, root, (dir) => readdirSync(dir)))
    cpSync(join(root, path), join(outDir, path), { recursive: true });
  return { bundleBytes: statSync(join(outDir, 'index.mjs')).size };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

/** The size of `dir` as a zip archive (DEFLATE level 9), as a Lambda package or layer of that directory. */
export async function zippedSize(dir: string): Promise<number> {
  const zip = new JSZip();
  for (const file of filesUnder(dir)) zip.file(relative(dir, file), readFileSync(file));
  const bytes = await zip.generateAsync({
    type: 'uint8array',
    compression: 'DEFLATE',
    compressionOptions: { level: 9 },
  });
  return bytes.length;
}

export interface SizeRow {
  id: FunctionId;
  bundleBytes: number;
  zippedBytes: number;
  /** undefined: exempt from the limit. */
  limitBytes: number | undefined;
  ok: boolean;
  /** The function whose identical bundle was measured (same entry and bundling), when not this one. */
  sameAs?: FunctionId;
}

/**
 * Bundles and zips every function. Functions with the same entry and bundling (the step functions share
 * functions/lambda/step-tasks.ts; the handler is only which export Lambda calls) are bundled once.
 */
export async function measureFunctions(
  specs: readonly FunctionSpec[] = FUNCTIONS,
  options: { workDir?: string; root?: string } = {},
): Promise<SizeRow[]> {
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'sepakat-bundles-'));
  const measured = new Map<string, { id: FunctionId; bundleBytes: number; zippedBytes: number }>();
  const rows: SizeRow[] = [];
  for (const spec of specs) {
    const key = `${spec.entry}|${spec.chromium}`;
    let m = measured.get(key);
    if (!m) {
      const dir = join(workDir, spec.id);
      const { bundleBytes } = await bundleFunction(spec, dir, options.root ? { root: options.root } : {});
      m = { id: spec.id, bundleBytes, zippedBytes: await zippedSize(dir) };
      measured.set(key, m);
    }
    const limitBytes = EXEMPT.has(spec.id) ? undefined : ZIP_LIMIT_BYTES;
    rows.push({
      id: spec.id,
      bundleBytes: m.bundleBytes,
      zippedBytes: m.zippedBytes,
      limitBytes,
      ok: limitBytes === undefined || m.zippedBytes < limitBytes,
      ...(m.id !== spec.id ? { sameAs: m.id } : {}),
    });
  }
  return rows;
}

/** The Chromium layer, built by the same local bundling the stack uses, zipped. */
export async function chromiumLayerZippedSize(workDir: string, root = ROOT): Promise<number> {
  const dir = join(workDir, 'chromium-layer');
  new ChromiumLayerBundling(root).tryBundle(dir);
  return zippedSize(dir);
}

const kb = (bytes: number) => round(bytes / 1024, 1);

async function main() {
  const keep = process.argv.includes('--keep');
  const workDir = mkdtempSync(join(tmpdir(), 'sepakat-bundles-'));
  try {
    process.stderr.write(`bundle-sizes: bundling ${FUNCTIONS.length} functions into ${workDir}\n`);
    const rows = await measureFunctions(FUNCTIONS, { workDir });

    // Baseline: each distinct bundle without the browser-stack stub.
    const baseline = new Map<FunctionId, number>();
    for (const row of rows.filter((r) => !r.sameAs && r.limitBytes !== undefined)) {
      const spec = FUNCTIONS.find((f) => f.id === row.id)!;
      const dir = join(workDir, `baseline-${spec.id}`);
      await bundleFunction(spec, dir, { withBrowserStack: true });
      baseline.set(spec.id, await zippedSize(dir));
    }
    process.stderr.write('bundle-sizes: zipping the Chromium layer\n');
    const layerBytes = await chromiumLayerZippedSize(workDir);

    const lines = rows.map((r) => [
      r.sameAs ? `${r.id} (= ${r.sameAs})` : r.id,
      kb(r.bundleBytes),
      kb(r.zippedBytes),
      r.limitBytes === undefined ? 'none' : kb(r.limitBytes),
      r.ok ? 'ok' : 'TOO BIG',
    ]);
    lines.push(['chromium layer (document)', '-', kb(layerBytes), 'none', 'ok']);
    process.stdout.write(`${table(['function', 'bundle KB', 'zipped KB', 'limit KB', 'ok'], lines)}\n`);
    process.stdout.write(
      `baseline (the same bundle with puppeteer-core and @sparticuz/chromium bundled), zipped KB: ${[...baseline]
        .map(([id, bytes]) => `${id} ${kb(bytes)}`)
        .join(', ')}\n`,
    );

    const summary: SummaryRow[] = rows
      .filter((r) => !r.sameAs)
      .map((r) => {
        const base = baseline.get(r.id);
        return {
          metric: `${r.id} zipped`,
          unit: 'KB',
          value: kb(r.zippedBytes),
          ...(base !== undefined ? { baseline: kb(base), ratio: ratio(r.zippedBytes, base) } : {}),
        };
      });
    summary.push({ metric: 'chromium layer zipped', unit: 'KB', value: kb(layerBytes) });
    const result = {
      bench: 'bundle-sizes',
      node: process.version,
      limitKB: kb(ZIP_LIMIT_BYTES),
      functions: rows.map((r) => ({
        id: r.id,
        bundleKB: kb(r.bundleBytes),
        zippedKB: kb(r.zippedBytes),
        limitKB: r.limitBytes === undefined ? null : kb(r.limitBytes),
        ok: r.ok,
      })),
      chromiumLayerZippedKB: kb(layerBytes),
      summary,
    };
    process.stdout.write(`BENCH_JSON ${JSON.stringify(result)}\n`);
    const over = rows.filter((r) => !r.ok);
    if (over.length) {
      process.stderr.write(
        `bundle-sizes: over ${kb(ZIP_LIMIT_BYTES)} KB zipped: ${over.map((r) => r.id).join(', ')}\n`,
      );
      process.exitCode = 1;
    }
  } finally {
    if (keep) process.stderr.write(`bundle-sizes: kept ${workDir}\n`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
