import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, submitPermohonan } from '../cli/drive.ts';
import { verifyPdfSignatures } from '../functions/signing/verify.ts';
import { eventually, FIXTURE_SOPS, PEMOHON, permohonanFor, SEED_SOPS, startTestRuntime } from './support/runtime.ts';

/**
 * Every kind of naskah from any SOP step that names it (issue 15 item 1): a small SOP per kind declares it
 * (`naskah.jenis`), one step drafts `dokumen: naskah` and the next signs it (`tandatangan`, its number taken as the
 * task opens). The signed PDF, read back, has the kind's own title, komparisi or recitals and pasal, never the
 * Kesepakatan Bersama's. The PKS declares who signs for the pemda, on whose surat kuasa (item 2): the Kepala Bagian
 * signs, named in the komparisi and the signature block, "berdasarkan Surat Kuasa Bupati Blitar Nomor … tanggal …",
 * the number and date being case fields.
 */
const KINDS = ['kesepakatan-bersama', 'nota-kesepakatan', 'perjanjian-kerja-sama', 'mou-luar-negeri', 'adendum'];
const KUASA_NOMOR = '180/45/409.1.1/2026';

function sopOf(jenis: string): Record<string, unknown> {
  const pks = jenis === 'perjanjian-kerja-sama';
  const field = (id: string, label: string, type = 'text') => ({ id, label, type, caseData: true });
  return {
    id: `uji-jenis-${jenis}`,
    version: 1,
    pemda: 'kab-blitar',
    source: { file: 'test/naskah-semua-jenis.test.ts' },
    naskah: {
      jenis,
      ...(pks
        ? {
            pihak: {
              kesatu: { penandatangan: 'kabag-tapem', suratKuasaDari: 'bupati' },
              kedua: { penandatangan: 'direktur-mitra', suratKuasaDari: 'pimpinan-mitra' },
            },
          }
        : {}),
    },
    header: { unit: ['PEMERINTAH KABUPATEN BLITAR', 'SEKRETARIAT DAERAH'], nama: `Uji naskah ${jenis}` },
    intake: {
      data: [
        field('pihak-mitra', 'Instansi mitra'),
        {
          ...field('jenis-kerja-sama', 'Jenis kerja sama', 'select'),
          options: [{ value: 'KSDD', label: 'Kerja Sama Daerah dengan Daerah Lain (KSDD)' }],
        },
      ],
    },
    actors: [
      { id: 'penata-kelola', jabatan: 'Penata Kelola Pemerintahan', kind: 'internal' },
      { id: 'kabag-tapem', jabatan: 'Kepala Bagian Tata Pemerintahan', kind: 'internal' },
      { id: 'bupati', jabatan: 'Bupati Blitar', kind: 'internal' },
      ...(pks
        ? [
            {
              id: 'direktur-mitra',
              jabatan: 'Direktur Perumda Air Minum Mitra',
              kind: 'external',
              recordedBy: 'penata-kelola',
            },
            { id: 'pimpinan-mitra', jabatan: 'Bupati Mitra', kind: 'external', recordedBy: 'penata-kelola' },
          ]
        : []),
    ],
    steps: [
      {
        id: 'L1',
        no: '1',
        uraian: 'Menyusun konsep naskah',
        actor: 'penata-kelola',
        waktu: '1 Hari',
        output: 'Konsep naskah',
        fields: [
          field('mitra-penandatangan-nama', 'Nama penandatangan mitra'),
          field('mitra-penandatangan-jabatan', 'Jabatan penandatangan mitra'),
          ...(pks
            ? [
                field('kuasa-nomor', 'Nomor surat kuasa'),
                field('kuasa-tanggal', 'Tanggal surat kuasa', 'date'),
                field('mitra-kuasa-nomor', 'Nomor surat kuasa pihak mitra'),
              ]
            : []),
        ],
        choices: [
          {
            value: 'lanjut',
            label: 'Konsep selesai',
            next: 'L2',
            automatic: [{ action: 'dokumen', dokumen: 'naskah' }],
          },
        ],
      },
      {
        id: 'L2',
        no: '2',
        uraian: 'Menandatangani naskah',
        actor: pks ? 'kabag-tapem' : 'bupati',
        kind: 'tandatangan',
        waktu: '1 Hari',
        output: 'Naskah ditandatangani',
        choices: [
          {
            value: 'lanjut',
            label: 'Tandatangani',
            next: 'selesai',
            automatic: [{ action: 'tandatangan', dokumen: 'naskah', nomor: 'naskah', seri: 'nota-kesepakatan' }],
          },
        ],
      },
    ],
  };
}

