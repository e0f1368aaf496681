import type { HistoryEvent } from '../case/model.ts';
import { parafChainState, type ParafChainState, type ParafRecord } from '../signing/paraf.ts';
import type { Sop } from '../sop/load-sop.ts';
import { naskahContentVersion, type CaseDocumentContext, type Official } from './assemble.ts';

/**
 * The pure decisions of document work: which content version a paraf approves, which paraf count over it and in what
 * order the next one comes, who a signature block names, when a term ends.
 */
export type Pihak = 'kesatu' | 'kedua';

/**
 * The content version a paraf approves: the text of the naskah, independent of who holds the kepala daerah's office
 * today (a Plt or Plh taking over does not change the text, so it does not void the paraf).
 */
export function versionOf(ctx: CaseDocumentContext): string {
  const jabatan = ctx.pemda.dokumen.kepalaDaerah.jabatan;
  return naskahContentVersion({ ...ctx, kepalaDaerah: { nama: jabatan, jabatan } });
}

/** Paraf facts from the case history: the runtime's record of each `paraf` action, with its detail. */
export function parafRecords(history: readonly HistoryEvent[]): { pihak: Pihak; record: ParafRecord }[] {
  const out: { pihak: Pihak; record: ParafRecord }[] = [];
  for (const e of history) {
    const d = e.detail;
    if (e.type !== 'otomatis-selesai' || d?.action !== 'paraf') continue;
    out.push({
      pihak: d.pihak === 'kedua' ? 'kedua' : 'kesatu',
      record: {
        who: {
          nama: String(d.nama),
          jabatan: String(d.jabatan),
          ...(typeof d.nip === 'string' ? { nip: d.nip } : {}),
        },
        when: String(d.waktu ?? e.at),
        contentVersion: String(d.versiIsi),
        kind: d.paraf === 'koordinasi' ? 'koordinasi' : 'hierarki',
        order: Number(d.urutan ?? 1),
      },
    });
  }
  return out;
}

/** How many hierarki paraf the SOP asks of a party (the chain's required length). */
export function hierarkiSteps(sop: Sop, pihak: Pihak): number {
  let n = 0;
  for (const node of sop.nodes)
    if (node.type === 'activity')
      for (const c of node.choices)
        for (const a of c.automatic) if (a.action === 'paraf' && a.jenis === 'hierarki' && a.pihak === pihak) n++;
  return n;
}

export function official(p: {
  nama: string;
  jabatan: string;
  nip?: string;
  pangkat?: string;
  sebagai?: 'Plt' | 'Plh';
}) {
  return {
    nama: p.nama,
    jabatan: p.jabatan,
    ...(p.nip ? { nip: p.nip } : {}),
    ...(p.pangkat ? { pangkat: p.pangkat } : {}),
    ...(p.sebagai ? { sebagai: p.sebagai } : {}),
  } satisfies Official;
}

/** 2026-11-23 + 5 years → 2031-11-22 (the day before the anniversary: the term ends the day before). */
export function addYears(iso: string, years: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const end = new Date(Date.UTC(y + years, m - 1, d) - 24 * 3600 * 1000);
  return end.toISOString().slice(0, 10);
}

/**
 * The state of a party's paraf chain over `contentVersion`: the SOP's hierarki steps of that party (1 to 3) are the
 * chain's length; paraf over an earlier version are void.
 */
export function parafStateOf(
  history: readonly HistoryEvent[],
  sop: Sop,
  pihak: Pihak,
  contentVersion: string,
): ParafChainState {
  const own = parafRecords(history)
    .filter((r) => r.pihak === pihak)
    .map((r) => r.record);
  const required = Math.min(3, Math.max(1, hierarkiSteps(sop, pihak)));
  return parafChainState(own, contentVersion, { hierarkiRequired: required });
}

/** The rank of the next hierarki paraf of a party over `contentVersion`. */
export function nextHierarkiOrder(
  history: readonly HistoryEvent[],
  sop: Sop,
  pihak: Pihak,
  contentVersion: string,
): number {
  const state = parafStateOf(history, sop, pihak, contentVersion);
  return state.nextHierarkiOrder ?? state.hierarki.length + 1;
}

/** The numbers a case holds, by purpose (case data `nomor-<purpose>`). */
export function numbersOf(data: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data))
    if (k.startsWith('nomor-') && typeof v === 'string' && v) out[k.slice('nomor-'.length)] = v;
  return out;
}
