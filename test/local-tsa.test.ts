import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSepakatError } from '../core/errors.ts';
import { fromPem, OID, parseCertificate, sha256 } from '../functions/signing/asn1.ts';
import {
  HttpTimestampAuthority,
  readTstInfo,
  timestampRequest,
  tokenFromResponse,
} from '../functions/signing/timestamp.ts';
import { LOCAL_TSA_MARK, LOCAL_TSA_POLICY, startLocalTsa, type LocalTsa } from '../local/tsa/local-tsa.ts';
import { OPENSSL } from './support/kasus.ts';
import { opensslTimestampVerifies } from './support/timestamp.ts';

let dataDir: string;
let tsa: LocalTsa;
const now = new Date('2026-12-01T03:04:05.678Z');

const tstInfo = (token: Uint8Array) => readTstInfo(pkijs.ContentInfo.fromBER(token));

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sepakat-tsa-'));
  tsa = await startLocalTsa({ dataDir, now: () => now });
});
afterAll(async () => {
  await tsa.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local RFC 3161 TSA', () => {
  it('grants a token over the SHA-256 imprint, with the injected time, the nonce and its certificate', async () => {
    const digest = sha256('nilai tanda tangan');
    const token = await new HttpTimestampAuthority(tsa.url).timestamp(digest);
    const info = tstInfo(token);
    expect(info.version).toBe(1);
    expect(info.policy).toBe(LOCAL_TSA_POLICY);
    expect(info.messageImprint.hashAlgorithm.algorithmId).toBe(OID.sha256);
    expect(Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView)).toEqual(Buffer.from(digest));
    expect(info.genTime.toISOString()).toBe('2026-12-01T03:04:05.000Z');
    expect(info.nonce).toBeDefined();
    const signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(token).content });
    expect(signedData.certificates).toHaveLength(2); // certReq: the TSA's certificate and its CA
  });

  it('its certificate is for timestamping only (critical extended key usage) and marked as not certified', () => {
    const cert = parseCertificate(fromPem(tsa.chainPem)[0]!);
    const eku = cert.extensions!.find((e) => e.extnID === OID.extKeyUsage)!;
    expect(eku.critical).toBe(true);
    expect((eku.parsedValue as pkijs.ExtKeyUsage).keyPurposes).toEqual([OID.timeStamping]);
    const ou = cert.subject.typesAndValues.find((t) => t.type === '2.5.4.11')!;
    expect(ou.value.valueBlock.value).toBe(LOCAL_TSA_MARK);
  });

  it('gives unique serial numbers, kept across a restart in its data directory', async () => {
    const authority = new HttpTimestampAuthority(tsa.url);
    const serials = await Promise.all(
      [1, 2, 3, 4, 5].map(async (i) => tstInfo(await authority.timestamp(sha256(`v${i}`))).serialNumber.toString()),
    );
    expect(new Set(serials).size).toBe(5);
    const before = BigInt(readFileSync(join(dataDir, 'tsa', 'serial'), 'utf8').trim());
    await tsa.close();
    tsa = await startLocalTsa({ dataDir, now: () => now });
    const after = tstInfo(await new HttpTimestampAuthority(tsa.url).timestamp(sha256('lagi')));
    expect(BigInt(`0x${Buffer.from(after.serialNumber.valueBlock.valueHexView).toString('hex')}`)).toBe(before + 1n);
  });

  it('refuses a digest other than SHA-256 (badAlg) and a malformed request (badRequest)', async () => {
    const sha1Request = new pkijs.TimeStampReq({
      version: 1,
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha1 }),
        hashedMessage: new asn1js.OctetString({ valueHex: new Uint8Array(20).buffer }),
      }),
    });
    const post = async (body: Uint8Array) => {
      const res = await fetch(tsa.url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body,
      });
      expect(res.headers.get('content-type')).toBe('application/timestamp-reply');
      return pkijs.TimeStampResp.fromBER(await res.arrayBuffer());
    };
    const badAlg = await post(new Uint8Array(sha1Request.toSchema().toBER()));
    expect(badAlg.status.status).toBe(2);
    expect(badAlg.timeStampToken).toBeUndefined();
    expect(badAlg.status.failInfo!.valueBlock.valueHexView[0]).toBe(0x80); // bit 0: badAlg
    const garbage = await post(new Uint8Array([1, 2, 3]));
    expect(garbage.status.status).toBe(2);
  });

  it('a GET is refused and issues nothing', async () => {
    const serial = readFileSync(join(dataDir, 'tsa', 'serial'), 'utf8');
    const res = await fetch(tsa.url);
    expect(res.status).toBe(405);
    expect(readFileSync(join(dataDir, 'tsa', 'serial'), 'utf8')).toBe(serial);
  });

  it('the client refuses a reply for another request (nonce or imprint not its own)', async () => {
    // A real reply, to a request with another imprint: the client must not take it as a token over its digest.
    const res = await fetch(tsa.url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: timestampRequest(sha256('lain'), new Uint8Array([1, 2, 3, 4])),
    });
    const body = new Uint8Array(await res.arrayBuffer());
    const refused = (f: () => unknown) => {
      try {
        f();
        return undefined;
      } catch (error) {
        return isSepakatError(error) ? error.message : String(error);
      }
    };
    expect(refused(() => tokenFromResponse(body, sha256('milik saya'), new Uint8Array([1, 2, 3, 4])))).toMatch(
      /message imprint tidak cocok/,
    );
    expect(refused(() => tokenFromResponse(body, sha256('lain'), new Uint8Array([9, 9])))).toMatch(/nonce tidak cocok/);
    expect(refused(() => tokenFromResponse(body, sha256('lain'), new Uint8Array([1, 2, 3, 4])))).toBeUndefined();
  });

  it.skipIf(!OPENSSL)('openssl ts -verify accepts the token for its digest and refuses it for another', async () => {
    const digest = sha256('diverifikasi openssl');
    const token = await new HttpTimestampAuthority(tsa.url).timestamp(digest);
    const ok = opensslTimestampVerifies(token, digest, tsa);
    expect(ok.output).toMatch(/Verification: OK/);
    expect(ok.ok).toBe(true);
    const other = opensslTimestampVerifies(token, sha256('nilai lain'), tsa);
    expect(other.ok).toBe(false);
    expect(other.output).toMatch(/message imprint mismatch/);
    // The reply format too (not only the bare token): openssl ts -reply reads what the TSA answered.
    const work = mkdtempSync(join(tmpdir(), 'sepakat-tsa-reply-'));
    try {
      const res = await fetch(tsa.url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: timestampRequest(digest, new Uint8Array([7, 7, 7])),
      });
      writeFileSync(join(work, 'reply.tsr'), new Uint8Array(await res.arrayBuffer()));
      const text = spawnSync('openssl', ['ts', '-reply', '-in', join(work, 'reply.tsr'), '-text'], {
        encoding: 'utf8',
      });
      expect(text.stdout).toMatch(/Status: Granted\./);
      expect(text.stdout).toMatch(/Time stamp: Dec {2}1 03:04:05 2026 GMT/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
