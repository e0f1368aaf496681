import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf } from '../cli/drive.ts';
import { isSepakatError } from '../core/errors.ts';
import { fromPem, parseCertificate, sha256, toArrayBuffer } from '../functions/signing/asn1.ts';
import { DevelopmentPki, type LocalSigner } from '../functions/signing/dev-pki.ts';
import { PadesSigner } from '../functions/signing/pades-signer.ts';
import { buildDetachedCms } from '../functions/signing/cms.ts';
import { appendSignatureWith, signPdf, type CmsMaker, type SignPdfOptions } from '../functions/signing/sign-pdf.ts';
import { HttpTimestampAuthority } from '../functions/signing/timestamp.ts';
import {
  findSignatureFields,
  trustOf,
  verifyPdfSignatures,
  verifyTimestampToken,
} from '../functions/signing/verify.ts';
import { startLocalTsa, type LocalTsa } from '../local/tsa/local-tsa.ts';
import { OPENSSL } from './support/kasus.ts';
import { startTestRuntime } from './support/runtime.ts';
import { opensslTimestampVerifies, signatureTimestamp } from './support/timestamp.ts';

const PDFSIG = spawnSync('pdfsig', ['-v'], { encoding: 'utf8' }).status === 0;
const CLAIMED = new Date('2026-12-07T09:00:00Z');
const TSA_TIME = new Date('2026-12-07T09:00:42Z');
const WALIKOTA = {
  pemdaId: 'kota-contoh',
  id: 'walikota',
  nama: 'Dr. H. Budi Santoso, M.Si.',
  jabatan: 'Wali Kota Contoh',
};
const OPTIONS: SignPdfOptions = {
  reason: 'Penandatanganan Kesepakatan Bersama',
  location: 'Kota Contoh',
  name: WALIKOTA.nama,
  contactInfo: 'setda@kotacontoh.go.id',
  signingTime: CLAIMED,
};

