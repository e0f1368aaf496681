import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { Agreements } from '../core/agreement/agreements.ts';
import { jenisFrom } from '../core/agreement/lifecycle.ts';
import type { CaseRecord } from '../core/case/model.ts';
import { jenisNaskahOf } from '../core/naskah/render-view.ts';
import { buildSop, type Sop } from '../core/sop/load-sop.ts';
import { loadCatalog, type Catalog } from '../functions/adapters/catalog.ts';
import {
  JsonRenderer,
  MemoryAgreementStore,
  MemoryCaseStore,
  MemoryDocumentStore,
  MemoryMailer,
  MemoryScheduler,
  TestClock,
} from './support/memory-ports.ts';

/**
 * The kind of agreement is declared in the SOP (`naskah.jenis`, issue 15 item 1), never guessed from its id: an SOP
 * whose id says "luar-negeri" but which produces a Perjanjian Kerja Sama registers a PKS (and not an agreement with
 * a foreign party); the naskah is rendered from the PKS outline; an official's choice (`naskah-jenis`) still wins.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
let catalog: Catalog;
let misleading: Sop;

beforeAll(() => {
  catalog = loadCatalog({ sopDirs: [join(ROOT, 'sops')], configDir: join(ROOT, 'config') });
  const raw = parseYaml(
    readFileSync(join(ROOT, 'sops', 'blitar-pengkoordinasian-nota-kesepakatan.yaml'), 'utf8'),
  ) as Record<string, unknown>;
  misleading = buildSop(
    { ...raw, id: 'kab-blitar-kerja-sama-luar-negeri', naskah: { jenis: 'perjanjian-kerja-sama' } },
    'uji/kab-blitar-kerja-sama-luar-negeri.yaml',
  );
});

describe('the declared kind of naskah', () => {
  it('registers the declared kind, whatever the SOP id says', async () => {
    const clock = new TestClock(new Date('2026-03-02T02:00:00Z'));
    const cases = new MemoryCaseStore();
    const store = new MemoryAgreementStore();
    const agreements = new Agreements({
      store,
      cases,
      documents: new MemoryDocumentStore(),
      renderer: () => new JsonRenderer(),
      mailer: new MemoryMailer(),
      emails: { render: (template) => ({ subject: template, text: '', html: '' }) },
      clock,
      scheduler: new MemoryScheduler(),
      pemda: (id) => catalog.pemda(id),
      sops: { get: () => misleading, latest: () => misleading, all: () => [misleading] },
      linkKey: () => Buffer.alloc(32, 7),
      publicBaseUrl: 'https://sepakat.uji',
      mailDomain: 'sepakat.uji',
      documentsBucket: 'dokumen',
      startCase: async () => undefined,
    });
    const record: CaseRecord = {
      caseId: 'kasus-pks',
      intakeId: 'kasus-pks',
      sopId: misleading.definition.id,
      sopVersion: misleading.definition.version,
      sopKey: misleading.key,
      pemdaId: 'kab-blitar',
      perihal: 'Kerja sama pengelolaan air minum',
      pemohon: { nama: 'PT Air Contoh', email: 'air@contoh.test', instansi: 'PT Air Contoh' },
      status: 'selesai',
      createdAt: clock.now().toISOString(),
      // No `naskah-jenis` chosen by anyone: the declaration decides.
      data: {
        'pihak-mitra': 'PT Air Contoh',
        'nomor-naskah': '000.5.4/77/409.1.1/2026',
        'naskah-tanggal': '2026-03-02',
      },
      files: [],
      cursor: null,
      visits: {},
    };
    await cases.createCase(record);
    const agreement = (await agreements.registerCase('kasus-pks'))!;
    expect(agreement.jenis).toBe('perjanjian-kerja-sama');
    expect(agreement.luarNegeri).toBe(false);
  });

  it('renders from the declared outline unless an official chose another kind', () => {
    const known = (id: string) => catalog.outlines.has(id);
    expect(jenisNaskahOf({ data: {} }, known, 'perjanjian-kerja-sama')).toBe('perjanjian-kerja-sama');
    expect(jenisNaskahOf({ data: { 'naskah-jenis': 'nota-kesepakatan' } }, known, 'perjanjian-kerja-sama')).toBe(
      'nota-kesepakatan',
    );
    expect(jenisNaskahOf({ data: {} }, known)).toBe('kesepakatan-bersama');
    // The register's kind: the choice, else the declaration; an adendum takes its agreement's kind.
    expect(jenisFrom({}, 'mou-luar-negeri')).toBe('mou');
    expect(jenisFrom({ 'naskah-jenis': 'Perjanjian Kerja Sama' }, 'kesepakatan-bersama')).toBe('perjanjian-kerja-sama');
    expect(jenisFrom({}, 'adendum', 'nota-kesepakatan')).toBe('nota-kesepakatan');
    expect(jenisFrom({}, undefined)).toBe('kesepakatan-bersama');
  });

  it('refuses a declared signer that is no actor of the SOP, or a partner signing for the pemda', () => {
    const raw = parseYaml(
      readFileSync(join(ROOT, 'sops', 'blitar-pengkoordinasian-nota-kesepakatan.yaml'), 'utf8'),
    ) as Record<string, unknown>;
    const external = (raw.actors as { id: string; kind: string }[]).find((a) => a.kind === 'external')!.id;
    const declared = (pihak: unknown) =>
      buildSop({ ...raw, naskah: { jenis: 'perjanjian-kerja-sama', pihak } }, 'uji/penandatangan.yaml');
    expect(() => declared({ kesatu: { penandatangan: 'kepala-dinas-fiktif' } })).toThrow(
      'uji/penandatangan.yaml: naskah.pihak.kesatu.penandatangan: "kepala-dinas-fiktif" bukan aktor SOP ini (actors)',
    );
    expect(() => declared({ kesatu: { penandatangan: 'kabag-tapem', suratKuasaDari: external } })).toThrow(
      /naskah\.pihak\.kesatu\.suratKuasaDari: .* adalah pihak luar/,
    );
    expect(declared({ kesatu: { penandatangan: 'kabag-tapem' } }).definition.naskah).toEqual({
      jenis: 'perjanjian-kerja-sama',
      pihak: { kesatu: { penandatangan: 'kabag-tapem' } },
    });
  });

  it("refuses a declared partner's signer whose name and jabatan no step collects before the naskah is signed", () => {
    const text = readFileSync(join(ROOT, 'sops', 'blitar-pengkoordinasian-nota-kesepakatan.yaml'), 'utf8');
    const external = (parseYaml(text) as { actors: { id: string; kind: string }[] }).actors.find(
      (a) => a.kind === 'external',
    )!.id;
    const withPartner = (yaml: string) =>
      buildSop(
        {
          ...(parseYaml(yaml) as object),
          naskah: { jenis: 'nota-kesepakatan', pihak: { kedua: { penandatangan: external } } },
        },
        'uji/mitra.yaml',
      );
    // The seed collects the partner's signer (the declared vocabulary fields) before the Bupati signs.
    expect(withPartner(text).definition.naskah?.pihak?.kedua).toEqual({ penandatangan: external });
    // Without the name field, the loader refuses, naming the file, the signing step and the field.
    const withoutName = text.replace(/- id: mitra-penandatangan-nama\n/, '- id: nama-wakil-mitra\n');
    expect(withoutName).not.toBe(text);
    expect(() => withPartner(withoutName)).toThrow(
      'uji/mitra.yaml: langkah L9: L9.3.lanjut.automatic[0].dokumen: dokumen "kesepakatan-bersama" yang ditandatangani ' +
        'memerlukan isian "mitra-penandatangan-nama" (Nama penandatangan pihak mitra), yang belum dikumpulkan',
    );
  });

  it('refuses a declared kind that no outline of config/naskah has', () => {
    expect(() =>
      loadCatalog({ sopDirs: [join(ROOT, 'test', 'fixtures', 'sops-naskah-salah')], configDir: join(ROOT, 'config') }),
    ).toThrow(/naskah\.jenis "perjanjian-rahasia" bukan kerangka naskah yang dikenal/);
  });
});
