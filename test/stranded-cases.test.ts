import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitPermohonan } from '../cli/drive.ts';
import { isExecutionOf } from '../core/case/stranded.ts';
import { SfnPort } from '../functions/adapters/sfn-port.ts';
import { stateMachineName } from '../functions/config.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { eventually, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * No case is ever stranded (issue 16, item 1), on the embedded default with its real local services: a handler that
 * fails is recorded on the case (`otomatis-gagal`) and told, and the case resumes through the one continuation path
 * once fixed; an address SES refuses is a fact on the case (`email-gagal`) and its task stays open in a running
 * execution; the stranded-case sweep finds a case whose execution was stopped and continues it.
 */
const SOP = 'kota-penyusunan-kesepakatan-bersama';

describe('no case is stranded', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime({ strandedSweepIntervalMs: 0 });
  });
  afterAll(async () => {
    delete process.env['SEPAKAT_LOCAL_SES_REJECT'];
    await rt?.cleanup();
  });

  const history = (caseId: string) => rt.app.store.listHistory(caseId);
  /** The adapter the sweep asks, through the real SDK client and the local Step Functions API. */
  const sfn = () => new SfnPort(rt.app.clients.sfn);
  const runningOf = async (caseId: string) => {
    const record = (await rt.app.store.getCase(caseId))!;
    const arn = `${rt.app.config.SEPAKAT_STATE_MACHINE_ARN_PREFIX}${stateMachineName(record.sopKey)}`;
    return (await sfn().runningExecutions(arn)).filter((n) => isExecutionOf(record, n));
  };

  let caseId = '';

  it('records a failing handler on the case, tells the officials and the administrator, and resumes after the fix', async () => {
    // The function that enters the first activity: its Masuk, or its wait when nothing runs before the wait.
    const firstActivity = rt.app.catalog.sops.latest(SOP).nodes.find((n) => n.type === 'activity')!;
    const entering = firstActivity.before.length ? 'enterStep' : 'openTask';
    rt.failFunction(entering, { name: 'Error', message: 'fungsi rusak (uji)' });
    ({ intakeId: caseId } = await submitPermohonan(rt, permohonanFor(rt, SOP)));
    const failure = await eventually(
      async () => (await history(caseId)).find((e) => e.type === 'otomatis-gagal'),
      60_000,
    );
    // Not our error: its name is recorded and the cause people see names only that (no stack, no message of a library).
    expect(failure.detail).toMatchObject({ error: 'Error', alasan: 'kesalahan sistem (Error)' });
    const first = rt.app.catalog.sops.latest(SOP).nodes.find((n) => n.type === 'activity')!;
    expect(failure.node).toBe(first.id);
    const told = await eventually(async () =>
      (await readMailbox(rt.dataDir)).find((m) => m.subject.includes('gagal') && m.text?.includes(caseId)),
    );
    // The Kabag Kerjasama is the pemda's administrator of cooperation (pemantauan.bagian).
    expect(told.to).toContain('kabag.kerjasama@kota-contoh.test');
    expect(told.text).toMatch(/dilanjutkan setelah penyebabnya diperbaiki/);
    expect(await runningOf(caseId)).toEqual([]);
    expect((await rt.app.store.getCase(caseId))?.status).toBe('aktif');

    // Stranded, but on a recorded failure: the sweep does not resume it before the fix, it counts it.
    const before = await rt.app.sweepStranded({ graceMs: 0 });
    expect(before.cases).toContainEqual({ caseId, outcome: 'menunggu-perbaikan' });
    expect(before.awaitingFix).toBeGreaterThanOrEqual(1);
    // ... and reports it to the StrandedCases metric its alarm watches.
    const stranded = rt.metrics.snapshot().find((m) => m.name === 'StrandedCases' && !m.pemda);
    expect(stranded?.total).toBeGreaterThanOrEqual(before.found);
    expect(await runningOf(caseId)).toEqual([]);

    // Fixed: the operator resumes it (npm run sepakat -- lanjutkan), and the first task opens.
    rt.failFunction(entering);
    expect(await rt.app.runtime.resumeCase(caseId, 'dilanjutkan-operator')).toBeDefined();
    const task = await eventually(async () => {
      // (Task lists never carry the token: the task is read by its id.)
      const open = (await rt.app.store.listTasks({ state: 'open' })).find((t) => t.caseId === caseId);
      const stored = open && (await rt.app.store.getTask(open.taskId));
      return stored?.taskToken ? stored : undefined;
    });
    expect(task.node).toBe(first.id);
    expect(await runningOf(caseId)).toHaveLength(1);
  }, 120_000);

  it('finds a case whose execution was stopped and continues it at its step', async () => {
    const task = (await rt.app.store.listTasks({ state: 'open' })).find((t) => t.caseId === caseId)!;
    await sfn().stopExecution(task.executionArn!, 'Uji', 'dihentikan oleh uji');
    await eventually(async () => (await runningOf(caseId)).length === 0);

    const swept = await rt.app.sweepStranded({ graceMs: 0 });
    expect(swept.cases).toContainEqual({ caseId, outcome: 'dilanjutkan' });
    expect(swept.resumed).toBeGreaterThanOrEqual(1);
    expect(swept.failed).toBe(0);
    // The same task (same link, no second email) waits in the new execution.
    const again = await eventually(async () => {
      const t = await rt.app.store.getTask(task.taskId);
      return t?.executionArn && t.executionArn !== task.executionArn ? t : undefined;
    });
    expect(again.state).toBe('open');
    expect(await runningOf(caseId)).toHaveLength(1);
    const emails = (await history(caseId)).filter(
      (e) => e.type === 'email-terkirim' && e.eventKey.endsWith('#email#tugas'),
    );
    expect(emails).toHaveLength(1);

    // Running again: nothing stranded, nothing resumed twice.
    const next = await rt.app.sweepStranded({ graceMs: 0 });
    expect(next.cases.some((c) => c.caseId === caseId)).toBe(false);
    // The scheduled handler logs and returns the counts only.
    const counts = await rt.sweepStranded();
    expect(Object.keys(counts as object).sort()).toEqual(['awaitingFix', 'checked', 'failed', 'found', 'resumed']);
  }, 120_000);

  it('records an address SES refuses as email-gagal, shows it on the case page, and keeps the task open', async () => {
    const people = rt.app.catalog.pemda('kota-contoh').directory.data.people.map((p) => p.email);
    // The local SES answers MessageRejected (HTTP 400) for these, as the SES sandbox does for unverified addresses.
    process.env['SEPAKAT_LOCAL_SES_REJECT'] = people.join(',');
    const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, SOP));
    const failed = await eventually(
      async () => (await history(intakeId)).find((e) => e.type === 'email-gagal'),
      60_000,
    );
    const to = failed.detail!['to'] as string[];
    expect(people).toEqual(expect.arrayContaining(to));
    expect(String(failed.detail!['alasan'])).toMatch(/MessageRejected/);
    expect(String(failed.detail!['alasan'])).toContain(to[0]!);
    // Nothing was lost: the task is open, bound to its person, its execution waiting; the case is not stranded.
    const task = await eventually(async () => {
      // (Task lists never carry the token: the task is read by its id.)
      const open = (await rt.app.store.listTasks({ state: 'open' })).find((t) => t.caseId === intakeId);
      const stored = open && (await rt.app.store.getTask(open.taskId));
      return stored?.taskToken ? stored : undefined;
    });
    expect(to).toEqual([task.person.email]);
    expect(await runningOf(intakeId)).toHaveLength(1);
    expect((await history(intakeId)).some((e) => e.type === 'otomatis-gagal')).toBe(false);
    const swept = await rt.app.sweepStranded({ graceMs: 0 });
    expect(swept.cases.some((c) => c.caseId === intakeId)).toBe(false);

    // The case page says so, for whoever resends or reassigns.
    const { cookie } = sessionFor(rt, PRINCIPALS.pelaksanaKota);
    const page = await web(rt, `/konsol/kasus/${intakeId}`, { cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Email gagal dikirim ke <strong>${to[0]}</strong>`);

    // Once the address is accepted, a resend by hand reaches it and the notice goes away.
    delete process.env['SEPAKAT_LOCAL_SES_REJECT'];
    const record = (await rt.app.store.getCase(intakeId))!;
    const activity = rt.app.runtime.activityOf(record, task.node);
    await rt.app.runtime.sendTaskEmail(task, record, activity);
    expect(
      (await history(intakeId)).some((e) => e.type === 'email-terkirim' && e.eventKey === failed.detail!['kunci']),
    ).toBe(true);
    const after = await web(rt, `/konsol/kasus/${intakeId}`, { cookie });
    expect(after.text).not.toContain('Email gagal dikirim ke');
  }, 120_000);

  // Last: it records a failure on the first case by hand, which the sweeps of the tests above must not see.
  it('records one failure of one execution once, however often its recording is retried', async () => {
    const record = (await rt.app.store.getCase(caseId))!;
    const node = rt.app.catalog.sops.latest(SOP).nodes.find((n) => n.type === 'activity')!.id;
    const execution = `arn:aws:states:ap-southeast-3:111111111111:execution:sepakat-uji:${caseId}-ulang`;
    const input = { caseId, node, seq: record.cursor?.seq ?? 1, error: { Error: 'Sepakat.Transient' }, execution };
    // The Gagal state retries on a transient error (say, the notice's mail throttled): the same fact each time.
    await rt.app.runtime.recordFailure(input);
    await rt.app.runtime.recordFailure(input);
    const facts = (await history(caseId)).filter(
      (e) => e.type === 'otomatis-gagal' && e.eventKey.endsWith(`${caseId}-ulang`),
    );
    expect(facts).toHaveLength(1);
  });
});
