import { describe, expect, it } from 'vitest';
import { taskIdFor, trackingToken } from '../core/case/capabilities.ts';
import { CaseView } from '../core/case/case-view.ts';
import type { CaseRecord, TaskRecord } from '../core/case/model.ts';
import { MemoryCaseStore, MemoryDocumentStore, TestClock } from './support/memory-ports.ts';

/**
 * The web's case reads and logged links (core/case/case-view.ts) on in-memory ports: the tracked case of a
 * capability, the task an active case waits on, and a download recorded only once its link could be made.
 */
class CaseStoreWithTasks extends MemoryCaseStore {
  readonly taskList: TaskRecord[] = [];
  async getTask(taskId: string) {
    return this.taskList.find((t) => t.taskId === taskId);
  }
  async listTasks(filter: { caseId: string } | { state: TaskRecord['state'] }) {
    return this.taskList.filter((t) => ('caseId' in filter ? t.caseId === filter.caseId : t.state === filter.state));
  }
  async listCasesOfPemda(pemdaId: string) {
    return [...this.cases.values()].filter((c) => c.pemdaId === pemdaId);
  }
  async listTasksOfCases(caseIds: readonly string[]) {
    return new Map(caseIds.map((id) => [id, this.taskList.filter((t) => t.caseId === id)]));
  }
}

describe('the case view of the web', () => {
  const linkKey = Buffer.alloc(32, 7);
  const caseId = '20261123-abcdefghij';
  const record: CaseRecord = {
    caseId,
    intakeId: caseId,
    sopId: 'sop-kb',
    sopVersion: 1,
    sopKey: 'sop-kb@1',
    pemdaId: 'kota-contoh',
    perihal: 'Pengelolaan Air Minum',
    pemohon: { nama: 'Siti Aminah', email: 'siti@mitra.go.id', instansi: 'Kabupaten Mitra' },
    status: 'aktif',
    createdAt: '2026-11-23T02:00:00.000Z',
    data: {},
    files: [],
    cursor: { node: 'L2', stepId: '2', seq: 2, visit: 1, enteredAt: '2026-11-23T03:00:00.000Z' },
    visits: {},
    trackingVersion: 2,
  };

  const setUp = async () => {
    const store = new CaseStoreWithTasks();
    await store.createCase(record);
    const documents = new MemoryDocumentStore();
    const clock = new TestClock(new Date('2026-11-24T01:00:00Z'));
    const view = new CaseView({
      store,
      documents,
      files: { acceptedFileUrl: async (f, seconds) => `memory://${f.bucket}/${f.key}?expires=${seconds}` },
      clock,
      linkKey: () => linkKey,
    });
    return { store, documents, view };
  };

  it('opens a case only through its current tracking capability', async () => {
    const { view } = await setUp();
    expect((await view.tracked(trackingToken(linkKey, caseId, 2)))?.caseId).toBe(caseId);
    // The version before (replaced by a newer link), another key's MAC, and anything made up open nothing.
    expect(await view.tracked(trackingToken(linkKey, caseId, 1))).toBeUndefined();
    expect(await view.tracked(trackingToken(Buffer.alloc(32, 8), caseId, 2))).toBeUndefined();
    expect(await view.tracked(`${caseId}.2.bukan-mac`)).toBeUndefined();
  });

  it('finds the task of the activation the case is at', async () => {
    const { store, view } = await setUp();
    const task = { taskId: taskIdFor(linkKey, caseId, 2), caseId, seq: 2, state: 'open' } as TaskRecord;
    store.taskList.push({ ...task, taskId: taskIdFor(linkKey, caseId, 1), seq: 1, state: 'decided' }, task);
    expect((await view.currentTask(record))?.seq).toBe(2);
    expect(await view.currentTask({ ...record, cursor: null })).toBeUndefined();
  });

  it('records a download after its link is made, at the clock’s time, and none when the bytes changed', async () => {
    const { store, documents, view } = await setUp();
    const { record: doc } = await documents.store({
      caseId,
      kind: 'naskah',
      purpose: `${caseId}|naskah`,
      bucket: 'sepakat-dokumen',
      bytes: new TextEncoder().encode('%PDF-1.7 naskah'),
      contentType: 'application/pdf',
      fileName: 'naskah.pdf',
      at: new Date('2026-11-23T04:00:00Z'),
    });
    const asked = { who: { id: 'sekda', nama: 'Sekda', jabatan: 'Sekretaris Daerah' }, what: { docId: doc.docId } };
    const url = await view.documentLink(doc, 120, { ...asked, via: 'konsol', how: 'unduh' });
    expect(url).toContain('expires=120');
    const facts = await store.listHistory(caseId);
    expect(facts).toHaveLength(1);
    expect(facts[0]).toMatchObject({
      type: 'dokumen-diunduh',
      at: '2026-11-24T01:00:00.000Z',
      detail: { docId: doc.docId, berlakuDetik: 120, melalui: 'konsol', cara: 'unduh' },
    });

    documents.objects.set(doc.key, new TextEncoder().encode('%PDF-1.7 diubah'));
    await expect(view.documentLink(doc, 120, asked)).rejects.toThrow(/tidak sama/);
    expect(await store.listHistory(caseId)).toHaveLength(1);
  });
});
