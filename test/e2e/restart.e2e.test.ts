import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/ports.ts';
import { type RunningStack, spawnStack } from '../support/spawn-stack.ts';

/**
 * `npm start` keeps its data in ASSENT_HOME: stopping and starting it again loses no task, and a
 * task that was waiting for an approval (or a token) can still be approved (or submitted). The
 * mailbox too keeps the mails sent before a restart.
 */
type Mail = { destination: { to: string[] }; subject: string; body: { text?: string } };

const mails = async (stack: RunningStack): Promise<Mail[]> => ((await (await fetch(`${stack.endpoints.mailbox}/store`)).json()) as { emails: Mail[] }).emails;
const waitForMail = async (stack: RunningStack, match: (mail: Mail) => boolean, after = ''): Promise<Mail> => {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const found = (await mails(stack)).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`email did not arrive${after ? ` after ${after}` : ''}; mailbox: ${JSON.stringify((await mails(stack)).map((mail) => mail.subject))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
const pathOf = (mail: Mail, kind: string) => new RegExp(`(/v1/${kind}/[\\w-]{43})`).exec(mail.body.text ?? '')?.[1] ?? '';
const post = async (stack: RunningStack, path: string, body: unknown) =>
  fetch(`${stack.endpoints.api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('restarting the local stack', () => {
  const home = mkdtempSync(join(tmpdir(), 'assent-restart-'));
  let stack: RunningStack | undefined;

  afterAll(async () => {
    await stack?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 30_000);

  it('keeps a task waiting for approval, then for its token, across restarts', async () => {
    // Prepare: fixed ports so the emailed links stay valid across restarts.
    const ports = { PORT: String(await freePort()), MAIL_PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()), SFN_PORT: String(await freePort()), EVENTS_PORT: String(await freePort()), COGNITO_PORT: String(await freePort()) };
    stack = await spawnStack(home, ports);
    const created = (await (await post(stack, '/v1/tasks', { type: 'sign-up', data: { email: 'rest@example.com', projectName: 'restart' } })).json()) as { id: string };
    const approvalMail = await waitForMail(stack, (mail) => mail.subject === `Approval needed: sign-up ${created.id}`);

    // Act 1: restart while waiting for approval, then approve with the link sent before.
    const beforeRestart = await mails(stack);
    await stack.stop();
    stack = await spawnStack(home, ports);
    const afterRestart = await mails(stack);
    const approved = await post(stack, pathOf(approvalMail, 'approvals'), { decision: 'approve' });
    const tokenMail = await waitForMail(stack, (mail) => mail.destination.to.includes('rest@example.com'));

    // Act 2: restart while waiting for the token, then submit it.
    await stack.stop();
    stack = await spawnStack(home, ports);
    const submitted = await post(stack, pathOf(tokenMail, 'tokens'), { password: 'survives restarts' });
    const submittedBody = await submitted.text();
    const completedMail = await waitForMail(stack, (mail) => mail.subject === 'Your project restart is ready', `the submit answered ${submitted.status} ${submittedBody}`);

    // Assess
    expect(afterRestart).toStrictEqual(beforeRestart);
    expect(afterRestart).toContainEqual(approvalMail);
    expect(await mails(stack)).toStrictEqual(expect.arrayContaining([approvalMail, tokenMail, completedMail]));
    expect(approved.status).toBe(200);
    expect(submitted.status).toBe(200);
    expect(JSON.parse(submittedBody)).toStrictEqual({ id: created.id, status: 'completed' });
    expect(completedMail.body.text).toContain(`Task: ${created.id}`);
  }, 240_000);
});
