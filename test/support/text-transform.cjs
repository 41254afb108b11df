// Loads template files as strings, the way esbuild's `text` loader does in the Lambda bundles.
module.exports = {
  process(sourceText) {
    return { code: `export default ${JSON.stringify(sourceText)};` };
  },
};
