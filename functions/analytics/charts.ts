import { formatDurasi } from '../../core/format/tanggal.ts';

/**
 * The Mutu Baku charts as inline SVG, drawn on the server (no library, no external resource, no script). Every
 * text is escaped here; the page inserts the markup as is. Made to print: dark fills and hatching rather than
 * colour alone, a white background, and the figures also written as text; each chart has a title and a
 * description for screen readers (the table below it holds the same figures).
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

const esc = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
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

function frame(id: string, title: string, desc: string, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" ` +
    `aria-labelledby="${id}-judul ${id}-uraian" class="grafik" font-family="system-ui, Arial, sans-serif">` +
    `<title id="${id}-judul">${esc(title)}</title><desc id="${id}-uraian">${esc(desc)}</desc>` +
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>${body}</svg>`
  );
}

/**
 * Per step: a bar to the median working time, a whisker to the 90th percentile, and the Mutu Baku as a black
 * mark (a grey band for a range). Log scale, so that 15 minutes and 5 days both show. A median past the standard
 * is hatched.
 */
export function durationChart(id: string, title: string, rows: readonly DurationBar[], perDay: number): string {
  const all = rows.flatMap((r) => [r.medianMinutes, r.p90Minutes, ...(r.standard ? [r.standard.max] : [])]);
  const marks = ticks(perDay);
  const high = Math.max(60, ...all.filter(Number.isFinite));
  const low = Math.max(1, Math.min(15, ...all.filter((v) => Number.isFinite(v) && v > 0)));
  const from = [...marks].reverse().find((t) => t.at <= low)?.at ?? 1;
  const to = marks.find((t) => t.at >= high)?.at ?? high;
  const [l0, l1] = [Math.log(from), Math.log(to)];
  const x = (minutes: number) => LEFT + (PLOT * (Math.log(Math.max(from, Math.min(to, minutes))) - l0)) / (l1 - l0);
  const height = TOP + rows.length * ROW + 34;
  const parts: string[] = [
    `<defs><pattern id="${id}-arsir" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
      `<rect width="6" height="6" fill="#fecaca"/><line x1="0" y1="0" x2="0" y2="6" stroke="#7f1d1d" stroke-width="3"/></pattern></defs>`,
    // Legend.
    `<g font-size="12" fill="#111827">` +
      `<rect x="${LEFT}" y="8" width="18" height="10" fill="#1e3a8a"/><text x="${LEFT + 24}" y="17">median</text>` +
      `<rect x="${LEFT + 86}" y="8" width="18" height="10" fill="url(#${id}-arsir)" stroke="#7f1d1d"/><text x="${LEFT + 110}" y="17">median melewati Mutu Baku</text>` +
      `<line x1="${LEFT + 290}" y1="13" x2="${LEFT + 314}" y2="13" stroke="#111827" stroke-width="1.5"/><line x1="${LEFT + 314}" y1="7" x2="${LEFT + 314}" y2="19" stroke="#111827" stroke-width="1.5"/><text x="${LEFT + 320}" y="17">persentil ke-90</text>` +
      `<rect x="${LEFT + 428}" y="5" width="4" height="16" fill="#000000"/><text x="${LEFT + 438}" y="17">Mutu Baku</text>` +
      `</g>`,
  ];
  for (const t of marks) {
    if (t.at < from || t.at > to) continue;
    const tx = num(x(t.at));
    // The first and last labels align inward so that they are not cut at the edges.
    const anchor = t.at === from ? 'start' : t.at === to ? 'end' : 'middle';
    parts.push(
      `<line x1="${tx}" y1="${TOP - 6}" x2="${tx}" y2="${TOP + rows.length * ROW}" stroke="#d1d5db" stroke-dasharray="3 3"/>` +
        `<text x="${tx}" y="${TOP + rows.length * ROW + 16}" font-size="11" fill="#374151" text-anchor="${anchor}">${t.label}</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = TOP + i * ROW;
    const barY = y + 18;
    const late = r.standard !== null && r.medianMinutes > r.standard.max;
    const median = formatDurasi(Math.round(r.medianMinutes), perDay);
    const p90 = formatDurasi(Math.round(r.p90Minutes), perDay);
    const tip = `${r.label}: median ${median}, persentil ke-90 ${p90}, Mutu Baku ${r.standard?.raw ?? 'tidak ada'} (n = ${r.n})`;
    const band =
      r.standard && r.standard.max > r.standard.min
        ? `<rect x="${num(x(r.standard.min))}" y="${barY - 4}" width="${num(Math.max(1, x(r.standard.max) - x(r.standard.min)))}" height="22" fill="#e5e7eb"/>`
        : '';
    const standardMark = r.standard
      ? `<rect x="${num(x(r.standard.max) - 2)}" y="${barY - 5}" width="4" height="24" fill="#000000"/>`
      : '';
    const mx = x(r.medianMinutes);
    const px = x(r.p90Minutes);
    parts.push(
      `<g><title>${esc(tip)}</title>` +
        `<text x="${LEFT}" y="${y + 12}" font-size="12.5" fill="#111827">${esc(truncate(r.label, 70))}</text>` +
        band +
        `<rect x="${LEFT}" y="${barY}" width="${num(Math.max(1, mx - LEFT))}" height="14" fill="${late ? `url(#${id}-arsir)` : '#1e3a8a'}"${late ? ' stroke="#7f1d1d"' : ''}/>` +
        (px > mx
          ? `<line x1="${num(mx)}" y1="${barY + 7}" x2="${num(px)}" y2="${barY + 7}" stroke="#111827" stroke-width="1.5"/>` +
            `<line x1="${num(px)}" y1="${barY + 1}" x2="${num(px)}" y2="${barY + 13}" stroke="#111827" stroke-width="1.5"/>`
          : '') +
        standardMark +
        `<text x="${num(Math.min(WIDTH - RIGHT, Math.max(mx, px) + 6))}" y="${barY + 11}" font-size="11" fill="#111827"${Math.max(mx, px) > WIDTH - 140 ? ' text-anchor="end" dy="-14"' : ''}>${esc(median)}</text>` +
        `</g>`,
    );
  });
  const desc =
    'Median waktu kerja tiap langkah (batang), persentil ke-90 (garis), dan Mutu Baku Waktu (tanda hitam), ' +
    'dalam skala logaritmik jam kerja. Angka lengkap ada pada tabel di bawahnya.';
  return frame(id, title, desc, height, parts.join(''));
}

