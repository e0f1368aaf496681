import { expect } from 'vitest';
import type { AgreementRecord } from '../../core/agreement/agreement-model.ts';
import type { CaseRecord } from '../../core/case/model.ts';
import type { LocalRuntime } from '../../local/runtime.ts';

/** A local time in WIB ("2027-02-24 09:00") as a Date. */
export const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);

export const BLITAR_SOP = 'blitar-pengkoordinasian-nota-kesepakatan';

/**
 * Fires everything due at `now`, jobs scheduled by the jobs that fired included, as the scheduler loop would; no job
 * may fail. Returns what fired.
 */
export async function fireDue(rt: LocalRuntime, now: Date): Promise<{ key: string; outcome: unknown }[]> {
  const fired: { key: string; outcome: unknown }[] = [];
  for (let i = 0; i < 10; i++) {
    const report = await rt.scheduler.runDue(now);
    expect(report.failed).toEqual([]);
    if (!report.fired.length) break;
    fired.push(...report.fired);
  }
  return fired;
}

/**
 * A finished Blitar case whose signed naskah carries `nomor`, registered as the SOP's `daftar` step registers it
 * (`agreements.registerCase`). `data` adds to or overrides the case data (jangka waktu, adendum-dari, …).
 */
export async function registerFinishedCase(
  rt: LocalRuntime,
  input: { caseId: string; nomor: string; createdAt: Date; data?: Record<string, unknown> },
): Promise<AgreementRecord | undefined> {
  const sop = rt.app.catalog.sops.latest(BLITAR_SOP);
  const record: CaseRecord = {
    caseId: input.caseId,
    intakeId: input.caseId,
    sopId: BLITAR_SOP,
    sopVersion: sop.definition.version,
    sopKey: sop.key,
    pemdaId: 'kab-blitar',
    perihal: 'Kerja sama peningkatan pelayanan publik',
    pemohon: { nama: 'Dinas Kominfo', email: 'kominfo@blitarkab.test', instansi: 'Dinas Komunikasi dan Informatika' },
    status: 'selesai',
    createdAt: input.createdAt.toISOString(),
    data: {
      'pihak-mitra': 'Universitas Contoh',
      'naskah-jenis': 'kesepakatan-bersama',
      'nomor-naskah': input.nomor,
      ...input.data,
    },
    files: [],
    cursor: null,
    visits: {},
  };
  await rt.app.store.createCase(record);
  return rt.app.agreements.registerCase(input.caseId);
}
