import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TandaTangan } from '../../core/directory/directory.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import type { Clock } from '../../core/case/model.ts';
import type { SignatureProvider } from '../../core/ports.ts';
import type { Config } from '../config.ts';
import { fromPem, parseCertificate } from './asn1.ts';
import { BsreClient } from './bsre-client.ts';
import { fileBsreIdentities, secretsManagerBsreIdentities, type BsreIdentities } from './bsre-identities.ts';
import { BsreSigner, type BsreIdentityLookup } from './bsre-signer.ts';
import { DevelopmentPki } from './dev-pki.ts';
import { KmsSigningKeys, type KmsKeyBinding } from './kms-signer.ts';
import { PadesSigner } from './pades-signer.ts';
import { ProviderSigner, type SigningProvider } from './provider-signer.ts';
import type { SigningKeys } from './signer.ts';
import {
  bsreAnchor,
  bsreRootsFromFile,
  developmentAnchor,
  pemdaAnchor,
  tsaAnchor,
  type TrustAnchor,
} from './trust-anchors.ts';
import { HttpTimestampAuthority } from './timestamp.ts';

/**
 * The signing of a deployment, from its configuration: the providers the pemda use (config/pemda `tandaTangan`), each
 * built only when configured, and one verification over every trust anchor.
 *
 * - `pengembangan`: the development CA in `SEPAKAT_DEV_PKI_DIR` (the embedded default).
 * - `kms`: a KMS key per official from `tandaTangan.kms` (certificate chains under config/sertifikat/), KMS at
 *   `SEPAKAT_ENDPOINT_KMS` locally (local/kms/) or the region's in AWS; trusted roots are the chains' roots.
 * - `bsre`: the BSrE eSign API at `SEPAKAT_BSRE_URL` with its Basic credentials, signers' identities from
 *   `SEPAKAT_BSRE_IDENTITIES_FILE`, trusted roots from `SEPAKAT_BSRE_ROOTS_FILE` (the deployer's; none are shipped).
 * - `SEPAKAT_TSA_URL`: signature timestamps (B-T) on `kms` and `pengembangan` signatures, trusted through
 *   `SEPAKAT_TSA_CA_FILE`.
 */
/** BSrE's roots as the deployer puts them in configuration (config/sertifikat/README.md); none is shipped. */
export const BSRE_ROOTS_FILE = 'bsre-akar.pem';

export interface SigningSetup {
  readonly signer: ProviderSigner;
  /** The trust of verification (every anchor), signing with the development CA where there is one. */
  keys(): Promise<SigningKeys>;
}

export interface SigningSetupInput {
  readonly config: Config;
  readonly settings: (pemdaId: string) => TandaTangan;
  readonly pemdaIds: () => string[];
  /** The pemda's name, for the label of its CA ("CA Pemerintah Kota Contoh (tidak tersertifikasi BSrE)"). */
  readonly pemdaName: (pemdaId: string) => string;
  readonly clock: Clock;
  /** Region and credentials of the AWS clients. */
  readonly aws: { region: string; credentials?: { accessKeyId: string; secretAccessKey: string } };
  /** Traces an AWS SDK client's calls (X-Ray, in the Lambdas: functions/lambda/bootstrap.ts); as it is by default. */
  readonly captureClient?: <T>(client: T) => T;
}

