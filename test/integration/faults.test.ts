import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { Decision } from '#core/facades';
import { seededUser, unique } from '../support/stack.ts';
import { createSignUp, secretOf, type StepFault, type StepName, tokenEmailsOf, tokenLinkOf } from '../support/fault-harness.ts';
import { ADMIN, APPROVED_BY, APPROVER_EMAIL, PASSWORD, signUpFlows, useFaultHarness } from '../support/fault-flows.ts';
import type { Fault } from '../support/fault-proxy.ts';

/**
 * Faults at every seam of a sign-up (approval, then a token), with the real state machine, the real
 * steps code and the real adapters over real protocols (see test/support/fault-harness.ts). Whatever
 * fails, the task either completes with every effect applied exactly once, or ends `failed` with the
 * error recorded and the operators told, and an admin retry (a new execution from the start, whose
 * steps skip what is done) completes it.
 * test/slow/faults.slow.test.ts throttles every adapter call of every step in turn, and waits out a
 * real state timeout.
 */
const THROTTLE: Fault = { kind: 'throttle' };

const harness = useFaultHarness();

/** Every facade of the app's core in one object, as a person and the state machine drive it. */
const engine = () => {
  const { core } = harness().app;
  return { ...core.requests, ...core.steps, ...core.admin, ...core.reads, decide: (taskId: string, decision: Decision) => core.approvals.vote(taskId, seededUser(APPROVER_EMAIL).identity, decision) };
};
const { approve, submitToken, expectAppliedOnce, expectFailed, executionCost, executionEnded } = signUpFlows(harness);

/** The steps of the two waits and their states: AwaitApproval runs preApprove first, AwaitToken postApprove. */
const STEP_STATES: readonly [StepName, string][] = [
  ['awaitApproval', 'AwaitApproval'],
  ['awaitToken', 'AwaitToken'],
];
const BEFORE_APPROVAL = new Set<StepName>(['awaitApproval']);
/** What every execution of a sign-up costs once it went through, a retry's new execution too. */
const THROUGH = { states: ['AwaitApproval', 'AwaitToken', 'Complete'], invocations: 3 };

describe.each([
  ['throws', { kind: 'throw' } as StepFault, 'Error'],
  ['hangs until the function times out', { kind: 'hang' } as StepFault, 'Sandbox.Timedout'],
])('a step Lambda that %s', (_name, fault, error) => {
  it.each(STEP_STATES)('in %s: the task fails there, operators are told, and an admin retry completes it once', async (step, state) => {
    // Prepare
    harness().onStep(step, fault);

    // Act: the sign-up runs into the fault.
    const run = await createSignUp(harness(), `fault-${step}`);
    if (!BEFORE_APPROVAL.has(step)) await approve(run);

    // Assess: failed, recorded, told; nothing sent to the user.
    await expectFailed(run, state, error);
    expect(await tokenEmailsOf(run)).toStrictEqual([]);

    // Act: an admin retries; the new execution starts at the start and its steps skip what is done.
    const retried = await engine().retry(run.id, ADMIN);
    expect(retried.status).toBe(BEFORE_APPROVAL.has(step) ? 'pending' : 'approved');
    if (BEFORE_APPROVAL.has(step)) await approve(run);
    await submitToken(run);

    // Assess
    const done = await expectAppliedOnce(run);
    expect(done.attempt).toBe(2);
    expect(done.history.map((entry) => entry.event)).toStrictEqual(
      // The approval's level opens when the task first waits for it: after the retry, when the first attempt failed before that.
      BEFORE_APPROVAL.has(step)
        ? ['created', 'failed', 'retried', 'level-opened', 'approved', 'token-issued', 'completed']
        : ['created', 'level-opened', 'approved', 'failed', 'retried', 'token-issued', 'completed'],
    );
    expect(await executionCost(done.executionArn!)).toStrictEqual(THROUGH);
  }, 60_000);
});

