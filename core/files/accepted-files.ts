import { createHash } from 'node:crypto';
import { ErrorNames, SepakatError } from '../errors.ts';
import type { StoredFile } from '../case/model.ts';
import type { Field } from '../sop/schema.ts';
import { CONTENT_TYPES, KIND_LABELS, safeFileName, sniffKind } from './sniff.ts';

/**
 * Files people upload, from the presigned PUT to the bytes everyone later reads.
 *
 * A browser PUTs a file to a key the product presigned (at most 15 minutes, for exactly the declared size and
 * content type). That key stays writable while its URL lives, so it is never what the case points at: once the
 * file passes its checks (size, type by content), the very bytes that were checked are written once to a key that
 * ends in their SHA-256 and that no presigned URL ever names (`putOnce`, a conditional create). The case records
 * that key and the hash, and every reader — task pages, the console, automatic steps, the archive, the partner's
 * copy — gets the bytes through `readAccepted` or a link from `acceptedFileUrl`, both of which refuse bytes whose
 * hash is not the recorded one (an object changed behind the product's back).
 */
export interface FileStore {
  /**
   * A presigned PUT for exactly `size` bytes of `contentType` (both signed: any other body or type is refused by
   * S3), valid `expiresSeconds` (at most {@link MAX_PRESIGN_SECONDS}).
   */
  presignUpload(
    bucket: string,
    key: string,
    upload: { contentType: string; size: number; expiresSeconds: number },
  ): Promise<string>;
  /** The whole object, or undefined when it does not exist; refused above `maxBytes` without reading it. */
  read(bucket: string, key: string, maxBytes: number): Promise<Uint8Array | undefined>;
  /**
   * Writes `bytes` under `key` unless the key exists (a conditional create); when it exists, its bytes must hash to
   * `sha256`, or the key was written by someone else and is refused. Returns the object's version where the bucket
   * keeps versions (S3 with versioning), which pins every later read to these bytes.
   */
  putOnce(
    bucket: string,
    key: string,
    bytes: Uint8Array,
    meta: { contentType: string; sha256: string },
  ): Promise<{ versionId?: string }>;
  /** An accepted file's bytes; a {@link ErrorNames.Tampered} error when they are not the bytes accepted. */
  readAccepted(file: StoredFile, maxBytes: number): Promise<Uint8Array>;
  /**
   * A short-lived GET link to an accepted file, handed out only after its bytes were read and their hash checked
   * (pinned to the recorded version where there is one), served with the recorded content type.
   */
  acceptedFileUrl(file: StoredFile, expiresSeconds: number, disposition?: 'attachment' | 'inline'): Promise<string>;
  head(bucket: string, key: string): Promise<{ size: number } | undefined>;
  /** Every key under a prefix, with its last-modified time. */
  list(bucket: string, prefix: string): Promise<{ key: string; lastModified?: Date }[]>;
  /** Moves an object aside (copy then delete), keeping the reason with it. */
  quarantine(bucket: string, key: string, toKey: string, reason: string): Promise<void>;
  remove(bucket: string, key: string): Promise<void>;
  getText(bucket: string, key: string, maxBytes: number): Promise<string | undefined>;
  putText(bucket: string, key: string, text: string, contentType: string): Promise<void>;
}

/** No presigned upload lives longer than this. */
export const MAX_PRESIGN_SECONDS = 15 * 60;

/** Where the accepted bytes of an upload live: the SHA-256 is the last part of the key. */
export const acceptedKey = (prefix: string, sha256: string) => `${prefix}${sha256}`;

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Refuses bytes that are not those a file was accepted with. */
export function checkAccepted(file: Pick<StoredFile, 'sha256' | 'name' | 'key'>, bytes: Uint8Array): Uint8Array {
  if (!file.sha256 || sha256Hex(bytes) !== file.sha256)
    throw new SepakatError(
      ErrorNames.Tampered,
      `Berkas "${file.name}" tidak utuh: isinya tidak sama dengan yang diperiksa saat diterima (SHA-256 berbeda), ` +
        'sehingga tidak diberikan. Hubungi Bagian Kerja Sama.',
      { code: 'BerkasBerubah' },
    );
  return bytes;
}

export type AcceptedUpload = StoredFile | { error: string };

/**
 * Checks an uploaded object as one read (present, not empty, not too large, of a kind the field accepts by its
 * content, hashed) and keeps exactly those bytes under `${destination.prefix}<sha256>`. Errors name the field in
 * Indonesian and change nothing that anyone reads.
 */
export async function acceptUpload(
  files: FileStore,
  upload: { bucket: string; key: string; name: string },
  field: Pick<Field, 'id' | 'label' | 'accept'>,
  limits: { maxBytes: number },
  destination: { bucket: string; prefix: string },
): Promise<AcceptedUpload> {
  const name = safeFileName(upload.name.split('/').pop() ?? upload.name);
  let bytes: Uint8Array | undefined;
  try {
    bytes = await files.read(upload.bucket, upload.key, limits.maxBytes);
  } catch (error) {
    if ((error as { code?: string }).code === 'TerlaluBesar')
      return { error: `${field.label}: berkas "${name}" terlalu besar (paling besar ${formatBytes(limits.maxBytes)})` };
    throw error;
  }
  if (!bytes) return { error: `${field.label}: berkas "${name}" belum terunggah` };
  if (bytes.length === 0) return { error: `${field.label}: berkas "${name}" kosong` };
  const kind = sniffKind(bytes.subarray(0, 512), upload.name);
  if (!kind || !(field.accept ?? []).includes(kind))
    return { error: `${field.label}: isi berkas "${name}" bukan ${acceptLabel(field)}` };
  const sha256 = sha256Hex(bytes);
  const key = acceptedKey(destination.prefix, sha256);
  const contentType = CONTENT_TYPES[kind];
  const { versionId } = await files.putOnce(destination.bucket, key, bytes, { contentType, sha256 });
  return {
    slot: field.id,
    bucket: destination.bucket,
    key,
    name,
    contentType,
    size: bytes.length,
    sha256,
    ...(versionId ? { versionId } : {}),
  };
}

export const acceptLabel = (field: Pick<Field, 'accept'>) => (field.accept ?? []).map((k) => KIND_LABELS[k]).join(', ');

export function formatBytes(n: number): string {
  return n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toLocaleString('id-ID', { maximumFractionDigits: 1 })} MB`
    : `${Math.ceil(n / 1024)} KB`;
}
