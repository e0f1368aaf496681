import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PAPER_MM, tanggalKata } from '../core/documents/common.ts';
import { CONTOH, contohById } from './support/contoh.ts';
import { DOCUMENT_NAMES, type DocumentName } from '../core/documents/index.ts';
import { pelaksanaColumns, SopDocumentSchema } from '../core/documents/sop.ts';
import { loadSop } from '../core/sop/load-sop.ts';
import { isGate, type Step } from '../core/sop/schema.ts';
import { createRenderer, type Renderer } from '../functions/render/renderer.ts';

/**
 * Every document template rendered by real Chromium into real PDFs, read back with pdf.js (unpdf): the content
 * that matters in each official format, the kop from the pemda directory, dates in words, paraf tables, page
 * numbers, paper sizes, and the SOP documents of the three seed SOPs (every step, every pelaksana column, off-page
 * connectors across pages).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SEEDS = [
  'kota-penyusunan-kesepakatan-bersama',
  'blitar-pengkoordinasian-nota-kesepakatan',
  'bandung-kerjasama-teknik-luar-negeri',
] as const;

interface Item {
  str: string;
  x: number;
  y: number;
}
interface Rendered {
  pages: number;
  /** Per page: all text items joined, whitespace collapsed. */
  text: string[];
  items: Item[][];
  /** Page size in pt, per page. */
  size: [number, number][];
  html?: string;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

async function read(pdf: Uint8Array): Promise<Omit<Rendered, 'pages'> & { numPages: number }> {
  const doc = await getDocumentProxy(new Uint8Array(pdf));
  const text: string[] = [];
  const items: Item[][] = [];
  const size: [number, number][] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    const list = content.items
      .filter((i): i is typeof i & { str: string; transform: number[] } => 'str' in i)
      .map((i) => ({ str: i.str, x: i.transform[4]!, y: i.transform[5]! }));
    items.push(list);
    text.push(squash(list.map((i) => i.str).join(' ')));
    size.push([page.view[2]! - page.view[0]!, page.view[3]! - page.view[1]!]);
  }
  return { numPages: doc.numPages, text, items, size };
}

const rendered = new Map<string, Rendered>();
const get = (id: string): Rendered => {
  const r = rendered.get(id);
  if (!r) throw new Error(`not rendered: ${id}`);
  return r;
};
const all = (id: string) => get(id).text.join(' ');
const last = (id: string) => get(id).text.at(-1)!;
/** The running text across pages: the footer (statement, paraf boxes, page number) taken out, line-end hyphens joined. */
const body = (id: string) =>
  squash(
    get(id)
      .text.map((t) =>
        t
          .replace(/Dokumen ini ditandatangani secara elektronik.*?kode QR\./g, ' ')
          .replace(/Paraf PIHAK KESATU PIHAK KEDUA/g, ' ')
          .replace(/Halaman \d+ dari \d+/g, ' '),
      )
      .join(' '),
  ).replace(/(\w)- (\w)/g, '$1-$2');

const sopYaml = (id: string): unknown => parseYaml(readFileSync(resolve(root, 'sops', `${id}.yaml`), 'utf8'));
const PAPER: Partial<Record<DocumentName, 'A4' | 'F4'>> = {
  'kesepakatan-bersama': 'F4',
  'perjanjian-kerja-sama': 'F4',
  naskah: 'F4',
};

let renderer: Renderer;

