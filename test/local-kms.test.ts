import { execFile, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify as cryptoVerify } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  KMSServiceException,
  ListResourceTagsCommand,
  SignCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalKms } from '../local/kms/local-kms.ts';
import { LOCAL_DEVELOPMENT_CREDENTIALS, LOCAL_REGION } from '../local/local-aws.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { OPENSSL } from './support/kasus.ts';
import { startTestRuntime } from './support/runtime.ts';

/** The operator CLI as a child process, against the test's runtime (as test/cli.test.ts runs it). */
function sepakat(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
      ['cli/sepakat.ts', ...args, '--data-dir', rt.dataDir],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}` },
        timeout: 30_000,
      },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** The local KMS of the embedded runtime, through the real @aws-sdk/client-kms. */
let rt: Awaited<ReturnType<typeof startTestRuntime>>;
let kms: KMSClient;
const client = () =>
  new KMSClient({ endpoint: rt.urls.kms, region: LOCAL_REGION, credentials: LOCAL_DEVELOPMENT_CREDENTIALS });

beforeAll(async () => {
  rt = await startTestRuntime({ recover: false, schedulerIntervalMs: 0, intakeSweepIntervalMs: 0 });
  kms = client();
}, 60_000);
afterAll(async () => {
  kms?.destroy();
  await rt?.cleanup();
});

async function failure(promise: Promise<unknown>): Promise<KMSServiceException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KMSServiceException);
  return error as KMSServiceException;
}

const message = Buffer.from('Kesepakatan Bersama antara Kota Contoh dan Kabupaten Sukamaju');
const digest = createHash('sha256').update(message).digest();

describe('local KMS (AWS JSON 1.1, TrentService) through @aws-sdk/client-kms', () => {
  for (const [keySpec, algorithm] of [
    ['ECC_NIST_P256', 'ECDSA_SHA_256'],
    ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256'],
  ] as const) {
    it(`${keySpec}: CreateKey, DescribeKey, GetPublicKey, Sign (RAW and DIGEST) verifiable with the public key`, async () => {
      const created = await kms.send(
        new CreateKeyCommand({
          KeySpec: keySpec,
          KeyUsage: 'SIGN_VERIFY',
          Description: `Kunci tanda tangan uji ${keySpec}`,
          Tags: [{ TagKey: 'sepakat:penggunaan', TagValue: 'tanda-tangan' }],
        }),
      );
      const meta = created.KeyMetadata!;
      expect(meta.KeyId).toMatch(/^[0-9a-f-]{36}$/);
      expect(meta.Arn).toBe(`arn:aws:kms:${LOCAL_REGION}:000000000000:key/${meta.KeyId}`);
      expect(meta).toMatchObject({ KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY', KeyState: 'Enabled', Enabled: true });
      expect(meta.SigningAlgorithms).toEqual([algorithm]);
      expect(meta.CreationDate).toBeInstanceOf(Date);

      const described = await kms.send(new DescribeKeyCommand({ KeyId: meta.Arn }));
      expect(described.KeyMetadata).toMatchObject({
        KeyId: meta.KeyId,
        Description: `Kunci tanda tangan uji ${keySpec}`,
      });
      const tags = await kms.send(new ListResourceTagsCommand({ KeyId: meta.KeyId }));
      expect(tags.Tags).toEqual([{ TagKey: 'sepakat:penggunaan', TagValue: 'tanda-tangan' }]);

      const pub = await kms.send(new GetPublicKeyCommand({ KeyId: meta.KeyId }));
      expect(pub.KeyId).toBe(meta.Arn);
      const publicKey = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' });
      expect(publicKey.asymmetricKeyType).toBe(keySpec === 'RSA_2048' ? 'rsa' : 'ec');

      for (const [MessageType, Message] of [
        ['RAW', message],
        ['DIGEST', digest],
      ] as const) {
        const signed = await kms.send(
          new SignCommand({ KeyId: meta.KeyId, Message, MessageType, SigningAlgorithm: algorithm }),
        );
        expect(signed.SigningAlgorithm).toBe(algorithm);
        const signature = Buffer.from(signed.Signature!);
        if (keySpec === 'ECC_NIST_P256')
          expect(signature[0]).toBe(0x30); // DER ECDSA-Sig-Value, as KMS returns
        else expect(signature.length).toBe(256);
        // Over the message itself, whatever was sent: openssl-compatible verification by node:crypto.
        expect(cryptoVerify('sha256', message, publicKey, signature), MessageType).toBe(true);
        expect(cryptoVerify('sha256', Buffer.from('lain'), publicKey, signature)).toBe(false);
      }
    });
  }

  it('keeps keys in the data directory (mode 0600); a restarted service signs with them', async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const file = join(rt.dataDir, 'kms', `${KeyMetadata!.KeyId}.json`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(readdirSync(join(rt.dataDir, 'kms')).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // A second service over the same directory (a restart) finds the key.
    const again = await startLocalKms({
      dataDir: join(rt.dataDir, 'kms'),
      region: LOCAL_REGION,
      accountId: '000000000000',
      now: () => new Date('2026-11-20T00:00:00Z'),
    });
    const other = new KMSClient({
      endpoint: again.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
    });
    try {
      const pub = await other.send(new GetPublicKeyCommand({ KeyId: KeyMetadata!.KeyId }));
      const signed = await other.send(
        new SignCommand({
          KeyId: KeyMetadata!.Arn,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      const key = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' });
      expect(cryptoVerify('sha256', message, key, Buffer.from(signed.Signature!))).toBe(true);
      // The private key is never part of an answer.
      expect(JSON.stringify(pub)).not.toContain('PRIVATE');
    } finally {
      other.destroy();
      await again.close();
    }
  });

  it('answers errors in the KMS error shape (__type) that the SDK maps to its exceptions', async () => {
    const missing = await failure(kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })));
    expect(missing.name).toBe('NotFoundException');
    expect(missing.$metadata.httpStatusCode).toBe(400);
    expect(missing.message).toContain('does not exist');
    expect((await failure(kms.send(new GetPublicKeyCommand({ KeyId: 'alias/tidak-ada' })))).name).toBe(
      'NotFoundException',
    );

    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }));
    const keyId = KeyMetadata!.KeyId!;
    const shortDigest = await failure(
      kms.send(
        new SignCommand({
          KeyId: keyId,
          Message: randomBytes(20),
          MessageType: 'DIGEST',
          SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
        }),
      ),
    );
    expect(shortDigest.name).toBe('ValidationException');
    expect(shortDigest.message).toContain('32 bytes');
    const wrongAlgorithm = await failure(
      kms.send(
        new SignCommand({ KeyId: keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }),
      ),
    );
    expect(wrongAlgorithm.name).toBe('InvalidKeyUsageException');
    const tooLong = await failure(
      kms.send(
        new SignCommand({
          KeyId: keyId,
          Message: randomBytes(4097),
          MessageType: 'RAW',
          SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
        }),
      ),
    );
    expect(tooLong.name).toBe('ValidationException');
    const badSpec = await failure(
      kms.send(new CreateKeyCommand({ KeySpec: 'RSA_1024' as never, KeyUsage: 'SIGN_VERIFY' })),
    );
    expect(badSpec.name).toBe('ValidationException');
    expect(badSpec.message).toContain('keySpec');
    const unsupported = await failure(
      kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' })),
    );
    expect(unsupported.name).toBe('UnsupportedOperationException');
    const encrypt = await failure(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })));
    expect(encrypt.name).toBe('ValidationException');
  });

  it('answers a raw request like KMS: JSON 1.1 content type, UnknownOperationException for an unknown target', async () => {
    const post = (target: string, body: string) =>
      fetch(`${rt.urls.kms}/`, {
        method: 'POST',
        headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
        body,
      });
    const unknown = await post('TrentService.Encrypt', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const garbage = await post('TrentService.DescribeKey', 'bukan json');
    expect(await garbage.json()).toMatchObject({ __type: 'SerializationException' });
  });

  it('kms-csr: the CLI makes a PKCS#10 request signed through KMS that openssl req -verify accepts', async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const file = join(rt.dataDir, 'walikota.csr');
    const made = await sepakat([
      'kms-csr',
      KeyMetadata!.KeyId!,
      '--nama',
      'Dr. H. Budi Santoso, M.Si.',
      '--jabatan',
      'Wali Kota Contoh',
      '--nip',
      '197003151995031002',
      '--instansi',
      'Pemerintah Kota Contoh',
      '--keluaran',
      file,
    ]);
    expect(made.stderr).toBe('');
    expect(made).toMatchObject({ code: 0 });
    expect(made.stdout).toContain(`CSR untuk kunci ${KeyMetadata!.KeyId} ditulis ke ${file}`);
    const pem = readFileSync(file, 'utf8');
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    if (OPENSSL) {
      const verified = spawnSync('openssl', ['req', '-in', file, '-noout', '-verify', '-subject', '-nameopt', 'utf8'], {
        encoding: 'utf8',
      });
      expect(verified.status, verified.stderr).toBe(0);
      expect(`${verified.stdout}${verified.stderr}`).toMatch(/verify OK/i);
      expect(verified.stdout).toContain(
        'subject=C=ID, O=Pemerintah Kota Contoh, title=Wali Kota Contoh, serialNumber=197003151995031002, CN=Dr. H. Budi Santoso, M.Si.',
      );
      // The request carries the KMS key's public half.
      const pub = await kms.send(new GetPublicKeyCommand({ KeyId: KeyMetadata!.KeyId }));
      const csrKey = createPublicKey(
        spawnSync('openssl', ['req', '-in', file, '-noout', '-pubkey'], { encoding: 'utf8' }).stdout,
      );
      expect(csrKey.export({ type: 'spki', format: 'der' })).toEqual(Buffer.from(pub.PublicKey!));
      // One changed byte of the subject: the KMS signature no longer verifies.
      const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
      const at = der.indexOf(Buffer.from('Wali Kota'));
      der[at] = 0x76; // "v"
      const tamperedFile = join(rt.dataDir, 'walikota-diubah.der');
      writeFileSync(tamperedFile, der);
      const tampered = spawnSync('openssl', ['req', '-in', tamperedFile, '-inform', 'DER', '-noout', '-verify'], {
        encoding: 'utf8',
      });
      expect(`${tampered.stdout}${tampered.stderr}`).not.toMatch(/verify OK/i);
    }

    // Bad input is named, and nothing is written.
    const noName = await sepakat(['kms-csr', KeyMetadata!.KeyId!, '--jabatan', 'Wali Kota Contoh']);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('--nama');
    const badNip = await sepakat(['kms-csr', KeyMetadata!.KeyId!, '--nama', 'A', '--jabatan', 'B', '--nip', '12']);
    expect(badNip.code).toBe(2);
    expect(badNip.stderr).toContain('--nip harus 18 angka');
    const missing = await sepakat(['kms-csr', '00000000-0000-4000-8000-000000000000', '--nama', 'A', '--jabatan', 'B']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NotFoundException');
  }, 60_000);
});
