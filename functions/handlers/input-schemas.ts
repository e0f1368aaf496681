import { z } from 'zod';
import {
  ADENDUM_FORM,
  AGREEMENT_ACTION_LABELS,
  AKHIRI_FORM,
  BATAL_FORM,
  LAPORAN_FORM,
  LAPORAN_LABELS,
  MONEV_FORM,
  MONEV_LABELS,
} from '../../core/agreement/agreement-forms.ts';
import { ALASAN_KASUS, PENERIMA_TUGAS } from '../../core/case/case-admin.ts';
import { MANIFEST_LABELS, ManifestSchema } from '../../core/case/intake.ts';
import { CATATAN_TUGAS } from '../../core/case/task-actions.ts';
import type { Labels } from '../../core/validation/issues.ts';
import { teks } from '../../core/validation/text.ts';
import {
  ARCHIVE_QUERY_LABELS,
  ArchiveQuerySchema,
  DOWNLOAD_REQUEST_LABELS,
  DownloadRequestSchema,
} from '../../core/documents/archive-search.ts';

/**
 * Every body and form people send, in one place: the schemas the routes parse with (all text through
 * core/validation/text.ts), the labels their messages use (core/validation/issues.ts), and `INPUT_SCHEMAS`, the
 * registry a table-driven test walks (test/text-input.test.ts): each string of each example must refuse the
 * bidirectional controls with its label and lose the harmless invisible characters. A new body or form is added
 * here, with its example and labels, and is covered without a new test.
 */

/** `POST /tugas/<link>/unggah`: presign the upload of one file field of a task. */
export const UploadRequest = z.object({
  slot: teks('Isian berkas', { min: 1, max: 100 }),
  name: teks('Nama berkas', { min: 1, max: 200 }),
  size: z.number(),
});
export const UPLOAD_REQUEST_LABELS: Labels = {
  '': 'Permintaan unggah',
  slot: 'Isian berkas',
  name: 'Nama berkas',
  size: 'Ukuran berkas',
};

/**
 * `POST /permohonan/siapkan` and `POST /api/permohonan` (one handler; cli/drive.ts is a complete client): the
 * whole form, checked before any upload. Only the shape and the text here; `Intake.prepare` then checks each
 * field as the form names it (`d_<field>` with the SOP's labels, through `checkValue`).
 */
export const SiapkanSchema = z
  .object({
    sopId: teks('SOP', { min: 1, max: 200 }),
    perihal: teks('Perihal', { max: 2000 }),
    pemohon: z
      .object({
        nama: teks('Nama', { max: 400 }),
        email: teks('Email', { max: 400 }),
        instansi: teks('Instansi / perangkat daerah', { max: 600 }),
        telepon: teks('Telepon', { max: 100 }).optional(),
      })
      .strict(),
    data: z.record(z.string(), z.union([z.string().max(8000), z.number(), z.boolean()])),
    files: z
      .array(
        z
          .object({
            slot: teks('Jenis dokumen', { max: 100 }),
            name: teks('Nama berkas', { max: 400 }),
            size: z.number(),
          })
          .strict(),
      )
      .max(20),
  })
  .strict();
export const SIAPKAN_LABELS: Labels = {
  '': 'Formulir permohonan',
  sopId: 'SOP',
  perihal: 'Perihal',
  pemohon: 'Data pemohon',
  'pemohon.nama': 'Nama',
  'pemohon.email': 'Email',
  'pemohon.instansi': 'Instansi / perangkat daerah',
  'pemohon.telepon': 'Telepon',
  data: 'Data permohonan',
  'data.*': 'Data permohonan',
  files: 'Daftar berkas',
  'files.*': 'Berkas ke-{n}',
  'files.*.slot': 'Jenis dokumen berkas ke-{n}',
  'files.*.name': 'Nama berkas ke-{n}',
  'files.*.size': 'Ukuran berkas ke-{n}',
};

/** `POST /masuk`: the email is echoed back on the form; passwords and codes are never cleaned (see the test). */
export const MasukForm = z.object({ email: teks('Email dinas', { max: 254 }) });
export const MASUK_LABELS: Labels = { '': 'Formulir masuk', email: 'Email dinas' };

