import { followUps, type JenisKewajiban, type Kewajiban } from './calendar.ts';
import type { AgreementRecord } from './agreement-model.ts';
import type { AgreementContext } from './agreement-context.ts';
import { addDays } from '../calendar/zone.ts';
import { tanggalSurat } from '../documents/common.ts';

/** When the link of a report or monev due on `k.jatuhTempo` expires: the pemda's days after it, at midnight. */
export function linkExpiryOf(ctx: AgreementContext, a: AgreementRecord, k: Pick<Kewajiban, 'jatuhTempo'>): Date {
  return ctx.deps
    .pemda(a.pemdaId)
    .calendar.toInstant(addDays(k.jatuhTempo, ctx.cfg(a.pemdaId).tautanBerlakuSetelahHari), '24:00');
}

/** Opens report or monev `ke` (once), emails its link (once), and schedules what follows it. */
export async function requestReport(
  ctx: AgreementContext,
  a: AgreementRecord,
  jenis: JenisKewajiban,
  ke: number,
): Promise<string> {
  const { deps } = ctx;
  const k = ctx.kewajiban(a, jenis, ke);
  if (!k) return 'di-luar-jangka-waktu';
  const pemda = deps.pemda(a.pemdaId);
  const itemId = ctx.itemIdOf(a, jenis, ke);
  let item = await deps.store.getItem(itemId);
  if (!item) {
    const expires = linkExpiryOf(ctx, a, k);
    item = {
      itemId,
      pemdaId: a.pemdaId,
      nomor: a.nomor,
      jenis,
      ke,
      label: k.label,
      periode: k.periode,
      jatuhTempo: k.jatuhTempo,
      person: ctx.personFor(a, jenis, ke),
      state: 'terbuka',
      linkVersion: 1,
      linkExpiresAt: expires.toISOString(),
      requestedAt: ctx.now().toISOString(),
    };
    if ((await deps.store.createItem(item)) === 'exists') item = (await deps.store.getItem(itemId))!;
  }
  // What follows is scheduled before the email: whoever holds the link has its reminders scheduled.
  await ctx.scheduleAll(a, followUps(a, ctx.cfg(a.pemdaId), pemda.calendar, jenis, ke));
  const sent = await ctx.sendOnce(a.caseId, ctx.factKey(a, jenis, ke, 'minta'), {
    to: [item.person.email],
    template: jenis === 'laporan' ? 'perjanjian-laporan-diminta' : 'perjanjian-monev-diminta',
    model: {
      ...ctx.itemMailModel(a, item),
      periode: `${tanggalSurat(item.periode.mulai)} s.d. ${tanggalSurat(item.periode.selesai)}`,
      url: ctx.linkUrl(item),
      tautanBerlakuSampai: pemda.formatDateTime(new Date(item.linkExpiresAt)),
    },
  });
  return sent === 'terkirim' ? 'diminta' : sent === 'ditolak' ? 'email-ditolak' : 'sudah-diminta';
}
