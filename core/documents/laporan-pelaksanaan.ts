import { z } from 'zod';
import {
  butirAngka,
  paragraf,
  paragrafList,
  romawi,
  suratSchema,
  suratView,
  tanggal,
  tanggalSurat,
  teks,
} from './common.ts';
import type { Butir, SuratView } from './common.ts';

/**
 * Laporan Pelaksanaan Kerja Sama (format unverified, domain.md): pendahuluan, dasar (KB/PKS number and date), para
 * pihak, objek, jangka waktu, pendanaan, kegiatan, hasil dan manfaat, kendala, kesimpulan dan rekomendasi
 * (dilanjutkan / diperluas / dihentikan), lampiran.
 */
export const REKOMENDASI = ['dilanjutkan', 'diperluas', 'dihentikan'] as const;

export const LaporanPelaksanaanSchema = suratSchema({
  judul: teks,
  nomor: teks.optional(),
  periode: teks,
  pendahuluan: paragrafList,
  dasar: z
    .array(z.object({ jenis: teks, nomor: teks, tanggal, tentang: teks }).strict())
    .min(1, 'sebutkan Kesepakatan Bersama / Perjanjian Kerja Sama yang dilaporkan'),
  paraPihak: z.array(teks).min(2),
  objek: paragraf,
  jangkaWaktu: z.object({ mulai: tanggal, berakhir: tanggal }).strict(),
  pendanaan: paragraf,
  kegiatan: z
    .array(z.object({ uraian: teks, waktu: teks, realisasi: teks, keterangan: teks.optional() }).strict())
    .min(1),
  hasil: paragrafList,
  kendala: z.array(paragraf).default([]),
  kesimpulan: paragrafList,
  rekomendasi: z.enum(REKOMENDASI),
  alasanRekomendasi: paragraf,
  lampiran: z.array(teks).default([]),
  tempat: teks,
  tanggal,
}).refine((d) => d.jangkaWaktu.mulai <= d.jangkaWaktu.berakhir, {
  path: ['jangkaWaktu', 'berakhir'],
  message: 'tanggal berakhir tidak boleh sebelum tanggal mulai',
});
export type LaporanPelaksanaanInput = z.input<typeof LaporanPelaksanaanSchema>;
export type LaporanPelaksanaan = z.infer<typeof LaporanPelaksanaanSchema>;

export interface LaporanBab {
  nomor: string;
  judul: string;
  paragraf: string[];
  butir: Butir[];
}

export interface LaporanPelaksanaanView extends SuratView {
  judul: string;
  nomor: string | null;
  periode: string;
  babAwal: LaporanBab[];
  babAkhir: LaporanBab[];
  kegiatan: { no: number; uraian: string; waktu: string; realisasi: string; keterangan: string }[];
  babKegiatan: string;
  rekomendasi: { nama: string; dipilih: boolean }[];
}

const REKOMENDASI_LABEL: Record<(typeof REKOMENDASI)[number], string> = {
  dilanjutkan: 'Dilanjutkan',
  diperluas: 'Diperluas',
  dihentikan: 'Dihentikan',
};

export function prepareLaporanPelaksanaan(d: LaporanPelaksanaan): LaporanPelaksanaanView {
  const bab: Omit<LaporanBab, 'nomor'>[] = [
    { judul: 'Pendahuluan', paragraf: d.pendahuluan, butir: [] },
    {
      judul: 'Dasar',
      paragraf: [],
      butir: butirAngka(
        d.dasar.map((x) => `${x.jenis} Nomor ${x.nomor} tanggal ${tanggalSurat(x.tanggal)} tentang ${x.tentang}`),
      ),
    },
    { judul: 'Para Pihak', paragraf: [], butir: butirAngka(d.paraPihak) },
    { judul: 'Objek Kerja Sama', paragraf: [d.objek], butir: [] },
    {
      judul: 'Jangka Waktu',
      paragraf: [
        `Kerja sama berlaku sejak ${tanggalSurat(d.jangkaWaktu.mulai)} sampai dengan ${tanggalSurat(d.jangkaWaktu.berakhir)}.`,
      ],
      butir: [],
    },
    { judul: 'Pendanaan', paragraf: [d.pendanaan], butir: [] },
  ];
  const after: Omit<LaporanBab, 'nomor'>[] = [
    { judul: 'Hasil dan Manfaat', paragraf: [], butir: butirAngka(d.hasil) },
    {
      judul: 'Kendala',
      paragraf: d.kendala.length ? [] : ['Tidak terdapat kendala yang berarti.'],
      butir: butirAngka(d.kendala),
    },
    {
      judul: 'Kesimpulan dan Rekomendasi',
      paragraf: [...d.kesimpulan, `Rekomendasi: kerja sama ${d.rekomendasi}. ${d.alasanRekomendasi}`],
      butir: [],
    },
    {
      judul: 'Lampiran',
      paragraf: d.lampiran.length ? [] : ['-'],
      butir: butirAngka(d.lampiran),
    },
  ];
  const numbered = (list: Omit<LaporanBab, 'nomor'>[], from: number) =>
    list.map((b, i) => ({ ...b, nomor: `${romawi(from + i)}.`, judul: b.judul.toUpperCase() }));
  return {
    judul: d.judul,
    nomor: d.nomor ?? null,
    periode: d.periode,
    babAwal: numbered(bab, 1),
    babAkhir: numbered(after, bab.length + 2),
    babKegiatan: `${romawi(bab.length + 1)}. KEGIATAN`,
    kegiatan: d.kegiatan.map((k, i) => ({
      no: i + 1,
      uraian: k.uraian,
      waktu: k.waktu,
      realisasi: k.realisasi,
      keterangan: k.keterangan ?? '-',
    })),
    rekomendasi: REKOMENDASI.map((r) => ({ nama: REKOMENDASI_LABEL[r], dipilih: r === d.rekomendasi })),
    ...suratView(d, `${d.tempat}, ${tanggalSurat(d.tanggal)}`),
  };
}
