import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { webApp } from '../handlers/web-app.ts';
import { lambdaApp } from './bootstrap.ts';

/** API Gateway HTTP API (payload 2.0): the web app (pages, intake API, verification) through Hono's Lambda adapter. */
let handler: ReturnType<typeof handle> | undefined;
export const http = async (event: LambdaEvent, context?: LambdaContext) =>
  (handler ??= handle(webApp(await lambdaApp())))(event, context);
