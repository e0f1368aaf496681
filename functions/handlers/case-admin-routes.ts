import {
  canAdministerCase,
  canRemindTask,
  canWithdrawCase,
  has,
  unitsOfSop,
  type CaseScope,
  type Principal,
} from '../../core/access/access.ts';
import {
  REMIND_WINDOW_MS,
  type Actor,
  type CloseKind,
  type CloseResult,
  type ReassignResult,
} from '../../core/case/case-admin.ts';
import type { CaseRecord } from '../../core/case/model.ts';
import type { Session } from '../auth/session.ts';
import {
  CASE_ID_PATH,
  type WebRequest,
  type HttpResult,
  type MessageModel,
  type Route,
  type WebContext,
} from './web-context.ts';

/**
 * The forms of the case page that act on a case (the page itself is console-routes.ts): reassign or delegate a task,
 * cancel the case (administrator of its pemda), withdraw it (its pemohon), send an open task's email again or a
 * reminder (its pelaksana or the administrator). Each answers with a message page and a link back to the case page.
 */
const CASE_ID = CASE_ID_PATH;
const TASK_ID = '([A-Za-z0-9_-]{22})';

const OUTCOME_LABEL: Record<string, string> = {
  selesai: 'selesai',
  ditolak: 'tidak dapat dilanjutkan (ditolak)',
  dibatalkan: 'dibatalkan',
};

/** Who acts, as the history and the emails name them. */
export function actorOf(p: Principal): Actor {
  return {
    id: p.personId ?? `pengguna:${p.sub}`,
    nama: p.nama,
    jabatan: has(p, 'admin')
      ? `Administrator, ${p.unit}`
      : has(p, 'pelaksana')
        ? `Pelaksana, ${p.unit}`
        : `Pemohon, ${p.unit}`,
  };
}

/** The message page of a withdrawal or cancellation, wherever it was asked for. */
export function closeMessage(
  kind: CloseKind,
  result: CloseResult,
  formatAt: (iso: string) => string,
): { status: number; model: MessageModel } {
  const verb = kind === 'ditarik' ? 'ditarik' : 'dibatalkan';
  switch (result.result) {
    case 'tidak-valid':
      return {
        status: 400,
        model: { judul: 'Alasan belum dapat diterima', pesan: `${result.error}. Tidak ada yang diubah.` },
      };
    case 'sudah-berakhir':
      return {
        status: 409,
        model: {
          judul: 'Kasus sudah berakhir',
          pesan: `Kasus ${result.record.caseId} sudah berakhir (${OUTCOME_LABEL[result.record.outcome ?? ''] ?? 'hasil akhir sudah tercatat'}), sehingga tidak dapat ${verb}. Tidak ada yang diubah.`,
        },
      };
    case 'sudah-ditutup':
      return {
        status: 200,
        model: {
          judul: 'Kasus sudah ditutup',
          pesan: `Kasus ${result.record.caseId} sudah ${result.closing.kind} sebelumnya; tidak ada yang diubah.`,
          jenis: 'info',
          rincian: [
            { label: 'Alasan', nilai: result.closing.reason },
            { label: 'Oleh', nilai: result.closing.by.nama },
            { label: 'Waktu', nilai: formatAt(result.closing.at) },
          ],
        },
      };
    case 'ditutup':
      return {
        status: 200,
        model: {
          judul: kind === 'ditarik' ? 'Permohonan ditarik' : 'Kasus dibatalkan',
          pesan: `Kasus ${result.record.caseId} ${verb} dan ditutup. ${
            result.cancelledTasks
              ? `${result.cancelledTasks} tugas yang masih terbuka dihentikan; tautannya tidak berlaku lagi dan pemegangnya diberi tahu. `
              : ''
          }Pemohon diberi tahu melalui email. Dokumen yang sudah ada tetap tersimpan dalam arsip.`,
          jenis: 'ok',
          rincian: [
            { label: 'Perihal', nilai: result.record.perihal },
            { label: 'Alasan', nilai: result.closing.reason },
            { label: 'Waktu', nilai: formatAt(result.closing.at) },
          ],
        },
      };
  }
}

