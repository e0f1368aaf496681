import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieOptions } from 'hono/utils/cookie';
import { serialize } from 'hono/utils/cookie';
import { ROLES, type Principal } from '../../core/access/access.ts';
import type { Clock } from '../../core/case/model.ts';

/**
 * The console session: issued once the Cognito ID token has been verified (issuer, audience, signature against the
 * pool's JWKS), kept in the browser as one HttpOnly cookie `<payload>.<mac>` (HMAC-SHA-256 under a key derived from
 * the link key). It expires at a fixed time (no sliding), and every form that acts carries a CSRF token bound to the
 * session id (a synchronizer token: HMAC of the session id), checked besides the same-origin check.
 */
export const SESSION_COOKIE = 'sepakat_sesi';

export interface Session {
  /** Random per sign-in; the CSRF token is bound to it. */
  sid: string;
  principal: Principal;
  /** Epoch seconds. */
  issuedAt: number;
  expiresAt: number;
}

export interface SessionOptions {
  /** The app's link key (≥ 32 bytes); sessions use a key derived from it. */
  key: Buffer;
  ttlSeconds: number;
  /** Secure cookies (https) everywhere but the local http server. */
  secure: boolean;
  clock: Clock;
}

export class Sessions {
  private readonly macKey: Buffer;
  private readonly csrfKey: Buffer;
  constructor(private readonly options: SessionOptions) {
    this.macKey = createHmac('sha256', options.key).update('sepakat/sesi/v1').digest();
    this.csrfKey = createHmac('sha256', options.key).update('sepakat/csrf/v1').digest();
  }

  get ttlSeconds() {
    return this.options.ttlSeconds;
  }

  /** A new session for a verified principal: the cookie's value, and the whole Set-Cookie header value. */
  issue(principal: Principal): { session: Session; value: string; setCookie: string } {
    const now = Math.floor(this.options.clock.now().getTime() / 1000);
    const session: Session = {
      sid: randomBytes(16).toString('base64url'),
      principal,
      issuedAt: now,
      expiresAt: now + this.options.ttlSeconds,
    };
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    const value = `${payload}.${this.mac(payload)}`;
    return {
      session,
      value,
      setCookie: serialize(SESSION_COOKIE, value, this.cookieOptions(this.options.ttlSeconds)),
    };
  }

  /**
   * The session of a request, from its cookie's value: undefined when there is none, its MAC is wrong, or it has
   * expired.
   */
  read(value: string | undefined): { session?: Session; expired?: boolean } {
    if (!value) return {};
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return {};
    const payload = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return {};
    let session: Session;
    try {
      session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Session;
    } catch {
      return {};
    }
    if (!session?.principal || !Array.isArray(session.principal.roles)) return {};
    if (!session.principal.roles.every((r) => (ROLES as readonly string[]).includes(r))) return {};
    const now = this.options.clock.now().getTime() / 1000;
    if (!(session.expiresAt > now)) return { expired: true };
    return { session };
  }

  /** The cookie's attributes (for Hono's `setCookie`): HttpOnly, SameSite=Lax, the whole site, Secure on https. */
  cookieOptions(maxAge: number): CookieOptions {
    return { path: '/', httpOnly: true, sameSite: 'Lax', maxAge, ...(this.options.secure ? { secure: true } : {}) };
  }

  /** The CSRF token of the session's forms (hidden field `_csrf`). */
  csrfToken(session: Session): string {
    return createHmac('sha256', this.csrfKey).update(session.sid).digest('base64url');
  }

  checkCsrf(session: Session, form: Record<string, string>): boolean {
    const given = Buffer.from(form._csrf ?? '', 'utf8');
    const expected = Buffer.from(this.csrfToken(session), 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.macKey).update(payload).digest('base64url');
  }
}
