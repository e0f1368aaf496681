import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKING_HOURS, type TimeZone } from '../core/calendar/calendar-schema.ts';
import {
  addWorkingMinutes,
  computeDue,
  createWorkCalendar,
  durasiKerja,
  parseCalendarYear,
  waktuDalamMenit,
  workingMinutesBetween,
  type WorkCalendar,
} from '../core/calendar/work-calendar.ts';
import { parseWaktu, type Waktu } from '../core/sop/waktu.ts';

const year2026 = parseCalendarYear(
  JSON.parse(readFileSync(new URL('../config/calendar/2026.json', import.meta.url), 'utf8')),
);
const calendar = createWorkCalendar([year2026], DEFAULT_WORKING_HOURS);

function waktu(raw: string): Waktu {
  const parsed = parseWaktu(raw);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

/** A local wall-clock time in WIB (or another zone) as an instant, e.g. at('2026-11-23 10:00'). */
function at(local: string, timeZone: TimeZone = 'WIB'): Date {
  const offset = { WIB: '+07:00', WITA: '+08:00', WIT: '+09:00' }[timeZone];
  return new Date(`${local.replace(' ', 'T')}:00${offset}`);
}

/** The due instant as a WIB wall clock, e.g. '2026-11-24 16:00'. */
function wib(instant: Date | null, cal: WorkCalendar = calendar): string | null {
  if (!instant) return null;
  const l = cal.toLocal(instant);
  return `${l.date} ${l.time}${l.second ? `:${String(l.second).padStart(2, '0')}` : ''}`;
}

describe('computeDue without Waktu', () => {
  it('gives no due time', () => {
    // Arrange, act
    const due = computeDue(calendar, at('2026-11-23 10:00'), null);

    // Assert
    expect(due).toEqual({ dueAt: null, overdueAt: null, provisional: false });
  });
});

describe('computeDue in menit and jam', () => {
  it('adds minutes inside working hours', () => {
    // Arrange
    const opened = at('2026-11-23 10:00');

    // Act
    const due = computeDue(calendar, opened, waktu('15 menit'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-11-23 10:15');
    expect(due.overdueAt).toEqual(due.dueAt);
    expect(due.provisional).toBe(false);
  });

  it('skips the istirahat', () => {
    // Arrange
    const opened = at('2026-11-23 11:50');

    // Act
    const due = computeDue(calendar, opened, waktu('15 menit'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-11-23 13:05');
  });

  it('is due at the closing when the minutes end exactly there', () => {
    // Arrange
    const opened = at('2026-11-23 15:45');

    // Act
    const due = computeDue(calendar, opened, waktu('15 menit'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-11-23 16:00');
  });

  it('carries the rest over to the next working day', () => {
    // Arrange
    const opened = at('2026-11-23 15:50');

    // Act
    const due = computeDue(calendar, opened, waktu('15 menit'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-11-24 07:35');
  });

  it('starts counting at the opening when opened before working hours', () => {
    // Arrange
    const opened = at('2026-11-23 06:00');

    // Act
    const due = computeDue(calendar, opened, waktu('15 menit'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-11-23 07:45');
  });

  it('starts counting on Monday when opened on a Saturday', () => {
    // Arrange
    const opened = at('2026-11-21 10:00');

    // Act
    const due = computeDue(calendar, opened, waktu('30 Menit'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-11-23 08:00');
  });

  it('counts jam across a weekend', () => {
    // Arrange: Friday closes 16.30
    const opened = at('2026-11-27 15:30');

    // Act
    const due = computeDue(calendar, opened, waktu('2 jam'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-11-30 08:30');
  });

  it('counts jam across the Idulfitri stretch', () => {
    // Arrange: Tuesday 17 March, then 18–24 March are not working days
    const opened = at('2026-03-17 15:00');

    // Act
    const due = computeDue(calendar, opened, waktu('2 jam'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-03-25 08:30');
  });
});

describe('computeDue in hari kerja', () => {
  it('is due at the closing of the next working day for 1 hari', () => {
    // Arrange
    const opened = at('2026-11-23 10:00');

    // Act
    const due = computeDue(calendar, opened, waktu('1 Hari'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-11-24 16:00');
  });

  it('makes the next working day day 1 when opened on a Saturday', () => {
    // Arrange
    const opened = at('2026-11-21 09:00');

    // Act
    const due = computeDue(calendar, opened, waktu('1 hari'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-11-23 16:00');
  });

  it('makes the next working day day 1 when opened on a holiday', () => {
    // Arrange: Nyepi, Thursday 19 March
    const opened = at('2026-03-19 09:00');

    // Act
    const due = computeDue(calendar, opened, waktu('1 hari'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-03-25 16:00');
  });

  it('skips a long weekend (Kenaikan Yesus Kristus and its cuti bersama)', () => {
    // Arrange: Wednesday 13 May; 14 May libur, 15 May cuti bersama, then the weekend
    const opened = at('2026-05-13 10:00');

    // Act
    const due = computeDue(calendar, opened, waktu('2 hari kerja'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-05-19 16:00');
  });

  it('skips Christmas and its cuti bersama', () => {
    // Arrange
    const opened = at('2026-12-23 14:00');

    // Act
    const due = computeDue(calendar, opened, waktu('1 hari'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-12-28 16:00');
  });

  it('uses the Friday closing when the day falls on a Friday', () => {
    // Arrange
    const opened = at('2026-11-26 10:00');

    // Act
    const due = computeDue(calendar, opened, waktu('1 hari'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-11-27 16:30');
  });

  it('is due at 3 hari and overdue after 5 hari for a 3-5 hari range', () => {
    // Arrange
    const opened = at('2026-11-23 10:00');

    // Act
    const due = computeDue(calendar, opened, waktu('3-5 Hari'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-11-26 16:00');
    expect(wib(due.overdueAt)).toBe('2026-11-30 16:00');
    expect(due.provisional).toBe(false);
  });
});

describe('computeDue in hari kalender', () => {
  it('is due at the closing when the Nth calendar day is a working day', () => {
    // Arrange
    const opened = at('2026-11-23 10:00');

    // Act
    const due = computeDue(calendar, opened, waktu('14 hari kalender'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-12-07 16:00');
  });

  it('is due at 23.59.59 when the Nth calendar day is a weekend', () => {
    // Arrange
    const opened = at('2026-11-23 10:00');

    // Act
    const due = computeDue(calendar, opened, waktu('5 hari kalender'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-11-28 23:59:59');
  });

  it('is due at 23.59.59 when the Nth calendar day is a holiday', () => {
    // Arrange
    const opened = at('2026-03-10 10:00');

    // Act
    const due = computeDue(calendar, opened, waktu('9 hari kalender'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-03-19 23:59:59');
  });
});

describe('computeDue in different time zones', () => {
  it('gives different instants in WIT and WIB for the same Waktu', () => {
    // Arrange
    const wit = createWorkCalendar([year2026], { ...DEFAULT_WORKING_HOURS, timeZone: 'WIT' });
    const opened = new Date('2026-11-23T03:00:00Z'); // 10.00 WIB, 12.00 WIT

    // Act
    const inWib = computeDue(calendar, opened, waktu('1 hari'));
    const inWit = computeDue(wit, opened, waktu('1 hari'));

    // Assert
    expect(inWib.dueAt?.toISOString()).toBe('2026-11-24T09:00:00.000Z');
    expect(inWit.dueAt?.toISOString()).toBe('2026-11-24T07:00:00.000Z');
  });

  it('counts from a different local date when the zones disagree on the date', () => {
    // Arrange: Sunday 23.30 WIB is Monday 01.30 WIT
    const wit = createWorkCalendar([year2026], { ...DEFAULT_WORKING_HOURS, timeZone: 'WIT' });
    const opened = new Date('2026-11-22T16:30:00Z');

    // Act
    const inWib = computeDue(calendar, opened, waktu('1 hari'));
    const inWit = computeDue(wit, opened, waktu('1 hari'));

    // Assert
    expect(inWib.dueAt?.toISOString()).toBe('2026-11-23T09:00:00.000Z'); // Monday 16.00 WIB
    expect(inWit.dueAt?.toISOString()).toBe('2026-11-24T07:00:00.000Z'); // Tuesday 16.00 WIT
  });
});

describe('computeDue beyond the calendar data', () => {
  it('is not provisional when it stays inside 2026', () => {
    // Arrange
    const opened = at('2026-12-28 10:00');

    // Act
    const due = computeDue(calendar, opened, waktu('1 hari'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-12-29 16:00');
    expect(due.provisional).toBe(false);
  });

  it('is provisional when the count passes into 2027, applying weekends and fixed-date holidays', () => {
    // Arrange
    const opened = at('2026-12-31 10:00');

    // Act
    const due = computeDue(calendar, opened, waktu('1 hari'));

    // Assert
    // 1 Januari 2027 (Jumat) is Tahun Baru, a fixed date: day 1 is Senin 4 Januari.
    expect(wib(due.dueAt)).toBe('2027-01-04 16:00');
    expect(due.provisional).toBe(true);
  });

  it('is provisional when only the overdue bound of a range passes into 2027', () => {
    // Arrange: Monday 28 December; day 3 is Thursday 31 December, day 5 is Tuesday 5 January 2027 (1 January is
    // Tahun Baru, a fixed date)
    const opened = at('2026-12-28 10:00');

    // Act
    const due = computeDue(calendar, opened, waktu('3-5 hari'));

    // Assert
    expect(wib(due.dueAt)).toBe('2026-12-31 16:00');
    expect(wib(due.overdueAt)).toBe('2027-01-05 16:00');
    expect(due.provisional).toBe(true);
  });

  it('still computes a due time for a task opened in a year without data', () => {
    // Arrange
    const opened = at('2027-03-01 10:00');

    // Act
    const minutes = computeDue(calendar, opened, waktu('15 menit'));
    const days = computeDue(calendar, opened, waktu('2 hari'));
    const calendarDays = computeDue(calendar, opened, waktu('14 hari kalender'));

    // Assert
    expect(wib(minutes.dueAt)).toBe('2027-03-01 10:15');
    expect(wib(days.dueAt)).toBe('2027-03-03 16:00');
    expect(wib(calendarDays.dueAt)).toBe('2027-03-15 16:00');
    expect([minutes.provisional, days.provisional, calendarDays.provisional]).toEqual([true, true, true]);
  });

  it('rejects an invalid opening instant', () => {
    // Arrange, act
    const act = () => computeDue(calendar, new Date('nonsense'), waktu('1 hari'));

    // Assert
    expect(act).toThrow(/tidak valid/);
  });
});

describe('workingMinutesBetween', () => {
  it('counts minutes inside one working period', () => {
    // Arrange, act
    const used = workingMinutesBetween(calendar, at('2026-11-23 10:00'), at('2026-11-23 11:00'));

    // Assert
    expect(used).toBe(60);
  });

  it('leaves out the istirahat', () => {
    // Arrange, act
    const used = workingMinutesBetween(calendar, at('2026-11-23 10:00'), at('2026-11-23 14:00'));

    // Assert
    expect(used).toBe(180);
  });

  it('leaves out the night and the weekend', () => {
    // Arrange, act
    const overnight = workingMinutesBetween(calendar, at('2026-11-23 15:00'), at('2026-11-24 08:30'));
    const weekend = workingMinutesBetween(calendar, at('2026-11-27 08:00'), at('2026-11-30 08:00'));

    // Assert
    expect(overnight).toBe(120);
    expect(weekend).toBe(450);
  });

  it('counts nothing across the Idulfitri stretch', () => {
    // Arrange, act
    const used = workingMinutesBetween(calendar, at('2026-03-17 16:00'), at('2026-03-25 07:30'));

    // Assert
    expect(used).toBe(0);
  });

  it('rounds down to whole minutes and gives 0 when the end is not after the start', () => {
    // Arrange
    const from = new Date(at('2026-11-23 10:00').getTime() + 30_000);

    // Act, assert
    expect(workingMinutesBetween(calendar, from, at('2026-11-23 10:15'))).toBe(14);
    expect(workingMinutesBetween(calendar, at('2026-11-23 11:00'), at('2026-11-23 10:00'))).toBe(0);
  });

  it('agrees with addWorkingMinutes', () => {
    // Arrange
    const starts = [at('2026-11-23 11:59'), at('2026-11-27 16:00'), at('2026-03-17 15:10'), at('2026-11-21 03:00')];

    // Act, assert
    for (const start of starts) {
      for (const minutes of [1, 15, 120, 450, 1000]) {
        const end = addWorkingMinutes(calendar, start, minutes).at;
        expect(workingMinutesBetween(calendar, start, end)).toBe(minutes);
      }
    }
  });
});

describe('durasiKerja', () => {
  it('expresses working minutes in hari, jam and menit of the Mutu Baku', () => {
    // Arrange, act, assert
    expect(durasiKerja(2 * 450 + 15, calendar.minutesPerDay)).toEqual({ hari: 2, jam: 0, menit: 15 });
    expect(durasiKerja(135, 450)).toEqual({ hari: 0, jam: 2, menit: 15 });
    expect(durasiKerja(449.9, 450)).toEqual({ hari: 0, jam: 7, menit: 29 });
    expect(durasiKerja(0, 450)).toEqual({ hari: 0, jam: 0, menit: 0 });
  });

  it('rejects a negative duration', () => {
    // Arrange, act
    const act = () => durasiKerja(-1, 450);

    // Assert
    expect(act).toThrow(/Durasi tidak valid/);
  });

  it('converts a Waktu into working minutes, except hari kalender', () => {
    // Arrange, act, assert
    expect(waktuDalamMenit(waktu('3-5 hari'), 450)).toEqual({ min: 1350, max: 2250 });
    expect(waktuDalamMenit(waktu('2 jam'), 450)).toEqual({ min: 120, max: 120 });
    expect(waktuDalamMenit(waktu('14 hari kalender'), 450)).toBeNull();
  });
});
