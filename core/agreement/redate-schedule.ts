import { agreementJobKeys, pendingSchedule, provisionalFrom, type Requested } from './calendar.ts';
import type { AgreementRecord } from './agreement-model.ts';
import type { AgreementContext } from './agreement-context.ts';
import type { MonitoringItem } from './monitoring-item.ts';
import { linkExpiryOf } from './monitoring-request.ts';
import { tanggalSurat } from '../documents/common.ts';

/**
 * After a year's libur nasional and cuti bersama were imported (core/calendar/calendar-import.ts): every agreement in
 * force whose monitoring schedule was computed on an estimate of that year or an earlier one
 * (`jadwalPerkiraanSejak` ≤ `tahun`) gets what it has waiting in the scheduler computed again on the pemda's
 * current calendar, under a new revision of its schedule:
 *
 * 1. the items of the new revision are scheduled (new keys: `.r<revision>`), and each report or monev already
 *    requested and still open whose due date moved gets it (`redateOpenItems`: its page and reminder emails then say
 *    the date the reminders are timed by), and whoever it is bound to is told;
 * 2. one conditional write on the agreement (its version and the provisional year it was read with) records the
 *    revision and the year it is still an estimate from (none: final) — a concurrent change is never overwritten,
 *    and the agreement is read again and computed anew (or left, once closed);
 * 3. the items of the old revision are cancelled (one that fires anyway finds the revision moved on and does
 *    nothing; one of the new revision firing before step 2 is tried again);
 * 4. the fact goes into the history of the agreement's case.
 *
 * A crash between the steps is finished by importing again (the mark is still there; the scheduled items exist).
 * Importing the same year twice changes nothing: the first import cleared the mark or moved it past `tahun`.
 */
export async function redateProvisionalSchedules(
  ctx: AgreementContext,
  tahun: number,
  pemdaIds: readonly string[],
): Promise<{ diperiksa: number; diubah: number }> {
  let diperiksa = 0;
  let diubah = 0;
  for (const pemdaId of pemdaIds)
    for (const a of await ctx.deps.store.list(pemdaId)) {
      if (!needsRedate(a, tahun)) continue;
      diperiksa++;
      if (await redateOne(ctx, a, tahun)) diubah++;
    }
  return { diperiksa, diubah };
}

const needsRedate = (a: AgreementRecord, tahun: number) =>
  a.status === 'berlaku' && a.jadwalPerkiraanSejak !== undefined && a.jadwalPerkiraanSejak <= tahun;

/** Attempts at one agreement before leaving it to the next import (each conflict is a change made meanwhile). */
const ATTEMPTS = 3;

async function redateOne(ctx: AgreementContext, first: AgreementRecord, tahun: number): Promise<boolean> {
  const { store, scheduler } = ctx.deps;
  let a: AgreementRecord | undefined = first;
  /** The due dates moved, over every attempt (a later attempt finds them moved already). */
  const tenggat: { label: string; dari: string; ke: string }[] = [];
  for (let attempt = 0; attempt < ATTEMPTS && a && needsRedate(a, tahun); attempt++) {
    const pemda = ctx.deps.pemda(a.pemdaId);
    const cfg = ctx.cfg(a.pemdaId);
    const next: AgreementRecord = { ...a, jadwalRevisi: (a.jadwalRevisi ?? 0) + 1 };
    const sejakTerdaftar = pemda.localDate(new Date(a.createdAt));
    const { requested, open } = await requestedOf(ctx, a, sejakTerdaftar);
    const schedule = pendingSchedule(
      next,
      cfg,
      pemda.calendar,
      { today: ctx.today(a.pemdaId), sejak: sejakTerdaftar },
      requested,
    );
    const sejak = provisionalFrom(pemda.calendar, schedule);
    if (scheduler) for (const item of schedule) await scheduler.schedule(item);
    // Before the agreement's write: a crash after it (its mark cleared) would leave these for no import to find.
    tenggat.push(...(await redateOpenItems(ctx, a, open, tahun)));
    const written = await store.redateSchedule(
      a.pemdaId,
      a.nomor,
      { version: a.version, jadwalPerkiraanSejak: a.jadwalPerkiraanSejak },
      { jadwalRevisi: next.jadwalRevisi!, jadwalPerkiraanSejak: sejak },
    );
    if (!written) {
      // Changed meanwhile: the new revision's items go, and the agreement is read again.
      if (scheduler) for (const item of schedule) await scheduler.cancel(item.key);
      a = await store.get(first.pemdaId, first.nomor);
      continue;
    }
    if (scheduler) for (const key of agreementJobKeys(a, cfg, pemda.calendar)) await scheduler.cancel(key);
    await ctx.fact(a.caseId, ctx.factKey(a, 'jadwal', next.jadwalRevisi!), 'perjanjian-berubah', {
      nomor: a.nomor,
      jadwalDihitungUlang: tahun,
      revisi: next.jadwalRevisi,
      ...(sejak !== undefined ? { perkiraanSejak: sejak } : {}),
      ...(tenggat.length ? { tenggatDipindah: tenggat } : {}),
    });
    return true;
  }
  return false;
}

