import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, samplePdf, confirmFromMailbox } from '../cli/drive.ts';
import { loadSeedUsers } from '../local/cognito/seed-users.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { signInOverHttp, web } from './support/console.ts';
import { eventually, startTestRuntime } from './support/runtime.ts';

/**
 * The Kota Contoh and Bandung SOPs through the console over HTTP (the Blitar SOP has the browser journey): the
 * intake form's path (check and presign, PUT the files straight to the bucket, the manifest last), the officials'
 * emailed links up to a step, then the seeded users signed in through Cognito (cognito-local) see the case where
 * their role and unit allow, and the other pemda's staff do not.
 */
const CASES = [
  {
    sop: 'kota-penyusunan-kesepakatan-bersama',
    pemohon: {
      nama: 'Operator Kerja Sama Dinas Kesehatan',
      email: 'dinkes@kota-contoh.test',
      instansi: 'Dinas Kesehatan Kota Contoh',
    },
    data: { 'pihak-mitra': 'Pemerintah Kabupaten Sukamaju', 'jenis-kerja-sama': 'KSDD' },
    files: { 'surat-permohonan': 'pdf', 'disposisi-walikota': 'pdf' },
    stopAt: 'L4.1',
    staff: 'rizky@kota-contoh.test',
    other: 'staf.kln@bandung.test',
  },
  {
    sop: 'bandung-kerjasama-teknik-luar-negeri',
    pemohon: {
      nama: 'Operator Diskominfo',
      email: 'diskominfo@bandung.test',
      instansi: 'Dinas Komunikasi dan Informatika Kota Bandung',
    },
    data: { 'pihak-mitra': 'Kota Hamamatsu', 'negara-mitra': 'Jepang', 'jenis-kerja-sama': 'KSDPL' },
    files: { 'surat-permohonan': 'pdf', proposal: 'pdf' },
    stopAt: 'L3',
    staff: 'staf.kln@bandung.test',
    other: 'rizky@kota-contoh.test',
  },
] as const;

describe('the other seed SOPs through the console, over HTTP', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  const passwords = new Map(loadSeedUsers(join(PROJECT_ROOT, 'config')).map((u) => [u.email, u.password]));
  const signIn = (email: string) => signInOverHttp(rt, email, passwords.get(email)!);

  beforeAll(async () => {
    rt = await startTestRuntime({ schedulerIntervalMs: 0 });
  }, 120_000);
  afterAll(async () => rt?.cleanup());

  it.each(CASES)(
    '$sop: form, links, then the console for its own staff only',
    async (c) => {
      // The pemohon's browser: check and presign, the files, the manifest last.
      const prepared = await fetch(`${rt.urls.web}/permohonan/siapkan`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: rt.urls.web },
        body: JSON.stringify({
          sopId: c.sop,
          perihal: `Kerja sama ${c.data['pihak-mitra']}`,
          pemohon: c.pemohon,
          data: c.data,
          files: Object.keys(c.files).map((slot) => ({ slot, name: `${slot}.pdf`, size: samplePdf(slot).length })),
        }),
      });
      expect(prepared.status).toBe(200);
      const body = (await prepared.json()) as {
        intakeId: string;
        uploads: { slot: string; url: string; contentType: string }[];
        manifest: { url: string; body: string };
      };
      for (const upload of body.uploads)
        expect(
          (
            await fetch(upload.url, {
              method: 'PUT',
              headers: { 'content-type': upload.contentType },
              body: new Uint8Array(samplePdf(upload.slot)),
            })
          ).status,
        ).toBe(200);
      await fetch(body.manifest.url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: body.manifest.body,
      });
      const caseId = body.intakeId;
      // The contact confirms the address from the emailed link (a GET shows the page, its form's POST confirms).
      await confirmFromMailbox(rt.urls.web, rt.dataDir, c.pemohon.email, caseId);
      await eventually(async () => (await rt.app.store.getCase(caseId))?.cursor);

      // The officials act on their emailed links up to a step.
      const driven = await driveCase({ dataDir: rt.dataDir, caseId, pemohonEmail: c.pemohon.email, stopAt: c.stopAt });
      expect(driven.stoppedAt?.node).toBe(c.stopAt);

      // Its unit's pelaksana, signed in through Cognito: the dashboard lists it at its step, the case page shows the
      // timeline and the swimlane with that step current.
      const staff = await signIn(c.staff);
      expect(staff.location).toBe('/konsol');
      const dashboard = await web(rt, `/konsol?q=${caseId}`, { cookie: staff.cookie });
      expect(dashboard.status).toBe(200);
      expect(dashboard.text).toContain(`href="/konsol/kasus/${caseId}"`);
      const page = await web(rt, `/konsol/kasus/${caseId}`, { cookie: staff.cookie });
      expect(page.status).toBe(200);
      expect(page.text).toContain('id="bagan-alur"');
      for (const done of driven.acted) expect(page.text).toContain(done.node);

      // The pemohon finds it among theirs; the other pemda's pelaksana neither lists nor opens it.
      const pemohon = await signIn(c.pemohon.email);
      expect((await web(rt, '/permohonan/saya', { cookie: pemohon.cookie })).text).toContain(caseId);
      const other = await signIn(c.other);
      // (the search box repeats the query: look for the case's row link)
      expect((await web(rt, `/konsol?q=${caseId}`, { cookie: other.cookie })).text).not.toContain(
        `href="/konsol/kasus/${caseId}"`,
      );
      expect([403, 404]).toContain((await web(rt, `/konsol/kasus/${caseId}`, { cookie: other.cookie })).status);
    },
    180_000,
  );
});
