import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FontFamily } from '../../core/documents/index.ts';

/**
 * The fonts the documents use, shipped with the project (@fontsource/tinos, @fontsource/arimo: metric-compatible
 * with Times New Roman and Arial, OFL-1.1) and embedded into each page as base64 data URLs, so a PDF never depends on
 * the fonts of the machine or on a network. Latin and Latin Extended, regular/bold, normal/italic.
 */
const require = createRequire(import.meta.url);

const SUBSETS = [
  {
    subset: 'latin',
    range:
      'U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD',
  },
  {
    subset: 'latin-ext',
    range:
      'U+0100-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+0304,U+0308,U+0329,U+1D00-1DBF,U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF',
  },
] as const;
const WEIGHTS = [400, 700] as const;
const STYLES = ['normal', 'italic'] as const;

const NAMES: Record<FontFamily, string> = { tinos: 'Tinos', arimo: 'Arimo' };

const cache = new Map<string, string>();

/** `@font-face` rules for one family (all weights and styles), with the font files inline. */
export function fontFaceCss(family: FontFamily): string {
  const cached = cache.get(family);
  if (cached) return cached;
  const rules: string[] = [];
  for (const { subset, range } of SUBSETS)
    for (const weight of WEIGHTS)
      for (const style of STYLES) {
        const file = require.resolve(`@fontsource/${family}/files/${family}-${subset}-${weight}-${style}.woff2`);
        const data = readFileSync(file).toString('base64');
        rules.push(
          `@font-face{font-family:'${NAMES[family]}';font-style:${style};font-weight:${weight};font-display:block;` +
            `src:url(data:font/woff2;base64,${data}) format('woff2');unicode-range:${range};}`,
        );
      }
  const css = rules.join('\n');
  cache.set(family, css);
  return css;
}

/** The regular Latin face only: for Chromium's header/footer templates, which get no page fonts. */
export function footerFontCss(family: FontFamily): string {
  const key = `${family}#footer`;
  const cached = cache.get(key);
  if (cached) return cached;
  const rules = WEIGHTS.map((weight) => {
    const file = require.resolve(`@fontsource/${family}/files/${family}-latin-${weight}-normal.woff2`);
    return (
      `@font-face{font-family:'${NAMES[family]}';font-style:normal;font-weight:${weight};` +
      `src:url(data:font/woff2;base64,${readFileSync(file).toString('base64')}) format('woff2');}`
    );
  });
  const css = `${rules.join('\n')}\n.kaki{font-family:'${NAMES[family]}',sans-serif;}`;
  cache.set(key, css);
  return css;
}

export const fontName = (family: FontFamily): string => NAMES[family];
