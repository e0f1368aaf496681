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
    {
      TableName: names.cases,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'caseId', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
        { AttributeName: 'createdAt', AttributeType: 'S' },
        { AttributeName: 'pemdaId', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'caseId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: INDEX.casesByStatus,
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: INDEX.casesByPemda,
          KeySchema: [
            { AttributeName: 'pemdaId', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    },
    {
      TableName: names.tasks,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'taskId', AttributeType: 'S' },
        { AttributeName: 'caseId', AttributeType: 'S' },
        { AttributeName: 'seq', AttributeType: 'N' },
        { AttributeName: 'state', AttributeType: 'S' },
        { AttributeName: 'openedAt', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'taskId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: INDEX.tasksByCase,
          KeySchema: [
            { AttributeName: 'caseId', KeyType: 'HASH' },
            { AttributeName: 'seq', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: INDEX.tasksByState,
          KeySchema: [
            { AttributeName: 'state', KeyType: 'HASH' },
            { AttributeName: 'openedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    },
    {
      TableName: names.history,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'caseId', AttributeType: 'S' },
        { AttributeName: 'eventKey', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'caseId', KeyType: 'HASH' },
        { AttributeName: 'eventKey', KeyType: 'RANGE' },
      ],
    },
  ];
}
