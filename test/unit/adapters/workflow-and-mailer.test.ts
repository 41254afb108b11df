import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { SFNClient, SendTaskSuccessCommand, StartExecutionCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { SesMailer } from '#adapters/ses/mailer';
import { StepFunctionsWorkflow } from '#adapters/sfn/workflow';

const sfnClient = new SFNClient({ region: 'us-east-1' });
const sfn = mockClient(sfnClient);
const sesClient = new SESClient({ region: 'us-east-1' });
const ses = mockClient(sesClient);
const workflow = new StepFunctionsWorkflow({ client: sfnClient, stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:assent' });

beforeEach(() => {
  sfn.reset();
  ses.reset();
});

describe('StepFunctionsWorkflow', () => {
  it('starts an execution named after the task with ids and timeouts only', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
    await expect(workflow.start({ taskId: 'T1', approvalTimeoutSeconds: 60, tokenTimeoutSeconds: 30 }, 1)).resolves.toBe('arn:x');
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toStrictEqual({
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:assent',
      name: 'T1',
      input: '{"taskId":"T1","approvalTimeoutSeconds":60,"tokenTimeoutSeconds":30}',
    });
  });

  it('derives the execution ARN from the state machine ARN; retries get their own execution name', () => {
    expect(workflow.executionArn('T1', 1)).toBe('arn:aws:states:us-east-1:123456789012:execution:assent:T1');
    expect(workflow.executionArn('T1', 3)).toBe('arn:aws:states:us-east-1:123456789012:execution:assent:T1-r3');
  });

  it('answers false when the wait is already over', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));
    await expect(workflow.resume('tok', { decision: 'approved' })).resolves.toBe(false);
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toStrictEqual({ taskToken: 'tok', output: '{"decision":"approved"}' });
  });
});

describe('SesMailer', () => {
  it('sends text (and HTML when given) with the task id as a tag', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await expect(
      new SesMailer({ client: sesClient }).send({ to: ['a@example.com'], from: 'f@example.com', subject: 'S', text: 'T', html: '<p>T</p>', taskId: 'T1' }),
    ).resolves.toBe('m-1');
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toStrictEqual({
      Source: 'f@example.com',
      Destination: { ToAddresses: ['a@example.com'] },
      Message: {
        Subject: { Data: 'S', Charset: 'UTF-8' },
        Body: { Text: { Data: 'T', Charset: 'UTF-8' }, Html: { Data: '<p>T</p>', Charset: 'UTF-8' } },
      },
      Tags: [{ Name: 'taskId', Value: 'T1' }],
    });
  });

  it('sends with the configuration set when given one, so SES publishes its bounces and complaints', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-3' });

    // Act
    await new SesMailer({ client: sesClient, configurationSetName: 'assent-mail' }).send({ to: ['a@example.com'], from: 'f@example.com', subject: 'S', text: 'T', taskId: 'T1' });

    // Assess
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toStrictEqual({
      Source: 'f@example.com',
      Destination: { ToAddresses: ['a@example.com'] },
      Message: { Subject: { Data: 'S', Charset: 'UTF-8' }, Body: { Text: { Data: 'T', Charset: 'UTF-8' } } },
      Tags: [{ Name: 'taskId', Value: 'T1' }],
      ConfigurationSetName: 'assent-mail',
    });
  });

  it('sends lone surrogates as U+FFFD (the query serializer throws URIError on them) and keeps pairs', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });

    // Act
    await new SesMailer({ client: sesClient }).send({
      to: ['a\ud800@example.com'],
      replyTo: ['r@example.com\udc00'],
      from: 'f@example.com',
      subject: 'Rejected: \ud800',
      text: 'Reason: spam \udc00\ud800 😀',
      html: '<p>\udbff</p>',
      taskId: 'T1\ud800',
    });

    // Assess
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toStrictEqual({
      Source: 'f@example.com',
      Destination: { ToAddresses: ['a\ufffd@example.com'] },
      ReplyToAddresses: ['r@example.com\ufffd'],
      Message: {
        Subject: { Data: 'Rejected: \ufffd', Charset: 'UTF-8' },
        Body: { Text: { Data: 'Reason: spam \ufffd\ufffd 😀', Charset: 'UTF-8' }, Html: { Data: '<p>\ufffd</p>', Charset: 'UTF-8' } },
      },
      Tags: [{ Name: 'taskId', Value: 'T1\ufffd' }],
    });
  });
});
