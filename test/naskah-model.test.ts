import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { contentFromForm, editorView } from '../core/naskah/form.ts';
import { applyOp, checkContent, contentHash, parseOp, type NaskahContent } from '../core/naskah/content.ts';
import { fill, parseOutline, startContent } from '../core/naskah/outline.ts';
import { NaskahVersions } from '../core/naskah/versions.ts';
import { MemoryCaseStore } from './support/memory-ports.ts';

const KB = parseOutline(parseYaml(readFileSync('config/naskah/kesepakatan-bersama.yaml', 'utf8')), 'kb.yaml');
const VALUES = {
  jenis: 'Kesepakatan Bersama',
  tentang: 'Kerja Sama Pengelolaan Sampah',
  bidang: 'kerja sama di bidang Pengelolaan Sampah',
  pihakKesatu: 'Pemerintah Kota Contoh',
  pihakKedua: 'Pemerintah Kabupaten Sukamaju',
  jangkaWaktu: '5 (lima)',
  rangkap: '2 (dua)',
};
let n = 0;
const seq = () => String(++n).padStart(8, '0');
const start = (): NaskahContent => startContent(KB, VALUES);
const ids = (c: NaskahContent) => c.pasal.map((p) => p.id);

describe('the pasal model', () => {
  it('starts from the outline filled with the case, with the outline ids as stable ids', () => {
    const c = start();
    expect(ids(c)).toEqual([
      'maksud-tujuan',
      'ruang-lingkup',
      'pelaksanaan',
      'jangka-waktu',
      'penghubung',
      'perubahan',
      'penutup',
    ]);
    expect(c.pasal[0]!.ayat.map((a) => a.id)).toEqual(['maksud-tujuan-1', 'maksud-tujuan-2']);
    expect(c.pasal[0]!.ayat[0]!.teks).toBe(
      'Kesepakatan Bersama ini dimaksudkan sebagai pedoman bagi PARA PIHAK dalam melaksanakan kerja sama di bidang Pengelolaan Sampah.',
    );
    expect(c.pasal[3]!.ayat[0]!.teks).toContain('jangka waktu 5 (lima) tahun');
    // A value not known yet prints as the blank a draft uses.
    expect(fill('Nomor {kbNomor}', {})).toBe('Nomor ……');
  });

  it('inserts, removes and moves pasal and ayat by stable id', () => {
    const c = start();
    const inserted = applyOp(c, { op: 'tambah-pasal', setelah: 'ruang-lingkup' }, seq);
    expect(ids(inserted)).toEqual([
      'maksud-tujuan',
      'ruang-lingkup',
      'p-00000001',
      'pelaksanaan',
      'jangka-waktu',
      'penghubung',
      'perubahan',
      'penutup',
    ]);
    expect(inserted.pasal[2]!.ayat).toEqual([{ id: 'a-00000002', teks: '' }]);
    const moved = applyOp(inserted, { op: 'naik-pasal', pasal: 'penutup' });
    expect(ids(moved).slice(-2)).toEqual(['penutup', 'perubahan']);
    const removed = applyOp(moved, { op: 'hapus-pasal', pasal: 'p-00000001' });
    expect(ids(removed)).not.toContain('p-00000001');
    const ayat = applyOp(c, { op: 'turun-ayat', pasal: 'maksud-tujuan', ayat: 'maksud-tujuan-1' });
    expect(ayat.pasal[0]!.ayat.map((a) => a.id)).toEqual(['maksud-tujuan-2', 'maksud-tujuan-1']);
    // Moving the first up or an unknown id changes nothing.
    expect(applyOp(c, { op: 'naik-pasal', pasal: 'maksud-tujuan' })).toEqual(c);
    expect(applyOp(c, { op: 'hapus-pasal', pasal: 'p-tidakada' })).toEqual(c);
    expect(parseOp('naik-ayat:maksud-tujuan:maksud-tujuan-1')).toEqual({
      op: 'naik-ayat',
      pasal: 'maksud-tujuan',
      ayat: 'maksud-tujuan-1',
    });
    expect(parseOp('hapus-semua')).toBeUndefined();
  });

  it('refuses empty and unsafe text naming the pasal and ayat as printed; cleans what is harmless', () => {
    const c = applyOp(start(), { op: 'tambah-pasal', setelah: 'maksud-tujuan' }, seq);
    const bad = checkContent(
      {
        ...c,
        pasal: c.pasal.map((p, i) =>
          i === 0 ? { ...p, ayat: [p.ayat[0]!, { ...p.ayat[1]!, teks: 'jahat \u202Eteks' }] } : p,
        ),
      },
      { bilingual: false, adendum: false },
    );
    expect(bad.ok).toBe(false);
    const messages = bad.ok ? [] : bad.issues.map((i) => i.message);
    expect(messages).toContain('Pasal 2, judul wajib diisi');
    expect(messages).toContain('Pasal 2 wajib diisi');
    expect(messages.some((m) => m.startsWith('Pasal 1 ayat (2): berisi karakter tak terlihat pengatur arah'))).toBe(
      true,
    );
    const soft = checkContent(
      { ...start(), tentang: 'Kerja\u00ADSama Pengelolaan Sampah' },
      { bilingual: false, adendum: false },
    );
    expect(soft.ok && soft.content.tentang).toBe('KerjaSama Pengelolaan Sampah');
  });

  it('reads a posted editor form back in the posted order, and draws the same form', () => {
    const c = applyOp(start(), { op: 'tambah-pasal' }, seq);
    const view = editorView(c, KB, 3);
    const form: Record<string, string> = Object.fromEntries(view.order.map((o) => [o.name, o.value]));
    form[view.tentang.name] = view.tentang.value;
    for (const p of view.pasal) {
      form[p.judul.name] = p.judul.value;
      for (const a of p.ayat) form[a.name] = a.value;
    }
    expect(contentFromForm(form, 'kesepakatan-bersama')).toEqual(c);
    expect(view.kosong).toEqual([]);
    // An id the editor never drew (a forged field) is ignored.
    expect(contentFromForm({ ...form, n_urutan: `${form.n_urutan},../x` }, 'kesepakatan-bersama')).toEqual(c);
  });
});

