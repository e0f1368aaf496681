import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePng } from '../cli/drive.ts';
import type { DocumentRecord } from '../functions/adapters/document-store.ts';
import { webApp, type WebApp } from '../functions/handlers/web-app.ts';
import { DevelopmentPki } from '../functions/signing/dev-pki.ts';
import { addSecondSignature, signPdf } from '../functions/signing/sign-pdf.ts';
import { toPem } from '../functions/signing/asn1.ts';
import { BSRE_TIRUAN_MARK } from '../functions/signing/signer.ts';
import { withBsreRoots } from '../functions/signing/trust-anchors.ts';
import { developmentPassphrase, developmentUsers } from '../local/bsre/development-users.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { eventually, startTestRuntime } from './support/runtime.ts';

/**
 * The public verification page, from the QR code on a signed naskah or from an uploaded PDF: real local services
 * (dynalite, s3rver), the real register, real PAdES signatures with the development CA. The requests go to
 * the web app (Hono), as the local web server and the http Lambda serve it.
 */
describe('the verification page', () => {
  const PEMDA = 'kota-contoh';
  const CASE_ID = 'kasus-verifikasi-1';
  const PERIHAL = 'Pengembangan Layanan Air Minum Lintas Daerah';
  const PARTIES = ['Pemerintah Kota Contoh', 'Pemerintah Kabupaten Mitra'];
  const WALIKOTA = { id: 'walikota', nama: 'Dr. H. Ahmad Wijaya', jabatan: 'Walikota Contoh', instansi: PARTIES[0] };
  const BUPATI = { id: 'bupati-mitra', nama: 'Ir. Ratna Dewi', jabatan: 'Bupati Mitra', instansi: PARTIES[1] };
  // Monday 23 November 2026, 10.15 WIB; the certificates are made by the runtime's clock, the chain checked a day later.
  const SIGNED_AT = new Date('2026-11-23T03:15:00Z');
  const clock = { now: () => new Date('2026-11-23T03:00:00Z') };
  const checkClock = { now: () => new Date('2026-11-24T00:00:00Z') };
  const MAX_UPLOAD = 2 * 1024 * 1024;

  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let site: WebApp;
  let partnerDir: string;
  let signed: Uint8Array;
  let stored: DocumentRecord;
  let nomor: string;

  beforeAll(async () => {
    rt = await startTestRuntime({ clock, maxUploadBytes: MAX_UPLOAD });
    partnerDir = mkdtempSync(join(tmpdir(), 'sepakat-pki-mitra-'));
    const { app } = rt;
    site = webApp(app, { verificationClock: checkClock });

    const entry = await app.register(PEMDA).allocate({
      caseId: CASE_ID,
      purpose: 'naskah',
      series: 'kesepakatan-bersama',
      parties: PARTIES,
      perihal: PERIHAL,
      dates: { document: '2026-11-23', signed: '2026-11-23' },
    });
    nomor = entry.numberText;
    const signer = await (await app.keys()).signerFor(WALIKOTA);
    signed = await signPdf(await naskahPdf(nomor), signer, {
      reason: `Menandatangani Kesepakatan Bersama Nomor ${nomor}`,
      location: 'Kota Contoh',
      name: WALIKOTA.nama,
      contactInfo: 'walikota@kota-contoh.test',
      signingTime: SIGNED_AT,
    });
    ({ record: stored } = await app.documents.store({
      caseId: CASE_ID,
      pemdaId: PEMDA,
      kind: 'naskah-ditandatangani',
      purpose: `${CASE_ID}#1#naskah-ditandatangani`,
      bucket: app.config.SEPAKAT_BUCKET_DOCUMENTS,
      bytes: signed,
      contentType: 'application/pdf',
      fileName: 'naskah.pdf',
      at: clock.now(),
      nomor,
      asli: true,
    }));
  }, 60_000);

  afterAll(async () => {
    await rt?.cleanup();
    if (partnerDir) rmSync(partnerDir, { recursive: true, force: true });
  });

  async function naskahPdf(number: string): Promise<Uint8Array> {
    const doc = await PDFDocument.create();
    doc.setTitle('Kesepakatan Bersama');
    const font = await doc.embedFont(StandardFonts.Helvetica);
    const page = doc.addPage([595, 842]);
    ['KESEPAKATAN BERSAMA', `NOMOR ${number}`, PERIHAL.toUpperCase()].forEach((line, i) =>
      page.drawText(line, { x: 56, y: 760 - i * 24, size: 12, font }),
    );
    return doc.save();
  }

  /** A request to the web app (the same Hono app the local server and the Lambda serve), from our own pages. */
  async function call(
    method: string,
    path: string,
    body?: Buffer,
    contentType?: string,
  ): Promise<{ statusCode: number; body: string }> {
    const response = await site.request(path, {
      method,
      headers: {
        origin: new URL(rt.app.config.SEPAKAT_PUBLIC_BASE_URL).origin,
        ...(contentType ? { 'content-type': contentType } : {}),
        ...(body ? { 'content-length': String(body.length) } : {}),
      },
      ...(body ? { body: new Uint8Array(body) } : {}),
    });
    return { statusCode: response.status, body: await response.text() };
  }

  /** What a browser's form sends for one file in the field "berkas". */
  function upload(bytes: Uint8Array, fileName = 'naskah.pdf', type = 'application/pdf') {
    const boundary = '----SepakatUjiBatas7MA4YWxkTrZu0gW';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="berkas"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`,
      ),
      Buffer.from(bytes),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return call('POST', '/verifikasi', body, `multipart/form-data; boundary=${boundary}`);
  }

  /** The page as a person reads it: tags dropped, entities decoded, whitespace collapsed. */
  function text(html: string): string {
    return html
      .replace(/<style[\s\S]*?<\/style>/g, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&#x27;/g, "'")
      .replace(/&#x3D;/g, '=')
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ');
  }

  /** Each signature block: its text and whether the page marks it sah. */
  function signatures(html: string): { text: string; sah: boolean }[] {
    return [...html.matchAll(/<div class="ttd" data-tanda-tangan="\d+" data-sah="(ya|tidak)">([\s\S]*?)<\/dl>/g)].map(
      (m) => ({ sah: m[1] === 'ya', text: text(m[2]!) }),
    );
  }

  const attribute = (html: string, name: string) => new RegExp(`data-${name}="([a-z-]+)"`).exec(html)?.[1];

  it('shows the upload form', async () => {
    const page = await call('GET', '/verifikasi');
    expect(page.statusCode).toBe(200);
    // Without JavaScript the file is posted to the function; the page's script sends it to S3 instead
    // (test/verification-upload.test.ts) and then posts the key to /verifikasi/periksa.
    expect(page.body).toContain(
      '<form method="post" action="/verifikasi" enctype="multipart/form-data" id="verifikasi-unggah">',
    );
    expect(page.body).toContain('<form method="post" action="/verifikasi/periksa" id="verifikasi-periksa" hidden>');
    expect(page.body).toContain('name="berkas"');
    expect(text(page.body)).toContain('paling besar 2 MB');
  });

  it('shows the registered document behind the QR code: number, parties, subject, signer, time, valid', async () => {
    const page = await call('GET', `/verifikasi/${stored.docId}`);
    expect(page.statusCode).toBe(200);
    const shown = text(page.body);
    expect(shown).toContain(nomor);
    for (const party of PARTIES) expect(shown).toContain(party);
    expect(shown).toContain(PERIHAL);
    expect(shown).toContain('Status di register Dicadangkan');
    expect(shown).toContain('Tanggal naskah 23 November 2026');
    expect(shown).toContain('Dokumen asli; tanda tangan sah (sertifikat pengembangan)');
    expect(shown).toContain('Sertifikat pengembangan — bukan BSrE');
    expect(attribute(page.body, 'putusan')).toBe('ok');
    expect(attribute(page.body, 'kecocokan')).toBe('sama');
    const [first, ...rest] = signatures(page.body);
    expect(rest).toHaveLength(0);
    expect(first!.sah).toBe(true);
    expect(first!.text).toContain(`1. ${WALIKOTA.nama} Sah`);
    expect(first!.text).toContain('Senin, 23 November 2026 pukul 10.15 WIB');
    expect(first!.text).toContain('Keutuhan isi ya');
    expect(first!.text).toContain('Rantai sertifikat ya Sampai ke CA pengembangan Sepakat — bukan BSrE');
  });

  it('labels a development-signed naskah for what it is: issuer, anchor, level, times, validity, registration', async () => {
    const page = await call('GET', `/verifikasi/${stored.docId}`);
    const [first] = signatures(page.body);
    expect(first!.text).toContain(`Penanda tangan ${WALIKOTA.nama}`);
    expect(first!.text).toContain('Penerbit sertifikat Sepakat CA Pengembangan');
    expect(first!.text).toContain('Sertifikasi Sertifikat pengembangan — bukan BSrE');
    expect(attribute(page.body, 'sertifikasi')).toBe('pengembangan');
    expect(first!.text).toContain('Tingkat PAdES PAdES B-B (tanpa cap waktu tepercaya)');
    expect(first!.text).toContain('Waktu menurut cap waktu tidak ada cap waktu tepercaya');
    expect(first!.text).toContain('Waktu yang dinyatakan penanda tangan Senin, 23 November 2026 pukul 10.15 WIB');
    expect(first!.text).toContain(
      'Sertifikat berlaku saat itu ya Ya: dalam masa berlaku pada waktu yang dinyatakan penanda tangan (bukan waktu tepercaya).',
    );
    expect(first!.text).toContain('Dokumen terdaftar Tanda tangan ini bagian dari dokumen yang terdaftar.');
    expect(page.body).not.toContain('TTE tersertifikasi BSrE');
  });

  it('labels a PDF signed by the local BSrE service BSrE tiruan even with its CA configured as a BSrE root', async () => {
    const walikota = developmentUsers(join(PROJECT_ROOT, 'config')).find((u) => u.personId === 'walikota')!;
    const response = await fetch(`${rt.app.config.SEPAKAT_BSRE_URL}/api/v2/sign/pdf`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${rt.bsre.clientId}:${rt.bsre.clientSecret}`).toString('base64')}`,
      },
      body: JSON.stringify({
        nik: walikota.nik,
        passphrase: developmentPassphrase(join(rt.dataDir, 'bsre'), 'walikota'),
        signatureProperties: [{ tampilan: 'INVISIBLE', reason: 'Penandatanganan naskah', location: 'Kota Contoh' }],
        file: [Buffer.from(await naskahPdf(nomor)).toString('base64')],
      }),
    });
    expect(response.status).toBe(200);
    const bsreSigned = Buffer.from(((await response.json()) as { file: string[] }).file[0]!, 'base64');
    // The deployer's file of BSrE roots holds the local test CA, the way a real BSrE root is configured.
    const rootsFile = join(partnerDir, 'akar-bsre.pem');
    writeFileSync(rootsFile, toPem(await rt.bsre.caCertificate(), 'CERTIFICATE'));
    site = webApp(
      { ...rt.app, keys: async () => withBsreRoots(await rt.app.keys(), rootsFile) },
      { verificationClock: checkClock },
    );
    try {
      const page = await upload(bsreSigned, 'naskah-bsre.pdf');
      expect(page.statusCode).toBe(200);
      const [first] = signatures(page.body);
      expect(first!.sah).toBe(true);
      expect(attribute(page.body, 'sertifikasi')).toBe('bsre-tiruan');
      expect(first!.text).toContain('Sertifikasi BSrE tiruan — bukan BSrE (layanan uji lokal)');
      expect(first!.text).toContain('Sampai ke CA BSrE tiruan — bukan BSrE (layanan uji lokal)');
      expect(first!.text).toContain(`Penerbit sertifikat CA ${BSRE_TIRUAN_MARK}`);
      expect(first!.text).toContain('Dokumen terdaftar Tidak: berkas ini tidak ditemukan di arsip Sepakat.');
      expect(text(page.body)).toContain('(BSrE tiruan — bukan BSrE)');
      expect(page.body).not.toContain('TTE tersertifikasi BSrE');

      // A plain root in the same file is BSrE's for this deployment: only then does the page say so.
      const realLooking = await DevelopmentPki.open({
        dir: join(partnerDir, 'akar-nyata'),
        caName: 'Root CA Otoritas Sertifikat Digital',
        mark: 'Balai Sertifikasi Elektronik',
        now: clock.now,
      });
      writeFileSync(rootsFile, realLooking.caCertificatePem);
      const certified = await signPdf(await naskahPdf(nomor), await realLooking.signerFor(WALIKOTA), {
        reason: 'Menandatangani naskah',
        location: 'Kota Contoh',
        name: WALIKOTA.nama,
        contactInfo: 'walikota@kota-contoh.test',
        signingTime: SIGNED_AT,
      });
      const real = await upload(certified, 'naskah-tte.pdf');
      expect(attribute(real.body, 'sertifikasi')).toBe('bsre');
      expect(signatures(real.body)[0]!.text).toContain('Sertifikasi TTE tersertifikasi BSrE');
    } finally {
      site = webApp(rt.app, { verificationClock: checkClock });
    }
  });

  it('recognises an upload of the same bytes as the registered document', async () => {
    const page = await eventually(async () => {
      const result = await upload(signed);
      return attribute(result.body, 'kecocokan') === 'sama' && result;
    });
    expect(page.statusCode).toBe(200);
    const shown = text(page.body);
    expect(shown).toContain('sama dengan dokumen yang terdaftar');
    expect(shown).toContain(nomor);
    expect(shown).toContain(PERIHAL);
    expect(signatures(page.body).map((s) => s.sah)).toEqual([true]);
    expect(attribute(page.body, 'putusan')).toBe('ok');
  });

  it('shows the signature as invalid when one byte inside the signed range is changed', async () => {
    const tampered = Uint8Array.from(signed);
    // "Kesepakatan" → "Lesepakatan" in the document title (UTF-16BE hex in the Info dictionary).
    const at = Buffer.from(tampered).indexOf('/Title <FEFF004B') + '/Title <FEFF004'.length;
    expect(at).toBeGreaterThan(20);
    tampered[at] = 'C'.charCodeAt(0);
    const page = await upload(tampered);
    expect(page.statusCode).toBe(200);
    const shown = text(page.body);
    expect(shown).toContain('Tanda tangan tidak sah');
    expect(shown).toContain('Dokumen tidak terdaftar');
    expect(attribute(page.body, 'putusan')).toBe('salah');
    const [first] = signatures(page.body);
    expect(first!.sah).toBe(false);
    expect(first!.text).toContain('Tidak sah');
    expect(first!.text).toContain('Keutuhan isi tidak');
    expect(shown).toContain('Isi dokumen berubah setelah ditandatangani (hash tidak cocok).');
  });

  it("lists both signatures of the partner's counter-signed copy and recognises the registered revision", async () => {
    const partnerPki = await DevelopmentPki.open({ dir: partnerDir, caName: 'CA Pengembangan Mitra', now: clock.now });
    const both = await addSecondSignature(signed, await partnerPki.signerFor(BUPATI), {
      reason: `Menandatangani Kesepakatan Bersama Nomor ${nomor}`,
      location: 'Kabupaten Mitra',
      name: BUPATI.nama,
      contactInfo: 'bupati@kab-mitra.test',
      signingTime: new Date('2026-11-23T07:30:00Z'),
    });
    const page = await upload(both, 'naskah-para-pihak.pdf');
    expect(page.statusCode).toBe(200);
    const shown = text(page.body);
    expect(attribute(page.body, 'kecocokan')).toBe('revisi');
    expect(shown).toContain('Dokumen yang terdaftar ditemukan di dalam berkas ini');
    expect(shown).toContain('1 tanda tangan berikutnya');
    expect(shown).toContain(nomor);
    const [first, second] = signatures(page.body);
    expect(first!.sah).toBe(true);
    expect(first!.text).toContain(WALIKOTA.nama);
    expect(first!.text).toContain('Tanda tangan ini bagian dari dokumen yang terdaftar.');
    expect(second!.text).toContain(BUPATI.nama);
    expect(second!.text).toContain('Senin, 23 November 2026 pukul 14.30 WIB');
    expect(second!.text).toContain('Keutuhan isi ya');
    expect(second!.text).toContain('Utuh, perlu diperiksa');
    expect(second!.text).toContain('Rantai sertifikat tidak');
    expect(second!.sah).toBe(false);
    expect(second!.text).toContain('Ditambahkan setelah dokumen yang terdaftar.');
    expect(attribute(page.body, 'putusan')).toBe('info');
    expect(shown).toContain('Tanda tangan pada dokumen yang terdaftar sah');
    expect(shown).toContain('rantai sertifikatnya tidak sampai ke penerbit yang dipercaya sistem ini');
    expect(shown).not.toMatch(/No valid certificate paths/);
  });

  it('refuses an image with 400 and an Indonesian message, whatever its name says', async () => {
    const page = await upload(samplePng(), 'naskah.pdf', 'application/pdf');
    expect(page.statusCode).toBe(400);
    expect(text(page.body)).toContain('Berkas ini berformat PNG, bukan PDF.');
    expect(page.body).toContain('name="berkas"');
  });

  it('refuses an upload over the configured maximum with 413', async () => {
    const large = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(MAX_UPLOAD, 0x20)]);
    const page = await upload(large);
    expect(page.statusCode).toBe(413);
    expect(text(page.body)).toContain('Berkas terlalu besar');
  });

  it('refuses a body that is not a multipart form with 400', async () => {
    const page = await call('POST', '/verifikasi', Buffer.from('berkas=x'), 'application/x-www-form-urlencoded');
    expect(page.statusCode).toBe(400);
    expect(text(page.body)).toContain('unggahan berkas (multipart/form-data)');
  });

  it('answers 404 "Dokumen tidak ditemukan" for an unknown or malformed document id', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'bukan-kode']) {
      const page = await call('GET', `/verifikasi/${id}`);
      expect(page.statusCode).toBe(404);
      expect(text(page.body)).toContain('Dokumen tidak ditemukan');
    }
  });

  it('lets the local web server take a PDF-sized body on /verifikasi only', async () => {
    const body = Buffer.alloc(1536 * 1024, 0x41);
    const post = (path: string) =>
      fetch(`${rt.urls.web}${path}`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body });
    expect((await post('/verifikasi')).status).not.toBe(413);
    expect((await post('/api/permohonan')).status).toBe(413);
  });
});
