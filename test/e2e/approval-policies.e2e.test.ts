import { type FreshAccount, freshAccount } from '../support/fresh-account.ts';
import { localDirectory } from '../support/local-directory.ts';
import { api, endpoints, linkIn, mailboxFor, type MailboxEmail, seededUser, signIn, unique, waitForEmail, waitForTask } from '../support/stack.ts';
import { TEST_SECURITY_LEVEL } from '../support/test-stack-config.ts';

/**
 * Approval policies through the local stack, with role-grant (DESIGN §7): a member of project demo
 * asks for project_admin; level 1 is the project's admins (owner@assent.local), level 2 two of
 * group security (three seeded approvers), whose reminder and deadline the test stack shortens
 * (test/support/test-stack-config.ts). Every request is HTTP with real tokens of the local pool,
 * every email is read from the SES emulator's mailbox. Each test asks with a fresh member of demo,
 * so role-grant's duplicate policy never meets another test's request.
 */
const OWNER = 'owner@assent.local';
const ADMIN = 'admin@assent.local';
const SECURITY = ['approver@assent.local', 'approver2@assent.local', 'approver3@assent.local'] as const;
const PROBLEMS = 'https://assent.dev/problems/';

const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });
const approvalSubject = (id: string) => `Approval needed: role-grant ${id}`;
const reminderSubject = (id: string) => `Reminder - approval needed: role-grant ${id}`;
const byEmail = (a: { email: string }, b: { email: string }) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0);
const plusSeconds = (at: string, seconds: number) => new Date(Date.parse(at) + seconds * 1000).toISOString();

/** The seeded accounts' ID tokens, signed in with their passwords once. */
const jwts = new Map<string, string>();
const jwtOf = (email: string) => jwts.get(email) ?? '';

/** The requesters of this file: project_admin is taken back after each test (it would make them an approver of the next one's level 1). */
const requesters: FreshAccount[] = [];

beforeAll(async () => {
  for (const email of [OWNER, ADMIN, ...SECURITY]) jwts.set(email, await signIn(email, seededUser(email).password));
});

afterEach(async () => {
  const directory = localDirectory(endpoints());
  for (const requester of requesters.splice(0)) await directory.revokeRoles(requester.email, 'demo', ['project_admin']);
});

/** The emails in `to`'s mailbox with `subject`. */
const emailsTo = async (to: string, subject: string): Promise<MailboxEmail[]> => (await mailboxFor(to)).filter((mail) => mail.subject === subject);

/** Polls `probe` until it answers something other than undefined; fails after `timeoutMs`, saying what it waited for. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`Waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Resolves once the reconciler has run `runs` times from now on (GET /v1/status: the last run's report). */
async function reconcilerRuns(runs = 2): Promise<void> {
  const since = new Date().toISOString();
  const seen = new Set<string>();
  await until(`${runs} reconcile runs after ${since}`, async () => {
    const at: string | undefined = (await api('/v1/status', { admin: true })).json?.stranded?.at;
    if (at !== undefined && at > since) seen.add(at);
    return seen.size >= runs ? true : undefined;
  });
}

interface Requested {
  readonly id: string;
  readonly requester: FreshAccount;
}

/** A fresh member of demo asks for project_admin there (202 asserted), and waits for level 1's email to the owner. */
async function roleGrant(name: string): Promise<Requested & { ownerEmail: MailboxEmail }> {
  const requester = await freshAccount(name, { roles: ['member'], projectId: 'demo' });
  requesters.push(requester);
  const created = await api('/v1/tasks', { method: 'POST', json: { type: 'role-grant', data: { role: 'project_admin' } }, headers: bearer(requester.jwt) });
  expect([created.status, created.json]).toStrictEqual([202, { id: expect.stringMatching(/^[0-9A-Z]{26}$/), type: 'role-grant', status: 'pending' }]);
  const id: string = created.json.id;
  const ownerEmail = await waitForEmail((mail) => mail.destination.to.includes(OWNER) && mail.subject === approvalSubject(id));
  return { id, requester, ownerEmail };
}

