import { ErrorNames, SepakatError } from '../../core/errors.ts';
import { constants, createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesToHex, DIGEST_NAMES, equalBytes, formatName, nameAttribute, OID, parseCertificate } from './asn1.ts';
import { crlIssuedBy, readCrl, REASON_LABELS, vriKey, type CrlInfo, type RevokedEntry } from './crl.ts';
import { EMPTY_DSS, readDss, validationOnlyUpdates, type DssContents } from './dss.ts';
import { nameOf, PdfDict, readObjectAt, stringSpan, textOf, type PdfValue } from './pdf-incremental.ts';
import { DEVELOPMENT_MARK, type SigningKeys } from './signer.ts';
import { eContentBytes } from './timestamp.ts';
import {
  anchorReached,
  anchorsFromRoots,
  anchorsOf,
  parseAnchors,
  type AnchorReport,
  type ParsedAnchor,
  type TrustAnchor,
} from './trust-anchors.ts';

/**
 * An independent verifier for signed PDFs (also what the public verification page calls). It reads the raw bytes
 * only: every signature dictionary with a numeric /ByteRange, the /Contents in the gap the byte range leaves, the
 * SHA-2 of the signed ranges, the CMS (pkijs), the messageDigest attribute, the signature over the signed
 * attributes (Node crypto with the certificate's key), signing-certificate-v2, and the certificate chain
 * (pkijs' chain engine) against the trusted roots it is given. It never trusts a certificate because the PDF
 * carries it, and never changes the PDF.
 */

export type ByteRange = readonly [number, number, number, number];

/** A signature dictionary as found in the raw bytes. */
export interface SignatureField {
  /** Offset of the `N G obj` that holds the dictionary. */
  readonly objectOffset: number;
  readonly byteRange: ByteRange;
  /** The bytes in the /ByteRange gap, hex-decoded (the CMS plus zero padding); empty when the gap is not one hex string. */
  readonly contents: Uint8Array;
  /** The gap is exactly this dictionary's /Contents string. */
  readonly contentsMatchGap: boolean;
  readonly filter?: string;
  readonly subFilter?: string;
  readonly name?: string;
  readonly reason?: string;
  readonly location?: string;
  readonly contactInfo?: string;
  /** /M as written ("D:20261123090000Z"). */
  readonly m?: string;
}

export interface CertificateReport {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** The claimed signing time lies inside the validity period. */
  readonly validAtSigningTime: boolean | null;
  /** Marked "Sertifikat pengembangan — bukan BSrE". */
  readonly development: boolean;
}

export interface SignatureReport {
  /** 1-based, in file order (the first signature first). */
  readonly index: number;
  /** Subject CN of the signer's certificate. */
  readonly signerName: string | null;
  /** Subject CN of the certificate's issuer (its CA). */
  readonly issuerName: string | null;
  /** The trust anchor the chain reached, labelled for what it is; null when it reached none. */
  readonly anchor: AnchorReport | null;
  /**
   * ISO instant of the signature: the genTime of a valid signature timestamp (PAdES B-T); without one, what the
   * signer claims (the CMS signingTime attribute, else /M), which is not a trusted time.
   */
  readonly signingTime: string | null;
  readonly signingTimeSource: 'timestamp' | 'cms' | 'pdf' | null;
  /** The time the signer claims (CMS signingTime, else /M), whatever the timestamp says. */
  readonly claimedSigningTime: string | null;
  /**
   * PAdES level: B-LT with a valid signature timestamp and, in the /DSS, the signer's chain and a CRL of each of its
   * issuers; B-T with a valid signature timestamp; else B-B; null when the CMS could not be read.
   */
  readonly level: 'B-B' | 'B-T' | 'B-LT' | null;
  /**
   * The instant the chain was validated at (ISO): the timestamp's time for a B-LT signature (so that it validates
   * after its certificate expired, from the /DSS alone), else the check date.
   */
  readonly validationTime: string | null;
  /** The signer's certificate as a CRL (from the /DSS or the caller) lists it: when and why; null when not listed. */
  readonly revoked: (RevokedEntry & { readonly beforeSigning: boolean }) | null;
  /** The signature timestamp token (id-aa-signatureTimeStampToken), when the SignerInfo carries one. */
  readonly timestamp: TimestampReport | null;
  readonly reason: string | null;
  readonly location: string | null;
  readonly subFilter: string | null;
  readonly byteRange: ByteRange;
  /** Where the revision this signature signs ends (ByteRange[2] + ByteRange[3]). */
  readonly revisionEnd: number;
  /**
   * Where the revision the signature was applied to ends: bytes 0..appliedToEnd are the document before the
   * incremental update that carries this signature (what the signer signed; 0 when no earlier %%EOF is found).
   */
  readonly appliedToEnd: number;
  /** Signed from byte 0 to the end of its revision (a %%EOF), with only its own /Contents left out. */
  readonly coversWholeFileUpToSignature: boolean;
  /** The hash of the signed bytes equals the CMS messageDigest attribute. */
  readonly digestOk: boolean;
  /** The signature over the signed attributes verifies with the signer certificate's key. */
  readonly signatureOk: boolean;
  /** The signer certificate chains to one of the trusted roots, valid at the check date. */
  readonly chainOk: boolean;
  readonly hasSigningCertificateV2: boolean;
  /** signing-certificate-v2 names the certificate that signed (hash and serial). */
  readonly signingCertificateV2Matches: boolean;
  readonly digestAlgorithm: string | null;
  readonly signatureAlgorithm: string | null;
  readonly certificate: CertificateReport | null;
  /** Why it is not valid, for people (Bahasa Indonesia). */
  readonly problems: readonly string[];
  /** Worth saying but not a reason to reject (development certificate, several signers in one CMS). */
  readonly warnings: readonly string[];
  readonly valid: boolean;
}

