import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import type { PageImage } from '../../core/ports.ts';
import { TemplateFolder } from './handlebars.ts';

/**
 * PDF pages to PNG in the warm Chromium, with PDF.js running in a page of its own.
 *
 * The Chromium the product runs (@sparticuz/chromium, a headless shell) has no PDF viewer: it downloads a PDF instead
 * of showing it. So the page loads PDF.js (the build that `unpdf` ships, already a dependency for reading PDFs back)
 * from an origin that exists only inside this page (`https://sepakat.invalid/`, answered by request interception),
 * draws each page on a canvas and hands back its PNG. Every other request is aborted: the page has no network, and
 * the PDF arrives as an argument, never as a URL.
 *
 * (pdfjs-dist's Node build with @napi-rs/canvas would do the same without a browser; neither is installed.)
 */
const ORIGIN = 'https://sepakat.invalid';
const SHELL_URL = `${ORIGIN}/`;
const LIBRARY_URL = `${ORIGIN}/pdfjs.mjs`;

let library: string | undefined;
let shell: string | undefined;

/**
 * The page: the library is loaded by its own module script (`templates/documents/chromium/page-images.hbs`; a
 * dynamic import inside an evaluated function would be rewritten by test and build tools), onto `globalThis.pdfjsLib`.
 */
function shellPage(templateDir: string): string {
  shell ??= new TemplateFolder(join(templateDir, 'chromium'), 'documents', 'templates/documents/chromium').load(
    'page-images.hbs',
  )({ libraryUrl: LIBRARY_URL });
  return shell;
}

/** PDF.js as the page imports it (read once per process). */
function pdfjsSource(): string {
  library ??= readFileSync(fileURLToPath(import.meta.resolve('unpdf/pdfjs')), 'utf8');
  return library;
}

/** Prepares a fresh page (JavaScript on) to draw PDFs: PDF.js served from inside, everything else refused. */
export async function preparePageImagesPage(page: Page, timeoutMs: number, templateDir: string): Promise<void> {
  const source = pdfjsSource();
  const html = shellPage(templateDir);
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.isInterceptResolutionHandled()) return;
    const url = request.url();
    if (url === SHELL_URL) void request.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    else if (url === LIBRARY_URL)
      void request.respond({ status: 200, contentType: 'text/javascript; charset=utf-8', body: source });
    else void request.abort('blockedbyclient');
  });
  await page.goto(SHELL_URL, { waitUntil: 'load', timeout: timeoutMs });
  await page.waitForFunction(libraryLoaded, { timeout: timeoutMs });
}

const libraryLoaded = () => (globalThis as { pdfjsLib?: unknown }).pdfjsLib !== undefined;

// The little of the DOM the function run in the page uses (the project compiles without the DOM library).
declare const document: {
  createElement(tag: 'canvas'): {
    width: number;
    height: number;
    getContext(kind: '2d'): unknown;
    toDataURL(type: string): string;
  };
};
declare function atob(data: string): string;

/** Runs in the page: every page of the PDF drawn `width` pixels wide, as PNG data URLs. */
const drawPages = async (
  base64: string,
  width: number,
): Promise<{ dataUrl: string; width: number; height: number }[]> => {
  const pdfjs = (globalThis as unknown as { pdfjsLib: PdfJs }).pdfjsLib;
  interface PdfJs {
    getDocument(options: Record<string, unknown>): { promise: Promise<PdfDocument>; destroy(): Promise<void> };
  }
  interface PdfPage {
    getViewport(options: { scale: number }): { width: number; height: number };
    render(options: Record<string, unknown>): { promise: Promise<void> };
    cleanup(): void;
  }
  interface PdfDocument {
    numPages: number;
    getPage(n: number): Promise<PdfPage>;
  }
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const loading = pdfjs.getDocument({ data: bytes, isEvalSupported: false, useSystemFonts: false });
  try {
    const doc = await loading.promise;
    const out: { dataUrl: string; width: number; height: number }[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: width / page.getViewport({ scale: 1 }).width });
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(viewport.width);
      canvas.height = Math.round(viewport.height);
      const context = canvas.getContext('2d');
      await page.render({ canvas, canvasContext: context, viewport, background: '#ffffff' }).promise;
      out.push({ dataUrl: canvas.toDataURL('image/png'), width: canvas.width, height: canvas.height });
      page.cleanup();
    }
    return out;
  } finally {
    await loading.destroy();
  }
};

/** Draws every page of `pdf` on a page prepared by `preparePageImagesPage`. */
export async function drawPdfPages(page: Page, pdf: Uint8Array, width: number): Promise<PageImage[]> {
  if (!Number.isInteger(width) || width < 200 || width > 4000)
    throw new SepakatError(ErrorNames.BadInput, `Lebar gambar halaman tidak valid: ${width}`);
  const drawn = await page.evaluate(drawPages, Buffer.from(pdf).toString('base64'), width);
  if (!drawn.length) throw new SepakatError(ErrorNames.BadInput, 'PDF tidak memiliki halaman');
  return drawn.map((d) => {
    const comma = d.dataUrl.indexOf(',');
    if (!d.dataUrl.startsWith('data:image/png;base64,') || comma < 0)
      throw new SepakatError(ErrorNames.Transient, 'Gambar halaman tidak dapat dibuat');
    return { png: new Uint8Array(Buffer.from(d.dataUrl.slice(comma + 1), 'base64')), width: d.width, height: d.height };
  });
}
