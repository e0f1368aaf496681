import type { WorkCalendar } from '../calendar/work-calendar.ts';
import { addDays } from '../calendar/zone.ts';
import type { ScheduledItem } from '../case/model.ts';
import { romawi } from '../documents/common.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import { agreementJobKey, type AgreementJob, type AgreementStage, type AnnualReportJob } from './agreement-jobs.ts';
import type { AgreementRecord, Pemantauan } from './agreement-model.ts';

/**
 * The monitoring calendar of an agreement: which report and monev fall due when, when their links go out, when a
 * missing report is reminded and escalated, when the end of the term is announced and when the term runs out. Pure:
 * the pemda's working-day calendar is passed in.
 *
 * Periods count from the first day in force: report k covers months 3(k−1)…3k after `mulai` (the pemda's
 * `laporanSetiapBulan`), monev s months 6(s−1)…6s; only periods that end within the term exist. A period's item
 * falls due on the day after it ends, or the next working day when that is not one (a deadline on a holiday
 * moves on). Reminders of the end of the term go out on the working day on or before their date (never later than
 * they announce); emails go out when the working day opens.
 */

export type JenisKewajiban = 'laporan' | 'monev';

/** One report or monev the pelaksana owes. */
export interface Kewajiban {
  jenis: JenisKewajiban;
  ke: number;
  periode: { mulai: string; selesai: string };
  /** The working day it is due by (YYYY-MM-DD). */
  jatuhTempo: string;
  /** "Laporan pelaksanaan triwulan II tahun 2027". */
  label: string;
  /** The due date lies in a year whose libur nasional and cuti bersama are not imported yet: an estimate. */
  perkiraan: boolean;
}

/** What the register shows as an agreement's next due item. */
export interface Berikutnya {
  jenis: JenisKewajiban | 'berakhir';
  label: string;
  jatuhTempo: string;
  /** As `Kewajiban.perkiraan`: the date is computed on a year without holiday data. */
  perkiraan: boolean;
}

type Term = Pick<AgreementRecord, 'mulai' | 'berakhir'>;

/** `iso` plus `months` calendar months; the day is clamped to the month's last (31 January + 1 → 28/29 February). */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

const MAX_SCAN_DAYS = 400;

/** The first working day on or after `date`. */
export function workingDayOnOrAfter(calendar: WorkCalendar, date: string): string {
  for (let i = 0, d = date; i < MAX_SCAN_DAYS; i++, d = addDays(d, 1)) if (calendar.isWorkingDay(d)) return d;
  throw noWorkingDays();
}

/** The last working day on or before `date`. */
export function workingDayOnOrBefore(calendar: WorkCalendar, date: string): string {
  for (let i = 0, d = date; i < MAX_SCAN_DAYS; i++, d = addDays(d, -1)) if (calendar.isWorkingDay(d)) return d;
  throw noWorkingDays();
}

/** The `n`-th working day after `date` (n ≥ 1). */
export function nthWorkingDayAfter(calendar: WorkCalendar, date: string, n: number): string {
  let d = date;
  for (let found = 0; found < Math.max(1, n);) {
    d = workingDayOnOrAfter(calendar, addDays(d, 1));
    found++;
  }
  return d;
}

const noWorkingDays = () =>
  new SepakatError(ErrorNames.InvalidDefinition, `Kalender kerja tidak punya hari kerja dalam ${MAX_SCAN_DAYS} hari`);

/** When the working day `date` opens (it is one). */
const opening = (calendar: WorkCalendar, date: string): Date =>
  calendar.openingOf(date) ?? calendar.toInstant(date, '08:00');

/** Whether the calendar has the imported holidays of the year of `date`. */
const hasData = (calendar: WorkCalendar, date: string) => calendar.hasYear(Number(date.slice(0, 4)));

const quarterOf = (iso: string) => Math.floor((Number(iso.slice(5, 7)) - 1) / 3) + 1;
const halfOf = (iso: string) => (Number(iso.slice(5, 7)) <= 6 ? 1 : 2);

