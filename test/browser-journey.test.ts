import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf } from '../cli/drive.ts';
import { formatCaseNumber } from '../core/case/case-number.ts';
import { chromiumArgs, chromiumExecutablePath } from '../functions/render/chromium.ts';
import { readMailbox, type StoredMail } from '../local/ses/local-ses.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { loadSeedUsers } from '../local/cognito/seed-users.ts';
import { MITRA, NASKAH } from './support/kasus.ts';
import { eventually, startTestRuntime } from './support/runtime.ts';

/**
 * One browser journey through the Blitar SOP, from intake to archive, as the people do it: headless Chromium (the
 * @sparticuz/chromium binary, driven by playwright-core) on 127.0.0.1 against the embedded default. The pemohon fills
 * the form and uploads the files; each official opens the email in the local outbox, follows its link, fills the
 * task form (uploads, a confirmation code from the email for paraf and signature) and decides; the archivist signs
 * in, finds the signed naskah and downloads it. Screenshots of the main pages go to a temporary directory, and to
 * `test/screenshots/` when SEPAKAT_SCREENSHOTS=1 (the committed ones are made that way).
 */
const SOP = 'blitar-pengkoordinasian-nota-kesepakatan';
/** The seeded pemohon account of the Dinas Pendidikan (config/pengguna/kab-blitar.yaml). */
const PEMOHON = {
  nama: 'Operator Kerja Sama Dinas Pendidikan',
  email: 'disdik@blitarkab.test',
  instansi: 'Dinas Pendidikan Kabupaten Blitar',
};
const SRIKANDI = '000.5.4/512/409.1.1/2026';
const VALUES: Record<string, string> = { ...NASKAH, 'naskah-jenis': 'nota-kesepakatan', 'nomor-srikandi': SRIKANDI };
const FORWARD = ['lanjut', 'ya', 'disepakati', 'setuju'];

