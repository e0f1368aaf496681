import { describe, expect, it } from 'vitest';
import type { Principal } from '../core/access/access.ts';
import { DEFAULT_WORKING_HOURS } from '../core/calendar/calendar-schema.ts';
import { computeDue, createWorkCalendar } from '../core/calendar/work-calendar.ts';
import { BUNDLED_CALENDAR_YEARS } from '../core/calendar/years.ts';
import {
  buildDashboard,
  filterQuery,
  parseDashboardFilter,
  type DashboardCase,
  type DashboardFilter,
} from '../core/case/dashboard.ts';
import type { CaseRecord, TaskPerson, TaskRecord } from '../core/case/model.ts';
import { loadSop, type Activity } from '../core/sop/load-sop.ts';

const calendar = createWorkCalendar(BUNDLED_CALENDAR_YEARS, DEFAULT_WORKING_HOURS);
/** An instant in WIB wall-clock time ("2026-11-23 08:00"; Monday 23 November 2026 is a working day). */
const wib = (text: string) => calendar.toInstant(text.slice(0, 10), text.slice(11));

const sop = loadSop(
  `
id: uji-dasbor
version: 1
pemda: kota-uji
source: { file: uji }
header: { unit: [PEMERINTAH KOTA UJI, BAGIAN KERJA SAMA], nama: SOP Uji Dasbor }
actors:
  - { id: staf, jabatan: Staf Bagian Kerja Sama, kind: internal }
  - { id: kabag, jabatan: Kepala Bagian Kerja Sama, kind: internal }
  - { id: mitra, jabatan: Pihak Mitra, kind: external, recordedBy: staf }
steps:
  - { id: L1, no: '1.', uraian: Menerima permohonan, actor: staf, waktu: 1 hari, output: Permohonan }
  - { id: L2, no: '2.', uraian: Menelaah usulan, actor: kabag, waktu: 2-3 hari, output: Telaahan }
  - { id: L3, no: '3.', uraian: Menunggu jawaban mitra, actor: mitra, output: Jawaban }
`,
  'uji-dasbor.yaml',
);

const STAF: TaskPerson = { id: 'staf-1', nama: 'Maya Sari', jabatan: 'Staf Bagian Kerja Sama', email: 'maya@uji.test' };
const KABAG: TaskPerson = {
  id: 'kabag-1',
  nama: 'Hendra Gunawan',
  jabatan: 'Kepala Bagian Kerja Sama',
  email: 'hendra@uji.test',
  sebagai: 'Plt',
};

const PELAKSANA: Principal = {
  sub: 'u1',
  email: 'maya@uji.test',
  nama: 'Maya Sari',
  roles: ['pelaksana'],
  pemdaId: 'kota-uji',
  unit: 'Bagian Kerja Sama',
  personId: 'staf-1',
};

function record(caseId: string, over: Partial<CaseRecord> = {}): CaseRecord {
  return {
    caseId,
    intakeId: caseId,
    sopId: 'uji-dasbor',
    sopVersion: 1,
    sopKey: 'uji-dasbor@1',
    pemdaId: 'kota-uji',
    perihal: `Kerja sama ${caseId}`,
    pemohon: { nama: 'Budi', email: 'budi@mitra.test', instansi: 'Dinas Pendidikan' },
    status: 'aktif',
    createdAt: wib('2026-11-23 08:00').toISOString(),
    data: {},
    files: [],
    cursor: null,
    visits: {},
    ...over,
  };
}

/** An open task at `node`, opened at a WIB time, due per the calendar. */
function openTask(caseId: string, seq: number, node: string, person: TaskPerson, opened: string): TaskRecord {
  const a = sop.node(node) as Activity;
  const due =
    a.actor.kind === 'external'
      ? { dueAt: null, overdueAt: null, provisional: false }
      : computeDue(calendar, wib(opened), a.waktu);
  return {
    taskId: `${caseId}-t${seq}`,
    caseId,
    seq,
    node,
    stepId: a.stepId,
    visit: 1,
    actorId: a.performer.id,
    person,
    openedAt: wib(opened).toISOString(),
    dueAt: due.dueAt?.toISOString() ?? null,
    overdueAt: due.overdueAt?.toISOString() ?? null,
    dueProvisional: due.provisional,
    state: 'open',
    linkVersion: 1,
    linkExpiresAt: wib('2026-12-31 00:00').toISOString(),
  };
}

