import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKING_HOURS } from '../core/calendar/calendar-schema.ts';
import { computeDue, createWorkCalendar } from '../core/calendar/work-calendar.ts';
import { BUNDLED_CALENDAR_YEARS } from '../core/calendar/years.ts';
import type { CaseRecord, Decision, HistoryEvent, TaskPerson, TaskRecord } from '../core/case/model.ts';
import { buildTimeline, rebuildCaseSummary, type TimelineInput } from '../core/case/timeline.ts';
import { loadSop, type Activity } from '../core/sop/load-sop.ts';

const calendar = createWorkCalendar(BUNDLED_CALENDAR_YEARS, DEFAULT_WORKING_HOURS);
/** An instant given in WIB wall-clock time ("2026-11-23 08:00"; Monday 23 November 2026 is a working day). */
const wib = (text: string) => calendar.toInstant(text.slice(0, 10), text.slice(11));
const iso = (text: string) => wib(text).toISOString();

const sop = loadSop(
  `
id: uji-linimasa
version: 1
pemda: kota-uji
source: { file: uji }
header: { unit: [PEMERINTAH KOTA UJI], nama: SOP Uji Linimasa }
totalWaktu: 1 hari, 45 menit
actors:
  - { id: kasubbag, jabatan: Kepala Subbagian Kerja Sama, kind: internal }
  - { id: kabag, jabatan: Kepala Bagian Kerja Sama, kind: internal }
  - { id: mitra, jabatan: Pihak Mitra, kind: external, recordedBy: kasubbag }
steps:
  - id: L1
    no: '1.'
    uraian: Menerima permohonan
    actor: kasubbag
    waktu: 15 menit
    output: Permohonan
  - id: L2
    no: '2.'
    uraian: Memaraf draf naskah
    actor: kabag
    waktu: 1 hari
    output: Draf berparaf
    chain:
      - { actor: kabag, action: Memaraf draf, kind: paraf }
      - { actor: mitra, action: Mencatat paraf mitra, kind: paraf }
  - id: L3
    no: '3.'
    uraian: Memutuskan
    actor: kabag
    waktu: 30 menit
    output: Keputusan
    choices:
      - { value: ya, label: 'Ya: lanjutkan', next: L4, kind: ya }
      - { value: tidak, label: 'Tidak: kembalikan ke langkah 1', next: L1, kind: kembalikan, noteRequired: true }
  - id: L4
    no: '4.'
    uraian: Mengarsipkan
    actor: kasubbag
    output: Arsip
`,
  'uji-linimasa.yaml',
);

const KASUBBAG: TaskPerson = {
  id: 'kasubbag',
  nama: 'Maya Sari',
  jabatan: 'Kepala Subbagian Kerja Sama',
  email: 'maya@uji.test',
};
const KABAG: TaskPerson = {
  id: 'kabag',
  nama: 'Hendra Gunawan',
  jabatan: 'Kepala Bagian Kerja Sama',
  email: 'hendra@uji.test',
  sebagai: 'Plt',
};
const CASE_ID = '20261123-uji';

const activity = (node: string) => sop.node(node) as Activity;

/** A task as the runtime opens it (due per the calendar), decided when `decided` is given. */
function task(
  seq: number,
  node: string,
  visit: number,
  person: TaskPerson,
  opened: string,
  decided?: { at: string; choice: string; note?: string },
): TaskRecord {
  const a = activity(node);
  // As the runtime opens it: an external party's wait is due by its Waktu too, as a perkiraan.
  const due = computeDue(calendar, wib(opened), a.waktu);
  const decision: Decision | undefined = decided && {
    choice: decided.choice,
    ...(decided.note ? { note: decided.note } : {}),
    values: {},
    files: [],
    at: iso(decided.at),
    by: person,
    submissionId: `s${seq}`,
  };
  return {
    taskId: `t${seq}`,
    caseId: CASE_ID,
    seq,
    node,
    stepId: a.stepId,
    visit,
    actorId: a.actor.id,
    person,
    openedAt: iso(opened),
    dueAt: due.dueAt?.toISOString() ?? null,
    ...(a.actor.kind === 'external' && due.dueAt ? { dueEstimate: true } : {}),
    overdueAt: due.overdueAt?.toISOString() ?? null,
    dueProvisional: due.provisional,
    state: decision ? 'reported' : 'open',
    linkVersion: 1,
    linkExpiresAt: iso('2026-12-31 00:00'),
    ...(decision ? { decision } : {}),
  };
}

