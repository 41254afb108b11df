import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidArn,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { type SfnRunner, startSfnRunner } from '#local/sfn/server';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:assent-local';
const EXECUTION_PREFIX = 'arn:aws:states:us-east-1:000000000000:execution:assent-local:';
const STEPS_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:assent-steps';
const ASL_FILE = new URL('../../stepfunctions/task-workflow.asl.json', import.meta.url);

type StepPayload = { step: string; taskId: string; taskToken?: string; error?: unknown };
type Behaviour = (payload: StepPayload) => unknown;

/** Error named like the Lambda error it stands for (`TransientError`, …). */
const namedError = (name: string, message: string): Error => Object.assign(new Error(message), { name });

/**
 * The steps Lambda, in-process: records every invocation and answers per step (queued behaviours, the
 * last one sticks). By default AwaitApproval waits for a person, and AwaitToken answers its own token
 * (`answer`: a task that needs no token), as the real steps do.
 */
class FakeSteps {
  readonly calls: { functionName: string; payload: StepPayload }[] = [];
  private readonly behaviours = new Map<string, Behaviour[]>();

  constructor(private readonly answer: (taskToken: string, output: object) => Promise<unknown>) {
    this.respond('awaitToken', this.answers({ submitted: true }));
  }

  respond(step: string, ...behaviours: Behaviour[]): void {
    this.behaviours.set(step, behaviours);
  }

  /** A wait's step that needs nobody: it answers its own task token before it returns. */
  answers(output: object): Behaviour {
    return async (payload) => {
      await this.answer(payload.taskToken ?? '', output);
      return {};
    };
  }

  readonly invoke = async (functionName: string, payload: unknown): Promise<unknown> => {
    const stepPayload = payload as StepPayload;
    this.calls.push({ functionName, payload: stepPayload });
    const queue = this.behaviours.get(stepPayload.step) ?? [];
    const behaviour = queue.length > 1 ? queue.shift() : queue[0];
    return behaviour ? behaviour(stepPayload) : { ok: true };
  };

  payloads(): StepPayload[] {
    return this.calls.map((call) => call.payload);
  }

  steps(): string[] {
    return this.calls.map((call) => call.payload.step);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await sleep(10);
  }
}

const workflowInput = (taskId: string, approvalTimeoutSeconds = 60, tokenTimeoutSeconds = 60): string =>
  JSON.stringify({ taskId, approvalTimeoutSeconds, tokenTimeoutSeconds });

async function loadDefinition(): Promise<object> {
  const text = await readFile(ASL_FILE, 'utf8');
  return JSON.parse(text.replaceAll('${StepsFunctionArn}', STEPS_ARN)) as object;
}

/** What an execution cost: the states it entered (transitions, as Standard workflows bill them) and the Lambda invocations it scheduled. */
const costOf = (events: readonly HistoryEvent[]) => ({
  states: events.filter((event) => event.type?.endsWith('StateEntered')).map((event) => event.stateEnteredEventDetails?.name),
  invocations: events.filter((event) => event.type === 'TaskScheduled').length,
});

const FAILED_CAUSE = 'The task failed or its wait ended; its history in Assent says why (GET /v1/tasks/{id}).';

