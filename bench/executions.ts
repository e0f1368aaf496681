import {
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type ExecutionStatus,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { until } from './stats.ts';

/** Counts a state machine's executions by status (all pages). */
export async function executionCounts(
  client: SFNClient,
  stateMachineArn: string,
): Promise<Partial<Record<ExecutionStatus, number>>> {
  const counts: Partial<Record<ExecutionStatus, number>> = {};
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
    );
    for (const e of page.executions ?? []) if (e.status) counts[e.status] = (counts[e.status] ?? 0) + 1;
    nextToken = page.nextToken;
  } while (nextToken);
  return counts;
}

/**
 * Waits until no execution of the machine is RUNNING (a case's last writes come after its end email), so the
 * request counts are complete; returns the final counts by status.
 */
export async function settleExecutions(
  client: SFNClient,
  stateMachineArn: string,
  timeoutMs = 30_000,
): Promise<Partial<Record<ExecutionStatus, number>>> {
  let counts: Partial<Record<ExecutionStatus, number>> = {};
  await until(async () => {
    counts = await executionCounts(client, stateMachineArn);
    return !counts.RUNNING;
  }, timeoutMs);
  return counts;
}

/**
 * What the executions of a state machine would cost in AWS, read from their histories (GetExecutionHistory, all
 * pages): Lambda invocations (each TaskScheduled of a Lambda resource, or LambdaFunctionScheduled: one per attempt,
 * so retries count) and state transitions (each `…StateEntered` event, what a Standard workflow is billed by).
 */
export async function executionCosts(
  client: SFNClient,
  stateMachineArn: string,
): Promise<{ executions: number; lambdaInvocations: number; stateTransitions: number }> {
  let executions = 0;
  let lambdaInvocations = 0;
  let stateTransitions = 0;
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
    );
    for (const e of page.executions ?? []) {
      executions++;
      let eventsToken: string | undefined;
      do {
        const history = await client.send(
          new GetExecutionHistoryCommand({
            executionArn: e.executionArn,
            maxResults: 1000,
            ...(eventsToken ? { nextToken: eventsToken } : {}),
          }),
        );
        for (const event of history.events ?? []) {
          const type = event.type ?? '';
          if (type.endsWith('StateEntered')) stateTransitions++;
          else if (type === 'LambdaFunctionScheduled') lambdaInvocations++;
          else if (type === 'TaskScheduled' && event.taskScheduledEventDetails?.resourceType === 'lambda')
            lambdaInvocations++;
        }
        eventsToken = history.nextToken;
      } while (eventsToken);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return { executions, lambdaInvocations, stateTransitions };
}
