import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTaskStore } from '#adapters/dynamodb/task-store';
import { DynamoDbUserDirectory } from '#adapters/dynamodb/user-directory';
import { SesMailer } from '#adapters/ses/mailer';
import { ConcurrentUpdateError } from '#core/errors';
import type { Task } from '#core/task';
import { endpoints, unique, waitForEmail } from '../support/stack.ts';

/** The adapters against the real emulators the local stack runs (DynamoDB Local, the SES emulator). */
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const services = () => endpoints().services;
const documentClient = () =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: services().dynamodb, region: 'us-east-1', credentials }), {
    marshallOptions: { removeUndefinedValues: true },
  });

const newTask = (id: string): Task => ({
  id,
  type: 'sign-up',
  status: 'pending',
  actions: [{ name: 'new-project-with-user', data: { email: 'x@example.com' }, valid: true, autoApprove: null, needsToken: false, notes: [], stored: {} }],
  notes: [],
  history: [{ at: '2026-11-23T10:00:00.000Z', by: { kind: 'system', id: 'system' }, event: 'created', from: null, to: 'pending' }],
  createdBy: null,
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  sentEmails: [],
  adminNotes: [],
  attempt: 1,
  version: 0,
});

describe('DynamoDbTaskStore on DynamoDB Local', () => {
  const store = () => new DynamoDbTaskStore({ client: documentClient(), tableName: services().tableName });

  it('round-trips a task and refuses to create it twice', async () => {
    const task = newTask(`T${unique()}`);
    await store().create(task);
    await expect(store().get(task.id)).resolves.toStrictEqual(task);
    await expect(store().create(task)).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });

  it('lets exactly one of 20 concurrent writers of the same version win', async () => {
    const task = newTask(`T${unique()}`);
    await store().create(task);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) => store().save({ ...task, notes: [{ at: 'x', text: `writer ${index}` }] }, { version: 0 })),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((result) => result.status === 'rejected' && result.reason instanceof ConcurrentUpdateError)).toHaveLength(19);
    expect((await store().get(task.id))?.version).toBe(1);
  });

  it('lets exactly one of 20 concurrent consumers use a secret, and revokes the rest of a task\'s secrets', async () => {
    const taskId = `T${unique()}`;
    const base = { kind: 'token' as const, taskId, createdAt: '2026-11-23T10:00:00.000Z', validUntil: '2099-01-01T00:00:00.000Z' };
    await store().putSecret({ ...base, hash: `h1-${taskId}` });
    await store().putSecret({ ...base, hash: `h2-${taskId}`, createdAt: '2026-11-23T10:00:01.000Z' });

    const wins = await Promise.all(Array.from({ length: 20 }, () => store().consumeSecret(`h1-${taskId}`, 'requester', '2026-11-23T11:00:00.000Z')));
    await store().revokeSecrets(taskId, 'token', '2026-11-23T12:00:00.000Z', 'replaced');

    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await store().getSecret(`h1-${taskId}`)).toStrictEqual({ ...base, hash: `h1-${taskId}`, usedAt: '2026-11-23T11:00:00.000Z', usedBy: 'requester' });
    expect(await store().getSecret(`h2-${taskId}`)).toMatchObject({ revokedAt: '2026-11-23T12:00:00.000Z', revokedReason: 'replaced' });
    await expect(store().consumeSecret(`h2-${taskId}`, 'requester', '2026-11-23T13:00:00.000Z')).resolves.toBe(false);
  });

  it('does not let an expired secret be used', async () => {
    const taskId = `T${unique()}`;
    await store().putSecret({ hash: `old-${taskId}`, kind: 'approval', taskId, createdAt: '2026-11-01T00:00:00.000Z', validUntil: '2026-11-02T00:00:00.000Z' });
    await expect(store().consumeSecret(`old-${taskId}`, 'a', '2026-11-03T00:00:00.000Z')).resolves.toBe(false);
  });
});

describe('DynamoDbUserDirectory on DynamoDB Local', () => {
  it('creates users and projects once, and updates them', async () => {
    const directory = new DynamoDbUserDirectory({ client: documentClient(), tableName: services().tableName });
    const email = `u-${unique()}@example.com`;
    const user = { email, roles: ['member'], enabled: false, createdAt: '2026-11-23T10:00:00.000Z' };

    await expect(directory.createUser(user)).resolves.toBe(true);
    await expect(directory.createUser(user)).resolves.toBe(false);
    await directory.setPassword(email, 'scrypt$hash');
    await directory.enableUser(email);
    const name = `p-${unique()}`;
    await expect(directory.createProject({ id: 'p1', name, createdAt: 'x' })).resolves.toBe(true);
    await expect(directory.createProject({ id: 'p2', name, createdAt: 'x' })).resolves.toBe(false);

    await expect(directory.findUser(email.toUpperCase())).resolves.toStrictEqual({ ...user, enabled: true, passwordHash: 'scrypt$hash' });
    await expect(directory.findProjectByName(name)).resolves.toStrictEqual({ id: 'p1', name, createdAt: 'x' });
  });
});

describe('SesMailer on the SES emulator', () => {
  it('delivers text and HTML to the mailbox', async () => {
    const mailer = new SesMailer({ client: new SESClient({ endpoint: services().ses, region: 'us-east-1', credentials }) });
    const to = `m-${unique()}@example.com`;

    const messageId = await mailer.send({ to: [to], from: 'assent@example.com', subject: 'Hello', text: 'plain', html: '<p>rich</p>', taskId: 'T1' });

    const email = await waitForEmail((mail) => mail.destination.to.includes(to));
    expect(email).toMatchObject({ messageId, from: 'assent@example.com', subject: 'Hello', body: { text: 'plain', html: '<p>rich</p>' } });
  });
});
