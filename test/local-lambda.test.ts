import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf } from '../cli/drive.ts';
import { ErrorNames, SepakatError } from '../core/errors.ts';
import type { SigningOfficial } from '../core/ports.ts';
import { LambdaSigner } from '../functions/signing/lambda-signer.ts';
import { sha256Hex, SIGNING_SCRATCH_PREFIX } from '../functions/signing/signing-invocation.ts';
import { trustOf, verifyPdfSignatures } from '../functions/signing/verify.ts';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileBsreIdentities } from '../functions/signing/bsre-identities.ts';
import { FUNCTION_NAMES, SIGNING_FUNCTION_NAME } from '../local/runtime.ts';
import { localLambdaClient, startTestRuntime } from './support/runtime.ts';
import { developmentPassphrase } from '../local/bsre/development-users.ts';

/**
 * The signing function behind the local Lambda API, through the real @aws-sdk/client-lambda client: the Invoke REST
 * protocol, the answers of the development signer, a signature made through S3 that verifies, refusals mapped back
 * to the same SepakatError, and a passphrase that appears in no answer and no log line.
 */
let rt: Awaited<ReturnType<typeof startTestRuntime>>;
let lambda: LambdaClient;
const logLines: string[] = [];
const PASSPHRASE = 'rahasia-passphrase-8d2f';

const walikota: SigningOfficial = {
  pemdaId: 'kota-contoh',
  id: 'walikota',
  nama: 'Dr. H. Ahmad Wijaya',
  jabatan: 'Wali Kota Contoh',
  instansi: 'Pemerintah Kota Contoh',
};
/** Kab. Blitar signs with the development CA (`pengembangan`); Kota Contoh through the local BSrE service. */
const bupati: SigningOfficial = {
  pemdaId: 'kab-blitar',
  id: 'bupati',
  nama: 'Bupati Blitar',
  jabatan: 'Bupati Blitar',
  instansi: 'Pemerintah Kabupaten Blitar',
};
const details = {
  reason: 'Penandatanganan naskah',
  location: 'Kota Contoh',
  name: 'Dr. H. Ahmad Wijaya',
  contactInfo: 'walikota@kota-contoh.go.id',
};

beforeAll(async () => {
  rt = await startTestRuntime({ log: (line) => logLines.push(line) });
  lambda = localLambdaClient(rt);
}, 60_000);
afterAll(async () => {
  lambda?.destroy();
  await rt?.cleanup();
});

async function invoke(functionName: string, payload: unknown) {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
  );
  return {
    statusCode: out.StatusCode,
    functionError: out.FunctionError,
    body: new TextDecoder().decode(out.Payload),
  };
}

const signerThrough = (functionName: string) =>
  new LambdaSigner({
    lambda,
    functionName,
    s3: rt.app.clients.s3,
    bucket: rt.app.config.SEPAKAT_BUCKET_DOCUMENTS,
    verifier: rt.app.providerSigner,
  });

