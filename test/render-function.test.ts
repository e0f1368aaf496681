import { createHash } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorNames } from '../core/errors.ts';
import { registerPdfPrinted } from '../functions/documents/register-export.ts';
import { EXPORT_SCRATCH_PREFIX, LambdaExportPrinter } from '../functions/render/export-printing.ts';
import { RENDER_FUNCTION_NAME } from '../local/runtime.ts';
import { localLambdaClient, startTestRuntime } from './support/runtime.ts';

/**
 * The render function (the one with Chromium) behind the local Lambda API, through the real @aws-sdk/client-lambda
 * client, as the http function prints the register PDF in AWS: the PDF comes back through S3 (a key under the print
 * scratch prefix and its SHA-256), never in the payload; refusals come back as the same SepakatError.
 */
describe('the render function', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let lambda: LambdaClient;
  const printerOf = (functionName: string) => new LambdaExportPrinter({ lambda, functionName });

  beforeAll(async () => {
    rt = await startTestRuntime();
    lambda = localLambdaClient(rt);
  }, 60_000);
  afterAll(async () => {
    lambda?.destroy();
    await rt?.cleanup();
  });

  it('prints the register to a PDF under the scratch prefix, named by its SHA-256', async () => {
    const app = rt.app;
    const entry = await app.register('kota-contoh').allocate({
      caseId: 'kasus-cetak-1',
      purpose: 'naskah',
      series: 'kesepakatan-bersama',
      parties: ['Pemerintah Kota Contoh', 'Pemerintah Kabupaten Mitra'],
      perihal: 'Uji cetak register',
      dates: { document: '2026-11-23', signed: '2026-11-23' },
    });
    const year = Number(entry.numberText.slice(-4));
    const printed = await registerPdfPrinted(
      {
        register: (id) => app.register(id),
        catalog: app.catalog,
        clock: app.runtimeClock,
        printer: printerOf(`arn:aws:lambda:ap-southeast-3:000000000000:function:${RENDER_FUNCTION_NAME}`),
      },
      { pemdaId: 'kota-contoh', year },
    );
    expect(printed.bucket).toBe(app.config.SEPAKAT_BUCKET_DOCUMENTS);
    expect(printed.key.startsWith(EXPORT_SCRATCH_PREFIX)).toBe(true);
    const object = await app.clients.s3.send(new GetObjectCommand({ Bucket: printed.bucket, Key: printed.key }));
    const pdf = await object.Body!.transformToByteArray();
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(printed.sha256);
    expect(pdf.length).toBe(printed.size);
  }, 60_000);

  it('refuses a request it cannot print, in Indonesian, naming the field', async () => {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: RENDER_FUNCTION_NAME,
        Payload: new TextEncoder().encode(
          JSON.stringify({ op: 'printExport', name: 'rahasia', view: {}, options: {} }),
        ),
      }),
    );
    const answer = JSON.parse(new TextDecoder().decode(out.Payload)) as { error: { name: string; message: string } };
    expect(answer.error.name).toBe(ErrorNames.BadInput);
    expect(answer.error.message).toMatch(/^Permintaan cetak tidak valid: name, options\.paper\.$/);
    await expect(printerOf(RENDER_FUNCTION_NAME).print('register', {}, { paper: 'B5' as never })).rejects.toMatchObject(
      { name: ErrorNames.BadInput, message: 'Permintaan cetak tidak valid: options.paper.' },
    );
  });

  it('is a transient failure when the function is missing or the view exceeds the 6 MB payload', async () => {
    await expect(printerOf('sepakat-tidak-ada').print('register', {}, { paper: 'A4' })).rejects.toMatchObject({
      name: ErrorNames.Transient,
      message: 'Layanan cetak PDF tidak tersedia; silakan coba lagi.',
    });
    const huge = { baris: 'x'.repeat(7 * 1024 * 1024) };
    await expect(printerOf(RENDER_FUNCTION_NAME).print('register', huge, { paper: 'A4' })).rejects.toMatchObject({
      name: ErrorNames.Transient,
    });
  });
});
