import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbUserDirectory } from '#adapters/dynamodb/user-directory';
import { endpoints, unique } from '../support/stack.ts';

/** The user directory's conditional and transactional writes against DynamoDB Local. */
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const directory = () => {
  const { dynamodb, tableName } = endpoints().services;
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodb, region: 'us-east-1', credentials }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return new DynamoDbUserDirectory({ client, tableName });
};

const user = (email: string, extra: Record<string, unknown> = {}) => ({
  email,
  roles: ['member'],
  enabled: true,
  createdAt: '2026-11-23T10:00:00.000Z',
  ...extra,
});

describe('projects', () => {
  it('creates a project and its name claim together, once, and finds it by id and by name', async () => {
    // Prepare
    const id = `p-${unique()}`;
    const project = { id, name: `n-${unique()}`, createdAt: '2026-11-23T10:00:00.000Z' };

    // Act
    const created = await directory().createProject(project);
    const retried = await directory().createProject(project);
    const sameName = await directory().createProject({ ...project, id: `p-${unique()}` });

    // Assess
    expect([created, retried, sameName]).toStrictEqual([true, false, false]);
    await expect(directory().getProject(id)).resolves.toStrictEqual(project);
    await expect(directory().findProjectByName(project.name)).resolves.toStrictEqual(project);
  });

  it('does not claim a name when the id is taken (both items or neither)', async () => {
    const id = `p-${unique()}`;
    await directory().createProject({ id, name: `n-${unique()}`, createdAt: 'x' });
    const freeName = `n-${unique()}`;

    await expect(directory().createProject({ id, name: freeName, createdAt: 'x' })).resolves.toBe(false);

    await expect(directory().findProjectByName(freeName)).resolves.toBeUndefined();
  });

  it('finishes a create that crashed after claiming the name, and releases a claim whose id turns out taken', async () => {
    // Prepare: a claim naming the id, as a crash between the two puts leaves it; and an id another project has.
    const { dynamodb, tableName } = endpoints().services;
    const id = `p-${unique()}`;
    const name = `n-${unique()}`;
    const raw = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodb, region: 'us-east-1', credentials }));
    await raw.send(new PutCommand({ TableName: tableName, Item: { pk: `PROJECTNAME#${name}`, sk: 'PROJECTNAME', projectId: id } }));
    const taken = { id: `p-${unique()}`, name: `n-${unique()}`, createdAt: 'x' };
    await directory().createProject(taken);

    // Act
    const finished = await directory().createProject({ id, name, createdAt: 'x' });
    const otherName = `n-${unique()}`;
    const clash = await directory().createProject({ id: taken.id, name: otherName, createdAt: 'x' });

    // Assess
    expect([finished, clash]).toStrictEqual([true, false]);
    await expect(directory().findProjectByName(name)).resolves.toStrictEqual({ id, name, createdAt: 'x' });
    await expect(directory().findProjectByName(otherName)).resolves.toBeUndefined();
  });

  it('frees a name that a create which crashed midway left claimed without a project', async () => {
    // Prepare
    const { dynamodb, tableName } = endpoints().services;
    const id = `p-${unique()}`;
    const name = `n-${unique()}`;
    const raw = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodb, region: 'us-east-1', credentials }));
    await raw.send(new PutCommand({ TableName: tableName, Item: { pk: `PROJECTNAME#${name}`, sk: 'PROJECTNAME', projectId: id } }));

    // Act
    const deleted = await directory().deleteProject({ id, name });
    const again = await directory().createProject({ id: `p-${unique()}`, name, createdAt: 'x' });

    // Assess
    expect([deleted, again]).toStrictEqual([true, true]);
  });

  it('sets a quota idempotently, and refuses an unknown project', async () => {
    const id = `p-${unique()}`;
    const project = { id, name: `n-${unique()}`, createdAt: 'x' };
    await directory().createProject(project);
    const quota = { size: 'medium', instances: 25, cores: 50, ramGb: 160 };

    const results = [await directory().setQuota(id, quota), await directory().setQuota(id, quota), await directory().setQuota(`p-${unique()}`, quota)];

    expect(results).toStrictEqual([true, true, false]);
    await expect(directory().getProject(id)).resolves.toStrictEqual({ ...project, quota });
  });
});

