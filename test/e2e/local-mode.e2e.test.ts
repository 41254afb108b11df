import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/ports.ts';
import { type RunningStack, runStackUntilExit, spawnStack } from '../support/spawn-stack.ts';
import { api, endpoints } from '../support/stack.ts';

/**
 * `npm start` explains itself: what keeps it from starting is said in a sentence that names the fix,
 * before anything starts; Ctrl+C says what it stops and leaves no endpoints.json behind; and the
 * gateway answers unknown routes with the handler's 404 problem, as the `$default` route does on AWS.
 */
const ALL_FREE = { PORT: '0', MAIL_PORT: '0', DYNAMODB_PORT: '0', SFN_PORT: '0', EVENTS_PORT: '0', S3_PORT: '0' };
const homes: string[] = [];
const newHome = () => {
  const home = mkdtempSync(join(tmpdir(), 'assent-local-mode-'));
  homes.push(home);
  return home;
};
/** Start-up lines (`  ▸ DynamoDB Local ... ready`): none when the stack refused to start. */
const startedServices = (output: string) => output.split('\n').filter((line) => line.startsWith('  ▸ '));
const stackTrace = /^\s+at /m;

afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

describe('a port that another process holds', () => {
  let listener: Server;
  let port: number;
  beforeAll(async () => {
    // A process that answers like DynamoDB Local: a stack that reused it would write into it.
    port = await freePort();
    listener = createServer((_, response) => response.end('{"TableNames":[]}'));
    await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

  it.each(['PORT', 'MAIL_PORT', 'DYNAMODB_PORT', 'SFN_PORT', 'EVENTS_PORT', 'S3_PORT'])('in %s stops the start before anything starts, naming the variable', async (variable) => {
    // Prepare
    const home = newHome();

    // Act
    const exited = await runStackUntilExit(home, { ...ALL_FREE, [variable]: String(port) });

    // Assess
    expect(exited.code).toBe(1);
    expect(exited.output).toContain(`The local stack did not start: ${variable}=${port} is in use by another process; set ${variable} to a free port\n`);
    expect(startedServices(exited.output)).toStrictEqual([]);
    expect(exited.output).not.toMatch(stackTrace);
    expect([existsSync(join(home, 'endpoints.json')), existsSync(join(home, 'stack.pid')), existsSync(join(home, 'dynamodb'))]).toStrictEqual([false, false, false]);
  }, 60_000);

  it('given twice is refused before anything starts', async () => {
    // Act
    const exited = await runStackUntilExit(newHome(), { ...ALL_FREE, PORT: '4100', SFN_PORT: '4100' });

    // Assess
    expect(exited.code).toBe(1);
    expect(exited.output).toContain('The local stack did not start: PORT and SFN_PORT are all 4100; give each of them a port of its own.');
    expect(startedServices(exited.output)).toStrictEqual([]);
  }, 60_000);
});

describe('a second stack', () => {
  it('on the same ASSENT_HOME says which stack holds it and exits 1 before starting anything; the first keeps serving', async () => {
    // Prepare: the stack of globalSetup runs on ASSENT_TEST_HOME.
    const home = process.env.ASSENT_TEST_HOME ?? '';
    const holder = readFileSync(join(home, 'stack.pid'), 'utf8').trim();

    // Act
    const exited = await runStackUntilExit(home, ALL_FREE);

    // Assess
    expect(exited.code).toBe(1);
    expect(exited.output).toContain(`The local stack did not start: Another Assent stack (pid ${holder}) is already running on ${home}.`);
    expect(startedServices(exited.output)).toStrictEqual([]);
    expect([existsSync(join(home, 'endpoints.json')), readFileSync(join(home, 'stack.pid'), 'utf8').trim()]).toStrictEqual([true, holder]);
    expect((await api('/local/health')).status).toBe(200);
  }, 60_000);

  it('on the ports of a running one names the first port it finds taken', async () => {
    // Prepare
    const apiPort = new URL(endpoints().api).port;

    // Act
    const exited = await runStackUntilExit(newHome(), { ...ALL_FREE, PORT: apiPort });

    // Assess
    expect(exited.code).toBe(1);
    expect(exited.output).toContain(`PORT=${apiPort} is in use by another process; set PORT to a free port`);
    expect((await api('/local/health')).status).toBe(200);
  }, 60_000);
});

describe('without Java', () => {
  it.each([
    ['no java on PATH', () => ({ PATH: newHome() })],
    ['ASSENT_JAVA naming no program', () => ({ ASSENT_JAVA: join(newHome(), 'bin', 'java') })],
  ])('(%s) says in one paragraph how to install it, without a stack trace, and exits 1', async (_, env) => {
    // Prepare
    const home = newHome();

    // Act
    const exited = await runStackUntilExit(home, ALL_FREE, env());

    // Assess
    expect(exited.code).toBe(1);
    const message = exited.output.slice(exited.output.indexOf('The local stack did not start: '));
    expect(message).toMatch(/^The local stack did not start: Java was not found \(.+ could not be run\): DynamoDB Local, AWS's jar that keeps the local tables, needs Java 17 or newer\. Install it, on Debian or Ubuntu with `apt-get install -y openjdk-17-jre-headless`, on macOS with `brew install openjdk@17`, or from https:\/\/adoptium\.net; or set ASSENT_JAVA to the java binary of a Java 17\+ already installed\. Then run npm start again\.\n$/);
    expect(exited.output).not.toMatch(stackTrace);
    expect(existsSync(join(home, 'stack.pid'))).toBe(false);
  }, 60_000);
});

describe('Ctrl+C', () => {
  let stack: RunningStack | undefined;
  afterAll(() => stack?.stop());

  it('prints what it stops, removes endpoints.json and the lock, and exits 0; the banner names the Node.js version', async () => {
    // Prepare
    const home = newHome();
    stack = await spawnStack(home, ALL_FREE);
    const { child, output } = stack;

    // Act
    const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.kill('SIGINT');
    const code = await exit;

    // Assess
    expect(code).toBe(0);
    expect([existsSync(join(home, 'endpoints.json')), existsSync(join(home, 'stack.pid'))]).toStrictEqual([false, false]);
    const text = output.join('');
    expect(text).toContain(`Assent local stack on Node.js ${process.version} (data in ${home})`);
    expect(process.versions.node.split('.')[0]).toBe('22');
    // Every service that started (all steps but the table's), last started first.
    const [startUp = '', stopping = ''] = text.split('Stopping (SIGINT):\n');
    const services = [...startUp.matchAll(/^ {2}▸ (.+) \.\.\. ready/gm)].map((match) => match[1]).filter((name) => name !== 'table' && !name?.startsWith('user pool'));
    expect(services.slice(0, 3)).toStrictEqual(['DynamoDB Local (AWS jar, -sharedDb)', 'SES emulator (aws-ses-v2-local)', 'EventBridge PutEvents emulator']);
    expect(stopping).toBe(
      [
        `  ▸ ${join(home, 'endpoints.json')} ... removed`,
        ...services.reverse().map((name) => `  ▸ ${name} ... stopped`),
        `  ▸ lock ${join(home, 'stack.pid')} ... released`,
        `Stopped. Data stays in ${home}.`,
        '',
      ].join('\n'),
    );
    expect(stopping.split('\n')[1]).toBe('  ▸ API gateway (API Gateway v2 events) ... stopped');
  }, 120_000);
});

describe('an unknown route', () => {
  it.each([
    ['GET', '/v1/nope'],
    ['DELETE', '/v1/tasks'],
    ['GET', '/nope'],
    ['GET', '/local/nope'],
  ])('%s %s is answered by the handler ($default) with a 404 problem', async (method, path) => {
    // Act
    const response = await api(path, { method });

    // Assess
    expect([response.status, response.headers.get('content-type')]).toStrictEqual([404, 'application/problem+json']);
    expect(response.json).toStrictEqual({
      type: 'https://assent.dev/problems/not-found',
      title: 'Not found',
      status: 404,
      detail: `There is no route ${method} ${path}. GET /v1/openapi.json lists the routes.`,
      instance: path,
    });
  });

  it.each(['/', '/v1'])('is not GET %s, which describes the API (name, version, where its documentation is)', async (path) => {
    // Prepare
    const { description, version } = JSON.parse(readFileSync('package.json', 'utf8')) as { description: string; version: string };
    const base = endpoints().api;

    // Act
    const response = await api(path);

    // Assess
    expect([response.status, response.headers.get('content-type'), response.json]).toStrictEqual([
      200,
      'application/json',
      { name: 'Assent', description, version, apiVersion: 'v1', links: { docs: `${base}/docs`, openapi: `${base}/v1/openapi.json`, api: `${base}/v1`, console: `${base}/console` } },
    ]);
  });

  it('is no way around the JWT authorizer: a jwt route without a token still gets API Gateway 401', async () => {
    // Act
    const response = await api('/v1/tasks');

    // Assess
    expect([response.status, response.headers.get('www-authenticate'), response.text]).toStrictEqual([401, 'Bearer', '{"message":"Unauthorized"}']);
  });
});
