import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { actOnLink, driveCase, submitPermohonan, taskLinks } from '../cli/drive.ts';
import { DEFAULT_WORKING_HOURS } from '../core/calendar/calendar-schema.ts';
import { createWorkCalendar, parseCalendarYear } from '../core/calendar/work-calendar.ts';
import {
  DEFAULT_PENGINGAT,
  nextReminder,
  pendingReminderKeys,
  planReminders,
  PengingatSchema,
  workingTimeBefore,
} from '../core/case/reminders.ts';
import { DirectorySchema } from '../core/directory/directory.ts';
import { ErrorNames } from '../core/errors.ts';
import { stepTaskHandlers } from '../functions/handlers/step-task-handlers.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/** A WIB wall-clock time as an instant: at('2026-11-23 09:00') is Senin 09.00 WIB. */
const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);

const calendar = createWorkCalendar(
  [parseCalendarYear(JSON.parse(readFileSync(new URL('../config/calendar/2026.json', import.meta.url), 'utf8')))],
  DEFAULT_WORKING_HOURS,
);
const wib = (instant: Date) => {
  const l = calendar.toLocal(instant);
  return `${l.date} ${l.time}`;
};

describe('when the reminders of a task fall due', () => {
  const task = (opened: string, due: string | null, overdue = due) => ({
    taskId: 'AAAAAAAAAAAAAAAAAAAAAA',
    openedAt: at(opened).toISOString(),
    dueAt: due ? at(due).toISOString() : null,
    overdueAt: overdue ? at(overdue).toISOString() : null,
  });

  it('counts working hours back from the due time, across istirahat and the night before', () => {
    expect(wib(workingTimeBefore(calendar, at('2026-11-24 16:00'), 4 * 60))).toBe('2026-11-24 11:00');
    expect(wib(workingTimeBefore(calendar, at('2026-11-24 09:00'), 4 * 60))).toBe('2026-11-23 13:30');
    // From outside working hours: the count starts at the last closing (Friday 16.30).
    expect(wib(workingTimeBefore(calendar, at('2026-11-28 10:00'), 30))).toBe('2026-11-27 16:00');
  });

  it('reminds before the due time, at it and after it, and escalates, in working time', () => {
    // Arrange: opened Senin 09.00, due Selasa 16.00 (1 hari kerja).
    const cadence = PengingatSchema.parse({ setelahTerlambatJam: [8, 0], eskalasiSetelahTerlambatJam: 16 });

    // Act
    const plan = planReminders({
      task: task('2026-11-23 09:00', '2026-11-24 16:00'),
      waitsOnExternal: false,
      cadence,
      calendar,
    });

    // Assert: at the closing, "0 jam after" is the next opening; keys are one per fact.
    expect(plan.map((p) => [p.key, wib(p.at)])).toEqual([
      ['pengingat.AAAAAAAAAAAAAAAAAAAAAA.sebelum-jatuh-tempo', '2026-11-24 11:00'],
      ['pengingat.AAAAAAAAAAAAAAAAAAAAAA.terlambat.1', '2026-11-25 07:30'],
      ['pengingat.AAAAAAAAAAAAAAAAAAAAAA.terlambat.2', '2026-11-26 08:00'],
      ['pengingat.AAAAAAAAAAAAAAAAAAAAAA.eskalasi', '2026-11-27 08:30'],
    ]);
    expect(plan[1]!.job).toEqual({
      kind: 'pengingat-tugas',
      taskId: 'AAAAAAAAAAAAAAAAAAAAAA',
      stage: 'terlambat',
      ke: 1,
    });
  });

  it('chains the reminders in the order they fall due: the next after each, the one that may be waiting', () => {
    // Arrange: an escalation 16 jam after the due time comes before the overdue reminder 24 jam after it.
    const cadence = PengingatSchema.parse({ setelahTerlambatJam: [0, 24], eskalasiSetelahTerlambatJam: 16 });
    const plan = planReminders({
      task: task('2026-11-23 09:00', '2026-11-24 16:00'),
      waitsOnExternal: false,
      cadence,
      calendar,
    });
    const name = (key: string | undefined) => key?.replace('pengingat.AAAAAAAAAAAAAAAAAAAAAA.', '');

    // Assert
    expect(plan.map((p) => name(p.key))).toEqual(['sebelum-jatuh-tempo', 'terlambat.1', 'eskalasi', 'terlambat.2']);
    const later = at('2026-12-31 09:00');
    expect(name(nextReminder(plan, plan[1]!.key, later)?.key)).toBe('eskalasi');
    expect(nextReminder(plan, plan[3]!.key, later)).toBeUndefined();
    // A key the cadence no longer has: the chain goes on at the first reminder after now.
    expect(name(nextReminder(plan, 'pengingat.AAAAAAAAAAAAAAAAAAAAAA.lain', at('2026-11-25 09:00'))?.key)).toBe(
      'eskalasi',
    );
    expect(pendingReminderKeys(plan, at('2026-11-23 09:00')).map(name)).toEqual(['sebelum-jatuh-tempo']);
    expect(pendingReminderKeys(plan, at('2026-11-25 09:00')).map(name)).toEqual(['terlambat.1', 'eskalasi']);
    expect(pendingReminderKeys(plan, later).map(name)).toEqual(['terlambat.2']);
  });

  it('counts from the end of a Waktu range and skips a reminder that would come before the task opened', () => {
    const plan = planReminders({
      task: task('2026-11-23 09:00', '2026-11-23 11:00', '2026-11-23 14:00'),
      waitsOnExternal: false,
      cadence: DEFAULT_PENGINGAT,
      calendar,
    });
    expect(plan.map((p) => [p.job.stage, wib(p.at)])).toEqual([
      ['terlambat', '2026-11-23 14:00'],
      ['eskalasi', '2026-11-25 14:00'],
    ]);
  });

  it('turns a reminder off with null, and has none for a task without a due time', () => {
    const cadence = PengingatSchema.parse({ sebelumJatuhTempoJam: null, eskalasiSetelahTerlambatJam: null });
    const plan = planReminders({
      task: task('2026-11-23 09:00', '2026-11-25 16:00'),
      waitsOnExternal: false,
      cadence,
      calendar,
    });
    expect(plan.map((p) => p.job.stage)).toEqual(['terlambat']);
    expect(planReminders({ task: task('2026-11-23 09:00', null), waitsOnExternal: false, cadence, calendar })).toEqual(
      [],
    );
  });

  it('reminds the official who records an external party without Waktu after working days', () => {
    const plan = planReminders({
      task: task('2026-11-23 09:00', null),
      waitsOnExternal: true,
      cadence: DEFAULT_PENGINGAT,
      calendar,
    });
    expect(plan.map((p) => [p.job.stage, wib(p.at)])).toEqual([['menunggu-pihak-luar', '2026-11-30 09:00']]);
  });

  it('gives a pemda that configures nothing the default cadence, and refuses a malformed one naming the field', () => {
    const raw = parseYaml(readFileSync(new URL('../config/pemda/kota-contoh.yaml', import.meta.url), 'utf8')) as Record<
      string,
      unknown
    >;
    delete raw.pengingat;
    expect(DirectorySchema.parse(raw).pengingat).toEqual(DEFAULT_PENGINGAT);
    const bad = DirectorySchema.safeParse({ ...raw, pengingat: { setelahTerlambatJam: [-1] } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['pengingat', 'setelahTerlambatJam', 0]);
  });
});

/**
 * Reminders on the real local services, with the runtime's clock in the test's hands and the local scheduler
 * driven by runDue (no loop, no sleeps). The fixture SOP's L2 (Kasubbag, Mutu Baku 1 hari) opened Senin 09.00 WIB
 * is due Selasa 16.00; kota-contoh reminds 4 jam before, 0 and 8 jam after, and escalates 16 jam after.
 */
describe('reminders and escalation of open tasks', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let now = at('2026-11-23 09:00');
  const clock = { now: () => now };
  const SOP = 'fixture-kerja-sama-pihak-ketiga';
  const KASUBBAG = 'kasubbag.kerjasama@kota-contoh.test';
  const KABAG = 'kabag.kerjasama@kota-contoh.test';

  beforeAll(async () => {
    rt = await startTestRuntime({ clock, schedulerIntervalMs: 0 });
  });
  afterAll(async () => rt?.cleanup());

  async function caseAt(stopAt: string) {
    now = at('2026-11-23 09:00');
    const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, SOP));
    const driven = await driveCase({ dataDir: rt.dataDir, caseId: intakeId, pemohonEmail: PEMOHON.email, stopAt });
    return { caseId: intakeId, link: driven.stoppedAt!.link };
  }
  const taskOf = async (link: string) =>
    (await rt.app.store.getTask(new URL(link).pathname.split('/')[2]!.split('.')[0]!))!;
  const reminderMails = async (caseId: string) =>
    (await readMailbox(rt.dataDir)).filter(
      (m) =>
        m.text?.includes(`Nomor kasus: ${caseId}`) && /^(Pengingat|Tugas terlambat|Eskalasi|Menunggu)/.test(m.subject),
    );
  const reminderFacts = async (caseId: string) =>
    (await rt.app.store.listHistory(caseId)).filter(
      (e) => e.type === 'pengingat-terkirim' || e.type === 'eskalasi-terkirim',
    );
  /** The reminders of a task waiting in the scheduler (a chain: at most one). */
  const waitingOf = async (taskId: string) =>
    (await rt.scheduler.store.waiting())
      .filter((i) => i.job.kind === 'pengingat-tugas' && i.job.taskId === taskId)
      .map((i) => i.key.slice(`pengingat.${taskId}.`.length));
  const runDueAt = async (local: string) => {
    now = at(local);
    return rt.scheduler.runDue();
  };

  it('reminds before the due time, when overdue, then tells the atasan, each once however often it runs', async () => {
    // Arrange
    const { caseId, link } = await caseAt('L2');
    const task = await taskOf(link);
    expect(task.person.email).toBe(KASUBBAG);
    expect(await waitingOf(task.taskId)).toEqual(['sebelum-jatuh-tempo']);

    // Act and assert: nothing before the first reminder is due.
    await runDueAt('2026-11-23 10:00');
    expect(await reminderMails(caseId)).toHaveLength(0);

    // Selasa 11.00: 4 working hours before the due time, with the link the person already holds.
    await runDueAt('2026-11-24 11:00');
    let mails = await reminderMails(caseId);
    expect(mails.map((m) => m.subject)).toEqual([
      `Pengingat batas waktu: L2 Menelaah kelayakan permohonan kerja sama (${permohonanFor(rt, SOP).perihal})`,
    ]);
    expect(mails[0]!.to).toEqual([KASUBBAG]);
    expect(mails[0]!.text).toContain(
      'akan mencapai batas waktu Mutu Baku pada Selasa, 24 November 2026 pukul 16.00 WIB',
    );
    expect(taskLinks(mails[0]!)).toEqual([link]);

    // Running again, and several loops at once, sends nothing more.
    await rt.scheduler.runDue();
    await Promise.all([rt.scheduler.runDue(), rt.scheduler.runDue(), rt.scheduler.runDue()]);
    expect(await reminderMails(caseId)).toHaveLength(1);
    // The one that fired scheduled the next of the chain, once.
    expect(await waitingOf(task.taskId)).toEqual(['terlambat.1']);

    // Rabu 07.30: overdue since Selasa 16.00 (the next opening after the closing it was due at).
    await runDueAt('2026-11-25 07:30');
    mails = await reminderMails(caseId);
    expect(mails[1]!.subject).toMatch(/^Tugas terlambat: L2 /);
    expect(mails[1]!.to).toEqual([KASUBBAG]);
    expect(mails[1]!.text).toContain('telah melewati batas waktu Mutu Baku (Selasa, 24 November 2026 pukul 16.00 WIB)');

    // Kamis 08.00: the second overdue reminder, a working day and a half hour late.
    await runDueAt('2026-11-26 08:00');
    mails = await reminderMails(caseId);
    expect(mails).toHaveLength(3);
    expect(mails[2]!.text).toContain('terlambat 1 hari 30 menit waktu kerja');

    // Jumat 08.30: the atasan (Kepala Bagian) is told who, which case, which step, how late; no task link.
    await Promise.all([runDueAt('2026-11-27 08:30'), rt.scheduler.runDue(), rt.scheduler.runDue()]);
    mails = await reminderMails(caseId);
    expect(mails).toHaveLength(4);
    const eskalasi = mails[3]!;
    expect(eskalasi.to).toEqual([KABAG]);
    expect(eskalasi.subject).toMatch(/^Eskalasi tugas terlambat: L2 .*Maya Sari/);
    expect(eskalasi.text).toContain('Yth. Hendra Gunawan, S.H., M.H., Kepala Bagian Kerjasama');
    expect(eskalasi.text).toContain('Pelaksana: Maya Sari, S.IP., Kepala Subbagian Kerjasama Dalam Negeri');
    expect(eskalasi.text).toContain(`Nomor kasus: ${caseId}`);
    expect(eskalasi.text).toContain('Langkah 2 — Menelaah kelayakan permohonan kerja sama');
    expect(eskalasi.text).toContain('terlambat 2 hari 1 jam waktu kerja');
    expect(taskLinks(eskalasi)).toEqual([]);
    expect(await waitingOf(task.taskId)).toEqual([]);

    // Every reminder is one fact in the history; the link was not renewed.
    const facts = await reminderFacts(caseId);
    expect(facts.map((f) => [f.type, f.detail?.tahap, f.detail?.ke ?? null, f.seq])).toEqual([
      ['pengingat-terkirim', 'sebelum-jatuh-tempo', null, task.seq],
      ['pengingat-terkirim', 'terlambat', 1, task.seq],
      ['pengingat-terkirim', 'terlambat', 2, task.seq],
      ['eskalasi-terkirim', 'eskalasi', null, task.seq],
    ]);
    expect(facts[3]!.detail).toMatchObject({ kepada: [KABAG], atasan: { id: 'kabag-ks' }, terlambatMenitKerja: 960 });
    expect((await taskOf(link)).linkVersion).toBe(1);
    const emailFacts = (await rt.app.store.listHistory(caseId)).filter(
      (e) => e.type === 'email-terkirim' && e.eventKey.includes('#pengingat#'),
    );
    expect(emailFacts).toHaveLength(4);
    // The metrics (core/metrics.ts): one task gone overdue (its first overdue reminder), one escalated, by pemda
    // and SOP, however often the schedule ran.
    const count = (name: string) =>
      rt.metrics.snapshot().find((c) => c.name === name && c.pemda === 'kota-contoh' && c.sop === SOP)?.total;
    expect([count('TasksOverdue'), count('TasksEscalated')]).toEqual([1, 1]);
  });

  it('sends nothing for the reminders of a task that was decided, and cancels those not yet due', async () => {
    // Arrange: L1 was decided at once by the driver; L2 is decided now, Senin 09.00.
    const { caseId, link } = await caseAt('L2');
    const l2 = await taskOf(link);
    const l1 = (await rt.app.store.listTasks({ caseId })).find((t) => t.node === 'L1')!;
    const result = await actOnLink(link, () => ({ pilihan: 'layak' }), { dataDir: rt.dataDir });
    expect(result.status).toBe(200);
    expect(await waitingOf(l2.taskId)).toEqual([]);

    // Act: past every reminder of L1 and L2 (but before L3's).
    await runDueAt('2026-11-27 09:00');

    // Assert
    expect(await reminderMails(caseId)).toHaveLength(0);
    expect(await reminderFacts(caseId)).toHaveLength(0);
    const store = rt.scheduler.store;
    // The decision cancelled the one reminder L2 had waiting (its first: each schedules the next when it fires).
    const l2First = await store.get(`pengingat.${l2.taskId}.sebelum-jatuh-tempo`);
    expect(l2First).toMatchObject({ state: 'cancelled' });
    // Nothing of either task fired or is left waiting.
    for (const t of [l1, l2]) {
      const items = await Promise.all(
        ['sebelum-jatuh-tempo', 'terlambat.1', 'terlambat.2', 'eskalasi'].map((s) =>
          store.get(`pengingat.${t.taskId}.${s}`),
        ),
      );
      for (const item of items.filter((i) => i !== undefined)) expect(['done', 'cancelled']).toContain(item.state);
    }
    const ofTasks = (await store.waiting()).filter(
      (i) => i.job.kind === 'pengingat-tugas' && (i.job.taskId === l1.taskId || i.job.taskId === l2.taskId),
    );
    expect(ofTasks).toEqual([]);

    // A reminder that escaped the cancel (a scheduler far behind) sends nothing and schedules nothing.
    const escaped = await stepTaskHandlers(rt.app).runSchedule(l2First!.job);
    expect(escaped).toEqual({ kind: 'pengingat-tugas', result: 'tugas-tidak-terbuka' });
    expect(await reminderMails(caseId)).toHaveLength(0);
    expect(await store.get(`pengingat.${l2.taskId}.terlambat.1`)).toBeUndefined();
  });

  it('reminds the official who records an external party at its perkiraan selesai, offering a fresh link when the link expired', async () => {
    // Arrange: L3 waits on the pengusul (14 hari kalender); the Kasubbag records its answer. Opened Senin 23
    // November 09.00: expected Senin 7 Desember at the closing of working hours, a perkiraan, not a deadline.
    const { caseId, link } = await caseAt('L2');
    await actOnLink(link, () => ({ pilihan: 'layak' }), { dataDir: rt.dataDir });
    const l3 = await eventually(async () => (await rt.app.store.listTasks({ caseId })).find((t) => t.node === 'L3'));
    expect(l3).toMatchObject({ dueAt: at('2026-12-07 16:00').toISOString(), dueEstimate: true });
    await eventually(() => rt.scheduler.store.get(`pengingat.${l3.taskId}.menunggu-pihak-luar`));
    // Its task email says so, and names no deadline of the official's.
    // (Scheduled before the task email is sent.)
    const taskMail = await eventually(async () =>
      (await readMailbox(rt.dataDir)).find(
        (m) => m.text?.includes(`Nomor kasus: ${caseId}`) && m.subject.startsWith('Tugas baru: L3 '),
      ),
    );
    expect(taskMail.text).toContain('Perkiraan selesai (Mutu Baku 14 hari kalender, waktu Pihak Ketiga (pengusul)');
    expect(taskMail.text).not.toContain('Batas waktu');

    // Act: not after five working days any more (the fixed cadence is for waits without Waktu); at the next
    // opening after the perkiraan, Selasa 8 Desember 07.30. The 7-day link has expired by then.
    await runDueAt('2026-11-30 09:00');
    await runDueAt('2026-12-07 15:59');
    expect(await reminderMails(caseId)).toHaveLength(0);
    await runDueAt('2026-12-08 07:30');

    // Assert
    const mails = await reminderMails(caseId);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/^Menunggu jawaban Pihak Ketiga \(pengusul\): L3 /);
    expect(mails[0]!.to).toEqual([KASUBBAG]);
    expect(mails[0]!.text).toContain('sudah menunggu jawaban dari Pihak Ketiga (pengusul) selama');
    expect(mails[0]!.text).toContain('diperkirakan selesai Senin, 7 Desember 2026 pukul 16.00 WIB');
    expect(mails[0]!.text).toContain('Tautan tugas Anda sudah kedaluwarsa');
    expect(taskLinks(mails[0]!)).toEqual([]);
    expect((await reminderFacts(caseId)).map((f) => f.detail?.tahap)).toEqual(['menunggu-pihak-luar']);
    expect((await rt.app.store.getTask(l3.taskId))!.linkVersion).toBe(1);
  });

  it('completes a reminder whose email went out just before a crash, without sending it again', async () => {
    // Arrange: the email of L2's first reminder is recorded, its fact is not (the process died in between); the
    // task has been decided since.
    const { caseId, link } = await caseAt('L2');
    const task = await taskOf(link);
    const factKey = `${String(task.seq).padStart(5, '0')}#pengingat#sebelum-jatuh-tempo`;
    await rt.app.store.appendHistory({
      caseId,
      eventKey: `${factKey}#email`,
      type: 'email-terkirim',
      at: at('2026-11-24 11:00').toISOString(),
      detail: { to: [KASUBBAG], template: 'pengingat' },
    });
    await actOnLink(link, () => ({ pilihan: 'layak' }), { dataDir: rt.dataDir });
    now = at('2026-11-24 11:05');

    // Act
    const outcome = await rt.app.runtime.remindTask({
      kind: 'pengingat-tugas',
      taskId: task.taskId,
      stage: 'sebelum-jatuh-tempo',
    });

    // Assert
    expect(outcome).toBe('sudah-terkirim');
    expect(await reminderMails(caseId)).toHaveLength(0);
    expect(await rt.app.store.getHistory(caseId, factKey)).toMatchObject({
      type: 'pengingat-terkirim',
      at: at('2026-11-24 11:00').toISOString(),
      detail: { tahap: 'sebelum-jatuh-tempo' },
    });
  });

  it('refuses a malformed job at the handler, naming the field', async () => {
    const handlers = stepTaskHandlers(rt.app);
    await expect(
      handlers.runSchedule({ kind: 'pengingat-tugas', taskId: 'pendek', stage: 'sebelum-jatuh-tempo' }),
    ).rejects.toMatchObject({ name: ErrorNames.BadInput, message: expect.stringContaining('taskId') });
    await expect(handlers.runSchedule({ kind: 'lain' })).rejects.toMatchObject({ name: ErrorNames.BadInput });
    expect(
      await handlers.runSchedule({ kind: 'pengingat-tugas', taskId: 'AAAAAAAAAAAAAAAAAAAAAA', stage: 'eskalasi' }),
    ).toEqual({ kind: 'pengingat-tugas', result: 'tugas-tidak-terbuka' });
  });
});
