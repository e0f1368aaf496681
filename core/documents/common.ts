import { z } from 'zod';
import { isIsoDate } from '../calendar/calendar-schema.ts';
import { formatTanggal, NAMA_HARI, tanggalDalamKata, terbilang } from '../format/tanggal.ts';

/**
 * What every generated document shares: the kop, dates, the signature block (Permendagri 1/2023 Pasal 44), paraf,
 * the reserved electronic-signature area and the page geometry. Pure: no fs, no environment.
 *
 * Each document module exports a zod schema (the source of its input type) and a `prepare` function that turns a
 * parsed input into the view model its Handlebars template reads. A view model holds only strings, numbers,
 * booleans, arrays and plain objects; the template escapes every string, so user text never becomes markup.
 */

// ---------------------------------------------------------------------------------------------------------------
// Scalars

/** One line of user text (a name, a number, a jabatan). */
export const teks = z.string().trim().min(1, 'tidak boleh kosong').max(1000, 'paling panjang 1000 huruf');
/** A paragraph of user text. */
export const paragraf = z.string().trim().min(1, 'tidak boleh kosong').max(8000, 'paling panjang 8000 huruf');
/** A local date, YYYY-MM-DD. */
export const tanggal = z.string().refine(isIsoDate, 'harus tanggal yang ada, format YYYY-MM-DD');
/** A list of paragraphs (at least one). */
export const paragrafList = z.array(paragraf).min(1, 'isi paling sedikit satu');

