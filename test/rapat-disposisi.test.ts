import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { disposisiFor, disposisiLine, disposisiOf } from '../core/case/disposisi.ts';
import type { HistoryEvent } from '../core/case/model.ts';
import { checkRapat, jamMulai, prefillRapat, rapatOf } from '../core/case/rapat.ts';
import { parseFieldValue } from '../core/case/task-actions.ts';
import { DirectorySchema, type Person } from '../core/directory/directory.ts';
import {
  assembleDocument,
  tandaTanganKurang,
  type CaseDocumentContext,
  type Official,
} from '../core/documents/assemble.ts';
import { badInput } from './support/bad-input.ts';
import { buildSop, loadSop, type Activity, type Sop } from '../core/sop/load-sop.ts';
import type { Field } from '../core/sop/schema.ts';
import { parseDaftarHadir } from '../core/validation/daftar-hadir.ts';
import { createRenderer, type Renderer } from '../functions/render/renderer.ts';

/**
 * The disposisi that travels and the notulen that is right (issue 13, items 4 and 6), in the pure rules: the one
 * parser of a daftar hadir, the meeting rules (its own undangan only, never in the future, two signers), the
 * disposisi read from the history, and the notulen and the Lembar Disposisi assembled from them and printed by real
 * Chromium (read back with unpdf).
 */
const root = join(import.meta.dirname, '..');
const sopOf = (id: string): Sop => loadSop(readFileSync(join(root, 'sops', `${id}.yaml`), 'utf8'), `${id}.yaml`);
const KOTA = sopOf('kota-penyusunan-kesepakatan-bersama');
const BANDUNG = sopOf('bandung-kerjasama-teknik-luar-negeri');
const BLITAR = sopOf('blitar-pengkoordinasian-nota-kesepakatan');
const activity = (sop: Sop, id: string): Activity => {
  const node = sop.node(id);
  if (node.type !== 'activity') throw new Error(`${id} is a gate`);
  return node;
};

const directory = DirectorySchema.parse(
  parseYaml(readFileSync(join(root, 'config', 'pemda', 'kota-contoh.yaml'), 'utf8')),
);
const person = (id: string): Person => directory.people.find((p) => p.id === id)!;
const official = (p: Person): Official => ({
  nama: p.nama,
  jabatan: p.jabatan,
  ...(p.nip ? { nip: p.nip } : {}),
  ...(p.pangkat ? { pangkat: p.pangkat } : {}),
});

/** A decision as the runtime writes it into the history (core/case/case-runtime.ts settleDecision). */
function decided(
  node: string,
  seq: number,
  who: Person,
  values: Record<string, string>,
  options: { visit?: number; choice?: string; at?: string } = {},
): HistoryEvent {
  return {
    caseId: 'KS-UJI',
    eventKey: `${String(seq).padStart(5, '0')}#diputuskan`,
    type: 'tugas-diputuskan',
    at: options.at ?? `2026-12-0${Math.min(seq, 9)}T02:00:00.000Z`,
    node,
    stepId: node.split('.')[0]!,
    seq,
    visit: options.visit ?? 1,
    who: { id: who.id, nama: who.nama, jabatan: who.jabatan },
    choice: options.choice ?? 'lanjut',
    files: [],
    detail: { values },
  };
}

