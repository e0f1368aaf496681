import type { DocumentRecord } from '../documents/document-record.ts';
import { documentKindLabel } from '../documents/kinds.ts';
import type { Sop } from '../sop/load-sop.ts';
import type { CaseRecord, HistoryEvent, StoredFile } from './model.ts';

/**
 * The documents of a case as a task page lists them: each document once, named for people (an upload by the label
 * of the field it answered, a generated document by its kind and number), its latest version first and the older
 * ones beneath it; no internal id, key or template hash. Pure: the page turns each version's `ref` into its link.
 */
export interface ListedVersion {
  /** An upload (its index in `caseFiles`) or a generated document (its id). */
  ref: { berkas: number } | { dokumen: string };
  /** When it was stored or decided (ISO). */
  at: string;
  /** Who or what it came from: "Permohonan", "L5 (Rizky)", "Dibuat Sepakat". */
  asal: string;
  size: number;
}

export interface ListedDocument {
  label: string;
  latest: ListedVersion;
  /** Newest first. */
  older: ListedVersion[];
}

/** An upload of the case: the permohonan's files, then each decision's, in order (the order the links number). */
export interface CaseFile extends StoredFile {
  at: string;
  /** The activity whose decision brought it; absent for the permohonan's files. */
  node?: string;
  asal: string;
}

/** Every upload of the case so far: the permohonan's files, then each decision's files, in order. */
export function caseFiles(record: CaseRecord, history: readonly HistoryEvent[]): CaseFile[] {
  const files: CaseFile[] = record.files.map((f) => ({ ...f, at: record.createdAt, asal: 'Permohonan' }));
  for (const e of history)
    if (e.type === 'tugas-diputuskan')
      for (const f of e.files ?? [])
        files.push({
          ...f,
          at: e.at,
          ...(e.node ? { node: e.node } : {}),
          asal: `${e.node ?? ''} (${e.who?.nama ?? ''})`,
        });
  return files;
}

/** The label of the field an upload answered: the intake document's, or the field of the deciding activity. */
export function uploadLabel(sop: Sop, file: Pick<CaseFile, 'slot' | 'node' | 'name'>): string {
  if (file.node === undefined)
    return sop.definition.intake.documents.find((d) => d.id === file.slot)?.label ?? file.name;
  try {
    const node = sop.node(file.node);
    if (node.type === 'activity') {
      const field = node.fields.find((f) => f.id === file.slot);
      if (field) return field.label;
    }
  } catch {
    // A node of another SOP version: fall back on the file's own name.
  }
  return file.name;
}

/**
 * One entry per document. Uploads are one document per field (a field answered again, e.g. after a return, is a new
 * version); generated documents one per kind and number (the konsep of every round is one document).
 */
export function listCaseDocuments(
  sop: Sop,
  files: readonly CaseFile[],
  generated: readonly DocumentRecord[],
): ListedDocument[] {
  const groups = new Map<string, { label: string; versions: ListedVersion[] }>();
  const add = (key: string, label: string, version: ListedVersion) => {
    const group = groups.get(key) ?? { label, versions: [] };
    group.versions.push(version);
    groups.set(key, group);
  };
  files.forEach((f, index) =>
    add(`berkas:${f.node === undefined ? 'permohonan' : 'keputusan'}:${f.slot}`, uploadLabel(sop, f), {
      ref: { berkas: index },
      at: f.at,
      asal: f.asal,
      size: f.size,
    }),
  );
  for (const d of generated)
    add(`dokumen:${d.kind}#${d.nomor ?? ''}`, `${documentKindLabel(d.kind)}${d.nomor ? ` Nomor ${d.nomor}` : ''}`, {
      ref: { dokumen: d.docId },
      at: d.createdAt,
      asal: 'Dibuat Sepakat',
      size: d.size,
    });
  return [...groups.values()]
    .map(({ label, versions }) => {
      const newestFirst = [...versions].sort((a, b) => b.at.localeCompare(a.at));
      return { label, latest: newestFirst[0]!, older: newestFirst.slice(1) };
    })
    .sort((a, b) => b.latest.at.localeCompare(a.latest.at) || a.label.localeCompare(b.label));
}