/** The facts the runtime writes for a task: its activation, its opening and its decision. */
function eventsOf(t: TaskRecord): HistoryEvent[] {
  const base = { caseId: t.caseId, node: t.node, stepId: t.stepId, seq: t.seq, visit: t.visit };
  const pad = String(t.seq).padStart(5, '0');
  const events: HistoryEvent[] = [
    { ...base, eventKey: `${pad}#masuk`, type: 'langkah-dimulai', at: t.openedAt },
    { ...base, eventKey: `${pad}#tugas-dibuka`, type: 'tugas-dibuka', at: t.openedAt },
  ];
  const a = activity(t.node);
  if (t.decision)
    events.push({
      ...base,
      eventKey: `${pad}#diputuskan`,
      type: 'tugas-diputuskan',
      at: t.decision.at,
      who: { id: t.person.id, nama: t.person.nama, jabatan: t.person.jabatan },
      choice: t.decision.choice,
      ...(t.decision.note ? { note: t.decision.note } : {}),
      files: [],
      detail: { values: {}, ...(a.actor.kind === 'external' ? { atasNama: a.actor.jabatan } : {}) },
    });
  return events;
}

function record(overrides: Partial<CaseRecord> = {}): CaseRecord {
  return {
    caseId: CASE_ID,
    intakeId: CASE_ID,
    sopId: 'uji-linimasa',
    sopVersion: 1,
    sopKey: 'uji-linimasa@1',
    pemdaId: 'kota-uji',
    perihal: 'Kesepakatan Bersama uji',
    pemohon: { nama: 'Pemohon', email: 'pemohon@uji.test', instansi: 'Kabupaten Mitra' },
    status: 'aktif',
    createdAt: iso('2026-11-23 08:00'),
    data: {},
    files: [],
    cursor: null,
    visits: {},
    ...overrides,
  };
}

/**
 * Monday 08.00 the case starts; L1 is done in 10 minutes; L2.1 (1 hari) is decided Tuesday after closing, late;
 * the mitra's paraf (L2.2) is recorded Wednesday 09.00; L3 sends the case back at 09.20; L1 is open again at 10.00.
 */
const TASKS: TaskRecord[] = [
  task(1, 'L1', 1, KASUBBAG, '2026-11-23 08:00', { at: '2026-11-23 08:10', choice: 'lanjut' }),
  task(2, 'L2.1', 1, KABAG, '2026-11-23 08:10', { at: '2026-11-24 17:00', choice: 'lanjut' }),
  task(3, 'L2.2', 1, KASUBBAG, '2026-11-24 17:00', { at: '2026-11-25 09:00', choice: 'lanjut' }),
  task(4, 'L3', 1, KABAG, '2026-11-25 09:00', {
    at: '2026-11-25 09:20',
    choice: 'tidak',
    note: 'Lampiran belum lengkap',
  }),
  task(5, 'L1', 2, KASUBBAG, '2026-11-25 09:20'),
];

function input(overrides: Partial<TimelineInput> = {}): TimelineInput {
  // Shuffled on purpose: the timeline orders by activation.
  const tasks = [TASKS[3]!, TASKS[0]!, TASKS[4]!, TASKS[2]!, TASKS[1]!];
  return {
    record: record(),
    tasks,
    history: TASKS.flatMap(eventsOf),
    sop,
    calendar,
    timeZone: 'WIB',
    now: wib('2026-11-25 10:00'),
    ...overrides,
  };
}

