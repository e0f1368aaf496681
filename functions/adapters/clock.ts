import type { Clock } from '../../core/ports.ts';

/**
 * The system clock behind the Clock port: the one place where the product reads the time. Everything else takes a
 * `Clock`, so that tests, the rules and the local runtime can set the time.
 */
export const systemClock: Clock = { now: () => new Date() };
