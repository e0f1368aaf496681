import { waktuDalamMenit, workingMinutesBetween, type WorkCalendar } from '../calendar/work-calendar.ts';
import type { TimeZone } from '../calendar/calendar-schema.ts';
import { formatDurasi } from '../format/tanggal.ts';
import { waktuOfStep, type Activity, type FlowNode, type Sop } from '../sop/load-sop.ts';
import { isGate, isTerminal, type Terminal } from '../sop/schema.ts';
import { countsEachLink } from '../sop/step-waktu.ts';
import { formatTotalWaktu, type Waktu } from '../sop/waktu.ts';
import type { CaseRecord, CaseStatus, Cursor, HistoryEvent, TaskRecord } from './model.ts';

/**
 * The timeline of a case against the SOP's Mutu Baku: one row per activation (task) in order, the working time
 * each took, and the totals. Pure: every input, the clock included, is passed in.
 *
 * Status of a row:
 * - tepat waktu: decided no later than the task's overdue time (the upper bound of a Waktu range);
 * - terlambat: decided after it, or still open past it;
 * - berjalan: open, not (yet) overdue;
 * - menunggu pihak luar: open on an external party (its Waktu gives a "perkiraan selesai", never a lateness: the
 *   time is the party's, the pemda only records its answer);
 * - jawaban pihak luar: decided, by an external party (never judged late or on time);
 * - tanpa Mutu Baku: decided, on a step with no Waktu;
 * - dibatalkan: the task was cancelled when the case was closed.
 */

export type TimelineStatus =
  | 'tepat waktu'
  | 'terlambat'
  | 'berjalan'
  | 'menunggu pihak luar'
  | 'jawaban pihak luar'
  | 'tanpa Mutu Baku'
  | 'dibatalkan';

export interface MutuBaku {
  /** The Waktu as written in the SOP ("3-5 Hari"). */
  raw: string;
  /** In working minutes (waktuDalamMenit); null for hari kalender, which is not working time. */
  minMenit: number | null;
  maxMenit: number | null;
}

/** Where an activity stands in its SOP, as the timeline and the Mutu Baku figures print it. */
export interface TempatDiSop {
  node: string;
  stepId: string;
  /** The number as printed in the SOP ("13."). */
  no: string;
  /** The step's uraian. */
  uraian: string;
  /** What the person was asked to do: the chain link's action, or the uraian. */
  label: string;
  /** For a link of a chain: its position, "2/3"; null for a single-actor step. */
  link: string | null;
}

/** The step of an SOP version by its id; null where the version has none. */
export function stepOrNull(sop: Sop, stepId: string): ReturnType<Sop['step']> | null {
  try {
    return sop.step(stepId);
  } catch {
    return null;
  }
}

/** The printed number, the uraian and the label of an activity (a gate or an unknown step: its label, or its node). */
export const nomorUraian = (
  node: string,
  activity: Activity | null | undefined,
  step: ReturnType<Sop['step']> | null,
) => ({
  no: step && !isGate(step) ? step.no : '',
  uraian: step && !isGate(step) ? step.uraian : (activity?.label ?? node),
  label: activity?.label ?? node,
});

/** A step's Waktu as its Mutu Baku: as written, and in working minutes. */
export function mutuBakuOf(waktu: Waktu, minutesPerDay: number): MutuBaku {
  const inMinutes = waktuDalamMenit(waktu, minutesPerDay);
  return { raw: waktu.raw, minMenit: inMinutes?.min ?? null, maxMenit: inMinutes?.max ?? null };
}

