import { join } from 'node:path';
import type { EmailRenderer, EmailTemplate } from '../../core/case/case-runtime.ts';
import { TemplateFolder, type Template } from '../render/handlebars.ts';

/**
 * Handlebars templates for emails and pages (`templates/email`, `templates/pages`), loaded through the one loader
 * (functions/render/handlebars.ts) under its `pages` rules: values HTML-escaped by default, the `eq` and `json`
 * helpers, none that evaluates code; user text never becomes a template.
 *
 * An email template is its subject line, a line `---`, then the plain-text body. The HTML part is the same text
 * set in `_layout.html.hbs`, with its links made clickable, so the two parts never drift apart.
 */
export class Templates implements EmailRenderer {
  private readonly emails = new Map<string, { subject: Template; body: Template }>();
  private readonly pages = new Map<string, Template>();
  private readonly emailLayout: Template;
  private readonly pageLayout: Template;

  /** Only links under this base become clickable in emails: a URL typed by a pemohon stays plain text. */
  constructor(
    dir: string,
    private readonly linkBase: string = '',
  ) {
    const folder = new TemplateFolder(dir, 'pages', 'templates');
    for (const file of folder.files('email')) {
      const source = folder.read(join('email', file));
      const split = source.indexOf('\n---\n');
      if (split < 0) throw new Error(`templates/email/${file}: expected "subject\\n---\\nbody"`);
      this.emails.set(file.slice(0, -'.hbs'.length), {
        subject: folder.compile(source.slice(0, split), { text: true }),
        body: folder.compile(source.slice(split + 5), { text: true }),
      });
    }
    this.emailLayout = folder.load(join('email', '_layout.html.hbs'));
    // Sections a page includes by name (`{{> tugas-dokumen}}`): templates/pages/partials/<name>.hbs.
    folder.partials(join('pages', 'partials'));
    for (const file of folder.files('pages', { private: true }))
      this.pages.set(file.slice(0, -'.hbs'.length), folder.load(join('pages', file)));
    const layout = this.pages.get('layout');
    if (!layout) throw new Error('templates/pages/layout.hbs is missing');
    this.pageLayout = layout;
  }

  render(template: EmailTemplate, model: Record<string, unknown>): { subject: string; text: string; html: string } {
    const compiled = this.emails.get(template);
    if (!compiled) throw new Error(`No email template "${template}"`);
    const subject = cutAtWord(compiled.subject(model).replace(/\s+/g, ' ').trim(), MAX_SUBJECT);
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

/** An email subject's length at most (mail clients show less; the case number and step come first). */
export const MAX_SUBJECT = 200;

/** A line cut to at most `max` characters at a word, marked with "…" (never mid-word, as "(Kerj"). */
export function cutAtWord(line: string, max: number): string {
  const chars = [...line];
  if (chars.length <= max) return line;
  const head = chars.slice(0, max - 1).join('');
  const space = head.lastIndexOf(' ');
  // A word longer than half the line is cut where it must be.
  return `${(space > head.length / 2 ? head.slice(0, space) : head).replace(/[\s,;:(\-–—]+$/, '')}…`;
}