describe('the AwaitToken and Complete steps of a task that needs no token (a todo marked done: auto-approved)', () => {
  const requester = { sub: 'fault-tester', email: 'fault-tester@example.com', roles: [] };

  async function markDone(name: string) {
    const id = `todo-${name}-${unique()}`;
    await harness().observer.ports.todos.create({ id, title: name, done: false, archived: false, createdAt: new Date().toISOString() });
    const task = await engine().createTask('todos.mark-done', { id }, requester);
    return { todoId: id, taskId: task.id };
  }

  it.each([
    ['throws', { kind: 'throw' } as StepFault, 'Error'],
    ['hangs until the function times out', { kind: 'hang' } as StepFault, 'Sandbox.Timedout'],
  ])('AwaitToken (postApprove, the submit stage) %s: the task fails there with the todo untouched, and a retry marks it done once', async (_name, fault, error) => {
    // Prepare
    harness().onStep('awaitToken', fault);

    // Act
    const { todoId, taskId } = await markDone('submit-fault');
    const failed = await harness().waitForTask(taskId, (task) => task.status === 'failed');
    const todoAfterFailure = await harness().observer.ports.todos.get(todoId);
    await engine().retry(taskId, ADMIN);
    const done = await harness().waitForTask(taskId, (task) => task.status === 'completed');

    // Assess
    expect(failed.failure).toMatchObject({ step: 'AwaitToken', error });
    expect((await harness().notificationsOf(taskId)).map((n) => n.message)).toStrictEqual([
      `Task ${taskId} (todos.mark-done) failed in AwaitToken. An admin can retry it: POST /v1/tasks/${taskId}/retry.`,
    ]);
    expect(todoAfterFailure).toMatchObject({ id: todoId, done: false });
    const todo = await harness().observer.ports.todos.get(todoId);
    expect(todo).toMatchObject({ id: todoId, done: true, doneAt: expect.any(String) });
    expect(done.actions[0]?.stored).toStrictEqual({ result: { todo } });
    expect(done.history.map((entry) => entry.event)).toStrictEqual(['created', 'auto-approved', 'failed', 'retried', 'completed']);
    expect(await executionCost(done.executionArn!)).toMatchObject({ states: ['AwaitApproval', 'AwaitToken', 'Complete'] });
  }, 60_000);

  it('Complete throws: the task stays completed (its work is done) and operators hear its email was not sent', async () => {
    // Prepare
    harness().onStep('complete', { kind: 'throw' });

    // Act
    const { todoId, taskId } = await markDone('complete-fault');
    const done = await harness().waitForTask(taskId, (task) => task.status === 'completed');
    const deadline = Date.now() + 30_000;
    while ((await harness().notificationsOf(taskId)).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));

    // Assess
    expect(await harness().observer.ports.todos.get(todoId)).toMatchObject({ done: true });
    expect(done.sentEmails).not.toContain('completed');
    expect((await harness().notificationsOf(taskId)).map((n) => [n.kind, n.message])).toStrictEqual([['error', `The completed email of task ${taskId} could not be sent.`]]);
  }, 60_000);
});

