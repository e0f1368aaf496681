import { z } from 'zod';
import { isIsoDate, type TimeZone } from '../calendar/calendar-schema.ts';
import { toLocal } from '../calendar/zone.ts';
import { ErrorNames, SepakatError } from '../errors.ts';

/**
 * The register of document numbers (buku register kerja sama): the numbering pattern of each pemda, formatting
 * and parsing of number texts, the register entry and the port its stores implement. Its exports are
 * register-csv.ts (CSV) and register-print.ts (what the printed register shows; templates/exports/register.hbs).
 * Pure: no AWS, no environment, no files; the clock is passed in.
 *
 * A number is `pattern` with `{n}` (nomor urut, optionally zero-padded: `{n:3}` → 007) and `{tahun}` filled in,
 * e.g. `000.5.4/{n}/409.1.1/{tahun}` → `000.5.4/12/409.1.1/2026`. Everything else is literal text (kode
 * klasifikasi arsip, kode unit, "SOP AP", …). There is one sequence per pemda, series and year.
 */

// ─── Patterns ────────────────────────────────────────────────────────────────────────────────────────────────

export type PatternPart = { kind: 'literal'; text: string } | { kind: 'n'; width: number } | { kind: 'tahun' };

/** Years a number may carry (a SRIKANDI number outside them is a typo). */
export const TAHUN_MIN = 2000;
export const TAHUN_MAX = 2100;
/** The nomor urut is at most 9 digits (a safe integer, and a fixed-width sort key in the store). */
export const N_MAX = 999_999_999;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const DIGIT = /\d/;

/**
 * Splits a pattern into literal and placeholder parts, or says in Indonesian why it cannot be used. Rules, so
 * that every text has at most one reading: exactly one `{n}` (or `{n:w}`, w = 1–9) and one `{tahun}`; no two
 * placeholders side by side; no digit right before or after `{n}` (its digits are read greedily); no other
 * braces; no line breaks.
 */
export function compilePattern(pattern: string): { ok: true; parts: PatternPart[] } | { ok: false; error: string } {
  if (typeof pattern !== 'string' || pattern.trim() === '') return { ok: false, error: 'pola nomor kosong' };
  if (pattern !== pattern.trim()) return { ok: false, error: 'pola nomor tidak boleh diawali/diakhiri spasi' };
  if (pattern.length > 200) return { ok: false, error: 'pola nomor terlalu panjang (lebih dari 200 karakter)' };
  if (/[\r\n\t]/.test(pattern)) return { ok: false, error: 'pola nomor tidak boleh berisi baris baru atau tab' };
  const parts: PatternPart[] = [];
  let last = 0;
  const pushLiteral = (text: string): string | undefined => {
    if (/[{}]/.test(text)) return `kurung kurawal tanpa pasangan di "${text}"`;
    if (text) parts.push({ kind: 'literal', text });
    return undefined;
  };
  for (const m of pattern.matchAll(PLACEHOLDER)) {
    const bad = pushLiteral(pattern.slice(last, m.index));
    if (bad) return { ok: false, error: bad };
    const name = m[1]!.trim();
    const width = /^n:(\d)$/.exec(name);
    if (name === 'n') parts.push({ kind: 'n', width: 0 });
    else if (width && Number(width[1]) >= 1) parts.push({ kind: 'n', width: Number(width[1]) });
    else if (name === 'tahun') parts.push({ kind: 'tahun' });
    else
      return { ok: false, error: `isian {${m[1]}} tidak dikenal; yang tersedia: {n}, {n:3} (nol di depan), {tahun}` };
    last = m.index + m[0].length;
  }
  const bad = pushLiteral(pattern.slice(last));
  if (bad) return { ok: false, error: bad };

  const count = (kind: PatternPart['kind']) => parts.filter((p) => p.kind === kind).length;
  if (count('n') !== 1) return { ok: false, error: 'pola harus memuat tepat satu {n} (nomor urut)' };
  if (count('tahun') !== 1) return { ok: false, error: 'pola harus memuat tepat satu {tahun}' };
  for (let i = 0; i < parts.length; i++) {
    const [part, next] = [parts[i]!, parts[i + 1]];
    if (part.kind !== 'literal' && next && next.kind !== 'literal')
      return { ok: false, error: 'dua isian tidak boleh berdampingan tanpa pemisah (misalnya "/")' };
    if (part.kind === 'n') {
      const before = parts[i - 1];
      const after = next?.kind === 'literal' ? next.text : '';
      if ((before?.kind === 'literal' && DIGIT.test(before.text.at(-1)!)) || DIGIT.test(after.slice(0, 1)))
        return { ok: false, error: 'tepat sebelum dan sesudah {n} harus ada pemisah yang bukan angka' };
    }
  }
  return { ok: true, parts };
}

