import { tandaTanganKurang } from '../documents/assemble.ts';
import { signingActOf } from '../documents/signing-task.ts';
import type { Directory } from '../directory/directory.ts';
import type { Activity, DefinitionIssue, FlowNode, Sop } from './load-sop.ts';
import { KOSAKATA, WAJIB_DOKUMEN } from '../documents/vocabulary.ts';
import { isNaskahDocument, isTerminal, type SopDefinition } from './schema.ts';

/**
 * The checks that refuse at load what could otherwise only fail at run time, each issue naming the file, the step
 * and the field (core/sop/load-sop.ts `formatIssue`):
 *
 * - `checkFlow` (the SOP alone, run by `buildSop`): a number printed before it is reserved on some path, and a gate
 *   on a field that some path reaches the gate without collecting;
 * - `checkAgainstDirectory` (the SOP with its pemda's directory, run by the catalog and `sop periksa`): numbering
 *   series and roles the directory lacks, actors nobody holds on a date the SOP is in force, and the people the
 *   documents print (the letter signer, the notulis, the pemda's signer) missing, or missing the NIP and pangkat a
 *   signature below the Sekda prints.
 */

// ─── Paths through the flow ──────────────────────────────────────────────────────────────────────────────────────

type Edge = readonly [target: string, facts: ReadonlySet<string>];

/**
 * What holds on *every* path into each node (a forward must-analysis: the facts on entry are the intersection of
 * what every edge into the node carries). `step` gives each edge out of a node, from the facts on entry. Nodes no
 * path reaches have no entry (reachability is checked on its own).
 */
function onEveryPath(
  nodes: readonly FlowNode[],
  start: string,
  initial: ReadonlySet<string>,
  step: (node: FlowNode, facts: ReadonlySet<string>) => Edge[],
): Map<string, ReadonlySet<string>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const entry = new Map<string, ReadonlySet<string>>([[start, new Set(initial)]]);
  const queue = [start];
  while (queue.length) {
    const id = queue.pop()!;
    const node = byId.get(id);
    if (!node) continue;
    for (const [target, facts] of step(node, entry.get(id)!)) {
      if (isTerminal(target) || !byId.has(target)) continue;
      const before = entry.get(target);
      const after = before ? new Set([...before].filter((f) => facts.has(f))) : new Set(facts);
      if (before && before.size === after.size) continue;
      entry.set(target, after);
      queue.push(target);
    }
  }
  return entry;
}

const edgesOf = (node: FlowNode, facts: (choice: number) => ReadonlySet<string>): Edge[] =>
  node.type === 'gate'
    ? [
        [node.then, facts(0)],
        [node.else, facts(0)],
      ]
    : node.choices.map((c, i) => [c.target, facts(i)] as const);

// ─── Numbers ─────────────────────────────────────────────────────────────────────────────────────────────────────

type Need = { path: string; nomor: string; what: string };

/**
 * One activity's numbers in order: the work before the task, the task's own opening (a signing task renders the
 * document it signs, number printed: it takes the number from its `seri` when no earlier step reserved it, the
 * "Ambil Nomor" of SRIKANDI), then each choice's work. Returns each choice's reserved numbers and what needed one.
 */
function numbersThrough(a: Activity, reserved: ReadonlySet<string>): { out: Set<string>[]; needs: Need[] } {
  const held = new Set(reserved);
  const needs: Need[] = [];
  const work = (w: Activity['before'][number], set: Set<string>, path: string) => {
    if (w.action === 'nomor') set.add(w.untuk);
    if ((w.action === 'daftar' || w.action === 'paket') && !set.has(w.nomor))
      needs.push({ path: `${path}.nomor`, nomor: w.nomor, what: `aksi "${w.action}"` });
  };
  a.before.forEach((w, i) => work(w, held, `automatic.before[${i}]`));
  const act = signingActOf(a);
  if (act?.act === 'tandatangan') {
    const index = a.choices.find((c) => c.value === act.choice)!.automatic.findIndex((w) => w.action === 'tandatangan');
    if (act.seri !== undefined) held.add(act.nomor);
    else if (!held.has(act.nomor))
      needs.push({
        path: `${a.id}.${act.choice}.automatic[${index}].nomor`,
        nomor: act.nomor,
        what: `${act.dokumen} yang ditampilkan saat tugas tanda tangan dibuka`,
      });
  }
  const out = a.choices.map((c) => {
    const set = new Set(held);
    c.automatic.forEach((w, i) => work(w, set, `${a.id}.${c.value}.automatic[${i}]`));
    return set;
  });
  return { out, needs };
}

