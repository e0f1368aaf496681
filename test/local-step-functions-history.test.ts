/**
 * The local Step Functions service keeps the history of an execution as AWS does (90 days): every event, after
 * the execution finished and across a restart of the service, served by GetExecutionHistory with paging and
 * reverse order. Everything goes through the real @aws-sdk/client-sfn against the local service.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RESTART_CAUSE,
  startLocalStepFunctions,
  type LocalStepFunctions,
  type LocalStepFunctionsOptions,
} from '../local/step-functions/local-step-functions.ts';

const REGION = 'ap-southeast-3';
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sepakat-sfn-history-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Service {
  sfn: LocalStepFunctions;
  client: SFNClient;
  /** Closes the service now (a restart); the cleanup does nothing more. */
  stop: () => Promise<void>;
}

async function startService(
  dataDir: string,
  invokeLambda: LocalStepFunctionsOptions['invokeLambda'],
  extra: Partial<LocalStepFunctionsOptions> = {},
): Promise<Service> {
  const sfn = await startLocalStepFunctions({ dataDir, invokeLambda, ...extra });
  const client = new SFNClient({
    endpoint: sfn.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    disableHostPrefix: true,
  });
  const stop = async (): Promise<void> => {
    client.destroy();
    await sfn.close();
  };
  cleanups.push(stop);
  return { sfn, client, stop };
}

interface NotifyPayload {
  caseId: string;
  taskToken: string;
}

/** The tokens handed to the notifying Lambda, in arrival order. */
class Inbox {
  private readonly items: NotifyPayload[] = [];
  private readonly waiters: Array<(item: NotifyPayload) => void> = [];

  push(item: NotifyPayload): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  take(): Promise<NotifyPayload> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

function lambdas(inbox: Inbox): LocalStepFunctionsOptions['invokeLambda'] {
  return async (functionName, payload) => {
    if (functionName === 'sepakat-draft') return { docId: `D-${(payload as { caseId: string }).caseId}` };
    if (functionName === 'sepakat-notify') {
      inbox.push(payload as NotifyPayload);
      return { emailId: `E-${(payload as NotifyPayload).caseId}` };
    }
    throw Object.assign(new Error(`no function ${functionName}`), { name: 'Sepakat.NotFound' });
  };
}

/** A step of automatic work, then a wait for an official (the shape of a compiled SOP step). */
const CASE_MACHINE = JSON.stringify({
  StartAt: 'Draft',
  States: {
    Draft: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'sepakat-draft', 'Payload.$': '$' },
      ResultSelector: { 'docId.$': '$.Payload.docId' },
      ResultPath: '$.draft',
      Next: 'Route',
    },
    Route: {
      Type: 'Choice',
      Choices: [{ Variable: '$.caseId', StringEquals: 'skip', Next: 'Done' }],
      Default: 'AwaitDecision',
    },
    AwaitDecision: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'sepakat-notify',
        Payload: { 'caseId.$': '$.caseId', 'taskToken.$': '$$.Task.Token' },
      },
      TimeoutSeconds: 3600,
      ResultPath: '$.decision',
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
});

const UP_TO_THE_WAIT = [
  'ExecutionStarted',
  'TaskStateEntered',
  'TaskScheduled',
  'TaskStarted',
  'TaskSucceeded',
  'TaskStateExited',
  'ChoiceStateEntered',
  'ChoiceStateExited',
  'TaskStateEntered',
  'TaskScheduled',
  'TaskStarted',
  'TaskSubmitted',
];
const SUCCEEDED = [
  ...UP_TO_THE_WAIT,
  'TaskSucceeded',
  'TaskStateExited',
  'SucceedStateEntered',
  'SucceedStateExited',
  'ExecutionSucceeded',
];

