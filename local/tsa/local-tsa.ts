import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID, toArrayBuffer, toPem, type NamePart } from '../../functions/signing/asn1.ts';
import { buildDetachedCms } from '../../functions/signing/cms.ts';
import {
  LocalSigner,
  loadKeyMaterial,
  makeKeyMaterial,
  storeOnce,
  type KeyMaterial,
} from '../../functions/signing/dev-pki.ts';

/**
 * A local RFC 3161 Time-Stamp Authority for the embedded default: `POST /` with `application/timestamp-query`
 * (a DER TimeStampReq) answers `application/timestamp-reply` (a DER TimeStampResp). A SHA-256 imprint is granted
 * with a token: a CMS SignedData (built by the product's own `buildDetachedCms`) over a TSTInfo with the clock's
 * time in whole seconds, accuracy 1 s, the request's nonce, and a serial number unique across restarts (kept in
 * the data directory, written before the reply leaves). Other digests are refused with `badAlg`, malformed
 * requests with `badRequest`/`badDataFormat`, as RFC 3161 2.4.2 says.
 *
 *   <dataDir>/tsa/ca/       its own test CA (key.pem, cert.pem) — "TSA tiruan — bukan TSA tersertifikasi"
 *   <dataDir>/tsa/tsa/      the TSA's key and certificate (extended key usage timeStamping, critical)
 *   <dataDir>/tsa/serial    the last serial number issued
 *
 * Development only: keys unencrypted, no authentication, never a real time source beyond this machine's clock.
 */
export interface LocalTsaOptions {
  readonly dataDir: string;
  readonly host?: string;
  readonly port?: number;
  /** The TSA's clock (the product's clock: `App.clock`, which tests move). */
  readonly now: () => Date;
}

export interface LocalTsa {
  /** Where to POST a TimeStampReq. */
  readonly url: string;
  /** The TSA's own CA (DER): the trust anchor for its tokens. */
  readonly caCertificate: Uint8Array;
  readonly caCertificatePem: string;
  /** That CA certificate as a PEM file in the data directory (SEPAKAT_TSA_CA_FILE). */
  readonly caFile: string;
  /** The TSA's chain (its certificate, then its CA) in PEM, for `openssl ts -verify -CAfile`/`-untrusted`. */
  readonly chainPem: string;
  close(): Promise<void>;
}

/** Marks the local TSA's certificates so that no token of it passes for a certified TSA's. */
export const LOCAL_TSA_MARK = 'TSA tiruan — bukan TSA tersertifikasi';
/** The policy of the local TSA's tokens (under 2.999, the arc X.660 reserves for examples). */
export const LOCAL_TSA_POLICY = '2.999.3161.1';

const DAY = 24 * 3600 * 1000;
const MAX_REQUEST_BYTES = 64 * 1024;

