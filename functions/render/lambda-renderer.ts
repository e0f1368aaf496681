import { randomUUID } from 'node:crypto';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { PAPERS, type DocumentInput, type DocumentName } from '../../core/documents/index.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import type { ExportName, PageImage, RenderedDocument, Renderer as DocumentRenderer } from '../../core/ports.ts';
import { invokeFunction } from '../adapters/lambda-invoke.ts';
import { sha256Hex } from '../signing/signing-invocation.ts';
import type { PrintHtmlOptions, Renderer, RenderOptions } from './renderer.ts';
import { EXPORT_NAMES } from './templates.ts';

/**
 * The core `Renderer` of a function without Chromium (the `http` function in AWS): every render is a synchronous
 * Invoke of the render function (functions/lambda/render-function.ts), which renders with its warm Chromium.
 *
 * - The request (template and data, HTML and page options, an export's view, a PDF to draw) goes in the payload
 *   when it is at most INLINE_REQUEST_BYTES, else as a JSON object under RENDER_SCRATCH_PREFIX of the documents
 *   bucket (expired by lifecycle after a day), named by key and SHA-256.
 * - `reply: 's3'`: what comes back (a PDF, page images) is written under the same prefix and read from there, never
 *   through the 6 MB payload.
 * - `reply: 'inline'`: what a GET renders with (a GET never writes): the request must fit in the payload and the
 *   answer comes back in the payload, base64, when it is at most INLINE_REPLY_BYTES (checked by the render function);
 *   larger is refused in Indonesian, and nothing is written.
 *
 * Every object read back is checked against the SHA-256 the render function named.
 */
export const RENDER_SCRATCH_PREFIX = 'sementara/cetak/';
/** A request at most this large travels in the payload (Lambda's limit is 6 MB). */
export const INLINE_REQUEST_BYTES = 5 * 1024 * 1024;
/** An inline answer's base64 at most this large (Lambda's response limit is 6 MB). */
export const INLINE_REPLY_BYTES = 5 * 1024 * 1024;

export type RenderRequest =
  | { readonly op: 'render'; readonly template: string; readonly data: unknown; readonly options: RenderOptions }
  | { readonly op: 'printHtml'; readonly html: string; readonly options: PrintHtmlOptions }
  | {
      readonly op: 'printExport';
      readonly name: ExportName;
      readonly view: unknown;
      readonly options: PrintHtmlOptions;
    }
  | { readonly op: 'pageImages'; readonly pdf: string; readonly width?: number };

interface ScratchObject {
  readonly bucket: string;
  readonly key: string;
  readonly sha256: string;
}

/** What the render function is invoked with for a document (`op: 'printExport'` alone is the export printer's). */
export interface DocumentInvocation {
  readonly op: 'document';
  readonly reply: 's3' | 'inline';
  readonly request?: RenderRequest;
  readonly stored?: ScratchObject;
}

/** One output: in the scratch prefix (`key`) or inline (`data`, base64). */
interface Output {
  readonly key?: string;
  readonly data?: string;
  readonly sha256: string;
  readonly size: number;
}

interface DocumentAnswer {
  readonly outputs: Output[];
  readonly pages?: number;
  readonly templateVersion?: string;
  readonly images?: { width: number; height: number }[];
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const AnswerSchema = z.object({
  outputs: z.array(
    z.object({
      key: z.string().startsWith(RENDER_SCRATCH_PREFIX).optional(),
      data: z.string().optional(),
      sha256: hex64,
      size: z.number().int().nonnegative(),
    }),
  ),
  pages: z.number().int().nonnegative().optional(),
  templateVersion: z.string().optional(),
  images: z.array(z.object({ width: z.number(), height: z.number() })).optional(),
});

export interface LambdaRendererOptions {
  readonly lambda: LambdaClient;
  /** Name or ARN of the render function. */
  readonly functionName: string;
  readonly s3: S3Client;
  /** The documents bucket (its scratch prefix expires by lifecycle). */
  readonly bucket: string;
  readonly reply: 's3' | 'inline';
}

export class LambdaRenderer implements DocumentRenderer {
  constructor(private readonly options: LambdaRendererOptions) {}

