import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DirectorySchema, type Person } from '../core/directory/directory.ts';
import {
  assembleDocument,
  CASE_FIELDS,
  naskahContentVersion,
  naskahText,
  type CaseDocumentContext,
  type Official,
} from '../core/documents/assemble.ts';
import { DOCUMENTS } from '../core/documents/index.ts';
import { KesepakatanBersamaSchema, prepareKesepakatanBersama } from '../core/documents/kesepakatan-bersama.ts';
import { badInput } from './support/bad-input.ts';
import { GENERATED_DOCUMENTS, type GeneratedDocument } from '../core/sop/schema.ts';
import { DocumentTemplates } from '../functions/render/templates.ts';

/**
 * Document assembly: what a case collected, the pemda profile and the officials become the input of each document
 * template an SOP step generates. Pure; the last checks print the HTML with the real templates (no Chromium).
 */
const directory = DirectorySchema.parse(
  parseYaml(readFileSync(join(import.meta.dirname, '..', 'config', 'pemda', 'kota-contoh.yaml'), 'utf8')),
);
const { pemda } = directory;
const person = (id: string): Person => {
  const p = directory.people.find((x) => x.id === id);
  if (!p) throw new Error(`no person ${id}`);
  return p;
};
const official = (p: Person, jabatan = p.jabatan): Official => ({
  nama: p.nama,
  jabatan,
  ...(p.nip ? { nip: p.nip } : {}),
  ...(p.pangkat ? { pangkat: p.pangkat } : {}),
});

/** The blank a draft prints for a number or a name not known yet. */
const KOSONG = '……………………';

const DATE_FIELDS = new Set([
  'rapat-hari-tanggal',
  'rapat-tanggal',
  'naskah-tanggal',
  'tanggal-mulai',
  'tanggal-berakhir',
  'disposisi-surat-tanggal',
  'disposisi-diterima',
]);

/** Lists of people: one format, "nama | jabatan | instansi" (core/validation/daftar-hadir.ts). */
const PEOPLE_FIELDS = new Set(['rapat-peserta', 'notulen-peserta']);

/**
 * Every field CASE_FIELDS names, filled with plain sample text (dates, numbers and lists of people where the field
 * wants them; a notulis other than the pimpinan, who is the signer of the context).
 */
const sampleData = (): Record<string, string | number> => {
  const data: Record<string, string | number> = {};
  for (const field of new Set(Object.values(CASE_FIELDS).flat()))
    data[field] = DATE_FIELDS.has(field)
      ? '2026-12-01'
      : field === 'naskah-jangka-waktu'
        ? 1
        : PEOPLE_FIELDS.has(field)
          ? `Isian contoh nama | jabatan untuk ${field} | instansi`
          : field === 'notulen-pencatat'
            ? 'Rizky Pratama, S.Sos. | Analis Kerja Sama | 199301052019031007 | Penata Muda Tingkat I (III/b)'
            : `Isian contoh untuk ${field}`;
  return data;
};

const context = (over: Partial<CaseDocumentContext> = {}): CaseDocumentContext => ({
  caseId: 'KS-2026-0007',
  perihal: 'Permohonan Kesepakatan Bersama Penyelenggaraan Pemerintahan dan Pembangunan Daerah',
  pemohon: { nama: 'Agus Salim, S.IP.', instansi: 'Pemerintah Kabupaten Sukamaju', email: 'agus@sukamaju.test' },
  data: {},
  pemda: {
    nama: pemda.nama,
    kop: pemda.kop,
    ...(pemda.alamat ? { alamat: pemda.alamat } : {}),
    dokumen: pemda.dokumen,
  },
  tanggal: '2026-11-23',
  penandatangan: official(person('kabag-ks')),
  kepalaDaerah: official(person('walikota'), pemda.dokumen.kepalaDaerah.jabatan),
  nomor: {},
  ...over,
});