/** A role-grant at its security level: the owner approved level 1, each security approver's email arrived (their links, in SECURITY's order). */
async function atSecurityLevel(name: string): Promise<Requested & { links: string[]; emails: MailboxEmail[] }> {
  const task = await roleGrant(name);
  const approved = await api(`/v1/tasks/${task.id}/approve`, { method: 'POST', headers: bearer(jwtOf(OWNER)) });
  expect([approved.status, approved.json.approval?.level]).toStrictEqual([200, 'security']);
  const emails = await Promise.all(SECURITY.map((email) => waitForEmail((mail) => mail.destination.to.includes(email) && mail.subject === approvalSubject(task.id))));
  return { ...task, emails, links: emails.map((mail) => linkIn(mail, 'approvals')) };
}

const vote = (id: string, as: string, decision: 'approve' | 'reject' | 'delegate', body?: unknown) =>
  api(`/v1/tasks/${id}/${decision}`, { method: 'POST', headers: bearer(jwtOf(as)), ...(body === undefined ? {} : { json: body }) });

/** The admin view's level `name` of task `id`. */
const levelOf = async (id: string, name: string) => (await api(`/v1/tasks/${id}`, { admin: true })).json.approval.levels.find((level: { name: string }) => level.name === name);

const cancel = async (id: string) => expect((await api(`/v1/tasks/${id}/cancel`, { method: 'POST', admin: true, json: { reason: 'End of the test.' } })).status).toBe(200);

describe('role-grant: levels in order', () => {
  it('emails only the project admin first, refuses a security approver at level 1 (403), and opens security (one email each) once the owner approved', async () => {
    // Prepare
    const { id, requester, ownerEmail } = await roleGrant('order');

    // Act 1: a security approver votes while level 1 is open.
    const early = await vote(id, SECURITY[0], 'approve');
    const atLevel1 = await waitForTask(id, () => true);

    // Assess 1: level 1 names the owner only, and only the owner was emailed (its one approver's email is the whole of level 1's mailing).
    expect([early.status, early.json]).toStrictEqual([
      403,
      {
        type: `${PROBLEMS}not-an-approver`,
        title: 'You are not an approver of this level',
        status: 403,
        detail: `You are not an approver of level project-admins of task ${id}, the level its approval is at.`,
        taskId: id,
        level: 'project-admins',
        instance: `/v1/tasks/${id}/approve`,
      },
    ]);
    expect(ownerEmail.body.text).toContain('(level 1 of 2: project-admins)');
    expect(ownerEmail.body.text).toContain(`Requested by: ${requester.email}`);
    expect(await Promise.all([ADMIN, ...SECURITY, requester.email].map(async (to) => (await emailsTo(to, approvalSubject(id))).length))).toStrictEqual([0, 0, 0, 0, 0]);
    expect(atLevel1.approval.level).toBe('project-admins');
    expect(atLevel1.approval.levels.map((level: { name: string; state: string; approvers: unknown[] }) => [level.name, level.state, level.approvers])).toStrictEqual([
      ['project-admins', 'open', [{ email: OWNER, via: 'project-admins' }]],
      ['security', 'waiting', []],
    ]);

    // Act 2: the owner approves level 1.
    const approved = await vote(id, OWNER, 'approve');
    const emails = await Promise.all(SECURITY.map((to) => waitForEmail((mail) => mail.destination.to.includes(to) && mail.subject === approvalSubject(id))));
    const security = await levelOf(id, 'security');

    // Assess 2: the security level is open, due after its (shortened) deadline; each of its approvers got one email.
    expect([approved.status, approved.json]).toStrictEqual([
      200,
      {
        id,
        status: 'pending',
        approval: {
          level: 'security',
          levels: [
            { name: 'project-admins', state: 'approved', quorum: 1, approvals: 1 },
            { name: 'security', state: 'open', quorum: 2, approvals: 0, due: plusSeconds(security.openedAt, TEST_SECURITY_LEVEL.deadlineSeconds) },
          ],
        },
      },
    ]);
    expect([...security.approvers].sort(byEmail)).toStrictEqual(SECURITY.map((email) => ({ email, via: 'group:security' })).sort(byEmail));
    expect(security.reminders).toStrictEqual({ at: [plusSeconds(security.openedAt, TEST_SECURITY_LEVEL.reminderSeconds)], sent: [] });
    expect(emails.map((mail) => mail.body.text?.includes('(level 2 of 2: security)') && mail.body.text.includes(`Approvals needed at this level: 2, by ${security.due}`))).toStrictEqual([true, true, true]);
    expect(new Set(emails.map((mail) => linkIn(mail, 'approvals'))).size).toBe(3);
    expect(await Promise.all([OWNER, ...SECURITY, ADMIN].map(async (to) => (await emailsTo(to, approvalSubject(id))).length))).toStrictEqual([1, 1, 1, 1, 0]);
    await cancel(id);
  });
});

