import type { TimeZone } from '../calendar/calendar-schema.ts';
import { csvTanggal, csvWaktu, toCsv } from '../format/csv.ts';
import { STATUS_LABEL, type RegisterEntry } from './numbering.ts';

/** What the register's exports (CSV and PDF) may add to the entries. */
export interface ExportOptions {
  /** Time zone for timestamps (default WIB). */
  timeZone?: TimeZone;
  /** Series labels by id (default: the id). */
  seriesLabels?: Record<string, string>;
  /**
   * The agreement a number belongs to, as core/agreement reads it: its status and next due item (CSV columns
   * "Status Perjanjian" and "Kewajiban Berikutnya", lines of the PDF's Keterangan). Absent: no such columns.
   */
  agreement?: (numberText: string) => { status: string; berikutnya?: string } | undefined;
}

export const CSV_HEADERS = [
  'No.',
  'Nomor Naskah',
  'Seri',
  'Tahun',
  'Nomor Urut',
  'Status',
  'Sumber Nomor',
  'ID Kasus',
  'Keperluan',
  'Para Pihak',
  'Perihal',
  'Tanggal Naskah',
  'Tanggal Penandatanganan',
  'Berlaku Mulai',
  'Berlaku Sampai',
  'Tempat Penyimpanan Naskah Asli',
  'Naskah Asli (Rangkap)',
  'Alasan Pembatalan',
  'Dicadangkan Pada',
  'Dipakai Pada',
  'Dibatalkan Pada',
] as const;

export const AGREEMENT_CSV_HEADERS = ['Status Perjanjian', 'Kewajiban Berikutnya'] as const;

/** The register as CSV (core/format/csv.ts): Indonesian headers, one row per entry in the order given. */
export function registerToCsv(entries: readonly RegisterEntry[], options: ExportOptions = {}): string {
  const tz = options.timeZone ?? 'WIB';
  const agreement = options.agreement;
  return toCsv(
    [...CSV_HEADERS, ...(agreement ? AGREEMENT_CSV_HEADERS : [])],
    entries.map((e, i) => [
      i + 1,
      e.numberText,
      options.seriesLabels?.[e.series] ?? e.series,
      e.year,
      e.n,
      STATUS_LABEL[e.status],
      e.source === 'srikandi' ? 'SRIKANDI' : 'Sepakat',
      e.caseId,
      e.purpose,
      e.parties.join('; '),
      e.perihal,
      csvTanggal(e.dates.document),
      csvTanggal(e.dates.signed),
      csvTanggal(e.dates.validFrom),
      csvTanggal(e.dates.validUntil),
      e.original?.location,
      e.original?.copy,
      e.voidReason,
      csvWaktu(e.reservedAt, tz),
      csvWaktu(e.usedAt, tz),
      csvWaktu(e.voidedAt, tz),
      ...(agreement ? [agreement(e.numberText)?.status, agreement(e.numberText)?.berikutnya] : []),
    ]),
  );
}
