import { TemplateError } from './errors.ts';

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
 */

export type Expr =
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'member'; readonly object: Expr; readonly key: Expr }
  | { readonly kind: 'filter'; readonly name: FilterName; readonly input: Expr; readonly args: readonly Expr[] }
  | { readonly kind: 'not'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly op: 'and' | 'or' | '==' | '!='; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'inline-if'; readonly test: Expr; readonly then: Expr; readonly otherwise?: Expr };

export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'output'; readonly expr: Expr; readonly source: string; readonly at: string }
  | { readonly kind: 'if'; readonly branches: readonly { readonly test: Expr; readonly body: readonly TemplateNode[] }[]; readonly otherwise: readonly TemplateNode[] }
  | { readonly kind: 'for'; readonly name: string; readonly iterable: Expr; readonly body: readonly TemplateNode[]; readonly at: string }
  | { readonly kind: 'set'; readonly name: string; readonly value: Expr };

export const FILTERS = ['dump', 'join'] as const;
export type FilterName = (typeof FILTERS)[number];

interface Token {
  readonly type: 'string' | 'number' | 'name' | 'punct';
  readonly value: string;
  readonly offset: number;
}

/** One `{{ }}`, `{% %}` or `{# #}` with its tokens, or the text between two of them. */
type Segment =
  | { readonly kind: 'text'; text: string; readonly offset: number }
  | { readonly kind: 'output' | 'block' | 'comment'; readonly tokens: Token[]; readonly trimBefore: boolean; readonly trimAfter: boolean; readonly offset: number; readonly source: string };

const OPENERS = { '{{': 'output', '{%': 'block', '{#': 'comment' } as const;
const CLOSERS = { output: '}}', block: '%}', comment: '#}' } as const;
const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\d+(?:\.\d+)?)|([A-Za-z_$][\w$]*)|(==|!=|[.[\](),|=]))/y;
const LITERALS: Record<string, string | boolean | null> = { true: true, True: true, false: false, False: false, none: null, None: null };

/** A string literal's value: nunjucks reads `\\n`, `\\t` and `\\r`, and any other escaped character as itself. */
const unquote = (literal: string): string =>
  literal.slice(1, -1).replace(/\\(.)/gs, (_, char: string) => ({ n: '\n', t: '\t', r: '\r' })[char] ?? char);

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

const SUPPORTED = 'templates support {{ expr }}, {% if %}/{% elif %}/{% else %}/{% endif %}, {% for x in list %}/{% endfor %}, {% set x = expr %} and {# #}; expressions support strings, numbers, names with .key and [index], "a if test else b", or/and/not, ==, != and the filters dump and join (functions/core/template-syntax.ts).';

function segmentsOf(source: string): Segment[] {
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

/** Recursive descent over one tag's tokens, with nunjucks' precedence (filters bind tightest). */
class ExpressionParser {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly source: string,
    private readonly end: number,
  ) {}

  private peek(value?: string): Token | undefined {
    const token = this.tokens[this.index];
    return value === undefined || (token?.value === value && token.type !== 'string') ? token : undefined;
  }

  private fail(message: string): never {
    const offset = this.tokens[this.index]?.offset ?? this.end;
    throw new TemplateError(`${message} at ${position(this.source, offset)}: ${SUPPORTED}`);
  }

  skip(value: string): boolean {
    if (!this.peek(value)) return false;
    this.index += 1;
    return true;
  }

  expect(value: string): void {
    if (!this.skip(value)) this.fail(`Expected "${value}"${this.peek() ? ` but found "${this.peek()?.value}"` : ''}`);
  }

  name(): string {
    const token = this.peek();
    if (token?.type !== 'name') this.fail('Expected a name');
    this.index += 1;
    return token.value;
  }

  done(): void {
    if (this.peek()) this.fail(`Unexpected "${this.peek()?.value}"`);
  }

  expression(): Expr {
    const then = this.or();
    if (!this.skip('if')) return then;
    const test = this.or();
    return this.skip('else') ? { kind: 'inline-if', test, then, otherwise: this.or() } : { kind: 'inline-if', test, then };
  }

  private or(): Expr {
    let left = this.and();
    while (this.skip('or')) left = { kind: 'binary', op: 'or', left, right: this.and() };
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.skip('and')) left = { kind: 'binary', op: 'and', left, right: this.not() };
    return left;
  }

  private not(): Expr {
    return this.skip('not') ? { kind: 'not', operand: this.not() } : this.compare();
  }

  private compare(): Expr {
    let left = this.filtered();
    for (let op = this.peek('==') ?? this.peek('!='); op; op = this.peek('==') ?? this.peek('!=')) {
      this.index += 1;
      left = { kind: 'binary', op: op.value as '==' | '!=', left, right: this.filtered() };
    }
    return left;
  }

  private filtered(): Expr {
    let input = this.postfix(this.primary());
    while (this.skip('|')) {
      const name = this.name();
      if (!(FILTERS as readonly string[]).includes(name)) {
        this.index -= 1;
        this.fail(`Unknown filter "${name}"`);
      }
      const args: Expr[] = [];
      if (this.skip('(')) {
        while (!this.skip(')')) {
          if (args.length) this.expect(',');
          args.push(this.expression());
        }
      }
      input = { kind: 'filter', name: name as FilterName, input, args };
    }
    return input;
  }

  private postfix(object: Expr): Expr {
    for (;;) {
      if (this.skip('.')) object = { kind: 'member', object, key: { kind: 'literal', value: this.name() } };
      else if (this.skip('[')) {
        object = { kind: 'member', object, key: this.expression() };
        this.expect(']');
      } else return object;
    }
  }

  private primary(): Expr {
    const token = this.peek();
    if (!token) return this.fail('Expected a value');
    this.index += 1;
    if (token.type === 'string') return { kind: 'literal', value: unquote(token.value) };
    if (token.type === 'number') return { kind: 'literal', value: Number(token.value) };
    if (token.value === '(') {
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    if (token.type === 'name' && !['if', 'else', 'and', 'or', 'not', 'in'].includes(token.value)) {
      return Object.hasOwn(LITERALS, token.value) ? { kind: 'literal', value: LITERALS[token.value] ?? null } : { kind: 'name', name: token.value };
    }
    this.index -= 1;
    return this.fail(`Unexpected "${token.value}"`);
  }
}

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
