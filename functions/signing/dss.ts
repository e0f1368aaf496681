import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import {
  IncrementalUpdate,
  nameOf,
  PdfAtom,
  PdfDict,
  pdfName,
  PdfRef,
  PdfStream,
  serialize,
  type PdfValue,
} from './pdf-incremental.ts';
import { vriKey } from './crl.ts';
import type { ValidationData } from './signer.ts';

/**
 * The Document Security Store of PAdES B-LT (ISO 32000-2 §12.8.4.3, ETSI EN 319 142-1 §5.4): after a signature is
 * made, one more incremental update through the same writer (`./pdf-incremental.ts`) sets `/DSS` in the catalog: a
 * dictionary with `/Certs`, `/CRLs` (and `/OCSPs`), arrays of streams holding DER certificates and CRLs, and `/VRI`,
 * whose keys are the uppercase hex SHA-1 of each signature's /Contents value and whose entries name the material
 * that validates that signature. A later signature extends the store: what is there is kept, nothing is stored
 * twice.
 *
 * An update after the last signature is signed by nobody. `validationOnlyUpdates` accepts exactly the updates
 * this module writes (and other writers' equivalents in classic cross-reference sections): the catalog gains or
 * changes `/DSS` and nothing else, every other object is new and is a DSS or VRI dictionary or a certificate, CRL or
 * OCSP stream, and the update holds nothing but those objects. Anything else (a page, an annotation, a changed
 * object) is not validation data.
 */

/** What a /DSS holds, decoded. */
export interface DssContents {
  readonly certs: readonly Uint8Array[];
  readonly crls: readonly Uint8Array[];
  readonly ocsps: readonly Uint8Array[];
  /** Per signature (VRI key: uppercase hex SHA-1 of its /Contents), the material named for it. */
  readonly vri: ReadonlyMap<string, { certs: readonly Uint8Array[]; crls: readonly Uint8Array[] }>;
}

export const EMPTY_DSS: DssContents = { certs: [], crls: [], ocsps: [], vri: new Map() };

const KINDS = [
  { dss: 'Certs', vri: 'Cert', key: 'certs' },
  { dss: 'CRLs', vri: 'CRL', key: 'crls' },
  { dss: 'OCSPs', vri: 'OCSP', key: 'ocsps' },
] as const;

/**
 * Appends an update that adds `data` to the /DSS of `pdf` (creating it, or extending the one there), with a /VRI
 * entry for each signature whose /Contents value is given.
 */
export function appendValidationData(
  pdf: Uint8Array,
  data: ValidationData,
  signatureContents: readonly Uint8Array[],
): Uint8Array {
  const update = IncrementalUpdate.open(pdf);
  const catalog = update.dict(update.root, 'katalog dokumen (/Root)');
  const dssValue = catalog.get('DSS');
  const dss = dssValue === undefined ? new PdfDict() : update.dict(dssValue, '/DSS pada katalog');
  let next = new PdfDict([['Type', pdfName('DSS')]]);
  const refsOf: Record<string, PdfRef[]> = {};
  for (const kind of KINDS) {
    const known = new Map<string, PdfValue>();
    const existing = refArray(update, dss.get(kind.dss));
    for (const ref of existing) {
      const bytes = ref instanceof PdfRef ? decoded(update.stream(ref)) : undefined;
      if (bytes) known.set(digest(bytes), ref);
    }
    const items = [...existing];
    const refs: PdfRef[] = [];
    for (const der of data[kind.key] ?? []) {
      const key = digest(der);
      let ref = known.get(key);
      if (!ref) {
        ref = update.add(new PdfStream(new PdfDict(), der));
        known.set(key, ref);
        items.push(ref);
      }
      if (ref instanceof PdfRef) refs.push(ref);
    }
    refsOf[kind.key] = refs;
    if (items.length) next = next.with(kind.dss, items);
  }
  const vriValue = dss.get('VRI');
  let vri = vriValue === undefined ? new PdfDict() : update.dict(vriValue, '/VRI pada /DSS');
  for (const contents of signatureContents) {
    let entry = new PdfDict();
    for (const kind of KINDS) if (refsOf[kind.key]!.length) entry = entry.with(kind.vri, refsOf[kind.key]!);
    vri = vri.with(vriKey(contents), entry);
  }
  if (vri.entries.size) next = next.with('VRI', update.add(vri));
  update.replace(update.root, catalog.with('DSS', update.add(next)));
  return update.save().bytes;
}

