import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import { bytesToHex, OID, parseCertificate, sha256, toArrayBuffer } from './asn1.ts';
import type { Signer } from './signer.ts';
import type { TimestampAuthority } from './timestamp.ts';

/**
 * A detached CMS SignedData (RFC 5652) in the CAdES-BES / PAdES B-B shape, built with pkijs (the outer
 * SignedData/ContentInfo sequences are assembled by hand around the certificates' cached bytes):
 * - digest SHA-256; signature RSASSA-PKCS1-v1_5 (rsaEncryption) or ECDSA with SHA-256, after the signer's key;
 * - signed attributes: contentType (id-data), messageDigest, signingTime, signing-certificate-v2 (ESSCertIDv2 with
 *   the SHA-256 of the signer's certificate and its issuer and serial number, RFC 5035), DER-sorted;
 * - the signer's certificate chain in `certificates`; no eContent (detached).
 * Optionally (PAdES B-T) an RFC 3161 token over the SignerInfo's signature value from `timestamp`, as the unsigned
 * attribute id-aa-signatureTimeStampToken. The same builder, with `encapsulated`, makes a TSA's token: the TSTInfo
 * as eContent, its content type in the contentType attribute.
 */
export interface CmsInput {
  /** SHA-256 of the signed content (for a PDF: the bytes of the /ByteRange). */
  readonly contentDigest: Uint8Array;
  readonly signer: Signer;
  readonly signingTime: Date;
  /** Include the CMS signingTime attribute (default true; see the note in signPdf). */
  readonly signingTimeAttribute?: boolean;
  /** PAdES B-T: a timestamp over the signature value, added as the unsigned attribute signatureTimeStampToken. */
  readonly timestamp?: TimestampAuthority;
  /** Content carried inside (not detached): its type (contentType attribute) and bytes (eContent). */
  readonly encapsulated?: { readonly type: string; readonly bytes: Uint8Array };
  /** Put the signer's chain in `certificates` (default true; an RFC 3161 token without certReq has none). */
  readonly includeCertificates?: boolean;
}

export async function buildDetachedCms(input: CmsInput): Promise<Uint8Array> {
  const { certificates, leaf, signatureAlgorithm, signingCertificateV2 } = chainMaterial(
    await input.signer.certificateChain(),
  );
  const sha256Id = () => new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 });

  const attributes: pkijs.Attribute[] = [
    new pkijs.Attribute({
      type: OID.contentType,
      values: [new asn1js.ObjectIdentifier({ value: input.encapsulated?.type ?? OID.data })],
    }),
    new pkijs.Attribute({
      type: OID.messageDigest,
      values: [
        new asn1js.OctetString({
          valueHex: toArrayBuffer(input.encapsulated ? sha256(input.encapsulated.bytes) : input.contentDigest),
        }),
      ],
    }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2] }),
  ];
  if (input.signingTimeAttribute ?? true) {
    attributes.push(
      new pkijs.Attribute({
        type: OID.signingTime,
        values: [
          input.signingTime.getUTCFullYear() < 2050
            ? new asn1js.UTCTime({ valueDate: input.signingTime })
            : new asn1js.GeneralizedTime({ valueDate: input.signingTime }),
        ],
      }),
    );
  }
  // DER: a SET OF is sorted by the encodings of its elements. OpenSSL re-encodes the signed attributes before
  // verifying, so an unsorted set would verify here and fail there.
  const sorted = attributes
    .map((a) => ({ a, der: Buffer.from(a.toSchema().toBER()) }))
    .sort((x, y) => Buffer.compare(x.der, y.der))
    .map((x) => x.a);
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: sorted });
  const toSign = new Uint8Array(signedAttrs.toSchema().toBER());
  toSign[0] = 0x31; // [0] IMPLICIT → SET OF, as RFC 5652 5.4 requires for the signature input

  const signature = await input.signer.sign({ signedAttributes: toSign, digest: sha256(toSign) });
  // PAdES B-T: the token's message imprint is the SHA-256 of the signature value (ETSI EN 319 122-1 5.3).
  const token = input.timestamp ? await input.timestamp.timestamp(sha256(signature)) : undefined;

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: leaf.issuer, serialNumber: leaf.serialNumber }),
    digestAlgorithm: sha256Id(),
    signedAttrs,
    signatureAlgorithm,
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
    ...(token
      ? {
          unsignedAttrs: new pkijs.SignedAndUnsignedAttributes({
            type: 1,
            attributes: [
              new pkijs.Attribute({
                type: OID.signatureTimeStampToken,
                values: [asn1js.fromBER(toArrayBuffer(token)).result],
              }),
            ],
          }),
        }
      : {}),
  });
  // SignedData assembled around the certificates' own bytes (cached per chain): pkijs would re-encode every
  // certificate from its parsed fields on every signature, which is most of the cost and not byte-exact for BER.
  const signedData = tlv(
    0x30,
    // Version 3 when eContentType is not id-data (RFC 5652 5.1).
    ber(new asn1js.Integer({ value: input.encapsulated && input.encapsulated.type !== OID.data ? 3 : 1 })),
    ber(new asn1js.Set({ value: [sha256Id().toSchema()] })),
    ber(
      new pkijs.EncapsulatedContentInfo({
        eContentType: input.encapsulated?.type ?? OID.data,
        ...(input.encapsulated
          ? { eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(input.encapsulated.bytes) }) }
          : {}),
      }).toSchema(),
    ),
    ...(input.includeCertificates === false ? [] : [certificates]),
    ber(new asn1js.Set({ value: [signerInfo.toSchema()] })),
  );
  return tlv(0x30, ber(new asn1js.ObjectIdentifier({ value: OID.signedData })), tlv(0xa0, signedData));
}

