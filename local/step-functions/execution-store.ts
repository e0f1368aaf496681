import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const ExecutionStatuses = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type ExecutionStatus = (typeof ExecutionStatuses)[number];

const ExecutionRecordSchema = z.object({
  executionArn: z.string().min(1),
  stateMachineArn: z.string().min(1),
  name: z.string().min(1),
  status: z.enum(ExecutionStatuses),
  /** epoch milliseconds */
  startDate: z.number(),
  /** epoch milliseconds */
  stopDate: z.number().optional(),
  /** the execution input as the JSON string given to StartExecution */
  input: z.string(),
  /** the execution output as a JSON string (SUCCEEDED only) */
  output: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
});

export type ExecutionRecord = z.infer<typeof ExecutionRecordSchema>;

/**
 * One event of an execution's history, as GetExecutionHistory answers it (timestamp in epoch milliseconds here,
 * seconds on the wire). `id` counts from 1 per execution.
 */
export interface StoredHistoryEvent {
  id: number;
  previousEventId: number;
  /** epoch milliseconds */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/** Where a batch of one execution's events sits in the log: a line of `length` bytes at `offset`. */
export interface EventBatch {
  offset: number;
  length: number;
  /** id of the first event of the batch; the batch holds ids firstId … firstId + count - 1 */
  firstId: number;
  count: number;
}

const EventBatchLineSchema = z.object({
  kind: z.literal('events'),
  executionArn: z.string().min(1),
  firstId: z.number().int().positive(),
  count: z.number().int().positive(),
  events: z.array(z.unknown()),
});

export interface LoadedExecution {
  record: ExecutionRecord;
  /** The execution's event batches in the log, in id order (none for a log written before histories were kept). */
  batches: EventBatch[];
}

export interface ExecutionLogOptions {
  /** epoch milliseconds; default Date.now() */
  now?: number;
  /** Finished executions whose stopDate is older than this are dropped at open. Default 90 days, as AWS. */
  retentionMs?: number;
}

export const EXECUTIONS_FILE = 'executions.jsonl';
/** Step Functions keeps a finished standard execution, its history included, for 90 days. */
export const HISTORY_RETENTION_MS = 90 * 24 * 3600 * 1000;
/** Lines beyond one record and one event batch per execution that the log tolerates before it is compacted at open. */
const COMPACT_SLACK_LINES = 1000;

interface QueuedLine {
  text: string;
  bytes: number;
  batch?: { firstId: number; count: number };
  resolve: (batch: EventBatch | undefined) => void;
  reject: (error: unknown) => void;
}

/** Splits a buffer into its lines (without the newline), each with its byte offset. */
function* linesOf(buffer: Buffer): Generator<{ offset: number; length: number }> {
  let start = 0;
  while (start < buffer.length) {
    let end = buffer.indexOf(0x0a, start);
    if (end < 0) end = buffer.length;
    if (end > start) yield { offset: start, length: end - start };
    start = end + 1;
  }
}

function parseLine(buffer: Buffer, offset: number, length: number): unknown {
  try {
    return JSON.parse(buffer.toString('utf8', offset, offset + length));
  } catch {
    return undefined; // a line torn by a crash mid-write: skip it
  }
}

function isStoredEvent(value: unknown): value is StoredHistoryEvent {
  if (value === null || typeof value !== 'object') return false;
  const event = value as Record<string, unknown>;
  return typeof event.id === 'number' && typeof event.type === 'string' && typeof event.timestamp === 'number';
}

/**
 * Append-only JSON-lines log of executions, in two kinds of lines:
 * - an execution record: one full snapshot per change, the last line per ARN wins on load;
 * - `{"kind":"events",…}`: a batch of one execution's history events (ids firstId … firstId + count - 1).
 *
 * Appends are batched (one write per burst) and strictly ordered, so a terminal record is never written before
 * the RUNNING record of the same execution. Event batches are not kept in memory: their offsets are, and
 * `readEvents` reads them back. At open, finished executions older than the retention are dropped and, when
 * that or superseded lines make the file much larger than its content, the file is rewritten compactly (into a
 * temporary file renamed over it, so a crash midway leaves the old log).
 */
export class ExecutionLog {
  private queue: QueuedLine[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly file: string,
    /** bytes in the file: the offset of the next line */
    private size: number,
  ) {}

