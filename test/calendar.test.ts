import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CalendarYearSchema,
  DEFAULT_WORKING_HOURS,
  WorkingHoursSchema,
  type CalendarYear,
  type WorkingHours,
} from '../core/calendar/calendar-schema.ts';
import { BUNDLED_CALENDAR_YEARS } from '../core/calendar/years.ts';
import { createWorkCalendar, parseCalendarYear } from '../core/calendar/work-calendar.ts';
import { addDays, toInstant, toLocal, weekdayOf } from '../core/calendar/zone.ts';
import { isSepakatError } from '../core/errors.ts';

const raw2026: unknown = JSON.parse(readFileSync(new URL('../config/calendar/2026.json', import.meta.url), 'utf8'));
const year2026 = parseCalendarYear(raw2026, 'config/calendar/2026.json');
const calendar = createWorkCalendar([year2026], DEFAULT_WORKING_HOURS);

describe('config/calendar/2026.json', () => {
  it('validates against the calendar year schema', () => {
    // Arrange, act
    const result = CalendarYearSchema.safeParse(raw2026);

    // Assert
    expect(result.success).toBe(true);
  });

  it('holds the libur nasional and cuti bersama dates of docs/domain.md', () => {
    // Arrange
    // prettier-ignore
    const libur = [
      '2026-01-01', '2026-01-16', '2026-02-17', '2026-03-19', '2026-03-21', '2026-03-22', '2026-04-03',
      '2026-04-05', '2026-05-01', '2026-05-14', '2026-05-27', '2026-05-31', '2026-06-01', '2026-06-16',
      '2026-08-17', '2026-08-25', '2026-12-25',
    ];
    // prettier-ignore
    const cuti = [
      '2026-02-16', '2026-03-18', '2026-03-20', '2026-03-23', '2026-03-24', '2026-05-15', '2026-05-28', '2026-12-24',
    ];

    // Act
    const listedLibur = year2026.liburNasional.map((h) => h.date);
    const listedCuti = year2026.cutiBersama.map((h) => h.date);

    // Assert
    expect(listedLibur).toEqual(libur);
    expect(listedCuti).toEqual(cuti);
    expect(year2026.notes).toMatch(/16 of 17/);
  });

  it('is the year bundled for the Lambdas', () => {
    // Arrange, act
    const bundled = BUNDLED_CALENDAR_YEARS.map((y) => y.year);

    // Assert
    expect(bundled).toContain(2026);
    expect(BUNDLED_CALENDAR_YEARS.find((y) => y.year === 2026)).toEqual(year2026);
  });
});