beforeAll(async () => {
  renderer = createRenderer({ maxConcurrency: 2 });
  const jobs: Promise<void>[] = CONTOH.map(async (c) => {
    const out = await renderer.render(c.template, c.data as never, { paper: PAPER[c.template] ?? 'A4' });
    const r = await read(out.pdf);
    expect(out.pages).toBe(r.numPages);
    rendered.set(c.id, { pages: out.pages, ...r });
  });
  for (const seed of SEEDS)
    jobs.push(
      (async () => {
        const data = { sop: sopYaml(seed) };
        const [out, html] = await Promise.all([
          renderer.render('sop', data as never, { paper: 'F4' }),
          renderer.html('sop', data as never, { paper: 'F4' }),
        ]);
        const r = await read(out.pdf);
        rendered.set(`sop-${seed}`, { pages: out.pages, ...r, html });
      })(),
    );
  // A gate on case data (only in the test fixture SOP).
  jobs.push(
    (async () => {
      const sop = parseYaml(
        readFileSync(resolve(root, 'test/fixtures/sops/fixture-kerja-sama-pihak-ketiga.yaml'), 'utf8'),
      );
      const out = await renderer.render('sop', { sop } as never, { paper: 'F4' });
      rendered.set('sop-fixture', { pages: out.pages, ...(await read(out.pdf)) });
    })(),
  );
  // The widest SOP (15 pelaksana columns) on the smaller paper too.
  jobs.push(
    (async () => {
      const data = { sop: sopYaml(SEEDS[2]) };
      const [out, html] = await Promise.all([
        renderer.render('sop', data as never, { paper: 'A4' }),
        renderer.html('sop', data as never, { paper: 'A4' }),
      ]);
      rendered.set(`sop-a4-${SEEDS[2]}`, { pages: out.pages, ...(await read(out.pdf)), html });
    })(),
  );
  await Promise.all(jobs);
}, 60_000);

afterAll(async () => renderer?.close());

describe('every document', () => {
  it('has an example for every template, and every example renders', () => {
    const covered = new Set(CONTOH.map((c) => c.template));
    expect([...covered, 'sop'].sort()).toEqual([...DOCUMENT_NAMES].sort());
    for (const c of CONTOH) expect(get(c.id).pages).toBeGreaterThan(0);
  });

  it.each(CONTOH.map((c) => c.id))('%s numbers its pages "Halaman x dari y"', (id) => {
    const r = get(id);
    r.text.forEach((t, i) => expect(t).toContain(`Halaman ${i + 1} dari ${r.pages}`));
  });

  it('prints agreements on F4 (215 × 330 mm) and letters on A4', () => {
    const pt = (mm: number) => (mm / 25.4) * 72;
    for (const [w, h] of get('kota-kesepakatan-bersama').size) {
      expect(w).toBeCloseTo(pt(PAPER_MM.F4.width), -0.3);
      expect(h).toBeCloseTo(pt(PAPER_MM.F4.height), -0.3);
    }
    const [w, h] = get('blitar-nota-dinas').size[0]!;
    expect(w).toBeCloseTo(pt(210), -0.3);
    expect(h).toBeCloseTo(pt(297), -0.3);
    // The SOP is F4 landscape: 935.4 × 609.4 pt.
    const [sw, sh] = get(`sop-${SEEDS[0]}`).size[0]!;
    expect(Math.abs(sw - 935.4)).toBeLessThan(1.5);
    expect(Math.abs(sh - 609.4)).toBeLessThan(1.5);
  });

  it("prints each pemda's kop from its directory (config/pemda)", () => {
    const cases: [string, string][] = [
      ['kota-contoh', 'kota-surat-undangan'],
      ['kab-blitar', 'blitar-nota-dinas'],
      ['kota-bandung', 'bandung-nota-dinas'],
    ];
    for (const [pemda, id] of cases) {
      const dir = parseYaml(readFileSync(resolve(root, 'config', 'pemda', `${pemda}.yaml`), 'utf8')) as {
        pemda: { kop: string[]; alamat: string };
      };
      const first = get(id).text[0]!;
      for (const line of dir.pemda.kop) expect(first).toContain(line);
      expect(first).toContain(dir.pemda.alamat);
      // The lambang area is kept (marked) when no image is given.
      expect(first).toContain('LAMBANG');
    }
  });
});

