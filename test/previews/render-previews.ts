/**
 * Renders every document template to PDF with the real renderer, then each PDF page to a PNG, into
 * test/previews/ (commit-ready: modest resolution, each well under 300 KB).
 *
 *   npx tsx test/previews/render-previews.ts
 *
 * The PNGs are drawn from the PDFs themselves (not from the HTML): pdf.js (the build bundled with unpdf) runs inside
 * Chromium, which has the canvas that Node lacks here, and paints each page at a fixed scale. What you see is what
 * was printed, page breaks, footer and page numbers included.
 *
 * Besides the templates' examples, one real case is run on the embedded runtime (a Kesepakatan Bersama of the Kota,
 * signed by the Walikota, the partner's signature on paper): its generated documents become `kasus-kota-<kind>-NN.png`,
 * and the public verification page of its signed naskah `halaman-verifikasi-{ponsel,desktop}.png`, the task page of
 * an open step `halaman-tugas-ponsel.png`. Every PNG is computed first; only then are the old ones replaced.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CONTOH } from '../support/contoh.ts';
import type { Paper } from '../../core/documents/common.ts';
import type { DocumentName } from '../../core/documents/index.ts';
import { chromiumArgs, chromiumExecutablePath } from '../../functions/render/chromium.ts';
import { createRenderer } from '../../functions/render/renderer.ts';
import { sopDocumentInput } from '../../core/documents/sop-document.ts';
import { loadCatalog } from '../../functions/adapters/catalog.ts';
import { driveCase, submitPermohonan } from '../../cli/drive.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from '../support/runtime.ts';
import { MITRA, NASKAH } from '../support/kasus.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(import.meta.url);

/** Which example goes on which paper: agreements and the SOPs on F4 (as offices print them), letters on A4. */
const PAPER: Partial<Record<DocumentName, Paper>> = {
  'kesepakatan-bersama': 'F4',
  'perjanjian-kerja-sama': 'F4',
  naskah: 'F4',
  sop: 'F4',
};

/** Every SOP of sops/ and the fixtures, through the same input and paper as the console and the CLI. */
const catalog = loadCatalog({
  sopDirs: [join(root, 'sops'), join(root, 'test', 'fixtures', 'sops')],
  configDir: join(root, 'config'),
});

interface Job {
  id: string;
  template: DocumentName;
  data: unknown;
  paper: Paper;
}

/** A PDF to paint: its file prefix, and the scale its pages are painted at. */
interface Painting {
  id: string;
  pdf: Uint8Array;
  scale: number;
}

/**
 * What the officials type in the other forms of the case, so that no sample text of the driver ("Isian contoh untuk
 * …") shows in the documents. Lists are one line each; a person's line is "nama | jabatan | instansi".
 */
const ISIAN = {
  arahan: 'Mohon ditindaklanjuti sesuai ketentuan dan dilaporkan hasilnya.',
  'rapat-waktu': '09.00 WIB s.d. selesai',
  'rapat-acara': 'Pembahasan Rancangan Kesepakatan Bersama tentang Kerja Sama Pengelolaan Sampah Regional',
  'rapat-peserta': [
    'Kepala Dinas Lingkungan Hidup | Kepala Dinas | Pemerintah Kota Contoh',
    'Kepala Bagian Hukum dan Perundang-Undangan | Kepala Bagian | Sekretariat Daerah Kota Contoh',
    'Kepala Bagian Tata Pemerintahan | Kepala Bagian | Pemerintah Kabupaten Sukamaju',
  ].join('\n'),
  'catatan-permintaan': 'Draf mohon disampaikan dalam format .docx paling lambat tiga hari kerja.',
  'mitra-penghubung-unit': 'Bagian Tata Pemerintahan Sekretariat Daerah Kabupaten Sukamaju',
  'notulen-peserta': [
    'Hendra Gunawan, S.H., M.H. | Kepala Bagian Kerjasama | Pemerintah Kota Contoh',
    'Maya Sari, S.IP. | Kepala Subbagian Kerjasama Dalam Negeri | Pemerintah Kota Contoh',
    'Ir. Bambang Sutrisno | Kepala Dinas Lingkungan Hidup | Pemerintah Kota Contoh',
    'Drs. Joko Susilo | Kepala Bagian Tata Pemerintahan | Pemerintah Kabupaten Sukamaju',
  ].join('\n'),
  'notulen-pembahasan': [
    'Rancangan naskah:',
    'PARA PIHAK membahas rancangan naskah Kesepakatan Bersama pasal demi pasal.',
    'Ruang lingkup disepakati meliputi pembangunan tempat pengolahan sampah terpadu dan peningkatan kapasitas petugas.',
  ].join('\n'),
  'notulen-kesimpulan': [
    'Rancangan naskah Kesepakatan Bersama disepakati dengan perbaikan redaksional.',
    'Bagian Kerjasama menyampaikan naskah hasil perbaikan kepada Bagian Hukum untuk dikoreksi.',
  ].join('\n'),
};
const CASE_SOP = 'kota-penyusunan-kesepakatan-bersama';
/** The generated documents of the case, in the order of the SOP; of each kind the last one (the konsep is redrafted). */
const CASE_KINDS = ['surat-undangan', 'notulen-rapat', 'konsep-naskah', 'naskah-ditandatangani', 'surat-pengantar'];
/** The open task shown: step 6, where the Kasubbag records the draft and types the content of the naskah. */
const TASK_NODE = 'L6';

