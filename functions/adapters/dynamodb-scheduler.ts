import { randomUUID } from 'node:crypto';
import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from './document-client.ts';
import { documentClientOf } from './aws-clients.ts';
import type { Job } from '../../core/case/jobs.ts';
import { noFaults, type Clock, type Faults, type ScheduledItem, type Scheduler } from '../../core/case/model.ts';
import { conditionally, guarded, ifConditionHolds, queryAll } from './dynamodb-guard.ts';
import { tableDefinition } from './tables.ts';

/**
 * The durable local scheduler's schedule: one item per key in a DynamoDB table (`sepakat-jadwal` on the embedded
 * default), so what is scheduled survives restarts, and what fell due while the runtime was down fires when it
 * starts again. In AWS, EventBridge Scheduler holds the schedule instead (eventbridge-scheduler.ts); both hand the
 * job to the same handler.
 *
 * Exactly once, without transactions:
 * - `schedule` is a conditional put on the key: scheduling a fact again finds the first item.
 * - An item is claimed before it fires with one conditional update, `pending → firing(owner, claim, leaseUntil)`;
 *   of any number of loops or calls racing for it, one wins. It is marked done only by the claim that fired it.
 * - A claim whose lease ran out is claimable again (its owner died or hung), so a crash while firing fires the job
 *   again: jobs are idempotent (reminders send once per deterministic key).
 *
 * Only items that wait or fire carry `queue` and `dueAt`, so the `byDue` index is sparse: it holds what may still
 * fire, sorted by when it can next be claimed (`at`, a retry's backoff, or the end of a lease).
 */
export type ScheduleState = 'pending' | 'firing' | 'done' | 'cancelled' | 'failed';

export interface ScheduleRecord {
  key: string;
  /** When the job is due (ISO). */
  at: string;
  job: Job;
  state: ScheduleState;
  queue?: typeof QUEUE;
  dueAt?: string;
  owner?: string;
  claim?: string;
  leaseUntil?: string;
  /** Claims so far (a crash or a failure while firing makes more than one). */
  attempts: number;
  createdAt: string;
  firedAt?: string;
  /** What the job returned when it fired. */
  outcome?: unknown;
  lastError?: string;
}

export interface RunDueReport {
  fired: { key: string; outcome: unknown }[];
  failed: { key: string; error: string; final: boolean }[];
}

const QUEUE = 'jadwal';
/** Rounds of one `runDue`: what fired jobs scheduled due already fires too, up to this many links of a chain. */
const MAX_ROUNDS = 10;
export const SCHEDULE_INDEX = 'byDue';

export const scheduleTableDefinition = (tableName: string): CreateTableCommandInput =>
  tableDefinition(tableName, {
    key: ['key'],
    // One partition for the whole queue: fine for one pemda's local runtime; AWS uses EventBridge Scheduler.
    indexes: { [SCHEDULE_INDEX]: ['queue', 'dueAt'] },
  });

export interface DynamoDbSchedulerOptions {
  /** Who claims (diagnostics only; the claim id decides). */
  owner?: string;
  clock: Clock;
  /** How long a claim holds before another loop may fire the item again. */
  leaseMs?: number;
  /** Claims before a job that keeps failing is given up (state `failed`, kept with its last error). */
  maxAttempts?: number;
  /** Jobs fired at once by one `runDue` (each is claimed on its own, so the order between them does not matter). */
  concurrency?: number;
  faults?: Faults;
}