export interface TimestampReport {
  /** genTime of the token (ISO). */
  readonly time: string | null;
  /** Subject of the TSA's certificate. */
  readonly tsa: string | null;
  readonly serialNumber: string | null;
  readonly policy: string | null;
  /** The imprint is the SHA-256 of this SignerInfo's signature value. */
  readonly imprintOk: boolean;
  /** The token's own CMS signature (messageDigest over the TSTInfo, signature over its signed attributes). */
  readonly signatureOk: boolean;
  /** The TSA's certificate chains to a trusted root and is for timestamping (extended key usage). */
  readonly chainOk: boolean;
  readonly valid: boolean;
  readonly problems: readonly string[];
}

export interface PdfVerification {
  readonly fileLength: number;
  readonly signatures: readonly SignatureReport[];
  /**
   * Nothing was appended after the last signature's byte range but validation data: the range reaches the end of
   * the file, or what follows is only updates that add a /DSS (PAdES B-LT, `validationOnlyUpdates`).
   */
  readonly lastSignatureCoversWholeFile: boolean;
  /** Bytes after the last signature that are not validation data (a change nobody signed). */
  readonly unsignedTrailingBytes: number;
  /** Bytes after the last signature that only add validation data (/DSS): unsigned, and no change of the document. */
  readonly validationDataBytes: number;
  /** At least one signature, all valid, and nothing unsigned after the last. */
  readonly valid: boolean;
  readonly problems: readonly string[];
}

export interface VerifyOptions {
  /**
   * DER certificates of the trusted roots (the development CA locally; BSrE's roots in production), labelled by
   * their marks; ignored when `anchors` are given.
   */
  readonly trustedRoots?: readonly Uint8Array[];
  /** The labelled trust anchors (./trust-anchors.ts): `tsa` ones for timestamp tokens, the others for signers. */
  readonly anchors?: readonly TrustAnchor[];
  /** When the chain must be valid: the caller's clock (now, for a verification page). */
  readonly checkDate: Date;
  /** DER roots trusted for timestamp tokens (the configured TSA's CA); default `trustedRoots`. */
  readonly timestampRoots?: readonly Uint8Array[];
  /** DER CRLs to consult besides those in the PDF's /DSS (no network is ever asked). */
  readonly crls?: readonly Uint8Array[];
  /**
   * Verify only the newest signature (the one whose signed revision ends last), for a caller that knows every byte
   * before it (a PDF it sent to be signed, checked byte for byte): the report lists that one signature.
   */
  readonly newestOnly?: boolean;
}

/** The trust of a verification against `keys`: its roots, and its TSA's roots when it has its own. */
export async function trustOf(
  keys: SigningKeys,
): Promise<Pick<VerifyOptions, 'trustedRoots' | 'timestampRoots' | 'anchors'>> {
  const trustedRoots = await keys.trustedRoots();
  const anchors = await anchorsOf(keys);
  return keys.timestampRoots
    ? { trustedRoots, timestampRoots: await keys.timestampRoots(), anchors }
    : { trustedRoots, anchors };
}

/**
 * More signatures than any agreement carries: a file with more is refused before any hashing (every signature
 * hashes nearly the whole file, so thousands of fake ones would make a public verification page a denial of service).
 */
export const MAX_SIGNATURES = 10;

export async function verifyPdfSignatures(pdf: Uint8Array, options: VerifyOptions): Promise<PdfVerification> {
  const fields = findSignatureFields(pdf);
  if (fields.length > MAX_SIGNATURES)
    throw new SepakatError(
      ErrorNames.BadInput,
      `Berkas memuat ${fields.length} tanda tangan; paling banyak ${MAX_SIGNATURES} yang diperiksa`,
      { code: 'TerlaluBanyakTandaTangan' },
    );
  const anchors = parseAnchors(options.anchors ?? anchorsFromRoots(options.trustedRoots ?? [], options.timestampRoots));
  const signerAnchors = anchors.filter((a) => a.anchor.kind !== 'tsa');
  const roots = signerAnchors.map((a) => a.cert);
  const tsaAnchors = anchors.filter((a) => a.anchor.kind === 'tsa');
  const tsaRoots = tsaAnchors.length ? tsaAnchors.map((a) => a.cert) : roots;
  const checkDate = options.checkDate;
  const dss = fields.length ? readDss(pdf) : EMPTY_DSS;
  const crls = [...dss.crls, ...(options.crls ?? [])].flatMap((der) => readCrl(der) ?? []);
  const signatures: SignatureReport[] = [];
  const newestEnd = Math.max(...fields.map((f) => f.byteRange[2] + f.byteRange[3]));
  for (const [i, field] of fields.entries()) {
    if (options.newestOnly && field.byteRange[2] + field.byteRange[3] !== newestEnd) continue;
    signatures.push(
      await verifyField(pdf, field, i + 1, roots, tsaRoots, checkDate, { dss, crls }, signerAnchors).catch(
        (error: unknown) =>
          unreadable(pdf, field, i + 1, `Tanda tangan tidak dapat diperiksa: ${(error as Error).message}`),
      ),
    );
  }
  const end = signatures.length ? Math.max(...signatures.map((s) => s.revisionEnd)) : 0;
  const after = Math.max(0, pdf.length - end);
  // Updates that only add validation data (/DSS) are unsigned by nature and change nothing of the document.
  const tail = after && end ? validationOnlyUpdates(pdf, end) : undefined;
  const validationDataBytes = !tail ? 0 : tail.ok ? after : tail.validUntil - end;
  const unsignedTrailingBytes = after - validationDataBytes;
  const lastSignatureCoversWholeFile = signatures.length > 0 && unsignedTrailingBytes === 0;
  const problems: string[] = [];
  if (!signatures.length) problems.push('Dokumen tidak memiliki tanda tangan elektronik.');
  else if (!lastSignatureCoversWholeFile) {
    problems.push(
      `Ada ${unsignedTrailingBytes} byte yang ditambahkan setelah tanda tangan terakhir dan tidak ditandatangani` +
        `${tail && !tail.ok ? ` (${tail.reason})` : ''}.`,
    );
  }
  return {
    fileLength: pdf.length,
    signatures,
    lastSignatureCoversWholeFile,
    unsignedTrailingBytes,
    validationDataBytes,
    valid: signatures.length > 0 && lastSignatureCoversWholeFile && signatures.every((s) => s.valid),
    problems,
  };
}

