import { createHash } from 'node:crypto';
import type { CaseRecord, TaskPerson } from './model.ts';

/**
 * The person an SOP actor of kind `pemohon` is bound to, for one case: whoever submitted it (the signed-in pemohon, or
 * the contact who confirmed their address at intake; core/case/intake.ts), as `record.pemohon` keeps them. Their id is
 * derived from the address, so the same pemohon is the same person in every case (and in "Tugas saya" when signed in),
 * and no address is written into a key or a link.
 */
export function pemohonPersonId(email: string): string {
  return `pemohon-${createHash('sha256').update(`pemohon|${email.trim().toLowerCase()}`).digest('hex').slice(0, 20)}`;
}

export function pemohonPerson(record: Pick<CaseRecord, 'pemohon'>): TaskPerson {
  const { nama, email, instansi } = record.pemohon;
  return { id: pemohonPersonId(email), nama, jabatan: `Pemohon, ${instansi}`, email };
}
