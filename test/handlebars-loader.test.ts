import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemplateError, TemplateFolder, trusted } from '../functions/render/handlebars.ts';
import { DEFAULT_TEMPLATE_DIR, DocumentTemplates } from '../functions/render/templates.ts';

/**
 * The one Handlebars loader (functions/render/handlebars.ts): the two sets of rules (pages and emails; documents,
 * exports, charts and the print pieces) on small template folders, and the document page shell and print pieces
 * that moved out of the code into templates/documents/chromium.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sepakat-hbs-'));
  mkdirSync(join(dir, 'partials'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (file: string, source: string) => writeFileSync(join(dir, file), source);

describe('pages rules', () => {
  it('escape every value by default and offer eq and a json that cannot close a script element', () => {
    // Arrange
    write(
      'halaman.hbs',
      '<p title="{{judul}}">{{judul}}</p>{{#if (eq jenis "a")}}A{{/if}}<script>var d = {{{json data}}};</script>',
    );
    const folder = new TemplateFolder(dir, 'pages');

    // Act
    const html = folder.load('halaman.hbs')({ judul: '<b>"x" & y</b>', jenis: 'a', data: { s: '</script><i>' } });

    // Assert
    expect(html).toBe(
      '<p title="&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;">&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;</p>A' +
        '<script>var d = {"s":"\\u003c/script>\\u003ci>"};</script>',
    );
  });

  it('leave plain text (an email) unescaped, and only under pages rules', () => {
    const pages = new TemplateFolder(dir, 'pages');
    expect(pages.compile('Yth. {{nama}} & rekan', { text: true })({ nama: 'Budi <Kabag>' })).toBe(
      'Yth. Budi <Kabag> & rekan',
    );
    expect(() => new TemplateFolder(dir, 'documents').compile('{{x}}', { text: true })).toThrow(TemplateError);
  });

  it('do not reach prototype properties', () => {
    const folder = new TemplateFolder(dir, 'pages');
    expect(folder.compile('[{{x.constructor}}|{{constructor.name}}|{{x.length}}]')({ x: 'abc' })).toBe('[||3]');
  });
});

describe('documents rules', () => {
  it('refuse unescaped output and unknown helpers when the template is loaded, not when it is first used', () => {
    write('mentah.hbs', '<p>{{{isi}}}</p>');
    write('ampersand.hbs', '<p>{{& isi}}</p>');
    write('pembantu.hbs', '<p>{{eq a b}}</p>');
    write('cari.hbs', '<p>{{lookup this "constructor"}}</p>');
    const folder = new TemplateFolder(dir, 'documents', 'templates/uji');
    expect(() => folder.load('mentah.hbs')).toThrow(/templates\/uji\/mentah\.hbs: unescaped output/);
    expect(() => folder.load('ampersand.hbs')).toThrow(TemplateError);
    expect(() => folder.load('pembantu.hbs')).toThrow();
    expect(() => folder.load('cari.hbs')).toThrow();
  });

  it('write markup only when the code marks it trusted, and share partials with partial blocks', () => {
    // Arrange
    write('partials/bingkai.hbs', '<div class="{{kelas}}">{{> @partial-block}}</div>');
    write('isi.hbs', '{{#> bingkai}}<p>{{teks}}</p>{{dipercaya}}{{/bingkai}}');
    const folder = new TemplateFolder(dir, 'documents');
    expect(folder.partials().map((p) => p.file)).toEqual(['bingkai.hbs']);

    // Act
    const html = folder.load('isi.hbs')({ kelas: 'a"b', teks: '<i>', dipercaya: trusted('<hr>') });

    // Assert
    expect(html).toBe('<div class="a&quot;b"><p>&lt;i&gt;</p><hr></div>');
  });
});

describe('document page shell and print pieces (templates/documents/chromium)', () => {
  let copy: string;
  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'sepakat-templates-'));
    cpSync(DEFAULT_TEMPLATE_DIR, copy, { recursive: true });
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('build the page, the shell, the header and the page numbers from templates', () => {
    const t = new DocumentTemplates();
    const page = t.page('nota-dinas', { kop: { utama: 'X', lain: [] }, hal: 'abc', ttd: {}, footer: {} });
    expect(page).toMatch(/^<!doctype html><html lang="id"><head><meta charset="utf-8"><style>@font-face/);
    expect(page).toContain('<body class="font-arimo dokumen-nota-dinas">');
    expect(page.endsWith('</body></html>')).toBe(true);
    expect(t.shell()).toMatch(/<\/style><\/head><body><\/body><\/html>$/);
    expect(t.emptyHeader()).toBe('<span></span>');
    expect(t.pageNumbers({ left: 12, right: 12.5 })).toContain(
      "padding:0 12.5mm 0 12mm;font-family:'Arimo',sans-serif;font-size:7pt;text-align:right;color:#000\">" +
        'Halaman <span class="pageNumber"></span> dari <span class="totalPages"></span></div>',
    );
    expect(t.printSetup({ width: 330, height: 215, margins: { top: 1, right: 2, bottom: 3, left: 4 } }).pageSetup).toBe(
      '<style>@page { size: 330mm 215mm; margin: 1mm 2mm 3mm 4mm; }</style>',
    );
  });

  it('count the print pieces in every document version', () => {
    const before = new DocumentTemplates(copy).get('nota-dinas').version;
    const shell = join(copy, 'chromium', 'page.hbs');
    const source = readFileSync(shell, 'utf8');
    try {
      writeFileSync(
        shell,
        source.replace('<meta charset="utf-8">', '<meta charset="utf-8"><meta name="x" content="y">'),
      );
      expect(new DocumentTemplates(copy).get('nota-dinas').version).not.toBe(before);
    } finally {
      writeFileSync(shell, source);
    }
  });
});
