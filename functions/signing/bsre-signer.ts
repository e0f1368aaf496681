import { ErrorNames, SepakatError } from '../../core/errors.ts';
import type {
  CertificateKind,
  SignatureDescription,
  SigningCredential,
  SigningOfficial,
  SigningReadiness,
} from '../../core/ports.ts';
import { SigningErrorCodes } from '../../core/signing/signing-errors.ts';
import { refused, type BsreClient, type BsreSubject } from './bsre-client.ts';
import { BSRE_TIRUAN_MARK } from './signer.ts';
import { bsreAnchor } from './trust-anchors.ts';
import { pagesUnchanged } from './update-check.ts';
import { findSignatureFields, verifyPdfSignatures } from './verify.ts';

/** Where a signer's BSrE identity is kept: the data directory locally, Secrets Manager in AWS. Personal data. */
export type BsreIdentityLookup = (pemdaId: string, personId: string) => Promise<BsreSubject | undefined>;

export interface BsreSignerDeps {
  readonly client: BsreClient;
  readonly identities: BsreIdentityLookup;
  /** The BSrE roots the deployer configured (DER); none are shipped. The local service's test CA locally. */
  readonly roots: () => Promise<Uint8Array[]>;
  /** Roots trusted for the timestamp token BSrE adds (its TSA); default `roots`. */
  readonly timestampRoots?: () => Promise<Uint8Array[]>;
  readonly now: () => Date;
}

/**
 * The `bsre` provider: a certified TTE made by BSrE over the exact PDF shown. BSrE holds the key; the official gives
 * their passphrase (or a BeSign TOTP) for this one request, and it goes nowhere else.
 *
 * The signer's status is checked before anything is attempted. The PDF that comes back must be our bytes plus an
 * incremental update with exactly one more signature, valid, chained to a configured BSrE root, leaving every page
 * as it was; anything else (a re-rendered PDF, a certificate from elsewhere) is refused with
 * `JawabanPenyediaDitolak` and nothing is stored. BSrE's signatures carry its timestamp (PAdES B-T); no validation
 * data is added to them here.
 */
export class BsreSigner {
  constructor(private readonly deps: BsreSignerDeps) {}

  async describe(official: SigningOfficial): Promise<SignatureDescription> {
    const kind = await this.kind();
    return {
      name: official.nama,
      issuer:
        kind === 'bsre'
          ? 'Balai Besar Sertifikasi Elektronik (BSrE), Badan Siber dan Sandi Negara'
          : `Layanan ${BSRE_TIRUAN_MARK} (uji lokal)`,
      development: kind !== 'bsre',
      kind,
    };
  }

  /** "TTE tersertifikasi BSrE" only when a configured root is a real one (not a marked test or development CA). */
  async kind(): Promise<CertificateKind> {
    const roots = await this.deps.roots();
    return roots.some((der) => bsreAnchor(der).kind === 'bsre') ? 'bsre' : 'bsre-tiruan';
  }

  async readiness(official: SigningOfficial): Promise<SigningReadiness & { provider: 'bsre' }> {
    return (await this.signer(official)).readiness;
  }

  /** The signer's BSrE identity (looked up once) and what BSrE says of them. */
  private async signer(
    official: SigningOfficial,
  ): Promise<{ subject?: BsreSubject; readiness: SigningReadiness & { provider: 'bsre' } }> {
    const subject = await this.deps.identities(official.pemdaId, official.id);
    if (!subject)
      return {
        readiness: {
          provider: 'bsre',
          ready: false,
          status: 'TANPA_IDENTITAS',
          message:
            'Identitas BSrE Anda (NIK atau email akun BSrE) belum dicatat di Sepakat. Minta administrator Sepakat mencatatnya, lalu buka lagi tautan ini.',
        },
      };
    const { status } = await this.deps.client.status(subject);
    return {
      subject,
      readiness:
        status === 'ISSUE'
          ? { provider: 'bsre', ready: true, totp: true }
          : { provider: 'bsre', ready: false, status, message: notReadyMessage(status) },
    };
  }

  async requestTotp(official: SigningOfficial): Promise<void> {
    const subject = await this.subjectOf(official);
    await this.deps.client.requestTotp(subject, `Tanda tangan elektronik ${official.nama}`);
  }

