import { canSeeCase, unitsOfSop, type Principal } from '../access/access.ts';
import type { WorkCalendar } from '../calendar/work-calendar.ts';
import type { Sop } from '../sop/load-sop.ts';
import { isGate, TERMINALS } from '../sop/schema.ts';
import { stepLabel } from '../sop/step-label.ts';
import type { CaseRecord, CaseStatus, TaskRecord } from './model.ts';
import { buildTimeline, type TimelineStatus } from './timeline.ts';
import { matchesCaseNumber } from './case-number.ts';
import { cleanText } from '../validation/text.ts';

/**
 * The staff dashboard: the cases a principal may see, one row each, with the step it is at, who holds the open
 * task, when it opened and falls due, and how it stands against the Mutu Baku (from `buildTimeline`); counts per
 * status and per SOP; filters and sorting from the page's GET parameters. Pure: records, the clock and the
 * principal are passed in.
 */

export const CASE_STATUSES: readonly CaseStatus[] = ['aktif', ...TERMINALS];

export const STATUS_LABEL: Record<CaseStatus, string> = {
  aktif: 'Aktif',
  selesai: 'Selesai',
  ditolak: 'Ditolak',
  dibatalkan: 'Dibatalkan',
};

export const SORTS = ['tenggat', 'tenggat-turun', 'terbaru'] as const;
export type DashboardSort = (typeof SORTS)[number];

export interface DashboardFilter {
  status?: CaseStatus;
  /** SOP id (every version). */
  sop?: string;
  /** Step id of the current step ("L5"). */
  langkah?: string;
  /** Person id of the holder of an open task. */
  pemegang?: string;
  /** Only cases whose open task is past its Mutu Baku. */
  terlambat?: boolean;
  /** Free text: perihal, pemohon, instansi, case id (stored or grouped), numbers. */
  q?: string;
  urut: DashboardSort;
}

/** One case as the dashboard needs it. */
export interface DashboardCase {
  record: CaseRecord;
  sop: Sop;
  /** The case's open tasks; for a pejabat outside the SOP's units, every task (were any of them theirs?). */
  tasks: readonly TaskRecord[];
  calendar: WorkCalendar;
}

export interface DashboardHolder {
  id: string;
  nama: string;
  jabatan: string;
  sebagai: 'Plt' | 'Plh' | null;
  /** The external party the holder records for, if any. */
  atasNama: string | null;
}

export interface DashboardRow {
  caseId: string;
  perihal: string;
  pemohon: { nama: string; instansi: string };
  sopId: string;
  sopKey: string;
  sopNama: string;
  status: CaseStatus;
  createdAt: string;
  closedAt: string | null;
  /** The step the case is at (null when closed or not started). */
  langkah: { stepId: string; no: string; label: string } | null;
  pemegang: DashboardHolder[];
  /** Of the current open task (the earliest due when several are open). */
  openedAt: string | null;
  dueAt: string | null;
  overdueAt: string | null;
  dueProvisional: boolean;
  /** `dueAt` is an external party's perkiraan selesai, not an official's deadline. */
  dueEstimate: boolean;
  /** The current activation against the Mutu Baku; null when nothing is open. */
  mutuBaku: TimelineStatus | null;
  terlambat: boolean;
  /** Register or SRIKANDI numbers recorded in the case data. */
  nomor: string[];
}

export interface Dashboard {
  filter: DashboardFilter;
  rows: DashboardRow[];
  /** Cases the principal may see, before filtering. */
  total: number;
  counts: {
    status: { status: CaseStatus; label: string; jumlah: number }[];
    sop: { sopId: string; nama: string; jumlah: number }[];
    terlambat: number;
  };
  /** What the filter form offers, from the visible cases. */
  options: {
    sops: { id: string; nama: string }[];
    steps: { id: string; label: string }[];
    holders: { id: string; nama: string; jabatan: string }[];
  };
}

const isStatus = (s: string): s is CaseStatus => (CASE_STATUSES as readonly string[]).includes(s);

