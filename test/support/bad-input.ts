import { ErrorNames, isSepakatError } from '../../core/errors.ts';

/** The message of the BadInput that `fn` raises; fails the test when it raises none, or another error. */
export function badInput(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isSepakatError(error, ErrorNames.BadInput)) return error.message;
    throw error;
  }
  throw new Error('no BadInput thrown');
}
