import {
  bidangKerjaSama,
  jangkaWaktu,
  judulKata,
  KOSONG,
  kurang,
  MAKS_PARAF_KOORDINASI,
  mitraInstansi,
  parafList,
  rencanaAksiData,
  satuBaris,
  status,
  tanggalData,
  teksData,
  tentangNaskah,
  tingkatJabatan,
  type CaseDocumentContext,
} from '../documents/assemble.ts';
import { angkaKata, tanggalSurat } from '../documents/common.ts';
import type { DocumentInput } from '../documents/index.ts';
import { isianKasus } from '../documents/vocabulary.ts';
import { NaskahIsiSchema, prepareNaskahIsi, type NaskahIsiInput, type PasalIsiView } from '../documents/naskah-isi.ts';
import type { Ayat } from '../documents/naskah.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import { contentVersion, MAX_PARAF_HIERARKI, type NaskahPasal, type NaskahText } from '../signing/paraf.ts';
import type { NaskahContent } from './content.ts';
import type { Outline, OutlineValues } from './outline.ts';

/**
 * From a case and a content version of its naskah to the input of the `naskah` document (core/documents/naskah-isi.ts),
 * for every kind: the outline's flags, the content exactly as saved, and what the case adds (the parties and their
 * signers, the numbers, the place and date, the paraf, the electronic-signature area). Also the values an outline is
 * filled with (`outlineValues`, for `startContent`), and the text a paraf approves (`naskahIsiText`). Pure.
 *
 * The case data each kind reads is listed in NASKAH_CASE_FIELDS. The parties and signers are not content: a draft
 * prints the blank "……" where a value is not known yet; only a final naskah (not `konsep`) requires the surat kuasa of
 * a kepala perangkat daerah who signs for the kepala daerah.
 */

/**
 * The case data the naskah reads is declared in the field vocabulary (core/documents/vocabulary.ts, `dibacaOleh:
 * naskah`), among them:
 *
 * - `penandatangan-pks-nama`, `-jabatan`, `-nip`, `-pangkat`: PIHAK KESATU's signer when it is not the kepala daerah
 *   and the SOP declares none (`naskah.pihak.kesatu`); with `kuasa-nomor` and `kuasa-tanggal`, the surat kuasa of the
 *   kepala daerah, named in the komparisi (also of a declared signer on a declared surat kuasa).
 * - `mitra-penandatangan-nip`, `-pangkat`: the partner's signer is an official below its head (both given: the block
 *   prints them); `mitra-kuasa-pemberi`, `mitra-kuasa-nomor`, `mitra-kuasa-tanggal`: the partner's surat kuasa.
 * - `dasar-kesepakatan-*`: the Kesepakatan Bersama a PKS implements ({kbNomor}, {kbTanggal}, {kbTentang}).
 * - `adendum-dari*`, `adendum-ke`: the agreement an adendum changes, and which adendum it is.
 * - `pemda-nama-en`, `mitra-nama-en`, `kepala-daerah-jabatan-en`, `mitra-penandatangan-jabatan-en`: the parties'
 *   names and the signers' jabatan in English, for a bilingual naskah (the pemda's own are derived when absent).
 */

/** The kinds an agreement of the register may be (core/agreement), as a sentence names them. */
const JENIS_INDUK: Readonly<Record<string, string>> = {
  'kesepakatan-bersama': 'Kesepakatan Bersama',
  'nota-kesepakatan': 'Nota Kesepakatan',
  'perjanjian-kerja-sama': 'Perjanjian Kerja Sama',
  mou: 'Memorandum Saling Pengertian',
  'mou-luar-negeri': 'Memorandum Saling Pengertian',
};

/**
 * The outline a case's naskah starts from: `naskah-jenis` when it names one (the SOPs' select values are outline
 * ids), else read from its words ("Perjanjian Kerja Sama", "MoU"), else an adendum when the case changes an agreement,
 * else a Kesepakatan Bersama.
 */