/** The filter from the page's query string; unknown or malformed values are dropped, never an error. */
export function parseDashboardFilter(query: URLSearchParams): DashboardFilter {
  const get = (name: string) => (query.get(name) ?? '').trim();
  const status = get('status');
  const sop = get('sop');
  const langkah = get('langkah');
  const pemegang = get('pemegang');
  // The search text is echoed on the page: cleaned as any text; one the validator refuses is dropped like the rest.
  const cleaned = cleanText(get('q'));
  const q = cleaned.ok ? cleaned.value.trim().slice(0, 200) : '';
  const urut = get('urut');
  return {
    ...(isStatus(status) ? { status } : {}),
    ...(/^[a-z0-9][a-z0-9-]{0,100}$/.test(sop) ? { sop } : {}),
    ...(/^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$/.test(langkah) ? { langkah } : {}),
    ...(/^[a-z0-9][a-z0-9-]{0,100}$/.test(pemegang) ? { pemegang } : {}),
    ...(['1', 'ya', 'on', 'true'].includes(get('terlambat')) ? { terlambat: true } : {}),
    ...(q ? { q } : {}),
    urut: (SORTS as readonly string[]).includes(urut) ? (urut as DashboardSort) : 'tenggat',
  };
}

/** The filter as query parameters (for links that keep it, e.g. the sort headers). */
export function filterQuery(filter: DashboardFilter, changes: Partial<DashboardFilter> = {}): string {
  const f = { ...filter, ...changes };
  const params = new URLSearchParams();
  if (f.status) params.set('status', f.status);
  if (f.sop) params.set('sop', f.sop);
  if (f.langkah) params.set('langkah', f.langkah);
  if (f.pemegang) params.set('pemegang', f.pemegang);
  if (f.terlambat) params.set('terlambat', '1');
  if (f.q) params.set('q', f.q);
  if (f.urut !== 'tenggat') params.set('urut', f.urut);
  const text = params.toString();
  return text ? `?${text}` : '';
}

const normalise = (s: string) => s.toLocaleLowerCase('id-ID').replace(/\s+/g, ' ').trim();

/** Numbers the case data holds (`nomor-naskah`, `nomor-surat-…`): what staff search by. */
const numbersOf = (record: CaseRecord) =>
  Object.entries(record.data)
    .filter(([key, value]) => /nomor/.test(key) && typeof value === 'string' && value.trim())
    .map(([, value]) => String(value).trim());

