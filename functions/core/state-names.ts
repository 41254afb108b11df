/**
 * The Task states of the state machine (stepfunctions/task-workflow.asl.json), as one typed list
 * for the engine, the steps handler and the ASL. A failed state's name is where its Catch writes
 * (`$.failure.<State>`) and what `task.failure.step` records for operators; an admin retry does not
 * use it (a retry is a new execution from the start, whose steps skip what is done).
 * test/stepfunctions/state-names.test.ts ties this file to the ASL.
 */
export const STATE_NAMES = ['AwaitApproval', 'AwaitToken', 'Complete', 'HandleFailure'] as const;
export type StateName = (typeof STATE_NAMES)[number];

export const isStateName = (name: string): name is StateName => (STATE_NAMES as readonly string[]).includes(name);

/** What each state asks the steps Lambda to do: the `step` of its payload. */
export const STEP_OF_STATE = {
  AwaitApproval: 'awaitApproval',
  AwaitToken: 'awaitToken',
  Complete: 'complete',
  HandleFailure: 'fail',
} as const satisfies Record<StateName, string>;
export type StepName = (typeof STEP_OF_STATE)[StateName];
