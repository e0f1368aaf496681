import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import type { EmailRenderer, EmailTemplate } from '../../core/case/case-runtime.ts';

/**
 * Handlebars templates for emails and pages (`templates/email`, `templates/pages`). Values are HTML-escaped by
 * default; templates get no helpers that evaluate code, and user text never becomes a template.
 *
 * An email template is its subject line, a line `---`, then the plain-text body. The HTML part is the same text
 * set in `_layout.html.hbs`, with its links made clickable, so the two parts never drift apart.
 */
export class Templates implements EmailRenderer {
  private readonly hbs = Handlebars.create();
  private readonly emails = new Map<
    string,
    { subject: HandlebarsTemplateDelegate; body: HandlebarsTemplateDelegate }
  >();
  private readonly pages = new Map<string, HandlebarsTemplateDelegate>();
  private readonly emailLayout: HandlebarsTemplateDelegate;
  private readonly pageLayout: HandlebarsTemplateDelegate;

  /** Only links under this base become clickable in emails: a URL typed by a pemohon stays plain text. */
  constructor(
    dir: string,
    private readonly linkBase: string = '',
  ) {
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    // For data inside <script>: JSON with "<" escaped so no value can close the script element.
    this.hbs.registerHelper(
      'json',
      (value: unknown) => new Handlebars.SafeString(JSON.stringify(value ?? null).replace(/</g, '\\u003c')),
    );
    const textOptions = { noEscape: true, strict: false } as const;
    for (const file of readdirSync(join(dir, 'email')).filter((f) => f.endsWith('.hbs') && !f.startsWith('_'))) {
      const source = readFileSync(join(dir, 'email', file), 'utf8');
      const split = source.indexOf('\n---\n');
      if (split < 0) throw new Error(`templates/email/${file}: expected "subject\\n---\\nbody"`);
      this.emails.set(basename(file, '.hbs'), {
        subject: this.hbs.compile(source.slice(0, split), textOptions),
        body: this.hbs.compile(source.slice(split + 5), textOptions),
      });
    }
    this.emailLayout = this.hbs.compile(readFileSync(join(dir, 'email', '_layout.html.hbs'), 'utf8'));
    for (const file of readdirSync(join(dir, 'pages')).filter((f) => f.endsWith('.hbs')))
      this.pages.set(basename(file, '.hbs'), this.hbs.compile(readFileSync(join(dir, 'pages', file), 'utf8')));
    const layout = this.pages.get('layout');
    if (!layout) throw new Error('templates/pages/layout.hbs is missing');
    this.pageLayout = layout;
  }

  render(template: EmailTemplate, model: Record<string, unknown>): { subject: string; text: string; html: string } {
    const compiled = this.emails.get(template);
    if (!compiled) throw new Error(`No email template "${template}"`);
    const subject = compiled.subject(model).replace(/\s+/g, ' ').trim().slice(0, 200);
    const text =
      compiled
        .body(model)
        .replace(/\n{3,}/g, '\n\n')
        .trim() + '\n';
    const paragraphs = text.split(/\n\s*\n/).map((p) => ({
      lines: p.split('\n').map((line) => ({ parts: linkify(line, this.linkBase) })),
    }));
    const html = this.emailLayout({ subject, paragraphs, url: typeof model.url === 'string' ? model.url : undefined });
    return { subject, text, html };
  }

  page(
    name: string,
    model: Record<string, unknown>,
    meta: { title: string; kop?: string; sesi?: { nama: string; peran: string; unit: string; csrf: string } },
  ): string {
    const page = this.pages.get(name);
    if (!page) throw new Error(`No page template "${name}"`);
    return this.pageLayout({ ...meta, body: page(model) });
  }
}

function linkify(line: string, base: string): { text: string; href?: string }[] {
  const parts: { text: string; href?: string }[] = [];
  let last = 0;
  for (const match of line.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    if (!base || !match[0].startsWith(`${base}/`)) continue;
    if (match.index > last) parts.push({ text: line.slice(last, match.index) });
    parts.push({ text: match[0], href: match[0] });
    last = match.index + match[0].length;
  }
  if (last < line.length) parts.push({ text: line.slice(last) });
  return parts;
}