describe('Kesepakatan Bersama', () => {
  const id = 'kota-kesepakatan-bersama';

  it('has the title with both parties, and each party its own number', () => {
    expect(get(id).text[0]).toContain(
      'KESEPAKATAN BERSAMA ANTARA PEMERINTAH KOTA CONTOH DENGAN PEMERINTAH KABUPATEN SUKAMAJU TENTANG KERJA SAMA PENYELENGGARAAN PEMERINTAHAN DAN PEMBANGUNAN DAERAH',
    );
    expect(get(id).text[0]).toContain('NOMOR : 000.5.4/123/KS/2026 NOMOR : 130/77/PEM/2026');
  });

  it('dates itself in words and names PIHAK KESATU and PIHAK KEDUA', () => {
    const text = get(id).text[0]!;
    expect(text).toContain(
      'Pada hari ini Senin tanggal dua puluh tiga bulan November tahun dua ribu dua puluh enam, bertempat di Kota Contoh',
    );
    expect(text).toContain(tanggalKata('2026-11-23').slice('pada '.length));
    expect(text).toMatch(
      /Dr\. H\. Ahmad Wijaya : WALIKOTA CONTOH, dalam hal ini bertindak untuk dan atas nama Pemerintah Kota Contoh.*selanjutnya disebut PIHAK KESATU/,
    );
    expect(text).toMatch(/H\. Dedi Kurniawan, S\.E\. : BUPATI SUKAMAJU, .*selanjutnya disebut PIHAK KEDUA/);
  });

  it('has the standard articles in order, with terms in words', () => {
    const text = all(id);
    const headings = [
      'MAKSUD DAN TUJUAN',
      'RUANG LINGKUP',
      'PELAKSANAAN',
      'JANGKA WAKTU',
      'PENGHUBUNG',
      'PERUBAHAN',
      'PENUTUP',
    ];
    let at = -1;
    headings.forEach((h, i) => {
      const pos = text.indexOf(`Pasal ${i + 1} ${h}`);
      expect(pos, h).toBeGreaterThan(at);
      at = pos;
    });
    expect(text).toContain('jangka waktu 5 (lima) tahun');
    expect(text).toContain('rangkap 2 (dua), masing-masing bermeterai cukup');
    expect(text).toContain('Perjanjian Kerja Sama');
  });

  it('puts both signature blocks, the meterai and the paraf table on the last page', () => {
    const text = last(id);
    expect(text).toContain('PIHAK KEDUA, BUPATI SUKAMAJU,');
    expect(text).toContain('PIHAK KESATU, WALIKOTA CONTOH,');
    expect(text).toContain('H. Dedi Kurniawan, S.E.');
    expect(text).toContain('Dr. H. Ahmad Wijaya');
    expect(text).toContain('Meterai Rp10.000');
    expect(text).toContain('Paraf Hierarki');
    expect(text).toContain('Sekretaris Daerah Ir. Siti Rahmawati, M.Si.');
    expect(text).toContain('Kepala Bagian Kerjasama Hendra Gunawan, S.H., M.H. 18 November 2026');
    expect(text).toContain('Kepala Bagian Pemerintahan');
    // The closing article sits with the signatures: they never stand alone on a page.
    expect(text).toMatch(/Pasal 7 PENUTUP/);
    // Kepala daerah sign without NIP.
    expect(text).not.toContain('NIP.');
  });

  it('leaves paraf boxes for both parties on every page', () => {
    for (const t of get(id).text) expect(t).toContain('Paraf PIHAK KESATU PIHAK KEDUA');
  });

  it('as a Nota Kesepakatan carries the lampiran rencana aksi', () => {
    const nk = 'blitar-nota-kesepakatan';
    expect(get(nk).text[0]).toContain(
      'NOTA KESEPAKATAN ANTARA PEMERINTAH KABUPATEN BLITAR DENGAN UNIVERSITAS BRAWIJAYA',
    );
    expect(last(nk)).toContain('LAMPIRAN NOTA KESEPAKATAN');
    expect(last(nk)).toContain('RENCANA AKSI');
    expect(last(nk)).toContain('Pelatihan aparatur pemerintah desa');
  });
});

