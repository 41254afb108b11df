import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import { type App, createApp } from '#functions/app';
import type { Env } from '#functions/env';
import type { Task } from '#core/task';
import type { Notification } from '#core/notification';
import type { StepName } from '#core/state-names';
import { runStep, StepEventSchema } from '#steps/handler';
import { ensureTable, localClient } from '#local/dynamodb/dynamodb-local';
import { type SfnRunner, startSfnRunner } from '#local/sfn/server';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { endpoints, linkIn, type MailboxEmail, mailboxFor, unique, waitForEmail } from './stack.ts';

/**
 * The real workflow with faults injected at its seams, in this process:
 * - the real state machine definition on the local Step Functions runner, whose Lambda service is
 *   emulated here: it runs the real steps code (`runStep`) and can make an invocation throw, hang
 *   until the function's timeout (error `Sandbox.Timedout`, as Lambda reports it), or run a hook first;
 * - the real adapters with real SDK v3 clients, each going through a fault proxy in front of the
 *   shared stack's DynamoDB Local, SES emulator and EventBridge emulator, and this runner.
 * Its tasks live in a table of their own on that DynamoDB Local: the stack's outbox and reconciler
 * watch the stack's table, and would otherwise start and repair these tasks in the stack's runner too.
 */
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const STEPS_ARN = `arn:aws:lambda:${REGION}:000000000000:function:assent-steps`;
const ASL_FILE = new URL('../../stepfunctions/task-workflow.asl.json', import.meta.url);

/** The steps the state machine asks for (functions/core/state-names.ts): one per Task state. */
export type { StepName };

/** What the emulated Lambda service does with the next invocation of a step. */
export type StepFault =
  /** The handler is not run; the invocation fails with a plain Error (a bug, an unhandled rejection). */
  | { readonly kind: 'throw' }
  /** The handler is not run and the invocation hangs until the function's timeout (0.3 s), or for `ms`. */
  | { readonly kind: 'hang'; readonly ms?: number }
  /** The handler runs (with `arm` as for 'during'), but the function times out after `afterMs`; its calls may land later. */
  | { readonly kind: 'timeout'; readonly afterMs: number; readonly arm?: () => () => void }
  /** Runs the handler with `arm()` called before it and its answer (a disarm function) called after it. */
  | { readonly kind: 'during'; readonly arm: () => () => void };

