import { createHash } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sopDocumentInput } from '../core/documents/sop-document.ts';
import { ErrorNames } from '../core/errors.ts';
import { INLINE_REQUEST_BYTES, LambdaRenderer } from '../functions/render/lambda-renderer.ts';
import { RENDER_FUNCTION_NAME } from '../local/runtime.ts';
import { scratchKeys } from './support/render-scratch.ts';
import { localLambdaClient, startTestRuntime } from './support/runtime.ts';

/**
 * The http function's Renderer (it has no Chromium in AWS): every render is an Invoke of the render function through
 * the local Lambda API and the real @aws-sdk/client-lambda client. A large request travels through the documents
 * bucket's scratch prefix; what comes back is read from there (or, for a GET, from the answer, nothing written) and
 * checked against its SHA-256.
 */
describe('LambdaRenderer through the render function', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let lambda: LambdaClient;
  const rendererOf = (reply: 's3' | 'inline') =>
    new LambdaRenderer({
      lambda,
      functionName: `arn:aws:lambda:ap-southeast-3:000000000000:function:${RENDER_FUNCTION_NAME}`,
      s3: rt.app.clients.s3,
      bucket: rt.app.config.SEPAKAT_BUCKET_DOCUMENTS,
      reply,
    });
  const html = (body: string) => `<!doctype html><html><head><title>Uji</title></head><body>${body}</body></html>`;
  const isPdf = (bytes: Uint8Array) => Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-';

  beforeAll(async () => {
    rt = await startTestRuntime();
    lambda = localLambdaClient(rt);
  }, 60_000);
  afterAll(async () => {
    lambda?.destroy();
    await rt?.cleanup();
  });

  it('prints HTML and draws its pages, the outputs through the scratch prefix', async () => {
    const renderer = rendererOf('s3');
    const before = await scratchKeys(rt);
    const invoked = rt.renderInvocations.length;
    const pdf = await renderer.printHtml(html('<h1>Lembar uji</h1><p>Satu halaman.</p>'), { paper: 'A4' });
    expect(isPdf(pdf)).toBe(true);
    const images = await renderer.pageImages(pdf, { width: 400 });
    expect(images).toHaveLength(1);
    expect(images[0]!.width).toBe(400);
    expect(Buffer.from(images[0]!.png.subarray(1, 4)).toString('latin1')).toBe('PNG');
    expect(rt.renderInvocations.slice(invoked)).toEqual(['printHtml', 'pageImages']);
    // One PDF and one PNG written by the render function, nothing else.
    const written = (await scratchKeys(rt)).filter((k) => !before.includes(k));
    expect(written.map((k) => k.slice(k.lastIndexOf('.'))).sort()).toEqual(['.pdf', '.png']);
  }, 60_000);

  it('sends a request larger than the payload allows through the scratch prefix', async () => {
    const renderer = rendererOf('s3');
    const before = await scratchKeys(rt);
    // A comment of 5.5 MB: the request no longer fits in a payload, the PDF stays small.
    const big = html(`<!-- ${'x'.repeat(INLINE_REQUEST_BYTES + 512 * 1024)} --><p>Besar</p>`);
    const pdf = await renderer.printHtml(big, { paper: 'F4' });
    expect(isPdf(pdf)).toBe(true);
    const written = (await scratchKeys(rt)).filter((k) => !before.includes(k));
    expect(written.some((k) => k.endsWith('/permintaan.json'))).toBe(true);
    expect(written.some((k) => k.endsWith('.pdf'))).toBe(true);
  }, 60_000);

  it('answers inline for a GET: the PDF in the answer, nothing written; a request too large is refused', async () => {
    const renderer = rendererOf('inline');
    const before = await scratchKeys(rt);
    const pdf = await renderer.printHtml(html('<p>Untuk GET</p>'), { paper: 'A4' });
    expect(isPdf(pdf)).toBe(true);
    const big = html(`<!-- ${'x'.repeat(INLINE_REQUEST_BYTES + 1024)} -->`);
    const refused = await renderer.printHtml(big, { paper: 'A4' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: ErrorNames.BadInput, code: 'CetakTerlaluBesar' });
    expect((refused as Error).message).toContain('Dokumen terlalu besar untuk dicetak langsung');
    expect(await scratchKeys(rt)).toEqual(before);
  }, 60_000);

  it('returns the render function’s refusal as the same error, naming the field', async () => {
    const refused = await rendererOf('s3')
      .printHtml(html('<p>x</p>'), { paper: 'B5' as never })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: ErrorNames.BadInput, code: 'PermintaanCetakTidakValid' });
    expect((refused as Error).message).toContain('request.options.paper');
  });

  it('renders a document template with its page count and template version', async () => {
    const rendered = await rendererOf('s3').render(
      'sop',
      // The SOP AP document of a seed SOP, as the console prints it.
      sopDocumentInput(
        rt.app.catalog.sops.latest('kota-penyusunan-kesepakatan-bersama').definition,
        rt.app.catalog.pemda('kota-contoh').directory.data,
      ),
      { paper: 'A4' },
    );
    expect(isPdf(rendered.pdf)).toBe(true);
    expect(rendered.sha256).toBe(createHash('sha256').update(rendered.pdf).digest('hex'));
    expect(rendered.pages).toBeGreaterThan(0);
    expect(rendered.templateVersion).toBe(rt.app.localRenderer().templateVersion('sop'));
  }, 60_000);
});
