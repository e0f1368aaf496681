import { followUps } from './calendar.ts';
import { agreementJobKey, type AgreementJob } from './agreement-jobs.ts';
import { REKOMENDASI_MONEV, type AgreementRecord, type RekomendasiMonev } from './agreement-model.ts';
import type { MonitoringItem } from './monitoring-item.ts';
import {
  LAPORAN_FIELDS,
  LAPORAN_FORM,
  MAX_LINK_RENEWALS,
  MONEV_FORM,
  RENEWED_LINK_DAYS,
  type FormErrors,
  type LinkProblem,
  type LinkView,
  type SubmitResult,
} from './agreement-forms.ts';
import { isoDate, sha, type AgreementContext } from './agreement-context.ts';
import { propose } from './remind-escalate.ts';
import { addDays } from '../calendar/zone.ts';
import { checkLink } from '../case/capabilities.ts';
import { maskEmail } from '../case/task-actions.ts';
import { assembleDocument, type CaseDocumentContext } from '../documents/assemble.ts';
import { tanggalSurat } from '../documents/common.ts';
import type { DocumentRecord } from '../documents/document-record.ts';
import { ErrorNames, isSepakatError, SepakatError } from '../errors.ts';
import { checkField } from '../validation/text.ts';

/**
 * Recording a report or monev: the capability link of `/pantau/…` (open, renew an expired one to its bound address),
 * the submission (checked, recorded once, reminders cancelled, the Laporan Pelaksanaan rendered and stored).
 */

/** The item behind a link, if the link is intact, current, not expired, open, and its agreement in force. */
export async function openLink(ctx: AgreementContext, token: string): Promise<LinkView | LinkProblem> {
  const itemId = token.split('.')[0] ?? '';
  const item = /^[A-Za-z0-9_-]{22}$/.test(itemId) ? await ctx.deps.store.getItem(itemId) : undefined;
  const check = checkLink(ctx.deps.linkKey(), token, (id) =>
    item && item.itemId === id ? { version: item.linkVersion, personId: item.person.id } : undefined,
  );
  if (!item) return { problem: 'rusak' };
  if (!check.ok) return check.reason === 'rusak' ? { problem: 'rusak' } : { problem: check.reason, item };
  if (item.state === 'diterima') return { problem: 'selesai', item, sameSubmission: false };
  const agreement = await ctx.deps.store.get(item.pemdaId, item.nomor);
  if (!agreement || agreement.status !== 'berlaku') return { problem: 'ditutup', item };
  if (Date.parse(item.linkExpiresAt) <= ctx.now().getTime()) return { problem: 'kedaluwarsa', item };
  const record = await ctx.deps.cases.getCase(agreement.caseId);
  if (!record) return { problem: 'rusak' };
  return { item, agreement, record };
}

/**
 * An expired report or monev link offers a fresh one: a new link version (the old one dies), emailed only to the
 * person the item is bound to, never to whoever opened the page; at most MAX_LINK_RENEWALS times per item. The
 * renewal is a history fact of the agreement's case.
 */
export async function renewLink(
  ctx: AgreementContext,
  token: string,
): Promise<{ sent: boolean; to: string } | LinkProblem> {
  const view = await openLink(ctx, token);
  if (!('problem' in view) || view.problem !== 'kedaluwarsa') return 'problem' in view ? view : { problem: 'rusak' };
  const item = view.item;
  if ((item.renewals ?? 0) >= MAX_LINK_RENEWALS) return { problem: 'batas-tautan', item };
  const a = (await ctx.deps.store.get(item.pemdaId, item.nomor))!;
  const pemda = ctx.deps.pemda(a.pemdaId);
  const expiresAt = pemda.calendar
    .toInstant(addDays(pemda.localDate(ctx.now()), RENEWED_LINK_DAYS), '24:00')
    .toISOString();
  if (!(await ctx.deps.store.renewItemLink(item.itemId, item.linkVersion, expiresAt, MAX_LINK_RENEWALS))) {
    const again = (await ctx.deps.store.getItem(item.itemId))!;
    return (again.renewals ?? 0) >= MAX_LINK_RENEWALS && again.linkVersion === item.linkVersion
      ? { problem: 'batas-tautan', item: again }
      : { problem: 'diganti', item: again };
  }
  const renewed = (await ctx.deps.store.getItem(item.itemId))!;
  const factKey = ctx.factKey(a, item.jenis, item.ke, 'tautan', `v${renewed.linkVersion}`);
  await ctx.deps.cases.appendHistory({
    caseId: a.caseId,
    eventKey: factKey,
    type: 'tautan-diperbarui',
    at: ctx.now().toISOString(),
    who: { id: item.person.id, nama: item.person.nama, jabatan: item.person.jabatan },
    detail: {
      nomor: a.nomor,
      jenis: item.jenis,
      ke: item.ke,
      label: item.label,
      linkVersion: renewed.linkVersion,
      kepada: [item.person.email],
      berlakuSampai: expiresAt,
    },
  });
  const sent = await ctx.sendOnce(a.caseId, `${factKey}#email`, {
    to: [item.person.email],
    template: 'perjanjian-tautan-baru',
    model: {
      ...ctx.mailModel(a),
      person: item.person,
      label: item.label,
      jatuhTempo: tanggalSurat(item.jatuhTempo),
      url: ctx.linkUrl(renewed),
      tautanBerlakuSampai: pemda.formatDateTime(new Date(expiresAt)),
    },
  });
  // Refused for good: recorded (email-gagal) and said on the page; the new link stands, so a resend needs no renewal.
  return { sent: sent !== 'ditolak', to: maskEmail(item.person.email) };
}

