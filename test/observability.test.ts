import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { submitPermohonan } from '../cli/drive.ts';
import { MAIL_CASE_TAG } from '../core/case/mail-events.ts';
import { METRIC_NAMESPACE } from '../core/metrics.ts';
import { mailEventsHandler } from '../functions/handlers/step-task-handlers.ts';
import { createLog } from '../functions/observability/log.ts';
import { LocalMetrics, PowertoolsMetrics } from '../functions/observability/emf-metrics.ts';
import { buildApp } from '../functions/app.ts';
import { readMailbox, type StoredMail } from '../local/ses/local-ses.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

const BLITAR = 'blitar-pengkoordinasian-nota-kesepakatan';
/** The handler's own log lines, kept out of the test output. */
const quiet = createLog({ format: 'line', write: () => undefined });

/** The EMF documents Powertools writes on stdout while `work` runs (other output passes through). */
async function emfWrittenDuring(
  work: (written: readonly string[]) => Promise<unknown> | void,
): Promise<{ lines: string[]; docs: EmfDoc[] }> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = String(chunk);
    if (text.startsWith('{"_aws"')) lines.push(...text.trim().split('\n'));
    else return write(chunk, ...rest);
    return true;
  }) as typeof process.stdout.write);
  try {
    await work(lines);
  } finally {
    spy.mockRestore();
  }
  return { lines, docs: lines.map((l) => JSON.parse(l) as EmfDoc) };
}

interface EmfDoc {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

describe('metrics through Powertools Metrics (CloudWatch EMF)', () => {
  it("writes an invocation's counts at its end, by pemda and SOP and in the aggregate, even when it throws", async () => {
    const metrics = new PowertoolsMetrics('sepakat-fn');
    const a = { pemda: 'kab-blitar', sop: BLITAR };
    const b = { pemda: 'kab-malang', sop: BLITAR };
    const { docs } = await emfWrittenDuring(async (written) => {
      const during = metrics.during(async () => {
        metrics.count('MailSent', a);
        metrics.count('MailSent', a);
        // Kept until the invocation ends, or until a count of other dimensions starts a document of its own.
        expect(written).toEqual([]);
        metrics.count('TasksOpened', b);
        metrics.count('MailFailed');
        expect(written).toHaveLength(2);
        throw new Error('gagal');
      });
      await expect(during).rejects.toThrow('gagal');
    });
    expect(docs).toHaveLength(3);
    const [first, second, third] = docs;
    expect(first!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRIC_NAMESPACE,
        Dimensions: [['pemda', 'sop'], []],
        Metrics: [{ Name: 'MailSent', Unit: 'Count' }],
      },
    ]);
    expect(first).toMatchObject({ service: 'sepakat-fn', pemda: 'kab-blitar', sop: BLITAR, MailSent: [1, 1] });
    expect(second).toMatchObject({ pemda: 'kab-malang', TasksOpened: 1 });
    // Without a case: the aggregate dimension set only.
    expect(third!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([[]]);
    expect(third).toMatchObject({ MailFailed: 1 });
    expect(third).not.toHaveProperty('pemda');
  });

  it('writes a count made outside an invocation at once, and nothing for an invocation that counted nothing', async () => {
    const metrics = new PowertoolsMetrics('sepakat-fn');
    const { docs } = await emfWrittenDuring(async () => {
      metrics.count('StrandedCases', undefined, 2);
      await metrics.during(async () => undefined);
    });
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ StrandedCases: 2 });
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

  it('counts a mail by the case its sender passed, reading no case; a mail sent without one reads the case', async () => {
    const reads = vi.spyOn(rt.app.store, 'getCase');
    const mail = (id: string) => ({
      to: [PEMOHON.email],
      template: 'pemberitahuan' as const,
      model: { perihal: 'Uji hitungan surel', caseId: id, judul: 'Uji', pesan: 'Pesan uji hitungan surel.' },
    });
    const sent = (sop: string) =>
      rt.metrics.snapshot().find((c) => c.name === 'MailSent' && c.pemda === 'kab-blitar' && c.sop === sop)?.total ?? 0;
    try {
      // As a Lambda container that has read the case (a task's opening, a reminder): its pemda and SOP come along.
      const before = sent('sop-uji-hitungan');
      const passed = '20261208-hitungan01';
      await rt.app.runtime.sendOnce(passed, 'uji#email', mail(passed), {
        pemdaId: 'kab-blitar',
        sopId: 'sop-uji-hitungan',
      });
      expect(sent('sop-uji-hitungan')).toBe(before + 1);
      expect(reads.mock.calls.filter(([id]) => id === passed)).toHaveLength(0);
      // Without it, the case is read for its dimensions (once per case and process when it exists; this one does not,
      // so each mail reads it and counts in the aggregate only).
      const unread = '20261208-hitungan02';
      await rt.app.runtime.sendOnce(unread, 'uji#email', mail(unread));
      await rt.app.runtime.sendOnce(unread, 'uji#email#2', mail(unread));
      expect(reads.mock.calls.filter(([id]) => id === unread)).toHaveLength(2);
    } finally {
      reads.mockRestore();
    }
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

  it('writes the counts of a real use case as the EMF the dashboard and the alarms query', async () => {
    // The same use case as the mailEvents function runs it in AWS: an App with Powertools Metrics, one invocation.
    const metrics = new PowertoolsMetrics('sepakat-mailEvents');
    const app = buildApp(rt.app.config, { metrics });
    const address = taskMail.to[0]!;
    const bounceOf = (feedbackId: string, emailAddress: string, mail: StoredMail) =>
      snsOf({
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [{ emailAddress, action: 'failed', status: '5.1.1' }],
          timestamp: '2026-12-07T05:00:00.000Z',
          feedbackId,
          reportingMTA: 'dsn; a8-50.smtp-out.amazonses.com',
        },
        mail: mailOf(mail),
      });
    const { tags: _tags, ...untagged } = taskMail;
    const { lines, docs } = await emfWrittenDuring(async () => {
      await metrics.during(() => mailEventsHandler(app, quiet)(bounceOf('0102017f-bounce-0002', address, taskMail)));
      // An address on no case: counted in the aggregate only.
      await metrics.during(() =>
        mailEventsHandler(
          app,
          quiet,
        )(
          bounceOf('0102017f-bounce-0003', 'tidak.dikenal@contoh.go.id', {
            ...untagged,
            to: ['tidak.dikenal@contoh.go.id'],
          }),
        ),
      );
      await metrics.during(() => app.sweepStranded());
    });
    expect(docs).toHaveLength(3);
    const [byCase, noCase, stranded] = docs;
    // The alarms read namespace Sepakat, the metric by name, no dimension: the [] set; the dashboard's SEARCH
    // {Sepakat,pemda,sop}: the [pemda, sop] set.
    expect(byCase).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: METRIC_NAMESPACE,
            Dimensions: [['pemda', 'sop'], []],
            Metrics: [{ Name: 'MailBounced', Unit: 'Count' }],
          },
        ],
      },
      service: 'sepakat-mailEvents',
      pemda: 'kab-blitar',
      sop: BLITAR,
      MailBounced: 1,
    });
    expect(noCase).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [[]] }] },
      MailBounced: 1,
    });
    expect(stranded).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [[]] }] },
      StrandedCases: 0,
    });
    // Nothing of the case or the event: no case id, no address.
    for (const line of lines) {
      expect(line).not.toContain(caseId);
      expect(line).not.toContain('@');
    }
    await app.close();
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