async function waitFor<T>(probe: () => Promise<T | undefined>, attempts = 300, intervalMs = 10): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met after ${attempts} attempts`);
}

async function waitForStatus(client: SFNClient, executionArn: string, status: string): Promise<void> {
  await waitFor(async () => {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    return described.status === status ? true : undefined;
  });
}

/** Every event, page by page; also returns how many pages it took. */
async function fullHistory(
  client: SFNClient,
  executionArn: string,
  options: { maxResults?: number; reverseOrder?: boolean; includeExecutionData?: boolean } = {},
): Promise<{ events: HistoryEvent[]; pages: number }> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, ...options, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
    pages++;
  } while (nextToken && pages < 100);
  return { events, pages };
}

const typesOf = (events: HistoryEvent[]): string[] => events.map((event) => event.type ?? '?');

/** The ids count from 1, each event follows the one before, and time never goes back. */
function expectWellFormed(events: HistoryEvent[]): void {
  expect(events.map((event) => event.id)).toEqual(events.map((_, i) => i + 1));
  expect(events.map((event) => event.previousEventId)).toEqual(events.map((_, i) => i));
  for (let i = 1; i < events.length; i++) {
    expect(events[i]!.timestamp!.getTime()).toBeGreaterThanOrEqual(events[i - 1]!.timestamp!.getTime());
  }
}

describe('the history of executions in the local Step Functions service', () => {
  it('keeps every event of a succeeded and an aborted execution across a restart, paged in both orders', async () => {
    const dataDir = await tempDir();
    const inbox = new Inbox();
    const first = await startService(dataDir, lambdas(inbox));
    const stateMachineArn = first.sfn.registerStateMachine('sepakat-case', CASE_MACHINE);

    const ok = await first.client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'case-ok', input: JSON.stringify({ caseId: 'C1' }) }),
    );
    const okToken = (await inbox.take()).taskToken;
    await first.client.send(
      new SendTaskSuccessCommand({ taskToken: okToken, output: JSON.stringify({ choice: 'lanjut' }) }),
    );
    await waitForStatus(first.client, ok.executionArn!, 'SUCCEEDED');

    const stopped = await first.client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'case-stopped', input: JSON.stringify({ caseId: 'C2' }) }),
    );
    const stoppedToken = (await inbox.take()).taskToken;
    await waitFor(async () => {
      const { events } = await fullHistory(first.client, stopped.executionArn!);
      return events.some((event) => event.type === 'TaskSubmitted') ? true : undefined;
    });
    await first.client.send(
      new StopExecutionCommand({
        executionArn: stopped.executionArn!,
        error: 'Sepakat.CaseClosed',
        cause: 'permohonan ditarik',
      }),
    );

    const okBefore = (await fullHistory(first.client, ok.executionArn!)).events;
    const stoppedBefore = (await fullHistory(first.client, stopped.executionArn!)).events;
    expect(typesOf(okBefore)).toEqual(SUCCEEDED);
    expect(typesOf(stoppedBefore)).toEqual([...UP_TO_THE_WAIT, 'ExecutionAborted']);
    expectWellFormed(okBefore);
    expectWellFormed(stoppedBefore);

    // The events carry what AWS puts in them.
    const [draftScheduled, waitScheduled] = okBefore.filter((event) => event.type === 'TaskScheduled');
    expect(draftScheduled?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      region: REGION,
    });
    expect(JSON.parse(draftScheduled!.taskScheduledEventDetails!.parameters!)).toEqual({
      FunctionName: 'sepakat-draft',
      Payload: { caseId: 'C1' },
    });
    expect(waitScheduled?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      timeoutInSeconds: 3600,
    });
    // The task token is a capability: the history names it without keeping it.
    expect(JSON.parse(waitScheduled!.taskScheduledEventDetails!.parameters!)).toEqual({
      FunctionName: 'sepakat-notify',
      Payload: { caseId: 'C1', taskToken: '[task token]' },
    });
    expect(okBefore.find((event) => event.type === 'TaskSubmitted')?.taskSubmittedEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      output: JSON.stringify({ emailId: 'E-C1' }),
      outputDetails: { truncated: false },
    });
    const succeeded = okBefore.filter((event) => event.type === 'TaskSucceeded');
    expect(JSON.parse(succeeded[0]!.taskSucceededEventDetails!.output!)).toEqual({
      ExecutedVersion: '$LATEST',
      Payload: { docId: 'D-C1' },
      StatusCode: 200,
    });
    expect(succeeded[1]!.taskSucceededEventDetails).toMatchObject({
      resource: 'invoke.waitForTaskToken',
      output: JSON.stringify({ choice: 'lanjut' }),
    });
    expect(okBefore.at(-1)?.executionSucceededEventDetails?.output).toBe(
      JSON.stringify({ caseId: 'C1', draft: { docId: 'D-C1' }, decision: { choice: 'lanjut' } }),
    );
    expect(stoppedBefore.at(-1)?.executionAbortedEventDetails).toEqual({
      error: 'Sepakat.CaseClosed',
      cause: 'permohonan ditarik',
    });

    await first.stop();
    const onDisk = await readFile(path.join(dataDir, 'executions.jsonl'), 'utf8');
    expect(onDisk).not.toContain(okToken);
    expect(onDisk).not.toContain(stoppedToken);

    // A restart of the service keeps both histories, event for event.
    const second = await startService(dataDir, lambdas(inbox));
    second.sfn.registerStateMachine('sepakat-case', CASE_MACHINE);
    const okAfter = await fullHistory(second.client, ok.executionArn!, { maxResults: 5 });
    expect(okAfter.pages).toBe(4); // 17 events, 5 a page
    expect(okAfter.events).toEqual(okBefore);
    const stoppedAfter = await fullHistory(second.client, stopped.executionArn!, { maxResults: 5 });
    expect(stoppedAfter.events).toEqual(stoppedBefore);

    const reversed = await fullHistory(second.client, ok.executionArn!, { maxResults: 4, reverseOrder: true });
    expect(reversed.pages).toBe(5);
    expect(reversed.events).toEqual([...okBefore].reverse());
    const newestFirst = await second.client.send(
      new GetExecutionHistoryCommand({ executionArn: stopped.executionArn!, reverseOrder: true, maxResults: 2 }),
    );
    expect(typesOf(newestFirst.events ?? [])).toEqual(['ExecutionAborted', 'TaskSubmitted']);

    // A page token belongs to its order; without execution data the events keep no input, output or parameters.
    const firstPage = await second.client.send(
      new GetExecutionHistoryCommand({ executionArn: ok.executionArn!, maxResults: 3 }),
    );
    await expect(
      second.client.send(
        new GetExecutionHistoryCommand({
          executionArn: ok.executionArn!,
          reverseOrder: true,
          nextToken: firstPage.nextToken,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
    const bare = await fullHistory(second.client, ok.executionArn!, { includeExecutionData: false });
    expect(typesOf(bare.events)).toEqual(SUCCEEDED);
    const bareText = JSON.stringify(bare.events);
    expect(bareText).not.toContain('"input"');
    expect(bareText).not.toContain('"output"');
    expect(bareText).not.toContain('"parameters"');
    expect(bare.events[2]?.taskScheduledEventDetails).toMatchObject({ resource: 'invoke', region: REGION });
  });

  it('keeps the events of an execution that was waiting when the service stopped, ended by ExecutionAborted', async () => {
    const dataDir = await tempDir();
    const inbox = new Inbox();
    const first = await startService(dataDir, lambdas(inbox));
    const stateMachineArn = first.sfn.registerStateMachine('sepakat-case', CASE_MACHINE);
    const { executionArn } = await first.client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'case-waiting', input: JSON.stringify({ caseId: 'C3' }) }),
    );
    await inbox.take();
    await waitFor(async () => {
      const { events } = await fullHistory(first.client, executionArn!);
      return events.at(-1)?.type === 'TaskSubmitted' ? true : undefined;
    });
    await first.stop();

    const second = await startService(dataDir, lambdas(inbox));
    const { events } = await fullHistory(second.client, executionArn!, { maxResults: 7 });
    expect(typesOf(events)).toEqual([...UP_TO_THE_WAIT, 'ExecutionAborted']);
    expectWellFormed(events);
    expect(events.at(-1)?.executionAbortedEventDetails).toEqual({ cause: RESTART_CAUSE });
  });

  it('records retries as a failed and a new attempt, and a plain Lambda ARN as LambdaFunction events', async () => {
    let calls = 0;
    const { sfn, client } = await startService(
      await tempDir(),
      async (functionName) => {
        calls++;
        if (functionName === 'sepakat-store' && calls === 1) {
          throw Object.assign(new Error('DynamoDB throttled'), { name: 'Sepakat.Transient' });
        }
        if (functionName.endsWith(':function:sepakat-number')) return 'NO-001';
        return { stored: true };
      },
      { retryIntervalMs: 0 },
    );
    const stateMachineArn = sfn.registerStateMachine(
      'sepakat-store',
      JSON.stringify({
        StartAt: 'Store',
        States: {
          Store: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'sepakat-store', 'Payload.$': '$' },
            Retry: [{ ErrorEquals: ['Sepakat.Transient'], IntervalSeconds: 1, MaxAttempts: 2 }],
            ResultPath: null,
            Next: 'Number',
          },
          Number: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:ap-southeast-3:000000000000:function:sepakat-number',
            TimeoutSeconds: 30,
            ResultPath: '$.nomor',
            End: true,
          },
        },
      }),
    );
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ caseId: 'C4' }) }),
    );
    await waitForStatus(client, executionArn!, 'SUCCEEDED');
    const { events } = await fullHistory(client, executionArn!);
    expect(typesOf(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expectWellFormed(events);
    expect(events[4]?.taskFailedEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'Sepakat.Transient',
      cause: 'DynamoDB throttled',
    });
    expect(events[10]?.lambdaFunctionScheduledEventDetails).toEqual({
      resource: 'arn:aws:lambda:ap-southeast-3:000000000000:function:sepakat-number',
      input: JSON.stringify({ caseId: 'C4' }),
      inputDetails: { truncated: false },
      timeoutInSeconds: 30,
    });
    expect(events[12]?.lambdaFunctionSucceededEventDetails).toEqual({
      output: '"NO-001"',
      outputDetails: { truncated: false },
    });
  });

  it('keeps at most 256 KB of a payload in an event, cut on a character boundary and marked truncated', async () => {
    const big = 'é'.repeat(200_000); // 400,000 bytes of UTF-8
    const { sfn, client } = await startService(await tempDir(), async () => big);
    const stateMachineArn = sfn.registerStateMachine(
      'sepakat-big',
      JSON.stringify({
        StartAt: 'Render',
        States: {
          Render: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'sepakat-render', Payload: {} },
            OutputPath: '$.Payload',
            End: true,
          },
        },
      }),
    );
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    await waitForStatus(client, executionArn!, 'SUCCEEDED');
    const { events } = await fullHistory(client, executionArn!);
    const taskOutput = events.find((event) => event.type === 'TaskSucceeded')!.taskSucceededEventDetails!;
    const stateOutput = events.find((event) => event.type === 'TaskStateExited')!.stateExitedEventDetails!;
    const executionOutput = events.at(-1)!.executionSucceededEventDetails!;
    for (const details of [taskOutput, stateOutput, executionOutput]) {
      expect(details.outputDetails).toEqual({ truncated: true });
      const bytes = Buffer.byteLength(details.output!, 'utf8');
      expect(bytes).toBeLessThanOrEqual(262_144);
      expect(bytes).toBeGreaterThan(262_140);
      expect(details.output).not.toContain('\uFFFD');
    }
    expect(stateOutput.output === `"${'é'.repeat(131_071)}`, 'the state output is cut after 131,071 é').toBe(true);
    // DescribeExecution still answers the whole output.
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(JSON.parse(described.output!)).toBe(big);
  });

  it('drops the executions that finished more than 90 days ago at start, and keeps the others', async () => {
    const dataDir = await tempDir();
    const quick = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', Result: 'ok', End: true } } });
    const first = await startService(dataDir, async () => null);
    const stateMachineArn = first.sfn.registerStateMachine('sepakat-quick', quick);
    const arns: Record<string, string> = {};
    for (const name of ['old', 'recent']) {
      const { executionArn } = await first.client.send(new StartExecutionCommand({ stateMachineArn, name }));
      await waitForStatus(first.client, executionArn!, 'SUCCEEDED');
      arns[name] = executionArn!;
    }
    const recentHistory = (await fullHistory(first.client, arns.recent!)).events;
    await first.stop();

    // The execution 'old' finished 91 days ago, 'recent' 89 days ago.
    const file = path.join(dataDir, 'executions.jsonl');
    const day = 24 * 3600 * 1000;
    const aged = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => {
        const parsed = JSON.parse(line) as { kind?: string; name?: string; stopDate?: number };
        if (parsed.kind === 'events' || parsed.stopDate === undefined) return line;
        return JSON.stringify({ ...parsed, stopDate: Date.now() - (parsed.name === 'old' ? 91 : 89) * day });
      });
    await writeFile(file, `${aged.join('\n')}\n`);

    const second = await startService(dataDir, async () => null);
    second.sfn.registerStateMachine('sepakat-quick', quick);
    await expect(second.client.send(new DescribeExecutionCommand({ executionArn: arns.old! }))).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
    await expect(second.client.send(new GetExecutionHistoryCommand({ executionArn: arns.old! }))).rejects.toMatchObject(
      { name: 'ExecutionDoesNotExist' },
    );
    expect((await fullHistory(second.client, arns.recent!)).events).toEqual(recentHistory);
    const rewritten = await readFile(file, 'utf8');
    expect(rewritten).not.toContain(arns.old!);
    expect(rewritten).toContain(arns.recent!);
    // As in AWS, the name of an execution gone after 90 days can be used again.
    const again = await second.client.send(new StartExecutionCommand({ stateMachineArn, name: 'old' }));
    expect(again.executionArn).toBe(arns.old);
  });
});
