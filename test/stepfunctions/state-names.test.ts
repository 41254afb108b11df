import { readFileSync } from 'node:fs';
import { STATE_NAMES, STEP_OF_STATE, type StateName } from '#core/state-names';

/**
 * functions/core/state-names.ts is the one list of state names the engine and the steps handler use;
 * this ties it to the state machine file, so renaming a state on one side only fails here.
 */
type State = {
  Type: string;
  Parameters?: { Payload?: { step?: string } };
  Catch?: { ErrorEquals: string[]; ResultPath?: string | null; Next: string }[];
};
type Definition = { StartAt: string; States: Record<string, State> };

const source = readFileSync(new URL('../../stepfunctions/task-workflow.asl.json', import.meta.url), 'utf8');
const definition = JSON.parse(source) as Definition;

const sorted = (names: Iterable<string>) => [...names].sort();

/** Every way the ASL and the list can disagree, as readable lines (none: they agree). */
function disagreements(asl: Definition): string[] {
  const tasks = Object.entries(asl.States).filter(([, state]) => state.Type === 'Task');
  const listed = new Set<string>(STATE_NAMES);
  return [
    ...tasks.filter(([name]) => !listed.has(name)).map(([name]) => `Task state ${name} is not in STATE_NAMES`),
    ...STATE_NAMES.filter((name) => asl.States[name]?.Type !== 'Task').map((name) => `${name} of STATE_NAMES is not a Task state of the ASL`),
    ...tasks.flatMap(([name, state]) =>
      (state.Catch ?? []).filter((c) => c.ResultPath !== `$.failure.${name}`).map((c) => `${name} catches into ${String(c.ResultPath)}, not $.failure.${name}`),
    ),
    ...tasks
      .filter(([name, state]) => listed.has(name) && state.Parameters?.Payload?.step !== STEP_OF_STATE[name as StateName])
      .map(([name, state]) => `${name} asks for step ${String(state.Parameters?.Payload?.step)}, not ${STEP_OF_STATE[name as StateName]}`),
  ];
}

describe('state names (functions/core/state-names.ts) and stepfunctions/task-workflow.asl.json', () => {
  it('agree: every Task state is listed, every listed name is a Task state, Catches and steps use the state names', () => {
    // Act
    const problems = disagreements(definition);
    // Assess
    expect(problems).toStrictEqual([]);
    expect(sorted(Object.entries(definition.States).filter(([, state]) => state.Type === 'Task').map(([name]) => name))).toStrictEqual(sorted(STATE_NAMES));
  });

  it('finds a Task state renamed in the ASL only', () => {
    // Prepare
    const { AwaitToken, ...others } = definition.States;
    const renamed: Definition = { ...definition, States: { ...others, WaitForToken: AwaitToken as State } };
    // Act
    const problems = disagreements(renamed);
    // Assess
    expect(problems).toStrictEqual([
      'Task state WaitForToken is not in STATE_NAMES',
      'AwaitToken of STATE_NAMES is not a Task state of the ASL',
      'WaitForToken catches into $.failure.AwaitToken, not $.failure.WaitForToken',
    ]);
  });

  it('finds a Catch that writes under another state\'s name', () => {
    // Prepare
    const awaitToken = definition.States.AwaitToken as State;
    const wrong: Definition = {
      ...definition,
      States: { ...definition.States, AwaitToken: { ...awaitToken, Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure.Complete', Next: 'HandleFailure' }] } },
    };
    // Act
    const problems = disagreements(wrong);
    // Assess
    expect(problems).toStrictEqual(['AwaitToken catches into $.failure.Complete, not $.failure.AwaitToken']);
  });

  it('finds a state whose payload asks the steps handler for another step', () => {
    // Prepare
    const complete = definition.States.Complete as State;
    const wrong: Definition = { ...definition, States: { ...definition.States, Complete: { ...complete, Parameters: { Payload: { step: 'awaitToken' } } } } };
    // Act
    const problems = disagreements(wrong);
    // Assess
    expect(problems).toStrictEqual(['Complete asks for step awaitToken, not complete']);
  });

  it('starts every execution at the first state of the list (an admin retry too: there is no resume point)', () => {
    expect(definition.StartAt).toBe(STATE_NAMES[0]);
  });
});
