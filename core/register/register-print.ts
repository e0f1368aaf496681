import { formatJam, formatTanggal, tanggalPanjang, waktuIso } from '../format/tanggal.ts';
import { REGISTER_STATUSES, STATUS_LABEL, type RegisterEntry, type RegisterStatus } from './numbering.ts';
import type { ExportOptions } from './register-csv.ts';

/**
 * What the printed register shows (buku register kerja sama, A4 landscape): the view of
 * `templates/exports/register.hbs`, which the renderer prints. Every text here is plain text; the template escapes it.
 */
export interface RegisterKop {
  /** Kop lines: PEMERINTAH KOTA …, SEKRETARIAT DAERAH, BAGIAN … (as the pemda directory's `pemda.kop`). */
  kop: readonly string[];
  alamat?: string;
}

export interface PrintOptions extends ExportOptions {
  /** Heading; default "BUKU REGISTER NASKAH KERJA SAMA". */
  title?: string;
  /** Subheading, e.g. "Tahun 2026 · Perjanjian Kerja Sama". */
  subtitle?: string;
  /** Printed-on date for the footer (the clock is the caller's). */
  printedAt?: Date;
}

export interface RegisterPrintRow {
  no: number;
  status: RegisterStatus;
  nomor: string;
  seri: string;
  tanggal: string[];
  pihak: string[];
  perihal: string;
  statusLabel: string;
  asli?: { lokasi: string; rangkap: string };
  keterangan: string[];
}

export interface RegisterPrintView {
  title: string;
  subtitle?: string;
  kop: readonly string[];
  alamat?: string;
  rows: RegisterPrintRow[];
  ringkasan: string;
  dicetak?: string;
}

export function registerPrintView(
  entries: readonly RegisterEntry[],
  kop: RegisterKop,
  options: PrintOptions = {},
): RegisterPrintView {
  const tz = options.timeZone ?? 'WIB';
  const counts = Object.fromEntries(REGISTER_STATUSES.map((s) => [s, entries.filter((e) => e.status === s).length]));
  const rows = entries.map((e, i): RegisterPrintRow => {
    const perjanjian = options.agreement?.(e.numberText);
    return {
      no: i + 1,
      status: e.status,
      nomor: e.numberText,
      seri: options.seriesLabels?.[e.series] ?? e.series,
      tanggal: [
        e.dates.document ? `Naskah: ${tanggalPanjang(e.dates.document)}` : '',
        e.dates.signed ? `Ditandatangani: ${tanggalPanjang(e.dates.signed)}` : '',
        e.dates.validFrom || e.dates.validUntil
          ? `Berlaku: ${tanggalPanjang(e.dates.validFrom) || '…'} s.d. ${tanggalPanjang(e.dates.validUntil) || '…'}`
          : '',
      ].filter(Boolean),
      pihak: e.parties,
      perihal: e.perihal ?? '',
      statusLabel: STATUS_LABEL[e.status],
      ...(e.original ? { asli: { lokasi: e.original.location, rangkap: e.original.copy } } : {}),
      keterangan: [
        perjanjian ? `Perjanjian: ${perjanjian.status}` : '',
        perjanjian?.berikutnya ? `Berikutnya: ${perjanjian.berikutnya}` : '',
        e.status === 'dibatalkan' && e.voidReason ? `Alasan pembatalan: ${e.voidReason}` : '',
        e.caseId ? `Kasus ${e.caseId}${e.purpose ? ` (${e.purpose})` : ''}` : '',
        `Dicadangkan ${waktuIso(e.reservedAt, tz)} ${tz}`,
      ].filter(Boolean),
    };
  });
  return {
    title: options.title ?? 'BUKU REGISTER NASKAH KERJA SAMA',
    ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    kop: kop.kop,
    ...(kop.alamat ? { alamat: kop.alamat } : {}),
    rows,
    ringkasan:
      `Jumlah ${entries.length} nomor: ${counts.dipakai} dipakai, ${counts.dicadangkan} dicadangkan, ` +
      `${counts.dibatalkan} dibatalkan, ${counts.srikandi} dari SRIKANDI.`,
    ...(options.printedAt
      ? {
          dicetak: `Dicetak pada ${formatTanggal(options.printedAt, tz)} pukul ${formatJam(options.printedAt, tz)} ${tz}.`,
        }
      : {}),
  };
}
