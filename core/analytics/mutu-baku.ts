import type { WorkCalendar } from '../calendar/work-calendar.ts';
import { createWorkingTimeIndex, type WorkingTimeIndex } from '../calendar/working-time-index.ts';
import { dayNumber } from '../calendar/zone.ts';
import type { CaseRecord, TaskRecord } from '../case/model.ts';
import {
  mutuBakuOf,
  nomorUraian,
  stepOrNull,
  type MutuBaku,
  type TempatDiSop,
  type TimelineStatus,
} from '../case/timeline.ts';
import type { Activity, Sop } from '../sop/load-sop.ts';
import { isGate } from '../sop/schema.ts';

/**
 * Mutu Baku analytics: how long each step of an SOP takes in practice, against its Waktu, over the activations
 * completed in a period. Pure: the cases, their tasks, the SOPs and the pemda's calendar are passed in.
 *
 * Rules (the same as the case timeline, `core/case/timeline.ts`, whose row status this repeats for completed
 * activations; a test holds the two together):
 * - One activation = one task (a step, or one link of a step's chain). A loop or a return makes more activations
 *   of the same step: each counts (`repeats` says how many were a second or later visit).
 * - Time taken: working minutes on the pemda's calendar (its working hours, libur nasional, cuti bersama) from the
 *   task's opening to its decision.
 * - On time: decided no later than the task's overdue time (the upper bound of a Waktu range, computed when the
 *   task opened); a task without one is compared in working minutes with the Waktu's upper bound.
 * - A step without Waktu has no standard: it is counted and timed, never on time or late.
 * - A wait on an external party (its decision recorded by an official) is reported apart: the time is the party's,
 *   not held against the official (never on time or late, in no actor's figures). Its Waktu is the party's
 *   perkiraan: `pastEstimate` counts the answers recorded after its upper end, and `externalMinutes` is the time
 *   cases spent waiting on external parties.
 * - Open tasks are not counted (not completed); cancelled tasks (a closed case) neither.
 * - The period is by the decision's local date in the pemda's zone, both bounds included.
 *
 * Cost: linear in the tasks, plus one sort per step; the working time of each activation is O(1) through a
 * prefix-sum index of the calendar (`core/calendar/working-time-index.ts`).
 */

/** What the store holds of one case that analytics needs. */
export interface CaseFacts {
  record: CaseRecord;
  tasks: readonly TaskRecord[];
}

export interface MutuBakuFilter {
  pemdaId: string;
  /** First local date of the period ('YYYY-MM-DD'), included. */
  from: string;
  /** Last local date of the period ('YYYY-MM-DD'), included. */
  to: string;
  /** Only this SOP (its id, every version). */
  sopId?: string;
}

export interface MutuBakuInput {
  cases: Iterable<CaseFacts>;
  filter: MutuBakuFilter;
  /** The pemda's working-day calendar. */
  calendar: WorkCalendar;
  /** The SOP version a case pinned; a version that cannot be found leaves its case out. */
  sop(sopKey: string): Sop | undefined;
  /** A prefix-sum index of the same calendar, to reuse across calls (made here when absent). */
  index?: WorkingTimeIndex;
}

/** The figures of one step (or chain link) of an SOP, by the actor who performs it. */
export interface StepFigures extends TempatDiSop {
  actorId: string;
  jabatan: string;
  /** A wait on an external party (not held against the official). */
  external: boolean;
  /** Completed activations in the period (every visit counts). */
  n: number;
  /** Distinct cases among them. */
  cases: number;
  /** Activations that were a second or later visit (loops, returns). */
  repeats: number;
  medianMinutes: number;
  p90Minutes: number;
  meanMinutes: number;
  maxMinutes: number;
  /** The step's Waktu (of the newest SOP version seen); null without one, and for an external party. */
  standard: MutuBaku | null;
  /** For an external party: its Waktu as the perkiraan of its answer; null otherwise, or without one. */
  perkiraan: MutuBaku | null;
  /** For an external party: answers recorded after the upper end of the perkiraan (the party's delay, nobody's fault). */
  pastEstimate: number;
  /** Working minutes of all its activations. */
  totalMinutes: number;
  /** Activations judged against a standard: onTime + late. */
  measured: number;
  onTime: number;
  late: number;
  /** onTime / measured, 0..1; null when nothing was measured. */
  shareOnTime: number | null;
}

