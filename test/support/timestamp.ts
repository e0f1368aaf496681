import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesToHex, OID, sha256, toArrayBuffer } from '../../functions/signing/asn1.ts';
import { findSignatureFields } from '../../functions/signing/verify.ts';

/** A signature's SignerInfo signature value and its signatureTimeStampToken (DER), read with pkijs. */
export function signatureTimestamp(pdf: Uint8Array, index = 0): { signatureValue: Uint8Array; token?: Uint8Array } {
  const field = findSignatureFields(pdf)[index]!;
  const cms = field.contents.subarray(0, asn1js.fromBER(toArrayBuffer(field.contents)).offset);
  const signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(cms).content });
  const signerInfo = signedData.signerInfos[0]!;
  const token = signerInfo.unsignedAttrs?.attributes.find((a) => a.type === OID.signatureTimeStampToken)?.values[0];
  return {
    signatureValue: new Uint8Array(signerInfo.signature.valueBlock.valueHexView),
    ...(token ? { token: new Uint8Array(token.toBER()) } : {}),
  };
}

/**
 * `openssl ts -verify -digest <hex> -token_in -in token.der -CAfile <TSA CA> -untrusted <TSA chain>`: true when
 * openssl says "Verification: OK". Callers check OPENSSL (./kasus.ts) first.
 */
export function opensslTimestampVerifies(
  token: Uint8Array,
  digest: Uint8Array,
  tsa: { caCertificatePem: string; chainPem: string },
): { ok: boolean; output: string } {
  const work = mkdtempSync(join(tmpdir(), 'sepakat-openssl-ts-'));
  try {
    writeFileSync(join(work, 'token.der'), token);
    writeFileSync(join(work, 'ca.pem'), tsa.caCertificatePem);
    writeFileSync(join(work, 'chain.pem'), tsa.chainPem);
    const run = spawnSync(
      'openssl',
      ['ts', '-verify', '-digest', bytesToHex(digest), '-token_in', '-in', 'token.der'].concat([
        '-CAfile',
        'ca.pem',
        '-untrusted',
        'chain.pem',
      ]),
      { cwd: work, encoding: 'utf8' },
    );
    const output = `${run.stdout}${run.stderr}`;
    return { ok: run.status === 0 && /Verification: OK/.test(output), output };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The SHA-256 of a signature value: what its timestamp token's message imprint must be. */
export const imprintOf = (signatureValue: Uint8Array) => sha256(signatureValue);