describe('Perjanjian Kerja Sama', () => {
  const id = 'kota-perjanjian-kerja-sama';

  it('has the komparisi: who signs, in what capacity, on whose authority', () => {
    const text = get(id).text[0]!;
    expect(text).toContain(
      'Nama : Rudi Hartono, S.Kom., M.T. Jabatan : Kepala Dinas Komunikasi dan Informatika Kota Contoh',
    );
    expect(text).toContain(
      'berdasarkan Surat Kuasa Walikota Contoh Nomor 000.5.4/020/KS/2027 tanggal 10 Februari 2027, berkedudukan di Jalan Merdeka No. 1, Kota Contoh, selanjutnya disebut PIHAK KESATU',
    );
    expect(text).toContain('Pada hari ini Senin tanggal lima belas bulan Februari tahun dua ribu dua puluh tujuh');
  });

  it('cites the Kesepakatan Bersama it implements among its dasar', () => {
    expect(body(id)).toContain(
      'Kesepakatan Bersama antara Pemerintah Kota Contoh dengan Pemerintah Kabupaten Sukamaju Nomor 000.5.4/123/KS/2026 dan Nomor 130/77/PEM/2026 tanggal 23 November 2026 tentang Kerja Sama Penyelenggaraan Pemerintahan dan Pembangunan Daerah.',
    );
  });

  it('has the articles a PKS adds', () => {
    const text = all(id);
    for (const h of [
      'HAK DAN KEWAJIBAN',
      'PEMBIAYAAN',
      'MONITORING, EVALUASI DAN PELAPORAN',
      'KEADAAN KAHAR',
      'PENYELESAIAN PERSELISIHAN',
      'PENGAKHIRAN',
    ])
      expect(text).toMatch(new RegExp(`Pasal \\d+ ${h}`));
    expect(text).toContain('Hak PIHAK KESATU:');
    expect(text).toContain('Kewajiban PIHAK KEDUA:');
  });

  it('with tte: a QR code in each signature area and the honest statement on every page', () => {
    const r = get(id);
    for (const t of r.text) expect(t).toContain('sertifikat pengembangan (bukan BSrE)');
    expect(last(id)).toContain('Pindai untuk memeriksa');
    // Officials below the Sekda show pangkat and NIP.
    expect(last(id)).toContain('Pembina Utama Muda (IV/c) NIP. 19751210 200003 1 005');
  });
});

