import type { TimeZone } from '../calendar/calendar-schema.ts';
import type { HistoryEvent } from '../case/model.ts';
import { huruf } from '../documents/common.ts';
import { formatTanggalWaktu } from '../format/tanggal.ts';
import { actedVersions, pickComparisonBase, type ComparisonBase } from './comparison-base.ts';
import {
  countEntries,
  countsInWords,
  diffNaskah,
  summarizeDiff,
  type EntryStatus,
  type ItemDiff,
  type Moved,
  type NaskahDiff,
  type PasalDiff,
  type TextDiff,
} from './diff.ts';
import type { NaskahContent } from './content.ts';
import { versionsIn, type NaskahAuthor } from './versions.ts';

/**
 * What a reviewer is shown of a diff (the task page's partial `templates/pages/partials/naskah-perubahan.hbs` and the
 * printed Lembar Perbandingan Naskah, `templates/exports/perbandingan-naskah.hbs`): every word, number and label is
 * decided here, so the templates only loop and mark. Pure.
 *
 * Pasal are numbered as in the newer version; a deleted pasal carries its old number ("Pasal 4 lama"); a moved one
 * says from where to where ("dipindah dari Pasal 4 ke Pasal 6"). Only the pasal that changed are shown in full; the
 * others are named in one line. Inside a changed pasal every ayat is shown, the unchanged ones plain.
 */

export interface SegmentView {
  teks: string;
  tambah: boolean;
  hapus: boolean;
}

/** A line of a text: its first line, then its butir (an ayat's lines after the first). */
export interface LineView {
  butir: boolean;
  segmen: SegmentView[];
}

export interface TextView {
  baris: LineView[];
}

/** How an entry is marked (its CSS class). */
export type Tanda = 'tetap' | 'diubah' | 'baru' | 'dihapus' | 'dipindah';

export interface ItemView {
  /** "(2)", "b.", "3."; "(2) lama" for a deleted one; null for the only ayat of a pasal. */
  nomor: string | null;
  tanda: Tanda;
  /** "baru", "dihapus", "dipindah dari ayat (1) ke ayat (3)", "diubah"; null when unchanged. */
  label: string | null;
  teks: TextView;
  en: TextView | null;
}

export interface PasalView {
  /** "Pasal 6" (as in the newer version), "Pasal 4 lama" for a deleted one. */
  nomor: string;
  tanda: Tanda;
  label: string;
  /** The ayat-level counts of a changed pasal ("1 ayat baru, 1 ayat diubah"). */
  rincian: string | null;
  judul: TextView;
  judulEn: TextView | null;
  mengubah: TextView | null;
  ayat: ItemView[];
}

export interface VersionInfo {
  versi: number;
  /** When it was saved (ISO); absent for version 0, the outline. */
  at?: string;
  by?: Pick<NaskahAuthor, 'nama' | 'jabatan'>;
}

export interface PerubahanView {
  /** The two version numbers compared (equal when nothing changed since the reviewer acted). */
  versiSebelum: number;
  versiSesudah: number;
  judul: string;
  /** One sentence: which version is compared with which, and why that one. */
  perbandingan: string;
  /** Each version, newer first: "Versi 5 (sekarang)" → "disimpan … oleh …". */
  versi: { label: string; nilai: string }[];
  ringkasan: string;
  adaPerubahan: boolean;
  jenis: string | null;
  tentang: { teks: TextView; en: TextView | null } | null;
  induk: { label: string; nilai: TextView }[] | null;
  pertimbangan: ItemView[] | null;
  dasar: ItemView[] | null;
  pasal: PasalView[];
  /** "Pasal 1–3, 5 dan 7 tidak berubah."; null when every pasal changed. */
  pasalTetap: string | null;
  /** The legend of the marks, for the page and the print. */
  keterangan: string;
}

// ─── Texts ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** A text diff as lines (split at its line breaks), each a list of marked runs. */
export function textView(d: TextDiff): TextView {
  const baris: LineView[] = [{ butir: false, segmen: [] }];
  for (const s of d.segments) {
    s.text.split('\n').forEach((part, i) => {
      if (i > 0) baris.push({ butir: true, segmen: [] });
      const teks = i > 0 ? part.replace(/^[ \t]+/, '') : part;
      if (teks) baris.at(-1)!.segmen.push({ teks, tambah: s.op === 'insert', hapus: s.op === 'delete' });
    });
  }
  return { baris: baris.filter((b, i) => i === 0 || b.segmen.length > 0) };
}

