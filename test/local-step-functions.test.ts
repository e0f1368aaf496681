import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { DescribeExecutionCommandOutput, ExecutionStatus } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RESTART_CAUSE,
  startLocalStepFunctions,
  type LocalStepFunctions,
  type LocalStepFunctionsEvent,
  type LocalStepFunctionsOptions,
} from '../local/step-functions/local-step-functions.ts';

const REGION = 'ap-southeast-3';
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sepakat-sfn-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Runtime {
  sfn: LocalStepFunctions;
  client: SFNClient;
}

async function startRuntime(
  dataDir: string,
  invokeLambda: LocalStepFunctionsOptions['invokeLambda'],
  extra: Partial<LocalStepFunctionsOptions> = {},
): Promise<Runtime> {
  const sfn = await startLocalStepFunctions({ dataDir, invokeLambda, ...extra });
  cleanups.push(() => sfn.close());
  const client = new SFNClient({
    endpoint: sfn.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    disableHostPrefix: true,
  });
  cleanups.push(() => client.destroy());
  return { sfn, client };
}

/** Payloads handed to `.waitForTaskToken` Lambdas, awaited in arrival order. */
class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<(item: T) => void> = [];
  readonly all: T[] = [];

  push(item: T): void {
    this.all.push(item);
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  take(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise<T>((resolve) => this.waiters.push(resolve));
  }
}

