import { ErrorNames, SepakatError } from '../errors.ts';
import type { CaseStore, HistoryEvent } from '../case/model.ts';
import { contentHash, parseStoredContent, sameContent, type NaskahContent } from './content.ts';

/**
 * The content versions of a case's naskah. Each save is a fact of the case's history (type `naskah-disimpan`,
 * key `naskah#000003`), written by one conditional put: version n+1 can be written once, by the first save that
 * edited version n. A save made on a version that is no longer the latest is refused (stale) and the caller shows
 * what changed meanwhile; a retry of the same save finds its own version and succeeds without writing twice.
 * Version 0 is the outline filled with the case (not stored: it is computed the same way every time).
 */

export const NASKAH_FACT = 'naskah-disimpan';

export const naskahEventKey = (versi: number): string => `naskah#${String(versi).padStart(6, '0')}`;

export interface NaskahAuthor {
  id: string;
  nama: string;
  jabatan: string;
}

export interface NaskahVersion {
  versi: number;
  /** The version this one was edited from. */
  dasar: number;
  /** "sha256:…" of the canonical content. */
  isi: string;
  content: NaskahContent;
  at: string;
  by: NaskahAuthor;
  /** The step and activation it was saved at. */
  stepId?: string;
  seq?: number;
}

export type SaveResult =
  | { ok: true; version: NaskahVersion; created: boolean }
  /** The content was edited from an older version: `current` is the latest, for the page to show what changed. */
  | { ok: false; current: NaskahVersion };

export interface SaveInput {
  caseId: string;
  /** The version the editor started from (0: the outline). */
  dasar: number;
  content: NaskahContent;
  by: NaskahAuthor;
  at: string;
  stepId?: string;
  seq?: number;
}

export class NaskahVersions {
  constructor(private readonly store: Pick<CaseStore, 'appendHistory' | 'getHistory' | 'listHistory'>) {}

  /** Every version, oldest first. `history` may be passed when the caller has already read it. */
  async list(caseId: string, history?: readonly HistoryEvent[]): Promise<NaskahVersion[]> {
    return versionsIn(history ?? (await this.store.listHistory(caseId)));
  }

  async latest(caseId: string, history?: readonly HistoryEvent[]): Promise<NaskahVersion | undefined> {
    return (await this.list(caseId, history)).at(-1);
  }

  async get(caseId: string, versi: number): Promise<NaskahVersion | undefined> {
    const e = await this.store.getHistory(caseId, naskahEventKey(versi));
    return e ? versionOf(e) : undefined;
  }

  /**
   * Saves a content edited from version `dasar`. The same words as the latest version save nothing (the latest is
   * returned). Content must have been checked (`checkContent`) by the caller.
   */
  async save(input: SaveInput): Promise<SaveResult> {
    const latest = await this.latest(input.caseId);
    const latestVersi = latest?.versi ?? 0;
    if (latest && sameContent(latest.content, input.content)) return { ok: true, version: latest, created: false };
    if (input.dasar !== latestVersi) {
      // A retry of a save that did land: its version is the latest, with these words (handled above), or a later
      // one was saved on top of it; either way the editor's base is not the latest any more.
      if (!latest) throw new SepakatError(ErrorNames.BadInput, `Versi naskah ${input.dasar} tidak dikenal`);
      return { ok: false, current: latest };
    }
    const versi = latestVersi + 1;
    const version: NaskahVersion = {
      versi,
      dasar: input.dasar,
      isi: contentHash(input.content),
      content: input.content,
      at: input.at,
      by: input.by,
      ...(input.stepId ? { stepId: input.stepId } : {}),
      ...(input.seq !== undefined ? { seq: input.seq } : {}),
    };
    const written = await this.store.appendHistory({
      caseId: input.caseId,
      eventKey: naskahEventKey(versi),
      type: NASKAH_FACT,
      at: input.at,
      who: input.by,
      ...(input.stepId ? { stepId: input.stepId } : {}),
      ...(input.seq !== undefined ? { seq: input.seq } : {}),
      detail: { versi, dasar: input.dasar, isi: version.isi, content: input.content },
    });
    if (written) return { ok: true, version, created: true };
    // Someone saved version n+1 first. The same words (a concurrent retry of this save) are this save.
    const winner = await this.mustGet(input.caseId, versi);
    if (sameContent(winner.content, input.content)) return { ok: true, version: winner, created: false };
    return { ok: false, current: (await this.latest(input.caseId)) ?? winner };
  }

  private async mustGet(caseId: string, versi: number): Promise<NaskahVersion> {
    const v = await this.get(caseId, versi);
    if (!v) throw new Error(`naskah version ${versi} of ${caseId} vanished`);
    return v;
  }
}

/** The content versions among a case's history facts, oldest first. */
export function versionsIn(history: readonly HistoryEvent[]): NaskahVersion[] {
  return history
    .filter((e) => e.type === NASKAH_FACT)
    .map((e) => versionOf(e))
    .sort((a, b) => a.versi - b.versi);
}

function versionOf(e: HistoryEvent): NaskahVersion {
  const d = e.detail ?? {};
  return {
    versi: Number(d['versi']),
    dasar: Number(d['dasar']),
    isi: String(d['isi']),
    content: parseStoredContent(d['content'], `${e.caseId} ${e.eventKey}`),
    at: e.at,
    by: e.who ?? { id: '', nama: '', jabatan: '' },
    ...(e.stepId ? { stepId: e.stepId } : {}),
    ...(e.seq !== undefined ? { seq: e.seq } : {}),
  };
}
