import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, submitPermohonan } from '../cli/drive.ts';
import { checkSopFile } from '../functions/adapters/catalog.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { eventually, FIXTURE_SOPS, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * A naskah signed before it is numbered (issue 15 item 3, Blitar's order "sign, then number"): no step reserves the
 * naskah's number; the signing task takes it from its `seri` as it opens (SRIKANDI's "Ambil Nomor"), the signed PDF
 * prints it, and the register step after the signature records that number as used without allocating another.
 */
const SOP = 'fixture-tanda-tangan-lalu-daftar';
const DIR = join(FIXTURE_SOPS, 'tanda-tangan-dulu');

/** The naskah's NOMOR line (the komparisi's table prints "NOMOR : <number>") with `nomor`. */
const nomorLine = (nomor: string) => new RegExp(`NOMOR\\s*:\\s*${nomor.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`);

async function pdfText(bytes: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

describe('a naskah signed before it is numbered, then registered', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;

  beforeAll(async () => {
    rt = await startTestRuntime({ sopDirs: [DIR], schedulerIntervalMs: 0 });
  });
  afterAll(async () => {
    await rt?.cleanup();
  });

  it('the loader accepts the order only because the signing act names its series', () => {
    const configDir = join(PROJECT_ROOT, 'config');
    const file = join(DIR, `${SOP}.yaml`);
    expect(checkSopFile(file, { configDir })).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'sepakat-tanpa-seri-'));
    try {
      const withoutSeri = join(dir, `${SOP}.yaml`);
      writeFileSync(withoutSeri, readFileSync(file, 'utf8').replace(', seri: nota-kesepakatan }', ' }'));
      expect(checkSopFile(withoutSeri, { configDir }).join('\n')).toContain(
        `${withoutSeri}: langkah L2: L2.lanjut.automatic[0].nomor: nomor "naskah" dipakai naskah yang ditampilkan saat tugas tanda tangan dibuka sebelum dicadangkan`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the number as the signing task opens, prints it on the signed PDF, and registers exactly that number once', async () => {
    const { intakeId: caseId } = await submitPermohonan(
      rt,
      permohonanFor(rt, SOP, { 'pihak-mitra': 'Pemerintah Kabupaten Mitra' }, 'Kerja sama pengelolaan sampah'),
    );
    await eventually(async () => (await rt.app.store.getCase(caseId))?.cursor);
    const register = rt.app.register('kab-blitar');

    // Up to the signing task: its opening took the number, reserved ("dicadangkan") until signed.
    const atSigning = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      stopAt: 'L2',
      values: { 'mitra-penandatangan-nama': 'Drs. Joko Susilo', 'mitra-penandatangan-jabatan': 'Bupati Mitra' },
    });
    expect(atSigning.stoppedAt).toBeDefined();
    const nomor = await eventually(async () => {
      const value = (await rt.app.store.getCase(caseId))?.data['nomor-naskah'];
      return typeof value === 'string' ? value : undefined;
    });
    expect(nomor).toMatch(/^000\.5\.4\/\d+\/409\.1\.1\/\d{4}$/);
    const reserved = (await register.get(nomor))!;
    expect(reserved).toMatchObject({ caseId, purpose: 'naskah', status: 'dicadangkan' });
    const shown = await eventually(async () =>
      (await rt.app.documents.listByCase(caseId)).find((d) => d.kind === 'naskah-untuk-ditandatangani'),
    );
    expect(await pdfText(await rt.app.documents.read(shown))).toMatch(nomorLine(nomor));

    // The signature, then the registration.
    const run = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      alreadyDone: (node) => node === 'L1',
    });
    expect(run.outcome).toBe('selesai');
    const signed = await eventually(async () =>
      (await rt.app.documents.listByCase(caseId)).find((d) => d.kind === 'naskah-ditandatangani'),
    );
    const text = await pdfText(await rt.app.documents.read(signed));
    expect(text).toMatch(nomorLine(nomor));

    // The register holds this case's number once, used; registering allocated no second one.
    const ofCase = (await register.listAll({ year: reserved.year })).filter((e) => e.caseId === caseId);
    expect(ofCase.map((e) => [e.numberText, e.purpose, e.status])).toEqual([[nomor, 'naskah', 'dipakai']]);
    expect((await register.get(nomor))!.dates).toMatchObject({ signed: expect.any(String) });
    expect((await rt.app.store.getCase(caseId))!.data['nomor-naskah']).toBe(nomor);
  });
});
