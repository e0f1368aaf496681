import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDocumentContext } from '../core/documents/assemble.ts';
import { ErrorNames, isSepakatError } from '../core/errors.ts';
import { startContent, type Outline } from '../core/naskah/outline.ts';
import type { NaskahContent } from '../core/naskah/content.ts';
import {
  jenisNaskahOf,
  naskahDocument,
  naskahIsiText,
  naskahIsiVersion,
  outlineValues,
} from '../core/naskah/render-view.ts';
import { loadCatalog } from '../functions/adapters/catalog.ts';
import { createRenderer, type Renderer } from '../functions/render/renderer.ts';
import {
  ADENDUM,
  KALIMAT_PEJABAT,
  KB,
  MOU,
  naskahContext,
  NK,
  PKS,
  SEMUA,
  withAyat,
  type NaskahContoh,
} from './support/naskah-contoh.ts';

/**
 * The naskah of every kind, from its outline (config/naskah) to the PDF: each outline file is checked at load (a
 * broken one fails with every problem named by file and path), `startContent` fills an outline with the case, and
 * the real Chromium renderer prints each kind with its own title and structure, read back with pdf.js (unpdf): the
 * komparisi and recitals of a Perjanjian Kerja Sama, the MoU in Bahasa Indonesia and English pasal by pasal, the
 * adendum naming what it changes of which agreement, the official's own sentences printed unchanged.
 */
const ROOT = join(import.meta.dirname, '..');
const KINDS = ['adendum', 'kesepakatan-bersama', 'mou-luar-negeri', 'nota-kesepakatan', 'perjanjian-kerja-sama'];

const catalog = () => loadCatalog({ sopDirs: [join(ROOT, 'sops')], configDir: join(ROOT, 'config') });

/** Every text of a content, in order. */
const textsOf = (c: NaskahContent): string[] => [
  c.tentang,
  c.tentangEn ?? '',
  ...[...c.pertimbangan, ...c.dasar].flatMap((b) => [b.teks, b.en ?? '']),
  ...(c.induk ? [c.induk.nomor, c.induk.tanggal, c.induk.tentang] : []),
  ...c.pasal.flatMap((p) => [
    p.judul,
    p.judulEn ?? '',
    p.mengubah ?? '',
    ...p.ayat.flatMap((a) => [a.teks, a.en ?? '']),
  ]),
];

