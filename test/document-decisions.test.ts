import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord, DocumentAction, HistoryEvent, TaskRecord } from '../core/case/model.ts';
import { DocumentActions } from '../core/documents/document-actions.ts';
import { addYears, nextHierarkiOrder, numbersOf, parafStateOf } from '../core/documents/paraf-rules.ts';
import { Register } from '../core/register/allocation.ts';
import type { Activity, Sop } from '../core/sop/load-sop.ts';
import { loadCatalog, type Catalog } from '../functions/adapters/catalog.ts';
import { naskahDrafts } from '../functions/app.ts';
import { at, BLITAR_SOP } from './support/agreements.ts';
import {
  JsonRenderer,
  MemoryAcceptedFiles,
  MemoryCaseStore,
  MemoryDocumentStore,
  MemoryRegisterItems,
  MemorySigner,
  TestClock,
} from './support/memory-ports.ts';

/**
 * The decisions of document work (core/documents/): which number a case gets and when it is used, which content
 * version a paraf approves and which paraf still count. In-memory ports, milliseconds; rendering and signing for real
 * are test/documents.test.ts and test/e2e-documents.test.ts.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
let catalog: Catalog;
let sop: Sop;
beforeAll(() => {
  catalog = loadCatalog({ sopDirs: [join(ROOT, 'sops')], configDir: join(ROOT, 'config') });
  sop = catalog.sops.latest(BLITAR_SOP);
});

/** The activity of the SOP whose automatic work includes `action`, and that action. */
function step<A extends DocumentAction['action']>(
  action: A,
): { activity: Activity; action: Extract<DocumentAction, { action: A }> } {
  for (const node of sop.nodes)
    if (node.type === 'activity')
      for (const c of node.choices)
        for (const a of c.automatic)
          if (a.action === action) return { activity: node, action: a as Extract<DocumentAction, { action: A }> };
  throw new Error(`SOP tanpa ${action}`);
}

function world() {
  const clock = new TestClock(at('2026-03-02 09:00'));
  const cases = new MemoryCaseStore();
  const items = new MemoryRegisterItems();
  const registered: string[] = [];
  const register = new Register(items, {
    pemdaId: 'kab-blitar',
    numbering: catalog.pemda('kab-blitar').directory.data.penomoran,
    clock: () => clock.now(),
  });
  const work = new DocumentActions({
    store: cases,
    drafts: naskahDrafts(cases, catalog),
    documents: new MemoryDocumentStore(),
    files: new MemoryAcceptedFiles(),
    register: () => register,
    renderer: () => new JsonRenderer(),
    signer: new MemorySigner(),
    pemda: (id) => catalog.pemda(id),
    sops: catalog.sops,
    clock,
    publicBaseUrl: 'https://sepakat.uji',
    buckets: { documents: 'dokumen', archive: 'arsip' },
    maxUploadBytes: 1_000_000,
    faults: { point: () => undefined },
    onNaskahRegistered: async (caseId) => registered.push(caseId),
  });
  return { clock, cases, register, work, registered };
}

async function caseOf(w: ReturnType<typeof world>, data: Record<string, unknown> = {}): Promise<CaseRecord> {
  const record: CaseRecord = {
    caseId: 'kasus-1',
    intakeId: 'kasus-1',
    sopId: BLITAR_SOP,
    sopVersion: sop.definition.version,
    sopKey: sop.key,
    pemdaId: 'kab-blitar',
    perihal: 'Kerja sama pelayanan publik',
    pemohon: { nama: 'Dinas Kominfo', email: 'kominfo@blitarkab.test', instansi: 'Dinas Komunikasi dan Informatika' },
    status: 'aktif',
    createdAt: w.clock.now().toISOString(),
    data: { 'pihak-mitra': 'Universitas Contoh', ...data },
    files: [],
    cursor: null,
    visits: {},
  };
  await w.cases.createCase(record);
  return (await w.cases.getCase(record.caseId))!;
}

const decided = (values: Record<string, string>): TaskRecord =>
  ({
    decision: {
      choice: 'lanjut',
      values,
      files: [],
      at: '2026-03-02T02:00:00.000Z',
      by: { id: 'kabag-tapem', nama: 'Kabag', jabatan: 'Kepala Bagian', email: 'kabag@blitarkab.test' },
      submissionId: 's1',
    },
  }) as unknown as TaskRecord;

