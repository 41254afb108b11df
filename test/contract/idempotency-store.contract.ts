import type { IdempotencyState, IdempotencyStore } from '#ports/idempotency-store';

export interface IdempotencyStoreSubject {
  /** A store on an empty table. */
  readonly store: IdempotencyStore;
}

const T0 = '2026-11-23T10:00:00.000Z';
const later = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const DAY = 24 * 3600;
const LEASE = 30;

/** The IdempotencyStore port's behaviour, for the in-memory fake and the DynamoDB adapter alike. */
export function describeIdempotencyStoreContract(name: string, makeStore: () => Promise<IdempotencyStoreSubject>): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    let store: IdempotencyStore;
    /** A begin with the usual lease, reserving `reservedId` should the key be fresh. */
    const begin = (key: string, fingerprint: string, at: string, reservedId: string, ttlSeconds = DAY): Promise<IdempotencyState> =>
      store.begin(key, fingerprint, at, ttlSeconds, { leaseSeconds: LEASE, reservedId });
    beforeEach(async () => {
      ({ store } = await makeStore());
    });

    it('starts a new key with the id given, then tells a second request it is in progress with the first fingerprint', async () => {
      // Act
      const states = [await begin('k1', 'fp-1', T0, 'R1'), await begin('k1', 'fp-2', later(1), 'R2')];

      // Assess
      expect(states).toStrictEqual([{ state: 'new', reservedId: 'R1' }, { state: 'in-progress', fingerprint: 'fp-1' }]);
    });

    it('answers a completed key with its response, also once the lease has passed', async () => {
      // Prepare
      await begin('k1', 'fp-1', T0, 'R1');

      // Act
      await store.complete('k1', { status: 201, body: { id: 'T1', nested: { list: [1, 'two'] } } });

      // Assess
      const done = { state: 'done', fingerprint: 'fp-1', response: { status: 201, body: { id: 'T1', nested: { list: [1, 'two'] } } } };
      await expect(begin('k1', 'fp-1', later(5), 'R2')).resolves.toStrictEqual(done);
      await expect(begin('k1', 'fp-1', later(3600), 'R3')).resolves.toStrictEqual(done);
    });

    it('forgets an abandoned key in progress, but not a completed one', async () => {
      // Prepare
      await begin('k1', 'fp-1', T0, 'R1');
      await begin('k2', 'fp-2', T0, 'R2');
      await store.complete('k2', { status: 200, body: null });

      // Act
      await store.abandon('k1');
      await store.abandon('k2');
      await store.abandon('absent');

      // Assess
      await expect(begin('k1', 'fp-3', later(1), 'R3')).resolves.toStrictEqual({ state: 'new', reservedId: 'R3' });
      await expect(begin('k2', 'fp-4', later(1), 'R4')).resolves.toStrictEqual({ state: 'done', fingerprint: 'fp-2', response: { status: 200, body: null } });
    });

    it('treats a key as absent once ttlSeconds have passed since its request began', async () => {
      // Prepare
      await begin('k1', 'fp-1', T0, 'R1', 60);
      await store.complete('k1', { status: 201, body: {} });

      // Act
      const states = [await begin('k1', 'fp-2', later(59), 'R2', 60), await begin('k1', 'fp-2', later(60), 'R3', 60), await begin('k1', 'fp-3', later(61), 'R4', 60)];

      // Assess
      expect(states).toStrictEqual([
        { state: 'done', fingerprint: 'fp-1', response: { status: 201, body: {} } },
        { state: 'new', reservedId: 'R3' },
        { state: 'in-progress', fingerprint: 'fp-2' },
      ]);
    });

    it('does not create a key by completing one that was never begun', async () => {
      // Act
      await store.complete('k1', { status: 201, body: {} });

      // Assess
      await expect(begin('k1', 'fp-1', T0, 'R1')).resolves.toStrictEqual({ state: 'new', reservedId: 'R1' });
    });

    it('keeps a key in progress for its own fingerprint while the lease has not passed', async () => {
      // Prepare
      await begin('k1', 'fp-1', T0, 'R1');

      // Act
      const states = [await begin('k1', 'fp-1', later(1), 'R2'), await begin('k1', 'fp-1', later(LEASE - 0.001), 'R3')];

      // Assess
      expect(states).toStrictEqual([
        { state: 'in-progress', fingerprint: 'fp-1' },
        { state: 'in-progress', fingerprint: 'fp-1' },
      ]);
    });

    it('lets the same fingerprint take a key over once the lease has passed, keeping the first reserved id and leasing it anew', async () => {
      // Prepare
      await begin('k1', 'fp-1', T0, 'R1');

      // Act
      const takeover = await begin('k1', 'fp-1', later(LEASE), 'R2');
      const duringNewLease = await begin('k1', 'fp-1', later(2 * LEASE - 0.001), 'R3');
      const afterNewLease = await begin('k1', 'fp-1', later(2 * LEASE), 'R4');

      // Assess
      expect([takeover, duringNewLease, afterNewLease]).toStrictEqual([
        { state: 'new', reservedId: 'R1', takenOver: true },
        { state: 'in-progress', fingerprint: 'fp-1' },
        { state: 'new', reservedId: 'R1', takenOver: true },
      ]);
    });

    it('answers a taken-over key that completes with its response', async () => {
      // Prepare
      await begin('k1', 'fp-1', T0, 'R1');
      await begin('k1', 'fp-1', later(LEASE), 'R2');

      // Act
      await store.complete('k1', { status: 202, body: { id: 'R1' } });

      // Assess
      await expect(begin('k1', 'fp-1', later(LEASE + 1), 'R3')).resolves.toStrictEqual({ state: 'done', fingerprint: 'fp-1', response: { status: 202, body: { id: 'R1' } } });
    });

    it('lets exactly one of several concurrent retries take a key over; the others get in-progress', async () => {
      // Prepare
      await begin('k1', 'fp-1', T0, 'R1');

      // Act
      const states = await Promise.all(['R2', 'R3', 'R4', 'R5', 'R6'].map((reservedId) => begin('k1', 'fp-1', later(LEASE + 1), reservedId)));

      // Assess
      expect(states.filter((state) => state.state === 'new')).toStrictEqual([{ state: 'new', reservedId: 'R1', takenOver: true }]);
      expect(states.filter((state) => state.state !== 'new')).toStrictEqual(Array.from({ length: 4 }, () => ({ state: 'in-progress', fingerprint: 'fp-1' })));
    });

    it('does not let another fingerprint take a key over after the lease: in-progress with the first fingerprint, and the key stays takeable', async () => {
      // Prepare
      await begin('k1', 'fp-1', T0, 'R1');

      // Act
      const other = await begin('k1', 'fp-2', later(LEASE + 1), 'R2');

      // Assess
      expect(other).toStrictEqual({ state: 'in-progress', fingerprint: 'fp-1' });
      await expect(begin('k1', 'fp-1', later(LEASE + 2), 'R3')).resolves.toStrictEqual({ state: 'new', reservedId: 'R1', takenOver: true });
    });
  });
}
