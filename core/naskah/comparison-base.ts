import { NASKAH_VERSI } from './drafts.ts';
import type { HistoryEvent } from '../case/model.ts';
import type { NaskahVersion } from './versions.ts';

/**
 * Which version a reviewer's diff starts from. Pure.
 *
 * A reviewer (the Asisten correcting the konsep, the Bagian Hukum, each paraf) sees what changed since the last
 * version they acted on; someone who never acted on the naskah sees what changed since the previous version.
 */

/**
 * The detail field of a `tugas-diputuskan` fact (and of a paraf's `otomatis-selesai` fact) that names the content
 * version (`versi`, a number) the decision was made on. The runtime records it when a decision is taken on a step
 * whose Output is the konsep.
 */
export const DECISION_VERSION_FIELD = 'versiNaskah';

export interface ComparisonBase {
  /** The older version of the comparison. */
  readonly before: number;
  /** The version in front of the reviewer. */
  readonly after: number;
  /** `acted`: the last version the reviewer acted on; `previous`: the version before `after`. */
  readonly reason: 'acted' | 'previous';
}

/**
 * The comparison for `personId`: from the last version they acted on (at most the current one: acting on the current
 * version leaves nothing to show, which is itself the answer) or else from the version before the current one.
 * `current` is the version in front of them (default: the latest). Versions not in `versions` (the outline, version
 * 0, when the caller did not compute it) are never chosen. Undefined when there is nothing to compare with.
 */
export function pickComparisonBase(
  versions: readonly { readonly versi: number }[],
  actedOn: ReadonlyMap<string, readonly number[]>,
  personId: string,
  current?: number,
): ComparisonBase | undefined {
  const known = new Set(versions.map((v) => v.versi));
  const after = current ?? Math.max(...known);
  if (!known.has(after)) return undefined;
  const acted = (actedOn.get(personId) ?? []).filter((n) => known.has(n) && n <= after);
  if (acted.length) return { before: Math.max(...acted), after, reason: 'acted' };
  const earlier = [...known].filter((n) => n < after);
  return earlier.length ? { before: Math.max(...earlier), after, reason: 'previous' } : undefined;
}

/**
 * Who acted on which content version, from a case's history: each `tugas-diputuskan` fact whose detail names its
 * version (DECISION_VERSION_FIELD), and each paraf (an `otomatis-selesai` fact of action `paraf`), whose person is
 * the one who decided at that activation. A paraf names its version by DECISION_VERSION_FIELD, or by its content
 * hash `versiIsi` when that is a version's `isi`; otherwise it approved the version that was the latest when the
 * decision was made (a paraf is always over the current text).
 */
export function actedVersions(
  history: readonly HistoryEvent[],
  versions: readonly Pick<NaskahVersion, 'versi' | 'isi' | 'at'>[],
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const add = (person: string | undefined, versi: number | undefined) => {
    if (!person || versi === undefined || !Number.isInteger(versi)) return;
    const list = out.get(person) ?? [];
    if (!list.includes(versi))
      out.set(
        person,
        [...list, versi].sort((a, b) => a - b),
      );
  };
  const deciders = new Map<number, HistoryEvent>();
  for (const e of history) if (e.type === 'tugas-diputuskan' && e.seq !== undefined) deciders.set(e.seq, e);
  const byHash = new Map(versions.map((v) => [v.isi, v.versi]));
  const latestAt = (at: string) =>
    versions.filter((v) => v.at <= at).reduce<number | undefined>((n, v) => Math.max(n ?? v.versi, v.versi), undefined);
  for (const e of history) {
    const d = e.detail ?? {};
    const named = typeof d[DECISION_VERSION_FIELD] === 'number' ? (d[DECISION_VERSION_FIELD] as number) : undefined;
    if (e.type === 'tugas-diputuskan') {
      // A drafting step's decision names the version it saved (`naskah-versi` among its values).
      const values = (d['values'] ?? {}) as Record<string, unknown>;
      add(
        e.who?.id,
        named ?? (typeof values[NASKAH_VERSI] === 'number' ? (values[NASKAH_VERSI] as number) : undefined),
      );
    } else if (e.type === 'otomatis-selesai' && d['action'] === 'paraf') {
      const decision = e.seq !== undefined ? deciders.get(e.seq) : undefined;
      const at = typeof d['waktu'] === 'string' ? d['waktu'] : (decision?.at ?? e.at);
      const versi =
        named ?? (typeof d['versiIsi'] === 'string' ? byHash.get(d['versiIsi']) : undefined) ?? latestAt(at);
      add(decision?.who?.id, versi);
    }
  }
  return out;
}
