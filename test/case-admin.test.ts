import { execFile } from 'node:child_process';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnLink, driveCase, parseTaskPage, submitPermohonan, taskLinks } from '../cli/drive.ts';
import type { Principal } from '../core/access/access.ts';
import type { TaskRecord } from '../core/case/model.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { readMailbox, type StoredMail } from '../local/ses/local-ses.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

const KOTA = 'kota-penyusunan-kesepakatan-bersama';
const BLITAR = 'blitar-pengkoordinasian-nota-kesepakatan';
const FIXTURE = 'fixture-kerja-sama-pihak-ketiga';

const pemohonOf = (pemdaId: string): Principal => ({
  sub: `u-pemohon-${pemdaId}`,
  email: PEMOHON.email,
  nama: PEMOHON.nama,
  roles: ['pemohon'],
  pemdaId,
  unit: PEMOHON.instansi,
});
const ADMIN_KOTA: Principal = {
  sub: 'u-admin-kota',
  email: 'admin@kota-contoh.test',
  nama: 'Admin Kerja Sama Kota',
  roles: ['admin'],
  pemdaId: 'kota-contoh',
  unit: 'BAGIAN KERJASAMA',
};

describe('withdrawal, cancellation, reassignment and delegation of a running case', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    // Reminders are checked in the schedule table; nothing fires by itself during the test.
    rt = await startTestRuntime({ schedulerIntervalMs: 0 });
  });
  afterAll(async () => rt?.cleanup());

  const startCase = async (sopId: string, perihal: string) => {
    const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, sopId, {}, perihal));
    await eventually(async () => (await rt.app.store.getCase(intakeId))?.cursor);
    return intakeId;
  };
  const openTask = (caseId: string, node?: string) =>
    eventually(async () =>
      (await rt.app.store.listTasks({ caseId })).find(
        (t) => t.state === 'open' && !!t.executionArn && (!node || t.node === node),
      ),
    );
  const mailsOf = async (caseId: string, subject: RegExp, to?: string) =>
    (await readMailbox(rt.dataDir)).filter(
      (m) => subject.test(m.subject) && m.text?.includes(caseId) && (!to || m.to.includes(to)),
    );
  const taskMail = (caseId: string, node: string, to: string, nth = 1) =>
    eventually(async () => (await mailsOf(caseId, new RegExp(`^Tugas baru: ${node} `), to))[nth - 1]);
  const linkOf = (mail: StoredMail) => taskLinks(mail)[0]!;
  const snapshot = async (caseId: string) => ({
    tasks: (await rt.app.store.listTasks({ caseId })).sort((a, b) => a.seq - b.seq),
    history: (await rt.app.store.listHistory(caseId)).length,
  });
  const executionStatus = async (task: TaskRecord) =>
    (await rt.app.clients.sfn.send(new DescribeExecutionCommand({ executionArn: task.executionArn! }))).status;

  it('withdraws a case: no live link, the execution stopped, reminders cancelled, documents kept', async () => {
    // Arrange: a case past its first step, waiting at its second.
    const caseId = await startCase(KOTA, 'Kerja sama yang akan ditarik');
    const driven = await driveCase({ dataDir: rt.dataDir, caseId, pemohonEmail: PEMOHON.email, stopAt: 'L2' });
    expect(driven.stoppedAt?.node).toBe('L2');
    const open = await openTask(caseId, 'L2');
    const reminderKeys = (await rt.scheduler.store.waiting())
      .filter((i) => i.key.includes(open.taskId))
      .map((i) => i.key);
    expect(reminderKeys.length).toBeGreaterThan(0);
    const record = (await rt.app.store.getCase(caseId))!;
    const documentsBefore = (await rt.app.documents.listByCase(caseId)).map((d) => d.docId).sort();
    const pemohon = sessionFor(rt, pemohonOf('kota-contoh'));

    // Act
    const answer = await web(rt, `/konsol/kasus/${caseId}/tarik`, {
      cookie: pemohon.cookie,
      form: { _csrf: pemohon.csrf, alasan: 'Mitra membatalkan rencana kerja sama' },
    });

    // Assert: the answer, the case closed with its reason, the fact in the history.
    expect(answer.status, answer.text).toBe(200);
    expect(answer.text).toContain('Permohonan ditarik');
    expect(answer.text).toContain(`href="/konsol/kasus/${caseId}"`);
    const closed = (await rt.app.store.getCase(caseId))!;
    expect(closed).toMatchObject({
      status: 'dibatalkan',
      outcome: 'dibatalkan',
      closeReason: 'Mitra membatalkan rencana kerja sama',
    });
    const history = await rt.app.store.listHistory(caseId);
    expect(history.filter((e) => e.type === 'kasus-ditarik')).toEqual([
      expect.objectContaining({
        note: 'Mitra membatalkan rencana kerja sama',
        who: expect.objectContaining({ nama: PEMOHON.nama }),
      }),
    ]);

    // No live link: every task link of the case shows a closed or decided task, and a POST changes nothing.
    const links = (await mailsOf(caseId, /^Tugas baru: /)).map(linkOf);
    expect(links.length).toBeGreaterThanOrEqual(2);
    const before = await snapshot(caseId);
    for (const link of links) {
      const page = await fetch(link);
      const text = await page.text();
      expect([409, 410], text).toContain(page.status);
      const post = await fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: rt.urls.web },
        body: new URLSearchParams({ submissionId: 'abcdefgh12345678', pilihan: 'lanjut', catatan: 'coba' }).toString(),
      });
      expect(post.status).not.toBe(200);
      await post.arrayBuffer();
    }
    const openLink = (await mailsOf(caseId, /^Tugas baru: L2 /)).map(linkOf)[0]!;
    const closedPage = await fetch(openLink);
    expect(closedPage.status).toBe(410);
    expect(await closedPage.text()).toContain('Kasus sudah ditutup');
    expect(await snapshot(caseId)).toEqual(before);
    expect((await rt.app.store.getTask(open.taskId))!.state).toBe('cancelled');

    // The execution that waited is stopped; the reminders of the task are cancelled.
    expect(await eventually(async () => (await executionStatus(open)) === 'ABORTED' && 'ABORTED')).toBe('ABORTED');
    for (const key of reminderKeys) expect((await rt.scheduler.store.get(key))?.state).toBe('cancelled');

    // Documents stay: the permohonan's files and every generated document.
    for (const file of record.files) {
      const head = await rt.app.clients.s3.send(new HeadObjectCommand({ Bucket: file.bucket, Key: file.key }));
      expect(head.ContentLength).toBe(file.size);
    }
    expect((await rt.app.documents.listByCase(caseId)).map((d) => d.docId).sort()).toEqual(documentsBefore);

    // The pemohon and the holder of the open task are told, once.
    expect(await mailsOf(caseId, /^Permohonan ditarik/, PEMOHON.email)).toHaveLength(1);
    const told = await mailsOf(caseId, /^Tugas dihentikan/, open.person.email);
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain('Mitra membatalkan rencana kerja sama');

    // A second withdrawal changes nothing and says so.
    const again = await web(rt, `/konsol/kasus/${caseId}/tarik`, {
      cookie: pemohon.cookie,
      form: { _csrf: pemohon.csrf, alasan: 'Sekali lagi ditarik' },
    });
    expect(again.status).toBe(200);
    expect(again.text).toContain('Kasus sudah ditutup');
    expect((await rt.app.store.listHistory(caseId)).filter((e) => e.type === 'kasus-ditarik')).toHaveLength(1);
    expect(await mailsOf(caseId, /^Permohonan ditarik/, PEMOHON.email)).toHaveLength(1);
    expect((await rt.app.store.getCase(caseId))!.closeReason).toBe('Mitra membatalkan rencana kerja sama');
  }, 60_000);

  it('refuses to withdraw a case that ended by its SOP', async () => {
    // Arrange: the fixture SOP rejects the permohonan at its second step.
    const caseId = await startCase(FIXTURE, 'Kerja sama yang ditolak');
    const driven = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      script: { L2: ['tidak-layak'] },
    });
    expect(driven.outcome).toBe('ditolak');
    await eventually(async () => (await rt.app.store.getCase(caseId))?.status === 'ditolak');
    const pemohon = sessionFor(rt, pemohonOf('kota-contoh'));

    // Act
    const answer = await web(rt, `/konsol/kasus/${caseId}/tarik`, {
      cookie: pemohon.cookie,
      form: { _csrf: pemohon.csrf, alasan: 'Tidak jadi bekerja sama' },
    });

    // Assert
    expect(answer.status).toBe(409);
    expect(answer.text).toContain('Kasus sudah berakhir');
    expect((await rt.app.store.getCase(caseId))!.status).toBe('ditolak');
    expect((await rt.app.store.listHistory(caseId)).some((e) => e.type === 'kasus-ditarik')).toBe(false);
  }, 60_000);

  it('lets only an administrator of the case’s pemda cancel it, with a form token and a reason', async () => {
    // Arrange
    const caseId = await startCase(BLITAR, 'Kerja sama yang dibatalkan administrator');
    const open = await openTask(caseId, 'L1');
    const link = linkOf(await taskMail(caseId, 'L1', open.person.email));
    const admin = sessionFor(rt, PRINCIPALS.adminBlitar);
    const cancel = (session: { cookie: string; csrf: string }, form: Record<string, string>) =>
      web(rt, `/konsol/kasus/${caseId}/batalkan`, { cookie: session.cookie, form });

    // Act, assert: refused for staff, for another pemda's administrator, without the form token, without a reason.
    const staff = sessionFor(rt, PRINCIPALS.pelaksanaBlitar);
    expect((await cancel(staff, { _csrf: staff.csrf, alasan: 'Tidak berwenang' })).status).toBe(403);
    const otherAdmin = sessionFor(rt, ADMIN_KOTA);
    // Another pemda's case answers as one that does not exist.
    expect((await cancel(otherAdmin, { _csrf: otherAdmin.csrf, alasan: 'Pemda lain' })).status).toBe(404);
    expect((await cancel(admin, { alasan: 'Tanpa token formulir' })).status).toBe(403);
    const noReason = await cancel(admin, { _csrf: admin.csrf, alasan: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Alasan wajib diisi');
    expect((await rt.app.store.getCase(caseId))!.status).toBe('aktif');
    expect((await fetch(link)).status).toBe(200);

    // Act: the administrator cancels.
    const answer = await cancel(admin, { _csrf: admin.csrf, alasan: 'Usulan ganda dengan kasus lain' });

    // Assert
    expect(answer.status, answer.text).toBe(200);
    expect(answer.text).toContain('Kasus dibatalkan');
    expect((await rt.app.store.getCase(caseId))!).toMatchObject({
      status: 'dibatalkan',
      closeReason: 'Usulan ganda dengan kasus lain',
    });
    const page = await fetch(link);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('Kasus sudah ditutup');
    expect(await eventually(async () => (await executionStatus(open)) === 'ABORTED' && 'ABORTED')).toBe('ABORTED');
    const fact = (await rt.app.store.listHistory(caseId)).find((e) => e.type === 'kasus-dibatalkan');
    expect(fact).toMatchObject({ note: 'Usulan ganda dengan kasus lain', who: { nama: PRINCIPALS.adminBlitar.nama } });
    expect(await mailsOf(caseId, /^Permohonan dibatalkan/, PEMOHON.email)).toHaveLength(1);
    const again = await cancel(admin, { _csrf: admin.csrf, alasan: 'Dibatalkan sekali lagi' });
    expect(again.text).toContain('Kasus sudah ditutup');
  }, 60_000);

  it('cancels a case from the operator CLI', async () => {
    // Arrange
    const caseId = await startCase(BLITAR, 'Kerja sama yang dibatalkan operator');
    await openTask(caseId, 'L1');

    // Act
    const run = await sepakat(['batalkan', caseId, '--alasan', 'Permohonan salah alamat'], rt.dataDir);

    // Assert
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Kasus ${caseId} dibatalkan; 1 tugas terbuka dihentikan`);
    expect((await rt.app.store.getCase(caseId))!.closeReason).toBe('Permohonan salah alamat');
    const missing = await sepakat(['batalkan', caseId], rt.dataDir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Sebutkan alasan pembatalan');
  }, 60_000);

  it('reassigns a task and delegates the next one to a Plh: old links die, the new person decides in their name', async () => {
    // Arrange: a Blitar case at L1, held by one of the two Penata Kelola.
    const caseId = await startCase(BLITAR, 'Kerja sama yang tugasnya dialihkan');
    const first = await openTask(caseId, 'L1');
    const oldLink = linkOf(await taskMail(caseId, 'L1', first.person.email));
    const other = first.person.id === 'penata-1' ? 'penata-2' : 'penata-1';
    const otherPerson = rt.app.catalog.pemda('kab-blitar').directory.person(other)!;
    const admin = sessionFor(rt, PRINCIPALS.adminBlitar);
    const reassign = (taskId: string, form: Record<string, string>) =>
      web(rt, `/konsol/kasus/${caseId}/tugas/${taskId}/alihkan`, {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, ...form },
      });

    // Act: reassign to the other Penata Kelola.
    const moved = await reassign(first.taskId, { orang: other, sebagai: '', alasan: 'Penata pertama sedang cuti' });

    // Assert: the old link is refused, the new person's emailed link works, the fact is recorded.
    expect(moved.status, moved.text).toBe(200);
    expect(moved.text).toContain('Tugas dialihkan');
    const refused = await fetch(oldLink);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Tautan untuk pejabat lain');
    const fact = (await rt.app.store.listHistory(caseId)).find((e) => e.type === 'tugas-dialihkan');
    expect(fact).toMatchObject({
      note: 'Penata pertama sedang cuti',
      who: { nama: PRINCIPALS.adminBlitar.nama },
      detail: { dari: { id: first.person.id }, kepada: { id: other }, alasan: 'Penata pertama sedang cuti' },
    });
    expect(await mailsOf(caseId, /^Tugas dialihkan/, first.person.email)).toHaveLength(1);
    const newLink = linkOf(await taskMail(caseId, 'L1', otherPerson.email));
    expect(newLink).not.toBe(oldLink);

    // Kembalikan needs its reason: refused without a note, then returned with one.
    const page = await fetch(newLink);
    expect(page.status).toBe(200);
    const form = parseTaskPage(await page.text());
    const withoutNote = await fetch(`${rt.urls.web}${form.action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: rt.urls.web },
      body: new URLSearchParams({ submissionId: form.submissionId, pilihan: 'tidak-lengkap', catatan: '' }).toString(),
    });
    expect(withoutNote.status).toBe(400);
    expect(await withoutNote.text()).toContain('Catatan wajib diisi');
    const note = 'Draf naskah belum ditandatangani pengusul; mohon dilengkapi';
    const returned = await actOnLink(newLink, () => ({ pilihan: 'tidak-lengkap', catatan: note }), {
      dataDir: rt.dataDir,
    });
    expect(returned.status, returned.html).toBe(200);
    const decided = (await rt.app.store.getTask(first.taskId))!;
    expect(decided.decision?.by).toMatchObject({ id: other, nama: otherPerson.nama });

    // The reason reaches whoever acts next: in the task email and on the task page.
    const second = await openTask(caseId, 'L1');
    expect(second.seq).toBe(first.seq + 1);
    const secondMail = await eventually(async () =>
      (await mailsOf(caseId, /^Tugas baru: L1 /, second.person.email)).find((m) => m.text?.includes('Putaran ke-2')),
    );
    expect(secondMail.text).toContain(`Catatan dari langkah sebelumnya: ${note}`);
    const secondLink = linkOf(secondMail);
    expect(await (await fetch(secondLink)).text()).toContain(note);

    // Act: delegate the returned task to the Kepala Bagian as Plh.
    const delegated = await reassign(second.taskId, {
      orang: 'kabag-tapem',
      sebagai: 'Plh',
      alasan: 'Kedua Penata Kelola sedang dinas luar',
    });

    // Assert: the Plh decides in their own name, as Plh. of the role's jabatan.
    expect(delegated.status, delegated.text).toBe(200);
    expect(delegated.text).toContain('Tugas didelegasikan kepada Plh');
    expect((await fetch(secondLink)).status).toBe(403);
    const kabag = rt.app.catalog.pemda('kab-blitar').directory.person('kabag-tapem')!;
    const plhMail = await taskMail(caseId, 'L1', kabag.email);
    expect(plhMail.text).toContain('Plh Penata Kelola Pemerintahan');
    const acted = await actOnLink(linkOf(plhMail), () => ({ pilihan: 'lengkap' }), { dataDir: rt.dataDir });
    expect(acted.status, acted.html).toBe(200);
    const byPlh = (await rt.app.store.getTask(second.taskId))!.decision!.by;
    expect(byPlh).toMatchObject({
      id: 'kabag-tapem',
      nama: kabag.nama,
      sebagai: 'Plh',
      jabatan: 'Penata Kelola Pemerintahan',
    });
    const decidedFact = (await rt.app.store.listHistory(caseId)).find(
      (e) => e.type === 'tugas-diputuskan' && e.seq === second.seq,
    );
    expect(decidedFact?.who?.nama).toBe(kabag.nama);

    // Refused: an unknown person, a bad "sebagai", a decided task.
    const l2 = await openTask(caseId, 'L2');
    expect((await reassign(l2.taskId, { orang: 'tidak-ada', sebagai: '', alasan: 'Coba orang lain' })).status).toBe(
      400,
    );
    expect((await reassign(l2.taskId, { orang: other, sebagai: 'Pj', alasan: 'Coba sebagai Pj' })).status).toBe(400);
    const late = await reassign(second.taskId, { orang: other, sebagai: '', alasan: 'Sudah terlambat' });
    expect(late.status).toBe(409);
    expect(late.text).toContain('sudah diputuskan');
  }, 90_000);

  it('completes a reassignment cut short after the task moved: the fact and both emails, once', async () => {
    // Arrange: a Blitar case at L1; the process "dies" right after the write that moved the task.
    const caseId = await startCase(BLITAR, 'Kerja sama yang pengalihannya terputus');
    const first = await openTask(caseId, 'L1');
    await taskMail(caseId, 'L1', first.person.email);
    const other = first.person.id === 'penata-1' ? 'penata-2' : 'penata-1';
    const otherPerson = rt.app.catalog.pemda('kab-blitar').directory.person(other)!;
    const admin = sessionFor(rt, PRINCIPALS.adminBlitar);
    const reassign = () =>
      web(rt, `/konsol/kasus/${caseId}/tugas/${first.taskId}/alihkan`, {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, orang: other, sebagai: '', alasan: 'Penata pertama sakit' },
      });
    const store = rt.app.store;
    const append = store.appendHistory.bind(store);
    store.appendHistory = async (event) => {
      if (event.eventKey.includes('#dialihkan#')) throw new Error('crash after the task moved');
      return append(event);
    };
    let crashed;
    try {
      crashed = await reassign();
    } finally {
      store.appendHistory = append;
    }
    expect(crashed.status).toBe(500);
    expect((await store.getTask(first.taskId))!.person.id).toBe(other);
    expect((await store.listHistory(caseId)).some((e) => e.type === 'tugas-dialihkan')).toBe(false);

    // Act: the administrator submits again.
    const retried = await reassign();
    const again = await reassign();

    // Assert: the fact as the first attempt meant it, the new link to the new person, the notice to the old one.
    expect(retried.status, retried.text).toBe(200);
    expect(again.status).toBe(200);
    const facts = (await store.listHistory(caseId)).filter((e) => e.type === 'tugas-dialihkan');
    expect(facts).toHaveLength(1);
    expect(facts[0]).toMatchObject({
      note: 'Penata pertama sakit',
      detail: { dari: { id: first.person.id }, kepada: { id: other } },
    });
    const newLink = linkOf(await taskMail(caseId, 'L1', otherPerson.email));
    expect((await fetch(newLink)).status).toBe(200);
    expect(await mailsOf(caseId, /^Tugas baru: L1 /, otherPerson.email)).toHaveLength(1);
    expect(await mailsOf(caseId, /^Tugas dialihkan/, first.person.email)).toHaveLength(1);
  }, 60_000);
});

/** The operator CLI as a child process, as an operator runs it. */
function sepakat(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
      ['cli/sepakat.ts', ...args, '--data-dir', dataDir],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}` },
        timeout: 30_000,
      },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}
