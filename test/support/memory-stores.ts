import type { Notification } from '#core/notification';
import { type Task, type TaskStatus, TaskStatusSchema } from '#core/task';
import type { DuplicateKeyStore } from '#ports/duplicate-keys';
import { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError, IdempotencyRecordStatus } from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { IdempotencyRecordOptions } from '@aws-lambda-powertools/idempotency/types';
import type { NotificationQuery, NotificationStore } from '#ports/notification-store';
import { type RateLimitHit, type RateLimits, windowOf } from '#ports/rate-limits';
import type { ReconcileReport, ReconcileReports } from '#ports/reconcile-report';
import type { SecretRecord, SecretStore } from '#ports/secret-store';
import type { Page, TaskQuery, TaskScopePart, TaskStore, TaskUpdate, UpdateResult } from '#ports/task-store';
import { applyTaskUpdate } from './apply-task-update.ts';
import { memoryPage } from './memory-page.ts';

/**
 * In-memory stores with the semantics of the DynamoDB adapters (the contracts in test/contract run
 * against both): conditional writes, TTL as the adapters read it, real cursors, newest first by
 * `<createdAt>#<id>`. Values are deep-copied in and out. Re-exported by fakes.ts.
 */

/** Deep copy in this realm (Jest 29's structuredClone builds objects toStrictEqual sees as foreign). */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** What every in-memory store takes: the clock TTL compares `expiresAt` (epoch seconds) with. */
export interface MemoryStoreOptions {
  /** @default Date.now */
  readonly now?: () => number;
}

/** Like DynamoDB's TTL as the adapters read it: an item whose `expiresAt` has passed counts as absent. */
class Ttl {
  private readonly now: () => number;
  constructor(options: MemoryStoreOptions) {
    this.now = options.now ?? Date.now;
  }
  live(expiresAt: number | undefined): boolean {
    return expiresAt === undefined || expiresAt * 1000 > this.now();
  }
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
/** As the DynamoDB adapters keep them (`SECRET_RETENTION_SECONDS`, `NOTIFICATION_RETENTION_SECONDS`). */
const SECRET_RETENTION_SECONDS = 30 * 24 * 3600;
const NOTIFICATION_RETENTION_SECONDS = 90 * 24 * 3600;

/** In-memory TaskStore with the semantics of DynamoDbTaskStore (the contract in test/contract holds for both). */
export class MemoryTaskStore implements TaskStore {
  readonly tasks = new Map<string, Task>();
  private readonly ttl: Ttl;

  constructor(options: MemoryStoreOptions = {}) {
    this.ttl = new Ttl(options);
  }

  private live(id: string): Task | undefined {
    const task = this.tasks.get(id);
    return task && this.ttl.live(task.expiresAt) ? task : undefined;
  }

  async get(id: string) {
    const task = this.live(id);
    return task ? copy(task) : undefined;
  }

  async getMany(ids: readonly string[]) {
    return [...new Set(ids)].flatMap((id) => {
      const task = this.live(id);
      return task ? [copy(task)] : [];
    });
  }

  async create(task: Task) {
    // Like `attribute_not_exists(pk)`: an expired task TTL has not deleted yet still holds its id.
    if (this.tasks.has(task.id)) return false;
    this.tasks.set(task.id, copy(task));
    return true;
  }

  async update(id: string, update: TaskUpdate): Promise<UpdateResult> {
    if (update.remove?.some((removed) => removed[0] === 'projectId')) throw new Error('A task keeps its project: projectId (and its byScope entry) cannot be removed.');
    const result = applyTaskUpdate(this.live(id), copy(update));
    if (!result.applied) return { applied: false, task: result.task && copy(result.task) };
    this.tasks.set(id, copy(result.task));
    return { applied: true, task: copy(result.task) };
  }

