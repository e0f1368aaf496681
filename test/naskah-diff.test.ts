import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../core/case/model.ts';
import { actedVersions, DECISION_VERSION_FIELD, pickComparisonBase } from '../core/naskah/comparison-base.ts';
import { diffNaskah, diffText, longestIncreasing, summarizeDiff, tokenize } from '../core/naskah/diff.ts';
import { numberRanges, perubahanNaskah } from '../core/naskah/diff-view.ts';
import type { Ayat, NaskahContent, Pasal } from '../core/naskah/content.ts';
import { NASKAH_FACT, naskahEventKey } from '../core/naskah/versions.ts';

/**
 * The reviewer's diff of two content versions (core/naskah/diff.ts): pasal, ayat and recitals matched by stable id,
 * so an insertion, a deletion and a move each show as one; texts word by word. The comparison base of a reviewer
 * (core/naskah/comparison-base.ts) and the view the task page shows (core/naskah/diff-view.ts).
 */

const ayat = (id: string, teks: string, en?: string): Ayat => ({ id, teks, ...(en !== undefined ? { en } : {}) });

/** A naskah of `n` pasal, each with two ayat whose words name their pasal (so a positional diff would see changes). */
function naskah(n: number, bilingual = false): NaskahContent {
  const pasal: Pasal[] = Array.from({ length: n }, (_, i) => ({
    id: `p-${i + 1}`,
    judul: `Ketentuan ${i + 1}`,
    ...(bilingual ? { judulEn: `Provision ${i + 1}` } : {}),
    ayat: [
      ayat(
        `a-${i + 1}-1`,
        `PARA PIHAK melaksanakan ketentuan nomor ${i + 1} dengan itikad baik.`,
        bilingual ? `THE PARTIES carry out provision number ${i + 1} in good faith.` : undefined,
      ),
      ayat(
        `a-${i + 1}-2`,
        `Ketentuan nomor ${i + 1} berlaku sejak ditandatangani.`,
        bilingual ? `Provision number ${i + 1} applies from signing.` : undefined,
      ),
    ],
  }));
  return {
    jenis: bilingual ? 'mou-luar-negeri' : 'kesepakatan-bersama',
    tentang: 'Kerja Sama Pengelolaan Sampah',
    ...(bilingual ? { tentangEn: 'Cooperation on Waste Management' } : {}),
    pertimbangan: [
      { id: 'b-1', teks: 'bahwa pengelolaan sampah merupakan urusan pemerintahan wajib;' },
      { id: 'b-2', teks: 'bahwa kerja sama memberi manfaat bersama;' },
    ],
    dasar: [{ id: 'd-1', teks: 'Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah;' }],
    pasal,
  };
}

const withPasal = (c: NaskahContent, pasal: Pasal[]): NaskahContent => ({ ...c, pasal });
const moveTo = <T>(list: readonly T[], from: number, to: number): T[] => {
  const out = [...list];
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x!);
  return out;
};
const fresh: Pasal = {
  id: 'p-baru',
  judul: 'Kerahasiaan',
  ayat: [ayat('a-baru-1', 'PARA PIHAK menjaga kerahasiaan data dan informasi.')],
};