function lambdaError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  { attempts = 300, intervalMs = 10 }: { attempts?: number; intervalMs?: number } = {},
): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met after ${attempts} attempts`);
}

async function waitForClosed(
  client: SFNClient,
  executionArn: string,
  options?: { attempts?: number; intervalMs?: number },
): Promise<DescribeExecutionCommandOutput> {
  return waitFor(async () => {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    return described.status === 'RUNNING' ? undefined : described;
  }, options);
}

async function expectSfnError(promise: Promise<unknown>, name: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name, $metadata: { httpStatusCode: 400 } });
}

const WAIT_FOR_DECISION = (catchers: unknown[] = [], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    StartAt: 'AwaitDecision',
    States: {
      AwaitDecision: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: 'sepakat-notify',
          Payload: {
            'caseId.$': '$.caseId',
            'taskToken.$': '$$.Task.Token',
            links: { 'approve.$': "States.Format('https://sepakat.local/approve?t={}', $$.Task.Token)" },
          },
        },
        TimeoutSeconds: 3600,
        ResultPath: '$.decision',
        ...(catchers.length > 0 ? { Catch: catchers } : {}),
        ...extra,
        Next: 'Done',
      },
      ...(catchers.length > 0
        ? { Handled: { Type: 'Pass', Result: 'handled', ResultPath: '$.outcome', End: true } }
        : {}),
      Done: { Type: 'Succeed' },
    },
  });

interface NotifyPayload {
  caseId: string;
  taskToken: string;
  links: { approve: string };
}

function notifyLambda(inbox: Inbox<NotifyPayload>): LocalStepFunctionsOptions['invokeLambda'] {
  return async (functionName, payload) => {
    if (functionName !== 'sepakat-notify') throw lambdaError('Sepakat.NotFound', `no function ${functionName}`);
    const notify = payload as NotifyPayload;
    if (notify.caseId === 'broken') throw lambdaError('Sepakat.NotFound', 'case broken not found');
    inbox.push(notify);
    return { notified: true };
  };
}

describe('local Step Functions service', () => {
  it('runs Pass, Choice and Lambda tasks to SUCCEEDED and serves Describe/List/History', async () => {
    const calls: Array<{ functionName: string; payload: unknown }> = [];
    const { sfn, client } = await startRuntime(await tempDir(), async (functionName, payload) => {
      calls.push({ functionName, payload });
      if (functionName === 'sepakat-draft') return { docId: `D-${(payload as { caseId: string }).caseId}` };
      if (functionName.endsWith(':function:sepakat-number')) return 'NO-001';
      throw lambdaError('Sepakat.NotFound', functionName);
    });
    const definition = JSON.stringify({
      StartAt: 'Prepare',
      States: {
        Prepare: {
          Type: 'Pass',
          Parameters: { 'caseId.$': '$.caseId', 'kind.$': '$.kind', 'execution.$': '$$.Execution.Name' },
          Next: 'Route',
        },
        Route: {
          Type: 'Choice',
          Choices: [{ Variable: '$.kind', StringEquals: 'mou', Next: 'Draft' }],
          Default: 'Reject',
        },
        Draft: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'sepakat-draft', 'Payload.$': '$' },
          ResultPath: '$.invoke',
          Next: 'Number',
        },
        Number: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:ap-southeast-3:000000000000:function:sepakat-number',
          InputPath: '$.invoke.Payload',
          ResultPath: '$.number',
          End: true,
        },
        Reject: { Type: 'Fail', Error: 'Sepakat.BadInput', Cause: 'jenis naskah tidak dikenal' },
      },
    });
    const stateMachineArn = sfn.registerStateMachine('sepakat-case', definition);
    expect(stateMachineArn).toBe('arn:aws:states:ap-southeast-3:000000000000:stateMachine:sepakat-case');

    const started = await client.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: 'case-42',
        input: JSON.stringify({ caseId: 'C42', kind: 'mou' }),
      }),
    );
    expect(started.executionArn).toBe('arn:aws:states:ap-southeast-3:000000000000:execution:sepakat-case:case-42');
    expect(started.startDate).toBeInstanceOf(Date);

    const done = await waitForClosed(client, started.executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.name).toBe('case-42');
    expect(done.stateMachineArn).toBe(stateMachineArn);
    expect(done.stopDate).toBeInstanceOf(Date);
    expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(done.startDate!.getTime());
    expect(JSON.parse(done.input!)).toEqual({ caseId: 'C42', kind: 'mou' });
    expect(JSON.parse(done.output!)).toEqual({
      caseId: 'C42',
      kind: 'mou',
      execution: 'case-42',
      invoke: { ExecutedVersion: '$LATEST', Payload: { docId: 'D-C42' }, StatusCode: 200 },
      number: 'NO-001',
    });
    expect(calls).toEqual([
      { functionName: 'sepakat-draft', payload: { caseId: 'C42', kind: 'mou', execution: 'case-42' } },
      {
        functionName: 'arn:aws:lambda:ap-southeast-3:000000000000:function:sepakat-number',
        payload: { docId: 'D-C42' },
      },
    ]);

    const rejected = await client.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: 'case-43',
        input: JSON.stringify({ caseId: 'C43', kind: 'x' }),
      }),
    );
    const failed = await waitForClosed(client, rejected.executionArn!);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Sepakat.BadInput', cause: 'jenis naskah tidak dikenal' });

    const succeededOnly = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED' }));
    expect(succeededOnly.executions?.map((e) => e.name)).toEqual(['case-42']);
    const all = await client.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(all.executions?.map((e) => e.name)).toEqual(['case-43', 'case-42']);
    expect(all.executions?.[0]?.startDate).toBeInstanceOf(Date);

    const machines = await client.send(new ListStateMachinesCommand({}));
    expect(machines.stateMachines?.map((m) => m.stateMachineArn)).toEqual([stateMachineArn]);
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn }));
    expect(described).toMatchObject({ name: 'sepakat-case', status: 'ACTIVE', type: 'STANDARD', definition });

    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn! }));
    const types = history.events?.map((event) => event.type);
    expect(types?.[0]).toBe('ExecutionStarted');
    expect(types?.at(-1)).toBe('ExecutionSucceeded');
    expect(types).toEqual(
      expect.arrayContaining(['PassStateEntered', 'ChoiceStateEntered', 'TaskStateEntered', 'TaskStateExited']),
    );
    expect(history.events?.[0]?.timestamp).toBeInstanceOf(Date);
    expect(history.events?.map((event) => event.id)).toEqual(types?.map((_, i) => i + 1));
  });

  it('resumes a .waitForTaskToken task with SendTaskSuccess (token single-use)', async () => {
    const inbox = new Inbox<NotifyPayload>();
    const { sfn, client } = await startRuntime(await tempDir(), notifyLambda(inbox));
    const stateMachineArn = sfn.registerStateMachine('sepakat-approval', WAIT_FOR_DECISION());
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'approve-1', input: JSON.stringify({ caseId: 'C1' }) }),
    );
    const payload = await inbox.take();
    expect(payload.caseId).toBe('C1');
    expect(payload.taskToken).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(payload.links.approve).toBe(`https://sepakat.local/approve?t=${payload.taskToken}`);
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    await client.send(new SendTaskHeartbeatCommand({ taskToken: payload.taskToken }));
    await expectSfnError(
      client.send(new SendTaskSuccessCommand({ taskToken: payload.taskToken, output: 'not json' })),
      'InvalidOutput',
    );
    await expectSfnError(client.send(new SendTaskSuccessCommand({ taskToken: 'nope', output: '{}' })), 'InvalidToken');
    await expectSfnError(
      client.send(new SendTaskSuccessCommand({ taskToken: 'A'.repeat(64), output: '{}' })),
      'TaskDoesNotExist',
    );

    await client.send(
      new SendTaskSuccessCommand({
        taskToken: payload.taskToken,
        output: JSON.stringify({ approved: true, by: 'kabag' }),
      }),
    );
    const done = await waitForClosed(client, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ caseId: 'C1', decision: { approved: true, by: 'kabag' } });

    await expectSfnError(
      client.send(new SendTaskSuccessCommand({ taskToken: payload.taskToken, output: '{}' })),
      'TaskDoesNotExist',
    );
    await expectSfnError(
      client.send(new SendTaskHeartbeatCommand({ taskToken: payload.taskToken })),
      'TaskDoesNotExist',
    );
  });

  it('fails a .waitForTaskToken task with SendTaskFailure, caught by a Catch on a custom name', async () => {
    const inbox = new Inbox<NotifyPayload>();
    const { sfn, client } = await startRuntime(await tempDir(), notifyLambda(inbox));
    const stateMachineArn = sfn.registerStateMachine(
      'sepakat-approval',
      WAIT_FOR_DECISION([{ ErrorEquals: ['Sepakat.Superseded'], ResultPath: '$.failure', Next: 'Handled' }]),
    );

    const caught = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'superseded', input: JSON.stringify({ caseId: 'C2' }) }),
    );
    const first = await inbox.take();
    await client.send(
      new SendTaskFailureCommand({ taskToken: first.taskToken, error: 'Sepakat.Superseded', cause: 'kasus pindah' }),
    );
    const handled = await waitForClosed(client, caught.executionArn!);
    expect(handled.status).toBe('SUCCEEDED');
    expect(JSON.parse(handled.output!)).toEqual({
      caseId: 'C2',
      failure: { Error: 'Sepakat.Superseded', Cause: 'kasus pindah' },
      outcome: 'handled',
    });

    // A name no Catch matches fails the execution with that error and cause.
    const uncaught = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'withdrawn', input: JSON.stringify({ caseId: 'C3' }) }),
    );
    const second = await inbox.take();
    await client.send(
      new SendTaskFailureCommand({ taskToken: second.taskToken, error: 'Sepakat.CaseClosed', cause: 'ditarik' }),
    );
    expect(await waitForClosed(client, uncaught.executionArn!)).toMatchObject({
      status: 'FAILED',
      error: 'Sepakat.CaseClosed',
      cause: 'ditarik',
    });

    // The invoke of the notifying Lambda itself failing fails the task with the Lambda's error name.
    const broken = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'broken', input: JSON.stringify({ caseId: 'broken' }) }),
    );
    expect(await waitForClosed(client, broken.executionArn!)).toMatchObject({
      status: 'FAILED',
      error: 'Sepakat.NotFound',
      cause: 'case broken not found',
    });
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: broken.executionArn! }));
    expect(history.events?.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      error: 'Sepakat.NotFound',
    });
  });

  it('times out a task via TimeoutSecondsPath as States.Timeout (about 1 s)', async () => {
    const inbox = new Inbox<NotifyPayload>();
    const { sfn, client } = await startRuntime(await tempDir(), notifyLambda(inbox));
    const definition = JSON.parse(
      WAIT_FOR_DECISION([{ ErrorEquals: ['States.Timeout'], ResultPath: '$.failure', Next: 'Handled' }]),
    ) as { States: { AwaitDecision: Record<string, unknown> } };
    delete definition.States.AwaitDecision.TimeoutSeconds;
    definition.States.AwaitDecision.TimeoutSecondsPath = '$.timeoutSeconds';
    const stateMachineArn = sfn.registerStateMachine('sepakat-deadline', JSON.stringify(definition));

    const startedAt = Date.now();
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ caseId: 'C4', timeoutSeconds: 1 }) }),
    );
    const payload = await inbox.take();
    // The timeout path is resolved against the state input; the reserved key never reaches the Lambda.
    expect(Object.keys(payload).sort()).toEqual(['caseId', 'links', 'taskToken']);
    const done = await waitForClosed(client, executionArn!, { attempts: 300, intervalMs: 20 });
    const elapsed = Date.now() - startedAt;
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toMatchObject({ outcome: 'handled', failure: { Error: 'States.Timeout' } });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(5000);

    await expectSfnError(
      client.send(new SendTaskSuccessCommand({ taskToken: payload.taskToken, output: '{}' })),
      'TaskTimedOut',
    );
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: executionArn! }));
    expect(history.events?.map((event) => event.type)).toContain('TaskTimedOut');
  });

  it('retries a task on a custom error name', async () => {
    let attempts = 0;
    const events: LocalStepFunctionsEvent[] = [];
    const { sfn, client } = await startRuntime(
      await tempDir(),
      async (functionName) => {
        attempts++;
        if (functionName === 'always-busy' || attempts < 3)
          throw lambdaError('Sepakat.Transient', 'DynamoDB throttled');
        return { stored: true };
      },
      { retryIntervalMs: 0, onEvent: (event) => events.push(event) },
    );
    const definitionFor = (functionName: string): string =>
      JSON.stringify({
        StartAt: 'Store',
        States: {
          Store: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: functionName, 'Payload.$': '$' },
            OutputPath: '$.Payload',
            Retry: [{ ErrorEquals: ['Sepakat.Transient'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
            End: true,
          },
        },
      });
    const flaky = sfn.registerStateMachine('sepakat-store', definitionFor('flaky'));
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: flaky, input: '{}' }));
    const done = await waitForClosed(client, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ stored: true });
    expect(attempts).toBe(3);
    expect(events.filter((e) => e.executionArn === executionArn && e.type === 'StateRetried')).toHaveLength(2);
    expect(events.filter((e) => e.executionArn === executionArn).map((e) => e.type)).toEqual(
      expect.arrayContaining(['ExecutionStarted', 'StateEntered', 'StateFailed', 'ExecutionSucceeded']),
    );

    attempts = 0;
    const busy = sfn.registerStateMachine('sepakat-store-busy', definitionFor('always-busy'));
    const second = await client.send(new StartExecutionCommand({ stateMachineArn: busy, input: '{}' }));
    expect(await waitForClosed(client, second.executionArn!)).toMatchObject({
      status: 'FAILED',
      error: 'Sepakat.Transient',
      cause: 'DynamoDB throttled',
    });
    expect(attempts).toBe(3); // the first try and MaxAttempts retries
  });

  it('starts idempotently with the same name and input, and refuses reuse otherwise', async () => {
    const inbox = new Inbox<NotifyPayload>();
    const { sfn, client } = await startRuntime(await tempDir(), notifyLambda(inbox));
    const stateMachineArn = sfn.registerStateMachine('sepakat-approval', WAIT_FOR_DECISION());

    const first = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'case-7_a', input: '{"caseId":"C7"}' }),
    );
    const again = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'case-7_a', input: '{ "caseId": "C7" }' }),
    );
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());
    await expectSfnError(
      client.send(new StartExecutionCommand({ stateMachineArn, name: 'case-7_a', input: '{"caseId":"C8"}' })),
      'ExecutionAlreadyExists',
    );
    const payload = await inbox.take();
    expect(inbox.all).toHaveLength(1);

    await client.send(new SendTaskSuccessCommand({ taskToken: payload.taskToken, output: '{}' }));
    expect((await waitForClosed(client, first.executionArn!)).status).toBe('SUCCEEDED');
    await expectSfnError(
      client.send(new StartExecutionCommand({ stateMachineArn, name: 'case-7_a', input: '{"caseId":"C7"}' })),
      'ExecutionAlreadyExists',
    );

    for (const name of ['', 'has space', 'x'.repeat(81), 'kasus/1', 'ü']) {
      await expectSfnError(
        client.send(new StartExecutionCommand({ stateMachineArn, name, input: '{}' })),
        'InvalidName',
      );
    }
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn, name: 'y'.repeat(80), input: '{"caseId":"C9"}' })),
    ).resolves.toMatchObject({ executionArn: expect.stringMatching(/:y{80}$/) });
    await expectSfnError(
      client.send(new StartExecutionCommand({ stateMachineArn, input: '{not json' })),
      'InvalidExecutionInput',
    );
    await expectSfnError(
      client.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}-missing`, input: '{}' })),
      'StateMachineDoesNotExist',
    );
    await expectSfnError(
      client.send(new DescribeExecutionCommand({ executionArn: `${first.executionArn!}-missing` })),
      'ExecutionDoesNotExist',
    );
    await expectSfnError(client.send(new DescribeExecutionCommand({ executionArn: 'nope' })), 'InvalidArn');
    await expectSfnError(client.send(new ListExecutionsCommand({ stateMachineArn: '' })), 'ValidationException');
  });

  it('aborts a waiting execution with StopExecution; its token is gone', async () => {
    const inbox = new Inbox<NotifyPayload>();
    const { sfn, client } = await startRuntime(await tempDir(), notifyLambda(inbox));
    const stateMachineArn = sfn.registerStateMachine(
      'sepakat-approval',
      WAIT_FOR_DECISION([{ ErrorEquals: ['States.ALL'], Next: 'Handled' }]),
    );
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'to-stop', input: '{"caseId":"C10"}' }),
    );
    const payload = await inbox.take();
    const stopped = await client.send(
      new StopExecutionCommand({ executionArn, error: 'Sepakat.CaseClosed', cause: 'permohonan ditarik' }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
      status: 'ABORTED',
      error: 'Sepakat.CaseClosed',
      cause: 'permohonan ditarik',
    });
    await expectSfnError(
      client.send(new SendTaskSuccessCommand({ taskToken: payload.taskToken, output: '{}' })),
      'TaskDoesNotExist',
    );
    await expectSfnError(
      client.send(new SendTaskFailureCommand({ taskToken: payload.taskToken, error: 'X' })),
      'TaskDoesNotExist',
    );
    // Stopping again is harmless; the status stays ABORTED (the Catch on States.ALL never ran).
    await client.send(new StopExecutionCommand({ executionArn }));
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'ABORTED' }));
    expect(listed.executions?.map((e) => e.executionArn)).toEqual([executionArn]);
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));
    expect(history.events?.[0]).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Sepakat.CaseClosed', cause: 'permohonan ditarik' },
    });
    expect(inbox.all).toHaveLength(1);
  });

  it('marks executions left RUNNING ABORTED after a restart and keeps names unique', async () => {
    const dataDir = await tempDir();
    const inbox = new Inbox<NotifyPayload>();
    const quick = JSON.stringify({
      StartAt: 'Done',
      States: { Done: { Type: 'Pass', Result: { ok: true }, End: true } },
    });

    const first = await startLocalStepFunctions({ dataDir, invokeLambda: notifyLambda(inbox) });
    const firstClient = new SFNClient({
      endpoint: first.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      disableHostPrefix: true,
    });
    const approvalArn = first.registerStateMachine('sepakat-approval', WAIT_FOR_DECISION());
    const quickArn = first.registerStateMachine('sepakat-quick', quick);
    const waiting = await firstClient.send(
      new StartExecutionCommand({ stateMachineArn: approvalArn, name: 'waiting-1', input: '{"caseId":"C11"}' }),
    );
    const oldToken = (await inbox.take()).taskToken;
    const finished = await firstClient.send(
      new StartExecutionCommand({ stateMachineArn: quickArn, name: 'done-1', input: '{}' }),
    );
    expect((await waitForClosed(firstClient, finished.executionArn!)).status).toBe('SUCCEEDED');
    firstClient.destroy();
    await first.close();

    const { sfn, client } = await startRuntime(dataDir, notifyLambda(inbox));
    expect(sfn.registerStateMachine('sepakat-approval', WAIT_FOR_DECISION())).toBe(approvalArn);
    sfn.registerStateMachine('sepakat-quick', quick);
    expect(await client.send(new DescribeExecutionCommand({ executionArn: waiting.executionArn! }))).toMatchObject({
      status: 'ABORTED',
      cause: RESTART_CAUSE,
      input: '{"caseId":"C11"}',
    });
    expect(await client.send(new DescribeExecutionCommand({ executionArn: finished.executionArn! }))).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"ok":true}',
    });
    await expectSfnError(
      client.send(
        new StartExecutionCommand({ stateMachineArn: approvalArn, name: 'waiting-1', input: '{"caseId":"C11"}' }),
      ),
      'ExecutionAlreadyExists',
    );
    await expectSfnError(
      client.send(new StartExecutionCommand({ stateMachineArn: quickArn, name: 'done-1', input: '{}' })),
      'ExecutionAlreadyExists',
    );
    await expectSfnError(
      client.send(new SendTaskSuccessCommand({ taskToken: oldToken, output: '{}' })),
      'TaskDoesNotExist',
    );
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: approvalArn }));
    expect(listed.executions?.map((e) => [e.name, e.status])).toEqual([['waiting-1', 'ABORTED']]);

    const lines = (await readFile(path.join(dataDir, 'executions.jsonl'), 'utf8')).trim().split('\n');
    const records = lines
      .map((line) => JSON.parse(line) as { kind?: string; name: string; status: ExecutionStatus })
      .filter((line) => line.kind !== 'events');
    expect(records.map((r) => `${r.name}:${r.status}`)).toEqual([
      'waiting-1:RUNNING',
      'done-1:RUNNING',
      'done-1:SUCCEEDED',
      'waiting-1:ABORTED',
    ]);
  });

  it('runs 200 concurrent waiting executions and resumes them all', async () => {
    const inbox = new Inbox<NotifyPayload>();
    const { sfn, client } = await startRuntime(await tempDir(), notifyLambda(inbox));
    const stateMachineArn = sfn.registerStateMachine('sepakat-approval', WAIT_FOR_DECISION());
    const count = 200;
    const t0 = Date.now();
    const started = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        client.send(
          new StartExecutionCommand({ stateMachineArn, name: `bulk-${i}`, input: JSON.stringify({ caseId: `B${i}` }) }),
        ),
      ),
    );
    const payloads = await Promise.all(Array.from({ length: count }, () => inbox.take()));
    expect(new Set(payloads.map((p) => p.taskToken)).size).toBe(count);
    const t1 = Date.now();
    await Promise.all(
      payloads.map((p) =>
        client.send(
          new SendTaskSuccessCommand({ taskToken: p.taskToken, output: JSON.stringify({ caseId: p.caseId }) }),
        ),
      ),
    );
    const succeeded = await waitFor(async () => {
      const listed = await client.send(
        new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED', maxResults: 1000 }),
      );
      return listed.executions?.length === count ? listed.executions : undefined;
    });
    const t2 = Date.now();
    console.info(`200 executions: started and waiting in ${t1 - t0} ms, all resumed and SUCCEEDED in ${t2 - t1} ms`);
    expect(new Set(succeeded.map((e) => e.executionArn))).toEqual(new Set(started.map((s) => s.executionArn)));

    const sample = await client.send(new DescribeExecutionCommand({ executionArn: started[123]!.executionArn! }));
    expect(JSON.parse(sample.output!)).toEqual({ caseId: 'B123', decision: { caseId: 'B123' } });

    // Paging through ListExecutions returns every execution exactly once.
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 60, nextToken }));
      seen.push(...(page.executions ?? []).map((e) => e.name!));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken && pages < 10);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(count);
  });
});
