/**
 * The CDK app (cdk.json: `npx tsx infra/cdk-app.ts`). Settings come from the context (cdk.json, `-c sepakat:…=…`);
 * cdk-nag's AwsSolutions checks run on every synth, so a finding without a justified suppression fails it.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from './nag.ts';
import { createSepakat, environmentFrom } from './stacks.ts';
import { readSettings } from './settings.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const app = new App();
const settings = readSettings((key) => app.node.tryGetContext(key), root);
createSepakat(app, { settings, root, env: environmentFrom(process.env, settings) });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