describe('the outline files (config/naskah)', () => {
  it('every outline file loads through the catalog, with its flags', () => {
    const outlines = catalog().outlines;
    expect(readdirSync(join(ROOT, 'config', 'naskah')).sort()).toEqual(KINDS.map((k) => `${k}.yaml`));
    expect(
      outlines
        .all()
        .map((o) => o.id)
        .sort(),
    ).toEqual(KINDS);
    const flags = (id: string) => {
      const o = outlines.get(id);
      return { meterai: o.meterai, bilingual: o.bilingual, komparisi: o.komparisi, adendum: o.adendum };
    };
    const paper = { meterai: true, bilingual: false, komparisi: false, adendum: false };
    expect(flags('kesepakatan-bersama')).toEqual(paper);
    expect(flags('nota-kesepakatan')).toEqual(paper);
    expect(flags('perjanjian-kerja-sama')).toEqual({ ...paper, komparisi: true });
    expect(flags('adendum')).toEqual({ ...paper, adendum: true });
    // An MoU with a foreign party: no meterai (the file says why), every text in English too.
    expect(flags('mou-luar-negeri')).toEqual({ ...paper, meterai: false, bilingual: true });
    // Every kind says that e-meterai is outside what Sepakat does.
    for (const kind of KINDS)
      expect(readFileSync(join(ROOT, 'config', 'naskah', `${kind}.yaml`), 'utf8')).toMatch(/e-meterai is outside/);
    // The PKS has the pasal Permendagri 22/2020 asks of it.
    expect(outlines.get('perjanjian-kerja-sama').pasal.map((p) => p.id)).toEqual([
      'maksud-tujuan',
      'ruang-lingkup',
      'pelaksanaan',
      'hak-kewajiban',
      'pembiayaan',
      'jangka-waktu',
      'monitoring-evaluasi',
      'keadaan-kahar',
      'penyelesaian-perselisihan',
      'pengakhiran',
      'penghubung',
      'perubahan',
      'penutup',
    ]);
  });

  it('a broken outline file fails the load, every problem named with its file and path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sepakat-kerangka-'));
    try {
      for (const sub of ['calendar', 'pemda', 'naskah'])
        cpSync(join(ROOT, 'config', sub), join(dir, sub), { recursive: true });
      const naskah = join(dir, 'naskah');
      // A pasal without ayat, an unknown key.
      writeFileSync(
        join(naskah, 'rusak.yaml'),
        'id: rusak\nnama: Rusak\njudul: RUSAK\nmeterai: true\nwarna: merah\npasal:\n  - id: satu\n    judul: Satu\n    ayat: []\n',
      );
      // An unknown placeholder; a bilingual text without its English.
      writeFileSync(
        join(naskah, 'isian.yaml'),
        "id: isian\nnama: Isian\njudul: ISIAN\nmeterai: false\nbilingual: true\npasal:\n  - id: satu\n    judul: Satu\n    judulEn: One\n    ayat:\n      - teks: 'Berlaku sejak {tanggalMulai}.'\n",
      );
      // Not YAML; an id that is not its file name.
      writeFileSync(join(naskah, 'bukan-yaml.yaml'), 'id: [tidak ditutup\n');
      writeFileSync(
        join(naskah, 'nama-lain.yaml'),
        readFileSync(join(ROOT, 'config', 'naskah', 'adendum.yaml'), 'utf8').replace('id: adendum', 'id: adendum-lain'),
      );
      let message = '';
      try {
        loadCatalog({ sopDirs: [join(ROOT, 'sops')], configDir: dir });
      } catch (error) {
        expect(isSepakatError(error) && error.name).toBe(ErrorNames.InvalidDefinition);
        message = (error as Error).message;
      }
      expect(message).toContain(`${join(naskah, 'rusak.yaml')}: pasal.0.ayat:`);
      expect(message).toMatch(/rusak\.yaml: : .*warna/);
      expect(message).toContain(`${join(naskah, 'isian.yaml')}: pasal.0.ayat.0: isian {tanggalMulai} tidak dikenal`);
      expect(message).toContain(`${join(naskah, 'isian.yaml')}: pasal.0.ayat.0.en: wajib untuk naskah dwibahasa`);
      expect(message).toContain(`${join(naskah, 'bukan-yaml.yaml')}: bukan YAML yang sah`);
      expect(message).toContain(`${join(naskah, 'nama-lain.yaml')}: id: "adendum-lain" harus sama dengan nama berkas`);
      // The good files do not appear among the problems.
      expect(message).not.toContain('kesepakatan-bersama.yaml');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a naskah starts from its outline filled with the case', () => {
  it.each(Object.entries(SEMUA))('%s: every placeholder filled, the ids of the outline kept', (kind, c) => {
    const fresh = startContent(c.outline, outlineValues(c.outline, c.ctx));
    expect(fresh.jenis).toBe(kind);
    for (const text of textsOf(fresh)) expect(text).not.toMatch(/\{[A-Za-z]+\}/);
    expect(fresh.pasal.map((p) => p.id)).toEqual(c.outline.pasal.map((p) => p.id));
    expect(fresh.pasal[0]!.ayat[0]!.id).toBe(`${c.outline.pasal[0]!.id}-1`);
  });

  it('fills the Kesepakatan Bersama a PKS implements into its recitals and dasar', () => {
    const fresh = startContent(PKS.outline, outlineValues(PKS.outline, PKS.ctx));
    expect(fresh.tentang).toBe('Pengangkutan dan Pengolahan Sampah Regional');
    expect(fresh.pertimbangan[0]!.teks).toBe(
      'bahwa PIHAK KESATU dan PIHAK KEDUA telah menandatangani Kesepakatan Bersama Nomor 000.5.4/123/KS/2026 dan Nomor 130/77/PEM/2026 tanggal 23 November 2026 tentang Kerja Sama Pengelolaan Sampah Regional;',
    );
    expect(fresh.dasar.at(-1)!.teks).toBe(
      'Kesepakatan Bersama antara Pemerintah Kota Contoh dengan Pemerintah Kabupaten Sukamaju Nomor 000.5.4/123/KS/2026 dan Nomor 130/77/PEM/2026 tanggal 23 November 2026 tentang Kerja Sama Pengelolaan Sampah Regional.',
    );
    expect(fresh.pasal.find((p) => p.id === 'jangka-waktu')!.ayat[0]!.teks).toContain('jangka waktu 2 (dua) tahun');
    // Not known yet: the blank a draft uses, for the drafter to fill.
    const tanpa = naskahContext('kota-contoh', { 'pihak-mitra': 'Pemerintah Kabupaten Sukamaju' });
    expect(startContent(PKS.outline, outlineValues(PKS.outline, tanpa)).pertimbangan[0]!.teks).toBe(
      'bahwa PIHAK KESATU dan PIHAK KEDUA telah menandatangani Kesepakatan Bersama Nomor …… tanggal …… tentang ……;',
    );
  });

  it('fills the agreement an adendum changes, and what each pasal changes', () => {
    const fresh = startContent(ADENDUM.outline, outlineValues(ADENDUM.outline, ADENDUM.ctx));
    expect(fresh.induk).toEqual({
      nomor: '000.5.5/031/KS/2027',
      tanggal: '15 Februari 2027',
      tentang: 'Pengangkutan dan Pengolahan Sampah Regional',
    });
    expect(fresh.tentang).toBe('Pengangkutan dan Pengolahan Sampah Regional');
    expect(fresh.pasal[0]!.mengubah).toBe(
      'Ketentuan Pasal …… Perjanjian Kerja Sama Nomor 000.5.5/031/KS/2027 mengenai jangka waktu diubah sehingga berbunyi sebagai berikut:',
    );
    expect(fresh.pasal.every((p) => p.mengubah)).toBe(true);
  });

  it('takes the outline the case names (naskah-jenis), or reads it from the words', () => {
    const known = (id: string) => catalog().outlines.has(id);
    const of = (data: Record<string, string>) => jenisNaskahOf({ data }, known);
    expect(of({ 'naskah-jenis': 'nota-kesepakatan' })).toBe('nota-kesepakatan');
    expect(of({ 'naskah-jenis': 'Perjanjian Kerja Sama' })).toBe('perjanjian-kerja-sama');
    expect(of({ 'naskah-jenis': 'MoU' })).toBe('mou-luar-negeri');
    expect(of({ 'adendum-dari': '000.5.5/031/KS/2027' })).toBe('adendum');
    expect(of({})).toBe('kesepakatan-bersama');
  });

  it('gives a bilingual kind the English of every text', () => {
    const fresh = startContent(MOU.outline, outlineValues(MOU.outline, MOU.ctx));
    expect(fresh.pasal.every((p) => p.judulEn && p.ayat.every((a) => a.en))).toBe(true);
    expect(fresh.pertimbangan.every((b) => b.en)).toBe(true);
  });
});

