import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase } from '../cli/drive.ts';
import { genericScenario } from '../cli/scenario.ts';
import type { AgreementRecord } from '../core/agreement/agreement-model.ts';
import type { CaseRecord } from '../core/case/model.ts';
import { printSopDocument } from '../core/documents/sop-document.ts';
import { checkSopFile } from '../functions/adapters/catalog.ts';
import { createRenderer } from '../functions/render/renderer.ts';
import { verifyPdfSignatures } from '../functions/signing/verify.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { eventually, SEED_SOPS, startTestRuntime } from './support/runtime.ts';

/**
 * A second fixture of our own (issue 15 item 11): an adendum procedure of a pemda not configured in config/
 * (Kabupaten Contoh Baru, added to a temporary copy of config/). An administrator starts the adendum from an agreement
 * in force (a PKS in the register), with a new end of its term; the SOP is driven to "selesai" by the generic demo's
 * script (one return, every forward choice); the signed adendum names the PKS it amends and is signed by the Kepala
 * Dinas PUPR on the Bupati's surat kuasa (declared in `naskah.pihak.kesatu`); it is registered as the PKS's adendum,
 * which moves the PKS's end; and its SOP AP document prints its header and every step number.
 */
const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'adendum');
const SOP_ID = 'kab-contoh-baru-adendum-pks';
const PEMDA = 'kab-contoh-baru';
const KUASA_NOMOR = '180/12/411.1/2026';

