import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingMail } from '../../core/case/model.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import { MAIL_CASE_TAG } from '../../core/case/mail-events.ts';
import { MAIL_REFUSAL } from '../../core/case/mail-once.ts';
import { composeMime } from './mime.ts';

/** SES v2 errors that no retry cures: the message was refused. */
const PERMANENT = new Set(['MessageRejected', 'MailFromDomainNotVerifiedException', 'AccountSuspendedException']);

/** What each refusal means, as an official reads it (SES's own text is English and names its region). */
const MEANING: Record<string, string> = {
  MessageRejected: 'alamat penerima ditolak (di sandbox SES hanya alamat terverifikasi yang dapat menerima email)',
  MailFromDomainNotVerifiedException: 'domain pengirim belum terverifikasi di SES',
  AccountSuspendedException: 'pengiriman email akun ini dihentikan oleh SES',
};

/** Whether the recipient's address was refused, or the sender's side (`MAIL_REFUSAL`). */
const refusalOf = (error: Error) => (error.name === 'MessageRejected' ? MAIL_REFUSAL.alamat : MAIL_REFUSAL.pengirim);

/** What a person is shown of a refusal: its kind, in Indonesian, and the addresses it was for. */
function permanentReason(error: Error, to: readonly string[]): string {
  const meaning = MEANING[error.name] ?? 'email ditolak';
  return `ditolak layanan email (${error.name}): ${meaning}; penerima: ${to.join(', ')}`.slice(0, 400);
}

/**
 * Mail through the SES v2 API as raw MIME, so the Message-ID is ours: a resend after a crash carries the same
 * Message-ID (the local mail store keeps it once; mail clients thread it as one). Attachments go in the same MIME
 * message (multipart/mixed); SES v2 accepts up to 40 MB per message, the product keeps far below that
 * (core/documents/completion-package.ts sends a link instead above its limit).
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
    /** The time of the Date header. */
    private readonly clock: { now(): Date },
  ) {}

  async send(mail: OutgoingMail): Promise<void> {
    const raw = composeMime(mail, this.from, this.clock.now());
    try {
      await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: mail.to },
          Content: { Raw: { Data: raw } },
          // The case the mail is about, as an SES message tag: its bounce or complaint events carry it back
          // (core/case/mail-events.ts). A case id is letters, digits and "-", as tag values must be.
          ...(mail.caseId ? { EmailTags: [{ Name: MAIL_CASE_TAG, Value: mail.caseId }] } : {}),
        }),
      );
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0;
      if (
        status >= 500 ||
        status === 429 ||
        /Throttl|TooManyRequests|ECONN|socket|TimeoutError/i.test((error as Error)?.name ?? '')
      )
        throw new SepakatError(ErrorNames.Transient, 'Layanan email sementara tidak tersedia', { cause: error });
      // Refused for good (an unverified address in the sandbox, a suppressed or malformed one): a fact for the case,
      // never a reason to fail what sent it.
      if (PERMANENT.has((error as Error)?.name ?? ''))
        throw new SepakatError(ErrorNames.MailRejected, permanentReason(error as Error, mail.to), {
          cause: error,
          code: refusalOf(error as Error),
        });
      throw error;
    }
  }
}
