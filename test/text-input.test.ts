import { describe, expect, it } from 'vitest';
import { checkValue, COMMON_INTAKE_FIELDS } from '../core/case/intake.ts';
import { parseFieldValue } from '../core/case/task-actions.ts';
import type { Field } from '../core/sop/schema.ts';
import { labelOf, parseInput } from '../core/validation/issues.ts';
import { checkText, cleanText, teks } from '../core/validation/text.ts';
import { loadSops } from '../functions/adapters/catalog.ts';
import { INPUT_SCHEMAS } from '../functions/handlers/input-schemas.ts';
import { FIXTURE_SOPS, SEED_SOPS } from './support/runtime.ts';

/** The bidirectional controls every text field refuses (U+061C, the Arabic letter mark, works like them). */
const BIDI = [
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200E',
  '\u200F',
];
/** The harmless invisible characters word processors paste: removed silently. */
const SILENT = ['\u200B', '\u00AD', '\uFEFF'];
/** zod's English, which no person may read. */
const ENGLISH = /Invalid input|Unrecognized key|expected|Required|Too small|Too big|Invalid/;

const hex = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

type Path = (string | number)[];

/** Every string in a value, with its path. */
function stringLeaves(value: unknown, path: Path = []): { path: Path; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, [...path, i]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
  return [];
}

/** A copy of `value` with the string at `path` replaced. */
function withLeaf(value: unknown, path: Path, leaf: string): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = leaf;
  return copy;
}

const valueAt = (value: unknown, path: Path): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);

/** The character put inside the text (not at its ends, where trimming might hide what happens). */
const inject = (text: string, ch: string) => {
  const middle = Math.max(1, Math.floor([...text].length / 2));
  const chars = [...text];
  return [...chars.slice(0, middle), ch, ...chars.slice(middle)].join('');
};

/** Paths left to the check per SOP field (`data.*`): covered below, over every SOP's fields. */
const perSopField = (entry: (typeof INPUT_SCHEMAS)[number], path: Path) =>
  (entry.perSopField ?? []).some((pattern) => {
    const segments = pattern.split('.');
    return segments.length === path.length && segments.every((s, i) => s === '*' || s === String(path[i]));
  });

describe('the text validator', () => {
  it('removes the soft hyphen, the zero-width space and the BOM, and normalises to NFC', () => {
    expect(cleanText('\uFEFFKe\u00ADdi\u200Bri')).toEqual({ ok: true, value: 'Kediri' });
    // "é" as e + combining acute becomes the one code point.
    expect(cleanText('Caf\u0065\u0301')).toEqual({ ok: true, value: 'Caf\u00E9' });
  });

  it.each(BIDI.map((ch) => [hex(ch), ch]))('refuses %s with the field name', (_name, ch) => {
    const checked = checkText('Mitra kerja sama', `Pemerintah ${ch}Kabupaten Kediri`);
    expect(checked).toEqual({ error: expect.stringMatching(/^Mitra kerja sama: .*pengatur arah tulisan/) });
    expect((checked as { error: string }).error).toContain(hex(ch));
  });

  it('refuses other control characters (C0 but tab and line feed, DEL, C1), and line breaks in one-line fields', () => {
    for (const ch of ['\u0000', '\u0007', '\u001B', '\u007F', '\u0085x', '\u009B'])
      expect(checkText('Perihal', `a${ch}b`)).toEqual({ error: expect.stringMatching(/^Perihal/) });
    expect(checkText('Perihal', 'a\tb')).toBe('a\tb');
    expect(checkText('Perihal', 'baris satu\nbaris dua')).toEqual({
      error: 'Perihal harus ditulis dalam satu baris (tanpa baris baru)',
    });
    // A textarea posts CR LF: kept as LF in a multi-line field.
    expect(checkText('Catatan', 'baris satu\r\nbaris dua', { multiline: true })).toBe('baris satu\nbaris dua');
  });

  it('refuses a lone surrogate, and counts characters as people do', () => {
    expect(checkText('Nama', 'ab\uD800')).toEqual({
      error: expect.stringMatching(/^Nama: berisi karakter yang rusak/),
    });
    // Two emoji are two characters, not four UTF-16 units.
    expect(checkText('Nama', '\u{1F600}\u{1F600}', { max: 2 })).toBe('\u{1F600}\u{1F600}');
    expect(checkText('Nama', 'abc', { max: 2 })).toEqual({ error: 'Nama paling panjang 2 karakter' });
  });

  it('gives the zod helper Indonesian messages naming the label', () => {
    const schema = teks('Perihal', { min: 5 });
    expect(schema.safeParse(42).error?.issues[0]?.message).toBe('Perihal harus berupa teks');
    expect(schema.safeParse('ab').error?.issues[0]?.message).toBe('Perihal paling sedikit 5 karakter');
    expect(schema.parse('  Kerja\u200B sama  ')).toBe('Kerja sama');
  });
});

