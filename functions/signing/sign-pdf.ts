import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import { buildDetachedCms } from './cms.ts';
import {
  IncrementalUpdate,
  nameOf,
  PdfAtom,
  PdfDict,
  pdfName,
  pdfNumber,
  PdfRef,
  pdfText,
  textOf,
  type PdfValue,
} from './pdf-incremental.ts';
import { appendValidationData, validationOnlyUpdates } from './dss.ts';
import type { Signer, ValidationData } from './signer.ts';
import { timestampTokenCertificates, type TimestampAuthority } from './timestamp.ts';
import { findSignatureFields } from './verify.ts';

/**
 * PAdES B-B signatures on a PDF: `signPdf` for the first signature, `addSecondSignature` (and further ones) as an
 * incremental update that leaves every earlier signed byte untouched. Both append through one writer
 * (`./pdf-incremental.ts`), whose output `qpdf --check` passes without a warning.
 *
 * A PDF is never rewritten once it could be read as it is: the first signature is appended to the very bytes given
 * when the incremental writer can read them (a classic cross-reference table, no object streams, as Chromium
 * writes), so the signed PDF's unsigned revision is exactly the PDF its signer was shown. Only a PDF the writer cannot
 * read is re-saved first by `preparePdfForSigning` (pdf-lib, classic table). After that, bytes are only appended.
 *
 * The signature dictionary: /Filter /Adobe.PPKLite, /SubFilter /ETSI.CAdES.detached, /ByteRange, /Contents (the
 * DER CMS from `buildDetachedCms`, zero-padded), /M, /Name, /Reason, /Location, /ContactInfo (text strings, UTF-16
 * where not ASCII); an invisible widget on the first page. The visible mark (QR code, footer citing UU ITE)
 * belongs to the rendered document itself.
 */
export interface SignPdfOptions {
  readonly reason: string;
  readonly location: string;
  /** Signer's name in the signature dictionary (the certificate's name is what verifiers trust). */
  readonly name: string;
  readonly contactInfo: string;
  /** Claimed signing time (/M and the CMS signingTime attribute): the caller's clock. Not a trusted timestamp. */
  readonly signingTime: Date;
  /** Bytes reserved for the CMS; default max(8192, chain size + 4096). */
  readonly signatureLength?: number;
  /**
   * Include the CMS signingTime signed attribute (default true). ETSI EN 319 142-1 (PAdES baseline) says it
   * shall not be present and the time goes in /M only; set false for strict PAdES B-B conformance.
   */
  readonly signingTimeAttribute?: boolean;
  /**
   * PAdES B-T: a TSA that timestamps the signature value (unsigned attribute signatureTimeStampToken). Without
   * it the signature is B-B, as before. /Contents then reserves the authority's `reserveBytes()` more.
   */
  readonly timestamp?: TimestampAuthority;
  /**
   * PAdES B-LT: the validation data of the signer's chain (its certificates and its CA's CRL, from
   * `SigningKeys.validationData`). With it, a second incremental update after the signature adds them, with the
   * timestamp token's certificates, to the /DSS and a /VRI entry for this signature (`./dss.ts`).
   */
  readonly validationData?: (chain: readonly Uint8Array[]) => Promise<ValidationData>;
}

/**
 * Re-saves a PDF for its first signature with pdf-lib: a classic cross-reference table, no object streams (which
 * the incremental writer refuses), every object at the offset its entry names. Nothing is signed yet, so
 * rewriting the file is harmless here and nowhere else.
 */
export async function preparePdfForSigning(pdf: Uint8Array): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  return doc.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false });
}

/** The first signature. Refuses a PDF that is already signed (use `addSecondSignature`). */
export async function signPdf(pdf: Uint8Array, signer: Signer, options: SignPdfOptions): Promise<Uint8Array> {
  if (findSignatureFields(pdf).length) {
    throw new SepakatError(
      ErrorNames.BadInput,
      'Dokumen sudah ditandatangani; tanda tangan berikutnya ditambahkan sebagai pembaruan inkremental.',
      { code: 'SudahDitandatangani' },
    );
  }
  return appendSignature(updatableAsIs(pdf) ? pdf : await preparePdfForSigning(pdf), signer, options);
}

/** Whether the incremental writer reads the PDF as it is (else it is re-saved before its first signature). */
function updatableAsIs(pdf: Uint8Array): boolean {
  try {
    IncrementalUpdate.open(pdf);
    return true;
  } catch {
    return false;
  }
}

/**
 * A further signature as an incremental update: the earlier signatures keep covering their byte ranges. Refuses
 * a PDF without a signature, and one with unsigned bytes after its last signature (they would be signed unseen).
 */
