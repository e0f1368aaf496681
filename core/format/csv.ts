import type { TimeZone } from '../calendar/calendar-schema.ts';
import { tanggalAngka, waktuAngka } from './tanggal.ts';

/**
 * The one CSV writer of every export, in the format Excel reads in the Indonesian locale: UTF-8 with a byte-order
 * mark, `;` between fields, CRLF line ends, a decimal comma, dates as dd/mm/yyyy (and times as dd/mm/yyyy HH:MM on
 * the pemda's wall clock). Fields holding `;`, a quote, CR or LF are quoted with quotes doubled (RFC 4180).
 *
 * A text cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a CR) gets a
 * leading apostrophe (OWASP "CSV injection"): much of what is exported comes from a pemohon. Numbers and dates are
 * written by this module, so they are never neutralised (a negative number stays a number).
 */

/** A calendar date ('YYYY-MM-DD'), written dd/mm/yyyy. */
export interface CsvTanggal {
  readonly tanggal: string;
}

/** An instant (ISO text or Date), written dd/mm/yyyy HH:MM in the zone. */
export interface CsvWaktu {
  readonly waktu: string | Date;
  readonly timeZone: TimeZone;
}

/** One cell: text, a number (decimal comma), a date, a time, or nothing (an empty cell). */
export type CsvCell = string | number | CsvTanggal | CsvWaktu | null | undefined;

export const CSV_SEPARATOR = ';';
const BOM = '\uFEFF';
const CRLF = '\r\n';

/** A date cell; nothing stays an empty cell. */
export const csvTanggal = (date: string | undefined | null): CsvCell => (date ? { tanggal: date } : undefined);

/** A date-and-time cell; nothing stays an empty cell. */
export const csvWaktu = (at: string | Date | undefined | null, timeZone: TimeZone): CsvCell =>
  at ? { waktu: at, timeZone } : undefined;

/** A text that a spreadsheet would run as a formula gets a leading apostrophe. */
export function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** 12.5 → "12,5"; non-finite numbers are empty cells. */
export function angkaCsv(n: number): string {
  return Number.isFinite(n) ? String(n).replace('.', ',') : '';
}

function text(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return angkaCsv(cell);
  if (typeof cell === 'string') return neutralise(cell);
  if ('tanggal' in cell) return tanggalAngka(cell.tanggal);
  const at = typeof cell.waktu === 'string' ? new Date(cell.waktu) : cell.waktu;
  return Number.isNaN(at.getTime()) ? neutralise(String(cell.waktu)) : waktuAngka(at, cell.timeZone);
}

/** One field, quoted when it holds the separator, a quote, CR or LF. */
function field(cell: CsvCell): string {
  const value = text(cell);
  return /[;"\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The whole file: the header row, then one line per row; BOM first, CRLF after every line. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const lines = [header.map(field).join(CSV_SEPARATOR)];
  for (const row of rows) lines.push(row.map(field).join(CSV_SEPARATOR));
  return `${BOM}${lines.join(CRLF)}${CRLF}`;
}
