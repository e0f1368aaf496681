import type { Clock } from '../case/model.ts';
import { DEFAULT_SWEEP_GRACE_MS, type NumberRegister, type SweepReport } from './numbering.ts';

/**
 * The scheduled repair of every pemda's register: voids, with the reason "alokasi terputus", every number taken from
 * a counter but never recorded (a crash inside an allocation) once it is older than the grace period, so the
 * register keeps no hole.
 */
export async function sweepRegisters(deps: {
  pemdaIds(): string[];
  register(pemdaId: string): Pick<NumberRegister, 'sweepHoles'>;
  clock: Clock;
  graceMs?: number;
}): Promise<{ voided: number; reports: (SweepReport & { pemdaId: string })[] }> {
  const olderThan = new Date(deps.clock.now().getTime() - (deps.graceMs ?? DEFAULT_SWEEP_GRACE_MS));
  const reports = [];
  for (const pemdaId of deps.pemdaIds())
    reports.push({ pemdaId, ...(await deps.register(pemdaId).sweepHoles({ olderThan })) });
  return { voided: reports.reduce((n, r) => n + r.voided.length, 0), reports };
}
