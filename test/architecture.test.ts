import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree } from 'dpdm';
import { describe, expect, it } from 'vitest';

/**
 * The house rules, checked on the source text. Each check returns the offending files (with the reason), so a
 * failure names what to fix.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['core', 'functions', 'local', 'cli', 'infra'] as const;

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(ROOT, rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'cdk.out') walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}

const sourceOf = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The code without comments (block comments, and lines that are only a line comment). */
const codeOf = (file: string) =>
  sourceOf(file)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n');

/** Every module a file imports or re-exports (static and dynamic), as written. */
function importsOf(file: string): string[] {
  const code = codeOf(file);
  const specs: string[] = [];
  for (const m of code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of code.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
  return specs;
}

/** A relative import as a path from the project root ('functions/adapters/x.ts'); a package stays as written. */
const target = (file: string, spec: string) =>
  spec.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), spec)) : spec;

const SDKS = /^(@aws-sdk\/|@smithy\/|hono($|\/)|@hono\/|puppeteer|@sparticuz\/|(node:)?fs($|\/))/;

function coreImportsOutside(): string[] {
  const bad: string[] = [];
  for (const file of tsFiles('core'))
    for (const spec of importsOf(file)) {
      const to = target(file, spec);
      if (/^(functions|local|infra|cli)\//.test(to) || SDKS.test(to)) bad.push(`${file} imports ${spec}`);
    }
  return bad;
}

function coreReadsEnvironment(): string[] {
  return tsFiles('core').filter((file) => /\bprocess\.env\b|\bprocess\s*\[\s*['"]env/.test(codeOf(file)));
}

/** Route modules: the handlers' `*-routes.ts` and, once the web layer is on Hono, the web app's modules. */
function routeModules(): string[] {
  const handlers = tsFiles('functions/handlers').filter((f) => f.endsWith('-routes.ts'));
  const web = readdirSync(join(ROOT, 'functions')).includes('web') ? tsFiles('functions/web') : [];
  return [...handlers, ...web];
}

function routesTouchingAdapters(): string[] {
  const bad: string[] = [];
  for (const file of routeModules())
    for (const spec of importsOf(file)) {
      const to = target(file, spec);
      if (to.startsWith('functions/adapters/') || /(^|\/)[^/]*store[^/]*$/i.test(to) || to.startsWith('@aws-sdk/'))
        bad.push(`${file} imports ${spec}`);
    }
  return bad;
}

/**
 * Where the system's time may be read. Everything else takes a Clock (core/case/model.ts), so that tests and the
 * rules can set the time.
 */
const DATE_ALLOWLIST: readonly { path: string; why: string }[] = [
  // The clock adapter: the one `now()` of the product (App.clock / runtimeClock).
  { path: 'functions/adapters/clock.ts', why: 'the system clock behind the Clock port' },
  // Benchmarks measure wall time; that is their job.
  { path: 'bench/', why: 'benchmarks time themselves' },
  // A local log line carries its own wall time, not the product's.
  { path: 'functions/observability/log.ts', why: 'the time of a local log line' },
  // The local services stand in for AWS, whose timestamps (execution start/stop, S3 event sequencers, SES message
  // dates, waits for a table to go) are the service's own, not the product's.
  { path: 'local/step-functions/', why: 'AWS Step Functions’ own execution timestamps' },
  { path: 'local/s3/', why: 'S3’s own event sequencer and request-expiry check' },
  { path: 'local/ses/', why: 'SES’s own sent-at time' },
  { path: 'local/dynamodb/', why: 'DynamoDB table-state waits' },
];

function clockReadsOutsideAllowlist(): string[] {
  return [...SOURCE_DIRS, 'bench']
    .flatMap((dir) => tsFiles(dir))
    .filter((file) => !DATE_ALLOWLIST.some((a) => (a.path.endsWith('/') ? file.startsWith(a.path) : file === a.path)))
    .filter((file) => /\bnew Date\(\s*\)|\bDate\.now\(\s*\)/.test(codeOf(file)));
}

/**
 * HTML markup: a doctype, or an opening or closing tag of an HTML (or inline SVG) element. XML of an AWS wire
 * protocol (`</Code>` in the local S3's errors) is not HTML.
 */
const ELEMENTS =
  'html|head|body|div|p|span|table|thead|tbody|tr|td|th|ul|ol|li|h[1-6]|a|br|img|form|input|button|label|select|' +
  'option|textarea|section|header|footer|style|script|meta|title|svg|strong|em|b|i';
const MARKUP = new RegExp(`<!doctype\\b|</(?:${ELEMENTS})\\s*>|<(?:${ELEMENTS})(?:\\s[^<>\\n]*)?/?>`, 'i');

function filesWithMarkup(): string[] {
  return SOURCE_DIRS.flatMap((dir) => tsFiles(dir))
    .filter((file) => MARKUP.test(codeOf(file)))
    .map((file) => `${file}: ${MARKUP.exec(codeOf(file))![0].slice(0, 40)}`);
}

async function importCycles(): Promise<string[]> {
  const entries = [...tsFiles('functions/lambda'), 'local/start.ts', 'cli/sepakat.ts', 'infra/cdk-app.ts'];
  const tree = await parseDependencyTree(entries, {
    context: ROOT,
    cwd: ROOT,
    transform: true, // type-only imports vanish at run time: they make no cycle
    include: /\.ts$/,
    exclude: /node_modules/,
  });
  return parseCircular(tree, true).map((cycle) => cycle.join(' → '));
}

function sharedNames(): string[] {
  const byName = new Map<string, string[]>();
  for (const file of SOURCE_DIRS.flatMap((dir) => tsFiles(dir))) {
    const name = basename(file);
    byName.set(name, [...(byName.get(name) ?? []), file]);
  }
  return [...byName.values()].filter((files) => files.length > 1).map((files) => files.join(' = '));
}

describe('architecture', () => {
  it('core/ imports nothing from functions/, local/, infra/, cli/ or any SDK (AWS, Smithy, Hono, puppeteer, fs)', () => {
    expect(coreImportsOutside()).toEqual([]);
  });

  it('core/ reads no environment', () => {
    expect(coreReadsEnvironment()).toEqual([]);
  });

  // Waits for the web layer on Hono (branch i12-web) and use cases behind ports (i12-core): routes still read stores.
  it('no route module imports an adapter, a store or @aws-sdk/*', () => {
    expect(routesTouchingAdapters()).toEqual([]);
  });

  // Waits for the clock adapter (functions/adapters/clock.ts, i12-core) and its use by the app, the runtime and the
  // CLI; the signing defaults and the upload key's timestamp take the Clock too.
  it('new Date() and Date.now() appear only in the allowlisted files', () => {
    expect(clockReadsOutsideAllowlist()).toEqual([]);
  });

  // Waits for i12-web (markup inside functions/handlers) and the remaining shells: the renderer's page shell and
  // footer, the local outbox, the Mutu Baku charts (SVG), the CLI's pages.
  it('no .ts file under core/, functions/, local/, cli/ or infra/ contains HTML markup', () => {
    expect(filesWithMarkup()).toEqual([]);
  });

  // Waits for i12-web: http-api → web-routes → intake-routes → http-api.
  it('no import cycle between files (dpdm, from every entry point)', { timeout: 120_000 }, async () => {
    expect(await importCycles()).toEqual([]);
  });

  it('no two source files share a name', () => {
    expect(sharedNames()).toEqual([]);
  });
});
