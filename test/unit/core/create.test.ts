import {
  ConcurrentUpdateError,
  DuplicateTaskError,
  ForbiddenError,
  IdempotencyConflictError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '#core/errors';
import type { Engine } from '../../support/engine-harness.ts';
import { expectError } from '../../support/expect-error.ts';
import { ADMIN, setupApprovers, setupOps, signUp } from './sign-ups.ts';

const setup = setupApprovers;

describe('createTask', () => {
  it('stores a pending task and starts its workflow with ids and timeouts only', async () => {
    // Prepare
    const { engine, store, workflow } = setup();
    // Act
    const task = await engine.createTask('sign-up', { email: 'Ann@Example.com', projectName: 'apollo' }, undefined);
    // Assess
    expect(task.status).toBe('pending');
    expect((await store.get(task.id))?.actions).toStrictEqual([
      { name: 'new-project-with-user', data: { email: 'ann@example.com', projectName: 'apollo' }, valid: null, autoApprove: null, needsToken: false, notes: [], stored: {} },
    ]);
    expect(workflow.started).toStrictEqual([{ taskId: task.id, approvalTimeoutSeconds: 604800, tokenTimeoutSeconds: 604800, attempt: 1 }]);
  });

  it('refuses bad data with one error per field, under data.*', async () => {
    const { engine, store } = setup();
    const attempt = engine.createTask('sign-up', { email: 'nope', projectName: 'ab', extra: 1 }, undefined);
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({
      errors: [
        { path: 'data.email', message: 'Must be an email address' },
        { path: 'data.projectName', message: 'Use at least 3 characters' },
        { path: 'data.extra', message: 'Unknown field' },
      ],
    });
    expect(store.tasks.size).toBe(0);
  });

  it('refuses unknown task types with 404', async () => {
    const { engine } = setup();
    await expect(engine.createTask('nope', {}, undefined)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('needs a caller for authenticated types and a role for role-gated ones', async () => {
    const { engine } = setup();
    await expect(engine.createTask('signed-in', { email: 'a@example.com' }, undefined)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(engine.createTask('members-only', { email: 'a@example.com' }, { sub: 'u1', roles: ['guest'] })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(engine.createTask('members-only', { email: 'a@example.com' }, { sub: 'u1', roles: ['member'] })).resolves.toMatchObject({ status: 'pending' });
  });
});

describe('duplicates', () => {
  it('refuses an identical open sign-up (policy reject), naming the open task', async () => {
    const { engine, store } = setupOps();
    const first = await signUp(engine);

    const attempt = signUp(engine);

    await expectError(attempt, DuplicateTaskError, `An identical sign-up request is already open: task ${first.id}.`);
    await expect(attempt).rejects.toMatchObject({ extensions: { existingTaskId: first.id } });
    expect(store.tasks.size).toBe(1);
  });

  it('accepts the same sign-up again once the first has ended', async () => {
    const { engine } = setupOps();
    const first = await signUp(engine);
    await engine.cancel(first.id, ADMIN, 'typo');

    await expect(signUp(engine)).resolves.toMatchObject({ status: 'pending' });
  });

  it('keys duplicates by requester for task types that need one', async () => {
    const { engine, directory } = setupOps();
    await directory.createUser({ email: 'a@example.com', roles: ['project_admin'], enabled: true, createdAt: 'x', projectId: 'p1' });
    await directory.createUser({ email: 'b@example.com', roles: ['project_admin'], enabled: true, createdAt: 'x', projectId: 'p2' });
    const a = { sub: 'a', email: 'a@example.com', roles: ['project_admin'] };
    const b = { sub: 'b', email: 'b@example.com', roles: ['project_admin'] };

    const first = await engine.createTask('quota-change', { size: 'medium' }, a);
    await engine.createTask('quota-change', { size: 'medium' }, b);

    expect((await engine.getTask(first.id)).status).toBe('pending');
  });
});

describe('idempotent creation', () => {
  it('answers a repeat with the first answer, refuses another body with the same key', async () => {
    const { idempotency, engine } = setupOps();
    let runs = 0;
    const create = async () => ({ status: 202, body: { n: ++runs } });

    const first = await engine.idempotent('anonymous#key-1', { a: 1, b: 2 }, create);
    const repeat = await engine.idempotent('anonymous#key-1', { b: 2, a: 1 }, create);

    expect(first).toStrictEqual({ status: 202, body: { n: 1 }, replayed: false });
    expect(repeat).toStrictEqual({ status: 202, body: { n: 1 }, replayed: true });
    await expect(engine.idempotent('anonymous#key-1', { a: 3 }, create)).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(idempotency.records.size).toBe(1);
  });

  it('frees the key when the request fails, and says a running one is in progress', async () => {
    const { idempotency, engine } = setupOps();
    await expect(
      engine.idempotent('k', {}, async () => {
        throw new Error('nope');
      }),
    ).rejects.toThrow('nope');
    expect(idempotency.records.size).toBe(0);
    await idempotency.begin('k2', '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', '2026-11-23T10:00:00.000Z', 3600, {
      leaseSeconds: 30,
      reservedId: 'R1',
    });
    await expect(engine.idempotent('k2', {}, async () => ({ status: 202, body: {} }))).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });

  describe('a key whose first request died', () => {
    const KEY = 'anonymous#key-died';
    const BODY = { type: 'sign-up', data: { email: 'ann@example.com', projectName: 'apollo' } };
    /** What functions/http/tasks.ts runs under an Idempotency-Key. */
    const createAs = (engine: Engine) => async (reservedId: string, takenOver: boolean) => {
      const task = await engine.createTask(BODY.type, BODY.data, undefined, {}, { id: reservedId, resume: takenOver });
      return { status: 202, body: { id: task.id, type: task.type, status: task.status } };
    };
    /** Calls `then` when the request gets that far, then never goes on: the process was killed there. */
    const dieAt = <T>(then: () => void = () => undefined) => (): Promise<T> => {
      then();
      return new Promise<T>(() => undefined);
    };

    it('answers 409 within 30 s of its begin, then lets a retry create the task under the id the first one reserved, once', async () => {
      // Prepare
      const { engine, store, workflow, clock } = setupOps();
      let reserved = '';
      let reached!: () => void;
      const died = new Promise<void>((resolve) => (reached = resolve));
      void engine.idempotent(KEY, BODY, (reservedId) => {
        reserved = reservedId;
        return dieAt<{ status: number; body: unknown }>(reached)();
      });
      await died;

      // Act
      clock.advance(29);
      const early = await expectError(
        engine.idempotent(KEY, BODY, createAs(engine)),
        ConcurrentUpdateError,
        'A request with this Idempotency-Key is still being handled; retry in a moment.',
      );
      clock.advance(1);
      const retry = await engine.idempotent(KEY, BODY, createAs(engine));

      // Assess
      expect([(early as ConcurrentUpdateError).status, (early as ConcurrentUpdateError).retryAfterSeconds]).toStrictEqual([409, 2]);
      expect(retry).toStrictEqual({ status: 202, body: { id: reserved, type: 'sign-up', status: 'pending' }, replayed: false });
      expect([...store.tasks.keys()]).toStrictEqual([reserved]);
      expect(workflow.started).toStrictEqual([{ taskId: reserved, approvalTimeoutSeconds: 604800, tokenTimeoutSeconds: 604800, attempt: 1 }]);
      await expect(engine.idempotent(KEY, BODY, createAs(engine))).resolves.toStrictEqual({ ...retry, replayed: true });
    });

    it('answers the task it created when it died before starting the workflow, and starts that workflow once', async () => {
      // Prepare
      const { engine, store, workflow, clock } = setupOps();
      const start = workflow.start.bind(workflow);
      let reached!: () => void;
      const died = new Promise<void>((resolve) => (reached = resolve));
      workflow.start = dieAt<string>(reached);
      void engine.idempotent(KEY, BODY, createAs(engine));
      await died;
      workflow.start = start;
      const [created] = [...store.tasks.keys()];

      // Act
      clock.advance(30);
      const retry = await engine.idempotent(KEY, BODY, createAs(engine));

      // Assess
      expect(retry).toStrictEqual({ status: 202, body: { id: created, type: 'sign-up', status: 'pending' }, replayed: false });
      expect(store.tasks.size).toBe(1);
      expect(workflow.started).toStrictEqual([{ taskId: created, approvalTimeoutSeconds: 604800, tokenTimeoutSeconds: 604800, attempt: 1 }]);
    });

    it('creates the task when it died after claiming the duplicate key and before storing the task: that claim is its own', async () => {
      // Prepare
      const { engine, store, duplicates, clock } = setupOps();
      const claim = duplicates.claim.bind(duplicates);
      let reached!: () => void;
      const died = new Promise<void>((resolve) => (reached = resolve));
      duplicates.claim = async (...args) => {
        await claim(...args);
        return dieAt<boolean>(reached)();
      };
      void engine.idempotent(KEY, BODY, createAs(engine));
      await died;
      duplicates.claim = claim;

      // Act
      clock.advance(30);
      const retry = await engine.idempotent(KEY, BODY, createAs(engine));

      // Assess
      expect(retry).toStrictEqual({ status: 202, body: { id: '01JTASK0000000000000000001', type: 'sign-up', status: 'pending' }, replayed: false });
      expect([...store.tasks.keys()]).toStrictEqual(['01JTASK0000000000000000001']);
    });
  });
});
