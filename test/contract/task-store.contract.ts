import { BadRequestError } from '#core/errors';
import type { Task } from '#core/task';
import type { TaskCondition, TaskStore, TaskUpdate } from '#ports/task-store';
import { concurrently, LONG_AGO, newTask } from './fixtures.ts';

export interface TaskStoreSubject {
  /** A store on an empty table. */
  readonly store: TaskStore;
}

const CURSOR_REFUSED = new BadRequestError('The cursor is not one this API returned; start again without it.');
const byId = (a: Task, b: Task) => a.id.localeCompare(b.id);
const at = (minute: number) => `2026-11-23T10:${String(minute).padStart(2, '0')}:00.000Z`;

/** The TaskStore port's behaviour, for the in-memory fake and the DynamoDB adapter alike. */
export function describeTaskStoreContract(name: string, makeStore: () => Promise<TaskStoreSubject>): void {
  describe(`TaskStore contract: ${name}`, () => {
    let store: TaskStore;
    beforeEach(async () => {
      ({ store } = await makeStore());
    });

    describe('create, get, getMany', () => {
      it('creates a task once and reads it back as it was written', async () => {
        // Prepare
        const task = newTask('T1');

        // Act
        const results = [await store.create(task), await store.create({ ...task, status: 'approved' })];

        // Assess
        expect(results).toStrictEqual([true, false]);
        await expect(store.get('T1')).resolves.toStrictEqual(task);
      });

      it('answers undefined for a task that is not there', async () => {
        // Act & Assess
        await expect(store.get('absent')).resolves.toBeUndefined();
      });

      it('reads several tasks at once, leaving out missing and expired ones', async () => {
        // Prepare
        const [one, two] = [newTask('T1'), newTask('T2', { createdAt: at(1) })];
        await store.create(one);
        await store.create(two);
        await store.create(newTask('T3', { status: 'completed', expiresAt: LONG_AGO }));

        // Act
        const tasks = await store.getMany(['T2', 'T1', 'T3', 'absent', 'T1']);

        // Assess
        expect(tasks.sort(byId)).toStrictEqual([one, two]);
        await expect(store.getMany([])).resolves.toStrictEqual([]);
      });

      it('treats a task whose expiresAt has passed as deleted', async () => {
        // Prepare
        await store.create(newTask('T1', { status: 'completed', expiresAt: LONG_AGO }));

        // Act & Assess
        await expect(store.get('T1')).resolves.toBeUndefined();
        await expect(store.list({ type: 'sign-up', limit: 10 })).resolves.toStrictEqual({ items: [] });
      });
    });

    describe('update', () => {
      const pending: TaskCondition = { path: ['status'], equals: 'pending' };

      it('sets top-level, nested and list-element paths, and increments the version', async () => {
        // Prepare
        const task = newTask('T1', { wait: { kind: 'approval', sfnToken: 'sfn-1', since: at(0), round: 1 } });
        await store.create(task);

        // Act
        const result = await store.update('T1', {
          set: [
            { path: ['updatedAt'], value: at(5) },
            { path: ['wait', 'round'], value: 2 },
            { path: ['actions', 0, 'valid'], value: true },
            { path: ['actions', 0, 'notes'], value: [{ at: at(5), text: 'checked' }] },
          ],
          conditions: [pending],
        });

        // Assess
        const expected: Task = {
          ...task,
          updatedAt: at(5),
          wait: { kind: 'approval', sfnToken: 'sfn-1', since: at(0), round: 2 },
          actions: [{ ...(task.actions[0] as Task['actions'][number]), valid: true, notes: [{ at: at(5), text: 'checked' }] }],
          version: 2,
        };
        expect(result).toStrictEqual({ applied: true, task: expected });
        await expect(store.get('T1')).resolves.toStrictEqual(expected);
      });

      it('writes and conditions on map keys that are addresses (a level\'s votes by approver)', async () => {
        // Prepare
        const level = { name: 'admins', quorum: 2, state: 'open' as const, reminderTimes: [], remindersSent: [], approvers: [], votes: {}, revision: 0, delegations: [] };
        await store.create(newTask('T1', { approval: { level: 0, levels: [level] } }));
        const vote = { decision: 'approve' as const, at: at(1), via: 'api' as const };
        const cast = (key: string) =>
          store.update('T1', {
            set: [{ path: ['approval', 'levels', 0, 'votes', key], value: vote }],
            conditions: [{ path: ['approval', 'levels', 0, 'votes', key], exists: false }],
          });

        // Act
        const first = await cast('ann.o+x@example.com');
        const again = await cast('ann.o+x@example.com');
        const other = await cast('sub:1234-abcd');

        // Assess
        expect([first.applied, again.applied, other.applied]).toStrictEqual([true, false, true]);
        expect((await store.get('T1'))?.approval?.levels[0]?.votes).toStrictEqual({ 'ann.o+x@example.com': vote, 'sub:1234-abcd': vote });
      });

      it('removes attributes, nested ones included', async () => {
        // Prepare
        const task = newTask('T1');
        const action = task.actions[0] as Task['actions'][number];
        await store.create({ ...task, actions: [{ ...action, tokenSchemaKey: 'password' }], wait: { kind: 'token', sfnToken: 'sfn-1', since: at(0), round: 1 } });

        // Act
        const result = await store.update('T1', { remove: [['wait'], ['actions', 0, 'tokenSchemaKey'], ['completedAt']], conditions: [] });

        // Assess
        expect(result).toStrictEqual({ applied: true, task: { ...task, version: 2 } });
      });

      it('appends to a list, and to a list that is not there yet', async () => {
        // Prepare
        await store.create(newTask('T1', { adminNotes: [{ at: at(1), by: 'boss', text: 'first' }] }));
        await store.update('T1', { remove: [['sentEmails']], conditions: [] });

        // Act
        const result = await store.update('T1', {
          append: [
            { path: ['adminNotes'], items: [{ at: at(2), by: 'boss', text: 'second' }] },
            { path: ['sentEmails'], items: ['approval-request', 'created'] },
          ],
          conditions: [],
        });

        // Assess
        expect(result).toStrictEqual({
          applied: true,
          task: newTask('T1', {
            adminNotes: [
              { at: at(1), by: 'boss', text: 'first' },
              { at: at(2), by: 'boss', text: 'second' },
            ],
            sentEmails: ['approval-request', 'created'],
            version: 3,
          }),
        });
      });

      it('sets, removes and appends in one update', async () => {
        // Prepare
        await store.create(newTask('T1', { executionArn: 'arn:1' }));

        // Act
        const result = await store.update('T1', {
          set: [{ path: ['status'], value: 'approved' }, { path: ['approvedAt'], value: at(3) }],
          remove: [['executionArn']],
          append: [{ path: ['notes'], items: [{ at: at(3), text: 'approved' }] }],
          conditions: [pending],
        });

        // Assess
        expect(result).toStrictEqual({ applied: true, task: newTask('T1', { status: 'approved', approvedAt: at(3), notes: [{ at: at(3), text: 'approved' }], version: 2 }) });
      });

      it('increments the version on every applied update, even one that sets nothing', async () => {
        // Prepare
        await store.create(newTask('T1', { version: 7 }));

        // Act
        await store.update('T1', { conditions: [] });
        const second = await store.update('T1', { conditions: [] });

        // Assess
        expect(second).toStrictEqual({ applied: true, task: newTask('T1', { version: 9 }) });
      });

      const holding: [string, TaskCondition][] = [
        ['equals (string)', { path: ['status'], equals: 'pending' }],
        ['equals (number, nested)', { path: ['wait', 'round'], equals: 1 }],
        ['equals (boolean, in a list element)', { path: ['actions', 0, 'needsToken'], equals: false }],
        ['in', { path: ['status'], in: ['approved', 'pending'] }],
        ['in (numbers)', { path: ['dataRevision'], in: [0, 1] }],
        ['exists: true', { path: ['wait'], exists: true }],
        ['exists: true, on a null value', { path: ['actions', 0, 'valid'], exists: true }],
        ['exists: false', { path: ['queuedVote'], exists: false }],
      ];
      it.each(holding)('applies when its %s condition holds', async (_name, condition) => {
        // Prepare
        const task = newTask('T1', { wait: { kind: 'approval', sfnToken: 'sfn-1', since: at(0), round: 1 } });
        await store.create(task);

        // Act
        const result = await store.update('T1', { set: [{ path: ['updatedAt'], value: at(9) }], conditions: [condition] });

        // Assess
        expect(result).toStrictEqual({ applied: true, task: { ...task, updatedAt: at(9), version: 2 } });
      });

      const failing: [string, TaskCondition][] = [
        ['equals (another value)', { path: ['status'], equals: 'approved' }],
        ['equals (same digits, another type)', { path: ['wait', 'round'], equals: '1' }],
        ['equals (a missing attribute)', { path: ['queuedVote', 'at'], equals: at(0) }],
        ['equals (a list element that is not there)', { path: ['actions', 3, 'valid'], equals: true }],
        ['in (none of the values)', { path: ['status'], in: ['approved', 'completed'] }],
        ['in (a missing attribute)', { path: ['failure', 'step'], in: ['PreApprove'] }],
        ['exists: true (missing)', { path: ['queuedVote'], exists: true }],
        ['exists: false (present)', { path: ['wait', 'sfnToken'], exists: false }],
      ];
      it.each(failing)('does not apply when its %s condition fails, and answers the task as it is', async (_name, condition) => {
        // Prepare
        const task = newTask('T1', { wait: { kind: 'approval', sfnToken: 'sfn-1', since: at(0), round: 1 } });
        await store.create(task);

        // Act
        const result = await store.update('T1', { set: [{ path: ['updatedAt'], value: at(9) }], conditions: [pending, condition] });

        // Assess
        expect(result).toStrictEqual({ applied: false, task });
        await expect(store.get('T1')).resolves.toStrictEqual(task);
      });

      it('answers the task as another writer left it when a condition fails', async () => {
        // Prepare
        await store.create(newTask('T1'));
        await store.update('T1', { set: [{ path: ['status'], value: 'rejected' }], conditions: [pending] });

        // Act
        const result = await store.update('T1', { set: [{ path: ['status'], value: 'approved' }], conditions: [pending] });

        // Assess
        expect(result).toStrictEqual({ applied: false, task: newTask('T1', { status: 'rejected', version: 2 }) });
      });

      it('does not apply to a task that is not there, nor create it', async () => {
        // Act
        const result = await store.update('absent', { set: [{ path: ['status'], value: 'approved' }], conditions: [] });

        // Assess
        expect(result).toStrictEqual({ applied: false, task: undefined });
        await expect(store.get('absent')).resolves.toBeUndefined();
      });

      it('does not apply to a task whose expiresAt has passed', async () => {
        // Prepare
        await store.create(newTask('T1', { status: 'completed', expiresAt: LONG_AGO }));

        // Act & Assess
        await expect(store.update('T1', { append: [{ path: ['notes'], items: [{ at: at(1), text: 'late' }] }], conditions: [] })).resolves.toStrictEqual({
          applied: false,
          task: undefined,
        });
      });

      it('refuses to set a nested path whose parent is missing (DynamoDB ValidationException), changing nothing', async () => {
        // Prepare
        const task = newTask('T1');
        await store.create(task);

        // Act
        const result = store.update('T1', { set: [{ path: ['failure', 'step'], value: 'Submit' }], conditions: [] });

        // Assess
        await expect(result).rejects.toHaveProperty('name', 'ValidationException');
        await expect(store.get('T1')).resolves.toStrictEqual(task);
      });

      it('refuses an update whose paths overlap (DynamoDB ValidationException)', async () => {
        // Prepare
        await store.create(newTask('T1'));
        const update: TaskUpdate = { set: [{ path: ['wait'], value: { kind: 'token', sfnToken: 's', since: at(1), round: 1 } }], remove: [['wait', 'round']], conditions: [] };

        // Act & Assess
        await expect(store.update('T1', update)).rejects.toHaveProperty('name', 'ValidationException');
      });

      it('lands every one of 20 concurrent updates whose conditions all hold (appends to adminNotes)', async () => {
        // Prepare
        await store.create(newTask('T1'));
        const note = (index: number) => ({ at: at(index), by: `admin-${index}`, text: `note ${index}` });

        // Act
        const results = await concurrently(20, (index) => store.update('T1', { append: [{ path: ['adminNotes'], items: [note(index)] }], conditions: [pending] }));

        // Assess
        expect(results.map((result) => result.applied)).toStrictEqual(Array.from({ length: 20 }, () => true));
        const task = (await store.get('T1')) as Task;
        expect([task.version, [...task.adminNotes].sort((a, b) => a.at.localeCompare(b.at))]).toStrictEqual([21, Array.from({ length: 20 }, (_, index) => note(index))]);
      });

      it('applies exactly one of 20 concurrent updates that change what they all require', async () => {
        // Prepare
        await store.create(newTask('T1'));

        // Act
        const results = await concurrently(20, (index) =>
          store.update('T1', { set: [{ path: ['status'], value: 'approved' }, { path: ['approvedBy'], value: { kind: 'admin', id: `admin-${index}` } }], conditions: [pending] }),
        );

        // Assess
        const winners = results.filter((result) => result.applied);
        expect(winners).toHaveLength(1);
        const winner = (winners[0] as { task: Task }).task;
        expect(winner).toStrictEqual(newTask('T1', { status: 'approved', approvedBy: winner.approvedBy as Task['approvedBy'], version: 2 }));
        expect(results.filter((result) => !result.applied)).toStrictEqual(Array.from({ length: 19 }, () => ({ applied: false, task: winner })));
      });
    });

    describe('list and countByStatus', () => {
      /** Five tasks, one a minute: T1 oldest, T5 newest; T2 and T4 are approvals of another requester. */
      const seed = async () => {
        const tasks = [
          newTask('T1', { createdAt: at(1) }),
          newTask('T2', { createdAt: at(2), type: 'quota-change', createdBy: { sub: 'bob', roles: [] } }),
          newTask('T3', { createdAt: at(3), status: 'approved' }),
          newTask('T4', { createdAt: at(4), type: 'quota-change', createdBy: { sub: 'bob', roles: [] } }),
          newTask('T5', { createdAt: at(5) }),
        ];
        for (const task of tasks) await store.create(task);
        return tasks as [Task, Task, Task, Task, Task];
      };

      it('lists newest first, by status, type, both, requester and creation time (both ends inclusive)', async () => {
        // Prepare
        const [t1, t2, t3, t4, t5] = await seed();

        // Act
        const lists = await Promise.all([
          store.list({ limit: 10 }),
          store.list({ status: 'pending', limit: 10 }),
          store.list({ type: 'quota-change', limit: 10 }),
          store.list({ status: 'pending', type: 'sign-up', limit: 10 }),
          store.list({ requester: 'ann', limit: 10 }),
          store.list({ status: 'pending', requester: 'bob', limit: 10 }),
          store.list({ createdFrom: at(2), createdTo: at(4), limit: 10 }),
          store.list({ type: 'sign-up', createdFrom: at(3), limit: 10 }),
          store.list({ status: 'pending', createdTo: at(2), limit: 10 }),
        ]);

        // Assess
        expect(lists).toStrictEqual([
          { items: [t5, t4, t3, t2, t1] },
          { items: [t5, t4, t2, t1] },
          { items: [t4, t2] },
          { items: [t5, t1] },
          { items: [t5, t3, t1] },
          { items: [t4, t2] },
          { items: [t4, t3, t2] },
          { items: [t5, t3] },
          { items: [t2, t1] },
        ]);
      });

      it('lists the tasks awaiting any of the keys given (an approver\'s inbox), and none for an empty list', async () => {
        // Prepare
        const [t1, , t3] = await Promise.all([
          store.create(newTask('T1', { createdAt: at(1), awaiting: ['ann@example.com', 'sub:ann-1'] })).then(() => store.get('T1')),
          store.create(newTask('T2', { createdAt: at(2), awaiting: ['bob@example.com'] })).then(() => store.get('T2')),
          store.create(newTask('T3', { createdAt: at(3), awaiting: ['sub:ann-1'] })).then(() => store.get('T3')),
          store.create(newTask('T4', { createdAt: at(4) })),
        ]);

        // Act
        const lists = await Promise.all([
          store.list({ status: 'pending', awaiting: ['ann@example.com', 'sub:ann-1'], limit: 10 }),
          store.list({ awaiting: ['ann@example.com'], limit: 10 }),
          store.list({ status: 'pending', awaiting: [], limit: 10 }),
        ]);

        // Assess
        expect(lists).toStrictEqual([{ items: [t3, t1] }, { items: [t1] }, { items: [] }]);
      });

      it('pages with cursors, and gives no cursor with the last page', async () => {
        // Prepare
        const [t1, t2, t3, t4, t5] = await seed();

        // Act
        const first = await store.list({ limit: 2 });
        const second = await store.list({ limit: 2, cursor: first.cursor as string });
        const third = await store.list({ limit: 2, cursor: second.cursor as string });
        const exact = await store.list({ type: 'quota-change', limit: 2 });

        // Assess
        expect([first.items, second.items, third]).toStrictEqual([[t5, t4], [t3, t2], { items: [t1] }]);
        expect([typeof first.cursor, typeof second.cursor]).toStrictEqual(['string', 'string']);
        expect(exact).toStrictEqual({ items: [t4, t2] });
      });

      it('pages through a filtered list', async () => {
        // Prepare
        const [t1, t2, , t4, t5] = await seed();

        // Act
        const first = await store.list({ status: 'pending', type: 'sign-up', limit: 1 });
        const second = await store.list({ status: 'pending', type: 'sign-up', limit: 1, cursor: first.cursor as string });
        const bob = await store.list({ requester: 'bob', limit: 1 });
        const bobNext = await store.list({ requester: 'bob', limit: 1, cursor: bob.cursor as string });

        // Assess
        expect([first.items, second, bob.items, bobNext]).toStrictEqual([[t5], { items: [t1] }, [t4], { items: [t2] }]);
      });

      it('leaves out tasks whose expiresAt has passed, and still fills the page', async () => {
        // Prepare
        const [t1, t2, , t4, t5] = await seed();
        await store.update('T3', { set: [{ path: ['status'], value: 'completed' }, { path: ['expiresAt'], value: LONG_AGO }], conditions: [] });

        // Act
        const first = await store.list({ limit: 3 });
        const rest = await store.list({ limit: 3, cursor: first.cursor as string });

        // Assess
        expect([first.items, rest]).toStrictEqual([[t5, t4, t2], { items: [t1] }]);
      });

      it('refuses a cursor it did not make, and one of another list', async () => {
        // Prepare
        await seed();
        const pendingCursor = (await store.list({ status: 'pending', limit: 1 })).cursor as string;

        // Act & Assess
        await expect(store.list({ limit: 2, cursor: 'not-a-cursor' })).rejects.toStrictEqual(CURSOR_REFUSED);
        await expect(store.list({ limit: 2, cursor: Buffer.from('{"pk":1}').toString('base64url') })).rejects.toStrictEqual(CURSOR_REFUSED);
        await expect(store.list({ status: 'approved', limit: 2, cursor: pendingCursor })).rejects.toStrictEqual(CURSOR_REFUSED);
        await expect(store.list({ type: 'sign-up', limit: 2, cursor: pendingCursor })).rejects.toStrictEqual(CURSOR_REFUSED);
      });

      it('moves a task to its new status list when its status changes', async () => {
        // Prepare
        const [t1, t2, t3, t4, t5] = await seed();

        // Act
        const { task: approved } = await store.update('T5', { set: [{ path: ['status'], value: 'approved' }], conditions: [{ path: ['status'], equals: 'pending' }] });

        // Assess
        await expect(store.list({ status: 'pending', limit: 10 })).resolves.toStrictEqual({ items: [t4, t2, t1] });
        await expect(store.list({ status: 'approved', limit: 10 })).resolves.toStrictEqual({ items: [approved, t3] });
        expect(approved).toStrictEqual({ ...t5, status: 'approved', version: 2 });
      });

      it('lists a task as it now is after an update of attributes no index holds', async () => {
        // Prepare
        const [t1, t2, t3, t4, t5] = await seed();

        // Act
        const { task: noted } = await store.update('T4', { append: [{ path: ['notes'], items: [{ at: at(9), text: 'looked at' }] }], conditions: [] });

        // Assess
        expect(noted).toStrictEqual({ ...t4, notes: [{ at: at(9), text: 'looked at' }], version: 2 });
        await expect(store.list({ limit: 10 })).resolves.toStrictEqual({ items: [t5, noted, t3, t2, t1] });
        await expect(store.list({ status: 'pending', requester: 'bob', limit: 10 })).resolves.toStrictEqual({ items: [noted, t2] });
      });

      it('refuses to remove a task\'s project (its scope entry would be lost), changing nothing', async () => {
        // Prepare
        const task = newTask('T1', { projectId: 'p-1' });
        await store.create(task);

        // Act & Assess
        await expect(store.update('T1', { remove: [['projectId']], conditions: [] })).rejects.toThrow('A task keeps its project: projectId (and its byScope entry) cannot be removed.');
        await expect(store.get('T1')).resolves.toStrictEqual(task);
      });

      it('counts tasks by status, every status included', async () => {
        // Prepare
        await seed();
        await store.update('T1', { set: [{ path: ['status'], value: 'rejected' }], conditions: [] });

        // Act
        const counts = await store.countByStatus();

        // Assess
        expect(counts).toStrictEqual({ pending: 3, approved: 1, awaiting_token: 0, completed: 0, rejected: 1, cancelled: 0, failed: 0, expired: 0 });
      });
    });

    describe('list with a scope', () => {
      const anon = null;
      const by = (sub: string) => ({ sub, roles: ['project_admin'] });
      /**
       * S1 ann's, of no project; S2 ann's, given project p-1 after creation (as preApprove does); S3 bob's
       * in p-1 (a quota-change, approved); S4 an anonymous sign-up given p-1; S5 an anonymous sign-up of
       * no project; S6 bob's in p-2; S7 bob's, of no project. One a minute, S1 oldest.
       */
      const seedScopes = async () => {
        const created = [
          newTask('S1', { createdAt: at(1), createdBy: by('ann') }),
          newTask('S2', { createdAt: at(2), createdBy: by('ann') }),
          newTask('S3', { createdAt: at(3), createdBy: by('bob'), projectId: 'p-1', type: 'quota-change', status: 'approved' }),
          newTask('S4', { createdAt: at(4), createdBy: anon, projectId: 'p-1' }),
          newTask('S5', { createdAt: at(5), createdBy: anon }),
          newTask('S6', { createdAt: at(6), createdBy: by('bob'), projectId: 'p-2' }),
          newTask('S7', { createdAt: at(7), createdBy: by('bob') }),
        ];
        for (const task of created) await store.create(task);
        const { task: s2 } = await store.update('S2', { set: [{ path: ['projectId'], value: 'p-1' }], conditions: [] });
        const [s1, , s3, s4, s5, s6, s7] = created;
        return [s1, s2, s3, s4, s5, s6, s7] as [Task, Task, Task, Task, Task, Task, Task];
      };

      it("lists a requester's tasks of no project, a project's tasks, and a requester's tasks of a project, newest first across the parts", async () => {
        // Prepare
        const [s1, s2, s3, s4, , s6, s7] = await seedScopes();

        // Act
        const lists = await Promise.all([
          store.list({ scope: [{ requester: 'ann' }, { project: 'p-1' }], limit: 10 }),
          store.list({ scope: [{ requester: 'ann' }, { project: 'p-1', requester: 'ann' }], limit: 10 }),
          store.list({ scope: [{ requester: 'ann' }], limit: 10 }),
          store.list({ scope: [{ requester: 'bob' }, { project: 'p-2' }], limit: 10 }),
          store.list({ scope: [{ requester: 'cy' }], limit: 10 }),
          store.list({ scope: [], limit: 10 }),
        ]);

        // Assess
        expect(lists).toStrictEqual([
          { items: [s4, s3, s2, s1] },
          { items: [s2, s1] },
          { items: [s1] },
          { items: [s7, s6] },
          { items: [] },
          { items: [] },
        ]);
        expect(s2).toStrictEqual(newTask('S2', { createdAt: at(2), createdBy: by('ann'), projectId: 'p-1', version: 2 }));
      });

      it('applies the status, type, requester and creation filters within a scope', async () => {
        // Prepare
        const [s1, s2, s3, s4] = await seedScopes();
        const scope = [{ requester: 'ann' }, { project: 'p-1' }];

        // Act
        const lists = await Promise.all([
          store.list({ scope, status: 'approved', limit: 10 }),
          store.list({ scope, status: 'pending', type: 'sign-up', limit: 10 }),
          store.list({ scope, type: 'quota-change', limit: 10 }),
          store.list({ scope, requester: 'ann', limit: 10 }),
          store.list({ scope, createdFrom: at(2), createdTo: at(3), limit: 10 }),
          store.list({ scope, createdFrom: at(4), limit: 10 }),
          store.list({ scope, createdTo: at(1), limit: 10 }),
        ]);

        // Assess
        expect(lists).toStrictEqual([{ items: [s3] }, { items: [s4, s2, s1] }, { items: [s3] }, { items: [s2, s1] }, { items: [s3, s2] }, { items: [s4] }, { items: [s1] }]);
      });

      it('pages a scope across its parts with cursors, and gives no cursor with the last page', async () => {
        // Prepare
        const [s1, s2, s3, s4] = await seedScopes();
        const scope = [{ requester: 'ann' }, { project: 'p-1' }];

        // Act
        const pages = [await store.list({ scope, limit: 1 })];
        while (pages.at(-1)?.cursor !== undefined && pages.length < 10) pages.push(await store.list({ scope, limit: 1, cursor: pages.at(-1)?.cursor as string }));
        const pairs = [await store.list({ scope, limit: 3 })];
        pairs.push(await store.list({ scope, limit: 3, cursor: pairs[0]?.cursor as string }));

        // Assess
        expect(pages.map((page) => page.items)).toStrictEqual([[s4], [s3], [s2], [s1]]);
        expect(pages.map((page) => typeof page.cursor)).toStrictEqual(['string', 'string', 'string', 'undefined']);
        expect(pairs).toStrictEqual([{ items: [s4, s3, s2], cursor: pairs[0]?.cursor }, { items: [s1] }]);
      });

      it('refuses a cursor it did not make, and one of a list without a scope (and the reverse)', async () => {
        // Prepare
        await seedScopes();
        const scope = [{ requester: 'ann' }, { project: 'p-1' }];
        const scopedCursor = (await store.list({ scope, limit: 1 })).cursor as string;
        const unscopedCursor = (await store.list({ limit: 1 })).cursor as string;

        // Act & Assess
        await expect(store.list({ scope, limit: 2, cursor: 'not-a-cursor' })).rejects.toStrictEqual(CURSOR_REFUSED);
        await expect(store.list({ scope, limit: 2, cursor: unscopedCursor })).rejects.toStrictEqual(CURSOR_REFUSED);
        await expect(store.list({ limit: 2, cursor: scopedCursor })).rejects.toStrictEqual(CURSOR_REFUSED);
      });

      it('leaves out tasks whose expiresAt has passed', async () => {
        // Prepare
        const [s1, s2, , s4] = await seedScopes();
        await store.update('S3', { set: [{ path: ['status'], value: 'completed' }, { path: ['expiresAt'], value: LONG_AGO }], conditions: [] });

        // Act & Assess
        await expect(store.list({ scope: [{ requester: 'ann' }, { project: 'p-1' }], limit: 10 })).resolves.toStrictEqual({ items: [s4, s2, s1] });
      });
    });
  });
}
