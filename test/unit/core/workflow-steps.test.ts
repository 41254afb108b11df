import { InvalidTransitionError } from '#core/errors';
import { engineWithFakes, linkSecret } from '../../support/engine-harness.ts';
import { expectError } from '../../support/expect-error.ts';

/**
 * The two waits of the state machine (AwaitApproval, AwaitToken) as the steps Lambda runs them: each
 * does its stage's work, then waits for a person or answers its own task token at once, so every
 * path goes AwaitApproval → AwaitToken → Complete with no routing. Each step reads the task's status
 * and skips what is done, which is what makes an admin retry a new execution from the start.
 */
const ADMIN = { kind: 'admin' as const, id: 'root@example.com' };
const REQUESTER = { sub: 'u1', email: 'u1@example.com', roles: [] };

const setup = () => engineWithFakes({ operatorEmails: ['ops@example.com'] });

const signUp = (harness: ReturnType<typeof setup>) => harness.engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);

async function markDone(harness: ReturnType<typeof setup>) {
  await harness.todos.create({ id: 't1', title: 'Write tests', done: false, archived: false, createdAt: 'x' });
  return harness.engine.createTask('todos.mark-done', { id: 't1' }, REQUESTER);
}

function resetPassword(harness: ReturnType<typeof setup>, email: string) {
  harness.directory.users.set('known@example.com', { email: 'known@example.com', projectId: 'p1', roles: [], enabled: true, createdAt: 'x' });
  return harness.engine.createTask('reset-password', { email }, undefined);
}

const kinds = async (harness: ReturnType<typeof setup>) => [...harness.notifications.notifications.values()].map((n) => n.kind);

describe('AwaitApproval', () => {
  it('runs preApprove, emails the approvers, notifies no operator and waits (its token not answered)', async () => {
    // Prepare
    const harness = setup();
    const task = await signUp(harness);

    // Act
    await harness.engine.awaitApproval(task.id, 'sfn-approval-1');

    // Assess
    const waiting = await harness.engine.getTask(task.id);
    expect([waiting.status, waiting.validatedAt !== undefined, waiting.wait?.kind, waiting.wait?.sfnToken]).toStrictEqual(['pending', true, 'approval', 'sfn-approval-1']);
    expect(harness.mailer.sent.map((mail) => [mail.to, mail.subject])).toStrictEqual([[['ops@example.com'], `Approval needed: sign-up ${task.id}`]]);
    expect(await kinds(harness)).toStrictEqual([]);
    expect(harness.workflow.resumed).toStrictEqual([]);
  });

  it('run again with the same token (its first run died, maybe before emailing): emails again, and both links work', async () => {
    // Prepare
    const harness = setup();
    const task = await signUp(harness);
    await harness.engine.awaitApproval(task.id, 'sfn-approval-1');
    const version = (await harness.store.get(task.id))?.version;

    // Act
    await harness.engine.awaitApproval(task.id, 'sfn-approval-1');

    // Assess: a second link of the same round, the wait unchanged, the resend recorded (one write).
    const links = harness.mailer.sent.map((mail) => linkSecret(mail.text));
    const views = await Promise.all(links.map(async (secret) => (await harness.core.requests.viewApproval(secret)).task.id));
    const stored = await harness.store.get(task.id);
    expect([links.length, new Set(links).size, views, stored?.version, stored?.resentEmails]).toStrictEqual([
      2,
      2,
      [task.id, task.id],
      (version ?? 0) + 1,
      [{ stage: 'approval', round: stored?.wait?.round, at: expect.any(String) }],
    ]);
    expect(await kinds(harness)).toStrictEqual([]);
  });

  it('retried by the state machine after the approval email failed: sends it in the new round', async () => {
    // Prepare: the first run's email fails (its claim is given back), as a TransientError the state retries.
    const harness = setup();
    const task = await signUp(harness);
    const send = harness.mailer.send.bind(harness.mailer);
    harness.mailer.send = async () => {
      throw new Error('SES throttled');
    };
    await expect(harness.engine.awaitApproval(task.id, 'sfn-approval-1')).rejects.toThrow('SES throttled');
    harness.mailer.send = send;

    // Act
    await harness.engine.awaitApproval(task.id, 'sfn-approval-2');

    // Assess
    expect([(await harness.engine.getTask(task.id)).wait?.sfnToken, harness.mailer.sent.length]).toStrictEqual(['sfn-approval-2', 1]);
    expect(await kinds(harness)).toStrictEqual([]);
  });

  it('answers its own token with the decision when preApprove auto-approves: no email, no notice', async () => {
    // Prepare
    const harness = setup();
    const task = await markDone(harness);

    // Act
    await harness.engine.awaitApproval(task.id, 'sfn-approval-1');

    // Assess
    expect((await harness.engine.getTask(task.id)).status).toBe('approved');
    expect(harness.workflow.resumed).toStrictEqual([{ sfnToken: 'sfn-approval-1', output: { decision: 'approved' } }]);
    expect([harness.mailer.sent, await kinds(harness)]).toStrictEqual([[], []]);
  });

  it('answers its own token with the rejection when preApprove auto-rejects an invalid request', async () => {
    // Prepare
    const harness = setup();
    const task = await resetPassword(harness, 'ghost@example.com');

    // Act
    await harness.engine.awaitApproval(task.id, 'sfn-approval-1');

    // Assess
    expect((await harness.engine.getTask(task.id)).status).toBe('rejected');
    expect(harness.workflow.resumed).toStrictEqual([{ sfnToken: 'sfn-approval-1', output: { decision: 'rejected' } }]);
  });

  it('answers at once for a task decided before it ran (the new execution of a retry), without running preApprove again', async () => {
    // Prepare
    const harness = setup();
    const task = await signUp(harness);
    await harness.engine.awaitApproval(task.id, 'sfn-approval-1');
    await harness.engine.decide(task.id, 'approve');
    const before = await harness.engine.getTask(task.id);

    // Act
    await harness.engine.awaitApproval(task.id, 'sfn-approval-2');

    // Assess
    expect(harness.workflow.resumed.at(-1)).toStrictEqual({ sfnToken: 'sfn-approval-2', output: { decision: 'approved' } });
    expect((await harness.engine.getTask(task.id)).version).toBe(before.version);
  });
});

