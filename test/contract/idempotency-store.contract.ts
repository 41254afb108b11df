import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import type { IdempotencyStore } from '#ports/idempotency-store';
import { expectError } from '../support/expect-error.ts';

export interface IdempotencyStoreSubject {
  /** A store on an empty table. */
  readonly store: IdempotencyStore;
}

/** What Powertools says when a key is held: the key is the prefix and a SHA-256 of the key's JSON. */
const HELD = (key: string) => `Failed to put record for already existing idempotency key: contract#${createHash('sha256').update(JSON.stringify(key)).digest('base64')}`;
const MISMATCH = 'Payload does not match stored record for this event key';

/** How long a record lives in these cases, and how long its request may run. */
const EXPIRES_AFTER_SECONDS = 60;
const RUNS_FOR_MS = 29_000;

/**
 * The IdempotencyStore port's behaviour (a Powertools persistence layer), for the in-memory fake and
 * the DynamoDB adapter alike, through the calls Powertools' IdempotencyHandler makes. Powertools
 * reads the clock with `Date.now()`, so the cases move it with a spy.
 */
export function describeIdempotencyStoreContract(name: string, makeStore: () => Promise<IdempotencyStoreSubject>): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    let store: IdempotencyStore;
    const T0 = Date.parse('2026-11-23T10:00:00.000Z');
    let offsetMs = 0;
    /** Moves the clock Powertools reads to `ms` after T0. */
    const at = (ms: number) => (offsetMs = ms);
    const request = (key: string, body: Record<string, string> = { type: 'sign-up' }) => ({ key, body });
    const statusOf = async (data: ReturnType<typeof request>) => (await store.getRecord(data)).getStatus();

    beforeEach(async () => {
      ({ store } = await makeStore());
      store.configure({
        config: new IdempotencyConfig({ eventKeyJmesPath: 'key', payloadValidationJmesPath: 'body', throwOnNoIdempotencyKey: true, expiresAfterSeconds: EXPIRES_AFTER_SECONDS, hashFunction: 'sha256' }),
        keyPrefix: 'contract',
      });
      at(0);
      jest.spyOn(Date, 'now').mockImplementation(() => T0 + offsetMs);
    });
    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('holds a key a request began while it may run: a second begin is refused, and the record says in progress', async () => {
      // Prepare
      await store.saveInProgress(request('k1'), RUNS_FOR_MS);

      // Act
      at(RUNS_FOR_MS - 1);
      const second = store.saveInProgress(request('k1'), RUNS_FOR_MS);

      // Assess
      await expectError(second, IdempotencyItemAlreadyExistsError, HELD('k1'));
      await expect(statusOf(request('k1'))).resolves.toBe(IdempotencyRecordStatus.INPROGRESS);
    });

    it('answers a completed key with its response, refuses it to another body, and keeps it once its request could no longer run', async () => {
      // Prepare
      await store.saveInProgress(request('k1'), RUNS_FOR_MS);

      // Act
      await store.saveSuccess(request('k1'), { status: 202, body: { id: 'T1', nested: { list: [1, 'two'] } } });
      at(RUNS_FOR_MS + 1);

      // Assess
      const record = await store.getRecord(request('k1'));
      expect([record.getStatus(), record.getResponse()]).toStrictEqual([IdempotencyRecordStatus.COMPLETED, { status: 202, body: { id: 'T1', nested: { list: [1, 'two'] } } }]);
      await expectError(store.saveInProgress(request('k1'), RUNS_FOR_MS), IdempotencyItemAlreadyExistsError, HELD('k1'));
      await expectError(store.getRecord(request('k1', { type: 'other' })), IdempotencyValidationError, MISMATCH);
    });

    it('lets a key be begun again once the request holding it can no longer be running, not before', async () => {
      // Prepare
      await store.saveInProgress(request('k1'), 1_000);
      at(999);
      await expectError(store.saveInProgress(request('k1'), RUNS_FOR_MS), IdempotencyItemAlreadyExistsError, HELD('k1'));

      // Act
      at(1_001);
      await store.saveInProgress(request('k1'), RUNS_FOR_MS);

      // Assess: the new begin holds it for its own time.
      at(1_001 + RUNS_FOR_MS - 1);
      await expectError(store.saveInProgress(request('k1'), RUNS_FOR_MS), IdempotencyItemAlreadyExistsError, HELD('k1'));
      at(1_001 + RUNS_FOR_MS + 1);
      await expect(store.saveInProgress(request('k1'), RUNS_FOR_MS)).resolves.toBeUndefined();
    });

    it('lets exactly one of several concurrent begins of a free key win', async () => {
      // Act
      const begins = await Promise.allSettled(Array.from({ length: 5 }, () => store.saveInProgress(request('k1'), RUNS_FOR_MS)));

      // Assess
      expect(begins.filter((begin) => begin.status === 'fulfilled')).toHaveLength(1);
      const refused = begins.flatMap((begin) => (begin.status === 'rejected' ? [begin.reason] : []));
      expect(refused.map((reason) => reason instanceof IdempotencyItemAlreadyExistsError, HELD('k1'))).toStrictEqual([true, true, true, true]);
    });

    it('forgets a deleted key: it is not found and can be begun again, with another body', async () => {
      // Prepare
      await store.saveInProgress(request('k1'), RUNS_FOR_MS);

      // Act
      await store.deleteRecord(request('k1'));

      // Assess
      await expectError(store.getRecord(request('k1')), IdempotencyItemNotFoundError, '');
      await store.saveInProgress(request('k1', { type: 'other' }), RUNS_FOR_MS);
      await expect(statusOf(request('k1', { type: 'other' }))).resolves.toBe(IdempotencyRecordStatus.INPROGRESS);
    });

    it('counts a record as expired once its time has passed, and lets the key be begun anew then', async () => {
      // Prepare
      await store.saveInProgress(request('k1'), RUNS_FOR_MS);
      await store.saveSuccess(request('k1'), { status: 202, body: {} });

      // Act
      at(EXPIRES_AFTER_SECONDS * 1000 + 1_000);

      // Assess
      await expect(statusOf(request('k1'))).resolves.toBe(IdempotencyRecordStatus.EXPIRED);
      await store.saveInProgress(request('k1', { type: 'other' }), RUNS_FOR_MS);
      await expect(statusOf(request('k1', { type: 'other' }))).resolves.toBe(IdempotencyRecordStatus.INPROGRESS);
    });

    it('keeps keys apart: another key is free while one is held', async () => {
      // Prepare
      await store.saveInProgress(request('k1'), RUNS_FOR_MS);

      // Act
      await store.saveInProgress(request('k2'), RUNS_FOR_MS);

      // Assess
      await expect(Promise.all([statusOf(request('k1')), statusOf(request('k2'))])).resolves.toStrictEqual([IdempotencyRecordStatus.INPROGRESS, IdempotencyRecordStatus.INPROGRESS]);
    });
  });
}
