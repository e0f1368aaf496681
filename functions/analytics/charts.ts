import { fileURLToPath } from 'node:url';
import { formatDurasi } from '../../core/format/tanggal.ts';
import { TemplateFolder, type Template } from '../render/handlebars.ts';

/**
 * The Mutu Baku charts as inline SVG, drawn on the server (no library, no external resource, no script): this module
 * computes every position and text, and the Handlebars templates of `templates/charts` (through the one loader, its
 * `documents` rules: every value escaped, no helpers) write the markup; the page inserts it as is. Made to print:
 * dark fills and hatching rather than colour alone, a white background, and the figures also written as text; each
 * chart has a title and a description for screen readers (the table below it holds the same figures).
 */

export interface DurationBar {
  /** Short row label ("L5.1 Kepala Bagian Tata Pemerintahan"). */
  label: string;
  medianMinutes: number;
  p90Minutes: number;
  /** The Waktu in working minutes (lower and upper bound); null without a standard in working time. */
  standard: { min: number; max: number; raw: string } | null;
  n: number;
}

export interface OnTimeBar {
  label: string;
  /** 0..1; null when the step has no standard. */
  share: number | null;
  measured: number;
  late: number;
}

const WIDTH = 640;
const LEFT = 8;
const RIGHT = 16;
const PLOT = WIDTH - LEFT - RIGHT;
const ROW = 42;
const TOP = 44;

const num = (n: number) => String(Math.round(n * 10) / 10);
const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Tick marks of the log time axis, in working minutes (a day is `perDay`). */
function ticks(perDay: number): { at: number; label: string }[] {
  return [
    { at: 1, label: '1 mnt' },
    { at: 15, label: '15 mnt' },
    { at: 60, label: '1 jam' },
    { at: 4 * 60, label: '4 jam' },
    { at: perDay, label: '1 hari' },
    { at: 3 * perDay, label: '3 hari' },
    { at: 10 * perDay, label: '10 hari' },
    { at: 30 * perDay, label: '30 hari' },
    { at: 100 * perDay, label: '100 hari' },
  ];
}

export const DEFAULT_CHART_DIR = fileURLToPath(new URL('../../templates/charts/', import.meta.url));

/** The chart templates (`templates/charts`): the duration chart, the on-time chart and their frame. */
export class ChartTemplates {
  readonly duration: Template;
  readonly onTime: Template;

  constructor(readonly dir: string = DEFAULT_CHART_DIR) {
    const folder = new TemplateFolder(dir, 'documents', 'templates/charts');
    folder.partials('partials');
    this.duration = folder.load('durasi.hbs');
    this.onTime = folder.load('tepat-waktu.hbs');
  }
}

let configured: ChartTemplates | undefined;

/**
 * Where the charts' templates are read: the app calls this with its templates directory (in AWS they sit beside
 * the bundle, not where this module's URL points); without it, the project's `templates/charts`.
 */
export function useChartTemplates(dir: string): void {
  if (configured?.dir !== dir) configured = new ChartTemplates(dir);
}

const charts = () => (configured ??= new ChartTemplates());

/**
 * Per step: a bar to the median working time, a whisker to the 90th percentile, and the Mutu Baku as a black
 * mark (a grey band for a range). Log scale, so that 15 minutes and 5 days both show. A median past the standard
 * is hatched.
 */