export interface TimelineRow extends TempatDiSop {
  seq: number;
  /** The jabatan of the person who holds the task. */
  jabatan: string;
  /** The external party in whose name the act was recorded, if any. */
  atasNama: string | null;
  /** "Nama" or "Nama (Plt)"; null when the activation has no task yet. */
  person: string | null;
  visit: number;
  openedAt: string;
  dueAt: string | null;
  overdueAt: string | null;
  dueProvisional: boolean;
  /**
   * The due times are a "perkiraan selesai": the expected answer of an external party from its Waktu, not an
   * official's deadline (set on the task when it opened).
   */
  dueEstimate: boolean;
  /** When the decision was taken. */
  doneAt: string | null;
  decision: { choice: string; label: string } | null;
  note: string | null;
  /** Working minutes between opening and decision (or now, while open). */
  usedMinutes: number;
  used: string;
  /** The step's Waktu; null when the step has none. For an external party's act: its expected time (perkiraan). */
  mutuBaku: MutuBaku | null;
  status: TimelineStatus;
}

export interface TimelineTotals {
  /** Working minutes from the case's creation to its close (or now). */
  usedMinutes: number;
  used: string;
  /** Calendar time from the case's creation to its close (or now), in milliseconds. */
  elapsedMs: number;
  /** Of which the case waited on external parties (working minutes of their open tasks). */
  externalMinutes: number;
  external: string;
  /** Sum of the Mutu Baku of every step pass the case went through (a loop counts each pass). */
  standard: {
    passes: number;
    /** Each unit apart, ranges as ranges: "21 hari kerja, 45 hari kalender, 135 menit" (core/sop/waktu.ts). */
    waktu: string;
    /** In working minutes (lower and upper bound of the ranges); hari kalender are left out. */
    minMenit: number;
    maxMenit: number;
    menit: string;
    /** Passes whose Waktu is in calendar days (not comparable in working minutes). */
    hariKalender: number;
  };
  /** The SOP's stated total ("21 hari, 135 menit"), when it states one. */
  sopTotalWaktu: string | null;
  /** The sum of the SOP's own steps, each counted once (a chain whose links state their Waktu: each link). */
  sopSumWaktu: string;
  /** Rows of officials judged late (an external party's never counts). */
  late: number;
  rowsWithMutuBaku: number;
}

export interface Timeline {
  caseId: string;
  sopKey: string;
  sopNama: string;
  perihal: string;
  pemdaId: string;
  timeZone: TimeZone;
  minutesPerDay: number;
  createdAt: string;
  closedAt: string | null;
  status: CaseStatus;
  outcome: Terminal | null;
  /** The instant the timeline was computed at (open rows count up to it). */
  now: string;
  rows: TimelineRow[];
  totals: TimelineTotals;
}

export interface TimelineInput {
  record: CaseRecord;
  tasks: readonly TaskRecord[];
  history: readonly HistoryEvent[];
  sop: Sop;
  calendar: WorkCalendar;
  timeZone: TimeZone;
  now: Date;
}

const activityOf = (sop: Sop, node: string): Activity | null => {
  let found: FlowNode;
  try {
    found = sop.node(node);
  } catch {
    return null;
  }
  return found.type === 'activity' ? found : null;
};

