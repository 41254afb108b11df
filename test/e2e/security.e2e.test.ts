import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttributeValue, DynamoDBClient, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { type CryptoKey, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { routes } from '#http/routes';
import { issuerOf, signLocalToken } from '#local/cognito/tokens';
import { type RunningStack, spawnStack } from '../support/spawn-stack.ts';
import { ownVoteRefused } from '../support/problems.ts';
import {
  api,
  type ApiResponse,
  endpoints,
  linkIn,
  mailbox,
  mailboxFor,
  type MailboxEmail,
  secretsIn,
  tokenFor,
  unique,
  waitForEmail,
  waitForTask,
} from '../support/stack.ts';

/**
 * Issue 5, point 4 through the local stack: one-time secrets (random, stored only as SHA-256,
 * single use, expiring), logs that never hold a secret, a password or a bearer token, the admin
 * API behind valid JWTs with the admin role, requesters confined to their own tasks, no
 * self-approval (the requester is never an approver), and a reset-password answer that says nothing about the account.
 */
/** The default approval policy's only approver (any one admin): the seeded admin. */
const APPROVER = 'admin@assent.local';
/** Who gets the operators' notifications locally. */
const OPERATORS = 'operator@assent.local';
const PROBLEMS = 'https://assent.dev/problems/';
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });
const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
/** The secret at the end of a `/v1/approvals/…` or `/v1/tokens/…` path. */
const secretOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dynamo = () => new DynamoDBClient({ endpoint: endpoints().services.dynamodb, region: 'us-east-1', credentials: CREDENTIALS });

/** Every item of the table, raw (attribute-value form), following the scan to its end. */
async function scanTable(): Promise<Record<string, AttributeValue>[]> {
  const client = dynamo();
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: endpoints().services.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  client.destroy();
  return items;
}

/** Moves a stored secret's validity into the past, as the passing of time would. */
async function expireSecret(secret: string, validUntil: string): Promise<void> {
  const client = dynamo();
  await client.send(
    new UpdateItemCommand({
      TableName: endpoints().services.tableName,
      Key: { pk: { S: `SECRET#${sha256Hex(secret)}` }, sk: { S: 'SECRET' } },
      UpdateExpression: 'SET validUntil = :validUntil',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':validUntil': { S: validUntil } },
    }),
  );
  client.destroy();
}

interface SignUp {
  readonly id: string;
  readonly email: string;
  readonly projectName: string;
}

/** POSTs a sign-up (as `jwt` when given); 202 is asserted. */
async function signUp(name: string, jwt?: string): Promise<SignUp> {
  const suffix = unique();
  const data = { email: `${name}-${suffix}@example.com`, projectName: `${name}-${suffix}` };
  const created = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data }, ...(jwt ? { headers: bearer(jwt) } : {}) });
  expect(created.status).toBe(202);
  return { id: created.json.id, ...data };
}

/**
 * The id of the operators' error notification of a task that failed: a sign-up whose project name
 * another sign-up took after both were validated fails in AwaitToken.
 */
