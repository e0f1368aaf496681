import { z } from 'zod';
import { ErrorNames, SepakatError } from '../errors.ts';
import type { Ayat, Bagian, NaskahContent, Pasal } from './content.ts';

/**
 * The standard outline of a kind of naskah: data (`config/naskah/<kind>.yaml`), not code. It names the kind, its
 * title, whether it carries a meterai (on the paper copies: e-meterai is outside what Sepakat does), whether it is
 * bilingual (an MoU with a foreign party: Bahasa Indonesia and English, pasal by pasal), whether it has a komparisi
 * (who signs in what capacity, on what authority), recitals and a legal basis, or changes another agreement
 * (adendum), and its standard pasal with their standard wording.
 *
 * A naskah starts from its outline filled with the case: `{name}` placeholders in the wording are replaced by the
 * case's values (see OUTLINE_VALUES); a value not known yet prints as the blank "……" a draft uses, for the drafter
 * to fill. From then on the words are the officials' own.
 */

/** The placeholders an outline may use, and what fills them. */
export const OUTLINE_VALUES = {
  jenis: 'the kind as a noun in a sentence ("Kesepakatan Bersama")',
  tentang: 'the title ("Kerja Sama Pengelolaan Sampah")',
  tentangEn: 'the title in English, for a bilingual kind (case data `naskah-tentang-en`)',
  bidang: 'the field of cooperation in a sentence ("kerja sama di bidang Pengelolaan Sampah")',
  pihakKesatu: 'the pemda ("Pemerintah Kota Contoh")',
  pihakKedua: 'the partner ("PT Air Bersih Nusantara")',
  jangkaWaktu: 'the term in words ("5 (lima)")',
  rangkap: 'the number of originals in words ("2 (dua)")',
  kbNomor: 'the numbers of the Kesepakatan Bersama a PKS implements',
  kbTanggal: 'its date',
  kbTentang: 'its title',
  indukNomor: 'the number of the agreement an adendum changes',
  indukTanggal: 'its date',
  indukTentang: 'its title',
  indukJenis: 'its kind, as a noun in a sentence ("Perjanjian Kerja Sama")',
} as const;
export type OutlineValue = keyof typeof OUTLINE_VALUES;
export type OutlineValues = Partial<Record<OutlineValue, string>>;

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;
const KOSONG = '……';

const teks = z.string().min(1);
const OutlineAyat = z.object({ teks, en: teks.optional() }).strict();
const OutlineBagian = z.object({ id: z.string().regex(/^[a-z0-9-]+$/), teks, en: teks.optional() }).strict();
const OutlinePasal = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/, 'id pasal: huruf kecil, angka, tanda hubung'),
    judul: teks,
    judulEn: teks.optional(),
    mengubah: teks.optional(),
    ayat: z.array(z.union([teks, OutlineAyat])).min(1),
  })
  .strict();

export const OutlineSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    /** How pages and sentences name the kind ("Kesepakatan Bersama"). */
    nama: teks,
    namaEn: teks.optional(),
    /** The title line of the document ("KESEPAKATAN BERSAMA"). */
    judul: teks,
    judulEn: teks.optional(),
    meterai: z.boolean(),
    bilingual: z.boolean().default(false),
    /** Who signs in what capacity, on what authority (a PKS). */
    komparisi: z.boolean().default(false),
    /** Changes another agreement. */
    adendum: z.boolean().default(false),
    /** The number of originals. */
    rangkap: z.number().int().min(1).max(10).default(2),
    pertimbangan: z.array(OutlineBagian).default([]),
    dasar: z.array(OutlineBagian).default([]),
    /** The kind has recitals / a legal basis (the editor shows the sections even when the outline has none). */
    adaPertimbangan: z.boolean().default(false),
    adaDasar: z.boolean().default(false),
    pasal: z.array(OutlinePasal).min(1),
  })
  .strict();
export type Outline = z.infer<typeof OutlineSchema>;

/**
 * An outline file checked at load: its shape, unique ids, only known placeholders, and English wherever a bilingual
 * kind prints text. Every problem is reported at once, naming the file and where.
 */
