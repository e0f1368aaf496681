import { createHash } from 'node:crypto';
import { ErrorNames, isSepakatError } from '../errors.ts';
import type { CaseStore, HistoryEvent, MailAttachment, Mailer } from './model.ts';

/**
 * What one email of a fact came to: sent now, sent before (or nobody to send it to), or refused for good by the mail
 * service (`email-gagal` recorded on the case; a transient failure is thrown instead, to be retried).
 */
export type MailOutcome = 'terkirim' | 'sudah-terkirim' | 'ditolak';

/** The Message-ID of the email of fact `eventKey` of a case: the same on every resend. */
export const messageIdFor = (caseId: string, eventKey: string, domain: string) =>
  `<${createHash('sha256').update(`${caseId}|${eventKey}`).digest('hex').slice(0, 32)}@${domain}>`;

export interface MailOnceDeps<T extends string> {
  store: Pick<CaseStore, 'hasHistory' | 'appendHistory'>;
  mailer: Mailer;
  emails: { render(template: T, model: Record<string, unknown>): { subject: string; text: string; html: string } };
  mailDomain: string;
  now(): Date;
  /** Counts a mail sent or refused (metrics). */
  count?(name: 'MailSent' | 'MailFailed', caseId: string): Promise<void>;
  /** Called between the send and its fact (a fault point of the tests). */
  afterSend?(): void;
}

/**
 * What the mail service refused, as the `code` of its `MailRejected` error (the adapter tells): the recipient's
 * address (say, unverified in the SES sandbox, or suppressed), or the sender's side (its domain not verified, its
 * account stopped), which no other address of the recipient would cure.
 */
export const MAIL_REFUSAL = { alamat: 'alamat-ditolak', pengirim: 'pengirim-ditolak' } as const;

/** The key of the `email-gagal` fact of the email of fact `eventKey`. */
export const mailFailureKey = (eventKey: string) => `${eventKey}#gagal`;

/** The `email-gagal` fact of a permanent rejection of the email of fact `eventKey`: its key and its detail. */
export function mailFailure(
  caseId: string,
  eventKey: string,
  at: Date,
  detail: { to: string[]; subject: string; template: string; alasan: string; kode?: string },
): HistoryEvent {
  return {
    caseId,
    eventKey: mailFailureKey(eventKey),
    type: 'email-gagal',
    at: at.toISOString(),
    detail: { ...detail, kunci: eventKey },
  };
}

/**
 * Sends an email once per case and fact, recorded in the history (`email-terkirim`); a resend carries the same
 * Message-ID. The fact names the attachments (file name and size), never their bytes. An address the mail service
 * refuses for good is recorded as `email-gagal` (once), and nothing else is undone or stopped; a transient failure
 * is thrown (retried with backoff by whoever runs the work).
 */
export async function sendMailOnce<T extends string>(
  deps: MailOnceDeps<T>,
  caseId: string,
  eventKey: string,
  mail: {
    to: string[];
    template: T;
    model: Record<string, unknown>;
    attachments?: MailAttachment[];
    /**
     * The caller knows no email of this fact was sent: it created the fact this email belongs to in the same call, or
     * read in the same call that this email's fact is absent. The history is not read again. A replay of a call that
     * created the fact is not fresh, and reads it.
     */
    fresh?: boolean;
  },
): Promise<MailOutcome> {
  if (!mail.to.length) return 'sudah-terkirim';
  if (!mail.fresh && (await deps.store.hasHistory(caseId, eventKey))) return 'sudah-terkirim';
  const rendered = deps.emails.render(mail.template, mail.model);
  const messageId = messageIdFor(caseId, eventKey, deps.mailDomain);
  const attachments = mail.attachments ?? [];
  try {
    await deps.mailer.send({
      messageId,
      caseId,
      to: mail.to,
      ...rendered,
      ...(attachments.length ? { attachments } : {}),
    });
  } catch (error) {
    // A transient failure is retried (and counted as sent when it goes); only a refusal counts as failed.
    if (!isSepakatError(error, ErrorNames.MailRejected)) throw error;
    await deps.count?.('MailFailed', caseId);
    await deps.store.appendHistory(
      mailFailure(caseId, eventKey, deps.now(), {
        to: mail.to,
        subject: rendered.subject,
        template: mail.template,
        alasan: error.message,
        kode: error.code,
      }),
    );
    return 'ditolak';
  }
  await deps.count?.('MailSent', caseId);
  deps.afterSend?.();
  await deps.store.appendHistory({
    caseId,
    eventKey,
    type: 'email-terkirim',
    at: deps.now().toISOString(),
    detail: {
      to: mail.to,
      subject: rendered.subject,
      template: mail.template,
      messageId,
      ...(attachments.length
        ? { lampiran: attachments.map((a) => ({ nama: a.fileName, ukuran: a.content.length })) }
        : {}),
    },
  });
  return 'terkirim';
}
