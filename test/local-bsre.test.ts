import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf } from '../cli/drive.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { developmentPassphrase, developmentUsers } from '../local/bsre/development-users.ts';
import { BSRE_TIRUAN_MARK, startLocalBsre, type BsreBehaviour } from '../local/bsre/local-bsre.ts';
import { DevelopmentPki } from '../functions/signing/dev-pki.ts';
import { findSignatureFields, verifyPdfSignatures } from '../functions/signing/verify.ts';
import { eventually, startTestRuntime } from './support/runtime.ts';

/**
 * The local BSrE eSign API v2 service as the test runtime starts it, through plain fetch with the URL and Basic
 * credentials of the runtime's configuration: the observed contract, the assumptions marked in local/bsre/, and the
 * misbehaving modes the product's `bsre` provider must refuse.
 */
let rt: Awaited<ReturnType<typeof startTestRuntime>>;
const logLines: string[] = [];
const users = developmentUsers(join(PROJECT_ROOT, 'config'));
const walikota = users.find((u) => u.personId === 'walikota')!;
const kabag = users.find((u) => u.personId === 'kabag-ks')!;
const withoutCertificate = users.find((u) => u.sertifikat === false)!;
let passphrase: string;
let kabagPassphrase: string;
const pdf = samplePdf('Kesepakatan Bersama Kota Contoh dan Kabupaten Mitra');

beforeAll(async () => {
  rt = await startTestRuntime({ log: (line) => logLines.push(line) });
  passphrase = developmentPassphrase(join(rt.dataDir, 'bsre'), 'walikota');
  kabagPassphrase = developmentPassphrase(join(rt.dataDir, 'bsre'), 'kabag-ks');
}, 60_000);
afterAll(async () => {
  await rt?.cleanup();
});

