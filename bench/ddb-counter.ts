import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);
const CONTROL = new Set(['CreateTableCommand', 'DescribeTableCommand', 'ListTablesCommand']);

export interface DynamoDbCounts {
  writes: number;
  reads: number;
  /** Reads split: GetItem (and BatchGetItem), Query, and any other read (Scan). */
  gets: number;
  queries: number;
  byCommand: Record<string, number>;
  /** Requests by table and command (`sepakat-kasus` → `GetItemCommand` → n): case-item reads, schedule puts. */
  byTableCommand: Record<string, Record<string, number>>;
  /**
   * Writes by the call they were made in (`CallContext.bucket`: a Lambda role, or `di-luar-lambda` for everything
   * else: pages, intake, scheduler) and by table. Only with a `context` given to the counter.
   */
  writesByBucketTable: Record<string, Record<string, number>>;
  /**
   * Write requests by the table they write: a Put/Update/Delete counts for its TableName; a BatchWriteItem or
   * TransactWriteItems counts once for each table it touches (so the sum may exceed `writes` when one request
   * writes two tables). Requests of other SDK clients (which have no TableName) are not counted here.
   */
  writesByTable: Record<string, number>;
}

/**
 * Counts the DynamoDB requests a client sends (a middleware on the client's stack, which the document client
 * built from it shares), so a benchmark can show how many writes and reads the product really made. Retried
 * requests count once per attempt.
 */
export function countDynamoDbRequests(
  client: DynamoDBClient,
  attribution?: Attribution,
): { counts(): DynamoDbCounts; reset(): void } {
  return countRequests(client, attribution);
}

/** The call a request is made in (a Lambda invocation, an official's answer…), and its writes to the case tables. */
export interface CallContext {
  bucket: string;
  caseWrites: number;
}

/** Where the counter finds the current call (an AsyncLocalStorage's getStore), and which tables are case tables. */
export interface Attribution {
  context: () => CallContext | undefined;
  caseTables: readonly string[];
}

/** The bucket of requests made outside any Lambda invocation (pages, intake, the scheduler's loop). */
export const OUTSIDE_LAMBDA = 'di-luar-lambda';

const GETS = new Set(['GetItemCommand', 'BatchGetItemCommand']);

/** The tables a write request touches, from its input (as the middleware sees it: marshalled, before sending). */
function tablesOf(input: unknown): string[] {
  if (!input || typeof input !== 'object') return [];
  const i = input as {
    TableName?: unknown;
    RequestItems?: Record<string, unknown>;
    TransactItems?: Record<string, { TableName?: unknown } | undefined>[];
  };
  if (typeof i.TableName === 'string') return [i.TableName];
  // BatchWriteItem and BatchGetItem.
  if (i.RequestItems && typeof i.RequestItems === 'object') return Object.keys(i.RequestItems);
  if (Array.isArray(i.TransactItems)) {
    const names = new Set<string>();
    for (const item of i.TransactItems)
      for (const op of Object.values(item ?? {})) if (typeof op?.TableName === 'string') names.add(op.TableName);
    return [...names];
  }
  return [];
}

/** Counts the requests any AWS SDK v3 client sends, by command; reads/writes are DynamoDB's notion. */
export function countRequests(
  client: { middlewareStack: object },
  attribution?: Attribution,
): { counts(): DynamoDbCounts; reset(): void } {
  let byCommand: Record<string, number> = {};
  let writesByTable: Record<string, number> = {};
  let byTableCommand: Record<string, Record<string, number>> = {};
  let writesByBucketTable: Record<string, Record<string, number>> = {};
  const caseTables = new Set(attribution?.caseTables ?? []);
  const bump = (map: Record<string, Record<string, number>>, a: string, b: string) => {
    const inner = (map[a] ??= {});
    inner[b] = (inner[b] ?? 0) + 1;
  };
  // Every SDK v3 client's stack has the same add(); only its input/output types differ.
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      byCommand[name] = (byCommand[name] ?? 0) + 1;
      const tables = tablesOf(args.input);
      for (const table of tables) bump(byTableCommand, table, name);
      if (WRITES.has(name)) {
        const call = attribution?.context();
        for (const table of tables) {
          writesByTable[table] = (writesByTable[table] ?? 0) + 1;
          if (attribution) bump(writesByBucketTable, call?.bucket ?? OUTSIDE_LAMBDA, table);
          if (call && caseTables.has(table)) call.caseWrites++;
        }
      }
      return next(args);
    },
    // The deserialize step runs once per request sent (not for presigned URLs, which stop before it).
    { step: 'deserialize', name: 'sepakatBenchRequestCounter', override: true },
  );
  return {
    counts() {
      let writes = 0;
      let reads = 0;
      let gets = 0;
      let queries = 0;
      for (const [name, n] of Object.entries(byCommand)) {
        if (WRITES.has(name)) writes += n;
        else if (!CONTROL.has(name)) {
          reads += n;
          if (GETS.has(name)) gets += n;
          else if (name === 'QueryCommand') queries += n;
        }
      }
      const copy = (map: Record<string, Record<string, number>>) =>
        Object.fromEntries(Object.entries(map).map(([k, v]) => [k, { ...v }]));
      return {
        writes,
        reads,
        gets,
        queries,
        byCommand: { ...byCommand },
        writesByTable: { ...writesByTable },
        byTableCommand: copy(byTableCommand),
        writesByBucketTable: copy(writesByBucketTable),
      };
    },
    reset() {
      byCommand = {};
      writesByTable = {};
      byTableCommand = {};
      writesByBucketTable = {};
    },
  };
}
