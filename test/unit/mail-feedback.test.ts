import fc from 'fast-check';
import type { MailFeedback } from '#core/mail-feedback';
import { handleMailFeedback, mailFeedbackOf } from '#functions/streams/mail-feedback';

/** The `mail` object of SES's event publishing record, tagged as SesMailer tags. */
const mail = (tags: Record<string, string[]> = { 'ses:configuration-set': ['assent-mail'], taskId: ['01JTASK1'] }) => ({
  timestamp: '2026-12-02T10:00:00.000Z',
  source: 'noreply@example.com',
  messageId: '0100018c-msg',
  destination: ['ann@example.com'],
  tags,
});

/** The `detail` of an "Email Bounced" event, as SES publishes it to EventBridge. */
const bounceDetail = (bounceType = 'Permanent', bounceSubType = 'General') => ({
  eventType: 'Bounce',
  bounce: {
    feedbackId: '0100018c-feedback',
    bounceType,
    bounceSubType,
    bouncedRecipients: [{ emailAddress: 'ann@example.com', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
    timestamp: '2026-12-02T10:00:01.000Z',
    reportingMTA: 'dns; a1.example.net',
  },
  mail: mail(),
});

/** The `detail` of an "Email Complaint Received" event. */
const complaintDetail = (complaintFeedbackType?: string) => ({
  eventType: 'Complaint',
  complaint: {
    feedbackId: '0100018c-complaint',
    complainedRecipients: [{ emailAddress: 'ann@example.com' }],
    timestamp: '2026-12-02T11:00:00.000Z',
    ...(complaintFeedbackType ? { complaintFeedbackType } : {}),
  },
  mail: mail(),
});

describe('mailFeedbackOf (SES events)', () => {
  it('reads a permanent bounce: the task tag, who bounced, the type and what SES said', () => {
    // Act
    const feedback = mailFeedbackOf(bounceDetail());

    // Assess
    expect(feedback).toStrictEqual({
      kind: 'bounce',
      taskId: '01JTASK1',
      recipients: ['ann@example.com'],
      type: 'Permanent/General',
      permanent: true,
      detail: 'ann@example.com: 5.1.1 smtp; 550 5.1.1 user unknown\nSES message 0100018c-msg, feedback 0100018c-feedback',
    });
  });

  it('reads a transient bounce as not permanent', () => {
    // Act
    const feedback = mailFeedbackOf(bounceDetail('Transient', 'MailboxFull'));

    // Assess
    expect([feedback?.type, feedback?.permanent]).toStrictEqual(['Transient/MailboxFull', false]);
  });

  it('reads a complaint, with its feedback type or "unknown" when the provider gave none', () => {
    // Act
    const withType = mailFeedbackOf(complaintDetail('abuse'));
    const withoutType = mailFeedbackOf(complaintDetail());

    // Assess
    expect(withType).toStrictEqual({
      kind: 'complaint',
      taskId: '01JTASK1',
      recipients: ['ann@example.com'],
      type: 'abuse',
      permanent: false,
      detail: 'SES message 0100018c-msg, feedback 0100018c-complaint',
    });
    expect(withoutType?.type).toBe('unknown');
  });

  it('leaves the task id undefined on an email without the taskId tag', () => {
    // Act
    const feedback = mailFeedbackOf({ ...bounceDetail(), mail: mail({ 'ses:configuration-set': ['assent-mail'] }) });

    // Assess
    expect(feedback?.taskId).toBeUndefined();
  });

  it('clips a long diagnostic to 300 characters', () => {
    // Prepare
    const detail = bounceDetail();
    detail.bounce.bouncedRecipients[0] = { emailAddress: 'ann@example.com', action: 'failed', status: '5.0.0', diagnosticCode: 'x'.repeat(1000) };

    // Act
    const line = mailFeedbackOf(detail)?.detail.split('\n')[0];

    // Assess
    expect(line).toBe(`${'ann@example.com: 5.0.0 '}${'x'.repeat(300 - 'ann@example.com: 5.0.0 '.length)}…`);
  });

  it.each([
    ['a delivery', { eventType: 'Delivery', delivery: { recipients: ['ann@example.com'] }, mail: mail() }],
    ['a send', { eventType: 'Send', send: {}, mail: mail() }],
    ['a bounce without recipients list (malformed)', { eventType: 'Bounce', bounce: { bounceType: 'Permanent', bounceSubType: 'General' }, mail: mail() }],
    ['a complaint without its mail', { eventType: 'Complaint', complaint: { complainedRecipients: [] } }],
    ['no object', 'Email Bounced'],
    ['nothing', undefined],
  ])('is undefined for %s', (_why, detail) => {
    // Act
    const feedback = mailFeedbackOf(detail);

    // Assess
    expect(feedback).toBeUndefined();
  });

  it('never throws, and reads only bounces and complaints, whatever the detail holds', () => {
    // Act & Assess
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.record({ eventType: fc.constantFrom('Bounce', 'Complaint', 'Delivery'), mail: fc.jsonValue({ maxDepth: 2 }), bounce: fc.jsonValue({ maxDepth: 3 }) })), (detail) => {
        const feedback = mailFeedbackOf(detail);
        return feedback === undefined || ['bounce', 'complaint'].includes(feedback.kind);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the mail feedback handler', () => {
  it('hands a bounce to the core and answers what it did', async () => {
    // Prepare
    const seen: MailFeedback[] = [];
    const core = { streams: { mailFeedback: async (feedback: MailFeedback) => (seen.push(feedback), 'notified' as const) } };

    // Act
    const outcome = await handleMailFeedback({ 'detail-type': 'Email Bounced', detail: bounceDetail() }, core);

    // Assess
    expect(outcome).toBe('notified');
    expect(seen.map((feedback) => [feedback.kind, feedback.taskId])).toStrictEqual([['bounce', '01JTASK1']]);
  });

  it('ignores any other SES event without calling the core', async () => {
    // Prepare
    const core = {
      streams: {
        mailFeedback: async (): Promise<'notified'> => {
          throw new Error('must not be called');
        },
      },
    };

    // Act
    const outcome = await handleMailFeedback({ 'detail-type': 'Email Delivered', detail: { eventType: 'Delivery', mail: mail() } }, core);

    // Assess
    expect(outcome).toBe('ignored');
  });

  it('lets a core failure through, so Lambda delivers the event again', async () => {
    // Prepare
    const core = {
      streams: {
        mailFeedback: async (): Promise<'notified'> => {
          throw new Error('DynamoDB is unreachable');
        },
      },
    };

    // Act
    const run = handleMailFeedback({ 'detail-type': 'Email Complaint Received', detail: complaintDetail('abuse') }, core);

    // Assess
    await expect(run).rejects.toThrow('DynamoDB is unreachable');
  });
});