  async signPdf(
    pdf: Uint8Array,
    official: SigningOfficial,
    details: { reason: string; location: string; contactInfo: string },
    credential: SigningCredential | undefined,
  ): Promise<Uint8Array> {
    if (!credential || ('passphrase' in credential ? !credential.passphrase : !credential.totp))
      throw new SepakatError(
        ErrorNames.BadInput,
        'Passphrase TTE atau kode TOTP wajib diisi untuk tanda tangan BSrE.',
        {
          code: SigningErrorCodes.CredentialRefused,
        },
      );
    // The status first: a signer who cannot sign is told so before any credential is sent.
    const { subject, readiness } = await this.signer(official);
    if (!readiness.ready || !subject)
      throw new SepakatError(
        ErrorNames.BadInput,
        readiness.ready ? 'Identitas BSrE Anda belum dicatat di Sepakat.' : readiness.message,
        { code: SigningErrorCodes.SignerNotReady },
      );
    const signed = await this.deps.client.signPdf(
      subject,
      credential,
      { reason: details.reason, location: details.location, contactInfo: details.contactInfo },
      pdf,
    );
    await this.check(pdf, signed);
    return signed;
  }

  /** Our PDF, plus one incremental update adding one valid signature from the BSrE chain, pages untouched. */
  async check(sent: Uint8Array, signed: Uint8Array): Promise<void> {
    if (signed.length <= sent.length || !Buffer.from(signed.subarray(0, sent.length)).equals(Buffer.from(sent)))
      throw refused('berkas yang dikembalikan bukan PDF yang dikirim ditambah pembaruan inkremental');
    const before = findSignatureFields(sent).length;
    if (findSignatureFields(signed).length !== before + 1)
      throw refused('berkas yang dikembalikan tidak menambah tepat satu tanda tangan');
    const roots = await this.deps.roots();
    // Every byte before the new signature is ours (checked above): only the new signature is verified.
    const report = await verifyPdfSignatures(signed, {
      trustedRoots: roots,
      timestampRoots: (await this.deps.timestampRoots?.()) ?? roots,
      checkDate: this.deps.now(),
      newestOnly: true,
    });
    const last = report.signatures[report.signatures.length - 1];
    if (!last || !last.digestOk || !last.signatureOk || !last.coversWholeFileUpToSignature)
      throw refused('tanda tangan yang dikembalikan tidak utuh');
    if (!last.chainOk)
      throw refused(
        `sertifikat penanda tangan (${last.certificate?.issuer ?? 'tidak diketahui'}) tidak berantai ke akar BSrE yang dikonfigurasi`,
      );
    if (!report.lastSignatureCoversWholeFile) throw refused('ada tambahan tak bertanda tangan setelah tanda tangan');
    const pages = await pagesUnchanged(sent, signed);
    if (!pages.unchanged) throw refused(`pembaruan mengubah dokumen: ${pages.reason}`);
  }

  private async subjectOf(official: SigningOfficial): Promise<BsreSubject> {
    const subject = await this.deps.identities(official.pemdaId, official.id);
    if (!subject)
      throw new SepakatError(ErrorNames.BadInput, 'Identitas BSrE Anda belum dicatat di Sepakat.', {
        code: SigningErrorCodes.SignerNotReady,
      });
    return subject;
  }
}

/** What a signer whose BSrE status is not ISSUE is told to do. */
export function notReadyMessage(status: string): string {
  switch (status) {
    case 'NOT_REGISTERED':
      return 'Anda belum terdaftar sebagai pengguna BSrE, sehingga belum dapat menandatangani secara elektronik. Ajukan pendaftaran sertifikat elektronik melalui Admin/Operator TTE (RA) di perangkat daerah Anda dengan NIK dan email dinas, lalu buka lagi tautan ini. Tidak ada yang ditandatangani.';
    case 'NO_CERTIFICATE':
      return 'Anda terdaftar di BSrE tetapi belum memiliki sertifikat elektronik yang aktif. Selesaikan penerbitan sertifikat (aktivasi melalui email BSrE atau aplikasi BeSign) atau hubungi Admin TTE (RA) perangkat daerah Anda, lalu buka lagi tautan ini. Tidak ada yang ditandatangani.';
    default:
      return `Status sertifikat elektronik BSrE Anda: ${status}. Sertifikat harus aktif untuk menandatangani; perbarui atau terbitkan ulang melalui Admin TTE (RA) perangkat daerah Anda. Tidak ada yang ditandatangani.`;
  }
}
