import { defineAction } from '#core/action';
import { ArchiveCompletedSchema, ArchiveCompletedStoredSchema } from './schema.ts';

/** Archives every done todo. Needs an admin's approval (declared in functions/resources.ts). */
export const archiveCompleted = defineAction({
  name: 'archive-completed',
  description: 'Archives every todo that is done.',
  schema: ArchiveCompletedSchema,
  storedSchema: ArchiveCompletedStoredSchema,

  async preApprove(ctx) {
    ctx.requireApproval('Archives every done todo; asks an admin first.');
  },

  async submit(ctx) {
    // A retry finds the result of the attempt that archived, and archives nothing more.
    if (ctx.stored.result === undefined) ctx.persist('result', { archived: await ctx.ports.todos.archiveDone() });
    ctx.addNote(`Archived ${ctx.recall('result').archived.length} todo(s).`);
  },
});
