import { randomUUID } from 'node:crypto';
import { HTTP_TIMEOUT_MS } from '#local/gateway';
import { TOKEN_CLAIM_LEASE_SECONDS } from '#core/links';
import type { MailWatcher } from './mail-watcher.ts';
import type { OutageClient, Reply } from './outage-client.ts';
import type { MailboxEmail } from './stack.ts';

/**
 * Sign-ups driven to their end through faults, as their people would: the requester creates it (with
 * an Idempotency-Key, sent again while the API does not answer), the approver approves it once the
 * approval email came (by its link, or through the admin API), and the new owner submits the emailed
 * token with a password. A request that got no answer may or may not have applied, so an answer
 * that says it did (409 already decided, 404 already used) is checked by reading the task again.
 * What went wrong is recorded per flow as a problem, never thrown, so one run reports every flow.
 */
export type ProblemKind =
  /** An Idempotency-Key kept answering "still being handled" long after the stack was back. */
  | 'stuck-idempotency-key'
  /** An emailed link answered 404/409/410 while its task had not moved on. */
  | 'burnt-link'
  /** An email the flow needs never came. */
  | 'lost-email'
  /** The task made no progress for the quiet period. */
  | 'stranded'
  /** The task ended without completing (failed, cancelled, expired, rejected). */
  | 'ended'
  /** An answer the flow has no reading for. */
  | 'unexpected-answer';

export interface Problem {
  readonly kind: ProblemKind;
  readonly detail: string;
}

export interface SignUpFlow {
  readonly index: number;
  readonly email: string;
  readonly projectName: string;
  readonly approveBy: 'link' | 'admin';
  id?: string;
  /** The last status the flow saw. */
  status?: string;
  readonly problems: Problem[];
  /** Answers that said an earlier try, which got no answer, had applied. */
  readonly replays: string[];
}

export interface FaultWindow {
  /** Whether the stack can answer now (false while it is killed, restarting or paused). */
  isUp(): boolean;
  /** When it last came back: a wait counts its quiet period from then. */
  upSince(): number;
}

export interface FlowEnvironment {
  readonly client: OutageClient;
  readonly mail: MailWatcher;
  readonly faults: FaultWindow;
  /** How long a wait may see no progress while the stack is up before the flow gives up on it. */
  readonly quietMs: number;
}

export const PASSWORD = 'correct horse battery staple';

export const approvalSubject = (id: string) => `Approval needed: sign-up ${id}`;
export const tokenSubject = (projectName: string) => `Choose your password for ${projectName}`;
export const completedSubject = (projectName: string) => `Your project ${projectName} is ready`;
/** Every sign-up email names its task (`Task: <id>`); the approval email names it in its subject. */
export const isAbout = (email: MailboxEmail, id: string) => email.subject.includes(id) || (email.body.text ?? '').includes(`Task: ${id}`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const linkPath = (email: MailboxEmail, kind: 'approvals' | 'tokens') => new RegExp(`https?://[^\\s]+(/v1/${kind}/[A-Za-z0-9_-]{43})`).exec(email.body.text ?? '')?.[1];
const describe = (reply: Reply) => `${reply.status} ${reply.json?.type ?? ''} ${reply.json?.detail ?? reply.text.slice(0, 200)}`.trim();
const APPROVED_OR_LATER = new Set(['approved', 'awaiting_token', 'completed']);

/** Polls `check` until it answers something, or the stack has been up for the quiet period without it. */
async function waitFor<T>(env: FlowEnvironment, check: () => Promise<T | undefined> | T | undefined, pollMs = 1_000): Promise<T | undefined> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (env.faults.isUp() && Date.now() - Math.max(start, env.faults.upSince()) > env.quietMs) return undefined;
    await sleep(pollMs);
  }
}

/** The newest email that matches, from the watcher's last poll. */
const newest = (env: FlowEnvironment, match: (email: MailboxEmail) => boolean) => env.mail.emails().filter(match).at(-1);

