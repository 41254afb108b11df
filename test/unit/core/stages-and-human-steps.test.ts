import {
  InvalidTaskError,
  NotFoundError,
  SecretExpiredError,
  TaskAlreadyDecidedError,
} from '#core/errors';
import { verifyPassword } from '#core/passwords';
import { hashSecret } from '#core/secrets';
import { linkSecret } from '../../support/engine-harness.ts';
import type { RecordingMailer } from '../../support/fakes.ts';
import { expectError } from '../../support/expect-error.ts';
import { setupApprovers } from './sign-ups.ts';

const setup = setupApprovers;

const approvalMails = (mailer: RecordingMailer) => mailer.sent.filter((mail) => mail.subject.startsWith('Approval needed'));

describe('sign-up through the core', () => {
  it('runs preApprove, emails each approver a distinct one-time link, and waits', async () => {
    const { engine, mailer, store, secrets: secretStore } = setup();
    const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);

    expect(await engine.preApprove(task.id)).toStrictEqual({ autoApprove: false });
    await engine.awaitApproval(task.id, 'sfn-approval-1');

    expect(approvalMails(mailer).map((mail) => mail.to)).toStrictEqual([['a1@example.com'], ['a2@example.com']]);
    expect(approvalMails(mailer)[0]?.subject).toBe(`Approval needed: sign-up ${task.id}`);
    expect(approvalMails(mailer)[0]?.text).toContain(`Task: ${task.id}`);
    const secrets = approvalMails(mailer).map((mail) => linkSecret(mail.text));
    expect(new Set(secrets).size).toBe(2);
    // Only hashes are stored.
    expect([...secretStore.secrets.keys()].sort()).toStrictEqual(secrets.map(hashSecret).sort());
    const stored = await store.get(task.id);
    expect(stored?.actions[0]?.valid).toBe(true);
    expect(stored?.actions[0]?.notes.map((note) => note.text)).toStrictEqual(['Project name "apollo" is free.', 'No account for ann@example.com yet.']);
    expect(stored?.wait).toStrictEqual({ kind: 'approval', sfnToken: 'sfn-approval-1', since: '2026-11-23T10:00:00.000Z', round: 1 });
  });

  it('approves through a link once; the other approver is told who decided and when', async () => {
    const { engine, mailer, workflow } = setup();
    const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-approval-1');
    const [first, second] = approvalMails(mailer).map((mail) => linkSecret(mail.text));

    const approved = await engine.decideByLink(first ?? '', 'approve');

    expect(approved.status).toBe('approved');
    expect(approved.approvedBy).toStrictEqual({ kind: 'approver', id: 'a1@example.com' });
    expect(workflow.resumed).toStrictEqual([{ sfnToken: 'sfn-approval-1', output: { decision: 'approved' } }]);
    await expectError(engine.decideByLink(second ?? '', 'reject'), TaskAlreadyDecidedError, `Task ${task.id} was already approved by a1@example.com at 2026-11-23T10:00:00.000Z.`);
    await expect(engine.decideByLink(first ?? '', 'approve')).rejects.toBeInstanceOf(TaskAlreadyDecidedError);
  });

  it('refuses to approve an invalid task, naming the action and why, and keeps the link usable', async () => {
    const { engine, mailer, directory } = setup();
    await directory.createProject({ id: 'p1', name: 'apollo', createdAt: 'x' });
    const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-1');
    const link = linkSecret(approvalMails(mailer)[0]?.text ?? '');

    const attempt = engine.decideByLink(link, 'approve');

    await expectError(attempt, InvalidTaskError, `Task ${task.id} cannot be approved: new-project-with-user (Project name "apollo" is taken.). Update its data first.`);
    await expect(engine.decideByLink(link, 'reject', 'name taken')).resolves.toMatchObject({ status: 'rejected' });
  });

  it('creates the project and user in postApprove, then completes with the password from the token', async () => {
    const { engine, mailer, directory, workflow, store } = setup();
    const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-1');
    await engine.decide(task.id, 'approve');

    expect(await engine.postApprove(task.id)).toStrictEqual({ tokenRequired: true });
    expect(await engine.postApprove(task.id)).toStrictEqual({ tokenRequired: true });
    await engine.awaitToken(task.id, 'sfn-token-1');

    const tokenMail = mailer.sent.at(-1);
    expect(tokenMail?.to).toStrictEqual(['ann@example.com']);
    expect(tokenMail?.subject).toBe('Choose your password for apollo');
    const token = linkSecret(tokenMail?.text ?? '');
    expect((await engine.viewToken(token)).schema.keyof().options).toStrictEqual(['password']);

    await expect(engine.submitToken(token, { password: 'short' })).rejects.toMatchObject({
      errors: [{ path: 'password', message: 'Use at least 12 characters' }],
    });
    const done = await engine.submitToken(token, { password: 'correct horse battery' });

    expect(done.status).toBe('completed');
    expect(workflow.resumed.at(-1)).toStrictEqual({ sfnToken: 'sfn-token-1', output: { submitted: true } });
    const user = await directory.findUser('ann@example.com');
    expect(user?.enabled).toBe(true);
    expect(await verifyPassword('correct horse battery', directory.passwords.get('ann@example.com') ?? '')).toBe(true);
    expect([...directory.projects.keys()]).toStrictEqual(['apollo']);
    await expectError(engine.submitToken(token, { password: 'correct horse battery' }), NotFoundError, 'This link was already used at 2026-11-23T10:00:00.000Z; the task is completed.');
    const history = (await store.get(task.id))?.history.map((entry) => `${entry.event}:${entry.to}:${entry.by.id}`);
    expect(history).toStrictEqual(['created:pending:anonymous', 'level-opened:pending:system', 'approved:approved:a1@example.com', 'token-issued:awaiting_token:system', 'completed:completed:system']);
  });

  it('answers 410 for an expired token and keeps nothing usable', async () => {
    const { engine, mailer, clock } = setup();
    const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-approval');
    await engine.decide(task.id, 'approve');
    await engine.postApprove(task.id);
    await engine.awaitToken(task.id, 'sfn-token-1');
    const token = linkSecret(mailer.sent.at(-1)?.text ?? '');

    clock.advance(24 * 3600);

    await expectError(engine.submitToken(token, { password: 'correct horse battery' }), SecretExpiredError, 'This link expired at 2026-11-24T10:00:00.000Z. Ask for a new one.');
  });
});

