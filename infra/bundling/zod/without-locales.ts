/**
 * `zod` as the Lambda bundles see it (esbuild alias `zod` → this folder, infra/functions.ts `aliasesOf`). esbuild
 * keeps every module behind an `export * as` re-export, so `import { z } from 'zod'` pulled all of zod's locales
 * (about 260 KB) into every bundle; the product uses only the Indonesian one, imported by its own path
 * (core/validation/text.ts → ./v4/locales/id.ts here). Tests and the local runtime use zod itself; test/infra.test.ts
 * builds a bundle through this alias.
 */
import * as z from './external.ts';

export * from './external.ts';
export { z, z as default };
