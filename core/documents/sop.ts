import { z } from 'zod';
import {
  isGate,
  isTerminal,
  SopSchema,
  type Automatic,
  type Choice,
  type Gate,
  type SopDefinition,
  type Step,
} from '../sop/schema.ts';
import { waktuOfStep } from '../sop/step-waktu.ts';
import { formatTotalWaktu, type Waktu } from '../sop/waktu.ts';
import {
  butirAngka,
  formatNip,
  gambar,
  kopView,
  tanggalSurat,
  TteSchema,
  type Butir,
  type FooterView,
  type KopView,
  type PageGeometry,
} from './common.ts';
import { ErrorNames, SepakatError } from '../errors.ts';

/**
 * The SOP document (SOP AP, Permenpan RB 35/2012), generated from the SOP definition that also runs the workflow:
 *
 * - the header table: kop and lambang, Nomor SOP, Tanggal Pembuatan / Revisi / Efektif, Disahkan oleh (jabatan, nama,
 *   NIP), Nama SOP, then Dasar Hukum, Kualifikasi Pelaksana, Keterkaitan, Peralatan/Perlengkapan, Peringatan and
 *   Pencatatan dan Pendataan;
 * - the flowchart table: No, Uraian Kegiatan, one swimlane column per Pelaksana, Mutu Baku (Kelengkapan, Waktu,
 *   Output) and Keterangan. Each step's symbol sits in its actor's column: a terminator (capsule) for the start and
 *   the end, a process box, a decision diamond with Ya/Tidak; arrows join consecutive rows; a branch to another
 *   step ends in a numbered connector; where the table continues on the next page an off-page connector
 *   (pentagon) closes the page and opens the next.
 *
 * The drawing is data (shapes in px, with the row's bottom as "100%"), so the template draws it with plain SVG
 * elements and no helper. Pagination needs the rendered height of each row: `prepareSop` without a measure lays
 * every row on one page for measuring; with the measured heights it splits the rows into pages.
 */

/** A parsed definition carries Waktu objects; the document takes either form and re-reads the text. */
const rawWaktu = (value: unknown): unknown => {
  if (!value || typeof value !== 'object' || !('steps' in value) || !Array.isArray(value.steps)) return value;
  return {
    ...value,
    steps: value.steps.map((s: unknown) => {
      const step = waktuText(s);
      // A chain link may state its own Waktu too.
      return step && typeof step === 'object' && 'chain' in step && Array.isArray(step.chain)
        ? { ...step, chain: step.chain.map(waktuText) }
        : step;
    }),
  };
};
const waktuText = (s: unknown): unknown =>
  s && typeof s === 'object' && 'waktu' in s && s.waktu && typeof s.waktu === 'object' && 'raw' in s.waktu
    ? { ...s, waktu: (s.waktu as Waktu).raw }
    : s;

export const SopDocumentSchema = z
  .object({
    sop: z.preprocess(rawWaktu, SopSchema),
    lambang: gambar.optional(),
    /** Alamat line under the kop (the SOP header names only the unit). */
    alamat: z.string().trim().min(1).max(300).optional(),
    /** Reserved electronic-signature area in "Disahkan oleh". */
    tte: TteSchema.optional(),
  })
  .strict();
export type SopDocumentInput = z.input<typeof SopDocumentSchema>;
export type SopDocument = z.infer<typeof SopDocumentSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Geometry (mm), converted to px for SVG (1 mm = 96 / 25.4 px).

const PX = 96 / 25.4;
const px = (mm: number) => Math.round(mm * PX * 100) / 100;

const G = {
  /** Symbol centre below the row top. */
  cy: 7.5,
  /** … when the row opens with an off-page connector or a "Mulai" capsule above the symbol. */
  cyOpened: 14,
  boxH: 7,
  diamondH: 9,
  terminatorH: 6,
  miniH: 4,
  pentagonH: 5.5,
  pentagonW: 5,
  jog: 2,
  arrow: 1.6,
  label: 2.4,
  connectorR: 2.3,
} as const;

export type SymbolKind = 'terminator' | 'proses' | 'keputusan';

export interface SvgLine {
  x1: number;
  y1: number;
  x2: number;
  /** A number (px) or "100%" (the row's bottom edge). */
  y2: number | string;
  dashed: boolean;
}
export interface SvgRect {
  x: number;
  y: number;
  w: number;
  h: number;
  rx: number;
  mini: boolean;
}
export interface SvgPolygon {
  points: string;
  kind: 'keputusan' | 'panah' | 'konektor-halaman';
  /** Arrowheads are filled black; symbols are white. */
  filled: boolean;
}
export interface SvgText {
  x: number;
  y: number;
  teks: string;
  size: number;
  anchor: 'start' | 'middle' | 'end';
  bold: boolean;
}
export interface SvgCircle {
  cx: number;
  cy: number;
  r: number;
}

