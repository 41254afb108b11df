import { localDirectory } from '../support/local-directory.ts';
import { type SignedUpOwner, signedUpOwner } from '../support/signed-up-owner.ts';
import { api, type ApiResponse, endpoints, linkIn, type MailboxEmail, mailboxFor, signIn, unique, waitForEmail, waitForTask } from '../support/stack.ts';

/**
 * Scoped access (issue 12, point 5) through the local stack, as people get there: two projects made
 * by real sign-ups whose owners sign in with the passwords they set, a member of one of them signing
 * in with theirs. `GET /v1/tasks` answers by role; a project admin cancels and reissues tokens of
 * their project's tasks only; update-email's confirmation needs its requester's sign-in.
 */
const PROBLEMS = 'https://assent.dev/problems/';
const NOT_OF_PROJECT = 'This needs the role "admin", or "project_admin" of the task\'s project.';

const directory = () => localDirectory(endpoints());
const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });
const problem = (status: number, type: string, title: string, detail: string, instance: string) => ({ type: `${PROBLEMS}${type}`, title, status, detail, instance });
const answer = (response: ApiResponse) => [response.status, response.headers.get('content-type'), response.json];

interface Person {
  readonly email: string;
  readonly jwt: string;
}

type Owner = SignedUpOwner;

/** A member of the owner's project (no project_admin), with a password, signed in. */
async function memberOf(owner: Owner): Promise<Person> {
  const email = `member-${unique()}@example.com`;
  await directory().createUser({ email, projectId: owner.projectId, roles: ['member'], enabled: true, createdAt: new Date().toISOString() });
  await directory().activateUser(email, 'member password here');
  return { email, jwt: await signIn(email, 'member password here') };
}

async function create(type: string, data: unknown, as: Person): Promise<string> {
  const created = await api('/v1/tasks', { method: 'POST', json: { type, data }, headers: bearer(as.jwt) });
  expect(created.status).toBe(202);
  return created.json.id as string;
}

const idsOf = (response: ApiResponse): string[] => response.json.tasks.map((task: { id: string }) => task.id);