function checkNumbers(nodes: readonly FlowNode[], start: string, file: string): DefinitionIssue[] {
  const step = (node: FlowNode, facts: ReadonlySet<string>): Edge[] => {
    if (node.type === 'gate') return edgesOf(node, () => facts);
    const { out } = numbersThrough(node, facts);
    return edgesOf(node, (i) => out[i]!);
  };
  const entry = onEveryPath(nodes, start, new Set(), step);
  const issues: DefinitionIssue[] = [];
  for (const node of nodes) {
    const facts = entry.get(node.id);
    if (node.type !== 'activity' || !facts) continue;
    for (const need of numbersThrough(node, facts).needs)
      issues.push({
        file,
        stepId: node.stepId,
        path: need.path,
        message:
          `nomor "${need.nomor}" dipakai ${need.what} sebelum dicadangkan, pada sedikitnya satu jalur alur: ` +
          `cadangkan dengan aksi "nomor" (untuk: ${need.nomor}) pada langkah sebelumnya di setiap jalur, atau sebut ` +
          `seri pada aksi "tandatangan" agar nomor diambil saat tugas tanda tangan dibuka (Ambil Nomor)`,
      });
  }
  return issues;
}

// ─── Gates ───────────────────────────────────────────────────────────────────────────────────────────────────────

function checkGates(
  definition: SopDefinition,
  nodes: readonly FlowNode[],
  start: string,
  file: string,
): DefinitionIssue[] {
  const collects = (a: Activity) => a.fields.filter((f) => f.caseData).map((f) => f.id);
  const known = new Set([
    ...definition.intake.data.map((f) => f.id),
    ...nodes.flatMap((n) => (n.type === 'activity' ? collects(n) : [])),
  ]);
  const entry = onEveryPath(nodes, start, new Set(definition.intake.data.map((f) => f.id)), (node, facts) => {
    const out = node.type === 'activity' ? new Set([...facts, ...collects(node)]) : facts;
    return edgesOf(node, () => out);
  });
  const issues: DefinitionIssue[] = [];
  for (const node of nodes) {
    const facts = entry.get(node.id);
    // A field collected nowhere is already refused by the flow builder.
    if (node.type !== 'gate' || !facts || facts.has(node.field) || !known.has(node.field)) continue;
    issues.push({
      file,
      stepId: node.id,
      path: 'gate.field',
      message: `"${node.field}" belum dikumpulkan pada sedikitnya satu jalur alur menuju gerbang ini: setiap jalur harus melewati langkah yang mengisinya (caseData) atau mengambilnya dari data permohonan`,
    });
  }
  return issues;
}

// ─── The fields documents require (core/documents/vocabulary.ts) ─────────────────────────────────────────────────

/** The fields a case holds after an activity's choice: what it had, the step's caseData fields, the signing date. */
function collectedBy(a: Activity, facts: ReadonlySet<string>, choice: number): Set<string> {
  const out = new Set([...facts, ...a.fields.filter((f) => f.caseData).map((f) => f.id)]);
  // The naskah's signature records the day it was signed (core/documents/document-actions.ts rememberSigned).
  if (a.choices[choice]?.automatic.some((w) => w.action === 'tandatangan' && isNaskahDocument(w.dokumen)))
    out.add('naskah-tanggal');
  return out;
}

const daftarIsian = (group: readonly string[]) =>
  group.map((id) => `"${id}" (${KOSAKATA.get(id)?.keterangan ?? id})`).join(' atau ');

/**
 * A document needs each of its required fields (`WAJIB_DOKUMEN`; the final naskah also the number and date of a
 * declared surat kuasa, and the name and jabatan of PIHAK KEDUA's declared signer) collected on every path before it is made: by the intake, or a `caseData` field of an earlier
 * step (or, for work after the step's decision, of the step itself; a notulen reads its own step's meeting fields).
 * Optional fields print their default or nothing when absent and are not checked.
 */
