/**
 * Injected into every Lambda bundle (esbuild `inject`, HANDLER_BUNDLING of
 * lib/constructs/handler-function.ts): stack traces name the TypeScript files, lines and functions,
 * as with `NODE_OPTIONS=--enable-source-maps`, but the bundle's source map is read and parsed when
 * the first stack trace with a frame in the bundle is formatted, not at every cold start.
 *
 * `--enable-source-maps` parses the whole map (1–2 MB) while the bundle loads, 20–40 ms of every
 * init. Turning it on later with `process.setSourceMapsEnabled(true)` is no way out: Node maps only
 * modules loaded after that call (checked on Node 20 and 22), and the bundle is the module that
 * would make it. So this does what `source-map-support` does, with Node's own parser
 * (`module.SourceMap`): V8 calls `Error.prepareStackTrace` when an error's `stack` is first read
 * (the Powertools logger, Lambda's runtime for a thrown error, `console.error`), and frames in the
 * bundle are rewritten through `index.mjs.map`, read beside the bundle once per process. Anything
 * unexpected (no map, a frame the map does not cover) leaves the frame as V8 wrote it.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceOrigin } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The bundle this file is part of (esbuild keeps `import.meta.url` in ESM output). */
const BUNDLE_URL: string = import.meta.url ?? '';
const BUNDLE_PATH = BUNDLE_URL.startsWith('file:') ? fileURLToPath(BUNDLE_URL) : BUNDLE_URL;

let sourceMap: SourceMap | null | undefined;

/** The bundle's map, parsed on first use; null when there is none (the frames stay as they are). */
function bundleSourceMap(): SourceMap | null {
  if (sourceMap === undefined) {
    try {
      sourceMap = new SourceMap(JSON.parse(readFileSync(`${BUNDLE_PATH}.map`, 'utf8')));
    } catch {
      sourceMap = null;
    }
  }
  return sourceMap;
}

/** `../../../work/assent/functions/core/engine.ts` → `functions/core/engine.ts` (and `node_modules/…` likewise). */
export const readablePath = (source: string): string => source.replace(/^(?:\.\.\/)+/, '').replace(/^(?:.*?\/)?(?=(?:functions|lib|node_modules)\/)/, '');

const origin = (map: SourceMap, line: number | null, column: number | null): Partial<SourceOrigin> =>
  line === null || column === null ? {} : (map.findOrigin(line, column) as Partial<SourceOrigin>);

const inBundle = (site: NodeJS.CallSite | undefined): boolean => site !== undefined && (site.getFileName() === BUNDLE_URL || site.getFileName() === BUNDLE_PATH);

/**
 * The original name of a frame's function, looked up as Node does for `--enable-source-maps`: the
 * name mapped at the start of the enclosing function, else the one at the caller's call (when the
 * caller is in the bundle too).
 */
function originalName(sites: readonly NodeJS.CallSite[], index: number, map: SourceMap): string | undefined {
  const site = sites[index] as NodeJS.CallSite;
  const caller = sites[index + 1];
  return origin(map, site.getEnclosingLineNumber(), site.getEnclosingColumnNumber()).name ?? (caller && inBundle(caller) ? origin(map, caller.getLineNumber(), caller.getColumnNumber()).name : undefined);
}

/** One frame as `--enable-source-maps` writes it: the original function name and position. */
function mappedFrame(sites: readonly NodeJS.CallSite[], index: number, map: SourceMap): string | undefined {
  const site = sites[index] as NodeJS.CallSite;
  const at = origin(map, site.getLineNumber(), site.getColumnNumber());
  if (!at.fileName || at.lineNumber === undefined || at.columnNumber === undefined) return undefined;
  const name = originalName(sites, index, map);
  const location = `${readablePath(at.fileName)}:${at.lineNumber}:${at.columnNumber}`;
  if (name) return `${site.isAsync() ? 'async ' : ''}${site.isConstructor() ? 'new ' : ''}${name} (${location})`;
  // No original name: V8's own text (its minified name, `async`, `as`...) with the location replaced.
  const text = String(site);
  const open = text.lastIndexOf(' (');
  return text.endsWith(')') && open >= 0 ? `${text.slice(0, open)} (${location})` : `${site.isAsync() ? 'async ' : ''}${location}`;
}

/** V8's first line of a stack: what `Error.prototype.toString` gives. */
function header(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return 'Error';
  }
}

/** `Error.prepareStackTrace`: the default format, with frames in the bundle source-mapped. */
export function prepareStackTrace(error: unknown, sites: readonly NodeJS.CallSite[]): string {
  const map = sites.some(inBundle) ? bundleSourceMap() : null;
  const frames = sites.map((site, index) => {
    if (map && inBundle(site)) {
      try {
        const mapped = mappedFrame(sites, index, map);
        if (mapped) return mapped;
      } catch {
        // Fall through to the frame as V8 writes it.
      }
    }
    return String(site);
  });
  return `${header(error)}${frames.map((frame) => `\n    at ${frame}`).join('')}`;
}

Error.prepareStackTrace = prepareStackTrace;
