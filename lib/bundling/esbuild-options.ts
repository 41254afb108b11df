import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The NodejsFunction bundling options translated here. */
const KNOWN_OPTIONS = new Set(['forceDockerBundling', 'minify', 'sourceMap', 'sourcesContent', 'format', 'target', 'mainFields', 'banner', 'loader', 'externalModules', 'esbuildArgs', 'inject']);

/**
 * esbuild's API options for the command NodejsFunction's local bundling runs (aws-cdk-lib's
 * `Bundling.createBundlingCommand`: `--bundle`, `--platform=node`, `--outfile`, then one flag per
 * option), so bench/cold-start.ts and the bundle tests build what CDK ships from HANDLER_BUNDLING.
 * An option without a translation here is refused rather than silently left out.
 */
export function esbuildOptionsFor(bundling: BundlingOptions, projectRoot: string, entry: string, outfile: string, external: string[]): BuildOptions {
  const unknown = Object.keys(bundling).filter((key) => !KNOWN_OPTIONS.has(key));
  if (unknown.length) {
    throw new Error(`lib/bundling/esbuild-options.ts cannot translate the bundling option(s) ${unknown.join(', ')}: add their esbuild API form to esbuildOptionsFor, as NodejsFunction passes them to esbuild's CLI.`);
  }
  const alias: Record<string, string> = {};
  for (const [flag, value] of Object.entries(bundling.esbuildArgs ?? {})) {
    const name = /^--alias:(.+)$/.exec(flag)?.[1];
    if (!name || typeof value !== 'string') throw new Error(`lib/bundling/esbuild-options.ts does not translate the esbuild argument ${flag}: add it to esbuildOptionsFor.`);
    alias[name] = value;
  }
  return {
    absWorkingDir: projectRoot,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: bundling.target,
    format: bundling.format === OutputFormat.ESM ? 'esm' : 'cjs',
    minify: bundling.minify ?? false,
    sourcemap: bundling.sourceMap ?? false,
    sourcesContent: bundling.sourcesContent ?? true,
    ...(bundling.mainFields ? { mainFields: bundling.mainFields } : {}),
    ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
    ...(bundling.loader ? { loader: bundling.loader as BuildOptions['loader'] } : {}),
    ...(bundling.inject ? { inject: bundling.inject } : {}),
    ...(Object.keys(alias).length ? { alias } : {}),
    external: [...(bundling.externalModules ?? []), ...external],
    metafile: true,
    logLevel: 'error',
  };
}
