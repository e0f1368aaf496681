import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeScheduler, schedulerApi } from '../functions/adapters/eventbridge-scheduler.ts';
import { LOCAL_DEVELOPMENT_CREDENTIALS } from '../functions/app.ts';

/**
 * The EventBridge Scheduler adapter through the real AWS SDK client, against a local HTTP endpoint that answers as
 * the Scheduler REST API does (there is no local EventBridge; the embedded default schedules in DynamoDB). What is
 * checked is the wire: the operation, the schedule name in the path, the group, the one-time `at()` expression,
 * the target with the job as its input, and how the service's errors come back.
 */
interface Seen {
  method: string;
  path: string;
  query: string;
  body: Record<string, unknown> | undefined;
}

describe('EventBridge Scheduler over the AWS SDK', () => {
  const seen: Seen[] = [];
  const existing = new Set<string>();
  let endpoint = '';
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(chunks).toString('utf8');
      seen.push({
        method: req.method ?? '',
        path: decodeURIComponent(url.pathname),
        query: url.search,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
      });
      const name = decodeURIComponent(url.pathname.replace(/^\/schedules\//, ''));
      const error = (status: number, type: string) =>
        res
          .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type })
          .end(JSON.stringify({ Message: type }));
      if (name === 'throttled') return error(429, 'ThrottlingException');
      if (req.method === 'POST') {
        if (existing.has(name)) return error(409, 'ConflictException');
        existing.add(name);
        return res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ScheduleArn: `arn:aws:scheduler:ap-southeast-3:000000000000:schedule/g/${name}` }));
      }
      if (req.method === 'DELETE') {
        if (!existing.delete(name)) return error(404, 'ResourceNotFoundException');
        return res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
      error(400, 'ValidationException');
    });
  });
  let client: SchedulerClient;
  const now = new Date('2026-11-23T02:00:00Z');
  const settings = {
    groupName: 'sepakat-jadwal',
    targetArn: 'arn:aws:lambda:ap-southeast-3:000000000000:function:sepakat-run-schedule',
    roleArn: 'arn:aws:iam::000000000000:role/sepakat-scheduler',
  };

  beforeAll(async () => {
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new SchedulerClient({
      region: 'ap-southeast-3',
      endpoint,
      credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await new Promise<void>((ok) => server.close(() => ok()));
  });

  it('creates one one-time schedule per key with the job as the target input; the same key again is "exists"', async () => {
    const scheduler = new EventBridgeScheduler(schedulerApi(client), settings, { now: () => now });
    const job = { kind: 'pengingat-tugas' as const, taskId: 'A'.repeat(22), stage: 'terlambat' as const, ke: 1 };
    const item = { key: `pengingat.${'A'.repeat(22)}.terlambat.1`, at: new Date('2026-11-24T03:30:00Z'), job };
    expect(await scheduler.schedule(item)).toBe('created');
    expect(await scheduler.schedule(item)).toBe('exists');
    const create = seen.find((s) => s.method === 'POST')!;
    expect(create.path).toBe(`/schedules/${item.key}`);
    expect(create.body).toMatchObject({
      GroupName: 'sepakat-jadwal',
      ScheduleExpression: 'at(2026-11-24T03:30:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: settings.targetArn, RoleArn: settings.roleArn },
    });
    expect(JSON.parse((create.body!.Target as { Input: string }).Input)).toEqual(job);
  });

  it('cancels by name in the group; an unknown key is quiet; throttling is a transient error', async () => {
    const scheduler = new EventBridgeScheduler(schedulerApi(client), settings, { now: () => now });
    await scheduler.cancel(`pengingat.${'A'.repeat(22)}.terlambat.1`);
    const del = seen.filter((s) => s.method === 'DELETE').at(-1)!;
    expect(del.path).toBe(`/schedules/pengingat.${'A'.repeat(22)}.terlambat.1`);
    expect(del.query).toContain('groupName=sepakat-jadwal');
    await expect(scheduler.cancel('sudah-tidak-ada')).resolves.toBeUndefined();
    await expect(
      scheduler.schedule({
        key: 'throttled',
        at: now,
        job: { kind: 'pengingat-tugas', taskId: 'B'.repeat(22), stage: 'eskalasi' },
      }),
    ).rejects.toMatchObject({ name: 'Sepakat.Transient' });
  });
});