async function errorNotificationOfAFailedTask(): Promise<string> {
  const suffix = unique();
  const create = (who: string) =>
    api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: { email: `${who}-${suffix}@example.com`, projectName: `notice-${suffix}` } } });
  const [first, second] = await Promise.all([create('first'), create('second')]);
  await Promise.all([approvalLinkOf(first.json.id), approvalLinkOf(second.json.id)]);
  await api(`/v1/tasks/${first.json.id}/approve`, { method: 'POST', admin: true });
  await waitForTask(first.json.id, (t) => t.waitingFor === 'token');
  await api(`/v1/tasks/${second.json.id}/approve`, { method: 'POST', admin: true });
  await waitForTask(second.json.id, (t) => t.status === 'failed');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const listed = await api('/v1/notifications?acknowledged=false&limit=100', { admin: true });
    const found = listed.json.notifications.find((notification: { taskId: string; kind: string }) => notification.taskId === second.json.id && notification.kind === 'error');
    if (found) return found.id as string;
    if (Date.now() > deadline) throw new Error(`No error notification for task ${second.json.id}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const approvalLinkOf = async (id: string) =>
  linkIn(await waitForEmail((mail) => mail.destination.to.includes(APPROVER) && mail.subject === `Approval needed: sign-up ${id}`), 'approvals');
const tokenLinkOf = async (to: string, subject: string) =>
  linkIn(await waitForEmail((mail) => mail.destination.to.includes(to) && mail.subject === subject), 'tokens');

describe('one-time secrets (approval links and tokens)', () => {
  /** A: approved by link, token used. B: A's reset-password, token used. C: approval link live. D: token live. */
  const flows = {} as {
    a: SignUp & { approval: string; token: string; password: string };
    b: { id: string; token: string; password: string };
    c: SignUp & { approval: string };
    d: SignUp & { token: string };
  };

  beforeAll(async () => {
    const a = await signUp('sec-a');
    const aApproval = await approvalLinkOf(a.id);
    expect((await api(aApproval, { method: 'POST', json: { decision: 'approve' } })).status).toBe(200);
    const aToken = await tokenLinkOf(a.email, `Choose your password for ${a.projectName}`);
    const aPassword = `pw-a-${randomUUID()}`;
    expect((await api(aToken, { method: 'POST', json: { password: aPassword } })).status).toBe(200);
    await waitForTask(a.id, (task) => task.sentEmails.includes('completed'));

    expect((await api('/v1/tasks', { method: 'POST', json: { type: 'reset-password', data: { email: a.email } } })).status).toBe(202);
    const bToken = await tokenLinkOf(a.email, 'Reset your password');
    const bPassword = `pw-b-${randomUUID()}`;
    const reset = await api(bToken, { method: 'POST', json: { password: bPassword } });
    expect(reset.status).toBe(200);

    const c = await signUp('sec-c');
    const cApproval = await approvalLinkOf(c.id);

    const d = await signUp('sec-d');
    await approvalLinkOf(d.id);
    expect((await api(`/v1/tasks/${d.id}/approve`, { method: 'POST', admin: true })).status).toBe(200);
    const dToken = await tokenLinkOf(d.email, `Choose your password for ${d.projectName}`);

    Object.assign(flows, {
      a: { ...a, approval: aApproval, token: aToken, password: aPassword },
      b: { id: reset.json.id, token: bToken, password: bPassword },
      c: { ...c, approval: cApproval },
      d: { ...d, token: dToken },
    });
  }, 120_000);

  const secrets = () => [flows.a.approval, flows.a.token, flows.b.token, flows.c.approval, flows.d.token].map(secretOf);

  it('are 256 random bits each, base64url, all distinct', () => {
    // Act
    const all = secrets();

    // Assess
    expect(all.filter((secret) => !SECRET.test(secret))).toStrictEqual([]);
    expect(all.map((secret) => Buffer.from(secret, 'base64url').length)).toStrictEqual([32, 32, 32, 32, 32]);
    expect(Math.min(...all.map((secret) => Buffer.from(secret, 'base64url').length))).toBeGreaterThanOrEqual(16);
    expect(new Set(all).size).toBe(5);
  });

  it('are stored only as the SHA-256 (hex) in the key: no secret, no part of one and no password is anywhere in the table', async () => {
    // Act
    const items = await scanTable();
    const raw = items.map((item) => JSON.stringify(item));

    // Assess: neither a secret, nor its first 16 characters, nor a password, in any attribute of any item.
    const needles = [...secrets(), ...secrets().map((secret) => secret.slice(0, 16)), flows.a.password, flows.b.password];
    expect(needles.filter((needle) => raw.some((item) => item.includes(needle)))).toStrictEqual([]);

    // Assess: each secret is found by its hash, once, as the key of a record of the right kind and task. A
    // secret is never written after it is issued: its use is the task's own write (the decision, or the
    // token's claim, which records the hash), so the used token of each task is the hash its task names.
    const recordOf = (secret: string) =>
      items
        .filter((item) => item.pk?.S === `SECRET#${sha256Hex(secret)}`)
        .map((item) => ({ sk: item.sk?.S, hash: item.hash?.S, kind: item.kind?.S, taskId: item.taskId?.S, written: item.usedAt !== undefined }));
    expect(secrets().map(recordOf)).toStrictEqual([
      [{ sk: 'SECRET', hash: sha256Hex(secrets()[0] ?? ''), kind: 'approval', taskId: flows.a.id, written: false }],
      [{ sk: 'SECRET', hash: sha256Hex(secrets()[1] ?? ''), kind: 'token', taskId: flows.a.id, written: false }],
      [{ sk: 'SECRET', hash: sha256Hex(secrets()[2] ?? ''), kind: 'token', taskId: flows.b.id, written: false }],
      [{ sk: 'SECRET', hash: sha256Hex(secrets()[3] ?? ''), kind: 'approval', taskId: flows.c.id, written: false }],
      [{ sk: 'SECRET', hash: sha256Hex(secrets()[4] ?? ''), kind: 'token', taskId: flows.d.id, written: false }],
    ]);
    const tokenUseOf = (taskId: string) => items.find((item) => item.pk?.S === `TASK#${taskId}`)?.tokenUse?.M?.hash?.S;
    expect([tokenUseOf(flows.a.id), tokenUseOf(flows.b.id), tokenUseOf(flows.d.id)]).toStrictEqual([sha256Hex(secrets()[1] ?? ''), sha256Hex(secrets()[2] ?? ''), undefined]);
    const secretKeys = items.filter((item) => item.pk?.S?.startsWith('SECRET#')).map((item) => item.pk?.S);
    expect(secretKeys.filter((key) => !/^SECRET#[0-9a-f]{64}$/.test(key ?? ''))).toStrictEqual([]);
  });

  it('work once: a used approval link answers 409 with who decided and when, a used token 404 with when it was used', async () => {
    // Prepare
    const task = await waitForTask(flows.a.id, () => true);
    const decidedAt = task.history.find((entry: { event: string }) => entry.event === 'approved').at;
    const usedAt = (await scanTable()).find((item) => item.pk?.S === `TASK#${flows.a.id}`)?.tokenUse?.M?.at?.S;

    // Act
    const approvalAgain = await api(flows.a.approval, { method: 'POST', json: { decision: 'approve' } });
    const rejectAgain = await api(flows.a.approval, { method: 'POST', json: { decision: 'reject' } });
    const tokenAgain = await api(flows.a.token, { method: 'POST', json: { password: `pw-again-${randomUUID()}` } });
    const resetAgain = await api(flows.b.token, { method: 'POST', json: { password: `pw-again-${randomUUID()}` } });

    // Assess
    expect(approvalAgain.status).toBe(409);
    expect(approvalAgain.headers.get('content-type')).toBe('application/problem+json');
    expect(approvalAgain.json).toStrictEqual({
      taskId: flows.a.id,
      taskStatus: 'completed',
      decidedBy: APPROVER,
      decidedAt,
      decision: 'approved',
      type: `${PROBLEMS}already-decided`,
      title: 'The task has already been decided',
      status: 409,
      detail: `Task ${flows.a.id} was already approved by ${APPROVER} at ${decidedAt}.`,
      instance: flows.a.approval,
    });
    expect([rejectAgain.status, rejectAgain.json.detail]).toStrictEqual([409, approvalAgain.json.detail]);
    expect(tokenAgain.status).toBe(404);
    expect(tokenAgain.headers.get('content-type')).toBe('application/problem+json');
    expect(tokenAgain.json).toStrictEqual({
      taskId: flows.a.id,
      taskStatus: 'completed',
      type: `${PROBLEMS}not-found`,
      title: 'Not found',
      status: 404,
      detail: `This link was already used at ${usedAt}; the task is completed.`,
      instance: flows.a.token,
    });
    expect([resetAgain.status, resetAgain.json.detail]).toStrictEqual([404, expect.stringMatching(/^This link was already used at .+; the task is completed\.$/)]);
  });

  it('work once also when used concurrently: of 5 simultaneous uses of a link, and of a token, exactly one succeeds', async () => {
    // Prepare
    const task = await signUp('sec-race');
    const approval = await approvalLinkOf(task.id);

    // Act
    const decisions = await Promise.all(Array.from({ length: 5 }, () => api(approval, { method: 'POST', json: { decision: 'approve' } })));
    const token = await tokenLinkOf(task.email, `Choose your password for ${task.projectName}`);
    const submits = await Promise.all(Array.from({ length: 5 }, () => api(token, { method: 'POST', json: { password: `pw-race-${randomUUID()}` } })));

    // Assess: one winner each; the others are told the link was used (404), the task decided (409), or
    // (a token) that its submit is still being handled (409 with Retry-After).
    expect(decisions.filter((response) => response.status === 200).map((response) => response.json)).toStrictEqual([{ id: task.id, status: 'approved' }]);
    expect(decisions.filter((response) => response.status !== 200 && ![404, 409].includes(response.status))).toStrictEqual([]);
    expect(submits.filter((response) => response.status === 200).map((response) => response.json)).toStrictEqual([{ id: task.id, status: 'completed' }]);
    const losers = submits.filter((response) => response.status !== 200);
    expect([losers.length, losers.filter((response) => !(response.status === 404 || (response.status === 409 && response.headers.get('retry-after') === '2')))]).toStrictEqual([4, []]);
    const done = await waitForTask(task.id, (t) => t.sentEmails.includes('completed'));
    expect(done.history.map((entry: { event: string }) => entry.event)).toStrictEqual(['created', 'level-opened', 'approved', 'token-issued', 'completed']);
  });

  it('expire: past validUntil a token and an approval link answer 410 and nothing changes', async () => {
    // Prepare: the stored validity moved a minute into the past (the engine compares it with its clock).
    const past = new Date(Date.now() - 60_000).toISOString();
    await expireSecret(secretOf(flows.c.approval), past);
    await expireSecret(secretOf(flows.d.token), past);
    const expired = (taskId: string, instance: string) => ({
      expiredAt: past,
      taskId,
      type: `${PROBLEMS}expired`,
      title: 'This link has expired',
      status: 410,
      detail: `This link expired at ${past}. Ask for a new one.`,
      instance,
    });

    // Act
    const viewApproval = await api(flows.c.approval);
    const approve = await api(flows.c.approval, { method: 'POST', json: { decision: 'approve' } });
    const viewToken = await api(flows.d.token);
    const submit = await api(flows.d.token, { method: 'POST', json: { password: `pw-late-${randomUUID()}` } });

    // Assess
    expect([viewApproval.status, viewApproval.json]).toStrictEqual([410, expired(flows.c.id, flows.c.approval)]);
    expect([approve.status, approve.json]).toStrictEqual([410, expired(flows.c.id, flows.c.approval)]);
    expect([viewToken.status, viewToken.json]).toStrictEqual([410, expired(flows.d.id, flows.d.token)]);
    expect([submit.status, submit.json]).toStrictEqual([410, expired(flows.d.id, flows.d.token)]);
    expect((await waitForTask(flows.c.id, () => true)).status).toBe('pending');
    expect((await waitForTask(flows.d.id, () => true)).status).toBe('awaiting_token');
    const items = await scanTable();
    const taskItem = (id: string) => items.find((item) => item.pk?.S === `TASK#${id}`);
    // c's history: created and level-opened, no vote.
    expect([taskItem(flows.c.id)?.history?.L?.map((entry) => entry.M?.event?.S), taskItem(flows.d.id)?.tokenUse]).toStrictEqual([['created', 'level-opened'], undefined]);
  });
});

