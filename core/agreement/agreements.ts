import type { AgreementJob, AnnualReportJob } from './agreement-jobs.ts';
import type { AgreementRecord } from './agreement-model.ts';
import type { MonitoringItem, RekapFact } from './monitoring-item.ts';
import type { AgreementSummary, LinkProblem, LinkView, SubmitResult } from './agreement-forms.ts';
import { AgreementContext, type AgreementDeps } from './agreement-context.ts';
import { startAdendum } from './adendum.ts';
import { agreementDetail, listAgreements, summarize } from './agreement-view.ts';
import { annualReportOf } from './annual-report.ts';
import { declareBatal } from './declare-batal.ts';
import { endEarly } from './end-agreement.ts';
import { openLink, renewLink, submitReport } from './monitoring-record.ts';
import { redateProvisionalSchedules } from './redate-schedule.ts';
import { registerCase } from './register-agreement.ts';
import { runAgreementJob } from './run-job.ts';
import type { DocumentRecord } from '../documents/document-record.ts';

/**
 * The life of an agreement after signing, as one object (`app.agreements`): a thin facade over the use cases of this
 * folder, one per verb — register (register-agreement.ts), request and record a report or monev
 * (monitoring-request.ts, monitoring-record.ts), remind and escalate (remind-escalate.ts), end (end-agreement.ts),
 * declare BATAL (declare-batal.ts), adendum (adendum.ts), the annual report (annual-report.ts), reading
 * (agreement-view.ts); the scheduler's jobs go to run-job.ts. Every fact is one conditional write; every email is
 * sent once per fact (recorded in the history of the agreement's case, with a deterministic Message-ID), so a job
 * that fires twice sends nothing twice.
 */
export class Agreements {
  private readonly ctx: AgreementContext;

  constructor(deps: AgreementDeps) {
    this.ctx = new AgreementContext(deps);
  }

  /** Registers the agreement of a case whose numbered naskah is signed (safe to repeat). */
  registerCase(caseId: string): Promise<AgreementRecord | undefined> {
    return registerCase(this.ctx, caseId);
  }

  /**
   * After year `tahun`'s holidays were imported: the monitoring schedules of the agreements of `pemdaIds` that were
   * estimates of that year are computed again and marked final (redate-schedule.ts).
   */
  redateProvisional(tahun: number, pemdaIds: readonly string[]): Promise<{ diperiksa: number; diubah: number }> {
    return redateProvisionalSchedules(this.ctx, tahun, pemdaIds);
  }

  /** A job of the monitoring calendar, handed back by the scheduler (safe to repeat). */
  runJob(job: AgreementJob | AnnualReportJob): Promise<{ kind: string; result: string }> {
    return runAgreementJob(this.ctx, job);
  }

  endEarly(
    pemdaId: string,
    nomor: string,
    input: { alasan: string; catatan?: string; oleh: string },
  ): Promise<AgreementRecord> {
    return endEarly(this.ctx, pemdaId, nomor, input);
  }

  /** Declares the agreement BATAL. */
  cancel(pemdaId: string, nomor: string, input: { alasan: string; oleh: string }): Promise<AgreementRecord> {
    return declareBatal(this.ctx, pemdaId, nomor, input);
  }

  require(pemdaId: string, nomor: string): Promise<AgreementRecord> {
    return this.ctx.require(pemdaId, nomor);
  }

  get(pemdaId: string, nomor: string): Promise<AgreementRecord | undefined> {
    return this.ctx.deps.store.get(pemdaId, nomor);
  }

  startAdendum(
    pemdaId: string,
    nomor: string,
    raw: { sopId: string; perihal?: string; berakhirBaru?: string; submissionId: string; oleh: string },
  ): Promise<{ caseId: string; created: boolean }> {
    return startAdendum(this.ctx, pemdaId, nomor, raw);
  }

  open(token: string): Promise<LinkView | LinkProblem> {
    return openLink(this.ctx, token);
  }

  renewLink(token: string): Promise<{ sent: boolean; to: string } | LinkProblem> {
    return renewLink(this.ctx, token);
  }

  submit(token: string, form: Record<string, string>): Promise<SubmitResult> {
    return submitReport(this.ctx, token, form);
  }

  /** The annual reports made for a pemda (latest year first): when, to whom, and whether the mail service refused it. */
  annualReports(pemdaId: string): Promise<RekapFact[]> {
    return this.ctx.deps.store.listRekap(pemdaId);
  }

  annualReportOf(pemdaId: string, tahun: number): Promise<DocumentRecord | undefined> {
    return annualReportOf(this.ctx, pemdaId, tahun);
  }

  list(pemdaId: string): Promise<AgreementSummary[]> {
    return listAgreements(this.ctx, pemdaId);
  }

  summary(a: AgreementRecord, items?: MonitoringItem[]): Promise<AgreementSummary> {
    return summarize(this.ctx, a, items);
  }

  detail(pemdaId: string, nomor: string) {
    return agreementDetail(this.ctx, pemdaId, nomor);
  }
}
