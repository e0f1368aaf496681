import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ErrorNames, SepakatError } from '../errors.ts';
import { checkText } from '../validation/text.ts';

/**
 * The naskah as structured content: what officials draft, review, initial and sign. Pure.
 *
 * A naskah has a kind (its outline, data in `config/naskah/`), a title ("tentang"), where the kind has them the
 * recitals ("bahwa …", pertimbangan) and the legal basis (dasar, including the Kesepakatan Bersama a Perjanjian Kerja
 * Sama implements), an adendum's reference to the agreement it changes, and an ordered list of pasal, each with
 * ayat. Every pasal, ayat and recital has a stable id: it survives edits, moves and renumbering, so a reviewer's
 * diff shows an inserted pasal as one insertion and a moved pasal as a move (core/naskah/diff.ts).
 *
 * The parties, their signers, the numbers, the place and date, the paraf and the signatures are not content: they
 * come from the case when the naskah is rendered. The words of the pasal are the officials' own, printed as typed.
 * A bilingual kind (an MoU with a foreign party) keeps the English beside each text (`en`).
 *
 * An ayat's text is one paragraph; lines after the first are its butir (a., b., c.), one per line.
 */

/** Limits that keep a naskah printable and one content version storable in one DynamoDB item (400 KB). */
export const NASKAH_LIMITS = {
  pasal: 60,
  ayatPerPasal: 30,
  bagian: 30,
  judul: 300,
  teks: 6000,
  tentang: 500,
} as const;

export interface Ayat {
  readonly id: string;
  readonly teks: string;
  /** English text, for a bilingual kind. */
  readonly en?: string;
}

export interface Pasal {
  readonly id: string;
  readonly judul: string;
  readonly judulEn?: string;
  /** Adendum: what of the agreement this pasal changes ("Pasal 5 ayat (2)"). */
  readonly mengubah?: string;
  readonly ayat: readonly Ayat[];
}

/** A recital or an item of the legal basis. */
export interface Bagian {
  readonly id: string;
  readonly teks: string;
  readonly en?: string;
}

/** Adendum: the agreement it changes. */
export interface NaskahInduk {
  readonly nomor: string;
  readonly tanggal: string;
  readonly tentang: string;
}

export interface NaskahContent {
  /** The outline's id: 'kesepakatan-bersama', 'nota-kesepakatan', 'perjanjian-kerja-sama', 'mou-luar-negeri', 'adendum'. */
  readonly jenis: string;
  readonly tentang: string;
  readonly tentangEn?: string;
  readonly pertimbangan: readonly Bagian[];
  readonly dasar: readonly Bagian[];
  readonly induk?: NaskahInduk;
  readonly pasal: readonly Pasal[];
}

const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'id tidak sah');
const AyatSchema = z.object({ id, teks: z.string(), en: z.string().optional() }).strict();
const PasalSchema = z
  .object({
    id,
    judul: z.string(),
    judulEn: z.string().optional(),
    mengubah: z.string().optional(),
    ayat: z.array(AyatSchema),
  })
  .strict();
const BagianSchema = z.object({ id, teks: z.string(), en: z.string().optional() }).strict();

/** The stored shape (a content version read back from the history); texts are checked by `checkContent`. */
export const NaskahContentSchema = z
  .object({
    jenis: z.string().min(1),
    tentang: z.string(),
    tentangEn: z.string().optional(),
    pertimbangan: z.array(BagianSchema),
    dasar: z.array(BagianSchema),
    induk: z.object({ nomor: z.string(), tanggal: z.string(), tentang: z.string() }).strict().optional(),
    pasal: z.array(PasalSchema),
  })
  .strict();

// ─── Identity and hashing ──────────────────────────────────────────────────────────────────────────────────────

/** A fresh stable id ("p-3f9a1c0b"): random, so two editors adding a pasal at once never collide. */
export function newId(prefix: 'p' | 'a' | 'b', random: () => string = () => randomBytes(4).toString('hex')): string {
  return `${prefix}-${random()}`;
}

/** The canonical JSON of a content (fixed key order, optional keys only when set). */
export function canonicalContent(c: NaskahContent): string {
  const opt = <T>(v: T | undefined) => (v === undefined || v === '' ? null : v);
  return JSON.stringify([
    'sepakat-isi/v1',
    c.jenis,
    c.tentang,
    opt(c.tentangEn),
    c.pertimbangan.map((b) => [b.id, b.teks, opt(b.en)]),
    c.dasar.map((b) => [b.id, b.teks, opt(b.en)]),
    c.induk ? [c.induk.nomor, c.induk.tanggal, c.induk.tentang] : null,
    c.pasal.map((p) => [p.id, p.judul, opt(p.judulEn), opt(p.mengubah), p.ayat.map((a) => [a.id, a.teks, opt(a.en)])]),
  ]);
}

