import type { Signer } from './signer.ts';

/**
 * The shape of a Signer backed by AWS: the private key stays in KMS, the certificate chain is kept in Secrets
 * Manager. Interface only; nothing here is implemented or imported by the product yet.
 *
 * TODO(signing, AWS adapter): implement `createKmsSigner(config): Signer` in this file:
 * - `certificateChain()`: GetSecretValue(`certificateChainSecretId`) once, a PEM bundle (signer first, then
 *   issuers); cache it for the life of the Lambda container and refresh on `rotationCheckSeconds`.
 * - `sign({ digest })`: KMS `Sign` with `KeyId`, `Message: digest`, `MessageType: 'DIGEST'` and
 *   `SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256'` (RSA key spec) or `'ECDSA_SHA_256'` (ECC_NIST_P256, which
 *   returns the DER ECDSA-Sig-Value CMS needs). Throttling and 5xx → `SepakatError(ErrorNames.Transient)`.
 * - `describe()`: from the certificate (subject CN, issuer CN), `development: false` unless the chain ends in the
 *   development CA.
 * - IAM: `kms:Sign` and `kms:GetPublicKey` on this one key, `secretsmanager:GetSecretValue` on this one secret
 *   (per official or per signing role). At start, check that the certificate's public key equals KMS
 *   `GetPublicKey`: a wrong secret would otherwise produce signatures that never verify.
 * - BSrE: a real TTE key is held by BSrE (BSSN), not by us; a BSrE adapter will implement the same `Signer`
 *   against its signing API if it can sign a digest, or replace `signPdf`'s CMS step if it only signs whole PDFs.
 */
export interface KmsSignerConfig {
  /** KMS key id or ARN (asymmetric, SIGN_VERIFY, RSA_2048/RSA_3072 or ECC_NIST_P256). */
  readonly keyId: string;
  /** Secrets Manager secret holding the PEM certificate chain for that key. */
  readonly certificateChainSecretId: string;
  readonly region: string;
  readonly rotationCheckSeconds?: number;
}

/** What the adapter will export; declared so handlers can be written against it today. */
export type CreateKmsSigner = (config: KmsSignerConfig) => Promise<Signer>;
