import { pageGeometry } from '../documents/common.ts';
import {
  pelaksanaColumns,
  prepareSop,
  SopDocumentSchema,
  type Drawing,
  type SopView,
  type SvgLine,
  type TandaView,
} from '../documents/sop.ts';
import { isGate, type SopDefinition } from './schema.ts';

/**
 * The SOP's swimlane chart for a web page: one SVG, the Pelaksana as columns, the steps as rows, each step's
 * symbol (process box, decision diamond, terminator) in its actor's lane with the arrows and connectors between
 * them. The symbols and arrows are the SOP document's own (`prepareSop` in core/documents/sop.ts), so the console
 * shows the flow exactly as the printed SOP AP draws it; this module only stacks the rows into one drawing, adds
 * the step labels and lane headings, and marks each step's state in the case. Pure: geometry in px, no markup.
 */

export type StepState = 'selesai' | 'sekarang' | 'belum';

/** A line of text placed in the chart (px). */
export interface SwimlaneText {
  x: number;
  y: number;
  teks: string;
}

export interface SwimlaneLane {
  id: string;
  jabatan: string;
  x: number;
  w: number;
  /** A Pelaksana column of the source; false: an actor the product added (shaded, marked as its reading). */
  sumber: boolean;
  /** The jabatan wrapped to the lane's width, centred in the heading. */
  lines: SwimlaneText[];
}

export interface SwimlaneRow {
  id: string;
  no: string;
  /** The uraian, wrapped for the label column (shortened when long; `judul` has all of it). */
  lines: SwimlaneText[];
  judul: string;
  /** The product's readings in the step, numbered as in the SOP AP document's "Catatan pembacaan Sepakat". */
  tanda: TandaView[];
  /** Where each mark is written, under the uraian ("[3] Keputusan ditambahkan Sepakat"). */
  tandaLines: SwimlaneText[];
  y: number;
  h: number;
  lane: number;
  state: StepState;
  /** Where the step number sits in the label column. */
  noAt: { x: number; y: number };
  /**
   * The cell of the row's actor (of the acting link's actor, for the current step of a chain): where the highlight
   * goes, and where its state mark (✓, ▶) sits.
   */
  cell: { x: number; y: number; w: number; h: number };
  markAt: { x: number; y: number };
  /** The SVG transform that places the row's drawing. */
  transform: string;
  /** The row's symbols and arrows, in px relative to the row's top-left corner within the lanes. */
  drawing: Drawing;
}

export interface Swimlane {
  width: number;
  height: number;
  /** Width of the label column (No and Uraian) left of the lanes. */
  labelWidth: number;
  headerHeight: number;
  lanes: SwimlaneLane[];
  rows: SwimlaneRow[];
  /** x of the lines between lanes (and between the labels and the first lane). */
  separators: number[];
  /** The lanes the product added, shaded: x and width, or null. */
  apart: { x: number; w: number } | null;
  /** The headings over the source's lanes and the added ones, with the note that explains the latter. */
  laneGroups: { judul: string; catatan: number | null; x: number; w: number; sumber: boolean }[];
  /** "Catatan pembacaan Sepakat", as the document prints it. */
  catatan: string[];
  /** The Mutu Baku total as the document prints it: the source's, or computed and said to be. */
  totalWaktu: SopView['flow']['totalWaktu'];
}

const PX = 96 / 25.4;
/** Lane width (mm, as in the SOP document) the chart aims for: wide enough for the symbols at screen size. */
const LANE_MM = 24;
export const LABEL_WIDTH = 220;
/** The step number's share of the label column. */
const LABEL_NO_WIDTH = 30;
const LABEL_CHARS = 32;
const LABEL_LINES = 3;
const LINE_H = 14;
const HEADER_LINE_H = 13;
const MIN_ROW_H = 50;
/** Height of the band naming the lane groups. */
const GROUP_H = 16;

/** Words wrapped to `width` characters per line, at most `maxLines` lines (the last one ends in "…" if cut). */
export function wrapText(text: string, width: number, maxLines: number): string[] {
  const words = text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    const w = word.length > width ? `${word.slice(0, width - 1)}…` : word;
    if (!current) current = w;
    else if (current.length + 1 + w.length <= width) current = `${current} ${w}`;
    else {
      lines.push(current);
      current = w;
    }
  }
  if (current) lines.push(current);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1]!;
  kept[maxLines - 1] = `${last.slice(0, Math.max(0, width - 1)).replace(/[\s…]+$/, '')}…`;
  return kept;
}

/**
 * The chart of `def`, with `states` marking steps by id: the current step ('sekarang') and the steps already done
 * ('selesai'); any other step is 'belum'. `currentActor` is the actor whose turn it is within the current step (a
 * link of a chain, e.g. the Asisten's paraf in the Penata Kelola's step): the highlight goes to that lane.
 */
