import { mkdtempSync, rmSync } from 'node:fs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { LOCAL_DEVELOPMENT_CREDENTIALS } from '../../functions/app.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuntime, PROJECT_ROOT, type LocalRuntime, type RuntimeOptions } from '../../local/runtime.ts';

export const FIXTURE_SOPS = join(PROJECT_ROOT, 'test', 'fixtures', 'sops');
export const SEED_SOPS = join(PROJECT_ROOT, 'sops');

/**
 * The abuse limits of tests: many permohonan from one address (127.0.0.1) in a few seconds are what tests do. The
 * tests of the limits themselves pass their own.
 */
export const TEST_LIMITS = {
  preparePerSourcePerHour: 100_000,
  mailsPerAddressPerDay: 100_000,
  mailsPerSourcePerDay: 100_000,
};

/** A fresh embedded runtime on free ports with its own temporary data directory. */
export async function startTestRuntime(
  options: Partial<RuntimeOptions> = {},
): Promise<LocalRuntime & { cleanup(): Promise<void> }> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sepakat-test-'));
  const runtime = await startRuntime({
    sopDirs: [SEED_SOPS, FIXTURE_SOPS],
    ...options,
    limits: { ...TEST_LIMITS, ...options.limits },
    dataDir,
    port: options.port ?? 0,
  });
  return {
    ...runtime,
    async cleanup() {
      await runtime.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value (no fixed sleeps: bounded attempts at a short interval). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const PEMOHON = {
  nama: 'Drs. Joko Susilo',
  email: 'pemohon@mitra.test',
  instansi: 'Pemerintah Kabupaten Mitra',
};

import { driveCase, samplePermohonan, submitPermohonan, type PermohonanInput } from '../../cli/drive.ts';
import type { LocalRuntime as Runtime } from '../../local/runtime.ts';

/** A valid permohonan for an SOP, built from its intake definition (selects take their first option). */
export function permohonanFor(
  rt: Runtime,
  sopId: string,
  overrides: Record<string, string | number | boolean> = {},
  perihal = 'Kerja sama pengembangan layanan publik',
): PermohonanInput {
  return samplePermohonan(rt.app.catalog.sops.latest(sopId), { perihal, pemohon: PEMOHON, overrides });
}

/**
 * A new case of `sopId` submitted through the public intake path, then driven to its end by scripted people acting from
 * their emails (the default script: the first forward choice). Returns its id and what the driver did.
 */
export async function driveNewCase(rt: Runtime, sopId: string, timeoutMs: number) {
  const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, sopId));
  await eventually(async () => (await rt.app.store.getCase(intakeId))?.cursor);
  const result = await driveCase({ dataDir: rt.dataDir, caseId: intakeId, pemohonEmail: PEMOHON.email, timeoutMs });
  return { intakeId, result };
}

/** A free TCP port on 127.0.0.1: emailed links must survive a restart, so a restarted runtime keeps its web port. */
/**
 * A free port below the kernel's ephemeral range (32768–60999 here), for a server that must listen on the same port
 * again after a restart: between its death and its restart, a port from the ephemeral range may be taken by any
 * process's outgoing connection or port-0 server (EADDRINUSE), one below it is not.
 */
export async function restartablePort(): Promise<number> {
  const { createServer } = await import('node:net');
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const ok = await new Promise<boolean>((done) => {
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => done(true));
    });
    if (ok) {
      await new Promise((done) => server.close(done));
      return port;
    }
  }
  throw new Error('no free port below the ephemeral range');
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  await new Promise((ok) => server.close(ok));
  return port;
}

/** A real Lambda client of the runtime's local Lambda Invoke API (`urls.lambda`), with the local-development keys. */
export function localLambdaClient(rt: Pick<LocalRuntime, 'urls'>): LambdaClient {
  return new LambdaClient({
    region: 'ap-southeast-3',
    endpoint: rt.urls.lambda,
    credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
  });
}
