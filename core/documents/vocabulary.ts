import { z } from 'zod';
import { ErrorNames, SepakatError } from '../errors.ts';

/**
 * The field vocabulary: every field a document reads from a case, declared once with its schema and a description in
 * Bahasa Indonesia. An SOP's fields map onto it by id (a step field `rapat-tanggal` with `caseData` fills the
 * vocabulary's `rapat-tanggal`); the documents read the case only through `isianKasus`, which refuses an id not
 * declared here; the loader (core/sop/load-checks.ts) refuses an SOP whose documents would need a required field
 * (`WAJIB_DOKUMEN`) that no earlier step on every path collects. `tabelKosakata` gives the table of the SOP author's
 * guide (docs/menulis-sop.md). Pure.
 */

/** How a value is typed, as the guide names it. */
export type JenisIsian =
  'teks' | 'paragraf' | 'baris' | 'tabel' | 'daftar-hadir' | 'tanggal' | 'angka' | 'pilihan' | 'sistem';

/** What the guide says each kind of value is. */
const JENIS_KETERANGAN: Readonly<Record<JenisIsian, string>> = {
  teks: 'teks satu baris',
  paragraf: 'teks paragraf (textarea)',
  baris: 'satu butir per baris (textarea)',
  tabel: 'satu baris per butir, kolom dipisah "|" (textarea)',
  'daftar-hadir': 'satu orang per baris: nama | jabatan | instansi (textarea, format daftar-hadir)',
  tanggal: 'tanggal (YYYY-MM-DD atau 1 Desember 2026)',
  angka: 'angka',
  pilihan: 'pilihan (select)',
  sistem: 'diisi Sepakat, bukan oleh langkah SOP',
};

const teks = z.union([z.string(), z.number()]);
// A number, or text that holds one ("3 (tiga) tahun"); unreadable text takes the document's default.
const angka = teks;

const SCHEMA: Readonly<Record<JenisIsian, z.ZodType>> = {
  teks,
  paragraf: teks,
  baris: teks,
  tabel: teks,
  'daftar-hadir': teks,
  tanggal: teks,
  angka,
  pilihan: teks,
  sistem: teks,
};

export interface IsianKosakata {
  id: string;
  jenis: JenisIsian;
  schema: z.ZodType;
  keterangan: string;
  /** The documents that read it: `naskah` is the case's naskah of any kind. */
  dibacaOleh: readonly string[];
}

const N = 'naskah';
const SU = 'surat-undangan';
const ND = 'nota-dinas';
const SP = 'surat-pengantar';
const TS = 'telaahan-staf';
const NR = 'notulen-rapat';
const LD = 'lembar-disposisi';
const LP = 'laporan-pelaksanaan';

type Baris = [id: string, jenis: JenisIsian, keterangan: string, dibacaOleh: readonly string[]];