/** `GET /konsol/mutu-baku`: the filter is echoed back on the page. */
export const MutuBakuQuery = z.object({
  dari: teks('Dari tanggal', { max: 20 }),
  sampai: teks('Sampai tanggal', { max: 20 }),
  sop: teks('SOP', { max: 100 }),
});
export const MUTU_BAKU_LABELS: Labels = {
  '': 'Penyaring Mutu Baku',
  dari: 'Dari tanggal',
  sampai: 'Sampai tanggal',
  sop: 'SOP',
};

/** `GET /konsol/sop/lihat`, `/konsol/sop/dokumen.pdf`, `/konsol/sop/asl.json`: the SOP version a page names. */
export const SopQuery = z.object({
  id: teks('SOP', { max: 100 }),
  versi: teks('Versi SOP', { max: 10 }).optional(),
});
export const SOP_QUERY_LABELS: Labels = { '': 'SOP yang diminta', id: 'SOP', versi: 'Versi SOP' };

/** `POST /verifikasi`: the uploaded file's name is shown with the result. */
export const VerifikasiUnggah = z.object({ berkas: teks('Nama berkas', { max: 255 }) });
export const VERIFIKASI_LABELS: Labels = { '': 'Unggahan verifikasi', berkas: 'Nama berkas' };

/** One body or form people send: where it enters, its schema, a valid example, and its labels. */
export interface InputSchemaEntry {
  /** Where it enters, as routes and commands name it. */
  name: string;
  schema: z.ZodType;
  /** A valid input: every string in it is a field the test injects into. */
  example: unknown;
  labels: Labels;
  /**
   * Paths whose text the schema leaves to a check per SOP field (`checkValue`, with the SOP's label for that
   * field): covered by the test over every SOP field, not by the schema.
   */
  perSopField?: readonly string[];
}

const CASE_REASON = 'Permohonan tidak lagi diperlukan karena anggaran dialihkan.';

