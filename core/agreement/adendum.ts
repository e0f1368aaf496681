import { createHash } from 'node:crypto';
import { termChangeSchedule } from './calendar.ts';
import { agreementId } from './agreement-jobs.ts';
import { BERAKHIR_BARU, checkNewEnd, newEndFrom } from './lifecycle.ts';
import { JENIS_LABEL, type AgreementRecord } from './agreement-model.ts';
import { ADENDUM_FORM, AGREEMENT_ACTION_LABELS } from './agreement-forms.ts';
import { sha, type AgreementContext } from './agreement-context.ts';
import { propose } from './remind-escalate.ts';
import type { CaseRecord } from '../case/model.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import { parseOrThrow } from '../validation/issues.ts';

/**
 * An administrator starts an adendum: a new case of an SOP (the same or another of the pemda) with the case data
 * `adendum-dari`, the original's pemohon and files; once its naskah is signed and registered, both agreements
 * link to each other. The same submission starts one case (its id is derived from it).
 */
export async function startAdendum(
  ctx: AgreementContext,
  pemdaId: string,
  nomor: string,
  raw: { sopId: string; perihal?: string; berakhirBaru?: string; submissionId: string; oleh: string },
): Promise<{ caseId: string; created: boolean }> {
  const { deps } = ctx;
  const form = parseOrThrow(
    ADENDUM_FORM,
    { sopId: raw.sopId, perihal: raw.perihal, berakhirBaru: raw.berakhirBaru },
    AGREEMENT_ACTION_LABELS,
  );
  const input = { ...raw, ...form };
  const a = await ctx.require(pemdaId, nomor);
  if (a.status !== 'berlaku')
    throw new SepakatError(
      ErrorNames.BadInput,
      `${JENIS_LABEL[a.jenis]} Nomor ${a.nomor} sudah ${a.status === 'batal' ? 'dinyatakan BATAL' : 'berakhir'}; adendum tidak dapat dibuat.`,
    );
  const berakhirBaru = input.berakhirBaru?.trim() ? checkNewEnd(a, input.berakhirBaru) : undefined;
  let sop;
  try {
    sop = deps.sops.latest(input.sopId);
  } catch {
    throw new SepakatError(ErrorNames.BadInput, `SOP "${input.sopId}" tidak dikenal; pilih SOP dari daftar.`);
  }
  if (sop.definition.pemda !== pemdaId)
    throw new SepakatError(ErrorNames.BadInput, `SOP "${input.sopId}" bukan SOP pemda ini; pilih SOP dari daftar.`);
  const original = await deps.cases.getCase(a.caseId);
  if (!original) throw new SepakatError(ErrorNames.NotFound, `Kasus ${a.caseId} tidak ditemukan`);
  // The submission claims its case id once, as a fact on the original case (a conditional put): a repeat of the same
  // submission, even on another day, finds the id it claimed and starts nothing new.
  const claimKey = `adendum#${sha(input.submissionId).slice(0, 32)}`;
  const stamp = ctx.now().toISOString().slice(0, 10).replaceAll('-', '');
  const fresh = `${stamp}-${base32(createHash('sha256').update(`adendum|${pemdaId}|${nomor}|${input.submissionId}`).digest()).slice(0, 10)}`;
  await deps.cases.appendHistory({
    caseId: original.caseId,
    eventKey: claimKey,
    type: 'perjanjian-berubah',
    at: ctx.now().toISOString(),
    detail: { nomor: a.nomor, adendumDimulai: fresh, oleh: input.oleh },
  });
  const claimed = await deps.cases.getHistory(original.caseId, claimKey);
  const caseId = String(claimed?.detail?.adendumDimulai ?? fresh);
  const perihal = input.perihal?.trim() || `Adendum ${JENIS_LABEL[a.jenis]} Nomor ${a.nomor} tentang ${a.perihal}`;
  // The intake data of the new SOP that the original holds (partner, kind of cooperation), and the link.
  const data: Record<string, unknown> = {};
  for (const field of sop.definition.intake.data)
    if (original.data[field.id] !== undefined) data[field.id] = original.data[field.id];
  const record: CaseRecord = {
    caseId,
    intakeId: caseId,
    sopId: sop.definition.id,
    sopVersion: sop.definition.version,
    sopKey: sop.key,
    pemdaId,
    perihal: perihal.slice(0, 500),
    pemohon: original.pemohon,
    status: 'aktif',
    createdAt: ctx.now().toISOString(),
    data: {
      ...data,
      perihal: perihal.slice(0, 500),
      instansiPemohon: original.pemohon.instansi,
      'adendum-dari': a.nomor,
      // What the adendum's naskah names of the agreement it changes (config/naskah/adendum.yaml).
      'adendum-dari-jenis': a.jenis,
      'adendum-dari-tanggal': a.mulai,
      'adendum-dari-tentang': a.perihal,
      'adendum-ke': a.adendum.length + 1,
      'pihak-mitra': a.mitra,
      ...(berakhirBaru ? { [BERAKHIR_BARU]: berakhirBaru } : {}),
    },
    files: original.files.filter((f) => sop.definition.intake.documents.some((d) => d.id === f.slot)),
    cursor: null,
    visits: {},
  };
  const created = (await deps.cases.createCase(record)) === 'created';
  const stored = (await deps.cases.getCase(caseId))!;
  await deps.cases.appendHistory({
    caseId,
    eventKey: 'permohonan',
    type: 'permohonan-diterima',
    at: stored.createdAt,
    files: stored.files,
    detail: { sopKey: stored.sopKey, pemohon: stored.pemohon, adendumDari: a.nomor, oleh: input.oleh },
  });
  await deps.startCase(stored);
  await propose(ctx, a, `adendum.kasus.${caseId}`, {
    jenis: 'adendum',
    sumber: `Adendum dimulai oleh ${input.oleh} (kasus ${caseId})`,
    at: stored.createdAt,
  });
  return { caseId, created };
}

