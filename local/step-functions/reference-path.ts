/**
 * A minimal evaluator for ASL Reference Paths (`$`, `$.a.b`, `$['a b']`, `$.list[0]`, `$$.Execution.Id`),
 * the only JSONPath form allowed in fields such as `TimeoutSecondsPath`. Returns `undefined` when the path
 * does not resolve or uses syntax outside Reference Paths (filters, wildcards, slices).
 */
export function evaluateReferencePath(path: string, input: unknown, context: unknown): unknown {
  let root: unknown;
  let rest: string;
  if (path.startsWith('$$')) {
    root = context;
    rest = path.slice(2);
  } else if (path.startsWith('$')) {
    root = input;
    rest = path.slice(1);
  } else {
    return undefined;
  }
  const segments = parseSegments(rest);
  if (segments === undefined) return undefined;
  let current: unknown = root;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return undefined;
      current = current[segment];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

function parseSegments(rest: string): Array<string | number> | undefined {
  const segments: Array<string | number> = [];
  let i = 0;
  while (i < rest.length) {
    const ch = rest[i];
    if (ch === '.') {
      const match = /^[^.[\]*?@()]+/.exec(rest.slice(i + 1));
      if (!match) return undefined;
      segments.push(match[0]);
      i += 1 + match[0].length;
    } else if (ch === '[') {
      const close = rest.indexOf(']', i);
      if (close < 0) return undefined;
      const inner = rest.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) {
        segments.push(Number(inner));
      } else if (/^'[^']*'$/.test(inner) || /^"[^"]*"$/.test(inner)) {
        segments.push(inner.slice(1, -1));
      } else {
        return undefined;
      }
      i = close + 1;
    } else {
      return undefined;
    }
  }
  return segments;
}
