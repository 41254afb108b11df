import { randomUUID } from 'node:crypto';
import { freshAccount } from '../support/fresh-account.ts';
import { ownVoteRefused } from '../support/problems.ts';
import { localDirectory } from '../support/local-directory.ts';
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
 * The admin operations of the HTTP API through the local stack, the way an operator and the
 * requesters use them: requests over HTTP, every email read from the mailbox and its links followed.
 * Tests share one stack with other files, so each makes its own data and asserts on its own tasks.
 */
/** The default approval policy's only approver (any one admin): the seeded admin. */
const APPROVER = 'admin@assent.local';
const ADMIN = 'admin@assent.local';
const PROBLEMS = 'https://assent.dev/problems/';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Requester {
  readonly sub: string;
  readonly email: string;
  readonly jwt: string;
}

/** Someone with a JWT of their own (no roles unless given), e.g. a requester or another user. */
async function someone(name: string, roles: string[] = []): Promise<Requester> {
  const suffix = unique();
  const sub = `${name}-${suffix}`;
  const email = `${name}-${suffix}@example.com`;
  return { sub, email, jwt: await tokenFor({ sub, email, roles }) };
}

interface SignUp {
  readonly id: string;
  readonly email: string;
  readonly projectName: string;
}

/** POSTs a sign-up (with the requester's JWT when given) and answers its id; 202 is asserted. */
async function signUp(name: string, as?: Requester, data?: { email: string; projectName: string }): Promise<SignUp> {
  const suffix = unique();
  const input = data ?? { email: `${name}-${suffix}@example.com`, projectName: `${name}-${suffix}` };
  const created = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: input }, ...(as ? { headers: bearer(as.jwt) } : {}) });
  expect(created.status).toBe(202);
  expect(created.json).toStrictEqual({ id: expect.stringMatching(ULID), type: 'sign-up', status: 'pending' });
  return { id: created.json.id, ...input };
}

const isApprovalEmailOf = (id: string, to = APPROVER) => (mail: MailboxEmail) => mail.destination.to.includes(to) && mail.subject === `Approval needed: sign-up ${id}`;
const approvalEmailOf = (id: string) => waitForEmail(isApprovalEmailOf(id));
const tokenEmailOf = (task: SignUp, unlike?: string) =>
  waitForEmail(
    (mail) =>
      mail.destination.to.includes(task.email) &&
      mail.subject === `Choose your password for ${task.projectName}` &&
      (unlike === undefined || !(mail.body.text ?? '').includes(unlike)),
  );

/** A sign-up approved by the admin, its token email arrived (the task awaits its token). */
async function approvedSignUp(name: string): Promise<SignUp & { tokenEmail: MailboxEmail }> {
  const task = await signUp(name);
  await approvalEmailOf(task.id);
  expect((await api(`/v1/tasks/${task.id}/approve`, { method: 'POST', admin: true })).status).toBe(200);
  return { ...task, tokenEmail: await tokenEmailOf(task) };
}

/** A sign-up taken all the way: approved, password set, completed email sent. The account exists and is enabled. */
async function completedSignUp(name: string): Promise<SignUp> {
  const task = await approvedSignUp(name);
  const done = await api(linkIn(task.tokenEmail, 'tokens'), { method: 'POST', json: { password: 'a long enough password' } });
  expect(done.json).toStrictEqual({ id: task.id, status: 'completed' });
  await waitForTask(task.id, (t) => t.sentEmails.includes('completed'));
  return task;
}

/**
 * `GET /v1/tasks` as admin, following the cursor to the end (or the first answer that is not a 200):
 * the statuses and ids seen, and the pages.
 */
async function listAll(query: Record<string, string>, limit = 100): Promise<{ status: number; ids: string[]; pages: ApiResponse[] }> {
  const pages: ApiResponse[] = [];
  let cursor: string | undefined = query.cursor;
  do {
    const page = await api(`/v1/tasks?${new URLSearchParams({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) })}`, { admin: true });
    pages.push(page);
    if (page.status !== 200) return { status: page.status, ids: [], pages };
    cursor = page.json.cursor;
  } while (cursor && pages.length < 50);
  return { status: 200, ids: pages.flatMap((page) => page.json.tasks.map((task: { id: string }) => task.id)), pages };
}

/**
 * Ids of the tasks of a type and requester created since `since`, to count the tasks a test made.
 * (The time range also keeps these checks independent of the list tests' no-time-range queries.)
 */
const tasksOf = async (type: string, requester: Requester, since: string) => (await listAll({ type, requester: requester.sub, createdFrom: since })).ids;

/** A sign-up that fails in AwaitToken: another sign-up took its project name after it was validated. */
async function failedSignUp(name: string): Promise<SignUp> {
  const suffix = unique();
  const projectName = `${name}-${suffix}`;
  const first = await signUp(`${name}-first`, undefined, { email: `${name}-first-${suffix}@example.com`, projectName });
  const second = await signUp(`${name}-second`, undefined, { email: `${name}-second-${suffix}@example.com`, projectName });
  await Promise.all([approvalEmailOf(first.id), approvalEmailOf(second.id)]);
  expect((await api(`/v1/tasks/${first.id}/approve`, { method: 'POST', admin: true })).status).toBe(200);
  await tokenEmailOf(first);
  expect((await api(`/v1/tasks/${second.id}/approve`, { method: 'POST', admin: true })).status).toBe(200);
  await waitForTask(second.id, (task) => task.status === 'failed');
  return second;
}

