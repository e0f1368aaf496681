import type { Ayat, Bagian, NaskahContent, NaskahInduk, Pasal } from './content.ts';

/**
 * What changed between two content versions of a naskah, for a reviewer. Pure.
 *
 * Pasal, ayat and the items of the recitals and the legal basis are matched by their stable ids, never by position:
 * a pasal inserted at position 2 is one insertion (the pasal after it are renumbered, not changed), a deleted pasal
 * one deletion, and of the pasal present in both versions only those outside a longest increasing subsequence of
 * their old order are marked as moved (so moving one pasal marks one pasal). Inside a text (a judul, an ayat, a
 * recital, the title, the English of a bilingual kind) the change is shown word by word: the text is cut into tokens
 * (words, punctuation, white space), Myers' diff finds the fewest insertions and deletions, and each change is shown
 * as the words deleted followed by the words inserted.
 */

// ─── Text: tokens and a word-by-word diff ──────────────────────────────────────────────────────────────────────

export type TextOp = 'equal' | 'insert' | 'delete';

/** A run of the text: unchanged, inserted in the newer version, or deleted from the older one. */
export interface Segment {
  readonly op: TextOp;
  readonly text: string;
}

export interface TextDiff {
  readonly changed: boolean;
  /** The runs in reading order; within one change, the deleted words come before the inserted ones. */
  readonly segments: readonly Segment[];
}

/**
 * A word (letters, marks and digits, joined by an inner hyphen or apostrophe, or by a point or comma between digits:
 * "Pasal-pasal", "Rp10.000", "2,5"), a run of white space, or any other single character (punctuation).
 */
