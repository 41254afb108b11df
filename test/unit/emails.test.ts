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
    const stage = stageFor(signUp, 'token');
    expect([stage.enabled, stage.subject, stage.html]).toStrictEqual([true, 'Choose your password for {{ task.actions[0].data.projectName }}', undefined]);
  });
});