async function verifyField(
  pdf: Uint8Array,
  field: SignatureField,
  index: number,
  roots: pkijs.Certificate[],
  tsaRoots: pkijs.Certificate[],
  checkDate: Date,
  ltv: { readonly dss: DssContents; readonly crls: readonly CrlInfo[] },
  anchors: readonly ParsedAnchor[],
): Promise<SignatureReport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const [a, b, c, d] = field.byteRange;
  const revisionEnd = c + d;
  const covers =
    a === 0 &&
    b > 0 &&
    c > b &&
    revisionEnd <= pdf.length &&
    field.contentsMatchGap &&
    field.objectOffset < b &&
    endsWithEof(pdf, revisionEnd);
  if (!covers) problems.push('Rentang yang ditandatangani tidak mencakup seluruh dokumen sampai tanda tangan ini.');

  const base = {
    index,
    reason: field.reason ?? null,
    location: field.location ?? null,
    subFilter: field.subFilter ?? null,
    byteRange: field.byteRange,
    revisionEnd,
    appliedToEnd: revisionBefore(pdf, field.objectOffset),
    coversWholeFileUpToSignature: covers,
  };
  const pdfTime = field.m ? parsePdfDate(field.m) : undefined;
  const failed = (problem: string): SignatureReport => ({
    ...base,
    ...NOTHING_HOLDS,
    signingTime: pdfTime?.toISOString() ?? null,
    signingTimeSource: pdfTime ? 'pdf' : null,
    claimedSigningTime: pdfTime?.toISOString() ?? null,
    problems: [...problems, problem],
    warnings,
  });

  // The CMS
  let signedData: pkijs.SignedData;
  let certsDer: Uint8Array[];
  try {
    const asn1 = asn1js.fromBER(field.contents);
    if (asn1.offset === -1 || asn1.result.error) throw new Error(asn1.result.error || 'BER');
    const contentInfo = new pkijs.ContentInfo({ schema: asn1.result });
    if (contentInfo.contentType !== OID.signedData) throw new Error(`contentType ${contentInfo.contentType}`);
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
    certsDer = rawCertificates(contentInfo.content);
  } catch (error) {
    return failed(`Struktur tanda tangan (CMS) tidak dapat dibaca: ${(error as Error).message}`);
  }
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo) return failed('CMS tanpa penanda tangan.');
  if (signedData.signerInfos.length > 1)
    warnings.push('CMS memuat lebih dari satu penanda tangan; hanya yang pertama diperiksa.');
  if (signedData.encapContentInfo.eContent) problems.push('CMS tidak terpisah (memuat eContent).');

  const certs = certsDer.map((der) => ({ der, cert: parseCertificate(der) }));
  const signerEntry = certs.find(({ cert }) => identifies(signerInfo.sid, cert));
  const attrs = signerInfo.signedAttrs?.attributes ?? [];
  const attr = (type: string): unknown => attrs.find((x) => x.type === type)?.values?.[0];

  // Digest of the signed byte ranges vs messageDigest
  const digestName = DIGEST_NAMES[signerInfo.digestAlgorithm.algorithmId];
  let digestOk = false;
  if (!digestName || digestName === 'sha1') {
    problems.push(`Algoritma hash tidak diterima: ${signerInfo.digestAlgorithm.algorithmId}.`);
  } else if (!signerInfo.signedAttrs) {
    problems.push('CMS tanpa atribut bertanda tangan (bukan CAdES).');
  } else {
    const hash = createHash(digestName);
    if (a + b <= pdf.length && revisionEnd <= pdf.length) {
      hash.update(pdf.subarray(a, a + b));
      hash.update(pdf.subarray(c, revisionEnd));
    }
    const md = attr(OID.messageDigest);
    digestOk =
      md instanceof asn1js.OctetString && equalBytes(new Uint8Array(hash.digest()), md.valueBlock.valueHexView);
    const contentType = attr(OID.contentType);
    if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.getValue() !== OID.data) {
      problems.push('Atribut contentType tidak ada atau bukan id-data.');
    }
    if (!digestOk) problems.push('Isi dokumen berubah setelah ditandatangani (hash tidak cocok).');
  }

  // Signature over the signed attributes
  let signatureOk = false;
  const signatureAlgorithm = signatureAlgorithmName(signerInfo.signatureAlgorithm.algorithmId);
  if (!signerEntry) problems.push('Sertifikat penanda tangan tidak ada di dalam tanda tangan.');
  else if (signerInfo.signedAttrs && digestName && digestName !== 'sha1' && signatureAlgorithm) {
    const hashForSig = signatureHash(signerInfo.signatureAlgorithm.algorithmId) ?? digestName;
    try {
      const key = new X509Certificate(signerEntry.der).publicKey;
      signatureOk = cryptoVerify(
        hashForSig,
        new Uint8Array(signerInfo.signedAttrs.encodedValue),
        key.asymmetricKeyType === 'rsa' ? { key, padding: constants.RSA_PKCS1_PADDING } : key,
        signerInfo.signature.valueBlock.valueHexView,
      );
    } catch {
      signatureOk = false;
    }
  } else if (!signatureAlgorithm) {
    problems.push(`Algoritma tanda tangan tidak didukung: ${signerInfo.signatureAlgorithm.algorithmId}.`);
  }
  if (signerEntry && !signatureOk) problems.push('Tanda tangan kriptografis tidak sah.');

  // signing-certificate-v2
  const scv2 = attr(OID.signingCertificateV2);
  const hasSigningCertificateV2 = scv2 !== undefined;
  const signingCertificateV2Matches = !!(
    signerEntry &&
    scv2 &&
    essCertIdMatches(scv2, signerEntry.der, signerEntry.cert)
  );
  if (!hasSigningCertificateV2) warnings.push('Atribut signing-certificate-v2 tidak ada (bukan PAdES B-B).');
  else if (!signingCertificateV2Matches)
    problems.push('Atribut signing-certificate-v2 tidak cocok dengan sertifikat penanda tangan.');

  // Claimed signing time
  const cmsTimeValue = attr(OID.signingTime);
  const cmsTime =
    cmsTimeValue instanceof asn1js.UTCTime || cmsTimeValue instanceof asn1js.GeneralizedTime
      ? cmsTimeValue.toDate()
      : undefined;
  const claimedTime = cmsTime ?? pdfTime;

  // Signature timestamp (PAdES B-T): over this SignerInfo's signature value; its time replaces the claimed one.
  const tokenValue = signerInfo.unsignedAttrs?.attributes.find((x) => x.type === OID.signatureTimeStampToken)
    ?.values?.[0] as asn1js.BaseBlock | undefined;
  const timestamp = tokenValue
    ? await verifyTimestampToken(
        new Uint8Array(tokenValue.toBER()),
        new Uint8Array(signerInfo.signature.valueBlock.valueHexView),
        tsaRoots,
        checkDate,
      )
    : null;
  // A token over another value, or one whose own signature fails, is a forgery: the signature is refused. A sound
  // token from a TSA this verifier does not trust is only ignored (B-B, the claimed time), and said so.
  if (timestamp && (!timestamp.imprintOk || !timestamp.signatureOk)) problems.push(...timestamp.problems);
  else if (timestamp && !timestamp.valid)
    warnings.push(...timestamp.problems, 'Cap waktu diabaikan; waktu yang ditampilkan adalah waktu yang dinyatakan.');
  const stampedTime = timestamp?.valid && timestamp.time ? new Date(timestamp.time) : undefined;
  const signingTime = stampedTime ?? claimedTime;

  // Chain: at the timestamp's time when the /DSS holds what validates it (B-LT), else at the check date. The
  // certificates of the /DSS help build the path; only the trusted roots anchor it.
  const vri = ltv.dss.vri.get(vriKey(field.contents));
  const dssCerts = [...ltv.dss.certs, ...(vri?.certs ?? [])].flatMap((der) => {
    try {
      return [{ der, cert: parseCertificate(der) }];
    } catch {
      return [];
    }
  });
  const crls = [...ltv.crls, ...(vri?.crls ?? []).flatMap((der) => readCrl(der) ?? [])];
  let chainOk = false;
  let validationTime: Date | null = null;
  let longTerm = false;
  let path: pkijs.Certificate[] = [];
  if (signerEntry) {
    const pool = [...certs, ...dssCerts]
      .filter((x) => !equalBytes(x.der, signerEntry.der))
      .filter((x, i, all) => all.findIndex((y) => equalBytes(x.der, y.der)) === i)
      .map((x) => x.cert);
    const atStamp = stampedTime ? await validateChain(signerEntry.cert, pool, roots, stampedTime) : undefined;
    if (atStamp?.ok && stampedTime && hasValidationData(atStamp.path, dssCerts, crls)) {
      longTerm = true;
      validationTime = stampedTime;
      chainOk = true;
      path = atStamp.path;
    } else {
      validationTime = checkDate;
      const now = await validateChain(signerEntry.cert, pool, roots, checkDate);
      chainOk = now.ok;
      path = now.path;
      if (!now.ok) problems.push(`Sertifikat tidak dipercaya: ${now.message}.`);
    }
  }

  // Revocation: what the CRLs at hand (the /DSS, the caller's) say of each certificate of the path, checked against
  // the trusted time (the timestamp's, else the check date).
  const trustedTime = stampedTime ?? checkDate;
  let revoked: SignatureReport['revoked'] = null;
  for (const [i, cert] of path.slice(0, -1).entries()) {
    const entry = revocationOf(cert, path[i + 1]!, crls);
    if (!entry) continue;
    const beforeSigning = new Date(entry.revokedAt).getTime() <= trustedTime.getTime();
    if (i === 0) revoked = { ...entry, beforeSigning };
    const who =
      i === 0 ? 'Sertifikat penanda tangan' : `Sertifikat penerbit "${nameAttribute(cert.subject, 'CN') ?? ''}"`;
    const when = `${who} dicabut pada ${entry.revokedAt} (alasan: ${REASON_LABELS[entry.reason]})`;
    if (beforeSigning) {
      chainOk = false;
      longTerm = false;
      problems.push(
        `${when}, sebelum waktu tanda tangan${stampedTime ? ' menurut cap waktu' : ' (tanpa cap waktu: waktu pemeriksaan)'}.`,
      );
    } else warnings.push(`${when}, setelah waktu tanda tangan menurut cap waktu; tanda tangan ini tetap sah.`);
  }

  // Which configured anchor the chain reached, and what it is (BSrE, BSrE tiruan, a pemda CA, the development CA).
  const anchor: AnchorReport | null = chainOk && path.length ? anchorReached(path, anchors) : null;

  const leaf = signerEntry?.cert;
  const certificate: CertificateReport | null = leaf
    ? {
        subject: formatName(leaf.subject),
        issuer: formatName(leaf.issuer),
        serialNumber: bytesToHex(leaf.serialNumber.valueBlock.valueHexView),
        notBefore: leaf.notBefore.value.toISOString(),
        notAfter: leaf.notAfter.value.toISOString(),
        validAtSigningTime: signingTime
          ? leaf.notBefore.value.getTime() <= signingTime.getTime() &&
            signingTime.getTime() <= leaf.notAfter.value.getTime()
          : null,
        development:
          nameAttribute(leaf.subject, 'OU') === DEVELOPMENT_MARK ||
          nameAttribute(leaf.issuer, 'OU') === DEVELOPMENT_MARK,
      }
    : null;
  if (certificate?.validAtSigningTime === false)
    problems.push('Waktu penandatanganan di luar masa berlaku sertifikat.');
  if (certificate?.development) warnings.push(`${DEVELOPMENT_MARK}.`);
  if (leaf && !allowsSigning(leaf)) problems.push('Sertifikat tidak diperuntukkan bagi tanda tangan (key usage).');

  return {
    ...base,
    signerName: leaf ? (nameAttribute(leaf.subject, 'CN') ?? null) : null,
    issuerName: leaf ? (nameAttribute(leaf.issuer, 'CN') ?? formatName(leaf.issuer)) : null,
    anchor,
    signingTime: signingTime?.toISOString() ?? null,
    signingTimeSource: stampedTime ? 'timestamp' : cmsTime ? 'cms' : pdfTime ? 'pdf' : null,
    claimedSigningTime: claimedTime?.toISOString() ?? null,
    level: timestamp?.valid ? (longTerm ? 'B-LT' : 'B-T') : 'B-B',
    validationTime: validationTime?.toISOString() ?? null,
    revoked,
    timestamp,
    digestOk,
    signatureOk,
    chainOk,
    hasSigningCertificateV2,
    signingCertificateV2Matches,
    digestAlgorithm: digestName ?? signerInfo.digestAlgorithm.algorithmId,
    signatureAlgorithm: signatureAlgorithm ?? signerInfo.signatureAlgorithm.algorithmId,
    certificate,
    problems,
    warnings,
    // Every problem is a reason to reject (a missing signing-certificate-v2 is only a warning: older CAdES and
    // adbe.pkcs7.detached signatures lack it; a present one that names another certificate is a problem).
    valid: covers && digestOk && signatureOk && chainOk && problems.length === 0,
  };
}

