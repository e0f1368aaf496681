import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSepakatError, ErrorNames, SepakatError } from '../core/errors.ts';
import {
  agedThrough,
  classifyHoles,
  compilePattern,
  defaultPattern,
  describePattern,
  formatNumber,
  keepObservations,
  NumberingConfigSchema,
  parseNumber,
  yearOf,
  type NumberingConfig,
  type RegisterEntry,
  type RegisterFaultPoint,
  type RegisterFaults,
} from '../core/register/numbering.ts';
import { CSV_HEADERS, registerToCsv } from '../core/register/register-csv.ts';
import { registerPrintView } from '../core/register/register-print.ts';
import { DynamoDbRegisterStore } from '../functions/adapters/register-store.ts';
import { registerTableDefinitions } from '../functions/adapters/register-tables.ts';
import { ExportTemplates } from '../functions/render/templates.ts';
import {
  ensureTables,
  localDynamoClientConfig,
  startLocalDynamoDb,
  type LocalDynamoDb,
} from '../local/dynamodb/local-dynamodb.ts';
import { readCsv } from './support/csv.ts';

const PKS = '000.5.4/{n}/409.1.1/{tahun}';
const KB = '000.5.3/{n:3}/409.1.1/KB/{tahun}';
const NUMBERING: NumberingConfig = NumberingConfigSchema.parse({
  series: {
    pks: { pattern: PKS, label: 'Perjanjian Kerja Sama' },
    kb: { pattern: KB, label: 'Kesepakatan Bersama' },
  },
});

function entry(partial: Partial<RegisterEntry>): RegisterEntry {
  return {
    pemdaId: 'kota-contoh',
    series: 'pks',
    year: 2026,
    n: 1,
    numberText: formatNumber(PKS, partial.n ?? 1, 2026),
    status: 'dicadangkan',
    source: 'sepakat',
    parties: [],
    dates: {},
    reservedAt: '2026-11-23T03:00:00.000Z',
    updatedAt: '2026-11-23T03:00:00.000Z',
    ...partial,
  };
}