async function pdfText(bytes: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

describe('every kind of naskah, generated and signed from a step of an SOP that declares it', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let dir: string;
  const signed = new Map<string, string>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sepakat-sop-jenis-'));
    for (const jenis of KINDS) writeFileSync(join(dir, `uji-jenis-${jenis}.yaml`), stringify(sopOf(jenis)));
    rt = await startTestRuntime({ sopDirs: [SEED_SOPS, FIXTURE_SOPS, dir] });
    for (const jenis of KINDS) {
      const { intakeId } = await submitPermohonan(
        rt,
        permohonanFor(
          rt,
          `uji-jenis-${jenis}`,
          { 'pihak-mitra': 'Pemerintah Kabupaten Mitra' },
          'Kerja sama air minum',
        ),
      );
      await eventually(async () => (await rt.app.store.getCase(intakeId))?.cursor);
      const run = await driveCase({
        dataDir: rt.dataDir,
        caseId: intakeId,
        pemohonEmail: PEMOHON.email,
        values: {
          'mitra-penandatangan-nama': 'Drs. Joko Susilo',
          'mitra-penandatangan-jabatan': 'Bupati Mitra',
          'kuasa-nomor': KUASA_NOMOR,
          'kuasa-tanggal': '2026-02-10',
          'mitra-kuasa-nomor': 'SK-12/PDAM/2026',
        },
      });
      expect(run.outcome).toBe('selesai');
      const doc = await eventually(async () =>
        (await rt.app.documents.listByCase(intakeId)).find((d) => d.kind === 'naskah-ditandatangani'),
      );
      const bytes = await rt.app.documents.read(doc);
      const trust = { trustedRoots: await (await rt.app.keys()).trustedRoots(), checkDate: new Date() };
      expect((await verifyPdfSignatures(bytes, trust)).valid).toBe(true);
      signed.set(jenis, await pdfText(bytes));
    }
  }, 300_000);
  afterAll(async () => {
    await rt?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a Kesepakatan Bersama: its title and pasal, signed by the Bupati', () => {
    const text = signed.get('kesepakatan-bersama')!;
    expect(text).toContain('KESEPAKATAN BERSAMA');
    expect(text).toMatch(/Pasal 1/);
    expect(text).toContain('BUPATI BLITAR');
  });

  it('a Nota Kesepakatan: its own title, not the Kesepakatan Bersama', () => {
    const text = signed.get('nota-kesepakatan')!;
    expect(text).toContain('NOTA KESEPAKATAN');
    expect(text).not.toContain('KESEPAKATAN BERSAMA');
    expect(text).toMatch(/Pasal 1/);
  });

  it('a Perjanjian Kerja Sama: its title, its komparisi with the declared signer on the surat kuasa, its pasal', () => {
    const text = signed.get('perjanjian-kerja-sama')!;
    expect(text).toContain('PERJANJIAN KERJA SAMA');
    expect(text).not.toContain('KESEPAKATAN BERSAMA');
    expect(text).not.toMatch(/akan ditindaklanjuti dengan Perjanjian Kerja Sama/);
    // The declared signer, from the directory, with his own jabatan; never "Kepala Bagian … : BUPATI BLITAR".
    expect(text).toContain('Basuki Rachmad');
    expect(text).toContain('Kepala Bagian Tata Pemerintahan');
    expect(text).not.toContain('BUPATI BLITAR');
    expect(text).toMatch(
      /berdasarkan Surat Kuasa Bupati Blitar Nomor 180\/45\/409\.1\.1\/2026 tanggal 10 Februari 2026/,
    );
    // The partner's signer on the surat kuasa the SOP declares for PIHAK KEDUA, its number a case field.
    expect(text).toContain('Surat Kuasa Bupati Mitra Nomor SK-12/PDAM/2026');
    expect(text).toMatch(/Pasal 1/);
    expect(text).toMatch(/Pembiayaan|PEMBIAYAAN/);
  });

  it('an MoU with a foreign party: both languages', () => {
    const text = signed.get('mou-luar-negeri')!;
    expect(text).toContain('MEMORANDUM SALING PENGERTIAN');
    expect(text).toContain('MEMORANDUM OF UNDERSTANDING');
    expect(text).toMatch(/Pasal 1/);
  });

  it('an adendum: its own title', () => {
    const text = signed.get('adendum')!;
    expect(text).toContain('ADENDUM');
    expect(text).toMatch(/Pasal/);
  });
});
