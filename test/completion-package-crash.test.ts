import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { driveCase, submitPermohonan } from '../cli/drive.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { loadSops } from '../functions/adapters/catalog.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { spawnRuntime, type ChildRuntime } from './support/child-runtime.ts';
import { NASKAH } from './support/kasus.ts';
import { PEMOHON, permohonanFor } from './support/runtime.ts';

/**
 * The completion package survives a crash: the local runtime is killed (SIGKILL) after the package reached its first
 * recipient, started again on the same data directory, and the case finishes with one certificate and exactly one
 * package email per party (the partner signed on paper here: a scan, recorded by the Kasubbag).
 */
const children: ChildRuntime[] = [];
afterEach(() => {
  for (const c of children.splice(0))
    if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
});

describe('the completion package after a crash', () => {
  it('sends the rest once the runtime is back, and nothing twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sepakat-paket-crash-'));
    try {
      const first = await spawnRuntime(dataDir, { fault: { point: 'while-package-sending', occurrence: 1 } });
      children.push(first);
      const sops = loadSops([join(PROJECT_ROOT, 'sops')]);
      const rtLike = { app: { catalog: { sops } } } as unknown as Parameters<typeof permohonanFor>[0];
      const { intakeId: caseId } = await submitPermohonan(
        first,
        permohonanFor(rtLike, 'kota-penyusunan-kesepakatan-bersama'),
      );
      const values = { ...NASKAH, 'mitra-penghubung-email': 'penghubung@sukamaju.test' };
      const stop = new AbortController();
      const driving = driveCase({
        dataDir,
        caseId,
        pemohonEmail: PEMOHON.email,
        values,
        timeoutMs: 200_000,
        signal: stop.signal,
      }).catch(() => undefined);
      await first.exited;
      stop.abort();
      await driving;
      expect(first.process.signalCode).toBe('SIGKILL');
      const packageMails = async () =>
        (await readMailbox(dataDir)).filter(
          (m) => m.text?.includes(`Nomor kasus: ${caseId}`) && /telah ditandatangani para pihak/.test(m.subject),
        );
      expect(await packageMails()).toHaveLength(1);

      const second = await spawnRuntime(dataDir);
      children.push(second);
      const result = await driveCase({
        dataDir,
        caseId,
        pemohonEmail: PEMOHON.email,
        values,
        timeoutMs: 200_000,
        alreadyDone: () => true,
      });
      expect(result.outcome).toBe('selesai');
      const mails = await packageMails();
      expect(mails.map((m) => m.to.join()).sort()).toEqual(
        [
          PEMOHON.email,
          'penghubung@sukamaju.test',
          'kasubbag.kerjasama@kota-contoh.test',
          'kabag.kerjasama@kota-contoh.test',
          'walikota@kota-contoh.test',
        ].sort(),
      );
      // Each carries the same certificate: it was made once.
      const certificates = new Set(
        mails.map((m) => m.attachments.find((a) => a.filename?.startsWith('lembar-riwayat-'))?.size),
      );
      expect(certificates.size).toBe(1);
      expect(mails.every((m) => m.attachments.length === 3)).toBe(true);
      second.process.kill('SIGTERM');
      await second.exited;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 400_000);
});
