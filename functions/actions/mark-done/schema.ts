import * as z from 'zod';
import { TodoSchema } from '#ports/todo-store';

/** `POST /v1/todos/{id}/actions/mark-done`: the todo's id comes from the path; no body needed. */
export const MarkDoneSchema = z.object({ id: z.string().min(1).max(64) });

/** What submit keeps: the action's result, which the call answers with. */
export const MarkDoneStoredSchema = z.object({ result: z.object({ todo: TodoSchema }) });
