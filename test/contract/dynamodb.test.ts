import { DynamoDbDuplicateKeys } from '#adapters/dynamodb/duplicate-keys';
import { DynamoDbIdempotencyStore } from '#adapters/dynamodb/idempotency-store';
import { DynamoDbNotificationStore } from '#adapters/dynamodb/notification-store';
import { DynamoDbRateLimits } from '#adapters/dynamodb/rate-limit-store';
import { DynamoDbReconcileReports } from '#adapters/dynamodb/reconcile-report-store';
import { DynamoDbSecretStore } from '#adapters/dynamodb/secret-store';
import { DynamoDbTaskStore } from '#adapters/dynamodb/task-store';
import { DynamoDbTodoStore } from '#adapters/dynamodb/todo-store';
import { useFreshTables } from './fresh-tables.ts';
import { describeDuplicateKeysContract } from './duplicate-keys.contract.ts';
import { describeIdempotencyStoreContract } from './idempotency-store.contract.ts';
import { describeNotificationStoreContract } from './notification-store.contract.ts';
import { describeRateLimitsContract } from './rate-limits.contract.ts';
import { describeReconcileReportsContract } from './reconcile-report.contract.ts';
import { describeSecretStoreContract } from './secret-store.contract.ts';
import { describeTaskStoreContract } from './task-store.contract.ts';
import { describeTodoStoreContract } from './todo-store.contract.ts';

/**
 * Every store contract on the stack's DynamoDB Local. Each test gets a table of its own, made by
 * `ensureTable` from lib/table-definition.ts like the stack's (lists and counts then see only what the
 * test wrote), and deleted after it: DynamoDB Local stops deleting indexes once some dozens of tables
 * with TTL exist.
 */
const freshTable = useFreshTables();

describeTaskStoreContract('DynamoDbTaskStore', async () => ({ store: new DynamoDbTaskStore(await freshTable()) }));
describeSecretStoreContract('DynamoDbSecretStore', async () => ({ store: new DynamoDbSecretStore(await freshTable()) }));
describeDuplicateKeysContract('DynamoDbDuplicateKeys', async () => ({ store: new DynamoDbDuplicateKeys(await freshTable()) }));
describeIdempotencyStoreContract('DynamoDbIdempotencyStore', async () => ({ store: new DynamoDbIdempotencyStore(await freshTable()) }));
describeNotificationStoreContract('DynamoDbNotificationStore', async () => ({ store: new DynamoDbNotificationStore(await freshTable()) }));
describeTodoStoreContract('DynamoDbTodoStore', async () => ({ store: new DynamoDbTodoStore(await freshTable()) }));
describeReconcileReportsContract('DynamoDbReconcileReports', async () => ({ store: new DynamoDbReconcileReports(await freshTable()) }));
describeRateLimitsContract('DynamoDbRateLimits', async () => ({ limits: new DynamoDbRateLimits(await freshTable()) }));