const TOKEN = /\s+|[\p{L}\p{M}\p{N}]+(?:(?:[-'’]|(?<=\p{N})[.,](?=\p{N}))[\p{L}\p{M}\p{N}]+)*|[^\s\p{L}\p{M}\p{N}]/gu;

/** The tokens of a text; joined they give the text back exactly. */
export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** Beyond this many edits a text is shown as replaced: a diff that fine helps nobody and costs time. */
const MAX_EDITS = 1000;

const unchanged = (text: string): TextDiff => ({ changed: false, segments: text ? [{ op: 'equal', text }] : [] });

/** The word-by-word difference of two texts (undefined reads as empty: an English text added or removed). */
export function diffText(before: string | undefined, after: string | undefined): TextDiff {
  const a = before ?? '';
  const b = after ?? '';
  if (a === b) return unchanged(b);
  // The common beginning and end, cut where a token ends in both, need no tokens: most edits touch a few words.
  const { start, endA, endB } = commonEnds(a, b);
  const ta = tokenize(a.slice(start, endA));
  const tb = tokenize(b.slice(start, endB));
  const codes = new Map<string, number>();
  const middle = cleanUp(editRuns(encode(ta, codes), encode(tb, codes)), ta, tb);
  const segments: Segment[] = [];
  const push = (s: Segment) => {
    const last = segments.at(-1);
    if (last?.op === 'equal' && s.op === 'equal')
      segments[segments.length - 1] = { op: 'equal', text: last.text + s.text };
    else if (s.text) segments.push(s);
  };
  push({ op: 'equal', text: a.slice(0, start) });
  middle.forEach(push);
  push({ op: 'equal', text: b.slice(endB) });
  return { changed: segments.some((s) => s.op !== 'equal'), segments };
}

const isBlank = (s: string, i: number) => i < s.length && /\s/.test(s[i]!);

/**
 * The longest common head `a[0, start)` and tail (`a[endA…]` = `b[endB…]`) of two texts, each cut at a token
 * boundary in both: the head ends with white space followed by a non-blank character in both, the tail starts with
 * white space preceded by a non-blank character in both (or a text's end).
 */
function commonEnds(a: string, b: string): { start: number; endA: number; endB: number } {
  const shorter = Math.min(a.length, b.length);
  let p = 0;
  while (p < shorter && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let start = p;
  while (start > 0 && !(isBlank(a, start - 1) && !isBlank(a, start) && !isBlank(b, start))) start--;
  let q = 0;
  while (q < shorter - start && a.charCodeAt(a.length - 1 - q) === b.charCodeAt(b.length - 1 - q)) q++;
  let r = q;
  const boundary = (r: number) => {
    const ea = a.length - r;
    const eb = b.length - r;
    return isBlank(a, ea) && ea > start && eb > start && !isBlank(a, ea - 1) && !isBlank(b, eb - 1);
  };
  while (r > 0 && !boundary(r)) r--;
  return { start, endA: a.length - r, endB: b.length - r };
}

const BLANK = /^\s/;

/** Tokens as numbers, equal tokens equal numbers; white space by kind only (a line break or not), so a doubled
 * space marks nothing. */
function encode(tokens: readonly string[], codes: Map<string, number>): Int32Array {
  const out = new Int32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const key = BLANK.test(t) ? (t.includes('\n') ? '\n' : ' ') : t;
    let c = codes.get(key);
    if (c === undefined) codes.set(key, (c = codes.size));
    out[i] = c;
  }
  return out;
}

/**
 * A run of an edit script over tokens: `n` tokens equal (from `a` in the older tokens and `b` in the newer), deleted
 * (from `a`) or inserted (from `b`).
 */
interface Run {
  op: TextOp;
  a: number;
  b: number;
  n: number;
}

/** The edit script of two token sequences: common head and tail taken off, Myers' O((N+M)D) diff in between. */
function editRuns(a: Int32Array, b: Int32Array): Run[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const n = a.length - head - tail;
  const m = b.length - head - tail;
  const middle = myers(a.subarray(head, head + n), b.subarray(head, head + m)) ?? replaced(n, m);
  const runs: Run[] = [];
  if (head) runs.push({ op: 'equal', a: 0, b: 0, n: head });
  for (const r of middle) runs.push({ op: r.op, a: r.a + head, b: r.b + head, n: r.n });
  if (tail) runs.push({ op: 'equal', a: head + n, b: head + m, n: tail });
  return runs;
}

function replaced(n: number, m: number): Run[] {
  return [
    ...(n ? [{ op: 'delete' as const, a: 0, b: 0, n }] : []),
    ...(m ? [{ op: 'insert' as const, a: 0, b: 0, n: m }] : []),
  ];
}

/**
 * Myers' greedy diff (E. Myers, "An O(ND) Difference Algorithm and Its Variations", 1986): the furthest reaching
 * path on each diagonal k for d = 0, 1, …; the frontier at the start of each round (v[-d..d], 2d + 1 values) is
 * kept in one flat array, round d from index d², to walk the path back. Undefined when more than MAX_EDITS edits
 * are needed.
 */
function myers(a: Int32Array, b: Int32Array): Run[] | undefined {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return replaced(n, m);
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const limit = (max + 1) * (max + 1);
  let trace = new Int32Array(Math.min(limit, 4096));
  for (let d = 0; d <= max; d++) {
    const start = d * d;
    if (start + 2 * d + 1 > trace.length) {
      const grown = new Int32Array(Math.min(limit, Math.max(2 * trace.length, start + 2 * d + 1)));
      grown.set(trace);
      trace = grown;
    }
    trace.set(v.subarray(offset - d, offset + d + 1), start);
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, d, n, m);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array, D: number, n: number, m: number): Run[] {
  const runs: Run[] = []; // last run first
  const step = (op: TextOp, a: number, b: number) => {
    const last = runs.at(-1);
    if (last && last.op === op && (op === 'insert' || last.a === a + 1) && (op === 'delete' || last.b === b + 1)) {
      last.a = a;
      last.b = b;
      last.n++;
    } else runs.push({ op, a, b, n: 1 });
  };
  let x = n;
  let y = m;
  for (let d = D; d > 0; d--) {
    const at = (k: number) => trace[d * d + k + d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) step('equal', --x, --y);
    if (x === prevX) step('insert', x, --y);
    else step('delete', --x, y);
  }
  while (x > 0 && y > 0) step('equal', --x, --y);
  return runs.reverse();
}

/**
 * Runs of text from an edit script, made readable. Each change lists its deleted words before its inserted ones;
 * unchanged text is written as in the newer version. An unchanged stretch between two changes that is no longer
 * than the larger side of each (white space, a lone "dan" between two rewritten clauses) joins them into one
 * change, as in diff-match-patch's semantic clean-up: "Kerja Sama" → "Tata Pemerintahan" is one deletion and one
 * insertion, not two of each, and a rewritten sentence reads as the old one and the new one.
 */
function cleanUp(runs: readonly Run[], a: readonly string[], b: readonly string[]): Segment[] {
  type Block = { equal: string } | { deleted: string; inserted: string };
  const isChange = (x: Block | undefined): x is { deleted: string; inserted: string } => !!x && !('equal' in x);
  const size = (c: { deleted: string; inserted: string }) => Math.max(c.deleted.length, c.inserted.length);
  const blocks: Block[] = [];
  for (const r of runs) {
    const text = (r.op === 'delete' ? a.slice(r.a, r.a + r.n) : b.slice(r.b, r.b + r.n)).join('');
    let top = blocks.at(-1);
    if (r.op === 'equal') {
      blocks.push({ equal: text });
      continue;
    }
    if (!isChange(top)) blocks.push((top = { deleted: '', inserted: '' }));
    if (r.op === 'delete') top.deleted += text;
    else top.inserted += text;
    // Join the change before when the stretch between is short (again, as the change grows).
    for (;;) {
      const [before, between, after] = blocks.slice(-3);
      if (!isChange(before) || !between || 'deleted' in between || !isChange(after)) break;
      if (between.equal.length > Math.min(size(before), size(after)) && /\S/.test(between.equal)) break;
      blocks.splice(-3, 3, {
        deleted: before.deleted + between.equal + after.deleted,
        inserted: before.inserted + between.equal + after.inserted,
      });
    }
  }
  return blocks.flatMap((x): Segment[] =>
    'equal' in x
      ? [{ op: 'equal', text: x.equal }]
      : [
          ...(x.deleted ? [{ op: 'delete' as const, text: x.deleted }] : []),
          ...(x.inserted ? [{ op: 'insert' as const, text: x.inserted }] : []),
        ],
  );
}

// ─── Lists matched by stable id ────────────────────────────────────────────────────────────────────────────────

export type EntryStatus = 'unchanged' | 'changed' | 'inserted' | 'deleted';

/** Where an entry stood and stands (numbers from 1, as printed). */
export interface Moved {
  readonly from: number;
  readonly to: number;
}

interface Aligned<T> {
  readonly key: string;
  readonly before?: T;
  readonly after?: T;
  /** Numbers from 1 in each version. */
  readonly beforeNo?: number;
  readonly afterNo?: number;
  readonly moved: boolean;
}

/**
 * The entries of two versions of a list in reading order of the newer one: entries present in both (moved ones
 * where they stand now), inserted ones where they stand, and each deleted one right after the entry that preceded it
 * and stayed in place (or first).
 */
function align<T extends { readonly id: string }>(before: readonly T[], after: readonly T[]): Aligned<T>[] {
  // A repeated id (never saved by the editor, but stored data is read defensively) is its own entry.
  const keysOf = (list: readonly T[]) => {
    const seen = new Map<string, number>();
    return list.map((x) => {
      const n = seen.get(x.id) ?? 0;
      seen.set(x.id, n + 1);
      return n ? `${x.id}#${n}` : x.id;
    });
  };
  const beforeKeys = keysOf(before);
  const afterKeys = keysOf(after);
  const beforeAt = new Map(beforeKeys.map((k, i) => [k, i]));
  const afterSet = new Set(afterKeys);
  // Rank of each kept entry in the older order, in the newer order; the longest increasing run stays in place.
  const keptOld: number[] = [];
  const keptAfterIndex: number[] = [];
  afterKeys.forEach((k, j) => {
    const i = beforeAt.get(k);
    if (i !== undefined) {
      keptOld.push(i);
      keptAfterIndex.push(j);
    }
  });
  const stable = new Set(longestIncreasing(keptOld).map((p) => keptAfterIndex[p]!));
  // Each deleted entry hangs after the nearest earlier entry of the older version that is kept in place.
  const stableOld = new Set<number>();
  keptAfterIndex.forEach((j, p) => {
    if (stable.has(j)) stableOld.add(keptOld[p]!);
  });
  const hanging = new Map<number, number[]>(); // older index of the anchor (-1: first) → deleted older indexes
  let anchor = -1;
  beforeKeys.forEach((k, i) => {
    if (!afterSet.has(k)) hanging.set(anchor, [...(hanging.get(anchor) ?? []), i]);
    else if (stableOld.has(i)) anchor = i;
  });
  const out: Aligned<T>[] = [];
  const deletedAfter = (i: number) => {
    for (const d of hanging.get(i) ?? [])
      out.push({ key: beforeKeys[d]!, before: before[d]!, beforeNo: d + 1, moved: false });
  };
  deletedAfter(-1);
  afterKeys.forEach((k, j) => {
    const i = beforeAt.get(k);
    if (i === undefined) {
      out.push({ key: k, after: after[j]!, afterNo: j + 1, moved: false });
      return;
    }
    out.push({ key: k, before: before[i]!, after: after[j]!, beforeNo: i + 1, afterNo: j + 1, moved: !stable.has(j) });
    if (stable.has(j)) deletedAfter(i);
  });
  return out;
}

/** Positions (into `seq`) of one longest strictly increasing subsequence: patience sorting, O(n log n). */
export function longestIncreasing(seq: readonly number[]): number[] {
  const tails: number[] = []; // tails[l]: position of the smallest tail of an increasing run of length l + 1
  const prev = new Int32Array(seq.length).fill(-1);
  seq.forEach((x, p) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]!]! < x) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[p] = tails[lo - 1]!;
    tails[lo] = p;
  });
  const out: number[] = [];
  for (let p = tails.at(-1) ?? -1; p >= 0; p = prev[p]!) out.push(p);
  return out.reverse();
}

