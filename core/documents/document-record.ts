import { createHash } from 'node:crypto';

/**
 * A stored document: the record that names *the* document of a purpose (case, activation, kind). Documents are never
 * overwritten: an object key ends in the SHA-256 of its bytes, and the record is one conditional put, so a retried or
 * concurrent store finds the first record (the adapter: functions/adapters/document-store.ts).
 */
export interface DocumentRecord {
  docId: string;
  caseId: string;
  /** The pemda whose register the document's number belongs to. */
  pemdaId?: string;
  /** What the document is: 'naskah', 'nota-dinas', 'undangan', 'arsip-pindai', … */
  kind: string;
  /** Why it exists, unique per document (e.g. `${caseId}#${seq}#naskah`). */
  purpose: string;
  bucket: string;
  key: string;
  sha256: string;
  size: number;
  contentType: string;
  fileName: string;
  createdAt: string;
  /** Template version and the data it was rendered from (generated documents). */
  templateVersion?: string;
  dataSha256?: string;
  /** The data it was rendered from, as JSON beside the document (same bucket, never overwritten either). */
  dataKey?: string;
  /** Archive: the register number this copy belongs to, and whether it is the original. */
  nomor?: string;
  /**
   * The copy of a registered document (one stored with a number) kept in the Object Lock archive bucket, beside the
   * working copy: same bytes (same SHA-256), written before this record, once per document version.
   */
  arsip?: { bucket: string; key: string };
  asli?: boolean;
  meta?: Record<string, string | number | boolean>;
  /** The images of its pages (a document shown on a signing page), stored beside it, each checked when read. */
  halaman?: StoredPageImage[];
}

/** One page image stored beside its document (same bucket, a key holding its hash, never overwritten). */
export interface StoredPageImage {
  key: string;
  sha256: string;
  width: number;
  height: number;
}

/** What storing a document is given. */
export interface StoreDocumentInput {
  caseId: string;
  pemdaId?: string;
  kind: string;
  purpose: string;
  bucket: string;
  bytes: Uint8Array;
  contentType: string;
  fileName: string;
  at: Date;
  templateVersion?: string;
  data?: unknown;
  nomor?: string;
  asli?: boolean;
  meta?: Record<string, string | number | boolean>;
  /** The data of the document these bytes were made from (a signed copy of a rendered PDF): named, not copied. */
  dataOf?: Pick<DocumentRecord, 'dataSha256' | 'dataKey'>;
  /** Images of its pages (PNG), stored beside it before its record. */
  pageImages?: { png: Uint8Array; width: number; height: number }[];
}

/** The id of the document of a purpose: the same purpose always names the same record. */
export const docIdFor = (purpose: string) =>
  createHash('sha256').update(`dokumen|${purpose}`).digest('base64url').slice(0, 22);

/**
 * The record of a document stored from `input` under `key` (its bytes hashing to `sha256`): the one shape every
 * document store writes, the DynamoDB adapter and the in-memory port of the tests alike.
 */
export function documentRecordOf(
  input: StoreDocumentInput,
  stored: {
    key: string;
    sha256: string;
    data?: { sha256: string; key?: string };
    halaman?: StoredPageImage[];
    arsip?: { bucket: string; key: string };
  },
): DocumentRecord {
  return {
    docId: docIdFor(input.purpose),
    caseId: input.caseId,
    ...(input.pemdaId ? { pemdaId: input.pemdaId } : {}),
    kind: input.kind,
    purpose: input.purpose,
    bucket: input.bucket,
    key: stored.key,
    sha256: stored.sha256,
    size: input.bytes.length,
    contentType: input.contentType,
    fileName: input.fileName,
    createdAt: input.at.toISOString(),
    ...(input.templateVersion ? { templateVersion: input.templateVersion } : {}),
    ...(stored.data
      ? { dataSha256: stored.data.sha256, ...(stored.data.key ? { dataKey: stored.data.key } : {}) }
      : {}),
    ...(input.nomor ? { nomor: input.nomor } : {}),
    ...(input.asli !== undefined ? { asli: input.asli } : {}),
    ...(input.meta ? { meta: input.meta } : {}),
    ...(stored.halaman?.length ? { halaman: stored.halaman } : {}),
    ...(stored.arsip ? { arsip: stored.arsip } : {}),
  };
}

/** Where the image of page `index` (0-based) of the document stored under `key` lives: beside it, named by its hash. */
export const pageImageKey = (key: string, index: number, sha256: string) =>
  `${key}.halaman-${String(index + 1).padStart(3, '0')}-${sha256}.png`;
