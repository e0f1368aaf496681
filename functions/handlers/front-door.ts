import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import type { MessageModel } from './web-context.ts';

/**
 * The front door (AWS): CloudFront, with its WAF web ACL, is the only way in. It sends the secret origin header on
 * every request it forwards (infra/stateless-stack.ts); the execute-api endpoint cannot be closed while CloudFront
 * uses it, so the app refuses every request without that header. On the embedded default no secret is configured
 * and nothing is asked.
 */
export const ORIGIN_HEADER = 'x-sepakat-origin';

/** The header CloudFront sets to the viewer's address and port (`198.51.100.7:46532`, `2001:db8::1:46532`). */
export const VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';

export const OUTSIDE_FRONT_DOOR: MessageModel = {
  judul: 'Akses ditolak',
  pesan: 'Sepakat hanya dapat dibuka melalui alamat resminya. Buka tautan dari email Anda atau alamat situs Sepakat.',
};

/** The same secret, compared in constant time. */
function sameSecret(sent: string | undefined, secret: string): boolean {
  if (sent === undefined) return false;
  const a = Buffer.from(sent, 'utf8');
  const b = Buffer.from(secret, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Refuses (through `refused`, a 403) a request without the origin header when a secret is configured. */
export function frontDoorGuard(
  secret: string | undefined,
  refused: (c: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  return async (c, next) => {
    if (secret !== undefined && !sameSecret(c.req.header(ORIGIN_HEADER), secret)) return refused(c);
    return next();
  };
}

/** The address of `CloudFront-Viewer-Address` (the port after the last colon dropped); undefined when malformed. */
export function viewerAddress(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const colon = header.lastIndexOf(':');
  if (colon <= 0 || !/^\d{1,5}$/.test(header.slice(colon + 1))) return undefined;
  const address = header.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return isIP(address) ? address : undefined;
}

/**
 * The caller's network address, as the product's limits key on it: behind the front door (a secret configured, so
 * the request passed `frontDoorGuard`) the viewer's address CloudFront passes, never CloudFront's own; otherwise,
 * and when that header is missing, API Gateway's source IP, or locally the socket's.
 */
export function callerAddress(c: Context, behindFrontDoor: boolean): string | undefined {
  const viewer = behindFrontDoor ? viewerAddress(c.req.header(VIEWER_ADDRESS_HEADER)) : undefined;
  if (viewer) return viewer;
  const env = c.env as
    | {
        requestContext?: { http?: { sourceIp?: string } };
        incoming?: { socket?: { remoteAddress?: string } };
      }
    | undefined;
  return env?.requestContext?.http?.sourceIp || env?.incoming?.socket?.remoteAddress || undefined;
}
