import { z } from 'zod';
import { caseDimensions, noMetrics, type Metrics } from '../metrics.ts';
import type { CaseRecord, CaseStore, Clock } from './model.ts';

/**
 * SES bounce and complaint events (the configuration set's event destination → SNS → the `mailEvents` function):
 * each recipient that bounced or complained becomes a fact on the case the message was about, `email-pantul` or
 * `email-keluhan`, shown on the case page, and a count (MailBounced, MailComplained) that an alarm watches.
 *
 * The case of a message: its SES tag `MAIL_CASE_TAG` (the SES mailer tags every mail a case sends with the case id);
 * a message without one (a mail from before the tags) falls back to the cases whose open tasks are held by that
 * address. Every fact is keyed by the event's feedback id and the address, so a redelivered event records nothing new.
 */
export const MAIL_CASE_TAG = 'sepakat-kasus';

const recipient = z.object({ emailAddress: z.string().min(3).max(320) });
const SesEvent = z.object({
  /** Event publishing (a configuration set) says `eventType`; identity notifications `notificationType`. */
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  mail: z.object({
    messageId: z.string().optional(),
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
  bounce: z
    .object({
      bounceType: z.string().max(40),
      bounceSubType: z.string().max(40).optional(),
      bouncedRecipients: z.array(recipient.extend({ status: z.string().max(20).optional() })),
      feedbackId: z.string().min(1).max(200),
      timestamp: z.string().optional(),
    })
    .optional(),
  complaint: z
    .object({
      complainedRecipients: z.array(recipient),
      complaintFeedbackType: z.string().max(40).optional(),
      feedbackId: z.string().min(1).max(200),
      timestamp: z.string().optional(),
    })
    .optional(),
});

/** An SNS delivery to Lambda: each record's `Sns.Message` is the SES event as JSON. */
const SnsEvent = z.object({
  Records: z.array(z.object({ Sns: z.object({ Message: z.string() }) })).min(1),
});

export interface MailEventOutcome {
  kind: 'pantul' | 'keluhan' | 'lain';
  /** The cases the facts were recorded on. */
  cases: string[];
  /** Facts recorded now (a redelivery records none). */
  recorded: number;
}

export interface MailEventDeps {
  store: Pick<CaseStore, 'getCase' | 'listTasks' | 'appendHistory'>;
  clock: Clock;
  metrics?: Metrics;
}

export class MailEvents {
  constructor(private readonly deps: MailEventDeps) {}

  /** Every SES event of an SNS delivery. A record that is not an SES event is refused, naming the record. */
  async onSnsEvent(event: unknown): Promise<MailEventOutcome[]> {
    const parsed = SnsEvent.safeParse(event);
    if (!parsed.success) throw new Error('Peristiwa SNS tidak dikenali: Records[].Sns.Message wajib ada');
    const outcomes: MailEventOutcome[] = [];
    for (const [index, record] of parsed.data.Records.entries()) {
      let json: unknown;
      try {
        json = JSON.parse(record.Sns.Message);
      } catch {
        throw new Error(`Records[${index}].Sns.Message bukan JSON peristiwa SES`);
      }
      const ses = SesEvent.safeParse(json);
      if (!ses.success) throw new Error(`Records[${index}].Sns.Message bukan peristiwa SES yang dikenal`);
      outcomes.push(await this.record(ses.data));
    }
    return outcomes;
  }

  private async record(event: z.infer<typeof SesEvent>): Promise<MailEventOutcome> {
    const type = event.eventType ?? event.notificationType;
    const metrics = this.deps.metrics ?? noMetrics;
    const fact =
      type === 'Bounce' && event.bounce
        ? {
            kind: 'pantul' as const,
            type: 'email-pantul' as const,
            metric: 'MailBounced' as const,
            feedbackId: event.bounce.feedbackId,
            at: event.bounce.timestamp,
            addresses: event.bounce.bouncedRecipients.map((r) => r.emailAddress),
            detail: {
              jenis: event.bounce.bounceType,
              ...(event.bounce.bounceSubType ? { subjenis: event.bounce.bounceSubType } : {}),
            },
          }
        : type === 'Complaint' && event.complaint
          ? {
              kind: 'keluhan' as const,
              type: 'email-keluhan' as const,
              metric: 'MailComplained' as const,
              feedbackId: event.complaint.feedbackId,
              at: event.complaint.timestamp,
              addresses: event.complaint.complainedRecipients.map((r) => r.emailAddress),
              detail: event.complaint.complaintFeedbackType ? { jenis: event.complaint.complaintFeedbackType } : {},
            }
          : undefined;
    if (!fact) return { kind: 'lain', cases: [], recorded: 0 };
    const at = fact.at && !Number.isNaN(Date.parse(fact.at)) ? new Date(fact.at) : this.deps.clock.now();
    let recorded = 0;
    const cases = new Set<string>();
    // Read once per event, whatever the number of its recipients: the open tasks (only for an untagged mail) and
    // each case.
    const casesOf = await this.casesByAddress(event.mail.tags?.[MAIL_CASE_TAG] ?? []);
    const records = new Map<string, Promise<CaseRecord | undefined>>();
    for (const address of fact.addresses) {
      const caseIds = casesOf(address);
      if (!caseIds.length) metrics.count(fact.metric);
      for (const caseId of caseIds) {
        if (!records.has(caseId)) records.set(caseId, this.deps.store.getCase(caseId));
        const record = await records.get(caseId);
        if (!record) continue;
        cases.add(caseId);
        const fresh = await this.deps.store.appendHistory({
          caseId,
          eventKey: `${fact.type}#${fact.feedbackId}#${address.toLowerCase()}`,
          type: fact.type,
          at: at.toISOString(),
          detail: { alamat: address, ...fact.detail },
        });
        if (fresh) {
          recorded++;
          metrics.count(fact.metric, caseDimensions(record));
        }
      }
    }
    return { kind: fact.kind, cases: [...cases], recorded };
  }

  /** For each address: the tagged case, else the cases whose open tasks that address holds (listed once). */
  private async casesByAddress(tagged: string[]): Promise<(address: string) => string[]> {
    if (tagged.length) {
      const cases = [...new Set(tagged)];
      return () => cases;
    }
    const open = await this.deps.store.listTasks({ state: 'open' });
    return (address) => {
      const lower = address.toLowerCase();
      return [...new Set(open.filter((t) => t.person.email.toLowerCase() === lower).map((t) => t.caseId))];
    };
  }
}
