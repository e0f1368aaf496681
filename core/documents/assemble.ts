import type { z } from 'zod';
import { isIsoDate } from '../calendar/calendar-schema.ts';
import type { DokumenPemda } from '../directory/directory.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import { parseDaftarHadir } from '../validation/daftar-hadir.ts';
import { contentVersion, MAX_PARAF_HIERARKI, type NaskahPasal, type NaskahText } from '../signing/paraf.ts';
import { GENERATED_DOCUMENTS, NASKAH, type GeneratedDocument } from '../sop/schema.ts';
import { isianDibaca, isianKasus } from './vocabulary.ts';
import { ayatParts, type NaskahContent } from '../naskah/content.ts';
import { SIFAT, type Paraf, type PenandatanganSchema, type Tte } from './common.ts';
import { DOCUMENTS, type DocumentInput } from './index.ts';
import { REKOMENDASI } from './laporan-pelaksanaan.ts';
import { HARAP } from './lembar-disposisi.ts';
import type { Ayat, PasalView } from './naskah.ts';
import { KesepakatanBersamaSchema, lower, NAMA_JENIS, prepareKesepakatanBersama } from './kesepakatan-bersama.ts';

/**
 * From a case to the input of a document template: what the permohonan and the later steps collected (the case
 * data), the pemda's profile, the officials, the numbers reserved for the case and the valid paraf, assembled into
 * the input of each document an SOP step generates. Pure: no files, no environment, no clock (the date is given).
 *
 * Missing optional values fall back to Indonesian defaults derived from the perihal, the pemohon and the pemda; a
 * number not yet reserved prints as the blank form a draft uses. Only what cannot be derived (the date of a meeting
 * to come, the minutes of a meeting, the activities of a report, an official's NIP) raises a BadInput naming the
 * case-data field. User text stays plain text: it is trimmed and cut to the schema's limits, never turned into
 * markup (the templates escape every value).
 */

export type { GeneratedDocument } from '../sop/schema.ts';

/** An official as the directory knows them. */
export interface Official {
  nama: string;
  jabatan: string;
  nip?: string;
  pangkat?: string;
  sebagai?: 'Plt' | 'Plh';
}

export interface CaseDocumentContext {
  caseId: string;
  /** The permohonan's subject. */
  perihal: string;
  pemohon: { nama: string; instansi: string; email: string };
  /**
   * Case data: the permohonan's data fields plus every `caseData` field later steps recorded (see CASE_FIELDS).
   * Values are string | number | boolean.
   */
  data: Readonly<Record<string, unknown>>;
  /** The kind of naskah the case's SOP declares (`naskah.jenis`): the default of `naskah-jenis`. */
  jenisNaskahSop?: string;
  /**
   * The name of the case's kind of naskah as a sentence names it ("Perjanjian Kerja Sama"), from its outline: letters
   * and reports about the naskah print it. Absent: read from `naskah-jenis` (Kesepakatan Bersama or Nota Kesepakatan).
   */
  namaJenisNaskah?: string;
  /**
   * PIHAK KESATU's signer as the SOP declares it (`naskah.pihak.kesatu`), resolved in the directory, with the jabatan
   * of whoever gave the surat kuasa it signs on (its number and date: `kuasa-nomor`, `kuasa-tanggal`). Absent: the
   * kepala daerah signs.
   */
  penandatanganKesatu?: { official: Official; kuasaDari?: string };
  /**
   * Whoever gave the partner's signer its surat kuasa, as the SOP declares it (`naskah.pihak.kedua.suratKuasaDari`,
   * the actor's jabatan), when the case names none (`mitra-kuasa-pemberi`).
   */
  kuasaKeduaDari?: string;
  pemda: { nama: string; kop: readonly string[]; alamat?: string; dokumen: DokumenPemda };
  /** Local date of the document, YYYY-MM-DD. */
  tanggal: string;
  /** Who the letter goes out from / who signs it (for letters: the official who decided the step, or the unit head). */
  penandatangan: Official;
  /** The pemda's kepala daerah as signer of the naskah (jabatan printed as DokumenPemda.kepalaDaerah.jabatan). */
  kepalaDaerah: Official;
  /**
   * Numbers already reserved for this case by purpose: 'naskah' → '000.5.4/007/KS/2026'; a letter's own number
   * under its document name. Missing → the blank "……" form a draft uses.
   */
  nomor: Readonly<Record<string, string>>;
  /** Valid paraf so far (already resolved by the chain logic), per party, hierarki and koordinasi separately. */
  paraf?: { kesatu: { hierarki: Paraf[]; koordinasi: Paraf[] }; kedua: { hierarki: Paraf[]; koordinasi: Paraf[] } };
  /** The electronic-signature area (QR + honest footer) for the final signed naskah; absent for drafts. */
  tte?: Tte;
  /** A draft (konsep): the document is marked "KONSEP — belum ditandatangani"; false/absent for the final. */
  konsep?: boolean;
  /** The naskah's content version (core/naskah), drafted by pasal: its words are printed as typed. */
  naskah?: NaskahContent;
  /** The number of that content version (for the record of the document rendered from it). */
  naskahVersi?: number;
  /**
   * The meeting a notulen records: the values its own activation recorded, by the field ids of CASE_FIELDS
   * ('rapat-tanggal', 'notulen-peserta', …), with the pimpinan and the notulis resolved from the directory. When
   * given, the notulen reads the meeting from here only, never from the case data (which may hold another meeting's).
   */
  rapat?: { data: Readonly<Record<string, unknown>>; pimpinan?: Official; notulis?: Official };
  /**
   * The disposisi of the case up to this one, oldest first (core/case/disposisi.ts), each with who gave it, to whom
   * (the next step's official), when (local date) and the arahan as typed; and the local date the permohonan was
   * received. When given, the Lembar Disposisi prints these instead of the arahan field of the case data.
   */
  disposisi?: { diterima: string; daftar: DisposisiInput[] };
}

/** One disposisi as the Lembar Disposisi prints it. */
export interface DisposisiInput {
  /** Who gave it (the official who decided the disposisi step). */
  dari: Official;
  /** To whom: "Kepala Bagian Kerjasama (Hendra Gunawan, S.H., M.H.)". */
  kepada: string;
  arahan: string;
  /** Local date, YYYY-MM-DD. */
  tanggal: string;
}

export type AssembledDocument = {
  [N in GeneratedDocument]: { template: N; input: DocumentInput<N> };
}[GeneratedDocument];

/**
 * The case-data field ids each document reads (the ids SOP authors give their `caseData` fields), from the field
 * vocabulary (core/documents/vocabulary.ts), where each is declared once: the Kesepakatan Bersama template reads the
 * naskah's. Textareas hold one item per line (leading "-", "•", "1." are dropped); table rows separate their columns
 * with "|".
 */
export const CASE_FIELDS: Readonly<Record<GeneratedDocument, readonly string[]>> = (() => {
  const fields = {} as Record<GeneratedDocument, readonly string[]>;
  for (const d of GENERATED_DOCUMENTS) fields[d] = isianDibaca(d === 'kesepakatan-bersama' ? NASKAH : d);
  return fields;
})();

