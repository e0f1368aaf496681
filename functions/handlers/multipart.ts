import { formatBytes } from '../../core/case/task-actions.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';

/**
 * A small, strict multipart/form-data reader (RFC 7578) for forms that send one file, such as the verification
 * page's upload. It reads what browsers and curl send and refuses anything else rather than guessing: the body
 * must begin with the first boundary line, every line of the structure ends in CRLF, each part has a
 * Content-Disposition of `form-data` with a name, and the closing delimiter must be present. The file's content is
 * taken byte for byte (it may itself contain CRLF and "--"); nothing is decoded or trimmed.
 *
 * Errors are BadInput SepakatErrors with an Indonesian message, for the person who uploaded; `code` tells programs
 * which case it was (`BerkasTerlaluBesar` maps to 413, every other code to 400).
 */

export interface UploadedFile {
  /** The form field's name. */
  readonly field: string;
  /** The file name the browser sent (display only: never used as a path). */
  readonly fileName: string;
  /** The part's Content-Type (application/octet-stream when absent); what the sender claims, not checked. */
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

export interface MultipartOptions {
  /** The file field to return. */
  readonly field: string;
  /** Largest file accepted. */
  readonly maxFileBytes: number;
  /** Most parts accepted (default 10). */
  readonly maxParts?: number;
}

export const MultipartCodes = {
  BukanMultipart: 'BukanMultipart',
  FormulirRusak: 'FormulirRusak',
  BerkasTidakAda: 'BerkasTidakAda',
  BerkasGanda: 'BerkasGanda',
  BerkasTerlaluBesar: 'BerkasTerlaluBesar',
} as const;

const MAX_HEADER_BYTES = 8 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
/** RFC 2046 bchars, 1–70 characters, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

const bad = (code: keyof typeof MultipartCodes, message: string) =>
  new SepakatError(ErrorNames.BadInput, message, { code: MultipartCodes[code] });

const malformed = (why: string) =>
  bad('FormulirRusak', `Formulir unggahan tidak dapat dibaca (${why}). Muat ulang halaman lalu unggah lagi.`);

/** The boundary of a `multipart/form-data` Content-Type; throws BadInput for any other type. */
export function multipartBoundary(contentType: string | undefined): string {
  const [type, ...params] = (contentType ?? '').split(';');
  if (type?.trim().toLowerCase() !== 'multipart/form-data')
    throw bad('BukanMultipart', 'Formulir harus dikirim sebagai unggahan berkas (multipart/form-data).');
  let boundary: string | undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    if (boundary !== undefined) throw malformed('batas bagian ganda');
    const raw = param.slice(eq + 1).trim();
    boundary = raw.startsWith('"') ? (raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : '') : raw;
  }
  if (boundary === undefined || !BOUNDARY.test(boundary)) throw malformed('batas bagian tidak ada atau tidak sah');
  return boundary;
}

