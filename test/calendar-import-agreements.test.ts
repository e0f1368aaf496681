import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { agreementId } from '../core/agreement/agreement-jobs.ts';
import type { AgreementRecord } from '../core/agreement/agreement-model.ts';
import { main } from '../cli/sepakat.ts';
import { S3CalendarYearStore } from '../functions/adapters/calendar-store.ts';
import { agreementPathId } from '../functions/handlers/monitoring-routes.ts';
import { at, registerFinishedCase } from './support/agreements.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { startTestRuntime } from './support/runtime.ts';

/**
 * A year's calendar imported from the console (`/konsol/kalender`) and the CLI (`kalender impor <berkas>`), on the
 * real local services, and what it does to an agreement registered in December 2026 whose monitoring falls in 2027,
 * a year without data: its dates are provisional; the import computes them again on the real calendar (a date on a
 * new cuti bersama moves), marks them final and re-schedules them; importing again changes nothing more.
 */
const PEMDA = 'kab-blitar';
const NOMOR = '000.5.4/77/409.1.1/2026';
const file2027 = JSON.parse(readFileSync(new URL('./fixtures/calendar/2027-uji.json', import.meta.url), 'utf8')) as {
  year: number;
  liburNasional: { date: string; name: string }[];
  cutiBersama: { date: string; name: string }[];
};

