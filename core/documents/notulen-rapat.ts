import { z } from 'zod';
import {
  daftarOrang,
  footerDokumen,
  hariTanggal,
  KopSchema,
  kopView,
  OrangSchema,
  paragraf,
  PenandatanganSchema,
  tandaTanganView,
  tanggal,
  tanggalSurat,
  teks,
  ttePenutup,
} from './common.ts';
import type { FooterView, KopView, OrangView, TandaTanganView } from './common.ts';

/**
 * Notulen rapat (layout unverified, domain.md): the meeting, hari/tanggal, waktu, tempat, acara, pimpinan, pencatat,
 * peserta (daftar hadir), pembahasan, keputusan/kesimpulan and tindak lanjut; signed by the chair and the
 * note-taker.
 */
export const NotulenRapatSchema = z
  .object({
    kop: KopSchema,
    rapat: teks,
    tanggal,
    waktu: teks,
    tempat: teks,
    acara: teks,
    /** Reference to the invitation (nomor), optional. */
    undangan: teks.optional(),
    pimpinan: PenandatanganSchema,
    pencatat: PenandatanganSchema,
    peserta: z.array(OrangSchema).min(1, 'daftar hadir paling sedikit satu orang'),
    pembahasan: z.array(z.object({ topik: teks, uraian: z.array(paragraf).min(1) }).strict()).min(1),
    keputusan: z.array(paragraf).min(1),
    tindakLanjut: z
      .array(z.object({ uraian: teks, penanggungJawab: teks, batasWaktu: tanggal.optional() }).strict())
      .default([]),
    tempatTanda: teks,
    ...ttePenutup,
  })
  .strict();
export type NotulenRapatInput = z.input<typeof NotulenRapatSchema>;
export type NotulenRapat = z.infer<typeof NotulenRapatSchema>;

export interface NotulenRapatView {
  kop: KopView;
  rapat: string;
  hariTanggal: string;
  waktu: string;
  tempat: string;
  acara: string;
  undangan: string | null;
  pimpinanNama: string;
  pencatatNama: string;
  peserta: OrangView[];
  pembahasan: { no: number; topik: string; uraian: string[] }[];
  keputusan: { no: number; teks: string }[];
  tindakLanjut: { no: number; uraian: string; penanggungJawab: string; batasWaktu: string }[];
  tempatTanggal: string;
  pimpinan: TandaTanganView;
  pencatat: TandaTanganView;
  footer: FooterView;
}

export function prepareNotulenRapat(d: NotulenRapat): NotulenRapatView {
  return {
    kop: kopView(d.kop),
    rapat: d.rapat,
    hariTanggal: hariTanggal(d.tanggal),
    waktu: d.waktu,
    tempat: d.tempat,
    acara: d.acara,
    undangan: d.undangan ?? null,
    pimpinanNama: `${d.pimpinan.nama} (${d.pimpinan.jabatan})`,
    pencatatNama: `${d.pencatat.nama} (${d.pencatat.jabatan})`,
    peserta: daftarOrang(d.peserta),
    pembahasan: d.pembahasan.map((p, i) => ({ no: i + 1, topik: p.topik, uraian: p.uraian })),
    keputusan: d.keputusan.map((t, i) => ({ no: i + 1, teks: t })),
    tindakLanjut: d.tindakLanjut.map((t, i) => ({
      no: i + 1,
      uraian: t.uraian,
      penanggungJawab: t.penanggungJawab,
      batasWaktu: t.batasWaktu ? tanggalSurat(t.batasWaktu) : '-',
    })),
    tempatTanggal: `${d.tempatTanda}, ${tanggalSurat(d.tanggal)}`,
    pimpinan: tandaTanganView(d.pimpinan, { tte: d.tte, pihak: 'Pimpinan Rapat' }),
    pencatat: tandaTanganView(d.pencatat, { pihak: 'Notulis' }),
    footer: footerDokumen(d),
  };
}