/**
 * The reports and monev already requested, read one by one (consistently): they are requested in order from the
 * first due on or after the registration (`sejak`), so the first without an item ends each list. `open`: those
 * still waiting for what their link brings in.
 */
async function requestedOf(
  ctx: AgreementContext,
  a: AgreementRecord,
  sejak: string,
): Promise<{ requested: Requested[]; open: MonitoringItem[] }> {
  const requested: Requested[] = [];
  const open: MonitoringItem[] = [];
  for (const jenis of ['laporan', 'monev'] as const)
    for (let ke = 1; ; ke++) {
      const k = ctx.kewajiban(a, jenis, ke);
      if (!k) break;
      if (k.jatuhTempo < sejak) continue;
      const item = await ctx.deps.store.getItem(ctx.itemIdOf(a, jenis, ke));
      if (!item) break;
      requested.push({ jenis, ke, diterima: item.state === 'diterima' });
      if (item.state === 'terbuka') open.push(item);
    }
  return { requested, open };
}

/** How often an open item's move is tried again when its link changed meanwhile (a renewal). */
const ITEM_ATTEMPTS = 3;

/**
 * Gives each open report or monev the due date the current calendar computes for it, and a link that lasts as long
 * after that date (never shorter than it is), in one conditional write on its date and link version (a renewal
 * meanwhile is read again). The first date it was given is kept (`jatuhTempoSemula`). Whoever it is bound to is told
 * of a due date that differs from the first one, once per new date (a keyed email: an import run again after a crash
 * tells what is left). What was told now, as the fact lists it.
 */
async function redateOpenItems(
  ctx: AgreementContext,
  a: AgreementRecord,
  open: readonly MonitoringItem[],
  tahun: number,
): Promise<{ label: string; dari: string; ke: string }[]> {
  const told: { label: string; dari: string; ke: string }[] = [];
  const { store } = ctx.deps;
  for (const first of open) {
    let item: MonitoringItem | undefined = first;
    for (let attempt = 0; attempt < ITEM_ATTEMPTS && item?.state === 'terbuka'; attempt++) {
      const k = ctx.kewajiban(a, item.jenis, item.ke);
      if (!k || k.jatuhTempo === item.jatuhTempo) break;
      const expiry = linkExpiryOf(ctx, a, k).toISOString();
      const linkExpiresAt = expiry > item.linkExpiresAt ? expiry : item.linkExpiresAt;
      const moved = await store.redateItem(
        item.itemId,
        { jatuhTempo: item.jatuhTempo, linkVersion: item.linkVersion, linkExpiresAt: item.linkExpiresAt },
        { jatuhTempo: k.jatuhTempo, linkExpiresAt },
      );
      if (moved) {
        // What the write stored: no read back.
        item = {
          ...item,
          jatuhTempoSemula: item.jatuhTempoSemula ?? item.jatuhTempo,
          jatuhTempo: k.jatuhTempo,
          linkExpiresAt,
        };
        break;
      }
      item = await store.getItem(first.itemId);
    }
    if (item?.state !== 'terbuka' || !item.jatuhTempoSemula || item.jatuhTempoSemula === item.jatuhTempo) continue;
    const pemda = ctx.deps.pemda(a.pemdaId);
    const sent = await ctx.sendOnce(a.caseId, ctx.factKey(a, item.jenis, item.ke, 'tenggat', item.jatuhTempo), {
      to: [item.person.email],
      template: 'perjanjian-tenggat-berubah',
      model: {
        ...ctx.itemMailModel(a, item),
        tahun,
        semula: tanggalSurat(item.jatuhTempoSemula),
        url: ctx.linkUrl(item),
        tautanBerlakuSampai: pemda.formatDateTime(new Date(item.linkExpiresAt)),
      },
    });
    if (sent !== 'sudah-terkirim') told.push({ label: item.label, dari: item.jatuhTempoSemula, ke: item.jatuhTempo });
  }
  return told;
}
