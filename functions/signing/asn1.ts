import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** Object identifiers used by the signing code (CMS, CAdES/ESS, X.509, algorithms). */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  /** id-aa-signatureTimeStampToken: an RFC 3161 token over the SignerInfo's signature value (unsigned). */
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  /** id-ct-TSTInfo: the content type of an RFC 3161 timestamp token. */
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  extKeyUsage: '2.5.29.37',
  /** id-kp-timeStamping */
  timeStamping: '1.3.6.1.5.5.7.3.8',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

/** Digest algorithm OID → Node hash name. */
export const DIGEST_NAMES: Readonly<Record<string, 'sha1' | 'sha256' | 'sha384' | 'sha512'>> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

const ATTRIBUTE_LABELS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '1.2.840.113549.1.9.1': 'emailAddress',
};
const LABEL_OIDS = Object.fromEntries(Object.entries(ATTRIBUTE_LABELS).map(([oid, label]) => [label, oid]));

export type NamePart = readonly [label: 'C' | 'O' | 'OU' | 'title' | 'serialNumber' | 'CN' | 'L' | 'ST', value: string];

/**
 * A distinguished name from parts in encoding order (C first, CN last), one RDN per attribute (pkijs would put
 * them all into one multi-valued RDN). C and serialNumber are PrintableString, the rest UTF8String.
 */
export function buildName(parts: readonly NamePart[]): pkijs.RelativeDistinguishedNames {
  const name = new asn1js.Sequence({
    value: parts.map(
      ([label, value]) =>
        new asn1js.Set({
          value: [
            new asn1js.Sequence({
              value: [
                new asn1js.ObjectIdentifier({ value: LABEL_OIDS[label]! }),
                label === 'C' || label === 'serialNumber'
                  ? new asn1js.PrintableString({ value })
                  : new asn1js.Utf8String({ value }),
              ],
            }),
          ],
        }),
    ),
  });
  // Parsed back, so pkijs keeps (and re-emits) exactly this encoding.
  return pkijs.RelativeDistinguishedNames.fromBER(name.toBER());
}

function attributeValue(tv: pkijs.AttributeTypeAndValue): string {
  const block = (tv.value as { valueBlock?: { value?: unknown } }).valueBlock;
  return typeof block?.value === 'string' ? block.value : '#' + bytesToHex(new Uint8Array(tv.value.toBER()));
}

/** The first value of an attribute (by label: 'CN', 'OU', …), or undefined. */
export function nameAttribute(name: pkijs.RelativeDistinguishedNames, label: string): string | undefined {
  const oid = LABEL_OIDS[label] ?? label;
  const tv = name.typesAndValues.find((t) => t.type === oid);
  return tv ? attributeValue(tv) : undefined;
}

/** "CN=…, title=…, OU=…, O=…, C=ID" (most specific first, RFC 4514 order). */
export function formatName(name: pkijs.RelativeDistinguishedNames): string {
  return [...name.typesAndValues]
    .reverse()
    .map((tv) => `${ATTRIBUTE_LABELS[tv.type] ?? tv.type}=${attributeValue(tv).replace(/([,+"\\<>;])/g, '\\$1')}`)
    .join(', ');
}

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(der);
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

/** Every PEM block with the given label, as DER. */
export function fromPem(pem: string, label = 'CERTIFICATE'): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...pem.matchAll(re)].map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
}

/** Copies into a fresh ArrayBuffer (asn1js and pkijs want an exact ArrayBuffer, not a view into a pool). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a).equals(Buffer.from(b));
}

/** X.509 Time: UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
export function x509Time(date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? 0 : 1, value: date });
}
