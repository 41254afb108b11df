import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { Actor } from '#core/identity';
import type { Task } from '#core/task';
import { type FaultHarness, secretOf, type SignUpRun, startFaultHarness, tokenLinkOf } from './fault-harness.ts';
import { historyCost, mailboxFor, seededUser, waitForEmail } from './stack.ts';

export const ADMIN: Actor = { kind: 'admin', id: 'ops-admin' };
/** Who approves sign-ups locally: the default policy's one admin, the seeded admin@assent.local. */
export const APPROVER_EMAIL = 'admin@assent.local';
/** How the seeded admin's vote is written (`approvedBy`). */
export const APPROVED_BY: Actor = { kind: 'admin', id: APPROVER_EMAIL };
export const PASSWORD = 'a long enough password';

/** A fault harness for the test file: started before its tests, faults cleared after each, closed at the end. */
export function useFaultHarness(): () => FaultHarness {
  let harness: FaultHarness | undefined;
  beforeAll(async () => {
    harness = await startFaultHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });
  afterEach(() => harness?.clearFaults());
  return () => {
    if (!harness) throw new Error('The fault harness is not started yet');
    return harness;
  };
}

/** The steps of a sign-up as a test drives them through a fault harness, and the checks of its outcome. */
export function signUpFlows(h: () => FaultHarness) {
  /**
   * Approves once the execution waits for the decision and the approval email has arrived, as an
   * approver would: the wait's write claims the email before sending it, so the claim alone does not
   * mean that it went out (a throttled send gives it back, and the retried step sends it).
   */
  const approve = async (run: SignUpRun): Promise<Task> => {
    await h().waitForTask(run.id, (task) => task.wait?.kind === 'approval' && task.sentEmails.includes('approval'));
    await waitForEmail((mail) => mail.destination.to.includes(APPROVER_EMAIL) && mail.subject === `Approval needed: sign-up ${run.id}`);
    return h().app.core.approvals.vote(run.id, seededUser(APPROVER_EMAIL).identity, 'approve');
  };

  /** Submits the newest token email's link (the `count`-th). */
  const submitToken = async (run: SignUpRun, count = 1): Promise<Task> => {
    const link = await tokenLinkOf(run, count);
    await h().waitForTask(run.id, (task) => task.status === 'awaiting_token');
    return h().app.core.requests.submitToken(secretOf(link), { password: PASSWORD });
  };

  /**
   * The task completed and every effect of its action is there, once. Emails are at least once: when
   * SES took an email but the write recording it failed, the retried step sends it again
   * (`completedEmails: 'at-least-once'`; see docs/workflow.md, "When something fails").
   */
  const expectAppliedOnce = async (run: SignUpRun, { completedEmails = 'once' }: { completedEmails?: 'once' | 'at-least-once' } = {}): Promise<Task> => {
    const done = await h().waitForTask(run.id, (task) => task.status === 'completed' && task.sentEmails.includes('completed'));
    const { directory } = h().observer.ports;
    const project = await directory.findProjectByName(run.projectName);
    expect(project).toMatchObject({ name: run.projectName });
    expect(await directory.findUser(run.email)).toMatchObject({ email: run.email, projectId: project!.id, enabled: true, hasPassword: true });
    expect(done.history.filter((entry) => entry.event === 'completed')).toHaveLength(1);
    const completedEmail = await waitForEmail((mail) => mail.destination.to.includes(run.email) && mail.subject === `Your project ${run.projectName} is ready`);
    expect(completedEmail.body.text).toContain(run.projectName);
    const sent = (await mailboxFor(run.email)).filter((mail) => mail.subject === `Your project ${run.projectName} is ready`);
    if (completedEmails === 'once') expect(sent).toHaveLength(1);
    else expect(sent.length).toBeGreaterThanOrEqual(1);
    return done;
  };

  /** The task ended failed at `state` with `error`, and the operators have a notification and an email. */
  const expectFailed = async (run: SignUpRun, state: string, error: string, timeoutMs = 30_000): Promise<Task> => {
    const failed = await h().waitForTask(run.id, (task) => task.status === 'failed', timeoutMs);
    expect(failed.failure).toMatchObject({ step: state, error });
    expect(failed.history.at(-1)).toMatchObject({ event: 'failed', to: 'failed', reason: `${error} in ${state}` });
    await waitForEmail((mail) => mail.destination.to.includes(h().opsEmail) && mail.subject === `Error - sign-up ${run.id}`);
    const notifications = await h().notificationsOf(run.id);
    expect(notifications.filter((n) => n.kind === 'error').map((n) => n.message)).toStrictEqual([
      `Task ${run.id} (sign-up) failed in ${state}. An admin can retry it: POST /v1/tasks/${run.id}/retry.`,
    ]);
    return failed;
  };
  /** The states an execution entered (its transitions) and the steps Lambda invocations it scheduled, from its history. */
  const executionCost = (executionArn: string) => historyCost(h().sfn, executionArn);
  /** Waits until the execution ended (its last state entered), and answers how. */
  const executionEnded = async (executionArn: string, timeoutMs = 30_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status = 'RUNNING' } = await h().sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (status !== 'RUNNING') return status;
      if (Date.now() > deadline) throw new Error(`Execution ${executionArn} still runs`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return { approve, submitToken, expectAppliedOnce, expectFailed, executionCost, executionEnded };
}
