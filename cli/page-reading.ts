/**
 * Reading Sepakat's own pages from the command line (the CLI and the scripted officials act through the pages, as
 * a browser does). Not an HTML parser: enough for the markup our templates write (double-quoted attributes, no
 * nesting of an element inside one of the same name). It reads markup and never writes any.
 */

/** A start tag: its element name, attributes (entities decoded) and where it sits in the page. */
export interface StartTag {
  name: string;
  attrs: Readonly<Record<string, string>>;
  /** Index of its opening `<` and of the character after its `>`. */
  start: number;
  end: number;
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#x22;': '"',
  '&#39;': "'",
  '&#x27;': "'",
  '&#x3D;': '=',
  '&#x60;': '`',
  '&nbsp;': ' ',
};

/** The text of an escaped value (the entities Handlebars and our pages write). */
export function decodeEntities(text: string): string {
  return text.replace(/&(?:lt|gt|quot|nbsp|#x22|#39|#x27|#x3D|#x60);/g, (e) => ENTITIES[e]!).replace(/&amp;/g, '&');
}

/** Every start tag of the given elements, in page order. */
export function startTags(html: string, ...names: string[]): StartTag[] {
  const open = new RegExp(`<(${names.join('|')})\\b([^>]*)>`, 'gi');
  return [...html.matchAll(open)].map((m) => ({
    name: m[1]!.toLowerCase(),
    attrs: Object.fromEntries(
      [...m[2]!.matchAll(/([A-Za-z_:][-\w:.]*)(?:\s*=\s*"([^"]*)")?/g)].map((a) => [a[1]!, decodeEntities(a[2] ?? '')]),
    ),
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/**
 * The markup between a start tag and the first end tag of its element after it ('' when it is not closed). With
 * another element's name, the markup from the end of `tag` to that element's next end tag (e.g. a radio's label).
 */
export function innerOf(html: string, tag: Pick<StartTag, 'name' | 'end'>): string {
  const close = new RegExp(`<\\/${tag.name}\\s*>`, 'i').exec(html.slice(tag.end));
  return close ? html.slice(tag.end, tag.end + close.index) : '';
}

/** The text of a piece of markup: tags dropped, entities decoded, white space collapsed. */
export function textOf(markup: string): string {
  return decodeEntities(markup.replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** The text of the first element of that name (e.g. the page's heading), '' without one. */
export function firstText(html: string, name: string): string {
  const tag = startTags(html, name)[0];
  return tag ? textOf(innerOf(html, tag)) : '';
}