function kewajiban(
  a: Term,
  cfg: Pemantauan,
  calendar: WorkCalendar,
  jenis: JenisKewajiban,
  ke: number,
): Kewajiban | undefined {
  if (!Number.isInteger(ke) || ke < 1) return undefined;
  const months = jenis === 'laporan' ? cfg.laporanSetiapBulan : cfg.monevSetiapBulan;
  const mulai = addMonths(a.mulai, months * (ke - 1));
  const next = addMonths(a.mulai, months * ke);
  const selesai = addDays(next, -1);
  if (selesai > a.berakhir) return undefined;
  const tahun = selesai.slice(0, 4);
  const label =
    jenis === 'laporan'
      ? months === 3
        ? `Laporan pelaksanaan triwulan ${romawi(quarterOf(selesai))} tahun ${tahun}`
        : `Laporan pelaksanaan ke-${ke}`
      : months === 6
        ? `Monitoring dan evaluasi semester ${romawi(halfOf(selesai))} tahun ${tahun}`
        : `Monitoring dan evaluasi ke-${ke}`;
  const jatuhTempo = workingDayOnOrAfter(calendar, next);
  return { jenis, ke, periode: { mulai, selesai }, jatuhTempo, label, perkiraan: !hasData(calendar, jatuhTempo) };
}

export const laporanKe = (a: Term, cfg: Pemantauan, calendar: WorkCalendar, ke: number) =>
  kewajiban(a, cfg, calendar, 'laporan', ke);
export const monevKe = (a: Term, cfg: Pemantauan, calendar: WorkCalendar, ke: number) =>
  kewajiban(a, cfg, calendar, 'monev', ke);

/** Every report and monev of the term, in due order. */
export function kewajibanList(a: Term, cfg: Pemantauan, calendar: WorkCalendar): Kewajiban[] {
  const out: Kewajiban[] = [];
  for (const jenis of ['laporan', 'monev'] as const)
    for (let ke = 1; ; ke++) {
      const item = kewajiban(a, cfg, calendar, jenis, ke);
      if (!item) break;
      out.push(item);
    }
  return out.sort((x, y) => x.jatuhTempo.localeCompare(y.jatuhTempo) || x.jenis.localeCompare(y.jenis));
}

/**
 * The next thing due: the earliest report or monev not yet fulfilled (one overdue comes first), else the end of the
 * term. Items due before `sejak` (the registration) are not owed. None for a closed agreement.
 */
export function nextDue(
  a: Term & Pick<AgreementRecord, 'status'>,
  cfg: Pemantauan,
  calendar: WorkCalendar,
  options: { sejak: string; fulfilled: (jenis: JenisKewajiban, ke: number) => boolean },
): Berikutnya | undefined {
  if (a.status !== 'berlaku') return undefined;
  const open = kewajibanList(a, cfg, calendar).find(
    (k) => k.jatuhTempo >= options.sejak && !options.fulfilled(k.jenis, k.ke),
  );
  if (open && open.jatuhTempo <= addDays(a.berakhir, 1))
    return { jenis: open.jenis, label: open.label, jatuhTempo: open.jatuhTempo, perkiraan: open.perkiraan };
  // The end of the term is a calendar date: never an estimate.
  return { jenis: 'berakhir', label: 'Berakhirnya jangka waktu', jatuhTempo: a.berakhir, perkiraan: false };
}

/** A scheduled item of an agreement job. */
function item(
  a: AgreementRecord,
  tahap: AgreementStage,
  at: Date,
  ke?: number,
): ScheduledItem<AgreementJob | AnnualReportJob> {
  // The end reminders and the expiry name the end of the term they announce: a term moved by an adendum makes new keys.
  const dated = tahap === 'pengingat-berakhir' || tahap === 'berakhir';
  const job: AgreementJob = {
    kind: 'pantau-perjanjian',
    pemdaId: a.pemdaId,
    nomor: a.nomor,
    tahap,
    ...(ke !== undefined ? { ke } : {}),
    ...(dated ? { sampai: a.berakhir } : {}),
    // A schedule computed again (a calendar imported since) makes new keys; jobs of an older revision do nothing.
    ...(a.jadwalRevisi ? { rev: a.jadwalRevisi } : {}),
  };
  return { key: agreementJobKey(job), at, job };
}

