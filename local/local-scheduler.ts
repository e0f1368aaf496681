import type { Job } from '../core/case/jobs.ts';
import type { Clock } from '../core/case/model.ts';
import type { DynamoDbScheduler, RunDueReport } from '../functions/adapters/dynamodb-scheduler.ts';

/**
 * The loop of the durable local scheduler: what EventBridge Scheduler does in AWS. At start, claims left by a
 * process that died are released and everything that fell due while the runtime was down fires; then every
 * `intervalMs` what has come due fires, through the same handler AWS invokes. Ticks of the loop never overlap;
 * `runDue` may be called at any time besides (tests drive the clock and call it directly).
 */
export interface LocalScheduler {
  /** Fires what is due at `now` (default: the runtime's clock), each item once. */
  runDue(now?: Date): Promise<RunDueReport>;
  /** Stops the loop and waits for a tick in progress. */
  stop(): Promise<void>;
}

export async function startLocalScheduler(options: {
  schedule: DynamoDbScheduler;
  run: (job: Job) => Promise<unknown>;
  clock: Clock;
  /** 0: no loop (only explicit runDue calls). */
  intervalMs: number;
  log: (line: string) => void;
}): Promise<LocalScheduler> {
  const { schedule, clock, log } = options;
  const released = await schedule.releaseAbandonedClaims();
  if (released) log(`jadwal: ${released} pekerjaan yang terputus saat dijalankan akan dijalankan lagi`);

  const runDue = async (now: Date = clock.now()) => {
    const report = await schedule.runDue(now, options.run);
    for (const f of report.failed)
      log(`jadwal ${f.key} gagal${f.final ? ' (dihentikan setelah beberapa percobaan)' : ''}: ${f.error}`);
    return report;
  };

  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    current = runDue()
      .catch((error: unknown) => log(`jadwal: ${String(error)}`))
      .finally(() => {
        // unref: the loop alone never keeps the process alive (the servers do while the runtime runs).
        if (!stopped) timer = setTimeout(tick, options.intervalMs).unref();
      });
  };
  if (options.intervalMs > 0) tick();

  return {
    runDue,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