// ─── The naskah ────────────────────────────────────────────────────────────────────────────────────────────────

/** An ayat, or an item of the recitals or the legal basis. */
export interface ItemDiff {
  readonly id: string;
  readonly status: EntryStatus;
  /** Numbers from 1 in the older and the newer version (absent for an inserted or a deleted one). */
  readonly beforeNo?: number;
  readonly afterNo?: number;
  /** Set when the entry is one of those that moved (see `align`). */
  readonly moved?: Moved;
  readonly teks: TextDiff;
  /** The English text, when either version has one. */
  readonly en?: TextDiff;
}

export interface PasalDiff {
  readonly id: string;
  readonly status: EntryStatus;
  readonly beforeNo?: number;
  readonly afterNo?: number;
  readonly moved?: Moved;
  readonly judul: TextDiff;
  readonly judulEn?: TextDiff;
  /** Adendum: what of the agreement the pasal changes. */
  readonly mengubah?: TextDiff;
  readonly ayat: readonly ItemDiff[];
}

export interface IndukDiff {
  readonly changed: boolean;
  readonly nomor: TextDiff;
  readonly tanggal: TextDiff;
  readonly tentang: TextDiff;
}

export interface NaskahDiff {
  readonly changed: boolean;
  /** Both kinds, when the kind itself changed (the outline was chosen again). */
  readonly jenis?: { readonly before: string; readonly after: string };
  readonly tentang: TextDiff;
  readonly tentangEn?: TextDiff;
  readonly induk?: IndukDiff;
  readonly pertimbangan: readonly ItemDiff[];
  readonly dasar: readonly ItemDiff[];
  readonly pasal: readonly PasalDiff[];
}

