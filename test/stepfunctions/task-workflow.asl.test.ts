import { readFileSync } from 'node:fs';

/**
 * The one state machine definition, checked as a file: it is what CDK deploys and what the local
 * runner executes, so its rules are checked here once for both.
 */
type State = {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Parameters?: Record<string, unknown>;
};
const source = readFileSync(new URL('../../stepfunctions/task-workflow.asl.json', import.meta.url), 'utf8');
const definition = JSON.parse(source) as { StartAt: string; States: Record<string, State> };
const states = Object.entries(definition.States);
const tasks = states.filter(([, state]) => state.Type === 'Task');

const successors = (state: State): string[] => [
  ...(state.Next ? [state.Next] : []),
  ...(state.Default ? [state.Default] : []),
  ...(state.Choices ?? []).map((choice) => choice.Next),
  ...(state.Catch ?? []).map((catcher) => catcher.Next),
];

describe('stepfunctions/task-workflow.asl.json', () => {
  it('uses exactly one placeholder, the steps function, which CDK substitutes', () => {
    expect([...new Set(source.match(/\$\{[^}]+\}/g))]).toStrictEqual(['${StepsFunctionArn}']);
  });

  it('retries every Lambda task on Lambda service errors and on TransientError', () => {
    for (const [, state] of tasks) {
      const retried = new Set(state.Retry?.flatMap((retry) => retry.ErrorEquals));
      const covers = retried.has('States.ALL') || ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'TransientError'].every((e) => retried.has(e));
      expect(covers).toBe(true);
    }
  });

  it('bounds every task, and every wait for a human, with a timeout', () => {
    const unbounded = tasks.filter(([, state]) => state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined).map(([name]) => name);
    expect(unbounded).toStrictEqual([]);
    const waits = tasks.filter(([, state]) => state.Resource?.endsWith('.waitForTaskToken')).map(([name, state]) => [name, state.TimeoutSecondsPath]);
    expect(waits).toStrictEqual([
      ['AwaitApproval', '$.approvalTimeoutSeconds'],
      ['AwaitToken', '$.tokenTimeoutSeconds'],
    ]);
  });

  it('sends every failure to HandleFailure, except HandleFailure itself', () => {
    const uncaught = tasks
      .filter(([name, state]) => name !== 'HandleFailure' && !state.Catch?.some((c) => c.ErrorEquals.includes('States.ALL') && c.Next === 'HandleFailure'))
      .map(([name]) => name);
    expect(uncaught).toStrictEqual([]);
  });

  it('has no dangling transitions and no unreachable states, and every path ends', () => {
    const names = new Set(Object.keys(definition.States));
    const targets = states.flatMap(([, state]) => successors(state));
    expect(targets.filter((target) => !names.has(target))).toStrictEqual([]);

    const reachable = new Set<string>();
    const queue = [definition.StartAt];
    while (queue.length > 0) {
      const name = queue.shift() as string;
      if (reachable.has(name)) continue;
      reachable.add(name);
      queue.push(...successors(definition.States[name] as State));
    }
    expect([...names].filter((name) => !reachable.has(name))).toStrictEqual([]);

    // Every state can reach a terminal state (Succeed, Fail, or End: true).
    const terminal = (state: State) => state.Type === 'Succeed' || state.Type === 'Fail' || state.End === true;
    const canEnd = new Set(states.filter(([, state]) => terminal(state)).map(([name]) => name));
    let grew = true;
    while (grew) {
      grew = false;
      for (const [name, state] of states) {
        if (!canEnd.has(name) && successors(state).some((next) => canEnd.has(next))) {
          canEnd.add(name);
          grew = true;
        }
      }
    }
    expect([...names].filter((name) => !canEnd.has(name))).toStrictEqual([]);
  });

  it('carries ids only: every payload holds the step, the task id and at most a task token, or the failure and the execution id', () => {
    const payloadKeys = tasks.map(([, state]) => Object.keys((state.Parameters?.Payload ?? {}) as object).sort());
    for (const keys of payloadKeys) {
      expect(keys.filter((key) => !['step', 'taskId.$', 'taskToken.$', 'failure.$', 'executionArn.$'].includes(key))).toStrictEqual([]);
    }
    expect(tasks.filter(([, state]) => 'executionArn.$' in ((state.Parameters?.Payload ?? {}) as object)).map(([name]) => name)).toStrictEqual(['HandleFailure']);
    expect((definition.States.HandleFailure?.Parameters?.Payload as Record<string, string>)['executionArn.$']).toBe('$$.Execution.Id');
  });
});