export async function startLocalTsa(options: LocalTsaOptions): Promise<LocalTsa> {
  const now = options.now;
  const dir = join(options.dataDir, 'tsa');
  await mkdir(dir, { recursive: true });
  const ca = await keyMaterial(join(dir, 'ca'), now, undefined);
  const tsa = await keyMaterial(join(dir, 'tsa'), now, ca);
  const signer = new LocalSigner(tsa.key, [tsa.certDer, ca.certDer], { development: true });
  const serials = new SerialCounter(join(dir, 'serial'));

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`TSA lokal gagal: ${String(error)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Kirim TimeStampReq dengan POST (application/timestamp-query).');
      return;
    }
    if (!/^application\/timestamp-query/.test(req.headers['content-type'] ?? '')) {
      res.writeHead(415, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Content-Type harus application/timestamp-query.');
      return;
    }
    const body = await readBody(req);
    const reply = body ? await answer(body) : rejection(FailInfo.badRequest, 'permintaan terlalu besar');
    res.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': reply.byteLength });
    res.end(reply);
  }

  async function answer(body: Uint8Array): Promise<Uint8Array> {
    let req: pkijs.TimeStampReq;
    try {
      const asn1 = asn1js.fromBER(toArrayBuffer(body));
      if (asn1.offset === -1) throw new Error('bukan DER');
      req = new pkijs.TimeStampReq({ schema: asn1.result });
    } catch (error) {
      return rejection(FailInfo.badRequest, `TimeStampReq tidak terbaca: ${(error as Error).message}`);
    }
    if (req.version !== 1) return rejection(FailInfo.badRequest, `versi ${req.version}`);
    if (req.messageImprint.hashAlgorithm.algorithmId !== OID.sha256)
      return rejection(FailInfo.badAlg, `hanya SHA-256 (${OID.sha256})`);
    const imprint = new Uint8Array(req.messageImprint.hashedMessage.valueBlock.valueHexView);
    if (imprint.byteLength !== 32) return rejection(FailInfo.badDataFormat, 'message imprint bukan 32 byte');
    if (req.reqPolicy && req.reqPolicy !== LOCAL_TSA_POLICY)
      return rejection(FailInfo.unacceptedPolicy, `kebijakan ${req.reqPolicy} tidak dikenal`);

    const serial = await serials.next();
    const genTime = new Date(Math.floor(now().getTime() / 1000) * 1000);
    const info = new pkijs.TSTInfo({
      version: 1,
      policy: LOCAL_TSA_POLICY,
      messageImprint: req.messageImprint,
      serialNumber: new asn1js.Integer({ valueHex: toArrayBuffer(integerBytes(serial)) }),
      genTime,
      accuracy: new pkijs.Accuracy({ seconds: 1 }),
      ...(req.nonce ? { nonce: req.nonce } : {}),
    });
    const token = await buildDetachedCms({
      contentDigest: new Uint8Array(0),
      encapsulated: { type: OID.tstInfo, bytes: new Uint8Array(info.toSchema().toBER()) },
      signer,
      signingTime: genTime,
      signingTimeAttribute: false,
      includeCertificates: req.certReq === true,
    });
    return new Uint8Array(
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 })] }), // granted
          asn1js.fromBER(toArrayBuffer(token)).result,
        ],
      }).toBER(),
    );
  }

  await new Promise<void>((ok) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    caCertificate: ca.certDer,
    caCertificatePem: toPem(ca.certDer, 'CERTIFICATE'),
    caFile: join(dir, 'ca', 'cert.pem'),
    chainPem: toPem(tsa.certDer, 'CERTIFICATE') + toPem(ca.certDer, 'CERTIFICATE'),
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/** PKIFailureInfo bits (RFC 3161 2.4.2). */
const FailInfo = { badAlg: 0, badRequest: 2, badDataFormat: 5, unacceptedPolicy: 15 } as const;

/** A TimeStampResp with status rejection (2), a reason and one failure bit. */
function rejection(bit: number, text: string): Uint8Array {
  const bytes = new Uint8Array(Math.floor(bit / 8) + 1);
  bytes[Math.floor(bit / 8)] = 0x80 >> (bit % 8);
  const unused = 7 - (bit % 8);
  return new Uint8Array(
    new asn1js.Sequence({
      value: [
        new asn1js.Sequence({
          value: [
            new asn1js.Integer({ value: 2 }),
            new asn1js.Sequence({ value: [new asn1js.Utf8String({ value: text })] }),
            new asn1js.BitString({ valueHex: toArrayBuffer(bytes), unusedBits: unused }),
          ],
        }),
      ],
    }).toBER(),
  );
}

async function keyMaterial(dir: string, now: () => Date, issuer: KeyMaterial | undefined): Promise<KeyMaterial> {
  const existing = await loadKeyMaterial(dir);
  if (existing) return existing;
  const subject: NamePart[] = [
    ['C', 'ID'],
    ['O', 'Sepakat'],
    ['OU', LOCAL_TSA_MARK],
    ['CN', issuer ? 'TSA Lokal Sepakat' : 'CA TSA Lokal Sepakat'],
  ];
  const t = now().getTime();
  return storeOnce(
    dir,
    await makeKeyMaterial({
      keyAlgorithm: 'RSA-2048',
      subject,
      issuer,
      notBefore: new Date(t - DAY),
      notAfter: new Date(t + (issuer ? 5 : 10) * 365 * DAY),
      ca: !issuer,
      ...(issuer ? { extendedKeyUsage: OID.timeStamping } : {}),
    }),
  );
}

/** Serial numbers 1, 2, 3, … persisted in a file (written to a temporary name and renamed), one at a time. */
class SerialCounter {
  private chain: Promise<bigint> = Promise.resolve(0n);
  constructor(private readonly file: string) {}

  next(): Promise<bigint> {
    const step = this.chain.then(async () => {
      let last = 0n;
      try {
        last = BigInt((await readFile(this.file, 'utf8')).trim() || '0');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      const value = last + 1n;
      const tmp = `${this.file}.tmp-${process.pid}`;
      await writeFile(tmp, `${value}\n`);
      await rename(tmp, this.file);
      return value;
    });
    this.chain = step.catch(() => 0n);
    return step;
  }
}

/** A positive INTEGER's minimal big-endian bytes. */
function integerBytes(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

async function readBody(req: IncomingMessage): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
