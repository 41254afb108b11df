import { createSignUp, tokenEmailsOf } from '../support/fault-harness.ts';
import { signUpFlows, useFaultHarness } from '../support/fault-flows.ts';
import type { Fault } from '../support/fault-proxy.ts';

/**
 * The slow half of test/integration/faults.test.ts: every adapter call every step of a sign-up
 * makes, throttled in turn for the whole of one run of the step (so the SDK's 3 attempts fail and the
 * state machine's retry, 1-2 s later, must cope), and a step that outlives the state's real 60 s
 * timeout.
 */
const THROTTLE: Fault = { kind: 'throttle' };

const harness = useFaultHarness();

const { approve, submitToken, expectAppliedOnce, executionCost, executionEnded } = signUpFlows(harness);

describe('an adapter throttled throughout one run of a step', () => {
  // The calls each step makes. AwaitApproval: preApprove (the task read, its conditional UpdateItem),
  // then the wait (the task read, the UpdateItem of the wait, the approval links' PutItem, the
  // approval email). AwaitToken: the task read, postApprove (the directory's transaction and items,
  // the UpdateItem of its results), then the wait (the UpdateItem to awaiting_token, the token's
  // PutItem, the token email). Complete: the task read, the completed email, the UpdateItem recording
  // it. Notifications are left out: a notification that cannot be stored is logged, never a failed step.
  it.each([
    ['awaitApproval', 'dynamodb', 'GetItem'],
    ['awaitApproval', 'dynamodb', 'UpdateItem'],
    ['awaitApproval', 'dynamodb', 'PutItem'],
    ['awaitApproval', 'ses', 'SendEmail'],
    ['awaitToken', 'dynamodb', 'GetItem'],
    ['awaitToken', 'dynamodb', 'PutItem'],
    ['awaitToken', 'dynamodb', 'UpdateItem'],
    ['awaitToken', 'ses', 'SendEmail'],
    ['complete', 'dynamodb', 'GetItem'],
    ['complete', 'dynamodb', 'UpdateItem'],
    ['complete', 'ses', 'SendEmail'],
  ] as const)('%s, %s %s: the state machine retries the step; the task completes once', async (step, proxy, operation) => {
    // Prepare: every matching call fails with the service's throttling error while the step's first run lasts.
    harness().onStep(step, { kind: 'during', arm: () => harness().proxies[proxy].inject({ operation, times: Infinity, fault: THROTTLE }) });
    const invocationsBefore = harness().invocations.length;
    const callsBefore = harness().proxies[proxy].calls.length;

    // Act
    const run = await createSignUp(harness(), `throttle-${step}`);
    await approve(run);
    await submitToken(run);

    // Assess: the SDK tried 3 times, the step failed with TransientError, its retry went through, and everything was applied once.
    // (Complete's write after its email is the one place where a retry repeats an email.)
    const done = await expectAppliedOnce(run, { completedEmails: step === 'complete' && operation === 'UpdateItem' ? 'at-least-once' : 'once' });
    const throttled = harness().proxies[proxy].calls.slice(callsBefore).filter((call) => call.fault === 'throttle');
    expect(throttled.length).toBeGreaterThanOrEqual(3);
    const runs = harness().invocations.slice(invocationsBefore).filter((invocation) => invocation.taskId === run.id && invocation.step === step);
    expect(runs).toStrictEqual([
      { step, taskId: run.id, outcome: 'error', error: 'TransientError' },
      { step, taskId: run.id, outcome: 'ok' },
    ]);
    expect(done.attempt).toBe(1);
    expect((await harness().notificationsOf(run.id)).map((notification) => notification.kind)).toStrictEqual([]);
    expect(await tokenEmailsOf(run)).toHaveLength(1);
    // The step's retry is one more invocation, not one more state: still 3 transitions.
    expect(await executionCost(done.executionArn!)).toStrictEqual({ states: ['AwaitApproval', 'AwaitToken', 'Complete'], invocations: 4 });
  }, 60_000);

});

describe('a step that outlives its state\'s TimeoutSeconds (60 s)', () => {
  // Complete is the one Lambda state on the way through with a TimeoutSeconds of its own: the waits'
  // timeouts are the human ones (TimeoutSecondsPath), and their steps are bounded by the function's
  // own 60 s timeout (Sandbox.Timedout, as test/integration/faults.test.ts injects it).
  it('Complete hangs for 65 s: States.Timeout; the task stays completed and the operators hear its email was not sent', async () => {
    // Prepare
    harness().onStep('complete', { kind: 'hang', ms: 65_000 });

    // Act
    const run = await createSignUp(harness(), 'state-timeout');
    await approve(run);
    await submitToken(run);
    const deadline = Date.now() + 90_000;
    while (!(await harness().notificationsOf(run.id)).some((n) => n.kind === 'error') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));

    // Assess
    const done = await harness().observer.core.reads.getTask(run.id);
    expect([done.status, done.sentEmails.includes('completed')]).toStrictEqual(['completed', false]);
    expect((await harness().notificationsOf(run.id)).map((n) => [n.kind, n.message])).toStrictEqual([['error', `The completed email of task ${run.id} could not be sent.`]]);
    expect((await harness().notificationsOf(run.id)).at(-1)?.detail).toContain('States.Timeout');
    expect(await executionEnded(done.executionArn!)).toBe('FAILED');
    expect(await executionCost(done.executionArn!)).toStrictEqual({ states: ['AwaitApproval', 'AwaitToken', 'Complete', 'HandleFailure', 'Failed'], invocations: 4 });
  }, 120_000);
});
