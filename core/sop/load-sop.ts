import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ErrorNames, SepakatError } from '../errors.ts';
import {
  isGate,
  isTerminal,
  SopSchema,
  type ActionKind,
  type Actor,
  type Automatic,
  type Choice,
  type Field,
  type Gate,
  type SopDefinition,
  type Step,
} from './schema.ts';
import type { Waktu } from './waktu.ts';
import { checkFlow } from './load-checks.ts';

/** A choice whose target is resolved to a flow node id (an activity or a gate) or a terminal. */
export interface ResolvedChoice extends Choice {
  readonly target: string;
}

/**
 * One unit of human work: a step, or one link of a step's chain. Each activity is one wait state
 * (`.waitForTaskToken`) in the compiled state machine, and one task in DynamoDB per visit.
 */
export interface Activity {
  readonly type: 'activity';
  /** "L7" for a single-actor step, "L7.2" for the second link of L7's chain. */
  readonly id: string;
  readonly stepId: string;
  readonly linkIndex: number | null;
  /** The actor in whose name the work is done (may be an external party). */
  readonly actor: Actor;
  /**
   * Whose person gets the task: the actor (an official by role, or the case's pemohon for an actor of kind pemohon),
   * or for an external party its internal recorder.
   */
  readonly performer: Actor;
  readonly kind: ActionKind;
  /** What the person is asked to do. */
  readonly label: string;
  readonly fields: readonly Field[];
  readonly choices: readonly ResolvedChoice[];
  readonly waktu: Waktu | null;
  /** Automatic work done when the activity opens, before the person is asked. */
  readonly before: readonly Automatic[];
}

export interface GateNode {
  readonly type: 'gate';
  readonly id: string;
  readonly question: string;
  readonly field: string;
  readonly equals: boolean | string | number;
  readonly then: string;
  readonly else: string;
}

export type FlowNode = Activity | GateNode;

/** A validated SOP with its flow graph. Pure data: safe to share between cases. */
export interface Sop {
  readonly definition: SopDefinition;
  /** `${id}@${version}`: what a case pins. */
  readonly key: string;
  readonly start: string;
  /** In SOP order. */
  readonly nodes: readonly FlowNode[];
  readonly node: (id: string) => FlowNode;
  readonly actor: (id: string) => Actor;
  readonly step: (id: string) => Step | Gate;
}

export interface DefinitionIssue {
  readonly file: string;
  readonly stepId?: string;
  readonly path: string;
  readonly message: string;
}

/** Raised for an invalid definition; its message names the file, the step and the field of every issue. */
export class InvalidDefinitionError extends SepakatError {
  constructor(readonly issues: readonly DefinitionIssue[]) {
    super(ErrorNames.InvalidDefinition, issues.map(formatIssue).join('\n'));
  }
}

export function formatIssue(issue: DefinitionIssue): string {
  const where = [issue.file, issue.stepId ? `langkah ${issue.stepId}` : undefined, issue.path || undefined]
    .filter(Boolean)
    .join(': ');
  return `${where}: ${issue.message}`;
}

/** Parses and validates an SOP definition from YAML text. `file` is only used in error messages. */
export function loadSop(text: string, file: string): Sop {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new InvalidDefinitionError([{ file, path: '', message: `YAML tidak valid: ${(error as Error).message}` }]);
  }
  return buildSop(raw, file);
}

/** Validates an already parsed definition (an object) and builds its flow. */
export function buildSop(raw: unknown, file: string): Sop {
  const parsed = SopSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidDefinitionError(zodIssues(parsed.error, raw, file));
  const definition = parsed.data;
  const issues: DefinitionIssue[] = [];
  const sop = buildFlow(definition, file, issues);
  if (issues.length) throw new InvalidDefinitionError(issues);
  return sop;
}

type ZodIssueLike = { path: PropertyKey[]; message: string; code?: string; errors?: ZodIssueLike[][] };

