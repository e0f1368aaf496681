import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord, CaseStore } from '../core/case/model.ts';
import { DECISION_VERSION_FIELD } from '../core/naskah/comparison-base.ts';
import { perubahanNaskah, type PerubahanView } from '../core/naskah/diff-view.ts';
import type { NaskahContent, Pasal } from '../core/naskah/content.ts';
import { NaskahVersions } from '../core/naskah/versions.ts';
import { Templates } from '../functions/adapters/page-templates.ts';
import { chromiumArgs, chromiumExecutablePath } from '../functions/render/chromium.ts';
import { webUseCases } from '../functions/web-use-cases.ts';
import { MemoryCaseStore } from './support/memory-ports.ts';
import { startTestRuntime } from './support/runtime.ts';

/**
 * The reviewer's changes as shown: the task page's partial (templates/pages/partials/naskah-perubahan.hbs) through
 * the project's page templates, at 390 px in Chromium, and the printed Lembar Perbandingan Naskah (the export
 * templates/exports/perbandingan-naskah.hbs through the Chromium renderer) from versions stored in the embedded
 * runtime's DynamoDB, as the web's use case gives it, read back with pdf.js (unpdf).
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CASE = 'K-2026-0042';

const pasal = (i: number): Pasal => ({
  id: `p-${i}`,
  judul: `Ketentuan ${i}`,
  ayat: [
    { id: `a-${i}-1`, teks: `PARA PIHAK melaksanakan ketentuan nomor ${i} dengan itikad baik.` },
    { id: `a-${i}-2`, teks: `Ketentuan nomor ${i} berlaku sejak ditandatangani:\nbutir pertama;\nbutir kedua.` },
  ],
});

const v1: NaskahContent = {
  jenis: 'kesepakatan-bersama',
  tentang: 'Kerja Sama Pengelolaan Sampah',
  pertimbangan: [],
  dasar: [],
  pasal: [1, 2, 3, 4, 5, 6, 7, 8].map(pasal),
};
/**
 * Version 2: a pasal inserted at 2 (with markup-like text and a long unbroken address), pasal 4 moved to 7, an ayat
 * of pasal 3 reworded, the judul of pasal 5 changed.
 */
function version2(): NaskahContent {
  const list = [...v1.pasal];
  const p3 = list[2]!;
  list[2] = {
    ...p3,
    ayat: [
      { ...p3.ayat[0]!, teks: 'PARA PIHAK melaksanakan ketentuan nomor 3 secara terpadu dengan itikad baik.' },
      p3.ayat[1]!,
    ],
  };
  list[4] = { ...list[4]!, judul: 'Ketentuan Peralihan' };
  const [p4] = list.splice(3, 1);
  list.splice(5, 0, p4!);
  list.splice(1, 0, {
    id: 'p-baru',
    judul: 'Kerahasiaan',
    ayat: [
      {
        id: 'a-baru-1',
        teks: 'PARA PIHAK menjaga kerahasiaan <script>data</script> dan informasi pada https://kerjasama.kotacontoh.go.id/naskah/000.5.4/001/KS/2026/lampiran-rincian-kegiatan-tahunan.',
      },
    ],
  });
  return { ...v1, pasal: list };
}

const asisten = { id: 'asisten-pem', nama: 'Dra. Sri Wahyuni', jabatan: 'Asisten Pemerintahan dan Kesra' };
const staf = { id: 'kasubbag-ks', nama: 'Budi Santoso', jabatan: 'Kepala Subbagian Kerja Sama' };

/** A case with two saved versions, version 1 decided on by the Asisten. */
async function caseWithVersions(
  store: Pick<CaseStore, 'createCase' | 'appendHistory' | 'getHistory' | 'listHistory'>,
): Promise<void> {
  const record: CaseRecord = {
    caseId: CASE,
    intakeId: 'i-1',
    sopId: 'kota-penyusunan-kesepakatan-bersama',
    sopVersion: 1,
    sopKey: 'kota-penyusunan-kesepakatan-bersama@1',
    pemdaId: 'kota-contoh',
    perihal: 'Kerja Sama Pengelolaan Sampah dengan PT Bersih Lestari',
    pemohon: { nama: 'Rina', email: 'rina@example.com', instansi: 'PT Bersih Lestari' },
    status: 'aktif',
    createdAt: '2026-12-01T01:00:00.000Z',
    data: {},
    files: [],
    cursor: null,
    visits: {},
  };
  await store.createCase(record);
  const versions = new NaskahVersions(store);
  await versions.save({ caseId: CASE, dasar: 0, content: v1, by: staf, at: '2026-12-01T02:00:00.000Z' });
  await store.appendHistory({
    caseId: CASE,
    eventKey: '00004#diputuskan',
    type: 'tugas-diputuskan',
    at: '2026-12-01T03:00:00.000Z',
    seq: 4,
    who: asisten,
    choice: 'kembalikan',
    detail: { values: {}, [DECISION_VERSION_FIELD]: 1 },
  });
  await versions.save({ caseId: CASE, dasar: 1, content: version2(), by: staf, at: '2026-12-02T07:30:00.000Z' });
}

