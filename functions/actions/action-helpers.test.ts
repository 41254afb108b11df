import * as z from 'zod';
import { ActionContractError, defineAction, fail, pass, type ValidationStep, type ActionContext } from '#core/action';
import { runStage } from '#core/stages';
import type { Task } from '#core/task';
import { runHook } from '../../test/support/run-hook.ts';

/**
 * The helpers every action uses (functions/core/action.ts, run by functions/core/stages.ts):
 * named validation steps, decisions, typed stored data. Each rule passes and fails here once, on
 * small actions of their own; the shipped actions' tests show them in use.
 */
const AT = '2026-11-23T10:00:00.000Z';
/** The task type of runStage's registry: it sets no action settings. */
const NO_SETTINGS = () => ({ actionSettings: {} });
const Schema = z.object({ n: z.number() });
type Ctx = ActionContext<z.infer<typeof Schema>>;

const ran: string[] = [];
const step = (name: string, ok: boolean): ValidationStep<Ctx> => ({
  name,
  async run() {
    ran.push(name);
    return ok ? pass(`${name} passed.`) : fail(`${name} failed.`);
  },
});
const validating = (steps: ValidationStep<Ctx>[], options?: { onFailure?: 'invalid' | 'refuse' }) =>
  defineAction({
    name: 'validating',
    description: 'x',
    schema: Schema,
    async preApprove(ctx) {
      await ctx.validate(steps, options);
    },
  });

beforeEach(() => {
  ran.length = 0;
});

describe('ctx.validate', () => {
  it('runs every step in order, notes each with its name, and makes the action valid', async () => {
    // Act
    const result = await runHook(validating([step('first', true), step('second', true)]), 'preApprove', { data: { n: 1 } });
    // Assess
    expect(ran).toStrictEqual(['first', 'second']);
    expect(result).toStrictEqual({
      valid: true,
      autoApprove: null,
      needsToken: false,
      notes: [
        { at: AT, step: 'first', text: 'first passed.' },
        { at: AT, step: 'second', text: 'second passed.' },
      ],
      stored: {},
    });
  });

  it('stops at the first failing step and makes the action invalid, leaving the decision to the task type', async () => {
    // Act
    const result = await runHook(validating([step('first', true), step('second', false), step('third', true)]), 'preApprove', { data: { n: 1 } });
    // Assess
    expect(ran).toStrictEqual(['first', 'second']);
    expect([result.valid, result.autoApprove]).toStrictEqual([false, null]);
    expect(result.notes.map((note) => note.step)).toStrictEqual(['first', 'second']);
  });

  it('refuses the request when a step fails with onFailure: refuse (invalid, and votes to auto-decide)', async () => {
    const result = await runHook(validating([step('first', false)], { onFailure: 'refuse' }), 'preApprove', { data: { n: 1 } });

    expect(result).toMatchObject({ valid: false, autoApprove: true, notes: [{ at: AT, step: 'first', text: 'first failed.' }] });
  });

  it('answers whether the action is valid', async () => {
    const answers: boolean[] = [];
    const action = defineAction({
      name: 'answers',
      description: 'x',
      schema: Schema,
      async preApprove(ctx) {
        answers.push(await ctx.validate([step('a', true)]), await ctx.validate([step('b', false)]));
      },
    });

    await runHook(action, 'preApprove', { data: { n: 1 } });

    expect(answers).toStrictEqual([true, false]);
  });
});

describe('decisions', () => {
  const deciding = (decide: (ctx: Ctx) => void) =>
    defineAction({
      name: 'deciding',
      description: 'x',
      schema: Schema,
      async preApprove(ctx) {
        decide(ctx);
      },
      async submit(ctx) {
        decide(ctx);
      },
    });

  it('refuse: invalid, votes to auto-decide, notes the reason', async () => {
    const result = await runHook(deciding((ctx) => ctx.refuse('No.')), 'preApprove', { data: { n: 1 } });
    expect(result).toMatchObject({ valid: false, autoApprove: true, notes: [{ at: AT, text: 'No.' }] });
  });

  it('refuse after approval: invalid, and the approval vote stays as it was', async () => {
    const result = await runHook(deciding((ctx) => ctx.refuse('Gone.')), 'submit', { data: { n: 1 } });
    expect(result).toMatchObject({ valid: false, autoApprove: null, notes: [{ at: AT, text: 'Gone.' }] });
  });

  it('requireApproval: valid, vetoes auto-approval, notes the reason', async () => {
    const result = await runHook(deciding((ctx) => ctx.requireApproval('An admin decides.')), 'preApprove', { data: { n: 1 } });
    expect(result).toMatchObject({ valid: true, autoApprove: false, notes: [{ at: AT, text: 'An admin decides.' }] });
  });

  it('waiveApproval: valid, votes for auto-approval, notes the reason', async () => {
    const result = await runHook(deciding((ctx) => ctx.waiveApproval('No admin needed.')), 'preApprove', { data: { n: 1 } });
    expect(result).toMatchObject({ valid: true, autoApprove: true, notes: [{ at: AT, text: 'No admin needed.' }] });
  });

  it.each([
    ['requireApproval', (ctx: Ctx) => ctx.requireApproval('x')],
    ['waiveApproval', (ctx: Ctx) => ctx.waiveApproval('x')],
  ])('refuses %s after preApprove: approval is decided there only', async (helper, decide) => {
    const attempt = runHook(deciding(decide), 'submit', { data: { n: 1 } });

    await expect(attempt).rejects.toThrow(ActionContractError);
    await expect(attempt).rejects.toThrow(`Action "deciding" called ${helper} in submit: approval is decided in preApprove only.`);
  });

  it('keeps markValid and voteAutoApprove working, without notes', async () => {
    const result = await runHook(
      deciding((ctx) => {
        ctx.markValid(true);
        ctx.voteAutoApprove(false);
      }),
      'preApprove',
      { data: { n: 1 } },
    );
    expect(result).toMatchObject({ valid: true, autoApprove: false, notes: [] });
  });
});

