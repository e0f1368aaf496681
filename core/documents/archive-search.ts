import { z } from 'zod';
import type { TimeZone } from '../calendar/calendar-schema.ts';
import type { CaseStore, Clock } from '../case/model.ts';
import { recordDownload } from '../case/downloads.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import { parseOrThrow, type Labels } from '../validation/issues.ts';
import { pilihan, teks } from '../validation/text.ts';
import { REGISTER_STATUSES, TAHUN_MAX, TAHUN_MIN, yearOf, type RegisterEntry } from '../register/numbering.ts';
import type { DocumentStore } from '../ports.ts';
import type { Register } from '../register/allocation.ts';
import type { DocumentRecord } from './document-record.ts';

/**
 * The archive of signed agreements for archivists: find a register entry by number, partner, perihal, year or
 * status with the copies filed under its number, and download a copy through a short-lived link. Every link handed
 * out is a download fact in the history of the document's case (who, which copy, why, how long the link lives):
 * the link is only returned after the fact is written.
 */
export interface ArchiveDeps {
  documents: Pick<DocumentStore, 'get' | 'listByNomor' | 'downloadUrl'>;
  register(pemdaId: string): Pick<Register, 'get' | 'listAll'>;
  store: Pick<CaseStore, 'appendHistory' | 'listHistory'>;
  clock: Clock;
  /** How long a download link lives, in seconds (default 300). */
  linkSeconds?: number;
  /** The pemda's time zone: "this year" is its local year (default WIB). */
  timeZone?(pemdaId: string): TimeZone;
}

/** Entries one search returns at most; the rest is reported as cut off (narrow the search). */
export const MAX_SEARCH_RESULTS = 200;
/** Years a search covers when none is given: the current local year and the four before it. */
export const DEFAULT_SEARCH_YEARS = 5;
export const DEFAULT_LINK_SECONDS = 300;
/** Presigned S3 links live at most 7 days (SigV4). */
const MAX_LINK_SECONDS = 7 * 24 * 3600;
/** Register numbers whose copies are looked up at once. */
const LOOKUP_CONCURRENCY = 8;

const text = (label: string, max: number) => teks(label, { min: 1, max });

export const ArchiveQuerySchema = z
  .object({
    pemdaId: text('Pemda', 60),
    nomor: text('Nomor', 200).optional(),
    mitra: text('Mitra / para pihak', 200).optional(),
    perihal: text('Perihal', 200).optional(),
    // A year reads without a thousands separator: its own message rather than "paling kecil 2.000".
    tahun: z
      .number()
      .int()
      .refine((t) => t >= TAHUN_MIN && t <= TAHUN_MAX, { error: `Tahun harus antara ${TAHUN_MIN} dan ${TAHUN_MAX}` })
      .optional(),
    status: pilihan('Status register', REGISTER_STATUSES).optional(),
    /** At most MAX_SEARCH_RESULTS. */
    limit: z.number().int().min(1).max(MAX_SEARCH_RESULTS).optional(),
  })
  .strict();
export type ArchiveQuery = z.input<typeof ArchiveQuerySchema>;
/** The search's fields as the archive page (and `arsip cari`) names them. */
export const ARCHIVE_QUERY_LABELS: Labels = {
  '': 'Pencarian arsip',
  pemdaId: 'Pemda',
  nomor: 'Nomor',
  mitra: 'Mitra / para pihak',
  perihal: 'Perihal',
  tahun: 'Tahun',
  status: 'Status register',
  limit: 'Jumlah hasil',
};

/** Who downloads: the official's id, name and role as the audit trail shows them. */
export const DownloaderSchema = z
  .object({
    id: text('Identitas pengunduh', 200),
    nama: text('Nama pengunduh', 200),
    peran: text('Peran pengunduh', 200),
  })
  .strict();
export type Downloader = z.input<typeof DownloaderSchema>;

/** A download: who, and why (the reason is optional; `arsip unduh --alasan` gives it). */
export const DownloadRequestSchema = z
  .object({ who: DownloaderSchema, alasan: text('Alasan unduhan', 500).optional() })
  .strict();
export const DOWNLOAD_REQUEST_LABELS: Labels = {
  '': 'Permintaan unduhan',
  who: 'Data pengunduh',
  'who.id': 'Identitas pengunduh',
  'who.nama': 'Nama pengunduh',
  'who.peran': 'Peran pengunduh',
  alasan: 'Alasan unduhan',
};

