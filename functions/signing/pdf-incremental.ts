import { ErrorNames, SepakatError } from '../../core/errors.ts';

/**
 * Incremental updates of a PDF (ISO 32000-1 §7.5.6), the one way Sepakat changes a PDF that may carry a signature:
 * the existing bytes stay exactly as they are, and new or replaced objects, one classic cross-reference section and
 * a trailer are appended. Every signature goes through it (the placeholder of the first and of each further
 * signature, `./sign-pdf.ts`); later updates (validation data: a `/DSS` dictionary in the catalog with /Certs,
 * /CRLs and /OCSPs streams) are written the same way: `open`, `resolve` the catalog, `add` the streams and the DSS
 * dictionary, `replace` the catalog with `/DSS` set, `save`.
 *
 * Reading: the last `startxref`, then the chain of classic cross-reference sections through /Prev (for each object
 * the newest entry wins). Lenient where earlier writers were sloppy (whitespace before `xref` or before an object
 * that an offset points at). A cross-reference stream, a hybrid file (/XRefStm) and an encrypted file are refused
 * with a clear error: every PDF Sepakat updates was re-saved by pdf-lib with a classic table, or written by this
 * writer, and appending a classic section to a file whose objects live in object streams is not allowed.
 *
 * Writing, what `qpdf --check` checks: each object at the offset its entry names (`N G obj`), the cross-reference
 * section in subsections of consecutive numbers with 20-byte entries (the free-list head, object 0, carried over),
 * `startxref` pointing at the `x` of `xref` (no whitespace before it), and a trailer holding every entry of the
 * previous one (/Root, /Info, /ID, …) with /Size one plus the highest object number and /Prev the previous
 * `startxref`; then `%%EOF` and an end-of-line.
 */

/** An indirect reference `N G R`. */
export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen = 0,
  ) {}
  toString(): string {
    return `${this.num} ${this.gen} R`;
  }
}

/**
 * A number, name, string, boolean or null, kept exactly as written (its bytes as Latin-1 text). `at` is where the
 * token starts in the file it was read from (one character a byte, so it ends at `at + text.length`).
 */
export class PdfAtom {
  constructor(
    readonly text: string,
    readonly at?: number,
  ) {}
  toString(): string {
    return this.text;
  }
}

/**
 * A dictionary; keys are names without the slash, decoded (`#xx`). Immutable: `with` returns a changed copy. A
 * dictionary read from a file knows where each key's "/" stands in it (`keyOffsets`); a changed copy does not.
 */
export class PdfDict {
  readonly entries: ReadonlyMap<string, PdfValue>;
  constructor(
    entries: Iterable<readonly [string, PdfValue]> = [],
    readonly keyOffsets: ReadonlyMap<string, number> = new Map(),
  ) {
    this.entries = new Map(entries);
  }
  get(key: string): PdfValue | undefined {
    return this.entries.get(key);
  }
  /** A copy with `key` set to `value` (kept in its place if present, else last), or removed when undefined. */
  with(key: string, value: PdfValue | undefined): PdfDict {
    const entries = new Map(this.entries);
    if (value === undefined) entries.delete(key);
    else entries.set(key, value);
    return new PdfDict(entries);
  }
  toString(): string {
    const parts = [...this.entries].map(([key, value]) => `${nameToken(key)} ${serialize(value)}`);
    return parts.length ? `<< ${parts.join(' ')} >>` : '<< >>';
  }
}

/** A stream to add: its dictionary (/Length is set on writing) and its bytes as they go in the file. */
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    readonly data: Uint8Array,
  ) {}
}

export type PdfValue = PdfDict | readonly PdfValue[] | PdfRef | PdfAtom;

export function serialize(value: PdfValue): string {
  if (Array.isArray(value)) return `[${(value as readonly PdfValue[]).map(serialize).join(' ')}]`;
  return (value as PdfDict | PdfRef | PdfAtom).toString();
}

export const pdfName = (name: string): PdfAtom => new PdfAtom(nameToken(name));
export const pdfNumber = (n: number): PdfAtom => new PdfAtom(String(n));

/**
 * A text string: printable ASCII as a literal string, anything else as UTF-16BE with a byte-order mark, so names
 * such as "Asép" reach the signature dictionary intact.
 */
export function pdfText(text: string): PdfAtom {
  if (/^[\x20-\x7E]*$/.test(text)) return new PdfAtom(`(${text.replace(/[\\()]/g, '\\$&')})`);
  const utf16 = Buffer.from(text, 'utf16le').swap16();
  return new PdfAtom(`<FEFF${utf16.toString('hex').toUpperCase()}>`);
}