async function pdfText(bytes: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

describe('the adendum fixture of a new pemda, end to end', () => {
  let dir: string;
  let configDir: string;
  let sopFile: string;
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let pks: AgreementRecord;
  let adendumCase = '';
  let outcome = '';
  let acted: { node: string; choice: string }[] = [];
  let naskah = '';
  let signaturesValid = false;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sepakat-adendum-'));
    configDir = join(dir, 'config');
    cpSync(join(PROJECT_ROOT, 'config'), configDir, { recursive: true });
    copyFileSync(join(FIXTURES, 'pemda-kab-contoh-baru.yaml'), join(configDir, 'pemda', `${PEMDA}.yaml`));
    mkdirSync(join(dir, 'sops'));
    sopFile = join(dir, 'sops', `${SOP_ID}.yaml`);
    copyFileSync(join(FIXTURES, `${SOP_ID}.yaml`), sopFile);
    rt = await startTestRuntime({ configDir, sopDirs: [SEED_SOPS, join(dir, 'sops')] });

    // The agreement in force: a PKS of the new pemda, numbered from its register and registered.
    const sop = rt.app.catalog.sops.latest(SOP_ID);
    const original = 'kasus-pks-contoh-baru';
    const entry = await rt.app
      .register(PEMDA)
      .allocate({ caseId: original, purpose: 'naskah', series: 'perjanjian-kerja-sama', perihal: 'Jalan poros' });
    await rt.app.register(PEMDA).markUsed(entry.numberText, {
      dates: { document: '2026-03-02', signed: '2026-03-02', validFrom: '2026-03-02', validUntil: '2028-03-01' },
    });
    const record: CaseRecord = {
      caseId: original,
      intakeId: original,
      sopId: SOP_ID,
      sopVersion: sop.definition.version,
      sopKey: sop.key,
      pemdaId: PEMDA,
      perihal: 'Pembangunan dan Pemeliharaan Jalan Poros Antarwilayah',
      pemohon: { nama: 'Dinas PUPR', email: 'pupr@kab-contoh-baru.test', instansi: 'Dinas PUPR Kabupaten Contoh Baru' },
      status: 'selesai',
      createdAt: new Date().toISOString(),
      data: {
        'pihak-mitra': 'Pemerintah Kabupaten Tetangga',
        // An earlier PKS (the official's choice of kind wins over this SOP's declaration).
        'naskah-jenis': 'perjanjian-kerja-sama',
        'naskah-tentang': 'Pembangunan dan Pemeliharaan Jalan Poros Antarwilayah',
        'nomor-naskah': entry.numberText,
        'naskah-tanggal': '2026-03-02',
        'naskah-jangka-waktu': 2,
      },
      files: [],
      cursor: null,
      visits: {},
    };
    await rt.app.store.createCase(record);
    pks = (await rt.app.agreements.registerCase(original))!;

    // The administrator starts the adendum from the register, with a new end of the term.
    const started = await rt.app.agreements.startAdendum(PEMDA, pks.nomor, {
      sopId: SOP_ID,
      berakhirBaru: '2029-03-01',
      submissionId: 'adendum-uji-1',
      oleh: 'admin@kab-contoh-baru.test',
    });
    adendumCase = started.caseId;
    await eventually(async () => (await rt.app.store.getCase(adendumCase))?.cursor);
    const scenario = genericScenario(sop);
    const run = await driveCase({
      dataDir: rt.dataDir,
      caseId: adendumCase,
      pemohonEmail: record.pemohon.email,
      script: scenario.script,
      values: {
        'naskah-tentang': 'Adendum Pertama Perjanjian Kerja Sama Jalan Poros Antarwilayah',
        'mitra-penandatangan-nama': 'Drs. Joko Susilo',
        'mitra-penandatangan-jabatan': 'Bupati Tetangga',
        'kuasa-nomor': KUASA_NOMOR,
        'kuasa-tanggal': '2026-02-10',
      },
      timeoutMs: 150_000,
    });
    outcome = run.outcome;
    acted = run.acted;
    const doc = await eventually(async () =>
      (await rt.app.documents.listByCase(adendumCase)).find((d) => d.kind === 'naskah-ditandatangani'),
    );
    const bytes = await rt.app.documents.read(doc);
    const trust = { trustedRoots: await (await rt.app.keys()).trustedRoots(), checkDate: new Date() };
    signaturesValid = (await verifyPdfSignatures(bytes, trust)).valid;
    naskah = await pdfText(bytes);
  }, 240_000);
  afterAll(async () => {
    await rt?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes `sop periksa` against the config that has the new pemda', () => {
    expect(checkSopFile(sopFile, { configDir, pemda: PEMDA })).toEqual([]);
  });

  it('is driven to "selesai" by the generic script, the paraf sending the draft back once', () => {
    expect(outcome).toBe('selesai');
    expect(acted.filter((a) => a.choice === 'kembalikan').map((a) => a.node)).toEqual(['L2']);
    expect(acted.filter((a) => a.node === 'L1')).toHaveLength(2);
  });

  it('signs an ADENDUM that names the PKS it amends, by the declared signer on the surat kuasa', () => {
    expect(signaturesValid).toBe(true);
    expect(naskah).toContain('ADENDUM');
    expect(naskah).toContain(pks.nomor);
    expect(naskah).toMatch(/PERJANJIAN KERJA SAMA|Perjanjian Kerja Sama/);
    expect(naskah).toContain('Agus Setiawan');
    expect(naskah).toContain('Kepala Dinas Pekerjaan Umum dan Penataan Ruang');
    expect(naskah).toMatch(
      /berdasarkan Surat Kuasa Bupati Contoh Baru Nomor 180\/12\/411\.1\/2026 tanggal 10 Februari 2026/,
    );
  });

  it('registers it as the adendum of the PKS, moving the end of its term', async () => {
    const adendum = await eventually(async () => {
      const record = await rt.app.store.getCase(adendumCase);
      const nomor = record?.data['nomor-naskah'];
      return typeof nomor === 'string' ? rt.app.agreements.get(PEMDA, nomor) : undefined;
    });
    expect(adendum.adendumDari).toBe(pks.nomor);
    expect(adendum.nomor).toMatch(/^000\.5\.6\/\d{3}\/PEM\/\d{4}$/);
    const after = await eventually(async () => {
      const a = await rt.app.agreements.get(PEMDA, pks.nomor);
      return a?.adendum.includes(adendum.nomor) && a.berakhir === '2029-03-01' ? a : undefined;
    });
    expect(after.perubahanJangka?.berakhirSebelumnya).toBe(pks.berakhir);
  });

  it('prints its SOP AP document: header and every step number', async () => {
    const renderer = createRenderer({ maxConcurrency: 1 });
    try {
      const def = rt.app.catalog.sops.latest(SOP_ID).definition;
      const printed = await printSopDocument(
        { directory: (id) => rt.app.catalog.pemda(id).directory.data, renderer: () => renderer },
        def,
      );
      const text = await pdfText(printed.pdf);
      expect(text).toContain(def.header.nama);
      for (const line of def.header.unit) expect(text).toContain(line);
      expect(text).toContain(def.header.nomor!);
      for (const step of def.steps) if (step.no) expect(text).toContain(step.no);
      expect(text).toContain('Kepala Dinas Pekerjaan Umum dan Penataan Ruang');
      expect(printed.pages).toBeGreaterThan(0);
    } finally {
      await renderer.close();
    }
  }, 120_000);
});
