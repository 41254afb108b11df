import type { Notification } from '#core/notification';
import type { Task } from '#core/task';
import type { SecretRecord } from '#ports/secret-store';

/** Epoch seconds long past: an item with this `expiresAt` counts as deleted by TTL. */
export const LONG_AGO = Date.parse('2001-01-01T00:00:00.000Z') / 1000;

/** A complete pending task of one action, created at `createdAt`. */
export const newTask = (id: string, overrides: Partial<Task> = {}): Task => ({
  id,
  type: 'sign-up',
  status: 'pending',
  actions: [
    { name: 'new-project-with-user', data: { email: 'ann@example.com' }, valid: null, autoApprove: null, needsToken: false, notes: [], stored: {} },
  ],
  notes: [],
  history: [{ at: '2026-11-23T10:00:00.000Z', by: { kind: 'system', id: 'system' }, event: 'created', from: null, to: 'pending' }],
  createdBy: { sub: 'ann', email: 'ann@example.com', roles: ['member'] },
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  dataRevision: 0,
  rounds: 0,
  sentEmails: [],
  adminNotes: [],
  attempt: 1,
  version: 1,
  ...overrides,
});

/** A secret valid until 2099. */
export const newSecret = (hash: string, overrides: Partial<SecretRecord> = {}): SecretRecord => ({
  hash,
  kind: 'token',
  taskId: 'T1',
  round: 1,
  createdAt: '2026-11-23T10:00:00.000Z',
  validUntil: '2099-01-01T00:00:00.000Z',
  ...overrides,
});

/** An unacknowledged notification created `secondsAgo` before now (notifications expire 90 days after). */
export const newNotification = (id: string, secondsAgo: number, overrides: Partial<Notification> = {}): Notification => ({
  id,
  taskId: 'T1',
  taskType: 'sign-up',
  kind: 'needs-approval',
  error: false,
  message: 'Task T1 needs approval.',
  createdAt: new Date(Math.floor(Date.now() / 1000 - secondsAgo) * 1000).toISOString(),
  acknowledged: false,
  ...overrides,
});

/** Runs `count` calls at once. */
export const concurrently = <T>(count: number, call: (index: number) => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: count }, (_, index) => call(index)));