describe('letters', () => {
  it('Nota Dinas: the heading fields, the body and the signature with pangkat and NIP', () => {
    const text = get('blitar-nota-dinas').text[0]!;
    expect(text).toContain('NOTA DINAS');
    expect(text).toContain('Yth. : Sekretaris Daerah Kabupaten Blitar');
    expect(text).toContain('Dari : Kepala Bagian Tata Pemerintahan');
    expect(text).toContain('Tembusan : Asisten Pemerintahan dan Kesejahteraan Rakyat');
    expect(text).toContain('Tanggal : 16 November 2026');
    expect(text).toContain('Nomor : 000.5.4/287/409.1.1/2026');
    expect(text).toContain('Sifat : Biasa');
    expect(text).toContain('Hal : Permohonan Paraf Naskah Final Nota Kesepakatan');
    expect(text).toContain(
      'Kepala Bagian Tata Pemerintahan, Basuki Rachmad, S.Sos, M.M Pembina (IV/a) NIP. 19690410 199803 1 011',
    );
  });

  it('Nota Dinas signed by a Plh., electronically: QR area and footer statement', () => {
    const text = get('bandung-nota-dinas').text[0]!;
    expect(text).toContain('Plh. Kepala Bagian Kerjasama,');
    expect(text).toContain('sertifikat pengembangan yang bukan sertifikat BSrE');
  });

  it('Surat Undangan: the meeting, a.n. signature without NIP for the Sekda, the guest list attached', () => {
    const r = get('kota-surat-undangan');
    const text = r.text[0]!;
    expect(text).toContain('Kota Contoh, 12 Oktober 2026');
    expect(text).toContain('Lampiran : 1 (satu) lembar');
    expect(text).toContain('Yth. Daftar Terlampir di Tempat');
    expect(text).toContain('hari/tanggal : Kamis, 15 Oktober 2026');
    expect(text).toContain('waktu : 09.00 WIB s.d. selesai');
    expect(text).toContain('a.n. WALIKOTA CONTOH Sekretaris Daerah, Ir. Siti Rahmawati, M.Si.');
    expect(text).not.toContain('19680512');
    expect(text).toContain('Tembusan: 1. Walikota Contoh (sebagai laporan);');
    expect(r.pages).toBe(2);
    expect(last('kota-surat-undangan')).toContain('DAFTAR UNDANGAN');
    const lampiran = body('kota-surat-undangan');
    for (const guest of (contohById('kota-surat-undangan').data as { daftarUndangan: { nama: string }[] })
      .daftarUndangan)
      expect(lampiran).toContain(guest.nama);
  });

  it('Telaahan Staf: sections I to VI in order', () => {
    for (const id of ['blitar-telaahan-staf', 'bandung-telaahan-staf']) {
      const text = all(id);
      let at = -1;
      for (const h of [
        'I. PERSOALAN',
        'II. PRAANGGAPAN',
        'III. FAKTA-FAKTA YANG MEMPENGARUHI',
        'IV. ANALISIS',
        'V. KESIMPULAN',
        'VI. SARAN/TINDAKAN',
      ]) {
        const pos = text.indexOf(h);
        expect(pos, `${id}: ${h}`).toBeGreaterThan(at);
        at = pos;
      }
    }
    expect(all('bandung-telaahan-staf')).toContain('TELAAHAN STAF');
  });

  it('never leaves a signature alone on a page: the closing text goes with it', () => {
    const withSigner: [string, string, string][] = [
      ['bandung-telaahan-staf', 'Lina Marlina, S.IP., M.Si.', 'VI. SARAN/TINDAKAN'],
      ['blitar-telaahan-staf', 'Sekretaris Daerah Kabupaten Blitar', 'VI. SARAN/TINDAKAN'],
      ['blitar-nota-dinas', 'Basuki Rachmad, S.Sos, M.M', 'Demikian disampaikan'],
      ['kota-notulen-rapat', 'NIP. 19930105 201903 1 007', 'Kota Contoh, 15 Oktober 2026'],
      ['bandung-laporan-pelaksanaan', 'Walikota Bandung', 'Rekomendasi:'],
      ['kota-kesepakatan-bersama', 'Dr. H. Ahmad Wijaya', 'PENUTUP'],
    ];
    for (const [id, signer, closing] of withSigner) {
      const page = get(id).text.findLast((t) => t.includes(signer));
      expect(page, `${id}: page with ${signer}`).toBeDefined();
      expect(page, id).toContain(closing);
    }
  });

  it('Notulen Rapat: attendance, decisions, follow-up, signed by chair and note-taker', () => {
    const text = all('kota-notulen-rapat');
    expect(text).toContain('Hari/tanggal : Kamis, 15 Oktober 2026');
    expect(text).toContain('KEPUTUSAN/KESIMPULAN');
    expect(text).toContain('Draf naskah Kesepakatan Bersama disetujui');
    expect(text).toContain('TINDAK LANJUT');
    expect(text).toContain('Notulis Analis Kerja Sama, Rizky Pratama, S.Sos.');
    expect(text).toContain('Pimpinan Rapat Kepala Bagian Kerjasama, Hendra Gunawan, S.H., M.H.');
    expect(text).toContain('DAFTAR HADIR');
    expect(text).toContain('Agus Salim, S.IP.');
  });

  it('Lembar Disposisi: the letter and the chain of instructions', () => {
    const text = all('kota-lembar-disposisi');
    expect(text).toContain('LEMBAR DISPOSISI');
    expect(text).toContain('Nomor agenda : 1287/SETDA/2026');
    expect(text).toContain('Disposisi 1 — dari Sekretaris Daerah, tanggal 7 Oktober 2026');
    expect(text).toContain('Disposisi 3 — dari Kepala Bagian Kerjasama, tanggal 8 Oktober 2026');
    expect(text).toContain('Kepala Subbagian Kerjasama Dalam Negeri');
    expect(text).toContain('minta draf naskah Kesepakatan Bersama kepada pengusul');
  });

  it('Surat Pengantar: what is sent, a receipt block, and a.n./u.b. signature', () => {
    const text = all('kota-surat-pengantar');
    expect(text).toContain('SURAT PENGANTAR');
    expect(text).toContain('Nomor: 000.5.4/498/KS/2026');
    expect(text).toContain('Naskah Dinas yang Dikirimkan Banyaknya Keterangan');
    expect(text).toContain('Naskah asli Kesepakatan Bersama');
    expect(text).toContain('Diterima pada tanggal');
    const bandung = all('bandung-surat-pengantar');
    expect(bandung).toContain('a.n. WALIKOTA BANDUNG Sekretaris Daerah u.b. Kepala Bagian Kerjasama,');
  });

  it('Laporan Pelaksanaan: dasar, kegiatan, hasil, recommendation', () => {
    const text = all('bandung-laporan-pelaksanaan');
    expect(text).toContain('LAPORAN PELAKSANAAN KERJA SAMA');
    expect(text).toContain('Memorandum of Understanding Nomor 000.5.4/12/Kerjasama/2027 tanggal 20 Januari 2027');
    expect(text).toContain('Kerja sama berlaku sejak 20 Januari 2027 sampai dengan 19 Januari 2030');
    expect(text).toContain('VII. KEGIATAN');
    expect(text).toContain('Pelatihan 40 tenaga teknis');
    expect(text).toContain('Rekomendasi: kerja sama diperluas.');
  });
});