describe('preApprove decides validity afresh', () => {
  const prior = { valid: false, autoApprove: true };

  it('starts each action validating, without its earlier vote', async () => {
    // Prepare: a task whose action was refused on its earlier data.
    const action = defineAction({
      name: 'fresh',
      description: 'x',
      schema: Schema,
      async preApprove(ctx) {
        ctx.markValid(true);
      },
    });
    const task = taskWith({ name: 'fresh', data: { n: 1 }, ...prior, needsToken: false, notes: [], stored: {} });
    // Act
    const run = await runStage(task, 'preApprove', { action: () => action, taskType: NO_SETTINGS }, {} as never, () => AT);
    // Assess
    expect(run.task.actions[0]).toMatchObject({ valid: true, autoApprove: null });
  });

  it('fails the stage when a preApprove decides nothing, saying how to fix it', async () => {
    const undecided = defineAction({ name: 'undecided', description: 'x', schema: Schema, async preApprove(ctx) { ctx.addNote('Looked.'); } });

    const attempt = runHook(undecided, 'preApprove', { data: { n: 1 } });

    await expect(attempt).rejects.toThrow(ActionContractError);
    await expect(attempt).rejects.toThrow(/^Action "undecided" ended preApprove without deciding whether it is valid: end it with ctx\.validate/);
  });

  it('makes an action without a preApprove hook valid: there is nothing to check beyond its schema', async () => {
    const hookless = defineAction({ name: 'hookless', description: 'x', schema: Schema });
    const run = await runStage(taskWith({ name: 'hookless', data: { n: 1 }, ...prior, needsToken: false, notes: [], stored: {} }), 'preApprove', { action: () => hookless, taskType: NO_SETTINGS }, {} as never, () => AT);
    expect(run.task.actions[0]).toMatchObject({ valid: true, autoApprove: null });
  });
});

describe('storedSchema', () => {
  const Stored = z.object({ count: z.number().int(), label: z.string() });
  const counting = defineAction({
    name: 'counting',
    description: 'x',
    schema: Schema,
    storedSchema: Stored,
    async postApprove(ctx) {
      ctx.persist('count', (ctx.stored.count ?? 0) + ctx.data.n);
      ctx.addNote(`Count is ${ctx.recall('count')}.`);
    },
    async submit(ctx) {
      ctx.addNote(`Label is ${ctx.recall('label')}.`);
    },
  });

  it('types and parses what earlier stages stored, sees its own persists at once, and keeps keys it does not declare', async () => {
    // Act
    const result = await runHook(counting, 'postApprove', { data: { n: 2 }, stored: { count: 1, legacy: 'kept' } });
    // Assess
    expect(result.stored).toStrictEqual({ count: 3, legacy: 'kept' });
    expect(result.notes.map((note) => note.text)).toStrictEqual(['Count is 3.']);
  });

  it('fails the stage, naming the action and the field, when stored data does not match', async () => {
    const attempt = runHook(counting, 'postApprove', { data: { n: 2 }, stored: { count: 'three' } });

    await expect(attempt).rejects.toThrow(ActionContractError);
    await expect(attempt).rejects.toThrow(/^Action "counting" has stored data that does not match its storedSchema:\n.*expected number.*\n {2}→ at count\n/);
  });

  it('refuses to persist a value that does not match, naming the action and the key', async () => {
    const sloppy = defineAction({
      name: 'sloppy',
      description: 'x',
      schema: Schema,
      storedSchema: Stored,
      async postApprove(ctx) {
        ctx.persist('count', 1.5);
      },
    });

    const attempt = runHook(sloppy, 'postApprove', { data: { n: 1 } });

    await expect(attempt).rejects.toThrow(ActionContractError);
    await expect(attempt).rejects.toThrow(/^Action "sloppy" persisted a "count" that does not match its storedSchema/);
  });

  it('recall fails, naming the key, when no earlier stage persisted it', async () => {
    const attempt = runHook(counting, 'submit', { data: { n: 1 }, stored: { count: 1 } });

    await expect(attempt).rejects.toThrow(ActionContractError);
    await expect(attempt).rejects.toThrow('Action "counting" recalled "label" in submit, but no earlier stage persisted it.');
  });

  it('checks keys and values at compile time', () => {
    const typed = (ctx: ActionContext<unknown, z.infer<typeof Stored>>) => {
      // @ts-expect-error: not a key of the storedSchema
      ctx.persist('other', 1);
      // @ts-expect-error: count is a number
      ctx.persist('count', 'one');
      const label: string = ctx.recall('label');
      return label;
    };
    expect(typeof typed).toBe('function');
  });
});

