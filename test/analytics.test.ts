import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCases } from '../bench/synthetic-cases.ts';
import { driveCase, submitPermohonan } from '../cli/drive.ts';
import { forecastCompletion, mainPathAfter } from '../core/analytics/forecast.ts';
import {
  completedActivations,
  computeMutuBaku,
  describe as describeSample,
  quantileSorted,
  type CaseFacts,
  type MutuBakuFilter,
} from '../core/analytics/mutu-baku.ts';
import { DEFAULT_WORKING_HOURS } from '../core/calendar/calendar-schema.ts';
import { computeDue, createWorkCalendar, workingMinutesBetween } from '../core/calendar/work-calendar.ts';
import { createWorkingTimeIndex } from '../core/calendar/working-time-index.ts';
import { BUNDLED_CALENDAR_YEARS } from '../core/calendar/years.ts';
import type { CaseRecord, TaskPerson, TaskRecord } from '../core/case/model.ts';
import { buildTimeline } from '../core/case/timeline.ts';
import { loadSop, type Sop } from '../core/sop/load-sop.ts';
import { forecastCase } from '../functions/analytics/mutu-baku-forecast.ts';
import { MUTU_BAKU_CSV_HEADERS as CSV_HEADERS } from '../core/analytics/mutu-baku-csv.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { FIXTURE_SOPS, PEMOHON, permohonanFor, SEED_SOPS, startTestRuntime } from './support/runtime.ts';

const calendar = createWorkCalendar(BUNDLED_CALENDAR_YEARS, DEFAULT_WORKING_HOURS);
const index = createWorkingTimeIndex(calendar);
/** A WIB wall-clock time as an instant: at('2026-11-23 09:00') is Senin 09.00 WIB. */
const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);
const ms = (local: string) => at(local).getTime();

const KOTA = loadSop(readFileSync(join(SEED_SOPS, 'kota-penyusunan-kesepakatan-bersama.yaml'), 'utf8'), 'kota');
const BLITAR = loadSop(
  readFileSync(join(SEED_SOPS, 'blitar-pengkoordinasian-nota-kesepakatan.yaml'), 'utf8'),
  'blitar',
);
const FIXTURE = loadSop(readFileSync(join(FIXTURE_SOPS, 'fixture-kerja-sama-pihak-ketiga.yaml'), 'utf8'), 'fixture');
const SOPS = new Map([KOTA, BLITAR, FIXTURE].map((s) => [s.key, s]));

const PERSON: TaskPerson = { id: 'p-1', nama: 'Pejabat Uji', jabatan: 'Pejabat Uji', email: 'uji@contoh.test' };

/** A task of `sop` at `node`, opened and (unless null) decided at WIB times; due times from the calendar. */
function task(
  caseId: string,
  sop: Sop,
  seq: number,
  node: string,
  opened: string,
  decided: string | null,
  options: { visit?: number; state?: TaskRecord['state']; choice?: string } = {},
): TaskRecord {
  const activity = sop.node(node);
  if (activity.type !== 'activity') throw new Error(`${node} is a gate`);
  const due =
    activity.actor.kind === 'external'
      ? { dueAt: null, overdueAt: null, provisional: false }
      : computeDue(calendar, at(opened), activity.waktu);
  return {
    taskId: `${caseId}-${seq}`,
    caseId,
    seq,
    node,
    stepId: activity.stepId,
    visit: options.visit ?? 1,
    actorId: activity.actor.id,
    person: PERSON,
    openedAt: at(opened).toISOString(),
    dueAt: due.dueAt?.toISOString() ?? null,
    overdueAt: due.overdueAt?.toISOString() ?? null,
    dueProvisional: due.provisional,
    state: options.state ?? (decided ? 'reported' : 'open'),
    linkVersion: 1,
    linkExpiresAt: at('2027-01-31 00:00').toISOString(),
    ...(decided
      ? {
          decision: {
            choice: options.choice ?? activity.choices[0]!.value,
            values: {},
            files: [],
            at: at(decided).toISOString(),
            by: PERSON,
            submissionId: `${caseId}-${seq}`,
          },
        }
      : {}),
  };
}