/** When the link of a report or monev goes out: the working day on or before its lead date, at opening. */
export function requestAt(calendar: WorkCalendar, cfg: Pemantauan, k: Kewajiban): Date {
  return opening(calendar, workingDayOnOrBefore(calendar, addDays(k.jatuhTempo, -cfg.dimintaSebelumHari)));
}

/** The first report or monev of `jenis` whose due date is on or after `today`, and the item that requests it. */
function firstRequest(
  a: AgreementRecord,
  cfg: Pemantauan,
  calendar: WorkCalendar,
  jenis: JenisKewajiban,
  today: string,
): ScheduledItem<AgreementJob | AnnualReportJob>[] {
  for (let ke = 1; ; ke++) {
    const k = kewajiban(a, cfg, calendar, jenis, ke);
    if (!k) return [];
    if (k.jatuhTempo < today) continue;
    return [item(a, jenis === 'laporan' ? 'laporan-minta' : 'monev-minta', requestAt(calendar, cfg, k), ke)];
  }
}

/** The first report and monev whose due date is on or after `today`, and the item that requests each. */
function firstRequests(
  a: AgreementRecord,
  cfg: Pemantauan,
  calendar: WorkCalendar,
  today: string,
): ScheduledItem<AgreementJob | AnnualReportJob>[] {
  return (['laporan', 'monev'] as const).flatMap((jenis) => firstRequest(a, cfg, calendar, jenis, today));
}

/** The reminders of the end of the term whose date is not past on `today`. */
function endReminders(
  a: AgreementRecord,
  cfg: Pemantauan,
  calendar: WorkCalendar,
  today: string,
): ScheduledItem<AgreementJob | AnnualReportJob>[] {
  const out: ScheduledItem<AgreementJob | AnnualReportJob>[] = [];
  for (const days of [...new Set(cfg.pengingatBerakhirHari)].sort((x, y) => y - x)) {
    const { date, at } = endReminderAt(calendar, a, days);
    if (date >= today && date >= a.mulai) out.push(item(a, 'pengingat-berakhir', at, days));
  }
  return out;
}

/** The expiry of the term: at midnight after its last day (a calendar date, never moved by a holiday). */
const expiryItem = (a: AgreementRecord, calendar: WorkCalendar) =>
  item(a, 'berakhir', calendar.toInstant(addDays(a.berakhir, 1), '00:00'));

/** When the end of the term is announced `days` before it. */
export function endReminderAt(calendar: WorkCalendar, a: Term, days: number): { date: string; at: Date } {
  const date = addDays(a.berakhir, -days);
  const on = workingDayOnOrBefore(calendar, date);
  return { date, at: opening(calendar, on) };
}

/** The annual report of `tahun`: on the configured day of the next year, or the next working day. */
export function annualReportItem(
  pemdaId: string,
  tahun: number,
  cfg: Pemantauan,
  calendar: WorkCalendar,
): ScheduledItem<AgreementJob | AnnualReportJob> {
  const job: AnnualReportJob = { kind: 'laporan-tahunan', pemdaId, tahun };
  const date = workingDayOnOrAfter(calendar, `${tahun + 1}-${cfg.laporanTahunanTanggal}`);
  return { key: agreementJobKey(job), at: opening(calendar, date), job };
}

/**
 * What is scheduled when an agreement is registered on `today`: the first report and monev to request, the
 * reminders of the end of the term not already past, the expiry, and the annual report of every year it is in force.
 * The rest follows as it comes due (`followUps`), so a closed agreement has little to cancel.
 */
