import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { DOCUMENT_NAMES, DOCUMENTS, type DocumentName } from '../../core/documents/index.ts';
import { fontFaceCss, footerFontCss } from './fonts.ts';

/**
 * The document templates (`templates/documents`): one Handlebars file per document, shared partials
 * (`partials/*.hbs`), the print stylesheet (`document.css`) and the page footer (`_footer.hbs`).
 *
 * Templates cannot run code: they are compiled by an isolated Handlebars instance with no custom helpers
 * (`knownHelpersOnly`: only if/unless/each/with), prototype access stays forbidden (Handlebars' default), and a
 * template that writes unescaped output (`{{{…}}}` or `{{&…}}`) is refused at load. Every value is HTML-escaped;
 * user text is only ever data, never a template.
 *
 * `templateVersion` is the SHA-256 of everything that shapes the output: the document's template, every partial,
 * the stylesheet and the footer, so a stored PDF names exactly the sources it came from.
 */
export const DEFAULT_TEMPLATE_DIR = fileURLToPath(new URL('../../templates/documents/', import.meta.url));

/** Helpers a template may call: the built-ins only. Adding one here is a security decision. */
const KNOWN_HELPERS = { if: true, unless: true, each: true, with: true } as const;

const COMPILE_OPTIONS = {
  knownHelpers: KNOWN_HELPERS,
  knownHelpersOnly: true,
  noEscape: false,
  strict: false,
  preventIndent: true,
} as const;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export interface CompiledDocument {
  readonly name: DocumentName;
  readonly version: string;
  body(view: unknown): string;
}

/** A Handlebars instance with nothing but the built-ins: the two that could leak information (log) or read arbitrary keys are removed. */
function hardenedHandlebars(): typeof Handlebars {
  const hbs = Handlebars.create();
  hbs.unregisterHelper('log');
  hbs.unregisterHelper('lookup');
  hbs.unregisterHelper('helperMissing');
  hbs.unregisterHelper('blockHelperMissing');
  return hbs;
}

/** A template's source; one that writes unescaped output (`{{{…}}}` or `{{&…}}`) is refused. */
function readTemplate(dir: string, file: string, folder: string): string {
  const source = readFileSync(join(dir, file), 'utf8');
  if (/\{\{\{|\{\{~?\s*&/.test(source))
    throw new TemplateError(`templates/${folder}/${file}: unescaped output ({{{ }}} or {{& }}) is not allowed`);
  return source;
}

const RUNTIME_OPTIONS = { allowProtoMethodsByDefault: false, allowProtoPropertiesByDefault: false } as const;

export class DocumentTemplates {
  private readonly hbs = hardenedHandlebars();
  private readonly documents = new Map<DocumentName, CompiledDocument>();
  private readonly footerTemplate: HandlebarsTemplateDelegate;
  readonly css: string;

  constructor(readonly dir: string = DEFAULT_TEMPLATE_DIR) {
    const read = (file: string) => readTemplate(dir, file, 'documents');
    const partialFiles = readdirSync(join(dir, 'partials'))
      .filter((f) => f.endsWith('.hbs'))
      .sort();
    const shared = createHash('sha256');
    for (const file of partialFiles) {
      const source = read(join('partials', file));
      shared.update(`partial:${file}\0${source}\0`);
      this.hbs.registerPartial(basename(file, '.hbs'), this.hbs.compile(source, COMPILE_OPTIONS));
    }
    this.css = readFileSync(join(dir, 'document.css'), 'utf8');
    shared.update(`css\0${this.css}\0`);
    const footerSource = read('_footer.hbs');
    shared.update(`footer\0${footerSource}\0`);
    this.footerTemplate = this.hbs.compile(footerSource, COMPILE_OPTIONS);
    const sharedDigest = shared.digest('hex');

    for (const name of DOCUMENT_NAMES) {
      const source = read(`${name}.hbs`);
      const template = this.hbs.compile(source, COMPILE_OPTIONS);
      // Compile now, so a template that calls an unknown helper fails at start-up, not at the first render.
      template({});
      const version = createHash('sha256').update(`document:${name}\0${source}\0shared:${sharedDigest}`).digest('hex');
      this.documents.set(name, {
        name,
        version,
        body: (view) => template(view, RUNTIME_OPTIONS),
      });
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
    const font = DOCUMENTS[name].font;
    return (
      '<!doctype html><html lang="id"><head><meta charset="utf-8">' +
      `<style>${fontFaceCss(font)}</style><style>${this.css}</style></head>` +
      `<body class="${className}">${html}</body></html>`
    );
  }

  /** A document's body and the class of its <body> element. */
  body(name: DocumentName, view: unknown): { className: string; html: string } {
    return { className: `font-${DOCUMENTS[name].font} dokumen-${name}`, html: this.get(name).body(view) };
  }

  /**
   * An empty page with every font and the stylesheet, into which the renderer swaps document bodies: the fonts are
   * parsed once per page instead of once per document. `shellVersion` changes with the stylesheet.
   */
  shell(): string {
    return (
      '<!doctype html><html lang="id"><head><meta charset="utf-8">' +
      `<style>${fontFaceCss('tinos')}\n${fontFaceCss('arimo')}</style><style>${this.css}</style></head><body></body></html>`
    );
  }

  get shellVersion(): string {
    return (this.shellDigest ??= createHash('sha256').update(this.shell()).digest('hex'));
  }
  private shellDigest: string | undefined;

  /** Chromium's footerTemplate for a document. */
  footer(name: DocumentName, view: unknown): string {
    return `<style>${footerFontCss(DOCUMENTS[name].font)}</style>${this.footerTemplate(view)}`;
  }
}

/** The exports printed from data (`templates/exports`): the register and the annual report. */
export const EXPORT_NAMES = ['register', 'laporan-tahunan'] as const;
export type ExportName = (typeof EXPORT_NAMES)[number];

export const DEFAULT_EXPORT_DIR = fileURLToPath(new URL('../../templates/exports/', import.meta.url));

/**
 * The printed exports (`templates/exports`): one complete HTML document per export, with shared partials
 * (`partials/*.hbs`: the kop, the tabular report's stylesheet). Same rules as the document templates: built-in
 * helpers only, no unescaped output, every value escaped. The views are built in core/ (plain text only).
 */
export class ExportTemplates {
  private readonly hbs = hardenedHandlebars();
  private readonly exports = new Map<ExportName, HandlebarsTemplateDelegate>();

  constructor(readonly dir: string = DEFAULT_EXPORT_DIR) {
    for (const file of readdirSync(join(dir, 'partials'))
      .filter((f) => f.endsWith('.hbs'))
      .sort())
      this.hbs.registerPartial(
        basename(file, '.hbs'),
        this.hbs.compile(readTemplate(dir, join('partials', file), 'exports'), COMPILE_OPTIONS),
      );
    for (const name of EXPORT_NAMES) {
      const template = this.hbs.compile(readTemplate(dir, `${name}.hbs`, 'exports'), COMPILE_OPTIONS);
      template({});
      this.exports.set(name, template);
    }
  }

  /** The whole HTML document of an export. */
  page(name: ExportName, view: unknown): string {
    const template = this.exports.get(name);
    if (!template) throw new TemplateError(`No export template "${name}"`);
    return template(view, RUNTIME_OPTIONS);
  }
}