describe('role-grant: quorum 2 of 3', () => {
  it('counts exactly two of three concurrent votes, approves and grants the role; the third is told the task was decided (409)', async () => {
    // Prepare
    const { id, requester } = await atSecurityLevel('quorum');

    // Act: the three security approvers vote at once.
    const answers = await Promise.all(SECURITY.map((email) => vote(id, email, 'approve')));

    // Assess: two counted (one left the level needing one more, one met the quorum), one refused.
    const ok = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(ok.map((answer) => [answer.json.status, answer.json.approval.levels[1].approvals]).sort()).toStrictEqual([
      ['approved', 2],
      ['pending', 1],
    ]);
    const done = await waitForTask(id, (task) => task.status === 'completed');
    const winner = done.approvedBy.id;
    expect([done.approvedBy, SECURITY.includes(winner)]).toStrictEqual([{ kind: 'approver', id: winner }, true]);
    expect(refused.map((answer) => [answer.status, answer.json.type, answer.json.detail, answer.json.decidedBy])).toStrictEqual([
      [409, `${PROBLEMS}already-decided`, `Task ${id} was already approved by ${winner} at ${done.approvedAt}.`, winner],
    ]);
    const security = done.approval.levels[1];
    expect([security.state, security.approvals, security.votes.map((cast: { by: string; decision: string; via: string }) => [cast.decision, cast.via])]).toStrictEqual([
      'approved',
      2,
      [
        ['approve', 'api'],
        ['approve', 'api'],
      ],
    ]);
    expect(security.votes.map((cast: { by: string }) => cast.by)).toContain(winner);
    // Assess: postApprove granted the role, and the requester was told.
    expect((await localDirectory(endpoints()).findUser(requester.email))?.roles).toStrictEqual(['member', 'project_admin']);
    const told = await waitForEmail((mail) => mail.destination.to.includes(requester.email) && mail.subject === 'You are project_admin on demo');
    expect(told.body.text).toContain(`Your account ${requester.email} has the role project_admin on the project "demo", as you asked.`);
  });
});

describe('role-grant: a reject', () => {
  it('ends the task at once, with the reason in the requester\'s email and in the history', async () => {
    // Prepare: one of security approved already.
    const { id, requester } = await atSecurityLevel('reject');
    expect((await vote(id, SECURITY[0], 'approve')).status).toBe(200);
    const reason = `Not without a security review ${unique()}`;

    // Act
    const rejected = await vote(id, SECURITY[1], 'reject', { reason });

    // Assess
    expect([rejected.status, rejected.json]).toStrictEqual([
      200,
      {
        id,
        status: 'rejected',
        reason,
        approval: {
          level: 'security',
          levels: [
            { name: 'project-admins', state: 'approved', quorum: 1, approvals: 1 },
            { name: 'security', state: 'rejected', quorum: 2, approvals: 1, due: expect.any(String) },
          ],
        },
      },
    ]);
    const email = await waitForEmail((mail) => mail.destination.to.includes(requester.email) && mail.subject === 'Not approved: role-grant');
    expect(email.body.text).toContain(`Reason: ${reason}`);
    expect(email.body.text).toContain(`Task: ${id}`);
    const task = await waitForTask(id, (t) => t.sentEmails.includes('rejected'));
    expect(task.history.slice(-2)).toStrictEqual([
      {
        at: expect.any(String),
        by: { kind: 'approver', id: SECURITY[1] },
        event: 'vote-reject',
        from: 'pending',
        to: 'pending',
        reason: `Level security: reject by ${SECURITY[1]} via api (1 of 2 approvals): ${reason}.`,
      },
      { at: task.history.at(-2).at, by: { kind: 'approver', id: SECURITY[1] }, event: 'rejected', from: 'pending', to: 'rejected', reason },
    ]);
    expect((await localDirectory(endpoints()).findUser(requester.email))?.roles).toStrictEqual(['member']);
  });
});

