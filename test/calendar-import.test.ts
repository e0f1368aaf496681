import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, submitPermohonan } from '../cli/drive.ts';
import { DEFAULT_WORKING_HOURS } from '../core/calendar/calendar-schema.ts';
import { checkCalendarImport, missingNextYear } from '../core/calendar/calendar-import.ts';
import { createWorkCalendar, parseCalendarYear } from '../core/calendar/work-calendar.ts';
import { fileHolidayEstimate } from '../functions/adapters/holiday-estimate.ts';
import { estimateYears } from '../cli/kalender-perkiraan.ts';
import { PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';

/** A WIB wall-clock time as an instant. */
const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);
const year2026 = parseCalendarYear(
  JSON.parse(readFileSync(new URL('../config/calendar/2026.json', import.meta.url), 'utf8')),
);
const file2027 = JSON.parse(readFileSync(new URL('./fixtures/calendar/2027-uji.json', import.meta.url), 'utf8'));

describe('the estimate of a year without holiday data', () => {
  const calendar = createWorkCalendar(
    [year2026],
    DEFAULT_WORKING_HOURS,
    fileHolidayEstimate(join(PROJECT_ROOT, 'config', 'calendar')),
  );

  it('has the fixed-date holidays and Idul Fitri 2027 near its expected date, all marked perkiraan', () => {
    expect(calendar.hasYear(2027)).toBe(false);
    expect(calendar.holiday('2027-08-17')).toMatchObject({ perkiraan: true, kind: 'libur-nasional' });
    expect(calendar.isWorkingDay('2027-08-17')).toBe(false);
    for (const fixed of ['2027-01-01', '2027-05-01', '2027-06-01', '2027-12-25'])
      expect(calendar.isWorkingDay(fixed)).toBe(false);
    // Idulfitri 1448 H is expected around 9–10 March 2027 (1 Syawal).
    const idulFitri = ['2027-03-08', '2027-03-09', '2027-03-10', '2027-03-11'].filter((d) =>
      /idul ?fitri/i.test(calendar.holidayName(d) ?? ''),
    );
    expect(idulFitri.length).toBeGreaterThan(0);
    expect(calendar.holiday(idulFitri[0]!)?.perkiraan).toBe(true);
  });

  it('keeps only the fixed-date holidays when there is no estimate of the moving ones', () => {
    const fixedOnly = createWorkCalendar([year2026], DEFAULT_WORKING_HOURS);
    expect(fixedOnly.isWorkingDay('2027-08-17')).toBe(false);
    expect(fixedOnly.isWorkingDay('2027-03-10')).toBe(true);
    // Imported data wins over the estimate: 2026 has no estimate added.
    expect(fixedOnly.holiday('2026-08-17')?.perkiraan).toBeUndefined();
  });
});

describe('checking an imported year', () => {
  const refused = (raw: unknown) => {
    const checked = checkCalendarImport(raw);
    if (checked.ok) throw new Error('expected a refusal');
    return checked.messages;
  };

  it('accepts the test file of 2027', () => {
    expect(checkCalendarImport(file2027)).toMatchObject({ ok: true, year: { year: 2027 } });
  });

  it('refuses two years in one file', () => {
    expect(refused([file2027, { ...file2027, year: 2028 }])).toEqual([
      'Berkas kalender berisi 2 tahun (2027, 2028); satu berkas harus berisi tepat satu tahun',
    ]);
  });

  it('refuses a date outside the year, naming the entry', () => {
    const raw = { ...file2027, liburNasional: [...file2027.liburNasional, { date: '2028-01-01', name: 'Tahun Baru' }] };
    expect(refused(raw)).toEqual([
      'Libur nasional ke-8 (2028-01-01 "Tahun Baru"): tanggal: tanggal 2028-01-01 bukan tahun 2027',
    ]);
  });

  it('refuses an entry without a name', () => {
    const raw = { ...file2027, cutiBersama: [{ date: '2027-01-04' }] };
    expect(refused(raw)).toEqual(['Cuti bersama ke-1 (2027-01-04): nama: wajib diisi']);
  });

  it('refuses a date listed twice', () => {
    const raw = { ...file2027, cutiBersama: [{ date: '2027-08-17', name: 'Cuti bersama' }] };
    expect(refused(raw)).toEqual([
      'Cuti bersama ke-1 (2027-08-17 "Cuti bersama"): tanggal: tanggal 2027-08-17 sudah tercantum (Proklamasi Kemerdekaan Republik Indonesia)',
    ]);
  });
});