export function jenisNaskahOf(
  ctx: Pick<CaseDocumentContext, 'data'>,
  known: (id: string) => boolean,
  /** The kind the case's SOP declares (`naskah.jenis`), its default. */
  declared?: string,
): string {
  const value = isianKasus(ctx.data, 'naskah-jenis')?.trim().toLowerCase() ?? '';
  if (value && known(value)) return value;
  if (/adendum|addendum/.test(value)) return 'adendum';
  if (/perjanjian/.test(value)) return 'perjanjian-kerja-sama';
  if (/memorandum|\bmou\b/.test(value)) return 'mou-luar-negeri';
  if (/nota/.test(value)) return 'nota-kesepakatan';
  if (declared && known(declared)) return declared;
  if (isianKasus(ctx.data, 'adendum-dari')?.trim()) return 'adendum';
  return 'kesepakatan-bersama';
}

/** The values an outline's placeholders are filled with, from the case (see OUTLINE_VALUES). */
export function outlineValues(outline: Outline, ctx: CaseDocumentContext): OutlineValues {
  const indukTentang = teksData(ctx, 'adendum-dari-tentang');
  const tentang = outline.adendum
    ? (teksData(ctx, 'naskah-tentang') ?? indukTentang ?? tentangNaskah(ctx))
    : tentangNaskah(ctx);
  const kbNomor = teksData(ctx, 'dasar-kesepakatan-nomor');
  const kbNomorMitra = teksData(ctx, 'dasar-kesepakatan-nomor-mitra');
  const tanggal = (field: string) => {
    const iso = tanggalData(ctx, field);
    return iso ? tanggalSurat(iso) : undefined;
  };
  const values: OutlineValues = {
    jenis: outline.nama,
    tentang,
    tentangEn: teksData(ctx, 'naskah-tentang-en'),
    bidang: bidangKerjaSama(tentang),
    pihakKesatu: satuBaris(ctx.pemda.nama),
    pihakKedua: mitraInstansi(ctx),
    jangkaWaktu: angkaKata(jangkaWaktu(ctx)),
    rangkap: angkaKata(outline.rangkap),
    kbNomor: kbNomor && kbNomorMitra ? `${kbNomor} dan Nomor ${kbNomorMitra}` : kbNomor,
    kbTanggal: tanggal('dasar-kesepakatan-tanggal'),
    kbTentang: teksData(ctx, 'dasar-kesepakatan-tentang'),
    indukNomor: teksData(ctx, 'adendum-dari'),
    indukTanggal: tanggal('adendum-dari-tanggal'),
    indukTentang,
    indukJenis: jenisInduk(ctx),
  };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as OutlineValues;
}

/** The kind of the agreement an adendum changes, as a sentence names it. */
function jenisInduk(ctx: CaseDocumentContext): string | undefined {
  const raw = teksData(ctx, 'adendum-dari-jenis');
  return raw ? (JENIS_INDUK[raw.toLowerCase()] ?? raw) : undefined;
}

export interface NaskahDocument {
  template: 'naskah';
  input: DocumentInput<'naskah'>;
}

/**
 * The template and its input for a content version of the case's naskah. The input passes the document's schema
 * (checked here: a context that cannot make a valid naskah raises a BadInput naming what is wrong). The numbers, the
 * paraf, the electronic-signature area and the KONSEP mark come from `ctx` exactly as for the other documents.
 */
export function naskahDocument(outline: Outline, content: NaskahContent, ctx: CaseDocumentContext): NaskahDocument {
  if (content.jenis !== outline.id)
    throw new SepakatError(
      ErrorNames.BadInput,
      `Isi naskah berjenis "${content.jenis}" tidak dapat dicetak dengan kerangka "${outline.id}"`,
    );
  const input = naskahInput(outline, content, ctx);
  const parsed = NaskahIsiSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(dokumen)'}: ${i.message}`);
    throw new SepakatError(ErrorNames.BadInput, `Naskah permohonan ${ctx.caseId} tidak valid:\n${issues.join('\n')}`, {
      cause: parsed.error,
    });
  }
  return { template: 'naskah', input };
}