/** The report for a signature whose check itself failed (malformed input): nothing holds. */
function unreadable(pdf: Uint8Array, field: SignatureField, index: number, problem: string): SignatureReport {
  const [, , c, d] = field.byteRange;
  return {
    index,
    ...NOTHING_HOLDS,
    signingTime: null,
    signingTimeSource: null,
    claimedSigningTime: null,
    reason: field.reason ?? null,
    location: field.location ?? null,
    subFilter: field.subFilter ?? null,
    byteRange: field.byteRange,
    revisionEnd: c + d,
    appliedToEnd: revisionBefore(pdf, field.objectOffset),
    coversWholeFileUpToSignature: false,
    problems: [problem],
    warnings: [],
  };
}

/** The checks of a signature that could not be carried out: none holds, nothing about the signer is known. */
const NOTHING_HOLDS = {
  signerName: null,
  issuerName: null,
  anchor: null,
  digestOk: false,
  signatureOk: false,
  chainOk: false,
  hasSigningCertificateV2: false,
  signingCertificateV2Matches: false,
  digestAlgorithm: null,
  signatureAlgorithm: null,
  certificate: null,
  level: null,
  validationTime: null,
  revoked: null,
  timestamp: null,
  valid: false,
} as const;

/**
 * An RFC 3161 signature timestamp token, checked on its own: the TSTInfo's imprint is the SHA-256 of
 * `signatureValue` (a token over another value is refused), the token's CMS verifies with the TSA's certificate
 * (messageDigest over the TSTInfo, signature over the signed attributes, signing-certificate-v2 naming it), and
 * that certificate is for timestamping and chains to `roots` at `checkDate`.
 */