/** The copies filed under a number, each group newest first. */
export interface ArchivedCopies {
  /** The naskah signed in Sepakat (kind 'naskah-ditandatangani'). */
  signed: DocumentRecord[];
  /** The partner's copy: signed electronically by both parties, or the scan of the copy the partner signed on paper. */
  partner: DocumentRecord[];
  /** Scanned signed copies (kind 'arsip-pindai'); `asli` says whether it is the original. */
  scans: DocumentRecord[];
  /** The Lembar Riwayat Penandatanganan of the naskah (kind 'lembar-riwayat', sealed by the pemda). */
  riwayat: DocumentRecord[];
  /** Anything else filed under the number. */
  other: DocumentRecord[];
}

export interface ArchiveHit {
  entry: RegisterEntry;
  copies: ArchivedCopies;
}

export interface ArchiveSearchResult {
  items: ArchiveHit[];
  /** More entries matched than were returned (MAX_SEARCH_RESULTS): narrow the search. */
  truncated: boolean;
  /** How many entries matched in all. */
  matched: number;
  /** The years searched, newest first. */
  years: number[];
}

export interface DownloadLink {
  url: string;
  expiresAt: string;
  record: DocumentRecord;
}

export interface DownloadLogEntry {
  eventKey: string;
  at: string;
  who: Downloader;
  alasan?: string;
  berlakuDetik?: number;
}

export class Archive {
  private readonly linkSeconds: number;

