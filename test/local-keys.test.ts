import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, requireKey } from '../functions/config.ts';
import { LOCAL_KEY_FILES, localKeys } from '../local/local-keys.ts';

/** The embedded default's three keys, and a function refusing a key it was not given. */
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the local keys', () => {
  it('keeps the one old key as the action-link key and adds a code key and a session key of their own', () => {
    dir = mkdtempSync(join(tmpdir(), 'sepakat-kunci-'));
    const old = randomBytes(32).toString('base64');
    writeFileSync(join(dir, LOCAL_KEY_FILES.SEPAKAT_LINK_KEY), old);

    const keys = localKeys(dir);

    expect(keys.SEPAKAT_LINK_KEY).toBe(old);
    expect(new Set(Object.values(keys)).size).toBe(3);
    for (const value of Object.values(keys)) expect(Buffer.from(value, 'base64').length).toBe(32);
    // The next start reads the same three.
    expect(localKeys(dir)).toEqual(keys);
    expect(readFileSync(join(dir, LOCAL_KEY_FILES.SEPAKAT_SESSION_KEY), 'utf8')).toBe(keys.SEPAKAT_SESSION_KEY);
  });

  it('refuses a key the function was not given, naming it, and a short key at load', () => {
    dir = mkdtempSync(join(tmpdir(), 'sepakat-kunci-'));
    const base = {
      SEPAKAT_STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:ap-southeast-3:000000000000:stateMachine:',
      SEPAKAT_PUBLIC_BASE_URL: 'https://sepakat.uji',
      SEPAKAT_MAIL_FROM: 'Sepakat <a@sepakat.uji>',
      SEPAKAT_SOP_DIRS: 'sops',
      SEPAKAT_CONFIG_DIR: 'config',
      SEPAKAT_TEMPLATES_DIR: 'templates',
      SEPAKAT_REGION: 'ap-southeast-3',
      ...Object.fromEntries(
        ['CASES', 'TASKS', 'HISTORY', 'DOCUMENTS', 'REGISTER', 'AGREEMENTS', 'INTAKE', 'LIMITS'].map((t) => [
          `SEPAKAT_TABLE_${t}`,
          `t-${t}`,
        ]),
      ),
      SEPAKAT_BUCKET_INTAKE: 'b-intake',
      SEPAKAT_BUCKET_DOCUMENTS: 'b-documents',
      SEPAKAT_BUCKET_ARCHIVE: 'b-archive',
    };
    const config = loadConfig({ ...base, SEPAKAT_LINK_KEY: randomBytes(32).toString('base64') });
    expect(requireKey(config, 'SEPAKAT_LINK_KEY').length).toBe(32);
    expect(() => requireKey(config, 'SEPAKAT_CODE_KEY')).toThrow(ConfigError);
    expect(() => requireKey(config, 'SEPAKAT_SESSION_KEY')).toThrow(/SEPAKAT_SESSION_KEY tidak dimuat di fungsi ini/);
    expect(() => loadConfig({ ...base, SEPAKAT_CODE_KEY: randomBytes(8).toString('base64') })).toThrow(
      /SEPAKAT_CODE_KEY.*32 bita/,
    );
  });
});