describe('buildTimeline', () => {
  it('lists one row per activation in order, with the step, the person and the visit', () => {
    // Arrange, act
    const timeline = buildTimeline(input());

    // Assert
    expect(timeline.rows.map((r) => [r.seq, r.node, r.stepId, r.no, r.visit])).toEqual([
      [1, 'L1', 'L1', '1.', 1],
      [2, 'L2.1', 'L2', '2.', 1],
      [3, 'L2.2', 'L2', '2.', 1],
      [4, 'L3', 'L3', '3.', 1],
      [5, 'L1', 'L1', '1.', 2],
    ]);
    const [, l21, l22] = timeline.rows;
    expect(l21).toMatchObject({
      uraian: 'Memaraf draf naskah',
      label: 'Memaraf draf',
      link: '1/2',
      person: 'Hendra Gunawan (Plt)',
      jabatan: 'Kepala Bagian Kerja Sama',
      atasNama: null,
    });
    expect(l22).toMatchObject({
      label: 'Mencatat paraf mitra',
      link: '2/2',
      person: 'Maya Sari',
      jabatan: 'Kepala Subbagian Kerja Sama',
      atasNama: 'Pihak Mitra',
    });
  });

  it('measures working time against the Mutu Baku and tells on time from late', () => {
    // Arrange, act
    const rows = buildTimeline(input()).rows;

    // Assert
    const [l1, l21, l22, l3, l1again] = rows;
    expect(l1).toMatchObject({
      usedMinutes: 10,
      used: '10 menit',
      status: 'tepat waktu',
      dueAt: iso('2026-11-23 08:15'),
    });
    expect(l1!.mutuBaku).toEqual({ raw: '15 menit', minMenit: 15, maxMenit: 15 });
    // Monday 08.10-16.00 less the istirahat (410) and all of Tuesday (450): decided after Tuesday's closing.
    expect(l21).toMatchObject({
      usedMinutes: 860,
      used: '1 hari 6 jam 50 menit',
      status: 'terlambat',
      dueAt: iso('2026-11-24 16:00'),
    });
    expect(l21!.mutuBaku).toEqual({ raw: '1 hari', minMenit: 450, maxMenit: 450 });
    // An external party's act keeps its Waktu as a perkiraan, and is never judged late or on time.
    expect(l22).toMatchObject({
      usedMinutes: 90,
      dueEstimate: true,
      mutuBaku: { raw: '1 hari', minMenit: 450, maxMenit: 450 },
      status: 'jawaban pihak luar',
    });
    expect(l22!.dueAt).not.toBeNull();
    expect(l3).toMatchObject({ usedMinutes: 20, status: 'tepat waktu', doneAt: iso('2026-11-25 09:20') });
    // Open past its due time: counted up to now.
    expect(l1again).toMatchObject({ usedMinutes: 40, status: 'terlambat', doneAt: null, decision: null });
  });

  it('shows the label of each decision from the SOP, and its note', () => {
    // Arrange, act
    const rows = buildTimeline(input()).rows;

    // Assert
    expect(rows[0]!.decision).toEqual({ choice: 'lanjut', label: 'Selesai, lanjutkan' });
    expect(rows[1]!.decision).toEqual({ choice: 'lanjut', label: 'Setuju, teruskan' });
    expect(rows[3]!.decision).toEqual({ choice: 'tidak', label: 'Tidak: kembalikan ke langkah 1' });
    expect(rows[3]!.note).toBe('Lampiran belum lengkap');
  });

  it('marks open tasks as berjalan before their due time and as waiting on an external party', () => {
    // Arrange
    const tasks = TASKS.slice(0, 3).map((t) =>
      t.seq === 3 ? { ...t, state: 'open' as const, decision: undefined } : t,
    );
    const history = tasks.flatMap(eventsOf);

    // Act
    const atParty = buildTimeline(input({ tasks, history })).rows[2]!;
    const fresh = buildTimeline(input({ now: wib('2026-11-25 09:30') })).rows[4]!;

    // Assert
    expect(atParty).toMatchObject({ status: 'menunggu pihak luar', usedMinutes: 150, doneAt: null });
    expect(fresh).toMatchObject({ status: 'berjalan', usedMinutes: 10 });
  });

  it('totals the working time used and the Mutu Baku of every step pass, next to the SOP total', () => {
    // Arrange, act
    const { totals, outcome, status } = buildTimeline(input());

    // Assert
    // Monday 08.00-16.00 (420), Tuesday (450), Wednesday 07.30-10.00 (150).
    expect(totals.usedMinutes).toBe(1020);
    expect(totals.used).toBe('2 hari 2 jam');
    expect(totals.externalMinutes).toBe(90);
    // Passes: L1, L2 (once for its chain), L3, L1 again.
    expect(totals.standard).toEqual({
      passes: 4,
      waktu: '1 hari kerja, 60 menit',
      minMenit: 510,
      maxMenit: 510,
      menit: '1 hari 1 jam',
      hariKalender: 0,
    });
    expect(totals.sopTotalWaktu).toBe('1 hari, 45 menit');
    expect(totals.sopSumWaktu).toBe('1 hari kerja, 45 menit');
    expect(totals.late).toBe(2);
    expect(totals.rowsWithMutuBaku).toBe(4);
    expect([status, outcome]).toEqual(['aktif', null]);
  });

  it('stops counting at the close of the case and reports the outcome', () => {
    // Arrange
    const tasks = [
      ...TASKS.slice(0, 4),
      task(5, 'L1', 2, KASUBBAG, '2026-11-25 09:20', { at: '2026-11-25 09:30', choice: 'lanjut' }),
      task(6, 'L2.1', 2, KABAG, '2026-11-25 09:30', { at: '2026-11-25 10:00', choice: 'lanjut' }),
      task(7, 'L2.2', 2, KASUBBAG, '2026-11-25 10:00', { at: '2026-11-25 10:30', choice: 'lanjut' }),
      task(8, 'L3', 2, KABAG, '2026-11-25 10:30', { at: '2026-11-25 10:45', choice: 'ya' }),
      task(9, 'L4', 1, KASUBBAG, '2026-11-25 10:45', { at: '2026-11-25 11:00', choice: 'lanjut' }),
    ];
    const ended: HistoryEvent = {
      caseId: CASE_ID,
      eventKey: 'akhir',
      type: 'kasus-berakhir',
      at: iso('2026-11-25 11:00'),
      detail: { outcome: 'selesai' },
    };
    const closed = record({ status: 'selesai', outcome: 'selesai', closedAt: iso('2026-11-25 11:00') });

    // Act
    const timeline = buildTimeline(
      input({ record: closed, tasks, history: [...tasks.flatMap(eventsOf), ended], now: wib('2026-12-01 10:00') }),
    );

    // Assert
    expect(timeline.outcome).toBe('selesai');
    expect(timeline.closedAt).toBe(iso('2026-11-25 11:00'));
    expect(timeline.totals.usedMinutes).toBe(420 + 450 + 210);
    expect(timeline.rows.at(-1)).toMatchObject({
      node: 'L4',
      mutuBaku: null,
      status: 'tanpa Mutu Baku',
      decision: { choice: 'lanjut', label: 'Selesai, lanjutkan' },
    });
    expect(timeline.rows.at(-2)).toMatchObject({
      node: 'L3',
      decision: { choice: 'ya', label: 'Ya: lanjutkan' },
      status: 'tepat waktu',
    });
    expect(timeline.totals.standard.waktu).toBe('2 hari kerja, 90 menit');
  });

  it('shows an activation whose task is not open yet, and a cancelled task', () => {
    // Arrange
    const cancelled = { ...TASKS[4]!, state: 'cancelled' as const };
    const entered: HistoryEvent = {
      caseId: CASE_ID,
      eventKey: '00006#masuk',
      type: 'langkah-dimulai',
      at: iso('2026-11-25 09:40'),
      node: 'L2.1',
      stepId: 'L2',
      seq: 6,
      visit: 2,
    };

    // Act
    const rows = buildTimeline(
      input({ tasks: [...TASKS.slice(0, 4), cancelled], history: [...TASKS.flatMap(eventsOf), entered] }),
    ).rows;

    // Assert
    expect(rows[4]!.status).toBe('dibatalkan');
    expect(rows[5]).toMatchObject({
      seq: 6,
      node: 'L2.1',
      person: null,
      visit: 2,
      status: 'berjalan',
      openedAt: iso('2026-11-25 09:40'),
      usedMinutes: 20,
    });
  });
});

