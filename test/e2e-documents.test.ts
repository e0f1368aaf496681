import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnLink, driveCase, submitPermohonan } from '../cli/drive.ts';
import type { DocumentRecord } from '../functions/adapters/document-store.ts';
import { toPem } from '../functions/signing/asn1.ts';
import { DevelopmentPki } from '../functions/signing/dev-pki.ts';
import { addSecondSignature } from '../functions/signing/sign-pdf.ts';
import { verifyPdfSignatures } from '../functions/signing/verify.ts';
import { MITRA, NASKAH, OPENSSL, opensslVerifies } from './support/kasus.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * The documents of a case, end to end on the embedded runtime with real Chromium, real signatures and the real
 * register: what each SOP step's Output produces, read back from the PDFs.
 */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await getDocumentProxy(new Uint8Array(bytes));
  const { text } = await extractText(doc, { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

describe('documents, numbers and signatures of a case', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let partnerDir: string;
  beforeAll(async () => {
    rt = await startTestRuntime();
    partnerDir = mkdtempSync(join(tmpdir(), 'sepakat-mitra-pki-'));
  });
  afterAll(async () => {
    await rt?.cleanup();
    rmSync(partnerDir, { recursive: true, force: true });
  });

  async function start(sopId: string) {
    const { intakeId } = await submitPermohonan(
      rt,
      permohonanFor(rt, sopId, { 'pihak-mitra': MITRA }, 'Kerja sama pengelolaan sampah regional'),
    );
    await eventually(async () => (await rt.app.store.getCase(intakeId))?.cursor);
    return intakeId;
  }
  const docs = async (caseId: string) => rt.app.documents.listByCase(caseId);
  const one = async (caseId: string, kind: string): Promise<DocumentRecord> => {
    const found = (await docs(caseId)).filter((d) => d.kind === kind);
    expect(found, kind).toHaveLength(1);
    return found[0]!;
  };
  const trust = async () => ({ trustedRoots: await (await rt.app.keys()).trustedRoots(), checkDate: new Date() });

  it('drafts, initials, numbers, signs (both parties electronically), registers and distributes a Kesepakatan Bersama', async () => {
    const caseId = await start('kota-penyusunan-kesepakatan-bersama');
    const first = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      values: NASKAH,
      stopAt: 'L12.3',
      timeoutMs: 150_000,
      onAct: (a) => process.env.SEPAKAT_TEST_TRACE && console.log(a.node, a.choice, a.status),
    });
    expect(first.stoppedAt?.node).toBe('L12.3');

    // The Walikota's signature through (the local) BSrE: a PAdES signature over the whole file, carrying the number.
    const signedRecord = await one(caseId, 'naskah-ditandatangani');
    const signed = await rt.app.documents.read(signedRecord);
    const record = (await rt.app.store.getCase(caseId))!;
    const nomor = String(record.data['nomor-naskah']);
    expect(nomor).toMatch(/^000\.5\.4\/\d{3}\/KS\/2026$/);
    expect(signedRecord.nomor).toBe(nomor);
    // The data it was rendered from and the template version are kept with it.
    expect(signedRecord.templateVersion).toMatch(/\S/);
    expect(signedRecord.dataKey).toMatch(/\.json$/);
    const report = await verifyPdfSignatures(signed, await trust());
    expect(report.valid).toBe(true);
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]!.signerName).toBe('Dr. H. Ahmad Wijaya');
    expect(report.signatures[0]!.hasSigningCertificateV2).toBe(true);

    const text = await pdfText(signed);
    expect(text).toContain(nomor);
    expect(text).toContain('PEMERINTAH KOTA CONTOH');
    expect(text).toContain(MITRA.toUpperCase());
    expect(text).toContain('KERJA SAMA PENGELOLAAN SAMPAH REGIONAL');
    expect(text).toMatch(/pada hari ini \w+ tanggal [a-z ]+ bulan \w+ tahun dua ribu dua puluh enam/i);
    expect(text).toContain('H. Dedi Kurniawan, S.E.');
    // The pasal as drafted (the standard outline filled with the case, unedited in this run), printed as written.
    expect(text).toContain('Ruang lingkup Kesepakatan Bersama ini meliputi:');
    expect(text).not.toContain('Maksud Kesepakatan Bersama ini adalah');
    // The paraf table: the hierarki of PIHAK KESATU (Kasubbag, then Kabag) and the koordinasi of the Bagian Hukum.
    expect(text).toContain('Maya Sari');
    expect(text).toContain('Hendra Gunawan');
    expect(text).toContain('Bagian Hukum');
    // The honest footer: the local BSrE tiruan is never presented as BSrE.
    expect(text).toMatch(/BSrE tiruan — bukan BSrE/);
    expect(text).toMatch(/BUKAN tanda tangan elektronik tersertifikasi/);
    expect(text).not.toMatch(/Balai Besar Sertifikasi Elektronik/);
    expect(text).not.toMatch(/KONSEP/);
    // The QR code and the footer lead to the verification page of this very document.
    expect(text.replace(/\s/g, '')).toContain(`/verifikasi/${signedRecord.docId}`);
    const page = await fetch(`${rt.urls.web}/verifikasi/${signedRecord.docId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(nomor);
    expect(html).toContain('Dr. H. Ahmad Wijaya');
    expect(html).toContain(MITRA);

    // One flipped byte inside the signed range breaks it.
    const flipped = new Uint8Array(signed);
    const at = Math.floor(report.signatures[0]!.byteRange[1] / 2);
    flipped[at] = flipped[at]! ^ 0x01;
    expect((await verifyPdfSignatures(flipped, await trust())).valid).toBe(false);

    // An independent verifier (openssl cms) agrees over the byte range and the chain, when installed.
    if (OPENSSL) {
      // Every root this deployment trusts (Kota Contoh signs through the local BSrE service, with its own test CA).
      const caPem = (await trust()).trustedRoots.map((root) => toPem(root, 'CERTIFICATE')).join('');
      expect(opensslVerifies(signed, 0, caPem)).toBe(true);
      expect(opensslVerifies(flipped, 0, caPem)).toBe(false);
    }

    // The partner signs electronically: a second signature as an incremental update on the Walikota's PDF.
    const partnerPki = await DevelopmentPki.open({
      dir: partnerDir,
      caName: 'CA Mitra Sukamaju (uji)',
      now: () => new Date(),
    });
    const bupati = await partnerPki.signerFor({
      id: 'bupati-sukamaju',
      nama: 'H. Dedi Kurniawan, S.E.',
      jabatan: 'Bupati Sukamaju',
    });
    const both = await addSecondSignature(signed, bupati, {
      reason: `Menandatangani Kesepakatan Bersama Nomor ${nomor}`,
      location: 'Sukamaju',
      name: 'H. Dedi Kurniawan, S.E.',
      contactInfo: 'bupati@sukamaju.test',
      signingTime: new Date(),
    });
    const recorded = await actOnLink(
      first.stoppedAt!.link,
      (form) => ({
        pilihan: form.choices[0]!,
        files: { 'naskah-ditandatangani': { name: 'naskah-para-pihak.pdf', bytes: Buffer.from(both) } },
      }),
      { dataDir: rt.dataDir },
    );
    expect(recorded.status).toBe(200);
    const rest = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      // Signed electronically by both parties: the printout the Staf files at L14 does not replace that original.
      values: NASKAH,
      // The emails of the steps before are still in the mailbox: their links answer 409.
      alreadyDone: () => true,
      timeoutMs: 120_000,
    });
    expect(rest.outcome).toBe('selesai');

    const partnerCopy = await one(caseId, 'naskah-para-pihak');
    expect(partnerCopy.meta).toMatchObject({ cara: 'elektronik', rantaiMitraTerpercaya: false });
    const twice = await verifyPdfSignatures(await rt.app.documents.read(partnerCopy), {
      ...(await trust()),
      trustedRoots: [...(await trust()).trustedRoots, partnerPki.caCertificate],
    });
    expect(twice.valid).toBe(true);
    expect(twice.signatures.map((s) => s.signerName)).toEqual(['Dr. H. Ahmad Wijaya', 'H. Dedi Kurniawan, S.E.']);

    // The register: the number is used, with its dates, and the original is the electronic copy of both parties.
    const entry = (await rt.app.register('kota-contoh').get(nomor))!;
    expect(entry).toMatchObject({ status: 'dipakai', caseId, parties: ['Pemerintah Kota Contoh', MITRA] });
    expect(entry.dates.signed).toMatch(/^2026-/);
    expect(entry.dates.validUntil).toMatch(/^2031-/);
    expect(entry.original).toMatchObject({
      location: `Arsip elektronik Sepakat, dokumen ${partnerCopy.docId}`,
      // The partner's certificate is from a CA this product does not trust: the register says it needs checking.
      copy: 'Asli elektronik bertanda tangan para pihak (sertifikat mitra di luar rantai terpercaya: perlu diperiksa)',
    });

    // Every Output that is a document: invitation, notulen, konsep naskah, signed naskah, surat pengantar; each
    // letter signed electronically by the Kepala Bagian whose name it carries.
    const kinds = (await docs(caseId)).map((d) => d.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'surat-undangan-ditandatangani',
        'notulen-rapat',
        'konsep-naskah',
        'naskah-ditandatangani',
        'surat-pengantar-ditandatangani',
      ]),
    );
    const undangan = await pdfText(await rt.app.documents.read(await one(caseId, 'surat-undangan-ditandatangani')));
    expect(undangan).toContain('PEMERINTAH KOTA CONTOH');
    expect(undangan).toMatch(/000\.5\/\d{3}\/KS\/2026/);
    expect(undangan).toContain('Ruang Rapat Bagian Kerjasama');
    const pengantar = await pdfText(await rt.app.documents.read(await one(caseId, 'surat-pengantar-ditandatangani')));
    expect(pengantar).toContain(nomor);
    expect(pengantar).toContain(MITRA);
    const konsep = (await docs(caseId)).filter((d) => d.kind === 'konsep-naskah');
    expect(await pdfText(await rt.app.documents.read(konsep[0]!))).toMatch(/KONSEP/);

    // The paraf facts: Bagian Hukum (koordinasi), Kasubbag and Kabag (hierarki 1, 2), the pengusul (PIHAK KEDUA).
    const paraf = (await rt.app.store.listHistory(caseId))
      .filter((e) => e.type === 'otomatis-selesai' && e.detail?.action === 'paraf')
      .map((e) => [e.detail?.paraf, e.detail?.pihak, e.detail?.urutan, e.detail?.jabatan, e.detail?.nama]);
    expect(paraf).toEqual([
      // External parties' paraf are recorded by the Kasubbag, who carries the draft to them.
      ['koordinasi', 'kesatu', 1, 'Bagian Hukum dan Perundang-Undangan', 'dicatat oleh Maya Sari, S.IP.'],
      ['hierarki', 'kesatu', 1, 'Kepala Subbagian Kerjasama Dalam Negeri', 'Maya Sari, S.IP.'],
      ['hierarki', 'kesatu', 2, 'Kepala Bagian Kerjasama', 'Hendra Gunawan, S.H., M.H.'],
      ['hierarki', 'kedua', 1, `Pejabat ${MITRA}`, 'dicatat oleh Maya Sari, S.IP.'],
    ]);

    // The metrics of this pemda and SOP (core/metrics.ts): the case started and finished once; each document this
    // product signed counted once (retries and page views count nothing), each rendered one too.
    const { pemdaId, sopId } = (await rt.app.store.getCase(caseId))!;
    const count = (name: string) =>
      rt.metrics.snapshot().find((c) => c.name === name && c.pemda === pemdaId && c.sop === sopId)?.total ?? 0;
    expect([count('CasesStarted'), count('CasesFinished')]).toEqual([1, 1]);
    // Signed here: the letters and the naskah ('naskah-untuk-ditandatangani' is the PDF shown before signing).
    const signedKinds = kinds.filter((k) => k.endsWith('-ditandatangani') && k !== 'naskah-untuk-ditandatangani');
    expect(count('DocumentsSigned')).toBe(signedKinds.length);
    expect(count('DocumentsRendered')).toBeGreaterThanOrEqual(kinds.filter((k) => k === 'konsep-naskah').length + 1);
    expect(count('MailFailed')).toBe(0);
  }, 300_000);

  it('numbers a Blitar Nota Kesepakatan from SRIKANDI, has it signed by the Bupati and archives the paper copy', async () => {
    const caseId = await start('blitar-pengkoordinasian-nota-kesepakatan');
    const srikandi = '000.5.4/417/409.1.1/2026';
    const result = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      values: { ...NASKAH, 'naskah-jenis': 'nota-kesepakatan', 'nomor-srikandi': srikandi },
      timeoutMs: 150_000,
    });
    expect(result.outcome).toBe('selesai');
    const record = (await rt.app.store.getCase(caseId))!;
    expect(record.data['nomor-naskah']).toBe(srikandi);
    const entry = (await rt.app.register('kab-blitar').get(srikandi))!;
    expect(entry).toMatchObject({ status: 'srikandi', source: 'srikandi', caseId });
    expect(entry.original?.location).toBe(NASKAH['lokasi-arsip']);

    const signed = await one(caseId, 'naskah-ditandatangani');
    const bytes = await rt.app.documents.read(signed);
    expect((await verifyPdfSignatures(bytes, await trust())).valid).toBe(true);
    const text = await pdfText(bytes);
    expect(text).toContain('NOTA KESEPAKATAN');
    expect(text).toContain(srikandi);
    expect(text).toContain('PEMERINTAH KABUPATEN BLITAR');
    // Three paraf hierarki: Kepala Bagian, Asisten, Sekda.
    expect(text).toContain('Basuki Rachmad');
    // The Nota Dinas, signed electronically by the Kepala Bagian Tata Pemerintahan it goes out from.
    const nd = await pdfText(await rt.app.documents.read(await one(caseId, 'nota-dinas-ditandatangani')));
    expect(nd).toMatch(/NOTA DINAS/);
    expect(nd).toMatch(/000\.5\/\d+\/409\.1\.1\/2026/);

    // The pemohon's copy came back signed on paper: a scan (not an incremental update), archived as such.
    const scan = await one(caseId, 'arsip-pindai');
    expect(scan.bucket).toBe(rt.app.config.SEPAKAT_BUCKET_ARCHIVE);
    expect(scan.nomor).toBe(srikandi);
    expect(scan.meta).toMatchObject({ cara: 'kertas' });
  }, 300_000);

  it('refuses a SRIKANDI number of the wrong form or already in the register, and records nothing', async () => {
    const caseId = await start('blitar-pengkoordinasian-nota-kesepakatan');
    const stop = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      values: NASKAH,
      stopAt: 'L5.2',
      timeoutMs: 60_000,
    });
    const link = stop.stoppedAt!.link;
    const wrong = await actOnLink(link, () => ({ pilihan: 'lanjut', values: { 'nomor-srikandi': '123/ABC' } }), {
      dataDir: rt.dataDir,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toMatch(/tidak sesuai format/);
    const taken = await actOnLink(
      link,
      () => ({ pilihan: 'lanjut', values: { 'nomor-srikandi': '000.5.4/417/409.1.1/2026' } }),
      { dataDir: rt.dataDir },
    );
    expect(taken.status).toBe(400);
    expect(taken.html).toMatch(/sudah tercatat di register/);
    const task = (await rt.app.store.listTasks({ caseId })).find((t) => t.node === 'L5.2')!;
    expect(task.state).toBe('open');
  }, 120_000);
});
