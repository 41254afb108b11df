import { MemoryTodos } from '../../../test/support/fakes.ts';
import { runHook } from '../../../test/support/run-hook.ts';
import { markDone } from './action.ts';

/** The mark-done action of the todos resource alone, with runHook. Through the engine: test/unit/resources.test.ts. */
const AT = '2026-11-23T10:00:00.000Z';
const TODO = { id: 't1', title: 'Write tests', done: false, archived: false, createdAt: 'x' };

async function withTodo(todo = TODO) {
  const todos = new MemoryTodos();
  await todos.create(todo);
  return todos;
}

describe('mark-done preApprove', () => {
  it('passes for a todo that exists, and needs no admin', async () => {
    const result = await runHook(markDone, 'preApprove', { data: { id: 't1' }, ports: { todos: await withTodo() } });

    expect(result).toStrictEqual({
      valid: true,
      autoApprove: true,
      needsToken: false,
      notes: [
        { at: AT, step: 'todo-exists', text: 'Todo "Write tests" exists.' },
        { at: AT, text: 'Marking a todo done needs no admin.' },
      ],
      stored: {},
    });
  });

  it('says when the todo is already done', async () => {
    const result = await runHook(markDone, 'preApprove', { data: { id: 't1' }, ports: { todos: await withTodo({ ...TODO, done: true }) } });
    expect(result.notes[0]?.text).toBe('Todo "Write tests" exists and is already done.');
  });

  it('refuses a todo that does not exist, with one note only', async () => {
    const result = await runHook(markDone, 'preApprove', { data: { id: 'ghost' } });
    expect([result.valid, result.autoApprove, result.notes]).toStrictEqual([false, true, [{ at: AT, step: 'todo-exists', text: 'There is no todo ghost.' }]]);
  });
});

describe('mark-done submit', () => {
  it('marks the todo done and keeps it as the result', async () => {
    const todos = await withTodo();

    const result = await runHook(markDone, 'submit', { data: { id: 't1' }, ports: { todos } });

    const done = { ...TODO, done: true, doneAt: AT };
    expect([result.valid, result.stored]).toStrictEqual([true, { result: { todo: done } }]);
    expect(await todos.get('t1')).toStrictEqual(done);
  });

  it('refuses when the todo disappeared before submit', async () => {
    const result = await runHook(markDone, 'submit', { data: { id: 'ghost' } });
    expect([result.valid, result.notes, result.stored]).toStrictEqual([false, [{ at: AT, text: 'Todo ghost disappeared before it could be marked done.' }], {}]);
  });
});