  async render<N extends DocumentName>(
    template: N,
    data: DocumentInput<N>,
    options: RenderOptions,
  ): Promise<RenderedDocument> {
    const answer = await this.call({ op: 'render', template, data, options });
    const pdf = answer.bytes[0]!;
    return { pdf, sha256: sha256Hex(pdf), pages: answer.pages ?? 0, templateVersion: answer.templateVersion ?? '' };
  }

  async printHtml(html: string, options: PrintHtmlOptions): Promise<Uint8Array> {
    return (await this.call({ op: 'printHtml', html, options })).bytes[0]!;
  }

  async printExport(name: ExportName, view: unknown, options: PrintHtmlOptions): Promise<Uint8Array> {
    return (await this.call({ op: 'printExport', name, view, options })).bytes[0]!;
  }

  async pageImages(pdf: Uint8Array, options: { width?: number } = {}): Promise<PageImage[]> {
    const answer = await this.call({
      op: 'pageImages',
      pdf: Buffer.from(pdf).toString('base64'),
      ...(options.width !== undefined ? { width: options.width } : {}),
    });
    return answer.bytes.map((png, i) => ({ png, ...answer.images![i]! }));
  }

  private async call(request: RenderRequest) {
    const { s3, bucket, reply } = this.options;
    const json = JSON.stringify(request);
    const size = Buffer.byteLength(json);
    let invocation: DocumentInvocation = { op: 'document', reply, request };
    if (size > INLINE_REQUEST_BYTES) {
      if (reply === 'inline') throw tooLarge(size);
      const key = `${RENDER_SCRATCH_PREFIX}${randomUUID()}/permintaan.json`;
      const body = Buffer.from(json);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
      invocation = { op: 'document', reply, stored: { bucket, key, sha256: sha256Hex(body) } };
    }
    const answer = AnswerSchema.parse(
      await invokeFunction(this.options, invocation, ({ cause }) => renderUnavailable(cause)),
    );
    const bytes = await Promise.all(
      answer.outputs.map(async (output) => {
        const data =
          output.data !== undefined
            ? new Uint8Array(Buffer.from(output.data, 'base64'))
            : await readScratch(s3, bucket, output.key);
        if (sha256Hex(data) !== output.sha256)
          throw new SepakatError(ErrorNames.Tampered, 'Hasil cetak dari fungsi cetak PDF tidak utuh.', {
            code: 'CetakTidakUtuh',
          });
        return data;
      }),
    );
    return { ...answer, bytes };
  }
}

/** The render function gave no answer (crashed, timed out, not reachable). */
export const renderUnavailable = (cause: Error) =>
  new SepakatError(ErrorNames.Transient, 'Layanan cetak PDF tidak tersedia; silakan coba lagi.', {
    code: 'CetakTidakTersedia',
    cause,
  });

const tooLarge = (bytes: number) =>
  new SepakatError(
    ErrorNames.BadInput,
    `Dokumen terlalu besar untuk dicetak langsung dari halaman ini (${(bytes / 1024 / 1024).toFixed(1)} MB; paling besar ${INLINE_REPLY_BYTES / 1024 / 1024} MB).`,
    { code: 'CetakTerlaluBesar' },
  );

async function readScratch(s3: S3Client, bucket: string, key: string | undefined): Promise<Uint8Array> {
  if (!key) throw renderUnavailable(new Error('output without key or data'));
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body!.transformToByteArray();
}

// ─── The render function's side ────────────────────────────────────────────────────────────────────────────────

const margin = z.number().min(0).max(100);
export const PrintOptionsSchema = z.object({
  paper: z.enum(PAPERS),
  landscape: z.boolean().optional(),
  pageNumbers: z.boolean().optional(),
  margins: z.object({ top: margin, right: margin, bottom: margin, left: margin }).optional(),
});
/** An export printed by name (the register PDF's request, and one of a LambdaRenderer's). */
export const PrintExportRequestSchema = z.object({
  op: z.literal('printExport'),
  name: z.enum(EXPORT_NAMES),
  view: z.unknown(),
  options: PrintOptionsSchema,
});
const RequestSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('render'),
    template: z.string().min(1),
    data: z.unknown(),
    options: z.object({ paper: z.enum(PAPERS), landscape: z.boolean().optional() }),
  }),
  z.object({ op: z.literal('printHtml'), html: z.string(), options: PrintOptionsSchema }),
  PrintExportRequestSchema,
  z.object({
    op: z.literal('pageImages'),
    pdf: z.string().min(1),
    width: z.number().int().min(100).max(4000).optional(),
  }),
]);
export const DocumentInvocationSchema = z.object({
  op: z.literal('document'),
  reply: z.enum(['s3', 'inline']),
  request: z.unknown().optional(),
  stored: z.object({ bucket: z.string(), key: z.string().startsWith(RENDER_SCRATCH_PREFIX), sha256: hex64 }).optional(),
});

