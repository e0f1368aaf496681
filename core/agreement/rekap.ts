import { addDays } from '../calendar/zone.ts';
import { tanggalPanjang } from '../format/tanggal.ts';
import {
  JENIS_LABEL,
  REKOMENDASI_LABEL,
  STATUS_LABEL,
  type AgreementRecord,
  type RekomendasiMonev,
} from './agreement-model.ts';
import { statusOn } from './lifecycle.ts';

/**
 * The annual report of a pemda's agreements (laporan tahunan pelaksanaan kerja sama daerah): what was in force in the
 * year, the reports received and missed, and the monev results. The kepala daerah reports it to the DPRD and to the
 * Menteri Dalam Negeri through the Gubernur (Permendagri 22/2020); foreign cooperation also to the Ministry of
 * Finance and the BPK (step 23 of the Bandung SOP). Pure: the rows are gathered by the caller.
 */
export interface RekapBaris {
  agreement: AgreementRecord;
  laporanDiterima: number;
  laporanTerlewat: number;
  /** The monev of the year, in order. */
  monev: { label: string; rekomendasi: RekomendasiMonev }[];
}

export interface Rekap {
  pemda: { nama: string; kop: readonly string[]; alamat?: string };
  tahun: number;
  baris: RekapBaris[];
  /** Where it goes: the DPRD, the Mendagri through the Gubernur, and for foreign cooperation Kemenkeu and BPK. */
  kepada: string[];
  dibuatPada: string;
}

/** Whether an agreement was in force at some time during `tahun`. */
export function inForceDuring(a: AgreementRecord, tahun: number): boolean {
  const from = `${tahun}-01-01`;
  const to = `${tahun}-12-31`;
  // A closed agreement was in force until the day before it was closed (and never past its term).
  const closedOn = a.status !== 'berlaku' && a.ditutupPada ? addDays(a.ditutupPada, -1) : a.berakhir;
  const end = closedOn < a.berakhir ? closedOn : a.berakhir;
  return a.mulai <= to && end >= from && end >= a.mulai;
}

/** Who receives the annual report of a pemda whose agreements include foreign cooperation (`luarNegeri`). */
export function recipientsOf(pemdaNama: string, luarNegeri: boolean): string[] {
  const kepala = /^Pemerintah\s+/i.test(pemdaNama) ? pemdaNama.replace(/^Pemerintah\s+/i, '') : pemdaNama;
  return [
    `Ketua Dewan Perwakilan Rakyat Daerah ${kepala}`,
    'Menteri Dalam Negeri melalui Gubernur',
    ...(luarNegeri
      ? ['Menteri Keuangan c.q. Direktur Jenderal Pengelolaan Pembiayaan dan Risiko', 'Badan Pemeriksa Keuangan']
      : []),
  ];
}

/** One agreement of the annual report as printed (`templates/exports/laporan-tahunan.hbs`); plain text. */
export interface RekapBarisView {
  no: number;
  nomor: string;
  jenis: string;
  mitra: string;
  perihal: string;
  /** Induk, adendum: "Melaksanakan …", "Adendum atas …", "Diubah dengan …". */
  tautan: string[];
  jangkaWaktu: string;
  status: string;
  /** "sejak 1 Maret 2027" for an agreement closed before its term. */
  sejak?: string;
  laporanDiterima: number;
  laporanTerlewat: number;
  monev: string[];
}

export interface RekapView {
  tahun: number;
  pemdaNama: string;
  kop: readonly string[];
  alamat?: string;
  kepada: string[];
  rows: RekapBarisView[];
  ringkasan: string;
  dibuat: string;
}

/** What the annual report shows: the view its template prints. */
export function rekapView(rekap: Rekap): RekapView {
  const akhirTahun = `${rekap.tahun}-12-31`;
  const rows = rekap.baris.map((b, i): RekapBarisView => {
    const a = b.agreement;
    return {
      no: i + 1,
      nomor: a.nomor,
      jenis: JENIS_LABEL[a.jenis],
      mitra: a.mitra,
      perihal: a.perihal,
      tautan: [
        a.induk ? `Melaksanakan ${a.induk}` : '',
        a.adendumDari ? `Adendum atas ${a.adendumDari}` : '',
        a.adendum.length ? `Diubah dengan ${a.adendum.join(', ')}` : '',
      ].filter(Boolean),
      jangkaWaktu: `${tanggalPanjang(a.mulai)} s.d. ${tanggalPanjang(a.berakhir)}`,
      status: STATUS_LABEL[statusOn(a, akhirTahun)],
      ...(a.status !== 'berlaku' && a.ditutupPada ? { sejak: `sejak ${tanggalPanjang(a.ditutupPada)}` } : {}),
      laporanDiterima: b.laporanDiterima,
      laporanTerlewat: b.laporanTerlewat,
      monev: b.monev.map((m) => `${m.label}: ${REKOMENDASI_LABEL[m.rekomendasi]}`),
    };
  });
  const diterima = rekap.baris.reduce((n, b) => n + b.laporanDiterima, 0);
  const terlewat = rekap.baris.reduce((n, b) => n + b.laporanTerlewat, 0);
  return {
    tahun: rekap.tahun,
    pemdaNama: rekap.pemda.nama,
    kop: rekap.pemda.kop,
    ...(rekap.pemda.alamat ? { alamat: rekap.pemda.alamat } : {}),
    kepada: rekap.kepada,
    rows,
    ringkasan: `Jumlah ${rekap.baris.length} kerja sama; ${diterima} laporan pelaksanaan diterima, ${terlewat} laporan terlewat.`,
    dibuat: `Dibuat pada ${tanggalPanjang(rekap.dibuatPada)} oleh Sepakat dari register kerja sama daerah.`,
  };
}
