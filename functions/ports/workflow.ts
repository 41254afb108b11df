/** The execution input: ids and timeouts only, never task data. */
export interface WorkflowInput {
  readonly taskId: string;
  readonly approvalTimeoutSeconds: number;
  readonly tokenTimeoutSeconds: number;
}

/** Drives the state machine that sequences a task's stages. */
export interface Workflow {
  /** Starts the execution named after the task; returns its ARN. Idempotent for the same input. */
  start(input: WorkflowInput): Promise<string>;
  /** Resumes a wait (`.waitForTaskToken`) with an output. False if the wait is already over. */
  resume(sfnToken: string, output: Record<string, unknown>): Promise<boolean>;
  /** Fails a wait with an error name and cause. False if the wait is already over. */
  fail(sfnToken: string, error: string, cause: string): Promise<boolean>;
  stop(executionArn: string, cause: string): Promise<void>;
  /** The ARN the execution for this task has (or will have): executions are named after tasks. */
  executionArn(taskId: string): string;
}
