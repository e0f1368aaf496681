import { agreementJobKeys } from './calendar.ts';
import { decide, type LifecycleAction } from './lifecycle.ts';
import { ALASAN_LABEL, type AgreementRecord, type AlasanBerakhir } from './agreement-model.ts';
import { AGREEMENT_ACTION_LABELS, AKHIRI_FORM } from './agreement-forms.ts';
import type { AgreementContext } from './agreement-context.ts';
import { tanggalSurat } from '../documents/common.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import { parseOrThrow } from '../validation/issues.ts';

/** The labels of an agreement's stored reason (a code when it ended, the administrator's words when BATAL). */
export function alasanText(a: Pick<AgreementRecord, 'status' | 'alasanBerakhir'>): string | undefined {
  if (!a.alasanBerakhir) return undefined;
  return a.status === 'berakhir'
    ? (ALASAN_LABEL[a.alasanBerakhir as AlasanBerakhir] ?? a.alasanBerakhir)
    : a.alasanBerakhir;
}

/** An administrator ends the agreement before its term, with one of the grounds. */
export async function endEarly(
  ctx: AgreementContext,
  pemdaId: string,
  nomor: string,
  input: { alasan: string; catatan?: string; oleh: string },
): Promise<AgreementRecord> {
  const form = parseOrThrow(AKHIRI_FORM, { alasan: input.alasan, catatan: input.catatan }, AGREEMENT_ACTION_LABELS);
  const a = await ctx.require(pemdaId, nomor);
  return close(ctx, a, {
    type: 'akhiri',
    alasan: form.alasan,
    oleh: input.oleh,
    ...(form.catatan ? { catatan: form.catatan } : {}),
  });
}

/** The end of the term has passed: the agreement ends (jangka waktu habis). */
export async function expire(ctx: AgreementContext, a: AgreementRecord): Promise<string> {
  const today = ctx.today(a.pemdaId);
  if (today <= a.berakhir) return 'belum-berakhir';
  await close(ctx, a, { type: 'jangka-waktu-habis' });
  return 'berakhir';
}

/**
 * One transition: decided by the pure lifecycle (refusals are BadInput with the reason), written on the version it
 * was decided from; then the fact, the cancelled schedules and the emails, each once.
 */
export async function close(
  ctx: AgreementContext,
  a: AgreementRecord,
  action: LifecycleAction,
): Promise<AgreementRecord> {
  const { store } = ctx.deps;
  const t = decide(a, action, ctx.today(a.pemdaId));
  if (!(await store.transition(a.pemdaId, a.nomor, a.version, t))) {
    const again = (await store.get(a.pemdaId, a.nomor))!;
    // Another transition won (or this one, retried): the refusal names what the agreement is now.
    if (again.status === 'berlaku') throw new SepakatError(ErrorNames.Transient, 'Perjanjian berubah; ulangi');
    decide(again, action, ctx.today(a.pemdaId));
  }
  const closed = (await store.get(a.pemdaId, a.nomor))!;
  await afterClosure(ctx, closed);
  return closed;
}

/** What follows a closure, each part once: the fact, the cancelled monitoring, the emails. */
export async function afterClosure(ctx: AgreementContext, a: AgreementRecord): Promise<void> {
  if (a.status === 'berlaku') return;
  const { deps } = ctx;
  const factKey = ctx.factKey(a, 'ditutup');
  const alasan = alasanText(a);
  await ctx.fact(a.caseId, factKey, 'perjanjian-berubah', {
    nomor: a.nomor,
    status: a.status,
    ...(alasan ? { alasan } : {}),
    ...(a.catatanBerakhir ? { catatan: a.catatanBerakhir } : {}),
    ditutupPada: a.ditutupPada ?? '',
    oleh: a.ditutupOleh ?? '',
  });
  const scheduler = deps.scheduler;
  if (scheduler)
    for (const key of agreementJobKeys(a, ctx.cfg(a.pemdaId), deps.pemda(a.pemdaId).calendar))
      await scheduler.cancel(key);
  const head = ctx.bagianHead(a.pemdaId);
  const to = [...new Set([head?.email, a.pelaksana.email].filter((x): x is string => !!x))];
  await ctx.sendOnce(a.caseId, `${factKey}#email`, {
    to,
    template: 'perjanjian-status',
    model: {
      ...ctx.mailModel(a),
      batal: a.status === 'batal',
      alasan,
      catatan: a.catatanBerakhir,
      ditutupPada: a.ditutupPada ? tanggalSurat(a.ditutupPada) : '',
      oleh: a.ditutupOleh,
    },
  });
}