export function buildSigning(input: SigningSetupInput): SigningSetup {
  const { config, clock } = input;
  const timestamp = config.SEPAKAT_TSA_URL ? new HttpTimestampAuthority(config.SEPAKAT_TSA_URL) : undefined;
  const tsaRoots = once(async () =>
    config.SEPAKAT_TSA_CA_FILE ? pemFile(config.SEPAKAT_TSA_CA_FILE, 'SEPAKAT_TSA_CA_FILE') : [],
  );
  const used = new Set<SignatureProvider>(
    input.pemdaIds().flatMap((id) => [input.settings(id).penyedia, input.settings(id).segel]),
  );

  const development = config.SEPAKAT_DEV_PKI_DIR
    ? once(() => DevelopmentPki.open({ dir: config.SEPAKAT_DEV_PKI_DIR!, now: () => clock.now() }))
    : undefined;
  const kms = used.has('kms') ? once(() => openKmsKeys(input)) : undefined;
  const kmsKeys = kms ? async () => (await kms()).keys : undefined;
  // The configured BSrE roots are trusted wherever documents are verified, signing or not: the file named by
  // SEPAKAT_BSRE_ROOTS_FILE, else config/sertifikat/bsre-akar.pem when the deployer put it there (none is shipped).
  const shipped = join(config.SEPAKAT_CONFIG_DIR, 'sertifikat', BSRE_ROOTS_FILE);
  const rootsFile = config.SEPAKAT_BSRE_ROOTS_FILE ?? (existsSync(shipped) ? shipped : undefined);
  const bsreRoots = rootsFile
    ? once(async () => (await bsreRootsFromFile(rootsFile)).map((a) => a.der))
    : async () => [];
  const bsre =
    used.has('bsre') && config.SEPAKAT_BSRE_URL ? bsreSigner(input, rootsFile, bsreRoots, tsaRoots) : undefined;

  const withTsa = (keys: () => Promise<SigningKeys>) => async (): Promise<SigningKeys> => {
    const k = await keys();
    const roots = await tsaRoots();
    return roots.length ? { ...bind(k), timestampRoots: async () => roots } : k;
  };
  const providers: Partial<Record<SignatureProvider, SigningProvider>> = {};
  if (development)
    providers.pengembangan = new PadesSigner(withTsa(development), { ...(timestamp ? { timestamp } : {}) });
  if (kmsKeys)
    providers.kms = new PadesSigner(withTsa(kmsKeys), { ...(timestamp ? { timestamp } : {}), provider: 'kms' });
  if (bsre) providers.bsre = bsre.signer;

  // Verification trusts every anchor this deployment signs with: what the pemda CAs, the development CA and the
  // configured BSrE roots issued. A partner's own CA is not among them (its signature is reported as untrusted).
  const keys = once(async (): Promise<SigningKeys> => {
    const [dev, kmsOpened, bsreTrusted, tsa] = await Promise.all([development?.(), kms?.(), bsreRoots(), tsaRoots()]);
    // Each root labelled for what it is: "TTE tersertifikasi BSrE" only for a configured BSrE root without a mark.
    const anchors: TrustAnchor[] = [
      ...(dev ? (await dev.trustedRoots()).map(developmentAnchor) : []),
      ...(kmsOpened ? kmsOpened.roots.map(({ der, pemda }) => pemdaAnchor(der, pemda)) : []),
      ...bsreTrusted.map(bsreAnchor),
      // Timestamp tokens: the configured TSA's, and BSrE's own (its TSA chains to its roots).
      ...[...tsa, ...bsreTrusted].map(tsaAnchor),
    ];
    if (!dev && !kmsOpened && !bsre && !bsreTrusted.length)
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        'Penanda tangan belum dikonfigurasi (SEPAKAT_DEV_PKI_DIR, kunci KMS, atau BSrE)',
      );
    const trusted = [
      ...(dev ? await dev.trustedRoots() : []),
      ...(kmsOpened ? await kmsOpened.keys.trustedRoots() : []),
      ...bsreTrusted,
    ];
    return {
      signerFor: (official) =>
        dev
          ? dev.signerFor(official)
          : Promise.reject(new SepakatError(ErrorNames.InvalidDefinition, 'CA pengembangan tidak dikonfigurasi')),
      trustedRoots: async () => trusted,
      // The TSA's roots, and BSrE's (its timestamp tokens chain to them); never the development or a pemda CA.
      timestampRoots: async () => [...tsa, ...bsreTrusted],
      trustAnchors: async () => anchors,
    };
  });
  const verifier = new PadesSigner(keys);
  return { signer: new ProviderSigner({ settings: input.settings, providers, verifier }), keys };
}

function bsreSigner(
  input: SigningSetupInput,
  rootsFile: string | undefined,
  roots: () => Promise<Uint8Array[]>,
  tsaRoots: () => Promise<Uint8Array[]>,
): { signer: SigningProvider } {
  const { config } = input;
  // Incomplete configuration fails the signatures that need BSrE, saying what is missing; the other providers of
  // the same function still sign.
  if (!config.SEPAKAT_BSRE_CLIENT_ID || !config.SEPAKAT_BSRE_CLIENT_SECRET || !rootsFile) {
    const missing = (): Promise<never> =>
      Promise.reject(
        new SepakatError(
          ErrorNames.InvalidDefinition,
          `Penyedia bsre belum lengkap: dibutuhkan SEPAKAT_BSRE_CLIENT_ID, SEPAKAT_BSRE_CLIENT_SECRET dan akar BSrE (SEPAKAT_BSRE_ROOTS_FILE atau config/sertifikat/${BSRE_ROOTS_FILE}).`,
          { code: 'PenyediaBelumDikonfigurasi' },
        ),
      );
    return { signer: { describe: missing, readiness: missing, requestTotp: missing, signPdf: missing } };
  }
  // The signers' BSrE identities: Secrets Manager in AWS (the signing function only), the data directory locally.
  const lookup: BsreIdentities | undefined = config.SEPAKAT_BSRE_IDENTITIES_SECRET_ARN
    ? secretsManagerBsreIdentities(
        captured(
          input,
          new SecretsManagerClient({
            region: input.aws.region,
            ...(input.aws.credentials ? { credentials: input.aws.credentials } : {}),
          }),
        ),
        config.SEPAKAT_BSRE_IDENTITIES_SECRET_ARN,
      )
    : config.SEPAKAT_BSRE_IDENTITIES_FILE
      ? fileBsreIdentities(config.SEPAKAT_BSRE_IDENTITIES_FILE)
      : undefined;
  const identities: BsreIdentityLookup = async (pemdaId, personId) => lookup?.lookup(pemdaId, personId);
  const signer = new BsreSigner({
    client: new BsreClient({
      baseUrl: config.SEPAKAT_BSRE_URL!,
      clientId: config.SEPAKAT_BSRE_CLIENT_ID,
      clientSecret: config.SEPAKAT_BSRE_CLIENT_SECRET,
      timeoutMs: config.SEPAKAT_BSRE_TIMEOUT_MS,
    }),
    identities,
    roots,
    timestampRoots: async () => [...(await tsaRoots()), ...(await roots())],
    now: () => input.clock.now(),
  });
  return { signer };
}