function atStep(
  caseId: string,
  seq: number,
  node: string,
  person: TaskPerson,
  opened: string,
  over: Partial<CaseRecord> = {},
): DashboardCase {
  const task = openTask(caseId, seq, node, person, opened);
  return {
    record: record(caseId, {
      cursor: { node, stepId: task.stepId, seq, visit: 1, enteredAt: task.openedAt },
      createdAt: wib(opened).toISOString(),
      ...over,
    }),
    sop,
    tasks: [task],
    calendar,
  };
}

/** Four cases of Kota Uji and one of another pemda, looked at on Thursday 26 November 2026, 10:00 WIB. */
const NOW = wib('2026-11-26 10:00');
const CASES: DashboardCase[] = [
  // L1 (1 hari) opened Monday: overdue since Tuesday.
  atStep('kasus-a', 1, 'L1', STAF, '2026-11-23 09:00', { data: { 'nomor-naskah': '000.5.4/12/409.1.1/2026' } }),
  // L2 (2-3 hari) opened Wednesday: still running.
  atStep('kasus-b', 2, 'L2', KABAG, '2026-11-25 09:00', {
    pemohon: { nama: 'Sari', email: 's@x.test', instansi: 'Dinas Kesehatan' },
  }),
  // L3 waits on the partner: no due time.
  atStep('kasus-c', 3, 'L3', STAF, '2026-11-24 09:00'),
  {
    record: record('kasus-d', { status: 'selesai', closedAt: wib('2026-11-25 15:00').toISOString() }),
    sop,
    tasks: [],
    calendar,
  },
  // Another pemda running the same SOP: never on Kota Uji's dashboard.
  atStep('kasus-lain', 1, 'L1', STAF, '2026-11-23 09:00', { pemdaId: 'kota-lain' }),
];

const board = (filter: Partial<DashboardFilter> = {}, principal: Principal = PELAKSANA) =>
  buildDashboard({ principal, cases: CASES, filter: { urut: 'tenggat', ...filter }, now: NOW });

