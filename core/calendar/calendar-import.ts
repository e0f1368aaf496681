import type { Clock } from '../case/model.ts';
import { CalendarYearSchema, type CalendarYear } from './calendar-schema.ts';
import type { WorkCalendar } from './work-calendar.ts';

/**
 * Importing a year's libur nasional and cuti bersama when its SKB 3 Menteri is published (the format of
 * `config/calendar/2026.json`), from the console (`/konsol/kalender`) or the CLI (`kalender impor <berkas>`): the
 * file is checked (exactly one year, every date inside it, a name for each, no date twice), stored durably through
 * the port, used by every pemda's calendar at once, and the provisional due times and agreement monitoring dates are computed again on it.
 * A refused file changes nothing.
 */

/** Where imported years are kept (functions/adapters/calendar-store.ts: one S3 object per year, both worlds). */
export interface CalendarYearStore {
  /** Every imported year. */
  list(): Promise<CalendarYear[]>;
  /** Stores a year, replacing an earlier import of the same year. */
  put(year: CalendarYear): Promise<void>;
}

export type CheckedImport = { ok: true; year: CalendarYear } | { ok: false; messages: string[] };

const LIST_LABEL: Record<string, string> = { liburNasional: 'Libur nasional', cutiBersama: 'Cuti bersama' };
const FIELD_LABEL: Record<string, string> = {
  date: 'tanggal',
  name: 'nama',
  year: 'tahun',
  source: 'sumber (dasar hukum)',
  liburNasional: 'daftar libur nasional',
  cutiBersama: 'daftar cuti bersama',
  notes: 'catatan',
};

interface ZodLikeIssue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  input?: unknown;
  expected?: string;
  keys?: readonly string[];
}

/** The issue's message in Indonesian (the schema's own messages are; zod's generic ones are not). */
function messageOf(issue: ZodLikeIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'wajib diisi';
      return issue.expected === 'string'
        ? 'harus berupa teks'
        : issue.expected === 'array'
          ? 'harus berupa daftar'
          : issue.expected === 'number'
            ? 'harus berupa angka'
            : 'bentuknya tidak sesuai';
    case 'unrecognized_keys':
      return `kunci tidak dikenal: ${(issue.keys ?? []).join(', ')}`;
    case 'too_small':
    case 'too_big':
      return issue.path.at(-1) === 'year' ? 'harus tahun antara 2000 dan 2100' : issue.message;
    default:
      return issue.message;
  }
}

/** Names the entry an issue is about: "Libur nasional ke-3 (2027-03-10 "Idulfitri 1448 Hijriah"): tanggal". */
function whereOf(raw: Record<string, unknown>, path: readonly PropertyKey[]): string {
  const [list, index, field] = path;
  if (typeof list === 'string' && typeof index === 'number' && LIST_LABEL[list]) {
    const entry = (Array.isArray(raw[list]) ? raw[list][index] : undefined) as Record<string, unknown> | undefined;
    const date = typeof entry?.['date'] === 'string' ? entry['date'] : '';
    const name = typeof entry?.['name'] === 'string' && entry['name'].trim() ? `"${entry['name']}"` : '';
    const described = [date, name].filter(Boolean).join(' ');
    const head = `${LIST_LABEL[list]} ke-${index + 1}${described ? ` (${described})` : ''}`;
    return field === undefined ? head : `${head}: ${FIELD_LABEL[String(field)] ?? String(field)}`;
  }
  if (path.length === 0) return 'Berkas kalender';
  return `Berkas kalender: ${FIELD_LABEL[String(list)] ?? path.map(String).join('.')}`;
}

/** Checks an imported file (already parsed from JSON): exactly one year, dates inside it, names, no duplicates. */
export function checkCalendarImport(raw: unknown): CheckedImport {
  if (Array.isArray(raw)) {
    if (raw.length !== 1) {
      const years = raw.map((y) => String((y as { year?: unknown } | null)?.year ?? '?')).join(', ');
      return {
        ok: false,
        messages: [
          `Berkas kalender berisi ${raw.length} tahun${raw.length ? ` (${years})` : ''}; satu berkas harus berisi tepat satu tahun`,
        ],
      };
    }
    return checkCalendarImport(raw[0]);
  }
  if (raw === null || typeof raw !== 'object')
    return {
      ok: false,
      messages: ['Berkas kalender harus berupa satu objek JSON satu tahun (format config/calendar/2026.json)'],
    };
  const result = CalendarYearSchema.safeParse(raw, { reportInput: true });
  if (result.success) return { ok: true, year: result.data };
  const record = raw as Record<string, unknown>;
  const messages = result.error.issues.map(
    (issue) => `${whereOf(record, issue.path)}: ${messageOf(issue as unknown as ZodLikeIssue)}`,
  );
  return { ok: false, messages: [...new Set(messages)] };
}

/** From this month (October) an administrator is warned when next year's calendar is missing. */
export const WARN_FROM_MONTH = 10;

/**
 * The year whose calendar an administrator should import now: next year, from October, when it is missing;
 * otherwise null.
 */
export function missingNextYear(calendar: Pick<WorkCalendar, 'localDate' | 'hasYear'>, now: Date): number | null {
  const today = calendar.localDate(now);
  const year = Number(today.slice(0, 4));
  return Number(today.slice(5, 7)) >= WARN_FROM_MONTH && !calendar.hasYear(year + 1) ? year + 1 : null;
}

/** How many were looked at and how many changed. */
export interface RedateCount {
  diperiksa: number;
  diubah: number;
}

/** What an import computed again: open tasks' due times, agreements' monitoring schedules. */
export interface Redated {
  tugas: RedateCount;
  perjanjian: RedateCount;
}

export type ImportResult =
  { result: 'ditolak'; messages: string[] } | ({ result: 'diimpor'; year: CalendarYear } & Redated);

export interface CalendarImportDeps {
  store: CalendarYearStore;
  /** Makes every pemda's calendar use these imported years (functions/adapters/catalog.ts useImportedYears). */
  apply(imported: readonly CalendarYear[]): void;
  /**
   * Computes again what was provisional for want of year `tahun`: the due times of open tasks
   * (core/case/case-runtime.ts redateProvisionalTasks) and agreements' monitoring schedules
   * (core/agreement/redate-schedule.ts).
   */
  redate(tahun: number): Promise<Redated>;
  clock: Clock;
}

/** How long a process uses the imported years it read before it reads them again (another process may import). */
export const CALENDAR_REFRESH_MS = 60_000;

export class CalendarImport {
  private readAt: number | null = null;

  constructor(private readonly deps: CalendarImportDeps) {}

  /** Checks, stores and applies a year, then recomputes the provisional due times; a refusal changes nothing. */
  async import(raw: unknown): Promise<ImportResult> {
    const checked = checkCalendarImport(raw);
    if (!checked.ok) return { result: 'ditolak', messages: checked.messages };
    await this.deps.store.put(checked.year);
    await this.refresh(0);
    return { result: 'diimpor', year: checked.year, ...(await this.deps.redate(checked.year.year)) };
  }

  /** Reads the imported years again when the last read is older than `maxAgeMs`, and applies them. */
  async refresh(maxAgeMs = CALENDAR_REFRESH_MS): Promise<void> {
    const now = this.deps.clock.now().getTime();
    if (this.readAt !== null && now - this.readAt < maxAgeMs && maxAgeMs > 0) return;
    this.deps.apply(await this.deps.store.list());
    this.readAt = now;
  }
}
