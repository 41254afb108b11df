import { Committer } from './committer.ts';
import type { CoreDeps } from './deps.ts';
import { StageMailer } from './mailing.ts';
import { Notifier } from './notifier.ts';
import { newSecret } from './secrets.ts';
import type { TaskType } from './task-type.ts';
import type { Task } from './task.ts';

/** What every phase of the core shares: the ports, the clock, mail, notifications and the committer. */
export interface Context {
  readonly deps: CoreDeps;
  readonly committer: Committer;
  readonly mail: StageMailer;
  readonly notifier: Notifier;
  readonly now: () => string;
  readonly makeSecret: () => string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly onInternalError: (message: string, error: unknown) => void;
  /** The task's type, or undefined if it is no longer declared (a task older than the code). */
  readonly taskTypeOf: (task: Task) => TaskType | undefined;
}

export function createContext(deps: CoreDeps): Context {
  const now = () => deps.ports.clock.now().toISOString();
  const onInternalError = deps.onInternalError ?? (() => undefined);
  const mail = new StageMailer(deps.mailer, deps.config);
  const notifier = new Notifier(deps.notifications, mail, deps.config.operatorEmails, deps.newId, now, onInternalError);
  const taskTypeOf = (task: Task) => {
    try {
      return deps.registry.taskType(task.type);
    } catch {
      return undefined;
    }
  };
  const committer = new Committer({ tasks: deps.tasks, clock: deps.ports.clock, config: deps.config, announce: { events: deps.events, notifier, taskTypeOf, onInternalError } });
  return {
    deps,
    committer,
    mail,
    notifier,
    now,
    makeSecret: deps.newSecret ?? newSecret,
    sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    onInternalError,
    taskTypeOf,
  };
}
