import { localDirectory } from '../support/local-directory.ts';
import { signedUpOwner } from '../support/signed-up-owner.ts';
import { api, endpoints, linkIn, mailboxFor, seededUser, signIn, tokenFor, unique, waitForEmail, waitForTask } from '../support/stack.ts';

/**
 * invite-user, update-email and quota-change through the local stack: requests over HTTP with the
 * requesters' own JWTs, links read from the mailbox, results read back from the directory.
 */
/** quota-change's first level (admins): the seeded admin is its only approver. */
const ADMIN = 'admin@assent.local';
/** Its second level (security, two of them), asked for by bigger steps up: the seeded security approvers. */
const SECURITY = ['approver@assent.local', 'approver2@assent.local', 'approver3@assent.local'];

const directory = () => localDirectory(endpoints());

const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });


/** Whether the quota's `updatedAt` (stamped by submit) falls between the task's approval and its completion. */
const stampedWhileRunning = (updatedAt: string | undefined, task: { approvedAt: string; completedAt: string }) =>
  updatedAt !== undefined && Date.parse(task.approvedAt) <= Date.parse(updatedAt) && Date.parse(updatedAt) <= Date.parse(task.completedAt);

async function create(type: string, data: unknown, jwt?: string) {
  return api('/v1/tasks', { method: 'POST', json: { type, data }, ...(jwt ? { headers: bearer(jwt) } : {}) });
}

describe('invite-user', () => {
  it('invites a new address (password), then gives the same person another role (confirm)', async () => {
    // Prepare
    const owner = await signedUpOwner('olga');
    const invitee = `ivy-${unique()}@example.com`;

    // Act 1: the owner invites a new address; the invitee chooses a password.
    const invited = await create('invite-user', { email: invitee, roles: ['member'] }, owner.jwt);
    const duplicate = await create('invite-user', { email: invitee, roles: ['member'] }, owner.jwt);
    const tokenEmail = await waitForEmail((mail) => mail.destination.to.includes(invitee) && mail.subject === `Join ${owner.projectName} on Assent`);
    const tokenInfo = await api(linkIn(tokenEmail, 'tokens'));
    const submitted = await api(linkIn(tokenEmail, 'tokens'), { method: 'POST', json: { password: 'invitee password' } });

    // Assess 1
    expect(invited.status).toBe(202);
    expect(invited.json).toStrictEqual({ id: expect.any(String), type: 'invite-user', status: 'pending' });
    expect(duplicate.status).toBe(409);
    expect(tokenEmail.body.text).toContain(`Choose a password for your new account ${invitee}`);
    expect(tokenEmail.body.text).toContain(`Task: ${invited.json.id}`);
    expect(tokenInfo.json).toMatchObject({ taskType: 'invite-user', taskId: invited.json.id, fields: ['password'] });
    expect(submitted.json).toStrictEqual({ id: invited.json.id, status: 'completed' });
    const welcome = await waitForEmail((mail) => mail.destination.to.includes(invitee) && mail.subject === `Welcome to ${owner.projectName}`);
    expect(welcome.body.text).toContain(`Task: ${invited.json.id}`);
    expect(await directory().findUser(invitee)).toMatchObject({ enabled: true, projectId: owner.projectId, roles: ['member'], hasPassword: true });
    // The invitee signs in with the password they chose; a member, they list their own tasks (none).
    const listed = await api('/v1/tasks', { headers: bearer(await signIn(invitee, 'invitee password')) });
    expect([listed.status, listed.json]).toStrictEqual([200, { tasks: [] }]);
    const task = await waitForTask(invited.json.id, (t) => t.status === 'completed');
    expect(task.approvedBy).toStrictEqual({ kind: 'system', id: 'system' });

    // Act 2: the owner asks for project_admin too; the invitee confirms through the HTML form's fields.
    const promoted = await create('invite-user', { email: invitee, roles: ['member', 'project_admin'] }, owner.jwt);
    const confirmEmail = await waitForEmail((mail) => mail.destination.to.includes(invitee) && (mail.body.text ?? '').includes(`Task: ${promoted.json.id}`));
    const confirmed = await api(linkIn(confirmEmail, 'tokens'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'confirm=yes',
    });

    // Assess 2
    expect(confirmEmail.body.text).toContain(`Confirm that your account ${invitee} joins the project here`);
    expect(confirmed.json).toStrictEqual({ id: promoted.json.id, status: 'completed' });
    expect((await directory().findUser(invitee))?.roles).toStrictEqual(['member', 'project_admin']);
  });

  it('refuses a request without a token (401) and a requester without project_admin (403)', async () => {
    const data = { email: `x-${unique()}@example.com`, roles: ['member'] };
    const member = await tokenFor({ sub: `m-${unique()}`, email: 'member@example.com', roles: ['member'] });

    const anonymous = await create('invite-user', data);
    const forbidden = await create('invite-user', data, member);

    expect([anonymous.status, forbidden.status]).toStrictEqual([401, 403]);
  });

  it('auto-rejects an invitation from someone with the role but no project, with the reason', async () => {
    const stranger = `stranger-${unique()}@example.com`;
    const jwt = await tokenFor({ sub: `s-${unique()}`, email: stranger, roles: ['project_admin'] });

    const created = await create('invite-user', { email: `x-${unique()}@example.com`, roles: ['member'] }, jwt);

    const task = await waitForTask(created.json.id, (t) => t.status === 'rejected');
    expect(task.history.at(-1)).toMatchObject({ event: 'auto-rejected', reason: `Invalid: invite-user (No account for the requester ${stranger}.)` });
  });
});

