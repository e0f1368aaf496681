import { ErrorNames, SepakatError } from '../errors.ts';
import { isIsoDate, UTC_OFFSET_MINUTES, type TimeZone } from './calendar-schema.ts';

/**
 * Local date and time in an Indonesian time zone, by fixed offset (no DST, no Intl). A local date is a
 * 'YYYY-MM-DD' string; internally days are counted as whole days since 1970-01-01 ("day numbers").
 */

export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

/** An instant seen on the wall clock of a time zone. */
export interface LocalDateTime {
  /** 'YYYY-MM-DD' */
  readonly date: string;
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** 1–31 */
  readonly day: number;
  /** ISO weekday: 1 = Senin (Monday) … 7 = Minggu (Sunday). */
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 'HH:MM' */
  readonly time: string;
  /** Minutes after local midnight, with fractions for seconds. */
  readonly minuteOfDay: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Epoch milliseconds of a valid Date; throws BadInput for anything else (an Invalid Date included). */
export function assertInstant(instant: Date): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new SepakatError(ErrorNames.BadInput, 'Waktu (instant) tidak valid');
  return ms;
}

/** The wall clock of `timeZone` at `instant`. */
export function toLocal(instant: Date, timeZone: TimeZone): LocalDateTime {
  const ms = assertInstant(instant);
  const localMs = utcToLocalMs(ms, timeZone);
  const shifted = new Date(localMs);
  const year = shifted.getUTCFullYear();
  const month = shifted.getUTCMonth() + 1;
  const day = shifted.getUTCDate();
  const hour = shifted.getUTCHours();
  const minute = shifted.getUTCMinutes();
  const second = shifted.getUTCSeconds();
  const msOfDay = localMs - Math.floor(localMs / MS_PER_DAY) * MS_PER_DAY;
  return {
    date: `${pad(year, 4)}-${pad(month)}-${pad(day)}`,
    year,
    month,
    day,
    weekday: ((shifted.getUTCDay() + 6) % 7) + 1,
    hour,
    minute,
    second,
    time: `${pad(hour)}:${pad(minute)}`,
    minuteOfDay: msOfDay / MS_PER_MINUTE,
  };
}

/** The local date ('YYYY-MM-DD') of `instant` in `timeZone`. */
export function localDateOf(instant: Date, timeZone: TimeZone): string {
  return toLocal(instant, timeZone).date;
}

/** The instant of a local date and time ('HH:MM' or 'HH:MM:SS') in `timeZone`. */
export function toInstant(date: string, time: string, timeZone: TimeZone): Date {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  const [h, min, sec] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3] ?? 0)];
  if (!m || min > 59 || sec > 59 || h > 24 || (h === 24 && min + sec > 0))
    throw new SepakatError(ErrorNames.BadInput, `Jam "${time}" tidak valid; gunakan HH:MM`);
  const minutes = h * 60 + min + sec / 60;
  return new Date(localMsToUtc(dayNumber(date) * MS_PER_DAY + minutes * MS_PER_MINUTE, timeZone));
}

/** Days since 1970-01-01 of a local date. Throws BadInput for anything but a real 'YYYY-MM-DD' date. */
export function dayNumber(date: string): number {
  if (typeof date !== 'string' || !isIsoDate(date))
    throw new SepakatError(ErrorNames.BadInput, `Tanggal "${String(date)}" tidak valid; gunakan YYYY-MM-DD`);
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / MS_PER_DAY;
}

/** The local date of a day number. */
export function dateOfDayNumber(day: number): string {
  const d = new Date(day * MS_PER_DAY);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** ISO weekday of a day number (1 = Monday … 7 = Sunday); 1970-01-01 was a Thursday. */
export function weekdayOfDayNumber(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** ISO weekday of a local date (1 = Senin … 7 = Minggu). */
export function weekdayOf(date: string): number {
  return weekdayOfDayNumber(dayNumber(date));
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return dateOfDayNumber(dayNumber(date) + days);
}

/** Milliseconds of a local wall-clock time (as if it were UTC) → epoch milliseconds. */
export function localMsToUtc(localMs: number, timeZone: TimeZone): number {
  return localMs - UTC_OFFSET_MINUTES[timeZone] * MS_PER_MINUTE;
}

/** Epoch milliseconds → milliseconds of the local wall-clock time (as if it were UTC). */
export function utcToLocalMs(ms: number, timeZone: TimeZone): number {
  return ms + UTC_OFFSET_MINUTES[timeZone] * MS_PER_MINUTE;
}