/** One actor (swimlane) over every step it performs in the SOP; external parties are not included. */
export interface ActorFigures {
  actorId: string;
  jabatan: string;
  n: number;
  measured: number;
  onTime: number;
  late: number;
  shareOnTime: number | null;
  totalMinutes: number;
}

export interface SopFigures {
  sopId: string;
  nama: string;
  /** The officials' steps, in SOP order. */
  steps: StepFigures[];
  /** Waits on external parties, in SOP order. */
  external: StepFigures[];
  actors: ActorFigures[];
  totals: {
    activations: number;
    cases: number;
    measured: number;
    onTime: number;
    late: number;
    shareOnTime: number | null;
    externalActivations: number;
    /** Working minutes the cases waited on external parties (apart from the officials' work). */
    externalMinutes: number;
  };
}

export interface MutuBakuReport {
  filter: MutuBakuFilter;
  /** Working minutes of a standard day on the pemda's calendar (to express minutes as hari). */
  minutesPerDay: number;
  sops: SopFigures[];
  /** Completed activations counted (the officials' and the external waits). */
  activations: number;
}

/** One completed activation, judged as the timeline judges it. */
export interface CompletedActivation {
  caseId: string;
  sopId: string;
  seq: number;
  node: string;
  stepId: string;
  actorId: string;
  visit: number;
  external: boolean;
  openedMs: number;
  doneMs: number;
  usedMinutes: number;
  mutuBaku: MutuBaku | null;
  status: Extract<TimelineStatus, 'tepat waktu' | 'terlambat' | 'tanpa Mutu Baku' | 'jawaban pihak luar'>;
}

