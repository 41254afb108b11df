import type { Page } from 'playwright-core';
import { newPage, overflowsHorizontally, screenshot, seriousViolations, useBrowser, type Width } from '../support/browser.ts';
import { freshAccount } from '../support/fresh-account.ts';
import { localDirectory } from '../support/local-directory.ts';
import { api, endpoints, linkIn, unique, waitForEmail, waitForTask } from '../support/stack.ts';

/**
 * The console in Debian's Chromium against the local stack: an approver signs in against the
 * user pool (cognito-local), clears their inbox (one task from its page, two in bulk, one rejected
 * with a reason, one handed over), and an admin acknowledges notifications. Each page is checked
 * with axe-core (no serious or critical finding) at 1280 and 390 px, and kept as a screenshot.
 */
const browser = useBrowser();
const ADMIN = 'admin@assent.local';
const passwordOf = (email: string) => endpoints().users.find((user) => user.email === email)?.password ?? '';

/** A sign-up waiting for its approval (the default policy: any one admin); answers its id. */
async function waitingSignUp(name: string): Promise<string> {
  const created = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: { email: `${name}@example.com`, projectName: name } } });
  expect(created.status).toBe(202);
  await waitForEmail((mail) => mail.destination.to.includes(ADMIN) && mail.subject === `Approval needed: sign-up ${created.json.id}`);
  return created.json.id;
}

