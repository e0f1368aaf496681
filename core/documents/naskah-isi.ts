import { z } from 'zod';
import { terbilang } from '../format/tanggal.ts';
import { ayatParts, NaskahContentSchema, nomorPasal, type NaskahContent, type Pasal } from '../naskah/content.ts';
import { OutlineSchema } from '../naskah/outline.ts';
import {
  butirAngka,
  butirHuruf,
  footerDokumen,
  gambar,
  ParafSchema,
  parafView,
  PenandatanganSchema,
  tandaTanganView,
  tanggal,
  tanggalSurat,
  teks,
  ttePenutup,
  type FooterView,
  type TandaTanganView,
} from './common.ts';
import { barisBerpasangan, judulBaris, parafBaris, type NaskahView } from './kesepakatan-bersama.ts';
import { pembukaTanggal, pihakView, type Ayat, type PasalView, type PihakView } from './naskah.ts';

/**
 * The naskah rendered from its content (core/naskah/content.ts), for every kind the product knows: Kesepakatan
 * Bersama and Nota Kesepakatan, Perjanjian Kerja Sama (komparisi, recitals and dasar), the MoU with a foreign party
 * (Bahasa Indonesia and English side by side, pasal by pasal) and the adendum (what it changes of which agreement).
 *
 * The input carries the outline's flags (`kerangka`), the content version exactly as saved (`isi`), and what the case
 * adds: the parties and their signers (with the surat kuasa when a kepala perangkat daerah signs for the kepala
 * daerah), the numbers, the place and date, the paraf and the electronic-signature area. The words of every pasal,
 * ayat, recital and dasar are printed as they are in the content, never glued after fixed words; the pasal are
 * numbered by their position, an ayat's lines after its first are its butir (a., b., c.), and the last pasal stays on
 * the signature page.
 *
 * Meterai: a kind with the flag prints the "Meterai Rp10.000" place in each signature block that is signed on paper;
 * a block signed electronically has none (e-meterai is outside what Sepakat does, and the naskah never pretends to
 * carry one).
 */

/** What of the outline (core/naskah/outline.ts) shapes the printed naskah. */
export const KerangkaSchema = OutlineSchema.pick({
  id: true,
  nama: true,
  namaEn: true,
  judul: true,
  judulEn: true,
  meterai: true,
  bilingual: true,
  komparisi: true,
  adendum: true,
});

/** The surat kuasa by which an official signs for the head of the party (a kepala dinas for the kepala daerah). */
export const KuasaSchema = z
  .object({
    /** Who gave it: "Walikota Contoh". */
    pemberi: teks,
    nomor: teks,
    /** Absent while the surat kuasa is not issued yet (a draft prints the blank). */
    tanggal: tanggal.optional(),
  })
  .strict();

export const PihakNaskahSchema = z
  .object({
    /** "Pemerintah Kota Contoh", "PT Air Bersih Nusantara". */
    instansi: teks,
    /** A bilingual naskah: the party's name in English. */
    instansiEn: teks.optional(),
    /** The party's own number for this naskah. */
    nomor: teks,
    /** Where the party is seated (kedudukan). */
    alamat: teks,
    penandatangan: PenandatanganSchema,
    /** A bilingual naskah: the signer's jabatan in English ("MAYOR OF BANDUNG"). */
    jabatanEn: teks.optional(),
    /** Whom the signer acts for; defaults to the instansi. */
    atasNama: teks.optional(),
    kuasa: KuasaSchema.optional(),
    lambang: gambar.optional(),
    /** Paraf hierarki: at most three officials, in rank order. */
    paraf: z.array(ParafSchema).max(3, 'paraf hierarki paling banyak 3 pejabat').default([]),
    parafKoordinasi: z.array(ParafSchema).max(10, 'paraf koordinasi paling banyak 10 pejabat').default([]),
  })
  .strict();
export type PihakNaskah = z.infer<typeof PihakNaskahSchema>;

