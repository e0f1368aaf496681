import { intakeHandler } from '../handlers/step-task-handlers.ts';
import { log } from '../observability/log.ts';
import { lambdaApp, lambdaHandler } from './bootstrap.ts';

/** Built in the init phase (top-level await): the first event does not wait for the App. */
const handle = intakeHandler(await lambdaApp(), log);

/** S3 → Lambda: object-created events of the intake bucket (only manifests start cases). */
export const intake = lambdaHandler(handle);
