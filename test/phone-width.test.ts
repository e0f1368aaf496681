import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, submitPermohonan } from '../cli/drive.ts';
import type { Principal } from '../core/access/access.ts';
import { chromiumArgs, chromiumExecutablePath } from '../functions/render/chromium.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { BLITAR_SOP, at, registerFinishedCase } from './support/agreements.ts';
import { PEMOHON_BLITAR, PRINCIPALS, sessionFor } from './support/console.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * Phones (issue 13, item 10): at 390 px (an iPhone 12–15 in portrait) no page is wider than the screen, and on a task
 * page the decision comes before the history unless the history is opened. The pages are loaded in the product's
 * Chromium (@sparticuz/chromium through playwright-core) as a phone loads them (its viewport, the page's meta
 * viewport): the main pages of every kind of visitor — home, intake form, a task page with its history, the console's
 * case page, the archive, the tracking page, "Tugas saya" — and every page linked from them. A page fits when
 * `document.documentElement.scrollWidth <= 390`: a table may scroll inside its own box, never the page.
 * Screenshots of the main pages go to test/screenshots/ (`ponsel-*.png`) with SEPAKAT_SCREENSHOTS=1.
 */
const WIDTH = 390;

/** What the measurement reads of the page's document. */
interface PageDocument {
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): Iterable<{
    tagName: string;
    id: string;
    className: string;
    getBoundingClientRect(): { right: number };
  }>;
}
const ASISTEN: Principal = {
  sub: 'u-asisten-1',
  email: 'asisten1@blitarkab.test',
  nama: 'Asisten Pemerintahan dan Kesra',
  roles: ['pejabat'],
  pemdaId: 'kab-blitar',
  unit: 'SEKRETARIAT DAERAH',
  personId: 'asisten-1',
};