/** The /DSS of the newest catalog of `pdf`, decoded; empty when there is none or it cannot be read. */
export function readDss(pdf: Uint8Array): DssContents {
  let update: IncrementalUpdate;
  try {
    update = IncrementalUpdate.open(pdf);
    const dssValue = update.dict(update.root, 'katalog').get('DSS');
    if (dssValue === undefined) return EMPTY_DSS;
    const dss = update.dict(dssValue, '/DSS');
    const streams = (value: PdfValue | undefined) =>
      refArray(update, value).flatMap((ref) => {
        const bytes = ref instanceof PdfRef ? decoded(update.stream(ref)) : undefined;
        return bytes ? [bytes] : [];
      });
    const vri = new Map<string, { certs: Uint8Array[]; crls: Uint8Array[] }>();
    const vriValue = dss.get('VRI');
    if (vriValue !== undefined)
      for (const [key, value] of update.dict(vriValue, '/VRI').entries) {
        const entry = update.resolve(value);
        if (entry instanceof PdfDict)
          vri.set(key.toUpperCase(), { certs: streams(entry.get('Cert')), crls: streams(entry.get('CRL')) });
      }
    return {
      certs: streams(dss.get('Certs')),
      crls: streams(dss.get('CRLs')),
      ocsps: streams(dss.get('OCSPs')),
      vri,
    };
  } catch {
    return EMPTY_DSS;
  }
}

/** `ok`, or why not and where the validation data before the first other update ends (`validUntil`). */
export type UpdateCheck = { ok: true } | { ok: false; reason: string; validUntil: number };

/**
 * Whether the bytes of `pdf` from `from` (the end of a revision, just after its %%EOF) to the end are only updates
 * that add validation data (see the module comment). True when there is nothing after `from`.
 */
export function validationOnlyUpdates(pdf: Uint8Array, from: number): UpdateCheck {
  if (from >= pdf.length) return { ok: true };
  let start = from;
  for (const end of revisionEnds(pdf, from)) {
    const reason = notValidationOnly(pdf, start, end);
    if (reason) return { ok: false, reason, validUntil: start };
    start = end;
  }
  if (start !== pdf.length)
    return { ok: false, reason: 'ada byte setelah %%EOF terakhir yang bukan pembaruan inkremental', validUntil: start };
  return { ok: true };
}

/** Why the update from `start` to `end` is not validation data only; undefined when it is. */
function notValidationOnly(pdf: Uint8Array, start: number, end: number): string | undefined {
  const fail = (reason: string) => reason;
  let before: IncrementalUpdate;
  let after: IncrementalUpdate;
  try {
    before = IncrementalUpdate.open(pdf.subarray(0, start));
    after = IncrementalUpdate.open(pdf.subarray(0, end));
  } catch (error) {
    return fail(`pembaruan tidak dapat dibaca (${(error as Error).message})`);
  }
  if (numberValue(after.trailer.get('Prev')) !== before.previousStartxref)
    return fail('/Prev pembaruan tidak menunjuk ke revisi sebelumnya');
  for (const key of new Set([...before.trailer.entries.keys(), ...after.trailer.entries.keys()])) {
    if (key === 'Size' || key === 'Prev') continue;
    if (!same(before.trailer.get(key), after.trailer.get(key))) return fail(`trailer /${key} diubah`);
  }
  const objects = after.newestObjects();
  if (!objects) return fail('objek pembaruan tidak berada di tempat yang disebut tabel cross-reference');
  // The update is its objects, one after another, then the cross-reference section: nothing hidden between them.
  let at = skipWhite(pdf, start);
  for (const object of objects) {
    if (object.start !== at) return fail(`ada byte di luar objek pembaruan (offset ${at})`);
    at = skipWhite(pdf, object.end);
  }
  if (at !== after.previousStartxref) return fail(`ada byte di luar objek pembaruan (offset ${at})`);
  const root = before.root;
  if (!objects.some((o) => o.num === root.num)) return fail('katalog tidak diubah: bukan pembaruan /DSS');
  for (const object of objects) {
    if (object.num === root.num) {
      const old = before.dict(root, 'katalog');
      if (!(object.value instanceof PdfDict)) return fail('katalog bukan dictionary');
      for (const key of new Set([...old.entries.keys(), ...object.value.entries.keys()]))
        if (key !== 'DSS' && !same(old.get(key), object.value.get(key))) return fail(`katalog /${key} diubah`);
      continue;
    }
    if (before.exists(object.num)) return fail(`objek ${object.num} yang sudah ada diubah`);
    if (!validationObject(object.value))
      return fail(`objek ${object.num} bukan data validasi (/DSS, /VRI, sertifikat, CRL, OCSP)`);
  }
  return undefined;
}

