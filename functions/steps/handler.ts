import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import * as z from 'zod';
import { isStateName, type StateName } from '#core/state-names';
import type { StepError } from '#core/facades';
import { type App, getApp } from '../app.ts';
import { logger } from '../logger.ts';
import { tracer } from '../tracer.ts';

/** The state machine's payloads (see stepfunctions/task-workflow.asl.json): ids only. */
export const StepEventSchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('awaitApproval'), taskId: z.string(), taskToken: z.string() }),
  z.object({ step: z.literal('awaitToken'), taskId: z.string(), taskToken: z.string() }),
  z.object({ step: z.literal('complete'), taskId: z.string() }),
  z.object({
    step: z.literal('fail'),
    taskId: z.string(),
    /**
     * `{ <failed state name>: { Error, Cause } }`: each state's Catch writes under its own name. Any
     * name is taken: an execution started under an earlier definition (still running after a deploy)
     * reports its own state names, and its task fails visibly, to be retried on the current one.
     */
    failure: z.record(z.string(), z.object({ Error: z.string(), Cause: z.string().optional() })),
    /** The failing execution (`$$.Execution.Id`): a failure from an execution the task moved on from is ignored. */
    executionArn: z.string().optional(),
  }),
]);
export type StepEvent = z.infer<typeof StepEventSchema>;

export async function runStep(event: StepEvent, { core }: App): Promise<Record<string, unknown>> {
  logger.appendKeys({ taskId: event.taskId, step: event.step });
  switch (event.step) {
    case 'awaitApproval':
      await core.steps.awaitApproval(event.taskId, event.taskToken);
      return {};
    case 'awaitToken':
      await core.steps.awaitToken(event.taskId, event.taskToken);
      return {};
    case 'complete':
      await core.steps.complete(event.taskId);
      return {};
    case 'fail': {
      const [state, error] = (Object.entries(event.failure)[0] as [StateName | (string & {}), StepError] | undefined) ?? ['HandleFailure', { Error: 'Unknown' }];
      logger.warn('Task failed in the workflow', { state, known: isStateName(state), error: error.Error });
      await core.steps.fail(event.taskId, state, error, event.executionArn);
      return {};
    }
  }
}

/**
 * The state machine's Lambda: one invocation runs one state's step (its stage for every action of
 * the task, and its wait), traced with the task's id as annotation `taskId` (and `taskType` once a
 * transition names it). Its answers are `{}`; the event (task tokens) is never captured.
 */
export const handler = middy<unknown, Record<string, unknown>>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const step = StepEventSchema.parse(event);
    tracer.putAnnotation('taskId', step.taskId);
    return runStep(step, getApp('steps', { tracer }));
  });
