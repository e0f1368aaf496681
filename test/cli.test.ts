import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, samplePdf, submitPermohonan } from '../cli/drive.ts';
import { rebuildCaseSummary } from '../core/case/timeline.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { eventually, PEMOHON, startTestRuntime } from './support/runtime.ts';

/** The operator CLI as a child process, the way an operator runs it, against the test's runtime. */
function sepakat(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
      ['cli/sepakat.ts', ...args, '--data-dir', dataDir],
      // The same Node as the test runs on (the pinned one).
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}` },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

const blitar = (perihal: string) => ({
  sopId: 'blitar-pengkoordinasian-nota-kesepakatan',
  perihal,
  pemohon: PEMOHON,
  data: {
    'pihak-mitra': 'Pemerintah Kabupaten Kediri',
    perihal: 'Pengembangan pariwisata',
    'jenis-kerja-sama': 'KSDD',
  },
  files: [
    { slot: 'surat-permohonan', name: 'surat.pdf', bytes: samplePdf('Surat permohonan') },
    { slot: 'draf-naskah', name: 'draf.pdf', bytes: samplePdf('Draf naskah') },
  ],
});

describe('sepakat CLI', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let done: string;
  let open: string;

  beforeAll(async () => {
    rt = await startTestRuntime();
    // One Blitar case to the end (with a return at L1), one left waiting at L1.
    done = (await submitPermohonan(rt, blitar('Nota Kesepakatan pariwisata Penataran'))).intakeId;
    await eventually(async () => (await rt.app.store.getCase(done))?.cursor);
    const result = await driveCase({
      dataDir: rt.dataDir,
      caseId: done,
      pemohonEmail: PEMOHON.email,
      script: { L1: ['tidak-lengkap', 'lengkap'] },
    });
    expect(result.outcome).toBe('selesai');
    await eventually(async () => (await rt.app.store.getCase(done))?.status === 'selesai');
    open = (await submitPermohonan(rt, blitar('Nota Kesepakatan pengelolaan air bersih'))).intakeId;
    await eventually(async () => {
      // (Task lists never carry the token: the open task is read by its id.)
      const task = (await rt.app.store.listTasks({ caseId: open })).find((t) => t.state === 'open');
      return task && (await rt.app.store.getTask(task.taskId))?.taskToken;
    });
  }, 60_000);
  afterAll(async () => rt?.cleanup());

  it('keeps the case item a projection of its tasks and history', async () => {
    // Arrange
    const record = (await rt.app.store.getCase(done))!;

    // Act
    const summary = rebuildCaseSummary(
      record,
      await rt.app.store.listTasks({ caseId: done }),
      await rt.app.store.listHistory(done),
    );

    // Assert
    expect(summary).toMatchObject({
      status: record.status,
      cursor: record.cursor,
      visits: record.visits,
      outcome: 'selesai',
    });
  });

  it('lists cases and open tasks, prints the timeline against the Mutu Baku, and acts on a task as a browser', async () => {
    // Arrange, act
    const [kasus, tugas, linimasa] = await Promise.all([
      sepakat(['kasus'], rt.dataDir),
      sepakat(['tugas'], rt.dataDir),
      sepakat(['linimasa', done], rt.dataDir),
    ]);

    // Assert: kasus lists both cases with their SOP, perihal, status and current step.
    expect(kasus.code, kasus.stderr).toBe(0);
    expect(kasus.stdout).toMatch(
      new RegExp(
        `${done}\\s+blitar-pengkoordinasian-nota-kesepakatan@1\\s+Nota Kesepakatan pariwisata Penataran\\s+selesai`,
      ),
    );
    expect(kasus.stdout).toMatch(
      new RegExp(`${open}\\s+\\S+\\s+Nota Kesepakatan pengelolaan air bersih\\s+aktif\\s+L1`),
    );

    // tugas lists the open task of the waiting case only, with its link.
    expect(tugas.code, tugas.stderr).toBe(0);
    expect(tugas.stdout).toMatch(new RegExp(`\\S{22}\\s+${open}\\s+L1\\s+.*Penata Kelola Pemerintahan`));
    expect(tugas.stdout).not.toContain(done);
    const link = /^\s+\S{22}\s+(http:\/\/127\.0\.0\.1:\d+\/tugas\/\S+)$/m.exec(tugas.stdout)?.[1];
    expect(link, tugas.stdout).toBeDefined();

    // linimasa: every step with its Mutu Baku and status, then the totals.
    expect(linimasa.code, linimasa.stderr).toBe(0);
    const out = linimasa.stdout;
    expect(out).toContain(`Linimasa kasus ${done}`);
    expect(out).toMatch(/Urut\s+Langkah\s+Kunj\.\s+Dibuka\s+Batas waktu\s+Selesai\s+Dipakai\s+Mutu Baku\s+Status/);
    // L1 twice (returned, then complete), without Mutu Baku; L5 with "3 Hari"; L8 with its range.
    expect(out).toMatch(/\n\s+1\s+L1\s+1\s.*tanpa Mutu Baku/);
    expect(out).toMatch(/\n\s+2\s+L1\s+2\s.*tanpa Mutu Baku/);
    expect(out).toContain('Tidak lengkap: kembalikan ke pemohon [tidak-lengkap]');
    expect(out).toMatch(/L5\.1\s+1\s.*3 Hari \(1350 mnt\)\s+tepat waktu/);
    expect(out).toMatch(/L8\.1\s+1\s.*3-5 Hari \(1350-2250 mnt\)\s+tepat waktu/);
    expect(out).toContain('atas nama Tim Koordinasi Kerja Sama Daerah (TKKSD)');
    expect(out).toMatch(/Waktu yang digunakan\s+: .*menit kerja/);
    // Ranges stay ranges ("3-5 Hari" twice), in hari kerja.
    expect(out).toMatch(/Mutu Baku yang dilalui\s+: 15–19 hari kerja = 6750 menit kerja/);
    expect(out).toMatch(/Total Waktu menurut SOP\s+: tidak dinyatakan \(jumlah langkah SOP: 15–19 hari kerja\)/);
    expect(out).toMatch(/Hasil\s+: selesai/);

    // Act: a choice the task does not offer, then the real decision, through the link.
    const wrong = await sepakat(['bertindak', link!, '--pilihan', 'setuju'], rt.dataDir);
    const acted = await sepakat(
      [
        'bertindak',
        link!,
        '--pilihan',
        'lengkap',
        '--catatan',
        'Berkas lengkap',
        '--isian',
        'nomor-agenda=000.5/12/2026',
      ],
      rt.dataDir,
    );

    // Assert
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Pilihan "setuju" tidak ada');
    expect(wrong.stderr).toContain('lengkap, tidak-lengkap');
    expect(acted.code, acted.stderr).toBe(0);
    expect(acted.stdout).toMatch(/^Tercatat: /);
    await eventually(async () => (await rt.app.store.getCase(open))?.cursor?.node === 'L2');
    const task = (await rt.app.store.listTasks({ caseId: open })).find((t) => t.node === 'L1')!;
    expect(task.decision).toMatchObject({
      choice: 'lengkap',
      note: 'Berkas lengkap',
      values: { 'nomor-agenda': '000.5/12/2026' },
    });
  });

  it('lists the stored mail of one recipient', async () => {
    // Arrange, act
    const surat = await sepakat(['surat', '--ke', PEMOHON.email], rt.dataDir);

    // Assert
    expect(surat.code, surat.stderr).toBe(0);
    expect(surat.stdout).toContain(`Permohonan diterima: Nota Kesepakatan pengelolaan air bersih (${open})`);
    expect(surat.stdout).toContain('Permohonan selesai diproses: Nota Kesepakatan pariwisata Penataran');
    expect(surat.stdout).not.toContain('Tugas baru');
  });

  it('fails with a clear message when the runtime is not running or an argument is wrong', async () => {
    // Arrange
    const empty = mkdtempSync(join(tmpdir(), 'sepakat-kosong-'));

    try {
      // Act
      const [notRunning, noCase, badStatus, unknownCase, unknownCommand] = await Promise.all([
        sepakat(['kasus'], empty),
        sepakat(['linimasa'], rt.dataDir),
        sepakat(['kasus', '--status', 'macet'], rt.dataDir),
        sepakat(['linimasa', '20990101-tidakada'], rt.dataDir),
        sepakat(['hapus'], rt.dataDir),
      ]);
      // A runtime that stopped (its runtime.json stays behind) is told apart from a running one.
      writeFileSync(
        join(empty, 'runtime.json'),
        JSON.stringify({ pid: 2 ** 22 + 12345, urls: { web: 'http://127.0.0.1:9' }, config: {} }),
      );
      const stopped = await sepakat(['tugas'], empty);

      // Assert
      expect(notRunning.code).not.toBe(0);
      expect(notRunning.stderr).toContain('Runtime Sepakat tidak berjalan');
      expect(noCase.code).toBe(2);
      expect(noCase.stderr).toContain('Sebutkan nomor kasus');
      expect(badStatus.code).toBe(2);
      expect(badStatus.stderr).toContain('Status "macet" tidak dikenal');
      expect(unknownCase.code).toBe(1);
      expect(unknownCase.stderr).toContain('Kasus 20990101-tidakada tidak ditemukan');
      expect(unknownCommand.code).toBe(2);
      expect(unknownCommand.stderr).toContain('Perintah "hapus" tidak dikenal');
      expect(stopped.code).toBe(3);
      expect(stopped.stderr).toMatch(/Runtime Sepakat tidak (berjalan|dapat dihubungi)/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
