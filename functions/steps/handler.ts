import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import * as z from 'zod';
import { type App, createApp } from '../app.ts';
import { readEnv } from '../env.ts';
import { logger } from '../logger.ts';

/** The state machine's payloads (see stepfunctions/task-workflow.asl.json): ids only. */
export const StepEventSchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('preApprove'), taskId: z.string() }),
  z.object({ step: z.literal('awaitApproval'), taskId: z.string(), taskToken: z.string() }),
  z.object({ step: z.literal('postApprove'), taskId: z.string() }),
  z.object({ step: z.literal('awaitToken'), taskId: z.string(), taskToken: z.string() }),
  z.object({ step: z.literal('submit'), taskId: z.string() }),
  z.object({ step: z.literal('complete'), taskId: z.string() }),
  z.object({
    step: z.literal('fail'),
    taskId: z.string(),
    /** `{ <failed state name>: { Error, Cause } }`: each state's Catch writes under its own name. */
    failure: z.record(z.string(), z.object({ Error: z.string(), Cause: z.string().optional() })),
    /** The failing execution (`$$.Execution.Id`): a failure from an execution the task moved on from is ignored. */
    executionArn: z.string().optional(),
  }),
]);
export type StepEvent = z.infer<typeof StepEventSchema>;

export async function runStep(event: StepEvent, { engine }: App): Promise<Record<string, unknown>> {
  logger.appendKeys({ taskId: event.taskId, step: event.step });
  switch (event.step) {
    case 'preApprove':
      return engine.preApprove(event.taskId);
    case 'awaitApproval':
      await engine.awaitApproval(event.taskId, event.taskToken);
      return {};
    case 'postApprove':
      return engine.postApprove(event.taskId);
    case 'awaitToken':
      await engine.awaitToken(event.taskId, event.taskToken);
      return {};
    case 'submit':
      await engine.submit(event.taskId);
      return {};
    case 'complete':
      await engine.complete(event.taskId);
      return {};
    case 'fail': {
      const [state, error] = Object.entries(event.failure)[0] ?? ['Workflow', { Error: 'Unknown' }];
      logger.warn('Task failed in the workflow', { state, error: error.Error });
      await engine.fail(event.taskId, state, error, event.executionArn);
      return {};
    }
  }
}

let app: App | undefined;

/** The state machine's Lambda: one invocation runs one stage for every action of the task. */
export const handler = middy<unknown, Record<string, unknown>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    app ??= createApp(readEnv(process.env, ['tableName', 'mailFrom', 'adminEmails', 'publicUrl', 'eventBusName']));
    return runStep(StepEventSchema.parse(event), app);
  });
