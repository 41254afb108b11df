/**
 * The task types as people drive them, over HTTP, with links read from the mailbox: each flow
 * resolves when the task's last email (the "completed" one) has arrived.
 */
import { linkIn } from '../test/support/stack.ts';
import type { BenchStack } from './stack.ts';

/** Who approves sign-ups and the first level of quota-change: the default policy's one admin. */
export const APPROVER = 'admin@assent.local';
/** Two of group security: quota-change's second level for more than one size up. */
const SECURITY = ['approver@assent.local', 'approver2@assent.local'] as const;

/** A seeded local account's ID token (its real `sub`, as the approval levels know it). */
async function seededToken(stack: BenchStack, email: string): Promise<string> {
  const user = stack.endpoints.users.find((known) => known.email === email);
  if (!user) throw new Error(`No seeded account ${email}`);
  return stack.token({ sub: user.sub, email: user.email, roles: [...user.groups] });
}
const PASSWORD = 'correct horse battery staple';

/** A project owner made by a completed sign-up, with a JWT of their own. */
export interface Owner {
  readonly email: string;
  readonly projectName: string;
  readonly jwt: string;
  /** The id of the sign-up task that made the owner. */
  readonly taskId: string;
}

/** A flow: one task of one type, from the request to its completed email. */
export type Flow = (stack: BenchStack, index: number) => Promise<void>;

/**
 * Submits a token, again when the answer is 409 concurrent-update: the workflow's awaitToken step
 * still writes to the task (it records that the token email went out) after the email is sent, so a
 * submit that lands in that window is refused with a retryable 409. Retries are counted.
 */
async function submitToken(stack: BenchStack, path: string, data: Record<string, unknown>, what: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const answer = await stack.api.call(path, { json: data });
    if (answer.status === 409 && String(answer.json?.type).endsWith('/concurrent-update') && attempt < 10) {
      stack.api.retries += 1;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      continue;
    }
    expectStatus(what, answer, 200);
    return;
  }
}

function expectStatus(what: string, answer: { status: number; text: string }, expected: number): void {
  if (answer.status !== expected) throw new Error(`${what}: expected HTTP ${expected}, got ${answer.status}: ${answer.text.slice(0, 300)}`);
}

/** sign-up: request, admin approval (after the approval email), token submit, completed email. */
export async function signUp(stack: BenchStack, name: string): Promise<Owner> {
  const email = `${name}@example.com`;
  const projectName = name;
  const created = await stack.api.call('/v1/tasks', { json: { type: 'sign-up', data: { email, projectName } } });
  expectStatus('POST /v1/tasks (sign-up)', created, 202);
  const id = String(created.json?.id);
  await stack.mailbox.waitFor(APPROVER, (mail) => mail.subject === `Approval needed: sign-up ${id}`);
  expectStatus('POST /v1/tasks/{id}/approve', await stack.api.call(`/v1/tasks/${id}/approve`, { method: 'POST', bearer: 'admin' }), 200);
  const tokenEmail = await stack.mailbox.waitFor(email, (mail) => mail.subject === `Choose your password for ${projectName}`);
  await submitToken(stack, linkIn(tokenEmail, 'tokens'), { password: PASSWORD }, 'POST /v1/tokens/{token} (sign-up)');
  await stack.mailbox.waitFor(email, (mail) => mail.subject === `Your project ${projectName} is ready`);
  const jwt = await stack.token({ sub: `sub-${name}`, email, roles: ['project_admin'] });
  return { email, projectName, jwt, taskId: id };
}

