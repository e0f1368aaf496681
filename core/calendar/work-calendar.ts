import { ErrorNames, SepakatError } from '../errors.ts';
import type { Waktu, WaktuUnit } from '../sop/waktu.ts';
import {
  CalendarYearSchema,
  isIsoDate,
  minuteOfDay,
  WorkingHoursSchema,
  type CalendarYear,
  type TimeZone,
  type Weekday,
  type WorkingDay,
  type WorkingHours,
} from './calendar-schema.ts';
import {
  addDays,
  assertInstant,
  dayNumber,
  MS_PER_MINUTE,
  toInstant,
  toLocal,
  weekdayOfDayNumber,
  type LocalDateTime,
} from './zone.ts';

/**
 * The working-day calendar of one pemda: which local dates are working days (its working hours minus libur
 * nasional and cuti bersama) and the due times of Mutu Baku Waktu. Pure: the clock is always passed in.
 *
 * Rules (see computeDue):
 * - menit / jam N: N working minutes (N × 60 for jam) counted only inside working hours on working days, from
 *   the opening instant, or from the next opening of working hours when opened outside them. A count that ends
 *   exactly at a closing is due at that closing.
 * - hari-kerja N: the closing of working hours of the Nth working day after the local date of opening (opened
 *   Monday 10.00 with 1 hari → closing of Tuesday; opened Saturday, a holiday, or Monday after hours → the next
 *   working day after that date is day 1).
 * - hari-kalender N: the local date N calendar days after the date of opening; due at the closing of working
 *   hours when that date is a working day, otherwise at 23.59.59 local time of that date.
 * - A range (min < max) is due at min and overdue after max; otherwise overdueAt = dueAt.
 * - provisional: a date the computation looked at lies in a year the calendar has no data for; only the
 *   working hours, the fixed-date holidays and an estimate of the moving ones were applied to it. Recompute when
 *   that year's data is imported.
 */

export type HolidayKind = 'libur-nasional' | 'cuti-bersama';

export interface Holiday {
  /** 'YYYY-MM-DD' */
  readonly date: string;
  readonly name: string;
  readonly kind: HolidayKind;
  /** An estimate for a year whose SKB calendar is not imported yet ("perkiraan"); absent for imported data. */
  readonly perkiraan?: true;
}

/**
 * The estimated holidays of a year without holiday data (the fixed-date ones and a computed estimate of the moving
 * ones, supplied by an adapter): they keep due dates close, which stay provisional until the year is imported.
 */
export type HolidayEstimate = (year: number) => readonly { date: string; name: string }[];

/**
 * The libur nasional on a fixed date every year (UU and Keppres), known before the year's SKB is published.
 * The moving ones (Idulfitri, Iduladha, Imlek, Nyepi, Waisak, Paskah …) come from an estimate.
 */
export const FIXED_DATE_HOLIDAYS: readonly { monthDay: string; name: string }[] = [
  { monthDay: '01-01', name: 'Tahun Baru Masehi' },
  { monthDay: '05-01', name: 'Hari Buruh Internasional' },
  { monthDay: '06-01', name: 'Hari Lahir Pancasila' },
  { monthDay: '08-17', name: 'Proklamasi Kemerdekaan Republik Indonesia' },
  { monthDay: '12-25', name: 'Kelahiran Yesus Kristus' },
];

export interface WorkingInterval {
  readonly start: Date;
  readonly end: Date;
}

export interface WorkCalendar {
  readonly timeZone: TimeZone;
  readonly hours: WorkingHours;
  /** The years with holiday data, ascending. */
  readonly years: readonly number[];
  /** The last year with holiday data; null when there is none (then every date is provisional). */
  readonly lastYear: number | null;
  /** Working minutes of a standard day (the week's working minutes ÷ its working days, rounded): 450 by default. */
  readonly minutesPerDay: number;
  hasYear(year: number): boolean;
  /** A configured working weekday that is neither libur nasional nor cuti bersama. 'YYYY-MM-DD'. */
  isWorkingDay(localDate: string): boolean;
  holiday(localDate: string): Holiday | null;
  holidayName(localDate: string): string | null;
  /** The working periods of a local date (two when the day has istirahat); empty on a non-working day. */
  workingIntervals(localDate: string): readonly WorkingInterval[];
  /** Start of working hours of a local date; null on a non-working day. */
  openingOf(localDate: string): Date | null;
  /** End of working hours of a local date; null on a non-working day. */
  closingOf(localDate: string): Date | null;
  /** The wall clock of the pemda's zone at an instant. */
  toLocal(instant: Date): LocalDateTime;
  /** The local date ('YYYY-MM-DD') of an instant in the pemda's zone. */
  localDate(instant: Date): string;
  /** The instant of a local date and time ('HH:MM' or 'HH:MM:SS') in the pemda's zone. */
  toInstant(localDate: string, time: string): Date;
}

