import { createHash } from 'node:crypto';
import { documentKindLabel } from '../../core/documents/kinds.ts';
import {
  canAdministerCase,
  canRemindTask,
  canSeeCase,
  canSeeDashboard,
  canSeeDocument,
  canWithdrawCase,
  ROLE_LABEL,
  unitsOfSop,
  type CaseScope,
  type Principal,
} from '../../core/access/access.ts';
import { formatBytes } from '../../core/case/task-actions.ts';
import {
  buildDashboard,
  filterQuery,
  parseDashboardFilter,
  STATUS_LABEL,
  type DashboardCase,
  type DashboardRow,
} from '../../core/case/dashboard.ts';
import type { CaseRecord, HistoryEvent, HistoryType, StoredFile, TaskRecord } from '../../core/case/model.ts';
import type { SopCatalog } from '../../core/case/case-runtime.ts';
import type { DownloadAsked } from '../../core/case/case-view.ts';
import { buildTimeline, formatWaktuSingkat, type TimelineStatus } from '../../core/case/timeline.ts';
import { disposisiLine, disposisiOf } from '../../core/case/disposisi.ts';
import type { TimeZone } from '../../core/calendar/calendar-schema.ts';
import { missingNextYear } from '../../core/calendar/calendar-import.ts';
import { buildSwimlane, type StepState } from '../../core/sop/swimlane.ts';
import { activityLabel, stepLabel } from '../../core/sop/step-label.ts';
import { lastTaskEmailAt, REMIND_WINDOW_MS } from '../../core/case/case-admin.ts';
import { formatCaseNumber, parseCaseNumber } from '../../core/case/case-number.ts';
import type { DocumentRecord } from '../../core/documents/document-record.ts';
import type { Session } from '../auth/session.ts';
import type { WebRequest, HttpResult, Route, WebContext, WebUseCases } from './web-context.ts';

/**
 * The staff console: the dashboard of cases (`/konsol`) and the case page (`/konsol/kasus/<id>`: summary, timeline
 * against the Mutu Baku, the SOP's swimlane with the current step, documents with their versions, the history),
 * and the logged previews and downloads of the case's documents and files. GET only; the administrators' and the
 * pemohon's forms on the case page post to routes of their own module.
 */

const CASE_ID = '([A-Za-z0-9][A-Za-z0-9-]{0,79})';
/** The most rows the dashboard shows at once. */
const MAX_ROWS = 300;
/** How long a preview or download link lives (seconds). */
const LINK_SECONDS = 300;

const kindLabel = documentKindLabel;

const HISTORY_LABEL: Partial<Record<HistoryType, string>> = {
  'permohonan-diterima': 'Permohonan diterima',
  'berkas-dikarantina': 'Berkas dikarantina',
  'langkah-dimulai': 'Langkah dimulai',
  'tugas-dibuka': 'Tugas dibuka',
  'tugas-diputuskan': 'Keputusan dicatat',
  'tugas-dilaporkan': 'Keputusan diteruskan ke alur',
  'email-terkirim': 'Email terkirim',
  'email-gagal': 'Email gagal dikirim',
  'otomatis-selesai': 'Pekerjaan otomatis selesai',
  'data-dibaca': 'Data kasus dibaca',
  'tautan-diperbarui': 'Tautan diperbarui',
  'kasus-dilanjutkan': 'Kasus dilanjutkan',
  'kasus-berakhir': 'Kasus berakhir',
  'otomatis-gagal': 'Pekerjaan otomatis gagal',
  'dokumen-diunduh': 'Dokumen dibuka/diunduh',
  'pengingat-terkirim': 'Pengingat terkirim',
  'eskalasi-terkirim': 'Eskalasi ke atasan terkirim',
  'tugas-dibaca': 'Tugas dibuka dari Tugas saya',
  'tugas-diingatkan': 'Email tugas atau pengingat dikirim manual',
  'versi-dipindahkan': 'Kasus dipindahkan ke versi SOP baru',
  'email-pantul': 'Email tidak sampai (ditolak server penerima)',
  'email-keluhan': 'Penerima menandai email sebagai spam',
};

