/**
 * A local stand-in for Amazon SES v2 `SendEmail`, for the embedded local default.
 *
 * It speaks the wire protocol @aws-sdk/client-sesv2 uses (`POST /v2/email/outbound-emails`, JSON),
 * so the product's SES adapter runs unchanged against it. Instead of delivering, it keeps every
 * message on disk under `<dataDir>/mail/`: `<MessageId>.eml` (the raw MIME) and `<MessageId>.json`
 * (a summary a developer, a test or the local UI can read). aws-ses-v2-local keeps mail in memory
 * only; this one survives restarts, which the local default needs.
 *
 * Delivery is exactly-once per RFC 5322 `Message-ID`: the SES MessageId is derived from it, and the
 * `.json` summary is committed with `link()`, which fails if it already exists. A sender that retries
 * (at-least-once) with the same Message-ID therefore gets the same MessageId and one stored message.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, link, unlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import MailComposer, { type MailComposerAttachment } from 'nodemailer/lib/mail-composer';
import addressparser from 'nodemailer/lib/addressparser';
import { z } from 'zod';

/** What the local SES keeps about one message, in `<dataDir>/mail/<messageId>.json`. */
export interface StoredMail {
  /** The SES MessageId returned to the sender (stable for a given Message-ID header). */
  messageId: string;
  /** The RFC 5322 Message-ID header, with angle brackets. */
  headerMessageId: string;
  /** When the local SES accepted the message (ISO 8601). */
  sentAt: string;
  /** Bare envelope-from address. */
  from: string;
  replyTo: string[];
  /** Bare addresses. For Raw content without a Destination these come from the MIME headers. */
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string | null;
  html: string | null;
  /** Absolute http(s) links found in the text and HTML bodies, first occurrence order, no duplicates. */
  links: string[];
  attachments: { filename: string | null; contentType: string; size: number }[];
  /** File name of the raw MIME message, relative to `<dataDir>/mail/`. */
  emlFile: string;
  /** The request's EmailTags, as SES events carry them (`mail.tags`: name → values); absent without tags. */
  tags?: Record<string, string[]>;
}

export interface LocalSesOptions {
  dataDir: string;
  host?: string;
  port?: number;
  /**
   * Addresses SES refuses, as the SES sandbox refuses an unverified one: a message to any of them is answered with
   * HTTP 400 `MessageRejected` and nothing is kept. Asked on every request; by default the comma-separated list in
   * `SEPAKAT_LOCAL_SES_REJECT`, so a developer (or a test) can make an address fail without a restart.
   */
  rejected?: () => readonly string[];
}

/** The addresses of `SEPAKAT_LOCAL_SES_REJECT` (comma- or space-separated), lower-cased. */
export function rejectedFromEnvironment(): string[] {
  return (process.env['SEPAKAT_LOCAL_SES_REJECT'] ?? '')
    .split(/[\s,]+/)
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
}

export interface LocalSes {
  /** Base URL to give the SESv2 client as `endpoint`. */
  endpoint: string;
  close(): Promise<void>;
}

/** SES v2 accepts messages up to 40 MB (after base64 decoding for Raw content). */
const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;
/** Base64 plus JSON framing around a maximal message. */
const MAX_REQUEST_BYTES = Math.ceil((MAX_MESSAGE_BYTES * 4) / 3) + 1024 * 1024;
/** SES rejects a message with more than 50 recipients. */
const MAX_RECIPIENTS = 50;
const MESSAGE_ID_PATTERN = /^[A-Za-z0-9-]{1,100}$/;
const TEMP_PREFIX = '.tmp-';

/** Client settings for @aws-sdk/client-sesv2 against the local SES. */
export function localSesClientConfig(endpoint: string, region = 'ap-southeast-3') {
  return {
    endpoint,
    region,
    // Local development only: the local SES does not check signatures, but the SDK needs some.
    credentials: { accessKeyId: 'local-development', secretAccessKey: 'local-development' },
  };
}