export function buildSwimlane(
  def: SopDefinition,
  states: Readonly<Record<string, StepState>> = {},
  currentActor?: string,
): Swimlane {
  const doc = SopDocumentSchema.parse({ sop: def });
  // A page wide enough that each lane gets about LANE_MM (the document's text columns are not drawn here).
  const lanesCount = Math.max(1, pelaksanaColumns(def).length);
  const base = pageGeometry('A4', true, { top: 10, right: 10, bottom: 10, left: 10 });
  const view = prepareSop(doc, { ...base, contentWidth: 207 + Math.max(243, lanesCount * LANE_MM) });
  const laneCount = view.flow.lanes.length;
  const laneW = view.flow.svgWidth / Math.max(1, laneCount);
  // Bold 11 px headings take about 7 px a character.
  const chars = Math.max(6, Math.floor((laneW - 6) / 7));
  const lanes: SwimlaneLane[] = view.flow.lanes.map((l, i) => ({
    id: l.id,
    jabatan: l.jabatan,
    sumber: l.sumber,
    x: r2(LABEL_WIDTH + i * laneW),
    w: r2(laneW),
    lines: wrapText(l.jabatan, chars, 5).map((teks, j) => ({
      x: r2(LABEL_WIDTH + (i + 0.5) * laneW),
      y: 16 + j * HEADER_LINE_H,
      teks,
    })),
  }));
  // A band above the lane headings names the groups (the source's Pelaksana, the product's additions).
  const groupBand = view.flow.laneGroups.some((g) => !g.sumber) ? GROUP_H : 0;
  for (const lane of lanes) for (const line of lane.lines) line.y += groupBand;
  const headerHeight = 12 + groupBand + Math.max(1, ...lanes.map((l) => l.lines.length)) * HEADER_LINE_H;
  let groupX = LABEL_WIDTH;
  const laneGroups = view.flow.laneGroups.map((g) => {
    const group = { judul: g.judul, catatan: g.catatan, sumber: g.sumber, x: r2(groupX), w: r2(g.span * laneW) };
    groupX += g.span * laneW;
    return group;
  });

  const rows: SwimlaneRow[] = [];
  let y = headerHeight;
  for (const row of view.flow.pages.flatMap((p) => p.rows)) {
    const step = def.steps.find((s) => s.id === row.id);
    const judul = step && isGate(step) ? step.gate.question : row.uraian;
    const no = row.no.replace(/\.$/, '');
    const lines = wrapText(judul, LABEL_CHARS, LABEL_LINES);
    const state = states[row.id] ?? 'belum';
    const focus = state === 'sekarang' && currentActor ? lanes.findIndex((l) => l.id === currentActor) : -1;
    const cellLane = focus >= 0 ? focus : row.lane;
    const h = Math.ceil(Math.max(MIN_ROW_H, row.minHeight * PX, 14 + (lines.length + row.tanda.length) * LINE_H));
    rows.push({
      id: row.id,
      no,
      lines: lines.map((teks, j) => ({ x: LABEL_NO_WIDTH, y: y + 18 + j * LINE_H, teks })),
      judul,
      tanda: row.tanda,
      tandaLines: row.tanda.map((t, j) => ({
        x: LABEL_NO_WIDTH,
        y: y + 18 + (lines.length + j) * LINE_H,
        teks: `[${t.nomor}] ${t.teks}`,
      })),
      y,
      h,
      lane: row.lane,
      state,
      noAt: { x: 8, y: y + 18 },
      cell: { x: r2(LABEL_WIDTH + cellLane * laneW), y, w: r2(laneW), h },
      markAt: { x: r2(LABEL_WIDTH + (cellLane + 1) * laneW - 8), y: y + 14 },
      transform: `translate(${LABEL_WIDTH} ${y})`,
      // "100%" in the document means the bottom of the table row: here, the row's height.
      drawing: {
        ...row.drawing,
        lines: row.drawing.lines.map((l): SvgLine => ({ ...l, y2: l.y2 === '100%' ? h : l.y2 })),
      },
    });
    y += h;
  }
  return {
    width: Math.ceil(LABEL_WIDTH + view.flow.svgWidth),
    height: y,
    labelWidth: LABEL_WIDTH,
    headerHeight,
    lanes,
    rows,
    separators: lanes.map((l) => l.x),
    apart: view.flow.apart ? { x: r2(LABEL_WIDTH + view.flow.apart.x), w: view.flow.apart.w } : null,
    laneGroups,
    catatan: view.catatan,
    totalWaktu: view.flow.totalWaktu,
  };
}

const r2 = (n: number) => Math.round(n * 100) / 100;
