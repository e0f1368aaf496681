import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from './document-client.ts';
import { documentClientOf } from './aws-clients.ts';
import type { TimeZone } from '../../core/calendar/calendar-schema.ts';
import type { Clock } from '../../core/ports.ts';
import { Register } from '../../core/register/allocation.ts';
import type {
  CounterAges,
  CounterObservation,
  NumberingConfig,
  RegisterEntry,
  RegisterFaults,
  RegisterStatus,
} from '../../core/register/numbering.ts';
import type { Claim, EntryAt, NumberTextItem, RegisterItems } from '../../core/register/register-items.ts';
import { conditionally, guarded, ifConditionHolds, queryAll } from './dynamodb-guard.ts';
import type { RegisterTableNames } from './register-tables.ts';
import { systemClock } from './clock.ts';

/**
 * The register of document numbers on DynamoDB: the rules of core/register/allocation.ts (why no number is given
 * twice or lost, under any concurrency and any crash) on single-item conditional writes of this table (item layout:
 * register-tables.ts). This file is only the I/O of the five item kinds.
 */

const COUNTER_SK = '#penghitung';
const CLAIM_SK = '#kunci';

export interface RegisterStoreOptions {
  pemdaId: string;
  numbering: NumberingConfig;
  /** Where the year of a number and the time of an allocation come from (default: the system clock). */
  clock?: Clock;
  /** The pemda's time zone: the year of a number is the local year (default WIB). */
  timeZone?: TimeZone;
  /** Crash points for tests. */
  faults?: RegisterFaults;
}

/** The register of one pemda on its DynamoDB table. */
export class DynamoDbRegisterStore extends Register {
  constructor(client: DynamoDBClient, tables: RegisterTableNames, options: RegisterStoreOptions) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(options.pemdaId)) throw new Error(`pemdaId "${options.pemdaId}" tidak valid`);
    const clock = options.clock ?? systemClock;
    super(new DynamoDbRegisterItems(client, tables.register, options.pemdaId), {
      ...options,
      clock: () => clock.now(),
    });
  }
}

