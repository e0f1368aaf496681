/**
 * Renders every document template to PDF with the real renderer, then each PDF page to a PNG, into
 * test/previews/ (commit-ready: modest resolution, each well under 300 KB).
 *
 *   npx tsx test/previews/render-previews.ts
 *
 * The PNGs are drawn from the PDFs themselves (not from the HTML): pdf.js (the build bundled with unpdf) runs inside
 * Chromium, which has the canvas that Node lacks here, and paints each page at a fixed scale. What you see is what
 * was printed, page breaks, footer and page numbers included.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { parse as parseYaml } from 'yaml';
import { CONTOH } from '../../core/documents/contoh.ts';
import type { Paper } from '../../core/documents/common.ts';
import type { DocumentName } from '../../core/documents/index.ts';
import { chromiumArgs, chromiumExecutablePath } from '../../functions/render/chromium.ts';
import { createRenderer } from '../../functions/render/renderer.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(import.meta.url);

/** Which example goes on which paper: agreements and the SOPs on F4 (as offices print them), letters on A4. */
const PAPER: Partial<Record<DocumentName, Paper>> = {
  'kesepakatan-bersama': 'F4',
  'perjanjian-kerja-sama': 'F4',
  sop: 'F4',
};

export const SEED_SOPS = [
  'kota-penyusunan-kesepakatan-bersama',
  'blitar-pengkoordinasian-nota-kesepakatan',
  'bandung-kerjasama-teknik-luar-negeri',
] as const;

interface Job {
  id: string;
  template: DocumentName;
  data: unknown;
  paper: Paper;
}

async function main() {
  const jobs: Job[] = [
    ...CONTOH.map((c) => ({ id: c.id, template: c.template, data: c.data, paper: PAPER[c.template] ?? 'A4' })),
    ...SEED_SOPS.map((sop) => ({
      id: `sop-${sop}`,
      template: 'sop' as const,
      data: { sop: parseYaml(readFileSync(join(root, 'sops', `${sop}.yaml`), 'utf8')) as unknown },
      paper: 'F4' as const,
    })),
  ];

  const renderer = createRenderer({ maxConcurrency: 2 });
  const pdfs: { job: Job; pdf: Uint8Array; pages: number }[] = [];
  try {
    for (const job of jobs) {
      const result = await renderer.render(job.template, job.data as never, { paper: job.paper });
      pdfs.push({ job, pdf: result.pdf, pages: result.pages });
    }
  } finally {
    await renderer.close();
  }

  // A separate browser with JavaScript on, used only to paint the PDFs.
  const browser = await puppeteer.launch({
    executablePath: await chromiumExecutablePath(),
    headless: 'shell',
    args: chromiumArgs(),
    pipe: true,
  });
  const written: string[] = [];
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    const pdfjs = readFileSync(join(dirname(require.resolve('unpdf')), 'pdfjs.mjs'), 'utf8');
    await page.addScriptTag({ content: pdfjs, type: 'module' });
    await page.waitForFunction('globalThis.pdfjsLib !== undefined');

    for (const old of readdirSync(here).filter((f) => f.endsWith('.png'))) rmSync(join(here, old));
    for (const { job, pdf } of pdfs) {
      const scale = job.template === 'sop' ? 1.45 : 1.3;
      const base64 = Buffer.from(pdf).toString('base64');
      const images = (await page.evaluate(`(${PAINT})(${JSON.stringify(base64)}, ${scale})`)) as string[];
      images.forEach((dataUrl, i) => {
        const file = `${job.id}-${String(i + 1).padStart(2, '0')}.png`;
        writeFileSync(join(here, file), Buffer.from(dataUrl.split(',')[1]!, 'base64'));
        written.push(file);
      });
    }
  } finally {
    await browser.close();
  }
  for (const file of written) {
    const size = readFileSync(join(here, file)).length;
    console.log(`${file.padEnd(58)} ${(size / 1024).toFixed(0).padStart(4)} KB`);
  }
  console.log(`${written.length} PNG files in ${here}`);
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