/** Every body and form people send (see the module comment). */
export const INPUT_SCHEMAS: readonly InputSchemaEntry[] = [
  {
    name: 'POST /permohonan/siapkan (also POST /api/permohonan)',
    schema: SiapkanSchema,
    example: {
      sopId: 'contoh-pengkoordinasian-kerja-sama',
      perihal: 'Kerja sama pengembangan wisata Candi Penataran',
      pemohon: {
        nama: 'Drs. Joko Susilo',
        email: 'pemohon@mitra.test',
        instansi: 'Pemerintah Kabupaten Mitra',
        telepon: '0342 123456',
      },
      data: { 'pihak-mitra': 'Pemerintah Kabupaten Kediri', 'jenis-kerja-sama': 'KSDD' },
      files: [{ slot: 'surat-permohonan', name: 'surat permohonan.pdf', size: 2048 }],
    },
    labels: SIAPKAN_LABELS,
    perSopField: ['data.*'],
  },
  {
    name: 'manifest permohonan (unggahan ke bucket permohonan)',
    schema: ManifestSchema,
    example: {
      intakeId: '20261123-abcdefghij',
      sopId: 'contoh-penyusunan-kerja-sama',
      perihal: 'Kerja sama pengembangan layanan publik',
      pemohon: {
        nama: 'Drs. Joko Susilo',
        email: 'pemohon@mitra.test',
        instansi: 'Pemerintah Kabupaten Mitra',
        telepon: '0342 123456',
      },
      data: { 'pihak-mitra': 'Pemerintah Kabupaten Sukamaju' },
      files: [
        {
          slot: 'surat-permohonan',
          key: 'permohonan/20261123-abcdefghij/berkas/surat-permohonan-surat.pdf',
          name: 'surat.pdf',
        },
      ],
    },
    labels: MANIFEST_LABELS,
    perSopField: ['data.*'],
  },
  {
    name: 'POST /tugas/<tautan>/unggah',
    schema: UploadRequest,
    example: { slot: 'draf-naskah', name: 'draf naskah.pdf', size: 4096 },
    labels: UPLOAD_REQUEST_LABELS,
  },
  {
    // The SOP's own fields of a task are checked by `parseFieldValue`: covered by the test over every SOP field.
    name: 'POST /tugas/<tautan> (catatan keputusan)',
    schema: z.object({ catatan: CATATAN_TUGAS }),
    example: { catatan: 'Draf sudah sesuai.\nLanjutkan ke paraf.' },
    labels: { '': 'Formulir keputusan', catatan: 'Catatan' },
  },
  {
    name: 'POST /konsol/kasus/<kasus>/batalkan, /tarik, POST /lacak/<tautan>/tarik, sepakat batalkan',
    schema: z.object({ alasan: ALASAN_KASUS }),
    example: { alasan: CASE_REASON },
    labels: { '': 'Formulir', alasan: 'Alasan' },
  },
  {
    name: 'POST /konsol/kasus/<kasus>/tugas/<tugas>/alihkan',
    schema: z.object({ orang: PENERIMA_TUGAS, alasan: ALASAN_KASUS }),
    example: { orang: 'penata-1', alasan: 'Pejabat semula sedang cuti sampai akhir bulan.' },
    labels: { '': 'Formulir pengalihan tugas', orang: 'Alihkan kepada', alasan: 'Alasan' },
  },
  {
    name: 'POST /pantau/<tautan> (laporan pelaksanaan)',
    schema: LAPORAN_FORM,
    example: {
      kegiatan: 'Pelatihan pemandu wisata | Maret 2027 | 40 peserta\nPromosi bersama | April 2027 | 2 pameran',
      capaian: 'Kunjungan wisata naik 12%.',
      kendala: '',
      rencana: 'Pelatihan lanjutan pada semester berikutnya.',
      anggaran: 'Rp150.000.000 (75% dari pagu)',
      nama: 'Dra. Siti Aminah, M.Si.',
      jabatan: 'Kepala Dinas Pariwisata',
      nip: '196801011990032001',
      pangkat: 'Pembina Tingkat I (IV/b)',
    },
    labels: LAPORAN_LABELS,
  },
  {
    name: 'POST /pantau/<tautan> (monev)',
    schema: MONEV_FORM,
    example: { tanggal: '2027-05-20', rekomendasi: 'dilanjutkan', catatan: 'Pelaksanaan sesuai rencana.' },
    labels: MONEV_LABELS,
  },
  {
    name: 'POST /konsol/perjanjian/akhiri',
    schema: AKHIRI_FORM,
    example: { alasan: 'tujuan-tercapai', catatan: 'Jaringan sudah terpasang.' },
    labels: AGREEMENT_ACTION_LABELS,
  },
  {
    name: 'POST /konsol/perjanjian/batal',
    schema: BATAL_FORM,
    example: { alasan: 'Kerja sama tidak dilaksanakan oleh para pihak.' },
    labels: AGREEMENT_ACTION_LABELS,
  },
  {
    name: 'POST /konsol/perjanjian/adendum',
    schema: ADENDUM_FORM,
    example: {
      sopId: 'contoh-pengkoordinasian-kerja-sama',
      perihal: 'Adendum jangka waktu',
      berakhirBaru: '2028-12-31',
    },
    labels: AGREEMENT_ACTION_LABELS,
  },
  {
    name: 'GET /arsip, sepakat arsip cari',
    schema: ArchiveQuerySchema,
    example: {
      pemdaId: 'kab-blitar',
      nomor: '000.5.4/001/409.1.1/2026',
      mitra: 'Kediri',
      perihal: 'wisata',
      tahun: 2026,
      status: 'dipakai',
    },
    labels: ARCHIVE_QUERY_LABELS,
  },
  {
    name: 'sepakat arsip unduh, GET /arsip/unduh/<dokumen>',
    schema: DownloadRequestSchema,
    example: {
      who: { id: 'cli:arsiparis', nama: 'Sri Wahyuni, A.Md.', peran: 'Arsiparis' },
      alasan: 'Salinan untuk rapat evaluasi',
    },
    labels: DOWNLOAD_REQUEST_LABELS,
  },
  { name: 'POST /masuk', schema: MasukForm, example: { email: 'admin@blitarkab.test' }, labels: MASUK_LABELS },
  {
    name: 'GET /konsol/mutu-baku',
    schema: MutuBakuQuery,
    example: { dari: '2026-01-01', sampai: '2026-12-31', sop: 'contoh-pengkoordinasian-kerja-sama' },
    labels: MUTU_BAKU_LABELS,
  },
  {
    name: 'GET /konsol/sop/lihat, /konsol/sop/dokumen.pdf, /konsol/sop/asl.json',
    schema: SopQuery,
    example: { id: 'contoh-penyusunan-kerja-sama', versi: '1' },
    labels: SOP_QUERY_LABELS,
  },
  {
    name: 'POST /verifikasi',
    schema: VerifikasiUnggah,
    example: { berkas: 'naskah ditandatangani.pdf' },
    labels: VERIFIKASI_LABELS,
  },
];