export function parseOutline(raw: unknown, where: string): Outline {
  const parsed = OutlineSchema.safeParse(raw);
  if (!parsed.success)
    throw new SepakatError(
      ErrorNames.InvalidDefinition,
      parsed.error.issues.map((i) => `${where}: ${i.path.join('.')}: ${i.message}`).join('\n'),
    );
  const o = parsed.data;
  const problems: string[] = [];
  const texts: [string, string | undefined][] = [];
  const ids = new Set<string>();
  o.pasal.forEach((p, i) => {
    if (ids.has(p.id)) problems.push(`pasal.${i}: id "${p.id}" ganda`);
    ids.add(p.id);
    texts.push([`pasal.${i}.judul`, p.judul]);
    if (o.bilingual && !p.judulEn) problems.push(`pasal.${i}.judulEn: wajib untuk naskah dwibahasa`);
    p.ayat.forEach((a, j) => {
      const ayat = typeof a === 'string' ? { teks: a } : a;
      texts.push([`pasal.${i}.ayat.${j}`, ayat.teks], [`pasal.${i}.ayat.${j}.en`, ayat.en]);
      if (o.bilingual && !ayat.en) problems.push(`pasal.${i}.ayat.${j}.en: wajib untuk naskah dwibahasa`);
    });
  });
  for (const kind of ['pertimbangan', 'dasar'] as const)
    o[kind].forEach((b, i) => {
      texts.push([`${kind}.${i}`, b.teks], [`${kind}.${i}.en`, b.en]);
      if (o.bilingual && !b.en) problems.push(`${kind}.${i}.en: wajib untuk naskah dwibahasa`);
    });
  for (const [at, text] of texts)
    for (const m of (text ?? '').matchAll(PLACEHOLDER))
      if (!(m[1]! in OUTLINE_VALUES)) problems.push(`${at}: isian {${m[1]}} tidak dikenal`);
  if (problems.length)
    throw new SepakatError(ErrorNames.InvalidDefinition, problems.map((p) => `${where}: ${p}`).join('\n'));
  return o;
}

/** The outline's wording with the case's values in place of its placeholders. */
export function fill(text: string, values: OutlineValues): string {
  return text.replace(PLACEHOLDER, (_, name: string) => values[name as OutlineValue]?.trim() || KOSONG);
}

/** The first content of a naskah: the outline filled with the case's values, with the outline's stable ids. */
export function startContent(outline: Outline, values: OutlineValues): NaskahContent {
  const bagian = (list: Outline['pertimbangan']): Bagian[] =>
    list.map((b) => ({ id: b.id, teks: fill(b.teks, values), ...(b.en ? { en: fill(b.en, values) } : {}) }));
  const pasal: Pasal[] = outline.pasal.map((p) => ({
    id: p.id,
    judul: fill(p.judul, values),
    ...(p.judulEn ? { judulEn: fill(p.judulEn, values) } : {}),
    ...(p.mengubah ? { mengubah: fill(p.mengubah, values) } : {}),
    ayat: p.ayat.map((a, j): Ayat => {
      const ayat = typeof a === 'string' ? { teks: a } : a;
      return {
        id: `${p.id}-${j + 1}`,
        teks: fill(ayat.teks, values),
        ...(ayat.en ? { en: fill(ayat.en, values) } : {}),
      };
    }),
  }));
  return {
    jenis: outline.id,
    tentang: values.tentang?.trim() || KOSONG,
    ...(outline.bilingual ? { tentangEn: values.tentangEn?.trim() || KOSONG } : {}),
    pertimbangan: bagian(outline.pertimbangan),
    dasar: bagian(outline.dasar),
    ...(outline.adendum
      ? {
          induk: {
            nomor: values.indukNomor?.trim() || KOSONG,
            tanggal: values.indukTanggal?.trim() || KOSONG,
            tentang: values.indukTentang?.trim() || KOSONG,
          },
        }
      : {}),
    pasal,
  };
}

/** The outlines the product knows, by id. */
export interface OutlineCatalog {
  get(id: string): Outline;
  has(id: string): boolean;
  all(): readonly Outline[];
}

export function outlineCatalog(outlines: readonly Outline[]): OutlineCatalog {
  const byId = new Map(outlines.map((o) => [o.id, o]));
  if (byId.size !== outlines.length)
    throw new SepakatError(ErrorNames.InvalidDefinition, 'Kerangka naskah: ada id jenis yang ganda');
  return {
    get(id) {
      const o = byId.get(id);
      if (!o) throw new SepakatError(ErrorNames.NotFound, `Jenis naskah "${id}" tidak dikenal`);
      return o;
    },
    has: (id) => byId.has(id),
    all: () => [...byId.values()],
  };
}
