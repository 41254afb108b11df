import { ConfigurationError } from '#core/errors';
import { EmailStageSchema, defineTaskType, type TaskType } from '#core/task-type';
import { applyTaskTypeOverrides, EmailStageOverrideSchema } from '#core/task-type-overrides';
import { expectError } from '../support/expect-error.ts';

/** A type with a two-level policy (as role-grant's), limits, emails and action settings. */
const roleGrant = defineTaskType({
  name: 'role-grant',
  description: 'x',
  actions: ['grant-role'],
  access: 'authenticated',
  autoApprove: false,
  limits: { perAddress: { max: 5, windowSeconds: 3600 }, perClient: { max: 20, windowSeconds: 3600 } },
  resendWindowSeconds: 300,
  emails: { token: { subject: 'Your token', text: 'token text', to: ['fixed@example.com'] } },
  actionSettings: { 'grant-role': { coolDownDays: 30, notify: true } },
  approval: {
    levels: [
      { name: 'project-admins', approvers: { resolver: 'project-admins' } },
      { name: 'security', approvers: { groups: ['security'] }, quorum: 2, deadline: 'P3D', reminders: ['P1D'], onDeadline: 'escalate', escalateTo: { roles: ['admin'] } },
    ],
  },
});
const signUp = defineTaskType({ name: 'sign-up', description: 'y', actions: ['new-project-with-user'], access: 'public', autoApprove: false });
const declared: readonly TaskType[] = [signUp, roleGrant];

/** The one type of `declared` with `override` applied. */
const overridden = (name: string, override: unknown): TaskType => {
  const result = applyTaskTypeOverrides(declared, { [name]: override });
  return result.find((taskType) => taskType.name === name) as TaskType;
};

/** The problems a set of overrides is refused with. */
const refusal = (overrides: unknown, ...problems: string[]) =>
  expectError(
    Promise.resolve().then(() => applyTaskTypeOverrides(declared, overrides)),
    ConfigurationError,
    ['Invalid task type overrides (taskTypes of the Assent configuration):', ...problems.map((problem) => `  - ${problem}`), 'See docs/deploying.md, "Task type overrides".'].join('\n'),
  );

