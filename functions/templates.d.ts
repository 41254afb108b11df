/** Email templates are imported as text (esbuild's `text` loader; a Jest transform; a Node loader locally). */
declare module '*.njk' {
  const source: string;
  export default source;
}
