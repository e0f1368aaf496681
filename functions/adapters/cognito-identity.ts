import {
  AssociateSoftwareTokenCommand,
  ChallengeNameType,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  VerifySoftwareTokenCommand,
  VerifySoftwareTokenResponseType,
  type AuthenticationResultType,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { principalFromClaims, type KnownIdentities } from '../../core/access/claims.ts';
import {
  SETUP_EXPIRED,
  SETUP_WRONG_CODE,
  WRONG_CREDENTIALS,
  type Identity,
  type SignInResult,
} from '../../core/access/identity.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import type { CognitoSettings } from '../config.ts';
import { log } from '../observability/log.ts';

/**
 * Staff sign-in through the Cognito user-pool API, the same calls in AWS and against cognito-local: InitiateAuth
 * (USER_PASSWORD_AUTH), RespondToAuthChallenge for a first sign-in's new password and for the authenticator code,
 * and the first enrolment of an authenticator app where the pool requires TOTP (MFA_SETUP: AssociateSoftwareToken
 * and VerifySoftwareToken on Cognito's challenge session, then RespondToAuthChallenge); then the ID token verified against the pool's JWKS with the issuer pinned and the app client as audience, and
 * its claims mapped to a console principal (core/access/claims.ts). No token is kept: the console issues its own
 * session (functions/auth/session.ts) from the verified principal.
 */
export { SETUP_EXPIRED, SETUP_WRONG_CODE, WRONG_CREDENTIALS, type SignInResult } from '../../core/access/identity.ts';
/** The name the authenticator is registered under in Cognito (VerifySoftwareToken's FriendlyDeviceName). */
export const AUTHENTICATOR_DEVICE_NAME = 'Sepakat';

/** Cognito error names after which the person may try again; each gets one message (never which part was wrong). */
const CREDENTIAL_ERRORS = new Set([
  'NotAuthorizedException',
  // cognito-local answers a wrong password with InvalidPasswordException where AWS says NotAuthorizedException.
  'InvalidPasswordException',
  'UserNotFoundException',
]);
const TRANSIENT_ERRORS = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
  'InternalErrorException',
  'ServiceUnavailableException',
]);

export class TokenRejected extends Error {
  override readonly name = 'TokenRejected';
}

/**
 * Verifies a Cognito ID token: RS256 signature against the pool's JWKS (`<issuer>/.well-known/jwks.json`), the
 * issuer pinned, the audience the app client, `token_use` = `id`, not expired. aws-jwt-verify would refuse
 * cognito-local's pool ids and http JWKS; jose checks the same things in both worlds.
 */
export class IdTokenVerifier {
  private readonly jwks: JWTVerifyGetKey;
  constructor(private readonly options: { issuer: string; clientId: string; jwks?: JWTVerifyGetKey }) {
    this.jwks =
      options.jwks ??
      createRemoteJWKSet(new URL(`${options.issuer}/.well-known/jwks.json`), {
        timeoutDuration: 5000,
        cooldownDuration: 30_000,
      });
  }

  async verify(token: string): Promise<JWTPayload> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.options.issuer,
        audience: this.options.clientId,
        algorithms: ['RS256'],
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: 5,
      }));
    } catch (error) {
      // The JWKS could not be fetched (network, timeout): a transient failure, not a bad token.
      const code = (error as { code?: string }).code;
      if (code === 'ERR_JWKS_TIMEOUT' || (error instanceof TypeError && /fetch/i.test(error.message)))
        throw new SepakatError(ErrorNames.Transient, 'Kunci penanda tangan Cognito tidak dapat diambil', {
          cause: error,
        });
      throw new TokenRejected(`ID token ditolak: ${code ?? (error as Error).message}`, { cause: error });
    }
    if (payload.token_use !== 'id') throw new TokenRejected('ID token ditolak: token_use bukan "id"');
    return payload;
  }
}

export interface CognitoIdentityOptions {
  client: CognitoIdentityProviderClient;
  settings: CognitoSettings;
  known: KnownIdentities;
  verifier?: IdTokenVerifier;
}

export class CognitoIdentity implements Identity {
  readonly verifier: IdTokenVerifier;
  private readonly client: CognitoIdentityProviderClient;
  private readonly settings: CognitoSettings;
  private readonly known: KnownIdentities;

  constructor(options: CognitoIdentityOptions) {
    this.client = options.client;
    this.settings = options.settings;
    this.known = options.known;
    this.verifier =
      options.verifier ?? new IdTokenVerifier({ issuer: options.settings.issuer, clientId: options.settings.clientId });
  }