// ─── Rendered by Chromium, read back ───────────────────────────────────────────────────────────────────────────

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

async function pages(pdf: Uint8Array): Promise<string[]> {
  const doc = await getDocumentProxy(new Uint8Array(pdf));
  const out: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    out.push(squash(content.items.map((i) => ('str' in i ? i.str : '')).join(' ')));
  }
  return out;
}

/** The running text: the footer (draft mark, paraf boxes, page number) taken out, line-end hyphens joined. */
const bodyOf = (text: readonly string[]) =>
  squash(
    text
      .map((t) =>
        t
          .replace(/KONSEP — belum ditandatangani/g, ' ')
          .replace(/Paraf PIHAK KESATU PIHAK KEDUA/g, ' ')
          .replace(/Dokumen ini ditandatangani secara elektronik.*?kode QR\./g, ' ')
          .replace(/Halaman \d+ dari \d+/g, ' '),
      )
      .join(' '),
  ).replace(/(\w)- (\w)/g, '$1-$2');

/** Positions of `parts` in `text`, each searched after the previous one; -1 where one is missing. */
function inOrder(text: string, parts: readonly string[]): number[] {
  let from = 0;
  return parts.map((p) => {
    const at = text.indexOf(p, from);
    if (at >= 0) from = at + p.length;
    return at;
  });
}

