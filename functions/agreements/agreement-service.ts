import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import {
  agreementJobKeys,
  followUps,
  kewajibanList,
  laporanKe,
  monevKe,
  nextDue,
  registrationSchedule,
  termChangeSchedule,
  type Berikutnya,
  type JenisKewajiban,
  type Kewajiban,
} from '../../core/agreement/calendar.ts';
import { agreementId, agreementJobKey, type AgreementJob, type AnnualReportJob } from '../../core/agreement/jobs.ts';
import { DASAR_KESEPAKATAN } from '../../core/agreement/induk.ts';
import {
  BERAKHIR_BARU,
  checkNewEnd,
  decide,
  jenisFrom,
  lastDayOf,
  newEndFrom,
  statusOn,
  type LifecycleAction,
} from '../../core/agreement/lifecycle.ts';
import {
  ALASAN_LABEL,
  JENIS_LABEL,
  REKOMENDASI_LABEL,
  REKOMENDASI_MONEV,
  STATUS_LABEL,
  type AgreementRecord,
  type AgreementStatus,
  type AlasanBerakhir,
  type Pemantauan,
  type RekomendasiMonev,
  type Usulan,
} from '../../core/agreement/model.ts';
import { inForceDuring, recipientsOf, rekapView, type RekapBaris } from '../../core/agreement/rekap.ts';
import { addDays } from '../../core/calendar/zone.ts';
import { checkLink, linkToken } from '../../core/case/links.ts';
import { maskEmail } from '../../core/case/task-actions.ts';
import type { CaseRecord, CaseStore, Clock, HistoryEvent, Mailer, Scheduler } from '../../core/case/model.ts';
import type { PemdaContext, SopCatalog } from '../../core/case/runtime.ts';
import type { Person } from '../../core/directory/directory.ts';
import { assembleDocument, jangkaWaktu, type CaseDocumentContext } from '../../core/documents/assemble.ts';
import { tanggalSurat } from '../../core/documents/common.ts';
import { ErrorNames, isSepakatError, SepakatError } from '../../core/errors.ts';
import { parseOrThrow, type Labels } from '../../core/validation/issues.ts';
import { catatan, checkField, teks } from '../../core/validation/text.ts';
import type { DocumentRecord, DocumentStore } from '../adapters/document-store.ts';
import type { AgreementStore, ItemPerson, MonitoringItem } from '../adapters/agreement-store.ts';
import type { Renderer } from '../render/renderer.ts';
import { log } from '../observability/log.ts';

/**
 * The life of an agreement after signing, on the product's adapters: registration when the numbered naskah is
 * signed, the monitoring calendar on the Scheduler port (report requests, reminders, escalation, monev, the end of
 * the term, the annual report), the capability links of reports and monev, and the administrator's actions. Every
 * fact is one conditional write; every email is sent once per fact (recorded in the history of the agreement's case,
 * with a deterministic Message-ID), so a job that fires twice sends nothing twice.
 */
export interface AgreementServiceDeps {
  store: AgreementStore;
  cases: Pick<CaseStore, 'getCase' | 'createCase' | 'appendHistory' | 'hasHistory' | 'getHistory' | 'listHistory'>;
  documents: Pick<DocumentStore, 'store' | 'get' | 'downloadUrl'>;
  renderer(): Pick<Renderer, 'render' | 'printExport'>;
  mailer: Mailer;
  emails: { render(template: string, model: Record<string, unknown>): { subject: string; text: string; html: string } };
  clock: Clock;
  scheduler?: Scheduler;
  pemda(pemdaId: string): PemdaContext;
  sops: SopCatalog;
  linkKey: Buffer;
  publicBaseUrl: string;
  mailDomain: string;
  documentsBucket: string;
  /** Starts the execution of a new case (an adendum): the case runtime's start. */
  startCase(record: CaseRecord): Promise<unknown>;
}

/** One agreement as the register, the archive page and the CLI show it (dates YYYY-MM-DD). */
export interface AgreementSummary {
  nomor: string;
  jenis: string;
  perihal: string;
  mitra: string;
  caseId: string;
  status: AgreementStatus;
  mulai: string;
  berakhir: string;
  alasanBerakhir?: string;
  induk?: string;
  /** The agreements that implement this one (a Kesepakatan Bersama's PKS). */
  pelaksanaan?: string[];
  adendum: string[];
  adendumDari?: string;
  berikutnya?: { jenis: string; label: string; jatuhTempo: string };
}

/** What a report or monev link opens to, or why it does not. */
export type LinkProblem =
  | { problem: 'rusak' }
  | { problem: 'orang-lain' | 'diganti' | 'kedaluwarsa' | 'ditutup' | 'batas-tautan'; item: MonitoringItem }
  | { problem: 'selesai'; item: MonitoringItem; sameSubmission: boolean };

export interface LinkView {
  item: MonitoringItem;
  agreement: AgreementRecord;
  record: CaseRecord;
}

export type FormErrors = Record<string, string>;

export type SubmitResult =
  | LinkProblem
  | { result: 'tidak-valid'; view: LinkView; errors: FormErrors; form: Record<string, string> }
  | { result: 'diterima'; view: LinkView; item: MonitoringItem; document?: DocumentRecord };

/** The fields of the report form (names as the page posts them). */
export const LAPORAN_FIELDS = [
  'kegiatan',
  'capaian',
  'kendala',
  'rencana',
  'anggaran',
  'nama',
  'jabatan',
  'nip',
  'pangkat',
] as const;

/**
 * The text of the report form, each field with its label as the page shows it (templates/pages/pantau-laporan.hbs).
 * Required fields and the NIP's format are checked in `submit`, with messages that say what to write.
 */
export const LAPORAN_FORM = z.object({
  kegiatan: catatan('Kegiatan yang dilaksanakan', { max: 4000 }),
  capaian: catatan('Capaian', { max: 4000 }),
  kendala: catatan('Kendala', { max: 4000 }),
  rencana: catatan('Rencana tindak lanjut', { max: 4000 }),
  anggaran: teks('Realisasi anggaran', { max: 4000 }),
  nama: teks('Nama', { max: 4000 }),
  jabatan: teks('Jabatan', { max: 4000 }),
  nip: teks('NIP', { max: 4000 }),
  pangkat: teks('Pangkat/golongan', { max: 4000 }),
}) satisfies z.ZodType<Record<(typeof LAPORAN_FIELDS)[number], string>>;
export const LAPORAN_LABELS: Labels = {
  '': 'Formulir laporan pelaksanaan',
  kegiatan: 'Kegiatan yang dilaksanakan',
  capaian: 'Capaian',
  kendala: 'Kendala',
  rencana: 'Rencana tindak lanjut',
  anggaran: 'Realisasi anggaran',
  nama: 'Nama',
  jabatan: 'Jabatan',
  nip: 'NIP',
  pangkat: 'Pangkat/golongan',
};

/** The monev form (templates/pages/pantau-monev.hbs); the date and the recommendation are checked in `submit`. */
export const MONEV_FORM = z.object({
  tanggal: teks('Tanggal monitoring dan evaluasi', { max: 20 }),
  rekomendasi: teks('Rekomendasi', { max: 40 }),
  catatan: catatan('Catatan', { max: 4000 }),
});
export const MONEV_LABELS: Labels = {
  '': 'Formulir monitoring dan evaluasi',
  tanggal: 'Tanggal monitoring dan evaluasi',
  rekomendasi: 'Rekomendasi',
  catatan: 'Catatan',
};

/** The administrator's forms on the agreement page (templates/pages/perjanjian.hbs). */
export const AKHIRI_FORM = z.object({
  alasan: teks('Alasan', { max: 100 }),
  catatan: catatan('Catatan', { max: 2000 }).optional(),
});
export const BATAL_FORM = z.object({ alasan: catatan('Alasan', { max: 2000 }) });
export const ADENDUM_FORM = z.object({
  sopId: teks('SOP penyusunan adendum', { min: 1, max: 200 }),
  perihal: teks('Perihal', { max: 500 }).optional(),
  berakhirBaru: teks('Tanggal berakhir baru', { max: 20 }).optional(),
});
export const AGREEMENT_ACTION_LABELS: Labels = {
  '': 'Formulir perjanjian',
  alasan: 'Alasan',
  catatan: 'Catatan',
  sopId: 'SOP penyusunan adendum',
  perihal: 'Perihal',
  berakhirBaru: 'Tanggal berakhir baru',
};

