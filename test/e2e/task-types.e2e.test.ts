import { api, executionCost, linkIn, mailboxFor, signIn, unique, waitForEmail, waitForTask } from '../support/stack.ts';

/** Every path through the state machine: no routing states, three steps (docs/workflow.md, "The state machine"). */
const THROUGH = { states: ['AwaitApproval', 'AwaitToken', 'Complete'], invocations: 3 };

/**
 * Both example task types through the local stack, the way people use them: requests over HTTP,
 * links read from the emails in the SES emulator's mailbox, pages fetched like a browser would.
 */
/** The default approval policy's only approver (any one admin): the seeded admin. */
const APPROVER = 'admin@assent.local';

async function signUp(email: string, projectName: string): Promise<string> {
  const created = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: { email, projectName } } });
  expect(created.status).toBe(202);
  expect(created.json).toStrictEqual({ id: expect.stringMatching(/^[0-9A-Z]{26}$/), type: 'sign-up', status: 'pending' });
  expect(created.headers.get('location')).toBe(`/v1/tasks/${created.json.id}`);
  return created.json.id;
}

describe('sign-up, approved through the emailed link', () => {
  it('goes from request to completed through the approval link and the token link', async () => {
    // Prepare
    const suffix = unique();
    const email = `ann-${suffix}@example.com`;
    const id = await signUp(email, `apollo-${suffix}`);

    // Act 1: the approver opens the emailed link (GET changes nothing), then approves.
    const approvalEmail = await waitForEmail((mail) => mail.destination.to.includes(APPROVER) && mail.subject === `Approval needed: sign-up ${id}`);
    const approvalLink = linkIn(approvalEmail, 'approvals');
    const page = await api(approvalLink, { headers: { accept: 'text/html' } });
    const asJson = await api(approvalLink);
    const decided = await api(approvalLink, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'decision=approve&reason=',
    });

    // Assess 1
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<button name="decision" value="approve" type="submit">Approve</button>');
    expect(asJson.json.task).toMatchObject({ id, type: 'sign-up', status: 'pending' });
    expect(decided.status).toBe(200);
    expect(decided.json).toStrictEqual({ id, status: 'approved' });

    // Act 2: the user gets the token email and sets a password.
    const tokenEmail = await waitForEmail((mail) => mail.destination.to.includes(email) && mail.subject === `Choose your password for apollo-${suffix}`);
    const tokenLink = linkIn(tokenEmail, 'tokens');
    const tokenInfo = await api(tokenLink);
    const form = await api(tokenLink, { headers: { accept: 'text/html' } });
    const tooShort = await api(tokenLink, { method: 'POST', json: { password: 'short' } });
    const submitted = await api(tokenLink, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'password=correct+horse+battery+staple',
    });
    const reused = await api(tokenLink, { method: 'POST', json: { password: 'correct horse battery staple' } });

    // Assess 2
    expect(tokenEmail.body.text).toContain(`Task: ${id}`);
    expect(tokenInfo.json).toMatchObject({ taskType: 'sign-up', taskId: id, fields: ['password'] });
    // The form labels and limits the field from the token's JSON Schema (12 to 256 characters).
    expect(form.text).toContain('<label for="field-password">Password</label><span class="hint" id="field-password-hint">At least 12 characters, at most 256.</span>');
    expect(form.text).toContain(
      '<input id="field-password" name="password" type="password" required minlength="12" maxlength="256" pattern="^\\P{Cc}*$" autocomplete="new-password" aria-describedby="field-password-hint">',
    );
    expect(tooShort.status).toBe(400);
    expect(tooShort.json.errors).toStrictEqual([{ path: 'password', message: 'Use at least 12 characters' }]);
    expect(submitted.status).toBe(200);
    expect(submitted.json).toStrictEqual({ id, status: 'completed' });
    expect(reused.status).toBe(404);
    expect(reused.headers.get('content-type')).toBe('application/problem+json');
    expect(reused.json.detail).toMatch(/^This link was already used at .+; the task is completed\.$/);

    const task = await waitForTask(id, (t) => t.sentEmails.includes('completed'));
    expect(task.status).toBe('completed');
    expect(task.approvedBy).toStrictEqual({ kind: 'approver', id: APPROVER });
    // The vote that approved the task is told by the approval's own entry.
    expect(task.history.map((entry: { event: string }) => entry.event)).toStrictEqual(['created', 'level-opened', 'approved', 'token-issued', 'completed']);
    expect(task.history[2]).toStrictEqual({
      at: task.approvedAt,
      by: { kind: 'approver', id: APPROVER },
      event: 'approved',
      from: 'pending',
      to: 'approved',
      reason: `Level admins: approve by ${APPROVER} via link (1 of 1 approvals).`,
    });
    const completedEmail = await waitForEmail((mail) => mail.destination.to.includes(email) && mail.subject === `Your project apollo-${suffix} is ready`);
    expect(completedEmail.body.text).toContain(`Task: ${id}`);
    expect(await executionCost(task.executionArn, { ended: true })).toStrictEqual(THROUGH);
  });
});

