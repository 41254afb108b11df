// Loads template files as strings, the way esbuild's `text` loader does in the Lambda bundles.
const { createHash } = require('node:crypto');

const VERSION = 'text-transform-2';

module.exports = {
  process(sourceText) {
    return { code: `module.exports = ${JSON.stringify(sourceText)};` };
  },
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha256').update(VERSION).update(sourcePath).update(sourceText).digest('hex');
  },
};
