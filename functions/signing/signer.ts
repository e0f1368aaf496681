import type { TrustAnchor } from './trust-anchors.ts';

/**
 * The pluggable key behind an electronic signature. `signPdf` builds the CMS (CAdES) structure itself and asks a
 * Signer only for its certificates and for one raw signature over the CMS signed attributes, so the same PDF and
 * CMS code serves the local development signer (`./dev-pki.ts`), a KMS key (`./kms-signer.ts`)
 * and, later, a BSrE signing service.
 *
 * The signature algorithm follows the certificate's public key: RSA keys sign RSASSA-PKCS1-v1_5 with SHA-256,
 * EC P-256 keys sign ECDSA with SHA-256 and return the DER `ECDSA-Sig-Value` (what CMS carries, and what Node's
 * crypto.sign and AWS KMS return).
 */
export interface Signer {
  /** DER certificates: the signer's own first, then its issuers (intermediates, optionally the root). */
  certificateChain(): Promise<Uint8Array[]>;
  /** One signature over `request.signedAttributes` (equivalently over its SHA-256 `request.digest`). */
  sign(request: SignRequest): Promise<Uint8Array>;
  describe(): SignerDescription;
}

export interface SignRequest {
  /** DER of the CMS signed attributes as a SET OF Attribute (first byte 0x31): what the signature covers. */
  readonly signedAttributes: Uint8Array;
  /** SHA-256 of `signedAttributes`, for keys that sign a pre-computed digest (KMS `MessageType: DIGEST`). */
  readonly digest: Uint8Array;
}

export interface SignerDescription {
  /** The signer's name as the certificate states it (subject CN). */
  readonly name: string;
  /** The issuing CA (issuer CN). */
  readonly issuer: string;
  /** True for development certificates that no verifier outside this system trusts. */
  readonly development: boolean;
}

/** Marks every development certificate, in the subject's OU, so no printout can pass it off as a BSrE one. */
export const DEVELOPMENT_MARK = 'Sertifikat pengembangan — bukan BSrE';

/** Marks every name of the local BSrE service's test CA and certificates (local/bsre/): never a BSrE signature. */
export const BSRE_TIRUAN_MARK = 'BSrE tiruan — bukan BSrE';

/** Who a certificate is issued to: a directory person. */
export interface OfficialIdentity {
  /** Directory person id (file name safe). */
  readonly id: string;
  readonly nama: string;
  readonly jabatan: string;
  readonly nip?: string;
  /** Organisation in the subject (the pemda); default "Sepakat". */
  readonly instansi?: string;
  /** The pemda the official signs for (which key, where keys are per pemda: `kms`). */
  readonly pemdaId?: string;
  /** The pemda's electronic seal rather than a person. */
  readonly segel?: boolean;
}

/** Where signers and trust anchors come from: the development CA locally, KMS and Secrets Manager in AWS. */
export interface SigningKeys {
  signerFor(official: OfficialIdentity): Promise<Signer>;
  /** DER roots a verifier trusts for documents signed here. */
  trustedRoots(): Promise<Uint8Array[]>;
  /** DER roots trusted for signature timestamp tokens (the configured TSA's CA); default `trustedRoots`. */
  timestampRoots?(): Promise<Uint8Array[]>;
  /**
   * PAdES B-LT: the certificates and revocation data a verifier needs to validate `chain` (a signer's, as
   * `certificateChain` gives it) without the network, added to the signed PDF's /DSS after each signature. Keys
   * without it sign B-T (or B-B without a TSA).
   */
  validationData?(chain: readonly Uint8Array[]): Promise<ValidationData>;
  /**
   * The same roots labelled for what each is (./trust-anchors.ts), TSA roots as `tsa`; default `trustedRoots`
   * labelled by their marks (`anchorsOf`).
   */
  trustAnchors?(): Promise<TrustAnchor[]>;
}

/** DER certificates, CRLs and OCSP responses for a Document Security Store. */
export interface ValidationData {
  readonly certs: readonly Uint8Array[];
  readonly crls: readonly Uint8Array[];
  readonly ocsps?: readonly Uint8Array[];
}