/** The five item kinds of one pemda's register, each one GetItem, conditional write or consistent Query. */
export class DynamoDbRegisterItems implements RegisterItems {
  private readonly doc: DocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
    private readonly pemdaId: string,
  ) {
    this.doc = documentClientOf(client);
  }

  // ─── keys ────────────────────────────────────────────────────────────────────────────────────────────────

  private seqPk(series: string, year: number): string {
    return `${this.pemdaId}#seri#${series}#${year}`;
  }
  private claimPk(key: string): string {
    return `${this.pemdaId}#kunci#${key}`;
  }
  private get textPk(): string {
    return `${this.pemdaId}#nomor`;
  }

  // ─── plumbing ────────────────────────────────────────────────────────────────────────────────────────────

  private send<T>(fn: () => Promise<T>): Promise<T> {
    return guarded(fn);
  }

  private conditional(fn: () => Promise<unknown>): Promise<boolean> {
    return conditionally(fn);
  }

  private async getItem<T>(pk: string, sk: string): Promise<T | undefined> {
    const out = await this.send(() =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true })),
    );
    return out.Item as T | undefined;
  }

  private putIfAbsent(item: Record<string, unknown>): Promise<boolean> {
    return this.conditional(() =>
      this.doc.send(
        new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      ),
    );
  }

  private queryAll<T>(input: QueryCommandInput): Promise<T[]> {
    return queryAll<T>(this.doc, input);
  }

  // ─── counter ─────────────────────────────────────────────────────────────────────────────────────────────

  /** (b) The next number of (series, year); the same atomic update records when (lastAt, the allocator's clock). */
  async take(series: string, year: number, at: string): Promise<number> {
    const out = await this.send(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: this.seqPk(series, year), sk: COUNTER_SK },
          UpdateExpression: 'SET #lastAt = :now ADD #last :one',
          ExpressionAttributeNames: { '#lastAt': 'lastAt', '#last': 'last' },
          ExpressionAttributeValues: { ':now': at, ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    const n = Number(out.Attributes?.last);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`penghitung ${series}/${year} mengembalikan ${n}`);
    return n;
  }

  async getCounter(series: string, year: number): Promise<CounterAges | undefined> {
    return this.getItem<CounterAges>(this.seqPk(series, year), COUNTER_SK);
  }

  async setObservations(series: string, year: number, seen: readonly CounterObservation[]): Promise<void> {
    await this.send(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: this.seqPk(series, year), sk: COUNTER_SK },
          UpdateExpression: 'SET #seen = :seen',
          ExpressionAttributeNames: { '#seen': 'seen' },
          ExpressionAttributeValues: { ':seen': seen },
        }),
      ),
    );
  }

  // ─── claims ──────────────────────────────────────────────────────────────────────────────────────────────

  async getClaim(key: string): Promise<Claim | undefined> {
    const item = await this.getItem<Claim & Record<string, unknown>>(this.claimPk(key), CLAIM_SK);
    return item && { ...pick(item, ['key', 'series', 'year', 'n', 'numberText', 'reservedAt']) };
  }

  putClaim(claim: Claim): Promise<boolean> {
    return this.putIfAbsent({ pk: this.claimPk(claim.key), sk: CLAIM_SK, kind: 'kunci', ...claim });
  }

  /** Re-binds the key from a number that was voided under it to a fresh one, unless someone did first. */
  repointClaim(from: Claim, to: Claim): Promise<boolean> {
    return this.conditional(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: this.claimPk(from.key), sk: CLAIM_SK },
          UpdateExpression:
            'SET #n = :n, #year = :year, #text = :text, #at = :at, #prev = list_append(if_not_exists(#prev, :empty), :old)',
          ConditionExpression: '#n = :oldN AND #year = :oldYear AND #series = :series',
          ExpressionAttributeNames: {
            '#n': 'n',
            '#year': 'year',
            '#text': 'numberText',
            '#at': 'reservedAt',
            '#prev': 'previous',
            '#series': 'series',
          },
          ExpressionAttributeValues: {
            ':n': to.n,
            ':year': to.year,
            ':text': to.numberText,
            ':at': to.reservedAt,
            ':empty': [],
            ':old': [from.numberText],
            ':oldN': from.n,
            ':oldYear': from.year,
            ':series': from.series,
          },
        }),
      ),
    );
  }

  // ─── number texts ────────────────────────────────────────────────────────────────────────────────────────

  getText(numberText: string): Promise<NumberTextItem | undefined> {
    return this.getItem<NumberTextItem>(this.textPk, numberText);
  }

  putText(numberText: string, item: NumberTextItem): Promise<boolean> {
    return this.putIfAbsent({ pk: this.textPk, sk: numberText, kind: 'nomor', ...item });
  }

  listSrikandiTexts(): Promise<NumberTextItem[]> {
    return this.queryAll<NumberTextItem>({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: '#source = :srikandi',
      ExpressionAttributeNames: { '#source': 'source' },
      ExpressionAttributeValues: { ':pk': this.textPk, ':srikandi': 'srikandi' },
      ConsistentRead: true,
    });
  }

  // ─── entries ─────────────────────────────────────────────────────────────────────────────────────────────

  async getEntry(at: EntryAt): Promise<RegisterEntry | undefined> {
    const item = await this.getItem<Record<string, unknown>>(this.seqPk(at.series, at.year), at.sk);
    return item && toEntry(item);
  }

  putEntry(entry: RegisterEntry, sk: string): Promise<boolean> {
    return this.putIfAbsent({ pk: this.seqPk(entry.series, entry.year), sk, kind: 'entri', ...entry });
  }

  /** An update of an entry under a condition on its status; the entry after it, or undefined if the condition failed. */
  async updateEntry(
    at: EntryAt,
    sets: Record<string, unknown>,
    allowed: readonly RegisterStatus[],
  ): Promise<RegisterEntry | undefined> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {};
    const assignments = Object.entries(sets).map(([path, value], i) => {
      const segments = path.split('.').map((segment, j) => {
        names[`#a${i}_${j}`] = segment;
        return `#a${i}_${j}`;
      });
      values[`:v${i}`] = value;
      return `${segments.join('.')} = :v${i}`;
    });
    allowed.forEach((s, i) => (values[`:s${i}`] = s));
    const out = await ifConditionHolds(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: this.seqPk(at.series, at.year), sk: at.sk },
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: `attribute_exists(pk) AND #status IN (${allowed.map((_, i) => `:s${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out && toEntry(out.Attributes ?? {});
  }

  async entryNumbers(series: string, year: number): Promise<number[]> {
    const present = await this.queryAll<{ n: number }>({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :n)',
      ExpressionAttributeNames: { '#n': 'n' },
      ExpressionAttributeValues: { ':pk': this.seqPk(series, year), ':n': 'n#' },
      ProjectionExpression: '#n',
      ConsistentRead: true,
    });
    return present.map((p) => p.n);
  }

  async listEntries(
    series: string,
    year: number,
    page: { status?: RegisterStatus; limit: number; start?: Record<string, unknown> },
  ): Promise<{ items: RegisterEntry[]; next?: Record<string, unknown> }> {
    const out = await this.send(() =>
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          // Entries sort after the counter ('#penghitung' < 'n#…' < 's#…'): the key condition leaves it out.
          KeyConditionExpression: 'pk = :pk AND sk >= :entries',
          ...(page.status
            ? {
                FilterExpression: '#status = :status',
                ExpressionAttributeNames: { '#status': 'status' },
              }
            : {}),
          ExpressionAttributeValues: {
            ':pk': this.seqPk(series, year),
            ':entries': 'n#',
            ...(page.status ? { ':status': page.status } : {}),
          },
          Limit: page.limit,
          ...(page.start ? { ExclusiveStartKey: page.start } : {}),
        }),
      ),
    );
    return { items: (out.Items ?? []).map(toEntry), ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}) };
  }
}

function pick<T extends object, K extends keyof T>(item: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, item[k]])) as Pick<T, K>;
}

function toEntry(item: Record<string, unknown>): RegisterEntry {
  const { pk: _pk, sk: _sk, kind: _kind, ...entry } = item;
  return entry as unknown as RegisterEntry;
}
