import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import {
  canSeeAnalytics,
  canSeeArchive,
  canSeeDashboard,
  has,
  ROLE_LABEL,
  type Principal,
} from '../../core/access/access.ts';
import type { Identity } from '../../core/access/identity.ts';
import type { MutuBakuFilter, MutuBakuReport } from '../../core/analytics/mutu-baku.ts';
import type { CaseView } from '../../core/case/case-view.ts';
import type { CaseRecord } from '../../core/case/model.ts';
import type { Paper } from '../../core/documents/common.ts';
import type { SopDefinition } from '../../core/sop/schema.ts';
import type { Sop } from '../../core/sop/load-sop.ts';
import type { NaskahContent } from '../../core/naskah/content.ts';
import type { ComparisonSheet, ComparisonSheetInput } from '../../core/naskah/comparison-sheet.ts';
import type { MyTasks } from '../../core/case/my-tasks.ts';
import type { RegisterEntry } from '../../core/register/numbering.ts';
import type { CaseForecast, loadCaseFacts } from '../analytics/mutu-baku-forecast.ts';
import { SESSION_COOKIE, type Sessions, type Session } from '../auth/session.ts';
import type { RegisterExportInput } from '../documents/register-export.ts';
import type { Verification } from '../documents/verification.ts';
import type { App } from '../app.ts';
import { guardRecord, type RecordKind, type RouteParam } from './record-access.ts';

/**
 * What route modules share, and nothing else: the request and result shapes a route sees, the route table's entry,
 * the page renderer and the session glue (`WebContext`). It imports no route module and not the app module
 * (web-app.ts), so route modules depend on this file only and the import graph has no cycle.
 */

/**
 * What routes see of the App: its use cases (and the configuration, the SOP and pemda catalog, the page templates),
 * never a store, an SDK client or the clock. Wired in functions/web-use-cases.ts.
 */
export interface WebUseCases extends Pick<
  App,
  | 'config'
  | 'catalog'
  | 'templates'
  | 'runtime'
  | 'actions'
  | 'intake'
  | 'caseAdmin'
  | 'agreements'
  | 'archive'
  | 'drafts'
  | 'completion'
  | 'calendars'
> {
  /** The konsep PDF of a naskah content being edited (the pasal editor's preview; nothing is stored). */
  naskahPreview(
    record: CaseRecord,
    content: NaskahContent,
  ): Promise<{ pdf: Uint8Array; pages: number; images: { png: Uint8Array; width: number; height: number }[] }>;
  /** Staff sign-in; undefined when not configured (read at each request: the App's may be replaced). */
  readonly identity: Identity | undefined;
  /** What the pages read of cases, and the logged download links. */
  cases: CaseView;
  /** A signed-in official's own open tasks ("Tugas saya"), and opening one without the emailed link. */
  myTasks: MyTasks;
  /** The console sessions (signed cookies, CSRF tokens). */
  sessions: Sessions;
  /** The public verification of a signed PDF. */
  verification: Verification;
  /** A reviewer's Lembar Perbandingan Naskah (PDF), recorded as a download (core/naskah/comparison-sheet.ts). */
  lembarPerbandingan(input: ComparisonSheetInput): Promise<ComparisonSheet>;
  /** An entry of a pemda's register of numbers, by its number text. */
  registerEntry(pemdaId: string, numberText: string): Promise<RegisterEntry | undefined>;
  /**
   * The register of numbers as CSV (for Indonesian Excel), or as PDF printed where Chromium is: a short-lived link
   * (5 minutes) to download it under `fileName`.
   */
  registerExport: {
    csv(input: RegisterExportInput): Promise<string>;
    pdf(input: RegisterExportInput, fileName: string): Promise<{ url: string }>;
  };
  /** Every loaded version of every SOP (functions/adapters/catalog.ts `sopVersions`). */
  sopVersions(): Sop[];
  /** The SOP AP document of an SOP version as PDF, on its pemda's paper (rendered on request, never stored). */
  sopDocument(def: SopDefinition): Promise<{ pdf: Uint8Array; paper: Paper; pages: number }>;
  /** Mutu Baku analytics of a pemda's cases and the forecasts of the open ones. */
  mutuBaku: {
    report(pemdaId: string, filter: MutuBakuFilter): Promise<{ facts: CaseFacts[]; report: MutuBakuReport }>;
    /** The forecasts of the open cases among `visible`, by the medians observed over all of `facts`. */
    openForecasts(
      facts: readonly CaseFacts[],
      visible: readonly CaseFacts[],
      pemdaId: string,
      sopId?: string,
    ): CaseForecast[];
    forecastCase(caseId: string): Promise<CaseForecast | null>;
  };
}