  /**
   * Creates `dataDir` if missing, reads every execution already there (dropping those finished longer ago than
   * the retention), compacts the file if worthwhile and opens the log for appending.
   */
  static async open(
    dataDir: string,
    options: ExecutionLogOptions = {},
  ): Promise<{ log: ExecutionLog; executions: Map<string, LoadedExecution>; pruned: number; compacted: boolean }> {
    await mkdir(dataDir, { recursive: true });
    const file = path.join(dataDir, EXECUTIONS_FILE);
    await rm(`${file}.tmp`, { force: true }); // a compaction that did not finish
    let buffer: Buffer = Buffer.alloc(0);
    try {
      buffer = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }

    const executions = new Map<string, LoadedExecution>();
    const batchesByArn = new Map<string, EventBatch[]>();
    let lineCount = 0;
    for (const { offset, length } of linesOf(buffer)) {
      lineCount++;
      const parsed = parseLine(buffer, offset, length);
      if (parsed === undefined) continue;
      if ((parsed as { kind?: unknown }).kind === 'events') {
        const batch = EventBatchLineSchema.safeParse(parsed);
        if (!batch.success || batch.data.events.length !== batch.data.count) continue;
        const list = batchesByArn.get(batch.data.executionArn) ?? [];
        list.push({ offset, length, firstId: batch.data.firstId, count: batch.data.count });
        batchesByArn.set(batch.data.executionArn, list);
        continue;
      }
      const result = ExecutionRecordSchema.safeParse(parsed);
      if (!result.success) continue;
      // Re-insert so that Map iteration order follows the latest change.
      executions.delete(result.data.executionArn);
      executions.set(result.data.executionArn, { record: result.data, batches: [] });
    }

    const oldest = (options.now ?? Date.now()) - (options.retentionMs ?? HISTORY_RETENTION_MS);
    let pruned = 0;
    for (const [arn, loaded] of executions) {
      const { status, stopDate } = loaded.record;
      if (status !== 'RUNNING' && stopDate !== undefined && stopDate < oldest) {
        executions.delete(arn);
        pruned++;
        continue;
      }
      loaded.batches = (batchesByArn.get(arn) ?? []).sort((a, b) => a.firstId - b.firstId);
    }

    let withEvents = 0;
    for (const loaded of executions.values()) if (loaded.batches.length > 0) withEvents++;
    const minimal = executions.size + withEvents;
    const compacted = pruned > 0 || lineCount - minimal > Math.max(COMPACT_SLACK_LINES, minimal);
    let size = buffer.length;
    const tornLastLine = size > 0 && buffer[size - 1] !== 0x0a;
    if (compacted) size = await ExecutionLog.compact(file, buffer, executions);

    const handle = await open(file, 'a');
    if (tornLastLine && !compacted) {
      // Terminate a torn last line so the next line starts on a line of its own.
      await handle.appendFile('\n', 'utf8');
      size++;
    }
    return { log: new ExecutionLog(handle, file, size), executions, pruned, compacted };
  }

