import type { FileKind } from '../sop/schema.ts';

/** Content types by kind, for presigned uploads and downloads. */
export const CONTENT_TYPES: Record<FileKind, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  doc: 'application/msword',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  png: 'image/png',
  jpeg: 'image/jpeg',
};

export const KIND_LABELS: Record<FileKind, string> = {
  pdf: 'PDF',
  docx: 'Word (.docx)',
  doc: 'Word 97-2003 (.doc)',
  xlsx: 'Excel (.xlsx)',
  png: 'PNG',
  jpeg: 'JPEG',
};

/**
 * Recognises a file by its first bytes, never by its name. A .docx and a .xlsx are both ZIP containers: the
 * first entry names which ([Content_Types].xml then word/ or xl/ parts); with only the head we accept a ZIP as
 * either when the declared name says which.
 */
export function sniffKind(head: Uint8Array, declaredName: string): FileKind | undefined {
  const b = Buffer.from(head);
  if (b.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])))
    return 'doc';
  if (b.length >= 4 && b.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    const name = declaredName.toLowerCase();
    if (name.endsWith('.xlsx')) return 'xlsx';
    if (name.endsWith('.docx')) return 'docx';
    const text = b.toString('latin1');
    if (text.includes('word/')) return 'docx';
    if (text.includes('xl/')) return 'xlsx';
  }
  return undefined;
}

/** A safe file name for object keys and downloads: letters, digits, dot, dash, underscore. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'berkas';
  const cleaned = base
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 100);
  return cleaned || 'berkas';
}

/** The kind a file name declares, if the field accepts it (a pre-upload check; the content is checked after). */
export function kindFromName(name: string, accept: readonly FileKind[]): FileKind | undefined {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  const kind = (ext === 'jpg' ? 'jpeg' : ext) as FileKind;
  return accept.includes(kind) ? kind : undefined;
}