/** How many times an expired report or monev link may be renewed, and how long a renewed link lives (days). */
export const MAX_LINK_RENEWALS = 3;
export const RENEWED_LINK_DAYS = 14;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The labels of an agreement's stored reason (a code when it ended, the administrator's words when BATAL). */
export function alasanText(a: Pick<AgreementRecord, 'status' | 'alasanBerakhir'>): string | undefined {
  if (!a.alasanBerakhir) return undefined;
  return a.status === 'berakhir'
    ? (ALASAN_LABEL[a.alasanBerakhir as AlasanBerakhir] ?? a.alasanBerakhir)
    : a.alasanBerakhir;
}

export class AgreementService {
  constructor(private readonly deps: AgreementServiceDeps) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  private cfg(pemdaId: string): Pemantauan {
    return this.deps.pemda(pemdaId).directory.data.pemantauan;
  }

  private today(pemdaId: string): string {
    return this.deps.pemda(pemdaId).localDate(this.now());
  }

  // ─── Registration ─────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Registers the agreement of a case whose naskah is signed and numbered (the `daftar` step, when the register
   * marks the number used). Safe to repeat: the record is one conditional put, the adendum link one conditional
   * update, the schedule one item per key; a repeat completes whatever a crash left undone.
   */
  async registerCase(caseId: string): Promise<AgreementRecord | undefined> {
    const record = await this.deps.cases.getCase(caseId);
    if (!record) throw new SepakatError(ErrorNames.NotFound, `Kasus ${caseId} tidak ditemukan`);
    const nomor = text(record.data['nomor-naskah']);
    if (!nomor) return undefined;
    const pemda = this.deps.pemda(record.pemdaId);
    const today = pemda.localDate(this.now());
    const mulai = isoDate(record.data['naskah-tanggal']) ?? today;
    const tahun = jangkaWaktu(record);
    const sopId = record.sopId;
    const jenisKerjaSama = text(record.data['jenis-kerja-sama']) ?? '';
    const adendumDari = text(record.data['adendum-dari']);
    const induk = text(record.data[DASAR_KESEPAKATAN]);
    const candidate: AgreementRecord = {
      pemdaId: record.pemdaId,
      nomor,
      jenis: jenisFrom(record.data, sopId),
      perihal: text(record.data['naskah-tentang']) ?? record.perihal,
      mitra: text(record.data['pihak-mitra']) ?? record.pemohon.instansi,
      caseId,
      sopKey: record.sopKey,
      ...(text(record.data['dokumen-naskah-ditandatangani'])
        ? { naskahDocId: text(record.data['dokumen-naskah-ditandatangani'])! }
        : {}),
      mulai,
      jangkaWaktuTahun: tahun,
      berakhir: lastDayOf(mulai, tahun),
      status: 'berlaku',
      version: 1,
      ...(induk ? { induk } : {}),
      adendum: [],
      ...(adendumDari ? { adendumDari } : {}),
      pelaksana: {
        email: text(record.data['pelaksana-email']) ?? record.pemohon.email,
        nama: text(record.data['pelaksana-nama']) ?? record.pemohon.nama,
        unit: text(record.data['pelaksana-unit']) ?? record.pemohon.instansi,
      },
      luarNegeri: /luar-negeri/.test(sopId) || /^KSD(PL|LL)$/.test(jenisKerjaSama),
      usulan: {},
      createdAt: this.now().toISOString(),
    };
    await this.deps.store.create(candidate);
    const agreement = (await this.deps.store.get(record.pemdaId, nomor))!;
    const id = agreementId(agreement.pemdaId, agreement.nomor);
    await this.fact(agreement.caseId, `perjanjian#${id}#terdaftar`, 'perjanjian-terdaftar', {
      nomor,
      jenis: JENIS_LABEL[agreement.jenis],
      mulai: agreement.mulai,
      berakhir: agreement.berakhir,
      ...(agreement.induk ? { induk: agreement.induk } : {}),
      ...(agreement.adendumDari ? { adendumDari: agreement.adendumDari } : {}),
    });
    if (agreement.adendumDari) {
      await this.linkAdendum(agreement);
      await this.changeTermByAdendum(agreement, record.data);
    }
    if (agreement.induk) await this.linkInduk(agreement);
    // An adendum amends its agreement: the reports and monev continue under the agreement it amends.
    if (!agreement.adendumDari && agreement.status === 'berlaku')
      await this.scheduleAll(registrationSchedule(agreement, this.cfg(agreement.pemdaId), pemda.calendar, today));
    return agreement;
  }

  private async linkAdendum(adendum: AgreementRecord): Promise<void> {
    const original = await this.deps.store.get(adendum.pemdaId, adendum.adendumDari!);
    if (!original) return;
    await this.deps.store.addAdendum(original.pemdaId, original.nomor, adendum.nomor);
    await this.fact(
      original.caseId,
      `perjanjian#${agreementId(original.pemdaId, original.nomor)}#adendum#${agreementId(adendum.pemdaId, adendum.nomor)}`,
      'perjanjian-berubah',
      { nomor: original.nomor, adendum: adendum.nomor, kasusAdendum: adendum.caseId },
    );
  }

  /**
   * An adendum whose case data carries `berakhir-baru` moves the end of the term of the agreement it amends forward:
   * one conditional update on its version (which keeps the previous end), then the fact, then the end reminders and
   * the expiry of the old end cancelled and those of the new one scheduled. A repeat (a crash between the parts)
   * finds the change made by this adendum and completes the rest.
   */
  private async changeTermByAdendum(adendum: AgreementRecord, data: Readonly<Record<string, unknown>>): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const original = await this.deps.store.get(adendum.pemdaId, adendum.adendumDari!);
      if (!original || original.status !== 'berlaku') return;
      const madeHere = original.perubahanJangka?.adendum === adendum.nomor;
      const berakhir = madeHere ? original.berakhir : newEndFrom(original, data);
      if (!berakhir) return;
      const sebelumnya = madeHere ? original.perubahanJangka!.berakhirSebelumnya : original.berakhir;
      if (!madeHere) {
        const at = this.now().toISOString();
        const change = { berakhir, adendum: adendum.nomor, berakhirSebelumnya: sebelumnya, at };
        if (!(await this.deps.store.changeTerm(original.pemdaId, original.nomor, original.version, change))) continue;
      }
      const after = (await this.deps.store.get(original.pemdaId, original.nomor))!;
      const before: AgreementRecord = { ...after, berakhir: sebelumnya };
      const id = agreementId(original.pemdaId, original.nomor);
      await this.fact(
        original.caseId,
        `perjanjian#${id}#jangka#${agreementId(adendum.pemdaId, adendum.nomor)}`,
        'perjanjian-berubah',
        {
          nomor: original.nomor,
          jangkaDiubah: adendum.nomor,
          berakhirSebelumnya: sebelumnya,
          berakhir: after.berakhir,
          kasusAdendum: adendum.caseId,
        },
      );
      const plan = termChangeSchedule(
        before,
        after,
        this.cfg(after.pemdaId),
        this.deps.pemda(after.pemdaId).calendar,
        this.today(after.pemdaId),
      );
      const scheduler = this.deps.scheduler;
      if (scheduler) for (const key of plan.cancel) await scheduler.cancel(key);
      await this.scheduleAll(plan.schedule);
      return;
    }
    throw new SepakatError(ErrorNames.Transient, 'Perjanjian berubah; ulangi');
  }

  /**
   * A PKS implements its Kesepakatan Bersama: the KB lists it (one conditional update; a repeat adds nothing) and the
   * KB's case records the fact once. Ending either leaves the other as it is.
   */
  private async linkInduk(pks: AgreementRecord): Promise<void> {
    const induk = await this.deps.store.get(pks.pemdaId, pks.induk!);
    if (!induk) return;
    await this.deps.store.addPelaksanaan(induk.pemdaId, induk.nomor, pks.nomor);
    await this.fact(
      induk.caseId,
      `perjanjian#${agreementId(induk.pemdaId, induk.nomor)}#pelaksanaan#${agreementId(pks.pemdaId, pks.nomor)}`,
      'perjanjian-berubah',
      {
        nomor: induk.nomor,
        pelaksanaan: pks.nomor,
        jenisPelaksanaan: JENIS_LABEL[pks.jenis],
        kasusPelaksanaan: pks.caseId,
      },
    );
  }

  private async scheduleAll(items: { key: string; at: Date; job: AgreementJob | AnnualReportJob }[]): Promise<void> {
    const scheduler = this.deps.scheduler;
    if (!scheduler) return;
    for (const item of items) await scheduler.schedule(item);
  }

  // ─── Timed work ───────────────────────────────────────────────────────────────────────────────────────────

  /** A job of the monitoring calendar, handed back by the scheduler. Safe to repeat. */
  async runJob(job: AgreementJob | AnnualReportJob): Promise<{ kind: string; result: string }> {
    if (job.kind === 'laporan-tahunan') return { kind: job.kind, result: await this.annualReport(job) };
    const agreement = await this.deps.store.get(job.pemdaId, job.nomor);
    if (!agreement) return { kind: job.kind, result: 'perjanjian-tidak-ada' };
    const ke = job.ke ?? 0;
    if (job.tahap === 'laporan-dokumen') return { kind: job.kind, result: await this.renderPending(agreement, ke) };
    if (agreement.status !== 'berlaku') {
      // Closed meanwhile (its schedules were cancelled; this one had fired already): complete the closure.
      await this.afterClosure(agreement);
      return { kind: job.kind, result: 'perjanjian-ditutup' };
    }
    // An end reminder or expiry of a term an adendum has moved since (its cancel came too late): nothing to do.
    if (job.sampai && job.sampai !== agreement.berakhir) return { kind: job.kind, result: 'jangka-waktu-berubah' };
    switch (job.tahap) {
      case 'laporan-minta':
        return { kind: job.kind, result: await this.request(agreement, 'laporan', ke) };
      case 'monev-minta':
        return { kind: job.kind, result: await this.request(agreement, 'monev', ke) };
      case 'laporan-terlambat':
        return { kind: job.kind, result: await this.overdue(agreement, 'laporan', ke) };
      case 'laporan-eskalasi':
        return { kind: job.kind, result: await this.escalate(agreement, 'laporan', ke) };
      case 'monev-terlambat':
        return { kind: job.kind, result: await this.overdue(agreement, 'monev', ke) };
      case 'monev-eskalasi':
        return { kind: job.kind, result: await this.escalate(agreement, 'monev', ke) };
      case 'pengingat-berakhir':
        return { kind: job.kind, result: await this.endReminder(agreement, ke) };
      case 'berakhir':
        return { kind: job.kind, result: await this.expire(agreement) };
    }
  }

  private itemIdOf(a: Pick<AgreementRecord, 'pemdaId' | 'nomor'>, jenis: JenisKewajiban, ke: number): string {
    return createHmac('sha256', this.deps.linkKey)
      .update(`pantau|${a.pemdaId}|${a.nomor}|${jenis}|${ke}`)
      .digest('base64url')
      .slice(0, 22);
  }

  private kewajiban(a: AgreementRecord, jenis: JenisKewajiban, ke: number): Kewajiban | undefined {
    const calendar = this.deps.pemda(a.pemdaId).calendar;
    return jenis === 'laporan'
      ? laporanKe(a, this.cfg(a.pemdaId), calendar, ke)
      : monevKe(a, this.cfg(a.pemdaId), calendar, ke);
  }

  /** The head of the Bagian that runs the pemda's cooperation (the pemantauan `bagian` role, or the letter signer). */
  private bagianHead(pemdaId: string): Person | undefined {
    const pemda = this.deps.pemda(pemdaId);
    const role = this.cfg(pemdaId).bagian ?? pemda.directory.data.pemda.dokumen.penandatanganSurat;
    return role ? pemda.directory.holders(role, this.today(pemdaId))[0] : undefined;
  }

  private personFor(a: AgreementRecord, jenis: JenisKewajiban, ke: number): ItemPerson {
    if (jenis === 'laporan')
      return {
        id: `pelaksana:${a.pelaksana.email.toLowerCase()}`,
        nama: a.pelaksana.nama,
        jabatan: a.pelaksana.unit,
        email: a.pelaksana.email,
      };
    const pemda = this.deps.pemda(a.pemdaId);
    const cfg = this.cfg(a.pemdaId);
    const role = cfg.pelaksanaBagian ?? cfg.bagian ?? pemda.directory.data.pemda.dokumen.penandatanganSurat;
    if (!role)
      throw new SepakatError(ErrorNames.InvalidDefinition, `Pemda ${a.pemdaId}: pemantauan.bagian belum diatur`);
    const p = pemda.directory.bind(role, this.today(a.pemdaId), `${a.nomor}|monev|${ke}`);
    return { id: p.id, nama: p.nama, jabatan: p.jabatan, email: p.email };
  }

  private linkUrl(item: Pick<MonitoringItem, 'itemId' | 'linkVersion' | 'person'>): string {
    return `${this.deps.publicBaseUrl}/pantau/${linkToken(this.deps.linkKey, item.itemId, item.linkVersion, item.person.id)}`;
  }

  private factKey(a: AgreementRecord, ...parts: (string | number)[]): string {
    return ['pantau', agreementId(a.pemdaId, a.nomor), ...parts.map(String)].join('#');
  }

  /** Opens report or monev `ke` (once), emails its link (once), and schedules what follows it. */
  private async request(a: AgreementRecord, jenis: JenisKewajiban, ke: number): Promise<string> {
    const k = this.kewajiban(a, jenis, ke);
    if (!k) return 'di-luar-jangka-waktu';
    const pemda = this.deps.pemda(a.pemdaId);
    const itemId = this.itemIdOf(a, jenis, ke);
    let item = await this.deps.store.getItem(itemId);
    if (!item) {
      const expires = pemda.calendar.toInstant(
        addDays(k.jatuhTempo, this.cfg(a.pemdaId).tautanBerlakuSetelahHari),
        '24:00',
      );
      item = {
        itemId,
        pemdaId: a.pemdaId,
        nomor: a.nomor,
        jenis,
        ke,
        label: k.label,
        periode: k.periode,
        jatuhTempo: k.jatuhTempo,
        person: this.personFor(a, jenis, ke),
        state: 'terbuka',
        linkVersion: 1,
        linkExpiresAt: expires.toISOString(),
        requestedAt: this.now().toISOString(),
      };
      if ((await this.deps.store.createItem(item)) === 'exists') item = (await this.deps.store.getItem(itemId))!;
    }
    // What follows is scheduled before the email: whoever holds the link has its reminders scheduled.
    await this.scheduleAll(followUps(a, this.cfg(a.pemdaId), pemda.calendar, jenis, ke));
    const sent = await this.sendOnce(a.caseId, this.factKey(a, jenis, ke, 'minta'), {
      to: [item.person.email],
      template: jenis === 'laporan' ? 'perjanjian-laporan-diminta' : 'perjanjian-monev-diminta',
      model: {
        ...this.mailModel(a),
        person: item.person,
        label: item.label,
        periode: `${tanggalSurat(item.periode.mulai)} s.d. ${tanggalSurat(item.periode.selesai)}`,
        jatuhTempo: tanggalSurat(item.jatuhTempo),
        url: this.linkUrl(item),
        tautanBerlakuSampai: pemda.formatDateTime(new Date(item.linkExpiresAt)),
      },
    });
    return sent ? 'diminta' : 'sudah-diminta';
  }

  /**
   * Report or monev `ke` is past due and missing: remind the person its link went to, once; for reports, propose
   * BATAL after N missed in a row.
   */
  private async overdue(a: AgreementRecord, jenis: JenisKewajiban, ke: number): Promise<string> {
    const item = await this.deps.store.getItem(this.itemIdOf(a, jenis, ke));
    if (!item || item.state !== 'terbuka') return 'sudah-diterima';
    const pemda = this.deps.pemda(a.pemdaId);
    const linkValid = Date.parse(item.linkExpiresAt) > this.now().getTime();
    const factKey = this.factKey(a, jenis, ke, 'terlambat');
    const sent = await this.sendOnce(a.caseId, `${factKey}#email`, {
      to: [item.person.email],
      template: jenis === 'laporan' ? 'perjanjian-laporan-terlambat' : 'perjanjian-monev-terlambat',
      model: {
        ...this.mailModel(a),
        person: item.person,
        label: item.label,
        jatuhTempo: tanggalSurat(item.jatuhTempo),
        ...(linkValid
          ? { url: this.linkUrl(item), tautanBerlakuSampai: pemda.formatDateTime(new Date(item.linkExpiresAt)) }
          : {}),
      },
    });
    await this.fact(a.caseId, factKey, 'pengingat-terkirim', {
      nomor: a.nomor,
      tahap: jenis === 'laporan' ? 'laporan-terlambat' : 'monev-terlambat',
      ke,
      label: item.label,
      kepada: [item.person.email],
    });
    if (jenis === 'laporan') await this.proposeBatalIfMissed(a, ke);
    return sent ? 'terkirim' : 'sudah-terkirim';
  }

  /** Reports missed in a row up to `ke`: once the pemda's N is reached, BATAL is proposed (once per streak). */
  private async proposeBatalIfMissed(a: AgreementRecord, ke: number): Promise<void> {
    const n = this.cfg(a.pemdaId).batalSetelahLaporanTerlewat;
    if (n === null) return;
    let streak = 0;
    for (let j = ke; j >= 1; j--) {
      const item = await this.deps.store.getItem(this.itemIdOf(a, 'laporan', j));
      if (!item || item.state !== 'terbuka') break;
      streak++;
    }
    if (streak !== n) return;
    const labels = [];
    for (let j = ke - n + 1; j <= ke; j++) labels.push(this.kewajiban(a, 'laporan', j)?.label ?? `laporan ke-${j}`);
    await this.propose(a, `batal.${ke}`, {
      jenis: 'batal',
      sumber: `${n} laporan pelaksanaan berturut-turut tidak disampaikan`,
      at: this.now().toISOString(),
      catatan: `Laporan yang terlewat: ${labels.join('; ')}. Sesuai ketentuan, kerja sama yang tidak dilaksanakan dapat dinyatakan BATAL; keputusan ada pada administrator.`,
    });
  }

  /** A proposal to the administrator: recorded once on the agreement, a fact on its case, the Bagian's head told. */
  private async propose(a: AgreementRecord, key: string, usulan: Usulan): Promise<void> {
    await this.deps.store.addUsulan(a.pemdaId, a.nomor, key, usulan);
    const factKey = this.factKey(a, 'usulan', key);
    const head = this.bagianHead(a.pemdaId);
    if (head)
      await this.sendOnce(a.caseId, `${factKey}#email`, {
        to: [head.email],
        template: 'perjanjian-usulan',
        model: { ...this.mailModel(a), person: head, usulan, jenisUsulan: USULAN_LABEL[usulan.jenis] },
      });
    await this.fact(a.caseId, factKey, 'usulan-perjanjian', {
      nomor: a.nomor,
      usulan: usulan.jenis,
      sumber: usulan.sumber,
      ...(usulan.catatan ? { catatan: usulan.catatan } : {}),
    });
  }

  /** Report or monev `ke` is still missing some working days after its due date: the atasan of the Bagian's head is told. */
  private async escalate(a: AgreementRecord, jenis: JenisKewajiban, ke: number): Promise<string> {
    const item = await this.deps.store.getItem(this.itemIdOf(a, jenis, ke));
    if (!item || item.state !== 'terbuka') return 'sudah-diterima';
    const pemda = this.deps.pemda(a.pemdaId);
    const head = this.bagianHead(a.pemdaId);
    const atasan = head?.atasan ? pemda.directory.person(head.atasan) : undefined;
    if (!head || !atasan) return 'tanpa-atasan';
    const factKey = this.factKey(a, jenis, ke, 'eskalasi');
    const sent = await this.sendOnce(a.caseId, `${factKey}#email`, {
      to: [atasan.email],
      template: jenis === 'laporan' ? 'perjanjian-laporan-eskalasi' : 'perjanjian-monev-eskalasi',
      model: {
        ...this.mailModel(a),
        atasan,
        kepalaBagian: head,
        person: item.person,
        label: item.label,
        jatuhTempo: tanggalSurat(item.jatuhTempo),
      },
    });
    await this.fact(a.caseId, factKey, 'eskalasi-terkirim', {
      nomor: a.nomor,
      tahap: jenis === 'laporan' ? 'laporan-eskalasi' : 'monev-eskalasi',
      ke,
      label: item.label,
      kepada: [atasan.email],
      atasan: { id: atasan.id, nama: atasan.nama, jabatan: atasan.jabatan },
    });
    return sent ? 'terkirim' : 'sudah-terkirim';
  }

  private async endReminder(a: AgreementRecord, days: number): Promise<string> {
    const head = this.bagianHead(a.pemdaId);
    const to = [...new Set([head?.email, a.pelaksana.email].filter((x): x is string => !!x))];
    // A term an adendum moved has its own reminders: their facts name its end (an unmoved term keeps its old keys).
    const term = a.perubahanJangka ? [a.berakhir.replaceAll('-', '')] : [];
    const factKey = this.factKey(a, 'berakhir', days, ...term);
    const sent = await this.sendOnce(a.caseId, `${factKey}#email`, {
      to,
      template: 'perjanjian-pengingat-berakhir',
      model: { ...this.mailModel(a), hari: days, hariIni: days === 0 },
    });
    await this.fact(a.caseId, factKey, 'pengingat-terkirim', {
      nomor: a.nomor,
      tahap: 'pengingat-berakhir',
      hari: days,
      kepada: to,
    });
    return sent ? 'terkirim' : 'sudah-terkirim';
  }

  private async expire(a: AgreementRecord): Promise<string> {
    const today = this.today(a.pemdaId);
    if (today <= a.berakhir) return 'belum-berakhir';
    await this.close(a, { type: 'jangka-waktu-habis' });
    return 'berakhir';
  }

  // ─── Lifecycle ────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * One transition: decided by the pure lifecycle (refusals are BadInput with the reason), written on the version it
   * was decided from; then the fact, the cancelled schedules and the emails, each once.
   */
  private async close(a: AgreementRecord, action: LifecycleAction): Promise<AgreementRecord> {
    const t = decide(a, action, this.today(a.pemdaId));
    if (!(await this.deps.store.transition(a.pemdaId, a.nomor, a.version, t))) {
      const again = (await this.deps.store.get(a.pemdaId, a.nomor))!;
      // Another transition won (or this one, retried): the refusal names what the agreement is now.
      if (again.status === 'berlaku') throw new SepakatError(ErrorNames.Transient, 'Perjanjian berubah; ulangi');
      decide(again, action, this.today(a.pemdaId));
    }
    const closed = (await this.deps.store.get(a.pemdaId, a.nomor))!;
    await this.afterClosure(closed);
    return closed;
  }

  /** What follows a closure, each part once: the fact, the cancelled monitoring, the emails. */
  private async afterClosure(a: AgreementRecord): Promise<void> {
    if (a.status === 'berlaku') return;
    const factKey = this.factKey(a, 'ditutup');
    const alasan = alasanText(a);
    await this.fact(a.caseId, factKey, 'perjanjian-berubah', {
      nomor: a.nomor,
      status: a.status,
      ...(alasan ? { alasan } : {}),
      ...(a.catatanBerakhir ? { catatan: a.catatanBerakhir } : {}),
      ditutupPada: a.ditutupPada ?? '',
      oleh: a.ditutupOleh ?? '',
    });
    const scheduler = this.deps.scheduler;
    if (scheduler)
      for (const key of agreementJobKeys(a, this.cfg(a.pemdaId), this.deps.pemda(a.pemdaId).calendar))
        await scheduler.cancel(key);
    const head = this.bagianHead(a.pemdaId);
    const to = [...new Set([head?.email, a.pelaksana.email].filter((x): x is string => !!x))];
    await this.sendOnce(a.caseId, `${factKey}#email`, {
      to,
      template: 'perjanjian-status',
      model: {
        ...this.mailModel(a),
        batal: a.status === 'batal',
        alasan,
        catatan: a.catatanBerakhir,
        ditutupPada: a.ditutupPada ? tanggalSurat(a.ditutupPada) : '',
        oleh: a.ditutupOleh,
      },
    });
  }

  /** An administrator ends the agreement before its term, with one of the grounds. */
  async endEarly(
    pemdaId: string,
    nomor: string,
    input: { alasan: string; catatan?: string; oleh: string },
  ): Promise<AgreementRecord> {
    const form = parseOrThrow(AKHIRI_FORM, { alasan: input.alasan, catatan: input.catatan }, AGREEMENT_ACTION_LABELS);
    const a = await this.require(pemdaId, nomor);
    return this.close(a, {
      type: 'akhiri',
      alasan: form.alasan,
      oleh: input.oleh,
      ...(form.catatan ? { catatan: form.catatan } : {}),
    });
  }

  /** An administrator declares the agreement BATAL (not carried out), with the reason. */
  async cancel(pemdaId: string, nomor: string, input: { alasan: string; oleh: string }): Promise<AgreementRecord> {
    const form = parseOrThrow(BATAL_FORM, { alasan: input.alasan }, AGREEMENT_ACTION_LABELS);
    const a = await this.require(pemdaId, nomor);
    return this.close(a, { type: 'batalkan', alasan: form.alasan, oleh: input.oleh });
  }

  async require(pemdaId: string, nomor: string): Promise<AgreementRecord> {
    const a = await this.deps.store.get(pemdaId, nomor);
    if (!a) throw new SepakatError(ErrorNames.NotFound, `Perjanjian Nomor ${nomor} tidak terdaftar`);
    return a;
  }

  get(pemdaId: string, nomor: string): Promise<AgreementRecord | undefined> {
    return this.deps.store.get(pemdaId, nomor);
  }

  /**
   * An administrator starts an adendum: a new case of an SOP (the same or another of the pemda) with the case data
   * `adendum-dari`, the original's pemohon and files; once its naskah is signed and registered, both agreements
   * link to each other. The same submission starts one case (its id is derived from it).
   */
  async startAdendum(
    pemdaId: string,
    nomor: string,
    raw: { sopId: string; perihal?: string; berakhirBaru?: string; submissionId: string; oleh: string },
  ): Promise<{ caseId: string; created: boolean }> {
    const form = parseOrThrow(
      ADENDUM_FORM,
      { sopId: raw.sopId, perihal: raw.perihal, berakhirBaru: raw.berakhirBaru },
      AGREEMENT_ACTION_LABELS,
    );
    const input = { ...raw, ...form };
    const a = await this.require(pemdaId, nomor);
    if (a.status !== 'berlaku')
      throw new SepakatError(
        ErrorNames.BadInput,
        `${JENIS_LABEL[a.jenis]} Nomor ${a.nomor} sudah ${a.status === 'batal' ? 'dinyatakan BATAL' : 'berakhir'}; adendum tidak dapat dibuat.`,
      );
    const berakhirBaru = input.berakhirBaru?.trim() ? checkNewEnd(a, input.berakhirBaru) : undefined;
    let sop;
    try {
      sop = this.deps.sops.latest(input.sopId);
    } catch {
      throw new SepakatError(ErrorNames.BadInput, `SOP "${input.sopId}" tidak dikenal; pilih SOP dari daftar.`);
    }
    if (sop.definition.pemda !== pemdaId)
      throw new SepakatError(ErrorNames.BadInput, `SOP "${input.sopId}" bukan SOP pemda ini; pilih SOP dari daftar.`);
    const original = await this.deps.cases.getCase(a.caseId);
    if (!original) throw new SepakatError(ErrorNames.NotFound, `Kasus ${a.caseId} tidak ditemukan`);
    // The submission claims its case id once, as a fact on the original case (a conditional put): a repeat of the same
    // submission, even on another day, finds the id it claimed and starts nothing new.
    const claimKey = `adendum#${sha(input.submissionId).slice(0, 32)}`;
    const stamp = this.now().toISOString().slice(0, 10).replaceAll('-', '');
    const fresh = `${stamp}-${base32(createHash('sha256').update(`adendum|${pemdaId}|${nomor}|${input.submissionId}`).digest()).slice(0, 10)}`;
    await this.deps.cases.appendHistory({
      caseId: original.caseId,
      eventKey: claimKey,
      type: 'perjanjian-berubah',
      at: this.now().toISOString(),
      detail: { nomor: a.nomor, adendumDimulai: fresh, oleh: input.oleh },
    });
    const claimed = await this.deps.cases.getHistory(original.caseId, claimKey);
    const caseId = String(claimed?.detail?.adendumDimulai ?? fresh);
    const perihal = input.perihal?.trim() || `Adendum ${JENIS_LABEL[a.jenis]} Nomor ${a.nomor} tentang ${a.perihal}`;
    // The intake data of the new SOP that the original holds (partner, kind of cooperation), and the link.
    const data: Record<string, unknown> = {};
    for (const field of sop.definition.intake.data)
      if (original.data[field.id] !== undefined) data[field.id] = original.data[field.id];
    const record: CaseRecord = {
      caseId,
      intakeId: caseId,
      sopId: sop.definition.id,
      sopVersion: sop.definition.version,
      sopKey: sop.key,
      pemdaId,
      perihal: perihal.slice(0, 500),
      pemohon: original.pemohon,
      status: 'aktif',
      createdAt: this.now().toISOString(),
      data: {
        ...data,
        perihal: perihal.slice(0, 500),
        instansiPemohon: original.pemohon.instansi,
        'adendum-dari': a.nomor,
        'pihak-mitra': a.mitra,
        ...(berakhirBaru ? { [BERAKHIR_BARU]: berakhirBaru } : {}),
      },
      files: original.files.filter((f) => sop.definition.intake.documents.some((d) => d.id === f.slot)),
      cursor: null,
      visits: {},
    };
    const created = (await this.deps.cases.createCase(record)) === 'created';
    const stored = (await this.deps.cases.getCase(caseId))!;
    await this.deps.cases.appendHistory({
      caseId,
      eventKey: 'permohonan',
      type: 'permohonan-diterima',
      at: stored.createdAt,
      files: stored.files,
      detail: { sopKey: stored.sopKey, pemohon: stored.pemohon, adendumDari: a.nomor, oleh: input.oleh },
    });
    await this.deps.startCase(stored);
    await this.propose(a, `adendum.kasus.${caseId}`, {
      jenis: 'adendum',
      sumber: `Adendum dimulai oleh ${input.oleh} (kasus ${caseId})`,
      at: stored.createdAt,
    });
    return { caseId, created };
  }

  // ─── Links: reports and monev ─────────────────────────────────────────────────────────────────────────────

  /** The item behind a link, if the link is intact, current, not expired, open, and its agreement in force. */
  async open(token: string): Promise<LinkView | LinkProblem> {
    const itemId = token.split('.')[0] ?? '';
    const item = /^[A-Za-z0-9_-]{22}$/.test(itemId) ? await this.deps.store.getItem(itemId) : undefined;
    const check = checkLink(this.deps.linkKey, token, (id) =>
      item && item.itemId === id ? { version: item.linkVersion, personId: item.person.id } : undefined,
    );
    if (!item) return { problem: 'rusak' };
    if (!check.ok) return check.reason === 'rusak' ? { problem: 'rusak' } : { problem: check.reason, item };
    if (item.state === 'diterima') return { problem: 'selesai', item, sameSubmission: false };
    const agreement = await this.deps.store.get(item.pemdaId, item.nomor);
    if (!agreement || agreement.status !== 'berlaku') return { problem: 'ditutup', item };
    if (Date.parse(item.linkExpiresAt) <= this.now().getTime()) return { problem: 'kedaluwarsa', item };
    const record = await this.deps.cases.getCase(agreement.caseId);
    if (!record) return { problem: 'rusak' };
    return { item, agreement, record };
  }

  /**
   * An expired report or monev link offers a fresh one: a new link version (the old one dies), emailed only to the
   * person the item is bound to, never to whoever opened the page; at most MAX_LINK_RENEWALS times per item. The
   * renewal is a history fact of the agreement's case.
   */
  async renewLink(token: string): Promise<{ sent: true; to: string } | LinkProblem> {
    const view = await this.open(token);
    if (!('problem' in view) || view.problem !== 'kedaluwarsa') return 'problem' in view ? view : { problem: 'rusak' };
    const item = view.item;
    if ((item.renewals ?? 0) >= MAX_LINK_RENEWALS) return { problem: 'batas-tautan', item };
    const a = (await this.deps.store.get(item.pemdaId, item.nomor))!;
    const pemda = this.deps.pemda(a.pemdaId);
    const expiresAt = pemda.calendar
      .toInstant(addDays(pemda.localDate(this.now()), RENEWED_LINK_DAYS), '24:00')
      .toISOString();
    if (!(await this.deps.store.renewItemLink(item.itemId, item.linkVersion, expiresAt, MAX_LINK_RENEWALS))) {
      const again = (await this.deps.store.getItem(item.itemId))!;
      return (again.renewals ?? 0) >= MAX_LINK_RENEWALS && again.linkVersion === item.linkVersion
        ? { problem: 'batas-tautan', item: again }
        : { problem: 'diganti', item: again };
    }
    const renewed = (await this.deps.store.getItem(item.itemId))!;
    const factKey = this.factKey(a, item.jenis, item.ke, 'tautan', `v${renewed.linkVersion}`);
    await this.deps.cases.appendHistory({
      caseId: a.caseId,
      eventKey: factKey,
      type: 'tautan-diperbarui',
      at: this.now().toISOString(),
      who: { id: item.person.id, nama: item.person.nama, jabatan: item.person.jabatan },
      detail: {
        nomor: a.nomor,
        jenis: item.jenis,
        ke: item.ke,
        label: item.label,
        linkVersion: renewed.linkVersion,
        kepada: [item.person.email],
        berlakuSampai: expiresAt,
      },
    });
    await this.sendOnce(a.caseId, `${factKey}#email`, {
      to: [item.person.email],
      template: 'perjanjian-tautan-baru',
      model: {
        ...this.mailModel(a),
        person: item.person,
        label: item.label,
        jatuhTempo: tanggalSurat(item.jatuhTempo),
        url: this.linkUrl(renewed),
        tautanBerlakuSampai: pemda.formatDateTime(new Date(expiresAt)),
      },
    });
    return { sent: true, to: maskEmail(item.person.email) };
  }

  /** A report or monev submitted through its link: checked, recorded once, its PDF made (reports). */
  async submit(token: string, form: Record<string, string>): Promise<SubmitResult> {
    const view = await this.open(token);
    if ('problem' in view) {
      if (view.problem === 'selesai' && view.item.submission?.submissionId === form.submissionId)
        return { ...view, sameSubmission: true };
      return view;
    }
    const { item } = view;
    const submissionId = (form.submissionId ?? '').slice(0, 64) || sha(JSON.stringify(form)).slice(0, 24);
    const values: Record<string, string> = {};
    const errors: FormErrors = {};
    if (item.jenis === 'laporan') {
      for (const name of LAPORAN_FIELDS) {
        const checked = checkField(LAPORAN_FORM.shape[name], form[name] ?? '');
        if (typeof checked === 'object') errors[name] = checked.error;
        values[name] = typeof checked === 'string' ? checked : '';
      }
      const required: [string, string][] = [
        ['kegiatan', 'Kegiatan yang dilaksanakan wajib diisi (satu kegiatan per baris).'],
        ['capaian', 'Capaian wajib diisi.'],
        ['rencana', 'Rencana tindak lanjut wajib diisi.'],
        ['anggaran', 'Realisasi anggaran wajib diisi (tulis "tidak ada" bila tanpa anggaran).'],
        ['nama', 'Nama penanggung jawab laporan wajib diisi.'],
        ['jabatan', 'Jabatan penanggung jawab wajib diisi.'],
      ];
      for (const [name, message] of required) if (!values[name]) errors[name] ??= message;
      if (values.nip && !/^\d{18}$/.test(values.nip.replace(/\s+/g, ''))) errors.nip = 'NIP terdiri dari 18 angka.';
      if (!Object.keys(errors).length) {
        try {
          // The report must make a valid Laporan Pelaksanaan before it is accepted (nothing is recorded otherwise).
          this.laporanDocument(view, values, this.today(item.pemdaId));
        } catch (error) {
          if (!isSepakatError(error, ErrorNames.BadInput)) throw error;
          errors.umum = error.message;
        }
      }
    } else {
      for (const name of ['tanggal', 'rekomendasi', 'catatan'] as const) {
        const checked = checkField(MONEV_FORM.shape[name], form[name] ?? '');
        if (typeof checked === 'object') errors[name] = checked.error;
        values[name] = typeof checked === 'string' ? checked : '';
      }
      // A value refused as text keeps that message; the others are checked as what they mean.
      if (!errors.tanggal) {
        if (!isoDate(values.tanggal!)) errors.tanggal = 'Tanggal pelaksanaan monitoring dan evaluasi wajib diisi.';
        else if (values.tanggal! > this.today(item.pemdaId))
          errors.tanggal = 'Tanggal monev tidak boleh di masa depan.';
      }
      if (!errors.rekomendasi) {
        if (!REKOMENDASI_MONEV.includes(values.rekomendasi as RekomendasiMonev))
          errors.rekomendasi = 'Pilih salah satu rekomendasi.';
        else if (
          (values.rekomendasi === 'dihentikan' || values.rekomendasi === 'adendum') &&
          values.catatan!.length < 10
        )
          errors.catatan ??=
            'Rekomendasi ini wajib disertai catatan (paling sedikit 10 huruf): apa yang dihentikan atau diubah, dan mengapa.';
      }
    }
    if (Object.keys(errors).length) return { result: 'tidak-valid', view, errors, form };
    const at = this.now().toISOString();
    const submission = {
      submissionId,
      at,
      values,
      ...(item.jenis === 'monev' ? { rekomendasi: values.rekomendasi as RekomendasiMonev } : {}),
    };
    if (!(await this.deps.store.submit(item.itemId, item.linkVersion, submission))) {
      const again = await this.open(token);
      if ('problem' in again && again.problem === 'selesai')
        return { ...again, sameSubmission: again.item.submission?.submissionId === submissionId };
      return 'problem' in again ? again : { problem: 'rusak' };
    }
    const stored = (await this.deps.store.getItem(item.itemId))!;
    const a = view.agreement;
    // What came in needs no reminder or escalation (a job that fires anyway finds it received and sends nothing).
    const scheduler = this.deps.scheduler;
    if (scheduler)
      for (const tahap of item.jenis === 'laporan'
        ? (['laporan-terlambat', 'laporan-eskalasi'] as const)
        : (['monev-terlambat', 'monev-eskalasi'] as const))
        await scheduler.cancel(
          agreementJobKey({ kind: 'pantau-perjanjian', pemdaId: a.pemdaId, nomor: a.nomor, tahap, ke: item.ke }),
        );
    await this.fact(a.caseId, this.factKey(a, item.jenis, item.ke, 'diterima'), 'pemantauan-diterima', {
      nomor: a.nomor,
      jenis: item.jenis,
      ke: item.ke,
      label: item.label,
      oleh: item.jenis === 'laporan' ? values.nama! : item.person.nama,
      ...(item.jenis === 'monev' ? { rekomendasi: values.rekomendasi!, catatan: values.catatan! } : {}),
    });
    let document: DocumentRecord | undefined;
    if (item.jenis === 'laporan') {
      try {
        document = await this.renderReport(view.agreement, stored);
      } catch (error) {
        // The report is recorded; its PDF follows from a job (the renderer failed, or runs in another function).
        const job: AgreementJob = {
          kind: 'pantau-perjanjian',
          pemdaId: a.pemdaId,
          nomor: a.nomor,
          tahap: 'laporan-dokumen',
          ke: item.ke,
        };
        if (this.deps.scheduler) await this.deps.scheduler.schedule({ key: agreementJobKey(job), at: this.now(), job });
        else log.error('Laporan tidak dapat dirender', { laporan: item.itemId, error });
      }
    } else if (values.rekomendasi === 'dihentikan' || values.rekomendasi === 'adendum') {
      await this.propose(a, `monev.${item.ke}`, {
        jenis: values.rekomendasi === 'dihentikan' ? 'pengakhiran' : 'adendum',
        sumber: item.label,
        at,
        catatan: values.catatan!,
      });
    }
    // The next request is scheduled whenever this one is answered (the request already did; a repeat changes nothing).
    await this.scheduleAll(
      followUps(a, this.cfg(a.pemdaId), this.deps.pemda(a.pemdaId).calendar, item.jenis, item.ke).filter(
        (i) => i.job.kind === 'pantau-perjanjian' && /minta$/.test(i.job.tahap),
      ),
    );
    return {
      result: 'diterima',
      view,
      item: (await this.deps.store.getItem(item.itemId))!,
      ...(document ? { document } : {}),
    };
  }

  /** The Laporan Pelaksanaan of a report, assembled (pure: checks the input without rendering). */
  private laporanDocument(
    view: Pick<LinkView, 'item' | 'agreement' | 'record'>,
    values: Record<string, string>,
    tanggal: string,
  ) {
    const { item, agreement: a, record } = view;
    const pemda = this.deps.pemda(a.pemdaId);
    const profile = pemda.directory.data.pemda;
    const kd = profile.dokumen.kepalaDaerah;
    const holder = pemda.directory.holders(kd.role, tanggal)[0];
    const numbers: Record<string, string> = {};
    for (const [k, v] of Object.entries(record.data))
      if (k.startsWith('nomor-') && typeof v === 'string' && v) numbers[k.slice('nomor-'.length)] = v;
    numbers.naskah = a.nomor;
    const rencana = lines(values.rencana ?? '');
    const ctx: CaseDocumentContext = {
      caseId: record.caseId,
      perihal: record.perihal,
      pemohon: { nama: record.pemohon.nama, instansi: record.pemohon.instansi, email: record.pemohon.email },
      data: {
        ...record.data,
        'naskah-tanggal': a.mulai,
        'tanggal-berakhir': a.berakhir,
        'naskah-tentang': a.perihal,
        'pihak-mitra': a.mitra,
        'naskah-jenis': a.jenis === 'nota-kesepakatan' ? 'nota-kesepakatan' : 'kesepakatan-bersama',
        'laporan-periode': `${item.label} (${tanggalSurat(item.periode.mulai)} s.d. ${tanggalSurat(item.periode.selesai)})`,
        'laporan-kegiatan': values.kegiatan ?? '',
        'laporan-hasil': values.capaian ?? '',
        'laporan-kendala': values.kendala ?? '',
        'laporan-pendanaan': `Realisasi anggaran pada periode laporan: ${values.anggaran ?? ''}`,
        'laporan-kesimpulan': rencana.map((r) => `Rencana tindak lanjut: ${r}`).join('\n'),
        'laporan-rekomendasi': 'dilanjutkan',
        'laporan-alasan-rekomendasi':
          'Kerja sama dilaksanakan pada periode laporan dan dilanjutkan sesuai rencana tindak lanjut.',
        'laporan-pendahuluan': '',
        'laporan-lampiran': '',
      },
      pemda: {
        nama: profile.nama,
        kop: profile.kop,
        ...(profile.alamat ? { alamat: profile.alamat } : {}),
        dokumen: profile.dokumen,
      },
      tanggal,
      penandatangan: {
        nama: values.nama ?? '',
        jabatan: values.jabatan ?? '',
        ...(values.nip ? { nip: values.nip.replace(/\s+/g, '') } : {}),
        ...(values.pangkat ? { pangkat: values.pangkat } : {}),
      },
      kepalaDaerah: { nama: holder?.nama ?? kd.jabatan, jabatan: kd.jabatan },
      nomor: numbers,
    };
    return assembleDocument('laporan-pelaksanaan', ctx);
  }

  /** Renders and stores the Laporan Pelaksanaan of a submitted report (once per submission: keyed by its id). */
  private async renderReport(a: AgreementRecord, item: MonitoringItem): Promise<DocumentRecord> {
    const submission = item.submission!;
    const record = await this.deps.cases.getCase(a.caseId);
    if (!record) throw new SepakatError(ErrorNames.NotFound, `Kasus ${a.caseId} tidak ditemukan`);
    const pemda = this.deps.pemda(a.pemdaId);
    const tanggal = pemda.localDate(new Date(submission.at));
    const assembled = this.laporanDocument({ item, agreement: a, record }, submission.values, tanggal);
    const paper = pemda.directory.data.pemda.dokumen.kertas;
    const rendered = await this.deps
      .renderer()
      .render(assembled.template, assembled.input as never, { paper })
      .catch((error: unknown) => {
        if (error instanceof SepakatError) throw error;
        throw new SepakatError(ErrorNames.Transient, 'Laporan pelaksanaan gagal dibuat', { cause: error });
      });
    const { record: stored } = await this.deps.documents.store({
      caseId: a.caseId,
      pemdaId: a.pemdaId,
      kind: 'laporan-pelaksanaan',
      purpose: `${a.caseId}#pantau#${item.itemId}#${submission.submissionId}`,
      bucket: this.deps.documentsBucket,
      bytes: rendered.pdf,
      contentType: 'application/pdf',
      fileName: `laporan-pelaksanaan-${a.caseId}-${item.ke}.pdf`,
      at: new Date(submission.at),
      templateVersion: rendered.templateVersion,
      data: assembled.input,
      meta: { perjanjian: a.nomor, laporanKe: item.ke, periode: item.label, halaman: rendered.pages },
    });
    await this.fact(a.caseId, this.factKey(a, 'laporan', item.ke, 'dokumen'), 'otomatis-selesai', {
      action: 'dokumen',
      jenis: 'laporan-pelaksanaan',
      docId: stored.docId,
      nomor: a.nomor,
      ke: item.ke,
    });
    return stored;
  }

  private async renderPending(a: AgreementRecord, ke: number): Promise<string> {
    const item = await this.deps.store.getItem(this.itemIdOf(a, 'laporan', ke));
    if (!item?.submission) return 'belum-diterima';
    await this.renderReport(a, item);
    return 'dibuat';
  }

  // ─── The annual report ────────────────────────────────────────────────────────────────────────────────────

  private async annualReport(job: AnnualReportJob): Promise<string> {
    if (await this.deps.store.getRekap(job.pemdaId, job.tahun)) return 'sudah-terkirim';
    const pemda = this.deps.pemda(job.pemdaId);
    const profile = pemda.directory.data.pemda;
    const agreements = (await this.deps.store.list(job.pemdaId)).filter((a) => inForceDuring(a, job.tahun));
    const today = pemda.localDate(this.now());
    const baris: RekapBaris[] = [];
    for (const a of agreements.sort((x, y) => x.mulai.localeCompare(y.mulai) || x.nomor.localeCompare(y.nomor))) {
      const items = await this.deps.store.listItems(a.pemdaId, a.nomor);
      const inYear = (i: MonitoringItem) => i.jatuhTempo.startsWith(String(job.tahun));
      const laporan = items.filter((i) => i.jenis === 'laporan' && inYear(i));
      baris.push({
        agreement: a,
        laporanDiterima: laporan.filter((i) => i.state === 'diterima').length,
        laporanTerlewat: laporan.filter((i) => i.state !== 'diterima' && i.jatuhTempo < today).length,
        monev: items
          .filter((i) => i.jenis === 'monev' && inYear(i) && i.submission?.rekomendasi)
          .sort((x, y) => x.ke - y.ke)
          .map((i) => ({ label: i.label, rekomendasi: i.submission!.rekomendasi! })),
      });
    }
    const kepada = recipientsOf(
      profile.nama,
      agreements.some((a) => a.luarNegeri),
    );
    const view = rekapView({
      pemda: { nama: profile.nama, kop: profile.kop, ...(profile.alamat ? { alamat: profile.alamat } : {}) },
      tahun: job.tahun,
      baris,
      kepada,
      dibuatPada: today,
    });
    const pdf = await this.deps
      .renderer()
      .printExport('laporan-tahunan', view, { paper: profile.dokumen.kertas, landscape: true, pageNumbers: true })
      .catch((error: unknown) => {
        if (error instanceof SepakatError) throw error;
        throw new SepakatError(ErrorNames.Transient, `Laporan tahunan ${job.tahun} gagal dicetak`, { cause: error });
      });
    const { record: doc } = await this.deps.documents.store({
      caseId: annualCaseId(job.pemdaId, job.tahun),
      pemdaId: job.pemdaId,
      kind: 'laporan-tahunan',
      purpose: `laporan-tahunan#${job.pemdaId}#${job.tahun}`,
      bucket: this.deps.documentsBucket,
      bytes: pdf,
      contentType: 'application/pdf',
      fileName: `laporan-tahunan-kerja-sama-${job.pemdaId}-${job.tahun}.pdf`,
      at: this.now(),
      data: { tahun: job.tahun, kepada, perjanjian: baris.map((b) => b.agreement.nomor) },
      meta: { tahun: job.tahun, jumlah: baris.length },
    });
    const head = this.bagianHead(job.pemdaId);
    const to = head ? [head.email] : [];
    if (to.length) {
      const rendered = this.deps.emails.render('perjanjian-laporan-tahunan', {
        person: head,
        pemda: profile.nama,
        tahun: job.tahun,
        jumlah: baris.length,
        diterima: baris.reduce((n, b) => n + b.laporanDiterima, 0),
        terlewat: baris.reduce((n, b) => n + b.laporanTerlewat, 0),
        kepada,
        url: `${this.deps.publicBaseUrl}/konsol/perjanjian/laporan-tahunan/${job.tahun}`,
      });
      await this.deps.mailer.send({
        messageId: messageIdFor(annualCaseId(job.pemdaId, job.tahun), 'email', this.deps.mailDomain),
        to,
        ...rendered,
      });
    }
    await this.deps.store.putRekap({
      pemdaId: job.pemdaId,
      tahun: job.tahun,
      docId: doc.docId,
      to,
      at: this.now().toISOString(),
    });
    return 'terkirim';
  }

  /** The annual report of a year, if it was made. */
  async annualReportOf(pemdaId: string, tahun: number): Promise<DocumentRecord | undefined> {
    const fact = await this.deps.store.getRekap(pemdaId, tahun);
    return fact ? this.deps.documents.get(fact.docId) : undefined;
  }

  // ─── Reading ──────────────────────────────────────────────────────────────────────────────────────────────

  /** Every agreement of a pemda with its status today and its next due item (the register's view). */
  async list(pemdaId: string): Promise<AgreementSummary[]> {
    const agreements = await this.deps.store.list(pemdaId);
    const out: AgreementSummary[] = [];
    for (const a of agreements) out.push(await this.summary(a));
    return out.sort((x, y) => y.mulai.localeCompare(x.mulai) || x.nomor.localeCompare(y.nomor));
  }

  async summary(a: AgreementRecord, items?: MonitoringItem[]): Promise<AgreementSummary> {
    const today = this.today(a.pemdaId);
    const berikutnya = await this.next(a, items);
    const alasan = alasanText(a);
    return {
      nomor: a.nomor,
      jenis: JENIS_LABEL[a.jenis],
      perihal: a.perihal,
      mitra: a.mitra,
      caseId: a.caseId,
      status: statusOn(a, today),
      mulai: a.mulai,
      berakhir: a.berakhir,
      ...(alasan ? { alasanBerakhir: alasan } : {}),
      ...(a.induk ? { induk: a.induk } : {}),
      pelaksanaan: a.pelaksanaan ?? [],
      adendum: a.adendum,
      ...(a.adendumDari ? { adendumDari: a.adendumDari } : {}),
      ...(berikutnya ? { berikutnya } : {}),
    };
  }

  private async next(a: AgreementRecord, items?: MonitoringItem[]): Promise<Berikutnya | undefined> {
    // An adendum is monitored as part of the agreement it amends.
    if (a.status !== 'berlaku' || a.adendumDari) return undefined;
    const received = new Set(
      (items ?? (await this.deps.store.listItems(a.pemdaId, a.nomor)))
        .filter((i) => i.state === 'diterima')
        .map((i) => `${i.jenis}#${i.ke}`),
    );
    return nextDue(a, this.cfg(a.pemdaId), this.deps.pemda(a.pemdaId).calendar, {
      sejak: this.deps.pemda(a.pemdaId).localDate(new Date(a.createdAt)),
      fulfilled: (jenis, ke) => received.has(`${jenis}#${ke}`),
    });
  }

  /** An agreement with its reports and monev, the calendar and the facts, for its page. */
  async detail(pemdaId: string, nomor: string) {
    const a = await this.deps.store.get(pemdaId, nomor);
    if (!a) return undefined;
    const items = await this.deps.store.listItems(pemdaId, nomor);
    const history = (await this.deps.cases.listHistory(a.caseId)).filter(
      (e) =>
        e.eventKey.startsWith(`pantau#${agreementId(pemdaId, nomor)}#`) ||
        e.eventKey.startsWith(`perjanjian#${agreementId(pemdaId, nomor)}#`),
    );
    const calendar = kewajibanList(a, this.cfg(pemdaId), this.deps.pemda(pemdaId).calendar);
    // The agreement this one implements, for its status (its end does not end this one).
    const induk = a.induk ? await this.deps.store.get(pemdaId, a.induk) : undefined;
    return {
      agreement: a,
      summary: await this.summary(a, items),
      items,
      history,
      calendar,
      ...(induk ? { induk } : {}),
    };
  }

  // ─── Facts and mail ───────────────────────────────────────────────────────────────────────────────────────

  private mailModel(a: AgreementRecord) {
    return {
      nomor: a.nomor,
      jenis: JENIS_LABEL[a.jenis],
      perihal: a.perihal,
      mitra: a.mitra,
      caseId: a.caseId,
      mulai: tanggalSurat(a.mulai),
      berakhir: tanggalSurat(a.berakhir),
      status: STATUS_LABEL[statusOn(a, this.today(a.pemdaId))],
      pemda: this.deps.pemda(a.pemdaId).directory.data.pemda.nama,
    };
  }

  private async fact(caseId: string, eventKey: string, type: HistoryEvent['type'], detail: Record<string, unknown>) {
    await this.deps.cases.appendHistory({ caseId, eventKey, type, at: this.now().toISOString(), detail });
  }

  /** Sends an email once per case and fact, recorded in the history; a resend carries the same Message-ID. */
  private async sendOnce(
    caseId: string,
    eventKey: string,
    mail: { to: string[]; template: string; model: Record<string, unknown> },
  ): Promise<boolean> {
    if (!mail.to.length || (await this.deps.cases.hasHistory(caseId, eventKey))) return false;
    const rendered = this.deps.emails.render(mail.template, mail.model);
    const messageId = messageIdFor(caseId, eventKey, this.deps.mailDomain);
    await this.deps.mailer.send({ messageId, to: mail.to, ...rendered });
    await this.deps.cases.appendHistory({
      caseId,
      eventKey,
      type: 'email-terkirim',
      at: this.now().toISOString(),
      detail: { to: mail.to, subject: rendered.subject, template: mail.template, messageId },
    });
    return true;
  }
}

const USULAN_LABEL: Record<Usulan['jenis'], string> = {
  pengakhiran: 'pengakhiran perjanjian',
  batal: 'pernyataan BATAL',
  adendum: 'adendum',
};

export { REKOMENDASI_LABEL };

/** The documents of a pemda's annual report are kept under this id (it belongs to no case). */
export const annualCaseId = (pemdaId: string, tahun: number) => `laporan-tahunan-${pemdaId}-${tahun}`;

const messageIdFor = (caseId: string, eventKey: string, domain: string) =>
  `<${createHash('sha256').update(`${caseId}|${eventKey}`).digest('hex').slice(0, 32)}@${domain}>`;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const isoDate = (v: unknown): string | undefined =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? v.trim() : undefined;
const lines = (v: string) =>
  v
    .split('\n')
    .map((l) => l.replace(/^\s*(?:[-•*]|\d+[.)])\s*/, '').trim())
    .filter(Boolean);

function base32(bytes: Buffer): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  for (const b of bytes) out += alphabet[b % 32];
  return out;
}
