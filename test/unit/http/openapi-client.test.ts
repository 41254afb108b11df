/**
 * A client generated from /v1/openapi.json with openapi-typescript (as a user of the API would)
 * compiles against the real fields of the answers, and refuses wrong ones: the TypeScript compiler
 * API type-checks small files against the generated types, in memory.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { buildOpenApi } from '#http/openapi';

const LIB_DIR = dirname(createRequire(import.meta.url).resolve('typescript'));
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  noUncheckedIndexedAccess: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  lib: ['lib.es2023.d.ts'],
  types: [],
};

let generated: string;
let libraries: ts.CompilerHost;

beforeAll(async () => {
  generated = astToString(await openapiTS(buildOpenApi('https://api.example.com') as unknown as Parameters<typeof openapiTS>[0]));
  libraries = ts.createCompilerHost(OPTIONS);
}, 30_000);

/** The compiler's errors for `client.ts` next to the generated `api.ts`: "TS<code> <message>". */
function typeErrors(client: string): string[] {
  const files: Record<string, string> = { '/client/api.ts': generated, '/client/client.ts': client };
  const host: ts.CompilerHost = {
    ...libraries,
    getDefaultLibLocation: () => LIB_DIR,
    getDefaultLibFileName: (options) => join(LIB_DIR, ts.getDefaultLibFileName(options)),
    fileExists: (name) => name in files || libraries.fileExists(name),
    directoryExists: (name) => name === '/client' || (libraries.directoryExists?.(name) ?? false),
    realpath: (name) => (name in files ? name : (libraries.realpath?.(name) ?? name)),
    readFile: (name) => files[name] ?? libraries.readFile(name),
    getSourceFile: (name, version) => (name in files ? ts.createSourceFile(name, files[name] as string, version) : libraries.getSourceFile(name, version)),
  };
  const program = ts.createProgram(['/client/client.ts'], OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => `TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`);
}

const PRELUDE = `import type { components, paths } from './api.ts';
type Json<P extends keyof paths, M extends keyof paths[P], S extends PropertyKey> = paths[P][M] extends { responses: Record<S, { content: { 'application/json': infer B } }> } ? B : never;
`;

describe('a client generated from /v1/openapi.json by openapi-typescript', () => {
  it('compiles code that reads real fields of the answers and writes a typed request body', () => {
    // Prepare
    const client = `${PRELUDE}
declare const task: paths['/v1/tasks/{id}']['get']['responses']['200']['content']['application/json'];
export const status: 'pending' | 'approved' | 'awaiting_token' | 'completed' | 'rejected' | 'cancelled' | 'failed' | 'expired' = task.status;
declare const counts: Json<'/v1/status', 'get', 200>;
export const pending: number = counts.counts.pending + counts.unacknowledgedErrorCount;
export const stranded: number | undefined = counts.stranded?.checked;
declare const types: Json<'/v1/task-types', 'get', 200>;
export const inputSchema: Record<string, unknown> | undefined = types.taskTypes[0]?.inputSchema;
declare const created: Json<'/v1/tasks', 'post', 202>;
export const createdStatus: string = created.status;
declare const inbox: Json<'/v1/inbox', 'get', 200>;
export const due: string | undefined = inbox.items[0]?.due;
declare const bulk: Json<'/v1/inbox/decisions', 'post', 207>;
export const why: string | undefined = bulk.results.map((result) => (result.ok ? undefined : result.problem.detail))[0];
declare const notFound: paths['/v1/tasks/{id}']['get']['responses']['404']['content']['application/problem+json'];
export const badField: string | undefined = notFound.errors?.[0]?.path;
export const signUp: paths['/v1/tasks']['post']['requestBody']['content']['application/json'] = { type: 'sign-up', data: { email: 'ann@example.com', projectName: 'apollo' } };
declare const root: Json<'/', 'get', 200>;
export const docs: string = root.links.docs + root.version;
`;

    // Act
    const errors = typeErrors(client);

    // Assess
    expect(errors).toStrictEqual([]);
  });

  it.each([
    ['a field the task does not have', `declare const task: Json<'/v1/tasks/{id}', 'get', 200>;\nexport const state = task.state;`, "TS2339 Property 'state' does not exist on type"],
    ['a status that does not exist', `declare const counts: Json<'/v1/status', 'get', 200>;\nexport const lost: number = counts.counts.lost;`, "TS2339 Property 'lost' does not exist on type"],
    ['a sign-up field under a wrong name', `export const body: components['schemas']['SignUpTaskRequest'] = { type: 'sign-up', data: { emial: 'ann@example.com', projectName: 'apollo' } };`, "'emial' does not exist in type '{ email: string; projectName: string; }'"],
    ['a sign-up without its project', `export const body: components['schemas']['SignUpTaskRequest'] = { type: 'sign-up', data: { email: 'ann@example.com' } };`, "TS2741 Property 'projectName' is missing"],
    ['a task type that does not exist', `export const body: paths['/v1/tasks']['post']['requestBody']['content']['application/json'] = { type: 'sign-down', data: {} };`, 'TS2322 Type \'"sign-down"\' is not assignable to type'],
    ['a problem title read as a number', `declare const problem: paths['/v1/tasks/{id}']['get']['responses']['404']['content']['application/problem+json'];\nexport const title: number = problem.title;`, "TS2322 Type 'string' is not assignable to type 'number'"],
  ])('refuses %s', (_case, code, expected) => {
    // Act
    const errors = typeErrors(`${PRELUDE}${code}\n`);

    // Assess
    expect(errors).toStrictEqual([expect.stringContaining(expected)]);
  });
});
