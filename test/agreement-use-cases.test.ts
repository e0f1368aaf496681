import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Agreements } from '../core/agreement/agreements.ts';
import type { AgreementJob } from '../core/agreement/agreement-jobs.ts';
import type { CaseRecord } from '../core/case/model.ts';
import { ErrorNames, isSepakatError } from '../core/errors.ts';
import { loadCatalog, type Catalog } from '../functions/adapters/catalog.ts';
import {
  JsonRenderer,
  MemoryAgreementStore,
  MemoryCaseStore,
  MemoryDocumentStore,
  MemoryMailer,
  MemoryScheduler,
  TestClock,
} from './support/memory-ports.ts';
import { at, BLITAR_SOP } from './support/agreements.ts';

/**
 * The use cases of an agreement's life (core/agreement/) on in-memory ports: register, request and record a report,
 * end early, declare BATAL. Milliseconds each; the same verbs on the local services and through the web pages are
 * test/agreement-*.test.ts.
 */
const NOMOR = '000.5.4/31/409.1.1/2026';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
let catalog: Catalog;

beforeAll(() => {
  catalog = loadCatalog({ sopDirs: [join(ROOT, 'sops')], configDir: join(ROOT, 'config') });
});

function world() {
  const store = new MemoryAgreementStore();
  const cases = new MemoryCaseStore();
  const documents = new MemoryDocumentStore();
  const renderer = new JsonRenderer();
  const mailer = new MemoryMailer();
  const scheduler = new MemoryScheduler();
  const clock = new TestClock(at('2026-03-02 09:00'));
  const started: string[] = [];
  const agreements = new Agreements({
    store,
    cases,
    documents,
    renderer: () => renderer,
    mailer,
    // The email's text is its model: a test reads the link a person was sent.
    emails: { render: (template, model) => ({ subject: template, text: JSON.stringify(model), html: '' }) },
    clock,
    scheduler,
    pemda: (id) => catalog.pemda(id),
    sops: catalog.sops,
    linkKey: () => Buffer.alloc(32, 7),
    publicBaseUrl: 'https://sepakat.uji',
    mailDomain: 'sepakat.uji',
    documentsBucket: 'dokumen',
    startCase: async (record) => started.push(record.caseId),
  });
  return { agreements, store, cases, documents, renderer, mailer, scheduler, clock, started };
}

async function signedCase(w: ReturnType<typeof world>, caseId = 'kasus-1') {
  const sop = catalog.sops.latest(BLITAR_SOP);
  const record: CaseRecord = {
    caseId,
    intakeId: caseId,
    sopId: BLITAR_SOP,
    sopVersion: sop.definition.version,
    sopKey: sop.key,
    pemdaId: 'kab-blitar',
    perihal: 'Kerja sama peningkatan pelayanan publik',
    pemohon: { nama: 'Dinas Kominfo', email: 'kominfo@blitarkab.test', instansi: 'Dinas Komunikasi dan Informatika' },
    status: 'selesai',
    createdAt: w.clock.now().toISOString(),
    data: {
      'pihak-mitra': 'Universitas Contoh',
      'naskah-jenis': 'kesepakatan-bersama',
      'nomor-naskah': NOMOR,
      'naskah-tanggal': '2026-03-02',
    },
    files: [],
    cursor: null,
    visits: {},
  };
  await w.cases.createCase(record);
  return (await w.agreements.registerCase(caseId))!;
}

const job = (w: ReturnType<typeof world>, tahap: string, ke: number) => {
  const item = [...w.scheduler.items.values()].find(
    (i) => i.job.kind === 'pantau-perjanjian' && i.job.tahap === tahap && i.job.ke === ke,
  );
  expect(item, `${tahap} ${ke} terjadwal`).toBeDefined();
  return item!.job as AgreementJob;
};