export async function verifyTimestampToken(
  token: Uint8Array,
  signatureValue: Uint8Array,
  roots: pkijs.Certificate[],
  checkDate: Date,
): Promise<TimestampReport> {
  const problems: string[] = [];
  const report = (fields: Partial<TimestampReport>): TimestampReport => {
    const r = {
      time: null,
      tsa: null,
      serialNumber: null,
      policy: null,
      imprintOk: false,
      signatureOk: false,
      chainOk: false,
      ...fields,
    };
    return { ...r, valid: r.imprintOk && r.signatureOk && r.chainOk && problems.length === 0, problems };
  };
  let signedData: pkijs.SignedData;
  let info: pkijs.TSTInfo;
  let infoBytes: Uint8Array;
  let certsDer: Uint8Array[];
  try {
    const asn1 = asn1js.fromBER(token);
    if (asn1.offset === -1) throw new Error('BER');
    const contentInfo = new pkijs.ContentInfo({ schema: asn1.result });
    if (contentInfo.contentType !== OID.signedData) throw new Error(`contentType ${contentInfo.contentType}`);
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
    certsDer = rawCertificates(contentInfo.content);
    const encap = signedData.encapContentInfo;
    if (encap.eContentType !== OID.tstInfo || !encap.eContent) throw new Error('tanpa TSTInfo');
    infoBytes = eContentBytes(encap.eContent);
    info = pkijs.TSTInfo.fromBER(infoBytes);
  } catch (error) {
    problems.push(`Cap waktu (RFC 3161) tidak dapat dibaca: ${(error as Error).message}.`);
    return report({});
  }
  const time = info.genTime.toISOString();
  const serialNumber = bytesToHex(info.serialNumber.valueBlock.valueHexView);
  const imprintName = DIGEST_NAMES[info.messageImprint.hashAlgorithm.algorithmId];
  const imprintOk =
    !!imprintName &&
    imprintName !== 'sha1' &&
    equalBytes(
      new Uint8Array(createHash(imprintName).update(signatureValue).digest()),
      info.messageImprint.hashedMessage.valueBlock.valueHexView,
    );
  if (!imprintOk) problems.push('Cap waktu tidak dibuat atas nilai tanda tangan ini (message imprint tidak cocok).');

  const signerInfo = signedData.signerInfos[0];
  const entries = certsDer.map((der) => ({ der, cert: parseCertificate(der) }));
  const tsaEntry = signerInfo && entries.find(({ cert }) => identifies(signerInfo.sid, cert));
  const base = { time, serialNumber, policy: info.policy, imprintOk };
  if (!signerInfo || !tsaEntry || !signerInfo.signedAttrs) {
    problems.push('Cap waktu tanpa sertifikat TSA atau tanpa atribut bertanda tangan.');
    return report(base);
  }
  const tsa = formatName(tsaEntry.cert.subject);
  const attr = (type: string) => signerInfo.signedAttrs!.attributes.find((x) => x.type === type)?.values?.[0];
  const digestName = DIGEST_NAMES[signerInfo.digestAlgorithm.algorithmId];
  const md = attr(OID.messageDigest);
  const contentType = attr(OID.contentType);
  let signatureOk =
    !!digestName &&
    digestName !== 'sha1' &&
    md instanceof asn1js.OctetString &&
    equalBytes(new Uint8Array(createHash(digestName).update(infoBytes).digest()), md.valueBlock.valueHexView) &&
    contentType instanceof asn1js.ObjectIdentifier &&
    contentType.getValue() === OID.tstInfo;
  if (signatureOk) {
    try {
      const key = new X509Certificate(tsaEntry.der).publicKey;
      signatureOk = cryptoVerify(
        signatureHash(signerInfo.signatureAlgorithm.algorithmId) ?? digestName!,
        new Uint8Array(signerInfo.signedAttrs.encodedValue),
        key.asymmetricKeyType === 'rsa' ? { key, padding: constants.RSA_PKCS1_PADDING } : key,
        signerInfo.signature.valueBlock.valueHexView,
      );
    } catch {
      signatureOk = false;
    }
  }
  const scv2 = attr(OID.signingCertificateV2);
  if (scv2 !== undefined && !essCertIdMatches(scv2, tsaEntry.der, tsaEntry.cert)) signatureOk = false;
  if (!signatureOk) problems.push('Tanda tangan TSA pada cap waktu tidak sah.');

  let chainOk = false;
  const eku = tsaEntry.cert.extensions?.find((e) => e.extnID === OID.extKeyUsage);
  const ekuOids = eku?.parsedValue instanceof pkijs.ExtKeyUsage ? eku.parsedValue.keyPurposes : ([] as string[]);
  if (!eku?.critical || ekuOids.length !== 1 || ekuOids[0] !== OID.timeStamping) {
    problems.push('Sertifikat TSA tidak diperuntukkan bagi cap waktu (extended key usage timeStamping).');
  } else {
    try {
      const result = await new pkijs.CertificateChainValidationEngine({
        trustedCerts: roots,
        certs: [tsaEntry.cert, ...entries.filter((x) => x !== tsaEntry).map((x) => x.cert)],
        checkDate,
      }).verify();
      chainOk = result.result;
      if (!chainOk) problems.push(`Sertifikat TSA tidak dipercaya: ${result.resultMessage || 'rantai tidak sampai'}.`);
    } catch (error) {
      problems.push(
        `Sertifikat TSA tidak dipercaya: ${(error as { resultMessage?: string }).resultMessage ?? String(error)}.`,
      );
    }
  }
  return report({ ...base, tsa, signatureOk, chainOk });
}