/** A case's facts as the Mutu Baku analytics read them. */
type CaseFacts = Awaited<ReturnType<typeof loadCaseFacts>>[number];

/** A request as a route sees it, read from Hono's request once the app's middleware let it through. */
export interface WebRequest {
  method: string;
  /** The path as sent (percent-encoding kept), which the route's pattern matched. */
  rawPath: string;
  rawQueryString: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  /** The body as text; undefined for a multipart body, which a route reads through `c.req.parseBody()`. */
  body?: string;
  /**
   * The caller's network address, as limits key on it: behind the front door CloudFront-Viewer-Address, else API
   * Gateway's source IP; the socket's locally (functions/handlers/front-door.ts).
   */
  sourceIp?: string;
  /** Hono's context of the request (multipart bodies, cookies). */
  c: Context;
}

/** What a route answers; web-app.ts turns it into Hono's response. */
export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /** The body is base64 of binary content (a PDF); sent as bytes. */
  isBase64Encoded?: boolean;
}

/** One route: a method, a path pattern (its groups are the match), and what it runs. */
export interface Route {
  method: string;
  pattern: RegExp;
  run: (request: WebRequest, match: string[]) => Promise<HttpResult>;
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

/** Renders a page in the layout (the verification routes take only this). */
export type RenderPage = (status: number, page: string, model: Record<string, unknown>, title: string) => HttpResult;

/**
 * What a module of routes gets: the app, the page renderer, and the console session. Route modules are listed once
 * in web-app.ts.
 */
export interface WebContext {
  app: WebUseCases;
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
  form(request: WebRequest): Record<string, string>;
  /** The request's console session, if any (the signed cookie read through Hono's cookie helper). */
  session(request: WebRequest): { session?: Session; expired?: boolean };
  /** Starts a session for a verified principal: its cookie is set on the response (Hono's cookie helper). */
  startSession(request: WebRequest, principal: Principal): Session;
  /** Ends the session in the browser (the cookie cleared). */
  endSession(request: WebRequest): void;
  /**
   * The signed-in session allowed by `allow` (default: any signed-in user), or the result to return instead: a
   * redirect to the sign-in page (no session, or it expired), or 403 (signed in, not allowed).
   */
  signedIn(
    request: WebRequest,
    allow?: (p: Principal) => boolean,
  ): Promise<{ session: Session; result?: undefined } | { result: HttpResult }>;
  /**
   * For a POST that acts: the session (as `signedIn`), its CSRF token checked against the form's `_csrf`, and the
   * parsed form; or the result to return instead (403 when the token is missing or wrong).
   */
  acting(
    request: WebRequest,
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

export const json = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

export const redirectTo = (url: string): HttpResult => ({
  statusCode: 303,
  headers: { location: url },
  body: '',
});

/** The form fields of a urlencoded body (first value of each name). */
export function parseForm(request: WebRequest): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(request.body ?? '')) if (!(k in form)) form[k] = v;
  return form;
}

/**
 * What a page carries where its CSP nonce goes: a value random per process, replaced in the response by the nonce
 * the secure-headers middleware put in that request's CSP (web-app.ts `send`). The request's nonce is not read
 * through an AsyncLocalStorage (Hono's context storage): that turns on async hooks for the whole process, which
 * slowed every promise of the local runtime (DynamoDB, S3, Step Functions in-process) by a measurable share.
 */
/** A case id in a path (the permohonan's id: its date and ten base32 letters), as one capture group. */
export const CASE_ID_PATH = '(\\d{8}-[a-z2-7]{10})';

export const NONCE_SLOT = `nonce-${randomBytes(12).toString('base64url')}`;

/** Renders pages in the layout, with the signed-in user's menu and CSRF token. */
export class Pages {
  constructor(
    private readonly app: Pick<WebUseCases, 'templates'>,
    private readonly sessions: Sessions,
  ) {}