/** Templates with one extra page that includes the partial as the task page will. */
function probeTemplates(): { templates: Templates; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sepakat-halaman-'));
  symlinkSync(join(ROOT, 'templates', 'email'), join(dir, 'email'));
  cpSync(join(ROOT, 'templates', 'pages'), join(dir, 'pages'), { recursive: true });
  writeFileSync(join(dir, 'pages', 'coba-perubahan.hbs'), '{{#if perubahan}}{{> naskah-perubahan perubahan}}{{/if}}\n');
  return { templates: new Templates(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let store: MemoryCaseStore;
let view: PerubahanView;
let html: string;
let browser: Browser | undefined;

beforeAll(async () => {
  store = new MemoryCaseStore();
  await caseWithVersions(store);
  view = perubahanNaskah({ history: await store.listHistory(CASE), personId: asisten.id, timeZone: 'WIB' })!;
  const probe = probeTemplates();
  try {
    html = probe.templates.page('coba-perubahan', { perubahan: view }, { title: 'Perubahan naskah' });
  } finally {
    probe.cleanup();
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('the task page partial', () => {
  it('marks insertions and deletions and names the moved pasal, pasal numbered as in the newer version', () => {
    expect(view.ringkasan).toBe('2 pasal diubah, 1 pasal baru, 1 pasal dipindah');
    expect(html).toContain('<h2 id="np-judul">Perubahan naskah</h2>');
    expect(html).toContain('Versi 2 dibandingkan dengan versi 1, versi terakhir yang Anda tindak lanjuti.');
    expect(html).toContain('<span>Pasal 2</span> <span class="np-label">baru</span>');
    expect(html).toContain('<span>Pasal 7</span> <span class="np-label">dipindah dari Pasal 4 ke Pasal 7</span>');
    // Pasal 3 (now 4): the reworded ayat, word by word.
    expect(html).toContain(
      '<span class="np-baris">PARA PIHAK melaksanakan ketentuan nomor 3 <ins>secara terpadu </ins>dengan itikad baik.</span>',
    );
    expect(html).toContain('<ins>Kerahasiaan</ins>');
    expect(html).toContain('Ketentuan <del>5</del><ins>Peralihan</ins>');
    // An ayat's butir are lines of their own.
    expect(html).toContain('<span class="np-butir">butir pertama;</span>');
    expect(html).toContain('Pasal 1, 3, 6 dan 8–9 tidak berubah.');
    // The officials' words are text, never markup.
    expect(html).toContain('kerahasiaan &lt;script&gt;data&lt;/script&gt; dan');
    expect(html).not.toContain('<script>data');
  });

  it('shows a deletion with del, and nothing to show when the reviewer acted on the current version', async () => {
    const history = await store.listHistory(CASE);
    const back = perubahanNaskah({ history, personId: 'hukum', timeZone: 'WIB', current: 2 })!;
    expect(back.ringkasan).toBe('2 pasal diubah, 1 pasal baru, 1 pasal dipindah');
    const reverse = perubahanNaskah({
      history: history.map((e) =>
        e.eventKey === 'naskah#000002'
          ? { ...e, detail: { ...e.detail, content: v1 } }
          : e.eventKey === 'naskah#000001'
            ? { ...e, detail: { ...e.detail, content: version2() } }
            : e,
      ),
      personId: 'hukum',
      timeZone: 'WIB',
    })!;
    const probe = probeTemplates();
    try {
      const page = probe.templates.page('coba-perubahan', { perubahan: reverse }, { title: 'Perubahan naskah' });
      expect(page).toContain('<span>Pasal 2 lama</span> <span class="np-label">dihapus</span>');
      expect(page).toContain('<del>Kerahasiaan</del>');
      expect(page).toContain('ketentuan nomor 3 <del>secara terpadu </del>dengan');
    } finally {
      probe.cleanup();
    }
    const none = perubahanNaskah({
      history: [
        ...history,
        { ...history[1]!, eventKey: '00006#diputuskan', seq: 6, detail: { values: {}, [DECISION_VERSION_FIELD]: 2 } },
      ],
      personId: asisten.id,
      timeZone: 'WIB',
    })!;
    expect(none.perbandingan).toBe('Tidak ada perubahan sejak versi 2, versi terakhir yang Anda tindak lanjuti.');
    expect(none.adaPerubahan).toBe(false);
    expect(none.pasal).toEqual([]);
  });

  it('fits a 390 px wide phone without horizontal overflow, and prints', async () => {
    browser = await chromium.launch({
      executablePath: await chromiumExecutablePath(),
      args: chromiumArgs({ singleProcess: false }),
      headless: true,
    });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.setContent(html, { waitUntil: 'load' });
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    const moved = await page.locator('article.np-dipindah h3').innerText();
    expect(moved.replace(/\s+/g, ' ')).toBe('Pasal 7 dipindah dari Pasal 4 ke Pasal 7');
    await page.emulateMedia({ media: 'print' });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    // The marks survive a black-and-white printer: underline and strike-through, not colour alone.
    const marks = await page.evaluate(
      `['ins', 'del'].map((m) => getComputedStyle(document.querySelector('.naskah-perubahan ' + m)).textDecorationLine)`,
    );
    expect(marks).toEqual(['underline', 'line-through']);
  }, 60_000);
});

describe('the Lembar Perbandingan Naskah (PDF)', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime();
    await caseWithVersions(rt.app.store);
  }, 120_000);
  afterAll(async () => {
    await rt?.cleanup();
  });

  it('prints the comparison under the kop, from the stored versions, and records the download', async () => {
    const sheet = await webUseCases(rt.app).lembarPerbandingan({ caseId: CASE, person: asisten, via: 'tautan tugas' });
    expect(sheet).toMatchObject({
      versiSebelum: 1,
      versiSesudah: 2,
      fileName: `perbandingan-naskah-${CASE}-versi-1-2.pdf`,
    });
    expect(new TextDecoder().decode(sheet.pdf.subarray(0, 5))).toBe('%PDF-');
    const doc = await getDocumentProxy(new Uint8Array(sheet.pdf));
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      pages.push(
        content.items
          .map((i) => ('str' in i ? i.str : ''))
          .join(' ')
          .replace(/\s+/g, ' '),
      );
    }
    const text = pages.join(' ');
    expect(text).toContain('PEMERINTAH KOTA CONTOH');
    expect(text).toContain('LEMBAR PERBANDINGAN NASKAH');
    expect(text).toContain('Kerja Sama Pengelolaan Sampah dengan PT Bersih Lestari');
    expect(text).toContain(CASE);
    expect(text).toContain('Versi 2 dibandingkan dengan versi 1, versi terakhir yang Anda tindak lanjuti.');
    expect(text).toContain('disimpan Rabu, 2 Desember 2026 pukul 14.30 WIB oleh Budi Santoso');
    expect(text).toContain('Disiapkan untuk : Dra. Sri Wahyuni (Asisten Pemerintahan dan Kesra)');
    expect(text).toContain('2 pasal diubah, 1 pasal baru, 1 pasal dipindah');
    expect(text).toContain('dipindah dari Pasal 4 ke Pasal 7');
    expect(text).toMatch(
      /Pasal 4 ayat \(1\) PARA PIHAK melaksanakan ketentuan nomor 3 secara terpadu dengan itikad baik\. diubah/,
    );
    expect(text).toContain('Ketentuan 5 Peralihan');
    expect(text).toContain('Pasal 1, 3, 6 dan 8–9 tidak berubah.');
    expect(text).toContain('Halaman 1 dari');

    const fact = (await rt.app.store.listHistory(CASE)).find((e) => e.type === 'dokumen-diunduh');
    expect(fact).toMatchObject({
      who: asisten,
      detail: { jenis: 'lembar-perbandingan-naskah', versi: '1-2', melalui: 'tautan tugas', cara: 'unduh' },
    });
  }, 120_000);

  it('refuses, in Bahasa Indonesia, a case with nothing to compare', async () => {
    const record = (await rt.app.store.getCase(CASE))!;
    await rt.app.store.createCase({ ...record, caseId: 'K-2026-0043' });
    await expect(
      webUseCases(rt.app).lembarPerbandingan({ caseId: 'K-2026-0043', person: asisten, via: 'tautan tugas' }),
    ).rejects.toThrow('Belum ada dua versi naskah yang dapat dibandingkan pada kasus ini');
    expect((await rt.app.store.listHistory('K-2026-0043')).filter((e) => e.type === 'dokumen-diunduh')).toEqual([]);
  });
});