describe('the staff dashboard', () => {
  it("lists the cases of the principal's pemda and units only", () => {
    const d = board();
    expect(d.total).toBe(4);
    expect(d.rows.map((r) => r.caseId)).not.toContain('kasus-lain');
    const other = board({}, { ...PELAKSANA, unit: 'Bagian Hukum' });
    expect(other.total).toBe(0);
    const elsewhere = board({}, { ...PELAKSANA, pemdaId: 'kota-lain' });
    expect(elsewhere.rows.map((r) => r.caseId)).toEqual(['kasus-lain']);
  });

  it('shows a pejabat outside the unit only the cases where a task is theirs', () => {
    const pejabat: Principal = { ...PELAKSANA, roles: ['pejabat'], unit: 'Asisten Pemerintahan', personId: 'kabag-1' };
    expect(board({}, pejabat).rows.map((r) => r.caseId)).toEqual(['kasus-b']);
  });

  it('gives each open case its step, its holder (with Plt), its due time and its standing against the Mutu Baku', () => {
    const rows = Object.fromEntries(board().rows.map((r) => [r.caseId, r]));
    expect(rows['kasus-a']!.langkah).toEqual({ stepId: 'L1', no: '1.', label: 'Menerima permohonan' });
    expect(rows['kasus-a']!.mutuBaku).toBe('terlambat');
    expect(rows['kasus-a']!.terlambat).toBe(true);
    expect(rows['kasus-b']!.pemegang).toEqual([
      { id: 'kabag-1', nama: 'Hendra Gunawan', jabatan: 'Kepala Bagian Kerja Sama', sebagai: 'Plt', atasNama: null },
    ]);
    expect(rows['kasus-b']!.mutuBaku).toBe('berjalan');
    // The due and overdue times are the open task's (2 and 3 hari kerja on the pemda's calendar).
    const task = CASES[1]!.tasks[0]!;
    expect(rows['kasus-b']!.dueAt).toBe(task.dueAt);
    expect(rows['kasus-b']!.overdueAt).toBe(task.overdueAt);
    expect(Date.parse(task.overdueAt!)).toBeGreaterThan(Date.parse(task.dueAt!));
    expect(rows['kasus-c']!.mutuBaku).toBe('menunggu pihak luar');
    expect(rows['kasus-c']!.pemegang[0]!.atasNama).toBe('Pihak Mitra');
    expect(rows['kasus-c']!.dueAt).toBeNull();
    expect(rows['kasus-d']!).toMatchObject({ status: 'selesai', langkah: null, pemegang: [], mutuBaku: null });
  });

  it('counts the cases per status, per SOP and overdue', () => {
    const d = board({ status: 'selesai' });
    expect(d.counts.status.map((c) => [c.status, c.jumlah])).toEqual([
      ['aktif', 3],
      ['selesai', 1],
      ['ditolak', 0],
      ['dibatalkan', 0],
    ]);
    expect(d.counts.sop).toEqual([{ sopId: 'uji-dasbor', nama: 'SOP Uji Dasbor', jumlah: 4 }]);
    expect(d.counts.terlambat).toBe(1);
    // The counts are of every visible case; the rows only of the filter.
    expect(d.rows.map((r) => r.caseId)).toEqual(['kasus-d']);
  });

  it('filters by step, holder, overdue and text (perihal, instansi, case id, number)', () => {
    const ids = (f: Partial<DashboardFilter>) => board(f).rows.map((r) => r.caseId);
    expect(ids({ langkah: 'L2' })).toEqual(['kasus-b']);
    expect(ids({ pemegang: 'staf-1' }).sort()).toEqual(['kasus-a', 'kasus-c']);
    expect(ids({ terlambat: true })).toEqual(['kasus-a']);
    expect(ids({ q: 'dinas  KESEHATAN' })).toEqual(['kasus-b']);
    expect(ids({ q: '409.1.1' })).toEqual(['kasus-a']);
    expect(ids({ q: 'kasus-c' })).toEqual(['kasus-c']);
    expect(ids({ sop: 'sop-lain' })).toEqual([]);
  });

  it('sorts by due time, soonest or latest first, with cases that have none last (newest first)', () => {
    expect(board().rows.map((r) => r.caseId)).toEqual(['kasus-a', 'kasus-b', 'kasus-c', 'kasus-d']);
    expect(
      board({ urut: 'tenggat-turun' })
        .rows.map((r) => r.caseId)
        .slice(0, 2),
    ).toEqual(['kasus-b', 'kasus-a']);
  });

  it('offers the steps of a chosen SOP and the holders of open tasks in its filter form', () => {
    const d = board({ sop: 'uji-dasbor' });
    expect(d.options.steps.map((s) => s.id)).toEqual(['L1', 'L2', 'L3']);
    expect(d.options.steps[1]!.label).toBe('Langkah 2 — Menelaah usulan');
    expect(d.options.holders.map((h) => h.id)).toEqual(['kabag-1', 'staf-1']);
  });

  it('reads the filter from query parameters, dropping what is malformed, and writes it back as a link', () => {
    const f = parseDashboardFilter(
      new URLSearchParams(
        'status=aktif&sop=uji-dasbor&langkah=L2&pemegang=kabag-1&terlambat=1&q=%20kerja%20&urut=tenggat-turun',
      ),
    );
    expect(f).toEqual({
      status: 'aktif',
      sop: 'uji-dasbor',
      langkah: 'L2',
      pemegang: 'kabag-1',
      terlambat: true,
      q: 'kerja',
      urut: 'tenggat-turun',
    });
    expect(parseDashboardFilter(new URLSearchParams('status=hilang&sop=<x>&urut=acak'))).toEqual({ urut: 'tenggat' });
    expect(parseDashboardFilter(new URLSearchParams(filterQuery(f).slice(1)))).toEqual(f);
    expect(filterQuery({ urut: 'tenggat' })).toBe('');
  });
});
