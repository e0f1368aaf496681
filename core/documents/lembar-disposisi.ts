import { z } from 'zod';
import {
  footerDokumen,
  KopSchema,
  kopView,
  konsep,
  paragraf,
  sifat,
  SIFAT,
  tanggal,
  tanggalSurat,
  teks,
} from './common.ts';
import type { FooterView, KopView } from './common.ts';

/**
 * Lembar Disposisi: the incoming letter (from, number, date, received, agenda number, sifat, perihal) and the chain
 * of instructions passing it down the hierarchy (from, to, arahan, date, paraf) — the output of the first steps of
 * the first SOP (Sekda → Asisten → Kabag → Kasubbag).
 */
export const HARAP = [
  'Tanggapan dan saran',
  'Proses lebih lanjut',
  'Koordinasi/konfirmasi',
  'Untuk diketahui',
  'Dijadwalkan',
  'Disiapkan rapat',
  'Diarsipkan',
] as const;

export const DisposisiSchema = z
  .object({
    dari: teks,
    kepada: z.array(teks).min(1),
    harap: z.array(z.enum(HARAP)).default([]),
    arahan: paragraf,
    tanggal,
    /** The official's name (for the paraf column). */
    nama: teks.optional(),
  })
  .strict();

export const LembarDisposisiSchema = z
  .object({
    kop: KopSchema,
    surat: z
      .object({
        dari: teks,
        nomor: teks,
        /** The letter's own date; absent when the case does not know it (the sheet prints the blank). */
        tanggal: tanggal.optional(),
        diterima: tanggal,
        nomorAgenda: teks,
        sifat,
        perihal: teks,
      })
      .strict(),
    disposisi: z.array(DisposisiSchema).min(1),
    catatan: paragraf.optional(),
    /** A draft: marked KONSEP (see common.ts `konsep`). */
    konsep,
  })
  .strict();
export type LembarDisposisiInput = z.input<typeof LembarDisposisiSchema>;
export type LembarDisposisi = z.infer<typeof LembarDisposisiSchema>;

export interface LembarDisposisiView {
  kop: KopView;
  surat: { dari: string; nomor: string; tanggal: string; diterima: string; nomorAgenda: string; perihal: string };
  sifat: { nama: string; dipilih: boolean }[];
  disposisi: {
    no: number;
    dari: string;
    kepada: string[];
    harap: { nama: string; dipilih: boolean }[];
    arahan: string;
    tanggal: string;
    nama: string | null;
  }[];
  catatan: string | null;
  footer: FooterView;
}

export function prepareLembarDisposisi(d: LembarDisposisi): LembarDisposisiView {
  return {
    kop: kopView(d.kop),
    surat: {
      dari: d.surat.dari,
      nomor: d.surat.nomor,
      tanggal: d.surat.tanggal ? tanggalSurat(d.surat.tanggal) : '……………………',
      diterima: tanggalSurat(d.surat.diterima),
      nomorAgenda: d.surat.nomorAgenda,
      perihal: d.surat.perihal,
    },
    sifat: SIFAT.map((nama) => ({ nama, dipilih: nama === d.surat.sifat })),
    disposisi: d.disposisi.map((x, i) => ({
      no: i + 1,
      dari: x.dari,
      kepada: x.kepada,
      harap: HARAP.map((nama) => ({ nama, dipilih: x.harap.includes(nama) })),
      arahan: x.arahan,
      tanggal: tanggalSurat(x.tanggal),
      nama: x.nama ?? null,
    })),
    catatan: d.catatan ?? null,
    footer: footerDokumen(d),
  };
}
