import type { TimeZone } from '../calendar/calendar-schema.ts';
import { recordDownload } from '../case/downloads.ts';
import type { CaseStore, Clock } from '../case/model.ts';
import type { DirectoryData } from '../directory/directory.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import { formatTanggalWaktu } from '../format/tanggal.ts';
import type { Renderer } from '../ports.ts';
import { perubahanNaskah, type PerubahanView, type TextView } from './diff-view.ts';
import type { NaskahContent } from './content.ts';

/**
 * The Lembar Perbandingan Naskah: the reviewer's diff on paper, as the matrix officials know ("ketentuan | teks
 * dengan perubahan ditandai | keterangan"), under the pemda's kop, with the case, the two versions, the summary and
 * the legend, page numbers "Halaman x dari y". Printed through the exports (`templates/exports/perbandingan-naskah.hbs`,
 * the Chromium renderer), from the same view the task page shows (core/naskah/diff-view.ts).
 */

export interface SheetRow {
  /** "Pasal 6", "Pasal 6 ayat (2)", "Judul naskah", "Pertimbangan b." */
  ketentuan: string;
  /** The heading row of a pasal (its judul). */
  kepala: boolean;
  teks: TextView;
  en: TextView | null;
  keterangan: string | null;
}

export interface ComparisonSheetView {
  title: string;
  kop: readonly string[];
  alamat?: string;
  rincian: { label: string; nilai: string }[];
  perbandingan: string;
  ringkasan: string;
  keterangan: string;
  adaPerubahan: boolean;
  rows: SheetRow[];
  pasalTetap: string | null;
  dicetak: string;
}

/** The rows of the matrix, in the order of the naskah. */
export function sheetRows(p: PerubahanView): SheetRow[] {
  const rows: SheetRow[] = [];
  if (p.jenis)
    rows.push({ ketentuan: 'Jenis naskah', kepala: false, teks: plain(p.jenis), en: null, keterangan: null });
  if (p.tentang)
    rows.push({
      ketentuan: 'Judul naskah',
      kepala: false,
      teks: p.tentang.teks,
      en: p.tentang.en,
      keterangan: 'diubah',
    });
  for (const x of p.induk ?? [])
    rows.push({
      ketentuan: `Naskah yang diubah, ${x.label.toLowerCase()}`,
      kepala: false,
      teks: x.nilai,
      en: null,
      keterangan: 'diubah',
    });
  for (const [list, name] of [
    [p.pertimbangan, 'Pertimbangan'],
    [p.dasar, 'Dasar hukum'],
  ] as const)
    for (const x of list ?? [])
      rows.push({
        ketentuan: `${name} ${x.nomor ?? ''}`.trim(),
        kepala: false,
        teks: x.teks,
        en: x.en,
        keterangan: x.label,
      });
  for (const pasal of p.pasal) {
    const keterangan = [pasal.label, pasal.rincian].filter(Boolean).join('; ');
    rows.push({ ketentuan: pasal.nomor, kepala: true, teks: pasal.judul, en: pasal.judulEn, keterangan });
    if (pasal.mengubah)
      rows.push({
        ketentuan: `${pasal.nomor}, yang diubah`,
        kepala: false,
        teks: pasal.mengubah,
        en: null,
        keterangan: null,
      });
    for (const a of pasal.ayat)
      rows.push({
        ketentuan: a.nomor ? `${pasal.nomor} ayat ${a.nomor}` : pasal.nomor,
        kepala: false,
        teks: a.teks,
        en: a.en,
        keterangan: a.label,
      });
  }
  return rows;
}

const plain = (teks: string): TextView => ({
  baris: [{ butir: false, segmen: [{ teks, tambah: false, hapus: false }] }],
});

export interface SheetContext {
  kop: readonly string[];
  alamat?: string;
  perihal: string;
  caseId: string;
  /** Who the comparison was made for (the reviewer). */
  untuk: { nama: string; jabatan: string };
  dicetak: Date;
  timeZone: TimeZone;
}