/** A report or monev submitted through its link: checked, recorded once, its PDF made (reports). */
export async function submitReport(
  ctx: AgreementContext,
  token: string,
  form: Record<string, string>,
): Promise<SubmitResult> {
  const view = await openLink(ctx, token);
  if ('problem' in view) {
    if (view.problem === 'selesai' && view.item.submission?.submissionId === form.submissionId)
      return { ...view, sameSubmission: true };
    return view;
  }
  const { item } = view;
  const submissionId = (form.submissionId ?? '').slice(0, 64) || sha(JSON.stringify(form)).slice(0, 24);
  const values: Record<string, string> = {};
  const errors: FormErrors = {};
  if (item.jenis === 'laporan') {
    for (const name of LAPORAN_FIELDS) {
      const checked = checkField(LAPORAN_FORM.shape[name], form[name] ?? '');
      if (typeof checked === 'object') errors[name] = checked.error;
      values[name] = typeof checked === 'string' ? checked : '';
    }
    const required: [string, string][] = [
      ['kegiatan', 'Kegiatan yang dilaksanakan wajib diisi (satu kegiatan per baris).'],
      ['capaian', 'Capaian wajib diisi.'],
      ['rencana', 'Rencana tindak lanjut wajib diisi.'],
      ['anggaran', 'Realisasi anggaran wajib diisi (tulis "tidak ada" bila tanpa anggaran).'],
      ['nama', 'Nama penanggung jawab laporan wajib diisi.'],
      ['jabatan', 'Jabatan penanggung jawab wajib diisi.'],
    ];
    for (const [name, message] of required) if (!values[name]) errors[name] ??= message;
    if (values.nip && !/^\d{18}$/.test(values.nip.replace(/\s+/g, ''))) errors.nip = 'NIP terdiri dari 18 angka.';
    if (!Object.keys(errors).length) {
      try {
        // The report must make a valid Laporan Pelaksanaan before it is accepted (nothing is recorded otherwise).
        laporanDocument(ctx, view, values, ctx.today(item.pemdaId));
      } catch (error) {
        if (!isSepakatError(error, ErrorNames.BadInput)) throw error;
        errors.umum = error.message;
      }
    }
  } else {
    for (const name of ['tanggal', 'rekomendasi', 'catatan'] as const) {
      const checked = checkField(MONEV_FORM.shape[name], form[name] ?? '');
      if (typeof checked === 'object') errors[name] = checked.error;
      values[name] = typeof checked === 'string' ? checked : '';
    }
    // A value refused as text keeps that message; the others are checked as what they mean.
    if (!errors.tanggal) {
      if (!isoDate(values.tanggal!)) errors.tanggal = 'Tanggal pelaksanaan monitoring dan evaluasi wajib diisi.';
      else if (values.tanggal! > ctx.today(item.pemdaId)) errors.tanggal = 'Tanggal monev tidak boleh di masa depan.';
    }
    if (!errors.rekomendasi) {
      if (!REKOMENDASI_MONEV.includes(values.rekomendasi as RekomendasiMonev))
        errors.rekomendasi = 'Pilih salah satu rekomendasi.';
      else if ((values.rekomendasi === 'dihentikan' || values.rekomendasi === 'adendum') && values.catatan!.length < 10)
        errors.catatan ??=
          'Rekomendasi ini wajib disertai catatan (paling sedikit 10 huruf): apa yang dihentikan atau diubah, dan mengapa.';
    }
  }
  if (Object.keys(errors).length) return { result: 'tidak-valid', view, errors, form };
  const at = ctx.now().toISOString();
  const submission = {
    submissionId,
    at,
    values,
    ...(item.jenis === 'monev' ? { rekomendasi: values.rekomendasi as RekomendasiMonev } : {}),
  };
  if (!(await ctx.deps.store.submit(item.itemId, item.linkVersion, submission))) {
    const again = await openLink(ctx, token);
    if ('problem' in again && again.problem === 'selesai')
      return { ...again, sameSubmission: again.item.submission?.submissionId === submissionId };
    return 'problem' in again ? again : { problem: 'rusak' };
  }
  const stored = (await ctx.deps.store.getItem(item.itemId))!;
  const a = view.agreement;
  // What came in needs no reminder or escalation (a job that fires anyway finds it received and sends nothing).
  const scheduler = ctx.deps.scheduler;
  if (scheduler)
    for (const tahap of item.jenis === 'laporan'
      ? (['laporan-terlambat', 'laporan-eskalasi'] as const)
      : (['monev-terlambat', 'monev-eskalasi'] as const))
      await scheduler.cancel(
        agreementJobKey({ kind: 'pantau-perjanjian', pemdaId: a.pemdaId, nomor: a.nomor, tahap, ke: item.ke }),
      );
  await ctx.fact(a.caseId, ctx.factKey(a, item.jenis, item.ke, 'diterima'), 'pemantauan-diterima', {
    nomor: a.nomor,
    jenis: item.jenis,
    ke: item.ke,
    label: item.label,
    oleh: item.jenis === 'laporan' ? values.nama! : item.person.nama,
    ...(item.jenis === 'monev' ? { rekomendasi: values.rekomendasi!, catatan: values.catatan! } : {}),
  });
  let document: DocumentRecord | undefined;
  if (item.jenis === 'laporan') {
    try {
      document = await renderReport(ctx, view.agreement, stored);
    } catch (error) {
      // The report is recorded; its PDF follows from a job (the renderer failed, or runs in another function).
      const job: AgreementJob = {
        kind: 'pantau-perjanjian',
        pemdaId: a.pemdaId,
        nomor: a.nomor,
        tahap: 'laporan-dokumen',
        ke: item.ke,
      };
      if (ctx.deps.scheduler) await ctx.deps.scheduler.schedule({ key: agreementJobKey(job), at: ctx.now(), job });
      else ctx.deps.reportError?.('Laporan pelaksanaan belum dibuat', { itemId: item.itemId, error });
    }
  } else if (values.rekomendasi === 'dihentikan' || values.rekomendasi === 'adendum') {
    await propose(ctx, a, `monev.${item.ke}`, {
      jenis: values.rekomendasi === 'dihentikan' ? 'pengakhiran' : 'adendum',
      sumber: item.label,
      at,
      catatan: values.catatan!,
    });
  }
  // The next request is scheduled whenever this one is answered (the request already did; a repeat changes nothing).
  await ctx.scheduleAll(
    a,
    followUps(a, ctx.cfg(a.pemdaId), ctx.deps.pemda(a.pemdaId).calendar, item.jenis, item.ke).filter(
      (i) => i.job.kind === 'pantau-perjanjian' && /minta$/.test(i.job.tahap),
    ),
  );
  return {
    result: 'diterima',
    view,
    item: (await ctx.deps.store.getItem(item.itemId))!,
    ...(document ? { document } : {}),
  };
}

