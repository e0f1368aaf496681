import { describe, expect, it } from 'vitest';
import { cutAtWord, MAX_SUBJECT } from '../functions/adapters/page-templates.ts';

describe('email subjects', () => {
  it('are cut at a word with "…", never mid-word', () => {
    const perihal = 'Kerja sama pengembangan layanan publik terpadu antara Pemerintah Kota Contoh dan Kabupaten Mitra';
    const cut = cutAtWord(`Tugas baru: L1 Mencermati dan menelaah permohonan (${perihal})`, 60);
    expect(cut).toBe('Tugas baru: L1 Mencermati dan menelaah permohonan (Kerja…');
    expect([...cut].length).toBeLessThanOrEqual(60);
    expect(cutAtWord('Pendek', 60)).toBe('Pendek');
    // A trailing separator before the cut is dropped; one very long word is still cut to the limit.
    expect(cutAtWord('Satu dua, tiga empat lima', 14)).toBe('Satu dua…');
    expect(cutAtWord('x'.repeat(300), MAX_SUBJECT)).toHaveLength(MAX_SUBJECT);
  });
});