const TTE = {
  qr: 'https://sepakat.kotacontoh.go.id/verifikasi/D-0042',
  label: 'Pindai untuk memeriksa keaslian',
  keterangan:
    'Dokumen ini ditandatangani secara elektronik dalam lingkungan uji coba Sepakat memakai sertifikat pengembangan yang bukan sertifikat BSrE. Periksa keaslian dengan memindai kode QR.',
};

let renderer: Renderer;
const rendered = new Map<string, string[]>();
const text = (id: string) => rendered.get(id) ?? [];
const body = (id: string) => bodyOf(text(id));

const renderContoh = async (id: string, c: NaskahContoh, over: Partial<CaseDocumentContext> = {}) => {
  const doc = naskahDocument(c.outline, c.content, { ...c.ctx, ...over });
  const out = await renderer.render(doc.template, doc.input as never, { paper: 'F4' });
  rendered.set(id, await pages(out.pdf));
};

beforeAll(async () => {
  renderer = createRenderer({ maxConcurrency: 2 });
  await Promise.all([
    ...Object.entries(SEMUA).map(([kind, c]) => renderContoh(kind, c)),
    // The final Kesepakatan Bersama: numbered, initialled and signed electronically by PIHAK KESATU.
    renderContoh('kb-ditandatangani', KB, {
      konsep: false,
      nomor: { naskah: '000.5.4/124/KS/2026' },
      tte: TTE,
      paraf: {
        kesatu: {
          hierarki: [{ jabatan: 'Kepala Bagian Kerjasama', nama: 'Hendra Gunawan, S.H., M.H.', tanggal: '2026-12-14' }],
          koordinasi: [{ jabatan: 'Kepala Bagian Hukum', nama: 'Sri Lestari, S.H.', tanggal: '2026-12-15' }],
        },
        kedua: { hierarki: [], koordinasi: [] },
      },
    }),
  ]);
}, 120_000);

afterAll(async () => renderer?.close());

