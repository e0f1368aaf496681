import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveCase, submitPermohonan } from '../cli/drive.ts';
import { genericScenario } from '../cli/scenario.ts';
import { eventually, FIXTURE_SOPS, SEED_SOPS, startTestRuntime } from './support/runtime.ts';

/**
 * `npm run demo -- --sop <file or id>` (issue 15, item 9): any SOP driven end to end from its data alone — a
 * permohonan from its intake, the first forward choice at each decision, one return where the SOP has one — with no
 * SOP-specific code. Shown on the fixture SOP, which the seeds' scripted demo does not know.
 */
describe('the generic demo', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime({ sopDirs: [SEED_SOPS, FIXTURE_SOPS] });
  });
  afterAll(async () => rt?.cleanup());

  it('drives the fixture SOP to "selesai", taking one return and every forward choice', async () => {
    const sop = rt.app.catalog.sops.latest('fixture-kerja-sama-pihak-ketiga');
    const scenario = genericScenario(sop);
    // The script comes from the data: the first activity that can send the case back takes that choice once.
    const returning = Object.entries(scenario.script).find(([id, choices]) => {
      const node = sop.node(id);
      return (
        node.type === 'activity' &&
        node.choices.some((c) => c.value === choices[0] && (c.kind === 'kembalikan' || c.kind === 'ulangi'))
      );
    });
    expect(returning).toBeDefined();
    const { intakeId } = await submitPermohonan(rt, scenario.permohonan);
    await eventually(async () => (await rt.app.store.getCase(intakeId))?.cursor);
    const result = await driveCase({
      dataDir: rt.dataDir,
      caseId: intakeId,
      pemohonEmail: scenario.permohonan.pemohon.email,
      script: scenario.script,
      timeoutMs: 150_000,
    });
    expect(result.outcome).toBe('selesai');
    const [node, [back]] = returning!;
    expect(result.acted.filter((a) => a.node === node).map((a) => a.choice)[0]).toBe(back);
    expect(result.acted.filter((a) => a.choice === back)).toHaveLength(1);
  }, 200_000);
});
