/** Plain JSON, as stored, sent over the wire and handed to the state machine. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Status of an execution, as `DescribeExecution` reports it. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/**
 * Status of one task token. Only `WAITING` tokens may be answered; every other status answers
 * `TaskTimedOut` ("the task token has either expired or the task has already been closed").
 */
export type TaskTokenStatus = 'WAITING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'CLOSED';

/** A task token minted for a `.waitForTaskToken` state. */
export interface TaskTokenRecord {
  readonly token: string;
  readonly stateName: string;
  status: TaskTokenStatus;
  readonly createdAt: number;
  /** Epoch milliseconds after which the state times out (`TimeoutSeconds`/`TimeoutSecondsPath`). */
  readonly deadline: number;
  /** True once the Lambda that received the token returned: a resumed wait must not invoke it again. */
  lambdaInvoked: boolean;
  closedAt?: number;
}

/** The state an execution is in, with its raw input: where a restarted runner resumes it. */
export interface StateRecord {
  readonly name: string;
  readonly input: JsonValue;
}

/** One history event, in the shape of `GetExecutionHistory` (timestamp in epoch milliseconds). */
export type HistoryEvent = {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
} & { [details: `${string}EventDetails`]: JsonObject };

/** Everything the runner knows about one execution; persisted as one JSON file. */
export interface ExecutionRecord {
  readonly version: 1;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  /** The execution input exactly as given to `StartExecution` (a JSON string). */
  readonly input: string;
  status: ExecutionStatus;
  readonly startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  currentState?: StateRecord;
  tasks: TaskTokenRecord[];
  history: HistoryEvent[];
}
