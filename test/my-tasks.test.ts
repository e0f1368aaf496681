import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnLink, driveCase, submitPermohonan } from '../cli/drive.ts';
import type { Principal } from '../core/access/access.ts';
import { formatCaseNumber } from '../core/case/case-number.ts';
import type { TaskRecord } from '../core/case/model.ts';
import { readMailbox, type StoredMail } from '../local/ses/local-ses.ts';
import { BLITAR_SOP } from './support/agreements.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * "Tugas saya" and the emails of an open task sent by hand (issue 13, item 9), on the embedded runtime with its real
 * local services: a signed-in official sees exactly their own open tasks and opens one with a POST that leads to the
 * task's own link (a GET writes nothing); the pelaksana and the administrator send a task's email again or a reminder
 * from the case page, at most one in 15 minutes — two clicks at once send one email — each a fact naming who sent it.
 */
const KABAG: Principal = {
  sub: 'u-kabag-tapem',
  email: 'kabag.tapem@blitarkab.test',
  nama: 'Basuki Rachmad, S.Sos, M.M',
  roles: ['pejabat'],
  pemdaId: 'kab-blitar',
  unit: 'BAGIAN TATA PEMERINTAHAN',
  personId: 'kabag-tapem',
};
/** A Blitar official of the directory, signed in (the two penata share the Penata Kelola's tasks). */
const official = (personId: string, email: string, nama: string): Principal => ({
  ...PRINCIPALS.pelaksanaBlitar,
  sub: `u-${personId}`,
  email,
  nama,
  personId,
});
const MINUTE = 60_000;