/** The local pool's signing key (cognito-local's, shipped in its package). */
const localPrivateKey = async () => {
  const file = createRequire(import.meta.url).resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  return importJWK((JSON.parse(readFileSync(file, 'utf8')) as { jwk: JWK }).jwk, 'RS256');
};

interface JwtOptions {
  readonly issuer?: string;
  /** An ID token's `aud`, an access token's `client_id`. */
  readonly client?: string;
  /** `exp` (`null`: none at all). */
  readonly expiresAt?: number | null;
  /** `token_use`: an ID token by default; `refresh` (or any other) is neither kind. */
  readonly use?: string;
}

/** A token shaped as the local pool's (admin group, key id CognitoLocal); `key` and the options as given. */
async function jwt(key: CryptoKey | Uint8Array, options: JwtOptions = {}): Promise<string> {
  const pool = endpoints().cognito;
  const now = Math.floor(Date.now() / 1000);
  const use = options.use ?? 'id';
  const client = options.client ?? pool.clientId;
  const claims = use === 'access' ? { client_id: client, username: 'mallory' } : { email: 'mallory@example.com' };
  const token = new SignJWT({ ...claims, 'cognito:groups': ['admin'], token_use: use })
    .setProtectedHeader({ alg: 'RS256', kid: 'CognitoLocal' })
    .setIssuer(options.issuer ?? issuerOf(pool))
    .setSubject('mallory')
    .setIssuedAt(now - 7200);
  const withAudience = use === 'access' ? token : token.setAudience(client);
  return (options.expiresAt === null ? withAudience : withAudience.setExpirationTime(options.expiresAt ?? now + 3600)).sign(key);
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('bearer JWTs on the admin API', () => {
  let task: SignUp;
  let notificationId: string;
  let before: ApiResponse;
  let invalid: Record<string, string>;
  let valid: string;
  let member: string;

  beforeAll(async () => {
    task = await signUp('jwt');
    await approvalLinkOf(task.id);
    notificationId = await errorNotificationOfAFailedTask();
    await waitForTask(task.id, (t) => t.waitingFor === 'approval' && t.sentEmails.includes('approval'));
    before = await api(`/v1/tasks/${task.id}`, { admin: true });

    const key = await localPrivateKey();
    const { privateKey: otherKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const pool = endpoints().cognito;
    invalid = {
      'not a JWT': 'not-a-jwt',
      'unsigned (alg none)': `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'mallory', 'cognito:groups': ['admin'], iss: issuerOf(pool), aud: pool.clientId, token_use: 'id', exp: now + 3600 })}.`,
      'signed with another key': await jwt(otherKey),
      expired: await jwt(key, { expiresAt: now - 60 }),
      'an access token, expired': await jwt(key, { use: 'access', expiresAt: now - 60 }),
      'without an expiry (no exp: good forever)': await jwt(key, { expiresAt: null }),
      'an ID token of another app client': await jwt(key, { client: 'another-client' }),
      'an access token of another app client': await jwt(key, { use: 'access', client: 'another-client' }),
      'from another user pool': await jwt(key, { issuer: issuerOf({ endpoint: pool.endpoint, userPoolId: 'local_0ther000' }) }),
      'from another issuer': await jwt(key, { issuer: 'https://evil.example.com/' }),
      'a refresh token (token_use refresh: no aud, no client_id)': await jwt(key, { use: 'refresh', client: '' }),
    };
    valid = await jwt(key);
    member = await tokenFor({ sub: `member-${unique()}`, email: 'member@example.com', roles: ['member', 'project_admin'] });
  }, 60_000);

  /** Every `auth: 'jwt'` route, its path parameters filled, with a body that would be accepted. */
  const jwtRoutes = () =>
    routes
      .filter((route) => route.auth === 'jwt')
      .map((route) => ({
        route,
        path: route.path
          .replace('/v1/notifications/{id}', `/v1/notifications/${notificationId}`)
          .replace('{id}', task.id)
          .replace('{resource}', 'todos')
          .replace('{action}', 'mark-done'),
        body: (
          {
            'PUT /v1/tasks/{id}': { data: { email: task.email, projectName: `${task.projectName}-x` } },
            'POST /v1/tasks/{id}/reject': { reason: 'Forged.' },
            'POST /v1/tasks/{id}/cancel': { reason: 'Forged.' },
            'POST /v1/tasks/{id}/notes': { note: 'Forged.' },
            'POST /v1/notifications/acknowledge': { ids: [notificationId] },
            'POST /v1/todos': { title: 'Forged.' },
          } as Record<string, unknown>
        )[`${route.method} ${route.path}`],
      }));

  it('refuses every jwt route without a bearer token, or with one that does not verify, with 401 at the gateway, and nothing changes', async () => {
    // Act
    const answers: string[] = [];
    for (const { route, path, body } of jwtRoutes()) {
      for (const [why, token] of [['no Authorization', undefined], ...Object.entries(invalid)] as const) {
        const response = await api(path, { method: route.method, ...(body === undefined ? {} : { json: body }), ...(token ? { headers: bearer(token) } : {}) });
        answers.push(`${route.method} ${route.path} ${why}: ${response.status} ${response.headers.get('www-authenticate')} ${response.text}`);
      }
    }

    // Assess
    const expected = jwtRoutes().flatMap(({ route }) =>
      ['no Authorization', ...Object.keys(invalid)].map((why) => `${route.method} ${route.path} ${why}: 401 Bearer {"message":"Unauthorized"}`),
    );
    expect(answers).toStrictEqual(expected);
    expect(answers.length).toBeGreaterThanOrEqual(20 * 7);
    // The control: the same claims, signed right and not expired, are accepted.
    expect((await api('/v1/status', { headers: bearer(valid) })).status).toBe(200);
    const after = await api(`/v1/tasks/${task.id}`, { admin: true });
    expect(after.json).toStrictEqual(before.json);
    expect(after.json).toMatchObject({ status: 'pending', adminNotes: [] });
    expect((await api(`/v1/notifications/${notificationId}`, { admin: true })).json.acknowledged).toBe(false);
  }, 120_000);

  it('refuses every admin route to a valid JWT without the admin role with a 403 problem, and nothing changes', async () => {
    // Prepare
    const adminOnly = jwtRoutes().filter(({ route }) => route.summary.endsWith('(admin)'));

    // Act
    const answers = [];
    for (const { route, path, body } of adminOnly) {
      const response = await api(path, { method: route.method, ...(body === undefined ? {} : { json: body }), headers: bearer(member) });
      answers.push({ route: `${route.method} ${route.path}`, status: response.status, type: response.headers.get('content-type'), body: response.json });
    }

    // Assess
    expect(adminOnly.map(({ route }) => `${route.method} ${route.path}`).sort()).toStrictEqual(
      [
        'PUT /v1/tasks/{id}',
        'POST /v1/tasks/{id}/notes',
        'POST /v1/tasks/{id}/retry',
        'GET /v1/tokens',
        'DELETE /v1/tokens/expired',
        'GET /v1/notifications',
        'POST /v1/notifications/acknowledge',
        'GET /v1/notifications/{id}',
        'POST /v1/notifications/{id}/acknowledge',
        'GET /v1/status',
      ].sort(),
    );
    expect(answers).toStrictEqual(
      adminOnly.map(({ route, path }) => ({
        route: `${route.method} ${route.path}`,
        status: 403,
        type: 'application/problem+json',
        body: { type: `${PROBLEMS}forbidden`, title: 'Not allowed', status: 403, detail: 'This needs the role "admin".', instance: path },
      })),
    );
    const after = await api(`/v1/tasks/${task.id}`, { admin: true });
    expect(after.json).toStrictEqual(before.json);
    expect((await api(`/v1/notifications/${notificationId}`, { admin: true })).json.acknowledged).toBe(false);
  }, 60_000);

  it('refuses a vote, and a delegation, to valid JWTs the open level does not name (403 not-an-approver): roles in a token make nobody an approver, and nothing changes', async () => {
    // Prepare: a member, and a token claiming the admin role for an account the pool does not have
    // (the level's approvers are the pool's admins, looked up when the level opened).
    const claimsAdmin = await tokenFor({ sub: `not-in-pool-${unique()}`, email: `not-in-pool-${unique()}@example.com`, roles: ['admin'] });
    const votes = [
      ['approve', undefined],
      ['reject', { reason: 'Forged.' }],
      ['delegate', { to: `someone-${unique()}@example.com` }],
    ] as const;

    // Act
    const answers = [];
    for (const jwt of [member, claimsAdmin]) {
      for (const [vote, body] of votes) {
        const response = await api(`/v1/tasks/${task.id}/${vote}`, { method: 'POST', ...(body === undefined ? {} : { json: body }), headers: bearer(jwt) });
        answers.push([response.status, response.headers.get('content-type'), response.json]);
      }
    }

    // Assess
    const notAnApprover = (vote: string) => [
      403,
      'application/problem+json',
      {
        type: `${PROBLEMS}not-an-approver`,
        title: 'You are not an approver of this level',
        status: 403,
        detail: `You are not an approver of level admins of task ${task.id}, the level its approval is at.`,
        taskId: task.id,
        level: 'admins',
        instance: `/v1/tasks/${task.id}/${vote}`,
      },
    ];
    expect(answers).toStrictEqual([...votes, ...votes].map(([vote]) => notAnApprover(vote)));
    const after = await api(`/v1/tasks/${task.id}`, { admin: true });
    expect(after.json).toStrictEqual(before.json);
  });

  it('refuses cancel and token reissue to a valid JWT with project_admin but no project (403 problem), lists it its own tasks only (none), and nothing changes', async () => {
    // Act
    const cancel = await api(`/v1/tasks/${task.id}/cancel`, { method: 'POST', json: { reason: 'Forged.' }, headers: bearer(member) });
    const token = await api(`/v1/tasks/${task.id}/token`, { method: 'POST', headers: bearer(member) });
    const listed = await api('/v1/tasks', { headers: bearer(member) });

    // Assess
    const forbidden = (path: string) => ({
      type: `${PROBLEMS}forbidden`,
      title: 'Not allowed',
      status: 403,
      detail: 'This needs the role "admin", or "project_admin" of the task\'s project.',
      instance: path,
    });
    expect([cancel.status, cancel.headers.get('content-type'), cancel.json]).toStrictEqual([403, 'application/problem+json', forbidden(`/v1/tasks/${task.id}/cancel`)]);
    expect([token.status, token.headers.get('content-type'), token.json]).toStrictEqual([403, 'application/problem+json', forbidden(`/v1/tasks/${task.id}/token`)]);
    expect([listed.status, listed.json]).toStrictEqual([200, { tasks: [] }]);
    const after = await api(`/v1/tasks/${task.id}`, { admin: true });
    expect(after.json).toStrictEqual(before.json);
  });

  it('refuses a bearer token that does not verify on public routes too (401 problem, never anonymous), and creates nothing', async () => {
    // Prepare
    const email = `anon-${unique()}@example.com`;

    // Act
    const answers = [];
    for (const [why, token] of Object.entries(invalid)) {
      const response = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: { email, projectName: `anon-${unique()}` } }, headers: bearer(token) });
      answers.push({ why, status: response.status, type: response.json?.type, detail: response.json?.detail });
    }
    await sleep(1000);

    // Assess
    expect(answers).toStrictEqual(
      Object.keys(invalid).map((why) => ({
        why,
        status: 401,
        type: `${PROBLEMS}unauthorized`,
        detail:
          why.endsWith('expired')
            ? 'The bearer token has expired.'
            : why.startsWith('without an expiry')
              ? 'The bearer token has no expiry ("exp" claim); ask its issuer for a token that expires.'
              : why.startsWith('a refresh token')
                ? 'The bearer token is neither an access token nor an ID token; send one of those.'
                : 'The bearer token is not valid.',
      })),
    );
    expect(await mailboxFor(email)).toStrictEqual([]);
    expect((await api(`/v1/tasks?type=sign-up&limit=100&createdFrom=${encodeURIComponent(before.json.createdAt)}`, { admin: true })).json.tasks.filter((t: { actions: { data: { email: string } }[] }) => t.actions[0]?.data.email === email)).toStrictEqual([]);
  });
});

