import { TooManyRequestsError } from '#core/errors';
import { linkSecret } from '../../support/engine-harness.ts';
import { expectError } from '../../support/expect-error.ts';
import { setupOps } from './sign-ups.ts';

/**
 * The public endpoints: limits per address and per client before anything is stored, and a
 * `uniform` type's duplicates handled in its first step, at most one email per address per window.
 */
const CLIENT = { ip: '203.0.113.7' };
const signUpData = (n: number) => ({ email: `user${n}@example.com`, projectName: `project-${n}` });

describe('limits on creating tasks', () => {
  it('refuses the 21st sign-up from one client within the hour with 429 and when to try again; other clients go on', async () => {
    // Prepare: 10:00 on the fake clock, so the hour's window ends at 11:00.
    const { engine, store } = setupOps();
    for (let n = 1; n <= 20; n++) await engine.createTask('sign-up', signUpData(n), undefined, CLIENT);

    // Act
    const refused = engine.createTask('sign-up', signUpData(21), undefined, CLIENT);
    const other = await engine.createTask('sign-up', signUpData(22), undefined, { ip: '198.51.100.1' });

    // Assess
    const error = await expectError(refused, TooManyRequestsError, 'Too many sign-up requests from this client: at most 20 per 1 h. Try again in 3600 seconds.');
    expect([(error as TooManyRequestsError).status, (error as TooManyRequestsError).retryAfterSeconds]).toStrictEqual([429, 3600]);
    expect([other.status, store.tasks.size]).toStrictEqual(['pending', 21]);
  });

  it('refuses the 6th reset-password for one address within the hour, from any client, the same for an address with no account', async () => {
    // Prepare
    const { engine, directory, clock } = setupOps();
    await directory.createUser({ email: 'ann@example.com', roles: [], enabled: true, createdAt: 'x' });
    for (let n = 1; n <= 5; n++) {
      await engine.createTask('reset-password', { email: 'ann@example.com' }, undefined, { ip: `198.51.100.${n}` });
      await engine.createTask('reset-password', { email: 'nobody@example.com' }, undefined, { ip: `198.51.100.${n}` });
    }
    clock.advance(30 * 60);

    // Act
    const outcomes = await Promise.all(
      ['ann@example.com', 'nobody@example.com'].map((email) =>
        engine.createTask('reset-password', { email }, undefined, { ip: '192.0.2.1' }).catch((error: unknown) => error),
      ),
    );

    // Assess
    expect((outcomes as TooManyRequestsError[]).map((error) => [error instanceof TooManyRequestsError, error.message, error.retryAfterSeconds])).toStrictEqual([
      [true, 'Too many reset-password requests for this address: at most 5 per 1 h. Try again in 1800 seconds.', 1800],
      [true, 'Too many reset-password requests for this address: at most 5 per 1 h. Try again in 1800 seconds.', 1800],
    ]);
  });

  it('counts nothing for a request that fails validation', async () => {
    // Prepare
    const { engine, rateLimits } = setupOps();

    // Act
    const invalid = engine.createTask('sign-up', { email: 'not an email', projectName: 'x' }, undefined, CLIENT);

    // Assess
    await expect(invalid).rejects.toMatchObject({ status: 400 });
    expect(rateLimits.counters.size).toBe(0);
  });
});

describe('duplicates of reset-password (uniform): handled in its first step, not the request', () => {
  const resetEmailsTo = (mailer: { sent: { to: readonly string[]; subject: string; text?: string }[] }, to: string) =>
    mailer.sent.filter((mail) => mail.to.includes(to) && mail.subject === 'Reset your password');

  async function resetFlow(engine: ReturnType<typeof setupOps>['engine'], email: string) {
    const task = await engine.createTask('reset-password', { email }, undefined, CLIENT);
    await engine.awaitApproval(task.id, `sfn-approval-${task.id}`);
    await engine.awaitToken(task.id, `sfn-token-${task.id}`).catch(() => undefined);
    return engine.getTask(task.id);
  }

  it('leaves the older task and the duplicate key alone in the request', async () => {
    // Prepare
    const { engine, directory, duplicates } = setupOps();
    await directory.createUser({ email: 'ann@example.com', roles: [], enabled: true, createdAt: 'x' });
    const older = await resetFlow(engine, 'ann@example.com');
    const holderBefore = [...duplicates.holders.values()];

    // Act
    await engine.createTask('reset-password', { email: 'ann@example.com' }, undefined, CLIENT);

    // Assess
    expect([...duplicates.holders.values()]).toStrictEqual(holderBefore);
    expect((await engine.getTask(older.id)).status).toBe('awaiting_token');
  });

  it('drops a repeat within the 5-minute window without an email: the first link still works', async () => {
    // Prepare
    const { engine, directory, mailer, clock } = setupOps();
    await directory.createUser({ email: 'ann@example.com', roles: [], enabled: true, createdAt: 'x' });
    const first = await resetFlow(engine, 'ann@example.com');
    const link = linkSecret(resetEmailsTo(mailer, 'ann@example.com')[0]?.text);
    clock.advance(60);

    // Act
    const second = await resetFlow(engine, 'ann@example.com');
    const third = await resetFlow(engine, 'ann@example.com');
    const submitted = await engine.submitToken(link, { password: 'a long enough password' });

    // Assess
    expect([second.status, second.history.at(-1)?.event, third.status]).toStrictEqual(['cancelled', 'dropped-as-duplicate', 'cancelled']);
    expect(second.history.at(-1)?.reason).toBe(`An identical request, task ${first.id}, was made at ${first.createdAt}; its email stands and no other is sent.`);
    expect(resetEmailsTo(mailer, 'ann@example.com')).toHaveLength(1);
    expect(mailer.sent.filter((mail) => mail.to.includes('ann@example.com')).map((mail) => mail.subject)).toStrictEqual(['Reset your password']);
    expect(submitted.status).toBe('completed');
  });

  it('after the window, replaces the older open task (its link stops) with one new email, and no cancelled email', async () => {
    // Prepare
    const { engine, directory, mailer, clock } = setupOps();
    await directory.createUser({ email: 'ann@example.com', roles: [], enabled: true, createdAt: 'x' });
    const first = await resetFlow(engine, 'ann@example.com');
    clock.advance(301);

    // Act
    const second = await resetFlow(engine, 'ann@example.com');

    // Assess
    const replaced = await engine.getTask(first.id);
    expect([replaced.status, replaced.history.at(-1)?.reason, second.status]).toStrictEqual(['cancelled', `Replaced by a newer identical request, task ${second.id}.`, 'awaiting_token']);
    expect(mailer.sent.filter((mail) => mail.to.includes('ann@example.com')).map((mail) => mail.subject)).toStrictEqual(['Reset your password', 'Reset your password']);
  });
});
