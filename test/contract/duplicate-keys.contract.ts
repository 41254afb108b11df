import type { DuplicateKeyStore } from '#ports/duplicate-keys';
import { concurrently } from './fixtures.ts';

export interface DuplicateKeysSubject {
  /** A store on an empty table. */
  readonly store: DuplicateKeyStore;
}

/** The DuplicateKeyStore port's behaviour, for the in-memory fake and the DynamoDB adapter alike. */
export function describeDuplicateKeysContract(name: string, makeStore: () => Promise<DuplicateKeysSubject>): void {
  describe(`DuplicateKeyStore contract: ${name}`, () => {
    let store: DuplicateKeyStore;
    beforeEach(async () => {
      ({ store } = await makeStore());
    });

    it('has no holder for a key nobody claimed', async () => {
      // Act & Assess
      await expect(store.holder('k1')).resolves.toBeUndefined();
    });

    it('claims a free key, and moves it only from the holder expected', async () => {
      // Act
      const results = [
        await store.claim('k1', 'T1', undefined),
        await store.claim('k1', 'T2', undefined),
        await store.claim('k1', 'T2', 'T9'),
        await store.claim('k1', 'T2', 'T1'),
      ];

      // Assess
      expect(results).toStrictEqual([true, false, false, true]);
      await expect(store.holder('k1')).resolves.toBe('T2');
    });

    it('gives a free key to exactly one of 10 concurrent claimants', async () => {
      // Act
      const results = await concurrently(10, (index) => store.claim('k1', `T${index}`, undefined));

      // Assess
      expect(results.filter(Boolean)).toHaveLength(1);
      await expect(store.holder('k1')).resolves.toBe(`T${results.indexOf(true)}`);
    });
  });
}
