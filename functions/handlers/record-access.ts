import { recordAccess, type Principal } from '../../core/access/access.ts';
import type { MessageModel } from './web-context.ts';

/**
 * The records of a pemda that a route's path (or a POST's form) names by id. A record of another pemda answers
 * exactly as an unknown id: the kind's 404 page below, the same for both, echoing no id.
 */
export const RECORD_KINDS = ['kasus', 'tugas', 'dokumen', 'berkas', 'entri-register', 'perjanjian'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/**
 * What one group of a route's pattern names:
 * - a `RecordKind`: a pemda's record, answered through `WebContext.guard`;
 * - `tautan`: a capability link (a task, tracking, monitoring or receipt link): the link is the authority, with no
 *   session, so there is no principal's pemda to compare;
 * - `publik`: the id of a signed document on the public verification page (its QR code is printed on the naskah);
 * - a plain value that names no record by itself: `tahun` (of the principal's own pemda), `format` (csv, pdf),
 *   `cara` (lihat, unduh), `urutan` (a position in a list the link already scopes).
 */
export type RouteParam = RecordKind | 'tautan' | 'publik' | 'tahun' | 'format' | 'cara' | 'urutan';

export const isRecordKind = (param: RouteParam): param is RecordKind =>
  (RECORD_KINDS as readonly string[]).includes(param);

/** The page of an unknown record, per kind: also the page of another pemda's record. */
export const NOT_FOUND: Record<RecordKind, MessageModel> = {
  kasus: { judul: 'Kasus tidak ditemukan', pesan: 'Nomor kasus yang Anda buka tidak ada.' },
  tugas: { judul: 'Tugas tidak ditemukan', pesan: 'Tugas itu tidak ada pada kasus ini.' },
  dokumen: { judul: 'Dokumen tidak ditemukan', pesan: 'Dokumen yang diminta tidak ada.' },
  berkas: { judul: 'Berkas tidak ditemukan', pesan: 'Berkas yang diminta tidak ada pada kasus ini.' },
  'entri-register': {
    judul: 'Entri register tidak ditemukan',
    pesan: 'Tidak ada entri register dengan alamat ini di arsip pemerintah daerah Anda.',
  },
  perjanjian: {
    judul: 'Perjanjian tidak ditemukan',
    pesan: 'Perjanjian yang diminta tidak ada di register perjanjian pemerintah daerah Anda.',
  },
};

const DENIED = 'Peran atau unit kerja Anda tidak memberi akses ke halaman ini. Hubungi administrator bila perlu.';

/**
 * The answer for a record a route names (`recordAccess`): `boleh` when the principal may go on, else the page to
 * return — the kind's 404 (no such record, or another pemda's) or 403 with `pesan` (their pemda's, not their role's).
 */
export async function guardRecord(
  principal: Principal,
  kind: RecordKind,
  recordPemdaId: string | undefined,
  may: () => boolean | Promise<boolean>,
  pesan = DENIED,
): Promise<'boleh' | { status: 404 | 403; model: MessageModel }> {
  const access = await recordAccess(principal, recordPemdaId, may);
  if (access === 'tidak-ada') return { status: 404, model: NOT_FOUND[kind] };
  if (access === 'ditolak') return { status: 403, model: { judul: 'Akses ditolak', pesan } };
  return 'boleh';
}
