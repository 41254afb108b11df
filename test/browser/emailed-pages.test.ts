import type { Page } from 'playwright-core';
import { newPage, overflowsHorizontally, screenshot, seriousViolations, useBrowser, type Width } from '../support/browser.ts';
import { signedUpOwner } from '../support/signed-up-owner.ts';
import { api, endpoints, linkIn, type MailboxEmail, unique, waitForEmail, waitForTask } from '../support/stack.ts';

/**
 * The pages of emailed links in Debian's Chromium against the local stack, at 1280 and 390 px: an
 * approver opens the approval link (from the local web inbox, in a new tab) and approves; a new
 * owner chooses a password (a too-short one first: the error under the field, the form kept, the
 * link still usable); used and replaced links say what happened; an invitee with an account
 * confirms with a checkbox. Each page is checked with axe-core (no serious or critical finding),
 * for sideways scrolling, and kept as a screenshot.
 */
const browser = useBrowser();
const ADMIN = 'admin@assent.local';
const PASSWORD = 'a long enough password';

async function expectAccessible(page: Page, name: string, width: Width): Promise<void> {
  await screenshot(page, `emailed-${name}-${width}`);
  expect(await seriousViolations(page)).toStrictEqual([]);
  expect(await overflowsHorizontally(page)).toBe(false);
}

const heading = async (page: Page) => (await page.locator('h1').textContent())?.trim();
const url = (path: string) => `${endpoints().api}${path}`;

/** A sign-up waiting for its approval (the default policy: any one admin), and its approval email to the admin. */
async function waitingSignUp(name: string): Promise<{ id: string; email: string; approvalEmail: MailboxEmail }> {
  const email = `${name}@example.com`;
  const created = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: { email, projectName: name } } });
  expect(created.status).toBe(202);
  const approvalEmail = await waitForEmail((mail) => mail.destination.to.includes(ADMIN) && mail.subject === `Approval needed: sign-up ${created.json.id}`);
  return { id: created.json.id, email, approvalEmail };
}

/** A sign-up approved by the admin through the API, and its token email to the new owner. */
async function approvedSignUp(name: string): Promise<{ id: string; email: string; tokenEmail: MailboxEmail }> {
  const { id, email } = await waitingSignUp(name);
  expect((await api(`/v1/tasks/${id}/approve`, { method: 'POST', admin: true })).status).toBe(200);
  const tokenEmail = await waitForEmail((mail) => mail.destination.to.includes(email) && mail.subject === `Choose your password for ${name}`);
  return { id, email, tokenEmail };
}

