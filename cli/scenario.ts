import type { Sop } from '../core/sop/load-sop.ts';
import { samplePermohonan, type PermohonanInput } from './drive.ts';

/** A case to run end to end with scripted officials (`npm run demo`). */
export interface Scenario {
  judul: string;
  permohonan: PermohonanInput;
  /** Choices per node and visit (see driveCase); unscripted steps take their forward choice. */
  script: Record<string, string[]>;
  expected: 'selesai' | 'ditolak' | 'dibatalkan';
}

/** A scenario for any SOP, from its data alone. */
export function genericScenario(sop: Sop): Scenario {
  const forward = (choices: Sop['nodes'][number] & { type: 'activity' }) =>
    (choices.choices.find((c) => c.kind === 'lanjut' || c.kind === 'ya') ?? choices.choices[0]!).value;
  const activities = sop.nodes.filter((n): n is Extract<typeof n, { type: 'activity' }> => n.type === 'activity');
  const script: Record<string, string[]> = {};
  // Every visit forward (a loop brings a node back: each visit again takes its forward choice).
  for (const a of activities) script[a.id] = Array.from({ length: 20 }, () => forward(a));
  const returning = activities.find((a) => a.choices.some((c) => c.kind === 'kembalikan' || c.kind === 'ulangi'));
  if (returning) {
    const back = returning.choices.find((c) => c.kind === 'kembalikan' || c.kind === 'ulangi')!;
    script[returning.id] = [back.value, ...script[returning.id]!.slice(1)];
  }
  return {
    judul: `${sop.definition.header.nama} (${sop.key}; ${returning ? `sekali kembali di ${returning.id}` : 'tanpa pengembalian'})`,
    permohonan: samplePermohonan(sop, { perihal: `Demo ${sop.definition.header.nama}` }),
    script,
    expected: 'selesai',
  };
}