const compiled = new Map<string, PatternPart[]>();

/** The parts of a valid pattern; throws InvalidDefinition for an invalid one. Cached. */
export function patternParts(pattern: string): PatternPart[] {
  const hit = compiled.get(pattern);
  if (hit) return hit;
  const result = compilePattern(pattern);
  if (!result.ok)
    throw new SepakatError(ErrorNames.InvalidDefinition, `Pola nomor "${pattern}" tidak valid: ${result.error}`);
  compiled.set(pattern, result.parts);
  return result.parts;
}

/** The pattern as people read it: `000.5.4/[nomor urut]/409.1.1/[tahun]`. */
export function describePattern(pattern: string): string {
  return patternParts(pattern)
    .map((p) => (p.kind === 'literal' ? p.text : p.kind === 'tahun' ? '[tahun]' : '[nomor urut]'))
    .join('');
}

/** The default pattern: kode klasifikasi arsip / nomor urut / kode unit / tahun. */
export function defaultPattern(codes: { kodeKlasifikasi: string; kodeUnit: string }): string {
  return `${codes.kodeKlasifikasi}/{n}/${codes.kodeUnit}/{tahun}`;
}

/** `formatNumber('000.5.4/{n}/409.1.1/{tahun}', 12, 2026)` → `000.5.4/12/409.1.1/2026`. */
export function formatNumber(pattern: string, n: number, year: number): string {
  if (!Number.isSafeInteger(n) || n < 1 || n > N_MAX) throw new RangeError(`nomor urut ${n} di luar 1–${N_MAX}`);
  if (!Number.isSafeInteger(year) || year < TAHUN_MIN || year > TAHUN_MAX)
    throw new RangeError(`tahun ${year} di luar ${TAHUN_MIN}–${TAHUN_MAX}`);
  return patternParts(pattern)
    .map((p) => (p.kind === 'literal' ? p.text : p.kind === 'tahun' ? String(year) : String(n).padStart(p.width, '0')))
    .join('');
}

export type ParsedNumber = { ok: true; n: number; year: number; text: string } | { ok: false; error: string };

/**
 * Reads a number text against a pattern (the format check of a number entered from SRIKANDI). The text is
 * trimmed (and non-breaking spaces become spaces); otherwise it must be exactly what `formatNumber` would write,
 * so that one number has one spelling: no leading zeros unless the pattern pads, and then exactly the padding.
 * Errors are in Bahasa Indonesia and name the part that does not fit, the pattern and an example.
 */
export function parseNumber(pattern: string, text: string, options: { exampleYear?: number } = {}): ParsedNumber {
  const parts = patternParts(pattern);
  const input = typeof text === 'string' ? text.replaceAll('\u00a0', ' ').trim() : '';
  const fail = (why: string): ParsedNumber => ({
    ok: false,
    error:
      `Nomor "${input}" tidak sesuai format: ${why}. Format: ${describePattern(pattern)}, ` +
      `contoh: ${formatNumber(pattern, 12, options.exampleYear ?? 2026)}.`,
  });
  if (!input) return { ok: false, error: 'Nomor naskah wajib diisi.' };
  let pos = 0;
  let n = 0;
  let year = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.kind === 'literal') {
      if (!input.startsWith(part.text, pos)) {
        const where = i === 0 ? 'seharusnya diawali' : `setelah "${input.slice(0, pos)}" seharusnya`;
        return fail(`${where} "${part.text}"`);
      }
      pos += part.text.length;
    } else if (part.kind === 'tahun') {
      const digits = /^\d{4}/.exec(input.slice(pos))?.[0];
      if (!digits) return fail(`tahun (4 angka) tidak ditemukan setelah "${input.slice(0, pos)}"`);
      year = Number(digits);
      if (year < TAHUN_MIN || year > TAHUN_MAX) return fail(`tahun ${digits} di luar ${TAHUN_MIN}–${TAHUN_MAX}`);
      pos += 4;
    } else {
      const digits = /^\d+/.exec(input.slice(pos))?.[0];
      if (!digits) return fail(`nomor urut (angka) tidak ditemukan setelah "${input.slice(0, pos)}"`);
      n = Number(digits);
      if (digits.length > 9 || n < 1) return fail(`nomor urut ${digits} di luar 1–${N_MAX}`);
      const canonical = String(n).padStart(part.width, '0');
      if (digits !== canonical)
        return fail(
          part.width
            ? `nomor urut ditulis ${part.width} angka dengan nol di depan (seharusnya "${canonical}")`
            : `nomor urut tidak boleh diawali nol (seharusnya "${canonical}")`,
        );
      pos += digits.length;
    }
  }
  if (pos !== input.length) return fail(`ada teks berlebih "${input.slice(pos)}" di akhir`);
  return { ok: true, n, year, text: input };
}

