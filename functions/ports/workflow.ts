/** The execution input: ids and timeouts only, never task data. */
export interface WorkflowInput {
  readonly taskId: string;
  readonly approvalTimeoutSeconds: number;
  readonly tokenTimeoutSeconds: number;
}

/** What DescribeExecution says of an execution; `MISSING`: there is none of that ARN (never started). */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'MISSING';

/** Drives the state machine that sequences a task's stages. */
export interface Workflow {
  /**
   * Starts the task's execution for this attempt (named after the task, `-r<attempt>` for retries);
   * returns its ARN. Idempotent for the same input: an execution of that name that exists with this
   * input (running or ended) counts as started; one with another input is an error.
   */
  start(input: WorkflowInput, attempt: number): Promise<string>;
  /** Resumes a wait (`.waitForTaskToken`) with an output. False if the wait is already over. */
  resume(sfnToken: string, output: Record<string, unknown>): Promise<boolean>;
  /** Fails a wait with an error name and cause. False if the wait is already over. */
  fail(sfnToken: string, error: string, cause: string): Promise<boolean>;
  stop(executionArn: string, cause: string): Promise<void>;
  /** Whether the execution runs, how it ended, or `MISSING` if it was never started. */
  describe(executionArn: string): Promise<ExecutionStatus>;
  /** The ARN the execution of this task's attempt has (or will have). */
  executionArn(taskId: string, attempt: number): string;
}