describe('rebuildCaseSummary', () => {
  it('rebuilds the cursor and the visits of an active case from its activations', () => {
    // Arrange
    const history = TASKS.flatMap(eventsOf);
    const stored = record({
      cursor: { node: 'L1', stepId: 'L1', seq: 5, visit: 2, enteredAt: iso('2026-11-25 09:20') },
      visits: { L1: 2, 'L2.1': 1, 'L2.2': 1, L3: 1 },
    });

    // Act
    const summary = rebuildCaseSummary(stored, TASKS, history);

    // Assert
    expect(summary).toEqual({ status: stored.status, cursor: stored.cursor, visits: stored.visits });
  });

  it('takes the status and outcome from the kasus-berakhir event', () => {
    // Arrange
    const ended: HistoryEvent = {
      caseId: CASE_ID,
      eventKey: 'akhir',
      type: 'kasus-berakhir',
      at: iso('2026-11-25 09:25'),
      detail: { outcome: 'ditolak' },
    };

    // Act
    const summary = rebuildCaseSummary(record(), TASKS, [...TASKS.flatMap(eventsOf), ended]);

    // Assert
    expect(summary).toMatchObject({ status: 'ditolak', outcome: 'ditolak', closedAt: iso('2026-11-25 09:25') });
  });

  it('ignores facts of other cases and starts empty', () => {
    // Arrange
    const foreign = TASKS.flatMap(eventsOf).map((e) => ({ ...e, caseId: 'lain' }));

    // Act
    const summary = rebuildCaseSummary(record(), [], foreign);

    // Assert
    expect(summary).toEqual({ status: 'aktif', cursor: null, visits: {} });
  });
});
