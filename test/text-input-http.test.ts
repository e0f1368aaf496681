import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, parseTaskPage, submitPermohonan } from '../cli/drive.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * Through the web server of a real runtime: a bidirectional control typed into a form or a body is refused with the
 * field's name and nothing is stored; every 4xx answer and quarantine email is in Bahasa Indonesia.
 */
describe('text from people, through HTTP', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime({ schedulerIntervalMs: 0 });
  });
  afterAll(async () => rt?.cleanup());

  const RLO = '\u202E';
  /** zod's English, which no person may read. */
  const ENGLISH = /Invalid input|Unrecognized key|expected|Required|Too small|Too big|Invalid/;
  /** Every 4xx body answered in this file, checked for English at the end. */
  const refusals: { what: string; status: number; body: string }[] = [];

  async function send(what: string, path: string, init: { json?: unknown; form?: Record<string, string> }) {
    const res = await fetch(`${rt.urls.web}${path}`, {
      method: 'POST',
      headers: {
        'content-type': init.json !== undefined ? 'application/json' : 'application/x-www-form-urlencoded',
        origin: rt.urls.web,
      },
      body: init.json !== undefined ? JSON.stringify(init.json) : new URLSearchParams(init.form).toString(),
    });
    const body = await res.text();
    if (res.status >= 400 && res.status < 500) refusals.push({ what, status: res.status, body });
    return { status: res.status, body };
  }

  const quarantineMail = (intakeId: string) =>
    eventually(async () =>
      (await readMailbox(rt.dataDir)).find(
        (m) =>
          m.to.includes(PEMOHON.email) &&
          /^Permohonan belum dapat diterima/.test(m.subject) &&
          m.subject.includes(intakeId),
      ),
    );

  it('refuses a U+202E in "pihak-mitra" of the intake form, naming "Mitra kerja sama"; nothing is prepared', async () => {
    const { status, body } = await send('POST /permohonan/siapkan', '/permohonan/siapkan', {
      json: {
        sopId: 'blitar-pengkoordinasian-nota-kesepakatan',
        perihal: 'Kerja sama pengembangan wisata Candi Penataran',
        pemohon: { nama: PEMOHON.nama, email: PEMOHON.email, instansi: PEMOHON.instansi },
        data: { 'pihak-mitra': `Pemerintah ${RLO}irideK netapubaK`, 'jenis-kerja-sama': 'KSDD' },
        files: [{ slot: 'surat-permohonan', name: 'surat.pdf', size: 2048 }],
      },
    });
    expect(status).toBe(400);
    const answer = JSON.parse(body) as { pesan: string; rincian: Record<string, string>; intakeId?: string };
    expect(answer.rincian['d_pihak-mitra']).toMatch(/^Mitra kerja sama: .*pengatur arah tulisan \(U\+202E\)/);
    expect(answer.intakeId).toBeUndefined();
    expect(body).not.toContain(RLO);
  });

  it('refuses a U+202E in the pemohon fields of the intake form beside the field', async () => {
    const { status, body } = await send('POST /permohonan/siapkan (nama)', '/permohonan/siapkan', {
      json: {
        sopId: 'blitar-pengkoordinasian-nota-kesepakatan',
        perihal: 'Kerja sama pengembangan wisata',
        pemohon: { nama: `Joko ${RLO}olisuS`, email: PEMOHON.email, instansi: PEMOHON.instansi },
        data: { 'pihak-mitra': 'Pemerintah Kabupaten Kediri', 'jenis-kerja-sama': 'KSDD' },
        files: [],
      },
    });
    expect(status).toBe(400);
    expect((JSON.parse(body) as { rincian: Record<string, string> }).rincian.nama).toMatch(/^Nama: .*U\+202E/);
  });

  it('refuses a U+202E in "pihak-mitra" of the API body, naming the field as its SOP does; nothing is reserved', async () => {
    const input = permohonanFor(rt, 'kota-penyusunan-kesepakatan-bersama', {
      'pihak-mitra': `Pemerintah ${RLO}ujamakuS netapubaK`,
    });
    // The field as this SOP's form names it.
    const label = rt.app.catalog.sops
      .latest('kota-penyusunan-kesepakatan-bersama')
      .definition.intake.data.find((f) => f.id === 'pihak-mitra')!.label;
    const refused = await submitPermohonan(rt, input).catch((e: Error) => e.message);
    expect(refused).toContain('permohonan ditolak: 400');
    expect(refused).toContain(`${label}: berisi karakter tak terlihat pengatur arah tulisan (U+202E)`);
    expect(refused).not.toContain(RLO);
  });

  it('quarantines a manifest other than the one built with an Indonesian reason', async () => {
    // The manifest's size is signed, so a script can only change it within its size: here one letter of perihal.
    const { intakeId } = await submitPermohonan(rt, {
      ...permohonanFor(rt, 'kota-penyusunan-kesepakatan-bersama'),
      manifest: (m) => ({ ...m, perihal: `${String(m.perihal).slice(0, -1)}X` }),
    });
    const mail = await quarantineMail(intakeId);
    expect(mail.text).toContain('Manifest tidak sama dengan yang disiapkan Sepakat untuk permohonan ini');
    expect(mail.text).not.toMatch(ENGLISH);
    expect(await rt.app.store.getCase(intakeId)).toBeUndefined();
  });

  it('answers POST /api/permohonan {"sopId":42} in Indonesian, naming "SOP"', async () => {
    const { status, body } = await send('POST /api/permohonan', '/api/permohonan', { json: { sopId: 42 } });
    expect(status).toBe(400);
    expect(body).toContain('SOP harus berupa teks');
    expect(body).toContain('Daftar berkas wajib diisi');
    const unknown = await send('POST /api/permohonan (kunci lain)', '/api/permohonan', {
      json: { sopId: 'kota-penyusunan-kesepakatan-bersama', files: [], admin: 'ya' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('Isian tidak dikenal: admin');
  });

  it('refuses a U+202E in a task form field, naming it; no decision, no history entry', async () => {
    const { intakeId: caseId } = await submitPermohonan(rt, permohonanFor(rt, 'fixture-kerja-sama-pihak-ketiga'));
    const driven = await driveCase({ dataDir: rt.dataDir, caseId, pemohonEmail: PEMOHON.email, stopAt: 'L1' });
    const link = driven.stoppedAt!.link;
    const taskId = new URL(link).pathname.split('/')[2]!.split('.')[0]!;
    const historyBefore = await rt.app.store.listHistory(caseId);
    const form = parseTaskPage(await (await fetch(link)).text());
    const path = new URL(link).pathname;

    const refused = await send('POST /tugas (isian)', path, {
      form: { submissionId: form.submissionId, pilihan: 'lanjut', 'f_nomor-agenda': `005/${RLO}123/2026`, catatan: '' },
    });
    const note = await send('POST /tugas (catatan)', path, {
      form: {
        submissionId: form.submissionId,
        pilihan: 'lanjut',
        'f_nomor-agenda': '005/123/2026',
        catatan: `ok${RLO}`,
      },
    });

    expect(refused.status).toBe(400);
    expect(refused.body).toMatch(
      /Nomor agenda surat masuk: berisi karakter tak terlihat pengatur arah tulisan \(U\+202E\)/,
    );
    expect(note.status).toBe(400);
    expect(note.body).toMatch(/Catatan: berisi karakter tak terlihat pengatur arah tulisan \(U\+202E\)/);
    const task = await rt.app.store.getTask(taskId);
    expect(task?.state).toBe('open');
    expect(task?.decision).toBeUndefined();
    expect(await rt.app.store.listHistory(caseId)).toEqual(historyBefore);

    // The same form without the control, with a zero-width space pasted in: accepted, the space removed.
    const accepted = await send('POST /tugas (bersih)', path, {
      form: { submissionId: form.submissionId, pilihan: 'lanjut', 'f_nomor-agenda': '005/\u200B123/2026', catatan: '' },
    });
    expect(accepted.status).toBe(200);
    expect((await rt.app.store.getTask(taskId))?.decision?.values['nomor-agenda']).toBe('005/123/2026');
  });

  it('no 4xx body and no quarantine email carries zod English', async () => {
    expect(refusals.length).toBeGreaterThanOrEqual(5);
    for (const r of refusals) expect(r.body, `${r.what} (${r.status})`).not.toMatch(ENGLISH);
    const quarantine = (await readMailbox(rt.dataDir)).filter((m) =>
      /^Permohonan belum dapat diterima/.test(m.subject),
    );
    expect(quarantine.length).toBeGreaterThanOrEqual(1);
    for (const m of quarantine) expect(`${m.subject}\n${m.text}`, m.subject).not.toMatch(ENGLISH);
  });
});
