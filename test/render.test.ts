import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contohById } from './support/contoh.ts';
import { DOCUMENT_NAMES, type DocumentInput } from '../core/documents/index.ts';
import { isSepakatError } from '../core/errors.ts';
import { chromiumDirectory, chromiumPackageVersion } from '../functions/render/chromium.ts';
import { createRenderer, type Renderer } from '../functions/render/renderer.ts';
import { DEFAULT_TEMPLATE_DIR, DocumentTemplates, TemplateError } from '../functions/render/templates.ts';

/**
 * The renderer itself: one warm Chromium, bounded concurrency, recovery when Chromium dies, template versions,
 * escaping and the refusal of templates that could run code or print raw HTML.
 */
const HOSTILE = '<script>alert(1)</script>{{constructor}}';
const notaDinas = () => structuredClone(contohById('blitar-nota-dinas').data) as DocumentInput<'nota-dinas'>;

async function text(pdf: Uint8Array): Promise<string> {
  const doc = await getDocumentProxy(new Uint8Array(pdf));
  const { text } = await extractText(doc, { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

let renderer: Renderer;
beforeAll(() => {
  renderer = createRenderer({ maxConcurrency: 2 });
});
afterAll(async () => renderer?.close());

describe('createRenderer', () => {
  it('renders a PDF with its SHA-256, page count and template version', async () => {
    const result = await renderer.render('nota-dinas', notaDinas(), { paper: 'A4' });
    expect(Buffer.from(result.pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(result.sha256).toBe(createHash('sha256').update(result.pdf).digest('hex'));
    const doc = await getDocumentProxy(new Uint8Array(result.pdf));
    expect(result.pages).toBe(doc.numPages);
    expect(result.templateVersion).toMatch(/^[0-9a-f]{64}$/);
    expect(result.templateVersion).toBe(renderer.templateVersion('nota-dinas'));
  });

  it('prints F4 at 215 × 330 mm, portrait or landscape', async () => {
    const portrait = await renderer.render('nota-dinas', notaDinas(), { paper: 'F4' });
    const landscape = await renderer.render('nota-dinas', notaDinas(), { paper: 'F4', landscape: true });
    const view = async (pdf: Uint8Array) => (await (await getDocumentProxy(new Uint8Array(pdf))).getPage(1)).view;
    const [, , w, h] = await view(portrait.pdf);
    expect(Math.abs(w! - 609.4)).toBeLessThan(1.5);
    expect(Math.abs(h! - 935.4)).toBeLessThan(1.5);
    const [, , lw, lh] = await view(landscape.pdf);
    expect(Math.abs(lw! - 935.4)).toBeLessThan(1.5);
    expect(Math.abs(lh! - 609.4)).toBeLessThan(1.5);
  });

  it('keeps the unpacked Chromium in a directory of its own version', async () => {
    await renderer.render('nota-dinas', notaDinas(), { paper: 'A4' });
    const version = chromiumPackageVersion();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    const dir = chromiumDirectory(tmpdir());
    expect(dir.endsWith(`sepakat-chromium-${version}`)).toBe(true);
    expect(existsSync(join(dir, 'chromium'))).toBe(true);
  });

  it('prints hostile user text as text: no markup, no template expression', async () => {
    const data = notaDinas();
    data.hal = HOSTILE;
    data.isi = [HOSTILE, `"quoted" & 'single' <b>bold</b>`];
    data.kepada = `${HOSTILE} <img src=x onerror=alert(2)>`;
    const html = await renderer.html('nota-dinas', data, { paper: 'A4' });
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;{{constructor}}');
    const printed = await text((await renderer.render('nota-dinas', data, { paper: 'A4' })).pdf);
    expect(printed).toContain(`Hal : ${HOSTILE}`);
    expect(printed).toContain(`"quoted" & 'single' <b>bold</b>`);
    expect(printed).toContain('<img src=x onerror=alert(2)>');
  });

  it('rejects input that fails the document schema, naming the field', async () => {
    const data = notaDinas() as Record<string, unknown>;
    delete data.nomor;
    const error = await renderer.render('nota-dinas', data as never, { paper: 'A4' }).catch((e: unknown) => e);
    expect(isSepakatError(error, 'Sepakat.BadInput')).toBe(true);
    expect((error as Error).message).toContain('nomor');
    const unknown = await renderer
      .render('surat-cinta' as never, {} as never, { paper: 'A4' })
      .catch((e: unknown) => e);
    expect(isSepakatError(unknown, 'Sepakat.BadInput')).toBe(true);
    const lambang = notaDinas();
    lambang.kop.lambang = 'https://example.com/lambang.png';
    await expect(renderer.render('nota-dinas', lambang, { paper: 'A4' })).rejects.toThrow(/lambang/);
  });

  it('requires NIP and pangkat of officials below the Sekda, not of the kepala daerah', async () => {
    const data = notaDinas();
    delete (data.penandatangan as { nip?: string }).nip;
    await expect(renderer.render('nota-dinas', data, { paper: 'A4' })).rejects.toThrow(/penandatangan\.nip/);
    const bupati = notaDinas();
    bupati.penandatangan = { jabatan: 'BUPATI BLITAR', nama: 'Drs. H. Rijanto, M.M.', tingkat: 'kepala-daerah' };
    const printed = await text((await renderer.render('nota-dinas', bupati, { paper: 'A4' })).pdf);
    expect(printed).toContain('BUPATI BLITAR, Drs. H. Rijanto, M.M.');
    expect(printed).not.toContain('NIP.');
  });

  it('never runs more renders at once than maxConcurrency; the rest wait in order', async () => {
    const before = renderer.stats();
    const jobs = Array.from({ length: 8 }, (_, i) => {
      const data = notaDinas();
      data.nomor = `000.5.4/${i + 1}/409.1.1/2026`;
      return renderer.render('nota-dinas', data, { paper: 'A4' });
    });
    const during = renderer.stats();
    expect(during.active).toBe(2);
    expect(during.queued).toBe(6);
    const results = await Promise.all(jobs);
    const after = renderer.stats();
    expect(after.peakActive).toBe(2);
    expect(after.active).toBe(0);
    expect(after.renders - before.renders).toBe(8);
    const printed = await Promise.all(results.map((r) => text(r.pdf)));
    printed.forEach((t, i) => expect(t).toContain(`Nomor : 000.5.4/${i + 1}/409.1.1/2026`));
    // One warm browser served them all.
    expect(after.launches).toBe(before.launches);
  });

  it('reuses pages without carrying anything from one document into the next', async () => {
    const single = createRenderer({ maxConcurrency: 1 });
    try {
      const kb = await single.render('kesepakatan-bersama', contohById('kota-kesepakatan-bersama').data as never, {
        paper: 'F4',
      });
      const nd = await single.render('nota-dinas', notaDinas(), { paper: 'A4' });
      const printed = await text(nd.pdf);
      expect(await text(kb.pdf)).toContain('PIHAK KESATU');
      expect(printed).toContain('NOTA DINAS');
      expect(printed).not.toMatch(/PIHAK|Pasal|Meterai/);
      expect(nd.pages).toBe(1);
    } finally {
      await single.close();
    }
  });
});

describe('when Chromium dies', () => {
  it('launches a new browser for the next render after the old one was killed', async () => {
    await renderer.render('nota-dinas', notaDinas(), { paper: 'A4' });
    const { pid, launches } = renderer.stats();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    const result = await renderer.render('nota-dinas', notaDinas(), { paper: 'A4' });
    expect(result.pages).toBe(1);
    expect(renderer.stats().launches).toBe(launches + 1);
    expect(renderer.stats().pid).not.toBe(pid);
  });

  it('retries a render once when the browser dies in the middle of it', async () => {
    const killed: number[] = [];
    const fragile = createRenderer({
      maxConcurrency: 1,
      faults: {
        point: (_name, { attempt, pid }) => {
          // Kill the browser right before page.pdf() on the first attempt only.
          if (attempt === 1 && pid) {
            killed.push(pid);
            process.kill(pid, 'SIGKILL');
          }
        },
      },
    });
    try {
      const result = await fragile.render('kesepakatan-bersama', contohById('kota-kesepakatan-bersama').data as never, {
        paper: 'F4',
      });
      expect(killed).toHaveLength(1);
      expect(result.pages).toBeGreaterThan(1);
      expect(await text(result.pdf)).toContain('KESEPAKATAN BERSAMA');
      const stats = fragile.stats();
      expect(stats.retries).toBe(1);
      expect(stats.launches).toBe(2);
    } finally {
      await fragile.close();
    }
  });

  it('gives up after one retry when the browser keeps dying', async () => {
    const doomed = createRenderer({
      faults: { point: (_name, { pid }) => void (pid && process.kill(pid, 'SIGKILL')) },
    });
    try {
      await expect(doomed.render('nota-dinas', notaDinas(), { paper: 'A4' })).rejects.toThrow();
      expect(doomed.stats().retries).toBe(1);
    } finally {
      await doomed.close();
    }
  });
});

describe('document templates', () => {
  let copy: string;
  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'sepakat-templates-'));
    cpSync(DEFAULT_TEMPLATE_DIR, copy, { recursive: true });
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('version each document by its template, the partials, the stylesheet and the footer', () => {
    const a = new DocumentTemplates();
    const versions = DOCUMENT_NAMES.map((n) => a.get(n).version);
    expect(new Set(versions).size).toBe(DOCUMENT_NAMES.length);
    expect(new DocumentTemplates(copy).get('nota-dinas').version).toBe(a.get('nota-dinas').version);

    const partial = join(copy, 'partials', 'ttd.hbs');
    const original = readFileSync(partial, 'utf8');
    try {
      writeFileSync(partial, `${original}\n`);
      const b = new DocumentTemplates(copy);
      for (const n of DOCUMENT_NAMES) expect(b.get(n).version).not.toBe(a.get(n).version);
    } finally {
      writeFileSync(partial, original);
    }
    const own = join(copy, 'nota-dinas.hbs');
    const source = readFileSync(own, 'utf8');
    try {
      writeFileSync(own, source.replace('NOTA DINAS', 'NOTA  DINAS'));
      const c = new DocumentTemplates(copy);
      expect(c.get('nota-dinas').version).not.toBe(a.get('nota-dinas').version);
      expect(c.get('surat-undangan').version).toBe(a.get('surat-undangan').version);
    } finally {
      writeFileSync(own, source);
    }
  });

  it.each([
    ['raw output', '{{{hal}}}'],
    ['raw output (ampersand)', '{{& hal}}'],
  ])('refuse a template with %s', (_what, snippet) => {
    const own = join(copy, 'nota-dinas.hbs');
    const source = readFileSync(own, 'utf8');
    try {
      writeFileSync(own, `${source}${snippet}`);
      expect(() => new DocumentTemplates(copy)).toThrow(TemplateError);
    } finally {
      writeFileSync(own, source);
    }
  });

  it.each([
    ['an unknown helper', '{{eval "1+1"}}'],
    ['a block helper that is not built in', '{{#constructor}}x{{/constructor}}'],
    ['lookup', '{{lookup this "constructor"}}'],
    ['log', '{{log hal}}'],
  ])('refuse a template that calls %s', (_what, snippet) => {
    const own = join(copy, 'nota-dinas.hbs');
    const source = readFileSync(own, 'utf8');
    try {
      writeFileSync(own, `${source}${snippet}`);
      expect(() => new DocumentTemplates(copy)).toThrow();
    } finally {
      writeFileSync(own, source);
    }
  });

  it('do not reach prototype properties, even when a template asks for them', () => {
    const own = join(copy, 'nota-dinas.hbs');
    const source = readFileSync(own, 'utf8');
    try {
      writeFileSync(
        own,
        `${source}<p id="p">[{{hal.constructor}}|{{constructor.name}}|{{kop.__proto__}}|{{hal.length}}]</p>`,
      );
      const t = new DocumentTemplates(copy);
      const html = t.page('nota-dinas', { kop: { utama: 'X', lain: [] }, hal: 'abc', ttd: {}, footer: {} });
      expect(html).toContain('[|||3]');
      expect(html).not.toContain('function');
    } finally {
      writeFileSync(own, source);
    }
  });
});