describe('role-grant: delegation', () => {
  it('hands a vote to another address: the delegate\'s link casts it, the delegator\'s link answers 410 and their API vote 403', async () => {
    // Prepare
    const { id, links } = await atSecurityLevel('delegate');
    const delegate = `delegate-${unique()}@example.com`;

    // Act 1: approver@ hands their vote over through the API.
    const handed = await vote(id, SECURITY[0], 'delegate', { to: delegate, reason: 'On leave this week' });
    const delegateEmail = await waitForEmail((mail) => mail.destination.to.includes(delegate) && mail.subject === approvalSubject(id));
    const level = await levelOf(id, 'security');
    const handedAt = level.delegations[0]?.at;

    // Assess 1
    expect([handed.status, handed.json]).toStrictEqual([
      200,
      {
        id,
        status: 'pending',
        delegatedTo: delegate,
        approval: {
          level: 'security',
          levels: [
            { name: 'project-admins', state: 'approved', quorum: 1, approvals: 1 },
            { name: 'security', state: 'open', quorum: 2, approvals: 0, due: level.due },
          ],
        },
      },
    ]);
    expect(delegateEmail.body.text).toContain(`${SECURITY[0]} handed their vote to you: On leave this week.`);
    expect(level.delegations).toStrictEqual([{ from: SECURITY[0], to: delegate, at: handedAt, reason: 'On leave this week' }]);
    expect(level.approvers.at(-1)).toStrictEqual({ email: delegate, via: 'delegation', onBehalfOf: SECURITY[0] });

    // Act 2: the delegator tries their link and the API; the delegate votes with their link.
    const oldLinkView = await api(links[0] ?? '');
    const oldLinkVote = await api(links[0] ?? '', { method: 'POST', json: { decision: 'approve' } });
    const apiVote = await vote(id, SECURITY[0], 'approve');
    const delegated = await api(linkIn(delegateEmail, 'approvals'), { method: 'POST', json: { decision: 'approve' } });

    // Assess 2
    const gone = {
      type: `${PROBLEMS}expired`,
      title: 'This link has expired',
      status: 410,
      detail: `This link no longer works: You handed your vote to ${delegate} at ${handedAt}.`,
      reason: `You handed your vote to ${delegate} at ${handedAt}.`,
      taskId: id,
      taskStatus: 'pending',
      instance: links[0],
    };
    expect([oldLinkView.status, oldLinkView.json]).toStrictEqual([410, gone]);
    expect([oldLinkVote.status, oldLinkVote.json]).toStrictEqual([410, gone]);
    expect([apiVote.status, apiVote.json.type, apiVote.json.detail]).toStrictEqual([
      403,
      `${PROBLEMS}not-an-approver`,
      `You delegated your vote at level security of task ${id} to ${delegate} at ${handedAt}.`,
    ]);
    expect([delegated.status, delegated.json]).toStrictEqual([200, { id, status: 'pending' }]);
    const after = await levelOf(id, 'security');
    expect([after.approvals, after.votes]).toStrictEqual([1, [{ by: delegate, decision: 'approve', at: expect.any(String), via: 'link', onBehalfOf: SECURITY[0] }]]);

    // Act 3, Assess 3: the delegate's vote counts toward the quorum: one more approves the task.
    const second = await vote(id, SECURITY[1], 'approve');
    expect([second.status, second.json.status]).toStrictEqual([200, 'approved']);
    await waitForTask(id, (task) => task.status === 'completed');
  });
});

