import { z } from 'zod';

/**
 * The data of the working-day calendar: one file per year under `config/calendar/` (libur nasional and cuti
 * bersama as set by the SKB 3 Menteri) and the working hours of one pemda. These schemas are the source of the
 * types.
 */

/** Indonesian time zones. Indonesia has no daylight saving time. */
export const TIME_ZONES = ['WIB', 'WITA', 'WIT'] as const;
export const TimeZoneSchema = z.enum(TIME_ZONES);
export type TimeZone = z.infer<typeof TimeZoneSchema>;

/** Offset from UTC in minutes: WIB = UTC+7, WITA = UTC+8, WIT = UTC+9 (fixed all year). */
export const UTC_OFFSET_MINUTES: Readonly<Record<TimeZone, number>> = { WIB: 7 * 60, WITA: 8 * 60, WIT: 9 * 60 };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD (rejects 2026-02-30). */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

const isoDate = z.string().refine(isIsoDate, 'harus tanggal yang ada, format YYYY-MM-DD (contoh: "2026-03-19")');
const nonEmpty = z.string().trim().min(1, 'tidak boleh kosong');

export const HolidayEntrySchema = z.object({ date: isoDate, name: nonEmpty }).strict();
export type HolidayEntry = z.infer<typeof HolidayEntrySchema>;

/** One year of holidays (`config/calendar/<year>.json`). */
export const CalendarYearSchema = z
  .object({
    year: z.number().int().min(2000).max(2100),
    /** The legal basis, e.g. "SKB 3 Menteri 1497/2025, 2/2025, 5/2025". */
    source: nonEmpty,
    notes: z.string().optional(),
    liburNasional: z.array(HolidayEntrySchema),
    cutiBersama: z.array(HolidayEntrySchema),
  })
  .strict()
  .superRefine((cal, ctx) => {
    const seen = new Map<string, string>();
    for (const list of ['liburNasional', 'cutiBersama'] as const) {
      cal[list].forEach((entry, index) => {
        if (!entry.date.startsWith(`${cal.year}-`))
          ctx.addIssue({
            code: 'custom',
            path: [list, index, 'date'],
            message: `tanggal ${entry.date} bukan tahun ${cal.year}`,
          });
        const previous = seen.get(entry.date);
        if (previous !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [list, index, 'date'],
            message: `tanggal ${entry.date} sudah tercantum (${previous})`,
          });
        else seen.set(entry.date, entry.name);
      });
    }
  });
export type CalendarYear = z.infer<typeof CalendarYearSchema>;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'format jam HH:MM (contoh: "07:30")');

/** "HH:MM" → minutes after midnight. */
export function minuteOfDay(hhmmText: string): number {
  const [h, m] = hhmmText.split(':');
  return Number(h) * 60 + Number(m);
}

export const WorkingDaySchema = z
  .object({
    start: hhmm,
    end: hhmm,
    /** Rest time inside the day, not counted as working time (optional). */
    istirahat: z.object({ start: hhmm, end: hhmm }).strict().optional(),
  })
  .strict()
  .superRefine((day, ctx) => {
    const [start, end] = [minuteOfDay(day.start), minuteOfDay(day.end)];
    if (end <= start) ctx.addIssue({ code: 'custom', path: ['end'], message: 'jam selesai harus setelah jam mulai' });
    if (day.istirahat) {
      const [rs, re] = [minuteOfDay(day.istirahat.start), minuteOfDay(day.istirahat.end)];
      if (!(start < rs && rs < re && re < end))
        ctx.addIssue({
          code: 'custom',
          path: ['istirahat'],
          message: 'jam istirahat harus di dalam jam kerja dan selesai setelah mulai',
        });
    }
  });
export type WorkingDay = z.infer<typeof WorkingDaySchema>;

/** ISO weekday numbers as object keys: "1" = Senin (Monday) … "7" = Minggu (Sunday). */
export const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * Working hours of one pemda. A weekday not listed is not a working day (5 hari kerja lists 1–5, 6 hari kerja
 * lists 1–6). Libur nasional and cuti bersama are never working days.
 */
export const WorkingHoursSchema = z
  .object({
    timeZone: TimeZoneSchema,
    days: z
      .partialRecord(z.enum(WEEKDAYS), WorkingDaySchema)
      .refine((days) => Object.keys(days).length > 0, 'paling sedikit satu hari kerja'),
  })
  .strict();
export type WorkingHours = z.infer<typeof WorkingHoursSchema>;

const SENIN_KAMIS: WorkingDay = { start: '07:30', end: '16:00', istirahat: { start: '12:00', end: '13:00' } };
const JUMAT: WorkingDay = { start: '07:30', end: '16:30', istirahat: { start: '11:30', end: '13:00' } };

/**
 * The default: 5 hari kerja in WIB, Senin–Kamis 07.30–16.00 (istirahat 12.00–13.00) and Jumat 07.30–16.30
 * (istirahat 11.30–13.00). Every day is 7.5 working hours, 37.5 hours a week excluding rest, the ASN weekly
 * total (Perpres 21/2023). The split of the day is the common pattern of pemda rules; each pemda sets its own.
 */
export const DEFAULT_WORKING_HOURS: WorkingHours = {
  timeZone: 'WIB',
  days: { '1': SENIN_KAMIS, '2': SENIN_KAMIS, '3': SENIN_KAMIS, '4': SENIN_KAMIS, '5': JUMAT },
};
