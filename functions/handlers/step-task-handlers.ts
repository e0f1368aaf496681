import { z } from 'zod';
import { parseJob } from '../../core/case/jobs.ts';
import { TERMINALS } from '../../core/sop/schema.ts';
import type { App } from '../app.ts';
import { log as processLog, type Log, type LogKeys } from '../observability/log.ts';

/**
 * The Lambda handlers the compiled state machines call (through `definitionSubstitutions`). Each parses its
 * event, calls one use case and returns its result; errors keep their names for Retry/Catch. A failure is logged
 * with the case id and the SOP step as keys, never the event (a task token, links and personal data are in it).
 */
const caseId = z.string().min(1).max(100);
const node = z.string().min(1).max(40);
const seq = z.number().int().min(0);

const EnterEvent = z.object({ caseId, node, after: seq, stepId: z.string().min(1).max(40).optional() });
const OpenTaskEvent = z.union([
  z.object({ caseId, node, seq, taskToken: z.string().min(1), executionArn: z.string().min(1) }),
  /** A wait that enters its activity: `after`, the activation it enters from, and the step's id. */
  z.object({
    caseId,
    node,
    after: seq,
    stepId: z.string().min(1).max(40),
    taskToken: z.string().min(1),
    executionArn: z.string().min(1),
    /**
     * The position it enters from (absent in executions of an older state machine): the previous wait's answer, or
     * wherever the execution started. Only what it says is taken; a position of another shape is ignored.
     */
    position: z
      .object({ node: z.string().max(40).optional(), seq: seq.optional(), choice: z.string().max(100).optional() })
      .optional()
      .catch(undefined),
  }),
]);
const AutomaticEvent = z.object({
  caseId,
  node,
  seq,
  phase: z.enum(['before', 'choice', 'gagal']),
  choice: z.string().optional(),
  index: z.number().int().min(0),
  /** phase "gagal": the error Step Functions caught ({ Error, Cause }). */
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  /** phase "gagal": the execution (its ARN), so a retry of the recording records the failure once. */
  execution: z.string().min(1).max(1024).optional(),
});
const CaseDataEvent = z.object({ caseId, field: z.string().min(1) });
const FinishEvent = z.object({ caseId, outcome: z.enum(TERMINALS), after: seq });
const ContinueEvent = z.object({ caseId, node, seq, executionArn: z.string().min(1) });