describe('agreement use cases on in-memory ports', () => {
  let w: ReturnType<typeof world>;
  beforeEach(() => {
    w = world();
  });

  it('registers a signed agreement once, with its term and its monitoring calendar', async () => {
    const a = await signedCase(w);
    expect(a).toMatchObject({ nomor: NOMOR, status: 'berlaku', mulai: '2026-03-02', version: 1 });
    expect(a.berakhir > a.mulai).toBe(true);
    const scheduled = w.scheduler.items.size;
    expect(job(w, 'laporan-minta', 1)).toMatchObject({ nomor: NOMOR });
    expect(await w.agreements.registerCase('kasus-1')).toEqual(a);
    expect(w.scheduler.items.size).toBe(scheduled);
    const facts = (await w.cases.listHistory('kasus-1')).filter((e) => e.type === 'perjanjian-terdaftar');
    expect(facts).toHaveLength(1);
  });

  it('requests a report once and records it once through its link, with its Laporan Pelaksanaan', async () => {
    await signedCase(w);
    const request = job(w, 'laporan-minta', 1);
    w.clock.set(at('2026-06-02 09:00'));
    expect(await w.agreements.runJob(request)).toEqual({ kind: 'pantau-perjanjian', result: 'diminta' });
    expect(await w.agreements.runJob(request)).toEqual({ kind: 'pantau-perjanjian', result: 'sudah-diminta' });
    const asked = w.mailer.sent.filter((m) => m.subject === 'perjanjian-laporan-diminta');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.to).toEqual(['kominfo@blitarkab.test']);
    const url = String(JSON.parse(asked[0]!.text).url);
    const token = url.slice(url.indexOf('/pantau/') + '/pantau/'.length);

    const missing = await w.agreements.submit(token, { submissionId: 's1', kegiatan: 'Rapat koordinasi' });
    expect(missing).toMatchObject({ result: 'tidak-valid', errors: { capaian: 'Capaian wajib diisi.' } });

    const form = {
      submissionId: 's1',
      kegiatan: 'Rapat koordinasi\nPelatihan petugas',
      capaian: 'Dua kegiatan terlaksana',
      kendala: '',
      rencana: 'Evaluasi bersama',
      anggaran: 'tidak ada',
      nama: 'Drs. Budi',
      jabatan: 'Kepala Dinas',
      nip: '197001011995031001',
      pangkat: 'Pembina Utama Muda (IV/c)',
    };
    const done = await w.agreements.submit(token, form);
    expect(done).toMatchObject({ result: 'diterima', item: { state: 'diterima' } });
    expect(w.renderer.rendered.map((r) => r.template)).toEqual(['laporan-pelaksanaan']);
    expect([...w.documents.records.values()].map((d) => d.kind)).toEqual(['laporan-pelaksanaan']);
    expect(w.scheduler.cancelled.some((k) => k.includes('laporan-terlambat'))).toBe(true);
    // The same submission again is recognised; the form is not recorded twice.
    expect(await w.agreements.submit(token, form)).toMatchObject({ problem: 'selesai', sameSubmission: true });
    expect(w.renderer.rendered).toHaveLength(1);
  });

  it('ends an agreement early with a ground named in Indonesian, cancels its monitoring, then refuses BATAL', async () => {
    await signedCase(w);
    const bad = await w.agreements
      .endEarly('kab-blitar', NOMOR, { alasan: 'bosan', oleh: 'Admin' })
      .catch((e: unknown) => e);
    expect(isSepakatError(bad, ErrorNames.BadInput)).toBe(true);
    expect((await w.store.get('kab-blitar', NOMOR))!.status).toBe('berlaku');

    const ended = await w.agreements.endEarly('kab-blitar', NOMOR, {
      alasan: 'kesepakatan-para-pihak',
      catatan: 'Disepakati kedua pihak',
      oleh: 'Admin',
    });
    expect(ended).toMatchObject({ status: 'berakhir', alasanBerakhir: 'kesepakatan-para-pihak', version: 2 });
    // Its reports, monev, end reminders and expiry are cancelled (the pemda's annual report stays).
    expect([...w.scheduler.items.values()].filter((i) => i.job.kind === 'pantau-perjanjian')).toEqual([]);
    expect(w.mailer.sent.filter((m) => m.subject === 'perjanjian-status')).toHaveLength(1);

    const batal = await w.agreements
      .cancel('kab-blitar', NOMOR, { alasan: 'Tidak dilaksanakan sama sekali', oleh: 'Admin' })
      .catch((e: unknown) => e);
    expect(isSepakatError(batal, ErrorNames.BadInput)).toBe(true);
    expect((await w.store.get('kab-blitar', NOMOR))!.status).toBe('berakhir');
  });

  it('starts one adendum case per submission, linked to the agreement', async () => {
    await signedCase(w);
    const input = { sopId: BLITAR_SOP, submissionId: 'form-1', oleh: 'Admin' };
    const first = await w.agreements.startAdendum('kab-blitar', NOMOR, input);
    const again = await w.agreements.startAdendum('kab-blitar', NOMOR, input);
    expect(first.created).toBe(true);
    expect(again).toEqual({ caseId: first.caseId, created: false });
    const agreement = (await w.store.get('kab-blitar', NOMOR))!;
    // The agreement it changes, as the adendum's naskah names it (config/naskah/adendum.yaml).
    expect((await w.cases.getCase(first.caseId))!.data).toMatchObject({
      'adendum-dari': NOMOR,
      'adendum-dari-jenis': agreement.jenis,
      'adendum-dari-tanggal': agreement.mulai,
      'adendum-dari-tentang': agreement.perihal,
      'adendum-ke': 1,
    });
    expect(w.started).toEqual([first.caseId, first.caseId]);
    const unknown = await w.agreements
      .startAdendum('kab-blitar', NOMOR, { ...input, sopId: 'tidak-ada' })
      .catch((e: unknown) => e);
    expect(String((unknown as Error).message)).toContain('SOP "tidak-ada" tidak dikenal');
  });
});
