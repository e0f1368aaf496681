/**
 * Document rendering: documents per second and p50/p95 per document through the product's render path
 * (`createRenderer().render`: schema, view model, Handlebars, fonts, QR, setContent, fonts ready, page.pdf with the
 * footer, SHA-256, page count), against bare Chromium in the same run: one reused page, `setContent(html)` and
 * `page.pdf()` with the same options on the very same HTML (taken from the renderer), nothing else.
 *
 *   npx tsx bench/render.ts [--docs N | --quick]      (default N = 100 Nota Dinas + N/5 Kesepakatan Bersama;
 *                                                      --quick: 20 + 4)
 *
 * Two measurements, each real and baseline:
 * - latency: one document at a time, real and baseline interleaved document by document (noise falls on both);
 * - throughput: all documents submitted at once, concurrency 2 (two cores): the renderer with maxConcurrency 2,
 *   the baseline with two pages working through the same list.
 *
 * Prints a plain table and, last, `BENCH_JSON {"bench":"render",…}` (the line bench/run-all.ts reads).
 */
import { performance } from 'node:perf_hooks';
import puppeteer, { type Page } from 'puppeteer-core';
import { pageGeometry } from '../core/documents/common.ts';
import { contohById } from '../test/support/contoh.ts';
import { DOCUMENTS, type DocumentDefinition, type DocumentInput, type DocumentName } from '../core/documents/index.ts';
import { chromiumArgs, chromiumExecutablePath } from '../functions/render/chromium.ts';
import { createRenderer } from '../functions/render/renderer.ts';
import { DocumentTemplates } from '../functions/render/templates.ts';
import type { SummaryRow } from './concurrent-cases.ts';
import { countArg, mapLimit, percentile, ratio, round, table } from './stats.ts';

const WARMUP = 8;
const CONCURRENCY = 2;

interface Doc {
  kind: string;
  template: DocumentName;
  data: unknown;
  paper: 'A4' | 'F4';
}

function documents(n: number): Doc[] {
  const nota = contohById('blitar-nota-dinas').data as DocumentInput<'nota-dinas'>;
  const kb = contohById('kota-kesepakatan-bersama').data as DocumentInput<'kesepakatan-bersama'>;
  const docs: Doc[] = [];
  // Five Nota Dinas, then one Kesepakatan Bersama: both paths see the same mix over time.
  for (let i = 0; i < n; i++) {
    docs.push({
      kind: 'Nota Dinas',
      template: 'nota-dinas',
      data: { ...nota, nomor: `000.5.4/${i + 1}/409.1.1/2026` },
      paper: 'A4',
    });
    if (i % 5 === 4)
      docs.push({
        kind: 'Kesepakatan Bersama',
        template: 'kesepakatan-bersama',
        data: { ...kb, pihakKesatu: { ...kb.pihakKesatu, nomor: `000.5.4/${(i + 1) / 5}/KS/2026` } },
        paper: 'F4',
      });
  }
  return docs;
}

