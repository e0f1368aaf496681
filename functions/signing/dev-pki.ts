import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomBytes,
  sign as cryptoSign,
  type KeyObject,
} from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import {
  buildName,
  bytesToHex,
  fromPem,
  nameAttribute,
  OID,
  parseCertificate,
  toArrayBuffer,
  toPem,
  x509Time,
  type NamePart,
} from './asn1.ts';
import { makeCrl, type RevocationReason, type RevokedEntry } from './crl.ts';
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
 * A development CA and one certificate per official, created on first start in a directory and reused after:
 *
 *   <dir>/ca/key.pem, cert.pem                     the development CA (PKCS#8 key, certificate)
 *   <dir>/pejabat/<id>-<hash>/key.pem, cert.pem    one per official identity (id, nama, jabatan, NIP)
 *   <dir>/diterbitkan/<id>-<serial>.pem            certificates issued for keys held elsewhere (KMS)
 *   <dir>/dicabut.json                             the revoked certificates (serial, date, reason)
 *   <dir>/crl.der                                  the CA's current CRL (X.509 v2), published on each request
 *
 * Every subject carries OU = "Sertifikat pengembangan — bukan BSrE". Keys are made with Node's crypto, the
 * certificates with pkijs (both production dependencies; node-forge is only a dev dependency). Each directory
 * is written under a temporary name and renamed into place, so two processes starting at once end up using the
 * same CA (the loser of the rename reads the winner's). Keys are stored unencrypted: development only.
 */

export type DevKeyAlgorithm = 'RSA-2048' | 'ECDSA-P256';

export type { OfficialIdentity } from './signer.ts';

export interface DevelopmentPkiOptions {
  readonly dir: string;
  /** Key type for new certificates (the CA and officials); default RSA-2048. */
  readonly keyAlgorithm?: DevKeyAlgorithm;
  /** CA common name; default "Sepakat CA Pengembangan". */
  readonly caName?: string;
  /**
   * The OU of every subject (the CA's and the officials'); default `DEVELOPMENT_MARK`. Another test CA names itself
   * here (the local BSrE service: "BSrE tiruan — bukan BSrE").
   */
  readonly mark?: string;
  /** Clock, for validity periods (the product's clock: `App.clock`). */
  readonly now: () => Date;
}

const DAY = 24 * 3600 * 1000;
const CA_YEARS = 10;
const OFFICIAL_YEARS = 3;
/** How long a CRL stays current (nextUpdate - thisUpdate). */
const CRL_DAYS = 7;

export interface KeyMaterial {
  readonly key: KeyObject;
  readonly cert: pkijs.Certificate;
  readonly certDer: Uint8Array;
}

export class DevelopmentPki implements SigningKeys {
  private readonly signers = new Map<string, Promise<LocalSigner>>();

  private constructor(
    readonly dir: string,
    private readonly ca: KeyMaterial,
    private readonly keyAlgorithm: DevKeyAlgorithm,
    private readonly now: () => Date,
    private readonly mark: string,
  ) {}

  /** Opens the PKI in `dir`, creating the CA on first start. */
  static async open(options: DevelopmentPkiOptions): Promise<DevelopmentPki> {
    const keyAlgorithm = options.keyAlgorithm ?? 'RSA-2048';
    const now = options.now;
    const mark = options.mark ?? DEVELOPMENT_MARK;
    await mkdir(options.dir, { recursive: true });
    const caDir = join(options.dir, 'ca');
    let ca = await loadKeyMaterial(caDir);
    if (!ca) {
      const caName = options.caName ?? 'Sepakat CA Pengembangan';
      const subject: NamePart[] = [
        ['C', 'ID'],
        ['O', 'Sepakat'],
        ['OU', mark],
        ['CN', caName],
      ];
      const made = await makeKeyMaterial({
        keyAlgorithm,
        subject,
        issuer: undefined,
        notBefore: new Date(now().getTime() - DAY),
        notAfter: new Date(now().getTime() + CA_YEARS * 365 * DAY),
        ca: true,
      });
      ca = await storeOnce(caDir, made);
    }
    return new DevelopmentPki(options.dir, ca, keyAlgorithm, now, mark);
  }

  /** The CA certificate (DER): the trusted root for the verifier. */
  get caCertificate(): Uint8Array {
    return this.ca.certDer;
  }

  async trustedRoots(): Promise<Uint8Array[]> {
    return [this.ca.certDer];
  }

  get caCertificatePem(): string {
    return toPem(this.ca.certDer, 'CERTIFICATE');
  }

  /**
   * Revokes a certificate of this CA: by serial number (hex), or every certificate of an official id (the
   * development certificates under `pejabat/` and those issued for KMS keys). Recorded in `dicabut.json` at the
   * clock's time; the next CRL lists it. Returns the revoked serials; an unknown serial or id is refused.
   */
  async revoke(serialOrId: string, reason: RevocationReason = 'unspecified'): Promise<string[]> {
    const serials = await this.serialsOf(serialOrId);
    if (!serials.length)
      throw new SepakatError(
        ErrorNames.BadInput,
        `Sertifikat yang akan dicabut tidak ditemukan: "${serialOrId}" bukan nomor seri atau id pejabat CA ini.`,
        { code: 'SertifikatTidakDitemukan' },
      );
    const revoked = await this.revoked();
    const known = new Set(revoked.map((r) => r.serial));
    const revokedAt = new Date(Math.floor(this.now().getTime() / 1000) * 1000).toISOString();
    const added = serials.filter((serial) => !known.has(serial)).map((serial) => ({ serial, revokedAt, reason }));
    const tmp = join(this.dir, `dicabut.json.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(tmp, `${JSON.stringify([...revoked, ...added], null, 2)}\n`);
    await rename(tmp, join(this.dir, 'dicabut.json'));
    return serials;
  }

  /** The certificates this CA revoked so far. */
  async revoked(): Promise<RevokedEntry[]> {
    try {
      return JSON.parse(await readFile(join(this.dir, 'dicabut.json'), 'utf8')) as RevokedEntry[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /**
   * The CA's current CRL (DER): signed now by the CA, valid for a week, listing every revoked certificate; also
   * written to `<dir>/crl.der`, where it is published.
   */
  async crl(): Promise<Uint8Array> {
    const now = new Date(Math.floor(this.now().getTime() / 1000) * 1000);
    const der = makeCrl({
      issuer: this.ca,
      revoked: await this.revoked(),
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + CRL_DAYS * DAY),
      number: BigInt(Math.floor(now.getTime() / 1000)),
    });
    const tmp = join(this.dir, `crl.der.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(tmp, der);
    await rename(tmp, join(this.dir, 'crl.der'));
    return der;
  }

  /**
   * What a verifier needs to validate `chain` later without asking anyone (PAdES B-LT): the chain with this CA's
   * certificate, and this CA's current CRL. A chain this CA did not issue gets nothing from it.
   */
  async validationData(chain: readonly Uint8Array[]): Promise<ValidationData> {
    const leaf = chain[0];
    if (!leaf || !parseCertificate(leaf).issuer.isEqual(this.ca.cert.subject)) return { certs: [], crls: [] };
    const certs = chain.some((c) => Buffer.from(c).equals(Buffer.from(this.ca.certDer)))
      ? [...chain]
      : [...chain, this.ca.certDer];
    return { certs, crls: [await this.crl()] };
  }

  private async serialsOf(serialOrId: string): Promise<string[]> {
    const wanted = serialOrId.toLowerCase();
    const found: string[] = [];
    for (const sub of ['pejabat', 'diterbitkan']) {
      let names: string[];
      try {
        names = await readdir(join(this.dir, sub));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      for (const name of names) {
        if (name.includes('.tmp-')) continue;
        const file = sub === 'pejabat' ? join(this.dir, sub, name, 'cert.pem') : join(this.dir, sub, name);
        const der = fromPem(await readFile(file, 'utf8').catch(() => ''))[0];
        if (!der) continue;
        const serial = bytesToHex(parseCertificate(der).serialNumber.valueBlock.valueHexView);
        const id = sub === 'pejabat' ? name.replace(/-[0-9a-f]{12}$/, '') : name.replace(/-[0-9a-f]+\.pem$/, '');
        if (serial === wanted || id === serialOrId) found.push(serial);
      }
    }
    return [...new Set(found)];
  }

  /** The signer of one official, creating the official's key and certificate on first use. */
  signerFor(official: OfficialIdentity): Promise<LocalSigner> {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(official.id)) {
      return Promise.reject(
        new SepakatError(ErrorNames.BadInput, `Id pejabat tidak sah untuk sertifikat: ${official.id}`),
      );
    }
    const identity = JSON.stringify([
      official.id,
      official.nama,
      official.jabatan,
      official.nip ?? '',
      official.instansi ?? '',
    ]);
    const tag = createHash('sha256').update(identity).update(this.ca.certDer).digest('hex').slice(0, 12);
    const key = `${official.id}-${tag}`;
    let signer = this.signers.get(key);
    if (!signer) {
      signer = this.loadOrCreateOfficial(key, official);
      this.signers.set(key, signer);
      signer.catch(() => this.signers.delete(key));
    }
    return signer;
  }

  /**
   * A certificate of this CA for a public key held elsewhere (a KMS key, whose private half never leaves KMS): the
   * official's subject, as `signerFor` would issue it. Returns the chain, the new certificate first, then the CA's.
   */
  async issueCertificate(official: OfficialIdentity, publicKeySpki: Uint8Array): Promise<Uint8Array[]> {
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: Buffer.from(publicKeySpki), format: 'der', type: 'spki' });
    } catch {
      throw new SepakatError(ErrorNames.BadInput, 'Kunci publik untuk sertifikat tidak dapat dibaca (bukan SPKI DER).');
    }
    if (publicKey.asymmetricKeyType !== 'rsa' && publicKey.asymmetricKeyType !== 'ec')
      throw new SepakatError(ErrorNames.BadInput, `Jenis kunci publik tidak didukung: ${publicKey.asymmetricKeyType}`);
    const { certDer } = makeCertificate({
      publicKey,
      subject: officialSubject(official, this.mark),
      issuer: this.ca,
      ...this.officialValidity(),
      ca: false,
    });
    // Kept, so that the certificate can be revoked by the official's id or serial.
    const serial = bytesToHex(parseCertificate(certDer).serialNumber.valueBlock.valueHexView);
    if (/^[a-z0-9][a-z0-9-]*$/.test(official.id)) {
      await mkdir(join(this.dir, 'diterbitkan'), { recursive: true });
      await writeFile(join(this.dir, 'diterbitkan', `${official.id}-${serial}.pem`), toPem(certDer, 'CERTIFICATE'));
    }
    return [certDer, this.ca.certDer];
  }

  private officialValidity(): { notBefore: Date; notAfter: Date } {
    const now = this.now().getTime();
    return {
      notBefore: new Date(now - DAY),
      notAfter: new Date(Math.min(now + OFFICIAL_YEARS * 365 * DAY, this.ca.cert.notAfter.value.getTime())),
    };
  }

  private async loadOrCreateOfficial(key: string, official: OfficialIdentity): Promise<LocalSigner> {
    const dir = join(this.dir, 'pejabat', key);
    let material = await loadKeyMaterial(dir);
    if (!material) {
      const made = await makeKeyMaterial({
        keyAlgorithm: this.keyAlgorithm,
        subject: officialSubject(official, this.mark),
        issuer: this.ca,
        ...this.officialValidity(),
        ca: false,
      });
      await mkdir(join(this.dir, 'pejabat'), { recursive: true });
      material = await storeOnce(dir, made);
    }
    return new LocalSigner(material.key, [material.certDer, this.ca.certDer], { development: true });
  }
}

