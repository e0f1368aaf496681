import { canSeeAnalytics, canSeeCase, unitsOfSop, type Principal } from '../../core/access/access.ts';
import type { MutuBakuFilter, MutuBakuReport, StepFigures } from '../../core/analytics/mutu-baku.ts';
import { mutuBakuCsv } from '../../core/analytics/mutu-baku-csv.ts';
import { isIsoDate } from '../../core/calendar/calendar-schema.ts';
import { addDays, dayNumber } from '../../core/calendar/zone.ts';
import { formatDurasi } from '../../core/format/tanggal.ts';
import { tanggalPanjang } from '../../core/register/numbering.ts';
import { durationChart, onTimeChart } from '../analytics/charts.ts';
import type { Session } from '../auth/session.ts';
import type { WebRequest, HttpResult, Route, WebContext, WebUseCases } from './web-context.ts';
import { MutuBakuQuery } from './input-schemas.ts';
import { attachment } from './responses.ts';
import { checkField } from '../../core/validation/text.ts';

/**
 * Mutu Baku analytics in the console: `GET /konsol/mutu-baku` (per SOP, step and actor: count, median, 90th
 * percentile, the standard, the share on time, with charts; the open cases with their forecast completion) and
 * `GET /konsol/mutu-baku.csv` (the same figures as CSV). Filters in the query: `dari`, `sampai` (the period, by the
 * step's completion date in the pemda's zone, both included; default the last 90 days) and `sop` (one SOP's id).
 * The pemda is always the principal's own. GET only: nothing here changes anything.
 *
 * CSV: UTF-8 with a byte-order mark, CRLF, ';' between fields and a decimal comma (as Excel reads CSV in the
 * Indonesian locale), Indonesian headers; durations in working minutes, shares in percent.
 */

const TITLE = 'Mutu Baku';
/** The default period: this many days up to today. */
export const DEFAULT_PERIOD_DAYS = 90;
/** The longest period one request may ask for. */
export const MAX_PERIOD_DAYS = 5 * 366;
/** Open cases the page lists at most (soonest forecast first). */
export const FORECASTS_SHOWN = 100;

interface ParsedQuery {
  filter: MutuBakuFilter;
  values: { dari: string; sampai: string; sop: string };
  error?: string;
}

function parseQuery(app: WebUseCases, principal: Principal, event: WebRequest): ParsedQuery {
  const params = new URLSearchParams(event.rawQueryString ?? '');
  const pemda = app.catalog.pemda(principal.pemdaId);
  const today = pemda.localDate(app.cases.now());
  // The filter is echoed on the page: text the validator refuses is not, and its message is the page's error.
  const refused: string[] = [];
  const text = (name: keyof typeof MutuBakuQuery.shape) => {
    const checked = checkField(MutuBakuQuery.shape[name], params.get(name) ?? '');
    if (typeof checked === 'string') return checked;
    refused.push(checked.error);
    return '';
  };
  const values = {
    dari: text('dari') || addDays(today, -(DEFAULT_PERIOD_DAYS - 1)),
    sampai: text('sampai') || today,
    sop: text('sop'),
  };
  const filter: MutuBakuFilter = {
    pemdaId: principal.pemdaId,
    from: values.dari,
    to: values.sampai,
    ...(values.sop ? { sopId: values.sop } : {}),
  };
  const fail = (error: string): ParsedQuery => ({ filter, values, error });
  if (refused.length) return fail(`${refused[0]}.`);
  if (!isIsoDate(values.dari))
    return fail('Tanggal awal periode tidak valid. Gunakan tanggal yang ada, format TTTT-BB-HH (contoh: 2026-01-31).');
  if (!isIsoDate(values.sampai))
    return fail('Tanggal akhir periode tidak valid. Gunakan tanggal yang ada, format TTTT-BB-HH (contoh: 2026-12-31).');
  const days = dayNumber(values.sampai) - dayNumber(values.dari) + 1;
  if (days < 1) return fail('Tanggal awal periode tidak boleh sesudah tanggal akhir.');
  if (days > MAX_PERIOD_DAYS) return fail('Periode paling panjang lima tahun; persempit rentang tanggalnya.');
  if (values.sop && !sopsOf(app, principal.pemdaId).some((s) => s.id === values.sop))
    return fail('SOP yang dipilih tidak dikenal untuk pemda Anda. Pilih dari daftar SOP.');
  return { filter, values };
}