/** Polls the operators' notifications until one with that message is there (or fails after 20 s). */
async function waitForNotification(message: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const page = await api('/v1/notifications?acknowledged=false&limit=100', { admin: true });
    if (page.json.notifications.some((notification: { message: string }) => notification.message === message)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`No notification "${message}" within 20 s`);
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${endpoints().api}/console`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(passwordOf(email));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Your inbox' }).waitFor();
}

async function expectAccessible(page: Page, name: string, width: Width): Promise<void> {
  await screenshot(page, `console-${name}-${width}`);
  expect(await seriousViolations(page)).toStrictEqual([]);
  expect(await overflowsHorizontally(page)).toBe(false);
}

const rowOf = (page: Page, id: string) => page.locator(`tr[data-task="${id}"]`);

describe.each(['desktop', 'phone'] as const)('the console at %s width', (width) => {
  it('signs an approver in against the user pool, and refuses a wrong password with a message', async () => {
    // Prepare
    const page = await newPage(browser(), width);
    await page.goto(`${endpoints().api}/console`);
    await expectAccessible(page, 'sign-in', width);

    // Act
    await page.getByLabel('Email').fill(ADMIN);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert').locator('p');
    await alert.waitFor();
    const refused = await alert.textContent();
    await page.getByLabel('Password').fill(passwordOf(ADMIN));
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Assess
    expect(refused).toBe('That email and password do not match an account.');
    await page.getByRole('heading', { name: 'Your inbox' }).waitFor();
    expect(await page.getByText(ADMIN).first().isVisible()).toBe(true);
    expect(await page.evaluate('location.href.includes("ey")')).toBe(false);
    await page.context().close();
  });

  it('lists what waits, approves one from its page and two in bulk, with quorum progress shown', async () => {
    // Prepare
    const suffix = unique();
    const [one, two, three] = await Promise.all([waitingSignUp(`con-a-${suffix}`), waitingSignUp(`con-b-${suffix}`), waitingSignUp(`con-c-${suffix}`)]);
    const page = await newPage(browser(), width);
    await signIn(page, ADMIN);
    await expectAccessible(page, 'inbox', width);

    // Act: one from its detail page.
    await rowOf(page, one).getByRole('link', { name: 'sign-up' }).click();
    await page.getByRole('heading', { name: 'Task sign-up' }).waitFor();
    await expectAccessible(page, 'task', width);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Task approved.').waitFor();
    // Act: two in bulk.
    await page.goto(`${endpoints().api}/console#/inbox`);
    await rowOf(page, two).getByRole('checkbox').check();
    await rowOf(page, three).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('2 counted.').waitFor();

    // Assess
    expect(await rowOf(page, one).count()).toBe(0);
    expect((await page.locator('#bulk-results li').allTextContents()).sort()).toStrictEqual([`${three}: counted (approved)`, `${two}: counted (approved)`].sort());
    for (const id of [one, two, three]) expect((await waitForTask(id, (task) => task.status !== 'pending')).status).not.toBe('pending');
    await page.context().close();
  });

  it('rejects only with a reason, which the requester gets', async () => {
    // Prepare
    const name = `con-r-${unique()}`;
    const id = await waitingSignUp(name);
    const page = await newPage(browser(), width);
    await signIn(page, ADMIN);
    await page.goto(`${endpoints().api}/console#/tasks/${id}`);
    await page.getByRole('heading', { name: 'Task sign-up' }).waitFor();

    // Act
    await page.getByRole('button', { name: 'Reject' }).click();
    const asked = await page.locator('#task-reason-error').textContent();
    await page.getByLabel('Reason').fill('We do not host that project.');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Task rejected.').waitFor();

    // Assess
    expect(asked).toBe('Give a reason: the requester gets it.');
    const told = await waitForEmail((mail) => mail.destination.to.includes(`${name}@example.com`) && mail.subject.startsWith('Not approved'));
    expect(told.body.text).toContain('We do not host that project.');
    await page.context().close();
  });

  it('hands a vote to someone else, who gets a link; refuses an address that is not one, inline', async () => {
    // Prepare
    const id = await waitingSignUp(`con-d-${unique()}`);
    const page = await newPage(browser(), width);
    await signIn(page, ADMIN);
    await page.goto(`${endpoints().api}/console#/tasks/${id}`);
    await page.getByRole('heading', { name: 'Task sign-up' }).waitFor();
    await page.getByText('Hand your vote to someone else').click();
    const delegate = `deputy-${unique()}@example.com`;

    // Act
    await page.getByLabel('Their email address').fill('not an address');
    await page.getByRole('button', { name: 'Delegate' }).click();
    const refused = await page.locator('details .field-error').textContent();
    await page.getByLabel('Their email address').fill(delegate);
    await page.getByLabel('Why (they see it)').fill('on leave');
    await page.getByRole('button', { name: 'Delegate' }).click();
    await page.getByText(`Your vote went to ${delegate}.`).waitFor();

    // Assess
    expect(refused).toBe('Enter an email address.');
    const link = await waitForEmail((mail) => mail.destination.to.includes(delegate) && mail.subject === `Approval needed: sign-up ${id}`);
    expect(link.body.text).toContain(`${ADMIN} handed their vote to you: on leave.`);
    await page.context().close();
  });

  it('lets an admin acknowledge an operator notification (one, then the rest selected)', async () => {
    // Prepare: role-grants in a project without admins: their first level has no approver, which the operators are told.
    const projectId = `p-${unique()}`;
    await localDirectory(endpoints()).createProject({ id: projectId, name: projectId, createdAt: new Date().toISOString() });
    const ids: string[] = [];
    for (const name of ['lone-a', 'lone-b', 'lone-c']) {
      const member = await freshAccount(name, { roles: ['member'], projectId });
      const created = await api('/v1/tasks', { method: 'POST', headers: { authorization: `Bearer ${member.jwt}` }, json: { type: 'role-grant', data: { role: 'project_admin' } } });
      ids.push(created.json.id);
    }
    const messageOf = (id: string) => `Level project-admins of task ${id} needs 1 approval(s) but has 0 approver(s): add people to its approvers (the project-admins of the task's project), or cancel the task.`;
    for (const id of ids) await waitForNotification(messageOf(id));
    const page = await newPage(browser(), width);
    await signIn(page, ADMIN);
    await page.getByRole('navigation').getByRole('link', { name: 'Notifications' }).click();
    const rowWith = (id: string) => page.getByRole('row').filter({ hasText: messageOf(id) });
    await rowWith(ids[0]!).waitFor();

    // Act
    await rowWith(ids[0]!).getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('1 acknowledged.').waitFor();
    await rowWith(ids[1]!).getByRole('checkbox').check();
    await rowWith(ids[2]!).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Acknowledge selected' }).click();
    await page.getByText('2 acknowledged.').waitFor();

    // Assess
    expect(await Promise.all(ids.map((id) => rowWith(id).count()))).toStrictEqual([0, 0, 0]);
    const left = await api('/v1/notifications?acknowledged=false&limit=100', { admin: true });
    expect(left.json.notifications.filter((notification: { message: string }) => ids.some((id) => notification.message === messageOf(id)))).toStrictEqual([]);
    await page.context().close();
  });

  it('confirms a link that needs its requester signed in: from the emailed page to the console, signed in, then done', async () => {
    // Prepare: a member asks to move their account to a new address; the confirmation goes there.
    const member = await freshAccount('mover', { roles: ['member'] });
    const newEmail = `moved-${unique()}@example.com`;
    const created = await api('/v1/tasks', { method: 'POST', headers: { authorization: `Bearer ${member.jwt}` }, json: { type: 'update-email', data: { newEmail } } });
    const email = await waitForEmail((mail) => mail.destination.to.includes(newEmail) && mail.subject === 'Confirm your new email address');
    const page = await newPage(browser(), width);
    await page.goto(`${endpoints().api}${linkIn(email, 'tokens')}`);

    // Act
    await page.getByRole('link', { name: 'Sign in and confirm in the console' }).click();
    await page.getByLabel('Email').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Confirm your request' }).waitFor();
    await expectAccessible(page, 'confirm', width);
    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Confirm' }).click();

    // Assess
    await page.getByText(`Thank you: task ${created.json.id} is completed.`).waitFor();
    expect((await waitForTask(created.json.id, (task) => task.status === 'completed')).status).toBe('completed');
    expect(await page.evaluate('location.hash')).toBe(`#/confirm/${linkIn(email, 'tokens').split('/').pop()}`);
    await page.context().close();
  });

  it('shows admins the task list, notifications and tokens, and signs out', async () => {
    // Prepare
    const page = await newPage(browser(), width);
    await signIn(page, ADMIN);

    // Act
    for (const [link, heading] of [
      ['Tasks', 'Tasks'],
      ['Notifications', 'Notifications'],
      ['Tokens', 'Tokens'],
    ] as const) {
      await page.getByRole('navigation').getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await expectAccessible(page, heading.toLowerCase(), width);
    }
    await page.getByRole('button', { name: 'Sign out' }).click();

    // Assess
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.context().close();
  });
});
