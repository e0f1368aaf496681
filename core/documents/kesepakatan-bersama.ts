import { z } from 'zod';
import { ErrorNames, SepakatError } from '../errors.ts';
import { footerDokumen, paragraf, ParafSchema, parafView, teks, tanggal, ttePenutup } from './common.ts';
import type { FooterView, ParafView } from './common.ts';
import {
  JangkaWaktuSchema,
  jangkaWaktuTeks,
  PasalTambahanSchema,
  pasalAkhir,
  pasalList,
  pembukaTanggal,
  PihakSchema,
  pihakView,
  type PasalView,
  type PihakView,
} from './naskah.ts';

/**
 * Kesepakatan Bersama / Nota Kesepakatan: "KESEPAKATAN BERSAMA ANTARA … DENGAN … TENTANG …" with each party's own
 * number; the place and the date in words; the identity of PIHAK KESATU and PIHAK KEDUA; Pasal maksud dan tujuan,
 * ruang lingkup, pelaksanaan (followed by a Perjanjian Kerja Sama), jangka waktu, penghubung, perubahan (adendum)
 * and penutup; the signatures of both parties, and the paraf table on the signature page. A Nota Kesepakatan
 * with the central government carries a lampiran rencana aksi.
 */
/**
 * A party of the Kesepakatan Bersama: besides the paraf hierarki (at most three, in rank order), the paraf
 * koordinasi of related units (the Bagian Hukum for legal texts), printed under the hierarki rows.
 */
export const PihakKesepakatanSchema = PihakSchema.extend({
  parafKoordinasi: z.array(ParafSchema).max(10, 'paraf koordinasi paling banyak 10 pejabat').default([]),
});

/** A drafted pasal: its title and ayat, each ayat a paragraph with its butir. */
export const PasalIsiSchema = z
  .object({
    judul: teks,
    ayat: z.array(z.object({ teks: paragraf, butir: z.array(paragraf).default([]) }).strict()).min(1),
  })
  .strict();

export const KesepakatanBersamaSchema = z
  .object({
    jenis: z.enum(['kesepakatan-bersama', 'nota-kesepakatan']).default('kesepakatan-bersama'),
    tentang: teks,
    tempat: teks,
    tanggal,
    pihakKesatu: PihakKesepakatanSchema,
    pihakKedua: PihakKesepakatanSchema,
    /**
     * The pasal as the officials drafted them (core/naskah), printed exactly as typed, numbered by position; the
     * last is the closing pasal. When present, the standard pasal below are not used.
     */
    isi: z.array(PasalIsiSchema).min(1).optional(),
    maksud: paragraf.optional(),
    tujuan: paragraf.optional(),
    ruangLingkup: z.array(teks).min(1, 'ruang lingkup paling sedikit satu').optional(),
    /** Replaces the standard Pasal Pelaksanaan (which refers to a Perjanjian Kerja Sama). */
    pelaksanaan: z.array(paragraf).min(1).optional(),
    jangkaWaktu: JangkaWaktuSchema,
    pasalTambahan: z.array(PasalTambahanSchema).default([]),
    rangkap: z.number().int().min(1).max(10).default(2),
    meterai: z.boolean().default(true),
    rencanaAksi: z.array(z.object({ kegiatan: teks, waktu: teks, penanggungJawab: teks }).strict()).default([]),
    ...ttePenutup,
  })
  .strict();
export type KesepakatanBersamaInput = z.input<typeof KesepakatanBersamaSchema>;
export type KesepakatanBersama = z.infer<typeof KesepakatanBersamaSchema>;

export interface NaskahView {
  judul: string;
  /** PKS: the komparisi lists Nama and Jabatan on their own lines. */
  komparisi: boolean;
  /** ANTARA / PIHAK 1 / DENGAN / PIHAK 2 / TENTANG / … */
  judulBaris: string[];
  tentang: string;
  pihak: [PihakView, PihakView];
  /** Signature page, left to right: PIHAK KEDUA, PIHAK KESATU. */
  ttdUrut: PihakView[];
  pembuka: string;
  paraPihak: string;
  /** PKS only: the recitals and the legal basis. */
  pertimbangan: { label: string; teks: string }[];
  dasar: { label: string; teks: string }[];
  kesepakatan: string;
  /** Every Pasal but the last. */
  pasal: PasalView[];
  /** The closing Pasal, kept on the signature page so the signatures never stand alone. */
  penutup: PasalView;
  meterai: boolean;
  adaParaf: boolean;
  parafBaris: {
    no: number;
    kesatu: { jabatan: string; nama: string | null; tanggal: string | null } | null;
    kedua: { jabatan: string; nama: string | null; tanggal: string | null } | null;
  }[];
  /** Kesepakatan Bersama: the paraf koordinasi rows, printed under the hierarki rows ("Paraf Koordinasi"). */
  parafKoordinasiBaris?: NaskahView['parafBaris'];
  lampiran: {
    judul: string;
    nomor: string[];
    baris: { no: number; kegiatan: string; waktu: string; penanggungJawab: string }[];
  } | null;
  footer: FooterView;
}

export const NAMA_JENIS = {
  'kesepakatan-bersama': 'Kesepakatan Bersama',
  'nota-kesepakatan': 'Nota Kesepakatan',
} as const;

export function parafBaris(kesatu: PihakView, kedua: PihakView): NaskahView['parafBaris'] {
  return barisBerpasangan(kesatu.paraf, kedua.paraf);
}