export function registrationSchedule(
  a: AgreementRecord,
  cfg: Pemantauan,
  calendar: WorkCalendar,
  today: string,
): ScheduledItem<AgreementJob | AnnualReportJob>[] {
  const out = [...firstRequests(a, cfg, calendar, today), ...endReminders(a, cfg, calendar, today)];
  out.push(expiryItem(a, calendar));
  const first = Math.max(Number(a.mulai.slice(0, 4)), Number(today.slice(0, 4)));
  for (let tahun = first; tahun <= Number(a.berakhir.slice(0, 4)); tahun++)
    out.push(annualReportItem(a.pemdaId, tahun, cfg, calendar));
  return out;
}

/**
 * What a request schedules once its link went out: its reminder (the pemda's `pengingatSetelahHariKerja`, by default
 * the next working day after its due date) and its escalation (`eskalasiSetelahHariKerja`) if it stays missing, and
 * the request of the next report or monev. A monev is reminded and escalated as a report is.
 */
export function followUps(
  a: AgreementRecord,
  cfg: Pemantauan,
  calendar: WorkCalendar,
  jenis: JenisKewajiban,
  ke: number,
): ScheduledItem<AgreementJob | AnnualReportJob>[] {
  const out: ScheduledItem<AgreementJob | AnnualReportJob>[] = [];
  const current = kewajiban(a, cfg, calendar, jenis, ke);
  if (current) {
    const remind = nthWorkingDayAfter(calendar, current.jatuhTempo, cfg.pengingatSetelahHariKerja + 1);
    out.push(item(a, jenis === 'laporan' ? 'laporan-terlambat' : 'monev-terlambat', opening(calendar, remind), ke));
    const escalate = nthWorkingDayAfter(calendar, current.jatuhTempo, Math.max(1, cfg.eskalasiSetelahHariKerja));
    out.push(item(a, jenis === 'laporan' ? 'laporan-eskalasi' : 'monev-eskalasi', opening(calendar, escalate), ke));
  }
  const next = kewajiban(a, cfg, calendar, jenis, ke + 1);
  if (next)
    out.push(item(a, jenis === 'laporan' ? 'laporan-minta' : 'monev-minta', requestAt(calendar, cfg, next), ke + 1));
  return out;
}

/** The keys of the end reminders and the expiry of the term ending `berakhir` (and their undated older form). */
function endKeys(a: AgreementRecord, cfg: Pemantauan, berakhir: string, legacy: boolean): string[] {
  const term = { ...a, berakhir };
  const keys: string[] = [];
  for (const days of new Set(cfg.pengingatBerakhirHari))
    keys.push(item(term, 'pengingat-berakhir', new Date(0), days).key);
  keys.push(item(term, 'berakhir', new Date(0)).key);
  // Agreements registered before the keys named the end of the term have undated ones.
  if (legacy) for (const key of [...keys]) keys.push(key.replace(/\.\d{8}$/, ''));
  return keys;
}

/** Every key the agreement's calendar can schedule (the annual reports are the pemda's, not the agreement's). */
export function agreementJobKeys(a: AgreementRecord, cfg: Pemantauan, calendar: WorkCalendar): string[] {
  const keys: string[] = [];
  for (const k of kewajibanList(a, cfg, calendar)) {
    const [minta, terlambat, eskalasi] =
      k.jenis === 'laporan'
        ? (['laporan-minta', 'laporan-terlambat', 'laporan-eskalasi'] as const)
        : (['monev-minta', 'monev-terlambat', 'monev-eskalasi'] as const);
    for (const tahap of [minta, terlambat, eskalasi]) keys.push(item(a, tahap, new Date(0), k.ke).key);
  }
  keys.push(...endKeys(a, cfg, a.berakhir, true));
  return keys;
}

/**
 * What changes when an adendum moves the end of the term from `before.berakhir` to `after.berakhir` on `today`: the
 * end reminders and the expiry of the old end are cancelled (their keys name it) and those of the new end scheduled;
 * the first report and monev the longer term adds are requested (the requests chain on from there), and the annual
 * report of every year it now reaches.
 */
