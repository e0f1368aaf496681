import { join } from 'node:path';
import type { App, Environment } from 'aws-cdk-lib';
import { loadCatalog, sopVersions } from '../functions/adapters/catalog.ts';
import type { Settings } from './settings.ts';
import { EDGE_REGION, SepakatEdge } from './edge-stack.ts';
import { SepakatStateful } from './stateful-stack.ts';
import { SepakatStateless } from './stateless-stack.ts';

export { sopVersions };

/**
 * The deployment target. Synth never looks anything up: without CDK_DEFAULT_ACCOUNT (no credentials) a placeholder
 * account keeps `cdk synth` offline; `cdk deploy` runs with real credentials, which set it. The region is the
 * deployer's setting (`sepakat:region`, Jakarta by default), never CDK_DEFAULT_REGION: the CLI always sets that one
 * from the profile, and government records must not follow a profile to another region.
 */
export const environmentFrom = (env: NodeJS.ProcessEnv, settings: Pick<Settings, 'region'>): Required<Environment> => ({
  account: env.CDK_DEFAULT_ACCOUNT ?? '111111111111',
  region: settings.region,
});

/**
 * The stacks of a deployment: stateful (data, retained), stateless (everything that can be redeployed), and the
 * edge stack in us-east-1 (the front door's web ACL and certificate, which CloudFront takes from there only).
 */
export function createSepakat(app: App, options: { settings: Settings; root: string; env: Required<Environment> }) {
  const { settings, root, env } = options;
  // The same data the functions load at cold start (copied beside every bundle): an invalid SOP fails the synth.
  const catalog = loadCatalog({ sopDirs: [join(root, 'sops')], configDir: join(root, 'config') });
  const tags = { app: 'sepakat', 'sepakat:pemda': settings.pemda };
  const stateful = new SepakatStateful(app, 'SepakatStateful', {
    env,
    settings,
    tags,
    description: `Sepakat (${settings.pemda}): tables, buckets and the link key — retained, termination-protected`,
  });
  const edge = new SepakatEdge(app, 'SepakatEdge', {
    env: { account: env.account, region: EDGE_REGION },
    settings,
    tags,
    description: `Sepakat (${settings.pemda}): the front door's WAF web ACL and certificate (CloudFront, us-east-1)`,
  });
  const stateless = new SepakatStateless(app, 'SepakatStateless', {
    env,
    settings,
    stateful,
    edge,
    crossRegionReferences: true,
    sops: sopVersions(catalog),
    root,
    tags,
    description: `Sepakat (${settings.pemda}): functions, SOP state machines, HTTP API behind CloudFront, mail, sign-in, schedules, alarms`,
  });
  stateless.addStackDependency(stateful);
  stateless.addStackDependency(edge);
  return { stateful, edge, stateless };
}