function kasus(
  caseId: string,
  sop: Sop,
  tasks: TaskRecord[],
  options: { status?: CaseRecord['status']; data?: Record<string, unknown>; pemdaId?: string } = {},
): CaseFacts {
  const last = tasks.at(-1);
  return {
    record: {
      caseId,
      intakeId: caseId,
      sopId: sop.definition.id,
      sopVersion: sop.definition.version,
      sopKey: sop.key,
      pemdaId: options.pemdaId ?? sop.definition.pemda,
      perihal: `Perihal ${caseId}`,
      pemohon: { nama: 'Pemohon', email: 'pemohon@mitra.test', instansi: 'Kabupaten Mitra' },
      status: options.status ?? 'aktif',
      createdAt: tasks[0]?.openedAt ?? at('2026-11-02 08:00').toISOString(),
      data: options.data ?? {},
      files: [],
      cursor: last
        ? { node: last.node, stepId: last.stepId, seq: last.seq, visit: last.visit, enteredAt: last.openedAt }
        : null,
      visits: {},
    },
    tasks,
  };
}

const report = (cases: CaseFacts[], filter: Partial<MutuBakuFilter> = {}) =>
  computeMutuBaku({
    cases,
    filter: { pemdaId: 'kota-contoh', from: '2026-11-01', to: '2026-12-31', ...filter },
    calendar,
    index,
    sop: (key) => SOPS.get(key),
  });
const stepOf = (r: ReturnType<typeof report>, sopId: string, node: string) =>
  [...r.sops.find((s) => s.sopId === sopId)!.steps, ...r.sops.find((s) => s.sopId === sopId)!.external].find(
    (s) => s.node === node,
  );