describe('diffNaskah: pasal matched by stable id', () => {
  it('shows a pasal inserted at position 2 of 8 as exactly one insertion, the pasal after it renumbered only', () => {
    const before = naskah(8);
    const after = withPasal(before, [before.pasal[0]!, fresh, ...before.pasal.slice(1)]);
    const d = diffNaskah(before, after);

    expect(d.pasal.map((p) => [p.id, p.status])).toEqual([
      ['p-1', 'unchanged'],
      ['p-baru', 'inserted'],
      ...before.pasal.slice(1).map((p) => [p.id, 'unchanged']),
    ]);
    expect(d.pasal.filter((p) => p.moved)).toEqual([]);
    expect(d.pasal.find((p) => p.id === 'p-3')).toMatchObject({ beforeNo: 3, afterNo: 4 });
    expect(d.pasal[1]!.ayat[0]!.teks.segments).toEqual([
      { op: 'insert', text: 'PARA PIHAK menjaga kerahasiaan data dan informasi.' },
    ]);
    expect(summarizeDiff(d).text).toBe('1 pasal baru');
  });

  it('shows a deleted pasal as one deletion, where it stood', () => {
    const before = naskah(8);
    const after = withPasal(
      before,
      before.pasal.filter((p) => p.id !== 'p-5'),
    );
    const d = diffNaskah(before, after);

    expect(d.pasal.map((p) => p.id)).toEqual(before.pasal.map((p) => p.id));
    expect(d.pasal.filter((p) => p.status !== 'unchanged').map((p) => [p.id, p.status, p.beforeNo])).toEqual([
      ['p-5', 'deleted', 5],
    ]);
    expect(d.pasal[4]!.ayat.every((a) => a.status === 'deleted')).toBe(true);
    expect(summarizeDiff(d).text).toBe('1 pasal dihapus');
  });

  it('shows a pasal moved from 4 to 6 as one move, the pasal between them neither moved nor changed', () => {
    const before = naskah(8);
    const after = withPasal(before, moveTo(before.pasal, 3, 5));
    const d = diffNaskah(before, after);

    expect(d.pasal.map((p) => p.id)).toEqual(after.pasal.map((p) => p.id));
    expect(d.pasal.filter((p) => p.moved).map((p) => [p.id, p.moved])).toEqual([['p-4', { from: 4, to: 6 }]]);
    expect(d.pasal.every((p) => p.status === 'unchanged')).toBe(true);
    expect(summarizeDiff(d).text).toBe('1 pasal dipindah');
  });

  it('marks only the truly moved pasal when two moved far (longest increasing subsequence)', () => {
    const before = naskah(8);
    // p-8 to the front, p-1 to the end: the six in the middle keep their order.
    const after = withPasal(before, [before.pasal[7]!, ...before.pasal.slice(1, 7), before.pasal[0]!]);
    const d = diffNaskah(before, after);
    expect(d.pasal.filter((p) => p.moved).map((p) => [p.id, p.moved])).toEqual([
      ['p-8', { from: 8, to: 1 }],
      ['p-1', { from: 1, to: 8 }],
    ]);
  });

  it('shows a changed ayat word by word, with exact tokens inserted and deleted', () => {
    const before = naskah(3);
    const p2 = before.pasal[1]!;
    const after = withPasal(before, [
      before.pasal[0]!,
      {
        ...p2,
        ayat: [
          ayat('a-2-1', 'PARA PIHAK melaksanakan ketentuan nomor 2 secara terpadu dengan itikad baik dan jujur.'),
          p2.ayat[1]!,
        ],
      },
      before.pasal[2]!,
    ]);
    const d = diffNaskah(before, after);

    expect(d.pasal.map((p) => p.status)).toEqual(['unchanged', 'changed', 'unchanged']);
    const changed = d.pasal[1]!.ayat;
    expect(changed.map((a) => a.status)).toEqual(['changed', 'unchanged']);
    expect(changed[0]!.teks.segments).toEqual([
      { op: 'equal', text: 'PARA PIHAK melaksanakan ketentuan nomor 2 ' },
      { op: 'insert', text: 'secara terpadu ' },
      { op: 'equal', text: 'dengan itikad baik' },
      { op: 'insert', text: ' dan jujur' },
      { op: 'equal', text: '.' },
    ]);
    expect(summarizeDiff(d).text).toBe('1 pasal diubah');
  });

  it('shows a replaced phrase as one deletion followed by one insertion, and a changed judul', () => {
    expect(
      diffText(
        'PIHAK KESATU menunjuk Bagian Kerja Sama sebagai penghubung.',
        'PIHAK KESATU menunjuk Bagian Tata Pemerintahan sebagai penghubung utama.',
      ).segments,
    ).toEqual([
      { op: 'equal', text: 'PIHAK KESATU menunjuk Bagian ' },
      { op: 'delete', text: 'Kerja Sama' },
      { op: 'insert', text: 'Tata Pemerintahan' },
      { op: 'equal', text: ' sebagai penghubung' },
      { op: 'insert', text: ' utama' },
      { op: 'equal', text: '.' },
    ]);
    const before = naskah(2);
    const after = withPasal(before, [{ ...before.pasal[0]!, judul: 'Maksud dan Tujuan' }, before.pasal[1]!]);
    expect(diffNaskah(before, after).pasal[0]!.judul.segments).toEqual([
      { op: 'delete', text: 'Ketentuan 1' },
      { op: 'insert', text: 'Maksud dan Tujuan' },
    ]);
  });

  it('cuts texts into words, punctuation and white space, and ignores a mere change of spacing', () => {
    const text = 'Rp10.000,00 (sepuluh ribu) per-tahun; 2,5 persen.\nbutir';
    expect(tokenize(text)).toEqual([
      'Rp10.000,00',
      ' ',
      '(',
      'sepuluh',
      ' ',
      'ribu',
      ')',
      ' ',
      'per-tahun',
      ';',
      ' ',
      '2,5',
      ' ',
      'persen',
      '.',
      '\n',
      'butir',
    ]);
    expect(tokenize(text).join('')).toBe(text);
    expect(diffText('jangka  waktu', 'jangka waktu')).toEqual({
      changed: false,
      segments: [{ op: 'equal', text: 'jangka waktu' }],
    });
  });

  it('gives back both texts from its runs, for random edits of words, punctuation, spaces and lines', () => {
    const words = [
      'PARA',
      'PIHAK',
      'sepakat',
      'dan',
      'ayat',
      '(1)',
      'Pasal',
      '2',
      ';',
      ',',
      '.',
      'Rp10.000',
      'baik',
      '-',
    ];
    const gaps = [' ', ' ', ' ', '  ', '\n'];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const text = (tokens: string[]) => tokens.map((t, i) => (i ? gaps[next(gaps.length)] : '') + t).join('');
    const squash = (t: string) => t.replace(/\s+/g, (w) => (w.includes('\n') ? '\n' : ' '));
    for (let round = 0; round < 300; round++) {
      const before = Array.from({ length: 1 + next(30) }, () => words[next(words.length)]!);
      const after = [...before];
      for (let e = next(6); e > 0; e--) {
        const at = next(after.length + 1);
        if (next(2)) after.splice(at, 0, words[next(words.length)]!);
        else after.splice(at, 1);
      }
      const a = text(before);
      const b = text(after);
      const d = diffText(a, b);
      const join = (op: 'insert' | 'delete') =>
        d.segments
          .filter((s) => s.op !== (op === 'insert' ? 'delete' : 'insert'))
          .map((s) => s.text)
          .join('');
      expect(join('insert')).toBe(b);
      expect(squash(join('delete'))).toBe(squash(a));
      expect(d.changed).toBe(squash(a) !== squash(b));
    }
  });

  it('counts a pasal that moved and changed both ways, in the words of the summary', () => {
    const before = naskah(8);
    const moved = moveTo(before.pasal, 3, 5);
    const edited = moved.map((p) =>
      p.id === 'p-4' || p.id === 'p-2' || p.id === 'p-7' ? { ...p, judul: `${p.judul} (diubah)` } : p,
    );
    const after = withPasal(before, [edited[0]!, fresh, ...edited.slice(1).filter((p) => p.id !== 'p-8')]);
    const d = diffNaskah(before, after);
    const s = summarizeDiff(d);
    expect(s.pasal).toEqual({ changed: 3, inserted: 1, deleted: 1, moved: 1 });
    expect(s.text).toBe('3 pasal diubah, 1 pasal baru, 1 pasal dihapus, 1 pasal dipindah');
    expect(d.pasal.find((p) => p.id === 'p-4')).toMatchObject({ status: 'changed', moved: { from: 4, to: 7 } });
  });
});

