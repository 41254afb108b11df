/** The example resource `todos` (DJ Actions' example model). */
export interface Todo {
  readonly id: string;
  readonly title: string;
  readonly done: boolean;
  readonly archived: boolean;
  readonly createdAt: string;
  readonly doneAt?: string;
}

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
