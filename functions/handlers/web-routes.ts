import type { Route, WebContext } from './http-api.ts';
import { authRoutes } from './auth-routes.ts';
import { archiveRoutes } from './archive-routes.ts';
import { consoleRoutes } from './console-routes.ts';
import { intakeRoutes } from './intake-routes.ts';
import { caseAdminRoutes } from './case-admin-routes.ts';
import { analyticsRoutes } from './analytics-routes.ts';
import { monitoringRoutes } from './monitoring-routes.ts';

/**
 * The console's route modules, in one list: each module is a function of the web context returning its routes.
 * Sign-in, dashboard, case page, archive, intake form, analytics, monitoring, outbox.
 */
const MODULES: ((ctx: WebContext) => Route[])[] = [
  authRoutes,
  consoleRoutes,
  archiveRoutes,
  intakeRoutes,
  caseAdminRoutes,
  analyticsRoutes,
  monitoringRoutes,
];

export const webRoutes = (ctx: WebContext): Route[] => MODULES.flatMap((m) => m(ctx));