/** The Kota Contoh naskah with Kabupaten Sukamaju, as the case collected it. */
const KB_DATA = {
  'naskah-tentang': 'Kerja Sama Penyelenggaraan Pemerintahan dan Pembangunan Daerah',
  'naskah-maksud':
    'Sebagai pedoman bagi PARA PIHAK dalam melaksanakan kerja sama penyelenggaraan pemerintahan dan pembangunan daerah.',
  'naskah-tujuan':
    'Meningkatkan efektivitas penyelenggaraan pemerintahan serta pelayanan publik di wilayah PARA PIHAK.',
  'naskah-ruang-lingkup':
    '- pengembangan sistem pemerintahan berbasis elektronik;\n• pengelolaan sampah di wilayah perbatasan;\n\n3. peningkatan kapasitas aparatur sipil negara.',
  'naskah-jangka-waktu': '45',
  'pihak-mitra': 'Pemerintah Kabupaten Sukamaju',
  'mitra-alamat': 'Jalan Raya Sukamaju No. 10, Sukamaju',
  'mitra-penandatangan-nama': 'H. Dedi Kurniawan, S.E.',
  'mitra-penandatangan-jabatan': 'Bupati Sukamaju',
  'mitra-nomor': '130/77/PEM/2026',
  'mitra-penghubung-unit': 'Bagian Pemerintahan Sekretariat Daerah Kabupaten Sukamaju',
  'mitra-penghubung-telepon': '(0124) 22110',
};

const PARAF: NonNullable<CaseDocumentContext['paraf']> = {
  kesatu: {
    hierarki: [
      { jabatan: 'Kepala Bagian Kerjasama', nama: 'Hendra Gunawan, S.H., M.H.', tanggal: '2026-11-18' },
      { jabatan: 'Asisten Pemerintahan dan Kesejahteraan Rakyat', nama: 'Drs. Bambang Purnomo, M.AP.' },
      { jabatan: 'Sekretaris Daerah', nama: 'Ir. Siti Rahmawati, M.Si.' },
      { jabatan: 'Pejabat keempat', nama: 'Tidak tercetak' },
    ],
    koordinasi: [{ jabatan: 'Kepala Bagian Hukum', nama: 'Andi Saputra, S.H.', tanggal: '2026-11-19' }],
  },
  kedua: { hierarki: [{ jabatan: 'Sekretaris Daerah Kabupaten Sukamaju' }], koordinasi: [] },
};

const kb = (ctx: CaseDocumentContext) => {
  const a = assembleDocument('kesepakatan-bersama', ctx);
  if (a.template !== 'kesepakatan-bersama') throw new Error('not a naskah');
  return a.input;
};

