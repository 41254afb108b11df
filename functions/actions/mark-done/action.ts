import { defineAction } from '#core/action';
import { MarkDoneSchema } from './schema.ts';

/** Marks one todo done. Idempotent: a todo already done stays done, with its first `doneAt`. */
export const markDone = defineAction({
  name: 'mark-done',
  description: 'Marks a todo as done.',
  schema: MarkDoneSchema,

  async preApprove(ctx) {
    ctx.voteAutoApprove(true);
    const todo = await ctx.ports.todos.get(ctx.data.id);
    ctx.addNote(todo ? `Todo "${todo.title}" exists${todo.done ? ' and is already done' : ''}.` : `There is no todo ${ctx.data.id}.`);
    ctx.markValid(todo !== undefined);
  },

  async submit(ctx) {
    const todo = await ctx.ports.todos.markDone(ctx.data.id, ctx.ports.clock.now().toISOString());
    if (!todo) {
      ctx.addNote(`Todo ${ctx.data.id} disappeared before it could be marked done.`);
      ctx.markValid(false);
      return;
    }
    ctx.persist('result', { todo });
  },
});
