import type { Mailer } from '#ports/mailer';
import { DEFAULT_EMAILS } from './default-emails.ts';
import { renderEmail } from './emails.ts';
import type { EmailStage, EmailStageName, TaskType } from './task-type.ts';
import type { Task } from './task.ts';

/** A task type's effective stage: the defaults with the type's overrides on top. */
export function stageFor(taskType: TaskType | undefined, stage: EmailStageName): EmailStage {
  return { ...DEFAULT_EMAILS[stage], ...(taskType?.emails[stage] ?? {}) };
}

export interface StageEmailInput {
  readonly task: Task;
  readonly taskType: TaskType | undefined;
  readonly stage: EmailStageName;
  /** Who gets it unless the stage names fixed recipients. */
  readonly recipients: readonly string[];
  readonly context?: Record<string, unknown>;
}

/** Renders and sends stage emails. Returns false when the stage is off or has no recipient. */
export class StageMailer {
  constructor(
    private readonly mailer: Mailer,
    private readonly config: { readonly mailFrom: string; readonly publicUrl: string },
  ) {}

  async send({ task, taskType, stage, recipients, context = {} }: StageEmailInput): Promise<boolean> {
    const settings = stageFor(taskType, stage);
    const to = settings.to ?? recipients;
    if (!settings.enabled || to.length === 0) return false;
    const rendered = renderEmail(settings, {
      task,
      taskId: task.id,
      taskType: task.type,
      publicUrl: this.config.publicUrl,
      requester: task.createdBy?.email ?? task.createdBy?.sub ?? 'anonymous',
      ...context,
    });
    const email = { ...rendered, from: settings.from ?? this.config.mailFrom, ...(settings.replyTo ? { replyTo: settings.replyTo } : {}), taskId: task.id, taskType: task.type, kind: stage };
    await this.mailer.send({ ...email, to });
    // The requester's own copy is an email of its own: one person, one email.
    const requester = settings.alsoToRequester ? task.createdBy?.email?.toLowerCase() : undefined;
    if (requester && !to.some((address) => address.toLowerCase() === requester)) await this.mailer.send({ ...email, to: [requester] });
    return true;
  }
}
