import { DEFAULT_EMAILS } from '#core/default-emails';
import { renderEmail } from '#core/emails';
import { stageFor } from '#core/mailing';
import { EMAIL_STAGES } from '#core/task-type';
import { taskTypes } from '#functions/task-types';

describe('email templates', () => {
  it('name the task id in every enabled stage of every task type (text and HTML)', () => {
    const missing = taskTypes.flatMap((taskType) =>
      EMAIL_STAGES.map((stage) => [taskType.name, stage, stageFor(taskType, stage)] as const)
        .filter(([, , settings]) => settings.enabled)
        .flatMap(([type, stage, settings]) =>
          [settings.text, settings.html].filter((source): source is string => source !== undefined && !/\{\{\s*taskId\s*\}\}/.test(source)).map(() => `${type}/${stage}`),
        ),
    );
    expect(missing).toStrictEqual([]);
  });

  it('renders the default rejected email with the reason, and without one', () => {
    const task = { id: 'T1' };
    expect(renderEmail(DEFAULT_EMAILS.rejected, { task, taskId: 'T1', taskType: 'sign-up', reason: 'No.' })).toStrictEqual({
      subject: 'Not approved: sign-up',
      text: 'Your sign-up request was not approved.\n\nReason: No.\n\nTask: T1\n',
    });
    expect(renderEmail(DEFAULT_EMAILS.rejected, { task, taskId: 'T1', taskType: 'sign-up', reason: '' }).text).toBe(
      'Your sign-up request was not approved.\n\nTask: T1\n',
    );
  });

  it('escapes data in HTML templates but not in text ones', () => {
    const task = { id: 'T1', actions: [{ name: 'a', valid: true, data: { x: '<b>' }, notes: [] }] };
    const context = { task, taskId: 'T1', taskType: 't', requester: 'r', link: 'https://x/y', validUntil: 'soon' };
    const rendered = renderEmail(DEFAULT_EMAILS.approval, context);
    expect(rendered.text).toContain('{"x":"<b>"}');
    expect(rendered.html).toContain('{&quot;x&quot;:&quot;&lt;b&gt;&quot;}');
  });

  it('lets a task type override part of a stage, keeping the rest of the default', () => {
    const signUp = taskTypes.find((taskType) => taskType.name === 'sign-up');
    const stage = stageFor(signUp, 'completed');
    expect([stage.enabled, stage.subject, stage.html]).toStrictEqual([true, 'Your project {{ task.actions[0].data.projectName }} is ready', undefined]);
  });

  it('has an HTML version of every enabled stage with a link (approval, reminder, token), whose link is an <a href>', () => {
    const missing = taskTypes.flatMap((taskType) =>
      (['approval', 'reminder', 'token'] as const)
        .map((stage) => [taskType.name, stage, stageFor(taskType, stage)] as const)
        .filter(([, , settings]) => settings.enabled && !/<a href="\{\{ link \}\}">/.test(settings.html ?? ''))
        .map(([type, stage]) => `${type}/${stage}`),
    );
    expect(missing).toStrictEqual([]);
  });

  it('overrides the HTML of every stage whose text a task type overrides, so text and HTML say the same', () => {
    const mismatched = taskTypes.flatMap((taskType) =>
      Object.entries(taskType.emails)
        .filter(([stage, override]) => override.text !== undefined && override.html === undefined && DEFAULT_EMAILS[stage as keyof typeof DEFAULT_EMAILS].html !== undefined)
        .map(([stage]) => `${taskType.name}/${stage}`),
    );
    expect(mismatched).toStrictEqual([]);
  });

  it('renders the sign-up token email as HTML with a real link, escaping the project name', () => {
    // Prepare
    const signUp = taskTypes.find((taskType) => taskType.name === 'sign-up');
    const task = { id: 'T1', actions: [{ name: 'new-project-with-user', data: { projectName: '<i>p</i>', email: 'a@example.com' } }] };
    const context = { task, taskId: 'T1', taskType: 'sign-up', link: 'https://api.example/v1/tokens/abc?x=1&y=2', validUntil: '2030-01-01T00:00:00.000Z' };

    // Act
    const rendered = renderEmail(stageFor(signUp, 'token'), context);

    // Assess
    expect(rendered.html).toBe(
      '<p>Welcome to Assent!</p>\n' +
        '<p>Your sign-up for the project "<strong>&lt;i&gt;p&lt;/i&gt;</strong>" was approved.</p>\n' +
        '<p><a href="https://api.example/v1/tokens/abc?x=1&amp;y=2">Choose your password</a> (the link works once, until 2030-01-01T00:00:00.000Z).</p>\n' +
        '<p><small>Or copy this address into your browser: https://api.example/v1/tokens/abc?x=1&amp;y=2</small></p>\n' +
        '<p><small>Task: <code>T1</code></small></p>\n',
    );
  });

  it('renders the invitation as HTML for a new account and for an existing one', () => {
    // Prepare
    const invite = taskTypes.find((taskType) => taskType.name === 'invite-user');
    const taskOf = (mode: string) => ({ id: 'T2', actions: [{ name: 'invite-user', data: { email: 'b@example.com', roles: ['member'] }, stored: { invitedBy: 'owner@example.com', projectName: 'demo', mode } }] });
    const contextOf = (mode: string) => ({ task: taskOf(mode), taskId: 'T2', taskType: 'invite-user', link: 'https://x/v1/tokens/t', validUntil: 'soon' });

    // Act
    const created = renderEmail(stageFor(invite, 'token'), contextOf('new-account')).html ?? '';
    const existing = renderEmail(stageFor(invite, 'token'), contextOf('existing-account')).html ?? '';

    // Assess
    expect(created).toContain('<p><a href="https://x/v1/tokens/t">Choose a password for your new account b@example.com</a> (the link works once, until soon).</p>');
    expect(existing).toContain('<p><a href="https://x/v1/tokens/t">Confirm that your account b@example.com joins the project</a> (the link works once, until soon).</p>');
  });
});
