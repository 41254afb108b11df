import { defineAction, fail, pass } from '#core/action';
import { MarkDoneSchema, MarkDoneStoredSchema } from './schema.ts';

/** Marks one todo done. Idempotent: a todo already done stays done, with its first `doneAt`. */
export const markDone = defineAction({
  name: 'mark-done',
  description: 'Marks a todo as done.',
  schema: MarkDoneSchema,
  storedSchema: MarkDoneStoredSchema,

  async preApprove(ctx) {
    const todoExists = {
      name: 'todo-exists',
      async run() {
        const todo = await ctx.ports.todos.get(ctx.data.id);
        return todo ? pass(`Todo "${todo.title}" exists${todo.done ? ' and is already done' : ''}.`) : fail(`There is no todo ${ctx.data.id}.`);
      },
    };
    if (!(await ctx.validate([todoExists], { onFailure: 'refuse' }))) return;
    ctx.waiveApproval('Marking a todo done needs no admin.');
  },

  async submit(ctx) {
    const todo = await ctx.ports.todos.markDone(ctx.data.id, ctx.ports.clock.now().toISOString());
    if (!todo) return ctx.refuse(`Todo ${ctx.data.id} disappeared before it could be marked done.`);
    ctx.persist('result', { todo });
  },
});
