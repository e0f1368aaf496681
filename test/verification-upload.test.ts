import { VERIFICATION_UPLOADS_PER_HOUR } from '../functions/documents/verification.ts';
import { randomBytes } from 'node:crypto';
import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPdf } from '../functions/signing/sign-pdf.ts';
import { startTestRuntime } from './support/runtime.ts';

/**
 * `/verifikasi` with the PDF sent straight to S3, as the page's script does: `POST /verifikasi/unggah` presigns a PUT
 * of the declared size under `verifikasi/`, the PDF is PUT to the local S3 (s3rver, SigV4 checked) with fetch, and
 * `POST /verifikasi/periksa` verifies what S3 holds. The PDF is larger than a Lambda payload (6 MB), which the
 * multipart path through the function could never take in AWS. All through the local web server, as a browser.
 */
describe('verification uploads through a presigned S3 PUT', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let origin: string;
  let large: Uint8Array;

  beforeAll(async () => {
    rt = await startTestRuntime();
    origin = new URL(rt.app.config.SEPAKAT_PUBLIC_BASE_URL).origin;
    // A signed PDF of about 7 MB: one page and an attached stream of random bytes (incompressible), signed with the
    // development CA.
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    doc.addPage([595, 842]).drawText('KESEPAKATAN BERSAMA (lampiran besar)', { x: 56, y: 760, size: 12, font });
    const blob = doc.context.flateStream(randomBytes(7 * 1024 * 1024));
    doc.catalog.set(PDFName.of('SepakatUjiLampiran'), doc.context.register(blob));
    const signer = await (
      await rt.app.keys()
    ).signerFor({
      id: 'walikota',
      nama: 'Dr. H. Ahmad Wijaya',
      jabatan: 'Walikota Contoh',
    });
    large = await signPdf(await doc.save(), signer, {
      reason: 'Uji unggahan besar',
      location: 'Kota Contoh',
      name: 'Dr. H. Ahmad Wijaya',
      contactInfo: '-',
      signingTime: new Date(),
    });
  }, 120_000);

  afterAll(async () => {
    await rt?.cleanup();
  });

  const post = (path: string, body: string, contentType: string) =>
    fetch(`${rt.urls.web}${path}`, { method: 'POST', headers: { origin, 'content-type': contentType }, body });

  async function prepare(ukuran: unknown) {
    const res = await post('/verifikasi/unggah', JSON.stringify({ ukuran }), 'application/json');
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('takes a PDF over 6 MB: presign, PUT to S3 with fetch, verify in the function', async () => {
    expect(large.length).toBeGreaterThan(6 * 1024 * 1024);
    const prepared = await prepare(large.length);
    expect(prepared.status).toBe(200);
    const { kunci, url, header } = prepared.body as { kunci: string; url: string; header: Record<string, string> };
    expect(kunci).toMatch(/^verifikasi\/[0-9a-f-]{36}\.pdf$/);
    expect(new URL(url).origin).toBe(new URL(rt.app.config.SEPAKAT_ENDPOINT_S3!).origin);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('300');

    const put = await fetch(url, { method: 'PUT', headers: header, body: large });
    expect(put.status).toBe(200);

    const res = await post(
      '/verifikasi/periksa',
      new URLSearchParams({ kunci, nama: 'naskah-besar.pdf' }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Hasil verifikasi');
    expect(page).toContain('naskah-besar.pdf');
    expect(page).toMatch(/data-tanda-tangan="1" data-sah="ya"/);
  }, 120_000);

  it('lets S3 refuse a body of another size than the one signed', async () => {
    const { body } = await prepare(1000);
    const put = await fetch(String(body.url), {
      method: 'PUT',
      headers: body.header as Record<string, string>,
      body: new Uint8Array(2000),
    });
    expect(put.ok).toBe(false);
  });

  it('refuses a size over the maximum with 413 and a bad size with 400, naming the field, in Indonesian', async () => {
    const tooLarge = await prepare(rt.app.config.SEPAKAT_MAX_UPLOAD_BYTES + 1);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.pesan).toMatch(/^ukuran: berkas terlalu besar/);
    for (const bad of [0, -5, 1.5, 'besar', null]) {
      const refused = await prepare(bad);
      expect(refused.status, String(bad)).toBe(400);
      expect(refused.body.pesan).toMatch(/^ukuran: /);
    }
  });

  it('says the upload is missing for a key never uploaded or not under verifikasi/', async () => {
    for (const kunci of ['verifikasi/00000000-0000-4000-8000-000000000000.pdf', 'dokumen/x/y.pdf', '']) {
      const res = await post(
        '/verifikasi/periksa',
        new URLSearchParams({ kunci }).toString(),
        'application/x-www-form-urlencoded',
      );
      expect(res.status, kunci).toBe(400);
      expect(await res.text()).toContain('berkas unggahan tidak ditemukan');
    }
  });

  it('limits the presigned uploads one caller address may ask for in an hour (429, in Indonesian)', async () => {
    // Every request of this file came from this address and counts; the limit is reached within its size.
    let refused: { status: number; body: Record<string, unknown> } | undefined;
    for (let i = 0; i <= VERIFICATION_UPLOADS_PER_HOUR && !refused; i++) {
      const answer = await prepare(1024);
      if (answer.status === 429) refused = answer;
      else expect(answer.status).toBe(200);
    }
    expect(refused?.body.pesan).toMatch(/^Terlalu banyak unggahan verifikasi dari jaringan Anda dalam satu jam/);
    expect((await prepare(1024)).status).toBe(429);
  });
});
