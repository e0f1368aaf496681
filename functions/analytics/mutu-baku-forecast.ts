import { createWorkingTimeIndex, type WorkingTimeIndex } from '../../core/calendar/working-time-index.ts';
import { addDays } from '../../core/calendar/zone.ts';
import { forecastCompletion, type Forecast } from '../../core/analytics/forecast.ts';
import {
  computeMutuBaku,
  observedMedians,
  type CaseFacts,
  type MutuBakuFilter,
  type MutuBakuReport,
} from '../../core/analytics/mutu-baku.ts';
import type { WorkCalendar } from '../../core/calendar/work-calendar.ts';
import type { TaskRecord } from '../../core/case/model.ts';
import { formatWaktuSingkat } from '../../core/case/timeline.ts';
import type { Sop } from '../../core/sop/load-sop.ts';
import type { App } from '../app.ts';

/**
 * Mutu Baku analytics over what the store holds: loads a pemda's cases and tasks, computes the figures
 * (core/analytics/mutu-baku.ts) and the forecasts of open cases (core/analytics/forecast.ts). No access rule
 * here: callers check `canSeeAnalytics` / `canSeeCase` first.
 *
 * Reading: the pemda's cases (the cases table's byPemda index) and the tasks of each (the tasks' tugasPerKasus index, a
 * few queries in flight), so the reads grow with the pemda's cases and never touch another pemda's. Every case is
 * read, not only those created in the period: a case started long before a period can complete steps inside it,
 * and no bound on how long a case runs would be honest (a human wait continues past a year). Cancelled tasks are
 * left out (analytics ignores them).
 */

/** The realistic forecast uses the medians of the steps completed in this many days up to today. */
export const OBSERVED_WINDOW_DAYS = 365;
/** How long `forecastCase` reuses a pemda's medians before reading the store again. */
const MEDIANS_TTL_MS = 5 * 60_000;

/** The cases of a pemda with their open and decided tasks. */
export async function loadCaseFacts(app: App, pemdaId: string): Promise<CaseFacts[]> {
  const cases = await app.store.listCasesOfPemda(pemdaId);
  const tasks = await app.store.listTasksOfCases(cases.map((c) => c.caseId));
  return cases.map((record) => ({
    record,
    tasks: (tasks.get(record.caseId) ?? []).filter((t: TaskRecord) => t.state !== 'cancelled'),
  }));
}

const sopOf =
  (app: App) =>
  (sopKey: string): Sop | undefined => {
    try {
      return app.catalog.sops.get(sopKey);
    } catch {
      return undefined;
    }
  };

/** One prefix-sum index per calendar, kept for the app's life (it only caches the calendar's days). */
const indexes = new WeakMap<WorkCalendar, WorkingTimeIndex>();
function indexOf(calendar: WorkCalendar): WorkingTimeIndex {
  let index = indexes.get(calendar);
  if (!index) indexes.set(calendar, (index = createWorkingTimeIndex(calendar)));
  return index;
}

/** The figures of a pemda over a period, from facts already loaded. */
export function reportOf(app: App, facts: readonly CaseFacts[], filter: MutuBakuFilter): MutuBakuReport {
  const calendar = app.catalog.pemda(filter.pemdaId).calendar;
  return computeMutuBaku({ cases: facts, filter, calendar, index: indexOf(calendar), sop: sopOf(app) });
}

/** The observed medians of a pemda's steps over the window ending today (`${sopId}#${node}` → minutes). */
export function mediansOf(app: App, facts: readonly CaseFacts[], pemdaId: string, now: Date): Map<string, number> {
  const today = app.catalog.pemda(pemdaId).localDate(now);
  return observedMedians(
    reportOf(app, facts, { pemdaId, from: addDays(today, -(OBSERVED_WINDOW_DAYS - 1)), to: today }),
  );
}

/** A forecast with its dates written for the pemda's officials. */
export interface CaseForecast extends Forecast {
  perihal: string;
  sopNama: string;
  /** "Senin, 23 November 2026 pukul 16.00 WIB" */
  label: { standard: string; realistic: string; dueAt: string | null };
  /** "23 Nov 2026 16.00", for tables. */
  short: { standard: string; realistic: string; dueAt: string };
}

function present(app: App, facts: CaseFacts, forecast: Forecast, sop: Sop): CaseForecast {
  const pemda = app.catalog.pemda(facts.record.pemdaId);
  const tz = pemda.calendar.timeZone;
  const long = (iso: string) => pemda.formatDateTime(new Date(iso));
  return {
    ...forecast,
    perihal: facts.record.perihal,
    sopNama: sop.definition.header.nama,
    label: {
      standard: long(forecast.standardAt),
      realistic: long(forecast.realisticAt),
      dueAt: forecast.current.dueAt ? long(forecast.current.dueAt) : null,
    },
    short: {
      standard: formatWaktuSingkat(forecast.standardAt, tz),
      realistic: formatWaktuSingkat(forecast.realisticAt, tz),
      dueAt: formatWaktuSingkat(forecast.current.dueAt, tz),
    },
  };
}

/** The forecast of one case from facts and medians already at hand; null when closed. */
export function forecastOf(
  app: App,
  facts: CaseFacts,
  medians: ReadonlyMap<string, number>,
  now: Date,
): CaseForecast | null {
  const sop = sopOf(app)(facts.record.sopKey);
  if (!sop) return null;
  const forecast = forecastCompletion({
    record: facts.record,
    tasks: facts.tasks,
    sop,
    calendar: app.catalog.pemda(facts.record.pemdaId).calendar,
    now,
    observed: (node) => medians.get(`${facts.record.sopId}#${node}`),
  });
  return forecast && present(app, facts, forecast, sop);
}

/** The forecasts of a pemda's open cases (optionally one SOP), soonest completion first. */
export function openCaseForecasts(
  app: App,
  facts: readonly CaseFacts[],
  medians: ReadonlyMap<string, number>,
  now: Date,
  sopId?: string,
): CaseForecast[] {
  return facts
    .filter((f) => f.record.status === 'aktif' && (sopId === undefined || f.record.sopId === sopId))
    .flatMap((f) => forecastOf(app, f, medians, now) ?? [])
    .sort((a, b) => a.standardAt.localeCompare(b.standardAt) || a.caseId.localeCompare(b.caseId));
}

const medianCache = new WeakMap<App, Map<string, { until: number; medians: Map<string, number> }>>();

/**
 * The completion forecast of one open case, for the case page: by the Mutu Baku and by the pemda's observed
 * medians (the last OBSERVED_WINDOW_DAYS days, reused for a few minutes). Null for a closed or unknown case.
 * The caller checks that the principal may see the case.
 */
export async function forecastCase(
  app: App,
  caseId: string,
  now: Date = app.runtimeClock.now(),
): Promise<CaseForecast | null> {
  const record = await app.store.getCase(caseId);
  if (!record || record.status !== 'aktif') return null;
  let perPemda = medianCache.get(app);
  if (!perPemda) medianCache.set(app, (perPemda = new Map()));
  let cached = perPemda.get(record.pemdaId);
  if (!cached || cached.until < now.getTime()) {
    const facts = await loadCaseFacts(app, record.pemdaId);
    cached = { until: now.getTime() + MEDIANS_TTL_MS, medians: mediansOf(app, facts, record.pemdaId, now) };
    perPemda.set(record.pemdaId, cached);
  }
  const tasks = await app.store.listTasks({ caseId });
  return forecastOf(app, { record, tasks }, cached.medians, now);
}
