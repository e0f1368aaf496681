/**
 * The `code` of the SepakatErrors a signature provider raises, so the signing page can say what happened and what to
 * do. None of them ever carries the official's passphrase or TOTP.
 */
export const SigningErrorCodes = {
  /** BSrE refused the passphrase or TOTP: nothing was signed (ErrorNames.BadInput). */
  CredentialRefused: 'PassphraseSalah',
  /** Too many refused passphrases for this task within the hour: no request is sent (ErrorNames.BadInput). */
  TooManyAttempts: 'TerlaluBanyakPercobaanPassphrase',
  /**
   * The sign request was sent and no answer came in time (or the connection broke): BSrE may have signed, but keeps
   * nothing the product can fetch. Resolved by the official's explicit new attempt on the same PDF (Transient).
   */
  OutcomeUnknown: 'HasilTidakDiketahui',
  /** The provider answered with something that is not our PDF plus one valid signature from its chain (Transient). */
  ResponseRefused: 'JawabanPenyediaDitolak',
  /** The signer cannot sign through the provider yet (NOT_REGISTERED, NO_CERTIFICATE, …) (ErrorNames.BadInput). */
  SignerNotReady: 'PenandaTanganBelumSiap',
  /** The provider is unreachable or failed before the request was sent: retry later (Transient). */
  ProviderUnavailable: 'PenyediaTidakTersedia',
} as const;
export type SigningErrorCode = (typeof SigningErrorCodes)[keyof typeof SigningErrorCodes];