  async list(query: TaskQuery): Promise<Page<Task>> {
    const partition = query.scope ? 'SCOPED' : query.status ? `STATUS#${query.status}` : query.type ? `TYPE#${query.type}` : 'TASKS';
    const scope = query.scope;
    const entries = [...this.tasks.values()]
      .filter((task) => this.ttl.live(task.expiresAt))
      .filter((task) => !scope || scope.some((part) => inScopePart(task, part)))
      .filter((task) => (!query.status || task.status === query.status) && (!query.type || task.type === query.type))
      .filter((task) => !query.requester || task.createdBy?.sub === query.requester)
      .filter((task) => !query.awaiting || query.awaiting.some((key) => task.awaiting?.includes(key)))
      .map((task) => ({ key: `${task.createdAt}#${task.id}`, item: task }));
    const page = memoryPage(entries, {
      partition,
      limit: query.limit,
      ...(query.createdFrom === undefined ? {} : { from: query.createdFrom }),
      ...(query.createdTo === undefined ? {} : { to: query.createdTo }),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    return copy(page);
  }

  /** Like Select COUNT on the index: expired tasks TTL has not deleted yet are counted. */
  async countByStatus() {
    const counts = Object.fromEntries(TaskStatusSchema.options.map((status) => [status, 0])) as Record<TaskStatus, number>;
    for (const task of this.tasks.values()) counts[task.status]++;
    return counts;
  }
}

/** Like the byScope index: a task is under its project once it has one, else under its requester. */
function inScopePart(task: Task, part: TaskScopePart): boolean {
  if (part.project === undefined) return task.projectId === undefined && task.createdBy?.sub === part.requester;
  return task.projectId === part.project && (part.requester === undefined || task.createdBy?.sub === part.requester);
}

/** In-memory SecretStore with the semantics of DynamoDbSecretStore. */
export class MemorySecretStore implements SecretStore {
  readonly secrets = new Map<string, SecretRecord>();
  private readonly ttl: Ttl;

  constructor(options: MemoryStoreOptions = {}) {
    this.ttl = new Ttl(options);
  }

  private live(secret: SecretRecord | undefined): SecretRecord | undefined {
    return secret && this.ttl.live(seconds(secret.validUntil) + SECRET_RETENTION_SECONDS) ? secret : undefined;
  }

  async put(secret: SecretRecord) {
    if (this.secrets.has(secret.hash)) throw new Error('A secret with this hash is already stored: secrets are random, so the caller reused one.');
    this.secrets.set(secret.hash, copy(secret));
  }

  async get(hash: string) {
    const secret = this.live(this.secrets.get(hash));
    return secret ? copy(secret) : undefined;
  }

  async list(kind: SecretRecord['kind'], limit: number, cursor?: string) {
    const entries = [...this.secrets.values()]
      .filter((secret) => secret.kind === kind && this.live(secret))
      .map((secret) => ({ key: `${secret.createdAt}#${secret.hash}`, item: secret }));
    return copy(memoryPage(entries, { partition: `SECRETS#${kind}`, limit, ...(cursor === undefined ? {} : { cursor }) }));
  }

  async deleteExpired(kind: SecretRecord['kind'], before: string) {
    let deleted = 0;
    for (const [hash, secret] of this.secrets) {
      if (secret.kind === kind && secret.validUntil <= before) {
        this.secrets.delete(hash);
        deleted++;
      }
    }
    return deleted;
  }
}

/** In-memory DuplicateKeyStore with the semantics of DynamoDbDuplicateKeys. */
export class MemoryDuplicateKeys implements DuplicateKeyStore {
  readonly holders = new Map<string, string>();

  async holder(key: string) {
    return this.holders.get(key);
  }

  async claim(key: string, taskId: string, expected: string | undefined) {
    if (this.holders.get(key) !== expected) return false;
    this.holders.set(key, taskId);
    return true;
  }
}

/** An idempotency record as DynamoDbIdempotencyStore keeps it (Powertools' fields, plainly). */
export interface MemoryIdempotencyRecord {
  readonly status: string;
  /** Epoch seconds: the record counts as absent after it. */
  readonly expiryTimestamp?: number;
  /** Epoch milliseconds: an in-progress record's request can no longer be running after it. */
  readonly inProgressExpiryTimestamp?: number;
  readonly responseData?: IdempotencyRecordOptions['responseData'];
  readonly payloadHash?: string;
}

/**
 * In-memory IdempotencyStore: a Powertools persistence layer with the semantics of
 * DynamoDbIdempotencyStore's conditional put (a key is free when absent, expired, or in progress
 * past its in-progress expiry), by `Date.now()` as Powertools itself counts. `_putRecord` decides
 * before it awaits, so of concurrent requests exactly one wins, as the conditional write makes it.
 */
export class MemoryIdempotencyStore extends BasePersistenceLayer {
  readonly records = new Map<string, MemoryIdempotencyRecord>();

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    const now = Date.now();
    const free =
      !existing ||
      (existing.expiryTimestamp !== undefined && existing.expiryTimestamp < now / 1000) ||
      (existing.status === IdempotencyRecordStatus.INPROGRESS && existing.inProgressExpiryTimestamp !== undefined && existing.inProgressExpiryTimestamp < now);
    if (!free) throw new IdempotencyItemAlreadyExistsError(`Failed to put record for already existing idempotency key: ${record.idempotencyKey}`, recordOf(record.idempotencyKey, existing));
    this.records.set(record.idempotencyKey, plain(record));
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.records.get(idempotencyKey);
    if (!record) throw new IdempotencyItemNotFoundError();
    return recordOf(idempotencyKey, record);
  }

  /** An update without a condition, as the adapter's UpdateItem: it creates a record that is not there, and keeps its in-progress expiry. */
  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    const { inProgressExpiryTimestamp: _ignored, ...updated } = plain(record);
    this.records.set(record.idempotencyKey, { ...existing, ...updated });
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

/** Powertools keeps a record's status private; the adapter writes what `getStatus()` reads at write time. */
const plain = (record: IdempotencyRecord): MemoryIdempotencyRecord => ({
  status: record.getStatus(),
  ...(record.expiryTimestamp === undefined ? {} : { expiryTimestamp: record.expiryTimestamp }),
  ...(record.inProgressExpiryTimestamp === undefined ? {} : { inProgressExpiryTimestamp: record.inProgressExpiryTimestamp }),
  ...(record.responseData === undefined ? {} : { responseData: copy(record.responseData) }),
  ...(record.payloadHash === undefined ? {} : { payloadHash: record.payloadHash }),
});

const recordOf = (idempotencyKey: string, record: MemoryIdempotencyRecord): IdempotencyRecord =>
  new IdempotencyRecord({ idempotencyKey, ...record, status: record.status as IdempotencyRecordOptions['status'], ...(record.responseData === undefined ? {} : { responseData: copy(record.responseData) }) });

/** In-memory NotificationStore with the semantics of DynamoDbNotificationStore. */
export class MemoryNotificationStore implements NotificationStore {
  readonly notifications = new Map<string, Notification>();
  private readonly ttl: Ttl;

  constructor(options: MemoryStoreOptions = {}) {
    this.ttl = new Ttl(options);
  }

  private live(id: string): Notification | undefined {
    const notification = this.notifications.get(id);
    return notification && this.ttl.live(seconds(notification.createdAt) + NOTIFICATION_RETENTION_SECONDS) ? notification : undefined;
  }

  async put(notification: Notification) {
    if (this.notifications.has(notification.id)) throw new Error(`Notification ${notification.id} is already stored: a new notification needs a new id.`);
    this.notifications.set(notification.id, copy(notification));
  }

  async get(id: string) {
    const notification = this.live(id);
    return notification ? copy(notification) : undefined;
  }

  async markEmailed(id: string, at: string) {
    const notification = this.live(id);
    if (notification) this.notifications.set(id, { ...notification, emailedAt: at });
  }

  async acknowledge(id: string, by: string, at: string) {
    const notification = this.live(id);
    if (!notification) return false;
    if (notification.acknowledged === false) this.notifications.set(id, { ...notification, acknowledged: true, acknowledgedAt: at, acknowledgedBy: by });
    return true;
  }

  async list(query: NotificationQuery) {
    const entries = [...this.notifications.keys()]
      .flatMap((id) => this.live(id) ?? [])
      .filter((notification) => query.acknowledged === undefined || notification.acknowledged === query.acknowledged)
      .map((notification) => ({ key: `${notification.createdAt}#${notification.id}`, item: notification }));
    return copy(memoryPage(entries, { partition: 'NOTIFICATIONS', limit: query.limit, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) }));
  }

  /** The live, unacknowledged notifications that `keep` accepts, newest first by `<createdAt>#<id>`. */
  private unacknowledged(keep: (notification: Notification) => boolean): Notification[] {
    const key = (notification: Notification) => `${notification.createdAt}#${notification.id}`;
    return [...this.notifications.keys()]
      .flatMap((id) => this.live(id) ?? [])
      .filter((notification) => !notification.acknowledged && keep(notification))
      .sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
  }

  async unacknowledgedErrors(limit: number) {
    const errors = this.unacknowledged((notification) => notification.error);
    return copy({ count: errors.length, items: errors.slice(0, limit) });
  }

  async unacknowledgedOf(taskId: string) {
    return copy(this.unacknowledged((notification) => notification.taskId === taskId));
  }
}


/** In-memory ReconcileReports: the last report saved. */
export class MemoryReconcileReports implements ReconcileReports {
  report: ReconcileReport | undefined;
  async save(report: ReconcileReport) {
    this.report = copy(report);
  }
  async latest() {
    return this.report ? copy(this.report) : undefined;
  }
}

/** In-memory RateLimits: fixed-window counters, as DynamoDbRateLimits keeps them. */
export class MemoryRateLimits implements RateLimits {
  readonly counters = new Map<string, number>();
  async hit(key: string, windowSeconds: number, at: string): Promise<RateLimitHit> {
    const window = windowOf(Date.parse(at), windowSeconds);
    const counter = `${key}#${window.index}`;
    const count = (this.counters.get(counter) ?? 0) + 1;
    this.counters.set(counter, count);
    return { count, resetsAt: window.resetsAt };
  }
}