describe('update-email', () => {
  it('sends the link to the new address, moves the Cognito account on confirmation, tells the old address, and the owner signs in with the new one', async () => {
    // Prepare
    const owner = await signedUpOwner('una');
    const before = await directory().findUser(owner.email);
    const newEmail = `una-new-${unique()}@example.com`;

    // Act
    const created = await create('update-email', { newEmail }, owner.jwt);
    const tokenEmail = await waitForEmail((mail) => mail.destination.to.includes(newEmail) && mail.subject === 'Confirm your new email address');
    // The type takes its confirmation from the requester signed in only (tokenRequiresAuth).
    const confirmed = await api(linkIn(tokenEmail, 'tokens'), { method: 'POST', json: { confirm: true }, headers: bearer(owner.jwt) });

    // Assess
    expect(created.status).toBe(202);
    expect(tokenEmail.body.text).toContain(`move the Assent account ${owner.email} to this address`);
    expect(tokenEmail.body.text).toContain(`Task: ${created.json.id}`);
    expect(confirmed.json).toStrictEqual({ id: created.json.id, status: 'completed' });
    const changed = await waitForEmail((mail) => mail.destination.to.includes(newEmail) && mail.subject === 'Your email address was changed');
    const toldOld = await waitForEmail((mail) => mail.destination.to.includes(owner.email) && mail.subject === 'Your email address was changed');
    expect([changed.destination.to, toldOld.destination.to]).toStrictEqual([[newEmail], [owner.email]]);
    expect(toldOld.body.text).toContain(`Your Assent account now uses ${newEmail} instead of ${owner.email}.`);
    expect(await directory().findUser(owner.email)).toBeUndefined();
    expect(await directory().findUser(newEmail)).toStrictEqual({ ...before, email: newEmail, previousEmail: owner.email });
    expect(await signIn(newEmail, 'owner password here')).toMatch(/^ey/);
    // As Cognito with user-existence errors prevented: the old address is not an account any more.
    await expect(signIn(owner.email, 'owner password here')).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });
});

describe('quota-change', () => {
  it('applies one step up at once, and emails the requester', async () => {
    const owner = await signedUpOwner('quinn');

    const created = await create('quota-change', { size: 'medium' }, owner.jwt);

    const task = await waitForTask(created.json.id, (t) => t.status === 'completed');
    expect(task.approvedBy).toStrictEqual({ kind: 'system', id: 'system' });
    const quota = (await directory().getProject(owner.projectId))?.quota;
    expect(quota).toStrictEqual({ size: 'medium', instances: 25, cores: 50, ramGb: 160, updatedAt: expect.any(String) });
    expect(stampedWhileRunning(quota?.updatedAt, task)).toBe(true);
    const done = await waitForEmail((mail) => mail.destination.to.includes(owner.email) && mail.subject === `Quota of ${owner.projectName} changed to medium`);
    expect(done.body.text).toContain(`Task: ${created.json.id}`);
  });

  it('waits for an admin, then two of security, for two steps up, and applies the quota once both levels approved', async () => {
    // Prepare
    const owner = await signedUpOwner('rhea');
    const created = await create('quota-change', { size: 'large' }, owner.jwt);
    const subject = `Approval needed: quota-change ${created.json.id}`;
    const approvalEmail = await waitForEmail((mail) => mail.destination.to.includes(ADMIN) && mail.subject === subject);
    const pending = await waitForTask(created.json.id, (t) => t.status === 'pending');
    const [first, second] = await Promise.all(SECURITY.slice(0, 2).map((email) => signIn(email, seededUser(email).password)));

    // Act 1: the admin approves the first level.
    const approved = await api(`/v1/tasks/${created.json.id}/approve`, { method: 'POST', admin: true });
    const securityEmails = await Promise.all(SECURITY.map((email) => waitForEmail((mail) => mail.destination.to.includes(email) && mail.subject === subject)));

    // Assess 1: the task waits at the security level, whose approvers each got one email.
    expect(approvalEmail.body.text).toContain('small to large is 2 steps up; more than 1 step up needs an admin.');
    expect(pending.actions[0].autoApprove).toBe(false);
    expect([approved.status, approved.json]).toStrictEqual([
      200,
      {
        id: created.json.id,
        status: 'pending',
        approval: {
          level: 'security',
          levels: [
            { name: 'admins', state: 'approved', quorum: 1, approvals: 1 },
            { name: 'security', state: 'open', quorum: 2, approvals: 0 },
          ],
        },
      },
    ]);
    expect(securityEmails.map((mail) => mail.destination.to)).toStrictEqual(SECURITY.map((email) => [email]));
    expect(securityEmails[0]?.body.text).toContain('(level 2 of 2: security)');
    expect(await Promise.all(SECURITY.map(async (email) => (await mailboxFor(email)).filter((mail) => mail.subject === subject).length))).toStrictEqual([1, 1, 1]);

    // Act 2: two of security approve.
    const once = await api(`/v1/tasks/${created.json.id}/approve`, { method: 'POST', headers: bearer(first ?? '') });
    const twice = await api(`/v1/tasks/${created.json.id}/approve`, { method: 'POST', headers: bearer(second ?? '') });

    // Assess 2
    expect([once.status, once.json.status, once.json.approval.levels[1]]).toStrictEqual([200, 'pending', { name: 'security', state: 'open', quorum: 2, approvals: 1 }]);
    expect([twice.status, twice.json.status, twice.json.approvedBy]).toStrictEqual([200, 'approved', { kind: 'approver', id: SECURITY[1] }]);
    const completed = await waitForTask(created.json.id, (t) => t.status === 'completed');
    const quota = (await directory().getProject(owner.projectId))?.quota;
    expect(quota).toStrictEqual({ size: 'large', instances: 50, cores: 100, ramGb: 320, updatedAt: expect.any(String) });
    expect(stampedWhileRunning(quota?.updatedAt, completed)).toBe(true);
  });
});
