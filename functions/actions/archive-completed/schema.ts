import * as z from 'zod';

/** `POST /v1/todos/actions/archive-completed`: no input. */
export const ArchiveCompletedSchema = z.object({});