describe('the daftar hadir: one format, one parser', () => {
  it('reads one person per line as nama | jabatan | instansi, list marks and empty lines dropped', () => {
    const parsed = parseDaftarHadir(
      'Daftar hadir',
      '1. Hendra Gunawan, S.H., M.H. | Kepala Bagian Kerjasama | Setda Kota Contoh\n\n- Agus Salim, S.IP. |  Kepala Bagian Pemerintahan| Setda Kabupaten Sukamaju  ',
    );
    expect(parsed).toEqual({
      ok: true,
      orang: [
        { nama: 'Hendra Gunawan, S.H., M.H.', jabatan: 'Kepala Bagian Kerjasama', instansi: 'Setda Kota Contoh' },
        { nama: 'Agus Salim, S.IP.', jabatan: 'Kepala Bagian Pemerintahan', instansi: 'Setda Kabupaten Sukamaju' },
      ],
    });
  });

  it('refuses a bad line naming the field, the line and what is missing', () => {
    const parsed = parseDaftarHadir(
      'Daftar hadir',
      'Hendra Gunawan | Kepala Bagian Kerjasama | Setda Kota Contoh\nMaya Sari\nAndi Saputra | Analis Hukum\nA | B | C | D',
    );
    if (parsed.ok) throw new Error('accepted');
    expect(parsed.error).toMatch(/^Daftar hadir: /);
    expect(parsed.error).toContain('baris 2 ("Maya Sari") hanya berisi satu kolom; jabatan dan instansi belum diisi');
    expect(parsed.error).toContain('baris 3 ("Andi Saputra | Analis Hukum"): instansi belum diisi');
    expect(parsed.error).toContain('baris 4 ("A | B | C | D") berisi 4 kolom');
    expect(parsed.error).toContain('"nama | jabatan | instansi"');
    expect(parseDaftarHadir('Yang diundang', 'Budi |  | Setda')).toEqual({
      ok: false,
      error: expect.stringContaining('baris 1 ("Budi | | Setda"): jabatan belum diisi'),
    });
  });

  it('is the check of every daftar hadir field of every SOP, at the task form', () => {
    const fields = [KOTA, BANDUNG, BLITAR].flatMap((sop) =>
      sop.nodes.flatMap((n) => (n.type === 'activity' ? n.fields.filter((f) => f.format === 'daftar-hadir') : [])),
    );
    // Kota: the guests of the undangan (L4) and the daftar hadir of both meetings (L7, L8); Bandung: its guests (L4).
    expect(fields.map((f) => f.id).sort()).toEqual([
      'notulen-peserta',
      'notulen-peserta',
      'rapat-peserta',
      'rapat-peserta',
    ]);
    for (const field of fields) {
      expect(parseFieldValue(field, 'Maya Sari, S.IP. | Kepala Subbagian | Setda Kota Contoh')).toBe(
        'Maya Sari, S.IP. | Kepala Subbagian | Setda Kota Contoh',
      );
      expect(parseFieldValue(field, 'Maya Sari, S.IP.')).toEqual({
        error: expect.stringMatching(new RegExp(`^${field.label.replace(/[|()]/g, '\\$&')}: baris 1`)),
      });
    }
  });
});

