/**
 * The syntax of email templates: the part of nunjucks (Jinja) that Assent's templates use, parsed
 * the way nunjucks parses it. template.ts renders it.
 *
 * - `{{ expr }}` outputs a value; `{% if expr %}…{% elif expr %}…{% else %}…{% endif %}`;
 *   `{% for name in expr %}…{% endfor %}` (with `loop.index`, `index0`, `first`, `last`, `length`);
 *   `{% set name = expr %}`; `{# comment #}`.
 * - A `-` inside a delimiter (`{%-`, `-%}`, `{{-`, `-}}`, `{#-`, `-#}`) drops the whitespace
 *   (newlines included) between the tag and the text before or after it.
 * - expr: `"string"` or `'string'`, numbers, `true`, `false`, `none`; names with `.key` and
 *   `[expr]` lookups; `a if test else b`; `or`, `and`, `not`, `==`, `!=`; parentheses; the filters
 *   `| dump` (JSON) and `| join(separator)`.
 *
 * Anything else is a TemplateError naming the line and column, not a silent difference.
 * template-tokens.ts splits the source, template-expressions.ts parses what is inside a tag.
 */
import { TemplateError } from './errors.ts';
import { type Expr, ExpressionParser } from './template-expressions.ts';
import { position, segmentsOf, SUPPORTED } from './template-tokens.ts';

export type { Expr } from './template-expressions.ts';

export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'output'; readonly expr: Expr; readonly source: string; readonly at: string }
  | { readonly kind: 'if'; readonly branches: readonly { readonly test: Expr; readonly body: readonly TemplateNode[] }[]; readonly otherwise: readonly TemplateNode[] }
  | { readonly kind: 'for'; readonly name: string; readonly iterable: Expr; readonly body: readonly TemplateNode[]; readonly at: string }
  | { readonly kind: 'set'; readonly name: string; readonly value: Expr };

interface IfFrame {
  readonly tag: 'if';
  readonly at: string;
  readonly node: { kind: 'if'; branches: { test: Expr; body: TemplateNode[] }[]; otherwise: TemplateNode[] };
  nodes: TemplateNode[];
  sawElse: boolean;
}
interface ForFrame {
  readonly tag: 'for';
  readonly at: string;
  readonly nodes: TemplateNode[];
}

/** Parses a template into nodes; throws a TemplateError with the line and column of what it cannot read. */
export function parseTemplate(source: string): TemplateNode[] {
  const root: TemplateNode[] = [];
  const open: (IfFrame | ForFrame)[] = [];
  const current = () => open.at(-1)?.nodes ?? root;
  for (const segment of segmentsOf(source)) {
    if (segment.kind === 'text') {
      if (segment.text) current().push({ kind: 'text', text: segment.text });
      continue;
    }
    if (segment.kind === 'comment') continue;
    const at = position(source, segment.offset);
    const parser = new ExpressionParser(segment.tokens, source, segment.offset + segment.source.length);
    if (segment.kind === 'output') {
      current().push({ kind: 'output', expr: parser.expression(), source: segment.source, at });
      parser.done();
      continue;
    }
    const tag = parser.name();
    const top = open.at(-1);
    if (tag === 'if') {
      const body: TemplateNode[] = [];
      const node: IfFrame['node'] = { kind: 'if', branches: [{ test: parser.expression(), body }], otherwise: [] };
      current().push(node);
      open.push({ tag: 'if', at, node, nodes: body, sawElse: false });
    } else if ((tag === 'elif' || tag === 'elseif') && top?.tag === 'if' && !top.sawElse) {
      const body: TemplateNode[] = [];
      top.node.branches.push({ test: parser.expression(), body });
      top.nodes = body;
    } else if (tag === 'else' && top?.tag === 'if' && !top.sawElse) {
      top.nodes = top.node.otherwise;
      top.sawElse = true;
    } else if (tag === 'for') {
      const name = parser.name();
      parser.expect('in');
      const body: TemplateNode[] = [];
      current().push({ kind: 'for', name, iterable: parser.expression(), body, at });
      open.push({ tag: 'for', at, nodes: body });
    } else if (tag === 'set') {
      const name = parser.name();
      parser.expect('=');
      current().push({ kind: 'set', name, value: parser.expression() });
    } else if ((tag === 'endif' && top?.tag === 'if') || (tag === 'endfor' && top?.tag === 'for')) {
      open.pop();
    } else {
      throw new TemplateError(`Unexpected {% ${tag} %} at ${at}${top ? ` inside the {% ${top.tag} %} of ${top.at}` : ''}: ${SUPPORTED}`);
    }
    parser.done();
  }
  const unclosed = open.at(-1);
  if (unclosed) throw new TemplateError(`The {% ${unclosed.tag} %} at ${unclosed.at} is never closed with {% end${unclosed.tag} %}.`);
  return root;
}