export async function startLocalSes(options: LocalSesOptions): Promise<LocalSes> {
  const { dataDir, host = '127.0.0.1', port = 0, rejected = rejectedFromEnvironment } = options;
  const store = new MailStore(dataDir);
  await store.init();

  const server = createServer((req, res) => {
    handle(store, rejected, req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        sendError(res, 500, 'InternalFailure', err instanceof Error ? err.message : String(err));
      } else {
        res.destroy(err instanceof Error ? err : undefined);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://${endpointHost(host)}:${address.port}`,
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      server.closeIdleConnections();
      await closed;
      await store.idle();
    },
  };
}

/** Every stored message, oldest first (by `sentAt`, then file name). */
export async function readMailbox(dataDir: string): Promise<StoredMail[]> {
  const dir = mailDir(dataDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
  const files = names.filter((n) => n.endsWith('.json') && !n.startsWith(TEMP_PREFIX));
  const mails = await Promise.all(
    files.map(async (name) => ({
      name,
      mail: JSON.parse(await readFile(path.join(dir, name), 'utf8')) as StoredMail,
    })),
  );
  mails.sort((a, b) =>
    a.mail.sentAt < b.mail.sentAt
      ? -1
      : a.mail.sentAt > b.mail.sentAt
        ? 1
        : a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : 0,
  );
  return mails.map((m) => m.mail);
}

function mailDir(dataDir: string): string {
  return path.join(dataDir, 'mail');
}

function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

// ---------------------------------------------------------------------------------------------
// HTTP

async function handle(
  store: MailStore,
  rejected: () => readonly string[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const pathname = url.pathname.replace(/\/+$/, '') || '/';

  if (pathname === '/v2/email/outbound-emails') {
    if (req.method !== 'POST') return sendError(res, 405, 'MethodNotAllowedException', 'Use POST.');
    const body = await readBody(req, MAX_REQUEST_BYTES);
    if (body === undefined) {
      return sendError(res, 413, 'BadRequestException', 'Request entity too large.');
    }
    let json: unknown;
    try {
      json = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return sendError(res, 400, 'BadRequestException', 'The request body is not valid JSON.');
    }
    try {
      const prepared = await prepareMessage(json);
      const refused = new Set(rejected().map((a) => a.toLowerCase()));
      const failed = [...prepared.summary.to, ...prepared.summary.cc, ...prepared.summary.bcc].filter((a) =>
        refused.has(a.toLowerCase()),
      );
      // What SES answers in the sandbox for an unverified recipient (the whole message is refused).
      if (failed.length)
        return sendError(
          res,
          400,
          'MessageRejected',
          `Email address is not verified. The following identities failed the check in region AP-SOUTHEAST-3: ${failed.join(', ')}`,
        );
      const stored = await store.put(prepared);
      return sendJson(res, 200, { MessageId: stored.messageId });
    } catch (err) {
      if (err instanceof SesBadRequest) return sendError(res, 400, 'BadRequestException', err.message);
      throw err;
    }
  }

  if (req.method === 'GET' && pathname === '/store') {
    return sendJson(res, 200, await readMailbox(store.dataDir));
  }
  const one = /^\/store\/([^/]+)(\/raw)?$/.exec(pathname);
  if (req.method === 'GET' && one) {
    const id = decodeURIComponent(one[1] ?? '');
    const found = MESSAGE_ID_PATTERN.test(id) ? await store.get(id) : undefined;
    if (!found) return sendError(res, 404, 'NotFoundException', `No message ${id}.`);
    if (one[2]) {
      const raw = await readFile(path.join(store.dir, found.emlFile));
      res.writeHead(200, { 'content-type': 'message/rfc822', 'content-length': raw.length });
      res.end(raw);
      return;
    }
    return sendJson(res, 200, found);
  }

  return sendError(
    res,
    404,
    'NotFoundException',
    `The local SES implements SendEmail (POST /v2/email/outbound-emails) and GET /store only; got ${req.method} ${pathname}.`,
  );
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomBytes(16).toString('hex'),
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  // The SDK reads the error name from x-amzn-ErrorType (then __type) and the text from `message`.
  res.setHeader('x-amzn-errortype', type);
  sendJson(res, status, { __type: type, message });
}

class SesBadRequest extends Error {
  override readonly name = 'SesBadRequest';
}

// ---------------------------------------------------------------------------------------------
// Request → message

const contentSchema = z.object({ Data: z.string().optional(), Charset: z.string().optional() });
const addressListSchema = z.array(z.string()).optional();

const sendEmailRequestSchema = z.object({
  FromEmailAddress: z.string().optional(),
  Destination: z
    .object({ ToAddresses: addressListSchema, CcAddresses: addressListSchema, BccAddresses: addressListSchema })
    .optional(),
  ReplyToAddresses: addressListSchema,
  EmailTags: z.array(z.object({ Name: z.string().min(1).max(256), Value: z.string().max(256) })).optional(),
  Content: z
    .object({
      Simple: z
        .object({
          Subject: contentSchema.optional(),
          Body: z.object({ Text: contentSchema.optional(), Html: contentSchema.optional() }).optional(),
          Headers: z.array(z.object({ Name: z.string(), Value: z.string() })).optional(),
          Attachments: z
            .array(
              z.object({
                RawContent: z.string(),
                FileName: z.string(),
                ContentType: z.string().optional(),
                ContentDisposition: z.enum(['ATTACHMENT', 'INLINE']).optional(),
                ContentId: z.string().optional(),
                ContentDescription: z.string().optional(),
              }),
            )
            .optional(),
        })
        .optional(),
      Raw: z.object({ Data: z.string().optional() }).optional(),
      Template: z.unknown().optional(),
    })
    .optional(),
});
type SendEmailRequest = z.infer<typeof sendEmailRequestSchema>;

interface PreparedMessage {
  headerMessageId: string;
  raw: Buffer;
  summary: Omit<StoredMail, 'messageId' | 'sentAt' | 'emlFile' | 'headerMessageId'>;
}

async function prepareMessage(json: unknown): Promise<PreparedMessage> {
  const parsed = sendEmailRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SesBadRequest(
      `Invalid request: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'malformed'}.`,
    );
  }
  const request = parsed.data;
  const content = request.Content;
  if (!content) throw new SesBadRequest('Missing required field Content.');
  const kinds = [content.Simple, content.Raw, content.Template].filter((c) => c !== undefined);
  if (kinds.length !== 1) {
    throw new SesBadRequest('Content must contain exactly one of Simple, Raw or Template.');
  }
  if (content.Template !== undefined) {
    throw new SesBadRequest('Template content is not supported by the local SES; send Simple or Raw content.');
  }
  const prepared = content.Simple
    ? await prepareSimple(request, content.Simple)
    : await prepareRaw(request, content.Raw?.Data);
  const tags = request.EmailTags ?? [];
  if (tags.length)
    prepared.summary.tags = Object.fromEntries(
      tags.map((t) => [t.Name, tags.filter((u) => u.Name === t.Name).map((u) => u.Value)]),
    );
  return prepared;
}

type SimpleContent = NonNullable<NonNullable<SendEmailRequest['Content']>['Simple']>;

async function prepareSimple(request: SendEmailRequest, simple: SimpleContent): Promise<PreparedMessage> {
  if (!request.FromEmailAddress) throw new SesBadRequest('Missing required field FromEmailAddress.');
  const from = oneAddress(request.FromEmailAddress, 'FromEmailAddress');
  const subject = simple.Subject?.Data;
  if (subject === undefined) throw new SesBadRequest('Missing required field Subject.');
  const text = simple.Body?.Text?.Data;
  const html = simple.Body?.Html?.Data;
  if (text === undefined && html === undefined) {
    throw new SesBadRequest('Missing required field Body: give Text, Html or both.');
  }
  const to = addresses(request.Destination?.ToAddresses, 'ToAddresses');
  const cc = addresses(request.Destination?.CcAddresses, 'CcAddresses');
  const bcc = addresses(request.Destination?.BccAddresses, 'BccAddresses');
  checkRecipientCount(to.length + cc.length + bcc.length);
  const replyTo = addresses(request.ReplyToAddresses, 'ReplyToAddresses');

  const extraHeaders: Record<string, string> = {};
  let messageIdHeader: string | undefined;
  for (const header of simple.Headers ?? []) {
    if (header.Name.toLowerCase() === 'message-id') messageIdHeader = header.Value;
    else extraHeaders[header.Name] = header.Value;
  }

  const attachments: MailComposerAttachment[] = (simple.Attachments ?? []).map((a) => ({
    filename: a.FileName,
    content: decodeBase64(a.RawContent, `Attachments ${a.FileName}`),
    ...(a.ContentType ? { contentType: a.ContentType } : {}),
    ...(a.ContentDisposition
      ? { contentDisposition: a.ContentDisposition === 'INLINE' ? 'inline' : 'attachment' }
      : {}),
    ...(a.ContentId ? { cid: a.ContentId.replace(/^<|>$/g, '') } : {}),
  }));

  const headerMessageId = normaliseMessageId(messageIdHeader) ?? generateMessageId();
  // Bcc stays out of the headers, as SES does: it is envelope-only.
  const raw = await new MailComposer({
    from: request.FromEmailAddress,
    ...(request.Destination?.ToAddresses?.length ? { to: request.Destination.ToAddresses } : {}),
    ...(request.Destination?.CcAddresses?.length ? { cc: request.Destination.CcAddresses } : {}),
    ...(request.ReplyToAddresses?.length ? { replyTo: request.ReplyToAddresses } : {}),
    subject,
    ...(text !== undefined ? { text } : {}),
    ...(html !== undefined ? { html } : {}),
    messageId: headerMessageId,
    headers: extraHeaders,
    attachments,
  })
    .compile()
    .build();
  if (raw.length > MAX_MESSAGE_BYTES) throw new SesBadRequest('Message length exceeds 40 MB.');

  return {
    headerMessageId,
    raw,
    summary: {
      from,
      replyTo,
      to,
      cc,
      bcc,
      subject,
      text: text ?? null,
      html: html ?? null,
      links: findLinks(text ?? null, html ?? null),
      attachments: attachments.map((a) => ({
        filename: a.filename === false || a.filename === undefined ? null : a.filename,
        contentType: a.contentType ?? 'application/octet-stream',
        size: Buffer.isBuffer(a.content) ? a.content.length : 0,
      })),
    },
  };
}

async function prepareRaw(request: SendEmailRequest, data: string | undefined): Promise<PreparedMessage> {
  if (!data) throw new SesBadRequest('Missing required field Raw.Data.');
  let raw = decodeBase64(data, 'Raw.Data');
  if (raw.length === 0) throw new SesBadRequest('Raw.Data is empty.');
  if (raw.length > MAX_MESSAGE_BYTES) throw new SesBadRequest('Message length exceeds 40 MB.');

  const mail = await simpleParser(raw, { skipImageLinks: true });
  let headerMessageId = normaliseMessageId(mail.messageId);
  if (!headerMessageId) {
    // SES gives every message a Message-ID; without one there is nothing to deduplicate on.
    headerMessageId = generateMessageId();
    raw = Buffer.concat([Buffer.from(`Message-ID: ${headerMessageId}\r\n`), raw]);
  }

  const fromHeader = addressObjects(mail.from)[0];
  const from = request.FromEmailAddress ? oneAddress(request.FromEmailAddress, 'FromEmailAddress') : fromHeader;
  if (!from) throw new SesBadRequest('Missing From: give FromEmailAddress or a From header in the raw message.');

  const destination = request.Destination;
  const hasDestination =
    !!destination &&
    (destination.ToAddresses?.length ?? 0) +
      (destination.CcAddresses?.length ?? 0) +
      (destination.BccAddresses?.length ?? 0) >
      0;
  // As SES does: an explicit Destination overrides the recipients named in the headers.
  const to = hasDestination ? addresses(destination?.ToAddresses, 'ToAddresses') : addressObjects(mail.to);
  const cc = hasDestination ? addresses(destination?.CcAddresses, 'CcAddresses') : addressObjects(mail.cc);
  const bcc = hasDestination ? addresses(destination?.BccAddresses, 'BccAddresses') : addressObjects(mail.bcc);
  checkRecipientCount(to.length + cc.length + bcc.length);

  const html = typeof mail.html === 'string' ? mail.html : null;
  const text = mail.text ?? null;
  return {
    headerMessageId,
    raw,
    summary: {
      from,
      replyTo: request.ReplyToAddresses?.length
        ? addresses(request.ReplyToAddresses, 'ReplyToAddresses')
        : addressObjects(mail.replyTo),
      to,
      cc,
      bcc,
      subject: mail.subject ?? '',
      text,
      html,
      links: findLinks(text, html),
      attachments: mail.attachments.map((a) => ({
        filename: a.filename ?? null,
        contentType: a.contentType,
        size: a.size,
      })),
    },
  };
}

function checkRecipientCount(count: number): void {
  if (count === 0) {
    throw new SesBadRequest(
      'Missing required field Destination: give at least one of ToAddresses, CcAddresses or BccAddresses.',
    );
  }
  if (count > MAX_RECIPIENTS) throw new SesBadRequest(`Recipient count exceeds ${MAX_RECIPIENTS}.`);
}

function decodeBase64(value: string, field: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new SesBadRequest(`${field} is not valid base64.`);
  }
  return Buffer.from(compact, 'base64');
}

/** Bare addresses from SES address strings ("Name <a@b.c>" or "a@b.c"); rejects what SES calls an illegal address. */
function addresses(values: string[] | undefined, field: string): string[] {
  const result: string[] = [];
  for (const value of values ?? []) {
    const parsed = addressparser(value, { flatten: true });
    if (parsed.length !== 1 || !isAddress(parsed[0]?.address)) {
      throw new SesBadRequest(`Illegal address in ${field}: ${value}`);
    }
    result.push(parsed[0]!.address);
  }
  return result;
}

function oneAddress(value: string, field: string): string {
  return addresses([value], field)[0]!;
}

function isAddress(address: string | undefined): address is string {
  return !!address && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address);
}

