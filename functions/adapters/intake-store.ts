import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from './document-client.ts';
import { documentClientOf } from './aws-clients.ts';
import type { IntakeRecord, IntakeState, IntakeStore, RateLimiter } from '../../core/case/intake-model.ts';
import { conditionally, guarded, ifConditionHolds, queryAll } from './dynamodb-guard.ts';
import { tableDefinition } from './tables.ts';

/**
 * Two small tables of the public intake:
 * - permohonan (`sepakat-permohonan`): one item per permohonan before it is a case (core/case/intake-model.ts),
 *   keyed by its intake id; the index `byState` (state, createdAt) finds what the sweep must quarantine.
 * - limits (`sepakat-batas`): one counter per subject and fixed window (`<scope>#<subject>#<window start>`), with an
 *   expiry time (`kedaluwarsa`, epoch seconds) for DynamoDB's TTL.
 */
export const INTAKE_BY_STATE = 'byState';

export const intakeTableDefinition = (tableName: string): CreateTableCommandInput =>
  tableDefinition(tableName, { key: ['intakeId'], indexes: { [INTAKE_BY_STATE]: ['state', 'createdAt'] } });

export const limitTableDefinition = (tableName: string): CreateTableCommandInput =>
  tableDefinition(tableName, { key: ['pk'] });

/** The attribute DynamoDB's TTL reads on the limits table. */
export const LIMIT_TTL_ATTRIBUTE = 'kedaluwarsa';

export class DynamoDbIntakeStore implements IntakeStore {
  private readonly doc: DocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClientOf(client);
  }

  create(record: IntakeRecord): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new PutCommand({ TableName: this.table, Item: record, ConditionExpression: 'attribute_not_exists(intakeId)' }),
      ),
    );
  }

  async get(intakeId: string): Promise<IntakeRecord | undefined> {
    const out = await guarded(() =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { intakeId }, ConsistentRead: true })),
    );
    return out.Item as IntakeRecord | undefined;
  }

  async transition(
    intakeId: string,
    from: readonly IntakeState[],
    to: IntakeState,
    fields: Partial<Omit<IntakeRecord, 'intakeId' | 'state'>>,
  ): Promise<IntakeRecord | undefined> {
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = { '#state': 'state' };
    const values: Record<string, unknown> = { ':to': to };
    from.forEach((state, i) => (values[`:f${i}`] = state));
    const sets = ['#state = :to'];
    entries.forEach(([name, value], i) => {
      names[`#a${i}`] = name;
      values[`:a${i}`] = value;
      sets.push(`#a${i} = :a${i}`);
    });
    const out = await ifConditionHolds(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { intakeId },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(intakeId) AND #state IN (${from.map((_, i) => `:f${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out?.Attributes as IntakeRecord | undefined;
  }

  async listByState(state: IntakeState, before: Date): Promise<IntakeRecord[]> {
    const keys = await queryAll<{ intakeId: string }>(this.doc, {
      TableName: this.table,
      IndexName: INTAKE_BY_STATE,
      KeyConditionExpression: '#s = :s AND createdAt < :before',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':s': state, ':before': before.toISOString() },
    });
    const records: IntakeRecord[] = [];
    for (const { intakeId } of keys) {
      const record = await this.get(intakeId);
      if (record?.state === state) records.push(record);
    }
    return records;
  }
}

export class DynamoDbRateLimiter implements RateLimiter {
  private readonly doc: DocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClientOf(client);
  }

  async take(
    key: string,
    limit: { max: number; windowSeconds: number },
    now: Date,
  ): Promise<{ ok: true } | { ok: false; retryAt: Date }> {
    const windowMs = limit.windowSeconds * 1000;
    const start = Math.floor(now.getTime() / windowMs) * windowMs;
    const end = new Date(start + windowMs);
    const counted = await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `${key}#${start}` },
          UpdateExpression: 'ADD n :one SET #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(n) OR n < :max',
          ExpressionAttributeNames: { '#ttl': LIMIT_TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':one': 1, ':max': limit.max, ':ttl': Math.ceil(end.getTime() / 1000) + 3600 },
        }),
      ),
    );
    return counted ? { ok: true } : { ok: false, retryAt: end };
  }
}
