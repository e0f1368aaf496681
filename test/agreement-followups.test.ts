import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementJobKey, type AgreementJob } from '../core/agreement/agreement-jobs.ts';
import { agreementPathId } from '../functions/handlers/monitoring-routes.ts';
import { readMailbox, type StoredMail } from '../local/ses/local-ses.ts';
import { sessionFor, web, PRINCIPALS } from './support/console.ts';
import { startTestRuntime } from './support/runtime.ts';
import { at, fireDue, registerFinishedCase } from './support/agreements.ts';

/**
 * What the monitoring of an agreement does after its links went out, on the real local services with the runtime's
 * clock in the test's hands (the scheduler fires only through runDue): a missed monev reminded and escalated, an
 * expired link renewed from its own page, and an adendum that moves the end of the term.
 */
const PEMDA = 'kab-blitar';
const SOP = 'blitar-pengkoordinasian-nota-kesepakatan';
const ASISTEN = 'asisten1@blitarkab.test';

describe('monitoring after signing: missed monev, renewed links, an adendum that changes the term', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let now = at('2026-11-23 09:00');
  const clock = { now: () => now };
  /** Two-year agreements: the first misses its monev, the second records it in time. */
  const MISSED = '000.5.4/201/409.1.1/2026';
  const ON_TIME = '000.5.4/202/409.1.1/2026';
  /** A one-year agreement whose term an adendum extends. */
  const EXTENDED = '000.5.4/203/409.1.1/2026';

  beforeAll(async () => {
    rt = await startTestRuntime({ clock, schedulerIntervalMs: 0 });
  });
  afterAll(async () => rt?.cleanup());

  async function fireAt(when: string) {
    now = at(when);
    await fireDue(rt, now);
  }
  const mails = async (filter: (m: StoredMail) => boolean) => (await readMailbox(rt.dataDir)).filter(filter);
  const about = (n: string) => (m: StoredMail) => !!m.text?.includes(n);
  const pantauPath = (m: StoredMail) => new URL(m.links.find((l) => l.includes('/pantau/'))!).pathname;
  const job = (nomor: string, tahap: AgreementJob['tahap'], extra: Partial<AgreementJob> = {}): AgreementJob => ({
    kind: 'pantau-perjanjian',
    pemdaId: PEMDA,
    nomor,
    tahap,
    ...extra,
  });
  const key = (nomor: string, tahap: AgreementJob['tahap'], extra: Partial<AgreementJob> = {}) =>
    agreementJobKey(job(nomor, tahap, extra));

  /** A finished case whose signed naskah carries `nomor` (the `daftar` step's registration path). */
  const fixture = async (nomor: string, suffix: string, data: Record<string, unknown>) =>
    (await registerFinishedCase(rt, {
      caseId: `20261123-ikut${suffix}`,
      nomor,
      createdAt: now,
      data: { 'naskah-tanggal': '2026-11-23', ...data },
    }))!;

  it('reminds a missed monev the next working day and escalates it once; a monev recorded in time stops both', async () => {
    // Arrange: monev 1 of both covers 23 November 2026 – 22 May 2027 and falls due on Senin 24 May 2027.
    await fixture(MISSED, 'aaaaaa', { 'naskah-jangka-waktu': 2 });
    await fixture(ON_TIME, 'bbbbbb', { 'naskah-jangka-waktu': 2 });
    await fixture(EXTENDED, 'cccccc', { 'naskah-jangka-waktu': 1 });
    // The annual reports are another test's concern (they need the PDF renderer).
    for (const tahun of [2026, 2027, 2028]) await rt.scheduler.store.cancel(`laporan-tahunan.${PEMDA}.${tahun}`);
    await fireAt('2027-05-10 07:30');
    const [request] = await mails((m) => m.subject.startsWith('Monitoring dan evaluasi:') && about(MISSED)(m));
    const [onTime] = await mails((m) => m.subject.startsWith('Monitoring dan evaluasi:') && about(ON_TIME)(m));
    now = at('2027-05-20 10:00');
    const recorded = await web(rt, pantauPath(onTime!), {
      form: { submissionId: 'monev-tepat', tanggal: '2027-05-19', rekomendasi: 'dilanjutkan' },
    });
    expect(recorded.status).toBe(200);
    expect((await rt.scheduler.store.get(key(ON_TIME, 'monev-terlambat', { ke: 1 })))?.state).toBe('cancelled');
    expect((await rt.scheduler.store.get(key(ON_TIME, 'monev-eskalasi', { ke: 1 })))?.state).toBe('cancelled');

    // Act: the next working day after the due date, then five working days after it, then later again.
    await fireAt('2027-05-25 07:30');
    const reminders = await mails((m) => m.subject.startsWith('Monitoring dan evaluasi terlambat') && about(MISSED)(m));
    await fireAt('2027-05-31 07:30');
    await fireAt('2027-06-02 07:30');

    // Assert: the reminder went to whom the monev link went, with the link; the escalation to the atasan, without.
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.to).toEqual(request!.to);
    expect(pantauPath(reminders[0]!)).toBe(pantauPath(request!));
    const escalations = await mails(
      (m) => m.subject.startsWith('Eskalasi monitoring dan evaluasi') && about(MISSED)(m),
    );
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.to).toEqual([ASISTEN]);
    expect(escalations[0]!.text).not.toContain('/pantau/');
    // A job handed over twice sends nothing twice.
    expect(await rt.app.agreements.runJob(job(MISSED, 'monev-terlambat', { ke: 1 }))).toMatchObject({
      result: 'sudah-terkirim',
    });
    expect(await rt.app.agreements.runJob(job(MISSED, 'monev-eskalasi', { ke: 1 }))).toMatchObject({
      result: 'sudah-terkirim',
    });
    expect(
      await mails((m) => /^(Eskalasi m|M)onitoring dan evaluasi terlambat/.test(m.subject) && about(MISSED)(m)),
    ).toHaveLength(2);
    expect(await mails((m) => m.subject.startsWith('Eskalasi monitoring') && about(MISSED)(m))).toHaveLength(1);
    const missedCase = (await rt.app.agreements.get(PEMDA, MISSED))!.caseId;
    const facts = await rt.app.store.listHistory(missedCase);
    expect(facts.filter((e) => e.type === 'pengingat-terkirim' && e.detail?.tahap === 'monev-terlambat')).toHaveLength(
      1,
    );
    expect(facts.filter((e) => e.type === 'eskalasi-terkirim' && e.detail?.tahap === 'monev-eskalasi')).toHaveLength(1);
    for (const e of facts) expect(e.eventKey.length).toBeLessThanOrEqual(64);
    // The monev that came in on time: nothing sent, and a stray job finds it recorded.
    expect(await mails((m) => /monitoring dan evaluasi terlambat/i.test(m.subject) && about(ON_TIME)(m))).toHaveLength(
      0,
    );
    expect(await rt.app.agreements.runJob(job(ON_TIME, 'monev-terlambat', { ke: 1 }))).toMatchObject({
      result: 'sudah-diterima',
    });
  }, 60_000);

  it('renews an expired monev link only to the address it is bound to, at most three times', async () => {
    // The link of monev 1 lived 60 days after its due date (until 23 July 2027).
    const [request] = await mails((m) => m.subject.startsWith('Monitoring dan evaluasi:') && about(MISSED)(m));
    const bound = request!.to;
    now = at('2027-07-26 09:00');
    let link = pantauPath(request!);
    const expired = await web(rt, link);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('Kirim tautan baru');
    expect(expired.text).toContain(`action="${link}/tautan-baru"`);
    // GET only shows: nothing was sent by opening the page.
    expect(await mails((m) => m.subject.startsWith('Tautan baru:'))).toHaveLength(0);
    // Another site cannot make the browser ask for it.
    expect((await web(rt, `${link}/tautan-baru`, { form: {}, origin: 'https://jahat.example' })).status).toBe(403);

    for (let renewal = 1; renewal <= 3; renewal++) {
      // Act
      const renewed = await web(rt, `${link}/tautan-baru`, { form: {} });

      // Assert: sent to the bound person only; the old link is dead, the new one opens the form.
      expect(renewed.status).toBe(200);
      expect(renewed.text).toContain('Tautan baru dikirim');
      const sent = await mails((m) => m.subject.startsWith('Tautan baru:') && about(MISSED)(m));
      expect(sent).toHaveLength(renewal);
      expect(sent.at(-1)!.to).toEqual(bound);
      const fresh = pantauPath(sent.at(-1)!);
      expect(fresh).not.toBe(link);
      const old = await web(rt, link);
      expect(old.status).toBe(410);
      expect(old.text).toContain('sudah diganti');
      expect((await web(rt, `${link}/tautan-baru`, { form: {} })).status).toBe(410);
      const page = await web(rt, fresh);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Hasil monitoring dan evaluasi');
      link = fresh;
      // The renewed link lives 14 days; then it expires too.
      now = new Date(now.getTime() + 15 * 24 * 3600_000);
    }
    const limit = await web(rt, `${link}/tautan-baru`, { form: {} });
    expect(limit.status).toBe(429);
    expect(limit.text).toContain('Batas tautan baru tercapai');
    expect(await mails((m) => m.subject.startsWith('Tautan baru:'))).toHaveLength(3);
    const caseId = (await rt.app.agreements.get(PEMDA, MISSED))!.caseId;
    const facts = (await rt.app.store.listHistory(caseId)).filter((e) => e.type === 'tautan-diperbarui');
    expect(facts.map((e) => e.detail?.linkVersion)).toEqual([2, 3, 4]);
    for (const e of facts) expect(e.detail?.kepada).toEqual(bound);
  }, 60_000);

  it('moves the end of the term when the adendum says so, rescheduling the end reminders and the expiry', async () => {
    now = at('2027-07-27 09:00');
    const a = (await rt.app.agreements.get(PEMDA, EXTENDED))!;
    expect(a.berakhir).toBe('2027-11-22');
    const admin = sessionFor(rt, PRINCIPALS.adminBlitar);
    // A new end that is not later is refused with the reason; nothing is started.
    const bad = await web(rt, '/konsol/perjanjian/adendum', {
      cookie: admin.cookie,
      form: { _csrf: admin.csrf, nomor: EXTENDED, sopId: SOP, submissionId: 'jangka-1', berakhirBaru: '2027-10-01' },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Tanggal berakhir baru harus sesudah 22 November 2027');
    expect((await rt.app.store.listCases()).filter((c) => c.data['adendum-dari'] === EXTENDED)).toHaveLength(0);
    const page = await web(rt, `/konsol/perjanjian/${agreementPathId(EXTENDED)}`, { cookie: admin.cookie });
    expect(page.text).toContain('berakhir-baru');
    const started = await web(rt, '/konsol/perjanjian/adendum', {
      cookie: admin.cookie,
      form: { _csrf: admin.csrf, nomor: EXTENDED, sopId: SOP, submissionId: 'jangka-1', berakhirBaru: '2028-11-22' },
    });
    expect(started.status).toBe(200);
    const adendumCase = /Kasus adendum (\d{8}-[a-z2-7]{10}) dimulai/.exec(started.text)![1]!;
    expect((await rt.app.store.getCase(adendumCase))?.data['berakhir-baru']).toBe('2028-11-22');
    const oldExpiry = key(EXTENDED, 'berakhir', { sampai: '2027-11-22' });
    const oldReminder = key(EXTENDED, 'pengingat-berakhir', { ke: 90, sampai: '2027-11-22' });
    expect((await rt.scheduler.store.get(oldExpiry))?.state).toBe('pending');

    // Act: the adendum's naskah is signed and numbered (the fixture path of the `daftar` step), twice.
    const adendumNomor = '000.5.4/040/409.1.1/2027';
    await rt.app.store.setCaseData(adendumCase, { 'nomor-naskah': adendumNomor, 'naskah-tanggal': '2027-07-27' });
    await rt.app.agreements.registerCase(adendumCase);
    await rt.app.agreements.registerCase(adendumCase);

    // Assert: one conditional update moved the end; the old end's jobs are cancelled, the new ones pending.
    const moved = (await rt.app.agreements.get(PEMDA, EXTENDED))!;
    expect(moved).toMatchObject({
      berakhir: '2028-11-22',
      version: a.version + 1,
      status: 'berlaku',
      adendum: [adendumNomor],
      perubahanJangka: { adendum: adendumNomor, berakhirSebelumnya: '2027-11-22' },
    });
    expect((await rt.scheduler.store.get(oldExpiry))?.state).toBe('cancelled');
    expect((await rt.scheduler.store.get(oldReminder))?.state).toBe('cancelled');
    expect(await rt.scheduler.store.get(key(EXTENDED, 'berakhir', { sampai: '2028-11-22' }))).toMatchObject({
      state: 'pending',
      at: at('2028-11-23 00:00').toISOString(),
    });
    expect(
      (await rt.scheduler.store.get(key(EXTENDED, 'pengingat-berakhir', { ke: 90, sampai: '2028-11-22' })))?.state,
    ).toBe('pending');
    // The first report the added year brings (report 5: 23 November 2027 – 22 February 2028) is requested in time.
    expect((await rt.scheduler.store.get(key(EXTENDED, 'laporan-minta', { ke: 5 })))?.state).toBe('pending');
    const facts = (await rt.app.store.listHistory(a.caseId)).filter((e) => e.detail?.jangkaDiubah === adendumNomor);
    expect(facts).toHaveLength(1);
    expect(facts[0]!.detail).toMatchObject({ berakhirSebelumnya: '2027-11-22', berakhir: '2028-11-22' });
    const after = await web(rt, `/konsol/perjanjian/${agreementPathId(EXTENDED)}`, { cookie: admin.cookie });
    expect(after.text).toContain('22 November 2028');
    expect(after.text).toContain('Jangka waktu diubah dengan adendum Nomor');

    // The old end passes: a stray expiry of the old term does nothing, and the agreement stays in force.
    now = at('2027-11-23 00:00');
    expect(await rt.app.agreements.runJob(job(EXTENDED, 'berakhir', { sampai: '2027-11-22' }))).toMatchObject({
      result: 'jangka-waktu-berubah',
    });
    expect((await rt.app.agreements.get(PEMDA, EXTENDED))?.status).toBe('berlaku');

    // An adendum without a new end changes nothing.
    await fixture('000.5.4/041/409.1.1/2027', 'dddddd', { 'adendum-dari': EXTENDED, 'naskah-jangka-waktu': 1 });
    expect(await rt.app.agreements.get(PEMDA, EXTENDED)).toMatchObject({
      berakhir: '2028-11-22',
      version: a.version + 1,
    });
  }, 60_000);
});
