import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf } from '../cli/drive.ts';
import { main } from '../cli/sepakat.ts';
import { ErrorNames, isSepakatError } from '../core/errors.ts';
import { formatNumber, yearOf, type RegisterEntry } from '../core/register/numbering.ts';
import { CSV_HEADERS } from '../core/register/register-csv.ts';
import type { DocumentRecord } from '../functions/adapters/document-store.ts';
import { Archive, type ArchiveHit } from '../core/documents/archive-search.ts';
import { registerCsv, registerPdf } from '../functions/documents/register-export.ts';
import { startTestRuntime } from './support/runtime.ts';

/**
 * The archive of signed copies and the register exports, on the real local services (dynalite, s3rver) and the
 * real Chromium: archivists find an agreement by number, partner, year or status, download a copy through a
 * short-lived link, and every download is in the case's history.
 */

const PEMDA = 'kota-contoh';
const SERIES = 'kesepakatan-bersama';
const PATTERN = '000.5.4/{n:3}/KS/{tahun}';
/** A 1 × 1 PNG (a scanned page, as far as the archive is concerned). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const ARSIPARIS = { id: 'staf-ks-2', nama: 'Nurul Hidayah, A.Md.', peran: 'Pengadministrasi Kerja Sama' };
const KASUBBAG = { id: 'kasubbag-ks', nama: 'Maya Sari, S.IP.', peran: 'Kepala Subbagian Kerjasama Dalam Negeri' };

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function pdfText(pdf: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

/** One stored copy: a distinct purpose per call, as the document worker gives each activation its own. */
type Rt = Awaited<ReturnType<typeof startTestRuntime>>;
const storeCopy = (
  rt: Rt,
  input: { caseId: string; nomor: string; kind: string; slot: string; bytes: Uint8Array; at: Date } & Partial<{
    asli: boolean;
    contentType: string;
    fileName: string;
    meta: Record<string, string>;
    bucket: string;
  }>,
) =>
  rt.app.documents.store({
    caseId: input.caseId,
    pemdaId: PEMDA,
    kind: input.kind,
    purpose: `${input.caseId}#00009#arsip#${input.slot}`,
    bucket: input.bucket ?? rt.app.config.SEPAKAT_BUCKET_ARCHIVE,
    bytes: input.bytes,
    contentType: input.contentType ?? 'application/pdf',
    fileName: input.fileName ?? `${input.slot}.pdf`,
    at: input.at,
    nomor: input.nomor,
    asli: input.asli ?? true,
    ...(input.meta ? { meta: input.meta } : {}),
  });

