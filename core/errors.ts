/**
 * One base error for the whole product. `name` is what Step Functions Retry/Catch match on (a Lambda's
 * errorType), `code` is for programs, `message` is for people (Bahasa Indonesia where an official sees it).
 * Never branch on message text.
 */
export class SepakatError extends Error {
  readonly code: string;
  constructor(name: ErrorName, message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.code = options?.code ?? name;
  }
}

/**
 * Error names shared by the ASL compiler (Retry/Catch) and the handlers that throw them. Exported once.
 */
export const ErrorNames = {
  /** A definition (SOP, directory, calendar, manifest) failed validation. */
  InvalidDefinition: 'Sepakat.InvalidDefinition',
  /** A transient failure of a dependency (DynamoDB throttling, S3, SES, network): retried by the ASL. */
  Transient: 'Sepakat.Transient',
  /** The case moved on under this execution (another execution owns it now): the stale execution ends quietly. */
  Superseded: 'Sepakat.Superseded',
  /** The case was withdrawn or cancelled while an execution was waiting. */
  CaseClosed: 'Sepakat.CaseClosed',
  /** A case, task or step that must exist does not. */
  NotFound: 'Sepakat.NotFound',
  /**
   * Stored bytes are not those recorded (their SHA-256 differs): an accepted upload or a document changed behind
   * the product's back. Never retried; every reader refuses them.
   */
  Tampered: 'Sepakat.BerkasTidakUtuh',
  /** A limit on requests or emails was reached (per address or per caller); nothing was done. */
  Limited: 'Sepakat.BatasTercapai',
  /** Input from a person was rejected (bad form, bad link); never reaches Step Functions. */
  BadInput: 'Sepakat.BadInput',
  /**
   * A failure the handler already recorded on the case and told (a signing task's document that cannot be made as
   * the task opens): the execution stops without recording it again.
   */
  FailureRecorded: 'Sepakat.KegagalanTercatat',
  /** An email address the mail service refused for good (SES MessageRejected, an unverified address). */
  MailRejected: 'Sepakat.EmailDitolak',
  /** Step Functions' own timeout error name (a human wait outlived its bounded TimeoutSeconds). */
  StatesTimeout: 'States.Timeout',
  /** Step Functions' catch-all. */
  StatesAll: 'States.ALL',
} as const;

export type ErrorName = (typeof ErrorNames)[keyof typeof ErrorNames];

export function isSepakatError(error: unknown, name?: ErrorName): error is SepakatError {
  return error instanceof SepakatError && (name === undefined || error.name === name);
}
