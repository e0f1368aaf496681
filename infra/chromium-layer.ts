import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * The Chromium layer of the document function: @sparticuz/chromium (its brotli-packed binary, fonts and AL2023
 * libraries) with the packages it imports, laid out as Lambda expects Node.js layers,
 * `nodejs/node_modules/@sparticuz/chromium/…`. The bundle keeps `@sparticuz/chromium` external
 * (`EXTERNAL_MODULES`): the package finds its `bin/` beside its own files, which a bundle would not keep.
 */
export const CHROMIUM_PACKAGE = '@sparticuz/chromium';

interface PackageJson {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readPackage = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;

/** Node's lookup of a package from `fromDir`: the nearest `node_modules/<name>` up the tree. */
function resolvePackageDir(name: string, fromDir: string, root: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/**
 * The installed directories (relative to `root/node_modules`) of a package and everything it depends on, as npm
 * laid them out. A missing optional dependency is skipped; a missing required one is an error.
 */
export function dependencyClosure(root: string, name = CHROMIUM_PACKAGE): string[] {
  const seen = new Set<string>();
  const visit = (pkg: string, fromDir: string, optional: boolean) => {
    const dir = resolvePackageDir(pkg, fromDir, root);
    if (!dir) {
      if (optional) return;
      throw new Error(`${pkg} (needed by the Chromium layer) is not installed under ${root}/node_modules`);
    }
    const rel = relative(join(root, 'node_modules'), dir);
    if (seen.has(rel)) return;
    seen.add(rel);
    const manifest = readPackage(dir);
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  visit(name, root, false);
  return [...seen].sort();
}

/**
 * Builds the layer by copying files from node_modules (no Docker, no network: synth stays offline). The copy is
 * what `npm install` left there, so the layer holds the same versions the tests ran.
 */
export class ChromiumLayerBundling implements ILocalBundling {
  constructor(private readonly root: string) {}

  tryBundle(outputDir: string): boolean {
    const target = join(outputDir, 'nodejs', 'node_modules');
    mkdirSync(target, { recursive: true });
    for (const rel of dependencyClosure(this.root))
      cpSync(join(this.root, 'node_modules', rel), join(target, rel), { recursive: true, dereference: true });
    return true;
  }
}

export class ChromiumLayer extends Construct {
  readonly layer: LayerVersion;

  constructor(scope: Construct, id: string, props: { root: string }) {
    super(scope, id);
    const version = readPackage(join(props.root, 'node_modules', CHROMIUM_PACKAGE)).version ?? 'unknown';
    this.layer = new LayerVersion(this, 'Layer', {
      description: `${CHROMIUM_PACKAGE} ${version} for the document function`,
      compatibleRuntimes: [Runtime.NODEJS_22_X],
      // The package ships the x86_64 binary only (its arm64 build is a separate download).
      compatibleArchitectures: [Architecture.X86_64],
      code: Code.fromAsset(join(props.root, 'node_modules', CHROMIUM_PACKAGE), {
        // Hash what is shipped (the package and its dependencies), not only the package directory.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never pulled: local bundling always succeeds (or throws).
          image: DockerImage.fromRegistry('sepakat-no-docker-bundling'),
          local: new ChromiumLayerBundling(props.root),
        },
      }),
    });
  }
}
