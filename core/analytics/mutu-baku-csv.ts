import { toCsv, type CsvCell } from '../format/csv.ts';
import type { MutuBakuReport } from './mutu-baku.ts';

/**
 * The Mutu Baku figures as CSV (core/format/csv.ts: the format Indonesian Excel reads), Indonesian headers; durations
 * in working minutes with at most one decimal, shares in percent.
 */
export const MUTU_BAKU_CSV_HEADERS = [
  'SOP',
  'No.',
  'Langkah',
  'Uraian',
  'Pelaksana',
  'Pihak Luar',
  'Jumlah Pelaksanaan',
  'Jumlah Kasus',
  'Pengulangan',
  'Median (menit kerja)',
  'Persentil 90 (menit kerja)',
  'Rata-rata (menit kerja)',
  'Maksimum (menit kerja)',
  'Mutu Baku Waktu',
  'Mutu Baku Batas Atas (menit kerja)',
  'Dinilai',
  'Tepat Waktu',
  'Terlambat',
  'Persen Tepat Waktu',
] as const;

/** At most one decimal; nothing for none. */
const satuDesimal = (n: number | null | undefined): CsvCell =>
  n === null || n === undefined || !Number.isFinite(n) ? undefined : Math.round(n * 10) / 10;

export function mutuBakuCsv(report: MutuBakuReport): string {
  return toCsv(
    MUTU_BAKU_CSV_HEADERS,
    report.sops.flatMap((sop) =>
      [...sop.steps, ...sop.external].map((r): CsvCell[] => [
        sop.nama,
        r.no,
        r.link ? `${r.stepId} (${r.link})` : r.stepId,
        r.label,
        r.jabatan,
        r.external ? 'ya' : 'tidak',
        r.n,
        r.cases,
        r.repeats,
        satuDesimal(r.medianMinutes),
        satuDesimal(r.p90Minutes),
        satuDesimal(r.meanMinutes),
        satuDesimal(r.maxMinutes),
        r.standard?.raw,
        satuDesimal(r.standard?.maxMenit),
        r.measured,
        r.onTime,
        r.late,
        r.shareOnTime === null ? undefined : satuDesimal(r.shareOnTime * 100),
      ]),
    ),
  );
}
