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
}

/**
 * Counts the DynamoDB requests a client sends (a middleware on the client's stack, which the document client
 * built from it shares), so a benchmark can show how many writes and reads the product really made. Retried
 * requests count once per attempt.
 */
export function countDynamoDbRequests(client: DynamoDBClient): { counts(): DynamoDbCounts; reset(): void } {
  return countRequests(client);
}

/** Counts the requests any AWS SDK v3 client sends, by command; reads/writes are DynamoDB's notion. */
export function countRequests(client: { middlewareStack: object }): { counts(): DynamoDbCounts; reset(): void } {
  let byCommand: Record<string, number> = {};
  // Every SDK v3 client's stack has the same add(); only its input/output types differ.
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      byCommand[name] = (byCommand[name] ?? 0) + 1;
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
      return { writes, reads, byCommand: { ...byCommand } };
    },
    reset() {
      byCommand = {};
    },
  };
}
