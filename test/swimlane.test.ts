import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deciderOf, pelaksanaColumns } from '../core/documents/sop.ts';
import { loadSop } from '../core/sop/load-sop.ts';
import { isGate } from '../core/sop/schema.ts';
import { buildSwimlane, LABEL_WIDTH, wrapText } from '../core/sop/swimlane.ts';
import { SEED_SOPS } from './support/runtime.ts';

const seed = (id: string) => {
  const file = join(SEED_SOPS, `${id}.yaml`);
  return loadSop(readFileSync(file, 'utf8'), file);
};
const blitar = seed('blitar-pengkoordinasian-nota-kesepakatan');

describe('the swimlane chart of an SOP', () => {
  const chart = buildSwimlane(blitar.definition, { L1: 'selesai', L2: 'selesai', L5: 'sekarang' });

  it('has one lane per Pelaksana, side by side after the label column', () => {
    const columns = pelaksanaColumns(blitar.definition);
    expect(chart.lanes.map((l) => l.id)).toEqual(columns.map((c) => c.id));
    expect(chart.lanes[0]!.x).toBe(LABEL_WIDTH);
    chart.lanes.forEach((lane, i) => {
      if (i > 0) expect(lane.x).toBeCloseTo(chart.lanes[i - 1]!.x + chart.lanes[i - 1]!.w, 1);
      expect(lane.w).toBeGreaterThanOrEqual(80);
      // The heading is the jabatan, wrapped, inside the header band.
      expect(lane.lines.map((l) => l.teks).join(' ')).toBe(lane.jabatan.replace(/\s+/g, ' '));
      for (const line of lane.lines) expect(line.y).toBeLessThan(chart.headerHeight);
    });
    expect(chart.width).toBeGreaterThanOrEqual(Math.floor(chart.lanes.at(-1)!.x + chart.lanes.at(-1)!.w));
  });

  it('stacks one row per step in SOP order, without gaps, below the header', () => {
    expect(chart.rows.map((r) => r.id)).toEqual(blitar.definition.steps.map((s) => s.id));
    expect(chart.rows[0]!.y).toBe(chart.headerHeight);
    chart.rows.forEach((row, i) => {
      if (i > 0) expect(row.y).toBe(chart.rows[i - 1]!.y + chart.rows[i - 1]!.h);
      expect(row.h).toBeGreaterThanOrEqual(50);
      expect(row.transform).toBe(`translate(${LABEL_WIDTH} ${row.y})`);
    });
    expect(chart.height).toBe(chart.rows.at(-1)!.y + chart.rows.at(-1)!.h);
  });

  it("draws each step's symbol in its actor's lane (a decision in the decider's): a diamond, or a box", () => {
    const laneOf = new Map(chart.lanes.map((l, i) => [l.id, i]));
    for (const row of chart.rows) {
      const step = blitar.definition.steps.find((s) => s.id === row.id)!;
      if (isGate(step)) continue;
      const decision = row.drawing.polygons.some((p) => p.kind === 'keputusan');
      expect(row.lane).toBe(laneOf.get(decision ? deciderOf(step) : step.actor));
      const inLane = (x: number) => x + LABEL_WIDTH >= row.cell.x && x + LABEL_WIDTH <= row.cell.x + row.cell.w;
      const shapes = [
        ...row.drawing.rects.filter((r) => !r.mini).map((r) => r.x + r.w / 2),
        ...row.drawing.polygons
          .filter((p) => p.kind === 'keputusan')
          .map((p) => Number(p.points.split(' ')[0]!.split(',')[0])),
      ];
      expect(shapes.some(inLane)).toBe(true);
    }
    const l1 = chart.rows.find((r) => r.id === 'L1')!;
    expect(l1.drawing.polygons.some((p) => p.kind === 'keputusan')).toBe(true);
    const l2 = chart.rows.find((r) => r.id === 'L2')!;
    expect(l2.drawing.rects.some((r) => !r.mini && r.rx === 0)).toBe(true);
  });

  it('joins the rows with arrows that end at the row bottom (no document-relative heights left)', () => {
    for (const row of chart.rows)
      for (const line of row.drawing.lines) {
        expect(typeof line.y2).toBe('number');
        expect(line.y2 as number).toBeLessThanOrEqual(row.h);
      }
    // A step that continues down the page draws a line to its row's bottom edge.
    const l2 = chart.rows.find((r) => r.id === 'L2')!;
    expect(l2.drawing.lines.some((l) => l.y2 === l2.h)).toBe(true);
  });

  it('marks the current step and the steps already done', () => {
    expect(chart.rows.filter((r) => r.state === 'sekarang').map((r) => r.id)).toEqual(['L5']);
    expect(chart.rows.filter((r) => r.state === 'selesai').map((r) => r.id)).toEqual(['L1', 'L2']);
    expect(chart.rows.filter((r) => r.state === 'belum')).toHaveLength(blitar.definition.steps.length - 3);
    const l5 = chart.rows.find((r) => r.id === 'L5')!;
    expect(l5.markAt.x).toBeGreaterThan(l5.cell.x);
    expect(l5.markAt.x).toBeLessThan(l5.cell.x + l5.cell.w);
  });

  it('highlights the lane of the official whose turn it is within a chained step', () => {
    const atParaf = buildSwimlane(blitar.definition, { L8: 'sekarang' }, 'asisten-pemerintahan');
    const lane = atParaf.lanes.find((l) => l.id === 'asisten-pemerintahan')!;
    const l8 = atParaf.rows.find((r) => r.id === 'L8')!;
    expect(l8.cell.x).toBe(lane.x);
    // The step's decision (the Kepala Bagian may return it) stays drawn in the decider's lane.
    expect(l8.lane).toBe(atParaf.lanes.findIndex((l) => l.id === 'kabag-tapem'));
    // Done steps are marked in their own lane; an unknown actor leaves the highlight there too.
    expect(
      buildSwimlane(blitar.definition, { L8: 'sekarang' }, 'tidak-ada').rows.find((r) => r.id === 'L8')!.cell.x,
    ).toBe(atParaf.lanes[l8.lane]!.x);
  });

  it('fits a wide SOP (18 lanes) with every lane still usable', () => {
    const bandung = buildSwimlane(seed('bandung-kerjasama-teknik-luar-negeri').definition);
    expect(bandung.lanes).toHaveLength(18);
    expect(Math.min(...bandung.lanes.map((l) => l.w))).toBeGreaterThanOrEqual(80);
    expect(bandung.rows.every((r) => r.state === 'belum')).toBe(true);
  });

  it('wraps text to a width and a number of lines, ending a cut text with an ellipsis', () => {
    expect(wrapText('Kepala Bagian Tata Pemerintahan', 14, 3)).toEqual(['Kepala Bagian', 'Tata', 'Pemerintahan']);
    const cut = wrapText('satu dua tiga empat lima enam tujuh delapan', 9, 2);
    expect(cut).toHaveLength(2);
    expect(cut[1]!.endsWith('…')).toBe(true);
    expect(wrapText('Supercalifragilistic', 8, 1)).toEqual(['Superca…']);
    for (const line of wrapText('a '.repeat(50), 7, 5)) expect(line.length).toBeLessThanOrEqual(7);
  });
});