describe('each kind renders with its own title and structure', () => {
  it('Kesepakatan Bersama: its title, the official’s own sentence unchanged, pasal by position, the last on the signature page', () => {
    expect(text('kesepakatan-bersama')[0]).toContain(
      'KESEPAKATAN BERSAMA ANTARA PEMERINTAH KOTA CONTOH DENGAN PEMERINTAH KABUPATEN SUKAMAJU TENTANG KERJA SAMA PENGELOLAAN SAMPAH REGIONAL',
    );
    const b = body('kesepakatan-bersama');
    // Exactly as typed, after its ayat number; never after "Maksud … adalah".
    expect(b).toContain(`Pasal 1 MAKSUD DAN TUJUAN (1) ${KALIMAT_PEJABAT} (2)`);
    expect(b).not.toMatch(/Maksud Kesepakatan Bersama ini adalah/i);
    const headings = KB.content.pasal.map((p, i) => `Pasal ${i + 1} ${p.judul.toUpperCase()}`);
    expect(inOrder(b, headings).every((at) => at >= 0)).toBe(true);
    // Butir: the ayat's lines after the first, lettered.
    expect(b).toContain(
      'meliputi: a. kerja sama di bidang Pengelolaan Sampah Regional; b. pertukaran data dan informasi;',
    );
    // The last pasal stays with the signatures (and the meterai places of the paper originals).
    const last = text('kesepakatan-bersama').at(-1)!;
    expect(last).toContain(`Pasal ${KB.content.pasal.length} PENUTUP`);
    expect(last).toContain('PIHAK KESATU, WALIKOTA CONTOH, Dr. H. Ahmad Wijaya');
    expect(last.match(/Meterai Rp10\.000/g)).toHaveLength(2);
  });

  it('Nota Kesepakatan: its own title and the lampiran rencana aksi', () => {
    expect(text('nota-kesepakatan')[0]).toContain(
      'NOTA KESEPAKATAN ANTARA PEMERINTAH KABUPATEN BLITAR DENGAN KEMENTERIAN DESA, PEMBANGUNAN DAERAH TERTINGGAL, DAN TRANSMIGRASI TENTANG PERCEPATAN PEMBANGUNAN DESA MANDIRI',
    );
    expect(text('nota-kesepakatan').at(-1)).toContain(
      'LAMPIRAN NOTA KESEPAKATAN TENTANG PERCEPATAN PEMBANGUNAN DESA MANDIRI',
    );
    expect(text('nota-kesepakatan').at(-1)).toContain('RENCANA AKSI');
  });

  it('Perjanjian Kerja Sama: the komparisi with the surat kuasa, the recitals and dasar with the KB it implements, its pasal', () => {
    const b = body('perjanjian-kerja-sama');
    expect(text('perjanjian-kerja-sama')[0]).toContain(
      'PERJANJIAN KERJA SAMA ANTARA PEMERINTAH KOTA CONTOH DENGAN PEMERINTAH KABUPATEN SUKAMAJU TENTANG PENGANGKUTAN DAN PENGOLAHAN SAMPAH REGIONAL',
    );
    // Who signs, in what capacity, on whose surat kuasa (its number and date).
    expect(b).toContain(
      '1. Nama : Ir. Bambang Sutrisno, M.T. Jabatan : Kepala Dinas Lingkungan Hidup Kota Contoh dalam hal ini bertindak untuk dan atas nama Pemerintah Kota Contoh, berdasarkan Surat Kuasa Walikota Contoh Nomor 000.5.5/020/KS/2027 tanggal 10 Februari 2027, berkedudukan di Jalan Merdeka No. 1, Kota Contoh, selanjutnya disebut PIHAK KESATU.',
    );
    expect(b).toContain(
      'atas nama Pemerintah Kabupaten Sukamaju, berdasarkan Surat Kuasa Bupati Sukamaju Nomor 130/09/PEM/2027 tanggal 8 Februari 2027, berkedudukan di Jalan Raya Sukamaju No. 10, Sukamaju, selanjutnya disebut PIHAK KEDUA.',
    );
    // The recitals and the dasar as such, the KB it implements among them, before the pasal.
    const [menerangkan, a, dasar, kb, sepakat, pasal1] = inOrder(b, [
      'PARA PIHAK terlebih dahulu menerangkan hal-hal sebagai berikut:',
      'a. bahwa PIHAK KESATU dan PIHAK KEDUA telah menandatangani Kesepakatan Bersama Nomor 000.5.4/123/KS/2026 dan Nomor 130/77/PEM/2026 tanggal 23 November 2026 tentang Kerja Sama Pengelolaan Sampah Regional;',
      'dengan memperhatikan ketentuan: 1. Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah',
      '4. Kesepakatan Bersama antara Pemerintah Kota Contoh dengan Pemerintah Kabupaten Sukamaju Nomor 000.5.4/123/KS/2026 dan Nomor 130/77/PEM/2026 tanggal 23 November 2026 tentang Kerja Sama Pengelolaan Sampah Regional.',
      'Berdasarkan hal-hal tersebut di atas, PARA PIHAK sepakat untuk mengadakan Perjanjian Kerja Sama tentang Pengangkutan dan Pengolahan Sampah Regional, dengan ketentuan sebagai berikut:',
      'Pasal 1 MAKSUD DAN TUJUAN',
    ]);
    for (const at of [menerangkan, a, dasar, kb, sepakat, pasal1]) expect(at).toBeGreaterThanOrEqual(0);
    const judul = [
      'HAK DAN KEWAJIBAN',
      'PEMBIAYAAN',
      'JANGKA WAKTU',
      'MONITORING, EVALUASI DAN PELAPORAN',
      'KEADAAN KAHAR',
      'PENYELESAIAN PERSELISIHAN',
      'PENGAKHIRAN',
    ];
    expect(
      inOrder(
        b,
        judul.map((j, i) => `Pasal ${i + 4} ${j}`),
      ).every((at) => at >= 0),
    ).toBe(true);
    expect(b).toContain('(1) PIHAK KESATU berhak: a. memperoleh data dan informasi');
    // The signer's block: jabatan, name, pangkat and NIP (an official below the kepala daerah).
    expect(text('perjanjian-kerja-sama').at(-1)).toContain(
      'Ir. Bambang Sutrisno, M.T. Pembina Utama Muda (IV/c) NIP. 19701112 199603 1 004',
    );
  });

  it('MoU: the title in both languages, Bahasa Indonesia and English side by side pasal by pasal, no meterai', () => {
    const first = text('mou-luar-negeri')[0]!;
    expect(first).toContain(
      'MEMORANDUM SALING PENGERTIAN ANTARA PEMERINTAH KOTA BANDUNG, REPUBLIK INDONESIA DAN PEMERINTAH KOTA HANSEONG, REPUBLIK KOREA TENTANG KERJA SAMA PENGEMBANGAN KOTA CERDAS',
    );
    expect(first).toContain(
      'MEMORANDUM OF UNDERSTANDING BETWEEN THE GOVERNMENT OF BANDUNG CITY, THE REPUBLIC OF INDONESIA AND THE HANSEONG CITY GOVERNMENT, THE REPUBLIC OF KOREA ON COOPERATION ON SMART CITY DEVELOPMENT',
    );
    const b = body('mou-luar-negeri');
    // Pasal by pasal: each Indonesian ayat, then the English beside it, before the next pasal.
    const parts = MOU.content.pasal.flatMap((p, i) => [
      `Pasal ${i + 1} ${p.judul.toUpperCase()}`,
      `Article ${i + 1} ${p.judulEn!.toUpperCase()}`,
    ]);
    expect(inOrder(b, parts).every((at) => at >= 0)).toBe(true);
    for (const p of MOU.content.pasal)
      for (const a of p.ayat) {
        const [id, en] = [a.teks.split('\n')[0]!, a.en!.split('\n')[0]!];
        expect(b).toContain(id);
        expect(b).toContain(en);
        expect(inOrder(b, [id, en]).every((at) => at >= 0)).toBe(true);
      }
    expect(b).toContain('Telah mencapai kesepahaman sebagai berikut: Have reached the following understanding:');
    const last = text('mou-luar-negeri').at(-1)!;
    expect(last).toContain('Ditandatangani di Bandung pada tanggal 16 Desember 2026.');
    expect(last).toContain('Signed at Bandung on 16 December 2026.');
    expect(last).toContain('Untuk Pemerintah Kota Bandung, Republik Indonesia,');
    expect(last).toContain('For the Government of Bandung City, the Republic of Indonesia,');
    expect(last).toContain('WALI KOTA BANDUNG / MAYOR OF BANDUNG');
    expect(text('mou-luar-negeri').join(' ')).not.toContain('Meterai');
  });

  it('adendum: ADENDUM … ATAS the agreement and its number, each pasal with what it changes', () => {
    expect(text('adendum')[0]).toContain(
      'ADENDUM PERTAMA ATAS PERJANJIAN KERJA SAMA ANTARA PEMERINTAH KOTA CONTOH DENGAN PEMERINTAH KABUPATEN SUKAMAJU NOMOR 000.5.5/031/KS/2027 TENTANG PENGANGKUTAN DAN PENGOLAHAN SAMPAH REGIONAL',
    );
    const b = body('adendum');
    expect(b).toContain(
      'PARA PIHAK sepakat untuk mengadakan Adendum Pertama atas Perjanjian Kerja Sama Nomor 000.5.5/031/KS/2027 tanggal 15 Februari 2027 tentang Pengangkutan dan Pengolahan Sampah Regional',
    );
    expect(b).toContain(
      'Pasal 1 PERUBAHAN JANGKA WAKTU Ketentuan Pasal 6 Perjanjian Kerja Sama Nomor 000.5.5/031/KS/2027 diubah sehingga berbunyi sebagai berikut: (1) Perjanjian Kerja Sama ini berlaku untuk jangka waktu 4 (empat) tahun',
    );
    expect(b).toContain(
      'Pasal 2 PENUTUP Ketentuan lain dalam Perjanjian Kerja Sama Nomor 000.5.5/031/KS/2027 yang tidak diubah dengan Adendum ini dinyatakan tetap berlaku',
    );
  });

  it('the signed naskah: its number, the paraf table, a meterai place only in the block signed on paper', () => {
    const all = text('kb-ditandatangani');
    expect(all[0]).toContain('NOMOR : 000.5.4/124/KS/2026 NOMOR : 130/77/PEM/2026');
    expect(all.join(' ')).not.toContain('KONSEP');
    const last = all.at(-1)!;
    expect(last).toContain('Paraf Hierarki');
    expect(last).toContain('Kepala Bagian Kerjasama Hendra Gunawan, S.H., M.H. 14 Desember 2026');
    expect(last).toContain('Paraf Koordinasi');
    // PIHAK KESATU signs electronically (the QR area); only PIHAK KEDUA's paper original has the meterai place.
    expect(last).toContain('Pindai untuk memeriksa keaslian');
    expect(last.match(/Meterai Rp10\.000/g)).toHaveLength(1);
    expect(all.join(' ')).not.toMatch(/e-meterai|meterai elektronik/i);
  });
});