describe('working days', () => {
  it('treats Saturday and Sunday as non-working and Monday to Friday as working', () => {
    // Arrange
    const week = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29'];

    // Act
    const working = week.map((d) => calendar.isWorkingDay(d));

    // Assert
    expect(working).toEqual([true, true, true, true, true, false, false]);
  });

  it('treats every 2026 libur nasional and cuti bersama as non-working, with its name', () => {
    // Arrange
    const all = [...year2026.liburNasional, ...year2026.cutiBersama];

    // Act, assert
    expect(all).toHaveLength(25);
    for (const h of all) {
      expect(calendar.isWorkingDay(h.date), h.date).toBe(false);
      expect(calendar.holidayName(h.date)).toBe(h.name);
    }
  });

  it('closes the whole stretch around Idulfitri, 18 to 24 March 2026', () => {
    // Arrange
    const stretch = Array.from({ length: 7 }, (_, i) => addDays('2026-03-18', i));

    // Act
    const working = stretch.map((d) => calendar.isWorkingDay(d));

    // Assert
    expect(stretch.at(-1)).toBe('2026-03-24');
    expect(working.every((w) => !w)).toBe(true);
    expect(calendar.isWorkingDay('2026-03-17')).toBe(true);
    expect(calendar.isWorkingDay('2026-03-25')).toBe(true);
    expect(calendar.holiday('2026-03-23')).toEqual({
      date: '2026-03-23',
      name: 'Cuti bersama Idulfitri 1447 Hijriah',
      kind: 'cuti-bersama',
    });
    expect(calendar.holiday('2026-03-19')?.kind).toBe('libur-nasional');
  });

  it('counts 240 working days in 2026 (261 weekdays less 21 holidays on weekdays)', () => {
    // Arrange
    let count = 0;

    // Act
    for (let d = '2026-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) if (calendar.isWorkingDay(d)) count++;

    // Assert
    expect(count).toBe(240);
  });

  it('returns no holiday name for an ordinary day', () => {
    // Arrange, act, assert
    expect(calendar.holidayName('2026-11-23')).toBeNull();
  });

  it('applies weekends and the fixed-date holidays in a year without data', () => {
    // Arrange, act, assert
    expect(calendar.lastYear).toBe(2026);
    expect(calendar.hasYear(2027)).toBe(false);
    expect(calendar.isWorkingDay('2027-01-01')).toBe(false); // Tahun Baru: a fixed date, marked perkiraan
    expect(calendar.holiday('2027-01-01')?.perkiraan).toBe(true);
    expect(calendar.isWorkingDay('2027-01-02')).toBe(false);
    expect(calendar.isWorkingDay('2027-01-04')).toBe(true);
  });

  it('makes Saturday a working day in a 6 hari kerja pemda', () => {
    // Arrange
    const hours: WorkingHours = {
      timeZone: 'WITA',
      days: Object.fromEntries(['1', '2', '3', '4', '5', '6'].map((d) => [d, { start: '07:30', end: '14:00' }])),
    };

    // Act
    const sixDays = createWorkCalendar([year2026], hours);

    // Assert
    expect(sixDays.isWorkingDay('2026-11-28')).toBe(true);
    expect(sixDays.isWorkingDay('2026-11-29')).toBe(false);
    expect(sixDays.isWorkingDay('2026-03-21')).toBe(false); // Idulfitri on a Saturday
    expect(sixDays.minutesPerDay).toBe(390);
  });

  it('rejects a date that is not YYYY-MM-DD', () => {
    // Arrange, act
    const act = () => calendar.isWorkingDay('2026-02-30');

    // Assert
    expect(act).toThrow(/tidak valid/);
  });
});

describe('default working hours', () => {
  it('gives 7.5 working hours a day and 37.5 a week, rest excluded', () => {
    // Arrange
    const week = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'];

    // Act
    const minutes = week.map((d) =>
      calendar.workingIntervals(d).reduce((sum, i) => sum + (i.end.getTime() - i.start.getTime()) / 60_000, 0),
    );

    // Assert
    expect(minutes).toEqual([450, 450, 450, 450, 450]);
    expect(calendar.minutesPerDay).toBe(450);
    expect(WorkingHoursSchema.safeParse(DEFAULT_WORKING_HOURS).success).toBe(true);
  });

  it('opens at 07.30 and closes at 16.00 Monday to Thursday and 16.30 on Friday, WIB', () => {
    // Arrange, act
    const mondayOpen = calendar.openingOf('2026-11-23');
    const mondayClose = calendar.closingOf('2026-11-23');
    const fridayClose = calendar.closingOf('2026-11-27');

    // Assert
    expect(mondayOpen?.toISOString()).toBe('2026-11-23T00:30:00.000Z');
    expect(mondayClose?.toISOString()).toBe('2026-11-23T09:00:00.000Z');
    expect(fridayClose?.toISOString()).toBe('2026-11-27T09:30:00.000Z');
    expect(calendar.closingOf('2026-11-28')).toBeNull();
  });
});

describe('schemas', () => {
  const base: CalendarYear = { year: 2026, source: 'SKB', liburNasional: [], cutiBersama: [] };

  it('rejects a holiday outside its year', () => {
    // Arrange
    const data = { ...base, liburNasional: [{ date: '2027-01-01', name: 'Tahun Baru' }] };

    // Act
    const act = () => parseCalendarYear(data, '2026.json');

    // Assert
    expect(act).toThrow(/2026\.json: liburNasional\.0\.date: tanggal 2027-01-01 bukan tahun 2026/);
  });

  it('rejects a date listed twice and a date that does not exist', () => {
    // Arrange
    const data = {
      ...base,
      liburNasional: [{ date: '2026-12-25', name: 'Natal' }],
      cutiBersama: [
        { date: '2026-12-25', name: 'Cuti Natal' },
        { date: '2026-02-30', name: 'Tidak ada' },
      ],
    };

    // Act
    const result = CalendarYearSchema.safeParse(data);

    // Assert
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['cutiBersama.1.date', 'cutiBersama.0.date']);
  });

  it('throws InvalidDefinition for invalid data', () => {
    // Arrange, act
    let caught: unknown;
    try {
      parseCalendarYear({ year: 2026 });
    } catch (error) {
      caught = error;
    }

    // Assert
    expect(isSepakatError(caught, 'Sepakat.InvalidDefinition')).toBe(true);
  });

  it('rejects working hours that end before they start or rest outside them', () => {
    // Arrange
    const hours = {
      timeZone: 'WIB',
      days: {
        '1': { start: '16:00', end: '07:30' },
        '2': { start: '07:30', end: '16:00', istirahat: { start: '06:00', end: '07:00' } },
      },
    };

    // Act
    const result = WorkingHoursSchema.safeParse(hours);

    // Assert
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['days.1.end', 'days.2.istirahat']);
  });

  it('rejects working hours without a working day, an unknown zone or weekday 8', () => {
    // Arrange, act, assert
    expect(WorkingHoursSchema.safeParse({ timeZone: 'WIB', days: {} }).success).toBe(false);
    expect(WorkingHoursSchema.safeParse({ ...DEFAULT_WORKING_HOURS, timeZone: 'UTC' }).success).toBe(false);
    expect(
      WorkingHoursSchema.safeParse({ timeZone: 'WIB', days: { '8': { start: '07:30', end: '16:00' } } }).success,
    ).toBe(false);
  });

  it('rejects a year given twice', () => {
    // Arrange, act
    const act = () => createWorkCalendar([year2026, year2026], DEFAULT_WORKING_HOURS);

    // Assert
    expect(act).toThrow(/2026: tahun ini tercantum dua kali/);
  });

  it('accepts a calendar without any year, where every year lacks data', () => {
    // Arrange, act
    const empty = createWorkCalendar([], DEFAULT_WORKING_HOURS);

    // Assert
    expect(empty.lastYear).toBeNull();
    expect(empty.isWorkingDay('2026-03-19')).toBe(true);
  });
});