const ENDED = new Set(['failed', 'cancelled', 'expired', 'rejected']);
const describeEnd = (task: any) => `task ${task.id} is ${task.status}${task.failure ? ` (in ${task.failure.step}: ${task.failure.error}: ${task.failure.cause})` : ''}`;

/**
 * Waits for an email the flow needs; every few seconds also reads the task, and stops when it ended
 * without completing (no email is coming then). Answers the email, or the ended task, or undefined
 * after the quiet period.
 */
async function waitForMail(env: FlowEnvironment, id: string, match: (email: MailboxEmail) => boolean): Promise<{ mail?: MailboxEmail; ended?: any } | undefined> {
  let polls = 0;
  return waitFor(env, async () => {
    const mail = newest(env, match);
    if (mail) return { mail };
    if (++polls % 5 !== 0) return undefined;
    const task = await readTask(env, id);
    return ENDED.has(task.status) ? { ended: task } : undefined;
  });
}

async function readTask(env: FlowEnvironment, id: string): Promise<any> {
  for (let attempt = 1; ; attempt++) {
    const reply = await env.client.send('GET', `/v1/tasks/${id}`, { route: 'GET /v1/tasks/{id}', admin: true });
    if (reply.status === 200) return reply.json;
    // A 404 while the create that named the task is still being written cannot last long.
    if (attempt >= 30) throw new Error(`GET /v1/tasks/${id} answered ${describe(reply)} 30 times`);
    await sleep(1_000);
  }
}

/** Waits until the task's status is one of `statuses` (answers the task), or the quiet period passes (undefined). */
async function waitForStatus(env: FlowEnvironment, flow: SignUpFlow, statuses: readonly string[]): Promise<any> {
  return waitFor(env, async () => {
    const task = await readTask(env, flow.id as string);
    flow.status = task.status;
    return statuses.includes(task.status) ? task : undefined;
  });
}

async function create(env: FlowEnvironment, flow: SignUpFlow): Promise<string | undefined> {
  const body = { type: 'sign-up', data: { email: flow.email, projectName: flow.projectName } };
  const key = randomUUID();
  let heldSince: number | undefined;
  for (;;) {
    const reply = await env.client.send('POST', '/v1/tasks', { route: 'POST /v1/tasks', json: body, headers: { 'idempotency-key': key } });
    if (reply.status === 202 && typeof reply.json?.id === 'string') {
      if (reply.headers.get('idempotent-replayed') === 'true') flow.replays.push('create replayed its first answer');
      return reply.json.id;
    }
    if (reply.status === 409 && typeof reply.json?.existingTaskId === 'string') {
      // An earlier try that got no answer (or a wrong one) created it: sign-ups refuse duplicates and name the task.
      flow.replays.push(`create answered 409 duplicate-task: ${reply.json.existingTaskId}`);
      return reply.json.existingTaskId;
    }
    if (reply.status !== 409 || reply.json?.type !== 'https://assent.dev/problems/concurrent-update') {
      flow.problems.push({ kind: 'unexpected-answer', detail: `POST /v1/tasks answered ${describe(reply)}` });
      return undefined;
    }
    // "Still being handled": a first try that got no answer holds the key. It may be running, or it
    // died with the stack; it holds the key until its invocation's time is up (the HTTP function's
    // timeout after it began), so a key held well past that after the stack came back is stuck.
    heldSince ??= Date.now();
    if (env.faults.isUp() && Date.now() - Math.max(heldSince, env.faults.upSince()) > HTTP_TIMEOUT_MS + 15_000) {
      flow.problems.push({ kind: 'stuck-idempotency-key', detail: `POST /v1/tasks kept answering 409 concurrent-update for its Idempotency-Key for ${Math.round((Date.now() - heldSince) / 1000)} s after the stack was back` });
      return createWithoutKey(env, flow, body);
    }
    await sleep(1_000);
  }
}

