import { mailEventsHandler } from '../handlers/step-task-handlers.ts';
import { log } from '../observability/log.ts';
import { lambdaApp, lambdaHandler } from './bootstrap.ts';

/** Built in the init phase (top-level await). */
const handle = mailEventsHandler(await lambdaApp(), log);

/**
 * SNS → Lambda: the SES configuration set's bounce and complaint events, recorded on the case of the address
 * (core/case/mail-events.ts). The event names addresses: it is never logged.
 */
export const mailEvents = lambdaHandler(handle);