export const NaskahIsiSchema = z
  .object({
    kerangka: KerangkaSchema,
    /** The content version, exactly as saved. */
    isi: NaskahContentSchema,
    tempat: teks,
    /** The date of the naskah (of its signing), YYYY-MM-DD. */
    tanggal,
    pihakKesatu: PihakNaskahSchema,
    pihakKedua: PihakNaskahSchema,
    /** Adendum: the kind of the agreement it changes ("Perjanjian Kerja Sama"). */
    indukJenis: teks.optional(),
    /** Adendum: which adendum of that agreement this is (1: PERTAMA). */
    adendumKe: z.number().int().min(1).max(30).optional(),
    /** A Nota Kesepakatan with the central government: the lampiran rencana aksi. */
    rencanaAksi: z.array(z.object({ kegiatan: teks, waktu: teks, penanggungJawab: teks }).strict()).default([]),
    ...ttePenutup,
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.isi.jenis !== d.kerangka.id)
      ctx.addIssue({
        code: 'custom',
        path: ['isi', 'jenis'],
        message: `isi naskah berjenis "${d.isi.jenis}", bukan "${d.kerangka.id}"`,
      });
    if (d.isi.pasal.length === 0)
      ctx.addIssue({ code: 'custom', path: ['isi', 'pasal'], message: 'naskah paling sedikit memuat satu pasal' });
    if (d.kerangka.adendum && !d.isi.induk)
      ctx.addIssue({ code: 'custom', path: ['isi', 'induk'], message: 'adendum menyebut naskah yang diubahnya' });
  });
export type NaskahIsiInput = z.input<typeof NaskahIsiSchema>;
export type NaskahIsi = z.infer<typeof NaskahIsiSchema>;

/** The blank a draft prints where a text is not written yet (an English text of a fresh bilingual outline). */
const KOSONG = '……';

/** A pasal as printed: its number by position, its title in capitals, its ayat with their butir. */
export interface PasalIsiView extends PasalView {
  /** Adendum: what of the agreement the pasal changes, printed before its ayat. */
  mengubah: string | null;
}

/** The MoU: Bahasa Indonesia beside English, row by row. */
export interface NaskahDwibahasaView {
  lambang: { lambang: string | null; instansi: string; label: string }[];
  judul: { id: string[]; en: string[] };
  nomor: string[];
  /** Rows of the opening: the parties, each recital, each dasar, the agreeing sentence. */
  pembukaan: { id: string; en: string }[];
  pasal: PasalDwibahasaView[];
  penutup: PasalDwibahasaView;
  saksi: { id: string; en: string };
  tempatTanggal: { id: string; en: string };
  ttdUrut: TandaTanganView[];
  meterai: boolean;
  adaParaf: boolean;
  parafBaris: NaskahView['parafBaris'];
  parafKoordinasiBaris: NaskahView['parafBaris'];
  footer: FooterView;
}

export interface PasalDwibahasaView {
  id: { nomor: string; judul: string };
  en: { nomor: string; judul: string };
  ayat: { id: Ayat; en: Ayat }[];
}

/** What `templates/documents/naskah.hbs` reads: one of the two layouts, and the footer. */
export interface NaskahIsiView {
  naskah: (NaskahView & { pasal: PasalIsiView[]; penutup: PasalIsiView }) | null;
  dwibahasa: NaskahDwibahasaView | null;
  footer: FooterView;
}

export function prepareNaskahIsi(d: NaskahIsi): NaskahIsiView {
  const footer = footerDokumen(d, true);
  if (d.kerangka.bilingual) return { naskah: null, dwibahasa: dwibahasaView(d), footer };
  return { naskah: naskahView(d), dwibahasa: null, footer };
}

// ─── One language ──────────────────────────────────────────────────────────────────────────────────────────────

