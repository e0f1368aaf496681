import { durasiKerja } from '../calendar/work-calendar.ts';
import { isIsoDate, type TimeZone } from '../calendar/calendar-schema.ts';
import { toLocal } from '../calendar/zone.ts';
import { ErrorNames, SepakatError } from '../errors.ts';

/**
 * The one place that writes dates and times in Indonesian: as official letters write them ("23 November 2026",
 * "Senin, 23 November 2026 pukul 16.00 WIB", for a berita acara in words), short for tables ("23 Nov 2026 10.05")
 * and in figures for spreadsheets ("23/11/2026", "23/11/2026 16:15"). Pure: the time zone is passed in, an instant
 * is a Date and a calendar date a 'YYYY-MM-DD' string.
 */

export const NAMA_BULAN = [
  'Januari',
  'Februari',
  'Maret',
  'April',
  'Mei',
  'Juni',
  'Juli',
  'Agustus',
  'September',
  'Oktober',
  'November',
  'Desember',
] as const;

/** Indexed by ISO weekday − 1 (Senin = 1 … Minggu = 7). */
export const NAMA_HARI = ['Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu', 'Minggu'] as const;

const bulan = (month: number) => NAMA_BULAN[month - 1]!;
const hari = (weekday: number) => NAMA_HARI[weekday - 1]!;
const pad2 = (n: number) => String(n).padStart(2, '0');

/** "23 November 2026" */
export function formatTanggal(date: Date, timeZone: TimeZone): string {
  const l = toLocal(date, timeZone);
  return `${l.day} ${bulan(l.month)} ${l.year}`;
}

/** "16.00" (Indonesian writes the time with a period). */
export function formatJam(date: Date, timeZone: TimeZone): string {
  const l = toLocal(date, timeZone);
  return `${pad2(l.hour)}.${pad2(l.minute)}`;
}

/** "Senin, 23 November 2026 pukul 16.00 WIB" */
export function formatTanggalWaktu(date: Date, timeZone: TimeZone): string {
  const l = toLocal(date, timeZone);
  return `${hari(l.weekday)}, ${formatTanggal(date, timeZone)} pukul ${formatJam(date, timeZone)} ${timeZone}`;
}

/** '2026-11-23' → "23 November 2026"; empty for nothing; a text that is not a date is returned as it is. */
export function tanggalPanjang(date: string | undefined): string {
  if (!date || !isIsoDate(date)) return date ?? '';
  return `${Number(date.slice(8, 10))} ${bulan(Number(date.slice(5, 7)))} ${date.slice(0, 4)}`;
}

/** "23 Nov 2026 10.05" in the zone: short enough for a table; "-" for nothing. */
export function formatWaktuSingkat(iso: string | null, timeZone: TimeZone): string {
  if (!iso) return '-';
  const l = toLocal(new Date(iso), timeZone);
  return `${pad2(l.day)} ${bulan(l.month).slice(0, 3)} ${l.year} ${pad2(l.hour)}.${pad2(l.minute)}`;
}

/** "2026-11-23 14:05" on the zone's wall clock (a timestamp in a register's notes); empty for nothing. */
export function waktuIso(iso: string | undefined, timeZone: TimeZone): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const l = toLocal(at, timeZone);
  return `${l.date} ${pad2(l.hour)}:${pad2(l.minute)}`;
}

/** '2026-11-23' → "23/11/2026" (how Indonesian Excel reads a date); a text that is not a date is returned as it is. */
export function tanggalAngka(date: string): string {
  if (!isIsoDate(date)) return date;
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** "23/11/2026 16:15" on the zone's wall clock (a spreadsheet's date and time). */
export function waktuAngka(at: Date, timeZone: TimeZone): string {
  const l = toLocal(at, timeZone);
  return `${tanggalAngka(l.date)} ${pad2(l.hour)}:${pad2(l.minute)}`;
}

/**
 * Working minutes as the Mutu Baku speaks: "2 hari 15 menit", "3 jam 15 menit", "0 menit". A hari is
 * `minutesPerDay` working minutes (calendar.minutesPerDay, 450 by default); zero parts are left out.
 */
export function formatDurasi(minutes: number, minutesPerDay: number): string {
  const d = durasiKerja(minutes, minutesPerDay);
  const parts: string[] = [];
  if (d.hari) parts.push(`${d.hari} hari`);
  if (d.jam) parts.push(`${d.jam} jam`);
  if (d.menit || parts.length === 0) parts.push(`${d.menit} menit`);
  return parts.join(' ');
}

const SATUAN = ['nol', 'satu', 'dua', 'tiga', 'empat', 'lima', 'enam', 'tujuh', 'delapan', 'sembilan'] as const;

/** 1–999 in words. */
function ratusan(n: number): string {
  const words: string[] = [];
  const r = Math.floor(n / 100);
  const rest = n % 100;
  if (r === 1) words.push('seratus');
  else if (r > 1) words.push(`${SATUAN[r]!} ratus`);
  if (rest === 10) words.push('sepuluh');
  else if (rest === 11) words.push('sebelas');
  else if (rest > 11 && rest < 20) words.push(`${SATUAN[rest - 10]!} belas`);
  else if (rest >= 20) {
    words.push(`${SATUAN[Math.floor(rest / 10)]!} puluh`);
    if (rest % 10) words.push(SATUAN[rest % 10]!);
  } else if (rest > 0) words.push(SATUAN[rest]!);
  return words.join(' ');
}

/**
 * A whole number 0–999 999 in Indonesian words: 11 → "sebelas", 100 → "seratus", 1000 → "seribu",
 * 2026 → "dua ribu dua puluh enam". Throws BadInput outside that range or for a fraction.
 */
export function terbilang(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999_999)
    throw new SepakatError(ErrorNames.BadInput, `terbilang: hanya bilangan bulat 0 sampai 999.999, bukan ${n}`);
  if (n === 0) return 'nol';
  const ribu = Math.floor(n / 1000);
  const rest = n % 1000;
  const words: string[] = [];
  if (ribu === 1) words.push('seribu');
  else if (ribu > 1) words.push(`${ratusan(ribu)} ribu`);
  if (rest > 0) words.push(ratusan(rest));
  return words.join(' ');
}

/**
 * The date in words for a berita acara: "pada hari ini Senin tanggal dua puluh tiga bulan November tahun dua ribu
 * dua puluh enam".
 */
export function tanggalDalamKata(date: Date, timeZone: TimeZone): string {
  const l = toLocal(date, timeZone);
  return `pada hari ini ${hari(l.weekday)} tanggal ${terbilang(l.day)} bulan ${bulan(l.month)} tahun ${terbilang(l.year)}`;
}
