import { z } from 'zod';
import indonesian from 'zod/v4/locales/id.js';

/**
 * The one check of text typed by people, before it can reach a document, a page, an email or the register. Every
 * form and API body goes through it: zod schemas through the helpers below (`teks`, `catatan`, `surel`), hand-parsed
 * forms through `checkText` with the label the form shows, so the message lands beside the field.
 *
 * What it does, in order:
 * 1. Refuses text that is not well-formed Unicode (a lone surrogate from a JSON body): it cannot be stored or printed.
 * 2. Normalises to NFC, so the same words are the same bytes (search, the register, a signed naskah).
 * 3. Removes silently the invisible characters word processors paste: soft hyphen (U+00AD), zero-width space
 *    (U+200B), byte-order mark / zero-width no-break space (U+FEFF). They carry no meaning people can see.
 * 4. Refuses the bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, and the Arabic letter mark
 *    U+061C, which works like them): invisible, they reorder what a reader sees (a U+202E makes a line of a signed
 *    naskah read reversed). Removing them silently would change the text the person meant, so they are refused, with
 *    the field's name.
 * 5. Turns every line break (CR LF as browsers post a textarea, CR, VT, FF, NEL, U+2028, U+2029) into LF.
 * 6. Refuses every other control character: C0 (U+0000–U+001F) except tab and line feed, DEL (U+007F) and C1
 *    (U+0080–U+009F). None is typed on purpose; in a PDF, an email header or a CSV they are at best noise and at
 *    worst an injection. This is the careful choice; tab stays, as a harmless white space.
 * 7. Single-line fields (the default) refuse line breaks: a name or a number on two lines is a mistake, and a line
 *    break in a subject or a register cell breaks what it lands in. Multi-line fields (notes, reasons) keep them.
 *
 * Text that reaches documents from configuration or SOP files is data we control and is not checked here.
 */

// Messages that a schema does not set itself are Indonesian wherever zod is used; the people-facing messages come
// from `issueMessages` (./issues.ts), which names the field as the form does.
z.config(indonesian());