/** A step is a Step or a Gate (a union): report the issues of the branch the raw step meant, not "Invalid input". */
function unwrapUnions(issues: readonly ZodIssueLike[], raw: unknown): ZodIssueLike[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || !issue.errors?.length) return [issue];
    const path = issue.path;
    const target = path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key], raw);
    const branch = target && typeof target === 'object' && 'gate' in target ? 1 : 0;
    const nested = issue.errors[branch] ?? issue.errors[0]!;
    return unwrapUnions(
      nested.map((n) => ({ ...n, path: [...path, ...n.path] })),
      raw,
    );
  });
}

function zodIssues(error: z.ZodError, raw: unknown, file: string): DefinitionIssue[] {
  return unwrapUnions(error.issues as unknown as ZodIssueLike[], raw).map((issue) => {
    const path = issue.path.map(String);
    let stepId: string | undefined;
    if (path[0] === 'steps' && path[1] !== undefined) {
      const step = (raw as { steps?: { id?: unknown }[] })?.steps?.[Number(path[1])];
      stepId = typeof step?.id === 'string' ? step.id : `#${Number(path[1]) + 1}`;
      return { file, stepId, path: path.slice(2).join('.'), message: issue.message };
    }
    return { file, path: path.join('.'), message: issue.message };
  });
}

