import { isDeepStrictEqual } from 'node:util';
import {
  DescribeExecutionCommand,
  type SFNClient,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ConfigurationError } from '#core/errors';
import type { ExecutionStatus, Workflow, WorkflowInput } from '#ports/workflow';
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
export const executionName = (taskId: string, attempt: number) => (attempt > 1 ? `${taskId}-r${attempt}` : taskId);

/** Whether an execution's input (JSON) is `input`, whatever the order of its keys. */
const sameInput = (json: string | undefined, input: WorkflowInput): boolean => {
  try {
    return json !== undefined && isDeepStrictEqual(JSON.parse(json), { ...input });
  } catch {
    return false;
  }
};

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

  /**
   * StartExecution is idempotent for a running execution of the same name and input; for one that
   * ended (or another input) it answers ExecutionAlreadyExists. The execution's own input decides:
   * the same input means this start happened already (the request and the outbox both start it).
   */
  async start(input: WorkflowInput, attempt: number): Promise<string> {
    const json = JSON.stringify(input);
    try {
      const { executionArn } = await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: executionName(input.taskId, attempt), input: json }),
      );
      return executionArn ?? this.executionArn(input.taskId, attempt);
    } catch (error) {
      if (awsErrorName(error) === 'ExecutionAlreadyExists' && sameInput(await this.inputOf(this.executionArn(input.taskId, attempt)), input)) {
        return this.executionArn(input.taskId, attempt);
      }
      rethrowAws(error, 'Starting the workflow');
    }
  }

  async describe(executionArn: string): Promise<ExecutionStatus> {
    try {
      const { status } = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      // PENDING_REDRIVE: a redrive (never made by Assent) is about to run it again.
      return status === 'PENDING_REDRIVE' || status === undefined ? 'RUNNING' : status;
    } catch (error) {
      if (awsErrorName(error) === 'ExecutionDoesNotExist') return 'MISSING';
      rethrowAws(error, 'Describing the workflow');
    }
  }

  private async inputOf(executionArn: string): Promise<string | undefined> {
    try {
      return (await this.client.send(new DescribeExecutionCommand({ executionArn }))).input;
    } catch (error) {
      rethrowAws(error, 'Describing the workflow');
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
