import type { CaseRecord } from './model.ts';

/**
 * A permohonan before it is a case. `Intake.prepare` reserves it (the uploads it may name, presigned for 15
 * minutes); its manifest and files are checked when the manifest arrives; a contact who is not signed in then
 * confirms their address through a single-use link before the case exists. One item per permohonan, each change
 * of state one conditional write.
 *
 *   disiapkan ──manifest and files pass──▶ menunggu-konfirmasi ──the contact confirms──▶ dikonfirmasi (case created)
 *       │                 │  (a signed-in pemohon: straight to dikonfirmasi)
 *       └─ fails, or no manifest in time, or not confirmed in time ──▶ dikarantina (objects under karantina/)
 */
export type IntakeState = 'disiapkan' | 'menunggu-konfirmasi' | 'dikonfirmasi' | 'dikarantina';

export interface IntakeUploadSlot {
  slot: string;
  key: string;
  /** The size the browser declared: the presigned PUT accepts exactly this many bytes. */
  size: number;
  contentType: string;
}

export interface IntakeRecord {
  intakeId: string;
  sopId: string;
  state: IntakeState;
  createdAt: string;
  /** The keys the manifest may name (and nothing else under the permohonan's folder). */
  uploads: IntakeUploadSlot[];
  /** The SHA-256 of the manifest `prepare` built: the one uploaded must be exactly it. */
  manifestSha256?: string;
  /** HMAC of the caller's network address (for limits; the address itself is not kept). */
  source?: string;
  /** A signed-in pemohon who prepared it: their session stands for the confirmation of this address. */
  /** The contact's address as the checked form gave it (where a quarantine notice may go, within the limits). */
  contact?: string;
  preparedBy?: { email: string; nama: string; sub: string };
  /** The case to be, once the manifest and files passed their checks (files already at their accepted keys). */
  candidate?: CaseRecord;
  /** Until when the contact may confirm. */
  confirmBy?: string;
  /**
   * The last attempt at the confirmation email, when one was refused: refused (and what was: `MAIL_REFUSAL`), or
   * sent after all (a later sweep's resend). The receipt page reads it from here, not from the history.
   */
  konfirmasiEmail?: { hasil: 'ditolak' | 'terkirim'; kode?: string; at: string };
  confirmedAt?: string;
  /** Why it went to quarantine (Indonesian, for the pemohon). */
  reasons?: string[];
  quarantinedAt?: string;
}

export interface IntakeStore {
  /** Creates the reservation; false when the id exists. */
  create(record: IntakeRecord): Promise<boolean>;
  get(intakeId: string): Promise<IntakeRecord | undefined>;
  /**
   * Moves the permohonan from one of `from` to `to` and sets `fields`, in one conditional write. Returns the new
   * item, or undefined when it was not in one of `from` (someone else moved it first).
   */
  transition(
    intakeId: string,
    from: readonly IntakeState[],
    to: IntakeState,
    fields: Partial<Omit<IntakeRecord, 'intakeId' | 'state'>>,
  ): Promise<IntakeRecord | undefined>;
  /** Permohonan in a state, created before `before` (oldest first). */
  listByState(state: IntakeState, before: Date): Promise<IntakeRecord[]>;
}

/**
 * Counters of requests and emails per subject in fixed windows. `take` counts one if the window is not full, in
 * one conditional write; otherwise it says when the window ends.
 */
export interface RateLimiter {
  take(
    key: string,
    limit: { max: number; windowSeconds: number },
    now: Date,
  ): Promise<{ ok: true } | { ok: false; retryAt: Date }>;
}

/** The limits on the public intake, per hashed caller address or email address (configurable per deployment). */
export interface IntakeLimits {
  /** Permohonan prepared per caller address per hour. */
  preparePerSourcePerHour: number;
  /** Emails (confirmation or quarantine notice) to one unconfirmed address per day. */
  mailsPerAddressPerDay: number;
  /** Such emails caused by one caller address per day. */
  mailsPerSourcePerDay: number;
}

export const DEFAULT_INTAKE_LIMITS: IntakeLimits = {
  preparePerSourcePerHour: 20,
  mailsPerAddressPerDay: 5,
  mailsPerSourcePerDay: 20,
};
