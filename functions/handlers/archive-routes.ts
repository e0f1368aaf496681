import {
  ARCHIVE_DOCUMENT_KINDS,
  canSeeArchive,
  canSeeCase,
  canSeeDocument,
  has,
  ROLE_LABEL,
  unitsOfSop,
  type CaseScope,
  type Principal,
} from '../../core/access/access.ts';
import type { CaseRecord, HistoryEvent } from '../../core/case/model.ts';
import { formatBytes } from '../../core/case/task-actions.ts';
import { ErrorNames, isSepakatError } from '../../core/errors.ts';
import {
  REGISTER_STATUSES,
  STATUS_LABEL,
  TAHUN_MAX,
  TAHUN_MIN,
  tanggalPanjang,
  yearOf,
  type RegisterEntry,
  type RegisterStatus,
} from '../../core/register/numbering.ts';
import type { DocumentRecord } from '../../core/documents/document-record.ts';
import type { ArchivedCopies, ArchiveHit } from '../../core/documents/archive-search.ts';
import type { RekapFact } from '../../core/agreement/monitoring-item.ts';
import { MAIL_REFUSAL } from '../../core/case/mail-once.ts';
import type { Session } from '../auth/session.ts';
import type { WebRequest, HttpResult, Route, WebContext, WebUseCases } from './web-context.ts';
import { attachment } from './responses.ts';

/**
 * The archive pages of the console: `GET /arsip` (search the register and the archive of the principal's own
 * pemda), `GET /arsip/<entry id>` (one register entry with its case and stored copies), `POST /arsip/unduh/<docId>`
 * (a logged download through a 5-minute link) and `GET /arsip/register.csv|pdf?tahun=` (the register exports).
 * Thin: parse the query, check access, call the Archive service and the register exports, render.
 *
 * A principal only ever reads their own pemda's register; a document of another pemda answers 404 like one that
 * does not exist, so ids cannot be probed.
 */

/** Rows one results page shows at most; the rest is reported ("showing N of M"). */
export const RESULTS_SHOWN = 50;

const TITLE = 'Arsip naskah kerja sama';
const MAX_TEXT = 200;

/**
 * The agreements another module adds to the App (`app.agreements`): read structurally, at request time, so this
 * module compiles and runs whether or not it is there, and shows agreement status only when it is.
 */
export const AGREEMENT_STATUSES = ['belum-berlaku', 'berlaku', 'berakhir', 'batal'] as const;
type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];
const AGREEMENT_STATUS_LABEL: Record<AgreementStatus, string> = {
  'belum-berlaku': 'Belum berlaku',
  berlaku: 'Berlaku',
  berakhir: 'Berakhir',
  batal: 'Batal',
};
interface AgreementSummary {
  nomor: string;
  jenis?: string;
  perihal?: string;
  mitra?: string | string[];
  caseId?: string;
  status: string;
  mulai?: string;
  berakhir?: string;
  alasanBerakhir?: string;
  induk?: string;
  pelaksanaan?: string[];
  adendum?: string[];
  adendumDari?: string;
  berikutnya?: { jenis?: string; label?: string; jatuhTempo?: string; perkiraan?: boolean };
}
interface AgreementsPort {
  list(pemdaId: string): Promise<AgreementSummary[]>;
  /** The annual reports made (core/agreement/annual-report.ts), the latest year first. */
  annualReports?(pemdaId: string): Promise<RekapFact[]>;
}
function agreementsOf(app: WebUseCases): AgreementsPort | undefined {
  const candidate = (app as unknown as { agreements?: Partial<AgreementsPort> }).agreements;
  return typeof candidate?.list === 'function' ? (candidate as AgreementsPort) : undefined;
}

/** A register entry's id in URLs: its number text (which holds slashes), base64url-encoded. */
export const entryId = (numberText: string) => Buffer.from(numberText, 'utf8').toString('base64url');
function numberTextOf(id: string): string | undefined {
  const text = Buffer.from(id, 'base64url').toString('utf8');
  return text && entryId(text) === id ? text : undefined;
}

