import { randomBytes } from 'node:crypto';
import { documentKindLabel } from '../../core/documents/kinds.ts';
import { z } from 'zod';
import { ErrorNames, isSepakatError } from '../../core/errors.ts';
import type { FormErrors, LinkProblem, TaskView } from '../../core/case/task-actions.ts';
import { acceptLabel, formatBytes } from '../../core/files/accepted-files.ts';
import { recordDownload } from '../../core/case/downloads.ts';
import { CODE_LIMIT, FRESH_LINK_LIMIT } from '../../core/case/link-limits.ts';
import type { HistoryEvent, StoredFile } from '../../core/case/model.ts';
import type { App } from '../app.ts';
import { verificationRoutes } from './verification-routes.ts';
import {
  canSeeAnalytics,
  canSeeArchive,
  canSeeDashboard,
  has,
  ROLE_LABEL,
  type Principal,
} from '../../core/access/access.ts';
import { Sessions, type Session } from '../auth/session.ts';
import { webRoutes } from './web-routes.ts';
import { UPLOAD_REQUEST_LABELS, UploadRequest } from './input-schemas.ts';
import { issueMessages, parseInput } from '../../core/validation/issues.ts';
import { guardRecord, type RecordKind, type RouteParam } from './record-access.ts';
import type { DocumentRecord } from '../adapters/document-store.ts';

/** The API Gateway HTTP API (payload 2.0) event and result, as AWS sends them; the local web server builds the same. */
export interface HttpEvent {
  rawPath: string;
  rawQueryString?: string;
  headers: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: { http: { method: string; sourceIp?: string } };
}
export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /** The body is base64 of binary content (a PDF); API Gateway and the local web server send the bytes. */
  isBase64Encoded?: boolean;
}

/** One route: a method, a path pattern (its groups are the match), and what it runs. */
export interface Route {
  method: string;
  pattern: RegExp;
  run: (event: HttpEvent, match: string[]) => Promise<HttpResult>;
  /**
   * What each group of `pattern` names, in order (`RouteParam`): a pemda's record (answered through
   * `WebContext.guard`: another pemda's exactly as an unknown id), a capability link, or a plain value. Every route
   * whose pattern has groups declares them all; test/cross-pemda.test.ts walks the table.
   */
  params?: readonly RouteParam[];
  /** A pemda's record a POST names in a form field instead of its path (the agreement actions' `nomor`). */
  formRecord?: { field: string; kind: RecordKind };
}

/** A page model's shape for `message`. */
export interface MessageModel {
  judul: string;
  pesan: string;
  jenis?: 'ok' | 'info' | 'salah';
  rincian?: { label: string; nilai: string }[];
  aksi?: { url: string; tombol: string; keterangan: string };
  /** A plain link (GET) to go on from the message, e.g. back to the case page. */
  tautan?: { url: string; label: string };
}

/**
 * What a module of routes gets: the app, the page renderer, and the console session. Route modules live beside this
 * file (`verification-routes.ts`, the console's) and are listed once in `httpApiHandler`.
 */
export interface WebContext {
  app: App;
  sessions: Sessions;
  /** Renders a page in the layout; with a session, the layout shows who is signed in and the console menu. */
  html(
    status: number,
    page: string,
    model: Record<string, unknown>,
    title: string,
    options?: { kop?: string; session?: Session },
  ): HttpResult;
  message(status: number, model: MessageModel, session?: Session): HttpResult;
  json(status: number, body: unknown): HttpResult;
  /** The form fields of a urlencoded POST (first value of each name). */
  form(event: HttpEvent): Record<string, string>;
  /**
   * The signed-in session allowed by `allow` (default: any signed-in user), or the result to return instead: a
   * redirect to the sign-in page (no session, or it expired), or 403 (signed in, not allowed).
   */
  signedIn(
    event: HttpEvent,
    allow?: (p: Principal) => boolean,
  ): Promise<{ session: Session; result?: undefined } | { result: HttpResult }>;
  /**
   * For a POST that acts: the session (as `signedIn`), its CSRF token checked against the form's `_csrf`, and the
   * parsed form; or the result to return instead (403 when the token is missing or wrong).
   */
  acting(
    event: HttpEvent,
    allow?: (p: Principal) => boolean,
  ): Promise<{ session: Session; form: Record<string, string>; result?: undefined } | { result: HttpResult }>;
  /**
   * The one answer for a pemda's record a route names (core/access `recordAccess`): undefined when the principal may
   * go on; else the kind's 404 page when there is no such record (`recordPemdaId` undefined) or it is another
   * pemda's — the same page, and `may` is not asked — or 403 (with `pesan`) when `may` refuses their role.
   */
  guard(
    session: Session,
    kind: RecordKind,
    recordPemdaId: string | undefined,
    may?: () => boolean | Promise<boolean>,
    pesan?: string,
  ): Promise<HttpResult | undefined>;
}

