import { TemplateError } from './errors.ts';
import { type Expr, parseTemplate, type TemplateNode } from './template-syntax.ts';

/**
 * Renders email templates (syntax: template-syntax.ts) as nunjucks renders them with
 * `throwOnUndefined`: outputting null or undefined is an error, a lookup in a missing value is
 * undefined, and with `autoescape` every output is HTML-escaped with nunjucks' escapes.
 * test/unit/template.test.ts renders every shipped template with both and compares.
 *
 * Lookups see own properties only (`task.actions[0].data`, a list's `length`), never inherited
 * ones such as `constructor`.
 */
export interface RenderOptions {
  /** HTML-escape every output value (`& " ' < > \`). */
  readonly autoescape: boolean;
}

const parsed = new Map<string, readonly TemplateNode[]>();
const ESCAPES: Record<string, string> = { '&': '&amp;', '"': '&quot;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '\\': '&#92;' };

/** Checks a template's syntax once; throws a TemplateError naming the line and column. */
export function compileTemplate(source: string): readonly TemplateNode[] {
  let nodes = parsed.get(source);
  if (!nodes) {
    nodes = parseTemplate(source);
    parsed.set(source, nodes);
  }
  return nodes;
}

export function renderTemplate(source: string, context: Record<string, unknown>, options: RenderOptions): string {
  return renderNodes(compileTemplate(source), new Scope(context), options);
}

/**
 * Template variables over the context, as nunjucks' frames: each loop iteration gets its own, with
 * the loop variables; `set` changes the variable where it is already defined, else defines it here.
 */
class Scope {
  private readonly own = new Map<string, unknown>();

  constructor(
    private readonly context: Record<string, unknown>,
    private readonly parent?: Scope,
  ) {}

  get(name: string): unknown {
    if (this.own.has(name)) return this.own.get(name);
    return this.parent ? this.parent.get(name) : lookup(this.context, name);
  }

  define(name: string, value: unknown): void {
    this.own.set(name, value);
  }

  assign(name: string, value: unknown): void {
    if (!this.own.has(name) && this.parent?.defines(name)) this.parent.assign(name, value);
    else this.own.set(name, value);
  }

  private defines(name: string): boolean {
    return this.own.has(name) || (this.parent?.defines(name) ?? false);
  }

  child(): Scope {
    return new Scope(this.context, this);
  }
}

function lookup(object: unknown, key: unknown): unknown {
  if (object === null || object === undefined) return undefined;
  const target = Object(object) as Record<PropertyKey, unknown>;
  const name = typeof key === 'number' ? key : String(key);
  return Object.hasOwn(target, name) ? target[name] : undefined;
}

function renderNodes(nodes: readonly TemplateNode[], scope: Scope, options: RenderOptions): string {
  let out = '';
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out += node.text;
        break;
      case 'output': {
        const value = evaluate(node.expr, scope);
        if (value === null || value === undefined) throw new TemplateError(`${node.source} at ${node.at} is ${value}: give the template that value, or output it only {% if %} it is set.`);
        const text = String(value);
        out += options.autoescape ? text.replace(/[&"'<>\\]/g, (char) => ESCAPES[char] ?? char) : text;
        break;
      }
      case 'if': {
        const branch = node.branches.find(({ test }) => evaluate(test, scope));
        out += renderNodes(branch ? branch.body : node.otherwise, scope, options);
        break;
      }
      case 'for': {
        const items = evaluate(node.iterable, scope);
        if (items === null || items === undefined) break;
        if (!Array.isArray(items)) throw new TemplateError(`The {% for %} at ${node.at} needs a list, not ${typeof items}.`);
        items.forEach((item: unknown, index) => {
          const inner = scope.child();
          inner.define(node.name, item);
          inner.define('loop', { index: index + 1, index0: index, first: index === 0, last: index === items.length - 1, length: items.length });
          out += renderNodes(node.body, inner, options);
        });
        break;
      }
      case 'set':
        scope.assign(node.name, evaluate(node.value, scope));
        break;
    }
  }
  return out;
}

function evaluate(expr: Expr, scope: Scope): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'name':
      return scope.get(expr.name);
    case 'member':
      return lookup(evaluate(expr.object, scope), evaluate(expr.key, scope));
    case 'not':
      return !evaluate(expr.operand, scope);
    case 'inline-if':
      // nunjucks gives '' when the test fails and there is no else.
      return evaluate(expr.test, scope) ? evaluate(expr.then, scope) : expr.otherwise ? evaluate(expr.otherwise, scope) : '';
    case 'binary': {
      const left = evaluate(expr.left, scope);
      if (expr.op === 'and') return left && evaluate(expr.right, scope);
      if (expr.op === 'or') return left || evaluate(expr.right, scope);
      // nunjucks compiles == and != to JavaScript's loose comparisons.
      const right = evaluate(expr.right, scope);
      return expr.op === '==' ? left == right : left != right;
    }
    case 'filter': {
      const [input, ...args] = [expr.input, ...expr.args].map((arg) => evaluate(arg, scope));
      if (expr.name === 'dump') return JSON.stringify(input, null, args[0] as string | number | undefined);
      if (!Array.isArray(input)) throw new TemplateError(`The join filter needs a list, not ${input === null ? 'null' : typeof input}.`);
      const [separator, attribute] = args;
      // nunjucks: `del = del || ''`.
      return (attribute === undefined ? input : input.map((item) => lookup(item, attribute))).join(separator ? String(separator) : '');
    }
  }
}
