/**
 * Waktu (the Mutu Baku time standard of an SOP step), parsed from the way SOP tables write it:
 * "15 menit", "30 Menit", "2 jam", "1 Hari", "3-5 Hari", "14 hari kalender", "2 hari kerja".
 *
 * "Hari" alone means hari kerja (working days), the convention of SOP AP tables; calendar days must say
 * "hari kalender". A range is due at its lower bound and overdue after its upper bound.
 */
export type WaktuUnit = 'menit' | 'jam' | 'hari-kerja' | 'hari-kalender';

export interface Waktu {
  /** The text as written in the SOP, kept for the SOP document and the timeline. */
  readonly raw: string;
  readonly unit: WaktuUnit;
  /** Due at this amount. */
  readonly min: number;
  /** Overdue after this amount (equal to min when the Waktu is not a range). */
  readonly max: number;
}

const PATTERN = /^\s*(\d+)\s*(?:[-–]\s*(\d+)\s*)?(menit|jam|hari)(?:\s+(kerja|kalender))?\s*$/i;

/** Parses a Waktu; returns an error message (Bahasa Indonesia) instead of throwing. */
export function parseWaktu(raw: string): Waktu | { error: string } {
  const match = PATTERN.exec(raw);
  if (!match) {
    return {
      error: `Waktu "${raw}" tidak dikenali; gunakan misalnya "15 menit", "2 jam", "1 hari", "3-5 hari" atau "14 hari kalender"`,
    };
  }
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (min <= 0 || max < min) return { error: `Waktu "${raw}": rentang harus positif dan menaik` };
  const base = match[3]!.toLowerCase();
  const qualifier = match[4]?.toLowerCase();
  if (base !== 'hari' && qualifier) return { error: `Waktu "${raw}": "${qualifier}" hanya berlaku untuk satuan hari` };
  const unit: WaktuUnit =
    base === 'menit' ? 'menit' : base === 'jam' ? 'jam' : qualifier === 'kalender' ? 'hari-kalender' : 'hari-kerja';
  return { raw: raw.trim(), unit, min, max };
}

/** A sum of Waktu in one unit: its lower and upper bound (equal when no range was summed). */
export interface WaktuRange {
  readonly min: number;
  readonly max: number;
}

/**
 * The total of a list of Waktu, each unit apart: working days, calendar days and minutes (a jam is 60 menit) are
 * never added to one another, and ranges stay ranges. A unit no item uses is null.
 */
export interface TotalWaktu {
  readonly hariKerja: WaktuRange | null;
  readonly hariKalender: WaktuRange | null;
  readonly menit: WaktuRange | null;
}

/** Sums a list of Waktu (null items, steps without Waktu, are skipped) into a total per unit. */
export function totalWaktu(items: readonly (Waktu | null)[]): TotalWaktu {
  const sums: Record<keyof TotalWaktu, { min: number; max: number } | null> = {
    hariKerja: null,
    hariKalender: null,
    menit: null,
  };
  for (const w of items) {
    if (!w) continue;
    const [key, factor]: [keyof TotalWaktu, number] =
      w.unit === 'hari-kerja'
        ? ['hariKerja', 1]
        : w.unit === 'hari-kalender'
          ? ['hariKalender', 1]
          : ['menit', w.unit === 'jam' ? 60 : 1];
    const sum = (sums[key] ??= { min: 0, max: 0 });
    sum.min += w.min * factor;
    sum.max += w.max * factor;
  }
  return sums;
}

const UNIT_WORDS: readonly [keyof TotalWaktu, string][] = [
  ['hariKerja', 'hari kerja'],
  ['hariKalender', 'hari kalender'],
  ['menit', 'menit'],
];

/**
 * A total of Waktu as officials read it, each unit apart and ranges as ranges: "21 hari kerja, 45 hari kalender,
 * 135 menit", "15–19 hari kerja". Accepts a list of Waktu or a total already summed; "" when nothing has a Waktu.
 */
export function formatTotalWaktu(items: readonly (Waktu | null)[] | TotalWaktu): string {
  const total = Array.isArray(items) ? totalWaktu(items) : (items as TotalWaktu);
  return UNIT_WORDS.flatMap(([key, word]) => {
    const r = total[key];
    if (!r) return [];
    return [`${r.min === r.max ? r.min : `${r.min}–${r.max}`} ${word}`];
  }).join(', ');
}