function naskahInput(outline: Outline, content: NaskahContent, ctx: CaseDocumentContext): NaskahIsiInput {
  const final = !ctx.konsep;
  const paraf = ctx.paraf;
  const indukJenis = jenisInduk(ctx);
  const adendumKe = Number(teksData(ctx, 'adendum-ke'));
  const rencanaAksi = rencanaAksiData(ctx);
  return {
    kerangka: {
      id: outline.id,
      nama: outline.nama,
      ...(outline.namaEn ? { namaEn: outline.namaEn } : {}),
      judul: outline.judul,
      ...(outline.judulEn ? { judulEn: outline.judulEn } : {}),
      meterai: outline.meterai,
      bilingual: outline.bilingual,
      komparisi: outline.komparisi,
      adendum: outline.adendum,
    },
    // The stored content as it is (the schema's type is the mutable form of the same shape).
    isi: content as NaskahIsiInput['isi'],
    tempat: satuBaris(ctx.pemda.dokumen.tempat),
    tanggal: ctx.tanggal,
    pihakKesatu: {
      ...pihakKesatu(ctx, outline, final),
      paraf: parafList(paraf?.kesatu.hierarki, MAX_PARAF_HIERARKI),
      parafKoordinasi: parafList(paraf?.kesatu.koordinasi, MAKS_PARAF_KOORDINASI),
    },
    pihakKedua: {
      ...pihakKedua(ctx, outline, final),
      paraf: parafList(paraf?.kedua.hierarki, MAX_PARAF_HIERARKI),
      parafKoordinasi: parafList(paraf?.kedua.koordinasi, MAKS_PARAF_KOORDINASI),
    },
    ...(outline.adendum && indukJenis ? { indukJenis } : {}),
    ...(outline.adendum && Number.isInteger(adendumKe) && adendumKe >= 1 && adendumKe <= 30 ? { adendumKe } : {}),
    ...(rencanaAksi.length ? { rencanaAksi } : {}),
    ...(ctx.tte ? { tte: ctx.tte } : {}),
    ...(ctx.konsep ? { konsep: true } : {}),
  };
}

type PihakInput = Omit<NaskahIsiInput['pihakKesatu'], 'paraf' | 'parafKoordinasi'>;

/**
 * The pemda: signed by the kepala daerah, or by the official named in `penandatangan-pks-*` on the kepala daerah's
 * surat kuasa (`kuasa-nomor`, `kuasa-tanggal`; required on the final naskah).
 */
