import { randomUUID } from 'node:crypto';
import { api, type ApiResponse, executionCost, linkIn, mailboxFor, tokenFor, unique, waitForEmail, waitForTask } from '../support/stack.ts';

/**
 * Races at the scale of a busy morning, through the local stack: many people (and one eager
 * browser) acting on one task at once. Whatever the interleaving, one decision wins, the work after
 * it runs once, and every loser is told who won and when.
 */
/** The default approval policy's only approver (any one admin): the seeded admin. */
const APPROVER = 'admin@assent.local';
const PROBLEMS = 'https://assent.dev/problems/';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

/** The states the task's execution entered (every type: its transitions), in order, from the runner's execution history. */
const statesEntered = async (executionArn: string): Promise<string[]> => (await executionCost(executionArn)).states;

async function signUp(name: string): Promise<{ id: string; email: string; projectName: string }> {
  const suffix = unique();
  const data = { email: `${name}-${suffix}@example.com`, projectName: `${name}-${suffix}` };
  const created = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data } });
  expect(created.status).toBe(202);
  return { id: created.json.id, ...data };
}

const countBy = (responses: readonly ApiResponse[]) =>
  responses.reduce<Record<number, number>>((counts, response) => ({ ...counts, [response.status]: (counts[response.status] ?? 0) + 1 }), {});

describe('200 concurrent approvals of one task, through the admin API and the emailed link', () => {
  it('approves once, runs postApprove once, sends one token email, and tells the 199 others who decided and when', async () => {
    // Prepare: a sign-up waiting for approval and its emailed link. The one approver (the seeded
    // admin) votes through the link and through the API at once, as a double-clicking browser and a
    // script would: one vote counts.
    const task = await signUp('race');
    const approvalEmail = await waitForEmail((mail) => mail.destination.to.includes(APPROVER) && mail.subject === `Approval needed: sign-up ${task.id}`);
    const link = linkIn(approvalEmail, 'approvals');
    const viaLink = () =>
      api(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: 'decision=approve&reason=' });
    const viaApi = () => api(`/v1/tasks/${task.id}/approve`, { method: 'POST', admin: true });

    // Act: 100 link posts and 100 API approvals, interleaved, all in flight at once.
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? viaLink() : viaApi())));

    // Assess: one winner.
    const winners = responses.filter((response) => response.status === 200);
    const losers = responses.filter((response) => response.status !== 200);
    expect(countBy(responses)).toStrictEqual({ 200: 1, 409: 199 });
    const winner = winners[0]!;
    expect(winner.json).toMatchObject({ id: task.id, status: 'approved' });

    // Assess: every loser names the winner and the moment (the same for all of them), at its own path.
    const decided = await waitForTask(task.id, (t) => t.waitingFor === 'token');
    const approvals = decided.history.filter((entry: { event: string }) => entry.event === 'approved');
    expect(approvals).toHaveLength(1);
    const { by, at } = approvals[0];
    expect(decided.approvedBy).toStrictEqual(by);
    expect(losers.map((response) => response.headers.get('content-type'))).toStrictEqual(losers.map(() => 'application/problem+json'));
    expect(new Set(losers.map((response) => response.json.instance))).toStrictEqual(new Set([link, `/v1/tasks/${task.id}/approve`]));
    const withoutPathAndStatus = new Set(losers.map(({ json: { instance: _instance, taskStatus: _status, ...rest } }) => JSON.stringify(rest)));
    expect([...withoutPathAndStatus].map((text) => JSON.parse(text))).toStrictEqual([
      {
        type: `${PROBLEMS}already-decided`,
        title: 'The task has already been decided',
        status: 409,
        detail: `Task ${task.id} was already approved by ${by.id} at ${at}.`,
        taskId: task.id,
        decidedBy: by.id,
        decidedAt: at,
        decision: 'approved',
      },
    ]);
    expect(losers.filter((response) => !['approved', 'awaiting_token'].includes(response.json.taskStatus))).toStrictEqual([]);

    // Assess: the work after approval ran once, and the user got exactly one token email.
    const tokenEmail = await waitForEmail((mail) => mail.destination.to.includes(task.email) && mail.subject === `Choose your password for ${task.projectName}`);
    expect(tokenEmail.body.text).toContain(`Task: ${task.id}`);
    expect(await statesEntered(decided.executionArn)).toStrictEqual(['AwaitApproval', 'AwaitToken']);
    expect((await mailboxFor(task.email)).filter((mail) => mail.subject === `Choose your password for ${task.projectName}`)).toHaveLength(1);
  }, 120_000);
});