describe('document work decisions', () => {
  it('reserves the naskah number once per case and purpose, and keeps it in the case data', async () => {
    const w = world();
    const { activity, action } = step('nomor');
    const record = await caseOf(w);
    const first = await w.work.perform({ record, activity, seq: 7, action, task: undefined });
    const again = await w.work.perform({ record, activity, seq: 7, action, task: undefined });
    expect(first).toEqual({ nomor: '000.5.4/1/409.1.1/2026', sumber: 'sepakat' });
    expect(again).toEqual(first);
    expect((await w.cases.getCase('kasus-1'))!.data['nomor-naskah']).toBe('000.5.4/1/409.1.1/2026');
  });

  it('records the SRIKANDI number an official entered instead of taking one, and refuses a malformed one', async () => {
    const w = world();
    const { activity, action } = step('nomor');
    const record = await caseOf(w);
    const detail = await w.work.perform({
      record,
      activity,
      seq: 7,
      action,
      task: decided({ [action.srikandi!]: '000.5.4/88/409.1.1/2026' }),
    });
    expect(detail).toEqual({ nomor: '000.5.4/88/409.1.1/2026', sumber: 'srikandi' });
    await expect(
      w.work.perform({ record, activity, seq: 7, action, task: decided({ [action.srikandi!]: '88/2026' }) }),
    ).rejects.toMatchObject({ code: 'FormatNomor' });
  });

  it('uses the number for the signed naskah: the register says dipakai, berlaku until the day before the anniversary', async () => {
    const w = world();
    const nomor = step('nomor');
    const record = await caseOf(w, { 'jangka-waktu': 5 });
    await w.work.perform({ record: record, activity: nomor.activity, seq: 7, action: nomor.action, task: undefined });
    const { activity, action } = step('daftar');
    const detail = await w.work.perform({
      record: (await w.cases.getCase('kasus-1'))!,
      activity,
      seq: 20,
      action,
      task: undefined,
    });
    expect(detail).toMatchObject({ nomor: '000.5.4/1/409.1.1/2026', status: 'dipakai' });
    expect(await w.register.get('000.5.4/1/409.1.1/2026')).toMatchObject({
      status: 'dipakai',
      dates: { signed: '2026-03-02', validFrom: '2026-03-02' },
    });
    // No signed naskah in this case: nothing is registered as an agreement.
    expect(w.registered).toEqual([]);
  });

  it('counts only the paraf over the current content version, in rank order', () => {
    const paraf = (urutan: number, versiIsi: string, t: string): HistoryEvent => ({
      caseId: 'kasus-1',
      eventKey: `${urutan}#${versiIsi}`,
      type: 'otomatis-selesai',
      at: t,
      detail: {
        action: 'paraf',
        paraf: 'hierarki',
        pihak: 'kesatu',
        urutan,
        nama: `P${urutan}`,
        jabatan: `J${urutan}`,
        versiIsi,
        waktu: t,
      },
    });
    const history = [paraf(1, 'v1', '2026-03-02T01:00:00Z'), paraf(2, 'v1', '2026-03-02T02:00:00Z')];
    expect(nextHierarkiOrder(history, sop, 'kesatu', 'v1')).toBe(3);
    expect(parafStateOf(history, sop, 'kesatu', 'v1').hierarki.map((r) => r.who.nama)).toEqual(['P1', 'P2']);
    // The text changed: the earlier paraf are void and the chain starts again.
    expect(nextHierarkiOrder(history, sop, 'kesatu', 'v2')).toBe(1);
    expect(parafStateOf(history, sop, 'kesatu', 'v2').hierarki).toEqual([]);
    // The other party's chain is its own.
    expect(nextHierarkiOrder(history, sop, 'kedua', 'v1')).toBe(1);
  });

  it('reads the numbers of a case and ends a term the day before its anniversary', () => {
    expect(numbersOf({ 'nomor-naskah': 'A/1', 'nomor-nota-dinas': 'B/2', nomor: 'x', 'nomor-kosong': '' })).toEqual({
      naskah: 'A/1',
      'nota-dinas': 'B/2',
    });
    expect(addYears('2026-11-23', 5)).toBe('2031-11-22');
    expect(addYears('2024-03-01', 1)).toBe('2025-02-28');
  });
});
