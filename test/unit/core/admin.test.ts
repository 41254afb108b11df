import {
  ForbiddenError,
  InvalidTransitionError,
  SecretExpiredError,
} from '#core/errors';
import { linkSecret } from '../../support/engine-harness.ts';
import { expectError } from '../../support/expect-error.ts';
import { ADMIN, setupOps, signUp, toAwaitingToken } from './sign-ups.ts';

const setup = setupOps;

describe('reject and cancel', () => {
  it('rejects with a reason, records it, and emails it to the requester', async () => {
    const { engine, mailer } = setup();
    const task = await signUp(engine);
    await engine.preApprove(task.id);

    await engine.awaitApproval(task.id, 'sfn-approval');
    const rejected = await engine.decide(task.id, 'reject', 'We do not host that.');

    expect(rejected.history.at(-1)).toMatchObject({ event: 'rejected', by: ADMIN, reason: 'We do not host that.' });
    expect(rejected.expiresAt).toBe(Date.parse('2026-11-23T10:00:00.000Z') / 1000 + 3600);
    const mail = mailer.sent.at(-1);
    expect([mail?.to, mail?.subject]).toStrictEqual([['apollo@example.com'], 'Not approved: sign-up']);
    expect(mail?.text).toBe(`Your sign-up request was not approved.\n\nReason: We do not host that.\n\nTask: ${task.id}\n`);
  });

  it('cancels a task waiting for its token: stops the execution and the token link says why', async () => {
    const { engine, mailer, workflow } = setup();
    const task = await toAwaitingToken(engine);
    const token = linkSecret(mailer.sent.find((mail) => mail.subject.startsWith('Choose your password'))?.text ?? '');

    const cancelled = await engine.cancel(task.id, ADMIN, 'Asked by phone');

    expect(cancelled.status).toBe('cancelled');
    expect(workflow.stopped).toStrictEqual([workflow.executionArn(task.id, 1)]);
    await expectError(engine.submitToken(token, { password: 'long enough password' }), SecretExpiredError, 'This link no longer works: The task was cancelled.');
    await expect(engine.cancel(task.id, ADMIN)).rejects.toBeInstanceOf(InvalidTransitionError);
    expect(mailer.sent.at(-1)?.subject).toBe('Cancelled: sign-up');
  });
});

describe('self-approval', () => {
  it('refuses an admin approving their own request, unless the task type allows it', async () => {
    const { engine } = setup();
    const me = { sub: 'u-1', email: 'me@example.com', roles: ['admin'] };
    const task = await signUp(engine, 'mine', me);
    await engine.awaitApproval(task.id, 'sfn-approval');

    const own = engine.decide(task.id, 'approve', undefined, { approver: me });
    await expect(own).rejects.toBeInstanceOf(ForbiddenError);
    await expect(own).rejects.toMatchObject({ status: 403, message: `You asked for task ${task.id}; another approver must decide it.` });
    await expect(engine.decide(task.id, 'approve')).resolves.toMatchObject({ status: 'approved', approvedBy: ADMIN });
  });
});

describe('update, notes, reissue', () => {
  it('updates a pending task, re-runs preApprove, and sends no second initial or approval email', async () => {
    const { engine, directory, mailer } = setup();
    await directory.createProject({ id: 'p0', name: 'taken', createdAt: 'x' });
    const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'taken' }, undefined);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-1');
    const sentBefore = mailer.sent.length;

    const updated = await engine.updateData(task.id, { email: 'ann@example.com', projectName: 'free-name' }, ADMIN);

    expect(updated.actions[0]?.valid).toBe(true);
    expect(updated.actions[0]?.data).toStrictEqual({ email: 'ann@example.com', projectName: 'free-name' });
    expect(mailer.sent.length).toBe(sentBefore);
    await engine.awaitApproval(task.id, 'sfn-approval');
    await expect(engine.decide(task.id, 'approve')).resolves.toMatchObject({ status: 'approved' });
  });

  it('refuses to update a task that is no longer pending', async () => {
    const { engine } = setup();
    const task = await toAwaitingToken(engine);
    await expect(engine.updateData(task.id, { email: 'x@example.com', projectName: 'other' }, ADMIN)).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it('adds admin notes with their author', async () => {
    const { engine } = setup();
    const task = await signUp(engine);
    const noted = await engine.addNote(task.id, ADMIN, 'Called the requester.');
    expect(noted.adminNotes).toStrictEqual([{ at: '2026-11-23T10:00:00.000Z', by: 'root@example.com', text: 'Called the requester.' }]);
  });

  it('reissues a token: the old link is replaced, the new one works and expires later', async () => {
    const { engine, mailer, clock } = setup();
    const task = await toAwaitingToken(engine);
    const tokenMails = () => mailer.sent.filter((mail) => mail.subject.startsWith('Choose your password'));
    const oldToken = linkSecret(tokenMails()[0]?.text ?? '');
    clock.advance(3600);

    await engine.reissueToken(task.id, ADMIN);

    const newToken = linkSecret(tokenMails()[1]?.text ?? '');
    await expectError(engine.viewToken(oldToken), SecretExpiredError, 'This link no longer works: A newer link was sent.');
    expect((await engine.viewToken(newToken)).validUntil).toBe('2026-11-24T11:00:00.000Z');
    await expect(engine.submitToken(newToken, { password: 'long enough password' })).resolves.toMatchObject({ status: 'completed' });
  });
});

