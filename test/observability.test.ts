import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitPermohonan } from '../cli/drive.ts';
import { MAIL_CASE_TAG } from '../core/case/mail-events.ts';
import { METRIC_NAMESPACE } from '../core/metrics.ts';
import { mailEventsHandler } from '../functions/handlers/step-task-handlers.ts';
import { createLog } from '../functions/observability/log.ts';
import { EmfMetrics, emfLine, LocalMetrics } from '../functions/observability/emf-metrics.ts';
import { readMailbox, type StoredMail } from '../local/ses/local-ses.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

const BLITAR = 'blitar-pengkoordinasian-nota-kesepakatan';
/** The handler's own log lines, kept out of the test output. */
const quiet = createLog({ format: 'line', write: () => undefined });

describe('metrics in CloudWatch Embedded Metric Format', () => {
  it('writes one EMF document per count, by pemda and SOP and in the aggregate, with nothing of the case', () => {
    const lines: string[] = [];
    const metrics = new EmfMetrics((line) => lines.push(line), { now: () => new Date('2026-12-07T03:00:00Z') }, 'fn');
    metrics.count('CasesStarted', { pemda: 'kab-blitar', sop: BLITAR });
    metrics.count('MailBounced');
    const [byCase, aggregate] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(byCase).toEqual({
      _aws: {
        Timestamp: Date.parse('2026-12-07T03:00:00Z'),
        CloudWatchMetrics: [
          {
            Namespace: METRIC_NAMESPACE,
            Dimensions: [['pemda', 'sop'], []],
            Metrics: [{ Name: 'CasesStarted', Unit: 'Count' }],
          },
        ],
      },
      service: 'fn',
      pemda: 'kab-blitar',
      sop: BLITAR,
      CasesStarted: 1,
    });
    // Without a case: the aggregate dimension set only.
    expect(aggregate).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Dimensions: [[]], Metrics: [{ Name: 'MailBounced', Unit: 'Count' }] }] },
      MailBounced: 1,
    });
    expect(aggregate).not.toHaveProperty('pemda');
    expect(emfLine('StrandedCases', 3, 0, 's')).toContain('"StrandedCases":3');
  });

  it('never fails the counted work when the line cannot be written', () => {
    const metrics = new EmfMetrics(
      () => {
        throw new Error('stdout closed');
      },
      { now: () => new Date(0) },
    );
    expect(() => metrics.count('MailSent')).not.toThrow();
  });
});