export class DynamoDbScheduler implements Scheduler {
  private readonly doc: DocumentClient;
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly faults: Faults;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: DynamoDbSchedulerOptions,
  ) {
    this.doc = documentClientOf(client);
    this.owner = options.owner ?? `lokal-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.faults = options.faults ?? noFaults;
  }

  async schedule(item: ScheduledItem): Promise<'created' | 'exists'> {
    const at = item.at.toISOString();
    const record: ScheduleRecord = {
      key: item.key,
      at,
      job: item.job,
      state: 'pending',
      queue: QUEUE,
      dueAt: at,
      attempts: 0,
      createdAt: this.options.clock.now().toISOString(),
    };
    const created = await conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': 'key' },
        }),
      ),
    );
    return created ? 'created' : 'exists';
  }

  async cancel(key: string): Promise<void> {
    // Only a waiting item: one that is firing finishes (its job sees the state it acts on).
    await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key },
          UpdateExpression: 'SET #state = :cancelled REMOVE #queue, dueAt',
          ConditionExpression: '#state = :pending',
          ExpressionAttributeNames: { '#state': 'state', '#queue': 'queue' },
          ExpressionAttributeValues: { ':cancelled': 'cancelled', ':pending': 'pending' },
        }),
      ),
    );
  }

  async get(key: string): Promise<ScheduleRecord | undefined> {
    const out = await guarded(() =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: { key }, ConsistentRead: true })),
    );
    return out.Item as ScheduleRecord | undefined;
  }

  /** Items that may still fire (waiting, or firing under a lease), soonest first; `until` bounds when. */
  waiting(until?: Date): Promise<ScheduleRecord[]> {
    return queryAll<ScheduleRecord>(this.doc, {
      TableName: this.tableName,
      IndexName: SCHEDULE_INDEX,
      KeyConditionExpression: until ? '#queue = :q AND dueAt <= :until' : '#queue = :q',
      ExpressionAttributeNames: { '#queue': 'queue' },
      ExpressionAttributeValues: { ':q': QUEUE, ...(until ? { ':until': until.toISOString() } : {}) },
    });
  }

  /**
   * Fires every item due at `now`, each at most once per claim: claims it, runs its job through `run` (the same
   * handler EventBridge Scheduler invokes in AWS), then marks it done. A job that throws is retried with backoff,
   * and given up after `maxAttempts` claims. Items that the jobs fired schedule, due at `now` already (the next
   * reminder of a chain that fell behind), fire in the same call. Safe to call repeatedly and concurrently.
   */
  async runDue(now: Date, run: (job: Job) => Promise<unknown>): Promise<RunDueReport> {
    const report: RunDueReport = { fired: [], failed: [] };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const { fired, failed } = await this.runDueOnce(now, run);
      report.fired.push(...fired);
      report.failed.push(...failed);
      if (!fired.length) break;
    }
    return report;
  }

  private async runDueOnce(now: Date, run: (job: Job) => Promise<unknown>): Promise<RunDueReport> {
    const candidates = await this.waiting(now);
    // Results by candidate, so the report lists them in due order whatever order they finished in.
    const results: ({ fired: RunDueReport['fired'][number] } | { failed: RunDueReport['failed'][number] })[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < candidates.length; i = next++) {
        const candidate = candidates[i]!;
        const claimed = await this.claim(candidate.key, now);
        if (!claimed) continue;
        let outcome: unknown;
        try {
          outcome = await run(claimed.record.job);
        } catch (error) {
          results[i] = { failed: { key: candidate.key, ...(await this.release(claimed, now, error)) } };
          continue;
        }
        this.faults.point('while-schedule-firing');
        await this.markDone(claimed.claim, candidate.key, now, outcome);
        results[i] = { fired: { key: candidate.key, outcome } };
      }
    };
    const workers = Math.max(1, Math.min(this.options.concurrency ?? 8, candidates.length));
    await Promise.all(Array.from({ length: workers }, worker));
    const report: RunDueReport = { fired: [], failed: [] };
    for (const r of results) {
      if (!r) continue;
      if ('fired' in r) report.fired.push(r.fired);
      else report.failed.push(r.failed);
    }
    return report;
  }

  /**
   * On the embedded default only one process opens the data directory, so at its start every claim still held
   * belongs to a process that died: those items wait again at once instead of after their lease.
   */
  async releaseAbandonedClaims(): Promise<number> {
    let released = 0;
    for (const item of await this.waiting()) {
      if (item.state !== 'firing' || !item.claim) continue;
      const ok = await conditionally(() =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { key: item.key },
            UpdateExpression: 'SET #state = :pending, dueAt = #at REMOVE #owner, #claim, leaseUntil',
            ConditionExpression: '#claim = :claim',
            ExpressionAttributeNames: { '#state': 'state', '#at': 'at', '#owner': 'owner', '#claim': 'claim' },
            ExpressionAttributeValues: { ':pending': 'pending', ':claim': item.claim },
          }),
        ),
      );
      if (ok) released++;
    }
    return released;
  }

  private async claim(key: string, now: Date): Promise<{ claim: string; record: ScheduleRecord } | undefined> {
    const claim = randomUUID();
    const leaseUntil = new Date(now.getTime() + this.leaseMs).toISOString();
    const out = await ifConditionHolds(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key },
          UpdateExpression:
            'SET #state = :firing, #owner = :owner, #claim = :claim, leaseUntil = :lease, dueAt = :lease, attempts = if_not_exists(attempts, :zero) + :one',
          // Waiting and due, or firing under a lease that ran out (dueAt is the lease's end while firing).
          ConditionExpression: 'attribute_exists(#queue) AND dueAt <= :now',
          ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner', '#claim': 'claim', '#queue': 'queue' },
          ExpressionAttributeValues: {
            ':firing': 'firing',
            ':owner': this.owner,
            ':claim': claim,
            ':lease': leaseUntil,
            ':now': now.toISOString(),
            ':zero': 0,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out && { claim, record: out.Attributes as ScheduleRecord };
  }

  private async markDone(claim: string, key: string, now: Date, outcome: unknown): Promise<void> {
    // Fails only when the lease ran out and another claim took the item: that claim marks it done.
    await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key },
          UpdateExpression:
            'SET #state = :done, firedAt = :now, outcome = :outcome REMOVE #queue, dueAt, #claim, leaseUntil',
          ConditionExpression: '#claim = :claim',
          ExpressionAttributeNames: { '#state': 'state', '#queue': 'queue', '#claim': 'claim' },
          ExpressionAttributeValues: {
            ':done': 'done',
            ':now': now.toISOString(),
            ':outcome': JSON.parse(JSON.stringify(outcome ?? null)) as unknown,
            ':claim': claim,
          },
        }),
      ),
    );
  }

  private async release(
    claimed: { claim: string; record: ScheduleRecord },
    now: Date,
    error: unknown,
  ): Promise<{ error: string; final: boolean }> {
    const message = String((error as { message?: unknown })?.message ?? error).slice(0, 500);
    const final = claimed.record.attempts >= this.maxAttempts;
    // 30 s, 1 min, 2 min, … up to an hour between attempts.
    const retryAt = new Date(now.getTime() + Math.min(30_000 * 2 ** (claimed.record.attempts - 1), 3_600_000));
    await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key: claimed.record.key },
          UpdateExpression: final
            ? 'SET #state = :failed, lastError = :error REMOVE #queue, dueAt, #claim, leaseUntil'
            : 'SET #state = :pending, lastError = :error, dueAt = :retry REMOVE #claim, leaseUntil',
          ConditionExpression: '#claim = :claim',
          ExpressionAttributeNames: { '#state': 'state', '#claim': 'claim', ...(final ? { '#queue': 'queue' } : {}) },
          ExpressionAttributeValues: {
            ':error': message,
            ':claim': claimed.claim,
            ...(final ? { ':failed': 'failed' } : { ':pending': 'pending', ':retry': retryAt.toISOString() }),
          },
        }),
      ),
    );
    return { error: message, final };
  }
}