const SILENT = /[\u00AD\u200B\uFEFF]/g;
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex -- VT and FF are line breaks to normalise
const LINE_BREAK = /\r\n?|[\u000B\u000C\u0085\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a text is refused. */
export type TextRefusal =
  | { kind: 'arah-tulisan'; codePoint: number }
  | { kind: 'karakter-kendali'; codePoint: number }
  | { kind: 'baris-baru' }
  | { kind: 'tidak-utuh' };

export interface CleanOptions {
  /** Keeps line breaks (as LF): notes, reasons, report texts. Default: one line. */
  multiline?: boolean;
}

export type CleanResult = { ok: true; value: string } | { ok: false; refusal: TextRefusal };

/**
 * The text as it may be kept (NFC, without the harmless invisible characters, line breaks as LF), or why it is
 * refused. It does not trim: see `checkText`.
 */
export function cleanText(raw: string, options: CleanOptions = {}): CleanResult {
  if (LONE_SURROGATE.test(raw)) return { ok: false, refusal: { kind: 'tidak-utuh' } };
  const text = raw.normalize('NFC').replace(SILENT, '');
  const bidi = BIDI.exec(text);
  if (bidi) return { ok: false, refusal: { kind: 'arah-tulisan', codePoint: bidi[0].codePointAt(0)! } };
  const value = text.replace(LINE_BREAK, '\n');
  const control = CONTROL.exec(value);
  if (control) return { ok: false, refusal: { kind: 'karakter-kendali', codePoint: control[0].codePointAt(0)! } };
  if (!options.multiline && value.includes('\n')) return { ok: false, refusal: { kind: 'baris-baru' } };
  return { ok: true, value };
}

const codePointName = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** What is wrong with the text, after the field's label ("Mitra kerja sama" + this). */
export function refusalText(refusal: TextRefusal): string {
  switch (refusal.kind) {
    case 'arah-tulisan':
      return (
        `: berisi karakter tak terlihat pengatur arah tulisan (${codePointName(refusal.codePoint)}) yang dapat ` +
        'membalik urutan teks; ketik ulang isian ini tanpa karakter tersebut'
      );
    case 'karakter-kendali':
      return (
        `: berisi karakter kendali tak terlihat (${codePointName(refusal.codePoint)}); ` +
        'ketik ulang isian ini tanpa karakter tersebut'
      );
    case 'baris-baru':
      return ' harus ditulis dalam satu baris (tanpa baris baru)';
    case 'tidak-utuh':
      return ': berisi karakter yang rusak (bukan teks Unicode yang utuh); ketik ulang isian ini';
  }
}

export interface TextRules extends CleanOptions {
  /** At least this many characters after trimming; 0 (the default) makes the field optional. */
  min?: number;
  /** At most this many characters after trimming. */
  max?: number;
  /** Keeps leading and trailing white space (default: trimmed). */
  keepSpaces?: boolean;
  /** A non-empty value must match it whole (an id, a number format). */
  pattern?: RegExp;
  /** How the expected format reads for people, after "tidak sesuai format" (e.g. "contoh: 20260101-abcdefghij"). */
  patternHint?: string;
}

/** Characters as people count them (a code point each), not UTF-16 units. */
const length = (text: string) => [...text].length;
const angka = (n: number) => n.toLocaleString('id-ID');

/**
 * The text of a field, cleaned and trimmed, or why it is refused, as a message for the person that starts with
 * the field's label as the form shows it ("Mitra kerja sama: berisi karakter …").
 */
export function checkText(label: string, raw: string, rules: TextRules = {}): string | { error: string } {
  const body = checkTextBody(raw, rules);
  return typeof body === 'string' ? body : { error: `${label}${body.error}` };
}

/** As `checkText`, the message without the label (it starts with the separator: ": …" or " wajib …"). */
function checkTextBody(raw: string, rules: TextRules): string | { error: string } {
  const cleaned = cleanText(raw, rules);
  if (!cleaned.ok) return { error: refusalText(cleaned.refusal) };
  const value = rules.keepSpaces ? cleaned.value : cleaned.value.trim();
  const min = rules.min ?? 0;
  const n = length(value);
  if (min > 0 && n === 0) return { error: ` wajib diisi${min > 1 ? ` (paling sedikit ${angka(min)} karakter)` : ''}` };
  if (n < min) return { error: ` paling sedikit ${angka(min)} karakter` };
  if (rules.max !== undefined && n > rules.max) return { error: ` paling panjang ${angka(rules.max)} karakter` };
  if (rules.pattern && n > 0 && !rules.pattern.test(value))
    return { error: ` tidak sesuai format${rules.patternHint ? ` (${rules.patternHint})` : ''}` };
  return value;
}

/**
 * The params of a custom zod issue raised by these helpers: the label and the message body apart, so that
 * `issueMessages` can name the field as its schema's labels do (e.g. "Berkas 2: nama" for `files.1.name`).
 */
export interface TextIssueParams {
  teks: { label: string; body: string };
}

const notText = (label: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `${label} wajib diisi` : `${label} harus berupa teks`;

/**
 * A zod schema of one text field: cleaned and checked as `checkText` does, with Indonesian messages that name
 * `label`. Input and output are strings.
 */
export function teks(label: string, rules: TextRules = {}) {
  return z.string({ error: notText(label) }).transform((raw, ctx) => {
    const checked = checkTextBody(raw, rules);
    if (typeof checked === 'string') return checked;
    ctx.addIssue({
      code: 'custom',
      message: `${label}${checked.error}`,
      params: { teks: { label, body: checked.error } } satisfies TextIssueParams,
    });
    return z.NEVER;
  });
}

/** A multi-line text field (a note, a reason, a report's paragraphs). */
export function catatan(label: string, rules: Omit<TextRules, 'multiline'> = {}) {
  return teks(label, { ...rules, multiline: true });
}

const EMAIL = z.email();

/** Whether a (cleaned) text is an email address: the one check behind `surel` and the SOP fields of type email. */
export const isEmailAddress = (value: string): boolean => EMAIL.safeParse(value).success;

/** An email address: cleaned as text (one line, at most 254 characters), then checked as an address. */
export function surel(label: string) {
  return teks(label, { min: 1, max: 254 }).transform((value, ctx) => {
    if (isEmailAddress(value)) return value;
    const body = ' bukan alamat email yang valid';
    ctx.addIssue({
      code: 'custom',
      message: `${label}${body}`,
      params: { teks: { label, body } } satisfies TextIssueParams,
    });
    return z.NEVER;
  });
}

/**
 * A choice from a fixed list (a select, a `--status` flag): cleaned as text first, so a pasted zero-width space does
 * not make a valid choice unknown, then checked against `values` ("Status register harus salah satu dari: …").
 */
export function pilihan<const T extends readonly [string, ...string[]]>(label: string, values: T) {
  return teks(label, { min: 1, max: 200 }).pipe(z.enum(values));
}

/**
 * A single field checked with one of these schemas outside an object (a hand-parsed form): its value, or the
 * message for the person (already naming the field).
 */
export function checkField<T extends string | undefined>(schema: z.ZodType<T>, raw: unknown): T | { error: string } {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  return { error: issue?.message ?? 'Isian tidak sesuai' };
}
