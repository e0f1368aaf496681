import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { submitPermohonan, taskLinks } from '../cli/drive.ts';
import { jobKey, type Job } from '../core/case/jobs.ts';
import type { FaultPoint, Faults } from '../core/case/model.ts';
import { ErrorNames } from '../core/errors.ts';
import { DynamoDbCaseStore } from '../functions/adapters/dynamodb-case-store.ts';
import { DynamoDbScheduler, scheduleTableDefinition } from '../functions/adapters/dynamodb-scheduler.ts';
import {
  EventBridgeScheduler,
  scheduleName,
  type CreateScheduleInput,
  type EventBridgeSchedulerApi,
} from '../functions/adapters/eventbridge-scheduler.ts';
import { loadSops } from '../functions/adapters/catalog.ts';
import { ensureTables, localDynamoClientConfig, startLocalDynamoDb } from '../local/dynamodb/local-dynamodb.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { spawnRuntime } from './support/child-runtime.ts';
import { eventually, permohonanFor } from './support/runtime.ts';

const job = (n: number): Job => ({
  kind: 'pengingat-tugas',
  taskId: `tugas${String(n).padStart(17, '0')}`,
  stage: 'terlambat',
  ke: 1,
});
const item = (n: number, at: Date) => ({ key: jobKey(job(n)), at, job: job(n) });

/** The durable local scheduler on dynalite: its schedule, its claims and its leases. */
describe('the durable local scheduler', () => {
  let dataDir: string;
  let dynamo: Awaited<ReturnType<typeof startLocalDynamoDb>>;
  let client: DynamoDBClient;
  let table = 0;
  const t0 = new Date('2026-11-23T02:00:00.000Z');
  const plus = (ms: number) => new Date(t0.getTime() + ms);
  const clock = { now: () => t0 };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sepakat-jadwal-'));
    dynamo = await startLocalDynamoDb({ dataDir, port: 0 });
    client = new DynamoDBClient(localDynamoClientConfig(dynamo.endpoint));
  });
  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A scheduler on a table of its own (each test starts empty). */
  async function scheduler(options: { faults?: Faults; maxAttempts?: number } = {}) {
    const name = `sepakat-jadwal-uji-${++table}`;
    await ensureTables(client, [scheduleTableDefinition(name)]);
    return new DynamoDbScheduler(client, name, { clock, ...options });
  }
  /** A job runner that counts what it ran. */
  function runner(result: (j: Job) => unknown = () => ({ ok: true })) {
    const ran: string[] = [];
    return {
      ran,
      run: async (j: Job) => {
        ran.push(jobKey(j));
        return result(j);
      },
    };
  }

  it('schedules a fact once: scheduling it again finds the first item', async () => {
    const s = await scheduler();
    expect(await s.schedule(item(1, plus(60_000)))).toBe('created');
    expect(await s.schedule(item(1, plus(120_000)))).toBe('exists');
    expect(await s.get(jobKey(job(1)))).toMatchObject({
      state: 'pending',
      at: plus(60_000).toISOString(),
      attempts: 0,
    });
  });

  it('fires only what is due, each item once, however many loops race for it', async () => {
    // Arrange: two items due, one not yet.
    const s = await scheduler();
    await s.schedule(item(1, plus(-60_000)));
    await s.schedule(item(2, t0));
    await s.schedule(item(3, plus(60_000)));
    const r = runner();

    // Act: eight loops at once, then again.
    const reports = await Promise.all(Array.from({ length: 8 }, () => s.runDue(t0, r.run)));
    await s.runDue(t0, r.run);

    // Assert
    expect(r.ran.sort()).toEqual([jobKey(job(1)), jobKey(job(2))]);
    expect(reports.flatMap((x) => x.fired.map((f) => f.key)).sort()).toEqual([jobKey(job(1)), jobKey(job(2))]);
    expect(await s.get(jobKey(job(1)))).toMatchObject({ state: 'done', attempts: 1, outcome: { ok: true } });
    expect((await s.get(jobKey(job(1))))!.queue).toBeUndefined();
    expect((await s.waiting()).map((w) => w.key)).toEqual([jobKey(job(3))]);
    await s.runDue(plus(60_000), r.run);
    expect(r.ran).toHaveLength(3);
  });

  it('fires a job again when its claim was abandoned (a crash while firing), after the lease or at restart', async () => {
    // Arrange: the first firing "dies" after the job ran, before the item is marked done.
    const dying: Faults = {
      point: (name) => {
        if (name === 'while-schedule-firing') throw new Error('proses mati');
      },
    };
    const crashing = await scheduler({ faults: dying });
    await crashing.schedule(item(1, t0));
    const r = runner();
    await expect(crashing.runDue(t0, r.run)).rejects.toThrow('proses mati');
    expect(await crashing.get(jobKey(job(1)))).toMatchObject({ state: 'firing', attempts: 1 });

    // Act and assert: another loop leaves it alone while the lease holds, fires it once the lease ran out.
    const table1 = `sepakat-jadwal-uji-${table}`;
    const other = new DynamoDbScheduler(client, table1, { clock });
    expect((await other.runDue(plus(60_000), r.run)).fired).toEqual([]);
    expect((await other.runDue(plus(5 * 60_000), r.run)).fired.map((f) => f.key)).toEqual([jobKey(job(1))]);
    expect(r.ran).toEqual([jobKey(job(1)), jobKey(job(1))]);
    expect(await other.get(jobKey(job(1)))).toMatchObject({ state: 'done', attempts: 2 });

    // A restart of the single local process releases the claims of the one that died at once.
    await crashing.schedule(item(2, t0));
    await expect(crashing.runDue(t0, r.run)).rejects.toThrow('proses mati');
    expect(await other.releaseAbandonedClaims()).toBe(1);
    expect((await other.runDue(t0, r.run)).fired.map((f) => f.key)).toEqual([jobKey(job(2))]);
    expect(await other.get(jobKey(job(2)))).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('retries a failing job with backoff and gives it up after its attempts, keeping the error', async () => {
    const s = await scheduler({ maxAttempts: 3 });
    await s.schedule(item(1, t0));
    const r = runner(() => {
      throw new Error('SES tidak tersedia');
    });

    const first = await s.runDue(t0, r.run);
    expect(first.failed).toEqual([{ key: jobKey(job(1)), error: 'SES tidak tersedia', final: false }]);
    expect(await s.get(jobKey(job(1)))).toMatchObject({ state: 'pending', dueAt: plus(30_000).toISOString() });
    expect((await s.runDue(plus(10_000), r.run)).failed).toEqual([]);
    expect((await s.runDue(plus(30_000), r.run)).failed[0]?.final).toBe(false);
    expect((await s.runDue(plus(90_000), r.run)).failed[0]?.final).toBe(true);
    expect(await s.get(jobKey(job(1)))).toMatchObject({
      state: 'failed',
      attempts: 3,
      lastError: 'SES tidak tersedia',
    });
    expect(await s.waiting()).toEqual([]);
    expect(r.ran).toHaveLength(3);
  });

  it('cancels an item that has not fired; an unknown key is no error', async () => {
    const s = await scheduler();
    await s.schedule(item(1, t0));
    await s.cancel(jobKey(job(1)));
    await s.cancel('tidak-ada');
    const r = runner();
    expect((await s.runDue(plus(3_600_000), r.run)).fired).toEqual([]);
    expect(await s.get(jobKey(job(1)))).toMatchObject({ state: 'cancelled' });
  });
});