/** An official's certificate subject; OU marks it as a development (or another test CA's) certificate. */
function officialSubject(official: OfficialIdentity, mark: string = DEVELOPMENT_MARK): NamePart[] {
  return [
    ['C', 'ID'],
    ['O', official.instansi ?? 'Sepakat'],
    ['OU', mark],
    ['title', official.jabatan],
    ...(official.nip ? ([['serialNumber', official.nip]] as NamePart[]) : []),
    ['CN', official.nama],
  ];
}

/**
 * A Signer over a private key held in this process (loaded once). Used with the development PKI; also usable with
 * any PKCS#8 key and certificate chain in PEM.
 */
export class LocalSigner implements Signer {
  private readonly description: SignerDescription;

  constructor(
    private readonly key: KeyObject,
    private readonly chain: readonly Uint8Array[],
    options: { development?: boolean } = {},
  ) {
    if (!chain.length) throw new SepakatError(ErrorNames.BadInput, 'Rantai sertifikat kosong.');
    const leaf = parseCertificate(chain[0]!);
    this.description = {
      name: nameAttribute(leaf.subject, 'CN') ?? '',
      issuer: nameAttribute(leaf.issuer, 'CN') ?? '',
      development: options.development ?? nameAttribute(leaf.subject, 'OU') === DEVELOPMENT_MARK,
    };
  }

