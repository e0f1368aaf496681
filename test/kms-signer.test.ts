import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSepakatError } from '../core/errors.ts';
import { parseCertificate } from '../functions/signing/asn1.ts';
import { DevelopmentPki } from '../functions/signing/dev-pki.ts';
import {
  kmsCertificateRequest,
  KmsSigner,
  KmsSigningKeys,
  type KmsKeyBinding,
} from '../functions/signing/kms-signer.ts';
import { PadesSigner } from '../functions/signing/pades-signer.ts';
import { verifyPdfSignatures } from '../functions/signing/verify.ts';
import { OPENSSL } from './support/kasus.ts';
import { startLocalKms, type LocalKms } from '../local/kms/local-kms.ts';
import { LOCAL_DEVELOPMENT_CREDENTIALS, LOCAL_REGION } from '../local/local-aws.ts';

const PDFSIG = spawnSync('pdfsig', ['-v'], { encoding: 'utf8' }).status !== null;
const now = () => new Date('2026-11-20T00:00:00Z');
const SIGNING_TIME = new Date('2026-11-23T02:00:00Z');
const CHECK_DATE = new Date('2026-11-24T00:00:00Z');
const WALIKOTA = {
  pemdaId: 'kota-contoh',
  id: 'walikota',
  nama: 'Dr. H. Budi Santoso, M.Si.',
  jabatan: 'Wali Kota Contoh',
  nip: '197003151995031002',
  instansi: 'Pemerintah Kota Contoh',
};
const SEKDA = {
  pemdaId: 'kota-contoh',
  id: 'sekda',
  nama: 'Drs. Ahmad Fauzi',
  jabatan: 'Sekretaris Daerah',
  instansi: 'Pemerintah Kota Contoh',
};
const DETAILS = {
  reason: 'Penandatanganan Kesepakatan Bersama',
  location: 'Kota Contoh',
  name: WALIKOTA.nama,
  contactInfo: 'setda@kotacontoh.go.id',
  signingTime: SIGNING_TIME,
};

let work: string;
let localKms: LocalKms;
let kms: KMSClient;
/** The pemda's CA (locally a development CA of its own name). */
let pemdaCa: DevelopmentPki;
let pdf: Uint8Array;

async function kmsKey(keySpec: 'ECC_NIST_P256' | 'RSA_2048'): Promise<{ keyId: string; spki: Uint8Array }> {
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({
      KeySpec: keySpec,
      KeyUsage: 'SIGN_VERIFY',
      Tags: [{ TagKey: 'sepakat:penggunaan', TagValue: 'tanda-tangan' }],
    }),
  );
  const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: KeyMetadata!.KeyId }));
  return { keyId: KeyMetadata!.Arn!, spki: new Uint8Array(PublicKey!) };
}

/** poppler's verdict on each signature (pdfsig exits 0 whatever it finds: its text is read). */
function pdfsig(bytes: Uint8Array, name: string): string[] {
  const file = join(work, name);
  writeFileSync(file, bytes);
  const out = spawnSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
  return [...`${out.stdout}${out.stderr}`.matchAll(/- Signature Validation: (.*)$/gm)].map((m) => m[1]!.trim());
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sepakat-kms-signer-'));
  localKms = await startLocalKms({ dataDir: join(work, 'kms'), region: LOCAL_REGION, accountId: '000000000000', now });
  kms = new KMSClient({
    endpoint: localKms.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
  });
  pemdaCa = await DevelopmentPki.open({ dir: join(work, 'ca-kota-contoh'), caName: 'CA Pemerintah Kota Contoh', now });
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc
    .addPage([595, 842])
    .drawText('KESEPAKATAN BERSAMA — ditandatangani dengan kunci KMS', { x: 56, y: 760, size: 12, font });
  // A classic cross-reference table, as Chromium writes: the signature is appended to these very bytes.
  pdf = await doc.save({ useObjectStreams: false });
}, 60_000);

