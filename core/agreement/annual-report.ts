import type { AnnualReportJob } from './agreement-jobs.ts';
import type { MonitoringItem } from './monitoring-item.ts';
import { inForceDuring, recipientsOf, rekapView, type RekapBaris } from './rekap.ts';
import { annualCaseId, type AgreementContext } from './agreement-context.ts';
import { messageIdFor } from '../case/mail-once.ts';
import type { DocumentRecord } from '../documents/document-record.ts';
import { ErrorNames, isSepakatError, SepakatError } from '../errors.ts';

/**
 * The annual report of a pemda's agreements (for the DPRD, and the Mendagri through the Gubernur): made once per
 * year, printed, stored, and sent to the head of the Bagian.
 */
export async function makeAnnualReport(ctx: AgreementContext, job: AnnualReportJob): Promise<string> {
  if (await ctx.deps.store.getRekap(job.pemdaId, job.tahun)) return 'sudah-terkirim';
  const pemda = ctx.deps.pemda(job.pemdaId);
  const profile = pemda.directory.data.pemda;
  const agreements = (await ctx.deps.store.list(job.pemdaId)).filter((a) => inForceDuring(a, job.tahun));
  const today = pemda.localDate(ctx.now());
  const baris: RekapBaris[] = [];
  for (const a of agreements.sort((x, y) => x.mulai.localeCompare(y.mulai) || x.nomor.localeCompare(y.nomor))) {
    const items = await ctx.deps.store.listItems(a.pemdaId, a.nomor);
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
  const pdf = await ctx.deps
    .renderer()
    .printExport('laporan-tahunan', view, { paper: profile.dokumen.kertas, landscape: true, pageNumbers: true })
    .catch((error: unknown) => {
      if (error instanceof SepakatError) throw error;
      throw new SepakatError(ErrorNames.Transient, `Laporan tahunan ${job.tahun} gagal dicetak`, { cause: error });
    });
  const { record: doc } = await ctx.deps.documents.store({
    caseId: annualCaseId(job.pemdaId, job.tahun),
    pemdaId: job.pemdaId,
    kind: 'laporan-tahunan',
    purpose: `laporan-tahunan#${job.pemdaId}#${job.tahun}`,
    bucket: ctx.deps.documentsBucket,
    bytes: pdf,
    contentType: 'application/pdf',
    fileName: `laporan-tahunan-kerja-sama-${job.pemdaId}-${job.tahun}.pdf`,
    at: ctx.now(),
    data: { tahun: job.tahun, kepada, perjanjian: baris.map((b) => b.agreement.nomor) },
    meta: { tahun: job.tahun, jumlah: baris.length },
  });
  const head = ctx.bagianHead(job.pemdaId);
  const to = head ? [head.email] : [];
  let emailGagal: string | undefined;
  let emailGagalKode: string | undefined;
  if (to.length) {
    const rendered = ctx.deps.emails.render('perjanjian-laporan-tahunan', {
      person: head,
      pemda: profile.nama,
      tahun: job.tahun,
      jumlah: baris.length,
      diterima: baris.reduce((n, b) => n + b.laporanDiterima, 0),
      terlewat: baris.reduce((n, b) => n + b.laporanTerlewat, 0),
      kepada,
      url: `${ctx.deps.publicBaseUrl}/konsol/perjanjian/laporan-tahunan/${job.tahun}`,
    });
    try {
      await ctx.deps.mailer.send({
        messageId: messageIdFor(annualCaseId(job.pemdaId, job.tahun), 'email', ctx.deps.mailDomain),
        to,
        ...rendered,
      });
    } catch (error) {
      // A transient failure is thrown (the scheduler tries the job again); a refusal for good is kept on the
      // report's fact (it belongs to no case), reported, and the job completes: the report is stored all the same.
      if (!isSepakatError(error, ErrorNames.MailRejected)) throw error;
      emailGagal = error.message;
      emailGagalKode = error.code;
      ctx.deps.reportError?.(`Email laporan tahunan ${job.tahun} ditolak`, { error: error.name });
    }
  }
  await ctx.deps.store.putRekap({
    pemdaId: job.pemdaId,
    tahun: job.tahun,
    docId: doc.docId,
    to,
    at: ctx.now().toISOString(),
    ...(emailGagal ? { emailGagal } : {}),
    ...(emailGagalKode ? { emailGagalKode } : {}),
  });
  return emailGagal ? 'email-ditolak' : 'terkirim';
}

/** The annual report of a year, if it was made. */
export async function annualReportOf(
  ctx: AgreementContext,
  pemdaId: string,
  tahun: number,
): Promise<DocumentRecord | undefined> {
  const fact = await ctx.deps.store.getRekap(pemdaId, tahun);
  return fact ? ctx.deps.documents.get(fact.docId) : undefined;
}
