import { DescribeExecutionCommand, ExecutionAlreadyExists, ExecutionDoesNotExist, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { StepFunctionsWorkflow } from '#adapters/sfn/workflow';

const sfnClient = new SFNClient({ region: 'us-east-1' });
const sfn = mockClient(sfnClient);
const workflow = new StepFunctionsWorkflow({ client: sfnClient, stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:assent' });
const ARN = 'arn:aws:states:us-east-1:123456789012:execution:assent:T1';
const INPUT = { taskId: 'T1', approvalTimeoutSeconds: 60, tokenTimeoutSeconds: 30 };
const exists = () => new ExecutionAlreadyExists({ message: `Execution Already Exists: '${ARN}'`, $metadata: {} });

beforeEach(() => {
  sfn.reset();
});

describe('StepFunctionsWorkflow.describe', () => {
  it.each(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const)('answers %s as DescribeExecution says it', async (status) => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: ARN, status, stateMachineArn: 'x', startDate: new Date() });

    // Act
    const answer = await workflow.describe(ARN);

    // Assess
    expect(answer).toBe(status);
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toStrictEqual({ executionArn: ARN });
  });

  it('answers MISSING for an execution that was never started', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));

    // Act
    const answer = await workflow.describe(ARN);

    // Assess
    expect(answer).toBe('MISSING');
  });
});

describe('StepFunctionsWorkflow.start when the execution exists', () => {
  it('counts an ended execution of the same name and input as started (the request or the outbox started it)', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(exists());
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: ARN, status: 'SUCCEEDED', input: '{"tokenTimeoutSeconds":30,"taskId":"T1","approvalTimeoutSeconds":60}', stateMachineArn: 'x', startDate: new Date() });

    // Act
    const arn = await workflow.start(INPUT, 1);

    // Assess
    expect(arn).toBe(ARN);
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toStrictEqual({ executionArn: ARN });
  });

  it('fails when the execution of that name has another input (not the same start)', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(exists());
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: ARN, status: 'RUNNING', input: '{"taskId":"T1","approvalTimeoutSeconds":99,"tokenTimeoutSeconds":30}', stateMachineArn: 'x', startDate: new Date() });

    // Act
    const started = workflow.start(INPUT, 1);

    // Assess
    await expect(started).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });
});