describe('reset-password through the core', () => {
  it('auto-approves for an existing account and emails a token', async () => {
    const { engine, directory, mailer } = setup();
    await directory.createUser({ email: 'bob@example.com', roles: [], enabled: true, createdAt: 'x' });
    const task = await engine.createTask('reset-password', { email: 'bob@example.com' }, undefined);

    expect(await engine.preApprove(task.id)).toStrictEqual({ autoApprove: true });
    expect(await engine.postApprove(task.id)).toStrictEqual({ tokenRequired: true });
    await engine.awaitToken(task.id, 'sfn-1');

    expect(mailer.sent.map((mail) => [mail.to, mail.subject])).toStrictEqual([[['bob@example.com'], 'Reset your password']]);
    expect((await engine.getTask(task.id)).approvedBy).toStrictEqual({ kind: 'system', id: 'system' });
  });

  it('rejects quietly (no email, no approver) for an unknown account', async () => {
    const { engine, mailer, workflow } = setup();
    const task = await engine.createTask('reset-password', { email: 'ghost@example.com' }, undefined);

    expect(await engine.preApprove(task.id)).toStrictEqual({ autoApprove: false });
    await engine.awaitApproval(task.id, 'sfn-1');

    const stored = await engine.getTask(task.id);
    expect(stored.status).toBe('rejected');
    expect(stored.history.at(-1)).toStrictEqual({
      at: '2026-11-23T10:00:00.000Z',
      by: { kind: 'system', id: 'system' },
      event: 'auto-rejected',
      from: 'pending',
      to: 'rejected',
      reason: 'Invalid: reset-user-password (No enabled account for ghost@example.com.)',
    });
    expect(mailer.sent).toStrictEqual([]);
    expect(workflow.resumed).toStrictEqual([{ sfnToken: 'sfn-1', output: { decision: 'rejected' } }]);
  });
});

