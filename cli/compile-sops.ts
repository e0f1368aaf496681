import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileSop } from '../core/sop/compile-sop.ts';
import { loadSops } from '../functions/adapters/catalog.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';

/** `npm run compile-sops [-- --out dir]`: the ASL of every SOP, as CDK deploys it (placeholders unsubstituted). */
const { values } = parseArgs({ options: { out: { type: 'string' }, 'sop-dir': { type: 'string', multiple: true } } });
const sops = loadSops(values['sop-dir'] ?? [join(PROJECT_ROOT, 'sops')]);
for (const sop of sops.all()) {
  const asl = compileSop(sop);
  if (values.out) {
    mkdirSync(values.out, { recursive: true });
    writeFileSync(join(values.out, `${sop.definition.id}.v${sop.definition.version}.asl.json`), asl);
    console.log(`${sop.key}: ${Object.keys(JSON.parse(asl).States).length} states → ${values.out}`);
  } else {
    console.log(`// ${sop.key}\n${asl}`);
  }
}
