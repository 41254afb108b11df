import { defineAction } from '#core/action';
import { ArchiveCompletedSchema } from './schema.ts';

/** Archives every done todo. Needs an admin's approval (declared in functions/resources.ts). */
export const archiveCompleted = defineAction({
  name: 'archive-completed',
  description: 'Archives every todo that is done.',
  schema: ArchiveCompletedSchema,

  async preApprove(ctx) {
    ctx.addNote('Archives every done todo; asks an admin first.');
    ctx.markValid(true);
  },

  async submit(ctx) {
    const archived = ctx.stored.result === undefined ? await ctx.ports.todos.archiveDone() : [];
    if (ctx.stored.result === undefined) ctx.persist('result', { archived });
    ctx.addNote(`Archived ${archived.length} todo(s).`);
  },
});
