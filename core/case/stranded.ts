import { executionNameForIntake } from './intake.ts';
import type { CaseRecord, CaseStore, Clock, HistoryEvent, StepFunctionsPort } from './model.ts';

/**
 * The stranded-case sweep: an active case with no running execution waits for nothing and nobody (its execution
 * failed, was stopped, or never started). Each one found is continued through the one continuation path
 * (`CaseRuntime.resumeCase`), unless it stopped on a recorded failure (`otomatis-gagal`) that nobody resumed since:
 * its officials and administrator were told, and resuming before the cause is fixed would only fail (and tell them)
 * again, so it is counted as waiting for a fix, which is what an operator alarms on, with the cases that could not
 * be resumed. Run every 15 minutes in AWS and by the local runtime; safe to run at any time (a second execution at
 * the same position ends itself as superseded).
 */
export interface StrandedSweepDeps {
  store: Pick<CaseStore, 'listCases' | 'listHistory'>;
  sfn: Pick<StepFunctionsPort, 'runningExecutions'>;
  clock: Clock;
  stateMachineArn(sopKey: string): string;
  /** The one continuation path (CaseRuntime.resumeCase). */
  resume(caseId: string, reason: string): Promise<{ executionName: string } | undefined>;
}

export interface StrandedSweepResult {
  /** Active cases looked at. */
  checked: number;
  /** Active cases with no running execution (the `StrandedCases` count). */
  found: number;
  /** Of those, continued in a new execution. */
  resumed: number;
  /** Of those, stopped on a recorded failure nobody resumed since: left for an operator (`lanjutkan`) once fixed. */
  awaitingFix: number;
  /** Of those, whose continuation failed (the workflow service refused or was unreachable). */
  failed: number;
  /** The ids of the stranded cases and what became of each. */
  cases: { caseId: string; outcome: 'dilanjutkan' | 'menunggu-perbaikan' | 'gagal' }[];
}

/** A case just created or just moved may not show its execution yet: it is left to the next sweep. */
export const STRANDED_GRACE_MS = 5 * 60_000;

/** The executions of a case are named `permohonan-<intakeId>` (the first) and `<caseId>-…` (every continuation). */
export function isExecutionOf(record: Pick<CaseRecord, 'caseId' | 'intakeId'>, executionName: string): boolean {
  return executionName === executionNameForIntake(record.intakeId) || executionName.startsWith(`${record.caseId}-`);
}

/** Whether the case's latest recorded failure came after its latest continuation. */
export function awaitsFix(history: readonly HistoryEvent[]): boolean {
  const latest = (type: HistoryEvent['type']) =>
    history.filter((e) => e.type === type).reduce((at, e) => (e.at > at ? e.at : at), '');
  const failed = latest('otomatis-gagal');
  return failed !== '' && failed >= latest('kasus-dilanjutkan');
}

export async function sweepStranded(
  deps: StrandedSweepDeps,
  options: { graceMs?: number } = {},
): Promise<StrandedSweepResult> {
  const now = deps.clock.now().getTime();
  const grace = options.graceMs ?? STRANDED_GRACE_MS;
  const active = await deps.store.listCases('aktif');
  const running = new Map<string, Promise<string[]>>();
  const runningOn = (sopKey: string) => {
    const arn = deps.stateMachineArn(sopKey);
    let names = running.get(arn);
    if (!names) running.set(arn, (names = deps.sfn.runningExecutions(arn)));
    return names;
  };
  const result: StrandedSweepResult = {
    checked: active.length,
    found: 0,
    resumed: 0,
    awaitingFix: 0,
    failed: 0,
    cases: [],
  };
  for (const record of active) {
    const lastMove = Math.max(Date.parse(record.createdAt), Date.parse(record.cursor?.enteredAt ?? '') || 0);
    if (now - lastMove < grace) continue;
    if ((await runningOn(record.sopKey)).some((name) => isExecutionOf(record, name))) continue;
    result.found++;
    if (awaitsFix(await deps.store.listHistory(record.caseId))) {
      result.awaitingFix++;
      result.cases.push({ caseId: record.caseId, outcome: 'menunggu-perbaikan' });
      continue;
    }
    try {
      // Closed meanwhile: nothing to continue, and nothing stranded.
      if (!(await deps.resume(record.caseId, 'sapuan-kasus-terdampar'))) {
        result.found--;
        continue;
      }
      result.resumed++;
      result.cases.push({ caseId: record.caseId, outcome: 'dilanjutkan' });
    } catch {
      result.failed++;
      result.cases.push({ caseId: record.caseId, outcome: 'gagal' });
    }
  }
  return result;
}
