import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono/tiny';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { ErrorNames, isSepakatError } from '../../core/errors.ts';
import { issueMessages } from '../../core/validation/issues.ts';
import type { App } from '../app.ts';
import { log } from '../observability/log.ts';
import { webUseCases, type WebUseCaseOptions } from '../web-use-cases.ts';
import { analyticsRoutes } from './analytics-routes.ts';
import { archiveRoutes } from './archive-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { calendarRoutes } from './calendar-routes.ts';
import { caseAdminRoutes } from './case-admin-routes.ts';
import { consoleRoutes } from './console-routes.ts';
import { callerAddress, frontDoorGuard, ORIGIN_HEADER, OUTSIDE_FRONT_DOOR } from './front-door.ts';
import { sopRoutes } from './sop-routes.ts';
import { homeRoutes } from './home-routes.ts';
import { intakeRoutes } from './intake-routes.ts';
import { monitoringRoutes } from './monitoring-routes.ts';
import { packageRoutes } from './package-routes.ts';
import { myTaskRoutes } from './my-task-routes.ts';
import { taskRoutes } from './task-routes.ts';
import { MULTIPART_OVERHEAD_BYTES, verificationRoutes } from './verification-routes.ts';
import {
  json,
  NONCE_SLOT,
  Pages,
  webContext,
  type HttpResult,
  type MessageModel,
  type Route,
  type WebContext,
  type WebRequest,
} from './web-context.ts';

/**
 * The web layer: one Hono app built from the route modules, the same object in both worlds (AWS: `handle(app)` of
 * `hono/aws-lambda` in functions/lambda/http.ts, API Gateway HTTP API payload 2.0; locally: `@hono/node-server` in
 * local/runtime.ts). Middleware does what is the same for every route: the secure headers and the CSP with the
 * request's script nonce, `no-store`, the body limit, the origin checks of POSTs; one `onError` maps named errors to
 * the Indonesian pages. GET only shows; only POST acts.
 */

/** The route modules, in order: an earlier route wins when two patterns match the same path. */
const MODULES: ((ctx: WebContext) => Route[])[] = [
  homeRoutes,
  taskRoutes,
  myTaskRoutes,
  authRoutes,
  consoleRoutes,
  archiveRoutes,
  intakeRoutes,
  caseAdminRoutes,
  analyticsRoutes,
  sopRoutes,
  monitoringRoutes,
  packageRoutes,
  calendarRoutes,
];

/** Every body but a verification upload is small (forms, JSON). */
const BODY_LIMIT_BYTES = 1024 * 1024;

/** `verificationClock`: the date certificate chains must be valid at on the verification page (tests pin it). */
export type WebAppOptions = WebUseCaseOptions;

export type WebApp = Hono & { readonly routeTable: readonly Route[] };

