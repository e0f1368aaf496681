import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageLinkToken, readPackageLinkToken } from '../core/case/capabilities.ts';
import { CaseRuntime, type RuntimeDeps } from '../core/case/case-runtime.ts';
import { noFaults, type CaseRecord, type HistoryEvent, type TaskRecord } from '../core/case/model.ts';
import { CompletionPackage, packageFiles } from '../core/documents/completion-package.ts';
import type { LembarRiwayatInput } from '../core/documents/lembar-riwayat.ts';
import { Register } from '../core/register/allocation.ts';
import type { Sop } from '../core/sop/load-sop.ts';
import { loadCatalog, type Catalog } from '../functions/adapters/catalog.ts';
import { Templates } from '../functions/adapters/page-templates.ts';
import { at } from './support/agreements.ts';
import {
  JsonRenderer,
  MemoryCaseStore,
  MemoryDocumentStore,
  MemoryMailer,
  MemoryRegisterItems,
  MemorySigner,
  TestClock,
} from './support/memory-ports.ts';

/**
 * The completion package (core/documents/completion-package.ts) on in-memory ports: who receives it, what the
 * Lembar Riwayat Penandatanganan lists, that a retry sends nothing twice, and the expiring link above the attachment
 * limit. The same package on the real runtime (Chromium, PAdES, the local SES) is test/e2e-completion-package.test.ts.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOP = 'kota-penyusunan-kesepakatan-bersama';
const V1 = `sha256:${'1'.repeat(64)}`;
const V2 = `sha256:${'2'.repeat(64)}`;
let catalog: Catalog;
let sop: Sop;
beforeAll(() => {
  catalog = loadCatalog({ sopDirs: [join(ROOT, 'sops')], configDir: join(ROOT, 'config') });
  sop = catalog.sops.latest(SOP);
});

class CaseStoreWithTasks extends MemoryCaseStore {
  readonly taskList: TaskRecord[] = [];
  async listTasks(filter: { caseId: string } | { state: TaskRecord['state'] }) {
    return this.taskList.filter((t) => ('caseId' in filter ? t.caseId === filter.caseId : t.state === filter.state));
  }
}

const person = (id: string) => {
  const p = catalog.pemda('kota-contoh').directory.person(id)!;
  return { id: p.id, nama: p.nama, jabatan: p.jabatan, email: p.email };
};

async function world(options: { maxAttachmentBytes?: number; partner?: 'elektronik' | 'kertas' } = {}) {
  const clock = new TestClock(at('2026-12-16 15:00'));
  const cases = new CaseStoreWithTasks();
  const documents = new MemoryDocumentStore();
  const renderer = new JsonRenderer();
  const signer = new MemorySigner();
  const mailer = new MemoryMailer();
  const register = new Register(new MemoryRegisterItems(), {
    pemdaId: 'kota-contoh',
    numbering: catalog.pemda('kota-contoh').directory.data.penomoran,
    clock: () => clock.now(),
  });
  const runtime = new CaseRuntime({
    store: cases,
    mailer,
    emails: new Templates(join(ROOT, 'templates'), 'https://sepakat.uji'),
    clock,
    faults: noFaults,
    mailDomain: 'sepakat.uji',
  } as unknown as RuntimeDeps);
  const linkKey = Buffer.alloc(32, 9);
  const completion = new CompletionPackage({
    store: cases,
    documents,
    register: () => register,
    renderer: () => renderer,
    signer,
    pemda: (id) => catalog.pemda(id),
    sops: catalog.sops,
    clock,
    publicBaseUrl: 'https://sepakat.uji',
    linkKey: () => linkKey,
    documentsBucket: 'dokumen',
    sendOnce: (caseId, key, mail) => runtime.sendOnce(caseId, key, mail),
    ...(options.maxAttachmentBytes ? { maxAttachmentBytes: options.maxAttachmentBytes } : {}),
  });

  const caseId = '20261201-abcdefghij';
  const entry = await register.allocate({
    caseId,
    purpose: 'naskah',
    series: 'kesepakatan-bersama',
    parties: ['Pemerintah Kota Contoh', 'Pemerintah Kabupaten Sukamaju'],
    perihal: 'Pengelolaan sampah regional',
  });
  const record: CaseRecord = {
    caseId,
    intakeId: caseId,
    sopId: SOP,
    sopVersion: sop.definition.version,
    sopKey: sop.key,
    pemdaId: 'kota-contoh',
    perihal: 'Pengelolaan sampah regional',
    pemohon: { nama: 'Drs. Joko Susilo', email: 'pemohon@mitra.test', instansi: 'Pemerintah Kabupaten Sukamaju' },
    status: 'aktif',
    createdAt: at('2026-12-01 09:00').toISOString(),
    data: {
      'pihak-mitra': 'Pemerintah Kabupaten Sukamaju',
      'naskah-tentang': 'Kerja Sama Pengelolaan Sampah Regional',
      'mitra-penandatangan-nama': 'H. Dedi Kurniawan, S.E.',
      'mitra-penandatangan-jabatan': 'BUPATI SUKAMAJU',
      'nomor-naskah': entry.numberText,
      'mitra-penghubung-email': 'penghubung@sukamaju.test',
    },
    files: [],
    cursor: null,
    visits: {},
  };
  await cases.createCase(record);

  // A konsep of an earlier version, then the konsep of the version initialled (stored before the paraf).
  const konsep = async (purpose: string, version: string, when: string) =>
    (
      await documents.store({
        caseId,
        pemdaId: 'kota-contoh',
        kind: 'konsep-naskah',
        purpose: `${caseId}#${purpose}`,
        bucket: 'dokumen',
        bytes: new TextEncoder().encode(`konsep ${purpose}`),
        contentType: 'application/pdf',
        fileName: `${purpose}.pdf`,
        at: at(when),
        meta: { versiIsi: version },
      })
    ).record;
  await konsep('k1', V1, '2026-12-02 09:00');
  const shown = await konsep('k2', V2, '2026-12-08 09:00');
  const later = await konsep('k3', V2, '2026-12-12 09:00');

  const task = (seq: number, node: string, by: ReturnType<typeof person>, when: string, files = 0): TaskRecord =>
    ({
      taskId: `t${seq}`,
      caseId,
      seq,
      node,
      state: 'reported',
      decision: {
        choice: 'lanjut',
        values: {},
        files: Array.from({ length: files }, (_, i) => ({ slot: `s${i}`, name: 'scan.pdf' })),
        at: at(when).toISOString(),
        by,
        submissionId: `s${seq}`,
      },
    }) as unknown as TaskRecord;
  const maya = person('kasubbag-ks');
  const hendra = person('kabag-ks');
  const walikota = person('walikota');
  cases.taskList.push(
    task(20, 'L10.3', maya, '2026-12-09 10:05', 1),
    task(22, 'L11.1', maya, '2026-12-10 09:12'),
    task(23, 'L11.2', hendra, '2026-12-10 13:40'),
    task(24, 'L11.3', maya, '2026-12-11 11:00', 1),
    task(26, 'L12.2', walikota, '2026-12-16 10:00'),
    task(27, 'L12.3', maya, '2026-12-16 14:30'),
  );
  const fact = (seq: number, detail: Record<string, unknown>, when: string): HistoryEvent => ({
    caseId,
    eventKey: `${String(seq).padStart(5, '0')}#otomatis#choice#lanjut#0`,
    type: 'otomatis-selesai',
    at: at(when).toISOString(),
    seq,
    detail,
  });
  const paraf = (seq: number, d: Record<string, unknown>, when: string) =>
    cases.appendHistory(fact(seq, { action: 'paraf', versiIsi: V2, waktu: at(when).toISOString(), ...d }, when));
  await paraf(20, koordinasi(maya.nama), '2026-12-09 10:05');
  await paraf(
    22,
    { paraf: 'hierarki', pihak: 'kesatu', urutan: 1, nama: maya.nama, jabatan: maya.jabatan },
    '2026-12-10 09:12',
  );
  await paraf(
    23,
    { paraf: 'hierarki', pihak: 'kesatu', urutan: 2, nama: hendra.nama, jabatan: hendra.jabatan },
    '2026-12-10 13:40',
  );
  await paraf(
    24,
    { ...koordinasi(maya.nama), paraf: 'hierarki', pihak: 'kedua', jabatan: 'Pejabat Pemerintah Kabupaten Sukamaju' },
    '2026-12-11 11:00',
  );

  // The Walikota's signature (MemorySigner: a trailer over the rendered bytes), then the partner's.
  const rendered = new TextEncoder().encode('naskah final');
  const signedBytes = await signer.signPdf(rendered, {
    ...walikota,
    pemdaId: 'kota-contoh',
    instansi: 'Pemerintah Kota Contoh',
  });
  const { record: ours } = await documents.store({
    caseId,
    pemdaId: 'kota-contoh',
    kind: 'naskah-ditandatangani',
    purpose: `${caseId}#26#naskah-ditandatangani`,
    bucket: 'dokumen',
    bytes: signedBytes,
    contentType: 'application/pdf',
    fileName: 'naskah.pdf',
    at: at('2026-12-16 10:01'),
    nomor: entry.numberText,
    asli: true,
    meta: { versiIsi: V2, penandatangan: walikota.nama, jabatan: walikota.jabatan },
  });
  await cases.setCaseData(caseId, { 'dokumen-naskah-ditandatangani': ours.docId });
  await cases.appendHistory(fact(26, { action: 'tandatangan', docId: ours.docId }, '2026-12-16 10:01'));
  let partnerCopy;
  if (options.partner !== 'kertas') {
    const both = await signer.signPdf(signedBytes, {
      pemdaId: 'kab-sukamaju',
      id: 'bupati-sukamaju',
      nama: 'Bupati',
      jabatan: 'Bupati',
    });
    partnerCopy = (
      await documents.store({
        caseId,
        pemdaId: 'kota-contoh',
        kind: 'naskah-para-pihak',
        purpose: `${caseId}#27#salinan-mitra`,
        bucket: 'dokumen',
        bytes: both,
        contentType: 'application/pdf',
        fileName: 'naskah-para-pihak.pdf',
        at: at('2026-12-16 14:31'),
        nomor: entry.numberText,
        asli: true,
        meta: { cara: 'elektronik', rantaiMitraTerpercaya: false },
      })
    ).record;
  } else {
    partnerCopy = (
      await documents.store({
        caseId,
        pemdaId: 'kota-contoh',
        kind: 'arsip-pindai',
        purpose: `${caseId}#27#salinan-mitra`,
        bucket: 'arsip',
        bytes: new TextEncoder().encode('pindaian kertas'),
        contentType: 'application/pdf',
        fileName: 'pindaian-mitra.pdf',
        at: at('2026-12-16 14:31'),
        nomor: entry.numberText,
        asli: false,
        meta: { cara: 'kertas' },
      })
    ).record;
  }
  await cases.appendHistory(fact(27, { action: 'tandatangan-mitra', docId: partnerCopy.docId }, '2026-12-16 14:31'));
  return {
    clock,
    cases,
    documents,
    renderer,
    mailer,
    register,
    completion,
    caseId,
    entry,
    ours,
    partnerCopy,
    shown,
    later,
    linkKey,
  };
}

function koordinasi(recorder: string) {
  return {
    paraf: 'koordinasi',
    pihak: 'kesatu',
    urutan: 1,
    nama: `dicatat oleh ${recorder}`,
    jabatan: 'Bagian Hukum dan Perundang-Undangan',
    dicatatOleh: recorder,
  };
}

const certificateName = (nomor: string) => `lembar-riwayat-${nomor.replace(/[^A-Za-z0-9]+/g, '-')}.pdf`;

/** The certificate the JsonRenderer "printed": its input, read back from the sealed bytes. */
function certificateInput(bytes: Uint8Array): LembarRiwayatInput {
  const text = new TextDecoder().decode(bytes);
  return (JSON.parse(text.slice(0, text.indexOf('\n%tanda-tangan:'))) as { data: LembarRiwayatInput }).data;
}