  static fromPem(keyPem: string, chainPem: string): LocalSigner {
    return new LocalSigner(createPrivateKey(keyPem), fromPem(chainPem));
  }

  async certificateChain(): Promise<Uint8Array[]> {
    return [...this.chain];
  }

  async sign(request: SignRequest): Promise<Uint8Array> {
    // RSA: PKCS#1 v1.5; EC: DER ECDSA-Sig-Value (Node's default dsaEncoding).
    return new Uint8Array(cryptoSign('sha256', request.signedAttributes, this.key));
  }

  describe(): SignerDescription {
    return this.description;
  }
}

export async function loadKeyMaterial(dir: string): Promise<KeyMaterial | undefined> {
  let keyPem: string;
  let certPem: string;
  try {
    [keyPem, certPem] = await Promise.all([
      readFile(join(dir, 'key.pem'), 'utf8'),
      readFile(join(dir, 'cert.pem'), 'utf8'),
    ]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const certDer = fromPem(certPem)[0];
  if (!certDer) throw new SepakatError(ErrorNames.InvalidDefinition, `Sertifikat rusak: ${join(dir, 'cert.pem')}`);
  return { key: createPrivateKey(keyPem), cert: parseCertificate(certDer), certDer };
}

/** Writes into a temporary sibling and renames it into place; if another process won, returns its material. */
export async function storeOnce(dir: string, made: KeyMaterial): Promise<KeyMaterial> {
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(tmp, { recursive: true });
  const keyPem = made.key.export({ type: 'pkcs8', format: 'pem' }) as string;
  await writeFile(join(tmp, 'key.pem'), keyPem, { mode: 0o600 });
  await writeFile(join(tmp, 'cert.pem'), toPem(made.certDer, 'CERTIFICATE'));
  try {
    await rename(tmp, dir);
    return made;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    const theirs = await loadKeyMaterial(dir);
    if (!theirs) throw error;
    return theirs;
  }
}

function generateKey(alg: DevKeyAlgorithm): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject) =>
      err ? reject(err) : resolve({ publicKey, privateKey });
    if (alg === 'RSA-2048') generateKeyPair('rsa', { modulusLength: 2048 }, done);
    else generateKeyPair('ec', { namedCurve: 'P-256' }, done);
  });
}