/** reset-password of an existing account: uniform 202, token email, submit, completed email. */
export async function resetPassword(stack: BenchStack, owner: Owner): Promise<void> {
  const created = await stack.api.call('/v1/tasks', { json: { type: 'reset-password', data: { email: owner.email } } });
  expectStatus('POST /v1/tasks (reset-password)', created, 202);
  const tokenEmail = await stack.mailbox.waitFor(owner.email, (mail) => mail.subject === 'Reset your password');
  const id = /Task: (\w+)/.exec(tokenEmail.body.text ?? '')?.[1] ?? '';
  await submitToken(stack, linkIn(tokenEmail, 'tokens'), { password: `${PASSWORD} 2` }, 'POST /v1/tokens/{token} (reset-password)');
  await stack.mailbox.waitFor(owner.email, (mail) => mail.subject === 'Your password was changed' && (mail.body.text ?? '').includes(`Task: ${id}`));
}

/** reset-password of an address with no account: the same 202, then nothing is sent. Resolves on the 202. */
export async function resetPasswordUnknown(stack: BenchStack, name: string): Promise<void> {
  const created = await stack.api.call('/v1/tasks', { json: { type: 'reset-password', data: { email: `${name}@example.com` } } });
  expectStatus('POST /v1/tasks (reset-password, unknown)', created, 202);
}

/** quota-change by one step (auto-approved, no token): request, completed email. */
export async function quotaChange(stack: BenchStack, owner: Owner, size: 'small' | 'medium' | 'large'): Promise<void> {
  const created = await stack.api.call('/v1/tasks', { json: { type: 'quota-change', data: { size } }, bearer: owner.jwt });
  expectStatus('POST /v1/tasks (quota-change)', created, 202);
  const id = String(created.json?.id);
  await stack.mailbox.waitFor(owner.email, (mail) => mail.subject.startsWith('Quota of') && (mail.body.text ?? '').includes(`Task: ${id}`));
}

/** quota-change two steps up (small → large): an admin, then two of security, then completes with no token. */
export async function quotaChangeApproved(stack: BenchStack, owner: Owner): Promise<void> {
  const created = await stack.api.call('/v1/tasks', { json: { type: 'quota-change', data: { size: 'large' } }, bearer: owner.jwt });
  expectStatus('POST /v1/tasks (quota-change large)', created, 202);
  const id = String(created.json?.id);
  await stack.mailbox.waitFor(APPROVER, (mail) => mail.subject === `Approval needed: quota-change ${id}`);
  expectStatus('POST /v1/tasks/{id}/approve', await stack.api.call(`/v1/tasks/${id}/approve`, { method: 'POST', bearer: 'admin' }), 200);
  for (const email of SECURITY) {
    await stack.mailbox.waitFor(email, (mail) => mail.subject === `Approval needed: quota-change ${id}`);
    expectStatus('POST /v1/tasks/{id}/approve (security)', await stack.api.call(`/v1/tasks/${id}/approve`, { method: 'POST', bearer: await seededToken(stack, email) }), 200);
  }
  await stack.mailbox.waitFor(owner.email, (mail) => mail.subject.startsWith('Quota of') && (mail.body.text ?? '').includes(`Task: ${id}`));
}

/** invite-user of a new address (auto-approved for the owner): token email, password, welcome email. */
export async function inviteUser(stack: BenchStack, owner: Owner, name: string): Promise<void> {
  const invitee = `${name}@example.com`;
  const created = await stack.api.call('/v1/tasks', { json: { type: 'invite-user', data: { email: invitee, roles: ['member'] } }, bearer: owner.jwt });
  expectStatus('POST /v1/tasks (invite-user)', created, 202);
  const tokenEmail = await stack.mailbox.waitFor(invitee, (mail) => mail.subject === `Join ${owner.projectName} on Assent`);
  await submitToken(stack, linkIn(tokenEmail, 'tokens'), { password: PASSWORD }, 'POST /v1/tokens/{token} (invite-user)');
  await stack.mailbox.waitFor(invitee, (mail) => mail.subject === `Welcome to ${owner.projectName}`);
}

/** Runs `count` jobs with at most `concurrency` at a time; answers the seconds it took. */
export async function runPool(count: number, concurrency: number, job: (index: number) => Promise<void>, progress?: (done: number) => void): Promise<number> {
  const started = performance.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await job(index);
      done += 1;
      progress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return (performance.now() - started) / 1000;
}
