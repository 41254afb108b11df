import {
  ConcurrentUpdateError,
  DuplicateTaskError,
  ForbiddenError,
  IdempotencyConflictError,
  NotFoundError,
  TransientError,
  UnauthorizedError,
  ValidationError,
} from '#core/errors';
import { jest } from '@jest/globals';
import { IDEMPOTENCY_TTL_SECONDS } from '#adapters/powertools/idempotency';
import type { Context } from '#core/context';
import { idempotent, idFor } from '#core/idempotency';
import { TaskIdSchema } from '#http/schemas';
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
  /** How long each request's invocation may still run. */
  const RUNS_FOR_MS = 29_000;
  const T0 = Date.parse('2026-11-23T10:00:00.000Z');
  let offsetMs = 0;
  /** Moves the clock Powertools Idempotency reads (`Date.now()`) to `ms` after T0. */
  const at = (ms: number) => (offsetMs = ms);
  const request = (key: string, body: unknown) => ({ key, body, remainingTimeMs: () => RUNS_FOR_MS });
  beforeEach(() => {
    at(0);
    jest.spyOn(Date, 'now').mockImplementation(() => T0 + offsetMs);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('is refused by a core without the Idempotency port (every function but HTTP), before anything is created', async () => {
    // Prepare
    const ctx = { deps: {} } as unknown as Context;
    let created = 0;

    // Act
    const attempt = idempotent(ctx, request('anonymous#key-1', {}), async () => ({ status: 202, body: { n: ++created } }));

    // Assess
    await expectError(attempt, Error, "This function's core has no Idempotency port: only the HTTP function takes an Idempotency-Key (functions/http/handler.ts gives it one).");
    expect(created).toBe(0);
  });

  it('answers a repeat with the first answer, refuses another body with the same key', async () => {
    // Prepare
    const { idempotency, engine } = setupOps();
    let runs = 0;
    const create = async () => ({ status: 202, body: { n: ++runs } });

    // Act
    const first = await engine.idempotent(request('anonymous#key-1', { a: 1, b: 2 }), create);
    const repeat = await engine.idempotent(request('anonymous#key-1', { b: 2, a: 1 }), create);
    const other = engine.idempotent(request('anonymous#key-1', { a: 3 }), create);

    // Assess
    expect(first).toStrictEqual({ status: 202, body: { n: 1 }, replayed: false });
    expect(repeat).toStrictEqual({ status: 202, body: { n: 1 }, replayed: true });
    await expectError(other, IdempotencyConflictError, 'This Idempotency-Key was used with a different request body. Use a new key for a new request.');
    expect(idempotency.records.size).toBe(1);
  });

  it('frees the key when the request fails, and says a running one is in progress', async () => {
    // Prepare
    const { idempotency, engine } = setupOps();
    let reached!: () => void;
    const running = new Promise<void>((resolve) => (reached = resolve));

    // Act
    const failed = engine.idempotent(request('k', {}), async () => {
      throw new Error('nope');
    });
    await expect(failed).rejects.toThrow('nope');
    const recordsAfterFailure = idempotency.records.size;
    void engine.idempotent(request('k2', {}), () => {
      reached();
      return new Promise(() => undefined);
    });
    await running;
    const repeat = await expectError(engine.idempotent(request('k2', {}), async () => ({ status: 202, body: {} })), ConcurrentUpdateError, 'A request with this Idempotency-Key is still being handled; retry in a moment.');

    // Assess
    expect(recordsAfterFailure).toBe(0);
    expect([(repeat as ConcurrentUpdateError).status, (repeat as ConcurrentUpdateError).retryAfterSeconds]).toStrictEqual([409, 2]);
  });

  it('answers a fault of the store as the store raised it, not wrapped by Powertools', async () => {
    // Prepare
    const { idempotency, engine } = setupOps();
    jest.spyOn(idempotency, 'saveInProgress').mockRejectedValue(new TransientError('Starting an idempotent request: throttled'));

    // Act
    const attempt = engine.idempotent(request('k', {}), async () => ({ status: 202, body: {} }));

    // Assess
    await expectError(attempt, TransientError, 'Starting an idempotent request: throttled');
  });

  it('gives every run of one request the same task id: the key\'s and the body\'s, in the shape of a task id', () => {
    // Act
    const ids = [idFor('u1#k', { type: 't', data: { a: 1, b: 2 } }), idFor('u1#k', { type: 't', data: { b: 2, a: 1 } }), idFor('u2#k', { type: 't', data: { a: 1, b: 2 } }), idFor('u1#k', { type: 't', data: { a: 2, b: 2 } })];

    // Assess
    expect(ids.map((id) => TaskIdSchema.safeParse(id).success)).toStrictEqual([true, true, true, true]);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3);
    expect(ids.every((id) => id[0] !== undefined && id[0] <= '7')).toBe(true);
  });

  describe('a key whose first request died', () => {
    const KEY = 'anonymous#key-died';
    const BODY = { type: 'sign-up', data: { email: 'ann@example.com', projectName: 'apollo' } };
    const ID = idFor(KEY, BODY);
    /** What functions/http/tasks.ts runs under an Idempotency-Key. */
    const createAs = (engine: Engine) => async (id: string) => {
      const task = await engine.createTask(BODY.type, BODY.data, undefined, {}, { id, resume: true });
      return { status: 202, body: { id: task.id, type: task.type, status: task.status } };
    };
    /** Calls `then` when the request gets that far, then never goes on: the process was killed there. */
    const dieAt = <T>(then: () => void = () => undefined) => (): Promise<T> => {
      then();
      return new Promise<T>(() => undefined);
    };

    it('answers 409 while its invocation could still run, then lets a retry create the task under the request\'s id, once', async () => {
      // Prepare
      const { engine, store, workflow } = setupOps();
      let given = '';
      let reached!: () => void;
      const died = new Promise<void>((resolve) => (reached = resolve));
      void engine.idempotent(request(KEY, BODY), (id) => {
        given = id;
        return dieAt<{ status: number; body: unknown }>(reached)();
      });
      await died;

      // Act
      at(RUNS_FOR_MS - 1);
      const early = await expectError(
        engine.idempotent(request(KEY, BODY), createAs(engine)),
        ConcurrentUpdateError,
        'A request with this Idempotency-Key is still being handled; retry in a moment.',
      );
      at(RUNS_FOR_MS + 1);
      const retry = await engine.idempotent(request(KEY, BODY), createAs(engine));

      // Assess
      expect([given, (early as ConcurrentUpdateError).status, (early as ConcurrentUpdateError).retryAfterSeconds]).toStrictEqual([ID, 409, 2]);
      expect(retry).toStrictEqual({ status: 202, body: { id: ID, type: 'sign-up', status: 'pending' }, replayed: false });
      expect([...store.tasks.keys()]).toStrictEqual([ID]);
      expect(workflow.started).toStrictEqual([{ taskId: ID, approvalTimeoutSeconds: 604800, tokenTimeoutSeconds: 604800, attempt: 1 }]);
      await expect(engine.idempotent(request(KEY, BODY), createAs(engine))).resolves.toStrictEqual({ ...retry, replayed: true });
    });

    it('answers the task it created when it died before starting the workflow, and starts that workflow once', async () => {
      // Prepare
      const { engine, store, workflow } = setupOps();
      const start = workflow.start.bind(workflow);
      let reached!: () => void;
      const died = new Promise<void>((resolve) => (reached = resolve));
      workflow.start = dieAt<string>(reached);
      void engine.idempotent(request(KEY, BODY), createAs(engine));
      await died;
      workflow.start = start;

      // Act
      at(RUNS_FOR_MS + 1);
      const retry = await engine.idempotent(request(KEY, BODY), createAs(engine));

      // Assess
      expect(retry).toStrictEqual({ status: 202, body: { id: ID, type: 'sign-up', status: 'pending' }, replayed: false });
      expect([...store.tasks.keys()]).toStrictEqual([ID]);
      expect(workflow.started).toStrictEqual([{ taskId: ID, approvalTimeoutSeconds: 604800, tokenTimeoutSeconds: 604800, attempt: 1 }]);
    });

    it('creates the task when it died after claiming the duplicate key and before storing the task: that claim is its own', async () => {
      // Prepare
      const { engine, store, duplicates } = setupOps();
      const claim = duplicates.claim.bind(duplicates);
      let reached!: () => void;
      const died = new Promise<void>((resolve) => (reached = resolve));
      duplicates.claim = async (...args) => {
        await claim(...args);
        return dieAt<boolean>(reached)();
      };
      void engine.idempotent(request(KEY, BODY), createAs(engine));
      await died;
      duplicates.claim = claim;

      // Act
      at(RUNS_FOR_MS + 1);
      const retry = await engine.idempotent(request(KEY, BODY), createAs(engine));

      // Assess
      expect(retry).toStrictEqual({ status: 202, body: { id: ID, type: 'sign-up', status: 'pending' }, replayed: false });
      expect([...store.tasks.keys()]).toStrictEqual([ID]);
    });

    it('answers the task of the same request sent again after the key expired, without creating another', async () => {
      // Prepare
      const { engine, store, workflow } = setupOps();
      const first = await engine.idempotent(request(KEY, BODY), createAs(engine));

      // Act
      at(IDEMPOTENCY_TTL_SECONDS * 1000 + 1_000);
      const again = await engine.idempotent(request(KEY, BODY), createAs(engine));

      // Assess
      expect([first, again]).toStrictEqual([
        { status: 202, body: { id: ID, type: 'sign-up', status: 'pending' }, replayed: false },
        { status: 202, body: { id: ID, type: 'sign-up', status: 'pending' }, replayed: false },
      ]);
      expect([...store.tasks.keys()]).toStrictEqual([ID]);
      // Started twice by name, which finds the running execution: one execution.
      expect([...workflow.statuses.keys()]).toStrictEqual([workflow.executionArn(ID, 1)]);
    });
  });
});