describe('metrics and SES bounce and complaint events on the embedded default', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  const logLines: string[] = [];
  beforeAll(async () => {
    rt = await startTestRuntime({ schedulerIntervalMs: 0, log: (line) => logLines.push(line) });
  });
  afterAll(async () => rt?.cleanup());

  let caseId = '';
  let taskMail: StoredMail;
  it('counts cases started, tasks opened and mail sent by pemda and SOP, in the log too', async () => {
    ({ intakeId: caseId } = await submitPermohonan(rt, permohonanFor(rt, BLITAR, {}, 'Kerja sama yang dipantau')));
    const task = await eventually(async () =>
      (await rt.app.store.listTasks({ caseId })).find((t) => t.state === 'open' && t.executionArn),
    );
    taskMail = await eventually(async () =>
      (await readMailbox(rt.dataDir)).find((m) => m.to.includes(task.person.email) && m.text?.includes(caseId)),
    );
    const of = (name: string) =>
      rt.metrics.snapshot().find((c) => c.name === name && c.pemda === 'kab-blitar' && c.sop === BLITAR)?.total ?? 0;
    expect(of('CasesStarted')).toBe(1);
    expect(of('TasksOpened')).toBe(1);
    // The receipt to the pemohon and the task email, at least.
    expect(of('MailSent')).toBeGreaterThanOrEqual(2);
    expect(of('MailFailed')).toBe(0);
    expect(logLines.some((l) => /INFO metrik CasesStarted pemda=kab-blitar sop=\S+ total=1/.test(l))).toBe(true);
  });

  /** An SNS delivery of an SES event, as the configuration set's event destination publishes it. */
  const snsOf = (message: Record<string, unknown>) => ({
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:ap-southeast-3:000000000000:MailEvents:0f1e2d3c',
        Sns: {
          Type: 'Notification',
          MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
          TopicArn: 'arn:aws:sns:ap-southeast-3:000000000000:MailEvents',
          Subject: null,
          Message: JSON.stringify(message),
          Timestamp: '2026-12-07T03:05:00.000Z',
          SignatureVersion: '1',
          MessageAttributes: {},
        },
      },
    ],
  });
  const mailOf = (stored: StoredMail) => ({
    timestamp: stored.sentAt,
    source: stored.from,
    sendingAccountId: '000000000000',
    messageId: stored.messageId,
    destination: stored.to,
    headersTruncated: false,
    tags: {
      'ses:configuration-set': ['MailConfiguration'],
      'ses:source-ip': ['10.0.0.1'],
      ...stored.tags,
    },
  });

  it('tags every mail of a case with its id, as SES events carry it back', () => {
    expect(taskMail.tags).toEqual({ [MAIL_CASE_TAG]: [caseId] });
  });

  it('records a bounce on the case of the message once, counts it, and shows it on the case page', async () => {
    const address = taskMail.to[0]!;
    const bounce = snsOf({
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [
          { emailAddress: address, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
        ],
        timestamp: '2026-12-07T03:04:59.000Z',
        feedbackId: '0102017f-bounce-0001',
        reportingMTA: 'dsn; a8-50.smtp-out.amazonses.com',
      },
      mail: mailOf(taskMail),
    });
    const handle = mailEventsHandler(rt.app, createLog({ format: 'line', write: (l) => logLines.push(l) }));
    expect(await handle(bounce)).toEqual({ outcomes: [{ kind: 'pantul', cases: [caseId], recorded: 1 }] });
    // SNS delivers at least once: the same event again records nothing.
    expect(await handle(bounce)).toEqual({ outcomes: [{ kind: 'pantul', cases: [caseId], recorded: 0 }] });
    const facts = (await rt.app.store.listHistory(caseId)).filter((e) => e.type === 'email-pantul');
    expect(facts).toHaveLength(1);
    expect(facts[0]).toMatchObject({
      at: '2026-12-07T03:04:59.000Z',
      detail: { alamat: address, jenis: 'Permanent', subjenis: 'General' },
    });
    expect(rt.metrics.snapshot()).toContainEqual({ name: 'MailBounced', pemda: 'kab-blitar', sop: BLITAR, total: 1 });
    // The log has the counts, never the event (no address).
    expect(logLines.some((l) => l.includes('peristiwa email dicatat'))).toBe(true);
    expect(logLines.some((l) => l.includes(address) && !l.includes('metrik'))).toBe(false);

    const { cookie } = sessionFor(rt, PRINCIPALS.adminBlitar);
    const page = await web(rt, `/konsol/kasus/${caseId}`, { cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Email tidak sampai (ditolak server penerima)');
    expect(page.text).toContain('alamat tidak dapat menerima email');
  });

  it('records a complaint on the cases whose open tasks the address holds when the message has no tag', async () => {
    const task = (await rt.app.store.listTasks({ caseId })).find((t) => t.state === 'open')!;
    const { tags: _tags, ...untagged } = taskMail;
    const complaint = snsOf({
      eventType: 'Complaint',
      complaint: {
        complainedRecipients: [{ emailAddress: task.person.email }],
        timestamp: '2026-12-07T04:00:00.000Z',
        feedbackId: '0102017f-complaint-0001',
        complaintFeedbackType: 'abuse',
        arrivalDate: '2026-12-07T04:00:00.000Z',
      },
      mail: { ...mailOf(untagged), tags: { 'ses:configuration-set': ['MailConfiguration'] } },
    });
    const [outcome] = (await mailEventsHandler(rt.app, quiet)(complaint)).outcomes;
    expect(outcome).toEqual({ kind: 'keluhan', cases: [caseId], recorded: 1 });
    const fact = (await rt.app.store.listHistory(caseId)).find((e) => e.type === 'email-keluhan');
    expect(fact?.detail).toEqual({ alamat: task.person.email, jenis: 'abuse' });
    expect(rt.metrics.total('MailComplained')).toBe(1);
    // The pemohon sees no fact about an official's address.
    const pemohon = sessionFor(rt, {
      sub: 'u-pemohon',
      email: PEMOHON.email,
      nama: PEMOHON.nama,
      roles: ['pemohon'],
      pemdaId: 'kab-blitar',
      unit: PEMOHON.instansi,
    });
    const page = await web(rt, `/konsol/kasus/${caseId}`, { cookie: pemohon.cookie });
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Penerima menandai email sebagai spam');
  });

  it('refuses what is not an SNS delivery of an SES event, in Indonesian, and records nothing', async () => {
    const before = (await rt.app.store.listHistory(caseId)).length;
    await expect(mailEventsHandler(rt.app, quiet)({ Records: [] })).rejects.toThrow(/Peristiwa SNS tidak dikenali/);
    await expect(mailEventsHandler(rt.app, quiet)(snsOf({ mail: 'x' }))).rejects.toThrow(
      /Records\[0\]\.Sns\.Message bukan peristiwa SES/,
    );
    await expect(mailEventsHandler(rt.app, quiet)({ Records: [{ Sns: { Message: 'bukan json' } }] })).rejects.toThrow(
      /bukan JSON/,
    );
    // A delivery or send event is not recorded.
    const delivery = await mailEventsHandler(rt.app, quiet)(snsOf({ eventType: 'Delivery', mail: mailOf(taskMail) }));
    expect(delivery.outcomes).toEqual([{ kind: 'lain', cases: [], recorded: 0 }]);
    expect((await rt.app.store.listHistory(caseId)).length).toBe(before);
  });
});

describe('LocalMetrics', () => {
  it('keeps totals by metric and dimensions', () => {
    const metrics = new LocalMetrics();
    metrics.count('TasksOverdue', { pemda: 'a', sop: 's' });
    metrics.count('TasksOverdue', { pemda: 'a', sop: 's' }, 2);
    metrics.count('TasksOverdue', { pemda: 'b', sop: 's' });
    expect(metrics.total('TasksOverdue')).toBe(4);
    expect(metrics.snapshot()).toContainEqual({ name: 'TasksOverdue', pemda: 'a', sop: 's', total: 3 });
  });
});
