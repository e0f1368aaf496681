import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf, submitPermohonan, taskLinks } from '../cli/drive.ts';
import type { Principal } from '../core/access/access.ts';
import type { DocumentRecord } from '../functions/adapters/document-store.ts';
import { entryId } from '../functions/handlers/archive-routes.ts';
import type { Route } from '../functions/handlers/web-context.ts';
import { webApp } from '../functions/handlers/web-app.ts';
import { agreementPathId } from '../functions/handlers/monitoring-routes.ts';
import { isRecordKind, RECORD_KINDS, type RecordKind, type RouteParam } from '../functions/handlers/record-access.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { BLITAR_SOP, registerFinishedCase } from './support/agreements.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * Another pemda's records answer exactly as records that do not exist (Hardening, item 4). The test walks the whole
 * route table of the HTTP handler: every route whose path (or form) names a pemda's record is requested, with a
 * valid session and CSRF token, by an administrator of another pemda, once with a real record of Kabupaten Blitar
 * and once with an id that names nothing; both answers must be 404 with the same page. A route that takes a path
 * parameter without declaring what it names fails the walk, so a new route cannot be forgotten. A role of Blitar
 * that may not see a record still gets 403, and Blitar's administrator gets something other than 404 (so the ids
 * the walk uses do name real records).
 */

type Rt = Awaited<ReturnType<typeof startTestRuntime>>;
const PEMDA_A = 'kab-blitar';

/** An administrator (also arsiparis and pelaksana, so no role rule stops them first) of another pemda. */
const ADMIN_KOTA: Principal = {
  sub: 'u-admin-kota-lintas',
  email: 'admin@kotacontoh.test',
  nama: 'Admin Kerja Sama Kota',
  roles: ['admin', 'arsiparis', 'pelaksana'],
  pemdaId: 'kota-contoh',
  unit: 'BAGIAN KERJASAMA',
};
/** The pemohon of the Blitar case, signed in to the console of Blitar. */
const PEMOHON_BLITAR: Principal = {
  sub: 'u-pemohon-blitar-lintas',
  email: PEMOHON.email,
  nama: PEMOHON.nama,
  roles: ['pemohon'],
  pemdaId: PEMDA_A,
  unit: PEMOHON.instansi,
};

/** How many capture groups a pattern has. */
const groupCount = (pattern: RegExp) => new RegExp(`${pattern.source}|`).exec('')!.length - 1;

/** Routes whose pattern captures a value but does not declare, for each group, what it names. */
const undeclared = (routes: readonly Route[]) =>
  routes.filter((r) => groupCount(r.pattern) > 0 && r.params?.length !== groupCount(r.pattern));

/** The path a route's pattern matches with `values` for its groups, in order (checked against the pattern). */
function pathOf(route: Route, values: string[]): string {
  const source = route.pattern.source;
  let out = '';
  let group = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      out += source[++i];
    } else if (c === '(' && source[i + 1] !== '?') {
      // Skip to the group's closing parenthesis (groups in these patterns hold no nested groups or escaped parens).
      let depth = 1;
      while (depth > 0) {
        i++;
        if (source[i] === '\\') i++;
        else if (source[i] === '(') depth++;
        else if (source[i] === ')') depth--;
      }
      out += values[group++]!;
    } else if (!(c === '^' && i === 0) && !(c === '$' && i === source.length - 1)) out += c;
  }
  const match = route.pattern.exec(out);
  expect(match?.slice(1), `${route.method} ${route.pattern} → ${out}`).toEqual(values);
  return out;
}

const label = (r: Route) => `${r.method} ${r.pattern.source}${r.formRecord ? ` (${r.formRecord.field})` : ''}`;
const mainOf = (html: string) => html.replace(/ nonce="[^"]*"/g, '');
const random22 = () => randomBytes(16).toString('base64url');