/** The certificate signature algorithm for a signing key (SHA-256 always). */
function signatureAlgorithmFor(key: KeyObject): pkijs.AlgorithmIdentifier {
  return key.asymmetricKeyType === 'ec'
    ? new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 })
    : new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRSAEncryption, algorithmParams: new asn1js.Null() });
}

function subjectKeyId(cert: pkijs.Certificate): Uint8Array | undefined {
  const ext = cert.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
  if (!ext) return undefined;
  const inner = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result;
  return inner instanceof asn1js.OctetString ? new Uint8Array(inner.valueBlock.valueHexView) : undefined;
}

function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER() });
}

/** A key and its certificate, self-signed or issued by `issuer` (also the local TSA's, with `extendedKeyUsage`). */
export async function makeKeyMaterial(input: {
  keyAlgorithm: DevKeyAlgorithm;
  subject: readonly NamePart[];
  issuer: KeyMaterial | undefined;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  /** One extended key usage, critical (a TSA's: id-kp-timeStamping, as RFC 3161 2.3 requires). */
  extendedKeyUsage?: string;
}): Promise<KeyMaterial> {
  const { privateKey, publicKey } = await generateKey(input.keyAlgorithm);
  const { cert, certDer } = makeCertificate({ ...input, publicKey, selfSigningKey: privateKey });
  return { key: privateKey, cert, certDer };
}

