import { createHash } from 'node:crypto';
import { laporanKe, monevKe, provisionalFrom, type JenisKewajiban, type Kewajiban } from './calendar.ts';
import { agreementId, type AgreementJob, type AnnualReportJob } from './agreement-jobs.ts';
import { statusOn } from './lifecycle.ts';
import { identitasPerjanjian, STATUS_LABEL, type AgreementRecord, type Pemantauan } from './agreement-model.ts';
import type { ItemPerson, MonitoringItem } from './monitoring-item.ts';
import type { CaseRecord, CaseStore, Clock, HistoryEvent, Mailer, Scheduler } from '../case/model.ts';
import type { PemdaContext, SopCatalog } from '../case/case-runtime.ts';
import { linkToken, monitoringItemId } from '../case/capabilities.ts';
import type { Person } from '../directory/directory.ts';
import { tanggalSurat } from '../documents/common.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import { sendMailOnce, type MailOutcome } from '../case/mail-once.ts';
import type { AgreementStore, DocumentStore, Renderer } from '../ports.ts';

/**
 * What the use cases of an agreement's life talk through: the ports (agreement store, case store for facts and
 * adendum cases, documents, renderer, mailer, scheduler, clock) and the pemda's configuration. Wired in
 * functions/app.ts; in-memory in test/support/ for the fast tests.
 */
export interface AgreementDeps {
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
  /** The action-link key (HMAC of links and task ids); throws where this function was given none. */
  linkKey: () => Buffer;
  publicBaseUrl: string;
  mailDomain: string;
  documentsBucket: string;
  /** Starts the execution of a new case (an adendum): the case runtime's start. */
  startCase(record: CaseRecord): Promise<unknown>;
  /** Where a failure that is handled but worth knowing about is reported (no payloads). */
  reportError?(message: string, keys: { itemId?: string; error: unknown }): void;
}

/** The documents of a pemda's annual report are kept under this id (it belongs to no case). */
export const annualCaseId = (pemdaId: string, tahun: number) => `laporan-tahunan-${pemdaId}-${tahun}`;

export const sha = (value: string) => createHash('sha256').update(value).digest('hex');

/** A trimmed non-empty string, or undefined. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

export const isoDate = (v: unknown): string | undefined =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? v.trim() : undefined;

/** The shared helpers of the agreement use cases: the pemda's dates, facts and emails once, links, people. */
export class AgreementContext {
  constructor(readonly deps: AgreementDeps) {}

  now(): Date {
    return this.deps.clock.now();
  }

  cfg(pemdaId: string): Pemantauan {
    return this.deps.pemda(pemdaId).directory.data.pemantauan;
  }

  today(pemdaId: string): string {
    return this.deps.pemda(pemdaId).localDate(this.now());
  }

  async require(pemdaId: string, nomor: string): Promise<AgreementRecord> {
    const a = await this.deps.store.get(pemdaId, nomor);
    if (!a) throw new SepakatError(ErrorNames.NotFound, `Perjanjian Nomor ${nomor} tidak terdaftar`);
    return a;
  }

  /**
   * Schedules items of agreement `a`'s monitoring. One dated in a year whose holidays are not imported yet marks the
   * schedule an estimate from that year first (so a calendar import finds it, core/agreement/redate-schedule.ts).
   */
  async scheduleAll(
    a: AgreementRecord,
    items: { key: string; at: Date; job: AgreementJob | AnnualReportJob }[],
  ): Promise<void> {
    const scheduler = this.deps.scheduler;
    if (!scheduler) return;
    const from = provisionalFrom(this.deps.pemda(a.pemdaId).calendar, items);
    if (from !== undefined && !(a.jadwalPerkiraanSejak !== undefined && a.jadwalPerkiraanSejak <= from))
      await this.deps.store.markScheduleProvisional(a.pemdaId, a.nomor, from);
    for (const item of items) await scheduler.schedule(item);
  }

  /** The id of report or monev `ke` of an agreement (keyed: nobody can guess another's). */
  itemIdOf(a: Pick<AgreementRecord, 'pemdaId' | 'nomor'>, jenis: JenisKewajiban, ke: number): string {
    return monitoringItemId(this.deps.linkKey(), a.pemdaId, a.nomor, jenis, ke);
  }

  kewajiban(a: AgreementRecord, jenis: JenisKewajiban, ke: number): Kewajiban | undefined {
    const calendar = this.deps.pemda(a.pemdaId).calendar;
    return jenis === 'laporan'
      ? laporanKe(a, this.cfg(a.pemdaId), calendar, ke)
      : monevKe(a, this.cfg(a.pemdaId), calendar, ke);
  }

  /** The head of the Bagian that runs the pemda's cooperation (the pemantauan `bagian` role, or the letter signer). */
  bagianHead(pemdaId: string): Person | undefined {
    const pemda = this.deps.pemda(pemdaId);
    const role = this.cfg(pemdaId).bagian ?? pemda.directory.data.pemda.dokumen.penandatanganSurat;
    return role ? pemda.directory.holders(role, this.today(pemdaId))[0] : undefined;
  }

  /** Who owes report or monev `ke`: the agreement's pelaksana (reports), the Bagian's official (monev). */
  personFor(a: AgreementRecord, jenis: JenisKewajiban, ke: number): ItemPerson {
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

  linkUrl(item: Pick<MonitoringItem, 'itemId' | 'linkVersion' | 'person'>): string {
    return `${this.deps.publicBaseUrl}/pantau/${linkToken(this.deps.linkKey(), item.itemId, item.linkVersion, item.person.id)}`;
  }

  factKey(a: AgreementRecord, ...parts: (string | number)[]): string {
    return ['pantau', agreementId(a.pemdaId, a.nomor), ...parts.map(String)].join('#');
  }

  mailModel(a: AgreementRecord) {
    return {
      ...identitasPerjanjian(a),
      mulai: tanggalSurat(a.mulai),
      berakhir: tanggalSurat(a.berakhir),
      status: STATUS_LABEL[statusOn(a, this.today(a.pemdaId))],
      pemda: this.deps.pemda(a.pemdaId).directory.data.pemda.nama,
    };
  }

  /** The model of an email about report or monev `item`: the agreement, the person asked, the item, its due date. */
  itemMailModel(a: AgreementRecord, item: Pick<MonitoringItem, 'person' | 'label' | 'jatuhTempo'>) {
    return { ...this.mailModel(a), person: item.person, label: item.label, jatuhTempo: tanggalSurat(item.jatuhTempo) };
  }

  async fact(caseId: string, eventKey: string, type: HistoryEvent['type'], detail: Record<string, unknown>) {
    await this.deps.cases.appendHistory({ caseId, eventKey, type, at: this.now().toISOString(), detail });
  }

  /**
   * Sends an email once per case and fact, recorded in the history; a resend carries the same Message-ID. An address
   * the mail service refuses for good is an `email-gagal` fact of the case, shown on the agreement's page, and the
   * job goes on ('ditolak'); a transient failure is thrown, so the scheduler tries the job again.
   */
  sendOnce(
    caseId: string,
    eventKey: string,
    mail: { to: string[]; template: string; model: Record<string, unknown> },
  ): Promise<MailOutcome> {
    const { cases, mailer, emails, mailDomain } = this.deps;
    return sendMailOnce({ store: cases, mailer, emails, mailDomain, now: () => this.now() }, caseId, eventKey, mail);
  }
}
