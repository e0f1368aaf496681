import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CODE_LIMIT, windowCheck } from '../core/case/link-limits.ts';
import type { CaseRecord, HistoryEvent, TaskRecord } from '../core/case/model.ts';
import {
  applySubstitutions,
  compileSop,
  FunctionPlaceholders,
  START_POSITION,
  type CompileOptions,
  type FunctionRole,
} from '../core/sop/compile-sop.ts';
import type { Activity, Sop } from '../core/sop/load-sop.ts';
import type { Automatic, Terminal } from '../core/sop/schema.ts';
import { DynamoDbCaseStore } from '../functions/adapters/dynamodb-case-store.ts';
import { SfnPort } from '../functions/adapters/sfn-port.ts';
import { tableDefinitions } from '../functions/adapters/tables.ts';
import { stateMachineName } from '../functions/config.ts';
import { nomorKey, SIGNED_NASKAH_KEY } from '../core/documents/document-actions.ts';
import { ensureTables, localDynamoClientConfig, startLocalDynamoDb } from '../local/dynamodb/local-dynamodb.ts';
import { FUNCTION_NAMES } from '../local/runtime.ts';
import { startLocalStepFunctions } from '../local/step-functions/local-step-functions.ts';
import { defaultChoice } from './act.ts';
import { countDynamoDbRequests, OUTSIDE_LAMBDA, type CallContext } from './ddb-counter.ts';
import { executionCosts, settleExecutions } from './executions.ts';
import { SCHEDULE_TABLE, type RunResult } from './figures.ts';
import { cpuMs, threadCpuMs } from './stats.ts';

const REGION = 'ap-southeast-3';
const ACCOUNT = '000000000000';

/**
 * What each no-op handler writes itself (through the product's DynamoDbCaseStore). The number of case-table writes
 * per call is not kept here: it is measured in the real run of the same bench (`caseWritesPerCall`, per Lambda role
 * and per activation outside any Lambda), and each no-op call adds history puts until its bucket has made as many
 * (rounded, carrying the remainder), so the baseline follows the product when its writes change.
 */
export const BASELINE_HANDLERS = {
  intake:
    'history put (email-terkirim: the confirmation email) + case put + history put (permohonan-diterima) + history put (email-terkirim)',
  enterStep: 'cursor update + history put (langkah-dimulai)',
  openTask:
    '[a wait that enters its activity: the cursor update first, its fact being the task] + task put holding its token (the fact of its opening) + [task ready: the email is stored here] + history put (email-terkirim)',
  decision:
    '[otp issue update + otp attempt update when the step needs a code] + task update (decide) + history put (tugas-diputuskan) + [case-data update when the step has caseData fields] + SendTaskSuccess + mark-reported update',
  automatic: 'history put (email-terkirim) + history put (otomatis-selesai)',
  document:
    '[case-data update for nomor and tandatangan] + history put (otomatis-selesai); no render, signature, S3, documents or register writes',
  finishCase: 'history put (kasus-berakhir) + [case end] + history put (email-terkirim) + case close update',
  caseData: 'none',
} as const;

/** Whether a decision on this activity needs a confirmation code (as TaskActions.open decides). */
const needsCode = (a: Activity) => a.kind !== 'biasa' && a.actor.kind === 'internal';
const hasCaseData = (a: Activity) => a.fields.some((f) => f.caseData);

const base32 = (bytes: Buffer) => [...bytes].map((b) => 'abcdefghijklmnopqrstuvwxyz234567'[b % 32]).join('');

export interface BaselineOptions {
  sop: Sop;
  compileOptions: CompileOptions;
  cases: number;
  /** Longest time for all cases (ms). */
  timeoutMs: number;
  log?: (line: string) => void;
  progressMs?: number;
  /** The definition the real runtime registered: the baseline refuses to run a different one. */
  expectedDefinition?: string;
  /**
   * Case-table writes per call measured in the real run: per invocation of each Lambda role, and per activation
   * outside any Lambda (`OUTSIDE_LAMBDA`). Without it the no-op handlers make only their own writes.
   */
  caseWritesPerCall?: Record<string, number>;
}

