/**
 * The libraries floor of benchmark 3: which package imports the project's files make, and a
 * bundle built from them that holds the function's packages and nothing of the project.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, type Metafile, transformSync } from 'esbuild';
import { compiledProjectSources, libraryImportsOf, librarySource, packageOf } from '../../../bench/library-imports.ts';
import { PROJECT_ROOT } from '../../../lib/assent-stack.ts';
import { esbuildOptionsFor } from '../../../lib/bundling/esbuild-options.ts';
import { HANDLER_BUNDLING } from '../../../lib/constructs/handler-function.ts';

const compiled = (typescript: string) => transformSync(typescript, { loader: 'ts', format: 'esm' }).code;

describe('libraryImportsOf', () => {
  it('collects named, default and dynamic imports and the members read off a namespace, across files', () => {
    // Prepare
    const first = `import * as z from 'zod';\nimport middy from '@middy/core';\nimport { Logger } from '@aws-lambda-powertools/logger';\nexport const a = z.object({ b: z.string() });\nexport const m = middy; export const l = new Logger();`;
    const second = `import { Logger as L, injectLambdaContext } from "@aws-lambda-powertools/logger";\nexport const t = await import('@aws-lambda-powertools/tracer');\nexport const x = [L, injectLambdaContext];`;

    // Act
    const imports = libraryImportsOf([first, second]);

    // Assess
    expect(imports).toEqual([
      { specifier: '@aws-lambda-powertools/logger', names: ['Logger', 'injectLambdaContext'], defaultImport: false, dynamic: false },
      { specifier: '@aws-lambda-powertools/tracer', names: [], defaultImport: false, dynamic: true },
      { specifier: '@middy/core', names: [], defaultImport: true, dynamic: false },
      { specifier: 'zod', names: ['object', 'string'], defaultImport: false, dynamic: false },
    ]);
  });

  it('leaves out the AWS SDK, Node built-ins, the project\'s own modules and what only types use', () => {
    // Prepare
    const source = compiled(
      [
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
        "import { readFileSync } from 'node:fs';",
        "import { getApp } from '../app.ts';",
        "import { Clock } from '#ports/clock';",
        "import type { Handler } from 'aws-lambda';",
        "import * as z from 'zod';",
        "import { type Tracer, Tracer as T } from '@aws-lambda-powertools/tracer';",
        'export type Shape = z.infer<typeof shape>;',
        'declare const shape: z.ZodObject;',
        'export const h: Handler = () => undefined;',
        'export const used = [DynamoDBClient, readFileSync, getApp, Clock, T];',
      ].join('\n'),
    );

    // Act
    const imports = libraryImportsOf([source]);

    // Assess
    expect(imports).toEqual([{ specifier: '@aws-lambda-powertools/tracer', names: ['Tracer'], defaultImport: false, dynamic: false }]);
  });

  it('counts a package imported both ways as a static import', () => {
    // Prepare
    const sources = ["const t = await import('ulid'); export { t };", "import { ulid } from 'ulid'; export const u = ulid;"];

    // Act
    const imports = libraryImportsOf(sources);

    // Assess
    expect(imports).toEqual([{ specifier: 'ulid', names: ['ulid'], defaultImport: false, dynamic: false }]);
  });
});

describe('librarySource', () => {
  it('imports each name under its own alias, keeps every value reachable, and a dynamic import stays one', () => {
    // Prepare
    const imports = [
      { specifier: '@aws-lambda-powertools/tracer', names: [], defaultImport: false, dynamic: true },
      { specifier: '@middy/core', names: [], defaultImport: true, dynamic: false },
      { specifier: 'zod', names: ['object', 'string'], defaultImport: false, dynamic: false },
    ];

    // Act
    const source = librarySource(imports);

    // Assess
    expect(source).toBe(
      [
        "import lib1_default from '@middy/core';",
        "import { object as lib2_object, string as lib2_string } from 'zod';",
        "const lib0 = await import('@aws-lambda-powertools/tracer');",
        'export const libraries = [lib0, lib1_default, lib2_object, lib2_string];',
        '',
      ].join('\n'),
    );
  });
});

describe('the libraries floor of a real function (Outbox)', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'assent-libraries-floor-'));
    // The floor's entry resolves its packages from here, as bench/cold-start.ts's does.
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  const packagesIn = (metafile: Metafile): { packages: string[]; project: string[] } => {
    const output = Object.values(metafile.outputs).find((candidate) => candidate.entryPoint !== undefined);
    const inputs = Object.entries(output?.inputs ?? {}).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input);
    const packages = inputs.flatMap((input) => {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? (/^lib\/bundling\/zod/.test(input) ? 'zod' : undefined);
      return match ? [packageOf(match)] : [];
    });
    return { packages: [...new Set(packages)].sort(), project: inputs.filter((input) => !input.includes('node_modules') && !input.startsWith('lib/bundling/')) };
  };

  it('holds the packages of the function\'s bundle and none of its own files', async () => {
    // Prepare
    const options = (entry: string, file: string) => esbuildOptionsFor(HANDLER_BUNDLING, PROJECT_ROOT, entry, file, ['@aws-sdk/*']);
    const { metafile: real } = await build(options('functions/streams/outbox.ts', join(out, 'outbox', 'index.mjs')));
    const entry = join(out, 'libraries.mjs');
    writeFileSync(entry, librarySource(libraryImportsOf(compiledProjectSources(real as Metafile, PROJECT_ROOT))));

    // Act
    const { metafile: floor } = await build(options(relative(PROJECT_ROOT, entry), join(out, 'libraries', 'index.mjs')));

    // Assess
    const function_ = packagesIn(real as Metafile);
    const libraries = packagesIn(floor as Metafile);
    expect(function_.packages).toEqual(expect.arrayContaining(['zod', '@aws-lambda-powertools/logger', '@aws-lambda-powertools/metrics', '@middy/core', 'ulid']));
    expect(libraries.packages).toEqual(function_.packages);
    expect(libraries.project).toEqual([relative(PROJECT_ROOT, entry)]);
    expect(function_.project.length).toBeGreaterThan(50);
  }, 60_000);
});
