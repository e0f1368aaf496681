import { intakeHandler } from '../handlers/step-tasks.ts';
import { lambdaApp } from './bootstrap.ts';

/** S3 → Lambda: object-created events of the intake bucket (only manifests start cases). */
export const intake = async (event: unknown) => intakeHandler(await lambdaApp())(event);