describe('role-grant: the reminder', () => {
  it(`reminds each security approver who has not voted once, ${TEST_SECURITY_LEVEL.reminderSeconds} s after the level opened, and never again`, async () => {
    // Prepare: one of the three approved.
    const { id, links } = await atSecurityLevel('remind');
    expect((await vote(id, SECURITY[0], 'approve')).status).toBe(200);
    const waiting = SECURITY.slice(1);

    // Act: the reconciler's runs pass the reminder's time.
    const reminders = await until(
      'the reminders of the security level',
      async () => {
        const found = await Promise.all(waiting.map((to) => emailsTo(to, reminderSubject(id))));
        return found.every((mails) => mails.length > 0) ? found : undefined;
      },
      (TEST_SECURITY_LEVEL.reminderSeconds + 20) * 1000,
    );
    await reconcilerRuns(2);

    // Assess: one each (still, after two more runs), none to the approver who voted, each with a new link.
    expect(await Promise.all(SECURITY.map(async (to) => (await emailsTo(to, reminderSubject(id))).length))).toStrictEqual([0, 1, 1]);
    const reminderLinks = reminders.map((mails) => linkIn(mails[0] as MailboxEmail, 'approvals'));
    expect(reminderLinks.filter((link) => links.includes(link))).toStrictEqual([]);
    const task = await waitForTask(id, () => true);
    const security = task.approval.levels[1];
    // The approvers who had not voted, in the level's order.
    const reminded = security.approvers.map((approver: { email: string }) => approver.email).filter((email: string) => email !== SECURITY[0]);
    expect(security.reminders).toStrictEqual({ at: [plusSeconds(security.openedAt, TEST_SECURITY_LEVEL.reminderSeconds)], sent: [expect.any(String)] });
    expect(task.history.filter((entry: { event: string }) => entry.event === 'reminded')).toStrictEqual([
      {
        at: security.reminders.sent[0],
        by: { kind: 'system', id: 'system' },
        event: 'reminded',
        from: 'pending',
        to: 'pending',
        reason: `Level security: reminder 1 of 1 sent to ${reminded.join(', ')}.`,
      },
    ]);
    // The reminded link still votes.
    const voted = await api(reminderLinks[0] ?? '', { method: 'POST', json: { decision: 'approve' } });
    expect([voted.status, voted.json]).toStrictEqual([200, { id, status: 'approved' }]);
  }, (TEST_SECURITY_LEVEL.reminderSeconds + 60) * 1000);
});

describe('role-grant: the deadline', () => {
  it(`escalates to the admins once, ${TEST_SECURITY_LEVEL.deadlineSeconds} s after the level opened; the admin's vote counts`, async () => {
    // Prepare: one of the three approved; the quorum needs one more.
    const { id, requester } = await atSecurityLevel('escalate');
    expect((await vote(id, SECURITY[0], 'approve')).status).toBe(200);

    // Act: the reconciler's runs pass the deadline.
    const escalated = await waitForEmail((mail) => mail.destination.to.includes(ADMIN) && mail.subject === approvalSubject(id), (TEST_SECURITY_LEVEL.deadlineSeconds + 20) * 1000);
    await reconcilerRuns(2);

    // Assess: one escalation email (still, after two more runs), one history entry, admin@ one of the level's approvers now.
    expect(escalated.body.text).toContain('The level\'s deadline passed without enough approvals, so it was escalated to you.');
    expect(await emailsTo(ADMIN, approvalSubject(id))).toHaveLength(1);
    const task = await waitForTask(id, () => true);
    const security = task.approval.levels[1];
    expect(task.history.filter((entry: { event: string }) => entry.event === 'escalated')).toStrictEqual([
      {
        at: security.escalatedAt,
        by: { kind: 'system', id: 'system' },
        event: 'escalated',
        from: 'pending',
        to: 'pending',
        reason: `Level security: the deadline ${security.due} passed with 1 of 2 approval(s); escalated to ${ADMIN}.`,
      },
    ]);
    expect([task.status, security.state, security.escalatedTo, security.approvers.at(-1)]).toStrictEqual(['pending', 'open', [ADMIN], { email: ADMIN, via: 'escalation' }]);

    // Act 2: the admin votes.
    const approved = await api(`/v1/tasks/${id}/approve`, { method: 'POST', admin: true });

    // Assess 2: the admin's vote completed the quorum.
    expect([approved.status, approved.json.status, approved.json.approval.levels[1]]).toStrictEqual([
      200,
      'approved',
      { name: 'security', state: 'approved', quorum: 2, approvals: 2, due: security.due },
    ]);
    const done = await waitForTask(id, (t) => t.status === 'completed');
    expect(done.approval.levels[1].votes.map((cast: { by: string; decision: string }) => [cast.by, cast.decision])).toStrictEqual([
      [SECURITY[0], 'approve'],
      [ADMIN, 'approve'],
    ]);
    expect((await localDirectory(endpoints()).findUser(requester.email))?.roles).toStrictEqual(['member', 'project_admin']);
  }, (TEST_SECURITY_LEVEL.deadlineSeconds + 60) * 1000);
});

