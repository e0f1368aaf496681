import { httpApiHandler, type HttpEvent } from '../handlers/http-api.ts';
import { lambdaApp } from './bootstrap.ts';

/** API Gateway HTTP API (payload 2.0): the action pages, the intake API and the verification page. */
export const http = async (event: HttpEvent) => httpApiHandler(await lambdaApp())(event);