function buildFlow(definition: SopDefinition, file: string, issues: DefinitionIssue[]): Sop {
  const actors = new Map<string, Actor>();
  for (const actor of definition.actors) {
    if (actors.has(actor.id)) issues.push({ file, path: `actors.${actor.id}`, message: 'id aktor ganda' });
    actors.set(actor.id, actor);
  }
  for (const actor of definition.actors) {
    if (actor.kind === 'external') {
      const recorder = actor.recordedBy ? actors.get(actor.recordedBy) : undefined;
      if (!recorder || recorder.kind !== 'internal')
        issues.push({
          file,
          path: `actors.${actor.id}.recordedBy`,
          message: 'pihak eksternal harus dicatat oleh aktor internal (recordedBy)',
        });
    } else if (actor.recordedBy) {
      issues.push({ file, path: `actors.${actor.id}.recordedBy`, message: 'hanya pihak eksternal yang dicatat' });
    }
  }

  const steps = new Map<string, Step | Gate>();
  for (const step of definition.steps) {
    if (steps.has(step.id)) issues.push({ file, stepId: step.id, path: 'id', message: 'id langkah ganda' });
    steps.set(step.id, step);
  }

  const actorOf = (id: string, stepId: string, path: string): Actor => {
    const actor = actors.get(id);
    if (actor) return actor;
    issues.push({ file, stepId, path, message: `aktor "${id}" tidak ada di daftar actors` });
    return { id, jabatan: id, kind: 'internal' };
  };
  const performerOf = (actor: Actor): Actor =>
    actor.kind === 'external' && actor.recordedBy ? (actors.get(actor.recordedBy) ?? actor) : actor;

  /** Step id → the id of the node that enters it (the first chain link, or the step itself). */
  const entry = (stepId: string): string => {
    const step = steps.get(stepId);
    return step && !isGate(step) && step.chain ? `${stepId}.1` : stepId;
  };
  const resolve = (to: string, stepId: string, path: string): string => {
    if (isTerminal(to)) return to;
    if (!steps.has(to)) {
      issues.push({ file, stepId, path, message: `tujuan "${to}" bukan langkah yang ada atau hasil akhir` });
      return 'selesai';
    }
    return entry(to);
  };
  const resolveChoices = (choices: readonly Choice[], stepId: string, path: string): ResolvedChoice[] => {
    const seen = new Set<string>();
    return choices.map((choice, i) => {
      if (seen.has(choice.value))
        issues.push({ file, stepId, path: `${path}[${i}].value`, message: `pilihan "${choice.value}" ganda` });
      seen.add(choice.value);
      if ((choice.kind === 'kembalikan' || choice.kind === 'tolak' || choice.kind === 'ulangi') && !choice.noteRequired)
        issues.push({
          file,
          stepId,
          path: `${path}[${i}].noteRequired`,
          message: 'pengembalian, penolakan dan pengulangan wajib disertai catatan (noteRequired: true)',
        });
      for (const [j, auto] of choice.automatic.entries()) checkAutomatic(auto, stepId, `${path}[${i}].automatic[${j}]`);
      return { ...choice, target: resolve(choice.next, stepId, `${path}[${i}].next`) };
    });
  };
  const checkAutomatic = (auto: Automatic, stepId: string, path: string) => {
    if (auto.action === 'notify' && auto.to !== 'pemohon' && !actors.has(auto.to))
      issues.push({ file, stepId, path: `${path}.to`, message: `penerima "${auto.to}" bukan pemohon atau aktor` });
    // A file or value the work reads must be collected by the same step.
    const step = definition.steps.find((x) => x.id === stepId);
    const fields = step && !isGate(step) ? [...step.fields, ...(step.chain ?? []).flatMap((l) => l.fields)] : [];
    const refs: [string, string | undefined, 'file' | 'value'][] = [];
    if (auto.action === 'tandatangan-mitra' || auto.action === 'arsip') refs.push(['berkas', auto.berkas, 'file']);
    if (auto.action === 'arsip') refs.push(['lokasi', auto.lokasi, 'value']);
    if (auto.action === 'nomor') refs.push(['srikandi', auto.srikandi, 'value']);
    if (auto.action === 'dokumen') {
      refs.push(['arahan', auto.arahan, 'value']);
      const disposisi = auto.dokumen === 'lembar-disposisi';
      if (disposisi && auto.arahan === undefined)
        issues.push({
          file,
          stepId,
          path: `${path}.arahan`,
          message: 'Lembar Disposisi memerlukan isian arahan langkah ini (arahan: <id isian>)',
        });
      if (!disposisi && (auto.arahan !== undefined || auto.kepada !== undefined))
        issues.push({ file, stepId, path, message: 'arahan dan kepada hanya untuk dokumen lembar-disposisi' });
      if (auto.kepada !== undefined && !actors.has(auto.kepada))
        issues.push({
          file,
          stepId,
          path: `${path}.kepada`,
          message: `aktor "${auto.kepada}" tidak ada di daftar actors`,
        });
    }
    for (const [key, id, kind] of refs) {
      if (id === undefined) continue;
      const field = fields.find((f) => f.id === id);
      const wrongKind =
        key === 'arahan'
          ? field?.type !== 'text' && field?.type !== 'textarea'
          : (kind === 'file') !== (field?.type === 'file');
      if (!field || wrongKind)
        issues.push({
          file,
          stepId,
          path: `${path}.${key}`,
          message: `"${id}" bukan isian ${kind === 'file' ? 'berkas' : 'teks'} pada langkah ${stepId}`,
        });
    }
  };

  for (const field of [...definition.intake.documents, ...definition.intake.data])
    if (field.type === 'pegawai')
      issues.push({
        file,
        path: `intake.${field.id}`,
        message: 'isian pegawai hanya pada langkah, bukan pada permohonan',
      });

  const nodes: FlowNode[] = [];
  definition.steps.forEach((step, index) => {
    const following = definition.steps[index + 1]?.id ?? 'selesai';
    if (isGate(step)) {
      const known = [
        ...definition.intake.data,
        ...definition.steps.flatMap((x) =>
          isGate(x) ? [] : [...x.fields, ...(x.chain ?? []).flatMap((l) => l.fields)],
        ),
      ].filter((f) => f.caseData || definition.intake.data.includes(f));
      const field = known.find((f) => f.id === step.gate.field);
      if (!field)
        issues.push({
          file,
          stepId: step.id,
          path: 'gate.field',
          message: `"${step.gate.field}" bukan data permohonan atau isian caseData`,
        });
      else if (
        (field.type === 'boolean') !== (typeof step.gate.equals === 'boolean') ||
        (field.type === 'number') !== (typeof step.gate.equals === 'number')
      )
        issues.push({
          file,
          stepId: step.id,
          path: 'gate.equals',
          message: `jenis nilai tidak cocok dengan isian "${field.id}" (${field.type})`,
        });
      nodes.push({
        type: 'gate',
        id: step.id,
        question: step.gate.question,
        field: step.gate.field,
        equals: step.gate.equals,
        then: resolve(step.gate.then, step.id, 'gate.then'),
        else: resolve(step.gate.else, step.id, 'gate.else'),
      });
      return;
    }
    checkRapat(step, file, issues);
    const next = step.next ?? following;
    const after = step.automatic?.after ?? [];
    const before = step.automatic?.before ?? [];
    [...before, ...after].forEach((auto, i) => checkAutomatic(auto, step.id, `automatic[${i}]`));
    if (step.choices && step.repeatUntil)
      issues.push({
        file,
        stepId: step.id,
        path: 'repeatUntil',
        message: 'repeatUntil tidak dapat digabung dengan choices',
      });

    const ownChoices: Choice[] = step.choices
      ? step.choices
      : step.repeatUntil
        ? [
            {
              value: 'disepakati',
              label: `Sudah ${step.repeatUntil}`,
              next,
              kind: 'lanjut',
              noteRequired: false,
              automatic: [],
            },
            {
              value: 'ulangi',
              label: `Belum ${step.repeatUntil}: ulangi`,
              next: step.id,
              kind: 'ulangi',
              noteRequired: true,
              automatic: [],
            },
          ]
        : [{ value: 'lanjut', label: 'Selesai, lanjutkan', next, kind: 'lanjut', noteRequired: false, automatic: [] }];
    const withAfter = (choices: Choice[]): Choice[] =>
      after.length ? choices.map((c) => ({ ...c, automatic: [...after, ...c.automatic] })) : choices;

    if (!step.chain) {
      const actor = actorOf(step.actor, step.id, 'actor');
      nodes.push({
        type: 'activity',
        id: step.id,
        stepId: step.id,
        linkIndex: null,
        actor,
        performer: performerOf(actor),
        kind: step.kind,
        label: step.uraian,
        fields: step.fields,
        choices: resolveChoices(withAfter(ownChoices), step.id, 'choices'),
        waktu: step.waktu,
        before,
      });
      return;
    }

    actorOf(step.actor, step.id, 'actor');
    if (step.fields.length || step.repeatUntil || step.kind !== 'biasa')
      issues.push({
        file,
        stepId: step.id,
        path: 'chain',
        message: 'langkah berantai menaruh fields/kind pada tiap mata rantai, dan tidak memakai repeatUntil',
      });
    step.chain.forEach((link, i) => {
      const actor = actorOf(link.actor, step.id, `chain[${i}].actor`);
      const last = i === step.chain!.length - 1;
      const forward: Choice[] = last
        ? ownChoices
        : [
            {
              value: 'lanjut',
              label: 'Setuju, teruskan',
              next: `${step.id}.${i + 2}`,
              kind: 'lanjut',
              noteRequired: false,
              automatic: [],
            },
          ];
      link.automatic.forEach((auto, j) => checkAutomatic(auto, step.id, `chain[${i}].automatic[${j}]`));
      // The link's own work (a paraf, a signature) comes first on its forward choice, then the step's `after`.
      const own = (last ? withAfter(forward) : forward).map((c, j) =>
        j === 0 && link.automatic.length ? { ...c, automatic: [...link.automatic, ...c.automatic] } : c,
      );
      const choices = [...own, ...link.choices];
      nodes.push({
        type: 'activity',
        id: `${step.id}.${i + 1}`,
        stepId: step.id,
        linkIndex: i,
        actor,
        performer: performerOf(actor),
        kind: link.kind,
        label: link.action,
        fields: link.fields,
        // The forward choice of an inner link targets the next link id directly (not a step id).
        choices: choices.map((c, j) =>
          !last && j === 0 ? { ...c, target: c.next } : resolveChoices([c], step.id, `chain[${i}].choices`)[0]!,
        ),
        waktu: link.waktu ?? step.waktu,
        before: i === 0 ? before : [],
      });
    });
  });

  const byId = new Map(nodes.map((n) => [n.id, n]));
  const start = nodes[0]!.id;
  checkReachability(nodes, byId, start, file, issues);
  checkDocumentWork(nodes, file, issues);
  checkPemohonWork(nodes, file, issues);
  issues.push(...checkFlow(definition, nodes, start, file));

  return {
    definition,
    key: `${definition.id}@${definition.version}`,
    start,
    nodes,
    node: (id) => {
      const node = byId.get(id);
      if (!node) throw new SepakatError(ErrorNames.NotFound, `Langkah ${id} tidak ada di SOP ${definition.id}`);
      return node;
    },
    actor: (id) => {
      const actor = actors.get(id);
      if (!actor) throw new SepakatError(ErrorNames.NotFound, `Aktor ${id} tidak ada di SOP ${definition.id}`);
      return actor;
    },
    step: (id) => {
      const step = steps.get(id);
      if (!step) throw new SepakatError(ErrorNames.NotFound, `Langkah ${id} tidak ada di SOP ${definition.id}`);
      return step;
    },
  };
}