/** "sha256:<hex>" of the canonical content: two saves of the same words are the same content. */
export function contentHash(c: NaskahContent): string {
  return `sha256:${createHash('sha256').update(canonicalContent(c), 'utf8').digest('hex')}`;
}

export const sameContent = (a: NaskahContent, b: NaskahContent): boolean => canonicalContent(a) === canonicalContent(b);

// ─── Numbering, as printed ─────────────────────────────────────────────────────────────────────────────────────

/** "Pasal 3" of the pasal at index i. */
export const nomorPasal = (i: number): string => `Pasal ${i + 1}`;

/** How a pasal and an ayat are named to people ("Pasal 3 ayat (2)", "Pasal 3" when it has one ayat). */
export function sebutanAyat(c: NaskahContent, pasalId: string, ayatId?: string): string {
  const i = c.pasal.findIndex((p) => p.id === pasalId);
  if (i < 0) return 'pasal';
  const p = c.pasal[i]!;
  if (!ayatId || p.ayat.length < 2) return nomorPasal(i);
  const j = p.ayat.findIndex((a) => a.id === ayatId);
  return `${nomorPasal(i)} ayat (${j + 1})`;
}

/** An ayat's paragraph and its butir (lines after the first; leading "a.", "-", "•", "1." markers dropped). */
export function ayatParts(teks: string): { teks: string; butir: string[] } {
  const lines = teks
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const [first = '', ...rest] = lines;
  return { teks: first, butir: rest.map((l) => l.replace(/^(?:[a-z]\.|[a-z]\)|\d+[.)]|[-•*])\s+/i, '')) };
}

// ─── Editing operations (the pasal editor, with or without JavaScript) ─────────────────────────────────────────

export type EditOp =
  | { op: 'tambah-pasal'; setelah?: string }
  | { op: 'hapus-pasal'; pasal: string }
  | { op: 'naik-pasal'; pasal: string }
  | { op: 'turun-pasal'; pasal: string }
  | { op: 'tambah-ayat'; pasal: string; setelah?: string }
  | { op: 'hapus-ayat'; pasal: string; ayat: string }
  | { op: 'naik-ayat'; pasal: string; ayat: string }
  | { op: 'turun-ayat'; pasal: string; ayat: string }
  | { op: 'tambah-bagian'; bagian: 'pertimbangan' | 'dasar' }
  | { op: 'hapus-bagian'; bagian: 'pertimbangan' | 'dasar'; id: string };

const OP_NAMES = new Set([
  'tambah-pasal',
  'hapus-pasal',
  'naik-pasal',
  'turun-pasal',
  'tambah-ayat',
  'hapus-ayat',
  'naik-ayat',
  'turun-ayat',
  'tambah-bagian',
  'hapus-bagian',
]);

/**
 * The op of an editor button: "naik-pasal:p-1a2b", "hapus-ayat:p-1a2b:a-3c4d", "tambah-pasal" (at the end),
 * "tambah-bagian:dasar". Undefined for anything else.
 */
export function parseOp(value: string): EditOp | undefined {
  const [name, x, y] = value.split(':');
  if (!name || !OP_NAMES.has(name)) return undefined;
  switch (name) {
    case 'tambah-pasal':
      return { op: name, ...(x ? { setelah: x } : {}) };
    case 'hapus-pasal':
    case 'naik-pasal':
    case 'turun-pasal':
      return x ? { op: name, pasal: x } : undefined;
    case 'tambah-ayat':
      return x ? { op: name, pasal: x, ...(y ? { setelah: y } : {}) } : undefined;
    case 'hapus-ayat':
    case 'naik-ayat':
    case 'turun-ayat':
      return x && y ? { op: name, pasal: x, ayat: y } : undefined;
    case 'tambah-bagian':
    case 'hapus-bagian':
      if (x !== 'pertimbangan' && x !== 'dasar') return undefined;
      return name === 'tambah-bagian' ? { op: name, bagian: x } : y ? { op: name, bagian: x, id: y } : undefined;
  }
  return undefined;
}

const move = <T>(list: readonly T[], i: number, by: -1 | 1): T[] => {
  const out = [...list];
  const j = i + by;
  if (i < 0 || j < 0 || j >= out.length) return out;
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
};