export function durationChart(
  id: string,
  title: string,
  rows: readonly DurationBar[],
  perDay: number,
  templates: ChartTemplates = charts(),
): string {
  const all = rows.flatMap((r) => [r.medianMinutes, r.p90Minutes, ...(r.standard ? [r.standard.max] : [])]);
  const marks = ticks(perDay);
  const high = Math.max(60, ...all.filter(Number.isFinite));
  const low = Math.max(1, Math.min(15, ...all.filter((v) => Number.isFinite(v) && v > 0)));
  const from = [...marks].reverse().find((t) => t.at <= low)?.at ?? 1;
  const to = marks.find((t) => t.at >= high)?.at ?? high;
  const [l0, l1] = [Math.log(from), Math.log(to)];
  const x = (minutes: number) => LEFT + (PLOT * (Math.log(Math.max(from, Math.min(to, minutes))) - l0)) / (l1 - l0);
  const bottom = TOP + rows.length * ROW;
  return templates.duration({
    id,
    title,
    desc:
      'Median waktu kerja tiap langkah (batang), persentil ke-90 (garis), dan Mutu Baku Waktu (tanda hitam), ' +
      'dalam skala logaritmik jam kerja. Angka lengkap ada pada tabel di bawahnya.',
    width: WIDTH,
    height: bottom + 34,
    left: LEFT,
    ticks: marks
      .filter((t) => t.at >= from && t.at <= to)
      .map((t) => ({
        x: num(x(t.at)),
        top: TOP - 6,
        bottom,
        labelY: bottom + 16,
        // The first and last labels align inward so that they are not cut at the edges.
        anchor: t.at === from ? 'start' : t.at === to ? 'end' : 'middle',
        label: t.label,
      })),
    rows: rows.map((r, i) => {
      const y = TOP + i * ROW;
      const barY = y + 18;
      const median = formatDurasi(Math.round(r.medianMinutes), perDay);
      const p90 = formatDurasi(Math.round(r.p90Minutes), perDay);
      const mx = x(r.medianMinutes);
      const px = x(r.p90Minutes);
      return {
        tip: `${r.label}: median ${median}, persentil ke-90 ${p90}, Mutu Baku ${r.standard?.raw ?? 'tidak ada'} (n = ${r.n})`,
        labelY: y + 12,
        label: truncate(r.label, 70),
        band:
          r.standard && r.standard.max > r.standard.min
            ? {
                x: num(x(r.standard.min)),
                y: barY - 4,
                width: num(Math.max(1, x(r.standard.max) - x(r.standard.min))),
              }
            : undefined,
        barY,
        barWidth: num(Math.max(1, mx - LEFT)),
        late: r.standard !== null && r.medianMinutes > r.standard.max,
        whisker: px > mx ? { from: num(mx), to: num(px), y: barY + 7, top: barY + 1, bottom: barY + 13 } : undefined,
        standard: r.standard ? { x: num(x(r.standard.max) - 2), y: barY - 5 } : undefined,
        value: {
          x: num(Math.min(WIDTH - RIGHT, Math.max(mx, px) + 6)),
          y: barY + 11,
          inward: Math.max(mx, px) > WIDTH - 140,
          text: median,
        },
      };
    }),
  });
}

/** Per step: the share of activations completed on time (0–100 %), with the count of late ones written beside. */
export function onTimeChart(
  id: string,
  title: string,
  rows: readonly OnTimeBar[],
  templates: ChartTemplates = charts(),
): string {
  const plot = PLOT - 110;
  const height = 12 + rows.length * ROW + 20;
  return templates.onTime({
    id,
    title,
    desc:
      'Persentase pelaksanaan tiap langkah yang selesai dalam Mutu Baku Waktu (batang hijau tua dari 0 sampai 100%). ' +
      'Angka lengkap ada pada tabel di bawahnya.',
    width: WIDTH,
    height,
    left: LEFT,
    plot,
    rows: rows.map((r, i) => {
      const y = 12 + i * ROW;
      const barY = y + 18;
      const text =
        r.share === null
          ? 'tanpa Mutu Baku'
          : `${Math.round(r.share * 100)}% tepat waktu (${r.late} terlambat dari ${r.measured})`;
      return {
        tip: `${r.label}: ${text}`,
        labelY: y + 12,
        label: truncate(r.label, 70),
        barY,
        share: r.share === null ? undefined : { width: num(plot * r.share) },
        valueX: LEFT + plot + 6,
        valueY: barY + 11,
        value: r.share === null ? '-' : `${Math.round(r.share * 100)}%`,
      };
    }),
    scaleY: height - 4,
    scale: [0, 0.5, 1].map((p) => ({
      x: num(LEFT + plot * p),
      anchor: p === 0 ? 'start' : p === 1 ? 'end' : 'middle',
      label: `${p * 100}%`,
    })),
  });
}