export function buildTimeline(input: TimelineInput): Timeline {
  const { record, sop, calendar, now } = input;
  const perDay = calendar.minutesPerDay;
  const history = input.history.filter((e) => e.caseId === record.caseId);
  const ended = history.find((e) => e.type === 'kasus-berakhir');
  const outcomeOf = (e: HistoryEvent | undefined): Terminal | null => {
    const o = e?.detail?.['outcome'];
    return typeof o === 'string' && isTerminal(o) ? o : null;
  };
  const outcome = record.outcome ?? outcomeOf(ended);
  const closedAt = record.closedAt ?? ended?.at ?? null;
  // Time stops counting when the case is closed.
  const end = closedAt ? new Date(closedAt) : now;

  const decidedEvents = new Map<number, HistoryEvent>();
  for (const e of history) if (e.type === 'tugas-diputuskan' && e.seq !== undefined) decidedEvents.set(e.seq, e);

  const tasks = [...input.tasks].filter((t) => t.caseId === record.caseId).sort((a, b) => a.seq - b.seq);
  const taskSeqs = new Set(tasks.map((t) => t.seq));
  // An activation entered but whose task is not open yet (or a step with no task) still shows.
  const entered = history.filter(
    (e) => e.type === 'langkah-dimulai' && e.seq !== undefined && e.node && !taskSeqs.has(e.seq),
  );

  const rows: TimelineRow[] = [];
  const passes: (Waktu | null)[] = [];
  for (const item of [
    ...tasks.map((task) => ({ task, seq: task.seq })),
    ...entered.map((event) => ({ event, seq: event.seq! })),
  ].sort((a, b) => a.seq - b.seq)) {
    const task = 'task' in item ? item.task : undefined;
    const event = 'event' in item ? item.event : undefined;
    const node = task?.node ?? event!.node!;
    const activity = activityOf(sop, node);
    const stepId = task?.stepId ?? event?.stepId ?? activity?.stepId ?? node;
    const step = stepOrNull(sop, stepId);
    const waktu = activity?.waktu ?? null;
    // A step pass begins at its entry node: the step itself, or the first link of its chain; a chain whose links
    // state their own Waktu counts each link (three 1-day paraf links are 3 days).
    const perLink = !!step && countsEachLink(step);
    if (!activity || activity.linkIndex === null || activity.linkIndex === 0 || perLink) passes.push(waktu);

    const decidedEvent = decidedEvents.get(item.seq);
    const decision = task?.decision;
    const choice = decision?.choice ?? decidedEvent?.choice ?? null;
    const doneAt = decision?.at ?? decidedEvent?.at ?? null;
    const atasNamaDetail = decidedEvent?.detail?.['atasNama'];
    const external = activity?.actor.kind === 'external';
    const atasNama = typeof atasNamaDetail === 'string' ? atasNamaDetail : external ? activity.actor.jabatan : null;

    const openedAt = task?.openedAt ?? event!.at;
    const cancelled = task?.state === 'cancelled' && !doneAt;
    // An open (or cancelled) task counts up to now, or to the close of the case.
    const until = doneAt ? new Date(doneAt) : end;
    const usedMinutes = workingMinutesBetween(calendar, new Date(openedAt), until);
    const mutuBaku = waktu ? mutuBakuOf(waktu, perDay) : null;
    const overdueAt = task?.overdueAt ?? null;

    let status: TimelineStatus;
    if (cancelled) status = 'dibatalkan';
    else if (!doneAt) {
      if (atasNama) status = 'menunggu pihak luar';
      else if (overdueAt) status = end.getTime() > Date.parse(overdueAt) ? 'terlambat' : 'berjalan';
      else if (mutuBaku?.maxMenit != null) status = usedMinutes > mutuBaku.maxMenit ? 'terlambat' : 'berjalan';
      else status = 'berjalan';
    } else if (atasNama) status = 'jawaban pihak luar';
    else if (!mutuBaku) status = 'tanpa Mutu Baku';
    else if (overdueAt) status = Date.parse(doneAt) > Date.parse(overdueAt) ? 'terlambat' : 'tepat waktu';
    else if (mutuBaku.maxMenit != null) status = usedMinutes > mutuBaku.maxMenit ? 'terlambat' : 'tepat waktu';
    else status = 'tanpa Mutu Baku';

    const person = task ? `${task.person.nama}${task.person.sebagai ? ` (${task.person.sebagai})` : ''}` : null;
    const note = decision?.note ?? decidedEvent?.note ?? null;
    rows.push({
      seq: item.seq,
      node,
      stepId,
      ...nomorUraian(node, activity, step),
      link:
        activity && activity.linkIndex !== null && step && !isGate(step)
          ? `${activity.linkIndex + 1}/${step.chain?.length ?? '?'}`
          : null,
      jabatan: task?.person.jabatan ?? activity?.performer.jabatan ?? '',
      atasNama,
      person,
      visit: task?.visit ?? event?.visit ?? 1,
      openedAt,
      dueAt: task?.dueAt ?? null,
      overdueAt,
      dueProvisional: task?.dueProvisional ?? false,
      dueEstimate: task?.dueEstimate ?? (external || !!atasNama),
      doneAt,
      decision: choice ? { choice, label: activity?.choices.find((c) => c.value === choice)?.label ?? choice } : null,
      note,
      usedMinutes,
      used: formatDurasi(usedMinutes, perDay),
      mutuBaku,
      status,
    });
  }

  const usedMinutes = workingMinutesBetween(calendar, new Date(record.createdAt), end);
  const externalMinutes = rows.filter((r) => r.atasNama).reduce((sum, r) => sum + r.usedMinutes, 0);
  let minMenit = 0;
  let maxMenit = 0;
  let hariKalender = 0;
  for (const w of passes) {
    if (!w) continue;
    const m = waktuDalamMenit(w, perDay);
    if (m) {
      minMenit += m.min;
      maxMenit += m.max;
    } else hariKalender++;
  }
  const sopSteps = sop.definition.steps.flatMap(waktuOfStep);

  return {
    caseId: record.caseId,
    sopKey: record.sopKey,
    sopNama: sop.definition.header.nama,
    perihal: record.perihal,
    pemdaId: record.pemdaId,
    timeZone: input.timeZone,
    minutesPerDay: perDay,
    createdAt: record.createdAt,
    closedAt,
    status: record.status,
    outcome,
    now: now.toISOString(),
    rows,
    totals: {
      usedMinutes,
      used: formatDurasi(usedMinutes, perDay),
      elapsedMs: Math.max(0, end.getTime() - Date.parse(record.createdAt)),
      externalMinutes,
      external: formatDurasi(externalMinutes, perDay),
      standard: {
        passes: passes.length,
        waktu: formatTotalWaktu(passes),
        minMenit,
        maxMenit,
        menit: formatDurasi(minMenit, perDay),
        hariKalender,
      },
      sopTotalWaktu: sop.definition.totalWaktu ?? null,
      sopSumWaktu: formatTotalWaktu(sopSteps),
      late: rows.filter((r) => r.status === 'terlambat').length,
      rowsWithMutuBaku: rows.filter((r) => r.mutuBaku && !r.atasNama).length,
    },
  };
}

