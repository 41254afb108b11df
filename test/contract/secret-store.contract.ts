import { BadRequestError } from '#core/errors';
import type { SecretStore } from '#ports/secret-store';
import { newSecret } from './fixtures.ts';

export interface SecretStoreSubject {
  /** A store on an empty table. */
  readonly store: SecretStore;
}

/** Times in 2098: before the fixtures' validUntil, and far from TTL. */
const at = (minute: number) => `2098-11-23T10:${String(minute).padStart(2, '0')}:00.000Z`;

/** The SecretStore port's behaviour, for the in-memory fake and the DynamoDB adapter alike. */
export function describeSecretStoreContract(name: string, makeStore: () => Promise<SecretStoreSubject>): void {
  describe(`SecretStore contract: ${name}`, () => {
    let store: SecretStore;
    beforeEach(async () => {
      ({ store } = await makeStore());
    });

    it('stores a secret once and reads it back as it was written', async () => {
      // Prepare
      const secret = newSecret('h1', { kind: 'approval', recipient: 'boss@example.com' });
      await store.put(secret);

      // Act
      const again = store.put({ ...secret, taskId: 'T2' });

      // Assess
      await expect(again).rejects.toThrow('A secret with this hash is already stored: secrets are random, so the caller reused one.');
      await expect(store.get('h1')).resolves.toStrictEqual(secret);
      await expect(store.get('absent')).resolves.toBeUndefined();
    });

    it('treats a secret 30 days past validUntil as deleted', async () => {
      // Prepare
      await store.put(newSecret('old', { createdAt: '2000-12-01T00:00:00.000Z', validUntil: '2001-01-01T00:00:00.000Z' }));

      // Act & Assess
      await expect(store.get('old')).resolves.toBeUndefined();
      await expect(store.list('token', 10)).resolves.toStrictEqual({ items: [] });
    });

    it('lists the secrets of a kind newest first, with cursors', async () => {
      // Prepare
      const tokens = [1, 2, 3].map((minute) => newSecret(`t${minute}`, { createdAt: at(minute) }));
      for (const secret of tokens) await store.put(secret);
      await store.put(newSecret('a1', { kind: 'approval', createdAt: at(4) }));

      // Act
      const first = await store.list('token', 2);
      const rest = await store.list('token', 2, first.cursor);
      const approvals = await store.list('approval', 2);

      // Assess
      expect([first.items, rest, approvals]).toStrictEqual([[tokens[2], tokens[1]], { items: [tokens[0]] }, { items: [newSecret('a1', { kind: 'approval', createdAt: at(4) })] }]);
      await expect(store.list('token', 2, 'forged')).rejects.toStrictEqual(new BadRequestError('The cursor is not one this API returned; start again without it.'));
    });

    it('deletes the secrets of a kind that stopped working before a time, those TTL hides included', async () => {
      // Prepare
      const kept = [newSecret('live', { validUntil: at(30) }), newSecret('approval', { kind: 'approval', validUntil: at(10) })];
      for (const secret of kept) await store.put(secret);
      await store.put(newSecret('ended', { validUntil: at(10) }));
      await store.put(newSecret('at-the-time', { validUntil: at(20) }));
      await store.put(newSecret('long-gone', { createdAt: '2000-12-01T00:00:00.000Z', validUntil: '2001-01-01T00:00:00.000Z' }));

      // Act
      const deleted = await store.deleteExpired('token', at(20));

      // Assess
      expect(deleted).toBe(3);
      await expect(Promise.all(['live', 'approval', 'ended', 'at-the-time'].map((hash) => store.get(hash)))).resolves.toStrictEqual([...kept, undefined, undefined]);
      await expect(store.deleteExpired('token', at(20))).resolves.toBe(0);
    });
  });
}
