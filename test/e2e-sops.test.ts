import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, submitPermohonan } from '../cli/drive.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * Each SOP end to end on the embedded runtime, through the public paths only: the permohonan is uploaded through
 * presigned PUTs, every official acts from the link in their email (GET the page, then POST the form).
 */
describe('the SOPs, end to end through uploads and emailed links', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => rt?.cleanup());

  async function run(
    sopId: string,
    script: Record<string, string[]>,
    data: Record<string, string | number | boolean> = {},
  ) {
    const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, sopId, data));
    await eventually(async () => (await rt.app.store.getCase(intakeId))?.cursor);
    const result = await driveCase({
      dataDir: rt.dataDir,
      caseId: intakeId,
      pemohonEmail: PEMOHON.email,
      script,
      timeoutMs: 90_000,
    });
    // The pemohon is told first; the case summary closes right after.
    const record = await eventually(async () => {
      const r = await rt.app.store.getCase(intakeId);
      return r && r.status !== 'aktif' ? r : undefined;
    });
    const history = await rt.app.store.listHistory(intakeId);
    const tasks = await rt.app.store.listTasks({ caseId: intakeId });
    return { intakeId, result, record, history, tasks };
  }

  it('drafts a Kesepakatan Bersama, repeating the rapat teknis and returning the concept to the pengusul once', async () => {
    const { result, record, tasks, history } = await run('kota-penyusunan-kesepakatan-bersama', {
      L7: ['ulangi', 'disepakati'],
      L9: ['tidak', 'ya'],
    });
    expect(result.outcome).toBe('selesai');
    expect(record.status).toBe('selesai');
    const path = result.acted.map((a) => `${a.node}:${a.choice}`);
    // The return at L9 goes back to L5 (the pengusul prepares the draft again), then forward.
    expect(path.indexOf('L9:tidak')).toBeLessThan(path.lastIndexOf('L5:lanjut'));
    expect(path.filter((p) => p.startsWith('L7:'))).toEqual(['L7:ulangi', 'L7:disepakati', 'L7:disepakati']);
    // Every one of the 14 steps ran, and each task was reported to Step Functions exactly once.
    expect(new Set(tasks.map((t) => t.stepId))).toEqual(new Set(Array.from({ length: 14 }, (_, i) => `L${i + 1}`)));
    expect(tasks.every((t) => t.state === 'reported')).toBe(true);
    expect(record.visits.L5).toBe(2);
    // The reason of the return reached the pemohon.
    const notice = (await readMailbox(rt.dataDir)).find(
      (m) => m.to.includes(PEMOHON.email) && m.text?.includes('Catatan uji untuk L9'),
    );
    expect(notice).toBeDefined();
    expect(history.filter((e) => e.type === 'kasus-berakhir')).toHaveLength(1);
  });

  it('coordinates a Blitar Nota Kesepakatan with an incomplete permohonan returned at the first step', async () => {
    const { result, record, tasks } = await run('blitar-pengkoordinasian-nota-kesepakatan', {
      L1: ['tidak-lengkap', 'lengkap'],
    });
    expect(result.outcome).toBe('selesai');
    expect(new Set(tasks.map((t) => t.stepId)).size).toBe(13);
    expect(record.visits.L1).toBe(2);
    // The number taken at L5 (from SRIKANDI or the register) is kept as case data.
    expect(String(record.data['nomor-naskah'] ?? '')).toMatch(/\d/);
  });

  it('runs the Bandung foreign technical cooperation through all 23 steps', async () => {
    const { result, tasks } = await run('bandung-kerjasama-teknik-luar-negeri', {});
    expect(result.outcome).toBe('selesai');
    expect(new Set(tasks.map((t) => t.stepId)).size).toBe(23);
    // Step 7 passes the telaahan staf through seven desks in order.
    expect(tasks.filter((t) => t.stepId === 'L7').map((t) => t.node)).toEqual([
      'L7.1',
      'L7.2',
      'L7.3',
      'L7.4',
      'L7.5',
      'L7.6',
      'L7.7',
    ]);
  });

  it('ends the Bandung cooperation as ditolak when the DPRD does not approve', async () => {
    const { result, record, tasks } = await run('bandung-kerjasama-teknik-luar-negeri', {
      'L12.3': ['tidak-disetujui'],
    });
    expect(result.outcome).toBe('ditolak');
    expect(record.status).toBe('ditolak');
    expect(tasks.some((t) => t.stepId === 'L13')).toBe(false);
  });

  it('runs an unseen SOP with a gate on case data: DPRD approval only when the APBD is burdened', async () => {
    const burdened = await run('fixture-kerja-sama-pihak-ketiga', {}, { 'membebani-apbd': true });
    const notBurdened = await run('fixture-kerja-sama-pihak-ketiga', {}, { 'membebani-apbd': false });
    expect(burdened.result.outcome).toBe('selesai');
    expect(notBurdened.result.outcome).toBe('selesai');
    expect(burdened.tasks.some((t) => t.stepId === 'L5')).toBe(true);
    expect(notBurdened.tasks.some((t) => t.stepId === 'L5')).toBe(false);
  });

  it('cancels an unseen SOP when the pengusul withdraws (dibatalkan)', async () => {
    const { result, record } = await run('fixture-kerja-sama-pihak-ketiga', { L3: ['batal'] });
    expect(result.outcome).toBe('dibatalkan');
    expect(record.status).toBe('dibatalkan');
  });
});