export function comparisonSheetView(p: PerubahanView, ctx: SheetContext): ComparisonSheetView {
  return {
    title: 'LEMBAR PERBANDINGAN NASKAH',
    kop: ctx.kop,
    ...(ctx.alamat ? { alamat: ctx.alamat } : {}),
    rincian: [
      { label: 'Perihal', nilai: ctx.perihal },
      { label: 'Nomor kasus', nilai: ctx.caseId },
      ...p.versi,
      { label: 'Disiapkan untuk', nilai: `${ctx.untuk.nama} (${ctx.untuk.jabatan})` },
    ],
    perbandingan: p.perbandingan,
    ringkasan: p.ringkasan,
    keterangan: p.keterangan,
    adaPerubahan: p.adaPerubahan,
    rows: sheetRows(p),
    pasalTetap: p.pasalTetap,
    dicetak: `Dicetak ${formatTanggalWaktu(ctx.dicetak, ctx.timeZone)} oleh Sepakat.`,
  };
}

export interface ComparisonSheetDeps {
  store: Pick<CaseStore, 'getCase' | 'listHistory' | 'appendHistory'>;
  pemda(pemdaId: string): { directory: { data: DirectoryData } };
  renderer(): Pick<Renderer, 'printExport'>;
  clock: Clock;
}

export interface ComparisonSheetInput {
  caseId: string;
  /** The reviewer: the task's bound person. */
  person: { id: string; nama: string; jabatan: string };
  /** Where it was asked for (`tautan tugas`), for the case history. */
  via: string;
  /** Version 0 (the outline filled with the case), when the caller has it. */
  awal?: NaskahContent;
  current?: number;
}

export interface ComparisonSheet {
  pdf: Uint8Array;
  fileName: string;
  versiSebelum: number;
  versiSesudah: number;
}

/**
 * The Lembar Perbandingan Naskah of a reviewer as a PDF on the pemda's paper: the same comparison as their task page
 * (from the last version they acted on, or else the previous one, to the current one), handed out as a download and
 * so recorded in the case history (core/case/downloads.ts: who, which versions, through which page). Called on a
 * POST, never on a GET.
 */
export async function printComparisonSheet(
  deps: ComparisonSheetDeps,
  input: ComparisonSheetInput,
): Promise<ComparisonSheet> {
  const record = await deps.store.getCase(input.caseId);
  if (!record) throw new SepakatError(ErrorNames.NotFound, `Kasus ${input.caseId} tidak ditemukan`);
  const { pemda } = deps.pemda(record.pemdaId).directory.data;
  const timeZone = pemda.jamKerja.timeZone;
  const perubahan = perubahanNaskah({
    history: await deps.store.listHistory(input.caseId),
    personId: input.person.id,
    timeZone,
    ...(input.awal ? { awal: input.awal } : {}),
    ...(input.current !== undefined ? { current: input.current } : {}),
  });
  if (!perubahan)
    throw new SepakatError(ErrorNames.NotFound, 'Belum ada dua versi naskah yang dapat dibandingkan pada kasus ini');
  const view = comparisonSheetView(perubahan, {
    kop: pemda.kop,
    ...(pemda.alamat ? { alamat: pemda.alamat } : {}),
    perihal: record.perihal,
    caseId: record.caseId,
    untuk: input.person,
    dicetak: deps.clock.now(),
    timeZone,
  });
  let pdf: Uint8Array;
  try {
    pdf = await deps
      .renderer()
      .printExport('perbandingan-naskah', view, { paper: pemda.dokumen.kertas, pageNumbers: true });
  } catch (error) {
    if (error instanceof SepakatError) throw error;
    throw new SepakatError(ErrorNames.Transient, 'Lembar Perbandingan Naskah gagal dicetak ke PDF', { cause: error });
  }
  const { versiSebelum, versiSesudah } = perubahan;
  await recordDownload(deps, {
    caseId: record.caseId,
    who: { id: input.person.id, nama: input.person.nama, jabatan: input.person.jabatan },
    what: { jenis: 'lembar-perbandingan-naskah', versi: `${versiSebelum}-${versiSesudah}` },
    seconds: 0,
    via: input.via,
    how: 'unduh',
  });
  return {
    pdf,
    fileName: `perbandingan-naskah-${record.caseId}-versi-${versiSebelum}-${versiSesudah}.pdf`,
    versiSebelum,
    versiSesudah,
  };
}