/** The keys of an event that may be logged: the case id, the step (node) and the activation; nothing else. */
function keysOf(event: unknown): LogKeys {
  if (typeof event !== 'object' || event === null) return {};
  const e = event as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && /^[\w.:#-]{1,100}$/.test(v) ? v : undefined);
  return {
    caseId: text(e['caseId']),
    step: text(e['node']),
    seq: typeof e['seq'] === 'number' ? e['seq'] : undefined,
    job: text(e['kind']),
  };
}

/** Each handler, logging its failure (then rethrowing it unchanged for Retry/Catch). */
function logged<H extends Record<string, (event: unknown) => Promise<unknown>>>(handlers: H, logger: Log): H {
  return Object.fromEntries(
    Object.entries(handlers).map(([name, run]) => [
      name,
      async (event: unknown) => {
        try {
          return await run(event);
        } catch (error) {
          logger.error(`${name} gagal`, { handler: name, ...keysOf(event), error });
          throw error;
        }
      },
    ]),
  ) as H;
}

export function stepTaskHandlers(app: App, logger: Log = processLog) {
  const { runtime } = app;
  return logged(handlerTable(app, runtime, logger), logger);
}

function handlerTable(app: App, runtime: App['runtime'], logger: Log) {
  return {
    enterStep: async (event: unknown) => runtime.enterStep(EnterEvent.parse(event)),
    openTask: async (event: unknown) => {
      // A task's due times are computed as it opens: on the holiday years imported so far (read again each minute).
      await app.calendars.refresh();
      await runtime.openTask(OpenTaskEvent.parse(event));
      return { waiting: true };
    },
    automatic: async (event: unknown) => {
      const parsed = AutomaticEvent.parse(event);
      return parsed.phase === 'gagal'
        ? runtime.recordFailure({ ...parsed, error: parsed.error ?? {} })
        : runtime.runAutomatic({ ...parsed, phase: parsed.phase });
    },
    /** The same use case for document work, deployed as the function sized for Chromium. */
    document: async (event: unknown) => {
      const parsed = AutomaticEvent.parse(event);
      if (parsed.phase === 'gagal') throw new Error('phase "gagal" goes to the automatic function');
      return runtime.runAutomatic({ ...parsed, phase: parsed.phase });
    },
    caseData: async (event: unknown) => runtime.readCaseData(CaseDataEvent.parse(event)),
    finishCase: async (event: unknown) => runtime.finishCase(FinishEvent.parse(event)),
    continueCase: async (event: unknown) => runtime.continueCase(ContinueEvent.parse(event)),
    /**
     * Timed work that fell due: what EventBridge Scheduler invokes with a job as its event in AWS, and what the
     * local scheduler calls on the embedded default.
     */
    runSchedule: async (event: unknown) => {
      const job = parseJob(event);
      await app.calendars.refresh();
      return job.kind === 'pengingat-tugas' ? runtime.runScheduledJob(job) : app.agreements.runJob(job);
    },
    /** Scheduled: reports decisions stored but not reported (the report failed); resumes where the execution is gone. */
    reconcile: async () => runtime.reconcileDecisions(),
    /**
     * Scheduled: voids, with the reason "alokasi terputus", every number taken from a counter but never recorded
     * (a crash inside an allocation) once it is older than the grace period, so the register keeps no hole.
     */
    /**
     * Scheduled: what the intake's events left behind: confirmed permohonan without their case, unconfirmed ones
     * past their time, reservations whose manifest never came, lost manifest events, stray and late uploads.
     */
    sweepIntake: async () => {
      const outcomes = await app.intake.sweep();
      const count = (o: string) => outcomes.filter((x) => x.outcome === o).length;
      return { handled: outcomes.length, started: count('dimulai'), quarantined: count('dikarantina') };
    },
    sweepRegisters: () => app.sweepRegisters(),
    /**
     * Scheduled: active cases with no running execution are continued through the one continuation path; those
     * stopped on a recorded failure wait for a fix. One structured line with the counts (the `StrandedCases` metric
     * and its alarm read `found`); the counts are returned, never a case's data.
     */
    sweepStranded: async () => {
      const { checked, found, resumed, awaitingFix, failed } = await app.sweepStranded();
      const counts = { checked, found, resumed, awaitingFix, failed };
      if (found) logger.warn('sapuan kasus terdampar', { sweep: 'stranded', ...counts });
      else logger.info('sapuan kasus terdampar', { sweep: 'stranded', ...counts });
      return counts;
    },
  };
}

/**
 * SNS → Lambda: the SES configuration set's bounce and complaint events, each recorded on the case of the address
 * (core/case/mail-events.ts). Only the counts are logged, never the event (it names addresses).
 */
export function mailEventsHandler(app: App, logger: Log = processLog) {
  return logged(
    {
      mailEvents: async (event: unknown) => {
        const outcomes = await app.mailEvents.onSnsEvent(event);
        const recorded = outcomes.reduce((n, o) => n + o.recorded, 0);
        logger.info('peristiwa email dicatat', { events: outcomes.length, recorded });
        return { outcomes };
      },
    },
    logger,
  ).mailEvents;
}

/** S3 → Lambda: object-created events of the intake bucket. Only manifests start cases. */
const S3Event = z.object({
  Records: z.array(
    z.object({
      eventName: z.string(),
      s3: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string() }) }),
    }),
  ),
});

export function intakeHandler(app: App, logger: Log = processLog) {
  return logged({ intake: (event: unknown) => intake(app, event) }, logger).intake;
}

async function intake(app: App, event: unknown) {
  const parsed = S3Event.parse(event);
  const outcomes = [];
  for (const record of parsed.Records) {
    if (!record.eventName.startsWith('ObjectCreated:')) continue;
    // S3 event keys are URL-encoded with "+" for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    outcomes.push(await app.intake.onObjectCreated(record.s3.bucket.name, key));
  }
  return { outcomes };
}
