import { z } from 'zod';
import { ErrorNames, SepakatError } from '../errors.ts';
import { cleanText, type TextIssueParams } from './text.ts';

/**
 * zod's issues as people read them: in Bahasa Indonesia, each naming the field in the words of the form rather than
 * its path. A schema that people fill in comes with its labels, a map from path patterns to labels:
 *
 * - `perihal` → "Perihal", `pemohon.email` → "Email pemohon";
 * - `*` stands for any array index or record key, and `{n}` in the label for the (first) index counted from 1:
 *   `files.*.name` → "Berkas {n}: nama" reads "Berkas 2: nama" for `files.1.name`;
 * - `''` is the whole body.
 *
 * A path without a label takes its nearest labelled ancestor's, so nothing falls back to English or to the path.
 */
export type Labels = Readonly<Record<string, string>>;

type Issue = z.core.$ZodIssue;

/** One refused field: where it is in the input, and the message for the person. */
export interface FieldIssue {
  path: PropertyKey[];
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[]; messages: string[] };

/** Parses `input` with `schema`; on failure, the Indonesian message of every issue, with the field's label. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, labels: Labels): Parsed<z.output<S>> {
  // `reportInput` keeps each issue's input, so that a missing field reads "wajib diisi" rather than a type error.
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.map((issue) => ({ path: issue.path, message: issueMessage(issue, labels) }));
  return { ok: false, issues, messages: [...new Set(issues.map((i) => i.message))] };
}

/** The messages of a ZodError thrown elsewhere (its issues may lack their input). */
export function issueMessages(error: z.ZodError, labels: Labels): string[] {
  return [...new Set(error.issues.map((issue) => issueMessage(issue, labels)))];
}

/** The first message for each top-level field of a form (`errors[field]`), as a page shows them beside the fields. */
export function fieldErrors(issues: readonly FieldIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.length ? String(issue.path[0]) : 'form';
    errors[key] ??= issue.message;
  }
  return errors;
}

/** The label of a path, from the nearest labelled pattern (the path itself, else its ancestors). */
export function labelOf(path: readonly PropertyKey[], labels: Labels): string | undefined {
  for (let end = path.length; end >= 0; end--) {
    const part = path.slice(0, end).map(String);
    let best: { label: string; wildcards: number } | undefined;
    for (const [pattern, label] of Object.entries(labels)) {
      const segments = pattern === '' ? [] : pattern.split('.');
      if (segments.length !== part.length || !segments.every((s, i) => s === '*' || s === part[i])) continue;
      const wildcards = segments.filter((s) => s === '*').length;
      if (!best || wildcards < best.wildcards) best = { label, wildcards };
    }
    if (best) {
      const index = path.slice(0, end).find((p) => typeof p === 'number');
      return typeof index === 'number' ? best.label.replace('{n}', String(index + 1)) : best.label;
    }
  }
  return undefined;
}

/** A field without any label: still Indonesian, never the path. */
const UNLABELLED = 'Salah satu isian';

const TYPE_WORDS: Record<string, string> = {
  string: 'teks',
  number: 'angka',
  int: 'bilangan bulat',
  boolean: 'ya atau tidak',
  array: 'daftar',
  object: 'kelompok isian',
  record: 'kelompok isian',
  date: 'tanggal',
};

const angka = (n: number | bigint) => n.toLocaleString('id-ID');

/**
 * A key or value echoed in a message is itself untrusted text: shown only when it is clean, short and one line,
 * else as "(tidak dapat ditampilkan)", so a message never carries an invisible control to a page or an email.
 */
function shown(text: string): string {
  const cleaned = cleanText(text);
  if (!cleaned.ok || !cleaned.value.trim()) return '(tidak dapat ditampilkan)';
  return cleaned.value.length > 40 ? `${cleaned.value.slice(0, 40)}…` : cleaned.value;
}

/** One issue as a sentence for people. */
export function issueMessage(issue: Issue, labels: Labels): string {
  const label = labelOf(issue.path, labels);
  const L = label ?? UNLABELLED;
  switch (issue.code) {
    case 'custom': {
      const teks = (issue.params as Partial<TextIssueParams> | undefined)?.teks;
      if (teks) return `${label ?? teks.label}${teks.body}`;
      return issue.message;
    }
    case 'invalid_type':
      if ('input' in issue && issue.input === undefined) return `${L} wajib diisi`;
      return `${L} harus berupa ${TYPE_WORDS[issue.expected] ?? 'nilai yang sesuai'}`;
    case 'unrecognized_keys': {
      const keys = issue.keys.slice(0, 5).map(shown).join(', ') + (issue.keys.length > 5 ? ', …' : '');
      return issue.path.length ? `${L}: isian tidak dikenal: ${keys}` : `Isian tidak dikenal: ${keys}`;
    }
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1 ? `${L} wajib diisi` : `${L} paling sedikit ${angka(issue.minimum)} karakter`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `${L} paling sedikit ${angka(issue.minimum)} butir`;
      return issue.inclusive === false
        ? `${L} harus lebih dari ${angka(issue.minimum)}`
        : `${L} paling kecil ${angka(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string') return `${L} paling panjang ${angka(issue.maximum)} karakter`;
      if (issue.origin === 'array' || issue.origin === 'set') return `${L} paling banyak ${angka(issue.maximum)} butir`;
      return issue.inclusive === false
        ? `${L} harus kurang dari ${angka(issue.maximum)}`
        : `${L} paling besar ${angka(issue.maximum)}`;
    case 'invalid_format':
      return issue.format === 'email' ? `${L} bukan alamat email yang valid` : `${L} tidak sesuai format yang diminta`;
    case 'invalid_value':
      return issue.values.length && issue.values.length <= 8
        ? `${L} harus salah satu dari: ${issue.values.map((v) => shown(String(v))).join(', ')}`
        : `${L}: pilihan tidak dikenal`;
    case 'not_multiple_of':
      return `${L} harus kelipatan ${angka(issue.divisor)}`;
    case 'invalid_union':
      return `${L} tidak sesuai jenis isian yang diminta`;
    default:
      return `${L} tidak sesuai`;
  }
}

/** Error code of a body or form refused by its schema (the message lists the fields, in Indonesian). */
export const INPUT_REFUSED = 'isian-ditolak';

/** Parses `input`, or throws BadInput whose message names every refused field (for use cases called by routes). */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, labels: Labels): z.output<S> {
  const parsed = parseInput(schema, input, labels);
  if (parsed.ok) return parsed.value;
  throw new SepakatError(ErrorNames.BadInput, parsed.messages.join('; '), { code: INPUT_REFUSED });
}