/** The content after one editor operation. Unknown ids leave it unchanged (a stale button of another version). */
export function applyOp(c: NaskahContent, op: EditOp, random?: () => string): NaskahContent {
  const pasalAt = (pid: string) => c.pasal.findIndex((p) => p.id === pid);
  const withPasal = (pid: string, f: (p: Pasal) => Pasal): NaskahContent => ({
    ...c,
    pasal: c.pasal.map((p) => (p.id === pid ? f(p) : p)),
  });
  switch (op.op) {
    case 'tambah-pasal': {
      const at = op.setelah ? pasalAt(op.setelah) + 1 : c.pasal.length;
      const fresh: Pasal = { id: newId('p', random), judul: '', ayat: [{ id: newId('a', random), teks: '' }] };
      const pasal = [...c.pasal];
      pasal.splice(at <= 0 ? c.pasal.length : at, 0, fresh);
      return { ...c, pasal };
    }
    case 'hapus-pasal':
      return { ...c, pasal: c.pasal.filter((p) => p.id !== op.pasal) };
    case 'naik-pasal':
    case 'turun-pasal':
      return { ...c, pasal: move(c.pasal, pasalAt(op.pasal), op.op === 'naik-pasal' ? -1 : 1) };
    case 'tambah-ayat':
      return withPasal(op.pasal, (p) => {
        const at = op.setelah ? p.ayat.findIndex((a) => a.id === op.setelah) + 1 : p.ayat.length;
        const ayat = [...p.ayat];
        ayat.splice(at <= 0 ? p.ayat.length : at, 0, { id: newId('a', random), teks: '' });
        return { ...p, ayat };
      });
    case 'hapus-ayat':
      return withPasal(op.pasal, (p) => ({ ...p, ayat: p.ayat.filter((a) => a.id !== op.ayat) }));
    case 'naik-ayat':
    case 'turun-ayat':
      return withPasal(op.pasal, (p) => ({
        ...p,
        ayat: move(
          p.ayat,
          p.ayat.findIndex((a) => a.id === op.ayat),
          op.op === 'naik-ayat' ? -1 : 1,
        ),
      }));
    case 'tambah-bagian':
      return { ...c, [op.bagian]: [...c[op.bagian], { id: newId('b', random), teks: '' }] };
    case 'hapus-bagian':
      return { ...c, [op.bagian]: c[op.bagian].filter((b) => b.id !== op.id) };
  }
}

// ─── Checking a content before it is saved ─────────────────────────────────────────────────────────────────────

export interface ContentIssue {
  /** The form field the message belongs beside (see `fieldName`). */
  field: string;
  message: string;
}

/** Form field names of the editor, shared by the page that draws it and the parser that reads it back. */
export const fieldName = {
  tentang: 'n_tentang',
  tentangEn: 'n_tentang_en',
  induk: (k: keyof NaskahInduk) => `n_induk_${k}`,
  bagian: (kind: 'pertimbangan' | 'dasar', id: string, en = false) => `n_${kind}_${id}${en ? '_en' : ''}`,
  judul: (pid: string, en = false) => `n_judul_${pid}${en ? '_en' : ''}`,
  mengubah: (pid: string) => `n_mengubah_${pid}`,
  ayat: (pid: string, aid: string, en = false) => `n_ayat_${pid}_${aid}${en ? '_en' : ''}`,
} as const;

export interface CheckOptions {
  /** The kind is bilingual: every text needs its English. */
  bilingual: boolean;
  /** The kind is an adendum: it names the agreement it changes, and each pasal what it changes. */
  adendum: boolean;
}

/**
 * The content with every text cleaned (NFC, invisible characters removed, bidi controls refused), or every problem,
 * each naming the pasal and ayat as printed ("Pasal 3 ayat (2): wajib diisi").
 */
