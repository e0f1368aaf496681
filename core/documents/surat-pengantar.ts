import { z } from 'zod';
import { suratSchema, suratView, tanggal, tanggalSurat, teks } from './common.ts';
import type { SuratView } from './common.ts';

/**
 * Surat Pengantar: sends the signed naskah to the partner. Kop, place and date, Yth., Nomor, the table of what is
 * sent (No, Naskah Dinas yang Dikirimkan, Banyaknya, Keterangan), the sender's signature and a receipt block
 * (Diterima tanggal, name, NIP) for the recipient.
 */
export const SuratPengantarSchema = suratSchema({
  tempat: teks,
  tanggal,
  nomor: teks,
  kepada: teks,
  alamatTujuan: teks.optional(),
  naskah: z
    .array(z.object({ uraian: teks, banyaknya: teks, keterangan: teks.optional() }).strict())
    .min(1, 'paling sedikit satu naskah'),
});
export type SuratPengantarInput = z.input<typeof SuratPengantarSchema>;
export type SuratPengantar = z.infer<typeof SuratPengantarSchema>;

export interface SuratPengantarView extends SuratView {
  tempatTanggal: string;
  nomor: string;
  kepada: string;
  alamatTujuan: string | null;
  naskah: { no: number; uraian: string; banyaknya: string; keterangan: string }[];
}

export function prepareSuratPengantar(d: SuratPengantar): SuratPengantarView {
  return {
    tempatTanggal: `${d.tempat}, ${tanggalSurat(d.tanggal)}`,
    nomor: d.nomor,
    kepada: d.kepada,
    alamatTujuan: d.alamatTujuan ?? null,
    naskah: d.naskah.map((n, i) => ({
      no: i + 1,
      uraian: n.uraian,
      banyaknya: n.banyaknya,
      keterangan: n.keterangan ?? '-',
    })),
    ...suratView(d),
  };
}
