import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import QRCode from 'qrcode';
import type { z } from 'zod';
import {
  pageGeometry,
  type FooterView,
  type Margins,
  type PageGeometry,
  type Paper,
} from '../../core/documents/common.ts';
import {
  DOCUMENTS,
  isDocumentName,
  type DocumentDefinition,
  type DocumentInput,
  type DocumentName,
  type Measured,
} from '../../core/documents/index.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import type { Renderer as DocumentRenderer, PageImage } from '../../core/ports.ts';
import { chromiumArgs, chromiumExecutablePath } from './chromium.ts';
import { drawPdfPages, preparePageImagesPage } from './page-images.ts';
import { DEFAULT_TEMPLATE_DIR, DocumentTemplates, ExportTemplates, type ExportName } from './templates.ts';

/**
 * Documents to PDF with one warm headless Chromium (puppeteer-core + @sparticuz/chromium).
 *
 * - One browser per renderer, launched on first use and reused; a page per concurrent render, kept in a small pool
 *   and reused (a fresh page costs about twice as much as a reused one).
 * - At most `maxConcurrency` renders at once (a FIFO semaphore); the others wait their turn.
 * - When Chromium dies (the 'disconnected' event, a closed target, a hung render), the browser is dropped, a new one
 *   is launched on demand and the interrupted render is retried once.
 * - Pages run without JavaScript and without network (only data: URLs load): a document is HTML and CSS only.
 *   `printHtml` prints a ready HTML document (the register export) under the same rules, bound and recovery.
 * - Independent of storage: the caller stores `pdf` under `sha256` with `templateVersion`.
 */
export interface RendererOptions {
  /** Renders at once (default 2: the machine has two cores). */
  maxConcurrency?: number;
  /** A Chromium binary; default: @sparticuz/chromium unpacked into a per-version directory under `tmpDir`. */
  executablePath?: string;
  /** Where the binary is unpacked (default: the system temporary directory). */
  tmpDir?: string;
  /** Template directory (default: templates/documents of this project). */
  templateDir?: string;
  /** Export template directory (default: `exports` beside the template directory). */
  exportTemplateDir?: string;
  /** @sparticuz/chromium's `--single-process` (default true, as the package ships it for Lambda). */
  singleProcess?: boolean;
  /** Per-render time limit in ms (default 30 s); a render that exceeds it counts as a dead browser. */
  timeoutMs?: number;
  /** Named crash points for tests (as `Faults` in core/case/model.ts): called inside each render attempt. */
  faults?: RenderFaults;
}

export interface RenderFaults {
  /** The page holds the laid-out document; `page.pdf()` comes next. */
  point(name: 'before-print', context: { attempt: number; pid: number | undefined }): void | Promise<void>;
}

export interface RenderOptions {
  paper: Paper;
  /** Default: the document's own orientation (the SOP is landscape, the rest portrait). */
  landscape?: boolean;
}

export interface PrintHtmlOptions {
  paper: Paper;
  /** Default portrait. */
  landscape?: boolean;
  /** Page margins in mm (default 12 mm, 14 mm at the bottom). They replace any `@page` margin of the HTML. */
  margins?: Margins;
  /** "Halaman x dari y" at the bottom right of every page (default false). */
  pageNumbers?: boolean;
}

export interface RenderResult {
  pdf: Uint8Array;
  sha256: string;
  pages: number;
  templateVersion: string;
}

export interface RendererStats {
  /** Browsers launched so far (1 + relaunches). */
  launches: number;
  renders: number;
  /** Renders retried after the browser died. */
  retries: number;
  active: number;
  /** Most renders seen in flight at once. */
  peakActive: number;
  queued: number;
  /** The current browser's process id, if one is running. */
  pid: number | undefined;
}

/** The Chromium renderer: the core's `Renderer` port, plus what previews and the bench use. */
export interface Renderer extends DocumentRenderer {
  render<N extends DocumentName>(template: N, data: DocumentInput<N>, options: RenderOptions): Promise<RenderResult>;
  /** The HTML a render would print (previews, debugging); measured documents are laid out in the browser. */
  html<N extends DocumentName>(template: N, data: DocumentInput<N>, options: RenderOptions): Promise<string>;
  /**
   * Prints a complete HTML document (not a template) to PDF with the warm browser, within the same concurrency
   * bound and crash recovery as `render`. The page runs without JavaScript and network; the project's fonts
   * (Arimo, Tinos) are available to it. The paper and orientation given here win over the HTML's `@page size`.
   */
  printHtml(html: string, options: PrintHtmlOptions): Promise<Uint8Array>;
  /** Prints an export (`templates/exports/<name>.hbs`, e.g. the register) from its view, as `printHtml` does. */
  printExport(name: ExportName, view: unknown, options: PrintHtmlOptions): Promise<Uint8Array>;
  /**
   * Every page of a PDF as a PNG (PDF.js in a page of the warm browser, functions/render/page-images.ts), within the
   * same concurrency bound and crash recovery as `render`.
   */
  pageImages(pdf: Uint8Array, options?: { width?: number }): Promise<PageImage[]>;
  templateVersion(template: DocumentName): string;
  stats(): RendererStats;
  close(): Promise<void>;
}