describe('Mutu Baku statistics', () => {
  it('takes the median and the 90th percentile between ranks, as PERCENTILE.INC does', () => {
    const one_to_ten = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    expect(quantileSorted(one_to_ten, 0.5)).toBe(5.5);
    expect(quantileSorted(one_to_ten, 0.9)).toBeCloseTo(9.1, 10);
    const unsorted = describeSample([10, 1, 3]);
    expect(unsorted).toMatchObject({ median: 3, mean: 14 / 3, max: 10 });
    expect(unsorted.p90).toBeCloseTo(8.6, 10);
    expect(describeSample([7])).toEqual({ median: 7, p90: 7, mean: 7, max: 7 });
    expect(Number.isNaN(describeSample([]).median)).toBe(true);
  });

  it('counts working hours over a weekend and over libur nasional with cuti bersama', () => {
    // Jumat 15.00 → Senin 09.00: 90 minutes on Friday (to 16.30) and 90 on Monday (from 07.30).
    expect(index.minutesBetween(ms('2026-11-27 15:00'), ms('2026-11-30 09:00'))).toBe(180);
    // Rabu 23 Desember 15.00 → Senin 28 Desember 08.30: Kamis is cuti bersama, Jumat is Natal.
    expect(index.minutesBetween(ms('2026-12-23 15:00'), ms('2026-12-28 08:30'))).toBe(120);
    expect(workingMinutesBetween(calendar, at('2026-12-23 15:00'), at('2026-12-28 08:30'))).toBe(120);

    // The same span as a step of 1 Hari: on time, because the holidays do not count.
    const figures = report([
      kasus('k1', KOTA, [task('k1', KOTA, 20, 'L14.1', '2026-12-23 15:00', '2026-12-28 08:30')], { status: 'selesai' }),
    ]);
    expect(stepOf(figures, KOTA.definition.id, 'L14.1')).toMatchObject({
      n: 1,
      medianMinutes: 120,
      standard: { raw: '1 hari', minMenit: 450, maxMenit: 450 },
      onTime: 1,
      late: 0,
      shareOnTime: 1,
    });
  });

  it('gives the same working time as the calendar for any pair of instants', () => {
    let checked = 0;
    for (let a = ms('2026-03-16 06:10'); a < ms('2026-04-10 00:00'); a += 7 * 3_600_000 + 13 * 60_000)
      for (const span of [5 * 60_000, 3 * 3_600_000, 26 * 3_600_000, 9 * 86_400_000]) {
        expect(index.minutesBetween(a, a + span)).toBe(
          workingMinutesBetween(calendar, new Date(a), new Date(a + span)),
        );
        checked++;
      }
    expect(checked).toBeGreaterThan(200);
  });

  it('keeps waits on external parties apart and never judges them', () => {
    const k = 'k2';
    const figures = report([
      kasus(k, KOTA, [
        task(k, KOTA, 1, 'L10.1', '2026-11-02 08:00', '2026-11-02 10:00'),
        task(k, KOTA, 2, 'L10.2', '2026-11-02 10:00', '2026-11-02 11:00'),
        // The Bagian Hukum (recorded by the Kasubbag) took three weeks.
        task(k, KOTA, 3, 'L10.3', '2026-11-02 11:00', '2026-11-23 11:00'),
      ]),
    ]);
    const sop = figures.sops[0]!;
    expect(sop.steps.map((s) => s.node)).toEqual(['L10.1', 'L10.2']);
    expect(sop.external).toHaveLength(1);
    expect(sop.external[0]).toMatchObject({ node: 'L10.3', external: true, standard: null, measured: 0, n: 1 });
    expect(sop.external[0]!.medianMinutes).toBe(15 * 450);
    expect(sop.totals).toMatchObject({ activations: 2, measured: 2, onTime: 2, late: 0, externalActivations: 1 });
    expect(sop.actors.map((a) => a.actorId).sort()).toEqual(['kabag-kerjasama', 'kasubbag-kerjasama']);
  });

  it('counts every visit of a loop, leaves out open and cancelled tasks, and judges late ones', () => {
    const k = 'k3';
    const figures = report([
      kasus(k, KOTA, [
        task(k, KOTA, 7, 'L7', '2026-11-02 08:00', '2026-11-03 08:00', { choice: 'ulangi' }),
        // Second visit: 3 Hari is due at the closing of Friday 6 November; decided Monday 9 November.
        task(k, KOTA, 8, 'L7', '2026-11-03 08:00', '2026-11-09 10:00', { visit: 2 }),
        task(k, KOTA, 9, 'L8', '2026-11-09 10:00', null),
      ]),
      kasus('k4', KOTA, [task('k4', KOTA, 9, 'L8', '2026-11-02 08:00', null, { state: 'cancelled' })], {
        status: 'dibatalkan',
      }),
    ]);
    const l7 = stepOf(figures, KOTA.definition.id, 'L7')!;
    expect(l7).toMatchObject({ n: 2, cases: 1, repeats: 1, onTime: 1, late: 1, shareOnTime: 0.5 });
    // 450 (Monday 08.00 → Tuesday 08.00) and 1,920 (Tuesday 08.00 → Monday 10.00: 420 + 3 × 450 + 150).
    expect(l7.medianMinutes).toBe((450 + 1920) / 2);
    expect(stepOf(figures, KOTA.definition.id, 'L8')).toBeUndefined();
  });

  it('shows a step without Waktu with its times but no standard', () => {
    const k = 'b1';
    const figures = report([kasus(k, BLITAR, [task(k, BLITAR, 1, 'L1', '2026-11-02 08:00', '2026-11-02 09:00')])], {
      pemdaId: 'kab-blitar',
    });
    expect(stepOf(figures, BLITAR.definition.id, 'L1')).toMatchObject({
      n: 1,
      medianMinutes: 60,
      standard: null,
      measured: 0,
      shareOnTime: null,
    });
  });

  it('takes the period by the local date of completion, and only the pemda (and SOP) asked for', () => {
    const cases = [
      // 30 November 23.30 WIB is 16.30 UTC the same day; 1 December 00.30 WIB is still 30 November in UTC.
      kasus('p1', KOTA, [task('p1', KOTA, 1, 'L1', '2026-11-30 15:00', '2026-11-30 23:30')]),
      kasus('p2', KOTA, [task('p2', KOTA, 1, 'L1', '2026-11-30 15:00', '2026-12-01 00:30')]),
      kasus('p3', BLITAR, [task('p3', BLITAR, 1, 'L1', '2026-11-30 08:00', '2026-11-30 09:00')]),
    ];
    const november = report(cases, { from: '2026-11-01', to: '2026-11-30' });
    expect(november.sops.map((s) => s.sopId)).toEqual([KOTA.definition.id]);
    expect(stepOf(november, KOTA.definition.id, 'L1')).toMatchObject({ n: 1, cases: 1 });
    expect(report(cases, { from: '2026-12-01', to: '2026-12-01' }).activations).toBe(1);

    const blitar = report(cases, { pemdaId: 'kab-blitar', from: '2026-11-01', to: '2026-11-30' });
    expect(blitar.sops.map((s) => s.sopId)).toEqual([BLITAR.definition.id]);
    expect(report(cases, { sopId: BLITAR.definition.id }).activations).toBe(0);
  });

  it('judges each activation as the case timeline does', () => {
    const catalogSops = [KOTA, BLITAR].map((sop) => ({ sop, calendar }));
    const cases = syntheticCases({ cases: 40, sops: catalogSops, seed: 7, startFrom: '2026-10-01' });
    let compared = 0;
    for (const facts of cases) {
      const sop = SOPS.get(facts.record.sopKey)!;
      const timeline = buildTimeline({
        record: facts.record,
        tasks: facts.tasks,
        history: [],
        sop,
        calendar,
        timeZone: 'WIB',
        now: at('2027-06-01 00:00'),
      });
      const mine = completedActivations(facts, sop, index);
      expect(mine.map((a) => [a.seq, a.usedMinutes, a.status])).toEqual(
        timeline.rows.filter((r) => r.doneAt).map((r) => [r.seq, r.usedMinutes, r.status]),
      );
      compared += mine.length;
    }
    expect(compared).toBeGreaterThan(500);
  });
});

