import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Capability links: the one module that makes and checks every link that is its own authority. The formats are
 * fixed (emailed links must keep working; test/capability-links.test.ts pins them):
 *
 * - task links `/tugas/<taskId>.<version>.<personTag>.<mac>` and monitoring links `/pantau/<itemId>.<version>.<personTag>.<mac>`
 *   (the same format): the id is HMAC-derived (a replayed opening finds the same task or item, unguessable without
 *   the key); the version is bumped when a fresh link is issued, which kills the old one; the person tag is a short
 *   hash of the bound person's id, so a link for someone else is recognised as such; the MAC covers all of it.
 *   Expiry and single use are checked against the task or item record, not the link;
 * - one-time codes for paraf and signature steps, stored as an HMAC, never in clear;
 * - the pemohon's tracking link `/lacak/<caseId>.<version>.<mac>`: shows one case's progress and offers withdrawal.
 *   It does not expire (a permohonan runs for months); it is revoked by issuing a new version
 *   (`CaseRecord.trackingVersion`), which kills every older one;
 * - the receipt `/permohonan/tanda-terima/<intakeId>?k=<mac>`: what the intake form opens after the upload, before
 *   the case exists; it shows the tracking link once the case has started;
 * - the confirmation link `/permohonan/konfirmasi/<intakeId>.<mac>`: sent to the address a contact who is not signed
 *   in gave; it binds the permohonan to that address (the MAC covers both). Expiry and single use are the permohonan
 *   record's state (core/case/intake-model.ts), not the link's;
 * - the tokens the withdrawal and confirmation forms carry (CSRF-style, bound to their capability), checked besides
 *   the handler's same-origin check;
 * - the HMAC of a network or email address, as limits key on it (the address itself is not kept);
 * - the completion package's download link `/paket/<caseId>.<recipientTag>.<expires>.<mac>`: sent to one party in
 *   place of a signed naskah too large to attach (core/documents/completion-package.ts); the tag is a short hash of
 *   the recipient's address (the link never carries it), the expiry is part of what the MAC covers, and every
 *   download through it is a logged act (a POST).
 *
 * The pemohon's MACs are under a key derived from the link key, never the link key itself.
 */
const b64 = (buf: Buffer, chars: number) => buf.toString('base64url').slice(0, chars);

/** Constant-time comparison of two strings (MACs, hashes). */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// ── Task and monitoring links ──────────────────────────────────────────────────────────────────────────────────

/** The id of the task of a case's activation `seq`. */
export function taskIdFor(key: Buffer, caseId: string, seq: number): string {
  return b64(createHmac('sha256', key).update(`task|${caseId}|${seq}`).digest(), 22);
}

/** The id of report or monev `ke` of an agreement (keyed: nobody can guess another's). */
export function monitoringItemId(key: Buffer, pemdaId: string, nomor: string, jenis: string, ke: number): string {
  return b64(createHmac('sha256', key).update(`pantau|${pemdaId}|${nomor}|${jenis}|${ke}`).digest(), 22);
}

const personTag = (personId: string) => b64(createHash('sha256').update(`person|${personId}`).digest(), 8);
const linkMac = (key: Buffer, id: string, version: number, tag: string) =>
  b64(createHmac('sha256', key).update(`link|${id}|${version}|${tag}`).digest(), 32);

/** The link of a task (or a monitoring item: `taskId` is then the item id) at a version, bound to a person. */
export function linkToken(key: Buffer, taskId: string, version: number, personId: string): string {
  const tag = personTag(personId);
  return `${taskId}.${version}.${tag}.${linkMac(key, taskId, version, tag)}`;
}

export type LinkCheck =
  | { ok: true; taskId: string; version: number }
  | { ok: false; reason: 'rusak' }
  | { ok: false; reason: 'orang-lain' | 'diganti'; taskId: string; version: number };

/** Checks a task or monitoring link's integrity against the record's current version and bound person. */
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
  if (!sameHash(linkMac(key, taskId, version, tag), given)) return { ok: false, reason: 'rusak' };
  const task = current(taskId);
  if (!task) return { ok: false, reason: 'rusak' };
  if (personTag(task.personId) !== tag) return { ok: false, reason: 'orang-lain', taskId, version };
  if (task.version !== version) return { ok: false, reason: 'diganti', taskId, version };
  return { ok: true, taskId, version };
}

/** A one-time code for paraf and signature steps, as stored. */
export function otpHash(key: Buffer, taskId: string, code: string): string {
  return createHmac('sha256', key).update(`otp|${taskId}|${code}`).digest('base64url');
}