describe('the completion package', () => {
  it('refuses before the number is registered as used, and names why', async () => {
    const w = await world();
    const record = (await w.cases.getCase(w.caseId))!;
    await expect(w.completion.send({ record, activityId: 'L14', action: { nomor: 'naskah' } })).rejects.toThrow(
      /belum tercatat dipakai di buku register/,
    );
    expect(w.mailer.sent).toEqual([]);
  });

  it('certifies every paraf and signature with its version and document, sealed by the pemda', async () => {
    const w = await world();
    await w.register.markUsed(w.entry.numberText);
    const record = (await w.cases.getCase(w.caseId))!;
    const detail = await w.completion.send({ record, activityId: 'L14', action: { nomor: 'naskah' } });
    expect(detail).toMatchObject({
      jenis: 'lembar-riwayat',
      nomor: w.entry.numberText,
      penerima: 5,
      pengiriman: 'lampiran',
    });

    const sent = (await w.completion.documentsOf(w.caseId))!;
    expect(sent.naskah.docId).toBe(w.partnerCopy.docId);
    const bytes = await w.documents.read(sent.certificate);
    // Sealed with the pemda's seal identity, not a person's.
    expect(new TextDecoder().decode(bytes)).toMatch(/%tanda-tangan:segel-kota-contoh\n$/);
    const input = certificateInput(bytes);
    expect(input.naskah).toMatchObject({ nomor: w.entry.numberText, sha256: w.partnerCopy.sha256 });
    expect(input.verifikasi).toBe(`https://sepakat.uji/verifikasi/${sent.certificate.docId}`);
    expect(input.tte.qr).toBe(input.verifikasi);
    const rows = input.peristiwa.map((p) => [p.tindakan, p.pihak, p.nama, p.versiIsi, p.sha256]);
    const ours = await w.documents.read(w.ours);
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    expect(rows).toEqual([
      // Each paraf names the konsep of its version stored before it, not the one rendered after.
      ['Paraf koordinasi', 'PIHAK KESATU', 'tidak tercatat (paraf pada naskah kertas)', V2, w.shown.sha256],
      ['Paraf hierarki ke-1', 'PIHAK KESATU', 'Maya Sari, S.IP.', V2, w.shown.sha256],
      ['Paraf hierarki ke-2', 'PIHAK KESATU', 'Hendra Gunawan, S.H., M.H.', V2, w.shown.sha256],
      ['Paraf hierarki ke-1', 'PIHAK KEDUA', 'tidak tercatat (paraf pada naskah kertas)', V2, w.shown.sha256],
      // The Walikota signed the rendered naskah; the partner signed the Walikota's signed PDF.
      [
        'Tanda tangan elektronik',
        'PIHAK KESATU',
        'Dr. H. Ahmad Wijaya',
        V2,
        sha(new TextEncoder().encode('naskah final')),
      ],
      ['Tanda tangan elektronik', 'PIHAK KEDUA', 'bupati-sukamaju', V2, sha(ours)],
    ]);
    expect(input.peristiwa[0]!.cara).toBe(
      'dicatat oleh Maya Sari, S.IP. (Kepala Subbagian Kerjasama Dalam Negeri) dari pindaian naskah berparaf',
    );
    expect(input.peristiwa[1]!.cara).toBe('tautan email pribadi + kode konfirmasi sekali pakai');
    expect(input.peristiwa[1]!.waktu).toBe('Kamis, 10 Desember 2026 pukul 09.12 WIB');
    expect(input.peristiwa[5]!.jabatan).toBe('BUPATI SUKAMAJU');
  });

  it('sends each party one email with the number, the signed naskah and the certificate; a retry sends nothing', async () => {
    const w = await world();
    await w.register.markUsed(w.entry.numberText);
    const record = (await w.cases.getCase(w.caseId))!;
    const action = { nomor: 'naskah', pesan: 'Pelaksanaan dilaporkan tiap tiga bulan.' };
    await w.completion.send({ record, activityId: 'L14', action });
    await w.completion.send({ record, activityId: 'L14', action });
    const to = w.mailer.sent.map((m) => m.to.join());
    expect(to).toEqual([
      'pemohon@mitra.test',
      'penghubung@sukamaju.test',
      'kasubbag.kerjasama@kota-contoh.test',
      'kabag.kerjasama@kota-contoh.test',
      'walikota@kota-contoh.test',
    ]);
    const pemohon = w.mailer.sent[0]!;
    expect(pemohon.subject).toBe(
      `Kesepakatan Bersama Nomor ${w.entry.numberText} telah ditandatangani para pihak (Pengelolaan sampah regional)`,
    );
    expect(pemohon.text).toContain(`dicatat di buku register dengan nomor ${w.entry.numberText}`);
    expect(pemohon.text).toContain('Terlampir pada email ini');
    expect(pemohon.text).toContain('Pelaksanaan dilaporkan tiap tiga bulan.');
    expect(w.mailer.sent[4]!.text).not.toContain('Pelaksanaan dilaporkan tiap tiga bulan.');
    expect(pemohon.attachments?.map((a) => a.fileName)).toEqual([
      'naskah-para-pihak.pdf',
      certificateName(w.entry.numberText),
    ]);
    // The email facts name the attachments, never their bytes.
    const facts = (await w.cases.listHistory(w.caseId)).filter((e) => e.type === 'email-terkirim');
    expect(facts).toHaveLength(5);
    expect(JSON.stringify(facts[0]!.detail)).toContain('"lampiran":[{"nama":"naskah-para-pihak.pdf"');
    // One certificate per case.
    expect((await w.documents.listByCase(w.caseId)).filter((d) => d.kind === 'lembar-riwayat')).toHaveLength(1);
  });

  it('with a paper signature, sends our signed naskah and the scan, and certifies who recorded it', async () => {
    const w = await world({ partner: 'kertas' });
    await w.register.markUsed(w.entry.numberText);
    const record = (await w.cases.getCase(w.caseId))!;
    await w.completion.send({ record, activityId: 'L14', action: { nomor: 'naskah' } });
    const sent = (await w.completion.documentsOf(w.caseId))!;
    expect(packageFiles(sent).map((f) => f.record.fileName)).toEqual([
      'naskah.pdf',
      'pindaian-mitra.pdf',
      certificateName(w.entry.numberText),
    ]);
    const last = certificateInput(await w.documents.read(sent.certificate)).peristiwa.at(-1)!;
    expect(last).toMatchObject({
      tindakan: 'Tanda tangan di atas kertas',
      pihak: 'PIHAK KEDUA',
      nama: 'H. Dedi Kurniawan, S.E.',
      sha256: w.ours.sha256,
    });
    expect(last.cara).toContain(
      `dicatat oleh Maya Sari, S.IP. (Kepala Subbagian Kerjasama Dalam Negeri) dari pindaian pindaian-mitra.pdf`,
    );
    expect(w.mailer.sent[0]!.attachments).toHaveLength(3);
  });

  it('above the attachment limit, sends a link of its own to each party that expires', async () => {
    const w = await world({ maxAttachmentBytes: 10 });
    await w.register.markUsed(w.entry.numberText);
    const record = (await w.cases.getCase(w.caseId))!;
    const detail = await w.completion.send({ record, activityId: 'L14', action: { nomor: 'naskah' } });
    expect(detail['pengiriman']).toBe('tautan');
    const mail = w.mailer.sent[1]!;
    // Only the certificate is attached.
    expect(mail.attachments?.map((a) => a.fileName)).toEqual([certificateName(w.entry.numberText)]);
    const url = /https:\/\/sepakat\.uji\/paket\/(\S+)/.exec(mail.text)![1]!;
    const opened = await w.completion.openLink(url);
    expect(opened).toMatchObject({ ok: true, recipient: { email: 'penghubung@sukamaju.test' } });
    // Altered, or past its time: refused.
    expect(await w.completion.openLink(url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).toEqual({
      ok: false,
      reason: 'rusak',
    });
    w.clock.set(new Date(readPackageLinkToken(w.linkKey, url)!.expiresAt.getTime() + 1000));
    expect(await w.completion.openLink(url)).toEqual({ ok: false, reason: 'kedaluwarsa' });
    // A link for an address the package was not sent to opens nothing.
    const stranger = packageLinkToken(
      w.linkKey,
      w.caseId,
      'orang@lain.test',
      new Date(Date.now() + 3600_000 * 24 * 365),
    );
    expect(await w.completion.openLink(stranger)).toEqual({ ok: false, reason: 'rusak' });
  });

  it('waits for the partner: no package before the naskah is signed by both parties', async () => {
    const w = await world();
    await w.register.markUsed(w.entry.numberText);
    w.documents.records.delete(w.partnerCopy.docId);
    const record = (await w.cases.getCase(w.caseId))!;
    await expect(w.completion.send({ record, activityId: 'L14', action: { nomor: 'naskah' } })).rejects.toThrow(
      /belum ditandatangani para pihak/,
    );
  });
});
