import { createHash } from 'node:crypto';
import { ForbiddenError, SecretExpiredError } from '#core/errors';
import { hashSecret, newSecret, SECRET_PATTERN } from '#core/secrets';
import { engineWithFakes, linkSecret } from '../support/engine-harness.ts';
import type { RecordingMailer } from '../support/fakes.ts';

/**
 * Issue 5, point 4 at the engine, where time is a fake clock: secrets are 256 random bits kept only
 * as SHA-256, approval links expire at `validUntil` to the second, and an approver cannot decide
 * their own request through their link.
 */
const SEVEN_DAYS = 7 * 24 * 3600;

const setup = () => engineWithFakes({ operatorEmails: ['a1@example.com', 'a2@example.com'] });
const approvalSecrets = (mailer: RecordingMailer) => mailer.sent.filter((mail) => mail.subject.startsWith('Approval needed')).map((mail) => linkSecret(mail.text));
const approvalMails = (mailer: RecordingMailer) => mailer.sent.filter((mail) => mail.subject.startsWith('Approval needed'));

describe('secrets', () => {
  it('are 256 random bits, base64url (43 characters), distinct, and stored as their SHA-256 in hex', () => {
    // Act
    const secrets = Array.from({ length: 1000 }, () => newSecret());

    // Assess
    expect(secrets.filter((secret) => !SECRET_PATTERN.test(secret))).toStrictEqual([]);
    expect(new Set(secrets.map((secret) => Buffer.from(secret, 'base64url').length))).toStrictEqual(new Set([32]));
    expect(new Set(secrets).size).toBe(1000);
    expect(hashSecret(secrets[0] ?? '')).toBe(createHash('sha256').update(secrets[0] ?? '').digest('hex'));
    expect(hashSecret(secrets[0] ?? '')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('approval link expiry', () => {
  it('works until the second before validUntil; from validUntil on, viewing and deciding answer 410 and the task stays pending', async () => {
    // Prepare
    const { engine, mailer, clock, store } = setup();
    const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-1');
    const [link] = approvalSecrets(mailer);
    const expired = new SecretExpiredError('This link expired at 2026-11-30T10:00:00.000Z. Ask for a new one.');

    // Act
    clock.advance(SEVEN_DAYS - 1);
    const justBefore = await engine.viewApproval(link ?? '');
    clock.advance(1);
    const view = engine.viewApproval(link ?? '');
    const decide = engine.decideByLink(link ?? '', 'approve');

    // Assess
    expect(justBefore.record.validUntil).toBe('2026-11-30T10:00:00.000Z');
    await expect(view).rejects.toThrow(expired);
    await expect(decide).rejects.toThrow(expired);
    await expect(decide).rejects.toMatchObject({ status: 410, extensions: { expiredAt: '2026-11-30T10:00:00.000Z', taskId: task.id } });
    expect((await store.get(task.id))?.status).toBe('pending');
    expect((await store.get(task.id))?.history.map((entry) => entry.event)).toStrictEqual(['created', 'level-opened']);
  });
});

describe('self-approval', () => {
  it('leaves the requester (any letter case) out of the level\'s approvers: no link for them, their vote refused, another approver decides', async () => {
    // Prepare: a1 asks, with a differently cased address; a1 and a2 are the admins.
    const { engine, mailer, store } = setup();
    const requester = { sub: 'u-a1', email: 'A1@Example.com', roles: ['admin'] };
    const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, requester);
    await engine.awaitApproval(task.id, 'sfn-1');

    // Act
    const approve = await engine.decide(task.id, 'approve', undefined, { approver: requester }).catch((error: unknown) => error);

    // Assess
    expect(approvalMails(mailer).map((mail) => mail.to)).toStrictEqual([['a2@example.com']]);
    expect(approve).toStrictEqual(new ForbiddenError(`You asked for task ${task.id}; another approver must decide it.`));
    expect(approve instanceof ForbiddenError && approve.status).toBe(403);
    expect((await store.get(task.id))?.approval?.levels[0]?.approvers.map((approver) => approver.email)).toStrictEqual(['a2@example.com']);
    const [other] = approvalSecrets(mailer);
    await expect(engine.decideByLink(other ?? '', 'approve')).resolves.toMatchObject({ status: 'approved', approvedBy: { kind: 'approver', id: 'a2@example.com' } });
  });
});