const COPY_GROUPS: readonly { key: keyof ArchivedCopies; judul: string }[] = [
  { key: 'signed', judul: 'Naskah bertanda tangan elektronik' },
  { key: 'partner', judul: 'Salinan para pihak' },
  { key: 'scans', judul: 'Pindaian naskah bertanda tangan' },
  { key: 'riwayat', judul: 'Lembar Riwayat Penandatanganan' },
  { key: 'other', judul: 'Dokumen lain dengan nomor ini' },
];
const CASE_STATUS_LABEL: Record<string, string> = {
  aktif: 'Sedang berjalan',
  selesai: 'Selesai',
  ditolak: 'Ditolak',
  dibatalkan: 'Dibatalkan',
};
const VIA_LABEL: Record<string, string> = { arsip: 'Konsol arsip', 'tautan tugas': 'Tautan tugas' };

interface SearchForm {
  nomor: string;
  mitra: string;
  perihal: string;
  tahun: string;
  status: string;
  keberlakuan: string;
}

export function archiveRoutes(ctx: WebContext): Route[] {
  const { app } = ctx;
  const pemdaOf = (pemdaId: string) => app.catalog.pemda(pemdaId);
  const timeZone = (pemdaId: string) => pemdaOf(pemdaId).directory.data.pemda.jamKerja.timeZone;
  const { archive } = app;
  const allowed = (p: Principal) => canSeeArchive(p, p.pemdaId);
  const kop = (pemdaId: string) => pemdaOf(pemdaId).directory.data.pemda.kop.join(' · ');
  const page = (status: number, name: string, model: Record<string, unknown>, title: string, session: Session) =>
    ctx.html(status, name, model, title, { kop: kop(session.principal.pemdaId), session });

  /** Case records and access scopes, read once per request. */
  const scopes = (p: Principal) => {
    const cache = new Map<string, Promise<{ record: CaseRecord; scope: CaseScope } | undefined>>();
    return (caseId: string) => {
      let found = cache.get(caseId);
      if (!found) {
        found = (async () => {
          const record = await app.cases.case(caseId);
          if (!record) return undefined;
          const sopUnits = unitsOfSop(app.runtime.sopOf(record).definition.header);
          // Only a pejabat's access depends on the case's tasks.
          const tasks = has(p, 'pejabat') ? await app.cases.tasks(caseId) : undefined;
          return { record, scope: { record, sopUnits, ...(tasks ? { tasks } : {}) } };
        })();
        cache.set(caseId, found);
      }
      return found;
    };
  };

  /**
   * May the principal open this stored copy? The rules of its case; a copy whose case is not in Sepakat (a number
   * entered from SRIKANDI with its scans) is open to the archivists and admins of its pemda.
   */
  const mayOpen = async (
    p: Principal,
    doc: DocumentRecord,
    scopeOf: ReturnType<typeof scopes>,
  ): Promise<'ya' | 'tidak' | 'bukan-pemda'> => {
    // A document that names its pemda: another pemda's is refused before anything more is read about it.
    if (doc.pemdaId !== undefined && doc.pemdaId !== p.pemdaId) return 'bukan-pemda';
    const found = await scopeOf(doc.caseId);
    const pemdaId = doc.pemdaId ?? found?.record.pemdaId;
    if (pemdaId !== p.pemdaId) return 'bukan-pemda';
    if (found && found.record.pemdaId !== p.pemdaId) return 'bukan-pemda';
    if (found) return canSeeDocument(p, found.scope, doc.kind) ? 'ya' : 'tidak';
    return (has(p, 'arsiparis') || has(p, 'admin')) && ARCHIVE_DOCUMENT_KINDS.has(doc.kind) ? 'ya' : 'tidak';
  };

  const fmtAt = (iso: string | undefined, pemdaId: string) =>
    iso ? pemdaOf(pemdaId).formatDateTime(new Date(iso)) : '';
  const fmtDate = (value: string | undefined, pemdaId: string) =>
    !value ? '' : /^\d{4}-\d{2}-\d{2}$/.test(value) ? tanggalPanjang(value) : fmtAt(value, pemdaId);
  const seriesLabel = (pemdaId: string, series: string) =>
    pemdaOf(pemdaId).directory.data.penomoran.series[series]?.label ?? series;
  const entryDate = (e: RegisterEntry) =>
    e.dates.signed
      ? { tanggal: tanggalPanjang(e.dates.signed), keterangan: 'ditandatangani' }
      : e.dates.document
        ? { tanggal: tanggalPanjang(e.dates.document), keterangan: 'tanggal naskah' }
        : { tanggal: fmtDate(e.reservedAt.slice(0, 10), e.pemdaId), keterangan: 'dicadangkan' };
  const asli = (e: RegisterEntry) => (e.original ? `${e.original.location} (${e.original.copy})` : undefined);

  const agreementModel = (a: AgreementSummary, pemdaId: string) => {
    const status = (AGREEMENT_STATUSES as readonly string[]).includes(a.status) ? (a.status as AgreementStatus) : null;
    const link = (nomor: string) => ({ nomor, url: `/arsip/${entryId(nomor)}` });
    return {
      status: status ? AGREEMENT_STATUS_LABEL[status] : a.status,
      statusKode: a.status,
      mulai: fmtDate(a.mulai, pemdaId),
      berakhir: fmtDate(a.berakhir, pemdaId),
      alasanBerakhir: a.alasanBerakhir,
      berikutnya: a.berikutnya?.label
        ? {
            label: a.berikutnya.label,
            jatuhTempo: fmtDate(a.berikutnya.jatuhTempo, pemdaId),
            perkiraan: a.berikutnya.perkiraan === true,
          }
        : undefined,
      induk: a.induk ? link(a.induk) : undefined,
      pelaksanaan: (a.pelaksanaan ?? []).map(link),
      adendumDari: a.adendumDari ? link(a.adendumDari) : undefined,
      adendum: (a.adendum ?? []).map(link),
    };
  };

  async function search(event: WebRequest): Promise<HttpResult> {
    const found = await ctx.signedIn(event, allowed);
    if (found.result) return found.result;
    const { session } = found;
    const p = session.principal;
    const params = new URLSearchParams(event.rawQueryString ?? '');
    const form: SearchForm = {
      nomor: (params.get('nomor') ?? '').trim(),
      mitra: (params.get('mitra') ?? '').trim(),
      perihal: (params.get('perihal') ?? '').trim(),
      tahun: (params.get('tahun') ?? '').trim(),
      status: (params.get('status') ?? '').trim(),
      keberlakuan: (params.get('keberlakuan') ?? '').trim(),
    };
    const agreements = agreementsOf(app);
    const errors: string[] = [];
    for (const [field, label] of [
      ['nomor', 'Nomor'],
      ['mitra', 'Mitra / pihak'],
      ['perihal', 'Perihal'],
    ] as const)
      if (form[field].length > MAX_TEXT) errors.push(`${label} paling panjang ${MAX_TEXT} karakter.`);
    const tahun = form.tahun ? Number(form.tahun) : undefined;
    if (form.tahun && !(/^\d{4}$/.test(form.tahun) && tahun! >= TAHUN_MIN && tahun! <= TAHUN_MAX))
      errors.push(`Tahun harus empat angka antara ${TAHUN_MIN} dan ${TAHUN_MAX}.`);
    if (form.status && !(REGISTER_STATUSES as readonly string[]).includes(form.status))
      errors.push('Status register tidak dikenal; pilih dari daftar.');
    if (form.keberlakuan && !(agreements && (AGREEMENT_STATUSES as readonly string[]).includes(form.keberlakuan)))
      errors.push('Status perjanjian tidak dikenal; pilih dari daftar.');

    const model = (extra: Record<string, unknown>) => ({
      form,
      statusPilihan: REGISTER_STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s], selected: form.status === s })),
      keberlakuanPilihan: agreements
        ? AGREEMENT_STATUSES.map((s) => ({
            value: s,
            label: AGREEMENT_STATUS_LABEL[s],
            selected: form.keberlakuan === s,
          }))
        : undefined,
      ekspor: { tahun: tahun ?? yearOf(app.cases.now(), timeZone(p.pemdaId)) },
      ...extra,
    });
    if (errors.length) return page(400, 'arsip-cari', model({ errors }), TITLE, session);

    let result;
    try {
      result = await archive.search({
        pemdaId: p.pemdaId,
        ...(form.nomor ? { nomor: form.nomor } : {}),
        ...(form.mitra ? { mitra: form.mitra } : {}),
        ...(form.perihal ? { perihal: form.perihal } : {}),
        ...(tahun !== undefined ? { tahun } : {}),
        ...(form.status ? { status: form.status as RegisterStatus } : {}),
        // With an agreement-status filter the register is read wider, then filtered here.
        limit: form.keberlakuan ? undefined : RESULTS_SHOWN,
      });
    } catch (error) {
      if (isSepakatError(error, ErrorNames.BadInput))
        return page(400, 'arsip-cari', model({ errors: [error.message] }), TITLE, session);
      throw error;
    }
    const byNomor = new Map(
      agreements ? (await agreements.list(p.pemdaId)).map((a) => [a.nomor, a] as const) : undefined,
    );
    let items: ArchiveHit[] = result.items;
    let matched = result.matched;
    if (form.keberlakuan) {
      items = items.filter((h) => byNomor.get(h.entry.numberText)?.status === form.keberlakuan);
      matched = items.length;
    }
    const shown = items.slice(0, RESULTS_SHOWN);
    const scopeOf = scopes(p);
    const hasil = await Promise.all(
      shown.map(async ({ entry, copies }) => {
        const dokumen: { label: string; url: string; asli?: boolean }[] = [];
        for (const g of COPY_GROUPS)
          for (const d of copies[g.key])
            if ((await mayOpen(p, d, scopeOf)) === 'ya')
              dokumen.push({
                label: g.judul,
                url: `/arsip/unduh/${encodeURIComponent(d.docId)}`,
                ...(d.asli !== undefined ? { asli: d.asli } : {}),
              });
        const agreement = byNomor.get(entry.numberText);
        return {
          nomor: entry.numberText,
          url: `/arsip/${entryId(entry.numberText)}`,
          ...entryDate(entry),
          jenis: seriesLabel(p.pemdaId, entry.series),
          perihal: entry.perihal ?? '',
          pihak: entry.parties,
          status: STATUS_LABEL[entry.status],
          statusKode: entry.status,
          asli: asli(entry),
          dokumen,
          perjanjian: agreement ? agreementModel(agreement, p.pemdaId) : undefined,
        };
      }),
    );
    const years = result.years.length > 1 ? `${result.years.at(-1)}–${result.years[0]}` : String(result.years[0] ?? '');
    const searched = Object.values(form).some(Boolean);
    // The annual reports, each with whom it was mailed to, or why the mail service refused it (the email is then the
    // only way it would have reached the Bagian: this page is where it is found).
    const laporanTahunan = agreements?.annualReports
      ? (await agreements.annualReports(p.pemdaId)).map((r) => ({
          tahun: r.tahun,
          dibuat: fmtAt(r.at, p.pemdaId),
          url: `/konsol/perjanjian/laporan-tahunan/${r.tahun}`,
          kepada: r.to.join(', '),
          ...(r.emailGagal
            ? { ditolak: r.emailGagal, ditolakPengirim: r.emailGagalKode === MAIL_REFUSAL.pengirim }
            : {}),
        }))
      : [];
    return page(
      200,
      'arsip-cari',
      model({
        hasil,
        adaPerjanjian: !!agreements,
        laporanTahunan,
        ringkasan: {
          jumlah: matched,
          ditampilkan: hasil.length,
          terpotong: hasil.length < matched || (!!form.keberlakuan && result.truncated),
          tahun: years,
          dicari: searched,
        },
      }),
      TITLE,
      session,
    );
  }

  /**
   * Each signature of a stored copy as the verification page reports it (signed naskah, letters, the Lembar
   * Riwayat; other kinds are not verified there), or that the stored bytes changed.
   */
  async function signaturesOf(d: DocumentRecord) {
    const view = d.contentType === 'application/pdf' ? await app.verification.byDocId(d.docId) : undefined;
    if (!view) return {};
    return view.kecocokan.jenis === 'berubah' ? { berubah: view.kecocokan.teks } : { tandaTangan: view.tandaTangan };
  }

  async function entryPage(event: WebRequest, id: string): Promise<HttpResult> {
    const found = await ctx.signedIn(event, allowed);
    if (found.result) return found.result;
    const { session } = found;
    const p = session.principal;
    const numberText = numberTextOf(id);
    // Read from the principal's own pemda's register: another pemda's number is simply not there.
    const entry = numberText ? await app.registerEntry(p.pemdaId, numberText) : undefined;
    const refused = await ctx.guard(session, 'entri-register', entry?.pemdaId);
    if (refused || !entry) return refused!;
    const hit = (await archive.search({ pemdaId: p.pemdaId, nomor: entry.numberText })).items[0];
    const copies = hit?.copies ?? { signed: [], partner: [], scans: [], riwayat: [], other: [] };
    const scopeOf = scopes(p);
    const kasus = entry.caseId ? await scopeOf(entry.caseId) : undefined;
    // The case's summary (perihal, pemohon, SOP, status, dates) goes with the register entry for the archive's own
    // roles (arsiparis, admin) and for whoever may see the case; its page (timeline, notes) only where canSeeCase
    // allows (an arsiparis: once the case is finished).
    const sameCasePemda = !!kasus && kasus.record.pemdaId === p.pemdaId;
    const casePageOpen = sameCasePemda && canSeeCase(p, kasus.scope);
    const caseVisible = sameCasePemda && (casePageOpen || has(p, 'arsiparis') || has(p, 'admin'));

    let hidden = 0;
    const all: DocumentRecord[] = [];
    const groups = [];
    for (const g of COPY_GROUPS) {
      const docs = [];
      for (const d of copies[g.key]) {
        const access = await mayOpen(p, d, scopeOf);
        if (access === 'bukan-pemda') continue;
        if (access === 'tidak') {
          hidden++;
          continue;
        }
        all.push(d);
        docs.push({
          docId: d.docId,
          nama: d.fileName,
          sha256: d.sha256,
          ukuran: formatBytes(d.size),
          dibuat: fmtAt(d.createdAt, p.pemdaId),
          asli: d.asli === undefined ? undefined : d.asli ? 'Asli' : 'Salinan',
          cara:
            d.meta?.['cara'] === 'kertas'
              ? 'Ditandatangani mitra di atas kertas (pindaian)'
              : d.kind === 'lembar-riwayat'
                ? `Riwayat setiap paraf dan tanda tangan, disegel secara elektronik oleh pemerintah daerah; menerangkan naskah final dengan SHA-256 ${String(d.meta?.['naskahSha256'] ?? '-')}`
                : undefined,
          unduh: `/arsip/unduh/${encodeURIComponent(d.docId)}`,
          verifikasi: d.contentType === 'application/pdf' ? `/verifikasi/${encodeURIComponent(d.docId)}` : undefined,
          ...(await signaturesOf(d)),
        });
      }
      if (docs.length || g.key !== 'other') groups.push({ judul: g.judul, kunci: g.key, dokumen: docs });
    }

    // The download history: archivists and admins only.
    let unduhan: Record<string, unknown>[] | undefined;
    if (has(p, 'arsiparis') || has(p, 'admin')) {
      const byDoc = new Map(all.map((d) => [d.docId, d]));
      const caseIds = [...new Set(all.map((d) => d.caseId))];
      const events: HistoryEvent[] = await app.cases.histories(caseIds);
      unduhan = events
        .filter((e) => e.type === 'dokumen-diunduh' && byDoc.has(String(e.detail?.['docId'])))
        .sort((a, b) => b.at.localeCompare(a.at) || b.eventKey.localeCompare(a.eventKey))
        .map((e) => {
          const d = byDoc.get(String(e.detail?.['docId']))!;
          const via = e.detail?.['melalui'];
          return {
            waktu: fmtAt(e.at, p.pemdaId),
            oleh: e.who?.nama ?? '',
            peran: e.who?.jabatan ?? '',
            dokumen: `${COPY_GROUPS.find((g) => copies[g.key].includes(d))?.judul ?? d.kind}: ${d.fileName}`,
            melalui: typeof via === 'string' ? (VIA_LABEL[via] ?? via) : 'Baris perintah',
            alasan: typeof e.detail?.['alasan'] === 'string' ? e.detail['alasan'] : undefined,
          };
        });
    }

    const agreements = agreementsOf(app);
    const agreement = agreements
      ? (await agreements.list(p.pemdaId)).find((a) => a.nomor === entry.numberText)
      : undefined;
    const record = caseVisible ? kasus.record : undefined;
    const dates = entry.dates;
    return page(
      200,
      'arsip-entri',
      {
        entri: {
          nomor: entry.numberText,
          jenis: seriesLabel(p.pemdaId, entry.series),
          tahun: entry.year,
          status: STATUS_LABEL[entry.status],
          statusKode: entry.status,
          sumber: entry.source === 'srikandi' ? 'SRIKANDI' : 'Sepakat',
          pihak: entry.parties,
          perihal: entry.perihal,
          tanggalNaskah: tanggalPanjang(dates.document),
          tanggalTandaTangan: tanggalPanjang(dates.signed),
          jangkaWaktu:
            dates.validFrom || dates.validUntil
              ? `${tanggalPanjang(dates.validFrom) || '…'} s.d. ${tanggalPanjang(dates.validUntil) || '…'}`
              : undefined,
          asli: entry.original
            ? {
                tempat: entry.original.location,
                rangkap: entry.original.copy,
                dicatat: `${fmtAt(entry.original.recordedAt, p.pemdaId)}${entry.original.recordedBy ? `, oleh ${entry.original.recordedBy}` : ''}`,
              }
            : undefined,
          dicadangkan: `${fmtAt(entry.reservedAt, p.pemdaId)}${entry.by ? `, oleh ${entry.by}` : ''}`,
          dipakai: entry.usedAt ? fmtAt(entry.usedAt, p.pemdaId) : undefined,
          alasanBatal: entry.voidReason,
        },
        kasus: record
          ? {
              caseId: record.caseId,
              perihal: record.perihal,
              pemohon: `${record.pemohon.nama}, ${record.pemohon.instansi}`,
              sop: app.runtime.sopOf(record).definition.header.nama,
              versi: record.sopVersion,
              status: CASE_STATUS_LABEL[record.status] ?? record.status,
              dimulai: fmtAt(record.createdAt, p.pemdaId),
              selesai: record.closedAt ? fmtAt(record.closedAt, p.pemdaId) : undefined,
              halaman: casePageOpen ? `/konsol/kasus/${encodeURIComponent(record.caseId)}` : undefined,
            }
          : undefined,
        kasusTersembunyi: !!entry.caseId && !record,
        kelompok: groups,
        tersembunyi: hidden,
        unduhan,
        lihatUnduhan: unduhan !== undefined,
        perjanjian: agreement ? agreementModel(agreement, p.pemdaId) : undefined,
      },
      `Arsip ${entry.numberText}`.slice(0, 80),
      session,
    );
  }

  /** A stored copy, downloaded: a POST (with the session's CSRF token) so that following a link records nothing. */
  async function download(event: WebRequest, rawId: string): Promise<HttpResult> {
    const found = await ctx.acting(event, allowed);
    if (found.result) return found.result;
    const { session } = found;
    const p = session.principal;
    let docId: string | undefined;
    try {
      docId = decodeURIComponent(rawId);
    } catch {
      docId = undefined;
    }
    const stored = docId === undefined ? undefined : await app.cases.document(docId);
    // Only copies filed in the archive (under a register number, or of an archive kind) are served here.
    const doc = stored && (stored.nomor !== undefined || ARCHIVE_DOCUMENT_KINDS.has(stored.kind)) ? stored : undefined;
    const access = doc ? await mayOpen(p, doc, scopes(p)) : 'bukan-pemda';
    const refused = await ctx.guard(
      session,
      'dokumen',
      access === 'bukan-pemda' ? undefined : p.pemdaId,
      () => access === 'ya',
      'Peran atau unit kerja Anda tidak memberi akses ke dokumen ini. Hubungi administrator bila perlu.',
    );
    if (refused || !doc) return refused!;
    const link = await archive.downloadLink(
      doc.docId,
      { id: p.sub, nama: p.nama, peran: p.roles.map((r) => ROLE_LABEL[r]).join(', ') },
      undefined,
      'arsip',
    );
    return {
      statusCode: 303,
      headers: { location: link.url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
      body: '',
    };
  }

  /**
   * The register of the year (default this year) as CSV (a GET: read and sent) or as PDF (a POST with the session's
   * CSRF token: printed where Chromium is, kept for a day under the scratch prefix, answered with a 303 to a
   * 5-minute download link, so no PDF goes through this function's response).
   */
  async function exportRegister(event: WebRequest, format: 'csv' | 'pdf'): Promise<HttpResult> {
    let session: Session;
    let params: URLSearchParams;
    if (format === 'csv') {
      const found = await ctx.signedIn(event, allowed);
      if (found.result) return found.result;
      ({ session } = found);
      params = new URLSearchParams(event.rawQueryString ?? '');
    } else {
      const found = await ctx.acting(event, allowed);
      if (found.result) return found.result;
      ({ session } = found);
      params = new URLSearchParams(found.form);
    }
    const pemdaId = session.principal.pemdaId;
    const tahunText = (params.get('tahun') ?? '').trim();
    const statusText = (params.get('status') ?? '').trim();
    const year = tahunText ? Number(tahunText) : yearOf(app.cases.now(), timeZone(pemdaId));
    const salah = (pesan: string) => ctx.message(400, { judul: 'Ekspor register tidak valid', pesan }, session);
    if (tahunText && !(/^\d{4}$/.test(tahunText) && year >= TAHUN_MIN && year <= TAHUN_MAX))
      return salah(`Tahun harus empat angka antara ${TAHUN_MIN} dan ${TAHUN_MAX}.`);
    if (statusText && !(REGISTER_STATUSES as readonly string[]).includes(statusText))
      return salah(`Status register harus salah satu dari: ${REGISTER_STATUSES.join(', ')}.`);
    const input = { pemdaId, year, ...(statusText ? { status: statusText as RegisterStatus } : {}) };
    const name = `register-kerja-sama-${pemdaId}-${year}${statusText ? `-${statusText}` : ''}`;
    if (format === 'csv')
      return attachment(`${name}.csv`, 'text/csv; charset=utf-8', await app.registerExport.csv(input));
    const link = await app.registerExport.pdf(input, `${name}.pdf`);
    return {
      statusCode: 303,
      headers: { location: link.url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
      body: '',
    };
  }

  return [
    { method: 'GET', pattern: /^\/arsip\/?$/, run: (e) => search(e) },
    { method: 'GET', pattern: /^\/arsip\/register\.csv$/, run: (e) => exportRegister(e, 'csv') },
    { method: 'POST', pattern: /^\/arsip\/register\.pdf$/, run: (e) => exportRegister(e, 'pdf') },
    {
      method: 'POST',
      pattern: /^\/arsip\/unduh\/([^/]{1,300})$/,
      params: ['dokumen'],
      run: (e, m) => download(e, m[1]!),
    },
    {
      method: 'GET',
      pattern: /^\/arsip\/([A-Za-z0-9_-]{1,600})$/,
      params: ['entri-register'],
      run: (e, m) => entryPage(e, m[1]!),
    },
  ];
}
