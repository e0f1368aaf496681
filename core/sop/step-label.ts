import type { Activity, Sop } from './load-sop.ts';
import { isGate } from './schema.ts';

/**
 * How every page and email names a step: "Langkah 5 — Menelaah kelayakan permohonan". The number is the step's as
 * the SOP table prints it ("5", "13."), without a trailing dot, so no label reads "Langkah 1.." or "Langkah 1.:".
 * One function for all of them (pages and emails through the `labelLangkah` helper of functions/render/handlebars.ts).
 */
export function stepNumber(no: string): string {
  return no.trim().replace(/[\s.:]+$/, '');
}

/** "Langkah <no> — <text>"; the text alone when the step has no number (a gate). */
export function stepLabel(no: string | undefined | null, text: string): string {
  const n = no ? stepNumber(no) : '';
  return n ? `Langkah ${n} — ${text}` : text;
}

/** An activity named by its step's number and what it asks (for a link of a chain, the link's own action). */
export function activityLabel(sop: Pick<Sop, 'step'>, activity: Pick<Activity, 'stepId' | 'label'>): string {
  const step = sop.step(activity.stepId);
  return stepLabel(isGate(step) ? undefined : step.no, activity.label);
}
