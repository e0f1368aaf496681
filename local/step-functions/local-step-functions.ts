/**
 * A local AWS Step Functions service: the real Step Functions HTTP API (AWS JSON 1.0,
 * `X-Amz-Target: AWSStepFunctions.<Operation>`) on 127.0.0.1, executing state machines with
 * aws-local-stepfunctions, so that the unmodified `@aws-sdk/client-sfn` works against it
 * (`endpoint`, `disableHostPrefix: true`, any credentials: signatures are not checked).
 *
 * - Task states run locally: `arn:aws:states:::lambda:invoke`, `…:lambda:invoke.waitForTaskToken` and plain
 *   Lambda ARNs call `invokeLambda`; the callback pattern is emulated with task tokens minted here and
 *   resolved by SendTaskSuccess / SendTaskFailure.
 * - Execution records are appended to `<dataDir>/executions.jsonl`; on start-up, executions recorded RUNNING
 *   (the process died or was closed) become ABORTED, and execution names stay unique across restarts.
 * - Every history event (ExecutionStarted, <Type>StateEntered/Exited, TaskScheduled/Started/Submitted/Succeeded/
 *   Failed/TimedOut, LambdaFunction… for plain Lambda ARNs, Execution<Outcome>) is recorded in order, written to
 *   the same log in batches (at most HISTORY_FLUSH_MS after it happened, and with the terminal record) and served
 *   by GetExecutionHistory with paging and reverseOrder, after the execution finished and across restarts, as
 *   AWS keeps it for 90 days: finished executions older than that are dropped at start. A running execution's
 *   events are in memory; a finished one's are read back from the log. Payloads in events are cut at 256 KB
 *   (`truncated: true`), and task tokens never enter the history.
 */
import './polyfills.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { RunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';
import { ExecutionLog, ExecutionStatuses } from './execution-store.ts';
import type { EventBatch, ExecutionRecord, ExecutionStatus, StoredHistoryEvent } from './execution-store.ts';
import { withResolvers } from './polyfills.ts';
import { evaluateReferencePath } from './reference-path.ts';
import { log as processLog } from '../../functions/observability/log.ts';

export interface LocalStepFunctionsOptions {
  /** Execution records persist here (executions.jsonl, append-only); created if missing. */
  dataDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 'ap-southeast-3' (Jakarta). */
  region?: string;
  /** Default '000000000000'. */
  accountId?: string;
  /** Invokes a Lambda function by name or ARN with a payload; resolves with its result, rejects with an Error whose `name` is the Lambda errorType. */
  invokeLambda: (functionName: string, payload: unknown) => Promise<unknown>;
  onEvent?: (event: LocalStepFunctionsEvent) => void;
  /**
   * Local-only speed-up: when set, every Retry waits this many milliseconds instead of the interval
   * computed from IntervalSeconds/BackoffRate/MaxDelaySeconds (MaxAttempts still applies). Default: as defined.
   */
  retryIntervalMs?: number;
}

export interface LocalStepFunctionsEvent {
  executionArn: string;
  /**
   * 'ExecutionStarted' | 'ExecutionSucceeded' | 'ExecutionFailed' | 'ExecutionAborted' | 'ExecutionTimedOut'
   * (status changes), 'TaskTokenIssued', or an aws-local-stepfunctions event type ('StateEntered',
   * 'StateExited', 'StateFailed', 'StateRetried', 'StateCaught', 'MapIteration…', 'ParallelBranch…').
   */
  type: string;
  state?: string;
  /** epoch milliseconds */
  at: number;
  error?: string;
}

export interface LocalStepFunctions {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  /** Registers (or replaces) a state machine from an ASL JSON string whose ${...} definitionSubstitutions were already applied. Returns its ARN. */
  registerStateMachine(name: string, definition: string): string;
  /** Stops running executions (abort, left RUNNING on disk so the next start marks them ABORTED) and the server. */
  close(): Promise<void>;
}

/** The cause recorded on executions that were RUNNING when the previous runtime stopped. */
export const RESTART_CAUSE = 'Runtime lokal dimulai ulang';