/** A certificate for `publicKey`, signed by `issuer` (or self-signed with `selfSigningKey` for a root). */
function makeCertificate(input: {
  publicKey: KeyObject;
  subject: readonly NamePart[];
  issuer: KeyMaterial | undefined;
  selfSigningKey?: KeyObject;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  /** One extended key usage, critical (a TSA's certificate). */
  extendedKeyUsage?: string;
}): { cert: pkijs.Certificate; certDer: Uint8Array } {
  const { publicKey } = input;
  const spkiDer = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, minimal encoding
  cert.serialNumber = new asn1js.Integer({ valueHex: toArrayBuffer(serial) });
  cert.subject = buildName(input.subject);
  cert.issuer = input.issuer ? input.issuer.cert.subject : buildName(input.subject);
  cert.notBefore = x509Time(input.notBefore);
  cert.notAfter = x509Time(input.notAfter);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(spkiDer);

  const keyId = createHash('sha1')
    .update(new Uint8Array(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView))
    .digest();
  const authorityKeyId = (input.issuer && subjectKeyId(input.issuer.cert)) ?? new Uint8Array(keyId);

  cert.extensions = [
    extension(
      OID.basicConstraints,
      true,
      new pkijs.BasicConstraints(input.ca ? { cA: true, pathLenConstraint: 0 } : {}).toSchema(),
    ),
    extension(
      OID.keyUsage,
      true,
      input.ca
        ? new asn1js.BitString({ valueHex: new Uint8Array([0x06]).buffer, unusedBits: 1 }) // keyCertSign, cRLSign
        : new asn1js.BitString({ valueHex: new Uint8Array([0xc0]).buffer, unusedBits: 6 }), // digitalSignature, nonRepudiation
    ),
    extension(
      OID.subjectKeyIdentifier,
      false,
      new asn1js.OctetString({ valueHex: toArrayBuffer(new Uint8Array(keyId)) }),
    ),
    extension(
      OID.authorityKeyIdentifier,
      false,
      new pkijs.AuthorityKeyIdentifier({
        keyIdentifier: new asn1js.OctetString({ valueHex: toArrayBuffer(authorityKeyId) }),
      }).toSchema(),
    ),
    ...(input.extendedKeyUsage
      ? [
          extension(
            OID.extKeyUsage,
            true,
            new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: input.extendedKeyUsage })] }),
          ),
        ]
      : []),
  ];

  const signingKey = input.issuer?.key ?? input.selfSigningKey;
  if (!signingKey) throw new SepakatError(ErrorNames.InvalidDefinition, 'Sertifikat tanpa penerbit dan tanpa kunci.');
  const algorithm = signatureAlgorithmFor(signingKey);
  cert.signature = algorithm;
  cert.signatureAlgorithm = algorithm;
  const tbs = new Uint8Array(cert.encodeTBS().toBER());
  cert.tbsView = tbs;
  cert.signatureValue = new asn1js.BitString({
    valueHex: toArrayBuffer(new Uint8Array(cryptoSign('sha256', tbs, signingKey))),
  });
  const certDer = new Uint8Array(cert.toSchema().toBER());
  return { cert: parseCertificate(certDer), certDer };
}
