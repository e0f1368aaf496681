import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { samplePdf, submitPermohonan, taskLinks } from '../cli/drive.ts';
import { actOnLinkIncremental, defaultChoice } from './act.ts';
import { MailboxWatcher, MailDispatcher } from './mailbox.ts';

/**
 * The scripted people of the concurrent-cases benchmark: N pemohon submit through the intake API and presigned
 * uploads, then scripted officials act on every emailed task link (GET, uploads, code, POST), choosing the first
 * forward choice (cli/drive.ts's default script). One incremental mailbox reader feeds every case's driver.
 *
 * Runs in a worker thread: the people and their browsers are not the system under test, so their work should
 * not queue on the event loop that runs the services and the handlers.
 */
export interface ActorsInput {
  dataDir: string;
  webUrl: string;
  sopId: string;
  cases: number;
  /** Longest wait for any one email (ms). */
  waitMs: number;
  /** Progress lines every this many ms (0: none). */
  progressMs: number;
}

export interface ActorsOutput {
  completed: number;
  errors: string[];
  activationsPerCase: number[];
  firstStart: number;
  lastEnd: number;
  stepOverheadMs: number[];
  caseMs: number[];
  firstTaskMs: number[];
  finishMs: number[];
  actMs: number[];
  pickupMs: number[];
  /** Negative overheads seen (the next email stored before the POST returned); kept in the figures. */
  negativeOverheads: number;
  requests: number;
  mail: {
    total: number;
    tasks: number;
    codes: number;
    ends: number;
    other: number;
    filesRead: number;
    listings: number;
  };
  actorThreadElu: number;
  outcomes: Record<string, number>;
}

export async function runActors(input: ActorsInput, progress: (line: string) => void): Promise<ActorsOutput> {
  const dispatcher = new MailDispatcher((mail) => taskLinks(mail)[0]);
  const watcher = new MailboxWatcher(input.dataDir, dispatcher.deliver, { rescanMs: 500 });
  await watcher.start();
  const elu0 = performance.eventLoopUtilization();

  const out: ActorsOutput = {
    completed: 0,
    errors: [],
    activationsPerCase: [],
    firstStart: Number.POSITIVE_INFINITY,
    lastEnd: 0,
    stepOverheadMs: [],
    caseMs: [],
    firstTaskMs: [],
    finishMs: [],
    actMs: [],
    pickupMs: [],
    negativeOverheads: 0,
    requests: 0,
    mail: { total: 0, tasks: 0, codes: 0, ends: 0, other: 0, filesRead: 0, listings: 0 },
    actorThreadElu: 0,
    outcomes: {},
  };
  let activations = 0;
  const timer =
    input.progressMs > 0
      ? setInterval(
          () =>
            progress(
              `  nyata: ${out.completed}/${input.cases} kasus selesai, ${activations} aktivasi, ${dispatcher.counts.total} email`,
            ),
          input.progressMs,
        )
      : undefined;
  timer?.unref();

  const one = async (i: number) => {
    const startedAt = Date.now();
    out.firstStart = Math.min(out.firstStart, startedAt);
    const pemohon = {
      nama: `Pemohon Uji ${i + 1}`,
      email: `pemohon-${i + 1}@mitra.test`,
      instansi: `Pemerintah Kabupaten Mitra ${i + 1}`,
    };
    const { intakeId: caseId, requests: intakeRequests } = await submitPermohonan(
      { urls: { web: input.webUrl }, dataDir: input.dataDir },
      {
        sopId: input.sopId,
        perihal: `Kesepakatan Bersama penyelenggaraan pemerintahan ${i + 1}`,
        pemohon,
        data: {
          'pihak-mitra': `Kabupaten Mitra ${i + 1}`,
          perihal: 'Penyelenggaraan pemerintahan',
          'jenis-kerja-sama': 'KSDD',
        },
        files: [{ slot: 'surat-permohonan', name: 'surat.pdf', bytes: samplePdf('Surat permohonan') }],
      },
    );
    out.requests += intakeRequests;
    const flow = dispatcher.flow(caseId);
    let lastPostAt: number | undefined;
    let acted = 0;
    const overheads: number[] = [];
    for (;;) {
      const mail = await flow.next(input.waitMs, () => `kasus ${caseId} setelah ${acted} aktivasi`);
      if (mail.kind === 'end') {
        out.completed++;
        out.outcomes[mail.outcome] = (out.outcomes[mail.outcome] ?? 0) + 1;
        out.lastEnd = Math.max(out.lastEnd, mail.event.storedAt);
        out.caseMs.push(mail.event.storedAt - startedAt);
        if (lastPostAt !== undefined) out.finishMs.push(mail.event.storedAt - lastPostAt);
        out.activationsPerCase.push(acted);
        out.stepOverheadMs.push(...overheads);
        return;
      }
      if (lastPostAt === undefined) out.firstTaskMs.push(mail.event.storedAt - startedAt);
      else {
        const overhead = mail.event.storedAt - lastPostAt;
        if (overhead < 0) out.negativeOverheads++;
        overheads.push(overhead);
      }
      const getAt = Date.now();
      out.pickupMs.push(getAt - mail.event.storedAt);
      const result = await actOnLinkIncremental(
        mail.link,
        (form) => ({ pilihan: defaultChoice(form.choices) }),
        async () => (await dispatcher.codes(caseId).next(input.waitMs, () => `kode untuk ${caseId} ${mail.node}`)).code,
        input.dataDir,
      );
      out.requests += result.requests;
      if (result.status !== 200)
        throw new Error(
          `${caseId} ${mail.node}: HTTP ${result.status} ${result.html
            .replace(/<[^>]+>/g, ' ')
            .replace(/\s+/g, ' ')
            .slice(0, 300)}`,
        );
      lastPostAt = Date.now();
      out.actMs.push(lastPostAt - getAt);
      acted++;
      activations++;
    }
  };

  await Promise.all(
    Array.from({ length: input.cases }, (_, i) =>
      one(i).catch((error: unknown) => {
        out.errors.push(error instanceof Error ? error.message : String(error));
      }),
    ),
  );
  if (timer) clearInterval(timer);
  out.actorThreadElu = performance.eventLoopUtilization(elu0).utilization;
  await watcher.stop();
  out.mail = { ...dispatcher.counts, filesRead: watcher.counters.filesRead, listings: watcher.counters.listings };
  return out;
}

if (!isMainThread && (workerData as { role?: string } | undefined)?.role === 'sepakat-bench-actors') {
  const port = parentPort!;
  const input = (workerData as { input: ActorsInput }).input;
  runActors(input, (line) => port.postMessage({ type: 'progress', line })).then(
    (output) => port.postMessage({ type: 'done', output }),
    (error: unknown) =>
      port.postMessage({
        type: 'failed',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
}
