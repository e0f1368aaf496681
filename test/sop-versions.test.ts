import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, submitPermohonan } from '../cli/drive.ts';
import { loadSops } from '../functions/adapters/catalog.ts';
import { FIXTURE_SOPS, PEMOHON, eventually, freePort, permohonanFor, startTestRuntime } from './support/runtime.ts';

const FILE = 'fixture-kerja-sama-pihak-ketiga.yaml';

/** A revised SOP (version 2) goes live while a case started on version 1 is still running. */
describe('SOP versions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sepakat-sop-'));
  const v1 = readFileSync(join(FIXTURE_SOPS, FILE), 'utf8');
  // Version 2 drops the automatic notice and shortens L1's Waktu.
  const v2 = v1.replace(/^version: 1$/m, 'version: 2').replace('waktu: 2 jam', 'waktu: 1 jam');
  beforeAll(() => {
    writeFileSync(join(dir, FILE), v1);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every version loadable and starts new cases on the latest', () => {
    mkdirSync(join(dir, 'versi'), { recursive: true });
    const both = mkdtempSync(join(tmpdir(), 'sepakat-sop-'));
    writeFileSync(join(both, FILE), v2);
    mkdirSync(join(both, 'versi'));
    writeFileSync(join(both, 'versi', FILE.replace('.yaml', '.v1.yaml')), v1);
    const sops = loadSops([both]);
    expect(sops.latest('fixture-kerja-sama-pihak-ketiga').key).toBe('fixture-kerja-sama-pihak-ketiga@2');
    expect(sops.get('fixture-kerja-sama-pihak-ketiga@1').definition.version).toBe(1);
    rmSync(both, { recursive: true, force: true });
  });

  it('finishes a case on the version it started on after version 2 is deployed', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sepakat-data-'));
    const sopDir = mkdtempSync(join(tmpdir(), 'sepakat-sop-'));
    cpSync(join(dir, FILE), join(sopDir, FILE));
    const port = await freePort();
    try {
      const first = await startTestRuntime({ dataDir: data, sopDirs: [sopDir], port });
      const { intakeId } = await submitPermohonan(first, permohonanFor(first, 'fixture-kerja-sama-pihak-ketiga'));
      // Stop while the first official holds the task (the email with its link is out).
      await eventually(async () => (await first.app.store.listTasks({ caseId: intakeId })).length > 0);
      await first.idle();
      await first.close();
      // Deploy version 2; version 1 moves to versi/.
      mkdirSync(join(sopDir, 'versi'));
      writeFileSync(join(sopDir, 'versi', FILE.replace('.yaml', '.v1.yaml')), v1);
      writeFileSync(join(sopDir, FILE), v2);
      const second = await startTestRuntime({ dataDir: data, sopDirs: [sopDir], port });
      try {
        expect(second.resumed).toContain(intakeId);
        const result = await driveCase({ dataDir: data, caseId: intakeId, pemohonEmail: PEMOHON.email });
        expect(result.outcome).toBe('selesai');
        expect((await second.app.store.getCase(intakeId))?.sopKey).toBe('fixture-kerja-sama-pihak-ketiga@1');
        const { intakeId: newer } = await submitPermohonan(
          second,
          permohonanFor(second, 'fixture-kerja-sama-pihak-ketiga'),
        );
        expect((await eventually(async () => second.app.store.getCase(newer))).sopKey).toBe(
          'fixture-kerja-sama-pihak-ketiga@2',
        );
      } finally {
        await second.close();
      }
    } finally {
      rmSync(data, { recursive: true, force: true });
      rmSync(sopDir, { recursive: true, force: true });
    }
  });
});
