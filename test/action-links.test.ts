import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClientOf } from '../functions/adapters/aws-clients.ts';
import {
  actOnLink,
  driveCase,
  parseTaskPage,
  samplePdf,
  samplePng,
  submitPermohonan,
  taskLinks,
} from '../cli/drive.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * Links are capabilities: unguessable, expiring, single-use, bound to one person and one task. A GET only shows;
 * only a POST acts, once. Every bad case gets a clear page in Bahasa Indonesia and changes nothing.
 */
describe('emailed action links', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let now = new Date('2026-11-23T02:00:00Z'); // Senin 09.00 WIB
  const clock = { now: () => now };

  beforeAll(async () => {
    rt = await startTestRuntime({ clock, linkTtlHours: 48 });
  });
  afterAll(async () => rt?.cleanup());

  async function newCaseAt(stopAt: string) {
    const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, 'fixture-kerja-sama-pihak-ketiga'));
    const driven = await driveCase({ dataDir: rt.dataDir, caseId: intakeId, pemohonEmail: PEMOHON.email, stopAt });
    return { caseId: intakeId, link: driven.stoppedAt!.link, mail: driven.stoppedAt!.mail };
  }
  const post = (url: string, body: Record<string, string>, origin = new URL(url).origin) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams(body).toString(),
    });
  const taskOf = async (link: string) =>
    (await rt.app.store.getTask(new URL(link).pathname.split('/')[2]!.split('.')[0]!))!;
  const decisions = async (caseId: string) =>
    (await rt.app.store.listHistory(caseId)).filter((e) => e.type === 'tugas-diputuskan');

  it("logs each download of the permohonan's files through a task link (who, which file); a GET or HEAD does nothing", async () => {
    const { caseId, link } = await newCaseAt('L1');
    const downloads = async () => (await rt.app.store.listHistory(caseId)).filter((e) => e.type === 'dokumen-diunduh');
    // A mail scanner or a link preview follows GETs: a download is a POST from the task page.
    for (const method of ['HEAD', 'GET']) {
      const followed = await fetch(`${link}/berkas/0`, { method, redirect: 'manual' });
      expect(followed.status).toBe(405);
      expect(followed.headers.get('location')).toBeNull();
    }
    expect(await downloads()).toHaveLength(0);
    const got = await fetch(`${link}/berkas/0`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: new URL(link).origin },
    });
    expect(got.status).toBe(303);
    const logged = await downloads();
    expect(logged).toHaveLength(1);
    const task = await taskOf(link);
    expect(logged[0]).toMatchObject({ who: { id: task.person.id }, detail: { melalui: 'tautan tugas' } });
    expect(logged[0]!.detail?.berkas).toBe((await rt.app.store.getCase(caseId))!.files[0]!.name);
  });

  it('emails the bound person a link naming the case, the step, what is expected and the due time', async () => {
    const { mail, caseId } = await newCaseAt('L1');
    // The Staf is a pool of two: the task is bound to one of them when it opens.
    expect(mail.to).toHaveLength(1);
    expect(['rizky@kota-contoh.test', 'nurul@kota-contoh.test']).toContain(mail.to[0]);
    expect((await taskOf(taskLinks(mail)[0]!)).person.email).toBe(mail.to[0]);
    expect(mail.subject).toMatch(/^Tugas baru: L1 /);
    expect(mail.text).toContain(`Nomor kasus: ${caseId}`);
    expect(mail.text).toContain('Output yang diharapkan: Permohonan tercatat');
    // Opened Monday 09.00 WIB with a Mutu Baku of 2 jam: due at 11.00 WIB the same day.
    expect(mail.text).toContain('Batas waktu (Mutu Baku 2 jam): Senin, 23 November 2026 pukul 11.00 WIB');
    expect(taskLinks(mail)[0]).toMatch(/\/tugas\/[A-Za-z0-9_-]{22}\.1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{32}$/);
    // The task token never leaves DynamoDB.
    expect(mail.text).not.toContain((await taskOf(taskLinks(mail)[0]!)).taskToken!);
  });

  it('shows the task on GET any number of times without acting (mail scanners open links)', async () => {
    const { link, caseId } = await newCaseAt('L1');
    for (let i = 0; i < 3; i++) {
      const res = await fetch(link);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('Menerima dan mencatat permohonan kerja sama');
      expect(html).toContain('Kelengkapan');
    }
    expect((await fetch(link, { method: 'HEAD' })).status).toBe(200);
    expect((await taskOf(link)).state).toBe('open');
    expect(await decisions(caseId)).toHaveLength(0);
  });

  it('acts once on POST: a double submit says it is recorded, a replay says the task is done, nothing changes', async () => {
    const { link, caseId } = await newCaseAt('L1');
    const form = parseTaskPage(await (await fetch(link)).text());
    const body = {
      submissionId: form.submissionId,
      pilihan: 'lanjut',
      f_nomor_agenda: 'x',
      'f_nomor-agenda': '005/123/2026',
    };
    const [first, second] = await Promise.all([post(link, body), post(link, body)]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([200, 200]);
    const texts = await Promise.all([first.text(), second.text()]);
    expect(texts.some((t) => t.includes('Keputusan tercatat'))).toBe(true);
    const replay = await post(link, { ...body, submissionId: 'lainnya-12345678' });
    expect(replay.status).toBe(409);
    const replayed = await replay.text();
    expect(replayed).toContain('Tugas sudah diselesaikan');
    // What was decided, in the words of the choice the official clicked, not its value.
    const chosen = rt.app.runtime
      .activityOf((await rt.app.store.getCase(caseId))!, 'L1')
      .choices.find((c) => c.value === 'lanjut')!.label;
    expect(chosen).not.toBe('lanjut');
    expect(replayed).toContain(chosen);
    expect(await decisions(caseId)).toHaveLength(1);
    expect((await taskOf(link)).decision?.values['nomor-agenda']).toBe('005/123/2026');
  });

  it('rejects a tampered link or an unknown task with a clear page', async () => {
    const { link } = await newCaseAt('L1');
    const tampered = link.slice(0, -1) + (link.endsWith('A') ? 'B' : 'A');
    const res = await fetch(tampered);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Tautan tidak valid');
    const forged = await post(tampered, { submissionId: 'abcdefgh1234', pilihan: 'lanjut' });
    expect(forged.status).toBe(404);
    expect(
      (await fetch(`${rt.urls.web}/tugas/AAAAAAAAAAAAAAAAAAAAAA.1.AAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`)).status,
    ).toBe(404);
    expect((await taskOf(link)).state).toBe('open');
  });

  it('refuses a form posted from another site', async () => {
    const { link } = await newCaseAt('L1');
    const form = parseTaskPage(await (await fetch(link)).text());
    const res = await post(
      link,
      { submissionId: form.submissionId, pilihan: 'lanjut', 'f_nomor-agenda': '1' },
      'https://penipu.example',
    );
    expect(res.status).toBe(403);
    expect((await taskOf(link)).state).toBe('open');
  });

  it('keeps the step open until its Output exists and a return carries its reason', async () => {
    const { link, caseId } = await newCaseAt('L2');
    const form = parseTaskPage(await (await fetch(link)).text());
    const missing = await post(link, { submissionId: form.submissionId, pilihan: 'layak' });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('Telaahan kelayakan wajib diunggah');
    const noReason = await post(link, { submissionId: form.submissionId, pilihan: 'perlu-dilengkapi' });
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain('Catatan wajib diisi');
    expect((await decisions(caseId)).filter((d) => d.node === 'L2')).toHaveLength(0);
  });

  it('checks an upload by its content, not its name', async () => {
    const { link } = await newCaseAt('L2');
    const origin = new URL(link).origin;
    const png = samplePng();
    // A presign reads the task alone (its activity comes from the SOP version the task records), not the case.
    const tables: string[] = [];
    rt.app.clients.dynamodb.middlewareStack.add(
      (next) => async (args) => {
        tables.push(String((args.input as { TableName?: string }).TableName));
        return next(args);
      },
      { step: 'initialize', name: 'ujiTabelUnggah', override: true },
    );
    let presign: Response;
    try {
      presign = await fetch(`${link}/unggah`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ slot: 'telaahan', name: 'telaahan.pdf', size: png.length }),
      });
    } finally {
      rt.app.clients.dynamodb.middlewareStack.remove('ujiTabelUnggah');
    }
    expect(presign.status).toBe(200);
    expect(tables).toEqual([rt.app.config.SEPAKAT_TABLE_TASKS]);
    const target = (await presign.json()) as { url: string; key: string; contentType: string };
    await fetch(target.url, {
      method: 'PUT',
      headers: { 'content-type': target.contentType },
      body: new Uint8Array(png),
    });
    const form = parseTaskPage(await (await fetch(link)).text());
    const res = await post(link, {
      submissionId: form.submissionId,
      pilihan: 'layak',
      unggah_telaahan: target.key,
      nama_telaahan: 'telaahan.pdf',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('isi berkas &quot;telaahan.pdf&quot; bukan PDF');
    const wrongType = await fetch(`${link}/unggah`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ slot: 'telaahan', name: 'virus.exe', size: 10 }),
    });
    expect(wrongType.status).toBe(400);
    const tooBig = await fetch(`${link}/unggah`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ slot: 'telaahan', name: 'besar.pdf', size: 50 * 1024 * 1024 }),
    });
    expect(tooBig.status).toBe(400);
    expect(((await tooBig.json()) as { pesan: string }).pesan).toContain('terlalu besar');
    // Someone else's object key cannot be attached.
    const foreign = await post(link, {
      submissionId: form.submissionId,
      pilihan: 'layak',
      unggah_telaahan: 'kasus/lain/00001/telaahan/x.pdf',
    });
    expect(await foreign.text()).toContain('bukan milik tugas ini');
    expect((await taskOf(link)).state).toBe('open');
    // A real PDF is accepted.
    const pdf = samplePdf('Telaahan');
    const again = (await (
      await fetch(`${link}/unggah`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ slot: 'telaahan', name: 'telaahan.pdf', size: pdf.length }),
      })
    ).json()) as { url: string; key: string; contentType: string };
    await fetch(again.url, {
      method: 'PUT',
      headers: { 'content-type': again.contentType },
      body: new Uint8Array(pdf),
    });
    const ok = await post(link, {
      submissionId: form.submissionId,
      pilihan: 'layak',
      unggah_telaahan: again.key,
      nama_telaahan: 'telaahan.pdf',
    });
    expect(ok.status).toBe(200);
    const stored = (await taskOf(link)).decision!.files[0]!;
    expect(stored.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.contentType).toBe('application/pdf');
    // The decision keeps the checked copy, under a key that holds its hash and that no upload URL names.
    expect(stored.key).toMatch(new RegExp(`^berkas/.+/${stored.sha256}$`));
    expect(stored.key).not.toBe(again.key);
    // A PUT to the upload URL after the decision (15 minutes are not over) changes nothing anyone reads.
    const exe = Buffer.alloc(pdf.length, 0x90);
    exe.write('MZ', 0, 'latin1');
    await fetch(again.url, {
      method: 'PUT',
      headers: { 'content-type': again.contentType },
      body: new Uint8Array(exe),
    });
    expect(Buffer.from(await rt.app.files.readAccepted(stored, 1e6)).equals(pdf)).toBe(true);
  });

  it('sends the code from the task form and brings the same form back with everything typed kept', async () => {
    const { link } = await newCaseAt('L4.2');
    const form = parseTaskPage(await (await fetch(link)).text());
    expect(form.needsCode).toBe(true);
    // The code button posts the whole task form to the code route (formaction): nothing typed is lost.
    const res = await post(`${link}/kode`, {
      submissionId: form.submissionId,
      pilihan: 'lanjut',
      catatan: 'Sudah saya baca seluruhnya',
    });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('id="kode-terkirim"');
    expect(html).toContain('Kode dikirim');
    expect(html).toContain('>Sudah saya baca seluruhnya</textarea>');
    expect(html).toMatch(/value="lanjut" checked/);
    expect(html).toContain(`value="${form.submissionId}"`);
    // The decision button comes first in the form: Enter in a field sends the decision, not another code.
    expect(html.indexOf('id="kirim-keputusan"')).toBeLessThan(html.indexOf('id="kirim-kode"'));
    expect((await taskOf(link)).state).toBe('open');
  });

  it('asks for a one-time code before a paraf and accepts only the right one', async () => {
    const { link, caseId } = await newCaseAt('L4.2');
    const form = parseTaskPage(await (await fetch(link)).text());
    expect(form.needsCode).toBe(true);
    const noCode = await post(link, { submissionId: form.submissionId, pilihan: 'lanjut' });
    expect(noCode.status).toBe(400);
    expect(await noCode.text()).toContain('Minta kode konfirmasi');
    const before = (await readMailbox(rt.dataDir)).length;
    expect((await fetch(`${link}/kode`, { method: 'POST', headers: { origin: new URL(link).origin } })).status).toBe(
      200,
    );
    const codeMail = (await readMailbox(rt.dataDir))
      .slice(before)
      .find((m) => m.subject.startsWith('Kode konfirmasi paraf'))!;
    expect(codeMail.to).toEqual(['kabag.kerjasama@kota-contoh.test']);
    // The code is in the body, never in the subject (which notifications show).
    expect(codeMail.subject).not.toMatch(/\d{6}/);
    const code = /^\s*(\d{6})\s*$/m.exec(codeMail.text!)![1]!;
    const wrong = await post(link, {
      submissionId: form.submissionId,
      pilihan: 'lanjut',
      kode: code === '000000' ? '111111' : '000000',
    });
    expect(await wrong.text()).toContain('Kode salah');
    const right = await post(link, { submissionId: form.submissionId, pilihan: 'lanjut', kode: code });
    expect(right.status).toBe(200);
    expect((await decisions(caseId)).at(-1)?.node).toBe('L4.2');
  });

  it('limits guesses of the code even when they arrive in parallel', async () => {
    const { link } = await newCaseAt('L4.2');
    const origin = new URL(link).origin;
    const form = parseTaskPage(await (await fetch(link)).text());
    const before = (await readMailbox(rt.dataDir)).length;
    await fetch(`${link}/kode`, { method: 'POST', headers: { origin } });
    const code = /^\s*(\d{6})\s*$/m.exec(
      (await readMailbox(rt.dataDir)).slice(before).find((m) => m.subject.startsWith('Kode konfirmasi'))!.text!,
    )![1]!;
    const wrong = code === '123456' ? '654321' : '123456';
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        post(link, { submissionId: form.submissionId, pilihan: 'lanjut', kode: wrong }).then((r) => r.text()),
      ),
    );
    expect(answers.filter((t) => t.includes('Kode salah'))).toHaveLength(5);
    expect(answers.filter((t) => t.includes('Terlalu banyak percobaan'))).toHaveLength(15);
    // The right code is refused too once the attempts are spent: a new code must be asked for.
    expect(
      await (await post(link, { submissionId: form.submissionId, pilihan: 'lanjut', kode: code })).text(),
    ).toContain('Terlalu banyak percobaan');
    expect((await taskOf(link)).state).toBe('open');
    // Codes per link are capped as well (5 in 15 minutes: test/task-link-codes.test.ts).
    const asked = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(`${link}/kode`, { method: 'POST', headers: { origin } }).then((r) => r.status),
      ),
    );
    expect(asked.filter((s) => s === 429)).toHaveLength(2);
  });

  it('expires a link, offers a fresh one sent only to the bound person, and kills the old one', async () => {
    const { link, caseId } = await newCaseAt('L1');
    now = new Date(now.getTime() + 49 * 3600_000);
    try {
      const expired = await fetch(link);
      expect(expired.status).toBe(410);
      const page = await expired.text();
      expect(page).toContain('Tautan sudah kedaluwarsa');
      const form = parseTaskPage(page);
      expect(
        await (await post(link, { submissionId: form.submissionId || 'abcdefgh12', pilihan: 'lanjut' })).text(),
      ).toContain('kedaluwarsa');
      const before = (await readMailbox(rt.dataDir)).length;
      const renewed = await post(`${link}/tautan-baru`, {});
      expect(renewed.status).toBe(200);
      const fresh = (await readMailbox(rt.dataDir)).slice(before).find((m) => m.subject.startsWith('Tautan baru'))!;
      expect(fresh.to).toEqual([(await taskOf(link)).person.email]);
      const freshLink = taskLinks(fresh)[0]!;
      expect(freshLink).not.toBe(link);
      const old = await fetch(link);
      expect(old.status).toBe(410);
      expect(await old.text()).toContain('Tautan sudah diganti');
      const result = await actOnLink(freshLink, () => ({ pilihan: 'lanjut' }), { dataDir: rt.dataDir });
      expect(result.status).toBe(200);
      expect((await decisions(caseId)).filter((d) => d.node === 'L1')).toHaveLength(1);
    } finally {
      now = new Date(now.getTime() - 49 * 3600_000);
    }
  });

  it('refuses a link when the task now belongs to someone else', async () => {
    const { link } = await newCaseAt('L1');
    const task = await taskOf(link);
    // An admin reassigned the task (issue 5 builds the page; the record is what matters here).
    const doc = documentClientOf(rt.app.clients.dynamodb);
    await doc.send(
      new UpdateCommand({
        TableName: rt.app.config.SEPAKAT_TABLE_TASKS,
        Key: { taskId: task.taskId },
        UpdateExpression: 'SET person = :p',
        ExpressionAttributeValues: {
          ':p': { ...task.person, id: 'pengganti', nama: 'Pejabat Pengganti', email: 'pengganti@kota-contoh.test' },
        },
      }),
    );
    const res = await fetch(link);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Tautan untuk pejabat lain');
    expect((await post(link, { submissionId: 'abcdefgh1234', pilihan: 'lanjut' })).status).toBe(403);
  });

  it('tells whoever opens a link of a closed case that nothing is needed', async () => {
    const { link, caseId } = await newCaseAt('L3');
    const form = parseTaskPage(await (await fetch(link)).text());
    const cancelled = await post(link, {
      submissionId: form.submissionId,
      pilihan: 'batal',
      catatan: 'Pengusul menarik permohonan',
    });
    expect(cancelled.status).toBe(200);
    await eventually(async () => (await rt.app.store.getCase(caseId))?.status === 'dibatalkan');
    const again = await fetch(link);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('Tugas sudah diselesaikan');
  });
});
