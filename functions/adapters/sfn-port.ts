import {
  paginateListExecutions,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { StepFunctionsPort } from '../../core/case/model.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';

const nameOf = (error: unknown) => (error as { name?: string })?.name ?? '';
/** Errors that mean "the execution waiting on this token is gone": the decision stays stored and is replayed. */
const GONE = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken', 'ExecutionDoesNotExist']);

function rethrow(error: unknown): never {
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0;
  if (status >= 500 || /Throttl|TimeoutError|ECONN|socket/i.test(nameOf(error)))
    throw new SepakatError(ErrorNames.Transient, 'Step Functions sementara tidak tersedia', { cause: error });
  throw error;
}

/** Step Functions through the real SDK client; only its endpoint differs between AWS and the local runtime. */
export class SfnPort implements StepFunctionsPort {
  constructor(private readonly client: SFNClient) {}

  async startExecution(input: { stateMachineArn: string; name: string; input: string }): Promise<'started' | 'exists'> {
    try {
      await this.client.send(new StartExecutionCommand(input));
      return 'started';
    } catch (error) {
      if (nameOf(error) === 'ExecutionAlreadyExists') return 'exists';
      return rethrow(error);
    }
  }

  async sendTaskSuccess(token: string, output: string): Promise<'ok' | 'gone'> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken: token, output }));
      return 'ok';
    } catch (error) {
      if (GONE.has(nameOf(error))) return 'gone';
      return rethrow(error);
    }
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<'ok' | 'gone'> {
    try {
      await this.client.send(new SendTaskFailureCommand({ taskToken: token, error, cause }));
      return 'ok';
    } catch (err) {
      if (GONE.has(nameOf(err))) return 'gone';
      return rethrow(err);
    }
  }

  async runningExecutions(stateMachineArn: string): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const page of paginateListExecutions(
        { client: this.client, pageSize: 1000 },
        { stateMachineArn, statusFilter: 'RUNNING' },
      ))
        for (const execution of page.executions ?? []) if (execution.name) names.push(execution.name);
    } catch (error) {
      return rethrow(error);
    }
    return names;
  }

  async stopExecution(executionArn: string, error: string, cause: string): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn, error, cause }));
    } catch (err) {
      if (!GONE.has(nameOf(err))) rethrow(err);
    }
  }
}
