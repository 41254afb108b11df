import * as z from 'zod';
import { ApprovalPolicySchema, DEFAULT_APPROVAL_POLICY } from '#core/approval-policy';
import { planApproval } from '#core/approval-levels';
import { after, durationSeconds } from '#core/durations';
import type { Task } from '#core/task';
import { defineTaskType } from '#core/task-type';

/** The approval policy as declared: each rule of its schema passing and failing, with the path of what fails. */

const problemsOf = (input: unknown): string[] => {
  const parsed = ApprovalPolicySchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

const level = (fields: Record<string, unknown> = {}) => ({ name: 'security', approvers: { groups: ['security'] }, ...fields });

describe('ApprovalPolicySchema', () => {
  it('fills in the defaults of a level: quorum 1, no reminders, reject at the deadline, always applies', () => {
    // Act
    const policy = ApprovalPolicySchema.parse({ levels: [level()] });

    // Assess
    expect(policy).toStrictEqual({ levels: [{ name: 'security', approvers: { groups: ['security'] }, quorum: 1, reminders: [], onDeadline: 'reject', onlyWhenAsked: false }] });
  });

  it.each([
    ['roles', { roles: ['admin'] }],
    ['groups', { groups: ['security'] }],
    ['emails', { emails: ['lead@example.com'] }],
    ['a resolver', { resolver: 'project-admins' }],
    ['a mix', { roles: ['admin'], emails: ['lead@example.com'] }],
  ])('accepts approvers named by %s', (_name, approvers) => {
    expect(problemsOf({ levels: [level({ approvers })] })).toStrictEqual([]);
  });

  it.each([
    ['approvers naming nobody', level({ approvers: {} }), ['levels.0.approvers: names nobody: give roles, groups, emails or a resolver, e.g. { "roles": ["admin"] }']],
    ['an unknown resolver', level({ approvers: { resolver: 'managers' } }), ['levels.0.approvers.resolver: Invalid input: expected "project-admins"']],
    ['an address that is not one', level({ approvers: { emails: ['lead'] } }), ['levels.0.approvers.emails.0: Invalid email address']],
    ['a name that is not kebab-case', level({ name: 'Security Team' }), ['levels.0.name: kebab-case, e.g. "security"']],
    ['a quorum of 0', level({ quorum: 0 }), ['levels.0.quorum: Too small: expected number to be >0']],
    ['a duration with months', level({ deadline: 'P1M' }), ['levels.0.deadline: must be an ISO-8601 duration of weeks, days, hours, minutes or seconds, e.g. "P3D" or "PT12H" (got "P1M")']],
    ['a zero duration', level({ deadline: 'PT0S' }), ['levels.0.deadline: must be an ISO-8601 duration of weeks, days, hours, minutes or seconds, e.g. "P3D" or "PT12H" (got "PT0S")']],
    ['escalate without escalateTo', level({ deadline: 'P3D', onDeadline: 'escalate' }), ['levels.0.escalateTo: is missing; onDeadline "escalate" needs the approvers who join the level, e.g. { "roles": ["admin"] }']],
    [
      'escalateTo without escalate',
      level({ deadline: 'P3D', escalateTo: { roles: ['admin'] } }),
      ['levels.0.escalateTo: is only used with onDeadline "escalate" (got "reject"): remove it, or set onDeadline to "escalate"'],
    ],
    ['cancel without a deadline', level({ onDeadline: 'cancel' }), ['levels.0.deadline: is missing; onDeadline "cancel" needs a deadline, e.g. "P3D"']],
    ['a reminder at the deadline', level({ deadline: 'P1D', reminders: ['PT12H', 'P1D'] }), ['levels.0.reminders.1: comes at or after the deadline (P1D): a reminder must come before it']],
    ['an unknown field', level({ quorom: 2 }), ['levels.0: Unrecognized key: "quorom"']],
  ])('refuses %s, with the path of the field', (_name, input, problems) => {
    expect(problemsOf({ levels: [input] })).toStrictEqual(problems);
  });

  it('refuses no levels, two levels of one name, and levels that all apply only when asked', () => {
    expect([
      problemsOf({ levels: [] }),
      problemsOf({ levels: [level(), level({ quorum: 2 })] }),
      problemsOf({ levels: [level({ onlyWhenAsked: true })] }),
    ]).toStrictEqual([
      ['levels: Too small: expected array to have >=1 items'],
      ['levels.1.name: "security" names another level too: level names are unique'],
      ['levels: has only levels with onlyWhenAsked: at least one level must always apply'],
    ]);
  });

  it('is any one admin when a task type declares none', () => {
    expect(defineTaskType({ name: 'plain', description: 'x', actions: ['mark-done'], access: 'public', autoApprove: false }).approval).toStrictEqual(DEFAULT_APPROVAL_POLICY);
    expect(DEFAULT_APPROVAL_POLICY.levels.map((known) => [known.name, known.approvers, known.quorum])).toStrictEqual([['admins', { roles: ['admin'] }, 1]]);
  });

  it('reports a bad policy of a task type with the path from the task type', () => {
    // Act
    const attempt = () => defineTaskType({ name: 'bad', description: 'x', actions: ['mark-done'], access: 'public', autoApprove: false, approval: { levels: [level({ quorum: -1 })] } });

    // Assess
    const error = (() => {
      try {
        attempt();
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(z.ZodError);
    expect((error as z.ZodError).issues.map((issue) => [issue.path.join('.'), issue.message])).toStrictEqual([['approval.levels.0.quorum', 'Too small: expected number to be >0']]);
  });
});

describe('durations', () => {
  it.each([
    ['P3D', 3 * 86_400],
    ['PT12H', 12 * 3600],
    ['P1DT6H', 30 * 3600],
    ['P2W', 14 * 86_400],
    ['PT1.5S', 1.5],
  ])('reads %s as %d seconds', (duration, seconds) => {
    expect(durationSeconds(duration)).toBe(seconds);
  });

  it('adds a duration to a time', () => {
    expect(after('2026-11-23T10:00:00.000Z', 'P1DT1M')).toBe('2026-11-24T10:01:00.000Z');
  });
});

describe('planApproval', () => {
  const taskType = defineTaskType({
    name: 'quota',
    description: 'x',
    actions: ['mark-done'], access: 'public', autoApprove: false,
    approval: { levels: [{ name: 'admins', approvers: { roles: ['admin'] } }, { name: 'security', approvers: { groups: ['security'] }, quorum: 2, onlyWhenAsked: true }] },
  });
  const taskAsking = (levels?: string[]) =>
    ({ actions: [{ name: 'mark-done', data: {}, valid: true, autoApprove: false, needsToken: false, notes: [], stored: {}, ...(levels ? { approvalLevels: levels } : {}) }] }) as unknown as Task;

  it('skips an onlyWhenAsked level no action asked for, and keeps it waiting when one did', () => {
    // Act
    const plain = planApproval(taskType, taskAsking());
    const asked = planApproval(taskType, taskAsking(['security']));

    // Assess
    expect([plain.level, plain.levels.map((known) => known.state), plain.levels[1]?.reason]).toStrictEqual([0, ['waiting', 'skipped'], 'No action asked for this level.']);
    expect([asked.level, asked.levels.map((known) => `${known.state}:${known.quorum}`)]).toStrictEqual([0, ['waiting:1', 'waiting:2']]);
  });
});
