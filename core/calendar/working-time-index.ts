import { UTC_OFFSET_MINUTES } from './calendar-schema.ts';
import type { WorkCalendar } from './work-calendar.ts';
import { dateOfDayNumber, dayNumber, MS_PER_DAY, MS_PER_MINUTE } from './zone.ts';

/**
 * Working time between many pairs of instants, fast: the calendar is read once per local day (its working
 * intervals), and the working milliseconds before each day are kept as prefix sums. A query is then two lookups,
 * independent of how many days lie between the instants, where `workingMinutesBetween` walks every day and builds
 * dates as strings. The result is the same (tested): working time inside working hours on working days, whole
 * minutes rounded down.
 *
 * The covered range of days grows on demand (doubling), so a caller need not know it in advance. Pure; not safe
 * to share between threads (it caches), safe to reuse for every query on one calendar.
 */
export interface WorkingTimeIndex {
  readonly calendar: WorkCalendar;
  /** Working minutes between two instants (epoch ms), rounded down; 0 when `toMs` is not after `fromMs`. */
  minutesBetween(fromMs: number, toMs: number): number;
  /** Working milliseconds between two instants (epoch ms); 0 when `toMs` is not after `fromMs`. */
  msBetween(fromMs: number, toMs: number): number;
  /** The instant (epoch ms) at which `minutes` working minutes have passed since `fromMs` (as addWorkingMinutes). */
  addMinutes(fromMs: number, minutes: number): number;
  /** The local day number (days since 1970-01-01 in the pemda's zone) of an instant. */
  localDay(ms: number): number;
}

/** Days covered at least, around the first day asked for. */
const INITIAL_SPAN = 64;
/** Beyond this many days either way a query is refused: a sign of a broken instant, not of real data. */
const MAX_SPAN = 40_000;

export function createWorkingTimeIndex(calendar: WorkCalendar): WorkingTimeIndex {
  const offsetMs = UTC_OFFSET_MINUTES[calendar.timeZone] * MS_PER_MINUTE;
  let first = 0;
  let count = 0;
  /** prefix[i]: working ms of the days before day first + i. Length count + 1. */
  let prefix = new Float64Array(1);
  /** Per day: working intervals as ms after local midnight, flattened [s0, e0, s1, e1, …]. */
  let periods: number[][] = [];

  const periodsOf = (day: number): number[] => {
    const date = dateOfDayNumber(day);
    const midnight = day * MS_PER_DAY - offsetMs;
    return calendar.workingIntervals(date).flatMap((i) => [i.start.getTime() - midnight, i.end.getTime() - midnight]);
  };

  const cover = (day: number) => {
    if (count && day >= first && day < first + count) return;
    if (!Number.isFinite(day)) throw new RangeError('Waktu (instant) tidak valid');
    let lo: number;
    let hi: number;
    if (!count) {
      lo = day - INITIAL_SPAN / 2;
      hi = day + INITIAL_SPAN / 2;
    } else {
      lo = Math.min(first, day - count);
      hi = Math.max(first + count, day + count + 1);
    }
    if (hi - lo > MAX_SPAN) throw new RangeError(`Rentang hari terlalu lebar untuk kalender kerja: ${hi - lo}`);
    const next: number[][] = new Array<number[]>(hi - lo);
    for (let d = lo; d < hi; d++) {
      const known = count && d >= first && d < first + count ? periods[d - first] : undefined;
      next[d - lo] = known ?? periodsOf(d);
    }
    const sums = new Float64Array(hi - lo + 1);
    for (let i = 0; i < next.length; i++) {
      const p = next[i]!;
      let total = 0;
      for (let k = 0; k < p.length; k += 2) total += p[k + 1]! - p[k]!;
      sums[i + 1] = sums[i]! + total;
    }
    first = lo;
    count = hi - lo;
    periods = next;
    prefix = sums;
  };

  const localDay = (ms: number) => Math.floor((ms + offsetMs) / MS_PER_DAY);

  /** Working ms from the start of the covered range up to the instant. */
  const cumulative = (ms: number): number => {
    const day = localDay(ms);
    cover(day);
    const i = day - first;
    const inDay = ms + offsetMs - day * MS_PER_DAY;
    const p = periods[i]!;
    let within = 0;
    for (let k = 0; k < p.length; k += 2) {
      const s = p[k]!;
      const e = p[k + 1]!;
      if (inDay >= e) within += e - s;
      else {
        if (inDay > s) within += inDay - s;
        break;
      }
    }
    return prefix[i]! + within;
  };

  const msBetween = (fromMs: number, toMs: number): number => {
    if (!(toMs > fromMs)) return 0;
    // Both first, so that a range grown by the second lookup does not shift the first one's origin.
    cover(localDay(fromMs));
    cover(localDay(toMs));
    return cumulative(toMs) - cumulative(fromMs);
  };

  const addMinutes = (fromMs: number, minutes: number): number => {
    if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`Jumlah menit kerja tidak valid: ${minutes}`);
    if (minutes === 0) return nextWorkingInstant(fromMs);
    let target = cumulative(fromMs) + minutes * MS_PER_MINUTE;
    let origin = first;
    // Grow until the covered range holds the target (prefix sums are relative to `first`, which may move).
    for (let guard = 0; prefix[count]! < target; guard++) {
      if (guard > 20) throw new RangeError('Kalender kerja tidak punya cukup hari kerja');
      cover(first + count);
      if (first !== origin) {
        target += prefix[origin - first]!;
        origin = first;
      }
    }
    // The first day whose working time reaches the target (binary search over the prefix sums); the target lies
    // strictly after that day's start, so it falls inside one of its intervals (at most at its closing).
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (prefix[mid + 1]! >= target) hi = mid;
      else lo = mid + 1;
    }
    let remaining = target - prefix[lo]!;
    const midnight = (first + lo) * MS_PER_DAY - offsetMs;
    const p = periods[lo]!;
    for (let k = 0; k < p.length; k += 2) {
      const length = p[k + 1]! - p[k]!;
      if (remaining <= length) return midnight + p[k]! + remaining;
      remaining -= length;
    }
    return midnight + (p.at(-1) ?? 0);
  };

  /** The instant itself inside working hours, else the next opening (zero minutes, as addWorkingMinutes). */
  const nextWorkingInstant = (fromMs: number): number => {
    for (let day = localDay(fromMs), guard = 0; guard < MAX_SPAN; day++, guard++) {
      cover(day);
      const midnight = day * MS_PER_DAY - offsetMs;
      const p = periods[day - first]!;
      for (let k = 0; k < p.length; k += 2)
        if (midnight + p[k + 1]! > fromMs) return Math.max(fromMs, midnight + p[k]!);
    }
    throw new RangeError('Kalender kerja tidak punya hari kerja');
  };

  return {
    calendar,
    msBetween,
    minutesBetween: (fromMs, toMs) => Math.floor(msBetween(fromMs, toMs) / MS_PER_MINUTE),
    addMinutes,
    localDay,
  };
}

/** The local day number of a 'YYYY-MM-DD' date (re-exported for callers comparing periods with `localDay`). */
export const dayOfDate = (date: string): number => dayNumber(date);
