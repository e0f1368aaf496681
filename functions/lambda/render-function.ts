import { renderHandler, type PrintedExport } from '../render/export-printing.ts';
import { log, type LambdaContextLike } from '../observability/log.ts';
import { lambdaApp } from './bootstrap.ts';

/**
 * The render function (with the Chromium layer): prints the exports other functions ask for (the register PDF the
 * `http` function needs, which has no Chromium) with this process's warm renderer, and leaves each PDF under the
 * documents bucket's scratch prefix (functions/render/export-printing.ts). Nothing of the event is logged.
 */
let handle: ((event: unknown) => Promise<{ result: PrintedExport } | { error: Record<string, string> }>) | undefined;

export const render = async (event: unknown, context?: LambdaContextLike) => {
  if (context) log.addContext(context);
  handle ??= renderHandler((await lambdaApp()).localExportPrinter);
  return handle(event);
};
