/**
 * The Task states of the state machine (stepfunctions/task-workflow.asl.json), as one typed list
 * for the engine, the steps handler and the ASL. A failed state's name is where its Catch writes
 * (`$.failure.<State>`), what `task.failure.step` records and where an admin retry resumes
 * (`$.resumeAt`). test/stepfunctions/state-names.test.ts ties this file to the ASL.
 */
export const STATE_NAMES = ['PreApprove', 'AwaitApproval', 'PostApprove', 'AwaitToken', 'Submit', 'Complete', 'HandleFailure'] as const;
export type StateName = (typeof STATE_NAMES)[number];

export const isStateName = (name: string): name is StateName => (STATE_NAMES as readonly string[]).includes(name);

/** What each state asks the steps Lambda to do: the `step` of its payload. */
export const STEP_OF_STATE = {
  PreApprove: 'preApprove',
  AwaitApproval: 'awaitApproval',
  PostApprove: 'postApprove',
  AwaitToken: 'awaitToken',
  Submit: 'submit',
  Complete: 'complete',
  HandleFailure: 'fail',
} as const satisfies Record<StateName, string>;
export type StepName = (typeof STEP_OF_STATE)[StateName];

/** The states a new execution can start at (`$.resumeAt`; absent: PreApprove). HandleFailure is not one. */
export const RESUMABLE_STATES = ['PreApprove', 'AwaitApproval', 'PostApprove', 'AwaitToken', 'Submit', 'Complete'] as const satisfies readonly StateName[];
export type ResumableState = (typeof RESUMABLE_STATES)[number];
