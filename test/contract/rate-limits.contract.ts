import type { RateLimits } from '#ports/rate-limits';

export interface RateLimitsSubject {
  /** Counters on an empty table. */
  readonly limits: RateLimits;
}

/** The RateLimits port's behaviour, for the in-memory fake and the DynamoDB adapter alike. */
export function describeRateLimitsContract(name: string, makeLimits: () => Promise<RateLimitsSubject>): void {
  describe(`RateLimits contract: ${name}`, () => {
    let limits: RateLimits;
    beforeEach(async () => {
      ({ limits } = await makeLimits());
    });

    it('counts the hits of a key within its window, and says when the window ends', async () => {
      // Act
      const hits = [
        await limits.hit('a', 60, '2026-12-02T10:00:00.000Z'),
        await limits.hit('a', 60, '2026-12-02T10:00:30.000Z'),
        await limits.hit('a', 60, '2026-12-02T10:00:59.999Z'),
      ];

      // Assess
      expect(hits).toStrictEqual([1, 2, 3].map((count) => ({ count, resetsAt: '2026-12-02T10:01:00.000Z' })));
    });

    it('starts again at 1 in the next window, and keeps keys and window lengths apart', async () => {
      // Prepare
      await limits.hit('a', 60, '2026-12-02T10:00:10.000Z');
      await limits.hit('a', 60, '2026-12-02T10:00:20.000Z');

      // Act
      const next = await limits.hit('a', 60, '2026-12-02T10:01:00.000Z');
      const other = await limits.hit('b', 60, '2026-12-02T10:00:30.000Z');
      const longer = await limits.hit('a', 3600, '2026-12-02T10:00:30.000Z');

      // Assess
      expect([next, other, longer]).toStrictEqual([
        { count: 1, resetsAt: '2026-12-02T10:02:00.000Z' },
        { count: 1, resetsAt: '2026-12-02T10:01:00.000Z' },
        { count: 1, resetsAt: '2026-12-02T11:00:00.000Z' },
      ]);
    });

    it('loses no hit when 20 requests count at once', async () => {
      // Act
      const hits = await Promise.all(Array.from({ length: 20 }, () => limits.hit('burst', 60, '2026-12-02T10:00:00.000Z')));

      // Assess
      expect(hits.map((hit) => hit.count).sort((x, y) => x - y)).toStrictEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    });
  });
}
