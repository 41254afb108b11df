import { z } from 'zod';
import { defineAction } from '#core/action';
import { ConfigurationError } from '#core/errors';
import { resourceRegistry, ResourceRegistry } from '#functions/resources';
import { buildOpenApi } from '#http/openapi';
import { describeResources } from '#http/resources';
import { engineWithFakes } from '../support/engine-harness.ts';

const todos = { name: 'todos', description: 'x', exists: async () => true };
const instanceAction = defineAction({ name: 'poke', description: 'Pokes', schema: z.object({ id: z.string() }) });

describe('ResourceRegistry', () => {
  it('derives one task type per action: <resource>.<action>, auto-approval from the policy', () => {
    expect(resourceRegistry.taskTypes().map((t) => [t.name, t.actions, t.autoApprove, t.access])).toStrictEqual([
      ['todos.mark-done', ['mark-done'], true, 'authenticated'],
      ['todos.archive-completed', ['archive-completed'], false, 'authenticated'],
    ]);
  });

  it('refuses an action listed twice for a resource', () => {
    const entry = { resource: 'todos', action: instanceAction, scope: 'instance' as const, stability: 'alpha' as const, approval: 'auto' as const };
    expect(() => new ResourceRegistry([todos], [entry, entry])).toThrow(new ConfigurationError('Resource "todos" lists action "poke" twice. Each action is one line.'));
  });

  it('refuses an entry that is not a defineAction export, saying how to fix it', () => {
    const entry = { resource: 'todos', action: {} as never, scope: 'collection' as const, stability: 'beta' as const, approval: 'admin' as const };
    expect(() => new ResourceRegistry([todos], [entry])).toThrow(/must export defineAction\(\{ name, description, schema, \.\.\. \}\)/);
  });

  it('refuses an instance action without an id field, and an undeclared resource', () => {
    const noId = defineAction({ name: 'x', description: 'x', schema: z.object({}) });
    expect(() => new ResourceRegistry([todos], [{ resource: 'todos', action: noId, scope: 'instance', stability: 'beta', approval: 'auto' }])).toThrow(
      /needs an "id" field in its schema/,
    );
    expect(() => new ResourceRegistry([], [{ resource: 'todos', action: instanceAction, scope: 'instance', stability: 'beta', approval: 'auto' }])).toThrow(
      /names a resource that is not declared/,
    );
  });
});

describe('todos actions through the engine', () => {
  it('mark-done auto-approves, completes without a token, and keeps its result; running it twice keeps the first doneAt', async () => {
    const { engine, todos: store, clock } = engineWithFakes();
    await store.create({ id: 't1', title: 'Write tests', done: false, archived: false, createdAt: 'x' });
    const requester = { sub: 'u1', roles: [] };
    const run = async () => {
      const task = await engine.createTask('todos.mark-done', { id: 't1' }, requester);
      expect(await engine.preApprove(task.id)).toStrictEqual({ autoApprove: true });
      expect(await engine.postApprove(task.id)).toStrictEqual({ tokenRequired: false });
      await engine.submit(task.id);
      return engine.getTask(task.id);
    };

    const first = await run();
    clock.advance(60);
    const second = await run();

    expect([first.status, first.actions[0]?.stored.result]).toStrictEqual([
      'completed',
      { todo: { id: 't1', title: 'Write tests', done: true, archived: false, createdAt: 'x', doneAt: '2026-11-23T10:00:00.000Z' } },
    ]);
    expect((second.actions[0]?.stored.result as { todo: { doneAt: string } }).todo.doneAt).toBe('2026-11-23T10:00:00.000Z');
    expect([first.createdBy?.sub, first.durationMs, first.history.map((entry) => entry.event)]).toStrictEqual(['u1', 0, ['created', 'auto-approved', 'completed']]);
  });

  it('mark-done on a todo that does not exist is invalid and auto-rejected', async () => {
    const { engine } = engineWithFakes();
    const task = await engine.createTask('todos.mark-done', { id: 'ghost' }, { sub: 'u1', roles: [] });
    await engine.preApprove(task.id);
    expect((await engine.getTask(task.id)).history.at(-1)?.reason).toBe('Invalid: mark-done (There is no todo ghost.)');
  });
});

describe('alpha actions are marked wherever they are listed', () => {
  const registry = new ResourceRegistry([todos], [{ resource: 'todos', action: instanceAction, scope: 'instance', stability: 'alpha', approval: 'auto' }]);

  it('in GET /v1/actions', () => {
    expect(describeResources(registry).resources[0]?.actions[0]).toMatchObject({
      name: 'poke',
      stability: 'alpha',
      warning: 'Alpha: may change or go away without notice.',
      path: '/v1/todos/{id}/actions/poke',
    });
  });

  it('in the OpenAPI document (and so on /docs)', () => {
    const document = buildOpenApi('https://api.example.com', registry);
    const operation = document.paths['/v1/{resource}/{id}/actions/{action}']?.post as { description: string };
    expect(operation.description).toBe('Actions:\n- `POST /v1/todos/{id}/actions/poke` **[alpha]**: Pokes');
  });
});