describe('importing 2027 with an agreement registered in December 2026', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let dir: string;
  const now = at('2026-12-10 09:00');
  const clock = { now: () => now };
  const id = agreementId(PEMDA, NOMOR);
  const key = (rest: string) => `perjanjian.${id}.${rest}`;
  let admin: { cookie: string; csrf: string };
  let registered: AgreementRecord;
  /** The 2027 test file with a cuti bersama on the day the provisional 90-day reminder used. */
  let good: typeof file2027;

  const stored = async () =>
    (await new S3CalendarYearStore(rt.app.clients.s3, rt.app.config.SEPAKAT_BUCKET_DOCUMENTS).list()).map(
      (y) => y.year,
    );
  const agreement = async () => (await rt.app.agreements.get(PEMDA, NOMOR))!;
  const localDate = (iso: string) => rt.app.catalog.pemda(PEMDA).calendar.localDate(new Date(iso));
  const cli = async (...args: string[]) => {
    const lines: string[] = [];
    const code = await main([...args, '--data-dir', rt.dataDir], (l) => lines.push(l));
    return { code, text: lines.join('\n') };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sepakat-kalender-'));
    rt = await startTestRuntime({ clock, schedulerIntervalMs: 0 });
    admin = sessionFor(rt, PRINCIPALS.adminBlitar);
    registered = (await registerFinishedCase(rt, {
      caseId: '20261210-kalender',
      nomor: NOMOR,
      createdAt: now,
      data: { 'naskah-tanggal': '2026-12-10', 'naskah-jangka-waktu': 1 },
    }))!;
  }, 60_000);
  afterAll(async () => {
    await rt?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks the monitoring dates that fall in 2027 provisional, on the record and on the agreement page', async () => {
    expect(rt.app.catalog.pemda(PEMDA).calendar.hasYear(2027)).toBe(false);
    expect(registered).toMatchObject({ berakhir: '2027-12-09', jadwalPerkiraanSejak: 2027 });
    expect(registered.jadwalRevisi).toBeUndefined();
    const request = (await rt.scheduler.store.get(key('laporan-minta.1')))!;
    const reminder = (await rt.scheduler.store.get(key('pengingat-berakhir.90.20271209')))!;
    expect(request.state).toBe('pending');
    expect(reminder.state).toBe('pending');
    const summary = await rt.app.agreements.summary(registered);
    expect(summary.berikutnya).toMatchObject({ jenis: 'laporan', perkiraan: true });
    const page = await web(rt, `/konsol/perjanjian/${agreementPathId(NOMOR)}`, { cookie: admin.cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('(perkiraan)');

    // The file to import later: the test data of 2027 with a cuti bersama on the day the estimate used.
    good = {
      ...file2027,
      cutiBersama: [
        ...file2027.cutiBersama,
        { date: localDate(reminder.at), name: 'Cuti bersama (data uji, pengingat berakhir)' },
      ],
    };
  });

  it('shows the console page on a GET, which writes nothing', async () => {
    const before = { years: await stored(), record: await agreement() };
    const page = await web(rt, '/konsol/kalender', { cookie: admin.cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('2026');
    expect(page.text).toMatch(/2027/);
    expect(await stored()).toEqual(before.years);
    expect(await agreement()).toEqual(before.record);
    // Not for staff who are not administrators.
    const pelaksana = sessionFor(rt, PRINCIPALS.pelaksanaBlitar);
    expect((await web(rt, '/konsol/kalender', { cookie: pelaksana.cookie })).status).not.toBe(200);
  });

  it('refuses a bad file from the console, in Indonesian naming the field, and changes nothing', async () => {
    const before = { years: await stored(), record: await agreement() };
    const cases: [string, unknown, string][] = [
      ['wrong year', { ...file2027, year: 1999 }, 'Berkas kalender: tahun: harus tahun antara 2000 dan 2100'],
      [
        'a date outside the year',
        { ...file2027, liburNasional: [...file2027.liburNasional, { date: '2028-01-01', name: 'Tahun Baru' }] },
        'Libur nasional ke-8 (2028-01-01 &quot;Tahun Baru&quot;): tanggal: tanggal 2028-01-01 bukan tahun 2027',
      ],
      [
        'a missing name',
        { ...file2027, cutiBersama: [{ date: '2027-01-04' }] },
        'Cuti bersama ke-1 (2027-01-04): nama: wajib diisi',
      ],
    ];
    for (const [what, raw, message] of cases) {
      const answer = await web(rt, '/konsol/kalender', {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, isi: JSON.stringify(raw) },
      });
      expect(answer.status, what).toBe(400);
      expect(answer.text, what).toContain(message);
      expect(answer.text, what).toContain('Tidak ada yang diubah.');
    }
    expect(await stored()).toEqual(before.years);
    expect(rt.app.catalog.pemda(PEMDA).calendar.hasYear(2027)).toBe(false);
    expect(await agreement()).toEqual(before.record);
  });

  it('refuses a bad file from the CLI with exit code 1, and changes nothing', async () => {
    const before = { years: await stored(), record: await agreement() };
    const bad = join(dir, 'salah.json');
    writeFileSync(bad, JSON.stringify({ ...file2027, cutiBersama: [{ date: '2028-01-03', name: 'Cuti' }] }));
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((l: unknown) => void errors.push(String(l)));
    const answer = await cli('kalender', 'impor', bad).finally(() => spy.mockRestore());
    expect(answer.code).toBe(1);
    expect(errors.join('\n')).toContain(
      'Cuti bersama ke-1 (2028-01-03 "Cuti"): tanggal: tanggal 2028-01-03 bukan tahun 2027\nTidak ada yang diubah.',
    );
    expect(await stored()).toEqual(before.years);
    expect(await agreement()).toEqual(before.record);
  });

  it('imports the good file from the console: the dates are computed again, moved where a holiday was added, and final', async () => {
    // Act
    const answer = await web(rt, '/konsol/kalender', {
      cookie: admin.cookie,
      form: { _csrf: admin.csrf, isi: JSON.stringify(good) },
    });

    // Assert: imported, the agreement redated once and final.
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Kalender tahun 2027 diimpor');
    expect(answer.text).toContain('jadwal\n      pemantauan 1 perjanjian dihitung ulang');
    expect(await stored()).toContain(2027);
    const after = await agreement();
    expect(after.jadwalPerkiraanSejak).toBeUndefined();
    expect(after).toMatchObject({ jadwalRevisi: 1, version: registered.version + 1 });

    // The old revision's items are cancelled; the new ones moved off the new cuti bersama, to the working day before.
    const oldRequest = (await rt.scheduler.store.get(key('laporan-minta.1')))!;
    const oldReminder = (await rt.scheduler.store.get(key('pengingat-berakhir.90.20271209')))!;
    expect(oldRequest.state).toBe('cancelled');
    expect(oldReminder.state).toBe('cancelled');
    const request = (await rt.scheduler.store.get(key('laporan-minta.1.r1')))!;
    const reminder = (await rt.scheduler.store.get(key('pengingat-berakhir.90.20271209.r1')))!;
    expect(request).toMatchObject({ state: 'pending', job: { rev: 1 } });
    expect(reminder).toMatchObject({ state: 'pending', job: { rev: 1 } });
    // The 90-day reminder falls on the new cuti bersama: it moves to the working day before. The first report's
    // request moves with its due date (the imported Idulfitri differs from the estimate).
    const calendar = rt.app.catalog.pemda(PEMDA).calendar;
    expect(calendar.isWorkingDay(localDate(oldReminder.at))).toBe(false);
    expect(localDate(reminder.at) < localDate(oldReminder.at)).toBe(true);
    expect(calendar.isWorkingDay(localDate(reminder.at))).toBe(true);
    expect(localDate(request.at)).not.toBe(localDate(oldRequest.at));
    expect(calendar.isWorkingDay(localDate(request.at))).toBe(true);
    // The expiry and the other reminders are there under the new revision too.
    expect((await rt.scheduler.store.get(key('berakhir.20271209.r1')))?.state).toBe('pending');
    expect((await rt.scheduler.store.get(key('monev-minta.1.r1')))?.state).toBe('pending');

    // A job of the old revision that fires anyway does nothing.
    expect(await rt.app.agreements.runJob(oldRequest.job as never)).toMatchObject({ result: 'jadwal-dihitung-ulang' });

    // Shown final; the fact in the case history.
    expect((await rt.app.agreements.summary(after)).berikutnya).toMatchObject({ perkiraan: false });
    const page = await web(rt, `/konsol/perjanjian/${agreementPathId(NOMOR)}`, { cookie: admin.cookie });
    expect(page.text).not.toContain('(perkiraan)');
    expect(page.text).toContain('Jadwal pemantauan dihitung ulang dengan kalender libur 2027');
    const facts = (await rt.app.store.listHistory(registered.caseId)).filter(
      (e) => e.detail?.['jadwalDihitungUlang'] !== undefined,
    );
    expect(facts).toHaveLength(1);
  });

  it('changes nothing more when the same file is imported again through the CLI', async () => {
    const before = await agreement();
    const file = join(dir, '2027.json');
    writeFileSync(file, JSON.stringify(good));

    const answer = await cli('kalender', 'impor', file);

    expect(answer.code).toBe(0);
    expect(answer.text).toContain('Kalender 2027 diimpor');
    expect(answer.text).toContain('Jadwal pemantauan perkiraan dihitung ulang: 0 dari 0 perjanjian diperbarui.');
    expect(await agreement()).toEqual(before);
    expect(await rt.scheduler.store.get(key('laporan-minta.1.r2'))).toBeUndefined();
    expect((await rt.scheduler.store.get(key('laporan-minta.1.r1')))?.state).toBe('pending');
  });
});
