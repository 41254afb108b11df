import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbUserDirectory } from '#adapters/dynamodb/user-directory';
import { TransientError } from '#core/errors';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(client);
const directory = new DynamoDbUserDirectory({ client, tableName: 'assent' });

const USER = { email: 'una@example.com', projectId: 'p-1', roles: ['member'], enabled: true, passwordHash: 'scrypt$h', createdAt: 'x' };
const userItem = (user: Record<string, unknown> = USER) => ({ pk: `USER#${String(user.email)}`, sk: 'USER', ...user });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

beforeEach(() => ddb.reset());

describe('DynamoDbUserDirectory projects', () => {
  it('claims the name (free, or already this id\'s: a retry), then puts the project, each conditional', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    // Act
    const created = await directory.createProject({ id: 'p-1', name: 'apollo', createdAt: 'x' });
    // Assess
    expect(created).toBe(true);
    expect(ddb.commandCalls(PutCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        TableName: 'assent',
        Item: { pk: 'PROJECTNAME#apollo', sk: 'PROJECTNAME', projectId: 'p-1' },
        ConditionExpression: 'attribute_not_exists(pk) OR projectId = :id',
        ExpressionAttributeValues: { ':id': 'p-1' },
      },
      { TableName: 'assent', Item: { pk: 'PROJECT#p-1', sk: 'PROJECT', id: 'p-1', name: 'apollo', createdAt: 'x' }, ConditionExpression: 'attribute_not_exists(pk)' },
    ]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers false when the name is another project\'s, and puts no project', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'taken', $metadata: {} }));
    // Act
    const created = await directory.createProject({ id: 'p-1', name: 'apollo', createdAt: 'x' });
    // Assess
    expect([created, ddb.commandCalls(PutCommand).length]).toStrictEqual([false, 1]);
  });

  it('answers false when the id is another project\'s, claiming nothing', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: { pk: 'PROJECT#p-1', sk: 'PROJECT', id: 'p-1', name: 'other', createdAt: 'x' } });
    // Act
    const created = await directory.createProject({ id: 'p-1', name: 'apollo', createdAt: 'x' });
    // Assess
    expect([created, ddb.commandCalls(PutCommand).length]).toStrictEqual([false, 0]);
  });

  it('finds a project by name through its claim', async () => {
    ddb.on(GetCommand, { Key: { pk: 'PROJECTNAME#apollo', sk: 'PROJECTNAME' } }).resolves({ Item: { pk: 'PROJECTNAME#apollo', sk: 'PROJECTNAME', projectId: 'p-1' } });
    ddb.on(GetCommand, { Key: { pk: 'PROJECT#p-1', sk: 'PROJECT' } }).resolves({ Item: { pk: 'PROJECT#p-1', sk: 'PROJECT', id: 'p-1', name: 'apollo', createdAt: 'x' } });

    await expect(directory.findProjectByName('apollo')).resolves.toStrictEqual({ id: 'p-1', name: 'apollo', createdAt: 'x' });
  });

  it('sets a quota only on an existing project', async () => {
    ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(new ConditionalCheckFailedException({ message: 'no project', $metadata: {} }));
    const quota = { size: 'medium', instances: 25, cores: 50, ramGb: 160 };

    await expect(directory.setQuota('p-1', quota)).resolves.toBe(true);
    await expect(directory.setQuota('p-2', quota)).resolves.toBe(false);

    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toStrictEqual({
      TableName: 'assent',
      Key: { pk: 'PROJECT#p-1', sk: 'PROJECT' },
      UpdateExpression: 'SET quota = :quota',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':quota': quota },
    });
  });
});

