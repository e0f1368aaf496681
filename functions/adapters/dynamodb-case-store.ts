import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from './document-client.ts';
import { documentClientOf } from './aws-clients.ts';
import type {
  CaseRecord,
  CaseStatus,
  CaseStore,
  Cursor,
  Decision,
  HistoryEvent,
  HistoryType,
  Reassignment,
  TaskPerson,
  TaskRecord,
  TaskState,
} from '../../core/case/model.ts';
import { batchGetAll, conditionally, guarded, ifConditionHolds, queryAll } from './dynamodb-guard.ts';
import type { Terminal } from '../../core/sop/schema.ts';
import type { WindowCheck } from '../../core/case/link-limits.ts';
import { INDEX, type TableNames } from './tables.ts';

/** How many per-case task queries `listTasksOfCases` keeps in flight. */
const TASK_READS_IN_FLIGHT = 8;

/** The CaseStore on DynamoDB: one conditional write per fact, no transactions (dynalite has none). */
export class DynamoDbCaseStore implements CaseStore {
  private readonly doc: DocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tables: TableNames,
  ) {
    this.doc = documentClientOf(client);
  }

  private send<T>(fn: () => Promise<T>): Promise<T> {
    return guarded(fn);
  }

  private conditional(fn: () => Promise<unknown>): Promise<boolean> {
    return conditionally(fn);
  }

  /** One item by its key, read consistently. */
  private async getItem<T>(table: string, key: Record<string, string>): Promise<T | undefined> {
    const out = await this.send(() =>
      this.doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true })),
    );
    return out.Item as T | undefined;
  }

  /** Puts an item unless one with its key (`keyName`) exists. */
  private async createItem(table: string, item: object, keyName: string): Promise<'created' | 'exists'> {
    const created = await this.conditional(() =>
      this.doc.send(
        new PutCommand({
          TableName: table,
          Item: item as Record<string, unknown>,
          ConditionExpression: `attribute_not_exists(${keyName})`,
        }),
      ),
    );
    return created ? 'created' : 'exists';
  }

  async getCase(caseId: string): Promise<CaseRecord | undefined> {
    const item = await this.getItem<CaseRecord>(this.tables.cases, { caseId });
    return item && caseOf(item);
  }

  async readTogether(request: {
    caseId: string;
    taskId?: string;
    historyKeys?: readonly string[];
  }): Promise<{ record?: CaseRecord; task?: TaskRecord; history: ReadonlySet<string> }> {
    const { caseId, taskId, historyKeys = [] } = request;
    const keys = [...new Set(historyKeys)];
    const found = await batchGetAll(this.doc, {
      [this.tables.cases]: { Keys: [{ caseId }], ConsistentRead: true },
      ...(taskId ? { [this.tables.tasks]: { Keys: [{ taskId }], ConsistentRead: true } } : {}),
      ...(keys.length
        ? {
            [this.tables.history]: {
              Keys: keys.map((eventKey) => ({ caseId, eventKey })),
              ConsistentRead: true,
              ProjectionExpression: 'eventKey',
            },
          }
        : {}),
    });
    const record = found[this.tables.cases]?.[0] as CaseRecord | undefined;
    const task = found[this.tables.tasks]?.[0] as TaskRecord | undefined;
    return {
      ...(record ? { record: caseOf(record) } : {}),
      ...(task ? { task } : {}),
      history: new Set((found[this.tables.history] ?? []).map((item) => String(item.eventKey))),
    };
  }

  async createCase(record: CaseRecord): Promise<'created' | 'exists'> {
    return this.createItem(this.tables.cases, record, 'caseId');
  }

  async moveCursor(caseId: string, fromSeq: number, cursor: Cursor, visits: Record<string, number>): Promise<boolean> {
    const at = activeAt(fromSeq);
    return this.conditional(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tables.cases,
          Key: { caseId },
          UpdateExpression: 'SET #cursor = :cursor, visits = :visits',
          ConditionExpression: at.condition,
          ExpressionAttributeNames: at.names,
          ExpressionAttributeValues: { ...at.values, ':cursor': cursor, ':visits': visits },
        }),
      ),
    );
  }

  async enterCursor(caseId: string, fromSeq: number, cursor: Omit<Cursor, 'visit'>): Promise<CaseRecord | undefined> {
    // The visit is counted by the write itself (no read before it); the stored cursor takes its visit from `visits`
    // when read (`caseOf`), so the two cannot disagree.
    const at = activeAt(fromSeq);
    const out = await ifConditionHolds(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tables.cases,
          Key: { caseId },
          UpdateExpression: 'SET #cursor = :cursor, #visits.#node = if_not_exists(#visits.#node, :zero) + :one',
          ConditionExpression: at.condition,
          ExpressionAttributeNames: { ...at.names, '#visits': 'visits', '#node': cursor.node },
          ExpressionAttributeValues: { ...at.values, ':cursor': cursor, ':zero': 0, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out && caseOf(out.Attributes as CaseRecord);
  }

  async moveCaseVersion(
    caseId: string,
    from: { sopKey: string; seq: number },
    to: { sopKey: string; sopVersion: number; cursor: Cursor; visits: Record<string, number> },
  ): Promise<boolean> {
    return this.conditional(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tables.cases,
          Key: { caseId },
          UpdateExpression: 'SET sopKey = :to, sopVersion = :version, #cursor = :cursor, visits = :visits',
          ConditionExpression: '#status = :aktif AND sopKey = :from AND #cursor.#seq = :seq',
          ExpressionAttributeNames: { '#cursor': 'cursor', '#status': 'status', '#seq': 'seq' },
          ExpressionAttributeValues: {
            ':to': to.sopKey,
            ':version': to.sopVersion,
            ':cursor': to.cursor,
            ':visits': to.visits,
            ':aktif': 'aktif',
            ':from': from.sopKey,
            ':seq': from.seq,
          },
        }),
      ),
    );
  }

  async setCaseData(caseId: string, values: Record<string, unknown>): Promise<void> {
    const names: Record<string, string> = { '#data': 'data' };
    const vals: Record<string, unknown> = {};
    const sets = Object.entries(values).map(([k, v], i) => {
      names[`#k${i}`] = k;
      vals[`:v${i}`] = v;
      return `#data.#k${i} = :v${i}`;
    });
    await this.send(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tables.cases,
          Key: { caseId },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(caseId)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: vals,
        }),
      ),
    );
  }

  async closeCase(caseId: string, outcome: Terminal, at: string, reason?: string): Promise<boolean> {
    return this.conditional(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tables.cases,
          Key: { caseId },
          UpdateExpression: `SET #status = :outcome, outcome = :outcome, closedAt = :at${reason ? ', closeReason = :reason' : ''}`,
          ConditionExpression: '#status = :aktif',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':outcome': outcome,
            ':at': at,
            ':aktif': 'aktif',
            ...(reason ? { ':reason': reason } : {}),
          },
        }),
      ),
    );
  }

  async listCases(status?: CaseStatus): Promise<CaseRecord[]> {
    if (status)
      return (
        await this.queryAll<CaseRecord>({
          TableName: this.tables.cases,
          IndexName: INDEX.casesByStatus,
          KeyConditionExpression: '#status = :s',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':s': status },
        })
      ).map(caseOf);
    const all: CaseRecord[] = [];
    for (const s of ['aktif', 'selesai', 'ditolak', 'dibatalkan'] as const) all.push(...(await this.listCases(s)));
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * One pemda's cases through the `byPemda` index, page by page, oldest first. A status is a filter on that pemda's
   * items (the index has no status key): it saves bytes on the wire, not reads. `pageSize` sets the Query's `Limit`
   * (tests use a small one to cross pages).
   */
  async listCasesOfPemda(
    pemdaId: string,
    options: { status?: CaseStatus; since?: string; pageSize?: number } = {},
  ): Promise<CaseRecord[]> {
    const { status, since, pageSize } = options;
    const items = await this.queryAll<CaseRecord>({
      TableName: this.tables.cases,
      IndexName: INDEX.casesByPemda,
      KeyConditionExpression: since ? 'pemdaId = :p AND createdAt >= :since' : 'pemdaId = :p',
      ...(status ? { FilterExpression: '#status = :s', ExpressionAttributeNames: { '#status': 'status' } } : {}),
      ExpressionAttributeValues: {
        ':p': pemdaId,
        ...(since ? { ':since': since } : {}),
        ...(status ? { ':s': status } : {}),
      },
      ScanIndexForward: true,
      ...(pageSize ? { Limit: pageSize } : {}),
    });
    return items.map(caseOf);
  }

  async listTasksOfCases(caseIds: readonly string[]): Promise<Map<string, TaskRecord[]>> {
    const byCase = new Map<string, TaskRecord[]>();
    const ids = [...new Set(caseIds)];
    let next = 0;
    // A few queries in flight: the reads grow with the pemda's cases, never with the whole table.
    const worker = async () => {
      while (next < ids.length) {
        const caseId = ids[next++]!;
        byCase.set(
          caseId,
          (await this.listTasks({ caseId })).sort((a, b) => a.seq - b.seq),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(TASK_READS_IN_FLIGHT, ids.length) }, worker));
    return byCase;
  }

  async getTask(taskId: string): Promise<TaskRecord | undefined> {
    return this.getItem<TaskRecord>(this.tables.tasks, { taskId });
  }

  async createTask(task: TaskRecord): Promise<'created' | 'exists'> {
    return this.createItem(this.tables.tasks, task, 'taskId');
  }

  async attachToken(
    taskId: string,
    token: string,
    executionArn: string,
  ): Promise<{ previousToken?: string } | 'not-open'> {
    const old = await this.updateTaskReturning(
      taskId,
      'SET taskToken = :token, executionArn = :arn',
      '#state = :open',
      { ':token': token, ':arn': executionArn, ':open': 'open' },
      'UPDATED_OLD',
    );
    if (!old) return 'not-open';
    const previous = old['taskToken'] as string | undefined;
    return previous ? { previousToken: previous } : {};
  }

  /** A task update guarded by `condition` that returns the task's attributes (`returnValues`); null if it failed. */
  private async updateTaskReturning(
    taskId: string,
    update: string,
    condition: string,
    values: Record<string, unknown>,
    returnValues: 'UPDATED_OLD' | 'ALL_NEW',
  ): Promise<Record<string, unknown> | null> {
    const out = await ifConditionHolds(() =>
      this.doc.send(taskUpdate(this.tables.tasks, taskId, update, condition, values, returnValues)),
    );
    return out ? (out.Attributes ?? {}) : null;
  }

  /**
   * A task update guarded by its state: the one conditional write of a fact about a task. `#state` is the only
   * attribute name aliased (it is a DynamoDB reserved word).
   */
  private updateTaskIf(
    taskId: string,
    update: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    return this.conditional(() => this.doc.send(taskUpdate(this.tables.tasks, taskId, update, condition, values)));
  }

  async decide(taskId: string, linkVersion: number, decision: Decision): Promise<boolean> {
    return (await this.decideReturning(taskId, linkVersion, decision)) !== undefined;
  }

  async decideReturning(taskId: string, linkVersion: number, decision: Decision): Promise<TaskRecord | undefined> {
    // The stored task comes back with the write (ALL_NEW): no read after it.
    const stored = await this.updateTaskReturning(
      taskId,
      'SET #state = :decided, decision = :decision REMOVE otp',
      '#state = :open AND linkVersion = :v',
      {
        ':decided': 'decided',
        ':decision': decision,
        ':open': 'open',
        ':v': linkVersion,
      },
      'ALL_NEW',
    );
    return (stored as TaskRecord | null) ?? undefined;
  }

  redateTask(
    task: Pick<TaskRecord, 'taskId' | 'dueAt' | 'overdueAt' | 'dueRevision'>,
    due: { dueAt: string | null; overdueAt: string | null; dueProvisional: boolean },
  ): Promise<boolean> {
    const revision = task.dueRevision ?? 0;
    return this.updateTaskIf(
      task.taskId,
      'SET dueAt = :newDue, overdueAt = :newOver, dueProvisional = :prov, dueRevision = :next',
      `#state = :open AND dueAt = :due AND overdueAt = :over AND ${
        revision === 0 ? 'attribute_not_exists(dueRevision)' : 'dueRevision = :rev'
      }`,
      {
        ':newDue': due.dueAt,
        ':newOver': due.overdueAt,
        ':prov': due.dueProvisional,
        ':next': revision + 1,
        ':open': 'open',
        ':due': task.dueAt,
        ':over': task.overdueAt,
        ...(revision === 0 ? {} : { ':rev': revision }),
      },
    );
  }

  async markReported(taskId: string, at: string): Promise<void> {
    await this.updateTaskIf(taskId, 'SET #state = :reported, reportedAt = :at', '#state = :decided', {
      ':reported': 'reported',
      ':decided': 'decided',
      ':at': at,
    });
  }

  async renewLink(taskId: string, fromVersion: number, expiresAt: string, limit: WindowCheck): Promise<boolean> {
    // The link version guards both writes: only a renewal moves the window, and every renewal bumps the version.
    const common = {
      ':next': fromVersion + 1,
      ':exp': expiresAt,
      ':open': 'open',
      ':v': fromVersion,
      ':one': 1,
      ':since': limit.since,
    };
    const fresh = 'linkVersion = :next, linkExpiresAt = :exp';
    // The fresh link starts with no code and a clean code count.
    const clean = 'REMOVE otp, otpIssued, otpWindowStart';
    // No current window (never one, or it is over): this fresh link begins one.
    if (
      await this.updateTaskIf(
        taskId,
        `SET ${fresh}, linkRenewals = :one, linkRenewalWindowStart = :now ${clean}`,
        '#state = :open AND linkVersion = :v AND (attribute_not_exists(linkRenewalWindowStart) OR linkRenewalWindowStart <= :since)',
        { ...common, ':now': limit.now },
      )
    )
      return true;
    // The window is current: one more fresh link, unless it had its share.
    return this.updateTaskIf(
      taskId,
      `SET ${fresh}, linkRenewals = linkRenewals + :one ${clean}`,
      '#state = :open AND linkVersion = :v AND linkRenewalWindowStart > :since AND linkRenewals < :max',
      { ...common, ':max': limit.max },
    );
  }

  async issueOtp(
    taskId: string,
    otp: { hash: string; expiresAt: string },
    limit: WindowCheck,
  ): Promise<TaskRecord | undefined> {
    const common = { ':otp': { ...otp, attempts: 0 }, ':open': 'open', ':one': 1, ':since': limit.since };
    // No current window (never one, or it is over): this code begins one. The first code of a link takes this
    // write alone.
    const first = await this.updateTaskReturning(
      taskId,
      'SET otp = :otp, otpIssued = :one, otpWindowStart = :now',
      '#state = :open AND (attribute_not_exists(otpWindowStart) OR otpWindowStart <= :since)',
      { ...common, ':now': limit.now },
      'ALL_NEW',
    );
    if (first) return first as unknown as TaskRecord;
    // Refused, so a window is current (a window's start only moves forward, to a later request's time): one more
    // code in it, unless it had its share.
    const more = await this.updateTaskReturning(
      taskId,
      'SET otp = :otp, otpIssued = if_not_exists(otpIssued, :zero) + :one',
      '#state = :open AND otpWindowStart > :since AND (attribute_not_exists(otpIssued) OR otpIssued < :max)',
      { ...common, ':zero': 0, ':max': limit.max },
      'ALL_NEW',
    );
    return (more as TaskRecord | null) ?? undefined;
  }

  revokeOtp(taskId: string, expiresAt: string): Promise<boolean> {
    return this.updateTaskIf(
      taskId,
      'REMOVE otp SET otpIssued = otpIssued - :one',
      '#state = :open AND otp.expiresAt = :expires AND otpIssued >= :one',
      { ':open': 'open', ':expires': expiresAt, ':one': 1 },
    );
  }

  async spendOtpAttempt(taskId: string, maxAttempts: number, now: string): Promise<TaskRecord['otp'] | undefined> {
    const task = await this.updateTaskReturning(
      taskId,
      'SET otp.attempts = otp.attempts + :one',
      '#state = :open AND attribute_exists(otp) AND otp.attempts < :max AND otp.expiresAt > :now',
      { ':one': 1, ':max': maxAttempts, ':now': now, ':open': 'open' },
      'ALL_NEW',
    );
    return (task as Partial<TaskRecord> | null)?.otp;
  }

  claimSignature(taskId: string, linkVersion: number, now: string, until: string): Promise<boolean> {
    return this.updateTaskIf(
      taskId,
      'SET signatureClaimUntil = :until',
      '#state = :open AND linkVersion = :v AND (attribute_not_exists(signatureClaimUntil) OR signatureClaimUntil <= :now)',
      { ':until': until, ':open': 'open', ':v': linkVersion, ':now': now },
    );
  }

  releaseSignatureClaim(taskId: string, until: string): Promise<boolean> {
    return this.updateTaskIf(taskId, 'REMOVE signatureClaimUntil', '#state = :open AND signatureClaimUntil = :until', {
      ':until': until,
      ':open': 'open',
    });
  }

  async noteRefusedCredential(taskId: string, limit: WindowCheck): Promise<boolean> {
    const common = { ':open': 'open', ':one': 1, ':since': limit.since };
    // No current window (never one, or it is over): this refusal begins one.
    if (
      await this.updateTaskIf(
        taskId,
        'SET tteRefused = :one, tteRefusedWindowStart = :now',
        '#state = :open AND (attribute_not_exists(tteRefusedWindowStart) OR tteRefusedWindowStart <= :since)',
        { ...common, ':now': limit.now },
      )
    )
      return true;
    return this.updateTaskIf(
      taskId,
      'SET tteRefused = tteRefused + :one',
      '#state = :open AND tteRefusedWindowStart > :since AND tteRefused < :max',
      { ...common, ':max': limit.max },
    );
  }

  async cancelOpenTasks(caseId: string): Promise<number> {
    let cancelled = 0;
    for (const task of await this.listTasks({ caseId })) {
      if (task.state !== 'open') continue;
      const ok = await this.updateTaskIf(task.taskId, 'SET #state = :cancelled REMOVE otp', '#state = :open', {
        ':cancelled': 'cancelled',
        ':open': 'open',
      });
      if (ok) cancelled++;
    }
    return cancelled;
  }

  retireTask(taskId: string, fromVersion: number, at: string): Promise<boolean> {
    return this.updateTaskIf(
      taskId,
      'SET #state = :cancelled, linkVersion = :next, replacedAt = :at REMOVE otp',
      '#state = :open AND linkVersion = :v',
      { ':cancelled': 'cancelled', ':open': 'open', ':v': fromVersion, ':next': fromVersion + 1, ':at': at },
    );
  }

  reassignTask(
    taskId: string,
    fromVersion: number,
    person: TaskPerson,
    expiresAt: string,
    reassignment?: Reassignment,
  ): Promise<boolean> {
    return this.updateTaskIf(
      taskId,
      `SET person = :person, linkVersion = :next, linkExpiresAt = :exp${reassignment ? ', dialihkan = :d' : ''} REMOVE otp, otpIssued, otpWindowStart`,
      '#state = :open AND linkVersion = :v',
      {
        ':person': person,
        ':next': fromVersion + 1,
        ':exp': expiresAt,
        ':open': 'open',
        ':v': fromVersion,
        ...(reassignment ? { ':d': reassignment } : {}),
      },
    );
  }

  renewTracking(caseId: string, fromVersion: number): Promise<boolean> {
    return this.conditional(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tables.cases,
          Key: { caseId },
          UpdateExpression: 'SET trackingVersion = :next',
          // Version 1 is the absent attribute: a case created before tracking links existed has one too.
          ConditionExpression:
            fromVersion === 1
              ? 'attribute_exists(caseId) AND (attribute_not_exists(trackingVersion) OR trackingVersion = :from)'
              : 'trackingVersion = :from',
          ExpressionAttributeValues: { ':next': fromVersion + 1, ':from': fromVersion },
        }),
      ),
    );
  }

  async listTasks(filter: { caseId: string } | { state: TaskState }): Promise<TaskRecord[]> {
    if ('caseId' in filter)
      return this.queryAll<TaskRecord>({
        TableName: this.tables.tasks,
        IndexName: INDEX.tasksByCase,
        KeyConditionExpression: 'caseId = :c',
        ExpressionAttributeValues: { ':c': filter.caseId },
      });
    return this.queryAll<TaskRecord>({
      TableName: this.tables.tasks,
      IndexName: INDEX.tasksByState,
      KeyConditionExpression: '#state = :s',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':s': filter.state },
    });
  }

  async appendHistory(event: HistoryEvent): Promise<boolean> {
    return this.conditional(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.tables.history,
          Item: event,
          ConditionExpression: 'attribute_not_exists(eventKey)',
        }),
      ),
    );
  }

  async hasHistory(caseId: string, eventKey: string): Promise<boolean> {
    const out = await this.send(() =>
      this.doc.send(
        new GetCommand({
          TableName: this.tables.history,
          Key: { caseId, eventKey },
          ConsistentRead: true,
          ProjectionExpression: 'eventKey',
        }),
      ),
    );
    return !!out.Item;
  }

  async getHistory(caseId: string, eventKey: string): Promise<HistoryEvent | undefined> {
    const out = await this.send(() =>
      this.doc.send(
        new GetCommand({ TableName: this.tables.history, Key: { caseId, eventKey }, ConsistentRead: true }),
      ),
    );
    return out.Item as HistoryEvent | undefined;
  }

  async listHistory(caseId: string, options: { without?: readonly HistoryType[] } = {}): Promise<HistoryEvent[]> {
    const without = options.without ?? [];
    const excluded = Object.fromEntries(without.map((type, i) => [`:x${i}`, type]));
    const events = await this.queryAll<HistoryEvent>({
      TableName: this.tables.history,
      KeyConditionExpression: 'caseId = :c',
      ...(without.length
        ? {
            FilterExpression: `NOT (#type IN (${Object.keys(excluded).join(', ')}))`,
            ExpressionAttributeNames: { '#type': 'type' },
          }
        : {}),
      ExpressionAttributeValues: { ':c': caseId, ...excluded },
      ConsistentRead: true,
    });
    return events.sort((a, b) => a.at.localeCompare(b.at) || a.eventKey.localeCompare(b.eventKey));
  }

  private queryAll<T>(input: QueryCommandInput): Promise<T[]> {
    return queryAll<T>(this.doc, input);
  }
}