describe('diffNaskah: ayat, recitals, title, adendum and English', () => {
  it('shows an ayat inserted and an ayat moved inside a pasal', () => {
    const before = naskah(2);
    const p1 = before.pasal[0]!;
    const a3 = ayat('a-1-3', 'Ketentuan lebih lanjut diatur dalam perjanjian kerja sama.');
    const after = withPasal(before, [{ ...p1, ayat: [p1.ayat[1]!, a3, p1.ayat[0]!] }, before.pasal[1]!]);
    const d = diffNaskah(before, after);

    const p = d.pasal[0]!;
    expect(p.status).toBe('changed');
    expect(p.moved).toBeUndefined();
    expect(p.ayat.map((a) => [a.id, a.status, a.moved ?? null])).toEqual([
      ['a-1-2', 'unchanged', { from: 2, to: 1 }],
      ['a-1-3', 'inserted', null],
      ['a-1-1', 'unchanged', null],
    ]);
    expect(d.pasal[1]!.status).toBe('unchanged');
  });

  it('shows a deleted ayat after the ayat that preceded it', () => {
    const before = naskah(1);
    const p1 = before.pasal[0]!;
    const after = withPasal(before, [{ ...p1, ayat: [p1.ayat[1]!] }]);
    const d = diffNaskah(before, after);
    expect(d.pasal[0]!.ayat.map((a) => [a.id, a.status, a.beforeNo, a.afterNo])).toEqual([
      ['a-1-1', 'deleted', 1, undefined],
      ['a-1-2', 'unchanged', 2, 1],
    ]);
  });

  it('diffs the title, the recitals, the legal basis and an adendum’s reference to its agreement', () => {
    const induk = { nomor: '000.5.4/001/KS/2026', tanggal: '16 Desember 2026', tentang: 'Pengelolaan Sampah' };
    const before: NaskahContent = { ...naskah(1), jenis: 'adendum', induk };
    const after: NaskahContent = {
      ...before,
      tentang: 'Kerja Sama Pengelolaan Sampah Terpadu',
      pertimbangan: [
        before.pertimbangan[1]!,
        { id: 'b-3', teks: 'bahwa diperlukan kesepakatan bersama;' },
        { ...before.pertimbangan[0]!, teks: 'bahwa pengelolaan sampah merupakan urusan pemerintahan konkuren;' },
      ],
      dasar: [],
      induk: { ...induk, nomor: '000.5.4/002/KS/2026' },
    };
    const d = diffNaskah(before, after);

    expect(d.tentang.segments).toEqual([
      { op: 'equal', text: 'Kerja Sama Pengelolaan Sampah' },
      { op: 'insert', text: ' Terpadu' },
    ]);
    expect(d.pertimbangan.map((b) => [b.id, b.status, b.moved ?? null])).toEqual([
      ['b-2', 'unchanged', { from: 2, to: 1 }],
      ['b-3', 'inserted', null],
      ['b-1', 'changed', null],
    ]);
    expect(d.pertimbangan[2]!.teks.segments).toContainEqual({ op: 'delete', text: 'wajib' });
    expect(d.pertimbangan[2]!.teks.segments).toContainEqual({ op: 'insert', text: 'konkuren' });
    expect(d.dasar.map((b) => [b.id, b.status])).toEqual([['d-1', 'deleted']]);
    expect(d.induk).toMatchObject({ changed: true, tanggal: { changed: false } });
    // A number's parts are tokens of their own: only the part that changed is marked.
    expect(d.induk!.nomor.segments).toEqual([
      { op: 'equal', text: '000.5.4/' },
      { op: 'delete', text: '001' },
      { op: 'insert', text: '002' },
      { op: 'equal', text: '/KS/2026' },
    ]);
    expect(summarizeDiff(d).text).toBe(
      'Judul naskah diubah, rujukan naskah yang diubah diganti, 1 butir pertimbangan diubah, 1 butir pertimbangan baru, 1 butir pertimbangan dipindah, 1 butir dasar hukum dihapus',
    );
  });

  it('shows the English of a bilingual naskah changed word by word, the Indonesian untouched', () => {
    const before = naskah(3, true);
    const p3 = before.pasal[2]!;
    const after: NaskahContent = {
      ...withPasal(before, [
        before.pasal[0]!,
        before.pasal[1]!,
        {
          ...p3,
          judulEn: 'Final Provision',
          ayat: [{ ...p3.ayat[0]!, en: 'THE PARTIES carry out provision number 3 in full good faith.' }, p3.ayat[1]!],
        },
      ]),
      tentangEn: 'Cooperation on Integrated Waste Management',
    };
    const d = diffNaskah(before, after);

    expect(d.tentang.changed).toBe(false);
    expect(d.tentangEn!.segments).toEqual([
      { op: 'equal', text: 'Cooperation on ' },
      { op: 'insert', text: 'Integrated ' },
      { op: 'equal', text: 'Waste Management' },
    ]);
    const p = d.pasal[2]!;
    expect(p.status).toBe('changed');
    expect(p.judul.changed).toBe(false);
    expect(p.judulEn!.segments).toEqual([
      { op: 'delete', text: 'Provision 3' },
      { op: 'insert', text: 'Final Provision' },
    ]);
    expect(p.ayat[0]!.teks.changed).toBe(false);
    expect(p.ayat[0]!.status).toBe('changed');
    expect(p.ayat[0]!.en!.segments).toEqual([
      { op: 'equal', text: 'THE PARTIES carry out provision number 3 in ' },
      { op: 'insert', text: 'full ' },
      { op: 'equal', text: 'good faith.' },
    ]);
    expect(summarizeDiff(d).text).toBe('Judul naskah diubah, 1 pasal diubah');
  });

  it('finds no change between the same words, and a longest increasing subsequence by position', () => {
    const c = naskah(5);
    expect(diffNaskah(c, structuredClone(c)).changed).toBe(false);
    expect(summarizeDiff(diffNaskah(c, c)).text).toBe('Tidak ada perubahan');
    expect(longestIncreasing([0, 1, 2, 4, 5, 3, 6, 7])).toEqual([0, 1, 2, 3, 4, 6, 7]);
    expect(longestIncreasing([])).toEqual([]);
  });
});

