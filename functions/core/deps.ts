import type { ArchiveLookup } from '#ports/archive-store';
import type { DuplicateKeyStore } from '#ports/duplicate-keys';
import type { EventPublisher } from '#ports/events';
import type { Idempotency } from '#ports/idempotency';
import type { Mailer } from '#ports/mailer';
import type { NotificationStore } from '#ports/notification-store';
import type { RateLimits } from '#ports/rate-limits';
import type { ReconcileReports } from '#ports/reconcile-report';
import type { SecretStore } from '#ports/secret-store';
import type { TaskStore } from '#ports/task-store';
import type { Workflow } from '#ports/workflow';
import type { ActionPorts } from './action.ts';
import type { Registry } from './registry.ts';

export interface CoreConfig {
  /** Base URL of the HTTP API, for links in emails. */
  readonly publicUrl: string;
  readonly mailFrom: string;
  /**
   * Operators: who gets notifications (errors, stuck tasks, bounces), never approval emails
   * (approvers come from each task type's approval policy).
   */
  readonly operatorEmails: readonly string[];
  /** Minutes a task is kept after it ends, before TTL archives it. @default 1440 */
  readonly ttlMinutes?: number;
  /**
   * Whether ended tasks stay readable in the table for `ttlMinutes` (DJ Actions' TRACK_ACTIONS).
   * When false they expire as they end: archived at once, no longer listed. @default true
   */
  readonly trackActions?: boolean;
  /** How long an approval that arrives while the task validates waits for the result. @default 4000 */
  readonly validationWaitMs?: number;
}

/** Everything the core needs from outside: ports, the registry and settings. */
export interface CoreDeps {
  readonly tasks: TaskStore;
  readonly secrets: SecretStore;
  readonly duplicates: DuplicateKeyStore;
  /** `Idempotency-Key` handling: the HTTP function's core only (its handler gives it). @default - requests.idempotent throws */
  readonly idempotency?: Idempotency;
  readonly notifications: NotificationStore;
  readonly workflow: Workflow;
  readonly mailer: Mailer;
  readonly registry: Registry;
  readonly ports: ActionPorts;
  readonly config: CoreConfig;
  readonly newId: () => string;
  readonly newSecret?: () => string;
  /** Finds archived tasks, so a read of one says where it went. */
  readonly archive?: ArchiveLookup;
  /** Where internal failures that must not break a request are reported (a logger). */
  readonly onInternalError?: (message: string, error: unknown) => void;
  /** Where lifecycle events go (EventBridge). @default - none are published */
  readonly events?: EventPublisher;
  /** The counters of the task types' `limits`. @default - no limits are enforced */
  readonly rateLimits?: RateLimits;
  /** Where the reconciler records its last run's counts (`/v1/status` shows them). @default - not recorded */
  readonly reconcileReports?: ReconcileReports;
  /** Waits between polls (the approval that waits for validation). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}