function naskahView(d: NaskahIsi): NonNullable<NaskahIsiView['naskah']> {
  const { kerangka: k, isi } = d;
  const kesatu = pihakIsiView(d.pihakKesatu, 0, d.tte);
  // The QR code sits in the block of PIHAK KESATU, whose signature this product applies; the partner signs its own way.
  const kedua = pihakIsiView(d.pihakKedua, 1, undefined);
  const koordinasi = barisBerpasangan(
    parafView(d.pihakKesatu.parafKoordinasi),
    parafView(d.pihakKedua.parafKoordinasi),
  );
  const pasal = isi.pasal.map((p, i) => pasalView(p, i, 'id'));
  const sebutan = k.adendum ? namaAdendum(d) : k.nama;
  const induk = isi.induk;
  const menerangkan = isi.pertimbangan.length + isi.dasar.length > 0;
  const paraPihak =
    'PIHAK KESATU dan PIHAK KEDUA secara bersama-sama disebut PARA PIHAK dan secara sendiri-sendiri disebut PIHAK.';
  const sepakat =
    k.adendum && induk
      ? `PARA PIHAK sepakat untuk mengadakan ${sebutan} atas ${d.indukJenis ?? 'naskah kerja sama'} Nomor ${induk.nomor} tanggal ${induk.tanggal} tentang ${induk.tentang}, dengan ketentuan sebagai berikut:`
      : `PARA PIHAK sepakat untuk mengadakan ${sebutan} tentang ${isi.tentang}, dengan ketentuan sebagai berikut:`;
  const judul = k.adendum ? `${k.judul}${d.adendumKe ? ` ${ordinal(d.adendumKe).toUpperCase()}` : ''}` : k.judul;
  const baris = judulBaris(d.pihakKesatu.instansi, d.pihakKedua.instansi);
  return {
    judul,
    komparisi: k.komparisi,
    judulBaris:
      k.adendum && induk
        ? [
            'ATAS',
            (d.indukJenis ?? 'NASKAH KERJA SAMA').toUpperCase(),
            ...baris.slice(0, -1),
            `NOMOR ${induk.nomor}`,
            'TENTANG',
          ]
        : baris,
    tentang: isi.tentang.toUpperCase(),
    pihak: [kesatu, kedua],
    ttdUrut: [kedua, kesatu],
    pembuka: pembukaTanggal(d.tanggal, d.tempat),
    paraPihak: menerangkan
      ? `${paraPihak} PARA PIHAK terlebih dahulu menerangkan hal-hal sebagai berikut:`
      : `${paraPihak} ${sepakat}`,
    pertimbangan: butirHuruf(isi.pertimbangan.map((b) => b.teks)),
    dasar: butirAngka(isi.dasar.map((b) => b.teks)),
    kesepakatan: menerangkan ? `Berdasarkan hal-hal tersebut di atas, ${sepakat}` : '',
    pasal: pasal.slice(0, -1),
    penutup: pasal[pasal.length - 1]!,
    meterai: k.meterai,
    adaParaf: kesatu.paraf.length + kedua.paraf.length + koordinasi.length > 0,
    parafBaris: parafBaris(kesatu, kedua),
    parafKoordinasiBaris: koordinasi,
    lampiran: d.rencanaAksi.length
      ? {
          judul: `LAMPIRAN ${k.nama.toUpperCase()} TENTANG ${isi.tentang.toUpperCase()}`,
          nomor: [d.pihakKesatu.nomor, d.pihakKedua.nomor],
          baris: d.rencanaAksi.map((r, i) => ({ no: i + 1, ...r })),
        }
      : null,
    footer: footerDokumen(d, true),
  };
}

/** "Adendum Pertama" */
const namaAdendum = (d: NaskahIsi): string =>
  `${d.kerangka.nama}${d.adendumKe ? ` ${ordinal(d.adendumKe).replace(/^./, (c) => c.toUpperCase())}` : ''}`;

/** 1 → "pertama", 2 → "kedua", 11 → "kesebelas". */
export const ordinal = (n: number): string => (n === 1 ? 'pertama' : `ke${terbilang(n)}`);

/** A pasal as printed, in one language: the texts exactly as in the content, a blank where a text is missing. */
function pasalView(p: Pasal, i: number, bahasa: 'id' | 'en'): PasalIsiView {
  const judul = bahasa === 'en' ? p.judulEn : p.judul;
  return {
    nomor: bahasa === 'en' ? `Article ${i + 1}` : nomorPasal(i),
    judul: (judul?.trim() || KOSONG).toUpperCase(),
    mengubah: bahasa === 'id' && p.mengubah?.trim() ? p.mengubah.trim() : null,
    ayat: p.ayat.map((a, j) => ayatView(bahasa === 'en' ? a.en : a.teks, p.ayat.length > 1 ? j : undefined)),
  };
}

function ayatView(teks: string | undefined, index: number | undefined): Ayat {
  const parts = ayatParts(teks ?? '');
  return {
    label: index === undefined ? null : `(${index + 1})`,
    teks: parts.teks || KOSONG,
    butir: butirHuruf(parts.butir),
  };
}

/**
 * The identity of a party in the opening (the komparisi: who signs, in what capacity, on what authority), its
 * signature block and paraf, as the other naskah print them; a surat kuasa is named after whom the signer acts for.
 */
function pihakIsiView(p: PihakNaskah, index: 0 | 1, tte: NaskahIsi['tte']): PihakView {
  const kuasa = p.kuasa
    ? `berdasarkan Surat Kuasa ${p.kuasa.pemberi} Nomor ${p.kuasa.nomor} tanggal ${p.kuasa.tanggal ? tanggalSurat(p.kuasa.tanggal) : KOSONG}`
    : undefined;
  return pihakView({ ...p, ...(kuasa ? { dasarKewenangan: kuasa } : {}) }, index, tte, true);
}

