import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { simpleParser } from 'mailparser';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnLink, driveCase, submitPermohonan } from '../cli/drive.ts';
import { packageLinkToken } from '../core/case/capabilities.ts';
import { entryId } from '../functions/handlers/archive-routes.ts';
import { DevelopmentPki } from '../functions/signing/dev-pki.ts';
import { addSecondSignature } from '../functions/signing/sign-pdf.ts';
import { trustOf, verifyPdfSignatures } from '../functions/signing/verify.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { MITRA, NASKAH } from './support/kasus.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * The completion package end to end on the embedded runtime (real Chromium, PAdES with the development CA, the
 * local SES, the local S3 and DynamoDB): the Kota SOP driven to "Selesai" through the public paths, the partner
 * signing electronically on the Walikota's PDF. Every party receives exactly one email carrying the signed naskah and
 * the sealed Lembar Riwayat Penandatanganan (read back from the raw mail with mailparser); the certificate lists
 * every paraf and signature with their versions, names the naskah's SHA-256 (PDF text read with unpdf) and carries a
 * valid seal (the project's verifier and poppler's pdfsig); the tracking page, the archive entry and /verifikasi show
 * it; a retry sends nothing.
 */
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const PDFSIG = spawnSync('pdfsig', ['-v'], { encoding: 'utf8' }).status !== null;
const PARTNER_CONTACT = 'penghubung@sukamaju.test';

