import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf, samplePng } from '../cli/drive.ts';
import { formatCaseNumber } from '../core/case/case-number.ts';
import { maskEmail } from '../core/case/task-actions.ts';
import { DynamoDbIntakeStore } from '../functions/adapters/intake-store.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { PEMOHON_BLITAR, sessionFor, web } from './support/console.ts';
import { eventually, PEMOHON, startTestRuntime } from './support/runtime.ts';

const SOP = 'blitar-pengkoordinasian-nota-kesepakatan';

interface Prepared {
  intakeId: string;
  uploads: { slot: string; key: string; url: string; contentType: string }[];
  manifest: { key: string; url: string; body: string };
  tandaTerima: string;
}

describe('the intake form, its receipt and the tracking page', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime({ schedulerIntervalMs: 0 });
  });
  afterAll(async () => rt?.cleanup());

  const formInput = (overrides: Partial<Record<string, unknown>> = {}) => ({
    sopId: SOP,
    perihal: 'Kerja sama pengembangan wisata Candi Penataran',
    pemohon: { nama: PEMOHON.nama, email: PEMOHON.email, instansi: PEMOHON.instansi, telepon: '0342 123456' },
    data: { 'pihak-mitra': 'Pemerintah Kabupaten Kediri', 'jenis-kerja-sama': 'KSDD' },
    files: [] as { slot: string; name: string; size: number }[],
    ...overrides,
  });

  /** What the form's script does: check and presign, PUT each file straight to the bucket, then the manifest. */
  async function submitThroughForm(
    files: { slot: string; name: string; bytes: Buffer }[],
    overrides: Partial<Record<string, unknown>> = {},
    cookie?: string,
  ): Promise<{ status: number; body: Prepared & { pesan?: string; rincian?: Record<string, string> } }> {
    const res = await fetch(`${rt.urls.web}/permohonan/siapkan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: rt.urls.web, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(
        formInput({ files: files.map((f) => ({ slot: f.slot, name: f.name, size: f.bytes.length })), ...overrides }),
      ),
    });
    const body = (await res.json()) as Prepared & { pesan?: string; rincian?: Record<string, string> };
    if (!res.ok) return { status: res.status, body };
    for (const upload of body.uploads) {
      const file = files.find((f) => f.slot === upload.slot)!;
      const put = await fetch(upload.url, {
        method: 'PUT',
        headers: { 'content-type': upload.contentType },
        body: new Uint8Array(file.bytes),
      });
      expect(put.status).toBe(200);
    }
    const manifest = await fetch(body.manifest.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      // Byte for byte the manifest the server built (its size and hash were fixed when the form was checked).
      body: body.manifest.body,
    });
    expect(manifest.status).toBe(200);
    return { status: res.status, body };
  }

  const PDFS = [
    { slot: 'surat-permohonan', name: 'surat permohonan.pdf', bytes: samplePdf('Surat permohonan') },
    { slot: 'draf-naskah', name: 'draf.pdf', bytes: samplePdf('Draf naskah') },
  ];

  it('lists the SOPs, then renders the chosen SOP’s fields and file slots, prefilled for a signed-in pemohon', async () => {
    // Act
    const list = await web(rt, '/permohonan/baru');
    const anonymous = await web(rt, `/permohonan/baru?sop=${SOP}`);
    const pemohon = sessionFor(rt, PEMOHON_BLITAR);
    const signedIn = await web(rt, `/permohonan/baru?sop=${SOP}`, { cookie: pemohon.cookie });

    // Assert
    expect(list.status).toBe(200);
    expect(list.text).toContain(`href="/permohonan/baru?sop=${SOP}"`);
    expect(anonymous.status).toBe(200);
    const html = anonymous.text;
    for (const name of ['nama', 'email', 'instansi', 'telepon', 'perihal', 'd_pihak-mitra', 'd_perangkat-daerah'])
      expect(html).toContain(`name="${name}"`);
    expect(html).toMatch(/<select id="d_jenis-kerja-sama" name="d_jenis-kerja-sama">.*value="KSDD".*value="KSDPK"/);
    // The SOP's own "perihal" field is the form's perihal, asked once.
    expect(html).not.toContain('name="d_perihal"');
    expect(html).toContain(
      '<input type="file" id="berkas_surat-permohonan" name="berkas_surat-permohonan" accept=".pdf">',
    );
    expect(html).toContain('name="berkas_draf-naskah" accept=".pdf,.docx"');
    expect(html).toContain('<noscript>');
    expect(html).toContain('memerlukan JavaScript');
    expect(html).toMatch(/<script nonce="[^"]+">/);
    // The page's script carries the nonce of this response's CSP, and a fresh one each time.
    const nonce = /<script nonce="([^"]+)">/.exec(html)![1]!;
    expect(anonymous.headers.get('content-security-policy')).toContain(`'nonce-${nonce}'`);
    expect(/<script nonce="([^"]+)">/.exec(signedIn.text)![1]).not.toBe(nonce);
    expect(html).not.toMatch(/\son(click|submit|change)=/);
    expect(html).not.toContain(`value="${PEMOHON.email}"`);
    expect(signedIn.text).toContain(`value="${PEMOHON.email}"`);
    expect(signedIn.text).toContain(`value="${PEMOHON.instansi}"`);
  });

  it('refuses a wrong or missing input before any upload, naming each field in Indonesian', async () => {
    // Act
    const wrongType = await submitThroughForm([
      { slot: 'surat-permohonan', name: 'surat.png', bytes: samplePng() },
      PDFS[1]!,
    ]);
    const missing = await submitThroughForm([], {
      perihal: '',
      pemohon: { nama: '', email: 'bukan-email', instansi: '' },
      data: { 'jenis-kerja-sama': 'KSDLL' },
    });

    // Assert
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.rincian?.['berkas_surat-permohonan']).toBe(
      'Jenis berkas "surat.png" tidak diterima; harus PDF',
    );
    expect(missing.status).toBe(400);
    expect(missing.body.pesan).toContain('periksa isian yang ditandai');
    expect(missing.body.rincian).toMatchObject({
      nama: expect.stringContaining('wajib diisi'),
      email: 'Email bukan alamat email yang valid',
      instansi: expect.stringContaining('wajib diisi'),
      perihal: expect.stringContaining('wajib diisi'),
      'd_pihak-mitra': 'Mitra kerja sama wajib diisi',
      'd_jenis-kerja-sama': 'Jenis kerja sama: pilihan "KSDLL" tidak dikenal',
      'berkas_surat-permohonan': 'Surat permohonan kerja sama wajib dilampirkan',
    });
  });

  it('starts the case from the uploads, shows its number on the receipt and tracks it through the capability', async () => {
    // Act: a contact who is not signed in.
    const { status, body } = await submitThroughForm(PDFS);
    expect(status).toBe(200);

    // The permohonan waits for the contact to confirm the address: no case, no task for any official yet.
    const waiting = await eventually(async () => {
      const page = await web(rt, body.tandaTerima);
      return page.text.includes('id="menunggu-konfirmasi"') && page;
    });
    expect(waiting.text).toContain('Konfirmasi alamat email');
    expect(await rt.app.store.getCase(body.intakeId)).toBeUndefined();
    const confirmation = await eventually(async () =>
      (await readMailbox(rt.dataDir)).find(
        (m) => m.subject.startsWith('Konfirmasi permohonan') && m.subject.includes(body.intakeId),
      ),
    );
    expect(confirmation.to).toEqual([PEMOHON.email]);
    expect(
      (await readMailbox(rt.dataDir)).filter((m) => m.text?.includes(body.intakeId)).map((m) => m.subject),
    ).toEqual([confirmation.subject]);
    const link = new URL(confirmation.links.find((l) => l.includes('/permohonan/konfirmasi/'))!).pathname;
    // Opening the link (a mail scanner does too) shows the permohonan and starts nothing.
    const page = await web(rt, link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Kerja sama pengembangan wisata Candi Penataran');
    expect(await web(rt, link)).toMatchObject({ status: 200 });
    expect(await rt.app.store.getCase(body.intakeId)).toBeUndefined();
    // A POST without the page's token changes nothing; a tampered link is refused.
    expect((await web(rt, link, { form: {} })).status).toBe(403);
    expect((await web(rt, link.slice(0, -1) + (link.endsWith('A') ? 'B' : 'A'))).status).toBe(410);
    expect(await rt.app.store.getCase(body.intakeId)).toBeUndefined();
    const formToken = /name="_token" value="([^"]+)"/.exec(page.text)![1]!;
    const confirmed = await web(rt, link, { form: { _token: formToken } });
    expect(confirmed.status).toBe(303);
    // Confirming again finds the case: nothing is created twice.
    expect((await web(rt, link, { form: { _token: formToken } })).status).toBe(303);
    const receipt = await eventually(async () => {
      const page = await web(rt, body.tandaTerima);
      return page.text.includes('id="nomor-kasus"') && page;
    });

    // Assert: the receipt names the case, its SOP and when it was received, and links to its progress.
    expect(receipt.status).toBe(200);
    // The case number grouped for reading aloud (2026-1207-W6HZ2-YKIPM), the stored id as its machine value.
    expect(receipt.text).toContain(
      `<strong id="nomor-kasus"><data value="${body.intakeId}">${formatCaseNumber(body.intakeId)}</data></strong>`,
    );
    expect(receipt.text).toContain('Pengkoordinasian Permohonan Usulan Nota Kesepakatan');
    const record = (await rt.app.store.getCase(body.intakeId))!;
    expect(record.data).toMatchObject({
      'pihak-mitra': 'Pemerintah Kabupaten Kediri',
      'jenis-kerja-sama': 'KSDD',
      perihal: 'Kerja sama pengembangan wisata Candi Penataran',
    });
    expect(record.pemohon.telepon).toBe('0342 123456');
    expect(receipt.text).toContain(rt.app.catalog.pemda('kab-blitar').formatDateTime(new Date(record.createdAt)));
    const lacak = /id="tautan-lacak" href="([^"]+)"/.exec(receipt.text)![1]!;
    expect(lacak).toMatch(new RegExp(`/lacak/${body.intakeId}\\.1\\.[A-Za-z0-9_-]{32}$`));
    // The receipt email carries the same link.
    const mail = await eventually(async () =>
      (await readMailbox(rt.dataDir)).find(
        (m) => /^Permohonan diterima/.test(m.subject) && m.text?.includes(body.intakeId),
      ),
    );
    expect(mail.text).toContain(lacak);
    // A receipt address that was altered shows nothing.
    expect((await web(rt, `/permohonan/tanda-terima/${body.intakeId}?k=AAAA`)).status).toBe(404);

    // The progress page: status, the current step with its Mutu Baku, no internal papers.
    const path = new URL(lacak).pathname;
    const progress = await eventually(async () => {
      const page = await web(rt, path);
      return page.text.includes('id="langkah-sekarang"') && page;
    });
    expect(progress.status).toBe(200);
    expect(progress.text).toContain('Sedang diproses');
    expect(progress.text).toMatch(/id="langkah-sekarang">Langkah 1 — /);
    expect(progress.text).toContain('Pemerintah Kabupaten Kediri');
    expect(progress.text).not.toContain('/tugas/');
    // A tampered capability, or one of another version, is refused.
    const tampered = path.slice(0, -1) + (path.endsWith('A') ? 'B' : 'A');
    expect((await web(rt, tampered)).status).toBe(404);
    expect((await web(rt, path.replace('.1.', '.2.'))).status).toBe(404);

    // Withdrawal from the progress page: its token is required, and so is a reason.
    const token = /name="_token" value="([^"]+)"/.exec(progress.text)![1]!;
    const noToken = await web(rt, `${path}/tarik`, { form: { alasan: 'Tidak jadi mengajukan' } });
    expect(noToken.status).toBe(403);
    const noReason = await web(rt, `${path}/tarik`, { form: { _token: token, alasan: 'x' } });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Alasan paling sedikit 5 karakter');
    expect((await rt.app.store.getCase(body.intakeId))!.status).toBe('aktif');
    const withdrawn = await web(rt, `${path}/tarik`, {
      form: { _token: token, alasan: 'Kerja sama akan diajukan oleh dinas lain' },
    });
    expect(withdrawn.status, withdrawn.text).toBe(200);
    expect(withdrawn.text).toContain('Permohonan ditarik');
    const after = await web(rt, path);
    expect(after.text).toContain('Ditarik oleh pemohon');
    expect(after.text).toContain('Kerja sama akan diajukan oleh dinas lain');
    expect(after.text).not.toContain('name="_token"');
    expect((await rt.app.store.getCase(body.intakeId))!.status).toBe('dibatalkan');

    // A revoked tracking link shows nothing; the new one works.
    const renewed = await rt.app.caseAdmin.renewTracking(body.intakeId, { id: 'uji', nama: 'Uji', jabatan: 'Uji' });
    expect((await web(rt, path)).status).toBe(404);
    expect((await web(rt, new URL(renewed.url).pathname)).status).toBe(200);
    // The receipt (which never expires) does not hand out the new link: revoking shuts out whoever holds it.
    const receiptAfter = await web(rt, body.tandaTerima);
    expect(receiptAfter.status).toBe(200);
    expect(receiptAfter.text).not.toContain('/lacak/');
    expect(receiptAfter.text).toContain('id="tautan-lacak-diganti"');

    // The signed-in pemohon's list links the case to its console page; without a session it asks to sign in.
    const pemohon = sessionFor(rt, PEMOHON_BLITAR);
    const mine = await web(rt, '/permohonan/saya', { cookie: pemohon.cookie });
    expect(mine.status).toBe(200);
    expect(mine.text).toContain(`href="/konsol/kasus/${body.intakeId}"`);
    expect((await web(rt, '/permohonan/saya')).status).toBe(303);
  }, 60_000);

  it('starts the case of a signed-in pemohon at once: their session stands for the address', async () => {
    const pemohon = sessionFor(rt, PEMOHON_BLITAR);
    const { status, body } = await submitThroughForm(PDFS, {}, pemohon.cookie);
    expect(status).toBe(200);
    const record = await eventually(async () => rt.app.store.getCase(body.intakeId));
    expect(record.pemohon.email).toBe(PEMOHON.email);
    // The case item is written first, its first history fact right after it.
    const received = await eventually(async () =>
      (await rt.app.store.listHistory(body.intakeId)).find((e) => e.type === 'permohonan-diterima'),
    );
    expect(received.detail).toMatchObject({
      konfirmasi: 'masuk sebagai pemohon',
    });
    expect(
      (await readMailbox(rt.dataDir)).filter(
        (m) => m.subject.startsWith('Konfirmasi permohonan') && m.subject.includes(body.intakeId),
      ),
    ).toHaveLength(0);
  }, 60_000);

  it('tells the pemohon on the receipt when a file’s content is not what its name says', async () => {
    // Act: a PNG named .pdf passes the form's check by name; the intake checks the content.
    const { status, body } = await submitThroughForm([
      { slot: 'surat-permohonan', name: 'surat.pdf', bytes: samplePng() },
      PDFS[1]!,
    ]);
    expect(status).toBe(200);
    const receipt = await eventually(async () => {
      const page = await web(rt, body.tandaTerima);
      return page.status === 422 && page;
    });

    // Assert
    expect(receipt.text).toContain('Permohonan belum dapat diterima');
    expect(receipt.text).toContain('isi berkas &quot;surat.pdf&quot; bukan PDF');
    expect(await rt.app.store.getCase(body.intakeId)).toBeUndefined();
  }, 60_000);

  it('tells the contact on the receipt that the confirmation email was refused, and stops reloading', async () => {
    // Arrange: a contact who is not signed in, at an address the mail service refuses (as the SES sandbox does).
    const email = 'kontak.tertolak@mitra.test';
    process.env['SEPAKAT_LOCAL_SES_REJECT'] = email;
    try {
      // Act
      const { status, body } = await submitThroughForm(PDFS, {
        pemohon: { nama: 'Kontak Tertolak', email, instansi: PEMOHON.instansi, telepon: '0342 123456' },
      });
      expect(status).toBe(200);
      const receipt = await eventually(async () => {
        const page = await web(rt, body.tandaTerima);
        return page.text.includes('id="konfirmasi-ditolak"') && page;
      });

      // Assert: the page says why nothing will come, and how to go on; it no longer reloads itself.
      expect(receipt.status).toBe(200);
      expect(receipt.text).toContain('Email konfirmasi ditolak');
      expect(receipt.text).toContain(`tidak dapat dikirim ke ${maskEmail(email)}: alamat ditolak server email`);
      // Back to the form of the same SOP (its files have to be sent again).
      expect(receipt.text).toContain(`href="/permohonan/baru?sop&#x3D;${SOP}"`);
      expect(receipt.text).not.toContain('window.location.reload');
      expect(receipt.text).not.toContain('id="menunggu-konfirmasi"');
      // The refusal is the one fact of that email; no case was started and no email went out for it.
      expect(await rt.app.store.getHistory(`konfirmasi-${body.intakeId}`, 'konfirmasi#email#gagal')).toMatchObject({
        type: 'email-gagal',
        detail: { to: [email] },
      });
      expect(await rt.app.store.getCase(body.intakeId)).toBeUndefined();
      expect((await readMailbox(rt.dataDir)).filter((m) => m.to.includes(email))).toEqual([]);

      // Refused on the pemda's side instead (its SES domain or account): not the contact's fault, and a later sweep
      // may still send it; the page says so, asks for nothing again, and keeps waiting.
      const intakes = new DynamoDbIntakeStore(rt.app.clients.dynamodb, rt.app.config.SEPAKAT_TABLE_INTAKE);
      const refused = (await intakes.get(body.intakeId))!.konfirmasiEmail!;
      expect(refused).toMatchObject({ hasil: 'ditolak', kode: 'alamat-ditolak' });
      await intakes.transition(body.intakeId, ['menunggu-konfirmasi'], 'menunggu-konfirmasi', {
        konfirmasiEmail: { ...refused, kode: 'pengirim-ditolak' },
      });
      const pending = await web(rt, body.tandaTerima);
      expect(pending.text).toContain('id="konfirmasi-tertunda"');
      expect(pending.text).toContain('bukan karena alamat Anda');
      // Whom to ask: the pemda's liaison unit of its agreements, with its address.
      expect(pending.text).toContain('hubungi Bagian Tata Pemerintahan Sekretariat Daerah Kabupaten Blitar');
      expect(pending.text).toContain('window.location.reload');
      expect(pending.text).not.toContain('href="/permohonan/baru"');

      // The address is accepted after all: the sweep's resend goes, and the page says the link was sent.
      delete process.env['SEPAKAT_LOCAL_SES_REJECT'];
      await rt.app.intake.sweep();
      const sent = await readMailbox(rt.dataDir);
      expect(sent.filter((m) => m.to.includes(email) && m.subject.startsWith('Konfirmasi permohonan'))).toHaveLength(1);
      expect((await intakes.get(body.intakeId))!.konfirmasiEmail).toMatchObject({ hasil: 'terkirim' });
      const waiting = await web(rt, body.tandaTerima);
      expect(waiting.text).toContain('id="menunggu-konfirmasi"');
      expect(waiting.text).not.toContain('id="konfirmasi-ditolak"');
    } finally {
      delete process.env['SEPAKAT_LOCAL_SES_REJECT'];
    }
  }, 60_000);
});
