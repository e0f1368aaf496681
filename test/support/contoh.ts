import type { Kop } from '../../core/documents/common.ts';
import type { DocumentInput, DocumentName } from '../../core/documents/index.ts';
import { naskahDocument } from '../../core/naskah/render-view.ts';
import { MOU, PKS, type NaskahContoh } from './naskah-contoh.ts';

/**
 * Example inputs (fictional people, real formats) for every document, in the contexts of the three seed SOPs:
 * Kota Contoh (penyusunan Kesepakatan Bersama, `sops/kota-penyusunan-kesepakatan-bersama.yaml`), Kabupaten Blitar
 * (pengkoordinasian Nota Kesepakatan) and Kota Bandung (kerja sama teknik luar negeri). Officials and kop lines
 * follow `config/pemda/*.yaml`. Used by the previews, the tests and the benchmark.
 */

export interface Contoh<N extends DocumentName = DocumentName> {
  /** File-name friendly id, e.g. "kota-kesepakatan-bersama". */
  readonly id: string;
  /** The SOP whose context the example belongs to. */
  readonly sop: string;
  readonly template: N;
  readonly data: DocumentInput<N>;
}

const contoh = <N extends DocumentName>(id: string, sop: string, template: N, data: DocumentInput<N>): Contoh<N> => ({
  id,
  sop,
  template,
  data,
});

export const SOP_KOTA = 'kota-penyusunan-kesepakatan-bersama';
export const SOP_BLITAR = 'blitar-pengkoordinasian-nota-kesepakatan';
export const SOP_BANDUNG = 'bandung-kerjasama-teknik-luar-negeri';

export const KOP_KOTA: Kop = {
  baris: ['PEMERINTAH KOTA CONTOH', 'SEKRETARIAT DAERAH', 'BAGIAN KERJASAMA'],
  alamat: 'Jalan Merdeka No. 1, Kota Contoh',
  kontak: 'Telepon (0123) 456789, Laman kotacontoh.go.id, Pos-el kerjasama@kotacontoh.go.id',
};
export const KOP_BLITAR: Kop = {
  baris: ['PEMERINTAH KABUPATEN BLITAR', 'SEKRETARIAT DAERAH', 'BAGIAN TATA PEMERINTAHAN'],
  alamat: 'Jalan Kusuma Bangsa No. 1, Kanigoro, Blitar',
};
export const KOP_BANDUNG: Kop = {
  baris: ['PEMERINTAH KOTA BANDUNG', 'SEKRETARIAT DAERAH', 'BAGIAN KERJASAMA'],
  alamat: 'Jalan Wastukancana No. 2, Bandung 40117',
};