function checkRequiredFields(
  definition: SopDefinition,
  nodes: readonly FlowNode[],
  start: string,
  file: string,
): DefinitionIssue[] {
  const entry = onEveryPath(nodes, start, new Set(definition.intake.data.map((f) => f.id)), (node, facts) =>
    node.type === 'gate' ? edgesOf(node, () => facts) : edgesOf(node, (i) => collectedBy(node, facts, i)),
  );
  const pihak = definition.naskah?.pihak;
  const kuasa = [
    ...(pihak?.kesatu?.suratKuasaDari ? [['kuasa-nomor'], ['kuasa-tanggal']] : []),
    // The partner's declared signer is nobody in the pemda's directory: the naskah prints them from these fields.
    ...(pihak?.kedua ? [['mitra-penandatangan-nama'], ['mitra-penandatangan-jabatan']] : []),
    ...(pihak?.kedua?.suratKuasaDari ? [['mitra-kuasa-nomor']] : []),
  ];
  const issues: DefinitionIssue[] = [];
  const need = (
    a: Activity,
    facts: ReadonlySet<string>,
    dokumen: string,
    groups: readonly (readonly string[])[],
    path: string,
    when: string,
  ) => {
    for (const group of groups)
      if (!group.some((id) => facts.has(id)))
        issues.push({
          file,
          stepId: a.stepId,
          path,
          message:
            `dokumen "${dokumen}" ${when} memerlukan isian ${daftarIsian(group)}, yang belum dikumpulkan pada sedikitnya ` +
            `satu jalur alur: tambahkan isian dengan id "${group[0]}" (caseData: true) pada data permohonan atau pada ` +
            `langkah sebelumnya di setiap jalur`,
        });
  };
  for (const node of nodes) {
    const facts = entry.get(node.id);
    if (node.type !== 'activity' || !facts) continue;
    node.before.forEach((w, i) => {
      if (w.action === 'dokumen')
        need(
          node,
          facts,
          w.dokumen,
          WAJIB_DOKUMEN[w.dokumen] ?? [],
          `automatic.before[${i}].dokumen`,
          'yang dibuat saat langkah dibuka',
        );
    });
    const act = signingActOf(node);
    if (act?.act === 'tandatangan') {
      const index = node.choices
        .find((c) => c.value === act.choice)!
        .automatic.findIndex((w) => w.action === 'tandatangan');
      const groups = isNaskahDocument(act.dokumen) ? kuasa : (WAJIB_DOKUMEN[act.dokumen] ?? []);
      need(
        node,
        facts,
        act.dokumen,
        groups,
        `${node.id}.${act.choice}.automatic[${index}].dokumen`,
        'yang ditandatangani',
      );
    }
    const step = definition.steps.find((s) => s.id === node.stepId);
    const notulen = step && 'rapat' in step && step.rapat?.catat === 'notulen';
    node.choices.forEach((c, ci) => {
      const after = collectedBy(node, facts, ci);
      c.automatic.forEach((w, i) => {
        if (w.action !== 'dokumen') return;
        // A notulen made at its meeting's step reads that step's own values (core/case/rapat.ts), never the case's.
        const own = w.dokumen === 'notulen-rapat' && notulen ? new Set(node.fields.map((f) => f.id)) : after;
        need(
          node,
          own,
          w.dokumen,
          WAJIB_DOKUMEN[w.dokumen] ?? [],
          `${node.id}.${c.value}.automatic[${i}].dokumen`,
          'yang dibuat setelah keputusan',
        );
      });
    });
  }
  return issues;
}

// ─── The naskah's declared signers ───────────────────────────────────────────────────────────────────────────────

/**
 * `naskah.pihak`: each declared signer and giver of a surat kuasa is an actor of the SOP; PIHAK KESATU's signer and
 * the giver of its surat kuasa are the pemda's own officials (internal actors), resolved in the directory.
 */
function checkDeclaredSigners(definition: SopDefinition, file: string): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const actors = new Map(definition.actors.map((a) => [a.id, a]));
  for (const pihak of ['kesatu', 'kedua'] as const) {
    const declared = definition.naskah?.pihak?.[pihak];
    if (!declared) continue;
    for (const key of ['penandatangan', 'suratKuasaDari'] as const) {
      const id = declared[key];
      if (id === undefined) continue;
      const path = `naskah.pihak.${pihak}.${key}`;
      const actor = actors.get(id);
      if (!actor) issues.push({ file, path, message: `"${id}" bukan aktor SOP ini (actors): sebut id aktor yang ada` });
      else if (pihak === 'kesatu' && actor.kind !== 'internal')
        issues.push({
          file,
          path,
          message: `"${id}" (${actor.jabatan}) adalah pihak luar; penandatangan dan pemberi kuasa pihak kesatu adalah pejabat pemda (aktor internal)`,
        });
    }
  }
  return issues;
}

/** The checks of the SOP alone, on its flow: numbers, gates and the naskah's declared signers. */
export function checkFlow(
  definition: SopDefinition,
  nodes: readonly FlowNode[],
  start: string,
  file: string,
): DefinitionIssue[] {
  return [
    ...checkNumbers(nodes, start, file),
    ...checkGates(definition, nodes, start, file),
    ...checkDeclaredSigners(definition, file),
    ...checkRequiredFields(definition, nodes, start, file),
  ];
}

