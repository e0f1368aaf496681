import type { CaseRecord, HistoryEvent } from '../case/model.ts';
import type { Activity } from '../sop/load-sop.ts';
import { NASKAH_IDS } from '../sop/schema.ts';
import { applyOp, checkContent, parseOp, type ContentIssue, type NaskahContent } from './content.ts';
import { baseVersion, contentFromForm, hasEditor, ORDER } from './form.ts';
import { startContent, type Outline, type OutlineCatalog, type OutlineValues } from './outline.ts';
import { NaskahVersions, type NaskahAuthor, type NaskahVersion, type SaveResult } from './versions.ts';

/**
 * The drafting of a case's naskah: which steps edit it (those whose Output is a konsep: an automatic `dokumen`
 * action that renders a naskah), its current content (the latest saved version, or the outline filled with the
 * case), the editor's operations and the conditional save. Pure use case over the case store (history facts).
 */

/** The decision value naming the content version a drafting step saved (the konsep is rendered from it). */
export const NASKAH_VERSI = 'naskah-versi';

/**
 * The documents that are a naskah, drafted by pasal (their content is the case's content versions): `naskah`, and its
 * alias `kesepakatan-bersama` (core/sop/schema.ts), each the case's naskah of its own kind.
 */
export const NASKAH_DOCUMENTS: ReadonlySet<string> = NASKAH_IDS;

export interface NaskahDraftsDeps {
  versions: NaskahVersions;
  outlines: OutlineCatalog;
  /** The kind of a case's naskah (an outline id). */
  jenisOf(record: CaseRecord): string;
  /** The case's values an outline is filled with. */
  valuesOf(record: CaseRecord): OutlineValues;
}

export interface CurrentNaskah {
  /** 0 when nothing was saved yet (the content is the outline filled with the case). */
  versi: number;
  content: NaskahContent;
  outline: Outline;
  version?: NaskahVersion;
}

export type EditResult =
  | { kind: 'diedit'; content: NaskahContent; base: number }
  | { kind: 'tidak-valid'; content: NaskahContent; base: number; issues: ContentIssue[] }
  | { kind: 'tersimpan'; version: NaskahVersion; created: boolean }
  | { kind: 'basi'; mine: NaskahContent; base: number; current: NaskahVersion };

export class NaskahDrafts {
  constructor(private readonly deps: NaskahDraftsDeps) {}

  /** The step edits the naskah: its Output is a konsep (it renders a naskah after it). */
  edits(activity: Activity): boolean {
    return [...activity.before, ...activity.choices.flatMap((c) => c.automatic)].some(
      (w) => w.action === 'dokumen' && NASKAH_DOCUMENTS.has(w.dokumen),
    );
  }

  hasOutline(jenis: string): boolean {
    return this.deps.outlines.has(jenis);
  }

  /** The outline of a kind (a content's `jenis`). */
  outline(jenis: string): Outline {
    return this.deps.outlines.get(jenis);
  }

  outlineOf(record: CaseRecord): Outline {
    return this.deps.outlines.get(this.deps.jenisOf(record));
  }

  /** The version 0 of a case: its outline filled with what the case holds. */
  start(record: CaseRecord): NaskahContent {
    return startContent(this.outlineOf(record), this.deps.valuesOf(record));
  }

  async current(record: CaseRecord, history?: readonly HistoryEvent[]): Promise<CurrentNaskah> {
    const latest = await this.deps.versions.latest(record.caseId, history);
    const outline = latest ? this.deps.outlines.get(latest.content.jenis) : this.outlineOf(record);
    return latest
      ? { versi: latest.versi, content: latest.content, outline, version: latest }
      : { versi: 0, content: this.start(record), outline };
  }

  versions(caseId: string, history?: readonly HistoryEvent[]): Promise<NaskahVersion[]> {
    return this.deps.versions.list(caseId, history);
  }

  get(caseId: string, versi: number): Promise<NaskahVersion | undefined> {
    return this.deps.versions.get(caseId, versi);
  }

  /** The content and base version a posted form carries, or undefined when the form has no editor. */
  fromForm(
    form: Readonly<Record<string, string>>,
    jenis: string,
  ): { content: NaskahContent; base: number } | undefined {
    if (!hasEditor(form)) return undefined;
    return { content: contentFromForm(form, form[ORDER.jenis] || jenis), base: baseVersion(form) };
  }

  /**
   * One editor submission: an operation button edits the form's content and shows it again (nothing stored);
   * "simpan" checks and saves it as a new version, conditional on the version it was edited from.
   */
  async edit(
    record: CaseRecord,
    form: Readonly<Record<string, string>>,
    who: { by: NaskahAuthor; at: string; stepId: string; seq: number },
    random?: () => string,
  ): Promise<EditResult> {
    const outline = this.outlineOf(record);
    const posted = this.fromForm(form, outline.id);
    if (!posted) {
      const current = await this.current(record);
      return { kind: 'diedit', content: current.content, base: current.versi };
    }
    const op = parseOp(form[ORDER.op] ?? '');
    if (op) return { kind: 'diedit', content: applyOp(posted.content, op, random), base: posted.base };
    return this.save(record, posted.content, posted.base, who);
  }

  /** Checks and saves a content edited from `base`. */
  async save(
    record: CaseRecord,
    content: NaskahContent,
    base: number,
    who: { by: NaskahAuthor; at: string; stepId: string; seq: number },
  ): Promise<Exclude<EditResult, { kind: 'diedit' }>> {
    const outline = this.deps.outlines.get(content.jenis);
    const checked = checkContent(content, { bilingual: outline.bilingual, adendum: outline.adendum });
    if (!checked.ok) return { kind: 'tidak-valid', content, base, issues: checked.issues };
    const result: SaveResult = await this.deps.versions.save({
      caseId: record.caseId,
      dasar: base,
      content: checked.content,
      by: who.by,
      at: who.at,
      stepId: who.stepId,
      seq: who.seq,
    });
    if (!result.ok) return { kind: 'basi', mine: checked.content, base, current: result.current };
    return { kind: 'tersimpan', version: result.version, created: result.created };
  }

  /**
   * The version a document of this case is rendered from: the latest; when nothing was saved yet, the outline
   * filled with the case is saved as version 1 by whoever completed the step, so every konsep names a stored version.
   */
  async forRendering(
    record: CaseRecord,
    who: { by: NaskahAuthor; at: string; stepId?: string; seq?: number },
    /** The case's history, when the caller has read it already. */
    history?: readonly HistoryEvent[],
  ) {
    const latest = await this.deps.versions.latest(record.caseId, history);
    if (latest) return latest;
    const result = await this.deps.versions.save({
      caseId: record.caseId,
      dasar: 0,
      content: this.start(record),
      by: who.by,
      at: who.at,
      ...(who.stepId ? { stepId: who.stepId } : {}),
      ...(who.seq !== undefined ? { seq: who.seq } : {}),
    });
    if (result.ok) return result.version;
    return result.current;
  }
}
