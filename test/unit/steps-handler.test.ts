import { StepEventSchema } from '#steps/handler';

/** The payloads the steps Lambda takes: the ASL's, and what an execution of an earlier definition sends. */
describe('StepEventSchema (functions/steps/handler.ts)', () => {
  it('takes the payload of each state of the definition', () => {
    // Act
    const parsed = [
      { step: 'awaitApproval', taskId: 't1', taskToken: 'sfn-1' },
      { step: 'awaitToken', taskId: 't1', taskToken: 'sfn-2' },
      { step: 'complete', taskId: 't1' },
      { step: 'fail', taskId: 't1', failure: { AwaitToken: { Error: 'States.Timeout', Cause: 'States.Timeout' } }, executionArn: 'arn:x' },
    ].map((payload) => StepEventSchema.parse(payload).step);
    // Assess
    expect(parsed).toStrictEqual(['awaitApproval', 'awaitToken', 'complete', 'fail']);
  });

  it('refuses a step the definition no longer has (the previous one\'s postApprove), so its state fails into HandleFailure', () => {
    // Act
    const result = StepEventSchema.safeParse({ step: 'postApprove', taskId: 't1' });
    // Assess
    expect(result.success).toBe(false);
  });

  it('takes a failure under a state name the definition no longer has, so the task fails visibly and can be retried', () => {
    // Act
    const parsed = StepEventSchema.parse({ step: 'fail', taskId: 't1', failure: { PostApprove: { Error: 'ZodError' } } });
    // Assess
    expect(parsed).toStrictEqual({ step: 'fail', taskId: 't1', failure: { PostApprove: { Error: 'ZodError' } } });
  });

  it('refuses a wait without its task token', () => {
    // Act
    const result = StepEventSchema.safeParse({ step: 'awaitToken', taskId: 't1' });
    // Assess
    expect(result.success).toBe(false);
  });
});