describe('reading tasks', () => {
  it('lets a requester read their own task and nobody else read it: 404, as for a task that does not exist', async () => {
    // Prepare
    const sub = `owner-${unique()}`;
    const owner = await tokenFor({ sub, email: `${sub}@example.com`, roles: ['project_admin'] });
    const sameEmail = await tokenFor({ sub: `other-${unique()}`, email: `${sub}@example.com`, roles: ['project_admin'] });
    const stranger = await tokenFor({ sub: `stranger-${unique()}`, email: `stranger-${unique()}@example.com`, roles: ['member'] });
    const own = await signUp('owned', owner);
    const anonymous = await signUp('anonymous');
    const dataOwner = await tokenFor({ sub: `data-${unique()}`, email: anonymous.email, roles: [] });
    const notFound = (id: string) => ({ type: `${PROBLEMS}not-found`, title: 'Not found', status: 404, detail: `There is no task ${id}.`, instance: `/v1/tasks/${id}` });

    // Act
    const asOwner = await api(`/v1/tasks/${own.id}`, { headers: bearer(owner) });
    const asSameEmail = await api(`/v1/tasks/${own.id}`, { headers: bearer(sameEmail) });
    const asStranger = await api(`/v1/tasks/${own.id}`, { headers: bearer(stranger) });
    const asDataOwner = await api(`/v1/tasks/${anonymous.id}`, { headers: bearer(dataOwner) });
    const missing = await api('/v1/tasks/01ARZ3NDEKTSV4RRFFQ69G5FAV', { headers: bearer(stranger) });

    // Assess
    expect([asOwner.status, asOwner.json.id, asOwner.json.type]).toStrictEqual([200, own.id, 'sign-up']);
    expect([asSameEmail.status, asSameEmail.json]).toStrictEqual([404, notFound(own.id)]);
    expect([asStranger.status, asStranger.json]).toStrictEqual([404, notFound(own.id)]);
    expect([asDataOwner.status, asDataOwner.json]).toStrictEqual([404, notFound(anonymous.id)]);
    expect([missing.status, missing.json]).toStrictEqual([404, notFound('01ARZ3NDEKTSV4RRFFQ69G5FAV')]);
  });
});

