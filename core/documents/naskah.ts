import { z } from 'zod';
import {
  angkaKata,
  butirHuruf,
  gambar,
  kapitalAwal,
  paragraf,
  ParafSchema,
  parafView,
  PenandatanganSchema,
  tandaTanganView,
  tanggalKata,
  teks,
  type Butir,
  type ParafView,
  type TandaTanganView,
  type Tte,
} from './common.ts';

/**
 * What the Kesepakatan Bersama and the Perjanjian Kerja Sama share: the parties (each with its own number), the
 * title, the opening with the date in words, numbered articles (Pasal) and the signature page with meterai and
 * paraf. Standard articles have default wording that an input may replace.
 */

export const PenghubungSchema = z
  .object({
    unit: teks,
    alamat: teks,
    telepon: teks.optional(),
    email: teks.optional(),
    /** The contact official (jabatan). */
    pejabat: teks.optional(),
  })
  .strict();

export const PihakSchema = z
  .object({
    /** "Pemerintah Kota Contoh", "PT Air Bersih Nusantara". */
    instansi: teks,
    /** The party's own number for this naskah. */
    nomor: teks,
    /** Where the party is seated (kedudukan). */
    alamat: teks,
    penandatangan: PenandatanganSchema,
    /** Whom the signer acts for; defaults to the instansi. */
    atasNama: teks.optional(),
    /** PKS: why the signer may sign (a surat kuasa of the kepala daerah, a deed of the company). */
    dasarKewenangan: teks.optional(),
    lambang: gambar.optional(),
    penghubung: PenghubungSchema,
    /** Paraf hierarki of this party: at most three officials, in rank order. */
    paraf: z.array(ParafSchema).max(3, 'paraf hierarki paling banyak 3 pejabat').default([]),
  })
  .strict();
export type Pihak = z.infer<typeof PihakSchema>;

export const JangkaWaktuSchema = z
  .object({
    tahun: z.number().int().min(1).max(30),
    /** Renewal by agreement of the parties. */
    dapatDiperpanjang: z.boolean().default(true),
  })
  .strict();

/** An extra article the drafters add (inserted before Perubahan). */
export const PasalTambahanSchema = z.object({ judul: teks, ayat: z.array(paragraf).min(1) }).strict();

export const PIHAK_LABEL = ['PIHAK KESATU', 'PIHAK KEDUA'] as const;

export interface Ayat {
  label: string | null;
  teks: string;
  butir: Butir[];
}

export interface PasalView {
  nomor: string;
  judul: string;
  ayat: Ayat[];
}

/** Builds numbered Pasal from their contents; one ayat stays unnumbered, several get (1), (2), … */
export function pasalList(
  list: readonly { judul: string; ayat: readonly (string | { teks: string; butir: readonly string[] })[] }[],
): PasalView[] {
  return list.map((p, i) => ({
    nomor: `Pasal ${i + 1}`,
    judul: p.judul.toUpperCase(),
    ayat: p.ayat.map((a, j) => {
      const item = typeof a === 'string' ? { teks: a, butir: [] as readonly string[] } : a;
      return {
        label: p.ayat.length > 1 ? `(${j + 1})` : null,
        teks: item.teks,
        butir: butirHuruf(item.butir),
      };
    }),
  }));
}

export interface PihakView {
  no: string;
  label: string;
  instansi: string;
  nomor: string;
  lambang: string | null;
  /** The identity paragraph in the opening (KB) or the komparisi (PKS). */
  identitas: { nama: string; jabatan: string; uraian: string };
  ttd: TandaTanganView;
  paraf: ParafView[];
}