/**
 * An adendum whose case data carries `berakhir-baru` moves the end of the term of the agreement it amends forward:
 * one conditional update on its version (which keeps the previous end), then the fact, then the end reminders and
 * the expiry of the old end cancelled and those of the new one scheduled. A repeat (a crash between the parts)
 * finds the change made by this adendum and completes the rest.
 */
export async function changeTermByAdendum(
  ctx: AgreementContext,
  adendum: AgreementRecord,
  data: Readonly<Record<string, unknown>>,
): Promise<void> {
  const { deps } = ctx;
  for (let attempt = 0; attempt < 5; attempt++) {
    const original = await deps.store.get(adendum.pemdaId, adendum.adendumDari!);
    if (!original || original.status !== 'berlaku') return;
    const madeHere = original.perubahanJangka?.adendum === adendum.nomor;
    const berakhir = madeHere ? original.berakhir : newEndFrom(original, data);
    if (!berakhir) return;
    const sebelumnya = madeHere ? original.perubahanJangka!.berakhirSebelumnya : original.berakhir;
    if (!madeHere) {
      const at = ctx.now().toISOString();
      const change = { berakhir, adendum: adendum.nomor, berakhirSebelumnya: sebelumnya, at };
      if (!(await deps.store.changeTerm(original.pemdaId, original.nomor, original.version, change))) continue;
    }
    const after = (await deps.store.get(original.pemdaId, original.nomor))!;
    const before: AgreementRecord = { ...after, berakhir: sebelumnya };
    const id = agreementId(original.pemdaId, original.nomor);
    await ctx.fact(
      original.caseId,
      `perjanjian#${id}#jangka#${agreementId(adendum.pemdaId, adendum.nomor)}`,
      'perjanjian-berubah',
      {
        nomor: original.nomor,
        jangkaDiubah: adendum.nomor,
        berakhirSebelumnya: sebelumnya,
        berakhir: after.berakhir,
        kasusAdendum: adendum.caseId,
      },
    );
    const plan = termChangeSchedule(
      before,
      after,
      ctx.cfg(after.pemdaId),
      deps.pemda(after.pemdaId).calendar,
      ctx.today(after.pemdaId),
    );
    const scheduler = deps.scheduler;
    if (scheduler) for (const key of plan.cancel) await scheduler.cancel(key);
    await ctx.scheduleAll(after, plan.schedule);
    return;
  }
  throw new SepakatError(ErrorNames.Transient, 'Perjanjian berubah; ulangi');
}

function base32(bytes: Buffer): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  for (const b of bytes) out += alphabet[b % 32];
  return out;
}