describe('self-approval', () => {
  it('leaves the requester out of the approvers: the only admin asking gets no link, their vote is refused (403), the operators are told, and an admin may cancel', async () => {
    // Prepare: the seeded admin (the default policy's only approver) asks for a project, with a JWT
    // carrying their address in other letter cases (and another sub: the address alone is enough).
    const adminAsRequester = await tokenFor({ sub: `admin-${unique()}`, email: 'Admin@Assent.local', roles: [] });
    const task = await signUp('self-link', adminAsRequester);
    // The level opens without approvers, and the operators hear of it after its emails went (none).
    const notice = await waitForEmail((mail) => mail.destination.to.includes(OPERATORS) && mail.subject === `Error - sign-up ${task.id}`);

    // Act
    const approve = await api(`/v1/tasks/${task.id}/approve`, { method: 'POST', admin: true });
    const reject = await api(`/v1/tasks/${task.id}/reject`, { method: 'POST', admin: true, json: { reason: 'Mine.' } });
    const pending = await waitForTask(task.id, () => true);
    const cancelled = await api(`/v1/tasks/${task.id}/cancel`, { method: 'POST', admin: true, json: { reason: 'Nobody else may approve it.' } });

    // Assess: nobody got a link for it.
    expect((await mailbox()).filter((mail) => mail.subject === `Approval needed: sign-up ${task.id}`)).toStrictEqual([]);
    expect(notice.body.text).toContain(`Level admins of task ${task.id} needs 1 approval(s) but has 0 approver(s): add people to its approvers (role admin), or cancel the task.`);
    // Assess: the votes were refused, and changed nothing.
    expect([approve.status, approve.json]).toStrictEqual([403, ownVoteRefused(task.id, 'approve')]);
    expect([reject.status, reject.json]).toStrictEqual([403, ownVoteRefused(task.id, 'reject')]);
    expect(pending.history.map((entry: { event: string }) => entry.event)).toStrictEqual(['created', 'level-opened']);
    expect(pending.history[1].reason).toBe('Level admins opened: 1 of 0 approver(s) needed.');
    expect(pending.approval.levels[0]).toMatchObject({ name: 'admins', state: 'open', approvers: [], votes: [] });
    expect([cancelled.status, cancelled.json]).toStrictEqual([200, { id: task.id, status: 'cancelled' }]);
  });
});