/**
 * The pemohon acts through their capability link alone: they hold no key or certificate of the pemda, so a paraf or an
 * electronic signature (the step's kind, or its paraf/tandatangan work) is an official's, never theirs. A pemohon who
 * signs the naskah does so as a party, through an uploaded copy (`tandatangan-mitra`) recorded by an official.
 */
function checkPemohonWork(nodes: readonly FlowNode[], file: string, issues: DefinitionIssue[]) {
  for (const node of nodes) {
    if (node.type !== 'activity' || node.performer.kind !== 'pemohon') continue;
    const signs =
      node.kind !== 'biasa' ||
      node.choices.some((c) => c.automatic.some((a) => a.action === 'paraf' || a.action === 'tandatangan'));
    if (signs)
      issues.push({
        file,
        stepId: node.stepId,
        path: node.linkIndex === null ? 'kind' : `chain[${node.linkIndex}].kind`,
        message: `pemohon (aktor "${node.actor.id}") tidak dapat membubuhkan paraf atau tanda tangan elektronik: tidak ada sertifikat pemohon di pemda; paraf dan tanda tangan dilakukan pejabat`,
      });
  }
}

/** The fields a meeting step keeps under their conventional ids (core/case/rapat.ts reads them by these ids). */
const RAPAT_FIELD_TYPES: Readonly<Record<string, readonly Field['type'][]>> = {
  'rapat-tanggal': ['date'],
  'rapat-waktu': ['text'],
  'rapat-tempat': ['text'],
  'rapat-acara': ['text', 'textarea'],
  'rapat-pimpinan': ['pegawai'],
  'notulen-pencatat': ['pegawai'],
};

