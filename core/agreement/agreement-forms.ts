import { z } from 'zod';
import type { AgreementStatus, AgreementRecord } from './agreement-model.ts';
import type { MonitoringItem } from './monitoring-item.ts';
import type { CaseRecord } from '../case/model.ts';
import type { DocumentRecord } from '../documents/document-record.ts';
import type { Labels } from '../validation/issues.ts';
import { catatan, teks } from '../validation/text.ts';

/**
 * The forms of an agreement's life (the report and monev forms of `/pantau/…`, the administrator's actions) and what
 * the use cases answer with.
 */

/** One agreement as the register, the archive page and the CLI show it (dates YYYY-MM-DD). */
export interface AgreementSummary {
  nomor: string;
  jenis: string;
  perihal: string;
  mitra: string;
  caseId: string;
  status: AgreementStatus;
  mulai: string;
  berakhir: string;
  alasanBerakhir?: string;
  induk?: string;
  /** The agreements that implement this one (a Kesepakatan Bersama's PKS). */
  pelaksanaan?: string[];
  adendum: string[];
  adendumDari?: string;
  berikutnya?: { jenis: string; label: string; jatuhTempo: string; perkiraan: boolean };
}

/** What a report or monev link opens to, or why it does not. */
export type LinkProblem =
  | { problem: 'rusak' }
  | { problem: 'orang-lain' | 'diganti' | 'kedaluwarsa' | 'ditutup' | 'batas-tautan'; item: MonitoringItem }
  | { problem: 'selesai'; item: MonitoringItem; sameSubmission: boolean };

export interface LinkView {
  item: MonitoringItem;
  agreement: AgreementRecord;
  record: CaseRecord;
}

export type FormErrors = Record<string, string>;

export type SubmitResult =
  | LinkProblem
  | { result: 'tidak-valid'; view: LinkView; errors: FormErrors; form: Record<string, string> }
  | { result: 'diterima'; view: LinkView; item: MonitoringItem; document?: DocumentRecord };

/** The fields of the report form (names as the page posts them). */
export const LAPORAN_FIELDS = [
  'kegiatan',
  'capaian',
  'kendala',
  'rencana',
  'anggaran',
  'nama',
  'jabatan',
  'nip',
  'pangkat',
] as const;

/**
 * The text of the report form, each field with its label as the page shows it (templates/pages/pantau-laporan.hbs).
 * Required fields and the NIP's format are checked in `submit`, with messages that say what to write.
 */
export const LAPORAN_FORM = z.object({
  kegiatan: catatan('Kegiatan yang dilaksanakan', { max: 4000 }),
  capaian: catatan('Capaian', { max: 4000 }),
  kendala: catatan('Kendala', { max: 4000 }),
  rencana: catatan('Rencana tindak lanjut', { max: 4000 }),
  anggaran: teks('Realisasi anggaran', { max: 4000 }),
  nama: teks('Nama', { max: 4000 }),
  jabatan: teks('Jabatan', { max: 4000 }),
  nip: teks('NIP', { max: 4000 }),
  pangkat: teks('Pangkat/golongan', { max: 4000 }),
}) satisfies z.ZodType<Record<(typeof LAPORAN_FIELDS)[number], string>>;
export const LAPORAN_LABELS: Labels = {
  '': 'Formulir laporan pelaksanaan',
  kegiatan: 'Kegiatan yang dilaksanakan',
  capaian: 'Capaian',
  kendala: 'Kendala',
  rencana: 'Rencana tindak lanjut',
  anggaran: 'Realisasi anggaran',
  nama: 'Nama',
  jabatan: 'Jabatan',
  nip: 'NIP',
  pangkat: 'Pangkat/golongan',
};

/** The monev form (templates/pages/pantau-monev.hbs); the date and the recommendation are checked in `submit`. */
export const MONEV_FORM = z.object({
  tanggal: teks('Tanggal monitoring dan evaluasi', { max: 20 }),
  rekomendasi: teks('Rekomendasi', { max: 40 }),
  catatan: catatan('Catatan', { max: 4000 }),
});
export const MONEV_LABELS: Labels = {
  '': 'Formulir monitoring dan evaluasi',
  tanggal: 'Tanggal monitoring dan evaluasi',
  rekomendasi: 'Rekomendasi',
  catatan: 'Catatan',
};

/** The administrator's forms on the agreement page (templates/pages/perjanjian.hbs). */
export const AKHIRI_FORM = z.object({
  alasan: teks('Alasan', { max: 100 }),
  catatan: catatan('Catatan', { max: 2000 }).optional(),
});
export const BATAL_FORM = z.object({ alasan: catatan('Alasan', { max: 2000 }) });
export const ADENDUM_FORM = z.object({
  sopId: teks('SOP penyusunan adendum', { min: 1, max: 200 }),
  perihal: teks('Perihal', { max: 500 }).optional(),
  berakhirBaru: teks('Tanggal berakhir baru', { max: 20 }).optional(),
});
export const AGREEMENT_ACTION_LABELS: Labels = {
  '': 'Formulir perjanjian',
  alasan: 'Alasan',
  catatan: 'Catatan',
  sopId: 'SOP penyusunan adendum',
  perihal: 'Perihal',
  berakhirBaru: 'Tanggal berakhir baru',
};

/** How many times an expired report or monev link may be renewed, and how long a renewed link lives (days). */
export const MAX_LINK_RENEWALS = 3;
export const RENEWED_LINK_DAYS = 14;
