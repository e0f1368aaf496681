import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, parseTaskPage, submitPermohonan, taskLinks } from '../cli/drive.ts';
import { CODE_LIMIT, FRESH_LINK_LIMIT } from '../core/case/link-limits.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * Whoever holds a task link cannot lock its official out of one-time codes: at most 5 codes per link in 15 minutes
 * (not per lifetime), a refusal that says when the next code can be asked for, and a fresh link sent only to the
 * bound address (at most 3 per task in an hour) that starts with a clean code count. Over HTTP against the embedded
 * runtime, its clock injected.
 */
describe('one-time codes of a task link, bounded in time', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let now = new Date('2026-11-23T02:00:00Z'); // Senin 09.00 WIB
  const clock = { now: () => now };
  const later = (ms: number) => (now = new Date(now.getTime() + ms));

  beforeAll(async () => {
    rt = await startTestRuntime({ clock, linkTtlHours: 48 });
  });
  afterAll(async () => rt?.cleanup());

  async function newCaseAt(stopAt: string) {
    const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, 'fixture-kerja-sama-pihak-ketiga'));
    const driven = await driveCase({ dataDir: rt.dataDir, caseId: intakeId, pemohonEmail: PEMOHON.email, stopAt });
    const link = driven.stoppedAt!.link;
    return { caseId: intakeId, link, task: await taskOf(link) };
  }
  const taskIdOf = (link: string) => new URL(link).pathname.split('/')[2]!.split('.')[0]!;
  const taskOf = async (link: string) => (await rt.app.store.getTask(taskIdOf(link)))!;
  const post = async (url: string, body: Record<string, string> = {}) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin },
      body: new URLSearchParams(body).toString(),
    });
    return { status: res.status, text: await res.text() };
  };
  const askCode = (link: string) => post(`${link}/kode`);
  /** The messages the local SES kept since `before`, by subject. */
  const mailSince = async (before: number, subject: RegExp) =>
    (await readMailbox(rt.dataDir)).slice(before).filter((m) => subject.test(m.subject));
  const mailCount = async () => (await readMailbox(rt.dataDir)).length;
  const codeOf = (text: string | null | undefined) => /^\s*(\d{6})\s*$/m.exec(text ?? '')![1]!;
  const inZone = async (caseId: string, at: Date) =>
    rt.app.catalog.pemda((await rt.app.store.getCase(caseId))!.pemdaId).formatDateTime(at);
  /** A text of the page with its markup and the entities the templates escape undone. */
  const plain = (html: string) =>
    html
      .replace(/<[^>]+>/g, ' ')
      .replace(/&#x27;/g, "'")
      .replace(/&#x3D;/g, '=')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ');

  it('grants 5 codes, then refuses saying in the pemda’s time when the next can be asked for; after 15 minutes codes work again', async () => {
    // Arrange
    const { caseId, link, task } = await newCaseAt('L4.2');
    const windowStart = new Date(now);
    const before = await mailCount();

    // Act: five codes over ten minutes, then a sixth.
    const granted = [];
    for (let i = 0; i < CODE_LIMIT.max; i++) {
      granted.push((await askCode(link)).status);
      later(2 * 60_000);
    }
    const refused = await askCode(link);

    // Assert
    expect(granted).toEqual([200, 200, 200, 200, 200]);
    const codes = await mailSince(before, /^Kode konfirmasi/);
    expect(codes).toHaveLength(5);
    expect(new Set(codes.flatMap((m) => m.to))).toEqual(new Set([task.person.email]));
    expect(refused.status).toBe(429);
    const page = plain(refused.text);
    expect(page).toContain('Batas permintaan kode tercapai');
    const nextAt = await inZone(caseId, new Date(windowStart.getTime() + CODE_LIMIT.windowMs));
    expect(nextAt).toMatch(/WIB$/);
    expect(page).toContain(`Kode berikutnya dapat diminta mulai ${nextAt}`);
    // The way out: a fresh link, by POST, to the bound address only, bounded too.
    expect(refused.text).toMatch(new RegExp(`<form method="post" action="${new URL(link).pathname}/tautan-baru">`));
    expect(page).toContain('Kirim tautan baru ke email saya');
    expect(page).toContain(`Paling banyak ${FRESH_LINK_LIMIT.max} tautan baru dalam satu jam`);
    expect(await mailSince(before, /^Kode konfirmasi/)).toHaveLength(5);

    // Act, assert: still refused a second before the window ends; granted at its end, and the code decides.
    now = new Date(windowStart.getTime() + CODE_LIMIT.windowMs - 1000);
    expect((await askCode(link)).status).toBe(429);
    now = new Date(windowStart.getTime() + CODE_LIMIT.windowMs);
    const afterWindow = await mailCount();
    expect((await askCode(link)).status).toBe(200);
    const [fresh] = await mailSince(afterWindow, /^Kode konfirmasi/);
    const form = parseTaskPage(await (await fetch(link)).text());
    const decided = await post(link, { submissionId: form.submissionId, pilihan: 'lanjut', kode: codeOf(fresh?.text) });
    expect(decided.status).toBe(200);
    expect(plain(decided.text)).toContain('Keputusan tercatat');
  });

  it('issues at most 5 codes for 50 requests arriving at once', async () => {
    // Arrange
    const { link, task } = await newCaseAt('L4.2');
    const before = await mailCount();

    // Act
    const statuses = await Promise.all(Array.from({ length: 50 }, () => askCode(link).then((r) => r.status)));

    // Assert: five granted, the rest refused, five messages in the mailbox, all to the bound address.
    expect(statuses.filter((s) => s === 200)).toHaveLength(CODE_LIMIT.max);
    expect(statuses.filter((s) => s === 429)).toHaveLength(50 - CODE_LIMIT.max);
    const codes = await mailSince(before, /^Kode konfirmasi/);
    expect(codes).toHaveLength(CODE_LIMIT.max);
    expect(codes.every((m) => m.to.length === 1 && m.to[0] === task.person.email)).toBe(true);
    expect((await taskOf(link)).otpIssued).toBe(CODE_LIMIT.max);
  });

  it('sends a fresh link to the bound address only; the old link answers "diganti"; the fresh one asks for codes again', async () => {
    // Arrange: the codes of the link used up.
    const { caseId, link, task } = await newCaseAt('L4.2');
    for (let i = 0; i < CODE_LIMIT.max; i++) expect((await askCode(link)).status).toBe(200);
    expect((await askCode(link)).status).toBe(429);
    const before = await mailCount();

    // Act
    const renewed = await post(`${link}/tautan-baru`);

    // Assert: one message, to the bound person only, with a link one version on.
    expect(renewed.status).toBe(200);
    const sent = await mailSince(before, /^Tautan baru/);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toEqual([task.person.email]);
    const freshLink = taskLinks(sent[0]!)[0]!;
    // No other message carries it.
    const token = new URL(freshLink).pathname.split('/')[2]!;
    expect((await mailSince(before, /./)).filter((m) => m.text?.includes(token))).toHaveLength(1);
    expect(taskIdOf(freshLink)).toBe(task.taskId);
    expect(new URL(freshLink).pathname.split('.')[1]).toBe(String(task.linkVersion + 1));
    expect(plain(renewed.text)).toContain('Tautan lama tidak berlaku lagi');
    // The old link is dead, for the page and for codes.
    const old = await fetch(link);
    expect(old.status).toBe(410);
    expect(await old.text()).toContain('Tautan sudah diganti');
    expect((await askCode(link)).status).toBe(410);
    // The fresh link starts with a clean code count.
    const fresh = await askCode(freshLink);
    expect(fresh.status).toBe(200);
    expect((await taskOf(freshLink)).otpIssued).toBe(1);
    // The fresh link is a fact in the case history, as a renewal of an expired link is.
    const facts = (await rt.app.store.listHistory(caseId)).filter((e) => e.type === 'tautan-diperbarui');
    expect(facts).toHaveLength(1);
    expect(facts[0]).toMatchObject({ node: 'L4.2', who: { id: task.person.id } });
  });

  it('sends at most 3 fresh links per task in an hour, says when the next can be asked for, then sends again', async () => {
    // Arrange
    const { caseId, link: first, task } = await newCaseAt('L1');
    const windowStart = new Date(now);
    const renew = async (link: string) => {
      const before = await mailCount();
      const res = await post(`${link}/tautan-baru`);
      const mail = await mailSince(before, /^Tautan baru/);
      return { ...res, mail, next: mail[0] && taskLinks(mail[0])[0]! };
    };

    // Act: three fresh links, each asked for from the newest one.
    let link = first;
    for (let i = 0; i < FRESH_LINK_LIMIT.max; i++) {
      later(60_000);
      const r = await renew(link);
      expect(r.status).toBe(200);
      expect(r.mail.map((m) => m.to)).toEqual([[task.person.email]]);
      link = r.next!;
    }
    const refused = await renew(link);

    // Assert: refused with the time the window ends, no message, and the newest link still works.
    expect(refused.status).toBe(429);
    expect(refused.mail).toHaveLength(0);
    const page = plain(refused.text);
    expect(page).toContain('Batas tautan baru tercapai');
    const nextAt = await inZone(caseId, new Date(windowStart.getTime() + 60_000 + FRESH_LINK_LIMIT.windowMs));
    expect(page).toContain(`Tautan baru berikutnya dapat diminta mulai ${nextAt}`);
    expect((await fetch(link)).status).toBe(200);
    expect((await taskOf(link)).linkVersion).toBe(task.linkVersion + FRESH_LINK_LIMIT.max);

    // Act, assert: once the hour is over, a fresh link is sent again.
    now = new Date(windowStart.getTime() + 60_000 + FRESH_LINK_LIMIT.windowMs);
    const again = await renew(link);
    expect(again.status).toBe(200);
    expect(again.mail.map((m) => m.to)).toEqual([[task.person.email]]);
    const facts = (await rt.app.store.listHistory(caseId)).filter((e) => e.type === 'tautan-diperbarui');
    expect(facts).toHaveLength(FRESH_LINK_LIMIT.max + 1);
  });
});