const BARIS: readonly Baris[] = [
  // The naskah and what names it
  [
    'naskah-jenis',
    'pilihan',
    'Jenis naskah yang dipilih pejabat (id kerangka naskah); menggantikan naskah.jenis SOP',
    [N, SP, LP],
  ],
  ['naskah-tentang', 'teks', 'Judul "tentang" naskah', [N, SP, LP]],
  ['naskah-tentang-en', 'teks', 'Judul "tentang" dalam bahasa Inggris (naskah dwibahasa)', [N]],
  ['naskah-maksud', 'paragraf', 'Maksud kerja sama', [N]],
  ['naskah-tujuan', 'paragraf', 'Tujuan kerja sama', [N]],
  ['naskah-ruang-lingkup', 'baris', 'Ruang lingkup kerja sama', [N, LP]],
  ['naskah-jangka-waktu', 'angka', 'Jangka waktu naskah dalam tahun (bawaan 5)', [N, LP]],
  [
    'naskah-rencana-aksi',
    'tabel',
    'Rencana aksi: kegiatan | waktu | penanggung jawab (lampiran Nota Kesepakatan)',
    [N],
  ],
  ['naskah-tanggal', 'sistem', 'Tanggal naskah ditandatangani (dicatat saat tanda tangan)', [LP]],
  // The parties
  ['pihak-mitra', 'teks', 'Nama instansi mitra kerja sama', [N, SP, TS, LP]],
  ['mitra-alamat', 'teks', 'Alamat instansi mitra', [N, SP]],
  ['mitra-nomor', 'teks', 'Nomor naskah pada pihak mitra', [N, SP]],
  ['mitra-nama-en', 'teks', 'Nama mitra dalam bahasa Inggris (naskah dwibahasa)', [N]],
  ['mitra-penandatangan-nama', 'teks', 'Nama penandatangan pihak mitra', [N]],
  ['mitra-penandatangan-jabatan', 'teks', 'Jabatan penandatangan pihak mitra', [N, SP]],
  ['mitra-penandatangan-jabatan-en', 'teks', 'Jabatan penandatangan mitra dalam bahasa Inggris', [N]],
  ['mitra-penandatangan-nip', 'teks', 'NIP penandatangan mitra bila pejabat di bawah pimpinan', [N]],
  ['mitra-penandatangan-pangkat', 'teks', 'Pangkat/golongan penandatangan mitra bila pejabat di bawah pimpinan', [N]],
  ['mitra-kuasa-pemberi', 'teks', 'Pemberi surat kuasa kepada penandatangan mitra', [N]],
  ['mitra-kuasa-nomor', 'teks', 'Nomor surat kuasa penandatangan mitra', [N]],
  ['mitra-kuasa-tanggal', 'tanggal', 'Tanggal surat kuasa penandatangan mitra', [N]],
  ['mitra-penghubung-unit', 'teks', 'Unit penghubung pihak mitra', [N]],
  ['mitra-penghubung-alamat', 'teks', 'Alamat unit penghubung pihak mitra', [N]],
  ['mitra-penghubung-telepon', 'teks', 'Telepon unit penghubung pihak mitra', [N]],
  ['mitra-penghubung-email', 'teks', 'Surel penghubung pihak mitra (juga penerima paket penyelesaian)', [N]],
  ['pemda-nama-en', 'teks', 'Nama pemda dalam bahasa Inggris (naskah dwibahasa)', [N]],
  ['kepala-daerah-jabatan-en', 'teks', 'Jabatan kepala daerah dalam bahasa Inggris (naskah dwibahasa)', [N]],
  [
    'penandatangan-pks-nama',
    'teks',
    'Nama pejabat yang menandatangani atas kuasa kepala daerah (tanpa deklarasi naskah.pihak)',
    [N],
  ],
  ['penandatangan-pks-jabatan', 'teks', 'Jabatan pejabat tersebut', [N]],
  ['penandatangan-pks-nip', 'teks', 'NIP pejabat tersebut', [N]],
  ['penandatangan-pks-pangkat', 'teks', 'Pangkat/golongan pejabat tersebut', [N]],
  ['kuasa-nomor', 'teks', 'Nomor surat kuasa kepala daerah kepada penandatangan pihak kesatu', [N]],
  ['kuasa-tanggal', 'tanggal', 'Tanggal surat kuasa kepala daerah kepada penandatangan pihak kesatu', [N]],
  // What the naskah rests on
  ['dasar-kesepakatan-nomor', 'teks', 'Nomor Kesepakatan Bersama / Nota Kesepakatan yang dilaksanakan', [N]],
  ['dasar-kesepakatan-nomor-mitra', 'teks', 'Nomor naskah dasar pada pihak mitra', [N]],
  ['dasar-kesepakatan-tanggal', 'tanggal', 'Tanggal naskah dasar', [N]],
  ['dasar-kesepakatan-tentang', 'teks', 'Judul "tentang" naskah dasar', [N]],
  ['adendum-dari', 'teks', 'Nomor perjanjian yang diubah adendum', [N]],
  ['adendum-dari-jenis', 'teks', 'Jenis perjanjian yang diubah adendum', [N]],
  ['adendum-dari-tanggal', 'tanggal', 'Tanggal perjanjian yang diubah adendum', [N]],
  ['adendum-dari-tentang', 'teks', 'Judul "tentang" perjanjian yang diubah adendum', [N]],
  ['adendum-ke', 'angka', 'Adendum ke berapa', [N]],
  // Letters
  ['surat-tembusan', 'baris', 'Tembusan surat, satu penerima per baris', [SU, ND]],
  ['rapat-tanggal', 'tanggal', 'Tanggal rapat', [SU, NR]],
  ['rapat-hari-tanggal', 'tanggal', 'Hari dan tanggal rapat (pengganti rapat-tanggal)', [SU, NR]],
  ['rapat-waktu', 'teks', 'Waktu rapat (bawaan "09.00 WIB s.d. selesai")', [SU, NR]],
  ['rapat-tempat', 'teks', 'Tempat rapat (bawaan ruang rapat Bagian)', [SU, NR]],
  ['rapat-acara', 'teks', 'Acara rapat', [SU, NR]],
  ['rapat-peserta', 'daftar-hadir', 'Daftar undangan rapat', [SU]],
  ['rapat-pimpinan', 'teks', 'Pimpinan rapat (pegawai, atau nama | jabatan | NIP | pangkat)', [SU, NR]],
  ['nota-dinas-kepada', 'teks', 'Kepada siapa nota dinas ditujukan', [ND]],
  ['nota-dinas-hal', 'teks', 'Hal nota dinas (bawaan perihal permohonan)', [ND]],
  ['nota-dinas-isi', 'paragraf', 'Isi nota dinas, paragraf dipisah baris kosong', [ND]],
  ['nota-dinas-butir', 'baris', 'Butir nota dinas', [ND]],
  ['telaahan-kepada', 'teks', 'Kepada siapa telaahan staf ditujukan (bawaan kepala daerah)', [TS]],
  ['telaahan-hal', 'teks', 'Hal telaahan staf', [TS]],
  ['telaahan-persoalan', 'baris', 'Persoalan', [TS]],
  ['telaahan-praanggapan', 'baris', 'Praanggapan', [TS]],
  ['telaahan-fakta', 'baris', 'Fakta yang mempengaruhi', [TS]],
  ['telaahan-analisis', 'baris', 'Analisis', [TS]],
  ['telaahan-kesimpulan', 'baris', 'Kesimpulan', [TS]],
  ['telaahan-saran', 'baris', 'Saran', [TS]],
  ['notulen-pencatat', 'teks', 'Notulis (pegawai, atau nama | jabatan | NIP | pangkat)', [NR]],
  ['notulen-peserta', 'daftar-hadir', 'Daftar hadir rapat', [NR]],
  ['notulen-pembahasan', 'paragraf', 'Pembahasan rapat; paragraf yang diawali "Topik:" membuka topik', [NR]],
  ['notulen-kesimpulan', 'baris', 'Kesimpulan/keputusan rapat', [NR]],
  ['notulen-tindak-lanjut', 'tabel', 'Tindak lanjut: uraian | penanggung jawab | batas waktu', [NR]],
  ['disposisi-surat-dari', 'teks', 'Pengirim surat yang didisposisikan (bawaan mitra)', [LD]],
  ['disposisi-surat-nomor', 'teks', 'Nomor surat yang didisposisikan', [LD]],
  ['surat-nomor', 'teks', 'Nomor surat masuk (pengganti disposisi-surat-nomor)', [LD]],
  ['disposisi-surat-tanggal', 'tanggal', 'Tanggal surat yang didisposisikan', [LD]],
  ['surat-tanggal', 'tanggal', 'Tanggal surat masuk (pengganti disposisi-surat-tanggal)', [LD]],
  ['disposisi-diterima', 'tanggal', 'Tanggal surat diterima', [LD]],
  ['tanggal-diterima', 'tanggal', 'Tanggal surat diterima (pengganti disposisi-diterima)', [LD]],
  ['disposisi-nomor-agenda', 'teks', 'Nomor agenda', [LD]],
  ['nomor-agenda', 'teks', 'Nomor agenda (pengganti disposisi-nomor-agenda)', [LD]],
  ['disposisi-sifat', 'pilihan', 'Sifat surat (Biasa, Segera, Sangat Segera, Rahasia, …)', [LD]],
  ['disposisi-kepada', 'baris', 'Kepada siapa disposisi diteruskan', [LD]],
  ['disposisi-harap', 'baris', 'Harap (tindakan yang diminta)', [LD]],
  ['disposisi-arahan', 'paragraf', 'Arahan disposisi', [LD]],
  ['arahan', 'paragraf', 'Arahan disposisi (pengganti disposisi-arahan)', [LD]],
  ['disposisi-catatan', 'paragraf', 'Catatan lembar disposisi', [LD]],
  // The laporan pelaksanaan
  ['laporan-periode', 'teks', 'Periode laporan (bawaan tahun berjalan)', [LP]],
  ['laporan-pendahuluan', 'paragraf', 'Pendahuluan', [LP]],
  ['laporan-objek', 'paragraf', 'Objek kerja sama', [LP]],
  ['laporan-pendanaan', 'paragraf', 'Pendanaan', [LP]],
  ['laporan-kegiatan', 'tabel', 'Kegiatan: uraian | waktu | realisasi | keterangan', [LP]],
  ['laporan-hasil', 'baris', 'Hasil dan manfaat kerja sama', [LP]],
  ['laporan-kendala', 'baris', 'Kendala', [LP]],
  ['laporan-kesimpulan', 'baris', 'Kesimpulan', [LP]],
  ['laporan-rekomendasi', 'paragraf', 'Rekomendasi: dilanjutkan, diperluas atau dihentikan', [LP]],
  ['laporan-alasan-rekomendasi', 'paragraf', 'Alasan rekomendasi', [LP]],
  ['laporan-lampiran', 'baris', 'Lampiran laporan', [LP]],
  ['tanggal-mulai', 'tanggal', 'Tanggal mulai kerja sama (bila tanggal naskah tidak tercatat)', [LP]],
  ['tanggal-berakhir', 'tanggal', 'Tanggal berakhir kerja sama', [LP]],
];

