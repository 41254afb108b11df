import { TemplateError } from './errors.ts';
import { position, SUPPORTED, type Token } from './template-tokens.ts';

/** The expressions inside `{{ }}` and `{% %}` tags (template-syntax.ts lists them). */
export type Expr =
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'member'; readonly object: Expr; readonly key: Expr }
  | { readonly kind: 'filter'; readonly name: FilterName; readonly input: Expr; readonly args: readonly Expr[] }
  | { readonly kind: 'not'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly op: 'and' | 'or' | '==' | '!='; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'inline-if'; readonly test: Expr; readonly then: Expr; readonly otherwise?: Expr };

export const FILTERS = ['dump', 'join'] as const;
export type FilterName = (typeof FILTERS)[number];

const LITERALS: Record<string, string | boolean | null> = { true: true, True: true, false: false, False: false, none: null, None: null };

/** A string literal's value: nunjucks reads `\\n`, `\\t` and `\\r`, and any other escaped character as itself. */
const unquote = (literal: string): string =>
  literal.slice(1, -1).replace(/\\(.)/gs, (_, char: string) => ({ n: '\n', t: '\t', r: '\r' })[char] ?? char);

/** Recursive descent over one tag's tokens, with nunjucks' precedence (filters bind tightest). */
export class ExpressionParser {
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

  accept(value: string): boolean {
    if (!this.peek(value)) return false;
    this.index += 1;
    return true;
  }

  expect(value: string): void {
    if (!this.accept(value)) this.fail(`Expected "${value}"${this.peek() ? ` but found "${this.peek()?.value}"` : ''}`);
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
    if (!this.accept('if')) return then;
    const test = this.or();
    return this.accept('else') ? { kind: 'inline-if', test, then, otherwise: this.or() } : { kind: 'inline-if', test, then };
  }

  private or(): Expr {
    let left = this.and();
    while (this.accept('or')) left = { kind: 'binary', op: 'or', left, right: this.and() };
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.accept('and')) left = { kind: 'binary', op: 'and', left, right: this.not() };
    return left;
  }

  private not(): Expr {
    return this.accept('not') ? { kind: 'not', operand: this.not() } : this.compare();
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
    while (this.accept('|')) {
      const name = this.name();
      if (!(FILTERS as readonly string[]).includes(name)) {
        this.index -= 1;
        this.fail(`Unknown filter "${name}"`);
      }
      const args: Expr[] = [];
      if (this.accept('(')) {
        while (!this.accept(')')) {
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
      if (this.accept('.')) object = { kind: 'member', object, key: { kind: 'literal', value: this.name() } };
      else if (this.accept('[')) {
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