function sopsOf(app: WebUseCases, pemdaId: string): { id: string; nama: string }[] {
  return app.catalog.sops
    .all()
    .filter((s) => s.definition.pemda === pemdaId)
    .map((s) => ({ id: s.definition.id, nama: s.definition.header.nama }))
    .sort((a, b) => a.nama.localeCompare(b.nama, 'id'));
}

const persen = (share: number | null) => (share === null ? '-' : `${Math.round(share * 100)}%`);

function stepView(row: StepFigures, perDay: number) {
  const durasi = (m: number) => formatDurasi(Math.round(m), perDay);
  return {
    no: row.no,
    langkah: row.link ? `${row.stepId} (${row.link})` : row.stepId,
    // The uraian can run to several lines: the table shows its start, the full text on hover and in the CSV.
    uraian: row.label.length > 60 ? `${row.label.slice(0, 59).trimEnd()}…` : row.label,
    uraianLengkap: row.label,
    pelaksana: row.jabatan,
    n: row.n,
    kasus: row.cases,
    ulangan: row.repeats,
    median: durasi(row.medianMinutes),
    p90: durasi(row.p90Minutes),
    rataRata: durasi(row.meanMinutes),
    mutuBaku: row.standard?.raw ?? row.perkiraan?.raw ?? '-',
    lewatPerkiraan: row.pastEstimate,
    tepatWaktu: persen(row.shareOnTime),
    terlambat: row.late,
    dinilai: row.measured,
    lewat: row.standard?.maxMenit != null && row.medianMinutes > row.standard.maxMenit,
  };
}

function reportView(report: MutuBakuReport, sops: { id: string; nama: string }[], sopId?: string) {
  const perDay = report.minutesPerDay;
  const shown = sopId ? sops.filter((s) => s.id === sopId) : sops;
  return shown.map((s, i) => {
    const figures = report.sops.find((f) => f.sopId === s.id);
    if (!figures) return { nama: s.nama, kosong: true };
    const chartLabel = (r: StepFigures) => `${r.link ? `${r.stepId} (${r.link})` : r.stepId} · ${r.jabatan}`;
    return {
      nama: figures.nama,
      kosong: false,
      jumlah: figures.totals.activations,
      kasus: figures.totals.cases,
      tepatWaktu: persen(figures.totals.shareOnTime),
      terlambat: figures.totals.late,
      dinilai: figures.totals.measured,
      eksternal: figures.totals.externalActivations,
      eksternalWaktu: formatDurasi(figures.totals.externalMinutes, perDay),
      grafikWaktu: figures.steps.length
        ? durationChart(
            `waktu-${i}`,
            `Waktu kerja per langkah: ${figures.nama}`,
            figures.steps.map((r) => ({
              label: chartLabel(r),
              medianMinutes: r.medianMinutes,
              p90Minutes: r.p90Minutes,
              standard:
                r.standard?.minMenit != null && r.standard.maxMenit != null
                  ? { min: r.standard.minMenit, max: r.standard.maxMenit, raw: r.standard.raw }
                  : null,
              n: r.n,
            })),
            perDay,
          )
        : '',
      grafikTepat: figures.steps.some((r) => r.measured)
        ? onTimeChart(
            `tepat-${i}`,
            `Persentase tepat waktu per langkah: ${figures.nama}`,
            figures.steps.map((r) => ({
              label: chartLabel(r),
              share: r.shareOnTime,
              measured: r.measured,
              late: r.late,
            })),
          )
        : '',
      langkah: figures.steps.map((r) => stepView(r, perDay)),
      pihakLuar: figures.external.map((r) => stepView(r, perDay)),
      aktor: figures.actors.map((a) => ({
        jabatan: a.jabatan,
        n: a.n,
        tepatWaktu: persen(a.shareOnTime),
        terlambat: a.late,
        dinilai: a.measured,
        total: formatDurasi(a.totalMinutes, perDay),
      })),
    };
  });
}