// ─── The pemda's directory ───────────────────────────────────────────────────────────────────────────────────────

const nextDay = (date: string): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
};

/**
 * The dates on which who holds a role can change, from the day the SOP is in force (`tanggalEfektif`; without one,
 * every change): the holders are the same between two of them, so checking these checks every day from then on.
 */
function datesToCheck(directory: Directory, role: string, effective: string | null): string[] {
  const periods = [...(directory.data.roles[role] ?? []), ...directory.data.acting.filter((a) => a.role === role)];
  const changes = periods.flatMap((p) => [p.from, p.to ? nextDay(p.to) : undefined]).filter((d) => d !== undefined);
  const dates = new Set(effective ? [effective, ...changes.filter((d) => d > effective)] : changes);
  if (!dates.size) dates.add('2000-01-01');
  return [...dates].sort();
}

/** Every piece of automatic work of an activity, with its path for the messages. */
const worksOf = (a: Activity): [string, Activity['before'][number]][] => [
  ...a.before.map((w, i) => [`automatic.before[${i}]`, w] as [string, Activity['before'][number]]),
  ...a.choices.flatMap((c) =>
    c.automatic.map((w, i) => [`${a.id}.${c.value}.automatic[${i}]`, w] as [string, Activity['before'][number]]),
  ),
];

/** The letters the unit sends out, signed by the official they name (core/documents: signed on a signing task). */
const LETTERS = new Set(['surat-undangan', 'nota-dinas', 'surat-pengantar']);
/** The documents whose signature block prints their signer (the one who decided the step, or the letter signer). */
const SIGNED_BY_DECIDER = new Set([...LETTERS, 'telaahan-staf', 'laporan-pelaksanaan', 'notulen-rapat']);
const NOTULIS = 'notulen-pencatat';
const PIMPINAN = 'rapat-pimpinan';

/**
 * The SOP against its pemda's directory (`directoryFile` names it in the messages): what the documents and tasks of
 * a case will ask of the directory on any day the SOP is in force.
 */