  /** Rewrites the log with one record line and one event batch per execution; updates the batches' offsets. */
  private static async compact(
    file: string,
    buffer: Buffer,
    executions: Map<string, LoadedExecution>,
  ): Promise<number> {
    const temporary = `${file}.tmp`;
    const out = await open(temporary, 'w');
    let size = 0;
    try {
      for (const [arn, loaded] of executions) {
        const chunks = [`${JSON.stringify(loaded.record)}\n`];
        let batches: EventBatch[] = [];
        if (loaded.batches.length > 0) {
          const events: unknown[] = [];
          for (const batch of loaded.batches) {
            const parsed = parseLine(buffer, batch.offset, batch.length) as { events: unknown[] };
            events.push(...parsed.events);
          }
          const firstId = loaded.batches[0]!.firstId;
          const line = JSON.stringify({ kind: 'events', executionArn: arn, firstId, count: events.length, events });
          const recordBytes = Buffer.byteLength(chunks[0]!, 'utf8');
          batches = [
            { offset: size + recordBytes, length: Buffer.byteLength(line, 'utf8'), firstId, count: events.length },
          ];
          chunks.push(`${line}\n`);
        }
        const text = chunks.join('');
        await out.write(text, null, 'utf8');
        size += Buffer.byteLength(text, 'utf8');
        loaded.batches = batches;
      }
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(temporary, file);
    return size;
  }

  /** Appends a snapshot; resolves once it is written to the file. */
  append(record: ExecutionRecord): Promise<void> {
    return this.enqueue(JSON.stringify(record)).then(() => undefined);
  }

  /** Appends a batch of one execution's events (consecutive ids); resolves with where it was written. */
  appendEvents(executionArn: string, events: StoredHistoryEvent[]): Promise<EventBatch> {
    const first = events[0];
    if (!first) return Promise.reject(new Error('An event batch needs at least one event'));
    const line = JSON.stringify({ kind: 'events', executionArn, firstId: first.id, count: events.length, events });
    return this.enqueue(line, { firstId: first.id, count: events.length }) as Promise<EventBatch>;
  }

  /** Reads the events of the given batches back, in order. */
  async readEvents(batches: readonly EventBatch[]): Promise<StoredHistoryEvent[]> {
    if (batches.length === 0) return [];
    const reader = await open(this.file, 'r');
    try {
      const events: StoredHistoryEvent[] = [];
      for (const batch of batches) {
        const buffer = Buffer.alloc(batch.length);
        const { bytesRead } = await reader.read(buffer, 0, batch.length, batch.offset);
        const parsed = parseLine(buffer, 0, bytesRead) as { events?: unknown } | undefined;
        if (!parsed || !Array.isArray(parsed.events)) {
          throw new Error(`The execution log ${this.file} has no event batch at offset ${batch.offset}`);
        }
        for (const event of parsed.events) if (isStoredEvent(event)) events.push(event);
      }
      return events;
    } finally {
      await reader.close();
    }
  }

  private enqueue(text: string, batch?: { firstId: number; count: number }): Promise<EventBatch | undefined> {
    if (this.closed) return Promise.reject(new Error('Execution log is closed'));
    const done = new Promise<EventBatch | undefined>((resolve, reject) => {
      this.queue.push({
        text,
        bytes: Buffer.byteLength(text, 'utf8') + 1,
        ...(batch ? { batch } : {}),
        resolve,
        reject,
      });
    });
    if (!this.flushing) this.flushing = this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const lines = this.queue;
      this.queue = [];
      const start = this.size;
      try {
        await this.handle.appendFile(lines.map((line) => `${line.text}\n`).join(''), 'utf8');
        let offset = start;
        for (const line of lines) {
          line.resolve(line.batch ? { offset, length: line.bytes - 1, ...line.batch } : undefined);
          offset += line.bytes;
        }
        this.size = offset;
      } catch (error) {
        for (const line of lines) line.reject(error);
        await this.recoverFromPartialWrite();
      }
    }
    this.flushing = undefined;
  }

  /** After a failed write, part of it may be in the file: end that torn line and take the file's size again. */
  private async recoverFromPartialWrite(): Promise<void> {
    try {
      const { size } = await this.handle.stat();
      if (size > this.size) {
        await this.handle.appendFile('\n', 'utf8');
        this.size = size + 1;
      }
    } catch {
      // the next write reports the problem
    }
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.handle.close();
  }
}