export function analyticsRoutes(ctx: WebContext): Route[] {
  const { app } = ctx;
  const allowed = (p: Principal) => canSeeAnalytics(p, p.pemdaId);
  const kop = (pemdaId: string) => app.catalog.pemda(pemdaId).directory.data.pemda.kop.join(' · ');

  const render = (status: number, session: Session, model: Record<string, unknown>): HttpResult =>
    ctx.html(status, 'mutu-baku', model, TITLE, { kop: kop(session.principal.pemdaId), session });

  const page = async (event: WebRequest): Promise<HttpResult> => {
    const found = await ctx.signedIn(event, allowed);
    if (found.result) return found.result;
    const { session } = found;
    const principal = session.principal;
    const sops = sopsOf(app, principal.pemdaId);
    const query = parseQuery(app, principal, event);
    const form = {
      ...query.values,
      sops: sops.map((s) => ({ ...s, selected: s.id === query.values.sop })),
      pemda: app.catalog.pemda(principal.pemdaId).directory.data.pemda.nama,
    };
    if (query.error) return render(400, session, { form, salah: query.error });
    const { facts, report } = await app.mutuBaku.report(principal.pemdaId, query.filter);
    // The figures are the pemda's; the open cases listed by name are only those the principal may open.
    const visible = facts.filter(({ record, tasks }) => {
      try {
        return canSeeCase(principal, {
          record,
          sopUnits: unitsOfSop(app.runtime.sopOf(record).definition.header),
          tasks: [...tasks],
        });
      } catch {
        return false;
      }
    });
    const forecasts = app.mutuBaku.openForecasts(facts, visible, principal.pemdaId, query.filter.sopId);
    const csvQuery = new URLSearchParams({
      dari: query.values.dari,
      sampai: query.values.sampai,
      ...(query.values.sop ? { sop: query.values.sop } : {}),
    }).toString();
    return render(200, session, {
      form,
      periode: `${tanggalPanjang(query.values.dari)} s.d. ${tanggalPanjang(query.values.sampai)}`,
      sop: reportView(report, sops, query.filter.sopId),
      csvUrl: `/konsol/mutu-baku.csv?${csvQuery}`,
      menitPerHari: report.minutesPerDay,
      perkiraan: forecasts.slice(0, FORECASTS_SHOWN).map((f) => ({
        caseId: f.caseId,
        url: `/konsol/kasus/${encodeURIComponent(f.caseId)}`,
        perihal: f.perihal,
        sopNama: f.sopNama,
        langkah: f.current.label,
        batasWaktu: f.short.dueAt,
        terlambat: f.current.overdue,
        mutuBaku: f.short.standard,
        realistis: f.short.realistic,
        sisa: f.steps.length,
        tanpaWaktu: f.untimed,
      })),
      perkiraanLebih: forecasts.length > FORECASTS_SHOWN ? forecasts.length : 0,
      jumlahPerkiraan: forecasts.length,
    });
  };

  const csv = async (event: WebRequest): Promise<HttpResult> => {
    const found = await ctx.signedIn(event, allowed);
    if (found.result) return found.result;
    const { session } = found;
    const principal = session.principal;
    const query = parseQuery(app, principal, event);
    if (query.error) {
      const sops = sopsOf(app, principal.pemdaId);
      return render(400, session, {
        form: { ...query.values, sops: sops.map((s) => ({ ...s, selected: s.id === query.values.sop })) },
        salah: query.error,
      });
    }
    const { report } = await app.mutuBaku.report(principal.pemdaId, query.filter);
    const name = `mutu-baku-${principal.pemdaId}-${query.values.dari}-${query.values.sampai}${query.values.sop ? `-${query.values.sop}` : ''}`;
    return attachment(`${name}.csv`, 'text/csv; charset=utf-8', mutuBakuCsv(report));
  };

  return [
    { method: 'GET', pattern: /^\/konsol\/mutu-baku\/?$/, run: (e) => page(e) },
    { method: 'GET', pattern: /^\/konsol\/mutu-baku\.csv$/, run: (e) => csv(e) },
  ];
}