afterAll(async () => {
  kms?.destroy();
  await localKms?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the kms signer behind the Signer port (local KMS through @aws-sdk/client-kms)', () => {
  for (const keySpec of ['ECC_NIST_P256', 'RSA_2048'] as const) {
    it(`${keySpec}: a PAdES signature made with KMS Sign (DIGEST) verifies with verify.ts and pdfsig`, async () => {
      const key = await kmsKey(keySpec);
      const chain = await pemdaCa.issueCertificate(WALIKOTA, key.spki);
      // The certificate issued by the pemda CA certifies exactly the KMS key.
      const leaf = parseCertificate(chain[0]!);
      expect(Buffer.from(leaf.subjectPublicKeyInfo.toSchema().toBER())).toEqual(
        createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' }).export({
          type: 'spki',
          format: 'der',
        }),
      );
      const keys = new KmsSigningKeys(
        kms,
        (official) => (official.id === WALIKOTA.id ? { keyId: key.keyId, chain } : undefined),
        [pemdaCa.caCertificate],
      );
      const signer = new PadesSigner(async () => keys);
      expect(await signer.describe(WALIKOTA)).toEqual({
        name: WALIKOTA.nama,
        issuer: 'CA Pemerintah Kota Contoh',
        development: true,
        kind: 'pengembangan',
      });

      const signed = await signer.signPdf(pdf, WALIKOTA, DETAILS);
      expect(Buffer.from(signed.subarray(0, pdf.length))).toEqual(Buffer.from(pdf)); // an incremental update

      const report = await verifyPdfSignatures(signed, {
        trustedRoots: [pemdaCa.caCertificate],
        checkDate: CHECK_DATE,
      });
      expect(report.problems).toEqual([]);
      expect(report.valid).toBe(true);
      expect(report.signatures).toHaveLength(1);
      expect(report.signatures[0]).toMatchObject({ signerName: WALIKOTA.nama, chainOk: true, valid: true });
      expect(await signer.signatures(signed, CHECK_DATE)).toMatchObject([{ signer: WALIKOTA.nama, valid: true }]);

      // A one-byte change inside the signed range fails.
      const tampered = new Uint8Array(signed);
      tampered[200] = tampered[200]! ^ 0x01;
      expect(
        (await verifyPdfSignatures(tampered, { trustedRoots: [pemdaCa.caCertificate], checkDate: CHECK_DATE })).valid,
      ).toBe(false);

      if (PDFSIG) expect(pdfsig(signed, `kms-${keySpec}.pdf`)).toEqual(['Signature is Valid.']);
    });
  }

  it('refuses a certificate that does not certify the KMS key, before anything is signed', async () => {
    const key = await kmsKey('ECC_NIST_P256');
    const other = await kmsKey('ECC_NIST_P256');
    const wrongChain = await pemdaCa.issueCertificate(SEKDA, other.spki);
    const error = await KmsSigner.open(kms, { keyId: key.keyId, chain: wrongChain }).catch((e: unknown) => e);
    expect(isSepakatError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'KunciKmsTidakCocok' });
    expect((error as Error).message).toContain(
      `Kunci publik KMS ${key.keyId} tidak sama dengan kunci publik sertifikat "${SEKDA.nama}"`,
    );

    // Through the port: the signature is refused with the same error and the PDF is not signed.
    const keys = new KmsSigningKeys(kms, () => ({ keyId: key.keyId, chain: wrongChain }), [pemdaCa.caCertificate]);
    await expect(new PadesSigner(async () => keys).signPdf(pdf, SEKDA, DETAILS)).rejects.toMatchObject({
      code: 'KunciKmsTidakCocok',
    });
  });

  it('names the official without a KMS key, and a key that KMS does not hold', async () => {
    const keys = new KmsSigningKeys(kms, () => undefined, [pemdaCa.caCertificate]);
    await expect(keys.signerFor(SEKDA)).rejects.toMatchObject({
      code: 'TanpaKunciKms',
      message: expect.stringContaining('sekda'),
    });
    const binding: KmsKeyBinding = {
      keyId: '00000000-0000-4000-8000-000000000000',
      chain: await pemdaCa.issueCertificate(SEKDA, (await kmsKey('ECC_NIST_P256')).spki),
    };
    const missing = await KmsSigner.open(kms, binding).catch((e: unknown) => e);
    expect(isSepakatError(missing)).toBe(true);
    expect((missing as Error).message).toContain('NotFoundException');
  });

  it('kmsCertificateRequest: an RSA_2048 key makes a CSR signed through KMS that openssl req -verify accepts', async () => {
    const key = await kmsKey('RSA_2048');
    const der = await kmsCertificateRequest(kms, key.keyId, WALIKOTA);
    expect(der[0]).toBe(0x30);
    if (!OPENSSL) return;
    const file = join(work, 'walikota-rsa.csr');
    writeFileSync(file, der);
    const verified = spawnSync('openssl', ['req', '-in', file, '-inform', 'DER', '-noout', '-verify', '-subject'], {
      encoding: 'utf8',
    });
    expect(verified.status, verified.stderr).toBe(0);
    expect(`${verified.stdout}${verified.stderr}`).toMatch(/verify OK/i);
    expect(verified.stdout).toContain('title = Wali Kota Contoh');
  });
});
