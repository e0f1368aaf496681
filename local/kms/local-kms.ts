/**
 * A local stand-in for AWS KMS asymmetric signing keys, for the embedded local default and the tests.
 *
 * It speaks the protocol @aws-sdk/client-kms uses (AWS JSON 1.1: `POST /`, `X-Amz-Target: TrentService.<Op>`,
 * `application/x-amz-json-1.1`, blobs as base64, timestamps as epoch seconds, errors as `{ __type, message }`), so
 * the product's KMS signer runs unchanged against it. Operations: `CreateKey` (ECC_NIST_P256 and RSA_2048,
 * SIGN_VERIFY, Tags), `DescribeKey`, `GetPublicKey` (DER SubjectPublicKeyInfo), `Sign` (RAW or DIGEST;
 * ECDSA_SHA_256 returning a DER ECDSA-Sig-Value, RSASSA_PKCS1_V1_5_SHA_256) and `ListResourceTags`.
 *
 * Keys are real (node:crypto), one file per key under `<dataDir>/`, written once (temporary name, then rename) with
 * mode 0600; the private key is never logged nor returned. Unlike KMS, nothing here protects the key material: it
 * is for local development only. Requests are not checked for a SigV4 signature (like the local SES). Error
 * messages are English, as KMS's own are.
 */
import {
  createECDH,
  createPrivateKey,
  generateKeyPair,
  privateEncrypt,
  constants,
  randomBytes,
  randomUUID,
  sign as cryptoSign,
  type KeyObject,
} from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface LocalKmsOptions {
  dataDir: string;
  host?: string;
  port?: number;
  region: string;
  accountId: string;
  /** KMS's own clock, for `CreationDate` (the runtime passes the product's clock). */
  now: () => Date;
}

export interface LocalKms {
  /** Base URL to give the KMS client as `endpoint`. */
  endpoint: string;
  close(): Promise<void>;
}

type KeySpec = 'ECC_NIST_P256' | 'RSA_2048';
type SigningAlgorithm = 'ECDSA_SHA_256' | 'RSASSA_PKCS1_V1_5_SHA_256';

const KEY_SPECS: Record<KeySpec, { algorithms: SigningAlgorithm[] }> = {
  ECC_NIST_P256: { algorithms: ['ECDSA_SHA_256'] },
  RSA_2048: { algorithms: ['RSASSA_PKCS1_V1_5_SHA_256'] },
};
/** KMS's values of KeySpec, for the validation message; only those of KEY_SPECS are made here. */
const ALL_KEY_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
];
/** KMS accepts RAW messages up to 4096 bytes. */
const MAX_RAW_MESSAGE = 4096;
const MAX_REQUEST_BYTES = 1024 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** DER DigestInfo prefix of SHA-256 (RFC 8017 9.2 note 1): what PKCS#1 v1.5 signs before the digest. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');
/** The order n of P-256. */
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