describe('scoped access through the local stack', () => {
  const since = new Date().toISOString();
  let apollo: Owner;
  let zeus: Owner;
  let member: Person;
  const invitee = `ivy-${unique()}@example.com`;
  const memberNewEmail = `member-new-${unique()}@example.com`;
  /** Apollo's invitation (waiting for its token), apollo's own email change (no project), the member's, zeus's quota change (done), apollo's quota change that waits for an admin. */
  const tasks = {} as Record<'apolloInvite' | 'apolloEmail' | 'memberEmail' | 'zeusQuota' | 'apolloQuota', string>;
  let inviteEmail: MailboxEmail;

  beforeAll(async () => {
    [apollo, zeus] = await Promise.all([signedUpOwner('apollo'), signedUpOwner('zeus')]);
    member = await memberOf(apollo);
    tasks.apolloInvite = await create('invite-user', { email: invitee, roles: ['member'] }, apollo);
    tasks.apolloEmail = await create('update-email', { newEmail: `apollo-new-${unique()}@example.com` }, apollo);
    tasks.memberEmail = await create('update-email', { newEmail: memberNewEmail }, member);
    tasks.zeusQuota = await create('quota-change', { size: 'medium' }, zeus);
    tasks.apolloQuota = await create('quota-change', { size: 'large' }, apollo);
    inviteEmail = await waitForEmail((mail) => mail.destination.to.includes(invitee) && (mail.body.text ?? '').includes(`Task: ${tasks.apolloInvite}`));
    await Promise.all([
      waitForTask(tasks.zeusQuota, (task) => task.status === 'completed'),
      waitForTask(tasks.apolloQuota, (task) => task.waitingFor === 'approval'),
      waitForTask(tasks.memberEmail, (task) => task.waitingFor === 'token'),
    ]);
  }, 180_000);

  it("lists a project admin exactly their project's tasks and their own, a member only their own, an admin all", async () => {
    // Act
    const listOf = (caller: Person) => api('/v1/tasks?limit=100', { headers: bearer(caller.jwt) });
    const [asApollo, asZeus, asMember] = await Promise.all([listOf(apollo), listOf(zeus), listOf(member)]);
    const asAdmin: { id: string; createdBy?: unknown; adminNotes?: unknown }[] = [];
    let page = await api(`/v1/tasks?limit=100&createdFrom=${encodeURIComponent(since)}`, { admin: true });
    for (asAdmin.push(...page.json.tasks); page.json.cursor; asAdmin.push(...page.json.tasks)) {
      page = await api(`/v1/tasks?limit=100&createdFrom=${encodeURIComponent(since)}&cursor=${page.json.cursor}`, { admin: true });
    }
    const adminIds = asAdmin.map((task) => task.id);

    // Assess: newest first; the sign-up that made a project is listed with it.
    expect(idsOf(asApollo)).toStrictEqual([tasks.apolloQuota, tasks.apolloEmail, tasks.apolloInvite, apollo.signUpId]);
    expect(idsOf(asZeus)).toStrictEqual([tasks.zeusQuota, zeus.signUpId]);
    expect(idsOf(asMember)).toStrictEqual([tasks.memberEmail]);
    const ours = [tasks.apolloQuota, tasks.zeusQuota, tasks.memberEmail, tasks.apolloEmail, tasks.apolloInvite];
    expect(adminIds.filter((id) => ours.includes(id))).toStrictEqual(ours);
    expect(adminIds).toEqual(expect.arrayContaining([apollo.signUpId, zeus.signUpId]));
    // Non-admins get the requester view (no notes, no approvers), admins the whole task.
    expect(asApollo.json.tasks[0]).toStrictEqual({
      id: tasks.apolloQuota,
      type: 'quota-change',
      status: 'pending',
      projectId: apollo.projectId,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      actions: [{ name: 'update-project-quota', data: { size: 'large' } }],
      history: [
        { at: expect.any(String), event: 'created', status: 'pending' },
        { at: expect.any(String), event: 'level-opened', status: 'pending' },
      ],
      // Where its approval stands, without who: two steps up asked for the security level too.
      approval: {
        level: 'admins',
        levels: [
          { name: 'admins', state: 'open', quorum: 1, approvals: 0 },
          { name: 'security', state: 'waiting', quorum: 2, approvals: 0 },
        ],
      },
    });
    expect(asApollo.json.tasks[3]).toMatchObject({ id: apollo.signUpId, type: 'sign-up', status: 'completed', projectId: apollo.projectId });
    expect(asAdmin.find((task) => task.id === tasks.apolloQuota)).toMatchObject({ projectId: apollo.projectId, createdBy: { email: apollo.email, roles: ['project_admin'] }, adminNotes: [] });
  });

  it("lets a project admin cancel their project's task (200, recorded as the project admin), and refuses another project's admin and a member (403)", async () => {
    // Act
    const byZeus = await api(`/v1/tasks/${tasks.apolloQuota}/cancel`, { method: 'POST', json: { reason: 'Not yours.' }, headers: bearer(zeus.jwt) });
    const byMember = await api(`/v1/tasks/${tasks.apolloQuota}/cancel`, { method: 'POST', json: { reason: 'Not allowed.' }, headers: bearer(member.jwt) });
    const ownOfNoProject = await api(`/v1/tasks/${tasks.apolloEmail}/cancel`, { method: 'POST', headers: bearer(apollo.jwt) });
    const byApollo = await api(`/v1/tasks/${tasks.apolloQuota}/cancel`, { method: 'POST', json: { reason: 'Too big after all.' }, headers: bearer(apollo.jwt) });

    // Assess
    const path = `/v1/tasks/${tasks.apolloQuota}/cancel`;
    expect(answer(byZeus)).toStrictEqual([403, 'application/problem+json', problem(403, 'forbidden', 'Not allowed', NOT_OF_PROJECT, path)]);
    expect(answer(byMember)).toStrictEqual([403, 'application/problem+json', problem(403, 'forbidden', 'Not allowed', NOT_OF_PROJECT, path)]);
    expect(answer(ownOfNoProject)).toStrictEqual([403, 'application/problem+json', problem(403, 'forbidden', 'Not allowed', NOT_OF_PROJECT, `/v1/tasks/${tasks.apolloEmail}/cancel`)]);
    expect([byApollo.status, byApollo.json]).toStrictEqual([200, { id: tasks.apolloQuota, status: 'cancelled' }]);
    const task = await waitForTask(tasks.apolloQuota, (t) => t.status === 'cancelled');
    expect(task.history.map((entry: { by: unknown; event: string; reason?: string }) => [entry.event, entry.by, entry.reason])).toStrictEqual([
      ['created', { kind: 'user', id: expect.any(String) }, undefined],
      ['level-opened', { kind: 'system', id: 'system' }, 'Level admins opened: 1 of 1 approver(s) needed.'],
      ['cancelled', { kind: 'project_admin', id: apollo.email }, 'Too big after all.'],
    ]);
    expect((await api(`/v1/tasks/${tasks.apolloEmail}`, { admin: true })).json.status).toBe('awaiting_token');
  });

  it("lets a project admin reissue the token of their project's task (200: the old link stops working), and refuses the others (403)", async () => {
    // Act
    const byZeus = await api(`/v1/tasks/${tasks.apolloInvite}/token`, { method: 'POST', headers: bearer(zeus.jwt) });
    const byMember = await api(`/v1/tasks/${tasks.apolloInvite}/token`, { method: 'POST', headers: bearer(member.jwt) });
    const byApollo = await api(`/v1/tasks/${tasks.apolloInvite}/token`, { method: 'POST', headers: bearer(apollo.jwt) });
    const oldLink = linkIn(inviteEmail, 'tokens');
    const reissued = await waitForEmail((mail) => mail.destination.to.includes(invitee) && mail.messageId !== inviteEmail.messageId && (mail.body.text ?? '').includes(`Task: ${tasks.apolloInvite}`));

    // Assess
    const path = `/v1/tasks/${tasks.apolloInvite}/token`;
    expect(answer(byZeus)).toStrictEqual([403, 'application/problem+json', problem(403, 'forbidden', 'Not allowed', NOT_OF_PROJECT, path)]);
    expect(answer(byMember)).toStrictEqual([403, 'application/problem+json', problem(403, 'forbidden', 'Not allowed', NOT_OF_PROJECT, path)]);
    expect([byApollo.status, byApollo.json]).toStrictEqual([200, { id: tasks.apolloInvite, status: 'awaiting_token', detail: 'A new token was emailed; the old link no longer works.' }]);
    expect(linkIn(reissued, 'tokens')).not.toBe(oldLink);
    expect((await api(oldLink)).status).toBe(410);
    expect((await api(linkIn(reissued, 'tokens'))).status).toBe(200);
    expect((await mailboxFor(invitee)).length).toBe(2);
  });

  it("takes update-email's confirmation only from its requester signed in: 401 without a bearer token, 403 for another account, then 200; the link works after the refusals", async () => {
    // Prepare
    const tokenEmail = await waitForEmail((mail) => mail.destination.to.includes(memberNewEmail) && mail.subject === 'Confirm your new email address');
    const link = linkIn(tokenEmail, 'tokens');

    // Act
    const shown = await api(link);
    const page = await api(link, { headers: { accept: 'text/html' } });
    const anonymous = await api(link, { method: 'POST', json: { confirm: true } });
    const someoneElse = await api(link, { method: 'POST', json: { confirm: true }, headers: bearer(apollo.jwt) });
    const requester = await api(link, { method: 'POST', json: { confirm: true }, headers: bearer(member.jwt) });

    // Assess
    expect(shown.json).toMatchObject({ taskType: 'update-email', taskId: tasks.memberEmail, requiresSignIn: true, fields: ['confirm'] });
    expect([page.status, page.text.includes('<form'), page.text.includes('Sign-in needed')]).toStrictEqual([200, false, true]);
    expect(answer(anonymous)).toStrictEqual([
      401,
      'application/problem+json',
      problem(401, 'unauthorized', 'Authentication is required', "This link needs the sign-in of the account that asked for it: submit it with that account's bearer token (Authorization: Bearer <JWT>).", link),
    ]);
    expect(answer(someoneElse)).toStrictEqual([
      403,
      'application/problem+json',
      problem(403, 'forbidden', 'Not allowed', 'This link is for the account that asked for it: sign in as that account to submit it.', link),
    ]);
    expect([requester.status, requester.json]).toStrictEqual([200, { id: tasks.memberEmail, status: 'completed' }]);
    expect(await directory().findUser(memberNewEmail)).toMatchObject({ email: memberNewEmail, previousEmail: member.email });
  });
});
