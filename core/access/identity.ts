import type { Principal } from './access.ts';

/**
 * The identity port: staff sign-in. The Cognito user pool implements it (functions/adapters/cognito-identity.ts,
 * cognito-local on the embedded default); the sign-in routes reach it through the web's use cases, never the adapter.
 */
export type SignInResult =
  | { outcome: 'masuk'; principal: Principal }
  /** The pool asks for more before it issues tokens; `session` is the pool's (valid a few minutes), not ours. */
  | { outcome: 'tantangan'; challenge: 'kata-sandi-baru' | 'kode-autentikator'; session: string; email: string }
  /**
   * The pool requires TOTP and the account has no authenticator yet: `secret` (base32) goes into the person's app;
   * `session` is the one the verification takes. Neither may be logged.
   */
  | { outcome: 'tantangan'; challenge: 'pasang-autentikator'; session: string; email: string; secret: string }
  | { outcome: 'ditolak'; status: 400 | 401 | 403; pesan: string };

export interface Identity {
  /** Email and password. */
  signIn(email: string, password: string): Promise<SignInResult>;
  /** A first sign-in's new password, on the pool's challenge session. */
  completeNewPassword(email: string, session: string, newPassword: string): Promise<SignInResult>;
  /** The authenticator's code, on the pool's challenge session. */
  completeAuthenticatorCode(email: string, session: string, code: string): Promise<SignInResult>;
  /** The first code of a newly enrolled authenticator, on the enrolment's session. */
  completeAuthenticatorSetup(email: string, session: string, code: string): Promise<SignInResult>;
}

/** What the person reads when the sign-in is refused (one message, never which part was wrong). */
export const WRONG_CREDENTIALS = 'Email atau kata sandi salah.';
export const SETUP_EXPIRED =
  'Waktu pendaftaran habis, silakan masuk lagi. Anda akan mendapat kode QR baru: hapus entri Sepakat yang tadi dipindai dari aplikasi autentikator.';
export const SETUP_WRONG_CODE =
  'Kode tidak cocok dengan kunci yang baru dipasang. Pastikan jam ponsel Anda tepat, lalu masukkan kode yang sedang tampil di aplikasi.';