export function checkAgainstDirectory(
  sop: Sop,
  file: string,
  directory: Directory,
  directoryFile: string,
): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const pemda = directory.data.pemda;
  const effective = sop.definition.header.tanggalEfektif;
  const where = `direktori ${pemda.id} (${directoryFile})`;
  const since = effective ? `SOP berlaku sejak ${effective}` : 'SOP tanpa tanggal efektif: diperiksa setiap tanggal';
  const activities = sop.nodes.filter((n): n is Activity => n.type === 'activity');

  // Series of the register the SOP takes numbers from.
  const series = directory.data.penomoran.series;
  for (const a of activities) {
    const works = worksOf(a);
    for (const [path, w] of works)
      if (
        (w.action === 'nomor' || w.action === 'dokumen' || w.action === 'tandatangan') &&
        w.seri &&
        !(w.seri in series)
      )
        issues.push({
          file,
          stepId: a.stepId,
          path: `${path}.seri`,
          message: `seri penomoran "${w.seri}" tidak ada di penomoran ${where}`,
        });
  }

  // Who holds a role on every day the SOP is in force; the first day nobody does, per role.
  const holdersOf = (role: string) =>
    datesToCheck(directory, role, effective).map((d) => [d, directory.holders(role, d)] as const);
  const vacant = (role: string) => holdersOf(role).find(([, list]) => list.length === 0)?.[0];
  const people = (role: string) => {
    const seen = new Map<string, ReturnType<Directory['holders']>[number]>();
    for (const [, list] of holdersOf(role)) for (const p of list) seen.set(p.id, p);
    return [...seen.values()];
  };

  const firstStep = new Map<string, string>();
  for (const a of activities) if (!firstStep.has(a.performer.id)) firstStep.set(a.performer.id, a.stepId);
  for (const actor of sop.definition.actors) {
    if (actor.kind !== 'internal') continue;
    const stepId = firstStep.get(actor.id);
    const at = stepId ? { stepId } : {};
    if (!(actor.id in directory.data.roles)) {
      issues.push({ file, ...at, path: `actors.${actor.id}`, message: `peran "${actor.id}" tidak ada di ${where}` });
      continue;
    }
    const day = vacant(actor.id);
    if (day)
      issues.push({
        file,
        ...at,
        path: `actors.${actor.id}`,
        message: `tidak ada pejabat yang memegang peran "${actor.id}" (${actor.jabatan}) pada ${day} di ${where} (roles/acting); ${since}`,
      });
  }

  const kepalaDaerah = pemda.dokumen.kepalaDaerah;
  const documentWork = activities.some((a) =>
    [...a.before, ...a.choices.flatMap((c) => c.automatic)].some((w) => w.action !== 'notify'),
  );
  if (documentWork) {
    const day = vacant(kepalaDaerah.role);
    if (day)
      issues.push({
        file,
        path: 'actors',
        message: `penandatangan pihak pemda (${kepalaDaerah.jabatan}, peran "${kepalaDaerah.role}" pada pemda.dokumen.kepalaDaerah) tidak dipegang siapa pun pada ${day} di ${where}; ${since}`,
      });
  }

  /** A signer the document prints: in the directory on every day, with NIP and pangkat below the Sekda. */
  const signer = (role: string, stepId: string, path: string, dokumen: string, sebagai: string) => {
    // A role of the SOP's actors that the directory lacks is named once, above.
    if (!(role in directory.data.roles) && sop.definition.actors.some((a) => a.id === role)) return;
    const day = vacant(role);
    if (day) {
      issues.push({
        file,
        stepId,
        path,
        message: `${sebagai} ${dokumen} (peran "${role}") tidak ada di ${where} pada ${day}; ${since}`,
      });
      return;
    }
    for (const p of people(role)) {
      const kurang = tandaTanganKurang(p, kepalaDaerah.jabatan);
      if (kurang)
        issues.push({
          file,
          stepId,
          path,
          message: `${sebagai} ${dokumen} mencetak NIP dan pangkat: ${kurang} (people.${p.id} di ${where})`,
        });
    }
  };

  // The naskah's declared signer of PIHAK KESATU prints in its komparisi and signature block.
  const declared = sop.definition.naskah?.pihak?.kesatu;
  if (declared && documentWork) {
    const signs = activities.find((a) => signingActOf(a)?.act === 'tandatangan');
    signer(
      declared.penandatangan,
      signs?.stepId ?? '',
      'naskah.pihak.kesatu.penandatangan',
      'naskah',
      'penandatangan pihak kesatu',
    );
    if (declared.suratKuasaDari && vacant(declared.suratKuasaDari))
      issues.push({
        file,
        path: 'naskah.pihak.kesatu.suratKuasaDari',
        message: `pemberi surat kuasa naskah (peran "${declared.suratKuasaDari}") tidak dipegang siapa pun pada ${vacant(declared.suratKuasaDari)} di ${where}; ${since}`,
      });
  }

  for (const a of activities) {
    const works = worksOf(a);
    const act = signingActOf(a);
    for (const [path, w] of works) {
      if (w.action === 'tandatangan' && act?.act === 'tandatangan' && LETTERS.has(w.dokumen)) {
        // A letter is signed by the official bound to its signing task.
        signer(a.performer.id, a.stepId, `${path}.dokumen`, w.dokumen, 'penandatangan');
        continue;
      }
      if (w.action !== 'dokumen' || !SIGNED_BY_DECIDER.has(w.dokumen)) continue;
      if (w.dokumen === 'notulen-rapat') {
        const own = new Set(a.fields.filter((f) => f.type === 'pegawai').map((f) => f.id));
        const recorded = sop.step(a.stepId);
        const meeting = 'rapat' in recorded && recorded.rapat?.catat === 'notulen';
        // Without the meeting's own fields, the one who decided the step stands in for both, and one person cannot
        // sign the notulen twice.
        if (!meeting || !own.has(NOTULIS))
          issues.push({
            file,
            stepId: a.stepId,
            path: `${path}.dokumen`,
            message: `notulen-rapat memerlukan notulisnya: langkah ini harus mencatat rapat (rapat: { catat: notulen }) dengan isian "${NOTULIS}" (pegawai) pada ${a.id}`,
          });
        else if (!own.has(PIMPINAN))
          signer(a.performer.id, a.stepId, `${path}.dokumen`, w.dokumen, 'pimpinan rapat (yang memutuskan langkah)');
        continue;
      }
      const letterRole = LETTERS.has(w.dokumen) ? pemda.dokumen.penandatanganSurat : undefined;
      if (letterRole && !vacant(letterRole))
        signer(
          letterRole,
          a.stepId,
          `${path}.dokumen`,
          w.dokumen,
          'penandatangan surat (pemda.dokumen.penandatanganSurat)',
        );
      else signer(a.performer.id, a.stepId, `${path}.dokumen`, w.dokumen, 'penandatangan');
    }
  }
  return issues;
}