describe('reset-password', () => {
  it('answers a known and an unknown email identically (status, headers, body) and emails only the known one', async () => {
    // Prepare: an enabled account, through a completed sign-up.
    const account = await signUp('uniform');
    await approvalLinkOf(account.id);
    await api(`/v1/tasks/${account.id}/approve`, { method: 'POST', admin: true });
    await api(await tokenLinkOf(account.email, `Choose your password for ${account.projectName}`), { method: 'POST', json: { password: `pw-${randomUUID()}` } });
    await waitForTask(account.id, (t) => t.sentEmails.includes('completed'));
    const ghost = `ghost-${unique()}@example.com`;
    const since = new Date(Date.now() - 1000).toISOString();

    // Act
    const known = await api('/v1/tasks', { method: 'POST', json: { type: 'reset-password', data: { email: account.email } } });
    const unknown = await api('/v1/tasks', { method: 'POST', json: { type: 'reset-password', data: { email: ghost } } });

    // Assess: the same status, the same body byte for byte, the same headers with the same values (but the date).
    const headersOf = (response: ApiResponse) => [...response.headers.entries()].filter(([name]) => name !== 'date');
    expect([known.status, unknown.status]).toStrictEqual([202, 202]);
    expect(unknown.text).toBe(known.text);
    expect(known.json).toStrictEqual({ type: 'reset-password', status: 'accepted', detail: 'Your request was received. If it can go ahead, an email is on its way.' });
    expect(headersOf(unknown)).toStrictEqual(headersOf(known));
    expect(known.headers.get('content-type')).toBe('application/json');
    expect(known.headers.get('location')).toBeNull();

    // Assess: the unknown address gets nothing, also once its task has ended (auto-rejected).
    await waitForEmail((mail) => mail.destination.to.includes(account.email) && mail.subject === 'Reset your password');
    const ghostTask = await (async () => {
      for (let attempt = 0; attempt < 100; attempt++) {
        const { json } = await api(`/v1/tasks?type=reset-password&limit=100&createdFrom=${encodeURIComponent(since)}`, { admin: true });
        const found = json.tasks.find((t: { actions: { data: { email: string } }[] }) => t.actions[0]?.data.email === ghost);
        if (found?.status === 'rejected') return found;
        await sleep(200);
      }
      throw new Error(`The reset-password task of ${ghost} did not end`);
    })();
    expect(ghostTask.history.map((entry: { event: string }) => entry.event)).toStrictEqual(['created', 'auto-rejected']);
    await sleep(500);
    expect(await mailboxFor(ghost)).toStrictEqual([]);
  });
});