describe('an adapter failing inside a step', () => {
  it('SES SendEmail of the operators\' error notice in HandleFailure: the task still ends failed; the notice stays listed, marked not emailed', async () => {
    // Prepare
    harness().onStep('awaitApproval', { kind: 'throw' });
    harness().onStep('fail', { kind: 'during', arm: () => harness().proxies.ses.inject({ operation: 'SendEmail', times: Infinity, fault: THROTTLE }) });
    const invocationsBefore = harness().invocations.length;

    // Act
    const run = await createSignUp(harness(), 'throttle-notice');
    await harness().waitForTask(run.id, (task) => task.status === 'failed');
    const { executionArn } = await harness().observer.core.reads.getTask(run.id);
    expect(await executionEnded(executionArn!)).toBe('FAILED');

    // Assess
    const runs = harness().invocations.slice(invocationsBefore).filter((invocation) => invocation.taskId === run.id && invocation.step === 'fail');
    expect(runs.map((invocation) => invocation.outcome)).toStrictEqual(['ok']);
    const notifications = await harness().notificationsOf(run.id);
    expect(notifications.map((notification) => [notification.kind, notification.message, notification.emailedAt])).toStrictEqual([
      ['error', `Task ${run.id} (sign-up) failed in AwaitApproval. An admin can retry it: POST /v1/tasks/${run.id}/retry.`, undefined],
      ['error', `Notification ${notifications[0]!.id} could not be emailed to the operators.`, undefined],
    ]);
    expect(notifications[1]!.detail).toContain('Throttling');
  }, 60_000);

  it('EventBridge PutEvents: the task goes on, and operators get the events to replay', async () => {
    // Prepare
    harness().onStep('awaitToken', { kind: 'during', arm: () => harness().proxies.events.inject({ operation: 'PutEvents', times: Infinity, fault: THROTTLE }) });

    // Act
    const run = await createSignUp(harness(), 'throttle-events');
    await approve(run);
    await submitToken(run);

    // Assess
    await expectAppliedOnce(run);
    const notifications = await harness().notificationsOf(run.id);
    expect(notifications.map((notification) => [notification.kind, notification.message])).toStrictEqual([
      ['error', `The task.token_issued event(s) of task ${run.id} could not be published; the detail holds them for a replay.`],
    ]);
    expect(notifications[0]!.detail).toContain('"detailType":"task.token_issued"');
  }, 60_000);
});

describe('Step Functions unreachable right after the engine saved a change (every SDK attempt throttled)', () => {
  it('a create whose execution cannot start stays pending, not failed; the outbox starts it once Step Functions answers, one execution', async () => {
    // Act
    const disarm = harness().proxies.sfn.inject({ operation: 'StartExecution', times: Infinity, fault: THROTTLE });
    const run = await createSignUp(harness(), 'start-fails');
    disarm();
    const saved = await engine().getTask(run.id);
    const missing = await harness().app.core.streams.startExecution(run.id, 1);

    // Assess: saved with the name of its execution; what the table stream delivers starts it.
    expect([saved.status, saved.failure, missing]).toStrictEqual(['pending', undefined, 'started']);
    await approve(run);
    await submitToken(run);
    const done = await expectAppliedOnce(run);
    expect([done.attempt, done.executionArn]).toStrictEqual([1, saved.executionArn]);
    expect(await executionCost(done.executionArn!)).toStrictEqual(THROUGH);
  }, 60_000);

  it('an approval whose execution cannot be resumed stands; the task fails at AwaitToken, its old execution is stopped, and a retry carries on', async () => {
    // Prepare
    const run = await createSignUp(harness(), 'resume-fails');
    await harness().waitForTask(run.id, (task) => task.wait?.kind === 'approval' && task.sentEmails.includes('approval'));
    const firstExecution = (await engine().getTask(run.id)).executionArn!;

    // Act
    const disarm = harness().proxies.sfn.inject({ operation: 'SendTaskSuccess', times: Infinity, fault: THROTTLE });
    const decided = await engine().decide(run.id, 'approve');
    disarm();

    // Assess: the approval is kept and the failure is one an admin can act on.
    expect(decided).toMatchObject({ status: 'failed', approvedBy: APPROVED_BY, failure: { step: 'AwaitToken', error: 'TransientError' } });
    await expectFailed(run, 'AwaitToken', 'TransientError');
    expect((await harness().sfn.send(new DescribeExecutionCommand({ executionArn: firstExecution }))).status).toBe('ABORTED');

    // Act: the retry's execution finds the task approved: AwaitApproval answers at once, without asking for approval again.
    const retried = await engine().retry(run.id, ADMIN);
    await submitToken(run);

    // Assess
    expect(retried.status).toBe('approved');
    const done = await expectAppliedOnce(run);
    expect(done.history.map((entry) => entry.event)).toStrictEqual(['created', 'level-opened', 'approved', 'failed', 'retried', 'token-issued', 'completed']);
    expect(await executionCost(done.executionArn!)).toStrictEqual(THROUGH);
  }, 60_000);

  it('a token submit whose execution cannot be resumed completes the task and sends the completed email itself', async () => {
    // Prepare
    const run = await createSignUp(harness(), 'submit-resume-fails');
    await approve(run);
    const link = await tokenLinkOf(run);
    await harness().waitForTask(run.id, (task) => task.status === 'awaiting_token');

    // Act
    const disarm = harness().proxies.sfn.inject({ operation: 'SendTaskSuccess', times: Infinity, fault: THROTTLE });
    const completed = await engine().submitToken(secretOf(link), { password: PASSWORD });
    disarm();

    // Assess: completed once, its email sent once, its execution stopped rather than left waiting.
    expect(completed.status).toBe('completed');
    const done = await expectAppliedOnce(run);
    expect((await harness().sfn.send(new DescribeExecutionCommand({ executionArn: done.executionArn! }))).status).toBe('ABORTED');
  }, 60_000);

  it('a retry whose execution cannot start stays approved with its new attempt; the outbox starts that attempt, one execution', async () => {
    // Prepare: a task failed in AwaitToken.
    harness().onStep('awaitToken', { kind: 'throw' });
    const run = await createSignUp(harness(), 'retry-start-fails');
    await approve(run);
    await expectFailed(run, 'AwaitToken', 'Error');

    // Act
    const disarm = harness().proxies.sfn.inject({ operation: 'StartExecution', times: Infinity, fault: THROTTLE });
    const retried = await engine().retry(run.id, ADMIN);
    disarm();
    const started = await harness().app.core.streams.startExecution(run.id, 2);
    await submitToken(run);

    // Assess
    expect([retried.status, retried.attempt, retried.failure, started]).toStrictEqual(['approved', 2, undefined, 'started']);
    const done = await expectAppliedOnce(run);
    expect(done.executionArn).toMatch(/-r2$/);
    expect(await executionCost(done.executionArn!)).toStrictEqual(THROUGH);
  }, 60_000);
});

