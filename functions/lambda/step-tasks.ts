import { stepTaskHandlers } from '../handlers/step-task-handlers.ts';
import { log } from '../observability/log.ts';
import { lambdaApp, lambdaHandler } from './bootstrap.ts';

/**
 * The functions the compiled state machines call, one Lambda each (handler = export name), plus the scheduled ones.
 * Each is deployed with only the permissions its use case needs (infra/). Every line they log carries the
 * invocation's request id (Powertools' addContext), the case id and the SOP step.
 */
/** Built in the init phase (top-level await): the first invocation does not wait for the App. */
const handlers = stepTaskHandlers(await lambdaApp(), log);

const on = (role: keyof typeof handlers) =>
  lambdaHandler(async (event: unknown): Promise<unknown> => handlers[role](event as never));

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
export const sweepStranded = on('sweepStranded');
/** Timed work (reminders, monitoring): the target of every one-time EventBridge Scheduler schedule. */
export const runSchedule = on('runSchedule');
