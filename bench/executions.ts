import { ListExecutionsCommand, type ExecutionStatus, type SFNClient } from '@aws-sdk/client-sfn';
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