export interface Drawing {
  lines: SvgLine[];
  rects: SvgRect[];
  polygons: SvgPolygon[];
  circles: SvgCircle[];
  texts: SvgText[];
}

/** A mark of the product's reading on a row: its number in the notes list and a short label. */
export interface TandaView {
  nomor: number;
  teks: string;
}

export interface SopRowView {
  id: string;
  no: string;
  uraian: string;
  /** The product's readings in this row (reconstructed, inferred actor, added decision, moved act). */
  tanda: TandaView[];
  kelengkapan: string[];
  waktu: string;
  output: string;
  keterangan: string;
  /** Height reserved for the drawing (mm): the row is at least this tall. */
  minHeight: number;
  lane: number;
  symbol: SymbolKind;
  drawing: Drawing;
}

export interface LaneView {
  id: string;
  jabatan: string;
  width: number;
  /** A Pelaksana column of the source (false: an actor the product added, drawn apart and marked). */
  sumber: boolean;
}

/** The heading over a group of lanes: the source's Pelaksana, or the actors the product added. */
export interface LaneGroupView {
  judul: string;
  span: number;
  sumber: boolean;
  /** The note that explains the group, if any. */
  catatan: number | null;
}

export interface SopView {
  header: {
    kop: KopView;
    nomor: string;
    tanggalPembuatan: string;
    tanggalRevisi: string;
    tanggalEfektif: string;
    disahkan: { jabatan: string; nama: string; nip: string | null } | null;
    tte: { qr: string; label: string | null; qrDataUrl: string | null } | null;
    nama: string;
    /** Dasar Hukum | Kualifikasi Pelaksana; Keterkaitan | Peralatan/Perlengkapan; Peringatan | Pencatatan. */
    rincian: { kiri: { judul: string; butir: Butir[] }; kanan: { judul: string; butir: Butir[] } }[];
  };
  flow: {
    lanes: LaneView[];
    laneCount: number;
    /** Columns the "Total Waktu" label spans (No, Uraian, the lanes, Kelengkapan). */
    totalSpan: number;
    /** Rotated lane headings when lanes are narrow. */
    vertical: boolean;
    laneHeaderHeight: number;
    widths: {
      no: number;
      uraian: number;
      lanes: number;
      kelengkapan: number;
      waktu: number;
      output: number;
      keterangan: number;
    };
    svgWidth: number;
    /** x (px) of the lines between lanes inside the drawing. */
    separators: number[];
    pages: { rows: SopRowView[]; last: boolean; halaman: number }[];
    laneGroups: LaneGroupView[];
    /** x (px) where the lanes the product added begin, and their width (shaded in the drawing), or null. */
    apart: { x: number; w: number } | null;
    /** The total as the source states it, or the product's computed total, which says so. */
    totalWaktu: { teks: string; dihitung: boolean; catatan: number | null } | null;
    /** True in the measuring pass (one long table). */
    measuring: boolean;
  };
  /** "Catatan pembacaan Sepakat": what in the document is the product's reading, numbered as the marks cite it. */
  catatan: string[];
  footer: FooterView;
}

/** Said of a header field the source does not give (never "-"). */
export const TIDAK_TERCANTUM = 'tidak tercantum dalam sumber';

/** Rendered heights (mm) from the measuring pass: each flow row, the table head, the total row. */
export interface SopMeasure {
  rows: readonly number[];
  thead: number;
  total: number;
}

// ---------------------------------------------------------------------------------------------------------------
// The flow, read from the definition

type Node = Step | Gate;

interface Branch {
  target: string;
  label: string;
}

interface RowFlow {
  node: Node;
  lane: number;
  /** Lanes of the other officials in a chain (small boxes in the same row). */
  chainLanes: number[];
  symbol: SymbolKind;
  /** Continues into the next row (an arrow down). */
  down: boolean;
  downLabel: string | null;
  /** Ends the flow here with a terminal below the symbol (a non-terminator symbol whose main exit is a terminal). */
  endBelow: string | null;
  /** Exits to other steps or terminals (connectors at the side). */
  side: Branch[];
  /** "Mulai" above the symbol (the first row when it is not itself a terminator). */
  startAbove: boolean;
}

const TERMINAL_LABEL: Record<string, string> = { selesai: 'Selesai', ditolak: 'Ditolak', dibatalkan: 'Batal' };

const kindLabel = (kind: Choice['kind']): string =>
  kind === 'ya' || kind === 'lanjut' ? 'Ya' : kind === 'batal' ? 'Batal' : 'Tidak';

export interface PelaksanaColumn {
  id: string;
  jabatan: string;
  /** A Pelaksana column of the source; false for an actor the product added (drawn apart, marked). */
  sumber: boolean;
}

/**
 * The pelaksana columns. With the source's columns declared (`source.pelaksana`): those, in the source's order, then
 * apart every other actor that owns a step, a link of a chain, a decision (`pemutus`) or takes part (`terlibat`), in
 * the order of `actors`. Without (an SOP written in the product's format): every such actor, all the SOP's own.
 */
