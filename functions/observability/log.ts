import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The product's structured log. In AWS: Powertools for AWS Lambda's Logger (JSON on stdout, which CloudWatch Logs
 * keeps), with the case id, the request id and the SOP step as keys. On the embedded local default: one readable
 * line per entry, `14:05:09 INFO message caseId=… step=…`.
 *
 * Never pass an event, a request body, a form field or a link: they carry capabilities and personal data. Keys are
 * plain identifiers and outcomes. As a last guard, URLs in an error's message and stack are replaced by "[tautan]".
 */
export interface LogKeys {
  caseId?: string;
  /** The SOP step (activity node) a line is about. */
  step?: string;
  /** The API Gateway / Lambda / local request id. */
  requestId?: string;
  /** The route's first path segment only (paths under /tugas/, /lacak/, /pantau/ are capabilities). */
  route?: string;
  [key: string]: string | number | boolean | undefined;
}

/** The keys of an error line: the usual keys, and the error (reduced to name, message and stack). */
export interface ErrorKeys {
  caseId?: string;
  step?: string;
  requestId?: string;
  route?: string;
  error?: unknown;
  [key: string]: unknown;
}

/** What a log takes of the Lambda context (Powertools' addContext reads these). */
export interface LambdaContextLike {
  awsRequestId: string;
  functionName?: string;
  [key: string]: unknown;
}

export interface Log {
  debug(message: string, keys?: LogKeys): void;
  info(message: string, keys?: LogKeys): void;
  warn(message: string, keys?: LogKeys): void;
  /** `error` is reduced to its name, message and stack (never its request or payload). */
  error(message: string, keys?: ErrorKeys): void;
  /** A log whose every line carries these keys as well. */
  with(keys: LogKeys): Log;
  /** Adds the Lambda invocation's context (request id, function) to every following line. */
  addContext(context: LambdaContextLike): void;
}

export type LogFormat = 'json' | 'line';

const URL_PATTERN = /\bhttps?:\/\/[^\s"'<>]+/gi;
const scrub = (text: string) => text.replace(URL_PATTERN, '[tautan]');

/** An error reduced to name, message and stack, with any URL (a capability link) removed (the log, the traces). */
export function scrubbedError(error: unknown): Error | undefined {
  if (error === undefined) return undefined;
  const source = error instanceof Error ? error : new Error(String(error));
  const clean = new Error(scrub(source.message));
  clean.name = source.name;
  clean.stack = source.stack === undefined ? undefined : scrub(source.stack);
  return clean;
}

/** Only plain values are kept (an object passed by mistake never reaches the log). */
const clean = (keys: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(keys).filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'),
  ) as Record<string, string | number | boolean>;

class PowertoolsLog implements Log {
  constructor(private readonly logger: Logger) {}
  debug(message: string, keys: LogKeys = {}) {
    this.logger.debug(message, clean(keys));
  }
  info(message: string, keys: LogKeys = {}) {
    this.logger.info(message, clean(keys));
  }
  warn(message: string, keys: LogKeys = {}) {
    this.logger.warn(message, clean(keys));
  }
  error(message: string, keys: ErrorKeys = {}) {
    const { error, ...rest } = keys;
    const err = scrubbedError(error);
    if (err) this.logger.error(message, { ...clean(rest), error: err } as never);
    else this.logger.error(message, clean(rest));
  }
  with(keys: LogKeys): Log {
    return new PowertoolsLog(this.logger.createChild({ persistentKeys: clean(keys) }));
  }
  addContext(context: LambdaContextLike) {
    this.logger.addContext(context as never);
  }
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/** A value of a line's `key=value`: quoted when it holds a space, a quote or an equals sign. */
const lineValue = (value: string | number | boolean) => {
  const text = String(value).replace(/[\r\n]+/g, ' ');
  return /[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text;
};

class LineLog implements Log {
  constructor(
    private readonly write: (line: string) => void,
    private readonly keys: LogKeys,
    private readonly minLevel: Level,
    private readonly time: () => string,
  ) {}
  private print(level: Level, message: string, keys: ErrorKeys) {
    if (LEVELS.indexOf(level) < LEVELS.indexOf(this.minLevel)) return;
    const { error, ...rest } = keys;
    const all = clean({ ...this.keys, ...rest });
    const err = scrubbedError(error);
    const parts = [
      this.time(),
      level.toUpperCase(),
      scrub(message),
      ...Object.entries(all).map(([k, v]) => `${k}=${lineValue(v)}`),
      ...(err ? [`error=${lineValue(`${err.name}: ${err.message}`)}`] : []),
    ];
    this.write(parts.join(' '));
  }
  debug(message: string, keys: LogKeys = {}) {
    this.print('debug', message, keys);
  }
  info(message: string, keys: LogKeys = {}) {
    this.print('info', message, keys);
  }
  warn(message: string, keys: LogKeys = {}) {
    this.print('warn', message, keys);
  }
  error(message: string, keys: ErrorKeys = {}) {
    this.print('error', message, keys);
  }
  with(keys: LogKeys): Log {
    return new LineLog(this.write, { ...this.keys, ...keys }, this.minLevel, this.time);
  }
  addContext(context: LambdaContextLike) {
    this.keys.requestId = context.awsRequestId;
  }
}

/** "14:05:09" on this machine's clock: a local log line's own time (the product's time comes from its Clock). */
const wallClock = () => new Date().toTimeString().slice(0, 8);

export interface CreateLogOptions {
  /** json (the Lambdas, default) or line (the embedded local default). */
  format?: LogFormat;
  /** Service name of JSON lines (default: POWERTOOLS_SERVICE_NAME, else "sepakat"). */
  serviceName?: string;
  /** Where lines go (line format; default: stderr). */
  write?: (line: string) => void;
  /** Least level printed (line format; default info). JSON follows POWERTOOLS_LOG_LEVEL. */
  level?: Level;
}

export function createLog(options: CreateLogOptions = {}): Log {
  if (options.format === 'line')
    return new LineLog(
      options.write ?? ((line) => void process.stderr.write(`${line}\n`)),
      {},
      options.level ?? 'info',
      wallClock,
    );
  return new PowertoolsLog(new Logger({ serviceName: options.serviceName ?? 'sepakat' }));
}

/**
 * The process's log: JSON (the Lambdas) until `useLog` replaces it (the local runtime's entry point, with readable
 * lines). Modules log through it, so one process prints one format.
 */
let current: Log = createLog();

export const log: Log = {
  debug: (message, keys) => current.debug(message, keys),
  info: (message, keys) => current.info(message, keys),
  warn: (message, keys) => current.warn(message, keys),
  error: (message, keys) => current.error(message, keys),
  with: (keys) => current.with(keys),
  addContext: (context) => current.addContext(context),
};

/** Makes `log` print through `next` (e.g. `useLog(createLog({ format: 'line' }))` in local/start.ts). */
export function useLog(next: Log): void {
  current = next;
}