/** The loaded versions of a case's SOP newer than the one it runs on, newest first. */
function newerVersions(sops: SopCatalog, record: CaseRecord): number[] {
  const latest = sops.latest(record.sopId).definition.version;
  const versions: number[] = [];
  for (let v = latest; v > record.sopVersion; v--) {
    try {
      sops.get(`${record.sopId}@${v}`);
      versions.push(v);
    } catch {
      // Not shipped: not a choice.
    }
  }
  return versions;
}
const historyLabel = (type: string) =>
  HISTORY_LABEL[type as HistoryType] ?? type.charAt(0).toUpperCase() + type.slice(1).replace(/-/g, ' ');

/** CSS class of a Mutu Baku standing, so the page colours it (and prints it as text too). */
const STANDING_CLASS: Record<TimelineStatus, string> = {
  'tepat waktu': 'ok',
  terlambat: 'telat',
  berjalan: 'jalan',
  'menunggu pihak luar': 'luar',
  'jawaban pihak luar': 'luar',
  'tanpa Mutu Baku': 'netral',
  dibatalkan: 'netral',
};

/** A stable id for a stored file in URLs (its object key, hashed: the key itself never leaves the server). */
const fileId = (f: StoredFile) => createHash('sha256').update(`${f.bucket}/${f.key}`).digest('base64url').slice(0, 22);

/**
 * The pemohon's uploads, then each decision's attachments, in order. Without `withDecisions` (a pemohon), only the
 * permohonan's own files: what officials attach to their decisions (a telaahan, a notulen) are working papers.
 */
function filesOf(
  record: CaseRecord,
  history: readonly HistoryEvent[],
  withDecisions: boolean,
): (StoredFile & { asal: string })[] {
  const files: (StoredFile & { asal: string })[] = record.files.map((f) => ({ ...f, asal: 'Permohonan' }));
  if (!withDecisions) return files;
  for (const e of history)
    if (e.type === 'tugas-diputuskan')
      for (const f of e.files ?? []) files.push({ ...f, asal: `${e.node ?? ''} (${e.who?.nama ?? ''})` });
  return files;
}

/** Who the history names for an act of a signed-in principal. */
const historyPerson = (p: Principal) => ({
  id: p.personId ?? p.sub,
  nama: p.nama,
  jabatan: `${p.roles.map((r) => ROLE_LABEL[r]).join(', ')} · ${p.unit}`,
});