describe('the completion forecast of an open case', () => {
  it('adds the remaining steps’ Waktu to the current due time, and the observed medians for the realistic date', () => {
    // Senin 23 November: L13 (60 menit) opened 09.00, due 10.00; then the two links of L14 (1 hari each).
    const k = 'f1';
    const facts = kasus(k, KOTA, [task(k, KOTA, 21, 'L13', '2026-11-23 09:00', null)]);
    const forecast = forecastCompletion({
      ...facts,
      sop: KOTA,
      calendar,
      now: at('2026-11-23 09:30'),
      observed: (node) => ({ L13: 120, 'L14.1': 900, 'L14.2': 60 })[node],
    })!;
    expect(forecast.steps.map((s) => [s.node, s.standardAt, s.realisticAt])).toEqual([
      ['L13', at('2026-11-23 10:00').toISOString(), at('2026-11-23 11:00').toISOString()],
      // 1 hari from Monday: the closing of Tuesday; 900 working minutes from Monday 11.00: Wednesday 11.00.
      ['L14.1', at('2026-11-24 16:00').toISOString(), at('2026-11-25 11:00').toISOString()],
      // The Kabag's signature of the Surat Pengantar, the second link of L14, takes its own 1 hari (60 observed).
      ['L14.2', at('2026-11-25 16:00').toISOString(), at('2026-11-25 12:00').toISOString()],
    ]);
    expect(forecast).toMatchObject({
      standardAt: at('2026-11-25 16:00').toISOString(),
      realisticAt: at('2026-11-25 12:00').toISOString(),
      endsAs: 'selesai',
      observedSteps: 3,
      untimed: 0,
      current: { node: 'L13', overdue: false },
    });
  });

  it('starts from now when the current step is overdue, and follows the main path past loops and returns', () => {
    const k = 'f2';
    const facts = kasus(k, KOTA, [task(k, KOTA, 7, 'L7', '2026-11-02 08:00', null)]);
    const forecast = forecastCompletion({ ...facts, sop: KOTA, calendar, now: at('2026-11-10 09:00') })!;
    expect(forecast.current.overdue).toBe(true);
    expect(forecast.steps[0]!.standardAt).toBe(at('2026-11-10 09:00').toISOString());
    expect(forecast.steps.map((s) => s.node)).toEqual([
      'L7',
      'L8',
      'L9',
      'L10.1',
      'L10.2',
      'L10.3',
      'L11.1',
      'L11.2',
      'L11.3',
      'L12.1',
      'L12.2',
      'L12.3',
      'L13',
      'L14.1',
      'L14.2',
    ]);
    // L8 takes 3 hari from Tuesday 10 November: the closing of Friday 13 November.
    expect(forecast.steps[1]!.standardAt).toBe(at('2026-11-13 16:30').toISOString());
    expect(forecast.realisticAt).toBe(forecast.standardAt);
  });

  it('takes the gate’s branch by the case data, and gives no forecast for a closed case', () => {
    expect(mainPathAfter(FIXTURE, 'L4.3', { 'membebani-apbd': true }).nodes.map((n) => n.id)).toEqual([
      'L5',
      'L6.1',
      'L6.2',
      'L6.3',
      'L7',
    ]);
    expect(mainPathAfter(FIXTURE, 'L4.3', { 'membebani-apbd': false }).nodes.map((n) => n.id)).toEqual([
      'L6.1',
      'L6.2',
      'L6.3',
      'L7',
    ]);
    const closed = kasus('f3', KOTA, [task('f3', KOTA, 1, 'L1', '2026-11-02 08:00', '2026-11-02 08:10')], {
      status: 'selesai',
    });
    expect(forecastCompletion({ ...closed, sop: KOTA, calendar, now: at('2026-11-03 08:00') })).toBeNull();
  });
});

