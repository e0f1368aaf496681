import { createHash } from 'node:crypto';
import type { TimeZone } from '../calendar/calendar-schema.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import { formatTanggal } from '../format/tanggal.ts';

/**
 * Paraf (initials approving a draft) on a naskah, and the content version they approve. Pure.
 *
 * A paraf approves one *content version*: SHA-256 over a canonical form of the naskah's text (title, parties,
 * opening, articles, closing, attachments). The paraf table and the signatures are not content, and neither are
 * the letter numbers and the place and date, which are filled in at numbering/signing time: numbering a naskah
 * does not void its parafs, editing a word of an article does.
 *
 * Paraf hierarki go up the chain of command, at most 3 officials, in rank order (1 = the lowest rank, the first
 * to initial; the signer signs after the last). Paraf koordinasi come from related units (Bagian Hukum for legal
 * texts) and are kept separately, without an order constraint.
 */

/** The most officials a paraf hierarki chain may hold (Tata Naskah Dinas). */
export const MAX_PARAF_HIERARKI = 3;

/** Names the canonical form, so a future change of the form can never collide with today's versions. */
export const CONTENT_VERSION_SCHEME = 'sepakat-naskah/v1';

export interface NaskahPihak {
  /** "PIHAK KESATU", "PIHAK KEDUA", … */
  readonly sebutan: string;
  readonly nama: string;
  readonly jabatan?: string;
  readonly instansi?: string;
  readonly alamat?: string;
}

export interface NaskahPasal {
  readonly nomor: string | number;
  readonly judul?: string;
  readonly ayat: readonly string[];
}

/**
 * The text content of a naskah. Only these fields enter the content version; anything else on the object (paraf
 * table, signatures, nomor, tanggal) is ignored by construction.
 */
export interface NaskahText {
  readonly judul: string;
  readonly pihak: readonly NaskahPihak[];
  /** Komparisi and recitals (dasar, "bahwa …"). */
  readonly pembukaan?: readonly string[];
  readonly pasal: readonly NaskahPasal[];
  readonly penutup?: readonly string[];
  readonly lampiran?: readonly string[];
}

/**
 * Unicode NFC, invisible characters removed, every run of white space (including no-break spaces and line breaks)
 * as one space, trimmed: re-flowing or re-typing the same words is not a change of content; any other edit is.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\u200B-\u200D\u2060\uFEFF\u00AD]/g, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** The canonical form hashed into the content version (a JSON array of fixed shape). */
export function canonicalNaskah(text: NaskahText): string {
  const t = (s: string | undefined) => normalizeText(s ?? '');
  const list = (xs: readonly string[] | undefined) => (xs ?? []).map(t);
  return JSON.stringify([
    CONTENT_VERSION_SCHEME,
    t(text.judul),
    text.pihak.map((p) => [t(p.sebutan), t(p.nama), t(p.jabatan), t(p.instansi), t(p.alamat)]),
    list(text.pembukaan),
    text.pasal.map((p) => [t(String(p.nomor)), t(p.judul), list(p.ayat)]),
    list(text.penutup),
    list(text.lampiran),
  ]);
}

/** "sha256:<64 hex>" over the canonical form. */
export function contentVersion(text: NaskahText): string {
  return `sha256:${createHash('sha256').update(canonicalNaskah(text), 'utf8').digest('hex')}`;
}

/** The first 12 hex digits, for people ("versi isi a1b2c3d4e5f6"). */
export function shortContentVersion(version: string): string {
  return version.replace(/^sha256:/, '').slice(0, 12);
}

export type ParafKind = 'hierarki' | 'koordinasi';

export interface Pejabat {
  readonly nama: string;
  readonly jabatan: string;
  readonly nip?: string;
}

export interface ParafRecord {
  readonly who: Pejabat;
  /** ISO 8601 instant. */
  readonly when: string;
  /** The content version the official saw and initialled. */
  readonly contentVersion: string;
  readonly kind: ParafKind;
  /** Hierarki: position in the chain, 1 = lowest rank (initials first) … 3. Koordinasi: display order. */
  readonly order: number;
}

export type ParafVoidReason =
  /** The paraf approved another content version. */
  | 'isi-berubah'
  /** Same content version, but the content changed after it (and back): the chain restarted after it. */
  | 'sebelum-perubahan'
  /** A hierarki paraf out of rank order (a higher rank before a lower one). */
  | 'urutan-salah'
  /** Beyond the 3 (or the required number of) hierarki positions. */
  | 'melebihi-batas'
  /** The official (or the position) had already initialled this content version. */
  | 'sudah-diparaf';

