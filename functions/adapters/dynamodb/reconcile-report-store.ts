import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type ReconcileReport, type ReconcileReports, ReconcileReportSchema } from '#ports/reconcile-report';
import { keys, SingleTable, stripKeys } from './table.ts';

/** The last reconcile run's counts: one item (`RECONCILE`), overwritten by every run, no TTL. */
export class DynamoDbReconcileReports implements ReconcileReports {
  private readonly table: SingleTable;

  constructor(options: { readonly client: SingleTable['client']; readonly tableName: string }) {
    this.table = new SingleTable(options);
  }

  async save(report: ReconcileReport): Promise<void> {
    await this.table.send(() => this.table.client.send(new PutCommand({ TableName: this.table.name, Item: { ...keys.reconcile(), ...report } })), 'Saving the reconcile report');
  }

  async latest(): Promise<ReconcileReport | undefined> {
    const item = await this.table.get(keys.reconcile(), 'Reading the reconcile report');
    return item ? ReconcileReportSchema.parse(stripKeys(item)) : undefined;
  }
}
