/**
 * What `zod` resolves to in the Lambda bundles (esbuild `--alias:zod=`, set in HANDLER_BUNDLING of
 * lib/constructs/handler-function.ts): zod itself, with its 64 translated locales left out.
 *
 * `import { z } from 'zod'` hands out zod's namespace object, and esbuild keeps everything a
 * namespace object can reach: zod's reaches `z.locales` and `z.core.locales`, 258 KiB of error
 * messages in other languages that Assent never shows (it writes its own). This module re-exports
 * the same package with those two members replaced by an empty object, so the `z` it hands out
 * still reaches every schema, check and helper, but no locale. English, zod's default, is still
 * registered by zod's schemas. Files that `import * as z from 'zod'` (the project's style, enforced
 * by eslint.config.js) let esbuild keep only what they use, which is smaller still.
 *
 * Only the package root can be imported in bundled code: esbuild maps `zod/<subpath>` to this
 * file's path too, where nothing resolves.
 */
export * from '../../node_modules/zod/index.js';
import * as z from './zod.mjs';
import * as core from './zod-core.mjs';

export { z, z as default, core };
export { locales } from './zod-core.mjs';
