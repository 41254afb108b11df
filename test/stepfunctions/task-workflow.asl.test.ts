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
const definition = JSON.parse(source) as Definition;
const states = Object.entries(definition.States);
const tasks = states.filter(([, state]) => state.Type === 'Task');

type Definition = { StartAt: string; States: Record<string, State> };

const successors = (state: State): string[] => [
  ...(state.Next ? [state.Next] : []),
  ...(state.Default ? [state.Default] : []),
  ...(state.Choices ?? []).map((choice) => choice.Next),
  ...(state.Catch ?? []).map((catcher) => catcher.Next),
];

/** The most state transitions (states entered, what Standard workflows bill) any execution may take. */
const MAX_TRANSITIONS = 5;

/**
 * Every path an execution can take from StartAt to an end (a Fail or Succeed state, `End: true`, or
 * a state with nowhere to go), as the states it enters in order; a path that comes back to a state
 * it entered is cut there and ends with that state's name (a loop: no bound at all).
 */
function pathsOf(asl: Definition): string[][] {
  const paths: string[][] = [];
  const walk = (name: string, path: string[]) => {
    if (path.includes(name)) {
      paths.push([...path, name]);
      return;
    }
    const state = asl.States[name];
    const next = state ? successors(state) : [];
    if (next.length === 0 || state?.End === true) paths.push([...path, name]);
    for (const target of next) walk(target, [...path, name]);
  };
  walk(asl.StartAt, []);
  return paths;
}

/** The paths that enter more than MAX_TRANSITIONS states (or loop), joined for reading. */
const tooLong = (asl: Definition) =>
  pathsOf(asl)
    .filter((path) => path.length > MAX_TRANSITIONS || new Set(path).size < path.length)
    .map((path) => path.join(' → '));

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

  it('routes with no Choice and ends with no Succeed state: the waits answer their own tokens instead', () => {
    expect(states.filter(([, state]) => state.Type === 'Choice' || state.Type === 'Succeed').map(([name, state]) => `${name} (${state.Type})`)).toStrictEqual([]);
  });

  it(`enters at most ${MAX_TRANSITIONS} states on every path: 3 through, 3 to 5 through HandleFailure`, () => {
    // Act
    const paths = pathsOf(definition).map((path) => path.join(' → '));
    // Assess
    expect(paths).toStrictEqual([
      'AwaitApproval → AwaitToken → Complete',
      'AwaitApproval → AwaitToken → Complete → HandleFailure → Failed',
      'AwaitApproval → AwaitToken → HandleFailure → Failed',
      'AwaitApproval → HandleFailure → Failed',
    ]);
    expect(tooLong(definition)).toStrictEqual([]);
  });

  it('finds a path that enters too many states: routing through Choice states as before', () => {
    // Prepare: PreApprove → IsAutoApproved → AwaitApproval → IsApproved → AwaitToken → Complete → Finished.
    const task = (next: string): State => ({ Type: 'Task', Next: next, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }] });
    const routed: Definition = {
      StartAt: 'PreApprove',
      States: {
        PreApprove: task('IsAutoApproved'),
        IsAutoApproved: { Type: 'Choice', Choices: [{ Next: 'AwaitToken' }], Default: 'AwaitApproval' },
        AwaitApproval: task('IsApproved'),
        IsApproved: { Type: 'Choice', Choices: [{ Next: 'AwaitToken' }], Default: 'Finished' },
        AwaitToken: task('Complete'),
        Complete: task('Finished'),
        Finished: { Type: 'Succeed' },
        Failed: { Type: 'Fail' },
      },
    };
    // Act
    const problems = tooLong(routed);
    // Assess
    expect(problems).toStrictEqual([
      'PreApprove → IsAutoApproved → AwaitApproval → IsApproved → AwaitToken → Complete → Finished',
      'PreApprove → IsAutoApproved → AwaitApproval → IsApproved → AwaitToken → Complete → Failed',
      'PreApprove → IsAutoApproved → AwaitApproval → IsApproved → AwaitToken → Failed',
    ]);
  });

  it('finds a loop: a path that comes back to a state has no bound', () => {
    // Prepare
    const looped: Definition = { StartAt: 'A', States: { A: { Type: 'Task', Next: 'B' }, B: { Type: 'Task', Next: 'A' } } };
    // Act
    const problems = tooLong(looped);
    // Assess
    expect(problems).toStrictEqual(['A → B → A']);
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
