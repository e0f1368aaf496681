import { mkdir, open, readFile } from 'node:fs/promises';
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

export const EXECUTIONS_FILE = 'executions.jsonl';

/**
 * Append-only JSON-lines log of execution records: one full snapshot per change, the last line per ARN
 * wins on load. Appends are batched (one write per burst) and strictly ordered, so a terminal record is
 * never written before the RUNNING record of the same execution.
 */
export class ExecutionLog {
  private queue: string[] = [];
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly file: string,
  ) {}

  /** Creates `dataDir` if missing, reads every record already there and opens the log for appending. */
  static async open(dataDir: string): Promise<{ log: ExecutionLog; records: Map<string, ExecutionRecord> }> {
    await mkdir(dataDir, { recursive: true });
    const file = path.join(dataDir, EXECUTIONS_FILE);
    const records = new Map<string, ExecutionRecord>();
    let endsWithNewline = true;
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text.length > 0) {
      endsWithNewline = text.endsWith('\n');
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue; // a line torn by a crash mid-write: skip it
        }
        const result = ExecutionRecordSchema.safeParse(parsed);
        if (!result.success) continue;
        // Re-insert so that Map iteration order follows the latest change.
        records.delete(result.data.executionArn);
        records.set(result.data.executionArn, result.data);
      }
    }
    const handle = await open(file, 'a');
    if (!endsWithNewline) {
      // Terminate a torn last line so the next record starts on a line of its own.
      await handle.appendFile('\n', 'utf8');
    }
    return { log: new ExecutionLog(handle, file), records };
  }

  /** Appends a snapshot; resolves once it is written to the file. */
  append(record: ExecutionRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error('Execution log is closed'));
    this.queue.push(`${JSON.stringify(record)}\n`);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.flushing) this.flushing = this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const lines = this.queue;
      const waiters = this.waiters;
      this.queue = [];
      this.waiters = [];
      try {
        await this.handle.appendFile(lines.join(''), 'utf8');
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.flushing = undefined;
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.handle.close();
  }
}