export function caseAdminRoutes(ctx: WebContext): Route[] {
  const { app } = ctx;
  const back = (caseId: string) => ({ url: `/konsol/kasus/${caseId}`, label: 'Kembali ke halaman kasus' });
  const formatAt = (record: CaseRecord) => (iso: string) =>
    app.catalog.pemda(record.pemdaId).formatDateTime(new Date(iso));

  /** The signed-in principal (CSRF checked) allowed by `allowed` on this case, or the page to answer instead. */
  async function acting(
    event: WebRequest,
    caseId: string,
    allowed: (p: Principal, scope: CaseScope) => boolean,
  ): Promise<{ session: Session; form: Record<string, string>; record: CaseRecord } | { result: HttpResult }> {
    const found = await ctx.acting(event);
    if (found.result) return found;
    const { session, form } = found;
    const record = await app.cases.case(caseId);
    // The case's tasks are read only for a case of the principal's own pemda (`may` is asked only then).
    const refused = await ctx.guard(
      session,
      'kasus',
      record?.pemdaId,
      async () =>
        allowed(session.principal, {
          record: record!,
          sopUnits: unitsOfSop(app.runtime.sopOf(record!).definition.header),
          tasks: await app.cases.tasks(caseId),
        }),
      'Peran atau unit kerja Anda tidak memberi wewenang untuk tindakan ini atas kasus ini. Tidak ada yang diubah.',
    );
    if (refused || !record) return { result: refused! };
    return { session, form, record };
  }

  const close = async (kind: CloseKind, event: WebRequest, caseId: string): Promise<HttpResult> => {
    const found = await acting(event, caseId, kind === 'ditarik' ? canWithdrawCase : canAdministerCase);
    if ('result' in found) return found.result;
    const by = actorOf(found.session.principal);
    const alasan = found.form.alasan ?? '';
    const result =
      kind === 'ditarik'
        ? await app.caseAdmin.withdraw(caseId, by, alasan)
        : await app.caseAdmin.cancel(caseId, by, alasan);
    const { status, model } = closeMessage(kind, result, formatAt(found.record));
    return ctx.message(status, { ...model, tautan: back(caseId) }, found.session);
  };

  const reassign = async (event: WebRequest, caseId: string, taskId: string): Promise<HttpResult> => {
    const found = await acting(event, caseId, canAdministerCase);
    if ('result' in found) return found.result;
    const { session, form } = found;
    const answer = (status: number, model: MessageModel) =>
      ctx.message(status, { ...model, tautan: back(caseId) }, session);
    const task = await app.cases.task(taskId);
    // A task of another case (of any pemda) answers as one that does not exist.
    const refused = await ctx.guard(session, 'tugas', task?.caseId === caseId ? found.record.pemdaId : undefined);
    if (refused) return refused;
    const orang = (form.orang ?? '').trim();
    const sebagai = form.sebagai ?? '';
    if (!orang) return answer(400, { judul: 'Isian belum lengkap', pesan: 'Pilih orang yang akan menerima tugas.' });
    if (sebagai !== '' && sebagai !== 'Plh' && sebagai !== 'Plt')
      return answer(400, { judul: 'Isian tidak valid', pesan: 'Pilihan "sebagai" harus kosong, Plh atau Plt.' });
    const result: ReassignResult = await app.caseAdmin.reassign({
      taskId,
      toPersonId: orang,
      by: actorOf(session.principal),
      reason: form.alasan ?? '',
      ...(sebagai ? { sebagai } : {}),
    });
    switch (result.result) {
      case 'tidak-valid':
        return answer(400, { judul: 'Tugas tidak dialihkan', pesan: `${result.error}. Tidak ada yang diubah.` });
      case 'ditolak':
        return answer(409, { judul: 'Tugas tidak dialihkan', pesan: `${result.error}. Tidak ada yang diubah.` });
      case 'sudah':
        return answer(200, {
          judul: 'Tugas sudah ditujukan kepada orang itu',
          pesan: `Tugas ini sudah ditujukan kepada ${result.task.person.nama}; tidak ada yang diubah.`,
          jenis: 'info',
        });
      case 'dialihkan': {
        const to = result.to;
        return answer(200, {
          judul: to.sebagai ? `Tugas didelegasikan kepada ${to.sebagai}` : 'Tugas dialihkan',
          pesan: `Tugas kini ditujukan kepada ${to.nama}${to.sebagai ? ` sebagai ${to.sebagai}. ${to.jabatan}` : ` (${to.jabatan})`}. Tautan lama tidak berlaku lagi; tautan baru dikirim ke email ${to.email}, dan ${result.from.nama} diberi tahu.`,
          jenis: 'ok',
          rincian: [
            { label: 'Dari', nilai: `${result.from.nama} (${result.from.jabatan})` },
            {
              label: 'Kepada',
              nilai: `${to.nama}${to.sebagai ? `, ${to.sebagai}. ${to.jabatan}` : `, ${to.jabatan}`}`,
            },
            { label: 'Alasan', nilai: (form.alasan ?? '').trim() },
          ],
        });
      }
    }
  };

  const remind = async (event: WebRequest, caseId: string, taskId: string): Promise<HttpResult> => {
    const found = await acting(event, caseId, canRemindTask);
    if ('result' in found) return found.result;
    const { session, form, record } = found;
    const answer = (status: number, model: MessageModel) =>
      ctx.message(status, { ...model, tautan: back(caseId) }, session);
    const task = await app.cases.task(taskId);
    const refused = await ctx.guard(session, 'tugas', task?.caseId === caseId ? record.pemdaId : undefined);
    if (refused) return refused;
    const p = session.principal;
    // The directory's name and jabatan of a pelaksana who is an official of the pemda; else the account's.
    const person = p.personId ? app.catalog.pemda(p.pemdaId).directory.person(p.personId) : undefined;
    const by = person ? { id: person.id, nama: person.nama, jabatan: person.jabatan } : actorOf(p);
    const result = await app.caseAdmin.remind({ taskId, kind: form.jenis ?? '', by });
    const at = formatAt(record);
    const minutes = REMIND_WINDOW_MS / 60_000;
    switch (result.result) {
      case 'tidak-valid':
        return answer(400, { judul: 'Tidak ada yang dikirim', pesan: `${result.error}. Tidak ada yang diubah.` });
      case 'ditolak':
        return answer(409, { judul: 'Tidak ada yang dikirim', pesan: `${result.error}.` });
      case 'terlalu-cepat':
        return answer(429, {
          judul: 'Email belum dapat dikirim lagi',
          pesan: `Email untuk tugas ini baru saja dikirim (${at(result.lastAt)}). Agar pejabat tidak menerima email berulang, email berikutnya untuk tugas ini dapat dikirim paling cepat ${minutes} menit sesudahnya, mulai ${at(result.nextAt)}. Tidak ada yang dikirim.`,
        });
      case 'terkirim': {
        const to = result.task.person;
        return answer(200, {
          judul: result.kind === 'tugas' ? 'Email tugas dikirim ulang' : 'Pengingat dikirim',
          pesan: `${result.kind === 'tugas' ? 'Email tugas' : 'Pengingat'} dikirim kepada ${to.nama} (${to.email})${result.linkRenewed ? ' dengan tautan baru, karena tautan sebelumnya sudah kedaluwarsa' : ''}. Pengiriman ini dicatat dalam riwayat kasus atas nama Anda.`,
          jenis: 'ok',
          rincian: [
            { label: 'Tugas', nilai: result.task.node },
            { label: 'Kepada', nilai: `${to.nama} (${to.jabatan})` },
            { label: 'Waktu', nilai: at(result.at) },
          ],
        });
      }
    }
  };

  const moveVersion = async (event: WebRequest, caseId: string): Promise<HttpResult> => {
    const found = await acting(event, caseId, canAdministerCase);
    if ('result' in found) return found.result;
    const { session, form, record } = found;
    const answer = (status: number, model: MessageModel) =>
      ctx.message(status, { ...model, tautan: back(caseId) }, session);
    const versi = (form.versi ?? '').trim();
    if (!/^[1-9]\d{0,3}$/.test(versi))
      return answer(400, {
        judul: 'Isian tidak valid',
        pesan: `Versi: "${versi}" bukan nomor versi SOP. Tidak ada yang diubah.`,
      });
    const langkah = (form.langkah ?? '').trim();
    const result = await app.caseAdmin.moveToVersion({
      caseId,
      version: Number(versi),
      ...(langkah ? { langkah } : {}),
      by: actorOf(session.principal),
      reason: form.alasan ?? '',
    });
    switch (result.result) {
      case 'tidak-valid':
        return answer(400, { judul: 'Kasus tidak dipindahkan', pesan: `${result.error}. Tidak ada yang diubah.` });
      case 'ditolak':
        return answer(409, { judul: 'Kasus tidak dipindahkan', pesan: `${result.error}. Tidak ada yang diubah.` });
      case 'sudah':
        return answer(200, {
          judul: 'Kasus sudah dipindahkan',
          pesan: `Kasus ${caseId} sudah berjalan pada ${result.record.sopKey}; tidak ada yang dipindahkan dua kali.`,
        });
      case 'dipindahkan':
        return answer(200, {
          judul: 'Kasus dipindahkan ke versi SOP baru',
          pesan: `Kasus ${caseId} berjalan pada ${result.to} mulai langkah ${result.node}. Tugas lama dihentikan dan tautannya tidak berlaku; tugas baru dikirim kepada pemegangnya. Dokumen, nomor, paraf dan riwayat tetap.`,
          jenis: 'ok',
          rincian: [
            { label: 'Dari', nilai: result.from },
            { label: 'Ke', nilai: result.to },
            { label: 'Langkah', nilai: result.node },
            { label: 'Perihal', nilai: record.perihal },
          ],
        });
    }
  };

  return [
    {
      method: 'POST',
      pattern: new RegExp(`^/konsol/kasus/${CASE_ID}/pindah-versi$`),
      params: ['kasus'],
      run: (e, m) => moveVersion(e, m[1]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/konsol/kasus/${CASE_ID}/tugas/${TASK_ID}/ingatkan$`),
      params: ['kasus', 'tugas'],
      run: (e, m) => remind(e, m[1]!, m[2]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/konsol/kasus/${CASE_ID}/tugas/${TASK_ID}/alihkan$`),
      params: ['kasus', 'tugas'],
      run: (e, m) => reassign(e, m[1]!, m[2]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/konsol/kasus/${CASE_ID}/batalkan$`),
      params: ['kasus'],
      run: (e, m) => close('dibatalkan', e, m[1]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/konsol/kasus/${CASE_ID}/tarik$`),
      params: ['kasus'],
      run: (e, m) => close('ditarik', e, m[1]!),
    },
  ];
}