export function createRenderer(options: RendererOptions = {}): Renderer {
  return new ChromiumRenderer(options);
}

/** Margins of printHtml when none are given (as the register's own stylesheet). */
const HTML_MARGINS: Margins = { top: 12, right: 12, bottom: 14, left: 12 };

/** px (CSS) → mm */
const MM_PER_PX = 25.4 / 96;

// Functions run in the page through the DevTools protocol (the page's own scripts stay disabled). The project
// compiles without the DOM library: this is the little of it they use.
declare const document: {
  body: { className: string; innerHTML: string };
  images: ArrayLike<{ decode(): Promise<void> }>;
  fonts: { ready: Promise<unknown> };
  querySelectorAll(
    selector: string,
  ): ArrayLike<{ dataset: Record<string, string>; getBoundingClientRect(): { height: number } }>;
};

/** Replaces the body of the shell page, then waits for its images (QR, lambang) and fonts. */
const swapBody = async (className: string, html: string): Promise<boolean> => {
  document.body.className = className;
  document.body.innerHTML = html;
  await Promise.all(Array.from(document.images, (img) => img.decode().catch(() => undefined)));
  await document.fonts.ready;
  return true;
};

/** Waits for the fonts a freshly loaded page uses (they load lazily, after the 'load' event). */
const fontsReady = async (): Promise<boolean> => {
  await Promise.all(Array.from(document.images, (img) => img.decode().catch(() => undefined)));
  await document.fonts.ready;
  return true;
};

/** Heights (mm) of the elements marked data-ukur, grouped by the mark. */
const measureMarked = (mmPerPx: number): Record<string, number[]> => {
  const out: Record<string, number[]> = {};
  for (const el of Array.from(document.querySelectorAll('[data-ukur]'))) {
    const key = el.dataset.ukur!;
    (out[key] ??= []).push(el.getBoundingClientRect().height * mmPerPx);
  }
  return out;
};

/** Which shell (fonts and stylesheet version) each pooled page holds. */
const shells = new WeakMap<Page, string>();

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  peak = 0;
  constructor(private readonly limit: number) {}
  get inFlight() {
    return this.active;
  }
  get queued() {
    return this.waiting.length;
  }
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
    } else {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      // The releasing holder passed its slot on: `active` is unchanged.
    }
    this.peak = Math.max(this.peak, this.active);
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

interface Live {
  browser: Browser;
  idle: Page[];
  /** Pages that draw PDFs as images (JavaScript on, PDF.js loaded): never used for documents. */
  drawing: Page[];
}

/** Default width of a page image: sharp on a phone (about 3 device pixels per CSS pixel), readable when zoomed. */
const PAGE_IMAGE_WIDTH = 1100;

class ChromiumRenderer implements Renderer {
  private readonly templates: DocumentTemplates;
  private exportTemplates: ExportTemplates | undefined;
  private readonly semaphore: Semaphore;
  private readonly timeoutMs: number;
  private live: Promise<Live> | undefined;
  private closed = false;
  private launches = 0;
  private renders = 0;
  private retries = 0;
  private pid: number | undefined;