describe('Tugas saya and emails of a task by hand', () => {
  let ahead = 0;
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  const cases: string[] = [];
  let atKabag = '';

  const openTasks = async () =>
    (await Promise.all(cases.map((c) => rt.app.store.listTasks({ caseId: c }))))
      .flat()
      .filter((t) => t.state === 'open');
  const listed = (html: string) => [...html.matchAll(/data-tugas="([A-Za-z0-9_-]{22})"/g)].map((m) => m[1]!).sort();
  const mailsTo = async (to: string, subject: RegExp) =>
    (await readMailbox(rt.dataDir)).filter((m) => m.to.includes(to) && subject.test(m.subject));
  const historyOf = (caseId: string) => rt.app.store.listHistory(caseId);
  const principalOf = (task: TaskRecord): Principal =>
    task.person.id === 'kabag-tapem' ? KABAG : official(task.person.id, task.person.email, task.person.nama);

  beforeAll(async () => {
    rt = await startTestRuntime({ schedulerIntervalMs: 0, clock: { now: () => new Date(Date.now() + ahead) } });
    // Three cases at their first step (the Penata Kelola's pool), and one at the Kabag's paraf (L5.1).
    for (const perihal of [
      'Kerja sama air bersih',
      'Kerja sama pariwisata',
      'Kerja sama pendidikan',
      'Kerja sama UMKM',
    ])
      cases.push((await submitPermohonan(rt, permohonanFor(rt, BLITAR_SOP, {}, perihal))).intakeId);
    atKabag = cases[3]!;
    await driveCase({ dataDir: rt.dataDir, caseId: atKabag, pemohonEmail: PEMOHON.email, stopAt: 'L5.1' });
    await eventually(async () => {
      const open = await openTasks();
      return open.length === 4 && open.every((t) => !!t.executionArn) && open;
    }, 60_000);
  }, 180_000);
  afterAll(async () => rt?.cleanup());

  it('shows each official exactly their own open tasks, with step, due time and whether opened', async () => {
    const open = await openTasks();
    const people = [...new Map(open.map((t) => [t.person.id, t])).values()].map(principalOf);
    expect(people.map((p) => p.personId)).toContain('kabag-tapem');
    for (const p of [...people, official('penata-2', 'penata2@blitarkab.test', 'Wahyu Nugroho, S.IP.')]) {
      const page = await web(rt, '/tugas-saya', { cookie: sessionFor(rt, p).cookie });
      expect(page.status).toBe(200);
      const theirs = open.filter((t) => t.person.id === p.personId).map((t) => t.taskId);
      expect(listed(page.text), p.personId).toEqual(theirs.sort());
      // Nobody else's task, nor the case of one.
      for (const t of open.filter((t) => t.person.id !== p.personId)) expect(page.text).not.toContain(t.caseId);
    }
    const kabag = await web(rt, '/tugas-saya', { cookie: sessionFor(rt, KABAG).cookie });
    expect(kabag.text).toContain(`<data value="${atKabag}">${formatCaseNumber(atKabag)}</data>`);
    expect(kabag.text).toMatch(/Langkah 5 — /);
    expect(kabag.text).toContain('Belum dibuka');
    expect(kabag.text).toContain('href="/tugas-saya"');
    // An account that is no official of the directory (the administrator), and another pemda's official: none.
    const admin = await web(rt, '/tugas-saya', { cookie: sessionFor(rt, PRINCIPALS.adminBlitar).cookie });
    expect(listed(admin.text)).toEqual([]);
    expect(admin.text).toContain('tidak terhubung dengan pegawai');
    const kota = await web(rt, '/tugas-saya', { cookie: sessionFor(rt, { ...KABAG, pemdaId: 'kota-contoh' }).cookie });
    expect(listed(kota.text)).toEqual([]);
    // Not signed in: to the sign-in page, and back here afterwards.
    const guest = await web(rt, '/tugas-saya');
    expect(guest.status).toBe(303);
    expect(guest.headers.get('location')).toBe('/masuk?lanjut=%2Ftugas-saya');
  });

  it('opens a task with a POST that leads to its own link, and the decision is taken there', async () => {
    const task = (await openTasks()).find((t) => t.caseId === atKabag)!;
    const { cookie, csrf } = sessionFor(rt, KABAG);
    const before = (await historyOf(atKabag)).length;
    // A GET of the action writes nothing (405), nor does a POST without the session's CSRF token.
    expect((await web(rt, `/tugas-saya/${task.taskId}`, { cookie })).status).toBe(405);
    expect((await web(rt, `/tugas-saya/${task.taskId}`, { cookie, form: { _csrf: 'salah' } })).status).toBe(403);
    // Somebody else's task: refused, nothing written.
    const other = official('penata-1', 'penata1@blitarkab.test', 'Yuli Astutik, S.AP.');
    const theirs = sessionFor(rt, other);
    const refused = await web(rt, `/tugas-saya/${task.taskId}`, {
      cookie: theirs.cookie,
      form: { _csrf: theirs.csrf },
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Bukan tugas Anda');
    expect((await historyOf(atKabag)).length).toBe(before);

    const opened = await web(rt, `/tugas-saya/${task.taskId}`, { cookie, form: { _csrf: csrf } });
    expect(opened.status).toBe(303);
    const link = opened.headers.get('location')!;
    // The task's own link: the same as the emailed one (bound to the task, its version and the person).
    const emailed = (await mailsTo(KABAG.email, /^Tugas baru: L5\.1 /)).find((m) => m.text?.includes(atKabag))!;
    expect(emailed.links.map((l) => new URL(l).pathname)).toContain(link);
    const facts = await historyOf(atKabag);
    expect(facts.filter((e) => e.type === 'tugas-dibaca')).toMatchObject([
      { who: { id: 'kabag-tapem' }, seq: task.seq, detail: { melalui: 'tugas saya' } },
    ]);
    const list = await web(rt, '/tugas-saya', { cookie });
    expect(list.text).toMatch(new RegExp(`data-tugas="${task.taskId}"[^>]*class="sudah-dibuka"`));
    // Opening it again records nothing new.
    await web(rt, `/tugas-saya/${task.taskId}`, { cookie, form: { _csrf: csrf } });
    expect((await historyOf(atKabag)).filter((e) => e.type === 'tugas-dibaca')).toHaveLength(1);

    const decided = await actOnLink(`${rt.urls.web}${link}`, (form) => ({ pilihan: form.choices[0]! }), {
      dataDir: rt.dataDir,
      recipient: KABAG.email,
    });
    expect(decided.status).toBe(200);
    expect(decided.html).toContain('Keputusan tercatat');
    await eventually(async () => !listed((await web(rt, '/tugas-saya', { cookie })).text).includes(task.taskId));
    const again = await web(rt, `/tugas-saya/${task.taskId}`, { cookie, form: { _csrf: csrf } });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Tugas sudah diputuskan');
  });

  it('sends a task email again or a reminder by hand, once in 15 minutes, as a fact naming who', async () => {
    const task = (await openTasks()).find((t) => t.caseId === cases[0])!;
    const path = `/konsol/kasus/${task.caseId}/tugas/${task.taskId}/ingatkan`;
    const pelaksana = sessionFor(rt, PRINCIPALS.pelaksanaBlitar);
    const send = (jenis: string, s = pelaksana) => web(rt, path, { cookie: s.cookie, form: { _csrf: s.csrf, jenis } });
    const byHand = async () => (await historyOf(task.caseId)).filter((e) => e.type === 'tugas-diingatkan');
    const ofCase = async (subject: RegExp) =>
      (await mailsTo(task.person.email, subject)).filter((m) => m.text?.includes(task.caseId));
    const reminders = () => ofCase(/^Pengingat: L1 /);
    const resends = () => ofCase(/^Dikirim ulang — tugas: L1 /);

    // The case page offers both to its pelaksana, not to a pejabat (who may see the case).
    const page = await web(rt, `/konsol/kasus/${task.caseId}`, { cookie: pelaksana.cookie });
    expect(page.text).toContain(`action="${path}"`);
    expect(page.text).toContain('Kirim pengingat');
    const kabagPage = await web(rt, `/konsol/kasus/${task.caseId}`, { cookie: sessionFor(rt, KABAG).cookie });
    expect(kabagPage.status).toBe(200);
    expect(kabagPage.text).not.toContain(`action="${path}"`);
    expect((await send('pengingat', sessionFor(rt, KABAG))).status).toBe(403);
    expect((await send('lain')).status).toBe(400);
    // The task email went out when the task opened: too soon for another.
    const early = await send('pengingat');
    expect(early.status).toBe(429);
    expect(early.text).toContain('Email belum dapat dikirim lagi');
    expect(await byHand()).toEqual([]);

    ahead += 20 * MINUTE;
    const sent = await send('pengingat');
    expect(sent.status, sent.text).toBe(200);
    expect(sent.text).toContain('Pengingat dikirim');
    const reminder = await eventually(async () => (await reminders())[0]);
    expect(reminder.text).toContain('Yuli Astutik, S.AP. (Penata Kelola Pemerintahan) mengingatkan');
    expect(reminder.text).toContain('Langkah 1 — ');
    expect(reminder.links.some((l) => l.includes('/tugas/'))).toBe(true);
    expect(await byHand()).toMatchObject([
      {
        who: { id: 'penata-1', nama: 'Yuli Astutik, S.AP.' },
        seq: task.seq,
        detail: { jenis: 'pengingat', kepada: [task.person.email] },
      },
    ]);
    // A second click within the window: refused with the time of the first, nothing sent.
    const second = await send('tugas');
    expect(second.status).toBe(429);
    expect(second.text).toContain('paling cepat 15 menit');
    expect(await resends()).toEqual([]);

    // Two clicks at the same moment after the window: one email, one fact.
    ahead += 20 * MINUTE;
    const both = await Promise.all([send('tugas'), send('tugas', sessionFor(rt, PRINCIPALS.adminBlitar))]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 429]);
    await eventually(async () => (await resends()).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    const resent: StoredMail[] = await resends();
    expect(resent).toHaveLength(1);
    expect(resent[0]!.text).toContain('dikirim ulang atas permintaan');
    // The same link as the first email (still valid).
    const first = (await mailsTo(task.person.email, /^Tugas baru: L1 /)).find((m) => m.text?.includes(task.caseId))!;
    expect(resent[0]!.links.filter((l) => l.includes('/tugas/'))).toEqual(
      first.links.filter((l) => l.includes('/tugas/')),
    );
    expect((await byHand()).map((e) => e.detail?.['jenis'])).toEqual(['pengingat', 'tugas']);
    expect(await reminders()).toHaveLength(1);
    // The case page names who sent them, in its history.
    const after = await web(rt, `/konsol/kasus/${task.caseId}`, { cookie: pelaksana.cookie });
    expect(after.text).toContain('Email tugas atau pengingat dikirim manual');
  });

  it('renews an expired link: from Tugas saya for its holder, in a resend by hand for the rest', async () => {
    const [first, second] = (await openTasks()).filter((t) => t.caseId === cases[1] || t.caseId === cases[2]);
    // Past the link's lifetime (7 days) and the task's due time.
    ahead += 8 * 24 * 60 * MINUTE;
    const holder = sessionFor(rt, principalOf(first!));
    const list = await web(rt, '/tugas-saya', { cookie: holder.cookie });
    // The first step has no Mutu Baku Waktu: no due time, never late.
    expect(list.text).toContain('tidak ada');
    // The Kabag's next link of L5 (Waktu 3 Hari) is now past its due time, in working time on the calendar.
    const kabag = await web(rt, '/tugas-saya', { cookie: sessionFor(rt, KABAG).cookie });
    expect(kabag.text).toMatch(/lencana telat">Terlambat \d+ (hari|jam)/);
    expect(kabag.text).toContain('1 terlambat');
    const opened = await web(rt, `/tugas-saya/${first!.taskId}`, {
      cookie: holder.cookie,
      form: { _csrf: holder.csrf },
    });
    expect(opened.status).toBe(303);
    const link = opened.headers.get('location')!;
    expect(link).toMatch(new RegExp(`^/tugas/${first!.taskId}\\.2\\.`));
    expect((await web(rt, link)).status).toBe(200);
    // The fresh link was emailed too; the old one is dead.
    const fresh = await eventually(async () =>
      (await mailsTo(first!.person.email, /./)).find((m) => m.links.some((l) => l.endsWith(link))),
    );
    expect(fresh.subject).not.toMatch(/^Tugas baru/);
    const old = (await mailsTo(first!.person.email, /^Tugas baru: L1 /)).find((m) => m.text?.includes(first!.caseId))!;
    expect((await web(rt, new URL(old.links.find((l) => l.includes('/tugas/'))!).pathname)).status).toBe(410);

    // A resend by hand of a task whose link expired carries a fresh link.
    const pelaksana = sessionFor(rt, PRINCIPALS.pelaksanaBlitar);
    const sent = await web(rt, `/konsol/kasus/${second!.caseId}/tugas/${second!.taskId}/ingatkan`, {
      cookie: pelaksana.cookie,
      form: { _csrf: pelaksana.csrf, jenis: 'tugas' },
    });
    expect(sent.status, sent.text).toBe(200);
    expect(sent.text).toContain('dengan tautan baru');
    const renewed = (await rt.app.store.getTask(second!.taskId))!;
    expect(renewed.linkVersion).toBe(2);
    const resent = await eventually(async () =>
      (await mailsTo(second!.person.email, /^Dikirim ulang — tugas: L1 /)).find((m) =>
        m.text?.includes(second!.caseId),
      ),
    );
    expect(resent.links.some((l) => l.includes(`/tugas/${second!.taskId}.2.`))).toBe(true);
  });

  it('finds a case by its grouped number in the dashboard search and at its address', async () => {
    const { cookie } = sessionFor(rt, PRINCIPALS.pelaksanaBlitar);
    const grouped = formatCaseNumber(cases[0]!);
    const found = await web(rt, `/konsol?q=${encodeURIComponent(grouped.toLowerCase().replace(/-/g, ' '))}`, {
      cookie,
    });
    expect(found.text).toContain(`data-kasus="${cases[0]}"`);
    expect(found.text).not.toContain(`data-kasus="${cases[1]}"`);
    const page = await web(rt, `/konsol/kasus/${grouped}`, { cookie });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`/konsol/kasus/${cases[0]}`);
  });
});