describe('sign-up, approved through the admin API', () => {
  it('approves with the admin JWT; a second approval is told who approved and when', async () => {
    const suffix = unique();
    const email = `bea-${suffix}@example.com`;
    const id = await signUp(email, `hermes-${suffix}`);
    await waitForEmail((mail) => mail.subject === `Approval needed: sign-up ${id}`);

    const anonymous = await api(`/v1/tasks/${id}/approve`, { method: 'POST' });
    const approved = await api(`/v1/tasks/${id}/approve`, { method: 'POST', admin: true });
    const again = await api(`/v1/tasks/${id}/approve`, { method: 'POST', admin: true });

    expect(anonymous.status).toBe(401);
    expect(approved.status).toBe(200);
    expect(approved.json).toStrictEqual({
      id,
      status: 'approved',
      approvedBy: { kind: 'admin', id: 'admin@assent.local' },
      approvedAt: expect.any(String),
      approval: { level: 'admins', levels: [{ name: 'admins', state: 'approved', quorum: 1, approvals: 1 }] },
    });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({
      type: 'https://assent.dev/problems/already-decided',
      status: 409,
      detail: `Task ${id} was already approved by admin@assent.local at ${approved.json.approvedAt}.`,
      decidedBy: 'admin@assent.local',
    });
    const tokenEmail = await waitForEmail((mail) => mail.destination.to.includes(email) && mail.subject === `Choose your password for hermes-${suffix}`);
    const done = await api(linkIn(tokenEmail, 'tokens'), { method: 'POST', json: { password: 'another long password' } });
    expect(done.json).toStrictEqual({ id, status: 'completed' });
  });

  it('a used approval link says who decided and when, and never a 5xx', async () => {
    const suffix = unique();
    const id = await signUp(`cy-${suffix}@example.com`, `ares-${suffix}`);
    const approvalEmail = await waitForEmail((mail) => mail.subject === `Approval needed: sign-up ${id}`);
    await api(`/v1/tasks/${id}/approve`, { method: 'POST', admin: true });

    const late = await api(linkIn(approvalEmail, 'approvals'), { method: 'POST', json: { decision: 'reject' } });

    expect(late.status).toBe(409);
    expect(late.json.detail).toMatch(new RegExp(`^Task ${id} was already approved by admin@assent\\.local at `));
  });
});