/** A party as the naskah prints it; `komparisi` adds its `dasarKewenangan` (a surat kuasa) to its identity. */
export function pihakView(
  p: Pick<
    Pihak,
    'instansi' | 'nomor' | 'alamat' | 'penandatangan' | 'atasNama' | 'dasarKewenangan' | 'lambang' | 'paraf'
  >,
  index: 0 | 1,
  tte: Tte | undefined,
  komparisi: boolean,
): PihakView {
  const label = PIHAK_LABEL[index];
  const atasNama = p.atasNama ?? p.instansi;
  const jabatan = `${p.penandatangan.status ? `${p.penandatangan.status} ` : ''}${p.penandatangan.jabatan}`;
  const kewenangan = komparisi && p.dasarKewenangan ? ` ${p.dasarKewenangan},` : '';
  return {
    no: `${index + 1}.`,
    label,
    instansi: p.instansi,
    nomor: p.nomor,
    lambang: p.lambang ?? null,
    identitas: {
      nama: p.penandatangan.nama,
      jabatan,
      uraian: `dalam hal ini bertindak untuk dan atas nama ${atasNama},${kewenangan} berkedudukan di ${p.alamat}, selanjutnya disebut ${label}.`,
    },
    ttd: tandaTanganView(p.penandatangan, { tte, pihak: `${label},` }),
    paraf: parafView(p.paraf),
  };
}

export const pembukaTanggal = (tanggal: string, tempat: string): string =>
  `${kapitalAwal(tanggalKata(tanggal))}, bertempat di ${tempat}, yang bertanda tangan di bawah ini:`;

export const jangkaWaktuTeks = (jenis: string, j: z.infer<typeof JangkaWaktuSchema>): string[] => [
  `${jenis} ini berlaku untuk jangka waktu ${angkaKata(j.tahun)} tahun terhitung sejak tanggal ditandatangani oleh PARA PIHAK.`,
  ...(j.dapatDiperpanjang
    ? [
        `${jenis} ini dapat diperpanjang atas kesepakatan PARA PIHAK dengan pemberitahuan secara tertulis paling lambat 6 (enam) bulan sebelum jangka waktu berakhir.`,
      ]
    : []),
];

export const penghubungAyat = (
  jenis: string,
  pihak: readonly [Pihak, Pihak],
): (string | { teks: string; butir: string[] })[] =>
  pihak
    .map((p, i) => ({
      teks: `${PIHAK_LABEL[i]}: ${p.penghubung.unit}`,
      butir: [
        `Alamat: ${p.penghubung.alamat}`,
        ...(p.penghubung.pejabat ? [`Pejabat penghubung: ${p.penghubung.pejabat}`] : []),
        ...(p.penghubung.telepon ? [`Telepon: ${p.penghubung.telepon}`] : []),
        ...(p.penghubung.email ? [`Pos-el: ${p.penghubung.email}`] : []),
      ],
    }))
    .concat([
      {
        teks: `Segala pemberitahuan dan surat-menyurat yang berkaitan dengan ${jenis} ini disampaikan secara tertulis kepada alamat tersebut di atas; perubahan alamat diberitahukan secara tertulis kepada pihak lainnya.`,
        butir: [],
      },
    ]);

export const perubahanTeks = (jenis: string): string[] => [
  `Hal-hal yang belum diatur atau perubahan atas ${jenis} ini akan diatur kemudian berdasarkan kesepakatan PARA PIHAK dan dituangkan dalam Adendum yang merupakan bagian tidak terpisahkan dari ${jenis} ini.`,
];

export const penutupTeks = (jenis: string, rangkap: number, meterai: boolean): string[] => [
  `${jenis} ini dibuat dalam rangkap ${angkaKata(rangkap)}${meterai ? ', masing-masing bermeterai cukup' : ''}, mempunyai kekuatan hukum yang sama, dan ditandatangani oleh PARA PIHAK pada hari, tanggal, bulan dan tahun sebagaimana tersebut di atas.`,
];

/** The last Pasal of a Kesepakatan Bersama or a Perjanjian Kerja Sama: Penghubung, the added Pasal, Perubahan, Penutup. */
export const pasalAkhir = (
  jenis: string,
  d: {
    pihakKesatu: Pihak;
    pihakKedua: Pihak;
    pasalTambahan: readonly z.infer<typeof PasalTambahanSchema>[];
    rangkap: number;
    meterai: boolean;
  },
) => [
  { judul: 'Penghubung', ayat: penghubungAyat(jenis, [d.pihakKesatu, d.pihakKedua]) },
  ...d.pasalTambahan.map((p) => ({ judul: p.judul, ayat: p.ayat })),
  { judul: 'Perubahan', ayat: perubahanTeks(jenis) },
  { judul: 'Penutup', ayat: penutupTeks(jenis, d.rangkap, d.meterai) },
];