describe('local Step Functions runner (real SFN client, real ASL)', () => {
  let definition: object;
  let dataDir: string;
  let steps: FakeSteps;
  let logs: string[];
  let runner: SfnRunner;
  let client: SFNClient;

  const start = (name: string, input = workflowInput(name)) =>
    client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name, input }));

  const describe_ = (executionArn: string) => client.send(new DescribeExecutionCommand({ executionArn }));

  const settled = (executionArn: string): Promise<DescribeExecutionCommandOutput> =>
    waitFor(async () => {
      const described = await describe_(executionArn);
      return described.status === 'RUNNING' ? undefined : described;
    });

  const tokenFor = (fake: FakeSteps, step: string, taskId: string): Promise<string> =>
    waitFor(() => fake.calls.find((call) => call.payload.step === step && call.payload.taskId === taskId)?.payload.taskToken);

  const history = async (executionArn: string): Promise<HistoryEvent[]> =>
    (await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];

  /** SendTaskSuccess with `output`, through whichever runner is up now (the fake's own answers too). */
  const answer = (taskToken: string, output: object) => client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));

  const approve = (taskToken: string, decision = 'approved') => answer(taskToken, { decision });

  const newSteps = () => new FakeSteps(answer);

  async function startRunner(fake: FakeSteps): Promise<void> {
    runner = await startSfnRunner({
      port: 0,
      definition,
      stateMachineArn: STATE_MACHINE_ARN,
      invokeLambda: fake.invoke,
      dataDir,
      log: (line) => logs.push(line),
    });
    client = new SFNClient({
      endpoint: runner.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  beforeAll(async () => {
    definition = await loadDefinition();
  });

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sfn-runner-'));
    steps = newSteps();
    logs = [];
    await startRunner(steps);
  });

  afterEach(async () => {
    client.destroy();
    await runner.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('a task that needs nobody: AwaitApproval and AwaitToken answer their own tokens, Complete runs, the execution succeeds', async () => {
    // Prepare
    steps.respond('awaitApproval', steps.answers({ decision: 'approved' }));

    // Act
    const { executionArn } = await start('t-auto');
    const described = await settled(executionArn ?? '');

    // Assess
    expect(executionArn).toBe(`${EXECUTION_PREFIX}t-auto`);
    expect(steps.calls.map((call) => call.functionName)).toStrictEqual([STEPS_ARN, STEPS_ARN, STEPS_ARN]);
    const [approval, token] = [steps.calls[0]?.payload.taskToken, steps.calls[1]?.payload.taskToken];
    expect(steps.payloads()).toStrictEqual([
      { step: 'awaitApproval', taskId: 't-auto', taskToken: approval },
      { step: 'awaitToken', taskId: 't-auto', taskToken: token },
      { step: 'complete', taskId: 't-auto' },
    ]);
    expect(approval).not.toBe(token);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '')).toStrictEqual({
      taskId: 't-auto',
      approvalTimeoutSeconds: 60,
      tokenTimeoutSeconds: 60,
      approval: { decision: 'approved' },
      token: { submitted: true },
    });
  });

  test('the approval path waits at AwaitApproval with a task token until SendTaskSuccess', async () => {
    // Prepare
    const { executionArn = '' } = await start('t-approve');
    const token = await tokenFor(steps, 'awaitApproval', 't-approve');

    // Act
    const whileWaiting = await describe_(executionArn);
    const heartbeat = await client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await approve(token);
    const described = await settled(executionArn);
    const again = await approve(token).catch((error: unknown) => error);

    // Assess
    expect(token).toMatch(/^[A-Za-z0-9_-]{300,}$/);
    expect(whileWaiting.status).toBe('RUNNING');
    expect(heartbeat.$metadata.httpStatusCode).toBe(200);
    expect(steps.steps()).toStrictEqual(['awaitApproval', 'awaitToken', 'complete']);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '').approval).toStrictEqual({ decision: 'approved' });
    expect(again).toBeInstanceOf(TaskTimedOut);
    expect(logs).toContain('sfn  t-approve  AwaitApproval  waiting for task token');
    expect(logs).toContain('sfn  t-approve  SUCCEEDED');
  });

  test('a token-required task waits at AwaitToken and then runs Complete', async () => {
    // Prepare
    steps.respond('awaitApproval', steps.answers({ decision: 'approved' }));
    steps.respond('awaitToken', () => ({}));
    const { executionArn = '' } = await start('t-token');
    const token = await tokenFor(steps, 'awaitToken', 't-token');

    // Act
    await answer(token, { submitted: true });
    const described = await settled(executionArn);

    // Assess
    expect(steps.steps()).toStrictEqual(['awaitApproval', 'awaitToken', 'complete']);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '').token).toStrictEqual({ submitted: true });
    expect(logs).toContain('sfn  t-token  AwaitToken  waiting for task token');
    expect(logs.filter((line) => line.startsWith('sfn  t-token  AwaitApproval  waiting'))).toStrictEqual([]);
  });

  describe('every path enters at most 5 states and invokes the steps Lambda at most 5 times', () => {
    /** How a path's two waits answer: 'self' (the step answers at once), a person's output, or nothing (the wait times out). */
    type Wait = { readonly self: object } | { readonly person: object } | 'times out';
    const paths: [string, Wait, Wait | undefined, { states: string[]; invocations: number; status: string }][] = [
      ['approval, then a token', { person: { decision: 'approved' } }, { person: { submitted: true } }, { states: ['AwaitApproval', 'AwaitToken', 'Complete'], invocations: 3, status: 'SUCCEEDED' }],
      ['auto-approved, then a token', { self: { decision: 'approved' } }, { person: { submitted: true } }, { states: ['AwaitApproval', 'AwaitToken', 'Complete'], invocations: 3, status: 'SUCCEEDED' }],
      ['auto-approved, no token', { self: { decision: 'approved' } }, { self: { submitted: true } }, { states: ['AwaitApproval', 'AwaitToken', 'Complete'], invocations: 3, status: 'SUCCEEDED' }],
      ['rejected by an approver', { person: { decision: 'rejected' } }, { self: { done: 'rejected' } }, { states: ['AwaitApproval', 'AwaitToken', 'Complete'], invocations: 3, status: 'SUCCEEDED' }],
      ['auto-rejected', { self: { decision: 'rejected' } }, { self: { done: 'rejected' } }, { states: ['AwaitApproval', 'AwaitToken', 'Complete'], invocations: 3, status: 'SUCCEEDED' }],
      ['approval expired', 'times out', undefined, { states: ['AwaitApproval', 'HandleFailure', 'Failed'], invocations: 2, status: 'FAILED' }],
      ['token expired', { self: { decision: 'approved' } }, 'times out', { states: ['AwaitApproval', 'AwaitToken', 'HandleFailure', 'Failed'], invocations: 3, status: 'FAILED' }],
      ['an admin retry of an approved task (a new execution from the start)', { self: { decision: 'approved' } }, { person: { submitted: true } }, { states: ['AwaitApproval', 'AwaitToken', 'Complete'], invocations: 3, status: 'SUCCEEDED' }],
    ];

    test.each(paths)('%s', async (name, approval, token, expected) => {
      // Prepare
      const taskId = `t-path-${paths.findIndex(([candidate]) => candidate === name)}`;
      const behaviour = (wait: Wait | undefined): Behaviour => (wait !== undefined && wait !== 'times out' && 'self' in wait ? steps.answers(wait.self) : () => ({}));
      steps.respond('awaitApproval', behaviour(approval));
      if (token !== undefined) steps.respond('awaitToken', behaviour(token));
      const timeout = (wait: Wait | undefined) => (wait === 'times out' ? 1 : 60);
      const { executionArn = '' } = await start(taskId, workflowInput(taskId, timeout(approval), timeout(token)));

      // Act: a person answers where the path has one.
      for (const [step, wait] of [['awaitApproval', approval], ['awaitToken', token]] as const) {
        if (wait === undefined || wait === 'times out') continue;
        if ('person' in wait) await answer(await tokenFor(steps, step, taskId), wait.person);
      }
      const described = await settled(executionArn);

      // Assess
      expect({ ...costOf(await history(executionArn)), status: described.status }).toStrictEqual(expected);
    }, 10_000);

    test('a Complete that fails (its email) is the longest: 5 states, 4 invocations', async () => {
      // Prepare
      steps.respond('awaitApproval', steps.answers({ decision: 'approved' }));
      steps.respond('complete', () => {
        throw namedError('Error', 'SES down');
      });

      // Act
      const { executionArn = '' } = await start('t-path-complete');
      await settled(executionArn);

      // Assess
      expect(costOf(await history(executionArn))).toStrictEqual({ states: ['AwaitApproval', 'AwaitToken', 'Complete', 'HandleFailure', 'Failed'], invocations: 4 });
    });
  });

  test('SendTaskFailure routes through HandleFailure and fails the execution with its error and cause', async () => {
    // Prepare
    const { executionArn = '' } = await start('t-reject');
    const token = await tokenFor(steps, 'awaitApproval', 't-reject');

    // Act
    await client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'Declined by an admin' }));
    const described = await settled(executionArn);

    // Assess
    expect(steps.payloads().slice(1)).toStrictEqual([
      { step: 'fail', taskId: 't-reject', failure: { AwaitApproval: { Error: 'Rejected', Cause: 'Declined by an admin' } }, executionArn: `${EXECUTION_PREFIX}t-reject` },
    ]);
    expect([described.status, described.error, described.cause]).toStrictEqual(['FAILED', 'TaskFailed', FAILED_CAUSE]);
  });

  test('a wait step throwing TransientError is retried with a new task token, then the execution succeeds', async () => {
    // Prepare
    steps.respond(
      'awaitApproval',
      () => {
        throw namedError('TransientError', 'table throttled');
      },
      steps.answers({ decision: 'approved' }),
    );

    // Act
    const { executionArn = '' } = await start('t-retry');
    const described = await settled(executionArn);
    const events = await history(executionArn);
    const failed = events.filter((event) => event.type === 'TaskFailed');

    // Assess
    expect(steps.steps()).toStrictEqual(['awaitApproval', 'awaitApproval', 'awaitToken', 'complete']);
    expect(new Set(steps.payloads().slice(0, 2).map((payload) => payload.taskToken)).size).toBe(2);
    expect(described.status).toBe('SUCCEEDED');
    expect(failed.map((event) => event.taskFailedEventDetails)).toStrictEqual([
      {
        resourceType: 'lambda',
        resource: 'invoke.waitForTaskToken',
        error: 'TransientError',
        cause: JSON.stringify({ errorType: 'TransientError', errorMessage: 'table throttled' }),
      },
    ]);
    expect(costOf(events)).toStrictEqual({ states: ['AwaitApproval', 'AwaitToken', 'Complete'], invocations: 4 });
  });

  test('a Lambda task throwing TransientError is retried, then the execution succeeds', async () => {
    // Prepare
    steps.respond('awaitApproval', steps.answers({ decision: 'approved' }));
    steps.respond(
      'complete',
      () => {
        throw namedError('TransientError', 'SES throttled');
      },
      () => ({}),
    );

    // Act
    const { executionArn = '' } = await start('t-retry-complete');
    const described = await settled(executionArn);
    const failed = (await history(executionArn)).filter((event) => event.type === 'TaskFailed');

    // Assess
    expect(steps.steps()).toStrictEqual(['awaitApproval', 'awaitToken', 'complete', 'complete']);
    expect(described.status).toBe('SUCCEEDED');
    expect(failed.map((event) => event.taskFailedEventDetails)).toStrictEqual([
      { resourceType: 'lambda', resource: 'invoke', error: 'TransientError', cause: JSON.stringify({ errorType: 'TransientError', errorMessage: 'SES throttled' }) },
    ]);
  });

  test('a Lambda error that is not retried reaches HandleFailure with the Lambda integration cause', async () => {
    // Prepare
    steps.respond('awaitApproval', steps.answers({ decision: 'approved' }));
    steps.respond('awaitToken', () => {
      throw namedError('ValidationError', 'bad input');
    });
    const cause = JSON.stringify({ errorType: 'ValidationError', errorMessage: 'bad input' });

    // Act
    const { executionArn = '' } = await start('t-lambda-error');
    const described = await settled(executionArn);

    // Assess
    expect(steps.payloads().at(-1)).toStrictEqual({
      step: 'fail',
      taskId: 't-lambda-error',
      failure: { AwaitToken: { Error: 'ValidationError', Cause: cause } },
      executionArn: `${EXECUTION_PREFIX}t-lambda-error`,
    });
    expect([described.status, described.error, described.cause]).toStrictEqual(['FAILED', 'TaskFailed', FAILED_CAUSE]);
  });

  test('an unanswered approval times out into HandleFailure and a late SendTaskSuccess gets TaskTimedOut', async () => {
    // Prepare
    const { executionArn = '' } = await start('t-timeout', workflowInput('t-timeout', 1));
    const token = await tokenFor(steps, 'awaitApproval', 't-timeout');

    // Act
    const described = await settled(executionArn);
    const late = await approve(token).catch((error: unknown) => error);

    // Assess
    expect(late).toBeInstanceOf(TaskTimedOut);
    expect(steps.payloads().at(-1)).toStrictEqual({
      step: 'fail',
      taskId: 't-timeout',
      failure: { AwaitApproval: { Error: 'States.Timeout', Cause: 'States.Timeout' } },
      executionArn: `${EXECUTION_PREFIX}t-timeout`,
    });
    expect([described.status, described.error]).toStrictEqual(['FAILED', 'TaskFailed']);
    expect((await history(executionArn)).find((event) => event.type === 'TaskTimedOut')?.taskTimedOutEventDetails).toStrictEqual({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      error: 'States.Timeout',
      cause: 'States.Timeout',
    });
  });

  test('an unanswered token times out into HandleFailure under AwaitToken', async () => {
    // Prepare
    steps.respond('awaitApproval', steps.answers({ decision: 'approved' }));
    steps.respond('awaitToken', () => ({}));

    // Act
    const { executionArn = '' } = await start('t-token-timeout', workflowInput('t-token-timeout', 60, 1));
    const described = await settled(executionArn);

    // Assess
    expect(steps.payloads().at(-1)).toStrictEqual({
      step: 'fail',
      taskId: 't-token-timeout',
      failure: { AwaitToken: { Error: 'States.Timeout', Cause: 'States.Timeout' } },
      executionArn: `${EXECUTION_PREFIX}t-token-timeout`,
    });
    expect([described.status, described.error]).toStrictEqual(['FAILED', 'TaskFailed']);
  });

  test('an unknown task token is answered with InvalidToken', async () => {
    // Act
    const answered = await approve('AQ-not-a-token-this-runner-minted').catch((error: unknown) => error);

    // Assess
    expect(answered).toBeInstanceOf(InvalidToken);
  });

  test('StopExecution aborts a waiting execution and its token is then rejected', async () => {
    // Prepare
    const { executionArn = '' } = await start('t-stop');
    const token = await tokenFor(steps, 'awaitApproval', 't-stop');

    // Act
    await client.send(new StopExecutionCommand({ executionArn, cause: 'Task cancelled' }));
    const described = await describe_(executionArn);
    const answered = await approve(token).catch((error: unknown) => error);
    await sleep(50);

    // Assess
    expect([described.status, described.cause, described.stopDate instanceof Date]).toStrictEqual(['ABORTED', 'Task cancelled', true]);
    expect(answered).toBeInstanceOf(TaskTimedOut);
    expect(steps.steps()).toStrictEqual(['awaitApproval']);
    const last = (await history(executionArn)).at(-1);
    expect([last?.type, last?.executionAbortedEventDetails]).toStrictEqual(['ExecutionAborted', { cause: 'Task cancelled' }]);
  });

  test('StartExecution is idempotent for the same name and input, else ExecutionAlreadyExists', async () => {
    // Prepare
    const first = await start('t-twice');

    // Act
    const same = await start('t-twice');
    const different = await start('t-twice', workflowInput('t-twice', 120)).catch((error: unknown) => error);

    // Assess
    expect(same.executionArn).toBe(first.executionArn);
    expect(same.startDate).toStrictEqual(first.startDate);
    expect(different).toBeInstanceOf(ExecutionAlreadyExists);
    await client.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    await expect(start('t-twice')).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  test('DescribeExecution, GetExecutionHistory and ListExecutions answer in AWS shapes', async () => {
    // Prepare
    steps.respond('awaitApproval', steps.answers({ decision: 'approved' }));
    const input = workflowInput('t-shapes');
    const { executionArn = '' } = await start('t-shapes', input);
    await settled(executionArn);

    // Act
    const { $metadata: _described, ...described } = await describe_(executionArn);
    const events = await history(executionArn);
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'SUCCEEDED' }));

    // Assess
    expect(described).toStrictEqual({
      executionArn,
      stateMachineArn: STATE_MACHINE_ARN,
      name: 't-shapes',
      status: 'SUCCEEDED',
      startDate: expect.any(Date),
      stopDate: expect.any(Date),
      input,
      inputDetails: { included: true },
      output: expect.any(String),
      outputDetails: { included: true },
    });
    const wait = ['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited'];
    expect(events.map((event) => event.type)).toStrictEqual([
      'ExecutionStarted',
      ...wait,
      ...wait,
      ...['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited'],
      'ExecutionSucceeded',
    ]);
    expect(events.map((event) => [event.id, event.previousEventId])).toStrictEqual(events.map((_, index) => [index + 1, index]));
    const completeInput = JSON.stringify({ ...JSON.parse(input), approval: { decision: 'approved' }, token: { submitted: true } });
    expect([events[0], events[1], ...events.slice(13, 15)]).toStrictEqual([
      {
        id: 1,
        previousEventId: 0,
        timestamp: expect.any(Date),
        type: 'ExecutionStarted',
        executionStartedEventDetails: {
          input,
          inputDetails: { truncated: false },
          roleArn: 'arn:aws:iam::000000000000:role/sfn-local',
        },
      },
      {
        id: 2,
        previousEventId: 1,
        timestamp: expect.any(Date),
        type: 'TaskStateEntered',
        stateEnteredEventDetails: { name: 'AwaitApproval', input, inputDetails: { truncated: false } },
      },
      {
        id: 14,
        previousEventId: 13,
        timestamp: expect.any(Date),
        type: 'TaskStateEntered',
        stateEnteredEventDetails: { name: 'Complete', input: completeInput, inputDetails: { truncated: false } },
      },
      {
        id: 15,
        previousEventId: 14,
        timestamp: expect.any(Date),
        type: 'TaskScheduled',
        taskScheduledEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          region: 'us-east-1',
          parameters: JSON.stringify({ FunctionName: STEPS_ARN, Payload: { step: 'complete', taskId: 't-shapes' } }),
          timeoutInSeconds: 60,
        },
      },
    ]);
    expect(events.find((event) => event.type === 'TaskSucceeded')?.taskSucceededEventDetails).toStrictEqual({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      output: JSON.stringify({ decision: 'approved' }),
      outputDetails: { truncated: false },
    });
    expect(listed.executions?.map((execution) => [execution.name, execution.status])).toStrictEqual([['t-shapes', 'SUCCEEDED']]);
    await expect(describe_(`${EXECUTION_PREFIX}nope`)).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(describe_('not-an-arn')).rejects.toBeInstanceOf(InvalidArn);
  });

  test('a waiting execution survives a restart: the same token resumes it without invoking awaitApproval again', async () => {
    // Prepare
    const { executionArn = '' } = await start('t-restart');
    const token = await tokenFor(steps, 'awaitApproval', 't-restart');
    client.destroy();
    await runner.close();
    const afterRestart = newSteps();
    await startRunner(afterRestart);

    // Act
    const whileWaiting = await describe_(executionArn);
    await approve(token);
    const described = await settled(executionArn);
    const types = (await history(executionArn)).map((event) => event.type);

    // Assess
    expect(whileWaiting.status).toBe('RUNNING');
    expect(steps.steps()).toStrictEqual(['awaitApproval']);
    expect(afterRestart.steps()).toStrictEqual(['awaitToken', 'complete']);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '').approval).toStrictEqual({ decision: 'approved' });
    expect(types.filter((type) => type === 'ExecutionStarted')).toHaveLength(1);
    expect(types.slice(1, 8)).toStrictEqual(['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'TaskStateEntered']);
    expect(logs).toContain('sfn  t-restart  AwaitApproval  resumed: waiting for task token');
  });

  test('a wait whose deadline passed while the runner was down times out after the restart', async () => {
    // Prepare
    const { executionArn = '' } = await start('t-expired', workflowInput('t-expired', 1));
    const token = await tokenFor(steps, 'awaitApproval', 't-expired');
    client.destroy();
    await runner.close();
    await sleep(1100);
    const afterRestart = newSteps();
    await startRunner(afterRestart);

    // Act
    const late = await approve(token).catch((error: unknown) => error);
    const described = await settled(executionArn);

    // Assess
    expect(late).toBeInstanceOf(TaskTimedOut);
    expect(afterRestart.payloads()).toStrictEqual([
      { step: 'fail', taskId: 't-expired', failure: { AwaitApproval: { Error: 'States.Timeout', Cause: 'States.Timeout' } }, executionArn: `${EXECUTION_PREFIX}t-expired` },
    ]);
    expect([described.status, described.error]).toStrictEqual(['FAILED', 'TaskFailed']);
  });

  test('an execution interrupted inside a Lambda step re-runs that step after a restart', async () => {
    // Prepare: Complete hangs until the runner goes down.
    let release: (value: unknown) => void = () => undefined;
    steps.respond('awaitApproval', steps.answers({ decision: 'approved' }));
    steps.respond('complete', () => new Promise((resolve) => (release = resolve)));
    const { executionArn = '' } = await start('t-rerun');
    await waitFor(() => (steps.steps().includes('complete') ? true : undefined));
    client.destroy();
    await runner.close();
    const afterRestart = newSteps();

    // Act
    await startRunner(afterRestart);
    const described = await settled(executionArn);
    release({});

    // Assess
    expect(afterRestart.steps()).toStrictEqual(['complete']);
    expect(described.status).toBe('SUCCEEDED');
  });

  test('an execution interrupted while its wait step ran, before it answered, invokes that step again after a restart', async () => {
    // Prepare: awaitApproval hangs (it has neither answered nor returned) until the runner goes down.
    let release: (value: unknown) => void = () => undefined;
    steps.respond('awaitApproval', () => new Promise((resolve) => (release = resolve)));
    const { executionArn = '' } = await start('t-rerun-wait');
    const first = await tokenFor(steps, 'awaitApproval', 't-rerun-wait');
    client.destroy();
    await runner.close();
    const afterRestart = newSteps();
    afterRestart.respond('awaitApproval', afterRestart.answers({ decision: 'approved' }));

    // Act
    await startRunner(afterRestart);
    const described = await settled(executionArn);
    release({});

    // Assess: the same wait (its token), invoked again; the rest of the path as usual.
    expect(afterRestart.payloads()[0]).toStrictEqual({ step: 'awaitApproval', taskId: 't-rerun-wait', taskToken: first });
    expect(afterRestart.steps()).toStrictEqual(['awaitApproval', 'awaitToken', 'complete']);
    expect(described.status).toBe('SUCCEEDED');
  });

  test('many executions wait at once and are answered independently', async () => {
    // Prepare
    const names = ['t-many-1', 't-many-2', 't-many-3', 't-many-4', 't-many-5'];
    const started = await Promise.all(names.map((name) => start(name)));
    const tokens = await Promise.all(names.map((name) => tokenFor(steps, 'awaitApproval', name)));

    // Act
    for (const token of [...tokens].reverse()) await approve(token, token === tokens[0] ? 'rejected' : 'approved');
    const described = await Promise.all(started.map(({ executionArn }) => settled(executionArn ?? '')));

    // Assess
    expect(new Set(tokens).size).toBe(names.length);
    expect(described.map((execution) => [execution.name, execution.status, JSON.parse(execution.output ?? '').approval])).toStrictEqual([
      ['t-many-1', 'SUCCEEDED', { decision: 'rejected' }],
      ['t-many-2', 'SUCCEEDED', { decision: 'approved' }],
      ['t-many-3', 'SUCCEEDED', { decision: 'approved' }],
      ['t-many-4', 'SUCCEEDED', { decision: 'approved' }],
      ['t-many-5', 'SUCCEEDED', { decision: 'approved' }],
    ]);
    expect(steps.steps().filter((step) => step === 'awaitToken')).toHaveLength(5);
  });

  test('an unknown operation is answered with UnknownOperationException in the AWS JSON error shape', async () => {
    // Act
    const response = await fetch(runner.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.CreateActivity' },
      body: JSON.stringify({ name: 'nope' }),
    });

    // Assess
    expect([response.status, response.headers.get('x-amzn-errortype')]).toStrictEqual([400, 'UnknownOperationException']);
    expect(JSON.parse(await response.text())).toStrictEqual({ __type: 'UnknownOperationException', message: 'Unknown operation CreateActivity' });
  });
});