async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await getDocumentProxy(new Uint8Array(bytes));
  const { text } = await extractText(doc, { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

/** poppler's report of each signature (it exits 0 whatever it finds: its text is read). */
function pdfsig(pdf: Uint8Array, dir: string): { validation: string; total: boolean }[] {
  const file = join(dir, `pdfsig-${sha256(pdf).slice(0, 8)}.pdf`);
  writeFileSync(file, pdf);
  const out = spawnSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
  return `${out.stdout}${out.stderr}`
    .split(/^Signature #\d+:$/m)
    .slice(1)
    .map((block) => ({
      validation: /- Signature Validation: (.*)$/m.exec(block)?.[1]?.trim() ?? '(none)',
      total: /^\s*- Total document signed$/m.test(block),
    }));
}

describe('the completion package of a Kesepakatan Bersama', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let work: string;
  beforeAll(async () => {
    rt = await startTestRuntime();
    work = mkdtempSync(join(tmpdir(), 'sepakat-paket-'));
  });
  afterAll(async () => {
    await rt?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('reaches every party once with the signed naskah and the sealed certificate, shown on the tracking page, the archive and /verifikasi', async () => {
    const { intakeId: caseId } = await submitPermohonan(
      rt,
      permohonanFor(rt, 'kota-penyusunan-kesepakatan-bersama', { 'pihak-mitra': MITRA }, 'Pengelolaan sampah regional'),
    );
    await eventually(async () => (await rt.app.store.getCase(caseId))?.cursor);
    const values = { ...NASKAH, 'mitra-penghubung-email': PARTNER_CONTACT };
    const first = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      values,
      stopAt: 'L12.3',
      timeoutMs: 200_000,
    });
    // The partner signs electronically on the Walikota's signed PDF (an incremental update).
    const signedRecord = (await rt.app.documents.listByCase(caseId)).find((d) => d.kind === 'naskah-ditandatangani')!;
    const signed = await rt.app.documents.read(signedRecord);
    const partnerPki = await DevelopmentPki.open({
      dir: join(work, 'mitra-pki'),
      caName: 'CA Mitra (uji)',
      now: () => new Date(),
    });
    const both = await addSecondSignature(
      signed,
      await partnerPki.signerFor({
        id: 'bupati-sukamaju',
        nama: 'H. Dedi Kurniawan, S.E.',
        jabatan: 'Bupati Sukamaju',
      }),
      {
        reason: 'Menandatangani',
        location: 'Sukamaju',
        name: 'H. Dedi Kurniawan, S.E.',
        contactInfo: '-',
        signingTime: new Date(),
      },
    );
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
      values,
      alreadyDone: () => true,
      timeoutMs: 200_000,
    });
    expect(rest.outcome).toBe('selesai');

    const record = (await rt.app.store.getCase(caseId))!;
    const nomor = String(record.data['nomor-naskah']);
    const docs = await rt.app.documents.listByCase(caseId);
    const final = docs.find((d) => d.kind === 'naskah-para-pihak')!;
    const certificate = docs.find((d) => d.kind === 'lembar-riwayat')!;
    expect(certificate).toMatchObject({ nomor, meta: { naskahDocId: final.docId, naskahSha256: final.sha256 } });
    const finalBytes = await rt.app.documents.read(final);
    const certificateBytes = await rt.app.documents.read(certificate);

    // ── The Object Lock archive: the signed naskah and every registered document, same bytes, once each ──────────
    const archiveBucket = rt.app.config.SEPAKAT_BUCKET_ARCHIVE;
    const registered = docs.filter((d) => d.nomor && d.bucket !== archiveBucket);
    expect(registered.map((d) => d.kind).sort()).toEqual(
      expect.arrayContaining(['lembar-riwayat', 'naskah-ditandatangani', 'naskah-para-pihak']),
    );
    for (const doc of registered) {
      expect(doc.arsip, doc.kind).toEqual({ bucket: archiveBucket, key: doc.key });
      const copy = await rt.app.clients.s3.send(new GetObjectCommand({ Bucket: archiveBucket, Key: doc.arsip!.key }));
      expect(sha256(await copy.Body!.transformToByteArray()), doc.kind).toBe(doc.sha256);
    }

    // ── Every party: exactly one email, with the number, the signed naskah and the certificate attached ──────────
    const packageMails = async () =>
      (await readMailbox(rt.dataDir)).filter(
        (m) => m.text?.includes(`Nomor kasus: ${caseId}`) && /telah ditandatangani para pihak/.test(m.subject),
      );
    const mails = await packageMails();
    const recipients = [
      PEMOHON.email,
      PARTNER_CONTACT,
      'kasubbag.kerjasama@kota-contoh.test',
      'kabag.kerjasama@kota-contoh.test',
      'walikota@kota-contoh.test',
    ];
    expect(mails.map((m) => m.to.join()).sort()).toEqual([...recipients].sort());
    for (const mail of mails) {
      const parsed = await simpleParser(readFileSync(join(rt.dataDir, 'mail', mail.emlFile)));
      expect(parsed.subject).toBe(
        `Kesepakatan Bersama Nomor ${nomor} telah ditandatangani para pihak (Pengelolaan sampah regional)`,
      );
      expect(parsed.text).toContain(`dicatat di buku register dengan nomor ${nomor}`);
      expect(parsed.text).toContain('Terlampir pada email ini');
      expect(parsed.attachments.map((a) => [a.filename, a.contentType, sha256(a.content)])).toEqual([
        [final.fileName, 'application/pdf', final.sha256],
        [certificate.fileName, 'application/pdf', certificate.sha256],
      ]);
    }
    // The pemohon's last email is no longer a "dikirimkan" without number or attachment.
    const notices = (await readMailbox(rt.dataDir)).filter(
      (m) => m.to.includes(PEMOHON.email) && m.text?.includes(caseId) && /dikirimkan kepada Bapak\/Ibu/.test(m.text),
    );
    expect(notices).toEqual([]);

    // ── The certificate: sealed, valid, naming the final naskah and listing every paraf and signature ──────────
    const trust = { ...(await trustOf(await rt.app.keys())), checkDate: new Date() };
    const seal = await verifyPdfSignatures(certificateBytes, trust);
    expect(seal.valid).toBe(true);
    expect(seal.signatures.map((s) => s.signerName)).toEqual(['Pemerintah Kota Contoh']);
    // The seal is B-LT: the validation data (/DSS) follows it in its own update, so pdfsig sees bytes after it.
    expect(seal.signatures[0]!.level).toBe('B-LT');
    expect(seal.lastSignatureCoversWholeFile).toBe(true);
    if (PDFSIG) expect(pdfsig(certificateBytes, work)).toEqual([{ validation: 'Signature is Valid.', total: false }]);
    const text = await pdfText(certificateBytes);
    const flat = text.replace(/\s/g, '');
    expect(text).toContain('LEMBAR RIWAYAT PENANDATANGANAN');
    expect(text).toContain(nomor);
    expect(flat).toContain(final.sha256);
    expect(flat).toContain(`/verifikasi/${certificate.docId}`);
    const history = await rt.app.store.listHistory(caseId);
    const paraf = history.filter((e) => e.type === 'otomatis-selesai' && e.detail?.['action'] === 'paraf');
    expect(paraf).toHaveLength(4);
    for (const e of paraf) {
      expect(text).toContain(String(e.detail!['jabatan']));
      expect(flat).toContain(String(e.detail!['versiIsi']));
    }
    expect(text).toContain('Maya Sari, S.IP.');
    expect(text).toContain('Hendra Gunawan, S.H., M.H.');
    expect(text).toContain('tautan email pribadi + kode konfirmasi sekali pakai');
    // Each signature names the revision it was applied to: the Walikota's the rendered naskah, the partner's the
    // Walikota's signed PDF.
    const signatures = (await verifyPdfSignatures(finalBytes, trust)).signatures;
    expect(signatures).toHaveLength(2);
    expect(flat).toContain(sha256(finalBytes.subarray(0, signatures[0]!.appliedToEnd)));
    expect(sha256(finalBytes.subarray(0, signatures[1]!.appliedToEnd))).toBe(signedRecord.sha256);
    expect(flat).toContain(signedRecord.sha256);
    expect(text).toContain('Dr. H. Ahmad Wijaya');
    expect(text).toContain('H. Dedi Kurniawan, S.E.');
    // The Walikota signed through the local BSrE tiruan; the footer says so, never BSrE's wording.
    expect(text).toMatch(/BSrE tiruan — bukan BSrE/);
    expect(text).not.toMatch(/Balai Besar Sertifikasi Elektronik/);

    // The signed naskah's pages carry the electronic paraf, not empty boxes inviting ink.
    const naskahText = await pdfText(signed);
    expect(naskahText).not.toContain('Paraf PIHAK KESATU PIHAK KEDUA');
    expect(naskahText).toContain('Paraf elektronik PIHAK KESATU');

    // ── A retry of the step sends nothing twice ────────────────────────────────────────────────────────────────
    await rt.app.completion.send({ record, activityId: 'L14', action: { nomor: 'naskah' } });
    expect((await packageMails()).length).toBe(5);
    expect((await rt.app.documents.listByCase(caseId)).filter((d) => d.kind === 'lembar-riwayat')).toHaveLength(1);

    // ── The tracking page: the number and the downloads (a POST, logged) ───────────────────────────────────────
    const lacak = new URL(rt.app.caseAdmin.trackingUrl(record)).pathname;
    const page = await web(rt, lacak);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<dd id="nomor-naskah">${nomor}</dd>`);
    expect(page.text).toContain(`action="${lacak}/unduh/0"`);
    expect(page.text).toContain(`action="${lacak}/unduh/1"`);
    expect(page.text).toContain('Lembar Riwayat Penandatanganan');
    const token = /name="_token" value="([^"]+)"/.exec(page.text.slice(page.text.indexOf('/unduh/1')))![1]!;
    const refused = await web(rt, `${lacak}/unduh/1`, { form: { _token: 'salah' } });
    expect(refused.status).toBe(403);
    const asked = await web(rt, `${lacak}/unduh/1`, { form: { _token: token } });
    expect(asked.status).toBe(303);
    const downloaded = new Uint8Array(await (await fetch(asked.headers.get('location')!)).arrayBuffer());
    expect(sha256(downloaded)).toBe(certificate.sha256);
    const logged = (await rt.app.store.listHistory(caseId)).filter((e) => e.type === 'dokumen-diunduh');
    expect(logged.map((e) => [e.detail?.['docId'], e.detail?.['melalui']])).toEqual([
      [certificate.docId, 'tautan lacak'],
    ]);

    // ── The link a party gets when the naskah is too large to attach: GET shows, POST downloads (logged) ────────
    const key = rt.app.config.SEPAKAT_LINK_KEY!;
    const paket = `/paket/${packageLinkToken(key, caseId, PARTNER_CONTACT, new Date(Date.now() + 24 * 3600_000))}`;
    const before = (await rt.app.store.listHistory(caseId)).length;
    const shown = await web(rt, paket);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(`<dd id="nomor-naskah">${nomor}</dd>`);
    expect(shown.text).toContain(`Penghubung ${MITRA}`);
    expect((await rt.app.store.listHistory(caseId)).length).toBe(before);
    const formToken = /name="_token" value="([^"]+)"/.exec(shown.text)![1]!;
    const viaLink = await web(rt, `${paket}/unduh/0`, { form: { _token: formToken } });
    expect(viaLink.status).toBe(303);
    expect(sha256(new Uint8Array(await (await fetch(viaLink.headers.get('location')!)).arrayBuffer()))).toBe(
      final.sha256,
    );
    const byLink = (await rt.app.store.listHistory(caseId)).filter(
      (e) => e.type === 'dokumen-diunduh' && e.detail?.['melalui'] === 'tautan paket',
    );
    expect(byLink.map((e) => [e.detail?.['docId'], e.who?.nama])).toEqual([[final.docId, `Penghubung ${MITRA}`]]);
    const expired = `/paket/${packageLinkToken(key, caseId, PARTNER_CONTACT, new Date(Date.now() - 1000))}`;
    expect((await web(rt, expired)).status).toBe(410);
    expect((await web(rt, `${paket}x`)).status).toBe(404);

    // ── The archive entry shows the certificate ──────────────────────────────────────────────────────────────
    const arsip = sessionFor(rt, PRINCIPALS.arsiparisKota);
    const entry = await web(rt, `/arsip/${entryId(nomor)}`, { cookie: arsip.cookie });
    expect(entry.status).toBe(200);
    expect(entry.text).toContain('<h3>Lembar Riwayat Penandatanganan</h3>');
    expect(entry.text).toContain(`data-dokumen="${certificate.docId}"`);
    expect(entry.text).toContain(`href="/verifikasi/${certificate.docId}"`);

    // ── /verifikasi verifies the certificate and names the naskah it certifies ───────────────────────────────────
    const verified = await web(rt, `/verifikasi/${certificate.docId}`);
    expect(verified.status).toBe(200);
    expect(verified.text).toContain('Lembar Riwayat Penandatanganan (bersegel elektronik pemerintah daerah)');
    expect(verified.text).toContain('Dokumen asli; tanda tangan sah');
    expect(verified.text).toContain(`<code class="pecah" data-naskah-sha256>${final.sha256}</code>`);
  }, 500_000);
});
