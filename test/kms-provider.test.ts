import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { actOnLink, driveCase, submitPermohonan } from '../cli/drive.ts';
import { main } from '../cli/sepakat.ts';
import { fromPem, parseCertificate, toArrayBuffer, toPem } from '../functions/signing/asn1.ts';
import { DevelopmentPki } from '../functions/signing/dev-pki.ts';
import { anchorsOf } from '../functions/signing/trust-anchors.ts';
import { verifyPdfSignatures } from '../functions/signing/verify.ts';
import { LOCAL_DEVELOPMENT_CREDENTIALS, LOCAL_REGION } from '../local/local-aws.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { MITRA, NASKAH, OPENSSL } from './support/kasus.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * The `kms` provider end to end (issue 14, item 1): a pemda's officials sign with keys in (the local) KMS, their
 * certificates issued by the pemda's own CA, installed with the operator CLI.
 *
 * On a temporary copy of config/, Kota Contoh's Kepala Bagian Kerjasama gets a key (`kms-buat`), a CSR signed through
 * KMS (`kms-csr`, which `openssl req -verify` accepts), a certificate from the pemda CA, and `kms-pasang` installs it
 * (the YAML keeps its comments and spelling; a wrong key, an unreadable certificate, an unknown person or pemda are
 * refused in Indonesian and change nothing). With `penyedia: kms` the runtime restarts on the same data directory and
 * he signs the Surat Undangan Rapat through KMS: the signature verifies to the pemda's CA (anchor `pemda`), carries
 * the local TSA's timestamp, and /verifikasi says it is not a BSrE-certified TTE.
 */
const PDFSIG = spawnSync('pdfsig', ['-v'], { encoding: 'utf8' }).status !== null;
const KABAG = {
  pemdaId: 'kota-contoh',
  id: 'kabag-ks',
  nama: 'Hendra Gunawan, S.H., M.H.',
  jabatan: 'Kepala Bagian Kerjasama',
  nip: '197806172003121003',
  instansi: 'Pemerintah Kota Contoh',
};
const SEGEL = {
  pemdaId: 'kota-contoh',
  id: 'segel',
  nama: 'Pemerintah Kota Contoh',
  jabatan: 'Segel elektronik',
  instansi: 'Pemerintah Kota Contoh',
};

let work: string;
let configDir: string;
let dataDir: string;
let pemdaFile: string;
let rt: Awaited<ReturnType<typeof startTestRuntime>>;
let pemdaCa: DevelopmentPki;
const keys: { kabag?: string; segel?: string; lain?: string } = {};
let issued: { leaf: string; chain: string; der: Uint8Array };

