import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { webApp } from '../handlers/web-app.ts';
import { lambdaApp, lambdaHandler } from './bootstrap.ts';

/**
 * API Gateway HTTP API (payload 2.0): the web app (pages, intake API, verification) through Hono's Lambda adapter.
 * The App and the web app are built in the init phase (top-level await), not on the first request. The trace keeps
 * no response (pages and downloads carry personal data and capability links) and, as everywhere, no event.
 */
const handler = handle(webApp(await lambdaApp()));
export const http = lambdaHandler((event: LambdaEvent, context?: LambdaContext) => handler(event, context), {
  captureResponse: false,
});
