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
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type CreateTableInput,
  type DynamoDBClient,
  type DynamoDBClientConfig,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';

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

export const LOCAL_REGION = 'ap-southeast-3';

/** Credentials for local development only; dynalite does not check signatures. */
export const LOCAL_DEVELOPMENT_CREDENTIALS = {
  accessKeyId: 'local-development',
  secretAccessKey: 'local-development',
} as const;

export interface LocalDynamoDbOptions {
  dataDir: string;
  host?: string;
  port?: number;
}

export interface LocalDynamoDb {
  endpoint: string;
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
  const { dataDir, host = '127.0.0.1', port = 0 } = options;
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
  const close = async (): Promise<void> => {
    const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    server.closeIdleConnections();
    await closed;
  };
  const endpoint = `http://${endpointHost(host)}:${(server.address() as AddressInfo).port}`;
  return { endpoint, close };
}

/**
 * Creates every table that does not exist yet and waits until each is ACTIVE with all its global
 * secondary indexes. Idempotent; existing tables are left as they are (no schema migration).
 */
export async function ensureTables(client: DynamoDBClient, tables: CreateTableInput[]): Promise<void> {
  await Promise.all(
    tables.map(async (table) => {
      const name = table.TableName;
      if (!name) throw new Error('ensureTables: a table has no TableName.');
      const existing = await describe(client, name);
      if (!existing) {
        try {
          await client.send(new CreateTableCommand(table));
        } catch (error) {
          // Someone else (another start-up racing this one) created it first.
          if (!(error instanceof ResourceInUseException)) throw error;
        }
      }
      await waitUntilActive(client, name);
    }),
  );
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
