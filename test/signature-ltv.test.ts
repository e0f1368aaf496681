import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf } from '../cli/drive.ts';
import { isSepakatError } from '../core/errors.ts';
import { parseCertificate } from '../functions/signing/asn1.ts';
import { readCrl } from '../functions/signing/crl.ts';
import { DevelopmentPki } from '../functions/signing/dev-pki.ts';
import { readDss, validationOnlyUpdates } from '../functions/signing/dss.ts';
import { KmsSigningKeys } from '../functions/signing/kms-signer.ts';
import { PadesSigner } from '../functions/signing/pades-signer.ts';
import {
  IncrementalUpdate,
  PdfDict,
  pdfName,
  pdfNumber,
  PdfRef,
  PdfStream,
} from '../functions/signing/pdf-incremental.ts';
import { addSecondSignature, type SignPdfOptions } from '../functions/signing/sign-pdf.ts';
import type { SigningKeys } from '../functions/signing/signer.ts';
import { HttpTimestampAuthority } from '../functions/signing/timestamp.ts';
import { findSignatureFields, verifyPdfSignatures } from '../functions/signing/verify.ts';
import { startLocalKms, type LocalKms } from '../local/kms/local-kms.ts';
import { LOCAL_DEVELOPMENT_CREDENTIALS, LOCAL_REGION } from '../local/local-aws.ts';
import { startLocalTsa, type LocalTsa } from '../local/tsa/local-tsa.ts';
import { OPENSSL } from './support/kasus.ts';

/**
 * PAdES B-LT: after each signature the /DSS carries the signer's chain, the TSA's chain and the CA's CRL (with a
 * /VRI entry), by incremental update. The real local TSA and the development CA (also the "pemda CA" that certifies
 * KMS keys, here through the real local KMS) make them; the verifier reads nothing but the file and its roots.
 */
const tool = (name: string, args: string[]) => spawnSync(name, args, { encoding: 'utf8' }).status === 0;
const QPDF = tool('qpdf', ['--version']);
const PDFSIG = tool('pdfsig', ['-v']);
const START = new Date('2026-12-07T09:00:00Z');
const DAY = 24 * 3600 * 1000;
/** The one clock of the CA, the TSA and the signer: tests move it. */
let clock = START;
const now = () => clock;
const official = (id: string) => ({ pemdaId: 'kota-contoh', id, nama: `Pejabat ${id}`, jabatan: 'Wali Kota Contoh' });
const WALIKOTA = official('walikota');
const DETAILS = {
  reason: 'Penandatanganan Kesepakatan Bersama',
  location: 'Kota Contoh',
  name: WALIKOTA.nama,
  contactInfo: 'setda@kotacontoh.go.id',
};

