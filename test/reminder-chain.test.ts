import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClientOf } from '../functions/adapters/aws-clients.ts';
import type { ScheduleRecord } from '../functions/adapters/dynamodb-scheduler.ts';
import { driveNewCase, startTestRuntime } from './support/runtime.ts';

/**
 * The reminders of a task as a chain, on the real local services: a task schedules only its next reminder, so a
 * case schedules about one reminder per task, and a decided task leaves none waiting.
 */
describe('one pending reminder per task', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime({ schedulerIntervalMs: 0 });
  });
  afterAll(async () => rt?.cleanup());

  /** Every item of the local schedule (any state): what was ever created in it. */
  const scheduleItems = async () => {
    const doc = documentClientOf(rt.app.clients.dynamodb);
    const items: ScheduleRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: 'sepakat-jadwal', ExclusiveStartKey: start }));
      items.push(...((page.Items ?? []) as ScheduleRecord[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };

  it('schedules about one reminder per task over a Kota case driven end to end, and leaves none waiting', async () => {
    // Arrange and act: the bench's SOP, every document rendered and signed, each official acting from the email.
    const { intakeId, result } = await driveNewCase(rt, 'kota-penyusunan-kesepakatan-bersama', 120_000);
    expect(result.outcome).toBe('selesai');

    // Assert: the schedules the case's tasks created, per task.
    const tasks = await rt.app.store.listTasks({ caseId: intakeId });
    const ids = new Set(tasks.map((t) => t.taskId));
    const ofCase = (await scheduleItems()).filter((i) => i.job.kind === 'pengingat-tugas' && ids.has(i.job.taskId));
    const perTask = ofCase.length / tasks.length;
    console.log(`pengingat: ${ofCase.length} jadwal untuk ${tasks.length} tugas (${perTask.toFixed(2)} per tugas)`);
    expect(perTask).toBeLessThanOrEqual(1);
    expect(ofCase.filter((i) => i.state === 'pending' || i.state === 'firing')).toEqual([]);
  }, 180_000);
});
