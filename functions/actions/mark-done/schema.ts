import * as z from 'zod';

/** `POST /v1/todos/{id}/actions/mark-done`: the todo's id comes from the path; no body needed. */
export const MarkDoneSchema = z.object({ id: z.string().min(1).max(64) });