/** The vocabulary, by field id. */
export const KOSAKATA: ReadonlyMap<string, IsianKosakata> = new Map(
  BARIS.map(([id, jenis, keterangan, dibacaOleh]) => [
    id,
    { id, jenis, schema: SCHEMA[jenis], keterangan, dibacaOleh },
  ]),
);

/**
 * The fields a document cannot be made without, each a list of alternatives (one of them is enough). Other fields are
 * optional: absent, the document prints its default or nothing. The naskah's own requirements depend on the SOP
 * (a declared surat kuasa needs `kuasa-nomor` and `kuasa-tanggal` on the final naskah): see core/sop/load-checks.ts.
 */
export const WAJIB_DOKUMEN: Readonly<Record<string, readonly (readonly string[])[]>> = {
  [SU]: [['rapat-tanggal', 'rapat-hari-tanggal']],
  [ND]: [['nota-dinas-kepada']],
  [NR]: [['notulen-pembahasan'], ['notulen-kesimpulan']],
  [LP]: [['laporan-kegiatan'], ['laporan-hasil'], ['naskah-tanggal', 'tanggal-mulai']],
};

/** The fields `dokumen` reads (`naskah`: the case's naskah). */
export const isianDibaca = (dokumen: string): string[] =>
  [...KOSAKATA.values()].filter((f) => f.dibacaOleh.includes(dokumen)).map((f) => f.id);