/** Longest delay Node's timers can express (2^31-1 ms, about 24.8 days); longer ones fire at once. */
const MAX_TIMER_SECONDS = 2_147_483;
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;
// AWS: no whitespace, brackets, wildcards, special or control characters.
// eslint-disable-next-line no-control-regex
const STATE_MACHINE_NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43,1024}$/;
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:execution:[^:]+:[^:]+$/;
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:lambda:invoke$/;
const LAMBDA_INVOKE_WAIT = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:lambda:invoke\.waitForTaskToken$/;
const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:.+$/;
const MAX_INPUT_BYTES = 262_144;
/** Parameters key that carries a TimeoutSecondsPath value past the Parameters step (see prepareDefinition). */
const TIMEOUT_KEY = '__sepakatLocalTimeoutSeconds';
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** Step Functions' limit of events in one execution's history. */
const MAX_HISTORY_EVENTS = 25_000;
/** Step Functions keeps at most 256 KB of a payload (input, output, parameters) in a history event. */
const MAX_PAYLOAD_BYTES = 262_144;
/** New history events are written in one batch per execution at most this long after they happened. */
const HISTORY_FLUSH_MS = 100;
/** How long a finished execution's terminal record waits for the last events of the library's event stream. */
const DRAIN_TIMEOUT_MS = 2_000;
/** Stands for a task token in the parameters kept in the history: tokens never reach the log. */
const HISTORY_TOKEN_MARK = '[task token]';
const MAX_REMEMBERED_CLOSED_TOKENS = 200_000;
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type RunHandle = ReturnType<StateMachine['run']>;
type LibraryEvent = RunHandle['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

interface TaskStateInfo {
  name: string;
  resource: string;
  kind: 'invoke' | 'waitForTaskToken' | 'lambdaFunction' | 'unsupported';
  timeoutSeconds?: number;
  timeoutSecondsPath?: string;
  /** Set when TimeoutSecondsPath was moved into Parameters (see prepareDefinition): strip it from the input. */
  injectedTimeoutKey?: string;
}

interface MachineEntry {
  arn: string;
  name: string;
  /** The definition as registered (returned by DescribeStateMachine). */
  definition: string;
  roleArn: string;
  creationDate: number;
  machine: StateMachine;
  tasks: Map<string, TaskStateInfo>;
  retryableStates: string[];
}

interface HistoryEventBody {
  /** epoch milliseconds */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/**
 * One run of a Task state's resource (the first try or a retry). The handler is called in the same tick as the
 * library dispatches the state's StateEntered (or StateRetried) event, while the recorder reads the library's
 * events a few microtasks later: the attempt waits in `unanchored` until the recorder reaches that event and
 * records TaskScheduled and TaskStarted after it, so the history keeps the order in which things happened.
 */
interface TaskAttempt {
  task: TaskStateInfo;
  at: number;
  /** the effective Parameters (JSON), task token replaced by HISTORY_TOKEN_MARK */
  parameters: string;
  timeoutSeconds?: number;
  /** TaskScheduled and TaskStarted are recorded */
  anchored: boolean;
  /** the recorder closed the attempt (succeeded, failed or timed out) */
  ended: boolean;
  /** TaskSubmitted, when the notifying Lambda answered before the attempt was anchored */
  submitted?: HistoryEventBody;
  /** the task's result, set when it resolved */
  result?: { output: unknown };
}

interface ExecutionHistory {
  /** Every event, while the execution runs and until its last batch is on disk; then read back from the log. */
  events: StoredHistoryEvent[] | undefined;
  /** events[0 … flushed - 1] are queued to or on disk */
  flushed: number;
  /** where the events on disk are, in id order */
  batches: EventBatch[];
  lastId: number;
  /** the terminal event is recorded: nothing follows it */
  sealed: boolean;
  /** a batch could not be written: keep the events in memory */
  writeFailed: boolean;
  /** resolves when the library's event stream of the run has ended (and was recorded) */
  drained: Promise<void>;
  /** set when the execution finished: resolves once its terminal event is recorded and written (never rejects) */
  sealing?: Promise<void>;
  unanchored: Map<string, TaskAttempt[]>;
  current: Map<string, TaskAttempt>;
}

interface ExecutionEntry {
  record: ExecutionRecord;
  persisted: Promise<void>;
  machine?: MachineEntry;
  run?: RunHandle;
  context?: Record<string, unknown>;
  history: ExecutionHistory;
  tokens: Set<string>;
}

interface PendingTask {
  token: string;
  executionArn: string;
  stateName: string;
  resolve: (value: Json) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/** An error answered to the client as `{ "__type": code, "message": … }`. */
class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * An error that stops a task for good: aws-local-stepfunctions reads `isRetryable`/`isCatchable`
 * (defaulting to true), so neither Retry nor Catch (not even States.ALL) will pick it up.
 */
function haltError(name: string, message: string): Error {
  const error = new Error(message) as Error & { isRetryable: boolean; isCatchable: boolean };
  error.name = name;
  error.isRetryable = false;
  error.isCatchable = false;
  return error;
}

/** A task failure as Step Functions sees it: `name` is the error (matched by Retry/Catch), `message` the cause. */
function taskError(error: unknown): Error {
  if (error instanceof Error) {
    const normalised = new Error(error.message);
    normalised.name = error.name || 'Error';
    return normalised;
  }
  const normalised = new Error(typeof error === 'string' ? error : safeStringify(error));
  normalised.name = 'Lambda.Unknown';
  return normalised;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function toJson(value: unknown): Json {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as Json;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function replaceToken(value: unknown, placeholder: string, token: string): unknown {
  if (typeof value === 'string') return value.includes(placeholder) ? value.split(placeholder).join(token) : value;
  if (Array.isArray(value)) return value.map((item) => replaceToken(item, placeholder, token));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = replaceToken(item, placeholder, token);
    return out;
  }
  return value;
}

function epochSeconds(ms: number): number {
  return ms / 1000;
}

function canonicalJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : safeStringify(value ?? null);
}

/** A value as history events carry it: JSON text (a string output is `"…"`). */
function jsonOf(value: unknown): string {
  return safeStringify(value ?? null);
}

/** A payload as a history event keeps it: at most 256 KB (UTF-8), `truncated` when cut. */
function payloadOf(text: string): { text: string; truncated: boolean } {
  if (text.length * 3 <= MAX_PAYLOAD_BYTES) return { text, truncated: false };
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_PAYLOAD_BYTES) return { text, truncated: false };
  // A cut inside a multi-byte character decodes to U+FFFD: drop it.
  return {
    text: bytes
      .subarray(0, MAX_PAYLOAD_BYTES)
      .toString('utf8')
      .replace(/\uFFFD+$/, ''),
    truncated: true,
  };
}

/**
 * A state's `…StateEntered` or `…StateExited` event: its name and its input or output (payload-limited), under the
 * details key Step Functions names after the event (stateEnteredEventDetails, stateExitedEventDetails).
 */
function stateIoEvent(
  timestamp: number,
  state: { type: string; name: string },
  io: { entered: unknown } | { exited: unknown },
): HistoryEventBody {
  const [phase, key, value] =
    'entered' in io ? (['Entered', 'input', io.entered] as const) : (['Exited', 'output', io.exited] as const);
  const payload = payloadOf(jsonOf(value));
  return {
    timestamp,
    type: `${state.type}State${phase}`,
    [`state${phase}EventDetails`]: {
      name: state.name,
      [key]: payload.text,
      [`${key}Details`]: { truncated: payload.truncated },
    },
  };
}

/** What DescribeExecution and ListExecutions both say of an execution. */
function executionSummary(record: ExecutionRecord) {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: epochSeconds(record.startDate),
    ...(record.stopDate !== undefined ? { stopDate: epochSeconds(record.stopDate) } : {}),
  };
}

function newHistory(events: StoredHistoryEvent[] | undefined): ExecutionHistory {
  return {
    events,
    flushed: 0,
    batches: [],
    lastId: 0,
    sealed: false,
    writeFailed: false,
    drained: Promise.resolve(),
    unanchored: new Map(),
    current: new Map(),
  };
}

function lastIdOf(batches: readonly EventBatch[]): number {
  let last = 0;
  for (const batch of batches) last = Math.max(last, batch.firstId + batch.count - 1);
  return last;
}

/** The event that closes an execution with this record's outcome. */
function terminalEventOf(record: ExecutionRecord, timestamp: number): HistoryEventBody {
  const errorDetails = {
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.cause !== undefined ? { cause: payloadOf(record.cause).text } : {}),
  };
  switch (record.status) {
    case 'SUCCEEDED': {
      const output = payloadOf(record.output ?? 'null');
      return {
        timestamp,
        type: 'ExecutionSucceeded',
        executionSucceededEventDetails: { output: output.text, outputDetails: { truncated: output.truncated } },
      };
    }
    case 'FAILED':
      return { timestamp, type: 'ExecutionFailed', executionFailedEventDetails: errorDetails };
    case 'TIMED_OUT':
      return { timestamp, type: 'ExecutionTimedOut', executionTimedOutEventDetails: errorDetails };
    default:
      return { timestamp, type: 'ExecutionAborted', executionAbortedEventDetails: errorDetails };
  }
}

function resourceParts(resource: string): { resourceType: string; resource: string } {
  const match = /^arn:[^:]+:states:[^:]*:[^:]*:([^:]+):(.+)$/.exec(resource);
  if (match) return { resourceType: match[1] ?? 'lambda', resource: match[2] ?? resource };
  return { resourceType: 'lambda', resource };
}

// ---------------------------------------------------------------------------------------------------------
// Definition preparation

interface PreparedDefinition {
  definition: StateMachineDefinition;
  tasks: Map<string, TaskStateInfo>;
  retryableStates: string[];
}

