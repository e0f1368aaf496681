import { describe, expect, it } from 'vitest';
import { answerBefore } from '../core/case/case-runtime.ts';

/**
 * What a wait that enters its activity learns from the position it enters from (compile-sop passes it whole): the
 * answer of the activation just before, or nothing, in which case the opening reads that activation's task.
 */
describe('answerBefore', () => {
  it("takes a wait's answer for the activation right after it", () => {
    expect(answerBefore({ node: 'L5.1', seq: 7, choice: 'perlu-revisi' }, 8)).toEqual({
      node: 'L5.1',
      choice: 'perlu-revisi',
    });
  });

  it('says nothing for a position of another activation, without a choice, or absent', () => {
    // A position two activations back (not the answer this activation was entered by).
    expect(answerBefore({ node: 'L5.1', seq: 6, choice: 'lanjut' }, 8)).toBeUndefined();
    // Where a new or resumed execution starts: a node and an activation, no answer.
    expect(answerBefore({ node: '_mulai', seq: 0 }, 1)).toBeUndefined();
    expect(answerBefore({ node: 'L4', seq: 3 }, 4)).toBeUndefined();
    // An execution of an older state machine passes no position.
    expect(answerBefore(undefined, 4)).toBeUndefined();
    expect(answerBefore({ seq: 3, choice: 'lanjut' }, 4)).toBeUndefined();
  });
});
