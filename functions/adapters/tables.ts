import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The DynamoDB tables, described once: the local runtime creates them from this, CDK declares the same keys.
 * - cases: one item per case (the summary projection: cursor, status, case data). `byPemda` lists one pemda's cases
 *   in creation order, so the console never reads other pemdas' cases. It was added to a table that existed: adding
 *   a GSI is an in-place DynamoDB update (CloudFormation allows one GSI created or deleted per table per deployment,
 *   so a further index needs a deployment of its own); DynamoDB backfills it from the existing items. dynalite cannot
 *   add an index, so the local `ensureTables` copies the table over (local/dynamodb/local-dynamodb.ts).
 * - tasks: one item per activation that waits on a person; the opaque task id is the key links carry.
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
  tasksByCase: 'byCase',
  tasksByState: 'byState',
} as const;

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
  /** Index name → its key; every index projects all attributes. */
  indexes?: Readonly<Record<string, KeyNames>>;
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
          GlobalSecondaryIndexes: indexes.map(([IndexName, names]) => ({
            IndexName,
            KeySchema: keySchema(names),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}
