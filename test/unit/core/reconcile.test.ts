import type { Task } from '#core/task';
import { engineWithFakes } from '../../support/engine-harness.ts';

const ADMIN = { kind: 'admin' as const, id: 'root@example.com' };
const WEEK = 7 * 24 * 3600;

const setup = () => engineWithFakes({ operatorEmails: ['ops@example.com'] });

/**
 * A task as a request leaves it once saved: created through the core (so it is exactly what create
 * writes), then put back in `status` with nothing started, as a crash between "saved" and
 * "started" (or an execution lost behind its back) would leave it.
 */
async function storedTask(harness: ReturnType<typeof setup>, status: Task['status'], name = 'apollo'): Promise<Task> {
  const created = await harness.engine.createTask('sign-up', { email: `${name}@example.com`, projectName: name }, undefined);
  const task = { ...(harness.store.tasks.get(created.id) as Task), status };
  harness.store.tasks.set(task.id, task);
  harness.workflow.started.length = 0;
  harness.workflow.statuses.clear();
  return task;
}

/** A sign-up approved by an admin and waiting for its token (its execution in AwaitToken, task token `sfn-token-1`). */
async function waitingForItsToken(harness: ReturnType<typeof setup>): Promise<Task> {
  const created = await harness.engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
  await harness.engine.awaitApproval(created.id, 'sfn-approval-1');
  await harness.engine.decide(created.id, 'approve');
  await harness.engine.awaitToken(created.id, 'sfn-token-1');
  return created;
}