describe('assembleDocument', () => {
  it.each(GENERATED_DOCUMENTS)('assembles %s from the sample case data and passes its schema', (name) => {
    const assembled = assembleDocument(name, context({ data: sampleData(), nomor: { naskah: '000.5.4/007/KS/2026' } }));
    expect(assembled.template).toBe(name);
    expect(() => DOCUMENTS[name].schema.parse(assembled.input)).not.toThrow();
  });

  it('lists the fields each document reads', () => {
    expect(Object.keys(CASE_FIELDS).sort()).toEqual([...GENERATED_DOCUMENTS].sort());
    expect(CASE_FIELDS['kesepakatan-bersama']).toEqual(
      expect.arrayContaining(['naskah-tentang', 'naskah-ruang-lingkup', 'pihak-mitra', 'mitra-nomor']),
    );
  });

  describe('the Kesepakatan Bersama', () => {
    const ctx = context({ data: KB_DATA, nomor: { naskah: '000.5.4/007/KS/2026' }, paraf: PARAF });

    it('carries both numbers, both parties, the tempat and the kepala daerah as PIHAK KESATU', () => {
      const input = kb(ctx);
      expect(input.jenis).toBe('kesepakatan-bersama');
      expect(input.tempat).toBe('Kota Contoh');
      expect(input.tanggal).toBe('2026-11-23');
      expect(input.pihakKesatu).toMatchObject({
        instansi: 'Pemerintah Kota Contoh',
        nomor: '000.5.4/007/KS/2026',
        alamat: 'Jalan Merdeka No. 1, Kota Contoh',
        penandatangan: { jabatan: 'WALIKOTA CONTOH', nama: 'Dr. H. Ahmad Wijaya', tingkat: 'kepala-daerah' },
        penghubung: { unit: 'Bagian Kerjasama Sekretariat Daerah Kota Contoh', pejabat: 'Kepala Bagian Kerjasama' },
      });
      expect(input.pihakKedua).toMatchObject({
        instansi: 'Pemerintah Kabupaten Sukamaju',
        nomor: '130/77/PEM/2026',
        alamat: 'Jalan Raya Sukamaju No. 10, Sukamaju',
        penandatangan: { jabatan: 'BUPATI SUKAMAJU', nama: 'H. Dedi Kurniawan, S.E.', tingkat: 'kepala-daerah' },
        penghubung: {
          unit: 'Bagian Pemerintahan Sekretariat Daerah Kabupaten Sukamaju',
          alamat: 'Jalan Raya Sukamaju No. 10, Sukamaju',
          telepon: '(0124) 22110',
        },
      });
    });

    it('reads the ruang lingkup one item per line without list marks, and clamps the jangka waktu', () => {
      const input = kb(ctx);
      expect(input.ruangLingkup).toEqual([
        'pengembangan sistem pemerintahan berbasis elektronik;',
        'pengelolaan sampah di wilayah perbatasan;',
        'peningkatan kapasitas aparatur sipil negara.',
      ]);
      expect(input.jangkaWaktu).toEqual({ tahun: 30 });
      const years = (v: unknown) =>
        kb(context({ data: { ...KB_DATA, 'naskah-jangka-waktu': v as string } })).jangkaWaktu.tahun;
      expect(years(0)).toBe(1);
      expect(years('3 (tiga) tahun')).toBe(3);
      expect(years('lima')).toBe(5);
      expect(years(undefined)).toBe(5);
    });

    it('maps the valid paraf: at most three hierarki, and the koordinasi under them', () => {
      const input = kb(ctx);
      expect(input.pihakKesatu.paraf).toEqual(PARAF.kesatu.hierarki.slice(0, 3));
      expect(input.pihakKesatu.parafKoordinasi).toEqual(PARAF.kesatu.koordinasi);
      expect(input.pihakKedua.paraf).toEqual([{ jabatan: 'Sekretaris Daerah Kabupaten Sukamaju' }]);
      expect(input.pihakKedua.parafKoordinasi).toEqual([]);

      const view = prepareKesepakatanBersama(KesepakatanBersamaSchema.parse(input));
      expect(view.adaParaf).toBe(true);
      expect(view.parafBaris).toHaveLength(3);
      expect(view.parafBaris[0]).toMatchObject({
        kesatu: { jabatan: 'Kepala Bagian Kerjasama', tanggal: '18 November 2026' },
        kedua: { jabatan: 'Sekretaris Daerah Kabupaten Sukamaju', nama: null, tanggal: null },
      });
      expect(view.parafBaris[2]!.kedua).toBeNull();
      expect(view.parafKoordinasiBaris).toEqual([
        {
          no: 1,
          kesatu: { no: 1, jabatan: 'Kepala Bagian Hukum', nama: 'Andi Saputra, S.H.', tanggal: '19 November 2026' },
          kedua: null,
        },
      ]);
    });

    it('prints the place and the date in words in the opening of the prepared view', () => {
      const view = prepareKesepakatanBersama(KesepakatanBersamaSchema.parse(kb(ctx)));
      expect(view.pembuka).toBe(
        'Pada hari ini Senin tanggal dua puluh tiga bulan November tahun dua ribu dua puluh enam, bertempat di Kota Contoh, yang bertanda tangan di bawah ini:',
      );
      expect(view.pembuka).toMatch(/^Pada hari ini \S+ tanggal .+ bulan \S+ tahun .+/);
      expect(view.judulBaris).toEqual([
        'ANTARA',
        'PEMERINTAH KOTA CONTOH',
        'DENGAN',
        'PEMERINTAH KABUPATEN SUKAMAJU',
        'TENTANG',
      ]);
    });

    it('falls back to defaults derived from the perihal, the pemohon and the pemda', () => {
      const input = kb(context());
      expect(input.tentang).toBe('Penyelenggaraan Pemerintahan dan Pembangunan Daerah');
      expect(input.maksud).toContain('PARA PIHAK');
      expect(input.tujuan).toContain('Penyelenggaraan Pemerintahan dan Pembangunan Daerah');
      expect(input.ruangLingkup).toEqual(['kerja sama di bidang Penyelenggaraan Pemerintahan dan Pembangunan Daerah']);
      expect(input.jangkaWaktu).toEqual({ tahun: 5 });
      expect(input.pihakKesatu.nomor).toBe(KOSONG);
      expect(input.pihakKedua).toMatchObject({
        instansi: 'Pemerintah Kabupaten Sukamaju',
        nomor: KOSONG,
        alamat: '-',
        penandatangan: { nama: KOSONG, jabatan: KOSONG },
        penghubung: { unit: 'Pemerintah Kabupaten Sukamaju', alamat: '-' },
      });
      expect(input.pihakKesatu.paraf).toEqual([]);
      expect(input.rencanaAksi).toBeUndefined();
      expect(input).not.toHaveProperty('konsep');
      expect(input).not.toHaveProperty('tte');
      expect(() => KesepakatanBersamaSchema.parse(input)).not.toThrow();
    });

    it('becomes a Nota Kesepakatan with its lampiran rencana aksi', () => {
      const input = kb(
        context({
          data: {
            ...KB_DATA,
            'naskah-jenis': 'nota-kesepakatan',
            'naskah-rencana-aksi': 'Penyusunan rencana kerja | Januari 2027 | PARA PIHAK\nPelatihan aparatur',
          },
        }),
      );
      expect(input.jenis).toBe('nota-kesepakatan');
      expect(input.rencanaAksi).toEqual([
        { kegiatan: 'Penyusunan rencana kerja', waktu: 'Januari 2027', penanggungJawab: 'PARA PIHAK' },
        { kegiatan: 'Pelatihan aparatur', waktu: 'Menyesuaikan kesepakatan PARA PIHAK', penanggungJawab: 'PARA PIHAK' },
      ]);
      expect(naskahText(context({ data: { ...KB_DATA, 'naskah-jenis': 'nota-kesepakatan' } })).judul).toMatch(
        /^NOTA KESEPAKATAN ANTARA/,
      );
    });

    it('marks a draft KONSEP, and carries the electronic-signature area of the final', () => {
      expect(kb({ ...ctx, konsep: true }).konsep).toBe(true);
      const tte = { qr: 'https://sepakat.test/verifikasi/1', keterangan: 'Ditandatangani secara elektronik (uji).' };
      expect(kb({ ...ctx, tte }).tte).toEqual(tte);
    });
  });

  describe('the letters', () => {
    it('invites to the meeting from the case data, on the pemda kop, signed a.n. the kepala daerah', () => {
      const a = assembleDocument(
        'surat-undangan',
        context({
          data: {
            'rapat-hari-tanggal': 'Kamis, 26 November 2026',
            'rapat-peserta':
              '1. Andi Saputra, S.H. | Kepala Bagian Hukum | Sekretariat Daerah Kota Contoh\n2. H. Agus Salim | Kepala Bagian Pemerintahan | Kabupaten Sukamaju',
            'rapat-pimpinan': 'Kepala Bagian Kerjasama',
          },
          nomor: { 'surat-undangan': '000.5/412/KS/2026' },
        }),
      );
      if (a.template !== 'surat-undangan') throw new Error('wrong template');
      expect(a.input).toMatchObject({
        kop: {
          baris: ['PEMERINTAH KOTA CONTOH', 'SEKRETARIAT DAERAH', 'BAGIAN KERJASAMA'],
          alamat: 'Jalan Merdeka No. 1, Kota Contoh',
          kontak: pemda.dokumen.kontak,
        },
        tempat: 'Kota Contoh',
        nomor: '000.5/412/KS/2026',
        rapat: {
          tanggal: '2026-11-26',
          waktu: '09.00 WIB s.d. selesai',
          tempat: 'Ruang Rapat Bagian Kerjasama',
          acara: 'Pembahasan Permohonan Kesepakatan Bersama Penyelenggaraan Pemerintahan dan Pembangunan Daerah',
          pimpinan: 'Kepala Bagian Kerjasama',
        },
        penandatangan: {
          nama: 'Hendra Gunawan, S.H., M.H.',
          tingkat: 'pejabat',
          nip: '197806172003121003',
          atasNama: 'WALIKOTA CONTOH',
          untukBeliau: 'Sekretaris Daerah',
        },
        daftarUndangan: [
          { nama: 'Andi Saputra, S.H.', jabatan: 'Kepala Bagian Hukum', instansi: 'Sekretariat Daerah Kota Contoh' },
          { nama: 'H. Agus Salim', jabatan: 'Kepala Bagian Pemerintahan', instansi: 'Kabupaten Sukamaju' },
        ],
      });
    });

    it('invites the pemohon when no guest list was recorded, and refuses an invitation without a date', () => {
      const a = assembleDocument('surat-undangan', context({ data: { 'rapat-tanggal': '2026-11-30' } }));
      if (a.template !== 'surat-undangan') throw new Error('wrong template');
      expect(a.input.nomor).toBe(KOSONG);
      expect(a.input.daftarUndangan).toEqual([
        { nama: 'Agus Salim, S.IP.', instansi: 'Pemerintah Kabupaten Sukamaju' },
      ]);
      expect(badInput(() => assembleDocument('surat-undangan', context()))).toContain('rapat-tanggal');
      expect(
        badInput(() => assembleDocument('surat-undangan', context({ data: { 'rapat-tanggal': 'minggu depan' } }))),
      ).toContain('rapat-tanggal');
    });

    it('sends the signed naskah to the head of the partner with the surat pengantar', () => {
      const a = assembleDocument(
        'surat-pengantar',
        context({ data: KB_DATA, nomor: { naskah: '000.5.4/007/KS/2026', 'surat-pengantar': '000.5/498/KS/2026' } }),
      );
      if (a.template !== 'surat-pengantar') throw new Error('wrong template');
      expect(a.input).toMatchObject({
        nomor: '000.5/498/KS/2026',
        kepada: 'Bupati Sukamaju',
        alamatTujuan: 'Jalan Raya Sukamaju No. 10, Sukamaju',
        naskah: [
          {
            uraian:
              'Naskah Kesepakatan Bersama antara Pemerintah Kota Contoh dengan Pemerintah Kabupaten Sukamaju tentang Kerja Sama Penyelenggaraan Pemerintahan dan Pembangunan Daerah Nomor 000.5.4/007/KS/2026 dan Nomor 130/77/PEM/2026',
            banyaknya: '1 (satu) berkas',
            keterangan: 'Disampaikan dengan hormat untuk dipergunakan sebagaimana mestinya.',
          },
        ],
      });
      const company = assembleDocument(
        'surat-pengantar',
        context({
          data: { 'pihak-mitra': 'PT Air Bersih Nusantara', 'mitra-penandatangan-jabatan': 'Direktur Utama' },
        }),
      );
      expect(company.input).toMatchObject({ kepada: 'Direktur Utama PT Air Bersih Nusantara' });
      expect(company.input).not.toHaveProperty('alamatTujuan');
    });

    it('writes the nota dinas from the sender, with paragraphs and points, and asks for its addressee', () => {
      const a = assembleDocument(
        'nota-dinas',
        context({
          data: {
            'nota-dinas-kepada': 'Sekretaris Daerah',
            'nota-dinas-isi': 'Dengan hormat,\nbersama ini kami sampaikan naskah final.\n\nMohon paraf.',
            'nota-dinas-butir': '1. Naskah telah dikoreksi.\n2. Naskah telah diparaf Kepala Bagian.',
          },
          penandatangan: { ...official(person('kabag-ks')), sebagai: 'Plh' },
        }),
      );
      expect(a.input).toMatchObject({
        kepada: 'Sekretaris Daerah',
        dari: 'Plh. Kepala Bagian Kerjasama',
        hal: 'Permohonan Kesepakatan Bersama Penyelenggaraan Pemerintahan dan Pembangunan Daerah',
        isi: ['Dengan hormat, bersama ini kami sampaikan naskah final.', 'Mohon paraf.'],
        butir: ['Naskah telah dikoreksi.', 'Naskah telah diparaf Kepala Bagian.'],
        penandatangan: { status: 'Plh.', tingkat: 'pejabat' },
      });
      expect(a.input).not.toHaveProperty('penandatangan.atasNama');
      expect(badInput(() => assembleDocument('nota-dinas', context()))).toContain('nota-dinas-kepada');
    });

    it('addresses the telaahan staf to the kepala daerah by default, with one item per line', () => {
      const a = assembleDocument(
        'telaahan-staf',
        context({ data: { 'telaahan-fakta': 'Surat diterima 2 September 2026.\nRapat TKKSD telah dilaksanakan.' } }),
      );
      if (a.template !== 'telaahan-staf') throw new Error('wrong template');
      expect(a.input.kepada).toBe('Walikota Contoh');
      expect(a.input.dari).toBe('Kepala Bagian Kerjasama');
      expect(a.input.fakta).toEqual(['Surat diterima 2 September 2026.', 'Rapat TKKSD telah dilaksanakan.']);
      expect(a.input.persoalan).toContain('Pemerintah Kabupaten Sukamaju');
      expect(a.input.saran).toHaveLength(1);
    });

    it('records the notulen with its topics, and refuses minutes without a discussion', () => {
      const a = assembleDocument(
        'notulen-rapat',
        context({
          data: {
            'rapat-tanggal': '2026-11-26',
            'notulen-pencatat':
              'Rizky Pratama, S.Sos. | Analis Kerja Sama | 199301052019031007 | Penata Muda Tingkat I (III/b)',
            'notulen-peserta': 'Hendra Gunawan, S.H., M.H. | Kepala Bagian Kerjasama | Setda Kota Contoh',
            'notulen-pembahasan':
              'Ruang lingkup:\nPeserta sepakat atas empat bidang.\n\nJangka waktu lima tahun dapat diperpanjang.',
            'notulen-kesimpulan': '- Draf disetujui dengan perbaikan.',
            'notulen-tindak-lanjut': 'Menyampaikan draf perbaikan | Bagian Pemerintahan | 2026-11-30',
          },
          nomor: { 'surat-undangan': '000.5/412/KS/2026' },
        }),
      );
      if (a.template !== 'notulen-rapat') throw new Error('wrong template');
      expect(a.input).toMatchObject({
        rapat: 'Rapat Pembahasan Permohonan Kesepakatan Bersama Penyelenggaraan Pemerintahan dan Pembangunan Daerah',
        tanggal: '2026-11-26',
        undangan: '000.5/412/KS/2026',
        pimpinan: { nama: 'Hendra Gunawan, S.H., M.H.' },
        pencatat: { nama: 'Rizky Pratama, S.Sos.', nip: '199301052019031007' },
        pembahasan: [
          { topik: 'Ruang lingkup', uraian: ['Peserta sepakat atas empat bidang.'] },
          {
            topik: 'Pembahasan Permohonan Kesepakatan Bersama Penyelenggaraan Pemerintahan dan Pembangunan Daerah',
            uraian: ['Jangka waktu lima tahun dapat diperpanjang.'],
          },
        ],
        keputusan: ['Draf disetujui dengan perbaikan.'],
        tindakLanjut: [
          { uraian: 'Menyampaikan draf perbaikan', penanggungJawab: 'Bagian Pemerintahan', batasWaktu: '2026-11-30' },
        ],
      });
      expect(badInput(() => assembleDocument('notulen-rapat', context()))).toContain('notulen-pembahasan');
    });

    it('fills the lembar disposisi from the arahan of the step', () => {
      const a = assembleDocument(
        'lembar-disposisi',
        context({
          data: { arahan: 'Siapkan rapat koordinasi.', 'disposisi-harap': 'disiapkan rapat, koordinasi' },
          penandatangan: official(person('sekda')),
        }),
      );
      if (a.template !== 'lembar-disposisi') throw new Error('wrong template');
      expect(a.input.surat).toMatchObject({
        dari: 'Pemerintah Kabupaten Sukamaju',
        // The incoming letter's number and date are not known to this case: the blank of the form, not a guess.
        nomor: KOSONG,
        nomorAgenda: 'KS-2026-0007',
        sifat: 'Biasa',
        perihal: 'Permohonan Kesepakatan Bersama Penyelenggaraan Pemerintahan dan Pembangunan Daerah',
      });
      expect(a.input.disposisi).toEqual([
        {
          dari: 'Sekretaris Daerah',
          kepada: ['Kepala Bagian Kerjasama'],
          harap: ['Koordinasi/konfirmasi', 'Disiapkan rapat'],
          arahan: 'Siapkan rapat koordinasi.',
          tanggal: '2026-11-23',
          nama: 'Ir. Siti Rahmawati, M.Si.',
        },
      ]);
      expect(a.input.surat).not.toHaveProperty('tanggal');
    });

    it('reports the cooperation from the signed naskah, and asks for the date it was signed', () => {
      const a = assembleDocument(
        'laporan-pelaksanaan',
        context({
          data: {
            ...KB_DATA,
            'naskah-jangka-waktu': 5,
            'naskah-tanggal': '2026-12-01',
            'laporan-kegiatan': 'Pelatihan aparatur | Maret 2027 | 100%\nKunjungan teknis',
            'laporan-hasil': 'Tersedia 40 tenaga terlatih.',
            'laporan-rekomendasi': 'Diperluas',
          },
          nomor: { naskah: '000.5.4/007/KS/2026' },
        }),
      );
      if (a.template !== 'laporan-pelaksanaan') throw new Error('wrong template');
      expect(a.input).toMatchObject({
        dasar: [{ jenis: 'Kesepakatan Bersama', nomor: '000.5.4/007/KS/2026', tanggal: '2026-12-01' }],
        paraPihak: ['Pemerintah Kota Contoh', 'Pemerintah Kabupaten Sukamaju'],
        jangkaWaktu: { mulai: '2026-12-01', berakhir: '2031-11-30' },
        kegiatan: [
          { uraian: 'Pelatihan aparatur', waktu: 'Maret 2027', realisasi: '100%' },
          { uraian: 'Kunjungan teknis', waktu: '-', realisasi: 'Terlaksana' },
        ],
        rekomendasi: 'diperluas',
      });
      const recorded = assembleDocument(
        'laporan-pelaksanaan',
        context({
          data: {
            'tanggal-mulai': '2027-01-20',
            'tanggal-berakhir': '2030-01-19',
            'laporan-kegiatan': 'Pelatihan',
            'laporan-hasil': 'Hasil',
          },
        }),
      );
      expect(recorded.input).toMatchObject({
        dasar: [{ tanggal: '2027-01-20', nomor: KOSONG }],
        jangkaWaktu: { mulai: '2027-01-20', berakhir: '2030-01-19' },
      });
      expect(badInput(() => assembleDocument('laporan-pelaksanaan', context({ data: KB_DATA })))).toContain(
        'naskah-tanggal',
      );
    });

    it('refuses a signature of an official without NIP and pangkat', () => {
      const message = badInput(() =>
        assembleDocument(
          'nota-dinas',
          context({
            data: { 'nota-dinas-kepada': 'Sekretaris Daerah' },
            penandatangan: { nama: 'Tanpa NIP', jabatan: 'Kepala Subbagian Umum' },
          }),
        ),
      );
      expect(message).toContain('NIP');
    });
  });

  describe('user text', () => {
    it('stays plain text: markup is kept as typed, and the template escapes it', () => {
      const hostile = '<script>alert(1)</script> & <b>tebal</b>';
      const ctx = context({
        data: { ...KB_DATA, 'naskah-tentang': hostile, 'mitra-penandatangan-nama': '<img src=x onerror=alert(1)>' },
      });
      const input = kb(ctx);
      expect(input.tentang).toBe(hostile);
      expect(input.pihakKedua.penandatangan.nama).toBe('<img src=x onerror=alert(1)>');
      const templates = new DocumentTemplates();
      const view = DOCUMENTS['kesepakatan-bersama'].prepare(KesepakatanBersamaSchema.parse(input), undefined as never);
      const html = templates.body('kesepakatan-bersama', view).html;
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;script&gt;');
    });

    it('is cut to the limits of the schema instead of failing', () => {
      const long = 'kerja sama '.repeat(400);
      const input = kb(context({ data: { ...KB_DATA, 'naskah-tentang': long, 'naskah-maksud': 'x'.repeat(9000) } }));
      expect(input.tentang.length).toBeLessThanOrEqual(1000);
      expect(input.maksud?.length).toBe(8000);
      expect(() => KesepakatanBersamaSchema.parse(input)).not.toThrow();
    });
  });

  describe('in the templates (HTML, no Chromium)', () => {
    const templates = new DocumentTemplates();
    const html = (name: GeneratedDocument, ctx: CaseDocumentContext) => {
      const a = assembleDocument(name, ctx);
      const def = DOCUMENTS[a.template];
      const view = def.prepare(def.schema.parse(a.input) as never, undefined as never);
      return { body: templates.body(a.template, view).html, footer: templates.footer(a.template, view.footer) };
    };
    const base = () => context({ data: sampleData() });

    it.each(GENERATED_DOCUMENTS)('marks a draft %s KONSEP on its first page and in the footer', (name) => {
      const draft = html(name, { ...base(), konsep: true });
      expect(draft.body).toContain('KONSEP — belum ditandatangani');
      expect(draft.footer).toContain('KONSEP — belum ditandatangani');
      const final = html(name, base());
      expect(final.body).not.toContain('KONSEP');
      expect(final.footer).not.toContain('KONSEP');
    });

    it('labels the paraf koordinasi rows under the hierarki rows', () => {
      const { body } = html('kesepakatan-bersama', context({ data: KB_DATA, paraf: PARAF }));
      expect(body).toContain('Paraf Hierarki');
      expect(body.indexOf('Paraf Koordinasi')).toBeGreaterThan(body.indexOf('Asisten Pemerintahan'));
      expect(body).toContain('Kepala Bagian Hukum');
      const none = html('kesepakatan-bersama', context({ data: KB_DATA })).body;
      expect(none).not.toContain('Paraf Koordinasi');
    });
  });
});

