/**
 * CloudFormation template sizes of the CDK app for a number of SOP versions: the app synthesized offline (no
 * bundling, cdk-nag on, the context of cdk.json) from a project root whose `sops/` holds the seed SOPs and copies of
 * them with new version numbers (`sops/versi/`), everything else linked to this project.
 *
 *   npx tsx bench/template-sizes.ts [--versions 3,20] [--keep]
 *
 * Per stack: template bytes and resource count, against CloudFormation's 1 MB template and 500 resources; and the
 * bytes of the IAM policies of the functions' roles, which name the state machines by one ARN pattern and so must
 * not grow with the number of versions. Baseline, in the same run: the stateless template as it would be with every
 * definition inline (`DefinitionString`: the template's bytes plus each version's compact ASL as a JSON string),
 * the layout before definitions went to S3 as assets.
 *
 * Prints a plain table and, last, `BENCH_JSON {"bench":"template-sizes",…}` (the line bench/run-all.ts reads).
 * test/infra.test.ts uses `rootWithSopVersions`, `synthesizeSepakat` and `templateFigures` for its own checks.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { compactAsl, compileSop } from '../core/sop/compile-sop.ts';
import { AwsSolutionsChecks } from '../infra/nag.ts';
import { readSettings } from '../infra/settings.ts';
import { createSepakat, environmentFrom } from '../infra/stacks.ts';
import { ROOT } from './bundle-sizes.ts';
import type { SummaryRow } from './concurrent-cases.ts';
import { ratio, round, table } from './stats.ts';

export { ROOT };
/** CloudFormation's limits on a template (uploaded through S3) and on its resources. */
export const TEMPLATE_LIMIT_BYTES = 1_000_000;
export const RESOURCE_LIMIT = 500;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The context of cdk.json, as `cdk synth` reads it. */
export const cdkContext = (root = ROOT): Record<string, unknown> =>
  JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')).context as Record<string, unknown>;

/**
 * A temporary project root with `versions` SOP versions: the seed SOPs of `sops/` as they are, then copies of them in
 * turn with version 2, 3, … under `sops/versi/` (as a deployer adds a version). Every other entry of the project is
 * a symbolic link, so the synth reads the same config/, templates/ and code. The caller removes it.
 */
export function rootWithSopVersions(versions: number, root = ROOT): string {
  const seeds = readdirSync(join(root, 'sops'))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  if (versions < seeds.length) throw new Error(`at least ${seeds.length} versions (the seed SOPs)`);
  const dir = mkdtempSync(join(tmpdir(), 'sepakat-versi-'));
  for (const entry of readdirSync(root))
    if (!['sops', '.git', 'cdk.out', '.sepakat'].includes(entry)) symlinkSync(join(root, entry), join(dir, entry));
  mkdirSync(join(dir, 'sops', 'versi'), { recursive: true });
  const texts = seeds.map((f) => readFileSync(join(root, 'sops', f), 'utf8'));
  seeds.forEach((f, i) => writeFileSync(join(dir, 'sops', f), texts[i]!));
  for (let i = 0; i < versions - seeds.length; i++) {
    const seed = i % seeds.length;
    const version = 2 + Math.floor(i / seeds.length);
    const text = texts[seed]!;
    if (!/^version: 1$/m.test(text)) throw new Error(`${seeds[seed]}: no top-level "version: 1"`);
    writeFileSync(
      join(dir, 'sops', 'versi', seeds[seed]!.replace(/\.ya?ml$/, `-v${version}.yaml`)),
      text.replace(/^version: 1$/m, `version: ${version}`),
    );
  }
  return dir;
}

/**
 * The CDK app as `npm run synth` builds it, without bundling the functions, into a temporary directory (the
 * caller removes `outdir`): settings from `context`, the environment from `processEnv` (as the CLI sets it), cdk-nag
 * on (a finding nobody acknowledged makes it throw).
 */
