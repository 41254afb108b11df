import type { ReconcileReports } from '#ports/reconcile-report';

export interface ReconcileReportsSubject {
  /** A store on an empty table. */
  readonly store: ReconcileReports;
}

/** The ReconcileReports port's behaviour, for the in-memory fake and the DynamoDB adapter alike. */
export function describeReconcileReportsContract(name: string, makeStore: () => Promise<ReconcileReportsSubject>): void {
  describe(`ReconcileReports contract: ${name}`, () => {
    let store: ReconcileReports;
    beforeEach(async () => {
      ({ store } = await makeStore());
    });

    it('has no report before the first run', async () => {
      // Act
      const latest = await store.latest();

      // Assess
      expect(latest).toBeUndefined();
    });

    it('answers the last report saved, each run replacing the one before', async () => {
      // Prepare
      await store.save({ at: '2026-12-02T05:00:00.000Z', checked: 4, started: 1, resumed: 0, failed: 2, reminded: 3, escalated: 1, deadlineEnded: 1, remailed: 0 });

      // Act
      await store.save({ at: '2026-12-02T05:05:00.000Z', checked: 3, started: 0, resumed: 0, failed: 0, reminded: 1, escalated: 0, deadlineEnded: 0, remailed: 2 });
      const latest = await store.latest();

      // Assess
      expect(latest).toStrictEqual({ at: '2026-12-02T05:05:00.000Z', checked: 3, started: 0, resumed: 0, failed: 0, reminded: 1, escalated: 0, deadlineEnded: 0, remailed: 2 });
    });
  });
}
