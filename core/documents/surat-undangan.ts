import { z } from 'zod';
import {
  butirAngka,
  daftarOrang,
  hariTanggal,
  OrangSchema,
  paragraf,
  sifat,
  suratSchema,
  suratView,
  tanggal,
  tanggalSurat,
  teks,
} from './common.ts';
import type { Butir, OrangView, SuratView } from './common.ts';

/**
 * Surat Undangan rapat: kop, place and date, Nomor, Sifat, Lampiran, Hal, "Yth. … di tempat", the opening, the
 * meeting (Hari/tanggal, Waktu, Tempat, Acara), the closing, the signature, Tembusan, and the guest list as a
 * lampiran on its own page.
 */
export const UndanganSchema = OrangSchema;

export const SuratUndanganSchema = suratSchema({
  tempat: teks,
  tanggal,
  nomor: teks,
  sifat,
  hal: teks,
  /** "Daftar Terlampir" when there is a guest list. */
  kepada: teks.default('Daftar Terlampir'),
  diTempat: teks.default('di Tempat'),
  pembuka: paragraf,
  rapat: z
    .object({
      tanggal,
      /** "09.00 WIB s.d. selesai" */
      waktu: teks,
      tempat: teks,
      acara: teks,
      /** Who chairs (optional line). */
      pimpinan: teks.optional(),
    })
    .strict(),
  catatan: z.array(teks).default([]),
  penutup: paragraf.default(
    'Mengingat pentingnya acara tersebut, dimohon kehadiran Bapak/Ibu tepat pada waktunya. Atas perhatian dan kehadirannya diucapkan terima kasih.',
  ),
  tembusan: z.array(teks).default([]),
  daftarUndangan: z.array(UndanganSchema).default([]),
});
export type SuratUndanganInput = z.input<typeof SuratUndanganSchema>;
export type SuratUndangan = z.infer<typeof SuratUndanganSchema>;

export interface SuratUndanganView extends SuratView {
  tempatTanggal: string;
  nomor: string;
  sifat: string;
  lampiran: string;
  hal: string;
  kepada: string;
  diTempat: string;
  pembuka: string;
  rapat: { hariTanggal: string; waktu: string; tempat: string; acara: string; pimpinan: string | null };
  catatan: string[];
  penutup: string;
  tembusan: Butir[];
  lampiranDaftar: {
    nomor: string;
    tanggal: string;
    baris: OrangView[];
  } | null;
}

export function prepareSuratUndangan(d: SuratUndangan): SuratUndanganView {
  const daftar = d.daftarUndangan;
  return {
    tempatTanggal: `${d.tempat}, ${tanggalSurat(d.tanggal)}`,
    nomor: d.nomor,
    sifat: d.sifat,
    lampiran: daftar.length ? '1 (satu) lembar' : '-',
    hal: d.hal,
    kepada: d.kepada,
    diTempat: d.diTempat,
    pembuka: d.pembuka,
    rapat: {
      hariTanggal: hariTanggal(d.rapat.tanggal),
      waktu: d.rapat.waktu,
      tempat: d.rapat.tempat,
      acara: d.rapat.acara,
      pimpinan: d.rapat.pimpinan ?? null,
    },
    catatan: d.catatan,
    penutup: d.penutup,
    ...suratView(d),
    tembusan: butirAngka(d.tembusan),
    lampiranDaftar: daftar.length
      ? {
          nomor: d.nomor,
          tanggal: tanggalSurat(d.tanggal),
          baris: daftarOrang(daftar),
        }
      : null,
  };
}
