/**
 * Bundled in place of `semver` (see `aliasesOf` in infra/functions.ts): the one function of it the bundles use,
 * `semver.gte` in aws-xray-sdk-core's AWS SDK v2 patcher (patchers/aws_p.js), which Powertools' Tracer loads. The
 * whole package's index (ranges, coercion, every comparison) is about 25 KB of every bundle.
 */
// @ts-expect-error -- semver ships no type declarations (and @types/semver is not a dependency)
import gteOfSemver from '../../node_modules/semver/functions/gte.js';

export const gte = gteOfSemver as (a: string, b: string, loose?: boolean) => boolean;
