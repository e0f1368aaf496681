import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSServiceException, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { buildName, nameAttribute, OID, parseCertificate, sha256, toArrayBuffer, type NamePart } from './asn1.ts';
import {
  DEVELOPMENT_MARK,
  type OfficialIdentity,
  type SignerDescription,
  type SignRequest,
  type Signer,
  type SigningKeys,
  type ValidationData,
} from './signer.ts';

/**
 * The `kms` signer: an asymmetric AWS KMS key per official (or per pemda seal), its certificate issued by the
 * pemda's CA. `buildDetachedCms` hands it the SHA-256 of the CMS signed attributes, which KMS signs with
 * `MessageType: DIGEST` (ECC_NIST_P256 → ECDSA_SHA_256, a DER ECDSA-Sig-Value; RSA → RSASSA_PKCS1_V1_5_SHA_256);
 * the private key never leaves KMS.
 *
 * Before first use, `KmsSigner.open` checks that KMS `GetPublicKey` is the certificate's public key: a wrong key id
 * or a wrong certificate would otherwise produce signatures that never verify. A mismatch is refused.
 */
export interface KmsKeyBinding {
  /** KMS key id or ARN (asymmetric, SIGN_VERIFY). */
  readonly keyId: string;
  /** DER certificates: the one issued for this key first, then its issuers. */
  readonly chain: readonly Uint8Array[];
}

type SigningAlgorithm = 'ECDSA_SHA_256' | 'RSASSA_PKCS1_V1_5_SHA_256';

export class KmsSigner implements Signer {
  private constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
    private readonly chain: readonly Uint8Array[],
    private readonly algorithm: SigningAlgorithm,
    private readonly description: SignerDescription,
  ) {}

  /** Reads the key's public half from KMS and refuses a certificate that does not certify it. */
  static async open(kms: KMSClient, binding: KmsKeyBinding): Promise<KmsSigner> {
    const leafDer = binding.chain[0];
    if (!leafDer)
      throw new SepakatError(ErrorNames.InvalidDefinition, `Kunci KMS ${binding.keyId}: rantai sertifikat kosong.`);
    const leaf = parseCertificate(leafDer);
    const certificateKey = createPublicKey({
      key: Buffer.from(leaf.subjectPublicKeyInfo.toSchema().toBER()),
      format: 'der',
      type: 'spki',
    });
    const answer = await call(() => kms.send(new GetPublicKeyCommand({ KeyId: binding.keyId })), binding.keyId);
    if (answer.KeyUsage !== 'SIGN_VERIFY' || !answer.PublicKey)
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        `Kunci KMS ${binding.keyId} bukan kunci tanda tangan (KeyUsage ${String(answer.KeyUsage)}).`,
        { code: 'KunciKmsBukanTandaTangan' },
      );
    const kmsKey = createPublicKey({ key: Buffer.from(answer.PublicKey), format: 'der', type: 'spki' });
    const name = nameAttribute(leaf.subject, 'CN') ?? '';
    if (!kmsKey.export({ type: 'spki', format: 'der' }).equals(certificateKey.export({ type: 'spki', format: 'der' })))
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        `Kunci publik KMS ${binding.keyId} tidak sama dengan kunci publik sertifikat "${name}": ` +
          'sertifikat ini tidak diterbitkan untuk kunci tersebut, tanda tangan tidak dibuat.',
        { code: 'KunciKmsTidakCocok' },
      );
    const algorithm: SigningAlgorithm =
      kmsKey.asymmetricKeyType === 'ec' ? 'ECDSA_SHA_256' : 'RSASSA_PKCS1_V1_5_SHA_256';
    if (kmsKey.asymmetricKeyType === 'ec' && kmsKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        `Kunci KMS ${binding.keyId}: hanya kurva P-256 yang didukung.`,
      );
    if (!answer.SigningAlgorithms?.includes(algorithm))
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        `Kunci KMS ${binding.keyId} tidak mendukung ${algorithm} (${(answer.SigningAlgorithms ?? []).join(', ')}).`,
      );
    return new KmsSigner(kms, binding.keyId, [...binding.chain], algorithm, {
      name,
      issuer: nameAttribute(leaf.issuer, 'CN') ?? '',
      development: nameAttribute(leaf.subject, 'OU') === DEVELOPMENT_MARK,
    });
  }

  async certificateChain(): Promise<Uint8Array[]> {
    return [...this.chain];
  }

  async sign(request: SignRequest): Promise<Uint8Array> {
    return signDigest(this.kms, this.keyId, this.algorithm, request.digest);
  }

  describe(): SignerDescription {
    return this.description;
  }
}

/** One KMS `Sign` over a SHA-256 digest (`MessageType: DIGEST`). */
async function signDigest(
  kms: KMSClient,
  keyId: string,
  algorithm: SigningAlgorithm,
  digest: Uint8Array,
): Promise<Uint8Array> {
  const answer = await call(
    () =>
      kms.send(new SignCommand({ KeyId: keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: algorithm })),
    keyId,
  );
  if (!answer.Signature?.length)
    throw new SepakatError(ErrorNames.Transient, `KMS tidak mengembalikan tanda tangan untuk kunci ${keyId}.`);
  return new Uint8Array(answer.Signature);
}

