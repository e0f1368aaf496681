import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The pemohon's read-only capabilities, beside the officials' action links (links.ts):
 *
 * - the tracking link `/lacak/<caseId>.<version>.<mac>`: shows one case's progress and offers withdrawal. It does not
 *   expire (a permohonan runs for months); it is revoked by issuing a new version (`CaseRecord.trackingVersion`),
 *   which kills every older one;
 * - the receipt `/permohonan/tanda-terima/<intakeId>?k=<mac>`: what the intake form opens after the upload, before
 *   the case exists; it shows the tracking link once the case has started;
 * - the confirmation link `/permohonan/konfirmasi/<intakeId>.<mac>`: sent to the address a contact who is not signed
 *   in gave; it binds the permohonan to that address (the MAC covers both). Expiry and single use are the permohonan
 *   record's state (core/case/intake-model.ts), not the link's;
 * - the withdrawal token: the form on the tracking page carries an HMAC of the capability (a CSRF-style token bound
 *   to it), checked besides the handler's same-origin check.
 *
 * Every MAC is under a key derived from the link key, never the link key itself.
 */
const b64 = (buf: Buffer, chars: number) => buf.toString('base64url').slice(0, chars);
const derived = (linkKey: Buffer) => createHmac('sha256', linkKey).update('sepakat/lacak/v1').digest();
const mac = (linkKey: Buffer, text: string) => b64(createHmac('sha256', derived(linkKey)).update(text).digest(), 32);

const CASE_ID = /^[0-9]{8}-[a-z2-7]{10}$/;

/** The tracking capability of a case at a link version. */
export function trackingToken(linkKey: Buffer, caseId: string, version: number): string {
  return `${caseId}.${version}.${mac(linkKey, `lacak|${caseId}|${version}`)}`;
}

/**
 * The case and version a tracking capability names, when its MAC is right (the caller then compares the version
 * with the case's current one); undefined for anything altered or made up.
 */
export function readTrackingToken(linkKey: Buffer, token: string): { caseId: string; version: number } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [caseId, versionText, given] = parts as [string, string, string];
  const version = Number(versionText);
  if (!CASE_ID.test(caseId) || !/^\d{1,6}$/.test(versionText) || version < 1) return undefined;
  return same(given, mac(linkKey, `lacak|${caseId}|${version}`)) ? { caseId, version } : undefined;
}

/** The receipt key of an intake id (the `k` of the receipt page). */
export const receiptKey = (linkKey: Buffer, intakeId: string) => mac(linkKey, `tanda-terima|${intakeId}`);

export const checkReceiptKey = (linkKey: Buffer, intakeId: string, given: string) =>
  same(given, receiptKey(linkKey, intakeId));

/** The confirmation capability of a permohonan for the address it was sent to. */
export const confirmationToken = (linkKey: Buffer, intakeId: string, email: string) =>
  `${intakeId}.${mac(linkKey, `konfirmasi|${intakeId}|${email.toLowerCase()}`)}`;

/** The intake id a confirmation capability names (its MAC is checked against the address by `checkConfirmation`). */
export function readConfirmationToken(token: string): { intakeId: string; given: string } | undefined {
  const m = /^(\d{8}-[a-z2-7]{10})\.([A-Za-z0-9_-]{32})$/.exec(token);
  return m ? { intakeId: m[1]!, given: m[2]! } : undefined;
}

export const checkConfirmation = (linkKey: Buffer, token: string, email: string) =>
  same(token, confirmationToken(linkKey, token.split('.')[0] ?? '', email));

/** The token the confirmation form carries (bound to the capability, besides the same-origin check). */
export const confirmationFormToken = (linkKey: Buffer, token: string) => mac(linkKey, `konfirmasi-form|${token}`);

export const checkConfirmationFormToken = (linkKey: Buffer, token: string, given: string) =>
  same(given, confirmationFormToken(linkKey, token));

/** The HMAC of a network address or an email address, as limits key on it (the address itself is not kept). */
export const subjectTag = (linkKey: Buffer, kind: 'sumber' | 'email', value: string) =>
  mac(linkKey, `batas|${kind}|${value.toLowerCase()}`);

/** The token the withdrawal form of a tracking page carries. */
export const withdrawalToken = (linkKey: Buffer, capability: string) => mac(linkKey, `tarik|${capability}`);

export const checkWithdrawalToken = (linkKey: Buffer, capability: string, given: string) =>
  same(given, withdrawalToken(linkKey, capability));

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
