import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomUUID } from 'node:crypto';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf, submitPermohonan } from '../cli/drive.ts';
import { formatNumber, yearOf, type RegisterEntry } from '../core/register/numbering.ts';
import type { DocumentRecord } from '../functions/adapters/document-store.ts';
import { entryId } from '../functions/handlers/archive-routes.ts';
import { signPdf } from '../functions/signing/sign-pdf.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { MITRA, NASKAH } from './support/kasus.ts';
import { eventually, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * The archive pages of the console on the real local runtime (dynalite, s3rver, the web server, Chromium for the
 * PDF export): archivists search the register, open an entry with its case and stored copies, download the signed
 * naskah through a logged 5-minute link and export the register; other pemdas and pemohon see nothing of it.
 *
 * The agreement is made the fastest way the archive tests use: a real permohonan (so the entry has a real case),
 * then the number reserved, used and filed in the real register and the signed naskah (a real PAdES signature by
 * the development CA) and a scan stored in the real document store, as the document worker files them.
 */

type Rt = Awaited<ReturnType<typeof startTestRuntime>>;
const PEMDA = 'kota-contoh';
const SOP = 'kota-penyusunan-kesepakatan-bersama';
const PERIHAL = 'Kerja Sama Pengelolaan Sampah Regional';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function pdfText(pdf: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

describe('the archive pages', () => {
  let rt: Rt;
  let caseId: string;
  let entry: RegisterEntry;
  let older: RegisterEntry;
  let signed: DocumentRecord;
  let signedBytes: Uint8Array;
  let scan: DocumentRecord;
  let thisYear: number;
  const arsiparis = () => sessionFor(rt, PRINCIPALS.arsiparisKota);
  const get = (path: string, principal?: (typeof PRINCIPALS)[keyof typeof PRINCIPALS]) =>
    web(rt, path, principal ? { cookie: sessionFor(rt, principal).cookie } : {});
  /** A download is a POST from the archive's pages (with the session's CSRF token); a GET never hands one out. */
  const download = (path: string, principal?: (typeof PRINCIPALS)[keyof typeof PRINCIPALS]) => {
    const session = principal && sessionFor(rt, principal);
    return web(rt, path, { ...(session ? { cookie: session.cookie } : {}), form: { _csrf: session?.csrf ?? '' } });
  };
  const mainOf = (html: string) => html.slice(html.indexOf('<main>'));
  const rowsOf = (html: string) => [...html.matchAll(/<tr data-nomor="([^"]+)"/g)].map((m) => m[1]);

  beforeAll(async () => {
    rt = await startTestRuntime();
    thisYear = yearOf(rt.app.runtimeClock.now(), 'WIB');
    ({ intakeId: caseId } = await submitPermohonan(rt, permohonanFor(rt, SOP, { 'pihak-mitra': MITRA }, PERIHAL)));
    await eventually(async () => (await rt.app.store.getCase(caseId))?.cursor);

    const register = rt.app.register(PEMDA);
    const reserved = await register.allocate({
      caseId,
      purpose: 'naskah',
      series: 'kesepakatan-bersama',
      parties: ['Pemerintah Kota Contoh', MITRA],
      perihal: PERIHAL,
      by: 'Rizky Pratama, S.Sos.',
    });
    await register.markUsed(reserved.numberText, { dates: { signed: `${thisYear}-03-02` } });
    entry = await register.setOriginalLocation(reserved.numberText, {
      location: NASKAH['lokasi-naskah-asli'],
      copy: 'Asli PIHAK KESATU (bermeterai)',
      by: 'Nurul Hidayah, A.Md.',
    });
    // Last year's number, another partner, no case in Sepakat: it must not show up in this year's searches.
    older = await register.registerSrikandi({
      numberText: formatNumber('000.5.4/{n:3}/KS/{tahun}', 88, thisYear - 1),
      series: 'kesepakatan-bersama',
      caseId: `kasus-lama-${randomUUID().slice(0, 8)}`,
      purpose: 'naskah',
      parties: ['Pemerintah Kota Contoh', 'Universitas Nusantara'],
      perihal: 'Magang mahasiswa di perangkat daerah',
    });

    const walikota = await (
      await rt.app.keys()
    ).signerFor({
      id: 'walikota',
      nama: 'Dr. H. Ahmad Wijaya',
      jabatan: 'Walikota Contoh',
    });
    signedBytes = await signPdf(samplePdf(`Kesepakatan Bersama ${entry.numberText}`), walikota, {
      reason: `Menandatangani Kesepakatan Bersama Nomor ${entry.numberText}`,
      location: 'Kota Contoh',
      name: 'Dr. H. Ahmad Wijaya',
      signingTime: new Date(),
      contactInfo: 'walikota@kota-contoh.test',
    });
    const file = (kind: string, slot: string, bytes: Uint8Array, bucket: string) =>
      rt.app.documents.store({
        caseId,
        pemdaId: PEMDA,
        kind,
        purpose: `${caseId}#00012#${slot}`,
        bucket,
        bytes,
        contentType: 'application/pdf',
        fileName: `${slot}.pdf`,
        at: rt.app.runtimeClock.now(),
        nomor: entry.numberText,
        asli: true,
      });
    signed = (await file('naskah-ditandatangani', 'naskah', signedBytes, rt.app.config.SEPAKAT_BUCKET_DOCUMENTS))
      .record;
    scan = (
      await file(
        'arsip-pindai',
        'pindaian-naskah',
        samplePdf('Pindaian naskah bertanda tangan basah'),
        rt.app.config.SEPAKAT_BUCKET_ARCHIVE,
      )
    ).record;
  }, 60_000);
  afterAll(async () => rt?.cleanup());

  it('finds the agreement by number, partner, year and perihal, and not by the wrong year', async () => {
    const { cookie } = arsiparis();
    const search = async (query: Record<string, string>) => {
      const res = await web(rt, `/arsip?${new URLSearchParams(query)}`, { cookie });
      expect(res.status).toBe(200);
      return res.text;
    };

    const byNumber = await search({ nomor: entry.numberText });
    expect(rowsOf(byNumber)).toEqual([entry.numberText]);
    expect(byNumber).toContain(`href="/arsip/${entryId(entry.numberText)}"`);
    expect(byNumber).toContain(NASKAH['lokasi-naskah-asli']);
    expect(byNumber).toContain(`/arsip/unduh/${signed.docId}`);
    expect(byNumber).toContain('Dipakai');

    expect(rowsOf(await search({ mitra: 'sukamaju' }))).toEqual([entry.numberText]);
    expect(rowsOf(await search({ mitra: 'NUSANTARA' }))).toEqual([older.numberText]);
    expect(rowsOf(await search({ tahun: String(thisYear) }))).toEqual([entry.numberText]);
    expect(rowsOf(await search({ tahun: String(thisYear - 1) }))).toEqual([older.numberText]);
    expect(rowsOf(await search({ perihal: 'pengelolaan SAMPAH' }))).toEqual([entry.numberText]);
    expect(rowsOf(await search({ perihal: 'sampah', status: 'srikandi' }))).toEqual([]);
    // The plain page lists the recent entries, newest first.
    expect(rowsOf(await search({}))).toEqual([entry.numberText, older.numberText]);
  });

  it('keeps the form and names the problem when the search is not valid', async () => {
    const res = await web(rt, `/arsip?${new URLSearchParams({ tahun: '26', mitra: 'Sukamaju', status: 'x' })}`, {
      cookie: arsiparis().cookie,
    });

    expect(res.status).toBe(400);
    expect(res.text).toContain('Tahun harus empat angka antara 2000 dan 2100.');
    expect(res.text).toContain('Status register tidak dikenal');
    expect(res.text).toContain('value="Sukamaju"');
    expect(res.text).toContain('value="26"');
  });

  it('opens the entry with its register data, its case and the stored copies with their hashes', async () => {
    const res = await get(`/arsip/${entryId(entry.numberText)}`, PRINCIPALS.arsiparisKota);

    expect(res.status).toBe(200);
    const html = res.text;
    expect(html).toContain(entry.numberText);
    expect(html).toContain(MITRA);
    expect(html).toContain('2 Maret');
    expect(html).toContain('Asli PIHAK KESATU (bermeterai)');
    expect(html).toContain(`data-kasus="${caseId}"`);
    expect(html).toContain('SOP Penyusunan Naskah Kesepakatan Bersama');
    expect(html).toContain('Drs. Joko Susilo');
    for (const d of [signed, scan]) {
      expect(html).toContain(`data-dokumen="${d.docId}"`);
      expect(html).toContain(d.sha256);
      expect(html).toContain(`action="/arsip/unduh/${d.docId}"`);
      expect(html).toContain(`href="/verifikasi/${d.docId}"`);
    }
    expect(html).toContain('Riwayat unduhan');
  });

  it("reports each signature of the signed naskah on the entry as the verification page does, the scan's none", async () => {
    const html = (await get(`/arsip/${entryId(entry.numberText)}`, PRINCIPALS.arsiparisKota)).text;
    const block = html.slice(
      html.indexOf(`data-dokumen="${signed.docId}"`),
      html.indexOf(`data-dokumen="${scan.docId}"`),
    );
    const shown = block.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(block).toContain('data-tanda-tangan="1" data-sah="ya"');
    expect(block).toContain('data-sertifikasi="pengembangan"');
    expect(shown).toContain('Penanda tangan Dr. H. Ahmad Wijaya');
    expect(shown).toContain('Penerbit sertifikat Sepakat CA Pengembangan');
    expect(shown).toContain('Sertifikasi Sertifikat pengembangan — bukan BSrE');
    expect(shown).toContain('Rantai sertifikat ya Sampai ke CA pengembangan Sepakat — bukan BSrE');
    expect(shown).toContain('Tingkat PAdES PAdES B-B (tanpa cap waktu tepercaya)');
    expect(shown).toContain('Waktu yang dinyatakan penanda tangan');
    expect(shown).toContain('Dokumen terdaftar Tanda tangan ini bagian dari dokumen yang terdaftar.');
    expect(html).not.toContain('TTE tersertifikasi BSrE');
    // The scan of a paper copy is no signed PDF: no signature block.
    expect(html.match(/data-tanda-tangan=/g)).toHaveLength(1);
  });

  it('downloads the signed naskah through a short link and records who downloaded it', async () => {
    // Act
    const res = await download(`/arsip/unduh/${signed.docId}`, PRINCIPALS.arsiparisKota);

    // Assert: a presigned link that lives 5 minutes and returns exactly the recorded bytes.
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(new URL(location).searchParams.get('X-Amz-Expires')).toBe('300');
    const bytes = new Uint8Array(await (await fetch(location)).arrayBuffer());
    expect(sha256(bytes)).toBe(signed.sha256);
    expect(Buffer.from(bytes).equals(Buffer.from(signedBytes))).toBe(true);

    const downloads = (await rt.app.store.listHistory(caseId)).filter((e) => e.type === 'dokumen-diunduh');
    expect(downloads).toHaveLength(1);
    expect(downloads[0]!.who).toMatchObject({ id: PRINCIPALS.arsiparisKota.sub, nama: 'Dewi Lestari, A.Md.' });
    expect(downloads[0]!.detail).toMatchObject({
      docId: signed.docId,
      jenis: 'naskah-ditandatangani',
      nomor: entry.numberText,
      melalui: 'arsip',
      berlakuDetik: 300,
    });
    const page = await get(`/arsip/${entryId(entry.numberText)}`, PRINCIPALS.arsiparisKota);
    expect(page.text.match(/<tr data-unduhan>.*?<\/tr>/gs)?.join('')).toMatch(/Dewi Lestari, A\.Md\..*Konsol arsip/s);
  });

  it("shows another pemda's arsiparis nothing of this pemda, even by id", async () => {
    const blitar = PRINCIPALS.arsiparisBlitar;
    const before = (await rt.app.store.listHistory(caseId)).length;

    const search = await get(`/arsip?${new URLSearchParams({ nomor: entry.numberText })}`, blitar);
    const all = await get('/arsip', blitar);
    const page = await get(`/arsip/${entryId(entry.numberText)}`, blitar);
    const refused = await download(`/arsip/unduh/${signed.docId}`, blitar);
    const missing = await download(`/arsip/unduh/tidak-ada-${randomUUID()}`, blitar);

    expect(search.status).toBe(200);
    expect(rowsOf(search.text)).toEqual([]);
    expect(rowsOf(all.text)).toEqual([]);
    // Nothing searched: the page says the register has no entry, not that a search found none.
    expect(search.text).toContain('Tidak ada entri register yang cocok dengan pencarian ini.');
    expect(all.text).toMatch(/Belum ada entri di buku register untuk tahun \d{4}(–\d{4})?\./);
    expect(all.text).not.toContain('cocok dengan pencarian ini');
    expect(page.status).toBe(404);
    expect(refused.status).toBe(404);
    // The same answer as a document that does not exist: nothing tells them it is there.
    expect(mainOf(refused.text)).toBe(mainOf(missing.text));
    expect((await rt.app.store.listHistory(caseId)).length).toBe(before);
  });

  it("lets a pelaksana of another unit see the register but not the case's copies, and hides the downloads", async () => {
    const otherUnit = { ...PRINCIPALS.pelaksanaKota, sub: 'u-pelaksana-umum', unit: 'BAGIAN UMUM' };

    const list = await get(`/arsip?${new URLSearchParams({ nomor: entry.numberText })}`, otherUnit);
    const page = await get(`/arsip/${entryId(entry.numberText)}`, otherUnit);
    const refused = await download(`/arsip/unduh/${signed.docId}`, otherUnit);
    const staff = await get(`/arsip/${entryId(entry.numberText)}`, PRINCIPALS.pelaksanaKota);

    expect(rowsOf(list.text)).toEqual([entry.numberText]);
    expect(list.text).not.toContain(`/arsip/unduh/${signed.docId}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(signed.sha256);
    expect(page.text).toContain('2 dokumen lain dengan nomor ini tidak dapat dibuka');
    // Nor the case's summary (its pemohon, its status): that goes with the entry only for those who may see the case.
    expect(page.text).not.toContain(`data-kasus="${caseId}"`);
    expect(page.text).not.toContain('Drs. Joko Susilo');
    expect(refused.status).toBe(403);
    // The SOP's own staff open the copies; the download history is for archivists and admins.
    expect(staff.text).toContain(signed.sha256);
    expect(staff.text).not.toContain('Riwayat unduhan');
  });

  it('refuses a stored copy changed behind the product’s back: no link, no download recorded', async () => {
    // Arrange: another copy of the naskah, then its object overwritten directly in the bucket.
    const copy = (
      await rt.app.documents.store({
        caseId,
        pemdaId: PEMDA,
        kind: 'naskah-ditandatangani',
        purpose: `${caseId}#00013#salinan`,
        bucket: rt.app.config.SEPAKAT_BUCKET_DOCUMENTS,
        bytes: signedBytes,
        contentType: 'application/pdf',
        fileName: 'salinan.pdf',
        at: rt.app.runtimeClock.now(),
        nomor: entry.numberText,
      })
    ).record;
    await rt.app.clients.s3.send(
      new PutObjectCommand({
        Bucket: copy.bucket,
        Key: copy.key,
        Body: samplePdf('palsu'),
        ContentType: 'application/pdf',
      }),
    );
    const before = (await rt.app.store.listHistory(caseId)).length;

    // Act
    const res = await download(`/arsip/unduh/${copy.docId}`, PRINCIPALS.arsiparisKota);

    // Assert
    expect(res.status).toBe(409);
    expect(res.text).toContain('Berkas tidak utuh');
    expect(res.headers.get('location')).toBeNull();
    expect((await rt.app.store.listHistory(caseId)).length).toBe(before);
    // The entry still opens, and says the copy changed instead of verifying it.
    const page = await get(`/arsip/${entryId(entry.numberText)}`, PRINCIPALS.arsiparisKota);
    expect(page.status).toBe(200);
    const block = page.text.slice(page.text.indexOf(`data-dokumen="${copy.docId}"`));
    expect(block.slice(0, block.indexOf('class="aksi"'))).toContain(
      'Berkas di arsip berubah setelah disimpan (sidik SHA-256 tidak cocok).',
    );
  });

  it('refuses a pemohon and sends a visitor without a session to sign in', async () => {
    for (const path of ['/arsip', `/arsip/${entryId(entry.numberText)}`, `/arsip/unduh/${signed.docId}`]) {
      if (path.startsWith('/arsip/unduh/')) {
        expect((await download(path, PRINCIPALS.pemohonKota)).status, path).toBe(403);
        expect((await download(path)).status, path).toBe(401);
        continue;
      }
      expect((await get(path, PRINCIPALS.pemohonKota)).status, path).toBe(403);
      const anonymous = await get(path);
      expect(anonymous.status, path).toBe(303);
      expect(anonymous.headers.get('location')).toBe(`/masuk?lanjut=${encodeURIComponent(path)}`);
    }
    expect((await get(`/arsip/register.csv?tahun=${thisYear}`, PRINCIPALS.pemohonKota)).status).toBe(403);
  });

  it('exports the register of the year as CSV and as PDF', async () => {
    const csv = await get(`/arsip/register.csv?tahun=${thisYear}`, PRINCIPALS.arsiparisKota);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain(`register-kerja-sama-${PEMDA}-${thisYear}.csv`);
    expect(csv.text).toContain(entry.numberText);
    expect(csv.text).toContain(MITRA);
    expect(csv.text).not.toContain(older.numberText);

    // The PDF is printed by the render function (through the local Lambda API, as in AWS), kept under the scratch
    // prefix, and the POST answers a 303 to a short-lived link: no PDF in a Lambda payload or this response.
    const printed = await download('/arsip/register.pdf', PRINCIPALS.arsiparisKota);
    expect(printed.status).toBe(303);
    const link = new URL(printed.headers.get('location')!);
    expect(link.pathname).toMatch(/^\/sepakat-dokumen\/sementara\/cetak\/[0-9a-f-]{36}\.pdf$/);
    expect(link.searchParams.get('X-Amz-Expires')).toBe('300');
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`register-kerja-sama-${PEMDA}-${thisYear}.pdf`);
    const pdf = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(await pdfText(pdf)).toContain(entry.numberText);
    // A GET prints nothing (405), and the POST needs the session's CSRF token.
    expect((await get(`/arsip/register.pdf?tahun=${thisYear}`, PRINCIPALS.arsiparisKota)).status).toBe(405);
    const forged = await web(rt, '/arsip/register.pdf', { cookie: arsiparis().cookie, form: { _csrf: 'salah' } });
    expect(forged.status).toBe(403);

    const wrong = await get('/arsip/register.csv?tahun=dua-ribu', PRINCIPALS.arsiparisKota);
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Tahun harus empat angka');
  }, 60_000);

  it('shows the agreement status, the next due item and the addenda when the agreements are known', async () => {
    // The agreements module is another part of the app; its list is what this page reads (app.agreements).
    const adendum = formatNumber('000.5.4/{n:3}/KS/{tahun}', 99, thisYear);
    const app = rt.app as unknown as { agreements?: unknown };
    app.agreements = {
      list: async (pemdaId: string) =>
        pemdaId !== PEMDA
          ? []
          : [
              {
                nomor: entry.numberText,
                jenis: 'kesepakatan-bersama',
                perihal: PERIHAL,
                mitra: MITRA,
                caseId,
                status: 'berlaku',
                mulai: `${thisYear}-03-02`,
                berakhir: `${thisYear + 5}-03-01`,
                adendum: [adendum],
                berikutnya: {
                  jenis: 'laporan',
                  label: 'Laporan pelaksanaan semester I',
                  jatuhTempo: `${thisYear}-09-02`,
                },
              },
            ],
    };
    try {
      const { cookie } = arsiparis();
      const berlaku = await web(rt, '/arsip?keberlakuan=berlaku', { cookie });
      const berakhir = await web(rt, '/arsip?keberlakuan=berakhir', { cookie });
      const page = await web(rt, `/arsip/${entryId(entry.numberText)}`, { cookie });

      expect(rowsOf(berlaku.text)).toEqual([entry.numberText]);
      expect(berlaku.text).toContain('data-perjanjian="berlaku"');
      expect(berlaku.text).toContain('Laporan pelaksanaan semester I, 2 September');
      expect(rowsOf(berakhir.text)).toEqual([]);
      expect(page.text).toContain('Keberlakuan perjanjian');
      expect(page.text).toContain(`href="/arsip/${entryId(adendum)}"`);
    } finally {
      delete app.agreements;
    }
    // Without the agreements the filter is not offered, and asking for it is a clear error.
    const without = await web(rt, '/arsip?keberlakuan=berlaku', { cookie: arsiparis().cookie });
    expect(without.status).toBe(400);
    expect(without.text).toContain('Status perjanjian tidak dikenal');
  });
});