function pihakKesatu(ctx: CaseDocumentContext, outline: Outline, final: boolean): PihakInput {
  const { dokumen } = ctx.pemda;
  const instansi = satuBaris(ctx.pemda.nama);
  const kepalaDaerah = satuBaris(dokumen.kepalaDaerah.jabatan);
  const english = outline.bilingual
    ? {
        instansiEn: teksData(ctx, 'pemda-nama-en') ?? namaInggris(instansi),
        jabatanEn: teksData(ctx, 'kepala-daerah-jabatan-en') ?? jabatanInggris(kepalaDaerah),
      }
    : {};
  const base = {
    // A naskah with a foreign party names the country, as its partner's name does.
    instansi: outline.bilingual ? `${instansi}, Republik Indonesia` : instansi,
    ...english,
    nomor: satuBaris(ctx.nomor['naskah'] ?? '') || KOSONG,
    alamat: satuBaris(ctx.pemda.alamat ?? '') || satuBaris(dokumen.penghubung.alamat),
  };
  const declared = ctx.penandatanganKesatu;
  if (declared) return { ...base, ...declaredSigner(declared, kepalaDaerah, ctx, final) };
  const nama = teksData(ctx, 'penandatangan-pks-nama');
  if (!nama)
    return {
      ...base,
      penandatangan: {
        jabatan: kepalaDaerah,
        nama: satuBaris(ctx.kepalaDaerah.nama) || KOSONG,
        tingkat: 'kepala-daerah',
        ...status(ctx.kepalaDaerah),
      },
    };
  const jabatan =
    teksData(ctx, 'penandatangan-pks-jabatan') ??
    raise(kurang('penandatangan-pks-jabatan', 'jabatan pejabat yang menandatangani atas kuasa kepala daerah'));
  const tingkat = tingkatJabatan(jabatan, kepalaDaerah);
  const nip = teksData(ctx, 'penandatangan-pks-nip')?.replace(/\s+/g, '');
  const pangkat = teksData(ctx, 'penandatangan-pks-pangkat');
  if (tingkat === 'pejabat') {
    if (!nip || !/^\d{18}$/.test(nip))
      throw new SepakatError(
        ErrorNames.BadInput,
        `Isian "penandatangan-pks-nip" (NIP 18 digit ${nama}) belum diisi atau tidak sah; blok tanda tangan pejabat mencantumkan NIP.`,
      );
    if (!pangkat) throw kurang('penandatangan-pks-pangkat', `pangkat/golongan ${nama}`);
  }
  const kuasaNomor = teksData(ctx, 'kuasa-nomor');
  const kuasaTanggal = tanggalData(ctx, 'kuasa-tanggal');
  if (final && !kuasaNomor) throw kurang('kuasa-nomor', 'nomor surat kuasa kepala daerah kepada penandatangan');
  if (final && !kuasaTanggal) throw kurang('kuasa-tanggal', 'tanggal surat kuasa kepala daerah kepada penandatangan');
  return {
    ...base,
    penandatangan: {
      jabatan,
      nama,
      tingkat,
      ...(tingkat === 'pejabat' ? { nip, pangkat } : {}),
    },
    kuasa: {
      pemberi: judulKata(kepalaDaerah),
      nomor: kuasaNomor ?? KOSONG,
      ...(kuasaTanggal ? { tanggal: kuasaTanggal } : {}),
    },
  };
}

/**
 * The signer the SOP declares for PIHAK KESATU (`naskah.pihak.kesatu`, resolved in the directory): printed with their
 * own jabatan (NIP and pangkat below the Sekda) and, when declared, the surat kuasa they sign on: its giver's jabatan,
 * its number and date from `kuasa-nomor` and `kuasa-tanggal` (required on the final naskah).
 */
function declaredSigner(
  declared: NonNullable<CaseDocumentContext['penandatanganKesatu']>,
  kepalaDaerah: string,
  ctx: CaseDocumentContext,
  final: boolean,
): Pick<PihakInput, 'penandatangan' | 'kuasa'> {
  const o = declared.official;
  const jabatan = satuBaris(o.jabatan);
  const nama = satuBaris(o.nama) || KOSONG;
  const tingkat = tingkatJabatan(jabatan, kepalaDaerah);
  const nip = o.nip?.replace(/\s+/g, '');
  const pangkat = satuBaris(o.pangkat ?? '');
  if (tingkat === 'pejabat' && (!nip || !/^\d{18}$/.test(nip) || !pangkat))
    throw new SepakatError(
      ErrorNames.BadInput,
      `Penandatangan naskah pihak kesatu ${nama} (${jabatan}) memerlukan NIP 18 digit dan pangkat/golongan: lengkapi data pejabat di direktori pemda.`,
    );
  const penandatangan = {
    jabatan: tingkat === 'kepala-daerah' ? kepalaDaerah : jabatan,
    nama,
    tingkat,
    ...(tingkat === 'pejabat' ? { nip, pangkat } : {}),
    ...status(o),
  };
  if (!declared.kuasaDari) return { penandatangan };
  const kuasaNomor = teksData(ctx, 'kuasa-nomor');
  const kuasaTanggal = tanggalData(ctx, 'kuasa-tanggal');
  if (final && !kuasaNomor) throw kurang('kuasa-nomor', `nomor surat kuasa ${judulKata(declared.kuasaDari)}`);
  if (final && !kuasaTanggal) throw kurang('kuasa-tanggal', `tanggal surat kuasa ${judulKata(declared.kuasaDari)}`);
  return {
    penandatangan,
    kuasa: {
      pemberi: judulKata(satuBaris(declared.kuasaDari)),
      nomor: kuasaNomor ?? KOSONG,
      ...(kuasaTanggal ? { tanggal: kuasaTanggal } : {}),
    },
  };
}

