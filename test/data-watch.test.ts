import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitPermohonan } from '../cli/drive.ts';
import { isEditorTempFile } from '../local/data-watch.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { eventually, FIXTURE_SOPS, permohonanFor, SEED_SOPS, startTestRuntime } from './support/runtime.ts';

const SOP = 'fixture-kerja-sama-pihak-ketiga';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the embedded default watches sops/ and config/ and reloads through the one reload path', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let sopDir: string;
  let configDir: string;
  const lines: string[] = [];
  const v1 = readFileSync(join(FIXTURE_SOPS, `${SOP}.yaml`), 'utf8');
  const v2 = v1
    .replace(/^version: 1$/m, 'version: 2')
    .replace('    waktu: 30 hari kalender\n', '    waktu: 45 hari kalender\n');
  const reloads = () => lines.filter((l) => l.includes('perubahan data terdeteksi'));

  beforeAll(async () => {
    sopDir = mkdtempSync(join(tmpdir(), 'sepakat-watch-sops-'));
    configDir = mkdtempSync(join(tmpdir(), 'sepakat-watch-config-'));
    copyFileSync(join(FIXTURE_SOPS, `${SOP}.yaml`), join(sopDir, `${SOP}.yaml`));
    cpSync(join(PROJECT_ROOT, 'config'), configDir, { recursive: true });
    rt = await startTestRuntime({
      sopDirs: [SEED_SOPS, sopDir],
      configDir,
      schedulerIntervalMs: 0,
      watch: true,
      log: (line) => lines.push(line),
    });
  });
  afterAll(async () => {
    await rt?.cleanup();
    rmSync(sopDir, { recursive: true, force: true });
    rmSync(configDir, { recursive: true, force: true });
  });

  it('ignores the temp files editors write', async () => {
    for (const name of ['.fixture.yaml.swp', 'fixture.yaml~', '.#fixture.yaml', '4913', '#fixture.yaml#'])
      expect(isEditorTempFile(join(sopDir, name))).toBe(true);
    expect(isEditorTempFile(join(sopDir, 'versi', `${SOP}-v2.yaml`))).toBe(false);
    writeFileSync(join(sopDir, `.${SOP}.yaml.swp`), 'sampah');
    writeFileSync(join(sopDir, `${SOP}.yaml~`), 'sampah');
    await sleep(1000);
    expect(reloads()).toEqual([]);
  });

  it('picks up a new SOP version written into its sops dir, usable by a new case', async () => {
    mkdirSync(join(sopDir, 'versi'));
    writeFileSync(join(sopDir, 'versi', `${SOP}-v2.yaml`), v2);
    await eventually(async () => rt.app.catalog.sops.latest(SOP).definition.version === 2);
    await eventually(async () => lines.some((l) => l.includes(`data dimuat ulang: versi SOP baru ${SOP}@2`)));
    // Partial writes and the directory's own event settle into one reload (debounced).
    expect(reloads()).toHaveLength(1);
    // Usable: a new permohonan starts on version 2 and its state machine opens the first task.
    const { intakeId: caseId } = await submitPermohonan(
      rt,
      permohonanFor(rt, SOP, { 'membebani-apbd': true }, 'Kerja sama pada versi yang dipantau'),
    );
    const started = await eventually(async () => rt.app.store.getCase(caseId));
    expect(started.sopKey).toBe(`${SOP}@2`);
    await eventually(async () => (await rt.app.store.listTasks({ caseId })).find((t) => t.state === 'open'));
  });

  it('picks up a changed pemda configuration and says which pemda changed', async () => {
    const file = join(configDir, 'pemda', 'kota-contoh.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('telepon: (0123) 456789', 'telepon: (0123) 456780'));
    await eventually(
      async () =>
        rt.app.catalog.pemda('kota-contoh').directory.data.pemda.dokumen?.penghubung?.telepon === '(0123) 456780',
    );
    await eventually(async () =>
      lines.some((l) => l.includes('tidak ada versi SOP baru; konfigurasi pemda berubah: kota-contoh')),
    );
  });

  it('refuses a broken file written afterwards: nothing changes, and the log says why naming file, step and field', async () => {
    const count = reloads().length;
    const v3File = join(sopDir, 'versi', `${SOP}-v3.yaml`);
    writeFileSync(
      v3File,
      v2
        .replace(/^version: 2$/m, 'version: 3')
        .replace('        next: L6\n        kind: ya\n', '        next: L99\n        kind: ya\n'),
    );
    const refusal = await eventually(async () => lines.find((l) => l.includes('muat ulang ditolak')));
    expect(refusal).toContain('tidak ada yang diubah');
    expect(refusal).toContain(v3File);
    expect(refusal).toContain(`${v3File}: langkah L5: choices[0].next: tujuan "L99" bukan langkah yang ada`);
    expect(reloads()).toHaveLength(count + 1);
    expect(rt.app.catalog.sops.latest(SOP).definition.version).toBe(2);
    expect(() => rt.app.catalog.sops.get(`${SOP}@3`)).toThrow(/tidak dikenal/);
    // The pemda change loaded before stays.
    expect(rt.app.catalog.pemda('kota-contoh').directory.data.pemda.dokumen?.penghubung?.telepon).toBe('(0123) 456780');
  });
});
