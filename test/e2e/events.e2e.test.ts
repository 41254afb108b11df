import { api, endpoints, linkIn, secretsIn, unique, waitForEmail } from '../support/stack.ts';

/**
 * Lifecycle events through the local stack: the handlers publish with the real EventBridge client
 * to the local PutEvents emulator, and `GET /local/events` lists what was published.
 */
/** The default approval policy's only approver (any one admin): the seeded admin. */
const APPROVER = 'admin@assent.local';

interface RecordedEvent {
  readonly id: string;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  readonly time: string;
  readonly receivedAt: string;
}

async function eventsOf(taskId: string, count: number, timeoutMs = 15_000): Promise<RecordedEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, json } = await api(`/local/events?taskId=${taskId}`);
    expect(status).toBe(200);
    if ((json as RecordedEvent[]).length >= count || Date.now() > deadline) return json as RecordedEvent[];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('lifecycle events on the local stack', () => {
  it('records created, approved, token_issued, completed and action.completed of a sign-up, in order, without secrets', async () => {
    // Prepare
    const suffix = unique();
    const email = `eve-${suffix}@example.com`;
    const created = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: { email, projectName: `iris-${suffix}` } } });
    const id: string = created.json.id;
    const approvalEmail = await waitForEmail((mail) => mail.destination.to.includes(APPROVER) && mail.subject === `Approval needed: sign-up ${id}`);
    await api(linkIn(approvalEmail, 'approvals'), { method: 'POST', json: { decision: 'approve' } });
    const tokenEmail = await waitForEmail((mail) => mail.destination.to.includes(email) && mail.subject === `Choose your password for iris-${suffix}`);

    // Act
    const submitted = await api(linkIn(tokenEmail, 'tokens'), { method: 'POST', json: { password: 'correct horse battery staple' } });
    const events = await eventsOf(id, 5);

    // Assess
    expect(submitted.json).toStrictEqual({ id, status: 'completed' });
    expect(events.map((event) => [event.source, event.eventBusName, event.detailType, event.detail])).toStrictEqual([
      ['assent', endpoints().services.eventBusName, 'task.created', { taskId: id, taskType: 'sign-up', status: 'pending', at: expect.any(String), actor: { kind: 'user', id: 'anonymous' } }],
      ['assent', 'assent-local', 'task.approved', { taskId: id, taskType: 'sign-up', status: 'approved', at: expect.any(String), actor: { kind: 'approver', id: APPROVER } }],
      ['assent', 'assent-local', 'task.token_issued', { taskId: id, taskType: 'sign-up', status: 'awaiting_token', at: expect.any(String), actor: { kind: 'system', id: 'system' } }],
      ['assent', 'assent-local', 'task.completed', { taskId: id, taskType: 'sign-up', status: 'completed', at: expect.any(String), actor: { kind: 'system', id: 'system' } }],
      [
        'assent',
        'assent-local',
        'action.completed',
        { taskId: id, taskType: 'sign-up', status: 'completed', at: expect.any(String), actor: { kind: 'system', id: 'system' }, action: 'new-project-with-user' },
      ],
    ]);
    for (const event of events) expect(event.time).toBe(event.detail.at);
    const secrets = secretsIn([approvalEmail, tokenEmail]);
    expect(secrets).toHaveLength(2);
    const published = JSON.stringify(events);
    for (const secret of [...secrets, 'correct horse battery staple', email]) expect(published).not.toContain(secret);
  });

  it('lists every task\'s events, oldest first, without a filter', async () => {
    // Act
    const { status, headers, json } = await api('/local/events');

    // Assess
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json');
    const times = (json as RecordedEvent[]).map((event) => event.receivedAt);
    expect(times.length).toBeGreaterThan(0);
    expect(times).toStrictEqual([...times].sort());
  });
});