const STREAM_KEYS = new Set(['Length', 'Filter', 'DecodeParms', 'Type', 'Subtype']);
const DSS_KEYS = new Set(['Type', 'Certs', 'CRLs', 'OCSPs', 'VRI']);
const VRI_ENTRY_KEYS = new Set(['Type', 'Cert', 'CRL', 'OCSP', 'TU', 'TS']);

/** A DSS or VRI dictionary, a VRI entry, an array of references, or a data stream: nothing a page or form uses. */
function validationObject(value: PdfValue | PdfStream): boolean {
  if (value instanceof PdfStream) return [...value.dict.entries.keys()].every((k) => STREAM_KEYS.has(k));
  if (Array.isArray(value)) return (value as readonly PdfValue[]).every((v) => v instanceof PdfRef);
  if (!(value instanceof PdfDict)) return false;
  const keys = [...value.entries.keys()];
  const type = nameOf(value.get('Type'));
  if ((type === undefined || type === 'DSS') && keys.every((k) => DSS_KEYS.has(k))) return true;
  if ((type === undefined || type === 'VRI') && keys.every((k) => VRI_ENTRY_KEYS.has(k))) return true;
  // The /VRI map: SHA-1 keys to entries.
  return keys.every((k) => /^[0-9A-Fa-f]{40}$/.test(k)) && [...value.entries.values()].every(vriEntryOrRef);
}

function vriEntryOrRef(value: PdfValue): boolean {
  return (
    value instanceof PdfRef ||
    (value instanceof PdfDict && [...value.entries.keys()].every((k) => VRI_ENTRY_KEYS.has(k)))
  );
}

/** Ends (after %%EOF and its end of line) of the revisions that end after `from`. */
function revisionEnds(pdf: Uint8Array, from: number): number[] {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const ends: number[] = [];
  for (let at = text.indexOf('%%EOF', from); at >= 0; at = text.indexOf('%%EOF', at + 5)) {
    let end = at + 5;
    while (end < text.length && (text[end] === '\r' || text[end] === '\n')) end++;
    ends.push(end);
  }
  return ends;
}

function skipWhite(pdf: Uint8Array, i: number): number {
  while (i < pdf.length && [0, 9, 10, 12, 13, 32].includes(pdf[i]!)) i++;
  return i;
}

function same(a: PdfValue | undefined, b: PdfValue | undefined): boolean {
  return (a === undefined ? '' : serialize(a)) === (b === undefined ? '' : serialize(b));
}

function numberValue(value: PdfValue | undefined): number | undefined {
  return value instanceof PdfAtom && /^\d+$/.test(value.text) ? Number(value.text) : undefined;
}

function refArray(update: IncrementalUpdate, value: PdfValue | undefined): readonly PdfValue[] {
  const resolved = value === undefined ? undefined : update.resolve(value);
  return Array.isArray(resolved) ? (resolved as readonly PdfValue[]) : [];
}

/** A stream's bytes without a filter or with /FlateDecode (no predictor); undefined for anything else. */
function decoded(stream: PdfStream | undefined): Uint8Array | undefined {
  if (!stream) return undefined;
  const filter = stream.dict.get('Filter');
  if (filter === undefined) return stream.data;
  const name = nameOf(Array.isArray(filter) ? (filter as PdfValue[])[0] : filter);
  if (name !== 'FlateDecode' || stream.dict.get('DecodeParms') !== undefined) return undefined;
  if (Array.isArray(filter) && (filter as PdfValue[]).length !== 1) return undefined;
  try {
    return new Uint8Array(inflateSync(stream.data));
  } catch {
    return undefined;
  }
}

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