describe('every body and form people send (INPUT_SCHEMAS)', () => {
  it.each(INPUT_SCHEMAS.map((e) => [e.name, e]))('%s: its example is valid and every text has a label', (_n, entry) => {
    const parsed = parseInput(entry.schema, entry.example, entry.labels);
    expect(parsed).toMatchObject({ ok: true });
    // The body as a whole has a name too (a body that is not an object, an unknown key).
    expect(entry.labels['']).toBeDefined();
    const leaves = stringLeaves(entry.example);
    expect(leaves.length).toBeGreaterThan(0);
    for (const { path } of leaves) expect(labelOf(path, entry.labels), path.join('.')).toBeDefined();
  });

  it.each(INPUT_SCHEMAS.map((e) => [e.name, e]))(
    '%s: every text refuses each bidirectional control, naming the field',
    (_n, entry) => {
      for (const { path, value } of stringLeaves(entry.example)) {
        if (perSopField(entry, path)) continue;
        const label = labelOf(path, entry.labels)!;
        for (const ch of BIDI) {
          const parsed = parseInput(entry.schema, withLeaf(entry.example, path, inject(value, ch)), entry.labels);
          const where = `${path.join('.')} ${hex(ch)}`;
          expect(parsed.ok, where).toBe(false);
          if (parsed.ok) continue;
          const issue = parsed.issues.find((i) => i.path.join('.') === path.join('.'));
          expect(issue?.message, where).toMatch(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\b`));
          // The message never carries the control itself to a page or an email.
          expect(issue?.message, where).not.toContain(ch);
        }
      }
    },
  );

  it.each(INPUT_SCHEMAS.map((e) => [e.name, e]))(
    '%s: every text loses the soft hyphen, zero-width space and BOM silently',
    (_n, entry) => {
      for (const { path, value } of stringLeaves(entry.example)) {
        if (perSopField(entry, path)) continue;
        for (const ch of SILENT) {
          const parsed = parseInput(entry.schema, withLeaf(entry.example, path, inject(value, ch)), entry.labels);
          expect(parsed.ok, `${path.join('.')} ${hex(ch)}`).toBe(true);
          if (parsed.ok) expect(valueAt(parsed.value, path)).toBe(value);
        }
      }
    },
  );

  it.each(INPUT_SCHEMAS.map((e) => [e.name, e]))(
    '%s: refuses wrong input in Indonesian, never zod English',
    (_n, entry) => {
      const wrongs: unknown[] = [
        null,
        'teks',
        {},
        { ...(entry.example as object), admin: true },
        ...stringLeaves(entry.example).map(({ path }) => withLeaf(entry.example, path, 42 as unknown as string)),
        ...stringLeaves(entry.example).map(({ path, value }) => withLeaf(entry.example, path, value.repeat(3000))),
      ];
      for (const wrong of wrongs) {
        const parsed = parseInput(entry.schema, wrong, entry.labels);
        if (parsed.ok) continue; // a schema may allow unknown keys: then nothing is said at all
        expect(parsed.messages.length).toBeGreaterThan(0);
        for (const message of parsed.messages) {
          expect(message).not.toMatch(ENGLISH);
          expect(message).not.toMatch(/Salah satu isian/);
        }
      }
    },
  );
});

describe('every SOP field, through the task form and the intake manifest', () => {
  const sops = loadSops([SEED_SOPS, FIXTURE_SOPS]).all();

  /** A valid value as a browser posts it. */
  const sample = (field: Field): string => {
    switch (field.type) {
      case 'select':
        return field.options![0]!.value;
      case 'date':
        return '2026-12-01';
      case 'datetime':
        return '2026-12-01T09:00';
      case 'number':
        return '12';
      case 'boolean':
        return 'ya';
      case 'pegawai':
        return 'contoh-pegawai';
      case 'email':
        return 'penghubung@contoh.test';
      default:
        return field.format === 'daftar-hadir'
          ? `Contoh nama ${field.id} | jabatan | instansi`
          : `Contoh isian ${field.label}`;
    }
  };

  const taskFields = sops.flatMap((sop) =>
    sop.nodes.flatMap((node) =>
      node.type === 'activity'
        ? node.fields.filter((f) => f.type !== 'file').map((f) => ({ where: `${sop.key} ${node.id}`, field: f }))
        : [],
    ),
  );
  const intakeFields = sops.flatMap((sop) =>
    [...sop.definition.intake.data, ...COMMON_INTAKE_FIELDS].map((f) => ({ where: `${sop.key} permohonan`, field: f })),
  );

  it('covers the fields of every SOP in sops/ and test/fixtures/sops', () => {
    expect(sops.length).toBeGreaterThanOrEqual(4);
    expect(new Set(taskFields.map((f) => f.field.type))).toEqual(
      new Set(['text', 'textarea', 'date', 'datetime', 'number', 'select', 'boolean', 'pegawai', 'email']),
    );
    expect(intakeFields.length).toBeGreaterThan(sops.length * COMMON_INTAKE_FIELDS.length);
  });

  it('an email field refuses what is not an address, naming the field', () => {
    const field = taskFields.find((f) => f.field.type === 'email')!.field;
    expect(parseFieldValue(field, 'penghubung@contoh.test')).toBe('penghubung@contoh.test');
    expect(parseFieldValue(field, 'penghubung di kantor')).toEqual({
      error: `${field.label} bukan alamat email yang valid`,
    });
  });

  it('a task form field refuses each bidirectional control with its label, and loses the harmless ones', () => {
    for (const { where, field } of taskFields) {
      const value = sample(field);
      const clean = parseFieldValue(field, value);
      expect(typeof clean === 'object' ? clean.error : undefined, where).toBeUndefined();
      for (const ch of BIDI)
        expect(parseFieldValue(field, inject(value, ch)), `${where} ${field.id} ${hex(ch)}`).toEqual({
          error: expect.stringMatching(new RegExp(`^${escape(field.label)}: .*arah tulisan`)),
        });
      for (const ch of SILENT) expect(parseFieldValue(field, inject(value, ch)), `${where} ${field.id}`).toEqual(clean);
    }
  });

  it('an intake data field (manifest and form) refuses each bidirectional control with its label, and loses the harmless ones', () => {
    for (const { where, field } of intakeFields) {
      const value = sample(field);
      const clean = checkValue(field, value);
      expect(typeof clean === 'object' ? clean.error : undefined, where).toBeUndefined();
      for (const ch of BIDI)
        expect(checkValue(field, inject(value, ch)), `${where} ${field.id} ${hex(ch)}`).toEqual({
          error: expect.stringMatching(new RegExp(`^${escape(field.label)}: .*arah tulisan`)),
        });
      for (const ch of SILENT) expect(checkValue(field, inject(value, ch)), `${where} ${field.id}`).toEqual(clean);
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
