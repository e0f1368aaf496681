import { addDays } from '../calendar/zone.ts';
import { tanggalSurat } from '../documents/common.ts';
import { escapeHtml } from '../register/numbering.ts';
import { JENIS_LABEL, REKOMENDASI_LABEL, STATUS_LABEL, type AgreementRecord, type RekomendasiMonev } from './model.ts';
import { statusOn } from './lifecycle.ts';
import { TABLE_REPORT_CSS } from '../documents/report-css.ts';

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

export function rekapToHtml(rekap: Rekap): string {
  const h = escapeHtml;
  const akhirTahun = `${rekap.tahun}-12-31`;
  const rows = rekap.baris.map((b, i) => {
    const a = b.agreement;
    const status = statusOn(a, akhirTahun);
    const links = [
      a.induk ? `Melaksanakan ${a.induk}` : '',
      a.adendumDari ? `Adendum atas ${a.adendumDari}` : '',
      a.adendum.length ? `Diubah dengan ${a.adendum.join(', ')}` : '',
    ].filter(Boolean);
    return `<tr>
<td class="angka">${i + 1}</td>
<td class="nomor">${h(a.nomor)}<br><span class="kecil">${h(JENIS_LABEL[a.jenis])}</span></td>
<td>${h(a.mitra)}</td>
<td>${h(a.perihal)}${links.length ? `<br><span class="kecil">${links.map(h).join('<br>')}</span>` : ''}</td>
<td>${h(tanggalSurat(a.mulai))} s.d. ${h(tanggalSurat(a.berakhir))}</td>
<td>${h(STATUS_LABEL[status])}${a.status !== 'berlaku' && a.ditutupPada ? `<br><span class="kecil">sejak ${h(tanggalSurat(a.ditutupPada))}</span>` : ''}</td>
<td class="angka">${b.laporanDiterima}</td>
<td class="angka">${b.laporanTerlewat}</td>
<td>${b.monev.length ? b.monev.map((m) => `${h(m.label)}: ${h(REKOMENDASI_LABEL[m.rekomendasi])}`).join('<br>') : '-'}</td>
</tr>`;
  });
  const jumlah = rekap.baris.length;
  const diterima = rekap.baris.reduce((n, b) => n + b.laporanDiterima, 0);
  const terlewat = rekap.baris.reduce((n, b) => n + b.laporanTerlewat, 0);
  return `<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>Laporan Tahunan Kerja Sama Daerah ${rekap.tahun}</title>
<style>
${TABLE_REPORT_CSS}
.kecil { font-size: 7.5pt; font-weight: normal; }
.kepada ol { margin: 2pt 0 8pt; }
.ringkasan { margin-top: 6pt; }
</style>
</head>
<body>
<header class="kop">
${rekap.pemda.kop.map((line) => `<div>${h(line)}</div>`).join('\n')}
${rekap.pemda.alamat ? `<div class="alamat">${h(rekap.pemda.alamat)}</div>` : ''}
</header>
<h1>LAPORAN PELAKSANAAN KERJA SAMA DAERAH TAHUN ${rekap.tahun}</h1>
<div class="subjudul">${h(rekap.pemda.nama)}</div>
<div class="kepada">Disampaikan kepada:<ol>${rekap.kepada.map((k) => `<li>${h(k)}</li>`).join('')}</ol></div>
<table>
<colgroup><col style="width:4%"><col style="width:15%"><col style="width:14%"><col style="width:19%"><col style="width:13%"><col style="width:9%"><col style="width:7%"><col style="width:7%"><col style="width:12%"></colgroup>
<thead><tr><th>No.</th><th>Nomor dan Jenis Naskah</th><th>Mitra</th><th>Perihal</th><th>Jangka Waktu</th><th>Status akhir tahun</th><th>Laporan diterima</th><th>Laporan terlewat</th><th>Monitoring dan evaluasi</th></tr></thead>
<tbody>
${rows.length ? rows.join('\n') : '<tr><td colspan="9" style="text-align:center">Tidak ada kerja sama yang berlaku pada tahun ini.</td></tr>'}
</tbody>
</table>
<div class="ringkasan">Jumlah ${jumlah} kerja sama; ${diterima} laporan pelaksanaan diterima, ${terlewat} laporan terlewat.</div>
<div class="ringkasan">Dibuat pada ${h(tanggalSurat(rekap.dibuatPada))} oleh Sepakat dari register kerja sama daerah.</div>
</body>
</html>
`;
}
