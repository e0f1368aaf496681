import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, submitPermohonan, taskLinks } from '../cli/drive.ts';
import { packageLinkToken } from '../core/case/capabilities.ts';
import { webApp } from '../functions/handlers/web-app.ts';
import { agreementPathId } from '../functions/handlers/monitoring-routes.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { at, BLITAR_SOP, fireDue, registerFinishedCase } from './support/agreements.ts';
import { PRINCIPALS, sessionFor } from './support/console.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * "A GET never acts and never writes": every page a person (or a mail scanner, or a link preview) can reach by
 * following links is fetched with GET and HEAD while every write the product's AWS clients send is counted. The
 * pages are found by crawling from the entry points of each kind of visitor, so a new page is covered without a
 * new test.
 */
const WRITES =
  /^(Put|Update|Delete|BatchWrite|TransactWrite|Copy|CreateMultipartUpload|UploadPart|CompleteMultipartUpload|Send|StartExecution|StartSyncExecution|StopExecution|CreateSchedule|UpdateSchedule|DeleteSchedule|AdminCreateUser|AdminUpdate|AdminSet|AdminDelete)/;

interface Client {
  middlewareStack: {
    add(
      mw: (
        next: (args: unknown) => Promise<unknown>,
        ctx: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

describe('a GET never writes', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  const writes: string[] = [];
  const entries: { who: string; cookie?: string; paths: string[] }[] = [];
  let openTask = '';

  beforeAll(async () => {
    rt = await startTestRuntime({ schedulerIntervalMs: 0, intakeSweepIntervalMs: 0 });
    const clients = rt.app.clients as unknown as Record<string, Client>;
    for (const [name, client] of Object.entries(clients))
      client.middlewareStack.add(
        (next, ctx) => async (args) => {
          const command = ctx.commandName?.replace(/Command$/, '') ?? '';
          if (WRITES.test(command)) writes.push(`${name}:${command}`);
          return next(args);
        },
        { step: 'initialize', name: 'countWrites' },
      );

    // A Blitar case at L8.2 with its working papers; a finished one registered as an agreement; a permohonan
    // waiting for its contact's confirmation.
    const { intakeId: caseId } = await submitPermohonan(rt, permohonanFor(rt, BLITAR_SOP));
    const driven = await driveCase({ dataDir: rt.dataDir, caseId, pemohonEmail: PEMOHON.email, stopAt: 'L8.2' });
    const nomor = '000.5.4/077/409.1.1/2026';
    await registerFinishedCase(rt, {
      caseId: '20261102-selesaiget',
      nomor,
      createdAt: at('2026-11-02 09:00'),
      data: { 'naskah-tanggal': '2026-11-02', 'naskah-jangka-waktu': 1 },
    });
    // Its first report falls due: the request email carries a monitoring link (/pantau/…).
    await fireDue(rt, at('2027-02-10 08:00'));
    const pending = await submitPermohonan(
      rt,
      { ...permohonanFor(rt, BLITAR_SOP), pemohon: { ...PEMOHON, email: 'belum@mitra.test' } },
      { confirm: false },
    );
    const mails = await eventually(async () => {
      const all = await readMailbox(rt.dataDir);
      return all.some((m) => m.subject.includes(pending.intakeId)) && all;
    });
    const links = mails.flatMap((m) => m.links).map((l) => new URL(l));
    const local = links.filter((l) => l.origin === new URL(rt.urls.web).origin).map((l) => l.pathname + l.search);
    const docs = await rt.app.documents.listByCase(caseId);
    openTask = new URL(driven.stoppedAt!.link).pathname;

    entries.push({
      who: 'tamu',
      paths: [
        '/',
        '/kesehatan',
        '/permohonan/baru',
        `/permohonan/baru?sop=${BLITAR_SOP}`,
        '/verifikasi',
        pending.receipt,
        ...docs.map((d) => `/verifikasi/${d.docId}`),
        // Every link of every email: task links, the tracking link, the confirmation link, monitoring links.
        ...local,
        driven.stoppedAt!.link.replace(/^https?:\/\/[^/]+/, ''),
        // A completion package's link (this case sent none: the page says so, and writes nothing either way).
        `/paket/${packageLinkToken(rt.app.config.SEPAKAT_LINK_KEY!, '20261102-selesaiget', 'kominfo@blitarkab.test', at('2027-12-31 00:00'))}`,
        ...taskLinks(driven.stoppedAt!.mail).map((l) => new URL(l).pathname),
      ],
    });
    for (const [who, principal] of Object.entries(PRINCIPALS))
      entries.push({
        who,
        cookie: sessionFor(rt, principal).cookie,
        paths: [
          '/',
          '/tugas-saya',
          '/konsol',
          `/konsol/kasus/${caseId}`,
          '/arsip',
          '/konsol/perjanjian',
          `/konsol/perjanjian/${agreementPathId(nomor)}`,
          '/konsol/perjanjian/laporan-tahunan/2026',
          '/konsol/mutu-baku',
          '/konsol/mutu-baku.csv',
          '/arsip/register.csv?tahun=2026',
          // The SOPs of the pemda; the SOP AP document of the case's SOP: its page, PDF and ASL; the holiday calendar.
          '/konsol/sop',
          '/konsol/kalender',
          ...['lihat', 'dokumen.pdf', 'asl.json'].map(
            (what) => `/konsol/sop/${what}?id=kota-penyusunan-kesepakatan-bersama&versi=1`,
          ),
        ],
      });
    await rt.idle();
    // Let what the driven case started settle (its document steps run on), then count from zero.
    let last = -1;
    while (last !== writes.length) {
      last = writes.length;
      await new Promise((r) => setTimeout(r, 1500));
    }
    writes.length = 0;
  }, 240_000);
  afterAll(async () => rt?.cleanup());

  it('writes nothing for any page reached by following links, as GET or as HEAD', async () => {
    const origin = new URL(rt.urls.web).origin;
    const offenders: string[] = [];
    const visited = new Set<string>();
    let fetched = 0;
    for (const entry of entries) {
      const seen = new Set<string>();
      const queue = [...entry.paths];
      while (queue.length && seen.size < 120) {
        const path = queue.shift()!;
        if (seen.has(path) || path.startsWith('/keluar')) continue;
        seen.add(path);
        visited.add(new URL(path, origin).pathname);
        for (const method of ['GET', 'HEAD']) {
          const before = writes.length;
          const res = await fetch(`${origin}${path}`, {
            method,
            redirect: 'manual',
            headers: entry.cookie ? { cookie: entry.cookie } : {},
          });
          const body = method === 'GET' ? await res.text() : '';
          await res.arrayBuffer().catch(() => undefined);
          await rt.idle();
          fetched++;
          if (writes.length > before)
            offenders.push(`${entry.who} ${method} ${path}: ${writes.slice(before).join(', ')}`);
          if (method !== 'GET') continue;
          const location = res.headers.get('location');
          // Links, and what a page loads from us (the page images of a signing task's document).
          const found = [...body.matchAll(/(?:href|src)="([^"#]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
          for (const link of location ? [...found, location] : found) {
            const url = new URL(link, `${origin}${path}`);
            if (url.origin === origin && !seen.has(url.pathname + url.search)) queue.push(url.pathname + url.search);
          }
        }
      }
    }
    expect(offenders).toEqual([]);
    // The counter sees writes: a POST that acts (a task's code request) is counted.
    const before = writes.length;
    const code = await fetch(`${origin}${openTask}/kode`, { method: 'POST', headers: { origin }, redirect: 'manual' });
    await code.arrayBuffer();
    expect(writes.length).toBeGreaterThan(before);
    // The crawl reached every GET route of the route table (a new page is covered, or this names it).
    const uncovered = webApp(rt.app)
      .routeTable.filter((r) => r.method === 'GET')
      .filter((r) => ![...visited].some((path) => r.pattern.test(path)))
      .map((r) => String(r.pattern));
    expect(uncovered).toEqual([]);
    expect(fetched).toBeGreaterThan(60);
  }, 300_000);
});