async function main() {
  const n = countArg(process.argv.slice(2), { flag: 'docs', normal: 100, quick: 20 });
  const docs = documents(n);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const templates = new DocumentTemplates();
  const renderer = createRenderer({ maxConcurrency: CONCURRENCY });
  const browser = await puppeteer.launch({
    executablePath: await chromiumExecutablePath(),
    headless: 'shell',
    args: chromiumArgs(),
    pipe: true,
  });
  try {
    // The baseline prints exactly the HTML and options of the real path.
    log(`render: preparing ${docs.length} documents`);
    const prepared = await Promise.all(
      docs.map(async (d) => {
        const def = DOCUMENTS[d.template] as unknown as DocumentDefinition;
        const page = pageGeometry(d.paper, def.landscape, def.margins);
        const html = await renderer.html(d.template, d.data as never, { paper: d.paper });
        const view = def.prepare(def.schema.parse(d.data), page);
        const footer = templates.footer(d.template, {
          ...view.footer,
          kiri: page.margins.left,
          kanan: page.margins.right,
        });
        return { ...d, html, footer, page };
      }),
    );
    const pages: Page[] = [await browser.newPage(), await browser.newPage()];
    for (const p of pages) await p.setJavaScriptEnabled(false);
    const bare = async (p: Page, d: (typeof prepared)[number]) => {
      const m = d.page.margins;
      await p.setContent(d.html, { waitUntil: 'load' });
      return p.pdf({
        width: `${d.page.width}mm`,
        height: `${d.page.height}mm`,
        margin: { top: `${m.top}mm`, right: `${m.right}mm`, bottom: `${m.bottom}mm`, left: `${m.left}mm` },
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: d.footer,
      });
    };
    const real = (d: Doc) => renderer.render(d.template, d.data as never, { paper: d.paper });
    const time = async (work: () => Promise<unknown>) => {
      const t = performance.now();
      await work();
      return performance.now() - t;
    };

    // Latency: one at a time, interleaved.
    log('render: latency (sequential, interleaved)');
    const lat: Record<string, { real: number[]; bare: number[] }> = {};
    for (let i = -WARMUP; i < prepared.length; i++) {
      const d = prepared[((i % prepared.length) + prepared.length) % prepared.length]!;
      const tr = await time(() => real(d));
      const tb = await time(() => bare(pages[0]!, d));
      if (i < 0) continue;
      (lat[d.kind] ??= { real: [], bare: [] }).real.push(tr);
      lat[d.kind]!.bare.push(tb);
    }

    // Throughput: everything at once, concurrency 2; baseline first, then real, then both again (the best of two).
    log(`render: throughput (concurrency ${CONCURRENCY})`);
    const throughput = async (which: 'real' | 'bare') => {
      const t = performance.now();
      if (which === 'real') await Promise.all(prepared.map((d) => real(d)));
      else {
        let next = 0;
        await mapLimit(pages, CONCURRENCY, async (p) => {
          while (next < prepared.length) await bare(p, prepared[next++]!);
        });
      }
      return prepared.length / ((performance.now() - t) / 1000);
    };
    const tpBare = Math.max(await throughput('bare'), await throughput('bare'));
    const tpReal = Math.max(await throughput('real'), await throughput('real'));
    const stats = renderer.stats();

    const all = { real: Object.values(lat).flatMap((l) => l.real), bare: Object.values(lat).flatMap((l) => l.bare) };
    const fig = (xs: number[]) => ({
      p50: round(percentile(xs, 50)),
      p95: round(percentile(xs, 95)),
      max: round(Math.max(...xs)),
    });
    const rows: [string, ReturnType<typeof fig>][] = [];
    for (const [kind, l] of Object.entries(lat)) {
      rows.push([`renderer, ${kind} (${l.real.length})`, fig(l.real)]);
      rows.push([`bare page.pdf, ${kind}`, fig(l.bare)]);
    }
    rows.push([`renderer, all (${all.real.length})`, fig(all.real)]);
    rows.push(['bare page.pdf, all', fig(all.bare)]);
    const r = fig(all.real);
    const b = fig(all.bare);

    const out: string[] = [];
    out.push(
      `render: ${docs.length} documents (${docs.filter((d) => d.kind === 'Nota Dinas').length} Nota Dinas A4, ${docs.filter((d) => d.kind !== 'Nota Dinas').length} Kesepakatan Bersama F4), Node ${process.version}, warm browser`,
    );
    out.push('');
    out.push(
      table(
        ['per document, sequential (ms)', 'p50', 'p95', 'max'],
        rows.map(([what, f]) => [what, f.p50, f.p95, f.max]),
      ),
    );
    out.push('');
    out.push(
      table(
        [`throughput, concurrency ${CONCURRENCY}`, 'docs/s'],
        [
          ['renderer (maxConcurrency 2)', round(tpReal, 1)],
          ['bare page.pdf (2 pages)', round(tpBare, 1)],
        ],
      ),
    );
    out.push('');
    out.push(
      `ratio renderer / bare: latency p50 ${ratio(r.p50, b.p50)}, p95 ${ratio(r.p95, b.p95)}; throughput ${ratio(tpReal, tpBare)}`,
    );
    out.push(
      `renderer: ${stats.launches} browser launch(es), ${stats.renders} renders, ${stats.retries} retries, peak ${stats.peakActive} at once`,
    );
    process.stdout.write(`${out.join('\n')}\n`);

    const summary: SummaryRow[] = [
      {
        metric: 'render throughput',
        unit: 'docs/s',
        value: round(tpReal, 1),
        baseline: round(tpBare, 1),
        ratio: ratio(tpReal, tpBare),
      },
      { metric: 'render p50 per document', unit: 'ms', value: r.p50, baseline: b.p50, ratio: ratio(r.p50, b.p50) },
      { metric: 'render p95 per document', unit: 'ms', value: r.p95, baseline: b.p95, ratio: ratio(r.p95, b.p95) },
    ];
    const result = {
      bench: 'render',
      node: process.version,
      documents: docs.length,
      latency: Object.fromEntries(Object.entries(lat).map(([k, l]) => [k, { real: fig(l.real), bare: fig(l.bare) }])),
      throughput: { real: round(tpReal, 1), bare: round(tpBare, 1), concurrency: CONCURRENCY },
      renderer: stats,
      summary,
    };
    process.stdout.write(`BENCH_JSON ${JSON.stringify(result)}\n`);
  } finally {
    await renderer.close();
    await browser.close();
  }
}

await main();
