import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, samplePdf, submitPermohonan } from '../cli/drive.ts';
import { eventually, PEMOHON, startTestRuntime } from './support/runtime.ts';

describe('smoke', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => rt?.cleanup());

  it('runs the first SOP to selesai', async () => {
    const { intakeId } = await submitPermohonan(rt.urls.web, {
      sopId: 'kota-penyusunan-kesepakatan-bersama',
      perihal: 'Kesepakatan Bersama penyelenggaraan pemerintahan',
      pemohon: PEMOHON,
      data: { 'pihak-mitra': 'Kabupaten Mitra', perihal: 'Penyelenggaraan pemerintahan', 'jenis-kerja-sama': 'KSDD' },
      files: [{ slot: 'surat-permohonan', name: 'surat.pdf', bytes: samplePdf('Surat permohonan') }],
    });
    await eventually(async () => (await rt.app.store.getCase(intakeId))?.cursor);
    const result = await driveCase({ dataDir: rt.dataDir, caseId: intakeId, pemohonEmail: PEMOHON.email, script: { L9: ['tidak', 'ya'], L7: ['ulangi', 'disepakati'] } });
    expect(result.outcome).toBe('selesai');
    console.log(result.acted.map((a) => `${a.node}:${a.choice}`).join(' '));
  });
});
