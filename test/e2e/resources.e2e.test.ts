import { api, tokenFor, unique, waitForEmail, waitForTask } from '../support/stack.ts';

/** Resource actions DJ-Actions style, through the local stack: one HTTP call runs a task and answers its result. */
const user = async () => `Bearer ${await tokenFor({ sub: `u-${unique()}`, email: `u-${unique()}@example.com`, roles: ['member'] })}`;

async function newTodo(authorization: string, title = `todo ${unique()}`) {
  const created = await api('/v1/todos', { method: 'POST', json: { title }, headers: { authorization } });
  expect(created.status).toBe(201);
  return created.json as { id: string; title: string };
}

describe('GET /v1/actions', () => {
  it('lists the todos resource with its actions, scope, stability, input schema and approval policy', async () => {
    const response = await api('/v1/actions');
    expect(response.status).toBe(200);
    const todos = response.json.resources.find((resource: { name: string }) => resource.name === 'todos');
    expect(todos.actions.map((action: Record<string, unknown>) => [action.name, action.scope, action.stability, action.approval, action.path, action.taskType])).toStrictEqual([
      ['mark-done', 'instance', 'stable', 'auto', '/v1/todos/{id}/actions/mark-done', 'todos.mark-done'],
      ['archive-completed', 'collection', 'beta', 'admin', '/v1/todos/actions/archive-completed', 'todos.archive-completed'],
    ]);
    expect(todos.actions[0].inputSchema.type).toBe('object');
  });
});

describe('POST /v1/todos/{id}/actions/mark-done', () => {
  it('marks a todo done in one call and answers the result; the run is a tracked task', async () => {
    // Prepare
    const authorization = await user();
    const todo = await newTodo(authorization);

    // Act
    const response = await api(`/v1/todos/${todo.id}/actions/mark-done`, { method: 'POST', headers: { authorization } });

    // Assess
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ status: 'completed', result: { todo: { id: todo.id, title: todo.title, done: true } } });
    expect((await api(`/v1/todos/${todo.id}`, { headers: { authorization } })).json.done).toBe(true);
    const task = await waitForTask(response.json.taskId, (t) => t.status === 'completed');
    expect([task.type, task.actions[0].data]).toStrictEqual(['todos.mark-done', { id: todo.id }]);
  });

  it('answers 404 for an unknown todo, resource or action, and 405 for the wrong scope', async () => {
    const authorization = await user();
    const todo = await newTodo(authorization);
    const post = (path: string) => api(path, { method: 'POST', headers: { authorization } });

    const unknownTodo = await post('/v1/todos/nope/actions/mark-done');
    const unknownResource = await post('/v1/goats/x/actions/mark-done');
    const unknownAction = await post(`/v1/todos/${todo.id}/actions/explode`);
    const wrongScope = await post('/v1/todos/actions/mark-done');
    const anonymous = await api(`/v1/todos/${todo.id}/actions/mark-done`, { method: 'POST' });

    expect([unknownTodo.status, unknownTodo.json.detail]).toStrictEqual([404, 'There is no todos item nope.']);
    expect([unknownResource.status, unknownResource.json.detail]).toStrictEqual([404, 'There is no resource "goats". GET /v1/actions lists them.']);
    expect([unknownAction.status, unknownAction.headers.get('content-type')]).toStrictEqual([404, 'application/problem+json']);
    expect([wrongScope.status, wrongScope.json.detail]).toStrictEqual([405, '"mark-done" is an instance action: call POST /v1/todos/{id}/actions/mark-done.']);
    expect(anonymous.status).toBe(401);
  });
});

describe('POST /v1/todos/actions/archive-completed', () => {
  it('waits for an admin (202 with the task), then archives the done todos once approved', async () => {
    const authorization = await user();
    const todo = await newTodo(authorization);
    await api(`/v1/todos/${todo.id}/actions/mark-done`, { method: 'POST', headers: { authorization } });

    const response = await api('/v1/todos/actions/archive-completed', { method: 'POST', headers: { authorization } });

    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({ type: 'todos.archive-completed', status: 'pending' });
    await waitForEmail((mail) => mail.subject === `Approval needed: todos.archive-completed ${response.json.taskId}`);
    const approved = await api(`/v1/tasks/${response.json.taskId}/approve`, { method: 'POST', admin: true });
    expect(approved.status).toBe(200);
    const task = await waitForTask(response.json.taskId, (t) => t.status === 'completed');
    expect(task.actions[0].stored.result.archived).toContain(todo.id);
    const listed = await api('/v1/todos?limit=100', { headers: { authorization } });
    expect(listed.json.todos.map((t: { id: string }) => t.id)).not.toContain(todo.id);
  });
});
