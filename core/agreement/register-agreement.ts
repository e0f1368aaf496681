import { provisionalFrom, registrationSchedule } from './calendar.ts';
import { DASAR_KESEPAKATAN } from './induk.ts';
import { agreementId } from './agreement-jobs.ts';
import { jenisFrom, lastDayOf } from './lifecycle.ts';
import { JENIS_LABEL, type AgreementRecord } from './agreement-model.ts';
import { changeTermByAdendum } from './adendum.ts';
import { isoDate, text, type AgreementContext } from './agreement-context.ts';
import { jangkaWaktu } from '../documents/assemble.ts';
import { ErrorNames, SepakatError } from '../errors.ts';

/**
 * Registers the agreement of a case whose naskah is signed and numbered (the `daftar` step, when the register
 * marks the number used). Safe to repeat: the record is one conditional put, the adendum link one conditional
 * update, the schedule one item per key; a repeat completes whatever a crash left undone.
 */
export async function registerCase(ctx: AgreementContext, caseId: string): Promise<AgreementRecord | undefined> {
  const { deps } = ctx;
  const record = await deps.cases.getCase(caseId);
  if (!record) throw new SepakatError(ErrorNames.NotFound, `Kasus ${caseId} tidak ditemukan`);
  const nomor = text(record.data['nomor-naskah']);
  if (!nomor) return undefined;
  const pemda = deps.pemda(record.pemdaId);
  const today = pemda.localDate(ctx.now());
  const mulai = isoDate(record.data['naskah-tanggal']) ?? today;
  const tahun = jangkaWaktu(record);
  // The kind the SOP declares (`naskah.jenis`), never guessed from its id; an adendum takes its agreement's kind.
  const declared = deps.sops.get(record.sopKey).definition.naskah?.jenis;
  const jenisKerjaSama = text(record.data['jenis-kerja-sama']) ?? '';
  const adendumDari = text(record.data['adendum-dari']);
  const induk = text(record.data[DASAR_KESEPAKATAN]);
  const base: AgreementRecord = {
    pemdaId: record.pemdaId,
    nomor,
    jenis: jenisFrom(
      record.data,
      declared,
      adendumDari ? (await deps.store.get(record.pemdaId, adendumDari))?.jenis : undefined,
    ),
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
    luarNegeri: declared === 'mou-luar-negeri' || /^KSD(PL|LL)$/.test(jenisKerjaSama),
    usulan: {},
    createdAt: ctx.now().toISOString(),
  };
  // Dates in a year whose holidays are not imported yet are estimates: the record says so from the start.
  const perkiraanSejak = adendumDari
    ? undefined
    : provisionalFrom(pemda.calendar, registrationSchedule(base, ctx.cfg(base.pemdaId), pemda.calendar, today));
  const candidate: AgreementRecord = {
    ...base,
    ...(perkiraanSejak !== undefined ? { jadwalPerkiraanSejak: perkiraanSejak } : {}),
  };
  await deps.store.create(candidate);
  const agreement = (await deps.store.get(record.pemdaId, nomor))!;
  const id = agreementId(agreement.pemdaId, agreement.nomor);
  await ctx.fact(agreement.caseId, `perjanjian#${id}#terdaftar`, 'perjanjian-terdaftar', {
    nomor,
    jenis: JENIS_LABEL[agreement.jenis],
    mulai: agreement.mulai,
    berakhir: agreement.berakhir,
    ...(agreement.induk ? { induk: agreement.induk } : {}),
    ...(agreement.adendumDari ? { adendumDari: agreement.adendumDari } : {}),
  });
  if (agreement.adendumDari) {
    await linkAdendum(ctx, agreement);
    await changeTermByAdendum(ctx, agreement, record.data);
  }
  if (agreement.induk) await linkInduk(ctx, agreement);
  // An adendum amends its agreement: the reports and monev continue under the agreement it amends.
  if (!agreement.adendumDari && agreement.status === 'berlaku')
    await ctx.scheduleAll(
      agreement,
      registrationSchedule(agreement, ctx.cfg(agreement.pemdaId), pemda.calendar, today),
    );
  return agreement;
}

/** An adendum is listed on the agreement it amends (once), and that agreement's case records the fact (once). */
async function linkAdendum(ctx: AgreementContext, adendum: AgreementRecord): Promise<void> {
  const original = await ctx.deps.store.get(adendum.pemdaId, adendum.adendumDari!);
  if (!original) return;
  await ctx.deps.store.addAdendum(original.pemdaId, original.nomor, adendum.nomor);
  await ctx.fact(
    original.caseId,
    `perjanjian#${agreementId(original.pemdaId, original.nomor)}#adendum#${agreementId(adendum.pemdaId, adendum.nomor)}`,
    'perjanjian-berubah',
    { nomor: original.nomor, adendum: adendum.nomor, kasusAdendum: adendum.caseId },
  );
}

/**
 * A PKS implements its Kesepakatan Bersama: the KB lists it (one conditional update; a repeat adds nothing) and the
 * KB's case records the fact once. Ending either leaves the other as it is.
 */
async function linkInduk(ctx: AgreementContext, pks: AgreementRecord): Promise<void> {
  const induk = await ctx.deps.store.get(pks.pemdaId, pks.induk!);
  if (!induk) return;
  await ctx.deps.store.addPelaksanaan(induk.pemdaId, induk.nomor, pks.nomor);
  await ctx.fact(
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
