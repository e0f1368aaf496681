import { ErrorNames } from '../errors.ts';
import type { Activity, FlowNode, GateNode, Sop } from './load-sop.ts';
import { isTerminal, type Automatic, type Terminal } from './schema.ts';

/**
 * The Lambda functions a compiled state machine calls, as `definitionSubstitutions` placeholders. CDK fills
 * them with real ARNs; the local runtime with local ones. Both run the same JSON.
 */
export const FunctionPlaceholders = {
  enterStep: 'EnterStepFunctionArn',
  openTask: 'OpenTaskFunctionArn',
  automatic: 'AutomaticFunctionArn',
  /** Automatic work on documents (render, number, paraf, sign, archive): the function sized for Chromium. */
  document: 'DocumentFunctionArn',
  caseData: 'CaseDataFunctionArn',
  finishCase: 'FinishCaseFunctionArn',
  continueCase: 'ContinueCaseFunctionArn',
} as const;
export type FunctionRole = keyof typeof FunctionPlaceholders;

/** AWS's own transient Lambda errors, retried with the product's Transient error. */
export const RETRYABLE_ERRORS = [
  ErrorNames.Transient,
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

export interface CompileOptions {
  /**
   * The bound on every human wait. When it passes, the case continues in a new execution at the same step
   * (same task, same link, no new email). Must stay under 24.8 days: the local engine's timer overflows past it.
   */
  humanWaitSeconds: number;
}

export const DEFAULT_COMPILE_OPTIONS: CompileOptions = { humanWaitSeconds: 7 * 24 * 3600 };
const MAX_WAIT_SECONDS = 2_147_483;

/** The execution input: only the case id and its position; the case itself lives in DynamoDB. */
export interface ExecutionInput {
  caseId: string;
  /** The activation the execution resumes at; `node: "_mulai"` for a new case. */
  position: { node: string; seq: number };
}
export const START_POSITION = '_mulai';

type State = Record<string, unknown>;

/** Notifications run in the small automatic function; document work in the document function. */
const automaticRole = (auto: Automatic): FunctionRole => (auto.action === 'notify' ? 'automatic' : 'document');

const placeholder = (role: FunctionRole) => `\${${FunctionPlaceholders[role]}}`;

/** State names, kept ASCII and short (≤ 80 characters) for the console and CloudWatch. */
export const stateNames = {
  route: 'Mulai',
  enter: (id: string) => `${id} Masuk`,
  before: (id: string, i: number) => `${id} Sebelum ${i + 1}`,
  wait: (id: string) => `${id} Tunggu`,
  /** A resumed execution at an activity its wait enters: the position before it, so the wait finds it entered. */
  reopen: (id: string) => `${id} Buka kembali`,
  choose: (id: string) => `${id} Pilihan`,
  afterChoice: (id: string, choice: string, i: number) => `${id} ${choice} Otomatis ${i + 1}`,
  continueCase: (id: string) => `${id} Lanjutkan`,
  gateData: (id: string) => `${id} Data`,
  gate: (id: string) => `${id} Gerbang`,
  finish: (t: Terminal) => `Hasil ${t}`,
  done: (t: Terminal) => `Kasus ${t}`,
  continued: 'Dilanjutkan di eksekusi baru',
  superseded: 'Digantikan eksekusi lain',
  closed: 'Kasus ditutup',
  failed: (id: string) => `${id} Gagal`,
  /** A wait that enters its activity failed: recorded at the activation it entered (or was entering). */
  failedWaiting: (id: string) => `${id} Gagal menunggu`,
  /** A failure outside an activity (a gate's data, the result): recorded at the case's current step. */
  failedElsewhere: 'Gagal',
  stopped: 'Berhenti: kerja otomatis gagal',
};

/** Transient failures are retried with backoff; the product's own error names are exported once (core/errors.ts). */
const RETRY = [
  { ErrorEquals: [...RETRYABLE_ERRORS], IntervalSeconds: 1, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: 'FULL' },
];
/** A stale execution (another owns the case) or a closed case ends the execution quietly. */
const ENDINGS = [
  { ErrorEquals: [ErrorNames.Superseded], Next: stateNames.superseded, ResultPath: '$.error' },
  { ErrorEquals: [ErrorNames.CaseClosed], Next: stateNames.closed, ResultPath: '$.error' },
];

/**
 * Document work (Chromium, signatures) may also time out or die; it is retried, and whatever still fails is recorded
 * on the case and told to the officials instead of failing silently (see `documentTask`).
 */
const DOCUMENT_RETRY = [
  ...RETRY,
  { ErrorEquals: ['States.Timeout', 'Lambda.Unknown'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 },
];

/**
 * Whatever still fails after the retries goes to `failure`: recorded on the case and told to the step's officials and
 * the pemda's administrator, and the execution stops with the case resumable at its step (see `compileFailure`).
 * `States.ALL` comes last, as Step Functions requires.
 */
const catchAll = (failure: string) => [
  ...ENDINGS,
  { ErrorEquals: [ErrorNames.StatesAll], Next: failure, ResultPath: '$.error' },
];

/** A Task for automatic work: document work gets its own function and longer retries. */
function automaticTask(a: Activity, auto: Automatic, payload: Record<string, unknown>, extra: State): State {
  const role = automaticRole(auto);
  const task = lambdaTask(role, payload, stateNames.failed(a.id), extra);
  if (role !== 'document') return task;
  return { ...task, TimeoutSeconds: 300, Retry: DOCUMENT_RETRY };
}

function lambdaTask(role: FunctionRole, payload: Record<string, unknown>, failure: string, extra: State): State {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: placeholder(role), Payload: payload },
    TimeoutSeconds: 60,
    Retry: RETRY,
    Catch: catchAll(failure),
    ...extra,
  };
}