// ─── The comparison base and the view ─────────────────────────────────────────────────────────────────────────

const CASE = 'K-2026-0001';
const person = (id: string) => ({ id, nama: `Nama ${id}`, jabatan: `Jabatan ${id}` });

function saved(versi: number, content: NaskahContent, at: string, by = person('staf')): HistoryEvent {
  return {
    caseId: CASE,
    eventKey: naskahEventKey(versi),
    type: NASKAH_FACT,
    at,
    who: by,
    detail: { versi, dasar: versi - 1, isi: `sha256:isi-${versi}`, content },
  };
}

function decided(seq: number, who: string, at: string, versi?: number): HistoryEvent {
  return {
    caseId: CASE,
    eventKey: `${String(seq).padStart(5, '0')}#diputuskan`,
    type: 'tugas-diputuskan',
    at,
    seq,
    who: person(who),
    choice: 'lanjut',
    detail: { values: {}, ...(versi !== undefined ? { [DECISION_VERSION_FIELD]: versi } : {}) },
  };
}

function paraf(seq: number, at: string, versiIsi: string, versi?: number): HistoryEvent {
  return {
    caseId: CASE,
    eventKey: `${String(seq).padStart(5, '0')}#otomatis#sesudah#lanjut#0`,
    type: 'otomatis-selesai',
    at,
    seq,
    detail: {
      action: 'paraf',
      paraf: 'hierarki',
      pihak: 'kesatu',
      nama: 'Nama',
      jabatan: 'Jabatan',
      versiIsi,
      waktu: at,
      ...(versi !== undefined ? { [DECISION_VERSION_FIELD]: versi } : {}),
    },
  };
}

