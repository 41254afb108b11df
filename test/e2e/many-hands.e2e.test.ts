import { api, type ApiResponse, linkIn, unique, waitForEmail, waitForTask } from '../support/stack.ts';

/**
 * Many hands on one task, through the local stack: for each pair of writers (a note, a data update,
 * an admin approval, a link approval, a cancel, and the workflow's own steps), 20 tasks at once.
 * Each write is guarded by what it depends on, so the expected writers win, no step fails, and no
 * answer is a 5xx.
 */
const N = 20;
/** The default approval policy's only approver (any one admin): the seeded admin. */
const APPROVER = 'admin@assent.local';

async function signUps(label: string) {
  const suffix = unique();
  return Promise.all(
    Array.from({ length: N }, async (_, index) => {
      const data = { email: `${label}-${index}-${suffix}@example.com`, projectName: `${label}-${index}-${suffix}` };
      const created = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data } });
      expect(created.status).toBe(202);
      return { id: created.json.id as string, data };
    }),
  );
}

const statuses = (responses: readonly ApiResponse[]) => responses.map((response) => response.status);
const waitingForApproval = (id: string) => waitForTask(id, (task) => task.waitingFor === 'approval' && task.sentEmails.includes('approval'));

describe('writers racing the workflow right after creation (20 tasks each)', () => {
  it('a note while preApprove runs: every note lands, every task goes on to wait for approval, none fails', async () => {
    // Prepare
    const tasks = await signUps('note-step');
    // Act
    const notes = await Promise.all(tasks.map((task) => api(`/v1/tasks/${task.id}/notes`, { method: 'POST', admin: true, json: { note: 'first look' } })));
    // Assess
    const settled = await Promise.all(tasks.map((task) => waitingForApproval(task.id)));
    expect(statuses(notes)).toStrictEqual(tasks.map(() => 200));
    expect(settled.map((task) => [task.status, task.actions[0].valid, task.adminNotes.map((note: { text: string }) => note.text)])).toStrictEqual(
      tasks.map(() => ['pending', true, ['first look']]),
    );
  });

  it('a data update while preApprove runs: every update answers 200 with the new data validated, none fails', async () => {
    // Prepare
    const tasks = await signUps('put-step');
    // Act
    const updates = await Promise.all(
      tasks.map((task) => api(`/v1/tasks/${task.id}`, { method: 'PUT', admin: true, json: { data: { ...task.data, projectName: `${task.data.projectName}-x` } } })),
    );
    // Assess
    const settled = await Promise.all(tasks.map((task) => waitingForApproval(task.id)));
    expect(statuses(updates)).toStrictEqual(tasks.map(() => 200));
    expect(updates.map((response) => response.json.valid)).toStrictEqual(tasks.map(() => true));
    expect(settled.map((task) => [task.status, task.actions[0].valid, task.actions[0].data.projectName])).toStrictEqual(
      tasks.map((task) => ['pending', true, `${task.data.projectName}-x`]),
    );
  });

  it('an admin approval while preApprove runs: every valid task is approved (at once or when validation ends), none refused as invalid', async () => {
    // Prepare
    const tasks = await signUps('approve-step');
    // Act
    const approvals = await Promise.all(tasks.map((task) => api(`/v1/tasks/${task.id}/approve`, { method: 'POST', admin: true })));
    // Assess
    const settled = await Promise.all(tasks.map((task) => waitForTask(task.id, (t) => t.waitingFor === 'token')));
    expect(approvals.filter((response) => response.status !== 200 && response.status !== 202).map((response) => response.text)).toStrictEqual([]);
    expect(settled.map((task) => [task.status, task.approvedBy.id, task.history.filter((entry: { event: string }) => entry.event === 'approved').length])).toStrictEqual(
      tasks.map(() => ['awaiting_token', 'admin@assent.local', 1]),
    );
  });

  it('a cancel while preApprove runs: every cancel wins, no task fails', async () => {
    // Prepare
    const tasks = await signUps('cancel-step');
    // Act
    const cancels = await Promise.all(tasks.map((task) => api(`/v1/tasks/${task.id}/cancel`, { method: 'POST', admin: true, json: { reason: 'no' } })));
    // Assess
    const settled = await Promise.all(tasks.map((task) => api(`/v1/tasks/${task.id}`, { admin: true })));
    expect(statuses(cancels)).toStrictEqual(tasks.map(() => 200));
    expect(settled.map((response) => response.json.status)).toStrictEqual(tasks.map(() => 'cancelled'));
  });
});

