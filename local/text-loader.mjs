/**
 * Node module hook: `import text from './x.njk'` yields the file's text, as esbuild's `text`
 * loader does in the Lambda bundles. Registered by local/register.mjs.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function load(url, context, nextLoad) {
  if (url.endsWith('.njk')) {
    const source = await readFile(fileURLToPath(url), 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(source)};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
