import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FaultPoint } from '../../core/case/model.ts';
import { PROJECT_ROOT } from '../../local/runtime.ts';
import { restartablePort } from './runtime.ts';

/**
 * The local runtime as its own process (`local/start.ts --json`), so a test can SIGKILL it at a named fault point
 * or from outside and start it again on the same data directory.
 */
export interface ChildRuntime {
  process: ChildProcess;
  urls: { web: string; dynamodb: string };
  /** Its data directory (the local mailbox is under it). */
  dataDir: string;
  exited: Promise<number | null>;
}

/** Links in emails must survive a restart, so every run on a data directory serves the web pages on one port. */
const webPorts = new Map<string, number>();

export async function spawnRuntime(
  dataDir: string,
  options: { fault?: { point: FaultPoint; occurrence: number }; args?: string[] } = {},
): Promise<ChildRuntime> {
  if (!webPorts.has(dataDir)) webPorts.set(dataDir, await restartablePort());
  const args = [
    join(PROJECT_ROOT, 'local/start.ts'),
    '--json',
    '--data-dir',
    dataDir,
    '--port',
    String(webPorts.get(dataDir)),
    '--sop-dir',
    join(PROJECT_ROOT, 'sops'),
    '--sop-dir',
    join(PROJECT_ROOT, 'test/fixtures/sops'),
    ...(options.fault ? ['--fault', options.fault.point, '--fault-occurrence', String(options.fault.occurrence)] : []),
    ...(options.args ?? []),
  ];
  // Node itself with tsx as a loader, so the signal reaches the runtime's own process (no wrapper in between).
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const urls = await new Promise<ChildRuntime['urls']>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) ok((JSON.parse(line) as { urls: ChildRuntime['urls'] }).urls);
    });
    void exited.then((code) => fail(new Error(`runtime exited (${code}) before ready: ${stderr}`)));
  });
  return { process: child, urls, dataDir, exited };
}