describe('reconcile (the scheduled repair of stranded tasks)', () => {
  it('starts the execution of an open task that has none, with the name and input the request uses', async () => {
    // Prepare
    const harness = setup();
    const task = await storedTask(harness, 'pending');
    harness.clock.advance(180);

    // Act
    const counts = await harness.core.schedules.reconcile();

    // Assess
    expect(counts).toStrictEqual({ checked: 1, started: 1, resumed: 0, failed: 0, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 });
    expect(harness.workflow.started).toStrictEqual([{ taskId: task.id, approvalTimeoutSeconds: WEEK, tokenTimeoutSeconds: WEEK, attempt: 1 }]);
    expect((await harness.store.get(task.id))?.status).toBe('pending');
  });

  it('starts the same execution the request starts (name and input), so the start is idempotent', async () => {
    // Prepare
    const harness = setup();
    const created = await harness.engine.createTask('sign-up', { email: 'same@example.com', projectName: 'same' }, undefined);
    const byRequest = [...harness.workflow.started];
    harness.workflow.statuses.clear();
    harness.clock.advance(180);

    // Act
    await harness.core.schedules.reconcile();

    // Assess
    expect(harness.workflow.started).toStrictEqual([...byRequest, ...byRequest]);
    expect(byRequest.map((start) => start.taskId)).toStrictEqual([created.id]);
  });

  it('fails a task whose execution ended while it was awaiting_token, tells the operators and lets an admin retry it', async () => {
    // Prepare
    const harness = setup();
    const task = await storedTask(harness, 'awaiting_token');
    harness.workflow.statuses.set(task.executionArn ?? '', 'ABORTED');
    harness.clock.advance(180);

    // Act
    const counts = await harness.core.schedules.reconcile();
    const failed = await harness.store.get(task.id);
    const retried = await harness.engine.retry(task.id, ADMIN);

    // Assess
    expect(counts).toStrictEqual({ checked: 1, started: 0, resumed: 0, failed: 1, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 });
    expect(failed?.status).toBe('failed');
    expect(failed?.failure).toStrictEqual({ step: 'AwaitToken', error: 'Assent.WorkflowEnded', cause: 'The workflow ended (ABORTED) while the task was awaiting_token.', retryable: true, dataRevision: 0 });
    expect(failed?.history.at(-1)).toMatchObject({ event: 'failed', from: 'awaiting_token', to: 'failed', by: { kind: 'system' } });
    const notices = [...harness.notifications.notifications.values()].filter((notification) => notification.taskId === task.id);
    expect(notices.map((notification) => [notification.kind, notification.detail])).toStrictEqual([['error', 'Assent.WorkflowEnded: The workflow ended (ABORTED) while the task was awaiting_token.']]);
    expect(harness.mailer.sent.at(-1)?.to).toStrictEqual(['ops@example.com']);
    expect(retried.attempt).toBe(2);
    expect(harness.workflow.started.at(-1)).toMatchObject({ taskId: task.id, attempt: 2 });
  });

  it.each([
    ['SUCCEEDED', 'approved', 'AwaitToken'],
    ['FAILED', 'pending', 'AwaitApproval'],
    ['TIMED_OUT', 'pending', 'AwaitApproval'],
  ] as const)('fails an open task whose execution %s while it was %s, at %s', async (status, taskStatus, step) => {
    // Prepare
    const harness = setup();
    const task = await storedTask(harness, taskStatus);
    harness.workflow.statuses.set(task.executionArn ?? '', status);
    harness.clock.advance(180);

    // Act
    await harness.core.schedules.reconcile();

    // Assess
    expect((await harness.store.get(task.id))?.failure).toStrictEqual({ step, error: 'Assent.WorkflowEnded', cause: `The workflow ended (${status}) while the task was ${taskStatus}.`, retryable: true, dataRevision: 0 });
  });

  it('resumes the execution of an approved task that still waits for its decision (the decider died before telling it)', async () => {
    // Prepare: approved in the store, its wait still the approval's, as a decision saved by a process killed before SendTaskSuccess.
    const harness = setup();
    const created = await harness.engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await harness.engine.awaitApproval(created.id, 'sfn-approval-1');
    const waiting = harness.store.tasks.get(created.id) as Task;
    harness.store.tasks.set(created.id, { ...waiting, status: 'approved' });
    harness.clock.advance(180);

    // Act
    const counts = await harness.core.schedules.reconcile();

    // Assess
    expect(counts).toStrictEqual({ checked: 1, started: 0, resumed: 1, failed: 0, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 });
    expect(harness.workflow.resumed).toStrictEqual([{ sfnToken: 'sfn-approval-1', output: { decision: 'approved' } }]);
  });

  it('does not resume an approved task whose execution waits for its token already', async () => {
    // Prepare
    const harness = setup();
    await waitingForItsToken(harness);
    const resumedBefore = harness.workflow.resumed.length;
    harness.clock.advance(180);

    // Act
    const counts = await harness.core.schedules.reconcile();

    // Assess
    expect([counts, harness.workflow.resumed.length - resumedBefore]).toStrictEqual([{ checked: 1, started: 0, resumed: 0, failed: 0, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 }, 0]);
  });

  it('leaves a task whose execution runs, and one written within the grace period, alone', async () => {
    // Prepare
    const harness = setup();
    const running = await storedTask(harness, 'pending', 'running');
    harness.workflow.statuses.set(running.executionArn ?? '', 'RUNNING');
    harness.clock.advance(180);
    const young = await storedTask(harness, 'pending', 'young');
    harness.workflow.statuses.set(running.executionArn ?? '', 'RUNNING');

    // Act
    const counts = await harness.core.schedules.reconcile();
    const withLongerGrace = await harness.core.schedules.reconcile({ graceSeconds: 600 });

    // Assess
    expect(counts).toStrictEqual({ checked: 1, started: 0, resumed: 0, failed: 0, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 });
    expect(withLongerGrace).toStrictEqual({ checked: 0, started: 0, resumed: 0, failed: 0, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 });
    expect(harness.workflow.started).toStrictEqual([]);
    expect((await harness.store.get(young.id))?.status).toBe('pending');
  });

  it('leaves a task another state machine drives alone (a table shared with another stack)', async () => {
    // Prepare
    const harness = setup();
    const task = await storedTask(harness, 'pending');
    harness.store.tasks.set(task.id, { ...task, executionArn: `arn:aws:states:us-east-1:000000000000:execution:another:${task.id}` });
    harness.clock.advance(180);

    // Act
    const counts = await harness.core.schedules.reconcile();
    const outcome = await harness.core.streams.startExecution(task.id, 1);

    // Assess
    expect(counts).toStrictEqual({ checked: 0, started: 0, resumed: 0, failed: 0, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 });
    expect(outcome).toBe('skipped');
    expect(harness.workflow.started).toStrictEqual([]);
  });

  it('leaves ended tasks alone, whatever became of their execution', async () => {
    // Prepare
    const harness = setup();
    const task = await storedTask(harness, 'cancelled');
    harness.workflow.statuses.set(task.executionArn ?? '', 'ABORTED');
    harness.clock.advance(180);

    // Act
    const counts = await harness.core.schedules.reconcile();

    // Assess
    expect(counts).toStrictEqual({ checked: 0, started: 0, resumed: 0, failed: 0, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 });
    expect((await harness.store.get(task.id))?.status).toBe('cancelled');
  });

  it('goes on with the other tasks when one cannot be checked, and reports the failure', async () => {
    // Prepare
    const errors: string[] = [];
    const harness = engineWithFakes({ onInternalError: (message) => errors.push(message) });
    const broken = await storedTask(harness, 'pending', 'broken');
    const fine = await storedTask(harness, 'pending', 'fine');
    const describe = harness.workflow.describe.bind(harness.workflow);
    harness.workflow.describe = async (arn: string) => {
      if (arn === broken.executionArn) throw new Error('Step Functions is unreachable');
      return describe(arn);
    };
    harness.clock.advance(180);

    // Act
    const counts = await harness.core.schedules.reconcile();

    // Assess
    expect(counts).toStrictEqual({ checked: 2, started: 1, resumed: 0, failed: 0, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 });
    expect(harness.workflow.started.map((start) => start.taskId)).toStrictEqual([fine.id]);
    expect(errors).toStrictEqual([`Reconciling task ${broken.id} failed; the next run tries again`]);
  });

  it('records the last run for /v1/status (stranded: null before the first run)', async () => {
    // Prepare
    const harness = setup();
    await storedTask(harness, 'pending');
    const before = await harness.engine.status();
    harness.clock.advance(180);

    // Act
    await harness.core.schedules.reconcile();
    const after = await harness.engine.status();

    // Assess
    expect(before.stranded).toBeNull();
    expect(after.stranded).toStrictEqual({ at: harness.clock.now().toISOString(), checked: 1, started: 1, resumed: 0, failed: 0, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 });
  });
});

