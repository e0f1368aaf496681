import { addWorkingMinutes, computeDue, type WorkCalendar } from '../calendar/work-calendar.ts';
import type { CaseRecord, TaskRecord } from '../case/model.ts';
import type { Activity, FlowNode, Sop } from '../sop/load-sop.ts';
import { isTerminal, type Terminal } from '../sop/schema.ts';
import { activityLabel } from '../sop/step-label.ts';

/**
 * When will an open case be done? Two answers, both on the pemda's working-day calendar:
 * - **Mutu Baku**: the current step ends at its due time (or now, when that has passed), then each remaining step
 *   along the SOP's main path takes its Waktu (due at the lower bound of a range, as the task's due time is);
 * - **realistic**: the same path, each step taking the median its step has taken in this pemda (when there is
 *   history; its Waktu otherwise).
 *
 * The main path is the expected one: at each step the forward choice (lanjut / ya), never a return, a repeat or a
 * rejection; at a gate, the branch the case data decides (the `then` branch while the field is not known yet). A
 * step without Waktu and without history takes no time (counted in `untimed`: the date is then a lower bound).
 * A wait on an external party takes its Waktu too: it is part of when the case ends, though not held against the
 * officials. Pure: the clock and the medians are passed in.
 */

export interface ForecastInput {
  record: CaseRecord;
  tasks: readonly TaskRecord[];
  /** The SOP version the case pinned. */
  sop: Sop;
  calendar: WorkCalendar;
  now: Date;
  /** The observed median working minutes of a node of this SOP, when there is history. */
  observed?: (node: string) => number | undefined;
}

export type ForecastBasis = 'median' | 'mutu-baku' | 'tanpa-waktu';

export interface ForecastStep {
  node: string;
  stepId: string;
  label: string;
  jabatan: string;
  external: boolean;
  /** The Waktu as written; null without one. */
  waktu: string | null;
  /** When the step ends by the Mutu Baku (ISO). */
  standardAt: string;
  /** When the step ends by the observed median (ISO). */
  realisticAt: string;
  realisticBasis: ForecastBasis;
}

export interface Forecast {
  caseId: string;
  sopKey: string;
  /** The step the case is at now (the first of `steps`). */
  /** `label`: "Langkah 5 — …" (core/sop/step-label.ts). */
  current: { node: string; label: string; openedAt: string | null; dueAt: string | null; overdue: boolean };
  /** Completion by the Mutu Baku (ISO). */
  standardAt: string;
  /** Completion by the observed medians (ISO). */
  realisticAt: string;
  /** How the main path ends (selesai, unless the SOP's forward path ends otherwise). */
  endsAs: Terminal | null;
  /** A due time lay in a year without holiday data (only weekends applied). */
  provisional: boolean;
  /** The current step, then the remaining ones along the main path. */
  steps: ForecastStep[];
  /** Steps counted as taking no time (no Waktu, no history). */
  untimed: number;
  /** Steps whose realistic time came from history. */
  observedSteps: number;
}

const BACKWARD = new Set(['kembalikan', 'ulangi', 'tolak', 'batal']);

/** The forward choice of an activity: lanjut / ya first, else any choice that is not a return or a rejection. */
export function forwardTarget(activity: Activity): string | null {
  const forward =
    activity.choices.find((c) => (c.kind === 'lanjut' || c.kind === 'ya') && c.target !== activity.id) ??
    activity.choices.find((c) => !BACKWARD.has(c.kind) && c.target !== activity.id);
  return forward?.target ?? null;
}

/**
 * The nodes after `from` along the main path, up to the terminal it reaches (forward choices; gates by the case
 * data, `then` while the field is unknown). Stops rather than loop if a forward choice leads back.
 */
export function mainPathAfter(
  sop: Sop,
  from: string,
  data: Record<string, unknown>,
): { nodes: Activity[]; end: Terminal | null } {
  const nodes: Activity[] = [];
  const seen = new Set<string>([from]);
  let next = nextOf(sop.node(from), data);
  while (next && !isTerminal(next) && !seen.has(next)) {
    seen.add(next);
    const node = sop.node(next);
    if (node.type === 'activity') nodes.push(node);
    next = nextOf(node, data);
  }
  return { nodes, end: next && isTerminal(next) ? next : null };
}

function nextOf(node: FlowNode, data: Record<string, unknown>): string | null {
  if (node.type === 'activity') return forwardTarget(node);
  const value = data[node.field];
  return value === undefined || value === node.equals ? node.then : node.else;
}

