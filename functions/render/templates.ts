import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCUMENT_NAMES, DOCUMENTS, type DocumentName } from '../../core/documents/index.ts';
import { fontFaceCss, footerFontCss } from './fonts.ts';
import { TemplateError, TemplateFolder, trusted, type Template } from './handlebars.ts';

export { TemplateError } from './handlebars.ts';

/**
 * The document templates (`templates/documents`): one Handlebars file per document, shared partials
 * (`partials/*.hbs`), the print stylesheet (`document.css`), the page footer (`_footer.hbs`) and the pieces Chromium
 * prints with (`chromium/*.hbs`: the page shell, the header and footer templates, an export's fonts, page setup and
 * page numbers).
 *
 * Loaded through the one Handlebars loader (./handlebars.ts) under its `documents` rules: no custom helpers
 * (`knownHelpersOnly`: only if/unless/each/with), prototype access forbidden, and a template that writes unescaped
 * output (`{{{…}}}` or `{{&…}}`) is refused at load. Every value is HTML-escaped; user text is only ever data, never
 * a template.
 *
 * `templateVersion` is the SHA-256 of everything that shapes the output: the document's template, every partial,
 * the stylesheet, the footer and the Chromium pieces, so a stored PDF names exactly the sources it came from.
 */
export const DEFAULT_TEMPLATE_DIR = fileURLToPath(new URL('../../templates/documents/', import.meta.url));

/** The pieces Chromium prints with (`templates/documents/chromium/<name>.hbs`). */
const PRINT_PIECES = ['page', 'footer', 'header', 'page-numbers', 'fonts', 'page-setup'] as const;
type PrintPiece = (typeof PRINT_PIECES)[number];

export interface CompiledDocument {
  readonly name: DocumentName;
  readonly version: string;
  body(view: unknown): string;
}

export class DocumentTemplates {
  private readonly folder: TemplateFolder;
  private readonly documents = new Map<DocumentName, CompiledDocument>();
  private readonly footerTemplate: Template;
  private readonly print: Record<PrintPiece, Template>;
  readonly css: string;

  constructor(readonly dir: string = DEFAULT_TEMPLATE_DIR) {
    this.folder = new TemplateFolder(dir, 'documents', 'templates/documents');
    const shared = createHash('sha256');
    for (const { file, source } of this.folder.partials('partials')) shared.update(`partial:${file}\0${source}\0`);
    this.css = readFileSync(join(dir, 'document.css'), 'utf8');
    shared.update(`css\0${this.css}\0`);
    const footerSource = this.folder.read('_footer.hbs');
    shared.update(`footer\0${footerSource}\0`);
    this.footerTemplate = this.folder.compile(footerSource);
    const print = {} as Record<PrintPiece, Template>;
    for (const piece of PRINT_PIECES) {
      const source = this.folder.read(join('chromium', `${piece}.hbs`));
      shared.update(`chromium:${piece}\0${source}\0`);
      print[piece] = this.folder.compile(source);
    }
    this.print = print;
    const sharedDigest = shared.digest('hex');

    for (const name of DOCUMENT_NAMES) {
      const source = this.folder.read(`${name}.hbs`);
      const template = this.folder.compile(source);
      const version = createHash('sha256').update(`document:${name}\0${source}\0shared:${sharedDigest}`).digest('hex');
      this.documents.set(name, { name, version, body: template });
    }
  }

  get(name: DocumentName): CompiledDocument {
    const doc = this.documents.get(name);
    if (!doc) throw new TemplateError(`No document template "${name}"`);
    return doc;
  }

  /** The whole page: fonts, stylesheet, the body. */
  page(name: DocumentName, view: unknown): string {
    const { className, html } = this.body(name, view);
    return this.print.page({
      fontCss: trusted(fontFaceCss(DOCUMENTS[name].font)),
      css: trusted(this.css),
      className,
      body: trusted(html),
    });
  }

  /** A document's body and the class of its body element. */
  body(name: DocumentName, view: unknown): { className: string; html: string } {
    return { className: `font-${DOCUMENTS[name].font} dokumen-${name}`, html: this.get(name).body(view) };
  }

  /**
   * An empty page with every font and the stylesheet, into which the renderer swaps document bodies: the fonts are
   * parsed once per page instead of once per document. `shellVersion` changes with the stylesheet.
   */
  shell(): string {
    return this.print.page({
      fontCss: trusted(`${fontFaceCss('tinos')}\n${fontFaceCss('arimo')}`),
      css: trusted(this.css),
    });
  }

  get shellVersion(): string {
    return (this.shellDigest ??= createHash('sha256').update(this.shell()).digest('hex'));
  }
  private shellDigest: string | undefined;

  /** Chromium's footerTemplate for a document. */
  footer(name: DocumentName, view: unknown): string {
    return this.print.footer({
      fontCss: trusted(footerFontCss(DOCUMENTS[name].font)),
      footer: trusted(this.footerTemplate(view)),
    });
  }

  /** Chromium's headerTemplate: empty. */
  emptyHeader(): string {
    return this.print.header({});
  }

  /** Chromium's footerTemplate of a printed export: "Halaman x dari y", inside the side margins (mm). */
  pageNumbers(margins: { left: number; right: number }): string {
    return this.print['page-numbers']({
      fontCss: trusted(footerFontCss('arimo')),
      left: margins.left,
      right: margins.right,
    });
  }

  /**
   * What a printed export's HTML gets: the project's fonts (right after its head opens) and an `@page` rule for the
   * paper and margins (mm, before its head closes, so that it wins over the export's own styles).
   */
  printSetup(page: {
    width: number;
    height: number;
    margins: { top: number; right: number; bottom: number; left: number };
  }): { fonts: string; pageSetup: string } {
    return {
      fonts: this.print.fonts({ fontCss: trusted(`${fontFaceCss('arimo')}\n${fontFaceCss('tinos')}`) }),
      pageSetup: this.print['page-setup']({ width: page.width, height: page.height, ...page.margins }),
    };
  }
}

/** The exports printed from data (`templates/exports`): the register, the annual report, the Lembar Perbandingan Naskah. */
export const EXPORT_NAMES = ['register', 'laporan-tahunan', 'perbandingan-naskah'] as const;
export type ExportName = (typeof EXPORT_NAMES)[number];

export const DEFAULT_EXPORT_DIR = fileURLToPath(new URL('../../templates/exports/', import.meta.url));

/**
 * The printed exports (`templates/exports`): one complete HTML document per export, with shared partials
 * (`partials/*.hbs`: the kop, the tabular report's stylesheet). Same rules as the document templates: built-in
 * helpers only, no unescaped output, every value escaped. The views are built in core/ (plain text only).
 */
export class ExportTemplates {
  private readonly exports = new Map<ExportName, Template>();

  constructor(readonly dir: string = DEFAULT_EXPORT_DIR) {
    const folder = new TemplateFolder(dir, 'documents', 'templates/exports');
    folder.partials('partials');
    for (const name of EXPORT_NAMES) this.exports.set(name, folder.load(`${name}.hbs`));
  }

  /** The whole HTML document of an export. */
  page(name: ExportName, view: unknown): string {
    const template = this.exports.get(name);
    if (!template) throw new TemplateError(`No export template "${name}"`);
    return template(view);
  }
}