/**
 * Runs one case of the Kota's SOP to its end on the embedded runtime, screenshots its pages with `browser`, and
 * returns the PDFs of its generated documents.
 */
async function realCase(browser: Browser): Promise<{ paintings: Painting[]; shots: { file: string; png: Buffer }[] }> {
  const rt = await startTestRuntime({ log: () => {} });
  const shots: { file: string; png: Buffer }[] = [];
  const screenshot = async (file: string, url: string, width: number) => {
    const page = await browser.newPage();
    try {
      await page.setViewport({ width, height: 800, deviceScaleFactor: 1 });
      const response = await page.goto(url, { waitUntil: 'load' });
      if (response?.status() !== 200) throw new Error(`${url}: HTTP ${response?.status()}`);
      const png = Buffer.from(await page.screenshot({ fullPage: true, type: 'png' }));
      // A whole page at full colour is 250-300 KB; its few colours (backgrounds, text and its antialiasing) fit a
      // palette, which keeps it near 100 KB. Decoded on a blank page: the application's pages forbid data: URLs.
      await page.goto('about:blank');
      const pixels = (await page.evaluate(`(${PIXELS})(${JSON.stringify(png.toString('base64'))})`)) as Pixels;
      shots.push({ file, png: palettePng(pixels.width, pixels.height, Buffer.from(pixels.rgba, 'base64')) });
    } finally {
      await page.close();
    }
  };
  try {
    const permohonan = permohonanFor(rt, CASE_SOP, { 'pihak-mitra': MITRA }, 'Kerja sama pengelolaan sampah regional');
    // The pemohon writes on behalf of the partner (the test fixture's own instansi is a generic one).
    const { intakeId: caseId } = await submitPermohonan(rt, {
      ...permohonan,
      pemohon: { ...permohonan.pemohon, instansi: MITRA },
    });
    await eventually(async () => (await rt.app.store.getCase(caseId))?.cursor);
    const drive = { dataDir: rt.dataDir, caseId, pemohonEmail: PEMOHON.email, values: { ...NASKAH, ...ISIAN } };
    const first = await driveCase({ ...drive, stopAt: TASK_NODE, timeoutMs: 120_000 });
    if (!first.stoppedAt) throw new Error(`kasus ${caseId} tidak sampai ke ${TASK_NODE}: ${first.outcome}`);
    // Opening the emailed link only shows the form; the driver then decides it like every other step.
    await screenshot('halaman-tugas-ponsel.png', first.stoppedAt.link, 420);
    // The emails of the steps before are still in the mailbox: their links answer 409.
    const rest = await driveCase({ ...drive, alreadyDone: () => true, timeoutMs: 240_000 });
    if (rest.outcome !== 'selesai') throw new Error(`kasus ${caseId} berakhir ${rest.outcome}, bukan selesai`);

    const records = (await rt.app.documents.listByCase(caseId))
      .filter((d) => d.contentType === 'application/pdf')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const paintings: Painting[] = [];
    for (const kind of CASE_KINDS) {
      // A letter is kept once signed, as `<surat>-ditandatangani` (signed on its signing task).
      const record = records.filter((d) => d.kind === kind || d.kind === `${kind}-ditandatangani`).at(-1);
      if (!record) throw new Error(`kasus ${caseId}: tidak ada dokumen ${kind}`);
      paintings.push({ id: `kasus-kota-${kind}`, pdf: await rt.app.documents.read(record), scale: 1.3 });
      if (kind === 'naskah-ditandatangani') {
        const url = `${rt.urls.web}/verifikasi/${record.docId}`;
        await screenshot('halaman-verifikasi-ponsel.png', url, 420);
        await screenshot('halaman-verifikasi-desktop.png', url, 1280);
      }
    }
    return { paintings, shots };
  } finally {
    await rt.cleanup();
  }
}