export function synthesizeSepakat(
  options: { root?: string; context?: Record<string, unknown>; processEnv?: NodeJS.ProcessEnv } = {},
) {
  const root = options.root ?? ROOT;
  const outdir = mkdtempSync(join(tmpdir(), 'sepakat-cdk-'));
  const app = new App({ outdir, context: { ...(options.context ?? cdkContext()), 'aws:cdk:bundling-stacks': [] } });
  const settings = readSettings((key) => app.node.tryGetContext(key), root);
  const stacks = createSepakat(app, { settings, root, env: environmentFrom(options.processEnv ?? {}, settings) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return { app, outdir, settings, ...stacks };
}

export interface StackFigures {
  stack: string;
  bytes: number;
  resources: number;
  /** Bytes of each IAM policy attached to a role that is not a state machine's (by logical id). */
  functionPolicies: Record<string, number>;
}

/** Size, resource count and the functions' policy sizes of every template in a synth's output directory. */
export function templateFigures(outdir: string): StackFigures[] {
  return readdirSync(outdir)
    .filter((f) => f.endsWith('.template.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(outdir, file), 'utf8');
      const resources = (JSON.parse(text) as Json).Resources as Record<string, Json>;
      const machineRoles = new Set(
        Object.values(resources)
          .filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')
          .map((r) => r.Properties.RoleArn['Fn::GetAtt'][0] as string),
      );
      const functionPolicies = Object.fromEntries(
        Object.entries(resources)
          .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
          .filter(([, r]) => !(r.Properties.Roles as Json[]).some((role) => machineRoles.has(role.Ref)))
          .map(([id, r]) => [id, JSON.stringify(r.Properties.PolicyDocument).length]),
      );
      return {
        stack: file.replace(/\.template\.json$/, ''),
        bytes: Buffer.byteLength(text),
        resources: Object.keys(resources).length,
        functionPolicies,
      };
    });
}

const kb = (bytes: number) => round(bytes / 1024, 1);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

async function main() {
  const args = process.argv.slice(2);
  const keep = args.includes('--keep');
  const at = args.indexOf('--versions');
  const counts = (at >= 0 ? args[at + 1]! : '3,20').split(',').map(Number);
  const rows: (string | number)[][] = [];
  const summary: SummaryRow[] = [];
  const runs: Json[] = [];
  for (const versions of counts) {
    process.stderr.write(`template-sizes: synthesizing with ${versions} SOP versions\n`);
    const root = rootWithSopVersions(versions);
    const started = Date.now();
    const synth = synthesizeSepakat({ root });
    const seconds = (Date.now() - started) / 1000;
    try {
      const inlineAsl = sum(
        synth.stateless.stateMachines.map(({ sop }) => JSON.stringify(compactAsl(compileSop(sop))).length),
      );
      for (const f of templateFigures(synth.outdir)) {
        const policyBytes = sum(Object.values(f.functionPolicies));
        const inline = f.stack === synth.stateless.stackName ? f.bytes + inlineAsl : undefined;
        rows.push([
          versions,
          f.stack,
          kb(f.bytes),
          inline === undefined ? '-' : kb(inline),
          kb(TEMPLATE_LIMIT_BYTES),
          f.resources,
          RESOURCE_LIMIT,
          kb(policyBytes),
        ]);
        summary.push({
          metric: `${f.stack} template, ${versions} SOP versions`,
          unit: 'KB',
          value: kb(f.bytes),
          ...(inline === undefined ? {} : { baseline: kb(inline), ratio: ratio(f.bytes, inline) }),
        });
        runs.push({
          versions,
          stack: f.stack,
          templateKB: kb(f.bytes),
          inlineTemplateKB: inline === undefined ? null : kb(inline),
          resources: f.resources,
          functionPolicyKB: kb(policyBytes),
          synthSeconds: round(seconds, 1),
        });
      }
    } finally {
      if (keep) process.stderr.write(`template-sizes: kept ${root} and ${synth.outdir}\n`);
      else for (const dir of [root, synth.outdir]) rmSync(dir, { recursive: true, force: true });
    }
  }
  process.stdout.write(
    `${table(
      [
        'SOP versions',
        'stack',
        'template KB',
        'inline ASL KB (baseline)',
        'limit KB',
        'resources',
        'limit',
        'function policies KB',
      ],
      rows,
    )}\n`,
  );
  process.stdout.write(`BENCH_JSON ${JSON.stringify({ bench: 'template-sizes', runs, summary })}\n`);
  const over = runs.filter((r) => r.templateKB * 1024 >= TEMPLATE_LIMIT_BYTES || r.resources >= RESOURCE_LIMIT);
  if (over.length) {
    process.stderr.write(`template-sizes: over a CloudFormation limit: ${JSON.stringify(over)}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