describe('numbering patterns', () => {
  it('formats numbers: default pattern, zero padding, a pemda pattern with text', () => {
    expect(defaultPattern({ kodeKlasifikasi: '000.5.4', kodeUnit: '409.1.1' })).toBe(PKS);
    expect(formatNumber(PKS, 123, 2026)).toBe('000.5.4/123/409.1.1/2026');
    expect(formatNumber(KB, 7, 2026)).toBe('000.5.3/007/409.1.1/KB/2026');
    expect(formatNumber(KB, 1234, 2027)).toBe('000.5.3/1234/409.1.1/KB/2027');
    expect(formatNumber('T/900.04.03/{n}/409.1.1/SOP AP/{tahun}', 2, 2026)).toBe('T/900.04.03/2/409.1.1/SOP AP/2026');
    expect(describePattern(PKS)).toBe('000.5.4/[nomor urut]/409.1.1/[tahun]');
    expect(() => formatNumber(PKS, 0, 2026)).toThrow(RangeError);
  });

  it('parses what it formats, and explains in Indonesian what does not fit', () => {
    for (const [pattern, n] of [
      [PKS, 1],
      [PKS, 45678],
      [KB, 9],
      [KB, 1000],
    ] as const)
      expect(parseNumber(pattern, formatNumber(pattern, n, 2026))).toEqual({
        ok: true,
        n,
        year: 2026,
        text: formatNumber(pattern, n, 2026),
      });
    expect(parseNumber(PKS, '  000.5.4/12/409.1.1/2026\u00a0')).toMatchObject({ ok: true, n: 12 });

    const error = (pattern: string, text: string) => {
      const parsed = parseNumber(pattern, text);
      if (parsed.ok) throw new Error(`"${text}" diterima`);
      return parsed.error;
    };
    expect(error(PKS, '')).toBe('Nomor naskah wajib diisi.');
    expect(error(PKS, '000.5.3/12/409.1.1/2026')).toMatch(/tidak sesuai format: seharusnya diawali "000\.5\.4\/"/);
    expect(error(PKS, '000.5.3/12/409.1.1/2026')).toContain(
      'Format: 000.5.4/[nomor urut]/409.1.1/[tahun], contoh: 000.5.4/12/409.1.1/2026.',
    );
    expect(error(PKS, '000.5.4/012/409.1.1/2026')).toMatch(/tidak boleh diawali nol \(seharusnya "12"\)/);
    expect(error(PKS, '000.5.4/0/409.1.1/2026')).toMatch(/nomor urut 0 di luar/);
    expect(error(PKS, '000.5.4/x/409.1.1/2026')).toMatch(/nomor urut \(angka\) tidak ditemukan/);
    expect(error(PKS, '000.5.4/12/409.1.2/2026')).toMatch(/setelah "000\.5\.4\/12" seharusnya "\/409\.1\.1\/"/);
    expect(error(PKS, '000.5.4/12/409.1.1/26')).toMatch(/tahun \(4 angka\) tidak ditemukan/);
    expect(error(PKS, '000.5.4/12/409.1.1/1999')).toMatch(/tahun 1999 di luar 2000–2100/);
    expect(error(PKS, '000.5.4/12/409.1.1/2026/A')).toMatch(/ada teks berlebih "\/A" di akhir/);
    expect(error(KB, '000.5.3/7/409.1.1/KB/2026')).toMatch(/ditulis 3 angka dengan nol di depan \(seharusnya "007"\)/);
  });

  it('rejects patterns that cannot be read back one way', () => {
    const why = (pattern: string) => {
      const result = compilePattern(pattern);
      return result.ok ? 'ok' : result.error;
    };
    expect(why(PKS)).toBe('ok');
    expect(why('000.5.4/409.1.1/{tahun}')).toMatch(/tepat satu \{n\}/);
    expect(why('{n}/{n}/{tahun}')).toMatch(/tepat satu \{n\}/);
    expect(why('000/{n}/409')).toMatch(/tepat satu \{tahun\}/);
    expect(why('000/{nomor}/{tahun}')).toMatch(/isian \{nomor\} tidak dikenal/);
    expect(why('000/{n}{tahun}')).toMatch(/tidak boleh berdampingan/);
    expect(why('000.{n}1/{tahun}')).toMatch(/pemisah yang bukan angka/);
    expect(why('0{n}/{tahun}')).toMatch(/pemisah yang bukan angka/);
    expect(why('000/{n}/{tahun')).toMatch(/kurung kurawal/);

    expect(
      NumberingConfigSchema.safeParse({ series: { pks: { pattern: '{x}/{tahun}', label: 'PKS' } } }).error?.issues[0]
        ?.message,
    ).toMatch(/isian \{x\} tidak dikenal/);
    const twins = NumberingConfigSchema.safeParse({
      series: { a: { pattern: 'X/{n}/{tahun}', label: 'A' }, b: { pattern: 'X/{n:2}/{tahun}', label: 'B' } },
    });
    expect(twins.error?.issues[0]?.message).toMatch(/pola sama dengan seri "a"/);
    expect(NumberingConfigSchema.safeParse({ series: {} }).success).toBe(false);
  });

  it('takes the year on the pemda clock, and sorts holes by age', () => {
    expect(yearOf(new Date('2026-12-31T17:30:00Z'), 'WIB')).toBe(2027);
    expect(yearOf(new Date('2026-12-31T16:30:00Z'), 'WIB')).toBe(2026);
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 23, 3, minute)).toISOString();
    const ms = (minute: number) => Date.parse(at(minute));
    expect(agedThrough({ last: 5, lastAt: at(0) }, ms(0) + 1)).toBe(5);
    expect(agedThrough({ last: 5, lastAt: at(0) }, ms(0))).toBe(0);
    const busy = {
      last: 9,
      lastAt: at(30),
      seen: [
        { last: 4, at: at(5) },
        { last: 7, at: at(20) },
      ],
    };
    expect([agedThrough(busy, ms(10)), agedThrough(busy, ms(25)), agedThrough(busy, ms(31))]).toEqual([4, 7, 9]);
    expect(classifyHoles(6, new Set([1, 3]), 4)).toEqual({ old: [2, 4], young: [5, 6] });
    // Observations stay few: the newest old one, young ones a quarter of the grace period apart.
    expect(keepObservations(busy.seen, { last: 9, at: at(30) }, ms(15))).toEqual([
      { last: 4, at: at(5) },
      { last: 7, at: at(20) },
      { last: 9, at: at(30) },
    ]);
    expect(keepObservations(busy.seen, { last: 9, at: at(30) }, ms(25))).toEqual([
      { last: 7, at: at(20) },
      { last: 9, at: at(30) },
    ]);
    expect(keepObservations(busy.seen, { last: 9, at: at(21) }, ms(6))).toEqual(busy.seen);
    expect(keepObservations(busy.seen, { last: 7, at: at(40) }, ms(10))).toEqual(busy.seen);
  });
});

