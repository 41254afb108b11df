import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The console's static files (functions/console/), read once per process. They are read from
 * `./console/` beside this module: in the source tree that is functions/console/, and in the
 * Lambda bundle (one index.mjs at its root) the HTTP function's bundling copies them to console/
 * at the root (lib/constructs/handler-function.ts, `assets`).
 */
export const CONSOLE_ASSETS = {
  'console.client.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
} as const;
export type ConsoleAssetName = keyof typeof CONSOLE_ASSETS;

export interface ConsoleAsset {
  readonly body: string;
  readonly contentType: string;
  /** A strong ETag of the content: browsers revalidate with it instead of downloading again. */
  readonly etag: string;
}

const loaded = new Map<ConsoleAssetName, ConsoleAsset>();

export const isConsoleAsset = (name: string): name is ConsoleAssetName => Object.hasOwn(CONSOLE_ASSETS, name);

export function consoleAsset(name: ConsoleAssetName): ConsoleAsset {
  let asset = loaded.get(name);
  if (!asset) {
    const body = readFileSync(new URL(`./console/${name}`, import.meta.url), 'utf8');
    asset = { body, contentType: CONSOLE_ASSETS[name], etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
    loaded.set(name, asset);
  }
  return asset;
}
