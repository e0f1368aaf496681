import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord, HistoryEvent, TaskRecord } from '../core/case/model.ts';
import { caseFiles, listCaseDocuments } from '../core/case/task-documents.ts';
import { DocumentActions } from '../core/documents/document-actions.ts';
import type { DocumentRecord } from '../core/documents/document-record.ts';
import {
  checkSigningForm,
  shownPurpose,
  signedPurpose,
  signingActOf,
  type SigningAct,
} from '../core/documents/signing-task.ts';
import type { SigningOfficial } from '../core/ports.ts';
import type { Activity, Sop } from '../core/sop/load-sop.ts';
import { loadCatalog, type Catalog } from '../functions/adapters/catalog.ts';
import { naskahDrafts } from '../functions/app.ts';
import {
  JsonRenderer,
  MemoryAcceptedFiles,
  MemoryCaseStore,
  MemoryDocumentStore,
  MemorySigner,
  TestClock,
} from './support/memory-ports.ts';

/**
 * The rules of a signing task (core/documents/signing-task.ts), the document work behind it on in-memory ports, and
 * the document list of every task page (core/case/task-documents.ts). Milliseconds; the same flow end to end with
 * Chromium and PAdES is test/signing-page.test.ts.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
let catalog: Catalog;
let kota: Sop;
beforeAll(() => {
  catalog = loadCatalog({ sopDirs: [join(ROOT, 'sops')], configDir: join(ROOT, 'config') });
  kota = catalog.sops.latest('kota-penyusunan-kesepakatan-bersama');
});
const activity = (sop: Sop, id: string) => sop.node(id) as Activity;
const SHA = 'a'.repeat(64);

describe('which tasks are signing tasks', () => {
  it("an official's own signature and paraf are; an external party's recorded act and a plain step are not", () => {
    expect(signingActOf(activity(kota, 'L12.2'))).toEqual({
      act: 'tandatangan',
      choice: 'lanjut',
      dokumen: 'kesepakatan-bersama',
      nomor: 'naskah',
    });
    expect(signingActOf(activity(kota, 'L11.1'))).toMatchObject({ act: 'paraf', jenis: 'hierarki' });
    expect(signingActOf(activity(kota, 'L11.2'))).toMatchObject({ act: 'paraf', jenis: 'hierarki' });
    // The Bagian Hukum's paraf and the partner's signature are recorded by the Kasubbag from their paper.
    expect(signingActOf(activity(kota, 'L10.3'))).toBeUndefined();
    expect(signingActOf(activity(kota, 'L12.3'))).toBeUndefined();
    expect(signingActOf(activity(kota, 'L12.1'))).toBeUndefined();
    // A signature step without document work (Bandung's usulan, signed outside Sepakat) shows no document.
    expect(signingActOf(activity(catalog.sops.latest('bandung-kerjasama-teknik-luar-negeri'), 'L8.2'))).toBeUndefined();
  });

  it('renders the document again for each binding; a renewed link keeps it; the signature is the binding person’s', () => {
    const task = { caseId: 'k1', seq: 40 } as TaskRecord;
    expect(shownPurpose(task)).toBe('k1#40#tampil#b0');
    expect(signedPurpose(task)).toBe('k1#40#naskah-ditandatangani');
    const reassigned = { ...task, linkVersion: 3, dialihkan: { version: 2 } } as TaskRecord;
    expect(shownPurpose(reassigned)).toBe('k1#40#tampil#b2');
    expect(signedPurpose(reassigned)).toBe('k1#40#naskah-ditandatangani#b2');
  });
});

describe('the signing form', () => {
  const sign: SigningAct = { act: 'tandatangan', choice: 'lanjut', dokumen: 'kesepakatan-bersama', nomor: 'naskah' };
  const paraf: SigningAct = { act: 'paraf', choice: 'lanjut', dokumen: 'kesepakatan-bersama', jenis: 'hierarki' };

  it('goes on with the confirmation and the SHA-256 of the document shown', () => {
    expect(checkSigningForm({ sudahDibaca: 'ya', sha256Dokumen: SHA }, sign, { sha256: SHA })).toEqual({});
  });

  it('asks for the read confirmation, naming it', () => {
    expect(checkSigningForm({ sha256Dokumen: SHA }, paraf, { sha256: SHA })).toEqual({
      sudahDibaca: 'Centang "Saya telah membaca seluruh halaman dokumen ini" sebelum dokumen diparaf',
    });
  });

  it('refuses a document that is no longer the one shown, or a form that names none', () => {
    expect(
      checkSigningForm({ sudahDibaca: 'ya', sha256Dokumen: 'b'.repeat(64) }, sign, { sha256: SHA }).dokumen,
    ).toMatch(/bukan lagi dokumen yang Anda baca/);
    expect(checkSigningForm({ sudahDibaca: 'ya' }, sign, { sha256: SHA }).dokumen).toMatch(/tidak menyebut dokumen/);
    expect(checkSigningForm({ sudahDibaca: 'ya', sha256Dokumen: SHA }, sign, undefined).dokumen).toMatch(/belum siap/);
  });
});

describe('the document of a signing task, on in-memory ports', () => {
  class CountingSigner extends MemorySigner {
    calls = 0;
    override async signPdf(pdf: Uint8Array, official: SigningOfficial) {
      this.calls++;
      return super.signPdf(pdf, official);
    }
  }

  function world() {
    const clock = new TestClock(new Date('2026-12-14T02:00:00Z'));
    const cases = new MemoryCaseStore();
    const documents = new MemoryDocumentStore();
    const signer = new CountingSigner();
    const work = new DocumentActions({
      store: cases,
      drafts: naskahDrafts(cases, catalog),
      documents,
      files: new MemoryAcceptedFiles(),
      register: () => {
        throw new Error('no register in these tests');
      },
      renderer: () => new JsonRenderer(),
      signer,
      pemda: (id) => catalog.pemda(id),
      sops: catalog.sops,
      clock,
      publicBaseUrl: 'https://sepakat.uji',
      buckets: { documents: 'dokumen', archive: 'arsip' },
      maxUploadBytes: 1_000_000,
      faults: { point: () => undefined },
    });
    return { cases, documents, signer, work };
  }

  const person = (id: string, nama: string) => ({ id, nama, jabatan: 'Walikota Contoh', email: `${id}@kota.test` });

  async function walikotaTask(w: ReturnType<typeof world>) {
    const record: CaseRecord = {
      caseId: 'kasus-ttd',
      intakeId: 'kasus-ttd',
      sopId: kota.definition.id,
      sopVersion: kota.definition.version,
      sopKey: kota.key,
      pemdaId: 'kota-contoh',
      perihal: 'Kerja sama persampahan',
      pemohon: { nama: 'Pemohon', email: 'pemohon@mitra.test', instansi: 'Pemerintah Kabupaten Sukamaju' },
      status: 'aktif',
      createdAt: '2026-12-01T02:00:00.000Z',
      data: { 'pihak-mitra': 'Pemerintah Kabupaten Sukamaju', 'nomor-naskah': '000.5.4/001/KS/2026' },
      files: [],
      cursor: null,
      visits: {},
    };
    await w.cases.createCase(record);
    const task = {
      taskId: 't1',
      caseId: record.caseId,
      seq: 40,
      node: 'L12.2',
      person: person('walikota', 'Dr. H. Ahmad Wijaya'),
    } as TaskRecord;
    return { record, task, activity: activity(kota, 'L12.2') };
  }

  it('renders the final naskah for its signer once, with page images, and signs exactly its bytes once', async () => {
    const w = world();
    const { record, task, activity: a } = await walikotaTask(w);
    const shown = (await w.work.prepareShown({ record, activity: a, task }))!;
    expect(shown).toMatchObject({ kind: 'naskah-untuk-ditandatangani', meta: { tindakan: 'tandatangan' } });
    expect(shown.halaman).toHaveLength(1);
    expect(await w.work.prepareShown({ record, activity: a, task })).toEqual(shown);
    expect(await w.work.shownDocument(task)).toEqual(shown);
    expect(await w.work.shownPage(shown, 0)).toBeInstanceOf(Uint8Array);
    expect(await w.work.shownPage(shown, 1)).toBeUndefined();
    // The footer and the QR code name the signer's certificate and the signed document's verification page.
    const rendered = JSON.parse(new TextDecoder().decode(await w.documents.read(shown))) as {
      data: { tte: { keterangan: string; qr: string } };
    };
    expect(rendered.data.tte.keterangan).toContain('oleh Dr. H. Ahmad Wijaya');

    const signed = await w.work.signShown({ record, activity: a, task, shown });
    const bytes = await w.documents.read(signed);
    const shownBytes = await w.documents.read(shown);
    expect(Buffer.from(bytes.subarray(0, shownBytes.length)).equals(Buffer.from(shownBytes))).toBe(true);
    expect(signed.meta).toMatchObject({ sha256Tampil: shown.sha256, penandatangan: 'Dr. H. Ahmad Wijaya' });
    expect(rendered.data.tte.qr).toBe(`https://sepakat.uji/verifikasi/${signed.docId}`);
    // Again (a retry): the signed document found, nothing signed twice.
    expect(await w.work.signShown({ record, activity: a, task, shown })).toEqual(signed);
    expect(w.signer.calls).toBe(1);
  });

  it('renders anew for the person a task is reassigned to', async () => {
    const w = world();
    const { record, task, activity: a } = await walikotaTask(w);
    const first = (await w.work.prepareShown({ record, activity: a, task }))!;
    const moved = {
      ...task,
      person: { ...person('sekda', 'Ir. Siti Rahmawati, M.Si.'), sebagai: 'Plh' as const },
      dialihkan: { version: 2 },
    } as TaskRecord;
    const second = (await w.work.prepareShown({ record, activity: a, task: moved }))!;
    expect(second.docId).not.toBe(first.docId);
    const text = new TextDecoder().decode(await w.documents.read(second));
    expect(text).toContain('oleh Ir. Siti Rahmawati, M.Si.');
    expect(await w.work.shownDocument(moved)).toEqual(second);
  });

  it('shows nothing for a task that signs nothing', async () => {
    const w = world();
    const { record, task } = await walikotaTask(w);
    expect(await w.work.prepareShown({ record, activity: activity(kota, 'L12.1'), task })).toBeUndefined();
  });
});

describe('the document list of a task page', () => {
  const doc = (n: number, kind: string, extra: Partial<DocumentRecord> = {}): DocumentRecord => ({
    docId: `doc${n}`.padEnd(22, 'x'),
    caseId: 'k1',
    kind,
    purpose: `k1#${n}#${kind}`,
    bucket: 'dokumen',
    key: `dokumen/k1/${kind}/${n}`,
    sha256: String(n).repeat(64).slice(0, 64),
    size: 1000 + n,
    contentType: 'application/pdf',
    fileName: `${kind}.pdf`,
    createdAt: `2026-12-${String(n).padStart(2, '0')}T02:00:00.000Z`,
    templateVersion: 'f'.repeat(64),
    ...extra,
  });

  it('shows each document once, its latest version first and the older ones beneath it, uploads by their field', () => {
    const record = {
      createdAt: '2026-12-01T01:00:00.000Z',
      files: [
        {
          slot: 'surat-permohonan',
          bucket: 'b',
          key: 'diterima/x/1',
          name: 'scan_0001.pdf',
          contentType: 'application/pdf',
          size: 10,
          sha256: '1'.repeat(64),
        },
      ],
    } as unknown as CaseRecord;
    const upload = (node: string, at: string, name: string): HistoryEvent => ({
      caseId: 'k1',
      eventKey: `${node}#${at}`,
      type: 'tugas-diputuskan',
      at,
      node,
      who: { id: 'kasubbag-ks', nama: 'Maya Sari', jabatan: 'Kasubbag' },
      files: [
        {
          slot: 'naskah-paraf-pengusul',
          bucket: 'b',
          key: `berkas/${name}`,
          name,
          contentType: 'application/pdf',
          size: 20,
          sha256: '2'.repeat(64),
        },
      ],
    });
    const history = [
      upload('L11.3', '2026-12-05T02:00:00.000Z', 'IMG_1.pdf'),
      upload('L11.3', '2026-12-09T02:00:00.000Z', 'IMG_2.pdf'),
    ];
    // Eight konsep, one signed naskah with its number.
    const generated = [
      ...[2, 3, 4, 5, 6, 7, 8, 10].map((n) => doc(n, 'konsep-naskah')),
      doc(11, 'naskah-ditandatangani', { nomor: '000.5.4/001/KS/2026' }),
    ];
    const files = caseFiles(record, history);
    const listed = listCaseDocuments(kota, files, generated);
    expect(listed.map((d) => d.label)).toEqual([
      'Naskah bertanda tangan elektronik Nomor 000.5.4/001/KS/2026',
      'Konsep naskah',
      'Pindaian naskah berparaf Pihak Pengusul',
      'Surat permohonan Kesepakatan Bersama / inisiatif kerja sama',
    ]);
    const konsep = listed[1]!;
    expect(konsep.latest.ref).toEqual({ dokumen: doc(10, 'konsep-naskah').docId });
    expect(konsep.older.map((v) => v.at.slice(8, 10))).toEqual(['08', '07', '06', '05', '04', '03', '02']);
    const paraf = listed[2]!;
    expect(paraf.latest).toMatchObject({ ref: { berkas: 2 }, asal: 'L11.3 (Maya Sari)' });
    expect(paraf.older).toHaveLength(1);
    // No internal id, key or template hash in what the page names.
    const named = JSON.stringify(listed.map((d) => [d.label, d.latest.asal, ...d.older.map((v) => v.asal)]));
    expect(named).not.toMatch(/doc\d|dokumen\/|ffffffff|scan_0001|IMG_/);
  });
});