/** What a client does about a stuck key: send the request without it; sign-ups refuse duplicates and name the task. */
async function createWithoutKey(env: FlowEnvironment, flow: SignUpFlow, body: unknown): Promise<string | undefined> {
  const reply = await env.client.send('POST', '/v1/tasks', { route: 'POST /v1/tasks', json: body });
  if (reply.status === 202) return reply.json.id;
  if (reply.status === 409 && typeof reply.json?.existingTaskId === 'string') return reply.json.existingTaskId;
  flow.problems.push({ kind: 'unexpected-answer', detail: `POST /v1/tasks without a key answered ${describe(reply)}` });
  return undefined;
}

async function approve(env: FlowEnvironment, flow: SignUpFlow, id: string): Promise<boolean> {
  const waited = await waitForMail(env, id, (email) => email.subject === approvalSubject(id));
  if (waited?.ended) {
    flow.problems.push({ kind: 'ended', detail: `${describeEnd(waited.ended)} before its approval email came` });
    return false;
  }
  const mail = waited?.mail;
  if (!mail) flow.problems.push({ kind: 'lost-email', detail: `no approval email for task ${id} (status ${(await readTask(env, id)).status})` });
  if (mail && flow.approveBy === 'link') {
    const path = linkPath(mail, 'approvals') as string;
    const reply = await env.client.send('POST', path, { route: 'POST /v1/approvals/{secret}', json: { decision: 'approve' } });
    if (reply.status === 200 || reply.status === 202) return true;
    const task = await readTask(env, id);
    if (task.status !== 'pending') {
      flow.replays.push(`approval link answered ${reply.status} ${reply.json?.type ?? ''} once the task was ${task.status}`);
      return true;
    }
    flow.problems.push({ kind: 'burnt-link', detail: `the approval link answered ${describe(reply)} while task ${id} is pending; approving through the admin API instead` });
  }
  for (;;) {
    const reply = await env.client.send('POST', `/v1/tasks/${id}/approve`, { route: 'POST /v1/tasks/{id}/approve', json: {}, admin: true });
    if (reply.status === 200 || reply.status === 202) return true;
    if (reply.status === 409) {
      const task = await readTask(env, id);
      if (APPROVED_OR_LATER.has(task.status)) {
        flow.replays.push(`admin approval answered 409 ${reply.json?.type ?? ''} once the task was ${task.status}`);
        return true;
      }
      if (reply.json?.type === 'https://assent.dev/problems/concurrent-update') {
        await sleep(1_000);
        continue;
      }
    }
    const task = reply.status === 409 ? await readTask(env, id) : undefined;
    flow.problems.push(task && ENDED.has(task.status) ? { kind: 'ended', detail: describeEnd(task) } : { kind: 'unexpected-answer', detail: `POST /v1/tasks/${id}/approve answered ${describe(reply)}` });
    return false;
  }
}

