import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV } from '../../functions/env-names.ts';
import { tableDefinition } from '../table-definition.ts';

/** What a function may do with the table. */
export type TableAccess = 'read' | 'readWrite';

/** Item-level read actions; no stream or control-plane actions. */
export const TABLE_READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
] as const;

/** Item-level write actions (transactions are authorized per item action). */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;

export interface TaskTableProps {
  /**
   * What happens to the table (and every task in it) when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The one DynamoDB table, built from `lib/table-definition.ts` (the same definition the local stack
 * uses): on demand, point-in-time recovery, TTL on `expiresAt`, a NEW_AND_OLD_IMAGES stream for the
 * archiver, AWS-managed encryption. Indexes keep the keys and `INDEX_ATTRIBUTES` only.
 */
export class TaskTable extends Construct {
  /** The table. */
  readonly table: Table;
  /** ARNs of the GSIs, each named (no `index/*` wildcard in grants). */
  readonly indexArns: readonly string[];

  constructor(scope: Construct, id: string, props: TaskTableProps = {}) {
    super(scope, id);
    this.table = this.createTable(props.removalPolicy ?? RemovalPolicy.RETAIN);
    this.indexArns = this.addIndexes();
  }

  /**
   * Lets `fn` use the table: sets `ASSENT_TABLE_NAME` and grants item-level actions on the table
   * and its named indexes, nothing else.
   */
  bindTable(fn: LambdaFunction, access: TableAccess): void {
    fn.addEnvironment(ENV.tableName, this.table.tableName);
    const actions = access === 'read' ? [...TABLE_READ_ACTIONS] : [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS];
    fn.addToRolePolicy(new PolicyStatement({ actions, resources: [this.table.tableArn, ...this.indexArns] }));
  }

  private createTable(removalPolicy: RemovalPolicy): Table {
    return new Table(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      stream: StreamViewType[tableDefinition.streamView],
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy,
    });
  }

  private addIndexes(): string[] {
    return tableDefinition.indexes.map((index) => {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.nonKeyAttributes],
      });
      return `${this.table.tableArn}/index/${index.name}`;
    });
  }
}