/** pkijs' chain engine at `date`: the validated path (the signer's certificate first) or why there is none. */
async function validateChain(
  leaf: pkijs.Certificate,
  pool: readonly pkijs.Certificate[],
  roots: pkijs.Certificate[],
  date: Date,
): Promise<{ ok: true; path: pkijs.Certificate[] } | { ok: false; path: []; message: string }> {
  try {
    const result = await new pkijs.CertificateChainValidationEngine({
      trustedCerts: roots,
      // pkijs takes the last certificate of its list as the one to validate.
      certs: [...pool, leaf],
      checkDate: date,
    }).verify();
    if (!result.result)
      return { ok: false, path: [], message: result.resultMessage || 'rantai tidak sampai ke akar tepercaya' };
    return { ok: true, path: orderedPath(leaf, result.certificatePath ?? []) };
  } catch (error) {
    return { ok: false, path: [], message: (error as { resultMessage?: string }).resultMessage ?? String(error) };
  }
}

/** The validated path from the leaf up to its root, issuer after subject. */
function orderedPath(leaf: pkijs.Certificate, path: readonly pkijs.Certificate[]): pkijs.Certificate[] {
  const out = [leaf];
  for (let current = leaf; out.length <= path.length;) {
    if (current.issuer.isEqual(current.subject)) break;
    const issuer = path.find((c) => c !== current && c.subject.isEqual(current.issuer));
    if (!issuer) break;
    out.push(issuer);
    current = issuer;
  }
  return out;
}

