import { durasiKerja } from '../calendar/work-calendar.ts';
import type { TimeZone } from '../calendar/schema.ts';
import { toLocal } from '../calendar/zone.ts';
import { ErrorNames, SepakatError } from '../errors.ts';

/**
 * Indonesian dates as official letters write them: "23 November 2026", "Senin, 23 November 2026 pukul 16.00 WIB"
 * and, for a berita acara, in words. Pure: the time zone is passed in, the date is an instant.
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

/** "23 November 2026" */
export function formatTanggal(date: Date, timeZone: TimeZone): string {
  const l = toLocal(date, timeZone);
  return `${l.day} ${bulan(l.month)} ${l.year}`;
}

/** "16.00" (Indonesian writes the time with a period). */
export function formatJam(date: Date, timeZone: TimeZone): string {
  const l = toLocal(date, timeZone);
  return `${String(l.hour).padStart(2, '0')}.${String(l.minute).padStart(2, '0')}`;
}

/** "Senin, 23 November 2026 pukul 16.00 WIB" */
export function formatTanggalWaktu(date: Date, timeZone: TimeZone): string {
  const l = toLocal(date, timeZone);
  return `${hari(l.weekday)}, ${formatTanggal(date, timeZone)} pukul ${formatJam(date, timeZone)} ${timeZone}`;
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
