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

/** The total of a list of Waktu at their lower bound, as SOP tables sum it ("21 hari, 135 menit"). */
export function sumWaktu(items: readonly (Waktu | null)[]): { hari: number; menit: number } {
  let hari = 0;
  let menit = 0;
  for (const w of items) {
    if (!w) continue;
    if (w.unit === 'menit') menit += w.min;
    else if (w.unit === 'jam') menit += w.min * 60;
    else hari += w.min;
  }
  return { hari, menit };
}
