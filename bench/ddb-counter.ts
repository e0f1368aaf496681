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
  byCommand: Record<string, number>;
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
export function countDynamoDbRequests(client: DynamoDBClient): { counts(): DynamoDbCounts; reset(): void } {
  return countRequests(client);
}

/** The tables a write request touches, from its input (as the middleware sees it: marshalled, before sending). */
function tablesOf(input: unknown): string[] {
  if (!input || typeof input !== 'object') return [];
  const i = input as {
    TableName?: unknown;
    RequestItems?: Record<string, unknown>;
    TransactItems?: Record<string, { TableName?: unknown } | undefined>[];
  };
  if (typeof i.TableName === 'string') return [i.TableName];
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
export function countRequests(client: { middlewareStack: object }): { counts(): DynamoDbCounts; reset(): void } {
  let byCommand: Record<string, number> = {};
  let writesByTable: Record<string, number> = {};
  // Every SDK v3 client's stack has the same add(); only its input/output types differ.
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      byCommand[name] = (byCommand[name] ?? 0) + 1;
      if (WRITES.has(name))
        for (const table of tablesOf(args.input)) writesByTable[table] = (writesByTable[table] ?? 0) + 1;
      return next(args);
    },
    // The deserialize step runs once per request sent (not for presigned URLs, which stop before it).
    { step: 'deserialize', name: 'sepakatBenchRequestCounter', override: true },
  );
  return {
    counts() {
      let writes = 0;
      let reads = 0;
      for (const [name, n] of Object.entries(byCommand)) {
        if (WRITES.has(name)) writes += n;
        else if (!CONTROL.has(name)) reads += n;
      }
      return { writes, reads, byCommand: { ...byCommand }, writesByTable: { ...writesByTable } };
    },
    reset() {
      byCommand = {};
      writesByTable = {};
    },
  };
}