/** The one file in field `options.field` of a multipart/form-data body. Other (small) fields are ignored. */
export function parseMultipartFile(
  contentType: string | undefined,
  body: Uint8Array,
  options: MultipartOptions,
): UploadedFile {
  const boundary = multipartBoundary(contentType);
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.concat([CRLF, dashBoundary]);
  const maxParts = options.maxParts ?? 10;

  if (!buf.subarray(0, dashBoundary.length).equals(dashBoundary)) throw malformed('tidak diawali batas bagian');
  let pos = afterBoundaryLine(buf, dashBoundary.length);
  if (pos === 'closed') throw bad('BerkasTidakAda', 'Belum ada berkas yang dipilih. Pilih berkas PDF lalu kirim.');

  let found: UploadedFile | undefined;
  for (let parts = 1; ; parts++) {
    if (parts > maxParts) throw malformed('terlalu banyak bagian');
    const headerEnd = buf.indexOf(HEADER_END, pos);
    // A part without headers ("\r\n\r\n" right away) has no Content-Disposition: refused below.
    if (headerEnd < 0 || headerEnd - pos > MAX_HEADER_BYTES) throw malformed('kepala bagian tidak lengkap');
    const headers = parseHeaders(buf.toString('utf8', pos, headerEnd));
    const contentStart = headerEnd + HEADER_END.length;
    const contentEnd = buf.indexOf(delimiter, contentStart);
    if (contentEnd < 0) throw malformed('batas penutup tidak ada');

    const disposition = parseDisposition(headers.get('content-disposition'));
    const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
    if (encoding && !['binary', '8bit', '7bit'].includes(encoding))
      throw malformed(`pengodean ${encoding} tidak didukung`);
    if (disposition.name === options.field) {
      if (found) throw bad('BerkasGanda', 'Unggah satu berkas saja setiap kali.');
      if (disposition.fileName === undefined) throw malformed(`isian "${options.field}" bukan berkas`);
      const size = contentEnd - contentStart;
      if (size === 0 && disposition.fileName === '')
        throw bad('BerkasTidakAda', 'Belum ada berkas yang dipilih. Pilih berkas PDF lalu kirim.');
      if (size > options.maxFileBytes)
        throw bad(
          'BerkasTerlaluBesar',
          `Berkas terlalu besar (${formatBytes(size)}); paling besar ${formatBytes(options.maxFileBytes)}.`,
        );
      found = {
        field: disposition.name,
        fileName: disposition.fileName,
        contentType: headers.get('content-type')?.trim() || 'application/octet-stream',
        bytes: new Uint8Array(buf.subarray(contentStart, contentEnd)),
      };
    }
    pos = afterBoundaryLine(buf, contentEnd + delimiter.length);
    if (pos === 'closed') break;
  }
  if (!found) throw bad('BerkasTidakAda', 'Belum ada berkas yang dipilih. Pilih berkas PDF lalu kirim.');
  return found;
}

/**
 * After a boundary: `--` closes the body (an epilogue after it is allowed and ignored), otherwise optional
 * transport padding (spaces, tabs) then CRLF opens the next part. Returns where that part's headers start.
 */
function afterBoundaryLine(buf: Buffer, at: number): number | 'closed' {
  if (buf[at] === 0x2d && buf[at + 1] === 0x2d) {
    const rest = at + 2;
    if (rest === buf.length || (buf[rest] === 0x0d && buf[rest + 1] === 0x0a)) return 'closed';
    throw malformed('teks setelah batas penutup');
  }
  let i = at;
  while (buf[i] === 0x20 || buf[i] === 0x09) i++;
  if (buf[i] !== 0x0d || buf[i + 1] !== 0x0a) throw malformed('baris batas tidak diakhiri CRLF');
  return i + 2;
}

function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    // Obsolete line folding and bare LF or CR are not something a browser sends.
    if (/^[ \t]/.test(line) || /[\r\n]/.test(line)) throw malformed('baris kepala bagian tidak sah');
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('baris kepala bagian tidak sah');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[a-z0-9-]+$/.test(name)) throw malformed('nama kepala bagian tidak sah');
    if (headers.has(name)) throw malformed(`kepala ${name} ganda`);
    headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/** `form-data; name="berkas"; filename="naskah.pdf"` (quoted strings may hold `;` and escaped quotes). */
function parseDisposition(value: string | undefined): { name: string; fileName?: string } {
  if (value === undefined) throw malformed('Content-Disposition tidak ada');
  const params = new Map<string, string>();
  const type = /^\s*([A-Za-z-]+)\s*/.exec(value);
  if (!type || type[1]!.toLowerCase() !== 'form-data') throw malformed('Content-Disposition bukan form-data');
  let rest = value.slice(type[0].length);
  const param = /^;\s*([A-Za-z0-9*_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s"]*))\s*/;
  while (rest.length) {
    const m = param.exec(rest);
    if (!m) throw malformed('Content-Disposition tidak sah');
    const key = m[1]!.toLowerCase();
    if (params.has(key)) throw malformed(`parameter ${key} ganda`);
    params.set(key, m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!);
    rest = rest.slice(m[0].length);
  }
  const name = params.get('name');
  if (!name) throw malformed('nama isian tidak ada');
  const fileName = params.get('filename');
  return fileName === undefined ? { name } : { name, fileName };
}
