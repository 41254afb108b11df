import { AssentConfigError, parseAssentConfig } from '../../lib/config.ts';
import { cdkJson } from './fixtures.ts';

const valid = {
  senderEmail: 'noreply@example.com',
  sesIdentity: 'example.com',
  adminEmails: ['approver@example.com'],
  jwtIssuer: 'https://auth.example.com/',
  jwtAudience: ['assent-admin'],
};

/** The problems a config is rejected with (fails the test when it is accepted). */
function problemsOf(raw: unknown): readonly string[] {
  try {
    parseAssentConfig(raw);
  } catch (error) {
    if (error instanceof AssentConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('parseAssentConfig', () => {
  it('accepts the example in cdk.json and applies the defaults', () => {
    // Act
    const config = parseAssentConfig(cdkJson.context.assent);

    // Assess
    expect(config).toStrictEqual({
      senderEmail: 'noreply@example.com',
      sesIdentity: 'example.com',
      sesSandboxRecipients: [],
      adminEmails: ['approver@example.com'],
      jwtIssuer: 'https://auth.example.com/',
      jwtAudience: ['assent-admin'],
      jwtRolesClaim: 'roles',
      jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
      publicUrl: undefined,
      logRetentionDays: 30,
      logLevel: 'INFO',
      ttlMinutes: 1440,
      trackActions: true,
      rateLimits: {},
    });
  });

  it('accepts a JSON string, as passed with cdk -c', () => {
    // Act
    const config = parseAssentConfig(JSON.stringify(valid));

    // Assess
    expect(config.senderEmail).toBe('noreply@example.com');
  });

  it('keeps a configured jwksUrl and strips the trailing slash of publicUrl', () => {
    // Act
    const config = parseAssentConfig({
      ...valid,
      jwksUrl: 'https://auth.example.com/keys',
      publicUrl: 'https://assent.example.com/',
    });

    // Assess
    expect({ jwksUrl: config.jwksUrl, publicUrl: config.publicUrl }).toStrictEqual({
      jwksUrl: 'https://auth.example.com/keys',
      publicUrl: 'https://assent.example.com',
    });
  });

  it('accepts a sender on a subdomain of the identity, or the identity address itself', () => {
    // Act
    const onSubdomain = parseAssentConfig({ ...valid, senderEmail: 'noreply@mail.example.com' });
    const addressIdentity = parseAssentConfig({ ...valid, sesIdentity: 'noreply@example.com' });

    // Assess
    expect([onSubdomain.senderEmail, addressIdentity.sesIdentity]).toStrictEqual([
      'noreply@mail.example.com',
      'noreply@example.com',
    ]);
  });

  it('rejects a missing context, saying where to add it', () => {
    // Act
    const problems = problemsOf(undefined);

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent: is missing; add "assent": { "senderEmail": ..., "sesIdentity": ..., "adminEmails": [...], "jwtIssuer": ..., "jwtAudience": [...] } under "context" in cdk.json',
    ]);
  });

  it('rejects a sender that is not an email address, naming the key and giving an example', () => {
    // Act
    const problems = problemsOf({ ...valid, senderEmail: 'not-an-email' });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent.senderEmail: must be an email address, e.g. "noreply@example.com" (got "not-an-email")',
    ]);
  });

  it('reports every bad key at once', () => {
    // Act
    const problems = problemsOf({
      senderEmail: 'noreply@example.com',
      sesIdentity: 'example.com',
      adminEmails: [],
      jwtIssuer: 'http://auth.example.com/',
      logRetentionDays: 31,
    });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent.adminEmails: must list at least one email address, e.g. ["approver@example.com"]',
      'cdk.json context assent.jwtIssuer: must be an https:// URL, e.g. "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123" (got "http://auth.example.com/")',
      'cdk.json context assent.jwtAudience: is missing; add it, e.g. ["assent-admin"]',
      'cdk.json context assent.logRetentionDays: must be one of the retention periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    ]);
  });

  it('rejects an admin address that is not an email, naming its index', () => {
    // Act
    const problems = problemsOf({ ...valid, adminEmails: ['approver@example.com', 'ops'] });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent.adminEmails.1: must be an email address, e.g. "approver@example.com" (got "ops")',
    ]);
  });

  it('rejects an unknown key, listing the known ones', () => {
    // Act
    const problems = problemsOf({ ...valid, senderEmial: 'noreply@example.com' });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent: unknown key "senderEmial"; remove it or fix the spelling (known keys: senderEmail, sesIdentity, sesSandboxRecipients, adminEmails, jwtIssuer, jwtAudience, jwtRolesClaim, jwksUrl, publicUrl, logRetentionDays, logLevel, ttlMinutes, trackActions, rateLimits)',
    ]);
  });

  it('rejects an SES identity the sender does not belong to, because SES would refuse to send', () => {
    // Act
    const problems = problemsOf({ ...valid, sesIdentity: 'example.org' });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent.sesIdentity: must be the domain of senderEmail ("example.com") or senderEmail itself, because SES authorizes the From address against it (got "example.org")',
    ]);
  });

  it('rejects a TTL that is not a whole number of minutes', () => {
    // Act
    const problems = problemsOf({ ...valid, ttlMinutes: 1.5 });

    // Assess
    expect(problems).toStrictEqual(['cdk.json context assent.ttlMinutes: must be a whole number of minutes, e.g. 1440']);
  });

  it('puts every problem in the error message, one line each', () => {
    // Act
    const error = (() => {
      try {
        parseAssentConfig({ ...valid, senderEmail: 'x', trackActions: 'yes' });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();

    // Assess
    expect(error?.message).toBe(
      [
        'Invalid Assent configuration in cdk.json ("context" → "assent"):',
        '  - cdk.json context assent.senderEmail: must be an email address, e.g. "noreply@example.com" (got "x")',
        '  - cdk.json context assent.trackActions: must be true or false, e.g. true (got "yes")',
        'See docs/deploying.md, "Configure".',
      ].join('\n'),
    );
  });
});
