import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
/**
 * cdk-nag 3 runs as a CDK policy-validation plugin (`Validations.of(app).addPlugins(new AwsSolutionsChecks(app))`);
 * a finding is accepted with `Validations.of(construct).acknowledge(…)`, which covers the construct and everything
 * under it. cdk-nag is CommonJS whose named exports Node's ESM loader cannot see: hence the default import.
 */
import cdkNag from 'cdk-nag';

export const { AwsSolutionsChecks } = cdkNag;

/**
 * Accepts a cdk-nag rule on `scope`, or only the listed findings of it (`AwsSolutions-IAM5[Resource::*]`), with
 * the reason it is acceptable here.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string, findings?: readonly string[]): void {
  if (!findings) Validations.of(scope).acknowledge({ id, reason });
  else for (const finding of findings) Validations.of(scope).acknowledge({ id: `${id}[${finding}]`, reason });
}
