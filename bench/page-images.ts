/**
 * Page images of a signing task's document: p50/p95 of `renderer.pageImages` (PDF.js in a page of the warm Chromium,
 * every page drawn 1100 px wide and encoded as PNG) for a typical naskah (the Kota Kesepakatan Bersama example),
 * against rendering that very naskah to PDF (`renderer.render`) in the same run, one after the other, interleaved
 * (noise falls on both). The first call of each (a fresh page, PDF.js loaded) is reported apart as the cold one.
 *
 *   npx tsx bench/page-images.ts [--runs N | --quick]      (default N = 30; --quick: 8)
 *
 * Prints a plain table and, last, `BENCH_JSON {"bench":"page-images",…}` (the line bench/run-all.ts reads).
 */
import { performance } from 'node:perf_hooks';
import type { DocumentInput } from '../core/documents/index.ts';
import { createRenderer } from '../functions/render/renderer.ts';
import { contohById } from '../test/support/contoh.ts';
import type { SummaryRow } from './concurrent-cases.ts';
import { percentile, ratio, round, table } from './stats.ts';

function parseArgs(argv: string[]): number {
  let n = 30;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') n = 8;
    else if (arg === '--runs' || arg === '--cases') n = Number(argv[++i]);
    else if (arg.startsWith('--runs=') || arg.startsWith('--cases=')) n = Number(arg.split('=')[1]);
  }
  if (!Number.isInteger(n) || n < 2) throw new Error('--runs must be an integer of at least 2');
  return n;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

async function main() {
  const runs = parseArgs(process.argv.slice(2));
  const kb = contohById('kota-kesepakatan-bersama').data as DocumentInput<'kesepakatan-bersama'>;
  const renderer = createRenderer({ maxConcurrency: 1 });
  try {
    const render = () => renderer.render('kesepakatan-bersama', kb, { paper: 'A4' });
    const coldRender = await timed(render);
    const pdf = coldRender.value.pdf;
    const coldImages = await timed(() => renderer.pageImages(pdf));
    const pages = coldImages.value.length;
    const pngBytes = coldImages.value.reduce((n, i) => n + i.png.byteLength, 0);
    const images: number[] = [];
    const renders: number[] = [];
    for (let i = 0; i < runs; i++) {
      process.stderr.write(`\rpage-images ${i + 1}/${runs}`);
      images.push((await timed(() => renderer.pageImages(pdf))).ms);
      renders.push((await timed(render)).ms);
    }
    process.stderr.write('\n');
    const p = (values: number[], q: number) => round(percentile(values, q));
    process.stdout.write(
      `Page images of a naskah (${pages} pages, ${round(pdf.byteLength / 1024)} KB PDF, ${round(pngBytes / 1024)} KB of PNG at 1100 px), ${runs} runs\n`,
    );
    process.stdout.write(
      table(
        ['', 'p50 ms', 'p95 ms', 'cold ms'],
        [
          ['pageImages (all pages)', p(images, 50), p(images, 95), round(coldImages.ms)],
          ['render the PDF (baseline)', p(renders, 50), p(renders, 95), round(coldRender.ms)],
        ],
      ) + '\n',
    );
    const summary: SummaryRow[] = [
      {
        metric: 'page images of a naskah p50',
        unit: 'ms',
        value: p(images, 50),
        baseline: p(renders, 50),
        ratio: ratio(p(images, 50), p(renders, 50)),
      },
      {
        metric: 'page images of a naskah p95',
        unit: 'ms',
        value: p(images, 95),
        baseline: p(renders, 95),
        ratio: ratio(p(images, 95), p(renders, 95)),
      },
    ];
    process.stdout.write(
      `BENCH_JSON ${JSON.stringify({ bench: 'page-images', pages, runs, coldMs: round(coldImages.ms), pngBytes, summary })}\n`,
    );
  } finally {
    await renderer.close();
  }
}

await main();
