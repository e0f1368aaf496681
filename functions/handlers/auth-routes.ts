import { requireKey } from '../config.ts';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import QRCode from 'qrcode';
import { canSeeDashboard, has, type Principal } from '../../core/access/access.ts';
import { SETUP_EXPIRED, type SignInResult } from '../../core/access/identity.ts';
import { getCookie, setCookie } from 'hono/cookie';
import { redirectTo, type WebRequest, type HttpResult, type Route, type WebContext } from './web-context.ts';
import { MasukForm } from './input-schemas.ts';
import { checkField } from '../../core/validation/text.ts';

/**
 * Staff sign-in and sign-out of the web console.
 *
 * - `GET /masuk`: the form. `?lanjut=` is where to go afterwards (only a path of this site: starting with `/`, not
 *   `//`); `?sesi=berakhir` says the session ended.
 * - `POST /masuk`: email and password to the identity port (core/access/identity.ts; Cognito in
 *   functions/adapters/cognito-identity.ts); on success the console
 *   session cookie and a 303 to `lanjut` or the role's home. Cognito may first ask for a new password (an account
 *   created with a temporary one) or an authenticator code: the same form shows that step, carrying Cognito's
 *   short-lived session in a hidden field. A first sign-in in a pool that requires TOTP installs the authenticator
 *   app (Cognito's MFA_SETUP): the page shows the new secret (in blocks of 4 and as a QR code of its `otpauth://`
 *   URI, rendered here) and asks for the app's first code; the secret travels back in a hidden field too, only to
 *   show it again after a mistyped code. A refused sign-in answers 401 with the form again, the email kept and
 *   the password not.
 * - `POST /keluar`: CSRF-checked (the session's token); clears the cookie; 303 to `/masuk`.
 *
 * Login CSRF: there is no session yet, so `GET /masuk` sets a pre-session cookie (a random nonce, HttpOnly,
 * SameSite=Lax, path /masuk) and the form carries its HMAC; a POST whose field does not match its cookie is refused.
 * Together with the handler's same-origin check, another site cannot sign a browser in to an account of its choice.
 */
export const LOGIN_COOKIE = 'sepakat_masuk';
const LOGIN_COOKIE_SECONDS = 60 * 60;
const TITLE = 'Masuk';

type Langkah = 'sandi' | 'kata-sandi-baru' | 'kode' | 'pasang-autentikator';
const LANGKAH_LAIN: readonly Langkah[] = ['kata-sandi-baru', 'kode', 'pasang-autentikator'];
/** A TOTP secret as Cognito's AssociateSoftwareToken returns it (base32). */
const SECRET = /^[A-Z2-7]{16,128}$/;

interface FormState {
  langkah?: Langkah;
  email?: string;
  lanjut?: string;
  salah?: string;
  info?: string;
  sesiCognito?: string;
  /** The MFA_SETUP step: the secret and what is shown of it (blocks of 4, the `otpauth://` URI, its QR code). */
  rahasia?: string;
  rahasiaBlok?: string;
  otpauth?: string;
  qr?: string;
}