/**
 * Compiles an SOP into Amazon States Language (JSONPath). Pure and deterministic: the same SOP and options give
 * byte-identical JSON, which CDK deploys with `definitionSubstitutions` and the local runtime executes unchanged.
 *
 * Shape: a `Mulai` Choice routes on `$.position.node` so an execution can start at any activity (a new case,
 * a restart of the local runtime, a case past the one-year limit, a human wait that reached its bound). An
 * activity with automatic work before its wait is `Masuk` (records the activation in DynamoDB) → `Sebelum n`
 * (automatic work) → `Tunggu` (`.waitForTaskToken` for the person); one without is its `Tunggu` alone, which records
 * the activation as it opens the task (one invocation, and the case record that write returns is not read again; a
 * resumed execution reaches it through `Buka kembali`). Then `Pilihan` (a Choice on the person's answer) →
 * per-choice automatic work → the next activity, gate or result.
 */
export function compileSop(sop: Sop, options: CompileOptions = DEFAULT_COMPILE_OPTIONS): string {
  if (
    !Number.isInteger(options.humanWaitSeconds) ||
    options.humanWaitSeconds < 1 ||
    options.humanWaitSeconds > MAX_WAIT_SECONDS
  )
    throw new RangeError(`humanWaitSeconds must be an integer in 1..${MAX_WAIT_SECONDS}`);

  const states: Record<string, State> = {};
  const activities = sop.nodes.filter((n): n is Activity => n.type === 'activity');
  const terminals = new Set<Terminal>();

  /** The state that enters a target: an activity's Masuk, a gate's Data task, or a result. */
  const entryState = (target: string): string => {
    if (isTerminal(target)) {
      terminals.add(target);
      return stateNames.finish(target);
    }
    const node = sop.node(target);
    if (node.type === 'gate') return stateNames.gateData(node.id);
    return entersByWait(node) ? stateNames.wait(node.id) : stateNames.enter(node.id);
  };

  states[stateNames.route] = {
    Type: 'Choice',
    Comment: `Memulai atau melanjutkan kasus pada langkahnya (SOP ${sop.key})`,
    Choices: activities.map((a) => ({
      Variable: '$.position.node',
      StringEquals: a.id,
      Next: entersByWait(a) ? stateNames.reopen(a.id) : firstAfterEnter(a),
    })),
    Default: entryState(sop.start),
  };

  for (const node of sop.nodes) {
    if (node.type === 'gate') compileGate(node, states, entryState);
    else {
      compileActivity(node, states, entryState, options);
      compileFailure(states, stateNames.failed(node.id), node.id);
    }
  }

  for (const terminal of [...terminals].sort()) {
    states[stateNames.finish(terminal)] = lambdaTask(
      'finishCase',
      { 'caseId.$': '$.caseId', outcome: terminal, 'after.$': '$.position.seq' },
      stateNames.failedElsewhere,
      { Comment: `Mencatat hasil akhir: ${terminal}`, ResultPath: null, Next: stateNames.done(terminal) },
    );
    states[stateNames.done(terminal)] = { Type: 'Succeed', Comment: `Kasus berakhir: ${terminal}` };
  }
  compileFailure(states, stateNames.failedElsewhere);
  states[stateNames.continued] = {
    Type: 'Succeed',
    Comment: 'Penantian mencapai batasnya; kasus dilanjutkan pada langkah yang sama di eksekusi baru',
  };
  states[stateNames.superseded] = { Type: 'Succeed', Comment: 'Eksekusi lain sudah memegang kasus ini' };
  states[stateNames.closed] = { Type: 'Succeed', Comment: 'Kasus ditarik atau dibatalkan' };

  const tooLong = Object.keys(states).find((name) => name.length > 80);
  if (tooLong) throw new RangeError(`State name over 80 characters: ${tooLong}`);
  const definition = {
    Comment: `${sop.definition.header.nama} (SOP ${sop.key}); dihasilkan oleh compileSop, jangan disunting`,
    StartAt: stateNames.route,
    States: states,
  };
  return JSON.stringify(definition, null, 2);
}

