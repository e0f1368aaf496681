import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { ListedTask } from '../../core/case/model.ts';

/**
 * The DynamoDB tables, described once: the local runtime creates them from this, CDK declares the same keys.
 * - cases: one item per case (the summary projection: cursor, status, case data). `byPemda` lists one pemda's cases
 *   in creation order, so the console never reads other pemdas' cases. It was added to a table that existed: adding
 *   a GSI is an in-place DynamoDB update (CloudFormation allows one GSI created or deleted per table per deployment,
 *   so a further index needs a deployment of its own); DynamoDB backfills it from the existing items. dynalite cannot
 *   add an index, so the local `ensureTables` copies the table over (local/dynamodb/local-dynamodb.ts).
 * - tasks: one item per activation that waits on a person; the opaque task id is the key links carry. Its indexes
 *   project only what a list of tasks reads (`TASK_LIST_ATTRIBUTES`), never the task token nor the code's hash: the
 *   few readers of a listed task that need its token read the item itself. They replaced `byCase` and `byState`
 *   (projection ALL): a changed projection is a new index, and an existing local data directory gets them by the
 *   same copy-and-refill as `byPemda`.
 * - history: the append-only record of facts, one item per fact with a deterministic key.
 */
export interface TableNames {
  cases: string;
  tasks: string;
  history: string;
}

export const INDEX = {
  casesByStatus: 'byStatus',
  casesByPemda: 'byPemda',
  tasksByCase: 'tugasPerKasus',
  tasksByState: 'tugasPerStatus',
} as const;

/**
 * Every attribute of a task that a list of tasks reads (the case page and the console's lists, the completion
 * package, the analytics, the sweeps over open and decided tasks): all of `ListedTask`, that is all of a task but
 * `taskToken` (the execution's callback token) and `otp` (the hash of a paraf or signature code). The record type
 * makes it exhaustive: a new attribute of TaskRecord fails to compile here until it is listed or excluded.
 */
const LISTED: Record<keyof ListedTask, true> = {
  taskId: true,
  caseId: true,
  seq: true,
  node: true,
  stepId: true,
  visit: true,
  actorId: true,
  person: true,
  openedAt: true,
  dueAt: true,
  overdueAt: true,
  dueProvisional: true,
  dueRevision: true,
  dueEstimate: true,
  state: true,
  executionArn: true,
  linkVersion: true,
  linkExpiresAt: true,
  decision: true,
  reportedAt: true,
  otpIssued: true,
  otpWindowStart: true,
  tteRefused: true,
  tteRefusedWindowStart: true,
  linkRenewals: true,
  linkRenewalWindowStart: true,
  dialihkan: true,
  signatureClaimUntil: true,
  replacedAt: true,
};
export const TASK_LIST_ATTRIBUTES: readonly string[] = Object.keys(LISTED);

export function tableDefinitions(names: TableNames): CreateTableCommandInput[] {
  return [
    tableDefinition(names.cases, {
      key: ['caseId'],
      indexes: {
        [INDEX.casesByStatus]: ['status', 'createdAt'],
        [INDEX.casesByPemda]: ['pemdaId', 'createdAt'],
      },
    }),
    tableDefinition(names.tasks, {
      key: ['taskId'],
      indexes: {
        [INDEX.tasksByCase]: ['caseId', 'seq'],
        [INDEX.tasksByState]: ['state', 'openedAt'],
      },
      include: { [INDEX.tasksByCase]: TASK_LIST_ATTRIBUTES, [INDEX.tasksByState]: TASK_LIST_ATTRIBUTES },
      numbers: ['seq'],
    }),
    tableDefinition(names.history, { key: ['caseId', 'eventKey'] }),
  ];
}

/** A partition key, or a partition key and a sort key (attribute names). */
export type KeyNames = readonly [string] | readonly [string, string];

/** What sets one table apart from another: its key, its global secondary indexes and its numeric key attributes. */
export interface TableShape {
  key: KeyNames;
  /** Index name → its key; an index projects all attributes unless `include` names what it projects. */
  indexes?: Readonly<Record<string, KeyNames>>;
  /**
   * Index name → the attributes it projects (INCLUDE: these and the keys of the table and of the index, which
   * DynamoDB always projects and which are left out of the declared list).
   */
  include?: Readonly<Record<string, readonly string[]>>;
  /** Key attributes that hold numbers (the others hold strings). */
  numbers?: readonly string[];
}

/**
 * One table as DynamoDB's CreateTable takes it: on-demand billing, the attributes of every key (table first, then
 * each index, in the order they first appear), the key schema and the indexes. Every table of Sepakat is described
 * through it, so that the local runtime and CDK create the same keys.
 */
export function tableDefinition(tableName: string, shape: TableShape): CreateTableCommandInput {
  const keySchema = (names: KeyNames) =>
    names.map((AttributeName, i) => ({ AttributeName, KeyType: i === 0 ? ('HASH' as const) : ('RANGE' as const) }));
  const indexes = Object.entries(shape.indexes ?? {});
  const attributes = [...new Set([...shape.key, ...indexes.flatMap(([, names]) => names)])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes.map((AttributeName) => ({
      AttributeName,
      AttributeType: shape.numbers?.includes(AttributeName) ? 'N' : 'S',
    })),
    KeySchema: keySchema(shape.key),
    ...(indexes.length
      ? {
          GlobalSecondaryIndexes: indexes.map(([IndexName, names]) => {
            const include = shape.include?.[IndexName];
            const keys = new Set([...shape.key, ...names]);
            return {
              IndexName,
              KeySchema: keySchema(names),
              Projection: include
                ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: include.filter((a) => !keys.has(a)) }
                : { ProjectionType: 'ALL' as const },
            };
          }),
        }
      : {}),
  };
}