export interface VoidParaf {
  readonly record: ParafRecord;
  readonly reason: ParafVoidReason;
}

export interface ParafChainOptions {
  /** Hierarki positions the document needs (1–3); default 3. */
  readonly hierarkiRequired?: number;
  /**
   * When the current content version came into force, if known (ISO instant): parafs before it are void even if
   * they carry the same version (content changed and changed back with nobody initialling in between), and a
   * stale paraf on an old version after it is void without restarting the chain. Without it, the restart point
   * is inferred from the last paraf made on another version, conservatively: such a paraf after valid ones
   * restarts the chain (so the paraf step should refuse a paraf on a version that is not current).
   */
  readonly contentSince?: string;
}

export interface ParafChainState {
  readonly contentVersion: string;
  /** Valid hierarki parafs, position 1, 2, … without gaps. */
  readonly hierarki: readonly ParafRecord[];
  /** Valid koordinasi parafs, one per official, by `order` then time. */
  readonly koordinasi: readonly ParafRecord[];
  /** The hierarki position whose paraf is awaited next; null when the chain is complete. */
  readonly nextHierarkiOrder: number | null;
  readonly hierarkiRequired: number;
  readonly hierarkiComplete: boolean;
  /** Every record that does not count, with why, in time order. */
  readonly voided: readonly VoidParaf[];
  /** The time of the last record that shows a change of content (the chain restarted after it). */
  readonly restartedAfter?: string;
}

/** Who a paraf is by: the NIP when known, else name and jabatan. */
export function pejabatKey(p: Pejabat): string {
  return p.nip
    ? `nip:${p.nip.replace(/\s+/g, '')}`
    : `nama:${normalizeText(p.nama).toLowerCase()}|${normalizeText(p.jabatan).toLowerCase()}`;
}

function checkHierarkiRequired(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARAF_HIERARKI) {
    throw new SepakatError(
      ErrorNames.InvalidDefinition,
      `Paraf hierarki paling banyak ${MAX_PARAF_HIERARKI} pejabat (diminta ${n}).`,
    );
  }
  return n;
}

/**
 * Which parafs count for the current content. In time order: a change of content voids every earlier paraf and
 * restarts the chain (see `ParafChainOptions.contentSince` for how the change is known); after it, hierarki
 * parafs count only in rank order (1, 2, 3), at most `hierarkiRequired`; koordinasi parafs count once per official.
 */
export function parafChainState(
  records: readonly ParafRecord[],
  currentContentVersion: string,
  options: ParafChainOptions = {},
): ParafChainState {
  const required = checkHierarkiRequired(options.hierarkiRequired ?? MAX_PARAF_HIERARKI);
  const since = options.contentSince === undefined ? undefined : Date.parse(options.contentSince);
  const timed = records.map((record, i) => ({ record, i, t: Date.parse(record.when) }));
  for (const { record, t } of timed) {
    if (!Number.isFinite(t)) throw new SepakatError(ErrorNames.BadInput, `Waktu paraf tidak sah: ${record.when}`);
  }
  const chrono = timed.sort((a, b) => a.t - b.t || a.i - b.i);

  // The restart point: known when the caller says when the current version came into force; otherwise inferred,
  // conservatively, from the last record made on another version (the content was different then).
  let cut = -1;
  chrono.forEach((x, i) => {
    if (since !== undefined ? x.t < since : x.record.contentVersion !== currentContentVersion) cut = i;
  });

  const voided: VoidParaf[] = [];
  const hierarki: ParafRecord[] = [];
  const hierarkiWho = new Set<string>();
  const koordinasi: { record: ParafRecord; t: number }[] = [];
  const koordinasiWho = new Set<string>();

  chrono.forEach(({ record, t }, i) => {
    if (record.contentVersion !== currentContentVersion) {
      voided.push({ record, reason: 'isi-berubah' });
      return;
    }
    if (i <= cut) {
      voided.push({ record, reason: 'sebelum-perubahan' });
      return;
    }
    const who = pejabatKey(record.who);
    if (record.kind === 'koordinasi') {
      if (koordinasiWho.has(who)) voided.push({ record, reason: 'sudah-diparaf' });
      else {
        koordinasiWho.add(who);
        koordinasi.push({ record, t });
      }
      return;
    }
    const expected = hierarki.length + 1;
    if (!Number.isInteger(record.order) || record.order < 1 || record.order > required) {
      voided.push({ record, reason: 'melebihi-batas' });
    } else if (record.order < expected || hierarkiWho.has(who)) {
      voided.push({ record, reason: 'sudah-diparaf' });
    } else if (record.order !== expected) {
      voided.push({ record, reason: 'urutan-salah' });
    } else {
      hierarki.push(record);
      hierarkiWho.add(who);
    }
  });

  const complete = hierarki.length >= required;
  const restartedAfter = options.contentSince ?? (cut >= 0 ? chrono[cut]!.record.when : undefined);
  return {
    contentVersion: currentContentVersion,
    hierarki,
    koordinasi: koordinasi.sort((a, b) => a.record.order - b.record.order || a.t - b.t).map((k) => k.record),
    nextHierarkiOrder: complete ? null : hierarki.length + 1,
    hierarkiRequired: required,
    hierarkiComplete: complete,
    voided,
    ...(restartedAfter === undefined ? {} : { restartedAfter }),
  };
}