const ber = (block: asn1js.BaseBlock): Uint8Array => new Uint8Array(block.toBER());

/** A DER tag-length-value with definite length. */
function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const length = content.reduce((n, c) => n + c.byteLength, 0);
  const lengthBytes: number[] = [];
  if (length < 0x80) lengthBytes.push(length);
  else {
    for (let n = length; n > 0; n = Math.floor(n / 256)) lengthBytes.unshift(n % 256);
    lengthBytes.unshift(0x80 | lengthBytes.length);
  }
  return new Uint8Array(Buffer.concat([Buffer.from([tag, ...lengthBytes]), ...content]));
}

interface ChainMaterial {
  readonly leaf: pkijs.Certificate;
  /** `[0] IMPLICIT CertificateSet` with the certificates exactly as the signer gave them. */
  readonly certificates: Uint8Array;
  readonly signatureAlgorithm: pkijs.AlgorithmIdentifier;
  readonly signingCertificateV2: asn1js.Sequence;
}

/** Parsed chains by content, so a signer that keeps its key loaded pays for parsing its certificates once. */
const chainCache = new Map<string, ChainMaterial>();
const CHAIN_CACHE_SIZE = 256;

function chainMaterial(chainDer: readonly Uint8Array[]): ChainMaterial {
  if (!chainDer.length) throw new SepakatError(ErrorNames.BadInput, 'Penanda tangan tidak memiliki sertifikat.');
  const key = bytesToHex(sha256(Buffer.concat(chainDer.flatMap((c) => [Buffer.from(`${c.byteLength}:`), c]))));
  const cached = chainCache.get(key);
  if (cached) return cached;
  const leaf = parseCertificate(chainDer[0]!);
  const keyOid = leaf.subjectPublicKeyInfo.algorithm.algorithmId;
  const signatureAlgorithm =
    keyOid === OID.rsaEncryption
      ? new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() })
      : keyOid === OID.ecPublicKey
        ? new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 })
        : undefined;
  if (!signatureAlgorithm) {
    throw new SepakatError(ErrorNames.BadInput, `Jenis kunci sertifikat tidak didukung: ${keyOid}`);
  }
  const material: ChainMaterial = {
    leaf,
    certificates: tlv(0xa0, ...chainDer),
    signatureAlgorithm,
    signingCertificateV2: signingCertificateV2(chainDer[0]!, leaf),
  };
  if (chainCache.size >= CHAIN_CACHE_SIZE) chainCache.delete(chainCache.keys().next().value!);
  chainCache.set(key, material);
  return material;
}

/**
 * SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } with one ESSCertIDv2 ::= SEQUENCE {
 * certHash OCTET STRING, issuerSerial IssuerSerial } — hashAlgorithm omitted because SHA-256 is its DEFAULT (DER).
 */
function signingCertificateV2(leafDer: Uint8Array, leaf: pkijs.Certificate): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        // GeneralNames: directoryName [4] EXPLICIT Name
        value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [leaf.issuer.toSchema()] })],
      }),
      new asn1js.Integer({ valueHex: toArrayBuffer(leaf.serialNumber.valueBlock.valueHexView) }),
    ],
  });
  const essCertIdV2 = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: toArrayBuffer(sha256(leafDer)) }), issuerSerial],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}