/**
 * A PKCS#10 certificate request (RFC 2986) for a KMS key, signed through KMS `Sign` (the private key never leaves
 * KMS): what the pemda's CA issues the official's certificate from. The subject is the official's (C, O, title,
 * serialNumber = NIP, CN); returns the DER.
 */
export async function kmsCertificateRequest(
  kms: KMSClient,
  keyId: string,
  official: Omit<OfficialIdentity, 'id'>,
): Promise<Uint8Array> {
  const answer = await call(() => kms.send(new GetPublicKeyCommand({ KeyId: keyId })), keyId);
  if (answer.KeyUsage !== 'SIGN_VERIFY' || !answer.PublicKey)
    throw new SepakatError(ErrorNames.BadInput, `Kunci KMS ${keyId} bukan kunci tanda tangan.`, {
      code: 'KunciKmsBukanTandaTangan',
    });
  const publicKey = createPublicKey({ key: Buffer.from(answer.PublicKey), format: 'der', type: 'spki' });
  const ec = publicKey.asymmetricKeyType === 'ec';
  const subject = buildName([
    ['C', 'ID'],
    ['O', official.instansi ?? 'Sepakat'],
    ['title', official.jabatan],
    ...(official.nip ? ([['serialNumber', official.nip]] as NamePart[]) : []),
    ['CN', official.nama],
  ]);
  // CertificationRequestInfo ::= SEQUENCE { version 0, subject, subjectPKInfo, attributes [0] IMPLICIT SET OF }
  const info = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      subject.toSchema(),
      pkijs.PublicKeyInfo.fromBER(publicKey.export({ type: 'spki', format: 'der' })).toSchema(),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [] }),
    ],
  });
  const tbs = new Uint8Array(info.toBER());
  const algorithm = ec
    ? new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 })
    : new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRSAEncryption, algorithmParams: new asn1js.Null() });
  const signature = await signDigest(kms, keyId, ec ? 'ECDSA_SHA_256' : 'RSASSA_PKCS1_V1_5_SHA_256', sha256(tbs));
  const request = new asn1js.Sequence({
    value: [info, algorithm.toSchema(), new asn1js.BitString({ valueHex: toArrayBuffer(signature) })],
  });
  return new Uint8Array(request.toBER());
}

/** KMS errors in the product's terms: throttling and KMS's own failures are transient, the rest a configuration. */
async function call<T>(send: () => Promise<T>, keyId: string): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (!(error instanceof KMSServiceException)) throw error;
    const transient =
      error.$fault === 'server' ||
      error.name === 'ThrottlingException' ||
      error.name === 'KMSInternalException' ||
      error.name === 'DependencyTimeoutException';
    throw new SepakatError(
      transient ? ErrorNames.Transient : ErrorNames.InvalidDefinition,
      `KMS menolak permintaan untuk kunci ${keyId}: ${error.name}`,
      { cause: error },
    );
  }
}

/**
 * `SigningKeys` over KMS: each official's key and certificate chain from `bindingFor`, opened (and checked) once
 * per official; the trust anchors are the pemda CAs' roots. With `crls` (the pemda CA's published CRLs, e.g.
 * `DevelopmentPki.crl` of the CA that issued the certificates), every signature gets its chain and those CRLs in the
 * /DSS (PAdES B-LT).
 */
export class KmsSigningKeys implements SigningKeys {
  private readonly signers = new Map<string, Promise<KmsSigner>>();

  constructor(
    private readonly kms: KMSClient,
    private readonly bindingFor: (official: OfficialIdentity) => KmsKeyBinding | undefined,
    private readonly roots: readonly Uint8Array[],
    private readonly options: { readonly crls?: () => Promise<readonly Uint8Array[]> } = {},
  ) {}

  signerFor(official: OfficialIdentity): Promise<Signer> {
    const binding = this.bindingFor(official);
    if (!binding)
      return Promise.reject(
        new SepakatError(ErrorNames.InvalidDefinition, `Pejabat ${official.id} tidak memiliki kunci KMS.`, {
          code: 'TanpaKunciKms',
        }),
      );
    // One opened signer per key (the same person id may sign for several pemda, each with its own key).
    let signer = this.signers.get(binding.keyId);
    if (!signer) {
      signer = KmsSigner.open(this.kms, binding);
      this.signers.set(binding.keyId, signer);
      // A failed open is not kept: the next signature checks again.
      signer.catch(() => this.signers.delete(binding.keyId));
    }
    return signer;
  }

  async trustedRoots(): Promise<Uint8Array[]> {
    return [...this.roots];
  }

  /** The chain (with the root it reaches, when configured) and the pemda CA's current CRLs. */
  async validationData(chain: readonly Uint8Array[]): Promise<ValidationData> {
    const top = chain[chain.length - 1];
    const issuer = top && parseCertificate(top).issuer;
    const root = this.roots.find(
      (r) =>
        issuer &&
        parseCertificate(r).subject.isEqual(issuer) &&
        !chain.some((c) => Buffer.from(c).equals(Buffer.from(r))),
    );
    return {
      certs: root ? [...chain, root] : [...chain],
      crls: this.options.crls ? [...(await this.options.crls())] : [],
    };
  }
}