describe('the meetings of a case', () => {
  const L4 = activity(KOTA, 'L4.1');
  const L7 = activity(KOTA, 'L7');
  const L8 = activity(KOTA, 'L8');
  const kasubbag = person('kasubbag-ks');
  const undangan = decided('L4.1', 4, kasubbag, {
    'rapat-tanggal': '2026-12-14',
    'rapat-waktu': '13.30 WIB s.d. selesai',
    'rapat-tempat': 'Ruang Rapat Asisten Pemerintahan',
    'rapat-acara': 'Rapat koordinasi pembahasan draf naskah',
    'rapat-peserta': 'Andi Saputra | Kepala Bagian Hukum | Setda Kota Contoh',
  });

  it('are declared by SOP data in all three SOPs', () => {
    expect(rapatOf(KOTA, L4)).toEqual({ id: 'rapat-koordinasi', catat: 'undangan' });
    expect(rapatOf(KOTA, L7)).toEqual({ id: 'rapat-teknis', catat: 'notulen' });
    expect(rapatOf(KOTA, L8)).toEqual({ id: 'rapat-koordinasi', catat: 'notulen' });
    expect(rapatOf(BLITAR, activity(BLITAR, 'L3'))).toEqual({ id: 'rapat-tkksd', catat: 'notulen' });
    expect(rapatOf(BANDUNG, activity(BANDUNG, 'L5.2'))).toEqual({ id: 'rapat-tkksd', catat: 'notulen' });
    // The link that signs the undangan of a meeting step records no meeting.
    expect(rapatOf(BANDUNG, activity(BANDUNG, 'L5.1'))).toBeUndefined();
    expect(rapatOf(BANDUNG, activity(BANDUNG, 'L18'))).toMatchObject({ catat: 'notulen' });
    // Each notulen asks its own meeting: not case data, so no other meeting's values fill it.
    for (const id of ['rapat-tanggal', 'rapat-tempat', 'rapat-acara', 'notulen-peserta'])
      expect(L7.fields.find((f) => f.id === id)?.caseData, id).toBe(false);
    expect(L7.fields.filter((f) => f.type === 'pegawai').map((f) => f.id)).toEqual([
      'rapat-pimpinan',
      'notulen-pencatat',
    ]);
  });

  it('prefill a notulen only from its own undangan: the same meeting and the same round', () => {
    expect(prefillRapat(KOTA, L8, 1, [undangan])).toEqual({
      'rapat-tanggal': '2026-12-14',
      'rapat-waktu': '13.30 WIB s.d. selesai',
      'rapat-tempat': 'Ruang Rapat Asisten Pemerintahan',
      'rapat-acara': 'Rapat koordinasi pembahasan draf naskah',
    });
    // The second round of the rapat koordinasi was not invited by that undangan; the rapat teknis is another meeting.
    expect(prefillRapat(KOTA, L8, 2, [undangan])).toEqual({});
    expect(prefillRapat(KOTA, L7, 1, [undangan])).toEqual({});
    expect(prefillRapat(KOTA, L4, 1, [undangan])).toEqual({});
    // Blitar: the TKKSD meeting's date, set at L2, prefills the notulen of L3.
    const blitar = decided('L2', 2, kasubbag, { 'rapat-tanggal': '2026-12-02' });
    expect(prefillRapat(BLITAR, activity(BLITAR, 'L3'), 1, [blitar])).toEqual({ 'rapat-tanggal': '2026-12-02' });
  });

  const now = new Date('2026-12-07T06:00:00.000Z'); // 13.00 WIB
  const check = (values: Record<string, string>) =>
    checkRapat({ activity: L8, rapat: rapatOf(KOTA, L8)!, values, now, timeZone: 'WIB', person });

  it('refuse a notulen for a meeting still to come, naming the field', () => {
    expect(check({ 'rapat-tanggal': '2026-12-14', 'rapat-waktu': '09.00 WIB' })).toEqual([
      {
        field: 'rapat-tanggal',
        error:
          'Tanggal rapat koordinasi: rapat tanggal 14 Desember 2026 belum diadakan (hari ini 7 Desember 2026); notulen hanya dapat dicatat setelah rapat berlangsung',
      },
    ]);
    expect(check({ 'rapat-tanggal': '2026-12-07', 'rapat-waktu': '13.30 WIB s.d. selesai' })).toEqual([
      {
        field: 'rapat-waktu',
        error: expect.stringContaining('rapat hari ini pukul 13.30 WIB belum dimulai (sekarang pukul 13.00 WIB)'),
      },
    ]);
    expect(check({ 'rapat-waktu': '09.00' })).toEqual([
      { field: 'rapat-tanggal', error: expect.stringContaining('wajib diisi') },
    ]);
    expect(check({ 'rapat-tanggal': '2026-12-07', 'rapat-waktu': '09.00 WIB s.d. selesai' })).toEqual([]);
    expect(check({ 'rapat-tanggal': '2026-12-07', 'rapat-waktu': 'pagi' })).toEqual([]);
    expect(check({ 'rapat-tanggal': '2026-12-01' })).toEqual([]);
    // An undangan is for a meeting to come.
    expect(
      checkRapat({
        activity: L4,
        rapat: rapatOf(KOTA, L4)!,
        values: { 'rapat-tanggal': '2027-01-05' },
        now,
        timeZone: 'WIB',
      }),
    ).toEqual([]);
    expect([jamMulai('09.00 WIB'), jamMulai('pukul 7:05'), jamMulai('tanggal 14.12.2026'), jamMulai('siang')]).toEqual([
      '09:00',
      '07:05',
      undefined,
      undefined,
    ]);
  });

  it('refuse one person as both pimpinan rapat and notulis, naming the notulis field', () => {
    expect(
      check({ 'rapat-tanggal': '2026-12-01', 'rapat-pimpinan': 'kabag-ks', 'notulen-pencatat': 'kabag-ks' }),
    ).toEqual([
      {
        field: 'notulen-pencatat',
        error:
          'Notulis: harus orang lain dari pimpinan rapat (Hendra Gunawan, S.H., M.H.); pimpinan rapat dan notulis masing-masing menandatangani notulen',
      },
    ]);
    expect(
      check({ 'rapat-tanggal': '2026-12-01', 'rapat-pimpinan': 'kabag-ks', 'notulen-pencatat': 'staf-ks-1' }),
    ).toEqual([]);
    // Who signs below the Sekda needs NIP and pangkat.
    expect(tandaTanganKurang({ nama: 'Tanpa NIP', jabatan: 'Analis' }, 'WALIKOTA CONTOH')).toContain('NIP 18 digit');
    expect(tandaTanganKurang(official(person('staf-ks-1')), 'WALIKOTA CONTOH')).toBeUndefined();
    expect(tandaTanganKurang(official(person('sekda')), 'WALIKOTA CONTOH')).toBeUndefined();
  });

  it('take a person of the directory for a pegawai field, by id', () => {
    const field = L7.fields.find((f) => f.id === 'rapat-pimpinan') as Field;
    expect(parseFieldValue(field, 'kabag-ks')).toBe('kabag-ks');
    expect(parseFieldValue(field, 'Hendra <b>')).toEqual({ error: 'Pimpinan rapat: pilih pegawai dari daftar' });
  });
});

