import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, submitPermohonan } from '../cli/drive.ts';
import type { AgreementJob } from '../core/agreement/agreement-jobs.ts';
import { CODE_LIMIT } from '../core/case/link-limits.ts';
import { maskEmail } from '../core/case/task-actions.ts';
import { agreementPathId } from '../functions/handlers/monitoring-routes.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { at, registerFinishedCase } from './support/agreements.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * Every mail failure is a fact (issue 16, item 1), on the embedded default with its real local services: the local
 * SES answers MessageRejected for the addresses of `SEPAKAT_LOCAL_SES_REJECT`, as the SES sandbox does for an
 * unverified one. The mail of an agreement's monitoring is recorded as `email-gagal` on the agreement's case, shown
 * on its page, and its job completes; a one-time code that could not be sent tells the official so, is recorded,
 * and does not count against the link's codes.
 */
const PEMDA = 'kab-blitar';
const NOMOR = '000.5.4/311/409.1.1/2026';

describe('mail failures are facts', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let now = at('2026-11-23 09:00');
  const clock = { now: () => now };

  beforeAll(async () => {
    rt = await startTestRuntime({ clock, schedulerIntervalMs: 0, linkTtlHours: 48 });
  });
  afterAll(async () => {
    delete process.env['SEPAKAT_LOCAL_SES_REJECT'];
    await rt?.cleanup();
  });
  const reject = (addresses: string[]) => (process.env['SEPAKAT_LOCAL_SES_REJECT'] = addresses.join(','));
  const accept = () => delete process.env['SEPAKAT_LOCAL_SES_REJECT'];
  const history = (caseId: string) => rt.app.store.listHistory(caseId);
  const post = async (url: string, body: Record<string, string> = {}) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin },
      body: new URLSearchParams(body).toString(),
    });
    return { status: res.status, text: await res.text() };
  };
  const plain = (html: string) =>
    html
      .replace(/<[^>]+>/g, ' ')
      .replace(/&#x27;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ');

  it('records a refused monitoring request and end reminder on the agreement, shows them, and completes the jobs', async () => {
    // Arrange: an agreement in force whose pelaksana and Bagian head SES refuses.
    const a = (await registerFinishedCase(rt, {
      caseId: '20261123-mailgagal1',
      nomor: NOMOR,
      createdAt: now,
      data: { 'naskah-tanggal': '2026-11-23', 'naskah-jangka-waktu': 1 },
    }))!;
    const people = rt.app.catalog.pemda(PEMDA).directory.data.people.map((p) => p.email);
    reject([a.pelaksana.email, ...people]);
    const job = (tahap: AgreementJob['tahap'], ke: number): AgreementJob => ({
      kind: 'pantau-perjanjian',
      pemdaId: PEMDA,
      nomor: NOMOR,
      tahap,
      ke,
    });
    const mailsBefore = (await readMailbox(rt.dataDir)).length;

    // Act: the first quarterly report is asked for, twice (a scheduler may hand a job over again), and an end reminder.
    now = at('2027-02-15 07:30');
    const first = await rt.app.agreements.runJob(job('laporan-minta', 1));
    const again = await rt.app.agreements.runJob(job('laporan-minta', 1));
    now = at('2027-08-24 07:30');
    const reminder = await rt.app.agreements.runJob({ ...job('pengingat-berakhir', 90), sampai: a.berakhir });

    // Assert: each job completed, saying the mail was refused; one fact per email, nothing said to have gone out.
    expect(first).toMatchObject({ result: 'email-ditolak' });
    expect(again).toMatchObject({ result: 'email-ditolak' });
    expect(reminder).toMatchObject({ result: 'ditolak' });
    expect((await readMailbox(rt.dataDir)).length).toBe(mailsBefore);
    const facts = await history(a.caseId);
    const failed = facts.filter((e) => e.type === 'email-gagal');
    expect(failed.map((e) => e.detail!['template']).sort()).toEqual([
      'perjanjian-laporan-diminta',
      'perjanjian-pengingat-berakhir',
    ]);
    const requestFailure = failed.find((e) => e.detail!['template'] === 'perjanjian-laporan-diminta')!;
    expect(requestFailure.detail!['to']).toEqual([a.pelaksana.email]);
    expect(String(requestFailure.detail!['alasan'])).toMatch(/MessageRejected/);
    expect(facts.some((e) => e.type === 'pengingat-terkirim')).toBe(false);
    // The report was still opened: its link waits for a resend once the address is fixed.
    expect((await rt.app.agreements.detail(PEMDA, NOMOR))!.items).toHaveLength(1);

    // The agreement's page says so, in Indonesian, naming the address.
    const { cookie } = sessionFor(rt, PRINCIPALS.adminBlitar);
    const page = await web(rt, `/konsol/perjanjian/${agreementPathId(NOMOR)}`, { cookie });
    expect(page.status).toBe(200);
    const text = plain(page.text);
    expect(text).toContain(`Email gagal dikirim ke ${a.pelaksana.email}: ditolak layanan email (MessageRejected)`);
    expect(text.match(/Email gagal dikirim ke/g)).toHaveLength(2);

    // Once the address is accepted, the job sends the request (the fact of the refusal stays in the history).
    accept();
    expect(await rt.app.agreements.runJob(job('laporan-minta', 1))).toMatchObject({ result: 'diminta' });
    expect((await history(a.caseId)).filter((e) => e.type === 'email-gagal')).toHaveLength(2);
  }, 60_000);

  it('tells the official a code could not be sent to their address, records it, and counts no code', async () => {
    // Arrange: a paraf task whose official's address SES refuses.
    now = at('2026-11-23 09:00');
    const { intakeId: caseId } = await submitPermohonan(rt, permohonanFor(rt, 'fixture-kerja-sama-pihak-ketiga'));
    const driven = await driveCase({ dataDir: rt.dataDir, caseId, pemohonEmail: PEMOHON.email, stopAt: 'L4.2' });
    const link = driven.stoppedAt!.link;
    const taskId = new URL(link).pathname.split('/')[2]!.split('.')[0]!;
    const task = (await rt.app.store.getTask(taskId))!;
    reject([task.person.email]);
    const codesBefore = (await readMailbox(rt.dataDir)).filter((m) => m.subject.startsWith('Kode konfirmasi')).length;

    // Act: more requests than the window allows, each refused by SES.
    const refused = [];
    for (let i = 0; i < CODE_LIMIT.max + 2; i++) refused.push(await post(`${link}/kode`));

    // Assert: each time the page says why, naming the (masked) address, and keeps the form.
    for (const r of refused) {
      expect(r.status).toBe(502);
      expect(plain(r.text)).toContain(
        `Kode tidak dapat dikirim ke ${maskEmail(task.person.email)}: alamat ditolak server email. Hubungi admin`,
      );
    }
    const codes = () => readMailbox(rt.dataDir).then((m) => m.filter((x) => x.subject.startsWith('Kode konfirmasi')));
    expect(await codes()).toHaveLength(codesBefore);
    // One fact for the link, however often asked; no code stored, none counted.
    const failed = (await history(caseId)).filter(
      (e) => e.type === 'email-gagal' && e.detail!['template'] === 'kode-otp',
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail!['to']).toEqual([task.person.email]);
    const stored = (await rt.app.store.getTask(taskId))!;
    expect(stored.otp).toBeUndefined();
    expect(stored.otpIssued ?? 0).toBe(0);

    // Once the address is accepted, the link still has its whole share of codes in the same window.
    accept();
    const granted = [];
    for (let i = 0; i < CODE_LIMIT.max; i++) granted.push((await post(`${link}/kode`)).status);
    expect(granted).toEqual(Array(CODE_LIMIT.max).fill(200));
    expect((await post(`${link}/kode`)).status).toBe(429);
    expect(await codes()).toHaveLength(codesBefore + CODE_LIMIT.max);

    // A fresh link to a refused address: the page says it was not sent (and why), and the case records it.
    reject([task.person.email]);
    const fresh = await post(`${link}/tautan-baru`);
    expect(fresh.status).toBe(502);
    expect(plain(fresh.text)).toContain(
      `Tautan baru tidak dapat dikirim ke ${maskEmail(task.person.email)}: alamat ditolak server email.`,
    );
    expect(
      (await history(caseId)).some((e) => e.type === 'email-gagal' && e.detail!['template'] === 'tautan-baru'),
    ).toBe(true);
  }, 60_000);

  it('shows an annual report whose email was refused on the archive page, with the reason, to download it there', async () => {
    // Arrange: the Bagian head's address is refused.
    const people = rt.app.catalog.pemda(PEMDA).directory.data.people.map((p) => p.email);
    reject(people);
    try {
      // Act: the report of 2026 is made; its email is refused, and the job completes all the same.
      expect(await rt.app.agreements.runJob({ kind: 'laporan-tahunan', pemdaId: PEMDA, tahun: 2026 })).toMatchObject({
        result: 'email-ditolak',
      });
    } finally {
      accept();
    }

    // Assert: the archive page lists it, says the email did not reach the Bagian and why, and links its download.
    const { cookie } = sessionFor(rt, PRINCIPALS.arsiparisBlitar);
    const page = await web(rt, '/arsip', { cookie });
    expect(page.status).toBe(200);
    const text = plain(page.text);
    expect(page.text).toContain('href="/konsol/perjanjian/laporan-tahunan/2026"');
    expect(page.text).toContain('data-email-ditolak');
    expect(text).toMatch(
      /Email laporan ini tidak sampai ke \S+: alamatnya ditolak layanan email\. Unduh laporannya dan sampaikan langsung kepada Kepala Bagian, lalu minta admin Sepakat memeriksa alamat Kepala Bagian .* Rincian penolakan ditolak layanan email \(MessageRejected\)/,
    );
    expect((await web(rt, '/konsol/perjanjian/laporan-tahunan/2026', { cookie })).status).toBe(302);
  }, 60_000);
});