export async function addSecondSignature(
  signedPdf: Uint8Array,
  signer: Signer,
  options: SignPdfOptions,
): Promise<Uint8Array> {
  const fields = findSignatureFields(signedPdf);
  if (!fields.length) {
    throw new SepakatError(ErrorNames.BadInput, 'Dokumen belum ditandatangani; gunakan tanda tangan pertama.', {
      code: 'BelumDitandatangani',
    });
  }
  const end = Math.max(...fields.map((f) => f.byteRange[2] + f.byteRange[3]));
  // Validation data (/DSS) after the last signature is not a change of the document: it is signed over with it.
  if (end !== signedPdf.length && !validationOnlyUpdates(signedPdf, end).ok) {
    throw new SepakatError(
      ErrorNames.BadInput,
      'Ada perubahan setelah tanda tangan terakhir; dokumen tidak dapat ditandatangani lagi.',
      { code: 'PerubahanSetelahTandaTangan' },
    );
  }
  return appendSignature(signedPdf, signer, options);
}

/**
 * Makes the CMS over the signed bytes (the file without the /Contents gap, as its two byte ranges). `signPdf`
 * hashes them and builds the CMS with `buildDetachedCms`; a signer that must see the bytes themselves plugs in here.
 */
export type CmsMaker = (signedRanges: readonly [Uint8Array, Uint8Array], signingTime: Date) => Promise<Uint8Array>;

/** The CMS of `signPdf`: SHA-256 of the byte ranges, CAdES attributes, one signature by `signer`. */
function detachedCms(signer: Signer, signingTimeAttribute = true, timestamp?: TimestampAuthority): CmsMaker {
  return async ([before, after], signingTime) => {
    const contentDigest = new Uint8Array(createHash('sha256').update(before).update(after).digest());
    return buildDetachedCms({
      contentDigest,
      signer,
      signingTime,
      signingTimeAttribute,
      ...(timestamp ? { timestamp } : {}),
    });
  };
}

async function appendSignature(pdf: Uint8Array, signer: Signer, options: SignPdfOptions): Promise<Uint8Array> {
  const chain = await signer.certificateChain();
  const needed = chain.reduce((n, c) => n + c.byteLength, 0) + 4096 + (options.timestamp?.reserveBytes() ?? 0);
  const signed = await appendSignatureWith(
    pdf,
    { ...options, signatureLength: Math.max(options.signatureLength ?? 8192, needed) },
    detachedCms(signer, options.signingTimeAttribute ?? true, options.timestamp),
  );
  return options.validationData ? withValidationData(signed, chain, options.validationData) : signed;
}

/**
 * The signed PDF with the validation data of its last signature in the /DSS (PAdES B-LT): the signer's chain and
 * revocation data from `validationData`, the certificates of the signature's timestamp token, and a /VRI entry.
 */
async function withValidationData(
  signed: Uint8Array,
  chain: readonly Uint8Array[],
  validationData: (chain: readonly Uint8Array[]) => Promise<ValidationData>,
): Promise<Uint8Array> {
  const data = await validationData(chain);
  const field = findSignatureFields(signed).at(-1)!;
  const certs = [...data.certs, ...timestampTokenCertificates(field.contents)];
  return appendValidationData(signed, { ...data, certs }, [field.contents]);
}

/** Fixed width of the /ByteRange array, so that filling in the numbers moves no byte. */
const BYTE_RANGE_PLACEHOLDER = '[0 0000000000 0000000000 0000000000]';

/**
 * Appends one signature as an incremental update (`IncrementalUpdate`): the signature dictionary with a
 * /ByteRange and a zero-filled /Contents placeholder, an invisible widget on the first page that is also the
 * field (/FT /Sig, /T "SignatureN"), the page's /Annots and the AcroForm's /Fields with /SigFlags 3; then fills
 * /ByteRange (everything but the /Contents string) and writes the CMS from `makeCms` into /Contents.
 */