function firstAfterEnter(a: Activity): string {
  return a.before.length ? stateNames.before(a.id, 0) : stateNames.wait(a.id);
}

/**
 * An activity with no automatic work before its wait is entered by its wait: the one invocation that opens the task
 * records the activation first (a replay finds it recorded), and the case record that write returns is the one the
 * task is opened from. An activity with work before its wait is entered by its own `Masuk` state.
 */
function entersByWait(a: Activity): boolean {
  return a.before.length === 0;
}

/** The activation after the position: where a wait that enters its activity is, before it answers. */
const ENTERED_SEQ = 'States.MathAdd($.position.seq, 1)';

function compileActivity(
  a: Activity,
  states: Record<string, State>,
  entryState: (target: string) => string,
  options: CompileOptions,
) {
  const byWait = entersByWait(a);
  if (byWait)
    states[stateNames.reopen(a.id)] = {
      Type: 'Pass',
      Comment: 'Melanjutkan aktivasi yang sudah dimasuki: tugasnya dibuka lagi dari posisi sebelumnya',
      Parameters: { node: a.id, 'seq.$': 'States.MathAdd($.position.seq, -1)' },
      ResultPath: '$.position',
      Next: stateNames.wait(a.id),
    };
  else
    states[stateNames.enter(a.id)] = lambdaTask(
      'enterStep',
      { 'caseId.$': '$.caseId', node: a.id, stepId: a.stepId, 'after.$': '$.position.seq' },
      stateNames.failed(a.id),
      {
        Comment: `Langkah ${a.stepId}: ${truncate(a.label, 120)}`,
        ResultSelector: { node: a.id, 'seq.$': '$.Payload.seq' },
        ResultPath: '$.position',
        Next: firstAfterEnter(a),
      },
    );
  a.before.forEach((auto, i) => {
    states[stateNames.before(a.id, i)] = automaticTask(
      a,
      auto,
      { 'caseId.$': '$.caseId', node: a.id, 'seq.$': '$.position.seq', phase: 'before', index: i },
      {
        Comment: `Otomatis sebelum ${a.id}: ${auto.action}`,
        ResultPath: null,
        Next: i + 1 < a.before.length ? stateNames.before(a.id, i + 1) : stateNames.wait(a.id),
      },
    );
  });
  states[stateNames.wait(a.id)] = {
    Type: 'Task',
    Comment: `${byWait ? `Langkah ${a.stepId}: ${truncate(a.label, 100)}. ` : ''}Menunggu ${a.performer.jabatan}${a.actor.kind === 'external' ? ` (mencatat ${a.actor.jabatan})` : ''}`,
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: {
      FunctionName: placeholder('openTask'),
      Payload: {
        'caseId.$': '$.caseId',
        node: a.id,
        // A wait that enters its activity also passes the position it enters from: the answer (node, activation,
        // choice) of the wait before it, which tells the opening whether a return, repeat or rejection led here.
        ...(byWait
          ? { stepId: a.stepId, 'after.$': '$.position.seq', 'position.$': '$.position' }
          : { 'seq.$': '$.position.seq' }),
        'taskToken.$': '$$.Task.Token',
        'executionArn.$': '$$.Execution.Id',
      },
    },
    TimeoutSeconds: options.humanWaitSeconds,
    // The answer (SendTaskSuccess) names its activation: the position moves to it with the choice made.
    ResultSelector: { node: a.id, 'seq.$': '$.seq', 'choice.$': '$.choice' },
    ResultPath: '$.position',
    Retry: RETRY,
    Catch: [
      { ErrorEquals: [ErrorNames.StatesTimeout], Next: stateNames.continueCase(a.id), ResultPath: '$.error' },
      ...catchAll(byWait ? stateNames.failedWaiting(a.id) : stateNames.failed(a.id)),
    ],
    Next: stateNames.choose(a.id),
  };
  if (byWait) compileFailure(states, stateNames.failedWaiting(a.id), a.id, ENTERED_SEQ);
  states[stateNames.continueCase(a.id)] = lambdaTask(
    'continueCase',
    {
      'caseId.$': '$.caseId',
      node: a.id,
      'seq.$': byWait ? ENTERED_SEQ : '$.position.seq',
      'executionArn.$': '$$.Execution.Id',
    },
    stateNames.failed(a.id),
    {
      Comment: 'Melanjutkan kasus pada langkah yang sama di eksekusi baru',
      ResultPath: null,
      Next: stateNames.continued,
    },
  );
  states[stateNames.choose(a.id)] = {
    Type: 'Choice',
    Comment: `Pilihan: ${a.choices.map((c) => c.value).join(', ')}`,
    Choices: a.choices.map((choice) => ({
      Variable: '$.position.choice',
      StringEquals: choice.value,
      Next: choice.automatic.length ? stateNames.afterChoice(a.id, choice.value, 0) : entryState(choice.target),
    })),
    // No Default: the task handler only reports answers the SOP allows; anything else fails the execution
    // with States.NoChoiceMatched rather than guessing.
  };
  for (const choice of a.choices) {
    choice.automatic.forEach((auto, i) => {
      states[stateNames.afterChoice(a.id, choice.value, i)] = automaticTask(
        a,
        auto,
        {
          'caseId.$': '$.caseId',
          node: a.id,
          'seq.$': '$.position.seq',
          phase: 'choice',
          choice: choice.value,
          index: i,
        },
        {
          Comment: `Otomatis setelah "${choice.value}" di ${a.id}: ${auto.action}`,
          ResultPath: null,
          Next:
            i + 1 < choice.automatic.length
              ? stateNames.afterChoice(a.id, choice.value, i + 1)
              : entryState(choice.target),
        },
      );
    });
  }
}

