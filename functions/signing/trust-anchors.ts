import { readFile } from 'node:fs/promises';
import type * as pkijs from 'pkijs';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import type { CertificateKind } from '../../core/ports.ts';
import { equalBytes, formatName, fromPem, nameAttribute, parseCertificate } from './asn1.ts';
import { BSRE_TIRUAN_MARK, DEVELOPMENT_MARK, type SigningKeys } from './signer.ts';

/**
 * The trust anchors of a verification, each labelled for what it is: a configured BSrE root, the local BSrE
 * service's test CA (BSrE tiruan), a pemda's own CA (KMS keys), the development CA, or a TSA's root. The verifier
 * builds a chain to any of them and then says which it reached (`anchorReached`), so that "TTE tersertifikasi BSrE"
 * is only ever said of a chain that ends at a root the deployer configured as BSrE's.
 *
 * The marks win over the configuration: a root whose names carry "BSrE tiruan — bukan BSrE" or "Sertifikat
 * pengembangan — bukan BSrE" is labelled so wherever it was configured, even in the file of BSrE roots.
 */

export type TrustAnchorKind = CertificateKind | 'tsa';

export interface TrustAnchor {
  /** DER of the anchor's certificate. */
  readonly der: Uint8Array;
  readonly kind: TrustAnchorKind;
  /** What it is, for people (Bahasa Indonesia): "CA pengembangan Sepakat — bukan BSrE", "CA Kota Contoh (…)". */
  readonly label: string;
  /** Whose CA it is, for a `pemda` anchor: the pemda's name. */
  readonly holder?: string;
}

/** What a signature report says of the anchor its chain reached. */
export type AnchorReport = Pick<TrustAnchor, 'kind' | 'label' | 'holder'>;

export const DEVELOPMENT_ANCHOR_LABEL = 'CA pengembangan Sepakat — bukan BSrE';
export const BSRE_TIRUAN_ANCHOR_LABEL = 'CA BSrE tiruan — bukan BSrE (layanan uji lokal)';

/** The development CA (`DevelopmentPki`). */
export function developmentAnchor(der: Uint8Array): TrustAnchor {
  return marked(der) ?? { der, kind: 'pengembangan', label: DEVELOPMENT_ANCHOR_LABEL };
}

/** A pemda's own CA, which issues the certificates of its KMS keys: never BSrE. */
export function pemdaAnchor(der: Uint8Array, namaPemda: string): TrustAnchor {
  return marked(der) ?? { der, kind: 'pemda', label: `CA ${namaPemda} (tidak tersertifikasi BSrE)`, holder: namaPemda };
}

/** A root the deployer configured as BSrE's: `bsre` unless its names carry a mark. */
export function bsreAnchor(der: Uint8Array): TrustAnchor {
  return marked(der) ?? { der, kind: 'bsre', label: `${commonName(der)} (akar BSrE yang dikonfigurasi)` };
}

/** The root of a configured TSA: trusted for timestamp tokens only, never for a signer's chain. */
export function tsaAnchor(der: Uint8Array): TrustAnchor {
  return { der, kind: 'tsa', label: `TSA ${commonName(der)}` };
}

/**
 * A root known only as DER (`SigningKeys.trustedRoots()` of keys without `trustAnchors`): labelled by its mark,
 * else a pemda CA named by its organisation. Never `bsre`: only the file of BSrE roots makes one.
 */
export function anchorByMark(der: Uint8Array): TrustAnchor {
  const mark = marked(der);
  if (mark) return mark;
  const cert = anchorCertificate(der);
  return pemdaAnchor(der, nameAttribute(cert.subject, 'O') ?? commonName(der));
}

/** The anchors of `keys`: its own labelled ones, else its roots labelled by mark and its TSA roots. */
export async function anchorsOf(keys: SigningKeys): Promise<TrustAnchor[]> {
  if (keys.trustAnchors) return keys.trustAnchors();
  const roots = (await keys.trustedRoots()).map(anchorByMark);
  return keys.timestampRoots ? [...roots, ...(await keys.timestampRoots()).map(tsaAnchor)] : roots;
}

