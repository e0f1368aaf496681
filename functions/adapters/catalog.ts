import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  createWorkCalendar,
  computeDue,
  parseCalendarYear,
  type WorkCalendar,
} from '../../core/calendar/work-calendar.ts';
import type { CalendarYear, WorkingHours } from '../../core/calendar/calendar-schema.ts';
import { fileHolidayEstimate } from './holiday-estimate.ts';
import type { PemdaContext, SopCatalog } from '../../core/case/case-runtime.ts';
import {
  createDirectory,
  DirectorySchema,
  type Directory,
  type DirectoryData,
} from '../../core/directory/directory.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import { formatTanggalWaktu } from '../../core/format/tanggal.ts';
import { outlineCatalog, parseOutline, type OutlineCatalog } from '../../core/naskah/outline.ts';
import { checkAgainstDirectory } from '../../core/sop/load-checks.ts';
import { formatIssue, InvalidDefinitionError, loadSop, type Sop } from '../../core/sop/load-sop.ts';

/**
 * Loads the product's data files at start-up, and again on a reload (`reload`): SOP definitions (every version ever deployed stays loadable,
 * since each case pins the version it started on), pemda directories, holiday calendars and the standard outlines
 * of the kinds of naskah (`config/naskah`).
 */
export interface Catalog {
  sops: SopCatalog & { fileOf(key: string): string };
  /** The standard outline of each kind of naskah, checked at load. */
  outlines: OutlineCatalog;
  pemda(pemdaId: string): PemdaContext & { calendar: WorkCalendar; directory: Directory };
  pemdaIds(): string[];
  /** The years of holiday data: shipped under config/calendar, then those imported (core/calendar/calendar-import.ts). */
  calendarYears(): readonly CalendarYear[];
  /**
   * Rebuilds every pemda's calendar from the shipped years and `imported` (an imported year replaces a shipped one):
   * what reads `pemda(id).calendar` from then on sees them, without a restart.
   */
  useImportedYears(imported: readonly CalendarYear[]): void;
  /**
   * Loads the data files again (`npm run sepakat -- muat-ulang`): new SOP versions and changed pemda configuration,
   * after every check of the load. A load that fails any check, changes a version already loaded or drops one,
   * changes nothing and says why, naming the file. Running cases keep their pinned version.
   */
  reload(): ReloadResult;
}

/**
 * Every loaded version of every SOP: a case keeps running on the version it started on, so each version keeps its
 * state machine (registered by the local runtime, deployed by infra/).
 */
export function sopVersions(catalog: Pick<Catalog, 'sops'>): Sop[] {
  const versions: Sop[] = [];
  for (const sop of catalog.sops.all())
    for (let v = 1; v <= sop.definition.version; v++) {
      try {
        versions.push(catalog.sops.get(`${sop.definition.id}@${v}`));
      } catch {
        // Older versions not shipped: cases on them must have finished before the file was removed.
      }
    }
  return versions;
}