const TOKEN = '([A-Za-z0-9_-]{22}\\.\\d{1,6}\\.[A-Za-z0-9_-]{8}\\.[A-Za-z0-9_-]{32}|[^/]{1,200})';

/** Routes of the action pages and the intake API. GET only shows; only POST acts. */
export function httpApiHandler(app: App) {
  const pages = new TaskPages(app);
  const publicOrigin = new URL(app.config.SEPAKAT_PUBLIC_BASE_URL).origin;
  const sessions = new Sessions({
    key: app.config.SEPAKAT_LINK_KEY,
    ttlSeconds: app.config.SEPAKAT_SESSION_TTL_MINUTES * 60,
    secure: app.config.SEPAKAT_PUBLIC_BASE_URL.startsWith('https:'),
    clock: app.runtimeClock,
  });
  pages.sessions = sessions;
  const ctx = webContext(app, pages, sessions);
  const routes: Route[] = [
    { method: 'GET', pattern: /^\/$/, run: async (e) => pages.home(sessions.read(e.headers).session) },
    { method: 'GET', pattern: /^\/kesehatan$/, run: async () => json(200, { status: 'ok' }) },
    ...verificationRoutes(app, (status, page, model, title) => pages.html(status, page, model, title)),
    // Task links: the link is the authority; what it names beyond its task is scoped to the task's case.
    {
      method: 'GET',
      pattern: new RegExp(`^/tugas/${TOKEN}$`),
      params: ['tautan'],
      run: async (_e, m) => pages.show(m[1]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}$`),
      params: ['tautan'],
      run: async (e, m) => pages.submit(m[1]!, parseForm(e)),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/unggah$`),
      params: ['tautan'],
      run: async (e, m) => pages.upload(m[1]!, bodyText(e)),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/kode$`),
      params: ['tautan'],
      run: async (_e, m) => pages.sendCode(m[1]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/tautan-baru$`),
      params: ['tautan'],
      run: async (_e, m) => pages.renew(m[1]!),
    },
    // Downloads are acts (POST, then a short-lived link), so a mail scanner following GETs records nothing.
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/dokumen/([A-Za-z0-9_-]{22})$`),
      params: ['tautan', 'dokumen'],
      run: async (_e, m) => pages.generatedDocument(m[1]!, m[2]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/berkas/(\\d{1,4})$`),
      params: ['tautan', 'urutan'],
      run: async (_e, m) => pages.download(m[1]!, Number(m[2])),
    },
    ...webRoutes(ctx),
  ];

  const handle = async (event: HttpEvent): Promise<HttpResult> => {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath;
    try {
      const matching = routes.filter((r) => r.pattern.test(path));
      if (!matching.length)
        return pages.message(404, { judul: 'Halaman tidak ditemukan', pesan: 'Alamat yang Anda buka tidak ada.' });
      const route = matching.find((r) => r.method === method || (method === 'HEAD' && r.method === 'GET'));
      if (!route)
        return {
          ...pages.message(405, {
            judul: 'Metode tidak diizinkan',
            pesan: 'Halaman ini tidak menerima permintaan tersebut.',
          }),
          headers: { ...htmlHeaders(''), allow: matching.map((r) => r.method).join(', ') },
        };
      if (method === 'POST' && !sameOrigin(event, publicOrigin))
        return pages.message(403, {
          judul: 'Permintaan ditolak',
          pesan: 'Formulir dikirim dari situs lain. Buka tautan dari email Anda lalu kirim dari halaman itu.',
        });
      const result = await route.run(event, route.pattern.exec(path)!.slice(0) as string[]);
      return method === 'HEAD' ? { ...result, body: '' } : result;
    } catch (error) {
      if (isSepakatError(error, ErrorNames.BadInput))
        return path.startsWith('/api/')
          ? json(400, { pesan: error.message })
          : pages.message(400, { judul: 'Permintaan tidak valid', pesan: error.message });
      if (isSepakatError(error, ErrorNames.Limited))
        return path.startsWith('/api/')
          ? json(429, { pesan: error.message })
          : pages.message(429, { judul: 'Batas permintaan tercapai', pesan: error.message });
      if (isSepakatError(error, ErrorNames.Tampered)) {
        console.error(
          JSON.stringify({ level: 'error', route: `/${path.split('/')[1] ?? ''}`, method, error: error.code }),
        );
        return pages.message(409, { judul: 'Berkas tidak utuh', pesan: error.message });
      }
      if (error instanceof z.ZodError)
        return json(400, { pesan: 'Data permintaan tidak valid', rincian: issueMessages(error, {}) });
      const transient = isSepakatError(error, ErrorNames.Transient);
      if (!transient)
        console.error(
          // The path only up to its first segment: paths under /tugas/ are capability links, never logged.
          JSON.stringify({
            level: 'error',
            route: `/${path.split('/')[1] ?? ''}`,
            method,
            error: String(error),
            stack: (error as Error)?.stack,
          }),
        );
      return pages.message(transient ? 503 : 500, {
        judul: 'Terjadi gangguan',
        pesan: transient
          ? 'Layanan sedang sibuk. Tidak ada yang berubah; silakan coba lagi sebentar lagi.'
          : 'Terjadi kesalahan pada sistem. Tidak ada yang berubah; silakan coba lagi atau hubungi Bagian Kerja Sama.',
      });
    }
  };
  // The route table travels with the handler, for what walks it (test/cross-pemda.test.ts).
  return Object.assign(handle, { routes: routes as readonly Route[] });
}

