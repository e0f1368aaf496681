import { randomUUID } from 'node:crypto';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import { invokeFunction } from '../adapters/lambda-invoke.ts';
import { sha256Hex } from '../signing/signing-invocation.ts';
import {
  answerDocument,
  DocumentInvocationSchema,
  PrintExportRequestSchema,
  RENDER_SCRATCH_PREFIX,
  renderUnavailable,
  type DocumentRenderDeps,
} from './lambda-renderer.ts';
import type { PrintHtmlOptions, Renderer } from './renderer.ts';
import type { ExportName } from './templates.ts';

/**
 * Exports printed to PDF (the register, `templates/exports`) where Chromium is: the `render` function in AWS (the
 * `http` function carries no Chromium), the warm renderer of the process locally. The PDF never travels in a Lambda
 * payload (6 MB at most): it is written under EXPORT_SCRATCH_PREFIX of the documents bucket (deleted by lifecycle
 * after a day) and named by key and SHA-256; the page that asked answers a short-lived presigned GET of it.
 *
 * - `InProcessExportPrinter`: prints with this process's renderer and writes the PDF (the render function's own
 *   printer; the default where no render function is configured, as the CLI).
 * - `LambdaExportPrinter`: a synchronous Invoke of the render function (SEPAKAT_RENDER_FUNCTION), which answers
 *   `{ result: PrintedExport }` or `{ error: { name, code, message } }` (`renderHandler`).
 */
export const EXPORT_SCRATCH_PREFIX = RENDER_SCRATCH_PREFIX;

export interface PrintedExport {
  readonly bucket: string;
  readonly key: string;
  /** Hex SHA-256 of the PDF. */
  readonly sha256: string;
  readonly size: number;
}

export interface ExportPrinter {
  /** Prints the export `name` of `view` (plain JSON: it may cross an invocation) to a PDF in the scratch prefix. */
  print(name: ExportName, view: unknown, options: PrintHtmlOptions): Promise<PrintedExport>;
}

export class InProcessExportPrinter implements ExportPrinter {
  constructor(
    private readonly deps: {
      renderer(): Pick<Renderer, 'printExport'>;
      s3: S3Client;
      /** The documents bucket (its scratch prefix expires by lifecycle). */
      bucket: string;
    },
  ) {}

  async print(name: ExportName, view: unknown, options: PrintHtmlOptions): Promise<PrintedExport> {
    const pdf = await this.deps.renderer().printExport(name, view, options);
    const key = `${EXPORT_SCRATCH_PREFIX}${randomUUID()}.pdf`;
    await this.deps.s3.send(
      new PutObjectCommand({ Bucket: this.deps.bucket, Key: key, Body: pdf, ContentType: 'application/pdf' }),
    );
    return { bucket: this.deps.bucket, key, sha256: sha256Hex(pdf), size: pdf.length };
  }
}

/** What the render function is invoked with to print an export. */
export type RenderInvocation = z.input<typeof PrintExportRequestSchema>;

export class LambdaExportPrinter implements ExportPrinter {
  constructor(private readonly deps: { lambda: LambdaClient; functionName: string }) {}

  async print(name: ExportName, view: unknown, options: PrintHtmlOptions): Promise<PrintedExport> {
    const request: RenderInvocation = { op: 'printExport', name, view, options };
    return PrintedSchema.parse(await invokeFunction(this.deps, request, ({ cause }) => renderUnavailable(cause)));
  }
}

const PrintedSchema = z.object({
  bucket: z.string().min(1),
  key: z.string().startsWith(EXPORT_SCRATCH_PREFIX),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});

/**
 * The render function: prints an export with the in-process printer (`op: 'printExport'`), or renders a document
 * request of a `LambdaRenderer` (`op: 'document'`, functions/render/lambda-renderer.ts) with this process's
 * Chromium. Every failure is answered, never thrown (name, code and the Indonesian message of a SepakatError;
 * anything else a transient failure without its text), and nothing of the event is logged.
 */
export function renderHandler(deps: DocumentRenderDeps & { printer: ExportPrinter }) {
  return async (event: unknown): Promise<{ result: unknown } | { error: Record<string, string> }> => {
    const document = DocumentInvocationSchema.safeParse(event);
    const parsed = document.success ? undefined : PrintExportRequestSchema.safeParse(event);
    if (parsed && !parsed.success)
      return {
        error: {
          name: ErrorNames.BadInput,
          code: 'PermintaanCetakTidakValid',
          message: `Permintaan cetak tidak valid: ${parsed.error.issues.map((i) => i.path.join('.') || 'permintaan').join(', ')}.`,
        },
      };
    try {
      if (document.success) return { result: await answerDocument(deps, document.data) };
      const { name, view, options } = parsed!.data!;
      return { result: await deps.printer.print(name, view, options as PrintHtmlOptions) };
    } catch (error) {
      if (error instanceof SepakatError)
        return { error: { name: error.name, code: error.code, message: error.message } };
      return {
        error: {
          name: ErrorNames.Transient,
          code: 'CetakGagal',
          message: 'Fungsi cetak PDF gagal; silakan coba lagi.',
        },
      };
    }
  };
}