/** Per step: the share of activations completed on time (0–100 %), with the count of late ones written beside. */
export function onTimeChart(id: string, title: string, rows: readonly OnTimeBar[]): string {
  const plot = PLOT - 110;
  const height = 12 + rows.length * ROW + 20;
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const y = 12 + i * ROW;
    const barY = y + 18;
    const x0 = LEFT;
    const text =
      r.share === null
        ? 'tanpa Mutu Baku'
        : `${Math.round(r.share * 100)}% tepat waktu (${r.late} terlambat dari ${r.measured})`;
    parts.push(
      `<g><title>${esc(`${r.label}: ${text}`)}</title>` +
        `<text x="${LEFT}" y="${y + 12}" font-size="12.5" fill="#111827">${esc(truncate(r.label, 70))}</text>` +
        `<rect x="${x0}" y="${barY}" width="${plot}" height="14" fill="#ffffff" stroke="#6b7280"/>` +
        (r.share === null
          ? ''
          : `<rect x="${x0}" y="${barY}" width="${num(plot * r.share)}" height="14" fill="#166534"/>`) +
        `<text x="${x0 + plot + 6}" y="${barY + 11}" font-size="11" fill="#111827">${esc(
          r.share === null ? '-' : `${Math.round(r.share * 100)}%`,
        )}</text></g>`,
    );
  });
  for (const p of [0, 0.5, 1])
    parts.push(
      `<text x="${num(LEFT + plot * p)}" y="${height - 4}" font-size="11" fill="#374151" text-anchor="${p === 0 ? 'start' : p === 1 ? 'end' : 'middle'}">${p * 100}%</text>`,
    );
  const desc =
    'Persentase pelaksanaan tiap langkah yang selesai dalam Mutu Baku Waktu (batang hijau tua dari 0 sampai 100%). ' +
    'Angka lengkap ada pada tabel di bawahnya.';
  return frame(id, title, desc, height, parts.join(''));
}