describe("another pemda's records answer as if they did not exist", () => {
  let rt: Rt;
  let routes: readonly Route[];
  let caseId: string;
  let taskId: string;
  let taskLink: string;
  let naskah: DocumentRecord;
  let notaDinas: DocumentRecord;
  let otherCaseDoc: DocumentRecord;
  let nomorEntri: string;
  const nomorPerjanjian = '000.5.4/71/409.1.1/2026';
  const own = {} as Record<RecordKind, string>;
  const unknown = {} as Record<RecordKind, string>;
  const PLAIN: Partial<Record<RouteParam, string>> = { cara: 'lihat', format: 'csv', tahun: '2026', urutan: '0' };

  beforeAll(async () => {
    rt = await startTestRuntime({ schedulerIntervalMs: 0 });
    routes = webApp(rt.app).routeTable;

    // A Blitar case through the intake path, waiting at its first task (whose link is emailed).
    ({ intakeId: caseId } = await submitPermohonan(rt, permohonanFor(rt, BLITAR_SOP, {}, 'Kerja sama lintas pemda')));
    const task = await eventually(async () =>
      (await rt.app.store.listTasks({ caseId })).find((t) => t.state === 'open' && !!t.executionArn),
    );
    taskId = task.taskId;
    const mail = await eventually(async () =>
      (await readMailbox(rt.dataDir)).find((m) => m.subject.startsWith('Tugas baru') && m.text?.includes(caseId)),
    );
    taskLink = new URL(taskLinks(mail)[0]!).pathname;

    // Its number in Blitar's register, its signed naskah filed under it, and a working paper.
    const entry = await rt.app.register(PEMDA_A).allocate({
      caseId,
      purpose: 'naskah',
      series: 'nota-kesepakatan',
      parties: ['Pemerintah Kabupaten Blitar', 'Pemerintah Kabupaten Mitra'],
      perihal: 'Kerja sama lintas pemda',
      by: 'Yuli Astutik, S.AP.',
    });
    nomorEntri = entry.numberText;
    const store = (forCase: string, kind: string, nomor?: string) =>
      rt.app.documents.store({
        caseId: forCase,
        pemdaId: PEMDA_A,
        kind,
        purpose: `${forCase}#00001#${kind}`,
        bucket: rt.app.config.SEPAKAT_BUCKET_DOCUMENTS,
        bytes: samplePdf(`${kind} ${forCase}`),
        contentType: 'application/pdf',
        fileName: `${kind}.pdf`,
        at: rt.app.runtimeClock.now(),
        ...(nomor ? { nomor } : {}),
      });
    naskah = (await store(caseId, 'naskah-ditandatangani', nomorEntri)).record;
    notaDinas = (await store(caseId, 'nota-dinas')).record;

    // An agreement of Blitar in force (from a finished case, as the SOP's `daftar` step registers it).
    const finished = '20260301-lintaspemda';
    await registerFinishedCase(rt, { caseId: finished, nomor: nomorPerjanjian, createdAt: rt.app.runtimeClock.now() });
    otherCaseDoc = (await store(finished, 'naskah-ditandatangani', nomorPerjanjian)).record;

    // The case's permohonan file, as its page links it for Blitar's administrator.
    const page = await web(rt, `/konsol/kasus/${caseId}`, { cookie: sessionFor(rt, PRINCIPALS.adminBlitar).cookie });
    expect(page.status).toBe(200);
    const berkas = new RegExp(`/konsol/kasus/${caseId}/berkas/([A-Za-z0-9_-]{22})/`).exec(page.text)![1]!;

    Object.assign(own, {
      kasus: caseId,
      tugas: taskId,
      dokumen: naskah.docId,
      berkas,
      'entri-register': entryId(nomorEntri),
      perjanjian: agreementPathId(nomorPerjanjian),
    } satisfies Record<RecordKind, string>);
    const base32 = () => Array.from(randomBytes(10), (b) => 'abcdefghijklmnopqrstuvwxyz234567'[b % 32]).join('');
    Object.assign(unknown, {
      kasus: `20260101-${base32()}`,
      tugas: random22(),
      dokumen: random22(),
      berkas: random22(),
      'entri-register': entryId(`000.5.4/${900 + Math.floor(Math.random() * 99)}/409.1.1/2026`),
      perjanjian: agreementPathId(`000.5.4/${900 + Math.floor(Math.random() * 99)}/409.1.1/2026`),
    } satisfies Record<RecordKind, string>);
  }, 90_000);
  afterAll(async () => rt?.cleanup());

  /** The request a route takes for the records in `ids` (the form's record field as its number). */
  const request = (route: Route, ids: Record<RecordKind, string>, session: { cookie: string; csrf: string }) => {
    const values = (route.params ?? []).map((p) => (isRecordKind(p) ? ids[p] : PLAIN[p]!));
    const path = pathOf(route, values);
    const form = route.formRecord
      ? {
          [route.formRecord.field]: Buffer.from(ids[route.formRecord.kind], 'base64url').toString('utf8'),
        }
      : {};
    return web(rt, path, {
      method: route.method,
      cookie: session.cookie,
      ...(route.method === 'POST' ? { form: { _csrf: session.csrf, ...form } } : {}),
    });
  };
  /** Session routes that name a pemda's record (a link's routes carry their own authority). */
  const recordRoutes = () =>
    routes.filter((r) => !r.params?.includes('tautan') && (r.params?.some(isRecordKind) || r.formRecord));

  it('declares, for every route that takes a path parameter, what the parameter names', () => {
    expect(undeclared(routes).map(label)).toEqual([]);
    // A new route with an id and no declaration is caught.
    const forgotten: Route = {
      method: 'GET',
      pattern: /^\/konsol\/kasus\/([A-Za-z0-9-]{1,80})\/catatan$/,
      run: async () => ({ statusCode: 200, headers: {}, body: '' }),
    };
    expect(undeclared([...routes, forgotten])).toEqual([forgotten]);
    // Every kind of record is named by some route the walk below requests.
    const kinds = new Set(recordRoutes().flatMap((r) => [...(r.params ?? []), r.formRecord?.kind]));
    for (const kind of RECORD_KINDS) expect(kinds, kind).toContain(kind);
  });

  it("answers another pemda's administrator 404 on every such route, the same page as an unknown id", async () => {
    const other = sessionFor(rt, ADMIN_KOTA);
    const blitar = sessionFor(rt, PRINCIPALS.adminBlitar);
    const walked = recordRoutes();
    expect(walked.length).toBeGreaterThanOrEqual(10);
    const historyBefore = (await rt.app.store.listHistory(caseId)).length;
    for (const route of walked) {
      const theirs = await request(route, own, other);
      const none = await request(route, unknown, other);
      expect(theirs.status, label(route)).toBe(404);
      expect(none.status, label(route)).toBe(404);
      expect(mainOf(theirs.text), label(route)).toBe(mainOf(none.text));
      // Nothing of the record in the page: no id, no number.
      for (const id of [caseId, taskId, naskah.docId, nomorEntri, nomorPerjanjian])
        expect(theirs.text, label(route)).not.toContain(id);
    }
    // Nothing was logged or changed by those requests.
    expect((await rt.app.store.listHistory(caseId)).length).toBe(historyBefore);

    // The same requests by Blitar's administrator find the records (whatever they answer then; POSTs without
    // their required fields change nothing).
    for (const route of walked.filter((r) => r.method === 'GET')) {
      const mine = await request(route, own, blitar);
      expect(mine.status, label(route)).not.toBe(404);
    }
    for (const route of walked.filter((r) => r.method === 'POST')) {
      const mine = await request(route, own, blitar);
      expect(mine.status, `${label(route)}: ${mine.text}`).not.toBe(404);
    }
    expect((await rt.app.store.getCase(caseId))!.status).toBe('aktif');
    expect((await rt.app.agreements.get(PEMDA_A, nomorPerjanjian))!.status).toBe('berlaku');
  });

  it("answers a task link's request for another case's document as for an unknown one", async () => {
    const linked = routes.filter((r) => r.params?.includes('tautan') && r.params.some(isRecordKind));
    expect(linked.length).toBeGreaterThan(0);
    const token = taskLink.split('/')[2]!;
    for (const route of linked) {
      const ids = (doc: string) =>
        (route.params ?? []).map((p) => (p === 'tautan' ? token : p === 'dokumen' ? doc : PLAIN[p]!));
      const send = (doc: string) => web(rt, pathOf(route, ids(doc)), { method: route.method, form: undefined });
      const theirs = await send(otherCaseDoc.docId);
      const none = await send(random22());
      expect(theirs.status, label(route)).toBe(404);
      expect(mainOf(theirs.text)).toBe(mainOf(none.text));
      // The case's own document is found through the same link.
      expect((await send(naskah.docId)).status, label(route)).not.toBe(404);
    }
  });

  it('still answers 403 to a role of the same pemda that may not see the record', async () => {
    const as = (p: Principal) => sessionFor(rt, p);
    const get = (path: string, p: Principal) => web(rt, path, { cookie: as(p).cookie });
    const post = (path: string, p: Principal, form: Record<string, string>) => {
      const s = as(p);
      return web(rt, path, { cookie: s.cookie, form: { _csrf: s.csrf, ...form } });
    };
    const denied = async (answer: Promise<{ status: number; text: string }>, what: string) => {
      const { status, text } = await answer;
      expect(status, what).toBe(403);
      expect(text, what).toContain('Akses ditolak');
    };

    // kasus: an open case is not the arsiparis's.
    await denied(get(`/konsol/kasus/${caseId}`, PRINCIPALS.arsiparisBlitar), 'kasus');
    // tugas: only an administrator reassigns a task.
    await denied(
      post(`/konsol/kasus/${caseId}/tugas/${taskId}/alihkan`, PRINCIPALS.pelaksanaBlitar, { orang: 'penata-1' }),
      'tugas',
    );
    // dokumen: the pemohon sees their case, not the pemda's working papers.
    expect((await get(`/konsol/kasus/${caseId}`, PEMOHON_BLITAR)).status).toBe(200);
    await denied(post(`/konsol/kasus/${caseId}/dokumen/${notaDinas.docId}/lihat`, PEMOHON_BLITAR, {}), 'dokumen');
    // entri-register and perjanjian: the archive is not the pemohon's; ending an agreement is the administrator's.
    await denied(get(`/arsip/${entryId(nomorEntri)}`, PEMOHON_BLITAR), 'entri-register');
    await denied(post(`/arsip/unduh/${naskah.docId}`, PEMOHON_BLITAR, {}), 'dokumen (arsip)');
    await denied(get(`/konsol/perjanjian/${agreementPathId(nomorPerjanjian)}`, PEMOHON_BLITAR), 'perjanjian');
    await denied(
      post('/konsol/perjanjian/akhiri', PRINCIPALS.pelaksanaBlitar, { nomor: nomorPerjanjian, alasan: 'lain' }),
      'perjanjian (akhiri)',
    );
    // berkas: once the case is closed the arsiparis opens its page, but not the permohonan's files.
    const cancelled = await post(`/konsol/kasus/${caseId}/batalkan`, PRINCIPALS.adminBlitar, {
      alasan: 'Uji akses lintas pemda',
    });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect((await get(`/konsol/kasus/${caseId}`, PRINCIPALS.arsiparisBlitar)).status).toBe(200);
    await denied(post(`/konsol/kasus/${caseId}/berkas/${own.berkas}/unduh`, PRINCIPALS.arsiparisBlitar, {}), 'berkas');
    // And another pemda's administrator still gets 404 for the closed case.
    expect((await get(`/konsol/kasus/${caseId}`, ADMIN_KOTA)).status).toBe(404);
  });
});
