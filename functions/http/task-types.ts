import * as z from 'zod';
import type { RouteHandler } from './http-types.ts';
import { answer, TaskTypeListingSchema } from './response-schemas.ts';

/** `GET /v1/task-types`: the catalogue, with each type's input as JSON Schema. */
export const listTaskTypes: RouteHandler = async ({ app }) => {
  const { registry } = app;
  const taskTypes = registry.listTaskTypes().map((taskType) => ({
    name: taskType.name,
    description: taskType.description,
    access: taskType.access,
    autoApprove: taskType.autoApprove,
    duplicatePolicy: taskType.duplicatePolicy,
    tokenTtlSeconds: taskType.tokenTtlSeconds,
    tokenRequiresAuth: taskType.tokenRequiresAuth,
    approvalTtlSeconds: taskType.approvalTtlSeconds,
    actions: taskType.actions.map((name) => ({ name, description: registry.action(name).description })),
    inputSchema: z.toJSONSchema(registry.inputSchema(taskType), { io: 'input' }),
  }));
  return answer(TaskTypeListingSchema, 200, { taskTypes });
};