/** Two patterns that differ only in the padding of {n} can write the same text (`X/{n}/…` and `X/{n:2}/…`). */
function skeleton(pattern: string): string {
  return patternParts(pattern)
    .map((p) => (p.kind === 'literal' ? `L${p.text}` : p.kind === 'tahun' ? 'T' : 'N'))
    .join('\u0000');
}

// ─── Per-pemda numbering configuration ───────────────────────────────────────────────────────────────────────

export const SeriesIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'id seri: huruf kecil, angka dan tanda hubung (contoh: "pks")')
  .max(40);

export const SeriesSchema = z
  .object({
    /** e.g. `000.5.4/{n}/409.1.1/{tahun}` (see compilePattern for the rules). */
    pattern: z.string().superRefine((pattern, ctx) => {
      const result = compilePattern(pattern);
      if (!result.ok) ctx.addIssue({ code: 'custom', message: result.error });
    }),
    /** What the series numbers, for people: "Perjanjian Kerja Sama". */
    label: z.string().trim().min(1, 'label seri wajib diisi'),
  })
  .strict();

/** A pemda's numbering: one sequence per series and year. */
export const NumberingConfigSchema = z
  .object({ series: z.record(SeriesIdSchema, SeriesSchema) })
  .strict()
  .superRefine((config, ctx) => {
    const ids = Object.keys(config.series);
    if (!ids.length) ctx.addIssue({ code: 'custom', path: ['series'], message: 'minimal satu seri penomoran' });
    const seen = new Map<string, string>();
    for (const id of ids) {
      const { pattern } = config.series[id]!;
      if (!compilePattern(pattern).ok) continue;
      const other = seen.get(skeleton(pattern));
      if (other)
        ctx.addIssue({
          code: 'custom',
          path: ['series', id, 'pattern'],
          message: `pola sama dengan seri "${other}" (nomor keduanya bisa kembar)`,
        });
      else seen.set(skeleton(pattern), id);
    }
  });
export type NumberingConfig = z.infer<typeof NumberingConfigSchema>;

/** The year a number allocated at `at` carries: the pemda's local year (1 January 00.00 WIB, not UTC). */
export function yearOf(at: Date, timeZone: TimeZone): number {
  return toLocal(at, timeZone).year;
}

// ─── The register entry ──────────────────────────────────────────────────────────────────────────────────────

/**
 * - dicadangkan: reserved for a document (no later than its signature, so the number is in the signed PDF);
 * - dipakai: the signed document carries it (registered by a later SOP step);
 * - dibatalkan: void, always with a reason (never deleted: the sequence keeps no holes);
 * - srikandi: a number given by SRIKANDI and entered here (outside this product's sequence).
 */
export const REGISTER_STATUSES = ['dicadangkan', 'dipakai', 'dibatalkan', 'srikandi'] as const;
export type RegisterStatus = (typeof REGISTER_STATUSES)[number];

export const STATUS_LABEL: Readonly<Record<RegisterStatus, string>> = {
  dicadangkan: 'Dicadangkan',
  dipakai: 'Dipakai',
  dibatalkan: 'Dibatalkan',
  srikandi: 'Dari SRIKANDI',
};

/**
 * Why a number was voided. The first three are written by the register itself for numbers nobody received;
 * `dibatalkan-petugas` by an official (voidNumber) for a number that was given.
 */
export type VoidCode = 'alokasi-terputus' | 'alokasi-paralel-ganda' | 'nomor-bentrok' | 'dibatalkan-petugas';

export const SYSTEM_VOID_REASON = {
  /** A crash between taking the number from the counter and recording it; found by sweepHoles. */
  'alokasi-terputus': 'alokasi terputus',
  /** Two allocations for the same case and purpose ran at once; the one that lost voids its number. */
  'alokasi-paralel-ganda': 'alokasi paralel ganda',
  /** The number's text is already in the register (entered from SRIKANDI, or written by another series). */
  'nomor-bentrok': 'nomor sudah tercatat di register',
} as const satisfies Partial<Record<VoidCode, string>>;