// ─── Bahasa Indonesia and English ──────────────────────────────────────────────────────────────────────────────

const NAMA_BULAN_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "2026-12-16" → "16 December 2026" */
export const tanggalInggris = (iso: string): string => {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${NAMA_BULAN_EN[m! - 1]} ${y}`;
};

function dwibahasaView(d: NaskahIsi): NaskahDwibahasaView {
  const { kerangka: k, isi } = d;
  const [k1, k2] = [d.pihakKesatu, d.pihakKedua];
  const en = (p: PihakNaskah) => p.instansiEn ?? p.instansi;
  const pasal = isi.pasal.map((p, i): PasalDwibahasaView => {
    const id = pasalView(p, i, 'id');
    const english = pasalView(p, i, 'en');
    return {
      id: { nomor: id.nomor, judul: id.judul },
      en: { nomor: english.nomor, judul: english.judul },
      ayat: id.ayat.map((a, j) => ({ id: a, en: english.ayat[j]! })),
    };
  });
  const bagian = (list: NaskahContent['pertimbangan']) => list.map((b) => ({ id: b.teks, en: b.en?.trim() || KOSONG }));
  const nama = k.namaEn ?? k.nama;
  const kesatu = pihakIsiView(k1, 0, d.tte);
  const kedua = pihakIsiView(k2, 1, undefined);
  const ttd = (p: PihakNaskah, view: PihakView, tte: NaskahIsi['tte']): TandaTanganView => ({
    ...tandaTanganView(p.penandatangan, { tte, pihak: `Untuk ${p.instansi},` }),
    pembuka: [`For ${en(p)},`],
    jabatan: `${view.identitas.jabatan}${p.jabatanEn ? ` / ${p.jabatanEn}` : ''},`,
  });
  const koordinasi = barisBerpasangan(parafView(k1.parafKoordinasi), parafView(k2.parafKoordinasi));
  return {
    lambang: [kesatu, kedua].map((p) => ({ lambang: p.lambang, instansi: p.instansi, label: p.label })),
    judul: {
      id: [
        k.judul,
        'ANTARA',
        k1.instansi.toUpperCase(),
        'DAN',
        k2.instansi.toUpperCase(),
        'TENTANG',
        isi.tentang.toUpperCase(),
      ],
      en: [
        k.judulEn ?? k.judul,
        'BETWEEN',
        en(k1).toUpperCase(),
        'AND',
        en(k2).toUpperCase(),
        'ON',
        (isi.tentangEn?.trim() || KOSONG).toUpperCase(),
      ],
    },
    nomor: [k1.nomor, k2.nomor],
    pembukaan: [
      {
        id: `${k1.instansi} dan ${k2.instansi}, selanjutnya secara bersama-sama disebut "Para Pihak" dan secara sendiri-sendiri disebut "Pihak";`,
        en: `${en(k1)} and ${en(k2)}, hereinafter referred to collectively as the "Parties" and individually as a "Party";`,
      },
      ...bagian(isi.pertimbangan),
      ...bagian(isi.dasar),
      { id: 'Telah mencapai kesepahaman sebagai berikut:', en: 'Have reached the following understanding:' },
    ],
    pasal: pasal.slice(0, -1),
    penutup: pasal[pasal.length - 1]!,
    saksi: {
      id: `SEBAGAI BUKTI, yang bertanda tangan di bawah ini, yang diberi kuasa oleh pihak masing-masing, telah menandatangani ${k.nama} ini.`,
      en: `IN WITNESS WHEREOF, the undersigned, being duly authorized by their respective sides, have signed this ${nama}.`,
    },
    tempatTanggal: {
      id: `Ditandatangani di ${d.tempat} pada tanggal ${tanggalSurat(d.tanggal)}.`,
      en: `Signed at ${d.tempat} on ${tanggalInggris(d.tanggal)}.`,
    },
    ttdUrut: [ttd(k2, kedua, undefined), ttd(k1, kesatu, d.tte)],
    meterai: k.meterai,
    adaParaf: kesatu.paraf.length + kedua.paraf.length + koordinasi.length > 0,
    parafBaris: parafBaris(kesatu, kedua),
    parafKoordinasiBaris: koordinasi,
    footer: footerDokumen(d, true),
  };
}
