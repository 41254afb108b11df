import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { DynamoDbTaskStore } from '#adapters/dynamodb/task-store';
import { duplicateHash } from '#core/duplicates';
import { Registry } from '#core/registry';
import type { Task } from '#core/task';
import { actions } from '#functions/actions/registry';
import { taskTypes } from '#functions/task-types';
import { localClient } from '../../local/dynamodb/dynamodb-local.ts';
import { type RunningStack, spawnStack } from '../support/spawn-stack.ts';

/**
 * Outbox and reconciler through the local stack: a task saved by a request that crashed before
 * starting its execution gets the execution from the table stream (the outbox), and a task whose
 * execution was stopped behind its back is failed by the reconciler, visibly, and can be retried.
 */
const GRACE_SECONDS = 10;
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

const until = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

describe('outbox and reconciler (local stack)', () => {
  const home = mkdtempSync(join(tmpdir(), 'assent-recovery-'));
  let stack: RunningStack;
  let sfn: SFNClient;
  const registry = new Registry(actions, taskTypes);

  beforeAll(async () => {
    const zero = { PORT: '0', MAIL_PORT: '0', DYNAMODB_PORT: '0', SFN_PORT: '0', EVENTS_PORT: '0' };
    stack = await spawnStack(home, zero, { ASSENT_RECONCILE_SECONDS: '1', ASSENT_RECONCILE_GRACE_SECONDS: String(GRACE_SECONDS) });
    sfn = new SFNClient({ endpoint: stack.endpoints.services.sfn, region: 'us-east-1', credentials: CREDENTIALS });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 30_000);

  const admin = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${stack.endpoints.api}${path}`, { ...init, headers: { authorization: `Bearer ${stack.endpoints.adminToken}`, 'content-type': 'application/json' } });
    // Parsed here, not by fetch: toStrictEqual compares objects of this realm.
    return { status: response.status, json: JSON.parse(await response.text()) as Record<string, unknown> };
  };
  const taskOf = async (id: string) => (await admin(`/v1/tasks/${id}`)).json as unknown as Task;
  const executionArnOf = (id: string) => `${stack.endpoints.services.stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;

  /** A sign-up exactly as create.ts builds it, saved and never started: what a request killed after its write leaves. */
  function savedTask(name: string): Task {
    const taskType = registry.taskType('sign-up');
    const data = registry.parseInput(taskType, { email: `${name}@example.com`, projectName: name });
    const id = ulid();
    const at = new Date().toISOString();
    return {
      id,
      type: taskType.name,
      status: 'pending',
      actions: taskType.actions.map((action, index) => ({ name: action, data: data[index] ?? {}, valid: null, autoApprove: null, needsToken: false, notes: [], stored: {} })),
      notes: [],
      history: [{ at, by: { kind: 'user', id: 'anonymous' }, event: 'created', from: null, to: 'pending' }],
      createdBy: null,
      createdAt: at,
      updatedAt: at,
      executionArn: executionArnOf(id),
      hash: duplicateHash(taskType, data, undefined),
      sentEmails: [],
      adminNotes: [],
      attempt: 1,
      dataRevision: 0,
      rounds: 0,
      version: 0,
    };
  }

  it('starts the execution of a task saved without one (the request crashed) and its first step runs', async () => {
    // Prepare
    const written = Date.now();
    const store = new DynamoDbTaskStore({
      client: DynamoDBDocumentClient.from(localClient(stack.endpoints.services.dynamodb), { marshallOptions: { removeUndefinedValues: true } }),
      tableName: stack.endpoints.services.tableName,
    });
    const task = savedTask('outboxed');

    // Act
    expect(await store.create(task)).toBe(true);
    const validated = await until('the first step did not run', async () => {
      const current = await taskOf(task.id);
      return current.validatedAt ? current : undefined;
    });

    // Assess
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArnOf(task.id) }));
    expect(execution.status).toBe('RUNNING');
    expect(JSON.parse(execution.input ?? '{}')).toStrictEqual({ taskId: task.id, approvalTimeoutSeconds: 604_800, tokenTimeoutSeconds: 604_800 });
    // Started by the outbox, not by the reconciler: before the task was past its grace period.
    expect((execution.startDate?.getTime() ?? Infinity) - written).toBeLessThan(GRACE_SECONDS * 1000);
    expect(validated.status).toBe('pending');
    expect(validated.actions[0]?.valid).toBe(true);
  }, 60_000);

  it('fails a task whose execution was stopped behind its back, tells the operators, and counts it in /v1/status', async () => {
    // Prepare
    const created = await fetch(`${stack.endpoints.api}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'sign-up', data: { email: 'stranded@example.com', projectName: 'stranded' } }),
    });
    const { id } = (await created.json()) as { id: string };
    await until('the task did not wait for approval', async () => ((await admin(`/v1/tasks/${id}`)).json.waitingFor === 'approval' ? true : undefined));

    // Act
    await sfn.send(new StopExecutionCommand({ executionArn: executionArnOf(id), cause: 'Stopped behind the task\'s back' }));
    const failed = await until('the reconciler did not fail the task', async () => {
      const current = await taskOf(id);
      return current.status === 'failed' ? current : undefined;
    }, (GRACE_SECONDS + 20) * 1000);
    const notifications = (await admin('/v1/notifications?acknowledged=false&limit=100')).json.notifications as { taskId: string; kind: string; detail?: string }[];
    const status = (await admin('/v1/status')).json;
    const retried = await admin(`/v1/tasks/${id}/retry`, { method: 'POST', body: '{}' });

    // Assess
    expect(created.status).toBe(202);
    expect(failed.failure).toStrictEqual({ step: 'AwaitApproval', error: 'Assent.WorkflowEnded', cause: 'The workflow ended (ABORTED) while the task was pending.', retryable: true, dataRevision: 0 });
    expect(notifications.filter((notification) => notification.taskId === id).map((notification) => [notification.kind, notification.detail])).toContainEqual([
      'error',
      'Assent.WorkflowEnded: The workflow ended (ABORTED) while the task was pending.',
    ]);
    expect(status.stranded).toStrictEqual({
      at: expect.any(String),
      checked: expect.any(Number),
      started: expect.any(Number),
      resumed: expect.any(Number),
      failed: expect.any(Number),
      // What the approval schedule did in that run (this stack's sign-ups have no reminders or deadlines).
      reminded: 0,
      escalated: 0,
      deadlineEnded: 0,
      remailed: 0,
    });
    expect(retried.status).toBe(200);
    await until('the retry did not start a new execution', async () => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: `${executionArnOf(id)}-r2` })).catch(() => undefined);
      return execution?.status === 'RUNNING' ? true : undefined;
    });
  }, 90_000);
});