describe('logs', () => {
  const home = mkdtempSync(join(tmpdir(), 'assent-logs-'));
  let stack: RunningStack | undefined;

  afterAll(async () => {
    await stack?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 30_000);

  it('never hold a secret, a password or a bearer token, at DEBUG level with request and event logging on', async () => {
    // Prepare: an own stack logging as much as it can.
    stack = await spawnStack(
      home,
      { PORT: '0', MAIL_PORT: '0', DYNAMODB_PORT: '0', SFN_PORT: '0', EVENTS_PORT: '0' },
      { POWERTOOLS_LOG_LEVEL: 'DEBUG', POWERTOOLS_LOGGER_LOG_EVENT: 'true', ASSENT_QUIET: '0' },
    );
    const running = stack;
    const call = async (path: string, init: { method?: string; json?: unknown; jwt?: string; accept?: string } = {}) => {
      const response = await fetch(`${running.endpoints.api}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
          ...(init.jwt ? bearer(init.jwt) : {}),
          ...(init.accept ? { accept: init.accept } : {}),
        },
        ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
      });
      const text = await response.text();
      return { status: response.status, json: text.startsWith('{') ? JSON.parse(text) : undefined };
    };
    const emails = async () => ((await (await fetch(`${running.endpoints.mailbox}/store`)).json()) as { emails: MailboxEmail[] }).emails;
    const email = async (match: (mail: MailboxEmail) => boolean) => {
      for (let attempt = 0; attempt < 300; attempt++) {
        const found = (await emails()).find(match);
        if (found) return found;
        await sleep(100);
      }
      throw new Error(`No matching email; the output was:\n${running.output.join('')}`);
    };
    const suffix = unique();
    const address = `logged-${suffix}@example.com`;
    const requester = await signLocalToken(running.endpoints.cognito, { sub: `logged-${suffix}`, email: address, groups: [] }, 'id');
    const member = await signLocalToken(running.endpoints.cognito, { sub: `member-${suffix}`, groups: ['member'] });
    const { privateKey: otherKey } = await generateKeyPair('RS256');
    const forged = await jwt(otherKey);
    const passwords = [`pw-first-${randomUUID()}`, `pw-second-${randomUUID()}`, `pw-third-${randomUUID()}`, 'pw-short'];
    const unknownToken = randomBytes(32).toString('base64url');

    // Act: a sign-up through its approval link and token, a reset-password, and failures on the way.
    const created = await call('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: { email: address, projectName: `logged-${suffix}` } }, jwt: requester });
    const approval = linkIn(await email((mail) => mail.subject === `Approval needed: sign-up ${created.json.id}`), 'approvals');
    const answers = [created.status];
    answers.push((await call(approval, { accept: 'text/html' })).status);
    answers.push((await call(approval, { method: 'POST', json: { decision: 'approve' } })).status);
    const token = linkIn(await email((mail) => mail.subject === `Choose your password for logged-${suffix}`), 'tokens');
    answers.push((await call(token, { accept: 'text/html' })).status);
    answers.push((await call(token, { method: 'POST', json: { password: passwords[3] } })).status);
    answers.push((await call(token, { method: 'POST', json: { password: passwords[0] } })).status);
    answers.push((await call(token, { method: 'POST', json: { password: passwords[2] } })).status);
    answers.push((await call(`/v1/tokens/${unknownToken}`, { method: 'POST', json: { password: passwords[2] } })).status);
    answers.push((await call(`/v1/tasks/${created.json.id}`, { jwt: running.endpoints.adminToken })).status);
    answers.push((await call(`/v1/tasks/${created.json.id}`, { jwt: requester })).status);
    answers.push((await call('/v1/tasks', { jwt: member })).status);
    answers.push((await call('/v1/tasks', { method: 'POST', json: { type: 'reset-password', data: { email: address } }, jwt: forged })).status);
    answers.push((await call('/v1/tasks', { method: 'POST', json: { type: 'reset-password', data: { email: address } } })).status);
    const reset = linkIn(await email((mail) => mail.subject === 'Reset your password'), 'tokens');
    answers.push((await call(reset, { method: 'POST', json: { password: passwords[1] } })).status);
    await email((mail) => mail.subject === 'Your password was changed');
    await email((mail) => mail.subject === `Your project logged-${suffix} is ready`);
    await sleep(1000);
    const output = running.output.join('');
    const secrets = secretsIn(await emails());

    // Assess: the flow ran as expected, and the logs are not empty (request lines, workflow lines, Powertools JSON).
    expect(answers).toStrictEqual([202, 200, 200, 200, 400, 200, 404, 404, 200, 200, 200, 401, 202, 200]);
    expect(output).toContain('http  POST /v1/approvals/… → 200');
    expect(output).toContain('http  POST /v1/tokens/… → 400');
    expect(output).toContain('http  POST /v1/tokens/… → 404');
    expect(output).toContain(`sfn  ${created.json.id}  AwaitToken  waiting for task token`);
    const invocationLogs = output.split('\n').filter((line) => line.includes('"message":"Lambda invocation event"'));
    expect(invocationLogs.some((line) => line.includes('"function_name":"assent-steps"'))).toBe(true);
    expect(invocationLogs.filter((line) => line.includes('"function_name":"assent-http"'))).toStrictEqual([]);

    // Assess: none of what must stay secret, nor a recognisable part of it.
    const jwts = [requester, member, forged, running.endpoints.adminToken];
    expect(secrets.length).toBe(3);
    const needles = [
      ...secrets,
      ...secrets.map((secret) => secret.slice(0, 16)),
      unknownToken,
      ...passwords,
      ...jwts,
      ...jwts.map((token) => token.split('.')[2] ?? token),
    ];
    expect(needles.filter((needle) => output.includes(needle))).toStrictEqual([]);
  }, 240_000);
});
