import type { IdempotencyStore } from '#ports/idempotency-store';

export interface IdempotencyStoreSubject {
  /** A store on an empty table. */
  readonly store: IdempotencyStore;
}

const T0 = '2026-11-23T10:00:00.000Z';
const later = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const DAY = 24 * 3600;

/** The IdempotencyStore port's behaviour, for the in-memory fake and the DynamoDB adapter alike. */
export function describeIdempotencyStoreContract(name: string, makeStore: () => Promise<IdempotencyStoreSubject>): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    let store: IdempotencyStore;
    beforeEach(async () => {
      ({ store } = await makeStore());
    });

    it('starts a new key, then tells a second request it is in progress with the first fingerprint', async () => {
      // Act
      const states = [await store.begin('k1', 'fp-1', T0, DAY), await store.begin('k1', 'fp-2', later(1), DAY)];

      // Assess
      expect(states).toStrictEqual([{ state: 'new' }, { state: 'in-progress', fingerprint: 'fp-1' }]);
    });

    it('answers a completed key with its response', async () => {
      // Prepare
      await store.begin('k1', 'fp-1', T0, DAY);

      // Act
      await store.complete('k1', { status: 201, body: { id: 'T1', nested: { list: [1, 'two'] } } });

      // Assess
      await expect(store.begin('k1', 'fp-1', later(5), DAY)).resolves.toStrictEqual({
        state: 'done',
        fingerprint: 'fp-1',
        response: { status: 201, body: { id: 'T1', nested: { list: [1, 'two'] } } },
      });
    });

    it('forgets an abandoned key in progress, but not a completed one', async () => {
      // Prepare
      await store.begin('k1', 'fp-1', T0, DAY);
      await store.begin('k2', 'fp-2', T0, DAY);
      await store.complete('k2', { status: 200, body: null });

      // Act
      await store.abandon('k1');
      await store.abandon('k2');
      await store.abandon('absent');

      // Assess
      await expect(store.begin('k1', 'fp-3', later(1), DAY)).resolves.toStrictEqual({ state: 'new' });
      await expect(store.begin('k2', 'fp-4', later(1), DAY)).resolves.toStrictEqual({ state: 'done', fingerprint: 'fp-2', response: { status: 200, body: null } });
    });

    it('treats a key as absent once ttlSeconds have passed since its request began', async () => {
      // Prepare
      await store.begin('k1', 'fp-1', T0, 60);
      await store.complete('k1', { status: 201, body: {} });

      // Act
      const states = [await store.begin('k1', 'fp-2', later(59), 60), await store.begin('k1', 'fp-2', later(60), 60), await store.begin('k1', 'fp-3', later(61), 60)];

      // Assess
      expect(states).toStrictEqual([{ state: 'done', fingerprint: 'fp-1', response: { status: 201, body: {} } }, { state: 'new' }, { state: 'in-progress', fingerprint: 'fp-2' }]);
    });

    it('does not create a key by completing one that was never begun', async () => {
      // Act
      await store.complete('k1', { status: 201, body: {} });

      // Assess
      await expect(store.begin('k1', 'fp-1', T0, DAY)).resolves.toStrictEqual({ state: 'new' });
    });
  });
}