/** The blank a draft prints where a number or a name is not known yet. */
export const KOSONG = '……………………';

const MAKS_TEKS = 1000;
const MAKS_PARAGRAF = 8000;
const JANGKA_WAKTU_BAKU = 5;
/** As KesepakatanBersamaSchema allows. */
export const MAKS_PARAF_KOORDINASI = 10;
const WAKTU_RAPAT_BAKU = '09.00 WIB s.d. selesai';

/**
 * The input of `name`'s template for the case. The input passes the document's schema (checked here: a context that
 * cannot make a valid document raises a BadInput naming what is wrong).
 */
export function assembleDocument(name: GeneratedDocument, ctx: CaseDocumentContext): AssembledDocument {
  checkContext(ctx);
  const assembled = build(name, ctx);
  const result = DOCUMENTS[name].schema.safeParse(assembled.input);
  if (!result.success) throw tidakValid(`Data ${name} untuk permohonan ${ctx.caseId}`, result.error);
  return assembled;
}

function build(name: GeneratedDocument, ctx: CaseDocumentContext): AssembledDocument {
  switch (name) {
    case 'kesepakatan-bersama':
      return { template: name, input: kesepakatanBersama(ctx) };
    case 'surat-undangan':
      return { template: name, input: suratUndangan(ctx) };
    case 'nota-dinas':
      return { template: name, input: notaDinas(ctx) };
    case 'surat-pengantar':
      return { template: name, input: suratPengantar(ctx) };
    case 'telaahan-staf':
      return { template: name, input: telaahanStaf(ctx) };
    case 'notulen-rapat':
      return { template: name, input: notulenRapat(ctx) };
    case 'lembar-disposisi':
      return { template: name, input: lembarDisposisi(ctx) };
    case 'laporan-pelaksanaan':
      return { template: name, input: laporanPelaksanaan(ctx) };
    default:
      throw new SepakatError(ErrorNames.BadInput, `Dokumen "${String(name)}" tidak dapat dibuat dari data permohonan`);
  }
}

/**
 * The content of the naskah only, what a paraf approves: the title, both parties' identity, the articles, the
 * closing and the lampiran, from the same prepared view as the rendered naskah. Not content: the opening sentence
 * with the date in words, the numbers, the paraf, the signatures and QR, the KONSEP mark; so re-rendering on
 * another day or after numbering keeps the content version, and editing a word of the text changes it.
 */
export function naskahText(ctx: CaseDocumentContext): NaskahText {
  checkContext(ctx);
  const input = kesepakatanBersama({ ...ctx, nomor: {}, konsep: false, tte: undefined, paraf: undefined });
  const parsed = KesepakatanBersamaSchema.safeParse(input);
  if (!parsed.success) throw tidakValid(`Naskah permohonan ${ctx.caseId}`, parsed.error);
  const d = parsed.data;
  const view = prepareKesepakatanBersama(d);
  const alamat = [d.pihakKesatu.alamat, d.pihakKedua.alamat];
  return {
    judul: [view.judul, ...view.judulBaris, view.tentang].join(' '),
    pihak: view.pihak.map((p, i) => ({
      sebutan: p.label,
      nama: p.identitas.nama,
      jabatan: p.identitas.jabatan,
      instansi: p.instansi,
      alamat: alamat[i]!,
    })),
    pembukaan: [...view.pihak.map((p) => p.identitas.uraian), view.paraPihak],
    pasal: view.pasal.map(pasalTeks),
    penutup: [view.penutup.nomor, view.penutup.judul, ...pasalTeks(view.penutup).ayat],
    ...(view.lampiran
      ? {
          lampiran: [
            view.lampiran.judul,
            ...view.lampiran.baris.map((b) => `${b.no}. ${b.kegiatan} | ${b.waktu} | ${b.penanggungJawab}`),
          ],
        }
      : {}),
  };
}

/** contentVersion(naskahText(ctx)): the version a paraf on this case's naskah approves. */
export function naskahContentVersion(ctx: CaseDocumentContext): string {
  return contentVersion(naskahText(ctx));
}

/** A context that cannot make a valid document: every problem, by path. */
function tidakValid(what: string, error: z.ZodError): SepakatError {
  const issues = error.issues.map((i) => `${i.path.map(String).join('.') || '(dokumen)'}: ${i.message}`);
  return new SepakatError(ErrorNames.BadInput, `${what} tidak valid:\n${issues.join('\n')}`, { cause: error });
}

const pasalTeks = (p: PasalView): NaskahPasal => ({ nomor: p.nomor, judul: p.judul, ayat: p.ayat.flatMap(ayatTeks) });

const ayatTeks = (a: Ayat): string[] => [
  a.label ? `${a.label} ${a.teks}` : a.teks,
  ...a.butir.map((b) => `${b.label} ${b.teks}`),
];

// ---------------------------------------------------------------------------------------------------------------
// Kesepakatan Bersama / Nota Kesepakatan

type KesepakatanBersamaInput = DocumentInput<'kesepakatan-bersama'>;
type PihakInput = KesepakatanBersamaInput['pihakKesatu'];

