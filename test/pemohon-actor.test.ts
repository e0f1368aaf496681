import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnLink, driveCase, submitPermohonan } from '../cli/drive.ts';
import { taskMaySeeDocument } from '../core/access/access.ts';
import { DEFAULT_WORKING_HOURS } from '../core/calendar/calendar-schema.ts';
import { createWorkCalendar, parseCalendarYear } from '../core/calendar/work-calendar.ts';
import { pemohonPersonId } from '../core/case/pemohon-person.ts';
import { DEFAULT_PENGINGAT, planReminders } from '../core/case/reminders.ts';
import { pelaksanaColumns } from '../core/documents/sop.ts';
import { buildSop } from '../core/sop/load-sop.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * The pemohon is the submitter (issue 15, item 8): an SOP actor of kind `pemohon` is bound, for each case, to whoever
 * submitted it. The fixture SOP has the pemohon revise the draft themselves: their task email goes to the submitter's
 * address, their decision moves the case, and a second case submitted by someone else goes to that other person.
 */
const DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'sops-pemohon');
const FILE = join(DIR, 'fixture-revisi-oleh-pemohon.yaml');
const SOP_ID = 'fixture-revisi-oleh-pemohon';
const LAIN = {
  nama: 'Sri Wahyuni, S.E.',
  email: 'sri.wahyuni@koperasi-lain.test',
  instansi: 'Koperasi Lain Sejahtera',
};

const raw = () => parseYaml(readFileSync(FILE, 'utf8')) as { steps: Record<string, unknown>[]; actors: object[] };
const load = (def: unknown) => buildSop(def, 'uji.yaml');

describe('an SOP actor of kind pemohon, as the loader reads it', () => {
  it('loads the fixture: the pemohon performs its own step, and is a lane of the SOP AP document', () => {
    const sop = load(raw());
    const l2 = sop.node('L2');
    expect(l2.type === 'activity' && l2.performer).toMatchObject({ id: 'pemohon', kind: 'pemohon' });
    expect(pelaksanaColumns(sop.definition).map((c) => c.jabatan)).toContain('Pemohon (pengusul)');
  });

  it('refuses a paraf or an electronic signature by the pemohon, naming the step, in Indonesian', () => {
    const def = raw();
    def.steps[1] = { ...def.steps[1], kind: 'paraf' };
    expect(() => load(def)).toThrow(/L2.*pemohon \(aktor "pemohon"\) tidak dapat membubuhkan paraf atau tanda tangan/s);
  });

  it('refuses a pemohon "recorded by" an official: only an external party is', () => {
    const def = raw();
    def.actors[2] = { ...def.actors[2], recordedBy: 'staf-kerjasama' };
    expect(() => load(def)).toThrow(/actors\.pemohon\.recordedBy.*hanya pihak eksternal yang dicatat/s);
  });

  it('shows the pemohon on their task page what the pemohon sees anywhere: no working papers', () => {
    expect(taskMaySeeDocument('pemohon', 'konsep-naskah')).toBe(false);
    expect(taskMaySeeDocument('pemohon', 'nota-dinas')).toBe(false);
    expect(taskMaySeeDocument('pemohon', 'naskah-ditandatangani')).toBe(true);
    expect(taskMaySeeDocument('internal', 'konsep-naskah')).toBe(true);
  });

  it('plans reminders of a pemohon task without an escalation (no atasan in the pemda)', () => {
    const calendar = createWorkCalendar(
      [parseCalendarYear(JSON.parse(readFileSync(join(PROJECT_ROOT, 'config/calendar/2026.json'), 'utf8')))],
      DEFAULT_WORKING_HOURS,
    );
    const task = {
      taskId: 't',
      openedAt: '2026-06-01T01:00:00Z',
      dueAt: '2026-06-03T09:00:00Z',
      overdueAt: '2026-06-03T09:00:00Z',
    };
    const stages = (escalates: boolean) =>
      planReminders({ task, waitsOnExternal: false, escalates, cadence: DEFAULT_PENGINGAT, calendar }).map(
        (i) => i.job.stage,
      );
    expect(stages(true)).toContain('eskalasi');
    expect(stages(false)).not.toContain('eskalasi');
    expect(stages(false)).toContain('terlambat');
  });
});

