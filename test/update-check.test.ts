import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, PDFName, PDFRef, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevelopmentPki } from '../functions/signing/dev-pki.ts';
import { addSecondSignature, signPdf } from '../functions/signing/sign-pdf.ts';
import { pagesUnchanged } from '../functions/signing/update-check.ts';
import { verifyPdfSignatures } from '../functions/signing/verify.ts';

/**
 * A counter-signature must not change the naskah: an incremental update that adds a signature passes, one that also
 * redraws a page (which a valid later signature would then "approve") is caught, while the first signature alone
 * still verifies over its own revision and would not notice.
 */
const OPTIONS = {
  reason: 'Menandatangani',
  location: 'Kota Contoh',
  contactInfo: 'uji@contoh.test',
  signingTime: new Date(),
};

async function plainPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of ['Pasal 1 isi asli', 'Pasal 2 isi asli'])
    doc.addPage([595, 842]).drawText(text, { x: 50, y: 780, font });
  return doc.save();
}

/** An incremental update that gives page 1 a new content stream (a filled rectangle over the text). */
async function redrawFirstPage(signed: Uint8Array): Promise<Uint8Array> {
  const doc = await PDFDocument.load(signed, { updateMetadata: false });
  const page = doc.getPages()[0]!;
  const pageRef = page.ref;
  const streamNo = doc.context.largestObjectNumber + 1;
  const content = '0 0 0 rg 40 770 300 30 re f';
  const dict = page.node.clone();
  dict.set(PDFName.of('Contents'), PDFRef.of(streamNo));
  const text = Buffer.from(signed).toString('latin1');
  const prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)![1]);
  const root = [...text.matchAll(/\/Root (\d+ \d+ R)/g)].at(-1)![1];
  let out = '\n';
  const offsets: [number, number][] = [];
  const at = () => signed.length + Buffer.byteLength(out, 'latin1');
  offsets.push([streamNo, at()]);
  out += `${streamNo} 0 obj\n<< /Length ${content.length} >>\nstream\n${content}\nendstream\nendobj\n`;
  offsets.push([pageRef.objectNumber, at()]);
  out += `${pageRef.objectNumber} 0 obj\n${dict.toString()}\nendobj\n`;
  const xref = at();
  out += 'xref\n0 1\n0000000000 65535 f \n';
  for (const [no, offset] of offsets) out += `${no} 1\n${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${streamNo + 1} /Root ${root} /Prev ${prev} >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.concat([Buffer.from(signed), Buffer.from(out, 'latin1')]));
}

describe('what a counter-signature may change', () => {
  let dir: string;
  let signed: Uint8Array;
  let pki: DevelopmentPki;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sepakat-update-'));
    pki = await DevelopmentPki.open({ dir, now: () => new Date() });
    const walikota = await pki.signerFor({ id: 'walikota', nama: 'Walikota Uji', jabatan: 'Walikota' });
    signed = await signPdf(await plainPdf(), walikota, { ...OPTIONS, name: 'Walikota Uji' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets an incremental update that only adds a signature through', async () => {
    const mitra = await pki.signerFor({ id: 'mitra', nama: 'Bupati Mitra', jabatan: 'Bupati' });
    const both = await addSecondSignature(signed, mitra, { ...OPTIONS, name: 'Bupati Mitra' });
    expect(await pagesUnchanged(signed, both)).toEqual({ unchanged: true });
  });

  it('catches an update that redraws a page, which the first signature alone does not notice', async () => {
    const altered = await redrawFirstPage(signed);
    // The altered file opens and still shows the first signature as covering its own revision.
    expect((await PDFDocument.load(altered)).getPageCount()).toBe(2);
    const report = await verifyPdfSignatures(altered, { trustedRoots: [pki.caCertificate], checkDate: new Date() });
    expect(report.signatures[0]!.digestOk).toBe(true);
    expect(report.lastSignatureCoversWholeFile).toBe(false);
    expect(await pagesUnchanged(signed, altered)).toEqual({
      unchanged: false,
      reason: 'isi halaman 1 berubah setelah tanda tangan pertama',
    });
  });

  it('refuses what is not a PDF', async () => {
    expect(await pagesUnchanged(signed, new Uint8Array([1, 2, 3]))).toMatchObject({ unchanged: false });
  });
});