function rowOf(c: DashboardCase, now: Date): DashboardRow {
  const { record, sop } = c;
  const open = c.tasks.filter((t) => t.caseId === record.caseId && t.state === 'open');
  const base = {
    caseId: record.caseId,
    perihal: record.perihal,
    pemohon: { nama: record.pemohon.nama, instansi: record.pemohon.instansi },
    sopId: record.sopId,
    sopKey: record.sopKey,
    sopNama: sop.definition.header.nama,
    status: record.status,
    createdAt: record.createdAt,
    closedAt: record.closedAt ?? null,
    nomor: numbersOf(record),
  };
  const stepOf = (stepId: string, node: string) => {
    try {
      const step = sop.step(stepId);
      const found = sop.node(node);
      const label = found.type === 'activity' ? found.label : isGate(step) ? step.gate.question : step.uraian;
      return { stepId, no: isGate(step) ? '' : step.no, label };
    } catch {
      return { stepId, no: '', label: node };
    }
  };
  if (record.status !== 'aktif' || !open.length)
    return {
      ...base,
      langkah: record.status === 'aktif' && record.cursor ? stepOf(record.cursor.stepId, record.cursor.node) : null,
      pemegang: [],
      openedAt: null,
      dueAt: null,
      overdueAt: null,
      dueProvisional: false,
      dueEstimate: false,
      mutuBaku: null,
      terlambat: false,
    };
  // The timeline's rules decide each open activation's standing (Plt/Plh, external parties, ranges).
  const timeline = buildTimeline({
    record,
    tasks: open,
    history: [],
    sop,
    calendar: c.calendar,
    timeZone: c.calendar.timeZone,
    now,
  });
  const rows = [...timeline.rows].sort((a, b) => (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999') || b.seq - a.seq);
  const first = rows[0]!;
  const byTask = new Map(open.map((t) => [t.seq, t]));
  const current = record.cursor && open.some((t) => t.seq === record.cursor!.seq) ? record.cursor : null;
  return {
    ...base,
    langkah: current ? stepOf(current.stepId, current.node) : stepOf(first.stepId, first.node),
    pemegang: timeline.rows.map((r) => {
      const person = byTask.get(r.seq)!.person;
      return {
        id: person.id,
        nama: person.nama,
        jabatan: person.jabatan,
        sebagai: person.sebagai ?? null,
        atasNama: r.atasNama,
      };
    }),
    openedAt: first.openedAt,
    dueAt: first.dueAt,
    overdueAt: first.overdueAt,
    dueProvisional: first.dueProvisional,
    dueEstimate: first.dueEstimate,
    mutuBaku: timeline.rows.some((r) => r.status === 'terlambat') ? 'terlambat' : first.status,
    terlambat: timeline.rows.some((r) => r.status === 'terlambat'),
  };
}

function matches(row: DashboardRow, f: DashboardFilter): boolean {
  if (f.status && row.status !== f.status) return false;
  if (f.sop && row.sopId !== f.sop) return false;
  if (f.langkah && row.langkah?.stepId !== f.langkah) return false;
  if (f.pemegang && !row.pemegang.some((h) => h.id === f.pemegang)) return false;
  if (f.terlambat && !row.terlambat) return false;
  if (f.q) {
    const q = normalise(f.q);
    const haystack = [row.perihal, row.pemohon.nama, row.pemohon.instansi, row.caseId, ...row.nomor].map(normalise);
    // A case number as typed from the grouped form people read ("2026-1207-W6HZ2-YKIPM") finds its case.
    if (!haystack.some((h) => h.includes(q)) && !matchesCaseNumber(row.caseId, f.q)) return false;
  }
  return true;
}

/** Open cases by due time (soonest first; nothing due last), then the newest. */
function compare(sort: DashboardSort): (a: DashboardRow, b: DashboardRow) => number {
  const newest = (a: DashboardRow, b: DashboardRow) => b.createdAt.localeCompare(a.createdAt);
  if (sort === 'terbaru') return newest;
  const dir = sort === 'tenggat' ? 1 : -1;
  return (a, b) => {
    if (a.dueAt && b.dueAt) return dir * a.dueAt.localeCompare(b.dueAt) || newest(a, b);
    if (a.dueAt || b.dueAt) return a.dueAt ? -1 : 1;
    return newest(a, b);
  };
}

const naturalStep = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** The dashboard of `principal`: only the cases `canSeeCase` allows (never another pemda's). */
export function buildDashboard(input: {
  principal: Principal;
  cases: readonly DashboardCase[];
  filter: DashboardFilter;
  now: Date;
}): Dashboard {
  const { principal, filter, now } = input;
  const visible = input.cases.filter((c) =>
    canSeeCase(principal, {
      record: c.record,
      sopUnits: unitsOfSop(c.sop.definition.header),
      tasks: c.tasks.filter((t) => t.caseId === c.record.caseId),
    }),
  );
  const all = visible.map((c) => rowOf(c, now));
  const rows = all.filter((r) => matches(r, filter)).sort(compare(filter.urut));

  const sopCounts = new Map<string, { sopId: string; nama: string; jumlah: number }>();
  for (const r of all) {
    const entry = sopCounts.get(r.sopId) ?? { sopId: r.sopId, nama: r.sopNama, jumlah: 0 };
    entry.jumlah++;
    sopCounts.set(r.sopId, entry);
  }
  const holders = new Map<string, { id: string; nama: string; jabatan: string }>();
  for (const r of all) for (const h of r.pemegang) holders.set(h.id, { id: h.id, nama: h.nama, jabatan: h.jabatan });

  // The step choices: the chosen SOP's steps in order; without one, the step ids the visible cases are at.
  const chosen = filter.sop ? visible.find((c) => c.record.sopId === filter.sop)?.sop : undefined;
  const steps = chosen
    ? chosen.definition.steps.map((s) => ({
        id: s.id,
        label: isGate(s) ? `${s.id}: ${s.gate.question}` : stepLabel(s.no, s.uraian),
      }))
    : [...new Set(all.flatMap((r) => (r.langkah ? [r.langkah.stepId] : [])))]
        .sort(naturalStep)
        .map((id) => ({ id, label: id }));

  return {
    filter,
    rows,
    total: all.length,
    counts: {
      status: CASE_STATUSES.map((status) => ({
        status,
        label: STATUS_LABEL[status],
        jumlah: all.filter((r) => r.status === status).length,
      })),
      sop: [...sopCounts.values()].sort((a, b) => a.nama.localeCompare(b.nama)),
      terlambat: all.filter((r) => r.terlambat).length,
    },
    options: {
      sops: [...sopCounts.values()]
        .map((s) => ({ id: s.sopId, nama: s.nama }))
        .sort((a, b) => a.nama.localeCompare(b.nama)),
      steps,
      holders: [...holders.values()].sort((a, b) => a.nama.localeCompare(b.nama)),
    },
  };
}
