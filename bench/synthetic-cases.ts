/**
 * Synthetic completed cases for the analytics bench and tests, generated deterministically in memory from the
 * seed SOPs: each case walks its SOP from the first step to the end along the forward choices, sometimes taking a
 * return or a repeat (at most twice a case), each activation with a realistic working time on its pemda's
 * calendar: about a sixth of the officials' steps late, steps without Waktu from half an hour to three days, waits
 * on external parties from one to ten working days. Tasks look as the runtime writes them (due and overdue times
 * from the calendar when they opened, the decision with its time and choice).
 */
import { computeDue, waktuDalamMenit, type WorkCalendar } from '../core/calendar/work-calendar.ts';
import { createWorkingTimeIndex, type WorkingTimeIndex } from '../core/calendar/working-time-index.ts';
import type { CaseFacts } from '../core/analytics/mutu-baku.ts';
import { forwardTarget } from '../core/analytics/forecast.ts';
import type { CaseRecord, TaskPerson, TaskRecord } from '../core/case/model.ts';
import type { Activity, Sop } from '../core/sop/load-sop.ts';
import { isTerminal } from '../core/sop/schema.ts';
import type { Waktu } from '../core/sop/waktu.ts';

export interface SyntheticOptions {
  cases: number;
  /** The SOPs to spread the cases over (round robin), each with its pemda's calendar. */
  sops: { sop: Sop; calendar: WorkCalendar }[];
  seed?: number;
  /** First local date a case may start on (default 2026-01-05); cases start over about nine months. */
  startFrom?: string;
}

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;

export function syntheticCases(options: SyntheticOptions): CaseFacts[] {
  const random = prng(options.seed ?? 20261123);
  const normal = () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const indexes = new Map<WorkCalendar, WorkingTimeIndex>();
  const indexOf = (calendar: WorkCalendar) => {
    let index = indexes.get(calendar);
    if (!index) indexes.set(calendar, (index = createWorkingTimeIndex(calendar)));
    return index;
  };
  // Due times in days depend only on the local date of opening: computed once per date and Waktu.
  const dueCache = new Map<string, { dueAt: string | null; overdueAt: string | null; provisional: boolean }>();
  const dueOf = (calendar: WorkCalendar, index: WorkingTimeIndex, openedMs: number, waktu: Waktu | null) => {
    if (!waktu) return { dueAt: null, overdueAt: null, provisional: false };
    if (waktu.unit === 'menit' || waktu.unit === 'jam') {
      const factor = waktu.unit === 'jam' ? 60 : 1;
      const due = index.addMinutes(openedMs, waktu.min * factor);
      const overdue = index.addMinutes(openedMs, waktu.max * factor);
      return { dueAt: new Date(due).toISOString(), overdueAt: new Date(overdue).toISOString(), provisional: false };
    }
    const key = `${calendar.timeZone}|${index.localDay(openedMs)}|${waktu.raw}`;
    let found = dueCache.get(key);
    if (!found) {
      const due = computeDue(calendar, new Date(openedMs), waktu);
      found = {
        dueAt: due.dueAt?.toISOString() ?? null,
        overdueAt: due.overdueAt?.toISOString() ?? null,
        provisional: due.provisional,
      };
      dueCache.set(key, found);
    }
    return found;
  };

  const startDay = Date.parse(`${options.startFrom ?? '2026-01-05'}T00:00:00Z`) / DAY_MS;
  const out: CaseFacts[] = [];
  for (let i = 0; i < options.cases; i++) {
    const { sop, calendar } = options.sops[i % options.sops.length]!;
    const index = indexOf(calendar);
    const perDay = calendar.minutesPerDay;
    const caseId = `sintetis-${String(i).padStart(6, '0')}`;
    // A start at a random moment of a random day; outside working hours the first task simply waits for the opening.
    let t = (startDay + Math.floor(random() * 270)) * DAY_MS + Math.floor(random() * DAY_MS);
    const createdAt = new Date(t).toISOString();
    const tasks: TaskRecord[] = [];
    const visits: Record<string, number> = {};
    let loops = 0;
    let node: string | null = sop.start;
    let seq = 0;
    let last: TaskRecord | undefined;
    while (node && !isTerminal(node)) {
      const flow = sop.node(node);
      if (flow.type === 'gate') {
        node = flow.then;
        continue;
      }
      const activity: Activity = flow;
      seq++;
      visits[node] = (visits[node] ?? 0) + 1;
      const external = activity.actor.kind === 'external';
      const standard = activity.waktu ? waktuDalamMenit(activity.waktu, perDay) : null;
      const upper = standard?.max ?? (activity.waktu ? activity.waktu.max * perDay : null);
      let minutes: number;
      if (external) minutes = perDay * (1 + Math.floor(random() * 10));
      else if (upper !== null) minutes = Math.max(1, Math.round(upper * Math.exp(Math.log(0.55) + 0.6 * normal())));
      else minutes = 30 + Math.floor(random() * 3 * perDay);
      const decidedMs = index.addMinutes(t, minutes) + Math.floor(random() * 60_000);
      const due = external
        ? { dueAt: null, overdueAt: null, provisional: false }
        : dueOf(calendar, index, t, activity.waktu);
      const backward = activity.choices.find((c) => c.kind === 'kembalikan' || c.kind === 'ulangi');
      const takeBack = backward && loops < 2 && random() < 0.08;
      const forward = forwardTarget(activity);
      const choice = takeBack ? backward : (activity.choices.find((c) => c.target === forward) ?? activity.choices[0]!);
      if (takeBack) loops++;
      const person: TaskPerson = {
        id: `${activity.performer.id}-1`,
        nama: activity.performer.jabatan,
        jabatan: activity.performer.jabatan,
        email: `${activity.performer.id}@contoh.test`,
      };
      const openedAt = new Date(t).toISOString();
      const at = new Date(decidedMs).toISOString();
      last = {
        taskId: `${caseId}-${seq}`,
        caseId,
        seq,
        node: activity.id,
        stepId: activity.stepId,
        visit: visits[node]!,
        actorId: activity.actor.id,
        person,
        openedAt,
        dueAt: due.dueAt,
        overdueAt: due.overdueAt,
        dueProvisional: due.provisional,
        state: 'reported',
        linkVersion: 1,
        linkExpiresAt: new Date(t + 14 * DAY_MS).toISOString(),
        decision: {
          choice: choice.value,
          ...(choice.noteRequired ? { note: 'Mohon diperbaiki.' } : {}),
          values: {},
          files: [],
          at,
          by: person,
          submissionId: `${caseId}-${seq}`,
        },
        reportedAt: at,
      };
      tasks.push(last);
      // The system's own work between two steps: a second or two.
      t = decidedMs + 1000 + Math.floor(random() * 1000);
      node = choice.target;
    }
    const outcome = node && isTerminal(node) ? node : 'selesai';
    const record: CaseRecord = {
      caseId,
      intakeId: caseId,
      sopId: sop.definition.id,
      sopVersion: sop.definition.version,
      sopKey: sop.key,
      pemdaId: sop.definition.pemda,
      perihal: `Kerja sama sintetis ${i}`,
      pemohon: { nama: 'Pemohon Sintetis', email: 'pemohon@contoh.test', instansi: 'Pemerintah Kabupaten Mitra' },
      status: outcome,
      createdAt,
      data: {},
      files: [],
      cursor: last
        ? { node: last.node, stepId: last.stepId, seq: last.seq, visit: last.visit, enteredAt: last.openedAt }
        : null,
      visits,
      closedAt: new Date(t).toISOString(),
      outcome,
    };
    out.push({ record, tasks });
  }
  return out;
}
