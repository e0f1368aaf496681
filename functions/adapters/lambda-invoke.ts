import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { SepakatError } from '../../core/errors.ts';
import { errorOf, isFailure } from '../signing/signing-invocation.ts';

/** Why an invocation gave no answer, as `invokeFunction` tells its caller's `unavailable`. */
export interface InvokeFailure {
  /** Only the SDK error's name or Lambda's FunctionError: never a message that could echo the payload. */
  readonly cause: Error;
  /** Refused by Lambda itself (a 4xx: no such function, no permission, a payload too large): the function never ran. */
  readonly refused: boolean;
}

/**
 * One synchronous (RequestResponse) invocation of a function of ours that answers `{ result }` or
 * `{ error: { name, code, message } }` (the signing and render functions). A refusal in the answer is raised as the
 * same SepakatError; a failure of the invocation itself is the caller's `unavailable` error. Nothing here quotes the
 * payload.
 */
export async function invokeFunction(
  target: { readonly lambda: LambdaClient; readonly functionName: string },
  request: unknown,
  unavailable: (failure: InvokeFailure) => SepakatError,
): Promise<unknown> {
  let out;
  try {
    out = await target.lambda.send(
      new InvokeCommand({
        FunctionName: target.functionName,
        InvocationType: 'RequestResponse',
        LogType: 'None',
        Payload: new TextEncoder().encode(JSON.stringify(request)),
      }),
    );
  } catch (error) {
    throw unavailable({
      cause: new Error((error as Error)?.name ?? 'InvokeError'),
      refused: (error as { $fault?: string }).$fault === 'client',
    });
  }
  if (out.FunctionError || !out.Payload)
    throw unavailable({ cause: new Error(out.FunctionError ?? 'no payload'), refused: false });
  const answer: unknown = JSON.parse(new TextDecoder().decode(out.Payload));
  if (isFailure(answer)) throw errorOf(answer.error);
  return (answer as { result: unknown }).result;
}