let dir: string;
let tsa: LocalTsa;
let pki: DevelopmentPki;
let partnerPki: DevelopmentPki;
let authority: HttpTimestampAuthority;
let keys: SigningKeys;
let signer: PadesSigner;
let signed: Uint8Array;
const trust = (checkDate = new Date(START.getTime() + DAY)) => ({
  trustedRoots: [pki.caCertificate, partnerPki.caCertificate],
  timestampRoots: [tsa.caCertificate],
  checkDate,
});
const options = (name: string): SignPdfOptions => ({ ...DETAILS, name, signingTime: now(), timestamp: authority });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sepakat-b-lt-'));
  tsa = await startLocalTsa({ dataDir: dir, now });
  pki = await DevelopmentPki.open({ dir: join(dir, 'pki'), now });
  partnerPki = await DevelopmentPki.open({ dir: join(dir, 'pki-mitra'), caName: 'CA Mitra (uji)', now });
  authority = new HttpTimestampAuthority(tsa.url);
  keys = {
    signerFor: (o) => pki.signerFor(o),
    trustedRoots: async () => [pki.caCertificate, partnerPki.caCertificate],
    timestampRoots: async () => [tsa.caCertificate],
    validationData: (chain) => pki.validationData(chain),
  };
  signer = new PadesSigner(async () => keys, { timestamp: authority });
  signed = await signer.signPdf(samplePdf('Kesepakatan Bersama'), WALIKOTA, { ...DETAILS, signingTime: now() });
});
afterAll(async () => {
  await tsa.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a signature with validation data (PAdES B-LT)', () => {
  it('is B-LT: the /DSS after the signature holds both chains, the CRL and a /VRI entry for the signature', async () => {
    const report = await verifyPdfSignatures(signed, trust());
    expect(report.problems).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.lastSignatureCoversWholeFile).toBe(true);
    expect(report.unsignedTrailingBytes).toBe(0);
    expect(report.validationDataBytes).toBe(signed.length - report.signatures[0]!.revisionEnd);
    expect(report.validationDataBytes).toBeGreaterThan(0);
    const [s] = report.signatures;
    expect(s).toMatchObject({ valid: true, level: 'B-LT', revoked: null, signingTimeSource: 'timestamp' });
    expect(s!.validationTime).toBe(s!.timestamp!.time);

    const dss = readDss(signed);
    const subjects = dss.certs.map((c) => parseCertificate(c).subject.typesAndValues.at(-1)!.value.valueBlock.value);
    expect(subjects).toEqual(
      expect.arrayContaining([WALIKOTA.nama, 'Sepakat CA Pengembangan', 'TSA Lokal Sepakat', 'CA TSA Lokal Sepakat']),
    );
    expect(dss.crls).toHaveLength(1);
    expect(readCrl(dss.crls[0]!)).toMatchObject({ revoked: [] });
    const contents = findSignatureFields(signed)[0]!.contents;
    const { createHash } = await import('node:crypto');
    const key = createHash('sha1').update(contents).digest('hex').toUpperCase();
    expect(dss.vri.get(key)?.crls).toHaveLength(1);
  });

  it.skipIf(!QPDF)('qpdf --check is clean and qpdf --json shows the /DSS in the catalog', () => {
    const file = join(dir, 'b-lt.pdf');
    writeFileSync(file, signed);
    const check = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
    expect(check.status).toBe(0);
    expect(`${check.stdout}${check.stderr}`).not.toMatch(/WARNING/i);
    const json = JSON.parse(spawnSync('qpdf', ['--json', file], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout) as {
      qpdf: [unknown, Record<string, { value?: Record<string, unknown> }>];
    };
    const objects = json.qpdf[1];
    const catalog = Object.values(objects).find((o) => o.value?.['/Type'] === '/Catalog' && o.value['/DSS']);
    const dss = objects[`obj:${String(catalog!.value!['/DSS'])}`]!.value!;
    expect((dss['/Certs'] as string[]).length).toBe(4);
    expect((dss['/CRLs'] as string[]).length).toBe(1);
  });

  it.skipIf(!OPENSSL)('openssl crl parses the CA CRL of the /DSS', () => {
    const file = join(dir, 'ca.crl');
    writeFileSync(file, readDss(signed).crls[0]!);
    const out = spawnSync('openssl', ['crl', '-inform', 'DER', '-noout', '-text', '-in', file], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/Version 2/);
    expect(out.stdout).toMatch(/CN\s*=\s*Sepakat CA Pengembangan/);
    expect(out.stdout).toMatch(/X509v3 CRL Number/);
  });

  it('still verifies with the check date after the certificate expired: the chain is validated at the timestamp', async () => {
    const notAfter = parseCertificate((await (await pki.signerFor(WALIKOTA)).certificateChain())[0]!).notAfter.value;
    const later = new Date(notAfter.getTime() + 30 * DAY);
    const [s] = (await verifyPdfSignatures(signed, trust(later))).signatures;
    expect(s!.problems).toEqual([]);
    expect(s).toMatchObject({ valid: true, level: 'B-LT', chainOk: true });
    expect(new Date(s!.validationTime!).getTime()).toBeLessThan(notAfter.getTime());

    // Without the /DSS (the signature alone, B-T) the same check date fails: the certificate has expired.
    const bt = signed.subarray(
      0,
      findSignatureFields(signed)[0]!.byteRange[2] + findSignatureFields(signed)[0]!.byteRange[3],
    );
    const [t] = (await verifyPdfSignatures(bt, trust(later))).signatures;
    expect(t).toMatchObject({ valid: false, level: 'B-T', chainOk: false });
    expect(t!.problems.join(' ')).toMatch(/Sertifikat tidak dipercaya/);
  });

  it('a certificate revoked before the timestamp fails; one revoked after it stays valid and says so', async () => {
    const revokedEarly = official('sekda');
    await pki.signerFor(revokedEarly);
    expect(await pki.revoke('sekda', 'keyCompromise')).toHaveLength(1);
    clock = new Date(clock.getTime() + 60_000);
    const pdf = await signer.signPdf(samplePdf('Surat'), revokedEarly, { ...DETAILS, signingTime: now() });
    const [s] = (await verifyPdfSignatures(pdf, trust())).signatures;
    expect(s!.valid).toBe(false);
    expect(s!.revoked).toMatchObject({ reason: 'keyCompromise', beforeSigning: true });
    expect(s!.problems.join(' ')).toMatch(
      /Sertifikat penanda tangan dicabut pada .* \(alasan: kunci bocor\), sebelum waktu tanda tangan menurut cap waktu/,
    );

    // Revoked after signing: the CRL in the /DSS predates it; a newer CRL from the caller lists it.
    const asisten = official('asisten');
    const earlier = await signer.signPdf(samplePdf('Nota'), asisten, { ...DETAILS, signingTime: now() });
    clock = new Date(clock.getTime() + 60_000);
    await pki.revoke('asisten', 'superseded');
    const [r] = (await verifyPdfSignatures(earlier, { ...trust(), crls: [await pki.crl()] })).signatures;
    expect(r!.problems).toEqual([]);
    expect(r).toMatchObject({ valid: true, level: 'B-LT', revoked: { reason: 'superseded', beforeSigning: false } });
    expect(r!.warnings.join(' ')).toMatch(/setelah waktu tanda tangan menurut cap waktu; tanda tangan ini tetap sah/);
    await expect(pki.revoke('tidak-ada')).rejects.toThrow(/Sertifikat yang akan dicabut tidak ditemukan/);
  });

  it('one flipped byte in the signed range fails', async () => {
    const flipped = new Uint8Array(signed);
    flipped[30] = flipped[30]! ^ 0x01;
    const report = await verifyPdfSignatures(flipped, trust());
    expect(report.valid).toBe(false);
    expect(report.signatures[0]!.problems.join(' ')).toMatch(/hash tidak cocok/);
  });
});

