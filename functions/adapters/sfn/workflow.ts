import {
  type SFNClient,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ConfigurationError } from '#core/errors';
import type { Workflow, WorkflowInput } from '#ports/workflow';
import { awsErrorName, rethrowAws } from '../aws-errors.ts';

export interface StepFunctionsWorkflowOptions {
  readonly client: SFNClient;
  /**
   * The state machine to start executions of. Only functions that start executions (the HTTP API)
   * need it; the steps function answers task tokens only (the state machine refers to it, not back).
   */
  readonly stateMachineArn?: string;
}

/** Execution names are unique per state machine for 90 days: retries get their own. */
const executionName = (taskId: string, attempt: number) => (attempt > 1 ? `${taskId}-r${attempt}` : taskId);

/** The wait is over already: timed out, answered, or its execution stopped. */
const WAIT_OVER = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** The task workflow on Step Functions (or the local runner, which speaks the same protocol). */
export class StepFunctionsWorkflow implements Workflow {
  private readonly client: SFNClient;
  private readonly arn: string | undefined;

  constructor(options: StepFunctionsWorkflowOptions) {
    this.client = options.client;
    this.arn = options.stateMachineArn;
  }

  private get stateMachineArn(): string {
    if (!this.arn) throw new ConfigurationError('This function starts no executions: it was built without ASSENT_STATE_MACHINE_ARN.');
    return this.arn;
  }

  executionArn(taskId: string, attempt: number): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName(taskId, attempt)}`;
  }

  async start(input: WorkflowInput, attempt: number): Promise<string> {
    try {
      const { executionArn } = await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: executionName(input.taskId, attempt), input: JSON.stringify(input) }),
      );
      return executionArn ?? this.executionArn(input.taskId, attempt);
    } catch (error) {
      rethrowAws(error, 'Starting the workflow');
    }
  }

  async resume(sfnToken: string, output: Record<string, unknown>): Promise<boolean> {
    return this.answer(() => this.client.send(new SendTaskSuccessCommand({ taskToken: sfnToken, output: JSON.stringify(output) })));
  }

  async fail(sfnToken: string, error: string, cause: string): Promise<boolean> {
    return this.answer(() => this.client.send(new SendTaskFailureCommand({ taskToken: sfnToken, error, cause })));
  }

  async stop(executionArn: string, cause: string): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn, cause }));
    } catch (error) {
      if (awsErrorName(error) === 'ExecutionDoesNotExist') return;
      rethrowAws(error, 'Stopping the workflow');
    }
  }

  private async answer(send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (WAIT_OVER.has(awsErrorName(error) ?? '')) return false;
      rethrowAws(error, 'Answering the workflow');
    }
  }
}
