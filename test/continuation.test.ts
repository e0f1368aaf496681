import { DescribeStateMachineCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClientOf } from '../functions/adapters/aws-clients.ts';
import { actOnLink, submitPermohonan, taskLinks } from '../cli/drive.ts';
import { applySubstitutions, compileSop, FunctionPlaceholders, type FunctionRole } from '../core/sop/compile-sop.ts';
import { stateMachineName } from '../functions/config.ts';
import { FUNCTION_NAMES } from '../local/runtime.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { eventually, permohonanFor, startTestRuntime } from './support/runtime.ts';

const SOP = 'fixture-kerja-sama-pihak-ketiga';
const ARN = (sopKey: string) => `arn:aws:states:ap-southeast-3:000000000000:stateMachine:${stateMachineName(sopKey)}`;

/**
 * Human waits are bounded. When the bound passes, the case continues at the same step in a new execution: the same
 * task, the same link, no new email. The same path resumes cases after a restart and past the one-year limit.
 */
describe('a human wait that reaches its bound', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime({ humanWaitSeconds: 1 });
  });
  afterAll(async () => rt?.cleanup());

  it('runs the compiled ASL unchanged: the local machine is compileSop with the substitutions applied', async () => {
    const sop = rt.app.catalog.sops.latest(SOP);
    const described = await rt.app.clients.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: ARN(sop.key) }));
    const substitutions = Object.fromEntries(
      Object.entries(FunctionPlaceholders).map(([role, p]) => [
        p,
        `arn:aws:lambda:ap-southeast-3:000000000000:function:${FUNCTION_NAMES[role as FunctionRole]}`,
      ]),
    );
    expect(described.definition).toBe(applySubstitutions(compileSop(sop, { humanWaitSeconds: 1 }), substitutions));
  });

  it('continues the case at the same step in a new execution, with the same task and link and no new email', async () => {
    const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, SOP));
    const firstMail = await eventually(async () =>
      (await readMailbox(rt.dataDir)).find((m) => m.subject.startsWith('Tugas baru: L1') && m.text?.includes(intakeId)),
    );
    const list = async () =>
      (await rt.app.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: ARN(`${SOP}@1`) }))).executions ?? [];
    const continued = await eventually(async () => {
      const mine = (await list()).filter(
        (e) => e.name!.startsWith(`permohonan-${intakeId}`) || e.name!.startsWith(`${intakeId}-`),
      );
      const running = mine.filter((e) => e.status === 'RUNNING' && e.name!.startsWith(`${intakeId}-1-`));
      return mine.some((e) => e.name === `permohonan-${intakeId}` && e.status === 'SUCCEEDED') && running.length
        ? running
        : undefined;
    }, 15_000);
    const history = await rt.app.store.listHistory(intakeId);
    expect(history.some((e) => e.type === 'kasus-dilanjutkan' && e.detail?.reason === 'batas-penantian')).toBe(true);
    // Still the one task at activation 1; its token now belongs to a newer execution.
    const tasks = await eventually(async () => {
      const list = await rt.app.store.listTasks({ caseId: intakeId });
      return list[0]?.executionArn?.includes(`:${intakeId}-1-`) ? list : undefined;
    });
    expect(tasks).toHaveLength(1);
    void continued;
    expect(
      (await readMailbox(rt.dataDir)).filter(
        (m) => m.subject.startsWith('Tugas baru: L1') && m.text?.includes(intakeId),
      ),
    ).toHaveLength(1);
    // The original link still works and moves the case on.
    const acted = await actOnLink(taskLinks(firstMail)[0]!, () => ({ pilihan: 'lanjut' }), { dataDir: rt.dataDir });
    expect(acted.status).toBe(200);
    await eventually(async () =>
      (await readMailbox(rt.dataDir)).find((m) => m.subject.startsWith('Tugas baru: L2') && m.text?.includes(intakeId)),
    );
  });

  it('reports a decision whose report failed, when the reconciler runs', async () => {
    const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, SOP));
    const task = await eventually(async () =>
      (await rt.app.store.listTasks({ caseId: intakeId })).find((t) => t.state === 'open'),
    );
    // The decision is stored, as by a POST whose report to Step Functions then failed.
    const stored = await rt.app.store.decide(task.taskId, task.linkVersion, {
      choice: 'lanjut',
      values: { 'nomor-agenda': '005/1/2026' },
      files: [],
      at: new Date().toISOString(),
      by: task.person,
      submissionId: 'rekonsiliasi-uji-1',
    });
    expect(stored).toBe(true);
    const result = await rt.app.runtime.reconcileDecisions();
    expect(result.reported + result.resumed).toBeGreaterThanOrEqual(1);
    await eventually(async () =>
      (await readMailbox(rt.dataDir)).find((m) => m.subject.startsWith('Tugas baru: L2') && m.text?.includes(intakeId)),
    );
    expect((await rt.app.store.getTask(task.taskId))?.state).toBe('reported');
  });

  it('marks a decision reported whose report went but whose mark was lost, without resuming the case', async () => {
    const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, SOP));
    const mail = await eventually(async () =>
      (await readMailbox(rt.dataDir)).find((m) => m.subject.startsWith('Tugas baru: L1') && m.text?.includes(intakeId)),
    );
    const acted = await actOnLink(taskLinks(mail)[0]!, () => ({ pilihan: 'lanjut' }), { dataDir: rt.dataDir });
    expect(acted.status).toBe(200);
    await eventually(async () =>
      (await readMailbox(rt.dataDir)).find((m) => m.subject.startsWith('Tugas baru: L2') && m.text?.includes(intakeId)),
    );
    const l1 = (await rt.app.store.listTasks({ caseId: intakeId })).find((t) => t.node === 'L1')!;
    expect(l1.state).toBe('reported');
    // As if the process died between SendTaskSuccess and the mark: the task says "decided", the case is at L2.
    await documentClientOf(rt.app.clients.dynamodb).send(
      new UpdateCommand({
        TableName: rt.app.config.SEPAKAT_TABLE_TASKS,
        Key: { taskId: l1.taskId },
        UpdateExpression: 'SET #state = :decided REMOVE reportedAt',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':decided': 'decided' },
      }),
    );
    const result = await rt.app.runtime.reconcileDecisions();
    expect(result.reported).toBeGreaterThanOrEqual(1);
    expect((await rt.app.store.getTask(l1.taskId))?.state).toBe('reported');
    // Reported, not resumed: no continuation of the case and no second task email for L2.
    const history = await rt.app.store.listHistory(intakeId);
    expect(
      history.some((e) => e.type === 'kasus-dilanjutkan' && e.detail?.reason === 'keputusan-belum-dilaporkan'),
    ).toBe(false);
    expect(
      (await readMailbox(rt.dataDir)).filter(
        (m) => m.subject.startsWith('Tugas baru: L2') && m.text?.includes(intakeId),
      ),
    ).toHaveLength(1);
  });
});