describe('DynamoDbUserDirectory.grantRoles', () => {
  it('writes the merged roles on condition that the roles and project are as read', async () => {
    ddb.on(GetCommand).resolves({ Item: userItem() });
    ddb.on(UpdateCommand).resolves({});

    await expect(directory.grantRoles('una@example.com', 'p-1', ['member', 'project_admin'])).resolves.toBe('granted');

    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toStrictEqual({
      TableName: 'assent',
      Key: { pk: 'USER#una@example.com', sk: 'USER' },
      UpdateExpression: 'SET #roles = :roles, projectId = :project',
      ConditionExpression: 'attribute_exists(pk) AND #roles = :read AND (attribute_not_exists(projectId) OR projectId = :project)',
      ExpressionAttributeNames: { '#roles': 'roles' },
      ExpressionAttributeValues: { ':roles': ['member', 'project_admin'], ':read': ['member'], ':project': 'p-1' },
    });
  });

  it('reads again when another writer changed the user in between', async () => {
    ddb.on(GetCommand).resolvesOnce({ Item: userItem() }).resolves({ Item: userItem({ ...USER, roles: ['member', 'reader'] }) });
    ddb.on(UpdateCommand).rejectsOnce(new ConditionalCheckFailedException({ message: 'changed', $metadata: {} })).resolves({});

    await expect(directory.grantRoles('una@example.com', 'p-1', ['project_admin'])).resolves.toBe('granted');

    expect(ddb.commandCalls(UpdateCommand)[1]?.args[0].input.ExpressionAttributeValues).toStrictEqual({
      ':roles': ['member', 'reader', 'project_admin'],
      ':read': ['member', 'reader'],
      ':project': 'p-1',
    });
  });

  it('writes nothing when the user already has the roles', async () => {
    ddb.on(GetCommand).resolves({ Item: userItem() });

    await expect(directory.grantRoles('una@example.com', 'p-1', ['member'])).resolves.toBe('unchanged');

    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});

describe('DynamoDbUserDirectory.changeEmail', () => {
  it('puts the new record if the address is free and deletes the old one if it is unchanged, in one transaction', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: userItem() });
    ddb.on(TransactWriteCommand).resolves({});
    // Act
    const result = await directory.changeEmail('Una@Example.com', 'una@new.example.com');
    // Assess
    expect(result).toBe('changed');
    expect(ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input).toStrictEqual({
      TransactItems: [
        {
          Put: {
            TableName: 'assent',
            Item: { pk: 'USER#una@new.example.com', sk: 'USER', ...USER, email: 'una@new.example.com', previousEmail: 'una@example.com' },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Delete: {
            TableName: 'assent',
            Key: { pk: 'USER#una@example.com', sk: 'USER' },
            ConditionExpression:
              'attribute_exists(pk) AND #a0 = :a0 AND #a1 = :a1 AND #a2 = :a2 AND #a3 = :a3 AND #a4 = :a4 AND #a5 = :a5 AND attribute_not_exists(#o0)',
            ExpressionAttributeNames: { '#a0': 'email', '#a1': 'projectId', '#a2': 'roles', '#a3': 'enabled', '#a4': 'passwordHash', '#a5': 'createdAt', '#o0': 'previousEmail' },
            ExpressionAttributeValues: { ':a0': 'una@example.com', ':a1': 'p-1', ':a2': ['member'], ':a3': true, ':a4': 'scrypt$h', ':a5': 'x' },
          },
        },
      ],
    });
  });

  it('answers taken when the new address belongs to someone else', async () => {
    ddb.on(GetCommand, { Key: { pk: 'USER#una@example.com', sk: 'USER' } }).resolves({ Item: userItem() });
    ddb.on(GetCommand, { Key: { pk: 'USER#una@new.example.com', sk: 'USER' } }).resolves({ Item: userItem({ ...USER, email: 'una@new.example.com' }) });
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));

    await expect(directory.changeEmail('una@example.com', 'una@new.example.com')).resolves.toBe('taken');
  });

  it('answers already-changed when the old address is gone and the new record came from it', async () => {
    ddb.on(GetCommand, { Key: { pk: 'USER#una@example.com', sk: 'USER' } }).resolves({});
    ddb.on(GetCommand, { Key: { pk: 'USER#una@new.example.com', sk: 'USER' } }).resolves({
      Item: userItem({ ...USER, email: 'una@new.example.com', previousEmail: 'una@example.com' }),
    });

    await expect(directory.changeEmail('una@example.com', 'una@new.example.com')).resolves.toBe('already-changed');

    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('reads again when the old record changed between the read and the transaction', async () => {
    ddb.on(GetCommand).resolvesOnce({ Item: userItem() }).resolves({ Item: userItem({ ...USER, enabled: false }) });
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'ConditionalCheckFailed')).resolves({});

    await expect(directory.changeEmail('una@example.com', 'una@new.example.com')).resolves.toBe('changed');

    expect(ddb.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems?.[0]?.Put?.Item).toMatchObject({ enabled: false });
  });

  it('turns throttling into TransientError', async () => {
    ddb.on(GetCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(directory.changeEmail('una@example.com', 'una@new.example.com')).rejects.toBeInstanceOf(TransientError);
  });
});