describe('naskahContentVersion', () => {
  const ctx = context({ data: KB_DATA });
  const version = naskahContentVersion(ctx);

  it('is the same on another day, after numbering, with paraf, signature or without the KONSEP mark', () => {
    expect(version).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(naskahContentVersion({ ...ctx, tanggal: '2027-01-04' })).toBe(version);
    expect(naskahContentVersion({ ...ctx, nomor: { naskah: '000.5.4/007/KS/2026' } })).toBe(version);
    expect(naskahContentVersion({ ...ctx, data: { ...ctx.data, 'mitra-nomor': '130/99/PEM/2026' } })).toBe(version);
    expect(naskahContentVersion({ ...ctx, paraf: PARAF })).toBe(version);
    expect(naskahContentVersion({ ...ctx, konsep: true })).toBe(version);
    expect(
      naskahContentVersion({ ...ctx, tte: { qr: 'https://sepakat.test/v/1', keterangan: 'Ditandatangani (uji).' } }),
    ).toBe(version);
    expect(naskahContentVersion({ ...ctx, penandatangan: official(person('sekda')) })).toBe(version);
  });

  it.each([
    ['naskah-maksud', 'Sebagai dasar kerja sama yang lain.'],
    ['naskah-tujuan', 'Tujuan yang lain.'],
    ['naskah-tentang', 'Kerja Sama Pengelolaan Sampah'],
    ['naskah-ruang-lingkup', 'pengelolaan sampah'],
    ['naskah-jangka-waktu', 3],
    ['mitra-penandatangan-nama', 'Dra. Hj. Pengganti, M.Si.'],
    ['mitra-penandatangan-jabatan', 'Wakil Bupati Sukamaju'],
    ['pihak-mitra', 'Pemerintah Kabupaten Lain'],
    ['mitra-alamat', 'Jalan Lain No. 2'],
  ])('changes when %s changes', (field, value) => {
    expect(naskahContentVersion({ ...ctx, data: { ...ctx.data, [field]: value } })).not.toBe(version);
  });

  it('is built from the text of the naskah, without the date, numbers or paraf', () => {
    const text = naskahText({ ...ctx, nomor: { naskah: '000.5.4/007/KS/2026' }, paraf: PARAF });
    expect(text.judul).toBe(
      'KESEPAKATAN BERSAMA ANTARA PEMERINTAH KOTA CONTOH DENGAN PEMERINTAH KABUPATEN SUKAMAJU TENTANG KERJA SAMA PENYELENGGARAAN PEMERINTAHAN DAN PEMBANGUNAN DAERAH',
    );
    expect(text.pihak.map((p) => [p.sebutan, p.nama, p.instansi])).toEqual([
      ['PIHAK KESATU', 'Dr. H. Ahmad Wijaya', 'Pemerintah Kota Contoh'],
      ['PIHAK KEDUA', 'H. Dedi Kurniawan, S.E.', 'Pemerintah Kabupaten Sukamaju'],
    ]);
    expect(text.pasal.map((p) => p.judul)).toEqual([
      'MAKSUD DAN TUJUAN',
      'RUANG LINGKUP',
      'PELAKSANAAN',
      'JANGKA WAKTU',
      'PENGHUBUNG',
      'PERUBAHAN',
    ]);
    expect(text.pasal[1]!.ayat).toContain('a. pengembangan sistem pemerintahan berbasis elektronik;');
    expect(text.penutup?.[1]).toBe('PENUTUP');
    const flat = JSON.stringify(text);
    expect(flat).not.toContain('000.5.4/007/KS/2026');
    expect(flat).not.toContain('dua puluh tiga');
    expect(flat).not.toContain('Kepala Bagian Hukum');
  });
});
