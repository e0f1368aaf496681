import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, submitPermohonan, taskLinks } from '../cli/drive.ts';
import type { Principal } from '../core/access/access.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { sessionFor, web } from './support/console.ts';
import { eventually, FIXTURE_SOPS, PEMOHON, permohonanFor, SEED_SOPS, startTestRuntime } from './support/runtime.ts';

const SOP = 'fixture-kerja-sama-pihak-ketiga';
const ADMIN = { id: 'u-admin-kota', nama: 'Admin Kerja Sama Kota', jabatan: 'Administrator' };
const ADMIN_KOTA: Principal = {
  sub: 'u-admin-kota',
  email: 'admin@kota-contoh.test',
  nama: 'Admin Kerja Sama Kota',
  roles: ['admin'],
  pemdaId: 'kota-contoh',
  unit: 'BAGIAN KERJASAMA',
};

describe('data changes without a restart, and a stuck case moves to a newer version', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let sopDir: string;
  const v1 = readFileSync(join(FIXTURE_SOPS, `${SOP}.yaml`), 'utf8');
  // Version 2: the DPRD's wait as the pemda now states it (45 hari kalender), the rest unchanged.
  const v2 = v1
    .replace(/^version: 1$/m, 'version: 2')
    .replace('    waktu: 30 hari kalender\n', '    waktu: 45 hari kalender\n');
  const v2File = () => join(sopDir, 'versi', `${SOP}-v2.yaml`);

  beforeAll(async () => {
    sopDir = mkdtempSync(join(tmpdir(), 'sepakat-sops-'));
    copyFileSync(join(FIXTURE_SOPS, `${SOP}.yaml`), join(sopDir, `${SOP}.yaml`));
    rt = await startTestRuntime({ sopDirs: [SEED_SOPS, sopDir], schedulerIntervalMs: 0 });
  });
  afterAll(async () => {
    await rt?.cleanup();
    rmSync(sopDir, { recursive: true, force: true });
  });

  it('refuses a broken SOP file with the reason naming the file, and changes nothing', async () => {
    expect(v2).not.toBe(v1);
    mkdirSync(join(sopDir, 'versi'), { recursive: true });
    writeFileSync(
      v2File(),
      v2.replace('        next: L6\n        kind: ya\n', '        next: L99\n        kind: ya\n'),
    );
    const result = rt.reload();
    expect(result.result).toBe('ditolak');
    const messages = result.result === 'ditolak' ? result.messages.join('\n') : '';
    expect(messages).toContain(v2File());
    expect(messages).toMatch(/L99/);
    expect(() => rt.app.catalog.sops.get(`${SOP}@2`)).toThrow(/tidak dikenal/);
    expect(rt.app.catalog.sops.latest(SOP).definition.version).toBe(1);
    // A file that is not YAML is refused.
    writeFileSync(v2File(), 'id: [tidak: sah');
    expect(rt.reload().result).toBe('ditolak');
    rmSync(v2File());
    // A loaded version changed in place is refused too: a fix is a new version.
    writeFileSync(join(sopDir, `${SOP}.yaml`), v1.replace('waktu: 30 hari kalender', 'waktu: 31 hari kalender'));
    const changed = rt.reload();
    expect(changed.result === 'ditolak' && changed.messages.join('\n')).toMatch(
      /sudah dimuat dan isinya berubah; versi yang sudah dimuat tidak boleh diubah/,
    );
    writeFileSync(join(sopDir, `${SOP}.yaml`), v1);
  });

  it('picks up a new version, and moves a case stuck on the old one at the mapped step with nothing lost', async () => {
    // A case on version 1, waiting at the DPRD's step (L5).
    const { intakeId: caseId } = await submitPermohonan(
      rt,
      permohonanFor(rt, SOP, { 'membebani-apbd': true }, 'Kerja sama yang pindah versi'),
    );
    const driven = await driveCase({ dataDir: rt.dataDir, caseId, pemohonEmail: PEMOHON.email, stopAt: 'L5' });
    const oldLink = driven.stoppedAt!.link;
    const before = (await rt.app.store.getCase(caseId))!;
    expect(before.sopKey).toBe(`${SOP}@1`);
    const historyBefore = (await rt.app.store.listHistory(caseId)).map((e) => e.eventKey);
    const paraf = (await rt.app.store.listHistory(caseId)).filter((e) => e.type === 'tugas-diputuskan');
    expect(paraf.length).toBeGreaterThanOrEqual(5);
    const oldTask = await eventually(async () =>
      (await rt.app.store.listTasks({ caseId })).find((t) => t.node === 'L5' && t.state === 'open'),
    );

    // Version 2 written beside the running runtime and loaded without a restart.
    writeFileSync(v2File(), v2);
    const loaded = rt.reload();
    expect(loaded).toMatchObject({ result: 'dimuat', added: [`${SOP}@2`] });
    expect(rt.app.catalog.sops.latest(SOP).definition.version).toBe(2);

    // Refusals, in Indonesian, naming the field: nothing moves.
    const move = (version: number, langkah?: string) =>
      rt.app.caseAdmin.moveToVersion({
        caseId,
        version,
        ...(langkah ? { langkah } : {}),
        by: ADMIN,
        reason: 'Mutu Baku DPRD diperbarui pada versi 2',
      });
    expect(await move(1)).toMatchObject({
      result: 'tidak-valid',
      error: expect.stringMatching(/^Versi: 1 tidak lebih baru/),
    });
    expect(await move(3)).toMatchObject({
      result: 'tidak-valid',
      error: expect.stringMatching(/^Versi: .*versi 3 tidak ada/),
    });
    expect(await move(2, 'L99')).toMatchObject({
      result: 'tidak-valid',
      error: expect.stringMatching(/^Langkah: "L99" tidak ada/),
    });
    expect((await rt.app.store.getCase(caseId))!.sopKey).toBe(`${SOP}@1`);

    // The administrator's button on the case page; a double submit (two POSTs at once) moves once.
    const admin = sessionFor(rt, ADMIN_KOTA);
    const page = await web(rt, `/konsol/kasus/${caseId}`, { cookie: admin.cookie });
    expect(page.text).toContain(`action="/konsol/kasus/${caseId}/pindah-versi"`);
    expect(page.text).toContain('<option value="2">Versi 2</option>');
    const submit = () =>
      web(rt, `/konsol/kasus/${caseId}/pindah-versi`, {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, versi: '2', langkah: '', alasan: 'Mutu Baku DPRD diperbarui pada versi 2' },
      });
    // Without the CSRF token, nothing moves.
    const forged = await web(rt, `/konsol/kasus/${caseId}/pindah-versi`, {
      cookie: admin.cookie,
      form: { versi: '2', alasan: 'Mutu Baku DPRD diperbarui pada versi 2' },
    });
    expect(forged.status).toBe(403);
    expect((await rt.app.store.getCase(caseId))!.sopKey).toBe(`${SOP}@1`);
    const answers = await Promise.all([submit(), submit()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(
      answers.map((a) => /Kasus dipindahkan ke versi SOP baru|Kasus sudah dipindahkan/.exec(a.text)?.[0]).sort(),
    ).toEqual(['Kasus dipindahkan ke versi SOP baru', 'Kasus sudah dipindahkan']);
    const moved = (await rt.app.store.getCase(caseId))!;
    expect(moved.sopKey).toBe(`${SOP}@2`);
    expect(moved.sopVersion).toBe(2);
    expect(moved.cursor).toMatchObject({ node: 'L5', seq: before.cursor!.seq + 1 });
    // Kept: the case data, the files, every fact of the history (the paraf among them).
    expect(moved.data).toEqual(before.data);
    expect(moved.files).toEqual(before.files);
    const historyAfter = await rt.app.store.listHistory(caseId);
    expect(historyAfter.map((e) => e.eventKey)).toEqual(expect.arrayContaining(historyBefore));
    const fact = historyAfter.filter((e) => e.type === 'versi-dipindahkan');
    expect(fact).toHaveLength(1);
    expect(fact[0]).toMatchObject({
      who: { id: 'pengguna:u-admin-kota', nama: 'Admin Kerja Sama Kota', jabatan: 'Administrator, BAGIAN KERJASAMA' },
      note: 'Mutu Baku DPRD diperbarui pada versi 2',
      detail: { dari: `${SOP}@1`, ke: `${SOP}@2`, dariLangkah: 'L5', keLangkah: 'L5' },
    });

    // The old task is cancelled and its link answers "diganti"; the new task sends a new link.
    const retired = (await rt.app.store.getTask(oldTask.taskId))!;
    expect(retired).toMatchObject({ state: 'cancelled', linkVersion: oldTask.linkVersion + 1 });
    const oldPage = await fetch(oldLink);
    expect(oldPage.status).toBe(410);
    expect(await oldPage.text()).toContain('Tautan sudah diganti');
    const newMail = await eventually(
      async () =>
        (await readMailbox(rt.dataDir)).filter(
          (m) => /^Tugas baru: L5 /.test(m.subject) && m.text?.includes(caseId),
        )[1],
    );
    expect(taskLinks(newMail)[0]).not.toBe(oldLink);
    const newTask = await eventually(async () =>
      (await rt.app.store.listTasks({ caseId })).find((t) => t.node === 'L5' && t.state === 'open' && t.executionArn),
    );
    // Held by the execution the move started on version 2's state machine.
    expect(newTask.executionArn).toContain(`:${caseId}-pindah-2-${newTask.seq}`);
    expect(newTask.seq).toBe(before.cursor!.seq + 1);

    // The case runs on to the end on version 2.
    const done = ['L1', 'L2', 'L3', 'L4', 'L4.2', 'L4.3', 'L5'];
    const finished = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      alreadyDone: (node) => done.includes(node) || node.startsWith('L4'),
      timeoutMs: 90_000,
    });
    expect(finished.outcome).toBe('selesai');
    // The pemohon's email goes out as the case closes: its summary follows at once.
    const end = await eventually(async () => {
      const record = (await rt.app.store.getCase(caseId))!;
      return record.status === 'selesai' && record;
    });
    expect(end).toMatchObject({ status: 'selesai', sopKey: `${SOP}@2` });
    expect(end.files).toEqual(before.files);
  }, 150_000);

  it('does not move a case whose waiting task was decided between the move reading it and retiring it', async () => {
    // A case on version 2 (loaded by the test above, so new cases start on it), waiting at the DPRD's step (L5);
    // then version 3, the same words, to move it to.
    const { intakeId: caseId } = await submitPermohonan(
      rt,
      permohonanFor(rt, SOP, { 'membebani-apbd': true }, 'Kerja sama yang diputuskan saat dipindah'),
    );
    await driveCase({ dataDir: rt.dataDir, caseId, pemohonEmail: PEMOHON.email, stopAt: 'L5' });
    const waiting = await eventually(async () =>
      (await rt.app.store.listTasks({ caseId })).find((t) => t.node === 'L5' && t.state === 'open'),
    );
    const task = (await rt.app.store.getTask(waiting.taskId))!;
    const before = (await rt.app.store.getCase(caseId))!;
    expect(before.sopKey).toBe(`${SOP}@2`);
    writeFileSync(join(sopDir, 'versi', `${SOP}-v3.yaml`), v2.replace(/^version: 2$/m, 'version: 3'));
    expect(rt.reload()).toMatchObject({ result: 'dimuat', added: [`${SOP}@3`] });
    // The official's decision lands right after the move read the task as open: the move's read returns the task as
    // it was, while the stored one is decided (its report to the execution not made yet).
    const decision = {
      choice: 'tidak-disetujui',
      note: 'DPRD tidak menyetujui rancangan ini',
      values: {},
      files: [],
      at: new Date().toISOString(),
      by: task.person,
      submissionId: 'sub-balapan-pindah',
    };
    expect(await rt.app.store.decideReturning(task.taskId, task.linkVersion, decision)).toBeDefined();
    const store = rt.app.store;
    const getTask = store.getTask.bind(store);
    let stale = true;
    store.getTask = async (taskId: string) => {
      if (stale && taskId === task.taskId) {
        stale = false;
        return task;
      }
      return getTask(taskId);
    };
    try {
      const result = await rt.app.caseAdmin.moveToVersion({
        caseId,
        version: 3,
        by: ADMIN,
        reason: 'Mutu Baku DPRD diperbarui pada versi 3',
      });
      expect(result).toMatchObject({
        result: 'ditolak',
        error: 'Tugas langkah L5 sudah diputuskan dan kasus sedang bergerak; coba lagi sebentar',
      });
    } finally {
      store.getTask = getTask;
    }
    // Nothing moved, and the decision stands, to be reported to the execution that waits for it.
    const after = (await rt.app.store.getCase(caseId))!;
    expect(after).toMatchObject({ sopKey: `${SOP}@2`, cursor: before.cursor });
    expect(await rt.app.store.getTask(task.taskId)).toMatchObject({
      state: 'decided',
      decision: { choice: 'tidak-disetujui' },
    });
    expect((await rt.app.store.listHistory(caseId)).some((e) => e.type === 'versi-dipindahkan')).toBe(false);
    expect(await rt.app.runtime.settleDecision((await rt.app.store.getTask(task.taskId))!)).toBe('reported');
    await eventually(async () => (await rt.app.store.getCase(caseId))?.status === 'ditolak');
  }, 150_000);
});
