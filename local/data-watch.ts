import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The embedded default's watch of its data directories (`sops/`, `config/`): a change to a data file, once the
 * editing has settled (`debounceMs`), calls `onChange` with the files seen — the runtime's one reload path, the same
 * as `npm run sepakat -- muat-ulang`. Editor temp files (swap, backup, lock and atomic-save files) are ignored.
 * Recursive where the platform supports it; else one watcher per directory, new subdirectories included.
 */
export interface DataWatch {
  close(): void;
}

/** Names an editor writes beside the file it edits (vim, Emacs, JetBrains, Kate, atomic saves): never data. */
const EDITOR_TEMP = /^[.#]|~$|\.(swp|swo|swx|tmp|bak|kate-swp)$|___jb_(tmp|old)___$|^4913$/;

export function isEditorTempFile(name: string): boolean {
  return EDITOR_TEMP.test(basename(name));
}

export function watchDataDirs(options: {
  dirs: readonly string[];
  onChange: (files: string[]) => void;
  debounceMs?: number;
  log?: (line: string) => void;
}): DataWatch {
  const debounceMs = options.debounceMs ?? 300;
  const watchers = new Map<string, FSWatcher>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const seen = (dir: string, name: string | null) => {
    if (closed) return;
    if (name !== null && isEditorTempFile(name)) return;
    pending.add(name === null ? dir : join(dir, name));
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const files = [...pending].sort();
      pending.clear();
      try {
        options.onChange(files);
      } catch (error) {
        options.log?.(`pemantauan data: muat ulang gagal: ${String(error)}`);
      }
    }, debounceMs);
  };

  /** The fallback: this directory and every subdirectory, each with its own watcher; new ones added as they appear. */
  const watchTree = (dir: string) => {
    if (closed || watchers.has(dir)) return;
    try {
      if (!statSync(dir).isDirectory()) return;
      watchers.set(
        dir,
        watch(dir, (_event, name) => {
          if (name !== null && !isEditorTempFile(name)) watchTree(join(dir, name));
          seen(dir, name);
        }).on('error', () => watchers.delete(dir)),
      );
      for (const entry of readdirSync(dir, { withFileTypes: true }))
        if (entry.isDirectory() && !isEditorTempFile(entry.name)) watchTree(join(dir, entry.name));
    } catch {
      // Not a directory (a file's name reached watchTree), or removed meanwhile: nothing to watch.
    }
  };

  for (const dir of new Set(options.dirs)) {
    if (!existsSync(dir)) {
      options.log?.(`pemantauan data: direktori ${dir} tidak ada; tidak dipantau`);
      continue;
    }
    try {
      watchers.set(
        dir,
        watch(dir, { recursive: true }, (_event, name) => seen(dir, name)),
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM') throw error;
      watchTree(dir);
    }
  }

  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