export interface FaultHarness {
  /** The app under test: its clients go through the fault proxies. */
  readonly app: App;
  /** The same app with direct clients, for the test's own reads (never faulted). */
  readonly observer: App;
  /** A direct client of the runner, e.g. to read an execution's status. */
  readonly sfn: SFNClient;
  readonly proxies: { readonly dynamodb: FaultProxy; readonly ses: FaultProxy; readonly sfn: FaultProxy; readonly events: FaultProxy };
  /** The operators' address: error notifications are emailed here. */
  readonly opsEmail: string;
  /** Every step invocation the runner made, in order, with its outcome. */
  readonly invocations: { step: string; taskId: string; outcome: 'ok' | 'error'; error?: string }[];
  /** Makes the next invocation of `step` (of any task: tests run one at a time) fail, or run a hook first. */
  onStep(step: StepName, fault: StepFault): void;
  /** Clears every proxy rule. */
  clearFaults(): void;
  waitForTask(id: string, predicate: (task: Task) => boolean, timeoutMs?: number): Promise<Task>;
  /** The operator notifications about a task, oldest first. */
  notificationsOf(taskId: string): Promise<Notification[]>;
  /** Handler runs that outlived their (emulated) timeout, settling to how they ended. */
  readonly lateRuns: Promise<{ readonly error?: unknown }>[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const namedError = (name: string, message: string) => Object.assign(new Error(message), { name });

export async function startFaultHarness(): Promise<FaultHarness> {
  const { services } = endpoints();
  const dataDir = await mkdtemp(join(tmpdir(), 'assent-faults-'));
  const tableName = `assent-faults-${unique()}`;
  const tables = localClient(services.dynamodb);
  await ensureTable(tables, tableName);
  const stateMachineArn = `arn:aws:states:${REGION}:000000000000:stateMachine:assent-faults-${unique()}`;
  const opsEmail = `ops-${unique()}@example.com`;
  const invocations: FaultHarness['invocations'] = [];
  const pending = new Map<string, StepFault[]>();
  const lateRuns: FaultHarness['lateRuns'] = [];
  /** Hanging invocations' timers, cleared on close (the runner has given up on them by then). */
  const hangs = new Set<NodeJS.Timeout>();
  /** Set once the app exists (the runner, started first, calls into it). */
  const built: { app?: App } = {};

  const invokeLambda = async (functionName: string, payload: unknown): Promise<unknown> => {
    if (functionName !== STEPS_ARN) throw namedError('Lambda.ResourceNotFoundException', `Function not found: ${functionName}`);
    const event = StepEventSchema.parse(payload);
    const queued = pending.get(event.step);
    const fault = queued?.shift();
    const record = (outcome: 'ok' | 'error', error?: string) => invocations.push({ step: event.step, taskId: event.taskId, outcome, ...(error ? { error } : {}) });
    if (fault?.kind === 'throw') {
      record('error', 'Error');
      throw new Error(`Injected failure in ${event.step}`);
    }
    if (fault?.kind === 'hang') {
      await new Promise((resolve) => hangs.add(setTimeout(resolve, fault.ms ?? 300)));
      record('error', 'Sandbox.Timedout');
      throw namedError('Sandbox.Timedout', 'Task timed out after 0.30 seconds');
    }
    const disarm = fault?.kind === 'during' || fault?.kind === 'timeout' ? fault.arm?.() : undefined;
    const run = runStep(event, built.app!).finally(() => disarm?.());
    if (fault?.kind === 'timeout') {
      const outcome = await Promise.race([run.then(() => 'finished' as const), sleep(fault.afterMs).then(() => 'timed-out' as const)]).catch(() => 'finished' as const);
      if (outcome === 'timed-out') {
        lateRuns.push(run.then(() => ({}), (error: unknown) => ({ error })));
        record('error', 'Sandbox.Timedout');
        throw namedError('Sandbox.Timedout', `Task timed out after ${(fault.afterMs / 1000).toFixed(2)} seconds`);
      }
    }
    try {
      const result = await run;
      record('ok');
      return result;
    } catch (error) {
      record('error', (error as Error).name);
      throw error;
    }
  };

  const definition = JSON.parse((await readFile(ASL_FILE, 'utf8')).replaceAll('${StepsFunctionArn}', STEPS_ARN));
  const runner: SfnRunner = await startSfnRunner({ port: 0, definition, stateMachineArn, dataDir, invokeLambda });
  const [dynamodb, ses, sfn, events] = await Promise.all([
    startFaultProxy(services.dynamodb),
    startFaultProxy(services.ses),
    startFaultProxy(runner.url),
    startFaultProxy(services.events),
  ]);
  const config = (endpoint: string) => ({ endpoint, region: REGION, credentials: CREDENTIALS });
  const env: Env = {
    tableName,
    stateMachineArn,
    mailFrom: 'assent@assent.local',
    operatorEmails: [opsEmail],
    publicUrl: 'http://assent.invalid',
    jwtIssuer: 'unused',
    jwtAudience: ['unused'],
    jwksUrl: 'http://assent.invalid/jwks.json',
    rolesClaim: 'roles',
    ttlMinutes: 1440,
    trackActions: true,
    eventBusName: services.eventBusName,
    archiveBucket: '',
    userPoolId: endpoints().cognito.userPoolId,
    taskTypeOverrides: {},
  };
  const app = createApp(env, {
    dynamodb: new DynamoDBClient(config(dynamodb.url)),
    ses: new SESClient(config(ses.url)),
    sfn: new SFNClient(config(sfn.url)),
    eventBridge: new EventBridgeClient(config(events.url)),
    cognito: new CognitoIdentityProviderClient(config(services.cognito)),
  });
  built.app = app;
  const proxies = { dynamodb, ses, sfn, events };
  const observer = createApp(env, {
    dynamodb: new DynamoDBClient(config(services.dynamodb)),
    ses: new SESClient(config(services.ses)),
    sfn: new SFNClient(config(runner.url)),
    eventBridge: new EventBridgeClient(config(services.events)),
    cognito: new CognitoIdentityProviderClient(config(services.cognito)),
  });

  const harness: FaultHarness = {
    app,
    observer,
    sfn: new SFNClient(config(runner.url)),
    proxies,
    opsEmail,
    invocations,
    lateRuns,
    onStep: (step, fault) => {
      pending.set(step, [...(pending.get(step) ?? []), fault]);
    },
    clearFaults: () => {
      pending.clear();
      Object.values(proxies).forEach((proxy) => proxy.clear());
    },
    async waitForTask(id, predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const task = await observer.core.reads.getTask(id);
        if (predicate(task)) return task;
        if (Date.now() > deadline) throw new Error(`Task ${id} did not reach the expected state: ${JSON.stringify(task)}`);
        await sleep(100);
      }
    },
    async notificationsOf(taskId) {
      const found: Notification[] = [];
      let cursor: string | undefined;
      do {
        const page = await observer.core.reads.listNotifications({ limit: 100, ...(cursor ? { cursor } : {}) });
        found.push(...page.items.filter((notification) => notification.taskId === taskId));
        cursor = page.cursor;
      } while (cursor);
      return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async close() {
      hangs.forEach((timer) => clearTimeout(timer));
      await runner.close();
      await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
      await tables.send(new DeleteTableCommand({ TableName: tableName }));
      tables.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A sign-up through the harness: its data and the emails it produced. */
export interface SignUpRun {
  readonly id: string;
  readonly email: string;
  readonly projectName: string;
}

export async function createSignUp(harness: FaultHarness, name: string): Promise<SignUpRun> {
  const slug = `${name.toLowerCase()}-${unique()}`;
  const data = { email: `${slug}@example.com`, projectName: slug };
  const task = await harness.app.core.requests.createTask('sign-up', data, undefined);
  return { id: task.id, ...data };
}

export const tokenEmailsOf = async (run: SignUpRun): Promise<MailboxEmail[]> =>
  (await mailboxFor(run.email)).filter((mail) => mail.subject === `Choose your password for ${run.projectName}`);

/** Waits for the newest token email of the task (after `count` earlier ones) and answers its link. */
export async function tokenLinkOf(run: SignUpRun, count = 1): Promise<string> {
  await waitForEmail((mail) => mail.destination.to.includes(run.email) && mail.subject === `Choose your password for ${run.projectName}`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const emails = await tokenEmailsOf(run);
    if (emails.length >= count) return linkIn(emails.at(-1)!, 'tokens');
    if (Date.now() > deadline) throw new Error(`Only ${emails.length} token email(s) for ${run.email}, expected ${count}`);
    await sleep(100);
  }
}

export const secretOf = (link: string) => link.slice(link.lastIndexOf('/') + 1);
