import * as z from 'zod';

/** `POST /v1/todos/actions/archive-completed`: no input. */
export const ArchiveCompletedSchema = z.object({});

/** What submit keeps: the action's result (the ids it archived), which the call answers with. */
export const ArchiveCompletedStoredSchema = z.object({ result: z.object({ archived: z.array(z.string()) }) });