describe('updates after the last signature', () => {
  it('a DSS-only update is accepted; a page change or an annotation nobody signed is refused', async () => {
    const end = findSignatureFields(signed)[0]!.byteRange;
    expect(validationOnlyUpdates(signed, end[2] + end[3])).toEqual({ ok: true });

    for (const [what, altered] of [
      ['page', redrawFirstPage(signed)],
      ['annotation', addAnnotation(signed)],
    ] as const) {
      const report = await verifyPdfSignatures(altered, trust());
      expect(report.signatures[0]!.valid, what).toBe(true); // the signature itself still holds over its range
      expect(report.valid, what).toBe(false);
      expect(report.lastSignatureCoversWholeFile, what).toBe(false);
      expect(report.unsignedTrailingBytes, what).toBe(altered.length - signed.length);
      expect(report.problems.join(' '), what).toMatch(
        /ditambahkan setelah tanda tangan terakhir dan tidak ditandatangani/,
      );
    }
    // A new signature is refused over a page change, accepted over validation data.
    await expect(
      addSecondSignature(redrawFirstPage(signed), await pki.signerFor(WALIKOTA), options('x')),
    ).rejects.toSatisfy((e: unknown) => isSepakatError(e) && e.code === 'PerubahanSetelahTandaTangan');
  });

  it("the partner's signature after our /DSS, and the partner's own /DSS after it, pass countersignature", async () => {
    const bupati = await partnerPki.signerFor(official('bupati'));
    clock = new Date(clock.getTime() + 60_000);
    const countersigned = await addSecondSignature(signed, bupati, {
      ...options('Bupati Mitra'),
      validationData: (chain) => partnerPki.validationData(chain),
    });
    const report = await verifyPdfSignatures(countersigned, trust());
    expect(report.problems).toEqual([]);
    expect(report.signatures.map((s) => [s.valid, s.level])).toEqual([
      [true, 'B-LT'],
      [true, 'B-LT'],
    ]);
    expect(readDss(countersigned).crls).toHaveLength(2);
    expect(await signer.countersignature(countersigned, signed, now())).toMatchObject({
      ok: true,
      signer: 'Pejabat bupati',
    });

    // Without the partner's /DSS (their signature last) it passes too.
    const [, second] = findSignatureFields(countersigned);
    const bare = countersigned.subarray(0, second!.byteRange[2] + second!.byteRange[3]);
    expect(await signer.countersignature(bare, signed, now())).toMatchObject({ ok: true });

    // An unsigned page change after the partner's signature is refused.
    const refused = await signer.countersignature(redrawFirstPage(countersigned), signed, now());
    expect(refused.ok).toBe(false);
    expect(refused.ok === false && refused.reason).toMatch(/tidak ditandatangani/);
  });

  it.skipIf(!PDFSIG)('pdfsig reports both signatures of a counter-signed B-LT PDF valid', async () => {
    const bupati = await partnerPki.signerFor(official('bupati'));
    const countersigned = await addSecondSignature(signed, bupati, options('Bupati Mitra'));
    const file = join(dir, 'b-lt-dua.pdf');
    writeFileSync(file, countersigned);
    const out = spawnSync('pdfsig', ['-nocert', file], { encoding: 'utf8' }).stdout;
    expect([...out.matchAll(/Signature Validation: Signature is Valid\./g)]).toHaveLength(2);
  });
});

