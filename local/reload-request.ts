import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReloadResult } from '../functions/adapters/catalog.ts';

/**
 * How `npm run sepakat -- muat-ulang` asks the running embedded default (`npm start`, another process) to load its
 * data again: the CLI writes a request with an id into the data directory and sends SIGHUP to the runtime's process
 * (its pid is in runtime.json); the runtime reloads and writes the result under that id, which the CLI reads back.
 * In AWS there is nothing to signal: a data change is a deploy of the stateless stack.
 */
const REQUEST_FILE = 'muat-ulang-permintaan.json';
const RESULT_FILE = 'muat-ulang-hasil.json';

export type AnsweredReload = ReloadResult & { id: string; at: string };

function writeAtomically(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2));
  renameSync(tmp, file);
}

/** The runtime's side, on SIGHUP: reload, then answer the pending request (or an unnamed one, for a bare signal). */
export function answerReload(dataDir: string, reload: () => ReloadResult, now: Date): AnsweredReload {
  let id = '';
  try {
    id = String((JSON.parse(readFileSync(join(dataDir, REQUEST_FILE), 'utf8')) as { id?: unknown }).id ?? '');
  } catch {
    // A SIGHUP sent by hand: reload all the same.
  }
  const answered: AnsweredReload = { ...reload(), id, at: now.toISOString() };
  writeAtomically(join(dataDir, RESULT_FILE), answered);
  return answered;
}

/** The CLI's side: ask the runtime of `pid` to reload and wait for its answer. */
export async function requestReload(dataDir: string, pid: number, timeoutMs = 60_000): Promise<AnsweredReload> {
  const id = randomUUID();
  writeAtomically(join(dataDir, REQUEST_FILE), { id });
  process.kill(pid, 'SIGHUP');
  const deadline = performance.now() + timeoutMs;
  const resultFile = join(dataDir, RESULT_FILE);
  for (;;) {
    if (existsSync(resultFile)) {
      try {
        const answer = JSON.parse(readFileSync(resultFile, 'utf8')) as AnsweredReload;
        if (answer.id === id) return answer;
      } catch {
        // Being written: read again.
      }
    }
    if (performance.now() > deadline)
      throw new Error(`runtime (proses ${pid}) tidak menjawab dalam ${timeoutMs / 1000} detik`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
