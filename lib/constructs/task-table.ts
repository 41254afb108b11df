import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV } from '../../functions/env-names.ts';
import { tableDefinition } from '../table-definition.ts';

/**
 * Item-level read actions the adapters send (functions/adapters/dynamodb: GetCommand,
 * BatchGetCommand, QueryCommand); no Scan, no stream or control-plane actions.
 */
export const TABLE_READ_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'] as const;

/**
 * Item-level write actions the adapters send (PutCommand, UpdateCommand, DeleteCommand; a
 * TransactWriteCommand is authorized per item, and theirs are Put and Delete).
 */
export const TABLE_WRITE_ACTIONS = ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

/** One item-level action on the table. */
export type TableAction = (typeof TABLE_READ_ACTIONS)[number] | (typeof TABLE_WRITE_ACTIONS)[number];

/**
 * What a function may do with the table: `read` or `readWrite` (items, and Query on the indexes),
 * or exactly `items` on the table's items, without the indexes (a function that reads and writes
 * known keys only).
 */
export type TableAccess = 'read' | 'readWrite' | { readonly items: readonly TableAction[] };

export interface TaskTableProps {
  /**
   * What happens to the table (and every task in it) when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * DynamoDB deletion protection: refuses DeleteTable from anyone (console, CLI, CloudFormation)
   * until it is turned off.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The one DynamoDB table, built from `lib/table-definition.ts` (the same definition the local stack
 * uses): on demand, point-in-time recovery, deletion protection, TTL on `expiresAt`, a
 * NEW_AND_OLD_IMAGES stream for the archiver and the outbox, AWS-managed encryption, retained.
 * Indexes keep the keys and `INDEX_ATTRIBUTES` only.
 */
export class TaskTable extends Construct {
  /** The table. */
  readonly table: Table;
  /** ARNs of the GSIs, each named (no `index/*` wildcard in grants). */
  readonly indexArns: readonly string[];

  constructor(scope: Construct, id: string, props: TaskTableProps = {}) {
    super(scope, id);
    this.table = this.createTable(props.removalPolicy ?? RemovalPolicy.RETAIN, props.deletionProtection ?? true);
    this.indexArns = this.addIndexes();
  }

  /**
   * Lets `fn` use the table: sets `ASSENT_TABLE_NAME` and grants the item-level actions of `access`
   * on the table and, for `read` and `readWrite`, Query on its named indexes; nothing else.
   */
  bindTable(fn: LambdaFunction, access: TableAccess): void {
    fn.addEnvironment(ENV.tableName, this.table.tableName);
    const actions = typeof access === 'object' ? [...access.items] : access === 'read' ? [...TABLE_READ_ACTIONS] : [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS];
    fn.addToRolePolicy(new PolicyStatement({ actions, resources: [this.table.tableArn] }));
    if (typeof access === 'string') fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [...this.indexArns] }));
  }

  private createTable(removalPolicy: RemovalPolicy, deletionProtection: boolean): Table {
    return new Table(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection,
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