describe('writers racing each other on a task that waits for approval (20 tasks each)', () => {
  async function waitingTasks(label: string) {
    const tasks = await signUps(label);
    return Promise.all(
      tasks.map(async (task) => {
        await waitingForApproval(task.id);
        const email = await waitForEmail((mail) => mail.destination.to.includes(APPROVER) && mail.subject === `Approval needed: sign-up ${task.id}`);
        return { ...task, link: linkIn(email, 'approvals') };
      }),
    );
  }

  it('a note and a link approval at once: both land', async () => {
    // Prepare
    const tasks = await waitingTasks('note-link');
    // Act
    const answers = await Promise.all(
      tasks.flatMap((task) => [
        api(`/v1/tasks/${task.id}/notes`, { method: 'POST', admin: true, json: { note: 'ok by me' } }),
        api(task.link, { method: 'POST', json: { decision: 'approve' } }),
      ]),
    );
    // Assess
    const settled = await Promise.all(tasks.map((task) => waitForTask(task.id, (t) => t.waitingFor === 'token')));
    expect(statuses(answers)).toStrictEqual(answers.map(() => 200));
    expect(settled.map((task) => [task.approvedBy, task.adminNotes.length])).toStrictEqual(tasks.map(() => [{ kind: 'approver', id: APPROVER }, 1]));
  });

  it('a cancel and an admin approval at once: the cancel always wins (it may follow the approval), the approval wins only first', async () => {
    // Prepare
    const tasks = await waitingTasks('cancel-approve');
    // Act
    const pairs = await Promise.all(
      tasks.map((task) =>
        Promise.all([api(`/v1/tasks/${task.id}/cancel`, { method: 'POST', admin: true, json: {} }), api(`/v1/tasks/${task.id}/approve`, { method: 'POST', admin: true })]),
      ),
    );
    // Assess: every cancel 200; an approval 200 (it came first) or 409 (the task was cancelled); every task cancelled.
    expect(pairs.map(([cancel]) => cancel?.status)).toStrictEqual(tasks.map(() => 200));
    expect(pairs.map(([, approve]) => [200, 409].includes(approve?.status ?? 0))).toStrictEqual(tasks.map(() => true));
    expect(pairs.filter(([, approve]) => approve?.status === 409).map(([, approve]) => approve?.json.type)).toStrictEqual(
      pairs.filter(([, approve]) => approve?.status === 409).map(() => 'https://assent.dev/problems/invalid-state'),
    );
    const finals = await Promise.all(tasks.map((task) => api(`/v1/tasks/${task.id}`, { admin: true })));
    expect(finals.map((final) => final.json.status)).toStrictEqual(tasks.map(() => 'cancelled'));
  });

  it('a data update and a link approval at once: no 5xx, and the approval counts only for data that was validated', async () => {
    // Prepare
    const tasks = await waitingTasks('put-link');
    // Act
    const pairs = await Promise.all(
      tasks.map((task) =>
        Promise.all([
          api(`/v1/tasks/${task.id}`, { method: 'PUT', admin: true, json: { data: { ...task.data, projectName: `${task.data.projectName}-y` } } }),
          api(task.link, { method: 'POST', json: { decision: 'approve' } }),
        ]),
      ),
    );
    // Assess
    expect(pairs.flat().filter((response) => response.status >= 500)).toStrictEqual([]);
    const finals = await Promise.all(tasks.map((task) => waitForTask(task.id, (t) => t.status !== 'pending' || t.actions[0].valid !== null)));
    expect(finals.map((task) => task.status === 'failed')).toStrictEqual(tasks.map(() => false));
  });
});

describe('optimistic locking on request: ETag and If-Match', () => {
  it('writes on the version read, answers 412 on another, and 400 on an If-Match that is no ETag of ours', async () => {
    // Prepare
    const [task] = await signUps('if-match');
    await waitingForApproval(task!.id);
    const read = await api(`/v1/tasks/${task!.id}`, { admin: true });
    const etag = read.headers.get('etag') ?? '';
    await api(`/v1/tasks/${task!.id}/notes`, { method: 'POST', admin: true, json: { note: 'someone else' } });
    // Act
    const stale = await api(`/v1/tasks/${task!.id}/approve`, { method: 'POST', admin: true, headers: { 'if-match': etag } });
    const garbled = await api(`/v1/tasks/${task!.id}/approve`, { method: 'POST', admin: true, headers: { 'if-match': 'yesterday' } });
    const fresh = await api(`/v1/tasks/${task!.id}`, { admin: true });
    const approved = await api(`/v1/tasks/${task!.id}/approve`, { method: 'POST', admin: true, headers: { 'if-match': fresh.headers.get('etag') ?? '' } });
    // Assess
    expect(etag).toBe(`"${read.json.version}"`);
    expect([stale.status, stale.headers.get('content-type'), stale.json.type, stale.json.version]).toStrictEqual([
      412,
      'application/problem+json',
      'https://assent.dev/problems/precondition-failed',
      read.json.version + 1,
    ]);
    expect([garbled.status, garbled.json.errors]).toStrictEqual([400, [{ path: 'headers.if-match', message: 'Use the ETag of GET /v1/tasks/{id}, e.g. "3"' }]]);
    expect([approved.status, approved.json.status]).toStrictEqual([200, 'approved']);
  });
});