export interface DocumentRenderDeps {
  renderer(): Pick<Renderer, 'render' | 'printHtml' | 'printExport' | 'pageImages'>;
  s3: S3Client;
  /** The documents bucket: the only bucket whose scratch prefix is read or written. */
  bucket: string;
}

const badRequest = (fields: string) =>
  new SepakatError(ErrorNames.BadInput, `Permintaan cetak tidak valid: ${fields}.`, {
    code: 'PermintaanCetakTidakValid',
  });

/** Renders one document request with this process's Chromium and answers its outputs (scratch prefix or inline). */
export async function answerDocument(
  deps: DocumentRenderDeps,
  invocation: z.infer<typeof DocumentInvocationSchema>,
): Promise<DocumentAnswer> {
  let raw = invocation.request;
  if (invocation.stored) {
    const { bucket, key, sha256 } = invocation.stored;
    if (bucket !== deps.bucket) throw badRequest('stored.bucket');
    const body = await readScratch(deps.s3, bucket, key);
    if (sha256Hex(body) !== sha256) throw badRequest('stored.sha256');
    raw = JSON.parse(Buffer.from(body).toString('utf8'));
  }
  const parsed = RequestSchema.safeParse(raw);
  if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => ['request', ...i.path].join('.')).join(', '));
  const request = parsed.data;
  const renderer = deps.renderer();
  let blobs: Uint8Array[];
  let meta: Omit<DocumentAnswer, 'outputs'> = {};
  switch (request.op) {
    case 'render': {
      const rendered = await renderer.render(request.template as DocumentName, request.data as never, request.options);
      blobs = [rendered.pdf];
      meta = { pages: rendered.pages, templateVersion: rendered.templateVersion };
      break;
    }
    case 'printHtml':
      blobs = [await renderer.printHtml(request.html, request.options as PrintHtmlOptions)];
      break;
    case 'printExport':
      blobs = [await renderer.printExport(request.name, request.view, request.options as PrintHtmlOptions)];
      break;
    case 'pageImages': {
      const images = await renderer.pageImages(
        new Uint8Array(Buffer.from(request.pdf, 'base64')),
        request.width !== undefined ? { width: request.width } : {},
      );
      blobs = images.map((image) => image.png);
      meta = { images: images.map(({ width, height }) => ({ width, height })) };
      break;
    }
  }
  if (invocation.reply === 'inline') {
    const data = blobs.map((bytes) => Buffer.from(bytes).toString('base64'));
    const total = data.reduce((sum, d) => sum + d.length, 0);
    if (total > INLINE_REPLY_BYTES) throw tooLarge(total);
    return {
      ...meta,
      outputs: blobs.map((bytes, i) => ({ data: data[i]!, sha256: sha256Hex(bytes), size: bytes.length })),
    };
  }
  const base = `${RENDER_SCRATCH_PREFIX}${randomUUID()}`;
  const extension = request.op === 'pageImages' ? 'png' : 'pdf';
  const outputs = await Promise.all(
    blobs.map(async (bytes, i) => {
      const key = `${base}/${i + 1}.${extension}`;
      await deps.s3.send(
        new PutObjectCommand({
          Bucket: deps.bucket,
          Key: key,
          Body: bytes,
          ContentType: extension === 'png' ? 'image/png' : 'application/pdf',
        }),
      );
      return { key, sha256: sha256Hex(bytes), size: bytes.length };
    }),
  );
  return { ...meta, outputs };
}