describe('grantRoles', () => {
  it('adds the missing roles, sets the project of a user who had none, and changes nothing the second time', async () => {
    const email = `g-${unique()}@example.com`;
    await directory().createUser(user(email, { roles: [] }));

    const first = await directory().grantRoles(email, 'p-1', ['member', 'project_admin']);
    const second = await directory().grantRoles(email, 'p-1', ['project_admin']);

    expect([first, second]).toStrictEqual(['granted', 'unchanged']);
    await expect(directory().findUser(email)).resolves.toStrictEqual(user(email, { roles: ['member', 'project_admin'], projectId: 'p-1' }));
  });

  it('refuses a user of another project, and an unknown user', async () => {
    const email = `g-${unique()}@example.com`;
    await directory().createUser(user(email, { projectId: 'p-1' }));

    await expect(directory().grantRoles(email, 'p-2', ['member'])).resolves.toBe('other-project');
    await expect(directory().grantRoles(`nobody-${unique()}@example.com`, 'p-1', ['member'])).resolves.toBe('not-found');
    await expect(directory().findUser(email)).resolves.toStrictEqual(user(email, { projectId: 'p-1' }));
  });

  it('loses no role when 8 writers grant different roles at once', async () => {
    const email = `g-${unique()}@example.com`;
    await directory().createUser(user(email, { roles: [], projectId: 'p-1' }));
    const roles = Array.from({ length: 8 }, (_, index) => `role-${index}`);

    const results = await Promise.all(roles.map((role) => directory().grantRoles(email, 'p-1', [role])));

    expect(results).toStrictEqual(roles.map(() => 'granted'));
    expect([...((await directory().findUser(email))?.roles ?? [])].sort()).toStrictEqual(roles);
  });
});

describe('changeEmail', () => {
  it('moves the whole record atomically; a retry answers already-changed and changes nothing', async () => {
    // Prepare
    const from = `old-${unique()}@example.com`;
    const to = `new-${unique()}@example.com`;
    await directory().createUser(user(from, { projectId: 'p-1', roles: ['project_admin'] }));

    // Act
    const first = await directory().changeEmail(from, to.toUpperCase());
    const retry = await directory().changeEmail(from, to);

    // Assess
    expect([first, retry]).toStrictEqual(['changed', 'already-changed']);
    await expect(directory().findUser(from)).resolves.toBeUndefined();
    await expect(directory().findUser(to)).resolves.toStrictEqual(user(to, { projectId: 'p-1', roles: ['project_admin'], previousEmail: from }));
  });

  it('refuses a taken address and leaves both records alone', async () => {
    const from = `old-${unique()}@example.com`;
    const to = `taken-${unique()}@example.com`;
    await directory().createUser(user(from));
    await directory().createUser(user(to, { roles: ['other'] }));

    await expect(directory().changeEmail(from, to)).resolves.toBe('taken');

    await expect(directory().findUser(from)).resolves.toStrictEqual(user(from));
    await expect(directory().findUser(to)).resolves.toStrictEqual(user(to, { roles: ['other'] }));
  });

  it('answers not-found for an unknown address', async () => {
    await expect(directory().changeEmail(`nobody-${unique()}@example.com`, `new-${unique()}@example.com`)).resolves.toBe('not-found');
  });

  it('lets exactly one of 6 concurrent moves do the work; the others see it done', async () => {
    const from = `old-${unique()}@example.com`;
    const to = `new-${unique()}@example.com`;
    await directory().createUser(user(from));

    const results = await Promise.all(Array.from({ length: 6 }, () => directory().changeEmail(from, to)));

    expect(results.filter((result) => result === 'changed')).toHaveLength(1);
    expect(results.filter((result) => result === 'already-changed')).toHaveLength(5);
    await expect(directory().findUser(to)).resolves.toStrictEqual(user(to, { previousEmail: from }));
  });
});
