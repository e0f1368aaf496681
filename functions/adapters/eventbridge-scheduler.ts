import { createHash } from 'node:crypto';
import { CreateScheduleCommand, DeleteScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import type { Clock, ScheduledItem, Scheduler } from '../../core/case/model.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';

/**
 * The Scheduler in AWS: one one-time EventBridge Scheduler schedule per key, whose target is the `runSchedule`
 * Lambda with the job as its input (the same handler the local scheduler calls). The schedule name is the key, so
 * scheduling a fact again is refused by EventBridge (ConflictException) and changes nothing; a fired schedule
 * deletes itself (ActionAfterCompletion DELETE), and the job it ran is idempotent if it is ever scheduled again.
 *
 * The adapter talks through the two operations it needs (`EventBridgeSchedulerApi`, the SDK's input shapes and
 * error names); `schedulerApi` binds them to `@aws-sdk/client-scheduler`.
 */
export interface CreateScheduleInput {
  Name: string;
  GroupName: string;
  /** `at(yyyy-mm-ddThh:mm:ss)`, read in ScheduleExpressionTimezone. */
  ScheduleExpression: string;
  ScheduleExpressionTimezone: 'UTC';
  FlexibleTimeWindow: { Mode: 'OFF' };
  ActionAfterCompletion: 'DELETE';
  Target: {
    Arn: string;
    RoleArn: string;
    /** The job, as JSON: the event the Lambda receives. */
    Input: string;
    RetryPolicy: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
    DeadLetterConfig?: { Arn: string };
  };
}

export interface EventBridgeSchedulerApi {
  createSchedule(input: CreateScheduleInput): Promise<void>;
  deleteSchedule(input: { Name: string; GroupName: string }): Promise<void>;
}

export interface EventBridgeSchedulerSettings {
  /** The schedule group (deleting it removes every pending reminder of a deployment). */
  groupName: string;
  /** ARN of the runSchedule function. */
  targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it (lambda:InvokeFunction on targetArn only). */
  roleArn: string;
  /** Where jobs go that could not be delivered after the retries (an SQS queue), if anywhere. */
  deadLetterArn?: string;
}

/** The two operations, through the AWS SDK's Scheduler client. */
export function schedulerApi(client: SchedulerClient): EventBridgeSchedulerApi {
  return {
    createSchedule: async (input) => void (await client.send(new CreateScheduleCommand(input))),
    deleteSchedule: async (input) => void (await client.send(new DeleteScheduleCommand(input))),
  };
}

const NAME = /^[0-9A-Za-z._-]{1,64}$/;

/** A schedule name for a key: the key itself when EventBridge allows it, else a hash of it. */
export function scheduleName(key: string): string {
  return NAME.test(key) ? key : `j.${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

/** `at()` takes whole seconds without a zone; a time already past is set a minute ahead (EventBridge wants the future). */
export function atExpression(at: Date, now: Date): string {
  const when = at.getTime() > now.getTime() + 60_000 ? at : new Date(now.getTime() + 60_000);
  return `at(${when.toISOString().slice(0, 19)})`;
}

const errorName = (error: unknown) => (error as { name?: string })?.name ?? '';

/** Throttling and 5xx become the product's Transient error (retried); anything else is a defect. */
function classified(error: unknown): never {
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0;
  if (status >= 500 || /Throttl|InternalServer|ServiceUnavailable|TimeoutError|ECONN/i.test(errorName(error)))
    throw new SepakatError(ErrorNames.Transient, 'EventBridge Scheduler sementara tidak tersedia', { cause: error });
  throw error;
}

export class EventBridgeScheduler implements Scheduler {
  constructor(
    private readonly api: EventBridgeSchedulerApi,
    private readonly settings: EventBridgeSchedulerSettings,
    private readonly clock: Clock,
  ) {}

  async schedule(item: ScheduledItem): Promise<'created' | 'exists'> {
    try {
      await this.api.createSchedule({
        Name: scheduleName(item.key),
        GroupName: this.settings.groupName,
        ScheduleExpression: atExpression(item.at, this.clock.now()),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: this.settings.targetArn,
          RoleArn: this.settings.roleArn,
          Input: JSON.stringify(item.job),
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 24 * 3600 },
          ...(this.settings.deadLetterArn ? { DeadLetterConfig: { Arn: this.settings.deadLetterArn } } : {}),
        },
      });
      return 'created';
    } catch (error) {
      if (errorName(error) === 'ConflictException') return 'exists';
      return classified(error);
    }
  }

  async cancel(key: string): Promise<void> {
    try {
      await this.api.deleteSchedule({ Name: scheduleName(key), GroupName: this.settings.groupName });
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') classified(error);
    }
  }
}
