/**
 * The non-key attributes every index keeps: what list filters read (`type`, `createdBy.sub`,
 * `acknowledged`). They never change after creation (except `acknowledged`), so a write that
 * changes anything else writes no index; lists read the full items from the table (BatchGetItem).
 */
export const INDEX_ATTRIBUTES = ['type', 'createdBy', 'acknowledged'] as const;

/**
 * The one DynamoDB table's key schema, indexes, TTL and stream, as data. The CDK construct and the
 * local stack (CreateTable against DynamoDB Local) both build the table from this.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  streamView: 'NEW_AND_OLD_IMAGES',
  indexes: [
    /**
     * Tasks by status, newest first: gsi1pk = `STATUS#<status>`, gsi1sk = `<createdAt ISO>#<id>`.
     * Also, sparse, the unacknowledged error notifications: gsi1pk = `NOTIFICATIONS#UNACKNOWLEDGED#ERROR`
     * (removed by the acknowledgement), so that /v1/status counts all of them.
     */
    { name: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', nonKeyAttributes: INDEX_ATTRIBUTES },
    /**
     * Tasks by type, newest first: gsi2pk = `TYPE#<type>`, gsi2sk = `<createdAt ISO>#<id>`. Also,
     * sparse, a task's unacknowledged notifications: gsi2pk = `NOTIFICATIONS#UNACKNOWLEDGED#TASK#<taskId>`
     * (removed by the acknowledgement), so that deciding a task acknowledges its "needs approval" notices.
     */
    { name: 'byType', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', nonKeyAttributes: INDEX_ATTRIBUTES },
    /**
     * Collections newest first: gsi3pk = `TASKS` | `NOTIFICATIONS` | `SECRETS#<kind>` | `TODOS`,
     * gsi3sk = `<createdAt ISO>#<id>`.
     */
    { name: 'byCreated', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', nonKeyAttributes: INDEX_ATTRIBUTES },
    /**
     * Sparse, tasks only, newest first: what signed-in callers who are not admins list. One entry per
     * task, by its scope: gsi4pk = `PROJECT#<projectId>` once the task belongs to a project, else
     * `REQUESTER#<sub>` (none for an anonymous task of no project); the sort key is byCreated's
     * (`<createdAt ISO>#<id>`, written with every task), so setting a project writes gsi4pk only.
     * One index, not one per scope: CloudFormation adds a single GSI per table per deployment
     * (docs/deploying.md "Indexes").
     */
    { name: 'byScope', partitionKey: 'gsi4pk', sortKey: 'gsi3sk', nonKeyAttributes: INDEX_ATTRIBUTES },
  ],
} as const;
