import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnLink, driveCase, parseTaskPage, submitPermohonan } from '../cli/drive.ts';
import { verifyPdfSignatures } from '../functions/signing/verify.ts';
import { MITRA, NASKAH } from './support/kasus.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * A letter is signed by the official it names (issue 13, item 5): the Kota SOP's Surat Undangan Rapat (L4) is
 * drafted by the Kasubbag and signed electronically by the Kepala Bagian Kerjasama on a signing task of the same
 * step. Its number is taken as his task opens ("dicadangkan"), the page shows the letter's pages, his signature is
 * made on exactly that PDF, the number becomes "dipakai", and the letter verifies on /verifikasi.
 */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

describe('a letter signed by its signer', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let caseId: string;
  beforeAll(async () => {
    rt = await startTestRuntime();
    const { intakeId } = await submitPermohonan(
      rt,
      permohonanFor(rt, 'kota-penyusunan-kesepakatan-bersama', { 'pihak-mitra': MITRA }, 'Kerja sama persampahan'),
    );
    caseId = intakeId;
    await eventually(async () => (await rt.app.store.getCase(caseId))?.cursor);
  }, 120_000);
  afterAll(async () => rt?.cleanup());

  it('takes the number as the signing task opens, shows the letter, signs it as the Kabag, and uses the number', async () => {
    const run = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      values: NASKAH,
      stopAt: 'L4.2',
    });
    const link = run.stoppedAt!.link;
    expect(run.stoppedAt!.mail.to.join(' ')).toMatch(/hendra|kabag/i);

    // Ambil Nomor: the number is reserved for the letter as the Kabag's task opened, not yet used.
    const record = (await rt.app.store.getCase(caseId))!;
    const nomor = String(record.data['nomor-surat-undangan-rapat'] ?? '');
    expect(nomor).toMatch(/\//);
    const reserved = await rt.app.register(record.pemdaId).get(nomor);
    expect(reserved?.status).toBe('dicadangkan');

    // His page shows the letter itself: its pages as images, its SHA-256, a button that names the act.
    const html = await (await fetch(link)).text();
    const form = parseTaskPage(html);
    expect(form.signing?.pages.length).toBeGreaterThan(0);
    expect(html).toContain('Tandatangani secara elektronik');
    const shown = (await rt.app.documents.listByCase(caseId)).find((d) => d.sha256 === form.signing!.sha256)!;
    expect(shown).toBeDefined();
    const shownText = await pdfText(await rt.app.documents.read(shown));
    expect(shownText).toContain(nomor);
    expect(shownText).toContain('Hendra Gunawan');

    const result = await actOnLink(link, (f) => ({ pilihan: f.choices[0]! }), { dataDir: rt.dataDir });
    expect(result.status).toBe(200);

    // The signed letter: the shown PDF plus his signature, its number used.
    const signed = await eventually(async () =>
      (await rt.app.documents.listByCase(caseId)).find(
        (d) => d.kind === 'surat-undangan-ditandatangani' && d.nomor === nomor,
      ),
    );
    const bytes = await rt.app.documents.read(signed);
    const trust = { trustedRoots: await (await rt.app.keys()).trustedRoots(), checkDate: new Date() };
    const report = await verifyPdfSignatures(bytes, trust);
    expect(report.valid).toBe(true);
    expect(report.signatures[0]!.signerName).toMatch(/Hendra Gunawan/);
    expect(signed.meta?.sha256Tampil).toBe(form.signing!.sha256);
    const used = await eventually(async () => {
      const entry = await rt.app.register(record.pemdaId).get(nomor);
      return entry?.status === 'dipakai' ? entry : undefined;
    });
    expect(used.status).toBe('dipakai');

    // It verifies on /verifikasi (from its QR code), naming its signer and number.
    const text = await pdfText(bytes);
    expect(text.replace(/\s/g, '')).toContain(`/verifikasi/${signed.docId}`);
    const page = await fetch(`${rt.urls.web}/verifikasi/${signed.docId}`);
    expect(page.status).toBe(200);
    const verification = await page.text();
    expect(verification).toContain(nomor);
    expect(verification).toContain('Hendra Gunawan');
    expect(verification).not.toContain('tidak terdaftar');
  }, 180_000);
});
