import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFSignature, PDFTextField } from 'pdf-lib';
import { getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contohById } from './support/contoh.ts';
import { isSepakatError } from '../core/errors.ts';
import { createRenderer } from '../functions/render/renderer.ts';
import { DevelopmentPki, type LocalSigner } from '../functions/signing/dev-pki.ts';
import {
  IncrementalUpdate,
  PdfDict,
  pdfName,
  PdfStream,
  pdfText,
  serialize,
  textOf,
  type PdfValue,
} from '../functions/signing/pdf-incremental.ts';
import { addSecondSignature, preparePdfForSigning, signPdf } from '../functions/signing/sign-pdf.ts';
import { findSignatureFields, verifyPdfSignatures } from '../functions/signing/verify.ts';

/**
 * The incremental-update writer that every signature goes through: what it appends is read back independently of
 * it (a regex over the raw bytes, pdf-lib, pdf.js through unpdf and, where installed, qpdf --check).
 */

const QPDF = spawnSync('qpdf', ['--version'], { encoding: 'utf8' }).status === 0;
const OPTIONS = {
  reason: 'Menandatangani',
  location: 'Kota Contoh',
  contactInfo: 'uji@contoh.test',
  signingTime: new Date(),
};

let dir: string;
let pki: DevelopmentPki;
let walikota: LocalSigner;
let bupati: LocalSigner;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sepakat-incremental-'));
  pki = await DevelopmentPki.open({ dir: join(dir, 'pki'), now: () => new Date() });
  [walikota, bupati] = await Promise.all([
    pki.signerFor({ id: 'walikota', nama: 'Walikota Uji', jabatan: 'Walikota' }),
    pki.signerFor({ id: 'bupati', nama: 'Bupati Mitra', jabatan: 'Bupati' }),
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A small PDF written by hand with a classic table: catalog 1 (optionally with `catalogExtra`), pages 2, page 3
 * (optionally with `pageExtra`), info 4, then `objects` from 5 on. `sloppy` puts whitespace between the offset
 * `startxref` names and `xref`, and points the page's entry two bytes before its object, as careless writers do.
 */
function handMade(
  options: {
    catalogExtra?: string;
    pageExtra?: string;
    objects?: string[];
    trailerExtra?: string;
    sloppy?: boolean;
  } = {},
): Uint8Array {
  const bodies = [
    `<< /Type /Catalog /Pages 2 0 R ${options.catalogExtra ?? ''}>>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] ${options.pageExtra ?? ''}>>`,
    '<< /Producer (uji) >>',
    ...(options.objects ?? []),
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  bodies.forEach((body, i) => {
    if (options.sloppy && i === 2) out += '\n\n';
    offsets.push(out.length - (options.sloppy && i === 2 ? 2 : 0));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = out.length;
  if (options.sloppy) out += '\n';
  out += `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R /Info 4 0 R ${options.trailerExtra ?? ''}>>\n`;
  out += `startxref\n${xrefAt}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

interface Section {
  startxref: number;
  entries: { num: number; offset: number; gen: number; inUse: boolean }[];
  trailer: string;
}

/** The last cross-reference section and trailer, read with regexes only (not with the writer's own reader). */
function lastSection(pdf: Uint8Array): Section {
  const text = Buffer.from(pdf).toString('latin1');
  const tail = /startxref\n(\d+)\n%%EOF\n$/.exec(text);
  expect(tail, 'the file ends with startxref, its offset and %%EOF').not.toBeNull();
  const startxref = Number(tail![1]);
  expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
  const trailerAt = text.indexOf('trailer\n', startxref);
  const table = text.slice(startxref + 5, trailerAt);
  const entries: Section['entries'] = [];
  const lines = /(\d+) (\d+)\n((?:\d{10} \d{5} [nf] \n)+)/gy;
  let consumed = 0;
  for (const match of table.matchAll(lines)) {
    const [first, count, rows] = [Number(match[1]), Number(match[2]), match[3]!];
    expect(rows.length).toBe(20 * count);
    for (let k = 0; k < count; k++) {
      const row = rows.slice(20 * k, 20 * k + 20);
      entries.push({
        num: first + k,
        offset: Number(row.slice(0, 10)),
        gen: Number(row.slice(11, 16)),
        inUse: row[17] === 'n',
      });
    }
    consumed += match[0].length;
  }
  expect(consumed, 'the section is subsections of 20-byte entries, nothing else').toBe(table.length);
  return { startxref, entries, trailer: text.slice(trailerAt, text.lastIndexOf('startxref')) };
}

/** What the last `startxref` says, in any file (pdf-lib's own end of file included). */
const startxrefOf = (pdf: Uint8Array) =>
  Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(Buffer.from(pdf).toString('latin1'))![1]);

const trailerNumber = (section: Section, key: string) =>
  Number(new RegExp(`/${key} (\\d+)`).exec(section.trailer)?.[1]);

function highestObjectNumber(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString('latin1');
  return Math.max(...[...text.matchAll(/(?:^|[\r\n])(\d+) \d+ obj\b/g)].map((m) => Number(m[1])));
}

function expectEntriesPointAtObjects(pdf: Uint8Array, section: Section): void {
  const text = Buffer.from(pdf).toString('latin1');
  for (const entry of section.entries.filter((e) => e.inUse))
    expect(text.slice(entry.offset, entry.offset + 20)).toMatch(new RegExp(`^${entry.num} ${entry.gen} obj\\n`));
}

/** pdf.js reads the file; a broken cross-reference makes it warn "Indexing all PDF objects" and rebuild it. */
async function readWithPdfJs(
  pdf: Uint8Array,
): Promise<{ pages: number; signatureFields: string[]; warnings: string[] }> {
  const warnings: string[] = [];
  const collect = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  const warn = vi.spyOn(console, 'warn').mockImplementation(collect);
  const log = vi.spyOn(console, 'log').mockImplementation(collect);
  try {
    const doc = await getDocumentProxy(new Uint8Array(pdf));
    const annotations = (await (await doc.getPage(1)).getAnnotations()) as { fieldType?: string; fieldName?: string }[];
    return {
      pages: doc.numPages,
      signatureFields: annotations.filter((a) => a.fieldType === 'Sig').map((a) => a.fieldName ?? ''),
      warnings,
    };
  } finally {
    warn.mockRestore();
    log.mockRestore();
  }
}

function qpdfCheck(pdf: Uint8Array, name: string): { status: number | null; output: string } {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  const run = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('IncrementalUpdate', () => {
  it('appends objects, one classic cross-reference section and a trailer that point where they say', async () => {
    const original = handMade({ trailerExtra: '/ID [<0A0B> <0C0D>] ' });
    const update = IncrementalUpdate.open(original);
    const catalog = update.dict(update.root, 'katalog');
    const certificate = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x07]);
    const certs = update.add(new PdfStream(new PdfDict(), certificate));
    const dss = update.add(new PdfDict([['Certs', [certs]]]));
    update.replace(update.root, catalog.with('DSS', dss));
    const { bytes, startxref } = update.save();

    expect(Buffer.from(bytes.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true);
    const section = lastSection(bytes);
    expect(section.startxref).toBe(startxref);
    expect(section.entries.map((e) => [e.num, e.inUse])).toEqual([
      [0, false],
      [1, true],
      [5, true],
      [6, true],
    ]);
    expect(section.entries[0]).toMatchObject({ offset: 0, gen: 65535 });
    expectEntriesPointAtObjects(bytes, section);
    expect(trailerNumber(section, 'Size')).toBe(highestObjectNumber(bytes) + 1);
    expect(trailerNumber(section, 'Size')).toBe(7);
    expect(trailerNumber(section, 'Prev')).toBe(startxrefOf(original));
    expect(section.trailer).toContain('/Root 1 0 R');
    expect(section.trailer).toContain('/Info 4 0 R');
    expect(section.trailer).toContain('/ID [<0A0B> <0C0D>]');
    // Subsections group consecutive numbers: 0 and 1, then 5 and 6.
    expect(Buffer.from(bytes).toString('latin1', startxref)).toMatch(/^xref\n0 2\n.{40}5 2\n.{40}trailer\n/s);

    // pdf-lib reads the new catalog and the stream; pdf.js reads the file through its cross-reference.
    const doc = await PDFDocument.load(bytes, { throwOnInvalidObject: true, updateMetadata: false });
    const read = doc.catalog.lookup(PDFName.of('DSS'), PDFDict).lookup(PDFName.of('Certs'), PDFArray);
    expect([...(read.lookup(0, PDFRawStream).contents as Uint8Array)]).toEqual([...certificate]);
    expect(await readWithPdfJs(bytes)).toMatchObject({ pages: 1, warnings: [] });
    if (QPDF)
      expect(qpdfCheck(bytes, 'dss.pdf')).toMatchObject({ status: 0, output: expect.not.stringContaining('WARNING') });
  });

  it('chains updates through /Prev and reads the newest version of each object', () => {
    const original = handMade();
    const first = IncrementalUpdate.open(original);
    first.replace(first.root, first.dict(first.root, 'katalog').with('Lang', pdfText('id-ID')));
    const once = first.save();
    const second = IncrementalUpdate.open(once.bytes);
    expect(textOf(second.dict(second.root, 'katalog').get('Lang'))).toBe('id-ID');
    const extra = second.add(new PdfDict([['Type', pdfName('Uji')]]));
    second.replace(second.root, second.dict(second.root, 'katalog').with('Uji', extra));
    const twice = second.save();

    const section = lastSection(twice.bytes);
    expect(trailerNumber(section, 'Prev')).toBe(once.startxref);
    expect(trailerNumber(lastSection(once.bytes), 'Prev')).toBe(startxrefOf(original));
    expect(trailerNumber(section, 'Size')).toBe(highestObjectNumber(twice.bytes) + 1);
    expectEntriesPointAtObjects(twice.bytes, section);
    const third = IncrementalUpdate.open(twice.bytes);
    const catalog = third.dict(third.root, 'katalog');
    expect(textOf(catalog.get('Lang'))).toBe('id-ID');
    expect(third.dict(catalog.get('Uji'), 'uji').get('Type')?.toString()).toBe('/Uji');
  });

  it('reads a file whose startxref and an object offset land on whitespace, and writes its own section exactly', async () => {
    const sloppy = handMade({ sloppy: true });
    const update = IncrementalUpdate.open(sloppy);
    const kids = update.dict(update.dict(update.root, 'katalog').get('Pages'), 'pages').get('Kids');
    expect(serialize(kids!)).toBe('[3 0 R]');
    const page = update.dict((kids as readonly PdfValue[])[0], 'halaman');
    expect(serialize(page.get('MediaBox')!)).toBe('[0 0 200 200]');
    const { bytes } = update.save();
    expectEntriesPointAtObjects(bytes, lastSection(bytes));
    expect(await readWithPdfJs(bytes)).toMatchObject({ pages: 1 });
  });

  it('writes text as a literal string when ASCII and as UTF-16BE otherwise, and reads both back', () => {
    expect(pdfText('Pasal (1) \\ ayat').text).toBe('(Pasal \\(1\\) \\\\ ayat)');
    expect(pdfText('Asép').text).toBe('<FEFF0041007300E90070>');
    for (const text of ['Pasal (1) \\ ayat', 'Asép — Bagian Kerja Sama', 'Ketua 二'])
      expect(textOf(pdfText(text))).toBe(text);
    expect(pdfName('Nama Saya#1').text).toBe('/Nama#20Saya#231');
  });

  it('refuses a cross-reference stream, an encrypted file and what is not a PDF, in Bahasa Indonesia', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const compressed = await doc.save({ useObjectStreams: true });
    const refusal = (pdf: Uint8Array) => {
      try {
        IncrementalUpdate.open(pdf);
      } catch (error) {
        return isSepakatError(error) ? { code: error.code, message: error.message } : { code: 'lain', message: '' };
      }
      return { code: 'diterima', message: '' };
    };
    expect(refusal(compressed)).toEqual({
      code: 'XrefStreamTidakDidukung',
      message: expect.stringContaining('cross-reference stream'),
    });
    expect(refusal(handMade({ trailerExtra: '/Encrypt 4 0 R ' }))).toMatchObject({ code: 'PdfTerenkripsi' });
    expect(refusal(new Uint8Array(Buffer.from('bukan PDF')))).toEqual({
      code: 'PdfTidakTerbaca',
      message: 'Struktur berkas PDF tidak dapat dibaca: startxref tidak ditemukan.',
    });
    const looped = Buffer.from(handMade()).toString('latin1');
    const at = Number(/startxref\n(\d+)/.exec(looped)![1]);
    expect(
      refusal(new Uint8Array(Buffer.from(looped.replace('/Info 4 0 R ', `/Info 4 0 R /Prev ${at} `), 'latin1'))),
    ).toMatchObject({ code: 'PdfTidakTerbaca', message: expect.stringContaining('/Prev') });
  });
});

describe('signatures through the writer', () => {
  it('adds a signature field to an existing inline AcroForm and an indirect /Annots array, keeping both', async () => {
    const pdf = handMade({
      catalogExtra: '/AcroForm << /Fields [6 0 R] /DA (/Helv 0 Tf 0 g) >> ',
      pageExtra: '/Annots 5 0 R ',
      objects: ['[6 0 R]', '<< /Type /Annot /Subtype /Widget /FT /Tx /T (Signature1) /Rect [10 10 100 30] /P 3 0 R >>'],
    });
    const signed = await signPdf(pdf, walikota, { ...OPTIONS, name: 'Walikota Uji' });
    const two = await addSecondSignature(signed, bupati, { ...OPTIONS, name: 'Bupati Mitra' });
    const form = (await PDFDocument.load(two)).getForm();
    expect(form.getFields().map((f) => [f.getName(), f.constructor.name])).toEqual([
      ['Signature1', PDFTextField.name],
      ['Signature2', PDFSignature.name],
      ['Signature3', PDFSignature.name],
    ]);
    expect((await verifyPdfSignatures(two, { trustedRoots: [pki.caCertificate], checkDate: new Date() })).valid).toBe(
      true,
    );
    const catalog = IncrementalUpdate.open(two);
    const acroForm = catalog.dict(catalog.dict(catalog.root, 'katalog').get('AcroForm'), 'AcroForm');
    expect(acroForm.get('SigFlags')?.toString()).toBe('3');
    expect(textOf(acroForm.get('DA'))).toBe('/Helv 0 Tf 0 g');
    expect((await readWithPdfJs(two)).signatureFields).toEqual(['Signature2', 'Signature3']);
  });

  it('writes the signer name, reason and location as they are, accents and dashes included', async () => {
    const signed = await signPdf(handMade(), walikota, {
      name: 'Asép Sunandar — Bagian Kerja Sama',
      reason: 'Menandatangani Kesepakatan Bersama Nomor 100.3/7/Kerja Sama — Pemkot',
      location: 'Kota Banjar Baru, Kalimantan Selatan',
      contactInfo: 'asep@contoh.test',
      signingTime: new Date(),
    });
    expect(findSignatureFields(signed)[0]).toMatchObject({
      name: 'Asép Sunandar — Bagian Kerja Sama',
      reason: 'Menandatangani Kesepakatan Bersama Nomor 100.3/7/Kerja Sama — Pemkot',
      location: 'Kota Banjar Baru, Kalimantan Selatan',
    });
    expect(
      (await verifyPdfSignatures(signed, { trustedRoots: [pki.caCertificate], checkDate: new Date() })).valid,
    ).toBe(true);
  });

  it('each signature update has /Size one plus the highest object number, /Prev the previous startxref, and entries at their objects', async () => {
    const original = handMade();
    const prepared = await preparePdfForSigning(original);
    const once = await signPdf(handMade(), walikota, { ...OPTIONS, name: 'Walikota Uji' });
    const twice = await addSecondSignature(once, bupati, { ...OPTIONS, name: 'Bupati Mitra' });
    // The first signature is appended to the very bytes given when they can be updated as they are (the signed PDF
    // is the shown PDF plus the signature), else to the bytes prepared for signing.
    const startsWith = (whole: Uint8Array, head: Uint8Array) =>
      Buffer.from(whole.subarray(0, head.length)).equals(Buffer.from(head));
    const base = startsWith(once, original) ? original : prepared;
    expect(startsWith(once, base)).toBe(true);
    for (const [before, after] of [
      [base, once],
      [once, twice],
    ] as const) {
      const section = lastSection(after);
      expectEntriesPointAtObjects(after, section);
      expect(trailerNumber(section, 'Size')).toBe(highestObjectNumber(after) + 1);
      expect(trailerNumber(section, 'Prev')).toBe(startxrefOf(before));
    }
    const read = await readWithPdfJs(twice);
    expect(read).toEqual({ pages: 1, signatureFields: ['Signature1', 'Signature2'], warnings: [] });
  });
});

describe(`qpdf --check on a rendered naskah (${QPDF ? 'qpdf is installed' : 'SKIPPED: qpdf is not installed; .ci/run checks it'})`, () => {
  it.skipIf(!QPDF)('passes without a warning when prepared, signed once and counter-signed', async () => {
    const renderer = createRenderer({ maxConcurrency: 1 });
    let rendered: Uint8Array;
    try {
      rendered = (
        await renderer.render('kesepakatan-bersama', contohById('kota-kesepakatan-bersama').data as never, {
          paper: 'F4',
        })
      ).pdf;
    } finally {
      await renderer.close();
    }
    const prepared = await preparePdfForSigning(rendered);
    const once = await signPdf(rendered, walikota, { ...OPTIONS, name: 'Walikota Uji' });
    const twice = await addSecondSignature(once, bupati, { ...OPTIONS, name: 'Bupati Mitra' });
    for (const [name, pdf] of [
      ['disiapkan.pdf', prepared],
      ['satu-tanda-tangan.pdf', once],
      ['dua-tanda-tangan.pdf', twice],
    ] as const) {
      const { status, output } = qpdfCheck(pdf, name);
      expect(output, name).not.toContain('WARNING');
      expect(status, `${name}: ${output}`).toBe(0);
    }
    const read = await readWithPdfJs(twice);
    expect(read.signatureFields).toEqual(['Signature1', 'Signature2']);
    expect(read.warnings).toEqual([]);
  });
});
