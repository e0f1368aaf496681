import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CASE_FIELDS } from '../core/documents/assemble.ts';
import { isianKasus, KOSAKATA, tabelKosakata, WAJIB_DOKUMEN } from '../core/documents/vocabulary.ts';
import { isSepakatError } from '../core/errors.ts';
import { buildSop } from '../core/sop/load-sop.ts';
import { loadCatalog } from '../functions/adapters/catalog.ts';

/**
 * The declared field vocabulary (issue 15 item 2): every field a document reads is declared once (schema, Indonesian
 * description); documents read the case through it; the loader refuses an SOP whose documents would need a required
 * field that no earlier step on every path collects, naming the file, the step and the field; the table for the SOP
 * author's guide lists id, jenis, keterangan and dibaca oleh.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const blitar = () =>
  parseYaml(readFileSync(join(ROOT, 'sops', 'blitar-pengkoordinasian-nota-kesepakatan.yaml'), 'utf8')) as {
    steps: { id: string; chain?: { fields?: { id: string; caseData?: boolean }[] }[] }[];
  } & Record<string, unknown>;

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(isSepakatError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('the loader refuses a document that would read a required field nobody collected', () => {
  it('the seeds and the fixture load: every document finds its required fields on every path', () => {
    const catalog = loadCatalog({
      sopDirs: [join(ROOT, 'sops'), join(ROOT, 'test', 'fixtures', 'sops')],
      configDir: join(ROOT, 'config'),
    });
    expect(catalog.sops.all().length).toBe(4);
  });

  it('a Nota Dinas signed at a step before which no step keeps "nota-dinas-kepada"', () => {
    const raw = blitar();
    const field = raw.steps.find((s) => s.id === 'L8')!.chain![0]!.fields!.find((f) => f.id === 'nota-dinas-kepada')!;
    field.caseData = false;
    const message = messageOf(() => buildSop(raw, 'uji/blitar-tanpa-kepada.yaml'));
    expect(message).toMatch(
      /^uji\/blitar-tanpa-kepada\.yaml: langkah L8: L8\.2\.\w+\.automatic\[0\]\.dokumen: dokumen "nota-dinas" yang ditandatangani memerlukan isian "nota-dinas-kepada" \(Kepada siapa nota dinas ditujukan\), yang belum dikumpulkan pada sedikitnya satu jalur alur/m,
    );
  });

  it('a naskah signed on a declared surat kuasa whose number and date no step collects', () => {
    const raw = {
      ...blitar(),
      naskah: {
        jenis: 'perjanjian-kerja-sama',
        pihak: { kesatu: { penandatangan: 'kabag-tapem', suratKuasaDari: 'bupati' } },
      },
    };
    const message = messageOf(() => buildSop(raw, 'uji/blitar-kuasa.yaml'));
    expect(message).toContain('memerlukan isian "kuasa-nomor" (Nomor surat kuasa kepala daerah');
    expect(message).toContain('memerlukan isian "kuasa-tanggal" (Tanggal surat kuasa kepala daerah');
    expect(message).toMatch(
      /^uji\/blitar-kuasa\.yaml: langkah L\d+: L[\d.]+\.\w+\.automatic\[\d\]\.dokumen: dokumen "kesepakatan-bersama" yang ditandatangani/m,
    );
  });
});

describe('documents read the case through the vocabulary', () => {
  it('every field a document reads is declared, with a description in Bahasa Indonesia', () => {
    for (const fields of Object.values(CASE_FIELDS))
      for (const id of fields) expect(KOSAKATA.get(id)?.keterangan.length).toBeGreaterThan(3);
    for (const groups of Object.values(WAJIB_DOKUMEN))
      for (const id of groups.flat()) expect(KOSAKATA.has(id)).toBe(true);
    expect(CASE_FIELDS['surat-undangan']).toEqual(expect.arrayContaining(['rapat-tanggal', 'rapat-tempat']));
    expect(CASE_FIELDS['kesepakatan-bersama']).toEqual(expect.arrayContaining(['kuasa-nomor', 'pihak-mitra']));
  });

  it('reads a declared field, refuses an undeclared one', () => {
    expect(isianKasus({ 'rapat-tempat': '  Aula  ' }, 'rapat-tempat')).toBe('  Aula  ');
    expect(isianKasus({ 'naskah-jangka-waktu': 3 }, 'naskah-jangka-waktu')).toBe('3');
    expect(isianKasus({ 'rapat-tempat': '   ' }, 'rapat-tempat')).toBeUndefined();
    expect(() => isianKasus({ 'isian-rahasia': 'x' }, 'isian-rahasia')).toThrow(/tidak ada dalam kosakata/);
    expect(() => isianKasus({ 'rapat-tempat': { ruang: 1 } }, 'rapat-tempat')).toThrow(
      /Isian "rapat-tempat" \(Tempat rapat/,
    );
  });

  it("gives the table of the SOP author's guide: id, jenis, keterangan, dibaca oleh", () => {
    const rows = tabelKosakata();
    expect(rows.length).toBe(KOSAKATA.size);
    expect(rows.find((r) => r.id === 'rapat-tanggal')).toEqual({
      id: 'rapat-tanggal',
      jenis: 'tanggal (YYYY-MM-DD atau 1 Desember 2026)',
      keterangan: 'Tanggal rapat',
      dibacaOleh: 'surat-undangan (wajib), notulen-rapat',
    });
    expect(rows.find((r) => r.id === 'kuasa-nomor')?.dibacaOleh).toBe('naskah');
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });
});