describe('the kms signer with the pemda CA’s CRL', () => {
  let localKms: LocalKms;
  let kms: KMSClient;
  beforeAll(async () => {
    localKms = await startLocalKms({ dataDir: join(dir, 'kms'), region: LOCAL_REGION, accountId: '000000000000', now });
    kms = new KMSClient({
      endpoint: localKms.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
    });
  });
  afterAll(async () => {
    kms.destroy();
    await localKms.close();
  });

  it('signs B-LT through KMS; a revoked KMS certificate fails', async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    const sekda = official('sekda-kms');
    const chain = await pki.issueCertificate(sekda, new Uint8Array(PublicKey!));
    const kmsKeys = new KmsSigningKeys(kms, () => ({ keyId: KeyMetadata!.KeyId!, chain }), [pki.caCertificate], {
      crls: async () => [await pki.crl()],
    });
    const kmsSigner = new PadesSigner(async () => kmsKeys, { timestamp: authority, provider: 'kms' });
    const pdf = await kmsSigner.signPdf(samplePdf('Naskah KMS'), sekda, { ...DETAILS, signingTime: now() });
    const [s] = (await verifyPdfSignatures(pdf, trust())).signatures;
    expect(s!.problems).toEqual([]);
    expect(s).toMatchObject({ valid: true, level: 'B-LT' });

    await pki.revoke('sekda-kms', 'affiliationChanged');
    clock = new Date(clock.getTime() + 60_000);
    const after = await kmsSigner.signPdf(samplePdf('Naskah KMS 2'), sekda, { ...DETAILS, signingTime: now() });
    const [r] = (await verifyPdfSignatures(after, trust())).signatures;
    expect(r).toMatchObject({ valid: false, revoked: { reason: 'affiliationChanged', beforeSigning: true } });
  });
});

/** An unsigned incremental update that gives page 1 a new content stream (a black box over the text). */
function redrawFirstPage(pdf: Uint8Array): Uint8Array {
  const update = IncrementalUpdate.open(pdf);
  const pageRef = firstPageRef(update);
  const page = update.dict(pageRef, 'halaman');
  const content = update.add(new PdfStream(new PdfDict(), Buffer.from('0 0 0 rg 40 770 300 30 re f')));
  update.replace(pageRef, page.with('Contents', content));
  return update.save().bytes;
}

/** An unsigned incremental update that adds a text annotation to page 1 (no page content changes). */
function addAnnotation(pdf: Uint8Array): Uint8Array {
  const update = IncrementalUpdate.open(pdf);
  const pageRef = firstPageRef(update);
  const page = update.dict(pageRef, 'halaman');
  const annot = update.add(
    new PdfDict([
      ['Type', pdfName('Annot')],
      ['Subtype', pdfName('Text')],
      ['Rect', [pdfNumber(50), pdfNumber(50), pdfNumber(70), pdfNumber(70)]],
    ]),
  );
  const annots = update.resolve(page.get('Annots'));
  update.replace(pageRef, page.with('Annots', [...((annots as PdfRef[] | undefined) ?? []), annot]));
  return update.save().bytes;
}

function firstPageRef(update: IncrementalUpdate): PdfRef {
  const pages = update.dict(update.dict(update.root, 'katalog').get('Pages'), 'halaman');
  return (update.resolve(pages.get('Kids')) as PdfRef[])[0]!;
}