function yamlFiles(dir: string): string[] {
  try {
    // A dotfile is an editor's (Emacs' lock `.#x.yaml`, a swap file), never data.
    return readdirSync(dir)
      .filter((f) => (f.endsWith('.yaml') || f.endsWith('.yml')) && !f.startsWith('.'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

export function loadSops(dirs: readonly string[]): SopCatalog & { fileOf(key: string): string } {
  const byKey = new Map<string, Sop>();
  const files = new Map<string, string>();
  for (const dir of dirs)
    for (const file of [...yamlFiles(dir), ...yamlFiles(join(dir, 'versi'))]) {
      const sop = loadSop(readFileSync(file, 'utf8'), file);
      if (byKey.has(sop.key))
        throw new SepakatError(ErrorNames.InvalidDefinition, `${file}: SOP ${sop.key} sudah dimuat dari berkas lain`);
      byKey.set(sop.key, sop);
      files.set(sop.key, file);
    }
  const latest = new Map<string, Sop>();
  for (const sop of byKey.values()) {
    const current = latest.get(sop.definition.id);
    if (!current || current.definition.version < sop.definition.version) latest.set(sop.definition.id, sop);
  }
  return {
    get(key) {
      const sop = byKey.get(key);
      if (!sop) throw new SepakatError(ErrorNames.NotFound, `SOP ${key} tidak dikenal`);
      return sop;
    },
    latest(id) {
      const sop = latest.get(id);
      if (!sop) throw new SepakatError(ErrorNames.NotFound, `SOP ${id} tidak dikenal`);
      return sop;
    },
    all: () => [...latest.values()],
    fileOf: (key) => files.get(key) ?? key,
  };
}

/** One pemda's directory file (`config/pemda/<id>.yaml`), checked: every problem named by file and path. */
export function loadDirectoryFile(file: string): { data: DirectoryData; directory: Directory } {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SepakatError(ErrorNames.InvalidDefinition, `${file}: bukan YAML yang sah: ${(error as Error).message}`);
  }
  const parsed = DirectorySchema.safeParse(raw);
  if (!parsed.success)
    throw new SepakatError(
      ErrorNames.InvalidDefinition,
      parsed.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`).join('\n'),
    );
  return { data: parsed.data, directory: createDirectory(parsed.data, file) };
}

/**
 * The outlines of `<dir>/*.yaml` (core/naskah/outline.ts), each checked at load: a file that is not YAML, does not
 * fit the outline's shape, or whose id is not its file name fails the load with every problem named by file and
 * path. The directory must hold at least one outline (a deployment without it could draft no naskah).
 */
export function loadOutlines(dir: string): OutlineCatalog {
  const files = yamlFiles(dir);
  if (files.length === 0)
    throw new SepakatError(ErrorNames.InvalidDefinition, `${dir}: tidak ada kerangka naskah (berkas *.yaml)`);
  const problems: string[] = [];
  const outlines = files.flatMap((file) => {
    try {
      let raw: unknown;
      try {
        raw = parseYaml(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new SepakatError(
          ErrorNames.InvalidDefinition,
          `${file}: bukan YAML yang sah: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        );
      }
      const outline = parseOutline(raw, file);
      const name = basename(file, extname(file));
      if (outline.id !== name)
        throw new SepakatError(
          ErrorNames.InvalidDefinition,
          `${file}: id: "${outline.id}" harus sama dengan nama berkas "${name}"`,
        );
      return [outline];
    } catch (error) {
      if (!(error instanceof SepakatError)) throw error;
      problems.push(error.message);
      return [];
    }
  });
  if (problems.length) throw new SepakatError(ErrorNames.InvalidDefinition, problems.join('\n'));
  return outlineCatalog(outlines);
}

/** One consistent load of the data files: what a reload swaps in as a whole. */
interface CatalogData {
  sops: ReturnType<typeof loadSops>;
  outlines: OutlineCatalog;
  contexts: Map<string, ReturnType<Catalog['pemda']>>;
  /** The shipped calendar years (config/calendar), before any import. */
  shippedYears: readonly CalendarYear[];
  estimate: ReturnType<typeof fileHolidayEstimate>;
}

/**
 * The outcome of a reload (`Catalog.reload`): the SOP versions it added and the pemda whose configuration is new or
 * changed, or every problem with nothing changed.
 */
export type ReloadResult =
  { result: 'dimuat'; added: string[]; pemda: string[] } | { result: 'ditolak'; messages: string[] };

/** A pemda's calendar and what is computed on it, from `years`. */
function calendarContext(
  years: readonly CalendarYear[],
  hours: WorkingHours,
  estimate: ReturnType<typeof fileHolidayEstimate>,
) {
  const calendar = createWorkCalendar(years, hours, estimate);
  return {
    calendar,
    due: (openedAt: Date, waktu: Parameters<typeof computeDue>[2]) => computeDue(calendar, openedAt, waktu),
    localDate: (at: Date) => calendar.localDate(at),
  };
}

/** Reads and checks every data file; throws (naming each file) when any check of the load fails. */
function readCatalogData(options: { sopDirs: readonly string[]; configDir: string }): CatalogData {
  const sops = loadSops(options.sopDirs);
  const outlines = loadOutlines(join(options.configDir, 'naskah'));
  // The kind of naskah an SOP declares must be one the product can draft, render and register.
  const undeclared = sops
    .all()
    .filter((sop) => sop.definition.naskah && !outlines.has(sop.definition.naskah.jenis))
    .map(
      (sop) =>
        `${sop.definition.source.file} (SOP ${sop.key}): naskah.jenis "${sop.definition.naskah!.jenis}" bukan kerangka naskah yang dikenal (config/naskah: ${outlines
          .all()
          .map((o) => o.id)
          .join(', ')})`,
    );
  if (undeclared.length) throw new SepakatError(ErrorNames.InvalidDefinition, undeclared.join('\n'));
  const calendarDir = join(options.configDir, 'calendar');
  const shippedYears = readdirSync(calendarDir)
    .filter((f) => /^\d{4}\.json$/.test(f))
    .sort()
    .map((f) => parseCalendarYear(JSON.parse(readFileSync(join(calendarDir, f), 'utf8')), join(calendarDir, f)));
  const estimate = fileHolidayEstimate(calendarDir);
  const contexts = new Map<string, ReturnType<Catalog['pemda']>>();
  const directoryFiles = new Map<string, string>();
  for (const file of yamlFiles(join(options.configDir, 'pemda'))) {
    const { data, directory } = loadDirectoryFile(file);
    const hours = data.pemda.jamKerja;
    directoryFiles.set(data.pemda.id, file);
    contexts.set(data.pemda.id, {
      directory,
      ...calendarContext(shippedYears, hours, estimate),
      formatDateTime: (at) => formatTanggalWaktu(at, hours.timeZone),
    });
  }
  for (const sop of sops.all())
    if (!contexts.has(sop.definition.pemda))
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        `SOP ${sop.key}: direktori pemda "${sop.definition.pemda}" tidak ada di ${options.configDir}/pemda`,
      );
  // Every version a case may still run on, against its pemda's directory: all problems of all SOPs at once.
  const issues = sopVersions({ sops }).flatMap((sop) =>
    checkAgainstDirectory(
      sop,
      sops.fileOf(sop.key),
      contexts.get(sop.definition.pemda)!.directory,
      directoryFiles.get(sop.definition.pemda)!,
    ),
  );
  if (issues.length) throw new InvalidDefinitionError(issues);
  return { sops, outlines, contexts, shippedYears, estimate };
}

/** The messages of a failed load, one line per problem, each naming its file. */
function loadProblems(error: unknown): string[] {
  if (error instanceof InvalidDefinitionError) return error.issues.map(formatIssue);
  if (error instanceof SepakatError) return error.message.split('\n');
  if (error instanceof SyntaxError) return [`berkas JSON tidak sah: ${error.message}`];
  throw error;
}

/**
 * What a reload may not do to versions cases may be pinned to: change one that is loaded, or drop it. A version is
 * published once; a fix is a new version, to which an administrator moves a case (`pindah-versi`).
 */
function pinnedVersionProblems(before: CatalogData['sops'], after: CatalogData['sops']): string[] {
  const problems: string[] = [];
  for (const sop of sopVersions({ sops: before })) {
    let now: Sop;
    try {
      now = after.get(sop.key);
    } catch {
      problems.push(
        `${before.fileOf(sop.key)}: SOP ${sop.key} sudah dimuat dan tidak ada lagi; kasus yang berjalan mungkin masih memakainya (versi lama dihapus hanya dengan memulai ulang runtime)`,
      );
      continue;
    }
    if (JSON.stringify(now.definition) !== JSON.stringify(sop.definition))
      problems.push(
        `${after.fileOf(sop.key)}: SOP ${sop.key} sudah dimuat dan isinya berubah; versi yang sudah dimuat tidak boleh diubah: terbitkan versi baru (version: ${sop.definition.version + 1}) lalu pindahkan kasus ke versi itu`,
      );
  }
  return problems;
}

/**
 * The catalog: one load of the data files, held so that it can be swapped as a whole. Every reader goes through
 * the holder (`sops`, `outlines` and `pemda` read the current load at each call), so a reload that passes every check
 * is seen by every use case at once, and one that fails changes nothing.
 */
export function loadCatalog(options: { sopDirs: readonly string[]; configDir: string }): Catalog {
  let current = readCatalogData(options);
  let imported: readonly CalendarYear[] = [];
  /** The years in force: the shipped ones, each replaced by an imported one of its year. */
  const yearsOf = (data: CatalogData) => {
    const byYear = new Map<number, CalendarYear>(data.shippedYears.map((y) => [y.year, y]));
    for (const y of imported) byYear.set(y.year, y);
    return [...byYear.values()].sort((a, b) => a.year - b.year);
  };
  let currentYears: readonly CalendarYear[] = yearsOf(current);
  /** Rebuilds every pemda's calendar of `data` from the years in force. */
  const applyYears = (data: CatalogData) => {
    for (const [id, ctx] of data.contexts)
      data.contexts.set(id, {
        ...ctx,
        ...calendarContext(currentYears, ctx.directory.data.pemda.jamKerja, data.estimate),
      });
  };
  const sops: Catalog['sops'] = {
    get: (key) => current.sops.get(key),
    latest: (id) => current.sops.latest(id),
    all: () => current.sops.all(),
    fileOf: (key) => current.sops.fileOf(key),
  };
  const outlines: OutlineCatalog = {
    get: (id) => current.outlines.get(id),
    has: (id) => current.outlines.has(id),
    all: () => current.outlines.all(),
  };
  return {
    sops,
    outlines,
    pemda(id) {
      const ctx = current.contexts.get(id);
      if (!ctx) throw new SepakatError(ErrorNames.NotFound, `Pemda ${id} tidak dikenal`);
      return ctx;
    },
    pemdaIds: () => [...current.contexts.keys()],
    calendarYears: () => currentYears,
    useImportedYears(years) {
      imported = years;
      currentYears = yearsOf(current);
      applyYears(current);
    },
    reload() {
      let next: CatalogData;
      try {
        next = readCatalogData(options);
      } catch (error) {
        return { result: 'ditolak', messages: loadProblems(error) };
      }
      const pinned = pinnedVersionProblems(current.sops, next.sops);
      if (pinned.length) return { result: 'ditolak', messages: pinned };
      const before = new Set(sopVersions({ sops: current.sops }).map((s) => s.key));
      const added = sopVersions({ sops: next.sops })
        .map((s) => s.key)
        .filter((key) => !before.has(key));
      const years = yearsOf(next);
      currentYears = years;
      const pemda = [...next.contexts].flatMap(([id, ctx]) =>
        JSON.stringify(current.contexts.get(id)?.directory.data) === JSON.stringify(ctx.directory.data) ? [] : [id],
      );
      applyYears(next);
      current = next;
      return { result: 'dimuat', added, pemda };
    },
  };
}

/**
 * Every check of one SOP file without starting anything (`npm run sepakat -- sop periksa`): the definition and its
 * flow, then the SOP against the directory of its pemda (or of `pemda`) under `configDir`. The problems, each naming
 * the file, the step and the field; empty when the SOP passes every check.
 */
export function checkSopFile(file: string, options: { configDir: string; pemda?: string | undefined }): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return [`${file}: berkas tidak dapat dibaca (${(error as NodeJS.ErrnoException).code ?? String(error)})`];
  }
  let sop: Sop;
  try {
    sop = loadSop(text, file);
  } catch (error) {
    if (error instanceof InvalidDefinitionError) return error.issues.map(formatIssue);
    throw error;
  }
  const pemdaId = options.pemda ?? sop.definition.pemda;
  const directoryFile = join(options.configDir, 'pemda', `${pemdaId}.yaml`);
  if (!existsSync(directoryFile)) return [`${file}: pemda: direktori pemda "${pemdaId}" tidak ada (${directoryFile})`];
  let directory: Directory;
  try {
    directory = loadDirectoryFile(directoryFile).directory;
  } catch (error) {
    if (error instanceof SepakatError) return error.message.split('\n');
    throw error;
  }
  return checkAgainstDirectory(sop, file, directory, directoryFile).map(formatIssue);
}