/** Rows of the paraf table: PIHAK KESATU's n-th paraf beside PIHAK KEDUA's n-th; a shorter list leaves empty cells. */
export function barisBerpasangan(kesatu: readonly ParafView[], kedua: readonly ParafView[]): NaskahView['parafBaris'] {
  const n = Math.max(kesatu.length, kedua.length);
  return Array.from({ length: n }, (_, i) => ({
    no: i + 1,
    kesatu: kesatu[i] ?? null,
    kedua: kedua[i] ?? null,
  }));
}

export function prepareKesepakatanBersama(d: KesepakatanBersama): NaskahView {
  const jenis = NAMA_JENIS[d.jenis];
  const kesatu = pihakView(d.pihakKesatu, 0, d.tte, false);
  // The QR code sits in the block of PIHAK KESATU, whose signature this product applies; the partner signs its own way.
  const kedua = pihakView(d.pihakKedua, 1, undefined, false);
  const koordinasi = barisBerpasangan(
    parafView(d.pihakKesatu.parafKoordinasi),
    parafView(d.pihakKedua.parafKoordinasi),
  );
  const pasal = d.isi ? pasalList(d.isi) : standardPasal(jenis, d);
  return {
    ...kepalaNaskah(jenis, d, [kesatu, kedua], false),
    paraPihak: `PIHAK KESATU dan PIHAK KEDUA secara bersama-sama disebut PARA PIHAK dan secara sendiri-sendiri disebut PIHAK. PARA PIHAK sepakat untuk mengadakan ${jenis} tentang ${d.tentang}, dengan ketentuan sebagai berikut:`,
    pertimbangan: [],
    dasar: [],
    kesepakatan: '',
    pasal: pasal.slice(0, -1),
    penutup: pasal[pasal.length - 1]!,
    meterai: d.meterai,
    adaParaf: kesatu.paraf.length + kedua.paraf.length + koordinasi.length > 0,
    parafBaris: parafBaris(kesatu, kedua),
    parafKoordinasiBaris: koordinasi,
    lampiran: d.rencanaAksi.length
      ? {
          judul: `LAMPIRAN ${jenis.toUpperCase()} TENTANG ${d.tentang.toUpperCase()}`,
          nomor: [d.pihakKesatu.nomor, d.pihakKedua.nomor],
          baris: d.rencanaAksi.map((r, i) => ({ no: i + 1, ...r })),
        }
      : null,
    footer: footerDokumen(d, true),
  };
}

/** The standard pasal of a naskah given by fields (documents made outside the pasal editor). */
function standardPasal(jenis: string, d: KesepakatanBersama): PasalView[] {
  if (!d.maksud || !d.tujuan || !d.ruangLingkup)
    throw new SepakatError(
      ErrorNames.BadInput,
      `${jenis}: isi pasal, atau maksud, tujuan dan ruang lingkup, wajib ada`,
    );
  return pasalList([
    {
      judul: 'Maksud dan Tujuan',
      ayat: [`Maksud ${jenis} ini adalah ${lower(d.maksud)}`, `Tujuan ${jenis} ini adalah ${lower(d.tujuan)}`],
    },
    { judul: 'Ruang Lingkup', ayat: [{ teks: `Ruang lingkup ${jenis} ini meliputi:`, butir: d.ruangLingkup }] },
    {
      judul: 'Pelaksanaan',
      ayat: d.pelaksanaan ?? [
        `Untuk melaksanakan ${jenis} ini, PARA PIHAK menindaklanjutinya dengan Perjanjian Kerja Sama yang disusun oleh perangkat daerah/unit kerja PARA PIHAK sesuai dengan ruang lingkup sebagaimana dimaksud dalam Pasal 2.`,
        `Perjanjian Kerja Sama sebagaimana dimaksud pada ayat (1) paling sedikit memuat subjek, objek, ruang lingkup, hak dan kewajiban, jangka waktu, keadaan kahar, penyelesaian perselisihan, dan pengakhiran kerja sama.`,
      ],
    },
    { judul: 'Jangka Waktu', ayat: jangkaWaktuTeks(jenis, d.jangkaWaktu) },
    ...pasalAkhir(jenis, d),
  ]);
}

/** The head of a naskah: its title lines, the parties (signed right to left: PIHAK KEDUA first) and the opening. */
export const kepalaNaskah = (
  jenis: string,
  d: {
    tentang: string;
    tempat: string;
    tanggal: string;
    pihakKesatu: { instansi: string };
    pihakKedua: { instansi: string };
  },
  [kesatu, kedua]: [PihakView, PihakView],
  komparisi: boolean,
): Pick<NaskahView, 'judul' | 'komparisi' | 'judulBaris' | 'tentang' | 'pihak' | 'ttdUrut' | 'pembuka'> => ({
  judul: jenis.toUpperCase(),
  komparisi,
  judulBaris: judulBaris(d.pihakKesatu.instansi, d.pihakKedua.instansi),
  tentang: d.tentang.toUpperCase(),
  pihak: [kesatu, kedua],
  ttdUrut: [kedua, kesatu],
  pembuka: pembukaTanggal(d.tanggal, d.tempat),
});

export const judulBaris = (kesatu: string, kedua: string): string[] => [
  'ANTARA',
  kesatu.toUpperCase(),
  'DENGAN',
  kedua.toUpperCase(),
  'TENTANG',
];

/** "Meningkatkan …" → "meningkatkan …" after "adalah"; keeps acronyms ("PDAM …") as written. */
export function lower(text: string): string {
  const first = text.split(/\s/, 1)[0] ?? '';
  return first.length > 1 && first === first.toUpperCase() ? text : text.charAt(0).toLowerCase() + text.slice(1);
}
