import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The product's structured log: Powertools for AWS Lambda's Logger (JSON on stdout, which CloudWatch Logs keeps), with
 * the case id, the request id and the SOP step as keys. Never pass an event, a request body, a form field or a link:
 * they carry capabilities and personal data. Keys are plain identifiers and outcomes.
 */
export interface LogKeys {
  caseId?: string;
  /** The SOP step (activity node) a line is about. */
  step?: string;
  /** The API Gateway / local request id. */
  requestId?: string;
  /** The route's first path segment only (paths under /tugas/, /lacak/, /pantau/ are capabilities). */
  route?: string;
  [key: string]: string | number | boolean | undefined;
}

export interface Log {
  debug(message: string, keys?: LogKeys): void;
  info(message: string, keys?: LogKeys): void;
  warn(message: string, keys?: LogKeys): void;
  /** `error` is reduced to its name, message and stack (never its request or payload). */
  error(message: string, keys?: LogKeys & { error?: unknown }): void;
  /** A log whose every line carries these keys as well. */
  with(keys: LogKeys): Log;
}

const errorOf = (error: unknown): Error | undefined =>
  error instanceof Error ? error : error === undefined ? undefined : new Error(String(error));

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
  error(message: string, keys: LogKeys & { error?: unknown } = {}) {
    const { error, ...rest } = keys;
    const err = errorOf(error);
    if (err) this.logger.error(message, { ...clean(rest), error: err } as never);
    else this.logger.error(message, clean(rest));
  }
  with(keys: LogKeys): Log {
    return new PowertoolsLog(this.logger.createChild({ persistentKeys: clean(keys) }));
  }
}

const clean = (keys: LogKeys) =>
  Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined)) as Record<string, string>;

/** The Lambdas' log (service name from POWERTOOLS_SERVICE_NAME, level from POWERTOOLS_LOG_LEVEL). */
export function createLog(options: { serviceName?: string } = {}): Log {
  return new PowertoolsLog(new Logger({ serviceName: options.serviceName ?? 'sepakat' }));
}

export const log: Log = createLog();
