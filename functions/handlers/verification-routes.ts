import { formatBytes } from '../../core/case/task-actions.ts';
import { ErrorNames, isSepakatError } from '../../core/errors.ts';
import type { App } from '../app.ts';
import { Verification, VerificationCodes } from '../documents/verification.ts';
import type { HttpEvent, HttpResult } from './http-api.ts';
import { VerifikasiUnggah } from './input-schemas.ts';
import { MultipartCodes, parseMultipartFile } from './multipart.ts';
import { checkField } from '../../core/validation/text.ts';
import type { RouteParam } from './record-access.ts';

/**
 * The public verification page: `GET /verifikasi` (the upload form), `GET /verifikasi/<docId>` (the QR code on a
 * signed naskah) and `POST /verifikasi` (an uploaded PDF, multipart/form-data, field `berkas`). Thin: parse, call
 * the Verification service, render. Nothing is stored; an upload is only read.
 */

export interface VerificationRoute {
  method: string;
  pattern: RegExp;
  run: (event: HttpEvent, match: string[]) => Promise<HttpResult>;
  params?: readonly RouteParam[];
}

export type RenderPage = (status: number, page: string, model: Record<string, unknown>, title: string) => HttpResult;

/** Room for the multipart framing around the largest file (boundaries, part headers). */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

const TITLE = 'Verifikasi dokumen';

/**
 * `options.clock` is the date the certificate chains must be valid at (default: real time; tests pin it). The
 * App's case clock is not used: a verifier answers for now.
 */
export function verificationRoutes(
  app: App,
  render: RenderPage,
  options: { clock?: { now(): Date } } = {},
): VerificationRoute[] {
  const maxUploadBytes = app.config.SEPAKAT_MAX_UPLOAD_BYTES;
  const verification = new Verification({
    documents: app.documents,
    register: (pemdaId) => app.register(pemdaId),
    keys: () => app.keys(),
    clock: options.clock ?? { now: () => new Date() },
    timeZone: (pemdaId) => app.catalog.pemda(pemdaId).directory.data.pemda.jamKerja.timeZone,
    maxUploadBytes,
  });
  const maksimum = formatBytes(maxUploadBytes);
  const form = (status: number, salah?: string) =>
    render(status, 'verifikasi', { maksimum, ...(salah ? { salah } : {}) }, TITLE);

  return [
    { method: 'GET', pattern: /^\/verifikasi\/?$/, run: async () => form(200) },
    {
      method: 'GET',
      // Any last segment, so that a mistyped id gets this page's 404 rather than the generic one.
      pattern: /^\/verifikasi\/([^/]{1,200})$/,
      // Public by design: the QR code printed on a signed naskah opens it, for anyone.
      params: ['publik'],
      run: async (_event, match) => {
        const hasil = await verification.byDocId(match[1]!);
        if (!hasil)
          return render(
            404,
            'pesan',
            {
              judul: 'Dokumen tidak ditemukan',
              pesan:
                'Tidak ada dokumen bertanda tangan dengan kode ini. Pastikan alamat sama persis dengan kode QR pada naskah, atau unggah berkas PDF-nya di halaman Verifikasi dokumen.',
              jenis: 'salah',
            },
            'Dokumen tidak ditemukan',
          );
        return render(200, 'verifikasi', { hasil, maksimum }, TITLE);
      },
    },
    {
      method: 'POST',
      pattern: /^\/verifikasi\/?$/,
      run: async (event) => {
        const declared = Number(header(event, 'content-length') ?? NaN);
        const tooLarge = () =>
          form(413, `Berkas terlalu besar. Paling besar ${maksimum}; unggah naskah PDF tanpa lampiran hasil pindai.`);
        if (declared > maxUploadBytes + MULTIPART_OVERHEAD_BYTES) return tooLarge();
        const body = bodyBytes(event);
        if (body.length > maxUploadBytes + MULTIPART_OVERHEAD_BYTES) return tooLarge();
        try {
          const file = parseMultipartFile(header(event, 'content-type'), body, {
            field: 'berkas',
            maxFileBytes: maxUploadBytes,
          });
          // The file's name is shown with the result: it is text from the uploader like any other.
          const fileName = checkField(VerifikasiUnggah.shape.berkas, file.fileName);
          if (typeof fileName === 'object') return form(400, fileName.error);
          const hasil = await verification.byUpload(file.bytes, fileName ? { fileName } : {});
          return render(200, 'verifikasi', { hasil, maksimum }, TITLE);
        } catch (error) {
          if (!isSepakatError(error, ErrorNames.BadInput)) throw error;
          const oversize =
            error.code === MultipartCodes.BerkasTerlaluBesar || error.code === VerificationCodes.UnggahanTerlaluBesar;
          return form(oversize ? 413 : 400, error.message);
        }
      },
    },
  ];
}

function header(event: HttpEvent, name: string): string | undefined {
  const found = Object.entries(event.headers).find(([k]) => k.toLowerCase() === name);
  return found?.[1];
}

/** API Gateway base64-encodes binary bodies (multipart is one); the local web server always does. */
function bodyBytes(event: HttpEvent): Uint8Array {
  if (!event.body) return new Uint8Array();
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}