const optionalText = (d: TextDiff | undefined): TextView | null => (d ? textView(d) : null);

// ─── Entries ───────────────────────────────────────────────────────────────────────────────────────────────────

function tandaOf(e: { status: EntryStatus; moved?: Moved }): Tanda {
  if (e.status === 'inserted') return 'baru';
  if (e.status === 'deleted') return 'dihapus';
  if (e.moved) return 'dipindah';
  return e.status === 'changed' ? 'diubah' : 'tetap';
}

type Numbering = (n: number) => string;
const ayatNo: Numbering = (n) => `(${n})`;
const hurufNo: Numbering = (n) => `${huruf(n)}.`;
const angkaNo: Numbering = (n) => `${n}.`;

function itemView(
  x: ItemDiff,
  no: Numbering,
  what: (n: number) => string,
  options: { numbered: boolean; labelled: boolean },
): ItemView {
  const tanda = tandaOf(x);
  const nomor = !options.numbered ? null : x.status === 'deleted' ? `${no(x.beforeNo!)} lama` : no(x.afterNo!);
  let label: string | null = null;
  if (options.labelled && tanda !== 'tetap') {
    if (x.moved)
      label = `dipindah dari ${what(x.moved.from)} ke ${what(x.moved.to)}${x.status === 'changed' ? ', diubah' : ''}`;
    else label = tanda;
  }
  return { nomor, tanda, label, teks: textView(x.teks), en: optionalText(x.en) };
}

function pasalView(p: PasalDiff): PasalView {
  const tanda = tandaOf(p);
  const whole = p.status === 'inserted' || p.status === 'deleted';
  // The only ayat of a pasal has no number, as printed.
  const numbered = p.ayat.length > 1;
  const ayat = p.ayat.map((a) => itemView(a, ayatNo, (n) => `ayat (${n})`, { numbered, labelled: !whole }));
  let label: string = tanda;
  if (p.moved)
    label = `dipindah dari Pasal ${p.moved.from} ke Pasal ${p.moved.to}${p.status === 'changed' ? ', diubah' : ''}`;
  else if (p.status === 'changed' && p.beforeNo !== p.afterNo) label = `diubah (sebelumnya Pasal ${p.beforeNo})`;
  const counts = countsInWords(countEntries(p.ayat), 'ayat');
  return {
    nomor: p.status === 'deleted' ? `Pasal ${p.beforeNo} lama` : `Pasal ${p.afterNo}`,
    tanda,
    label,
    rincian: p.status === 'changed' && counts.length ? counts.join(', ') : null,
    judul: textView(p.judul),
    judulEn: optionalText(p.judulEn),
    mengubah: optionalText(p.mengubah),
    ayat,
  };
}