/**
 * What PAdES B-LT needs for a validated path: each certificate below the root is in the /DSS, and for each a CRL
 * of its issuer, signed by that issuer, is at hand.
 */
function hasValidationData(
  path: readonly pkijs.Certificate[],
  dssCerts: readonly { der: Uint8Array; cert: pkijs.Certificate }[],
  crls: readonly CrlInfo[],
): boolean {
  if (path.length < 2) return false;
  return path.slice(0, -1).every((cert, i) => {
    const inDss = dssCerts.some((d) => equalBytes(new Uint8Array(d.cert.tbsView), new Uint8Array(cert.tbsView)));
    const issuerDer = new Uint8Array(path[i + 1]!.toSchema().toBER());
    return inDss && crls.some((crl) => crlIssuedBy(crl, issuerDer));
  });
}

/** The earliest revocation of `cert` in a CRL its `issuer` signed; undefined when none lists it. */
function revocationOf(
  cert: pkijs.Certificate,
  issuer: pkijs.Certificate,
  crls: readonly CrlInfo[],
): RevokedEntry | undefined {
  const serial = bytesToHex(cert.serialNumber.valueBlock.valueHexView);
  const issuerDer = new Uint8Array(issuer.toSchema().toBER());
  return crls
    .filter((crl) => crlIssuedBy(crl, issuerDer))
    .flatMap((crl) => crl.revoked.filter((r) => r.serial === serial))
    .sort((a, b) => a.revokedAt.localeCompare(b.revokedAt))[0];
}

/** Key usage, when present, allows digitalSignature or nonRepudiation (contentCommitment). */
function allowsSigning(cert: pkijs.Certificate): boolean {
  const ext = cert.extensions?.find((e) => e.extnID === OID.keyUsage);
  if (!ext) return true;
  const bits = ext.parsedValue instanceof asn1js.BitString ? ext.parsedValue.valueBlock.valueHexView[0] : undefined;
  return bits !== undefined && (bits & 0xc0) !== 0;
}

/**
 * Where the revision before the incremental update holding the object at `offset` ends: just after the last %%EOF
 * (and its end of line) before it; 0 when there is none.
 */
export function revisionBefore(pdf: Uint8Array, offset: number): number {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, Math.min(Math.max(0, offset), pdf.byteLength)).toString(
    'latin1',
  );
  const at = text.lastIndexOf('%%EOF');
  if (at < 0) return 0;
  let end = at + '%%EOF'.length;
  while (end < text.length && (text[end] === '\r' || text[end] === '\n')) end++;
  return end;
}

function endsWithEof(pdf: Uint8Array, end: number): boolean {
  const tail = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength)
    .subarray(Math.max(0, end - 32), end)
    .toString('latin1');
  return /%%EOF[\r\n]*$/.test(tail);
}

/** The raw DER of each X.509 certificate in SignedData.certificates (not re-encoded). */
function rawCertificates(signedDataSchema: unknown): Uint8Array[] {
  const seq = signedDataSchema as asn1js.Sequence;
  const tagged = seq.valueBlock.value.find((e) => e.idBlock.tagClass === 3 && e.idBlock.tagNumber === 0) as
    asn1js.Constructed | undefined;
  if (!tagged) return [];
  return tagged.valueBlock.value
    .filter((e) => e.idBlock.tagClass === 1 && e.idBlock.tagNumber === 16)
    .map((e) => new Uint8Array(e.valueBeforeDecodeView));
}

function identifies(sid: unknown, cert: pkijs.Certificate): boolean {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return sid.issuer.isEqual(cert.issuer) && sid.serialNumber.isEqual(cert.serialNumber);
  }
  // [0] SubjectKeyIdentifier
  const keyId = (sid as asn1js.Constructed | asn1js.Primitive | undefined)?.valueBlock;
  const ski = cert.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier)?.parsedValue as
    asn1js.OctetString | undefined;
  const idBytes =
    keyId && 'valueHexView' in keyId
      ? (keyId as { valueHexView: Uint8Array }).valueHexView
      : keyId && 'value' in keyId && Array.isArray(keyId.value) && keyId.value[0] instanceof asn1js.OctetString
        ? keyId.value[0].valueBlock.valueHexView
        : undefined;
  return !!(idBytes && ski && equalBytes(idBytes, ski.valueBlock.valueHexView));
}

function signatureAlgorithmName(oid: string): string | undefined {
  switch (oid) {
    case OID.rsaEncryption:
    case OID.sha256WithRSAEncryption:
    case OID.sha384WithRSAEncryption:
    case OID.sha512WithRSAEncryption:
      return 'RSASSA-PKCS1-v1_5';
    case OID.ecPublicKey:
    case OID.ecdsaWithSha256:
    case OID.ecdsaWithSha384:
    case OID.ecdsaWithSha512:
      return 'ECDSA';
    default:
      return undefined;
  }
}

/** The hash a combined signature algorithm names (sha256WithRSAEncryption → sha256); undefined for bare key OIDs. */
function signatureHash(oid: string): string | undefined {
  return (
    {
      [OID.sha256WithRSAEncryption]: 'sha256',
      [OID.sha384WithRSAEncryption]: 'sha384',
      [OID.sha512WithRSAEncryption]: 'sha512',
      [OID.ecdsaWithSha256]: 'sha256',
      [OID.ecdsaWithSha384]: 'sha384',
      [OID.ecdsaWithSha512]: 'sha512',
    } as Record<string, string>
  )[oid];
}

