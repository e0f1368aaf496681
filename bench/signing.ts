/**
 * Signing time per document: `signPdf` with the development signer (key loaded once, CMS built with pkijs) on a
 * two-page PDF, and the same PDF signed twice (`signPdf`, then `addSecondSignature` by a second official as an
 * incremental update), against a baseline in the same run.
 *
 *   npx tsx bench/signing.ts [--signatures N | --cases N | --quick]      (default N = 200; --quick = 20)
 *
 * Baseline: "@signpdf/signer-p12 style" — the same PDF pipeline (pdf-lib re-save, placeholder-plain, SignPdf) with
 * a Signer that, like @signpdf/signer-p12 (not installed here; its code reproduced with node-forge), re-reads and
 * re-parses the PKCS#12 file on every document and builds the CMS with forge.pkcs7 (contentType, signingTime,
 * messageDigest; no signing-certificate-v2). Same key and certificate as the real signer. Real and baseline run
 * interleaved, one document each per round, so machine noise falls on both alike; the two-signature baseline signs
 * twice through the same pipeline with the same P12-style signer. Also reported: the CMS step
 * alone for both, and raw `crypto.sign` over the same byte ranges (the floor: hashing + one RSA signature).
 *
 * Prints a plain table and, last, `BENCH_JSON {"bench":"signing",…}` (the line bench/run-all.ts reads).
 */
import { createHash, createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { Signer as SignPdfSigner, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import forge from 'node-forge';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { buildDetachedCms } from '../functions/signing/cms.ts';
import { DevelopmentPki } from '../functions/signing/dev-pki.ts';
import {
  addSecondSignature,
  preparePdfForSigning,
  signPdf,
  type SignPdfOptions,
} from '../functions/signing/sign-pdf.ts';
import { findSignatureFields, verifyPdfSignatures } from '../functions/signing/verify.ts';
import type { SummaryRow } from './concurrent-cases.ts';
import { percentile, ratio, round, table } from './stats.ts';

const OPTIONS: SignPdfOptions = {
  reason: 'Penandatanganan Kesepakatan Bersama',
  location: 'Kota Contoh',
  name: 'Dr. H. Budi Santoso, M.Si.',
  contactInfo: 'setda@kotacontoh.go.id',
  signingTime: new Date(),
};
const P12_PASSPHRASE = 'bench';
const WARMUP = 10;

function parseArgs(argv: string[]): number {
  let n = 200;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') n = 20;
    else if (arg === '--signatures' || arg === '--cases') n = Number(argv[++i]);
    else if (arg.startsWith('--signatures=') || arg.startsWith('--cases=')) n = Number(arg.split('=')[1]);
  }
  if (!Number.isInteger(n) || n < 1) throw new Error('--signatures must be a positive integer');
  return n;
}

async function twoPagePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let p = 1; p <= 2; p++) {
    const page = doc.addPage([595, 842]);
    for (let line = 0; line < 40; line++) {
      page.drawText(
        `Halaman ${p}, baris ${line + 1}: Pasal ${line + 1} Kesepakatan Bersama tentang kerja sama daerah.`,
        {
          x: 48,
          y: 800 - line * 18,
          size: 10,
          font,
        },
      );
    }
  }
  return doc.save();
}

/** @signpdf/signer-p12's sign(), reproduced: parse the P12 on every call, forge.pkcs7 detached SignedData. */
class P12StyleSigner extends SignPdfSigner {
  constructor(private readonly p12Path: string) {
    super();
  }

