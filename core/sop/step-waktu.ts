import { isGate, type Gate, type Step } from './schema.ts';
import type { Waktu } from './waktu.ts';

/**
 * The Waktu a step adds to a total: its links' own where a link of its chain states one (each link, a link without
 * its own taking the step's, as its task is due), else the step's Waktu once, as the SOP table writes it. A gate
 * adds nothing.
 */
export function waktuOfStep(step: Step | Gate): (Waktu | null)[] {
  if (isGate(step)) return [];
  if (countsEachLink(step)) return step.chain!.map((link) => link.waktu ?? step.waktu);
  return [step.waktu];
}

/** Whether a step's total counts each link of its chain: some link states its own Waktu. */
export function countsEachLink(step: Step | Gate): boolean {
  return !isGate(step) && !!step.chain?.some((link) => link.waktu);
}