describe('the comparison base of a reviewer', () => {
  const versions = [1, 2, 3, 4, 5].map((versi) => ({ versi }));

  it('is the last version they acted on, else the previous version', () => {
    const acted = new Map([
      ['asisten', [1, 3]],
      ['hukum', [5]],
    ]);
    expect(pickComparisonBase(versions, acted, 'asisten')).toEqual({ before: 3, after: 5, reason: 'acted' });
    expect(pickComparisonBase(versions, acted, 'sekda')).toEqual({ before: 4, after: 5, reason: 'previous' });
    // Acting on the version in front of them leaves nothing to show: that is the answer.
    expect(pickComparisonBase(versions, acted, 'hukum')).toEqual({ before: 5, after: 5, reason: 'acted' });
    // The version in front of the reviewer may be older than the latest.
    expect(pickComparisonBase(versions, acted, 'asisten', 3)).toEqual({ before: 3, after: 3, reason: 'acted' });
    expect(pickComparisonBase(versions, acted, 'hukum', 4)).toEqual({ before: 3, after: 4, reason: 'previous' });
  });

  it('never picks a version it does not have, and has nothing to compare a single version with', () => {
    expect(pickComparisonBase([{ versi: 1 }], new Map([['a', [0]]]), 'a')).toBeUndefined();
    expect(pickComparisonBase([{ versi: 0 }, { versi: 1 }], new Map([['a', [0]]]), 'a')).toEqual({
      before: 0,
      after: 1,
      reason: 'acted',
    });
    expect(pickComparisonBase([], new Map(), 'a')).toBeUndefined();
  });

  it('reads who acted on which version from decisions and paraf facts', () => {
    const c = naskah(2);
    const history = [
      saved(1, c, '2026-12-01T02:00:00.000Z'),
      decided(3, 'asisten', '2026-12-01T03:00:00.000Z', 1),
      saved(2, c, '2026-12-02T02:00:00.000Z'),
      // A decision without a version (a step whose Output is not the konsep) is no act on the naskah.
      decided(4, 'sekda', '2026-12-02T03:00:00.000Z'),
      // A paraf whose versiIsi is the text's hash: the version that was latest when it was given.
      decided(5, 'kabag', '2026-12-02T04:00:00.000Z'),
      paraf(5, '2026-12-02T04:00:00.000Z', 'sha256:teks-lain'),
      saved(3, c, '2026-12-03T02:00:00.000Z'),
      // A paraf naming its version's content hash, and one naming the version itself.
      decided(6, 'asisten', '2026-12-03T03:00:00.000Z'),
      paraf(6, '2026-12-03T03:00:00.000Z', 'sha256:isi-3'),
      decided(7, 'hukum', '2026-12-03T04:00:00.000Z'),
      paraf(7, '2026-12-03T04:00:00.000Z', 'sha256:teks-lain', 2),
    ];
    const versions3 = [1, 2, 3].map((versi) => ({
      versi,
      isi: `sha256:isi-${versi}`,
      at: history.find((e) => e.eventKey === naskahEventKey(versi))!.at,
    }));
    expect(Object.fromEntries(actedVersions(history, versions3))).toEqual({
      asisten: [1, 3],
      kabag: [2],
      hukum: [2],
    });
  });
});