  constructor(private readonly options: RendererOptions) {
    this.templates = new DocumentTemplates(options.templateDir);
    this.semaphore = new Semaphore(Math.max(1, options.maxConcurrency ?? 2));
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  templateVersion(template: DocumentName): string {
    return this.templates.get(template).version;
  }

  stats(): RendererStats {
    return {
      launches: this.launches,
      renders: this.renders,
      retries: this.retries,
      active: this.semaphore.inFlight,
      peakActive: this.semaphore.peak,
      queued: this.semaphore.queued,
      pid: this.pid,
    };
  }

  async render<N extends DocumentName>(
    template: N,
    data: DocumentInput<N>,
    options: RenderOptions,
  ): Promise<RenderResult> {
    const { def, parsed, page } = this.prepareInput(template, data, options);
    return this.printJob((p, attempt, live) => this.print(p, template, def, parsed, page, attempt, live));
  }

  async printHtml(html: string, options: PrintHtmlOptions): Promise<Uint8Array> {
    if (typeof html !== 'string' || !html.trim())
      throw new SepakatError(ErrorNames.BadInput, 'HTML yang akan dicetak kosong');
    const page = pageGeometry(checkPaper(options.paper), options.landscape ?? false, options.margins ?? HTML_MARGINS);
    const content = withPageSetup(html, this.templates.printSetup(page));
    return this.printJob(async (p, attempt, live) => {
      // The pooled page stops holding the document shell: the next template render loads it again.
      shells.delete(p);
      await p.emulateMediaType('print');
      await p.setContent(content, { waitUntil: 'load', timeout: this.timeoutMs });
      await p.evaluate(fontsReady);
      await this.options.faults?.point('before-print', { attempt, pid: live.browser.process()?.pid });
      const bytes = await p.pdf({
        ...pdfPage(page),
        printBackground: true,
        displayHeaderFooter: options.pageNumbers ?? false,
        headerTemplate: this.templates.emptyHeader(),
        footerTemplate: options.pageNumbers ? this.templates.pageNumbers(page.margins) : this.templates.emptyHeader(),
        preferCSSPageSize: false,
        timeout: this.timeoutMs,
      });
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    });
  }

  async printExport(name: ExportName, view: unknown, options: PrintHtmlOptions): Promise<Uint8Array> {
    this.exportTemplates ??= new ExportTemplates(
      this.options.exportTemplateDir ?? join(this.options.templateDir ?? DEFAULT_TEMPLATE_DIR, '..', 'exports'),
    );
    return this.printHtml(this.exportTemplates.page(name, view), options);
  }

  async pageImages(pdf: Uint8Array, options: { width?: number } = {}): Promise<PageImage[]> {
    return this.printJob((p) => drawPdfPages(p, pdf, options.width ?? PAGE_IMAGE_WIDTH), 'drawing');
  }

  async html<N extends DocumentName>(template: N, data: DocumentInput<N>, options: RenderOptions): Promise<string> {
    const { def, parsed, page } = this.prepareInput(template, data, options);
    if (!def.measure) return this.templates.page(template, await withQr(def.prepare(parsed, page)));
    await this.semaphore.acquire();
    try {
      const live = await this.browser();
      return await this.withPage(live, async (p) =>
        this.templates.page(template, await this.layout(p, template, def, parsed, page)),
      );
    } finally {
      this.semaphore.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const live = this.live;
    this.live = undefined;
    if (!live) return;
    try {
      const { browser } = await live;
      await browser.close();
    } catch {
      // Already gone.
    }
  }

  // -------------------------------------------------------------------------------------------------------------

  /**
   * One print on a pooled page of the warm browser: waits for a slot of the concurrency bound, and when the browser
   * dies under the print (crash, closed target, hang), drops it and runs the print once more on a new one.
   */
  private async printJob<T>(
    work: (p: Page, attempt: number, live: Live) => Promise<T>,
    pool: 'idle' | 'drawing' = 'idle',
  ): Promise<T> {
    await this.semaphore.acquire();
    try {
      let retried = false;
      for (let attempt = 1; ; attempt++) {
        if (this.closed) throw new SepakatError(ErrorNames.Transient, 'Renderer sudah ditutup');
        const live = await this.browser();
        try {
          const result = await this.withPage(live, (p) => work(p, attempt, live), pool);
          this.renders++;
          return result;
        } catch (error) {
          if (retried || this.closed || !(await this.isBrowserFailure(live, error))) throw error;
          retried = true;
          this.retries++;
          await this.drop(live);
        }
      }
    } finally {
      this.semaphore.release();
    }
  }

  private prepareInput(template: string, data: unknown, options: RenderOptions) {
    if (!isDocumentName(template))
      throw new SepakatError(ErrorNames.BadInput, `Templat dokumen "${template}" tidak dikenal`);
    checkPaper(options.paper);
    const def = DOCUMENTS[template] as unknown as DocumentDefinition;
    const result = def.schema.safeParse(data);
    if (!result.success) {
      const issues = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(dokumen)'}: ${i.message}`);
      throw new SepakatError(ErrorNames.BadInput, `Data ${template} tidak valid:\n${issues.join('\n')}`, {
        cause: result.error,
      });
    }
    const parsed = result.data as z.infer<typeof def.schema>;
    // The footer states an electronic signature on every page: give it room.
    const tte = typeof parsed === 'object' && parsed !== null && 'tte' in parsed && parsed.tte !== undefined;
    const margins = tte ? { ...def.margins, bottom: def.margins.bottom + 10 } : def.margins;
    const page = pageGeometry(options.paper, options.landscape ?? def.landscape, margins);
    return { def, parsed, page };
  }

  /** The view model, laid out (measured in the page and prepared again where the document paginates itself). */
  private async layout(
    p: Page,
    name: DocumentName,
    def: DocumentDefinition,
    parsed: unknown,
    page: PageGeometry,
  ): Promise<{ footer: FooterView }> {
    const view = await withQr(def.prepare(parsed, page));
    if (!def.measure) return view;
    await p.setViewport({ width: Math.round(page.contentWidth / MM_PER_PX), height: 800 });
    await this.show(p, name, view);
    const measured = await p.evaluate(measureMarked, MM_PER_PX);
    return withQr(def.prepare(parsed, page, measured as Measured));
  }

  /** Puts a document into the page: the shell (fonts, stylesheet) once per page, then only the body. */
  private async show(p: Page, name: DocumentName, view: unknown): Promise<void> {
    if (shells.get(p) !== this.templates.shellVersion) {
      await p.emulateMediaType('print');
      await p.setContent(this.templates.shell(), { waitUntil: 'load', timeout: this.timeoutMs });
      shells.set(p, this.templates.shellVersion);
    }
    const { className, html } = this.templates.body(name, view);
    await p.evaluate(swapBody, className, html);
  }

  private async print(
    p: Page,
    name: DocumentName,
    def: DocumentDefinition,
    parsed: unknown,
    page: PageGeometry,
    attempt: number,
    live: Live,
  ): Promise<RenderResult> {
    const view = await this.layout(p, name, def, parsed, page);
    await this.show(p, name, view);
    await this.options.faults?.point('before-print', { attempt, pid: live.browser.process()?.pid });
    const m = page.margins;
    const bytes = await p.pdf({
      ...pdfPage(page),
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: this.templates.emptyHeader(),
      footerTemplate: this.templates.footer(name, { ...view.footer, kiri: m.left, kanan: m.right }),
      preferCSSPageSize: false,
      timeout: this.timeoutMs,
    });
    const pdf = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return {
      pdf,
      sha256: createHash('sha256').update(pdf).digest('hex'),
      pages: countPages(pdf),
      templateVersion: this.templates.get(name).version,
    };
  }

  private async withPage<T>(
    live: Live,
    work: (page: Page) => Promise<T>,
    pool: 'idle' | 'drawing' = 'idle',
  ): Promise<T> {
    const page =
      live[pool].pop() ??
      (pool === 'drawing' ? await this.newDrawingPage(live.browser) : await this.newPage(live.browser));
    let healthy = false;
    try {
      const result = await work(page);
      healthy = true;
      return result;
    } finally {
      if (healthy && live.browser.connected && !page.isClosed() && !this.closed) live[pool].push(page);
      else page.close().catch(() => undefined);
    }
  }

  private async newPage(browser: Browser): Promise<Page> {
    const page = await browser.newPage();
    page.setDefaultTimeout(this.timeoutMs);
    await page.setJavaScriptEnabled(false);
    // No network: everything a document needs (fonts, images, QR codes) is inline.
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    await cdp.send('Network.setBlockedURLs', {
      urls: ['http://*', 'https://*', 'file://*', 'ftp://*', 'ws://*', 'wss://*', 'blob:*'],
    });
    return page;
  }

  /** A page that draws PDFs: JavaScript on (PDF.js), every request answered from inside or refused. */
  private async newDrawingPage(browser: Browser): Promise<Page> {
    const page = await browser.newPage();
    page.setDefaultTimeout(this.timeoutMs);
    await preparePageImagesPage(page, this.timeoutMs, this.options.templateDir ?? DEFAULT_TEMPLATE_DIR);
    return page;
  }

  private browser(): Promise<Live> {
    if (this.closed) return Promise.reject(new SepakatError(ErrorNames.Transient, 'Renderer sudah ditutup'));
    this.live ??= this.launch();
    return this.live;
  }

  private async launch(): Promise<Live> {
    const attempt = (async () => {
      const executablePath = this.options.executablePath ?? (await chromiumExecutablePath(this.options.tmpDir));
      const browser = await puppeteer.launch({
        executablePath,
        headless: 'shell',
        args: chromiumArgs({ singleProcess: this.options.singleProcess ?? true }),
        env: chromiumEnv(executablePath),
        pipe: true,
        timeout: Math.max(this.timeoutMs, 30_000),
        protocolTimeout: this.timeoutMs * 2,
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
      this.launches++;
      this.pid = browser.process()?.pid;
      const live: Live = { browser, idle: [], drawing: [] };
      browser.once('disconnected', () => {
        // Forget the dead browser; the next render launches a new one.
        void this.forget(live);
      });
      return live;
    })();
    attempt.catch(() => {
      if (this.live === attempt) this.live = undefined;
    });
    return attempt;
  }

  private async forget(live: Live): Promise<void> {
    const current = this.live ? await this.live.catch(() => undefined) : undefined;
    if (current === live) {
      this.live = undefined;
      this.pid = undefined;
    }
    live.idle.length = 0;
    live.drawing.length = 0;
  }

  /** Drops a browser that failed a render (killing it if it still runs, e.g. hung). */
  private async drop(live: Live): Promise<void> {
    await this.forget(live);
    try {
      live.browser.process()?.kill('SIGKILL');
    } catch {
      // Gone already.
    }
  }

  private async isBrowserFailure(live: Live, error: unknown): Promise<boolean> {
    if (error instanceof SepakatError) return false;
    if (!live.browser.connected) return true;
    const e = error as { name?: string; message?: string };
    if (e?.name === 'TimeoutError' || e?.name === 'TargetCloseError' || e?.name === 'ConnectionClosedError')
      return true;
    return /Target closed|Session closed|Connection closed|has been closed|detached|crash|disconnected|Protocol error/i.test(
      e?.message ?? '',
    );
  }
}

function checkPaper(paper: unknown): Paper {
  if (paper !== 'A4' && paper !== 'F4')
    throw new SepakatError(ErrorNames.BadInput, `Ukuran kertas "${String(paper)}" tidak dikenal (A4 atau F4)`);
  return paper;
}

/** Paper size and margins as page.pdf() takes them. */
function pdfPage(page: PageGeometry) {
  const m = page.margins;
  return {
    width: `${page.width}mm`,
    height: `${page.height}mm`,
    margin: { top: `${m.top}mm`, right: `${m.right}mm`, bottom: `${m.bottom}mm`, left: `${m.left}mm` },
  };
}

/**
 * The HTML with the project's fonts and an `@page` rule for the paper and margins of the print, placed after the
 * document's own styles so that it wins: the layout in the page and the printed page then agree.
 */
function withPageSetup(html: string, setup: { fonts: string; pageSetup: string }): string {
  const head = /<head(\s[^>]*)?>/i.exec(html);
  const withFonts = head
    ? `${html.slice(0, head.index + head[0].length)}${setup.fonts}${html.slice(head.index + head[0].length)}`
    : `${setup.fonts}${html}`;
  const close = /<\/head\s*>/i.exec(withFonts);
  return close
    ? `${withFonts.slice(0, close.index)}${setup.pageSetup}${withFonts.slice(close.index)}`
    : `${withFonts}${setup.pageSetup}`;
}

/** On AWS Lambda the package sets up its libraries under its own temporary directory: point Chromium at ours. */
function chromiumEnv(executablePath: string): Record<string, string | undefined> {
  const dir = dirname(executablePath);
  const env: Record<string, string | undefined> = { ...process.env };
  const lib = join(dir, 'al2023', 'lib');
  if (existsSync(lib)) env.LD_LIBRARY_PATH = [lib, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const fonts = join(dir, 'fonts');
  if (env.AWS_LAMBDA_FUNCTION_NAME && existsSync(fonts)) env.FONTCONFIG_PATH = fonts;
  return env;
}

/** Fills every reserved signature area (`{ qr, qrDataUrl: null }`) with the QR code as a PNG data URL. */
async function withQr<T>(view: T): Promise<T> {
  const pending: Promise<void>[] = [];
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const record = node as Record<string, unknown>;
    if (typeof record.qr === 'string' && 'qrDataUrl' in record && record.qrDataUrl === null) {
      pending.push(
        QRCode.toDataURL(record.qr, { errorCorrectionLevel: 'M', margin: 1, width: 240 }).then((url) => {
          record.qrDataUrl = url;
        }),
      );
      return;
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(view);
  await Promise.all(pending);
  return view;
}

/** Pages of a Chromium (Skia) PDF: the largest /Count of its page-tree nodes. */
export function countPages(pdf: Uint8Array): number {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  let pages = 0;
  for (const match of text.matchAll(/<<(?:(?!>>)[\s\S])*?\/Type\s*\/Pages\b(?:(?!>>)[\s\S])*?>>/g)) {
    const count = /\/Count\s+(\d+)/.exec(match[0]);
    if (count) pages = Math.max(pages, Number(count[1]));
  }
  return pages;
}
