/**
 * An extra CI check, outside `npm test` (it needs poppler's `pdfsig`, `qpdf` and `openssl`, which `.ci/run`
 * installs for itself and without which it fails): a Kesepakatan Bersama rendered by the product, signed by the
 * Walikota (development CA) and counter-signed by the partner (another CA) as an incremental update, read by three
 * independent implementations.
 *
 * - pdfsig (poppler) must report each signature valid over its byte ranges, the last one covering the whole file.
 *   pdfsig exits 0 for a tampered file too, so its text is read, signature by signature.
 * - qpdf --check must pass on the once- and twice-signed files with exit 0 and no WARNING (structure: every
 *   cross-reference offset, /Size, /Prev, startxref).
 * - openssl cms -verify must accept each signature's CMS (/Contents) over its /ByteRange, against the signer's CA.
 *
 * A copy with one flipped byte inside both signed ranges must make pdfsig and openssl report both signatures
 * broken; what qpdf says of it is printed (its structure may still be fine: the byte is inside a content stream).
 *
 * The Lembar Riwayat Penandatanganan (the completion package's audit certificate), sealed with the pemda's seal
 * identity, must pass the same three.
 *
 * The Walikota's signature carries an RFC 3161 signature timestamp from the local TSA (PAdES B-T): `openssl ts
 * -verify -digest <SHA-256 of the SignerInfo's signature value>` must accept its token against the TSA's CA.
 *
 * PAdES B-LT: the Walikota's signature is followed by an update that adds the /DSS (the signer's and the TSA's
 * chains, the development CA's CRL, a /VRI entry). `qpdf --json` must show the /DSS in the catalog with four
 * certificates and one CRL, `openssl crl` must parse that CRL, signed by the CA (`-CAfile`), and the counter-signed
 * file (the partner signing after our /DSS) must pass pdfsig and `qpdf --check` as above.
 *
 * The `kms` provider: a key in the local KMS (through @aws-sdk/client-kms) gives a CSR signed through KMS `Sign`,
 * which `openssl req -verify` must accept; the pemda CA issues its certificate, and the same naskah signed through
 * KMS (`KmsSigner`, with the TSA's timestamp) must be valid for pdfsig, pass `qpdf --check` and `openssl cms -verify`.
 *
 *   npx tsx test/ci/pdf-tools-check.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contohById } from '../support/contoh.ts';
import { createRenderer } from '../../functions/render/renderer.ts';
import { DevelopmentPki } from '../../functions/signing/dev-pki.ts';
import { addSecondSignature, signPdf } from '../../functions/signing/sign-pdf.ts';
import { HttpTimestampAuthority } from '../../functions/signing/timestamp.ts';
import { CreateKeyCommand, GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { toPem } from '../../functions/signing/asn1.ts';
import { kmsCertificateRequest, KmsSigner } from '../../functions/signing/kms-signer.ts';
import { startLocalKms } from '../../local/kms/local-kms.ts';
import { LOCAL_DEVELOPMENT_CREDENTIALS, LOCAL_REGION } from '../../local/local-aws.ts';
import { startLocalTsa } from '../../local/tsa/local-tsa.ts';
import { imprintOf, opensslTimestampVerifies, signatureTimestamp } from '../support/timestamp.ts';

const work = mkdtempSync(join(tmpdir(), 'sepakat-pdf-tools-'));
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? 'OK  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

function run(command: string, args: string[]): { status: number | null; output: string } {
  const out = spawnSync(command, args, { encoding: 'utf8' });
  if (out.error) throw new Error(`${command} could not be run: ${out.error.message}`);
  return { status: out.status, output: `${out.stdout}${out.stderr}` };
}

/** pdfsig's report, one entry per "Signature #N:" block. */
function pdfsig(file: string): { status: number | null; signatures: { validation: string; total: boolean }[] } {
  const { status, output } = run('pdfsig', ['-nocert', file]);
  console.log(output.trimEnd());
  const signatures = output
    .split(/^Signature #\d+:$/m)
    .slice(1)
    .map((block) => ({
      validation: /- Signature Validation: (.*)$/m.exec(block)?.[1]?.trim() ?? '(none)',
      total: /^\s*- Total document signed$/m.test(block),
    }));
  return { status, signatures };
}

function qpdfCheck(file: string): { status: number | null; output: string } {
  const result = run('qpdf', ['--check', file]);
  console.log(`qpdf --check ${file} → exit ${result.status}\n${result.output.trimEnd()}`);
  return result;
}

/**
 * Each signature's CMS and the bytes it signs, found with a regex over the raw file (not with Sepakat's own
 * reader), then `openssl cms -verify` against `caFiles[i]`. True per signature when openssl verifies it.
 */
function opensslVerify(pdf: Uint8Array, name: string, caFiles: readonly string[]): boolean[] {
  const bytes = Buffer.from(pdf);
  const ranges = [...bytes.toString('latin1').matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  return ranges.map((match, i) => {
    const [a, lengthA, b, lengthB] = match.slice(1, 5).map(Number) as [number, number, number, number];
    const contents = bytes.toString('latin1', a + lengthA + 1, b - 1);
    const der = join(work, `${name}.${i + 1}.p7s`);
    const content = join(work, `${name}.${i + 1}.bin`);
    writeFileSync(der, Buffer.from(contents, 'hex'));
    writeFileSync(content, Buffer.concat([bytes.subarray(a, a + lengthA), bytes.subarray(b, b + lengthB)]));
    const caFile = caFiles[i] ?? caFiles[caFiles.length - 1]!;
    const result = run('openssl', [
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      der,
      '-binary',
      '-content',
      content,
      '-CAfile',
      caFile,
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ]);
    console.log(`openssl cms -verify ${name} signature #${i + 1} → exit ${result.status}: ${result.output.trim()}`);
    return result.status === 0;
  });
}

const renderer = createRenderer();
const tsa = await startLocalTsa({ dataDir: work, now: () => new Date() });
const localKms = await startLocalKms({
  dataDir: join(work, 'kms'),
  region: LOCAL_REGION,
  accountId: '000000000000',
  now: () => new Date(),
});
const kms = new KMSClient({
  endpoint: localKms.endpoint,
  region: LOCAL_REGION,
  credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
});
try {
  const contoh = contohById('kota-kesepakatan-bersama');
  const rendered = await renderer.render('kesepakatan-bersama', contoh.data as never, { paper: 'F4' });
  const ours = await DevelopmentPki.open({ dir: join(work, 'pki'), now: () => new Date() });
  const partner = await DevelopmentPki.open({
    dir: join(work, 'pki-mitra'),
    caName: 'CA Mitra (uji)',
    now: () => new Date(),
  });
  const walikota = await ours.signerFor({ id: 'walikota', nama: 'Dr. H. Ahmad Wijaya', jabatan: 'Walikota Contoh' });
  const bupati = await partner.signerFor({ id: 'bupati', nama: 'H. Dedi Kurniawan, S.E.', jabatan: 'Bupati Sukamaju' });
  const options = { location: 'Kota Contoh', contactInfo: 'kerjasama@kotacontoh.go.id', signingTime: new Date() };
  const once = await signPdf(rendered.pdf, walikota, {
    ...options,
    reason: 'Menandatangani Kesepakatan Bersama',
    name: 'Dr. H. Ahmad Wijaya',
    timestamp: new HttpTimestampAuthority(tsa.url),
    validationData: (chain) => ours.validationData(chain),
  });
  const twice = await addSecondSignature(once, bupati, {
    ...options,
    reason: 'Menandatangani Kesepakatan Bersama',
    name: 'H. Dedi Kurniawan, S.E.',
  });
  const flipped = new Uint8Array(twice);
  flipped[2000] = flipped[2000]! ^ 0x01;
  const caFiles = [join(work, 'pki', 'ca', 'cert.pem'), join(work, 'pki-mitra', 'ca', 'cert.pem')];

  const files = { once: join(work, 'satu-tanda-tangan.pdf'), twice: join(work, 'dua-tanda-tangan.pdf') };
  const tampered = join(work, 'satu-bita-diubah.pdf');
  writeFileSync(files.once, once);
  writeFileSync(files.twice, twice);
  writeFileSync(tampered, flipped);

  console.log('\n== pdfsig ==');
  const sigOnce = pdfsig(files.once);
  check(
    sigOnce.signatures.length === 1 &&
      sigOnce.signatures[0]!.validation === 'Signature is Valid.' &&
      !sigOnce.signatures[0]!.total,
    'pdfsig: signed once: 1 signature, valid, not the total document (the /DSS update of B-LT follows it)',
  );
  const sigTwice = pdfsig(files.twice);
  check(
    sigTwice.signatures.length === 2 && sigTwice.signatures.every((s) => s.validation === 'Signature is Valid.'),
    'pdfsig: counter-signed: both signatures valid',
  );
  check(
    sigTwice.signatures.map((s) => s.total).join() === 'false,true',
    'pdfsig: counter-signed: the second signature (only) covers the whole file',
  );
  const sigBad = pdfsig(tampered);
  check(
    sigBad.signatures.length === 2 && sigBad.signatures.every((s) => s.validation !== 'Signature is Valid.'),
    `pdfsig: one flipped byte → both signatures invalid (pdfsig exited ${sigBad.status}: its text is what counts)`,
  );

  console.log('\n== qpdf --check ==');
  for (const [label, file] of [
    ['signed once', files.once],
    ['counter-signed', files.twice],
  ] as const) {
    const { status, output } = qpdfCheck(file);
    check(status === 0 && !/WARNING/i.test(output), `qpdf --check: ${label}: exit 0, no WARNING`);
  }
  qpdfCheck(tampered);

  console.log('\n== openssl cms -verify ==');
  check(opensslVerify(once, 'satu', caFiles).join() === 'true', 'openssl: signed once: the signature verifies');
  check(opensslVerify(twice, 'dua', caFiles).join() === 'true,true', 'openssl: counter-signed: both signatures verify');
  check(
    opensslVerify(flipped, 'diubah', caFiles).join() === 'false,false',
    'openssl: one flipped byte → neither signature verifies',
  );

  console.log('\n== openssl ts -verify (signature timestamp, PAdES B-T) ==');
  const { signatureValue, token } = signatureTimestamp(once);
  const ts = token ? opensslTimestampVerifies(token, imprintOf(signatureValue), tsa) : { ok: false, output: '' };
  console.log(ts.output.trim());
  check(ts.ok, "openssl ts -verify: the Walikota's timestamp token over the SHA-256 of its signature value");

  console.log('\n== /DSS (PAdES B-LT): qpdf --json, openssl crl ==');
  const json = JSON.parse(
    spawnSync('qpdf', ['--json', files.once], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout || '{}',
  ) as { qpdf?: [unknown, Record<string, { value?: Record<string, unknown>; stream?: { dict?: unknown } }>] };
  const objects = json.qpdf?.[1] ?? {};
  const catalog = Object.values(objects).find((o) => o.value?.['/Type'] === '/Catalog' && o.value['/DSS']);
  const dssRef = catalog?.value?.['/DSS'];
  const dss = typeof dssRef === 'string' ? objects[`obj:${dssRef}`]?.value : undefined;
  const certRefs = (dss?.['/Certs'] as string[] | undefined) ?? [];
  const crlRefs = (dss?.['/CRLs'] as string[] | undefined) ?? [];
  console.log(`qpdf --json: catalog /DSS ${String(dssRef)}: ${certRefs.length} certificates, ${crlRefs.length} CRLs`);
  check(certRefs.length === 4 && crlRefs.length === 1, 'qpdf --json: the /DSS holds 4 certificates and 1 CRL');
  const raw = (ref: string) => {
    const out = spawnSync('qpdf', [`--show-object=${ref.split(' ')[0]}`, '--raw-stream-data', files.once]);
    return new Uint8Array(out.stdout);
  };
  const subjects = certRefs.map((ref) => {
    const der = join(work, `dss-${ref.split(' ')[0]}.cer`);
    writeFileSync(der, raw(ref));
    return run('openssl', ['x509', '-inform', 'DER', '-noout', '-subject', '-in', der]).output.trim();
  });
  console.log(subjects.join('\n'));
  check(
    ['Dr. H. Ahmad Wijaya', 'Sepakat CA Pengembangan', 'TSA Lokal Sepakat', 'CA TSA Lokal Sepakat'].every((cn) =>
      subjects.some((s) => s.includes(`CN = ${cn}`) || s.includes(`CN=${cn}`)),
    ),
    "openssl x509: the /DSS holds the Walikota's chain and the TSA's chain",
  );
  const crlFile = join(work, 'dss.crl');
  writeFileSync(crlFile, crlRefs[0] ? raw(crlRefs[0]) : new Uint8Array(0));
  const crl = run('openssl', ['crl', '-inform', 'DER', '-noout', '-text', '-in', crlFile, '-CAfile', caFiles[0]!]);
  console.log(crl.output.trim());
  check(
    crl.status === 0 && /verify OK/.test(crl.output) && /Version 2/.test(crl.output),
    "openssl crl: the /DSS CRL parses (v2) and verifies with the development CA's certificate",
  );

  console.log('\n== Lembar Riwayat Penandatanganan, sealed by the pemda ==');
  const riwayat = contohById('kota-lembar-riwayat');
  const sheet = await renderer.render('lembar-riwayat', riwayat.data as never, { paper: 'A4' });
  const seal = await ours.signerFor({
    id: 'segel-kota-contoh',
    nama: 'Pemerintah Kota Contoh',
    jabatan: 'Segel elektronik',
    instansi: 'Pemerintah Kota Contoh',
  });
  const sealed = await signPdf(sheet.pdf, seal, {
    ...options,
    reason: 'Menyegel Lembar Riwayat Penandatanganan',
    name: 'Pemerintah Kota Contoh',
  });
  const sealedFile = join(work, 'lembar-riwayat.pdf');
  writeFileSync(sealedFile, sealed);
  const sigSeal = pdfsig(sealedFile);
  check(
    sigSeal.signatures.length === 1 &&
      sigSeal.signatures[0]!.validation === 'Signature is Valid.' &&
      sigSeal.signatures[0]!.total,
    'pdfsig: Lembar Riwayat: 1 seal, valid, covering the whole file',
  );
  const qpdfSeal = qpdfCheck(sealedFile);
  check(qpdfSeal.status === 0 && !/WARNING/i.test(qpdfSeal.output), 'qpdf --check: Lembar Riwayat: exit 0, no WARNING');
  check(opensslVerify(sealed, 'segel', caFiles).join() === 'true', 'openssl: Lembar Riwayat: the seal verifies');

  console.log('\n== kms provider: a CSR signed through KMS, a naskah signed through KMS ==');
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      Tags: [{ TagKey: 'sepakat:tujuan', TagValue: 'tanda-tangan' }],
    }),
  );
  const keyId = KeyMetadata!.KeyId!;
  const kabag = {
    pemdaId: 'kota-contoh',
    id: 'kabag-ks',
    nama: 'Hendra Gunawan, S.H., M.H.',
    jabatan: 'Kepala Bagian Kerjasama',
    instansi: 'Pemerintah Kota Contoh',
  };
  const csrFile = join(work, 'kms.csr');
  writeFileSync(csrFile, toPem(await kmsCertificateRequest(kms, keyId, kabag), 'CERTIFICATE REQUEST'));
  const csr = run('openssl', ['req', '-verify', '-in', csrFile, '-noout']);
  console.log(`openssl req -verify → exit ${csr.status}: ${csr.output.trim()}`);
  check(csr.status === 0 && /verify OK/i.test(csr.output), 'openssl req -verify: the CSR signed through KMS verifies');
  const pemdaCa = await DevelopmentPki.open({
    dir: join(work, 'pki-pemda'),
    caName: 'CA Pemerintah Kota Contoh',
    mark: 'Bagian Persandian Kota Contoh',
    now: () => new Date(),
  });
  const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  const kmsSigner = await KmsSigner.open(kms, {
    keyId,
    chain: await pemdaCa.issueCertificate(kabag, new Uint8Array(PublicKey!)),
  });
  const kmsSigned = await signPdf(rendered.pdf, kmsSigner, {
    ...options,
    reason: 'Menandatangani Kesepakatan Bersama',
    name: kabag.nama,
    timestamp: new HttpTimestampAuthority(tsa.url),
  });
  const kmsFile = join(work, 'kms-tanda-tangan.pdf');
  writeFileSync(kmsFile, kmsSigned);
  const sigKms = pdfsig(kmsFile);
  check(
    sigKms.signatures.length === 1 && sigKms.signatures[0]!.validation === 'Signature is Valid.',
    'pdfsig: signed through KMS: 1 signature, valid',
  );
  const qpdfKms = qpdfCheck(kmsFile);
  check(
    qpdfKms.status === 0 && !/WARNING/i.test(qpdfKms.output),
    'qpdf --check: signed through KMS: exit 0, no WARNING',
  );
  check(
    opensslVerify(kmsSigned, 'kms', [join(work, 'pki-pemda', 'ca', 'cert.pem')]).join() === 'true',
    'openssl: signed through KMS: the signature verifies against the pemda CA',
  );
} finally {
  kms.destroy();
  await localKms.close();
  await tsa.close();
  await renderer.close();
  rmSync(work, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`\nPDF tools check FAILED (${failures.length}):\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('\nPDF tools check (pdfsig, qpdf, openssl cms and ts): all OK');
