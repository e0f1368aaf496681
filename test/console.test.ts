import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../core/access/access.ts';
import type { HistoryEvent } from '../core/case/model.ts';
import { formatWaktuSingkat } from '../core/case/timeline.ts';
import { driveCase, submitPermohonan } from '../cli/drive.ts';
import type { DocumentRecord } from '../functions/adapters/document-store.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * The staff console on the embedded runtime: a Blitar case driven through emailed links to the Asisten's paraf
 * (L8.2), a second Blitar case at its first step and a Kota Contoh case; then the dashboard, the case page, its
 * logged downloads and the local outbox, each as the principal it is shown to.
 */
const BLITAR = 'blitar-pengkoordinasian-nota-kesepakatan';

/** The pemohon of the cases (the email the permohonan was sent with), signed in to the console. */
const PEMOHON_MITRA = {
  sub: 'u-pemohon-mitra',
  email: PEMOHON.email,
  nama: PEMOHON.nama,
  roles: ['pemohon'],
  pemdaId: 'kab-blitar',
  unit: PEMOHON.instansi,
} satisfies Principal;

/** The table row of one case on the dashboard, or undefined. */
const rowOf = (html: string, caseId: string) =>
  new RegExp(`<tr data-kasus="${caseId}">([\\s\\S]*?)</tr>`).exec(html)?.[1];
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('the staff console', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let paraf: string; // case at L8.3
  let awal: string; // case at L1
  let kota: string;
  let notaDinas: DocumentRecord;
  const as = (p: Principal) => sessionFor(rt, p);

  beforeAll(async () => {
    rt = await startTestRuntime();
    const started = async (sopId: string, perihal: string) => {
      const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, sopId, {}, perihal));
      await eventually(async () =>
        (await rt.app.store.listTasks({ caseId: intakeId })).some((t) => t.state === 'open'),
      );
      return intakeId;
    };
    [paraf, awal, kota] = await Promise.all([
      started(BLITAR, 'Kerja sama pengelolaan sampah regional'),
      started(BLITAR, 'Kerja sama beasiswa pendidikan'),
      started('kota-penyusunan-kesepakatan-bersama', 'Kerja sama transportasi kota'),
    ]);
    const driven = await driveCase({
      dataDir: rt.dataDir,
      caseId: paraf,
      pemohonEmail: PEMOHON.email,
      stopAt: 'L8.3',
      timeoutMs: 80_000,
    });
    expect(driven.stoppedAt?.node).toBe('L8.3');
    await eventually(async () =>
      (await rt.app.store.listTasks({ caseId: paraf })).some((t) => t.node === 'L8.3' && t.state === 'open'),
    );
    // The Nota Dinas, signed at L8.2 by the Kepala Bagian it goes out from.
    notaDinas = (await rt.app.documents.listByCase(paraf)).find((d) => d.kind === 'nota-dinas-ditandatangani')!;
    expect(notaDinas).toBeDefined();
  }, 120_000);
  afterAll(async () => rt?.cleanup());

  it("lists the pemda's cases for its pelaksana with their step, holder and due time", async () => {
    const page = await web(rt, '/konsol', { cookie: as(PRINCIPALS.pelaksanaBlitar).cookie });
    expect(page.status).toBe(200);
    const row = text(rowOf(page.text, paraf) ?? '');
    expect(row).toContain('Kerja sama pengelolaan sampah regional');
    expect(row).toContain('(L8)');
    // L8.3 is the Asisten's paraf: the directory's Asisten holds it.
    expect(row).toContain('Asisten Pemerintahan dan Kesra');
    const task = (await rt.app.store.listTasks({ caseId: paraf })).find((t) => t.state === 'open')!;
    expect(task.dueAt).not.toBeNull();
    expect(row).toContain(formatWaktuSingkat(task.dueAt, 'WIB'));
    expect(row).toContain('berjalan');
    expect(rowOf(page.text, awal)).toBeDefined();
    expect(page.text).not.toContain(kota);
  });

  it('filters the dashboard by step, holder, text and status through GET parameters', async () => {
    const { cookie } = as(PRINCIPALS.pelaksanaBlitar);
    const ids = async (query: string) => {
      const page = await web(rt, `/konsol?${query}`, { cookie });
      expect(page.status).toBe(200);
      return [...page.text.matchAll(/<tr data-kasus="([^"]+)">/g)].map((m) => m[1]);
    };
    expect(await ids('langkah=L1')).toEqual([awal]);
    expect(await ids(`langkah=L8&sop=${BLITAR}`)).toEqual([paraf]);
    const holder = (await rt.app.store.listTasks({ caseId: awal })).find((t) => t.state === 'open')!.person.id;
    expect(await ids(`pemegang=${holder}`)).toContain(awal);
    expect(await ids(`pemegang=${holder}`)).not.toContain(paraf);
    expect(await ids('q=BEASISWA')).toEqual([awal]);
    expect(await ids(`q=${paraf}`)).toEqual([paraf]);
    expect(await ids('status=selesai')).toEqual([]);
    expect(await ids('status=aktif&terlambat=1')).toEqual([]);
    expect((await ids('urut=terbaru')).sort()).toEqual([paraf, awal].sort());
  });

  it("keeps another pemda's pelaksana out of the case, its page and its documents", async () => {
    const { cookie, csrf } = as(PRINCIPALS.pelaksanaKota);
    const board = await web(rt, '/konsol', { cookie });
    expect(board.status).toBe(200);
    expect(board.text).not.toContain(paraf);
    expect(board.text).toContain(kota);
    // As if the case did not exist (404), not a refusal that would confirm it does (test/cross-pemda.test.ts).
    expect((await web(rt, `/konsol/kasus/${paraf}`, { cookie })).status).toBe(404);
    expect(
      (await web(rt, `/konsol/kasus/${paraf}/dokumen/${notaDinas.docId}/unduh`, { cookie, form: { _csrf: csrf } }))
        .status,
    ).toBe(404);
  });

  it('refuses the dashboard and open cases to an arsiparis; a finished case shows them only the archive kinds', async () => {
    const { cookie, csrf } = as(PRINCIPALS.arsiparisBlitar);
    expect((await web(rt, '/konsol', { cookie })).status).toBe(403);
    // An open case: its working notes are not the arsiparis's to read.
    expect((await web(rt, `/konsol/kasus/${paraf}`, { cookie })).status).toBe(403);
    expect(
      (await web(rt, `/konsol/kasus/${paraf}/dokumen/${notaDinas.docId}/lihat`, { cookie, form: { _csrf: csrf } }))
        .status,
    ).toBe(403);
    // Once a case is closed (here: cancelled by an admin), its page opens without the working papers.
    const admin = { id: 'admin', nama: 'Admin Kerja Sama Blitar', jabatan: 'Administrator' };
    await rt.app.caseAdmin.cancel(awal, admin, 'Uji: kasus ditutup');
    const page = await web(rt, `/konsol/kasus/${awal}`, { cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Kerja sama beasiswa pendidikan');
    expect(page.text).not.toContain('/dokumen/');
    expect(page.text).not.toContain('/berkas/');
  });

  it("shows the pemohon their case and files but not the pemda's working papers", async () => {
    const { cookie, csrf } = as(PEMOHON_MITRA);
    const page = await web(rt, `/konsol/kasus/${paraf}`, { cookie });
    expect(page.status).toBe(200);
    for (const kind of [
      'nota-dinas',
      'nota-dinas-ditandatangani',
      'konsep-naskah',
      'telaahan-staf',
      'lembar-disposisi',
    ])
      expect(page.text).not.toContain(`data-jenis="${kind}"`);
    expect(page.text).not.toContain(notaDinas.docId);
    expect(page.text).toMatch(/\/berkas\/[A-Za-z0-9_-]{22}\/unduh/);
    // The permohonan's own files, not what officials attached to their decisions (the L2 telaahan).
    expect(page.text).toContain('surat-permohonan.pdf');
    expect(page.text).not.toContain('telaahan.pdf');
    // The withdrawal form is theirs; the administrator's forms are not.
    expect(page.text).toContain(`action="/konsol/kasus/${paraf}/tarik"`);
    expect(page.text).not.toContain('/batalkan"');
    const direct = await web(rt, `/konsol/kasus/${paraf}/dokumen/${notaDinas.docId}/unduh`, {
      cookie,
      form: { _csrf: csrf },
    });
    expect([403, 404]).toContain(direct.status);
    const history = await rt.app.store.listHistory(paraf);
    expect(history.some((e) => e.type === 'dokumen-diunduh' && e.who?.nama === PEMOHON_MITRA.nama)).toBe(false);
  });

  it('sends a visitor without a session to the sign-in page', async () => {
    const board = await web(rt, '/konsol');
    expect(board.status).toBe(303);
    expect(board.headers.get('location')).toBe('/masuk?lanjut=%2Fkonsol');
    const page = await web(rt, `/konsol/kasus/${paraf}`);
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toContain('/masuk?lanjut=');
  });

  it('records every preview and download in the case history with the signed-in principal', async () => {
    const { cookie, csrf } = as(PRINCIPALS.pelaksanaBlitar);
    const base = `/konsol/kasus/${paraf}/dokumen/${notaDinas.docId}`;
    const download = await web(rt, `${base}/unduh`, { cookie, form: { _csrf: csrf } });
    expect(download.status).toBe(303);
    const url = download.headers.get('location')!;
    expect(decodeURIComponent(url)).toContain('attachment; filename=');
    const pdf = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const preview = await web(rt, `${base}/lihat`, { cookie, form: { _csrf: csrf } });
    expect(preview.status).toBe(303);
    expect(decodeURIComponent(preview.headers.get('location')!)).toContain('inline; filename=');

    const logged = (await rt.app.store.listHistory(paraf)).filter(
      (e: HistoryEvent) => e.type === 'dokumen-diunduh' && e.detail?.['melalui'] === 'konsol',
    );
    expect(logged.map((e) => e.detail?.['cara'])).toEqual(['unduh', 'pratinjau']);
    for (const e of logged) {
      expect(e.who).toMatchObject({ id: 'penata-1', nama: PRINCIPALS.pelaksanaBlitar.nama });
      expect(e.detail).toMatchObject({ docId: notaDinas.docId, jenis: 'nota-dinas-ditandatangani' });
    }
    // The case page's history shows it.
    const page = await web(rt, `/konsol/kasus/${paraf}`, { cookie });
    expect(text(page.text)).toContain('Dokumen dibuka/diunduh');
  });

  it('answers a GET or HEAD of a preview or download with no link and no record; only a POST with its token acts', async () => {
    // Arrange
    const { cookie, csrf } = as(PRINCIPALS.pelaksanaBlitar);
    const page = await web(rt, `/konsol/kasus/${awal}`, { cookie });
    const berkas = /action="(\/konsol\/kasus\/[^"]+\/berkas\/[A-Za-z0-9_-]{22}\/unduh)"/.exec(page.text)![1]!;
    const downloads = async () =>
      (await rt.app.store.listHistory(awal)).filter((e) => e.type === 'dokumen-diunduh').length;
    const before = await downloads();
    const doc = (await rt.app.documents.listByCase(paraf)).find((d) => d.kind === 'nota-dinas-ditandatangani')!;
    const logged = (await rt.app.store.listHistory(paraf)).filter((e) => e.type === 'dokumen-diunduh').length;
    const task = (await rt.app.store.listTasks({ caseId: paraf })).find((t) => t.state === 'open')!;
    const viaTask = `${new URL(rt.app.runtime.taskUrl(task)).pathname}/dokumen/${doc.docId}`;

    // Act
    const paths = [berkas, `/konsol/kasus/${paraf}/dokumen/${doc.docId}/lihat`, viaTask];
    const followed = await Promise.all(
      paths.flatMap((path) => ['HEAD', 'GET'].map((method) => web(rt, path, { cookie, method }))),
    );
    const forged = await web(rt, berkas, { cookie, form: { _csrf: 'salah' } });

    // Assert
    for (const answer of followed) {
      expect(answer.status).toBe(405);
      expect(answer.headers.get('location')).toBeNull();
    }
    expect(forged.status).toBe(403);
    expect(await downloads()).toBe(before);
    expect((await rt.app.store.listHistory(paraf)).filter((e) => e.type === 'dokumen-diunduh')).toHaveLength(logged);
    // The page's own form (a POST with the session's token) records it.
    expect((await web(rt, berkas, { cookie, form: { _csrf: csrf } })).status).toBe(303);
    expect(await downloads()).toBe(before + 1);
  });

  it('shows the timeline, the documents by version and the SOP swimlane with the current step highlighted', async () => {
    const { cookie } = as(PRINCIPALS.pelaksanaBlitar);
    const page = await web(rt, `/konsol/kasus/${paraf}`, { cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<g class="baris-alur" data-langkah="L8" data-status="sekarang">');
    expect(page.text).toContain('<g class="baris-alur" data-langkah="L1" data-status="selesai">');
    expect(page.text).toContain('<g class="baris-alur" data-langkah="L9" data-status="belum">');
    expect(page.text).toMatch(/<rect class="sorot"/);
    // The summary names the step and forecasts the completion.
    expect(text(/<dd id="langkah-sekarang">[\s\S]*?<\/dd>/.exec(page.text)![0])).toContain('Memaraf Naskah Final');
    expect(page.text).toContain('id="perkiraan"');
    // The timeline: every activation so far, L1 … L8.3, with the step's Mutu Baku.
    const timeline = /<table class="linimasa"[\s\S]*?<\/table>/.exec(page.text)![0];
    expect((timeline.match(/<tr data-langkah=/g) ?? []).length).toBe(
      (await rt.app.store.listTasks({ caseId: paraf })).length,
    );
    expect(text(timeline)).toContain('3-5 Hari');
    expect(page.text).toContain('data-jenis="nota-dinas-ditandatangani"');
    expect(page.text).toContain('data-jenis="konsep-naskah"');
  });

  it('gives an administrator the reassignment and cancellation forms', async () => {
    const { cookie, csrf } = as(PRINCIPALS.adminBlitar);
    const page = await web(rt, `/konsol/kasus/${paraf}`, { cookie });
    expect(page.status).toBe(200);
    const task = (await rt.app.store.listTasks({ caseId: paraf })).find((t) => t.state === 'open')!;
    const form = new RegExp(
      `<form method="post" action="/konsol/kasus/${paraf}/tugas/${task.taskId}/alihkan"[\\s\\S]*?</form>`,
    ).exec(page.text)?.[0];
    expect(form).toBeDefined();
    expect(form).toContain(`name="_csrf" value="${csrf}"`);
    expect(form).toContain('<select id="orang-0" name="orang" required>');
    expect(form).toContain('<option value="asisten-1" selected>');
    expect(form).toContain('<option value="Plh">');
    expect(form).toContain('name="alasan" required');
    expect(page.text).toContain(`action="/konsol/kasus/${paraf}/batalkan"`);
  });

  it('keeps the emails in a local outbox whose task links open the task page', async () => {
    const home = await web(rt, '/');
    expect(home.text).toContain('href="/kotak-keluar"');
    const list = await web(rt, '/kotak-keluar');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-security-policy')).toContain("default-src 'none'");
    const item = /<a href="(\/kotak-keluar\/[^"]+)">Tugas baru: L8\.3[^<]*<\/a>/.exec(list.text);
    expect(item).not.toBeNull();
    const mail = await web(rt, item![1]!);
    expect(mail.status).toBe(200);
    expect(mail.text).toContain(paraf);
    const link = new RegExp(`<a href="(${rt.urls.web}/tugas/[^"]+)">`).exec(mail.text)?.[1];
    expect(link).toBeDefined();
    const task = await fetch(link!.replace(/&amp;/g, '&'));
    expect(task.status).toBe(200);
    expect(await task.text()).toContain('id="form-tugas"');
    expect((await web(rt, '/kotak-keluar/tidak-ada')).status).toBe(404);
  });
});
