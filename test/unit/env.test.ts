import { ConfigurationError } from '#core/errors';
import { createApp } from '#functions/app';
import { readEnv } from '#functions/env';
import { taskTypes } from '#functions/task-types';
import { expectError } from '../support/expect-error.ts';

/** ASSENT_TASK_TYPE_OVERRIDES: the deployment's task type overrides, JSON, checked where createApp applies them. */
describe('ASSENT_TASK_TYPE_OVERRIDES', () => {
  it('is read as an object, and is empty when unset', () => {
    // Act
    const set = readEnv({ ASSENT_TASK_TYPE_OVERRIDES: '{"sign-up":{"tokenTtlSeconds":3600}}' }, ['taskTypeOverrides']);
    const unset = readEnv({}, ['taskTypeOverrides']);

    // Assess
    expect([set.taskTypeOverrides, unset.taskTypeOverrides]).toStrictEqual([{ 'sign-up': { tokenTtlSeconds: 3600 } }, {}]);
  });

  it('refuses text that is not JSON, and JSON that is not an object', async () => {
    // Act
    const read = (value: string) => Promise.resolve().then(() => readEnv({ ASSENT_TASK_TYPE_OVERRIDES: value }, ['taskTypeOverrides']));

    // Assess
    await expectError(read('tokenTtlSeconds=5'), ConfigurationError, 'ASSENT_TASK_TYPE_OVERRIDES is not JSON: tokenTtlSeconds=5');
    await expectError(read('["sign-up"]'), ConfigurationError, 'ASSENT_TASK_TYPE_OVERRIDES must be a JSON object of task type name → settings, e.g. {"sign-up":{"tokenTtlSeconds":3600}} (got ["sign-up"])');
  });

  it('fails start-up when an override is bad, naming each bad field', async () => {
    // Prepare
    const env = readEnv({ ASSENT_TABLE_NAME: 't', ASSENT_TASK_TYPE_OVERRIDES: '{"sign-up":{"tokenTtlSeconds":0},"nope":{}}' }, ['tableName', 'taskTypeOverrides']);

    // Act
    const start = Promise.resolve().then(() => createApp(env));

    // Assess
    await expectError(
      start,
      ConfigurationError,
      [
        'Invalid task type overrides (taskTypes of the Assent configuration):',
        '  - taskTypes.sign-up.tokenTtlSeconds: must be more than 0 (got 0)',
        `  - taskTypes.nope: no task type "nope" is declared (declared: ${taskTypes.map((taskType) => taskType.name).join(', ')})`,
        'See docs/deploying.md, "Task type overrides".',
      ].join('\n'),
    );
  });

  it('builds the registry with the overrides applied', () => {
    // Prepare
    const env = readEnv({ ASSENT_TABLE_NAME: 't', ASSENT_TASK_TYPE_OVERRIDES: '{"sign-up":{"tokenTtlSeconds":60,"limits":{"perClient":null}}}' }, ['tableName', 'taskTypeOverrides']);

    // Act
    const app = createApp(env);

    // Assess
    const signUp = app.registry.taskType('sign-up');
    expect([signUp.tokenTtlSeconds, signUp.limits]).toStrictEqual([60, { perAddress: { max: 5, windowSeconds: 3600 } }]);
  });
});

/** ASSENT_OPERATOR_EMAILS: who gets notifications, comma-separated. */
describe('ASSENT_OPERATOR_EMAILS', () => {
  it('is read as a list of addresses', () => {
    // Act
    const env = readEnv({ ASSENT_OPERATOR_EMAILS: 'ops@example.com, oncall@example.com' }, ['operatorEmails']);

    // Assess
    expect(env.operatorEmails).toStrictEqual(['ops@example.com', 'oncall@example.com']);
  });
});

/** ASSENT_MAIL_CONFIGURATION_SET: the SES configuration set CDK binds with the send grant; local mode has none. */
describe('ASSENT_MAIL_CONFIGURATION_SET', () => {
  it('is read when set and is empty, not missing, when unset', () => {
    // Act
    const set = readEnv({ ASSENT_MAIL_CONFIGURATION_SET: 'assent-mail' }, ['mailConfigurationSet']);
    const unset = readEnv({}, ['mailConfigurationSet']);

    // Assess
    expect([set.mailConfigurationSet, unset.mailConfigurationSet]).toStrictEqual(['assent-mail', '']);
  });
});
