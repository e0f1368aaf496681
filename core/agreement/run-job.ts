import { ErrorNames, SepakatError } from '../errors.ts';
import type { AgreementJob, AnnualReportJob } from './agreement-jobs.ts';
import type { AgreementContext } from './agreement-context.ts';
import { makeAnnualReport } from './annual-report.ts';
import { afterClosure, expire } from './end-agreement.ts';
import { requestReport } from './monitoring-request.ts';
import { renderPendingReport } from './monitoring-record.ts';
import { escalate, remindEnd, remindOverdue } from './remind-escalate.ts';

/** A job of the monitoring calendar, handed back by the scheduler. Safe to repeat. */
export async function runAgreementJob(
  ctx: AgreementContext,
  job: AgreementJob | AnnualReportJob,
): Promise<{ kind: string; result: string }> {
  if (job.kind === 'laporan-tahunan') return { kind: job.kind, result: await makeAnnualReport(ctx, job) };
  const agreement = await ctx.deps.store.get(job.pemdaId, job.nomor);
  if (!agreement) return { kind: job.kind, result: 'perjanjian-tidak-ada' };
  const ke = job.ke ?? 0;
  if (job.tahap === 'laporan-dokumen') return { kind: job.kind, result: await renderPendingReport(ctx, agreement, ke) };
  if (agreement.status !== 'berlaku') {
    // Closed meanwhile (its schedules were cancelled; this one had fired already): complete the closure.
    await afterClosure(ctx, agreement);
    return { kind: job.kind, result: 'perjanjian-ditutup' };
  }
  // A schedule computed again after a calendar import: a job of an older revision was replaced (its cancel came too
  // late); one of a newer revision than the record names is early (the revision is written after its items are
  // scheduled) and is tried again.
  const rev = job.rev ?? 0;
  const current = agreement.jadwalRevisi ?? 0;
  if (rev < current) return { kind: job.kind, result: 'jadwal-dihitung-ulang' };
  if (rev > current)
    throw new SepakatError(ErrorNames.Transient, `Jadwal perjanjian ${job.nomor} revisi ${rev} belum tercatat; ulangi`);
  // An end reminder or expiry of a term an adendum has moved since (its cancel came too late): nothing to do.
  if (job.sampai && job.sampai !== agreement.berakhir) return { kind: job.kind, result: 'jangka-waktu-berubah' };
  switch (job.tahap) {
    case 'laporan-minta':
      return { kind: job.kind, result: await requestReport(ctx, agreement, 'laporan', ke) };
    case 'monev-minta':
      return { kind: job.kind, result: await requestReport(ctx, agreement, 'monev', ke) };
    case 'laporan-terlambat':
      return { kind: job.kind, result: await remindOverdue(ctx, agreement, 'laporan', ke) };
    case 'laporan-eskalasi':
      return { kind: job.kind, result: await escalate(ctx, agreement, 'laporan', ke) };
    case 'monev-terlambat':
      return { kind: job.kind, result: await remindOverdue(ctx, agreement, 'monev', ke) };
    case 'monev-eskalasi':
      return { kind: job.kind, result: await escalate(ctx, agreement, 'monev', ke) };
    case 'pengingat-berakhir':
      return { kind: job.kind, result: await remindEnd(ctx, agreement, ke) };
    case 'berakhir':
      return { kind: job.kind, result: await expire(ctx, agreement) };
  }
}
