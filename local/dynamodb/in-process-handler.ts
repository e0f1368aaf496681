/**
 * An AWS SDK request handler that hands the SDK's serialized HTTP request to dynalite's own request listener in this
 * process, without a loopback socket: the embedded local default runs the Lambda handlers in the same process as
 * dynalite, and the HTTP client, the socket and the HTTP server's parse on both sides were a large part of every
 * DynamoDB request's cost there. The request is the real wire request (method, path and query, signed headers, JSON
 * body) and the answer is dynalite's real wire answer (status, headers, JSON body): the SDK serializes, signs, retries
 * and deserializes exactly as over HTTP. Only the embedded default uses it (see `useInProcessHandler`).
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The parts of the SDK's HttpRequest (smithy) this handler reads. */
export interface SdkHttpRequest {
  method: string;
  path: string;
  query?: Record<string, string | (string | null)[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** The SDK's HttpResponse shape (smithy): `HttpResponse.isInstance` checks a numeric status code and a header bag. */
export interface SdkHttpResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** The SDK's handler options: the abort signal may be a DOM-style signal or the SDK's older `onabort` one. */
export interface SdkHandlerOptions {
  abortSignal?: { aborted: boolean; addEventListener?: unknown; onabort?: unknown };
  requestTimeout?: number;
}

/** Node's request listener, as dynalite's server holds it (`server.listeners('request')[0]`). */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The smithy `HttpHandler` interface, over a request listener. `destroy()` leaves it usable (as the SDK's own
 * handler, which only closes idle sockets): clients shared in a process may be destroyed by one of their users.
 * `close()` is for the owner of the listener: later requests fail as a closed port would.
 */
export class InProcessHttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly config: Record<string, unknown> = {};
  private closed = false;
  /** Requests handed to dynalite that it has not answered yet (an aborted one included: dynalite still finishes it). */
  private inFlight = 0;
  private readonly drained: (() => void)[] = [];

  constructor(
    private readonly listener: RequestListener,
    /** Named in the error of a request after `close()`. */
    private readonly endpoint: string,
  ) {}

  async handle(request: SdkHttpRequest, options: SdkHandlerOptions = {}): Promise<{ response: SdkHttpResponse }> {
    const signal = options.abortSignal;
    if (signal?.aborted) throw abortError(signal);
    if (this.closed) throw closedError(this.endpoint);
    const body = await bodyBytes(request.body);
    if (signal?.aborted) throw abortError(signal);
    return new Promise((resolve, reject) => {
      let settled = false;
      let stopListening = (): void => {};
      const finish = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        stopListening();
        outcome();
      };
      // As over HTTP, an abort rejects at once; dynalite finishes what it had started (as a server would).
      if (signal) stopListening = onAbort(signal, () => finish(() => reject(abortError(signal))));

      const req = Object.assign(new EventEmitter(), {
        method: request.method,
        url: request.path + queryString(request.query),
        headers: lowerCased(request.headers),
      });
      const headers: Record<string, string> = {};
      const res = {
        statusCode: 200,
        setHeader(name: string, value: string | number | readonly string[]) {
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
          return res;
        },
        getHeader: (name: string) => headers[name.toLowerCase()],
        end(chunk?: string | Uint8Array) {
          answered();
          // Node's HTTP server adds the date; the SDK reads it to correct clock skew.
          headers['date'] ??= new Date().toUTCString();
          const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk ?? new Uint8Array());
          finish(() => resolve({ response: { statusCode: res.statusCode, headers, body: bytes } }));
          return res;
        },
      };
      let open = true;
      const answered = (): void => {
        if (!open) return;
        open = false;
        if (--this.inFlight === 0) for (const done of this.drained.splice(0)) done();
      };
      this.inFlight++;
      try {
        this.listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
        if (body.byteLength > 0) req.emit('data', Buffer.from(body.buffer, body.byteOffset, body.byteLength));
        req.emit('end');
      } catch (error) {
        answered();
        finish(() => reject(error));
      }
    });
  }

  updateHttpClientConfig(key: string, value: unknown): void {
    this.config[key] = value;
  }

  httpHandlerConfigs(): Record<string, unknown> {
    return { ...this.config };
  }

  destroy(): void {}

  /**
   * Refuses every request from now on, and resolves once dynalite has answered those it was given (at most
   * `waitMs`): its database must not close under a request still running, which would throw inside dynalite.
   */
  close(waitMs = 5000): Promise<void> {
    this.closed = true;
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      timer.unref();
      this.drained.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** The request listener of dynalite's server (an http.Server made with its handler). */
export function requestListenerOf(server: { listeners(event: 'request'): unknown[] }): RequestListener {
  const listener = server.listeners('request')[0];
  if (typeof listener !== 'function') throw new Error('The local DynamoDB server has no request listener.');
  return listener as RequestListener;
}

async function bodyBytes(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body as AsyncIterable<string | Uint8Array>)
      chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
    return Buffer.concat(chunks);
  }
  throw new Error(`The in-process DynamoDB handler cannot send a request body of type ${typeof body}.`);
}

function queryString(query: SdkHttpRequest['query']): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    const name = encodeURIComponent(key);
    if (value === null) parts.push(name);
    else if (Array.isArray(value))
      for (const v of value) parts.push(v === null ? name : `${name}=${encodeURIComponent(v)}`);
    else parts.push(`${name}=${encodeURIComponent(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return lower;
}

/** Calls `abort` when the signal fires; returns the removal of that call. */
function onAbort(signal: NonNullable<SdkHandlerOptions['abortSignal']>, abort: () => void): () => void {
  if (typeof signal.addEventListener === 'function') {
    const target = signal as AbortSignal;
    target.addEventListener('abort', abort, { once: true });
    return () => target.removeEventListener('abort', abort);
  }
  signal.onabort = abort;
  return () => {
    if (signal.onabort === abort) signal.onabort = null;
  };
}

/** The error the SDK's own Node handler gives an aborted request (with the signal's reason as its cause). */
function abortError(signal: NonNullable<SdkHandlerOptions['abortSignal']>): Error {
  const reason = (signal as { reason?: unknown }).reason;
  const error = new Error(
    reason === undefined || reason instanceof Error ? 'Request aborted' : String(reason),
    reason instanceof Error ? { cause: reason } : {},
  );
  error.name = 'AbortError';
  return error;
}

function closedError(endpoint: string): Error {
  return Object.assign(new Error(`The local DynamoDB at ${endpoint} is closed.`), { code: 'ECONNREFUSED' });
}
