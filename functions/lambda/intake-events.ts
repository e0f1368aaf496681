import { intakeHandler } from '../handlers/step-task-handlers.ts';
import { log, type LambdaContextLike } from '../observability/log.ts';
import { lambdaApp } from './bootstrap.ts';

/** Built in the init phase (top-level await): the first event does not wait for the App. */
const handle = intakeHandler(await lambdaApp(), log);

/** S3 → Lambda: object-created events of the intake bucket (only manifests start cases). */
export const intake = async (event: unknown, context?: LambdaContextLike) => {
  if (context) log.addContext(context);
  return handle(event);
};
