import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Chromium from '@sparticuz/chromium';

/**
 * The Chromium binary and its flags.
 *
 * @sparticuz/chromium unpacks its binary into `$TMPDIR/chromium` and afterwards returns whatever it finds there
 * without checking the version (stack-facts.md), so an upgrade would silently keep running the old binary. Here each
 * version unpacks into its own directory, `<tmp>/sepakat-chromium-<version>/`: first into a private staging
 * directory, then renamed into place, so a crash halfway never leaves a truncated binary behind and two processes
 * unpacking at once both end with a complete one.
 */
const require = createRequire(import.meta.url);

export function chromiumPackageVersion(): string {
  const entry = require.resolve('@sparticuz/chromium');
  // build/index.js → package.json (the package does not export it).
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Where this version's binary lives (or will live) under `tmpDir`. */
export const chromiumDirectory = (tmpDir: string = tmpdir(), version: string = chromiumPackageVersion()): string =>
  join(tmpDir, `sepakat-chromium-${version.replace(/[^0-9A-Za-z.-]/g, '_')}`);

let unpacking: Map<string, Promise<string>> | undefined;

/** The path of the unpacked binary for the installed @sparticuz/chromium, unpacking it on first use. */
export async function chromiumExecutablePath(tmpDir: string = tmpdir()): Promise<string> {
  const dir = chromiumDirectory(tmpDir);
  const binary = join(dir, 'chromium');
  if (existsSync(binary)) return binary;
  unpacking ??= new Map();
  let pending = unpacking.get(dir);
  if (!pending) {
    pending = unpack(dir).finally(() => unpacking?.delete(dir));
    unpacking.set(dir, pending);
  }
  return pending;
}

async function unpack(dir: string): Promise<string> {
  const staging = `${dir}.partial-${process.pid}-${randomBytes(6).toString('hex')}`;
  mkdirSync(staging, { recursive: true });
  const previous = process.env.TMPDIR;
  let unpacked: Promise<string>;
  try {
    // The package derives every output path from os.tmpdir() synchronously, before its first await: pointing
    // TMPDIR at the staging directory for the duration of the call sends the whole unpack there.
    process.env.TMPDIR = staging;
    unpacked = Chromium.executablePath();
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
  try {
    const path = await unpacked;
    if (path !== join(staging, 'chromium'))
      throw new Error(`@sparticuz/chromium unpacked to ${path}, expected ${join(staging, 'chromium')}`);
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another process finished first: keep its copy.
      if (!existsSync(join(dir, 'chromium'))) throw error;
      rmSync(staging, { recursive: true, force: true });
    }
    return join(dir, 'chromium');
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Launch flags: the package's defaults for serverless Chromium (`--single-process`, `--no-zygote`, `--no-sandbox`, …)
 * plus the flags a closed network needs (stack-facts.md). WebGL/SwiftShader flags are dropped: documents need no
 * GPU. Two of the package's defaults weaken a browser that only ever renders our own HTML, and are removed:
 * `--disable-web-security` and `--allow-running-insecure-content`.
 */
export function chromiumArgs(options: { singleProcess?: boolean } = {}): string[] {
  const drop = new Set([
    '--disable-web-security',
    '--allow-running-insecure-content',
    '--use-gl=angle',
    '--use-angle=swiftshader',
    '--enable-unsafe-swiftshader',
    '--ignore-gpu-blocklist',
    '--in-process-gpu',
  ]);
  const base = Chromium.args.filter((a) => !drop.has(a) && !a.startsWith('--headless'));
  const args = options.singleProcess === false ? base.filter((a) => a !== '--single-process') : base;
  return [
    ...args,
    '--disable-gpu',
    '--disable-webgl',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-extensions',
    '--disable-dev-shm-usage',
    '--mute-audio',
  ];
}
