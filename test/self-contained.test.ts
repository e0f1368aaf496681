/**
 * The repository holds everything its code and tests read: a clone with nothing beside it must pass `npm test`.
 * Nothing may reach for the project's shared folder outside the repository (it exists on the authors' machines
 * only), and every SOP's source document is a file inside the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSop } from '../core/sop/load-sop.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Folders of code, tests, benchmarks and the data they read. */
const SCANNED = ['test', 'core', 'functions', 'local', 'cli', 'infra', 'bench', 'sops', 'config', 'templates'];

/**
 * A path to the shared folder: dot-dot then its name, or its name between slashes (written so that this file
 * does not match itself).
 */
const SHARED_REFERENCE = new RegExp(['\\.\\./shared', '/shared[/]'].join('|'));

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

describe('the repository on its own', () => {
  it('has no file under test/, core/, functions/, local/, cli/, infra/, bench/ (or the data) that refers to the shared folder', () => {
    const offending: string[] = [];
    let scanned = 0;
    for (const dir of SCANNED) {
      const full = resolve(root, dir);
      if (!existsSync(full)) continue;
      for (const file of filesUnder(full)) {
        scanned++;
        const text = readFileSync(file, 'latin1');
        if (!SHARED_REFERENCE.test(text)) continue;
        const lines = text.split('\n');
        lines.forEach((line, i) => {
          if (SHARED_REFERENCE.test(line)) offending.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(scanned).toBeGreaterThan(100);
    expect(offending).toEqual([]);
  });

  it('detects a reference to the shared folder', () => {
    expect(SHARED_REFERENCE.test(`file: ..${'/'}shared/seeds/000.txt`)).toBe(true);
    expect(SHARED_REFERENCE.test(`readFileSync('/work${'/'}shared/docs/domain.md')`)).toBe(true);
    expect(SHARED_REFERENCE.test('the shared print style')).toBe(false);
  });

  it('keeps the source document of every SOP in sops/ inside the repository', () => {
    const sops = readdirSync(resolve(root, 'sops')).filter((name) => name.endsWith('.yaml'));
    expect(sops.length).toBeGreaterThan(0);
    for (const name of sops) {
      const file = `sops/${name}`;
      const { definition } = loadSop(readFileSync(resolve(root, file), 'utf8'), file);
      const source = resolve(root, definition.source.file);
      expect(source.startsWith(root + sep), `${file}: source.file ${definition.source.file}`).toBe(true);
      expect(existsSync(source), `${file}: source.file ${definition.source.file} is missing`).toBe(true);
    }
  });
});
