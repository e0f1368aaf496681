import { renderHandler, type PrintedExport } from '../render/export-printing.ts';
import { lambdaApp, lambdaHandler } from './bootstrap.ts';

/**
 * The render function (with the Chromium layer): prints the exports other functions ask for (the register PDF the
 * `http` function needs, which has no Chromium) with this process's warm renderer, and leaves each PDF under the
 * documents bucket's scratch prefix (functions/render/export-printing.ts). Nothing of the event is logged.
 */
let handle: ((event: unknown) => Promise<{ result: PrintedExport } | { error: Record<string, string> }>) | undefined;

export const render = lambdaHandler(async (event: unknown) => {
  handle ??= renderHandler((await lambdaApp()).localExportPrinter);
  return handle(event);
});