describe('the archive of signed copies', () => {
  let rt: Rt;
  let archive: Archive;
  const thisYear = yearOf(new Date(), 'WIB');
  const caseA = `kasus-sampah-${randomUUID().slice(0, 8)}`;
  const caseB = `kasus-magang-${randomUUID().slice(0, 8)}`;
  const caseC = `kasus-lama-${randomUUID().slice(0, 8)}`;
  let entryA: RegisterEntry;
  let entryB: RegisterEntry;
  let entryC: RegisterEntry;
  const scanA = samplePdf('Pindaian naskah Kesepakatan Bersama pengelolaan sampah');
  let scanRecordA: DocumentRecord;
  let newerScanA: DocumentRecord;
  let partnerA: DocumentRecord;
  let signedA: DocumentRecord;
  let scanRecordB: DocumentRecord;

  beforeAll(async () => {
    rt = await startTestRuntime();
    archive = new Archive({
      documents: rt.app.documents,
      register: rt.app.register,
      store: rt.app.store,
      clock: { now: () => new Date() },
      timeZone: (id) => rt.app.catalog.pemda(id).directory.data.pemda.jamKerja.timeZone,
    });
    const register = rt.app.register(PEMDA);
    // A: this year, signed and used; B: last year, still reserved; C: a SRIKANDI number from 7 years ago.
    await register.allocate({
      caseId: caseA,
      purpose: 'naskah',
      series: SERIES,
      parties: ['Pemerintah Kota Contoh', 'Pemerintah Kabupaten Sukamaju'],
      perihal: 'Pengelolaan Sampah Regional',
      by: 'Rizky Pratama, S.Sos.',
    });
    entryA = await register.markUsed(formatNumber(PATTERN, 1, thisYear), { dates: { signed: `${thisYear}-03-02` } });
    entryB = await register.allocate({
      caseId: caseB,
      purpose: 'naskah',
      series: SERIES,
      year: thisYear - 1,
      parties: ['Pemerintah Kota Contoh', 'Universitas Nusantara'],
      perihal: 'Magang mahasiswa di perangkat daerah',
    });
    entryC = await register.registerSrikandi({
      numberText: formatNumber(PATTERN, 77, thisYear - 7),
      series: SERIES,
      caseId: caseC,
      purpose: 'naskah',
      parties: ['Pemerintah Kota Contoh', 'Pemerintah Kabupaten Sukamaju'],
      perihal: 'Pengelolaan air bersih',
    });

    const t0 = Date.now() - 60_000;
    scanRecordA = (
      await storeCopy(rt, {
        caseId: caseA,
        nomor: entryA.numberText,
        kind: 'arsip-pindai',
        slot: 'pindai-1',
        bytes: scanA,
        at: new Date(t0),
        meta: { cara: 'pindaian' },
      })
    ).record;
    newerScanA = (
      await storeCopy(rt, {
        caseId: caseA,
        nomor: entryA.numberText,
        kind: 'arsip-pindai',
        slot: 'pindai-2',
        bytes: samplePdf('Pindaian lampiran'),
        at: new Date(t0 + 10_000),
        asli: false,
      })
    ).record;
    partnerA = (
      await storeCopy(rt, {
        caseId: caseA,
        nomor: entryA.numberText,
        kind: 'arsip-pindai',
        slot: 'naskah-mitra',
        bytes: samplePdf('Naskah yang ditandatangani mitra di atas kertas'),
        at: new Date(t0 + 20_000),
        asli: false,
        meta: { cara: 'kertas' },
      })
    ).record;
    signedA = (
      await storeCopy(rt, {
        caseId: caseA,
        nomor: entryA.numberText,
        kind: 'naskah-ditandatangani',
        slot: 'naskah',
        bytes: samplePdf('Naskah ditandatangani'),
        at: new Date(t0 + 5_000),
        bucket: rt.app.config.SEPAKAT_BUCKET_DOCUMENTS,
      })
    ).record;
    scanRecordB = (
      await storeCopy(rt, {
        caseId: caseB,
        nomor: entryB.numberText,
        kind: 'arsip-pindai',
        slot: 'pindai-1',
        bytes: PNG,
        at: new Date(t0),
        contentType: 'image/png',
        fileName: 'pindaian halaman 1.png',
      })
    ).record;
  }, 60_000);
  afterAll(async () => rt?.cleanup());

  const numbers = (items: ArchiveHit[]) => items.map((h) => h.entry.numberText);

  it('finds an agreement by its exact number, with its copies grouped and newest first', async () => {
    // Act
    const result = await archive.search({ pemdaId: PEMDA, nomor: `  ${entryA.numberText} ` });

    // Assert
    expect(numbers(result.items)).toEqual([entryA.numberText]);
    expect(result.truncated).toBe(false);
    const { copies } = result.items[0]!;
    expect(copies.signed.map((d) => d.docId)).toEqual([signedA.docId]);
    expect(copies.partner.map((d) => d.docId)).toEqual([partnerA.docId]);
    expect(copies.scans.map((d) => d.docId)).toEqual([newerScanA.docId, scanRecordA.docId]);
    expect(copies.scans.map((d) => d.asli)).toEqual([false, true]);
    expect(copies.other).toEqual([]);
  });

  it('finds agreements by partner, case-insensitively, and not the others', async () => {
    const nusantara = await archive.search({ pemdaId: PEMDA, mitra: 'universitas NUSANTARA' });
    expect(numbers(nusantara.items)).toEqual([entryB.numberText]);
    expect(nusantara.items[0]!.copies.scans.map((d) => d.fileName)).toEqual(['pindaian halaman 1.png']);

    // C is Sukamaju too, but seven years old: outside the default five years.
    const sukamaju = await archive.search({ pemdaId: PEMDA, mitra: 'sukamaju' });
    expect(numbers(sukamaju.items)).toEqual([entryA.numberText]);
    expect(sukamaju.years).toEqual([thisYear, thisYear - 1, thisYear - 2, thisYear - 3, thisYear - 4]);

    const perihal = await archive.search({ pemdaId: PEMDA, perihal: 'magang' });
    expect(numbers(perihal.items)).toEqual([entryB.numberText]);
    expect((await archive.search({ pemdaId: PEMDA, mitra: 'Kabupaten Antah' })).items).toEqual([]);
  });

  it('finds agreements by year: the last five by default, newest first, older ones when asked', async () => {
    expect(numbers((await archive.search({ pemdaId: PEMDA })).items)).toEqual([entryA.numberText, entryB.numberText]);
    expect(numbers((await archive.search({ pemdaId: PEMDA, tahun: thisYear - 1 })).items)).toEqual([entryB.numberText]);
    const old = await archive.search({ pemdaId: PEMDA, tahun: thisYear - 7 });
    expect(numbers(old.items)).toEqual([entryC.numberText]);
    expect(old.items[0]!.entry.status).toBe('srikandi');
    expect(old.items[0]!.copies).toEqual({ signed: [], partner: [], scans: [], riwayat: [], other: [] });
    // A number is found in any year, but an explicit year must agree with it.
    expect(numbers((await archive.search({ pemdaId: PEMDA, nomor: entryC.numberText })).items)).toEqual([
      entryC.numberText,
    ]);
    expect((await archive.search({ pemdaId: PEMDA, nomor: entryC.numberText, tahun: thisYear })).items).toEqual([]);
  });

  it('finds agreements by status', async () => {
    expect(numbers((await archive.search({ pemdaId: PEMDA, status: 'dipakai' })).items)).toEqual([entryA.numberText]);
    expect(numbers((await archive.search({ pemdaId: PEMDA, status: 'dicadangkan' })).items)).toEqual([
      entryB.numberText,
    ]);
    expect((await archive.search({ pemdaId: PEMDA, status: 'dipakai', mitra: 'universitas nusantara' })).items).toEqual(
      [],
    );
  });

  it('bounds the results and says when it cut them off', async () => {
    const result = await archive.search({ pemdaId: PEMDA, limit: 1 });
    expect(numbers(result.items)).toEqual([entryA.numberText]);
    expect(result).toMatchObject({ truncated: true, matched: 2 });
  });

  it('rejects a malformed search in Indonesian, naming the field', async () => {
    const error = await archive
      .search({ pemdaId: PEMDA, status: 'hilang' as never, tahun: 1999 })
      .catch((e: unknown) => e);
    expect(isSepakatError(error, ErrorNames.BadInput)).toBe(true);
    expect((error as Error).message).toMatch(/Status register harus salah satu dari: dicadangkan/);
    expect((error as Error).message).toMatch(/Tahun harus antara 2000 dan /);
  });

  it('gives a short-lived link that downloads the exact bytes, and logs the download', async () => {
    // Act
    const before = Date.now();
    const link = await archive.downloadLink(scanRecordA.docId, ARSIPARIS, 'Permintaan Inspektorat');

    // Assert
    expect(link.record.docId).toBe(scanRecordA.docId);
    expect(Date.parse(link.expiresAt) - before).toBeGreaterThanOrEqual(299_000);
    expect(Date.parse(link.expiresAt) - before).toBeLessThan(305_000);
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('300');
    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(sha256(bytes)).toBe(scanRecordA.sha256);
    expect(sha256(bytes)).toBe(sha256(scanA));

    const events = (await rt.app.store.listHistory(caseA)).filter((e) => e.type === 'dokumen-diunduh');
    expect(events).toHaveLength(1);
    expect(events[0]!.eventKey).toMatch(/^unduh#\d{4}-\d\d-\d\dT[\d:.]+Z#[0-9a-f]+$/);
    expect(events[0]!.who).toEqual({ id: ARSIPARIS.id, nama: ARSIPARIS.nama, jabatan: ARSIPARIS.peran });
    expect(events[0]!.detail).toEqual({
      docId: scanRecordA.docId,
      jenis: 'arsip-pindai',
      nomor: entryA.numberText,
      berlakuDetik: 300,
      alasan: 'Permintaan Inspektorat',
    });
  });

  it('logs every download: two downloads are two events, newest first, with who', async () => {
    // Act
    const first = await archive.downloadLink(scanRecordB.docId, ARSIPARIS);
    const second = await archive.downloadLink(scanRecordB.docId, KASUBBAG, 'Salinan untuk rapat evaluasi');

    // Assert
    for (const link of [first, second]) {
      const res = await fetch(link.url);
      expect(res.headers.get('content-disposition')).toContain('pindaian_halaman_1.png');
      expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(PNG));
    }
    const log = await archive.downloads(scanRecordB.docId);
    expect(log.map((d) => d.who)).toEqual([KASUBBAG, ARSIPARIS]);
    expect(log[0]).toMatchObject({ alasan: 'Salinan untuk rapat evaluasi', berlakuDetik: 300 });
    expect(log[1]!.alasan).toBeUndefined();
    expect(new Set(log.map((d) => d.eventKey)).size).toBe(2);
    // Another document of the same case is not in this document's log.
    expect(await archive.downloads(newerScanA.docId)).toEqual([]);
  });

  it('answers NotFound in Indonesian for an unknown document, and logs nothing', async () => {
    for (const attempt of [
      () => archive.downloadLink('tidak-ada-dokumen-ini', ARSIPARIS),
      () => archive.downloads('tidak-ada-dokumen-ini'),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(isSepakatError(error, ErrorNames.NotFound)).toBe(true);
      expect((error as Error).message).toBe('Dokumen tidak-ada-dokumen-ini tidak ditemukan di arsip');
    }
    const rejected = await archive
      .downloadLink(scanRecordA.docId, { ...ARSIPARIS, nama: '  ' })
      .catch((e: unknown) => e);
    expect(isSepakatError(rejected, ErrorNames.BadInput)).toBe(true);
    expect((rejected as Error).message).toBe('Nama pengunduh wajib diisi');
    expect((await rt.app.store.listHistory(caseA)).filter((e) => e.type === 'dokumen-diunduh')).toHaveLength(1);
  });

  it('never overwrites a stored copy: storing the same purpose again returns the first record', async () => {
    // Act
    const again = await storeCopy(rt, {
      caseId: caseA,
      nomor: entryA.numberText,
      kind: 'arsip-pindai',
      slot: 'pindai-1',
      bytes: samplePdf('Pindaian lain yang mencoba menimpa'),
      at: new Date(),
    });

    // Assert
    expect(again.created).toBe(false);
    expect(again.record).toEqual(scanRecordA);
    const link = await archive.downloadLink(scanRecordA.docId, ARSIPARIS, 'Pemeriksaan keutuhan');
    expect(sha256(new Uint8Array(await (await fetch(link.url)).arrayBuffer()))).toBe(sha256(scanA));
  });

  it('exports the register to PDF with real Chromium: numbers and parties on a landscape page', async () => {
    // Act
    const deps = { ...rt.app, clock: rt.app.runtimeClock };
    const pdf = await registerPdf(deps, { pemdaId: PEMDA, year: thisYear });
    const lastYear = await registerPdf(deps, { pemdaId: PEMDA, year: thisYear - 1, series: SERIES });

    // Assert
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const text = await pdfText(pdf);
    expect(text).toContain('BUKU REGISTER NASKAH KERJA SAMA');
    expect(text).toContain('PEMERINTAH KOTA CONTOH');
    expect(text).toContain(entryA.numberText);
    expect(text).toContain('Pemerintah Kabupaten Sukamaju');
    expect(text).toContain('Pengelolaan Sampah Regional');
    expect(text).toContain('Halaman 1 dari 1');
    expect(text).not.toContain('Universitas Nusantara');
    const [, , width, height] = (await (await getDocumentProxy(new Uint8Array(pdf))).getPage(1)).view;
    expect(width!).toBeGreaterThan(height!); // A4 landscape: 297 × 210 mm
    expect(Math.abs(width! - 841.9)).toBeLessThan(1.5);
    const lastYearText = await pdfText(lastYear);
    expect(lastYearText).toContain(entryB.numberText);
    expect(lastYearText).toContain('Universitas Nusantara');
    expect(lastYearText).toContain('Kesepakatan Bersama');
  });

  it('exports the register to CSV: a header row and one row per entry', async () => {
    const csv = await registerCsv(rt.app, { pemdaId: PEMDA, year: thisYear - 7 });
    const rows = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(rows[0]).toBe(CSV_HEADERS.join(';'));
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain(entryC.numberText);
    expect(rows[1]).toContain('Dari SRIKANDI');
    const thisYearRows = (await registerCsv(rt.app, { pemdaId: PEMDA, year: thisYear })).trimEnd().split('\r\n');
    expect(thisYearRows).toHaveLength(2);
    expect(thisYearRows[1]).toContain('Pemerintah Kota Contoh; Pemerintah Kabupaten Sukamaju');
  });

  it('prints HTML with JavaScript disabled, on the paper asked for', async () => {
    const html =
      '<!DOCTYPE html><html><head><style>@page { size: A5; }</style></head><body><p id="isi">Teks statis</p>' +
      '<script>document.getElementById("isi").textContent = "DIUBAH SKRIP";</script></body></html>';
    const pdf = await rt.app.renderer().printHtml(html, { paper: 'F4' });
    const text = await pdfText(pdf);
    expect(text).toContain('Teks statis');
    expect(text).not.toContain('DIUBAH SKRIP');
    const [, , width, height] = (await (await getDocumentProxy(new Uint8Array(pdf))).getPage(1)).view;
    expect(Math.abs(width! - 609.4)).toBeLessThan(1.5); // F4 portrait: 215 × 330 mm
    expect(Math.abs(height! - 935.4)).toBeLessThan(1.5);
  });

  it('serves archivists from the CLI: search, download with a logged link, the download log, the register', async () => {
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    const dir = mkdtempSync(join(tmpdir(), 'sepakat-ekspor-'));
    try {
      const run = (...args: string[]) => main([...args, '--data-dir', rt.dataDir], out);

      expect(await run('arsip', 'cari', '--pemda', PEMDA, '--mitra', 'SUKAMAJU')).toBe(0);
      expect(lines.join('\n')).toContain(entryA.numberText);
      expect(lines.join('\n')).toContain(scanRecordA.docId);
      expect(lines.join('\n')).not.toContain(entryB.numberText);

      const earlier = (await archive.downloads(scanRecordB.docId)).length;
      lines.length = 0;
      expect(await run('arsip', 'unduh', scanRecordB.docId, '--oleh', 'Rizky Pratama', '--alasan', 'Uji CLI')).toBe(0);
      const url = lines.find((l) => l.startsWith('http'))!;
      expect(sha256(new Uint8Array(await (await fetch(url)).arrayBuffer()))).toBe(sha256(PNG));

      lines.length = 0;
      expect(await run('arsip', 'riwayat', scanRecordB.docId)).toBe(0);
      expect(lines[0]).toMatch(new RegExp(`^${earlier + 1} unduhan`));
      expect(lines[3]).toContain('Rizky Pratama'); // newest first, under the header and its rule

      lines.length = 0;
      const csvFile = join(dir, 'register.csv');
      expect(await run('register', '--pemda', PEMDA, '--tahun', String(thisYear), '--csv', csvFile)).toBe(0);
      expect(readFileSync(csvFile, 'utf8')).toContain(entryA.numberText);
      expect(await run('register', '--pemda', PEMDA, '--tahun', String(thisYear - 1))).toBe(0);
      expect(lines.join('\n')).toContain(entryB.numberText);

      expect(await run('arsip', 'unduh', scanRecordB.docId)).toBe(2); // who downloads is required
      expect(await run('register', '--pemda', PEMDA, '--tahun', '26')).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
