import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import * as asn1js from 'asn1js';
import { PDFDocument, PDFSignature, StandardFonts } from 'pdf-lib';
import puppeteer from 'puppeteer-core';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSepakatError } from '../core/errors.ts';
import { DevelopmentPki, type LocalSigner } from '../functions/signing/dev-pki.ts';
import { addSecondSignature, signPdf, type SignPdfOptions } from '../functions/signing/sign-pdf.ts';
import { DEVELOPMENT_MARK } from '../functions/signing/signer.ts';
import { OPENSSL, opensslVerifies } from './support/kasus.ts';
import { findSignatureFields, verifyPdfSignatures } from '../functions/signing/verify.ts';

const WALIKOTA = {
  id: 'walikota',
  nama: 'Dr. H. Budi Santoso, M.Si.',
  jabatan: 'Wali Kota Contoh',
  nip: '197003151995031002',
};
const BUPATI = { id: 'bupati', nama: 'Ir. Ratna Dewi', jabatan: 'Bupati Contoh' };
const SIGNING_TIME = new Date('2026-11-23T02:00:00Z');
const OPTIONS: SignPdfOptions = {
  reason: 'Penandatanganan Kesepakatan Bersama',
  location: 'Kota Contoh',
  name: 'Dr. H. Budi Santoso, M.Si.',
  contactInfo: 'setda@kotacontoh.go.id',
  signingTime: SIGNING_TIME,
};

let dir: string;
let pki: DevelopmentPki;
let walikota: LocalSigner;
let bupati: LocalSigner;
let plainPdf: Uint8Array;
let signed: Uint8Array;

async function twoPagePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const pages = [
    [
      'KESEPAKATAN BERSAMA',
      'ANTARA PEMERINTAH KOTA CONTOH DENGAN PEMERINTAH KABUPATEN CONTOH',
      'Pasal 1 Maksud dan Tujuan',
    ],
    ['Pasal 2 Ruang Lingkup', 'Pasal 3 Jangka Waktu', 'PIHAK KESATU  PIHAK KEDUA'],
  ];
  for (const lines of pages) {
    const page = doc.addPage([595, 842]);
    lines.forEach((line, i) => page.drawText(line, { x: 56, y: 760 - i * 24, size: 12, font }));
  }
  return doc.save();
}

async function pageTexts(pdf: Uint8Array): Promise<string[]> {
  const proxy = await getDocumentProxy(new Uint8Array(pdf));
  const { text } = await extractText(proxy, { mergePages: false });
  return text as string[];
}