export function authRoutes(ctx: WebContext): Route[] {
  const { app } = ctx;
  const secure = app.config.SEPAKAT_PUBLIC_BASE_URL.startsWith('https:');
  const loginKey = createHmac('sha256', requireKey(app.config, 'SEPAKAT_SESSION_KEY'))
    .update('sepakat/masuk/v1')
    .digest();
  const tokenOf = (nonce: string) => createHmac('sha256', loginKey).update(nonce).digest('base64url');
  const setLoginCookie = (event: WebRequest, nonce: string) =>
    setCookie(event.c, LOGIN_COOKIE, nonce, {
      path: '/masuk',
      httpOnly: true,
      sameSite: 'Lax',
      maxAge: LOGIN_COOKIE_SECONDS,
      ...(secure ? { secure: true } : {}),
    });
  const nonceOf = (event: WebRequest) => {
    const value = getCookie(event.c, LOGIN_COOKIE);
    return value && /^[A-Za-z0-9_-]{22}$/.test(value) ? value : undefined;
  };

  /** The form, with the login CSRF token of the browser's nonce (a new nonce and cookie when it has none). */
  const page = (event: WebRequest, status: number, state: FormState): HttpResult => {
    const existing = nonceOf(event);
    const nonce = existing ?? randomBytes(16).toString('base64url');
    const langkah = state.langkah ?? 'sandi';
    const result = ctx.html(
      status,
      'masuk',
      {
        ...state,
        token: tokenOf(nonce),
        langkahSandi: langkah === 'sandi',
        langkahKataSandiBaru: langkah === 'kata-sandi-baru',
        langkahKode: langkah === 'kode',
        langkahPasang: langkah === 'pasang-autentikator',
        tidakTersedia: !app.identity,
        ulang: `/masuk${state.lanjut ? `?lanjut=${encodeURIComponent(state.lanjut)}` : ''}`,
      },
      TITLE,
    );
    if (!existing) setLoginCookie(event, nonce);
    return result;
  };

  const signedIn = (event: WebRequest, principal: Principal, lanjut: string | undefined): HttpResult => {
    ctx.startSession(event, principal);
    return redirectTo(lanjut ?? homeOf(principal));
  };

  const loginCsrfOk = (event: WebRequest, form: Record<string, string>) => {
    const nonce = nonceOf(event);
    if (!nonce) return false;
    const given = Buffer.from(form._csrf ?? '', 'utf8');
    const expected = Buffer.from(tokenOf(nonce), 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  return [
    {
      method: 'GET',
      pattern: /^\/masuk$/,
      run: async (event) => {
        const query = new URLSearchParams(event.rawQueryString ?? '');
        const lanjut = safeReturnPath(query.get('lanjut'));
        const { session } = ctx.session(event);
        if (session) return redirectTo(lanjut ?? homeOf(session.principal));
        return page(event, app.identity ? 200 : 503, {
          ...(lanjut ? { lanjut } : {}),
          ...(query.get('sesi') === 'berakhir'
            ? { info: 'Sesi Anda sudah berakhir. Silakan masuk kembali; tidak ada yang diubah.' }
            : {}),
        });
      },
    },
    {
      method: 'POST',
      pattern: /^\/masuk$/,
      run: async (event) => {
        const form = ctx.form(event);
        const checkedEmail = checkField(MasukForm.shape.email, form.email ?? '');
        const email = typeof checkedEmail === 'string' ? checkedEmail : '';
        const lanjut = safeReturnPath(form.lanjut);
        const base: FormState = { email, ...(lanjut ? { lanjut } : {}) };
        const identity = app.identity;
        if (!identity) return page(event, 503, base);
        if (!loginCsrfOk(event, form))
          return page(event, 403, {
            ...base,
            salah: 'Formulir masuk sudah kedaluwarsa atau tidak dibuka dari halaman ini. Silakan isi lagi.',
          });
        if (typeof checkedEmail === 'object') return page(event, 400, { ...base, salah: checkedEmail.error });
        const langkah: Langkah = LANGKAH_LAIN.find((l) => l === form.langkah) ?? 'sandi';
        const sesiCognito = (form.sesiCognito ?? '').slice(0, 4096);
        const rahasia = (form.rahasia ?? '').trim();
        // The 6-digit code of the authenticator steps, as typed without spaces.
        const kode = (form.kode ?? '').replace(/\s+/g, '');
        const kodeSalah = /^\d{6}$/.test(kode) ? null : 'Kode autentikator terdiri dari 6 angka.';
        /** The same step again (same Cognito session), saying what was wrong. */
        const ulangi = (salah: string) => page(event, 400, { ...base, langkah, sesiCognito, salah });
        let result: SignInResult;
        if (langkah === 'kata-sandi-baru') {
          const baru = form.kataSandiBaru ?? '';
          if (!baru || baru !== form.kataSandiBaru2)
            return ulangi('Kata sandi baru dan ulangannya harus diisi dan sama.');
          result = await identity.completeNewPassword(email, sesiCognito, baru);
        } else if (langkah === 'kode') {
          if (kodeSalah) return ulangi(kodeSalah);
          result = await identity.completeAuthenticatorCode(email, sesiCognito, kode);
        } else if (langkah === 'pasang-autentikator') {
          // Without Cognito's session or a well-formed secret the step cannot go on: sign in again (a new secret).
          if (!sesiCognito || !SECRET.test(rahasia)) return page(event, 400, { ...base, salah: SETUP_EXPIRED });
          if (kodeSalah)
            return page(event, 400, { ...base, ...(await setupStep(email, sesiCognito, rahasia)), salah: kodeSalah });
          result = await identity.completeAuthenticatorSetup(email, sesiCognito, kode);
        } else result = await identity.signIn(email, form.kataSandi ?? '');

        if (result.outcome === 'masuk') return signedIn(event, result.principal, lanjut);
        if (result.outcome === 'tantangan' && result.challenge === 'pasang-autentikator')
          return page(event, 200, {
            ...base,
            ...(await setupStep(result.email, result.session, result.secret)),
            info: 'Akun Anda wajib memakai aplikasi autentikator. Pasang sekali ini; berikutnya Anda cukup memasukkan kodenya saat masuk.',
          });
        if (result.outcome === 'tantangan')
          return page(event, 200, {
            ...base,
            email: result.email,
            langkah: result.challenge === 'kata-sandi-baru' ? 'kata-sandi-baru' : 'kode',
            sesiCognito: result.session,
            info:
              result.challenge === 'kata-sandi-baru'
                ? 'Ini masuk pertama Anda: buat kata sandi baru (minimal 12 karakter, dengan huruf besar, huruf kecil, angka dan simbol).'
                : 'Masukkan kode 6 angka dari aplikasi autentikator Anda.',
          });
        // A new password that does not meet the policy, a mistyped first code: the same step again (same Cognito
        // session). Otherwise back to email and password.
        if (result.status === 400 && langkah === 'pasang-autentikator')
          return page(event, 400, { ...base, ...(await setupStep(email, sesiCognito, rahasia)), salah: result.pesan });
        const again = result.status === 400 && langkah === 'kata-sandi-baru';
        return page(event, result.status, {
          ...base,
          salah: result.pesan,
          ...(again ? { langkah, sesiCognito } : {}),
        });
      },
    },
    {
      method: 'POST',
      pattern: /^\/keluar$/,
      run: async (event) => {
        const found = await ctx.acting(event);
        if (found.result) return found.result;
        ctx.endSession(event);
        return redirectTo('/masuk');
      },
    },
  ];
}

/** The MFA_SETUP step of the form: the secret in blocks of 4, its `otpauth://` URI and that URI as a QR code. */
async function setupStep(email: string, sesiCognito: string, rahasia: string): Promise<FormState> {
  const otpauth = authenticatorUri(email, rahasia);
  return {
    email,
    langkah: 'pasang-autentikator',
    sesiCognito,
    rahasia,
    rahasiaBlok: rahasia.replace(/(.{4})(?=.)/g, '$1 '),
    otpauth,
    qr: await QRCode.toDataURL(otpauth, { errorCorrectionLevel: 'M', margin: 2, width: 240 }),
  };
}

/**
 * The key URI an authenticator app reads (the Google Authenticator "Key Uri Format"): TOTP, SHA-1, 30 s, 6 digits
 * (the defaults, which are what Cognito uses), labelled `Sepakat:<email>` and issued by Sepakat.
 */
export function authenticatorUri(email: string, secret: string): string {
  return `otpauth://totp/Sepakat:${encodeURIComponent(email)}?secret=${secret}&issuer=Sepakat`;
}

/** Where a principal lands after signing in: the dashboard for staff, the archive, or the pemohon's own cases. */
export function homeOf(p: Principal): string {
  if (canSeeDashboard(p)) return '/konsol';
  if (has(p, 'arsiparis')) return '/arsip';
  if (has(p, 'pemohon')) return '/permohonan/saya';
  return '/';
}

/**
 * A return path of this site, or undefined: it must start with a single `/` (not `//` or `/\`, which browsers read
 * as another host), hold no control characters, and not lead back to signing in or out.
 */
export function safeReturnPath(value: string | null | undefined): string | undefined {
  if (!value || value.length > 1000) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return undefined;
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return undefined;
  let url: URL;
  try {
    url = new URL(value, 'http://sepakat.invalid');
  } catch {
    return undefined;
  }
  if (url.origin !== 'http://sepakat.invalid') return undefined;
  if (url.pathname === '/masuk' || url.pathname === '/keluar') return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}
