import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgreementJob } from '../core/agreement/agreement-jobs.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { startTestRuntime } from './support/runtime.ts';
import { at, registerFinishedCase } from './support/agreements.ts';

/**
 * An adendum that moves the end of the term after an end reminder of the old term went out: the reminders of the new
 * term are their own facts and emails (not taken for the old term's, already sent).
 */
const PEMDA = 'kab-blitar';
const NOMOR = '000.5.4/301/409.1.1/2026';
const ADENDUM = '000.5.4/302/409.1.1/2027';

describe('end reminders of a term moved by an adendum', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let now = at('2026-11-23 09:00');
  const clock = { now: () => now };

  beforeAll(async () => {
    rt = await startTestRuntime({ clock, schedulerIntervalMs: 0 });
  });
  afterAll(async () => rt?.cleanup());

  const register = (suffix: string, nomor: string, data: Record<string, unknown>) =>
    registerFinishedCase(rt, { caseId: `20261123-term${suffix}`, nomor, createdAt: now, data });
  const reminder = (sampai: string): AgreementJob => ({
    kind: 'pantau-perjanjian',
    pemdaId: PEMDA,
    nomor: NOMOR,
    tahap: 'pengingat-berakhir',
    ke: 90,
    sampai,
  });
  const reminderMails = async () =>
    (await readMailbox(rt.dataDir)).filter(
      (m) => m.subject.startsWith('Jangka waktu berakhir dalam 90 hari') && m.subject.includes(NOMOR),
    );

  it('sends the new term its own 90-day reminder after the old term already had one', async () => {
    // Arrange: a one-year agreement (to 22 November 2027) whose 90-day reminder went out in August 2027.
    await register('aaaaaa', NOMOR, { 'naskah-tanggal': '2026-11-23', 'naskah-jangka-waktu': 1 });
    now = at('2027-08-24 07:30');
    expect(await rt.app.agreements.runJob(reminder('2027-11-22'))).toMatchObject({ result: 'terkirim' });
    // An adendum then extends it by a year.
    now = at('2027-09-01 09:00');
    await register('bbbbbb', ADENDUM, {
      'naskah-tanggal': '2027-09-01',
      'naskah-jangka-waktu': 1,
      'adendum-dari': NOMOR,
      'berakhir-baru': '2028-11-22',
    });
    expect((await rt.app.agreements.get(PEMDA, NOMOR))?.berakhir).toBe('2028-11-22');

    // Act: 90 days before the new end.
    now = at('2028-08-24 07:30');
    const result = await rt.app.agreements.runJob(reminder('2028-11-22'));

    // Assert: sent (once), with the new end in it; the old term's reminder counted apart.
    expect(result).toMatchObject({ result: 'terkirim' });
    expect(await rt.app.agreements.runJob(reminder('2028-11-22'))).toMatchObject({ result: 'sudah-terkirim' });
    const mails = await reminderMails();
    expect(mails).toHaveLength(2);
    expect(mails[1]!.text).toContain('22 November 2028');
  }, 60_000);
});
