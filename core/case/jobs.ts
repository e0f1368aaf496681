import { z } from 'zod';
import { ErrorNames, SepakatError } from '../errors.ts';
import { AgreementJobSchema, agreementJobKey, AnnualReportJobSchema } from '../agreement/agreement-jobs.ts';

/**
 * Timed work as data: what a schedule carries and hands back when it fires (EventBridge Scheduler's target input in
 * AWS, the `job` of an item in the local schedule table). Small and JSON-serialisable; the schema is the source of
 * the type and rejects anything else at the edge. A job names the fact it is about, never a copy of the state it
 * acts on: the use case reads the current state when it fires.
 */

/**
 * The reminders of a task, in the order they fall due:
 * - `sebelum-jatuh-tempo`: to the person, some working hours before the due time;
 * - `terlambat`: to the person, once it is overdue (`ke` counts the reminders after the due time: 1, 2, …);
 * - `eskalasi`: to the person's atasan, some working hours after the due time;
 * - `menunggu-pihak-luar`: a wait on an external party is never late; the official who records its answer is
 *   reminded at its perkiraan selesai (`ke` 1, and 2 at the upper end of a range), or, when its step has no Waktu,
 *   after some working days.
 */
export const REMINDER_STAGES = ['sebelum-jatuh-tempo', 'terlambat', 'eskalasi', 'menunggu-pihak-luar'] as const;
export type ReminderStage = (typeof REMINDER_STAGES)[number];

export const TaskReminderJobSchema = z
  .object({
    kind: z.literal('pengingat-tugas'),
    /** The opaque task id (as links carry it). */
    taskId: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'id tugas 22 karakter'),
    stage: z.enum(REMINDER_STAGES),
    /** Which `terlambat` or `menunggu-pihak-luar` reminder (1-based); absent for the other stages. */
    ke: z.number().int().min(1).max(20).optional(),
    /** The task's due revision the reminder was planned on (absent: 0); a reminder of an older one sends nothing. */
    rev: z.number().int().min(1).optional(),
  })
  .strict();
export type TaskReminderJob = z.infer<typeof TaskReminderJobSchema>;

/** Every kind of timed work: task reminders, and the monitoring of agreements (core/agreement/agreement-jobs.ts). */
export const JobSchema = z.discriminatedUnion('kind', [
  TaskReminderJobSchema,
  AgreementJobSchema,
  AnnualReportJobSchema,
]);
export type Job = z.infer<typeof JobSchema>;

/** Validates a job arriving from a schedule; the message names the field. */
export function parseJob(raw: unknown): Job {
  const parsed = JobSchema.safeParse(raw);
  if (!parsed.success)
    throw new SepakatError(
      ErrorNames.BadInput,
      `Jadwal tidak valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(akar)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/**
 * The deterministic key of a job: one schedule per fact, so scheduling it again finds the first one. Made only of
 * `[0-9A-Za-z._-]` and at most 64 characters, which is also what an EventBridge Scheduler schedule name allows.
 */
export function jobKey(job: Job): string {
  switch (job.kind) {
    case 'pengingat-tugas':
      return `pengingat.${job.taskId}.${job.stage}${job.ke ? `.${job.ke}` : ''}${job.rev ? `.r${job.rev}` : ''}`;
    case 'pantau-perjanjian':
    case 'laporan-tahunan':
      return agreementJobKey(job);
    default:
      throw new SepakatError(
        ErrorNames.BadInput,
        `Jenis jadwal tidak dikenal: ${String((job satisfies never as { kind?: unknown }).kind)}`,
      );
  }
}