describe('the view of the changes on the task page', () => {
  it('compares the current version with the last one the reviewer acted on, pasal numbered as now', () => {
    const v1 = naskah(8);
    const v2 = withPasal(v1, [v1.pasal[0]!, fresh, ...v1.pasal.slice(1)]);
    const v3 = withPasal(v2, moveTo(v2.pasal, 4, 6));
    const history = [
      saved(1, v1, '2026-12-01T02:00:00.000Z'),
      decided(2, 'asisten', '2026-12-01T03:00:00.000Z', 1),
      saved(2, v2, '2026-12-02T02:00:00.000Z'),
      saved(3, v3, '2026-12-03T02:15:00.000Z', person('kasubbag')),
    ];
    const view = perubahanNaskah({ history, personId: 'asisten', timeZone: 'WIB' })!;

    expect(view.perbandingan).toBe('Versi 3 dibandingkan dengan versi 1, versi terakhir yang Anda tindak lanjuti.');
    expect(view.versi[0]).toEqual({
      label: 'Versi 3 (sekarang)',
      nilai: 'disimpan Kamis, 3 Desember 2026 pukul 09.15 WIB oleh Nama kasubbag (Jabatan kasubbag)',
    });
    expect(view.ringkasan).toBe('1 pasal baru, 1 pasal dipindah');
    expect(view.pasal.map((p) => [p.nomor, p.label])).toEqual([
      ['Pasal 2', 'baru'],
      ['Pasal 7', 'dipindah dari Pasal 4 ke Pasal 7'],
    ]);
    expect(view.pasalTetap).toBe('Pasal 1, 3–6 dan 8–9 tidak berubah.');

    // Someone who never acted on it sees the previous version.
    const other = perubahanNaskah({ history, personId: 'hukum', timeZone: 'WIB' })!;
    expect(other.perbandingan).toBe('Versi 3 dibandingkan dengan versi sebelumnya (versi 2).');
    expect(other.ringkasan).toBe('1 pasal dipindah');
    expect(perubahanNaskah({ history: history.slice(0, 1), personId: 'hukum', timeZone: 'WIB' })).toBeUndefined();
  });

  it('compares the first saved version with the outline when the caller gives it', () => {
    const outline = naskah(3);
    const v1 = withPasal(outline, outline.pasal.slice(0, 2));
    const view = perubahanNaskah({
      history: [saved(1, v1, '2026-12-01T02:00:00.000Z')],
      personId: 'asisten',
      timeZone: 'WITA',
      awal: outline,
    })!;
    expect(view.perbandingan).toBe('Versi 1 dibandingkan dengan versi sebelumnya (versi awal).');
    expect(view.pasal.map((p) => [p.nomor, p.label])).toEqual([['Pasal 3 lama', 'dihapus']]);
    expect(view.pasal[0]!.ayat.map((a) => [a.nomor, a.label])).toEqual([
      ['(1) lama', null],
      ['(2) lama', null],
    ]);
  });

  it('writes ranges of unchanged pasal as people read them', () => {
    expect(numberRanges([1, 2, 3, 5, 7, 8])).toBe('1–3, 5 dan 7–8');
    expect(numberRanges([4])).toBe('4');
    expect(numberRanges([2, 1])).toBe('1–2');
  });
});
