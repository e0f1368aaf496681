import { ErrorNames, SepakatError } from '../../core/errors.ts';
import type {
  Countersignature,
  PdfSignatureInfo,
  SignatureDescription,
  SignatureProvider,
  Signer,
  SigningCredential,
  SigningOfficial,
  SigningReadiness,
} from '../../core/ports.ts';
import type { TandaTangan } from '../../core/directory/directory.ts';

/** What a provider does; verifying is common to all (any configured anchor may have signed a document). */
export type SigningProvider = Pick<Signer, 'describe' | 'readiness' | 'requestTotp' | 'signPdf'>;

export interface ProviderSignerDeps {
  /** The pemda's `tandaTangan` (config/pemda). */
  readonly settings: (pemdaId: string) => TandaTangan;
  /** The providers this deployment has; a pemda configured for a missing one cannot sign (a clear error says so). */
  readonly providers: Partial<Record<SignatureProvider, SigningProvider>>;
  /** Verifies with every configured trust anchor (the development CA, the pemda CAs, the BSrE roots). */
  readonly verifier: Pick<Signer, 'countersignature' | 'signatures'>;
}

/**
 * The core's `Signer` port: each official signs through their pemda's provider (`tandaTangan.penyedia`: `bsre`,
 * `kms` or `pengembangan`), the pemda's seal through `tandaTangan.segel`; verification is one, over all anchors.
 */
export class ProviderSigner implements Signer {
  constructor(private readonly deps: ProviderSignerDeps) {}

  /** Which provider signs for this official. */
  providerOf(official: SigningOfficial): SignatureProvider {
    const settings = this.deps.settings(official.pemdaId);
    return official.segel ? settings.segel : settings.penyedia;
  }

  private provider(official: SigningOfficial): SigningProvider {
    const name = this.providerOf(official);
    const provider = this.deps.providers[name];
    if (!provider)
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        `Penyedia tanda tangan "${name}" untuk ${official.pemdaId} belum dikonfigurasi di lingkungan ini.`,
        { code: 'PenyediaBelumDikonfigurasi' },
      );
    return provider;
  }

  describe(official: SigningOfficial): Promise<SignatureDescription> {
    return this.provider(official).describe(official);
  }

  readiness(official: SigningOfficial): Promise<SigningReadiness> {
    return this.provider(official).readiness(official);
  }

  requestTotp(official: SigningOfficial): Promise<void> {
    return this.provider(official).requestTotp(official);
  }

  signPdf(
    pdf: Uint8Array,
    official: SigningOfficial,
    details: { reason: string; location: string; name: string; contactInfo: string; signingTime: Date },
    credential?: SigningCredential,
  ): Promise<Uint8Array> {
    return this.provider(official).signPdf(pdf, official, details, credential);
  }

  countersignature(candidate: Uint8Array, signed: Uint8Array, at: Date): Promise<Countersignature> {
    return this.deps.verifier.countersignature(candidate, signed, at);
  }

  signatures(pdf: Uint8Array, at: Date): Promise<PdfSignatureInfo[]> {
    return this.deps.verifier.signatures(pdf, at);
  }
}
