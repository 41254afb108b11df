import { SfnApiError, validationError } from './errors.ts';
import type { ExecutionManager } from './executions.ts';
import { historyEventShape } from './history.ts';
import type { ExecutionRecord, ExecutionStatus, JsonObject, JsonValue } from './records.ts';

/** What operations need besides the request: the manager and the state machine they serve. */
export interface ApiContext {
  readonly manager: ExecutionManager;
  readonly stateMachineArn: string;
  readonly definition: object;
  readonly createdAt: number;
}

/** One Step Functions API operation: request JSON in, response JSON out (or an `SfnApiError`). */
export type Operation = (context: ApiContext, request: JsonObject) => JsonObject | Promise<JsonObject>;

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;
const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/** Epoch seconds, the timestamp format of AWS JSON 1.0. */
const epochSeconds = (milliseconds: number): number => milliseconds / 1000;

function requiredString(request: JsonObject, field: string): string {
  const value = request[field];
  if (typeof value !== 'string' || value.length === 0)
    throw validationError(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`);
  return value;
}

function optionalString(request: JsonObject, field: string): string | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(`Value at '${field}' must be a string`);
  return value;
}

function requireStateMachine(context: ApiContext, arn: string): void {
  if (!STATE_MACHINE_ARN.test(arn)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  if (arn !== context.stateMachineArn) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
}

/** A page of `items` after `nextToken` (an opaque offset), at most `maxResults` long. */
function page<T>(items: readonly T[], request: JsonObject): { items: T[]; nextToken?: string } {
  const token = optionalString(request, 'nextToken');
  const offset = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw new SfnApiError('InvalidToken', 'Invalid nextToken');
  const requested = request.maxResults;
  const size = typeof requested === 'number' && requested > 0 ? Math.min(requested, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  const end = offset + size;
  const nextToken = end < items.length ? Buffer.from(String(end), 'utf8').toString('base64url') : undefined;
  return { items: items.slice(offset, end), ...(nextToken ? { nextToken } : {}) };
}

/** Drops undefined members (absent in AWS responses). */
const compact = (fields: Record<string, JsonValue | undefined>): JsonObject =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as JsonObject;

/** A ListExecutions item for a record. */
function listItemShape(record: ExecutionRecord): JsonObject {
  return compact({
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: epochSeconds(record.startDate),
    stopDate: record.stopDate === undefined ? undefined : epochSeconds(record.stopDate),
  });
}

/** DescribeExecution's response for a record: the list item's fields, and input, output and error. */
export function describeShape(record: ExecutionRecord): JsonObject {
  return {
    ...listItemShape(record),
    ...compact({
      input: record.input,
      inputDetails: { included: true },
      output: record.output,
      outputDetails: record.output === undefined ? undefined : { included: true },
      error: record.error,
      cause: record.cause,
    }),
  };
}

const startExecution: Operation = async (context, request) => {
  requireStateMachine(context, requiredString(request, 'stateMachineArn'));
  const record = await context.manager.start({ name: optionalString(request, 'name'), input: optionalString(request, 'input') });
  return { executionArn: record.executionArn, startDate: epochSeconds(record.startDate) };
};

const describeExecution: Operation = (context, request) => describeShape(context.manager.describe(request.executionArn));

const stopExecution: Operation = async (context, request) => {
  const record = await context.manager.stop(request.executionArn, optionalString(request, 'error'), optionalString(request, 'cause'));
  return { stopDate: epochSeconds(record.stopDate ?? Date.now()) };
};

const sendTaskSuccess: Operation = async (context, request) => {
  await context.manager.sendTaskSuccess(requiredString(request, 'taskToken'), requiredString(request, 'output'));
  return {};
};

const sendTaskFailure: Operation = async (context, request) => {
  const token = requiredString(request, 'taskToken');
  await context.manager.sendTaskFailure(token, optionalString(request, 'error'), optionalString(request, 'cause'));
  return {};
};

const sendTaskHeartbeat: Operation = (context, request) => {
  context.manager.sendTaskHeartbeat(requiredString(request, 'taskToken'));
  return {};
};

const getExecutionHistory: Operation = (context, request) => {
  const record = context.manager.describe(request.executionArn);
  const events = request.reverseOrder === true ? [...record.history].reverse() : record.history;
  const { items, nextToken } = page(events, request);
  return compact({ events: items.map(historyEventShape), nextToken });
};

const listExecutions: Operation = (context, request) => {
  requireStateMachine(context, requiredString(request, 'stateMachineArn'));
  const filter = optionalString(request, 'statusFilter');
  if (filter !== undefined && !STATUSES.includes(filter as ExecutionStatus)) throw validationError(`Invalid statusFilter: ${filter}`);
  const { items, nextToken } = page(context.manager.list(filter as ExecutionStatus | undefined), request);
  return compact({ executions: items.map(listItemShape), nextToken });
};

const describeStateMachine: Operation = (context, request) => {
  const arn = requiredString(request, 'stateMachineArn');
  requireStateMachine(context, arn);
  return {
    stateMachineArn: arn,
    name: arn.split(':').at(-1) ?? '',
    status: 'ACTIVE',
    definition: JSON.stringify(context.definition),
    roleArn: `arn:aws:iam::${arn.split(':')[4] ?? '000000000000'}:role/sfn-local`,
    type: 'STANDARD',
    creationDate: epochSeconds(context.createdAt),
  };
};

/** The supported operations, by the name after `AWSStepFunctions.` in `X-Amz-Target`. */
export const operations: Readonly<Record<string, Operation>> = {
  StartExecution: startExecution,
  DescribeExecution: describeExecution,
  StopExecution: stopExecution,
  SendTaskSuccess: sendTaskSuccess,
  SendTaskFailure: sendTaskFailure,
  SendTaskHeartbeat: sendTaskHeartbeat,
  GetExecutionHistory: getExecutionHistory,
  ListExecutions: listExecutions,
  DescribeStateMachine: describeStateMachine,
};
