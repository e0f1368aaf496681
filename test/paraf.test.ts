import { describe, expect, it } from 'vitest';
import { isSepakatError } from '../core/errors.ts';
import {
  contentVersion,
  inisial,
  parafChainState,
  parafTableView,
  shortContentVersion,
  type NaskahText,
  type ParafRecord,
  type Pejabat,
} from '../core/signing/paraf.ts';

const naskah: NaskahText = {
  judul:
    'KESEPAKATAN BERSAMA ANTARA PEMERINTAH KOTA CONTOH DENGAN PEMERINTAH KABUPATEN CONTOH TENTANG PENGELOLAAN SAMPAH',
  pihak: [
    {
      sebutan: 'PIHAK KESATU',
      nama: 'Dr. H. Budi Santoso, M.Si.',
      jabatan: 'Wali Kota Contoh',
      instansi: 'Pemerintah Kota Contoh',
    },
    {
      sebutan: 'PIHAK KEDUA',
      nama: 'Ir. Ratna Dewi',
      jabatan: 'Bupati Contoh',
      instansi: 'Pemerintah Kabupaten Contoh',
    },
  ],
  pasal: [
    { nomor: 1, judul: 'Maksud dan Tujuan', ayat: ['Kesepakatan Bersama ini dimaksudkan sebagai pedoman kerja sama.'] },
    { nomor: 2, judul: 'Ruang Lingkup', ayat: ['Pengelolaan sampah regional.', 'Peningkatan kapasitas aparatur.'] },
    { nomor: 3, judul: 'Jangka Waktu', ayat: ['Kesepakatan Bersama ini berlaku selama 5 (lima) tahun.'] },
  ],
  penutup: [
    'Kesepakatan Bersama ini dibuat dalam rangkap 2 (dua) asli, masing-masing mempunyai kekuatan hukum yang sama.',
  ],
};

const kasubbag: Pejabat = {
  nama: 'Siti Aminah, S.H.',
  jabatan: 'Kepala Subbagian Kerja Sama',
  nip: '198501012010012001',
};
const kabag: Pejabat = {
  nama: 'Drs. Ahmad Syafii, M.Si.',
  jabatan: 'Kepala Bagian Pemerintahan',
  nip: '197505052000031002',
};
const asisten: Pejabat = { nama: 'Ir. Bambang Wijaya', jabatan: 'Asisten Pemerintahan', nip: '197003151995031002' };
const sekda: Pejabat = { nama: 'Dr. Hendra Gunawan', jabatan: 'Sekretaris Daerah', nip: '196805101990031003' };
const hukum: Pejabat = { nama: 'Rina Marlina, S.H., M.H.', jabatan: 'Kepala Bagian Hukum', nip: '198003032005012004' };

const v1 = contentVersion(naskah);
const edited: NaskahText = {
  ...naskah,
  pasal: naskah.pasal.map((p) =>
    p.nomor === 3 ? { ...p, ayat: ['Kesepakatan Bersama ini berlaku selama 3 (tiga) tahun.'] } : p,
  ),
};
const v2 = contentVersion(edited);

let minute = 0;
const paraf = (who: Pejabat, order: number, version: string, kind: ParafRecord['kind'] = 'hierarki'): ParafRecord => ({
  who,
  order,
  kind,
  contentVersion: version,
  when: new Date(Date.UTC(2026, 10, 23, 2, minute++)).toISOString(),
});

