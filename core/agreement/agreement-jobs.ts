import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The timed work of agreements, as data (joined to the product's job union in core/case/jobs.ts). A job names the
 * agreement (pemda and number) and the stage; the use case reads the agreement when it fires, so a job of an
 * agreement that closed meanwhile does nothing.
 */
export const AGREEMENT_STAGES = [
  /** Email the pelaksana the link of report `ke` (some days before it falls due). */
  'laporan-minta',
  /** Report `ke` was not submitted by its due date: remind the pelaksana; count the reports missed in a row. */
  'laporan-terlambat',
  /** Report `ke` is still missing: tell the atasan of the Bagian's head. */
  'laporan-eskalasi',
  /** Email the Bagian's pelaksana the link of monev `ke`. */
  'monev-minta',
  /** Monev `ke` was not recorded by its due date: remind the pelaksana who got its link. */
  'monev-terlambat',
  /** Monev `ke` is still missing: tell the atasan of the Bagian's head. */
  'monev-eskalasi',
  /** `ke` days before the end of the term: remind the Bagian and the pelaksana. */
  'pengingat-berakhir',
  /** The term ran out: the agreement ends. */
  'berakhir',
  /** Report `ke` came in but its PDF is not made yet (the renderer failed, or runs elsewhere): make it. */
  'laporan-dokumen',
] as const;
export type AgreementStage = (typeof AGREEMENT_STAGES)[number];

const pemdaId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'id pemda');

export const AgreementJobSchema = z
  .object({
    kind: z.literal('pantau-perjanjian'),
    pemdaId,
    nomor: z.string().min(1).max(120),
    tahap: z.enum(AGREEMENT_STAGES),
    /** Which report or monev (1-based), or how many days before the end; absent for `berakhir`. */
    ke: z.number().int().min(0).max(999).optional(),
    /**
     * The last day of the term the job was scheduled for (YYYY-MM-DD; end reminders and the expiry): an adendum that
     * moves the end makes new keys, and a job of the old term that still fires does nothing.
     */
    sampai: z.iso.date().optional(),
    /**
     * The revision of the agreement's schedule it belongs to (`AgreementRecord.jadwalRevisi`; absent: the first):
     * a schedule computed again after a calendar import makes new keys, and a job of an older revision does nothing.
     */
    rev: z.number().int().min(1).max(999).optional(),
  })
  .strict();
export type AgreementJob = z.infer<typeof AgreementJobSchema>;

/** The annual report of a pemda's agreements for one year (to the DPRD and the Mendagri through the Gubernur). */
export const AnnualReportJobSchema = z
  .object({
    kind: z.literal('laporan-tahunan'),
    pemdaId,
    tahun: z.number().int().min(2000).max(2200),
  })
  .strict();
export type AnnualReportJob = z.infer<typeof AnnualReportJobSchema>;

/** 16 URL-safe characters naming an agreement (its number holds "/" and may be long). */
export function agreementId(pemda: string, nomor: string): string {
  return createHash('sha256').update(`perjanjian|${pemda}|${nomor}`).digest('base64url').slice(0, 16);
}

/** The deterministic key of an agreement job (≤ 64 characters of `[0-9A-Za-z._-]`). */
export function agreementJobKey(job: AgreementJob | AnnualReportJob): string {
  if (job.kind === 'laporan-tahunan') return `laporan-tahunan.${job.pemdaId}.${job.tahun}`;
  return (
    `perjanjian.${agreementId(job.pemdaId, job.nomor)}.${job.tahap}${job.ke !== undefined ? `.${job.ke}` : ''}` +
    (job.sampai ? `.${job.sampai.replaceAll('-', '')}` : '') +
    (job.rev ? `.r${job.rev}` : '')
  );
}