/** The part of a case record that is a projection of its tasks and history. */
export interface CaseSummary {
  status: CaseStatus;
  cursor: Cursor | null;
  visits: Record<string, number>;
  outcome?: Terminal;
  closedAt?: string;
}

/**
 * Recomputes the case summary from the facts: the status from the 'kasus-berakhir' event, the cursor from the
 * latest activation ('langkah-dimulai', or a task of a later activation), the visits per node from the
 * activations. Equal to the stored summary when the projection is sound.
 */
export function rebuildCaseSummary(
  record: Pick<CaseRecord, 'caseId'>,
  tasks: readonly TaskRecord[],
  history: readonly HistoryEvent[],
): CaseSummary {
  const events = history.filter((e) => e.caseId === record.caseId);
  const visits: Record<string, number> = {};
  let cursor: Cursor | null = null;
  for (const e of events) {
    if (e.type !== 'langkah-dimulai' || e.seq === undefined || !e.node) continue;
    const visit = e.visit ?? 1;
    visits[e.node] = Math.max(visits[e.node] ?? 0, visit);
    if (!cursor || e.seq > cursor.seq)
      cursor = { node: e.node, stepId: e.stepId ?? e.node, seq: e.seq, visit, enteredAt: e.at };
  }
  for (const t of tasks) {
    if (t.caseId !== record.caseId) continue;
    visits[t.node] = Math.max(visits[t.node] ?? 0, t.visit);
    if (!cursor || t.seq > cursor.seq)
      cursor = { node: t.node, stepId: t.stepId, seq: t.seq, visit: t.visit, enteredAt: t.openedAt };
  }
  const ended = events.find((e) => e.type === 'kasus-berakhir');
  const outcome = ended?.detail?.['outcome'];
  if (ended && typeof outcome === 'string' && isTerminal(outcome))
    return { status: outcome, cursor, visits, outcome, closedAt: ended.at };
  return { status: 'aktif', cursor, visits };
}

/** Kept for callers elsewhere: dates and times are written by core/format/tanggal.ts. */
export { formatWaktuSingkat } from '../format/tanggal.ts';