describe('runStage', () => {
  it('answers the task with the checkpoints of a hook that threw, and its error', async () => {
    // Prepare: the hook persists a checkpoint, then dies.
    const crash = new Error('Task timed out');
    const crashing = defineAction({
      name: 'crashing',
      description: 'x',
      schema: Schema,
      async postApprove(ctx) {
        ctx.persist('created', true);
        throw crash;
      },
    });
    // Act
    const run = await runStage(taskWith({ name: 'crashing', data: { n: 1 }, valid: true, autoApprove: null, needsToken: false, notes: [], stored: {} }), 'postApprove', { action: () => crashing, taskType: NO_SETTINGS }, {} as never, () => AT);
    // Assess
    expect(run.error).toBe(crash);
    expect(run.task.actions[0]?.stored).toStrictEqual({ created: true });
  });

  it('fails when an action asks for a token schema it does not declare', async () => {
    const asking = defineAction({ name: 'asking', description: 'x', schema: Schema, async postApprove(ctx) { ctx.requireToken('pin'); } });

    const attempt = runHook(asking, 'postApprove', { data: { n: 1 } });

    await expect(attempt).rejects.toThrow(new ActionContractError('Action "asking" asked for token schema "pin", which it does not declare.'));
  });
});

describe('ctx.setProject', () => {
  const placing = (name: string, projectId: string, stage: 'preApprove' | 'postApprove' | 'submit' = 'preApprove') =>
    defineAction({
      name,
      description: 'x',
      schema: Schema,
      async [stage](ctx: Ctx) {
        ctx.setProject(projectId);
        if (stage === 'preApprove') ctx.markValid(true);
      },
    });
  const record = (name: string): Task['actions'][number] => ({ name, data: { n: 1 }, valid: true, autoApprove: null, needsToken: false, notes: [], stored: {} });
  const twoActions = (first: ReturnType<typeof placing>, second: ReturnType<typeof placing>) => {
    const task = { ...taskWith(record(first.name)), actions: [record(first.name), record(second.name)] };
    return runStage(task, 'preApprove', { action: (name) => (name === first.name ? first : second), taskType: NO_SETTINGS }, {} as never, () => AT);
  };

  it('gives the stage run the project, in preApprove and in postApprove, and the same one from two actions', async () => {
    // Act
    const pre = await runHook(placing('pre', 'p-1'), 'preApprove', { data: { n: 1 } });
    const post = await runHook(placing('post', 'p-2', 'postApprove'), 'postApprove', { data: { n: 1 } });
    const both = await twoActions(placing('a', 'p-1'), placing('b', 'p-1'));

    // Assess
    expect([pre.projectId, post.projectId, both.projectId, both.error]).toStrictEqual(['p-1', 'p-2', 'p-1', undefined]);
  });

  it('fails the stage, saying why, when two actions name different projects, in another stage, or with no id', async () => {
    // Act
    const conflicting = await twoActions(placing('a', 'p-1'), placing('b', 'p-2'));
    const late = runHook(placing('late', 'p-1', 'submit'), 'submit', { data: { n: 1 } });
    const empty = runHook(placing('empty', ''), 'preApprove', { data: { n: 1 } });

    // Assess
    expect([conflicting.error, conflicting.projectId]).toStrictEqual([
      new ActionContractError('Action "b" said task T1 belongs to project p-2, but an action before it said p-1: a task belongs to one project.'),
      'p-1',
    ]);
    await expect(late).rejects.toThrow(new ActionContractError('Action "late" called setProject in submit: a task\'s project is found in preApprove or postApprove only.'));
    await expect(empty).rejects.toThrow(new ActionContractError('Action "empty" called setProject without a project id.'));
  });
});

function taskWith(record: Task['actions'][number]): Task {
  return {
    id: 'T1',
    type: 't',
    status: 'pending',
    actions: [record],
    notes: [],
    history: [],
    createdBy: null,
    createdAt: AT,
    updatedAt: AT,
    dataRevision: 0,
    rounds: 0,
    sentEmails: [],
    adminNotes: [],
    attempt: 1,
    version: 0,
  };
}