describe('time zones', () => {
  it('converts between instants and WIB, WITA and WIT wall clocks (UTC+7, +8, +9)', () => {
    // Arrange
    const instant = new Date('2026-11-22T17:30:00Z');

    // Act
    const wib = toLocal(instant, 'WIB');
    const wita = toLocal(instant, 'WITA');
    const wit = toLocal(instant, 'WIT');

    // Assert
    expect([wib.date, wib.time, wib.weekday]).toEqual(['2026-11-23', '00:30', 1]);
    expect([wita.date, wita.time]).toEqual(['2026-11-23', '01:30']);
    expect([wit.date, wit.time]).toEqual(['2026-11-23', '02:30']);
    expect(toInstant('2026-11-23', '00:30', 'WIB').toISOString()).toBe('2026-11-22T17:30:00.000Z');
    expect(toInstant('2026-11-23', '02:30', 'WIT').getTime()).toBe(instant.getTime());
  });

  it('gives the local date of an instant in the calendar zone', () => {
    // Arrange
    const instant = new Date('2026-11-22T16:59:59Z');

    // Act
    const local = calendar.localDate(instant);

    // Assert
    expect(local).toBe('2026-11-22');
    expect(calendar.toLocal(new Date('2026-11-22T17:00:00Z')).date).toBe('2026-11-23');
    expect(weekdayOf('2026-11-23')).toBe(1);
    expect(weekdayOf('2026-11-29')).toBe(7);
  });

  it('rejects an invalid instant', () => {
    // Arrange, act
    const act = () => calendar.toLocal(new Date(Number.NaN));

    // Assert
    expect(act).toThrow(/tidak valid/);
  });
});

describe('toInstant', () => {
  it('accepts 24:00 as the end of a day and rejects a time past it', () => {
    // Arrange, act, assert
    expect(toInstant('2026-11-23', '24:00', 'WIB').getTime()).toBe(toInstant('2026-11-24', '00:00', 'WIB').getTime());
    expect(() => toInstant('2026-11-23', '24:30', 'WIB')).toThrow(/tidak valid/);
    expect(() => toInstant('2026-11-23', '7:30', 'WIB')).toThrow(/tidak valid/);
  });
});
