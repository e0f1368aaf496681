import { createHash } from 'node:crypto';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { Signer as SignPdfSigner, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { PDFArray, PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import { buildDetachedCms } from './cms.ts';
import type { Signer } from './signer.ts';
import { findSignatureFields } from './verify.ts';

/**
 * PAdES B-B signatures on a PDF: `signPdf` for the first signature, `addSecondSignature` (and further ones) as an
 * incremental update that leaves every earlier signed byte untouched.
 *
 * The PDF is changed only before the first signature: `preparePdfForSigning` re-saves it with pdf-lib with a
 * classic cross-reference table (`useObjectStreams: false`, which @signpdf/placeholder-plain needs) and an AcroForm
 * dictionary that starts with `/Type /AcroForm` (placeholder-plain finds an existing form by that literal; without
 * it a second signature field would not be added to the form). After that, bytes are only appended.
 *
 * The signature dictionary: /Filter /Adobe.PPKLite, /SubFilter /ETSI.CAdES.detached, /ByteRange, /Contents (the
 * DER CMS from `buildDetachedCms`, zero-padded), /M, /Name, /Reason, /Location, /ContactInfo; an invisible widget
 * on the first page. The visible mark (QR code, footer citing UU ITE) belongs to the rendered document itself.
 */
export interface SignPdfOptions {
  readonly reason: string;
  readonly location: string;
  /** Signer's name in the signature dictionary (the certificate's name is what verifiers trust). */
  readonly name: string;
  readonly contactInfo: string;
  /** Claimed signing time (/M and the CMS signingTime attribute); default now. Not a trusted timestamp. */
  readonly signingTime?: Date;
  /** Bytes reserved for the CMS; default max(8192, chain size + 4096). */
  readonly signatureLength?: number;
  /**
   * Include the CMS signingTime signed attribute (default true). ETSI EN 319 142-1 (PAdES baseline) says it
   * shall not be present and the time goes in /M only; set false for strict PAdES B-B conformance.
   */
  readonly signingTimeAttribute?: boolean;
}

/** Re-saves a PDF for its first signature: classic xref, no object streams, an AcroForm that placeholder-plain finds. */
export async function preparePdfForSigning(pdf: Uint8Array): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const catalog = doc.catalog;
  const existing = catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  // /Type first and /Fields second: placeholder-plain reads the form's object number just before "/Type /AcroForm"
  // and the field list up to the first "]".
  const form = doc.context.obj({ Type: 'AcroForm' });
  form.set(PDFName.of('Fields'), existing?.lookupMaybe(PDFName.of('Fields'), PDFArray) ?? doc.context.obj([]));
  if (existing) {
    for (const [key, value] of existing.entries()) {
      if (key !== PDFName.of('Type') && key !== PDFName.of('Fields')) form.set(key, value);
    }
  }
  catalog.set(PDFName.of('AcroForm'), doc.context.register(form));
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
  return appendSignature(await preparePdfForSigning(pdf), signer, options);
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
  if (end !== signedPdf.length) {
    throw new SepakatError(
      ErrorNames.BadInput,
      'Ada perubahan setelah tanda tangan terakhir; dokumen tidak dapat ditandatangani lagi.',
      { code: 'PerubahanSetelahTandaTangan' },
    );
  }
  return appendSignature(signedPdf, signer, options);
}

class CmsSigner extends SignPdfSigner {
  constructor(
    private readonly signer: Signer,
    private readonly signingTime: Date,
    private readonly signingTimeAttribute: boolean,
  ) {
    super();
  }

  override async sign(pdfBuffer: Buffer): Promise<Buffer> {
    const contentDigest = new Uint8Array(createHash('sha256').update(pdfBuffer).digest());
    const cms = await buildDetachedCms({
      contentDigest,
      signer: this.signer,
      signingTime: this.signingTime,
      signingTimeAttribute: this.signingTimeAttribute,
    });
    return Buffer.from(cms.buffer, cms.byteOffset, cms.byteLength);
  }
}

async function appendSignature(pdf: Uint8Array, signer: Signer, options: SignPdfOptions): Promise<Uint8Array> {
  // Whole seconds: /M has second precision, and the CMS signingTime should state the same instant.
  const signingTime = new Date(Math.floor((options.signingTime ?? new Date()).getTime() / 1000) * 1000);
  const chain = await signer.certificateChain();
  const needed = chain.reduce((n, c) => n + c.byteLength, 0) + 4096;
  const withPlaceholder = plainAddPlaceholder({
    pdfBuffer: Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength),
    reason: pdfAscii(options.reason),
    location: pdfAscii(options.location),
    name: pdfAscii(options.name),
    contactInfo: pdfAscii(options.contactInfo),
    signingTime,
    signatureLength: Math.max(options.signatureLength ?? 8192, needed),
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'Sepakat',
  });
  const signed = await new SignPdf().sign(
    withPlaceholder,
    new CmsSigner(signer, signingTime, options.signingTimeAttribute ?? true),
  );
  return new Uint8Array(signed.buffer, signed.byteOffset, signed.byteLength);
}

/**
 * placeholder-plain writes non-ASCII text strings as UTF-16 and then appends them to the file as UTF-8, which
 * garbles them; so the dictionary's text fields are folded to ASCII ("Asép — Bagian" → "Asep - Bagian"). The
 * signer's exact name is in the certificate.
 */
export function pdfAscii(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019\u201A\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u2033]/g, '"')
    .replace(/[^\x20-\x7E]/g, '?');
}
