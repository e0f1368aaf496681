import { z } from 'zod';
import { addWorkingMinutes, type WorkCalendar } from '../calendar/work-calendar.ts';
import { addDays, MS_PER_MINUTE } from '../calendar/zone.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import { jobKey, type TaskReminderJob } from './jobs.ts';
import type { ScheduledItem, TaskRecord } from './model.ts';

/**
 * When the reminders of a task fall due: the pemda's cadence (`pengingat` in config/pemda/*.yaml) applied to the
 * task's due times on the pemda's working-day calendar. Pure: the calendar is passed in.
 *
 * "Jam" counts working time, as the Mutu Baku does (a jam of Waktu is 60 working minutes): 4 jam before a due time
 * of Selasa 16.00 is Selasa 11.00 when the day has istirahat 12.00–13.00; 0 jam after a due time at the closing of
 * working hours is the next opening (the person hears of it when the next working day begins).
 */
export const PengingatSchema = z
  .object({
    /** Working hours before the due time: a reminder to the person (null: none). Skipped when it falls before the task opened. */
    sebelumJatuhTempoJam: z.number().positive().max(1000).nullable().default(4),
    /** Working hours after the due time (the end of a Waktu range): one reminder to the person for each. */
    setelahTerlambatJam: z.array(z.number().min(0).max(1000)).max(10).default([0]),
    /** Working hours after the due time: an email to the person's atasan (null: no escalation). */
    eskalasiSetelahTerlambatJam: z.number().min(0).max(1000).nullable().default(15),
    /**
     * A wait on an external party whose step has no Waktu: working days after it opened, a reminder to the official
     * who records it. A wait with a Waktu is reminded at its perkiraan selesai instead (see planReminders).
     */
    pihakLuarSetelahHariKerja: z.number().int().positive().max(250).nullable().default(5),
  })
  .strict();
export type Pengingat = z.infer<typeof PengingatSchema>;

/** The cadence of a pemda whose configuration says nothing about reminders. */
export const DEFAULT_PENGINGAT: Pengingat = PengingatSchema.parse({});

/**
 * The reminders of a task, in the order they fall due, each with its deterministic key. They are scheduled as a
 * chain: only the first when the task opens, each next one when the one before it fires (`nextReminder`), so a task
 * has at most one reminder waiting in the scheduler. A task without a due time has
 * none, except a wait on an external party (`waitsOnExternal`), whose recording official is reminded:
 * - with a perkiraan selesai (the step's Waktu: `dueAt`, and `overdueAt` for the upper end of a range), at each of
 *   them (`ke` 1 and 2), instead of the fixed `pihakLuarSetelahHariKerja`: the official asks the party when its
 *   expected time has come. Never an escalation to an atasan: the time is the party's;
 * - without one, `pihakLuarSetelahHariKerja` working days after it opened.
 */