export function consoleRoutes(ctx: WebContext): Route[] {
  const { app } = ctx;

  const scopeOf = (record: CaseRecord, tasks: TaskRecord[]): CaseScope & { tasks: TaskRecord[] } => ({
    record,
    sopUnits: unitsOfSop(app.runtime.sopOf(record).definition.header),
    tasks,
  });

  /**
   * The case and its tasks, if the principal may see it; otherwise the page to return: 404 for an unknown case and
   * for another pemda's (whose tasks are not read), 403 for their pemda's case outside their role.
   */
  async function visibleCase(
    session: Session,
    caseId: string,
  ): Promise<{ record: CaseRecord; tasks: TaskRecord[]; scope: CaseScope } | { result: HttpResult }> {
    const record = await app.cases.case(caseId);
    let scope: (CaseScope & { tasks: TaskRecord[] }) | undefined;
    const refused = await ctx.guard(
      session,
      'kasus',
      record?.pemdaId,
      // Asked only for a case of the principal's own pemda: its tasks are read only then.
      async () => canSeeCase(session.principal, (scope = scopeOf(record!, await app.cases.tasks(caseId)))),
      'Kasus ini tidak termasuk lingkup peran atau unit kerja Anda.',
    );
    if (refused || !record || !scope) return { result: refused! };
    return { record, tasks: scope.tasks, scope };
  }

  /** A POST on a case (session and CSRF token checked), with the case if the principal may see it. */
  async function actingOnCase(
    event: WebRequest,
    caseId: string,
  ): Promise<
    | { result: HttpResult }
    | { session: Session; visible: { record: CaseRecord; tasks: TaskRecord[]; scope: CaseScope } }
  > {
    const found = await ctx.acting(event);
    if (found.result) return { result: found.result };
    const visible = await visibleCase(found.session, caseId);
    return 'result' in visible ? { result: visible.result } : { session: found.session, visible };
  }

  async function dashboard(event: WebRequest): Promise<HttpResult> {
    const found = await ctx.signedIn(event, canSeeDashboard);
    if (found.result) return found.result;
    const { session } = found;
    const p = session.principal;
    const filter = parseDashboardFilter(new URLSearchParams(event.rawQueryString ?? ''));
    // Only this pemda's cases (the byPemda index), and the tasks of its active cases (tugasPerKasus, one query each): the
    // reads grow with the pemda's active work, not with the whole tables.
    const cases = await app.cases.casesOfPemda(p.pemdaId);
    const activeTasks = await app.cases.tasksOfCases(cases.filter((r) => r.status === 'aktif').map((r) => r.caseId));
    const openByCase = new Map<string, TaskRecord[]>();
    for (const [caseId, tasks] of activeTasks)
      openByCase.set(
        caseId,
        tasks.filter((t) => t.state === 'open'),
      );
    // A pejabat also sees the cases outside their unit where a task was theirs: only then every task is read.
    const needsAllTasks = (r: CaseRecord) =>
      p.roles.includes('pejabat') &&
      !!p.personId &&
      !p.roles.includes('admin') &&
      !canSeeCase(p, scopeOf(r, openByCase.get(r.caseId) ?? []));
    const inputs: DashboardCase[] = await Promise.all(
      cases.map(async (record) => ({
        record,
        sop: app.runtime.sopOf(record),
        tasks: needsAllTasks(record)
          ? (activeTasks.get(record.caseId) ?? (await app.cases.tasks(record.caseId)))
          : (openByCase.get(record.caseId) ?? []),
        calendar: app.catalog.pemda(record.pemdaId).calendar,
      })),
    );
    const board = buildDashboard({ principal: p, cases: inputs, filter, now: app.cases.now() });
    const timeZone = app.catalog.pemda(p.pemdaId).calendar.timeZone;
    const w = (iso: string | null) => (iso ? formatWaktuSingkat(iso, timeZone) : '');
    const row = (r: DashboardRow) => ({
      ...r,
      url: `/konsol/kasus/${encodeURIComponent(r.caseId)}`,
      statusLabel: STATUS_LABEL[r.status],
      dibuat: w(r.createdAt),
      dibuka: w(r.openedAt),
      tenggat: w(r.dueAt),
      terlambatSetelah: r.overdueAt && r.overdueAt !== r.dueAt ? w(r.overdueAt) : '',
      mutuBakuKelas: r.mutuBaku ? STANDING_CLASS[r.mutuBaku] : '',
    });
    const f = board.filter;
    return ctx.html(
      200,
      'konsol-dasbor',
      {
        // A page of a few hundred rows stays usable on a phone; the filters narrow the rest.
        rows: board.rows.slice(0, MAX_ROWS).map(row),
        cocok: board.rows.length,
        terpotong: board.rows.length > MAX_ROWS,
        total: board.total,
        ditampilkan: Math.min(board.rows.length, MAX_ROWS),
        counts: {
          status: board.counts.status.map((c) => ({
            ...c,
            url: `/konsol${filterQuery({ urut: f.urut }, { status: c.status })}`,
            aktif: f.status === c.status,
          })),
          sop: board.counts.sop.map((c) => ({
            ...c,
            url: `/konsol${filterQuery({ urut: f.urut }, { sop: c.sopId })}`,
            aktif: f.sop === c.sopId,
          })),
          terlambat: board.counts.terlambat,
          terlambatUrl: `/konsol${filterQuery({ urut: f.urut, status: 'aktif', terlambat: true })}`,
        },
        filter: f,
        adaFilter: !!(f.status || f.sop || f.langkah || f.pemegang || f.terlambat || f.q),
        statusOptions: board.counts.status.map((c) => ({
          value: c.status,
          label: c.label,
          selected: f.status === c.status,
        })),
        sopOptions: board.options.sops.map((s) => ({ value: s.id, label: s.nama, selected: f.sop === s.id })),
        stepOptions: board.options.steps.map((s) => ({ value: s.id, label: s.label, selected: f.langkah === s.id })),
        holderOptions: board.options.holders.map((h) => ({
          value: h.id,
          label: `${h.nama} (${h.jabatan})`,
          selected: f.pemegang === h.id,
        })),
        sortOptions: [
          { value: 'tenggat', label: 'Batas waktu terdekat', selected: f.urut === 'tenggat' },
          { value: 'tenggat-turun', label: 'Batas waktu terjauh', selected: f.urut === 'tenggat-turun' },
          { value: 'terbaru', label: 'Kasus terbaru', selected: f.urut === 'terbaru' },
        ],
        urutTenggatUrl: `/konsol${filterQuery(f, { urut: f.urut === 'tenggat' ? 'tenggat-turun' : 'tenggat' })}`,
        urutTenggatTanda: f.urut === 'tenggat' ? '▲' : f.urut === 'tenggat-turun' ? '▼' : '',
        zona: timeZone,
        kalenderBelumAda: p.roles.includes('admin')
          ? missingNextYear(app.catalog.pemda(p.pemdaId).calendar, app.cases.now())
          : null,
      },
      'Dasbor kasus',
      { session },
    );
  }

  async function casePage(event: WebRequest, caseId: string): Promise<HttpResult> {
    const found = await ctx.signedIn(event);
    if (found.result) return found.result;
    const { session } = found;
    const p = session.principal;
    // A case number typed as people read it (grouped, capitals) goes to the case's own address.
    const stored = parseCaseNumber(caseId);
    if (stored && stored !== caseId) return redirect(`/konsol/kasus/${stored}`);
    const visible = await visibleCase(session, caseId);
    if ('result' in visible) return visible.result;
    const { record, tasks, scope } = visible;
    const [history, documents] = await Promise.all([
      app.cases.historyWithTasks(caseId, tasks),
      app.cases.documents(caseId),
    ]);
    const sop = app.runtime.sopOf(record);
    const pemda = app.catalog.pemda(record.pemdaId);
    const timeZone: TimeZone = pemda.calendar.timeZone;
    const w = (iso: string | null | undefined) => (iso ? formatWaktuSingkat(iso, timeZone) : '');
    const timeline = buildTimeline({
      record,
      tasks,
      history,
      sop,
      calendar: pemda.calendar,
      timeZone,
      now: app.cases.now(),
    });

    // The swimlane: steps with a decided activation are done; the step the active case is at is the current one.
    const states: Record<string, StepState> = {};
    for (const r of timeline.rows) if (r.doneAt) states[r.stepId] = 'selesai';
    if (record.status === 'aktif' && record.cursor) states[record.cursor.stepId] = 'sekarang';
    const acting = record.status === 'aktif' && record.cursor ? sop.node(record.cursor.node) : undefined;
    const swimlane = buildSwimlane(sop.definition, states, acting?.type === 'activity' ? acting.actor.id : undefined);
    const current = swimlane.rows.find((r) => r.state === 'sekarang');

    const open = tasks.filter((t) => t.state === 'open');
    const openRows = timeline.rows.filter((r) => open.some((t) => t.seq === r.seq));
    const langkah =
      record.cursor && record.status === 'aktif' ? timeline.rows.find((r) => r.seq === record.cursor!.seq) : undefined;

    const may = (kind: string) => canSeeDocument(p, scope, kind);
    const staff = may('nota-dinas');
    const dokumen = documentGroups(
      documents.filter((d) => may(d.kind)),
      caseId,
      w,
    );
    const berkas = may('permohonan')
      ? filesOf(record, history, staff).map((f) => ({
          nama: f.name,
          asal: f.asal,
          ukuran: formatBytes(f.size),
          lihat: `/konsol/kasus/${encodeURIComponent(caseId)}/berkas/${fileId(f)}/lihat`,
          unduh: `/konsol/kasus/${encodeURIComponent(caseId)}/berkas/${fileId(f)}/unduh`,
        }))
      : [];

    // The disposisi are working papers: shown to those who may see the Lembar Disposisi, beside their decisions.
    const arahanOf = new Map(
      may('lembar-disposisi') ? disposisiOf(sop, history).map((d) => [d.seq, disposisiLine(d)] as const) : [],
    );
    const riwayat = history
      .filter((e) => historyVisible(e, p, staff, (kind) => may(kind)))
      .map((e) => {
        const arahan = e.type === 'tugas-diputuskan' && e.seq !== undefined ? arahanOf.get(e.seq) : undefined;
        const keterangan = describeEvent(e, (node, choice) => choiceLabel(sop, node, choice));
        return {
          waktu: pemda.formatDateTime(new Date(e.at)),
          jenis: historyLabel(e.type),
          langkah: e.node ?? '',
          oleh: e.who ? `${e.who.nama}${e.who.jabatan ? ` (${e.who.jabatan})` : ''}` : '',
          keterangan: arahan ? [keterangan, arahan].filter(Boolean).join(' · ') : keterangan,
        };
      });

    // Emails the mail service refused for good and not sent since (a resend of the same email, under its key).
    const sentKeys = new Set(history.filter((e) => e.type === 'email-terkirim').map((e) => e.eventKey));
    const emailGagal = history
      .filter((e) => e.type === 'email-gagal' && historyVisible(e, p, staff, may))
      .filter((e) => !sentKeys.has(String(e.detail?.['kunci'] ?? '')))
      .map((e) => ({
        waktu: pemda.formatDateTime(new Date(e.at)),
        kepada: Array.isArray(e.detail?.['to']) ? (e.detail['to'] as string[]).join(', ') : '',
        perihal: String(e.detail?.['subject'] ?? ''),
        alasan: String(e.detail?.['alasan'] ?? ''),
      }));

    // The completion forecast is an extra: a failure to compute it leaves it out, never the page.
    const forecast = record.status === 'aktif' ? await app.mutuBaku.forecastCase(caseId).catch(() => null) : null;

    const admin = canAdministerCase(p, scope) && record.status === 'aktif';
    const people = pemda.directory.data.people.map((person) => ({
      id: person.id,
      label: `${person.nama} — ${person.jabatan}`,
    }));
    const base = `/konsol/kasus/${encodeURIComponent(caseId)}`;
    return ctx.html(
      200,
      'konsol-kasus',
      {
        ringkasan: {
          caseId: record.caseId,
          perihal: record.perihal,
          pemohon: record.pemohon,
          sopNama: sop.definition.header.nama,
          sopId: record.sopId,
          sopVersion: record.sopVersion,
          status: STATUS_LABEL[record.status],
          aktif: record.status === 'aktif',
          langkah: langkah ? stepLabel(langkah.no, langkah.label) : current ? stepLabel(current.no, current.judul) : '',
          pemegang: openRows.map((r) => ({ orang: r.person ?? '', jabatan: r.jabatan, atasNama: r.atasNama })),
          dibuka: w(openRows[0]?.openedAt),
          tenggat: w(openRows[0]?.dueAt),
          terlambatSetelah:
            openRows[0]?.overdueAt && openRows[0].overdueAt !== openRows[0].dueAt ? w(openRows[0].overdueAt) : '',
          tenggatPerkiraan: openRows[0]?.dueProvisional ?? false,
          tenggatPihakLuar: openRows[0]?.dueEstimate ?? false,
          standing: openRows[0]?.status ?? '',
          standingKelas: openRows[0] ? STANDING_CLASS[openRows[0].status] : '',
          dibuat: pemda.formatDateTime(new Date(record.createdAt)),
          ditutup: record.closedAt ? pemda.formatDateTime(new Date(record.closedAt)) : '',
          alasanTutup: record.closeReason ?? '',
          dipakai: timeline.totals.used,
          standar: timeline.totals.standard.waktu,
          terlambat: timeline.totals.late,
          perkiraan: forecast ? { standar: forecast.label.standard, realistis: forecast.label.realistic } : undefined,
        },
        linimasa: timeline.rows.map((r) => ({
          ...r,
          no: r.no.replace(/\.$/, ''),
          dibuka: w(r.openedAt),
          tenggat: w(r.dueAt),
          selesai: w(r.doneAt),
          mutuBakuTeks: r.mutuBaku ? `${r.mutuBaku.raw}${r.atasNama ? ' (perkiraan pihak luar)' : ''}` : '-',
          arahan: arahanOf.get(r.seq),
          kelas: STANDING_CLASS[r.status],
        })),
        swimlane,
        langkahSekarang: current ? stepLabel(current.no, current.judul) : '',
        dokumen,
        berkas,
        riwayat,
        emailGagal,
        zona: timeZone,
        admin: admin
          ? {
              tugas: open.map((t) => ({
                taskId: t.taskId,
                url: `${base}/tugas/${encodeURIComponent(t.taskId)}/alihkan`,
                langkah: t.node,
                pemegang: `${t.person.nama}${t.person.sebagai ? ` (${t.person.sebagai})` : ''}`,
                orang: people.map((o) => ({ ...o, selected: o.id === t.person.id })),
              })),
              batalkan: `${base}/batalkan`,
              // The newer versions of its SOP an open case may move to (CaseAdmin.moveToVersion).
              pindahVersi:
                record.status === 'aktif' && record.cursor
                  ? {
                      url: `${base}/pindah-versi`,
                      versi: newerVersions(app.catalog.sops, record),
                      langkah: record.cursor.node,
                    }
                  : undefined,
            }
          : undefined,
        tarik: canWithdrawCase(p, scope) && record.status === 'aktif' ? `${base}/tarik` : undefined,
        // The pelaksana and the administrator send an open task's email again, or a reminder (at most one a window).
        ingatkan:
          canRemindTask(p, scope) && record.status === 'aktif'
            ? open.map((t) => {
                const last = lastTaskEmailAt(history, t);
                return {
                  url: `${base}/tugas/${encodeURIComponent(t.taskId)}/ingatkan`,
                  langkah: activityLabel(sop, app.runtime.activityOf(record, t.node)),
                  pemegang: `${t.person.nama}${t.person.sebagai ? ` (${t.person.sebagai})` : ''}`,
                  email: t.person.email,
                  terakhir: last ? pemda.formatDateTime(new Date(last)) : '',
                };
              })
            : [],
        ingatkanMenit: REMIND_WINDOW_MS / 60_000,
      },
      `Kasus ${formatCaseNumber(record.caseId)}`,
      { session },
    );
  }

  /**
   * A generated document of the case, previewed inline or downloaded (a POST with the session's CSRF token, so a
   * link follower records nothing); logged in the case history before the short-lived link is handed out.
   */
  async function document(event: WebRequest, caseId: string, docId: string, how: string): Promise<HttpResult> {
    const acted = await actingOnCase(event, caseId);
    if ('result' in acted) return acted.result;
    const { session, visible } = acted;
    const doc = await app.cases.document(docId);
    // A document of another case (of any pemda) is not this case's: the same answer as one that does not exist.
    const record = doc?.caseId === caseId ? doc : undefined;
    const refused = await ctx.guard(
      session,
      'dokumen',
      record && visible.record.pemdaId,
      () => canSeeDocument(session.principal, visible.scope, record!.kind),
      'Dokumen jenis ini tidak dapat dibuka dengan peran Anda.',
    );
    if (refused || !record) return refused!;
    // The link is made from bytes whose hash was checked: a copy changed behind the product's back is refused.
    const url = await app.cases.documentLink(
      record,
      LINK_SECONDS,
      downloadAsked(session.principal, how, {
        docId: record.docId,
        jenis: record.kind,
        ...(record.nomor ? { nomor: record.nomor } : {}),
      }),
      how === 'lihat' ? 'inline' : 'attachment',
    );
    return redirect(url);
  }

  /** A file of the permohonan or of a decision (kind `permohonan`), previewed or downloaded (a POST); logged first. */
  async function file(event: WebRequest, caseId: string, id: string, how: string): Promise<HttpResult> {
    const acted = await actingOnCase(event, caseId);
    if ('result' in acted) return acted.result;
    const { session, visible } = acted;
    const history = await app.cases.history(caseId);
    const staff = canSeeDocument(session.principal, visible.scope, 'nota-dinas');
    const stored = filesOf(visible.record, history, staff).find((f) => fileId(f) === id);
    const refused = await ctx.guard(
      session,
      'berkas',
      stored && visible.record.pemdaId,
      () => canSeeDocument(session.principal, visible.scope, 'permohonan'),
      'Berkas permohonan tidak dapat dibuka dengan peran Anda.',
    );
    if (refused || !stored) return refused!;
    // The accepted copy (its hash in its key), checked against the recorded hash before any link is made.
    const url = await app.cases.fileLink(
      caseId,
      stored,
      LINK_SECONDS,
      downloadAsked(session.principal, how, { jenis: 'permohonan', berkas: stored.name, slot: stored.slot }),
      how === 'lihat' ? 'inline' : 'attachment',
    );
    return redirect(url);
  }

  /** Every preview or download is a fact in the case history: who, which, when, how. */
  const downloadAsked = (p: Principal, how: string, what: Record<string, string>): DownloadAsked => ({
    who: historyPerson(p),
    what: { ...what, ...(p.email ? { email: p.email } : {}) },
    via: 'konsol',
    how: how === 'lihat' ? 'pratinjau' : 'unduh',
  });

  return [
    { method: 'GET', pattern: /^\/konsol\/?$/, run: (e) => dashboard(e) },
    {
      method: 'GET',
      pattern: new RegExp(`^/konsol/kasus/${CASE_ID}$`),
      params: ['kasus'],
      run: (e, m) => casePage(e, m[1]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/konsol/kasus/${CASE_ID}/dokumen/([A-Za-z0-9_-]{22})/(lihat|unduh)$`),
      params: ['kasus', 'dokumen', 'cara'],
      run: (e, m) => document(e, m[1]!, m[2]!, m[3]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/konsol/kasus/${CASE_ID}/berkas/([A-Za-z0-9_-]{22})/(lihat|unduh)$`),
      params: ['kasus', 'berkas', 'cara'],
      run: (e, m) => file(e, m[1]!, m[2]!, m[3]!),
    },
  ];
}
/** The short-lived link of a download asked for by a POST: 303, so the browser GETs it. */
const redirect = (url: string): HttpResult => ({
  statusCode: 303,
  headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  body: '',
});

