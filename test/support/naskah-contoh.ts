import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DirectorySchema, type Person } from '../../core/directory/directory.ts';
import type { CaseDocumentContext, Official } from '../../core/documents/assemble.ts';
import type { NaskahContent } from '../../core/naskah/content.ts';
import { parseOutline, startContent, type Outline } from '../../core/naskah/outline.ts';
import { outlineValues } from '../../core/naskah/render-view.ts';

/**
 * Example naskah of every kind, as content versions of fictional cases (fictional people, real formats): the
 * outline of `config/naskah/<kind>.yaml` filled with the case (`startContent`), then edited as an official would.
 * Used by the naskah tests, the document examples (test/support/contoh.ts) and the previews.
 */

const ROOT = join(import.meta.dirname, '..', '..');

export const outlineOf = (id: string): Outline =>
  parseOutline(parseYaml(readFileSync(join(ROOT, 'config', 'naskah', `${id}.yaml`), 'utf8')), `${id}.yaml`);

const directoryOf = (pemdaId: string) =>
  DirectorySchema.parse(parseYaml(readFileSync(join(ROOT, 'config', 'pemda', `${pemdaId}.yaml`), 'utf8')));

const official = (p: Person, jabatan = p.jabatan): Official => ({
  nama: p.nama,
  jabatan,
  ...(p.nip ? { nip: p.nip } : {}),
  ...(p.pangkat ? { pangkat: p.pangkat } : {}),
});

/** A case of the pemda's directory with `data`, dated `tanggal`; a draft unless `over` says otherwise. */
export function naskahContext(
  pemdaId: string,
  data: Record<string, string | number>,
  over: Partial<CaseDocumentContext> = {},
): CaseDocumentContext {
  const directory = directoryOf(pemdaId);
  const { pemda } = directory;
  const person = (role: string): Person => {
    const id = directory.roles[role]?.[0]?.person;
    const p = directory.people.find((x) => x.id === id);
    if (!p) throw new Error(`no holder of ${role} in ${pemdaId}`);
    return p;
  };
  return {
    caseId: 'KS-2026-0042',
    perihal: String(data['naskah-tentang'] ?? 'Kerja Sama'),
    pemohon: { nama: 'Agus Salim, S.IP.', instansi: String(data['pihak-mitra'] ?? 'Mitra'), email: 'agus@mitra.test' },
    data,
    pemda: {
      nama: pemda.nama,
      kop: pemda.kop,
      ...(pemda.alamat ? { alamat: pemda.alamat } : {}),
      dokumen: pemda.dokumen,
    },
    tanggal: '2026-12-16',
    penandatangan: official(person(pemda.dokumen.penandatanganSurat ?? 'sekda')),
    kepalaDaerah: official(person(pemda.dokumen.kepalaDaerah.role), pemda.dokumen.kepalaDaerah.jabatan),
    nomor: {},
    konsep: true,
    ...over,
  };
}

/** An example: the outline, the case, and the content version an official saved. */
export interface NaskahContoh {
  outline: Outline;
  ctx: CaseDocumentContext;
  content: NaskahContent;
}

/** The content with one ayat's text replaced (the official's own words). */
export function withAyat(content: NaskahContent, pasalId: string, index: number, teks: string): NaskahContent {
  return {
    ...content,
    pasal: content.pasal.map((p) =>
      p.id === pasalId ? { ...p, ayat: p.ayat.map((a, j) => (j === index ? { ...a, teks } : a)) } : p,
    ),
  };
}

const contoh = (outlineId: string, ctx: CaseDocumentContext, edit: (c: NaskahContent) => NaskahContent = (c) => c) => {
  const outline = outlineOf(outlineId);
  return { outline, ctx, content: edit(startContent(outline, outlineValues(outline, ctx))) };
};

const SUKAMAJU = {
  'pihak-mitra': 'Pemerintah Kabupaten Sukamaju',
  'mitra-alamat': 'Jalan Raya Sukamaju No. 10, Sukamaju',
  'mitra-nomor': '130/77/PEM/2026',
};

/** The sentence the official typed as the first ayat of Pasal 1 (printed unchanged, never after "Maksud … adalah"). */
export const KALIMAT_PEJABAT =
  'Kesepakatan Bersama ini dimaksudkan sebagai pedoman bagi PARA PIHAK dalam menyelenggarakan layanan persampahan lintas wilayah.';

export const KB = contoh(
  'kesepakatan-bersama',
  naskahContext('kota-contoh', {
    ...SUKAMAJU,
    'naskah-tentang': 'Kerja Sama Pengelolaan Sampah Regional',
    'naskah-jangka-waktu': 5,
    'mitra-penandatangan-nama': 'H. Dedi Kurniawan, S.E.',
    'mitra-penandatangan-jabatan': 'Bupati Sukamaju',
  }),
  (c) => withAyat(c, 'maksud-tujuan', 0, KALIMAT_PEJABAT),
);

export const NK = contoh(
  'nota-kesepakatan',
  naskahContext('kab-blitar', {
    'pihak-mitra': 'Kementerian Desa, Pembangunan Daerah Tertinggal, dan Transmigrasi',
    'mitra-alamat': 'Jalan TMP Kalibata No. 17, Jakarta Selatan',
    'mitra-nomor': '05/NK/M/XII/2026',
    'naskah-tentang': 'Percepatan Pembangunan Desa Mandiri',
    'naskah-jangka-waktu': 3,
    'mitra-penandatangan-nama': 'Dr. Wahyu Santoso',
    'mitra-penandatangan-jabatan': 'Sekretaris Jenderal',
    'naskah-rencana-aksi': 'Pendataan desa mandiri | Triwulan I 2027 | PARA PIHAK',
  }),
);