/**
 * The q-quantile (0..1) of an ascending sample by linear interpolation between the closest ranks (Excel's
 * PERCENTILE.INC, R's type 7): a pemda's analyst gets the same figure from the CSV. NaN for an empty sample.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (!n) return Number.NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  return lo + 1 < n ? a + (h - lo) * (sorted[lo + 1]! - a) : a;
}

/** Median, 90th percentile, mean and maximum of a sample (PERCENTILE.INC); NaN for an empty one. */
export function describe(values: readonly number[]): { median: number; p90: number; mean: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of values) sum += v;
  return {
    median: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    mean: values.length ? sum / values.length : Number.NaN,
    max: values.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/** What is fixed per activity of an SOP version: looked up once, not per activation. */
interface ActivityInfo extends TempatDiSop {
  activity: Activity | null;
  actorId: string;
  jabatan: string;
  external: boolean;
  mutuBaku: MutuBaku | null;
  /** An external party's Waktu, its perkiraan (never a standard for an official). */
  perkiraan: MutuBaku | null;
  order: number;
  sopVersion: number;
}

function activityInfo(sop: Sop, node: string, perDay: number, fallback: TaskRecord): ActivityInfo {
  let activity: Activity | null = null;
  let order = Number.MAX_SAFE_INTEGER;
  try {
    const found = sop.node(node);
    if (found.type === 'activity') {
      activity = found;
      order = sop.nodes.indexOf(found);
    }
  } catch {
    activity = null;
  }
  const stepId = activity?.stepId ?? fallback.stepId;
  const step = stepOrNull(sop, stepId);
  const external = activity?.actor.kind === 'external';
  const waktu = activity?.waktu ?? null;
  const chainLength = step && !isGate(step) ? step.chain?.length : undefined;
  return {
    activity,
    node,
    stepId,
    actorId: activity?.actor.id ?? fallback.actorId,
    jabatan: activity?.actor.jabatan ?? fallback.person.jabatan,
    external,
    mutuBaku: waktu && !external ? mutuBakuOf(waktu, perDay) : null,
    perkiraan: waktu && external ? mutuBakuOf(waktu, perDay) : null,
    ...nomorUraian(node, activity, step),
    link: activity && activity.linkIndex !== null ? `${activity.linkIndex + 1}/${chainLength ?? '?'}` : null,
    order,
    sopVersion: sop.definition.version,
  };
}

/** Per SOP version: node → its info (the SOP objects are shared, so this is computed once per run). */
type InfoCache = Map<Sop, Map<string, ActivityInfo>>;

function infoOf(cache: InfoCache, sop: Sop, task: TaskRecord, perDay: number): ActivityInfo {
  let byNode = cache.get(sop);
  if (!byNode) cache.set(sop, (byNode = new Map()));
  let info = byNode.get(task.node);
  if (!info) byNode.set(task.node, (info = activityInfo(sop, task.node, perDay, task)));
  return info;
}

function judge(
  info: ActivityInfo,
  task: TaskRecord,
  doneMs: number,
  usedMinutes: number,
): CompletedActivation['status'] {
  if (info.external) return 'jawaban pihak luar';
  const mutuBaku = info.mutuBaku;
  if (!mutuBaku) return 'tanpa Mutu Baku';
  if (task.overdueAt) return doneMs > Date.parse(task.overdueAt) ? 'terlambat' : 'tepat waktu';
  if (mutuBaku.maxMenit != null) return usedMinutes > mutuBaku.maxMenit ? 'terlambat' : 'tepat waktu';
  return 'tanpa Mutu Baku';
}

/**
 * The completed activations of one case (decided tasks), in activation order, judged against the Mutu Baku as the
 * case timeline judges its rows.
 */
export function completedActivations(
  facts: CaseFacts,
  sop: Sop,
  index: WorkingTimeIndex,
  cache: InfoCache = new Map(),
): CompletedActivation[] {
  const out: CompletedActivation[] = [];
  const perDay = index.calendar.minutesPerDay;
  for (const task of facts.tasks) {
    if (!task.decision || task.caseId !== facts.record.caseId) continue;
    const info = infoOf(cache, sop, task, perDay);
    const openedMs = Date.parse(task.openedAt);
    const doneMs = Date.parse(task.decision.at);
    const usedMinutes = index.minutesBetween(openedMs, doneMs);
    out.push({
      caseId: task.caseId,
      sopId: sop.definition.id,
      seq: task.seq,
      node: info.node,
      stepId: info.stepId,
      actorId: info.actorId,
      visit: task.visit,
      external: info.external,
      openedMs,
      doneMs,
      usedMinutes,
      mutuBaku: info.mutuBaku,
      status: judge(info, task, doneMs, usedMinutes),
    });
  }
  return out.sort((a, b) => a.seq - b.seq);
}

interface Group {
  info: ActivityInfo;
  owner: SopGroups;
  durations: number[];
  sum: number;
  cases: number;
  lastCase: string;
  repeats: number;
  onTime: number;
  late: number;
  pastEstimate: number;
}

interface SopGroups {
  sopId: string;
  nama: string;
  version: number;
  groups: Map<string, Group>;
  cases: number;
  lastCase: string;
}

const share = (onTime: number, measured: number) => (measured ? onTime / measured : null);

/** The Mutu Baku figures of a pemda's SOPs over the activations completed in the period. */
export function computeMutuBaku(input: MutuBakuInput): MutuBakuReport {
  const { filter, calendar } = input;
  const index = input.index ?? createWorkingTimeIndex(calendar);
  if (index.calendar !== calendar) throw new RangeError('Indeks waktu kerja dibuat untuk kalender lain');
  const fromDay = dayNumber(filter.from);
  const toDay = dayNumber(filter.to);
  const perDay = calendar.minutesPerDay;
  const cache: InfoCache = new Map();
  const bySop = new Map<string, SopGroups>();
  /** Activity info → its group: the group key (SOP id and node) is built once per activity, not per activation. */
  const groupOf = new Map<ActivityInfo, Group>();
  let activations = 0;

  for (const { record, tasks } of input.cases) {
    if (record.pemdaId !== filter.pemdaId) continue;
    if (filter.sopId !== undefined && record.sopId !== filter.sopId) continue;
    const sop = input.sop(record.sopKey);
    if (!sop) continue;
    for (const task of tasks) {
      const decision = task.decision;
      if (!decision || task.caseId !== record.caseId) continue;
      const doneMs = Date.parse(decision.at);
      const day = index.localDay(doneMs);
      if (day < fromDay || day > toDay) continue;
      const info = infoOf(cache, sop, task, perDay);
      let group = groupOf.get(info);
      if (!group) {
        let sopGroups = bySop.get(sop.definition.id);
        if (!sopGroups) {
          sopGroups = {
            sopId: sop.definition.id,
            nama: sop.definition.header.nama,
            version: 0,
            groups: new Map(),
            cases: 0,
            lastCase: '',
          };
          bySop.set(sop.definition.id, sopGroups);
        }
        if (sop.definition.version > sopGroups.version) {
          sopGroups.version = sop.definition.version;
          sopGroups.nama = sop.definition.header.nama;
        }
        group = sopGroups.groups.get(info.node);
        if (!group) {
          group = {
            info,
            owner: sopGroups,
            durations: [],
            sum: 0,
            cases: 0,
            lastCase: '',
            repeats: 0,
            onTime: 0,
            late: 0,
            pastEstimate: 0,
          };
          sopGroups.groups.set(info.node, group);
        } else if (info.sopVersion > group.info.sopVersion) group.info = info;
        groupOf.set(info, group);
      }
      if (group.owner.lastCase !== record.caseId) {
        group.owner.cases++;
        group.owner.lastCase = record.caseId;
      }
      const used = index.minutesBetween(Date.parse(task.openedAt), doneMs);
      group.durations.push(used);
      group.sum += used;
      // Cases are read one at a time, so a change of case is a new distinct case (of the step, and of the SOP).
      if (group.lastCase !== record.caseId) {
        group.cases++;
        group.lastCase = record.caseId;
      }
      if (task.visit > 1) group.repeats++;
      const status = judge(info, task, doneMs, used);
      if (status === 'tepat waktu') group.onTime++;
      else if (status === 'terlambat') group.late++;
      if (info.external && task.overdueAt && doneMs > Date.parse(task.overdueAt)) group.pastEstimate++;
      activations++;
    }
  }

  const sops: SopFigures[] = [];
  for (const sopGroups of bySop.values()) {
    const rows: StepFigures[] = [];
    const actors = new Map<string, ActorFigures>();
    for (const group of sopGroups.groups.values()) {
      const { info } = group;
      const stats = describe(group.durations);
      const measured = group.onTime + group.late;
      rows.push({
        node: info.node,
        stepId: info.stepId,
        no: info.no,
        uraian: info.uraian,
        label: info.label,
        link: info.link,
        actorId: info.actorId,
        jabatan: info.jabatan,
        external: info.external,
        n: group.durations.length,
        cases: group.cases,
        repeats: group.repeats,
        medianMinutes: stats.median,
        p90Minutes: stats.p90,
        meanMinutes: stats.mean,
        maxMinutes: stats.max,
        standard: info.mutuBaku,
        perkiraan: info.perkiraan,
        pastEstimate: group.pastEstimate,
        totalMinutes: group.sum,
        measured,
        onTime: group.onTime,
        late: group.late,
        shareOnTime: share(group.onTime, measured),
      });
      if (!info.external) {
        let actor = actors.get(info.actorId);
        if (!actor)
          actors.set(
            info.actorId,
            (actor = {
              actorId: info.actorId,
              jabatan: info.jabatan,
              n: 0,
              measured: 0,
              onTime: 0,
              late: 0,
              shareOnTime: null,
              totalMinutes: 0,
            }),
          );
        actor.n += group.durations.length;
        actor.measured += measured;
        actor.onTime += group.onTime;
        actor.late += group.late;
        actor.totalMinutes += group.sum;
      }
    }
    for (const actor of actors.values()) actor.shareOnTime = share(actor.onTime, actor.measured);
    const orderOf = new Map([...sopGroups.groups.values()].map((g) => [g.info.node, g.info.order]));
    rows.sort((a, b) => orderOf.get(a.node)! - orderOf.get(b.node)! || a.node.localeCompare(b.node));
    const steps = rows.filter((r) => !r.external);
    const external = rows.filter((r) => r.external);
    const measured = steps.reduce((s, r) => s + r.measured, 0);
    const onTime = steps.reduce((s, r) => s + r.onTime, 0);
    sops.push({
      sopId: sopGroups.sopId,
      nama: sopGroups.nama,
      steps,
      external,
      actors: [...actors.values()].sort((a, b) => a.jabatan.localeCompare(b.jabatan, 'id')),
      totals: {
        activations: steps.reduce((s, r) => s + r.n, 0),
        cases: sopGroups.cases,
        measured,
        onTime,
        late: steps.reduce((s, r) => s + r.late, 0),
        shareOnTime: share(onTime, measured),
        externalActivations: external.reduce((s, r) => s + r.n, 0),
        externalMinutes: external.reduce((s, r) => s + r.totalMinutes, 0),
      },
    });
  }
  sops.sort((a, b) => a.nama.localeCompare(b.nama, 'id'));
  return { filter, minutesPerDay: perDay, sops, activations };
}

/** The observed median working minutes per SOP and node of a report (`${sopId}#${node}`), for the forecast. */
export function observedMedians(report: MutuBakuReport): Map<string, number> {
  const medians = new Map<string, number>();
  for (const sop of report.sops)
    for (const row of [...sop.steps, ...sop.external]) medians.set(`${sop.sopId}#${row.node}`, row.medianMinutes);
  return medians;
}