/** Documents by kind, each kind's versions newest first (version 1 is the first stored). */
function documentGroups(documents: readonly DocumentRecord[], caseId: string, w: (iso: string) => string) {
  const byKind = new Map<string, DocumentRecord[]>();
  for (const d of [...documents].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.docId.localeCompare(b.docId),
  ))
    byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d]);
  const base = `/konsol/kasus/${encodeURIComponent(caseId)}/dokumen`;
  return [...byKind.entries()]
    .map(([kind, records]) => ({
      jenis: kind,
      label: kindLabel(kind),
      terakhir: records.at(-1)!.createdAt,
      versi: records
        .map((d, i) => ({
          versi: i + 1,
          docId: d.docId,
          dibuat: w(d.createdAt),
          // The template version is a content hash: its start is enough to tell versions apart.
          templat: d.templateVersion?.slice(0, 12) ?? '',
          templatPenuh: d.templateVersion ?? '',
          nomor: d.nomor ?? '',
          ukuran: formatBytes(d.size),
          berkas: d.fileName,
          asli: d.asli === true,
          lihat: `${base}/${d.docId}/lihat`,
          unduh: `${base}/${d.docId}/unduh`,
        }))
        .reverse(),
    }))
    .sort((a, b) => b.terakhir.localeCompare(a.terakhir));
}