describe('applyTaskTypeOverrides: what applies', () => {
  it('returns the declared types as they are, in order, without overrides', () => {
    // Act
    const result = [applyTaskTypeOverrides(declared, {}), applyTaskTypeOverrides(declared, undefined)];

    // Assess
    expect(result).toStrictEqual([[signUp, roleGrant], [signUp, roleGrant]]);
    expect(result[0]?.[1]).toBe(roleGrant);
  });

  it('replaces plain settings and leaves the types it does not name alone', () => {
    // Act
    const result = applyTaskTypeOverrides(declared, {
      'role-grant': { autoApprove: true, duplicatePolicy: 'allow', tokenTtlSeconds: 60, approvalTtlSeconds: 120, onApprovalExpiry: 'cancel', tokenWaitSeconds: 180, allowSelfApproval: true, tokenRequiresAuth: true },
    });

    // Assess
    expect(result[0]).toBe(signUp);
    expect(result[1]).toStrictEqual({ ...roleGrant, autoApprove: true, duplicatePolicy: 'allow', tokenTtlSeconds: 60, approvalTtlSeconds: 120, onApprovalExpiry: 'cancel', tokenWaitSeconds: 180, allowSelfApproval: true, tokenRequiresAuth: true });
  });

  it('merges limits one limit at a time; null removes one, as it removes resendWindowSeconds', () => {
    // Act
    const result = overridden('role-grant', { limits: { perClient: { max: 1000, windowSeconds: 60 }, perAddress: null }, resendWindowSeconds: null });

    // Assess
    expect([result.limits, 'resendWindowSeconds' in result]).toStrictEqual([{ perClient: { max: 1000, windowSeconds: 60 } }, false]);
  });

  it('merges an email stage field by field over the declared stage (null: back to the default), and adds a stage the type did not declare', () => {
    // Act
    const result = overridden('role-grant', { emails: { token: { subject: 'Here is your token', to: null }, completed: { enabled: false } } });

    // Assess
    expect(result.emails).toStrictEqual({ token: { subject: 'Here is your token', text: 'token text' }, completed: { enabled: false } });
  });

  it('merges action settings setting by setting', () => {
    // Act
    const result = overridden('role-grant', { actionSettings: { 'grant-role': { coolDownDays: 7 } } });

    // Assess
    expect(result.actionSettings).toStrictEqual({ 'grant-role': { coolDownDays: 7, notify: true } });
  });

  it('changes named levels field by field: approvers and reminders replaced whole, null removes a deadline or escalateTo, the other levels kept', () => {
    // Act
    const result = overridden('role-grant', {
      approval: {
        levels: [
          { name: 'security', approvers: { emails: ['sec@example.com'] }, quorum: 1, reminders: ['PT12H', 'P2D'], deadline: null, onDeadline: 'reject', escalateTo: null },
          { name: 'project-admins', onlyWhenAsked: true },
        ],
      },
    });

    // Assess
    expect(result.approval).toStrictEqual({
      levels: [
        { name: 'project-admins', approvers: { resolver: 'project-admins' }, quorum: 1, reminders: [], onDeadline: 'reject', onlyWhenAsked: true },
        { name: 'security', approvers: { emails: ['sec@example.com'] }, quorum: 1, reminders: ['PT12H', 'P2D'], onDeadline: 'reject', onlyWhenAsked: false },
      ],
    });
  });

  it('replaces the whole policy with replaceLevels, defaults filled in', () => {
    // Act
    const result = overridden('sign-up', { approval: { replaceLevels: [{ name: 'ops', approvers: { groups: ['ops'] }, deadline: 'P1D', onDeadline: 'cancel' }] } });

    // Assess
    expect(result.approval).toStrictEqual({ levels: [{ name: 'ops', approvers: { groups: ['ops'] }, quorum: 1, deadline: 'P1D', reminders: [], onDeadline: 'cancel', onlyWhenAsked: false }] });
  });

  it('changes the default policy of a type that declares none through its level "admins"', () => {
    // Act
    const result = overridden('sign-up', { approval: { levels: [{ name: 'admins', quorum: 2 }] } });

    // Assess
    expect(result.approval.levels).toStrictEqual([{ name: 'admins', approvers: { roles: ['admin'] }, quorum: 2, reminders: [], onDeadline: 'reject', onlyWhenAsked: false }]);
  });

  it('lets every field of an email stage be overridden', () => {
    // Assess
    expect(Object.keys(EmailStageOverrideSchema.shape)).toStrictEqual(Object.keys(EmailStageSchema.shape));
  });
});