  /** Email and password (USER_PASSWORD_AUTH). Emails are case-insensitive, as the pool's sign-in alias. */
  async signIn(email: string, password: string): Promise<SignInResult> {
    const username = normaliseEmail(email);
    if (!username || !password) return { outcome: 'ditolak', status: 401, pesan: WRONG_CREDENTIALS };
    let out: InitiateAuthCommandOutput;
    try {
      out = await this.client.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: this.settings.clientId,
          AuthParameters: { USERNAME: username, PASSWORD: password },
        }),
      );
    } catch (error) {
      return this.refusal(error, 'masuk');
    }
    return this.afterAuth(username, out);
  }

  /** The first sign-in of an account created with a temporary password: the new password Cognito asked for. */
  async completeNewPassword(email: string, session: string, newPassword: string): Promise<SignInResult> {
    return this.respond(email, session, ChallengeNameType.NEW_PASSWORD_REQUIRED, { NEW_PASSWORD: newPassword });
  }

  /** The 6-digit code of the person's authenticator app (TOTP MFA). */
  async completeAuthenticatorCode(email: string, session: string, code: string): Promise<SignInResult> {
    return this.respond(email, session, ChallengeNameType.SOFTWARE_TOKEN_MFA, {
      SOFTWARE_TOKEN_MFA_CODE: code.replace(/\s+/g, ''),
    });
  }

  /**
   * The first code of a newly installed authenticator (MFA_SETUP): VerifySoftwareToken on the session of
   * AssociateSoftwareToken, then RespondToAuthChallenge(MFA_SETUP) on the session it returns, which issues tokens.
   * A wrong code answers 400 (the same step may be tried again on the same session); an expired session 401.
   */
  async completeAuthenticatorSetup(email: string, session: string, code: string): Promise<SignInResult> {
    let verified: string | undefined;
    try {
      const out = await this.client.send(
        new VerifySoftwareTokenCommand({
          Session: session,
          UserCode: code.replace(/\s+/g, ''),
          FriendlyDeviceName: AUTHENTICATOR_DEVICE_NAME,
        }),
      );
      if (out.Status !== VerifySoftwareTokenResponseType.SUCCESS)
        return { outcome: 'ditolak', status: 400, pesan: SETUP_WRONG_CODE };
      verified = out.Session;
    } catch (error) {
      return this.refusal(error, 'pasang');
    }
    if (!verified) return { outcome: 'ditolak', status: 401, pesan: SETUP_EXPIRED };
    return this.respond(email, verified, ChallengeNameType.MFA_SETUP, {});
  }

  destroy(): void {
    this.client.destroy();
  }

  private async respond(
    email: string,
    session: string,
    challenge: ChallengeNameType,
    answers: Record<string, string>,
  ): Promise<SignInResult> {
    const username = normaliseEmail(email);
    let out: { ChallengeName?: string; Session?: string; AuthenticationResult?: AuthenticationResultType };
    try {
      out = await this.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: this.settings.clientId,
          ChallengeName: challenge,
          Session: session,
          ChallengeResponses: { USERNAME: username, ...answers },
        }),
      );
    } catch (error) {
      return this.refusal(
        error,
        challenge === ChallengeNameType.NEW_PASSWORD_REQUIRED
          ? 'kata-sandi-baru'
          : challenge === ChallengeNameType.MFA_SETUP
            ? 'pasang'
            : 'kode',
      );
    }
    return this.afterAuth(username, out);
  }

  private async afterAuth(
    username: string,
    out: {
      ChallengeName?: string;
      ChallengeParameters?: Record<string, string>;
      Session?: string;
      AuthenticationResult?: AuthenticationResultType;
    },
  ): Promise<SignInResult> {
    if (out.AuthenticationResult?.IdToken) return this.principalOf(out.AuthenticationResult.IdToken);
    if (out.ChallengeName === ChallengeNameType.NEW_PASSWORD_REQUIRED && out.Session)
      return { outcome: 'tantangan', challenge: 'kata-sandi-baru', session: out.Session, email: username };
    if (out.ChallengeName === ChallengeNameType.SOFTWARE_TOKEN_MFA && out.Session)
      return { outcome: 'tantangan', challenge: 'kode-autentikator', session: out.Session, email: username };
    if (out.ChallengeName === ChallengeNameType.MFA_SETUP && out.Session && canSetUpTotp(out.ChallengeParameters))
      return this.startSetup(username, out.Session);
    return {
      outcome: 'ditolak',
      status: 403,
      pesan: 'Cara masuk yang diminta untuk akun Anda belum didukung halaman ini. Hubungi administrator Sepakat.',
    };
  }

  /** MFA_SETUP: a new TOTP secret for the account, bound to Cognito's challenge session. */
  private async startSetup(username: string, session: string): Promise<SignInResult> {
    try {
      const out = await this.client.send(new AssociateSoftwareTokenCommand({ Session: session }));
      if (!out.SecretCode || !out.Session) return { outcome: 'ditolak', status: 401, pesan: SETUP_EXPIRED };
      return {
        outcome: 'tantangan',
        challenge: 'pasang-autentikator',
        session: out.Session,
        email: username,
        secret: out.SecretCode,
      };
    } catch (error) {
      return this.refusal(error, 'pasang');
    }
  }

  private async principalOf(idToken: string): Promise<SignInResult> {
    let claims: JWTPayload;
    try {
      claims = await this.verifier.verify(idToken);
    } catch (error) {
      if (error instanceof TokenRejected) {
        log.error('ID token ditolak', { what: 'id-token-ditolak', error });
        return {
          outcome: 'ditolak',
          status: 403,
          pesan:
            'Tanda masuk dari layanan akun tidak dapat diverifikasi. Tidak ada yang berubah; hubungi administrator.',
        };
      }
      throw error;
    }
    const found = principalFromClaims(claims, this.known);
    if ('refused' in found) return { outcome: 'ditolak', status: 403, pesan: found.refused };
    return { outcome: 'masuk', principal: found.principal };
  }

  private refusal(error: unknown, during: 'masuk' | 'kata-sandi-baru' | 'kode' | 'pasang'): SignInResult {
    const name = (error as { name?: string }).name ?? '';
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (TRANSIENT_ERRORS.has(name) || (status !== undefined && status >= 500) || isNetworkError(error))
      throw new SepakatError(ErrorNames.Transient, 'Layanan akun sedang sibuk', { cause: error });
    if (during === 'kata-sandi-baru' && (name === 'InvalidPasswordException' || name === 'InvalidParameterException'))
      return {
        outcome: 'ditolak',
        status: 400,
        pesan:
          'Kata sandi baru belum memenuhi ketentuan: minimal 12 karakter, dengan huruf besar, huruf kecil, angka dan simbol.',
      };
    if (during === 'pasang') {
      // VerifySoftwareToken says EnableSoftwareTokenMFAException for a wrong code; the challenge, CodeMismatch.
      if (name === 'EnableSoftwareTokenMFAException' || name === 'CodeMismatchException')
        return { outcome: 'ditolak', status: 400, pesan: SETUP_WRONG_CODE };
      // "Invalid session for the user, session is expired." (the challenge session lives a few minutes).
      if (name === 'NotAuthorizedException' || name === 'ExpiredCodeException')
        return { outcome: 'ditolak', status: 401, pesan: SETUP_EXPIRED };
    }
    if (during !== 'masuk' && (name === 'NotAuthorizedException' || name === 'ExpiredCodeException'))
      return {
        outcome: 'ditolak',
        status: 401,
        pesan: 'Langkah masuk ini sudah kedaluwarsa. Silakan masuk lagi dengan email dan kata sandi.',
      };
    if (during === 'kode' && name === 'CodeMismatchException')
      return { outcome: 'ditolak', status: 401, pesan: 'Kode autentikator salah. Silakan masuk lagi.' };
    if (CREDENTIAL_ERRORS.has(name)) return { outcome: 'ditolak', status: 401, pesan: WRONG_CREDENTIALS };
    if (name === 'PasswordResetRequiredException')
      return {
        outcome: 'ditolak',
        status: 403,
        pesan: 'Kata sandi akun Anda harus diatur ulang oleh administrator sebelum Anda dapat masuk.',
      };
    if (name === 'UserNotConfirmedException')
      return { outcome: 'ditolak', status: 403, pesan: 'Akun Anda belum diaktifkan. Hubungi administrator Sepakat.' };
    throw error;
  }
}

const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** MFA_SETUP names what may be set up (`MFAS_CAN_SETUP`, a JSON list); Sepakat installs only TOTP. */
function canSetUpTotp(parameters: Record<string, string> | undefined): boolean {
  const offered = parameters?.MFAS_CAN_SETUP;
  if (offered === undefined) return true;
  try {
    const list: unknown = JSON.parse(offered);
    return Array.isArray(list) && list.includes('SOFTWARE_TOKEN_MFA');
  } catch {
    return false;
  }
}

function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EAI_AGAIN';
}
