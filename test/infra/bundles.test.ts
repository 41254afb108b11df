/**
 * The Lambda bundles, built as CDK builds them (HANDLER_BUNDLING through esbuildOptionsFor, which
 * cdk synth matches byte for byte) and run in fresh Node processes the way Lambda runs them: what
 * they contain, and that their stack traces name the TypeScript sources without
 * `--enable-source-maps`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { PROJECT_ROOT } from '../../lib/assent-stack.ts';
import { esbuildOptionsFor } from '../../lib/bundling/esbuild-options.ts';
import { HANDLER_BUNDLING, handlerEnvironment } from '../../lib/constructs/handler-function.ts';

const ENTRIES = { http: 'functions/http/handler.ts', steps: 'functions/steps/handler.ts', archiver: 'functions/streams/archive.ts', mailFeedback: 'functions/streams/mail-feedback.ts' } as const;
type Name = keyof typeof ENTRIES;

let out: string;
const bundles = {} as Record<Name, { file: string; inputs: string[] }>;


beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'assent-bundle-test-'));
  for (const [name, entry] of Object.entries(ENTRIES) as [Name, string][]) {
    const file = join(out, name, 'index.mjs');
    const { metafile } = await build(esbuildOptionsFor(HANDLER_BUNDLING, PROJECT_ROOT, entry, file, []));
    // What the bundle holds: the inputs esbuild kept some bytes of (tree-shaken files stay listed with none).
    const output = Object.values((metafile as Metafile).outputs).find((candidate) => candidate.entryPoint !== undefined);
    bundles[name] = { file, inputs: Object.entries(output?.inputs ?? {}).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input) };
  }
}, 60_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * Imports a bundle in a fresh `node` with the environment CDK gives it and calls the handler once;
 * then `script` runs, and the files ending in `.map` the process read are listed (`readFileSync`
 * is wrapped before the bundle loads).
 */
function invoke(name: Name, event: unknown, script: string, nodeOptions = '', extraEnv: Record<string, string> = {}): { stdout: string; stderr: string; mapReads: string[] } {
  const probe = join(out, `${name}-probe.mjs`);
  writeFileSync(
    probe,
    `import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const mapReads = [];
const readFileSync = fs.readFileSync;
fs.readFileSync = (file, ...rest) => { if (String(file).endsWith('.map')) mapReads.push(String(file)); return readFileSync(file, ...rest); };
syncBuiltinESMExports();
const { handler } = await import(${JSON.stringify(bundles[name].file)});
const context = { functionName: 'test', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test', memoryLimitInMB: '512', awsRequestId: 'test', logGroupName: '/aws/lambda/test', logStreamName: 'test', getRemainingTimeInMillis: () => 60000 };
let result, error;
try { result = await handler(${JSON.stringify(event)}, context); } catch (caught) { error = caught; }
${script}
process.stdout.write('\\nMAP_READS ' + JSON.stringify(mapReads) + '\\n');
`,
  );
  const env = {
    PATH: process.env.PATH,
    ...handlerEnvironment(),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    ASSENT_TABLE_NAME: 'test',
    ASSENT_USER_POOL_ID: 'us-east-1_test',
    ASSENT_MAIL_FROM: 'noreply@example.com',
    ASSENT_OPERATOR_EMAILS: 'approver@example.com',
    ASSENT_PUBLIC_URL: 'https://api.example.com',
    ASSENT_EVENT_BUS_NAME: 'test',
    ASSENT_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:test',
    ASSENT_JWT_ISSUER: 'https://auth.example.com/',
    ASSENT_JWT_AUDIENCE: 'test',
    ASSENT_JWKS_URL: 'https://auth.example.com/jwks.json',
    ASSENT_TTL_MINUTES: '1440',
    ASSENT_TRACK_ACTIONS: 'true',
    NODE_OPTIONS: nodeOptions,
    ...extraEnv,
  };
  const child = spawnSync(process.execPath, [probe], { env, encoding: 'utf8', timeout: 30_000 });
  const [stdout = '', reads = '[]'] = child.stdout.split('\nMAP_READS ');
  return { stdout, stderr: child.stderr, mapReads: (JSON.parse(reads) as string[]).map((file) => file.slice(out.length + 1)) };
}

const framesOf = (stack: string) => stack.split('\n').filter((line) => line.startsWith('    at '));