/** The Laporan Pelaksanaan of a report, assembled (pure: checks the input without rendering). */
function laporanDocument(
  ctx: AgreementContext,
  view: Pick<LinkView, 'item' | 'agreement' | 'record'>,
  values: Record<string, string>,
  tanggal: string,
) {
  const { item, agreement: a, record } = view;
  const pemda = ctx.deps.pemda(a.pemdaId);
  const profile = pemda.directory.data.pemda;
  const kd = profile.dokumen.kepalaDaerah;
  const holder = pemda.directory.holders(kd.role, tanggal)[0];
  const numbers: Record<string, string> = {};
  for (const [k, v] of Object.entries(record.data))
    if (k.startsWith('nomor-') && typeof v === 'string' && v) numbers[k.slice('nomor-'.length)] = v;
  numbers.naskah = a.nomor;
  const rencana = lines(values.rencana ?? '');
  const doc: CaseDocumentContext = {
    caseId: record.caseId,
    perihal: record.perihal,
    pemohon: { nama: record.pemohon.nama, instansi: record.pemohon.instansi, email: record.pemohon.email },
    data: {
      ...record.data,
      'naskah-tanggal': a.mulai,
      'tanggal-berakhir': a.berakhir,
      'naskah-tentang': a.perihal,
      'pihak-mitra': a.mitra,
      'naskah-jenis': a.jenis === 'nota-kesepakatan' ? 'nota-kesepakatan' : 'kesepakatan-bersama',
      'laporan-periode': `${item.label} (${tanggalSurat(item.periode.mulai)} s.d. ${tanggalSurat(item.periode.selesai)})`,
      'laporan-kegiatan': values.kegiatan ?? '',
      'laporan-hasil': values.capaian ?? '',
      'laporan-kendala': values.kendala ?? '',
      'laporan-pendanaan': `Realisasi anggaran pada periode laporan: ${values.anggaran ?? ''}`,
      'laporan-kesimpulan': rencana.map((r) => `Rencana tindak lanjut: ${r}`).join('\n'),
      'laporan-rekomendasi': 'dilanjutkan',
      'laporan-alasan-rekomendasi':
        'Kerja sama dilaksanakan pada periode laporan dan dilanjutkan sesuai rencana tindak lanjut.',
      'laporan-pendahuluan': '',
      'laporan-lampiran': '',
    },
    pemda: {
      nama: profile.nama,
      kop: profile.kop,
      ...(profile.alamat ? { alamat: profile.alamat } : {}),
      dokumen: profile.dokumen,
    },
    tanggal,
    penandatangan: {
      nama: values.nama ?? '',
      jabatan: values.jabatan ?? '',
      ...(values.nip ? { nip: values.nip.replace(/\s+/g, '') } : {}),
      ...(values.pangkat ? { pangkat: values.pangkat } : {}),
    },
    kepalaDaerah: { nama: holder?.nama ?? kd.jabatan, jabatan: kd.jabatan },
    nomor: numbers,
  };
  return assembleDocument('laporan-pelaksanaan', doc);
}

