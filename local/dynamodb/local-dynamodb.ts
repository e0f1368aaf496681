import { LOCAL_DEVELOPMENT_CREDENTIALS, LOCAL_REGION } from '../local-aws.ts';
/**
 * A local DynamoDB for the embedded local default: dynalite (the real DynamoDB HTTP API) on a
 * persistent LevelDB under `<dataDir>/dynamodb`.
 *
 * Limits to design around (see shared/docs/stack-facts.md): no TransactWriteItems /
 * TransactGetItems and no Streams; and LevelDB lets only one process open the directory.
 */
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  TagResourceCommand,
  type AttributeValue,
  type CreateTableInput,
  type DynamoDBClient,
  type DynamoDBClientConfig,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { useInProcessHandler } from '../../functions/adapters/aws-clients.ts';
import { InProcessHttpHandler, requestListenerOf } from './in-process-handler.ts';
import { cacheTableDescriptions } from './table-cache.ts';

const require = createRequire(import.meta.url);

/**
 * dynalite ends its LevelDB iterators with `iterator.return()`, which abstract-level 3 does not have, so every
 * Query left an open iterator behind (measured: 3,121 after 40 cases, peak memory 1.8 GB for 200). Give the
 * iterators a `return()` that closes them.
 */
function patchIteratorLeak(): void {
  const abstractLevel = createRequire(require.resolve('dynalite'))('abstract-level') as Record<
    string,
    { prototype: { return?: () => Promise<void>; close(): Promise<void> } }
  >;
  for (const name of ['AbstractIterator', 'AbstractKeyIterator', 'AbstractValueIterator']) {
    const proto = abstractLevel[name]?.prototype;
    if (proto && !proto.return)
      proto.return = function (this: { close(): Promise<void> }) {
        return this.close();
      };
  }
}
patchIteratorLeak();
cacheTableDescriptions();

/** The local region and credentials (dynalite does not check signatures). */
export { LOCAL_DEVELOPMENT_CREDENTIALS, LOCAL_REGION } from '../local-aws.ts';

export interface LocalDynamoDbOptions {
  dataDir: string;
  host?: string;
  port?: number;
  /**
   * Whether the AWS clients this process makes for the endpoint (`awsClients`) reach dynalite in-process, without
   * a socket (default: yes, unless SEPAKAT_DYNAMODB_INPROCESS=0). The HTTP endpoint answers either way.
   */
  inProcess?: boolean;
}

export interface LocalDynamoDb {
  endpoint: string;
  /** Whether this process's `awsClients` for the endpoint use the in-process handler. */
  inProcess: boolean;
  /** Stops the server and closes the LevelDB (releasing its lock for the next start). */
  close(): Promise<void>;
}

/** The DynamoDB client configuration the product must use against the local DynamoDB. */
export function localDynamoClientConfig(endpoint: string, region: string = LOCAL_REGION): DynamoDBClientConfig {
  return {
    endpoint,
    region,
    credentials: { ...LOCAL_DEVELOPMENT_CREDENTIALS },
  };
}