describe('the Mutu Baku page over the local runtime', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let caseId: string;
  const SOP = 'kota-penyusunan-kesepakatan-bersama';

  beforeAll(async () => {
    rt = await startTestRuntime();
    const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, SOP));
    caseId = intakeId;
    // L1–L3 decided by the scripted officials; the case waits at L4.
    await driveCase({ dataDir: rt.dataDir, caseId, pemohonEmail: PEMOHON.email, stopAt: 'L4.1' });
  }, 60_000);
  afterAll(async () => {
    await rt?.cleanup();
  });

  it('shows the pemda’s steps and the open case’s forecast to its pelaksana', async () => {
    const { cookie } = sessionFor(rt, PRINCIPALS.pelaksanaKota);
    const page = await web(rt, `/konsol/mutu-baku?sop=${SOP}`, { cookie });
    expect(page.status).toBe(200);
    for (const step of ['L1', 'L2', 'L3']) expect(page.text).toContain(`data-langkah="${step}"`);
    expect(page.text).toContain('<svg');
    expect(page.text).toContain('Waktu kerja per langkah: SOP Penyusunan Naskah Kesepakatan Bersama');
    expect(page.text).toContain(`data-kasus="${caseId}"`);

    const forecast = await forecastCase(rt.app, caseId);
    expect(forecast).toMatchObject({ caseId, current: { node: 'L4.1' }, endsAs: 'selesai' });
    expect(forecast!.steps.map((s) => s.node).at(-1)).toBe('L14.2');
    expect(Date.parse(forecast!.standardAt)).toBeGreaterThan(Date.parse(forecast!.steps[0]!.standardAt));
    expect(page.text).toContain(forecast!.short.standard);
  });

  it('shows staff outside the SOP’s unit the figures but not the open cases they may not open', async () => {
    // A pejabat of another unit of the same pemda, with no task on the case.
    const outsider = {
      ...PRINCIPALS.pelaksanaKota,
      sub: 'u-dinas',
      roles: ['pejabat' as const],
      unit: 'DINAS PARIWISATA',
    };
    const { cookie } = sessionFor(rt, outsider);
    const page = await web(rt, `/konsol/mutu-baku?sop=${SOP}`, { cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-langkah="L1"');
    expect(page.text).not.toContain(caseId);
    const perihal = (await rt.app.store.getCase(caseId))!.perihal;
    expect(page.text).not.toContain(perihal);
  });

  it('shows another pemda’s pelaksana nothing of this pemda', async () => {
    const { cookie } = sessionFor(rt, PRINCIPALS.pelaksanaBlitar);
    const page = await web(rt, '/konsol/mutu-baku', { cookie });
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('SOP Penyusunan Naskah Kesepakatan Bersama');
    expect(page.text).not.toContain(caseId);
    const asked = await web(rt, `/konsol/mutu-baku.csv?sop=${SOP}`, { cookie });
    expect(asked.status).toBe(400);
    expect(asked.text).toContain('SOP yang dipilih tidak dikenal untuk pemda Anda');
    const pemohon = await web(rt, '/konsol/mutu-baku', {
      cookie: sessionFor(rt, { ...PRINCIPALS.pelaksanaKota, sub: 'u-pemohon', roles: ['pemohon'] }).cookie,
    });
    expect(pemohon.status).toBe(403);
  });

  it('refuses a period that ends before it starts, keeping what was typed', async () => {
    const { cookie } = sessionFor(rt, PRINCIPALS.pelaksanaKota);
    const page = await web(rt, '/konsol/mutu-baku?dari=2026-12-31&sampai=2026-01-01', { cookie });
    expect(page.status).toBe(400);
    expect(page.text).toContain('Tanggal awal periode tidak boleh sesudah tanggal akhir.');
    expect(page.text).toContain('value="2026-12-31"');
  });

  it('exports the figures as CSV with Indonesian headers and the measured minutes', async () => {
    const { cookie } = sessionFor(rt, PRINCIPALS.pelaksanaKota);
    // Raw bytes: the byte-order mark must be there (fetch's text() would drop it).
    const response = await fetch(`${rt.urls.web}/konsol/mutu-baku.csv`, { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = bytes
      .subarray(3)
      .toString('utf8')
      .trimEnd()
      .split('\r\n')
      .map((line) => line.split(';'));
    expect(header).toEqual([...CSV_HEADERS]);
    const col = (name: (typeof CSV_HEADERS)[number]) => header!.indexOf(name);

    const tasks = (await rt.app.store.listTasks({ caseId })).filter((t) => t.decision);
    expect(tasks.map((t) => t.node).sort()).toEqual(['L1', 'L2', 'L3']);
    const pemda = rt.app.catalog.pemda('kota-contoh');
    for (const t of tasks) {
      const row = rows.find((r) => r[col('Langkah')] === t.node && r[col('SOP')]!.includes('Kesepakatan Bersama'));
      expect(row, t.node).toBeDefined();
      const minutes = workingMinutesBetween(pemda.calendar, new Date(t.openedAt), new Date(t.decision!.at));
      expect(row![col('Jumlah Pelaksanaan')]).toBe('1');
      expect(row![col('Median (menit kerja)')]).toBe(String(minutes));
      expect(row![col('Mutu Baku Waktu')]).toBe('15 menit');
      expect(row![col('Mutu Baku Batas Atas (menit kerja)')]).toBe('15');
      // Decided within seconds: on time whatever the hour.
      expect(row![col('Persen Tepat Waktu')]).toBe('100');
    }
  });
});
