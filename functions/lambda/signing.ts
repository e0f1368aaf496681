import { signingHandler } from '../handlers/signing-handler.ts';
import type { SigningAnswer } from '../signing/signing-invocation.ts';
import { lambdaApp, lambdaHandler } from './bootstrap.ts';

/**
 * The signing function (in the VPC, egress through the NAT gateway's Elastic IP): the app's own signer answers the
 * synchronous invocations of LambdaSigner. The event holds the official's credential: it is never logged (only the
 * request id is added to the log's context), and every refusal is returned, not thrown, so the runtime logs no
 * error either. Its trace keeps neither the event nor the response (the signed document's location).
 */
const app = await lambdaApp();
/** Built in the init phase (top-level await): the first signature does not wait for the App. */
const handle: (event: unknown) => Promise<SigningAnswer> = signingHandler({
  signer: app.providerSigner,
  s3: app.clients.s3,
  bucket: app.config.SEPAKAT_BUCKET_DOCUMENTS,
});

export const signing = lambdaHandler(handle, { captureResponse: false });