describe('content version', () => {
  it('is SHA-256 over the text: stable across re-flowed white space, changed by any edit of a word', () => {
    expect(v1).toMatch(/^sha256:[0-9a-f]{64}$/);
    const reflowed: NaskahText = {
      ...naskah,
      judul: `  ${naskah.judul.replace(/ /g, '\n')}  `,
      pasal: naskah.pasal.map((p) => ({ ...p, ayat: p.ayat.map((a) => a.replace(/ /g, '\u00a0 ')) })),
    };
    expect(contentVersion(reflowed)).toBe(v1);
    expect(v2).not.toBe(v1);
    expect(contentVersion({ ...naskah, pihak: [naskah.pihak[1]!, naskah.pihak[0]!] })).not.toBe(v1);
    expect(shortContentVersion(v1)).toHaveLength(12);
  });

  it('excludes the paraf table, signatures, numbers and dates', () => {
    const withAdministrivia = {
      ...naskah,
      nomor: ['000.5.4/123/409.1.1/2026', '119/45/2026'],
      tanggal: '2026-11-23',
      paraf: [paraf(kasubbag, 1, v1)],
      tandaTangan: [{ nama: 'x' }],
    } as NaskahText;
    expect(contentVersion(withAdministrivia)).toBe(v1);
  });
});

describe('paraf chain', () => {
  it('valid hierarki parafs in rank order, koordinasi separately', () => {
    const records = [paraf(kasubbag, 1, v1), paraf(hukum, 1, v1, 'koordinasi'), paraf(kabag, 2, v1)];
    const state = parafChainState(records, v1);
    expect(state.hierarki.map((r) => r.who)).toEqual([kasubbag, kabag]);
    expect(state.koordinasi.map((r) => r.who)).toEqual([hukum]);
    expect(state).toMatchObject({ nextHierarkiOrder: 3, hierarkiComplete: false, voided: [] });
    expect(state.restartedAfter).toBeUndefined();
  });

  it('an edit of the content voids every earlier paraf and restarts the chain', () => {
    const before = [paraf(kasubbag, 1, v1), paraf(kabag, 2, v1), paraf(hukum, 1, v1, 'koordinasi')];
    const afterEdit = parafChainState(before, v2);
    expect(afterEdit.hierarki).toEqual([]);
    expect(afterEdit.koordinasi).toEqual([]);
    expect(afterEdit.nextHierarkiOrder).toBe(1);
    expect(afterEdit.voided.map((v) => v.reason)).toEqual(['isi-berubah', 'isi-berubah', 'isi-berubah']);

    // The chain restarts from position 1 on the new version.
    const again = [...before, paraf(kasubbag, 1, v2), paraf(kabag, 2, v2)];
    const state = parafChainState(again, v2);
    expect(state.hierarki.map((r) => r.who)).toEqual([kasubbag, kabag]);
    expect(state.voided).toHaveLength(3);
    expect(state.restartedAfter).toBe(before[2]!.when);

    // A stale paraf on the old version after the restart: void; it restarts the chain again unless the time the
    // current version came into force is known.
    const stale = [...again, paraf(asisten, 3, v1)];
    expect(parafChainState(stale, v2).hierarki).toEqual([]);
    const known = parafChainState(stale, v2, { contentSince: again[3]!.when });
    expect(known.hierarki.map((r) => r.who)).toEqual([kasubbag, kabag]);
    expect(known.voided.at(-1)).toEqual({ record: stale.at(-1), reason: 'isi-berubah' });
  });

  it('content changed and changed back: parafs before the change are void even on the same version', () => {
    const records = [paraf(kasubbag, 1, v1), paraf(kabag, 2, v2), paraf(kasubbag, 1, v1)];
    const state = parafChainState(records, v1);
    expect(state.voided.map((v) => v.reason)).toEqual(['sebelum-perubahan', 'isi-berubah']);
    expect(state.hierarki).toEqual([records[2]]);
    // Known only from the time the current version came into force when nobody initialled in between.
    const quiet = [paraf(kasubbag, 1, v1), paraf(kabag, 1, v1)];
    const since = new Date(Date.parse(quiet[1]!.when) - 1000).toISOString();
    const state2 = parafChainState(quiet, v1, { contentSince: since });
    expect(state2.hierarki.map((r) => r.who)).toEqual([kabag]);
    expect(state2.voided.map((v) => v.reason)).toEqual(['sebelum-perubahan']);
  });

  it('at most 3 hierarki officials, in rank order', () => {
    const records = [
      paraf(kabag, 2, v1), // before position 1: out of order
      paraf(kasubbag, 1, v1),
      paraf(kasubbag, 1, v1), // again
      paraf(asisten, 3, v1), // skips position 2
      paraf(kabag, 2, v1),
      paraf(asisten, 3, v1),
      paraf(sekda, 4, v1), // a fourth position does not exist
    ];
    const state = parafChainState(records, v1);
    expect(state.hierarki.map((r) => [r.order, r.who.jabatan])).toEqual([
      [1, kasubbag.jabatan],
      [2, kabag.jabatan],
      [3, asisten.jabatan],
    ]);
    expect(state.voided.map((v) => v.reason)).toEqual([
      'urutan-salah',
      'sudah-diparaf',
      'urutan-salah',
      'melebihi-batas',
    ]);
    expect(state).toMatchObject({ hierarkiComplete: true, nextHierarkiOrder: null });

    // A document needing two positions is complete after two, and a third is beyond it.
    const two = parafChainState([paraf(kasubbag, 1, v1), paraf(kabag, 2, v1), paraf(asisten, 3, v1)], v1, {
      hierarkiRequired: 2,
    });
    expect(two.hierarkiComplete).toBe(true);
    expect(two.voided.map((v) => v.reason)).toEqual(['melebihi-batas']);

    // The same official cannot hold two positions; four positions cannot be asked for.
    expect(parafChainState([paraf(kasubbag, 1, v1), paraf(kasubbag, 2, v1)], v1).hierarki).toHaveLength(1);
    expect(() => parafChainState([], v1, { hierarkiRequired: 4 })).toThrow(/paling banyak 3/);
    try {
      parafChainState([], v1, { hierarkiRequired: 4 });
    } catch (e) {
      expect(isSepakatError(e)).toBe(true);
    }
  });

  it('koordinasi parafs count once per official, in any order relative to the hierarki', () => {
    const records = [paraf(hukum, 1, v1, 'koordinasi'), paraf(kasubbag, 1, v1), paraf(hukum, 1, v1, 'koordinasi')];
    const state = parafChainState(records, v1);
    expect(state.koordinasi).toEqual([records[0]]);
    expect(state.voided).toEqual([{ record: records[2], reason: 'sudah-diparaf' }]);
  });
});