/**
 * A meeting step is a single-actor step with the meeting's date (`rapat-tanggal`); its meeting fields have the types
 * the rules read them as.
 */
function checkRapat(step: Step, file: string, issues: DefinitionIssue[]) {
  if (!step.rapat) return;
  // In a chain, the link with the meeting's date prepares or records it (the others sign the undangan).
  const fields = step.chain
    ? (step.chain.find((l) => l.fields.some((f) => f.id === 'rapat-tanggal'))?.fields ?? [])
    : step.fields;
  if (!fields.some((f) => f.id === 'rapat-tanggal'))
    issues.push({
      file,
      stepId: step.id,
      path: 'rapat',
      message: 'langkah rapat harus punya isian "rapat-tanggal" (tanggal rapat, type date)',
    });
  for (const field of fields) {
    const types = RAPAT_FIELD_TYPES[field.id];
    if (types && !types.includes(field.type))
      issues.push({
        file,
        stepId: step.id,
        path: `fields.${field.id}`,
        message: `isian rapat "${field.id}" harus berjenis ${types.join(' atau ')}`,
      });
  }
}

/**
 * Document work that could only fail at run time is refused at load: work that needs a decision (paraf, signature,
 * a file) placed before the step, and a number used that no `nomor` action (nor a signing task with its own series)
 * of the SOP reserves. Where on the paths of the flow it is reserved is checked in core/sop/load-checks.ts.
 */
