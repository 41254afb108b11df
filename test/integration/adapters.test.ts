import { SESClient } from '@aws-sdk/client-ses';
import { SesMailer } from '#adapters/ses/mailer';
import { endpoints, unique, waitForEmail } from '../support/stack.ts';

/** The SES adapter against the SES emulator the local stack runs (the DynamoDB adapters: their contracts, test/contract/dynamodb.test.ts). */
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const services = () => endpoints().services;

// The stores of tasks, secrets, duplicate keys, idempotency keys and notifications are checked on
// DynamoDB Local by their contracts: test/contract/dynamodb.test.ts.

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
