/**
 * What the shared test stack (test/support/global-setup.ts) is configured with, for the tests that
 * depend on it to read.
 *
 * role-grant's security level: its reminder and deadline (P1D and P3D as declared) shortened to
 * seconds, so test/e2e/approval-policies.e2e.test.ts sees one reminder and one escalation. The
 * other role-grant tests decide their security level well within the first seconds.
 */
export const TEST_SECURITY_LEVEL = { reminderSeconds: 20, deadlineSeconds: 45 } as const;

/** How often the shared stack's reconciler runs (it sends the reminders and runs the deadlines). */
export const TEST_RECONCILE_SECONDS = 2;

/** `ASSENT_CONFIG` of the shared stack: the overrides above (approval levels change by name, functions/core/task-type-overrides.ts). */
export const TEST_STACK_CONFIG = JSON.stringify({
  taskTypes: {
    'role-grant': {
      approval: { levels: [{ name: 'security', deadline: `PT${TEST_SECURITY_LEVEL.deadlineSeconds}S`, reminders: [`PT${TEST_SECURITY_LEVEL.reminderSeconds}S`] }] },
    },
  },
});

/** The shared stack's settings over the defaults: the configuration above and the reconciler's interval. */
export const TEST_STACK_ENV = { ASSENT_CONFIG: TEST_STACK_CONFIG, ASSENT_RECONCILE_SECONDS: String(TEST_RECONCILE_SECONDS) } as const;
