import type { CounterAges, CounterObservation, RegisterEntry, RegisterStatus } from './numbering.ts';

/**
 * The storage port of one pemda's register: five kinds of item, each read and written with single-item conditional
 * writes only (no transactions; dynalite has none). The rules that combine them (core/register/allocation.ts) give
 * every number once and lose none under any concurrency and any crash; the DynamoDB adapter
 * (functions/adapters/register-store.ts) and the in-memory one of the tests implement this port.
 *
 * - counter of a sequence (series, year): the last n taken, when, and the sweeps' observations;
 * - claim of an allocation key (case + purpose): the number bound to it;
 * - number text: the uniqueness fact of a text (a number given here or by SRIKANDI);
 * - entry: the register line of a number, where `sk` says which (`n#000000042` in sequence, `s#<text>` SRIKANDI).
 */
export interface RegisterItems {
  /** Atomically takes the next n of a sequence, recording `at` in the same update; returns n (1, 2, …). */
  take(series: string, year: number, at: string): Promise<number>;
  /** The counter of a sequence (consistent read), undefined when no number was ever taken. */
  getCounter(series: string, year: number): Promise<CounterAges | undefined>;
  /** Keeps the sweeps' observations of a sequence. */
  setObservations(series: string, year: number, seen: readonly CounterObservation[]): Promise<void>;

  getClaim(key: string): Promise<Claim | undefined>;
  /** Binds a key to a number unless it is bound (false). */
  putClaim(claim: Claim): Promise<boolean>;
  /** Re-binds a key from `from` to `to`, only if it is still bound to `from`'s number (false otherwise). */
  repointClaim(from: Claim, to: Claim): Promise<boolean>;

  getText(numberText: string): Promise<NumberTextItem | undefined>;
  /** Reserves a number text unless it is reserved (false). */
  putText(numberText: string, item: NumberTextItem): Promise<boolean>;
  /** Every SRIKANDI number text (consistent), for the repair of a missing entry. */
  listSrikandiTexts(): Promise<NumberTextItem[]>;

  getEntry(at: EntryAt): Promise<RegisterEntry | undefined>;
  /** Writes an entry unless the place holds one (false). */
  putEntry(entry: RegisterEntry, sk: string): Promise<boolean>;
  /** Sets fields (dotted paths) of an entry whose status is one of `allowed`; undefined when it is not. */
  updateEntry(
    at: EntryAt,
    sets: Record<string, unknown>,
    allowed: readonly RegisterStatus[],
  ): Promise<RegisterEntry | undefined>;
  /** The n of every entry in a sequence (consistent read). */
  entryNumbers(series: string, year: number): Promise<number[]>;
  /**
   * One page of a sequence's entries in order (sequence entries, then SRIKANDI ones), optionally of one status;
   * `start` is the opaque position a previous page returned as `next`.
   */
  listEntries(
    series: string,
    year: number,
    page: { status?: RegisterStatus; limit: number; start?: Record<string, unknown> },
  ): Promise<{ items: RegisterEntry[]; next?: Record<string, unknown> }>;
}

/** Where an entry is: its sequence and its sort key. */
export interface EntryAt {
  series: string;
  year: number;
  sk: string;
}

/** The idempotency item of an allocation key. */
export interface Claim {
  key: string;
  series: string;
  year: number;
  n: number;
  numberText: string;
  reservedAt: string;
}

/** The uniqueness item of a number text. */
export interface NumberTextItem {
  source: 'sepakat' | 'srikandi';
  series: string;
  year: number;
  n: number;
  key?: string;
  entrySk: string;
  createdAt: string;
  /** SRIKANDI numbers: the whole entry, so a crash before the entry is written can be repaired. */
  entry?: RegisterEntry;
}