describe('the SOP data of disposisi steps and meetings, checked at load', () => {
  type RawStep = {
    id: string;
    fields?: { id: string; type?: string }[];
    automatic?: { after?: Record<string, unknown>[] };
  };
  const refused = (change: (steps: RawStep[]) => void): string => {
    const raw = parseYaml(readFileSync(join(root, 'sops', 'kota-penyusunan-kesepakatan-bersama.yaml'), 'utf8')) as {
      steps: RawStep[];
    };
    change(raw.steps);
    try {
      buildSop(raw, 'kota.yaml');
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('accepted');
  };
  const step = (steps: RawStep[], id: string) => steps.find((x) => x.id === id)!;

  it('refuses a Lembar Disposisi without its arahan field, or naming a field the step does not have', () => {
    expect(refused((steps) => delete step(steps, 'L1').automatic!.after![0]!['arahan'])).toContain(
      'kota.yaml: langkah L1: automatic[0].arahan: Lembar Disposisi memerlukan isian arahan',
    );
    expect(refused((steps) => (step(steps, 'L2').automatic!.after![0]!['arahan'] = 'catatan'))).toContain(
      '"catatan" bukan isian teks pada langkah L2',
    );
    expect(refused((steps) => (step(steps, 'L3').automatic!.after![0]!['kepada'] = 'bupati'))).toContain(
      'aktor "bupati" tidak ada di daftar actors',
    );
  });

  it('refuses a meeting step without its date, or with a meeting field of another type', () => {
    expect(
      refused(
        (steps) => (step(steps, 'L7').fields = step(steps, 'L7').fields!.filter((f) => f.id !== 'rapat-tanggal')),
      ),
    ).toContain('langkah L7: rapat: langkah rapat harus punya isian "rapat-tanggal"');
    expect(
      refused((steps) => {
        const pimpinan = step(steps, 'L8').fields!.find((f) => f.id === 'rapat-pimpinan')!;
        pimpinan.type = 'text';
      }),
    ).toContain('isian rapat "rapat-pimpinan" harus berjenis pegawai');
  });
});

describe('the disposisi of a case', () => {
  const history = [
    decided('L1', 1, person('sekda'), { arahan: 'Pelajari dan proses sesuai ketentuan.\nLaporkan hasilnya.' }),
    decided('L2', 2, person('asisten-1'), { arahan: 'Siapkan rapat koordinasi dengan perangkat daerah terkait.' }),
    decided('L3', 3, person('kabag-ks'), { arahan: 'Segera undang pengusul dan Bagian Hukum.' }),
    decided('L4.1', 4, person('kasubbag-ks'), { 'rapat-tanggal': '2026-12-14' }),
  ];

  it('are read from the decisions of the steps the SOP marks as disposisi steps, each to the next official', () => {
    const list = disposisiOf(KOTA, history);
    expect(list.map((d) => [d.node, d.dari.nama, d.kepada?.actorId, d.arahan])).toEqual([
      [
        'L1',
        'Ir. Siti Rahmawati, M.Si.',
        'asisten-pemerintahan',
        'Pelajari dan proses sesuai ketentuan.\nLaporkan hasilnya.',
      ],
      [
        'L2',
        'Drs. Bambang Purnomo, M.AP.',
        'kabag-kerjasama',
        'Siapkan rapat koordinasi dengan perangkat daerah terkait.',
      ],
      ['L3', 'Hendra Gunawan, S.H., M.H.', 'kasubbag-kerjasama', 'Segera undang pengusul dan Bagian Hukum.'],
    ]);
    expect(disposisiLine(list[0]!)).toBe(
      'Arahan kepada Asisten Pemerintahan (Asisten I): Pelajari dan proses sesuai ketentuan. / Laporkan hasilnya.',
    );
    // The Kasubbag's task (L4, L5 …) shows the Kabag's disposisi; the Asisten's shows the Sekda's.
    expect(disposisiFor(list, activity(KOTA, 'L4.1'), 5).map((d) => d.node)).toEqual(['L3']);
    expect(disposisiFor(list, activity(KOTA, 'L2'), 2).map((d) => d.node)).toEqual(['L1']);
    expect(disposisiFor(list, activity(KOTA, 'L2'), 1)).toEqual([]);
  });

  it('go where the SOP says: Bandung, up to the Kabag (L2) and from the Walikota to the Kabag (L7.5)', () => {
    const list = disposisiOf(BANDUNG, [
      decided('L2', 2, person('kasubbag-ks'), { arahan: 'Mohon arahan atas usulan.' }),
      decided('L7.5', 12, person('walikota'), { 'disposisi-walikota': 'Setuju, lanjutkan.' }),
      decided('L7.5', 13, person('walikota'), { 'disposisi-walikota': 'Tidak.' }, { choice: 'tidak-disetujui' }),
    ]);
    expect(list.map((d) => [d.node, d.kepada?.actorId])).toEqual([
      ['L2', 'kabag-kerjasama'],
      ['L7.5', 'kabag-kerjasama'],
    ]);
  });
});

describe('the notulen and the Lembar Disposisi, assembled', () => {
  const { pemda } = directory;
  const context = (over: Partial<CaseDocumentContext> = {}): CaseDocumentContext => ({
    caseId: 'KS-2026-0007',
    perihal: 'Permohonan Kesepakatan Bersama Pengelolaan Sampah Regional',
    pemohon: { nama: 'Agus Salim, S.IP.', instansi: 'Pemerintah Kabupaten Sukamaju', email: 'agus@sukamaju.test' },
    // The case data of the other meeting (the undangan of L4): a notulen must not print it.
    data: { 'rapat-tempat': 'Aula Balai Kota', 'rapat-acara': 'Rapat koordinasi', 'rapat-tanggal': '2026-12-14' },
    pemda: {
      nama: pemda.nama,
      kop: pemda.kop,
      ...(pemda.alamat ? { alamat: pemda.alamat } : {}),
      dokumen: pemda.dokumen,
    },
    tanggal: '2026-12-07',
    penandatangan: official(person('kasubbag-ks')),
    kepalaDaerah: { ...official(person('walikota')), jabatan: pemda.dokumen.kepalaDaerah.jabatan },
    nomor: {},
    ...over,
  });
  const RAPAT_TEKNIS = {
    'rapat-tanggal': '2026-12-03',
    'rapat-waktu': '09.00 - 11.30 WIB',
    'rapat-tempat': 'Ruang Rapat Bagian Kerjasama, Lantai 2',
    'rapat-acara': 'Rapat teknis pembahasan draf naskah',
    'notulen-peserta':
      'Hendra Gunawan, S.H., M.H. | Kepala Bagian Kerjasama | Setda Kota Contoh\nRizky Pratama, S.Sos. | Analis Kerja Sama | Setda Kota Contoh\nAgus Salim, S.IP. | Kepala Bagian Pemerintahan | Setda Kabupaten Sukamaju',
    'notulen-pembahasan': 'Ruang lingkup:\nDisepakati dua bidang.',
    'notulen-kesimpulan': 'Draf disetujui dengan perbaikan.',
  };
  const notulen = (rapat: CaseDocumentContext['rapat']) => {
    const a = assembleDocument('notulen-rapat', context({ rapat }));
    if (a.template !== 'notulen-rapat') throw new Error('wrong template');
    return a.input;
  };

  it("prints the meeting's own date, time, place and agenda, two signers and the daftar hadir in full", () => {
    const input = notulen({
      data: RAPAT_TEKNIS,
      pimpinan: official(person('kabag-ks')),
      notulis: official(person('staf-ks-1')),
    });
    expect(input).toMatchObject({
      rapat: 'Rapat teknis pembahasan draf naskah',
      tanggal: '2026-12-03',
      waktu: '09.00 - 11.30 WIB',
      tempat: 'Ruang Rapat Bagian Kerjasama, Lantai 2',
      pimpinan: { nama: 'Hendra Gunawan, S.H., M.H.', jabatan: 'Kepala Bagian Kerjasama', nip: '197806172003121003' },
      pencatat: { nama: 'Rizky Pratama, S.Sos.', jabatan: 'Analis Kerja Sama', nip: '199301052019031007' },
    });
    expect(input.peserta).toEqual([
      { nama: 'Hendra Gunawan, S.H., M.H.', jabatan: 'Kepala Bagian Kerjasama', instansi: 'Setda Kota Contoh' },
      { nama: 'Rizky Pratama, S.Sos.', jabatan: 'Analis Kerja Sama', instansi: 'Setda Kota Contoh' },
      { nama: 'Agus Salim, S.IP.', jabatan: 'Kepala Bagian Pemerintahan', instansi: 'Setda Kabupaten Sukamaju' },
    ]);
    // A meeting that recorded no place gets the Bagian's room, never the other meeting's place from the case data.
    const { ['rapat-tempat']: _, ...tanpaTempat } = RAPAT_TEKNIS;
    const own = notulen({
      data: tanpaTempat,
      pimpinan: official(person('kabag-ks')),
      notulis: official(person('staf-ks-1')),
    });
    expect(own.tempat).toBe('Ruang Rapat Bagian Kerjasama');
    expect(JSON.stringify(own)).not.toContain('Aula Balai Kota');
  });

  it('refuses one person as pimpinan and notulis, and a bad line of the daftar hadir', () => {
    expect(
      badInput(() =>
        notulen({ data: RAPAT_TEKNIS, pimpinan: official(person('kabag-ks')), notulis: official(person('kabag-ks')) }),
      ),
    ).toContain('Isian "notulen-pencatat" (notulis)');
    expect(
      badInput(() =>
        notulen({
          data: { ...RAPAT_TEKNIS, 'notulen-peserta': 'Hendra | Kabag | Setda\nMaya Sari' },
          pimpinan: official(person('kabag-ks')),
          notulis: official(person('staf-ks-1')),
        }),
      ),
    ).toContain('Isian "notulen-peserta": baris 2 ("Maya Sari")');
  });

  const DISPOSISI: NonNullable<CaseDocumentContext['disposisi']> = {
    diterima: '2026-12-01',
    daftar: [
      {
        dari: official(person('sekda')),
        kepada: 'Asisten Pemerintahan dan Kesejahteraan Rakyat (Drs. Bambang Purnomo, M.AP.)',
        arahan: 'Pelajari dan proses sesuai ketentuan.',
        tanggal: '2026-12-01',
      },
      {
        dari: {
          ...official(person('plh-asisten-1')),
          jabatan: 'Asisten Pemerintahan dan Kesejahteraan Rakyat',
          sebagai: 'Plh',
        },
        kepada: 'Kepala Bagian Kerjasama (Hendra Gunawan, S.H., M.H.)',
        arahan: 'Siapkan rapat koordinasi; undang Bagian Hukum.',
        tanggal: '2026-12-02',
      },
    ],
  };

  it('fills the Lembar Disposisi with each disposisi: from whom, to whom, the arahan, the date, and the letter', () => {
    const a = assembleDocument(
      'lembar-disposisi',
      context({
        data: { 'surat-nomor': '130/61/PEM/2026', 'surat-tanggal': '2026-11-28' },
        penandatangan: { ...official(person('plh-asisten-1')), sebagai: 'Plh' },
        disposisi: DISPOSISI,
      }),
    );
    if (a.template !== 'lembar-disposisi') throw new Error('wrong template');
    expect(a.input.surat).toMatchObject({
      dari: 'Pemerintah Kabupaten Sukamaju',
      nomor: '130/61/PEM/2026',
      tanggal: '2026-11-28',
      diterima: '2026-12-01',
      nomorAgenda: 'KS-2026-0007',
    });
    expect(a.input.disposisi).toEqual([
      {
        dari: 'Sekretaris Daerah',
        kepada: ['Asisten Pemerintahan dan Kesejahteraan Rakyat (Drs. Bambang Purnomo, M.AP.)'],
        harap: ['Proses lebih lanjut'],
        arahan: 'Pelajari dan proses sesuai ketentuan.',
        tanggal: '2026-12-01',
        nama: 'Ir. Siti Rahmawati, M.Si.',
      },
      {
        dari: 'Plh. Asisten Pemerintahan dan Kesejahteraan Rakyat',
        kepada: ['Kepala Bagian Kerjasama (Hendra Gunawan, S.H., M.H.)'],
        harap: ['Proses lebih lanjut'],
        arahan: 'Siapkan rapat koordinasi; undang Bagian Hukum.',
        tanggal: '2026-12-02',
        nama: 'Dra. Ratna Dewi, M.Si.',
      },
    ]);
  });

  describe('printed (real Chromium, read back with unpdf)', () => {
    let renderer: Renderer;
    beforeAll(() => {
      renderer = createRenderer({ maxConcurrency: 1 });
    });
    afterAll(async () => renderer?.close());
    const text = async (pdf: Uint8Array) => {
      const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true });
      return text.replace(/\s+/g, ' ');
    };

    it('the notulen carries two different signature blocks: the pimpinan rapat and the notulis', async () => {
      const input = notulen({
        data: RAPAT_TEKNIS,
        pimpinan: official(person('kabag-ks')),
        notulis: official(person('staf-ks-1')),
      });
      const printed = await text((await renderer.render('notulen-rapat', input, { paper: 'A4' })).pdf);
      expect(printed).toContain('Hari/tanggal : Kamis, 3 Desember 2026');
      expect(printed).toContain('Tempat : Ruang Rapat Bagian Kerjasama, Lantai 2');
      expect(printed).toContain('Pimpinan Rapat Kepala Bagian Kerjasama, Hendra Gunawan, S.H., M.H.');
      expect(printed).toContain('NIP. 19780617 200312 1 003');
      expect(printed).toContain('Notulis Analis Kerja Sama, Rizky Pratama, S.Sos.');
      expect(printed).toContain('NIP. 19930105 201903 1 007');
      expect(printed).not.toContain('Aula Balai Kota');
      // The daftar hadir: each jabatan and instansi printed, none left as "-".
      expect(printed).toMatch(/Agus Salim, S\.IP\. Kepala Bagian Pemerintahan Setda Kabupaten Sukamaju/);
    }, 60_000);

    it('the Lembar Disposisi carries the arahan as typed, who gave it and to whom', async () => {
      const a = assembleDocument(
        'lembar-disposisi',
        context({ data: { 'surat-nomor': '130/61/PEM/2026' }, disposisi: DISPOSISI }),
      );
      if (a.template !== 'lembar-disposisi') throw new Error('wrong template');
      const printed = await text((await renderer.render('lembar-disposisi', a.input, { paper: 'A4' })).pdf);
      expect(printed).toContain('LEMBAR DISPOSISI');
      expect(printed).toContain('Nomor surat : 130/61/PEM/2026');
      expect(printed).toContain('Disposisi 1 — dari Sekretaris Daerah, tanggal 1 Desember 2026');
      expect(printed).toContain(
        'Disposisi 2 — dari Plh. Asisten Pemerintahan dan Kesejahteraan Rakyat, tanggal 2 Desember 2026',
      );
      expect(printed).toContain('Pelajari dan proses sesuai ketentuan.');
      expect(printed).toContain('Siapkan rapat koordinasi; undang Bagian Hukum.');
      expect(printed).toContain('Kepala Bagian Kerjasama (Hendra Gunawan, S.H., M.H.)');
      expect(printed).toContain('Ir. Siti Rahmawati, M.Si.');
    }, 60_000);
  });
});
