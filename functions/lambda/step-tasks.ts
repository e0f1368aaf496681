import { stepTaskHandlers } from '../handlers/step-tasks.ts';
import { lambdaApp } from './bootstrap.ts';

/**
 * The functions the compiled state machines call, one Lambda each (handler = export name), plus the scheduled ones.
 * Each is deployed with only the permissions its use case needs (infra/).
 */
const on =
  (role: keyof ReturnType<typeof stepTaskHandlers>) =>
  async (event: unknown): Promise<unknown> =>
    stepTaskHandlers(await lambdaApp())[role](event as never);

export const enterStep = on('enterStep');
export const openTask = on('openTask');
export const automatic = on('automatic');
export const caseData = on('caseData');
export const finishCase = on('finishCase');
export const continueCase = on('continueCase');
/** Document work: its own function, sized and timed for Chromium. */
export const document = on('document');
/** Scheduled (EventBridge Scheduler). */
export const reconcile = on('reconcile');
export const sweepRegisters = on('sweepRegisters');
export const sweepIntake = on('sweepIntake');
/** Timed work (reminders, monitoring): the target of every one-time EventBridge Scheduler schedule. */
export const runSchedule = on('runSchedule');
