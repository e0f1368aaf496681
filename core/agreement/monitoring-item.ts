import type { JenisKewajiban } from './calendar.ts';
import type { RekomendasiMonev } from './agreement-model.ts';

/** The state of a report or monev an agreement owes: open until what came in through its link is recorded. */
export type ItemState = 'terbuka' | 'diterima';

/** Who a report or monev link is bound to. */
export interface ItemPerson {
  id: string;
  nama: string;
  jabatan: string;
  email: string;
}

export interface ItemSubmission {
  submissionId: string;
  at: string;
  values: Record<string, string>;
  /** The Laporan Pelaksanaan rendered from it (reports only). */
  docId?: string;
  rekomendasi?: RekomendasiMonev;
}

/** One report or monev an agreement owes: its link (version, expiry, person) and, once submitted, what came in. */
export interface MonitoringItem {
  itemId: string;
  pemdaId: string;
  nomor: string;
  jenis: JenisKewajiban;
  ke: number;
  label: string;
  periode: { mulai: string; selesai: string };
  jatuhTempo: string;
  /** The due date it was first requested with, once an import of the calendar moved it (`redateItem`). */
  jatuhTempoSemula?: string;
  person: ItemPerson;
  state: ItemState;
  linkVersion: number;
  linkExpiresAt: string;
  requestedAt: string;
  submission?: ItemSubmission;
  /** How many times its expired link was renewed (rate-limited). */
  renewals?: number;
}

/** The fact that a year's annual report was made and sent. */
export interface RekapFact {
  pemdaId: string;
  tahun: number;
  docId: string;
  to: string[];
  at: string;
  /** Why the email to `to` was refused for good by the mail service (the report was made and stored all the same). */
  emailGagal?: string;
  /** What was refused (`MAIL_REFUSAL`): the recipient's address, or the sender's side. */
  emailGagalKode?: string;
}
