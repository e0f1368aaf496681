import type { Route, WebContext } from './http-api.ts';

/**
 * The console's route modules, in one list: each module is a function of the web context returning its routes.
 * Sign-in, dashboard, case page, archive, intake form, analytics, monitoring, outbox.
 */
const MODULES: ((ctx: WebContext) => Route[])[] = [];

export const webRoutes = (ctx: WebContext): Route[] => MODULES.flatMap((m) => m(ctx));
