import { Metrics as PowertoolsMetricsStore, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, type MetricDimensions, type MetricName, type Metrics } from '../../core/metrics.ts';

/**
 * The metrics port in both worlds.
 *
 * In AWS: Powertools for AWS Lambda's Metrics, which writes CloudWatch Embedded Metric Format (EMF) documents on
 * stdout; the Lambda runtime hands them to CloudWatch Logs, which extracts the metrics (no API call). The counts of
 * an invocation are kept and written at its end (`during`, wrapped around every handler in functions/lambda/); a
 * count made outside an invocation (the init phase, work left running after a handler returned) is written at once.
 * Every document declares two dimension sets: `[pemda, sop]`, and `[]` (the aggregate that the dashboard's totals
 * and the alarms read, infra/stateless-stack.ts). The function's name is the document's `service` key, not a
 * dimension (the dashboard and the alarms query exactly those two sets).
 *
 * On the embedded default: counters kept in the process (`LocalMetrics.snapshot()`), each count also a log line
 * (`metrik CasesStarted pemda=… sop=… total=…`), so an operator sees them beside the rest of the log.
 *
 * A document carries the metric names, the pemda id, the SOP id and the counts: never a case id, an address or a
 * body.
 */
export class PowertoolsMetrics implements Metrics {
  private readonly store: PowertoolsMetricsStore;
  /** The dimensions of the counts kept so far (`pemda|sop`, or '' for the aggregate only); undefined when none. */
  private kept: string | undefined;
  private invocations = 0;

  constructor(
    private readonly service: string,
    logger?: { warn(message: string): void; error(message: string): void },
  ) {
    this.store = new PowertoolsMetricsStore({
      namespace: METRIC_NAMESPACE,
      serviceName: service,
      ...(logger
        ? {
            logger: {
              debug: () => undefined,
              info: () => undefined,
              warn: (...content: unknown[]) => logger.warn(content.map(String).join(' ')),
              error: (...content: unknown[]) => logger.error(content.map(String).join(' ')),
            },
          }
        : {}),
    });
    // Powertools makes `service` a default dimension: the dashboard and the alarms query [pemda, sop] and [].
    this.store.clearDefaultDimensions();
  }

  count(name: MetricName, dimensions?: MetricDimensions, value = 1): void {
    try {
      const key = dimensions ? `${dimensions.pemda}|${dimensions.sop}` : '';
      // One document has one pemda and SOP: counts of another case's dimensions start a document of their own.
      if (this.kept !== undefined && this.kept !== key) this.publish();
      if (this.kept === undefined) {
        if (dimensions) this.store.addDimension('pemda', dimensions.pemda).addDimension('sop', dimensions.sop);
        this.store.addDimensions({}); // the aggregate: the empty dimension set
        this.store.addMetadata('service', this.service);
        this.kept = key;
      }
      this.store.addMetric(name, MetricUnit.Count, value);
      if (this.invocations === 0) this.publish();
    } catch {
      // A metric never fails the work it counts.
    }
  }

  /** Runs one invocation; the counts it made are written when it ends, returned or thrown. */
  async during<T>(invocation: () => Promise<T>): Promise<T> {
    this.invocations += 1;
    try {
      return await invocation();
    } finally {
      this.invocations -= 1;
      if (this.invocations === 0) this.publish();
    }
  }

  /** Writes the counts kept so far (nothing when there are none). */
  publish(): void {
    try {
      if (this.store.hasStoredMetrics()) this.store.publishStoredMetrics();
    } catch {
      // A metric never fails the work it counts.
    } finally {
      this.kept = undefined;
    }
  }
}

/** The counters of the embedded default, by metric and dimensions, and a line in the log per count. */
export class LocalMetrics implements Metrics {
  private readonly counters = new Map<string, number>();
  constructor(private readonly log?: { info(message: string, keys?: Record<string, string | number>): void }) {}

  count(name: MetricName, dimensions?: MetricDimensions, value = 1): void {
    const key = dimensions ? `${name}|${dimensions.pemda}|${dimensions.sop}` : `${name}||`;
    const total = (this.counters.get(key) ?? 0) + value;
    this.counters.set(key, total);
    this.log?.info(`metrik ${name}`, { ...(dimensions ?? {}), total });
  }

  /** Every counter so far: `{ name, pemda?, sop?, total }`. */
  snapshot(): { name: MetricName; pemda?: string; sop?: string; total: number }[] {
    return [...this.counters].map(([key, total]) => {
      const [name, pemda, sop] = key.split('|') as [MetricName, string, string];
      return { name, ...(pemda ? { pemda, sop } : {}), total };
    });
  }

  /** The total of a metric over every dimension. */
  total(name: MetricName): number {
    return this.snapshot()
      .filter((c) => c.name === name)
      .reduce((sum, c) => sum + c.total, 0);
  }
}
