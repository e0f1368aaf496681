import { z } from 'zod';
import { butirAngka, paragrafList, sifat, suratSchema, suratView, tanggal, tanggalSurat, teks } from './common.ts';
import type { Butir, SuratView } from './common.ts';

/**
 * Nota Dinas (Permendagri 1/2023): kop of the unit, "NOTA DINAS", Yth., Dari, Tembusan, Tanggal, Nomor, Sifat,
 * Lampiran, Hal, the body, then jabatan, signature, name and NIP.
 */
export const NotaDinasSchema = suratSchema({
  kepada: teks,
  dari: teks,
  tembusan: z.array(teks).default([]),
  tanggal,
  nomor: teks,
  sifat,
  lampiran: teks.default('-'),
  hal: teks,
  /** Paragraphs of the body. */
  isi: paragrafList,
  /** Numbered points after the opening paragraph (optional). */
  butir: z.array(teks).default([]),
  /** The closing paragraph. */
  penutup: teks.default('Demikian disampaikan, atas perhatiannya diucapkan terima kasih.'),
});
export type NotaDinasInput = z.input<typeof NotaDinasSchema>;
export type NotaDinas = z.infer<typeof NotaDinasSchema>;

export interface NotaDinasView extends SuratView {
  kepada: string;
  dari: string;
  tembusan: Butir[];
  tanggal: string;
  nomor: string;
  sifat: string;
  lampiran: string;
  hal: string;
  pembuka: string;
  isi: string[];
  butir: Butir[];
  penutup: string;
}

export function prepareNotaDinas(d: NotaDinas): NotaDinasView {
  const [pembuka, ...isi] = d.isi;
  return {
    kepada: d.kepada,
    dari: d.dari,
    tembusan: butirAngka(d.tembusan),
    tanggal: tanggalSurat(d.tanggal),
    nomor: d.nomor,
    sifat: d.sifat,
    lampiran: d.lampiran,
    hal: d.hal,
    pembuka: pembuka!,
    isi,
    butir: butirAngka(d.butir),
    penutup: d.penutup,
    ...suratView(d),
  };
}