export interface Due {
  /** Due at (from Waktu min); null when the step has no Waktu. */
  readonly dueAt: Date | null;
  /** Overdue after (from Waktu max; equals dueAt when Waktu is not a range). */
  readonly overdueAt: Date | null;
  /** True when the computation passed a date in a year without holiday data (estimated holidays applied). */
  readonly provisional: boolean;
}

/** A duration in working time: hari = full standard working days, then jam and menit. */
export interface DurasiKerja {
  readonly hari: number;
  readonly jam: number;
  readonly menit: number;
}

/** Longest stretch of days a computation scans before deciding the calendar can never satisfy it. */
const MAX_SCAN_DAYS = 3_700;

const definitionError = (message: string) => new SepakatError(ErrorNames.InvalidDefinition, message);

function issuesText(where: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${where}: ${i.path.map(String).join('.') || '(akar)'}: ${i.message}`).join('\n');
}

/** Validates one year of holidays (e.g. the parsed `config/calendar/2026.json`); throws InvalidDefinition. */
export function parseCalendarYear(raw: unknown, file = 'kalender'): CalendarYear {
  const result = CalendarYearSchema.safeParse(raw);
  if (!result.success) throw definitionError(issuesText(file, result.error.issues));
  return result.data;
}

/** Validates the working hours of a pemda; throws InvalidDefinition. */
export function parseWorkingHours(raw: unknown, file = 'jam kerja'): WorkingHours {
  const result = WorkingHoursSchema.safeParse(raw);
  if (!result.success) throw definitionError(issuesText(file, result.error.issues));
  return result.data;
}

/** Periods of a working day in minutes after midnight, rest time excluded. */
function dayPeriods(day: WorkingDay): [number, number][] {
  const start = minuteOfDay(day.start);
  const end = minuteOfDay(day.end);
  if (!day.istirahat) return [[start, end]];
  return [
    [start, minuteOfDay(day.istirahat.start)],
    [minuteOfDay(day.istirahat.end), end],
  ];
}

const yearOf = (localDate: string) => Number(localDate.slice(0, 4));

/**
 * Builds the calendar of a pemda from years of holiday data and its working hours (both validated here). A year
 * without data takes the fixed-date holidays and, when given, `estimate`'s moving ones (marked `perkiraan`); every
 * date of such a year stays provisional.
 */
export function createWorkCalendar(
  years: readonly CalendarYear[],
  hours: WorkingHours,
  estimate?: HolidayEstimate,
): WorkCalendar {
  const checkedHours = parseWorkingHours(hours);
  const holidays = new Map<string, Holiday>();
  const yearSet = new Set<number>();
  for (const raw of years) {
    const year = parseCalendarYear(raw, `kalender ${String((raw as { year?: unknown })?.year ?? '?')}`);
    if (yearSet.has(year.year)) throw definitionError(`kalender ${year.year}: tahun ini tercantum dua kali`);
    yearSet.add(year.year);
    for (const h of year.liburNasional) holidays.set(h.date, { date: h.date, name: h.name, kind: 'libur-nasional' });
    for (const h of year.cutiBersama) holidays.set(h.date, { date: h.date, name: h.name, kind: 'cuti-bersama' });
  }
  const sortedYears = [...yearSet].sort((a, b) => a - b);
  const timeZone = checkedHours.timeZone;

  const periodsByWeekday = new Map<number, [number, number][]>();
  for (const [key, day] of Object.entries(checkedHours.days) as [Weekday, WorkingDay | undefined][]) {
    if (day) periodsByWeekday.set(Number(key), dayPeriods(day));
  }
  let weekMinutes = 0;
  for (const periods of periodsByWeekday.values()) for (const [s, e] of periods) weekMinutes += e - s;
  const minutesPerDay = Math.round(weekMinutes / periodsByWeekday.size);

  const estimatedYears = new Set<number>();
  /** The holidays of a year without data, estimated once on first use. */
  const estimateYear = (year: number) => {
    if (yearSet.has(year) || estimatedYears.has(year)) return;
    estimatedYears.add(year);
    const add = (date: string, name: string) => {
      if (!holidays.has(date)) holidays.set(date, { date, name, kind: 'libur-nasional', perkiraan: true });
    };
    for (const f of FIXED_DATE_HOLIDAYS) add(`${year}-${f.monthDay}`, f.name);
    for (const e of estimate?.(year) ?? []) if (e.date.startsWith(`${year}-`) && isIsoDate(e.date)) add(e.date, e.name);
  };
  const holiday = (localDate: string): Holiday | null => {
    dayNumber(localDate); // validates
    estimateYear(yearOf(localDate));
    return holidays.get(localDate) ?? null;
  };
  const isWorkingDay = (localDate: string): boolean =>
    periodsByWeekday.has(weekdayOfDayNumber(dayNumber(localDate))) && holiday(localDate) === null;
  const workingIntervals = (localDate: string): WorkingInterval[] => {
    if (!isWorkingDay(localDate)) return [];
    const midnight = toInstant(localDate, '00:00', timeZone).getTime();
    const periods = periodsByWeekday.get(weekdayOfDayNumber(dayNumber(localDate))) ?? [];
    return periods.map(([s, e]) => ({
      start: new Date(midnight + s * MS_PER_MINUTE),
      end: new Date(midnight + e * MS_PER_MINUTE),
    }));
  };

  return {
    timeZone,
    hours: checkedHours,
    years: sortedYears,
    lastYear: sortedYears.at(-1) ?? null,
    minutesPerDay,
    hasYear: (year) => yearSet.has(year),
    isWorkingDay,
    holiday,
    holidayName: (localDate) => holiday(localDate)?.name ?? null,
    workingIntervals,
    openingOf: (localDate) => workingIntervals(localDate)[0]?.start ?? null,
    closingOf: (localDate) => workingIntervals(localDate).at(-1)?.end ?? null,
    toLocal: (instant) => toLocal(instant, timeZone),
    localDate: (instant) => toLocal(instant, timeZone).date,
    toInstant: (localDate, time) => toInstant(localDate, time, timeZone),
  };
}

/** Where a count of working time or days ends, and whether it crossed a year without holiday data. */
export interface Reached {
  readonly at: Date;
  readonly provisional: boolean;
}

function scanLimit(): never {
  throw new SepakatError(
    ErrorNames.InvalidDefinition,
    `Kalender kerja tidak punya hari kerja dalam ${MAX_SCAN_DAYS} hari; periksa jam kerja dan daftar libur`,
  );
}

/**
 * The instant at which `minutes` working minutes have passed since `from` (counting starts at the next opening
 * when `from` is outside working hours).
 */
export function addWorkingMinutes(calendar: WorkCalendar, from: Date, minutes: number): Reached {
  const startMs = assertInstant(from);
  if (!Number.isFinite(minutes) || minutes < 0)
    throw new SepakatError(ErrorNames.BadInput, `Jumlah menit kerja tidak valid: ${minutes}`);
  let remaining = minutes * MS_PER_MINUTE;
  let provisional = false;
  let date = calendar.localDate(from);
  for (let i = 0; i < MAX_SCAN_DAYS; i++, date = addDays(date, 1)) {
    if (!calendar.hasYear(yearOf(date))) provisional = true;
    for (const interval of calendar.workingIntervals(date)) {
      const end = interval.end.getTime();
      if (end <= startMs) continue;
      const begin = Math.max(interval.start.getTime(), startMs);
      if (remaining <= end - begin) return { at: new Date(begin + remaining), provisional };
      remaining -= end - begin;
    }
  }
  return scanLimit();
}

/** The closing of working hours of the Nth working day after the local date of `from`. */
export function addWorkingDays(calendar: WorkCalendar, from: Date, days: number): Reached {
  if (!Number.isInteger(days) || days < 1)
    throw new SepakatError(ErrorNames.BadInput, `Jumlah hari kerja harus bilangan bulat positif: ${days}`);
  let date = calendar.localDate(from);
  let provisional = false;
  let counted = 0;
  for (let i = 0; counted < days; i++) {
    if (i >= MAX_SCAN_DAYS) scanLimit();
    date = addDays(date, 1);
    if (!calendar.hasYear(yearOf(date))) provisional = true;
    if (calendar.isWorkingDay(date)) counted++;
  }
  return { at: calendar.closingOf(date) ?? scanLimit(), provisional };
}

/** The Nth calendar day after the local date of `from`: its closing if a working day, else 23.59.59 local. */
export function addCalendarDays(calendar: WorkCalendar, from: Date, days: number): Reached {
  if (!Number.isInteger(days) || days < 0)
    throw new SepakatError(ErrorNames.BadInput, `Jumlah hari kalender tidak valid: ${days}`);
  const date = addDays(calendar.localDate(from), days);
  const at = calendar.closingOf(date) ?? calendar.toInstant(date, '23:59:59');
  return { at, provisional: !calendar.hasYear(yearOf(date)) };
}

function reach(calendar: WorkCalendar, openedAt: Date, unit: WaktuUnit, amount: number): Reached {
  switch (unit) {
    case 'menit':
      return addWorkingMinutes(calendar, openedAt, amount);
    case 'jam':
      return addWorkingMinutes(calendar, openedAt, amount * 60);
    case 'hari-kerja':
      return addWorkingDays(calendar, openedAt, amount);
    case 'hari-kalender':
      return addCalendarDays(calendar, openedAt, amount);
    default:
      throw new SepakatError(ErrorNames.BadInput, `Satuan Waktu tidak dikenal: ${String(unit satisfies never)}`);
  }
}

/** Due and overdue instants of a step opened at `openedAt` with Mutu Baku `waktu` (see the rules above). */
export function computeDue(calendar: WorkCalendar, openedAt: Date, waktu: Waktu | null): Due {
  if (waktu === null) return { dueAt: null, overdueAt: null, provisional: false };
  assertInstant(openedAt);
  const { min, max } = waktu;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min)
    throw new SepakatError(ErrorNames.BadInput, `Waktu "${waktu.raw}": rentang harus bilangan bulat positif menaik`);
  const due = reach(calendar, openedAt, waktu.unit, min);
  const overdue = max === min ? due : reach(calendar, openedAt, waktu.unit, max);
  return { dueAt: due.at, overdueAt: overdue.at, provisional: due.provisional || overdue.provisional };
}

/**
 * Working minutes between two instants (time used), counted only inside working hours on working days, in
 * whole minutes (rounded down). 0 when `to` is not after `from`.
 */
export function workingMinutesBetween(calendar: WorkCalendar, from: Date, to: Date): number {
  const fromMs = assertInstant(from);
  const toMs = assertInstant(to);
  if (toMs <= fromMs) return 0;
  let total = 0;
  const lastDay = dayNumber(calendar.localDate(to));
  for (let date = calendar.localDate(from); dayNumber(date) <= lastDay; date = addDays(date, 1)) {
    for (const interval of calendar.workingIntervals(date)) {
      const overlap = Math.min(interval.end.getTime(), toMs) - Math.max(interval.start.getTime(), fromMs);
      if (overlap > 0) total += overlap;
    }
  }
  return Math.floor(total / MS_PER_MINUTE);
}

/**
 * Expresses working minutes against the Mutu Baku: full working days of `minutesPerDay` (use
 * `calendar.minutesPerDay`), then hours and minutes. 915 minutes at 450 a day → { hari: 2, jam: 0, menit: 15 }.
 */
export function durasiKerja(minutes: number, minutesPerDay: number): DurasiKerja {
  if (!Number.isFinite(minutes) || minutes < 0)
    throw new SepakatError(ErrorNames.BadInput, `Durasi tidak valid: ${minutes}`);
  if (!Number.isFinite(minutesPerDay) || minutesPerDay <= 0)
    throw new SepakatError(ErrorNames.BadInput, `Menit per hari kerja tidak valid: ${minutesPerDay}`);
  const whole = Math.floor(minutes);
  const hari = Math.floor(whole / minutesPerDay);
  const rest = whole - hari * minutesPerDay;
  return { hari, jam: Math.floor(rest / 60), menit: rest % 60 };
}

/**
 * A Waktu in working minutes, to compare with workingMinutesBetween (hari-kerja counts `minutesPerDay` a day).
 * Null for hari-kalender, which is not working time.
 */
export function waktuDalamMenit(waktu: Waktu, minutesPerDay: number): { min: number; max: number } | null {
  const factor =
    waktu.unit === 'menit' ? 1 : waktu.unit === 'jam' ? 60 : waktu.unit === 'hari-kerja' ? minutesPerDay : null;
  return factor === null ? null : { min: waktu.min * factor, max: waktu.max * factor };
}