describe('every page fits a phone 390 px wide', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let browser: Browser;
  let caseId = '';
  let taskPath = '';
  let trackingPath = '';
  let receiptPath = '';
  /** Every local link of every email (task links decided or open, tracking, confirmation): their pages too. */
  let mailed: string[] = [];
  const shots = process.env.SEPAKAT_SCREENSHOTS === '1' ? join(PROJECT_ROOT, 'test', 'screenshots') : undefined;

  beforeAll(async () => {
    rt = await startTestRuntime({ schedulerIntervalMs: 0, intakeSweepIntervalMs: 0 });
    // A Blitar case at the Asisten's paraf (L8.2): ten decisions in its history, uploads and generated documents.
    ({ intakeId: caseId, receipt: receiptPath } = await submitPermohonan(
      rt,
      permohonanFor(rt, BLITAR_SOP, {}, 'Kerja sama pengelolaan sampah regional dan pengembangan bank sampah terpadu'),
    ));
    // A task without a document to read (a signing task shows the pages it signs between the history and the form).
    const driven = await driveCase({ dataDir: rt.dataDir, caseId, pemohonEmail: PEMOHON.email, stopAt: 'L8.1' });
    taskPath = new URL(driven.stoppedAt!.link).pathname;
    const tracking = await eventually(async () =>
      (await readMailbox(rt.dataDir)).flatMap((m) => m.links).find((l) => l.includes(`/lacak/${caseId}.`)),
    );
    trackingPath = new URL(tracking).pathname;
    const origin = new URL(rt.urls.web).origin;
    mailed = [
      ...new Set(
        (await readMailbox(rt.dataDir))
          .flatMap((m) => m.links)
          .map((l) => new URL(l))
          .filter((l) => l.origin === origin)
          .map((l) => l.pathname + l.search),
      ),
    ];
    // A finished case in the register of agreements, for the archive's and the agreement's pages.
    await registerFinishedCase(rt, {
      caseId: '20261102-selesaihpx',
      nomor: '000.5.4/078/409.1.1/2026',
      createdAt: at('2026-11-02 09:00'),
      data: { 'naskah-tanggal': '2026-11-02', 'naskah-jangka-waktu': 1 },
    });
    browser = await chromium.launch({
      executablePath: await chromiumExecutablePath(),
      args: chromiumArgs({ singleProcess: false }),
      headless: true,
    });
    if (shots) mkdirSync(shots, { recursive: true });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await rt?.cleanup();
  });

  /** A phone of one visitor: its viewport, touch, the meta viewport honoured, and their console session if any. */
  async function phone(principal?: Principal): Promise<BrowserContext> {
    const context = await browser.newContext({
      viewport: { width: WIDTH, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    if (principal) {
      const [name, value] = sessionFor(rt, principal).cookie.split(/=(.*)/s) as [string, string];
      await context.addCookies([{ name, value, url: rt.urls.web }]);
    }
    return context;
  }

  /** How wide the page is, and (when too wide) the elements that stick out furthest. */
  const measure = (page: Page) =>
    page.evaluate((width) => {
      // Runs in the page (this project's TypeScript has no DOM library).
      const document = (globalThis as unknown as { document: PageDocument }).document;
      const scrollWidth = document.documentElement.scrollWidth;
      const wide =
        scrollWidth <= width
          ? []
          : [...document.querySelectorAll('body *')]
              .map((e) => ({ e, right: e.getBoundingClientRect().right }))
              .filter((x) => x.right > width + 1)
              .sort((a, b) => b.right - a.right)
              .slice(0, 3)
              .map(
                (x) =>
                  `${x.e.tagName.toLowerCase()}${x.e.id ? `#${x.e.id}` : ''}.${x.e.className} (${Math.round(x.right)})`,
              );
      return { scrollWidth, wide };
    }, WIDTH);

  it('has no horizontal overflow on the main pages of each visitor, nor on any page linked from them', async () => {
    const visitors: {
      who: string;
      principal?: Principal;
      main: [path: string, shot?: string][];
      /** Pages loaded but not followed further. */
      later?: string[];
    }[] = [
      {
        who: 'tamu',
        main: [
          ['/', 'ponsel-beranda'],
          [`/permohonan/baru?sop=${BLITAR_SOP}`, 'ponsel-permohonan-baru'],
          [taskPath, 'ponsel-tugas'],
          [trackingPath, 'ponsel-lacak'],
          [receiptPath],
          ['/verifikasi'],
          ['/masuk'],
          ['/kotak-keluar'],
        ],
      },
      // The page of every emailed link as it reads now (a used task link, a confirmed permohonan: message pages).
      { who: 'email', main: [], later: mailed },
      { who: 'pejabat', principal: ASISTEN, main: [['/tugas-saya', 'ponsel-tugas-saya']] },
      {
        who: 'pelaksana',
        principal: PRINCIPALS.pelaksanaBlitar,
        main: [[`/konsol/kasus/${caseId}`, 'ponsel-halaman-kasus'], ['/konsol', 'ponsel-dasbor'], ['/tugas-saya']],
      },
      { who: 'admin', principal: PRINCIPALS.adminBlitar, main: [[`/konsol/kasus/${caseId}`], ['/konsol/perjanjian']] },
      { who: 'arsiparis', principal: PRINCIPALS.arsiparisBlitar, main: [['/arsip', 'ponsel-arsip']] },
      { who: 'pemohon', principal: PEMOHON_BLITAR, main: [['/permohonan/saya'], [`/konsol/kasus/${caseId}`]] },
    ];
    const origin = new URL(rt.urls.web).origin;
    const offenders: string[] = [];
    let loaded = 0;
    for (const visitor of visitors) {
      const context = await phone(visitor.principal);
      const page = await context.newPage();
      const seen = new Set<string>();
      const queue = [
        ...visitor.main.map(([path, shot]) => ({ path, shot })),
        ...(visitor.later ?? []).map((path) => ({ path, shot: undefined })),
      ];
      // The main pages, then what they link to (one level: the same page kinds with other records repeat).
      const firstLevel = new Set(visitor.main.map(([p]) => p));
      while (queue.length && seen.size < 80) {
        const { path, shot } = queue.shift()!;
        if (seen.has(path)) continue;
        seen.add(path);
        const response = await page.goto(`${origin}${path}`, { waitUntil: 'load' });
        if (!response || !(response.headers()['content-type'] ?? '').startsWith('text/html')) continue;
        loaded++;
        const { scrollWidth, wide } = await measure(page);
        if (scrollWidth > WIDTH) offenders.push(`${visitor.who} ${path}: ${scrollWidth} px — ${wide.join(', ')}`);
        if (shot && shots) await page.screenshot({ path: join(shots, `${shot}.png`) });
        if (!firstLevel.has(path)) continue;
        const links = await page.$$eval('a[href]', (as) => as.map((a) => (a as unknown as { href: string }).href));
        for (const link of links) {
          const url = new URL(link);
          const target = url.pathname + url.search;
          if (url.origin !== origin || seen.has(target) || /\.(csv|pdf)$|^\/keluar/.test(url.pathname)) continue;
          queue.push({ path: target, shot: undefined });
        }
      }
      await context.close();
    }
    expect(offenders).toEqual([]);
    expect(loaded).toBeGreaterThan(25);
  }, 300_000);

  it('puts the decision before the history on a task page, the history folded until opened', async () => {
    const context = await phone();
    const page = await context.newPage();
    await page.goto(`${rt.urls.web}${taskPath}`);
    const history = page.locator('#riwayat-tugas');
    expect(await history.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(false);
    expect(await page.locator('#riwayat-tugas table').isVisible()).toBe(false);
    // The decision follows the folded history at once: no history rows to scroll past.
    const folded = (await history.boundingBox())!;
    const decision = (await page.locator('#form-tugas').boundingBox())!;
    expect(folded.height).toBeLessThan(120);
    expect(decision.y - (folded.y + folded.height)).toBeLessThan(150);
    expect(await page.textContent('main')).toMatch(/Langkah 8 — /);
    // Opened, the history reads as one card per decision, and the page still fits.
    await page.locator('#riwayat-tugas summary').click();
    expect(await page.locator('#riwayat-tugas table').isVisible()).toBe(true);
    const rows = await page.locator('#riwayat-tugas tbody tr').count();
    expect(rows).toBeGreaterThan(5);
    expect((await measure(page)).scrollWidth).toBeLessThanOrEqual(WIDTH);
    if (shots) await page.screenshot({ path: join(shots, 'ponsel-tugas-riwayat.png'), fullPage: true });
    await context.close();
  }, 60_000);
});