export const RegisterDatesSchema = z
  .object({
    /** Tanggal naskah. */
    document: z.string().refine(isIsoDate, 'tanggal YYYY-MM-DD').optional(),
    /** Tanggal penandatanganan. */
    signed: z.string().refine(isIsoDate, 'tanggal YYYY-MM-DD').optional(),
    /** Jangka waktu: berlaku mulai … sampai … */
    validFrom: z.string().refine(isIsoDate, 'tanggal YYYY-MM-DD').optional(),
    validUntil: z.string().refine(isIsoDate, 'tanggal YYYY-MM-DD').optional(),
  })
  .strict();
export type RegisterDates = z.infer<typeof RegisterDatesSchema>;

/** Where the paper original is kept (tempat penyimpanan naskah asli), and which copy it is. */
export interface OriginalLocation {
  /** e.g. "Lemari arsip Bagian Kerjasama, rak 2, map KS-2026". */
  location: string;
  /** Which copy is the original kept here, e.g. "Asli PIHAK KESATU (bermeterai)". */
  copy: string;
  recordedAt: string;
  recordedBy?: string;
}

export interface RegisterEntry {
  pemdaId: string;
  series: string;
  year: number;
  /** Nomor urut. For a SRIKANDI number: the one read from its text (not part of this product's sequence). */
  n: number;
  /** The number as written on the document. */
  numberText: string;
  status: RegisterStatus;
  source: 'sepakat' | 'srikandi';
  caseId?: string;
  /** What the number is for within the case (e.g. "pks", "kb#2"). */
  purpose?: string;
  /** The idempotency key: caseId#purpose. */
  key?: string;
  /** Para pihak. */
  parties: string[];
  perihal?: string;
  dates: RegisterDates;
  original?: OriginalLocation;
  voidCode?: VoidCode;
  voidReason?: string;
  voidedBy?: string;
  /** When the number was reserved (or, for a system void, when the void was recorded). */
  reservedAt: string;
  usedAt?: string;
  voidedAt?: string;
  updatedAt: string;
  /** Who asked for the number or entered it. */
  by?: string;
}

/** The allocation key of a case and purpose. A case id may not contain '#', so the key reads one way. */
export function allocationKey(caseId: string, purpose: string): string {
  if (!caseId || caseId.includes('#'))
    throw new SepakatError(ErrorNames.BadInput, `ID kasus "${caseId}" tidak valid untuk penomoran`);
  if (!purpose.trim()) throw new SepakatError(ErrorNames.BadInput, 'Keperluan nomor wajib diisi');
  return `${caseId}#${purpose}`;
}

/**
 * What the counter of a sequence knows about the age of its numbers, without a write per number:
 * - `last`: the highest n taken (atomic ADD);
 * - `lastAt`: the allocator's clock at the ADD that took `last` (SET in the same atomic update), so every n ≤ last
 *   was taken at or before `lastAt`;
 * - `seen`: observations of sweeps, `{ last, at }`: at `at` (read after a consistent read) the counter stood at
 *   `last`, so every n ≤ last was taken before `at`. They date holes in a sequence that never goes quiet.
 */
export interface CounterAges {
  last: number;
  lastAt?: string;
  seen?: readonly CounterObservation[];
}
export interface CounterObservation {
  last: number;
  at: string;
}

/** The highest n known to have been taken before `olderThanMs` (0 if none). */
export function agedThrough(counter: CounterAges, olderThanMs: number): number {
  let through = 0;
  const before = (at: string | undefined) => at !== undefined && Date.parse(at) < olderThanMs;
  if (before(counter.lastAt)) through = counter.last;
  for (const o of counter.seen ?? []) if (before(o.at)) through = Math.max(through, Math.min(o.last, counter.last));
  return through;
}

/** The holes of a sequence (1..last without an entry): `old` ones (≤ agedThrough) and `young` ones. */
export function classifyHoles(
  last: number,
  present: ReadonlySet<number>,
  agedThroughN: number,
): { old: number[]; young: number[] } {
  const out = { old: [] as number[], young: [] as number[] };
  for (let n = 1; n <= last; n++) if (!present.has(n)) (n <= agedThroughN ? out.old : out.young).push(n);
  return out;
}