function webContext(app: App, pages: TaskPages, sessions: Sessions): WebContext {
  const deny = (session: Session) =>
    pages.message(
      403,
      {
        judul: 'Akses ditolak',
        pesan: 'Peran atau unit kerja Anda tidak memberi akses ke halaman ini. Hubungi administrator bila perlu.',
      },
      session,
    );
  const signedIn: WebContext['signedIn'] = async (event, allow) => {
    const { session, expired } = sessions.read(event.headers);
    if (!session) {
      const method = event.requestContext.http.method.toUpperCase();
      if (method !== 'GET' && method !== 'HEAD')
        return {
          result: pages.message(401, {
            judul: expired ? 'Sesi berakhir' : 'Perlu masuk',
            pesan: expired
              ? 'Sesi Anda sudah berakhir; tidak ada yang diubah. Silakan masuk kembali lalu ulangi.'
              : 'Silakan masuk terlebih dahulu.',
            // A link (GET): a form posting to /masuk would carry no sign-in token and always be refused.
            tautan: { url: '/masuk', label: 'Masuk' },
          }),
        };
      const back = event.rawPath + (event.rawQueryString ? `?${event.rawQueryString}` : '');
      return {
        result: {
          statusCode: 303,
          headers: {
            location: `/masuk?lanjut=${encodeURIComponent(back)}${expired ? '&sesi=berakhir' : ''}`,
            'cache-control': 'no-store',
            ...(expired ? { 'set-cookie': sessions.clear() } : {}),
          },
          body: '',
        },
      };
    }
    if (allow && !allow(session.principal)) return { result: deny(session) };
    return { session };
  };
  return {
    app,
    sessions,
    html: (status, page, model, title, options) =>
      pages.html(status, page, model, title, options?.kop, options?.session),
    message: (status, model, session) => pages.message(status, model, session),
    json,
    form: parseForm,
    signedIn,
    async acting(event, allow) {
      const found = await signedIn(event, allow);
      if (found.result) return found;
      const form = parseForm(event);
      if (!sessions.checkCsrf(found.session, form))
        return {
          result: pages.message(
            403,
            {
              judul: 'Formulir kedaluwarsa',
              pesan:
                'Formulir ini tidak dapat diverifikasi (token keamanan tidak cocok). Muat ulang halaman lalu kirim lagi.',
            },
            found.session,
          ),
        };
      return { session: found.session, form };
    },
    async guard(session, kind, recordPemdaId, may = () => true, pesan) {
      const answer = await guardRecord(session.principal, kind, recordPemdaId, may, pesan);
      return answer === 'boleh' ? undefined : pages.message(answer.status, answer.model, session);
    },
  };
}