export function webApp(app: App, options: WebAppOptions = {}): WebApp {
  // Routes see the use cases only: no store, no SDK client, no clock.
  const useCases = webUseCases(app, options);
  const pages = new Pages(useCases, useCases.sessions);
  const ctx = webContext(useCases, pages);
  const publicOrigin = new URL(app.config.SEPAKAT_PUBLIC_BASE_URL).origin;
  const storage = app.config.SEPAKAT_ENDPOINT_S3_PUBLIC ?? app.config.SEPAKAT_ENDPOINT_S3;
  // The intake form PUTs to presigned URLs there, and a download form's POST is answered with a 303 to a presigned
  // GET there (form-action applies to the redirect too).
  const storageOrigin = storage ? new URL(storage).origin : 'https://*.amazonaws.com';
  const routes: Route[] = [
    ...verificationRoutes(useCases, (status, page, model, title) => pages.html(status, page, model, title)),
    ...MODULES.flatMap((m) => m(ctx)),
  ];
  const isApi = (c: Context) => rawPath(c).startsWith('/api/');
  const refuse = (c: Context, status: number, model: MessageModel) =>
    send(c, isApi(c) ? json(status, { pesan: model.pesan }) : pages.message(status, model));

  // In AWS only CloudFront's requests carry the origin secret; nothing else gets past this (front-door.ts).
  const originSecret = app.config.SEPAKAT_ORIGIN_SECRET;
  const behindFrontDoor = originSecret !== undefined;

  const hono = new Hono();
  hono.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: [NONCE],
        styleSrc: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", storageOrigin],
        formAction: ["'self'", storageOrigin],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      xFrameOptions: 'DENY',
      referrerPolicy: 'no-referrer',
      xContentTypeOptions: 'nosniff',
    }),
  );
  hono.use(async (c, next) => {
    await next();
    // Pages, exports and redirects to short-lived links: nothing is kept by a browser or a proxy.
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });
  hono.use(frontDoorGuard(originSecret, (c) => refuse(c, 403, OUTSIDE_FRONT_DOOR)));
  hono.use(async (c, next) =>
    bodyLimit({
      // The verification page takes a whole PDF (multipart); its route answers an oversized one with its own page.
      maxSize:
        rawPath(c) === '/verifikasi'
          ? app.config.SEPAKAT_MAX_UPLOAD_BYTES + 2 * MULTIPART_OVERHEAD_BYTES
          : BODY_LIMIT_BYTES,
      onError: (c) =>
        refuse(c, 413, {
          judul: 'Permintaan terlalu besar',
          pesan: 'Permintaan ini melebihi batas ukuran. Tidak ada yang diubah.',
        }),
    })(c, next),
  );
  hono.use(postsFromOurPages(publicOrigin, (c) => refuse(c, 403, CROSS_SITE)));
  // Due times shown and computed follow the holiday years imported by any process (read again each minute).
  hono.use(async (_c, next) => {
    await useCases.calendars.refresh();
    await next();
  });

  for (const route of routes)
    for (const path of honoPaths(route.pattern))
      hono.on(route.method, path, async (c, next) => {
        const match = route.pattern.exec(rawPath(c));
        // Hono's path is coarser than the pattern: a path the pattern refuses goes on to the next route, or 404.
        if (!match) return next();
        return send(c, await route.run(await webRequest(c, behindFrontDoor), match.slice(0)));
      });

  hono.notFound((c) => {
    const matching = routes.filter((r) => r.pattern.test(rawPath(c)));
    if (!matching.length)
      return send(
        c,
        pages.message(404, { judul: 'Halaman tidak ditemukan', pesan: 'Alamat yang Anda buka tidak ada.' }),
      );
    c.header('allow', [...new Set(matching.map((r) => r.method))].join(', '));
    return send(
      c,
      pages.message(405, {
        judul: 'Metode tidak diizinkan',
        pesan: 'Halaman ini tidak menerima permintaan tersebut.',
      }),
    );
  });

  hono.onError((error, c) => {
    const path = rawPath(c);
    // The path only up to its first segment: paths under /tugas/, /lacak/, /pantau/, /permohonan/konfirmasi/ are
    // capability links, never logged; nor is a body.
    const keys = { route: `/${path.split('/')[1] ?? ''}`, method: c.req.method };
    const jsonAnswer = isApi(c) || /^application\/json\b/i.test(c.req.header('content-type') ?? '');
    if (isSepakatError(error, ErrorNames.BadInput))
      return refuse(c, 400, { judul: 'Permintaan tidak valid', pesan: error.message });
    if (isSepakatError(error, ErrorNames.Limited))
      return refuse(c, 429, { judul: 'Batas permintaan tercapai', pesan: error.message });
    if (isSepakatError(error, ErrorNames.Tampered)) {
      log.error('berkas tidak utuh', { ...keys, code: error.code });
      return refuse(c, 409, { judul: 'Berkas tidak utuh', pesan: error.message });
    }
    if (error instanceof z.ZodError) {
      const rincian = issueMessages(error, {});
      return send(
        c,
        jsonAnswer
          ? json(400, { pesan: 'Data permintaan tidak valid', rincian })
          : pages.message(400, { judul: 'Data permintaan tidak valid', pesan: rincian.join('; ') }),
      );
    }
    if (error instanceof HTTPException && error.status < 500)
      return refuse(c, error.status, {
        judul: 'Permintaan tidak valid',
        pesan: 'Permintaan ini tidak dapat diproses.',
      });
    const transient = isSepakatError(error, ErrorNames.Transient);
    // `as never`: LogKeys' index signature (plain values) also types `error`, which the log module takes as unknown.
    if (!transient) log.error('permintaan web gagal', { ...keys, error: error as never });
    return refuse(c, transient ? 503 : 500, {
      judul: 'Terjadi gangguan',
      pesan: transient
        ? 'Layanan sedang sibuk. Tidak ada yang berubah; silakan coba lagi sebentar lagi.'
        : 'Terjadi kesalahan pada sistem. Tidak ada yang berubah; silakan coba lagi atau hubungi Bagian Kerja Sama.',
    });
  });

  // The route table travels with the app, for what walks it (test/cross-pemda.test.ts, test/get-never-writes.test.ts).
  return Object.assign(hono, { routeTable: routes as readonly Route[] });
}

