import { MemoryDirectory, MemoryDuplicateKeys, MemoryRateLimits, MemoryIdempotencyStore, MemoryNotificationStore, MemoryReconcileReports, MemorySecretStore, MemoryTaskStore, MemoryTodos } from '../support/fakes.ts';
import { describeDuplicateKeysContract } from './duplicate-keys.contract.ts';
import { describeIdempotencyStoreContract } from './idempotency-store.contract.ts';
import { describeNotificationStoreContract } from './notification-store.contract.ts';
import { describeRateLimitsContract } from './rate-limits.contract.ts';
import { describeReconcileReportsContract } from './reconcile-report.contract.ts';
import { describeSecretStoreContract } from './secret-store.contract.ts';
import { describeTaskStoreContract } from './task-store.contract.ts';
import { describeTodoStoreContract } from './todo-store.contract.ts';
import { describeUserDirectoryContract } from './user-directory.contract.ts';

/** Every store contract on the in-memory fakes the unit tests use. */
describeTaskStoreContract('MemoryTaskStore', async () => ({ store: new MemoryTaskStore() }));
describeSecretStoreContract('MemorySecretStore', async () => ({ store: new MemorySecretStore() }));
describeDuplicateKeysContract('MemoryDuplicateKeys', async () => ({ store: new MemoryDuplicateKeys() }));
describeIdempotencyStoreContract('MemoryIdempotencyStore', async () => ({ store: new MemoryIdempotencyStore() }));
describeNotificationStoreContract('MemoryNotificationStore', async () => ({ store: new MemoryNotificationStore() }));
describeTodoStoreContract('MemoryTodos', async () => ({ store: new MemoryTodos() }));
describeReconcileReportsContract('MemoryReconcileReports', async () => ({ store: new MemoryReconcileReports() }));
describeUserDirectoryContract('MemoryDirectory', async () => {
  const directory = new MemoryDirectory();
  return { directory, accountIdOf: (email) => directory.accountIdOf(email) };
});
describeRateLimitsContract('MemoryRateLimits', async () => ({ limits: new MemoryRateLimits() }));