/**
 * A case-data value as a document reads it: text (a number as text), or undefined when absent or empty. The id must be
 * declared in the vocabulary (a document reading an undeclared field is a programming error); a value its schema
 * refuses is refused naming the field.
 */
export function isianKasus(data: Readonly<Record<string, unknown>>, id: string): string | undefined {
  const entry = KOSAKATA.get(id);
  if (!entry)
    throw new Error(`isian "${id}" dibaca dokumen tetapi tidak ada dalam kosakata (core/documents/vocabulary.ts)`);
  const v = data[id];
  if (v === undefined || v === null || typeof v === 'boolean') return undefined;
  const parsed = entry.schema.safeParse(v);
  if (!parsed.success)
    throw new SepakatError(
      ErrorNames.BadInput,
      `Isian "${id}" (${entry.keterangan}) tidak sah: ${parsed.error.issues[0]?.message ?? 'nilai tidak dikenal'}`,
    );
  if (typeof v === 'string') return v.trim() ? v : undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** One row of the vocabulary's table in the SOP author's guide. */
export interface BarisKosakata {
  id: string;
  jenis: string;
  keterangan: string;
  /** The documents that read it, as the guide names them; "(wajib)" where the document cannot be made without it. */
  dibacaOleh: string;
}

/** The table of the vocabulary for docs/menulis-sop.md: id, jenis, keterangan, dibaca oleh. */
export function tabelKosakata(): BarisKosakata[] {
  return [...KOSAKATA.values()].map((f) => ({
    id: f.id,
    jenis: JENIS_KETERANGAN[f.jenis],
    keterangan: f.keterangan,
    dibacaOleh: f.dibacaOleh
      .map((d) => (WAJIB_DOKUMEN[d]?.some((group) => group.includes(f.id)) ? `${d} (wajib)` : d))
      .join(', '),
  }));
}
