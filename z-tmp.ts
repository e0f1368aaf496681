import { readFileSync } from 'node:fs';
import { loadSop } from './core/sop/load-sop.ts';
import { sumWaktu } from './core/sop/waktu.ts';
for (const f of process.argv.slice(2)) {
  try {
    const sop = loadSop(readFileSync(f, 'utf8'), f);
    console.log(f, 'OK', sop.nodes.length, 'nodes');
    console.log(sumWaktu(sop.definition.steps.map((s) => ('waktu' in s ? s.waktu : null))));
    for (const n of sop.nodes) console.log(' ', n.id, n.type === 'activity' ? `${n.actor.id}/${n.performer.id} ${n.kind} -> ${n.choices.map((c) => `${c.value}:${c.target}`).join(', ')}` : `gate ${n.field}=${n.equals} ? ${n.then} : ${n.else}`);
  } catch (e) { console.log((e as Error).message); }
}
