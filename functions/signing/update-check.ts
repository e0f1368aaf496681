import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, type PDFObject } from 'pdf-lib';

/**
 * Whether an incremental update left the signed document's pages as they were: the same number of pages, and on
 * each page the same content streams (bytes) and the same resources. What a counter-signature may add (the
 * signature field and its widget in the page's /Annots, the AcroForm, DSS) is not page content, so it passes; an
 * update that draws over a page, swaps its content or resources, or adds or removes pages does not.
 *
 * A valid signature over such an update proves only that its signer signed the altered file: the first signature
 * still verifies over its own revision, which is why verifiers (and we) must look at what came after it.
 */
export async function pagesUnchanged(original: Uint8Array, updated: Uint8Array): Promise<PageCheck> {
  const [before, after] = await Promise.all([load(original), load(updated)]);
  if (!before || !after) return { unchanged: false, reason: 'berkas PDF tidak dapat dibaca' };
  const a = before.getPages();
  const b = after.getPages();
  if (a.length !== b.length) return { unchanged: false, reason: `jumlah halaman berubah (${a.length} → ${b.length})` };
  for (let i = 0; i < a.length; i++) {
    const pa = a[i]!.node;
    const pb = b[i]!.node;
    if (fingerprint(before, pa.get(PDFName.of('Contents'))) !== fingerprint(after, pb.get(PDFName.of('Contents'))))
      return { unchanged: false, reason: `isi halaman ${i + 1} berubah setelah tanda tangan pertama` };
    if (fingerprint(before, pa.get(PDFName.of('Resources'))) !== fingerprint(after, pb.get(PDFName.of('Resources'))))
      return { unchanged: false, reason: `sumber daya halaman ${i + 1} berubah setelah tanda tangan pertama` };
  }
  return { unchanged: true };
}

export type PageCheck = { unchanged: true } | { unchanged: false; reason: string };

async function load(bytes: Uint8Array): Promise<PDFDocument | undefined> {
  try {
    return await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: false });
  } catch {
    return undefined;
  }
}

/**
 * A deep, reference-resolved rendering of an object: dictionaries by sorted key, arrays in order, streams by their
 * dictionary and raw bytes. Object numbers do not matter (an update may renumber nothing here, but this is robust).
 */
function fingerprint(doc: PDFDocument, object: PDFObject | undefined, depth = 0, seen = new Set<string>()): string {
  if (object === undefined) return '∅';
  if (depth > 40) return '…';
  if (object instanceof PDFRef) {
    const key = object.toString();
    if (seen.has(key)) return `↺${key}`;
    seen.add(key);
    const out = fingerprint(doc, doc.context.lookup(object), depth + 1, seen);
    seen.delete(key);
    return out;
  }
  if (object instanceof PDFRawStream) {
    const dict = fingerprint(doc, object.dict, depth + 1, seen);
    return `stream(${dict})[${Buffer.from(object.contents).toString('base64')}]`;
  }
  if (object instanceof PDFDict) {
    const entries = [...object.entries()]
      .map(([k, v]) => [k.toString(), fingerprint(doc, v, depth + 1, seen)] as const)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `<<${entries.map(([k, v]) => `${k} ${v}`).join(' ')}>>`;
  }
  if (object instanceof PDFArray)
    return `[${object
      .asArray()
      .map((v) => fingerprint(doc, v, depth + 1, seen))
      .join(' ')}]`;
  return object.toString();
}
