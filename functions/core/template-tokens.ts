import { TemplateError } from './errors.ts';

/** Splits a template into text and tags, and a tag into tokens, as nunjucks' lexer does (template-syntax.ts). */

export interface Token {
  readonly type: 'string' | 'number' | 'name' | 'punct';
  readonly value: string;
  readonly offset: number;
}

/** One `{{ }}`, `{% %}` or `{# #}` with its tokens, or the text between two of them. */
export type Segment =
  | { readonly kind: 'text'; text: string; readonly offset: number }
  | { readonly kind: 'output' | 'block' | 'comment'; readonly tokens: Token[]; readonly trimBefore: boolean; readonly trimAfter: boolean; readonly offset: number; readonly source: string };

const OPENERS = { '{{': 'output', '{%': 'block', '{#': 'comment' } as const;
const CLOSERS = { output: '}}', block: '%}', comment: '#}' } as const;
const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\d+(?:\.\d+)?)|([A-Za-z_$][\w$]*)|(==|!=|[.[\](),|=]))/y;

/** What the error messages list as supported. */
export const SUPPORTED = 'templates support {{ expr }}, {% if %}/{% elif %}/{% else %}/{% endif %}, {% for x in list %}/{% endfor %}, {% set x = expr %} and {# #}; expressions support strings, numbers, names with .key and [index], "a if test else b", or/and/not, ==, != and the filters dump and join (functions/core/template-syntax.ts).';

/** Line and column (both from 1) of an offset, for error messages. */
export function position(source: string, offset: number): string {
  const before = source.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function tokenizeTag(source: string, start: number, kind: 'output' | 'block'): { tokens: Token[]; end: number; trimAfter: boolean } {
  const tokens: Token[] = [];
  let offset = start;
  for (;;) {
    const rest = /\s*(-?)/y;
    rest.lastIndex = offset;
    const dash = rest.exec(source);
    const closeAt = (dash?.index ?? offset) + (dash?.[0].length ?? 0);
    if (source.startsWith(CLOSERS[kind], closeAt)) return { tokens, end: closeAt + 2, trimAfter: dash?.[1] === '-' };
    TOKEN.lastIndex = offset;
    const match = TOKEN.exec(source);
    if (!match) {
      const at = /\S/.exec(source.slice(offset))?.index ?? 0;
      const found = source.slice(offset + at, offset + at + 1);
      throw new TemplateError(found ? `Unexpected "${found}" at ${position(source, offset + at)}: ${SUPPORTED}` : `A tag opened at ${position(source, start - 2)} is never closed with "${CLOSERS[kind]}".`);
    }
    const [text, string, number, name] = match;
    const value = (string ?? number ?? name ?? match[4]) as string;
    tokens.push({ type: string ? 'string' : number ? 'number' : name ? 'name' : 'punct', value, offset: offset + text.length - value.length });
    offset += text.length;
  }
}

/** The text and tags of a template, with nunjucks' whitespace control applied to the text. */
export function segmentsOf(source: string): Segment[] {
  const segments: Segment[] = [];
  const opener = /\{\{|\{%|\{#/g;
  let offset = 0;
  for (let match = opener.exec(source); match; match = opener.exec(source)) {
    segments.push({ kind: 'text', text: source.slice(offset, match.index), offset });
    const kind = OPENERS[match[0] as keyof typeof OPENERS];
    const trimBefore = source[match.index + 2] === '-';
    const start = match.index + 2 + (trimBefore ? 1 : 0);
    if (kind === 'comment') {
      const close = source.indexOf('#}', start);
      if (close < 0) throw new TemplateError(`A comment opened at ${position(source, match.index)} is never closed with "#}".`);
      segments.push({ kind, tokens: [], trimBefore, trimAfter: source[close - 1] === '-' && close - 1 >= start, offset: match.index, source: source.slice(match.index, close + 2) });
      offset = close + 2;
    } else {
      const { tokens, end, trimAfter } = tokenizeTag(source, start, kind);
      segments.push({ kind, tokens, trimBefore, trimAfter, offset: match.index, source: source.slice(match.index, end) });
      offset = end;
    }
    opener.lastIndex = offset;
  }
  segments.push({ kind: 'text', text: source.slice(offset), offset });
  // nunjucks' whitespace control: a dash strips the text right next to the tag (JavaScript's \s).
  segments.forEach((segment, index) => {
    if (segment.kind !== 'text') return;
    const before = segments[index - 1];
    const after = segments[index + 1];
    if (before && before.kind !== 'text' && before.trimAfter) segment.text = segment.text.replace(/^\s*/, '');
    if (after && after.kind !== 'text' && after.trimBefore) segment.text = segment.text.replace(/\s*$/, '');
  });
  return segments;
}
