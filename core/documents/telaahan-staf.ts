import { z } from 'zod';
import {
  butirAngka,
  KopSchema,
  kopView,
  paragraf,
  paragrafList,
  penutupSurat,
  romawi,
  suratSchema,
  tanggal,
  tanggalSurat,
  teks,
} from './common.ts';
import type { Butir, KopView, PenutupSuratView } from './common.ts';

/**
 * Telaahan Staf: Kepada, Dari, Tanggal, Nomor, Lampiran, Hal; I. Persoalan, II. Praanggapan, III. Fakta-fakta yang
 * mempengaruhi, IV. Analisis, V. Kesimpulan, VI. Saran/Tindakan; the signature of the official who wrote it.
 */
export const TelaahanStafSchema = suratSchema({
  kop: KopSchema.optional(),
  kepada: teks,
  dari: teks,
  tanggal,
  nomor: teks,
  lampiran: teks.default('-'),
  hal: teks,
  persoalan: paragraf,
  praanggapan: paragrafList,
  fakta: paragrafList,
  analisis: paragrafList,
  kesimpulan: paragrafList,
  saran: paragrafList,
});
export type TelaahanStafInput = z.input<typeof TelaahanStafSchema>;
export type TelaahanStaf = z.infer<typeof TelaahanStafSchema>;

export interface TelaahanBagian {
  nomor: string;
  judul: string;
  /** One paragraph stays unnumbered (here); several are numbered 1., 2., … (in `butir`). */
  paragraf: string[];
  butir: Butir[];
}

export interface TelaahanStafView extends PenutupSuratView {
  kop: KopView | null;
  kepada: string;
  dari: string;
  tanggal: string;
  nomor: string;
  lampiran: string;
  hal: string;
  bagian: TelaahanBagian[];
}

export const TELAAHAN_BAGIAN = [
  'Persoalan',
  'Praanggapan',
  'Fakta-fakta yang Mempengaruhi',
  'Analisis',
  'Kesimpulan',
  'Saran/Tindakan',
] as const;

export function prepareTelaahanStaf(d: TelaahanStaf): TelaahanStafView {
  const isi = [[d.persoalan], d.praanggapan, d.fakta, d.analisis, d.kesimpulan, d.saran];
  return {
    kop: d.kop ? kopView(d.kop) : null,
    kepada: d.kepada,
    dari: d.dari,
    tanggal: tanggalSurat(d.tanggal),
    nomor: d.nomor,
    lampiran: d.lampiran,
    hal: d.hal,
    bagian: TELAAHAN_BAGIAN.map((judul, i) => {
      const paras = isi[i]!;
      return {
        nomor: `${romawi(i + 1)}.`,
        judul: judul.toUpperCase(),
        paragraf: paras.length === 1 ? [paras[0]!] : [],
        butir: paras.length === 1 ? [] : butirAngka(paras),
      };
    }),
    ...penutupSurat(d),
  };
}