/** The forecast of an open case; null when the case is closed or has not entered a step yet. */
export function forecastCompletion(input: ForecastInput): Forecast | null {
  const { record, sop, calendar, now } = input;
  const cursor = record.cursor;
  if (record.status !== 'aktif' || !cursor) return null;
  let currentNode: FlowNode;
  try {
    currentNode = sop.node(cursor.node);
  } catch {
    return null;
  }
  if (currentNode.type !== 'activity') return null;
  const nowMs = now.getTime();
  let provisional = false;
  const dueAfter = (fromMs: number, activity: Activity): number | null => {
    const due = computeDue(calendar, new Date(fromMs), activity.waktu);
    provisional ||= due.provisional;
    return due.dueAt?.getTime() ?? null;
  };
  const afterMinutes = (fromMs: number, minutes: number): number => {
    const reached = addWorkingMinutes(calendar, new Date(fromMs), minutes);
    provisional ||= reached.provisional;
    return reached.at.getTime();
  };
  const observedOf = (node: string) => {
    const m = input.observed?.(node);
    return m !== undefined && Number.isFinite(m) && m >= 0 ? m : undefined;
  };

  const task = input.tasks.find((t) => t.caseId === record.caseId && t.seq === cursor.seq);
  const openedAt = task?.openedAt ?? cursor.enteredAt;
  const openedMs = Date.parse(openedAt);
  let standardMs: number;
  let realisticMs: number;
  let basis: ForecastBasis;
  let path: { nodes: Activity[]; end: Terminal | null };
  const decided = task?.decision;
  if (decided) {
    // Decided, the case not yet moved on: the step ended then, and the case goes where the decision leads.
    standardMs = realisticMs = Date.parse(decided.at);
    basis = 'mutu-baku';
    const target = currentNode.choices.find((c) => c.value === decided.choice)?.target ?? forwardTarget(currentNode);
    if (!target || isTerminal(target)) path = { nodes: [], end: target && isTerminal(target) ? target : null };
    else {
      const node = sop.node(target);
      const rest = mainPathAfter(sop, target, record.data);
      path = { nodes: node.type === 'activity' ? [node, ...rest.nodes] : rest.nodes, end: rest.end };
    }
  } else {
    const due = task?.dueAt ? Date.parse(task.dueAt) : dueAfter(openedMs, currentNode);
    standardMs = Math.max(nowMs, due ?? nowMs);
    const median = observedOf(currentNode.id);
    realisticMs = median !== undefined ? Math.max(nowMs, afterMinutes(openedMs, median)) : standardMs;
    basis = median !== undefined ? 'median' : due !== null ? 'mutu-baku' : 'tanpa-waktu';
    path = mainPathAfter(sop, currentNode.id, record.data);
  }
  const dueAt = task?.dueAt ?? null;
  const stepOf = (activity: Activity, std: number, real: number, b: ForecastBasis): ForecastStep => ({
    node: activity.id,
    stepId: activity.stepId,
    label: activity.label,
    jabatan: activity.actor.jabatan,
    external: activity.actor.kind === 'external',
    waktu: activity.waktu?.raw ?? null,
    standardAt: new Date(std).toISOString(),
    realisticAt: new Date(real).toISOString(),
    realisticBasis: b,
  });
  const steps: ForecastStep[] = [stepOf(currentNode, standardMs, realisticMs, basis)];
  let untimed = basis === 'tanpa-waktu' ? 1 : 0;
  let observedSteps = basis === 'median' ? 1 : 0;

  for (const activity of path.nodes) {
    standardMs = dueAfter(standardMs, activity) ?? standardMs;
    const median = observedOf(activity.id);
    if (median !== undefined) {
      realisticMs = afterMinutes(realisticMs, median);
      observedSteps++;
    } else realisticMs = dueAfter(realisticMs, activity) ?? realisticMs;
    const b: ForecastBasis = median !== undefined ? 'median' : activity.waktu ? 'mutu-baku' : 'tanpa-waktu';
    if (b === 'tanpa-waktu') untimed++;
    steps.push(stepOf(activity, standardMs, realisticMs, b));
  }

  return {
    caseId: record.caseId,
    sopKey: record.sopKey,
    current: {
      node: currentNode.id,
      label: activityLabel(sop, currentNode),
      openedAt: task?.openedAt ?? cursor.enteredAt ?? null,
      dueAt,
      // An external party's perkiraan passing is no official's lateness.
      overdue: !decided && !task?.dueEstimate && !!task?.overdueAt && nowMs > Date.parse(task.overdueAt),
    },
    standardAt: new Date(standardMs).toISOString(),
    realisticAt: new Date(realisticMs).toISOString(),
    endsAs: path.end,
    provisional,
    steps,
    untimed,
    observedSteps,
  };
}