function basic(id = rt.app.config.SEPAKAT_BSRE_CLIENT_ID!, secret = rt.app.config.SEPAKAT_BSRE_CLIENT_SECRET!) {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

function post(path: string, body: unknown, init: { auth?: string | null; signal?: AbortSignal } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const auth = init.auth === undefined ? basic() : init.auth;
  if (auth) headers.authorization = auth;
  return fetch(`${rt.app.config.SEPAKAT_BSRE_URL}/api/v2/${path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

const signBody = (credential: Record<string, string>, file: Uint8Array = pdf, nik = walikota.nik) => ({
  nik,
  ...credential,
  signatureProperties: [{ tampilan: 'INVISIBLE', reason: 'Penandatanganan naskah', location: 'Kota Contoh' }],
  file: [Buffer.from(file).toString('base64')],
});

async function signedFile(response: Response): Promise<Buffer> {
  expect(response.status).toBe(200);
  const json = (await response.json()) as { time: number; file: string[] };
  expect(typeof json.time).toBe('number');
  expect(json.file).toHaveLength(1);
  return Buffer.from(json.file[0]!, 'base64');
}

function trail(): { operasi: string; nik: string; hasil: string; sha256?: string[] }[] {
  return readFileSync(join(rt.dataDir, 'bsre', 'jejak.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ReturnType<typeof trail>[number]);
}

async function verify(file: Uint8Array) {
  return verifyPdfSignatures(file, { trustedRoots: [await rt.bsre.caCertificate()], checkDate: new Date() });
}

/** Runs `check` with the service behaving as `behaviour`, then back to normal, without delay. */
async function withBehaviour(behaviour: Partial<BsreBehaviour>, check: () => Promise<void>) {
  rt.bsre.setBehaviour(behaviour);
  try {
    await check();
  } finally {
    rt.bsre.setBehaviour({ mode: 'normal', delayMs: 0 });
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('local BSrE eSign API v2', () => {
  it('exposes its URL and Basic credentials in the runtime configuration, never the secret in runtime.json', () => {
    expect(rt.app.config.SEPAKAT_BSRE_URL).toBe(rt.urls.bsre);
    expect(rt.app.config.SEPAKAT_BSRE_CLIENT_ID).toBe(rt.bsre.clientId);
    const runtimeJson = readFileSync(join(rt.dataDir, 'runtime.json'), 'utf8');
    expect(runtimeJson).toContain(rt.bsre.endpoint);
    expect(runtimeJson).not.toContain(rt.bsre.clientSecret);
    // The product's local store of BSrE identities (Secrets Manager in AWS).
    const identities = JSON.parse(readFileSync(join(rt.dataDir, 'identitas-bsre.json'), 'utf8')) as Record<
      string,
      { nik: string }
    >;
    expect(identities['kota-contoh/walikota']).toEqual({ nik: walikota.nik, email: walikota.email });
  });

  it('answers 401 in the observed shape without Basic credentials or with wrong ones', async () => {
    for (const auth of [null, basic(rt.bsre.clientId, 'salah')]) {
      const response = await post('user/check/status', { nik: walikota.nik }, { auth });
      expect(response.status).toBe(401);
      const json = (await response.json()) as Record<string, unknown>;
      expect(json).toMatchObject({ status: 401, error: 'Unauthorized', path: '/api/v2/user/check/status' });
      expect(typeof json.timestamp).toBe('string');
    }
    expect(logLines.some((l) => l.includes('bsre-lokal: POST /api/v2/user/check/status 401'))).toBe(true);
  });

  it('reports ISSUE, NOT_REGISTERED (2011) and NO_CERTIFICATE (2021) by NIK or email', async () => {
    const status = async (body: unknown) => {
      const response = await post('user/check/status', body);
      expect(response.status).toBe(200);
      return response.json();
    };
    expect(await status({ nik: walikota.nik })).toMatchObject({ status: 'ISSUE' });
    expect(await status({ email: kabag.email })).toMatchObject({ status: 'ISSUE' });
    expect(await status({ nik: '9900000000000000' })).toMatchObject({ status: 'NOT_REGISTERED', status_code: 2011 });
    expect(await status({ email: 'tidak.ada@kota-contoh.test' })).toMatchObject({ status: 'NOT_REGISTERED' });
    expect(await status({ nik: withoutCertificate.nik })).toMatchObject({
      status: 'NO_CERTIFICATE',
      status_code: 2021,
    });
  });

  it('signs with the right passphrase: our bytes plus one signature that chains to the local test CA', async () => {
    const signed = await signedFile(await post('sign/pdf', signBody({ passphrase })));
    expect(signed.length).toBeGreaterThan(pdf.length);
    expect(signed.subarray(0, pdf.length).equals(pdf)).toBe(true);
    expect(findSignatureFields(pdf)).toHaveLength(0);
    expect(findSignatureFields(signed)).toHaveLength(1);
    const report = await verify(signed);
    expect(report.valid).toBe(true);
    const [signature] = report.signatures;
    expect(signature).toMatchObject({ signerName: walikota.nama, chainOk: true, appliedToEnd: pdf.length });
    expect(signature!.certificate!.subject).toContain(`OU=${BSRE_TIRUAN_MARK}`);
    expect(signature!.certificate!.issuer).toContain(BSRE_TIRUAN_MARK);
    // Not trusted by anything else: the development CA's verifier does not chain it.
    const developmentCa = await DevelopmentPki.open({ dir: rt.app.config.SEPAKAT_DEV_PKI_DIR!, now: () => new Date() });
    const elsewhere = await verifyPdfSignatures(signed, {
      trustedRoots: [developmentCa.caCertificate],
      checkDate: new Date(),
    });
    expect(elsewhere.signatures[0]!.chainOk).toBe(false);
    expect(trail().at(-1)).toMatchObject({
      operasi: 'sign/pdf',
      nik: walikota.nik,
      hasil: 'ditandatangani',
      sha256: [createHash('sha256').update(signed).digest('hex')],
    });
  });

  it('refuses a wrong passphrase (and another user’s) with an error and signs nothing', async () => {
    const before = trail().filter((e) => e.hasil === 'ditandatangani').length;
    for (const wrong of ['salah-sekali', kabagPassphrase]) {
      const response = await post('sign/pdf', signBody({ passphrase: wrong }));
      expect(response.status).toBe(400);
      const json = (await response.json()) as Record<string, unknown>;
      expect(json).toMatchObject({ status_code: 2031 });
      expect(json.file).toBeUndefined();
    }
    expect(trail().filter((e) => e.hasil === 'ditandatangani').length).toBe(before);
    expect(trail().at(-1)).toMatchObject({ nik: walikota.nik, hasil: 'kredensial salah' });
  });

  it('signs with a TOTP from the local BeSign inbox, once', async () => {
    const issued = await post('sign/get/totp', { nik: kabag.nik, data: [] });
    expect(issued.status).toBe(200);
    const { totp } = JSON.parse(readFileSync(join(rt.dataDir, 'bsre', 'besign', `${kabag.nik}.json`), 'utf8')) as {
      totp: string;
    };
    expect(totp).toMatch(/^\d{6}$/);
    const wrong = await post('sign/pdf', signBody({ totp: totp === '000000' ? '000001' : '000000' }, pdf, kabag.nik));
    expect(wrong.status).toBe(400);
    const signed = await signedFile(await post('sign/pdf', signBody({ totp }, pdf, kabag.nik)));
    expect(signed.subarray(0, pdf.length).equals(pdf)).toBe(true);
    const report = await verify(signed);
    expect(report.valid).toBe(true);
    expect(report.signatures[0]!.signerName).toBe(kabag.nama);
    const reused = await post('sign/pdf', signBody({ totp }, pdf, kabag.nik));
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ status_code: 2032 });
  });

  it('verify/pdf: VALID for a signed file, integrityValid false once tampered, NO_SIGNATURE unsigned', async () => {
    const signed = await signedFile(await post('sign/pdf', signBody({ passphrase })));
    const check = async (file: Uint8Array) => {
      const response = await post('verify/pdf', { file: Buffer.from(file).toString('base64') });
      expect(response.status).toBe(200);
      return (await response.json()) as {
        conclusion: string;
        signatureCount: number;
        signatureInformations: { signerName: string; integrityValid: boolean; certificateTrusted: boolean }[];
      };
    };
    const valid = await check(signed);
    expect(valid).toMatchObject({ conclusion: 'VALID', signatureCount: 1 });
    expect(valid.signatureInformations[0]).toMatchObject({
      signerName: walikota.nama,
      integrityValid: true,
      certificateTrusted: true,
    });
    const tampered = Buffer.from(signed);
    const at = tampered.indexOf('Kesepakatan Bersama');
    tampered[at] = 'k'.charCodeAt(0);
    const broken = await check(tampered);
    expect(broken.conclusion).not.toBe('VALID');
    expect(broken.signatureInformations[0]!.integrityValid).toBe(false);
    expect(await check(pdf)).toMatchObject({ conclusion: 'NO_SIGNATURE', signatureCount: 0 });
  });

  it('answers 400 naming the field to a request without a signer, a credential or a file', async () => {
    const cases: [unknown, string][] = [
      [{ passphrase, file: [pdf.toString('base64')] }, 'nik atau email'],
      [{ nik: walikota.nik, file: [pdf.toString('base64')] }, 'passphrase atau totp'],
      [{ nik: walikota.nik, passphrase }, 'file'],
    ];
    for (const [request, field] of cases) {
      const response = await post('sign/pdf', request);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toContain(`Kolom ${field}`);
    }
  });

  it('answers 500 to an invalid or empty PDF', async () => {
    for (const file of [Buffer.from('bukan sebuah PDF'), Buffer.alloc(0), Buffer.from('%PDF-1.4\nrusak')]) {
      const response = await post('sign/pdf', signBody({ passphrase }, file));
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ status: 500, path: '/api/v2/sign/pdf' });
    }
  });

  it('waits the configured delay before answering', async () => {
    await withBehaviour({ delayMs: 400 }, async () => {
      const started = Date.now();
      const response = await post('user/check/status', { nik: walikota.nik });
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    });
  });

  it('timeout: accepts and signs, then never answers', async () => {
    await withBehaviour({ mode: 'timeout' }, async () => {
      const before = trail().length;
      await expect(post('sign/pdf', signBody({ passphrase }), { signal: AbortSignal.timeout(1500) })).rejects.toThrow();
      // The caller gave up; the service signed all the same (on a slow machine, possibly after the caller left).
      const after = await eventually(async () => trail().length > before && trail().slice(before));
      expect(after).toEqual([expect.objectContaining({ hasil: 'ditandatangani, tidak dijawab' })]);
    });
  });

  it('pdf-dirender-ulang: returns a signed PDF that does not begin with the bytes sent', async () => {
    await withBehaviour({ mode: 'pdf-dirender-ulang' }, async () => {
      const signed = await signedFile(await post('sign/pdf', signBody({ passphrase })));
      expect(signed.subarray(0, pdf.length).equals(pdf)).toBe(false);
      // A valid signature, by the right signer and CA: only the comparison with our bytes tells it apart.
      expect((await verify(signed)).valid).toBe(true);
    });
  });

  it('sertifikat-luar: our bytes plus a signature whose certificate does not chain to the local BSrE CA', async () => {
    await withBehaviour({ mode: 'sertifikat-luar' }, async () => {
      const signed = await signedFile(await post('sign/pdf', signBody({ passphrase })));
      expect(signed.subarray(0, pdf.length).equals(pdf)).toBe(true);
      const report = await verify(signed);
      const [signature] = report.signatures;
      expect(signature).toMatchObject({ digestOk: true, signatureOk: true, chainOk: false, valid: false });
      expect(signature!.certificate!.issuer).not.toContain(`CN=CA ${BSRE_TIRUAN_MARK}`);
    });
  });

  it('keeps its users, passphrase hashes, keys and certificates in the data directory across a restart', async () => {
    const serialOf = async (file: Uint8Array) => (await verify(file)).signatures[0]!.certificate!.serialNumber;
    const first = await serialOf(await signedFile(await post('sign/pdf', signBody({ passphrase }))));
    // A second service on the same data directory, as after a restart: same users, same key and certificate.
    const again = await startLocalBsre({ dataDir: join(rt.dataDir, 'bsre'), log: (line) => logLines.push(line) });
    try {
      expect(again.clientSecret).toBe(rt.bsre.clientSecret);
      expect(Buffer.from(await again.caCertificate()).equals(Buffer.from(await rt.bsre.caCertificate()))).toBe(true);
      const response = await fetch(`${again.endpoint}/api/v2/sign/pdf`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic() },
        body: JSON.stringify(signBody({ passphrase })),
      });
      expect(await serialOf(await signedFile(response))).toBe(first);
    } finally {
      await again.close();
    }
  });

  it('keeps no passphrase in any file of its data directory or in its log output', () => {
    const files = filesUnder(rt.dataDir);
    expect(files.some((f) => f.endsWith('pengguna.json'))).toBe(true);
    for (const secret of [passphrase, kabagPassphrase]) {
      for (const file of files) expect(readFileSync(file).includes(secret), file).toBe(false);
      expect(logLines.join('\n')).not.toContain(secret);
    }
    expect(logLines.filter((l) => l.includes('bsre-lokal: POST /api/v2/sign/pdf')).length).toBeGreaterThan(5);
  });
});