/** Every official with a KMS key, across the pemda that sign (or seal) with `kms`; each pemda CA's root. */
async function openKmsKeys(
  input: SigningSetupInput,
): Promise<{ keys: KmsSigningKeys; roots: { der: Uint8Array; pemda: string }[] }> {
  const bindings = new Map<string, KmsKeyBinding>();
  const roots: Uint8Array[] = [];
  const labelled: { der: Uint8Array; pemda: string }[] = [];
  const crlFiles: string[] = [];
  for (const pemdaId of input.pemdaIds()) {
    const settings = input.settings(pemdaId);
    if (settings.penyedia !== 'kms' && settings.segel !== 'kms') continue;
    if (settings.crl) crlFiles.push(join(input.config.SEPAKAT_CONFIG_DIR, 'sertifikat', settings.crl));
    for (const [who, entry] of Object.entries(settings.kms)) {
      const chain = await pemFile(
        join(input.config.SEPAKAT_CONFIG_DIR, 'sertifikat', entry.sertifikat),
        entry.sertifikat,
      );
      bindings.set(`${pemdaId}/${who}`, { keyId: entry.kunci, chain });
      const root = chain[chain.length - 1]!;
      if (selfIssued(root) && !roots.some((r) => Buffer.from(r).equals(Buffer.from(root)))) {
        roots.push(root);
        labelled.push({ der: root, pemda: input.pemdaName(pemdaId) });
      }
    }
  }
  const kms = captured(
    input,
    new KMSClient({
      region: input.aws.region,
      ...(input.aws.credentials ? { credentials: input.aws.credentials } : {}),
      ...(input.config.SEPAKAT_ENDPOINT_KMS ? { endpoint: input.config.SEPAKAT_ENDPOINT_KMS } : {}),
    }),
  );
  // Officials are `<pemda>/<person>`; the pemda's seal is `<pemda>/segel`.
  const keys = new KmsSigningKeys(
    kms,
    (official) => bindings.get(`${official.pemdaId ?? ''}/${official.segel ? 'segel' : official.id}`),
    roots,
    // The pemda CAs' CRLs as configured, read at each signature (a CRL the pemda republished counts at once).
    { crls: () => Promise.all(crlFiles.map(crlFile)) },
  );
  return { keys, roots: labelled };
}

/** An AWS SDK client, traced where the entry point traces (input.captureClient). */
const captured = <T>(input: SigningSetupInput, client: T): T =>
  input.captureClient ? input.captureClient(client) : client;

/** A CRL file: DER, or PEM ("X509 CRL"). */
async function crlFile(file: string): Promise<Uint8Array> {
  const bytes = await readFile(file).catch(() => {
    throw new SepakatError(ErrorNames.InvalidDefinition, `CRL ${file} tidak dapat dibaca`);
  });
  const text = bytes.toString('latin1');
  if (!text.startsWith('-----BEGIN')) return new Uint8Array(bytes);
  const [der] = fromPem(text, 'X509 CRL');
  if (!der) throw new SepakatError(ErrorNames.InvalidDefinition, `CRL ${file} tidak memuat "X509 CRL"`);
  return der;
}

function selfIssued(der: Uint8Array): boolean {
  const certificate = parseCertificate(der);
  return certificate.subject.isEqual(certificate.issuer);
}

async function pemFile(file: string, name: string): Promise<Uint8Array[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new SepakatError(ErrorNames.InvalidDefinition, `${name}: berkas ${file} tidak dapat dibaca`);
  });
  const certificates = fromPem(text);
  if (!certificates.length)
    throw new SepakatError(ErrorNames.InvalidDefinition, `${name}: ${file} tidak memuat sertifikat`);
  return certificates;
}

/** A lazy value; a failure is not kept (the next call tries again). */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () =>
    (value ??= make().catch((error: unknown) => {
      value = undefined;
      throw error;
    }));
}

/** The methods of a SigningKeys object as own properties (a spread of a class instance keeps none). */
function bind(keys: SigningKeys): SigningKeys {
  return {
    signerFor: (official) => keys.signerFor(official),
    trustedRoots: () => keys.trustedRoots(),
    ...(keys.timestampRoots ? { timestampRoots: () => keys.timestampRoots!() } : {}),
    ...(keys.validationData ? { validationData: (chain) => keys.validationData!(chain) } : {}),
    ...(keys.trustAnchors ? { trustAnchors: () => keys.trustAnchors!() } : {}),
  };
}
