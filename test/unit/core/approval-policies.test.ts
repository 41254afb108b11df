import { AlreadyVotedError, NotAnApproverError, NotFoundError, SecretExpiredError, TaskAlreadyDecidedError, ValidationError } from '#core/errors';
import type { Identity } from '#core/identity';
import type { Task } from '#core/task';
import { defineTaskType, type TaskTypeInput } from '#core/task-type';
import { engineWithFakes, identity, linkSecret } from '../../support/engine-harness.ts';
import { expectError } from '../../support/expect-error.ts';
import type { RecordingMailer } from '../../support/fakes.ts';

/**
 * A task type's approval policy through the core: levels open in order, each with one email per
 * approver; votes count once per person per level; a quorum opens the next level and the last one
 * approves; any reject ends the task. Reminders and deadlines run on the reconciler's schedule.
 */

const LEAD = 'lead@example.com';
const SECURITY = ['s1@example.com', 's2@example.com', 's3@example.com'];
const DAY = 24 * 3600;

/** Level 1: the lead; level 2: two of group security, 3 days, a reminder after 1, then `onDeadline`. */
const twoLevels = (onDeadline: 'reject' | 'cancel' | 'escalate' = 'escalate', extra: Partial<TaskTypeInput> = {}) =>
  defineTaskType({
    name: 'two-levels',
    description: 'A sign-up approved by the lead, then two of security.',
    actions: ['new-project-with-user'],
    access: 'public',
    autoApprove: false,
    approval: {
      levels: [
        { name: 'lead', approvers: { emails: [LEAD] } },
        {
          name: 'security',
          approvers: { groups: ['security'] },
          quorum: 2,
          deadline: 'P3D',
          reminders: ['P1D'],
          onDeadline,
          ...(onDeadline === 'escalate' ? { escalateTo: { roles: ['admin'] } } : {}),
        },
      ],
    },
    ...extra,
  });

function setup(onDeadline: 'reject' | 'cancel' | 'escalate' = 'escalate') {
  const harness = engineWithFakes({ operatorEmails: ['ops@example.com'], admins: ['boss@example.com'], extraTaskTypes: [twoLevels(onDeadline)] });
  for (const email of SECURITY) void harness.directory.createUser({ email, roles: ['security'], enabled: true, createdAt: 'x' });
  return harness;
}

type Harness = ReturnType<typeof setup>;

const asAccount = (email: string, roles: string[] = ['security']): Identity => identity(email, roles);
const approvalMails = (mailer: RecordingMailer, id: string) => mailer.sent.filter((mail) => mail.subject === `Approval needed: two-levels ${id}`);
const linkOf = (mailer: RecordingMailer, id: string, to: string) => linkSecret(approvalMails(mailer, id).findLast((mail) => mail.to.includes(to))?.text);