/** An image given inline (PNG, JPEG or SVG as a base64 data URL): the lambang. Never fetched from a network. */
export const gambar = z
  .string()
  .max(2_000_000, 'gambar paling besar sekitar 1,5 MB')
  .regex(/^data:image\/(png|jpeg|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/, 'harus data URL base64 PNG, JPEG atau SVG');

export const SIFAT = ['Biasa', 'Terbatas', 'Rahasia', 'Sangat Rahasia'] as const;

/** A draft (konsep): printed "KONSEP — belum ditandatangani" at the top of the first page and in every footer. */
export const konsep = z.boolean().optional();
export const sifat = z.enum(SIFAT).default('Biasa');

// ---------------------------------------------------------------------------------------------------------------
// Dates and numbers in Indonesian

/** A local date as an instant at 12.00 WIB, so the WIB/WITA/WIT date is the same day. */
const instant = (iso: string) => new Date(`${iso}T05:00:00Z`);

/** "23 November 2026" */
export const tanggalSurat = (iso: string): string => formatTanggal(instant(iso), 'WIB');

/** "Senin" */
export const namaHari = (iso: string): string => {
  const d = instant(iso).getUTCDay();
  return NAMA_HARI[(d + 6) % 7]!;
};

/** "Senin, 23 November 2026" */
export const hariTanggal = (iso: string): string => `${namaHari(iso)}, ${tanggalSurat(iso)}`;

/** "pada hari ini Senin tanggal dua puluh tiga bulan November tahun dua ribu dua puluh enam" */
export const tanggalKata = (iso: string): string => tanggalDalamKata(instant(iso), 'WIB');

/** "2 (dua)" */
export const angkaKata = (n: number): string => `${n} (${terbilang(n)})`;

/** Sentence case for the start of a sentence: "pada hari ini …" → "Pada hari ini …". */
export const kapitalAwal = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

const ROMAWI: [number, string][] = [
  [1000, 'M'],
  [900, 'CM'],
  [500, 'D'],
  [400, 'CD'],
  [100, 'C'],
  [90, 'XC'],
  [50, 'L'],
  [40, 'XL'],
  [10, 'X'],
  [9, 'IX'],
  [5, 'V'],
  [4, 'IV'],
  [1, 'I'],
];
/** 4 → "IV" */
export function romawi(n: number): string {
  let rest = n;
  let out = '';
  for (const [value, sign] of ROMAWI) {
    while (rest >= value) {
      out += sign;
      rest -= value;
    }
  }
  return out;
}

/** 1 → "a", 27 → "aa" (list items). */
export const huruf = (i: number): string => {
  let n = i;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(97 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
};

/** "196904101998031011" → "19690410 199803 1 011" (the usual printed form of an 18-digit NIP). */
export const formatNip = (nip: string): string =>
  /^\d{18}$/.test(nip) ? `${nip.slice(0, 8)} ${nip.slice(8, 14)} ${nip.slice(14, 15)} ${nip.slice(15)}` : nip;

// ---------------------------------------------------------------------------------------------------------------
// Kop

/** The kop of a pemda or a unit: PEMERINTAH …, SEKRETARIAT DAERAH, BAGIAN …; address; optional lambang. */
export const KopSchema = z
  .object({
    /** The kop lines, the first the largest (PEMERINTAH KABUPATEN BLITAR). */
    baris: z.array(teks).min(1).max(5),
    alamat: teks.optional(),
    /** Telepon, laman, pos-el as one line. */
    kontak: teks.optional(),
    /** The lambang; without it the kop keeps an empty, marked area of the same size. */
    lambang: gambar.optional(),
  })
  .strict();
export type Kop = z.infer<typeof KopSchema>;

/** A kop from a pemda directory (`config/pemda/*.yaml`: `pemda.kop`, `pemda.alamat`). */
export const kopDariPemda = (
  pemda: { kop: readonly string[]; alamat?: string | undefined },
  lambang?: string,
): Kop => ({
  baris: [...pemda.kop],
  ...(pemda.alamat ? { alamat: pemda.alamat } : {}),
  ...(lambang ? { lambang } : {}),
});

export interface KopView {
  utama: string;
  lain: string[];
  alamat: string | null;
  kontak: string | null;
  lambang: string | null;
}

export const kopView = (kop: Kop): KopView => ({
  utama: kop.baris[0]!,
  lain: kop.baris.slice(1),
  alamat: kop.alamat ?? null,
  kontak: kop.kontak ?? null,
  lambang: kop.lambang ?? null,
});

// ---------------------------------------------------------------------------------------------------------------
// Signature block (Permendagri 1/2023 Pasal 44)

/**
 * The kepala daerah, the wakil and the Sekda sign without NIP and pangkat; every other official shows both.
 * `status` marks an acting or appointed official (Plt./Plh./Pj.); `atasNama` signs on behalf of a superior one level
 * up ("a.n."), and with `untukBeliau` one level further ("u.b."). The a.n./u.b. layout is unverified against
 * 1/2023 (domain.md) and follows the common practice.
 */
export const TINGKAT = ['kepala-daerah', 'wakil-kepala-daerah', 'sekda', 'pejabat'] as const;

export const PenandatanganSchema = z
  .object({
    jabatan: teks,
    nama: teks,
    tingkat: z.enum(TINGKAT).default('pejabat'),
    nip: z
      .string()
      .regex(/^\d{18}$/, 'NIP 18 digit')
      .optional(),
    pangkat: teks.optional(),
    status: z.enum(['Plt.', 'Plh.', 'Pj.']).optional(),
    /** "BUPATI BLITAR": the block opens "a.n. BUPATI BLITAR". */
    atasNama: teks.optional(),
    /** With `atasNama`: the jabatan between ("Sekretaris Daerah"), followed by "u.b.". */
    untukBeliau: teks.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.tingkat === 'pejabat') {
      if (!p.nip)
        ctx.addIssue({
          code: 'custom',
          path: ['nip'],
          message: 'pejabat selain kepala daerah, wakil dan Sekda mencantumkan NIP',
        });
      if (!p.pangkat)
        ctx.addIssue({
          code: 'custom',
          path: ['pangkat'],
          message: 'pejabat selain kepala daerah, wakil dan Sekda mencantumkan pangkat/golongan',
        });
    }
    if (p.untukBeliau && !p.atasNama)
      ctx.addIssue({ code: 'custom', path: ['untukBeliau'], message: '"u.b." hanya bersama "a.n." (atasNama)' });
  });
export type Penandatangan = z.infer<typeof PenandatanganSchema>;

/** The reserved electronic-signature area: a QR code and an honest footer text supplied by the caller. */
export const TteSchema = z
  .object({
    /** What the QR code encodes (a verification address, a document id). */
    qr: z.string().trim().min(1).max(1000),
    /** The footer printed on every page; states what the signature is. Never generated here. */
    keterangan: paragraf.max(600),
    /** A short caption under the QR code. */
    label: teks.max(120).optional(),
  })
  .strict();
export type Tte = z.infer<typeof TteSchema>;

export interface TandaTanganView {
  /** "a.n. BUPATI BLITAR", "Sekretaris Daerah", "u.b." */
  pembuka: string[];
  /** "Plt. Kepala Bagian Tata Pemerintahan," */
  jabatan: string;
  nama: string;
  pangkat: string | null;
  nip: string | null;
  /** Reserved QR area (the data URL is filled in by the renderer from `qr`). */
  tte: { qr: string; label: string | null; qrDataUrl: string | null } | null;
  /** A place and date above the block (letters); null where the document dates itself elsewhere. */
  tempatTanggal: string | null;
  /** A line above everything (PIHAK KESATU,). */
  pihak: string | null;
}

export function tandaTanganView(
  p: Penandatangan,
  options: { tte?: Tte | undefined; tempatTanggal?: string | null; pihak?: string | null } = {},
): TandaTanganView {
  const pembuka: string[] = [];
  if (p.atasNama) {
    pembuka.push(`a.n. ${p.atasNama}`);
    if (p.untukBeliau) pembuka.push(p.untukBeliau, 'u.b.');
  }
  const pejabat = p.tingkat === 'pejabat';
  return {
    pembuka,
    jabatan: `${p.status ? `${p.status} ` : ''}${p.jabatan},`,
    nama: p.nama,
    pangkat: pejabat ? (p.pangkat ?? null) : null,
    nip: pejabat && p.nip ? `NIP. ${formatNip(p.nip)}` : null,
    tte: options.tte ? { qr: options.tte.qr, label: options.tte.label ?? null, qrDataUrl: null } : null,
    tempatTanggal: options.tempatTanggal ?? null,
    pihak: options.pihak ?? null,
  };
}

/**
 * The closing fields of a signed document: the reserved electronic-signature area and the draft flag. Spread into a
 * document schema (`...ttePenutup`) so that every document words them the same way.
 */
export const ttePenutup = {
  tte: TteSchema.optional(),
  /** A draft: marked KONSEP (see `konsep`). */
  konsep,
};

/** The closing fields of a letter signed by one official: who signs, then `ttePenutup`. */
export const tandaTanganPenutup = { penandatangan: PenandatanganSchema, ...ttePenutup };

/**
 * The schema of a letter signed by one official: its kop first, its own fields, and the closing fields
 * (`tandaTanganPenutup`) last. A letter whose kop is optional says so in `fields` (`kop: KopSchema.optional()`).
 */
export const suratSchema = <T extends z.ZodRawShape>(fields: T) =>
  z.object({ kop: KopSchema }).extend(fields).extend(tandaTanganPenutup).strict();

/** The signature block and the footer of a letter signed by one official. */
export interface PenutupSuratView {
  ttd: TandaTanganView;
  footer: FooterView;
}

/** A letter signed by one official as its template reads it: the kop, and the closing (`PenutupSuratView`). */
export interface SuratView extends PenutupSuratView {
  kop: KopView;
}

/** The kop and the closing of a letter signed by one official (see `penutupSurat`). */
export const suratView = (d: Parameters<typeof penutupSurat>[0] & { kop: Kop }, tempatTanggal?: string): SuratView => ({
  kop: kopView(d.kop),
  ...penutupSurat(d, tempatTanggal),
});

/** The closing of a letter signed by one official; `tempatTanggal` above the block where the letter dates itself there. */
export const penutupSurat = (
  d: { penandatangan: Penandatangan; tte?: Tte | undefined; konsep?: boolean | undefined },
  tempatTanggal?: string,
): PenutupSuratView => ({
  ttd: tandaTanganView(d.penandatangan, { tte: d.tte, tempatTanggal: tempatTanggal ?? null }),
  footer: footerDokumen(d),
});

/**
 * The footer of a document: the honest electronic-signature statement when it is signed electronically, and the
 * draft mark. `parafPihak` (agreements) prints the per-page paraf area: on a draft, both parties' empty boxes for a
 * paraf in ink; on the final naskah (its electronic-signature area set) the paraf given electronically over it, by
 * party (jabatan, name, date), or nothing when there is none — never empty boxes inviting ink on a signed PDF.
 */
export const footerDokumen = (
  d: {
    tte?: Tte | undefined;
    konsep?: boolean | undefined;
    pihakKesatu?: ParafPihak | undefined;
    pihakKedua?: ParafPihak | undefined;
  },
  parafPihak = false,
): FooterView => {
  const signed = d.tte !== undefined;
  const elektronik = parafPihak && signed ? parafElektronik(d) : [];
  return {
    parafPihak: parafPihak && !signed,
    ...(elektronik.length ? { parafElektronik: elektronik } : {}),
    tte: d.tte?.keterangan ?? null,
    ...footerKonsep(d.konsep),
  };
};

/** What a party of an agreement holds of paraf (hierarki, and koordinasi where the kind has them). */
interface ParafPihak {
  paraf?: readonly Paraf[] | undefined;
  parafKoordinasi?: readonly Paraf[] | undefined;
}

/** The footer lines of the paraf given electronically (those with a date), one per party that has any. */
function parafElektronik(d: { pihakKesatu?: ParafPihak | undefined; pihakKedua?: ParafPihak | undefined }) {
  const given = (list: readonly Paraf[] | undefined) =>
    (list ?? [])
      .filter((p) => p.tanggal)
      .map((p) => `${p.jabatan}${p.nama ? `: ${p.nama}` : ''}, ${tanggalSurat(p.tanggal!)}`);
  return (
    [
      ['PIHAK KESATU', d.pihakKesatu],
      ['PIHAK KEDUA', d.pihakKedua],
    ] as const
  ).flatMap(([pihak, p]) => {
    const hierarki = given(p?.paraf);
    const koordinasi = given(p?.parafKoordinasi);
    const parts = [...hierarki, ...(koordinasi.length ? [`koordinasi ${koordinasi.join('; ')}`] : [])];
    return parts.length ? [{ pihak, paraf: parts.join('; ') }] : [];
  });
}

/** A person on a list (daftar hadir, daftar undangan): name, and optionally jabatan and instansi. */
export const OrangSchema = z
  .object({
    nama: teks,
    jabatan: teks.optional(),
    instansi: teks.optional(),
  })
  .strict();
export type Orang = z.infer<typeof OrangSchema>;

export interface OrangView {
  no: number;
  nama: string;
  jabatan: string;
  instansi: string;
}

/** The rows of a list of people, numbered from 1, "-" where a jabatan or instansi is not given. */
export const daftarOrang = (list: readonly Orang[]): OrangView[] =>
  list.map((p, i) => ({ no: i + 1, nama: p.nama, jabatan: p.jabatan ?? '-', instansi: p.instansi ?? '-' }));

// ---------------------------------------------------------------------------------------------------------------
// Paraf

/** One official's paraf on a draft: hierarki (up the chain, at most 3) or koordinasi (related units). */
export const ParafSchema = z
  .object({
    jabatan: teks,
    nama: teks.optional(),
    /** When the paraf was given (electronically); empty boxes are printed for a paper paraf. */
    tanggal: tanggal.optional(),
  })
  .strict();
export type Paraf = z.infer<typeof ParafSchema>;

export interface ParafView {
  no: number;
  jabatan: string;
  nama: string | null;
  tanggal: string | null;
}

export const parafView = (list: readonly Paraf[]): ParafView[] =>
  list.map((p, i) => ({
    no: i + 1,
    jabatan: p.jabatan,
    nama: p.nama ?? null,
    tanggal: p.tanggal ? tanggalSurat(p.tanggal) : null,
  }));

// ---------------------------------------------------------------------------------------------------------------
// Lists and numbered paragraphs

export interface Butir {
  label: string;
  teks: string;
}

/** "a." "b." … */
export const butirHuruf = (items: readonly string[]): Butir[] =>
  items.map((t, i) => ({ label: `${huruf(i + 1)}.`, teks: t }));
/** "1." "2." … */
export const butirAngka = (items: readonly string[]): Butir[] => items.map((t, i) => ({ label: `${i + 1}.`, teks: t }));

// ---------------------------------------------------------------------------------------------------------------
// Page geometry

export const PAPERS = ['A4', 'F4'] as const;
export type Paper = (typeof PAPERS)[number];

/** Width × height in mm, portrait. F4 (folio) as Indonesian offices use it: 215 × 330 mm. */
export const PAPER_MM: Readonly<Record<Paper, { width: number; height: number }>> = {
  A4: { width: 210, height: 297 },
  F4: { width: 215, height: 330 },
};

export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/**
 * Margins in mm. Letters keep the Tata Naskah Dinas margins (about 2 cm top and right, 2.5–3 cm left; unverified
 * against the 1/2023 annex, hence one place to change); the bottom leaves room for the page-number footer.
 */
export const MARGINS = {
  surat: { top: 18, right: 20, bottom: 22, left: 25 },
  naskah: { top: 20, right: 20, bottom: 24, left: 25 },
  sop: { top: 12, right: 12, bottom: 16, left: 12 },
} as const satisfies Record<string, Margins>;

/** The page a document is laid out on (prepare functions that paginate or size columns read it). */
export interface PageGeometry {
  paper: Paper;
  landscape: boolean;
  /** Page size in mm, oriented. */
  width: number;
  height: number;
  margins: Margins;
  /** The printable area inside the margins, in mm. */
  contentWidth: number;
  contentHeight: number;
}

export function pageGeometry(paper: Paper, landscape: boolean, margins: Margins): PageGeometry {
  const size = PAPER_MM[paper];
  const width = landscape ? size.height : size.width;
  const height = landscape ? size.width : size.height;
  return {
    paper,
    landscape,
    width,
    height,
    margins,
    contentWidth: width - margins.left - margins.right,
    contentHeight: height - margins.top - margins.bottom,
  };
}

/** What every page's footer shows besides "Halaman x dari y". */
export interface FooterView {
  /** Empty paraf boxes for both parties on every page (an agreement's draft, for a paraf in ink). */
  parafPihak: boolean;
  /** The final agreement: the paraf given electronically over it, one line per party; absent when none. */
  parafElektronik?: { pihak: string; paraf: string }[];
  /** The honest electronic-signature statement, when the document is signed electronically. */
  tte: string | null;
  /** A draft: marked "KONSEP — belum ditandatangani" (absent on the final document, which prints as before). */
  konsep?: true;
}

/** The footer's draft mark from a document's `konsep` flag: nothing at all when it is not a draft. */
export const footerKonsep = (flag: boolean | undefined): Pick<FooterView, 'konsep'> => (flag ? { konsep: true } : {});
