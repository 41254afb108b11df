import { AssentConfigError, cognitoIssuerOf, MAX_TASK_TYPE_OVERRIDES_CHARS, parseAssentConfig } from '../../lib/config.ts';
import { cdkJson } from './fixtures.ts';

const valid = {
  senderEmail: 'noreply@example.com',
  sesIdentity: 'example.com',
  operators: ['ops@example.com'],
};

/** Bring your own issuer. */
const ownIssuer = { jwtIssuer: 'https://auth.example.com/', jwtAudience: ['assent-admin'] };
const USER_POOL_ID = 'eu-west-1_AbCdEf123';

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';

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
  it('accepts the example in cdk.json and applies the defaults: the stack-created pool\'s tokens, groups in cognito:groups', () => {
    // Act
    const config = parseAssentConfig(cdkJson.context.assent);

    // Assess
    expect(config).toStrictEqual({
      senderEmail: 'noreply@example.com',
      sesIdentity: 'example.com',
      sesSandboxRecipients: [],
      operators: ['ops@example.com'],
      userPoolId: undefined,
      jwt: { source: 'stack-pool', rolesClaim: 'cognito:groups' },
      publicUrl: undefined,
      domainName: undefined,
      corsOrigins: [],
      alarmEmails: [],
      logRetentionDays: 30,
      logLevel: 'INFO',
      ttlMinutes: 1440,
      trackActions: true,
      taskTypes: {},
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
      ...ownIssuer,
      jwksUrl: 'https://auth.example.com/keys',
      publicUrl: 'https://assent.example.com/',
    });

    // Assess
    expect({ jwt: config.jwt, publicUrl: config.publicUrl }).toStrictEqual({
      jwt: { source: 'own-issuer', issuer: 'https://auth.example.com/', audience: ['assent-admin'], jwksUrl: 'https://auth.example.com/keys', rolesClaim: 'roles' },
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
      'cdk.json context assent: is missing; add "assent": { "senderEmail": ..., "sesIdentity": ..., "operators": [...] } under "context" in cdk.json',
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
      operators: [],
      jwtIssuer: 'http://auth.example.com/',
      logRetentionDays: 31,
    });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent.operators: must list at least one email address, e.g. ["ops@example.com"]',
      'cdk.json context assent.jwtIssuer: must be an https:// URL, e.g. "https://auth.example.com/" (got "http://auth.example.com/")',
      'cdk.json context assent.logRetentionDays: must be one of the retention periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
      'cdk.json context assent.jwtAudience: is missing; jwtIssuer needs it: add the audiences (or Cognito app client ids) its tokens carry, e.g. ["1example23456789abcdefghij"]',
    ]);
  });

  it('rejects an operator address that is not an email, naming its index', () => {
    // Act
    const problems = problemsOf({ ...valid, operators: ['ops@example.com', 'ops'] });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent.operators.1: must be an email address, e.g. "ops@example.com" (got "ops")',
    ]);
  });

  it('refuses adminEmails, renamed operators, saying that approvers now come from the approval policies (and checks the rest as if renamed)', () => {
    // Act
    const { operators: _, ...withoutOperators } = valid;
    const problems = problemsOf({ ...withoutOperators, adminEmails: ['approver@example.com', 'ops'] });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent.adminEmails: was renamed "operators", and now names only who gets notifications (errors, stuck tasks, bounces), never approval emails: rename the key to "operators". Approvers come from each task type\'s approval policy (by default the user pool\'s group "admin"); to have an address approve a type, give it in taskTypes.<type>.approval (docs/deploying.md, "Task type overrides")',
      'cdk.json context assent.operators.1: must be an email address, e.g. "ops@example.com" (got "ops")',
    ]);
  });

  it('rejects an unknown key, listing the known ones', () => {
    // Act
    const problems = problemsOf({ ...valid, senderEmial: 'noreply@example.com' });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent: unknown key "senderEmial"; remove it or fix the spelling (known keys: senderEmail, sesIdentity, sesSandboxRecipients, operators, userPoolId, jwtIssuer, jwtAudience, jwtRolesClaim, jwksUrl, publicUrl, domainName, certificateArn, corsOrigins, alarmEmails, logRetentionDays, logLevel, ttlMinutes, trackActions, taskTypes, rateLimits)',
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

  it('takes an existing pool\'s tokens with userPoolId: its issuer (from the region in its id), its key set, the configured client ids, groups in cognito:groups', () => {
    // Act
    const config = parseAssentConfig({ ...valid, userPoolId: USER_POOL_ID, jwtAudience: ['1example23456789abcdefghij'] });

    // Assess
    expect({ userPoolId: config.userPoolId, jwt: config.jwt }).toStrictEqual({
      userPoolId: USER_POOL_ID,
      jwt: {
        source: 'user-pool',
        issuer: `https://cognito-idp.eu-west-1.amazonaws.com/${USER_POOL_ID}`,
        audience: ['1example23456789abcdefghij'],
        jwksUrl: `https://cognito-idp.eu-west-1.amazonaws.com/${USER_POOL_ID}/.well-known/jwks.json`,
        rolesClaim: 'cognito:groups',
      },
    });
  });

  it('takes jwtIssuer\'s tokens when it is set (bring your own issuer), with or without userPoolId, roles in "roles" unless jwtRolesClaim says otherwise', () => {
    // Act
    const alone = parseAssentConfig({ ...valid, ...ownIssuer });
    const withPool = parseAssentConfig({ ...valid, ...ownIssuer, userPoolId: USER_POOL_ID, jwtRolesClaim: 'https://assent.example.com/roles' });

    // Assess
    expect([alone.userPoolId, alone.jwt, withPool.userPoolId, withPool.jwt]).toStrictEqual([
      undefined,
      { source: 'own-issuer', issuer: 'https://auth.example.com/', audience: ['assent-admin'], jwksUrl: 'https://auth.example.com/.well-known/jwks.json', rolesClaim: 'roles' },
      USER_POOL_ID,
      { source: 'own-issuer', issuer: 'https://auth.example.com/', audience: ['assent-admin'], jwksUrl: 'https://auth.example.com/.well-known/jwks.json', rolesClaim: 'https://assent.example.com/roles' },
    ]);
  });

  it('keeps a configured roles claim for the stack-created pool (a pre-token-generation trigger may add one)', () => {
    // Act
    const config = parseAssentConfig({ ...valid, jwtRolesClaim: 'roles' });

    // Assess
    expect(config.jwt).toStrictEqual({ source: 'stack-pool', rolesClaim: 'roles' });
  });

  it('rejects an issuer or an existing pool without audiences, because the authorizer would accept no token', () => {
    // Act
    const issuerAlone = problemsOf({ ...valid, jwtIssuer: 'https://auth.example.com/' });
    const poolAlone = problemsOf({ ...valid, userPoolId: USER_POOL_ID });

    // Assess
    expect([...issuerAlone, ...poolAlone]).toStrictEqual([
      'cdk.json context assent.jwtAudience: is missing; jwtIssuer needs it: add the audiences (or Cognito app client ids) its tokens carry, e.g. ["1example23456789abcdefghij"]',
      'cdk.json context assent.jwtAudience: is missing; with userPoolId the stack creates no app client: add the id of the pool\'s app client (Cognito console → App clients), e.g. ["1example23456789abcdefghij"]',
    ]);
  });

  it('rejects audiences or a key set without an issuer or a pool they belong to, because the stack-created pool has its own', () => {
    // Act
    const problems = problemsOf({ ...valid, jwtAudience: ['assent-admin'], jwksUrl: 'https://auth.example.com/keys' });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent.jwtAudience: is only used with jwtIssuer or userPoolId: the stack-created pool\'s app client is the audience; remove jwtAudience, or add jwtIssuer (bring your own issuer) or userPoolId (an existing pool)',
      'cdk.json context assent.jwksUrl: is only used with jwtIssuer: a Cognito user pool\'s key set is always <issuer>/.well-known/jwks.json; remove jwksUrl, or add jwtIssuer',
    ]);
  });

  it('rejects a user pool id that is not <region>_<id> (an ARN, a pool name)', () => {
    // Act
    const problems = problemsOf({ ...valid, userPoolId: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123', jwtAudience: ['x'] });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent.userPoolId: must be a Cognito user pool id (<region>_<id>), e.g. "eu-west-1_AbCdEf123" (got "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123")',
    ]);
  });

  it('derives the issuer of a pool in a China region with the amazonaws.com.cn suffix', () => {
    // Act
    const issuer = cognitoIssuerOf('cn-north-1_AbCdEf123');

    // Assess
    expect(issuer).toBe('https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_AbCdEf123');
  });

  it('accepts a custom domain with its certificate, lower-cased, and derives publicUrl from it unless publicUrl is set', () => {
    // Prepare
    const domain = { domainName: 'Assent.Example.com', certificateArn: CERTIFICATE_ARN };

    // Act
    const derived = parseAssentConfig({ ...valid, ...domain });
    const explicit = parseAssentConfig({ ...valid, ...domain, publicUrl: 'https://links.example.com/' });

    // Assess
    expect([derived.domainName, derived.certificateArn, derived.publicUrl, explicit.publicUrl]).toStrictEqual([
      'assent.example.com',
      CERTIFICATE_ARN,
      'https://assent.example.com',
      'https://links.example.com',
    ]);
  });

  it('rejects a domain without its certificate, and a certificate without its domain, because neither can be deployed alone', () => {
    // Act
    const withoutCertificate = problemsOf({ ...valid, domainName: 'assent.example.com' });
    const withoutDomain = problemsOf({ ...valid, certificateArn: CERTIFICATE_ARN });

    // Assess
    expect([...withoutCertificate, ...withoutDomain]).toStrictEqual([
      `cdk.json context assent.certificateArn: is missing; domainName needs it: add the ARN of an ACM certificate for "assent.example.com" in the stack's region, e.g. "${CERTIFICATE_ARN}"`,
      'cdk.json context assent.domainName: is missing; certificateArn is only used with it: add the domain the certificate is for, e.g. "assent.example.com", or remove certificateArn',
    ]);
  });

  it('rejects a domain given as a URL and a certificate that is not an ACM ARN', () => {
    // Act
    const problems = problemsOf({ ...valid, domainName: 'https://assent.example.com/', certificateArn: 'arn:aws:iam::123456789012:server-certificate/assent' });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent.domainName: must be a domain name (no scheme, no path), e.g. "assent.example.com" (got "https://assent.example.com/")',
      `cdk.json context assent.certificateArn: must be an ACM certificate ARN, e.g. "${CERTIFICATE_ARN}" (got "arn:aws:iam::123456789012:server-certificate/assent")`,
    ]);
  });

  it('accepts CORS origins (https, or http on localhost, with a port) and rejects a path, plain http elsewhere and "*"', () => {
    // Act
    const accepted = parseAssentConfig({ ...valid, corsOrigins: ['https://admin.example.com', 'https://admin.example.com:8443', 'http://localhost:5173'] });
    const problems = problemsOf({ ...valid, corsOrigins: ['https://admin.example.com/', 'http://admin.example.com', '*'] });

    // Assess
    expect(accepted.corsOrigins).toStrictEqual(['https://admin.example.com', 'https://admin.example.com:8443', 'http://localhost:5173']);
    const hint = 'must be an origin (https://host[:port], no path; http only for localhost), e.g. "https://admin.example.com"';
    expect(problems).toStrictEqual([
      `cdk.json context assent.corsOrigins.0: ${hint} (got "https://admin.example.com/")`,
      `cdk.json context assent.corsOrigins.1: ${hint} (got "http://admin.example.com")`,
      `cdk.json context assent.corsOrigins.2: ${hint} (got "*")`,
    ]);
  });

  it('rejects CORS origins that are not a list, and alarm addresses that are not email addresses', () => {
    // Act
    const problems = problemsOf({ ...valid, corsOrigins: 'https://admin.example.com', alarmEmails: ['ops@example.com', 'ops'] });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent.corsOrigins: must be a list of origins, e.g. ["https://admin.example.com"] (got "https://admin.example.com")',
      'cdk.json context assent.alarmEmails.1: must be an email address, e.g. "ops@example.com" (got "ops")',
    ]);
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

  it('keeps task type overrides as given, with rateLimits folded in as each type\'s limits', () => {
    // Prepare
    const taskTypes = { 'sign-up': { tokenTtlSeconds: 3600 } };

    // Act
    const config = parseAssentConfig({ ...valid, taskTypes, rateLimits: { 'sign-up': { perClient: { max: 100, windowSeconds: 60 } } } });

    // Assess
    expect(config.taskTypes).toStrictEqual({ 'sign-up': { tokenTtlSeconds: 3600, limits: { perClient: { max: 100, windowSeconds: 60 } } } });
  });

  it('rejects task type overrides the declared types refuse, every one with its path, with the other bad keys', () => {
    // Act
    const problems = problemsOf({
      ...valid,
      ttlMinutes: 0,
      taskTypes: {
        'sign-up': { approval: { levels: [{ name: 'admins', quorum: 0 }, { name: 'x' }] }, description: 'mine' },
        nope: {},
      },
    });

    // Assess
    expect(problems).toStrictEqual([
      'cdk.json context assent.ttlMinutes: must be at least 1 minute, e.g. 1440',
      'cdk.json context assent.taskTypes.sign-up.approval.levels.0.quorum: must be more than 0 (got 0)',
      'cdk.json context assent.taskTypes.sign-up.description: is not a setting a deployment may override; known: autoApprove, duplicatePolicy, tokenTtlSeconds, approvalTtlSeconds, onApprovalExpiry, tokenWaitSeconds, allowSelfApproval, tokenRequiresAuth, limits, resendWindowSeconds, emails, actionSettings, approval',
      'cdk.json context assent.taskTypes.sign-up.approval.levels.1.name: the type declares no level "x" (its levels: admins)',
      'cdk.json context assent.taskTypes.nope: no task type "nope" is declared (declared: sign-up, reset-password, invite-user, update-email, quota-change, role-grant, todos.mark-done, todos.archive-completed)',
    ]);
  });

  it('rejects limits given both in rateLimits and in taskTypes, and taskTypes that is not an object', () => {
    // Act
    const twice = problemsOf({ ...valid, taskTypes: { 'sign-up': { limits: {} } }, rateLimits: { 'sign-up': {} } });
    const notAnObject = problemsOf({ ...valid, taskTypes: ['sign-up'] });

    // Assess
    expect([...twice, ...notAnObject]).toStrictEqual([
      'cdk.json context assent.rateLimits.sign-up: gives the limits of "sign-up" a second time: taskTypes.sign-up.limits gives them too; keep one (taskTypes.sign-up.limits is the current spelling)',
      'cdk.json context assent.taskTypes: must be an object of task type name → settings, e.g. {"sign-up":{"tokenTtlSeconds":3600}} (got ["sign-up"])',
    ]);
  });

  it('rejects overrides longer than the functions\' environment leaves room for, at synth rather than at deploy', () => {
    // Act
    const problems = problemsOf({ ...valid, taskTypes: { 'sign-up': { emails: { token: { text: 'x'.repeat(MAX_TASK_TYPE_OVERRIDES_CHARS) } } } } });

    // Assess
    expect(problems).toStrictEqual([
      `cdk.json context assent.taskTypes: takes ${MAX_TASK_TYPE_OVERRIDES_CHARS + 44} characters as JSON, more than the ${MAX_TASK_TYPE_OVERRIDES_CHARS} the functions' environment leaves for it (Lambda allows 4 KB in all): override fewer settings, or change long email templates in functions/task-types.ts instead`,
    ]);
  });
});
