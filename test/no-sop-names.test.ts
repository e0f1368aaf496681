import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../local/runtime.ts';

/**
 * SOPs are data all the way (issue 15): no production file — outside sops/, config/ and the test fixtures — names an
 * SOP id or one of its step numbers in its code. Comments may cite them as examples; code may not branch on them.
 */
const PRODUCTION = ['core', 'functions', 'infra', 'local', 'templates'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|hbs|css|json|yaml)$/.test(name) ? [path] : [];
  });
}

/** The text of a file without its comments (block, line and Handlebars), so that only code and markup remain. */
function code(path: string): string {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.hbs')) return text.replace(/\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/g, '');
  if (!path.endsWith('.ts')) return text;
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function sopIds(): string[] {
  const dirs = [join(PROJECT_ROOT, 'sops'), join(PROJECT_ROOT, 'test', 'fixtures')];
  return dirs
    .flatMap(files)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => {
      const doc = parseYaml(readFileSync(f, 'utf8')) as { id?: unknown; steps?: unknown } | null;
      return doc && typeof doc.id === 'string' && Array.isArray(doc.steps) ? [doc.id] : [];
    });
}

describe('no production file names an SOP or its steps', () => {
  const sources = PRODUCTION.flatMap((d) => files(join(PROJECT_ROOT, d))).map((path) => ({
    path: relative(PROJECT_ROOT, path),
    code: code(path),
  }));

  it('names no SOP id', () => {
    const ids = sopIds();
    expect(ids.length).toBeGreaterThanOrEqual(4);
    const found = sources.flatMap((s) => ids.filter((id) => s.code.includes(id)).map((id) => `${s.path}: ${id}`));
    expect(found).toEqual([]);
  });

  it('branches on no step number', () => {
    const literal = /(['"`])L\d+(?:\.\d+)?\1/g;
    const found = sources.flatMap((s) => [...s.code.matchAll(literal)].map((m) => `${s.path}: ${m[0]}`));
    expect(found).toEqual([]);
  });
});
