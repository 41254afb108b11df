import * as z from 'zod';
import { type ActionContext, ActionContractError, type ActionDefinition, type ActionPorts, type Stage, type ValidateOptions } from './action.ts';
import { ApprovalLevelSchema } from './approval-policy.ts';
import { settingsOf, storedValueOf } from './hook-schemas.ts';
import type { ActionRecord, Task } from './task.ts';

/** A note as a hook leaves it; `step` names the validation step it records. */
type StageNote = { at: string; text: string; step?: string };

/** What one hook of one action records while it runs, and the context it gets to record it. */
export class HookRun {
  private valid: boolean | null;
  private autoApprove: boolean | null;
  private needsToken: boolean;
  private tokenSchemaKey: string | undefined;
  /** The `onlyWhenAsked` approval levels the hook asked for (`ctx.requireApproval(reason, { level })`), in order. */
  private readonly approvalLevels: string[];
  /** The project the hook said the task belongs to (`ctx.setProject`). */
  private project: string | undefined;
  private readonly notes: StageNote[];
  /** As saved: what the record held plus what this run persisted. */
  private readonly stored: Record<string, unknown>;

  constructor(
    private readonly action: ActionDefinition,
    private readonly record: ActionRecord,
    private readonly stage: Stage,
    private readonly at: () => string,
    /**
     * The task type's `actionSettings[action.name]`, unparsed; read only for an action with a
     * settingsSchema. @default - none: the schema's defaults
     */
    private readonly settings: () => Readonly<Record<string, unknown>> | undefined = () => undefined,
  ) {
    const fresh = stage === 'preApprove';
    this.valid = fresh ? null : record.valid;
    this.autoApprove = fresh ? null : record.autoApprove;
    this.approvalLevels = fresh ? [] : [...(record.approvalLevels ?? [])];
    this.needsToken = record.needsToken;
    this.tokenSchemaKey = record.tokenSchemaKey;
    this.notes = [...record.notes];
    this.stored = { ...record.stored };
  }

  context(task: Task, cache: Map<string, unknown>, ports: ActionPorts): ActionContext<Record<string, unknown>> {
    const { action, stage } = this;
    const view = this.storedView();
    const note = (text: string, step?: string) => this.notes.push({ at: this.at(), text, ...(step === undefined ? {} : { step }) });
    const decide = (valid: boolean, autoApprove: boolean | null, reason: string) => {
      this.valid = valid;
      if (autoApprove !== null) this.autoApprove = autoApprove;
      note(reason);
    };
    const preApproveOnly = (helper: string) => {
      if (stage !== 'preApprove') throw new ActionContractError(`Action "${action.name}" called ${helper} in ${stage}: approval is decided in preApprove only.`);
    };
    const context: ActionContext<Record<string, unknown>> = {
      data: action.schema.parse(this.record.data) as Record<string, unknown>,
      task,
      cache,
      stored: view,
      settings: settingsOf(this.action, this.settings()),
      ports,
      persist: (key, value) => {
        const kept = storedValueOf(this.action, key, value);
        this.stored[key] = kept;
        view[key] = kept;
      },
      recall: (key) => {
        if (view[key] === undefined) throw new ActionContractError(`Action "${action.name}" recalled "${key}" in ${stage}, but no earlier stage persisted it.`);
        return view[key];
      },
      addNote: (text) => note(text),
      validate: (steps, options) => this.validate(context, steps, options ?? {}, note),
      refuse: (reason) => decide(false, stage === 'preApprove' ? true : null, reason),
      requireApproval: (reason, options) => {
        preApproveOnly('requireApproval');
        const level = options?.level;
        if (level !== undefined && !ApprovalLevelSchema.shape.name.safeParse(level).success) {
          throw new ActionContractError(`Action "${action.name}" asked for approval level ${JSON.stringify(level)}: a level name is kebab-case, as the approval policy's levels are (e.g. "security").`);
        }
        decide(true, false, reason);
        if (level !== undefined && !this.approvalLevels.includes(level)) this.approvalLevels.push(level);
      },
      waiveApproval: (reason) => {
        preApproveOnly('waiveApproval');
        decide(true, true, reason);
      },
      markValid: (valid) => {
        this.valid = valid;
      },
      voteAutoApprove: (approve) => {
        this.autoApprove = approve;
      },
      requireToken: (schema) => {
        if (!tokenSchemaOf(action, schema)) {
          throw new ActionContractError(`Action "${action.name}" asked for token schema "${schema ?? 'tokenSchema'}", which it does not declare.`);
        }
        this.needsToken = true;
        this.tokenSchemaKey = schema;
      },
      setProject: (projectId) => {
        if (stage !== 'preApprove' && stage !== 'postApprove') {
          throw new ActionContractError(`Action "${action.name}" called setProject in ${stage}: a task's project is found in preApprove or postApprove only.`);
        }
        if (typeof projectId !== 'string' || projectId === '') throw new ActionContractError(`Action "${action.name}" called setProject without a project id.`);
        this.project = projectId;
      },
    };
    return context;
  }

  private async validate(
    context: ActionContext<Record<string, unknown>>,
    steps: Parameters<ActionContext<Record<string, unknown>>['validate']>[0],
    options: ValidateOptions,
    note: (text: string, step: string) => void,
  ): Promise<boolean> {
    for (const step of steps) {
      const outcome = await step.run(context);
      note(outcome.note, step.name);
      if (!outcome.ok) {
        this.valid = false;
        if (options.onFailure === 'refuse' && this.stage === 'preApprove') this.autoApprove = true;
        return false;
      }
    }
    this.valid = true;
    return true;
  }

  /** `stored` as the hook sees it: parsed by the action's storedSchema, if it has one. */
  private storedView(): Record<string, unknown> {
    const schema = this.action.storedSchema;
    if (!schema) return this.stored;
    const parsed = schema.partial().safeParse(this.stored);
    if (!parsed.success) {
      throw new ActionContractError(
        `Action "${this.action.name}" has stored data that does not match its storedSchema:\n${z.prettifyError(parsed.error)}\n` +
          'Fix the storedSchema in its action.ts, or what it persists.',
        { cause: parsed.error },
      );
    }
    return { ...parsed.data };
  }

  /** preApprove must end valid or invalid: a hook that decided nothing is a bug in the action. */
  assertDecided(): void {
    if (this.stage === 'preApprove' && this.valid === null) {
      throw new ActionContractError(
        `Action "${this.action.name}" ended preApprove without deciding whether it is valid: end it with ctx.validate([...]), ctx.refuse(reason), ctx.requireApproval(reason), ctx.waiveApproval(reason) or ctx.markValid(valid).`,
      );
    }
  }

  /** The project the hook reported, if it did (`ctx.setProject`). */
  get projectId(): string | undefined {
    return this.project;
  }

  result(): ActionRecord {
    const { valid, autoApprove, approvalLevels, needsToken, tokenSchemaKey, notes, stored } = this;
    const { tokenSchemaKey: _previous, approvalLevels: _asked, ...record } = this.record;
    return {
      ...record,
      valid,
      autoApprove,
      ...(approvalLevels.length === 0 ? {} : { approvalLevels: [...approvalLevels] }),
      needsToken,
      notes,
      stored,
      ...(tokenSchemaKey === undefined ? {} : { tokenSchemaKey }),
    };
  }
}

/** The token schema an action asked for: a named one of `tokenSchemas`, or its `tokenSchema`. */
export function tokenSchemaOf(action: ActionDefinition, key: string | undefined): z.ZodObject | undefined {
  return key === undefined ? action.tokenSchema : action.tokenSchemas?.[key];
}