/**
 * Walks every state (including Parallel branches and Map processors) to find the Task states that need a
 * local handler, and patches around library traps on the copy handed to aws-local-stepfunctions:
 * - a Task without TimeoutSeconds/TimeoutSecondsPath would time out after 60 s (AWS: 99,999,999 s); it gets
 *   the longest timer Node can run instead;
 * - TimeoutSeconds (Task, execution) and Wait Seconds above 2,147,483 s overflow Node's timer and would fire
 *   at once; they are clamped;
 * - the library resolves TimeoutSecondsPath against the input *after* Parameters (which usually holds only
 *   FunctionName and Payload), where Step Functions resolves it against the state input. For a Task with
 *   object Parameters, the path is moved into Parameters under a reserved key (resolved there against the
 *   effective input, `$$` included), TimeoutSecondsPath points at that key, and the handler strips the key
 *   before calling the Lambda.
 */
function prepareDefinition(definitionText: string): PreparedDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(definitionText);
  } catch (error) {
    throw new Error(`State machine definition is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed) || !isObject(parsed.States) || typeof parsed.StartAt !== 'string') {
    throw new Error('State machine definition must be an object with StartAt and States');
  }
  const tasks = new Map<string, TaskStateInfo>();
  const retryableStates: string[] = [];

  const walk = (states: Record<string, unknown>): void => {
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state)) continue;
      if (state.Type === 'Task') {
        if (tasks.has(name)) {
          throw new Error(`Task state name '${name}' is used more than once; state names must be unique`);
        }
        const resource = typeof state.Resource === 'string' ? state.Resource : '';
        if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
          state.TimeoutSeconds = MAX_TIMER_SECONDS;
        } else if (typeof state.TimeoutSeconds === 'number' && state.TimeoutSeconds > MAX_TIMER_SECONDS) {
          state.TimeoutSeconds = MAX_TIMER_SECONDS;
        }
        let injectedTimeoutKey: string | undefined;
        if (typeof state.TimeoutSecondsPath === 'string' && isObject(state.Parameters)) {
          state.Parameters = { ...state.Parameters, [`${TIMEOUT_KEY}.$`]: state.TimeoutSecondsPath };
          state.TimeoutSecondsPath = `$.${TIMEOUT_KEY}`;
          injectedTimeoutKey = TIMEOUT_KEY;
        }
        tasks.set(name, {
          name,
          resource,
          kind: LAMBDA_INVOKE.test(resource)
            ? 'invoke'
            : LAMBDA_INVOKE_WAIT.test(resource)
              ? 'waitForTaskToken'
              : LAMBDA_FUNCTION_ARN.test(resource)
                ? 'lambdaFunction'
                : 'unsupported',
          ...(typeof state.TimeoutSeconds === 'number' ? { timeoutSeconds: state.TimeoutSeconds } : {}),
          ...(typeof state.TimeoutSecondsPath === 'string' ? { timeoutSecondsPath: state.TimeoutSecondsPath } : {}),
          ...(injectedTimeoutKey !== undefined ? { injectedTimeoutKey } : {}),
        });
      }
      if (state.Type === 'Wait' && typeof state.Seconds === 'number' && state.Seconds > MAX_TIMER_SECONDS) {
        state.Seconds = MAX_TIMER_SECONDS;
      }
      if ((state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map') && Array.isArray(state.Retry)) {
        retryableStates.push(name);
      }
      if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
        for (const branch of state.Branches) if (isObject(branch) && isObject(branch.States)) walk(branch.States);
      }
      if (state.Type === 'Map') {
        const processor = state.ItemProcessor ?? state.Iterator;
        if (isObject(processor) && isObject(processor.States)) walk(processor.States);
      }
    }
  };
  walk(parsed.States);
  if (typeof parsed.TimeoutSeconds === 'number' && parsed.TimeoutSeconds > MAX_TIMER_SECONDS) {
    parsed.TimeoutSeconds = MAX_TIMER_SECONDS;
  }
  return { definition: parsed as unknown as StateMachineDefinition, tasks, retryableStates };
}

// ---------------------------------------------------------------------------------------------------------
// Request parameter helpers

function optionalString(body: Record<string, unknown>, key: string, max?: number): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ApiError('ValidationException', `${key} must be a string`);
  if (max !== undefined && value.length > max) {
    throw new ApiError('ValidationException', `${key} must have length less than or equal to ${max}`);
  }
  return value;
}

function requiredString(body: Record<string, unknown>, key: string, max?: number): string {
  const value = optionalString(body, key, max);
  if (value === undefined || value.length === 0) throw new ApiError('ValidationException', `${key} is required`);
  return value;
}

function pageSize(body: Record<string, unknown>, fallback: number): number {
  const value = body.maxResults;
  if (value === undefined || value === null || value === 0) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1000) {
    throw new ApiError('ValidationException', 'maxResults must be an integer between 0 and 1000');
  }
  return value;
}

function encodeCursor(value: string | number): string {
  return Buffer.from(JSON.stringify({ c: value }), 'utf8').toString('base64url');
}

function decodeCursor(token: string | undefined): string | number | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { c?: unknown };
    if (typeof parsed.c === 'string' || typeof parsed.c === 'number') return parsed.c;
  } catch {
    // fall through
  }
  throw new ApiError('InvalidToken', 'Invalid nextToken');
}

// ---------------------------------------------------------------------------------------------------------

export async function startLocalStepFunctions(options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'ap-southeast-3';
  const accountId = options.accountId ?? '000000000000';
  const roleArn = `arn:aws:iam::${accountId}:role/sepakat-local-step-functions`;
  /** Stands in for `$$.Task.Token`; each `.waitForTaskToken` invocation swaps it for a fresh token. */
  const tokenPlaceholder = `sepakat-task-token-placeholder-${randomBytes(16).toString('hex')}`;

  const machines = new Map<string, MachineEntry>();
  const executions = new Map<string, ExecutionEntry>();
  const executionsByMachine = new Map<string, ExecutionEntry[]>();
  const pendingTasks = new Map<string, PendingTask>();
  const closedTokens = new Map<string, 'CLOSED' | 'TIMED_OUT'>();
  let closing = false;
  let closePromise: Promise<void> | undefined;

  const emit = (event: LocalStepFunctionsEvent): void => {
    if (!options.onEvent) return;
    try {
      options.onEvent(event);
    } catch {
      // an observer must not break executions
    }
  };

  // ----- persistence and restart -----
  const { log, executions: loadedExecutions } = await ExecutionLog.open(options.dataDir);
  const persist = (record: ExecutionRecord): Promise<void> => log.append(record);

  const index = (entry: ExecutionEntry): void => {
    executions.set(entry.record.executionArn, entry);
    const list = executionsByMachine.get(entry.record.stateMachineArn);
    if (list) list.push(entry);
    else executionsByMachine.set(entry.record.stateMachineArn, [entry]);
  };

  const startedEventOf = (record: ExecutionRecord): HistoryEventBody => {
    const input = payloadOf(record.input);
    return {
      timestamp: record.startDate,
      type: 'ExecutionStarted',
      executionStartedEventDetails: { input: input.text, inputDetails: { truncated: input.truncated }, roleArn },
    };
  };

  // ----- history -----
  const dirty = new Set<ExecutionEntry>();
  /** Finished executions whose terminal record and last events are not yet written (close waits for them). */
  const sealings = new Set<Promise<void>>();
  let flushTimer: NodeJS.Timeout | undefined;

  /** Queues the events not yet written as one batch; the log writes every batch queued in a burst at once. */
  const writeHistory = (entry: ExecutionEntry): Promise<void> => {
    const history = entry.history;
    const events = history.events;
    if (!events || history.flushed >= events.length) return Promise.resolve();
    const batch = events.slice(history.flushed);
    history.flushed = events.length;
    return log.appendEvents(entry.record.executionArn, batch).then(
      (written) => {
        history.batches.push(written);
        if (history.batches.length > 1 && history.batches.at(-2)!.firstId > written.firstId) {
          history.batches.sort((a, b) => a.firstId - b.firstId);
        }
      },
      (error: unknown) => {
        history.writeFailed = true;
        processLog.error('local-step-functions: could not write an execution history', {
          executionArn: entry.record.executionArn,
          error,
        });
      },
    );
  };

  const flushDirty = (): Promise<void> => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    const writes = [...dirty].map(writeHistory);
    dirty.clear();
    return Promise.all(writes).then(() => undefined);
  };

  const markDirty = (entry: ExecutionEntry): void => {
    dirty.add(entry);
    if (flushTimer || closing) return;
    flushTimer = setTimeout(() => void flushDirty(), HISTORY_FLUSH_MS);
    flushTimer.unref();
  };

  /** Records an event of a running execution (ids count from 1, each event follows the one before). */
  const recordEvent = (entry: ExecutionEntry, body: HistoryEventBody, terminal = false): void => {
    const history = entry.history;
    if (history.sealed || !history.events) return;
    // Keep the last id of the limit for the terminal event.
    if (!terminal && history.lastId >= MAX_HISTORY_EVENTS - 1) return;
    const id = ++history.lastId;
    history.events.push({ ...body, id, previousEventId: id - 1 });
    if (terminal) history.sealed = true;
    else markDirty(entry);
  };

  /**
   * Closes the history of a finished execution once the library's events are recorded: its terminal event, then
   * the record and the last batch in one write. The events then live on disk only, unless a write failed.
   */
  const sealHistory = async (entry: ExecutionEntry, stopDate: number): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      entry.history.drained,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    recordEvent(entry, terminalEventOf(entry.record, stopDate), true);
    dirty.delete(entry);
    const written = persist(entry.record);
    await Promise.all([written, writeHistory(entry)]);
    const history = entry.history;
    if (!history.writeFailed && history.events && history.flushed === history.events.length) {
      history.events = undefined;
      history.unanchored.clear();
      history.current.clear();
    }
  };

  const restartWrites: Promise<unknown>[] = [];
  const restartedAt = Date.now();
  for (const loaded of loadedExecutions.values()) {
    let record = loaded.record;
    const history = newHistory(undefined);
    history.batches = loaded.batches;
    history.lastId = lastIdOf(loaded.batches);
    history.sealed = true;
    if (record.status === 'RUNNING') {
      record = { ...record, status: 'ABORTED', stopDate: restartedAt, cause: RESTART_CAUSE };
      const tail: HistoryEventBody[] = history.lastId === 0 ? [startedEventOf(record)] : [];
      tail.push(terminalEventOf(record, restartedAt));
      const events = tail.map((body) => {
        const id = ++history.lastId;
        return { ...body, id, previousEventId: id - 1 };
      });
      restartWrites.push(persist(record));
      restartWrites.push(
        log.appendEvents(record.executionArn, events).then((batch) => {
          history.batches.push(batch);
        }),
      );
    }
    index({ record, persisted: Promise.resolve(), history, tokens: new Set() });
  }
  await Promise.all(restartWrites);

  // ----- task tokens -----
  const closeToken = (token: string, reason: 'CLOSED' | 'TIMED_OUT'): PendingTask | undefined => {
    const pending = pendingTasks.get(token);
    if (!pending) return undefined;
    pendingTasks.delete(token);
    if (pending.timer) clearTimeout(pending.timer);
    executions.get(pending.executionArn)?.tokens.delete(token);
    closedTokens.set(token, reason);
    if (closedTokens.size > MAX_REMEMBERED_CLOSED_TOKENS) {
      const oldest = closedTokens.keys().next();
      if (!oldest.done) closedTokens.delete(oldest.value);
    }
    return pending;
  };

  /** Ends every task still waiting in an execution (it stopped), so its promise chain and timers unwind. */
  const releaseTokens = (entry: ExecutionEntry, message: string): void => {
    for (const token of [...entry.tokens]) {
      closeToken(token, 'CLOSED')?.reject(haltError('States.Runtime', message));
    }
  };

  const lookUpPending = (body: Record<string, unknown>): PendingTask => {
    const token = requiredString(body, 'taskToken', 1024);
    if (!TOKEN_FORMAT.test(token)) throw new ApiError('InvalidToken', 'Invalid Token: malformed task token');
    const pending = pendingTasks.get(token);
    if (pending) return pending;
    if (closedTokens.get(token) === 'TIMED_OUT') throw new ApiError('TaskTimedOut', 'Task Timed Out');
    throw new ApiError('TaskDoesNotExist', 'Task does not exist anymore');
  };

  // ----- executions -----
  const finish = (
    entry: ExecutionEntry,
    patch: Partial<ExecutionRecord> & { status: ExecutionStatus },
  ): Promise<void> => {
    if (entry.record.status !== 'RUNNING') return Promise.resolve();
    if (closing) return Promise.resolve(); // left RUNNING on disk: the next start marks it ABORTED
    const stopDate = Date.now();
    entry.record = { ...entry.record, ...patch, stopDate };
    releaseTokens(entry, `Execution ${patch.status}`);
    const typeByStatus: Record<ExecutionStatus, string> = {
      RUNNING: 'ExecutionStarted',
      SUCCEEDED: 'ExecutionSucceeded',
      FAILED: 'ExecutionFailed',
      TIMED_OUT: 'ExecutionTimedOut',
      ABORTED: 'ExecutionAborted',
    };
    emit({
      executionArn: entry.record.executionArn,
      type: typeByStatus[patch.status],
      at: stopDate,
      ...(patch.error !== undefined ? { error: patch.error } : {}),
    });
    // Never rejects: a failed write is reported, the in-memory state stays authoritative.
    const sealing = sealHistory(entry, stopDate).catch((error: unknown) => {
      processLog.error('local-step-functions: could not persist an execution', {
        executionArn: entry.record.executionArn,
        error,
      });
    });
    entry.history.sealing = sealing;
    sealings.add(sealing);
    void sealing.then(() => sealings.delete(sealing));
    return sealing;
  };

  const outcomeOf = (error: unknown): Partial<ExecutionRecord> & { status: ExecutionStatus } => {
    if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
    if (error instanceof ExecutionTimeoutError) {
      return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds)' };
    }
    if (error instanceof ExecutionError) {
      const inner = (error as Error & { cause?: unknown }).cause;
      if (inner instanceof Error) {
        const innerCause = (inner as Error & { cause?: unknown }).cause;
        return {
          status: 'FAILED',
          error: inner.name,
          cause: inner.message || (innerCause === undefined ? '' : textOf(innerCause)),
        };
      }
      return { status: 'FAILED', error: 'States.Runtime', cause: textOf(inner) };
    }
    return { status: 'FAILED', error: 'States.Runtime', cause: error instanceof Error ? error.message : textOf(error) };
  };

  const callLambda = async (functionName: unknown, payload: unknown): Promise<unknown> => {
    if (typeof functionName !== 'string' || functionName.length === 0) {
      throw haltError('States.Runtime', 'Parameters.FunctionName must be a non-empty string');
    }
    try {
      return await options.invokeLambda(functionName, payload);
    } catch (error) {
      throw taskError(error);
    }
  };

  const taskTimeoutMs = (task: TaskStateInfo, input: unknown, context: unknown): number | undefined => {
    let seconds: unknown = task.timeoutSeconds;
    if (seconds === undefined && task.timeoutSecondsPath !== undefined) {
      seconds = evaluateReferencePath(task.timeoutSecondsPath, input, context);
    }
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1) return undefined;
    return Math.min(seconds, MAX_TIMER_SECONDS) * 1000;
  };

  const waitForTaskToken = (
    task: TaskStateInfo,
    entry: ExecutionEntry,
    input: unknown,
    rawInput: unknown,
    attempt: TaskAttempt,
  ): Promise<Json> => {
    const parameters = isObject(input) ? input : {};
    const functionName = parameters.FunctionName;
    if (typeof functionName !== 'string' || functionName.length === 0) {
      return Promise.reject(haltError('States.Runtime', 'Parameters.FunctionName must be a non-empty string'));
    }
    const token = randomBytes(48).toString('base64url');
    const payload = replaceToken(parameters.Payload ?? {}, tokenPlaceholder, token);
    const { promise, resolve, reject } = withResolvers<Json>();
    const pending: PendingTask = {
      token,
      executionArn: entry.record.executionArn,
      stateName: task.name,
      resolve,
      reject,
    };
    pendingTasks.set(token, pending);
    entry.tokens.add(token);
    // The library races the task against its own timer of the same length (started right after this
    // handler returns, so ours fires first): this one only marks the token timed out.
    const timeoutMs = taskTimeoutMs(task, rawInput, entry.context);
    if (timeoutMs !== undefined) {
      pending.timer = setTimeout(() => closeToken(token, 'TIMED_OUT'), timeoutMs);
      pending.timer.unref();
    }
    emit({ executionArn: entry.record.executionArn, type: 'TaskTokenIssued', state: task.name, at: Date.now() });
    new Promise<unknown>((res) => res(options.invokeLambda(functionName, payload))).then(
      (answer) => taskSubmitted(entry, attempt, answer),
      (error: unknown) => {
        if (pendingTasks.get(token) !== pending) return;
        closeToken(token, 'CLOSED');
        reject(taskError(error));
      },
    );
    return promise;
  };

  // ----- task events (see TaskAttempt) -----
  const taskDetails = (attempt: TaskAttempt): { resourceType: string; resource: string } =>
    resourceParts(attempt.task.resource);

  /** Records TaskScheduled and TaskStarted (LambdaFunction… for a plain Lambda ARN) of the attempt. */
  const anchorAttempt = (entry: ExecutionEntry, attempt: TaskAttempt): void => {
    const timeout = attempt.timeoutSeconds !== undefined ? { timeoutInSeconds: attempt.timeoutSeconds } : {};
    const parameters = payloadOf(attempt.parameters);
    if (attempt.task.kind === 'lambdaFunction') {
      recordEvent(entry, {
        timestamp: attempt.at,
        type: 'LambdaFunctionScheduled',
        lambdaFunctionScheduledEventDetails: {
          resource: attempt.task.resource,
          input: parameters.text,
          inputDetails: { truncated: parameters.truncated },
          ...timeout,
        },
      });
      recordEvent(entry, { timestamp: attempt.at, type: 'LambdaFunctionStarted' });
    } else {
      recordEvent(entry, {
        timestamp: attempt.at,
        type: 'TaskScheduled',
        taskScheduledEventDetails: { ...taskDetails(attempt), region, parameters: parameters.text, ...timeout },
      });
      recordEvent(entry, { timestamp: attempt.at, type: 'TaskStarted', taskStartedEventDetails: taskDetails(attempt) });
    }
    attempt.anchored = true;
    if (attempt.submitted) recordEvent(entry, attempt.submitted);
    attempt.submitted = undefined;
  };

  /** The notifying Lambda of a `.waitForTaskToken` task answered: TaskSubmitted, with its answer. */
  const taskSubmitted = (entry: ExecutionEntry, attempt: TaskAttempt, answer: unknown): void => {
    if (attempt.ended || entry.history.sealed) return;
    const output = payloadOf(jsonOf(answer));
    const body: HistoryEventBody = {
      timestamp: Date.now(),
      type: 'TaskSubmitted',
      taskSubmittedEventDetails: {
        ...taskDetails(attempt),
        output: output.text,
        outputDetails: { truncated: output.truncated },
      },
    };
    if (attempt.anchored) recordEvent(entry, body);
    else attempt.submitted = body;
  };

  const runTask = (task: TaskStateInfo, entry: ExecutionEntry, rawInput: unknown): Promise<Json> => {
    if (entry.record.status !== 'RUNNING' || closing) {
      return Promise.reject(haltError('States.Runtime', 'The execution is no longer running'));
    }
    let input = rawInput;
    if (task.injectedTimeoutKey !== undefined && isObject(rawInput)) {
      const { [task.injectedTimeoutKey]: _timeout, ...rest } = rawInput;
      input = rest;
    }
    const timeoutMs = taskTimeoutMs(task, rawInput, entry.context);
    const attempt: TaskAttempt = {
      task,
      at: Date.now(),
      parameters: jsonOf(
        task.kind === 'waitForTaskToken' ? replaceToken(input, tokenPlaceholder, HISTORY_TOKEN_MARK) : input,
      ),
      ...(timeoutMs !== undefined ? { timeoutSeconds: timeoutMs / 1000 } : {}),
      anchored: false,
      ended: false,
    };
    const waiting = entry.history.unanchored.get(task.name);
    if (waiting) waiting.push(attempt);
    else entry.history.unanchored.set(task.name, [attempt]);
    const run = async (): Promise<Json> => {
      switch (task.kind) {
        case 'waitForTaskToken':
          return waitForTaskToken(task, entry, input, rawInput, attempt);
        case 'invoke': {
          const parameters = isObject(input) ? input : {};
          const result = await callLambda(parameters.FunctionName, parameters.Payload ?? {});
          return { ExecutedVersion: '$LATEST', Payload: toJson(result), StatusCode: 200 };
        }
        case 'lambdaFunction':
          return toJson(await callLambda(task.resource, input));
        default:
          throw haltError(
            'States.Runtime',
            `Resource '${task.resource}' is not supported by the local Step Functions runtime`,
          );
      }
    };
    return run().then((output) => {
      attempt.result = { output };
      return output;
    });
  };

  /** The next attempt of a Task state whose handler ran: anchored after the library's event that started it. */
  const anchorNextAttempt = (entry: ExecutionEntry, stateName: string): void => {
    const attempt = entry.history.unanchored.get(stateName)?.shift();
    if (!attempt) return; // the state failed before its resource was called (e.g. a path in Parameters)
    entry.history.current.set(stateName, attempt);
    anchorAttempt(entry, attempt);
  };

  /** A Task state's attempt ended: TaskSucceeded (on StateExited) or TaskFailed / TaskTimedOut (on StateFailed). */
  const endAttempt = (
    entry: ExecutionEntry,
    stateName: string,
    timestamp: number,
    failure?: { error: string; cause: string },
  ): void => {
    const attempt = entry.history.current.get(stateName);
    if (!attempt) return;
    entry.history.current.delete(stateName);
    attempt.ended = true;
    const plain = attempt.task.kind === 'lambdaFunction';
    if (failure) {
      const timedOut = failure.error === 'States.Timeout';
      const details = { error: failure.error, cause: payloadOf(failure.cause).text };
      if (plain) {
        const type = timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed';
        recordEvent(entry, { timestamp, type, [`${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`]: details });
      } else if (timedOut) {
        recordEvent(entry, {
          timestamp,
          type: 'TaskTimedOut',
          taskTimedOutEventDetails: { ...taskDetails(attempt), ...details },
        });
      } else {
        recordEvent(entry, {
          timestamp,
          type: 'TaskFailed',
          taskFailedEventDetails: { ...taskDetails(attempt), ...details },
        });
      }
      return;
    }
    if (!attempt.result) return;
    const output = payloadOf(jsonOf(attempt.result.output));
    const outputDetails = { truncated: output.truncated };
    if (plain) {
      recordEvent(entry, {
        timestamp,
        type: 'LambdaFunctionSucceeded',
        lambdaFunctionSucceededEventDetails: { output: output.text, outputDetails },
      });
    } else {
      recordEvent(entry, {
        timestamp,
        type: 'TaskSucceeded',
        taskSucceededEventDetails: { ...taskDetails(attempt), output: output.text, outputDetails },
      });
    }
  };

  const recordLibraryEvent = (entry: ExecutionEntry, event: LibraryEvent): void => {
    if (event.type.startsWith('Execution')) return; // status changes are reported by finish()
    const state = 'state' in event ? event.state.name : 'parentState' in event ? event.parentState.name : undefined;
    const error = 'Error' in event ? String(event.Error) : undefined;
    emit({
      executionArn: entry.record.executionArn,
      type: event.type,
      ...(state !== undefined ? { state } : {}),
      at: event.timestamp,
      ...(error !== undefined ? { error } : {}),
    });
    const timestamp = event.timestamp;
    switch (event.type) {
      case 'StateEntered': {
        recordEvent(entry, stateIoEvent(timestamp, event.state, { entered: event.state.input }));
        if (event.state.type === 'Task') anchorNextAttempt(entry, event.state.name);
        break;
      }
      case 'StateRetried':
        if (event.state.type === 'Task') anchorNextAttempt(entry, event.state.name);
        break;
      case 'StateExited': {
        if (event.state.type === 'Task') endAttempt(entry, event.state.name, timestamp);
        recordEvent(entry, stateIoEvent(timestamp, event.state, { exited: event.state.output }));
        break;
      }
      case 'StateFailed': {
        if (event.state.type === 'Task') {
          endAttempt(entry, event.state.name, timestamp, { error: String(event.Error), cause: textOf(event.Cause) });
        } else if (event.state.type === 'Map' || event.state.type === 'Parallel') {
          recordEvent(entry, { timestamp, type: `${event.state.type}StateFailed` });
        }
        break;
      }
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        // Step Functions names the details after the event type: mapIterationStartedEventDetails, …
        const details = `${event.type[0]!.toLowerCase()}${event.type.slice(1)}EventDetails`;
        recordEvent(entry, {
          timestamp,
          type: event.type,
          [details]: { name: event.parentState.name, index: event.index },
        });
        break;
      }
      default:
        break;
    }
  };

  /** Records the library's events of a run in order; `history.drained` resolves when its stream ends. */
  const consumeEvents = (entry: ExecutionEntry, run: RunHandle): void => {
    entry.history.drained = (async () => {
      try {
        for await (const event of run.eventLogs) recordLibraryEvent(entry, event);
      } catch (error) {
        processLog.error('local-step-functions: an execution history stopped', {
          executionArn: entry.record.executionArn,
          error,
        });
      }
    })();
  };

  const launch = (entry: ExecutionEntry, machine: MachineEntry, input: Json): void => {
    const record = entry.record;
    const context: Record<string, unknown> = {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        StartTime: new Date(record.startDate).toISOString(),
        Input: input,
        RoleArn: machine.roleArn,
      },
      StateMachine: { Id: machine.arn, Name: machine.name },
      Task: { Token: tokenPlaceholder },
    };
    entry.context = context;
    const handlers: TaskHandlers = {};
    for (const task of machine.tasks.values()) {
      handlers[task.name] = (taskInput) => runTask(task, entry, taskInput) as ReturnType<TaskHandlers[string]>;
    }
    const overrides: NonNullable<RunOptions['overrides']> = { taskResourceLocalHandlers: handlers };
    if (options.retryIntervalMs !== undefined && machine.retryableStates.length > 0) {
      overrides.retryIntervalOverrides = Object.fromEntries(
        machine.retryableStates.map((name) => [name, options.retryIntervalMs as number]),
      );
    }
    emit({ executionArn: record.executionArn, type: 'ExecutionStarted', at: record.startDate });
    let run: RunHandle;
    try {
      run = machine.machine.run(input as Parameters<StateMachine['run']>[0], {
        overrides,
        context: context as RunOptions['context'],
      });
    } catch (error) {
      void finish(entry, outcomeOf(error));
      return;
    }
    entry.run = run;
    consumeEvents(entry, run);
    run.result.then(
      (output) => finish(entry, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) }),
      (error: unknown) => finish(entry, outcomeOf(error)),
    );
  };

  // ----- state machines -----
  const stateMachineArnOf = (name: string): string => `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;

  const registerStateMachine = (name: string, definition: string): string => {
    if (name.length < 1 || name.length > 80 || STATE_MACHINE_NAME_FORBIDDEN.test(name)) {
      throw new Error(`Invalid state machine name '${name}'`);
    }
    const prepared = prepareDefinition(definition);
    const machine = new StateMachine(prepared.definition);
    const arn = stateMachineArnOf(name);
    machines.set(arn, {
      arn,
      name,
      definition,
      roleArn,
      creationDate: machines.get(arn)?.creationDate ?? Date.now(),
      machine,
      tasks: prepared.tasks,
      retryableStates: prepared.retryableStates,
    });
    return arn;
  };

  const machineFor = (arn: string): MachineEntry => {
    if (!STATE_MACHINE_ARN.test(arn)) throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = machines.get(arn);
    if (!machine) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  };

  /** The history of an execution recorded before histories were kept: its start and its outcome. */
  const legacyHistory = (record: ExecutionRecord): StoredHistoryEvent[] => {
    const bodies = [startedEventOf(record)];
    if (record.status !== 'RUNNING') bodies.push(terminalEventOf(record, record.stopDate ?? record.startDate));
    return bodies.map((body, i) => ({ ...body, id: i + 1, previousEventId: i }));
  };

  const lastEventId = (entry: ExecutionEntry): number =>
    entry.history.events || entry.history.batches.length > 0
      ? entry.history.lastId
      : legacyHistory(entry.record).length;

  /** Up to `limit` events after the id `after` (before it, in reverse), from memory or from the log. */
  const historyPage = async (
    entry: ExecutionEntry,
    after: number | undefined,
    limit: number,
    reverse: boolean,
  ): Promise<StoredHistoryEvent[]> => {
    const history = entry.history;
    const last = lastEventId(entry);
    const from = reverse ? Math.max(1, (after ?? last + 1) - limit) : (after ?? 0) + 1;
    const to = reverse ? Math.min(last, (after ?? last + 1) - 1) : Math.min(last, (after ?? 0) + limit);
    if (from > to) return [];
    let events: StoredHistoryEvent[];
    if (history.events) {
      events = history.events.slice(from - 1, to);
    } else if (history.batches.length > 0) {
      const needed = history.batches.filter((batch) => batch.firstId <= to && batch.firstId + batch.count - 1 >= from);
      events = (await log.readEvents(needed)).filter((event) => event.id >= from && event.id <= to);
    } else {
      events = legacyHistory(entry.record).slice(from - 1, to);
    }
    return reverse ? events.reverse() : events;
  };

  const executionFor = (arn: string): ExecutionEntry => {
    if (!EXECUTION_ARN.test(arn)) throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const entry = executions.get(arn);
    if (!entry) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return entry;
  };

  // ----- operations -----
  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown> | unknown> = {
    async StartExecution(body) {
      const machine = machineFor(requiredString(body, 'stateMachineArn', 2048));
      const name = optionalString(body, 'name') ?? randomUUID();
      if (!EXECUTION_NAME.test(name)) {
        throw new ApiError('InvalidName', `Invalid Name: '${name}' (1-80 characters of A-Z, a-z, 0-9, - and _)`);
      }
      const inputText = optionalString(body, 'input') ?? '{}';
      if (Buffer.byteLength(inputText, 'utf8') > MAX_INPUT_BYTES) {
        throw new ApiError('ValidationException', `input must be at most ${MAX_INPUT_BYTES} bytes`);
      }
      let input: Json;
      try {
        input = JSON.parse(inputText) as Json;
      } catch (error) {
        throw new ApiError(
          'InvalidExecutionInput',
          `Invalid State Machine Execution Input: ${(error as Error).message}`,
        );
      }
      const executionArn = `arn:aws:states:${region}:${accountId}:execution:${machine.name}:${name}`;
      const existing = executions.get(executionArn);
      if (existing) {
        if (existing.record.status === 'RUNNING' && canonicalJson(existing.record.input) === canonicalJson(inputText)) {
          await existing.persisted;
          return { executionArn, startDate: epochSeconds(existing.record.startDate) };
        }
        throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }
      if (closing) throw new ApiError('ServiceUnavailable', 'The local Step Functions runtime is shutting down', 503);
      const record: ExecutionRecord = {
        executionArn,
        stateMachineArn: machine.arn,
        name,
        status: 'RUNNING',
        startDate: Date.now(),
        input: inputText,
      };
      const entry: ExecutionEntry = {
        record,
        persisted: persist(record),
        machine,
        history: newHistory([]),
        tokens: new Set(),
      };
      recordEvent(entry, startedEventOf(record));
      index(entry);
      launch(entry, machine, input);
      await entry.persisted;
      return { executionArn, startDate: epochSeconds(record.startDate) };
    },

    DescribeExecution(body) {
      const { record } = executionFor(requiredString(body, 'executionArn', 2048));
      return {
        ...executionSummary(record),
        input: record.input,
        inputDetails: { included: true },
        ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
        ...(record.error !== undefined ? { error: record.error } : {}),
        ...(record.cause !== undefined ? { cause: record.cause } : {}),
        redriveCount: 0,
        redriveStatus: 'NOT_REDRIVABLE',
      };
    },

    ListExecutions(body) {
      if (body.mapRunArn !== undefined) throw new ApiError('ValidationException', 'mapRunArn is not supported locally');
      const stateMachineArn = requiredString(body, 'stateMachineArn', 2048);
      if (!STATE_MACHINE_ARN.test(stateMachineArn))
        throw new ApiError('InvalidArn', `Invalid Arn: '${stateMachineArn}'`);
      const entries = executionsByMachine.get(stateMachineArn);
      if (!entries && !machines.has(stateMachineArn)) {
        throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
      }
      const statusFilter = optionalString(body, 'statusFilter');
      if (statusFilter !== undefined && !(ExecutionStatuses as readonly string[]).includes(statusFilter)) {
        if (statusFilter !== 'PENDING_REDRIVE') {
          throw new ApiError('ValidationException', `statusFilter must be one of ${ExecutionStatuses.join(', ')}`);
        }
      }
      const limit = pageSize(body, 100);
      const cursor = decodeCursor(optionalString(body, 'nextToken'));
      const filtered = (entries ?? [])
        .filter((entry) => statusFilter === undefined || entry.record.status === statusFilter)
        .sort(
          (a, b) =>
            b.record.startDate - a.record.startDate ||
            (a.record.executionArn < b.record.executionArn
              ? -1
              : a.record.executionArn > b.record.executionArn
                ? 1
                : 0),
        );
      let start = 0;
      if (cursor !== undefined) {
        const at = filtered.findIndex((entry) => entry.record.executionArn === cursor);
        if (at < 0) throw new ApiError('InvalidToken', 'Invalid nextToken');
        start = at + 1;
      }
      const page = filtered.slice(start, start + limit);
      const last = page[page.length - 1];
      return {
        executions: page.map(({ record }) => ({
          ...executionSummary(record),
          redriveCount: 0,
        })),
        ...(start + limit < filtered.length && last ? { nextToken: encodeCursor(last.record.executionArn) } : {}),
      };
    },

    async StopExecution(body) {
      const entry = executionFor(requiredString(body, 'executionArn', 2048));
      const error = optionalString(body, 'error', 256);
      const cause = optionalString(body, 'cause', 32_768);
      if (entry.record.status === 'RUNNING') {
        const written = finish(entry, {
          status: 'ABORTED',
          ...(error !== undefined ? { error } : {}),
          ...(cause !== undefined ? { cause } : {}),
        });
        entry.run?.abort();
        await written;
      }
      return { stopDate: epochSeconds(entry.record.stopDate ?? Date.now()) };
    },

    SendTaskSuccess(body) {
      const pending = lookUpPending(body);
      const outputText = requiredString(body, 'output', MAX_INPUT_BYTES);
      let output: Json;
      try {
        output = JSON.parse(outputText) as Json;
      } catch (error) {
        throw new ApiError('InvalidOutput', `Invalid Output: ${(error as Error).message}`);
      }
      closeToken(pending.token, 'CLOSED');
      pending.resolve(output);
      return {};
    },

    SendTaskFailure(body) {
      const pending = lookUpPending(body);
      const error = optionalString(body, 'error', 256);
      const cause = optionalString(body, 'cause', 32_768);
      closeToken(pending.token, 'CLOSED');
      const failure = new Error(cause ?? '');
      failure.name = error ?? 'States.TaskFailed';
      pending.reject(failure);
      return {};
    },

    SendTaskHeartbeat(body) {
      lookUpPending(body);
      return {};
    },

    DescribeStateMachine(body) {
      const machine = machineFor(requiredString(body, 'stateMachineArn', 2048));
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: machine.definition,
        roleArn: machine.roleArn,
        type: 'STANDARD',
        creationDate: epochSeconds(machine.creationDate),
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: { enabled: false },
      };
    },

    ListStateMachines(body) {
      const limit = pageSize(body, 100);
      const cursor = decodeCursor(optionalString(body, 'nextToken'));
      const sorted = [...machines.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      let start = 0;
      if (cursor !== undefined) {
        const at = sorted.findIndex((machine) => machine.arn === cursor);
        if (at < 0) throw new ApiError('InvalidToken', 'Invalid nextToken');
        start = at + 1;
      }
      const page = sorted.slice(start, start + limit);
      const last = page[page.length - 1];
      return {
        stateMachines: page.map((machine) => ({
          stateMachineArn: machine.arn,
          name: machine.name,
          type: 'STANDARD',
          creationDate: epochSeconds(machine.creationDate),
        })),
        ...(start + limit < sorted.length && last ? { nextToken: encodeCursor(last.arn) } : {}),
      };
    },

    async GetExecutionHistory(body) {
      const entry = executionFor(requiredString(body, 'executionArn', 2048));
      const limit = pageSize(body, 100);
      const reverse = body.reverseOrder === true;
      const includeData = body.includeExecutionData !== false;
      // The token names the direction and the id of the last event served: appending events does not move it.
      const token = optionalString(body, 'nextToken', 3096);
      let after: number | undefined;
      if (token !== undefined) {
        const match = /^([fr]):(\d{1,9})$/.exec(String(decodeCursor(token)));
        if (!match || (match[1] === 'r') !== reverse) throw new ApiError('InvalidToken', 'Invalid nextToken');
        after = Number(match[2]);
      }
      // A finished execution's history ends with its terminal event: wait the moment it takes to record it.
      if (entry.record.status !== 'RUNNING') await entry.history.sealing;
      const events = await historyPage(entry, after, limit, reverse);
      const wire = events.map((event) => {
        const out: Record<string, unknown> = { ...event, timestamp: epochSeconds(event.timestamp) };
        if (!includeData) {
          for (const [key, value] of Object.entries(out)) {
            if (key.endsWith('EventDetails') && isObject(value)) {
              const { input: _input, output: _output, parameters: _parameters, ...rest } = value;
              out[key] = rest;
            }
          }
        }
        return out;
      });
      const last = events.at(-1);
      const more = last !== undefined && (reverse ? last.id > 1 : last.id < lastEventId(entry));
      return {
        events: wire,
        ...(more ? { nextToken: encodeCursor(`${reverse ? 'r' : 'f'}:${last.id}`) } : {}),
      };
    },
  };

  // ----- HTTP -----
  const send = (res: http.ServerResponse, statusCode: number, payload: unknown, errorType?: string): void => {
    const text = JSON.stringify(payload);
    res.writeHead(statusCode, {
      'content-type': JSON_CONTENT_TYPE,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(text);
  };

  const sendError = (res: http.ServerResponse, error: ApiError): void => {
    send(res, error.statusCode, { __type: error.code, message: error.message }, error.code);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (req.method !== 'POST') {
      sendError(res, new ApiError('UnknownOperationException', 'Only POST / is supported'));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_REQUEST_BYTES) {
        sendError(res, new ApiError('ValidationException', 'Request body too large', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const operationName = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    const operation = Object.prototype.hasOwnProperty.call(operations, operationName)
      ? operations[operationName]
      : undefined;
    if (!operation) {
      sendError(res, new ApiError('UnknownOperationException', `Unknown operation '${target}'`));
      return;
    }
    let body: unknown = {};
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim().length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        sendError(res, new ApiError('SerializationException', 'Request body is not valid JSON'));
        return;
      }
    }
    if (!isObject(body)) {
      sendError(res, new ApiError('SerializationException', 'Request body must be a JSON object'));
      return;
    }
    try {
      send(res, 200, await operation(body));
    } catch (error) {
      if (error instanceof ApiError) {
        sendError(res, error);
      } else {
        processLog.error('local-step-functions: an operation failed', { operation: operationName, error });
        sendError(res, new ApiError('InternalFailure', error instanceof Error ? error.message : String(error), 500));
      }
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        sendError(res, new ApiError('InternalFailure', error instanceof Error ? error.message : String(error), 500));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await log.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const close = (): Promise<void> => {
    closePromise ??= (async () => {
      closing = true;
      for (const entry of executions.values()) {
        if (entry.record.status !== 'RUNNING') continue;
        releaseTokens(entry, 'The local Step Functions runtime is shutting down');
        entry.run?.abort();
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Executions that finished before the close are written whole; the running ones stay RUNNING on disk (the
      // next start marks them ABORTED) with their events so far.
      await Promise.all([...sealings]);
      await flushDirty();
      await log.close();
    })();
    return closePromise;
  };

  return { endpoint, registerStateMachine, close };
}
