import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  agreementJobKeys,
  followUps,
  kewajibanList,
  laporanKe,
  monevKe,
  nextDue,
  pendingSchedule,
  provisionalFrom,
  registrationSchedule,
  termChangeSchedule,
} from '../core/agreement/calendar.ts';
import { agreementJobKey, AgreementJobSchema } from '../core/agreement/agreement-jobs.ts';
import {
  checkNewEnd,
  decide,
  jenisFrom,
  lastDayOf,
  LifecycleCodes,
  newEndFrom,
  statusOn,
} from '../core/agreement/lifecycle.ts';
import { DEFAULT_PEMANTAUAN, PemantauanSchema, type AgreementRecord } from '../core/agreement/agreement-model.ts';
import { inForceDuring, recipientsOf, rekapView } from '../core/agreement/rekap.ts';
import { DEFAULT_WORKING_HOURS } from '../core/calendar/calendar-schema.ts';
import { createWorkCalendar, parseCalendarYear } from '../core/calendar/work-calendar.ts';
import { jobKey, parseJob } from '../core/case/jobs.ts';
import { isSepakatError } from '../core/errors.ts';
import { ExportTemplates } from '../functions/render/templates.ts';

const calendar = createWorkCalendar(
  [parseCalendarYear(JSON.parse(readFileSync(new URL('../config/calendar/2026.json', import.meta.url), 'utf8')))],
  DEFAULT_WORKING_HOURS,
);
const wib = (instant: Date) => {
  const l = calendar.toLocal(instant);
  return `${l.date} ${l.time}`;
};