describe('paraf table view', () => {
  it('lists the expected chain with who has initialled, initials, date and the content version', () => {
    const state = parafChainState([paraf(kasubbag, 1, v1), paraf(hukum, 1, v1, 'koordinasi')], v1, {
      hierarkiRequired: 3,
    });
    const view = parafTableView(state, { hierarki: [kasubbag, kabag, asisten], koordinasi: [hukum], timeZone: 'WIB' });
    expect(view.hierarki).toEqual([
      {
        no: 1,
        jabatan: kasubbag.jabatan,
        nama: kasubbag.nama,
        nip: kasubbag.nip,
        sudah: true,
        inisial: 'SA',
        tanggal: '23 November 2026',
      },
      { no: 2, jabatan: kabag.jabatan, nama: kabag.nama, nip: kabag.nip, sudah: false },
      { no: 3, jabatan: asisten.jabatan, nama: asisten.nama, nip: asisten.nip, sudah: false },
    ]);
    expect(view.koordinasi).toEqual([
      {
        no: 1,
        jabatan: hukum.jabatan,
        nama: hukum.nama,
        nip: hukum.nip,
        sudah: true,
        inisial: 'RM',
        tanggal: '23 November 2026',
      },
    ]);
    expect(view).toMatchObject({ versiIsi: shortContentVersion(v1), lengkap: false });
    expect(inisial('Drs. H. Ahmad Syafii, M.Si.')).toBe('AS');
    expect(() => parafTableView(state, { hierarki: [kasubbag, kabag, asisten, sekda], timeZone: 'WIB' })).toThrow();
  });
});