describe('AwaitToken', () => {
  it('runs postApprove, moves the task to awaiting_token and emails the token; its own token is left for the submit', async () => {
    // Prepare
    const harness = setup();
    const task = await resetPassword(harness, 'known@example.com');
    await harness.engine.awaitApproval(task.id, 'sfn-approval-1');

    // Act
    await harness.engine.awaitToken(task.id, 'sfn-token-1');

    // Assess
    const waiting = await harness.engine.getTask(task.id);
    expect([waiting.status, waiting.postApprovedAt !== undefined, waiting.wait?.kind, waiting.wait?.sfnToken]).toStrictEqual(['awaiting_token', true, 'token', 'sfn-token-1']);
    expect(harness.mailer.sent.map((mail) => mail.to)).toStrictEqual([['known@example.com']]);
    expect(harness.workflow.resumed.map((resume) => resume.sfnToken)).toStrictEqual(['sfn-approval-1']);
  });

  it('with no token needed: runs postApprove and the submit stage, completes the task and answers its own token', async () => {
    // Prepare
    const harness = setup();
    const task = await markDone(harness);
    await harness.engine.awaitApproval(task.id, 'sfn-approval-1');

    // Act
    await harness.engine.awaitToken(task.id, 'sfn-token-1');

    // Assess
    const done = await harness.engine.getTask(task.id);
    expect([done.status, done.postApprovedAt !== undefined, (await harness.todos.get('t1'))?.done]).toStrictEqual(['completed', true, true]);
    expect(harness.workflow.resumed.at(-1)).toStrictEqual({ sfnToken: 'sfn-token-1', output: { submitted: true } });
    expect(done.history.map((entry) => entry.event)).toStrictEqual(['created', 'auto-approved', 'completed']);
  });

  it('after postApprove finished (a retry once the token email failed) goes straight on to the token: the project is not looked up again', async () => {
    // Prepare: postApprove created the project; then the token email failed and the task failed in AwaitToken.
    const harness = setup();
    const task = await signUp(harness);
    await harness.engine.awaitApproval(task.id, 'sfn-approval-1');
    await harness.engine.decide(task.id, 'approve');
    const send = harness.mailer.send.bind(harness.mailer);
    harness.mailer.send = async () => {
      throw new Error('SES down');
    };
    await expect(harness.engine.awaitToken(task.id, 'sfn-token-1')).rejects.toThrow('SES down');
    await harness.engine.fail(task.id, 'AwaitToken', { Error: 'Error', Cause: 'SES down' });
    harness.mailer.send = send;
    let lookups = 0;
    const findProjectByName = harness.directory.findProjectByName.bind(harness.directory);
    harness.directory.findProjectByName = async (name) => {
      lookups += 1;
      return findProjectByName(name);
    };

    // Act: the retry's execution.
    await harness.engine.retry(task.id, ADMIN);
    await harness.engine.awaitApproval(task.id, 'sfn-approval-2');
    await harness.engine.awaitToken(task.id, 'sfn-token-2');

    // Assess
    const waiting = await harness.engine.getTask(task.id);
    expect([waiting.status, waiting.wait?.sfnToken, lookups]).toStrictEqual(['awaiting_token', 'sfn-token-2', 0]);
    expect(harness.mailer.sent.at(-1)?.subject).toBe('Choose your password for apollo');
    expect([...harness.directory.projects.keys()]).toStrictEqual(['apollo']);
  });

  it('run again while the task waits for its token (a retried state): a new round, postApprove not run again', async () => {
    // Prepare
    const harness = setup();
    const task = await resetPassword(harness, 'known@example.com');
    await harness.engine.awaitApproval(task.id, 'sfn-approval-1');
    await harness.engine.awaitToken(task.id, 'sfn-token-1');
    const first = await harness.engine.getTask(task.id);

    // Act
    await harness.engine.awaitToken(task.id, 'sfn-token-2');

    // Assess
    const again = await harness.engine.getTask(task.id);
    expect([again.wait?.sfnToken, again.wait?.round, again.postApprovedAt, again.actions[0]?.notes]).toStrictEqual(['sfn-token-2', (first.wait?.round ?? 0) + 1, first.postApprovedAt, first.actions[0]?.notes]);
    expect(harness.mailer.sent).toHaveLength(2);
  });

  it('answers at once for a task that ended: a rejection goes on to Complete, which sends nothing', async () => {
    // Prepare
    const harness = setup();
    const task = await signUp(harness);
    await harness.engine.awaitApproval(task.id, 'sfn-approval-1');
    await harness.engine.decide(task.id, 'reject', 'Not now');
    const sent = harness.mailer.sent.length;

    // Act
    await harness.engine.awaitToken(task.id, 'sfn-token-1');
    await harness.engine.complete(task.id);

    // Assess
    expect(harness.workflow.resumed).toStrictEqual([
      { sfnToken: 'sfn-approval-1', output: { decision: 'rejected' } },
      { sfnToken: 'sfn-token-1', output: { done: 'rejected' } },
    ]);
    expect(harness.mailer.sent).toHaveLength(sent);
  });

  it('answers at once for a task its token submit completed (a re-run after the submit)', async () => {
    // Prepare
    const harness = setup();
    const task = await resetPassword(harness, 'known@example.com');
    await harness.engine.awaitApproval(task.id, 'sfn-approval-1');
    await harness.engine.awaitToken(task.id, 'sfn-token-1');
    await harness.engine.submitToken(linkSecret(harness.mailer.sent.at(-1)?.text), { password: 'a long enough password' });

    // Act
    await harness.engine.awaitToken(task.id, 'sfn-token-2');

    // Assess
    expect(harness.workflow.resumed.at(-1)).toStrictEqual({ sfnToken: 'sfn-token-2', output: { submitted: true } });
  });

  it('refuses a task still waiting for its decision: AwaitToken comes after one', async () => {
    // Prepare
    const harness = setup();
    const task = await signUp(harness);
    await harness.engine.awaitApproval(task.id, 'sfn-approval-1');

    // Act
    const attempt = harness.engine.awaitToken(task.id, 'sfn-token-1');

    // Assess
    await expectError(attempt, InvalidTransitionError, `Task ${task.id} is pending; AwaitToken needs it decided.`);
  });
});

describe('an admin retry', () => {
  it('goes back to pending when the task was never approved, to approved when it was, and starts a new execution from the start', async () => {
    // Prepare
    const harness = setup();
    const early = await signUp(harness);
    await harness.engine.fail(early.id, 'AwaitApproval', { Error: 'Error' });
    const late = await harness.engine.createTask('sign-up', { email: 'bob@example.com', projectName: 'hermes' }, undefined);
    await harness.engine.awaitApproval(late.id, 'sfn-approval-1');
    await harness.engine.decide(late.id, 'approve');
    await harness.engine.fail(late.id, 'AwaitToken', { Error: 'Error' });

    // Act
    const retriedEarly = await harness.engine.retry(early.id, ADMIN);
    const retriedLate = await harness.engine.retry(late.id, ADMIN);

    // Assess
    expect([retriedEarly.status, retriedLate.status]).toStrictEqual(['pending', 'approved']);
    expect(harness.workflow.started.slice(-2)).toStrictEqual([
      { taskId: early.id, approvalTimeoutSeconds: 604800, tokenTimeoutSeconds: 604800, attempt: 2 },
      { taskId: late.id, approvalTimeoutSeconds: 604800, tokenTimeoutSeconds: 604800, attempt: 2 },
    ]);
  });
});
