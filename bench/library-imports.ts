/**
 * The packages besides the AWS SDK that a bundle's own files import, as they import them, for the
 * "libraries floor" of benchmark 3 (bench/cold-start.ts): a bundle of the function's SDK clients
 * plus exactly these imports and no project code. What it costs to load is what the function costs
 * before a line of its own runs, so a target under it cannot be met without dropping a package.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Metafile, transformSync } from 'esbuild';

/** How the project's files import one module specifier (values only: `import type` is left out). */
export interface ModuleImports {
  readonly specifier: string;
  /** Named imports, and the members read off a namespace import (`z.object` → `object`). */
  readonly names: readonly string[];
  readonly defaultImport: boolean;
  /** `await import(...)` somewhere (and no static import of it). */
  readonly dynamic: boolean;
}

const STATIC_IMPORT = /^import\s+(?!type\s)([^'";]*?)\s+from\s+['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(['"]([^'"./#][^'"]*)['"]\)/g;

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

const isPackage = (specifier: string): boolean => !/^(\.|#|node:)/.test(specifier) && !packageOf(specifier).startsWith('@aws-sdk/');

interface Collected {
  names: Set<string>;
  defaultImport: boolean;
  statically: boolean;
  dynamic: boolean;
}

/**
 * A namespace import counts as the members the file reads off it: esbuild keeps only those of
 * `import * as z` when `z` is only ever dotted into, as the project's files use it. The sources are
 * compiled JavaScript (types erased), so a member read in a type only (`z.infer`) is not counted.
 */
function addClause(into: Collected, clause: string, source: string): void {
  const braces = /\{([^}]*)\}/.exec(clause)?.[1];
  const outside = clause.replace(/\{[^}]*\}/, '').replace(/,/g, ' ').trim();
  const namespace = /\*\s+as\s+([\w$]+)/.exec(outside)?.[1];
  if (namespace) {
    for (const [, member = ''] of source.matchAll(new RegExp(`(?<![\\w$.])${namespace.replace('$', '\\$')}\\.([A-Za-z_$][\\w$]*)`, 'g'))) into.names.add(member);
  } else if (outside) into.defaultImport = true;
  for (const raw of (braces ?? '').split(',')) {
    const name = raw.trim().split(/\s+as\s+/)[0]?.trim() ?? '';
    if (name) into.names.add(name);
  }
}

/**
 * The imports of packages (not the SDK, not Node's, not the project's own `#…` and relative ones)
 * in `sources` (JavaScript: compile TypeScript first, so type imports are gone), one entry per specifier.
 */
export function libraryImportsOf(sources: readonly string[]): ModuleImports[] {
  const bySpecifier = new Map<string, Collected>();
  const entry = (specifier: string) => {
    let found = bySpecifier.get(specifier);
    if (!found) bySpecifier.set(specifier, (found = { names: new Set(), defaultImport: false, statically: false, dynamic: false }));
    return found;
  };
  for (const source of sources) {
    for (const [, clause = '', specifier = ''] of source.matchAll(STATIC_IMPORT)) {
      if (!isPackage(specifier)) continue;
      const found = entry(specifier);
      addClause(found, clause, source);
      found.statically ||= found.names.size > 0 || found.defaultImport;
    }
    for (const [, specifier = ''] of source.matchAll(DYNAMIC_IMPORT)) {
      if (isPackage(specifier)) entry(specifier).dynamic = true;
    }
  }
  return [...bySpecifier]
    .filter(([, found]) => found.names.size > 0 || found.defaultImport || found.dynamic)
    .map(([specifier, found]) => ({ specifier, names: [...found.names].sort(), defaultImport: found.defaultImport, dynamic: found.dynamic && !found.statically }))
    .sort((a, b) => a.specifier.localeCompare(b.specifier));
}

/**
 * Module source that imports every entry of `imports` by name and keeps each imported value
 * reachable (`libraries`), so esbuild bundles what the project's files pull in of those packages
 * (no more: a floor); a dynamic import stays a top-level `await import()`, as functions/tracer.ts
 * loads Tracer.
 */
export function librarySource(imports: readonly ModuleImports[]): string {
  const lines: string[] = [];
  const values: string[] = [];
  imports.forEach((found, index) => {
    const local = `lib${index}`;
    if (found.dynamic) {
      lines.push(`const ${local} = await import('${found.specifier}');`);
      values.push(local);
      return;
    }
    const named = found.names.map((name) => `${name} as ${local}_${name}`);
    const clause = [found.defaultImport ? `${local}_default` : '', named.length ? `{ ${named.join(', ')} }` : ''].filter(Boolean).join(', ');
    if (clause) lines.push(`import ${clause} from '${found.specifier}';`);
    if (found.defaultImport) values.push(`${local}_default`);
    values.push(...found.names.map((name) => `${local}_${name}`));
  });
  const statics = lines.filter((line) => line.startsWith('import '));
  const dynamics = lines.filter((line) => !line.startsWith('import '));
  return [...statics, ...dynamics, `export const libraries = [${values.join(', ')}];`, ''].join('\n');
}

/**
 * The project's own files in a bundle (its metafile's inputs outside node_modules) as esbuild
 * compiles them, types erased: what they import and read at run time (`import type` and `z.infer`
 * are gone, as from the bundle).
 */
export function compiledProjectSources(metafile: Metafile, projectRoot: string): string[] {
  return Object.keys(metafile.inputs)
    .filter((input) => !input.includes('node_modules') && input.endsWith('.ts'))
    .map((input) => transformSync(readFileSync(join(projectRoot, input), 'utf8'), { loader: 'ts', format: 'esm' }).code);
}