/** The partner: its head signs (no NIP), or an official with NIP and pangkat, on a surat kuasa when one is named. */
function pihakKedua(ctx: CaseDocumentContext, outline: Outline, final: boolean): PihakInput {
  const instansi = mitraInstansi(ctx);
  const alamat = teksData(ctx, 'mitra-alamat') ?? teksData(ctx, 'mitra-penghubung-alamat') ?? '-';
  const jabatan = teksData(ctx, 'mitra-penandatangan-jabatan');
  const nama = teksData(ctx, 'mitra-penandatangan-nama') ?? KOSONG;
  const nip = teksData(ctx, 'mitra-penandatangan-nip')?.replace(/\s+/g, '');
  const pangkat = teksData(ctx, 'mitra-penandatangan-pangkat');
  const pejabat = Boolean(jabatan && nip && /^\d{18}$/.test(nip) && pangkat);
  const pemberi = teksData(ctx, 'mitra-kuasa-pemberi') ?? ctx.kuasaKeduaDari;
  const kuasaNomor = teksData(ctx, 'mitra-kuasa-nomor');
  const kuasaTanggal = tanggalData(ctx, 'mitra-kuasa-tanggal');
  if (pemberi && final && !kuasaNomor) throw kurang('mitra-kuasa-nomor', `nomor surat kuasa ${pemberi}`);
  return {
    instansi,
    ...(outline.bilingual
      ? {
          instansiEn: teksData(ctx, 'mitra-nama-en') ?? instansi,
          ...opsional('jabatanEn', teksData(ctx, 'mitra-penandatangan-jabatan-en')),
        }
      : {}),
    nomor: teksData(ctx, 'mitra-nomor') ?? KOSONG,
    alamat,
    penandatangan: pejabat
      ? { jabatan: jabatan!, nama, tingkat: 'pejabat', nip: nip!, pangkat: pangkat! }
      : // The head of the partner (a kepala daerah, a rector, a director) signs without NIP, as the kepala daerah.
        { jabatan: jabatan?.toUpperCase() ?? KOSONG, nama, tingkat: 'kepala-daerah' },
    ...(pemberi
      ? { kuasa: { pemberi, nomor: kuasaNomor ?? KOSONG, ...(kuasaTanggal ? { tanggal: kuasaTanggal } : {}) } }
      : {}),
  };
}

const opsional = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } =>
  (value ? { [key]: value } : {}) as { [P in K]?: string };

const raise = (error: Error): never => {
  throw error;
};

const WILAYAH_EN: Readonly<Record<string, string>> = { kota: 'City', kabupaten: 'Regency', provinsi: 'Province' };

/** "Pemerintah Kota Bandung" → "the Government of Bandung City, the Republic of Indonesia". */
export function namaInggris(instansi: string): string {
  const m = /^pemerintah\s+(kota|kabupaten|provinsi)\s+(.+)$/i.exec(instansi.trim());
  if (!m) return instansi;
  return `the Government of ${m[2]} ${WILAYAH_EN[m[1]!.toLowerCase()]}, the Republic of Indonesia`;
}

/** "WALI KOTA BANDUNG" → "MAYOR OF BANDUNG"; "BUPATI BLITAR" → "REGENT OF BLITAR"; else unchanged. */
export function jabatanInggris(jabatan: string): string {
  const m = /^(wali\s*kota|bupati|gubernur)\s+(.+)$/i.exec(jabatan.trim());
  if (!m) return jabatan;
  const title = /^wali/i.test(m[1]!) ? 'MAYOR' : /^bupati/i.test(m[1]!) ? 'REGENT' : 'GOVERNOR';
  return `${title} OF ${m[2]!.toUpperCase()}`;
}

// ─── What a paraf approves ─────────────────────────────────────────────────────────────────────────────────────

