import * as z from 'zod';

/** The example resource `todos` (DJ Actions' example model). */
export const TodoSchema = z.object({
  id: z.string(),
  title: z.string(),
  done: z.boolean(),
  archived: z.boolean(),
  createdAt: z.string(),
  doneAt: z.string().optional(),
});
export type Todo = z.infer<typeof TodoSchema>;

/** The store of the example resource; actions see it as `ctx.ports.todos` (see functions/resources.ts). */
export interface TodoStore {
  create(todo: Todo): Promise<void>;
  get(id: string): Promise<Todo | undefined>;
  /** Newest first, archived ones left out. */
  list(limit: number): Promise<Todo[]>;
  /** Marks it done if it is not; returns the todo as it now is (undefined if absent). */
  markDone(id: string, at: string): Promise<Todo | undefined>;
  /** Archives done todos; returns their ids. */
  archiveDone(): Promise<string[]>;
}