/**
 * The sweep observations to keep after a new one: the newest observation already older than `olderThanMs`
 * (it dominates the older ones: the counter only grows), and the younger ones at most one per quarter of the
 * grace period, so the list stays a handful long however often sweeps run.
 */
export function keepObservations(
  seen: readonly CounterObservation[],
  next: CounterObservation,
  olderThanMs: number,
): CounterObservation[] {
  const nowMs = Date.parse(next.at);
  const spacing = Math.max(0, (nowMs - olderThanMs) / 4);
  const sorted = [...seen].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const old = sorted.filter((o) => Date.parse(o.at) < olderThanMs).at(-1);
  const young = sorted.filter((o) => Date.parse(o.at) >= olderThanMs);
  const newest = young.at(-1) ?? old;
  const add = !newest || (newest.last < next.last && nowMs - Date.parse(newest.at) >= spacing);
  return [...(old ? [old] : []), ...young, ...(add ? [next] : [])];
}

// ─── The port ────────────────────────────────────────────────────────────────────────────────────────────────

export interface AllocateInput {
  caseId: string;
  purpose: string;
  series: string;
  /** Defaults to the pemda's local year now. A re-run returns the number of the first run, whatever the year. */
  year?: number;
  parties?: string[];
  perihal?: string;
  dates?: RegisterDates;
  by?: string;
}

export interface SrikandiInput {
  numberText: string;
  /** The series whose pattern the number must fit. */
  series: string;
  caseId?: string;
  purpose?: string;
  parties?: string[];
  perihal?: string;
  dates?: RegisterDates;
  by?: string;
}

export interface ListFilter {
  year: number;
  /** One series, or every configured series in order. */
  series?: string;
  status?: RegisterStatus;
  /** Most entries in one page (default 100, at most 1,000). */
  limit?: number;
  cursor?: string;
}

export interface RegisterPage {
  items: RegisterEntry[];
  /** Pass back to get the next page; absent on the last. */
  cursor?: string;
}

export interface SweepReport {
  /** Sequences (series × year) examined. */
  sequences: number;
  voided: { series: string; year: number; n: number; numberText: string }[];
  /** Holes left alone because they are younger than `olderThan` (possibly an allocation in flight). */
  young: number;
  /** SRIKANDI numbers whose entry was missing (a crash between their two writes) and was written. */
  repaired: number;
}

/**
 * Named crash points of an allocation, for tests: a fault injector throws (a crash) or waits (a slow writer).
 * after-counter: the number was taken from the counter, not yet bound to the key (step b → c);
 * after-claim: bound to the key, its text not yet reserved (c → d); after-text: text reserved, entry not written.
 */
export type RegisterFaultPoint = 'after-counter' | 'after-claim' | 'after-text';
export interface RegisterFaults {
  point(name: RegisterFaultPoint, at: { key: string; series: string; year: number; n: number }): void | Promise<void>;
}
export const noRegisterFaults: RegisterFaults = { point: () => undefined };

/**
 * A reasonable grace period for sweepHoles (`olderThan = now − grace`): far longer than an allocation takes, so a
 * sweep practically never races one (and when it does, the allocation takes a fresh number: see the store).
 */
export const DEFAULT_SWEEP_GRACE_MS = 15 * 60_000;

/** The register of numbers of one pemda. Every method is safe to repeat and to run concurrently. */
export interface NumberRegister {
  /** Reserves the number of (caseId, purpose): the same number on every call, a new one for nobody else. */
  allocate(input: AllocateInput): Promise<RegisterEntry>;
  /** Records a number given by SRIKANDI: format and uniqueness checked (BadInput with the reason otherwise). */
  registerSrikandi(input: SrikandiInput): Promise<RegisterEntry>;
  markUsed(numberText: string, update?: { dates?: RegisterDates; by?: string }): Promise<RegisterEntry>;
  voidNumber(numberText: string, reason: string, by?: string): Promise<RegisterEntry>;
  setOriginalLocation(
    numberText: string,
    original: { location: string; copy: string; by?: string },
  ): Promise<RegisterEntry>;
  get(numberText: string): Promise<RegisterEntry | undefined>;
  list(filter: ListFilter): Promise<RegisterPage>;
  /** Voids every number older than `olderThan` that has no entry ("alokasi terputus"). */
  sweepHoles(options: { olderThan: Date; years?: number[] }): Promise<SweepReport>;
}

/** Kept for callers elsewhere: dates are written by core/format/tanggal.ts. */
export { tanggalPanjang } from '../format/tanggal.ts';