describe('exports', () => {
  const tricky = entry({
    n: 3,
    numberText: '000.5.4/3/409.1.1/2026',
    status: 'dipakai',
    caseId: '20261123-abc',
    purpose: 'pks',
    parties: ['Pemerintah Kota Contoh', 'PT "Maju, Jaya" Tbk'],
    perihal: 'Pengelolaan air bersih,\r\nbaris kedua',
    dates: { document: '2026-11-20', signed: '2026-11-23' },
    original: { location: 'Lemari arsip A, rak 2', copy: 'Asli PIHAK KESATU', recordedAt: '2026-11-24T02:00:00Z' },
    usedAt: '2026-11-23T09:15:00.000Z',
  });
  const voided = entry({
    n: 4,
    status: 'dibatalkan',
    voidReason: 'alokasi terputus',
    voidCode: 'alokasi-terputus',
    perihal: '=HYPERLINK("http://x")',
  });

  it('writes CSV for Indonesian Excel with a BOM and Indonesian headers that reads back', () => {
    const csv = registerToCsv([tricky, voided]);
    expect(csv.startsWith('\uFEFFNo.;Nomor Naskah;Seri;')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = readCsv(csv.slice(1));
    expect(rows[0]).toEqual([...CSV_HEADERS]);
    expect(rows).toHaveLength(3);
    const col = (name: (typeof CSV_HEADERS)[number]) => CSV_HEADERS.indexOf(name);
    expect(rows[1]![col('Nomor Naskah')]).toBe('000.5.4/3/409.1.1/2026');
    expect(rows[1]![col('Para Pihak')]).toBe('Pemerintah Kota Contoh; PT "Maju, Jaya" Tbk');
    expect(rows[1]![col('Perihal')]).toBe('Pengelolaan air bersih,\r\nbaris kedua');
    expect(rows[1]![col('Status')]).toBe('Dipakai');
    expect(rows[1]![col('Dipakai Pada')]).toBe('23/11/2026 16:15');
    expect(rows[1]![col('Tanggal Naskah')]).toBe('20/11/2026');
    expect(rows[1]![col('Tanggal Penandatanganan')]).toBe('23/11/2026');
    expect(rows[1]![col('Tempat Penyimpanan Naskah Asli')]).toBe('Lemari arsip A, rak 2');
    expect(rows[2]![col('Alasan Pembatalan')]).toBe('alokasi terputus');
    // A cell a spreadsheet would run as a formula is made inert.
    expect(rows[2]![col('Perihal')]).toBe(`'=HYPERLINK("http://x")`);
  });

  it('prints an HTML register in Bahasa Indonesia from its template, with everything escaped', () => {
    const view = registerPrintView(
      [tricky, voided, entry({ n: 5, parties: ['<script>alert(1)</script>'] })],
      { kop: ['PEMERINTAH KOTA CONTOH', 'SEKRETARIAT DAERAH'], alamat: 'Jalan Merdeka No. 1' },
      { subtitle: 'Tahun 2026', printedAt: new Date('2026-11-24T03:04:00Z'), seriesLabels: { pks: 'PKS' } },
    );
    const html = new ExportTemplates().page('register', view);
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="id">/);
    expect(html).toContain('<div>PEMERINTAH KOTA CONTOH</div>');
    expect(html).toContain('BUKU REGISTER NASKAH KERJA SAMA');
    expect(html).toContain('<th>Tempat Penyimpanan Naskah Asli</th>');
    expect(html).toContain('Ditandatangani: 23 November 2026');
    expect(html).toContain('PT &quot;Maju, Jaya&quot; Tbk');
    expect(html).toContain('Alasan pembatalan: alokasi terputus');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('Jumlah 3 nomor: 1 dipakai, 1 dicadangkan, 1 dibatalkan, 0 dari SRIKANDI.');
    expect(html).toContain('Dicetak pada 24 November 2026 pukul 10.04 WIB.');
  });
});