export function termChangeSchedule(
  before: AgreementRecord,
  after: AgreementRecord,
  cfg: Pemantauan,
  calendar: WorkCalendar,
  today: string,
): { cancel: string[]; schedule: ScheduledItem<AgreementJob | AnnualReportJob>[] } {
  const cancel = endKeys(before, cfg, before.berakhir, true);
  const schedule: ScheduledItem<AgreementJob | AnnualReportJob>[] = [];
  for (const jenis of ['laporan', 'monev'] as const)
    for (let ke = 1; ; ke++) {
      const k = kewajiban(after, cfg, calendar, jenis, ke);
      if (!k) break;
      // Items of the old term chain on by themselves; the first item of the added term (not yet past) starts its own.
      if (k.periode.selesai <= before.berakhir || k.jatuhTempo < today) continue;
      schedule.push(
        item(after, jenis === 'laporan' ? 'laporan-minta' : 'monev-minta', requestAt(calendar, cfg, k), ke),
      );
      break;
    }
  schedule.push(...endReminders(after, cfg, calendar, today), expiryItem(after, calendar));
  const first = Math.max(Number(before.berakhir.slice(0, 4)) + 1, Number(today.slice(0, 4)));
  for (let tahun = first; tahun <= Number(after.berakhir.slice(0, 4)); tahun++)
    schedule.push(annualReportItem(after.pemdaId, tahun, cfg, calendar));
  return { cancel, schedule };
}

/** A report or monev already requested (its item exists), and whether it came in. */
export interface Requested {
  jenis: JenisKewajiban;
  ke: number;
  diterima: boolean;
}

/**
 * What an agreement in force has waiting in the scheduler on `today`, computed on the current calendar (after a
 * year's holidays were imported): for each of report and monev, the first request (none requested yet: the first
 * due on or after `sejak`, the registration) or the request after the last one made, and the reminder and
 * escalation of each requested one that has not come in; the end reminders not past, and the expiry. The annual
 * reports are the pemda's and keep their keys. Every item carries `a.jadwalRevisi`.
 */
export function pendingSchedule(
  a: AgreementRecord,
  cfg: Pemantauan,
  calendar: WorkCalendar,
  dates: { today: string; sejak: string },
  requested: readonly Requested[],
): ScheduledItem<AgreementJob | AnnualReportJob>[] {
  const out: ScheduledItem<AgreementJob | AnnualReportJob>[] = [];
  const isRequest = (i: ScheduledItem<AgreementJob | AnnualReportJob>) =>
    i.job.kind === 'pantau-perjanjian' && i.job.tahap.endsWith('-minta');
  for (const jenis of ['laporan', 'monev'] as const) {
    const mine = requested.filter((r) => r.jenis === jenis);
    const last = Math.max(0, ...mine.map((r) => r.ke));
    if (!last) {
      out.push(...firstRequest(a, cfg, calendar, jenis, dates.sejak));
      continue;
    }
    for (const r of mine)
      if (!r.diterima) out.push(...followUps(a, cfg, calendar, jenis, r.ke).filter((i) => !isRequest(i)));
    out.push(...followUps(a, cfg, calendar, jenis, last).filter(isRequest));
  }
  out.push(...endReminders(a, cfg, calendar, dates.today), expiryItem(a, calendar));
  return out;
}

/**
 * The first year without imported holidays in which an item of an agreement's monitoring falls: its date is an
 * estimate until that year is imported (undefined: every date is final). The expiry is a calendar date and the
 * annual reports are the pemda's, so neither counts.
 */
export function provisionalFrom(
  calendar: WorkCalendar,
  items: readonly ScheduledItem<AgreementJob | AnnualReportJob>[],
): number | undefined {
  const years = items
    .filter((i) => i.job.kind === 'pantau-perjanjian' && i.job.tahap !== 'berakhir')
    .map((i) => Number(calendar.localDate(i.at).slice(0, 4)))
    .filter((y) => !calendar.hasYear(y));
  return years.length ? Math.min(...years) : undefined;
}
