import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyName } from '../functions/config.ts';

/**
 * The local-development keys, one file each in the data directory, created on first start (never committed). The
 * action-link key keeps the file of the one key there was before: a data directory from then keeps its task ids and
 * every link it emailed. The code and session keys are new there: a paraf or signature code issued before (not yet
 * used) is refused, so the official asks for a new one, and console users sign in again.
 */
export const LOCAL_KEY_FILES = {
  SEPAKAT_LINK_KEY: 'kunci-tautan-lokal.txt',
  SEPAKAT_CODE_KEY: 'kunci-kode-lokal.txt',
  SEPAKAT_SESSION_KEY: 'kunci-sesi-lokal.txt',
} as const satisfies Record<KeyName, string>;

export function localKeys(dataDir: string): Record<KeyName, string> {
  const read = (name: string) => {
    const file = join(dataDir, name);
    if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
    return readFileSync(file, 'utf8').trim();
  };
  return {
    SEPAKAT_LINK_KEY: read(LOCAL_KEY_FILES.SEPAKAT_LINK_KEY),
    SEPAKAT_CODE_KEY: read(LOCAL_KEY_FILES.SEPAKAT_CODE_KEY),
    SEPAKAT_SESSION_KEY: read(LOCAL_KEY_FILES.SEPAKAT_SESSION_KEY),
  };
}