describe('register on DynamoDB (dynalite)', () => {
  let dataDir: string;
  let dynamo: LocalDynamoDb;
  let client: DynamoDBClient;
  const tables = { register: 'sepakat-register-uji' };
  let clockMs = Date.parse('2026-11-23T03:00:00.000Z');
  const clock = { now: () => new Date(clockMs) };

  const storeFor = (pemdaId: string, faults?: RegisterFaults) =>
    new DynamoDbRegisterStore(client, tables, { pemdaId, numbering: NUMBERING, clock, ...(faults ? { faults } : {}) });

  const counterOf = async (pemdaId: string, series: string, year: number) => {
    const out = await DynamoDBDocumentClient.from(client).send(
      new GetCommand({
        TableName: tables.register,
        Key: { pk: `${pemdaId}#seri#${series}#${year}`, sk: '#penghitung' },
        ConsistentRead: true,
      }),
    );
    return (out.Item?.last as number | undefined) ?? 0;
  };

  const rejection = async (promise: Promise<unknown>): Promise<SepakatError> => {
    try {
      await promise;
    } catch (error) {
      if (error instanceof SepakatError) return error;
      throw error;
    }
    throw new Error('tidak ditolak');
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sepakat-register-'));
    dynamo = await startLocalDynamoDb({ dataDir, port: 0 });
    // 1,000 requests at once queue behind the 50 sockets on purpose: no warning about it.
    client = new DynamoDBClient({
      ...localDynamoClientConfig(dynamo.endpoint),
      requestHandler: { socketAcquisitionWarningTimeout: 120_000 },
    });
    await ensureTables(client, registerTableDefinitions(tables));
  });

  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives a case and purpose one number: a re-run returns it, the next purpose gets the next', async () => {
    const store = storeFor('pemda-satu');
    const input = {
      caseId: '20261123-aaa',
      purpose: 'pks',
      series: 'pks',
      parties: ['Pemerintah Kota Contoh', 'Pemerintah Kabupaten Mitra'],
      perihal: 'Penyelenggaraan pemerintahan',
      dates: { document: '2026-11-23' },
    };
    const first = await store.allocate(input);
    expect(first).toMatchObject({ n: 1, year: 2026, numberText: '000.5.4/1/409.1.1/2026', status: 'dicadangkan' });
    expect(await store.allocate(input)).toEqual(first);
    expect((await store.allocate({ ...input, purpose: 'pks#2' })).n).toBe(2);
    expect((await store.allocate({ ...input, series: 'kb', purpose: 'kb' })).numberText).toBe(
      '000.5.3/001/409.1.1/KB/2026',
    );
    expect((await rejection(store.allocate({ ...input, series: 'kb' }))).code).toBe('SeriBerbeda');
    expect((await rejection(store.allocate({ ...input, series: 'sk', purpose: 'x' }))).name).toBe(ErrorNames.BadInput);

    // Used, original kept, read back by its text.
    const used = await store.markUsed(first.numberText, { dates: { signed: '2026-11-25' }, by: 'staf-ks-1' });
    expect(used).toMatchObject({ status: 'dipakai', dates: { document: '2026-11-23', signed: '2026-11-25' } });
    expect(await store.markUsed(first.numberText)).toMatchObject({ status: 'dipakai', usedAt: used.usedAt });
    const kept = await store.setOriginalLocation(first.numberText, {
      location: 'Lemari arsip Bagian Kerjasama, rak 2',
      copy: 'Asli PIHAK KESATU',
    });
    expect(kept.original).toMatchObject({
      location: 'Lemari arsip Bagian Kerjasama, rak 2',
      copy: 'Asli PIHAK KESATU',
    });
    expect(await store.get(' 000.5.4/1/409.1.1/2026 ')).toEqual(kept);
    expect(await store.allocate(input)).toEqual(kept);
    expect((await rejection(store.voidNumber(first.numberText, 'salah ketik'))).code).toBe('NomorSudahDipakai');

    // Voided with a reason; the purpose's number is not handed out again.
    expect((await rejection(store.voidNumber('000.5.4/2/409.1.1/2026', '  '))).code).toBe('AlasanKosong');
    const voided = await store.voidNumber('000.5.4/2/409.1.1/2026', 'naskah batal ditandatangani', 'kabag-ks');
    expect(voided).toMatchObject({
      status: 'dibatalkan',
      voidReason: 'naskah batal ditandatangani',
      voidedBy: 'kabag-ks',
    });
    expect((await store.voidNumber('000.5.4/2/409.1.1/2026', 'lain')).voidReason).toBe('naskah batal ditandatangani');
    expect((await rejection(store.allocate({ ...input, purpose: 'pks#2' }))).code).toBe('NomorDibatalkan');
    expect((await rejection(store.markUsed('000.5.4/2/409.1.1/2026'))).code).toBe('NomorDibatalkan');
    expect((await rejection(store.markUsed('000.5.4/99/409.1.1/2026'))).name).toBe(ErrorNames.NotFound);
    expect(await store.get('000.5.4/99/409.1.1/2026')).toBeUndefined();

    // Lists: by series, by status, in pages.
    expect((await store.listAll({ year: 2026, series: 'pks' })).map((e) => e.n)).toEqual([1, 2]);
    expect((await store.listAll({ year: 2026, status: 'dibatalkan' })).map((e) => e.numberText)).toEqual([
      '000.5.4/2/409.1.1/2026',
    ]);
    const page1 = await store.list({ year: 2026, limit: 1 });
    expect(page1.items).toHaveLength(1);
    const rest = await store.listAll({ year: 2026 });
    expect(rest.map((e) => e.numberText)).toEqual([
      '000.5.4/1/409.1.1/2026',
      '000.5.4/2/409.1.1/2026',
      '000.5.3/001/409.1.1/KB/2026',
    ]);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ year: 2026, limit: 1, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((e) => e.numberText));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(rest.map((e) => e.numberText));
    expect((await rejection(store.list({ year: 2026, cursor: 'rusak' }))).code).toBe('KursorTidakValid');
  });

  it('takes the year from the pemda clock (WIB) and keeps one sequence per year', async () => {
    const store = storeFor('pemda-tahun');
    clockMs = Date.parse('2026-12-31T16:59:59.000Z');
    const lastOf2026 = await store.allocate({ caseId: 'c1', purpose: 'pks', series: 'pks' });
    clockMs = Date.parse('2026-12-31T17:00:00.000Z');
    const firstOf2027 = await store.allocate({ caseId: 'c2', purpose: 'pks', series: 'pks' });
    expect([lastOf2026.numberText, firstOf2027.numberText]).toEqual([
      '000.5.4/1/409.1.1/2026',
      '000.5.4/1/409.1.1/2027',
    ]);
    // A re-run in the new year returns the number of the first run.
    expect((await store.allocate({ caseId: 'c1', purpose: 'pks', series: 'pks' })).numberText).toBe(
      '000.5.4/1/409.1.1/2026',
    );
    clockMs = Date.parse('2026-11-23T03:00:00.000Z');
  });

  it('checks SRIKANDI numbers for format and uniqueness, outside the sequence', async () => {
    const store = storeFor('pemda-srikandi');
    const own = await store.allocate({ caseId: 'k1', purpose: 'pks', series: 'pks' });

    const badFormat = await rejection(store.registerSrikandi({ numberText: '000.5.4/07/409.1.1/2026', series: 'pks' }));
    expect(badFormat.name).toBe(ErrorNames.BadInput);
    expect(badFormat.code).toBe('FormatNomor');
    expect(badFormat.message).toBe(
      'Nomor "000.5.4/07/409.1.1/2026" tidak sesuai format: nomor urut tidak boleh diawali nol (seharusnya "7"). ' +
        'Format: 000.5.4/[nomor urut]/409.1.1/[tahun], contoh: 000.5.4/12/409.1.1/2026.',
    );

    const srikandi = await store.registerSrikandi({
      numberText: '000.5.4/7/409.1.1/2026',
      series: 'pks',
      caseId: 'k2',
      purpose: 'pks',
      parties: ['Pemerintah Kota Contoh', 'Universitas Contoh'],
      perihal: 'Tri dharma perguruan tinggi',
    });
    expect(srikandi).toMatchObject({ status: 'srikandi', source: 'srikandi', n: 7, year: 2026 });
    // The same case and purpose entering it again: the same entry.
    expect(
      await store.registerSrikandi({
        numberText: '000.5.4/7/409.1.1/2026',
        series: 'pks',
        caseId: 'k2',
        purpose: 'pks',
      }),
    ).toEqual(srikandi);

    const twice = await rejection(
      store.registerSrikandi({ numberText: '000.5.4/7/409.1.1/2026', series: 'pks', caseId: 'k3', purpose: 'pks' }),
    );
    expect(twice.code).toBe('NomorGanda');
    expect(twice.message).toBe(
      'Nomor 000.5.4/7/409.1.1/2026 sudah tercatat di register (dari SRIKANDI, kasus k2); satu nomor tidak boleh dipakai dua kali.',
    );
    const ours = await rejection(store.registerSrikandi({ numberText: own.numberText, series: 'pks' }));
    expect(ours.message).toBe(
      'Nomor 000.5.4/1/409.1.1/2026 sudah tercatat di register (nomor dari Sepakat, seri "pks", kasus k1); satu nomor tidak boleh dipakai dua kali.',
    );

    // Not part of the sequence: the next own number is 2. A SRIKANDI number the sequence reaches later is skipped
    // (its n is voided as a collision, the allocation takes the next).
    await store.registerSrikandi({ numberText: '000.5.4/3/409.1.1/2026', series: 'pks' });
    expect((await store.allocate({ caseId: 'k4', purpose: 'pks', series: 'pks' })).n).toBe(2);
    const afterCollision = await store.allocate({ caseId: 'k5', purpose: 'pks', series: 'pks' });
    expect(afterCollision.n).toBe(4);
    const sequence = await store.listAll({ year: 2026, series: 'pks' });
    expect(sequence.map((e) => [e.numberText, e.status, e.voidReason])).toEqual([
      ['000.5.4/1/409.1.1/2026', 'dicadangkan', undefined],
      ['000.5.4/2/409.1.1/2026', 'dicadangkan', undefined],
      ['000.5.4/3/409.1.1/2026', 'dibatalkan', 'nomor sudah tercatat di register'],
      ['000.5.4/4/409.1.1/2026', 'dicadangkan', undefined],
      ['000.5.4/3/409.1.1/2026', 'srikandi', undefined],
      ['000.5.4/7/409.1.1/2026', 'srikandi', undefined],
    ]);
    expect((await store.get('000.5.4/3/409.1.1/2026'))?.status).toBe('srikandi');
    // A SRIKANDI number mis-entered is voided with a reason.
    expect((await store.voidNumber('000.5.4/3/409.1.1/2026', 'salah input')).status).toBe('dibatalkan');
  });

  it('sweeps holes only once they are older than the grace period', async () => {
    const crash: RegisterFaults = {
      point: (name) => {
        if (name === 'after-counter') throw new Error('crash');
      },
    };
    await expect(
      storeFor('pemda-lubang', crash).allocate({ caseId: 'h1', purpose: 'pks', series: 'pks' }),
    ).rejects.toThrow('crash');
    const store = storeFor('pemda-lubang');
    const young = await store.sweepHoles({ olderThan: new Date(clockMs) });
    expect(young).toMatchObject({ sequences: 1, voided: [], young: 1 });
    expect(await store.listAll({ year: 2026 })).toEqual([]);
    const swept = await store.sweepHoles({ olderThan: new Date(clockMs + 1000) });
    expect(swept.voided).toEqual([{ series: 'pks', year: 2026, n: 1, numberText: '000.5.4/1/409.1.1/2026' }]);
    expect((await store.sweepHoles({ olderThan: new Date(clockMs + 1000) })).voided).toEqual([]);
    // The interrupted allocation, run again, gets the next number; the hole stays voided with its reason.
    expect((await store.allocate({ caseId: 'h1', purpose: 'pks', series: 'pks' })).n).toBe(2);
    expect((await store.get('000.5.4/1/409.1.1/2026'))?.voidReason).toBe('alokasi terputus');
  });

  it('dates the holes of a counter that never goes quiet by the sweeps that saw them', async () => {
    const t0 = clockMs;
    const minute = 60_000;
    const crash: RegisterFaults = {
      point: (name) => {
        if (name === 'after-counter') throw new Error('crash');
      },
    };
    await expect(
      storeFor('pemda-sibuk', crash).allocate({ caseId: 'b1', purpose: 'pks', series: 'pks' }),
    ).rejects.toThrow('crash');
    const store = storeFor('pemda-sibuk');
    clockMs = t0 + 20 * minute;
    await store.allocate({ caseId: 'b2', purpose: 'pks', series: 'pks' });
    clockMs = t0 + 21 * minute;
    // The hole is 21 minutes old, but the counter moved 1 minute ago: nothing proves its age yet.
    expect(await store.sweepHoles({ olderThan: new Date(clockMs - 15 * minute) })).toMatchObject({
      voided: [],
      young: 1,
    });
    clockMs = t0 + 30 * minute;
    await store.allocate({ caseId: 'b3', purpose: 'pks', series: 'pks' });
    clockMs = t0 + 37 * minute;
    // The sweep at minute 21 saw the counter at 2: n = 1 existed then, more than 15 minutes ago.
    const swept = await store.sweepHoles({ olderThan: new Date(clockMs - 15 * minute) });
    expect(swept.voided.map((v) => v.n)).toEqual([1]);
    expect((await store.listAll({ year: 2026 })).map((e) => [e.n, e.status])).toEqual([
      [1, 'dibatalkan'],
      [2, 'dicadangkan'],
      [3, 'dicadangkan'],
    ]);
    clockMs = t0;
  });

  it('never hands out a number a sweep voided under a stalled allocation', async () => {
    for (const stallAt of ['after-counter', 'after-claim'] as RegisterFaultPoint[]) {
      const pemdaId = `pemda-macet-${stallAt}`;
      let release!: () => void;
      let stalled!: () => void;
      const isStalled = new Promise<void>((r) => (stalled = r));
      const gate = new Promise<void>((r) => (release = r));
      const slow: RegisterFaults = {
        point: async (name) => {
          if (name !== stallAt) return;
          stalled();
          await gate;
        },
      };
      const pending = storeFor(pemdaId, slow).allocate({ caseId: 's1', purpose: 'pks', series: 'pks' });
      await isStalled;
      // Far past the grace period the number looks abandoned and is voided…
      const swept = await storeFor(pemdaId).sweepHoles({ olderThan: new Date(clockMs + 3_600_000) });
      expect(swept.voided.map((v) => v.n)).toEqual([1]);
      // …and the allocation, resuming, does not return it: it takes a fresh number.
      release();
      const result = await pending;
      expect(result).toMatchObject({ n: 2, status: 'dicadangkan', key: 's1#pks' });
      const store = storeFor(pemdaId);
      expect((await store.listAll({ year: 2026 })).map((e) => [e.n, e.status, e.voidReason])).toEqual([
        [1, 'dibatalkan', 'alokasi terputus'],
        [2, 'dicadangkan', undefined],
      ]);
      expect(await store.allocate({ caseId: 's1', purpose: 'pks', series: 'pks' })).toEqual(result);
    }
  });

  it('1,000 concurrent allocations with crashes: distinct, gapless, every gap voided with a reason', async () => {
    const pemdaId = 'pemda-beban';
    const KEYS = 200;
    const CALLS = 1000;
    let seed = 20261123;
    const random = () => {
      // mulberry32: the same crash plan on every run.
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    class Crash extends Error {}
    const calls = Array.from({ length: CALLS }, (_, i) => {
      const k = i % KEYS;
      const r = random();
      const crashAt: RegisterFaultPoint | undefined =
        r < 0.1 ? 'after-counter' : r < 0.2 ? 'after-claim' : r < 0.25 ? 'after-text' : undefined;
      return {
        input: { caseId: `kasus-${k}`, purpose: 'naskah', series: k % 2 ? 'kb' : 'pks', perihal: `Perihal ${k}` },
        crashAt,
      };
    });

    const started = Date.now();
    const outcomes = await Promise.all(
      calls.map(({ input, crashAt }) => {
        const faults: RegisterFaults = {
          point: (name) => {
            if (name === crashAt) throw new Crash(name);
          },
        };
        return storeFor(pemdaId, faults)
          .allocate(input)
          .then(
            (entry) => ({ entry, crashed: false }),
            (error: unknown) => {
              if (!(error instanceof Crash)) throw error;
              return { entry: undefined, crashed: true };
            },
          );
      }),
    );
    const interrupted = calls.filter((_, i) => outcomes[i]!.crashed);
    expect(interrupted.length).toBeGreaterThan(150);

    // The interrupted ones run again (no faults), all at once, then the sweep.
    const store = storeFor(pemdaId);
    const reruns = await Promise.all(interrupted.map(({ input }) => store.allocate(input)));
    const report = await store.sweepHoles({ olderThan: new Date(clockMs + 1000) });
    const elapsed = Date.now() - started;

    const numberOfKey = new Map<string, Set<string>>();
    for (const e of [...outcomes.flatMap((o) => (o.entry ? [o.entry] : [])), ...reruns]) {
      const set = numberOfKey.get(e.key!) ?? new Set();
      set.add(e.numberText);
      numberOfKey.set(e.key!, set);
    }
    // Every key has exactly one number, and no two keys share one.
    expect(numberOfKey.size).toBe(KEYS);
    for (const set of numberOfKey.values()) expect(set.size).toBe(1);
    const given = [...numberOfKey.values()].map((s) => [...s][0]!);
    expect(new Set(given).size).toBe(KEYS);

    const reasons = new Map<string, number>();
    for (const series of ['pks', 'kb']) {
      const entries = await store.listAll({ year: 2026, series });
      const max = await counterOf(pemdaId, series, 2026);
      // Every n from 1 to the highest issued has exactly one entry.
      expect(entries.map((e) => e.n)).toEqual(Array.from({ length: max }, (_, i) => i + 1));
      const live = entries.filter((e) => e.status !== 'dibatalkan');
      expect(live).toHaveLength(KEYS / 2);
      for (const e of live) expect([...numberOfKey.get(e.key!)!][0]).toBe(e.numberText);
      for (const e of entries.filter((x) => x.status === 'dibatalkan')) {
        expect(e.voidReason).toBeTruthy();
        reasons.set(e.voidReason!, (reasons.get(e.voidReason!) ?? 0) + 1);
      }
    }
    expect([...reasons.keys()].sort()).toEqual(['alokasi paralel ganda', 'alokasi terputus']);
    expect(reasons.get('alokasi terputus')).toBe(report.voided.length);
    expect(report.young).toBe(0);
    expect((await store.sweepHoles({ olderThan: new Date(clockMs + 1000) })).voided).toEqual([]);
    for (const text of given.slice(0, 20)) expect((await store.get(text))?.numberText).toBe(text);
    expect(elapsed).toBeLessThan(40_000);
  });

  it('maps errors to the product error names', async () => {
    const store = storeFor('pemda-galat');
    const error = await rejection(store.allocate({ caseId: 'a#b', purpose: 'pks', series: 'pks' }));
    expect(isSepakatError(error, ErrorNames.BadInput)).toBe(true);
    const dates = await rejection(
      store.allocate({ caseId: 'a', purpose: 'pks', series: 'pks', dates: { document: '2026-02-30' } }),
    );
    expect(dates.code).toBe('TanggalTidakValid');
  });
});
