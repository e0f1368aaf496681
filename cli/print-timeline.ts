import { withTaskFacts } from '../core/case/task-facts.ts';
import { buildTimeline, formatWaktuSingkat, type Timeline, type TimelineRow } from '../core/case/timeline.ts';
import type { App } from '../functions/app.ts';
import { stepLabel } from '../core/sop/step-label.ts';

/**
 * Printing shared by the operator CLI (`sepakat linimasa`) and the demo: the timeline of a case against the
 * SOP's Mutu Baku, as a plain-text table in Bahasa Indonesia.
 */

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export const potong = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const mutuBakuText = (row: TimelineRow, perDay: number): string => {
  if (!row.mutuBaku) return '-';
  const { raw, minMenit, maxMenit } = row.mutuBaku;
  if (row.atasNama) return `${raw} (perkiraan pihak luar)`;
  if (minMenit === null) return raw;
  // Days are shown in working minutes too, so they compare with "Dipakai".
  if (minMenit < perDay) return raw;
  return `${raw} (${minMenit === maxMenit ? minMenit : `${minMenit}-${maxMenit}`} mnt)`;
};

/** Calendar time: "2 hari 3 jam 5 menit", or seconds when shorter than a minute. */
export function lamaKalender(ms: number): string {
  const totalMinutes = Math.floor(ms / 60_000);
  if (totalMinutes === 0) return `${Math.round(ms / 1000)} detik`;
  const hari = Math.floor(totalMinutes / 1440);
  const jam = Math.floor((totalMinutes % 1440) / 60);
  const menit = totalMinutes % 60;
  return [hari ? `${hari} hari` : '', jam ? `${jam} jam` : '', menit ? `${menit} menit` : ''].filter(Boolean).join(' ');
}

const STATUS_KASUS: Record<string, string> = {
  aktif: 'aktif (berjalan)',
  selesai: 'selesai',
  ditolak: 'ditolak',
  dibatalkan: 'dibatalkan',
};

/** The timeline as lines of text. */
export function formatTimeline(t: Timeline): string[] {
  const tz = t.timeZone;
  const w = (iso: string | null) => formatWaktuSingkat(iso, tz);
  const out: string[] = [];
  out.push(`Linimasa kasus ${t.caseId}`);
  out.push(`  SOP      : ${t.sopNama} (${t.sopKey})`);
  out.push(`  Perihal  : ${t.perihal}`);
  out.push(
    `  Status   : ${STATUS_KASUS[t.status] ?? t.status}; dibuat ${w(t.createdAt)}${t.closedAt ? `, ditutup ${w(t.closedAt)}` : ''} (${tz}; 1 hari kerja = ${t.minutesPerDay} menit kerja)`,
  );
  out.push('');
  if (!t.rows.length) out.push('  Belum ada langkah yang dimulai.');
  else {
    const headers = ['Urut', 'Langkah', 'Kunj.', 'Dibuka', 'Batas waktu', 'Selesai', 'Dipakai', 'Mutu Baku', 'Status'];
    const table = formatTable(
      headers,
      t.rows.map((r) => [
        String(r.seq),
        r.node,
        String(r.visit),
        w(r.openedAt),
        r.dueAt ? `${w(r.dueAt)}${r.dueProvisional ? '*' : ''}` : '-',
        r.doneAt ? w(r.doneAt) : r.status === 'dibatalkan' ? 'dibatalkan' : '(terbuka)',
        r.used,
        mutuBakuText(r, t.minutesPerDay),
        r.status,
      ]),
      '  ',
    );
    out.push(table[0]!, table[1]!);
    t.rows.forEach((r, i) => {
      out.push(table[i + 2]!);
      const detail = '        ';
      const no = (r.no || r.stepId).replace(/\.$/, '');
      if (!r.link || r.link.startsWith('1/')) out.push(`${detail}${stepLabel(no, potong(r.uraian, 150))}`);
      if (r.link)
        out.push(
          `${detail}${r.link.startsWith('1/') ? '  ' : `Langkah ${no}, `}mata rantai ${r.link}: ${potong(r.label, 130)}`,
        );
      const pelaksana = r.person ? `${r.person}, ${r.jabatan}` : r.jabatan || '-';
      out.push(`${detail}Pelaksana: ${pelaksana}${r.atasNama ? ` atas nama ${r.atasNama}` : ''}`);
      if (r.overdueAt && r.overdueAt !== r.dueAt) out.push(`${detail}Terlambat setelah: ${w(r.overdueAt)}`);
      if (r.decision)
        out.push(
          `${detail}Keputusan: ${r.decision.label} [${r.decision.choice}]${r.note ? `; catatan: ${potong(r.note, 160)}` : ''}`,
        );
    });
    if (t.rows.some((r) => r.dueProvisional))
      out.push('  * batas waktu sementara: kalender tahun itu belum memuat hari libur');
  }
  const s = t.totals;
  const dalam =
    s.standard.minMenit === 0
      ? ''
      : s.usedMinutes <= s.standard.maxMenit
        ? ' - dalam Mutu Baku'
        : ' - melebihi Mutu Baku';
  out.push('');
  out.push('  Jumlah');
  out.push(
    `    Waktu yang digunakan     : ${s.used} (${s.usedMinutes} menit kerja; waktu kalender ${lamaKalender(s.elapsedMs)})${dalam}`,
  );
  if (s.externalMinutes > 0 || t.rows.some((r) => r.atasNama))
    out.push(`    Di antaranya pihak luar  : ${s.external} (${s.externalMinutes} menit kerja)`);
  const range = s.standard.maxMenit !== s.standard.minMenit ? `, paling lama ${s.standard.maxMenit} menit kerja` : '';
  const kalender = s.standard.hariKalender ? `; ${s.standard.hariKalender} langkah berhari kalender` : '';
  out.push(
    `    Mutu Baku yang dilalui   : ${s.standard.waktu} = ${s.standard.minMenit} menit kerja (${s.standard.menit})${range}, ${s.standard.passes} lintasan langkah${kalender}`,
  );
  out.push(
    `    Total Waktu menurut SOP  : ${s.sopTotalWaktu ?? 'tidak dinyatakan'} (jumlah langkah SOP: ${s.sopSumWaktu})`,
  );
  out.push(`    Langkah terlambat        : ${s.late} dari ${s.rowsWithMutuBaku} langkah bermutu baku`);
  out.push(`    Hasil                    : ${t.outcome ?? 'belum berakhir'}`);
  return out;
}

export function printTimeline(t: Timeline, write: (line: string) => void = (l) => console.log(l)): void {
  for (const line of formatTimeline(t)) write(line);
}

/** Reads the facts of a case from the store and builds its timeline. */
export async function loadTimeline(app: App, caseId: string, now: Date): Promise<Timeline | undefined> {
  const record = await app.store.getCase(caseId);
  if (!record) return undefined;
  const [tasks, facts] = await Promise.all([app.store.listTasks({ caseId }), app.store.listHistory(caseId)]);
  const history = withTaskFacts(facts, tasks);
  const sop = app.catalog.sops.get(record.sopKey);
  const calendar = app.catalog.pemda(record.pemdaId).calendar;
  return buildTimeline({ record, tasks, history, sop, calendar, timeZone: calendar.timeZone, now });
}
