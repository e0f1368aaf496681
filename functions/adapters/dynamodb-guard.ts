import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ErrorNames, SepakatError } from '../../core/errors.ts';

/**
 * How every DynamoDB adapter treats errors: a failed condition is an answer (the fact exists already), throttling
 * and 5xx become the product's Transient error (the state machines retry it), anything else is a defect.
 */
export const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as { name?: string })?.name === 'ConditionalCheckFailedException';

export function transient(error: unknown): never {
  const name = (error as { name?: string })?.name ?? '';
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0;
  if (status >= 500 || /Throttl|ProvisionedThroughput|RequestLimit|TimeoutError|ECONN|socket/i.test(name))
    throw new SepakatError(ErrorNames.Transient, 'DynamoDB sementara tidak tersedia', { cause: error });
  throw error;
}

/** Runs a DynamoDB call; a failed condition is rethrown as is, other errors are classified. */
export async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isConditionFailure(error)) throw error;
    return transient(error);
  }
}

/** Runs a conditional write: true when written, false when its condition failed. */
export async function conditionally(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await guarded(fn);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Every item of a Query, page by page. */
export async function queryAll<T>(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await guarded(() =>
      doc.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) })),
    );
    items.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
