import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineTaskType } from '#core/task-type';
import { loadLocalSettings } from '#local/config';
import { LocalSetupError } from '#local/errors';
import { expectError } from '../support/expect-error.ts';

/** `npm start`'s configuration: ASSENT_CONFIG (a file or inline JSON), the variables over it, then the local defaults. */
const signUp = defineTaskType({ name: 'sign-up', description: 'x', actions: ['new-project-with-user'], access: 'public', autoApprove: false, limits: { perAddress: { max: 5, windowSeconds: 3600 } } });
const load = (env: NodeJS.ProcessEnv) => loadLocalSettings(env, [signUp]);
const refusal = (env: NodeJS.ProcessEnv, message: string) => expectError(Promise.resolve().then(() => load(env)), LocalSetupError, message);

const DEFAULTS = {
  mailFrom: 'assent@assent.local',
  operators: 'operator@assent.local',
  ttlMinutes: '1440',
  trackActions: 'true',
  taskTypeOverrides: '',
  reconcileSeconds: 30,
  reconcileGraceSeconds: 120,
  source: 'defaults',
};

describe('loadLocalSettings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'assent-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the local defaults without ASSENT_CONFIG: operator@assent.local, who is no approver', () => {
    // Act
    const settings = [load({}), load({ ASSENT_CONFIG: ' ' })];

    // Assess
    expect(settings).toStrictEqual([DEFAULTS, DEFAULTS]);
  });

  it('takes the keys that mean something locally from inline JSON, and checks but ignores the deploy-only ones', () => {
    // Prepare
    const config = {
      senderEmail: 'noreply@example.com',
      sesIdentity: 'example.com',
      alarmEmails: ['pager@example.com'],
      operators: ['ops@example.com', 'oncall@example.com'],
      ttlMinutes: 5,
      trackActions: false,
      taskTypes: { 'sign-up': { tokenTtlSeconds: 60 } },
      local: { reconcileSeconds: 2, reconcileGraceSeconds: 0 },
    };

    // Act
    const settings = load({ ASSENT_CONFIG: JSON.stringify(config) });

    // Assess
    expect(settings).toStrictEqual({
      mailFrom: 'noreply@example.com',
      operators: 'ops@example.com,oncall@example.com',
      ttlMinutes: '5',
      trackActions: 'false',
      taskTypeOverrides: '{"sign-up":{"tokenTtlSeconds":60}}',
      reconcileSeconds: 2,
      reconcileGraceSeconds: 0,
      source: 'inline JSON',
    });
  });

  it('reads a JSON file named by ASSENT_CONFIG', () => {
    // Prepare
    const file = join(dir, 'assent.json');
    writeFileSync(file, JSON.stringify({ operators: ['ops@example.com'] }));

    // Act
    const settings = load({ ASSENT_CONFIG: file });

    // Assess
    expect(settings).toStrictEqual({ ...DEFAULTS, operators: 'ops@example.com', source: file });
  });

  it('lets the variables win over ASSENT_CONFIG', () => {
    // Prepare
    const config = JSON.stringify({ senderEmail: 'noreply@example.com', operators: ['ops@example.com'], ttlMinutes: 5, trackActions: false, local: { reconcileSeconds: 2, reconcileGraceSeconds: 0 } });

    // Act
    const settings = load({
      ASSENT_CONFIG: config,
      ASSENT_MAIL_FROM: 'me@example.com',
      ASSENT_OPERATOR_EMAILS: 'me@example.com',
      ASSENT_TTL_MINUTES: '7',
      ASSENT_TRACK_ACTIONS: 'true',
      ASSENT_RECONCILE_SECONDS: '9',
      ASSENT_RECONCILE_GRACE_SECONDS: '10',
    });

    // Assess
    expect(settings).toStrictEqual({ mailFrom: 'me@example.com', operators: 'me@example.com', ttlMinutes: '7', trackActions: 'true', taskTypeOverrides: '', reconcileSeconds: 9, reconcileGraceSeconds: 10, source: 'inline JSON' });
  });

  it('applies ASSENT_RATE_LIMITS over the limits of ASSENT_CONFIG, one limit at a time (what the test stacks raise)', () => {
    // Prepare
    const config = JSON.stringify({ taskTypes: { 'sign-up': { autoApprove: true, limits: { perAddress: { max: 1, windowSeconds: 60 }, perClient: { max: 2, windowSeconds: 60 } } } } });

    // Act
    const settings = load({ ASSENT_CONFIG: config, ASSENT_RATE_LIMITS: '{"sign-up":{"perClient":{"max":1000,"windowSeconds":60}}}' });

    // Assess
    expect(JSON.parse(settings.taskTypeOverrides)).toStrictEqual({ 'sign-up': { autoApprove: true, limits: { perAddress: { max: 1, windowSeconds: 60 }, perClient: { max: 1000, windowSeconds: 60 } } } });
  });

  it('fails at once on a bad value, naming each bad key of ASSENT_CONFIG', async () => {
    // Prepare
    const config = JSON.stringify({ operators: ['ops'], sesIdentity: 'example.org', senderEmail: 'noreply@example.com', taskTypes: { 'sign-up': { tokenTtlSeconds: 0 } }, local: { reconcileSecs: 1 } });

    // Assess
    await refusal(
      { ASSENT_CONFIG: config },
      [
        'Invalid Assent configuration in ASSENT_CONFIG (inline JSON):',
        '  - ASSENT_CONFIG operators.0: must be an email address, e.g. "ops@example.com" (got "ops")',
        '  - ASSENT_CONFIG local.reconcileSecs: unknown key; remove it or fix the spelling',
        '  - ASSENT_CONFIG sesIdentity: must be the domain of senderEmail ("example.com") or senderEmail itself, because SES authorizes the From address against it (got "example.org")',
        '  - ASSENT_CONFIG taskTypes.sign-up.tokenTtlSeconds: must be more than 0 (got 0)',
        'See docs/deploying.md, "Configure".',
      ].join('\n'),
    );
  });

  it('refuses a file that does not exist, text that is not JSON, and an unknown key, listing the known ones', async () => {
    // Prepare
    const missing = join(dir, 'missing.json');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"operators": [');

    // Assess
    await refusal({ ASSENT_CONFIG: missing }, `ASSENT_CONFIG=${missing} names no file (${missing}): give the path of a JSON file, or the JSON itself (starting with {).`);
    await refusal({ ASSENT_CONFIG: broken }, [`Invalid Assent configuration in ASSENT_CONFIG (${broken}):`, '  - ASSENT_CONFIG: must be a JSON object (got a string that is not JSON)', 'See docs/deploying.md, "Configure".'].join('\n'));
    await refusal(
      { ASSENT_CONFIG: '{"operator":["ops@example.com"]}' },
      [
        'Invalid Assent configuration in ASSENT_CONFIG (inline JSON):',
        '  - ASSENT_CONFIG: unknown key "operator"; remove it or fix the spelling (known keys: senderEmail, sesIdentity, sesSandboxRecipients, operators, userPoolId, jwtIssuer, jwtAudience, jwtRolesClaim, jwksUrl, publicUrl, domainName, certificateArn, corsOrigins, alarmEmails, logRetentionDays, logLevel, ttlMinutes, trackActions, taskTypes, rateLimits, local)',
        'See docs/deploying.md, "Configure".',
      ].join('\n'),
    );
  });

  it('refuses ASSENT_ADMIN_EMAILS, renamed ASSENT_OPERATOR_EMAILS, saying where approvers come from now', async () => {
    await refusal(
      { ASSENT_ADMIN_EMAILS: 'approver@assent.local' },
      'ASSENT_ADMIN_EMAILS was renamed ASSENT_OPERATOR_EMAILS, and now names only who gets notifications (errors, stuck tasks, bounces), never approval emails: approvers come from the task types\' approval policies (the seeded accounts of group admin, or security). Rename the variable, or set operators in ASSENT_CONFIG.',
    );
  });

  it('refuses ASSENT_RATE_LIMITS that is not JSON, not limits, or for a type not declared', async () => {
    await refusal({ ASSENT_RATE_LIMITS: 'max=5' }, 'ASSENT_RATE_LIMITS is not JSON: max=5; give limits per task type, e.g. {"sign-up":{"perClient":{"max":100,"windowSeconds":60}}}');
    await refusal({ ASSENT_RATE_LIMITS: '{"sign-up":{"perClient":{"max":0,"windowSeconds":60}}}' }, 'Invalid ASSENT_RATE_LIMITS:\n  - ASSENT_RATE_LIMITS sign-up.perClient.max: must be more than 0 (got 0)');
    await refusal({ ASSENT_RATE_LIMITS: '{"nope":{}}' }, 'Invalid ASSENT_RATE_LIMITS:\n  - ASSENT_RATE_LIMITS nope: no task type "nope" is declared (declared: sign-up)');
  });
});
