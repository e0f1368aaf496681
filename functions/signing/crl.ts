import { createHash, sign as cryptoSign, verify as cryptoVerify, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesToHex, OID, parseCertificate, toArrayBuffer, x509Time } from './asn1.ts';

/**
 * X.509 v2 certificate revocation lists (RFC 5280 §5): `makeCrl` for a CA this product holds (the development CA,
 * the pemda CA that certifies KMS keys), `readCrl` and `revocationOf` for the verifier. A CRL is signed by the CA's
 * own key (SHA-256 with RSA or ECDSA), carries thisUpdate/nextUpdate, the revoked serials with their date and
 * reason, and the extensions authorityKeyIdentifier and cRLNumber.
 */

/** CRLReason (RFC 5280 §5.3.1), the ones a CA here has a use for. */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

/** What a CRL says of one certificate. */
export interface RevokedEntry {
  /** Serial number, lowercase hex as `bytesToHex` writes it (the verifier's `serialNumber`). */
  readonly serial: string;
  /** ISO instant of the revocation. */
  readonly revokedAt: string;
  readonly reason: RevocationReason;
}

const CRL_NUMBER = '2.5.29.20';
const REASON_CODE = '2.5.29.21';

/** A DER CRL of `issuer` (certificate and key), listing `revoked`, valid from `thisUpdate` to `nextUpdate`. */
export function makeCrl(input: {
  issuer: { readonly cert: pkijs.Certificate; readonly key: KeyObject };
  revoked: readonly RevokedEntry[];
  thisUpdate: Date;
  nextUpdate: Date;
  /** Monotonic number of this CRL (cRLNumber). */
  number: bigint;
}): Uint8Array {
  const ec = input.issuer.key.asymmetricKeyType === 'ec';
  const algorithm = ec
    ? new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 })
    : new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRSAEncryption, algorithmParams: new asn1js.Null() });
  const keyId = input.issuer.cert.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
  const extensions = [
    ...(keyId
      ? [
          extension(
            OID.authorityKeyIdentifier,
            new pkijs.AuthorityKeyIdentifier({
              keyIdentifier: asn1js.fromBER(keyId.extnValue.valueBlock.valueHexView).result as asn1js.OctetString,
            }).toSchema(),
          ),
        ]
      : []),
    extension(CRL_NUMBER, new asn1js.Integer({ valueHex: toArrayBuffer(integerBytes(input.number)) })),
  ];
  const entries = input.revoked.map(
    (entry) =>
      new asn1js.Sequence({
        value: [
          new asn1js.Integer({ valueHex: toArrayBuffer(new Uint8Array(Buffer.from(entry.serial, 'hex'))) }),
          x509Time(new Date(entry.revokedAt)).toSchema(),
          new asn1js.Sequence({
            value: [extension(REASON_CODE, new asn1js.Enumerated({ value: REVOCATION_REASONS[entry.reason] }))],
          }),
        ],
      }),
  );
  const tbs = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 1 }), // v2
      algorithm.toSchema(),
      input.issuer.cert.subject.toSchema(),
      x509Time(input.thisUpdate).toSchema(),
      x509Time(input.nextUpdate).toSchema(),
      ...(entries.length ? [new asn1js.Sequence({ value: entries })] : []),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [new asn1js.Sequence({ value: extensions })],
      }),
    ],
  });
  const tbsDer = new Uint8Array(tbs.toBER());
  const signature = new Uint8Array(cryptoSign('sha256', tbsDer, input.issuer.key));
  return new Uint8Array(
    new asn1js.Sequence({
      value: [
        asn1js.fromBER(toArrayBuffer(tbsDer)).result,
        algorithm.toSchema(),
        new asn1js.BitString({ valueHex: toArrayBuffer(signature) }),
      ],
    }).toBER(),
  );
}

/** A CRL as the verifier reads it. */
export interface CrlInfo {
  readonly der: Uint8Array;
  readonly crl: pkijs.CertificateRevocationList;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly revoked: readonly RevokedEntry[];
}

/** Parses a DER CRL; undefined when it is not one. */
export function readCrl(der: Uint8Array): CrlInfo | undefined {
  try {
    const crl = pkijs.CertificateRevocationList.fromBER(der);
    const revoked = (crl.revokedCertificates ?? []).map((entry): RevokedEntry => {
      const code = entry.crlEntryExtensions?.extensions.find((e) => e.extnID === REASON_CODE);
      const value = code ? (asn1js.fromBER(code.extnValue.valueBlock.valueHexView).result as asn1js.Enumerated) : null;
      const number = value?.valueBlock.valueDec ?? 0;
      const reason = (Object.entries(REVOCATION_REASONS).find(([, n]) => n === number)?.[0] ??
        'unspecified') as RevocationReason;
      return {
        serial: bytesToHex(entry.userCertificate.valueBlock.valueHexView),
        revokedAt: entry.revocationDate.value.toISOString(),
        reason,
      };
    });
    return { der, crl, thisUpdate: crl.thisUpdate.value, nextUpdate: crl.nextUpdate?.value, revoked };
  } catch {
    return undefined;
  }
}

/** The CRL was issued by `issuer` (same name) and its signature verifies with the issuer's key. */
export function crlIssuedBy(info: CrlInfo, issuerDer: Uint8Array): boolean {
  const issuer = parseCertificate(issuerDer);
  if (!info.crl.issuer.isEqual(issuer.subject)) return false;
  try {
    const key = new X509Certificate(issuerDer).publicKey;
    return cryptoVerify(
      'sha256',
      new Uint8Array(info.crl.tbsView),
      key,
      new Uint8Array(info.crl.signatureValue.valueBlock.valueHexView),
    );
  } catch {
    return false;
  }
}

/** How a readable description of a reason reads in Indonesian. */
export const REASON_LABELS: Readonly<Record<RevocationReason, string>> = {
  unspecified: 'tidak disebutkan',
  keyCompromise: 'kunci bocor',
  affiliationChanged: 'jabatan atau instansi berubah',
  superseded: 'diganti sertifikat baru',
  cessationOfOperation: 'tidak dipakai lagi',
};

/** SHA-1 of bytes, uppercase hex: the key of a /VRI entry (ETSI EN 319 142-1 §5.4.2.2). */
export function vriKey(contents: Uint8Array): string {
  return createHash('sha1').update(contents).digest('hex').toUpperCase();
}

function extension(extnID: string, value: asn1js.BaseBlock): asn1js.Sequence {
  return new pkijs.Extension({ extnID, critical: false, extnValue: value.toBER() }).toSchema();
}

function integerBytes(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