export function checkContent(
  c: NaskahContent,
  options: CheckOptions,
): { ok: true; content: NaskahContent } | { ok: false; issues: ContentIssue[] } {
  const issues: ContentIssue[] = [];
  const text = (field: string, label: string, raw: string | undefined, max: number, multiline = false): string => {
    const checked = checkText(label, raw ?? '', { min: 1, max, multiline });
    if (typeof checked === 'string') return checked;
    issues.push({ field, message: checked.error });
    return raw ?? '';
  };
  const en = (field: string, label: string, raw: string | undefined, max: number, multiline = false) =>
    options.bilingual ? text(field, `${label} (bahasa Inggris)`, raw, max, multiline) : undefined;
  if (c.pasal.length === 0) issues.push({ field: 'n_pasal', message: 'Naskah paling sedikit memuat satu pasal' });
  if (c.pasal.length > NASKAH_LIMITS.pasal)
    issues.push({ field: 'n_pasal', message: `Naskah paling banyak ${NASKAH_LIMITS.pasal} pasal` });
  const bagian = (kind: 'pertimbangan' | 'dasar') => {
    const label = kind === 'pertimbangan' ? 'Pertimbangan' : 'Dasar';
    if (c[kind].length > NASKAH_LIMITS.bagian)
      issues.push({ field: `n_${kind}`, message: `${label} paling banyak ${NASKAH_LIMITS.bagian} butir` });
    return c[kind].map((b, i) => {
      const teks = text(fieldName.bagian(kind, b.id), `${label} ${i + 1}`, b.teks, NASKAH_LIMITS.teks, true);
      const english = en(fieldName.bagian(kind, b.id, true), `${label} ${i + 1}`, b.en, NASKAH_LIMITS.teks, true);
      return { id: b.id, teks, ...(english !== undefined ? { en: english } : {}) };
    });
  };
  const pertimbangan = bagian('pertimbangan');
  const dasar = bagian('dasar');
  const tentang = text(fieldName.tentang, 'Judul naskah (tentang)', c.tentang, NASKAH_LIMITS.tentang);
  const tentangEn = en(fieldName.tentangEn, 'Judul naskah (tentang)', c.tentangEn, NASKAH_LIMITS.tentang);
  let induk: NaskahInduk | undefined;
  if (options.adendum) {
    induk = {
      nomor: text(fieldName.induk('nomor'), 'Nomor naskah yang diubah', c.induk?.nomor, 100),
      tanggal: text(fieldName.induk('tanggal'), 'Tanggal naskah yang diubah', c.induk?.tanggal, 100),
      tentang: text(fieldName.induk('tentang'), 'Judul naskah yang diubah', c.induk?.tentang, NASKAH_LIMITS.tentang),
    };
  }
  const seen = new Set<string>();
  const pasal = c.pasal.map((p, i) => {
    const nomor = nomorPasal(i);
    if (seen.has(p.id)) issues.push({ field: fieldName.judul(p.id), message: `${nomor}: id ganda` });
    seen.add(p.id);
    const judul = text(fieldName.judul(p.id), `${nomor}, judul`, p.judul, NASKAH_LIMITS.judul);
    const judulEn = en(fieldName.judul(p.id, true), `${nomor}, judul`, p.judulEn, NASKAH_LIMITS.judul);
    const mengubah = options.adendum
      ? text(fieldName.mengubah(p.id), `${nomor}, ketentuan yang diubah`, p.mengubah, 300)
      : undefined;
    if (p.ayat.length === 0) issues.push({ field: fieldName.judul(p.id), message: `${nomor}: belum ada ayat` });
    if (p.ayat.length > NASKAH_LIMITS.ayatPerPasal)
      issues.push({
        field: fieldName.judul(p.id),
        message: `${nomor}: paling banyak ${NASKAH_LIMITS.ayatPerPasal} ayat`,
      });
    const ayat = p.ayat.map((a, j) => {
      const label = p.ayat.length > 1 ? `${nomor} ayat (${j + 1})` : nomor;
      const teks = text(fieldName.ayat(p.id, a.id), label, a.teks, NASKAH_LIMITS.teks, true);
      const english = en(fieldName.ayat(p.id, a.id, true), label, a.en, NASKAH_LIMITS.teks, true);
      return { id: a.id, teks, ...(english !== undefined ? { en: english } : {}) };
    });
    return {
      id: p.id,
      judul,
      ...(judulEn !== undefined ? { judulEn } : {}),
      ...(mengubah !== undefined ? { mengubah } : {}),
      ayat,
    };
  });
  if (issues.length) return { ok: false, issues };
  return {
    ok: true,
    content: {
      jenis: c.jenis,
      tentang,
      ...(tentangEn !== undefined ? { tentangEn } : {}),
      pertimbangan,
      dasar,
      ...(induk ? { induk } : {}),
      pasal,
    },
  };
}

/** Reads a stored content back (a history fact's detail); a malformed one is a defect, not user input. */
export function parseStoredContent(raw: unknown, where: string): NaskahContent {
  const parsed = NaskahContentSchema.safeParse(raw);
  if (!parsed.success)
    throw new SepakatError(ErrorNames.InvalidDefinition, `${where}: isi naskah tersimpan tidak sah`, {
      cause: parsed.error,
    });
  return parsed.data;
}
