import { kewajibanList, nextDue, type Berikutnya } from './calendar.ts';
import { agreementId } from './agreement-jobs.ts';
import { statusOn } from './lifecycle.ts';
import { identitasPerjanjian, type AgreementRecord } from './agreement-model.ts';
import type { MonitoringItem } from './monitoring-item.ts';
import type { AgreementSummary } from './agreement-forms.ts';
import type { AgreementContext } from './agreement-context.ts';
import { alasanText } from './end-agreement.ts';

/** Reading agreements: the register's view, one agreement's summary and its page. Reads only. */
/** Every agreement of a pemda with its status today and its next due item (the register's view). */
export async function listAgreements(ctx: AgreementContext, pemdaId: string): Promise<AgreementSummary[]> {
  const agreements = await ctx.deps.store.list(pemdaId);
  const out: AgreementSummary[] = [];
  for (const a of agreements) out.push(await summarize(ctx, a));
  return out.sort((x, y) => y.mulai.localeCompare(x.mulai) || x.nomor.localeCompare(y.nomor));
}

export async function summarize(
  ctx: AgreementContext,
  a: AgreementRecord,
  items?: MonitoringItem[],
): Promise<AgreementSummary> {
  const today = ctx.today(a.pemdaId);
  const berikutnya = await next(ctx, a, items);
  const alasan = alasanText(a);
  return {
    ...identitasPerjanjian(a),
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

async function next(
  ctx: AgreementContext,
  a: AgreementRecord,
  items?: MonitoringItem[],
): Promise<Berikutnya | undefined> {
  // An adendum is monitored as part of the agreement it amends.
  if (a.status !== 'berlaku' || a.adendumDari) return undefined;
  const received = new Set(
    (items ?? (await ctx.deps.store.listItems(a.pemdaId, a.nomor)))
      .filter((i) => i.state === 'diterima')
      .map((i) => `${i.jenis}#${i.ke}`),
  );
  return nextDue(a, ctx.cfg(a.pemdaId), ctx.deps.pemda(a.pemdaId).calendar, {
    sejak: ctx.deps.pemda(a.pemdaId).localDate(new Date(a.createdAt)),
    fulfilled: (jenis, ke) => received.has(`${jenis}#${ke}`),
  });
}

/** An agreement with its reports and monev, the calendar and the facts, for its page. */
export async function agreementDetail(ctx: AgreementContext, pemdaId: string, nomor: string) {
  const a = await ctx.deps.store.get(pemdaId, nomor);
  if (!a) return undefined;
  const items = await ctx.deps.store.listItems(pemdaId, nomor);
  const history = (await ctx.deps.cases.listHistory(a.caseId)).filter(
    (e) =>
      e.eventKey.startsWith(`pantau#${agreementId(pemdaId, nomor)}#`) ||
      e.eventKey.startsWith(`perjanjian#${agreementId(pemdaId, nomor)}#`),
  );
  const calendar = kewajibanList(a, ctx.cfg(pemdaId), ctx.deps.pemda(pemdaId).calendar);
  // The agreement this one implements, for its status (its end does not end this one).
  const induk = a.induk ? await ctx.deps.store.get(pemdaId, a.induk) : undefined;
  return {
    agreement: a,
    summary: await summarize(ctx, a, items),
    items,
    history,
    calendar,
    ...(induk ? { induk } : {}),
  };
}
