/**
 * What an operator counts: the product's business metrics, by pemda and SOP. The names are the CloudWatch metric
 * names (namespace `Sepakat`), read by the dashboard and the alarms (infra/stateless-stack.ts) as well as written by
 * the use cases, so both sides share this one list.
 */
export const METRIC_NAMES = [
  'CasesStarted',
  'CasesFinished',
  'TasksOpened',
  'TasksOverdue',
  'TasksEscalated',
  'DocumentsRendered',
  'DocumentsSigned',
  'MailSent',
  'MailFailed',
  /** SES bounce and complaint events recorded on a case (functions/handlers/mail-events.ts). */
  'MailBounced',
  'MailComplained',
  /** Active cases without a running execution, counted by the stranded-case sweep. */
  'StrandedCases',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** The CloudWatch namespace of the product's metrics. */
export const METRIC_NAMESPACE = 'Sepakat';

/** The dimensions of a count: the pemda id and the SOP id (not its version, to keep the series few). */
export interface MetricDimensions {
  pemda: string;
  sop: string;
}

/**
 * The metrics port. A count is recorded at once (CloudWatch EMF through Powertools Metrics in AWS, written at the end
 * of the invocation, functions/observability/emf-metrics.ts; counters in the log on the embedded default) and never
 * fails the use case that counts. Without dimensions it counts in the aggregate only (an event that belongs to no
 * case).
 */
export interface Metrics {
  count(name: MetricName, dimensions?: MetricDimensions, value?: number): void;
}

/** Counts nothing: where a deployment or a test wires no metrics. */
export const noMetrics: Metrics = { count: () => undefined };

/** The dimensions of a case's counts. */
export const caseDimensions = (record: { pemdaId: string; sopId: string }): MetricDimensions => ({
  pemda: record.pemdaId,
  sop: record.sopId,
});
