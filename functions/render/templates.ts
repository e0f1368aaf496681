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

export class DocumentTemplates {
  private readonly hbs = Handlebars.create();
  private readonly documents = new Map<DocumentName, CompiledDocument>();
  private readonly footerTemplate: HandlebarsTemplateDelegate;
  readonly css: string;

  constructor(readonly dir: string = DEFAULT_TEMPLATE_DIR) {
    // Nothing but the built-ins: remove the two that could leak information (log) or read arbitrary keys.
    this.hbs.unregisterHelper('log');
    this.hbs.unregisterHelper('lookup');
    this.hbs.unregisterHelper('helperMissing');
    this.hbs.unregisterHelper('blockHelperMissing');

    const read = (file: string) => {
      const source = readFileSync(join(dir, file), 'utf8');
      if (/\{\{\{|\{\{~?\s*&/.test(source))
        throw new TemplateError(`templates/documents/${file}: unescaped output ({{{ }}} or {{& }}) is not allowed`);
      return source;
    };
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
        body: (view) =>
          template(view, {
            allowProtoMethodsByDefault: false,
            allowProtoPropertiesByDefault: false,
          }),
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
