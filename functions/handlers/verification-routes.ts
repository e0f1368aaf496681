import { formatBytes } from '../../core/case/task-actions.ts';
import { ErrorNames, isSepakatError } from '../../core/errors.ts';
import { VerificationCodes } from '../documents/verification.ts';
import { json, parseForm, type RenderPage, type Route, type WebRequest, type WebUseCases } from './web-context.ts';
import { VerifikasiUnggah } from './input-schemas.ts';
import { checkField } from '../../core/validation/text.ts';

/**
 * The public verification page: `GET /verifikasi` (the upload form), `GET /verifikasi/<docId>` (the QR code on a
 * signed naskah), and an upload in one of two ways:
 * - with JavaScript (the page's script), straight to S3: `POST /verifikasi/unggah` (JSON `{ukuran}`) answers a
 *   presigned PUT under `verifikasi/` (size and type signed, 5 minutes), the browser PUTs the PDF there, then
 *   `POST /verifikasi/periksa` (form: `kunci`, `nama`) verifies what S3 holds: up to the maximum (20 MB), whatever
 *   the Lambda payload limit;
 * - without it, `POST /verifikasi` (multipart/form-data, field `berkas`), through the function: in AWS about 4.5 MB
 *   of PDF at most (API Gateway and Lambda's payload).
 * Thin: parse, call the Verification service, render. Nothing is kept: an upload under `verifikasi/` is deleted by
 * the bucket's lifecycle after a day.
 */

/** Room for the multipart framing around the largest file (boundaries, part headers). */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

const TITLE = 'Verifikasi dokumen';

/** The certificate chains are checked at the date of the verification use case's clock (functions/web-use-cases.ts). */
export function verificationRoutes(app: Pick<WebUseCases, 'config' | 'verification'>, render: RenderPage): Route[] {
  const maxUploadBytes = app.config.SEPAKAT_MAX_UPLOAD_BYTES;
  const { verification } = app;
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
      pattern: /^\/verifikasi\/unggah$/,
      run: async (event) => {
        let raw: unknown;
        try {
          raw = JSON.parse(event.body ?? '');
        } catch {
          return json(400, { pesan: 'Permintaan bukan JSON yang valid.' });
        }
        const ukuran = (raw as { ukuran?: unknown } | null)?.ukuran;
        try {
          return json(
            200,
            await verification.prepareUpload(typeof ukuran === 'number' ? ukuran : NaN, { source: event.sourceIp }),
          );
        } catch (error) {
          if (isSepakatError(error, ErrorNames.Limited)) return json(429, { pesan: error.message });
          if (!isSepakatError(error, ErrorNames.BadInput)) throw error;
          return json(error.code === VerificationCodes.UnggahanTerlaluBesar ? 413 : 400, { pesan: error.message });
        }
      },
    },
    {
      method: 'POST',
      pattern: /^\/verifikasi\/periksa$/,
      run: async (event) => {
        const fields = parseForm(event);
        // The file's name is shown with the result: it is text from the uploader like any other.
        const fileName = fields.nama ? checkField(VerifikasiUnggah.shape.berkas, fields.nama) : undefined;
        if (typeof fileName === 'object') return form(400, fileName.error);
        try {
          const hasil = await verification.byStoredUpload(fields.kunci ?? '', fileName ? { fileName } : {});
          return render(200, 'verifikasi', { hasil, maksimum }, TITLE);
        } catch (error) {
          if (!isSepakatError(error, ErrorNames.BadInput)) throw error;
          return form(error.code === VerificationCodes.UnggahanTerlaluBesar ? 413 : 400, error.message);
        }
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
        const upload = await uploadedFile(event);
        if ('salah' in upload) return form(400, upload.salah);
        if (upload.file.size > maxUploadBytes) return tooLarge();
        // The file's name is shown with the result: it is text from the uploader like any other.
        const fileName = checkField(VerifikasiUnggah.shape.berkas, upload.file.name);
        if (typeof fileName === 'object') return form(400, fileName.error);
        try {
          const bytes = new Uint8Array(await upload.file.arrayBuffer());
          const hasil = await verification.byUpload(bytes, fileName ? { fileName } : {});
          return render(200, 'verifikasi', { hasil, maksimum }, TITLE);
        } catch (error) {
          if (!isSepakatError(error, ErrorNames.BadInput)) throw error;
          return form(error.code === VerificationCodes.UnggahanTerlaluBesar ? 413 : 400, error.message);
        }
      },
    },
  ];
}

function header(event: WebRequest, name: string): string | undefined {
  return event.headers[name];
}

/**
 * The one file of the form's field `berkas`, through Hono's `parseBody` (multipart/form-data), or why there is none:
 * an Indonesian message for the person who uploaded.
 */
async function uploadedFile(event: WebRequest): Promise<{ file: File } | { salah: string }> {
  const type = (header(event, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'multipart/form-data')
    return { salah: 'Formulir harus dikirim sebagai unggahan berkas (multipart/form-data).' };
  let fields: Record<string, string | File | (string | File)[]>;
  try {
    fields = await event.c.req.parseBody({ all: true });
  } catch {
    return { salah: 'Formulir unggahan tidak dapat dibaca. Muat ulang halaman lalu unggah lagi.' };
  }
  const berkas = fields.berkas;
  if (Array.isArray(berkas)) return { salah: 'Unggah satu berkas saja setiap kali.' };
  if (!(berkas instanceof File) || (berkas.size === 0 && berkas.name === ''))
    return { salah: 'Belum ada berkas yang dipilih. Pilih berkas PDF lalu kirim.' };
  return { file: berkas };
}