describe('applyTaskTypeOverrides: what is refused, with the path of each problem', () => {
  it('refuses a type that is not declared, listing the declared ones', async () => {
    await refusal({ nope: { autoApprove: true } }, 'taskTypes.nope: no task type "nope" is declared (declared: sign-up, role-grant)');
  });

  it('refuses overrides that are not an object of types', async () => {
    await refusal(['sign-up'], 'taskTypes: must be an object (got ["sign-up"])');
  });

  it('refuses what is not a setting (the description, the actions, access), listing what may be overridden', async () => {
    await refusal(
      { 'sign-up': { description: 'mine', access: 'authenticated' } },
      'taskTypes.sign-up.description: is not a setting a deployment may override; known: autoApprove, duplicatePolicy, tokenTtlSeconds, approvalTtlSeconds, onApprovalExpiry, tokenWaitSeconds, allowSelfApproval, tokenRequiresAuth, limits, resendWindowSeconds, emails, actionSettings, approval',
      'taskTypes.sign-up.access: is not a setting a deployment may override; known: autoApprove, duplicatePolicy, tokenTtlSeconds, approvalTtlSeconds, onApprovalExpiry, tokenWaitSeconds, allowSelfApproval, tokenRequiresAuth, limits, resendWindowSeconds, emails, actionSettings, approval',
    );
  });

  it('refuses values of the wrong kind, saying what they must be', async () => {
    await refusal(
      { 'sign-up': { tokenTtlSeconds: '3600', approvalTtlSeconds: 1.5, duplicatePolicy: 'keep', autoApprove: null, limits: { perClient: { max: 0, windowSeconds: 60 } } } },
      'taskTypes.sign-up.autoApprove: must be true or false (got null)',
      'taskTypes.sign-up.duplicatePolicy: must be one of "reject", "cancel-older", "allow" (got "keep")',
      'taskTypes.sign-up.tokenTtlSeconds: must be a number (got "3600")',
      'taskTypes.sign-up.approvalTtlSeconds: must be a whole number (got 1.5)',
      'taskTypes.sign-up.limits.perClient.max: must be more than 0 (got 0)',
    );
  });

  it('refuses an unknown email stage, an unknown field of a stage and a bad address', async () => {
    await refusal(
      { 'sign-up': { emails: { welcome: { subject: 'Hi' }, token: { subjekt: 'Hi', to: ['ops'] } } } },
      'taskTypes.sign-up.emails.token.to.0: must be an email address (got "ops")',
      'taskTypes.sign-up.emails.token.subjekt: is not a field of an email stage; known: enabled, subject, text, html, from, replyTo, to, alsoToRequester',
      'taskTypes.sign-up.emails.welcome: is not an email stage; stages: initial, approval, reminder, token, completed, rejected, cancelled, notification',
    );
  });

  it('refuses settings for an action the type does not run', async () => {
    await refusal({ 'role-grant': { actionSettings: { 'grant-roles': { coolDownDays: 1 } } } }, 'taskTypes.role-grant.actionSettings.grant-roles: the type has no action "grant-roles" (its actions: grant-role)');
  });

  it('refuses a level the type does not declare, and a level changed twice', async () => {
    await refusal(
      { 'role-grant': { approval: { levels: [{ name: 'security', quorum: 3 }, { name: 'x' }, { name: 'security', quorum: 1 }] } } },
      'taskTypes.role-grant.approval.levels.1.name: the type declares no level "x" (its levels: project-admins, security)',
      'taskTypes.role-grant.approval.levels.2.name: changes level "security" again (levels.0 does): one entry per level',
    );
  });

  it('refuses a bad field of a level at the index of its entry, and still names the unknown levels of the same override', async () => {
    await refusal(
      { 'role-grant': { approval: { levels: [{ name: 'x' }, { name: 'security', quorum: 0, deadline: '3 days' }] } } },
      'taskTypes.role-grant.approval.levels.1.quorum: must be more than 0 (got 0)',
      'taskTypes.role-grant.approval.levels.1.deadline: must be an ISO-8601 duration of weeks, days, hours, minutes or seconds, e.g. "P3D" or "PT12H" (got "3 days")',
      'taskTypes.role-grant.approval.levels.0.name: the type declares no level "x" (its levels: project-admins, security)',
    );
  });

  it('refuses a changed level the policy rules refuse once merged, at the entry that changed it', async () => {
    await refusal(
      { 'role-grant': { approval: { levels: [{ name: 'project-admins', onlyWhenAsked: true }, { name: 'security', deadline: 'PT12H', onDeadline: 'cancel' }] } } },
      'taskTypes.role-grant.approval.levels.1.escalateTo: is only used with onDeadline "escalate" (got "cancel"): remove it, or set onDeadline to "escalate"',
      'taskTypes.role-grant.approval.levels.1.reminders.0: comes at or after the deadline (PT12H): a reminder must come before it',
    );
  });

  it('refuses a replaced policy the policy rules refuse, under replaceLevels, and levels with replaceLevels', async () => {
    await refusal(
      {
        'sign-up': { approval: { replaceLevels: [{ name: 'a', approvers: { roles: ['admin'] }, onlyWhenAsked: true }, { name: 'a', approvers: {} }] } },
        'role-grant': { approval: { levels: [{ name: 'security' }], replaceLevels: [{ name: 'b', approvers: { roles: ['admin'] } }] } },
      },
      'taskTypes.sign-up.approval.replaceLevels.1.approvers: names nobody: give roles, groups, emails or a resolver, e.g. { "roles": ["admin"] }',
      'taskTypes.role-grant.approval.replaceLevels: is given with levels: change named levels with levels, or give the whole policy with replaceLevels, not both',
    );
  });

  it('refuses tokenRequiresAuth on a public type, whose requester could never submit the token', async () => {
    await refusal({ 'sign-up': { tokenRequiresAuth: true } }, 'taskTypes.sign-up.tokenRequiresAuth: cannot be true: the type\'s access is "public", so an anonymous requester could never submit its token');
  });

  it('lists the problems of every type at once', async () => {
    await refusal(
      { 'sign-up': { tokenWaitSeconds: 0 }, 'role-grant': { approval: {} }, later: {} },
      'taskTypes.sign-up.tokenWaitSeconds: must be more than 0 (got 0)',
      'taskTypes.role-grant.approval: changes nothing: give levels (changes to named levels) or replaceLevels (the whole policy)',
      'taskTypes.later: no task type "later" is declared (declared: sign-up, role-grant)',
    );
  });
});
