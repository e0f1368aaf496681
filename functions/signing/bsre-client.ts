import { ErrorNames, SepakatError } from '../../core/errors.ts';
import type { SigningCredential } from '../../core/ports.ts';
import { SigningErrorCodes } from '../../core/signing/signing-errors.ts';

/**
 * A client of the BSrE eSign API v2 as integrators observed it (see README "Tanda tangan melalui BSrE" and
 * local/bsre/local-bsre.ts, the local service that speaks the same contract): Basic authentication, JSON bodies,
 * `user/check/status`, `sign/get/totp` and `sign/pdf`.
 *
 * Every request is bounded (20 s by default) and made once: a sign request is never retried, because a timeout
 * after it was sent has an unknown outcome. Nothing here logs, and no error carries a request body: the passphrase
 * or TOTP lives only in the body of the one `sign/pdf` request.
 *
 * Do not assume a response is JSON: status and content type are checked first.
 */
export interface BsreClientOptions {
  /** Base URL, without `/api/v2`. */
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Bound of each request; default 20 s. */
  readonly timeoutMs?: number;
}

/** Who signs, as BSrE knows them: NIK, else the BSrE account's email. */
export interface BsreSubject {
  readonly nik?: string;
  readonly email?: string;
}

export interface BsreStatus {
  /** `ISSUE`, `NOT_REGISTERED`, `NO_CERTIFICATE`; others (expired, revoked) exist but were not observed. */
  readonly status: string;
  readonly statusCode: number | null;
  readonly message: string;
}

export interface BsreSignatureProperties {
  readonly reason: string;
  readonly location: string;
  readonly contactInfo: string;
}

export const BSRE_TIMEOUT_MS = 20_000;