export async function startLocalDynamoDb(options: LocalDynamoDbOptions): Promise<LocalDynamoDb> {
  const {
    dataDir,
    host = '127.0.0.1',
    port = 0,
    inProcess = process.env['SEPAKAT_DYNAMODB_INPROCESS'] !== '0',
  } = options;
  const dbPath = path.join(dataDir, 'dynamodb');
  await mkdir(dbPath, { recursive: true });

  await assertDirectoryFree(dbPath);
  const dynalite = require('dynalite') as Dynalite;
  const server = dynalite({
    path: dbPath,
    // Tables and indexes become ACTIVE at once instead of after dynalite's default 500 ms.
    createTableMs: 0,
    updateTableMs: 0,
    deleteTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const endpoint = `http://${endpointHost(host)}:${(server.address() as AddressInfo).port}`;
  // The same requests, handed to dynalite's request listener in this process: no HTTP client, socket or parse.
  const handler = inProcess ? new InProcessHttpHandler(requestListenerOf(server), endpoint) : undefined;
  const unregister = handler ? useInProcessHandler(endpoint, handler) : undefined;
  const close = async (): Promise<void> => {
    unregister?.();
    // The requests already handed to dynalite finish before its database closes.
    await handler?.close();
    const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    server.closeIdleConnections();
    await closed;
  };
  return { endpoint, inProcess, close };
}

/**
 * Creates every table that does not exist yet and waits until each is ACTIVE with all its global
 * secondary indexes. Idempotent. An existing table that lacks a global secondary index of its definition (a data
 * directory from before the index was added) gets it by `addIndexesByCopy`; nothing else is migrated.
 */
export async function ensureTables(client: DynamoDBClient, tables: CreateTableInput[]): Promise<void> {
  await Promise.all(
    tables.map(async (table) => {
      const name = table.TableName;
      if (!name) throw new Error('ensureTables: a table has no TableName.');
      const existing = await describe(client, name);
      if (!existing) {
        // A copy left complete by an interrupted migration is the table's data: finish that migration instead.
        if (await isCompleteCopy(client, copyNameOf(name))) await addIndexesByCopy(client, table);
        else await createTable(client, table);
      } else if (missingIndexes(existing, table).length > 0 || (await isCompleteCopy(client, copyNameOf(name)))) {
        await addIndexesByCopy(client, table);
      }
      await waitUntilActive(client, name);
    }),
  );
}

async function createTable(client: DynamoDBClient, table: CreateTableInput): Promise<void> {
  try {
    await client.send(new CreateTableCommand(table));
  } catch (error) {
    // Someone else (another start-up racing this one) created it first.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

function missingIndexes(existing: TableDescription, table: CreateTableInput): string[] {
  const present = new Set((existing.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  return (table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName!).filter((name) => !present.has(name));
}

/** The table a local migration copies a table into (exported for tests of an interrupted migration). */
export const copyNameOf = (tableName: string) => `${tableName}.salinan-migrasi`;
/** The tag that marks a copy as holding every item of its table (written only after the last item). */
export const COPY_COMPLETE_TAG = 'sepakat-salinan-lengkap';

async function isCompleteCopy(client: DynamoDBClient, copyName: string): Promise<boolean> {
  const copy = await describe(client, copyName);
  if (!copy?.TableArn) return false;
  const tags = await client.send(new ListTagsOfResourceCommand({ ResourceArn: copy.TableArn }));
  return (tags.Tags ?? []).some((tag) => tag.Key === COPY_COMPLETE_TAG);
}

/**
 * Adds the missing global secondary indexes to a local table. dynalite cannot: UpdateTable with a `Create` index
 * update is refused on an on-demand table (it asks for a throughput) and otherwise ignored (its updateTable only
 * changes throughput; tried on dynalite 4). So the table is rebuilt: every item is copied to
 * `<table>.salinan-migrasi`, the copy is tagged complete, the table is dropped and created from its definition
 * (the indexes filled as the items come back), the items are copied back, and the copy is dropped. Only the start-up
 * runs this, before anything else writes. A crash at any point is finished at the next start: an untagged copy is
 * discarded (the table is still whole), a tagged one is copied back again (puts of the same items are idempotent).
 */
async function addIndexesByCopy(client: DynamoDBClient, table: CreateTableInput): Promise<void> {
  const name = table.TableName!;
  const copyName = copyNameOf(name);
  if (!(await isCompleteCopy(client, copyName))) {
    await dropTable(client, copyName);
    const existing = await describe(client, name);
    if (!existing) throw new Error(`ensureTables: ${name} disappeared while its indexes were being added.`);
    const keyNames = new Set((existing.KeySchema ?? []).map((key) => key.AttributeName));
    await createTable(client, {
      TableName: copyName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: existing.KeySchema,
      AttributeDefinitions: (existing.AttributeDefinitions ?? []).filter((a) => keyNames.has(a.AttributeName)),
    });
    await waitUntilActive(client, copyName);
    await copyItems(client, name, copyName);
    const copy = await describe(client, copyName);
    await client.send(
      new TagResourceCommand({ ResourceArn: copy!.TableArn, Tags: [{ Key: COPY_COMPLETE_TAG, Value: 'ya' }] }),
    );
  }
  const current = await describe(client, name);
  if (!current || missingIndexes(current, table).length > 0) {
    await dropTable(client, name);
    await createTable(client, table);
  }
  await waitUntilActive(client, name);
  await copyItems(client, copyName, name);
  await dropTable(client, copyName);
}

async function copyItems(client: DynamoDBClient, from: string, to: string): Promise<void> {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: from, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) await client.send(new PutItemCommand({ TableName: to, Item: item }));
    start = page.LastEvaluatedKey;
  } while (start);
}

async function dropTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const deadline = Date.now() + 30_000;
  let delay = 5;
  while (await describe(client, tableName)) {
    if (Date.now() > deadline) throw new Error(`Table ${tableName} is still there 30 s after it was deleted.`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 250);
  }
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * Polls DescribeTable with a short backoff. The SDK's waitUntilTableExists waits at least 20 s
 * between attempts, far too slow for a local start-up.
 */
async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    const table = await describe(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) {
      throw new Error(`Table ${tableName} is not ACTIVE after ${timeoutMs} ms (status ${table?.TableStatus}).`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 250);
  }
}

/**
 * dynalite opens its LevelDB lazily; when another process holds the directory, the first request
 * fails inside a stream with an unhandled 'error' event that kills this whole process. Opening
 * (and closing) the LevelDB here first turns that into a start-up error that names the cause.
 */
async function assertDirectoryFree(dbPath: string): Promise<void> {
  const levelFromDynalite = createRequire(require.resolve('dynalite'))('level') as {
    Level: new (location: string) => { open(): Promise<void>; close(): Promise<void> };
  };
  const db = new levelFromDynalite.Level(dbPath);
  try {
    await db.open();
  } catch (error) {
    throw new Error(`The local DynamoDB cannot open ${dbPath}: another process (another local default?) is using it.`, {
      cause: error,
    });
  }
  await db.close();
}

function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** The subset of dynalite's (untyped, CommonJS) factory this module uses. */
type Dynalite = (options: {
  path?: string;
  createTableMs?: number;
  updateTableMs?: number;
  deleteTableMs?: number;
}) => Server;