/** A Nota Kesepakatan signed Senin 23 November 2026 for 2 years. */
function agreement(overrides: Partial<AgreementRecord> = {}): AgreementRecord {
  return {
    pemdaId: 'kab-blitar',
    nomor: '000.5.4/007/409.1.1/2026',
    jenis: 'nota-kesepakatan',
    perihal: 'Kerja Sama Pengelolaan Sampah Regional',
    mitra: 'Pemerintah Kabupaten Sukamaju',
    caseId: '20261123-abcdefghij',
    sopKey: 'blitar-pengkoordinasian-nota-kesepakatan@1',
    mulai: '2026-11-23',
    jangkaWaktuTahun: 2,
    berakhir: lastDayOf('2026-11-23', 2),
    status: 'berlaku',
    version: 1,
    adendum: [],
    pelaksana: { email: 'dlh@blitarkab.test', nama: 'Dinas Lingkungan Hidup', unit: 'Dinas Lingkungan Hidup' },
    luarNegeri: false,
    usulan: {},
    createdAt: '2026-11-23T03:00:00.000Z',
    ...overrides,
  };
}

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (isSepakatError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('the lifecycle of an agreement', () => {
  it('ends its term the day before the anniversary and reads as belum berlaku, berlaku, then berakhir', () => {
    const a = agreement({ mulai: '2026-12-01', berakhir: lastDayOf('2026-12-01', 2) });
    expect(a.berakhir).toBe('2028-11-30');
    expect(lastDayOf('2028-02-29', 1)).toBe('2029-02-28');
    expect(statusOn(a, '2026-11-30')).toBe('belum-berlaku');
    expect(statusOn(a, '2026-12-01')).toBe('berlaku');
    expect(statusOn(a, '2028-11-30')).toBe('berlaku');
    expect(statusOn(a, '2028-12-01')).toBe('berakhir');
    expect(statusOn({ ...a, status: 'batal' }, '2027-01-01')).toBe('batal');
  });

  it('expires only after the last day, and refuses to expire early', () => {
    const a = agreement();
    const early = refusal(() => decide(a, { type: 'jangka-waktu-habis' }, a.berakhir));
    expect(early.code).toBe(LifecycleCodes.BelumHabis);
    expect(early.message).toMatch(/belum habis: berlaku sampai dengan 22 November 2028/);
    const t = decide(a, { type: 'jangka-waktu-habis' }, '2028-11-25');
    expect(t).toMatchObject({ status: 'berakhir', alasanBerakhir: 'jangka-waktu-habis', ditutupPada: '2028-11-23' });
  });

  it('ends early only for a ground of the law, and declares BATAL only with a reason', () => {
    const a = agreement();
    const unknown = refusal(() => decide(a, { type: 'akhiri', alasan: 'bosan', oleh: 'Admin' }, '2027-03-01'));
    expect(unknown.code).toBe(LifecycleCodes.AlasanTidakDikenal);
    expect(unknown.message).toMatch(/kesepakatan para pihak, tujuan kerja sama telah tercapai, keadaan kahar/);
    expect(
      decide(a, { type: 'akhiri', alasan: 'keadaan-kahar', catatan: ' Banjir ', oleh: 'Admin' }, '2027-03-01'),
    ).toMatchObject({
      status: 'berakhir',
      alasanBerakhir: 'keadaan-kahar',
      catatanBerakhir: 'Banjir',
      ditutupPada: '2027-03-01',
    });
    expect(refusal(() => decide(a, { type: 'batalkan', alasan: 'tidak', oleh: 'Admin' }, '2027-03-01')).code).toBe(
      LifecycleCodes.AlasanKosong,
    );
    expect(
      decide(a, { type: 'batalkan', alasan: 'Tidak dilaksanakan sama sekali', oleh: 'Admin' }, '2027-03-01'),
    ).toMatchObject({ status: 'batal', alasanBerakhir: 'Tidak dilaksanakan sama sekali' });
  });

  it('never changes a closed agreement again', () => {
    const closed = agreement({ status: 'batal', ditutupPada: '2027-03-01', alasanBerakhir: 'x' });
    const r = refusal(() => decide(closed, { type: 'akhiri', alasan: 'tujuan-tercapai', oleh: 'Admin' }, '2027-04-01'));
    expect(r.code).toBe(LifecycleCodes.SudahDitutup);
    expect(r.message).toMatch(/sudah dinyatakan BATAL sejak 1 Maret 2027/);
  });

  it('reads the kind of naskah from the case data, else the kind the SOP declares (never its id)', () => {
    expect(jenisFrom({ 'naskah-jenis': 'nota-kesepakatan' }, 'kesepakatan-bersama')).toBe('nota-kesepakatan');
    expect(jenisFrom({ 'naskah-jenis': 'Perjanjian Kerja Sama' }, undefined)).toBe('perjanjian-kerja-sama');
    expect(jenisFrom({}, 'mou-luar-negeri')).toBe('mou');
    expect(jenisFrom({}, 'kesepakatan-bersama')).toBe('kesepakatan-bersama');
    expect(jenisFrom({}, 'bandung-kerjasama-teknik-luar-negeri')).toBe('kesepakatan-bersama');
  });
});

describe('the monitoring calendar', () => {
  const a = agreement();

  it('adds months clamped to the end of the month', () => {
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonths('2026-11-23', 15)).toBe('2028-02-23');
  });

  it('owes a report every 3 months and a monev every semester within the term, due on working days', () => {
    const list = kewajibanList(a, DEFAULT_PEMANTAUAN, calendar);
    expect(list.filter((k) => k.jenis === 'laporan')).toHaveLength(8);
    expect(list.filter((k) => k.jenis === 'monev')).toHaveLength(4);
    const first = laporanKe(a, DEFAULT_PEMANTAUAN, calendar, 1)!;
    expect(first).toMatchObject({
      periode: { mulai: '2026-11-23', selesai: '2027-02-22' },
      // 23 February 2027 is a Tuesday.
      jatuhTempo: '2027-02-23',
      label: 'Laporan pelaksanaan triwulan I tahun 2027',
    });
    expect(laporanKe(a, DEFAULT_PEMANTAUAN, calendar, 2)!.label).toBe('Laporan pelaksanaan triwulan II tahun 2027');
    // The last report covers the last quarter of the term; none beyond it.
    expect(laporanKe(a, DEFAULT_PEMANTAUAN, calendar, 8)!.periode.selesai).toBe(a.berakhir);
    expect(laporanKe(a, DEFAULT_PEMANTAUAN, calendar, 9)).toBeUndefined();
    expect(monevKe(a, DEFAULT_PEMANTAUAN, calendar, 1)!.label).toBe('Monitoring dan evaluasi semester I tahun 2027');
    // A due date on a weekend moves to the Monday: the term from Sabtu 1 Mei 2027 would fall due on Minggu.
    const weekend = agreement({ mulai: '2026-11-01', berakhir: lastDayOf('2026-11-01', 1) });
    expect(laporanKe(weekend, DEFAULT_PEMANTAUAN, calendar, 2)!.jatuhTempo).toBe('2027-05-03');
  });

  it('schedules at registration the first requests, the end reminders, the expiry and the annual reports', () => {
    const items = registrationSchedule(a, DEFAULT_PEMANTAUAN, calendar, '2026-11-23');
    const seen = items.map((i) => [
      i.job.kind === 'pantau-perjanjian' ? `${i.job.tahap}${i.job.ke ?? ''}` : `tahunan${i.job.tahun}`,
      wib(i.at),
    ]);
    expect(seen).toEqual([
      // 14 days before 23 February 2027 is Selasa 9 February.
      ['laporan-minta1', '2027-02-09 07:30'],
      ['monev-minta1', '2027-05-10 07:30'],
      ['pengingat-berakhir90', '2028-08-24 07:30'],
      ['pengingat-berakhir60', '2028-09-22 07:30'],
      // 23 October 2028 is a Monday; 15 November a Wednesday; 22 November a Wednesday.
      ['pengingat-berakhir30', '2028-10-23 07:30'],
      ['pengingat-berakhir7', '2028-11-15 07:30'],
      ['pengingat-berakhir0', '2028-11-22 07:30'],
      ['berakhir', '2028-11-23 00:00'],
      ['tahunan2026', '2027-01-11 07:30'],
      ['tahunan2027', '2028-01-10 07:30'],
      ['tahunan2028', '2029-01-10 07:30'],
    ]);
    for (const i of items) {
      expect(i.key.length).toBeLessThanOrEqual(64);
      expect(i.key).toMatch(/^[0-9A-Za-z._-]+$/);
      expect(jobKey(parseJob(JSON.parse(JSON.stringify(i.job))))).toBe(i.key);
    }
  });

  it('follows a report request with its reminder, its escalation and the next request, in working days', () => {
    const items = followUps(a, DEFAULT_PEMANTAUAN, calendar, 'laporan', 1);
    expect(items.map((i) => [i.job.kind === 'pantau-perjanjian' && i.job.tahap, wib(i.at)])).toEqual([
      ['laporan-terlambat', '2027-02-24 07:30'],
      ['laporan-eskalasi', '2027-03-02 07:30'],
      ['laporan-minta', '2027-05-10 07:30'],
    ]);
    // The last report has no next one.
    expect(followUps(a, DEFAULT_PEMANTAUAN, calendar, 'laporan', 8).map((i) => i.key)).toHaveLength(2);
  });

  it('follows a monev request with its reminder the next working day and its escalation as a report’s', () => {
    // Monev 1 falls due on Senin 24 May 2027.
    const items = followUps(a, DEFAULT_PEMANTAUAN, calendar, 'monev', 1);
    expect(items.map((i) => [i.job.kind === 'pantau-perjanjian' && i.job.tahap, wib(i.at)])).toEqual([
      ['monev-terlambat', '2027-05-25 07:30'],
      // Five working days after the due date, as report 2 (due the same day).
      ['monev-eskalasi', '2027-05-31 07:30'],
      ['monev-minta', '2027-11-09 07:30'],
    ]);
    for (const i of items) expect(i.key.length).toBeLessThanOrEqual(64);
    const keys = new Set(agreementJobKeys(a, DEFAULT_PEMANTAUAN, calendar));
    for (const i of items) expect(keys.has(i.key)).toBe(true);
  });

  it('computes again what waits for an agreement after requests went out, under its schedule revision', () => {
    // Report 1 requested and missing, report 2 not yet; monev 1 requested and received; revision 2 of the schedule.
    const revised = { ...a, jadwalRevisi: 2 };
    const items = pendingSchedule(revised, DEFAULT_PEMANTAUAN, calendar, { today: '2027-02-10', sejak: '2026-11-23' }, [
      { jenis: 'laporan', ke: 1, diterima: false },
      { jenis: 'monev', ke: 1, diterima: true },
    ]);
    const tahap = items.map((i) => (i.job.kind === 'pantau-perjanjian' ? `${i.job.tahap}.${i.job.ke ?? ''}` : ''));
    expect(tahap.slice(0, 4)).toEqual([
      'laporan-terlambat.1',
      'laporan-eskalasi.1',
      'laporan-minta.2',
      'monev-minta.2',
    ]);
    expect(tahap).toContain('berakhir.');
    expect(tahap.filter((t) => t.startsWith('pengingat-berakhir'))).toHaveLength(5);
    for (const i of items) {
      expect(i.job).toMatchObject({ rev: 2 });
      expect(i.key).toMatch(/\.r2$/);
      expect(i.key.length).toBeLessThanOrEqual(64);
    }
    // Every date but the expiry lies in 2027 or 2028, years this calendar has no holidays for.
    expect(provisionalFrom(calendar, items)).toBe(2027);
    // The keys of the revision are the ones a closing cancels.
    const keys = new Set(agreementJobKeys(revised, DEFAULT_PEMANTAUAN, calendar));
    for (const i of items) expect(keys.has(i.key)).toBe(true);
  });

  it('names the end of the term in the keys of its reminders and expiry, and moves them when the term moves', () => {
    const [expiry] = registrationSchedule(a, DEFAULT_PEMANTAUAN, calendar, '2026-11-23').filter(
      (i) => i.job.kind === 'pantau-perjanjian' && i.job.tahap === 'berakhir',
    );
    expect(expiry!.key).toMatch(/\.berakhir\.20281122$/);
    const longer = { ...a, berakhir: '2029-11-22', version: 2 };
    const plan = termChangeSchedule(a, longer, DEFAULT_PEMANTAUAN, calendar, '2027-08-25');
    expect(plan.cancel).toContain(expiry!.key);
    expect(plan.cancel).toContain(expiry!.key.replace(/\.20281122$/, ''));
    const seen = plan.schedule.map((i) => [
      i.job.kind === 'pantau-perjanjian' ? `${i.job.tahap}${i.job.ke ?? ''}` : `tahunan${i.job.tahun}`,
      wib(i.at),
    ]);
    // The first report and monev the added year brings (report 9 covers 23 November 2028 – 22 February 2029).
    expect(seen.slice(0, 2)).toEqual([
      ['laporan-minta9', '2029-02-09 07:30'],
      ['monev-minta5', '2029-05-09 07:30'],
    ]);
    expect(seen).toContainEqual(['berakhir', '2029-11-23 00:00']);
    expect(seen).toContainEqual(['tahunan2029', '2030-01-10 07:30']);
    expect(seen.filter(([k]) => k!.startsWith('pengingat-berakhir'))).toHaveLength(5);
    for (const i of plan.schedule) {
      expect(plan.cancel).not.toContain(i.key);
      expect(i.key.length).toBeLessThanOrEqual(64);
      expect(jobKey(parseJob(JSON.parse(JSON.stringify(i.job))))).toBe(i.key);
    }
    // Only a later date in the adendum's data moves the end.
    expect(newEndFrom(a, { 'berakhir-baru': '2029-11-22' })).toBe('2029-11-22');
    expect(newEndFrom(a, { 'berakhir-baru': '2028-01-01' })).toBeUndefined();
    expect(newEndFrom(a, { 'berakhir-baru': '2029-02-30' })).toBeUndefined();
    expect(newEndFrom(a, {})).toBeUndefined();
    expect(refusal(() => checkNewEnd(a, '2028-11-22')).message).toContain('harus sesudah 22 November 2028');
  });

  it('names every key the calendar can schedule, so a closed agreement cancels them all', () => {
    const keys = new Set(agreementJobKeys(a, DEFAULT_PEMANTAUAN, calendar));
    for (const i of registrationSchedule(a, DEFAULT_PEMANTAUAN, calendar, '2026-11-23'))
      if (i.job.kind === 'pantau-perjanjian') expect(keys.has(i.key)).toBe(true);
    for (let ke = 1; ke <= 8; ke++)
      for (const i of followUps(a, DEFAULT_PEMANTAUAN, calendar, 'laporan', ke)) expect(keys.has(i.key)).toBe(true);
  });

  it('shows the next due item: an unfulfilled report first, then the end of the term', () => {
    const options = (done: string[]) => ({
      sejak: '2026-11-23',
      fulfilled: (jenis: string, ke: number) => done.includes(`${jenis}${ke}`),
    });
    expect(nextDue(a, DEFAULT_PEMANTAUAN, calendar, options([]))).toEqual({
      jenis: 'laporan',
      label: 'Laporan pelaksanaan triwulan I tahun 2027',
      jatuhTempo: '2027-02-23',
      // 2027's holidays are not in this calendar: an estimate until they are imported.
      perkiraan: true,
    });
    expect(nextDue(a, DEFAULT_PEMANTAUAN, calendar, options(['laporan1']))?.label).toBe(
      'Laporan pelaksanaan triwulan II tahun 2027',
    );
    const all = kewajibanList(a, DEFAULT_PEMANTAUAN, calendar).map((k) => `${k.jenis}${k.ke}`);
    expect(nextDue(a, DEFAULT_PEMANTAUAN, calendar, options(all))).toEqual({
      jenis: 'berakhir',
      label: 'Berakhirnya jangka waktu',
      jatuhTempo: '2028-11-22',
      // The end of the term is a calendar date, never an estimate.
      perkiraan: false,
    });
    expect(nextDue({ ...a, status: 'batal' }, DEFAULT_PEMANTAUAN, calendar, options([]))).toBeUndefined();
  });

  it('refuses a malformed pemantauan configuration naming the field', () => {
    const bad = PemantauanSchema.safeParse({ laporanSetiapBulan: 0 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['laporanSetiapBulan']);
    expect(
      AgreementJobSchema.safeParse({ kind: 'pantau-perjanjian', pemdaId: 'X', nomor: '1', tahap: 'berakhir' }).success,
    ).toBe(false);
    expect(agreementJobKey({ kind: 'laporan-tahunan', pemdaId: 'kab-blitar', tahun: 2027 })).toBe(
      'laporan-tahunan.kab-blitar.2027',
    );
  });
});

describe('the annual report', () => {
  it('lists what was in force in the year, and goes to Kemenkeu and BPK only for foreign cooperation', () => {
    const a = agreement();
    expect(inForceDuring(a, 2026)).toBe(true);
    expect(inForceDuring(a, 2029)).toBe(false);
    expect(inForceDuring({ ...a, status: 'batal', ditutupPada: '2027-01-01' }, 2027)).toBe(false);
    expect(recipientsOf('Pemerintah Kabupaten Blitar', false)).toEqual([
      'Ketua Dewan Perwakilan Rakyat Daerah Kabupaten Blitar',
      'Menteri Dalam Negeri melalui Gubernur',
    ]);
    expect(recipientsOf('Pemerintah Kota Bandung', true)).toHaveLength(4);
    const view = rekapView({
      pemda: { nama: 'Pemerintah Kabupaten Blitar', kop: ['PEMERINTAH KABUPATEN BLITAR'] },
      tahun: 2027,
      baris: [
        {
          agreement: { ...a, mitra: '<b>Mitra</b>' },
          laporanDiterima: 3,
          laporanTerlewat: 1,
          monev: [{ label: 'Monev I', rekomendasi: 'adendum' }],
        },
      ],
      kepada: recipientsOf('Pemerintah Kabupaten Blitar', false),
      dibuatPada: '2028-01-10',
    });
    const html = new ExportTemplates().page('laporan-tahunan', view);
    expect(html).toContain('LAPORAN PELAKSANAAN KERJA SAMA DAERAH TAHUN 2027');
    expect(html).toContain('&lt;b&gt;Mitra&lt;/b&gt;');
    expect(html).toContain('Monev I: Diubah dengan adendum');
    expect(html).toContain('3 laporan pelaksanaan diterima, 1 laporan terlewat');
    expect(html).toContain('23 November 2026 s.d. 22 November 2028');
    expect(html).toContain('Dibuat pada 10 Januari 2028 oleh Sepakat');
    expect(html).not.toContain('<b>Mitra');
  });
});