/**
 * The text of a content version as the naskah prints it, what a paraf approves (core/signing/paraf.ts): the title,
 * the parties, the komparisi and recitals, every pasal with its number, title, what it changes and its ayat (and the
 * English of a bilingual naskah), the lampiran. Not content: the numbers, the date and place, the paraf, the
 * signatures and QR, the KONSEP mark; so numbering or signing on another day keeps the version, and a word changed in
 * any text changes it.
 */
export function naskahIsiText(outline: Outline, content: NaskahContent, ctx: CaseDocumentContext): NaskahText {
  const { input } = naskahDocument(outline, content, {
    ...ctx,
    nomor: {},
    konsep: true,
    tte: undefined,
    paraf: undefined,
  });
  const d = NaskahIsiSchema.parse({ ...input, konsep: false });
  const view = prepareNaskahIsi(d);
  const alamat = [d.pihakKesatu.alamat, d.pihakKedua.alamat];
  if (view.dwibahasa) {
    const v = view.dwibahasa;
    const pasal = [...v.pasal, v.penutup].map((p): NaskahPasal => ({
      nomor: p.id.nomor,
      judul: `${p.id.judul} / ${p.en.judul}`,
      ayat: p.ayat.flatMap((a) => [...ayatTeks(a.id), ...ayatTeks(a.en)]),
    }));
    return {
      judul: [...v.judul.id, ...v.judul.en].join(' '),
      pihak: [d.pihakKesatu, d.pihakKedua].map((p, i) => ({
        sebutan: i === 0 ? 'PIHAK KESATU' : 'PIHAK KEDUA',
        nama: p.penandatangan.nama,
        jabatan: p.penandatangan.jabatan,
        instansi: `${p.instansi} / ${p.instansiEn ?? p.instansi}`,
        alamat: alamat[i]!,
      })),
      pembukaan: v.pembukaan.flatMap((b) => [b.id, b.en]),
      pasal: pasal.slice(0, -1),
      penutup: penutupTeks(pasal[pasal.length - 1]!),
    };
  }
  const v = view.naskah!;
  const pasal = [...v.pasal, v.penutup].map(pasalTeks);
  return {
    judul: [v.judul, ...v.judulBaris, v.tentang].join(' '),
    pihak: v.pihak.map((p, i) => ({
      sebutan: p.label,
      nama: p.identitas.nama,
      jabatan: p.identitas.jabatan,
      instansi: p.instansi,
      alamat: alamat[i]!,
    })),
    pembukaan: [
      ...v.pihak.map((p) => p.identitas.uraian),
      v.paraPihak,
      ...v.pertimbangan.map((b) => `${b.label} ${b.teks}`),
      ...v.dasar.map((b) => `${b.label} ${b.teks}`),
      ...(v.kesepakatan ? [v.kesepakatan] : []),
    ],
    pasal: pasal.slice(0, -1),
    penutup: penutupTeks(pasal[pasal.length - 1]!),
    ...(v.lampiran
      ? {
          lampiran: [
            v.lampiran.judul,
            ...v.lampiran.baris.map((b) => `${b.no}. ${b.kegiatan} | ${b.waktu} | ${b.penanggungJawab}`),
          ],
        }
      : {}),
  };
}

/** contentVersion(naskahIsiText(…)): the version a paraf on this content of the naskah approves. */
export function naskahIsiVersion(outline: Outline, content: NaskahContent, ctx: CaseDocumentContext): string {
  return contentVersion(naskahIsiText(outline, content, ctx));
}

const pasalTeks = (p: PasalIsiView): NaskahPasal => ({
  nomor: p.nomor,
  judul: p.judul,
  ayat: [...(p.mengubah ? [p.mengubah] : []), ...p.ayat.flatMap(ayatTeks)],
});

const penutupTeks = (p: NaskahPasal): string[] => [String(p.nomor), p.judul ?? '', ...p.ayat];

const ayatTeks = (a: Ayat): string[] => [
  a.label ? `${a.label} ${a.teks}` : a.teks,
  ...a.butir.map((b) => `${b.label} ${b.teks}`),
];