/** An optional text's diff, when either side has it. */
const optional = (a: string | undefined, b: string | undefined): TextDiff | undefined =>
  a === undefined && b === undefined ? undefined : diffText(a, b);

const statusOf = (e: { before?: unknown; after?: unknown }, changed: boolean): EntryStatus =>
  !e.before ? 'inserted' : !e.after ? 'deleted' : changed ? 'changed' : 'unchanged';

const numbers = (e: Aligned<unknown>) => ({
  ...(e.beforeNo !== undefined ? { beforeNo: e.beforeNo } : {}),
  ...(e.afterNo !== undefined ? { afterNo: e.afterNo } : {}),
  ...(e.moved ? { moved: { from: e.beforeNo!, to: e.afterNo! } } : {}),
});

function diffItems(before: readonly (Ayat | Bagian)[], after: readonly (Ayat | Bagian)[]): ItemDiff[] {
  return align(before, after).map((e) => {
    const teks = diffText(e.before?.teks, e.after?.teks);
    const en = optional(e.before?.en, e.after?.en);
    return {
      id: (e.after ?? e.before)!.id,
      status: statusOf(e, teks.changed || !!en?.changed),
      ...numbers(e),
      teks,
      ...(en ? { en } : {}),
    };
  });
}

function diffPasal(e: Aligned<Pasal>): PasalDiff {
  const judul = diffText(e.before?.judul, e.after?.judul);
  const judulEn = optional(e.before?.judulEn, e.after?.judulEn);
  const mengubah = optional(e.before?.mengubah, e.after?.mengubah);
  const ayat = diffItems(e.before?.ayat ?? [], e.after?.ayat ?? []);
  const changed =
    judul.changed ||
    !!judulEn?.changed ||
    !!mengubah?.changed ||
    ayat.some((a) => a.status !== 'unchanged' || a.moved !== undefined);
  return {
    id: (e.after ?? e.before)!.id,
    status: statusOf(e, changed),
    ...numbers(e),
    judul,
    ...(judulEn ? { judulEn } : {}),
    ...(mengubah ? { mengubah } : {}),
    ayat,
  };
}

