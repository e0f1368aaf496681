import type { Clock } from '../../core/ports.ts';
import { METRIC_NAMESPACE, type MetricDimensions, type MetricName, type Metrics } from '../../core/metrics.ts';

/**
 * The metrics port in both worlds.
 *
 * In AWS: CloudWatch Embedded Metric Format (EMF). Each count is one JSON line on stdout, which the Lambda runtime
 * hands to CloudWatch Logs, which extracts the metric: no API call, no client, nothing in the bundle but this file
 * (Powertools Metrics is not a dependency; it would write the same lines). Every line declares two dimension sets:
 * `[pemda, sop]`, and `[]` (the aggregate that the dashboard's totals and the alarms read).
 *
 * On the embedded default: counters kept in the process (`LocalMetrics.snapshot()`), each count also a log line
 * (`metrik CasesStarted pemda=… sop=… total=…`), so an operator sees them beside the rest of the log.
 *
 * A line carries the metric name, the pemda id, the SOP id and the count: never a case id, an address or a body.
 */
export class EmfMetrics implements Metrics {
  constructor(
    private readonly write: (line: string) => void,
    private readonly clock: Clock,
    private readonly service = 'sepakat',
  ) {}

  count(name: MetricName, dimensions?: MetricDimensions, value = 1): void {
    try {
      this.write(emfLine(name, value, this.clock.now().getTime(), this.service, dimensions));
    } catch {
      // A metric never fails the work it counts.
    }
  }
}

/** One EMF document: the count of `name`, by pemda and SOP when given, and in the aggregate. */
export function emfLine(
  name: MetricName,
  value: number,
  timestamp: number,
  service: string,
  dimensions?: MetricDimensions,
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: dimensions ? [['pemda', 'sop'], []] : [[]],
          Metrics: [{ Name: name, Unit: 'Count' }],
        },
      ],
    },
    service,
    ...(dimensions ? { pemda: dimensions.pemda, sop: dimensions.sop } : {}),
    [name]: value,
  });
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

/** EMF on the process's stdout (the Lambdas). */
export const stdoutEmf = (clock: Clock, service?: string): EmfMetrics =>
  new EmfMetrics((line) => void process.stdout.write(`${line}\n`), clock, service);
