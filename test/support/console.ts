import type { Principal } from '../../core/access/access.ts';
import { Sessions, SESSION_COOKIE } from '../../functions/auth/session.ts';
import type { LocalRuntime } from '../../local/runtime.ts';
import { PEMOHON } from './runtime.ts';

/**
 * Console sessions for tests of pages and access rules: the same cookie the sign-in route issues once Cognito's ID
 * token is verified (the sign-in itself is tested through cognito-local in its own test).
 */
export function sessionFor(rt: LocalRuntime, principal: Principal): { cookie: string; csrf: string } {
  const sessions = new Sessions({
    key: rt.app.config.SEPAKAT_SESSION_KEY!,
    ttlSeconds: rt.app.config.SEPAKAT_SESSION_TTL_MINUTES * 60,
    secure: false,
    clock: rt.app.runtimeClock,
  });
  const { session, setCookie } = sessions.issue(principal);
  const value = setCookie.split(';')[0]!.slice(SESSION_COOKIE.length + 1);
  return { cookie: `${SESSION_COOKIE}=${value}`, csrf: sessions.csrfToken(session) };
}

/** A request to the local web server as a browser on our own pages sends it (Origin set, no redirects followed). */
export async function web(
  rt: LocalRuntime,
  path: string,
  options: { method?: string; cookie?: string; form?: Record<string, string>; origin?: string } = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const method = options.method ?? (options.form ? 'POST' : 'GET');
  const response = await fetch(`${rt.urls.web}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(method === 'POST' ? { origin: options.origin ?? rt.urls.web } : {}),
      ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(options.form ? { body: new URLSearchParams(options.form).toString() } : {}),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Staff of the Blitar SOP's unit and others, for access tests. */
export const PRINCIPALS = {
  pelaksanaBlitar: {
    sub: 'u-penata-1',
    email: 'penata1@blitarkab.test',
    nama: 'Yuli Astutik, S.AP.',
    roles: ['pelaksana'],
    pemdaId: 'kab-blitar',
    unit: 'BAGIAN TATA PEMERINTAHAN',
    personId: 'penata-1',
  },
  adminBlitar: {
    sub: 'u-admin-blitar',
    email: 'admin@blitarkab.test',
    nama: 'Admin Kerja Sama Blitar',
    roles: ['admin'],
    pemdaId: 'kab-blitar',
    unit: 'BAGIAN TATA PEMERINTAHAN',
  },
  arsiparisBlitar: {
    sub: 'u-arsip-blitar',
    email: 'arsip@blitarkab.test',
    nama: 'Sri Wahyuni, A.Md.',
    roles: ['arsiparis'],
    pemdaId: 'kab-blitar',
    unit: 'BAGIAN TATA PEMERINTAHAN',
  },
  pelaksanaKota: {
    sub: 'u-pelaksana-kota',
    email: 'pelaksana@kotacontoh.test',
    nama: 'Pelaksana Kota Contoh',
    roles: ['pelaksana'],
    pemdaId: 'kota-contoh',
    unit: 'BAGIAN KERJASAMA',
  },
  arsiparisKota: {
    sub: 'u-arsip-kota',
    email: 'arsip@kotacontoh.test',
    nama: 'Dewi Lestari, A.Md.',
    roles: ['arsiparis'],
    pemdaId: 'kota-contoh',
    unit: 'BAGIAN UMUM',
  },
  pemohonKota: {
    sub: 'u-pemohon-kota',
    email: 'pemohon@mitra.test',
    nama: 'Drs. Joko Susilo',
    roles: ['pemohon'],
    pemdaId: 'kota-contoh',
    unit: 'Pemerintah Kabupaten Mitra',
  },
} satisfies Record<string, Principal>;

/** The seeded test pemohon (`PEMOHON`), signed in to the console of Kabupaten Blitar. */
export const PEMOHON_BLITAR: Principal = {
  sub: 'u-pemohon-blitar',
  email: PEMOHON.email,
  nama: PEMOHON.nama,
  roles: ['pemohon'],
  pemdaId: 'kab-blitar',
  unit: PEMOHON.instansi,
};

/**
 * Signs in over HTTP exactly as the browser does: `GET /masuk` (the login CSRF cookie and its form token), then
 * `POST /masuk` with the seeded user's local development password; returns the session cookie and its CSRF token.
 */
export async function signInOverHttp(
  rt: LocalRuntime,
  email: string,
  password: string,
): Promise<{ cookie: string; csrf: string; location: string }> {
  const form = await fetch(`${rt.urls.web}/masuk`, { redirect: 'manual' });
  const loginCookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const posted = await web(rt, '/masuk', {
    cookie: loginCookie,
    form: { _csrf: token, email, kataSandi: password },
  });
  const session = (posted.headers.get('set-cookie') ?? '')
    .split(/,(?=\s*\w+=)/)
    .map((c) => c.trim().split(';')[0]!)
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`) && c.length > SESSION_COOKIE.length + 1);
  if (posted.status !== 303 || !session) throw new Error(`sign-in as ${email} failed: ${posted.status}`);
  const page = await web(rt, posted.headers.get('location') ?? '/', { cookie: session });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return { cookie: session, csrf, location: posted.headers.get('location') ?? '' };
}