/** "1–3, 5 dan 7" */
export function numberRanges(numbers: readonly number[]): string {
  const ranges: string[] = [];
  const sorted = [...numbers].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(j === i ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return ranges.length < 2 ? (ranges[0] ?? '') : `${ranges.slice(0, -1).join(', ')} dan ${ranges.at(-1)}`;
}

const shown = (x: { status: EntryStatus; moved?: Moved }) => x.status !== 'unchanged' || !!x.moved;

// ─── The whole view ────────────────────────────────────────────────────────────────────────────────────────────

const versiLabel = (n: number) => (n === 0 ? 'versi awal' : `versi ${n}`);

function versionLine(v: VersionInfo, timeZone: TimeZone): string {
  if (v.versi === 0 || !v.at) return 'kerangka baku naskah yang diisi data permohonan';
  const by = v.by?.nama ? ` oleh ${v.by.nama}${v.by.jabatan ? ` (${v.by.jabatan})` : ''}` : '';
  return `disimpan ${formatTanggalWaktu(new Date(v.at), timeZone)}${by}`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export interface PerubahanMeta {
  before: VersionInfo;
  after: VersionInfo;
  reason: ComparisonBase['reason'];
  timeZone: TimeZone;
}

/** The view of a diff between two versions, for the task page and the printed sheet. */
export function perubahanView(diff: NaskahDiff, meta: PerubahanMeta): PerubahanView {
  const { before, after } = meta;
  const same = before.versi === after.versi;
  const perbandingan = same
    ? `Tidak ada perubahan sejak ${versiLabel(after.versi)}, versi terakhir yang Anda tindak lanjuti.`
    : meta.reason === 'acted'
      ? `${capital(versiLabel(after.versi))} dibandingkan dengan ${versiLabel(before.versi)}, versi terakhir yang Anda tindak lanjuti.`
      : `${capital(versiLabel(after.versi))} dibandingkan dengan versi sebelumnya (${versiLabel(before.versi)}).`;
  const versi = [
    { label: `${capital(versiLabel(after.versi))} (sekarang)`, nilai: versionLine(after, meta.timeZone) },
    ...(same ? [] : [{ label: capital(versiLabel(before.versi)), nilai: versionLine(before, meta.timeZone) }]),
  ];
  const items = (list: readonly ItemDiff[], no: Numbering, noun: string) => {
    const changed = list.filter(shown);
    return changed.length
      ? changed.map((x) => itemView(x, no, (n) => `${noun} ${no(n)}`, { numbered: true, labelled: true }))
      : null;
  };
  const tetap = diff.pasal.filter((p) => !shown(p)).map((p) => p.afterNo!);
  const tentangChanged = diff.tentang.changed || !!diff.tentangEn?.changed;
  return {
    versiSebelum: before.versi,
    versiSesudah: after.versi,
    judul: 'Perubahan naskah',
    perbandingan,
    versi,
    ringkasan: summarizeDiff(diff).text,
    adaPerubahan: diff.changed,
    jenis: diff.jenis ? `Jenis naskah diganti: ${diff.jenis.before} menjadi ${diff.jenis.after}` : null,
    tentang: tentangChanged ? { teks: textView(diff.tentang), en: optionalText(diff.tentangEn) } : null,
    induk: diff.induk?.changed
      ? [
          { label: 'Nomor', nilai: textView(diff.induk.nomor) },
          { label: 'Tanggal', nilai: textView(diff.induk.tanggal) },
          { label: 'Tentang', nilai: textView(diff.induk.tentang) },
        ]
      : null,
    pertimbangan: items(diff.pertimbangan, hurufNo, 'butir'),
    dasar: items(diff.dasar, angkaNo, 'butir'),
    pasal: diff.pasal.filter(shown).map(pasalView),
    pasalTetap: !tetap.length
      ? null
      : tetap.length === diff.pasal.length
        ? 'Semua pasal tidak berubah.'
        : `Pasal ${numberRanges(tetap)} tidak berubah.`,
    keterangan: 'Teks yang ditambahkan bergaris bawah (hijau); teks yang dihapus dicoret (merah).',
  };
}

// ─── For the task page ─────────────────────────────────────────────────────────────────────────────────────────

export interface PerubahanInput {
  /** The case's history (the task page has read it already). */
  history: readonly HistoryEvent[];
  /** The reviewer: the task's bound person. */
  personId: string;
  /** The pemda's zone, for the times of the versions. */
  timeZone: TimeZone;
  /** Version 0 (the outline filled with the case), when the caller has it: then it can be compared with too. */
  awal?: NaskahContent;
  /** The version in front of the reviewer (default: the latest). */
  current?: number;
}

/**
 * What the task page shows of the naskah's changes to its reviewer: the diff from the last version they acted on
 * (or else the previous version) to the current one. Undefined when the case has no saved version, or only one and
 * no outline to compare it with.
 */
export function perubahanNaskah(input: PerubahanInput): PerubahanView | undefined {
  const saved = versionsIn(input.history);
  if (!saved.length) return undefined;
  const versions: { versi: number; content: NaskahContent; at?: string; by?: NaskahAuthor; isi?: string }[] = [
    ...(input.awal && !saved.some((v) => v.versi === 0) ? [{ versi: 0, content: input.awal }] : []),
    ...saved,
  ];
  const base = pickComparisonBase(versions, actedVersions(input.history, saved), input.personId, input.current);
  if (!base) return undefined;
  const get = (n: number) => versions.find((v) => v.versi === n)!;
  const before = get(base.before);
  const after = get(base.after);
  const info = (v: (typeof versions)[number]): VersionInfo => ({
    versi: v.versi,
    ...(v.at ? { at: v.at } : {}),
    ...(v.by ? { by: v.by } : {}),
  });
  return perubahanView(diffNaskah(before.content, after.content), {
    before: info(before),
    after: info(after),
    reason: base.reason,
    timeZone: input.timeZone,
  });
}