/** The condition of a move of the cursor: the case is active and at activation `fromSeq` (0: not entered yet). */
function activeAt(fromSeq: number): {
  condition: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  return fromSeq === 0
    ? {
        condition: '#status = :aktif AND (attribute_not_exists(#cursor) OR attribute_type(#cursor, :null))',
        names: { '#cursor': 'cursor', '#status': 'status' },
        values: { ':aktif': 'aktif', ':null': 'NULL' },
      }
    : {
        condition: '#status = :aktif AND #cursor.#seq = :from',
        names: { '#cursor': 'cursor', '#status': 'status', '#seq': 'seq' },
        values: { ':aktif': 'aktif', ':from': fromSeq },
      };
}

/**
 * A case item as the product reads it. A cursor written by `enterCursor` carries no visit of its own: the write
 * counted it in `visits`, which is the one place it is kept (a cursor written whole, by a move between versions,
 * carries both, equal).
 */
function caseOf(item: CaseRecord): CaseRecord {
  const cursor = item.cursor;
  if (!cursor || typeof cursor.visit === 'number') return item;
  return { ...item, cursor: { ...cursor, visit: item.visits?.[cursor.node] ?? 1 } };
}

/** An update of one task guarded by `condition` (`#state` names its state). */
function taskUpdate(
  table: string,
  taskId: string,
  update: string,
  condition: string,
  values: Record<string, unknown>,
  returnValues?: 'UPDATED_OLD' | 'ALL_NEW',
): UpdateCommand {
  return new UpdateCommand({
    TableName: table,
    Key: { taskId },
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: values,
    ...(returnValues ? { ReturnValues: returnValues } : {}),
  });
}
