import { describe, expect, it } from 'vitest';
import {
  formatDurasi,
  formatJam,
  formatTanggal,
  formatTanggalWaktu,
  formatWaktuSingkat,
  tanggalAngka,
  tanggalDalamKata,
  tanggalPanjang,
  terbilang,
  waktuAngka,
  waktuIso,
} from '../core/format/tanggal.ts';

describe('formatTanggal', () => {
  it('writes day, month name and year', () => {
    // Arrange
    const date = new Date('2026-11-23T03:00:00Z');

    // Act
    const text = formatTanggal(date, 'WIB');

    // Assert
    expect(text).toBe('23 November 2026');
  });

  it('uses the local date of the zone, not UTC', () => {
    // Arrange: 31 December 2026 18.00 UTC is 1 January 2027 01.00 WIB
    const date = new Date('2026-12-31T18:00:00Z');

    // Act, assert
    expect(formatTanggal(date, 'WIB')).toBe('1 Januari 2027');
  });
});

describe('formatTanggalWaktu', () => {
  it('writes weekday, date, time with a period and zone', () => {
    // Arrange
    const date = new Date('2026-11-23T09:00:00Z');

    // Act
    const text = formatTanggalWaktu(date, 'WIB');

    // Assert
    expect(text).toBe('Senin, 23 November 2026 pukul 16.00 WIB');
  });

  it('writes the same instant in WITA and WIT', () => {
    // Arrange
    const date = new Date('2026-08-16T16:30:00Z');

    // Act, assert
    expect(formatTanggalWaktu(date, 'WITA')).toBe('Senin, 17 Agustus 2026 pukul 00.30 WITA');
    expect(formatTanggalWaktu(date, 'WIB')).toBe('Minggu, 16 Agustus 2026 pukul 23.30 WIB');
    expect(formatJam(date, 'WIT')).toBe('01.30');
  });

  it('writes Jumat for Friday', () => {
    // Arrange, act
    const text = formatTanggalWaktu(new Date('2026-11-27T00:30:00Z'), 'WIB');

    // Assert
    expect(text).toBe('Jumat, 27 November 2026 pukul 07.30 WIB');
  });
});

describe('formatDurasi', () => {
  it('writes full working days, then hours and minutes, leaving out zero parts', () => {
    // Arrange, act, assert
    expect(formatDurasi(2 * 450 + 15, 450)).toBe('2 hari 15 menit');
    expect(formatDurasi(450, 450)).toBe('1 hari');
    expect(formatDurasi(135, 450)).toBe('2 jam 15 menit');
    expect(formatDurasi(450 + 60, 450)).toBe('1 hari 1 jam');
    expect(formatDurasi(0, 450)).toBe('0 menit');
  });
});

describe('terbilang', () => {
  it.each([
    [0, 'nol'],
    [1, 'satu'],
    [9, 'sembilan'],
    [10, 'sepuluh'],
    [11, 'sebelas'],
    [12, 'dua belas'],
    [19, 'sembilan belas'],
    [20, 'dua puluh'],
    [23, 'dua puluh tiga'],
    [100, 'seratus'],
    [101, 'seratus satu'],
    [110, 'seratus sepuluh'],
    [111, 'seratus sebelas'],
    [200, 'dua ratus'],
    [999, 'sembilan ratus sembilan puluh sembilan'],
    [1000, 'seribu'],
    [1001, 'seribu satu'],
    [1100, 'seribu seratus'],
    [1945, 'seribu sembilan ratus empat puluh lima'],
    [2000, 'dua ribu'],
    [2026, 'dua ribu dua puluh enam'],
    [10_000, 'sepuluh ribu'],
    [11_000, 'sebelas ribu'],
    [100_000, 'seratus ribu'],
    [101_000, 'seratus satu ribu'],
    [111_111, 'seratus sebelas ribu seratus sebelas'],
    [999_999, 'sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan'],
  ])('writes %i as "%s"', (n, words) => {
    // Arrange, act
    const text = terbilang(n);

    // Assert
    expect(text).toBe(words);
  });

  it.each([1_000_000, -1, 1.5, Number.NaN])('rejects %d', (n) => {
    // Arrange, act
    const act = () => terbilang(n);

    // Assert
    expect(act).toThrow(/0 sampai 999\.999/);
  });
});

describe('tanggalDalamKata', () => {
  it('writes Monday 23 November 2026 in words', () => {
    // Arrange
    const date = new Date('2026-11-23T03:00:00Z');

    // Act
    const text = tanggalDalamKata(date, 'WIB');

    // Assert
    expect(text).toBe('pada hari ini Senin tanggal dua puluh tiga bulan November tahun dua ribu dua puluh enam');
  });

  it('writes the first of the month as satu', () => {
    // Arrange, act
    const text = tanggalDalamKata(new Date('2026-01-01T01:00:00Z'), 'WIT');

    // Assert
    expect(text).toBe('pada hari ini Kamis tanggal satu bulan Januari tahun dua ribu dua puluh enam');
  });
});

describe('dates of a calendar day and short times (one module for every date text)', () => {
  it('writes a calendar date in words, leaving nothing and a non-date as they are', () => {
    expect(tanggalPanjang('2026-11-23')).toBe('23 November 2026');
    expect(tanggalPanjang('2027-01-05')).toBe('5 Januari 2027');
    expect(tanggalPanjang(undefined)).toBe('');
    expect(tanggalPanjang('besok')).toBe('besok');
  });

  it('writes the short table time in the zone', () => {
    expect(formatWaktuSingkat('2026-11-23T03:05:00Z', 'WIB')).toBe('23 Nov 2026 10.05');
    expect(formatWaktuSingkat('2026-12-31T18:00:00Z', 'WIT')).toBe('01 Jan 2027 03.00');
    expect(formatWaktuSingkat(null, 'WIB')).toBe('-');
  });

  it('writes dates and times in figures for spreadsheets and registers', () => {
    expect(tanggalAngka('2026-01-05')).toBe('05/01/2026');
    expect(tanggalAngka('bukan tanggal')).toBe('bukan tanggal');
    expect(waktuAngka(new Date('2026-11-23T09:15:00Z'), 'WITA')).toBe('23/11/2026 17:15');
    expect(waktuIso('2026-11-23T07:05:09.000Z', 'WIB')).toBe('2026-11-23 14:05');
    expect(waktuIso(undefined, 'WIB')).toBe('');
  });
});
