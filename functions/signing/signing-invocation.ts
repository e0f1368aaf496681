import { createHash } from 'node:crypto';
import type { SigningCredential, SigningOfficial } from '../../core/ports.ts';
import { ErrorNames, SepakatError, type ErrorName } from '../../core/errors.ts';
import { SigningErrorCodes } from '../../core/signing/signing-errors.ts';

/**
 * The contract between the `http` function (LambdaSigner) and the signing function (functions/handlers/
 * signing-handler.ts), invoked synchronously (RequestResponse). PDFs travel through S3 under SIGNING_SCRATCH_PREFIX
 * of the documents bucket (a sync Invoke payload is limited to 6 MB), named with their SHA-256; the credential
 * (passphrase or TOTP) travels only in this one invocation's payload and never comes back, not even in an error.
 */
export const SIGNING_SCRATCH_PREFIX = 'sementara/tanda-tangan/';

export type SigningOp = 'describe' | 'readiness' | 'requestTotp' | 'signPdf';
export const SIGNING_OPS: readonly SigningOp[] = ['describe', 'readiness', 'requestTotp', 'signPdf'];

export interface S3Pdf {
  readonly bucket: string;
  readonly key: string;
  /** Hex SHA-256 of the object's bytes. */
  readonly sha256: string;
}

/** What the signing function is invoked with. `details.signingTime` is an ISO string on the wire. */
export interface SigningInvocation {
  readonly op: SigningOp;
  readonly official: SigningOfficial;
  readonly details?: { reason: string; location: string; name: string; contactInfo: string; signingTime: string };
  readonly credential?: SigningCredential;
  readonly input?: S3Pdf;
  readonly output?: { readonly bucket: string; readonly key: string };
}

/** A refusal, as the signing function returns it: the SepakatError's name, code and Indonesian message. */
export interface SigningFailure {
  readonly error: { readonly name: string; readonly code: string; readonly message: string };
}

export type SigningAnswer = { readonly result: unknown } | SigningFailure;

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const ERROR_NAMES = new Set<string>(Object.values(ErrorNames));

/**
 * An error in the form that crosses the invocation: a SepakatError keeps its name, code and message (they never
 * carry a credential: core/signing/signing-errors.ts); anything else becomes a transient failure without its text,
 * which could hold what the request held.
 */
export function failureOf(error: unknown): SigningFailure {
  if (error instanceof SepakatError) return { error: { name: error.name, code: error.code, message: error.message } };
  return {
    error: {
      name: ErrorNames.Transient,
      code: SigningErrorCodes.ProviderUnavailable,
      message: 'Fungsi tanda tangan gagal; silakan coba lagi.',
    },
  };
}

/** The same SepakatError again (name, code, message) on the caller's side. */
export function errorOf(failure: SigningFailure['error']): SepakatError {
  const name = ERROR_NAMES.has(failure.name) ? (failure.name as ErrorName) : ErrorNames.Transient;
  return new SepakatError(name, failure.message, { code: failure.code });
}

export const isFailure = (answer: unknown): answer is SigningFailure =>
  typeof answer === 'object' && answer !== null && 'error' in answer;