async function main() {
  const jobs: Job[] = [
    ...CONTOH.map((c) => ({ id: c.id, template: c.template, data: c.data, paper: PAPER[c.template] ?? 'A4' })),
    ...catalog.sops.all().map((sop) => {
      const directory = catalog.pemda(sop.definition.pemda).directory.data;
      return {
        id: `sop-${sop.definition.id}`,
        template: 'sop' as const,
        data: sopDocumentInput(sop.definition, directory),
        paper: directory.pemda.dokumen.kertas,
      };
    }),
  ];

  const renderer = createRenderer({ maxConcurrency: 2 });
  const paintings: Painting[] = [];
  try {
    for (const job of jobs) {
      const result = await renderer.render(job.template, job.data as never, { paper: job.paper });
      paintings.push({ id: job.id, pdf: result.pdf, scale: job.template === 'sop' ? 1.45 : 1.3 });
    }
  } finally {
    await renderer.close();
  }

  // A separate browser with JavaScript on, used only to paint the PDFs and to photograph the case's pages.
  const browser = await puppeteer.launch({
    executablePath: await chromiumExecutablePath(),
    headless: 'shell',
    args: chromiumArgs(),
    pipe: true,
  });
  const images: { file: string; png: Buffer }[] = [];
  try {
    const { paintings: ofCase, shots } = await realCase(browser);
    paintings.push(...ofCase);

    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    const pdfjs = readFileSync(join(dirname(require.resolve('unpdf')), 'pdfjs.mjs'), 'utf8');
    await page.addScriptTag({ content: pdfjs, type: 'module' });
    await page.waitForFunction('globalThis.pdfjsLib !== undefined');
    for (const { id, pdf, scale } of paintings) {
      const base64 = Buffer.from(pdf).toString('base64');
      const pages = (await page.evaluate(`(${PAINT})(${JSON.stringify(base64)}, ${scale})`)) as string[];
      pages.forEach((dataUrl, i) => {
        images.push({
          file: `${id}-${String(i + 1).padStart(2, '0')}.png`,
          png: Buffer.from(dataUrl.split(',')[1]!, 'base64'),
        });
      });
    }
    images.push(...shots);
  } finally {
    await browser.close();
  }

  // Everything is drawn: only now replace the previews of before (a failed run leaves them as they were).
  for (const old of readdirSync(here).filter((f) => f.endsWith('.png'))) rmSync(join(here, old));
  for (const { file, png } of images) {
    writeFileSync(join(here, file), png);
    console.log(`${file.padEnd(58)} ${(png.length / 1024).toFixed(0).padStart(4)} KB`);
  }
  console.log(`${images.length} PNG files in ${here}`);
}

interface Pixels {
  width: number;
  height: number;
  /** Base64 of RGBA bytes, row by row. */
  rgba: string;
}

/** Runs in a page: the pixels of a PNG (base64). */
const PIXELS = `async (base64) => {
  const bitmap = await createImageBitmap(await (await fetch('data:image/png;base64,' + base64)).blob());
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d');
  context.drawImage(bitmap, 0, 0);
  const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  let binary = '';
  for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
  return { width: bitmap.width, height: bitmap.height, rgba: btoa(binary) };
}`;

/**
 * An 8-bit palette PNG of RGBA pixels (alpha dropped: screenshots are opaque): the 256 commonest colours, every other
 * colour drawn in the nearest of them.
 */
function palettePng(width: number, height: number, rgba: Buffer): Buffer {
  const count = new Map<number, number>();
  for (let i = 0; i < rgba.length; i += 4) {
    const rgb = (rgba[i]! << 16) | (rgba[i + 1]! << 8) | rgba[i + 2]!;
    count.set(rgb, (count.get(rgb) ?? 0) + 1);
  }
  const palette = [...count.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 256)
    .map(([rgb]) => rgb);
  const index = new Map(palette.map((rgb, i) => [rgb, i]));
  const nearest = (rgb: number) => {
    let best = 0;
    let bestDistance = Infinity;
    palette.forEach((p, i) => {
      const d =
        (((p >> 16) & 255) - ((rgb >> 16) & 255)) ** 2 +
        (((p >> 8) & 255) - ((rgb >> 8) & 255)) ** 2 +
        ((p & 255) - (rgb & 255)) ** 2;
      if (d < bestDistance) [best, bestDistance] = [i, d];
    });
    index.set(rgb, best);
    return best;
  };
  const rows = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const rgb = (rgba[i]! << 16) | (rgba[i + 1]! << 8) | rgba[i + 2]!;
      rows[y * (width + 1) + 1 + x] = index.get(rgb) ?? nearest(rgb);
    }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 3, 0, 0, 0], 8); // 8 bits, palette, deflate, the standard filters (each row: none), not interlaced
  const plte = Buffer.from(palette.flatMap((rgb) => [(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255]));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('PLTE', plte),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Runs in the page: paints every page of a PDF (base64) to a canvas and returns PNG data URLs. */
const PAINT = `async (base64, scale) => {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const task = globalThis.pdfjsLib.getDocument({ data: bytes, isEvalSupported: false });
  const doc = await task.promise;
  const out = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const pdfPage = await doc.getPage(n);
    const viewport = pdfPage.getViewport({ scale });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(viewport.width);
    canvas.height = Math.round(viewport.height);
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    await pdfPage.render({ canvasContext: context, canvas, viewport }).promise;
    out.push(canvas.toDataURL('image/png'));
  }
  await task.destroy();
  return out;
}`;

await main();
