import { describe, expect, it } from 'vitest';
import { ErrorNames, isSepakatError } from '../core/errors.ts';
import { MultipartCodes, multipartBoundary, parseMultipartFile } from '../functions/handlers/multipart.ts';

const BOUNDARY = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
const TYPE = `multipart/form-data; boundary=${BOUNDARY}`;
const OPTIONS = { field: 'berkas', maxFileBytes: 1024 };

/** A body as a browser sends it: CRLF everywhere, file bytes verbatim. */
function body(parts: { headers: string[]; content: Uint8Array | string }[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n`, 'utf8'));
    chunks.push(Buffer.from(part.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const filePart = (content: Uint8Array | string, name = 'naskah.pdf') => ({
  headers: [`Content-Disposition: form-data; name="berkas"; filename="${name}"`, 'Content-Type: application/pdf'],
  content,
});

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(isSepakatError(error, ErrorNames.BadInput)).toBe(true);
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  throw new Error('expected a refusal');
}

describe('the multipart/form-data reader', () => {
  it('returns the file field byte for byte, even when it holds CRLF and dashes', () => {
    const content = Buffer.concat([
      Buffer.from('%PDF-1.7\r\n--'),
      Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}\r\n`),
      Buffer.from([0, 255, 13, 10, 13, 10, 45, 45]),
    ]);
    const file = parseMultipartFile(TYPE, body([filePart(content)]), OPTIONS);
    expect(file.field).toBe('berkas');
    expect(file.fileName).toBe('naskah.pdf');
    expect(file.contentType).toBe('application/pdf');
    expect(Buffer.from(file.bytes).equals(content)).toBe(true);
  });

  it('ignores other fields, reads a quoted boundary and UTF-8 file names, and allows an epilogue', () => {
    const raw = Buffer.concat([
      body(
        [
          { headers: ['Content-Disposition: form-data; name="catatan"'], content: 'halo' },
          filePart('%PDF-1.4 isi', 'Naskah \\"Kerja Sama\\" Bandung–Blitar.pdf'),
        ],
        'batas',
      ),
      Buffer.from('epilog diabaikan'),
    ]);
    const file = parseMultipartFile('Multipart/Form-Data; charset=utf-8; boundary="batas"', raw, OPTIONS);
    expect(file.fileName).toBe('Naskah "Kerja Sama" Bandung–Blitar.pdf');
    expect(Buffer.from(file.bytes).toString()).toBe('%PDF-1.4 isi');
  });

  it('reads the boundary only from a multipart/form-data content type', () => {
    expect(multipartBoundary('multipart/form-data; boundary=abc')).toBe('abc');
    expect(refusal(() => multipartBoundary('application/x-www-form-urlencoded')).code).toBe(
      MultipartCodes.BukanMultipart,
    );
    expect(refusal(() => multipartBoundary(undefined)).code).toBe(MultipartCodes.BukanMultipart);
    expect(refusal(() => multipartBoundary('multipart/form-data')).code).toBe(MultipartCodes.FormulirRusak);
    expect(refusal(() => multipartBoundary(`multipart/form-data; boundary=${'x'.repeat(71)}`)).code).toBe(
      MultipartCodes.FormulirRusak,
    );
    expect(refusal(() => multipartBoundary('multipart/form-data; boundary="a"; boundary="b"')).code).toBe(
      MultipartCodes.FormulirRusak,
    );
  });

  it('refuses a body with bare LF line ends, in Indonesian', () => {
    const lf = Buffer.from(
      body([filePart('%PDF-1.7')])
        .toString('latin1')
        .replace(/\r\n/g, '\n'),
      'latin1',
    );
    const { code, message } = refusal(() => parseMultipartFile(TYPE, lf, OPTIONS));
    expect(code).toBe(MultipartCodes.FormulirRusak);
    expect(message).toMatch(/^Formulir unggahan tidak dapat dibaca/);
  });

  it('refuses a body without its closing delimiter, or that does not start with the boundary', () => {
    const whole = body([filePart('%PDF-1.7')]);
    const truncated = whole.subarray(0, whole.length - `--${BOUNDARY}--\r\n`.length - 2);
    expect(refusal(() => parseMultipartFile(TYPE, truncated, OPTIONS)).code).toBe(MultipartCodes.FormulirRusak);
    const preamble = Buffer.concat([Buffer.from('pembuka\r\n'), whole]);
    expect(refusal(() => parseMultipartFile(TYPE, preamble, OPTIONS)).code).toBe(MultipartCodes.FormulirRusak);
    expect(refusal(() => parseMultipartFile(TYPE, Buffer.alloc(0), OPTIONS)).code).toBe(MultipartCodes.FormulirRusak);
    const junkAfterClose = Buffer.concat([whole.subarray(0, whole.length - 2), Buffer.from('xx')]);
    expect(refusal(() => parseMultipartFile(TYPE, junkAfterClose, OPTIONS)).code).toBe(MultipartCodes.FormulirRusak);
  });

  it('refuses malformed part headers', () => {
    const noDisposition = body([{ headers: ['Content-Type: application/pdf'], content: 'x' }]);
    expect(refusal(() => parseMultipartFile(TYPE, noDisposition, OPTIONS)).code).toBe(MultipartCodes.FormulirRusak);
    const notFormData = body([{ headers: ['Content-Disposition: attachment; name="berkas"'], content: 'x' }]);
    expect(refusal(() => parseMultipartFile(TYPE, notFormData, OPTIONS)).code).toBe(MultipartCodes.FormulirRusak);
    const folded = body([
      { headers: ['Content-Disposition: form-data;', ' name="berkas"; filename="a.pdf"'], content: 'x' },
    ]);
    expect(refusal(() => parseMultipartFile(TYPE, folded, OPTIONS)).code).toBe(MultipartCodes.FormulirRusak);
    const base64 = body([
      {
        headers: [
          'Content-Disposition: form-data; name="berkas"; filename="a.pdf"',
          'Content-Transfer-Encoding: base64',
        ],
        content: 'JVBERi0=',
      },
    ]);
    expect(refusal(() => parseMultipartFile(TYPE, base64, OPTIONS)).code).toBe(MultipartCodes.FormulirRusak);
    const notAFile = body([{ headers: ['Content-Disposition: form-data; name="berkas"'], content: '%PDF-' }]);
    expect(refusal(() => parseMultipartFile(TYPE, notAFile, OPTIONS)).code).toBe(MultipartCodes.FormulirRusak);
  });

  it('says when no file was chosen, when two were sent, and when one is too large', () => {
    const empty = body([filePart('', '')]);
    const none = refusal(() => parseMultipartFile(TYPE, empty, OPTIONS));
    expect(none.code).toBe(MultipartCodes.BerkasTidakAda);
    expect(none.message).toContain('Belum ada berkas yang dipilih');
    const other = body([{ headers: ['Content-Disposition: form-data; name="lain"'], content: 'x' }]);
    expect(refusal(() => parseMultipartFile(TYPE, other, OPTIONS)).code).toBe(MultipartCodes.BerkasTidakAda);
    const two = body([filePart('%PDF-1'), filePart('%PDF-2')]);
    expect(refusal(() => parseMultipartFile(TYPE, two, OPTIONS)).code).toBe(MultipartCodes.BerkasGanda);
    const large = refusal(() => parseMultipartFile(TYPE, body([filePart(Buffer.alloc(2048, 0x41))]), OPTIONS));
    expect(large.code).toBe(MultipartCodes.BerkasTerlaluBesar);
    expect(large.message).toMatch(/^Berkas terlalu besar \(2 KB\); paling besar 1 KB\.$/);
  });

  it('bounds the number of parts', () => {
    const many = body(
      Array.from({ length: 12 }, (_, i) => ({
        headers: [`Content-Disposition: form-data; name="f${i}"`],
        content: '',
      })),
    );
    expect(refusal(() => parseMultipartFile(TYPE, many, OPTIONS)).code).toBe(MultipartCodes.FormulirRusak);
  });
});