describe('the pemohon revises the draft from their own email (embedded runtime)', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime({ sopDirs: [DIR] });
  }, 60_000);
  afterAll(async () => rt?.cleanup());

  const submit = async (pemohon: typeof PEMOHON, perihal: string) => {
    const { intakeId } = await submitPermohonan(rt, {
      ...permohonanFor(rt, SOP_ID, { 'jenis-kerja-sama': 'KSDPK' }, perihal),
      pemohon,
    });
    await eventually(async () => (await rt.app.store.getCase(intakeId))?.cursor);
    return intakeId;
  };
  /** Drives the case until the pemohon's task email arrives; returns that email. */
  const atPemohon = async (caseId: string, email: string) =>
    (await driveCase({ dataDir: rt.dataDir, caseId, pemohonEmail: email, stopAt: 'L2', timeoutMs: 60_000 })).stoppedAt!;

  it('sends each case its submitter task, and their decision moves the case to selesai', async () => {
    const first = await submit(PEMOHON, 'Kerja sama pengelolaan sampah');
    const second = await submit(LAIN, 'Kerja sama koperasi desa');

    const mailA = await atPemohon(first, PEMOHON.email);
    const mailB = await atPemohon(second, LAIN.email);
    expect(mailA.mail.to).toEqual([PEMOHON.email]);
    expect(mailB.mail.to).toEqual([LAIN.email]);
    // Bound to the submitter of each case, not to a person of the directory.
    const taskOf = async (caseId: string) =>
      (await rt.app.store.listTasks({ caseId })).find((t) => t.stepId === 'L2' && t.state === 'open')!;
    expect((await taskOf(first)).person).toMatchObject({
      id: pemohonPersonId(PEMOHON.email),
      email: PEMOHON.email,
      nama: PEMOHON.nama,
      jabatan: `Pemohon, ${PEMOHON.instansi}`,
    });
    expect((await taskOf(second)).person).toMatchObject({ id: pemohonPersonId(LAIN.email), email: LAIN.email });

    // "Tugas saya" of the signed-in pemohon: their own task (the first case), not the other submitter's.
    const { cookie } = sessionFor(rt, PRINCIPALS.pemohonKota);
    const mine = await web(rt, '/tugas-saya', { cookie });
    expect(mine.status).toBe(200);
    expect(mine.text).toContain(`data-tugas="${(await taskOf(first)).taskId}"`);
    expect(mine.text).not.toContain((await taskOf(second)).taskId);

    // The pemohon acts through the link (no code by email: a plain decision), and the case moves on.
    const decided = await actOnLink(mailA.link, () => ({ pilihan: 'kirim' }), {
      dataDir: rt.dataDir,
      recipient: PEMOHON.email,
    });
    expect(decided.status).toBe(200);
    expect(decided.html).toContain('Keputusan tercatat');
    const l2 = (await rt.app.store.listTasks({ caseId: first })).find((t) => t.stepId === 'L2')!;
    expect(l2.decision).toMatchObject({ choice: 'kirim', by: { id: pemohonPersonId(PEMOHON.email) } });
    expect(l2.decision!.files.map((f) => f.slot)).toEqual(['rancangan-perbaikan']);

    const done = await driveCase({
      dataDir: rt.dataDir,
      caseId: first,
      pemohonEmail: PEMOHON.email,
      script: { L3: ['setuju'] },
      alreadyDone: (node) => node === 'L1' || node === 'L2',
      timeoutMs: 60_000,
    });
    expect(done.outcome).toBe('selesai');
    // The notice to the pemohon went to the submitter of this case only.
    const mails = await readMailbox(rt.dataDir);
    const notice = mails.filter((m) => /Rancangan kerja sama disetujui/.test(m.subject));
    expect(notice.map((m) => m.to)).toEqual([[PEMOHON.email]]);
    // The second case waits on its own submitter.
    expect((await rt.app.store.getCase(second))!.cursor?.stepId).toBe('L2');
  }, 180_000);
});
