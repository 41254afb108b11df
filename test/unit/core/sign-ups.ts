import { defineTaskType } from '#core/task-type';
import { type Engine, engineWithFakes } from '../../support/engine-harness.ts';

/** What the core tests share: an admin, a harness with one operator, and sign-ups driven as the state machine would. */
export const ADMIN = { kind: 'admin' as const, id: 'root@example.com' };

/** One operator, one admin (ADMIN: who approves), tasks kept 60 minutes after they end. */
export const setupOps = () => engineWithFakes({ operatorEmails: ['ops@example.com'], admins: [ADMIN.id], ttlMinutes: 60 });

/** Two operators, who are the two admins (approvers), and two more task types: one for role `member`, one for anyone signed in. */
export const setupApprovers = () =>
  engineWithFakes({
    operatorEmails: ['a1@example.com', 'a2@example.com'],
    extraTaskTypes: [
      defineTaskType({ name: 'members-only', description: 'x', actions: ['reset-user-password'], access: { roles: ['member'] }, autoApprove: false }),
      defineTaskType({ name: 'signed-in', description: 'x', actions: ['reset-user-password'], access: 'authenticated', autoApprove: false }),
    ],
  });

export const signUp = (engine: Engine, name = 'apollo', requester?: { sub: string; email?: string; roles: string[] }) =>
  engine.createTask('sign-up', { email: `${name}@example.com`, projectName: name }, requester);

/** Takes a sign-up to "awaiting its token", as the state machine would. */
export async function toAwaitingToken(engine: Engine, name = 'apollo') {
  const task = await signUp(engine, name);
  await engine.preApprove(task.id);
  await engine.awaitApproval(task.id, `sfn-approval-${name}`);
  await engine.decide(task.id, 'approve');
  await engine.postApprove(task.id);
  await engine.awaitToken(task.id, `sfn-token-${name}`);
  return task;
}
