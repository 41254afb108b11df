import {
  NotFoundError,
  TaskArchivedError,
} from '#core/errors';
import { engineWithFakes } from '../../support/engine-harness.ts';
import { expectError } from '../../support/expect-error.ts';
import { ADMIN, signUp } from './sign-ups.ts';

describe('tracking', () => {
  it('keeps an ended task ttlMinutes, or expires it as it ends when tracking is off', async () => {
    const kept = engineWithFakes({ ttlMinutes: 60 });
    const untracked = engineWithFakes({ ttlMinutes: 60, trackActions: false });
    const now = Date.parse('2026-11-23T10:00:00.000Z') / 1000;

    const a = await kept.engine.cancel((await signUp(kept.engine)).id, ADMIN);
    const b = await untracked.engine.cancel((await signUp(untracked.engine)).id, ADMIN);

    expect([a.expiresAt, b.expiresAt]).toStrictEqual([now + 3600, now]);
  });
});

describe('archived tasks', () => {
  it('tells an admin or the requester that a missing task was archived, and where; others get a plain 404', async () => {
    const index = { taskId: '01JARCHIVED0000000000000001', archivedAt: '2026-11-20T00:00:00.000Z', location: 's3://b/archive/2026/11/20/1-1.jsonl', requester: 'u-1' };
    const { engine } = engineWithFakes({ archive: { findTask: async (id) => (id === index.taskId ? index : undefined) } });

    const asAdmin = engine.getTaskFor(index.taskId, { sub: 'root', roles: ['admin'] });
    const asRequester = engine.getTaskFor(index.taskId, { sub: 'u-1', roles: [] });
    const asStranger = engine.getTaskFor(index.taskId, { sub: 'u-2', roles: [] });

    await expectError(asAdmin, TaskArchivedError, `Task ${index.taskId} ended and was archived at 2026-11-20T00:00:00.000Z; it is in s3://b/archive/2026/11/20/1-1.jsonl.`);
    await expect(asAdmin).rejects.toMatchObject({ status: 404, extensions: { location: 's3://b/archive/2026/11/20/1-1.jsonl' } });
    await expect(asRequester).rejects.toBeInstanceOf(TaskArchivedError);
    await expectError(asStranger, NotFoundError, `There is no task ${index.taskId}.`);
  });
});

