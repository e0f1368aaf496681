import type { CaseRecord, TaskRecord } from '../case/model.ts';

/**
 * Who may see and do what in the web console. Pure: the signed-in principal (from a verified Cognito ID token) and
 * the records decide; no request, no AWS. Every rule is scoped to the principal's pemda first: nobody sees another
 * pemda's cases, documents or files, whatever their role.
 *
 * - **pemohon**: the cases they submitted (by email), or that their own unit (instansi) submitted; the permohonan's
 *   files and the documents addressed outward, never the internal working papers.
 * - **pelaksana**: the staff of the units that run the SOP (its kop lines, e.g. BAGIAN TATA PEMERINTAHAN): every
 *   case of their unit's SOPs, every document; they send an open task's email again, or a reminder, by hand.
 * - **pejabat**: the cases of their unit's SOPs, and any case in their pemda where a task is or was theirs.
 * - **arsiparis**: the register and the archive of their pemda: the signed naskah, the partner's copy, the scans,
 *   and the pages of finished cases they belong to; never an open case (its working notes and papers).
 * - **admin**: every case of their pemda; cancels, reassigns, delegates, reminds.
 */
export const ROLES = ['pemohon', 'pelaksana', 'pejabat', 'arsiparis', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABEL: Record<Role, string> = {
  pemohon: 'Pemohon',
  pelaksana: 'Pelaksana',
  pejabat: 'Pejabat',
  arsiparis: 'Arsiparis',
  admin: 'Administrator',
};

export interface Principal {
  /** The Cognito user's `sub`. */
  sub: string;
  email: string;
  nama: string;
  roles: Role[];
  pemdaId: string;
  /** The unit the person works in: the SOP's unit for staff, the perangkat daerah (instansi) for a pemohon. */
  unit: string;
  /** The person in the pemda directory (config/pemda), for staff who hold SOP roles. */
  personId?: string;
}

/**
 * How a request for one record of a pemda (a case, its task, document or file, a register entry, an agreement) is
 * answered: `tidak-ada` (404) when there is no such record *or it is another pemda's* — the same answer, so ids
 * cannot be probed across pemdas; `ditolak` (403) when it is of the principal's pemda but their role may not see
 * it; `boleh` otherwise.
 */
export type RecordAccess = 'tidak-ada' | 'ditolak' | 'boleh';

/**
 * The one rule every route that names a pemda's record applies. `recordPemdaId` is the record's pemda (undefined: no
 * such record). `may` (the role rule, e.g. `canSeeCase`) is asked only for a record of the principal's own pemda, so
 * nothing more is read about another pemda's record than about a missing one.
 */
export async function recordAccess(
  p: Principal,
  recordPemdaId: string | undefined,
  may: () => boolean | Promise<boolean>,
): Promise<RecordAccess> {
  if (recordPemdaId === undefined || recordPemdaId !== p.pemdaId) return 'tidak-ada';
  return (await may()) ? 'boleh' : 'ditolak';
}

/** What the rules need to know about a case beyond its record: the unit that runs its SOP. */
export interface CaseScope {
  record: Pick<CaseRecord, 'caseId' | 'pemdaId' | 'pemohon' | 'status'>;
  /**
   * The units that run the SOP: its header's kop lines below the pemda's own ("SEKRETARIAT DAERAH", "BAGIAN
   * KERJASAMA", "SUB BAGIAN KERJASAMA LUAR NEGERI"): staff of any of them (a unit and the units above it) belong.
   */
  sopUnits: string[];
  /** The case's tasks (for a pejabat: was any of them theirs?). */
  tasks?: Pick<TaskRecord, 'person'>[];
}

/** Document kinds that are working papers of the pemda, never shown to the pemohon. */
export const INTERNAL_DOCUMENT_KINDS: ReadonlySet<string> = new Set([
  'nota-dinas',
  // A nota dinas stays internal once signed (a letter inside the pemda).
  'nota-dinas-ditandatangani',
  'telaahan-staf',
  'lembar-disposisi',
  'konsep-naskah',
  // The naskah as rendered for its signer's page, before the signature (core/documents/signing-task.ts).
  'naskah-untuk-ditandatangani',
]);

/** Document kinds that make up the archive: the signed agreement and its copies. */
export const ARCHIVE_DOCUMENT_KINDS: ReadonlySet<string> = new Set([
  'naskah-ditandatangani',
  'naskah-para-pihak',
  'arsip-pindai',
  'lembar-riwayat',
]);

export const sameUnit = (a: string, b: string) => normalise(a) === normalise(b);
const normalise = (s: string) => s.trim().replace(/\s+/g, ' ').toUpperCase();

export const has = (p: Principal, role: Role) => p.roles.includes(role);

/** The units of an SOP header's kop lines (the first line is the pemda itself). */
export const unitsOfSop = (header: { unit: string[] }) => header.unit.slice(1);

function isPemohonOf(p: Principal, scope: CaseScope): boolean {
  const pemohon = scope.record.pemohon;
  return (
    has(p, 'pemohon') && (pemohon.email.toLowerCase() === p.email.toLowerCase() || sameUnit(pemohon.instansi, p.unit))
  );
}

function isStaffOf(p: Principal, scope: CaseScope): boolean {
  if ((has(p, 'pelaksana') || has(p, 'pejabat')) && scope.sopUnits.some((u) => sameUnit(p.unit, u))) return true;
  return has(p, 'pejabat') && !!p.personId && !!scope.tasks?.some((t) => t.person.id === p.personId);
}

/** May the principal open the case page (timeline, history)? */
export function canSeeCase(p: Principal, scope: CaseScope): boolean {
  if (p.pemdaId !== scope.record.pemdaId) return false;
  // An arsiparis files what is finished: an open case's working notes are not theirs to read.
  const archived = has(p, 'arsiparis') && scope.record.status !== 'aktif';
  return has(p, 'admin') || archived || isStaffOf(p, scope) || isPemohonOf(p, scope);
}

/**
 * May the principal see (and download) a document of the case, by kind (`permohonan` for the pemohon's uploads and
 * the files attached to decisions)?
 */
export function canSeeDocument(p: Principal, scope: CaseScope, kind: string): boolean {
  if (p.pemdaId !== scope.record.pemdaId) return false;
  // The archive copies are the arsiparis's as soon as they exist, even while the case finishes its last steps.
  if (has(p, 'arsiparis') && ARCHIVE_DOCUMENT_KINDS.has(kind)) return true;
  if (!canSeeCase(p, scope)) return false;
  if (has(p, 'admin') || isStaffOf(p, scope)) return true;
  return isPemohonOf(p, scope) && !INTERNAL_DOCUMENT_KINDS.has(kind);
}

/**
 * May the person of a task see a generated document of its case on the task page? An official (or the official who
 * records an external party) any; the pemohon, on a task of an actor of kind pemohon, what the pemohon sees anywhere:
 * never the working papers.
 */
export const taskMaySeeDocument = (performerKind: 'internal' | 'external' | 'pemohon', kind: string): boolean =>
  performerKind !== 'pemohon' || !INTERNAL_DOCUMENT_KINDS.has(kind);

/** May the principal see the staff dashboard (every case of their scope, by status and step)? */
export const canSeeDashboard = (p: Principal) => has(p, 'admin') || has(p, 'pelaksana') || has(p, 'pejabat');

/** May the principal search the register and the archive of a pemda? */
export const canSeeArchive = (p: Principal, pemdaId: string) =>
  p.pemdaId === pemdaId && (has(p, 'arsiparis') || has(p, 'admin') || has(p, 'pelaksana'));

/** May the principal cancel the case, reassign or delegate its tasks? */
export const canAdministerCase = (p: Principal, scope: CaseScope) =>
  p.pemdaId === scope.record.pemdaId && has(p, 'admin');

/**
 * May the principal send an open task's email again, or a reminder, by hand (from the case page)? The pelaksana of
 * the units that run the SOP, and the administrator.
 */
export const canRemindTask = (p: Principal, scope: CaseScope) =>
  p.pemdaId === scope.record.pemdaId &&
  (has(p, 'admin') || (has(p, 'pelaksana') && scope.sopUnits.some((u) => sameUnit(p.unit, u))));

/** May the principal withdraw the case (the pemohon who submitted it, or their unit)? */
export const canWithdrawCase = (p: Principal, scope: CaseScope) =>
  p.pemdaId === scope.record.pemdaId && isPemohonOf(p, scope);

/** May the principal see Mutu Baku analytics of a pemda? */
export const canSeeAnalytics = (p: Principal, pemdaId: string) =>
  p.pemdaId === pemdaId && (has(p, 'admin') || has(p, 'pelaksana') || has(p, 'pejabat'));