describe('the Blitar SOP in a browser, from intake to archive', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let browser: Browser;
  const shots = mkdtempSync(join(tmpdir(), 'sepakat-layar-'));
  const files = mkdtempSync(join(tmpdir(), 'sepakat-berkas-'));

  beforeAll(async () => {
    rt = await startTestRuntime();
    browser = await chromium.launch({
      executablePath: await chromiumExecutablePath(),
      // Several contexts (the pemohon, an official, the console) in one browser: not single-process.
      args: chromiumArgs({ singleProcess: false }),
      headless: true,
    });
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
    rmSync(files, { recursive: true, force: true });
  });

  /** The page as the person sees it: the first screenful, or the whole page when it is short. */
  const shot = (page: Page, name: string, fullPage = true) =>
    page.screenshot({ path: join(shots, `${name}.png`), fullPage });

  /** A sample file on disk for an `<input type=file>`. */
  function fileFor(name: string): string {
    const path = join(files, name);
    writeFileSync(path, samplePdf(name));
    return path;
  }

  /** The first mail not seen before that matches. */
  async function nextMail(seen: Set<string>, match: (m: StoredMail) => boolean): Promise<StoredMail> {
    return eventually(
      async () => (await readMailbox(rt.dataDir)).find((m) => !seen.has(m.messageId) && match(m)),
      60_000,
    );
  }

  /** Fills a task form as a person would: every field from VALUES or a plausible value, files, the forward choice. */
  async function fillTask(page: Page, code?: string): Promise<string> {
    for (const input of await page.locator('#form-tugas [name^="f_"]').all()) {
      const name = (await input.getAttribute('name'))!.slice(2);
      const tag = await input.evaluate((el) => el.tagName.toLowerCase());
      const type = (await input.getAttribute('type')) ?? tag;
      const value = VALUES[name];
      if (tag === 'select') {
        const options = await input
          .locator('option')
          .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value).filter(Boolean));
        await input.selectOption(value && options.includes(value) ? value : options[0]!);
      } else if (type === 'checkbox') await input.check();
      else if (type === 'date') await input.fill('2026-12-01');
      else if (type === 'datetime-local') await input.fill('2026-12-01T09:00');
      else if (type === 'number') await input.fill(value ?? '1');
      else if (!(await input.inputValue())) await input.fill(value ?? `Isian ${name}`);
    }
    for (const input of await page.locator('#form-tugas input[type=file][data-slot]').all()) {
      const slot = (await input.getAttribute('data-slot'))!;
      await input.setInputFiles(fileFor(`${slot}.pdf`));
      await expect.poll(() => page.locator(`[data-status="${slot}"]`).textContent()).toMatch(/Terunggah/);
    }
    const choices = await page
      .locator('input[name=pilihan]')
      .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    const choice = choices.find((c) => FORWARD.includes(c)) ?? choices[0]!;
    await page.check(`input[name=pilihan][value="${choice}"]`);
    await page.fill('#catatan', `Sudah diperiksa; ${choice}.`);
    if (code) await page.fill('#kode', code);
    // A paraf or signature page: its pages were shown above the form; the official confirms having read them.
    const read = page.locator('input[name=sudahDibaca]');
    if (await read.count()) await read.check();
    return choice;
  }

  it('takes a permohonan through every step in the browser and the archivist downloads the signed naskah', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const web = rt.urls.web;

    // The pemohon: the intake form, files uploaded straight to the intake bucket, the receipt with the case number.
    await page.goto(web);
    await shot(page, '00-beranda', false);
    await Promise.all([page.waitForURL(/\/permohonan\/baru$/), page.click('#tautan-permohonan')]);
    await Promise.all([page.waitForURL(/\/permohonan\/baru\?sop=/), page.click(`a[href$="?sop=${SOP}"]`)]);
    // An empty form flags every missing required field at once, not only the files.
    await page.click('#kirim');
    for (const name of ['nama', 'email', 'instansi', 'perihal', 'd_pihak-mitra', 'berkas_surat-permohonan'])
      await expect.poll(() => page.textContent(`[data-salah="${name}"]`)).toMatch(/wajib/);
    await page.fill('#nama', PEMOHON.nama);
    await page.fill('#email', PEMOHON.email);
    await page.fill('#instansi', PEMOHON.instansi);
    await page.fill('#perihal', 'Kerja sama pengelolaan sampah regional');
    await page.fill('[name="d_pihak-mitra"]', MITRA);
    await page.selectOption('[name="d_jenis-kerja-sama"]', 'KSDD');
    for (const input of await page.locator('input[type=file][name^="berkas_"]').all())
      await input.setInputFiles(fileFor(`${(await input.getAttribute('name'))!.slice(7)}.pdf`));
    await shot(page, '01-permohonan-baru');
    await page.click('#kirim');
    await page.waitForURL(/\/permohonan\/tanda-terima\//, { timeout: 30_000 });
    // Not signed in: the receipt asks the contact to confirm the address; the emailed link's page confirms it.
    await page.locator('#menunggu-konfirmasi').waitFor({ timeout: 30_000 });
    await shot(page, '02a-menunggu-konfirmasi');
    const confirmation = await nextMail(new Set(), (m) => m.subject.startsWith('Konfirmasi permohonan'));
    await page.goto(confirmation.links.find((l) => l.includes('/permohonan/konfirmasi/'))!);
    await shot(page, '02b-konfirmasi');
    await Promise.all([page.waitForURL(/\/permohonan\/tanda-terima\//), page.click('#konfirmasi')]);
    // The receipt refreshes itself until the case exists.
    const caseId = (await page.locator('#nomor-kasus data').getAttribute('value', { timeout: 30_000 }))!;
    expect(caseId).toMatch(/^\d{8}-/);
    await shot(page, '02-tanda-terima');

    // The officials: each task email in the outbox, its link, the form, the decision.
    const seen = new Set<string>();
    const acted: string[] = [];
    for (let guard = 0; guard < 40; guard++) {
      // The next task email of the case, or the pemohon's email that the case has ended.
      const next = await eventually(async () => {
        const mails = await readMailbox(rt.dataDir);
        const task = mails.find(
          (m) => !seen.has(m.messageId) && /^Tugas baru: /.test(m.subject) && !!m.text?.includes(caseId),
        );
        if (task) return { task };
        const ended = mails.some((m) => m.to.includes(PEMOHON.email) && /^Permohonan selesai/.test(m.subject));
        return ended ? { task: undefined } : undefined;
      }, 60_000).catch(async () => {
        const history = await rt.app.store.listHistory(caseId);
        throw new Error(
          `no new task after ${acted.join(' ')}; last facts: ${history
            .slice(-5)
            .map((e) => `${e.type} ${e.node ?? ''} ${JSON.stringify(e.detail ?? {}).slice(0, 300)}`)
            .join(' / ')}`,
        );
      });
      if (!next.task) break;
      const mail = next.task;
      seen.add(mail.messageId);
      const node = /^Tugas baru: (\S+)/.exec(mail.subject)![1]!;
      await page.goto(`${web}/kotak-keluar`);
      if (acted.length === 0) await shot(page, '03-kotak-keluar');
      await page.goto(`${web}/kotak-keluar/${encodeURIComponent(mail.messageId)}`);
      await Promise.all([page.waitForURL(/\/tugas\//), page.locator('a[href*="/tugas/"]').first().click()]);
      const link = page.url();
      let code: string | undefined;
      if (await page.locator('#kode').count()) {
        const before = new Set((await readMailbox(rt.dataDir)).map((m) => m.messageId));
        // A note typed before asking for the code is still there when the form comes back with the notice.
        await page.fill('#catatan', 'Catatan sebelum meminta kode');
        await page.click('#kirim-kode');
        await expect.poll(() => page.textContent('main')).toMatch(/Kode dikirim/);
        expect(await page.inputValue('#catatan')).toBe('Catatan sebelum meminta kode');
        const codeMail = await nextMail(
          before,
          (m) => /^Kode konfirmasi/.test(m.subject) && m.to.includes(mail.to[0]!),
        );
        code = /^\s*(\d{6})\s*$/m.exec(codeMail.text ?? '')![1];
      }
      const choice = await fillTask(page, code);
      if (acted.length === 0) {
        // The same task page on a phone.
        const phone = await browser.newContext({
          viewport: { width: 390, height: 844 },
          isMobile: true,
          hasTouch: true,
        });
        const small = await phone.newPage();
        await small.goto(link);
        await shot(small, '12-ponsel-tugas', false);
        await phone.close();
      }
      if (node === 'L9.3') {
        await shot(page, '04-tugas-tanda-tangan', false);
        // Meanwhile, the Bagian's pelaksana follows the case in the console: the Bupati's signature is the current step.
        const staff = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
        const console = await staff.newPage();
        await signIn(console, 'penata1@blitarkab.test');
        await console.goto(`${web}/konsol`);
        await expect.poll(() => console.textContent('main')).toContain(formatCaseNumber(caseId));
        await shot(console, '06-dasbor');
        await console.goto(`${web}/konsol/kasus/${caseId}`);
        await shot(console, '07-halaman-kasus', false);
        await console.locator('#bagan-alur').screenshot({ path: join(shots, '08-alur-sop.png') });
        await staff.close();
      }
      await Promise.all([page.waitForNavigation(), page.click('#kirim-keputusan')]);
      const heading = (await page.textContent('h1')) ?? '';
      if (!/Keputusan (Anda sudah )?tercatat/.test(heading))
        throw new Error(
          `${node}: ${heading}: ${(await page.locator('.kotak-salah, .salah').allTextContents()).join(' | ')}`,
        );
      acted.push(`${node}:${choice}`);
    }
    expect(acted.length).toBeGreaterThan(8);
    // The pemohon is told before the case summary is closed (a crash in between completes it on resume).
    await eventually(async () => (await rt.app.store.getCase(caseId))?.status === 'selesai');

    // The pemohon signs in and finds the case among theirs.
    await signIn(page, PEMOHON.email);
    await page.goto(`${web}/permohonan/saya`);
    await expect.poll(() => page.textContent('main')).toContain(formatCaseNumber(caseId));
    await shot(page, '05-permohonan-saya');
    await signOut(page);

    // The pelaksana's Mutu Baku page now has the finished case's steps.
    await signIn(page, 'penata1@blitarkab.test');
    await page.goto(`${web}/konsol/mutu-baku`);
    await expect.poll(() => page.locator('tr[data-langkah]').count()).toBeGreaterThan(5);
    await shot(page, '09-mutu-baku', false);
    await signOut(page);

    // The archivist: sign in, find the agreement by its number, download the signed naskah.
    await signIn(page, 'arsip@blitarkab.test');
    await page.goto(`${web}/arsip?nomor=${encodeURIComponent(SRIKANDI)}`);
    await shot(page, '10-arsip-cari');
    await page.locator(`a:has-text("${SRIKANDI}")`).first().click();
    await page.waitForLoadState('load');
    await shot(page, '11-arsip-entri');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('form[action*="/arsip/unduh/"] button').first().click(),
    ]);
    const bytes = readFileSync((await download.path())!);
    const signed = (await rt.app.documents.listByCase(caseId)).find((d) => d.kind === 'naskah-ditandatangani')!;
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(signed.sha256);
    const history = await rt.app.store.listHistory(caseId);
    expect(history.some((e) => e.type === 'dokumen-diunduh' && e.who?.nama && e.detail?.docId === signed.docId)).toBe(
      true,
    );
    await context.close();
  }, 600_000);

  async function signIn(page: Page, email: string) {
    await page.goto(`${rt.urls.web}/masuk`);
    await page.fill('#email', email);
    await page.fill('#kata-sandi', developmentPassword(email));
    await Promise.all([page.waitForLoadState('load'), page.click('form button[type=submit]')]);
  }
  async function signOut(page: Page) {
    await Promise.all([page.waitForURL(/\/masuk/), page.click('form.keluar button')]);
  }
  function developmentPassword(email: string): string {
    return loadSeedUsers(join(PROJECT_ROOT, 'config')).find((u) => u.email === email)!.password;
  }
});