function choiceLabel(
  sop: ReturnType<WebUseCases['runtime']['sopOf']>,
  node: string | undefined,
  choice: string,
): string {
  try {
    const found = sop.node(node ?? '');
    return found.type === 'activity' ? (found.choices.find((c) => c.value === choice)?.label ?? choice) : choice;
  } catch {
    return choice;
  }
}

/** Which history facts a principal sees: staff all; others not what names a document they may not open. */
function historyVisible(e: HistoryEvent, p: Principal, staff: boolean, may: (kind: string) => boolean): boolean {
  if (staff) return true;
  const kind = e.detail?.['jenis'] ?? e.detail?.['kind'];
  if (typeof kind === 'string' && !may(kind)) return false;
  // Emails to officials are the pemda's internal correspondence; the pemohon sees what was sent to them.
  if (e.type === 'email-terkirim' || e.type === 'email-gagal') {
    const to = e.detail?.['to'];
    return Array.isArray(to) && to.some((a) => typeof a === 'string' && a.toLowerCase() === p.email.toLowerCase());
  }
  // A bounce or complaint names an address: the pemohon sees only those of their own.
  if (e.type === 'email-pantul' || e.type === 'email-keluhan') {
    const alamat = e.detail?.['alamat'];
    return typeof alamat === 'string' && alamat.toLowerCase() === p.email.toLowerCase();
  }
  return true;
}