  override async sign(pdfBuffer: Buffer, signingTime?: Date): Promise<Buffer> {
    const p12Asn1 = forge.asn1.fromDer(readFileSync(this.p12Path).toString('binary'));
    const p12 = forge.pkcs12.pkcs12FromAsn1(p12Asn1, false, P12_PASSPHRASE);
    const certBag = forge.pki.oids.certBag!;
    const keyBag = forge.pki.oids.pkcs8ShroudedKeyBag!;
    const certBags = p12.getBags({ bagType: certBag })[certBag] ?? [];
    const keyBags = p12.getBags({ bagType: keyBag })[keyBag] ?? [];
    const privateKey = keyBags[0]!.key as forge.pki.rsa.PrivateKey;
    const p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(pdfBuffer.toString('binary'));
    let certificate: forge.pki.Certificate | undefined;
    for (const bag of certBags) {
      const cert = bag.cert!;
      const publicKey = cert.publicKey as forge.pki.rsa.PublicKey;
      if (publicKey.n.compareTo(privateKey.n) === 0 && publicKey.e.compareTo(privateKey.e) === 0) certificate = cert;
      p7.addCertificate(cert);
    }
    if (!certificate) throw new Error('no certificate for the key in the P12');
    p7.addSigner({
      key: privateKey,
      certificate,
      digestAlgorithm: forge.pki.oids.sha256!,
      authenticatedAttributes: [
        { type: forge.pki.oids.contentType!, value: forge.pki.oids.data! },
        { type: forge.pki.oids.signingTime!, value: (signingTime ?? new Date()) as unknown as string },
        { type: forge.pki.oids.messageDigest! },
      ],
    });
    p7.sign({ detached: true });
    return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
  }
}

/** The baseline pipeline: the same steps as signPdf, with the P12-style signer. */
async function baselineSign(pdf: Uint8Array, p12Path: string): Promise<Uint8Array> {
  return baselineAppend(await preparePdfForSigning(pdf), p12Path);
}

/** The baseline's counter-signature: the same steps as addSecondSignature, with the P12-style signer. */
async function baselineSignTwice(pdf: Uint8Array, p12Path: string): Promise<Uint8Array> {
  return baselineAppend(await baselineSign(pdf, p12Path), p12Path);
}