describe('reset-password', () => {
  it('answers identically for a known and an unknown email, and only the known one gets a link', async () => {
    // Prepare: an account created through a completed sign-up.
    const suffix = unique();
    const email = `dee-${suffix}@example.com`;
    const id = await signUp(email, `zeus-${suffix}`);
    await waitForEmail((mail) => mail.subject === `Approval needed: sign-up ${id}`);
    await api(`/v1/tasks/${id}/approve`, { method: 'POST', admin: true });
    const signUpToken = await waitForEmail((mail) => mail.destination.to.includes(email) && mail.subject.startsWith('Choose your password'));
    await api(linkIn(signUpToken, 'tokens'), { method: 'POST', json: { password: 'first password here' } });
    const ghost = `ghost-${suffix}@example.com`;

    // Act
    const known = await api('/v1/tasks', { method: 'POST', json: { type: 'reset-password', data: { email } } });
    const unknown = await api('/v1/tasks', { method: 'POST', json: { type: 'reset-password', data: { email: ghost } } });

    // Assess: same status, same body.
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.text).toBe(unknown.text);
    expect(known.json).toStrictEqual({ type: 'reset-password', status: 'accepted', detail: 'Your request was received. If it can go ahead, an email is on its way.' });

    const resetEmail = await waitForEmail((mail) => mail.destination.to.includes(email) && mail.subject === 'Reset your password');
    const submitted = await api(linkIn(resetEmail, 'tokens'), { method: 'POST', json: { password: 'second password here' } });
    expect(submitted.json.status).toBe('completed');
    await waitForEmail((mail) => mail.destination.to.includes(email) && mail.subject === 'Your password was changed');
    expect(await mailboxFor(ghost)).toStrictEqual([]);
    // The pool's password changed: Dee signs in with the new one only.
    expect(await signIn(email, 'second password here')).toMatch(/^ey/);
    // (cognito-local names a wrong password InvalidPasswordException; Cognito, NotAuthorizedException.)
    await expect(signIn(email, 'first password here')).rejects.toMatchObject({ name: 'InvalidPasswordException' });

    // Assess: auto-approved with a token, and auto-rejected, each three states (the waits answered their own tokens).
    const resets = (await api('/v1/tasks?type=reset-password&limit=100', { admin: true })).json.tasks as { executionArn: string; status: string; actions: { data: { email: string } }[] }[];
    const byEmail = (address: string) => resets.find((task) => task.actions[0]?.data.email === address);
    expect([byEmail(email)?.status, byEmail(ghost)?.status]).toStrictEqual(['completed', 'rejected']);
    expect(await executionCost(byEmail(email)!.executionArn, { ended: true })).toStrictEqual(THROUGH);
    expect(await executionCost(byEmail(ghost)!.executionArn, { ended: true })).toStrictEqual(THROUGH);
  });
});

describe('HTTP edge', () => {
  it('answers field errors as problem+json with paths', async () => {
    const response = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: { email: 'x' } } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.json).toStrictEqual({
      type: 'https://assent.dev/problems/validation-failed',
      title: 'The request is not valid',
      status: 400,
      detail: 'Some fields are not valid; see errors[] for each one.',
      instance: '/v1/tasks',
      errors: [
        { path: 'data.email', message: 'Must be an email address' },
        { path: 'data.projectName', message: 'Required' },
      ],
    });
  });

  it('refuses a forged admin token at the gateway', async () => {
    const response = await api('/v1/tasks/01ARZ3NDEKTSV4RRFFQ69G5FAV', { headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' } });
    expect(response.status).toBe(401);
  });

  it('lists the task types with their input schemas', async () => {
    const response = await api('/v1/task-types');
    expect(response.status).toBe(200);
    expect(response.json.taskTypes.map((t: { name: string }) => t.name)).toStrictEqual(['sign-up', 'reset-password', 'invite-user', 'update-email', 'quota-change', 'role-grant', 'todos.mark-done', 'todos.archive-completed']);
    expect(response.json.taskTypes[0].inputSchema.required).toStrictEqual(['email', 'projectName']);
  });

  it('serves its OpenAPI document and a readable reference page', async () => {
    const openapi = await api('/v1/openapi.json');
    const docs = await api('/docs', { headers: { accept: 'text/html' } });
    expect([openapi.status, openapi.json.openapi, Object.keys(openapi.json.paths).includes('/v1/tasks/{id}/approve')]).toStrictEqual([200, '3.1.0', true]);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(docs.text).toContain('<h2><code>POST /v1/tasks/{id}/approve</code> <small>(bearer JWT)</small></h2>');
  });
});
