/** The execution input: ids and timeouts only, never task data. */
export interface WorkflowInput {
  readonly taskId: string;
  readonly approvalTimeoutSeconds: number;
  readonly tokenTimeoutSeconds: number;
  /** For an admin retry: the state to resume at (the one that failed). */
  readonly resumeAt?: string;
}

/** Drives the state machine that sequences a task's stages. */
export interface Workflow {
  /**
   * Starts the task's execution for this attempt (named after the task, `-r<attempt>` for retries);
   * returns its ARN. Idempotent for the same input.
   */
  start(input: WorkflowInput, attempt: number): Promise<string>;
  /** Resumes a wait (`.waitForTaskToken`) with an output. False if the wait is already over. */
  resume(sfnToken: string, output: Record<string, unknown>): Promise<boolean>;
  /** Fails a wait with an error name and cause. False if the wait is already over. */
  fail(sfnToken: string, error: string, cause: string): Promise<boolean>;
  stop(executionArn: string, cause: string): Promise<void>;
  /** The ARN the execution of this task's attempt has (or will have). */
  executionArn(taskId: string, attempt: number): string;
}
