import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { formatCaseNumber } from '../../core/case/case-number.ts';
import { stepLabel } from '../../core/sop/step-label.ts';

/**
 * The one Handlebars loader of the project: every template (pages, emails, documents, exports, charts, the local
 * outbox) is read and compiled through a `TemplateFolder`, under one of two sets of rules.
 *
 * - `pages` (web pages and emails): every value HTML-escaped by default; the helpers `eq` (a comparison), `json`
 *   (data for a script element, with `<` escaped so no value can close it), `labelLangkah` (a step's label,
 *   "Langkah 5 — …", core/sop/step-label.ts) and `nomorKasus` (a case id grouped for reading aloud,
 *   core/case/case-number.ts). A page may write markup that the code built (`{{{body}}}` of the layout). A helper's
 *   name hides a model field of the same name (`{{langkah}}` would call a helper `langkah`), so helpers have names
 *   no model uses.
 * - `documents` (documents, exports, charts, the print pieces): an isolated instance with nothing but the built-in
 *   block helpers (`knownHelpersOnly`: if/unless/each/with; log, lookup and the missing-helper hooks removed); a
 *   template that writes unescaped output (`{{{…}}}` or `{{&…}}`) is refused at load. Markup that the code built
 *   (the body of a document, a stylesheet) enters only as `trusted(…)`, a decision made in code.
 *
 * Both: prototype properties and methods stay out of reach at run time, no helper evaluates code, and user text is
 * only ever data, never a template.
 */
export type TemplateRules = 'pages' | 'documents';

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** A compiled template: a view in, text out. */
export type Template = (view: unknown) => string;

/** Markup built by the code (not by a user), written as is where a template names it. */
export const trusted = (markup: string): unknown => new Handlebars.SafeString(markup);

/** The built-ins a `documents` template may call. Adding one here is a security decision. */
const KNOWN_HELPERS = { if: true, unless: true, each: true, with: true } as const;

const DOCUMENT_COMPILE = {
  knownHelpers: KNOWN_HELPERS,
  knownHelpersOnly: true,
  noEscape: false,
  strict: false,
  preventIndent: true,
} as const;

/** Plain text (an email's subject and body): no HTML escaping. Pages rules only. */
const TEXT_COMPILE = { noEscape: true, strict: false } as const;

const RUNTIME = { allowProtoMethodsByDefault: false, allowProtoPropertiesByDefault: false } as const;

function instanceFor(rules: TemplateRules): typeof Handlebars {
  const hbs = Handlebars.create();
  if (rules === 'pages') {
    hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    hbs.registerHelper(
      'json',
      (value: unknown) => new Handlebars.SafeString(JSON.stringify(value ?? null).replace(/</g, '\\u003c')),
    );
    hbs.registerHelper('labelLangkah', (no: unknown, text: unknown) =>
      stepLabel(typeof no === 'string' ? no : undefined, typeof text === 'string' ? text : ''),
    );
    hbs.registerHelper('nomorKasus', (caseId: unknown) => (typeof caseId === 'string' ? formatCaseNumber(caseId) : ''));
  } else {
    hbs.unregisterHelper('log');
    hbs.unregisterHelper('lookup');
    hbs.unregisterHelper('helperMissing');
    hbs.unregisterHelper('blockHelperMissing');
  }
  return hbs;
}

/** One folder of templates under one set of rules, with its own Handlebars instance (and so its own partials). */
export class TemplateFolder {
  private readonly hbs: typeof Handlebars;

  /** `label` names the folder in errors (e.g. `templates/documents`). */
  constructor(
    readonly dir: string,
    readonly rules: TemplateRules,
    private readonly label: string = dir,
  ) {
    this.hbs = instanceFor(rules);
  }

  /** The `.hbs` files of the folder (or of a subfolder), sorted; `_`-prefixed ones are left out unless asked. */
  files(sub = '', options: { private?: boolean } = {}): string[] {
    return readdirSync(join(this.dir, sub))
      .filter((f) => f.endsWith('.hbs') && (options.private || !f.startsWith('_')))
      .sort();
  }

  /** A template's source (`file` relative to the folder); under `documents` rules, unescaped output is refused. */
  read(file: string): string {
    const source = readFileSync(join(this.dir, file), 'utf8');
    if (this.rules === 'documents' && /\{\{\{|\{\{~?\s*&/.test(source))
      throw new TemplateError(`${this.label}/${file}: unescaped output ({{{ }}} or {{& }}) is not allowed`);
    return source;
  }

  /**
   * Compiles a source under the folder's rules; `text` (pages rules only) leaves values unescaped, for plain text.
   * Under `documents` rules the template is compiled at once, so that one calling an unknown helper fails at
   * start-up, not at its first use (its partials must be registered first).
   */
  compile(source: string, options: { text?: boolean } = {}): Template {
    if (options.text && this.rules !== 'pages') throw new TemplateError(`${this.label}: plain text is for emails only`);
    const compiled = this.hbs.compile(
      source,
      this.rules === 'documents' ? DOCUMENT_COMPILE : options.text ? TEXT_COMPILE : undefined,
    );
    const template: Template = (view) => compiled(view, RUNTIME);
    if (this.rules === 'documents') template({});
    return template;
  }

  /** Reads and compiles one template (`file` relative to the folder). */
  load(file: string): Template {
    return this.compile(this.read(file));
  }

  /** Registers every `.hbs` of a subfolder as a partial named after its file; returns each file with its source. */
  partials(sub = 'partials'): { file: string; source: string }[] {
    return this.files(sub, { private: true }).map((file) => {
      const source = this.read(join(sub, file));
      this.hbs.registerPartial(
        file.slice(0, -'.hbs'.length),
        this.hbs.compile(source, this.rules === 'documents' ? DOCUMENT_COMPILE : undefined),
      );
      return { file, source };
    });
  }
}
