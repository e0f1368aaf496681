import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createDirectory, DirectorySchema } from '../core/directory/directory.ts';

const load = (pemda: string) =>
  createDirectory(
    DirectorySchema.parse(
      parse(readFileSync(join(import.meta.dirname, '..', 'config', 'pemda', `${pemda}.yaml`), 'utf8')),
    ),
  );

const DOKUMEN = {
  tempat: 'Uji',
  kepalaDaerah: { role: 'kabag', jabatan: 'KEPALA UJI' },
  penghubung: { unit: 'Bagian Uji', alamat: 'Jalan Uji 1' },
};
const PENOMORAN = { series: { naskah: { pattern: '000/{n}/UJI/{tahun}', label: 'Naskah' } } };

describe('the pemda directory', () => {
  it('binds a task to the holder of the role on that day', () => {
    const dir = load('kota-contoh');
    expect(dir.bind('asisten-pemerintahan', '2026-11-23', 'kasus|1')).toMatchObject({
      id: 'asisten-1',
      nip: '197003151995031002',
    });
  });

  it('binds to the Plh while the holder is away, and says so', () => {
    const dir = load('kota-contoh');
    expect(dir.bind('asisten-pemerintahan', '2026-12-22', 'kasus|1')).toMatchObject({
      id: 'plh-asisten-1',
      sebagai: 'Plh',
    });
    expect(dir.bind('asisten-pemerintahan', '2027-01-04', 'kasus|1')).toMatchObject({ id: 'asisten-1' });
  });

  it('spreads a pool deterministically, so a replayed opening binds the same person', () => {
    const dir = load('kab-blitar');
    const bound = Array.from({ length: 40 }, (_, i) => dir.bind('penata-kelola', '2026-11-23', `kasus-${i}|5`).id);
    expect(new Set(bound)).toEqual(new Set(['penata-1', 'penata-2']));
    expect(dir.bind('penata-kelola', '2026-11-23', 'kasus-7|5').id).toBe(bound[7]);
  });

  it('honours validity dates and refuses a role nobody holds', () => {
    const dir = createDirectory(
      DirectorySchema.parse({
        pemda: {
          id: 'uji',
          nama: 'Uji',
          kop: ['UJI'],
          jamKerja: { timeZone: 'WITA', days: { '1': { start: '08:00', end: '16:00' } } },
          dokumen: DOKUMEN,
        },
        penomoran: PENOMORAN,
        people: [
          { id: 'lama', nama: 'Pejabat Lama', jabatan: 'Kabag', email: 'lama@uji.test' },
          { id: 'baru', nama: 'Pejabat Baru', jabatan: 'Kabag', email: 'baru@uji.test' },
        ],
        roles: {
          kabag: [
            { person: 'lama', to: '2026-06-30' },
            { person: 'baru', from: '2026-07-01' },
          ],
        },
      }),
    );
    expect(dir.bind('kabag', '2026-06-30', 'x').id).toBe('lama');
    expect(dir.bind('kabag', '2026-07-01', 'x').id).toBe('baru');
    expect(() => dir.bind('sekda', '2026-07-01', 'x')).toThrow(/Tidak ada pejabat untuk peran "sekda"/);
  });

  it('rejects a directory that names someone who is not in it', () => {
    expect(() =>
      createDirectory(
        DirectorySchema.parse({
          pemda: {
            id: 'uji',
            nama: 'Uji',
            kop: ['UJI'],
            jamKerja: { timeZone: 'WIB', days: { '1': { start: '08:00', end: '16:00' } } },
            dokumen: DOKUMEN,
          },
          penomoran: PENOMORAN,
          people: [{ id: 'a', nama: 'A', jabatan: 'J', email: 'a@uji.test' }],
          roles: { kabag: [{ person: 'hantu' }] },
        }),
        'uji.yaml',
      ),
    ).toThrow(/uji.yaml: roles.kabag: orang "hantu" tidak ada/);
  });
});