const WALIKOTA_CONTOH = { jabatan: 'WALIKOTA CONTOH', nama: 'Dr. H. Ahmad Wijaya', tingkat: 'kepala-daerah' } as const;
const SEKDA_CONTOH = {
  jabatan: 'Sekretaris Daerah',
  nama: 'Ir. Siti Rahmawati, M.Si.',
  tingkat: 'sekda',
  nip: '196805121993032004',
} as const;
const KABAG_KS_CONTOH = {
  jabatan: 'Kepala Bagian Kerjasama',
  nama: 'Hendra Gunawan, S.H., M.H.',
  nip: '197806172003121003',
  pangkat: 'Pembina (IV/a)',
} as const;
const BUPATI_SUKAMAJU = {
  jabatan: 'BUPATI SUKAMAJU',
  nama: 'H. Dedi Kurniawan, S.E.',
  tingkat: 'kepala-daerah',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Kota Contoh: penyusunan Kesepakatan Bersama with Kabupaten Sukamaju (fictional)

const KB_KOTA = contoh('kota-kesepakatan-bersama', SOP_KOTA, 'kesepakatan-bersama', {
  tentang: 'Kerja Sama Penyelenggaraan Pemerintahan dan Pembangunan Daerah',
  tempat: 'Kota Contoh',
  tanggal: '2026-11-23',
  pihakKesatu: {
    instansi: 'Pemerintah Kota Contoh',
    nomor: '000.5.4/123/KS/2026',
    alamat: 'Jalan Merdeka No. 1, Kota Contoh',
    penandatangan: WALIKOTA_CONTOH,
    penghubung: {
      unit: 'Bagian Kerjasama Sekretariat Daerah Kota Contoh',
      alamat: 'Jalan Merdeka No. 1, Kota Contoh',
      pejabat: 'Kepala Bagian Kerjasama',
      telepon: '(0123) 456789',
      email: 'kerjasama@kotacontoh.go.id',
    },
    paraf: [
      { jabatan: 'Sekretaris Daerah', nama: 'Ir. Siti Rahmawati, M.Si.' },
      { jabatan: 'Asisten Pemerintahan dan Kesejahteraan Rakyat', nama: 'Drs. Bambang Purnomo, M.AP.' },
      { jabatan: 'Kepala Bagian Kerjasama', nama: 'Hendra Gunawan, S.H., M.H.', tanggal: '2026-11-18' },
    ],
  },
  pihakKedua: {
    instansi: 'Pemerintah Kabupaten Sukamaju',
    nomor: '130/77/PEM/2026',
    alamat: 'Jalan Raya Sukamaju No. 10, Sukamaju',
    penandatangan: BUPATI_SUKAMAJU,
    penghubung: {
      unit: 'Bagian Pemerintahan Sekretariat Daerah Kabupaten Sukamaju',
      alamat: 'Jalan Raya Sukamaju No. 10, Sukamaju',
      telepon: '(0124) 22110',
    },
    paraf: [{ jabatan: 'Sekretaris Daerah Kabupaten Sukamaju' }, { jabatan: 'Kepala Bagian Pemerintahan' }],
  },
  maksud:
    'Sebagai pedoman bagi PARA PIHAK dalam melaksanakan kerja sama penyelenggaraan pemerintahan dan pembangunan daerah.',
  tujuan:
    'Meningkatkan efektivitas dan efisiensi penyelenggaraan pemerintahan serta pelayanan publik di wilayah PARA PIHAK.',
  ruangLingkup: [
    'pengembangan sistem pemerintahan berbasis elektronik;',
    'pengelolaan sampah dan lingkungan hidup di wilayah perbatasan;',
    'peningkatan kapasitas aparatur sipil negara;',
    'pengembangan pariwisata dan ekonomi kreatif.',
  ],
  jangkaWaktu: { tahun: 5 },
  rangkap: 2,
  meterai: true,
});

const PKS_KOTA = contoh('kota-perjanjian-kerja-sama', SOP_KOTA, 'perjanjian-kerja-sama', {
  tentang: 'Pengembangan Sistem Pemerintahan Berbasis Elektronik',
  tempat: 'Kota Contoh',
  tanggal: '2027-02-15',
  pihakKesatu: {
    instansi: 'Pemerintah Kota Contoh',
    nomor: '000.5.4/031/KS/2027',
    alamat: 'Jalan Merdeka No. 1, Kota Contoh',
    penandatangan: {
      jabatan: 'Kepala Dinas Komunikasi dan Informatika Kota Contoh',
      nama: 'Rudi Hartono, S.Kom., M.T.',
      nip: '197512102000031005',
      pangkat: 'Pembina Utama Muda (IV/c)',
    },
    dasarKewenangan: 'berdasarkan Surat Kuasa Walikota Contoh Nomor 000.5.4/020/KS/2027 tanggal 10 Februari 2027',
    penghubung: {
      unit: 'Dinas Komunikasi dan Informatika Kota Contoh',
      alamat: 'Jalan Merdeka No. 5, Kota Contoh',
      email: 'diskominfo@kotacontoh.go.id',
    },
    paraf: [{ jabatan: 'Kepala Bagian Kerjasama', nama: 'Hendra Gunawan, S.H., M.H.' }],
  },
  pihakKedua: {
    instansi: 'Pemerintah Kabupaten Sukamaju',
    nomor: '130/12/PEM/2027',
    alamat: 'Jalan Raya Sukamaju No. 10, Sukamaju',
    penandatangan: {
      jabatan: 'Kepala Dinas Komunikasi dan Informatika Kabupaten Sukamaju',
      nama: 'Yanti Sulastri, S.T.',
      nip: '197803222005012008',
      pangkat: 'Pembina Tingkat I (IV/b)',
    },
    dasarKewenangan: 'berdasarkan Surat Kuasa Bupati Sukamaju Nomor 130/09/PEM/2027 tanggal 8 Februari 2027',
    penghubung: {
      unit: 'Dinas Komunikasi dan Informatika Kabupaten Sukamaju',
      alamat: 'Jalan Veteran No. 3, Sukamaju',
    },
  },
  pertimbangan: [
    'PIHAK KESATU dan PIHAK KEDUA telah menandatangani Kesepakatan Bersama tentang Kerja Sama Penyelenggaraan Pemerintahan dan Pembangunan Daerah;',
    'PARA PIHAK memandang perlu menindaklanjuti Kesepakatan Bersama tersebut dalam bidang sistem pemerintahan berbasis elektronik;',
  ],
  dasarHukum: [
    'Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah sebagaimana telah diubah beberapa kali, terakhir dengan Undang-Undang Nomor 6 Tahun 2023;',
    'Peraturan Pemerintah Nomor 28 Tahun 2018 tentang Kerja Sama Daerah;',
    'Peraturan Menteri Dalam Negeri Nomor 22 Tahun 2020 tentang Tata Cara Kerja Sama Daerah dengan Daerah Lain dan Kerja Sama Daerah dengan Pihak Ketiga;',
  ],
  kesepakatanBersama: {
    nomorKesatu: '000.5.4/123/KS/2026',
    nomorKedua: '130/77/PEM/2026',
    tanggal: '2026-11-23',
    tentang: 'Kerja Sama Penyelenggaraan Pemerintahan dan Pembangunan Daerah',
  },
  maksud: 'Sebagai landasan pelaksanaan pengembangan sistem pemerintahan berbasis elektronik PARA PIHAK.',
  tujuan: 'Mewujudkan layanan administrasi pemerintahan yang terpadu, cepat dan akuntabel.',
  ruangLingkup: [
    'berbagi pakai aplikasi tata naskah dinas elektronik;',
    'integrasi data kependudukan untuk layanan publik;',
    'pelatihan pengelola sistem.',
  ],
  pelaksanaan: [
    'Pelaksanaan Perjanjian Kerja Sama ini dilakukan oleh perangkat daerah yang membidangi komunikasi dan informatika pada masing-masing PIHAK.',
    'Rincian kegiatan tahunan dituangkan dalam rencana kerja yang disepakati PARA PIHAK.',
  ],
  hakKewajiban: {
    pihakKesatu: {
      hak: [
        'menerima data dan laporan pelaksanaan dari PIHAK KEDUA;',
        'memperoleh hak pakai atas aplikasi yang dikembangkan bersama.',
      ],
      kewajiban: [
        'menyediakan kode sumber aplikasi tata naskah dinas elektronik;',
        'memberikan pelatihan kepada pengelola sistem PIHAK KEDUA.',
      ],
    },
    pihakKedua: {
      hak: ['menggunakan aplikasi tata naskah dinas elektronik;', 'memperoleh pendampingan teknis dari PIHAK KESATU.'],
      kewajiban: [
        'menyediakan infrastruktur server dan jaringan;',
        'menyampaikan laporan pemanfaatan aplikasi setiap triwulan.',
      ],
    },
  },
  pembiayaan: [
    'Biaya pelaksanaan Perjanjian Kerja Sama ini dibebankan pada Anggaran Pendapatan dan Belanja Daerah masing-masing PIHAK sesuai dengan kegiatan yang menjadi kewajibannya.',
  ],
  jangkaWaktu: { tahun: 3 },
  rangkap: 2,
  meterai: true,
  tte: {
    qr: 'https://sepakat.kotacontoh.go.id/verifikasi/PKS-2027-031',
    keterangan:
      'Dokumen ini ditandatangani secara elektronik dengan sertifikat pengembangan (bukan BSrE) dalam lingkungan uji coba Sepakat. Keaslian dapat diperiksa dengan memindai kode QR.',
    label: 'Pindai untuk memeriksa',
  },
});

const DISPOSISI_KOTA = contoh('kota-lembar-disposisi', SOP_KOTA, 'lembar-disposisi', {
  kop: KOP_KOTA,
  surat: {
    dari: 'Bupati Sukamaju',
    nomor: '130/61/PEM/2026',
    tanggal: '2026-10-05',
    diterima: '2026-10-07',
    nomorAgenda: '1287/SETDA/2026',
    sifat: 'Biasa',
    perihal: 'Permohonan Kesepakatan Bersama Penyelenggaraan Pemerintahan dan Pembangunan Daerah',
  },
  disposisi: [
    {
      dari: 'Sekretaris Daerah',
      kepada: ['Asisten Pemerintahan dan Kesejahteraan Rakyat'],
      harap: ['Proses lebih lanjut'],
      arahan: 'Dicermati dan diproses sesuai ketentuan; koordinasikan dengan Bagian Kerjasama.',
      tanggal: '2026-10-07',
      nama: 'Ir. Siti Rahmawati, M.Si.',
    },
    {
      dari: 'Asisten Pemerintahan dan Kesejahteraan Rakyat',
      kepada: ['Kepala Bagian Kerjasama'],
      harap: ['Proses lebih lanjut', 'Koordinasi/konfirmasi'],
      arahan: 'Siapkan rapat koordinasi dengan perangkat daerah terkait dan Pemerintah Kabupaten Sukamaju.',
      tanggal: '2026-10-08',
      nama: 'Drs. Bambang Purnomo, M.AP.',
    },
    {
      dari: 'Kepala Bagian Kerjasama',
      kepada: ['Kepala Subbagian Kerjasama Dalam Negeri'],
      harap: ['Disiapkan rapat', 'Proses lebih lanjut'],
      arahan: 'Siapkan undangan dan bahan rapat; minta draf naskah Kesepakatan Bersama kepada pengusul.',
      tanggal: '2026-10-08',
      nama: 'Hendra Gunawan, S.H., M.H.',
    },
  ],
});

const UNDANGAN_KOTA = contoh('kota-surat-undangan', SOP_KOTA, 'surat-undangan', {
  kop: KOP_KOTA,
  tempat: 'Kota Contoh',
  tanggal: '2026-10-12',
  nomor: '000.5.4/412/KS/2026',
  sifat: 'Biasa',
  hal: 'Undangan Rapat Koordinasi Kesepakatan Bersama',
  pembuka:
    'Dalam rangka pembahasan permohonan Kesepakatan Bersama antara Pemerintah Kota Contoh dan Pemerintah Kabupaten Sukamaju, dengan hormat kami mengundang Bapak/Ibu untuk hadir pada rapat koordinasi yang akan dilaksanakan pada:',
  rapat: {
    tanggal: '2026-10-15',
    waktu: '09.00 WIB s.d. selesai',
    tempat: 'Ruang Rapat Bagian Kerjasama, Lantai 2 Balai Kota',
    acara: 'Rapat koordinasi pembahasan draf naskah Kesepakatan Bersama',
    pimpinan: 'Kepala Bagian Kerjasama',
  },
  penandatangan: { ...SEKDA_CONTOH, atasNama: 'WALIKOTA CONTOH' },
  tembusan: ['Walikota Contoh (sebagai laporan);', 'Asisten Pemerintahan dan Kesejahteraan Rakyat.'],
  daftarUndangan: [
    { nama: 'Kepala Bagian Hukum dan Perundang-Undangan', instansi: 'Sekretariat Daerah Kota Contoh' },
    { nama: 'Kepala Dinas Komunikasi dan Informatika', instansi: 'Pemerintah Kota Contoh' },
    { nama: 'Kepala Dinas Lingkungan Hidup', instansi: 'Pemerintah Kota Contoh' },
    { nama: 'Kepala Badan Perencanaan Pembangunan Daerah', instansi: 'Pemerintah Kota Contoh' },
    { nama: 'Kepala Bagian Pemerintahan', instansi: 'Sekretariat Daerah Kabupaten Sukamaju' },
    { nama: 'Anggota Tim Koordinasi Kerja Sama Daerah (TKKSD)', instansi: 'Pemerintah Kota Contoh' },
  ],
});

const NOTULEN_KOTA = contoh('kota-notulen-rapat', SOP_KOTA, 'notulen-rapat', {
  kop: KOP_KOTA,
  rapat: 'Rapat Teknis Pembahasan Draf Naskah Kesepakatan Bersama',
  tanggal: '2026-10-15',
  waktu: '09.00 - 11.30 WIB',
  tempat: 'Ruang Rapat Bagian Kerjasama, Lantai 2 Balai Kota',
  acara: 'Pembahasan draf naskah Kesepakatan Bersama dengan Pemerintah Kabupaten Sukamaju',
  undangan: '000.5.4/412/KS/2026',
  pimpinan: KABAG_KS_CONTOH,
  pencatat: {
    jabatan: 'Analis Kerja Sama',
    nama: 'Rizky Pratama, S.Sos.',
    nip: '199301052019031007',
    pangkat: 'Penata Muda Tingkat I (III/b)',
  },
  peserta: [
    { nama: 'Hendra Gunawan, S.H., M.H.', jabatan: 'Kepala Bagian Kerjasama', instansi: 'Setda Kota Contoh' },
    { nama: 'Maya Sari, S.IP.', jabatan: 'Kepala Subbagian Kerjasama Dalam Negeri', instansi: 'Setda Kota Contoh' },
    { nama: 'Andi Saputra, S.H.', jabatan: 'Analis Hukum', instansi: 'Bagian Hukum Setda Kota Contoh' },
    { nama: 'Rudi Hartono, S.Kom., M.T.', jabatan: 'Kepala Dinas', instansi: 'Diskominfo Kota Contoh' },
    { nama: 'Agus Salim, S.IP.', jabatan: 'Kepala Bagian Pemerintahan', instansi: 'Setda Kabupaten Sukamaju' },
  ],
  pembahasan: [
    {
      topik: 'Ruang lingkup kerja sama',
      uraian: [
        'Peserta sepakat ruang lingkup meliputi pemerintahan berbasis elektronik, pengelolaan sampah di wilayah perbatasan, peningkatan kapasitas aparatur, dan pariwisata.',
      ],
    },
    {
      topik: 'Jangka waktu dan pendanaan',
      uraian: [
        'Jangka waktu Kesepakatan Bersama 5 (lima) tahun dan dapat diperpanjang.',
        'Pendanaan dibebankan pada APBD masing-masing pihak; tidak ada pembebanan baru yang memerlukan persetujuan DPRD.',
      ],
    },
  ],
  keputusan: [
    'Draf naskah Kesepakatan Bersama disetujui dengan perbaikan pada Pasal 2 dan Pasal 5.',
    'Pengusul menyampaikan draf perbaikan paling lambat 3 (tiga) hari kerja.',
  ],
  tindakLanjut: [
    {
      uraian: 'Menyampaikan draf perbaikan naskah',
      penanggungJawab: 'Bagian Pemerintahan Kabupaten Sukamaju',
      batasWaktu: '2026-10-20',
    },
    {
      uraian: 'Mengoreksi dan memaraf draf naskah',
      penanggungJawab: 'Bagian Hukum dan Perundang-Undangan',
      batasWaktu: '2026-10-23',
    },
  ],
  tempatTanda: 'Kota Contoh',
});

const PENGANTAR_KOTA = contoh('kota-surat-pengantar', SOP_KOTA, 'surat-pengantar', {
  kop: KOP_KOTA,
  tempat: 'Kota Contoh',
  tanggal: '2026-11-25',
  nomor: '000.5.4/498/KS/2026',
  kepada: 'Bupati Sukamaju',
  alamatTujuan: 'c.q. Kepala Bagian Pemerintahan Sekretariat Daerah Kabupaten Sukamaju, Jalan Raya Sukamaju No. 10',
  naskah: [
    {
      uraian:
        'Naskah asli Kesepakatan Bersama antara Pemerintah Kota Contoh dan Pemerintah Kabupaten Sukamaju Nomor 000.5.4/123/KS/2026 dan Nomor 130/77/PEM/2026',
      banyaknya: '1 (satu) eksemplar',
      keterangan: 'Disampaikan dengan hormat untuk arsip',
    },
    { uraian: 'Salinan register naskah kerja sama', banyaknya: '1 (satu) lembar', keterangan: 'Untuk diketahui' },
  ],
  penandatangan: KABAG_KS_CONTOH,
});

// ---------------------------------------------------------------------------------------------------------------
// Kabupaten Blitar: pengkoordinasian Nota Kesepakatan

const SEKDA_BLITAR = {
  jabatan: 'Sekretaris Daerah',
  nama: 'Sekretaris Daerah Kabupaten Blitar',
  tingkat: 'sekda',
  nip: '196807121994031007',
} as const;

const NOTA_DINAS_BLITAR = contoh('blitar-nota-dinas', SOP_BLITAR, 'nota-dinas', {
  kop: KOP_BLITAR,
  kepada: 'Sekretaris Daerah Kabupaten Blitar',
  dari: 'Kepala Bagian Tata Pemerintahan',
  tembusan: ['Asisten Pemerintahan dan Kesejahteraan Rakyat'],
  tanggal: '2026-11-16',
  nomor: '000.5.4/287/409.1.1/2026',
  sifat: 'Biasa',
  lampiran: '1 (satu) berkas',
  hal: 'Permohonan Paraf Naskah Final Nota Kesepakatan',
  isi: [
    'Dengan hormat, menindaklanjuti hasil pembahasan Tim Koordinasi Kerja Sama Daerah atas usulan Nota Kesepakatan antara Pemerintah Kabupaten Blitar dan Universitas Brawijaya tentang Tridarma Perguruan Tinggi dalam Pembangunan Daerah, bersama ini kami sampaikan hal-hal sebagai berikut:',
  ],
  butir: [
    'Naskah Final Nota Kesepakatan telah direvisi sesuai rekomendasi TKKSD dan telah mendapatkan nomor melalui aplikasi Srikandi.',
    'Naskah telah diparaf oleh Kepala Bagian Tata Pemerintahan.',
    'Mohon paraf Asisten Pemerintahan dan Kesejahteraan Rakyat serta Sekretaris Daerah sebelum diajukan kepada Bupati untuk ditandatangani.',
  ],
  penandatangan: {
    jabatan: 'Kepala Bagian Tata Pemerintahan',
    nama: 'Basuki Rachmad, S.Sos, M.M',
    nip: '196904101998031011',
    pangkat: 'Pembina (IV/a)',
  },
});

const NK_BLITAR = contoh('blitar-nota-kesepakatan', SOP_BLITAR, 'kesepakatan-bersama', {
  jenis: 'nota-kesepakatan',
  tentang: 'Tridarma Perguruan Tinggi dalam Pembangunan Daerah',
  tempat: 'Kabupaten Blitar',
  tanggal: '2026-11-23',
  pihakKesatu: {
    instansi: 'Pemerintah Kabupaten Blitar',
    nomor: '000.5.4/45/409.1.1/2026',
    alamat: 'Jalan Kusuma Bangsa No. 1, Kanigoro, Blitar',
    penandatangan: { jabatan: 'BUPATI BLITAR', nama: 'Drs. H. Rijanto, M.M.', tingkat: 'kepala-daerah' },
    penghubung: {
      unit: 'Bagian Tata Pemerintahan Sekretariat Daerah Kabupaten Blitar',
      alamat: 'Jalan Kusuma Bangsa No. 1, Kanigoro, Blitar',
    },
    paraf: [
      { jabatan: 'Sekretaris Daerah' },
      { jabatan: 'Asisten Pemerintahan dan Kesejahteraan Rakyat' },
      { jabatan: 'Kepala Bagian Tata Pemerintahan', tanggal: '2026-11-13' },
    ],
  },
  pihakKedua: {
    instansi: 'Universitas Brawijaya',
    nomor: '1024/UN10/KS/2026',
    alamat: 'Jalan Veteran, Malang',
    penandatangan: {
      jabatan: 'REKTOR UNIVERSITAS BRAWIJAYA',
      nama: 'Prof. Dr. Ir. Contoh Rektor, M.S.',
      tingkat: 'kepala-daerah',
    },
    atasNama: 'Universitas Brawijaya',
    penghubung: { unit: 'Direktorat Kerja Sama Universitas Brawijaya', alamat: 'Jalan Veteran, Malang' },
  },
  maksud:
    'Sebagai dasar bagi PARA PIHAK untuk bekerja sama dalam pelaksanaan tridarma perguruan tinggi untuk mendukung pembangunan daerah.',
  tujuan:
    'Meningkatkan kualitas perencanaan dan pelaksanaan pembangunan daerah melalui pendidikan, penelitian dan pengabdian kepada masyarakat.',
  ruangLingkup: [
    'kuliah kerja nyata tematik di desa;',
    'penelitian terapan untuk perencanaan pembangunan daerah;',
    'peningkatan kapasitas aparatur pemerintah desa.',
  ],
  jangkaWaktu: { tahun: 3 },
  rencanaAksi: [
    { kegiatan: 'Penyusunan rencana kuliah kerja nyata tematik', waktu: 'Januari 2027', penanggungJawab: 'PARA PIHAK' },
    { kegiatan: 'Penelitian kebutuhan infrastruktur desa', waktu: 'Maret - Juni 2027', penanggungJawab: 'PIHAK KEDUA' },
    { kegiatan: 'Pelatihan aparatur pemerintah desa', waktu: 'Agustus 2027', penanggungJawab: 'PIHAK KESATU' },
  ],
});

const TELAAHAN_BLITAR = contoh('blitar-telaahan-staf', SOP_BLITAR, 'telaahan-staf', {
  kop: KOP_BLITAR,
  kepada: 'Bupati Blitar',
  dari: 'Sekretaris Daerah',
  tanggal: '2026-11-02',
  nomor: '000.5.4/270/409.1.1/2026',
  lampiran: '1 (satu) berkas',
  hal: 'Telaahan atas Draf Nota Kesepakatan dengan Universitas Brawijaya',
  persoalan:
    'Universitas Brawijaya mengusulkan Nota Kesepakatan tentang Tridarma Perguruan Tinggi dalam Pembangunan Daerah; diperlukan pertimbangan apakah usulan dapat ditindaklanjuti.',
  praanggapan: [
    'Kerja sama dengan perguruan tinggi mendukung pencapaian sasaran RPJMD.',
    'Kerja sama tidak menimbulkan pembebanan baru pada APBD tahun berjalan.',
  ],
  fakta: [
    'Rapat TKKSD tanggal 28 Oktober 2026 merekomendasikan usulan untuk ditindaklanjuti dengan perbaikan redaksional.',
    'Pemohon telah menyampaikan draf hasil revisi.',
  ],
  analisis: [
    'Substansi naskah telah sesuai dengan Peraturan Menteri Dalam Negeri Nomor 22 Tahun 2020.',
    'Ruang lingkup selaras dengan program prioritas daerah di bidang pemberdayaan desa.',
  ],
  kesimpulan: ['Usulan Nota Kesepakatan layak ditindaklanjuti dengan penandatanganan.'],
  saran: ['Bupati berkenan menandatangani Naskah Final Nota Kesepakatan setelah diparaf secara berjenjang.'],
  penandatangan: SEKDA_BLITAR,
});

// ---------------------------------------------------------------------------------------------------------------
// Kota Bandung: kerja sama teknik luar negeri

const TELAAHAN_BANDUNG = contoh('bandung-telaahan-staf', SOP_BANDUNG, 'telaahan-staf', {
  kop: KOP_BANDUNG,
  kepada: 'Walikota Bandung',
  dari: 'Kepala Bagian Kerjasama',
  tanggal: '2026-09-14',
  nomor: '000.5.4/198/Kerjasama/2026',
  lampiran: '2 (dua) berkas',
  hal: 'Usulan Kerja Sama Teknik dengan Kota Suwon, Republik Korea',
  persoalan:
    'Pemerintah Kota Suwon, Republik Korea, mengusulkan kerja sama teknik di bidang pengelolaan persampahan berbasis teknologi; Tim TKKSD telah membahas usulan tersebut.',
  praanggapan: [
    'Kerja sama teknik luar negeri memerlukan pertimbangan Menteri Dalam Negeri dan persetujuan DPRD.',
    'Kerja sama mendukung program pengurangan sampah Kota Bandung.',
  ],
  fakta: [
    'Surat usulan Wali Kota Suwon diterima tanggal 2 September 2026.',
    'Rapat Tim TKKSD tanggal 10 September 2026 menyimpulkan usulan layak ditindaklanjuti.',
    'Kota Suwon bersedia membiayai tenaga ahli dan peralatan percontohan.',
  ],
  analisis: [
    'Ruang lingkup kerja sama sesuai dengan kewenangan daerah di bidang lingkungan hidup.',
    'Pendanaan dari pihak luar negeri berupa hibah perlu dicatat sesuai ketentuan hibah luar negeri.',
  ],
  kesimpulan: ['Usulan kerja sama teknik dapat ditindaklanjuti dengan konsultasi kepada Kementerian Dalam Negeri.'],
  saran: [
    'Walikota berkenan menyetujui penyusunan usulan kerja sama dan menandatangani surat kepada Menteri Dalam Negeri.',
  ],
  penandatangan: {
    jabatan: 'Kepala Bagian Kerjasama',
    nama: 'Lina Marlina, S.IP., M.Si.',
    nip: '197609032000032002',
    pangkat: 'Pembina (IV/a)',
  },
});

const LAPORAN_BANDUNG = contoh('bandung-laporan-pelaksanaan', SOP_BANDUNG, 'laporan-pelaksanaan', {
  kop: KOP_BANDUNG,
  judul: 'Kerja Sama Teknik Pengelolaan Persampahan antara Pemerintah Kota Bandung dan Pemerintah Kota Suwon',
  nomor: '000.5.4/77/Kerjasama/2027',
  periode: 'Semester I Tahun 2027',
  pendahuluan: [
    'Laporan ini disusun sebagai pertanggungjawaban pelaksanaan kerja sama teknik luar negeri sesuai dengan ketentuan peraturan perundang-undangan, untuk disampaikan kepada DPRD, Menteri Dalam Negeri melalui Gubernur, Direktorat Jenderal Pengelolaan Utang dan BPK.',
  ],
  dasar: [
    {
      jenis: 'Memorandum of Understanding',
      nomor: '000.5.4/12/Kerjasama/2027',
      tanggal: '2027-01-20',
      tentang: 'Kerja Sama Teknik Pengelolaan Persampahan',
    },
  ],
  paraPihak: ['Pemerintah Kota Bandung, Republik Indonesia', 'Pemerintah Kota Suwon, Republik Korea'],
  objek: 'Percontohan pengolahan sampah organik skala kawasan dan pelatihan tenaga teknis.',
  jangkaWaktu: { mulai: '2027-01-20', berakhir: '2030-01-19' },
  pendanaan: 'Hibah peralatan dari Pemerintah Kota Suwon dan APBD Kota Bandung untuk biaya operasional.',
  kegiatan: [
    { uraian: 'Pemasangan unit percontohan pengolahan sampah organik', waktu: 'Maret 2027', realisasi: '100%' },
    { uraian: 'Pelatihan 40 tenaga teknis', waktu: 'April 2027', realisasi: '100%' },
    {
      uraian: 'Kunjungan teknis ke Kota Suwon',
      waktu: 'Mei 2027',
      realisasi: 'Ditunda',
      keterangan: 'Dijadwalkan ulang Semester II',
    },
  ],
  hasil: [
    'Pengurangan sampah organik di kawasan percontohan sekitar 12 ton per bulan.',
    'Tersedia 40 tenaga teknis terlatih.',
  ],
  kendala: ['Penyesuaian perizinan impor peralatan memerlukan waktu lebih lama dari rencana.'],
  kesimpulan: ['Kerja sama berjalan sesuai rencana dan memberi manfaat nyata.'],
  rekomendasi: 'diperluas',
  alasanRekomendasi: 'Percontohan layak diperluas ke dua kawasan lain pada tahun 2028.',
  lampiran: ['Dokumentasi kegiatan', 'Daftar peserta pelatihan'],
  tempat: 'Bandung',
  tanggal: '2027-07-15',
  penandatangan: { jabatan: 'WALIKOTA BANDUNG', nama: 'Walikota Bandung', tingkat: 'kepala-daerah' },
});

const PENGANTAR_BANDUNG = contoh('bandung-surat-pengantar', SOP_BANDUNG, 'surat-pengantar', {
  kop: KOP_BANDUNG,
  tempat: 'Bandung',
  tanggal: '2027-07-20',
  nomor: '000.5.4/81/Kerjasama/2027',
  kepada: 'Ketua Badan Pemeriksa Keuangan Perwakilan Provinsi Jawa Barat',
  naskah: [
    {
      uraian: 'Laporan Pelaksanaan Kerja Sama Teknik Pengelolaan Persampahan Semester I Tahun 2027',
      banyaknya: '1 (satu) eksemplar',
      keterangan: 'Disampaikan dengan hormat',
    },
  ],
  penandatangan: {
    jabatan: 'Kepala Bagian Kerjasama',
    nama: 'Lina Marlina, S.IP., M.Si.',
    nip: '197609032000032002',
    pangkat: 'Pembina (IV/a)',
    atasNama: 'WALIKOTA BANDUNG',
    untukBeliau: 'Sekretaris Daerah',
  },
});

const NOTA_DINAS_BANDUNG = contoh('bandung-nota-dinas', SOP_BANDUNG, 'nota-dinas', {
  kop: KOP_BANDUNG,
  kepada: 'Asisten Pemerintahan dan Kesejahteraan Rakyat',
  dari: 'Kepala Bagian Kerjasama',
  tanggal: '2026-09-15',
  nomor: '000.5.4/201/Kerjasama/2026',
  sifat: 'Terbatas',
  hal: 'Penyampaian Telaahan Staf Usulan Kerja Sama Teknik dengan Kota Suwon',
  isi: [
    'Bersama ini kami sampaikan telaahan staf atas usulan kerja sama teknik dengan Pemerintah Kota Suwon, Republik Korea, untuk diproses secara berjenjang kepada Sekretaris Daerah, Wakil Walikota dan Walikota.',
  ],
  penandatangan: {
    jabatan: 'Kepala Bagian Kerjasama',
    nama: 'Lina Marlina, S.IP., M.Si.',
    nip: '197609032000032002',
    pangkat: 'Pembina (IV/a)',
    status: 'Plh.',
  },
  tte: {
    qr: 'https://sepakat.bandung.go.id/verifikasi/ND-2026-201',
    keterangan:
      'Dokumen ini ditandatangani secara elektronik dalam lingkungan uji coba Sepakat memakai sertifikat pengembangan yang bukan sertifikat BSrE. Periksa keaslian dengan memindai kode QR.',
  },
});

// ---------------------------------------------------------------------------------------------------------------
// A naskah rendered from its content (the `naskah` template, every kind): examples of test/support/naskah-contoh.ts

const isi = (id: string, sop: string, c: NaskahContoh): Contoh<'naskah'> =>
  contoh(id, sop, 'naskah', naskahDocument(c.outline, c.content, c.ctx).input);

const PKS_ISI_KOTA = isi('kota-naskah-perjanjian-kerja-sama', SOP_KOTA, PKS);
const MOU_ISI_BANDUNG = isi('bandung-naskah-mou', SOP_BANDUNG, MOU);
/** The audit certificate of the Kota Contoh naskah: two paraf hierarki, a paraf koordinasi, two signatures. */
const RIWAYAT_KOTA = contoh('kota-lembar-riwayat', SOP_KOTA, 'lembar-riwayat', {
  kop: KOP_KOTA,
  naskah: {
    jenis: 'Kesepakatan Bersama',
    nomor: '000.5.4/123/KS/2026',
    tentang: 'Kerja Sama Penyelenggaraan Pemerintahan dan Pembangunan Daerah',
    perihal: 'Kerja sama penyelenggaraan pemerintahan dan pembangunan daerah',
    paraPihak: ['Pemerintah Kota Contoh', 'Pemerintah Kabupaten Sukamaju'],
    berkas: 'naskah-para-pihak-000-5-4-123-KS-2026.pdf',
    ukuran: '212 KB',
    sha256: '9f2c4b7a1e0d3c5b6a798877665544332211ffeeddccbbaa0099887766554433',
    verifikasi: 'https://sepakat.kotacontoh.go.id/verifikasi/Q2hLm0aZ9xYb3cD4eF5gH6',
  },
  peristiwa: [
    {
      tindakan: 'Paraf koordinasi',
      pihak: 'PIHAK KESATU',
      nama: 'tidak tercatat (paraf pada naskah kertas)',
      jabatan: 'Bagian Hukum dan Perundang-Undangan',
      waktu: 'Rabu, 9 Desember 2026 pukul 10.05 WIB',
      versiIsi: 'sha256:3b1f0e5d7c9a2b4d6f8e0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b',
      sha256: '1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d',
      cara: 'dicatat oleh Maya Sari, S.IP. (Kepala Subbagian Kerjasama Dalam Negeri) dari pindaian naskah berparaf',
    },
    {
      tindakan: 'Paraf hierarki ke-1',
      pihak: 'PIHAK KESATU',
      nama: 'Maya Sari, S.IP.',
      jabatan: 'Kepala Subbagian Kerjasama Dalam Negeri',
      waktu: 'Kamis, 10 Desember 2026 pukul 09.12 WIB',
      versiIsi: 'sha256:3b1f0e5d7c9a2b4d6f8e0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b',
      sha256: '1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d',
      cara: 'tautan email pribadi + kode konfirmasi sekali pakai',
    },
    {
      tindakan: 'Paraf hierarki ke-2',
      pihak: 'PIHAK KESATU',
      nama: 'Hendra Gunawan, S.H., M.H.',
      jabatan: 'Kepala Bagian Kerjasama',
      waktu: 'Kamis, 10 Desember 2026 pukul 13.40 WIB',
      versiIsi: 'sha256:3b1f0e5d7c9a2b4d6f8e0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b',
      sha256: '1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d',
      cara: 'tautan email pribadi + kode konfirmasi sekali pakai',
    },
    {
      tindakan: 'Tanda tangan elektronik',
      pihak: 'PIHAK KESATU',
      nama: 'Dr. H. Ahmad Wijaya',
      jabatan: 'Walikota Contoh',
      waktu: 'Rabu, 16 Desember 2026 pukul 10.02 WIB',
      versiIsi: 'sha256:3b1f0e5d7c9a2b4d6f8e0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b',
      sha256: 'aa11bb22cc33dd44ee55ff6600778899aabbccddeeff00112233445566778899',
      cara: 'tanda tangan elektronik PAdES (sertifikat pengembangan Sepakat, bukan BSrE), diberikan melalui tautan email pribadi + kode konfirmasi sekali pakai',
    },
    {
      tindakan: 'Tanda tangan elektronik',
      pihak: 'PIHAK KEDUA',
      nama: 'H. Dedi Kurniawan, S.E.',
      jabatan: 'BUPATI SUKAMAJU',
      waktu: 'Rabu, 16 Desember 2026 pukul 14.30 WIB',
      versiIsi: 'sha256:3b1f0e5d7c9a2b4d6f8e0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b',
      sha256: 'bb22cc33dd44ee55ff6600778899aabbccddeeff0011223344556677889900aa',
      cara: 'tanda tangan elektronik mitra (PAdES) sebagai pembaruan inkremental di atas naskah bertanda tangan PIHAK KESATU; diunggah oleh Maya Sari, S.IP. (Kepala Subbagian Kerjasama Dalam Negeri)',
    },
  ],
  dibuat: 'Kamis, 17 Desember 2026 pukul 08.15 WIB',
  verifikasi: 'https://sepakat.kotacontoh.go.id/verifikasi/Lr7sT8uV9wX0yZ1aB2cD3e',
  catatan: [
    'Waktu dinyatakan dalam zona waktu WIB. Waktu tanda tangan elektronik adalah waktu yang dinyatakan di dalam tanda tangan itu (bukan cap waktu tepercaya).',
  ],
  tte: {
    qr: 'https://sepakat.kotacontoh.go.id/verifikasi/Lr7sT8uV9wX0yZ1aB2cD3e',
    label: 'Pindai untuk memeriksa keaslian lembar ini',
    keterangan:
      'Disegel secara elektronik oleh Sepakat atas nama Pemerintah Kota Contoh (segel instansi, bukan tanda tangan perseorangan) dengan sertifikat pengembangan, BUKAN sertifikat elektronik BSrE.',
  },
});

export const CONTOH: readonly Contoh[] = [
  DISPOSISI_KOTA,
  UNDANGAN_KOTA,
  NOTULEN_KOTA,
  KB_KOTA,
  PKS_KOTA,
  PENGANTAR_KOTA,
  RIWAYAT_KOTA,
  NOTA_DINAS_BLITAR,
  TELAAHAN_BLITAR,
  NK_BLITAR,
  TELAAHAN_BANDUNG,
  NOTA_DINAS_BANDUNG,
  LAPORAN_BANDUNG,
  PENGANTAR_BANDUNG,
  PKS_ISI_KOTA,
  MOU_ISI_BANDUNG,
];

export const contohById = (id: string): Contoh => {
  const found = CONTOH.find((c) => c.id === id);
  if (!found) throw new Error(`no example "${id}"`);
  return found;
};