function addressObjects(value: AddressObject | AddressObject[] | undefined): string[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const result: string[] = [];
  const visit = (entries: { address?: string | undefined; group?: unknown[] | undefined }[]): void => {
    for (const entry of entries) {
      if (entry.address) result.push(entry.address);
      if (Array.isArray(entry.group)) visit(entry.group as typeof entries);
    }
  };
  for (const object of objects) visit(object.value);
  return result;
}

function normaliseMessageId(value: string | undefined): string | undefined {
  const trimmed = value?.trim().replace(/^<|>$/g, '').trim();
  return trimmed ? `<${trimmed}>` : undefined;
}

function generateMessageId(): string {
  return `<${randomBytes(16).toString('hex')}@local-ses.sepakat>`;
}

/** The SES MessageId for a Message-ID header: deterministic, so a resend maps to the same stored message. */
function sesMessageId(headerMessageId: string): string {
  const hash = createHash('sha256').update(headerMessageId.toLowerCase()).digest('hex');
  return `local-${hash.slice(0, 40)}`;
}

// ---------------------------------------------------------------------------------------------
// Links

const URL_IN_TEXT = /https?:\/\/[^\s<>"'`]+/gi;
const HREF = /\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/gi;

function findLinks(text: string | null, html: string | null): string[] {
  const found: string[] = [];
  const add = (candidate: string): void => {
    const link = trimTrailing(candidate.trim());
    if (!/^https?:\/\//i.test(link)) return;
    try {
      new URL(link);
    } catch {
      return;
    }
    if (!found.includes(link)) found.push(link);
  };
  for (const match of (text ?? '').matchAll(URL_IN_TEXT)) add(match[0]);
  if (html) {
    for (const match of html.matchAll(HREF)) add(decodeEntities(match[1] ?? match[2] ?? match[3] ?? ''));
    const visible = decodeEntities(html.replace(/<[^>]*>/g, ' '));
    for (const match of visible.matchAll(URL_IN_TEXT)) add(match[0]);
  }
  return found;
}

/** Drops sentence punctuation after a URL in prose, and closing brackets that do not close one in the URL. */
function trimTrailing(url: string): string {
  let result = url;
  for (;;) {
    const last = result.at(-1);
    if (last && '.,;:!?'.includes(last)) {
      result = result.slice(0, -1);
      continue;
    }
    const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
    const open = last ? pairs[last] : undefined;
    if (open && count(result, last!) > count(result, open)) {
      result = result.slice(0, -1);
      continue;
    }
    return result;
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos|nbsp);/gi, (_, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' } as Record<string, string>)[lower]!;
  });
}

// ---------------------------------------------------------------------------------------------
// Storage

class MailStore {
  private readonly inFlight = new Map<string, Promise<StoredMail>>();
  private lastSentAt = 0;

  readonly dir: string;

  constructor(readonly dataDir: string) {
    this.dir = mailDir(dataDir);
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // A crash between writing a temp file and renaming it leaves the temp file behind; it was never
    // acknowledged to a sender, so it is safe to drop.
    for (const name of await readdir(this.dir)) {
      if (name.startsWith(TEMP_PREFIX)) await unlink(path.join(this.dir, name)).catch(() => undefined);
    }
  }

  async get(messageId: string): Promise<StoredMail | undefined> {
    try {
      return JSON.parse(await readFile(path.join(this.dir, `${messageId}.json`), 'utf8')) as StoredMail;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  /** Stores the message unless one with the same Message-ID is stored already; returns what is stored. */
  put(message: PreparedMessage): Promise<StoredMail> {
    const messageId = sesMessageId(message.headerMessageId);
    // Concurrent duplicates within this process wait for the first instead of writing twice.
    const pending = this.inFlight.get(messageId);
    if (pending) return pending;
    const work = this.write(messageId, message).finally(() => this.inFlight.delete(messageId));
    this.inFlight.set(messageId, work);
    return work;
  }

  async idle(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async write(messageId: string, message: PreparedMessage): Promise<StoredMail> {
    const existing = await this.get(messageId);
    if (existing) return existing;

    const emlFile = `${messageId}.eml`;
    const stored: StoredMail = {
      messageId,
      headerMessageId: message.headerMessageId,
      sentAt: this.nextSentAt(),
      ...message.summary,
      emlFile,
    };
    // The .eml first, the .json last: the .json is the commit record, so a crash in between leaves
    // an .eml that the next send with this Message-ID overwrites.
    const emlTemp = await this.writeTemp(message.raw);
    await rename(emlTemp, path.join(this.dir, emlFile));
    const jsonTemp = await this.writeTemp(Buffer.from(JSON.stringify(stored, null, 2)));
    try {
      // link() fails with EEXIST instead of replacing: exactly one writer commits, even across processes.
      await link(jsonTemp, path.join(this.dir, `${messageId}.json`));
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
      const winner = await this.get(messageId);
      if (winner) return winner;
      throw err;
    } finally {
      await unlink(jsonTemp).catch(() => undefined);
    }
    return stored;
  }

  /** Strictly increasing within a process, so two sends in one millisecond still list in order. */
  private nextSentAt(): string {
    this.lastSentAt = Math.max(Date.now(), this.lastSentAt + 1);
    return new Date(this.lastSentAt).toISOString();
  }

  /**
   * One write of a new temporary file (`wx`: never another writer's), without an fsync: the rename or link that
   * follows is the atomic step, and what a crash of this process leaves is in the page cache all the same. Only a
   * crash of the machine could lose a message a sender was told was sent: acceptable for a local development
   * mailbox (it used to fsync the .eml, the .json and the directory for every message).
   */
  private async writeTemp(content: Buffer): Promise<string> {
    const temp = path.join(this.dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    await writeFile(temp, content, { flag: 'wx' });
    return temp;
  }
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
