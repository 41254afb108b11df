import { ValidationError } from '#core/errors';
import { parseWith } from '#functions/http/parse';
import { BulkDecisionsBodySchema, DecisionBodySchema, DelegateBodySchema, InboxQuerySchema } from '#functions/http/schemas';

/** The approvers' request bodies: every bad input a 400 with the path of each bad field. */
const fieldErrors = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return [error.status, error.errors];
    throw error;
  }
  return 'accepted';
};

const TASK = '01JTASK0000000000000000001';
const OTHER = '01JTASK0000000000000000002';

describe('POST /v1/approvals/{secret} body', () => {
  it('takes a vote, or a delegation with the address it goes to', () => {
    expect([
      parseWith(DecisionBodySchema, { decision: 'approve' }),
      parseWith(DecisionBodySchema, { decision: 'reject', reason: 'No.' }),
      parseWith(DecisionBodySchema, { decision: 'delegate', to: ' dee@example.com ' }),
    ]).toStrictEqual([{ decision: 'approve' }, { decision: 'reject', reason: 'No.' }, { decision: 'delegate', to: 'dee@example.com' }]);
  });

  it.each([
    [{ decision: 'delegate' }, [{ path: 'body.to', message: 'Required: the address of who gets your vote' }]],
    [{ decision: 'delegate', to: 'dee' }, [{ path: 'body.to', message: 'Must be an email address' }]],
    [{ decision: 'approve', to: 'dee@example.com' }, [{ path: 'body.to', message: 'Only with decision "delegate"' }]],
    [{ decision: 'maybe' }, [{ path: 'body.decision', message: 'Must be "approve", "reject" or "delegate"' }]],
  ])('refuses %j', (body, errors) => {
    expect(fieldErrors(() => parseWith(DecisionBodySchema, body, 'body'))).toStrictEqual([400, errors]);
  });
});

describe('POST /v1/tasks/{id}/delegate body', () => {
  it.each([
    [{}, [{ path: 'body.to', message: 'Required: the address of who gets your vote' }]],
    [{ to: 'nobody' }, [{ path: 'body.to', message: 'Must be an email address' }]],
    [{ to: 'dee@example.com', reason: 'x'.repeat(2001) }, [{ path: 'body.reason', message: 'Too big: expected string to have <=2000 characters' }]],
    [{ to: 'dee@example.com', cc: 'x' }, [{ path: 'body.cc', message: 'Unknown field' }]],
  ])('refuses %j', (body, errors) => {
    expect(fieldErrors(() => parseWith(DelegateBodySchema, body, 'body'))).toStrictEqual([400, errors]);
  });
});

describe('POST /v1/inbox/decisions body', () => {
  it('takes up to 50 decisions, one per task, each reject with a reason', () => {
    const body = { decisions: [{ taskId: TASK, decision: 'approve' }, { taskId: OTHER, decision: 'reject', reason: 'Not now.' }] };
    expect(parseWith(BulkDecisionsBodySchema, body)).toStrictEqual(body);
  });

  it.each([
    ['none', { decisions: [] }, [{ path: 'body.decisions', message: 'Give at least one decision' }]],
    ['too many', { decisions: Array.from({ length: 51 }, (_, index) => ({ taskId: `01JTASK${String(index).padStart(19, '0')}`, decision: 'approve' })) }, [{ path: 'body.decisions', message: 'At most 50 decisions at once' }]],
    ['a task twice', { decisions: [{ taskId: TASK, decision: 'approve' }, { taskId: TASK, decision: 'approve' }] }, [{ path: 'body.decisions.1.taskId', message: 'Appears twice: one decision per task' }]],
    ['a reject without a reason', { decisions: [{ taskId: TASK, decision: 'reject' }] }, [{ path: 'body.decisions.0.reason', message: 'Required: why, for the requester' }]],
    ['a task id that is not one', { decisions: [{ taskId: 'abc', decision: 'approve' }] }, [{ path: 'body.decisions.0.taskId', message: 'Not a task id' }]],
    ['no list', {}, [{ path: 'body.decisions', message: 'Required: a list of { taskId, decision, reason? }' }]],
  ])('refuses %s', (_name, body, errors) => {
    expect(fieldErrors(() => parseWith(BulkDecisionsBodySchema, body, 'body'))).toStrictEqual([400, errors]);
  });
});

describe('GET /v1/inbox query', () => {
  it('defaults the page size and takes the filters', () => {
    expect(parseWith(InboxQuerySchema, { type: 'role-grant', dueBefore: '2026-12-01T00:00:00.000Z', limit: '10' })).toStrictEqual({ type: 'role-grant', dueBefore: '2026-12-01T00:00:00.000Z', limit: 10 });
    expect(parseWith(InboxQuerySchema, {})).toStrictEqual({ limit: 25 });
  });

  it('refuses a bad time and an unknown filter, with their paths', () => {
    const errors = fieldErrors(() => parseWith(InboxQuerySchema, { dueBefore: 'tomorrow', status: 'pending' }, 'query')) as [number, { path: string }[]];
    expect([errors[0], errors[1].map((error) => error.path).sort()]).toStrictEqual([400, ['query.dueBefore', 'query.status']]);
  });
});
