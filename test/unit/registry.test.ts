import { z } from 'zod';
import type { ActionDefinition } from '#core/action';
import { ConfigurationError, NotFoundError, ValidationError } from '#core/errors';
import { Registry } from '#core/registry';
import { defineTaskType } from '#core/task-type';
import { canTransition, transition } from '#core/transitions';
import { InvalidTransitionError } from '#core/errors';
import type { Task } from '#core/task';
import { actions } from '#functions/actions/registry';
import { taskTypes } from '#functions/task-types';

const action = (name: string, shape: z.ZodRawShape = {}): ActionDefinition => ({ name, description: name, schema: z.object(shape) });
const taskType = (name: string, actions: string[]) => defineTaskType({ name, description: name, actions, access: 'public', autoApprove: false });

describe('Registry', () => {
  it('accepts unique actions and task types that use them', () => {
    const registry = new Registry([action('a'), action('b')], [taskType('t', ['a', 'b'])]);
    expect(registry.taskType('t').actions).toStrictEqual(['a', 'b']);
  });

  it('fails when two actions share a name, saying how to fix it', () => {
    expect(() => new Registry([action('a'), action('a')], [])).toThrow(
      new ConfigurationError('Two actions are named "a". Action names must be unique: rename one in its action.ts.'),
    );
  });

  it('fails when a task type lists an unregistered action, naming the known ones', () => {
    expect(() => new Registry([action('a')], [taskType('t', ['missing'])])).toThrow(
      new ConfigurationError('Task type "t" lists action "missing", which is not registered. Add it to functions/actions/registry.ts (known: a).'),
    );
  });

  it('accepts tokenRequiresAuth on a type whose access identifies the requester, and refuses it on a public one, saying how to fix it', () => {
    const signedIn = defineTaskType({ name: 'signed-in', description: 'x', actions: ['a'], access: 'authenticated', autoApprove: false, tokenRequiresAuth: true });
    const open = defineTaskType({ name: 'open', description: 'x', actions: ['a'], access: 'public', autoApprove: false, tokenRequiresAuth: true });

    expect(new Registry([action('a')], [signedIn, taskType('t', ['a'])]).listTaskTypes().map((type) => [type.name, type.tokenRequiresAuth])).toStrictEqual([
      ['signed-in', true],
      ['t', false],
    ]);
    expect(() => new Registry([action('a')], [open])).toThrow(
      new ConfigurationError(
        'Task type "open" has tokenRequiresAuth but access "public": an anonymous requester could never submit its token. Give it access "authenticated" (or roles), or drop tokenRequiresAuth, in functions/task-types.ts.',
      ),
    );
  });

  it('fails when a registry entry is not a defineAction export', () => {
    expect(() => new Registry([{} as ActionDefinition], [])).toThrow(ConfigurationError);
  });

  it('answers 404 for an unknown task type', () => {
    expect(() => new Registry([], []).taskType('nope')).toThrow(NotFoundError);
  });

  it('validates the merged input, refusing unknown fields, and splits it per action', () => {
    const registry = new Registry([action('a', { x: z.string() }), action('b', { y: z.number() })], [taskType('t', ['a', 'b'])]);
    const t = registry.taskType('t');
    expect(registry.parseInput(t, { x: '1', y: 2 })).toStrictEqual([{ x: '1' }, { y: 2 }]);
    expect(() => registry.parseInput(t, { x: '1', y: 2, z: 3 })).toThrow(ValidationError);
  });
});

describe('the shipped registry', () => {
  it('declares role-grant as DESIGN §7 says: grant-role for members and project admins, never automatic, a project admin then two of security', () => {
    // Act
    const roleGrant = new Registry(actions, taskTypes).taskType('role-grant');

    // Assess
    expect([roleGrant.actions, roleGrant.access, roleGrant.autoApprove, roleGrant.duplicatePolicy, roleGrant.approvalTtlSeconds, roleGrant.allowSelfApproval]).toStrictEqual([
      ['grant-role'],
      { roles: ['member', 'project_admin'] },
      false,
      'reject',
      7 * 24 * 3600,
      false,
    ]);
    expect(roleGrant.approval).toStrictEqual({
      levels: [
        { name: 'project-admins', approvers: { resolver: 'project-admins' }, quorum: 1, reminders: [], onDeadline: 'reject', onlyWhenAsked: false },
        { name: 'security', approvers: { groups: ['security'] }, quorum: 2, deadline: 'P3D', reminders: ['P1D'], onDeadline: 'escalate', escalateTo: { roles: ['admin'] }, onlyWhenAsked: false },
      ],
    });
  });
});

describe('transitions', () => {
  const task = { id: 'T', status: 'pending', history: [], updatedAt: 'x' } as unknown as Task;

  it('allows pending → approved and records who, when and why', () => {
    const next = transition(task, { to: 'approved', by: { kind: 'admin', id: 'root' }, event: 'approved', at: 't1', reason: 'ok' });
    expect([next.status, next.updatedAt, next.history]).toStrictEqual([
      'approved',
      't1',
      [{ at: 't1', by: { kind: 'admin', id: 'root' }, event: 'approved', from: 'pending', to: 'approved', reason: 'ok' }],
    ]);
  });

  it('refuses completed → anything and pending → completed', () => {
    expect(canTransition('completed', 'failed')).toBe(false);
    expect(() => transition(task, { to: 'completed', by: { kind: 'system', id: 'system' }, event: 'x', at: 't' })).toThrow(
      new InvalidTransitionError('Task T is pending and cannot become completed.'),
    );
  });
});