describe('the inbox and bulk decisions', () => {
  /** One role-grant at security (one of its two approvals in, by approver2@), one still at level 1. */
  async function twoWaiting(name: string) {
    const atSecurity = await atSecurityLevel(`${name}-security`);
    expect((await vote(atSecurity.id, SECURITY[1], 'approve')).status).toBe(200);
    const atLevel1 = await roleGrant(`${name}-level1`);
    return { atSecurity, atLevel1, ours: (items: { taskId: string }[] | undefined) => (items ?? []).filter((item) => [atSecurity.id, atLevel1.id].includes(item.taskId)) };
  }

  it('lists for each approver what waits for their own vote, at its level, with quorum progress and due date', async () => {
    // Prepare
    const { atSecurity, atLevel1, ours } = await twoWaiting('inbox');
    const inboxOf = (email: string) => api('/v1/inbox?type=role-grant&limit=100', { headers: bearer(jwtOf(email)) });

    // Act
    const [inbox, ownerInbox, votedInbox] = await Promise.all([inboxOf(SECURITY[0]), inboxOf(OWNER), inboxOf(SECURITY[1])]);

    // Assess
    const security = await levelOf(atSecurity.id, 'security');
    const level1 = await levelOf(atLevel1.id, 'project-admins');
    const createdAt = async (id: string) => (await waitForTask(id, () => true)).createdAt;
    expect([inbox.status, ours(inbox.json?.items)]).toStrictEqual([
      200,
      [
        {
          taskId: atSecurity.id,
          type: 'role-grant',
          createdAt: await createdAt(atSecurity.id),
          level: { name: 'security', number: 2, of: 2 },
          quorum: 2,
          approvals: 1,
          openedAt: security.openedAt,
          due: security.due,
        },
      ],
    ]);
    expect([ownerInbox.status, ours(ownerInbox.json?.items)]).toStrictEqual([
      200,
      [{ taskId: atLevel1.id, type: 'role-grant', createdAt: await createdAt(atLevel1.id), level: { name: 'project-admins', number: 1, of: 2 }, quorum: 1, approvals: 0, openedAt: level1.openedAt }],
    ]);
    expect([votedInbox.status, ours(votedInbox.json?.items)]).toStrictEqual([200, []]);
    await Promise.all([cancel(atSecurity.id), cancel(atLevel1.id)]);
  });

  it('decides several at once: one counted, one not the caller\'s to decide (at level 1): 207 with one result per item', async () => {
    // Prepare
    const { atSecurity, atLevel1 } = await twoWaiting('bulk');

    // Act: approver@ approves both.
    const bulk = await api('/v1/inbox/decisions', {
      method: 'POST',
      headers: bearer(jwtOf(SECURITY[0])),
      json: { decisions: [{ taskId: atSecurity.id, decision: 'approve' }, { taskId: atLevel1.id, decision: 'approve' }] },
    });

    // Assess
    expect([bulk.status, bulk.json]).toStrictEqual([
      207,
      {
        results: [
          { taskId: atSecurity.id, ok: true, status: 'approved' },
          {
            taskId: atLevel1.id,
            ok: false,
            problem: {
              status: 403,
              type: 'not-an-approver',
              title: 'You are not an approver of this level',
              detail: `You are not an approver of level project-admins of task ${atLevel1.id}, the level its approval is at.`,
            },
          },
        ],
        succeeded: 1,
        failed: 1,
      },
    ]);
    const decided = await waitForTask(atSecurity.id, (task) => task.status === 'completed');
    expect(decided.approval.levels[1].votes.map((cast: { by: string; via: string }) => [cast.by, cast.via])).toStrictEqual([
      [SECURITY[1], 'api'],
      [SECURITY[0], 'inbox'],
    ]);
    expect((await levelOf(atLevel1.id, 'project-admins')).votes).toStrictEqual([]);
    await cancel(atLevel1.id);
  });
});
