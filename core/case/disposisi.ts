import type { Activity, Sop } from '../sop/load-sop.ts';
import type { Automatic } from '../sop/schema.ts';
import type { HistoryEvent } from './model.ts';

/**
 * The disposisi of a case: what an official typed as arahan at a disposisi step, to whom it goes, when and by whom.
 * A step is a disposisi step by SOP data, not by its id: one of its choices generates a Lembar Disposisi naming the
 * field of the arahan (`action: dokumen, dokumen: lembar-disposisi, arahan: <field>`, optionally `kepada: <actor>`).
 * The facts are read from the case history (each decision keeps the values typed), so every reader (the next
 * official's task page, the console's timeline, the task pages' riwayat, the Lembar Disposisi) sees the same ones.
 * Pure.
 */

export interface Disposisi {
  seq: number;
  node: string;
  stepId: string;
  /** When it was given: the time of the decision (ISO). */
  at: string;
  /** The official who decided the disposisi step. */
  dari: { id: string; nama: string; jabatan: string };
  /** The actor it goes to, as the SOP names them; null when the decision leads to no step (an end). */
  kepada: { actorId: string; jabatan: string } | null;
  /** The words as typed. */
  arahan: string;
}

type LembarDisposisiAction = Extract<Automatic, { action: 'dokumen' }> & { arahan: string };

/** The Lembar Disposisi a choice of the activity generates, with the field of its arahan; undefined otherwise. */
export function disposisiAction(activity: Activity, choice: string): LembarDisposisiAction | undefined {
  const automatic = activity.choices.find((c) => c.value === choice)?.automatic ?? [];
  return automatic.find(
    (a): a is LembarDisposisiAction =>
      a.action === 'dokumen' && a.dokumen === 'lembar-disposisi' && typeof a.arahan === 'string',
  );
}

/** Whether some choice of the activity makes it a disposisi step. */
export const isDisposisiStep = (activity: Activity) =>
  activity.choices.some((c) => !!disposisiAction(activity, c.value));

/** The actor a disposisi goes to: the one the SOP names, else the actor of the activity the choice leads to. */
export function kepadaOf(sop: Sop, activity: Activity, choice: string): Disposisi['kepada'] {
  const action = disposisiAction(activity, choice);
  if (action?.kepada) {
    const actor = sop.actor(action.kepada);
    return { actorId: actor.id, jabatan: actor.jabatan };
  }
  const target = activity.choices.find((c) => c.value === choice)?.target;
  const next = target ? nodeOrUndefined(sop, target) : undefined;
  return next?.type === 'activity' ? { actorId: next.actor.id, jabatan: next.actor.jabatan } : null;
}

/** One decision, as a disposisi when its activity and choice make it one and an arahan was typed. */
export function disposisiOfDecision(
  sop: Sop,
  decided: {
    node: string;
    stepId: string;
    seq: number;
    at: string;
    choice: string;
    who: { id: string; nama: string; jabatan: string };
    values: Readonly<Record<string, unknown>>;
  },
): Disposisi | undefined {
  const node = nodeOrUndefined(sop, decided.node);
  if (node?.type !== 'activity') return undefined;
  const action = disposisiAction(node, decided.choice);
  const arahan = action ? decided.values[action.arahan] : undefined;
  if (typeof arahan !== 'string' || !arahan.trim()) return undefined;
  return {
    seq: decided.seq,
    node: decided.node,
    stepId: decided.stepId,
    at: decided.at,
    dari: { id: decided.who.id, nama: decided.who.nama, jabatan: decided.who.jabatan },
    kepada: kepadaOf(sop, node, decided.choice),
    arahan: arahan.trim(),
  };
}

/** Every disposisi of the case, in the order given (by activation). */
export function disposisiOf(sop: Sop, history: readonly HistoryEvent[]): Disposisi[] {
  const out: Disposisi[] = [];
  for (const e of history) {
    if (e.type !== 'tugas-diputuskan' || !e.node || !e.choice || !e.who || e.seq === undefined) continue;
    const values = e.detail?.['values'];
    const found = disposisiOfDecision(sop, {
      node: e.node,
      stepId: e.stepId ?? e.node,
      seq: e.seq,
      at: e.at,
      choice: e.choice,
      who: e.who,
      values: values && typeof values === 'object' ? (values as Record<string, unknown>) : {},
    });
    if (found) out.push(found);
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/** The disposisi addressed to the official of an activity (its actor, or for an external party its recorder). */
export function disposisiFor(list: readonly Disposisi[], activity: Activity, beforeSeq: number): Disposisi[] {
  const to = new Set([activity.actor.id, activity.performer.id]);
  return list.filter((d) => d.seq < beforeSeq && d.kepada && to.has(d.kepada.actorId));
}

/** One line for a timeline: "Arahan kepada Kepala Bagian Kerjasama: …". */
export const disposisiLine = (d: Disposisi) =>
  `Arahan${d.kepada ? ` kepada ${d.kepada.jabatan}` : ''}: ${d.arahan.replace(/\s*\n\s*/g, ' / ')}`;

function nodeOrUndefined(sop: Sop, id: string): ReturnType<Sop['node']> | undefined {
  try {
    return sop.node(id);
  } catch {
    return undefined;
  }
}