export function planReminders(input: {
  task: Pick<TaskRecord, 'taskId' | 'openedAt' | 'dueAt' | 'overdueAt' | 'dueRevision'>;
  waitsOnExternal: boolean;
  /** False for a task of the pemohon, who has no atasan to escalate to (default true). */
  escalates?: boolean;
  cadence: Pengingat;
  calendar: WorkCalendar;
}): ScheduledItem<TaskReminderJob>[] {
  const { task, cadence, calendar } = input;
  const items: ScheduledItem<TaskReminderJob>[] = [];
  const add = (at: Date, job: Omit<TaskReminderJob, 'kind' | 'taskId'>) => {
    const full: TaskReminderJob = {
      kind: 'pengingat-tugas',
      taskId: task.taskId,
      ...job,
      ...(task.dueRevision ? { rev: task.dueRevision } : {}),
    };
    items.push({ key: jobKey(full), at, job: full });
  };
  const openedAt = new Date(task.openedAt);
  if (input.waitsOnExternal) {
    if (task.dueAt) {
      // Read when the official is at work: a perkiraan at a closing, or on a Sunday, is told at the next opening.
      const estimates = [...new Set([task.dueAt, task.overdueAt ?? task.dueAt])];
      estimates.forEach((iso, i) =>
        add(addWorkingMinutes(calendar, new Date(iso), 0).at, {
          stage: 'menunggu-pihak-luar',
          ...(estimates.length > 1 ? { ke: i + 1 } : {}),
        }),
      );
      return items;
    }
    if (cadence.pihakLuarSetelahHariKerja !== null)
      add(addWorkingMinutes(calendar, openedAt, cadence.pihakLuarSetelahHariKerja * calendar.minutesPerDay).at, {
        stage: 'menunggu-pihak-luar',
      });
    return items;
  }
  if (!task.dueAt) return items;
  const dueAt = new Date(task.dueAt);
  const overdueAt = new Date(task.overdueAt ?? task.dueAt);
  if (cadence.sebelumJatuhTempoJam !== null) {
    const at = workingTimeBefore(calendar, dueAt, cadence.sebelumJatuhTempoJam * 60);
    // A step shorter than the lead time gets no early reminder: its task email is the reminder.
    if (at.getTime() > openedAt.getTime()) add(at, { stage: 'sebelum-jatuh-tempo' });
  }
  [...new Set(cadence.setelahTerlambatJam)]
    .sort((a, b) => a - b)
    .forEach((jam, i) => add(addWorkingMinutes(calendar, overdueAt, jam * 60).at, { stage: 'terlambat', ke: i + 1 }));
  if (cadence.eskalasiSetelahTerlambatJam !== null && input.escalates !== false)
    add(addWorkingMinutes(calendar, overdueAt, cadence.eskalasiSetelahTerlambatJam * 60).at, { stage: 'eskalasi' });
  // In the order they fall due (an escalation may come before a later overdue reminder); stable for equal times.
  return items.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * The reminder that follows the one with `key` in the chain of `plan` (undefined after the last). A key the plan no
 * longer holds (the pemda's cadence changed since it was scheduled) is followed by the first reminder due after
 * `now`, so the chain goes on from the current cadence.
 */
export function nextReminder<T extends { key: string; at: Date }>(
  plan: readonly T[],
  key: string,
  now: Date,
): T | undefined {
  const index = plan.findIndex((item) => item.key === key);
  return index >= 0 ? plan[index + 1] : plan.find((item) => item.at.getTime() > now.getTime());
}

/**
 * The keys under which a task's one waiting reminder may be, at `now`: the next to fall due, and the last one due
 * already (it waits until the scheduler fires it, or it is firing and may yet schedule the next). Cancelling both
 * stops the chain; a reminder that escapes (a scheduler long behind) finds its task closed when it fires, sends
 * nothing and schedules nothing.
 */
export function pendingReminderKeys(plan: readonly { key: string; at: Date }[], now: Date): string[] {
  const upcoming = plan.findIndex((item) => item.at.getTime() > now.getTime());
  const last = upcoming < 0 ? plan.length - 1 : upcoming - 1;
  return [plan[last], plan[upcoming]].filter((item) => item !== undefined).map((item) => item.key);
}

/** Longest stretch of days counted back before deciding the calendar has no working time at all. */
const MAX_SCAN_DAYS = 3_700;

/**
 * The instant `minutes` working minutes before `to`, counted back through working hours on working days (the
 * mirror of addWorkingMinutes). Counting back from outside working hours starts at the last closing before it.
 */
export function workingTimeBefore(calendar: WorkCalendar, to: Date, minutes: number): Date {
  const endMs = to.getTime();
  let remaining = minutes * MS_PER_MINUTE;
  let date = calendar.localDate(to);
  for (let i = 0; i < MAX_SCAN_DAYS; i++, date = addDays(date, -1)) {
    for (const interval of [...calendar.workingIntervals(date)].reverse()) {
      const start = interval.start.getTime();
      if (start >= endMs) continue;
      const end = Math.min(interval.end.getTime(), endMs);
      if (remaining <= end - start) return new Date(end - remaining);
      remaining -= end - start;
    }
  }
  throw new SepakatError(
    ErrorNames.InvalidDefinition,
    `Kalender kerja tidak punya jam kerja dalam ${MAX_SCAN_DAYS} hari`,
  );
}