  html(
    statusCode: number,
    name: string,
    model: Record<string, unknown>,
    title: string,
    kop?: string,
    session?: Session,
  ): HttpResult {
    const nonce = NONCE_SLOT;
    const sesi = session && this.sessionModel(session);
    // Templates write `<script nonce="{{@root.nonce}}">`: the nonce of this request's CSP.
    const body = this.app.templates.page(
      name,
      { ...model, nonce, ...(sesi ? { csrf: sesi.csrf } : {}) },
      { title, ...(kop ? { kop } : {}), sesi },
    );
    return { statusCode, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
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
      // An official of the pemda directory: their own open tasks, to act on without the emailed link.
      ...(p.personId ? [{ url: '/tugas-saya', label: 'Tugas saya' }] : []),
      ...(canSeeDashboard(p) ? [{ url: '/konsol', label: 'Dasbor' }] : []),
      ...(has(p, 'pemohon') ? [{ url: '/permohonan/baru', label: 'Permohonan baru' }] : []),
      ...(canSeeArchive(p, p.pemdaId) ? [{ url: '/arsip', label: 'Arsip' }] : []),
      ...(canSeeAnalytics(p, p.pemdaId) ? [{ url: '/konsol/mutu-baku', label: 'Mutu Baku' }] : []),
      ...(canSeeDashboard(p) ? [{ url: '/konsol/sop', label: 'SOP' }] : []),
    ];
    return {
      nama: p.nama,
      peran: p.roles.map((r) => ROLE_LABEL[r]).join(', '),
      unit: p.unit,
      menu,
      csrf: this.sessions.csrfToken(session),
    };
  }
}

export function webContext(app: WebUseCases, pages: Pages): WebContext {
  const { sessions } = app;
  const deny = (session: Session) =>
    pages.message(
      403,
      {
        judul: 'Akses ditolak',
        pesan: 'Peran atau unit kerja Anda tidak memberi akses ke halaman ini. Hubungi administrator bila perlu.',
      },
      session,
    );
  const session: WebContext['session'] = (request) => sessions.read(getCookie(request.c, SESSION_COOKIE));
  const endSession: WebContext['endSession'] = (request) =>
    deleteCookie(request.c, SESSION_COOKIE, sessions.cookieOptions(0));
  const signedIn: WebContext['signedIn'] = async (request, allow) => {
    const found = session(request);
    if (!found.session) {
      const { expired } = found;
      if (request.method !== 'GET' && request.method !== 'HEAD')
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
      const back = request.rawPath + (request.rawQueryString ? `?${request.rawQueryString}` : '');
      if (expired) endSession(request);
      return { result: redirectTo(`/masuk?lanjut=${encodeURIComponent(back)}${expired ? '&sesi=berakhir' : ''}`) };
    }
    if (allow && !allow(found.session.principal)) return { result: deny(found.session) };
    return { session: found.session };
  };
  return {
    app,
    sessions,
    html: (status, page, model, title, options) =>
      pages.html(status, page, model, title, options?.kop, options?.session),
    message: (status, model, s) => pages.message(status, model, s),
    json,
    form: parseForm,
    session,
    startSession(request, principal) {
      const issued = sessions.issue(principal);
      setCookie(request.c, SESSION_COOKIE, issued.value, sessions.cookieOptions(sessions.ttlSeconds));
      return issued.session;
    },
    endSession,
    signedIn,
    async acting(request, allow) {
      const found = await signedIn(request, allow);
      if (found.result) return found;
      const form = parseForm(request);
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
    async guard(s, kind, recordPemdaId, may = () => true, pesan) {
      const answer = await guardRecord(s.principal, kind, recordPemdaId, may, pesan);
      return answer === 'boleh' ? undefined : pages.message(answer.status, answer.model, s);
    },
  };
}
