import type { TimeZone } from '../calendar/calendar-schema.ts';
import { localDateOf, toInstant } from '../calendar/zone.ts';
import { formatJam, tanggalPanjang } from '../format/tanggal.ts';
import type { Activity, Sop } from '../sop/load-sop.ts';
import { isGate, type Field, type Step } from '../sop/schema.ts';
import type { HistoryEvent } from './model.ts';

/**
 * The meetings of a case. A step declares in its SOP data that it invites to a meeting (`rapat.catat: undangan`) or
 * records one (`rapat.catat: notulen`); each visit of the step is a round of its own, and an undangan and a notulen of
 * the same meeting id and round are one meeting. What this decides:
 * - a notulen's form is prefilled with the date, time, place and agenda of its own undangan (same id, same round),
 *   never with another meeting's (the case data of an earlier meeting);
 * - a notulen is refused while its meeting is still to come (its date, and its start time when one can be read);
 * - the pimpinan rapat and the notulis are two people.
 * Pure: the clock and the zone are given.
 */

/** The conventional field ids of a meeting step (checked at load, core/sop/load-sop.ts). */
export const RAPAT_FIELDS = {
  tanggal: 'rapat-tanggal',
  waktu: 'rapat-waktu',
  tempat: 'rapat-tempat',
  acara: 'rapat-acara',
  pimpinan: 'rapat-pimpinan',
  notulis: 'notulen-pencatat',
} as const;

/** What a notulen's form takes from its own undangan. */
const FROM_UNDANGAN = [RAPAT_FIELDS.tanggal, RAPAT_FIELDS.waktu, RAPAT_FIELDS.tempat, RAPAT_FIELDS.acara] as const;

export type RapatStep = NonNullable<Step['rapat']>;

/**
 * The meeting of an activity: a step with `rapat`, or the link of its chain that records the meeting (the one with
 * the meeting's date); undefined for any other.
 */
export function rapatOf(sop: Sop, activity: Activity): RapatStep | undefined {
  if (activity.linkIndex !== null && !activity.fields.some((f) => f.id === RAPAT_FIELDS.tanggal)) return undefined;
  const step = sop.step(activity.stepId);
  return isGate(step) ? undefined : step.rapat;
}

/**
 * The values a notulen's form starts with: those of the undangan of the same meeting and round (the visit of the
 * undangan step with the same number as this visit of the notulen step), for the fields the notulen asks. Nothing for
 * another round, another meeting, or a step that records none.
 */
export function prefillRapat(
  sop: Sop,
  activity: Activity,
  visit: number,
  history: readonly HistoryEvent[],
): Record<string, string | number | boolean> {
  const rapat = rapatOf(sop, activity);
  if (rapat?.catat !== 'notulen') return {};
  const undangan = new Set(
    sop.nodes
      .filter((n): n is Activity => n.type === 'activity')
      .filter((n) => {
        const r = rapatOf(sop, n);
        return r?.id === rapat.id && r.catat === 'undangan';
      })
      .map((n) => n.id),
  );
  const decided = history.findLast(
    (e) => e.type === 'tugas-diputuskan' && !!e.node && undangan.has(e.node) && e.visit === visit,
  );
  const values = decided?.detail?.['values'];
  if (!values || typeof values !== 'object') return {};
  const out: Record<string, string | number | boolean> = {};
  for (const id of FROM_UNDANGAN) {
    const v = (values as Record<string, unknown>)[id];
    if (activity.fields.some((f) => f.id === id) && (typeof v === 'string' || typeof v === 'number')) out[id] = v;
  }
  return out;
}

/** "09.00 WIB s.d. selesai", "pukul 13:30" → "09:00", "13:30"; undefined when no time can be read. */
export function jamMulai(waktu: string | undefined): string | undefined {
  // Not a date ("14.12.2026"): no digit or separator before, and no digit or separated digit after.
  const m = waktu ? /(?<![\d.:/-])([01]?\d|2[0-3])[.:]([0-5]\d)(?!\d|[.:/-]\d)/.exec(waktu) : null;
  return m ? `${m[1]!.padStart(2, '0')}:${m[2]}` : undefined;
}

export interface RapatCheck {
  activity: Activity;
  rapat: RapatStep;
  /** The values the form brought, as parsed (`parseFieldValue`). */
  values: Readonly<Record<string, string | number | boolean>>;
  now: Date;
  timeZone: TimeZone;
  /** A person of the directory by id (for the names in a message). */
  person?(id: string): { nama: string } | undefined;
}

/**
 * Why the form of a notulen step cannot be recorded, per field: the meeting is still to come, or one person is both
 * pimpinan and notulis. An undangan step is not checked here (an invitation is for a meeting to come).
 */
export function checkRapat(input: RapatCheck): { field: string; error: string }[] {
  const { activity, rapat, values } = input;
  if (rapat.catat !== 'notulen') return [];
  const label = (id: string, fallback: string) => activity.fields.find((f: Field) => f.id === id)?.label ?? fallback;
  const problems: { field: string; error: string }[] = [];
  const tanggal = values[RAPAT_FIELDS.tanggal];
  if (typeof tanggal !== 'string')
    problems.push({
      field: RAPAT_FIELDS.tanggal,
      error: `${label(RAPAT_FIELDS.tanggal, 'Tanggal rapat')} wajib diisi: notulen dicatat untuk rapat yang sudah diadakan`,
    });
  else {
    const today = localDateOf(input.now, input.timeZone);
    const waktu = values[RAPAT_FIELDS.waktu];
    const jam = jamMulai(typeof waktu === 'string' ? waktu : undefined);
    if (tanggal > today)
      problems.push({
        field: RAPAT_FIELDS.tanggal,
        error: `${label(RAPAT_FIELDS.tanggal, 'Tanggal rapat')}: rapat tanggal ${tanggalPanjang(tanggal)} belum diadakan (hari ini ${tanggalPanjang(today)}); notulen hanya dapat dicatat setelah rapat berlangsung`,
      });
    else if (jam && tanggal === today && toInstant(tanggal, jam, input.timeZone).getTime() > input.now.getTime())
      problems.push({
        field: RAPAT_FIELDS.waktu,
        error: `${label(RAPAT_FIELDS.waktu, 'Waktu rapat')}: rapat hari ini pukul ${jam.replace(':', '.')} ${input.timeZone} belum dimulai (sekarang pukul ${formatJam(input.now, input.timeZone)} ${input.timeZone}); notulen hanya dapat dicatat setelah rapat berlangsung`,
      });
  }
  const pimpinan = values[RAPAT_FIELDS.pimpinan];
  const notulis = values[RAPAT_FIELDS.notulis];
  if (typeof pimpinan === 'string' && pimpinan && pimpinan === notulis) {
    const nama = input.person?.(pimpinan)?.nama;
    problems.push({
      field: RAPAT_FIELDS.notulis,
      error: `${label(RAPAT_FIELDS.notulis, 'Notulis')}: harus orang lain dari ${label(RAPAT_FIELDS.pimpinan, 'Pimpinan rapat').toLowerCase()}${nama ? ` (${nama})` : ''}; pimpinan rapat dan notulis masing-masing menandatangani notulen`,
    });
  }
  return problems;
}
