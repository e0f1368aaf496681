import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type Callback<T> = (error: Error | null | undefined, value?: T) => void;

/** The table store of a dynalite database (`store.tableDb`): a LevelDB sub-database of table descriptions. */
interface TableDb {
  get(key: string, callback: Callback<unknown>): void;
  put(key: string, value: unknown, callback: Callback<void>): void;
  del(key: string, callback: Callback<void>): void;
}

interface DynaliteDbModule {
  create(options: unknown): { tableDb: TableDb };
  __sepakatTableCache?: true;
}

/**
 * Keeps each dynalite database's table descriptions in memory, so that a request no longer reads its table's
 * description from LevelDB before doing its work (every GetItem, PutItem, Query did: one native LevelDB get and a
 * JSON decode per request, about 1.5% of the embedded default's CPU in the concurrent-cases bench). dynalite still
 * writes every description to LevelDB as before; this only answers the reads.
 *
 * Exactly what LevelDB would answer: a description is cached as the JSON text of what was read or written (so a
 * caller mutating the object it got or put changes nothing cached), every get answers a fresh decoded copy, a put or
 * delete drops the key at once and caches the written value only once LevelDB confirmed the write, and a read that
 * raced a write is not cached (a generation per key). Errors (not found, decode errors) are never cached. Applied to
 * every database dynalite creates from now on in this process (`db.create` is wrapped once).
 */
export function cacheTableDescriptions(): void {
  const dbModule = createRequire(require.resolve('dynalite'))('./db') as DynaliteDbModule;
  if (dbModule.__sepakatTableCache) return;
  const create = dbModule.create.bind(dbModule);
  dbModule.create = (options: unknown) => {
    const store = create(options);
    cacheTableDb(store.tableDb);
    return store;
  };
  dbModule.__sepakatTableCache = true;
}

/** Wraps one table store's get, put and del (exported for its test). */
export function cacheTableDb(tableDb: TableDb): void {
  const cached = new Map<string, string>();
  /** Bumped as a write of the key starts and as it ends: a read that saw another generation caches nothing. */
  const generation = new Map<string, number>();
  /** Writes of the key not yet confirmed: a read while one is pending caches nothing. */
  const pending = new Map<string, number>();
  const gen = (key: string) => generation.get(key) ?? 0;
  const writeStarts = (key: string) => {
    generation.set(key, gen(key) + 1);
    pending.set(key, (pending.get(key) ?? 0) + 1);
    cached.delete(key);
  };
  /** True when no other write of the key is pending (the caller may then cache what it wrote). */
  const writeEnds = (key: string): boolean => {
    generation.set(key, gen(key) + 1);
    const left = (pending.get(key) ?? 1) - 1;
    if (left > 0) pending.set(key, left);
    else pending.delete(key);
    return left === 0;
  };
  const get = tableDb.get.bind(tableDb);
  const put = tableDb.put.bind(tableDb);
  const del = tableDb.del.bind(tableDb);

  tableDb.get = (key, callback) => {
    const text = cached.get(key);
    if (text !== undefined) {
      // Asynchronous, as LevelDB's answer is.
      queueMicrotask(() => callback(null, JSON.parse(text)));
      return;
    }
    const seen = pending.has(key) ? undefined : gen(key);
    get(key, (error, value) => {
      if (!error && value && typeof value === 'object' && seen === gen(key) && !pending.has(key))
        cached.set(key, JSON.stringify(value));
      callback(error, value);
    });
  };
  tableDb.put = (key, value, callback) => {
    const text = JSON.stringify(value);
    writeStarts(key);
    put(key, value, (error) => {
      if (writeEnds(key) && !error) cached.set(key, text);
      callback?.(error);
    });
  };
  tableDb.del = (key, callback) => {
    writeStarts(key);
    del(key, (error) => {
      writeEnds(key);
      callback?.(error);
    });
  };
}