/** Mail scanners and other sites cannot act: a POST must come from our own pages (or carry no Origin at all). */
function sameOrigin(event: HttpEvent, publicOrigin: string): boolean {
  const origin = event.headers.origin;
  if (origin && origin !== 'null') return origin === publicOrigin;
  return event.headers['sec-fetch-site'] !== 'cross-site';
}

/**
 * The caller's network address, as limits key on it: the address API Gateway saw (in AWS behind CloudFront, the
 * viewer's address CloudFront passes on).
 */
export function callerAddress(event: HttpEvent): string | undefined {
  return event.requestContext.http.sourceIp || undefined;
}

function bodyText(event: HttpEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function parseForm(event: HttpEvent): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(bodyText(event))) if (!(k in form)) form[k] = v;
  return form;
}

const json = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  },
  body: JSON.stringify(body),
});

/**
 * The pages' CSP. `connect` is the storage origin: the intake form PUTs to presigned URLs there, and a download form's
 * POST is answered with a 303 to a presigned GET there (form-action applies to the redirect too).
 */
function htmlHeaders(nonce: string, connect = ''): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ${connect}; form-action 'self' ${connect}; frame-ancestors 'none'; base-uri 'none'`,
  };
}

const PROBLEM_PAGES: Record<LinkProblem['problem'], { status: number; judul: string; pesan: string }> = {
  rusak: {
    status: 404,
    judul: 'Tautan tidak valid',
    pesan: 'Tautan ini tidak dikenal atau telah diubah. Gunakan tautan persis seperti di email Anda.',
  },
  'orang-lain': {
    status: 403,
    judul: 'Tautan untuk pejabat lain',
    pesan: 'Tugas ini sekarang ditujukan kepada pejabat lain, sehingga tautan ini tidak berlaku untuk Anda.',
  },
  diganti: {
    status: 410,
    judul: 'Tautan sudah diganti',
    pesan: 'Tautan baru untuk tugas ini telah dikirim; tautan ini tidak berlaku lagi. Buka tautan di email terbaru.',
  },
  kedaluwarsa: {
    status: 410,
    judul: 'Tautan sudah kedaluwarsa',
    pesan:
      'Masa berlaku tautan ini sudah habis. Anda dapat meminta tautan baru; tautan itu dikirim ke alamat email pejabat yang bertugas, bukan ke orang yang membuka halaman ini.',
  },
  'batas-tautan': {
    status: 429,
    judul: 'Batas tautan baru tercapai',
    pesan: `Tautan baru untuk tugas ini sudah dikirim ${FRESH_LINK_LIMIT.max} kali dalam satu jam. Buka tautan di email terbaru Anda.`,
  },
  selesai: {
    status: 409,
    judul: 'Tugas sudah diselesaikan',
    pesan: 'Keputusan untuk tugas ini sudah tercatat; tidak ada yang diubah.',
  },
  ditutup: {
    status: 410,
    judul: 'Kasus sudah ditutup',
    pesan: 'Kasus ini sudah berakhir atau dibatalkan; tugas ini tidak lagi memerlukan tindakan.',
  },
};

/** How long a download link lives once it was asked for (and logged). */
const DOWNLOAD_SECONDS = 300;

const redirectTo = (url: string): HttpResult => ({
  statusCode: 303,
  headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  body: '',
});

class TaskPages {
  private readonly presignOrigin: string;
  constructor(private readonly app: App) {
    const endpoint = app.config.SEPAKAT_ENDPOINT_S3_PUBLIC ?? app.config.SEPAKAT_ENDPOINT_S3;
    this.presignOrigin = endpoint ? new URL(endpoint).origin : 'https://*.amazonaws.com';
  }

  html(
    statusCode: number,
    name: string,
    model: Record<string, unknown>,
    title: string,
    kop?: string,
    session?: Session,
  ): HttpResult {
    const nonce = randomBytes(16).toString('base64');
    const sesi = session && this.sessionModel(session);
    const body = this.app.templates
      .page(name, { ...model, nonce, ...(sesi ? { csrf: sesi.csrf } : {}) }, { title, ...(kop ? { kop } : {}), sesi })
      .replace(/<script>/g, `<script nonce="${nonce}">`);
    return { statusCode, headers: htmlHeaders(nonce, this.presignOrigin), body };
  }

  message(statusCode: number, model: MessageModel, session?: Session): HttpResult {
    return this.html(
      statusCode,
      'pesan',
      { jenis: statusCode < 300 ? 'ok' : 'salah', ...model },
      model.judul,
      undefined,
      session,
    );
  }

  /** What the layout shows of the signed-in user: name, roles, the console menu for those roles, the CSRF token. */
  private sessionModel(session: Session) {
    const p = session.principal;
    const menu = [
      ...(canSeeDashboard(p) ? [{ url: '/konsol', label: 'Dasbor' }] : []),
      ...(has(p, 'pemohon') ? [{ url: '/permohonan/baru', label: 'Permohonan baru' }] : []),
      ...(canSeeArchive(p, p.pemdaId) ? [{ url: '/arsip', label: 'Arsip' }] : []),
      ...(canSeeAnalytics(p, p.pemdaId) ? [{ url: '/konsol/mutu-baku', label: 'Mutu Baku' }] : []),
    ];
    return {
      nama: p.nama,
      peran: p.roles.map((r) => ROLE_LABEL[r]).join(', '),
      unit: p.unit,
      menu,
      csrf: this.sessions?.csrfToken(session) ?? '',
    };
  }

  /** Set once by the handler: the session keys (for the CSRF token the layout's sign-out form carries). */
  sessions?: Sessions;

  home(session?: Session): HttpResult {
    const sops = this.app.catalog.sops.all().map((s) => ({
      nama: s.definition.header.nama,
      key: s.key,
      langkah: s.definition.steps.filter((x) => !('gate' in x)).length,
    }));
    // Only the embedded local default sets a SES endpoint: there the local outbox (/kotak-keluar) exists.
    const kotakKeluar = this.app.config.SEPAKAT_ENDPOINT_SES !== undefined;
    return this.html(200, 'beranda', { sops, kotakKeluar }, 'Beranda', undefined, session);
  }

  private async problem(token: string, p: LinkProblem): Promise<HttpResult> {
    const page = PROBLEM_PAGES[p.problem];
    if (p.problem === 'kedaluwarsa')
      return this.message(page.status, {
        ...page,
        aksi: {
          url: `/tugas/${token}/tautan-baru`,
          tombol: 'Kirim tautan baru ke email pejabat',
          keterangan: `Tautan baru hanya dikirim ke alamat email yang terdaftar untuk tugas ini, paling banyak ${FRESH_LINK_LIMIT.max} kali dalam satu jam.`,
        },
      });
    if (p.problem === 'batas-tautan') {
      const pemdaId = (await this.app.runtime.requireCase(p.task.caseId)).pemdaId;
      return this.message(page.status, {
        ...page,
        pesan: `${page.pesan} Tautan baru berikutnya dapat diminta mulai ${this.formatAt(p.nextAt, pemdaId)}.`,
      });
    }
    if (p.problem === 'selesai') {
      const d = p.task.decision;
      const pemdaId = (await this.app.runtime.requireCase(p.task.caseId)).pemdaId;
      return this.message(p.sameSubmission ? 200 : page.status, {
        ...page,
        ...(p.sameSubmission
          ? {
              judul: 'Keputusan Anda sudah tercatat',
              pesan: 'Formulir ini sudah terkirim sebelumnya; keputusan tercatat sekali saja.',
              jenis: 'ok' as const,
            }
          : {}),
        rincian: d
          ? [
              { label: 'Oleh', nilai: `${d.by.nama} (${d.by.jabatan})` },
              { label: 'Waktu', nilai: this.formatAt(d.at, pemdaId) },
              { label: 'Keputusan', nilai: d.choice },
            ]
          : [],
      });
    }
    return this.message(page.status, page);
  }

  /** A time in the case's pemda zone (WIB/WITA/WIT), from its SOP. */
  private formatAt(iso: string, pemdaId: string): string {
    return this.app.catalog.pemda(pemdaId).formatDateTime(new Date(iso));
  }

  async show(token: string): Promise<HttpResult> {
    const view = await this.app.actions.open(token);
    if ('problem' in view) return this.problem(token, view);
    return this.taskPage(200, token, view, await this.caseFacts(view.task.caseId), {}, {});
  }

  async submit(token: string, form: Record<string, string>): Promise<HttpResult> {
    const result = await this.app.actions.submit(token, form);
    if ('problem' in result) return this.problem(token, result);
    if (result.result === 'tidak-valid')
      return this.taskPage(
        400,
        token,
        result.view,
        await this.caseFacts(result.view.task.caseId),
        result.errors,
        result.form,
      );
    const record = await this.app.runtime.requireCase(result.task.caseId);
    const activity = this.app.runtime.activityOf(record, result.task.node);
    const choice = activity.choices.find((c) => c.value === result.task.decision?.choice);
    return this.message(200, {
      judul: 'Keputusan tercatat',
      pesan: result.reported
        ? 'Terima kasih. Keputusan Anda tercatat dan kasus diteruskan ke langkah berikutnya.'
        : 'Terima kasih. Keputusan Anda tercatat dan akan diteruskan ke langkah berikutnya segera.',
      jenis: 'ok',
      rincian: [
        { label: 'Perihal', nilai: record.perihal },
        { label: 'Langkah', nilai: `${activity.stepId}: ${activity.label}` },
        { label: 'Keputusan', nilai: choice?.label ?? result.task.decision?.choice ?? '' },
        { label: 'Waktu', nilai: this.formatAt(result.task.decision!.at, record.pemdaId) },
      ],
    });
  }

  async upload(token: string, body: string): Promise<HttpResult> {
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      return json(400, { pesan: 'Badan permintaan bukan JSON' });
    }
    const parsed = parseInput(UploadRequest, raw, UPLOAD_REQUEST_LABELS);
    if (!parsed.ok) return json(400, { pesan: parsed.messages.join('; '), rincian: parsed.messages });
    const result = await this.app.actions.requestUpload(token, parsed.value);
    if ('problem' in result)
      return json(PROBLEM_PAGES[result.problem].status, { pesan: PROBLEM_PAGES[result.problem].pesan });
    if ('error' in result) return json(400, { pesan: result.error });
    return json(200, result);
  }

  async sendCode(token: string): Promise<HttpResult> {
    const result = await this.app.actions.sendCode(token);
    if ('problem' in result) return this.problem(token, result);
    if ('error' in result) return this.message(400, { judul: 'Kode tidak dikirim', pesan: result.error });
    if ('limited' in result) {
      return this.message(429, {
        judul: 'Batas permintaan kode tercapai',
        pesan: `Kode untuk tautan ini sudah diminta ${CODE_LIMIT.max} kali dalam ${CODE_LIMIT.windowMs / 60_000} menit. Kode berikutnya dapat diminta mulai ${this.formatAt(result.nextAt, result.pemdaId)}. Kode terakhir di email Anda tetap dapat dipakai selama masih berlaku.`,
        aksi: {
          url: `/tugas/${token}/tautan-baru`,
          tombol: 'Kirim tautan baru ke email saya',
          keterangan: `Tautan baru dikirim hanya ke alamat email yang terdaftar untuk tugas ini (${result.to}), bukan ke orang yang membuka halaman ini; tautan ini lalu tidak berlaku lagi, dan dari tautan baru kode dapat diminta kembali. Paling banyak ${FRESH_LINK_LIMIT.max} tautan baru dalam satu jam untuk tugas ini.`,
        },
      });
    }
    return this.message(200, {
      judul: 'Kode dikirim',
      pesan: `Kode konfirmasi 6 angka telah dikirim ke ${result.to}. Kembali ke halaman tugas (tombol Kembali di peramban) dan isi kode tersebut; kode berlaku 10 menit.`,
      jenis: 'info',
    });
  }

  async renew(token: string): Promise<HttpResult> {
    const result = await this.app.actions.renewLink(token);
    if ('problem' in result) return this.problem(token, result);
    return this.message(200, {
      judul: 'Tautan baru dikirim',
      pesan: `Tautan baru telah dikirim ke ${result.to}. Tautan lama tidak berlaku lagi.`,
      jenis: 'info',
    });
  }

  /** What the task page shows of the case: its history and the documents the product generated. */
  private async caseFacts(caseId: string): Promise<{ history: HistoryEvent[]; generated: DocumentRecord[] }> {
    const [history, generated] = await Promise.all([
      this.app.store.listHistory(caseId),
      this.app.documents.listByCase(caseId),
    ]);
    return { history, generated: generated.sort((a, b) => a.createdAt.localeCompare(b.createdAt)) };
  }

  /** A generated document of the task's case, through a short-lived link (the task link must still be valid). */
  async generatedDocument(token: string, docId: string): Promise<HttpResult> {
    const view = await this.app.actions.open(token);
    if ('problem' in view) return this.problem(token, view);
    const record = await this.app.documents.get(docId);
    if (!record || record.caseId !== view.task.caseId)
      return this.message(404, {
        judul: 'Dokumen tidak ditemukan',
        pesan: 'Dokumen yang diminta tidak ada pada kasus ini.',
      });
    const url = await this.app.documents.downloadUrl(record, DOWNLOAD_SECONDS);
    await recordDownload(
      { store: this.app.store, clock: this.app.runtimeClock },
      {
        caseId: record.caseId,
        who: { id: view.task.person.id, nama: view.task.person.nama, jabatan: view.task.person.jabatan },
        what: { docId: record.docId, jenis: record.kind, ...(record.nomor ? { nomor: record.nomor } : {}) },
        seconds: DOWNLOAD_SECONDS,
        via: 'tautan tugas',
      },
    );
    return redirectTo(url);
  }

  /** A file of the permohonan or of a decision: its accepted bytes, checked, through a short-lived link. */
  async download(token: string, index: number): Promise<HttpResult> {
    const view = await this.app.actions.open(token);
    if ('problem' in view) return this.problem(token, view);
    const file = documentsOf(view, await this.app.store.listHistory(view.task.caseId))[index];
    if (!file)
      return this.message(404, {
        judul: 'Dokumen tidak ditemukan',
        pesan: 'Dokumen yang diminta tidak ada pada kasus ini.',
      });
    const url = await this.app.files.acceptedFileUrl(file, DOWNLOAD_SECONDS);
    await recordDownload(
      { store: this.app.store, clock: this.app.runtimeClock },
      {
        caseId: view.task.caseId,
        who: { id: view.task.person.id, nama: view.task.person.nama, jabatan: view.task.person.jabatan },
        what: { berkas: file.name, slot: file.slot, jenis: 'permohonan' },
        seconds: DOWNLOAD_SECONDS,
        via: 'tautan tugas',
      },
    );
    return redirectTo(url);
  }

  private taskPage(
    status: number,
    token: string,
    view: TaskView,
    facts: { history: HistoryEvent[]; generated: DocumentRecord[] },
    errors: FormErrors,
    form: Record<string, string>,
  ): HttpResult {
    const { history, generated } = facts;
    const { task, record, activity } = view;
    const sop = this.app.runtime.sopOf(record);
    const pemda = this.app.catalog.pemda(record.pemdaId);
    const step = sop.step(activity.stepId);
    const fmt = (iso: string) => pemda.formatDateTime(new Date(iso));
    const documents = documentsOf(view, history).map((f, i) => ({
      name: f.name,
      url: `/tugas/${token}/berkas/${i}`,
      ukuran: formatBytes(f.size),
      asal: f.asal,
    }));
    for (const d of generated)
      documents.push({
        name: `${documentKindLabel(d.kind)}${d.nomor ? ` Nomor ${d.nomor}` : ''}`,
        url: `/tugas/${token}/dokumen/${d.docId}`,
        ukuran: formatBytes(d.size),
        asal: `Dibuat Sepakat, ${fmt(d.createdAt)}`,
      });
    const choiceLabel = (e: HistoryEvent) => {
      try {
        const n = sop.node(e.node ?? '');
        return n.type === 'activity' ? (n.choices.find((c) => c.value === e.choice)?.label ?? e.choice) : e.choice;
      } catch {
        return e.choice;
      }
    };
    const riwayat = history
      .filter((e) => e.type === 'tugas-diputuskan' || e.type === 'permohonan-diterima')
      .map((e) => ({
        waktu: fmt(e.at),
        langkah: e.type === 'permohonan-diterima' ? 'Permohonan' : (e.node ?? ''),
        oleh: e.type === 'permohonan-diterima' ? record.pemohon.nama : (e.who?.nama ?? ''),
        keputusan: e.type === 'permohonan-diterima' ? 'diterima' : choiceLabel(e),
        catatan: e.note,
      }));
    const lastDecision = [...history].reverse().find((e) => e.type === 'tugas-diputuskan');
    const fields = activity.fields.map((f) => ({
      ...f,
      inputType:
        f.type === 'date' ? 'date' : f.type === 'datetime' ? 'datetime-local' : f.type === 'number' ? 'number' : 'text',
      acceptAttr: (f.accept ?? []).map((k) => (k === 'jpeg' ? '.jpg,.jpeg' : `.${k}`)).join(','),
      acceptLabel: acceptLabel(f),
      // A caseData field shows what the case holds (the konsep naskah is edited, not typed again).
      value: form[`f_${f.id}`] ?? (f.caseData && record.data[f.id] !== undefined ? String(record.data[f.id]) : ''),
      uploadKey: form[`unggah_${f.id}`] ?? '',
      uploadName: form[`nama_${f.id}`] ?? '',
      error: errors[f.id],
      options: f.options?.map((o) => ({ ...o, selected: form[`f_${f.id}`] === o.value })),
    }));
    return this.html(
      status,
      'tugas',
      {
        task,
        record,
        activity,
        step,
        sopNama: sop.definition.header.nama,
        eksternal: activity.actor.kind === 'external' ? activity.actor.jabatan : undefined,
        putaran: task.visit > 1 ? task.visit : undefined,
        batasWaktu: task.dueAt ? fmt(task.dueAt) : undefined,
        terlambatSetelah: task.overdueAt && task.overdueAt !== task.dueAt ? fmt(task.overdueAt) : undefined,
        catatanSebelumnya: lastDecision?.note,
        dokumen: documents,
        riwayat,
        fields,
        choices: activity.choices.map((c) => ({ ...c, checked: form.pilihan === c.value })),
        catatan: form.catatan ?? '',
        errors,
        adaSalah: Object.keys(errors).length > 0,
        needsCode: view.needsCode,
        tindakan: activity.kind === 'paraf' ? 'paraf' : 'tanda tangan',
        submissionId: form.submissionId || randomBytes(12).toString('base64url'),
        actionUrl: `/tugas/${token}`,
        uploadUrl: `/tugas/${token}/unggah`,
        codeUrl: `/tugas/${token}/kode`,
        maxUpload: formatBytes(this.app.config.SEPAKAT_MAX_UPLOAD_BYTES),
      },
      activity.label.slice(0, 60),
      pemda.directory.data.pemda.kop.join(' · '),
    );
  }
}

/** Every document of the case so far: the permohonan's files, then each decision's uploads, in order. */
function documentsOf(view: TaskView, history: HistoryEvent[]): (StoredFile & { asal: string })[] {
  const docs: (StoredFile & { asal: string })[] = view.record.files.map((f) => ({ ...f, asal: 'Permohonan' }));
  for (const e of history)
    if (e.type === 'tugas-diputuskan')
      for (const f of e.files ?? []) docs.push({ ...f, asal: `${e.node} (${e.who?.nama ?? ''})` });
  return docs;
}