function checkDocumentWork(nodes: FlowNode[], file: string, issues: DefinitionIssue[]) {
  const activities = nodes.filter((n): n is Activity => n.type === 'activity');
  const reserved = new Set(
    activities.flatMap((a) =>
      [...a.before, ...a.choices.flatMap((c) => c.automatic)].flatMap((w) =>
        w.action === 'nomor' ? [w.untuk] : w.action === 'tandatangan' && w.seri !== undefined ? [w.nomor] : [],
      ),
    ),
  );
  for (const a of activities) {
    a.before.forEach((w, i) => {
      const needsDecision =
        w.action === 'paraf' ||
        w.action === 'tandatangan' ||
        w.action === 'tandatangan-mitra' ||
        (w.action === 'arsip' && (w.berkas !== undefined || w.lokasi !== undefined)) ||
        (w.action === 'nomor' && w.srikandi !== undefined);
      if (needsDecision)
        issues.push({
          file,
          stepId: a.stepId,
          path: `automatic.before[${i}]`,
          message: `"${w.action}" memerlukan keputusan pejabat; taruh di automatic.after atau pada pilihan`,
        });
    });
    for (const c of a.choices)
      c.automatic.forEach((w, i) => {
        const nomor = w.action !== 'nomor' && 'nomor' in w ? w.nomor : undefined;
        // A signature with its own series takes its number as the signing task opens (a letter's Ambil Nomor).
        const takesOwn = w.action === 'tandatangan' && w.seri !== undefined;
        if (nomor !== undefined && !takesOwn && !reserved.has(nomor))
          issues.push({
            file,
            stepId: a.stepId,
            path: `${a.id}.${c.value}.automatic[${i}].nomor`,
            message: `nomor "${nomor}" tidak dicadangkan oleh aksi "nomor" mana pun di SOP ini`,
          });
      });
  }
}

export { waktuOfStep } from './step-waktu.ts';

/** Successors of a node: its choices' targets or its gate's branches. */
export function successors(node: FlowNode): string[] {
  return node.type === 'gate' ? [node.then, node.else] : node.choices.map((c) => c.target);
}

function checkReachability(
  nodes: FlowNode[],
  byId: Map<string, FlowNode>,
  start: string,
  file: string,
  issues: DefinitionIssue[],
) {
  const seen = new Set<string>();
  const queue = [start];
  let endsSomewhere = false;
  while (queue.length) {
    const id = queue.pop()!;
    if (isTerminal(id)) {
      endsSomewhere = true;
      continue;
    }
    if (seen.has(id) || !byId.has(id)) continue;
    seen.add(id);
    queue.push(...successors(byId.get(id)!));
  }
  for (const node of nodes) {
    if (!seen.has(node.id))
      issues.push({ file, stepId: node.id, path: '', message: 'langkah tidak dapat dicapai dari langkah pertama' });
  }
  if (!endsSomewhere) issues.push({ file, path: 'steps', message: 'alur tidak pernah mencapai hasil akhir' });
}
