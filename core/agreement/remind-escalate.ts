import type { JenisKewajiban } from './calendar.ts';
import type { AgreementRecord, Usulan } from './agreement-model.ts';
import type { AgreementContext } from './agreement-context.ts';

const USULAN_LABEL: Record<Usulan['jenis'], string> = {
  pengakhiran: 'pengakhiran perjanjian',
  batal: 'pernyataan BATAL',
  adendum: 'adendum',
};

/** A job on report or monev `ke` of an agreement; says what it did. */
type KewajibanJob = (ctx: AgreementContext, a: AgreementRecord, jenis: JenisKewajiban, ke: number) => Promise<string>;

/** Report or monev `ke` while it is still awaited; undefined once it was received (or when it was never opened). */
async function openItem(ctx: AgreementContext, a: AgreementRecord, jenis: JenisKewajiban, ke: number) {
  const item = await ctx.deps.store.getItem(ctx.itemIdOf(a, jenis, ke));
  return item?.state === 'terbuka' ? item : undefined;
}

/**
 * Report or monev `ke` is past due and missing: remind the person its link went to, once; for reports, propose
 * BATAL after N missed in a row.
 */
export const remindOverdue: KewajibanJob = async (ctx, a, jenis, ke) => {
  const item = await openItem(ctx, a, jenis, ke);
  if (!item) return 'sudah-diterima';
  const pemda = ctx.deps.pemda(a.pemdaId);
  const linkValid = Date.parse(item.linkExpiresAt) > ctx.now().getTime();
  const factKey = ctx.factKey(a, jenis, ke, 'terlambat');
  const sent = await ctx.sendOnce(a.caseId, `${factKey}#email`, {
    to: [item.person.email],
    template: jenis === 'laporan' ? 'perjanjian-laporan-terlambat' : 'perjanjian-monev-terlambat',
    model: {
      ...ctx.itemMailModel(a, item),
      ...(linkValid
        ? { url: ctx.linkUrl(item), tautanBerlakuSampai: pemda.formatDateTime(new Date(item.linkExpiresAt)) }
        : {}),
    },
  });
  // A refused address is its own fact (email-gagal); no reminder is said to have gone out.
  if (sent !== 'ditolak')
    await ctx.fact(a.caseId, factKey, 'pengingat-terkirim', {
      nomor: a.nomor,
      tahap: jenis === 'laporan' ? 'laporan-terlambat' : 'monev-terlambat',
      ke,
      label: item.label,
      kepada: [item.person.email],
    });
  if (jenis === 'laporan') await proposeBatalIfMissed(ctx, a, ke);
  return sent;
};

/** Reports missed in a row up to `ke`: once the pemda's N is reached, BATAL is proposed (once per streak). */
async function proposeBatalIfMissed(ctx: AgreementContext, a: AgreementRecord, ke: number): Promise<void> {
  const n = ctx.cfg(a.pemdaId).batalSetelahLaporanTerlewat;
  if (n === null) return;
  let streak = 0;
  for (let j = ke; j >= 1; j--) {
    if (!(await openItem(ctx, a, 'laporan', j))) break;
    streak++;
  }
  if (streak !== n) return;
  const labels = [];
  for (let j = ke - n + 1; j <= ke; j++) labels.push(ctx.kewajiban(a, 'laporan', j)?.label ?? `laporan ke-${j}`);
  await propose(ctx, a, `batal.${ke}`, {
    jenis: 'batal',
    sumber: `${n} laporan pelaksanaan berturut-turut tidak disampaikan`,
    at: ctx.now().toISOString(),
    catatan: `Laporan yang terlewat: ${labels.join('; ')}. Sesuai ketentuan, kerja sama yang tidak dilaksanakan dapat dinyatakan BATAL; keputusan ada pada administrator.`,
  });
}

/** A proposal to the administrator: recorded once on the agreement, a fact on its case, the Bagian's head told. */
export async function propose(ctx: AgreementContext, a: AgreementRecord, key: string, usulan: Usulan): Promise<void> {
  await ctx.deps.store.addUsulan(a.pemdaId, a.nomor, key, usulan);
  const factKey = ctx.factKey(a, 'usulan', key);
  const head = ctx.bagianHead(a.pemdaId);
  if (head)
    await ctx.sendOnce(a.caseId, `${factKey}#email`, {
      to: [head.email],
      template: 'perjanjian-usulan',
      model: { ...ctx.mailModel(a), person: head, usulan, jenisUsulan: USULAN_LABEL[usulan.jenis] },
    });
  await ctx.fact(a.caseId, factKey, 'usulan-perjanjian', {
    nomor: a.nomor,
    usulan: usulan.jenis,
    sumber: usulan.sumber,
    ...(usulan.catatan ? { catatan: usulan.catatan } : {}),
  });
}

/** Report or monev `ke` is still missing some working days after its due date: the atasan of the Bagian's head is told. */
export const escalate: KewajibanJob = async (ctx, a, jenis, ke) => {
  const item = await openItem(ctx, a, jenis, ke);
  if (!item) return 'sudah-diterima';
  const pemda = ctx.deps.pemda(a.pemdaId);
  const head = ctx.bagianHead(a.pemdaId);
  const atasan = head?.atasan ? pemda.directory.person(head.atasan) : undefined;
  if (!head || !atasan) return 'tanpa-atasan';
  const factKey = ctx.factKey(a, jenis, ke, 'eskalasi');
  const sent = await ctx.sendOnce(a.caseId, `${factKey}#email`, {
    to: [atasan.email],
    template: jenis === 'laporan' ? 'perjanjian-laporan-eskalasi' : 'perjanjian-monev-eskalasi',
    model: {
      ...ctx.itemMailModel(a, item),
      atasan,
      kepalaBagian: head,
    },
  });
  if (sent !== 'ditolak')
    await ctx.fact(a.caseId, factKey, 'eskalasi-terkirim', {
      nomor: a.nomor,
      tahap: jenis === 'laporan' ? 'laporan-eskalasi' : 'monev-eskalasi',
      ke,
      label: item.label,
      kepada: [atasan.email],
      atasan: { id: atasan.id, nama: atasan.nama, jabatan: atasan.jabatan },
    });
  return sent;
};

/** A reminder `days` before the end of the term, to the Bagian's head and the pelaksana, once. */
export async function remindEnd(ctx: AgreementContext, a: AgreementRecord, days: number): Promise<string> {
  const head = ctx.bagianHead(a.pemdaId);
  const to = [...new Set([head?.email, a.pelaksana.email].filter((x): x is string => !!x))];
  // A term an adendum moved has its own reminders: their facts name its end (an unmoved term keeps its old keys).
  const term = a.perubahanJangka ? [a.berakhir.replaceAll('-', '')] : [];
  const factKey = ctx.factKey(a, 'berakhir', days, ...term);
  const sent = await ctx.sendOnce(a.caseId, `${factKey}#email`, {
    to,
    template: 'perjanjian-pengingat-berakhir',
    model: { ...ctx.mailModel(a), hari: days, hariIni: days === 0 },
  });
  if (sent !== 'ditolak')
    await ctx.fact(a.caseId, factKey, 'pengingat-terkirim', {
      nomor: a.nomor,
      tahap: 'pengingat-berakhir',
      hari: days,
      kepada: to,
    });
  return sent;
}
