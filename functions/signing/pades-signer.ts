import type {
  Countersignature,
  PdfSignatureInfo,
  SignatureDescription,
  Signer,
  SigningOfficial,
  SigningReadiness,
} from '../../core/ports.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import { validationOnlyUpdates } from './dss.ts';
import { signPdf } from './sign-pdf.ts';
import type { SigningKeys } from './signer.ts';
import { pagesUnchanged } from './update-check.ts';
import type { TimestampAuthority } from './timestamp.ts';
import { findSignatureFields, trustOf, verifyPdfSignatures } from './verify.ts';

/**
 * The core's `Signer` port on PAdES: signatures made with the official's key from `SigningKeys` (the local
 * development CA, or KMS and Secrets Manager in AWS), and a partner's countersignature checked against the trust
 * anchors of the same keys. With a `timestamp` authority every signature carries an RFC 3161 signature timestamp
 * (PAdES B-T); without one it is B-B. When the keys give validation data (`SigningKeys.validationData`: the chain
 * and the CA's CRL), each signature is followed by an update that adds it to the /DSS (PAdES B-LT with a TSA).
 */
export class PadesSigner implements Signer {
  constructor(
    private readonly keys: () => Promise<SigningKeys>,
    private readonly options: {
      readonly timestamp?: TimestampAuthority;
      /** Which provider these keys are (`pengembangan` by default, `kms`). */
      readonly provider?: 'kms' | 'pengembangan';
    } = {},
  ) {}

  async describe(official: SigningOfficial): Promise<SignatureDescription> {
    const signer = await (await this.keys()).signerFor(official);
    const description = signer.describe();
    return { ...description, kind: description.development ? 'pengembangan' : 'pemda' };
  }

  /** A key the product holds: nothing is asked of the official. */
  async readiness(): Promise<SigningReadiness> {
    return { provider: this.options.provider ?? 'pengembangan', ready: true };
  }

  requestTotp(): Promise<void> {
    return Promise.reject(
      new SepakatError(ErrorNames.BadInput, 'Tanda tangan ini tidak memakai TOTP: kuncinya disimpan oleh sistem.'),
    );
  }

  async signPdf(
    pdf: Uint8Array,
    official: SigningOfficial,
    details: { reason: string; location: string; name: string; contactInfo: string; signingTime: Date },
  ): Promise<Uint8Array> {
    const keys = await this.keys();
    const signer = await keys.signerFor(official);
    return signPdf(pdf, signer, {
      ...details,
      ...(this.options.timestamp ? { timestamp: this.options.timestamp } : {}),
      ...(keys.validationData ? { validationData: keys.validationData.bind(keys) } : {}),
    });
  }

  async countersignature(candidate: Uint8Array, signed: Uint8Array, at: Date): Promise<Countersignature> {
    if (
      candidate.length <= signed.length ||
      !Buffer.from(candidate.subarray(0, signed.length)).equals(Buffer.from(signed))
    )
      return { ok: false, reason: 'bukan pembaruan inkremental dari naskah yang ditandatangani' };
    if (findSignatureFields(candidate).length < 2) return { ok: false, reason: 'tidak ada tanda tangan kedua' };
    const keys = await this.keys();
    const report = await verifyPdfSignatures(candidate, { ...(await trustOf(keys)), checkDate: at });
    const [first, ...rest] = report.signatures;
    const intact = (s: (typeof report.signatures)[number]) =>
      s.digestOk && s.signatureOk && s.coversWholeFileUpToSignature;
    if (!first?.valid || !rest.length || !rest.every(intact) || !report.lastSignatureCoversWholeFile)
      return { ok: false, reason: `tanda tangan mitra tidak sah: ${report.problems.join('; ')}` };
    // Between our document and the partner's signature, only validation data (/DSS) may stand unsigned by them.
    const partnerStart = Math.min(...rest.map((s) => s.appliedToEnd));
    const between = validationOnlyUpdates(candidate.subarray(0, partnerStart), signed.length);
    if (partnerStart < signed.length || !between.ok)
      return {
        ok: false,
        reason: `pembaruan sebelum tanda tangan mitra bukan tanda tangan: ${between.ok ? 'tumpang tindih' : between.reason}`,
      };
    // A valid second signature over an update that also changed the pages would sign an altered naskah.
    const pages = await pagesUnchanged(signed, candidate);
    if (!pages.unchanged) return { ok: false, reason: `pembaruan mengubah naskah: ${pages.reason}` };
    const last = rest[rest.length - 1]!;
    return { ok: true, signer: last.signerName ?? 'tidak diketahui', partnerChainTrusted: last.chainOk };
  }

  async signatures(pdf: Uint8Array, at: Date): Promise<PdfSignatureInfo[]> {
    const keys = await this.keys();
    const report = await verifyPdfSignatures(pdf, { ...(await trustOf(keys)), checkDate: at });
    return report.signatures.map((s) => ({
      signer: s.signerName ?? 'tidak diketahui',
      ...(s.signingTime ? { signingTime: s.signingTime } : {}),
      appliedToEnd: s.appliedToEnd,
      end: s.revisionEnd,
      valid: s.valid,
      development: s.certificate?.development ?? false,
      ...(s.anchor && s.anchor.kind !== 'tsa' ? { kind: s.anchor.kind } : {}),
      ...(s.anchor?.holder ? { holder: s.anchor.holder } : {}),
      ...(s.level ? { level: s.level } : {}),
      ...(s.signingTimeSource === 'timestamp' && s.timestamp?.time ? { timestampTime: s.timestamp.time } : {}),
    }));
  }
}
