import { renderHandler } from '../render/export-printing.ts';
import { lambdaApp, lambdaHandler } from './bootstrap.ts';

/**
 * The render function (with the Chromium layer): renders what the `http` function, which has no Chromium, asks for
 * with this process's warm renderer: the register PDF (functions/render/export-printing.ts) and every document, export
 * and page image of its `LambdaRenderer` (functions/render/lambda-renderer.ts), each through the documents bucket's
 * scratch prefix or, for a GET, inline. Nothing of the event is logged.
 */
// Built in the init phase (top-level await), like every entry.
const app = await lambdaApp();
const handle = renderHandler({
  printer: app.localExportPrinter,
  renderer: () => app.localRenderer(),
  s3: app.clients.s3,
  bucket: app.config.SEPAKAT_BUCKET_DOCUMENTS,
});

// Its answer may carry a rendered document inline: never kept in a trace.
export const render = lambdaHandler(async (event: unknown) => handle(event), { captureResponse: false });