const CROSS_SITE: MessageModel = {
  judul: 'Permintaan ditolak',
  pesan: 'Formulir dikirim dari situs lain. Buka tautan dari email Anda lalu kirim dari halaman itu.',
};

/**
 * Mail scanners and other sites cannot act: a POST must come from our own pages. Two checks: ours (an Origin, when
 * sent, is the site's; without one, Sec-Fetch-Site is not cross-site), then Hono's `csrf()` for what a form can send
 * (urlencoded, multipart, text): its Origin or Sec-Fetch-Site must say our site. The session-bound CSRF token of the
 * console's forms is checked on top, by the route (`WebContext.acting`).
 */
function postsFromOurPages(
  publicOrigin: string,
  refused: (c: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  const honoCsrf = csrf({ origin: publicOrigin });
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const origin = c.req.header('origin');
    const ours =
      origin && origin !== 'null' ? origin === publicOrigin : c.req.header('sec-fetch-site') !== 'cross-site';
    let passed = false;
    if (ours)
      try {
        await honoCsrf(c, async () => {
          passed = true;
        });
      } catch (error) {
        if (!(error instanceof HTTPException)) throw error;
      }
    if (!passed) return refused(c);
    return next();
  };
}

/** The path as sent (percent-encoding kept): what the routes' patterns match. */
function rawPath(c: Context): string {
  return new URL(c.req.url).pathname;
}

async function webRequest(c: Context, behindFrontDoor: boolean): Promise<WebRequest> {
  const url = new URL(c.req.url);
  const method = c.req.method.toUpperCase();
  const multipart = /^multipart\/form-data\b/i.test(c.req.header('content-type') ?? '');
  const body = method === 'GET' || method === 'HEAD' || multipart ? undefined : await c.req.text();
  const ip = callerAddress(c, behindFrontDoor);
  // The origin secret stops here: no route sees it.
  const { [ORIGIN_HEADER]: _secret, ...headers } = c.req.header();
  return {
    method,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(ip ? { sourceIp: ip } : {}),
    c,
  };
}

/** A route's result as Hono's response (headers set on the context, such as cookies, are kept). */
function send(c: Context, result: HttpResult): Response {
  // A page's script nonce: the one secure-headers put in this response's CSP (see NONCE_SLOT).
  const body = result.isBase64Encoded
    ? Buffer.from(result.body, 'base64')
    : result.body.includes(NONCE_SLOT)
      ? result.body.replaceAll(NONCE_SLOT, (c.get('secureHeadersNonce') as string | undefined) ?? '')
      : result.body;
  return c.body(body, result.statusCode as ContentfulStatusCode, result.headers);
}

/**
 * The Hono paths a pattern is registered at: its literal segments as they are, each segment with a group (or other
 * regular-expression syntax) as a parameter; a trailing `/?` as both paths. The pattern itself decides in the
 * handler.
 */
export function honoPaths(pattern: RegExp): string[] {
  let source = pattern.source.replace(/^\^/, '').replace(/\$$/, '');
  const optionalSlash = source.endsWith('\\/?');
  if (optionalSlash) source = source.slice(0, -3);
  const segments: string[] = [];
  let current = '';
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      if (next === '/' && depth === 0 && !inClass) {
        segments.push(current);
        current = '';
      } else current += ch + next;
      i++;
      continue;
    }
    if (inClass) inClass = ch !== ']';
    else if (ch === '[') inClass = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === '/' && depth === 0 && !inClass) {
      segments.push(current);
      current = '';
    } else current += ch;
  }
  segments.push(current);
  let param = 0;
  const path = segments
    .map((s, i) => {
      if (i === 0) return s;
      const literal = s.replace(/\\(.)/g, '$1');
      return /[()[\]{}*+?|^$.]/.test(s.replace(/\\./g, '')) ? `:p${param++}` : literal;
    })
    .join('/');
  const base = path || '/';
  return optionalSlash ? [base, `${base}/`] : [base];
}