describe('the outbox (streams.startExecution)', () => {
  it('starts the execution of a new task that the request did not start, with the request\'s name and input', async () => {
    // Prepare
    const harness = setup();
    const task = await storedTask(harness, 'pending');

    // Act
    const outcome = await harness.core.streams.startExecution(task.id, 1);

    // Assess
    expect(outcome).toBe('started');
    expect(harness.workflow.started).toStrictEqual([{ taskId: task.id, approvalTimeoutSeconds: WEEK, tokenTimeoutSeconds: WEEK, attempt: 1 }]);
  });

  it.each([
    ['a task that failed since (a retry starts it)', 'failed', 1],
    ['a task that ended', 'completed', 1],
    ['an attempt the task has moved on from', 'pending', 2],
  ] as const)('starts nothing for %s', async (_why, status, attempt) => {
    // Prepare
    const harness = setup();
    const task = await storedTask(harness, status);

    // Act
    const outcome = await harness.core.streams.startExecution(task.id, attempt);

    // Assess
    expect(outcome).toBe('skipped');
    expect(harness.workflow.started).toStrictEqual([]);
  });

  it('starts nothing when the execution exists with another input, and reports it (no retry would help)', async () => {
    // Prepare
    const errors: string[] = [];
    const harness = engineWithFakes({ onInternalError: (message) => errors.push(message) });
    const task = await storedTask(harness, 'pending');
    harness.workflow.statuses.set(task.executionArn ?? '', 'SUCCEEDED');
    harness.workflow.start = async () => {
      throw new Error('ExecutionAlreadyExists');
    };

    // Act
    const outcome = await harness.core.streams.startExecution(task.id, 1);

    // Assess
    expect(outcome).toBe('skipped');
    expect(errors).toStrictEqual([`Task ${task.id}: its execution exists already, with another input; none started`]);
  });

  it('fails (for Lambda to retry) when the start failed and there is no execution', async () => {
    // Prepare
    const harness = setup();
    const task = await storedTask(harness, 'pending');
    harness.workflow.start = async () => {
      throw new Error('Step Functions is unreachable');
    };

    // Act
    const outcome = harness.core.streams.startExecution(task.id, 1);

    // Assess
    await expect(outcome).rejects.toThrow('Step Functions is unreachable');
  });

  it('starts nothing for a task that is gone', async () => {
    // Prepare
    const harness = setup();

    // Act
    const outcome = await harness.core.streams.startExecution('01JNOSUCHTASK0000000000000', 1);

    // Assess
    expect(outcome).toBe('skipped');
  });
});

describe('the outbox after a token submit completed a task', () => {
  it('tells the execution waiting for that token (the submit died before it could), and skips a task with no token wait', async () => {
    // Prepare: a sign-up completed by its token; the execution never told (as a submit killed after its write leaves it).
    const harness = setup();
    const created = await waitingForItsToken(harness);
    const { wait, ...waiting } = harness.store.tasks.get(created.id) as Task;
    harness.store.tasks.set(created.id, { ...waiting, status: 'completed' });
    const pending = await storedTask(harness, 'pending', 'other');
    harness.workflow.resumed.length = 0;

    // Act: with the token of the wait the completing write removed (the stream's old image has it).
    const outcomes = [await harness.core.streams.resumeCompleted(created.id, wait?.sfnToken ?? ''), await harness.core.streams.resumeCompleted(pending.id, 'sfn-other')];

    // Assess
    expect([outcomes, harness.workflow.resumed]).toStrictEqual([['resumed', 'skipped'], [{ sfnToken: 'sfn-token-1', output: { submitted: true } }]]);
  });
});