/** The CLI in process, as `npm run sepakat -- …` against this test's runtime: exit code, output, errors. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void err.push(String(line)));
  try {
    const code = await main([...args, '--data-dir', dataDir], (l) => out.push(l));
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

async function kmsBuat(): Promise<string> {
  const made = await cli('kms-buat');
  expect(made.code, made.err).toBe(0);
  return /ID:\s+(\S+)/.exec(made.out)![1]!;
}

function kmsClient(): KMSClient {
  return new KMSClient({ endpoint: rt.urls.kms, region: LOCAL_REGION, credentials: LOCAL_DEVELOPMENT_CREDENTIALS });
}

const read = (file: string) => readFileSync(file, 'utf8');

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sepakat-kms-provider-'));
  configDir = join(work, 'config');
  cpSync(join(PROJECT_ROOT, 'config'), configDir, { recursive: true });
  dataDir = join(work, 'data');
  pemdaFile = join(configDir, 'pemda', 'kota-contoh.yaml');
  // The pemda's own CA (locally a CA of its own name, not marked as the development CA).
  pemdaCa = await DevelopmentPki.open({
    dir: join(work, 'ca-kota-contoh'),
    caName: 'CA Pemerintah Kota Contoh',
    mark: 'Bagian Persandian Kota Contoh',
    now: () => new Date(),
  });
  rt = await startTestRuntime({ dataDir, configDir });
}, 120_000);

afterAll(async () => {
  await rt?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('kms-buat, kms-csr and kms-pasang (local KMS through @aws-sdk/client-kms)', () => {
  it('makes a key and a CSR that openssl verifies; the pemda CA issues the certificate', async () => {
    keys.kabag = await kmsBuat();
    keys.segel = await kmsBuat();
    keys.lain = await kmsBuat();
    const csrFile = join(work, 'kabag-ks.csr');
    const csr = await cli(
      'kms-csr',
      keys.kabag,
      ...['--nama', KABAG.nama, '--jabatan', KABAG.jabatan, '--nip', KABAG.nip, '--instansi', KABAG.instansi],
      ...['--keluaran', csrFile],
    );
    expect(csr.code, csr.err).toBe(0);
    if (OPENSSL) {
      const verified = spawnSync('openssl', ['req', '-verify', '-in', csrFile, '-noout', '-subject'], {
        encoding: 'utf8',
      });
      expect(verified.status, verified.stderr).toBe(0);
      expect(`${verified.stdout}${verified.stderr}`).toMatch(/verify OK/i);
      expect(verified.stdout).toContain(KABAG.nama);
    }
    // The CA issues from the request's public key (the key KMS holds).
    const request = pkijs.CertificationRequest.fromBER(
      toArrayBuffer(fromPem(read(csrFile), 'CERTIFICATE REQUEST')[0]!),
    );
    const [leaf, ca] = await pemdaCa.issueCertificate(
      KABAG,
      new Uint8Array(request.subjectPublicKeyInfo.toSchema().toBER()),
    );
    issued = { leaf: join(work, 'terbit.pem'), chain: join(work, 'rantai.pem'), der: leaf! };
    writeFileSync(issued.leaf, toPem(leaf!, 'CERTIFICATE'));
    writeFileSync(issued.chain, toPem(ca!, 'CERTIFICATE'));
  }, 60_000);

  it('refuses a wrong key, an unreadable certificate, an incomplete chain, an unknown person or pemda: no file changes', async () => {
    const before = read(pemdaFile);
    // No chain was written (config/sertifikat/ itself ships with its README).
    const sertifikatDir = join(configDir, 'sertifikat', 'kota-contoh');
    const pasang = (pemda: string, person: string, key: string, ...rest: string[]) =>
      cli('kms-pasang', pemda, person, key, '--config', configDir, ...rest);
    const chain = ['--sertifikat', issued.leaf, '--rantai', issued.chain];

    const wrongKey = await pasang('kota-contoh', 'kabag-ks', keys.lain!, ...chain);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.err).toContain(
      `Kunci publik KMS ${keys.lain} tidak sama dengan kunci publik sertifikat "${KABAG.nama}"`,
    );
    expect(wrongKey.err).toContain('Tidak ada berkas yang diubah.');

    const missingKey = await pasang('kota-contoh', 'kabag-ks', '00000000-0000-4000-8000-000000000000', ...chain);
    expect(missingKey.code).toBe(1);
    expect(missingKey.err).toContain('NotFoundException');

    const rusak = join(work, 'rusak.pem');
    writeFileSync(rusak, '-----BEGIN CERTIFICATE-----\nYnVrYW4gc2VydGlmaWthdA==\n-----END CERTIFICATE-----\n');
    const unreadable = await pasang('kota-contoh', 'kabag-ks', keys.kabag!, '--sertifikat', rusak);
    expect(unreadable.code).toBe(2);
    expect(unreadable.err).toContain(`--sertifikat ${rusak}: sertifikat ke-1 tidak dapat dibaca`);
    const absent = await pasang('kota-contoh', 'kabag-ks', keys.kabag!, '--sertifikat', join(work, 'tidak-ada.pem'));
    expect(absent.err).toMatch(/tidak-ada\.pem: berkas tidak dapat dibaca \(ENOENT\)/);
    const notPem = await pasang('kota-contoh', 'kabag-ks', keys.kabag!, '--sertifikat', pemdaFile);
    expect(notPem.err).toContain('tidak memuat sertifikat PEM');

    const noRoot = await pasang('kota-contoh', 'kabag-ks', keys.kabag!, '--sertifikat', issued.leaf);
    expect(noRoot.code).toBe(2);
    expect(noRoot.err).toContain('tidak berakhir pada sertifikat akar CA pemda');
    expect(noRoot.err).toContain('--rantai');
    const reversed = await pasang(
      'kota-contoh',
      'kabag-ks',
      keys.kabag!,
      '--sertifikat',
      issued.chain,
      '--rantai',
      issued.leaf,
    );
    expect(reversed.err).toContain('Rantai sertifikat tidak tersambung');

    const person = await pasang('kota-contoh', 'bukan-pejabat', keys.kabag!, ...chain);
    expect(person.code).toBe(2);
    expect(person.err).toContain('Orang "bukan-pejabat" tidak ada di');
    const pemda = await pasang('kota-entah', 'kabag-ks', keys.kabag!, ...chain);
    expect(pemda.code).toBe(2);
    expect(pemda.err).toContain('Pemda "kota-entah" tidak dikenal');
    expect(pemda.err).toContain('kota-contoh');

    expect(read(pemdaFile)).toBe(before);
    expect(existsSync(sertifikatDir)).toBe(false);
  }, 60_000);

  it("installs the chain and the binding, keeping the YAML's comments and spelling; again, the same file", async () => {
    const before = read(pemdaFile);
    const done = await cli(
      'kms-pasang',
      'kota-contoh',
      'kabag-ks',
      keys.kabag!,
      ...['--sertifikat', issued.leaf, '--rantai', issued.chain, '--config', configDir],
    );
    expect(done.code, done.err).toBe(0);
    expect(done.out).toContain(`cocok dengan kunci KMS ${keys.kabag}`);
    expect(done.out).toContain('tandaTangan.penyedia pemda ini "bsre"'); // installed, not yet used

    const pem = read(join(configDir, 'sertifikat', 'kota-contoh', 'kabag-ks.pem'));
    expect(fromPem(pem).map((c) => Buffer.from(c).toString('hex'))).toEqual(
      [issued.der, pemdaCa.caCertificate].map((c) => Buffer.from(c).toString('hex')),
    );
    const after = read(pemdaFile);
    expect((parseYaml(after) as { tandaTangan: unknown }).tandaTangan).toEqual({
      penyedia: 'bsre',
      segel: 'pengembangan',
      kms: { 'kabag-ks': { kunci: keys.kabag, sertifikat: 'kota-contoh/kabag-ks.pem' } },
    });
    // Every line of the file is still there, in order (comments, flow lists as written): only lines were added.
    const added = after.split('\n');
    let at = 0;
    for (const line of before.split('\n')) {
      while (at < added.length && added[at] !== line) at++;
      expect(at, `line kept: ${line}`).toBeLessThan(added.length);
      at++;
    }
    expect(after.split('\n').length - before.split('\n').length).toBe(4);
    expect(before.split('\n').filter((l) => l.trimStart().startsWith('#')).length).toBeGreaterThan(0);

    // Installing the same again changes nothing; the seal's key is installed beside it.
    expect(
      (
        await cli(
          'kms-pasang',
          'kota-contoh',
          'kabag-ks',
          keys.kabag!,
          '--sertifikat',
          issued.leaf,
          '--rantai',
          issued.chain,
          '--config',
          configDir,
        )
      ).code,
    ).toBe(0);
    expect(read(pemdaFile)).toBe(after);
    const kms = kmsClient();
    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: keys.segel }));
    kms.destroy();
    const [sealLeaf, sealCa] = await pemdaCa.issueCertificate(SEGEL, new Uint8Array(PublicKey!));
    const sealFile = join(work, 'segel.pem');
    writeFileSync(sealFile, toPem(sealLeaf!, 'CERTIFICATE') + toPem(sealCa!, 'CERTIFICATE'));
    const seal = await cli(
      'kms-pasang',
      'kota-contoh',
      'segel',
      keys.segel!,
      '--sertifikat',
      sealFile,
      '--config',
      configDir,
    );
    expect(seal.code, seal.err).toBe(0);
    expect((parseYaml(read(pemdaFile)) as { tandaTangan: { kms: Record<string, unknown> } }).tandaTangan.kms).toEqual({
      'kabag-ks': { kunci: keys.kabag, sertifikat: 'kota-contoh/kabag-ks.pem' },
      segel: { kunci: keys.segel, sertifikat: 'kota-contoh/segel.pem' },
    });
  }, 60_000);
});

describe('a letter of a pemda with penyedia: kms', () => {
  it('is signed through KMS: valid, the pemda CA as anchor, B-T, the certificate of the KMS key, not called BSrE', async () => {
    // The operator sets the provider, and the product restarts with it (same data directory: the same local KMS keys).
    writeFileSync(
      pemdaFile,
      read(pemdaFile)
        .replace('  penyedia: bsre\n', '  penyedia: kms\n')
        .replace('  segel: pengembangan\n', '  segel: kms\n  crl: kota-contoh/ca.crl\n'),
    );
    // The pemda CA's published CRL, beside the chains: its signatures carry it in their /DSS (B-LT).
    writeFileSync(join(configDir, 'sertifikat', 'kota-contoh', 'ca.crl'), await pemdaCa.crl());
    await rt.cleanup();
    rt = await startTestRuntime({ dataDir, configDir });
    expect(rt.app.catalog.pemda('kota-contoh').directory.data.tandaTangan.penyedia).toBe('kms');

    const { intakeId: caseId } = await submitPermohonan(
      rt,
      permohonanFor(rt, 'kota-penyusunan-kesepakatan-bersama', { 'pihak-mitra': MITRA }, 'Undangan rapat KMS'),
    );
    await eventually(async () => (await rt.app.store.getCase(caseId))?.cursor);
    const run = await driveCase({ dataDir, caseId, pemohonEmail: PEMOHON.email, values: NASKAH, stopAt: 'L4.2' });
    const task = (await rt.app.store.listTasks({ caseId })).find((t) => t.node === 'L4.2' && t.state === 'open')!;
    expect(task.person.id).toBe('kabag-ks');
    const result = await actOnLink(run.stoppedAt!.link, (f) => ({ pilihan: f.choices[0]! }), { dataDir });
    expect(result.status).toBe(200);

    const letter = await eventually(async () =>
      (await rt.app.documents.listByCase(caseId)).find((d) => d.kind === 'surat-undangan-ditandatangani'),
    );
    const bytes = await rt.app.documents.read(letter);
    const report = await verifyPdfSignatures(bytes, {
      anchors: await anchorsOf(await rt.app.keys()),
      checkDate: new Date(),
    });
    expect(report.problems).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]).toMatchObject({
      signerName: KABAG.nama,
      issuerName: 'CA Pemerintah Kota Contoh',
      level: 'B-LT', // the local TSA's timestamp, and the chain and the pemda CA's CRL in the /DSS
      signingTimeSource: 'timestamp',
      anchor: { kind: 'pemda', holder: 'Pemerintah Kota Contoh' },
    });
    // The signature's certificate is the one installed, and it certifies exactly the key KMS holds.
    expect(Buffer.from(bytes).includes(Buffer.from(issued.der))).toBe(true);
    const kms = kmsClient();
    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: keys.kabag }));
    kms.destroy();
    const spki = (der: Uint8Array) =>
      createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' });
    expect(spki(new Uint8Array(parseCertificate(issued.der).subjectPublicKeyInfo.toSchema().toBER()))).toEqual(
      spki(new Uint8Array(PublicKey!)),
    );
    if (PDFSIG) {
      const file = join(work, 'undangan-kms.pdf');
      writeFileSync(file, bytes);
      const out = spawnSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
      expect(`${out.stdout}${out.stderr}`).toContain('Signature Validation: Signature is Valid.');
    }

    const page = await (await fetch(`${rt.urls.web}/verifikasi/${letter.docId}`)).text();
    expect(page).toContain('bukan TTE tersertifikasi BSrE');
    expect(page.replaceAll('bukan TTE tersertifikasi BSrE', '')).not.toContain('TTE tersertifikasi BSrE');
    expect(page).toContain('CA Pemerintah Kota Contoh');
  }, 300_000);
});