describe('the warning of a missing calendar for next year', () => {
  const calendar = createWorkCalendar(
    [year2026],
    DEFAULT_WORKING_HOURS,
    fileHolidayEstimate(join(PROJECT_ROOT, 'config', 'calendar')),
  );
  it('warns from October, not before', () => {
    expect(missingNextYear(calendar, at('2026-03-16 09:00'))).toBeNull();
    expect(missingNextYear(calendar, at('2026-09-30 23:00'))).toBeNull();
    expect(missingNextYear(calendar, at('2026-10-01 07:00'))).toBe(2027);
    expect(missingNextYear(calendar, at('2026-12-07 09:00'))).toBe(2027);
    const with2027 = createWorkCalendar([year2026, parseCalendarYear(file2027)], DEFAULT_WORKING_HOURS);
    expect(missingNextYear(with2027, at('2026-12-07 09:00'))).toBeNull();
  });
});

/**
 * On the real local services: a task opened Kamis 31 Desember 2026 with Mutu Baku 1 hari is due on the first working
 * day of 2027, a year without data (provisional: 1 Januari is a fixed holiday, so Senin 4 Januari). Importing 2027
 * with a cuti bersama on 4 Januari moves it to Selasa 5 Januari and marks it final.
 */
describe('importing 2027 on a running runtime', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  const clock = { now: () => at('2026-12-31 09:00') };
  const SOP = 'fixture-kerja-sama-pihak-ketiga';

  beforeAll(async () => {
    rt = await startTestRuntime({ clock, schedulerIntervalMs: 0 });
  });
  afterAll(async () => rt?.cleanup());

  it('refuses a bad file with nothing changed, then recomputes the provisional due time and marks it final', async () => {
    // Arrange: a task of L2 (1 hari) opened on 31 December 2026.
    const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, SOP));
    const driven = await driveCase({
      dataDir: rt.dataDir,
      caseId: intakeId,
      pemohonEmail: PEMOHON.email,
      stopAt: 'L2',
    });
    const taskId = new URL(driven.stoppedAt!.link).pathname.split('/')[2]!.split('.')[0]!;
    const before = (await rt.app.store.getTask(taskId))!;
    expect(before.dueProvisional).toBe(true);
    expect(before.dueAt).toBe(at('2027-01-04 16:00').toISOString());

    // Act: a refused file first.
    const refusal = await rt.app.calendars.import({ ...file2027, cutiBersama: [{ date: '2027-01-04' }] });

    // Assert: nothing changed.
    expect(refusal).toEqual({ result: 'ditolak', messages: ['Cuti bersama ke-1 (2027-01-04): nama: wajib diisi'] });
    expect(rt.app.catalog.pemda('kota-contoh').calendar.hasYear(2027)).toBe(false);
    expect(await rt.app.store.getTask(taskId)).toEqual(before);

    // Act: the good file.
    const result = await rt.app.calendars.import(file2027);

    // Assert: applied without a restart, the task redated once and final, the fact in the case history.
    expect(result).toMatchObject({ result: 'diimpor', tugas: { diubah: 1 } });
    expect(rt.app.catalog.pemda('kota-contoh').calendar.hasYear(2027)).toBe(true);
    const after = (await rt.app.store.getTask(taskId))!;
    expect(after).toMatchObject({
      dueAt: at('2027-01-05 16:00').toISOString(),
      dueProvisional: false,
      dueRevision: 1,
    });
    const facts = (await rt.app.store.listHistory(intakeId)).filter((e) => e.type === 'tenggat-dihitung-ulang');
    expect(facts).toHaveLength(1);
    expect(facts[0]!.detail).toMatchObject({ tahun: 2027, dueAtSebelumnya: before.dueAt, provisional: false });

    // The reminders moved with it: the one waiting on the old dates is cancelled, the chain of the new ones (carrying
    // the revision) starts again at its first; when that fires, it schedules the next.
    const first = `pengingat.${taskId}.sebelum-jatuh-tempo`;
    expect((await rt.scheduler.store.get(first))?.state).toBe('cancelled');
    const restarted = await rt.scheduler.store.get(`${first}.r1`);
    expect(restarted).toMatchObject({ state: 'pending', job: { rev: 1 } });
    const oldKey = `pengingat.${taskId}.terlambat.1`;
    expect(await rt.scheduler.store.get(oldKey)).toBeUndefined();
    await rt.scheduler.runDue(new Date(restarted!.at));
    const moved = await rt.scheduler.store.get(`${oldKey}.r1`);
    expect(moved).toMatchObject({ state: 'pending', job: { rev: 1 } });
    expect(Date.parse(moved!.at)).toBeGreaterThanOrEqual(Date.parse(after.overdueAt!));

    // A second import of the same year changes no task (none is provisional any more).
    expect(await rt.app.calendars.import(file2027)).toMatchObject({ tugas: { diubah: 0 } });
  });
});

describe('the committed estimate of the coming years', () => {
  it('is what the library computes (run `npm run kalender:perkiraan` after updating date-holidays)', () => {
    const file = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'calendar', 'perkiraan.json'), 'utf8')) as {
      dariTahun: number;
      sampaiTahun: number;
      tahun: Record<string, unknown>;
    };
    expect(file.dariTahun).toBeLessThanOrEqual(2027);
    expect(file.tahun).toEqual(estimateYears(file.dariTahun, file.sampaiTahun));
  });
});