describe.each(['desktop', 'phone'] as const)('the emailed pages at %s width', (width) => {
  it('opens the approval link from the local inbox in a new tab, shows the request for the approver, and approves', async () => {
    // Prepare
    const name = `ep-a-${unique()}`;
    const { id, approvalEmail } = await waitingSignUp(name);
    const inbox = await newPage(browser(), width);
    await inbox.goto(endpoints().mailbox);
    await inbox.locator(`button[onclick="toggle('${approvalEmail.messageId}-html')"]`).click();

    // Act: follow the HTML email's link.
    const [page] = await Promise.all([
      inbox.context().waitForEvent('page'),
      inbox.frameLocator(`[id="${approvalEmail.messageId}-html-iframe"]`).getByRole('link', { name: 'Review and decide' }).click(),
    ]);
    await page.waitForLoadState();
    await expectAccessible(page, 'approval', width);
    const shown = {
      heading: await heading(page),
      url: page.url(),
      project: await page.locator('dt', { hasText: 'Project name' }).locator('xpath=following-sibling::dd[1]').textContent(),
      progress: await page.locator('p.progress').textContent(),
    };
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('heading', { name: 'You approved the request' }).waitFor();
    await expectAccessible(page, 'approved', width);
    const done = await page.locator('.notice').textContent();
    // The same link again: the request is decided.
    const again = await page.goto(shown.url);
    await expectAccessible(page, 'decided', width);

    // Assess
    expect(shown).toStrictEqual({ heading: 'Do you approve this sign-up?', url: url(linkIn(approvalEmail, 'approvals')), project: name, progress: 'admins: 0 of 1 approval so far.' });
    expect(done).toBe(`Task ${id} (sign-up) is approved.`);
    expect([again?.status(), await heading(page), await page.locator('main > p').allTextContents()]).toStrictEqual([409, 'This request was already decided', ['Nothing more to do: your vote is no longer needed.']]);
    expect(await page.locator('.notice').textContent()).toMatch(new RegExp(`^Task ${id} was already approved by ${ADMIN} at \\d{4}-.+Z\\.$`));
    expect((await waitForTask(id, (task) => task.status !== 'pending')).approvedBy).toStrictEqual({ kind: 'approver', id: ADMIN });
    await inbox.context().close();
  });

  it('answers a too-short password under its field with the form kept, then sets the password through the same link', async () => {
    // Prepare
    const { id, tokenEmail } = await approvedSignUp(`ep-t-${unique()}`);
    const page = await newPage(browser(), width);
    await page.goto(url(linkIn(tokenEmail, 'tokens')));
    await expectAccessible(page, 'token-form', width);
    const password = page.getByLabel('Password');
    const limits = [await password.getAttribute('minlength'), await password.getAttribute('maxlength'), await password.getAttribute('required')];

    // Act 1: the browser checks the limit before sending; sent anyway, the API answers under the field.
    await password.fill('too short');
    const refusedByBrowser = await password.evaluate((input: { validity: { tooShort: boolean } }) => input.validity.tooShort);
    await page.locator('form').evaluate((form: { noValidate: boolean }) => { form.noValidate = true; });
    const [answer] = await Promise.all([page.waitForResponse((response) => response.request().method() === 'POST'), page.getByRole('button', { name: 'Set my password' }).click()]);
    await page.locator('#field-password-error').waitFor();
    await expectAccessible(page, 'token-error', width);
    const refused = {
      status: answer.status(),
      error: await page.locator('#field-password-error').textContent(),
      invalid: await page.getByLabel('Password').getAttribute('aria-invalid'),
      describedBy: await page.getByLabel('Password').getAttribute('aria-describedby'),
      value: await page.getByLabel('Password').inputValue(),
    };

    // Act 2: the same link, a good password.
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set my password' }).click();
    await page.getByRole('heading', { name: 'Your password is set' }).waitFor();
    await expectAccessible(page, 'token-done', width);

    // Assess
    expect([limits, refusedByBrowser]).toStrictEqual([['12', '256', ''], true]);
    expect(refused).toStrictEqual({ status: 400, error: 'Use at least 12 characters', invalid: 'true', describedBy: 'field-password-hint field-password-error', value: '' });
    expect((await waitForTask(id, (task) => task.status === 'completed')).status).toBe('completed');
    await page.context().close();
  });

  it('says a used link was used, and a replaced link was replaced, with what to do next', async () => {
    // Prepare: one sign-up whose token was used, one whose token an admin reissued.
    const [used, replaced] = await Promise.all([approvedSignUp(`ep-u-${unique()}`), approvedSignUp(`ep-r-${unique()}`)]);
    expect((await api(linkIn(used.tokenEmail, 'tokens'), { method: 'POST', json: { password: PASSWORD } })).status).toBe(200);
    expect((await api(`/v1/tasks/${replaced.id}/token`, { method: 'POST', admin: true })).status).toBe(200);
    const page = await newPage(browser(), width);

    // Act
    const usedAnswer = await page.goto(url(linkIn(used.tokenEmail, 'tokens')));
    await expectAccessible(page, 'used', width);
    const usedPage = { status: usedAnswer?.status(), heading: await heading(page), next: await page.locator('main > p').allTextContents() };
    const replacedAnswer = await page.goto(url(linkIn(replaced.tokenEmail, 'tokens')));
    await expectAccessible(page, 'replaced', width);
    const replacedPage = { status: replacedAnswer?.status(), heading: await heading(page), happened: await page.locator('.notice').textContent(), next: await page.locator('main > p').allTextContents() };

    // Assess
    expect(usedPage).toStrictEqual({ status: 404, heading: 'This link was already used', next: ['Nothing more to do: it did its job.', 'You can sign in to the Assent console with your account.'] });
    expect(replacedPage).toStrictEqual({ status: 410, heading: 'A newer link replaced this one', happened: 'This link no longer works: A newer link was sent.', next: ['Look for the newest email about this request: its link is the one that works.'] });
    await page.context().close();
  });

  it('asks an invitee who has an account to confirm with a checkbox, and adds them', async () => {
    // Prepare: an owner invites a new address (it sets a password), then asks for a second role, which the account confirms.
    const owner = await signedUpOwner('ep-i');
    const invitee = `ep-ivy-${unique()}@example.com`;
    const headers = { authorization: `Bearer ${owner.jwt}` };
    expect((await api('/v1/tasks', { method: 'POST', json: { type: 'invite-user', data: { email: invitee, roles: ['member'] } }, headers })).status).toBe(202);
    const first = await waitForEmail((mail) => mail.destination.to.includes(invitee) && mail.subject === `Join ${owner.projectName} on Assent`);
    expect((await api(linkIn(first, 'tokens'), { method: 'POST', json: { password: PASSWORD } })).status).toBe(200);
    const promoted = await api('/v1/tasks', { method: 'POST', json: { type: 'invite-user', data: { email: invitee, roles: ['member', 'project_admin'] } }, headers });
    const confirmEmail = await waitForEmail((mail) => mail.destination.to.includes(invitee) && (mail.body.text ?? '').includes(`Task: ${promoted.json.id}`));
    const page = await newPage(browser(), width);
    await page.goto(url(linkIn(confirmEmail, 'tokens')));
    await expectAccessible(page, 'invite-confirm', width);
    const checkbox = page.getByRole('checkbox', { name: `Yes, add my account ${invitee} to ${owner.projectName}` });

    // Act
    const shown = { heading: await heading(page), required: await checkbox.getAttribute('required'), checked: await checkbox.isChecked() };
    await checkbox.check();
    await page.getByRole('button', { name: 'Join the project' }).click();
    await page.getByRole('heading', { name: `Welcome to ${owner.projectName}` }).waitFor();
    await expectAccessible(page, 'invite-done', width);

    // Assess
    expect(shown).toStrictEqual({ heading: `Join ${owner.projectName} on Assent`, required: '', checked: false });
    expect(await page.locator('.notice').textContent()).toBe(`Your account ${invitee} is a member of "${owner.projectName}", with the roles: member, project_admin.`);
    expect((await waitForTask(promoted.json.id, (task) => task.status === 'completed')).status).toBe('completed');
    await page.context().close();
  });
});
