import type { Task } from '#core/task';
import { engineWithFakes, linkSecret } from '../../support/engine-harness.ts';

/**
 * A wait's emails are claimed in the write that makes the wait (no write after sending). A run of the
 * same wait again (the same task token: its first run died) records the resend, then sends again; a
 * send that failed gives its claim back so the retried step sends.
 */

async function approvedSignUp() {
  const harness = engineWithFakes();
  const task = await harness.engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
  await harness.engine.preApprove(task.id);
  await harness.engine.awaitApproval(task.id, 'sfn-approval');
  await harness.engine.decide(task.id, 'approve');
  await harness.engine.postApprove(task.id);
  return { harness, task };
}

/** The next email fails as SES throttling does (a TransientError, which the state retries); later ones go. */
function failNextSend(harness: ReturnType<typeof engineWithFakes>): void {
  const send = harness.mailer.send.bind(harness.mailer);
  let failures = 1;
  harness.mailer.send = async (email) => {
    if (failures-- > 0) throw Object.assign(new Error('SES throttled'), { name: 'TransientError' });
    return send(email);
  };
}

const tokenEmails = (harness: ReturnType<typeof engineWithFakes>) => harness.mailer.sent.filter((mail) => mail.subject === 'Choose your password for apollo');

describe('the token email of a wait', () => {
  it('is claimed with the wait in one write; a run of the same wait again records the resend, then sends another link of its round', async () => {
    // Prepare
    const { harness, task } = await approvedSignUp();
    const versionBefore = (await harness.store.get(task.id))?.version ?? -1;
    // Act
    await harness.engine.awaitToken(task.id, 'sfn-token');
    const afterFirst = (await harness.store.get(task.id)) as Task;
    await harness.engine.awaitToken(task.id, 'sfn-token');
    // Assess
    const stored = (await harness.store.get(task.id)) as Task;
    const links = tokenEmails(harness).map((mail) => linkSecret(mail.text));
    const views = await Promise.all(links.map(async (secret) => (await harness.core.requests.viewToken(secret)).task.wait?.round));
    expect([links.length, new Set(links).size, views, stored.sentEmails, afterFirst.version - versionBefore, stored.version - afterFirst.version]).toStrictEqual([
      2,
      2,
      [afterFirst.wait?.round, afterFirst.wait?.round],
      ['approval', 'token'],
      1,
      1,
    ]);
    expect([afterFirst.resentEmails, stored.resentEmails]).toStrictEqual([undefined, [{ stage: 'token', round: afterFirst.wait?.round, at: expect.any(String) }]]);
  });

  it('that failed to send is given back, so the retried step sends it and records it', async () => {
    // Prepare
    const { harness, task } = await approvedSignUp();
    failNextSend(harness);
    // Act
    const first = await harness.engine.awaitToken(task.id, 'sfn-token').catch((error: unknown) => error);
    const afterFailure = (await harness.store.get(task.id)) as Task;
    await harness.engine.awaitToken(task.id, 'sfn-token');
    // Assess
    const stored = (await harness.store.get(task.id)) as Task;
    expect([(first as Error).name, afterFailure.sentEmails, afterFailure.status]).toStrictEqual(['TransientError', ['approval'], 'awaiting_token']);
    expect([tokenEmails(harness).length, stored.sentEmails]).toStrictEqual([1, ['approval', 'token']]);
  });
});

