import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, submitPermohonan } from '../cli/drive.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * Document work that fails for good (here: the signing keys cannot be opened) is recorded on the case and told to
 * the officials of the step; once the cause is fixed, resuming the case finishes the work without doing anything
 * twice.
 */
describe('document work that fails', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => rt?.cleanup());

  it('is recorded and told, then finishes once when the case is resumed after the fix', async () => {
    const { intakeId: caseId } = await submitPermohonan(rt, permohonanFor(rt, 'kota-penyusunan-kesepakatan-bersama'));
    await eventually(async () => (await rt.app.store.getCase(caseId))?.cursor);
    // The signing keys cannot be opened: Kota Contoh signs through BSrE, and its configured roots file holds no
    // certificate (the development PKI directory is broken too: a file stands where it should be).
    const pkiDir = rt.app.config.SEPAKAT_DEV_PKI_DIR!;
    rmSync(pkiDir, { recursive: true, force: true });
    writeFileSync(pkiDir, 'bukan direktori');
    const rootsFile = rt.app.config.SEPAKAT_BSRE_ROOTS_FILE!;
    const roots = readFileSync(rootsFile);
    writeFileSync(rootsFile, 'bukan sertifikat');

    const stop = new AbortController();
    const driving = driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      timeoutMs: 120_000,
      signal: stop.signal,
    });
    const failure = await eventually(async () => {
      const history = await rt.app.store.listHistory(caseId);
      return history.find((e) => e.type === 'otomatis-gagal');
    }, 120_000);
    stop.abort();
    await driving;
    // The first document to sign is the Surat Undangan the Kabag signs at L4.2: it cannot be made as his task opens.
    expect(failure).toMatchObject({ node: 'L4.2', stepId: 'L4' });
    // The fact is written first, the email right after.
    const told = await eventually(async () =>
      (await readMailbox(rt.dataDir)).find(
        (m) => m.subject.includes('Kerja otomatis di langkah L4 gagal') && m.text?.includes(caseId),
      ),
    );
    expect(told.to).toEqual(['kabag.kerjasama@kota-contoh.test']);
    expect(told.text).toMatch(/dilanjutkan setelah penyebabnya diperbaiki/);
    expect((await rt.app.store.getCase(caseId))?.status).toBe('aktif');
    expect((await rt.app.documents.listByCase(caseId)).some((d) => d.kind === 'surat-undangan-ditandatangani')).toBe(
      false,
    );

    // Fixed: the case resumes at its step, the letter is rendered for the Kabag, who signs it on the task page; later
    // the Walikota signs the naskah.
    rmSync(pkiDir, { force: true });
    writeFileSync(rootsFile, roots);
    expect(await rt.app.runtime.resumeCase(caseId, 'dilanjutkan-operator')).toBeDefined();
    const result = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      timeoutMs: 120_000,
      alreadyDone: () => true,
    });
    expect(result.outcome).toBe('selesai');
    const signed = (await rt.app.documents.listByCase(caseId)).filter((d) => d.kind === 'naskah-ditandatangani');
    expect(signed).toHaveLength(1);
    const record = (await rt.app.store.getCase(caseId))!;
    expect(signed[0]!.nomor).toBe(record.data['nomor-naskah']);
    const letters = (await rt.app.documents.listByCase(caseId)).filter(
      (d) => d.kind === 'surat-undangan-ditandatangani',
    );
    expect(letters).toHaveLength(1);
    // The Kabag decided once; his task was opened again, not asked twice.
    const decided = (await rt.app.store.listHistory(caseId)).filter(
      (e) => e.type === 'tugas-diputuskan' && e.node === 'L4.2',
    );
    expect(decided).toHaveLength(1);
  }, 300_000);
});