async function baselineAppend(prepared: Uint8Array, p12Path: string): Promise<Uint8Array> {
  const withPlaceholder = plainAddPlaceholder({
    pdfBuffer: Buffer.from(prepared),
    reason: OPTIONS.reason,
    location: OPTIONS.location,
    name: OPTIONS.name,
    contactInfo: OPTIONS.contactInfo,
    signingTime: new Date(),
    signatureLength: 8192,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
  });
  return new SignPdf().sign(withPlaceholder, new P12StyleSigner(p12Path));
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

interface Row {
  what: string;
  p50: number;
  p95: number;
  max: number;
}
const row = (what: string, xs: number[]): Row => ({
  what,
  p50: round(percentile(xs, 50), 2),
  p95: round(percentile(xs, 95), 2),
  max: round(Math.max(...xs), 2),
});

async function main(): Promise<void> {
  const n = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'sepakat-bench-signing-'));
  try {
    const setupStart = performance.now();
    const pki = await DevelopmentPki.open({ dir: join(dir, 'pki'), now: () => new Date() });
    const official = { id: 'walikota', nama: OPTIONS.name, jabatan: 'Wali Kota Contoh', nip: '197003151995031002' };
    const signer = await pki.signerFor(official);
    const pkiMs = performance.now() - setupStart;
    const pdf = await twoPagePdf();

    // The same key and certificates in a P12 for the baseline.
    const officialDir = readdirOnly(join(dir, 'pki', 'pejabat'));
    const keyPem = readFileSync(join(officialDir, 'key.pem'), 'utf8');
    const chain = await signer.certificateChain();
    const forgeCerts = chain.map((der) =>
      forge.pki.certificateFromAsn1(forge.asn1.fromDer(Buffer.from(der).toString('binary'))),
    );
    const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(keyPem), forgeCerts, P12_PASSPHRASE, {
      algorithm: '3des',
    });
    const p12Path = join(dir, 'walikota.p12');
    writeFileSync(p12Path, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
    // Created after the P12 is made from the one official directory there was.
    const counterSigner = await pki.signerFor({ id: 'bupati', nama: 'Ir. Ratna Dewi', jabatan: 'Bupati Contoh' });

    // Inputs for the step-only figures.
    const sample = await signPdf(pdf, signer, OPTIONS);
    const [a, b, c, d] = findSignatureFields(sample)[0]!.byteRange;
    const ranges = Buffer.concat([sample.subarray(a, a + b), sample.subarray(c, c + d)]);
    const digest = new Uint8Array(createHash('sha256').update(ranges).digest());
    const rawKey = createPrivateKey(keyPem);

    const real: number[] = [];
    const base: number[] = [];
    const realCms: number[] = [];
    const baseCms: number[] = [];
    const raw: number[] = [];
    const realTwo: number[] = [];
    const baseTwo: number[] = [];
    let lastReal: Uint8Array = sample;
    let lastBase: Uint8Array = sample;
    let lastRealTwo: Uint8Array = sample;
    const signTwice = async () =>
      addSecondSignature(await signPdf(pdf, signer, OPTIONS), counterSigner, { ...OPTIONS, name: 'Ir. Ratna Dewi' });
    for (let i = -WARMUP; i < n; i++) {
      const tr = await time(async () => (lastReal = await signPdf(pdf, signer, OPTIONS)));
      const tb = await time(async () => (lastBase = await baselineSign(pdf, p12Path)));
      const tr2 = await time(async () => (lastRealTwo = await signTwice()));
      const tb2 = await time(() => baselineSignTwice(pdf, p12Path));
      const tcr = await time(() => buildDetachedCms({ contentDigest: digest, signer, signingTime: new Date() }));
      const tcb = await time(() => new P12StyleSigner(p12Path).sign(ranges));
      const tw = await time(() => cryptoSign('sha256', ranges, rawKey));
      if (i < 0) continue;
      real.push(tr);
      base.push(tb);
      realCms.push(tcr);
      baseCms.push(tcb);
      raw.push(tw);
      realTwo.push(tr2);
      baseTwo.push(tb2);
    }

    const trust = { trustedRoots: [pki.caCertificate], checkDate: new Date() };
    const [vr, vb, vr2] = await Promise.all([
      verifyPdfSignatures(lastReal, trust),
      verifyPdfSignatures(lastBase, trust),
      verifyPdfSignatures(lastRealTwo, trust),
    ]);
    const verdict = (v: typeof vr) => {
      const s = v.signatures[0]!;
      return {
        digestOk: s.digestOk,
        signatureOk: s.signatureOk,
        chainOk: s.chainOk,
        hasSigningCertificateV2: s.hasSigningCertificateV2,
      };
    };
    const check = (v: typeof vr) => {
      const s = v.signatures[0]!;
      const first = s.problems[0] ? ` (${s.problems[0]})` : '';
      return `digest ${s.digestOk ? 'ok' : 'BAD'}, signature ${s.signatureOk ? 'ok' : 'BAD'}, chain ${s.chainOk ? 'ok' : 'BAD'}, signing-certificate-v2 ${s.hasSigningCertificateV2 ? 'yes' : 'no'}${first}`;
    };

    const rows = [
      row('signPdf, development signer (key loaded once, pkijs CMS)', real),
      row('baseline: same pipeline, signer-p12 style (P12 parsed per document, forge pkcs7)', base),
      row('two signatures: signPdf + addSecondSignature (second official)', realTwo),
      row('baseline, two signatures: same pipeline twice, signer-p12 style', baseTwo),
      row('CMS step only: pkijs + signed attributes incl. signing-certificate-v2', realCms),
      row('CMS step only: signer-p12 style', baseCms),
      row('floor: raw crypto.sign(sha256, RSA-2048) over the same byte ranges', raw),
    ];
    const [rReal, rBase, rRealTwo, rBaseTwo, rRealCms, rBaseCms, rRaw] = rows as [Row, Row, Row, Row, Row, Row, Row];
    const out: string[] = [];
    out.push(
      `signing: ${n} signatures of a 2-page PDF (${pdf.length} bytes → ${lastReal.length} signed), Node ${process.version}`,
    );
    out.push(`development PKI (CA + 1 official certificate, RSA-2048) created in ${round(pkiMs, 0)} ms`);
    out.push('');
    out.push(
      table(
        ['per document (ms)', 'p50', 'p95', 'max'],
        rows.map((r) => [r.what, r.p50, r.p95, r.max]),
      ),
    );
    out.push('');
    out.push(
      `ratio signPdf / baseline (signer-p12 style): p50 ${ratio(rReal.p50, rBase.p50)}, p95 ${ratio(rReal.p95, rBase.p95)}`,
    );
    out.push(
      `ratio two signatures / baseline: p50 ${ratio(rRealTwo.p50, rBaseTwo.p50)}, p95 ${ratio(rRealTwo.p95, rBaseTwo.p95)}`,
    );
    out.push(`ratio CMS step / signer-p12-style CMS step: p50 ${ratio(rRealCms.p50, rBaseCms.p50)}`);
    out.push(`ratio signPdf / raw crypto.sign floor: p50 ${ratio(rReal.p50, rRaw.p50)}`);
    out.push(`check, signPdf output:   ${check(vr)}`);
    out.push(`check, baseline output:  ${check(vb)}`);
    out.push(
      `check, two signatures:   ${vr2.signatures.length} signatures, ${vr2.valid ? 'valid' : `NOT valid (${vr2.problems.join('; ') || vr2.signatures.flatMap((s) => s.problems).join('; ')})`}`,
    );
    if (!vb.signatures[0]?.signatureOk) {
      out.push(
        '  (node-forge writes the issuer DN of the SignerIdentifier with its UTF8String double-encoded — the CA name',
        '   holds an em dash — so the signer certificate is not found; openssl cms -verify says the same. Timing is',
        '   unaffected; the baseline is a speed reference, not a correct signer for non-ASCII issuer names.)',
      );
    }
    console.log(out.join('\n'));

    const summary: SummaryRow[] = [
      { metric: 'signPdf p50', unit: 'ms', value: rReal.p50, baseline: rBase.p50, ratio: ratio(rReal.p50, rBase.p50) },
      { metric: 'signPdf p95', unit: 'ms', value: rReal.p95, baseline: rBase.p95, ratio: ratio(rReal.p95, rBase.p95) },
      {
        metric: 'two signatures p50',
        unit: 'ms',
        value: rRealTwo.p50,
        baseline: rBaseTwo.p50,
        ratio: ratio(rRealTwo.p50, rBaseTwo.p50),
      },
      {
        metric: 'CMS step p50',
        unit: 'ms',
        value: rRealCms.p50,
        baseline: rBaseCms.p50,
        ratio: ratio(rRealCms.p50, rBaseCms.p50),
      },
    ];
    const json = {
      bench: 'signing',
      node: process.version,
      signatures: n,
      pdfBytes: pdf.length,
      baselineKind:
        'signer-p12 style: same pdf-lib/placeholder-plain/SignPdf pipeline, P12 re-read and re-parsed per document, node-forge pkcs7',
      real: rReal,
      baseline: rBase,
      twoSignatures: { real: rRealTwo, baseline: rBaseTwo, valid: vr2.valid },
      cmsStep: { real: rRealCms, baseline: rBaseCms },
      rawCryptoSign: rRaw,
      ratio: { p50: ratio(rReal.p50, rBase.p50), p95: ratio(rReal.p95, rBase.p95), vsRaw: ratio(rReal.p50, rRaw.p50) },
      checks: { real: verdict(vr), baseline: verdict(vb) },
      summary,
    };
    console.log(`BENCH_JSON ${JSON.stringify(json)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The one official directory under `dir` (the bench creates exactly one). */
function readdirOnly(dir: string): string {
  const entries = readdirSync(dir).filter((e) => !e.includes('.tmp-'));
  if (entries.length !== 1) throw new Error(`expected one official in ${dir}, found ${entries.length}`);
  return join(dir, entries[0]!);
}

await main();
