import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbUserDirectory } from '#adapters/dynamodb/user-directory';
import { SesMailer } from '#adapters/ses/mailer';
import { endpoints, unique, waitForEmail } from '../support/stack.ts';

/** The adapters against the real emulators the local stack runs (DynamoDB Local, the SES emulator). */
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const services = () => endpoints().services;
const documentClient = () =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: services().dynamodb, region: 'us-east-1', credentials }), {
    marshallOptions: { removeUndefinedValues: true },
  });

// The stores of tasks, secrets, duplicate keys, idempotency keys and notifications are checked on
// DynamoDB Local by their contracts: test/contract/dynamodb.test.ts.

describe('DynamoDbUserDirectory on DynamoDB Local', () => {
  it('creates users and projects once, and updates them', async () => {
    const directory = new DynamoDbUserDirectory({ client: documentClient(), tableName: services().tableName });
    const email = `u-${unique()}@example.com`;
    const user = { email, roles: ['member'], enabled: false, createdAt: '2026-11-23T10:00:00.000Z' };

    await expect(directory.createUser(user)).resolves.toBe(true);
    await expect(directory.createUser(user)).resolves.toBe(false);
    await directory.activateUser(email, 'scrypt$hash');
    const name = `p-${unique()}`;
    await expect(directory.createProject({ id: 'p1', name, createdAt: 'x' })).resolves.toBe(true);
    await expect(directory.createProject({ id: 'p2', name, createdAt: 'x' })).resolves.toBe(false);

    await expect(directory.findUser(email.toUpperCase())).resolves.toStrictEqual({ ...user, enabled: true, hasPassword: true });
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

  it('delivers text with a lone surrogate with U+FFFD in its place (the SDK would throw URIError), and the next email after it', async () => {
    // Prepare
    const mailer = new SesMailer({ client: new SESClient({ endpoint: services().ses, region: 'us-east-1', credentials }) });
    const to = `surrogate-${unique()}@example.com`;

    // Act
    await mailer.send({ to: [to], from: 'assent@example.com', subject: 'Rejected \ud800', text: 'Reason: spam \udc00', html: '<p>\ud800</p>', taskId: 'T1' });
    await mailer.send({ to: [to], from: 'assent@example.com', subject: 'Next', text: 'fine', taskId: 'T2' });

    // Assess
    const first = await waitForEmail((mail) => mail.destination.to.includes(to) && mail.subject.startsWith('Rejected'));
    const next = await waitForEmail((mail) => mail.destination.to.includes(to) && mail.subject === 'Next');
    expect([first.subject, first.body.text, first.body.html, next.body.text]).toStrictEqual(['Rejected \ufffd', 'Reason: spam \ufffd', '<p>\ufffd</p>', 'fine']);
  });
});