export async function appendSignatureWith(
  pdf: Uint8Array,
  options: SignPdfOptions,
  makeCms: CmsMaker,
): Promise<Uint8Array> {
  // Whole seconds: /M has second precision, and the CMS signingTime should state the same instant.
  const signingTime = new Date(Math.floor(options.signingTime.getTime() / 1000) * 1000);
  const signatureLength = options.signatureLength ?? 8192;
  const update = IncrementalUpdate.open(pdf);
  const catalog = update.dict(update.root, 'katalog dokumen (/Root)');
  const pageRef = firstPage(update, catalog);
  const page = update.dict(pageRef, 'halaman pertama');

  const contentsPlaceholder = `<${'0'.repeat(signatureLength * 2)}>`;
  const signature = new PdfDict([
    ['Type', pdfName('Sig')],
    ['Filter', pdfName('Adobe.PPKLite')],
    ['SubFilter', pdfName('ETSI.CAdES.detached')],
    ['ByteRange', new PdfAtom(BYTE_RANGE_PLACEHOLDER)],
    ['Contents', new PdfAtom(contentsPlaceholder)],
    ['M', pdfText(pdfDate(signingTime))],
    ['Name', pdfText(options.name)],
    ['Reason', pdfText(options.reason)],
    ['Location', pdfText(options.location)],
    ['ContactInfo', pdfText(options.contactInfo)],
    [
      'Prop_Build',
      new PdfDict([
        ['Filter', new PdfDict([['Name', pdfName('Adobe.PPKLite')]])],
        ['App', new PdfDict([['Name', pdfName('Sepakat')]])],
      ]),
    ],
  ]);
  const signatureRef = update.add(signature);

  const formValue = catalog.get('AcroForm');
  const form = formValue === undefined ? new PdfDict() : update.dict(formValue, '/AcroForm pada katalog');
  const fields = arrayOf(update, form.get('Fields'), '/Fields pada /AcroForm');
  const taken = new Set(
    fields.map((field) => {
      const dict = update.resolve(field);
      return dict instanceof PdfDict ? textOf(dict.get('T')) : undefined;
    }),
  );
  let n = fields.length + 1;
  while (taken.has(`Signature${n}`)) n++;
  const widgetRef = update.add(
    new PdfDict([
      ['Type', pdfName('Annot')],
      ['Subtype', pdfName('Widget')],
      ['FT', pdfName('Sig')],
      ['Rect', [pdfNumber(0), pdfNumber(0), pdfNumber(0), pdfNumber(0)]],
      ['V', signatureRef],
      ['T', pdfText(`Signature${n}`)],
      ['F', pdfNumber(4)],
      ['P', pageRef],
    ]),
  );
  const newForm = form.with('Fields', [...fields, widgetRef]).with('SigFlags', pdfNumber(3));
  if (formValue instanceof PdfRef) update.replace(formValue, newForm);
  else update.replace(update.root, catalog.with('AcroForm', update.add(newForm)));
  update.replace(
    pageRef,
    page.with('Annots', [...arrayOf(update, page.get('Annots'), '/Annots halaman pertama'), widgetRef]),
  );

  const { bytes, bodyOffsets } = update.save();
  const body = bodyOffsets.get(signatureRef.num)!;
  const text = signature.toString();
  const byteRangeAt = body + text.indexOf(BYTE_RANGE_PLACEHOLDER);
  const gapStart = body + text.indexOf(contentsPlaceholder);
  const gapEnd = gapStart + contentsPlaceholder.length;
  const byteRange = `[0 ${gapStart} ${gapEnd} ${bytes.length - gapEnd}]`.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' ');
  bytes.set(Buffer.from(byteRange, 'latin1'), byteRangeAt);

  const cms = await makeCms([bytes.subarray(0, gapStart), bytes.subarray(gapEnd)], signingTime);
  if (cms.length > signatureLength) {
    throw new SepakatError(
      ErrorNames.BadInput,
      `Tanda tangan (${cms.length} byte) lebih besar dari ruang /Contents yang disediakan (${signatureLength} byte).`,
      { code: 'TandaTanganTerlaluBesar' },
    );
  }
  bytes.set(Buffer.from(Buffer.from(cms).toString('hex'), 'latin1'), gapStart + 1);
  return bytes;
}

/** The first page: down the page tree from the catalog's /Pages, always the first kid. */
function firstPage(update: IncrementalUpdate, catalog: PdfDict): PdfRef {
  let node: PdfValue | undefined = catalog.get('Pages');
  for (let depth = 0; depth < 64; depth++) {
    if (!(node instanceof PdfRef)) break;
    const dict = update.dict(node, 'pohon halaman (/Pages)');
    const kids = dict.get('Kids');
    if (kids === undefined && nameOf(dict.get('Type')) !== 'Pages') return node;
    const first = arrayOf(update, kids, '/Kids pada pohon halaman')[0];
    if (first === undefined) break;
    node = first;
  }
  throw new SepakatError(ErrorNames.BadInput, 'Dokumen tidak memiliki halaman yang dapat ditandatangani.', {
    code: 'TanpaHalaman',
  });
}

function arrayOf(update: IncrementalUpdate, value: PdfValue | undefined, what: string): readonly PdfValue[] {
  if (value === undefined) return [];
  const resolved = update.resolve(value);
  if (resolved === undefined) return [];
  if (!Array.isArray(resolved)) {
    throw new SepakatError(ErrorNames.BadInput, `Struktur berkas PDF tidak dapat dibaca: ${what} bukan array.`, {
      code: 'PdfTidakTerbaca',
    });
  }
  return resolved as readonly PdfValue[];
}

/** A PDF date in UTC, "D:20261123020000Z". */
function pdfDate(time: Date): string {
  return `D:${time.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}
