import { randomBytes } from 'node:crypto';
import type { OutgoingMail } from '../../core/case/model.ts';

/**
 * The raw MIME message of an outgoing mail (RFC 5322, 2045–2047, 2231): our Message-ID, the subject as UTF-8
 * encoded words, the plain text and the HTML as multipart/alternative, attachments in multipart/mixed, every body
 * part base64 (UTF-8 text and binary alike, lines of 76). Small on purpose: the HTTP function carries it, and a mail
 * library would weigh more than everything it does here.
 */
export function composeMime(mail: OutgoingMail, from: string, date: Date): Buffer {
  const boundary = (kind: string) => `=_sepakat_${kind}_${randomBytes(12).toString('hex')}`;
  const lines: string[] = [
    `From: ${from}`,
    `To: ${mail.to.join(', ')}`,
    `Subject: ${encodeWord(mail.subject)}`,
    `Message-ID: ${mail.messageId.startsWith('<') ? mail.messageId : `<${mail.messageId}>`}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    'Content-Language: id',
  ];
  const alternative = boundary('alt');
  const body = [
    `--${alternative}`,
    ...part('text/plain; charset=utf-8', Buffer.from(mail.text, 'utf8')),
    ...(mail.html ? [`--${alternative}`, ...part('text/html; charset=utf-8', Buffer.from(mail.html, 'utf8'))] : []),
    `--${alternative}--`,
  ];
  if (!mail.attachments?.length) {
    lines.push(`Content-Type: multipart/alternative; boundary="${alternative}"`, '', ...body);
  } else {
    const mixed = boundary('mix');
    lines.push(
      `Content-Type: multipart/mixed; boundary="${mixed}"`,
      '',
      `--${mixed}`,
      `Content-Type: multipart/alternative; boundary="${alternative}"`,
      '',
      ...body,
    );
    for (const a of mail.attachments)
      lines.push(
        `--${mixed}`,
        ...part(`${a.contentType}; name=${quoted(a.fileName)}`, Buffer.from(a.content), fileNameParam(a.fileName)),
      );
    lines.push(`--${mixed}--`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

function part(contentType: string, content: Buffer, fileName?: string): string[] {
  return [
    `Content-Type: ${contentType}`,
    'Content-Transfer-Encoding: base64',
    ...(fileName ? [`Content-Disposition: attachment; ${fileName}`] : []),
    '',
    ...(content.toString('base64').match(/.{1,76}/g) ?? ['']),
  ];
}

const ASCII = /^[\x20-\x7E]*$/;

/** A header value as RFC 2047 encoded words when it is not plain ASCII (each word under 75 characters). */
function encodeWord(text: string): string {
  if (ASCII.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

const quoted = (text: string) =>
  `"${(ASCII.test(text) ? text : text.normalize('NFKD').replace(/[^\x20-\x7E]/g, '_')).replace(/["\\]/g, '_')}"`;

/** The filename parameter: plain when ASCII, else RFC 2231 (with an ASCII fallback before it). */
function fileNameParam(name: string): string {
  if (ASCII.test(name)) return `filename=${quoted(name)}`;
  return `filename=${quoted(name)}; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
