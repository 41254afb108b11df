import type { Todo, TodoStore } from '#ports/todo-store';

export interface TodoStoreSubject {
  /** A store on an empty table. */
  readonly store: TodoStore;
}

const todo = (id: string, minute: number, overrides: Partial<Todo> = {}): Todo => ({
  id,
  title: `Todo ${id}`,
  done: false,
  archived: false,
  createdAt: `2026-11-23T10:0${minute}:00.000Z`,
  ...overrides,
});

/** The TodoStore port's behaviour (the example resource), for the in-memory fake and the DynamoDB adapter alike. */
export function describeTodoStoreContract(name: string, makeStore: () => Promise<TodoStoreSubject>): void {
  describe(`TodoStore contract: ${name}`, () => {
    let store: TodoStore;
    beforeEach(async () => {
      ({ store } = await makeStore());
    });

    it('lists todos newest first, leaving archived ones out', async () => {
      // Prepare
      const todos = [todo('A', 1), todo('B', 2, { done: true, archived: true, doneAt: 'x' }), todo('C', 3), todo('D', 4)];
      for (const item of todos) await store.create(item);

      // Act
      const lists = [await store.list(10), await store.list(2)];

      // Assess
      expect(lists).toStrictEqual([[todos[3], todos[2], todos[0]], [todos[3], todos[2]]]);
      await expect(store.get('B')).resolves.toStrictEqual(todos[1]);
    });

    it('marks a todo done once, keeping the first time, and answers undefined for an absent one', async () => {
      // Prepare
      await store.create(todo('A', 1));

      // Act
      const results = [await store.markDone('A', 'first'), await store.markDone('A', 'second'), await store.markDone('absent', 'first')];

      // Assess
      expect(results).toStrictEqual([todo('A', 1, { done: true, doneAt: 'first' }), todo('A', 1, { done: true, doneAt: 'first' }), undefined]);
    });

    it('archives the done todos and answers their ids', async () => {
      // Prepare
      for (const item of [todo('A', 1, { done: true, doneAt: 'x' }), todo('B', 2), todo('C', 3, { done: true, doneAt: 'y' })]) await store.create(item);

      // Act
      const archived = await store.archiveDone();

      // Assess
      expect(archived.sort()).toStrictEqual(['A', 'C']);
      await expect(store.list(10)).resolves.toStrictEqual([todo('B', 2)]);
      await expect(store.archiveDone()).resolves.toStrictEqual([]);
    });
  });
}
