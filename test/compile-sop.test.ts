import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import validator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { ErrorNames } from '../core/errors.ts';
import {
  applySubstitutions,
  compileSop,
  DEFAULT_COMPILE_OPTIONS,
  FunctionPlaceholders,
  placeholdersOf,
  stateNames,
} from '../core/sop/compile-sop.ts';
import { loadSop, type Activity } from '../core/sop/load-sop.ts';

const ROOT = join(import.meta.dirname, '..');
const FILES = [
  'sops/kota-penyusunan-kesepakatan-bersama.yaml',
  'sops/bandung-kerjasama-teknik-luar-negeri.yaml',
  'sops/blitar-pengkoordinasian-nota-kesepakatan.yaml',
  'test/fixtures/sops/fixture-kerja-sama-pihak-ketiga.yaml',
];
const load = (file: string) => loadSop(readFileSync(join(ROOT, file), 'utf8'), file);
const substitutions = Object.fromEntries(
  Object.values(FunctionPlaceholders).map((p) => [p, `arn:aws:lambda:ap-southeast-3:123456789012:function:${p}`]),
);

type State = Record<string, unknown> & { Type: string };

describe.each(FILES)('the state machine compiled from %s', (file) => {
  const sop = load(file);
  const asl = compileSop(sop);
  const definition = JSON.parse(asl) as { StartAt: string; States: Record<string, State> };
  const activities = sop.nodes.filter((n): n is Activity => n.type === 'activity');

  it('passes the ASL validator, with placeholders and with real ARNs substituted', () => {
    const withPlaceholders = validator(JSON.parse(asl), { checkArn: true, checkPaths: true });
    const substituted = validator(JSON.parse(applySubstitutions(asl, substitutions)), {
      checkArn: true,
      checkPaths: true,
    });
    expect(withPlaceholders.errors).toEqual([]);
    expect(substituted.errors).toEqual([]);
  });

  it('matches its snapshot (an unintended change to the ASL fails here)', async () => {
    await expect(asl).toMatchFileSnapshot(join('__snapshots__', `${sop.definition.id}.asl.json`));
  });

  it('is deterministic: the same SOP compiles to byte-identical JSON', () => {
    expect(compileSop(load(file))).toBe(asl);
  });

  it('calls Lambdas only through definitionSubstitutions placeholders', () => {
    const known = new Set(Object.values(FunctionPlaceholders));
    expect(placeholdersOf(asl).every((p) => known.has(p as never))).toBe(true);
    expect(asl).not.toMatch(/arn:aws:lambda:/);
  });

  it('waits for a person with a bounded .waitForTaskToken task at every activity', () => {
    for (const a of activities) {
      const wait = definition.States[stateNames.wait(a.id)]!;
      expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(wait.TimeoutSeconds).toBe(DEFAULT_COMPILE_OPTIONS.humanWaitSeconds);
      expect(wait.TimeoutSeconds as number).toBeLessThan(2_147_483);
      const catches = wait.Catch as { ErrorEquals: string[]; Next: string }[];
      expect(catches.find((c) => c.ErrorEquals.includes(ErrorNames.StatesTimeout))?.Next).toBe(
        stateNames.continueCase(a.id),
      );
      expect(JSON.stringify(wait.Parameters)).toContain('$$.Task.Token');
    }
    expect(
      Object.values(definition.States).filter((s) => s.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken'),
    ).toHaveLength(activities.length);
  });

  it('can start at any activity: the first state routes on the position to each of them', () => {
    const route = definition.States[definition.StartAt]!;
    expect(route.Type).toBe('Choice');
    const targets = (route.Choices as { StringEquals: string }[]).map((c) => c.StringEquals);
    expect(targets.sort()).toEqual(activities.map((a) => a.id).sort());
  });

  it('passes a wait that enters its activity the answer it enters by; a wait after an entry gets its activation', () => {
    let byWait = 0;
    for (const a of activities) {
      const payload = (definition.States[stateNames.wait(a.id)]!.Parameters as { Payload: Record<string, string> })
        .Payload;
      if (a.before.length === 0) {
        byWait++;
        expect(payload, a.id).toMatchObject({ 'after.$': '$.position.seq', 'position.$': '$.position' });
      } else {
        expect(payload, a.id).toMatchObject({ 'seq.$': '$.position.seq' });
        expect(payload['position.$'], a.id).toBeUndefined();
      }
    }
    expect(byWait).toBeGreaterThan(0);
  });

  it('decides with a Choice state on each answer the SOP allows', () => {
    for (const a of activities) {
      const choose = definition.States[stateNames.choose(a.id)]!;
      expect(choose.Type).toBe('Choice');
      expect((choose.Choices as { StringEquals: string }[]).map((c) => c.StringEquals)).toEqual(
        a.choices.map((c) => c.value),
      );
    }
  });

  it('carries only the case id and its position between states (the case lives in DynamoDB)', () => {
    const payloads = Object.values(definition.States)
      .map((s) => (s.Parameters as { Payload?: Record<string, string> } | undefined)?.Payload)
      .filter(Boolean) as Record<string, string>[];
    const paths = new Set(
      payloads.flatMap((p) =>
        Object.entries(p)
          .filter(([k]) => k.endsWith('.$'))
          .map(([, v]) => v),
      ),
    );
    for (const path of paths)
      // $.error: the error a failed step caught, passed on once to be recorded (phase "gagal"), at the position's node
      // when it failed outside an activity (a gate, a result).
      // The activation a wait that enters its activity is at: the one after the position (States.MathAdd); and the
      // position it enters from, whole (the answer before it: node, activation, choice).
      expect(path).toMatch(
        /^(\$\.caseId|\$\.position|\$\.position\.seq|States\.MathAdd\(\$\.position\.seq, 1\)|\$\.position\.node|\$\$\.Task\.Token|\$\$\.Execution\.Id|\$\.error)$/,
      );
  });

  it('records any step that fails for good on the case instead of failing silently', () => {
    const tasks = Object.entries(definition.States).filter(([, st]) => st.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(0);
    for (const [name, st] of tasks) {
      const catches = st.Catch as { ErrorEquals: string[]; Next: string }[];
      const all = catches.find((c) => c.ErrorEquals.includes('States.ALL'));
      expect(all, name).toBeDefined();
      expect(catches.at(-1)).toBe(all);
      const target = definition.States[all!.Next]!;
      // The recording Task (phase "gagal"), or, for the recording itself, the stop: never a loop.
      if (target.Type === 'Task')
        expect((target.Parameters as { Payload: { phase: string } }).Payload.phase, name).toBe('gagal');
      else expect(target, name).toMatchObject({ Type: 'Fail' });
    }
  });

  it('retries transient failures by the error names exported once', () => {
    // The state that enters the first activity: its Masuk, or its wait when nothing runs before the wait.
    const first = activities[0]!.id;
    const enter = (definition.States[stateNames.enter(first)] ?? definition.States[stateNames.wait(first)])!;
    const retry = enter.Retry as { ErrorEquals: string[] }[];
    expect(retry[0]!.ErrorEquals).toContain(ErrorNames.Transient);
    const catches = (enter.Catch as { ErrorEquals: string[] }[]).flatMap((c) => c.ErrorEquals);
    expect(catches).toEqual(expect.arrayContaining([ErrorNames.Superseded, ErrorNames.CaseClosed]));
  });
});

describe('the compiler', () => {
  it('turns a gate on case data into a Choice on the value read from the case', () => {
    const sop = load(FILES[3]!);
    const gate = sop.nodes.find((n) => n.type === 'gate')!;
    const states = (JSON.parse(compileSop(sop)) as { States: Record<string, State> }).States;
    expect(states[stateNames.gateData(gate.id)]!.Resource).toBe('arn:aws:states:::lambda:invoke');
    const choice = states[stateNames.gate(gate.id)]!;
    expect(JSON.stringify(choice.Choices)).toContain('"BooleanEquals":true');
  });

  it('refuses a human wait bound the local engine would overflow', () => {
    const sop = load(FILES[0]!);
    expect(() => compileSop(sop, { humanWaitSeconds: 30 * 24 * 3600 })).toThrow(RangeError);
  });

  it('fails loudly when a substitution is missing', () => {
    expect(() => applySubstitutions(compileSop(load(FILES[0]!)), {})).toThrow(/No definition substitution/);
  });
});