let dir: string;
let tsa: LocalTsa;
let pki: DevelopmentPki;
let walikota: LocalSigner;
let authority: HttpTimestampAuthority;
let stamped: Uint8Array;
const checkDate = new Date('2026-12-08T00:00:00Z');
const trust = () => ({ trustedRoots: [pki.caCertificate], timestampRoots: [tsa.caCertificate], checkDate });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sepakat-b-t-'));
  const now = () => CLAIMED;
  tsa = await startLocalTsa({ dataDir: dir, now: () => TSA_TIME });
  pki = await DevelopmentPki.open({ dir: join(dir, 'pki'), now });
  walikota = await pki.signerFor(WALIKOTA);
  authority = new HttpTimestampAuthority(tsa.url);
  stamped = await signPdf(samplePdf('Kesepakatan Bersama'), walikota, { ...OPTIONS, timestamp: authority });
});
afterAll(async () => {
  await tsa.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('signature timestamps (PAdES B-T)', () => {
  it('the verifier reports B-T and the time from the token, not the claimed time', async () => {
    const report = await verifyPdfSignatures(stamped, trust());
    expect(report.problems).toEqual([]);
    const [s] = report.signatures;
    expect(s!.problems).toEqual([]);
    expect(s!.valid).toBe(true);
    expect(s!.level).toBe('B-T');
    expect(s!.signingTime).toBe(TSA_TIME.toISOString());
    expect(s!.signingTimeSource).toBe('timestamp');
    expect(s!.claimedSigningTime).toBe(CLAIMED.toISOString());
    expect(s!.timestamp).toMatchObject({ imprintOk: true, signatureOk: true, chainOk: true, valid: true });
    expect(s!.timestamp!.tsa).toMatch(/CN=TSA Lokal Sepakat/);
  });

  it('without a TSA nothing changes: B-B, the claimed time, no unsigned attribute', async () => {
    const plain = await signPdf(samplePdf('Kesepakatan Bersama'), walikota, OPTIONS);
    const [s] = (await verifyPdfSignatures(plain, trust())).signatures;
    expect(s!.valid).toBe(true);
    expect(s!.level).toBe('B-B');
    expect(s!.timestamp).toBeNull();
    expect(s!.signingTimeSource).toBe('cms');
    expect(signatureTimestamp(plain).token).toBeUndefined();
    // The reserved /Contents grows by the TSA's reserve, measured against the token it holds.
    const gap = (pdf: Uint8Array) => {
      const [a, b, c] = findSignatureFields(pdf)[0]!.byteRange;
      return (c - (a + b) - 2) / 2;
    };
    const token = signatureTimestamp(stamped).token!;
    const chain = (await walikota.certificateChain()).reduce((n, c) => n + c.byteLength, 0);
    expect(gap(plain)).toBe(8192);
    expect(gap(stamped)).toBe(chain + 4096 + authority.reserveBytes());
    const cms = findSignatureFields(stamped)[0]!.contents;
    const used = asn1js.fromBER(toArrayBuffer(cms)).offset;
    // Measured: the local TSA's token (≈ 2.9 KB with its two certificates) and the CMS around it fit with room.
    expect(token.byteLength).toBeLessThan(authority.reserveBytes() / 2);
    expect(used).toBeLessThan(gap(stamped) - 4096);
  });

  it('a token over another value is refused: imprint mismatch, signature invalid', async () => {
    const { signatureValue, token } = signatureTimestamp(stamped);
    const roots = [parseCertificate(tsa.caCertificate)];
    const own = await verifyTimestampToken(token!, signatureValue, roots, checkDate);
    expect(own.valid).toBe(true);
    const other = await verifyTimestampToken(token!, sha256('nilai lain'), roots, checkDate);
    expect(other.valid).toBe(false);
    expect(other.imprintOk).toBe(false);
    expect(other.problems.join(' ')).toMatch(/message imprint tidak cocok/);

    // The token of one signature moved into another signature's place: the verifier refuses that signature.
    const second = await signPdf(samplePdf('Naskah lain'), walikota, { ...OPTIONS, timestamp: authority });
    const moved = swapToken(second, token!);
    const [s] = (await verifyPdfSignatures(moved, trust())).signatures;
    expect(s!.digestOk && s!.signatureOk).toBe(true); // the signature itself is intact: unsigned attributes
    expect(s!.valid).toBe(false);
    expect(s!.level).toBe('B-B');
    expect(s!.problems.join(' ')).toMatch(/message imprint tidak cocok/);
  });

  it('a sound token from a TSA the verifier does not trust is ignored and said so: B-B, the claimed time', async () => {
    const [s] = (await verifyPdfSignatures(stamped, { ...trust(), timestampRoots: [pki.caCertificate] })).signatures;
    expect(s!.valid).toBe(true);
    expect(s!.level).toBe('B-B');
    expect(s!.timestamp).toMatchObject({ imprintOk: true, signatureOk: true, chainOk: false, valid: false });
    expect(s!.signingTime).toBe(CLAIMED.toISOString());
    expect(s!.warnings.join(' ')).toMatch(/Sertifikat TSA tidak dipercaya.*Cap waktu diabaikan/);
  });

  it('a token that does not fit the reserved /Contents fails loudly, it is never truncated', async () => {
    // /Contents reserved for a signature without a token, filled with a signature and its real token.
    const makeCms: CmsMaker = async ([before, after], signingTime) =>
      buildDetachedCms({
        contentDigest: sha256(Buffer.concat([before, after])),
        signer: walikota,
        signingTime,
        timestamp: authority,
      });
    const failure = await appendSignatureWith(samplePdf('x'), { ...OPTIONS, signatureLength: 4096 }, makeCms).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isSepakatError(failure) && failure.code).toBe('TandaTanganTerlaluBesar');
    expect((failure as Error).message).toMatch(/lebih besar dari ruang \/Contents yang disediakan \(4096 byte\)/);
  });

  it('the PadesSigner with a TSA signs B-T', async () => {
    const keys = async () => ({
      signerFor: (o: typeof WALIKOTA) => pki.signerFor(o),
      trustedRoots: async () => [pki.caCertificate],
      timestampRoots: async () => [tsa.caCertificate],
    });
    const signer = new PadesSigner(keys, { timestamp: authority });
    const pdf = await signer.signPdf(samplePdf('Surat'), WALIKOTA, { ...OPTIONS, signingTime: CLAIMED });
    const [info] = await signer.signatures(pdf, checkDate);
    expect(info).toMatchObject({
      valid: true,
      signingTime: TSA_TIME.toISOString(),
      // What the Lembar Riwayat prints: the anchor's kind, the level and the timestamp's time.
      kind: 'pengembangan',
      level: 'B-T',
      timestampTime: TSA_TIME.toISOString(),
    });
  });

  it.skipIf(!OPENSSL)('openssl ts -verify accepts the token for the SHA-256 of the signature value', () => {
    const { signatureValue, token } = signatureTimestamp(stamped);
    const result = opensslTimestampVerifies(token!, sha256(signatureValue), tsa);
    expect(result.output).toMatch(/Verification: OK/);
    expect(result.ok).toBe(true);
    expect(opensslTimestampVerifies(token!, sha256(stamped), tsa).ok).toBe(false);
  });

  it.skipIf(!PDFSIG)('pdfsig reports the timestamped signature valid', () => {
    const file = join(dir, 'b-t.pdf');
    writeFileSync(file, stamped);
    const out = spawnSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
    expect(out.stdout).toMatch(/Signature Validation: Signature is Valid\./);
    expect(out.stdout).toMatch(/Total document signed/);
  });
});

describe('the embedded default', () => {
  it('starts the local TSA, configures it as the TSA and trusts its CA for timestamps only', async () => {
    const rt = await startTestRuntime({ recover: false, schedulerIntervalMs: 0, intakeSweepIntervalMs: 0 });
    try {
      expect(rt.app.config.SEPAKAT_TSA_URL).toBe(rt.urls.tsa);
      const keys = await rt.app.keys();
      const signer = await keys.signerFor(WALIKOTA);
      const pdf = await signPdf(samplePdf('Naskah'), signer, {
        ...OPTIONS,
        timestamp: new HttpTimestampAuthority(rt.app.config.SEPAKAT_TSA_URL!),
      });
      const [s] = (await verifyPdfSignatures(pdf, { ...(await trustOf(keys)), checkDate: new Date(Date.now()) }))
        .signatures;
      expect(s!.problems).toEqual([]);
      expect(s!.level).toBe('B-T');
      expect(s!.signingTimeSource).toBe('timestamp');
      // The TSA's CA anchors tokens, not signers; the development CA anchors signers, not tokens. (BSrE's roots anchor
      // both: BSrE's timestamp tokens chain to them.)
      const hex = (r: Uint8Array) => Buffer.from(r).toString('hex');
      const roots = (await keys.trustedRoots()).map(hex);
      const tsaRoots = (await keys.timestampRoots!()).map(hex);
      const tsaCa = hex(fromPem(readFileSync(rt.app.config.SEPAKAT_TSA_CA_FILE!, 'utf8'))[0]!);
      expect(roots).not.toContain(tsaCa);
      expect(tsaRoots).toContain(tsaCa);
      const development = (
        await DevelopmentPki.open({ dir: rt.app.config.SEPAKAT_DEV_PKI_DIR!, now: () => new Date() })
      ).caCertificate;
      expect(tsaRoots).not.toContain(hex(development));
    } finally {
      await rt.cleanup();
    }
  }, 60_000);
});

/** The same signed PDF with another token in its SignerInfo (same length: a token from the same TSA and chain). */
function swapToken(pdf: Uint8Array, token: Uint8Array): Uint8Array {
  const field = findSignatureFields(pdf)[0]!;
  const own = signatureTimestamp(pdf).token!;
  expect(own.byteLength).toBe(token.byteLength);
  const at = Buffer.from(field.contents).indexOf(Buffer.from(own));
  const contents = Buffer.from(field.contents);
  Buffer.from(token).copy(contents, at);
  const out = Buffer.from(pdf);
  out.write(contents.toString('hex'), field.byteRange[1] + 1, 'latin1');
  return new Uint8Array(out);
}
