import { randomBytes } from 'node:crypto';
import type { CaseStore, Clock, HistoryEvent } from './model.ts';

/**
 * A download (or inline preview) is an explicit act — a POST, answered with a short-lived link — and a fact in the
 * case history: who, which document, when, through which page. A GET never records one (a mail scanner or a link
 * preview follows GETs). This is the one place such a fact is written.
 */
export interface DownloadFact {
  caseId: string;
  who: NonNullable<HistoryEvent['who']>;
  /** What was handed out: `docId`/`jenis`/`nomor` of a generated document, or `berkas`/`slot` of an upload. */
  what: Record<string, string>;
  /** How long the link lives. */
  seconds: number;
  /** Where it was asked for: `tautan tugas`, `konsol`, `arsip`, `cli`. */
  via?: string;
  /** `unduh` or `pratinjau`. */
  how?: 'unduh' | 'pratinjau';
  reason?: string;
}

export async function recordDownload(
  deps: { store: Pick<CaseStore, 'appendHistory'>; clock: Clock },
  fact: DownloadFact,
): Promise<HistoryEvent> {
  const at = deps.clock.now().toISOString();
  const event: HistoryEvent = {
    caseId: fact.caseId,
    // Every download is its own fact: two in the same millisecond are two events.
    eventKey: `unduh#${at}#${randomBytes(8).toString('hex')}`,
    type: 'dokumen-diunduh',
    at,
    who: fact.who,
    detail: {
      ...fact.what,
      berlakuDetik: fact.seconds,
      ...(fact.via !== undefined ? { melalui: fact.via } : {}),
      ...(fact.how ? { cara: fact.how } : {}),
      ...(fact.reason !== undefined ? { alasan: fact.reason } : {}),
    },
  };
  await deps.store.appendHistory(event);
  return event;
}