/** A two-levels task waiting at its first level (the lead's). */
async function waitingForLead(harness: Harness): Promise<Task> {
  const task = await harness.engine.createTask('two-levels', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
  await harness.engine.awaitApproval(task.id, 'sfn-approval');
  return task;
}

/** A two-levels task the lead approved: level security is open, its emails sent. */
async function atSecurity(harness: Harness): Promise<Task> {
  const task = await waitingForLead(harness);
  await harness.engine.vote(task.id, asAccount(LEAD, []), 'approve');
  return harness.engine.getTask(task.id);
}

describe('levels in order', () => {
  it('emails only the open level\'s approvers, one email each, and opens the next level at the quorum', async () => {
    // Prepare
    const harness = setup();

    // Act
    const task = await waitingForLead(harness);
    const firstMails = approvalMails(harness.mailer, task.id).map((mail) => mail.to);
    const afterLead = await harness.engine.vote(task.id, asAccount(LEAD, []), 'approve');

    // Assess
    expect(firstMails).toStrictEqual([[LEAD]]);
    expect(approvalMails(harness.mailer, task.id).map((mail) => mail.to)).toStrictEqual([[LEAD], ...SECURITY.map((email) => [email])]);
    expect([afterLead.status, afterLead.approval?.level, afterLead.approval?.levels.map((level) => level.state)]).toStrictEqual(['pending', 1, ['approved', 'open']]);
    expect(afterLead.approval?.levels[1]?.due).toBe('2026-11-26T10:00:00.000Z');
    expect(harness.workflow.resumed).toStrictEqual([]);
    expect(harness.mailer.sent.some((mail) => mail.to.includes('ops@example.com') && mail.subject.startsWith('Approval needed'))).toBe(false);
  });

  it('refuses a vote from an approver of a later level while an earlier one is open (403 not-an-approver)', async () => {
    // Prepare
    const harness = setup();
    const task = await waitingForLead(harness);

    // Act
    const early = harness.engine.vote(task.id, asAccount('s1@example.com'), 'approve');

    // Assess
    await expectError(early, NotAnApproverError, `You are not an approver of level lead of task ${task.id}, the level its approval is at.`);
    expect((await harness.engine.getTask(task.id)).approval?.levels[0]?.votes).toStrictEqual({});
  });

  it('approves at the last level\'s quorum, then tells the waiting execution once', async () => {
    // Prepare
    const harness = setup();
    const task = await atSecurity(harness);

    // Act
    const one = await harness.engine.vote(task.id, asAccount('s1@example.com'), 'approve');
    const two = await harness.engine.vote(task.id, asAccount('s2@example.com'), 'approve');

    // Assess
    expect([one.status, two.status, two.approvedBy]).toStrictEqual(['pending', 'approved', { kind: 'approver', id: 's2@example.com' }]);
    expect(harness.workflow.resumed).toStrictEqual([{ sfnToken: 'sfn-approval', output: { decision: 'approved' } }]);
    expect(two.history.map((entry) => entry.event)).toStrictEqual(['created', 'level-opened', 'vote-approve', 'level-opened', 'vote-approve', 'approved']);
    expect(two.history.at(-1)?.reason).toBe('Level security: approve by s2@example.com via api (2 of 2 approvals).');
    expect(two.awaiting).toStrictEqual([]);
  });

  it('skips an onlyWhenAsked level that no action asked for', async () => {
    // Prepare
    const asked = defineTaskType({
      name: 'when-asked',
      description: 'x',
      actions: ['new-project-with-user'],
      access: 'public',
      autoApprove: false,
      approval: { levels: [{ name: 'admins', approvers: { roles: ['admin'] } }, { name: 'security', approvers: { groups: ['security'] }, onlyWhenAsked: true }] },
    });
    const harness = engineWithFakes({ admins: ['boss@example.com'], extraTaskTypes: [asked] });
    const task = await harness.engine.createTask('when-asked', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await harness.engine.awaitApproval(task.id, 'sfn-approval');

    // Act
    const decided = await harness.engine.vote(task.id, asAccount('boss@example.com', ['admin']), 'approve');

    // Assess
    expect([decided.status, decided.approval?.levels.map((level) => `${level.name}:${level.state}`)]).toStrictEqual(['approved', ['admins:approved', 'security:skipped']]);
  });
});

describe('votes', () => {
  it('count once per person per level: concurrent votes of three approvers at quorum 2 approve once, the third is told', async () => {
    // Prepare
    const harness = setup();
    const task = await atSecurity(harness);

    // Act
    const results = await Promise.allSettled(SECURITY.map((email) => harness.engine.vote(task.id, asAccount(email), 'approve')));

    // Assess
    const stored = await harness.engine.getTask(task.id);
    const refused = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect([stored.status, Object.keys(stored.approval?.levels[1]?.votes ?? {}).length]).toStrictEqual(['approved', 2]);
    expect(refused.map((result) => result.reason instanceof TaskAlreadyDecidedError)).toStrictEqual([true]);
    expect(stored.history.filter((entry) => entry.event === 'approved')).toHaveLength(1);
    expect(harness.workflow.resumed).toHaveLength(1);
  });

  it('refuse a second vote of the same person at a level (409 already-voted)', async () => {
    // Prepare
    const harness = setup();
    const task = await atSecurity(harness);
    await harness.engine.vote(task.id, asAccount('s1@example.com'), 'approve');

    // Act
    const again = harness.engine.vote(task.id, asAccount('s1@example.com'), 'reject', 'changed my mind');

    // Assess
    await expectError(again, AlreadyVotedError, `You already voted at level security of task ${task.id}: approve at 2026-11-23T10:00:00.000Z.`);
    expect((await harness.engine.getTask(task.id)).status).toBe('pending');
  });

  it('end the task at any reject, with its reason recorded and emailed to the requester', async () => {
    // Prepare
    const harness = setup();
    const task = await atSecurity(harness);
    await harness.engine.vote(task.id, asAccount('s1@example.com'), 'approve');

    // Act
    const rejected = await harness.engine.vote(task.id, asAccount('s2@example.com'), 'reject', 'Not for this project.');

    // Assess
    expect([rejected.status, rejected.approval?.levels[1]?.state, rejected.history.at(-1)?.reason]).toStrictEqual(['rejected', 'rejected', 'Not for this project.']);
    expect(rejected.history.at(-2)?.reason).toBe('Level security: reject by s2@example.com via api (1 of 2 approvals): Not for this project.');
    expect(harness.workflow.resumed).toStrictEqual([{ sfnToken: 'sfn-approval', output: { decision: 'rejected' } }]);
    const told = harness.mailer.sent.at(-1);
    expect([told?.to, told?.text.includes('Not for this project.')]).toStrictEqual([['ann@example.com'], true]);
  });

  it('cast through a link are that approver\'s, at that level: the link stops at the next level', async () => {
    // Prepare
    const harness = setup();
    const task = await waitingForLead(harness);
    const leadLink = linkOf(harness.mailer, task.id, LEAD);
    await harness.engine.decideByLink(leadLink, 'approve');
    const s1Link = linkOf(harness.mailer, task.id, 's1@example.com');

    // Act
    const counted = await harness.engine.decideByLink(s1Link, 'approve');
    const reused = harness.engine.decideByLink(s1Link, 'approve');

    // Assess
    expect(counted.approval?.levels[1]?.votes['s1@example.com']).toStrictEqual({ decision: 'approve', at: '2026-11-23T10:00:00.000Z', via: 'link' });
    await expectError(reused, AlreadyVotedError, 'You already voted at level security: approve at 2026-11-23T10:00:00.000Z.');
    await expectError(harness.engine.decideByLink(leadLink, 'approve'), SecretExpiredError, 'This link no longer works: Level 1 of the approval is over; the task is at level 2 (security).');
  });
});

describe('the schedule (reminders, deadlines)', () => {
  it('sends one reminder to each approver who has not voted, once, at its time', async () => {
    // Prepare
    const harness = setup();
    const task = await atSecurity(harness);
    await harness.engine.vote(task.id, asAccount('s1@example.com'), 'approve');
    const early = await harness.core.schedules.approvalSchedule(task.id);
    harness.clock.advance(DAY);

    // Act
    const first = await harness.core.schedules.approvalSchedule(task.id);
    const second = await harness.core.schedules.approvalSchedule(task.id);

    // Assess
    const reminders = harness.mailer.sent.filter((mail) => mail.subject === `Reminder - approval needed: two-levels ${task.id}`);
    expect([early, first, second]).toStrictEqual([undefined, 'reminded', undefined]);
    expect(reminders.map((mail) => mail.to)).toStrictEqual([['s2@example.com'], ['s3@example.com']]);
    const stored = await harness.engine.getTask(task.id);
    expect(stored.approval?.levels[1]?.remindersSent).toStrictEqual(['2026-11-24T10:00:00.000Z']);
    expect(stored.history.at(-1)?.reason).toBe('Level security: reminder 1 of 1 sent to s2@example.com, s3@example.com.');
  });

  it('escalates once at the deadline: the escalation\'s approvers join the level and get its email; their vote counts', async () => {
    // Prepare
    const harness = setup('escalate');
    const task = await atSecurity(harness);
    await harness.engine.vote(task.id, asAccount('s1@example.com'), 'approve');
    harness.clock.advance(3 * DAY);

    // Act
    const outcomes = [await harness.core.schedules.approvalSchedule(task.id), await harness.core.schedules.approvalSchedule(task.id)];
    const decided = await harness.engine.vote(task.id, asAccount('boss@example.com', ['admin']), 'approve');

    // Assess
    expect(outcomes).toStrictEqual(['escalated', undefined]);
    const escalation = approvalMails(harness.mailer, task.id).filter((mail) => mail.to.includes('boss@example.com'));
    expect([escalation.length, escalation[0]?.text.includes('escalated to you')]).toStrictEqual([1, true]);
    expect([decided.status, decided.approval?.levels[1]?.escalatedTo]).toStrictEqual(['approved', ['boss@example.com']]);
    expect(decided.history.filter((entry) => entry.event === 'escalated')).toHaveLength(1);
  });

  it.each([
    ['reject', 'rejected'],
    ['cancel', 'cancelled'],
  ] as const)('on deadline "%s" ends the task %s, tells the execution and the requester', async (onDeadline, status) => {
    // Prepare
    const harness = setup(onDeadline);
    const task = await atSecurity(harness);
    harness.clock.advance(3 * DAY);

    // Act
    const outcome = await harness.core.schedules.approvalSchedule(task.id);

    // Assess
    const ended = await harness.engine.getTask(task.id);
    expect([outcome, ended.status, ended.history.at(-1)?.event]).toStrictEqual([status, status, 'deadline-passed']);
    expect(harness.workflow.resumed).toStrictEqual([{ sfnToken: 'sfn-approval', output: { decision: 'rejected' } }]);
    expect(harness.mailer.sent.at(-1)?.to).toStrictEqual(['ann@example.com']);
  });

  it('is run by the reconciler on every pending task, whatever its age, and counted', async () => {
    // Prepare
    const harness = setup();
    const task = await atSecurity(harness);
    harness.clock.advance(DAY);

    // Act
    const counts = await harness.core.schedules.reconcile({ graceSeconds: 10 * DAY });

    // Assess
    expect(counts).toStrictEqual({ checked: 0, started: 0, resumed: 0, failed: 0, reminded: 1, escalated: 0, deadlineEnded: 0, remailed: 0 });
    expect((await harness.engine.getTask(task.id)).approval?.levels[1]?.remindersSent).toHaveLength(1);
  });
});

describe('delegation', () => {
  it('gives the delegate a link and the vote, revokes the delegator\'s, and records it', async () => {
    // Prepare
    const harness = setup();
    const task = await atSecurity(harness);
    const ownLink = linkOf(harness.mailer, task.id, 's1@example.com');

    // Act
    await harness.engine.delegate(task.id, asAccount('s1@example.com'), 'Dee@Example.com', 'on leave');
    const delegateLink = linkOf(harness.mailer, task.id, 'dee@example.com');
    const counted = await harness.engine.decideByLink(delegateLink, 'approve');

    // Assess
    expect(counted.approval?.levels[1]?.votes['dee@example.com']).toMatchObject({ decision: 'approve', onBehalfOf: 's1@example.com' });
    expect(counted.history.find((entry) => entry.event === 'delegated')?.reason).toBe('Level security: s1@example.com handed their vote to dee@example.com: on leave.');
    await expectError(harness.engine.decideByLink(ownLink, 'approve'), SecretExpiredError, 'This link no longer works: You handed your vote to dee@example.com at 2026-11-23T10:00:00.000Z.');
    await expectError(
      harness.engine.vote(task.id, asAccount('s1@example.com'), 'approve'),
      NotAnApproverError,
      `You delegated your vote at level security of task ${task.id} to dee@example.com at 2026-11-23T10:00:00.000Z.`,
    );
    const mail = approvalMails(harness.mailer, task.id).find((sent) => sent.to.includes('dee@example.com'));
    expect(mail?.text.includes('s1@example.com handed their vote to you: on leave.')).toBe(true);
  });

  it.each([
    ['to themselves', 's1@example.com', 'is you: hand your vote to someone else'],
    ['to the requester', 'ann@example.com', 'asked for this task: a requester never decides their own task'],
    ['to another approver of the level', 's2@example.com', 'is an approver of this level already: each person votes once'],
  ])('is refused %s (400, field "to")', async (_name, to, message) => {
    // Prepare
    const harness = setup();
    const task = await harness.engine.createTask('two-levels', { email: 'ann@example.com', projectName: 'apollo' }, { sub: 'u-ann', email: 'ann@example.com', roles: [] });
    await harness.engine.awaitApproval(task.id, 'sfn-approval');
    await harness.engine.vote(task.id, asAccount(LEAD, []), 'approve');

    // Act
    const attempt = harness.engine.delegate(task.id, asAccount('s1@example.com'), to);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ status: 400, errors: [{ path: 'to', message }] });
  });

  it('never goes back to someone who handed their vote over (no cycles)', async () => {
    // Prepare
    const harness = setup();
    const task = await atSecurity(harness);
    await harness.engine.delegate(task.id, asAccount('s1@example.com'), 'dee@example.com');

    // Act
    const back = harness.engine.delegate(task.id, asAccount('dee@example.com', []), 's1@example.com');

    // Assess
    await expect(back).rejects.toMatchObject({ status: 400, errors: [{ path: 'to', message: 'handed their vote at this level over already: a vote cannot come back (no cycles)' }] });
  });
});

