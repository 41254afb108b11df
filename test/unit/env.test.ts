import { ConfigurationError } from '#core/errors';
import { readEnv } from '#functions/env';
import { expectError } from '../support/expect-error.ts';

/** ASSENT_RATE_LIMITS: a deployment's limits per task type, replacing the declared ones. */
describe('ASSENT_RATE_LIMITS', () => {
  it('is read as limits per task type, and is empty when unset', () => {
    // Act
    const set = readEnv({ ASSENT_RATE_LIMITS: '{"sign-up":{"perClient":{"max":100,"windowSeconds":60}}}' }, ['rateLimits']);
    const unset = readEnv({}, ['rateLimits']);

    // Assess
    expect([set.rateLimits, unset.rateLimits]).toStrictEqual([{ 'sign-up': { perClient: { max: 100, windowSeconds: 60 } } }, {}]);
  });

  it('refuses JSON that is not limits, naming the field, and text that is not JSON', async () => {
    // Act
    const read = (value: string) => Promise.resolve().then(() => readEnv({ ASSENT_RATE_LIMITS: value }, ['rateLimits']));

    // Assess
    const error = await expectError(read('{"sign-up":{"perClient":{"max":0,"windowSeconds":60}}}'), ConfigurationError, 'ASSENT_RATE_LIMITS is not valid:\n✖ Too small: expected number to be >0\n  → at ["sign-up"].perClient.max');
    expect(error.name).toBe('ConfigurationError');
    await expectError(read('max=5'), ConfigurationError, 'ASSENT_RATE_LIMITS is not JSON: max=5');
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