export class BsreClient {
  private readonly authorization: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: BsreClientOptions) {
    this.authorization = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? BSRE_TIMEOUT_MS;
  }

  /** `POST user/check/status`: the signer's registration and certificate status. */
  async status(subject: BsreSubject): Promise<BsreStatus> {
    const answer = await this.post('user/check/status', subjectBody(subject), 'status');
    // Observed: 200 with {status_code, message, status}. The local service (and, it is assumed, BSrE) answers a
    // refused subject the same way with another status code; anything else without a status is a failure.
    const json = answer.json as { status?: unknown; status_code?: unknown; message?: unknown } | undefined;
    if (!json || typeof json.status !== 'string')
      throw unavailable(`Jawaban status BSrE tidak dapat dibaca (HTTP ${answer.status})`);
    return {
      status: json.status,
      statusCode: typeof json.status_code === 'number' ? json.status_code : null,
      message: typeof json.message === 'string' ? json.message : '',
    };
  }

  /** `POST sign/get/totp`: BSrE sends a one-time code to the signer's BeSign app. */
  async requestTotp(subject: BsreSubject, purpose: string): Promise<void> {
    const answer = await this.post('sign/get/totp', { ...subjectBody(subject), data: purpose }, 'totp');
    if (answer.status === 200) return;
    const json = answer.json as { status?: unknown } | undefined;
    if (json && typeof json.status === 'string' && json.status !== 'ISSUE' && json.status !== 'SUCCESS')
      throw new SepakatError(ErrorNames.BadInput, `BSrE tidak mengirim TOTP: status ${json.status}`, {
        code: SigningErrorCodes.SignerNotReady,
      });
    throw unavailable(`BSrE tidak mengirim TOTP (HTTP ${answer.status})`);
  }

  /**
   * `POST sign/pdf` with one PDF and one invisible signature: the signed PDF, or a SepakatError whose code says
   * what happened. Made once; never retried here.
   */
  async signPdf(
    subject: BsreSubject,
    credential: SigningCredential,
    properties: BsreSignatureProperties,
    pdf: Uint8Array,
  ): Promise<Uint8Array> {
    const body = {
      ...subjectBody(subject),
      ...('passphrase' in credential ? { passphrase: credential.passphrase } : { totp: credential.totp }),
      signatureProperties: [{ tampilan: 'INVISIBLE', ...properties }],
      file: [Buffer.from(pdf).toString('base64')],
    };
    const answer = await this.post('sign/pdf', body, 'sign');
    if (answer.status === 200) {
      const json = answer.json as { file?: unknown } | undefined;
      const file = Array.isArray(json?.file) ? json.file : undefined;
      if (!file || file.length !== 1 || typeof file[0] !== 'string')
        throw refused('jawaban BSrE tidak memuat tepat satu berkas PDF');
      return new Uint8Array(Buffer.from(file[0], 'base64'));
    }
    if (answer.status === 401 || answer.status === 403)
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        'Akun integrasi BSrE ditolak (kredensial Basic salah atau alamat belum didaftarkan): hubungi administrator Sepakat.',
        { code: SigningErrorCodes.ProviderUnavailable },
      );
    const json = answer.json as { status?: unknown } | undefined;
    if (answer.status === 400 && json && (json.status === 'NOT_REGISTERED' || json.status === 'NO_CERTIFICATE'))
      throw new SepakatError(ErrorNames.BadInput, `BSrE menolak penanda tangan: status ${json.status}`, {
        code: SigningErrorCodes.SignerNotReady,
      });
    // A gateway that gave up while BSrE was still working: the signature may exist.
    if (answer.status === 502 || answer.status === 503 || answer.status === 504) throw unknownOutcome();
    // Observed: an empty or invalid PDF gives 500. Nothing was signed.
    if (answer.status >= 500)
      throw new SepakatError(ErrorNames.Transient, `BSrE gagal memproses dokumen (HTTP ${answer.status})`, {
        code: SigningErrorCodes.ProviderUnavailable,
      });
    // ASSUMPTION (not observed by integrators): BSrE answers a wrong passphrase or TOTP with a 4xx other than 401/403.
    // The local service answers 400 {status_code 2031|2032, error, message}; nothing beyond "4xx" is relied on.
    throw new SepakatError(
      ErrorNames.BadInput,
      'passphrase' in credential
        ? 'BSrE menolak passphrase TTE: tidak ada yang ditandatangani.'
        : 'BSrE menolak kode TOTP (salah atau kedaluwarsa): tidak ada yang ditandatangani.',
      { code: SigningErrorCodes.CredentialRefused },
    );
  }

  private async post(
    path: string,
    body: unknown,
    what: 'status' | 'totp' | 'sign',
  ): Promise<{ status: number; json: unknown }> {
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl.replace(/\/+$/, '')}/api/v2/${path}`, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      // Never connected: nothing was sent, so nothing can have been signed.
      if (notSent(error)) throw unavailable('Layanan BSrE tidak dapat dihubungi', error);
      // Sent, and no answer in time (or the connection broke): for a sign request the outcome is unknown.
      if (what === 'sign') throw unknownOutcome(error);
      throw unavailable('Layanan BSrE tidak menjawab', error);
    }
    const type = response.headers.get('content-type') ?? '';
    let json: unknown;
    try {
      json = type.includes('json') ? await response.json() : (await response.arrayBuffer(), undefined);
    } catch (error) {
      if (what === 'sign' && response.status === 200) throw unknownOutcome(error);
      json = undefined;
    }
    return { status: response.status, json };
  }
}

function subjectBody(subject: BsreSubject): Record<string, string> {
  if (subject.nik) return { nik: subject.nik };
  if (subject.email) return { email: subject.email };
  throw new SepakatError(ErrorNames.InvalidDefinition, 'Identitas BSrE (NIK atau email) penanda tangan kosong', {
    code: SigningErrorCodes.SignerNotReady,
  });
}

/** Connection refused, unknown host, or a socket that never opened: the request did not leave. */
function notSent(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'].includes(
    code,
  );
}

function unavailable(message: string, cause?: unknown): SepakatError {
  return new SepakatError(ErrorNames.Transient, `${message}; coba lagi beberapa saat lagi.`, {
    code: SigningErrorCodes.ProviderUnavailable,
    ...(cause ? { cause: causeName(cause) } : {}),
  });
}

function unknownOutcome(cause?: unknown): SepakatError {
  return new SepakatError(
    ErrorNames.Transient,
    'BSrE tidak menjawab permintaan tanda tangan dalam batas waktu: hasilnya tidak diketahui. BSrE tidak menyimpan dokumen yang dapat diambil; tanda tangani lagi dokumen yang sama untuk menyelesaikannya.',
    { code: SigningErrorCodes.OutcomeUnknown, ...(cause ? { cause: causeName(cause) } : {}) },
  );
}

export function refused(reason: string): SepakatError {
  return new SepakatError(ErrorNames.Transient, `Jawaban BSrE ditolak Sepakat: ${reason}. Tidak ada yang disimpan.`, {
    code: SigningErrorCodes.ResponseRefused,
  });
}

/** Only the error's name and code travel on: a fetch error's message could quote the URL, never the body. */
function causeName(error: unknown): Error {
  const e = error as { name?: unknown; cause?: { code?: unknown } };
  const code = typeof e.cause?.code === 'string' ? ` (${e.cause.code})` : '';
  return new Error(`${typeof e.name === 'string' ? e.name : 'Error'}${code}`);
}