describe('what a paraf approves', () => {
  it('is the words: the same on another day, numbered or signed; another when a word or its English changes', () => {
    const base = naskahIsiVersion(KB.outline, KB.content, KB.ctx);
    expect(
      naskahIsiVersion(KB.outline, KB.content, {
        ...KB.ctx,
        tanggal: '2027-01-05',
        nomor: { naskah: '000.5.4/124/KS/2026' },
        konsep: false,
        tte: TTE,
      }),
    ).toBe(base);
    const edited = withAyat(
      KB.content,
      'jangka-waktu',
      0,
      KB.content.pasal[3]!.ayat[0]!.teks.replace('5 (lima)', '3 (tiga)'),
    );
    expect(naskahIsiVersion(KB.outline, edited, KB.ctx)).not.toBe(base);
    const mou = naskahIsiText(MOU.outline, MOU.content, MOU.ctx);
    expect(mou.pasal[0]!.ayat).toEqual([MOU.content.pasal[0]!.ayat[0]!.teks, MOU.content.pasal[0]!.ayat[0]!.en]);
    const english: NaskahContent = {
      ...MOU.content,
      pasal: MOU.content.pasal.map((p, i) =>
        i === 0 ? { ...p, ayat: p.ayat.map((a) => ({ ...a, en: `${a.en} Amended.` })) } : p,
      ),
    };
    expect(naskahIsiVersion(MOU.outline, english, MOU.ctx)).not.toBe(
      naskahIsiVersion(MOU.outline, MOU.content, MOU.ctx),
    );
    // The adendum's text names what each pasal changes.
    expect(naskahIsiText(ADENDUM.outline, ADENDUM.content, ADENDUM.ctx).pasal[0]!.ayat[0]).toBe(
      ADENDUM.content.pasal[0]!.mengubah,
    );
  });
});

