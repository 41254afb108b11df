import { jest } from '@jest/globals';
import { MemoryTodos } from '../../../test/support/fakes.ts';
import { runHook } from '../../../test/support/run-hook.ts';
import { archiveCompleted } from './action.ts';

/** The archive-completed action of the todos resource alone, with runHook. */
const AT = '2026-11-23T10:00:00.000Z';

async function todosWithOneDone() {
  const todos = new MemoryTodos();
  await todos.create({ id: 't1', title: 'Done', done: true, archived: false, createdAt: 'x' });
  await todos.create({ id: 't2', title: 'Open', done: false, archived: false, createdAt: 'x' });
  return todos;
}

describe('archive-completed', () => {
  it('asks an admin first', async () => {
    const result = await runHook(archiveCompleted, 'preApprove', { data: {} });

    expect(result).toStrictEqual({ valid: true, autoApprove: false, needsToken: false, notes: [{ at: AT, text: 'Archives every done todo; asks an admin first.' }], stored: {} });
  });

  it('archives the done todos only, and keeps their ids as the result', async () => {
    const todos = await todosWithOneDone();

    const result = await runHook(archiveCompleted, 'submit', { data: {}, ports: { todos } });

    expect([result.stored, result.notes]).toStrictEqual([{ result: { archived: ['t1'] } }, [{ at: AT, text: 'Archived 1 todo(s).' }]]);
    expect([(await todos.get('t1'))?.archived, (await todos.get('t2'))?.archived]).toStrictEqual([true, false]);
  });

  it('archives nothing more when retried after it archived, and says what the first attempt did', async () => {
    const todos = await todosWithOneDone();
    const first = await runHook(archiveCompleted, 'submit', { data: {}, ports: { todos } });
    const archiveDone = jest.spyOn(todos, 'archiveDone');

    const retried = await runHook(archiveCompleted, 'submit', { data: {}, stored: first.stored, ports: { todos } });

    expect([archiveDone.mock.calls.length, retried.stored, retried.notes]).toStrictEqual([0, { result: { archived: ['t1'] } }, [{ at: AT, text: 'Archived 1 todo(s).' }]]);
  });
});