/** Renders and stores the Laporan Pelaksanaan of a submitted report (once per submission: keyed by its id). */
async function renderReport(ctx: AgreementContext, a: AgreementRecord, item: MonitoringItem): Promise<DocumentRecord> {
  const submission = item.submission!;
  const record = await ctx.deps.cases.getCase(a.caseId);
  if (!record) throw new SepakatError(ErrorNames.NotFound, `Kasus ${a.caseId} tidak ditemukan`);
  const pemda = ctx.deps.pemda(a.pemdaId);
  const tanggal = pemda.localDate(new Date(submission.at));
  const assembled = laporanDocument(ctx, { item, agreement: a, record }, submission.values, tanggal);
  const paper = pemda.directory.data.pemda.dokumen.kertas;
  const rendered = await ctx.deps
    .renderer()
    .render(assembled.template, assembled.input as never, { paper })
    .catch((error: unknown) => {
      if (error instanceof SepakatError) throw error;
      throw new SepakatError(ErrorNames.Transient, 'Laporan pelaksanaan gagal dibuat', { cause: error });
    });
  const { record: stored } = await ctx.deps.documents.store({
    caseId: a.caseId,
    pemdaId: a.pemdaId,
    kind: 'laporan-pelaksanaan',
    purpose: `${a.caseId}#pantau#${item.itemId}#${submission.submissionId}`,
    bucket: ctx.deps.documentsBucket,
    bytes: rendered.pdf,
    contentType: 'application/pdf',
    fileName: `laporan-pelaksanaan-${a.caseId}-${item.ke}.pdf`,
    at: new Date(submission.at),
    templateVersion: rendered.templateVersion,
    data: assembled.input,
    meta: { perjanjian: a.nomor, laporanKe: item.ke, periode: item.label, halaman: rendered.pages },
  });
  await ctx.fact(a.caseId, ctx.factKey(a, 'laporan', item.ke, 'dokumen'), 'otomatis-selesai', {
    action: 'dokumen',
    jenis: 'laporan-pelaksanaan',
    docId: stored.docId,
    nomor: a.nomor,
    ke: item.ke,
  });
  return stored;
}

export async function renderPendingReport(ctx: AgreementContext, a: AgreementRecord, ke: number): Promise<string> {
  const item = await ctx.deps.store.getItem(ctx.itemIdOf(a, 'laporan', ke));
  if (!item?.submission) return 'belum-diterima';
  await renderReport(ctx, a, item);
  return 'dibuat';
}

const lines = (v: string) =>
  v
    .split('\n')
    .map((l) => l.replace(/^\s*(?:[-•*]|\d+[.)])\s*/, '').trim())
    .filter(Boolean);