/**
 * The baseline: the same compiled ASL in the same local Step Functions implementation, with no-op Lambda
 * handlers that make the same DynamoDB writes (through the product's own DynamoDbCaseStore, so the items,
 * conditions and tables are those of the real run) and answer every wait at once with SendTaskSuccess through
 * the real @aws-sdk/client-sfn. No email, no HTTP pages, no S3, no reads; document steps write only what they leave
 * in the case tables (no rendering, no signature, no documents or register table).
 */
export async function runNoopBaseline(options: BaselineOptions): Promise<RunResult> {
  const { sop } = options;
  const dir = mkdtempSync(join(tmpdir(), 'sepakat-bench-baseline-'));
  const dynamodb = await startLocalDynamoDb({ dataDir: dir });
  const client = new DynamoDBClient(localDynamoClientConfig(dynamodb.endpoint, REGION));
  const names = { cases: 'sepakat-kasus', tasks: 'sepakat-tugas', history: 'sepakat-riwayat' };
  await ensureTables(client, tableDefinitions(names));
  const calls = new AsyncLocalStorage<CallContext>();
  const counter = countDynamoDbRequests(client, { context: () => calls.getStore(), caseTables: Object.values(names) });
  const store = new DynamoDbCaseStore(client, names);
  const targets = options.caseWritesPerCall ?? {};
  const invocations: Record<string, number> = {};
  /** Per bucket: writes owed to (positive) or made beyond (negative) the real run's, carried from call to call. */
  const owed: Record<string, number> = {};
  let fillers = 0;
  /**
   * Ends a call of `bucket`: adds history puts (to the call's case) until the bucket's writes reach the real run's
   * per call, rounding and carrying the remainder, so that over the run the counts match.
   */
  const pace = async (caseId: string, target: number) => {
    const call = calls.getStore();
    if (!call || options.caseWritesPerCall === undefined) return;
    owed[call.bucket] = (owed[call.bucket] ?? 0) + target - call.caseWrites;
    const n = Math.floor(owed[call.bucket]! + 0.5);
    if (n <= 0) return;
    owed[call.bucket]! -= n;
    for (let i = 0; i < n; i++)
      await store.appendHistory({
        caseId,
        eventKey: `isian#${++fillers}`,
        type: 'otomatis-selesai',
        at: new Date().toISOString(),
        detail: { isian: call.bucket },
      });
  };
  /** Runs one call of `bucket` and then its padding. */
  const inCall = <T>(bucket: string, caseId: string, target: number, work: () => Promise<T>): Promise<T> =>
    calls.run({ bucket, caseWrites: 0 }, async () => {
      const result = await work();
      await pace(caseId, target);
      return result;
    });

  const byName = new Map(Object.entries(FUNCTION_NAMES).map(([role, name]) => [name, role as FunctionRole]));
  // Bound below, once the state they use exists (as local/runtime.ts binds the real handlers late).
  const bound: { handlers?: Record<FunctionRole, (event: never) => Promise<unknown>> } = {};
  const sfn = await startLocalStepFunctions({
    dataDir: join(dir, 'step-functions'),
    region: REGION,
    accountId: ACCOUNT,
    retryIntervalMs: 200,
    // As local/runtime.ts invokes the real handlers: a JSON round trip each way.
    invokeLambda: async (functionName, payload) => {
      const role = byName.get(functionName.split(':').pop() ?? functionName);
      const handlers = bound.handlers;
      if (!role || !handlers)
        throw Object.assign(new Error(`Function not found: ${functionName}`), {
          name: 'Lambda.ResourceNotFoundException',
        });
      const result = await handlers[role](JSON.parse(JSON.stringify(payload)) as never);
      return JSON.parse(JSON.stringify(result ?? null));
    },
  });
  const substitutions = Object.fromEntries(
    Object.entries(FunctionPlaceholders).map(([role, placeholder]) => [
      placeholder,
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION_NAMES[role as FunctionRole]}`,
    ]),
  );
  const definition = applySubstitutions(compileSop(sop, options.compileOptions), substitutions);
  if (options.expectedDefinition !== undefined && options.expectedDefinition !== definition) {
    await sfn.close();
    await dynamodb.close();
    client.destroy();
    rmSync(dir, { recursive: true, force: true });
    throw new Error('baseline: the compiled ASL differs from the one the real runtime registered');
  }
  const stateMachineArn = sfn.registerStateMachine(stateMachineName(sop.key), definition);
  const sfnClient = new SFNClient({
    region: REGION,
    credentials: { accessKeyId: 'local-development', secretAccessKey: 'local-development' },
    endpoint: sfn.endpoint,
    disableHostPrefix: true,
  });
  const port = new SfnPort(sfnClient);

  interface CaseState {
    caseId: string;
    startedAt: number;
    visits: Record<string, number>;
    /** Per activation, in order: when its task was ready, and when its answer was done. */
    readyAt: number[];
    answeredAt: number[];
    done: (endAt: number) => void;
    failed: (error: unknown) => void;
  }
  const cases = new Map<string, CaseState>();
  const state = (caseId: string) => {
    const found = cases.get(caseId);
    if (!found) throw new Error(`kasus ${caseId} tidak dikenal`);
    return found;
  };
  const activity = (node: string) => sop.node(node) as Activity;
  const now = () => new Date().toISOString();
  const person = { id: 'pejabat-uji', nama: 'Pejabat Uji', jabatan: 'Jabatan Uji', email: 'pejabat-uji@pemda.test' };
  const history = (e: HistoryEvent) => store.appendHistory(e);
  const key = (seq: number, fact: string) => `${String(seq).padStart(5, '0')}#${fact}`;
  const taskIdOf = (caseId: string, seq: number) => `${caseId}-${seq}`.slice(-22).padStart(22, 'x');
  const errors: string[] = [];
  const out = {
    stepOverheadMs: [] as number[],
    caseMs: [] as number[],
    firstTaskMs: [] as number[],
    finishMs: [] as number[],
    activationsPerCase: [] as number[],
  };

  /** The scripted official, at once: the writes of a decision, SendTaskSuccess, then mark-reported. */
  const answer = (c: CaseState, index: number, node: string, seq: number, taskId: string, token: string) =>
    inCall(OUTSIDE_LAMBDA, c.caseId, targets[OUTSIDE_LAMBDA] ?? 0, () => answerNow(c, index, node, seq, taskId, token));
  const answerNow = async (c: CaseState, index: number, node: string, seq: number, taskId: string, token: string) => {
    const a = activity(node);
    const choice = defaultChoice(a.choices.map((ch) => ch.value));
    if (needsCode(a)) {
      // The code request (POST …/kode) and the attempt the decision spends before comparing it.
      const expiresAt = new Date(Date.now() + 10 * 60_000).toISOString();
      if (
        !(await store.issueOtp(
          taskId,
          { hash: randomBytes(32).toString('base64url'), expiresAt },
          windowCheck(CODE_LIMIT, new Date()),
        ))
      )
        throw new Error(`issueOtp ${taskId} gagal`);
      if (!(await store.spendOtpAttempt(taskId, 5, now()))) throw new Error(`spendOtpAttempt ${taskId} gagal`);
    }
    const decision = {
      choice,
      values: {},
      files: [],
      at: now(),
      by: person,
      submissionId: randomBytes(12).toString('base64url'),
    };
    if (!(await store.decide(taskId, 1, decision))) throw new Error(`decide ${taskId} gagal`);
    await history({
      caseId: c.caseId,
      eventKey: key(seq, 'diputuskan'),
      type: 'tugas-diputuskan',
      at: decision.at,
      node,
      stepId: a.stepId,
      seq,
      who: person,
      choice,
      files: [],
      detail: { values: {} },
    });
    if (hasCaseData(a))
      await store.setCaseData(
        c.caseId,
        Object.fromEntries(a.fields.filter((f) => f.caseData).map((f) => [f.id, `nilai ${f.id}`])),
      );
    if ((await port.sendTaskSuccess(token, JSON.stringify({ choice, seq }))) !== 'ok')
      throw new Error(`SendTaskSuccess ${taskId} gagal`);
    await store.markReported(taskId, now());
    c.answeredAt[index] = Date.now();
  };

  /**
   * What the real Masuk writes: the cursor (one conditional update) and its fact. A wait that enters its activity
   * writes the cursor only: the task it creates is the fact of the entry (core/case/task-facts.ts).
   */
  const enter = async (event: { caseId: string; node: string; after: number }, entryByTask = false) => {
    const c = state(event.caseId);
    const a = activity(event.node);
    const seq = event.after + 1;
    const visit = (c.visits[event.node] ?? 0) + 1;
    c.visits = { ...c.visits, [event.node]: visit };
    const cursor = { node: event.node, stepId: a.stepId, seq, visit, enteredAt: now() };
    if (!(await store.moveCursor(event.caseId, event.after, cursor, c.visits)))
      throw new Error(`moveCursor ${event.caseId} gagal`);
    if (!entryByTask)
      await history({
        caseId: event.caseId,
        eventKey: key(seq, 'masuk'),
        type: 'langkah-dimulai',
        at: cursor.enteredAt,
        node: event.node,
        stepId: a.stepId,
        seq,
        visit,
      });
    return { seq };
  };

  bound.handlers = {
    enterStep: enter,
    openTask: async (
      opening: { caseId: string; node: string; taskToken: string; executionArn: string } & (
        { seq: number } | { after: number }
      ),
    ) => {
      // A wait that enters its activity enters it first, as the real one does.
      const event = { ...opening, seq: 'seq' in opening ? opening.seq : (await enter(opening, true)).seq };
      const c = state(event.caseId);
      const a = activity(event.node);
      const taskId = taskIdOf(event.caseId, event.seq);
      const opened = new Date();
      const task: TaskRecord = {
        taskId,
        caseId: event.caseId,
        seq: event.seq,
        node: event.node,
        stepId: a.stepId,
        visit: c.visits[event.node] ?? 1,
        actorId: a.actor.id,
        person,
        openedAt: opened.toISOString(),
        dueAt: opened.toISOString(),
        overdueAt: opened.toISOString(),
        dueProvisional: false,
        state: 'open',
        linkVersion: 1,
        linkExpiresAt: new Date(opened.getTime() + 7 * 24 * 3600_000).toISOString(),
        // Created holding its token, as the real one is.
        taskToken: event.taskToken,
        executionArn: event.executionArn,
      };
      // The task record is the fact of its opening, as the real one is: no tugas-dibuka put.
      await store.createTask(task);
      // The point where the real handler's email is stored: the task is ready for its person.
      const index = c.readyAt.push(Date.now()) - 1;
      void answer(c, index, event.node, event.seq, taskId, event.taskToken).catch((error: unknown) => c.failed(error));
      await history({
        caseId: event.caseId,
        eventKey: key(event.seq, 'email#tugas'),
        type: 'email-terkirim',
        at: now(),
        detail: {
          to: [person.email],
          subject: `Tugas baru: ${event.node}`,
          template: 'tugas-baru',
          messageId: `<${taskId}@sepakat.test>`,
        },
      });
      return { waiting: true };
    },
    automatic: async (event: {
      caseId: string;
      node: string;
      seq: number;
      phase: string;
      choice?: string;
      index: number;
    }) => {
      const a = activity(event.node);
      const k = key(event.seq, `otomatis#${event.phase}#${event.choice ?? '-'}#${event.index}`);
      await history({
        caseId: event.caseId,
        eventKey: `${k}#email`,
        type: 'email-terkirim',
        at: now(),
        detail: {
          to: ['pemohon@mitra.test'],
          subject: 'Pemberitahuan',
          template: 'pemberitahuan',
          messageId: `<${k}@sepakat.test>`,
        },
      });
      await history({
        caseId: event.caseId,
        eventKey: k,
        type: 'otomatis-selesai',
        at: now(),
        node: event.node,
        stepId: a.stepId,
        seq: event.seq,
        detail: { action: 'notify', ...(event.choice ? { choice: event.choice } : {}) },
      });
      return { done: true };
    },
    /**
     * Document work without the documents: only what the real worker and runAutomatic write to the case tables (the
     * case data a number or a signature leaves, then the otomatis-selesai fact). The rendering, the signature, S3 and
     * the documents and register tables are the document work the baseline leaves out by design.
     */
    document: async (event: {
      caseId: string;
      node: string;
      seq: number;
      phase: 'before' | 'choice';
      choice?: string;
      index: number;
    }) => {
      const a = activity(event.node);
      const list: readonly Automatic[] =
        event.phase === 'before' ? a.before : (a.choices.find((ch) => ch.value === event.choice)?.automatic ?? []);
      const auto = list[event.index];
      if (!auto)
        throw new Error(`kerja otomatis ${event.phase}/${event.choice}/${event.index} tidak ada di ${event.node}`);
      const k = key(event.seq, `otomatis#${event.phase}#${event.choice ?? '-'}#${event.index}`);
      if (auto.action === 'nomor')
        await store.setCaseData(event.caseId, { [nomorKey(auto.untuk)]: `${auto.seri}/${event.caseId}` });
      else if (auto.action === 'tandatangan')
        await store.setCaseData(event.caseId, {
          [SIGNED_NASKAH_KEY]: `dok-${event.caseId}-${event.seq}`,
          'naskah-tanggal': now().slice(0, 10),
        });
      await history({
        caseId: event.caseId,
        eventKey: k,
        type: 'otomatis-selesai',
        at: now(),
        node: event.node,
        stepId: a.stepId,
        seq: event.seq,
        detail: { action: auto.action, ...(event.choice ? { choice: event.choice } : {}) },
      });
      return { done: true };
    },
    caseData: async () => ({ value: null }),
    finishCase: async (event: { caseId: string; outcome: Terminal; after: number }) => {
      const c = state(event.caseId);
      const closedAt = now();
      await history({
        caseId: event.caseId,
        eventKey: 'akhir',
        type: 'kasus-berakhir',
        at: closedAt,
        detail: { outcome: event.outcome },
      });
      // The point where the real handler's end email is stored.
      c.done(Date.now());
      await history({
        caseId: event.caseId,
        eventKey: 'akhir#email',
        type: 'email-terkirim',
        at: now(),
        detail: {
          to: ['pemohon@mitra.test'],
          subject: 'Permohonan selesai',
          template: 'kasus-berakhir',
          messageId: `<akhir-${event.caseId}@sepakat.test>`,
        },
      });
      await store.closeCase(event.caseId, event.outcome, closedAt);
      return { status: event.outcome };
    },
    continueCase: async () => ({ continued: false }),
  } as unknown as typeof bound.handlers;
  bound.handlers = Object.fromEntries(
    Object.entries(bound.handlers!).map(([role, handler]) => [
      role,
      (event: { caseId: string }) => {
        invocations[role] = (invocations[role] ?? 0) + 1;
        return inCall(role, event.caseId, targets[role] ?? 0, () => handler(event as never));
      },
    ]),
  ) as unknown as typeof bound.handlers;

  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const thread0 = threadCpuMs();
  const firstStart = Date.now();
  let lastEnd = firstStart;
  let completed = 0;
  const progress = options.progressMs
    ? setInterval(() => options.log?.(`  baseline: ${completed}/${options.cases} kasus selesai`), options.progressMs)
    : undefined;
  progress?.unref();

  const runCase = async (i: number) => {
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    const caseId = `${day}-${base32(randomBytes(10))}`;
    let done!: (endAt: number) => void;
    let failed!: (error: unknown) => void;
    const finished = new Promise<number>((resolve, reject) => {
      done = resolve;
      failed = reject;
    });
    const c: CaseState = { caseId, startedAt: Date.now(), visits: {}, readyAt: [], answeredAt: [], done, failed };
    cases.set(caseId, c);
    const record: CaseRecord = {
      caseId,
      intakeId: caseId,
      sopId: sop.definition.id,
      sopVersion: sop.definition.version,
      sopKey: sop.key,
      pemdaId: sop.definition.pemda,
      perihal: `Kesepakatan Bersama penyelenggaraan pemerintahan ${i + 1}`,
      pemohon: {
        nama: `Pemohon Uji ${i + 1}`,
        email: `pemohon-${i + 1}@mitra.test`,
        instansi: `Pemerintah Kabupaten Mitra ${i + 1}`,
      },
      status: 'aktif',
      createdAt: now(),
      data: {
        'pihak-mitra': `Kabupaten Mitra ${i + 1}`,
        'jenis-kerja-sama': 'KSDD',
        perihal: 'Penyelenggaraan pemerintahan',
        instansiPemohon: `Pemerintah Kabupaten Mitra ${i + 1}`,
      },
      files: [],
      cursor: null,
      visits: {},
    };
    // The intake's writes count with those outside any Lambda (no padding of its own: the answers' per-activation
    // figure includes the intake's share).
    await inCall(OUTSIDE_LAMBDA, caseId, 0, async () => {
      // The contact's confirmation email (a contact who is not signed in confirms the address first; core/case/intake.ts).
      await history({
        caseId: `konfirmasi-${caseId}`,
        eventKey: 'konfirmasi#email',
        type: 'email-terkirim',
        at: now(),
        detail: {
          to: [record.pemohon.email],
          subject: 'Konfirmasi permohonan',
          template: 'permohonan-konfirmasi',
          messageId: `<k-${caseId}@sepakat.test>`,
        },
      });
      await store.createCase(record);
      await history({
        caseId,
        eventKey: 'permohonan',
        type: 'permohonan-diterima',
        at: record.createdAt,
        files: [],
        detail: { sopKey: sop.key, pemohon: record.pemohon },
      });
      await history({
        caseId,
        eventKey: 'permohonan#email',
        type: 'email-terkirim',
        at: now(),
        detail: {
          to: [record.pemohon.email],
          subject: 'Permohonan diterima',
          template: 'permohonan-diterima',
          messageId: `<p-${caseId}@sepakat.test>`,
        },
      });
    });
    await port.startExecution({
      stateMachineArn,
      name: `permohonan-${caseId}`,
      input: JSON.stringify({ caseId, position: { node: START_POSITION, seq: 0 } }),
    });
    let timer: NodeJS.Timeout | undefined;
    const endAt = await Promise.race([
      finished,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`baseline: kasus ${caseId} tidak selesai setelah ${c.answeredAt.length} aktivasi`)),
          options.timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    completed++;
    lastEnd = Math.max(lastEnd, endAt);
    // The finishing write may return before the last answer's mark-reported write: wait for it.
    for (
      let waited = 0;
      c.answeredAt.filter((t) => t !== undefined).length < c.readyAt.length && waited < 5000;
      waited += 5
    )
      await new Promise((r) => setTimeout(r, 5));
    out.caseMs.push(endAt - c.startedAt);
    const n = c.readyAt.length;
    if (n) out.firstTaskMs.push(c.readyAt[0]! - c.startedAt);
    for (let k = 1; k < n; k++) out.stepOverheadMs.push(c.readyAt[k]! - c.answeredAt[k - 1]!);
    if (n) out.finishMs.push(endAt - c.answeredAt[n - 1]!);
    out.activationsPerCase.push(n);
  };

  try {
    await Promise.all(
      Array.from({ length: options.cases }, (_, i) =>
        runCase(i).catch((error: unknown) => {
          errors.push(error instanceof Error ? error.message : String(error));
        }),
      ),
    );
  } finally {
    if (progress) clearInterval(progress);
  }
  const elu = performance.eventLoopUtilization(elu0);
  const thread1 = threadCpuMs();
  const cpu = cpuMs(cpu0);
  const executions = await settleExecutions(sfnClient, stateMachineArn);
  const aws = await executionCosts(sfnClient, stateMachineArn);
  if (executions.FAILED || executions.RUNNING) errors.push(`eksekusi: ${JSON.stringify(executions)}`);
  const dynamodbCounts = counter.counts();
  await sfn.close();
  await dynamodb.close();
  client.destroy();
  sfnClient.destroy();
  rmSync(dir, { recursive: true, force: true });
  return {
    label: 'baseline (no-op handlers)',
    cases: options.cases,
    completed,
    errors,
    activationsPerCase: out.activationsPerCase,
    wallMs: lastEnd - firstStart,
    stepOverheadMs: out.stepOverheadMs,
    caseMs: out.caseMs,
    firstTaskMs: out.firstTaskMs,
    finishMs: out.finishMs,
    actMs: [],
    pickupMs: [],
    dynamodb: dynamodbCounts,
    // The document tables are the real run's names: the baseline has none (it writes no documents).
    // The schedule (reminders of each opened task) is counted with them: work the baseline does not mirror.
    tables: { case: Object.values(names), document: ['sepakat-dokumen', 'sepakat-register', SCHEDULE_TABLE] },
    serviceThreadElu: elu.utilization,
    serviceThreadActiveMs: elu.active,
    ...(thread0 !== undefined && thread1 !== undefined ? { serviceThreadCpuMs: thread1 - thread0 } : {}),
    aws,
    invocations,
    cpuMs: cpu,
    extra: { executions, aslIdenticalToRealRun: options.expectedDefinition === definition },
  };
}
