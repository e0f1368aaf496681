import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TimeZone } from '../../core/calendar/calendar-schema.ts';
import { formatWaktuSingkat } from '../../core/case/timeline.ts';
import { formatTanggalWaktu } from '../../core/format/tanggal.ts';
import { TemplateFolder } from '../../functions/render/handlebars.ts';
import type { StoredMail } from '../ses/local-ses.ts';

/**
 * The outbox of the embedded local default: the emails the local SES kept (`GET <ses>/store`), as web pages, so a
 * newcomer can click through a whole SOP in the browser (task links, codes, notices). It belongs to the local
 * world only: the local web server mounts it before the product's handler (`local/runtime.ts`); nothing deployed
 * serves it.
 *
 * A message is shown as its text part with links made clickable; the HTML part is never put into the page (every
 * value goes through Handlebars' escaping).
 */
export interface Outbox {
  /** Serves `/kotak-keluar` and `/kotak-keluar/<id>`; false when the request is not the outbox's. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export interface OutboxOptions {
  /** The local SES endpoint (its `/store` lists the kept messages). */
  sesEndpoint: string;
  /** The product's templates directory (the page layout is shared). */
  templatesDir: string;
  /** Times are shown in this zone (the local default's pemda work in WIB). */
  timeZone?: TimeZone;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const PATH = /^\/kotak-keluar(?:\/([A-Za-z0-9-]{1,100}))?\/?$/;
const LINK = /https?:\/\/[^\s<>"')]+/g;
const MAX_LIST = 500;

type Part = { text: string; href?: string };

/** A line of text split into plain parts and links (http and https only). */
export function linkParts(line: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of line.matchAll(LINK)) {
    const url = match[0].replace(/[.,;:]+$/, '');
    if (match.index > last) parts.push({ text: line.slice(last, match.index) });
    parts.push({ text: url, href: url });
    last = match.index + url.length;
  }
  if (last < line.length) parts.push({ text: line.slice(last) });
  return parts;
}

/** The text of an HTML-only message, for display (tags dropped; never rendered as HTML). */
const htmlAsText = (html: string) =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h\d)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

export function createOutbox(options: OutboxOptions): Outbox {
  const layout = new TemplateFolder(join(options.templatesDir, 'pages'), 'pages').load('layout.hbs');
  const own = new TemplateFolder(HERE, 'pages', 'local/outbox');
  const pages = {
    daftar: own.load('kotak-keluar.hbs'),
    surat: own.load('surat.hbs'),
    tidakTersedia: own.load('tidak-tersedia.hbs'),
  };
  const zone = options.timeZone ?? 'WIB';
  const when = (iso: string) => formatTanggalWaktu(new Date(iso), zone);

  const send = (res: ServerResponse, status: number, title: string, body: string, head = false) => {
    const html = layout({ title, kop: 'Kotak keluar lokal (pengembangan)', body });
    res
      .writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'content-security-policy':
          "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      })
      .end(head ? undefined : html);
  };
  const fetchJson = async <T>(path: string): Promise<T | undefined> => {
    const response = await fetch(`${options.sesEndpoint}${path}`);
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`local SES ${path}: ${response.status}`);
    return (await response.json()) as T;
  };

  return {
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://lokal');
      const match = PATH.exec(url.pathname);
      if (!match) return false;
      const method = (req.method ?? 'GET').toUpperCase();
      if (method !== 'GET' && method !== 'HEAD') {
        res
          .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
          .end('Metode tidak diizinkan');
        return true;
      }
      const head = method === 'HEAD';
      const id = match[1];
      try {
        if (!id) {
          const untuk = (url.searchParams.get('untuk') ?? '').trim().toLowerCase().slice(0, 200);
          const all = ((await fetchJson<StoredMail[]>('/store')) ?? []).reverse();
          const mails = untuk
            ? all.filter((m) => [...m.to, ...m.cc].some((a) => a.toLowerCase().includes(untuk)))
            : all;
          const body = pages.daftar({
            untuk,
            jumlah: mails.length,
            total: all.length,
            terpotong: mails.length > MAX_LIST,
            surat: mails.slice(0, MAX_LIST).map((m) => ({
              url: `/kotak-keluar/${encodeURIComponent(m.messageId)}`,
              waktu: `${formatWaktuSingkat(m.sentAt, zone)} ${zone}`,
              kepada: [...m.to, ...m.cc].join(', '),
              subjek: m.subject || '(tanpa subjek)',
              tautan: m.links.filter((l) => /^https?:\/\//.test(l)),
            })),
          });
          send(res, 200, 'Kotak keluar', body, head);
          return true;
        }
        const mail = await fetchJson<StoredMail>(`/store/${encodeURIComponent(id)}`);
        if (!mail) {
          send(res, 404, 'Surat tidak ditemukan', pages.surat({ tidakAda: true }), head);
          return true;
        }
        const text = mail.text ?? (mail.html ? htmlAsText(mail.html) : '');
        const body = pages.surat({
          subjek: mail.subject || '(tanpa subjek)',
          dari: mail.from,
          kepada: mail.to.join(', '),
          tembusan: mail.cc.join(', '),
          waktu: when(mail.sentAt),
          messageId: mail.headerMessageId,
          dariHtml: !mail.text && !!mail.html,
          paragraf: text
            .replace(/\r\n/g, '\n')
            .split(/\n\s*\n/)
            .map((p) => ({ baris: p.split('\n').map((line) => ({ bagian: linkParts(line) })) })),
          lampiran: mail.attachments.map((a) => ({
            nama: a.filename ?? '(tanpa nama)',
            jenis: a.contentType,
            ukuran: a.size,
          })),
        });
        send(res, 200, mail.subject.slice(0, 60) || 'Surat', body, head);
      } catch {
        send(res, 503, 'Kotak keluar tidak tersedia', pages.tidakTersedia({}), head);
      }
      return true;
    },
  };
}
