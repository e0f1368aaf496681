import { describe, expect, it } from 'vitest';
import { computeMutuBaku } from '../core/analytics/mutu-baku.ts';
import { forecastCompletion } from '../core/analytics/forecast.ts';
import { DEFAULT_WORKING_HOURS } from '../core/calendar/calendar-schema.ts';
import { computeDue, createWorkCalendar } from '../core/calendar/work-calendar.ts';
import { BUNDLED_CALENDAR_YEARS } from '../core/calendar/years.ts';
import type { CaseRecord, TaskPerson, TaskRecord } from '../core/case/model.ts';
import { DEFAULT_PENGINGAT, planReminders } from '../core/case/reminders.ts';
import { buildTimeline } from '../core/case/timeline.ts';
import { loadSop, waktuOfStep, type Activity } from '../core/sop/load-sop.ts';
import { formatTotalWaktu, parseWaktu, totalWaktu, type Waktu } from '../core/sop/waktu.ts';

/**
 * Issue 15 item 5: a wait on an external party keeps its Mutu Baku as a perkiraan selesai (in each unit of Waktu),
 * reminds the official who records the answer at it, feeds the forecast, and never makes an official late; totals
 * keep hari kerja, hari kalender and menit apart, ranges as ranges.
 */

const calendar = createWorkCalendar(BUNDLED_CALENDAR_YEARS, DEFAULT_WORKING_HOURS);
const wib = (text: string) => calendar.toInstant(text.slice(0, 10), text.slice(11));
const iso = (text: string) => wib(text).toISOString();
const asWib = (d: Date | string | null) => {
  if (!d) return null;
  const l = calendar.toLocal(new Date(d));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${l.date} ${p(l.hour)}:${p(l.minute)}`;
};

const sop = loadSop(
  `
id: uji-pihak-luar
version: 1
pemda: kota-uji
source: { file: uji }
header: { unit: [PEMERINTAH KOTA UJI], nama: SOP Uji Pihak Luar }
actors:
  - { id: kabag, jabatan: Kepala Bagian Kerja Sama, kind: internal }
  - { id: asisten, jabatan: Asisten Pemerintahan, kind: internal }
  - { id: sekda, jabatan: Sekretaris Daerah, kind: internal }
  - { id: tkksd, jabatan: TKKSD, kind: external, recordedBy: kabag }
  - { id: dprd, jabatan: DPRD, kind: external, recordedBy: kabag }
  - { id: kementerian, jabatan: Kementerian Dalam Negeri, kind: external, recordedBy: kabag }
  - { id: mitra, jabatan: Pihak Mitra, kind: external, recordedBy: kabag }
steps:
  - { id: L1, no: '1', uraian: Telaah TKKSD, actor: tkksd, waktu: 3 hari kerja, output: Telaahan }
  - { id: L2, no: '2', uraian: Persetujuan DPRD, actor: dprd, waktu: 45 hari kalender, output: Persetujuan }
  - { id: L3, no: '3', uraian: Konfirmasi mitra, actor: mitra, waktu: 90 menit, output: Konfirmasi }
  - { id: L4, no: '4', uraian: Fasilitasi kementerian, actor: kementerian, waktu: 3-5 Hari, output: Fasilitasi }
  - id: L5
    no: '5'
    uraian: Memaraf naskah
    actor: kabag
    output: Naskah berparaf
    chain:
      - { actor: kabag, action: Memaraf, kind: paraf, waktu: 1 hari }
      - { actor: asisten, action: Memaraf, kind: paraf, waktu: 1 hari }
      - { actor: sekda, action: Memaraf, kind: paraf, waktu: 1 hari }
  - { id: L6, no: '6', uraian: Mengarsipkan, actor: kabag, waktu: 15 menit, output: Arsip }
`,
  'uji-pihak-luar.yaml',
);

const KABAG: TaskPerson = { id: 'kabag', nama: 'Hendra', jabatan: 'Kepala Bagian Kerja Sama', email: 'k@uji.test' };
const activity = (node: string) => sop.node(node) as Activity;

/** A task as the runtime opens it (case-runtime.ts newTask with the catalog's `due`: computeDue). */
function task(seq: number, node: string, opened: string, decidedAt?: string): TaskRecord {
  const a = activity(node);
  const due = computeDue(calendar, wib(opened), a.waktu);
  return {
    taskId: `t${seq}`,
    caseId: 'c1',
    seq,
    node,
    stepId: a.stepId,
    visit: 1,
    actorId: a.actor.id,
    person: KABAG,
    openedAt: iso(opened),
    dueAt: due.dueAt?.toISOString() ?? null,
    overdueAt: due.overdueAt?.toISOString() ?? null,
    dueProvisional: due.provisional,
    ...(a.actor.kind === 'external' && due.dueAt ? { dueEstimate: true } : {}),
    state: decidedAt ? 'reported' : 'open',
    linkVersion: 1,
    linkExpiresAt: iso('2027-12-31 00:00'),
    ...(decidedAt
      ? {
          decision: {
            choice: 'lanjut',
            values: {},
            files: [],
            at: iso(decidedAt),
            by: KABAG,
            submissionId: `s${seq}`,
          },
        }
      : {}),
  };
}

const record = (cursorNode: string, seq: number, enteredAt: string): CaseRecord => ({
  caseId: 'c1',
  intakeId: 'c1',
  sopId: 'uji-pihak-luar',
  sopVersion: 1,
  sopKey: 'uji-pihak-luar@1',
  pemdaId: 'kota-uji',
  perihal: 'Kerja sama uji',
  pemohon: { nama: 'Pemohon', email: 'p@uji.test', instansi: 'Mitra' },
  status: 'aktif',
  createdAt: iso('2026-10-26 08:00'),
  data: {},
  files: [],
  cursor: { node: cursorNode, stepId: activity(cursorNode).stepId, seq, visit: 1, enteredAt: iso(enteredAt) },
  visits: {},
});

describe('the perkiraan selesai of a wait on an external party', () => {
  it('counts hari kerja past a weekend, cuti bersama and a libur nasional', () => {
    // Rabu 23 Desember 2026; Kamis 24 is cuti bersama, Jumat 25 Natal, then the weekend: day 1 is Senin 28.
    const t = task(1, 'L1', '2026-12-23 10:00');
    expect([asWib(t.dueAt), asWib(t.overdueAt), t.dueEstimate]).toEqual(['2026-12-30 16:00', '2026-12-30 16:00', true]);
  });

  it('counts hari kalender as days of the calendar, weekends and holidays included', () => {
    // Senin 26 Oktober + 45 days = Kamis 10 Desember, a working day: at its closing.
    const t = task(2, 'L2', '2026-10-26 09:00');
    expect([asWib(t.dueAt), t.dueEstimate]).toEqual(['2026-12-10 16:00', true]);
  });

  it('counts menit in working hours only, across the closing of the day', () => {
    // Senin 15.00: 60 minutes to the closing, 30 more from Selasa 07.30.
    const t = task(3, 'L3', '2026-11-23 15:00');
    expect([asWib(t.dueAt), t.dueEstimate]).toEqual(['2026-11-24 08:00', true]);
  });

  it('expects a range at its lower end and bounds it by its upper end', () => {
    // Senin 23 November 09.00, "3-5 Hari": expected Kamis 26, at the latest Senin 30 November.
    const t = task(4, 'L4', '2026-11-23 09:00');
    expect([asWib(t.dueAt), asWib(t.overdueAt), t.dueEstimate]).toEqual(['2026-11-26 16:00', '2026-11-30 16:00', true]);
  });

  it('reminds the recording official at the perkiraan and at its upper end, never an atasan', () => {
    const plan = planReminders({
      task: task(4, 'L4', '2026-11-23 09:00'),
      waitsOnExternal: true,
      cadence: DEFAULT_PENGINGAT,
      calendar,
    });
    // At a closing, the official hears of it at the next opening.
    expect(plan.map((p) => [p.key, asWib(p.at)])).toEqual([
      ['pengingat.t4.menunggu-pihak-luar.1', '2026-11-27 07:30'],
      ['pengingat.t4.menunggu-pihak-luar.2', '2026-12-01 07:30'],
    ]);
  });

  it('ends the current step of the forecast at its perkiraan, not flagged as an official late', () => {
    const open = task(2, 'L2', '2026-10-26 09:00');
    const forecast = forecastCompletion({
      record: record('L2', 2, '2026-10-26 09:00'),
      tasks: [open],
      sop,
      calendar,
      now: wib('2026-12-14 09:00'),
    })!;
    // Past its perkiraan: the case moves on from now, and nobody is late for the DPRD.
    expect(forecast.current).toMatchObject({ dueAt: open.dueAt, overdue: false });
    expect(asWib(forecast.steps[1]!.standardAt)).toBe('2026-12-14 10:30'); // L3: 90 menit after now
  });
});

describe('an external wait in the timeline and the analytics', () => {
  // The DPRD answers a week after its 45 hari kalender; the Kabag's own step is on time.
  const tasks = [
    task(1, 'L2', '2026-10-26 09:00', '2026-12-17 10:00'),
    task(2, 'L6', '2026-12-17 10:00', '2026-12-17 10:10'),
  ];

  it('shows the wait as the party’s, never late', () => {
    const timeline = buildTimeline({
      record: record('L6', 2, '2026-12-17 10:00'),
      tasks,
      history: [],
      sop,
      calendar,
      timeZone: 'WIB',
      now: wib('2026-12-17 11:00'),
    });
    expect(timeline.rows[0]).toMatchObject({
      atasNama: 'DPRD',
      dueEstimate: true,
      status: 'jawaban pihak luar',
      mutuBaku: { raw: '45 hari kalender', minMenit: null, maxMenit: null },
    });
    expect(timeline.totals.late).toBe(0);
    expect(timeline.totals.standard.waktu).toBe('45 hari kalender, 15 menit');
  });

  it('does not blame the recording official for the DPRD, and reports the waiting apart', () => {
    const report = computeMutuBaku({
      cases: [{ record: { ...record('L6', 2, '2026-12-17 10:00'), status: 'selesai' }, tasks }],
      filter: { pemdaId: 'kota-uji', from: '2026-01-01', to: '2026-12-31' },
      calendar,
      sop: () => sop,
    });
    const figures = report.sops[0]!;
    expect(figures.totals).toMatchObject({ late: 0, measured: 1, onTime: 1, externalActivations: 1 });
    expect(figures.totals.externalMinutes).toBeGreaterThan(30 * 450);
    expect(figures.external[0]).toMatchObject({
      node: 'L2',
      late: 0,
      measured: 0,
      pastEstimate: 1,
      standard: null,
      perkiraan: { raw: '45 hari kalender' },
    });
    // The Kabag's figures hold only the Kabag's own step.
    expect(figures.actors).toEqual([expect.objectContaining({ actorId: 'kabag', n: 1, late: 0, onTime: 1 })]);
  });
});

describe('totals of Waktu', () => {
  const w = (raw: string) => parseWaktu(raw) as Waktu;

  it('keeps hari kerja, hari kalender and menit apart (a jam is 60 menit)', () => {
    const items = [w('21 hari'), w('45 hari kalender'), w('2 jam'), w('15 menit'), null];
    expect(totalWaktu(items)).toEqual({
      hariKerja: { min: 21, max: 21 },
      hariKalender: { min: 45, max: 45 },
      menit: { min: 135, max: 135 },
    });
    expect(formatTotalWaktu(items)).toBe('21 hari kerja, 45 hari kalender, 135 menit');
  });

  it('writes ranges as ranges, and only the units used', () => {
    expect(formatTotalWaktu([w('3 Hari'), w('3-5 Hari'), w('3-5 Hari'), w('6 hari kerja')])).toBe('15–19 hari kerja');
    expect(formatTotalWaktu([w('14 hari kalender'), w('30 hari kalender')])).toBe('44 hari kalender');
    expect(formatTotalWaktu([null])).toBe('');
  });

  it('counts a paraf chain of three 1-day links as 3 days, and a step’s own Waktu once', () => {
    const steps = sop.definition.steps;
    expect(formatTotalWaktu(steps.flatMap(waktuOfStep))).toBe('9–11 hari kerja, 45 hari kalender, 105 menit');
    expect(formatTotalWaktu(waktuOfStep(steps.find((s) => s.id === 'L5')!))).toBe('3 hari kerja');
    // 3 (TKKSD) + 3-5 (kementerian) + 3 (the chain) hari kerja. Each link's task is due by its own Waktu.
    expect(activity('L5.2').waktu?.raw).toBe('1 hari');
  });
});