describe('the completed email', () => {
  async function completedSignUp() {
    const { harness, task } = await approvedSignUp();
    await harness.engine.awaitToken(task.id, 'sfn-token');
    const token = /\/v1\/tokens\/([\w-]{43})/.exec(harness.mailer.sent.at(-1)?.text ?? '')?.[1] ?? '';
    await harness.engine.submitToken(token, { password: 'correct horse battery staple' });
    return { harness, task };
  }
  const completedEmails = (harness: ReturnType<typeof engineWithFakes>) => harness.mailer.sent.filter((mail) => mail.subject === 'Your project apollo is ready');

  it('is claimed before it is sent; Complete run again (its first run died) records the resend and sends it again', async () => {
    // Prepare
    const { harness, task } = await completedSignUp();

    // Act
    await harness.engine.complete(task.id);
    const afterFirst = (await harness.store.get(task.id)) as Task;
    await harness.engine.complete(task.id);

    // Assess
    const stored = (await harness.store.get(task.id)) as Task;
    expect([completedEmails(harness).length, afterFirst.sentEmails.includes('completed'), afterFirst.resentEmails, stored.resentEmails?.map((entry) => entry.stage)]).toStrictEqual([2, true, undefined, ['completed']]);
  });

  it('is claimed by one of two Completes at once: the other records its resend (a second email is never unexplained)', async () => {
    // Prepare
    const { harness, task } = await completedSignUp();

    // Act
    await Promise.all([harness.engine.complete(task.id), harness.engine.complete(task.id)]);

    // Assess
    const stored = (await harness.store.get(task.id)) as Task;
    expect([completedEmails(harness).length, stored.sentEmails.filter((stage) => stage === 'completed').length, stored.resentEmails?.map((entry) => entry.stage)]).toStrictEqual([2, 1, ['completed']]);
  });

  it('that failed to send gives its claim back, so the retried step sends it once, with no resend recorded', async () => {
    // Prepare
    const { harness, task } = await completedSignUp();
    failNextSend(harness);

    // Act
    const first = await harness.engine.complete(task.id).catch((error: unknown) => error);
    const afterFailure = (await harness.store.get(task.id)) as Task;
    await harness.engine.complete(task.id);

    // Assess
    const stored = (await harness.store.get(task.id)) as Task;
    expect([(first as Error).name, afterFailure.sentEmails.includes('completed'), completedEmails(harness).length, stored.resentEmails]).toStrictEqual(['TransientError', false, 1, undefined]);
  });
});

describe('the approval emails of a wait', () => {
  it('are claimed in the write that makes the wait and opens the first level: one write, then one email per approver', async () => {
    // Prepare
    const harness = engineWithFakes({ admins: ['a1@example.com', 'a2@example.com'] });
    const task = await harness.engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await harness.engine.preApprove(task.id);
    const before = (await harness.store.get(task.id)) as Task;
    // Act
    await harness.engine.awaitApproval(task.id, 'sfn-approval');
    // Assess
    const stored = (await harness.store.get(task.id)) as Task;
    const approvals = harness.mailer.sent.filter((mail) => mail.subject === `Approval needed: sign-up ${task.id}`);
    expect([stored.version - before.version, stored.sentEmails, stored.approval?.levels[0]?.mailedAt, approvals.map((mail) => mail.to)]).toStrictEqual([
      1,
      ['approval'],
      '2026-11-23T10:00:00.000Z',
      [['a1@example.com'], ['a2@example.com']],
    ]);
  });

  it('that failed to send are given back, so the retried step sends them, with no resend recorded', async () => {
    // Prepare
    const harness = engineWithFakes({ admins: ['a1@example.com'] });
    const task = await harness.engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await harness.engine.preApprove(task.id);
    failNextSend(harness);
    // Act
    const first = await harness.engine.awaitApproval(task.id, 'sfn-approval').catch((error: unknown) => error);
    const afterFailure = (await harness.store.get(task.id)) as Task;
    await harness.engine.awaitApproval(task.id, 'sfn-approval');
    // Assess
    const stored = (await harness.store.get(task.id)) as Task;
    expect([(first as Error).name, afterFailure.sentEmails, afterFailure.approval?.levels[0]?.mailedAt]).toStrictEqual(['TransientError', [], undefined]);
    expect([harness.mailer.sent.filter((mail) => mail.subject.startsWith('Approval needed')).length, stored.sentEmails, stored.resentEmails]).toStrictEqual([1, ['approval'], undefined]);
  });

  it('are sent again by a run of the same wait (its first run died after the claim), recorded as a resend', async () => {
    // Prepare
    const harness = engineWithFakes({ admins: ['a1@example.com'] });
    const task = await harness.engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await harness.engine.awaitApproval(task.id, 'sfn-approval');
    // Act
    await harness.engine.awaitApproval(task.id, 'sfn-approval');
    // Assess
    const stored = (await harness.store.get(task.id)) as Task;
    expect(harness.mailer.sent.filter((mail) => mail.subject.startsWith('Approval needed')).map((mail) => mail.to)).toStrictEqual([['a1@example.com'], ['a1@example.com']]);
    expect(stored.resentEmails).toStrictEqual([{ stage: 'approval', round: 1, at: '2026-11-23T10:00:00.000Z' }]);
  });
});