describe('a naskah that cannot be made says why, naming the case-data field', () => {
  const bad = (outline: Outline, content: NaskahContent, ctx: CaseDocumentContext): string => {
    try {
      naskahDocument(outline, content, ctx);
    } catch (error) {
      expect(isSepakatError(error) && error.name).toBe(ErrorNames.BadInput);
      return (error as Error).message;
    }
    throw new Error('no error');
  };
  const data = PKS.ctx.data as Record<string, string | number>;
  const without = (...fields: string[]) =>
    Object.fromEntries(Object.entries(data).filter(([k]) => !fields.includes(k))) as Record<string, string | number>;

  it('the final PKS needs the surat kuasa of the official who signs for the kepala daerah (a draft prints the blank)', () => {
    const ctx = { ...PKS.ctx, data: without('kuasa-nomor', 'kuasa-tanggal') };
    expect(bad(PKS.outline, PKS.content, { ...ctx, konsep: false })).toContain('"kuasa-nomor"');
    const draft = naskahDocument(PKS.outline, PKS.content, ctx).input;
    expect(draft.pihakKesatu.kuasa).toEqual({ pemberi: 'Walikota Contoh', nomor: '……………………' });
    expect(bad(PKS.outline, PKS.content, { ...PKS.ctx, data: { ...data, 'kuasa-tanggal': 'besok' } })).toContain(
      '"kuasa-tanggal"',
    );
  });

  it('an official below the kepala daerah signs with NIP and pangkat', () => {
    expect(bad(PKS.outline, PKS.content, { ...PKS.ctx, data: without('penandatangan-pks-nip') })).toContain(
      '"penandatangan-pks-nip"',
    );
    expect(bad(PKS.outline, PKS.content, { ...PKS.ctx, data: without('penandatangan-pks-jabatan') })).toContain(
      '"penandatangan-pks-jabatan"',
    );
  });

  it('a content is printed only with its own kind’s outline', () => {
    expect(bad(PKS.outline, NK.content, NK.ctx)).toContain('"nota-kesepakatan"');
  });
});
