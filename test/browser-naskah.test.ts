import { developmentPassphrase } from '../local/bsre/development-users.ts';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, samplePdf, submitPermohonan } from '../cli/drive.ts';
import { chromiumArgs, chromiumExecutablePath } from '../functions/render/chromium.ts';
import { readMailbox, type StoredMail } from '../local/ses/local-ses.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { firstRevision, MITRA, NASKAH } from './support/kasus.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * The naskah people sign, in a browser (issue 13): the Kota SOP through headless Chromium (playwright-core and the
 * product's Chromium), at 1280 px and at 390 px, asserting no horizontal overflow on every page it shows. A letter
 * signed by its signer and verified; the konsep drafted in the pasal editor (its JavaScript at work); a reviewer
 * seeing the marked changes; a paraf and a signature whose pages are shown, the signed PDF's unsigned revision being
 * exactly the PDF shown; the completion email with the signed PDF and the certificate attached. The other steps are
 * taken by the scripted officials of cli/drive.ts. Screenshots go to `test/screenshots/` with SEPAKAT_SCREENSHOTS=1.
 */
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const OWN =
  'Kesepakatan Bersama ini menjadi pedoman PARA PIHAK untuk mengelola sampah regional secara terpadu, dari pemilahan di sumber sampai pengolahan akhir.';

describe('the Kota SOP in a browser: drafting, reviewing, initialling, signing, the completion package', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let browser: Browser;
  let caseId: string;
  const shots = mkdtempSync(join(tmpdir(), 'sepakat-layar-naskah-'));

  beforeAll(async () => {
    rt = await startTestRuntime();
    browser = await chromium.launch({
      executablePath: await chromiumExecutablePath(),
      args: chromiumArgs({ singleProcess: false }),
      headless: true,
    });
    const { intakeId } = await submitPermohonan(
      rt,
      permohonanFor(
        rt,
        'kota-penyusunan-kesepakatan-bersama',
        { 'pihak-mitra': MITRA },
        'Kerja sama pengelolaan sampah',
      ),
    );
    caseId = intakeId;
    await eventually(async () => (await rt.app.store.getCase(caseId))?.cursor);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await rt?.cleanup();
    if (process.env.SEPAKAT_SCREENSHOTS === '1') {
      const target = join(PROJECT_ROOT, 'test', 'screenshots');
      mkdirSync(target, { recursive: true });
      for (const name of readdirSync(shots)) copyFileSync(join(shots, name), join(target, name));
    }
    rmSync(shots, { recursive: true, force: true });
  });

  const desktop = () => browser.newContext({ viewport: { width: 1280, height: 900 } });
  const phone = () => browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  /** The page fits its viewport: no horizontal scrolling. */
  async function fits(page: Page) {
    const { scroll, width } = await page.evaluate(() => {
      const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
      return { scroll: g.document.documentElement.scrollWidth, width: g.innerWidth };
    });
    expect(scroll, page.url()).toBeLessThanOrEqual(width);
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
  const drive = (stopAt?: string) =>
    driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      values: NASKAH,
      ...(stopAt ? { stopAt } : {}),
      alreadyDone: () => true,
      timeoutMs: 200_000,
    });

  /** Asks for the confirmation code on the page, reads it from the outbox and types it in. */
  async function enterCode(page: Page, to: string) {
    const before = new Set((await readMailbox(rt.dataDir)).map((m) => m.messageId));
    await page.click('#kirim-kode');
    await expect.poll(() => page.textContent('main')).toMatch(/Kode dikirim/);
    const mail = await eventually(async () =>
      (await readMailbox(rt.dataDir)).find(
        (m) => !before.has(m.messageId) && /^Kode konfirmasi/.test(m.subject) && m.to.includes(to),
      ),
    );
    await page.fill('#kode', /^\s*(\d{6})\s*$/m.exec(mail.text ?? '')![1]!);
  }

  /** Reads the signing page's pages and SHA-256, ticks "read", enters the code and performs the act. */
  async function sign(page: Page, to: string, button: RegExp): Promise<string> {
    const images = page.locator('img[src*="/halaman/"]');
    expect(await images.count()).toBeGreaterThan(0);
    for (const img of await images.all()) {
      await img.scrollIntoViewIfNeeded();
      await expect
        .poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth))
        .toBeGreaterThan(0);
    }
    const shown = (await page.textContent('#sha256-dokumen'))!.trim();
    expect(shown).toMatch(/^[0-9a-f]{64}$/);
    // The act's choice (the forward one), then the confirmation of having read the pages.
    const choices = await page
      .locator('input[name=pilihan]')
      .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    await page.check(`input[name=pilihan][value="${choices.includes('lanjut') ? 'lanjut' : choices[0]!}"]`);
    await page.check('input[name=sudahDibaca]');
    if (await page.locator('#kode').count()) await enterCode(page, to);
    // Kota Contoh signs through (the local) BSrE: the official types their TTE passphrase.
    if (await page.locator('#passphraseTte').count()) {
      const who = (await page.getAttribute('#passphraseTte', 'data-orang'))!;
      await page.fill('#passphraseTte', developmentPassphrase(join(rt.dataDir, 'bsre'), who));
    }
    await expect(page.locator('#kirim-keputusan').textContent()).resolves.toMatch(button);
    await Promise.all([page.waitForNavigation(), page.click('#kirim-keputusan')]);
    const refused = await page.locator('.salah, .kotak-salah').allTextContents();
    expect(await page.textContent('h1'), refused.join(' | ')).toMatch(/Keputusan (Anda sudah )?tercatat/);
    return shown;
  }

  let context: BrowserContext;
  it('has the Surat Undangan signed by the Kepala Bagian it names, and it verifies', async () => {
    const stop = (await drive('L4.2')).stoppedAt!;
    context = await desktop();
    const page = await context.newPage();
    await page.goto(stop.link);
    await fits(page);
    await shot(page, '13-surat-untuk-ditandatangani');
    await sign(page, stop.mail.to[0]!, /Tandatangani secara elektronik/);
    const letter = await eventually(async () =>
      (await rt.app.documents.listByCase(caseId)).find((d) => d.kind === 'surat-undangan-ditandatangani'),
    );
    await page.goto(`${rt.urls.web}/verifikasi/${letter.docId}`);
    await fits(page);
    expect(await page.textContent('main')).toContain('Hendra Gunawan');
    expect(await page.textContent('main')).toContain(letter.nomor!);
    await shot(page, '14-surat-terverifikasi');
    expect((await rt.app.register('kota-contoh').get(letter.nomor!))?.status).toBe('dipakai');
    await context.close();
  }, 240_000);

  it('drafts the konsep in the pasal editor (JavaScript replaces the editor in place) and saves a version', async () => {
    const stop = (await drive('L6')).stoppedAt!;
    for (const open of [phone, desktop]) {
      context = await open();
      const page = await context.newPage();
      await page.goto(stop.link);
      await fits(page);
      if (open === phone) {
        await shot(page, '15-editor-naskah-ponsel');
        await context.close();
        continue;
      }
      // Insert a pasal after Pasal 2: the editor comes back in place (no navigation), the new pasal third.
      const url = page.url();
      await page.click('button[value="tambah-pasal:ruang-lingkup"]');
      await expect.poll(() => page.locator('.pasal-editor').count()).toBe(8);
      expect(page.url()).toBe(url);
      const fresh = page.locator('.pasal-editor').nth(2);
      await fresh.locator('input[name^="n_judul_"]').fill('Pembagian Tugas');
      await fresh
        .locator('textarea[name^="n_ayat_"]')
        .fill(
          'PARA PIHAK membagi tugas sebagai berikut:\nPIHAK KESATU menyediakan lahan;\nPIHAK KEDUA menyediakan armada angkut.',
        );
      await page.fill('textarea[name="n_ayat_maksud-tujuan_maksud-tujuan-1"]', OWN);
      await page.click('#simpan-konsep');
      await expect.poll(() => page.textContent('#editor-naskah')).toContain('Konsep tersimpan sebagai versi 1.');
      await fits(page);
      await page.locator('#editor-naskah').screenshot({ path: join(shots, '16-editor-naskah.png') });
      // The decision: the form's other fields, then send.
      for (const input of await page.locator('#form-tugas [name^="f_"]').all()) {
        const type = (await input.getAttribute('type')) ?? (await input.evaluate((el) => el.tagName.toLowerCase()));
        const name = (await input.getAttribute('name'))!.slice(2);
        if (type === 'date') await input.fill('2026-12-01');
        else if (type === 'number') await input.fill('5');
        else if (!(await input.inputValue()))
          await input.fill((NASKAH as Record<string, string>)[name] ?? `Isian ${name}`);
      }
      for (const input of await page.locator('#form-tugas input[type=file][data-slot]').all()) {
        const slot = (await input.getAttribute('data-slot'))!;
        await input.setInputFiles({ name: `${slot}.pdf`, mimeType: 'application/pdf', buffer: samplePdf(slot) });
        await expect.poll(() => page.locator(`[data-status="${slot}"]`).textContent()).toMatch(/Terunggah/);
      }
      await page.check('input[name=pilihan] >> nth=0');
      await Promise.all([page.waitForNavigation(), page.click('#kirim-keputusan')]);
      expect(await page.textContent('h1')).toMatch(/Keputusan tercatat/);
      await context.close();
    }
    const konsep = await eventually(async () =>
      (await rt.app.documents.listByCase(caseId)).find((d) => d.kind === 'konsep-naskah' && d.meta?.versiNaskah === 1),
    );
    expect(konsep).toBeDefined();
  }, 240_000);

  it('shows the Asisten the marked changes on a phone, and the officials initial and sign the pages shown', async () => {
    // L9: the Asisten corrects the konsep; he never acted on it, so he sees version 1 against the outline.
    const l9 = (await drive('L9')).stoppedAt!;
    context = await phone();
    let page = await context.newPage();
    await page.goto(l9.link);
    await fits(page);
    const changes = page.locator('#perubahan-naskah');
    expect(await changes.locator('ins').count()).toBeGreaterThan(0);
    expect(await changes.locator('del').count()).toBeGreaterThan(0);
    expect(await changes.textContent()).toContain('Pembagian Tugas');
    await changes.scrollIntoViewIfNeeded();
    await shot(page, '17-perubahan-naskah-ponsel');
    await context.close();

    // A paraf (L11.1, the Kasubbag's paraf hierarki) on a phone: the konsep's pages shown, then "Bubuhkan paraf".
    const l11 = (await drive('L11.1')).stoppedAt!;
    context = await phone();
    page = await context.newPage();
    await page.goto(l11.link);
    await fits(page);
    await shot(page, '18-paraf-ponsel');
    await sign(page, l11.mail.to[0]!, /Bubuhkan paraf/);
    await context.close();

    // The Walikota's signature (L12.2) at 1280 px: the final naskah's pages; the signed PDF is exactly that PDF
    // plus the signature.
    const l12 = (await drive('L12.2')).stoppedAt!;
    context = await desktop();
    page = await context.newPage();
    await page.goto(l12.link);
    await fits(page);
    await shot(page, '19-tanda-tangan-walikota');
    const shown = await sign(page, l12.mail.to[0]!, /Tandatangani secara elektronik/);
    await context.close();
    const signed = await eventually(async () =>
      (await rt.app.documents.listByCase(caseId)).find((d) => d.kind === 'naskah-ditandatangani'),
    );
    expect(sha256(firstRevision(await rt.app.documents.read(signed)))).toBe(shown);
  }, 300_000);

  it('sends every party the signed naskah and the Lembar Riwayat Penandatanganan', async () => {
    expect((await drive()).outcome).toBe('selesai');
    const mail: StoredMail = await eventually(async () =>
      (await readMailbox(rt.dataDir)).find(
        (m) =>
          m.to.includes(PEMOHON.email) &&
          /telah ditandatangani para pihak/.test(m.subject) &&
          !!m.text?.includes(`Nomor kasus: ${caseId}`),
      ),
    );
    const parsed = await simpleParser(readFileSync(join(rt.dataDir, 'mail', mail.emlFile)));
    const names = parsed.attachments.map((a) => a.filename ?? '');
    expect(names.some((n) => /^naskah/.test(n))).toBe(true);
    expect(names.some((n) => /riwayat/i.test(n))).toBe(true);
    const signed = (await rt.app.documents.listByCase(caseId)).find((d) => d.kind === 'naskah-ditandatangani')!;
    expect(parsed.attachments.map((a) => sha256(a.content))).toContain(signed.sha256);
  }, 300_000);
});