/** A PKS signed for the Walikota by the Kepala Dinas, on his surat kuasa; it implements the KB above. */
export const PKS = contoh(
  'perjanjian-kerja-sama',
  naskahContext(
    'kota-contoh',
    {
      ...SUKAMAJU,
      'mitra-nomor': '130/12/PEM/2027',
      'naskah-tentang': 'Pengangkutan dan Pengolahan Sampah Regional',
      'naskah-jangka-waktu': 2,
      'penandatangan-pks-nama': 'Ir. Bambang Sutrisno, M.T.',
      'penandatangan-pks-jabatan': 'Kepala Dinas Lingkungan Hidup Kota Contoh',
      'penandatangan-pks-nip': '197011121996031004',
      'penandatangan-pks-pangkat': 'Pembina Utama Muda (IV/c)',
      'kuasa-nomor': '000.5.5/020/KS/2027',
      'kuasa-tanggal': '2027-02-10',
      'mitra-penandatangan-nama': 'Yanti Sulastri, S.T.',
      'mitra-penandatangan-jabatan': 'Kepala Dinas Lingkungan Hidup Kabupaten Sukamaju',
      'mitra-penandatangan-nip': '197803222005012008',
      'mitra-penandatangan-pangkat': 'Pembina Tingkat I (IV/b)',
      'mitra-kuasa-pemberi': 'Bupati Sukamaju',
      'mitra-kuasa-nomor': '130/09/PEM/2027',
      'mitra-kuasa-tanggal': '2027-02-08',
      'dasar-kesepakatan-nomor': '000.5.4/123/KS/2026',
      'dasar-kesepakatan-nomor-mitra': '130/77/PEM/2026',
      'dasar-kesepakatan-tanggal': '2026-11-23',
      'dasar-kesepakatan-tentang': 'Kerja Sama Pengelolaan Sampah Regional',
    },
    { tanggal: '2027-02-15' },
  ),
);

/** English for the blanks the MoU outline leaves to the drafter. */
const EN: Readonly<Record<string, string>> = {
  tujuan:
    'The objective of this Memorandum of Understanding is to establish a framework of cooperation between the Parties in the field of smart city development on the basis of equality and mutual benefit.',
  'ruang-lingkup':
    'The scope of cooperation under this Memorandum of Understanding shall cover:\ncooperation in the field of smart city development;\nexchange of information and experience;\ncapacity building of human resources; and\nother fields mutually agreed upon by the Parties.',
  'berlaku-pengakhiran':
    'This Memorandum of Understanding shall enter into force on the date of its signing and shall remain in force for a period of five (5) years.',
};

/** An MoU of Kota Bandung with a (fictional) Korean city, in Bahasa Indonesia and English. */
export const MOU = contoh(
  'mou-luar-negeri',
  naskahContext('kota-bandung', {
    'pihak-mitra': 'Pemerintah Kota Hanseong, Republik Korea',
    'mitra-nama-en': 'the Hanseong City Government, the Republic of Korea',
    'mitra-alamat': '110 Sejong-daero, Hanseong, Republik Korea',
    'naskah-tentang': 'Kerja Sama Pengembangan Kota Cerdas',
    'naskah-jangka-waktu': 5,
    'mitra-penandatangan-nama': 'Kim Min-jun',
    'mitra-penandatangan-jabatan': 'Wali Kota Hanseong',
    'mitra-penandatangan-jabatan-en': 'MAYOR OF HANSEONG',
  }),
  (c) => ({
    ...c,
    tentangEn: 'Cooperation on Smart City Development',
    pasal: c.pasal.map((p) => ({
      ...p,
      ayat: p.ayat.map((a, j) => (j === 0 && EN[p.id] ? { ...a, en: EN[p.id] } : a)),
    })),
  }),
);

/** The first adendum of the PKS above: its term changes. */
export const ADENDUM = contoh(
  'adendum',
  naskahContext(
    'kota-contoh',
    {
      ...SUKAMAJU,
      'mitra-nomor': '130/31/PEM/2028',
      'mitra-penandatangan-nama': 'H. Dedi Kurniawan, S.E.',
      'mitra-penandatangan-jabatan': 'Bupati Sukamaju',
      'adendum-dari': '000.5.5/031/KS/2027',
      'adendum-dari-jenis': 'perjanjian-kerja-sama',
      'adendum-dari-tanggal': '2027-02-15',
      'adendum-dari-tentang': 'Pengangkutan dan Pengolahan Sampah Regional',
      'adendum-ke': 1,
    },
    { tanggal: '2028-03-02' },
  ),
  (c) => ({
    ...c,
    pasal: c.pasal.map((p) =>
      p.id === 'perubahan-jangka-waktu'
        ? {
            ...p,
            mengubah:
              'Ketentuan Pasal 6 Perjanjian Kerja Sama Nomor 000.5.5/031/KS/2027 diubah sehingga berbunyi sebagai berikut:',
            ayat: p.ayat.map((a, j) =>
              j === 0
                ? {
                    ...a,
                    teks: 'Perjanjian Kerja Sama ini berlaku untuk jangka waktu 4 (empat) tahun terhitung sejak tanggal 15 Februari 2027.',
                  }
                : a,
            ),
          }
        : p,
    ),
  }),
);

export const SEMUA: Readonly<Record<string, NaskahContoh>> = {
  'kesepakatan-bersama': KB,
  'nota-kesepakatan': NK,
  'perjanjian-kerja-sama': PKS,
  'mou-luar-negeri': MOU,
  adendum: ADENDUM,
};