async function submit(env: FlowEnvironment, flow: SignUpFlow, id: string): Promise<boolean> {
  const isToken = (email: MailboxEmail) => email.destination.to.includes(flow.email) && email.subject === tokenSubject(flow.projectName) && isAbout(email, id);
  const used = new Set<string>();
  let heldSince: number | undefined;
  for (;;) {
    const waited = await waitForMail(env, id, (email) => isToken(email) && !used.has(linkPath(email, 'tokens') ?? ''));
    if (waited?.ended) {
      flow.problems.push({ kind: 'ended', detail: `${describeEnd(waited.ended)} before its token email came` });
      return false;
    }
    const mail = waited?.mail;
    if (!mail) {
      const task = await readTask(env, id);
      if (task.status === 'completed') return true;
      // Approved, and its execution never moved on to the token; or waiting for a token nobody was sent; or for a newer one.
      const kind: ProblemKind = task.status === 'approved' ? 'stranded' : used.size === 0 ? 'lost-email' : 'burnt-link';
      flow.problems.push({ kind, detail: `no ${used.size === 0 ? '' : 'newer '}token email for task ${id} (status ${task.status}, waiting for ${task.waitingFor ?? 'nothing'})` });
      return false;
    }
    const path = linkPath(mail, 'tokens') as string;
    const reply = await env.client.send('POST', path, { route: 'POST /v1/tokens/{token}', json: { password: PASSWORD } });
    if (reply.status === 200) return true;
    const task = await readTask(env, id);
    if (task.status === 'completed') {
      flow.replays.push(`token submit answered ${reply.status} ${reply.json?.type ?? ''} once the task was completed`);
      return true;
    }
    if (reply.status === 409 && reply.json?.type === 'https://assent.dev/problems/concurrent-update') {
      // An earlier try claimed the task and died (or still runs): the link submits again once that claim's lease is over.
      heldSince ??= Date.now();
      if (env.faults.isUp() && Date.now() - Math.max(heldSince, env.faults.upSince()) > (TOKEN_CLAIM_LEASE_SECONDS + 15) * 1000) {
        flow.problems.push({ kind: 'burnt-link', detail: `the token link kept answering ${describe(reply)} for ${Math.round((Date.now() - heldSince) / 1000)} s` });
        return false;
      }
      await sleep(Number(reply.headers.get('retry-after') ?? 1) * 1000);
      continue;
    }
    if (reply.status === 404 && task.tokenUse) {
      // Used by an earlier try that got no answer: its submit must still end the task.
      const done = await waitForStatus(env, flow, ['completed', 'failed', 'cancelled', 'expired']);
      if (done?.status === 'completed') {
        flow.replays.push('token submit answered 404 already used, and the earlier try completed the task');
        return true;
      }
      flow.problems.push({ kind: 'burnt-link', detail: `the token link answered ${describe(reply)}; task ${id} stays ${done?.status ?? flow.status} with tokenUse ${JSON.stringify(task.tokenUse)}` });
      return false;
    }
    if (reply.status === 410 && task.status === 'awaiting_token') {
      // A newer link replaced this one: its email must be there.
      used.add(path);
      continue;
    }
    if (ENDED.has(task.status)) flow.problems.push({ kind: 'ended', detail: `${describeEnd(task)}; its token link answered ${describe(reply)}` });
    else flow.problems.push({ kind: reply.status === 404 || reply.status === 410 ? 'burnt-link' : 'unexpected-answer', detail: `the token link answered ${describe(reply)} while task ${id} is ${task.status}` });
    return false;
  }
}

/** Drives one sign-up to its end; what went wrong is in `flow.problems`. */
export async function driveSignUp(env: FlowEnvironment, flow: SignUpFlow): Promise<void> {
  try {
    const id = await create(env, flow);
    if (!id) return;
    flow.id = id;
    if (!(await approve(env, flow, id))) return;
    if (!(await submit(env, flow, id))) return;
    const done = await waitForStatus(env, flow, ['completed', ...ENDED]);
    if (done?.status !== 'completed') {
      flow.problems.push(done ? { kind: 'ended', detail: `${describeEnd(done)} after its token was submitted` } : { kind: 'stranded', detail: `task ${id} stays ${flow.status} after its token was submitted` });
      return;
    }
    const completed = await waitFor(env, () => newest(env, (email) => email.subject === completedSubject(flow.projectName) && isAbout(email, id)));
    if (!completed) flow.problems.push({ kind: 'lost-email', detail: `no completed email for task ${id}` });
  } catch (error) {
    flow.problems.push({ kind: 'unexpected-answer', detail: String((error as Error).stack ?? error) });
  }
}

/**
 * Runs `items` with at most `concurrency` at once, the first ones `staggerMs` apart (so that a fault
 * finds flows at every stage, not all at the same one); the others start as earlier ones end.
 */
export async function runAll<T>(items: readonly T[], concurrency: number, run: (item: T) => Promise<void>, staggerMs = 0): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async (_, worker) => {
      await sleep(worker * staggerMs);
      while (next < items.length) await run(items[next++] as T);
    }),
  );
}