  constructor(private readonly deps: ArchiveDeps) {
    const seconds = deps.linkSeconds ?? DEFAULT_LINK_SECONDS;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_LINK_SECONDS)
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        `Masa berlaku tautan unduhan ${seconds} detik di luar 1–${MAX_LINK_SECONDS} detik`,
      );
    this.linkSeconds = seconds;
  }

  /**
   * Register entries matching every criterion given, newest first, with the copies filed under each number.
   * `nomor` is matched exactly (after trimming) in any year; otherwise the search covers `tahun`, or the current
   * local year and the four before it. `mitra` and `perihal` match case-insensitively anywhere in the parties and
   * the perihal.
   */
  async search(query: ArchiveQuery): Promise<ArchiveSearchResult> {
    const q = parseOrThrow(ArchiveQuerySchema, query, ARCHIVE_QUERY_LABELS);
    const register = this.deps.register(q.pemdaId);
    const thisYear = yearOf(this.deps.clock.now(), this.deps.timeZone?.(q.pemdaId) ?? 'WIB');
    let years: number[];
    let candidates: RegisterEntry[];
    if (q.nomor !== undefined) {
      const entry = await register.get(q.nomor);
      years = q.tahun !== undefined ? [q.tahun] : entry ? [entry.year] : [];
      candidates = entry && entry.numberText === q.nomor.replaceAll('\u00a0', ' ') ? [entry] : [];
    } else {
      years = q.tahun !== undefined ? [q.tahun] : Array.from({ length: DEFAULT_SEARCH_YEARS }, (_, i) => thisYear - i);
      candidates = (
        await Promise.all(
          years.map((year) => register.listAll({ year, ...(q.status !== undefined ? { status: q.status } : {}) })),
        )
      ).flat();
    }
    const mitra = q.mitra !== undefined ? fold(q.mitra) : undefined;
    const perihal = q.perihal !== undefined ? fold(q.perihal) : undefined;
    const matching = candidates
      .filter(
        (e) =>
          (q.tahun === undefined || e.year === q.tahun) &&
          (q.status === undefined || e.status === q.status) &&
          (mitra === undefined || e.parties.some((p) => fold(p).includes(mitra))) &&
          (perihal === undefined || fold(e.perihal ?? '').includes(perihal)),
      )
      .sort(newestEntryFirst);
    const limit = q.limit ?? MAX_SEARCH_RESULTS;
    const shown = matching.slice(0, limit);
    const copies = await mapBounded(shown, LOOKUP_CONCURRENCY, (entry) => this.copiesOf(q.pemdaId, entry));
    return {
      items: shown.map((entry, i) => ({ entry, copies: copies[i]! })),
      truncated: matching.length > shown.length,
      matched: matching.length,
      years,
    };
  }

  /**
   * A short-lived link to a stored copy, for `who`. The download is written to the history of the document's case
   * before the link is returned: a link nobody logged is never handed out. `via` names where it was asked for
   * (`arsip` for the console's archive pages), recorded as `melalui`.
   */
  async downloadLink(docId: string, who: Downloader, alasan?: string, via?: string): Promise<DownloadLink> {
    const { who: person, alasan: reason } = parseOrThrow(
      DownloadRequestSchema,
      { who, ...(alasan !== undefined ? { alasan } : {}) },
      DOWNLOAD_REQUEST_LABELS,
    );
    const record = await this.mustGet(docId);
    const at = this.deps.clock.now();
    const expiresAt = new Date(at.getTime() + this.linkSeconds * 1000).toISOString();
    const url = await this.deps.documents.downloadUrl(record, this.linkSeconds);
    await recordDownload(this.deps, {
      caseId: record.caseId,
      // The history's person shape names the role `jabatan`.
      who: { id: person.id, nama: person.nama, jabatan: person.peran },
      what: { docId: record.docId, jenis: record.kind, ...(record.nomor ? { nomor: record.nomor } : {}) },
      seconds: this.linkSeconds,
      ...(via !== undefined ? { via } : {}),
      ...(reason !== undefined ? { reason } : {}),
    });
    return { url, expiresAt, record };
  }

  /** The logged downloads of a document, newest first. */
  async downloads(docId: string): Promise<DownloadLogEntry[]> {
    const record = await this.mustGet(docId);
    const history = await this.deps.store.listHistory(record.caseId);
    return history
      .filter((e) => e.type === 'dokumen-diunduh' && e.detail?.['docId'] === record.docId)
      .sort((a, b) => b.at.localeCompare(a.at) || b.eventKey.localeCompare(a.eventKey))
      .map((e) => {
        const alasan = e.detail?.['alasan'];
        const berlaku = e.detail?.['berlakuDetik'];
        return {
          eventKey: e.eventKey,
          at: e.at,
          who: { id: e.who?.id ?? '', nama: e.who?.nama ?? '', peran: e.who?.jabatan ?? '' },
          ...(typeof alasan === 'string' ? { alasan } : {}),
          ...(typeof berlaku === 'number' ? { berlakuDetik: berlaku } : {}),
        };
      });
  }

  private async mustGet(docId: string): Promise<DocumentRecord> {
    const id = typeof docId === 'string' ? docId.trim() : '';
    const record = id ? await this.deps.documents.get(id) : undefined;
    if (!record)
      throw new SepakatError(ErrorNames.NotFound, `Dokumen ${id || '(kosong)'} tidak ditemukan di arsip`, {
        code: 'DokumenTidakDitemukan',
      });
    return record;
  }

  private async copiesOf(pemdaId: string, entry: RegisterEntry): Promise<ArchivedCopies> {
    // The byNomor index is shared by every pemda, and two pemdas' patterns may write the same text.
    const records = (await this.deps.documents.listByNomor(entry.numberText)).filter((d) =>
      d.pemdaId !== undefined ? d.pemdaId === pemdaId : d.caseId === entry.caseId,
    );
    return groupCopies(records);
  }
}

/** Sorts copies into the groups archivists look for, each newest first. */
export function groupCopies(records: readonly DocumentRecord[]): ArchivedCopies {
  const groups: ArchivedCopies = { signed: [], partner: [], scans: [], riwayat: [], other: [] };
  for (const d of [...records].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.docId.localeCompare(b.docId)))
    groups[groupOf(d)].push(d);
  return groups;
}

function groupOf(d: DocumentRecord): keyof ArchivedCopies {
  if (d.kind === 'naskah-ditandatangani') return 'signed';
  if (d.kind === 'naskah-para-pihak') return 'partner';
  if (d.kind === 'lembar-riwayat') return 'riwayat';
  // The scan of the copy the partner signed on paper (document-work's partnerSignature).
  if (d.kind === 'arsip-pindai') return d.meta?.['cara'] === 'kertas' ? 'partner' : 'scans';
  return 'other';
}

function newestEntryFirst(a: RegisterEntry, b: RegisterEntry): number {
  return b.year - a.year || b.reservedAt.localeCompare(a.reservedAt) || b.n - a.n;
}

/** Case- and accent-insensitive form for substring matching ("Kabupaten  KEDIRI" ~ "kabupaten kediri"). */
function fold(value: string): string {
  return value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
