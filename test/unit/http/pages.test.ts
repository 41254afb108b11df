import * as z from 'zod';
import { AlreadyVotedError, NotFoundError, SecretExpiredError, TaskAlreadyDecidedError } from '#core/errors';
import type { Task } from '#core/task';
import type { HttpEvent } from '#http/http-types';
import { toErrorResponse } from '#http/middleware';
import { approvalPage, decidedPage, delegatedPage } from '#http/pages/approval-page';
import { dataRows, humanise, type ObjectSchema } from '#http/pages/fields';
import { linkKindOf } from '#http/pages/link-error-page';
import { LINK_PAGE_CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '#http/responses';
import { emulatorInboxPage, inboxWithLinksInNewTabs } from '#local/mailbox-inbox';

/** The pages of emailed links: the approval page, what a vote did, and what a link that no longer works says. */
const inputSchema = z.toJSONSchema(
  z.object({ email: z.email().meta({ title: 'Owner address', description: 'Gets the password link.' }), projectName: z.string(), roles: z.array(z.string()) }),
  { io: 'input' },
) as ObjectSchema;
const task = (overrides: Partial<Task> = {}) =>
  ({
    id: 'T1',
    type: 'sign-up',
    status: 'pending',
    createdAt: '2030-01-01T10:00:00.000Z',
    createdBy: null,
    actions: [{ name: 'new-project-with-user', data: { email: 'ann@example.com', projectName: 'demo', roles: ['a', 'b'] }, valid: true, notes: [{ at: 'x', text: 'Project name is free.' }] }],
    ...overrides,
  }) as unknown as Task;
const progress = (approvals: number, level = 'admins') => ({
  level,
  levels: [
    { name: 'admins', state: level === 'admins' ? 'open' : 'approved', quorum: 1, approvals: level === 'admins' ? approvals : 1, due: '2030-01-08T10:00:00.000Z' },
    { name: 'security', state: level === 'security' ? 'open' : 'waiting', quorum: 2, approvals: level === 'security' ? approvals : 0 },
  ],
});
const page = (overrides: Partial<Task> = {}) =>
  approvalPage({ task: task(overrides), inputSchema, actionDescriptions: { 'new-project-with-user': 'Creates a project.' }, validUntil: '2030-01-08T10:00:00.000Z', progress: progress(0) });

describe('labelled rows', () => {
  it('title each field from the schema (title, else the key humanised; description as hint), lists joined', () => {
    // Act
    const rows = dataRows({ email: 'ann@example.com', projectName: 'demo', roles: ['a', 'b'], extra: { x: 1 } }, inputSchema);

    // Assess
    expect(rows).toBe(
      '<dl class="fields"><dt>Owner address<span class="hint">Gets the password link.</span></dt><dd>ann@example.com</dd><dt>Project name</dt><dd>demo</dd>' +
        '<dt>Roles</dt><dd>a, b</dd><dt>Extra</dt><dd><code>{&#34;x&#34;:1}</code></dd></dl>',
    );
    expect([humanise('newEmail'), humanise('project_name'), humanise('x')]).toStrictEqual(['New email', 'Project name', 'X']);
  });
});

describe('the approval page', () => {
  it('asks the approver, says who asked and when, shows the fields, validity, notes and the policy progress', () => {
    // Act
    const html = page();

    // Assess
    expect(html).toContain('<h1>Do you approve this sign-up?</h1>');
    expect(html).toContain('<p>Asked by someone who was not signed in (a public request) at <time datetime="2030-01-01T10:00:00.000Z">2030-01-01 10:00 UTC</time>. Task <code>T1</code>.</p>');
    expect(html).toContain('<h2>New project with user</h2><p class="muted">Creates a project.</p>');
    expect(html).toContain('<dt>Project name</dt><dd>demo</dd>');
    expect(html).toContain('<p class="ok">Its checks passed.</p><h3>Notes</h3><ul><li>Project name is free.</li></ul>');
    expect(html).toContain('<p class="progress">Level 1 of 2, <strong>admins</strong>: 0 of 1 approval so far, due <time datetime="2030-01-08T10:00:00.000Z">2030-01-08 10:00 UTC</time>.</p>');
    expect(html).toContain('<button name="decision" value="approve" type="submit">Approve</button><button name="decision" value="reject" type="submit" class="danger">Reject</button>');
    expect(html).toContain('<input id="to" name="to" type="email" required maxlength="254" autocomplete="email" aria-describedby="to-hint">');
    expect(html).not.toMatch(/<script|<style|style=/);
  });

  it('names a signed-in requester and warns about an action whose checks failed', () => {
    // Act
    const html = page({ createdBy: { sub: 's', email: 'req@example.com', roles: [] }, actions: [{ name: 'a', data: {}, valid: false, notes: [] }] as unknown as Task['actions'] });

    // Assess
    expect(html).toContain('<p>Asked by req@example.com at');
    expect(html).toContain('<div class="notice bad"><p>Its checks failed: approving it may not do what was asked. Read the notes.</p></div>');
  });

  it('escapes everything from the task: type, id, data, notes, requester', () => {
    // Act
    const html = page({
      type: '<t>',
      id: '<id>',
      createdBy: { sub: 's', email: '<e>', roles: [] },
      actions: [{ name: '<n>', data: { '<k>': '<v>' }, valid: true, notes: [{ at: 'x', text: '<note>' }] }] as unknown as Task['actions'],
    });

    // Assess
    expect(html).toContain('<h1>Do you approve this &#60;t&#62;?</h1>');
    expect(html).toContain('<dt>&#60;k&#62;</dt><dd>&#60;v&#62;</dd>');
    expect(html).toContain('<li>&#60;note&#62;</li>');
    expect(html).toContain('<code>&#60;id&#62;</code>');
    expect(html).not.toMatch(/<(t|id|e|n|k|v|note)>/);
  });
});

describe('what a vote through the link did', () => {
  it('says the vote counted and what the level still needs', () => {
    // Act
    const html = decidedPage({ task: task(), decision: 'approve', progress: { level: 'security', levels: [{ name: 'security', state: 'open', quorum: 2, approvals: 1, due: '2030-01-04T00:00:00.000Z' }] }, votedAt: 'security' });

    // Assess
    expect(html).toContain('<h1>Your vote is counted</h1>');
    expect(html).toContain('<div class="notice good" role="status"><p>Your approval is counted.</p><p>Level security has 1 of 2 approvals: it still needs 1 more approval by 2030-01-04 00:00 UTC.</p></div>');
  });

  it('says when the vote completed its level and which level the task now waits for', () => {
    // Act
    const html = decidedPage({ task: task(), decision: 'approve', progress: progress(0, 'security'), votedAt: 'admins' });

    // Assess
    expect(html).toContain('<p>Your approval is counted.</p><p>Level admins is complete; the task now waits for level security, which needs 2 approvals.</p>');
  });

  it('says the task is approved, rejected, or handed over, and what comes next', () => {
    // Act
    const approved = decidedPage({ task: task({ status: 'approved' }), decision: 'approve', progress: undefined, votedAt: undefined });
    const rejected = decidedPage({ task: task({ status: 'rejected' }), decision: 'reject', progress: undefined, votedAt: undefined });
    const delegated = delegatedPage(task(), 'bob@example.com');

    // Assess
    expect(approved).toContain('<h1>You approved the request</h1>');
    expect(approved).toContain('<p>Task T1 (sign-up) is approved.</p></div><h2>What to do next</h2><p>Nothing more to do: Assent now carries out the request, and the requester hears by email when it is done.</p>');
    expect(rejected).toContain('<p>Task T1 (sign-up) is rejected.</p></div><h2>What to do next</h2><p>Nothing more to do: the requester is told by email, with your reason if you gave one.</p>');
    expect(delegated).toContain('<p>bob@example.com got an email with a link to vote on task T1 in your place.</p></div><h2>What to do next</h2><p>Nothing more to do: your link no longer works.</p>');
  });
});

describe('a link that no longer works, for a browser', () => {
  const browser = (rawPath: string) => ({ rawPath, headers: { accept: 'text/html,application/xhtml+xml' } }) as unknown as HttpEvent;
  const headingOf = (body: string | undefined) => /<h1>(.*)<\/h1>/.exec(body ?? '')?.[1];
  const SECRET = 'a'.repeat(43);

  it.each([
    ['a used token', new NotFoundError('This link was already used at 2030-01-01T00:00:00.000Z; the task is completed.', { extensions: { taskId: 'T1', taskStatus: 'completed' } }), 'tokens', 404, 'This link was already used'],
    ['an unknown link', new NotFoundError('This link is not valid. Check that it was copied whole, or ask for a new one.'), 'tokens', 404, 'This link is not valid'],
    ['an expired link', new SecretExpiredError('This link expired at 2030-01-01T00:00:00.000Z. Ask for a new one.', { extensions: { expiredAt: '2030-01-01T00:00:00.000Z' } }), 'tokens', 410, 'This link has expired'],
    ['a replaced link', new SecretExpiredError('This link no longer works: A newer link was sent.', { extensions: { reason: 'A newer link was sent.' } }), 'tokens', 410, 'A newer link replaced this one'],
    ['a cancelled task', new SecretExpiredError('This link no longer works: The task was cancelled.', { extensions: { reason: 'The task was cancelled.' } }), 'approvals', 410, 'This request was cancelled'],
    ['a decided task', new TaskAlreadyDecidedError('Task T1 was already approved by admin at 2030-01-01T00:00:00.000Z.'), 'approvals', 409, 'This request was already decided'],
    ['a vote cast', new AlreadyVotedError('You already voted at level admins: approve at 2030-01-01T00:00:00.000Z.'), 'approvals', 409, 'You already voted'],
  ])('says what happened to %s and what to do next, with its status', (_case, error, kind, status, heading) => {
    // Act
    const response = toErrorResponse(error, browser(`/v1/${kind}/${SECRET}`));

    // Assess
    expect([response.statusCode, headingOf(response.body)]).toStrictEqual([status, heading]);
    expect(response.body).toContain(`<div class="notice bad" role="status"><p>${error.message}</p></div><h2>What to do next</h2>`);
    expect(response.headers).toStrictEqual({ 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, 'content-security-policy': LINK_PAGE_CONTENT_SECURITY_POLICY });
  });

  it('keeps problem+json for JSON clients, and the plain error page off the link routes', () => {
    // Prepare
    const error = new SecretExpiredError('This link no longer works: A newer link was sent.', { extensions: { reason: 'A newer link was sent.' } });

    // Act
    const json = toErrorResponse(error, { rawPath: `/v1/tokens/${SECRET}`, headers: { accept: 'application/json' } } as unknown as HttpEvent);
    const elsewhere = toErrorResponse(error, browser('/v1/tokens'));

    // Assess
    expect([json.headers['content-type'], JSON.parse(String(json.body)).reason]).toStrictEqual(['application/problem+json', 'A newer link was sent.']);
    expect(headingOf(elsewhere.body)).toBe('This link has expired');
    expect(elsewhere.body).toContain('<style>');
    expect([linkKindOf('/prod/v1/approvals/x'), linkKindOf('/v1/tokens/x'), linkKindOf('/v1/tokens'), linkKindOf('/v1/approvals/x/y')]).toStrictEqual(['approval', 'token', undefined, undefined]);
  });

  it('allows the pages only their style sheet from this origin and forms posting back', () => {
    // Assess
    expect(LINK_PAGE_CONTENT_SECURITY_POLICY).toBe("default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  });
});

describe('the local web inbox', () => {
  it('opens the links of HTML emails in new tabs: a <base target="_blank"> in each email\'s frame', () => {
    // Act
    const served = inboxWithLinksInNewTabs(emulatorInboxPage());

    // Assess
    expect(served).toContain('iframeDoc.body.innerHTML = e.body.html; iframeDoc.head.insertAdjacentHTML(\'afterbegin\', \'<base target="_blank">\');');
    expect(inboxWithLinksInNewTabs('<html>another page</html>')).toBeUndefined();
  });
});