describe('the inbox', () => {
  it('lists what waits for the caller\'s vote, with quorum progress and due date, and drops it once they voted', async () => {
    // Prepare
    const harness = setup();
    const task = await atSecurity(harness);
    await harness.engine.vote(task.id, asAccount('s1@example.com'), 'approve');

    // Act
    const [s1, s2, lead, dueSoon] = await Promise.all([
      harness.engine.inbox(asAccount('s1@example.com'), { limit: 10 }),
      harness.engine.inbox(asAccount('s2@example.com'), { limit: 10 }),
      harness.engine.inbox(asAccount(LEAD, []), { limit: 10 }),
      harness.engine.inbox(asAccount('s2@example.com'), { limit: 10, dueBefore: '2026-11-24T00:00:00.000Z' }),
    ]);

    // Assess
    expect(s2).toStrictEqual({
      items: [
        {
          taskId: task.id,
          type: 'two-levels',
          createdAt: '2026-11-23T10:00:00.000Z',
          level: { name: 'security', number: 2, of: 2 },
          quorum: 2,
          approvals: 1,
          openedAt: '2026-11-23T10:00:00.000Z',
          due: '2026-11-26T10:00:00.000Z',
        },
      ],
    });
    expect([s1, lead, dueSoon]).toStrictEqual([{ items: [] }, { items: [] }, { items: [] }]);
  });

  it('decides in bulk, one result per item: a failure is reported for its item and the others go on', async () => {
    // Prepare
    const harness = setup();
    const first = await atSecurity(harness);
    const second = await harness.engine.createTask('two-levels', { email: 'bob@example.com', projectName: 'hermes' }, undefined);
    await harness.engine.awaitApproval(second.id, 'sfn-approval-2');

    // Act
    const results = await harness.engine.decideMany(asAccount('s1@example.com'), [
      { taskId: first.id, decision: 'approve' },
      { taskId: second.id, decision: 'approve' },
    ]);

    // Assess
    expect(results).toStrictEqual([
      { taskId: first.id, ok: true, status: 'pending', level: 'security' },
      {
        taskId: second.id,
        ok: false,
        problem: { status: 403, type: 'not-an-approver', title: expect.any(String), detail: `You are not an approver of level lead of task ${second.id}, the level its approval is at.` },
      },
    ]);
    expect((await harness.engine.getTask(first.id)).approval?.levels[1]?.votes['s1@example.com']?.via).toBe('inbox');
  });
});