/** The anchors for a verification given plain DER roots (callers that predate anchors). */
export function anchorsFromRoots(
  trustedRoots: readonly Uint8Array[],
  timestampRoots?: readonly Uint8Array[],
): TrustAnchor[] {
  return [...trustedRoots.map(anchorByMark), ...(timestampRoots ?? []).map(tsaAnchor)];
}

/** The BSrE roots of a PEM file (`SEPAKAT_BSRE_ROOTS_FILE`); none is shipped with the product. */
export async function bsreRootsFromFile(file: string): Promise<TrustAnchor[]> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    throw new SepakatError(
      ErrorNames.InvalidDefinition,
      `SEPAKAT_BSRE_ROOTS_FILE tidak dapat dibaca: ${file} (${(error as Error).message})`,
    );
  }
  const roots = fromPem(pem);
  if (!roots.length)
    throw new SepakatError(ErrorNames.InvalidDefinition, `SEPAKAT_BSRE_ROOTS_FILE tidak memuat sertifikat: ${file}`);
  return roots.map(bsreAnchor);
}

/**
 * `keys` trusting the configured BSrE roots besides its own anchors (for signers' chains: a partner's or a BSrE
 * signature). Unchanged when no file is configured.
 */
export async function withBsreRoots(keys: SigningKeys, file: string | undefined): Promise<SigningKeys> {
  if (!file) return keys;
  const bsre = await bsreRootsFromFile(file);
  return {
    signerFor: (official) => keys.signerFor(official),
    trustedRoots: async () => [...(await keys.trustedRoots()), ...bsre.map((a) => a.der)],
    ...(keys.timestampRoots ? { timestampRoots: () => keys.timestampRoots!() } : {}),
    trustAnchors: async () => [...(await anchorsOf(keys)), ...bsre],
  };
}

/** A parsed anchor, for the chain engine. */
export interface ParsedAnchor {
  readonly anchor: TrustAnchor;
  readonly cert: pkijs.Certificate;
}

export function parseAnchors(anchors: readonly TrustAnchor[]): ParsedAnchor[] {
  return anchors.map((anchor) => ({ anchor, cert: anchorCertificate(anchor.der) }));
}

const parsedAnchors = new WeakMap<Uint8Array, pkijs.Certificate>();

/**
 * An anchor's certificate, parsed once per DER buffer: the same configured roots are parsed for every verification
 * and every labelling otherwise. Only read (names, key, the chain engine's checks), never changed.
 */
function anchorCertificate(der: Uint8Array): pkijs.Certificate {
  let cert = parsedAnchors.get(der);
  if (!cert) {
    cert = parseCertificate(der);
    parsedAnchors.set(der, cert);
  }
  return cert;
}

/**
 * The anchor a validated chain ends at: its last certificate is one of `anchors` (the same object the engine was
 * given, or a copy the PDF carried with the same name and key).
 */
export function anchorReached(
  path: readonly pkijs.Certificate[] | undefined,
  anchors: readonly ParsedAnchor[],
): AnchorReport | null {
  const top = path?.at(-1);
  if (!top) return null;
  const found =
    anchors.find((a) => a.cert === top) ??
    anchors.find(
      (a) =>
        a.cert.subject.isEqual(top.subject) &&
        equalBytes(
          a.cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView,
          top.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView,
        ),
    );
  if (!found) return null;
  const { kind, label, holder } = found.anchor;
  return { kind, label, ...(holder ? { holder } : {}) };
}

/** The anchor for a marked certificate, whatever it was configured as. */
function marked(der: Uint8Array): TrustAnchor | undefined {
  const cert = anchorCertificate(der);
  const names = `${formatName(cert.subject)} ${formatName(cert.issuer)}`;
  if (names.includes(BSRE_TIRUAN_MARK)) return { der, kind: 'bsre-tiruan', label: BSRE_TIRUAN_ANCHOR_LABEL };
  if (names.includes(DEVELOPMENT_MARK)) return { der, kind: 'pengembangan', label: DEVELOPMENT_ANCHOR_LABEL };
  return undefined;
}

function commonName(der: Uint8Array): string {
  const cert = anchorCertificate(der);
  return nameAttribute(cert.subject, 'CN') ?? formatName(cert.subject);
}