/**
 * The adapter's logic for EventBridge Scheduler, against a recording stand-in of the two operations it uses; the
 * same adapter over the real SDK client and its wire format is in eventbridge-scheduler-wire.test.ts.
 */
describe('the EventBridge Scheduler adapter', () => {
  const now = new Date('2026-11-23T02:00:00.000Z');
  const settings = {
    groupName: 'sepakat-pengingat',
    targetArn: 'arn:aws:lambda:ap-southeast-3:000000000000:function:sepakat-run-schedule',
    roleArn: 'arn:aws:iam::000000000000:role/sepakat-scheduler',
  };
  function api(failWith?: string) {
    const schedules = new Map<string, CreateScheduleInput>();
    const fake: EventBridgeSchedulerApi = {
      async createSchedule(input) {
        if (failWith) throw Object.assign(new Error(failWith), { name: failWith });
        if (schedules.has(input.Name)) throw Object.assign(new Error('exists'), { name: 'ConflictException' });
        schedules.set(input.Name, input);
      },
      async deleteSchedule(input) {
        if (!schedules.delete(input.Name))
          throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      },
    };
    return { fake, schedules };
  }

  it('creates one one-time schedule per key that invokes runSchedule with the job, and deletes itself', async () => {
    const { fake, schedules } = api();
    const s = new EventBridgeScheduler(fake, settings, { now: () => now });
    const at = new Date('2026-11-24T04:00:00.000Z');

    expect(await s.schedule(item(1, at))).toBe('created');
    expect(await s.schedule(item(1, at))).toBe('exists');

    expect([...schedules.values()]).toEqual([
      {
        Name: jobKey(job(1)),
        GroupName: 'sepakat-pengingat',
        ScheduleExpression: 'at(2026-11-24T04:00:00)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: settings.targetArn,
          RoleArn: settings.roleArn,
          Input: JSON.stringify(job(1)),
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 86_400 },
        },
      },
    ]);
  });

  it('sets a time already past a minute ahead, keeps names within what EventBridge allows, cancels quietly', async () => {
    const { fake, schedules } = api();
    const s = new EventBridgeScheduler(fake, settings, { now: () => now });
    await s.schedule(item(2, new Date(now.getTime() - 3_600_000)));
    expect(schedules.get(jobKey(job(2)))!.ScheduleExpression).toBe('at(2026-11-23T02:01:00)');

    const long = scheduleName(`kunci/dengan:tanda#${'x'.repeat(80)}`);
    expect(long).toMatch(/^[0-9A-Za-z._-]{1,64}$/);
    expect(scheduleName(jobKey(job(1)))).toBe(jobKey(job(1)));

    await s.cancel(jobKey(job(2)));
    await s.cancel(jobKey(job(2)));
    expect(schedules.size).toBe(0);
  });

  it('turns throttling into the Transient error that is retried', async () => {
    const s = new EventBridgeScheduler(api('ThrottlingException').fake, settings, { now: () => now });
    await expect(s.schedule(item(1, now))).rejects.toMatchObject({ name: ErrorNames.Transient });
    const denied = new EventBridgeScheduler(api('AccessDeniedException').fake, settings, { now: () => now });
    await expect(denied.schedule(item(1, now))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

/**
 * The local runtime killed with SIGKILL and started again on the same data directory: what fell due while it was
 * down fires once after the restart, and a job it was killed while firing fires again without sending twice.
 */
describe('the local scheduler across a crash of the runtime', () => {
  const SOP = 'fixture-kerja-sama-pihak-ketiga';
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  const catalog = {
    app: { catalog: { sops: loadSops([join(PROJECT_ROOT, 'sops'), join(PROJECT_ROOT, 'test/fixtures/sops')]) } },
  };
  const clientAt = (endpoint: string) => new DynamoDBClient(localDynamoClientConfig(endpoint));

  /** A case at L1 in a fresh runtime, and the reminder of its L1 task that the test schedules, due already. */
  async function caseWithDueReminder(
    dataDir: string,
    args: string[],
    fault?: { point: FaultPoint; occurrence: number },
  ) {
    const first = await spawnRuntime(dataDir, { args, ...(fault ? { fault } : {}) });
    children.push(first.process);
    const { intakeId } = await submitPermohonan(
      first,
      permohonanFor(catalog as unknown as Parameters<typeof permohonanFor>[0], SOP),
    );
    const mail = await eventually(async () =>
      (await readMailbox(dataDir)).find((m) => m.subject.startsWith('Tugas baru: L1') && m.text?.includes(intakeId)),
    );
    const taskId = new URL(taskLinks(mail)[0]!).pathname.split('/')[2]!.split('.')[0]!;
    const reminder: Job = { kind: 'pengingat-tugas', taskId, stage: 'sebelum-jatuh-tempo' };
    const client = clientAt(first.urls.dynamodb);
    const schedule = new DynamoDbScheduler(client, 'sepakat-jadwal', { clock: { now: () => new Date() } });
    expect(await schedule.schedule({ key: jobKey(reminder), at: new Date(Date.now() - 60_000), job: reminder })).toBe(
      'created',
    );
    client.destroy();
    return { first, caseId: intakeId, key: jobKey(reminder) };
  }

  /** After the restart: the item done, one reminder email, one email fact and one reminder fact. */
  async function expectFiredOnce(dataDir: string, endpoint: string, caseId: string, key: string, attempts: number) {
    const client = clientAt(endpoint);
    try {
      const schedule = new DynamoDbScheduler(client, 'sepakat-jadwal', { clock: { now: () => new Date() } });
      const done = await eventually(async () => {
        const found = await schedule.get(key);
        return found?.state === 'done' ? found : undefined;
      });
      expect(done.attempts).toBe(attempts);
      const mails = (await readMailbox(dataDir)).filter(
        (m) => m.subject.startsWith('Pengingat batas waktu: L1') && m.text?.includes(caseId),
      );
      expect(mails).toHaveLength(1);
      const store = new DynamoDbCaseStore(client, {
        cases: 'sepakat-kasus',
        tasks: 'sepakat-tugas',
        history: 'sepakat-riwayat',
      });
      const history = await store.listHistory(caseId);
      expect(history.filter((e) => e.type === 'pengingat-terkirim')).toHaveLength(1);
      expect(history.filter((e) => e.type === 'email-terkirim' && e.eventKey.includes('#pengingat#'))).toHaveLength(1);
      return done;
    } finally {
      client.destroy();
    }
  }

  it('fires once after a restart what fell due while the runtime was down', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sepakat-jadwal-mati-'));
    try {
      // Arrange: a runtime whose scheduler does not run by itself has a reminder due, and is killed.
      const { first, caseId, key } = await caseWithDueReminder(dataDir, ['--scheduler-interval-ms', '0']);
      first.process.kill('SIGKILL');
      await first.exited;

      // Act
      const second = await spawnRuntime(dataDir);
      children.push(second.process);

      // Assert
      const done = await expectFiredOnce(dataDir, second.urls.dynamodb, caseId, key, 1);
      expect(done.outcome).toEqual({ kind: 'pengingat-tugas', result: 'terkirim' });
      second.process.kill('SIGTERM');
      await second.exited;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('schedules the next reminder of a chain after a crash between a reminder and its successor', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sepakat-jadwal-mati-'));
    try {
      // Arrange: a case at L1, whose task has one reminder waiting (the first of its chain), made due now.
      const first = await spawnRuntime(dataDir, {
        args: ['--scheduler-interval-ms', '50'],
        fault: { point: 'before-next-reminder', occurrence: 1 },
      });
      children.push(first.process);
      const { intakeId } = await submitPermohonan(
        first,
        permohonanFor(catalog as unknown as Parameters<typeof permohonanFor>[0], SOP),
      );
      const mail = await eventually(async () =>
        (await readMailbox(dataDir)).find((m) => m.subject.startsWith('Tugas baru: L1') && m.text?.includes(intakeId)),
      );
      const taskId = new URL(taskLinks(mail)[0]!).pathname.split('/')[2]!.split('.')[0]!;
      const client = clientAt(first.urls.dynamodb);
      const schedule = new DynamoDbScheduler(client, 'sepakat-jadwal', { clock: { now: () => new Date() } });
      const waitingOf = async (s: DynamoDbScheduler) =>
        (await s.waiting()).filter((i) => i.job.kind === 'pengingat-tugas' && i.job.taskId === taskId);
      const pending = await waitingOf(schedule);
      expect(pending).toHaveLength(1);
      const firedKey = pending[0]!.key;
      const due = new Date(Date.now() - 60_000).toISOString();
      await DynamoDBDocumentClient.from(client).send(
        new UpdateCommand({
          TableName: 'sepakat-jadwal',
          Key: { key: firedKey },
          UpdateExpression: 'SET #at = :due, dueAt = :due',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':due': due },
        }),
      );
      client.destroy();

      // Act: the loop fires it (the reminder sent and recorded), the process dies before the next is scheduled.
      await first.exited;
      expect(first.process.signalCode).toBe('SIGKILL');
      const second = await spawnRuntime(dataDir);
      children.push(second.process);

      // Assert: fired again, it sends nothing new and schedules the next reminder; one waits, as before.
      const after = clientAt(second.urls.dynamodb);
      try {
        const again = new DynamoDbScheduler(after, 'sepakat-jadwal', { clock: { now: () => new Date() } });
        const done = await eventually(async () => {
          const found = await again.get(firedKey);
          return found?.state === 'done' ? found : undefined;
        });
        expect(done).toMatchObject({ attempts: 2, outcome: { kind: 'pengingat-tugas', result: 'sudah-terkirim' } });
        const next = await waitingOf(again);
        expect(next).toHaveLength(1);
        expect(next[0]!.key).not.toBe(firedKey);
        const store = new DynamoDbCaseStore(after, {
          cases: 'sepakat-kasus',
          tasks: 'sepakat-tugas',
          history: 'sepakat-riwayat',
        });
        const history = await store.listHistory(intakeId);
        expect(history.filter((e) => e.type === 'pengingat-terkirim')).toHaveLength(1);
        expect(history.filter((e) => e.type === 'email-terkirim' && e.eventKey.includes('#pengingat#'))).toHaveLength(
          1,
        );
      } finally {
        after.destroy();
      }
      second.process.kill('SIGTERM');
      await second.exited;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('fires again a job it was killed while firing, and the reminder still goes out once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sepakat-jadwal-mati-'));
    try {
      // Arrange: the loop fires the reminder (email sent, fact recorded), then the process dies before it marks
      // the item done.
      const { first, caseId, key } = await caseWithDueReminder(dataDir, ['--scheduler-interval-ms', '50'], {
        point: 'while-schedule-firing',
        occurrence: 1,
      });
      await first.exited;
      expect(first.process.signalCode).toBe('SIGKILL');

      // Act
      const second = await spawnRuntime(dataDir);
      children.push(second.process);

      // Assert: claimed twice, sent once.
      const done = await expectFiredOnce(dataDir, second.urls.dynamodb, caseId, key, 2);
      expect(done.outcome).toEqual({ kind: 'pengingat-tugas', result: 'sudah-terkirim' });
      second.process.kill('SIGTERM');
      await second.exited;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
