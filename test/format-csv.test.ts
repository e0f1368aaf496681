import { describe, expect, it } from 'vitest';
import { angkaCsv, csvTanggal, csvWaktu, neutralise, toCsv } from '../core/format/csv.ts';
import { readCsv } from './support/csv.ts';

describe('toCsv (the one CSV writer)', () => {
  it('starts with a byte-order mark, separates fields with ";" and ends every line with CRLF', () => {
    // Arrange, act
    const csv = toCsv(['Nama', 'Jumlah'], [['Bagian Kerja Sama', 3]]);

    // Assert
    expect(csv).toBe('\uFEFFNama;Jumlah\r\nBagian Kerja Sama;3\r\n');
    expect([...Buffer.from(csv, 'utf8').subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('keeps the Indonesian header row as it is', () => {
    const csv = toCsv(['No.', 'Nomor Naskah', 'Tempat Penyimpanan Naskah Asli'], []);

    expect(csv).toBe('\uFEFFNo.;Nomor Naskah;Tempat Penyimpanan Naskah Asli\r\n');
  });

  it('quotes a field holding ";", a quote, CR or LF, with quotes doubled, and reads back', () => {
    // Arrange
    const row = ['a;b', 'PT "Maju, Jaya" Tbk', 'baris satu\r\nbaris dua', 'biasa, dengan koma'];

    // Act
    const csv = toCsv(['1', '2', '3', '4'], [row]);

    // Assert
    expect(csv.split('\r\n')[1]!.startsWith('"a;b";"PT ""Maju, Jaya"" Tbk";"baris satu')).toBe(true);
    expect(readCsv(csv.slice(1))[1]).toEqual(row);
  });

  it('neutralises a text cell starting with =, +, -, @, a tab or a CR (formula injection)', () => {
    // Arrange
    const hostile = ['=HYPERLINK("http://x")', '+1+2', '-2+3', '@SUM(A1)', '\t=1', '\r=1'];

    // Act
    const [, row] = readCsv(toCsv(['a', 'b', 'c', 'd', 'e', 'f'], [hostile]).slice(1));

    // Assert
    expect(row).toEqual(hostile.map((v) => `'${v}`));
    expect(neutralise('Kota Contoh')).toBe('Kota Contoh');
    expect(neutralise('a=b')).toBe('a=b');
  });

  it('writes numbers with a decimal comma, never neutralising a negative number', () => {
    const csv = toCsv(['a', 'b', 'c', 'd', 'e'], [[12.5, -3, 0, 1000, Number.NaN]]);

    expect(csv.split('\r\n')[1]).toBe('12,5;-3;0;1000;');
    expect(angkaCsv(0.1)).toBe('0,1');
  });

  it('writes dates as dd/mm/yyyy and times as dd/mm/yyyy HH:MM on the zone’s wall clock', () => {
    // Arrange: 23 November 2026 09.15 UTC is 16.15 WIB and 18.15 WIT
    const at = '2026-11-23T09:15:00.000Z';

    // Act
    const csv = toCsv(
      ['a', 'b', 'c', 'd', 'e'],
      [[csvTanggal('2026-01-05'), csvWaktu(at, 'WIB'), csvWaktu(new Date(at), 'WIT'), csvTanggal(undefined), null]],
    );

    // Assert
    expect(csv.split('\r\n')[1]).toBe('05/01/2026;23/11/2026 16:15;23/11/2026 18:15;;');
  });

  it('crosses midnight by the zone, not UTC', () => {
    const csv = toCsv(['a'], [[csvWaktu('2026-12-31T18:00:00Z', 'WIB')]]);

    expect(csv.split('\r\n')[1]).toBe('01/01/2027 01:00');
  });
});