/** One line about a fact, in Indonesian, from its choice, note and details. */
function describeEvent(e: HistoryEvent, label: (node: string | undefined, choice: string) => string): string {
  const d = e.detail ?? {};
  const text = (key: string) => (typeof d[key] === 'string' ? (d[key] as string) : '');
  const parts: string[] = [];
  if (e.choice) parts.push(label(e.node, e.choice));
  if (e.note) parts.push(`catatan: ${e.note}`);
  if (e.type === 'dokumen-diunduh') {
    parts.push(kindLabel(text('jenis')) + (text('nomor') ? ` Nomor ${text('nomor')}` : ''));
    if (text('berkas')) parts.push(text('berkas'));
    if (text('cara')) parts.push(text('cara'));
    if (text('melalui')) parts.push(`melalui ${text('melalui')}`);
  } else if (e.type === 'email-terkirim' || e.type === 'email-gagal') {
    if (text('subject')) parts.push(text('subject'));
    const to = d['to'];
    if (Array.isArray(to)) parts.push(`kepada ${to.join(', ')}`);
  } else if (e.type === 'email-pantul' || e.type === 'email-keluhan') {
    if (text('alamat')) parts.push(`alamat ${text('alamat')}`);
    if (e.type === 'email-pantul')
      parts.push(text('jenis') === 'Permanent' ? 'alamat tidak dapat menerima email' : 'penolakan sementara');
  } else if (e.type === 'kasus-berakhir') {
    if (text('outcome')) parts.push(STATUS_LABEL[text('outcome') as keyof typeof STATUS_LABEL] ?? text('outcome'));
  } else {
    if (text('jenis') || text('kind')) parts.push(kindLabel(text('jenis') || text('kind')));
    if (text('nomor')) parts.push(`Nomor ${text('nomor')}`);
  }
  if (text('alasan')) parts.push(`alasan: ${text('alasan')}`);
  return parts.filter(Boolean).join(' · ');
}
