import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ChartTemplates,
  DEFAULT_CHART_DIR,
  durationChart,
  onTimeChart,
  useChartTemplates,
  type DurationBar,
} from '../functions/analytics/charts.ts';

/** The Mutu Baku charts: positions computed in code, SVG written by templates/charts through the one loader. */
const PER_DAY = 450;
const rows: DurationBar[] = [
  {
    label: 'L1 Kabag <Tapem> & "Hukum"',
    medianMinutes: 120,
    p90Minutes: 900,
    standard: { min: 60, max: 480, raw: '1–8 jam' },
    n: 5,
  },
  { label: 'L2 Sekda', medianMinutes: 2000, p90Minutes: 2000, standard: { min: 450, max: 450, raw: '1 hari' }, n: 2 },
  { label: 'L3 Walikota', medianMinutes: 10, p90Minutes: 30, standard: null, n: 1 },
];

const elements = (svg: string, name: string) =>
  [...svg.matchAll(new RegExp(`<${name}\\b[^>]*>`, 'g'))].map((m) => m[0]);

describe('durationChart', () => {
  it('titles and describes the chart, escapes every text, and marks each step by its figures', () => {
    // Act
    const svg = durationChart('waktu-0', 'Waktu <kerja>', rows, PER_DAY);

    // Assert
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 204"')).toBe(true);
    expect(svg).toContain('<title id="waktu-0-judul">Waktu &lt;kerja&gt;</title>');
    expect(svg).toContain('L1 Kabag &lt;Tapem&gt; &amp; &quot;Hukum&quot;');
    expect(svg).not.toContain('<Tapem>');
    expect(svg).not.toMatch(/<script|on\w+=/i);
    // One group per step, each with its tooltip; a bar per step, hatched only where the median passes the standard.
    expect(svg.match(/<g><title>/g)).toHaveLength(3);
    const bars = elements(svg, 'rect').filter((r) => r.includes('height="14"'));
    expect(bars.map((b) => b.includes('url(#waktu-0-arsir)'))).toEqual([false, true, false]);
    // The Mutu Baku: a band for a range (L1 only), a mark for each step that has one (L1, L2).
    expect(elements(svg, 'rect').filter((r) => r.includes('fill="#e5e7eb"'))).toHaveLength(1);
    expect(elements(svg, 'rect').filter((r) => r.includes('height="24"'))).toHaveLength(2);
    // A whisker where the 90th percentile lies beyond the median (L1, L3), two lines each.
    expect(
      elements(svg, 'line').filter((l) => l.includes('stroke-width="1.5"') && !l.includes('y1="13"')),
    ).toHaveLength(2 * 2 + 1);
    expect(svg).toContain('median 2 jam, persentil ke-90 2 hari, Mutu Baku 1–8 jam (n &#x3D; 5)');
    // No white space inside a text element: what is printed is exactly the figure.
    for (const m of svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)) expect(m[1]).toBe(m[1]!.trim());
  });
});

describe('onTimeChart', () => {
  it('draws the share on time from 0 to 100 % and says when a step has no standard', () => {
    const svg = onTimeChart('tepat-0', 'Tepat waktu', [
      { label: 'L1', share: 0.5, measured: 4, late: 2 },
      { label: 'L2', share: null, measured: 0, late: 0 },
    ]);
    expect(elements(svg, 'rect').filter((r) => r.includes('fill="#166534"'))).toEqual([
      '<rect x="8" y="30" width="253" height="14" fill="#166534"/>',
    ]);
    expect(svg).toContain('<title>L1: 50% tepat waktu (2 terlambat dari 4)</title>');
    expect(svg).toContain('<title>L2: tanpa Mutu Baku</title>');
    expect([...svg.matchAll(/text-anchor="(\w+)">(\d+%)</g)].map((m) => `${m[1]} ${m[2]}`)).toEqual([
      'start 0%',
      'middle 50%',
      'end 100%',
    ]);
  });
});

describe('chart templates', () => {
  const copy = mkdtempSync(join(tmpdir(), 'sepakat-charts-'));
  afterAll(() => {
    useChartTemplates(DEFAULT_CHART_DIR);
    rmSync(copy, { recursive: true, force: true });
  });

  it('are read from the directory the app names (in AWS, beside the bundle)', () => {
    // Arrange
    cpSync(DEFAULT_CHART_DIR, copy, { recursive: true });
    const file = join(copy, 'tepat-waktu.hbs');
    writeFileSync(file, readFileSync(file, 'utf8').replace('fill="#166534"', 'fill="#000001"'));

    // Act
    useChartTemplates(copy);
    const svg = onTimeChart('t', 'T', [{ label: 'L1', share: 1, measured: 1, late: 0 }]);

    // Assert
    expect(svg).toContain('fill="#000001"');
    expect(onTimeChart('t', 'T', [{ label: 'L1', share: 1, measured: 1, late: 0 }], new ChartTemplates())).toContain(
      'fill="#166534"',
    );
  });
});