describe('the SOP document of each seed SOP', () => {
  const definition = (seed: string) => SopDocumentSchema.parse({ sop: sopYaml(seed) }).sop;

  it.each(SEEDS)('%s: the SOP AP header', (seed) => {
    const r = get(`sop-${seed}`);
    const head = r.text[0]!;
    const h = definition(seed).header;
    for (const line of h.unit) expect(head).toContain(line);
    for (const label of [
      'Nomor SOP',
      'Tanggal Pembuatan',
      'Tanggal Revisi',
      'Tanggal Efektif',
      'Disahkan oleh',
      'Nama SOP',
      'Dasar Hukum:',
      'Kualifikasi Pelaksana:',
      'Keterkaitan:',
      'Peralatan/Perlengkapan:',
    ])
      expect(head).toContain(label);
    expect(head).toContain(squash(h.nama));
    if (h.nomor) expect(head).toContain(h.nomor);
    if (h.disahkanOleh) {
      expect(head).toContain(h.disahkanOleh.nama);
      expect(head).toContain('NIP. 19690410 199803 1 011');
      expect(head).toContain('18 Februari 2026');
    }
  });

  it.each(SEEDS)('%s: every step number with its uraian, and every pelaksana column', (seed) => {
    const r = get(`sop-${seed}`);
    const def = definition(seed);
    const flow = r.text.slice(1).join(' ');
    for (const step of def.steps.filter((s): s is Step => !isGate(s))) {
      const start = squash(step.uraian).split(' ').slice(0, 3).join(' ');
      expect(flow, `step ${step.no}`).toContain(`${step.no} ${start}`);
    }
    const columns = pelaksanaColumns(def);
    expect(columns.length).toBeGreaterThan(3);
    // Every flow page repeats the table head with every column.
    const flowPages = r.text.filter((t) => t.includes('Uraian Kegiatan'));
    expect(flowPages.length).toBeGreaterThan(1);
    for (const page of flowPages) {
      expect(page).toContain('Pelaksana');
      expect(page).toContain('Mutu Baku');
      for (const heading of ['Kelengkapan', 'Waktu', 'Output', 'Keterangan']) expect(page).toContain(heading);
      for (const c of columns) expect(page, c.jabatan).toContain(squash(c.jabatan));
    }
  });

  it.each([...SEEDS.map((s) => `sop-${s}`), `sop-a4-${SEEDS[2]}`])(
    '%s: fits each planned page, no row spills over',
    (id) => {
      const r = get(id);
      const planned = (r.html!.match(/<table class="sop-alur"/g) ?? []).length;
      const printed = r.text.filter((t) => t.includes('Uraian Kegiatan')).length;
      expect(printed).toBe(planned);
    },
  );

  it('lays the widest SOP out on A4 landscape with every column', () => {
    const r = get(`sop-a4-${SEEDS[2]}`);
    const [w, h] = r.size[0]!;
    expect(Math.abs(w - 841.9)).toBeLessThan(1.5);
    expect(Math.abs(h - 595.3)).toBeLessThan(1.5);
    const columns = pelaksanaColumns(definition(SEEDS[2]));
    expect(columns.length).toBeGreaterThanOrEqual(15);
    const flow = r.text.filter((t) => t.includes('Uraian Kegiatan'));
    for (const c of columns) expect(flow[0], c.jabatan).toContain(squash(c.jabatan));
  });

  it.each(SEEDS)('%s: an off-page connector closes each page the flow continues from, and opens the next', (seed) => {
    const r = get(`sop-${seed}`);
    const flowPages = r.items
      .map((items, index) => ({ items, index }))
      .filter(({ items }) => items.some((i) => i.str === 'Uraian Kegiatan'));
    // Each SVG label the drawing carries: one letter, on the closing page near the bottom, on the next near the top.
    const connectors = (r.html!.match(/class="konektor-halaman"/g) ?? []).length;
    expect(connectors).toBeGreaterThanOrEqual(2);
    expect(connectors % 2).toBe(0);
    const labels = 'ABCDEFGH'.slice(0, connectors / 2).split('');
    labels.forEach((label, k) => {
      const closing = flowPages.findIndex(({ items }) => items.some((i) => i.str === label));
      expect(closing, `connector ${label}`).toBeGreaterThanOrEqual(0);
      const opening = flowPages[closing + 1];
      expect(opening, `page after connector ${label}`).toBeDefined();
      expect(opening!.items.some((i) => i.str === label)).toBe(true);
      expect(k).toBeLessThan(flowPages.length - 1);
    });
    // Symbols drawn: terminators, process boxes, and decision diamonds where the SOP branches.
    expect(r.html).toContain('data-simbol="terminator"');
    expect(r.html).toContain('data-simbol="proses"');
    expect(r.html).toContain('class="keputusan"');
  });

  it('draws a gate on case data as a decision, and takes a parsed definition as well as YAML', () => {
    const flow = get('sop-fixture').text.slice(1).join(' ');
    expect(flow).toContain('Apakah kerja sama membebani APBD atau belum dianggarkan?');
    expect(flow).toContain('Batal');
    const parsed = loadSop(readFileSync(resolve(root, 'sops', `${SEEDS[1]}.yaml`), 'utf8'), 'blitar').definition;
    const again = SopDocumentSchema.parse({ sop: parsed }).sop;
    expect(again.steps.map((s) => (isGate(s) ? null : s.waktu?.raw))).toEqual(
      parsed.steps.map((s) => (isGate(s) ? null : s.waktu?.raw)),
    );
  });

  it('draws Ya/Tidak on the decisions and numbers the step a branch returns to', () => {
    const blitar = get(`sop-${SEEDS[1]}`).text.slice(1).join(' ');
    expect(blitar).toContain('Tidak');
    expect(blitar).toContain('Ya');
    expect(blitar).toContain('Ditolak');
    expect(blitar).toContain('Mulai');
    const kota = get(`sop-${SEEDS[0]}`).text.at(-1)!;
    expect(kota).toContain('Total Waktu 21 hari, 135 menit');
  });
});
