import { createSignUp, tokenEmailsOf } from '../support/fault-harness.ts';
import { ADMIN, signUpFlows, useFaultHarness } from '../support/fault-flows.ts';
import type { Fault } from '../support/fault-proxy.ts';

/**
 * The slow half of test/integration/faults.test.ts: every adapter call every step of a sign-up
 * makes, throttled in turn for the whole of one run of the step (so the SDK's 3 attempts fail and the
 * state machine's retry, 1-2 s later, must cope), and a step that outlives the state's real 60 s
 * timeout.
 */
const THROTTLE: Fault = { kind: 'throttle' };

const harness = useFaultHarness();

const { approve, submitToken, expectAppliedOnce, expectFailed } = signUpFlows(harness);

describe('an adapter throttled throughout one run of a step', () => {
  // The calls each step makes (task reads, the task's conditional UpdateItems, secrets and directory
  // items put, the directory's transaction, emails). Notifications are left out: a notification that
  // cannot be stored is logged, never a failed step.
  it.each([
    ['preApprove', 'dynamodb', 'GetItem'],
    ['preApprove', 'dynamodb', 'UpdateItem'],
    ['awaitApproval', 'dynamodb', 'GetItem'],
    ['awaitApproval', 'dynamodb', 'UpdateItem'],
    ['awaitApproval', 'dynamodb', 'PutItem'],
    ['awaitApproval', 'ses', 'SendEmail'],
    ['postApprove', 'dynamodb', 'GetItem'],
    ['postApprove', 'dynamodb', 'TransactWriteItems'],
    ['postApprove', 'dynamodb', 'PutItem'],
    ['postApprove', 'dynamodb', 'UpdateItem'],
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
    expect((await harness().notificationsOf(run.id)).map((notification) => notification.kind)).toStrictEqual(['needs-approval']);
    expect(await tokenEmailsOf(run)).toHaveLength(1);
  }, 60_000);

});

describe('a step that outlives its state\'s TimeoutSeconds (60 s)', () => {
  it('PostApprove hangs for 65 s: States.Timeout, the task fails there, and a retry completes it once', async () => {
    // Prepare
    harness().onStep('postApprove', { kind: 'hang', ms: 65_000 });

    // Act
    const run = await createSignUp(harness(), 'state-timeout');
    await approve(run);
    await expectFailed(run, 'PostApprove', 'States.Timeout', 90_000);
    await harness().app.core.admin.retry(run.id, ADMIN);
    await submitToken(run);

    // Assess
    await expectAppliedOnce(run);
  }, 120_000);
});