export function pelaksanaColumns(def: SopDefinition): PelaksanaColumn[] {
  const used = new Set<string>();
  for (const node of def.steps) {
    if (isGate(node)) continue;
    used.add(node.actor);
    for (const link of node.chain ?? []) used.add(link.actor);
    for (const actor of node.terlibat ?? []) used.add(actor);
    if (node.pemutus) used.add(node.pemutus);
  }
  const declared = def.source.pelaksana;
  const byId = new Map(def.actors.map((a) => [a.id, a]));
  const unknown = [...new Set([...(declared ?? []), ...used])].filter((id) => !byId.has(id));
  if (unknown.length)
    throw new SepakatError(
      ErrorNames.BadInput,
      `SOP ${def.id}: aktor ${unknown.join(', ')} (source.pelaksana, pemutus, terlibat) tidak ada dalam daftar actors`,
    );
  if (!declared)
    return def.actors.filter((a) => used.has(a.id)).map((a) => ({ id: a.id, jabatan: a.jabatan, sumber: true }));
  const own = declared.map((id) => ({ id, jabatan: byId.get(id)!.jabatan, sumber: true }));
  const apart = def.actors
    .filter((a) => used.has(a.id) && !declared.includes(a.id))
    .map((a) => ({ id: a.id, jabatan: a.jabatan, sumber: false }));
  return [...own, ...apart];
}

/** Who decides a step's branches: `pemutus`, else the one chain link that offers choices, else the step's actor. */
export function deciderOf(step: Step): string {
  if (step.pemutus) return step.pemutus;
  if (step.choices?.length) return step.actor;
  const deciding = [...new Set((step.chain ?? []).filter((l) => l.choices.length).map((l) => l.actor))];
  return deciding.length === 1 ? deciding[0]! : step.actor;
}