/** The id of the error notification of a task, once it is listed (polled, with a deadline). */
async function notificationIdOf(taskId: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await api('/v1/notifications?acknowledged=false&limit=100', { admin: true });
    const found = response.json.notifications.find((notification: { taskId: string; kind: string }) => notification.taskId === taskId && notification.kind === 'error');
    if (found) return found.id;
    if (Date.now() > deadline) throw new Error(`No error notification for task ${taskId}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `GET /v1/notifications` as admin, page by page, until `id` is found. */
async function findNotification(id: string): Promise<any> {
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const response = await api(`/v1/notifications?${new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) })}`, { admin: true });
    expect(response.status).toBe(200);
    const found = response.json.notifications.find((notification: { id: string }) => notification.id === id);
    if (found) return found;
    cursor = response.json.cursor;
    if (!cursor) break;
  }
  return undefined;
}

/** Approval emails for the task that reached the approver. */
const approvalEmailCount = async (id: string) => (await mailboxFor(APPROVER)).filter(isApprovalEmailOf(id)).length;

describe('GET /v1/tasks (list)', () => {
  let requester: Requester;
  let a: SignUp;
  let b: SignUp;
  let c: SignUp;
  const createdAt: Record<string, string> = {};
  const idsOf = (response: ApiResponse) => (response.json?.tasks ?? []).map((task: { id: string }) => task.id);

  beforeAll(async () => {
    requester = await someone('lister');
    a = await signUp('list-a', requester);
    b = await signUp('list-b', requester);
    c = await signUp('list-c', requester);
    for (const task of [a, b, c]) {
      await approvalEmailOf(task.id);
      createdAt[task.id] = (await waitForTask(task.id, () => true)).createdAt;
    }
    // a is rejected, b and c stay pending.
    expect((await api(`/v1/tasks/${a.id}/reject`, { method: 'POST', admin: true, json: { reason: 'Testing the status filter.' } })).status).toBe(200);
  });

  it('lists newest first, filtered by requester', async () => {
    const response = await api(`/v1/tasks?requester=${requester.sub}`, { admin: true });

    expect({ status: response.status, ids: idsOf(response) }).toStrictEqual({ status: 200, ids: [c.id, b.id, a.id] });
    expect(response.json.cursor).toBeUndefined();
    expect(response.json.tasks[0]).toMatchObject({ id: c.id, type: 'sign-up', status: 'pending', createdBy: { sub: requester.sub, email: requester.email, roles: [] } });
    expect(createdAt[c.id]! >= createdAt[b.id]! && createdAt[b.id]! >= createdAt[a.id]!).toBe(true);
  });

  it('lists every task newest first without any filter', async () => {
    const response = await api('/v1/tasks?limit=2', { admin: true });

    expect(response.status).toBe(200);
    expect(response.json.tasks).toHaveLength(2);
    expect(response.json.tasks[0].createdAt >= response.json.tasks[1].createdAt).toBe(true);
    expect(response.json.cursor).toStrictEqual(expect.any(String));
  });

  it('filters by status, type and creation time', async () => {
    const queries: Record<string, Record<string, string>> = {
      pending: { status: 'pending' },
      rejected: { status: 'rejected' },
      signUps: { type: 'sign-up' },
      resets: { type: 'reset-password' },
      pendingSignUps: { status: 'pending', type: 'sign-up' },
      onlyB: { createdFrom: createdAt[b.id]!, createdTo: createdAt[b.id]! },
      fromB: { createdFrom: createdAt[b.id]! },
      toB: { createdTo: createdAt[b.id]! },
    };

    const results = Object.fromEntries(
      await Promise.all(
        Object.entries(queries).map(async ([name, query]) => {
          const { status, ids } = await listAll({ requester: requester.sub, ...query });
          return [name, { status, ids }] as const;
        }),
      ),
    );
    const nobody = await listAll({ requester: `nobody-${unique()}`, createdFrom: createdAt[a.id]! });

    expect(results).toStrictEqual({
      pending: { status: 200, ids: [c.id, b.id] },
      rejected: { status: 200, ids: [a.id] },
      signUps: { status: 200, ids: [c.id, b.id, a.id] },
      resets: { status: 200, ids: [] },
      pendingSignUps: { status: 200, ids: [c.id, b.id] },
      onlyB: { status: 200, ids: [b.id] },
      fromB: { status: 200, ids: [c.id, b.id] },
      toB: { status: 200, ids: [b.id, a.id] },
    });
    expect(nobody).toMatchObject({ status: 200, ids: [] });
  });

  it('compares creation times as times: a whole-second createdFrom includes tasks created later in that second', async () => {
    // The API's own example time has no fractional seconds: 2026-11-23T10:00:00Z.
    const wholeSecond = `${createdAt[a.id]!.slice(0, 19)}Z`;

    const { status, ids } = await listAll({ requester: requester.sub, createdFrom: wholeSecond });

    expect({ createdFrom: wholeSecond, status, ids }).toStrictEqual({ createdFrom: wholeSecond, status: 200, ids: [c.id, b.id, a.id] });
  });

  it('pages with limit and cursor: no duplicates, no gaps', async () => {
    // With createdFrom as well, so this test is about the cursor only (queries without a time range are tested above).
    const query = { requester: requester.sub, createdFrom: createdAt[a.id]! };

    const first = await api(`/v1/tasks?${new URLSearchParams({ ...query, limit: '2' })}`, { admin: true });
    const rest = await listAll({ ...query, cursor: first.json?.cursor ?? '' }, 2);

    expect(first.status).toBe(200);
    expect(idsOf(first)).toStrictEqual([c.id, b.id]);
    expect(first.json.cursor).toStrictEqual(expect.any(String));
    expect(rest.status).toBe(200);
    expect(rest.ids).toStrictEqual([a.id]);
    expect(rest.pages.every((page) => page.json.tasks.length <= 2)).toBe(true);
  });

  it('answers bad query values with 400 problems naming query.<field>', async () => {
    const cases: [string, string, string][] = [
      ['limit=0', 'query.limit', 'Must be a number from 1 to 100'],
      ['limit=101', 'query.limit', 'Must be a number from 1 to 100'],
      ['limit=ten', 'query.limit', 'Must be a number from 1 to 100'],
      ['status=done', 'query.status', 'Invalid option: expected one of "pending"|"approved"|"awaiting_token"|"completed"|"rejected"|"cancelled"|"failed"|"expired"'],
      ['createdFrom=yesterday', 'query.createdFrom', 'Must be an ISO 8601 time, e.g. 2026-11-23T10:00:00Z'],
      ['createdTo=2026-13-45', 'query.createdTo', 'Must be an ISO 8601 time, e.g. 2026-11-23T10:00:00Z'],
      ['colour=blue', 'query.colour', 'Unknown field'],
    ];

    const responses = await Promise.all(cases.map(([query]) => api(`/v1/tasks?${query}`, { admin: true })));

    expect(responses.map((response) => [response.status, response.headers.get('content-type'), response.json.type, response.json.errors])).toStrictEqual(
      cases.map(([, path, message]) => [400, 'application/problem+json', `${PROBLEMS}validation-failed`, [{ path, message }]]),
    );
  });

  it('answers a cursor it did not issue with a 400 problem', async () => {
    const response = await api('/v1/tasks?cursor=not-a-cursor', { admin: true });

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ type: `${PROBLEMS}bad-request`, detail: 'The cursor is not one this API returned; start again without it.' });
  });

  it('answers a JWT without the admin role its own tasks only, in the requester view (200), and no JWT 401', async () => {
    // Prepare
    const member = await someone('member', ['member']);
    const own = await signUp('listed', member);
    await signUp('not-listed');
    // Its level is open (its approval email went): the view below shows it.
    await approvalEmailOf(own.id);

    // Act
    const listed = await api('/v1/tasks', { headers: bearer(member.jwt) });
    const anonymous = await api('/v1/tasks');

    // Assess
    expect([listed.status, listed.json]).toStrictEqual([
      200,
      {
        tasks: [
          {
            id: own.id,
            type: 'sign-up',
            status: 'pending',
            createdAt: expect.any(String),
            updatedAt: expect.any(String),
            actions: [{ name: 'new-project-with-user', data: { email: own.email, projectName: own.projectName } }],
            history: [
              { at: expect.any(String), event: 'created', status: 'pending' },
              { at: expect.any(String), event: 'level-opened', status: 'pending' },
            ],
            approval: { level: 'admins', levels: [{ name: 'admins', state: 'open', quorum: 1, approvals: 0 }] },
          },
        ],
      },
    ]);
    expect(anonymous.status).toBe(401);
  });
});

describe('GET /v1/tasks/{id} (detail)', () => {
  it('shows admins everything, the requester their view, and anyone else a 404', async () => {
    // Prepare
    const requester = await someone('reader');
    const stranger = await someone('stranger');
    const task = await signUp('detail', requester);
    await approvalEmailOf(task.id);
    await api(`/v1/tasks/${task.id}/notes`, { method: 'POST', admin: true, json: { note: 'Called the requester.' } });

    // Act
    const asAdmin = await api(`/v1/tasks/${task.id}`, { admin: true });
    const asRequester = await api(`/v1/tasks/${task.id}`, { headers: bearer(requester.jwt) });
    const asStranger = await api(`/v1/tasks/${task.id}`, { headers: bearer(stranger.jwt) });
    const missing = await api(`/v1/tasks/01ARZ3NDEKTSV4RRFFQ69G5FAV`, { headers: bearer(stranger.jwt) });
    const anonymous = await api(`/v1/tasks/${task.id}`);

    // Assess: admin view.
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.json).toMatchObject({
      id: task.id,
      type: 'sign-up',
      status: 'pending',
      createdBy: { sub: requester.sub, email: requester.email, roles: [] },
      waitingFor: 'approval',
      waitingSince: expect.any(String),
      notes: [],
      adminNotes: [{ at: expect.any(String), by: ADMIN, text: 'Called the requester.' }],
    });
    expect(asAdmin.json).not.toHaveProperty('wait');
    expect(asAdmin.json.actions).toStrictEqual([
      {
        name: 'new-project-with-user',
        data: { email: task.email, projectName: task.projectName },
        valid: true,
        autoApprove: null,
        needsToken: false,
        notes: [
          { at: expect.any(String), step: 'project-name-is-free', text: `Project name "${task.projectName}" is free.` },
          { at: expect.any(String), step: 'no-account-yet', text: `No account for ${task.email} yet.` },
        ],
        stored: {},
      },
    ]);
    const opened = asAdmin.json.history[1]?.at;
    expect(asAdmin.json.history).toStrictEqual([
      { at: asAdmin.json.createdAt, by: { kind: 'user', id: requester.sub }, event: 'created', from: null, to: 'pending' },
      { at: expect.any(String), by: { kind: 'system', id: 'system' }, event: 'level-opened', from: 'pending', to: 'pending', reason: 'Level admins opened: 1 of 1 approver(s) needed.' },
    ]);
    // Assess: who may approve (the default policy: any one admin, the seeded one), nobody has yet.
    expect(asAdmin.json.approval).toStrictEqual({
      level: 'admins',
      levels: [
        {
          name: 'admins',
          state: 'open',
          quorum: 1,
          approvals: 0,
          openedAt: opened,
          approvers: [{ email: ADMIN, via: 'role:admin' }],
          votes: [],
          reminders: { at: [], sent: [] },
          delegations: [],
        },
      ],
    });

    // Assess: the requester's view has no notes, no validity, no approver identities.
    expect(asRequester.status).toBe(200);
    expect(asRequester.json).toStrictEqual({
      id: task.id,
      type: 'sign-up',
      status: 'pending',
      createdAt: asAdmin.json.createdAt,
      updatedAt: asAdmin.json.updatedAt,
      actions: [{ name: 'new-project-with-user', data: { email: task.email, projectName: task.projectName } }],
      history: [
        { at: asAdmin.json.createdAt, event: 'created', status: 'pending' },
        { at: opened, event: 'level-opened', status: 'pending' },
      ],
      approval: { level: 'admins', levels: [{ name: 'admins', state: 'open', quorum: 1, approvals: 0 }] },
    });

    // Assess: anyone else cannot tell it from a task that does not exist.
    expect(asStranger.status).toBe(404);
    expect(asStranger.json).toMatchObject({ type: `${PROBLEMS}not-found`, detail: `There is no task ${task.id}.` });
    expect(missing.status).toBe(404);
    expect(anonymous.status).toBe(401);
  });
});

describe('PUT /v1/tasks/{id} (update)', () => {
  it('makes an invalid sign-up valid with a free name, without a second approval email', async () => {
    // Prepare: "taken" becomes a real project (approved sign-up), then a second sign-up asks for it.
    const first = await approvedSignUp('taken');
    const second = await signUp('second', undefined, { email: `second-${unique()}@example.com`, projectName: first.projectName });
    const approvalEmail = await approvalEmailOf(second.id);
    const freeName = `free-${unique()}`;

    // Act
    const refused = await api(`/v1/tasks/${second.id}/approve`, { method: 'POST', admin: true });
    const badData = await api(`/v1/tasks/${second.id}`, { method: 'PUT', admin: true, json: { data: { email: second.email, projectName: 'No Spaces' } } });
    const updated = await api(`/v1/tasks/${second.id}`, { method: 'PUT', admin: true, json: { data: { email: second.email, projectName: freeName } } });
    await sleep(1000);
    const approved = await api(`/v1/tasks/${second.id}/approve`, { method: 'POST', admin: true });
    const tokenEmail = await tokenEmailOf({ ...second, projectName: freeName });
    const updateAfterApproval = await api(`/v1/tasks/${second.id}`, { method: 'PUT', admin: true, json: { data: { email: second.email, projectName: freeName } } });

    // Assess: the approval email showed the problem; approving was refused, naming the action and why.
    expect(approvalEmail.body.text).toContain(`- new-project-with-user (INVALID)`);
    expect(approvalEmail.body.text).toContain(`note: Project name "${first.projectName}" is taken.`);
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({
      type: `${PROBLEMS}task-invalid`,
      status: 409,
      detail: `Task ${second.id} cannot be approved: new-project-with-user (Project name "${first.projectName}" is taken.). Update its data first.`,
      invalidActions: [{ name: 'new-project-with-user', notes: [`Project name "${first.projectName}" is taken.`] }],
    });
    expect(badData.status).toBe(400);
    expect(badData.json.errors).toStrictEqual([{ path: 'data.projectName', message: 'Use lowercase letters, digits and dashes' }]);

    // Assess: the update answers the new validity, and approval then works.
    expect(updated.status).toBe(200);
    expect(updated.json).toStrictEqual({
      id: second.id,
      status: 'pending',
      valid: true,
      actions: [
        {
          name: 'new-project-with-user',
          valid: true,
          notes: [
            { at: expect.any(String), step: 'project-name-is-free', text: `Project name "${first.projectName}" is taken.` },
            { at: expect.any(String), text: `Data updated by ${ADMIN}.` },
            { at: expect.any(String), step: 'project-name-is-free', text: `Project name "${freeName}" is free.` },
            { at: expect.any(String), step: 'no-account-yet', text: `No account for ${second.email} yet.` },
          ],
        },
      ],
    });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ id: second.id, status: 'approved', approvedBy: { kind: 'admin', id: ADMIN } });
    expect(tokenEmail.body.text).toContain(`Task: ${second.id}`);
    expect(updateAfterApproval.status).toBe(409);
    expect(updateAfterApproval.json.type).toBe(`${PROBLEMS}invalid-state`);

    // Assess: one approval email per approver, no first ("initial") email resent by the update.
    expect(await approvalEmailCount(second.id)).toBe(1);
    expect((await mailboxFor(second.email)).map((mail) => mail.subject)).toStrictEqual([`Choose your password for ${freeName}`]);
  });

  it('moves the duplicate key with the data: the old data is free for a new request, the new data is held', async () => {
    // Prepare
    const task = await signUp('moved');
    await approvalEmailOf(task.id);
    const newName = `moved-${unique()}`;

    // Act
    const updated = await api(`/v1/tasks/${task.id}`, { method: 'PUT', admin: true, json: { data: { email: task.email, projectName: newName } } });
    const oldData = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: { email: task.email, projectName: task.projectName } } });
    const newData = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: { email: task.email, projectName: newName } } });

    // Assess: no open task asks for the old data any more.
    expect(updated.status).toBe(200);
    expect({ status: oldData.status, body: oldData.json }).toStrictEqual({ status: 202, body: { id: expect.stringMatching(ULID), type: 'sign-up', status: 'pending' } });
    expect(newData.status).toBe(409);
    expect(newData.json).toMatchObject({ type: `${PROBLEMS}duplicate-task`, existingTaskId: task.id });
  });
});

describe('POST /v1/tasks/{id}/reject', () => {
  it('rejects with a reason, emails it to the requester, and answers later decisions with who and when', async () => {
    // Prepare
    const task = await signUp('rejected');
    await approvalEmailOf(task.id);
    const reason = `The project name breaks rule ${unique()}.`;

    // Act
    const noReason = await api(`/v1/tasks/${task.id}/reject`, { method: 'POST', admin: true, json: {} });
    const blankReason = await api(`/v1/tasks/${task.id}/reject`, { method: 'POST', admin: true, json: { reason: '   ' } });
    const rejected = await api(`/v1/tasks/${task.id}/reject`, { method: 'POST', admin: true, json: { reason } });
    const approveAfter = await api(`/v1/tasks/${task.id}/approve`, { method: 'POST', admin: true });
    const rejectAgain = await api(`/v1/tasks/${task.id}/reject`, { method: 'POST', admin: true, json: { reason: 'Again.' } });

    // Assess
    expect(noReason.status).toBe(400);
    expect(noReason.json.errors).toStrictEqual([{ path: 'reason', message: 'Required: why, for the requester' }]);
    expect(blankReason.status).toBe(400);
    expect(blankReason.json.errors).toStrictEqual([{ path: 'reason', message: expect.any(String) }]);
    expect(rejected.status).toBe(200);
    expect(rejected.json).toStrictEqual({ id: task.id, status: 'rejected', reason, approval: { level: 'admins', levels: [{ name: 'admins', state: 'rejected', quorum: 1, approvals: 0 }] } });
    const stored = await waitForTask(task.id, (t) => t.sentEmails.includes('rejected'));
    const decision = stored.history.at(-1);
    expect(decision).toStrictEqual({ at: expect.any(String), by: { kind: 'admin', id: ADMIN }, event: 'rejected', from: 'pending', to: 'rejected', reason });
    for (const again of [approveAfter, rejectAgain]) {
      expect(again.status).toBe(409);
      expect(again.json).toMatchObject({
        type: `${PROBLEMS}already-decided`,
        detail: `Task ${task.id} was already rejected by ${ADMIN} at ${decision.at}.`,
        decidedBy: ADMIN,
        decision: 'rejected',
      });
    }
    const email = await waitForEmail((mail) => mail.destination.to.includes(task.email) && mail.subject === 'Not approved: sign-up');
    expect(email.body.text).toContain(`Reason: ${reason}`);
    expect(email.body.text).toContain(`Task: ${task.id}`);
  });
});

describe('POST /v1/tasks/{id}/cancel', () => {
  it('cancels a pending task: its approval link says why, the requester is told, a second cancel is refused', async () => {
    // Prepare
    const task = await signUp('cancelled');
    const approvalLink = linkIn(await approvalEmailOf(task.id), 'approvals');

    // Act
    const cancelled = await api(`/v1/tasks/${task.id}/cancel`, { method: 'POST', admin: true, json: { reason: 'Asked twice by mistake.' } });
    const linkShown = await api(approvalLink);
    const linkUsed = await api(approvalLink, { method: 'POST', json: { decision: 'approve' } });
    const linkPage = await api(approvalLink, { headers: { accept: 'text/html' } });
    const again = await api(`/v1/tasks/${task.id}/cancel`, { method: 'POST', admin: true });
    const approveAfter = await api(`/v1/tasks/${task.id}/approve`, { method: 'POST', admin: true });

    // Assess
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toStrictEqual({ id: task.id, status: 'cancelled' });
    const stored = await waitForTask(task.id, (t) => t.sentEmails.includes('cancelled'));
    expect(stored.status).toBe('cancelled');
    expect(stored.history.at(-1)).toMatchObject({ by: { kind: 'admin', id: ADMIN }, event: 'cancelled', from: 'pending', to: 'cancelled', reason: 'Asked twice by mistake.' });
    for (const response of [linkShown, linkUsed]) {
      expect(response.status).toBe(410);
      expect(response.json).toMatchObject({ type: `${PROBLEMS}expired`, detail: 'This link no longer works: The task was cancelled.', taskId: task.id, taskStatus: 'cancelled' });
    }
    expect(linkPage.status).toBe(410);
    expect(linkPage.text).toContain('This link no longer works: The task was cancelled.');
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ type: `${PROBLEMS}invalid-state`, detail: `Task ${task.id} is cancelled and can no longer be cancelled.` });
    expect(approveAfter.status).toBe(409);
    expect(approveAfter.json).toMatchObject({ type: `${PROBLEMS}invalid-state`, detail: `Task ${task.id} is cancelled and can no longer be decided.` });
    const email = await waitForEmail((mail) => mail.destination.to.includes(task.email) && mail.subject === 'Cancelled: sign-up');
    expect(email.body.text).toContain('Reason: Asked twice by mistake.');
    expect(email.body.text).toContain(`Task: ${task.id}`);
  });
});

describe('compensation and failures on the data', () => {
  it('cancels a sign-up waiting for its token: its project and disabled account are removed, and the same name and address sign up again', async () => {
    // Prepare
    const task = await approvedSignUp('undone');

    // Act
    const cancelled = await api(`/v1/tasks/${task.id}/cancel`, { method: 'POST', admin: true, json: { reason: 'Changed their mind.' } });
    const undone = await waitForTask(task.id, (t) => t.compensation?.state === 'done');
    const again = await signUp('undone-again', undefined, { email: task.email, projectName: task.projectName });
    await approvalEmailOf(again.id);
    const approved = await api(`/v1/tasks/${again.id}/approve`, { method: 'POST', admin: true });
    const tokenEmail = await tokenEmailOf(again, linkIn(task.tokenEmail, 'tokens'));

    // Assess
    expect([cancelled.status, approved.status]).toStrictEqual([200, 200]);
    expect(undone.history.slice(-2).map((entry: { event: string }) => entry.event)).toStrictEqual(['cancelled', 'undone']);
    expect(undone.actions[0].notes.map((note: { text: string }) => note.text).slice(-2)).toStrictEqual([
      `Removed the disabled owner account ${task.email}.`,
      `Removed project p-${task.id.toLowerCase()} ("${task.projectName}").`,
    ]);
    expect(tokenEmail.destination.to).toStrictEqual([task.email]);
    expect((await waitForTask(again.id, (t) => t.status === 'awaiting_token')).actions[0].stored).toStrictEqual({ projectId: `p-${again.id.toLowerCase()}`, userCreated: true });
  });

  it('refuses to retry a sign-up that failed on its data (409) until an admin updates it; the retry then goes on', async () => {
    // Prepare: its project name was taken after it was validated.
    const task = await failedSignUp('on-data');
    const freeName = `free-${unique()}`;

    // Act
    const refused = await api(`/v1/tasks/${task.id}/retry`, { method: 'POST', admin: true });
    const updated = await api(`/v1/tasks/${task.id}`, { method: 'PUT', admin: true, json: { data: { email: task.email, projectName: freeName } } });
    const retried = await api(`/v1/tasks/${task.id}/retry`, { method: 'POST', admin: true });
    const tokenEmail = await tokenEmailOf({ ...task, projectName: freeName });

    // Assess
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ type: `${PROBLEMS}invalid-state`, status: 409, retryable: false, detail: expect.stringContaining('Update its data or cancel it.') });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ id: task.id, status: 'failed' });
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ id: task.id, status: 'approved' });
    expect(tokenEmail.destination.to).toStrictEqual([task.email]);
  });
});

describe('POST /v1/tasks/{id}/notes', () => {
  it('adds notes with the admin as author; an empty note is a field error', async () => {
    const task = await signUp('noted');

    const first = await api(`/v1/tasks/${task.id}/notes`, { method: 'POST', admin: true, json: { note: 'Checked the company register.' } });
    const second = await api(`/v1/tasks/${task.id}/notes`, { method: 'POST', admin: true, json: { note: 'Looks fine.' } });
    const empty = await api(`/v1/tasks/${task.id}/notes`, { method: 'POST', admin: true, json: { note: '' } });
    const member = await someone('member', ['member']);
    const forbidden = await api(`/v1/tasks/${task.id}/notes`, { method: 'POST', headers: bearer(member.jwt), json: { note: 'Hi.' } });

    expect(first.status).toBe(200);
    expect(first.json).toStrictEqual({ id: task.id, adminNotes: [{ at: expect.any(String), by: ADMIN, text: 'Checked the company register.' }] });
    expect(second.json.adminNotes.map((note: { text: string }) => note.text)).toStrictEqual(['Checked the company register.', 'Looks fine.']);
    expect(empty.status).toBe(400);
    expect(empty.json.errors).toStrictEqual([{ path: 'note', message: expect.any(String) }]);
    expect(forbidden.status).toBe(403);
    const stored = await waitForTask(task.id, () => true);
    expect(stored.adminNotes).toStrictEqual(second.json.adminNotes);
  });
});

describe('POST /v1/tasks/{id}/token (reissue)', () => {
  it('emails a new token; the old link says it was replaced; the new one completes the task', async () => {
    // Prepare
    const task = await approvedSignUp('reissue');
    const oldLink = linkIn(task.tokenEmail, 'tokens');
    await waitForTask(task.id, (t) => t.status === 'awaiting_token' && t.sentEmails.includes('token'));
    const pending = await signUp('not-waiting');

    // Act
    const reissued = await api(`/v1/tasks/${task.id}/token`, { method: 'POST', admin: true });
    const newEmail = await tokenEmailOf(task, oldLink);
    const newLink = linkIn(newEmail, 'tokens');
    const oldShown = await api(oldLink);
    const oldUsed = await api(oldLink, { method: 'POST', json: { password: 'an old link password' } });
    const done = await api(newLink, { method: 'POST', json: { password: 'a new link password' } });
    const notWaiting = await api(`/v1/tasks/${pending.id}/token`, { method: 'POST', admin: true });

    // Assess
    expect(reissued.status).toBe(200);
    expect(reissued.json).toStrictEqual({ id: task.id, status: 'awaiting_token', detail: 'A new token was emailed; the old link no longer works.' });
    expect(newLink).not.toBe(oldLink);
    expect(newEmail.body.text).toContain(`Task: ${task.id}`);
    for (const response of [oldShown, oldUsed]) {
      expect(response.status).toBe(410);
      expect(response.json).toMatchObject({ type: `${PROBLEMS}expired`, detail: 'This link no longer works: A newer link was sent.', taskId: task.id });
    }
    expect(done.status).toBe(200);
    expect(done.json).toStrictEqual({ id: task.id, status: 'completed' });
    const completed = await waitForTask(task.id, (t) => t.sentEmails.includes('completed'));
    expect(completed.notes).toStrictEqual([{ at: expect.any(String), text: `Token reissued by ${ADMIN}.` }]);
    expect(notWaiting.status).toBe(409);
    expect(notWaiting.json).toMatchObject({ type: `${PROBLEMS}invalid-state`, detail: `Task ${pending.id} is pending; only a task waiting for its token can get a new one.` });
  });
});

describe('duplicate requests', () => {
  it('refuses a second identical sign-up (policy reject), naming the open task', async () => {
    const first = await signUp('twice');

    const second = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: { email: first.email, projectName: first.projectName } } });

    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({
      type: `${PROBLEMS}duplicate-task`,
      status: 409,
      detail: `An identical sign-up request is already open: task ${first.id}.`,
      existingTaskId: first.id,
    });
  });

  it('drops a repeat reset-password within its 5-minute window (one email per window), naming the older task; the first link still works', async () => {
    // Prepare: an enabled account, and a first reset waiting for its token.
    const account = await completedSignUp('resetter');
    const since = new Date(Date.now() - 1000).toISOString();
    const resetsOf = async () =>
      (await listAll({ type: 'reset-password', createdFrom: since })).pages
        .flatMap((page) => page.json.tasks)
        .filter((task: any) => task.actions[0].data.email === account.email)
        .map((task: any) => task.id as string);
    const request = () => api('/v1/tasks', { method: 'POST', json: { type: 'reset-password', data: { email: account.email } } });
    expect((await request()).status).toBe(202);
    const firstEmail = await waitForEmail((mail) => mail.destination.to.includes(account.email) && mail.subject === 'Reset your password');
    const [older] = await resetsOf();

    // Act
    const again = await request();
    const [newer] = await resetsOf();
    const dropped = await waitForTask(newer!, (t) => t.status === 'cancelled');
    const done = await api(linkIn(firstEmail, 'tokens'), { method: 'POST', json: { password: 'the newest password' } });

    // Assess
    expect(again.status).toBe(202);
    expect(newer).not.toBe(older);
    const olderTask = await waitForTask(older!, () => true);
    expect(dropped.history.at(-1)).toStrictEqual({
      at: expect.any(String),
      by: { kind: 'system', id: 'system' },
      event: 'dropped-as-duplicate',
      from: 'pending',
      to: 'cancelled',
      reason: `An identical request, task ${older}, was made at ${olderTask.createdAt}; its email stands and no other is sent.`,
    });
    expect(done.json).toStrictEqual({ id: older, status: 'completed' });
    expect((await mailboxFor(account.email)).filter((mail) => mail.subject === 'Reset your password')).toHaveLength(1);
  });
});

describe('Idempotency-Key on POST /v1/tasks', () => {
  it('replays the first answer for the same key and body, and creates one task', async () => {
    const requester = await someone('idem');
    const since = new Date(Date.now() - 1000).toISOString();
    const key = randomUUID();
    const body = { type: 'sign-up', data: { email: `idem-${unique()}@example.com`, projectName: `idem-${unique()}` } };
    const post = (json: unknown) => api('/v1/tasks', { method: 'POST', json, headers: { ...bearer(requester.jwt), 'idempotency-key': key } });

    const first = await post(body);
    const second = await post(body);
    const otherBody = await post({ ...body, data: { ...body.data, projectName: `other-${unique()}` } });

    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.status).toBe(first.status);
    expect(second.json).toStrictEqual(first.json);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('location')).toBe(`/v1/tasks/${first.json.id}`);
    expect(otherBody.status).toBe(422);
    expect(otherBody.headers.get('content-type')).toBe('application/problem+json');
    expect(otherBody.json).toMatchObject({ type: `${PROBLEMS}idempotency-key-reused`, status: 422 });
    expect(await tasksOf('sign-up', requester, since)).toStrictEqual([first.json.id]);
    await approvalEmailOf(first.json.id);
    expect(await approvalEmailCount(first.json.id)).toBe(1);
  });

  it('creates exactly one task from 10 concurrent requests with one key', async () => {
    // update-email's duplicate policy is cancel-older: without the key, 10 requests would make 10 tasks.
    const requester = await someone('burst');
    const since = new Date(Date.now() - 1000).toISOString();
    const key = randomUUID();
    const body = { type: 'update-email', data: { newEmail: `burst-new-${unique()}@example.com` } };
    const post = () => api('/v1/tasks', { method: 'POST', json: body, headers: { ...bearer(requester.jwt), 'idempotency-key': key } });

    const responses = await Promise.all(Array.from({ length: 10 }, post));
    const later = await post();

    const created = responses.filter((response) => response.status === 202);
    const busy = responses.filter((response) => response.status !== 202);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.map((response) => response.json)).toStrictEqual(created.map(() => ({ id: expect.stringMatching(ULID), type: 'update-email', status: 'pending' })));
    expect(new Set(created.map((response) => response.json.id)).size).toBe(1);
    expect(busy.map((response) => [response.status, response.json.type])).toStrictEqual(busy.map(() => [409, `${PROBLEMS}concurrent-update`]));
    expect(later.status).toBe(202);
    expect(later.json).toStrictEqual(created[0]!.json);
    expect(later.headers.get('idempotent-replayed')).toBe('true');
    expect(await tasksOf('update-email', requester, since)).toStrictEqual([created[0]!.json.id]);
  });

  it('refuses a malformed key with a field error', async () => {
    const response = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: {} }, headers: { 'idempotency-key': 'short' } });

    expect(response.status).toBe(400);
    expect(response.json.errors).toStrictEqual([{ path: 'headers.idempotency-key', message: 'Must be 8 to 255 visible ASCII characters, e.g. a UUID' }]);
  });
});

describe('self-approval', () => {
  it('leaves an admin who asks out of the approvers (no link, their vote refused with 403); another admin approves', async () => {
    // Prepare: a second admin account in the pool, signed in, asks for a project; the seeded admin
    // is then the level's only approver. The account leaves group admin again at the end, so the
    // other tests' levels keep the seeded admin as their only approver.
    const selfAdmin = await freshAccount('selfadmin', { roles: ['admin'] });
    try {
      const task = await signUp('self', selfAdmin);
      await approvalEmailOf(task.id);

      // Act
      const own = await api(`/v1/tasks/${task.id}/approve`, { method: 'POST', headers: bearer(selfAdmin.jwt) });
      const ownReject = await api(`/v1/tasks/${task.id}/reject`, { method: 'POST', headers: bearer(selfAdmin.jwt), json: { reason: 'Mine.' } });
      const waiting = await waitForTask(task.id, () => true);
      const other = await api(`/v1/tasks/${task.id}/approve`, { method: 'POST', admin: true });

      // Assess
      expect([own.status, own.json]).toStrictEqual([403, ownVoteRefused(task.id, 'approve')]);
      expect([ownReject.status, ownReject.json]).toStrictEqual([403, ownVoteRefused(task.id, 'reject')]);
      expect(waiting.approval.levels[0].approvers).toStrictEqual([{ email: ADMIN, via: 'role:admin' }]);
      expect(waiting.history.map((entry: { event: string }) => entry.event)).toStrictEqual(['created', 'level-opened']);
      expect((await mailboxFor(selfAdmin.email)).filter(isApprovalEmailOf(task.id, selfAdmin.email))).toStrictEqual([]);
      expect(other.status).toBe(200);
      expect(other.json).toMatchObject({ id: task.id, status: 'approved', approvedBy: { kind: 'admin', id: ADMIN } });
    } finally {
      // The account has no project, so revokeRoles has no project to check.
      await localDirectory(endpoints()).revokeRoles(selfAdmin.email, 'no-project', ['admin']);
    }
  });
});

describe('notifications and status', () => {
  it('lists and emails an error notification to the operators (none for a request waiting for approval), and acknowledges one or several', async () => {
    // Prepare
    const task = await failedSignUp('notified');
    const other = await failedSignUp('notified-too');
    const waiting = await signUp('notified-waiting');
    const id = await notificationIdOf(task.id);
    const otherId = await notificationIdOf(other.id);
    // The local stack's operators (local/config.ts): notifications go to them, not to approvers.
    const email = await waitForEmail((mail) => mail.destination.to.includes('operator@assent.local') && mail.subject === `Error - sign-up ${task.id}`);
    await approvalEmailOf(waiting.id);
    const aboutWaiting = (await api('/v1/notifications?limit=100', { admin: true })).json.notifications.filter((n: { taskId: string }) => n.taskId === waiting.id);

    // Act
    const listed = await findNotification(id);
    const read = await api(`/v1/notifications/${id}`, { admin: true });
    const acknowledged = await api(`/v1/notifications/${id}/acknowledge`, { method: 'POST', admin: true });
    const bulk = await api('/v1/notifications/acknowledge', { method: 'POST', admin: true, json: { ids: [otherId, id, 'unknown-id'] } });
    const unknown = await api('/v1/notifications/unknown-id', { admin: true });
    const unacknowledged = await api('/v1/notifications?acknowledged=false&limit=100', { admin: true });

    // Assess
    expect(aboutWaiting).toStrictEqual([]);
    expect(email.body.text).toContain(`Task ${task.id} (sign-up) failed in AwaitToken.`);
    expect(listed).toStrictEqual({
      id,
      taskId: task.id,
      taskType: 'sign-up',
      kind: 'error',
      error: true,
      message: `Task ${task.id} (sign-up) failed in AwaitToken. Retrying the same data would fail again: update its data (PUT /v1/tasks/${task.id}) and retry it, or cancel it.`,
      detail: expect.stringContaining('InvalidTaskError'),
      createdAt: expect.any(String),
      acknowledged: false,
      emailedAt: expect.any(String),
    });
    expect(read.json).toStrictEqual(listed);
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.json).toStrictEqual({ ...listed, acknowledged: true, acknowledgedAt: expect.any(String), acknowledgedBy: ADMIN });
    expect(bulk.status).toBe(200);
    expect(bulk.json).toStrictEqual({ acknowledged: [otherId, id], unknown: ['unknown-id'] });
    expect(unknown.status).toBe(404);
    expect(unacknowledged.json.notifications.map((n: { id: string }) => n.id)).not.toContain(id);
    expect(unacknowledged.json.notifications.map((n: { id: string }) => n.id)).not.toContain(otherId);
    expect((await api(`/v1/notifications/${otherId}`, { admin: true })).json).toMatchObject({ acknowledged: true, acknowledgedBy: ADMIN });
  });

  it('answers counts per status, the last created and completed tasks, and unacknowledged errors', async () => {
    const completed = await completedSignUp('status');
    const done = await waitForTask(completed.id, () => true);
    const pending = await signUp('status-pending');
    const created = await waitForTask(pending.id, () => true);

    const response = await api('/v1/status', { admin: true });
    const member = await someone('member', ['member']);
    const forbidden = await api('/v1/status', { headers: bearer(member.jwt) });

    expect(response.status).toBe(200);
    const { counts, lastCreated, lastCompleted, unacknowledgedErrors } = response.json;
    expect(Object.keys(counts).sort()).toStrictEqual(['approved', 'awaiting_token', 'cancelled', 'completed', 'expired', 'failed', 'pending', 'rejected']);
    expect(Object.values(counts).every((count) => typeof count === 'number' && Number.isInteger(count) && count >= 0)).toBe(true);
    expect(counts.pending).toBeGreaterThanOrEqual(1);
    expect(counts.completed).toBeGreaterThanOrEqual(1);
    expect(lastCreated).toStrictEqual({ id: expect.stringMatching(ULID), type: expect.any(String), status: expect.any(String), createdAt: expect.any(String) });
    expect(lastCreated.createdAt >= created.createdAt).toBe(true);
    expect(lastCompleted).toStrictEqual({ id: expect.stringMatching(ULID), type: expect.any(String), status: 'completed', createdAt: expect.any(String), completedAt: expect.any(String) });
    expect(lastCompleted.completedAt >= done.completedAt).toBe(true);
    expect(Array.isArray(unacknowledgedErrors)).toBe(true);
    expect(unacknowledgedErrors.every((n: { error: boolean; acknowledged: boolean }) => n.error && !n.acknowledged)).toBe(true);
    expect(forbidden.status).toBe(403);
  });
});

describe('GET /v1/tokens and DELETE /v1/tokens/expired', () => {
  it('lists tokens with their state and never a secret', async () => {
    // Prepare: one token used, one replaced, one live.
    const used = await completedSignUp('tokens-used');
    const replaced = await approvedSignUp('tokens-replaced');
    await waitForTask(replaced.id, (t) => t.sentEmails.includes('token'));
    await api(`/v1/tasks/${replaced.id}/token`, { method: 'POST', admin: true });
    await tokenEmailOf(replaced, linkIn(replaced.tokenEmail, 'tokens'));

    // Act
    const response = await api('/v1/tokens?limit=100', { admin: true });
    const member = await someone('member', ['member']);
    const forbidden = await api('/v1/tokens', { headers: bearer(member.jwt) });
    const secrets = secretsIn(await mailbox());

    // Assess
    expect(response.status).toBe(200);
    const tokensOf = (taskId: string) => response.json.tokens.filter((token: { taskId: string }) => token.taskId === taskId);
    expect(tokensOf(used.id)).toStrictEqual([
      { id: expect.stringMatching(/^[0-9a-f]{12}$/), taskId: used.id, state: 'used', createdAt: expect.any(String), validUntil: expect.any(String), usedAt: expect.any(String) },
    ]);
    expect(tokensOf(replaced.id)).toStrictEqual([
      { id: expect.any(String), taskId: replaced.id, state: 'live', createdAt: expect.any(String), validUntil: expect.any(String) },
      {
        id: expect.any(String),
        taskId: replaced.id,
        state: 'revoked',
        createdAt: expect.any(String),
        validUntil: expect.any(String),
        revokedReason: 'A newer link was sent.',
      },
    ]);
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    expect(secrets.filter((secret) => response.text.includes(secret))).toStrictEqual([]);
    // Nothing shaped like a secret in the tokens listed (the page's cursor, when there is one, is long base64 too).
    expect(JSON.stringify(response.json.tokens)).not.toMatch(/[A-Za-z0-9_-]{43}/);
    expect(forbidden.status).toBe(403);
  });

  it('deletes expired tokens and says how many', async () => {
    const response = await api('/v1/tokens/expired', { method: 'DELETE', admin: true });
    const anonymous = await api('/v1/tokens/expired', { method: 'DELETE' });

    expect(response.status).toBe(200);
    expect(response.json).toStrictEqual({ deleted: expect.any(Number) });
    expect(Number.isInteger(response.json.deleted) && response.json.deleted >= 0).toBe(true);
    expect(anonymous.status).toBe(401);
  });
});
