import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tabelKosakata } from '../core/documents/vocabulary.ts';
import { describe, expect, it } from 'vitest';
import { checkSopFile, loadCatalog } from '../functions/adapters/catalog.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { SEED_SOPS } from './support/runtime.ts';

/**
 * The SOP author's guide (docs/menulis-sop.md) stays true of the code: its worked example is the fixture file
 * verbatim and passes every check, and its list of the fields documents read is the one the documents read.
 */
const GUIDE = readFileSync(join(PROJECT_ROOT, 'docs', 'menulis-sop.md'), 'utf8');
const MARKER = /<!-- contoh-sop:(\S+) -->\n```yaml\n([\s\S]*?)```\n/;

describe('docs/menulis-sop.md', () => {
  const match = MARKER.exec(GUIDE);
  const file = match?.[1] ?? '';

  it('includes its worked example verbatim from the fixture file', () => {
    expect(match).not.toBeNull();
    expect(file).toBe('test/fixtures/sops/panduan/contoh-kesepakatan-bersama.yaml');
    expect(match![2]).toBe(readFileSync(join(PROJECT_ROOT, file), 'utf8'));
  });

  it('has a worked example that passes every check of `sop periksa`, and loads with the seeds', () => {
    expect(checkSopFile(join(PROJECT_ROOT, file), { configDir: join(PROJECT_ROOT, 'config') })).toEqual([]);
    // The catalog's own checks too (the naskah kind is an outline, the pemda exists), beside the seed SOPs.
    const catalog = loadCatalog({
      sopDirs: [SEED_SOPS, join(PROJECT_ROOT, 'test', 'fixtures', 'sops', 'panduan')],
      configDir: join(PROJECT_ROOT, 'config'),
    });
    const sop = catalog.sops.latest('contoh-kesepakatan-bersama');
    // What the guide says of it: a gate with its own number, a loop, a return, a chain with link Waktu, Ambil Nomor.
    const def = sop.definition;
    expect(def.steps.find((s) => 'gate' in s)).toMatchObject({ no: '5' });
    expect(def.steps.some((s) => 'repeatUntil' in s && s.repeatUntil)).toBe(true);
    expect(sop.nodes.some((n) => n.type === 'activity' && n.choices.some((c) => c.kind === 'kembalikan'))).toBe(true);
    expect(
      sop.nodes.filter((n) => n.id.startsWith('L4.') && n.type === 'activity' && n.waktu?.raw === '1 hari'),
    ).toHaveLength(3);
    expect(JSON.stringify(def)).toContain('"seri":"surat-keluar"');
  });

  it('lists exactly the declared field vocabulary (core/documents/vocabulary.ts)', () => {
    const section = GUIDE.split('<!-- kosakata-isian:mulai -->')[1]?.split('<!-- kosakata-isian:selesai -->')[0];
    expect(section).toBeDefined();
    const rows = [...section!.matchAll(/^\| `([a-z0-9-]+)` \| (.+?) \| (.+) \| (.+) \|$/gm)].map((m) => m[1]);
    expect(rows).toEqual(tabelKosakata().map((r) => r.id));
    for (const r of tabelKosakata()) expect(section).toContain(r.dibacaOleh.replaceAll('|', '\\|'));
  });
});
