/**
 * The pasal editor's preview: rendering a konsep after an edit, as `POST /tugas/…/naskah/pratinjau` does it
 * (`DocumentActions.preview`: the case's context and paraf read from the case store, the content assembled into the
 * Kesepakatan Bersama, Handlebars, fonts, setContent, page.pdf with the footer), against bare Chromium in the same
 * run: one reused page, `setContent(html)` and `page.pdf()` on the very same HTML, nothing else.
 *
 *   npx tsx bench/naskah-preview.ts [--edits N | --quick]      (default 60 edits; --quick 15)
 *
 * A third row measures what the editor shows: the preview's pages as images (`previewPages`: the PDF, then its
 * pages drawn by PDF.js in the warm Chromium).
 *
 * Each edit changes a different ayat (a word appended), so no result can be cached. Real and baseline are
 * interleaved edit by edit, so noise falls on both. Target: preview p95 under 300 ms (editing feels live).
 * Prints a table and, last, `BENCH_JSON {"bench":"naskah-preview",…}`.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import puppeteer from 'puppeteer-core';
import type { CaseRecord } from '../core/case/model.ts';
import { DocumentActions } from '../core/documents/document-actions.ts';
import { DOCUMENTS, type DocumentDefinition } from '../core/documents/index.ts';
import { pageGeometry } from '../core/documents/common.ts';
import type { NaskahContent } from '../core/naskah/content.ts';
import { Register } from '../core/register/allocation.ts';
import { loadCatalog } from '../functions/adapters/catalog.ts';
import { naskahDrafts } from '../functions/app.ts';
import { chromiumArgs, chromiumExecutablePath } from '../functions/render/chromium.ts';
import { createRenderer } from '../functions/render/renderer.ts';
import { DocumentTemplates } from '../functions/render/templates.ts';
import {
  MemoryAcceptedFiles,
  MemoryCaseStore,
  MemoryDocumentStore,
  MemoryRegisterItems,
  MemorySigner,
} from '../test/support/memory-ports.ts';
import type { SummaryRow } from './concurrent-cases.ts';
import { countArg, percentile, ratio, round, table } from './stats.ts';

const WARMUP = 5;
const TARGET_P95_MS = 300;

async function main() {
  const n = countArg(process.argv.slice(2), { flag: 'edits', normal: 60, quick: 15 });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const root = join(import.meta.dirname, '..');
  const catalog = loadCatalog({ sopDirs: [join(root, 'sops')], configDir: join(root, 'config') });
  const sop = catalog.sops.latest('kota-penyusunan-kesepakatan-bersama');
  const cases = new MemoryCaseStore();
  const renderer = createRenderer({ maxConcurrency: 1 });
  const clock = { now: () => new Date('2026-12-07T02:00:00Z') };
  const register = new Register(new MemoryRegisterItems(), {
    pemdaId: sop.definition.pemda,
    numbering: catalog.pemda(sop.definition.pemda).directory.data.penomoran,
    clock: () => clock.now(),
  });
  const drafts = naskahDrafts(cases, catalog);
  const work = new DocumentActions({
    store: cases,
    drafts,
    documents: new MemoryDocumentStore(),
    files: new MemoryAcceptedFiles(),
    register: () => register,
    renderer: () => renderer,
    signer: new MemorySigner(),
    pemda: (id) => catalog.pemda(id),
    sops: catalog.sops,
    clock,
    publicBaseUrl: 'https://sepakat.uji',
    buckets: { documents: 'dokumen', archive: 'arsip' },
    maxUploadBytes: 1_000_000,
    faults: { point: () => undefined },
  });
  const record: CaseRecord = {
    caseId: 'bench-1',
    intakeId: 'bench-1',
    sopId: sop.definition.id,
    sopVersion: sop.definition.version,
    sopKey: sop.key,
    pemdaId: sop.definition.pemda,
    perihal: 'Kerja sama pengelolaan sampah regional',
    pemohon: { nama: 'Dinas Lingkungan Hidup', email: 'dlh@sukamaju.test', instansi: 'Pemerintah Kabupaten Sukamaju' },
    status: 'aktif',
    createdAt: clock.now().toISOString(),
    data: { 'pihak-mitra': 'Pemerintah Kabupaten Sukamaju', 'mitra-alamat': 'Jalan Raya Sukamaju No. 10' },
    files: [],
    cursor: null,
    visits: {},
  };
  await cases.createCase(record);
  const start = drafts.start(record);
  const ayatCount = start.pasal.reduce((k, p) => k + p.ayat.length, 0);
  const edited = (i: number): NaskahContent => {
    let k = 0;
    const target = i % ayatCount;
    return {
      ...start,
      pasal: start.pasal.map((p) => ({
        ...p,
        ayat: p.ayat.map((a) => (k++ === target ? { ...a, teks: `${a.teks} Suntingan ke-${i}.` } : a)),
      })),
    };
  };

  const templates = new DocumentTemplates();
  const browser = await puppeteer.launch({
    executablePath: await chromiumExecutablePath(),
    headless: 'shell',
    args: chromiumArgs(),
    pipe: true,
  });
  try {
    const page = await browser.newPage();
    await page.setJavaScriptEnabled(false);
    const bare = async (content: NaskahContent) => {
      const { assembled, paper } = await work.previewInput(record, content);
      const def = DOCUMENTS[assembled.template] as unknown as DocumentDefinition;
      const geometry = pageGeometry(paper, def.landscape, def.margins);
      const html = await renderer.html(assembled.template, assembled.input as never, { paper });
      const view = def.prepare(def.schema.parse(assembled.input), geometry);
      const footer = templates.footer(assembled.template, {
        ...view.footer,
        kiri: geometry.margins.left,
        kanan: geometry.margins.right,
      });
      const m = geometry.margins;
      // Only this part is timed: the bare Chromium work on the same HTML.
      const t = performance.now();
      await page.setContent(html, { waitUntil: 'load' });
      await page.pdf({
        width: `${geometry.width}mm`,
        height: `${geometry.height}mm`,
        margin: { top: `${m.top}mm`, right: `${m.right}mm`, bottom: `${m.bottom}mm`, left: `${m.left}mm` },
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: footer,
      });
      return performance.now() - t;
    };
    const withImages = async (content: NaskahContent) => {
      const t = performance.now();
      const out = await work.previewPages(record, content);
      if (out.images.length !== out.pages) throw new Error('preview images do not match its pages');
      return performance.now() - t;
    };
    const real = async (content: NaskahContent) => {
      const t = performance.now();
      const out = await work.preview(record, content);
      if (out.pages < 1) throw new Error('preview without pages');
      return performance.now() - t;
    };
    log(`naskah-preview: ${n} edits (+${WARMUP} warm-up), interleaved`);
    const r: number[] = [];
    const b: number[] = [];
    const w: number[] = [];
    for (let i = -WARMUP; i < n; i++) {
      const content = edited(i + WARMUP);
      const tr = await real(content);
      const tb = await bare(content);
      const tw = await withImages(content);
      if (i < 0) continue;
      r.push(tr);
      b.push(tb);
      w.push(tw);
    }
    const fig = (xs: number[]) => ({
      p50: round(percentile(xs, 50)),
      p95: round(percentile(xs, 95)),
      max: round(Math.max(...xs)),
    });
    const fr = fig(r);
    const fb = fig(b);
    const fw = fig(w);
    const out = [
      `naskah-preview: konsep Kesepakatan Bersama (${start.pasal.length} pasal, ${ayatCount} ayat), ${n} edits, Node ${process.version}, warm browser`,
      '',
      table(
        ['per preview (ms)', 'p50', 'p95', 'max'],
        [
          ['preview (DocumentActions.preview)', fr.p50, fr.p95, fr.max],
          ['bare setContent + page.pdf, same HTML', fb.p50, fb.p95, fb.max],
          ['preview as page images (what the editor shows)', fw.p50, fw.p95, fw.max],
        ],
      ),
      '',
      `ratio preview / bare: p50 ${ratio(fr.p50, fb.p50)}, p95 ${ratio(fr.p95, fb.p95)}; with page images p95 ${fw.p95} ms (${ratio(fw.p95, fb.p95)} × bare); target p95 < ${TARGET_P95_MS} ms: ${fw.p95 < TARGET_P95_MS ? 'met' : 'NOT met'}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    const summary: SummaryRow[] = [
      { metric: 'konsep preview p50', unit: 'ms', value: fr.p50, baseline: fb.p50, ratio: ratio(fr.p50, fb.p50) },
      { metric: 'konsep preview p95', unit: 'ms', value: fr.p95, baseline: fb.p95, ratio: ratio(fr.p95, fb.p95) },
      {
        metric: 'konsep preview with page images p95',
        unit: 'ms',
        value: fw.p95,
        baseline: fb.p95,
        ratio: ratio(fw.p95, fb.p95),
      },
    ];
    process.stdout.write(`BENCH_JSON ${JSON.stringify({ bench: 'naskah-preview', edits: n, summary })}\n`);
  } finally {
    await browser.close();
    await renderer.close();
  }
}

await main();