describe('the local Lambda API', () => {
  it('answers describe and readiness of the signing function as the in-process signer does', async () => {
    const described = await invoke(SIGNING_FUNCTION_NAME, { op: 'describe', official: bupati });
    expect(described.statusCode).toBe(200);
    expect(described.functionError).toBeUndefined();
    expect(JSON.parse(described.body)).toEqual({ result: await rt.app.providerSigner.describe(bupati) });
    expect(JSON.parse(described.body).result).toMatchObject({ development: true, kind: 'pengembangan' });
    const bsre = await invoke(SIGNING_FUNCTION_NAME, { op: 'describe', official: walikota });
    expect(JSON.parse(bsre.body).result).toMatchObject({ development: true, kind: 'bsre-tiruan' });

    // By ARN too, as the http function names it in AWS.
    const arn = `arn:aws:lambda:ap-southeast-3:000000000000:function:${SIGNING_FUNCTION_NAME}`;
    const ready = await invoke(arn, { op: 'readiness', official: bupati });
    expect(JSON.parse(ready.body)).toEqual({ result: { provider: 'pengembangan', ready: true } });
    // A BSrE signer's status, asked of (the local) BSrE by the signing function.
    const status = await invoke(arn, { op: 'readiness', official: walikota });
    expect(JSON.parse(status.body)).toEqual({ result: { provider: 'bsre', ready: true, totp: true } });
  });

  it('signs through S3 with LambdaSigner: the output verifies and covers the PDF sent', async () => {
    const pdf = samplePdf('Kesepakatan Bersama melalui fungsi tanda tangan');
    // Through BSrE: the passphrase travels only in the invocation's payload.
    const signed = await signerThrough(SIGNING_FUNCTION_NAME).signPdf(
      pdf,
      walikota,
      { ...details, signingTime: new Date() },
      { passphrase: developmentPassphrase(join(rt.dataDir, 'bsre'), 'walikota') },
    );
    expect(Buffer.from(signed.subarray(0, pdf.length)).equals(pdf)).toBe(true);
    const report = await verifyPdfSignatures(signed, {
      ...(await trustOf(await rt.app.keys())),
      checkDate: new Date(),
    });
    expect(report.valid).toBe(true);
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]!.signerName).toBe('Dr. H. Ahmad Wijaya');
    expect(report.signatures[0]!.level).toBe('B-T');
    expect(report.signatures[0]!.anchor?.kind).toBe('bsre-tiruan');
    // Signatures are read in process, on the verifier's trust anchors.
    const read = await signerThrough(SIGNING_FUNCTION_NAME).signatures(signed, new Date());
    expect(read.map((s) => [s.signer, s.valid])).toEqual([['Dr. H. Ahmad Wijaya', true]]);
  });

  it('maps a refusal back to the same SepakatError: name, code and Indonesian message', async () => {
    const refusal = (p: Promise<void>) =>
      p.then(
        () => undefined,
        (e: unknown) => e as SepakatError,
      );
    const inProcess = (await refusal(rt.app.providerSigner.requestTotp(bupati)))!;
    const remote = (await refusal(signerThrough(SIGNING_FUNCTION_NAME).requestTotp(bupati)))!;
    expect(remote).toBeInstanceOf(SepakatError);
    expect([remote.name, remote.code, remote.message]).toEqual([inProcess.name, inProcess.code, inProcess.message]);

    // A PDF whose bytes are not those named: refused with its code, nothing signed.
    const bucket = rt.app.config.SEPAKAT_BUCKET_DOCUMENTS;
    const key = `${SIGNING_SCRATCH_PREFIX}uji/masukan.pdf`;
    const pdf = samplePdf('Naskah');
    await rt.app.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: pdf }));
    const tampered = await invoke(SIGNING_FUNCTION_NAME, {
      op: 'signPdf',
      official: walikota,
      details: { ...details, signingTime: new Date().toISOString() },
      credential: { passphrase: PASSPHRASE },
      input: { bucket, key, sha256: sha256Hex(samplePdf('Naskah lain')) },
      output: { bucket, key: `${SIGNING_SCRATCH_PREFIX}uji/keluaran.pdf` },
    });
    expect(tampered.functionError).toBeUndefined();
    expect(JSON.parse(tampered.body)).toEqual({
      error: {
        name: ErrorNames.Tampered,
        code: 'BerkasTidakUtuh',
        message: 'Berkas yang akan ditandatangani tidak utuh (SHA-256 berbeda).',
      },
    });
    // Keys outside the scratch prefix and another bucket are refused, naming the field, never the credential.
    const outside = await invoke(SIGNING_FUNCTION_NAME, {
      op: 'signPdf',
      official: walikota,
      details: { ...details, signingTime: new Date().toISOString() },
      credential: { passphrase: PASSPHRASE },
      input: { bucket: 'sepakat-arsip', key: 'diterima/x/y', sha256: sha256Hex(pdf) },
      output: { bucket, key: 'dokumen/lain.pdf' },
    });
    const refused = JSON.parse(outside.body).error;
    expect(refused.name).toBe(ErrorNames.BadInput);
    expect(refused.message).toMatch(/input\.key.*output\.key|output\.key.*input\.key/);
    expect(outside.body).not.toContain(PASSPHRASE);
    await expect(
      signerThrough(SIGNING_FUNCTION_NAME).signPdf(
        pdf,
        { ...walikota, nama: '' },
        { ...details, signingTime: new Date() },
      ),
    ).rejects.toMatchObject({ name: ErrorNames.BadInput, code: 'PermintaanTandaTanganTidakValid' });
  });

  it('speaks Lambda’s errors: an unknown function, and a function that throws (Unhandled)', async () => {
    await expect(invoke('sepakat-tidak-ada', {})).rejects.toBeInstanceOf(ResourceNotFoundException);
    const thrown = await invoke(FUNCTION_NAMES.caseData, { tidak: 'sah' });
    expect(thrown.statusCode).toBe(200);
    expect(thrown.functionError).toBe('Unhandled');
    expect(Object.keys(JSON.parse(thrown.body)).sort()).toEqual(['errorMessage', 'errorType', 'trace']);
    // LambdaSigner: a function that failed is a transient refusal, the provider unavailable.
    await expect(signerThrough(FUNCTION_NAMES.caseData).describe(walikota)).rejects.toMatchObject({
      name: ErrorNames.Transient,
      code: 'PenyediaTidakTersedia',
    });
    await expect(signerThrough('sepakat-tidak-ada').readiness(walikota)).rejects.toMatchObject({
      name: ErrorNames.Transient,
      code: 'PenyediaTidakTersedia',
    });
  });

  it('lets the passphrase reach no log line', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(PASSPHRASE);
    expect(logLines.join('\n')).not.toContain(developmentPassphrase(join(rt.dataDir, 'bsre'), 'walikota'));
  });

  it('reads the signers’ BSrE identities from the data directory (the format the local BSrE registration writes)', async () => {
    const identities = fileBsreIdentities(join(rt.dataDir, 'identitas-bsre.json'));
    const walikotaIdentity = await identities.lookup('kota-contoh', 'walikota');
    expect(walikotaIdentity?.nik).toMatch(/^\d{16}$/);
    expect(await identities.lookup('kota-contoh', 'tidak-ada')).toBeUndefined();
    const bad = join(rt.dataDir, 'identitas-salah.json');
    writeFileSync(bad, JSON.stringify({ 'kota-contoh/walikota': { nik: '12' } }));
    await expect(fileBsreIdentities(bad).lookup('kota-contoh', 'walikota')).rejects.toThrow(
      /kota-contoh\/walikota\.nik: NIK 16 angka/,
    );
  });
});