// ── The pemohon's capabilities ─────────────────────────────────────────────────────────────────────────────────

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
  return sameHash(given, mac(linkKey, `lacak|${caseId}|${version}`)) ? { caseId, version } : undefined;
}

/** The receipt key of an intake id (the `k` of the receipt page). */
export const receiptKey = (linkKey: Buffer, intakeId: string) => mac(linkKey, `tanda-terima|${intakeId}`);

export const checkReceiptKey = (linkKey: Buffer, intakeId: string, given: string) =>
  sameHash(given, receiptKey(linkKey, intakeId));

/** The confirmation capability of a permohonan for the address it was sent to. */
export const confirmationToken = (linkKey: Buffer, intakeId: string, email: string) =>
  `${intakeId}.${mac(linkKey, `konfirmasi|${intakeId}|${email.toLowerCase()}`)}`;

/** The intake id a confirmation capability names (its MAC is checked against the address by `checkConfirmation`). */
export function readConfirmationToken(token: string): { intakeId: string; given: string } | undefined {
  const m = /^(\d{8}-[a-z2-7]{10})\.([A-Za-z0-9_-]{32})$/.exec(token);
  return m ? { intakeId: m[1]!, given: m[2]! } : undefined;
}

export const checkConfirmation = (linkKey: Buffer, token: string, email: string) =>
  sameHash(token, confirmationToken(linkKey, token.split('.')[0] ?? '', email));

/** The token the confirmation form carries (bound to the capability, besides the same-origin check). */
export const confirmationFormToken = (linkKey: Buffer, token: string) => mac(linkKey, `konfirmasi-form|${token}`);

export const checkConfirmationFormToken = (linkKey: Buffer, token: string, given: string) =>
  sameHash(given, confirmationFormToken(linkKey, token));

/** The HMAC of a network address or an email address, as limits key on it (the address itself is not kept). */
export const subjectTag = (linkKey: Buffer, kind: 'sumber' | 'email', value: string) =>
  mac(linkKey, `batas|${kind}|${value.toLowerCase()}`);

/** The token the withdrawal form of a tracking page carries. */
export const withdrawalToken = (linkKey: Buffer, capability: string) => mac(linkKey, `tarik|${capability}`);

export const checkWithdrawalToken = (linkKey: Buffer, capability: string, given: string) =>
  sameHash(given, withdrawalToken(linkKey, capability));

// ── The completion package's download link ────────────────────────────────────────────────────────────────────

/** The tag of a recipient's address in a package link: a short hash, so the link never carries the address. */
export const recipientTag = (email: string) =>
  b64(createHash('sha256').update(`penerima|${email.trim().toLowerCase()}`).digest(), 11);

/** One recipient's link to a case's completion package, valid until `expiresAt` (whole seconds). */
export function packageLinkToken(linkKey: Buffer, caseId: string, email: string, expiresAt: Date): string {
  const tag = recipientTag(email);
  const expires = Math.floor(expiresAt.getTime() / 1000).toString(36);
  return `${caseId}.${tag}.${expires}.${mac(linkKey, `paket|${caseId}|${tag}|${expires}`)}`;
}

/**
 * What a package link names when its MAC is right: the case, the recipient's tag and the expiry (the caller compares
 * it with its clock); undefined for anything altered or made up.
 */
export function readPackageLinkToken(
  linkKey: Buffer,
  token: string,
): { caseId: string; tag: string; expiresAt: Date } | undefined {
  const parts = token.split('.');
  if (parts.length !== 4) return undefined;
  const [caseId, tag, expires, given] = parts as [string, string, string, string];
  if (!CASE_ID.test(caseId) || !/^[A-Za-z0-9_-]{11}$/.test(tag) || !/^[0-9a-z]{1,10}$/.test(expires)) return undefined;
  if (!sameHash(given, mac(linkKey, `paket|${caseId}|${tag}|${expires}`))) return undefined;
  return { caseId, tag, expiresAt: new Date(parseInt(expires, 36) * 1000) };
}

/**
 * The token the download forms of a tracking page or a package link carry (bound to that capability, besides the
 * same-origin check).
 */
export const downloadFormToken = (linkKey: Buffer, capability: string) => mac(linkKey, `unduh|${capability}`);

export const checkDownloadFormToken = (linkKey: Buffer, capability: string, given: string) =>
  sameHash(given, downloadFormToken(linkKey, capability));
