import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementId } from '../core/agreement/agreement-jobs.ts';
import type { MonitoringItem } from '../core/agreement/monitoring-item.ts';
import { tanggalSurat } from '../core/documents/common.ts';
import { DynamoDbAgreementStore } from '../functions/adapters/agreement-store.ts';
import { agreementPathId } from '../functions/handlers/monitoring-routes.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { at, registerFinishedCase } from './support/agreements.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { startTestRuntime } from './support/runtime.ts';

/**
 * A report requested while its year's holidays were still an estimate, and open when the year is imported: its due
 * date is what the reminders are timed by, so it moves with them to the imported calendar (its link lasting as long
 * after the new date), on the partner's page and in the agreement's history. Importing again moves nothing more.
 */
const PEMDA = 'kab-blitar';
const NOMOR = '000.5.4/78/409.1.1/2026';
const file2027 = readFileSync(new URL('./fixtures/calendar/2027-uji.json', import.meta.url), 'utf8');

describe('importing 2027 while a report due in 2027 is open', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let now = at('2026-12-10 09:00');
  const clock = { now: () => now };
  const key = (rest: string) => `perjanjian.${agreementId(PEMDA, NOMOR)}.${rest}`;
  const firstReport = async () =>
    (await rt.app.agreements.detail(PEMDA, NOMOR))!.items.find((i) => i.jenis === 'laporan' && i.ke === 1)!;
  let requested: MonitoringItem;
  let link: string;

  beforeAll(async () => {
    rt = await startTestRuntime({ clock, schedulerIntervalMs: 0 });
    await registerFinishedCase(rt, {
      caseId: '20261210-tenggatuj',
      nomor: NOMOR,
      createdAt: now,
      data: { 'naskah-tanggal': '2026-12-10', 'naskah-jangka-waktu': 1 },
    });
    // The first report is requested when it falls due for asking, on the estimate of 2027.
    const request = (await rt.scheduler.store.get(key('laporan-minta.1')))!;
    now = new Date(request.at);
    expect(await rt.app.agreements.runJob(request.job as never)).toMatchObject({ result: 'diminta' });
    requested = await firstReport();
    const mail = (await readMailbox(rt.dataDir)).find(
      (m) => m.to.includes(requested.person.email) && m.links.some((l) => l.includes('/pantau/')),
    )!;
    link = mail.links.find((l) => l.includes('/pantau/'))!;
  }, 60_000);
  afterAll(async () => rt?.cleanup());

  it('moves the open report to the due date of the imported calendar, with its link, and says so', async () => {
    // Arrange: the estimate gave the first report a due date the imported Idulfitri changes.
    expect(requested.state).toBe('terbuka');
    const admin = sessionFor(rt, PRINCIPALS.adminBlitar);

    // Act
    const answer = await web(rt, '/konsol/kalender', {
      cookie: admin.cookie,
      form: { _csrf: admin.csrf, isi: file2027 },
    });

    // Assert: the item is due when the current calendar says, as the agreement's calendar and reminders are.
    expect(answer.status).toBe(200);
    const detail = (await rt.app.agreements.detail(PEMDA, NOMOR))!;
    const due = detail.calendar.find((k) => k.jenis === 'laporan' && k.ke === 1)!.jatuhTempo;
    expect(due).not.toBe(requested.jatuhTempo);
    const moved = await firstReport();
    expect(moved).toMatchObject({ state: 'terbuka', jatuhTempo: due, linkVersion: requested.linkVersion });
    expect(moved.linkExpiresAt >= requested.linkExpiresAt).toBe(true);
    // The partner's page shows the new date; the agreement's history says what moved.
    const page = await web(rt, new URL(link).pathname);
    expect(page.status).toBe(200);
    expect(page.text).toContain(tanggalSurat(due));
    expect(page.text).not.toContain(tanggalSurat(requested.jatuhTempo));
    const agreementPage = await web(rt, `/konsol/perjanjian/${agreementPathId(NOMOR)}`, { cookie: admin.cookie });
    expect(agreementPage.text).toContain(
      `jatuh tempo ${requested.label} dipindah dari ${tanggalSurat(requested.jatuhTempo)} ke ${tanggalSurat(due)}`,
    );
    // The first date is kept on the item, and whoever the report is bound to is told, once, with the same link.
    expect(moved.jatuhTempoSemula).toBe(requested.jatuhTempo);
    const notices = (await readMailbox(rt.dataDir)).filter(
      (m) => m.to.includes(requested.person.email) && m.subject.startsWith('Batas penyampaian diubah'),
    );
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain(`Batas penyampaian semula: ${tanggalSurat(requested.jatuhTempo)}`);
    expect(notices[0]!.text).toContain(`Batas penyampaian sekarang: ${tanggalSurat(due)}`);
    expect(notices[0]!.links).toContain(link);

    // Importing the same year again moves nothing more.
    const again = await web(rt, '/konsol/kalender', {
      cookie: admin.cookie,
      form: { _csrf: admin.csrf, isi: file2027 },
    });
    expect(again.status).toBe(200);
    expect(await firstReport()).toEqual(moved);
    expect(
      (await readMailbox(rt.dataDir)).filter((m) => m.subject.startsWith('Batas penyampaian diubah')),
    ).toHaveLength(1);
  }, 60_000);

  it('does not shorten a link renewed between the import reading the report and moving it', async () => {
    // Arrange: a report open at its first date, whose link was renewed after the import read it.
    const store = new DynamoDbAgreementStore(rt.app.clients.dynamodb, rt.app.config.SEPAKAT_TABLE_AGREEMENTS);
    const item = await firstReport();
    const read = { jatuhTempo: item.jatuhTempo, linkVersion: item.linkVersion, linkExpiresAt: item.linkExpiresAt };
    const renewedUntil = new Date(Date.parse(item.linkExpiresAt) + 30 * 24 * 3600_000).toISOString();
    expect(await store.renewItemLink(item.itemId, item.linkVersion, renewedUntil, 3)).toBe(true);

    // Act: the move the import computed from what it read.
    const moved = await store.redateItem(item.itemId, read, {
      jatuhTempo: '2027-12-31',
      linkExpiresAt: item.linkExpiresAt,
    });

    // Assert: refused; the renewed link stands.
    expect(moved).toBe(false);
    expect(await store.getItem(item.itemId)).toMatchObject({
      jatuhTempo: item.jatuhTempo,
      linkVersion: item.linkVersion + 1,
      linkExpiresAt: renewedUntil,
    });
  });
});
