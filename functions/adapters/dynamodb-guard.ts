import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  QueryCommand,
  type BatchGetCommandInput,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from './document-client.ts';
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

/** Runs a conditional write that answers (the item as written, say): its answer; undefined if its condition failed. */
export async function ifConditionHolds<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await guarded(fn);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Runs a conditional write: true when written, false when its condition failed. */
export async function conditionally(fn: () => Promise<unknown>): Promise<boolean> {
  return (await ifConditionHolds(async () => (await fn(), true))) ?? false;
}

/** Every item of a Query, page by page. */
export async function queryAll<T>(doc: DocumentClient, input: QueryCommandInput): Promise<T[]> {
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

/** How many times a BatchGetItem's unprocessed keys are asked again (with backoff) before it counts as transient. */
const BATCH_GET_ATTEMPTS = 6;

/**
 * Every item of a BatchGetItem (at most 100 keys), by table: the keys DynamoDB leaves unprocessed (throttling, or
 * the 16 MB answer limit) are asked again with backoff, and still-unprocessed keys after that are Transient.
 */
export async function batchGetAll(
  doc: DocumentClient,
  requestItems: NonNullable<BatchGetCommandInput['RequestItems']>,
): Promise<Record<string, Record<string, unknown>[]>> {
  const found: Record<string, Record<string, unknown>[]> = {};
  let pending: BatchGetCommandInput['RequestItems'] = requestItems;
  for (let attempt = 0; pending && Object.keys(pending).length; attempt++) {
    if (attempt >= BATCH_GET_ATTEMPTS)
      throw new SepakatError(ErrorNames.Transient, 'DynamoDB sementara tidak tersedia (kunci belum terbaca)');
    if (attempt) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * (0.5 + Math.random())));
    const out = await guarded(() => doc.send(new BatchGetCommand({ RequestItems: pending })));
    for (const [table, items] of Object.entries(out.Responses ?? {}))
      (found[table] ??= []).push(...(items as Record<string, unknown>[]));
    pending = out.UnprocessedKeys;
  }
  return found;
}