/** The name a value holds (`/Sig` → "Sig"), else undefined. */
export function nameOf(value: PdfValue | undefined): string | undefined {
  return value instanceof PdfAtom && value.text.startsWith('/') ? decodeName(value.text.slice(1)) : undefined;
}

/** The number a value holds, else undefined. */
export function numberOf(value: PdfValue | undefined): number | undefined {
  if (!(value instanceof PdfAtom) || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value.text)) return undefined;
  return Number(value.text);
}

/** The text of a string value (UTF-16BE or UTF-8 with a byte-order mark, else PDFDocEncoding read as Latin-1). */
export function textOf(value: PdfValue | undefined): string | undefined {
  if (!(value instanceof PdfAtom)) return undefined;
  const bytes = stringBytes(value.text);
  if (!bytes) return undefined;
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('latin1');
}

/** Where a string value stands in the file it was read from, delimiters included; undefined for anything else. */
export function stringSpan(value: PdfValue | undefined): { start: number; end: number } | undefined {
  if (!(value instanceof PdfAtom) || value.at === undefined || !/^[(<]/.test(value.text)) return undefined;
  return { start: value.at, end: value.at + value.text.length };
}

/**
 * The value of the indirect object whose `N G obj` starts at `offset` (undefined when no object header stands
 * there), read with the same reader as the updates: the verifier reads signature dictionaries through it.
 */
export function readObjectAt(pdf: Uint8Array, offset: number): PdfValue | undefined {
  const reader = new Reader(pdf);
  const header = reader.objectHeader(offset);
  return header ? reader.value(header.end, 0).value : undefined;
}

/** What `IncrementalUpdate.save` appended. */
export interface SavedUpdate {
  /** The whole file: the original bytes, then the update. */
  readonly bytes: Uint8Array;
  /** For each object written: the offset of its first byte after `N G obj` and the end of line. */
  readonly bodyOffsets: ReadonlyMap<number, number>;
  /** Offset of this update's `xref` (what its `startxref` says). */
  readonly startxref: number;
}

interface XrefEntry {
  readonly inUse: boolean;
  /** In use: the object's byte offset; free: the next free object number. */
  readonly offset: number;
  readonly gen: number;
}

type Pending = { ref: PdfRef; value: PdfValue | PdfStream };

/** Object numbers and sections are bounded so that a crafted file cannot make the reader loop or allocate wildly. */
const MAX_SECTIONS = 1000;
const MAX_OBJECT_NUMBER = 8_388_607;
const MAX_REF_HOPS = 32;

export class IncrementalUpdate {
  private readonly pending = new Map<number, Pending>();
  private nextNumber: number;

  private constructor(
    private readonly pdf: Uint8Array,
    private readonly reader: Reader,
    private readonly xref: ReadonlyMap<number, XrefEntry>,
    /** The newest trailer. */
    readonly trailer: PdfDict,
    /** Offset of the newest cross-reference section (the /Prev of this update). */
    readonly previousStartxref: number,
    /** The entries of that newest section alone: what the file's last update wrote. */
    private readonly newest: readonly (readonly [number, XrefEntry])[],
  ) {
    this.nextNumber = Math.max(numberOf(trailer.get('Size')) ?? 0, this.highestExisting() + 1);
  }

  /** Reads the last trailer and the cross-reference chain of `pdf`; throws a BadInput error it cannot update. */
  static open(pdf: Uint8Array): IncrementalUpdate {
    const reader = new Reader(pdf);
    const startxref = reader.lastStartxref();
    const xref = new Map<number, XrefEntry>();
    const visited = new Set<number>();
    let trailer: PdfDict | undefined;
    let newest: [number, XrefEntry][] | undefined;
    let offset: number | undefined = startxref;
    while (offset !== undefined) {
      if (visited.has(offset) || visited.size >= MAX_SECTIONS)
        throw unreadable('rantai /Prev pada trailer berputar atau terlalu panjang');
      visited.add(offset);
      const section = reader.xrefSection(offset);
      for (const [num, entry] of section.entries) if (!xref.has(num)) xref.set(num, entry);
      trailer ??= section.trailer;
      newest ??= section.entries;
      if (section.trailer.get('XRefStm') !== undefined) throw xrefStreamRefused();
      const prev = section.trailer.get('Prev');
      offset = prev === undefined ? undefined : numberOf(prev);
      if (prev !== undefined && (offset === undefined || !Number.isInteger(offset) || offset < 0))
        throw unreadable('/Prev pada trailer bukan bilangan bulat');
    }
    if (!trailer) throw unreadable('trailer tidak ditemukan');
    if (trailer.get('Encrypt') !== undefined)
      throw new SepakatError(ErrorNames.BadInput, 'Berkas PDF terenkripsi (/Encrypt); tidak dapat diperbarui.', {
        code: 'PdfTerenkripsi',
      });
    if (!(trailer.get('Root') instanceof PdfRef)) throw unreadable('/Root pada trailer tidak ada');
    return new IncrementalUpdate(pdf, reader, xref, trailer, startxref, newest ?? []);
  }

  /** The document catalog's reference (trailer /Root). */
  get root(): PdfRef {
    return this.trailer.get('Root') as PdfRef;
  }

  /** Follows references (objects of this update first, then the file); undefined for a free or missing object. */
  resolve(value: PdfValue | undefined): PdfValue | undefined {
    for (let hops = 0; value instanceof PdfRef; hops++) {
      if (hops >= MAX_REF_HOPS) throw unreadable(`rujukan ${value.toString()} berantai terlalu panjang`);
      value = this.object(value);
    }
    return value;
  }

  /** `resolve`, and a dictionary is required: `what` names it in the error ("/AcroForm pada katalog"). */
  dict(value: PdfValue | undefined, what: string): PdfDict {
    const resolved = this.resolve(value);
    if (!(resolved instanceof PdfDict)) throw unreadable(`${what} bukan dictionary`);
    return resolved;
  }

  /** A stream object of the file (its dictionary and raw, undecoded bytes); undefined when it is not a stream. */
  stream(ref: PdfRef): PdfStream | undefined {
    const entry = this.xref.get(ref.num);
    if (!entry?.inUse) return undefined;
    const object = this.reader.fullObject(entry.offset, ref.num, (v) => numberOf(this.resolve(v)));
    return object?.value instanceof PdfStream ? object.value : undefined;
  }

  /** Whether object `num` is in use in the file (before this update). */
  exists(num: number): boolean {
    return this.xref.get(num)?.inUse === true;
  }

  /**
   * The objects the file's newest cross-reference section names, each read exactly at its offset (no search), with
   * where it starts and where its `endobj` ends; undefined for an object that does not stand where its entry says.
   */
  newestObjects(): { num: number; gen: number; start: number; end: number; value: PdfValue | PdfStream }[] | undefined {
    const out = [];
    for (const [num, entry] of this.newest) {
      if (!entry.inUse) continue;
      const object = this.reader.fullObject(entry.offset, num, (v) => numberOf(this.resolve(v)));
      if (!object) return undefined;
      out.push({ num, gen: entry.gen, start: entry.offset, ...object });
    }
    return out.sort((a, b) => a.start - b.start);
  }

  /** A new object, numbered after every object of the file. */
  add(value: PdfValue | PdfStream): PdfRef {
    if (this.nextNumber > MAX_OBJECT_NUMBER) throw unreadable('nomor objek melampaui batas');
    const ref = new PdfRef(this.nextNumber++);
    this.pending.set(ref.num, { ref, value });
    return ref;
  }

  /** A new version of an existing object (same number and generation). */
  replace(ref: PdfRef, value: PdfValue | PdfStream): void {
    this.pending.set(ref.num, { ref, value });
  }

  /** The file with this update appended. */
  save(): SavedUpdate {
    const parts: Buffer[] = [];
    let length = this.pdf.length;
    const push = (part: Buffer | string) => {
      const buffer = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
      parts.push(buffer);
      length += buffer.length;
    };
    const last = this.pdf[this.pdf.length - 1];
    if (last !== 0x0a && last !== 0x0d) push('\n');

    const written = new Map<number, { offset: number; gen: number }>();
    const bodyOffsets = new Map<number, number>();
    for (const { ref, value } of [...this.pending.values()].sort((a, b) => a.ref.num - b.ref.num)) {
      written.set(ref.num, { offset: length, gen: ref.gen });
      push(`${ref.num} ${ref.gen} obj\n`);
      bodyOffsets.set(ref.num, length);
      if (value instanceof PdfStream) {
        push(`${value.dict.with('Length', pdfNumber(value.data.length)).toString()}\nstream\n`);
        push(Buffer.from(value.data.buffer, value.data.byteOffset, value.data.byteLength));
        push('\nendstream\nendobj\n');
      } else push(`${serialize(value)}\nendobj\n`);
    }

    const startxref = length;
    const head = this.xref.get(0);
    const rows: [number, string][] = [
      [0, `${pad(head && !head.inUse ? head.offset : 0, 10)} 65535 f \n`],
      ...[...written].map(([num, e]): [number, string] => [num, `${pad(e.offset, 10)} ${pad(e.gen, 5)} n \n`]),
    ];
    let xref = 'xref\n';
    for (let i = 0; i < rows.length;) {
      let j = i + 1;
      while (j < rows.length && rows[j]![0] === rows[j - 1]![0] + 1) j++;
      xref += `${rows[i]![0]} ${j - i}\n${rows
        .slice(i, j)
        .map(([, row]) => row)
        .join('')}`;
      i = j;
    }
    const highest = Math.max(this.highestExisting(), ...written.keys());
    let trailer = new PdfDict([['Size', pdfNumber(highest + 1)]]);
    for (const [key, value] of this.trailer.entries)
      if (key !== 'Size' && key !== 'Prev') trailer = trailer.with(key, value);
    trailer = trailer.with('Prev', pdfNumber(this.previousStartxref));
    push(`${xref}trailer\n${trailer.toString()}\nstartxref\n${startxref}\n%%EOF\n`);

    const bytes = new Uint8Array(length);
    bytes.set(this.pdf, 0);
    let at = this.pdf.length;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    return { bytes, bodyOffsets, startxref };
  }

  private object(ref: PdfRef): PdfValue | undefined {
    const pending = this.pending.get(ref.num);
    if (pending) {
      if (pending.value instanceof PdfStream) throw unreadable(`objek ${ref.num} adalah stream`);
      return pending.value;
    }
    const entry = this.xref.get(ref.num);
    if (!entry?.inUse) return undefined;
    const object = this.reader.indirectObject(entry.offset, ref.num);
    if (object.stream) throw unreadable(`objek ${ref.num} adalah stream, bukan dictionary`);
    return object.value;
  }

  private highestExisting(): number {
    let highest = 0;
    for (const num of this.xref.keys()) if (num > highest) highest = num;
    return highest;
  }
}

function unreadable(detail: string): SepakatError {
  return new SepakatError(ErrorNames.BadInput, `Struktur berkas PDF tidak dapat dibaca: ${detail}.`, {
    code: 'PdfTidakTerbaca',
  });
}

function xrefStreamRefused(): SepakatError {
  return new SepakatError(
    ErrorNames.BadInput,
    'Berkas PDF memakai cross-reference stream (PDF 1.5 ke atas); pembaruan inkremental hanya didukung untuk tabel cross-reference klasik.',
    { code: 'XrefStreamTidakDidukung' },
  );
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

const isWhite = (c: number | undefined) => c === 0 || c === 9 || c === 10 || c === 12 || c === 13 || c === 32;
const DELIMITERS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);
const isRegular = (c: number | undefined) => c !== undefined && !isWhite(c) && !DELIMITERS.has(c);

function nameToken(name: string): string {
  let out = '/';
  for (const byte of Buffer.from(name, 'utf8')) {
    out +=
      byte > 0x20 && byte < 0x7f && byte !== 0x23 && !DELIMITERS.has(byte)
        ? String.fromCharCode(byte)
        : `#${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function decodeName(raw: string): string {
  if (!raw.includes('#')) return raw;
  const bytes = Buffer.from(
    raw.replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );
  return bytes.toString('utf8');
}

/** The bytes of a literal `(…)` or hex `<…>` string token; undefined for anything else. */
function stringBytes(token: string): Buffer | undefined {
  if (token.startsWith('<')) {
    let hex = token.slice(1, -1).replace(/\s+/g, '');
    if (hex.length % 2) hex += '0';
    return Buffer.from(hex, 'hex');
  }
  if (!token.startsWith('(')) return undefined;
  const out: number[] = [];
  const body = token.slice(1, -1);
  const escapes: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, b: 0x08, f: 0x0c };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out.push(c.charCodeAt(0));
      continue;
    }
    const n = body[++i];
    if (n === undefined) break;
    if (escapes[n] !== undefined) out.push(escapes[n]);
    else if (n >= '0' && n <= '7') {
      let octal = n;
      while (octal.length < 3 && body[i + 1]! >= '0' && body[i + 1]! <= '7') octal += body[++i];
      out.push(parseInt(octal, 8) & 0xff);
    } else if (n === '\r') {
      if (body[i + 1] === '\n') i++;
    } else if (n !== '\n') out.push(n.charCodeAt(0));
  }
  return Buffer.from(out);
}

/** A small reader of PDF syntax over the raw bytes: enough for cross-reference sections, trailers and objects. */
class Reader {
  private readonly b: Buffer;
  constructor(pdf: Uint8Array) {
    this.b = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  }

  lastStartxref(): number {
    const at = this.b.lastIndexOf('startxref');
    if (at < 0) throw unreadable('startxref tidak ditemukan');
    const i = this.skip(at + 'startxref'.length);
    const { token } = this.regular(i);
    const offset = Number(token);
    if (!/^\d+$/.test(token) || offset >= this.b.length) throw unreadable('nilai startxref tidak sah');
    return offset;
  }

  xrefSection(offset: number): { entries: [number, XrefEntry][]; trailer: PdfDict } {
    let i = this.skip(offset);
    if (!this.keyword(i, 'xref')) {
      if (/^\d+\s+\d+\s+obj\b/.test(this.b.subarray(i, i + 32).toString('latin1'))) throw xrefStreamRefused();
      throw unreadable(`tidak ada tabel cross-reference di offset ${offset}`);
    }
    i += 4;
    const entries: [number, XrefEntry][] = [];
    for (;;) {
      i = this.skip(i);
      if (this.keyword(i, 'trailer')) break;
      const start = this.integer(i, 'awal subbagian xref');
      const count = this.integer(start.end, 'jumlah entri xref');
      if (start.value + count.value > MAX_OBJECT_NUMBER + 1 || count.value * 18 > this.b.length - count.end)
        throw unreadable('subbagian xref melampaui berkas');
      i = count.end;
      for (let k = 0; k < count.value; k++) {
        const at = this.integer(i, 'offset entri xref');
        const gen = this.integer(at.end, 'generasi entri xref');
        const type = this.skip(gen.end);
        const kind = this.b[type];
        if (kind !== 0x6e && kind !== 0x66) throw unreadable(`entri xref objek ${start.value + k} bukan n atau f`);
        entries.push([start.value + k, { inUse: kind === 0x6e, offset: at.value, gen: gen.value }]);
        i = type + 1;
      }
    }
    const { value } = this.value(i + 'trailer'.length, 0);
    if (!(value instanceof PdfDict)) throw unreadable('trailer bukan dictionary');
    return { entries, trailer: value };
  }

  indirectObject(offset: number, num: number): { value: PdfValue; stream: boolean } {
    let i = this.skip(offset);
    let header = this.objectHeader(i);
    if (header?.num !== num) {
      // An offset that misses its object (an earlier, careless writer): take the last definition in the file.
      const pattern = new RegExp(`(?:^|[\\s>])(${num}\\s+\\d+\\s+obj)\\b`, 'g');
      const text = this.b.toString('latin1');
      let found: number | undefined;
      for (const match of text.matchAll(pattern)) found = match.index + match[0].length - match[1]!.length;
      if (found === undefined) throw unreadable(`objek ${num} tidak ditemukan`);
      i = found;
      header = this.objectHeader(i);
      if (!header) throw unreadable(`objek ${num} tidak ditemukan`);
    }
    const { value, end } = this.value(header.end, 0);
    return { value, stream: this.keyword(this.skip(end), 'stream') };
  }

  /**
   * The indirect object `num` whose header stands exactly at `offset`, through its `endobj`: a value, or a stream
   * (dictionary and raw bytes; `lengthOf` resolves an indirect /Length). Undefined when anything is not where it
   * should be.
   */
  fullObject(
    offset: number,
    num: number,
    lengthOf: (value: PdfValue) => number | undefined,
  ): { value: PdfValue | PdfStream; end: number } | undefined {
    try {
      const header = this.objectHeader(offset);
      if (header?.num !== num) return undefined;
      const read = this.value(header.end, 0);
      let i = this.skip(read.end);
      let value: PdfValue | PdfStream = read.value;
      if (this.keyword(i, 'stream')) {
        if (!(read.value instanceof PdfDict)) return undefined;
        i += 'stream'.length;
        if (this.b[i] === 0x0d) i++;
        if (this.b[i] !== 0x0a) return undefined;
        i++;
        const length = read.value.get('Length');
        const n = length === undefined ? undefined : lengthOf(length);
        if (n === undefined || !Number.isInteger(n) || n < 0 || i + n > this.b.length) return undefined;
        value = new PdfStream(read.value, new Uint8Array(this.b.subarray(i, i + n)));
        i = this.skip(i + n);
        if (!this.keyword(i, 'endstream')) return undefined;
        i = this.skip(i + 'endstream'.length);
      }
      if (!this.keyword(i, 'endobj')) return undefined;
      return { value, end: i + 'endobj'.length };
    } catch {
      return undefined;
    }
  }

  objectHeader(i: number): { num: number; end: number } | undefined {
    const match = /^(\d+)[\0\t\n\f\r ]+(\d+)[\0\t\n\f\r ]+obj(?![^\0\t\n\f\r <>[\]()/%{}])/.exec(
      this.b.subarray(i, i + 40).toString('latin1'),
    );
    return match ? { num: Number(match[1]), end: i + match[0].length } : undefined;
  }

  private keyword(i: number, word: string): boolean {
    return this.b.toString('latin1', i, i + word.length) === word && !isRegular(this.b[i + word.length]);
  }

  private skip(i: number): number {
    const b = this.b;
    for (;;) {
      while (i < b.length && isWhite(b[i])) i++;
      if (b[i] !== 0x25) return i;
      while (i < b.length && b[i] !== 0x0a && b[i] !== 0x0d) i++;
    }
  }

  private regular(i: number): { token: string; end: number } {
    let j = i;
    while (isRegular(this.b[j])) j++;
    return { token: this.b.toString('latin1', i, j), end: j };
  }

  private integer(i: number, what: string): { value: number; end: number } {
    const { token, end } = this.regular(this.skip(i));
    if (!/^\d{1,10}$/.test(token)) throw unreadable(`${what} bukan bilangan bulat`);
    return { value: Number(token), end };
  }

  value(i: number, depth: number): { value: PdfValue; end: number } {
    if (depth > 64) throw unreadable('objek bersarang terlalu dalam');
    const b = this.b;
    i = this.skip(i);
    const c = b[i];
    if (c === undefined) throw unreadable('berkas berakhir di tengah objek');
    if (c === 0x3c && b[i + 1] === 0x3c) {
      const entries: [string, PdfValue][] = [];
      const keyOffsets = new Map<string, number>();
      let j = i + 2;
      for (;;) {
        j = this.skip(j);
        if (b[j] === 0x3e && b[j + 1] === 0x3e) return { value: new PdfDict(entries, keyOffsets), end: j + 2 };
        if (b[j] !== 0x2f) throw unreadable(`kunci dictionary diharapkan di offset ${j}`);
        const key = this.regular(j + 1);
        const name = decodeName(key.token);
        const item = this.value(key.end, depth + 1);
        entries.push([name, item.value]);
        keyOffsets.set(name, j);
        j = item.end;
      }
    }
    if (c === 0x3c) {
      const close = b.indexOf(0x3e, i);
      if (close < 0) throw unreadable('string heksadesimal tidak ditutup');
      return { value: new PdfAtom(b.toString('latin1', i, close + 1), i), end: close + 1 };
    }
    if (c === 0x28) {
      let nesting = 0;
      for (let j = i + 1; j < b.length; j++) {
        if (b[j] === 0x5c) j++;
        else if (b[j] === 0x28) nesting++;
        else if (b[j] === 0x29 && nesting-- === 0)
          return { value: new PdfAtom(b.toString('latin1', i, j + 1), i), end: j + 1 };
      }
      throw unreadable('string tidak ditutup');
    }
    if (c === 0x2f) {
      const { end } = this.regular(i + 1);
      return { value: new PdfAtom(b.toString('latin1', i, end), i), end };
    }
    if (c === 0x5b) {
      const items: PdfValue[] = [];
      let j = i + 1;
      for (;;) {
        j = this.skip(j);
        if (b[j] === 0x5d) return { value: items, end: j + 1 };
        const item = this.value(j, depth + 1);
        items.push(item.value);
        j = item.end;
      }
    }
    const { token, end } = this.regular(i);
    if (token === 'true' || token === 'false' || token === 'null') return { value: new PdfAtom(token, i), end };
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(token)) throw unreadable(`token tidak dikenal "${token.slice(0, 20)}"`);
    if (/^\d+$/.test(token)) {
      const ref = /^[\0\t\n\f\r ]+(\d+)[\0\t\n\f\r ]+R(?![^\0\t\n\f\r <>[\]()/%{}])/.exec(
        b.toString('latin1', end, end + 24),
      );
      if (ref) return { value: new PdfRef(Number(token), Number(ref[1])), end: end + ref[0].length };
    }
    return { value: new PdfAtom(token, i), end };
  }
}