/**
 * Where work of an activity (or, `node` absent, of a gate or a result) failed for good: the failure is recorded in the
 * case history and told to the officials of the step and the pemda's administrator, and the execution stops. The
 * case stays at its step; resuming it (the stranded-case sweep, or an operator once the cause is fixed) runs the
 * work again, which finds what it already did. Recording is itself a Task: if even that fails, the execution stops
 * the same way and the sweep finds the case.
 */
function compileFailure(states: Record<string, State>, name: string, node?: string, seq = '$.position.seq') {
  states[name] = {
    Type: 'Task',
    Comment: node ? `Mencatat kerja otomatis yang gagal di ${node}` : 'Mencatat kerja otomatis yang gagal',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: {
      FunctionName: placeholder('automatic'),
      Payload: {
        'caseId.$': '$.caseId',
        ...(node ? { node } : { 'node.$': '$.position.node' }),
        'seq.$': seq,
        phase: 'gagal',
        index: 0,
        'error.$': '$.error',
        // One failure of one execution is one fact, however often this state is retried.
        'execution.$': '$$.Execution.Id',
      },
    },
    TimeoutSeconds: 60,
    Retry: RETRY,
    Catch: [{ ErrorEquals: [ErrorNames.StatesAll], Next: stateNames.stopped, ResultPath: '$.error' }],
    ResultPath: null,
    Next: stateNames.stopped,
  };
  states[stateNames.stopped] = {
    Type: 'Fail',
    Error: 'Sepakat.KerjaOtomatisGagal',
    Cause: 'Kerja otomatis gagal dan tercatat pada riwayat kasus; kasus dilanjutkan setelah penyebabnya diperbaiki',
  };
}

function compileGate(g: GateNode, states: Record<string, State>, entryState: (target: string) => string) {
  states[stateNames.gateData(g.id)] = lambdaTask(
    'caseData',
    { 'caseId.$': '$.caseId', field: g.field },
    stateNames.failedElsewhere,
    {
      Comment: `Membaca data kasus "${g.field}" untuk: ${truncate(g.question, 100)}`,
      ResultSelector: { 'value.$': '$.Payload.value' },
      ResultPath: '$.gate',
      Next: stateNames.gate(g.id),
    },
  );
  const test =
    typeof g.equals === 'boolean'
      ? { BooleanEquals: g.equals }
      : typeof g.equals === 'number'
        ? { NumericEquals: g.equals }
        : { StringEquals: g.equals };
  const isType =
    typeof g.equals === 'boolean'
      ? { IsBoolean: true }
      : typeof g.equals === 'number'
        ? { IsNumeric: true }
        : { IsString: true };
  states[stateNames.gate(g.id)] = {
    Type: 'Choice',
    Comment: g.question,
    Choices: [
      {
        And: [
          { Variable: '$.gate.value', ...isType },
          { Variable: '$.gate.value', ...test },
        ],
        Next: entryState(g.then),
      },
    ],
    Default: entryState(g.else),
  };
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Applies `definitionSubstitutions` the way Step Functions does: every `${Name}` is replaced. */
export function applySubstitutions(definition: string, substitutions: Readonly<Record<string, string>>): string {
  return definition.replace(/\$\{([A-Za-z0-9_]+)\}/g, (match, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new RangeError(`No definition substitution for \${${name}}`);
    return value;
  });
}

/** The placeholders a compiled definition uses. */
/** The same definition as compact JSON (what a CloudFormation template carries). */
export function compactAsl(definition: string): string {
  return JSON.stringify(JSON.parse(definition));
}

export function placeholdersOf(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!))].sort();
}

export type { FlowNode };