describe('reading a task', () => {
  it('is allowed to the people its approval names, at any level, and to no other signed-in caller', async () => {
    // Prepare
    const harness = setup();
    const task = await atSecurity(harness);

    // Act
    const [lead, security] = await Promise.all([harness.engine.getTaskFor(task.id, asAccount(LEAD, [])), harness.engine.getTaskFor(task.id, asAccount('s3@example.com'))]);
    const stranger = harness.engine.getTaskFor(task.id, asAccount('eve@example.com'));

    // Assess
    expect([lead.asApprover, lead.asAdmin, security.asApprover, security.task.id]).toStrictEqual([true, false, true, task.id]);
    await expectError(stranger, NotFoundError, `There is no task ${task.id}.`);
  });
});

describe('a level that cannot open when its turn comes', () => {
  it('keeps the vote that met the level before, and is opened by the reconciler\'s schedule a minute later', async () => {
    // Prepare: the directory is down when the lead's vote approves level lead.
    const internal: string[] = [];
    const harness = engineWithFakes({ operatorEmails: ['ops@example.com'], admins: ['boss@example.com'], extraTaskTypes: [twoLevels()], onInternalError: (message) => internal.push(message) });
    for (const email of SECURITY) void harness.directory.createUser({ email, roles: ['security'], enabled: true, createdAt: 'x' });
    const task = await waitingForLead(harness);
    const usersInGroup = harness.directory.usersInGroup.bind(harness.directory);
    harness.directory.usersInGroup = async () => {
      throw Object.assign(new Error('directory unavailable'), { name: 'TransientError' });
    };

    // Act
    const voted = await harness.engine.vote(task.id, asAccount(LEAD, []), 'approve');
    harness.directory.usersInGroup = usersInGroup;
    const early = await harness.core.schedules.approvalSchedule(task.id);
    harness.clock.advance(61);
    const later = await harness.core.schedules.approvalSchedule(task.id);

    // Assess
    expect([voted.status, voted.approval?.levels.map((level) => level.state), internal]).toStrictEqual([
      'pending',
      ['approved', 'waiting'],
      [`Task ${task.id}: the next level of its approval could not open; the reconciler opens it`],
    ]);
    expect([early, later, (await harness.engine.getTask(task.id)).approval?.levels[1]?.state]).toStrictEqual([undefined, 'mailed', 'open']);
    expect(approvalMails(harness.mailer, task.id).map((mail) => mail.to[0])).toStrictEqual([LEAD, ...SECURITY]);
  });
});