describe('a step that times out while its writes are still in flight', () => {
  it('AwaitToken (postApprove): the late write lands after the task failed; the retry creates nothing twice and completes', async () => {
    // Prepare: the directory write takes 1.5 s; the function times out after 0.5 s.
    harness().onStep('awaitToken', {
      kind: 'timeout',
      afterMs: 500,
      arm: () => harness().proxies.dynamodb.inject({ operation: 'PutItem', times: 1, fault: { kind: 'delay', ms: 1500 } }),
    });
    const lateBefore = harness().lateRuns.length;

    // Act: the task fails; then the timed-out run's directory write lands, and its task write is refused (the task is failed now).
    const run = await createSignUp(harness(), 'late-write');
    await approve(run);
    await expectFailed(run, 'AwaitToken', 'Sandbox.Timedout');
    const late = await Promise.all(harness().lateRuns.slice(lateBefore));
    const projectBeforeRetry = await harness().observer.ports.directory.findProjectByName(run.projectName);
    const statusBeforeRetry = (await harness().observer.core.reads.getTask(run.id)).status;
    await engine().retry(run.id, ADMIN);
    await submitToken(run);

    // Assess: the late run's effect was there before the retry, its stale save did not undo the failure, and the retry reused it.
    expect(late.map((outcome) => (outcome.error as Error | undefined)?.name)).toStrictEqual(['InvalidTransitionError']);
    expect([projectBeforeRetry?.name, statusBeforeRetry]).toStrictEqual([run.projectName, 'failed']);
    const done = await expectAppliedOnce(run);
    expect((await harness().observer.ports.directory.findProjectByName(run.projectName))?.id).toBe(projectBeforeRetry?.id);
    expect(done.attempt).toBe(2);
  }, 60_000);
});
