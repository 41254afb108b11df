import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTaskStore } from '#adapters/dynamodb/task-store';
import { localDirectory } from '../support/local-directory.ts';
import type { Task } from '#core/task';
import { type RunningStack, spawnStack } from '../support/spawn-stack.ts';

/**
 * The public endpoints' limits as declared (functions/task-types.ts), on a stack of its own: the
 * shared one raises the per-client limits for the suites (test/support/spawn-stack.ts). Each client
 * is a loopback address of its own (127.0.0.x), which the gateway sees as the source IP.
 */
interface Answer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
}

let stack: RunningStack;
const home = mkdtempSync(join(tmpdir(), 'assent-limits-'));

/** POST /v1/tasks from the loopback address `client`. */
function create(client: string, type: string, data: unknown): Promise<Answer> {
  const url = new URL('/v1/tasks', stack.endpoints.api);
  const payload = JSON.stringify({ type, data });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: client, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], contentType: response.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

const documentClient = () =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.endpoints.services.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), {
    marshallOptions: { removeUndefinedValues: true },
  });

/**
 * Statuses a reset-password task passes through on its way to a wait or an end: `approved` is
 * its auto-approval, the moment before the same step issues its token and writes `awaiting_token`.
 */
const IN_PASSING = new Set(['pending', 'approved']);

/** The reset-password tasks for `email`, once `count` of them rest in a wait or an end (polled, with a deadline). */
async function resetTasksOf(email: string, count: number): Promise<Task[]> {
  const tasks = new DynamoDbTaskStore({ client: documentClient(), tableName: stack.endpoints.services.tableName });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const page = await tasks.list({ type: 'reset-password', limit: 100 });
    const mine = page.items.filter((task) => task.actions[0]?.data.email === email);
    if (mine.filter((task) => !IN_PASSING.has(task.status)).length >= count) return mine;
    if (Date.now() > deadline) throw new Error(`Only ${mine.length} reset-password tasks for ${email}: ${mine.map((task) => task.status).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const mailsTo = async (to: string): Promise<{ subject: string }[]> =>
  ((await (await fetch(`${stack.endpoints.mailbox}/store`)).json()) as { emails: { destination: { to: string[] }; subject: string }[] }).emails.filter((mail) => mail.destination.to.includes(to));

/** The emails to `to` once at least one arrived (polled, with a deadline). */
async function arrivedTo(to: string): Promise<{ subject: string }[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const mails = await mailsTo(to);
    if (mails.length > 0) return mails;
    if (Date.now() > deadline) throw new Error(`No email to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  stack = await spawnStack(home, { PORT: '0', MAIL_PORT: '0', DYNAMODB_PORT: '0', SFN_PORT: '0', EVENTS_PORT: '0' }, { ASSENT_RATE_LIMITS: '' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(home, { recursive: true, force: true });
}, 30_000);

describe('per-client limits', () => {
  it('answers the 21st sign-up from one client within the hour with 429 problem+json and Retry-After; another client goes on', async () => {
    // Prepare
    for (let n = 1; n <= 20; n++) expect((await create('127.0.0.2', 'sign-up', { email: `client${n}@example.com`, projectName: `client-${n}` })).status).toBe(202);

    // Act
    const refused = await create('127.0.0.2', 'sign-up', { email: 'client21@example.com', projectName: 'client-21' });
    const other = await create('127.0.0.3', 'sign-up', { email: 'client22@example.com', projectName: 'client-22' });

    // Assess
    const problem = JSON.parse(refused.body);
    const secondsLeft = Number(refused.retryAfter);
    expect([refused.status, refused.contentType, problem.type, problem.status, problem.retryAfterSeconds]).toStrictEqual([
      429,
      'application/problem+json',
      'https://assent.dev/problems/too-many-requests',
      429,
      secondsLeft,
    ]);
    expect(secondsLeft).toBeGreaterThanOrEqual(1);
    expect(secondsLeft).toBeLessThanOrEqual(3600);
    expect(problem.detail).toBe(`Too many sign-up requests from this client: at most 20 per 1 h. Try again in ${secondsLeft} seconds.`);
    expect(other.status).toBe(202);
  }, 60_000);
});

describe('reset-password (uniform)', () => {
  it('answers the 6th request for one address with the same 429, whether or not the account exists', async () => {
    // Prepare
    await localDirectory(stack.endpoints).createUser({ email: 'limited@example.com', roles: [], enabled: true, createdAt: 'x' });
    for (let n = 1; n <= 5; n++) {
      expect((await create(`127.0.1.${n}`, 'reset-password', { email: 'limited@example.com' })).status).toBe(202);
      expect((await create(`127.0.1.${n}`, 'reset-password', { email: 'missing@example.com' })).status).toBe(202);
    }

    // Act
    const known = await create('127.0.1.9', 'reset-password', { email: 'limited@example.com' });
    const unknown = await create('127.0.1.9', 'reset-password', { email: 'missing@example.com' });

    // Assess
    expect([known.status, unknown.status]).toStrictEqual([429, 429]);
    // The two answers can straddle a second boundary, so the seconds left are compared apart.
    const withoutSeconds = (body: string) => body.replace(/\d+/g, 'N');
    expect(withoutSeconds(known.body)).toBe(withoutSeconds(unknown.body));
    expect(Math.abs(Number(known.retryAfter) - Number(unknown.retryAfter))).toBeLessThanOrEqual(1);
    expect(JSON.parse(known.body).detail).toMatch(/^Too many reset-password requests for this address: at most 5 per 1 h\. Try again in \d+ seconds\.$/);
  }, 60_000);

  it('sends one email for three requests within the window: the repeats are dropped in their first step, without an email', async () => {
    // Prepare
    await localDirectory(stack.endpoints).createUser({ email: 'thrice@example.com', roles: [], enabled: true, createdAt: 'x' });

    // Act
    const answers = [];
    for (const client of ['127.0.2.1', '127.0.2.2', '127.0.2.3']) answers.push(await create(client, 'reset-password', { email: 'thrice@example.com' }));
    const tasks = await resetTasksOf('thrice@example.com', 3);

    // Assess
    expect(answers.map((answer) => answer.status)).toStrictEqual([202, 202, 202]);
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
    expect(tasks.map((task) => [task.status, task.history.at(-1)?.event]).sort()).toStrictEqual([
      ['awaiting_token', 'token-issued'],
      ['cancelled', 'dropped-as-duplicate'],
      ['cancelled', 'dropped-as-duplicate'],
    ]);
    // The two dropped tasks ended without sending anything; the one email is the first task's.
    expect((await arrivedTo('thrice@example.com')).map((mail) => mail.subject)).toStrictEqual(['Reset your password']);
  }, 60_000);
});