function kesepakatanBersama(ctx: CaseDocumentContext): KesepakatanBersamaInput {
  const jenis = jenisNaskah(ctx);
  const tentang = tentangNaskah(ctx);
  const mitra = mitraInstansi(ctx);
  const { dokumen } = ctx.pemda;
  const paraf = ctx.paraf;

  const kesatu: PihakInput = {
    instansi: satuBaris(ctx.pemda.nama),
    nomor: satuBaris(ctx.nomor['naskah'] ?? '') || KOSONG,
    alamat: satuBaris(ctx.pemda.alamat ?? '') || satuBaris(dokumen.penghubung.alamat),
    penandatangan: {
      jabatan: satuBaris(dokumen.kepalaDaerah.jabatan),
      nama: satuBaris(ctx.kepalaDaerah.nama) || KOSONG,
      tingkat: 'kepala-daerah',
      ...status(ctx.kepalaDaerah),
    },
    penghubung: {
      unit: satuBaris(dokumen.penghubung.unit),
      alamat: satuBaris(dokumen.penghubung.alamat),
      ...opsional('pejabat', dokumen.penghubung.pejabat),
      ...opsional('telepon', dokumen.penghubung.telepon),
      ...opsional('email', dokumen.penghubung.email),
    },
    paraf: parafList(paraf?.kesatu.hierarki, MAX_PARAF_HIERARKI),
    parafKoordinasi: parafList(paraf?.kesatu.koordinasi, MAKS_PARAF_KOORDINASI),
  };

  const mitraAlamat = teksData(ctx, 'mitra-alamat');
  const penghubungAlamat = teksData(ctx, 'mitra-penghubung-alamat');
  const kedua: PihakInput = {
    instansi: mitra,
    nomor: teksData(ctx, 'mitra-nomor') ?? KOSONG,
    alamat: mitraAlamat ?? penghubungAlamat ?? '-',
    penandatangan: {
      // The head of the partner (a kepala daerah, a rector, a director) signs without NIP, as the kepala daerah.
      jabatan: teksData(ctx, 'mitra-penandatangan-jabatan')?.toUpperCase() ?? KOSONG,
      nama: teksData(ctx, 'mitra-penandatangan-nama') ?? KOSONG,
      tingkat: 'kepala-daerah',
    },
    penghubung: {
      unit: teksData(ctx, 'mitra-penghubung-unit') ?? mitra,
      alamat: penghubungAlamat ?? mitraAlamat ?? '-',
      ...opsional('telepon', teksData(ctx, 'mitra-penghubung-telepon')),
      ...opsional('email', teksData(ctx, 'mitra-penghubung-email')),
    },
    paraf: parafList(paraf?.kedua.hierarki, MAX_PARAF_HIERARKI),
    parafKoordinasi: parafList(paraf?.kedua.koordinasi, MAKS_PARAF_KOORDINASI),
  };

  const ruangLingkup = barisData(ctx, 'naskah-ruang-lingkup');
  const rencanaAksi = barisData(ctx, 'naskah-rencana-aksi').map((line) => {
    const [kegiatan, waktu, penanggungJawab] = kolom(line);
    return {
      kegiatan: kegiatan || line,
      waktu: waktu || 'Menyesuaikan kesepakatan PARA PIHAK',
      penanggungJawab: penanggungJawab || 'PARA PIHAK',
    };
  });

  if (ctx.naskah)
    return {
      jenis,
      tentang: satuBaris(ctx.naskah.tentang) || tentang,
      tempat: satuBaris(dokumen.tempat),
      tanggal: ctx.tanggal,
      pihakKesatu: kesatu,
      pihakKedua: kedua,
      isi: ctx.naskah.pasal.map((p) => ({
        judul: satuBaris(p.judul),
        ayat: p.ayat.map((a) => ayatParts(a.teks)),
      })),
      jangkaWaktu: { tahun: jangkaWaktu(ctx) },
      ...(rencanaAksi.length ? { rencanaAksi } : {}),
      ...(ctx.tte ? { tte: ctx.tte } : {}),
      ...(ctx.konsep ? { konsep: true } : {}),
    };
  return {
    jenis,
    tentang,
    tempat: satuBaris(dokumen.tempat),
    tanggal: ctx.tanggal,
    pihakKesatu: kesatu,
    pihakKedua: kedua,
    maksud:
      paragrafData(ctx, 'naskah-maksud') ??
      `Sebagai pedoman bagi PARA PIHAK dalam melaksanakan ${bidangKerjaSama(tentang)}.`,
    tujuan:
      paragrafData(ctx, 'naskah-tujuan') ??
      `Meningkatkan sinergi dan manfaat bersama bagi PARA PIHAK melalui ${bidangKerjaSama(tentang)} untuk kepentingan masyarakat.`,
    ruangLingkup: ruangLingkup.length ? ruangLingkup : [bidangKerjaSama(tentang)],
    jangkaWaktu: { tahun: jangkaWaktu(ctx) },
    ...(rencanaAksi.length ? { rencanaAksi } : {}),
    ...(ctx.tte ? { tte: ctx.tte } : {}),
    ...(ctx.konsep ? { konsep: true } : {}),
  };
}

function jenisNaskah(ctx: CaseDocumentContext): 'kesepakatan-bersama' | 'nota-kesepakatan' {
  const value = teksData(ctx, 'naskah-jenis')?.toLowerCase() ?? '';
  return /nota/.test(value) ? 'nota-kesepakatan' : 'kesepakatan-bersama';
}

/** `naskah-tentang`, else the perihal without "Permohonan …" (the title already says what the naskah is). */
export function tentangNaskah(ctx: CaseDocumentContext): string {
  const own = teksData(ctx, 'naskah-tentang');
  if (own) return own;
  const perihal = satuBaris(ctx.perihal);
  const trimmed = perihal
    .replace(/^(?:permohonan|usulan|pengajuan)\s+/i, '')
    .replace(/^(?:kesepakatan\s+bersama|nota\s+kesepakatan|perjanjian\s+kerja\s*sama)\s+/i, '')
    .replace(/^(?:tentang|mengenai)\s+/i, '')
    .trim();
  const tentang = trimmed || perihal;
  if (!tentang) throw kurang('naskah-tentang', 'tentang apa naskah kerja sama ini (perihal permohonan kosong)');
  return kapital(tentang);
}

/** "Kerja Sama Pengelolaan Sampah" → "kerja sama di bidang Pengelolaan Sampah" (the subject in a sentence). */
export function bidangKerjaSama(tentang: string): string {
  const bidang = tentang.replace(/^kerja\s*sama\s+(?:di\s+bidang\s+)?/i, '').trim() || tentang;
  return satuBaris(`kerja sama di bidang ${bidang}`);
}

/** The term of the naskah in years, as the naskah prints it (also the register's berlaku sampai). */
export function jangkaWaktu(ctx: Pick<CaseDocumentContext, 'data'>): number {
  const raw = isianKasus(ctx.data, 'naskah-jangka-waktu');
  const n = raw === undefined ? NaN : Number(/\d+(?:[.,]\d+)?/.exec(raw)?.[0]?.replace(',', '.'));
  if (!Number.isFinite(n)) return JANGKA_WAKTU_BAKU;
  return Math.min(30, Math.max(1, Math.round(n)));
}

export function mitraInstansi(ctx: CaseDocumentContext): string {
  const mitra = teksData(ctx, 'pihak-mitra') ?? (satuBaris(ctx.pemohon.instansi) || satuBaris(ctx.pemohon.nama));
  if (!mitra) throw kurang('pihak-mitra', 'nama instansi mitra kerja sama');
  return mitra;
}

/** `naskah-rencana-aksi`: one row per line, "kegiatan | waktu | penanggung jawab" (the lampiran of a Nota Kesepakatan). */
export function rencanaAksiData(
  ctx: CaseDocumentContext,
): { kegiatan: string; waktu: string; penanggungJawab: string }[] {
  return barisData(ctx, 'naskah-rencana-aksi').map((line) => {
    const [kegiatan, waktu, penanggungJawab] = kolom(line);
    return {
      kegiatan: kegiatan || line,
      waktu: waktu || 'Menyesuaikan kesepakatan PARA PIHAK',
      penanggungJawab: penanggungJawab || 'PARA PIHAK',
    };
  });
}