function diffInduk(a: NaskahInduk | undefined, b: NaskahInduk | undefined): IndukDiff | undefined {
  if (!a && !b) return undefined;
  const nomor = diffText(a?.nomor, b?.nomor);
  const tanggal = diffText(a?.tanggal, b?.tanggal);
  const tentang = diffText(a?.tentang, b?.tentang);
  return { changed: nomor.changed || tanggal.changed || tentang.changed, nomor, tanggal, tentang };
}

const itemsChanged = (list: readonly ItemDiff[]) => list.some((x) => x.status !== 'unchanged' || x.moved);

/**
 * What changed from `before` to `after`: the title (and its English), an adendum's reference to the agreement it
 * changes, the recitals and the legal basis item by item, and the pasal with their ayat, all matched by stable id.
 */
export function diffNaskah(before: NaskahContent, after: NaskahContent): NaskahDiff {
  const tentang = diffText(before.tentang, after.tentang);
  const tentangEn = optional(before.tentangEn, after.tentangEn);
  const induk = diffInduk(before.induk, after.induk);
  const pertimbangan = diffItems(before.pertimbangan, after.pertimbangan);
  const dasar = diffItems(before.dasar, after.dasar);
  const pasal = align(before.pasal, after.pasal).map(diffPasal);
  const jenis = before.jenis !== after.jenis ? { before: before.jenis, after: after.jenis } : undefined;
  return {
    changed:
      !!jenis ||
      tentang.changed ||
      !!tentangEn?.changed ||
      !!induk?.changed ||
      itemsChanged(pertimbangan) ||
      itemsChanged(dasar) ||
      pasal.some((p) => p.status !== 'unchanged' || p.moved),
    ...(jenis ? { jenis } : {}),
    tentang,
    ...(tentangEn ? { tentangEn } : {}),
    ...(induk ? { induk } : {}),
    pertimbangan,
    dasar,
    pasal,
  };
}

// ─── A summary in words ────────────────────────────────────────────────────────────────────────────────────────

export interface ListCounts {
  /** Present in both versions with other words (moved or not). */
  readonly changed: number;
  readonly inserted: number;
  readonly deleted: number;
  readonly moved: number;
}

export interface DiffSummary {
  readonly tentang: boolean;
  readonly induk: boolean;
  readonly pertimbangan: ListCounts;
  readonly dasar: ListCounts;
  readonly pasal: ListCounts;
  /** "2 pasal diubah, 1 pasal baru, 1 pasal dipindah"; "Tidak ada perubahan" when nothing changed. */
  readonly text: string;
}

export function countEntries(list: readonly { status: EntryStatus; moved?: Moved }[]): ListCounts {
  const n = (s: EntryStatus) => list.filter((x) => x.status === s).length;
  return {
    changed: n('changed'),
    inserted: n('inserted'),
    deleted: n('deleted'),
    moved: list.filter((x) => x.moved).length,
  };
}

/** "2 pasal diubah, 1 pasal baru": the counts that are not zero, in the order changed, new, deleted, moved. */
export function countsInWords(c: ListCounts, noun: string): string[] {
  return [
    [c.changed, 'diubah'],
    [c.inserted, 'baru'],
    [c.deleted, 'dihapus'],
    [c.moved, 'dipindah'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${n} ${noun} ${what}`);
}

/** The counts of a diff, and a sentence in Bahasa Indonesia in the order of the naskah. */
export function summarizeDiff(d: NaskahDiff): DiffSummary {
  const tentang = d.tentang.changed || !!d.tentangEn?.changed;
  const induk = !!d.induk?.changed;
  const pertimbangan = countEntries(d.pertimbangan);
  const dasar = countEntries(d.dasar);
  const pasal = countEntries(d.pasal);
  const parts = [
    ...(d.jenis ? ['jenis naskah diganti'] : []),
    ...(tentang ? ['judul naskah diubah'] : []),
    ...(induk ? ['rujukan naskah yang diubah diganti'] : []),
    ...countsInWords(pertimbangan, 'butir pertimbangan'),
    ...countsInWords(dasar, 'butir dasar hukum'),
    ...countsInWords(pasal, 'pasal'),
  ];
  const text = parts.length ? parts.join(', ') : 'tidak ada perubahan';
  return { tentang, induk, pertimbangan, dasar, pasal, text: text.charAt(0).toUpperCase() + text.slice(1) };
}