describe('200 concurrent submits of one token', () => {
  it('completes the task once and refuses the 199 others', async () => {
    // Prepare: a sign-up approved and waiting for its token.
    const task = await signUp('submit-race');
    await waitForEmail((mail) => mail.destination.to.includes(APPROVER) && mail.subject === `Approval needed: sign-up ${task.id}`);
    expect((await api(`/v1/tasks/${task.id}/approve`, { method: 'POST', admin: true })).status).toBe(200);
    const tokenEmail = await waitForEmail((mail) => mail.destination.to.includes(task.email) && mail.subject === `Choose your password for ${task.projectName}`);
    const link = linkIn(tokenEmail, 'tokens');

    // Act: 200 submits of one token, each with a password of its own.
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => api(link, { method: 'POST', json: { password: `password number ${i} is long` } })));

    // Assess: one completion; 199 refusals: while the winner completes the task, 409 with Retry-After
    // (its submit is still being handled); once it has, 404 saying when the link was used (one moment for all).
    const completed = responses.filter((response) => response.status === 200);
    const refused = responses.filter((response) => response.status !== 200);
    expect(completed.map((response) => response.json)).toStrictEqual([{ id: task.id, status: 'completed' }]);
    expect(refused.filter((response) => !(response.status === 404 || (response.status === 409 && response.headers.get('retry-after') === '2')))).toStrictEqual([]);
    expect(refused).toHaveLength(199);
    const used = refused.filter((response) => response.status === 404);
    const held = refused.filter((response) => response.status === 409);
    expect(new Set(held.map((response) => `${response.json.type} ${response.json.taskId} ${response.json.detail}`))).toStrictEqual(
      new Set(held.length === 0 ? [] : [`${PROBLEMS}concurrent-update ${task.id} This link was just submitted and its submit is still being handled; retry in a moment.`]),
    );
    // A client told to retry: the link is used now.
    const again = await api(link, { method: 'POST', json: { password: 'a retry after the answer 409' } });
    const usedAt = new Set([...used, again].map((response) => /^This link was already used at (\S+); the task is (?:awaiting_token|completed)\.$/.exec(response.json.detail)?.[1]));
    expect(usedAt.size).toBe(1);
    expect([...usedAt][0]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(new Set([...used, again].map((response) => `${response.status} ${response.json.type} ${response.json.taskId}`))).toStrictEqual(new Set([`404 ${PROBLEMS}not-found ${task.id}`]));

    // Assess: the submit stage and the completion ran once.
    const done = await waitForTask(task.id, (t) => t.sentEmails.includes('completed'));
    expect(done.history.filter((entry: { event: string }) => entry.event === 'completed')).toHaveLength(1);
    // Emails are at least once: a second completed email only where the task recorded that a run of
    // Complete could not know whether the first went (docs/workflow.md, "When something fails"): under
    // load the local runner may run the step again.
    // The mailbox first, then the task: a resend is recorded before its email goes.
    const subjects = (await mailboxFor(task.email)).map((mail) => mail.subject);
    const now = (await api(`/v1/tasks/${task.id}`, { admin: true })).json;
    const resent = (now.resentEmails ?? []).filter((resend: { stage: string }) => resend.stage === 'completed').length;
    expect(subjects).toStrictEqual([
      `Choose your password for ${task.projectName}`,
      ...Array.from({ length: 1 + resent }, () => `Your project ${task.projectName} is ready`),
    ]);
    expect(await statesEntered(done.executionArn)).toStrictEqual(['AwaitApproval', 'AwaitToken', 'Complete']);
  }, 120_000);
});

describe('50 concurrent identical creates with one Idempotency-Key', () => {
  it('creates one task; every answer is that task or a busy 409, and a later retry replays it', async () => {
    // Prepare: update-email's duplicate policy is cancel-older, so without the key 50 requests would make 50 tasks.
    const suffix = unique();
    const sub = `idem50-${suffix}`;
    const jwt = await tokenFor({ sub, email: `${sub}@example.com`, roles: [] });
    const key = randomUUID();
    const since = new Date(Date.now() - 1000).toISOString();
    const body = { type: 'update-email', data: { newEmail: `idem50-new-${suffix}@example.com` } };
    const post = () => api('/v1/tasks', { method: 'POST', json: body, headers: { ...bearer(jwt), 'idempotency-key': key } });

    // Act
    const responses = await Promise.all(Array.from({ length: 50 }, post));
    const later = await post();

    // Assess
    const created = responses.filter((response) => response.status === 202);
    const busy = responses.filter((response) => response.status !== 202);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((response) => response.json.id)).size).toBe(1);
    expect(created[0]!.json).toStrictEqual({ id: expect.stringMatching(ULID), type: 'update-email', status: 'pending' });
    expect(busy.map((response) => [response.status, response.json.type])).toStrictEqual(busy.map(() => [409, `${PROBLEMS}concurrent-update`]));
    expect(later.json).toStrictEqual(created[0]!.json);
    expect(later.headers.get('idempotent-replayed')).toBe('true');
    const listed = await api(`/v1/tasks?${new URLSearchParams({ type: 'update-email', requester: sub, createdFrom: since, limit: '100' })}`, { admin: true });
    expect(listed.json.tasks.map((t: { id: string }) => t.id)).toStrictEqual([created[0]!.json.id]);
  }, 60_000);
});