const trust = () => ({ trustedRoots: [pki.caCertificate], checkDate: new Date('2026-11-24T00:00:00Z') });
const now = () => new Date('2026-11-20T00:00:00Z');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sepakat-signing-'));
  pki = await DevelopmentPki.open({ dir: join(dir, 'pki'), now });
  [walikota, bupati] = await Promise.all([pki.signerFor(WALIKOTA), pki.signerFor(BUPATI)]);
  plainPdf = await twoPagePdf();
  signed = await signPdf(plainPdf, walikota, OPTIONS);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('development PKI', () => {
  it('creates the CA and per-official certificates on first start (PKCS#8 + PEM) and reuses them after', async () => {
    expect(readFileSync(join(dir, 'pki', 'ca', 'key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(join(dir, 'pki', 'ca', 'cert.pem'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const again = await DevelopmentPki.open({ dir: join(dir, 'pki'), now });
    expect(Buffer.from(again.caCertificate).equals(Buffer.from(pki.caCertificate))).toBe(true);
    const [a, b] = await Promise.all([
      walikota.certificateChain(),
      (await again.signerFor(WALIKOTA)).certificateChain(),
    ]);
    expect(Buffer.from(b[0]!).equals(Buffer.from(a[0]!))).toBe(true);
    expect(walikota.describe()).toEqual({ name: WALIKOTA.nama, issuer: 'Sepakat CA Pengembangan', development: true });
  });

  it('marks every certificate "Sertifikat pengembangan — bukan BSrE" in the subject', async () => {
    const report = (await verifyPdfSignatures(signed, trust())).signatures[0]!;
    expect(report.certificate?.subject).toContain(`OU=${DEVELOPMENT_MARK}`);
    expect(report.certificate?.subject).toContain('serialNumber=197003151995031002');
    expect(report.certificate?.issuer).toContain(`OU=${DEVELOPMENT_MARK}`);
    expect(report.certificate?.development).toBe(true);
    expect(report.warnings).toContain(`${DEVELOPMENT_MARK}.`);
  });
});

describe('signPdf and the verifier', () => {
  it('signs a two-page PDF with a PAdES B-B signature that verifies', async () => {
    const result = await verifyPdfSignatures(signed, trust());
    expect(result).toMatchObject({ valid: true, lastSignatureCoversWholeFile: true, unsignedTrailingBytes: 0 });
    expect(result.signatures).toHaveLength(1);
    expect(result.signatures[0]).toMatchObject({
      index: 1,
      signerName: WALIKOTA.nama,
      signingTime: SIGNING_TIME.toISOString(),
      signingTimeSource: 'cms',
      subFilter: 'ETSI.CAdES.detached',
      reason: OPTIONS.reason,
      coversWholeFileUpToSignature: true,
      digestOk: true,
      signatureOk: true,
      chainOk: true,
      hasSigningCertificateV2: true,
      signingCertificateV2Matches: true,
      digestAlgorithm: 'sha256',
      signatureAlgorithm: 'RSASSA-PKCS1-v1_5',
      problems: [],
      valid: true,
    });
    expect(result.signatures[0]!.revisionEnd).toBe(signed.length);
    // Still a readable two-page PDF with its text.
    const texts = await pageTexts(signed);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('KESEPAKATAN BERSAMA');
    expect(texts[1]).toContain('Pasal 3 Jangka Waktu');
  });

  it('one flipped byte inside the signed range: digestOk false, not valid', async () => {
    const tampered = new Uint8Array(signed);
    const [, gapStart] = findSignatureFields(signed)[0]!.byteRange;
    const at = Math.floor(gapStart / 2);
    tampered[at] = tampered[at]! ^ 0x01;
    const result = await verifyPdfSignatures(tampered, trust());
    expect(result.valid).toBe(false);
    expect(result.signatures[0]).toMatchObject({ digestOk: false, signatureOk: true, chainOk: true, valid: false });
    expect(result.signatures[0]!.problems).toContain('Isi dokumen berubah setelah ditandatangani (hash tidak cocok).');
  });

  it('a changed signature value in /Contents: signatureOk false', async () => {
    const field = findSignatureFields(signed)[0]!;
    const derLength = asn1js.fromBER(field.contents).offset;
    // The RSA-2048 signature is the last 256 bytes of the DER; /Contents is hex after the "<".
    const hexPos = field.byteRange[1] + 1 + 2 * (derLength - 100);
    const tampered = new Uint8Array(signed);
    tampered[hexPos] = tampered[hexPos] === 0x30 ? 0x31 : 0x30;
    const report = (await verifyPdfSignatures(tampered, trust())).signatures[0]!;
    expect(report).toMatchObject({ digestOk: true, signatureOk: false, valid: false });
  });

  it('reports, never throws, on an unsigned PDF and on a /Contents that is not a CMS', async () => {
    expect(await verifyPdfSignatures(plainPdf, trust())).toMatchObject({
      valid: false,
      signatures: [],
      problems: ['Dokumen tidak memiliki tanda tangan elektronik.'],
    });
    const [, gapStart, gapEnd] = findSignatureFields(signed)[0]!.byteRange;
    const garbage = new Uint8Array(signed);
    garbage.fill(0x30, gapStart + 1, gapEnd - 1); // "<000…0>"
    const report = (await verifyPdfSignatures(garbage, trust())).signatures[0]!;
    expect(report).toMatchObject({ valid: false, digestOk: false, signatureOk: false, chainOk: false });
    expect(report.problems.at(-1)).toMatch(/^Struktur tanda tangan \(CMS\) tidak dapat dibaca/);
  });

  it('bytes appended after the last signature: the file is not valid although the signature is', async () => {
    const tail = Buffer.from('\n1 0 obj\n(ubah)\nendobj\n');
    const appended = Buffer.concat([signed, tail]);
    const result = await verifyPdfSignatures(appended, trust());
    expect(result.signatures[0]).toMatchObject({ digestOk: true, signatureOk: true, valid: true });
    expect(result).toMatchObject({
      valid: false,
      lastSignatureCoversWholeFile: false,
      unsignedTrailingBytes: tail.length,
    });
    await expect(addSecondSignature(appended, bupati, OPTIONS)).rejects.toSatisfy(
      (e) => isSepakatError(e) && e.code === 'PerubahanSetelahTandaTangan',
    );
  });

  it('a second signature is an incremental update: both verify and the first still covers its range', async () => {
    const two = await addSecondSignature(signed, bupati, {
      ...OPTIONS,
      name: BUPATI.nama,
      location: 'Kabupaten Contoh',
      signingTime: new Date('2026-11-23T03:00:00Z'),
    });
    expect(Buffer.from(two.subarray(0, signed.length)).equals(Buffer.from(signed))).toBe(true);
    const result = await verifyPdfSignatures(two, trust());
    expect(result.valid).toBe(true);
    expect(result.signatures.map((s) => [s.signerName, s.valid, s.coversWholeFileUpToSignature])).toEqual([
      [WALIKOTA.nama, true, true],
      [BUPATI.nama, true, true],
    ]);
    expect(result.signatures[0]!.revisionEnd).toBe(signed.length);
    expect(result.signatures[1]!.revisionEnd).toBe(two.length);
    // Both signature fields are in the AcroForm, and the document still reads.
    const form = (await PDFDocument.load(two)).getForm();
    expect(form.getFields().filter((f) => f instanceof PDFSignature)).toHaveLength(2);
    expect(await pageTexts(two)).toHaveLength(2);

    // The second signature alone cannot be moved onto a changed first revision.
    const tampered = new Uint8Array(two);
    tampered[100] = tampered[100]! ^ 0x01;
    const bad = await verifyPdfSignatures(tampered, trust());
    expect(bad.signatures.map((s) => s.digestOk)).toEqual([false, false]);

    // Only the newest, for a caller that knows every byte before it: the same report of that one signature.
    const newest = await verifyPdfSignatures(two, { ...trust(), newestOnly: true });
    expect(newest.signatures).toEqual([result.signatures[1]]);
    expect(newest.lastSignatureCoversWholeFile).toBe(true);
    expect(newest.valid).toBe(true);
    // It still covers the earlier revision: a changed byte there breaks it too.
    expect(
      (await verifyPdfSignatures(tampered, { ...trust(), newestOnly: true })).signatures.map((s) => s.digestOk),
    ).toEqual([false]);
  });

  it('refuses to sign a signed PDF as a first signature, and an unsigned one as a second', async () => {
    await expect(signPdf(signed, bupati, OPTIONS)).rejects.toSatisfy(
      (e) => isSepakatError(e) && e.code === 'SudahDitandatangani',
    );
    await expect(addSecondSignature(plainPdf, bupati, OPTIONS)).rejects.toSatisfy(
      (e) => isSepakatError(e) && e.code === 'BelumDitandatangani',
    );
  });

  it('a certificate from another CA (same CA name) fails chainOk', async () => {
    const other = await DevelopmentPki.open({ dir: join(dir, 'other-pki'), now });
    const impostor = await other.signerFor(WALIKOTA);
    const forged = await signPdf(plainPdf, impostor, OPTIONS);
    const result = await verifyPdfSignatures(forged, trust());
    expect(result.signatures[0]).toMatchObject({
      signerName: WALIKOTA.nama,
      digestOk: true,
      signatureOk: true,
      chainOk: false,
      valid: false,
    });
    expect(result.valid).toBe(false);
    // The same file against its own CA is fine: the CA in the CMS is never trusted because it is there.
    const own = await verifyPdfSignatures(forged, { trustedRoots: [other.caCertificate], checkDate: SIGNING_TIME });
    expect(own.valid).toBe(true);
    // No roots at all: nothing chains.
    expect(
      (await verifyPdfSignatures(signed, { trustedRoots: [], checkDate: SIGNING_TIME })).signatures[0]!.chainOk,
    ).toBe(false);
  });

  it('an expired certificate (check date after notAfter) fails chainOk', async () => {
    const result = await verifyPdfSignatures(signed, { ...trust(), checkDate: new Date('2035-01-01T00:00:00Z') });
    expect(result.signatures[0]).toMatchObject({ digestOk: true, signatureOk: true, chainOk: false });
  });

  it('signs with ECDSA P-256 keys too', async () => {
    const ec = await DevelopmentPki.open({ dir: join(dir, 'ec-pki'), keyAlgorithm: 'ECDSA-P256', now });
    const pdf = await signPdf(plainPdf, await ec.signerFor(BUPATI), OPTIONS);
    const result = await verifyPdfSignatures(pdf, { trustedRoots: [ec.caCertificate], checkDate: SIGNING_TIME });
    expect(result.valid).toBe(true);
    expect(result.signatures[0]).toMatchObject({ signatureAlgorithm: 'ECDSA', hasSigningCertificateV2: true });
  });

  it('signs a PDF rendered by headless Chromium (@sparticuz/chromium + puppeteer-core)', async () => {
    const browser = await puppeteer.launch({
      executablePath: await chromium.executablePath(),
      args: [
        ...chromium.args,
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      headless: true,
    });
    let rendered: Uint8Array;
    try {
      const page = await browser.newPage();
      await page.setContent(
        '<h1>KESEPAKATAN BERSAMA</h1><p style="page-break-after: always">Pasal 1 Maksud dan Tujuan</p><p>Pasal 2 Ruang Lingkup</p>',
      );
      rendered = await page.pdf({ format: 'A4' });
    } finally {
      await browser.close();
    }
    const first = await signPdf(rendered, walikota, OPTIONS);
    const two = await addSecondSignature(first, bupati, { ...OPTIONS, name: BUPATI.nama });
    const result = await verifyPdfSignatures(two, trust());
    expect(result.valid).toBe(true);
    expect(result.signatures).toHaveLength(2);
    const texts = await pageTexts(two);
    expect(texts).toHaveLength(2);
    expect(texts[1]).toContain('Pasal 2 Ruang Lingkup');
  });
});

describe('openssl', () => {
  it(`openssl cms -verify agrees with the verifier (asserts only when openssl is installed: ${OPENSSL ? 'it is' : 'it is NOT, nothing asserted'})`, async () => {
    if (!OPENSSL) return;
    const work = join(dir, 'openssl');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'ca.pem'), pki.caCertificatePem);
    const two = await addSecondSignature(signed, bupati, { ...OPTIONS, name: BUPATI.nama });
    const verdict = (pdf: Uint8Array, i: number) => opensslVerifies(pdf, i, pki.caCertificatePem);
    expect([verdict(two, 0), verdict(two, 1)]).toEqual([true, true]);
    const tampered = new Uint8Array(two);
    tampered[100] = tampered[100]! ^ 0x01;
    expect([verdict(tampered, 0), verdict(tampered, 1)]).toEqual([false, false]);
    expect(existsSync(join(work, 'ca.pem'))).toBe(true);
  });
});
