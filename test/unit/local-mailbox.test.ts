import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { type Mailbox, startMailbox } from '#local/mailbox';

/** The local mailbox keeps its mails in ASSENT_HOME, so a restart shows what was sent before it. */
type StoredMail = { messageId: string; from: string; destination: { to: string[] }; subject: string; body: { text?: string } };

const home = mkdtempSync(join(tmpdir(), 'assent-mailbox-'));
const file = join(home, 'mailbox.jsonl');
let mailbox: Mailbox | undefined;

const start = async () => {
  await mailbox?.close();
  mailbox = await startMailbox({ host: '127.0.0.1', port: 0, file });
  return mailbox;
};
const store = async (box: Mailbox) => ((await (await fetch(`${box.url}/store`)).json()) as { emails: StoredMail[] }).emails;
const send = (box: Mailbox, to: string, subject: string) =>
  new SESClient({ endpoint: box.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }).send(
    new SendEmailCommand({ Source: 'assent@assent.local', Destination: { ToAddresses: [to] }, Message: { Subject: { Data: subject }, Body: { Text: { Data: `Hello ${to}` } } } }),
  );
const linesOf = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);

afterAll(async () => {
  await mailbox?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('the local mailbox', () => {
  it('shows after a restart the mails sent before it, in order, as /store served them', async () => {
    // Prepare
    const first = await start();
    await send(first, 'ann@example.com', 'one');
    await send(first, 'bob@example.com', 'two');
    const before = await store(first);

    // Act
    const second = await start();

    // Assess
    expect(second.restored).toBe(2);
    expect(await store(second)).toStrictEqual(before);
    expect(before.map((mail) => [mail.destination.to, mail.subject])).toStrictEqual([
      [['ann@example.com'], 'one'],
      [['bob@example.com'], 'two'],
    ]);
    expect(linesOf().map((line) => (JSON.parse(line) as StoredMail).messageId)).toStrictEqual(before.map((mail) => mail.messageId));
  });

  it('appends a mail sent after the restart to those kept', async () => {
    // Prepare
    const box = await start();

    // Act
    await send(box, 'cy@example.com', 'three');

    // Assess
    expect((await store(box)).map((mail) => mail.subject)).toStrictEqual(['one', 'two', 'three']);
    expect(linesOf()).toHaveLength(3);
  });

  it('skips a line cut short (a crash in the middle of a write) and keeps the others', async () => {
    // Prepare
    appendFileSync(file, '{"messageId":"cut-sh');

    // Act
    const box = await start();

    // Assess
    expect([box.restored, (await store(box)).map((mail) => mail.subject)]).toStrictEqual([3, ['one', 'two', 'three']]);
    expect(linesOf()).toHaveLength(3);
  });

  it('empties the file too when /clear-store empties the mailbox', async () => {
    // Prepare
    const box = await start();

    // Act
    await fetch(`${box.url}/clear-store`, { method: 'POST' });
    const restarted = await start();

    // Assess
    expect([readFileSync(file, 'utf8'), restarted.restored, await store(restarted)]).toStrictEqual(['', 0, []]);
  });
});
