/**
 * A local AWS Lambda API: the Invoke operation of the REST protocol
 * (`POST /2015-03-31/functions/{FunctionName}/invocations`), so the real `@aws-sdk/client-lambda` client invokes the
 * product's functions, run in process, as it invokes them in AWS (the signing function, through LambdaSigner).
 *
 * - FunctionName may be a name, an ARN or a partial ARN, with or without a qualifier (`$LATEST` only exists here).
 * - RequestResponse answers 200 with the function's JSON result; a function that throws answers 200 with
 *   `X-Amz-Function-Error: Unhandled` and `{errorType, errorMessage, trace}`, as Lambda does; Event answers 202
 *   and runs the function in the background; DryRun answers 204.
 * - An unknown function is 404 ResourceNotFoundException, a payload that is not JSON 400
 *   InvalidRequestContentException, one over 6 MB 413 RequestTooLargeException (Lambda's synchronous limit).
 * - Requests are not authenticated (the local services accept the marked local-development credentials), and
 *   nothing of a payload is logged: it can hold an official's passphrase.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A function run in process: JSON in, JSON out (what it returns is serialized as Lambda does). */
export type LocalFunction = (payload: unknown) => Promise<unknown>;

export interface LocalLambdaOptions {
  host?: string;
  port?: number;
  /** The function of a name (the last part of an ARN, without qualifier), or undefined when there is none. */
  functionOf: (name: string) => LocalFunction | undefined;
  /** Called with the error of a function run by an Event invocation (nobody else sees it). */
  onAsyncError?: (name: string, error: unknown) => void;
}

export interface LocalLambda {
  endpoint: string;
  close(): Promise<void>;
}

/** Lambda's limit on a synchronous invocation's request and response payloads. */
export const SYNC_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** `name`, `arn:aws:lambda:region:account:function:name[:qualifier]`, `account:function:name`, `name:qualifier`. */
export function functionNameOf(functionName: string): string {
  const parts = functionName.split(':');
  const at = parts.indexOf('function');
  return at >= 0 ? (parts[at + 1] ?? '') : parts[0]!;
}

export async function startLocalLambda(options: LocalLambdaOptions): Promise<LocalLambda> {
  const { host = '127.0.0.1', port = 0 } = options;
  const server = createServer((req, res) => {
    handle(options, req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500, 'ServiceException', 'Internal error of the local Lambda service.');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      server.closeIdleConnections();
      await closed;
    },
  };
}

async function handle(options: LocalLambdaOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const match = INVOKE_PATH.exec((req.url ?? '/').split('?')[0]!);
  if (req.method !== 'POST' || !match)
    return sendError(res, 404, 'UnknownOperationException', 'Only Invoke is served by the local Lambda service.');
  const requested = decodeURIComponent(match[1]!);
  const name = functionNameOf(requested);
  const fn = options.functionOf(name);
  if (!fn) return sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${name}`);

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > SYNC_PAYLOAD_LIMIT_BYTES)
      return sendError(
        res,
        413,
        'RequestTooLargeException',
        'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
      );
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks).toString('utf8');
  let payload: unknown = null;
  try {
    if (body.trim()) payload = JSON.parse(body);
  } catch {
    return sendError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
  }

  const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  if (type === 'DryRun') return void res.writeHead(204).end();
  if (type === 'Event') {
    fn(payload).catch((error: unknown) => options.onAsyncError?.(name, error));
    return void res.writeHead(202).end();
  }
  if (type !== 'RequestResponse')
    return sendError(res, 400, 'InvalidParameterValueException', `Unknown invocation type: ${type}`);

  let result: string;
  let functionError = false;
  try {
    // A Lambda returns JSON: round-trip so nothing in process leaks through.
    result = JSON.stringify((await fn(payload)) ?? null);
  } catch (error) {
    functionError = true;
    const e = error instanceof Error ? error : new Error(String(error));
    result = JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: [] });
  }
  if (Buffer.byteLength(result) > SYNC_PAYLOAD_LIMIT_BYTES) {
    functionError = true;
    result = JSON.stringify({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    });
  }
  res.writeHead(200, {
    'content-type': 'application/json',
    'x-amz-executed-version': '$LATEST',
    ...(functionError ? { 'x-amz-function-error': 'Unhandled' } : {}),
  });
  res.end(result);
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', message }));
}