export function parafList(list: readonly Paraf[] | undefined, max: number): Paraf[] {
  return (list ?? []).slice(0, max).map((p) => ({
    jabatan: satuBaris(p.jabatan) || '-',
    ...opsional('nama', p.nama),
    ...(p.tanggal && isIsoDate(p.tanggal) ? { tanggal: p.tanggal } : {}),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Letters

function suratUndangan(ctx: CaseDocumentContext): DocumentInput<'surat-undangan'> {
  const tanggalRapat =
    tanggalData(ctx, 'rapat-hari-tanggal') ??
    tanggalData(ctx, 'rapat-tanggal') ??
    raise(kurang('rapat-tanggal', 'tanggal rapat yang diundang'));
  const acara = acaraRapat(ctx);
  const peserta = daftarHadirData(ctx, 'rapat-peserta');
  // "nama | jabatan | NIP | pangkat" (as the notulen reads it) shows its jabatan; a plain line shows as written.
  const pimpinanBaris = teksData(ctx, 'rapat-pimpinan');
  const pimpinan = pimpinanBaris && (kolom(pimpinanBaris)[1] || kolom(pimpinanBaris)[0]);
  return {
    kop: kop(ctx),
    tempat: satuBaris(ctx.pemda.dokumen.tempat),
    tanggal: ctx.tanggal,
    nomor: nomorSurat(ctx, 'surat-undangan'),
    hal: satuBaris(/^rapat\b/i.test(acara) ? `Undangan ${acara}` : `Undangan Rapat ${acara}`),
    pembuka: potong(
      `Dalam rangka pembahasan ${lower(satuBaris(ctx.perihal) || acara)} yang diajukan oleh ${mitraInstansi(ctx)}, dengan hormat kami mengundang Bapak/Ibu untuk hadir pada rapat yang akan dilaksanakan pada:`,
      MAKS_PARAGRAF,
    ),
    rapat: {
      tanggal: tanggalRapat,
      waktu: teksData(ctx, 'rapat-waktu') ?? WAKTU_RAPAT_BAKU,
      tempat: tempatRapat(ctx),
      acara,
      ...(pimpinan ? { pimpinan } : {}),
    },
    penandatangan: penandatangan(ctx, ctx.penandatangan, 'surat undangan', { atasNama: true }),
    // Without a guest list the pemohon is invited: the meeting is about their permohonan.
    daftarUndangan: peserta.length
      ? peserta
      : [{ nama: satuBaris(ctx.pemohon.nama) || mitraInstansi(ctx), instansi: mitraInstansi(ctx) }],
    ...tembusanOf(ctx),
    ...(ctx.tte ? { tte: ctx.tte } : {}),
    ...(ctx.konsep ? { konsep: true } : {}),
  };
}

/** The tembusan of a letter: case data `surat-tembusan`, one recipient per line (none when empty). */
function tembusanOf(ctx: CaseDocumentContext): { tembusan?: string[] } {
  const list = barisData(ctx, 'surat-tembusan');
  return list.length ? { tembusan: list } : {};
}

function notaDinas(ctx: CaseDocumentContext): DocumentInput<'nota-dinas'> {
  const hal =
    teksData(ctx, 'nota-dinas-hal') ?? (satuBaris(ctx.perihal) || raise(kurang('nota-dinas-hal', 'hal nota dinas')));
  const isi = paragrafListData(ctx, 'nota-dinas-isi');
  return {
    kop: kop(ctx),
    kepada:
      teksData(ctx, 'nota-dinas-kepada') ?? raise(kurang('nota-dinas-kepada', 'kepada siapa nota dinas ditujukan')),
    dari: jabatanPenuh(ctx.penandatangan),
    tanggal: ctx.tanggal,
    nomor: nomorSurat(ctx, 'nota-dinas'),
    hal,
    isi: isi.length
      ? isi
      : [
          potong(
            `Dengan hormat, bersama ini kami sampaikan ${lower(hal)} yang diajukan oleh ${mitraInstansi(ctx)} untuk mendapat arahan lebih lanjut.`,
            MAKS_PARAGRAF,
          ),
        ],
    butir: barisData(ctx, 'nota-dinas-butir'),
    penandatangan: penandatangan(ctx, ctx.penandatangan, 'nota dinas'),
    ...tembusanOf(ctx),
    ...(ctx.tte ? { tte: ctx.tte } : {}),
    ...(ctx.konsep ? { konsep: true } : {}),
  };
}

function suratPengantar(ctx: CaseDocumentContext): DocumentInput<'surat-pengantar'> {
  const mitra = mitraInstansi(ctx);
  const jenis = ctx.namaJenisNaskah ?? NAMA_JENIS[jenisNaskah(ctx)];
  const nomorNaskah = [ctx.nomor['naskah'], teksData(ctx, 'mitra-nomor')].filter((n): n is string => !!n?.trim());
  const nomor = nomorNaskah.length ? nomorNaskah.map((n) => `Nomor ${satuBaris(n)}`).join(' dan ') : `Nomor ${KOSONG}`;
  const alamat = teksData(ctx, 'mitra-alamat');
  return {
    kop: kop(ctx),
    tempat: satuBaris(ctx.pemda.dokumen.tempat),
    tanggal: ctx.tanggal,
    nomor: nomorSurat(ctx, 'surat-pengantar'),
    kepada: kepadaMitra(teksData(ctx, 'mitra-penandatangan-jabatan'), mitra),
    ...(alamat ? { alamatTujuan: alamat } : {}),
    naskah: [
      {
        uraian: satuBaris(
          `Naskah ${jenis} antara ${satuBaris(ctx.pemda.nama)} dengan ${mitra} tentang ${tentangNaskah(ctx)} ${nomor}`,
        ),
        banyaknya: '1 (satu) berkas',
        keterangan: 'Disampaikan dengan hormat untuk dipergunakan sebagaimana mestinya.',
      },
    ],
    penandatangan: penandatangan(ctx, ctx.penandatangan, 'surat pengantar', { atasNama: true }),
    ...(ctx.tte ? { tte: ctx.tte } : {}),
    ...(ctx.konsep ? { konsep: true } : {}),
  };
}

/** "Bupati Sukamaju" (the jabatan names the institution) or "Direktur Utama PT Air Bersih Nusantara". */
function kepadaMitra(jabatan: string | undefined, instansi: string): string {
  if (!jabatan) return satuBaris(`Pimpinan ${instansi}`);
  const words = jabatan.split(' ');
  const last = words.at(-1)!.toLowerCase();
  const named = words.length > 1 && instansi.toLowerCase().split(/\s+/).includes(last);
  const printed = jabatan === jabatan.toUpperCase() ? judulKata(jabatan) : jabatan;
  return satuBaris(named ? printed : `${printed} ${instansi}`);
}

function telaahanStaf(ctx: CaseDocumentContext): DocumentInput<'telaahan-staf'> {
  const mitra = mitraInstansi(ctx);
  const kepada = teksData(ctx, 'telaahan-kepada') ?? judulKata(satuBaris(ctx.pemda.dokumen.kepalaDaerah.jabatan));
  const perihal = satuBaris(ctx.perihal) || tentangNaskah(ctx);
  const daftar = (field: string, baku: string) => {
    const items = barisData(ctx, field, MAKS_PARAGRAF);
    return items.length ? items : [potong(baku, MAKS_PARAGRAF)];
  };
  const persoalan = barisData(ctx, 'telaahan-persoalan', MAKS_PARAGRAF).join(' ');
  return {
    kop: kop(ctx),
    kepada,
    dari: jabatanPenuh(ctx.penandatangan),
    tanggal: ctx.tanggal,
    nomor: nomorSurat(ctx, 'telaahan-staf'),
    hal: teksData(ctx, 'telaahan-hal') ?? perihal,
    persoalan:
      potong(persoalan, MAKS_PARAGRAF) ||
      potong(
        `${mitra} mengajukan ${lower(perihal)}; diperlukan pertimbangan apakah permohonan tersebut dapat ditindaklanjuti.`,
        MAKS_PARAGRAF,
      ),
    praanggapan: daftar(
      'telaahan-praanggapan',
      'Kerja sama daerah dilaksanakan sesuai dengan Peraturan Pemerintah Nomor 28 Tahun 2018 tentang Kerja Sama Daerah.',
    ),
    fakta: daftar('telaahan-fakta', `Surat permohonan dari ${mitra} perihal ${perihal} telah diterima.`),
    analisis: daftar(
      'telaahan-analisis',
      'Permohonan perlu dikaji kesesuaiannya dengan kewenangan daerah dan ketentuan peraturan perundang-undangan.',
    ),
    kesimpulan: daftar('telaahan-kesimpulan', 'Permohonan dapat ditindaklanjuti sesuai dengan ketentuan.'),
    saran: daftar('telaahan-saran', `${kepada} berkenan memberikan arahan atas permohonan tersebut.`),
    penandatangan: penandatangan(ctx, ctx.penandatangan, 'telaahan staf'),
    ...(ctx.tte ? { tte: ctx.tte } : {}),
    ...(ctx.konsep ? { konsep: true } : {}),
  };
}

function notulenRapat(caseCtx: CaseDocumentContext): DocumentInput<'notulen-rapat'> {
  // The meeting's own values when the activation recorded them: never another meeting's case data.
  const ctx: CaseDocumentContext = caseCtx.rapat ? { ...caseCtx, data: caseCtx.rapat.data } : caseCtx;
  const acara = acaraRapat(ctx);
  const pimpinan =
    (caseCtx.rapat?.pimpinan && penandatangan(ctx, caseCtx.rapat.pimpinan, 'notulen rapat (pimpinan rapat)')) ??
    pejabatDariBaris(teksData(ctx, 'rapat-pimpinan'), ctx) ??
    penandatangan(ctx, ctx.penandatangan, 'notulen rapat');
  const pencatat =
    (caseCtx.rapat?.notulis && penandatangan(ctx, caseCtx.rapat.notulis, 'notulen rapat (notulis)')) ??
    pejabatDariBaris(teksData(ctx, 'notulen-pencatat'), ctx) ??
    penandatangan(ctx, ctx.penandatangan, 'notulen rapat');
  const peserta = daftarHadirData(ctx, 'notulen-peserta');
  const hadir = [pimpinan, pencatat]
    .filter((p, i, all) => all.findIndex((q) => q.nama === p.nama) === i)
    .map((p) => ({ nama: p.nama, jabatan: p.jabatan, instansi: satuBaris(ctx.pemda.nama) }));
  const pembahasan = pembahasanData(ctx, acara);
  if (!pembahasan.length) throw kurang('notulen-pembahasan', 'uraian pembahasan rapat');
  const keputusan = barisData(ctx, 'notulen-kesimpulan', MAKS_PARAGRAF);
  if (!keputusan.length) throw kurang('notulen-kesimpulan', 'kesimpulan/keputusan rapat');
  // Each signs the notulen: one person cannot be both (two identical signature blocks).
  if (normal(pimpinan.nama) === normal(pencatat.nama))
    throw new SepakatError(
      ErrorNames.BadInput,
      `Isian "notulen-pencatat" (notulis): ${pencatat.nama} juga pimpinan rapat; notulis harus orang lain dari pimpinan rapat.`,
    );
  const tindakLanjut = barisData(ctx, 'notulen-tindak-lanjut').map((line) => {
    const [uraian, penanggungJawab, batas] = kolom(line);
    const batasWaktu = batas ? bacaTanggal(batas) : undefined;
    return {
      uraian: uraian || line,
      penanggungJawab: penanggungJawab || 'PARA PIHAK',
      ...(batasWaktu ? { batasWaktu } : {}),
    };
  });
  const undangan = ctx.nomor['surat-undangan'];
  return {
    kop: kop(ctx),
    rapat: /^rapat\b/i.test(acara) ? acara : satuBaris(`Rapat ${acara}`),
    tanggal: tanggalData(ctx, 'rapat-tanggal') ?? tanggalData(ctx, 'rapat-hari-tanggal') ?? ctx.tanggal,
    waktu: teksData(ctx, 'rapat-waktu') ?? WAKTU_RAPAT_BAKU,
    tempat: tempatRapat(ctx),
    acara,
    ...(undangan?.trim() ? { undangan: satuBaris(undangan) } : {}),
    pimpinan,
    pencatat,
    peserta: peserta.length ? peserta : hadir,
    pembahasan,
    keputusan,
    tindakLanjut,
    tempatTanda: satuBaris(ctx.pemda.dokumen.tempat),
    ...(ctx.tte ? { tte: ctx.tte } : {}),
    ...(ctx.konsep ? { konsep: true } : {}),
  };
}

/**
 * Paragraphs separated by blank lines. A paragraph whose first line ends with ":" opens a topic (its other lines are
 * the uraian); paragraphs without such a heading are gathered under the acara.
 */
function pembahasanData(ctx: CaseDocumentContext, acara: string): { topik: string; uraian: string[] }[] {
  const blocks = blokData(ctx, 'notulen-pembahasan');
  const out: { topik: string; uraian: string[]; umum: boolean }[] = [];
  for (const lines of blocks) {
    const [first, ...rest] = lines;
    if (first && rest.length && first.endsWith(':')) {
      out.push({
        topik: satuBaris(first.slice(0, -1)) || acara,
        uraian: rest.map((l) => potong(l, MAKS_PARAGRAF)),
        umum: false,
      });
    } else {
      const text = potong(lines.join(' '), MAKS_PARAGRAF);
      const last = out.at(-1);
      if (last?.umum) last.uraian.push(text);
      else out.push({ topik: acara, uraian: [text], umum: true });
    }
  }
  return out.map(({ topik, uraian }) => ({ topik, uraian }));
}

function lembarDisposisi(ctx: CaseDocumentContext): DocumentInput<'lembar-disposisi'> {
  const kepada = barisData(ctx, 'disposisi-kepada');
  const penghubung = ctx.pemda.dokumen.penghubung;
  const harap = harapData(ctx);
  const catatan = paragrafData(ctx, 'disposisi-catatan');
  // The incoming letter as far as the case knows it: what is not known prints as the blank of a form.
  const nomorSurat = teksData(ctx, 'disposisi-surat-nomor') ?? teksData(ctx, 'surat-nomor');
  const tanggalSurat = tanggalData(ctx, 'disposisi-surat-tanggal') ?? tanggalData(ctx, 'surat-tanggal');
  const dariDaftar = ctx.disposisi?.daftar.length ? ctx.disposisi.daftar : undefined;
  return {
    kop: kop(ctx),
    surat: {
      dari: teksData(ctx, 'disposisi-surat-dari') ?? mitraInstansi(ctx),
      nomor: nomorSurat ?? KOSONG,
      ...(tanggalSurat ? { tanggal: tanggalSurat } : {}),
      diterima:
        tanggalData(ctx, 'disposisi-diterima') ??
        tanggalData(ctx, 'tanggal-diterima') ??
        ctx.disposisi?.diterima ??
        ctx.tanggal,
      nomorAgenda:
        teksData(ctx, 'disposisi-nomor-agenda') ??
        teksData(ctx, 'nomor-agenda') ??
        (satuBaris(ctx.nomor['lembar-disposisi'] ?? '') || satuBaris(ctx.caseId)),
      sifat: sifatData(ctx),
      perihal: satuBaris(ctx.perihal) || tentangNaskah(ctx),
    },
    disposisi: dariDaftar
      ? dariDaftar.map((d) => ({
          dari: jabatanPenuh(d.dari),
          kepada: [satuBaris(d.kepada) || KOSONG],
          harap: harap.length ? harap : ['Proses lebih lanjut'],
          arahan: potong(d.arahan, MAKS_PARAGRAF) || KOSONG,
          tanggal: d.tanggal,
          ...(satuBaris(d.dari.nama) ? { nama: satuBaris(d.dari.nama) } : {}),
        }))
      : [
          {
            dari: jabatanPenuh(ctx.penandatangan),
            kepada: kepada.length ? kepada : [satuBaris(penghubung.pejabat ?? '') || satuBaris(penghubung.unit)],
            harap: harap.length ? harap : ['Proses lebih lanjut'],
            arahan:
              paragrafData(ctx, 'disposisi-arahan') ??
              paragrafData(ctx, 'arahan') ??
              'Untuk diproses lebih lanjut sesuai dengan ketentuan.',
            tanggal: ctx.tanggal,
            ...(satuBaris(ctx.penandatangan.nama) ? { nama: satuBaris(ctx.penandatangan.nama) } : {}),
          },
        ],
    ...(catatan ? { catatan } : {}),
    ...(ctx.konsep ? { konsep: true } : {}),
  };
}

function harapData(ctx: CaseDocumentContext): (typeof HARAP)[number][] {
  const raw = teksData(ctx, 'disposisi-harap', MAKS_PARAGRAF, false);
  if (!raw) return [];
  const wanted = raw
    .split(/[\n;,]+/)
    .map((s) => normal(s))
    .filter(Boolean);
  return HARAP.filter((h) => wanted.some((w) => normal(h).startsWith(w) || w.startsWith(normal(h))));
}

function sifatData(ctx: CaseDocumentContext): (typeof SIFAT)[number] {
  const value = normal(teksData(ctx, 'disposisi-sifat') ?? '');
  // Longest first: "sangat rahasia" before "rahasia".
  return [...SIFAT].sort((a, b) => b.length - a.length).find((s) => value.includes(normal(s))) ?? 'Biasa';
}

function laporanPelaksanaan(ctx: CaseDocumentContext): DocumentInput<'laporan-pelaksanaan'> {
  const mitra = mitraInstansi(ctx);
  const jenis = ctx.namaJenisNaskah ?? NAMA_JENIS[jenisNaskah(ctx)];
  const tentang = tentangNaskah(ctx);
  // The term runs from the signing of the naskah (or the recorded start of the cooperation) for its jangka waktu,
  // unless the case recorded when it ends.
  const ditandatangani = tanggalData(ctx, 'naskah-tanggal');
  const mulai =
    ditandatangani ??
    tanggalData(ctx, 'tanggal-mulai') ??
    raise(kurang('naskah-tanggal', `tanggal penandatanganan ${jenis} yang dilaporkan, atau tanggal-mulai kerja sama`));
  const akhir = tanggalData(ctx, 'tanggal-berakhir');
  const kegiatan = barisData(ctx, 'laporan-kegiatan').map((line) => {
    const [uraian, waktu, realisasi, keterangan] = kolom(line);
    return {
      uraian: uraian || line,
      waktu: waktu || '-',
      realisasi: realisasi || 'Terlaksana',
      ...(keterangan ? { keterangan } : {}),
    };
  });
  if (!kegiatan.length) throw kurang('laporan-kegiatan', 'kegiatan yang dilaksanakan');
  const hasil = barisData(ctx, 'laporan-hasil', MAKS_PARAGRAF);
  if (!hasil.length) throw kurang('laporan-hasil', 'hasil dan manfaat kerja sama');
  const rekomendasiTeks = teksData(ctx, 'laporan-rekomendasi', MAKS_PARAGRAF) ?? '';
  const rekomendasi = REKOMENDASI.find((r) => rekomendasiTeks.toLowerCase().includes(r)) ?? 'dilanjutkan';
  const alasanSendiri = normal(rekomendasiTeks) === rekomendasi ? undefined : paragrafData(ctx, 'laporan-rekomendasi');
  const ruangLingkup = barisData(ctx, 'naskah-ruang-lingkup');
  const pendahuluan = paragrafListData(ctx, 'laporan-pendahuluan');
  const kesimpulan = barisData(ctx, 'laporan-kesimpulan', MAKS_PARAGRAF);
  const nomor = ctx.nomor['laporan-pelaksanaan'];
  return {
    kop: kop(ctx),
    judul: satuBaris(
      `Kerja Sama ${tentang.replace(/^kerja\s*sama\s+/i, '')} antara ${satuBaris(ctx.pemda.nama)} dan ${mitra}`,
    ),
    ...(nomor?.trim() ? { nomor: satuBaris(nomor) } : {}),
    periode: teksData(ctx, 'laporan-periode') ?? `Tahun ${ctx.tanggal.slice(0, 4)}`,
    pendahuluan: pendahuluan.length
      ? pendahuluan
      : [
          potong(
            `Laporan ini disusun sebagai pertanggungjawaban pelaksanaan ${jenis} antara ${satuBaris(ctx.pemda.nama)} dan ${mitra} tentang ${tentang}.`,
            MAKS_PARAGRAF,
          ),
        ],
    dasar: [
      {
        jenis,
        nomor: satuBaris(ctx.nomor['naskah'] ?? '') || KOSONG,
        tanggal: ditandatangani ?? mulai,
        tentang,
      },
    ],
    paraPihak: [satuBaris(ctx.pemda.nama), mitra],
    objek:
      paragrafData(ctx, 'laporan-objek') ??
      potong(
        ruangLingkup.length
          ? `${kapital(bidangKerjaSama(tentang))} dengan ruang lingkup: ${ruangLingkup.join(' ')}`
          : `${kapital(bidangKerjaSama(tentang))}.`,
        MAKS_PARAGRAF,
      ),
    jangkaWaktu: { mulai, berakhir: akhir && akhir >= mulai ? akhir : berakhir(mulai, jangkaWaktu(ctx)) },
    pendanaan:
      paragrafData(ctx, 'laporan-pendanaan') ??
      'Anggaran Pendapatan dan Belanja Daerah dan sumber lain yang sah sesuai dengan kewajiban masing-masing pihak.',
    kegiatan,
    hasil,
    kendala: barisData(ctx, 'laporan-kendala', MAKS_PARAGRAF),
    kesimpulan: kesimpulan.length
      ? kesimpulan
      : [`Kerja sama telah dilaksanakan pada periode laporan dan direkomendasikan untuk ${rekomendasi}.`],
    rekomendasi,
    alasanRekomendasi: paragrafData(ctx, 'laporan-alasan-rekomendasi') ?? alasanSendiri ?? ALASAN_BAKU[rekomendasi],
    lampiran: barisData(ctx, 'laporan-lampiran'),
    tempat: satuBaris(ctx.pemda.dokumen.tempat),
    tanggal: ctx.tanggal,
    penandatangan: penandatangan(ctx, ctx.penandatangan, 'laporan pelaksanaan'),
    ...(ctx.tte ? { tte: ctx.tte } : {}),
    ...(ctx.konsep ? { konsep: true } : {}),
  };
}

const ALASAN_BAKU: Readonly<Record<(typeof REKOMENDASI)[number], string>> = {
  dilanjutkan: 'Kerja sama berjalan sesuai rencana dan masih memberikan manfaat bagi para pihak.',
  diperluas: 'Kerja sama memberikan manfaat nyata dan layak diperluas ruang lingkup atau wilayahnya.',
  dihentikan: 'Kerja sama tidak lagi memberikan manfaat yang sebanding dengan sumber daya yang digunakan.',
};

/**
 * The last day of a term of `tahun` years from `mulai`: the day before its anniversary (2026-12-01, 5 years →
 * 2031-11-30; the anniversary of 29 February in a common year is 1 March).
 */
function berakhir(mulai: string, tahun: number): string {
  const [y, m, d] = mulai.split('-').map(Number) as [number, number, number];
  const end = new Date(Date.UTC(y + tahun, m - 1, d));
  end.setUTCDate(end.getUTCDate() - 1);
  return end.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces

function kop(ctx: CaseDocumentContext): DocumentInput<'nota-dinas'>['kop'] {
  const baris = ctx.pemda.kop
    .map((b) => satuBaris(b))
    .filter(Boolean)
    .slice(0, 5);
  const alamat = satuBaris(ctx.pemda.alamat ?? '');
  const kontak = satuBaris(ctx.pemda.dokumen.kontak ?? '');
  return {
    baris: baris.length ? baris : [satuBaris(ctx.pemda.nama.toUpperCase()) || raise(kurang('pemda.kop', 'kop pemda'))],
    ...(alamat ? { alamat } : {}),
    ...(kontak ? { kontak } : {}),
  };
}

function nomorSurat(ctx: CaseDocumentContext, dokumen: GeneratedDocument): string {
  return satuBaris(ctx.nomor[dokumen] ?? '') || KOSONG;
}

function acaraRapat(ctx: CaseDocumentContext): string {
  return teksData(ctx, 'rapat-acara') ?? satuBaris(`Pembahasan ${satuBaris(ctx.perihal) || tentangNaskah(ctx)}`);
}

/** `rapat-tempat`, else the meeting room of the pemda's Bagian (the kop line "BAGIAN …", or the contact unit). */
function tempatRapat(ctx: CaseDocumentContext): string {
  const own = teksData(ctx, 'rapat-tempat');
  if (own) return own;
  const bagian = ctx.pemda.kop.find((b) => /^\s*bagian\b/i.test(b));
  return satuBaris(
    `Ruang Rapat ${bagian ? judulKata(satuBaris(bagian)) : satuBaris(ctx.pemda.dokumen.penghubung.unit)}`,
  );
}

type PenandatanganInput = z.input<typeof PenandatanganSchema>;
type Tingkat = NonNullable<PenandatanganInput['tingkat']>;

/** Which signature rules apply to a jabatan (Permendagri 1/2023 Pasal 44: who prints NIP and pangkat). */
export function tingkatJabatan(jabatan: string, kepalaDaerah: string): Tingkat {
  const j = normal(jabatan);
  if (j === normal(kepalaDaerah) || /^(?:walikota|wali kota|bupati|gubernur)\b/.test(j)) return 'kepala-daerah';
  if (/^wakil (?:walikota|wali kota|bupati|gubernur)\b/.test(j)) return 'wakil-kepala-daerah';
  if (/^sekretaris daerah\b/.test(j)) return 'sekda';
  return 'pejabat';
}

/**
 * The signature block of an official. Letters that go out on the pemda's kop in the name of the kepala daerah
 * (`atasNama`) are signed "a.n." by the Sekda, and "a.n. … Sekretaris Daerah u.b." by an official below (the common
 * practice; unverified against Permendagri 1/2023, see domain.md).
 */
function penandatangan(
  ctx: CaseDocumentContext,
  o: Official,
  dokumen: string,
  options: { atasNama?: boolean } = {},
): PenandatanganInput {
  const jabatan = satuBaris(o.jabatan);
  const nama = satuBaris(o.nama);
  if (!nama || !jabatan) throw kurang('penandatangan', `nama dan jabatan penandatangan ${dokumen}`);
  const kepalaDaerah = satuBaris(ctx.pemda.dokumen.kepalaDaerah.jabatan);
  const tingkat = tingkatJabatan(jabatan, kepalaDaerah);
  const nip = o.nip?.replace(/\s+/g, '');
  const pangkat = satuBaris(o.pangkat ?? '');
  const kurangData = tandaTanganKurang(o, kepalaDaerah);
  if (kurangData) throw new SepakatError(ErrorNames.BadInput, `Tanda tangan ${dokumen} oleh ${kurangData}.`);
  const atasNama = options.atasNama && (tingkat === 'sekda' || tingkat === 'pejabat');
  return {
    jabatan: tingkat === 'kepala-daerah' && normal(jabatan) === normal(kepalaDaerah) ? kepalaDaerah : jabatan,
    nama,
    tingkat,
    ...(nip && /^\d{18}$/.test(nip) ? { nip } : {}),
    ...(pangkat ? { pangkat } : {}),
    ...status(o),
    ...(atasNama ? { atasNama: kepalaDaerah } : {}),
    ...(atasNama && tingkat === 'pejabat' ? { untukBeliau: 'Sekretaris Daerah' } : {}),
  };
}

/**
 * Why an official cannot sign a document of the pemda (below the Sekda, a signature prints NIP and pangkat:
 * Permendagri 1/2023 Pasal 44), in words that follow "Tanda tangan … oleh"; undefined when they can.
 */
export function tandaTanganKurang(
  o: Pick<Official, 'nama' | 'jabatan' | 'nip' | 'pangkat'>,
  kepalaDaerah: string,
): string | undefined {
  const jabatan = satuBaris(o.jabatan);
  const nip = o.nip?.replace(/\s+/g, '');
  if (tingkatJabatan(jabatan, satuBaris(kepalaDaerah)) !== 'pejabat') return undefined;
  if (nip && /^\d{18}$/.test(nip) && satuBaris(o.pangkat ?? '')) return undefined;
  return `${satuBaris(o.nama)} (${jabatan}) memerlukan NIP 18 digit dan pangkat/golongan: lengkapi data pejabat di direktori pemda`;
}

export const status = (o: Official): { status?: 'Plt.' | 'Plh.' } =>
  o.sebagai === 'Plt' ? { status: 'Plt.' } : o.sebagai === 'Plh' ? { status: 'Plh.' } : {};

/** "Plh. Kepala Bagian Kerjasama" */
const jabatanPenuh = (o: Official): string => {
  const jabatan = satuBaris(o.jabatan);
  if (!jabatan) throw kurang('penandatangan', 'jabatan pengirim');
  return satuBaris(`${status(o).status ? `${status(o).status} ` : ''}${jabatan}`);
};

/** "nama | jabatan | NIP | pangkat" as an official who can sign; undefined when the line is not complete enough. */
function pejabatDariBaris(line: string | undefined, ctx: CaseDocumentContext): PenandatanganInput | undefined {
  if (!line) return undefined;
  const [nama, jabatan, nip, pangkat] = kolom(line);
  if (!nama || !jabatan) return undefined;
  const tingkat = tingkatJabatan(jabatan, ctx.pemda.dokumen.kepalaDaerah.jabatan);
  const nipBersih = nip?.replace(/\s+/g, '');
  const nipSah = nipBersih && /^\d{18}$/.test(nipBersih) ? nipBersih : undefined;
  if (tingkat === 'pejabat' && (!nipSah || !pangkat)) return undefined;
  return { nama, jabatan, tingkat, ...(nipSah ? { nip: nipSah } : {}), ...(pangkat ? { pangkat } : {}) };
}

/**
 * A list of people ("nama | jabatan | instansi" per line) through the one parser of the forms
 * (core/validation/daftar-hadir.ts); a bad line is refused naming the field and the line. Empty: [].
 */
function daftarHadirData(
  ctx: CaseDocumentContext,
  field: string,
): { nama: string; jabatan: string; instansi: string }[] {
  const raw = rawData(ctx, field);
  if (raw === undefined) return [];
  const parsed = parseDaftarHadir(`Isian "${field}"`, raw);
  if (!parsed.ok) throw new SepakatError(ErrorNames.BadInput, parsed.error);
  return parsed.orang.map((o) => ({
    nama: satuBaris(o.nama),
    jabatan: satuBaris(o.jabatan),
    instansi: satuBaris(o.instansi),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Reading case data

function checkContext(ctx: CaseDocumentContext): void {
  if (!isIsoDate(ctx.tanggal))
    throw new SepakatError(ErrorNames.BadInput, `Tanggal dokumen tidak sah: "${ctx.tanggal}" (format YYYY-MM-DD)`);
}

export const kurang = (field: string, what: string) =>
  new SepakatError(ErrorNames.BadInput, `Isian "${field}" (${what}) belum diisi; dokumen tidak dapat dibuat tanpanya.`);

const raise = (error: Error): never => {
  throw error;
};

/** Trimmed and cut to `max` UTF-16 units, as zod counts them (never inside a surrogate pair). */
function potong(text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  let out = '';
  for (const ch of trimmed) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out.trim();
}

/** One line of text: white space collapsed, cut to the limit of a `teks` field. */
export function satuBaris(text: string, max = MAKS_TEKS): string {
  return potong(text.replace(/\s+/g, ' '), max);
}

/** Lower case, single spaces: for comparing. */
const normal = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

const kapital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** "WALIKOTA CONTOH" → "Walikota Contoh" */
export function judulKata(text: string): string {
  return text
    .toLowerCase()
    .split(' ')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/**
 * A case-data value as text, or undefined when absent or empty (numbers are text; booleans are not), read through the
 * field vocabulary (core/documents/vocabulary.ts): every field a document reads is declared there.
 */
function rawData(ctx: CaseDocumentContext, field: string): string | undefined {
  return isianKasus(ctx.data, field);
}

/** A one-line value (white space collapsed). */
export function teksData(
  ctx: CaseDocumentContext,
  field: string,
  max = MAKS_TEKS,
  collapse = true,
): string | undefined {
  const raw = rawData(ctx, field);
  if (raw === undefined) return undefined;
  return (collapse ? satuBaris(raw, max) : potong(raw, max)) || undefined;
}

/** A paragraph value: line breaks inside are soft (joined with a space). */
function paragrafData(ctx: CaseDocumentContext, field: string): string | undefined {
  return teksData(ctx, field, MAKS_PARAGRAF);
}

/** "- a", "• b", "1. c", "a) d" → the text after the list mark. */
function tanpaPenanda(line: string): string {
  return line.replace(/^\s*(?:[-–—•*·▪●○◦]+\s*|\(?(?:\d{1,3}|[a-z])[.)]\s+)/, '').trim();
}

/** A textarea: one item per line, list marks dropped, empty lines skipped, each cut to `max`. */
export function barisData(ctx: CaseDocumentContext, field: string, max = MAKS_TEKS): string[] {
  const raw = rawData(ctx, field);
  if (raw === undefined) return [];
  return raw
    .split(/\r?\n/)
    .map((l) => satuBaris(tanpaPenanda(l), max))
    .filter(Boolean);
}

/** A textarea of blocks separated by blank lines: each block's lines (list marks dropped). */
function blokData(ctx: CaseDocumentContext, field: string): string[][] {
  const raw = rawData(ctx, field);
  if (raw === undefined) return [];
  return raw
    .split(/\r?\n\s*\r?\n/)
    .map((block) =>
      block
        .split(/\r?\n/)
        .map((l) => satuBaris(tanpaPenanda(l), MAKS_PARAGRAF))
        .filter(Boolean),
    )
    .filter((lines) => lines.length > 0);
}

/** Paragraphs separated by blank lines; a paragraph's own line breaks are soft. */
function paragrafListData(ctx: CaseDocumentContext, field: string): string[] {
  return blokData(ctx, field)
    .map((lines) => potong(lines.join(' '), MAKS_PARAGRAF))
    .filter(Boolean);
}

/** "a | b | c" → ["a", "b", "c"] (each a one-line text; empty columns are ""). */
export function kolom(line: string): string[] {
  return line.split('|').map((c) => satuBaris(c));
}

function opsional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  const v = satuBaris(value ?? '');
  return (v ? { [key]: v } : {}) as { [P in K]?: string };
}

const BULAN: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  peb: 2,
  mar: 3,
  apr: 4,
  mei: 5,
  may: 5,
  jun: 6,
  jul: 7,
  agu: 8,
  agt: 8,
  ags: 8,
  aug: 8,
  sep: 9,
  okt: 10,
  oct: 10,
  nov: 11,
  nop: 11,
  des: 12,
  dec: 12,
};

const iso = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** "2026-12-01", "01-12-2026", "1/12/2026", "Selasa, 1 Desember 2026" → "2026-12-01"; undefined when unreadable. */
function bacaTanggal(text: string): string | undefined {
  const t = text.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])/.exec(t);
  let out: string | undefined;
  if (m) out = `${m[1]}-${m[2]}-${m[3]}`;
  else if ((m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(t))) out = iso(Number(m[3]), Number(m[2]), Number(m[1]));
  else if ((m = /(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})/.exec(t))) {
    const month = BULAN[m[2]!.slice(0, 3).toLowerCase()];
    if (month) out = iso(Number(m[3]), month, Number(m[1]));
  }
  return out && isIsoDate(out) ? out : undefined;
}

/** A date field: undefined when absent; a value that is not a date is refused, naming the field. */
export function tanggalData(ctx: CaseDocumentContext, field: string): string | undefined {
  const raw = rawData(ctx, field);
  if (raw === undefined) return undefined;
  const date = bacaTanggal(raw);
  if (!date)
    throw new SepakatError(
      ErrorNames.BadInput,
      `Isian "${field}" bukan tanggal yang dapat dibaca: "${satuBaris(raw, 60)}" (contoh: 2026-12-01 atau 1 Desember 2026)`,
    );
  return date;
}