/** SigningCertificateV2: the first ESSCertIDv2's hash (default SHA-256) and, when present, serial number. */
function essCertIdMatches(value: unknown, certDer: Uint8Array, cert: pkijs.Certificate): boolean {
  try {
    const certsSeq = (value as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const first = certsSeq.valueBlock.value[0] as asn1js.Sequence;
    const parts = [...first.valueBlock.value];
    let hashName = 'sha256';
    if (parts[0] instanceof asn1js.Sequence) {
      const alg = new pkijs.AlgorithmIdentifier({ schema: parts.shift() });
      const name = DIGEST_NAMES[alg.algorithmId];
      if (!name) return false;
      hashName = name;
    }
    const certHash = parts[0];
    if (!(certHash instanceof asn1js.OctetString)) return false;
    const hashOk = equalBytes(
      new Uint8Array(createHash(hashName).update(certDer).digest()),
      certHash.valueBlock.valueHexView,
    );
    const issuerSerial = parts[1] as asn1js.Sequence | undefined;
    const serial = issuerSerial?.valueBlock.value[1];
    const serialOk = !issuerSerial || (serial instanceof asn1js.Integer && serial.isEqual(cert.serialNumber));
    return hashOk && serialOk;
  } catch {
    return false;
  }
}

/** "D:20261123090000Z", "D:20261123160000+07'00'" → Date. */
export function parsePdfDate(text: string): Date | undefined {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?/.exec(text);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', tz] = m;
  let offset = 0;
  if (tz && tz !== 'Z') {
    const tm = /([+-])(\d{2})'?(\d{2})/.exec(tz)!;
    offset = (tm[1] === '-' ? -1 : 1) * (Number(tm[2]) * 60 + Number(tm[3]));
  }
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offset * 60_000;
  return Number.isFinite(t) ? new Date(t) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Finding signature dictionaries in the raw bytes

/** Every signature dictionary with a numeric /ByteRange, in file order (placeholders not yet signed are skipped). */
export function findSignatureFields(pdf: Uint8Array): SignatureField[] {
  const buf = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const text = buf.toString('latin1');
  const fields: SignatureField[] = [];
  const seen = new Set<number>();
  const re = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
  for (const match of text.matchAll(re)) {
    const pos = match.index;
    const objectOffset = findObjectStart(text, pos);
    if (objectOffset < 0 || seen.has(objectOffset)) continue;
    seen.add(objectOffset);
    const byteRange = [1, 2, 3, 4].map((i) => Number(match[i])) as unknown as ByteRange;
    const dict = parseSignatureDictionary(buf, objectOffset, pos);
    const gapStart = byteRange[0] + byteRange[1];
    const gapEnd = byteRange[2];
    const gap = gapStart < gapEnd && gapEnd <= buf.length ? text.slice(gapStart, gapEnd) : '';
    const hex = /^<([0-9A-Fa-f\s]*)>$/.exec(gap)?.[1]?.replace(/\s+/g, '');
    fields.push({
      objectOffset,
      byteRange,
      contents: hex && hex.length % 2 === 0 ? new Uint8Array(Buffer.from(hex, 'hex')) : new Uint8Array(0),
      contentsMatchGap: !!dict?.contents && dict.contents.start === gapStart && dict.contents.end === gapEnd,
      ...pick(dict),
    });
  }
  return fields;
}

function pick(dict: ParsedSigDict | undefined): Partial<SignatureField> {
  if (!dict) return {};
  const out: Record<string, string> = {};
  for (const key of ['filter', 'subFilter', 'name', 'reason', 'location', 'contactInfo', 'm'] as const) {
    const v = dict[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function findObjectStart(text: string, pos: number): number {
  const windowStart = Math.max(0, pos - 8192);
  const window = text.slice(windowStart, pos);
  let last = -1;
  for (const m of window.matchAll(/(?:^|[\r\n\s])(\d+\s+\d+\s+obj\b)/g))
    last = windowStart + m.index + m[0].indexOf(m[1]!);
  return last;
}

interface ParsedSigDict {
  filter?: string;
  subFilter?: string;
  name?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  m?: string;
  contents?: { start: number; end: number };
}

/** Parses the object at `objectOffset` and returns the dictionary in it that holds the /ByteRange at `byteRangePos`. */
function parseSignatureDictionary(buf: Buffer, objectOffset: number, byteRangePos: number): ParsedSigDict | undefined {
  try {
    const value = readObjectAt(buf, objectOffset);
    const dict = value === undefined ? undefined : findDict(value, byteRangePos);
    if (!dict) return undefined;
    const str = (k: string) => textOf(dict.get(k));
    const name = (k: string) => nameOf(dict.get(k));
    return {
      filter: name('Filter'),
      subFilter: name('SubFilter'),
      name: str('Name'),
      reason: str('Reason'),
      location: str('Location'),
      contactInfo: str('ContactInfo'),
      m: str('M'),
      contents: stringSpan(dict.get('Contents')),
    };
  } catch {
    return undefined;
  }
}

function findDict(value: PdfValue, byteRangePos: number): PdfDict | undefined {
  if (value instanceof PdfDict) {
    if (value.keyOffsets.get('ByteRange') === byteRangePos) return value;
    for (const v of value.entries.values()) {
      const found = findDict(v, byteRangePos);
      if (found) return found;
    }
  } else if (Array.isArray(value)) {
    for (const v of value as readonly PdfValue[]) {
      const found = findDict(v, byteRangePos);
      if (found) return found;
    }
  }
  return undefined;
}

/** For callers that only need to know whether a PDF carries a signature. */
export function hasSignature(pdf: Uint8Array): boolean {
  return findSignatureFields(pdf).length > 0;
}