describe('Lambda bundles', () => {
  it.each(['http', 'steps'] as const)('%s: has zod without its translated locales (English only) and no nunjucks', (name) => {
    // Act
    const { inputs } = bundles[name];

    // Assess
    expect(inputs.filter((input) => /node_modules\/zod\/.*locales\//.test(input))).toStrictEqual(['node_modules/zod/v4/locales/en.js']);
    expect(inputs.filter((input) => input.includes('node_modules/nunjucks/'))).toStrictEqual([]);
    expect(inputs).toContain('lib/bundling/zod.mjs');
  });

  it('runs without NODE_OPTIONS=--enable-source-maps, which parses the source map at every cold start', () => {
    expect(handlerEnvironment()).toStrictEqual({ POWERTOOLS_SERVICE_NAME: 'assent', POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false' });
  });

  it.each([
    ['http', { xray: true, idempotency: true }],
    ['steps', { xray: true, idempotency: false }],
    ['archiver', { xray: false, idempotency: false }],
    ['mailFeedback', { xray: false, idempotency: false }],
  ] as const)('%s holds the X-Ray SDK of Powertools Tracer and Powertools Idempotency only where it uses them: %o', (name, holds) => {
    // Act: only the traced functions pay the X-Ray SDK's ~125 KiB, only the one taking an Idempotency-Key Idempotency's ~38.
    const { inputs } = bundles[name];
    const has = (prefix: string) => inputs.some((input) => input.startsWith(prefix));

    // Assess
    expect({
      xraySdk: has('node_modules/aws-xray-sdk-core/'),
      tracer: has('node_modules/@aws-lambda-powertools/tracer/lib/esm/Tracer'),
      idempotency: has('node_modules/@aws-lambda-powertools/idempotency/'),
    }).toStrictEqual({ xraySdk: holds.xray, tracer: holds.xray, idempotency: holds.idempotency });
  });

  it.each([
    ['in Lambda (AWS_EXECUTION_ENV set)', { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' }, true],
    ['in Lambda with POWERTOOLS_TRACE_ENABLED=false', { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: 'false' }, false],
    ['outside Lambda', {}, false],
  ] as const)('http: loads Powertools Tracer and the X-Ray SDK at init only where it traces: %s', (_where, env, loaded) => {
    // Act: importing Tracer sets AWS_XRAY_CONTEXT_MISSING (to IGNORE_ERROR) when it is unset; the X-Ray SDK comes with it.
    const { stdout } = invoke('http', {}, "process.stdout.write('XRAY ' + (process.env.AWS_XRAY_CONTEXT_MISSING ?? 'unset'));", '', env);

    // Assess
    expect(/XRAY (\S+)/.exec(stdout)?.[1]).toBe(loaded ? 'IGNORE_ERROR' : 'unset');
  });

  it.each(Object.keys(ENTRIES) as Name[])('%s: starts with the source-mapped stack traces of lib/bundling/stack-traces.ts', (name) => {
    expect(bundles[name].inputs).toContain('lib/bundling/stack-traces.ts');
  });

  it('maps the stack of an error thrown out of a handler to the TypeScript source (what Lambda logs)', () => {
    // Act
    const { stdout, mapReads } = invoke('steps', { step: 'not-a-step' }, 'process.stdout.write(JSON.stringify({ name: error?.name, stack: error?.stack }));');
    const thrown = JSON.parse(stdout) as { name: string; stack: string };

    // Assess
    expect(mapReads).toStrictEqual(['steps/index.mjs.map']);
    const frames = framesOf(thrown.stack);
    expect([thrown.name, frames[0]]).toStrictEqual(['ZodError', expect.stringMatching(/^ {4}at lambdaHandler \(functions\/steps\/handler\.ts:\d+:\d+\)$/)]);
    expect(frames.filter((frame) => frame.includes('index.mjs'))).toStrictEqual([]);
  });

  it('logs an unhandled error with a source-mapped stack and location (the Powertools logger through the HTTP middleware)', () => {
    // Prepare: no requestContext, so the route handler fails on event.requestContext.http.
    const event = { version: '2.0', routeKey: 'GET /v1/task-types', rawPath: '/v1/task-types', headers: {} };

    // Act
    const { stdout, stderr, mapReads } = invoke('http', event, 'process.stdout.write("\\nRESULT " + JSON.stringify(result) + "\\n");');
    const logged = `${stdout}\n${stderr}`
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { message: string; error?: { name: string; location: string; stack: string } })
      .find((entry) => entry.message === 'Unhandled error');

    // Assess
    expect(stdout).toContain('RESULT {"statusCode":500');
    expect(mapReads).toStrictEqual(['http/index.mjs.map']);
    expect(logged?.error?.name).toBe('TypeError');
    expect(logged?.error?.location).toMatch(/^functions\/http\/handler\.ts:\d+$/);
    // `route`, by its minified name: the map names no function there (Node's own mapping neither).
    expect(framesOf(logged?.error?.stack ?? '')[0]).toMatch(/^ {4}at \S+ \(functions\/http\/handler\.ts:\d+:\d+\)$/);
    expect(framesOf(logged?.error?.stack ?? '').filter((frame) => frame.includes('index.mjs'))).toStrictEqual([]);
  });

  it('writes the frames NODE_OPTIONS=--enable-source-maps writes, with paths from the project root', () => {
    // Prepare
    const script = (nodeFormats: boolean) => `${nodeFormats ? 'Error.prepareStackTrace = undefined;' : ''} process.stdout.write(JSON.stringify(error.stack));`;

    // Act
    const ours = JSON.parse(invoke('steps', { step: 'not-a-step' }, script(false)).stdout) as string;
    const node = JSON.parse(invoke('steps', { step: 'not-a-step' }, script(true), '--enable-source-maps').stdout) as string;

    // Assess
    expect(framesOf(ours).length).toBeGreaterThan(2);
    expect(framesOf(ours)).toStrictEqual(framesOf(node.replaceAll(`${PROJECT_ROOT}/`, '')));
  });

  it('reads no source map on a first call that formats no stack (the cold start pays nothing for it)', () => {
    // Prepare
    const event = { version: '2.0', routeKey: 'GET /v1/task-types', rawPath: '/v1/task-types', headers: {}, requestContext: { http: { method: 'GET', path: '/v1/task-types' } } };

    // Act
    const { stdout, mapReads } = invoke('http', event, 'process.stdout.write("RESULT " + result?.statusCode);');

    // Assess
    expect([stdout.slice(stdout.indexOf('RESULT')), mapReads]).toStrictEqual(['RESULT 200', []]);
  });

  it('leaves stacks without a frame in the bundle as V8 writes them, and reads no map for them', () => {
    // Act
    const { stdout, mapReads } = invoke('archiver', { Records: [] }, "const e = new Error('outside'); process.stdout.write(JSON.stringify(e.stack.split('\\n').slice(0, 2)));");

    // Assess
    expect(JSON.parse(stdout)).toStrictEqual(['Error: outside', expect.stringMatching(/^ {4}at file:\/\/.*archiver-probe\.mjs:\d+:\d+$/)]);
    expect(mapReads).toStrictEqual([]);
  });
});
