import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Action links are capabilities. A link is `${taskId}.${version}.${personTag}.${mac}`:
 * - taskId: HMAC-derived from the case and activation, so a replayed opening finds the same task (unguessable
 *   without the key);
 * - version: bumped when a fresh link is issued, which kills the old one;
 * - personTag: a short hash of the bound person's id, so a link for someone else is recognised as such;
 * - mac: HMAC over all of it. Expiry and single use are checked against the task record, not the link.
 */
const b64 = (buf: Buffer, chars: number) => buf.toString('base64url').slice(0, chars);

export function taskIdFor(key: Buffer, caseId: string, seq: number): string {
  return b64(createHmac('sha256', key).update(`task|${caseId}|${seq}`).digest(), 22);
}

const personTag = (personId: string) => b64(createHash('sha256').update(`person|${personId}`).digest(), 8);
const mac = (key: Buffer, taskId: string, version: number, tag: string) =>
  b64(createHmac('sha256', key).update(`link|${taskId}|${version}|${tag}`).digest(), 32);

export function linkToken(key: Buffer, taskId: string, version: number, personId: string): string {
  const tag = personTag(personId);
  return `${taskId}.${version}.${tag}.${mac(key, taskId, version, tag)}`;
}

export type LinkCheck =
  | { ok: true; taskId: string; version: number }
  | { ok: false; reason: 'rusak' }
  | { ok: false; reason: 'orang-lain' | 'diganti'; taskId: string; version: number };

/** Checks a link's integrity against the task's current version and bound person. */
export function checkLink(
  key: Buffer,
  token: string,
  current: (taskId: string) => { version: number; personId: string } | undefined,
): LinkCheck {
  const parts = token.split('.');
  if (parts.length !== 4) return { ok: false, reason: 'rusak' };
  const [taskId, versionText, tag, given] = parts as [string, string, string, string];
  const version = Number(versionText);
  if (!/^[A-Za-z0-9_-]{22}$/.test(taskId) || !Number.isInteger(version) || version < 1)
    return { ok: false, reason: 'rusak' };
  const expected = Buffer.from(mac(key, taskId, version, tag));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'rusak' };
  const task = current(taskId);
  if (!task) return { ok: false, reason: 'rusak' };
  if (personTag(task.personId) !== tag) return { ok: false, reason: 'orang-lain', taskId, version };
  if (task.version !== version) return { ok: false, reason: 'diganti', taskId, version };
  return { ok: true, taskId, version };
}

/** One-time codes for paraf and signature steps: stored as an HMAC, never in clear. */
export function otpHash(key: Buffer, taskId: string, code: string): string {
  return createHmac('sha256', key).update(`otp|${taskId}|${code}`).digest('base64url');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