function readFlow(def: SopDefinition, laneOf: (actor: string) => number): RowFlow[] {
  const steps = def.steps;
  return steps.map((node, i) => {
    const following = steps[i + 1]?.id ?? 'selesai';
    const nextRow = steps[i + 1]?.id;
    let exits: { target: string; kind: Choice['kind'] }[];
    let lane: number;
    let chainLanes: number[] = [];
    if (isGate(node)) {
      const prev = steps[i - 1];
      lane = prev && !isGate(prev) ? laneOf(prev.actor) : 0;
      exits = [
        { target: node.gate.then, kind: 'ya' },
        { target: node.gate.else, kind: 'tidak' },
      ];
    } else {
      lane = laneOf(node.actor);
      const next = node.next ?? following;
      exits = node.choices
        ? node.choices.map((c) => ({ target: c.next, kind: c.kind }))
        : node.repeatUntil
          ? [
              { target: next, kind: 'lanjut' },
              { target: node.id, kind: 'ulangi' },
            ]
          : [{ target: next, kind: 'lanjut' }];
      for (const link of node.chain ?? []) for (const c of link.choices) exits.push({ target: c.next, kind: c.kind });
      // A decision sits in the lane of the party who decides; the step's other desks are small boxes.
      if (new Set(exits.map((e) => e.target)).size > 1) lane = laneOf(deciderOf(node));
      chainLanes = [
        ...new Set(
          [node.actor, ...(node.chain ?? []).map((l) => l.actor), ...(node.terlibat ?? [])].map((a) => laneOf(a)),
        ),
      ].filter((l) => l !== lane);
    }
    // One exit per target, the first kind seen naming it.
    const byTarget = new Map<string, Choice['kind']>();
    for (const e of exits) if (!byTarget.has(e.target)) byTarget.set(e.target, e.kind);
    const targets = [...byTarget.entries()].map(([target, kind]) => ({ target, kind }));
    const decision = targets.length > 1 || isGate(node);
    const main =
      targets.find((t) => t.target === nextRow) ?? targets.find((t) => isTerminal(t.target) && t.target === 'selesai');
    const others = targets.filter((t) => t !== main);
    const down = main !== undefined && main.target === nextRow;
    const endsHere = main !== undefined && isTerminal(main.target);
    const symbol: SymbolKind = decision ? 'keputusan' : i === 0 || endsHere ? 'terminator' : 'proses';
    return {
      node,
      lane,
      chainLanes,
      symbol,
      down,
      downLabel: decision && main ? kindLabel(main.kind) : null,
      endBelow: endsHere && symbol !== 'terminator' ? (TERMINAL_LABEL[main.target] ?? main.target) : null,
      side: others.map((o) => ({
        target: o.target,
        label: kindLabel(o.kind),
      })),
      startAbove: i === 0 && symbol !== 'terminator',
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Drawing one row

interface RowPlacement {
  /** An off-page connector above (the row opens a page and continues a flow from the previous page). */
  connectorIn: string | null;
  /** An off-page connector below (the row closes a page and the flow continues on the next). */
  connectorOut: string | null;
  /** The lane the incoming arrow comes down from (previous row's lane), or null for no incoming arrow. */
  fromLane: number | null;
}

const symbolHeight = (s: SymbolKind) => (s === 'keputusan' ? G.diamondH : s === 'terminator' ? G.terminatorH : G.boxH);

/** Where the chain's small boxes sit below the symbol, and how much height that band takes (mm). */
const CHAIN_GAP = 3.2;
const chainBand = (flow: Pick<RowFlow, 'chainLanes'>) => (flow.chainLanes.length ? CHAIN_GAP + G.miniH : 0);

/** The drawing's minimum height for a row (mm). */
export function rowMinHeight(
  flow: Pick<RowFlow, 'symbol' | 'startAbove' | 'endBelow' | 'side' | 'chainLanes'>,
  place: Pick<RowPlacement, 'connectorIn' | 'connectorOut'>,
): number {
  const cy = place.connectorIn || flow.startAbove ? G.cyOpened : G.cy;
  const below = cy + symbolHeight(flow.symbol) / 2 + chainBand(flow);
  let bottom = below + 3;
  if (flow.side.length > 2) bottom = Math.max(bottom, cy + 10);
  if (flow.endBelow) bottom = below + 2.5 + G.terminatorH + 1.5;
  if (place.connectorOut) bottom = below + 2.5 + G.pentagonH + 1.5;
  return Math.round(bottom * 10) / 10;
}

function drawRow(
  flow: RowFlow,
  place: RowPlacement,
  laneW: number,
  laneCount: number,
  noOf: (id: string) => string,
): Drawing {
  const d: Drawing = { lines: [], rects: [], polygons: [], circles: [], texts: [] };
  const xc = (lane: number) => px((lane + 0.5) * laneW);
  const x = xc(flow.lane);
  const cyMm = place.connectorIn || flow.startAbove ? G.cyOpened : G.cy;
  const cy = px(cyMm);
  const h = px(symbolHeight(flow.symbol));
  const top = cy - h / 2;
  const bottom = cy + h / 2;
  const arrowDown = (ax: number, ay: number) => {
    const a = px(G.arrow);
    d.polygons.push({ kind: 'panah', filled: true, points: pts([ax - a / 2, ay - a], [ax + a / 2, ay - a], [ax, ay]) });
  };
  const arrowSide = (ax: number, ay: number, dir: 1 | -1) => {
    const a = px(G.arrow);
    d.polygons.push({
      kind: 'panah',
      filled: true,
      points: pts([ax - dir * a, ay - a / 2], [ax - dir * a, ay + a / 2], [ax, ay]),
    });
  };
  const text = (
    tx: number,
    ty: number,
    teks: string,
    size: number,
    anchor: SvgText['anchor'] = 'middle',
    bold = false,
  ) => d.texts.push({ x: r2(tx), y: r2(ty), teks, size: px(size), anchor, bold });
  const pentagon = (px0: number, py0: number, label: string) => {
    // A home-plate pentagon pointing down: the off-page connector.
    const w = px(G.pentagonW);
    const hh = px(G.pentagonH);
    const shoulder = hh * 0.6;
    d.polygons.push({
      kind: 'konektor-halaman',
      filled: false,
      points: pts(
        [px0 - w / 2, py0],
        [px0 + w / 2, py0],
        [px0 + w / 2, py0 + shoulder],
        [px0, py0 + hh],
        [px0 - w / 2, py0 + shoulder],
      ),
    });
    text(px0, py0 + shoulder * 0.85, label, 2.6, 'middle', true);
  };
  const miniTerminator = (mx: number, my: number, label: string) => {
    const w = px(Math.min(laneW - 1.2, 11));
    const hh = px(G.terminatorH - 1);
    d.rects.push({ x: r2(mx - w / 2), y: r2(my), w: r2(w), h: r2(hh), rx: r2(hh / 2), mini: false });
    text(mx, my + hh / 2 + px(0.8), label, Math.min(2.2, (laneW - 1.5) / 4), 'middle');
  };

  // Incoming: from the row top (previous row's lane), jogging to this lane, down to the symbol.
  if (place.connectorIn) {
    pentagon(x, px(1), place.connectorIn);
    d.lines.push({ x1: x, y1: r2(px(1 + G.pentagonH)), x2: x, y2: r2(top), dashed: false });
    arrowDown(x, top);
  } else if (flow.startAbove) {
    miniTerminator(x, px(1), 'Mulai');
    d.lines.push({ x1: x, y1: r2(px(G.terminatorH)), x2: x, y2: r2(top), dashed: false });
    arrowDown(x, top);
  } else if (place.fromLane !== null) {
    const from = xc(place.fromLane);
    const jog = px(G.jog);
    if (from !== x) {
      d.lines.push({ x1: from, y1: 0, x2: from, y2: jog, dashed: false });
      d.lines.push({ x1: from, y1: jog, x2: x, y2: jog, dashed: false });
    }
    d.lines.push({ x1: x, y1: from !== x ? jog : 0, x2: x, y2: r2(top), dashed: false });
    arrowDown(x, top);
  }

  // Chain: the other officials of the step, small boxes in their lanes on a band below the symbol, joined by a
  // dotted line (the naskah passes from desk to desk within the step).
  const chainY = bottom + px(CHAIN_GAP + G.miniH / 2);
  if (flow.chainLanes.length) {
    const lanes = [flow.lane, ...flow.chainLanes];
    const left = xc(Math.min(...lanes));
    const right = xc(Math.max(...lanes));
    d.lines.push({ x1: left, y1: r2(chainY), x2: right, y2: r2(chainY), dashed: true });
    d.lines.push({ x1: x, y1: r2(bottom), x2: x, y2: r2(chainY), dashed: true });
    const mw = px(Math.min(laneW - 2.5, 6));
    const mh = px(G.miniH);
    for (const lane of flow.chainLanes)
      d.rects.push({ x: r2(xc(lane) - mw / 2), y: r2(chainY - mh / 2), w: r2(mw), h: r2(mh), rx: 0, mini: true });
  }
  /** Where anything below the symbol starts (under the chain band). */
  const below = bottom + px(chainBand(flow));

  // The symbol.
  if (flow.symbol === 'keputusan') {
    const w = px(Math.min(laneW - 1, 12));
    d.polygons.push({
      kind: 'keputusan',
      filled: false,
      points: pts([x, top], [x + w / 2, cy], [x, bottom], [x - w / 2, cy]),
    });
  } else {
    const w = px(Math.min(laneW - 1.6, 16));
    d.rects.push({
      x: r2(x - w / 2),
      y: r2(top),
      w: r2(w),
      h: r2(h),
      rx: flow.symbol === 'terminator' ? r2(h / 2) : 0,
      mini: false,
    });
  }

  // Down to the next row (or to the page's off-page connector, or to a terminal below).
  if (place.connectorOut) {
    const py0 = below + px(2.5);
    d.lines.push({ x1: x, y1: r2(bottom), x2: x, y2: r2(py0), dashed: false });
    arrowDown(x, py0);
    pentagon(x, py0, place.connectorOut);
  } else if (flow.endBelow) {
    const my = below + px(2.5);
    d.lines.push({ x1: x, y1: r2(bottom), x2: x, y2: r2(my), dashed: false });
    arrowDown(x, my);
    miniTerminator(x, my, flow.endBelow);
  } else if (flow.down) {
    d.lines.push({ x1: x, y1: r2(bottom), x2: x, y2: '100%', dashed: false });
  }
  if (flow.downLabel && (flow.down || place.connectorOut || flow.endBelow))
    text(x - px(0.8), bottom + px(2.3), flow.downLabel, G.label, 'end');

  // Side exits: right, then left, then lower right; each ends in a numbered connector or a small terminal.
  const half = flow.symbol === 'keputusan' ? px(Math.min(laneW - 1, 12)) / 2 : px(Math.min(laneW - 1.6, 16)) / 2;
  const rightmost = flow.lane === laneCount - 1;
  flow.side.forEach((branch, i) => {
    const dir: 1 | -1 = (i === 1) !== rightmost ? -1 : 1;
    const y = i < 2 ? cy : cy + px(6);
    const x0 = i < 2 ? x + dir * half : x + half * 0.5;
    const len = px(Math.max(3.5, laneW * 0.45));
    const x1 = x0 + dir * len;
    d.lines.push({ x1: r2(x0), y1: r2(y), x2: r2(x1), y2: r2(y), dashed: false });
    arrowSide(x1, y, dir);
    text(x0 + (dir * len) / 2, y - px(0.8), branch.label, 2.1, 'middle');
    if (isTerminal(branch.target)) {
      const label = TERMINAL_LABEL[branch.target] ?? branch.target;
      const w = px(10);
      const hh = px(G.terminatorH - 1.5);
      const rx0 = dir === 1 ? x1 : x1 - w;
      d.rects.push({ x: r2(rx0), y: r2(y - hh / 2), w: r2(w), h: r2(hh), rx: r2(hh / 2), mini: false });
      text(rx0 + w / 2, y + px(0.75), label, 2.1, 'middle');
    } else {
      const r = px(G.connectorR);
      const ccx = x1 + dir * r;
      d.circles.push({ cx: r2(ccx), cy: r2(y), r: r2(r) });
      text(ccx, y + px(0.9), noOf(branch.target), 2.4, 'middle', true);
    }
  });
  return d;
}

const r2 = (n: number) => Math.round(n * 100) / 100;
const pts = (...points: [number, number][]) => points.map(([a, b]) => `${r2(a)},${r2(b)}`).join(' ');

// ---------------------------------------------------------------------------------------------------------------
// Columns

export function columnWidths(contentWidth: number, lanes: number) {
  const base = {
    no: 8,
    uraian: Math.min(70, Math.max(42, contentWidth * 0.19)),
    kelengkapan: Math.min(40, Math.max(22, contentWidth * 0.095)),
    waktu: 13,
    output: Math.min(40, Math.max(22, contentWidth * 0.095)),
    keterangan: Math.min(36, Math.max(18, contentWidth * 0.08)),
  };
  const fixed = Object.values(base).reduce((a, b) => a + b, 0);
  const minLane = 6.5;
  let lanesWidth = contentWidth - fixed;
  if (lanesWidth < lanes * minLane) {
    // Narrow paper: shrink the text columns (not No and Waktu) so every lane keeps a usable width.
    const shrinkable = base.uraian + base.kelengkapan + base.output + base.keterangan;
    const need = lanes * minLane - lanesWidth;
    const factor = Math.max(0.55, (shrinkable - need) / shrinkable);
    base.uraian *= factor;
    base.kelengkapan *= factor;
    base.output *= factor;
    base.keterangan *= factor;
    lanesWidth = contentWidth - Object.values(base).reduce((a, b) => a + b, 0);
  }
  const round = (n: number) => Math.floor(n * 10) / 10;
  return {
    no: round(base.no),
    uraian: round(base.uraian),
    kelengkapan: round(base.kelengkapan),
    waktu: round(base.waktu),
    output: round(base.output),
    keterangan: round(base.keterangan),
    lanes: round(lanesWidth),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What is the source's and what is the product's reading

const ACT_LABEL: Partial<Record<Automatic['action'], string>> = {
  nomor: 'Pengambilan nomor',
  daftar: 'Pendaftaran nomor',
  paraf: 'Paraf',
  tandatangan: 'Penandatanganan',
  arsip: 'Pengarsipan',
};
const CHOICE_LABEL: Record<Choice['kind'], string> = {
  lanjut: 'lanjut',
  ya: 'ya',
  tidak: 'tidak',
  kembalikan: 'dikembalikan',
  ulangi: 'diulang',
  tolak: 'ditolak',
  batal: 'dibatalkan',
};

/** The marks of the rows (by step id) and the numbered notes they cite; lane notes come first. */
export interface Readings {
  rows: Map<string, TandaView[]>;
  catatan: string[];
  /** The note on the lanes the product added, or on a source without Pelaksana columns. */
  lajur: number | null;
}

/** Every act a step carries (its own, its choices', its chain links'). */
function actsOf(step: Step): Automatic[] {
  return [
    ...(step.automatic?.before ?? []),
    ...(step.automatic?.after ?? []),
    ...(step.choices ?? []).flatMap((c) => c.automatic),
    ...(step.chain ?? []).flatMap((l) => [...l.automatic, ...l.choices.flatMap((c) => c.automatic)]),
  ];
}

export function readingsOf(def: SopDefinition, columns: readonly PelaksanaColumn[]): Readings {
  const catatan: string[] = [];
  const note = (teks: string) => catatan.push(teks);
  const jabatan = new Map(def.actors.map((a) => [a.id, a.jabatan]));
  const noOf = (id: string) => {
    if (isTerminal(id)) return `"${TERMINAL_LABEL[id] ?? id}"`;
    const node = def.steps.find((s) => s.id === id);
    const no = node ? (isGate(node) ? node.no : node.no) : undefined;
    return no ? `langkah ${no.replace(/\.$/, '')}` : `langkah ${id}`;
  };
  let lajur: number | null = null;
  const apart = columns.filter((c) => !c.sumber);
  if (def.source.pelaksana && def.source.pelaksana.length === 0) {
    lajur = note(
      'Sumber tidak memuat kolom Pelaksana; semua lajur pada bagan ini adalah bacaan Sepakat atas pihak yang disebut dalam uraian langkah.',
    );
  } else if (apart.length) {
    lajur = note(
      `Lajur ${apart.map((c) => c.jabatan).join('; ')} bukan kolom Pelaksana dalam sumber; ditambahkan Sepakat karena pihak tersebut bertindak dalam langkah SOP, digambar terpisah dari kolom sumber.`,
    );
  }
  const rows = new Map<string, TandaView[]>();
  for (const node of def.steps) {
    if (isGate(node)) continue;
    const no = node.no.replace(/\.$/, '');
    const marks: TandaView[] = [];
    const mark = (teks: string, catatanTeks: string) => marks.push({ nomor: note(catatanTeks), teks });
    if (node.reconstructed)
      mark(
        'Langkah disusun Sepakat',
        `Langkah ${no} tidak terdapat dalam sumber (bagian sumber tidak terbaca atau hilang); uraian, pelaksana dan keluarannya disusun Sepakat dari bagian sumber lainnya dan peraturan, tanpa Waktu.`,
      );
    if (node.actorNote)
      mark(
        'Pelaksana dibaca Sepakat',
        `Sumber tidak menandai lajur pelaksana langkah ${no}; Sepakat membacanya sebagai ${jabatan.get(node.actor) ?? node.actor} dari uraian langkah dan keluaran langkah sebelumnya.`,
      );
    const added = [
      ...(node.choices ?? []).map((c) => ({ c, who: node.pemutus ?? node.actor })),
      ...(node.chain ?? []).flatMap((l) => l.choices.map((c) => ({ c, who: l.actor }))),
    ].filter(({ c }) => c.ditambahkan);
    for (const { c, who } of added)
      mark(
        'Keputusan ditambahkan Sepakat',
        `Pilihan "${c.label}" (${CHOICE_LABEL[c.kind]}, menuju ${noOf(c.next)}) oleh ${jabatan.get(who) ?? who} pada langkah ${no} tidak terdapat dalam sumber; ditambahkan Sepakat agar alur dapat dijalankan.`,
      );
    for (const act of actsOf(node)) {
      const moved = 'dipindahkan' in act ? act.dipindahkan : undefined;
      if (!moved) continue;
      const label = ACT_LABEL[act.action] ?? act.action;
      mark(
        'Tindakan dipindahkan Sepakat',
        `${label} dilakukan Sepakat pada langkah ${no}; sumber melakukannya pada langkah ${moved.dari}.${moved.alasan ? ` ${moved.alasan}` : ''}`,
      );
    }
    if (marks.length) rows.set(node.id, marks);
  }
  return { rows, catatan, lajur };
}

// ---------------------------------------------------------------------------------------------------------------
// The document

const OFF_PAGE_LABELS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const offPageLabel = (i: number) =>
  i < 26 ? OFF_PAGE_LABELS[i]! : `${OFF_PAGE_LABELS[Math.floor(i / 26) - 1]}${OFF_PAGE_LABELS[i % 26]}`;

/** A page budget left free for rounding between the measuring pass and the final layout (mm). */
const SLACK = 4;

export function prepareSop(d: SopDocument, page: PageGeometry, measure?: SopMeasure): SopView {
  const def = d.sop;
  const h = def.header;
  const lanesList = pelaksanaColumns(def);
  const laneIndex = new Map(lanesList.map((l, i) => [l.id, i]));
  const laneOf = (actor: string) => laneIndex.get(actor) ?? 0;
  const widths = columnWidths(page.contentWidth, lanesList.length);
  const laneW = widths.lanes / Math.max(1, lanesList.length);
  const flows = readFlow(def, laneOf);
  const noOf = (id: string) => {
    const node = def.steps.find((s) => s.id === id);
    const no = node?.no ?? id;
    return no.replace(/\.$/, '');
  };
  const readings = readingsOf(def, lanesList);

  // Pagination: which rows close a page. A row is only added where it would still fit as the page's last row
  // (with an off-page connector below it), so whichever row closes a page has room for the connector.
  const breaks = new Set<number>();
  if (measure) {
    const cap = page.contentHeight - measure.thead - SLACK;
    const height = (i: number, opened: boolean, closing: boolean) =>
      Math.max(
        measure.rows[i] ?? 0,
        rowMinHeight(flows[i]!, {
          connectorIn: opened ? 'X' : null,
          connectorOut: closing && flows[i]!.down ? 'X' : null,
        }),
      );
    let first = 0;
    let used = 0;
    for (let i = 0; i < flows.length; i++) {
      const lastRow = i === flows.length - 1;
      const tail = lastRow ? measure.total : 0;
      const opened = i === first && i > 0 && flows[i - 1]!.down;
      if (i > first && used + height(i, false, !lastRow) + tail > cap) {
        breaks.add(i - 1);
        first = i;
        used = height(i, flows[i - 1]!.down, false);
      } else {
        used += height(i, opened, false);
      }
    }
  }

  let connectors = 0;
  const pages: SopView['flow']['pages'] = [{ rows: [], last: false, halaman: 1 }];
  let pendingIn: string | null = null;
  flows.forEach((flow, i) => {
    const node = flow.node;
    const closes = breaks.has(i);
    const connectorOut = closes && flow.down ? offPageLabel(connectors) : null;
    const place: RowPlacement = {
      connectorIn: pendingIn,
      connectorOut,
      fromLane: i > 0 && flows[i - 1]!.down && !pendingIn ? flows[i - 1]!.lane : null,
    };
    const step = isGate(node) ? null : node;
    pages[pages.length - 1]!.rows.push({
      id: node.id,
      no: node.no ?? '',
      uraian: isGate(node) ? node.gate.question : node.uraian,
      tanda: readings.rows.get(node.id) ?? [],
      kelengkapan: step ? step.kelengkapan : [],
      waktu: step?.waktu?.raw ?? '',
      output: step ? step.output : '',
      keterangan: step?.keterangan ?? '',
      minHeight: rowMinHeight(flow, place),
      lane: flow.lane,
      symbol: flow.symbol,
      drawing: drawRow(flow, place, laneW, lanesList.length, noOf),
    });
    pendingIn = connectorOut;
    if (connectorOut) connectors++;
    if (closes && i < flows.length - 1) pages.push({ rows: [], last: false, halaman: pages.length + 1 });
  });
  pages[pages.length - 1]!.last = true;

  const catatan = [...readings.catatan];
  let totalWaktu: SopView['flow']['totalWaktu'] = null;
  if (def.totalWaktu) totalWaktu = { teks: def.totalWaktu, dihitung: false, catatan: null };
  else {
    const steps = def.steps.filter((s): s is Step => !isGate(s));
    const computed = formatTotalWaktu(steps.flatMap(waktuOfStep));
    if (computed) {
      const without = steps.filter((s) => !s.waktu).map((s) => s.no.replace(/\.$/, ''));
      const nomor = catatan.push(
        `Total Waktu tidak tercantum dalam sumber; dihitung Sepakat dengan menjumlahkan kolom Waktu per satuan (hari kerja, hari kalender dan menit tidak dijumlahkan satu sama lain; rentang tetap rentang)${without.length ? `, tanpa langkah ${without.join(', ')} yang tidak memiliki Waktu` : ''}.`,
      );
      totalWaktu = { teks: `${computed} (dihitung Sepakat)`, dihitung: true, catatan: nomor };
    }
  }
  const sourceCount = lanesList.filter((l) => l.sumber).length;
  const apartCount = lanesList.length - sourceCount;
  const laneGroups: LaneGroupView[] = [
    ...(sourceCount ? [{ judul: 'Pelaksana', span: sourceCount, sumber: true, catatan: null }] : []),
    ...(apartCount
      ? [
          {
            judul: sourceCount ? 'Pihak lain (bacaan Sepakat)' : 'Pelaksana (bacaan Sepakat)',
            span: apartCount,
            sumber: false,
            catatan: readings.lajur,
          },
        ]
      : []),
  ];
  const maxLen = Math.max(...lanesList.map((l) => l.jabatan.length), 10);
  const vertical = laneW < 20;
  const linesPerLane = Math.max(1, Math.floor((laneW - 1) / 2.9));
  const laneHeaderHeight = vertical ? Math.min(48, Math.max(24, Math.ceil((maxLen * 1.25) / linesPerLane) + 4)) : 10;
  const list = (judul: string, items: readonly string[]) => ({
    judul,
    butir: butirAngka(items.length ? items : [TIDAK_TERCANTUM]),
  });

  return {
    header: {
      kop: {
        ...kopView({
          baris: h.unit,
          ...(d.alamat ? { alamat: d.alamat } : {}),
          ...(d.lambang ? { lambang: d.lambang } : {}),
        }),
      },
      nomor: h.nomor ?? TIDAK_TERCANTUM,
      tanggalPembuatan: h.tanggalPembuatan ? tanggalSurat(h.tanggalPembuatan) : TIDAK_TERCANTUM,
      tanggalRevisi: h.tanggalRevisi ? tanggalSurat(h.tanggalRevisi) : TIDAK_TERCANTUM,
      tanggalEfektif: h.tanggalEfektif ? tanggalSurat(h.tanggalEfektif) : TIDAK_TERCANTUM,
      disahkan: h.disahkanOleh
        ? {
            jabatan: h.disahkanOleh.jabatan,
            nama: h.disahkanOleh.nama,
            nip: h.disahkanOleh.nip ? `NIP. ${formatNip(h.disahkanOleh.nip)}` : null,
          }
        : null,
      tte: d.tte ? { qr: d.tte.qr, label: d.tte.label ?? null, qrDataUrl: null } : null,
      nama: h.nama,
      rincian: [
        { kiri: list('Dasar Hukum', h.dasarHukum), kanan: list('Kualifikasi Pelaksana', h.kualifikasiPelaksana) },
        { kiri: list('Keterkaitan', h.keterkaitan), kanan: list('Peralatan/Perlengkapan', h.peralatan) },
        { kiri: list('Peringatan', h.peringatan), kanan: list('Pencatatan dan Pendataan', h.pencatatan) },
      ],
    },
    flow: {
      lanes: lanesList.map((l) => ({ ...l, width: Math.floor(laneW * 100) / 100 })),
      laneGroups,
      apart: apartCount ? { x: r2(px(sourceCount * laneW)), w: r2(px(apartCount * laneW)) } : null,
      laneCount: lanesList.length,
      totalSpan: lanesList.length + 3,
      vertical,
      laneHeaderHeight,
      widths,
      svgWidth: r2(px(widths.lanes)),
      separators: lanesList.slice(1).map((_, i) => r2(px((i + 1) * laneW))),
      pages,
      totalWaktu,
      measuring: !measure,
    },
    catatan,
    footer: { parafPihak: false, tte: d.tte?.keterangan ?? null },
  };
}
