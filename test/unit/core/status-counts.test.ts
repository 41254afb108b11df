import { jest } from '@jest/globals';
import { STATUS_COUNTS_MAX_AGE_MS } from '#core/queries';
import type { TaskStatus } from '#core/task';
import { engineWithFakes } from '../../support/engine-harness.ts';

/**
 * GET /v1/status's counts per status: a COUNT query per status reads its whole byStatus partition,
 * so a function instance keeps the counts it read for STATUS_COUNTS_MAX_AGE_MS instead of counting
 * on every call.
 */
const ZERO: Record<TaskStatus, number> = { pending: 0, approved: 0, awaiting_token: 0, completed: 0, rejected: 0, cancelled: 0, failed: 0, expired: 0 };
const counted = (pending: number): Record<TaskStatus, number> => ({ ...ZERO, pending });

const setup = () => {
  const harness = engineWithFakes();
  const countByStatus = jest.spyOn(harness.store, 'countByStatus');
  return { ...harness, countByStatus };
};

describe('status: counts per status', () => {
  it('counts once for calls within the period, concurrent ones included, and answers the same counts', async () => {
    // Prepare
    const { engine, clock, countByStatus } = setup();
    countByStatus.mockResolvedValueOnce(counted(3)).mockResolvedValueOnce(counted(4));

    // Act
    const [first, concurrent] = await Promise.all([engine.status(), engine.status()]);
    clock.advance(STATUS_COUNTS_MAX_AGE_MS / 1000 - 1);
    const later = await engine.status();

    // Assess
    expect([first.counts, concurrent.counts, later.counts]).toStrictEqual([counted(3), counted(3), counted(3)]);
    expect(countByStatus).toHaveBeenCalledTimes(1);
  });

  it('counts again once the counts are as old as the period', async () => {
    // Prepare
    const { engine, clock, countByStatus } = setup();
    countByStatus.mockResolvedValueOnce(counted(3)).mockResolvedValueOnce(counted(4));
    await engine.status();
    clock.advance(STATUS_COUNTS_MAX_AGE_MS / 1000);

    // Act
    const status = await engine.status();

    // Assess
    expect(status.counts).toStrictEqual(counted(4));
    expect(countByStatus).toHaveBeenCalledTimes(2);
  });

  it('counts again on the next call when counting failed, instead of keeping the failure for the period', async () => {
    // Prepare
    const { engine, countByStatus } = setup();
    countByStatus.mockRejectedValueOnce(new Error('DynamoDB is down')).mockResolvedValueOnce(counted(2));

    // Act
    const failed = await engine.status().catch((error: unknown) => error);
    const status = await engine.status();

    // Assess
    expect(failed).toStrictEqual(new Error('DynamoDB is down'));
    expect(status.counts).toStrictEqual(counted(2));
    expect(countByStatus).toHaveBeenCalledTimes(2);
  });

  it('counts again when the clock went back (a counts read "in the future" is not trusted)', async () => {
    // Prepare
    const { engine, clock, countByStatus } = setup();
    countByStatus.mockResolvedValueOnce(counted(3)).mockResolvedValueOnce(counted(5));
    await engine.status();
    clock.advance(-1);

    // Act
    const status = await engine.status();

    // Assess
    expect(status.counts).toStrictEqual(counted(5));
  });

  it('keeps each store\'s counts apart (one store per function instance)', async () => {
    // Prepare
    const one = setup();
    const other = setup();
    one.countByStatus.mockResolvedValueOnce(counted(1));
    other.countByStatus.mockResolvedValueOnce(counted(7));

    // Act
    const counts = [(await one.engine.status()).counts, (await other.engine.status()).counts];

    // Assess
    expect(counts).toStrictEqual([counted(1), counted(7)]);
  });

  it('answers what the store counts, with no cache in front of the first call', async () => {
    // Prepare
    const { engine } = setup();

    // Act
    const status = await engine.status();

    // Assess
    expect(status.counts).toStrictEqual(ZERO);
  });
});