interface StoredKey {
  keyId: string;
  arn: string;
  creationDate: number;
  description: string;
  keySpec: KeySpec;
  tags: { TagKey: string; TagValue: string }[];
  /** PKCS#8 PEM. Read only to sign. */
  privateKeyPem: string;
  /** DER SubjectPublicKeyInfo, base64. */
  publicKey: string;
}

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startLocalKms(options: LocalKmsOptions): Promise<LocalKms> {
  const { host = '127.0.0.1', port = 0 } = options;
  const store = new KeyStore(options.dataDir, options);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });

  const server = createServer((req, res) => {
    handle(store, req, res).catch((err: unknown) => {
      if (err instanceof KmsError) return sendError(res, err.status, err.type, err.message);
      // Never echo an internal error's text: it could name a key file.
      if (!res.headersSent) sendError(res, 500, 'KMSInternalException', 'Internal error of the local KMS.');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return {
    endpoint: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`,
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      server.closeIdleConnections();
      await closed;
    },
  };
}

async function handle(store: KeyStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/')
    throw new KmsError('UnknownOperationException', 'KMS accepts POST / only.', 404);
  const target = String(req.headers['x-amz-target'] ?? '');
  const op = /^TrentService\.([A-Za-z]+)$/.exec(target)?.[1];
  if (!op) throw new KmsError('UnknownOperationException', `Unknown X-Amz-Target: "${target}"`);
  const body = await readBody(req);
  let input: Record<string, unknown>;
  try {
    const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    input = parsed as Record<string, unknown>;
  } catch {
    throw new KmsError('SerializationException', 'The request body is not a JSON object.');
  }
  const operation = OPERATIONS[op];
  if (!operation) throw new KmsError('UnknownOperationException', `The local KMS does not implement ${op}.`);
  sendJson(res, 200, await operation(store, input));
}

const OPERATIONS: Record<string, (store: KeyStore, input: Record<string, unknown>) => Promise<unknown>> = {
  async CreateKey(store, input) {
    const keySpec = input.KeySpec ?? input.CustomerMasterKeySpec;
    if (typeof keySpec !== 'string' || !ALL_KEY_SPECS.includes(keySpec))
      throw validation(
        `Value '${String(keySpec)}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [${ALL_KEY_SPECS.join(', ')}]`,
      );
    if (!(keySpec in KEY_SPECS))
      throw new KmsError(
        'UnsupportedOperationException',
        `The local KMS does not make ${keySpec} keys (only ${Object.keys(KEY_SPECS).join(', ')}).`,
      );
    if (input.KeyUsage !== 'SIGN_VERIFY')
      throw validation(
        `KeyUsage ${String(input.KeyUsage)} is not valid for KeySpec ${keySpec} here: only SIGN_VERIFY.`,
      );
    if (input.Origin !== undefined && input.Origin !== 'AWS_KMS')
      throw new KmsError('UnsupportedOperationException', 'The local KMS supports Origin AWS_KMS only.');
    const description = input.Description ?? '';
    if (typeof description !== 'string' || description.length > 8192)
      throw validation(
        "Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192",
      );
    const tags = parseTags(input.Tags);
    return { KeyMetadata: metadata(await store.create(keySpec as KeySpec, description, tags), store) };
  },

  async DescribeKey(store, input) {
    return { KeyMetadata: metadata(await store.get(input.KeyId), store) };
  },

  async GetPublicKey(store, input) {
    const key = await store.get(input.KeyId);
    return {
      KeyId: key.arn,
      PublicKey: key.publicKey,
      KeySpec: key.keySpec,
      CustomerMasterKeySpec: key.keySpec,
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: KEY_SPECS[key.keySpec].algorithms,
    };
  },

  async Sign(store, input) {
    const key = await store.get(input.KeyId);
    const algorithm = input.SigningAlgorithm;
    if (typeof algorithm !== 'string' || !KEY_SPECS[key.keySpec].algorithms.includes(algorithm as SigningAlgorithm))
      throw new KmsError(
        'InvalidKeyUsageException',
        `Key ${key.arn} does not support SigningAlgorithm ${String(algorithm)} (only ${KEY_SPECS[key.keySpec].algorithms.join(', ')}).`,
      );
    const messageType = input.MessageType ?? 'RAW';
    if (messageType !== 'RAW' && messageType !== 'DIGEST')
      throw validation(
        `Value '${String(messageType)}' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST]`,
      );
    if (typeof input.Message !== 'string' || !input.Message)
      throw validation("Value null at 'message' failed to satisfy constraint: Member must not be null");
    const message = Buffer.from(input.Message, 'base64');
    if (messageType === 'RAW' && message.length > MAX_RAW_MESSAGE)
      throw validation(
        `Message is ${message.length} bytes; a RAW message is at most ${MAX_RAW_MESSAGE} bytes (use DIGEST).`,
      );
    if (messageType === 'DIGEST' && message.length !== 32)
      throw validation(
        `Digest is invalid length for algorithm ${algorithm}: 32 bytes expected, ${message.length} given.`,
      );
    const privateKey = createPrivateKey(key.privateKeyPem);
    const signature =
      messageType === 'RAW'
        ? cryptoSign('sha256', message, privateKey)
        : key.keySpec === 'RSA_2048'
          ? privateEncrypt(
              { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
              Buffer.concat([SHA256_DIGEST_INFO, message]),
            )
          : ecdsaP256OverDigest(privateKey, message);
    return { KeyId: key.arn, Signature: signature.toString('base64'), SigningAlgorithm: algorithm };
  },

  async ListResourceTags(store, input) {
    const key = await store.get(input.KeyId);
    return { Tags: key.tags, Truncated: false };
  },
};

function validation(message: string): KmsError {
  return new KmsError('ValidationException', message);
}

function parseTags(value: unknown): StoredKey['tags'] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 50) throw validation("Value at 'tags' must be a list of at most 50 tags");
  const tags = value.map((tag: unknown) => {
    const { TagKey, TagValue } = (tag ?? {}) as Record<string, unknown>;
    if (
      typeof TagKey !== 'string' ||
      !TagKey ||
      TagKey.length > 128 ||
      typeof TagValue !== 'string' ||
      TagValue.length > 256
    )
      throw new KmsError('TagException', 'Each tag needs a TagKey (1-128 characters) and a TagValue (0-256).');
    return { TagKey, TagValue };
  });
  if (new Set(tags.map((t) => t.TagKey)).size !== tags.length) throw new KmsError('TagException', 'Duplicate TagKey.');
  return tags;
}

function metadata(key: StoredKey, store: KeyStore) {
  return {
    AWSAccountId: store.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.creationDate,
    Enabled: true,
    Description: key.description,
    KeyUsage: 'SIGN_VERIFY',
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    SigningAlgorithms: KEY_SPECS[key.keySpec].algorithms,
    MultiRegion: false,
  };
}

/**
 * ECDSA P-256 over a given SHA-256 digest (KMS `MessageType: DIGEST`), which node:crypto's `sign` cannot do (it
 * always hashes). The point k·G comes from OpenSSL through ECDH; r = x(k·G) mod n, s = k⁻¹(e + r·d) mod n, as
 * FIPS 186-4 6.4; the result is the DER ECDSA-Sig-Value that KMS returns.
 */
function ecdsaP256OverDigest(privateKey: KeyObject, digest: Buffer): Buffer {
  const d = toBigInt(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
  const e = toBigInt(digest) % P256_N;
  for (;;) {
    const k = toBigInt(randomBytes(40)) % P256_N;
    if (k === 0n) continue;
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(toBuffer32(k));
    const point = ecdh.getPublicKey(); // 04 || x || y
    const r = toBigInt(point.subarray(1, 33)) % P256_N;
    if (r === 0n) continue;
    const s = (modPow(k, P256_N - 2n, P256_N) * ((e + r * d) % P256_N)) % P256_N;
    if (s === 0n) continue;
    return derSequence(derInteger(r), derInteger(s));
  }
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length ? BigInt(`0x${Buffer.from(bytes).toString('hex')}`) : 0n;
}

function toBuffer32(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

function derSequence(...items: Buffer[]): Buffer {
  const body = Buffer.concat(items);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]); // < 128 bytes for P-256
}

/** One JSON file per key, written once; read from disk on every use (a restart keeps every key). */
class KeyStore {
  readonly accountId: string;
  private readonly region: string;

  constructor(
    private readonly dir: string,
    private readonly options: LocalKmsOptions,
  ) {
    this.accountId = options.accountId;
    this.region = options.region;
  }

  async create(keySpec: KeySpec, description: string, tags: StoredKey['tags']): Promise<StoredKey> {
    const { privateKey, publicKey } = await new Promise<{ privateKey: KeyObject; publicKey: KeyObject }>(
      (resolve, reject) => {
        const done = (err: Error | null, pub: KeyObject, priv: KeyObject) =>
          err ? reject(err) : resolve({ privateKey: priv, publicKey: pub });
        if (keySpec === 'RSA_2048') generateKeyPair('rsa', { modulusLength: 2048 }, done);
        else generateKeyPair('ec', { namedCurve: 'P-256' }, done);
      },
    );
    const keyId = randomUUID();
    const key: StoredKey = {
      keyId,
      arn: `arn:aws:kms:${this.region}:${this.accountId}:key/${keyId}`,
      creationDate: this.options.now().getTime() / 1000,
      description,
      keySpec,
      tags,
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    };
    const file = this.file(keyId);
    const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    await writeFile(tmp, JSON.stringify(key), { mode: 0o600, flag: 'wx' });
    await rename(tmp, file);
    return key;
  }

  /** A key by id or by its ARN in this account and region (aliases are not kept here). */
  async get(keyIdOrArn: unknown): Promise<StoredKey> {
    if (typeof keyIdOrArn !== 'string' || !keyIdOrArn)
      throw validation("Value null at 'keyId' failed to satisfy constraint: Member must not be null");
    const prefix = `arn:aws:kms:${this.region}:${this.accountId}:key/`;
    const keyId = keyIdOrArn.startsWith(prefix) ? keyIdOrArn.slice(prefix.length) : keyIdOrArn;
    const notFound = new KmsError('NotFoundException', `Key '${prefix}${keyId}' does not exist`);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(keyId)) throw notFound;
    try {
      return JSON.parse(await readFile(this.file(keyId), 'utf8')) as StoredKey;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound;
      throw error;
    }
  }

  private file(keyId: string): string {
    return path.join(this.dir, `${keyId}.json`);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) throw new KmsError('ValidationException', 'Request entity too large.', 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  // The SDK reads the error name from x-amzn-ErrorType (then __type) and the text from `message`.
  res.setHeader('x-amzn-errortype', type);
  sendJson(res, status, { __type: type, message });
}
