import { formatDurasi, formatWaktuSingkat } from '../../core/format/tanggal.ts';
import { ownPersons } from '../../core/case/my-tasks.ts';
import {
  redirectTo,
  type HttpResult,
  type MessageModel,
  type Route,
  type WebContext,
  type WebRequest,
} from './web-context.ts';

/**
 * "Tugas saya" (core/case/my-tasks.ts): a signed-in official's own open tasks — case, step, due, overdue, opened from
 * here or not yet — and a button per task. The list is a GET and writes nothing; the button is a POST with the
 * session's CSRF token that answers with the task's own link (a 303), so the official acts without the email.
 */
const TASK_ID = '([A-Za-z0-9_-]{22})';

export function myTaskRoutes(ctx: WebContext): Route[] {
  const { app } = ctx;
  const back = { url: '/tugas-saya', label: 'Kembali ke Tugas saya' };

  async function list(event: WebRequest): Promise<HttpResult> {
    const found = await ctx.signedIn(event);
    if (found.result) return found.result;
    const { session } = found;
    const p = session.principal;
    const pemda = app.catalog.pemda(p.pemdaId);
    const { timeZone, minutesPerDay } = pemda.calendar;
    const w = (iso: string | null) => (iso ? formatWaktuSingkat(iso, timeZone) : '');
    const tasks = (await app.myTasks.list(p)).map((t) => ({
      ...t,
      url: `/tugas-saya/${t.taskId}`,
      masuk: w(t.openedAt),
      tenggat: w(t.dueAt),
      terlambatSetelah: t.overdueAt && t.overdueAt !== t.dueAt ? w(t.overdueAt) : '',
      lamaTerlambat: t.terlambat ? formatDurasi(Math.max(t.terlambatMenit, 1), minutesPerDay) : '',
      dibuka: w(t.dibukaAt),
      putaranKe: t.putaran > 1 ? t.putaran : undefined,
    }));
    return ctx.html(
      200,
      'tugas-saya',
      {
        tugas: tasks,
        terlambat: tasks.filter((t) => t.terlambat).length,
        belumDibuka: tasks.filter((t) => !t.dibukaAt).length,
        tanpaPegawai: !ownPersons(p).size,
        zona: timeZone,
      },
      'Tugas saya',
      { session },
    );
  }

  async function open(event: WebRequest, taskId: string): Promise<HttpResult> {
    const found = await ctx.acting(event);
    if (found.result) return found.result;
    const { session } = found;
    const task = await app.cases.task(taskId);
    const record = task && (await app.cases.case(task.caseId));
    // Another pemda's task answers as one that does not exist.
    const refused = await ctx.guard(session, 'tugas', record?.pemdaId);
    if (refused) return refused;
    const answer = (status: number, model: MessageModel) => ctx.message(status, { ...model, tautan: back }, session);
    const opened = await app.myTasks.open(session.principal, taskId);
    switch (opened.result) {
      case 'tautan':
        return redirectTo(opened.path);
      case 'bukan-milik':
        return answer(403, {
          judul: 'Bukan tugas Anda',
          pesan:
            'Tugas ini ditujukan kepada pejabat lain (atau sudah dialihkan), sehingga tidak dapat dibuka dengan akun Anda. Tidak ada yang diubah.',
        });
      case 'selesai':
        return answer(409, {
          judul: 'Tugas sudah diputuskan',
          pesan: 'Keputusan untuk tugas ini sudah tercatat; tidak ada lagi yang perlu dilakukan.',
          jenis: 'info',
        });
      case 'ditutup':
        return answer(409, {
          judul: 'Kasus sudah ditutup',
          pesan: 'Kasus tugas ini sudah ditutup atau tugasnya dihentikan; tidak ada lagi yang perlu dilakukan.',
          jenis: 'info',
        });
      case 'batas-tautan':
        return answer(429, {
          judul: 'Tautan tugas belum dapat diperbarui',
          pesan: `Tautan tugas ini sudah kedaluwarsa dan sudah diperbarui beberapa kali dalam satu jam terakhir. Tautan baru dapat diminta lagi mulai ${app.catalog.pemda(record!.pemdaId).formatDateTime(new Date(opened.nextAt))}; tautan terbaru di email Anda tetap berlaku.`,
        });
    }
  }

  return [
    { method: 'GET', pattern: /^\/tugas-saya$/, run: (e) => list(e) },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas-saya/${TASK_ID}$`),
      params: ['tugas'],
      run: (e, m) => open(e, m[1]!),
    },
  ];
}