describe('content versions', () => {
  const who = { by: { id: 'kasubbag', nama: 'Rina', jabatan: 'Kepala Subbagian' }, at: '2026-12-07T02:00:00.000Z' };
  const edit = (c: NaskahContent, text: string): NaskahContent => ({
    ...c,
    pasal: c.pasal.map((p, i) => (i === 0 ? { ...p, judul: text } : p)),
  });

  it('writes each version once, conditional on the version it was edited from', async () => {
    const versions = new NaskahVersions(new MemoryCaseStore());
    const c0 = start();
    const first = await versions.save({ caseId: 'K1', dasar: 0, content: edit(c0, 'Maksud'), ...who });
    expect(first).toMatchObject({ ok: true, created: true, version: { versi: 1, dasar: 0 } });
    // A stale save (edited from version 0 while 1 exists) is refused, naming the latest.
    const stale = await versions.save({ caseId: 'K1', dasar: 0, content: edit(c0, 'Lain'), ...who });
    expect(stale).toMatchObject({ ok: false, current: { versi: 1 } });
    // A retry of the same save finds its version; the same words save nothing.
    const retry = await versions.save({ caseId: 'K1', dasar: 0, content: edit(c0, 'Maksud'), ...who });
    expect(retry).toMatchObject({ ok: true, created: false, version: { versi: 1 } });
    const second = await versions.save({ caseId: 'K1', dasar: 1, content: edit(c0, 'Tujuan'), ...who });
    expect(second).toMatchObject({ ok: true, created: true, version: { versi: 2 } });
    const all = await versions.list('K1');
    expect(all.map((v) => v.versi)).toEqual([1, 2]);
    expect(all[1]!.isi).toBe(contentHash(edit(c0, 'Tujuan')));
  });

  it('lets one of two concurrent saves of the same base win; the other is stale', async () => {
    const versions = new NaskahVersions(new MemoryCaseStore());
    const c0 = start();
    const results = await Promise.all([
      versions.save({ caseId: 'K2', dasar: 0, content: edit(c0, 'A'), ...who }),
      versions.save({ caseId: 'K2', dasar: 0, content: edit(c0, 'B'), ...who }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toHaveLength(1);
    expect(await versions.list('K2')).toHaveLength(1);
  });
});

describe('outline files', () => {
  it('fills a bilingual kind with its English title when the case has one, else the blank to fill', () => {
    const mou = parseOutline(parseYaml(readFileSync('config/naskah/mou-luar-negeri.yaml', 'utf8')), 'mou.yaml');
    expect(startContent(mou, { ...VALUES, tentangEn: 'Cooperation on Waste Management' }).tentangEn).toBe(
      'Cooperation on Waste Management',
    );
    expect(startContent(mou, VALUES).tentangEn).toBe('……');
    // Every pasal of the MoU starts with its English beside it.
    expect(startContent(mou, VALUES).pasal.every((p) => p.judulEn && p.ayat.every((a) => a.en))).toBe(true);
  });

  it('refuses an unknown placeholder and a bilingual text without English, naming the file and the place', () => {
    expect(() =>
      parseOutline(
        {
          id: 'x',
          nama: 'X',
          judul: 'X',
          meterai: false,
          bilingual: true,
          pasal: [{ id: 'a', judul: 'A', judulEn: 'A', ayat: ['{tidakAda}'] }],
        },
        'config/naskah/x.yaml',
      ),
    ).toThrow(
      /config\/naskah\/x\.yaml: pasal\.0\.ayat\.0\.en: wajib untuk naskah dwibahasa[\s\S]*isian \{tidakAda\} tidak dikenal/,
    );
  });
});