export interface ParafTableRow {
  readonly no: number;
  readonly jabatan: string;
  readonly nama: string;
  readonly nip?: string;
  readonly sudah: boolean;
  /** Initials shown in the paraf cell once initialled ("AS"). */
  readonly inisial?: string;
  /** "23 November 2026" once initialled. */
  readonly tanggal?: string;
}

/** The paraf table on the final page, beside the signer. */
export interface ParafTableView {
  readonly hierarki: readonly ParafTableRow[];
  readonly koordinasi: readonly ParafTableRow[];
  /** Short content version the parafs approve, printed under the table. */
  readonly versiIsi: string;
  readonly lengkap: boolean;
}

/**
 * Initials of a name without academic or religious titles: "Drs. H. Ahmad Syafii, M.Si." → "AS".
 * Titles are recognised as words ending in a period; everything after the first comma is a title.
 */
export function inisial(nama: string): string {
  const words = normalizeText(nama.split(',')[0] ?? '')
    .split(' ')
    .filter((w) => w && !w.endsWith('.'));
  return words
    .slice(0, 3)
    .map((w) => w[0]!.toUpperCase())
    .join('');
}

export interface ParafTableOptions {
  /** The hierarki chain the document expects, lowest rank first (at most 3): rows for those still to initial. */
  readonly hierarki?: readonly Pejabat[];
  /** The koordinasi units the document expects. */
  readonly koordinasi?: readonly Pejabat[];
  readonly timeZone: TimeZone;
}

export function parafTableView(state: ParafChainState, options: ParafTableOptions): ParafTableView {
  const expectedH = options.hierarki ?? [];
  if (expectedH.length > MAX_PARAF_HIERARKI) checkHierarkiRequired(expectedH.length);
  const done = (r: ParafRecord, no: number): ParafTableRow => ({
    no,
    jabatan: r.who.jabatan,
    nama: r.who.nama,
    ...(r.who.nip ? { nip: r.who.nip } : {}),
    sudah: true,
    inisial: inisial(r.who.nama),
    tanggal: formatTanggal(new Date(r.when), options.timeZone),
  });
  const pending = (p: Pejabat, no: number): ParafTableRow => ({
    no,
    jabatan: p.jabatan,
    nama: p.nama,
    ...(p.nip ? { nip: p.nip } : {}),
    sudah: false,
  });

  const hierarki: ParafTableRow[] = [];
  const rowsH = Math.max(state.hierarki.length, expectedH.length);
  for (let i = 0; i < rowsH; i++) {
    const r = state.hierarki[i];
    hierarki.push(r ? done(r, i + 1) : pending(expectedH[i]!, i + 1));
  }

  const validK = new Map(state.koordinasi.map((r) => [pejabatKey(r.who), r]));
  const koordinasi: ParafTableRow[] = [];
  for (const p of options.koordinasi ?? []) {
    const r = validK.get(pejabatKey(p));
    validK.delete(pejabatKey(p));
    koordinasi.push(r ? done(r, koordinasi.length + 1) : pending(p, koordinasi.length + 1));
  }
  for (const r of validK.values()) koordinasi.push(done(r, koordinasi.length + 1));

  return {
    hierarki,
    koordinasi,
    versiIsi: shortContentVersion(state.contentVersion),
    lengkap: state.hierarkiComplete && [...hierarki, ...koordinasi].every((r) => r.sudah),
  };
}
